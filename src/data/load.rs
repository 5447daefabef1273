//! Reading the whole of `data/`: every table with its provenance sidecar, in
//! parallel, and the files to publish beside the pages.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;

use super::{DataFile, Table};
use crate::error::{relative, Diagnostic, Diagnostics};
use crate::file::OutputFile;
use crate::fsx;

/// Reads every file of `data/` in parallel: tables (CSV, TSV, TOML, JSON) with their
/// provenance sidecars (`NAME.csv.toml`). Returns them by name, and the files to
/// copy to the output so readers can download exactly what a chart shows.
pub fn load(
    root: &Path,
    errors: &mut Diagnostics,
    warnings: &mut Vec<Diagnostic>,
) -> (BTreeMap<String, DataFile>, Vec<OutputFile>) {
    let dir = root.join("data");
    let paths = fsx::walk_files(root, &dir, errors);
    let names: Vec<String> = paths.iter().map(|p| relative(&dir, p).to_string_lossy().replace('\\', "/")).collect();
    let is_sidecar = |name: &str| name.strip_suffix(".toml").is_some_and(|table| names.iter().any(|n| n == table));
    let read: Vec<Result<(String, Vec<u8>), Diagnostic>> =
        paths.par_iter().zip(&names).map(|(p, n)| fsx::read(root, p).map(|b| (n.clone(), b))).collect();
    let mut bytes: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for r in read {
        match r {
            Ok((n, mut b)) => {
                let shown = format!("data/{n}");
                // A workbook is a zip archive: its bytes are not text to clean (its
                // cells' text is cleaned as it is read).
                if !super::is_workbook(&n) {
                    warnings.extend(fsx::scrub(Path::new(&shown), &mut b, false));
                }
                bytes.insert(n, b);
            }
            Err(e) => errors.push(e),
        }
    }
    let parsed: Vec<(String, Result<DataFile, Diagnostics>)> = bytes
        .par_iter()
        .filter(|(name, _)| !is_sidecar(name))
        .map(|(name, b)| {
            let shown = format!("data/{name}");
            let provenance = bytes.get(&format!("{name}.toml")).map(|side| {
                let text = String::from_utf8_lossy(side);
                super::parse_provenance(&format!("{shown}.toml"), &text)
            });
            let options = match &provenance {
                Some(Ok(p)) => p.clone(),
                _ => super::Provenance::default(),
            };
            let table = super::parse_with(&shown, b, &options);
            let result = match (table, provenance.transpose()) {
                (Ok(mut table), Ok(provenance)) => {
                    table.name = name.clone();
                    let provenance = super::Provenance::merged(&table.provenance, provenance.as_ref());
                    Ok(DataFile { table, provenance, broken: false })
                }
                (Err(mut a), Err(b)) => {
                    a.extend(b.0);
                    Err(a)
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            (name.clone(), result)
        })
        .collect();
    let mut tables = BTreeMap::new();
    for (name, r) in parsed {
        match r {
            Ok(f) => {
                tables.insert(name, f);
            }
            Err(e) => {
                errors.extend(e.0);
                let table = Table::empty(name.clone());
                tables.insert(name, DataFile { table, provenance: None, broken: true });
            }
        }
    }
    recode_all(&mut tables, errors);
    let files = bytes.into_iter().map(|(name, b)| OutputFile::new(format!("data/{name}"), b)).collect();
    (tables, files)
}

/// Recodes the files whose sidecars ask for it (`recode = { … }`), after the
/// correspondence tables they name; each table's faults are reported once.
fn recode_all(tables: &mut BTreeMap<String, DataFile>, errors: &mut Diagnostics) {
    let wanting: Vec<String> = tables
        .iter()
        .filter(|(_, f)| f.provenance.as_ref().is_some_and(|p| p.recode.is_some()))
        .map(|(name, _)| name.clone())
        .collect();
    let mut reported = std::collections::BTreeSet::new();
    for name in wanting {
        let sidecar = format!("data/{name}.toml");
        let Some(spec) = tables[&name].provenance.as_ref().and_then(|p| p.recode.clone()) else { continue };
        let map = match tables.get(&spec.table) {
            None => {
                let names: Vec<&str> = tables.keys().map(String::as_str).collect();
                let d = Diagnostic::at(
                    &sidecar,
                    spec.line,
                    1,
                    format!("`recode`'s correspondence table `data/{}` does not exist", spec.table),
                );
                errors.push(match crate::error::did_you_mean(&spec.table, &names) {
                    Some(best) => d.hint(format!("did you mean `{best}`?")),
                    None => d.hint("put the table of old and new codes in `data/`, e.g. `data/kommunenummer.csv` with lines like `1711,5034,Meråker`"),
                });
                continue;
            }
            Some(t) if t.broken => continue,
            Some(_) if spec.table == name => {
                errors.push(
                    Diagnostic::at(&sidecar, spec.line, 1, "a file cannot be recoded after itself")
                        .hint("name the correspondence table in `table`"),
                );
                continue;
            }
            Some(t) => match super::recode::correspondence(&t.table, &spec, &sidecar) {
                Ok(map) => map,
                Err(e) => {
                    for d in e.0 {
                        if reported.insert(d.to_string()) {
                            errors.push(d);
                        }
                    }
                    continue;
                }
            },
        };
        let Some(file) = tables.get_mut(&name) else { continue };
        if file.broken {
            continue;
        }
        let table = std::mem::take(&mut file.table);
        match super::recode::apply(table, &spec, &map, &sidecar) {
            Ok((table, note)) => {
                file.table = table;
                if let Some(p) = file.provenance.as_mut() {
                    p.recoded = (!note.codes.is_empty()).then_some(note);
                }
            }
            Err(e) => {
                errors.extend(e.0);
                file.table = Table::empty(name.clone());
                file.broken = true;
            }
        }
    }
}
