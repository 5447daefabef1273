//! The layers of `src/`: every import points down.
//!
//! Reads every file of `src/`, finds each path it names inside the crate
//! (`crate::…`, `super::…`, and `innsyn::…` in the binary), and checks that it
//! names a module lower in [`LAYERS`] than its own, or one of its own module's
//! files. Inside a module folder the files other than `mod.rs` must not import
//! each other in a circle either. `docs/architecture.md` explains the order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The modules of the crate, lowest first, each with the layer it belongs to.
/// A module may use only the modules above it in this list.
const LAYERS: &[(&str, &str)] = &[
    ("error", "leaf"),
    ("unicode", "leaf"),
    ("lang", "leaf"),
    ("html", "leaf"),
    ("dates", "leaf"),
    ("mime", "leaf"),
    ("file", "leaf"),
    ("http", "leaf"),
    ("warc", "leaf"),
    ("dcat", "leaf"),
    ("fsx", "scan"),
    ("config", "scan"),
    ("theme", "scan"),
    ("scan", "scan"),
    ("data", "parse"),
    ("content", "parse"),
    ("markdown", "drawing and Markdown (know no site)"),
    ("charts", "drawing and Markdown (know no site)"),
    ("images", "drawing and Markdown (know no site)"),
    ("site", "assemble"),
    ("render", "render"),
    ("search", "index and lint"),
    ("lint", "index and lint"),
    ("external", "index and lint"),
    ("output", "write"),
    ("pipeline", "pipeline"),
    ("init", "commands"),
    ("import", "commands"),
    ("archive", "commands"),
    ("serve", "commands"),
    ("cli", "command line"),
    ("main", "command line"),
];

/// A source file: its module path (`render::shortcodes`) and what it names.
struct Source {
    file: PathBuf,
    module: Vec<String>,
    /// Module paths named in the file, resolved to absolute paths in the crate.
    uses: BTreeSet<Vec<String>>,
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(&src).unwrap().with_extension("");
        let mut module: Vec<String> = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
        if module.last().is_some_and(|m| m == "mod" || m == "lib") {
            module.pop();
        }
        let text = std::fs::read_to_string(path).unwrap();
        let uses = named_paths(&code_of(&text), &module);
        out.push(Source { file: path.to_path_buf(), module, uses });
    }
    out
}

/// The file without its unit tests (`#[cfg(test)]` to the end) and comments.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().map(|l| l.find("//").map_or(l, |i| &l[..i])).collect::<Vec<_>>().join("\n")
}

/// Every path starting with `crate::`, `super::` or `innsyn::`, with `use`
/// groups (`use crate::{a::b, c}`) opened, as an absolute module path.
fn named_paths(code: &str, module: &[String]) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b':';
        let root = ["crate::", "super::", "innsyn::"].into_iter().find(|r| bytes[i..].starts_with(r.as_bytes()));
        let Some(root) = root.filter(|_| starts_word) else {
            i += 1;
            continue;
        };
        let base: Vec<String> = match root {
            "super::" => module[..module.len().saturating_sub(1)].to_vec(),
            _ => Vec::new(),
        };
        let (paths, end) = read_tree(code, i + root.len());
        for p in paths {
            let mut full = base.clone();
            for seg in p {
                if seg == "super" {
                    full.pop();
                } else if seg != "self" {
                    full.push(seg);
                }
            }
            found.insert(full);
        }
        i = end;
    }
    found
}

/// Reads `a::b::{c, d::e}` from `at`: the paths it names and where it ends.
fn read_tree(code: &str, mut at: usize) -> (Vec<Vec<String>>, usize) {
    let bytes = code.as_bytes();
    let mut prefix = Vec::new();
    loop {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at < bytes.len() && bytes[at] == b'{' {
            let mut all = Vec::new();
            at += 1;
            loop {
                while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b',') {
                    at += 1;
                }
                if at >= bytes.len() || bytes[at] == b'}' {
                    return (all, at + 1);
                }
                let (inner, end) = read_tree(code, at);
                for p in inner {
                    all.push(prefix.iter().cloned().chain(p).collect());
                }
                if end == at {
                    at += 1;
                } else {
                    at = end;
                }
            }
        }
        let start = at;
        while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
            at += 1;
        }
        if start == at {
            return (vec![prefix], at);
        }
        prefix.push(code[start..at].to_string());
        if bytes[at..].starts_with(b"::") {
            at += 2;
        } else {
            return (vec![prefix], at);
        }
    }
}

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(m, _)| *m == module)
}

