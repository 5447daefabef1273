//! The serve session's rebuilds after edits: an edit of a page's text re-renders
//! that page alone; an edit of its front matter re-renders only the files whose
//! context changed; after each, what it serves is byte for byte what a full build
//! makes. New files build everything; a broken file stays reported until it is
//! fixed, even while other files are edited.

mod common;

use common::copy_dir;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use innsyn::pipeline::{render_site, Options};
use innsyn::serve::session::{Session, Update};

/// A copy of the bundled example site (charts, mandates, goals, three languages).
fn example_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["content", "data", "static"] {
        if repo.join(part).is_dir() {
            copy_dir(&repo.join(part), &root.join(part));
        }
    }
    std::fs::copy(repo.join("config.toml"), root.join("config.toml")).unwrap();
    (dir, root)
}

fn options(root: &Path) -> Options {
    Options::new(root, innsyn::pipeline::Mode::Serve)
}

type Served = BTreeMap<String, Vec<u8>>;

fn full_build(root: &Path) -> Served {
    let (_, files) = render_site(&options(root)).unwrap();
    files.into_iter().map(|f| (f.path, f.bytes)).collect()
}

/// Applies an update to what is served, as `serve` does.
fn apply(served: &mut Served, session: &mut Session, update: Update) {
    match update {
        Update::Full { files, .. } => *served = files.into_iter().map(|f| (f.path, f.bytes)).collect(),
        Update::Pages { files, removed, .. } => {
            for p in removed {
                served.remove(&p);
            }
            served.extend(files.into_iter().map(|f| (f.path, f.bytes)));
            let index = session.refresh_index().expect("the search index follows an edit");
            for p in index.removed {
                served.remove(&p);
            }
            served.extend(index.files.into_iter().map(|f| (f.path, f.bytes)));
        }
        Update::Nothing => {}
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn differences(a: &Served, b: &Served) -> Vec<String> {
    let mut paths: Vec<&String> = a.keys().chain(b.keys()).collect();
    paths.sort();
    paths.dedup();
    paths.into_iter().filter(|p| a.get(*p) != b.get(*p)).cloned().collect()
}

#[test]
fn an_edit_of_a_pages_text_renders_that_page_alone_and_matches_a_full_build() {
    let (_dir, root) = example_site();
    let mut session = Session::new(options(&root));
    let mut served = Served::new();
    let first = session.rebuild(&[]).unwrap();
    assert!(matches!(first, Update::Full { .. }));
    apply(&mut served, &mut session, first);
    assert!(session.refresh_index().is_none(), "a full build makes the index too");

    // A page with charts: its text below the summary changes.
    let page = root.join("content/nettverk/arsverksbehov-time.md");
    edit(&page, "Time har kommunenummer 1121", "Time har kommunenummer 1121 og eit nytt ord: skjergardsbibliotek");
    let update = session.rebuild(std::slice::from_ref(&page)).unwrap();
    let Update::Pages { pages, files, .. } = &update else { panic!("expected a page update, got {update:?}") };
    assert_eq!(pages, &["/nettverk/arsverksbehov-time/"]);
    assert!(files.iter().any(|f| f.path == "nettverk/arsverksbehov-time/index.html"
        && String::from_utf8_lossy(&f.bytes).contains("skjergardsbibliotek")));
    assert!(files.len() < 20, "only the page and its charts, not {} files", files.len());
    apply(&mut served, &mut session, update);

    let full = full_build(&root);
    assert_eq!(differences(&served, &full), Vec::<String>::new(), "the session serves what a full build makes");
    let manifest = String::from_utf8_lossy(&served["search/manifest.js"]).into_owned();
    assert!(!manifest.is_empty());
}

/// Applies a rebuild of `changed` and checks the result against a full build;
/// returns how many files the rebuild made.
fn rebuild_matches_full(served: &mut Served, session: &mut Session, root: &Path, changed: &Path) -> usize {
    let update = session.rebuild(&[changed.to_path_buf()]).unwrap();
    let Update::Pages { files, .. } = &update else { panic!("expected only some files, got {update:?}") };
    let made = files.len();
    apply(served, session, update);
    assert_eq!(differences(served, &full_build(root)), Vec::<String>::new(), "after editing {}", changed.display());
    made
}

#[test]
fn front_matter_edits_render_only_what_shows_them() {
    let (_dir, root) = example_site();
    let mut session = Session::new(options(&root));
    let mut served = Served::new();
    let first = session.rebuild(&[]).unwrap();
    apply(&mut served, &mut session, first);
    let html = served.keys().filter(|p| p.ends_with(".html")).count();

    // The title is shown in lists, menus and neighbours' links.
    let page = root.join("content/nettverk/laerdom.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let title = text.lines().find(|l| l.starts_with("title = ")).unwrap().to_string();
    edit(&page, &title, "title = \"Lærdom frå nettverket, revidert\"");
    let made = rebuild_matches_full(&mut served, &mut session, &root, &page);
    assert!(made < html, "a title edit re-renders what shows it, not all {html} pages ({made} files)");
    assert!(String::from_utf8_lossy(&served["nettverk/index.html"]).contains("revidert"), "the section lists it");

    // The summary (before `<!-- more -->`) is shown in lists and feeds.
    let time = root.join("content/nettverk/arsverksbehov-time.md");
    let text = std::fs::read_to_string(&time).unwrap();
    let first_line = text.split("+++").nth(2).unwrap().lines().find(|l| !l.trim().is_empty()).unwrap().to_string();
    edit(&time, &first_line, &format!("{first_line} Ein ny setning i samandraget."));
    rebuild_matches_full(&mut served, &mut session, &root, &time);

    // A new slug moves the page: the old file goes.
    edit(&page, "+++\n", "+++\nslug = \"laerdom-revidert\"\n");
    rebuild_matches_full(&mut served, &mut session, &root, &page);
    assert!(served.contains_key("nettverk/laerdom-revidert/index.html"));

    // A goal's status is shown by the goals overview on another page.
    let goal = walkdir::WalkDir::new(root.join("content/mal"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("status = \"proposed\"")))
        .expect("a proposed goal or measure in the example site");
    edit(&goal, "status = \"proposed\"", "status = \"at-risk\"");
    rebuild_matches_full(&mut served, &mut session, &root, &goal);

    // A new page is a new file to list: everything is built.
    let new = root.join("content/nettverk/ny.md");
    std::fs::write(&new, "+++\ntitle = \"Ny side\"\n+++\nTekst.\n").unwrap();
    assert!(matches!(session.rebuild(&[new]).unwrap(), Update::Full { .. }));

    // Hidden files (an editor's swap file) are not part of the site.
    let swap = root.join("content/nettverk/.laerdom.md.swp");
    std::fs::write(&swap, "x").unwrap();
    assert!(matches!(session.rebuild(&[swap]).unwrap(), Update::Nothing));
    // Nor is a temporary file that an editor wrote and renamed over a page.
    let gone = root.join("content/nettverk/sedX1b2c3");
    assert!(matches!(session.rebuild(&[gone]).unwrap(), Update::Nothing));
    // A removed page is: everything is built.
    std::fs::remove_file(root.join("content/nettverk/ny.md")).unwrap();
    assert!(matches!(session.rebuild(&[root.join("content/nettverk/ny.md")]).unwrap(), Update::Full { .. }));
}

#[test]
fn a_moved_bundle_places_its_images_again() {
    let (_dir, root) = example_site();
    let mut session = Session::new(options(&root));
    let mut served = Served::new();
    let first = session.rebuild(&[]).unwrap();
    apply(&mut served, &mut session, first);
    assert!(served.keys().any(|p| p.starts_with("veiledning/bilder/fjordlandskap-")));

    // The bundle's images are published beside the page, so a new slug moves them.
    let page = root.join("content/veiledning/bilder/index.md");
    edit(&page, "+++\n", "+++\nslug = \"bilder-i-teksten\"\n");
    let update = session.rebuild(std::slice::from_ref(&page)).unwrap();
    assert!(matches!(update, Update::Full { .. }), "a moved bundle builds everything");
    apply(&mut served, &mut session, update);
    assert!(served.keys().any(|p| p.starts_with("veiledning/bilder-i-teksten/fjordlandskap-")));
    assert_eq!(differences(&served, &full_build(&root)), Vec::<String>::new());
}

#[test]
fn a_broken_page_stays_reported_while_another_is_edited() {
    let (_dir, root) = example_site();
    let mut session = Session::new(options(&root));
    let mut served = Served::new();
    let first = session.rebuild(&[]).unwrap();
    apply(&mut served, &mut session, first);

    let broken = root.join("content/nettverk/laerdom.md");
    let good = std::fs::read_to_string(&broken).unwrap();
    std::fs::write(&broken, format!("{good}\n{{{{ chart(file=\"finst-ikkje.csv\") }}}}\n")).unwrap();
    let errors = session.rebuild(std::slice::from_ref(&broken)).unwrap_err().to_string();
    assert!(errors.contains("content/nettverk/laerdom.md:"), "{errors}");

    // Another page's text is edited while the first is still broken.
    let other = root.join("content/nettverk/arsverksbehov-time.md");
    edit(&other, "Time har kommunenummer 1121", "Time har kommunenummer 1121 (Rogaland)");
    let errors = session.rebuild(std::slice::from_ref(&other)).unwrap_err().to_string();
    assert!(errors.contains("content/nettverk/laerdom.md:"), "still reported: {errors}");

    std::fs::write(&broken, good).unwrap();
    let update = session.rebuild(&[broken]).unwrap();
    assert!(matches!(update, Update::Pages { .. }), "both edited pages are rendered again, not the site");
    apply(&mut served, &mut session, update);
    assert_eq!(differences(&served, &full_build(&root)), Vec::<String>::new());
}