/// The file a module path resolves to: the longest prefix that is a source file.
fn owner<'a>(path: &[String], files: &'a BTreeMap<Vec<String>, PathBuf>) -> Option<&'a Vec<String>> {
    (1..=path.len()).rev().find_map(|n| files.get_key_value(&path[..n]).map(|(k, _)| k))
}

#[test]
fn every_import_points_down_the_layers() {
    let sources = sources();
    let mut wrong = Vec::new();
    for s in &sources {
        let own = s.module.first().map_or("main", String::as_str);
        let Some(own_rank) = rank(own) else {
            wrong.push(format!(
                "{}: module `{own}` is in no layer; add it to LAYERS and docs/architecture.md",
                s.file.display()
            ));
            continue;
        };
        for used in &s.uses {
            let Some(first) = used.first() else { continue };
            if first == own {
                continue;
            }
            match rank(first) {
                Some(r) if r < own_rank => {}
                Some(_) => wrong.push(format!(
                    "{}: `{own}` ({}) uses `{}` ({}), which is not below it",
                    s.file.display(),
                    LAYERS[own_rank].1,
                    used.join("::"),
                    LAYERS[rank(first).unwrap()].1
                )),
                None => {}
            }
        }
    }
    assert!(wrong.is_empty(), "imports that point up or sideways:\n{}", wrong.join("\n"));
}

#[test]
fn the_files_of_a_module_do_not_import_each_other_in_a_circle() {
    let sources = sources();
    let files: BTreeMap<Vec<String>, PathBuf> = sources.iter().map(|s| (s.module.clone(), s.file.clone())).collect();
    // Edges between sibling files (not a folder's `mod.rs`, which declares them).
    let mut edges: BTreeMap<&Vec<String>, BTreeSet<&Vec<String>>> = BTreeMap::new();
    for s in sources.iter().filter(|s| !s.file.ends_with("mod.rs") && s.module.len() > 1) {
        for used in &s.uses {
            let Some(target) = owner(used, &files) else { continue };
            let sibling =
                target.len() == s.module.len() && target[..target.len() - 1] == s.module[..s.module.len() - 1];
            if sibling && *target != s.module {
                edges.entry(&s.module).or_default().insert(target);
            }
        }
    }
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut stack = vec![(*start, vec![(*start).clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(at).into_iter().flatten() {
                if next == start {
                    cycles.push(trail.iter().chain([*next]).map(|m| m.join("::")).collect::<Vec<_>>().join(" → "));
                } else if seen.insert(*next) {
                    stack.push((next, trail.iter().cloned().chain([(*next).clone()]).collect()));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "files that import each other:\n{}", cycles.join("\n"));
}

#[test]
fn the_reader_of_imports_sees_groups_and_super() {
    let module = vec!["render".to_string(), "views".to_string()];
    let code = "use crate::{a::b, c::{d, e::f}};\nuse super::links;\nlet x = crate::g::h(1);";
    let found: Vec<String> = named_paths(code, &module).into_iter().map(|p| p.join("::")).collect();
    assert_eq!(found, ["a::b", "c::d", "c::e::f", "g::h", "render::links"]);
}

#[test]
fn every_module_of_the_crate_is_in_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ").or_else(|| l.trim().strip_prefix("mod ")))
        .collect();
    assert!(declared.len() > 10);
    for m in declared {
        let m = m.trim_end_matches(';');
        assert!(rank(m).is_some(), "`{m}` (src/lib.rs) is in no layer: add it to LAYERS and docs/architecture.md");
    }
}
