//! Writes the built site: the only module that changes the output folder.
//!
//! Two promises hold whatever happens. innsyn removes or replaces only files it
//! wrote itself: it keeps their list in the output folder ([`RECORD`]), and a
//! folder holding other files is refused unless the author says `--force`. And a
//! build that fails leaves the previous output as it was: every changed file is
//! first written to a temporary file beside it, and only when all of them are
//! written are they renamed into place; on any failure the temporary files (and
//! the folders made for them) are removed again. Into a folder that held nothing
//! (or did not exist) there is no previous output to keep, and files are written
//! at their places at once, then removed on failure the same way. The record
//! names every file before it or its temporary file is made, so what a killed
//! build left behind is removed by the next one.

use std::collections::{BTreeSet, HashSet};
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics};
use crate::file::OutputFile;

/// What writing changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written because they were new or changed.
    pub written: usize,
    /// Files left alone because their bytes were the same.
    pub unchanged: usize,
    /// Files of the previous build that no longer exist in this one, deleted.
    pub removed: usize,
}

/// Makes sure no two files share a path, and sorts them.
pub fn check_unique(files: &mut [OutputFile]) -> Result<(), Diagnostics> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut errors = Diagnostics::default();
    errors.extend(files.iter().filter(|f| !safe_relative(&f.path)).map(|f| outside(&f.path)));
    for pair in files.windows(2) {
        if pair[0].path == pair[1].path {
            errors.push(two_at_one_path(&pair[0].path));
        }
    }
    errors.into_result()
}

/// The error for a second file at `path`.
pub fn two_at_one_path(path: &str) -> Diagnostic {
    Diagnostic::new(path, format!("two outputs would be written to `{path}`"))
        .hint("a static file, page, section or taxonomy share this address; rename one of them")
}

/// The error for a file whose path would leave the output folder (`..`, an
/// absolute path): no input may make innsyn write outside it.
pub fn outside(path: &str) -> Diagnostic {
    Diagnostic::new(path, format!("`{}` would be written outside the output folder", crate::error::clip(path)))
        .hint("every output file lies inside the output folder; rename the page, alias or file that names this path")
}

/// Refuses output folders that would delete the site itself.
pub fn check_target(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let root = crate::fsx::canonical(root);
    let out_abs = crate::fsx::canonical(out);
    if root.starts_with(&out_abs) || out_abs.join("content").exists() || out_abs.join("config.toml").exists() {
        return Err(Diagnostic::new(
            out,
            "the output folder holds the site itself, and innsyn removes files there that the build does not produce",
        )
        .hint("choose another folder, e.g. `--output public`"));
    }
    Ok(())
}

/// The record of the files innsyn wrote in an output folder, one path a line.
pub const RECORD: &str = ".innsyn-output";

const RECORD_HEADER: &str = "# innsyn wrote these files here and removes only these; do not edit\n";

/// The header of a record written while a build writes: a build that finds it
/// knows the one before was stopped, and removes the temporary files it left.
const PENDING_HEADER: &str = "# innsyn is writing these files here; do not edit\n";

/// Writes `files` (sorted and unique) into `out`, replacing only changed files and
/// removing the files of the previous build that this one no longer produces.
/// `force` lets innsyn write into a folder that holds files it did not write (it
/// still removes none of them). The same as a [`Stage`] given all files at once.
pub fn write(out: &Path, files: &[OutputFile], force: bool) -> Result<WriteReport, Diagnostics> {
    let mut stage = Stage::begin(out, force)?;
    stage.add(files);
    stage.finish()
}

/// A build's output on its way into the output folder, handed over in batches so
/// that no more than a batch of rendered files is held at a time. Each changed file
/// is written to a temporary file beside its place as its batch comes; nothing the
/// previous build left changes until [`Stage::finish`], which renames them all into
/// place when every batch went well, and otherwise removes every temporary file
/// and folder it made, leaving the previous output as it was. Into a folder that
/// held nothing, files are written at their places at once ([`Stage::add_fresh`]).
pub struct Stage {
    out: PathBuf,
    force: bool,
    /// What innsyn wrote here before, from the record (`None`: no record).
    previous: Option<Arc<HashSet<String>>>,
    /// Whether the build before was stopped while writing.
    interrupted: bool,
    /// Whether the folder held nothing at all when the build began (or did
    /// not exist): then no file there can be unchanged or in the way, and each
    /// file is written at its place at once (see [`Stage::add_fresh`]).
    fresh: bool,
    /// The folder and those above it that did not exist when the build began,
    /// the folder first: a build that fails removes them again (each only
    /// when it is empty), so `--output x/y/public` leaves no `x/y` behind.
    made_out: Vec<PathBuf>,
    /// Files written at their places in a fresh folder, for [`Stage::abort`].
    placed: Vec<PathBuf>,
    /// In a fresh folder, the folders of the files written (`a`, `a/b` for
    /// `a/b/index.html`), made or to be made.
    folders: HashSet<String>,
    /// Every path this build produces, to catch two files at one path and to
    /// write the record.
    produced: HashSet<String>,
    /// Temporary files made, with the place each is renamed to.
    staged: Vec<(PathBuf, PathBuf)>,
    /// Folders made for them, in the order made.
    made_dirs: Vec<PathBuf>,
    /// Folders looked at for a file of ours in the way.
    seen_dirs: HashSet<PathBuf>,
    /// Files and folders of ours that stand where this build writes.
    in_the_way: Vec<PathBuf>,
    /// Whether the record says a build is writing (made with the first change).
    pending: bool,
    unchanged: usize,
    errors: Diagnostics,
}

impl Stage {
    /// Starts writing into `out`: reads the record of the build before (refusing a
    /// folder of files innsyn did not write, unless `force`), and removes what a
    /// stopped build left there.
    pub fn begin(out: &Path, force: bool) -> Result<Stage, Diagnostics> {
        let (previous, interrupted) = adopt(out, force)?;
        let made_out = out
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && std::fs::symlink_metadata(a).is_err())
            .map(Path::to_path_buf)
            .collect();
        let fresh = previous.is_none()
            && match std::fs::read_dir(out) {
                Ok(mut entries) => entries.next().is_none(),
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            };
        if interrupted {
            for p in previous.iter().flat_map(|p| p.iter()) {
                let _ = std::fs::remove_file(temporary(&out.join(p)));
            }
        }
        Ok(Stage {
            out: out.to_path_buf(),
            force,
            previous: previous.map(Arc::new),
            interrupted,
            fresh,
            made_out,
            placed: Vec::new(),
            folders: HashSet::new(),
            produced: HashSet::new(),
            staged: Vec::new(),
            made_dirs: Vec::new(),
            seen_dirs: HashSet::new(),
            in_the_way: Vec::new(),
            pending: false,
            unchanged: 0,
            errors: Diagnostics::default(),
        })
    }

    /// Whether the previous build here wrote `path`, by the record.
    pub(crate) fn ours(&self, path: &str) -> bool {
        self.previous.as_ref().is_some_and(|p| p.contains(path))
    }

    /// Takes a batch of files: those whose bytes differ from what the folder holds
    /// are written to temporary files (at their places, in a folder that held
    /// nothing). Problems (two files at one path, a file
    /// innsyn did not write in the way, a write that failed) are kept for
    /// [`Stage::finish`]; after the first, nothing more is written.
    pub fn add(&mut self, files: &[OutputFile]) {
        let out = self.out.clone();
        for f in files {
            if !safe_relative(&f.path) {
                self.errors.push(outside(&f.path));
            } else if !self.produced.insert(f.path.clone()) {
                self.errors.push(two_at_one_path(&f.path));
            }
        }
        if !self.errors.is_empty() {
            return;
        }
        if self.fresh {
            return self.add_fresh(files);
        }
        // What changes: files whose bytes differ, and what of ours stands in their way.
        let changed: Vec<&OutputFile> = files.par_iter().filter(|f| !holds(&out.join(&f.path), &f.bytes)).collect();
        self.unchanged += files.len() - changed.len();
        if changed.is_empty() {
            return;
        }
        for f in &changed {
            let dest = out.join(&f.path);
            for dir in Path::new(&f.path).ancestors().skip(1).filter(|d| !d.as_os_str().is_empty()) {
                if !self.seen_dirs.insert(dir.to_path_buf()) {
                    break; // Its ancestors were looked at too.
                }
                match std::fs::symlink_metadata(out.join(dir)) {
                    Ok(m) if m.is_dir() => {}
                    Ok(_) if self.ours(&slashed(dir)) => self.in_the_way.push(out.join(dir)),
                    Ok(_) => self.errors.push(not_ours(&out, &out.join(dir), "a folder must go")),
                    Err(_) => {}
                }
            }
            match std::fs::symlink_metadata(&dest) {
                Ok(m) if m.is_dir() => {
                    if tree_is_ours(&out, &dest, &|p| self.ours(p)) {
                        self.in_the_way.push(dest);
                    } else {
                        self.errors.push(not_ours(&out, &dest, "a file must go"));
                    }
                }
                Ok(_) if !self.force && !self.ours(&f.path) => {
                    self.errors.push(not_ours(&out, &dest, "innsyn would replace it"));
                }
                _ => {}
            }
        }
        if !self.errors.is_empty() {
            return;
        }
        // The record names every file before its temporary file exists, so what
        // a stopped build leaves is removed by the next.
        if let Err(e) = self.note_pending(&changed) {
            self.errors.push(Diagnostic::new(out.join(RECORD), format!("cannot write the output: {e}")));
            return;
        }
        match stage(&out, &changed, &mut self.made_dirs) {
            Ok(staged) => self.staged.extend(staged),
            Err(d) => self.errors.push(d),
        }
    }

    /// [`Stage::add`] into a folder that held nothing when the build began: no
    /// file there is unchanged or stands in the way, so each file is written at
    /// its place at once, without a temporary file to rename. Nothing of a
    /// previous build can be lost, and [`Stage::abort`] removes every file and
    /// folder made; a stopped build's files are named in the record, so the
    /// next build removes or replaces them. A file is made only where none is
    /// (`create_new`): whatever appeared in the folder meanwhile is never
    /// replaced. A file at the path of another's folder is not written, and
    /// [`Stage::finish`] reports it.
    fn add_fresh(&mut self, files: &[OutputFile]) {
        let out = self.out.clone();
        let mut placed = Vec::with_capacity(files.len());
        // The folders to make, each after its parent.
        let mut new_folders = Vec::new();
        for f in files {
            let folders = parents(&f.path);
            // A file where a folder of others is, or within a file: a clash.
            if self.folders.contains(f.path.as_str()) || folders.clone().any(|d| self.produced.contains(d)) {
                continue;
            }
            let first_new = new_folders.len();
            for d in folders {
                if !self.folders.insert(d.to_string()) {
                    break; // Its parents were added with it.
                }
                new_folders.push(out.join(d));
            }
            new_folders[first_new..].reverse();
            placed.push(f);
        }
        if placed.is_empty() {
            return;
        }
        if let Err(e) = self.note_pending(&placed) {
            self.errors.push(Diagnostic::new(out.join(RECORD), format!("cannot write the output: {e}")));
            return;
        }
        let (made, failed) = place(&out, &placed, new_folders, &mut self.made_dirs);
        self.placed.extend(made);
        self.errors.extend(failed);
    }

    /// Takes files of the previous build that this one produces with the same
    /// bytes, known without making them again (see `render::reuse`): they
    /// stay as they are, and in the record.
    pub fn keep(&mut self, paths: Vec<String>) {
        for path in paths {
            if !safe_relative(&path) || !self.ours(&path) {
                // Only a file innsyn wrote can stand for what it would write.
                self.errors.push(Diagnostic::new(
                    self.out.join(&path),
                    format!("internal error: `{path}` was kept but innsyn did not write it"),
                ));
            } else if self.produced.insert(path.clone()) {
                self.unchanged += 1;
            } else {
                self.errors.push(two_at_one_path(&path));
            }
        }
    }

    /// Adds the paths of `changed` to the record, which says a build is writing;
    /// the first time, with the previous build's files.
    fn note_pending(&mut self, changed: &[&OutputFile]) -> std::io::Result<()> {
        let mut lines = String::new();
        for f in changed {
            lines.push_str(&f.path);
            lines.push('\n');
        }
        if !self.pending {
            std::fs::create_dir_all(&self.out)?;
            let old: BTreeSet<&str> = self.previous.iter().flat_map(|p| p.iter()).map(String::as_str).collect();
            write_record(&self.out, PENDING_HEADER, &old)?;
            self.pending = true;
        }
        std::fs::OpenOptions::new().append(true).open(self.out.join(RECORD))?.write_all(lines.as_bytes())
    }

    /// Ends the build's writing: when every batch went well, renames the
    /// temporary files into place, removes the files of the previous build that
    /// this one no longer produces, and writes the record; otherwise removes what
    /// was made and returns every problem, the previous output as it was.
    pub fn finish(mut self) -> Result<WriteReport, Diagnostics> {
        // A path that is both a file and the folder of another: the one would
        // remove the other, whether or not either changed since the last build.
        let mut clashes: Vec<&str> = self
            .produced
            .iter()
            .filter(|p| Path::new(p).ancestors().skip(1).any(|a| self.produced.contains(slashed(a).as_str())))
            .map(String::as_str)
            .collect();
        clashes.sort_unstable();
        for path in clashes {
            let folder = Path::new(path).ancestors().skip(1).map(slashed).find(|a| self.produced.contains(a));
            let folder = folder.unwrap_or_default();
            self.errors.push(
                Diagnostic::new(
                    path,
                    format!("`{folder}` would be written both as a file and as the folder of `{path}`"),
                )
                .hint("a page, file or alias shares this address with a folder of other pages; rename one of them"),
            );
        }
        if !self.errors.is_empty() {
            self.abort();
            return Err(self.errors);
        }
        let out = &self.out;
        let io_err = |path: &Path, e: std::io::Error| Diagnostic::new(path, format!("cannot write the output: {e}"));
        let stale: Vec<&String> =
            self.previous.iter().flat_map(|p| p.iter()).filter(|p| !self.produced.contains(*p)).collect();
        if self.staged.is_empty()
            && stale.is_empty()
            && !self.interrupted
            && self.previous.as_ref().is_some_and(|p| p.len() == self.produced.len())
        {
            return Ok(WriteReport { written: 0, unchanged: self.unchanged, removed: 0 });
        }

        // Commit: what of ours is in the way goes, then every file is renamed into place.
        for path in &self.in_the_way {
            let gone = if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
            gone.map_err(|e| io_err(path, e))?;
        }
        let renamed: Vec<Result<(), Diagnostic>> =
            self.staged.par_iter().map(|(tmp, dest)| std::fs::rename(tmp, dest).map_err(|e| io_err(dest, e))).collect();
        let mut errors = Diagnostics::default();
        errors.extend(renamed.into_iter().filter_map(Result::err));
        errors.into_result()?;

        let removed = remove_stale(out, &stale);
        let record_now: BTreeSet<&str> = self.produced.iter().map(String::as_str).collect();
        let recorded = std::fs::create_dir_all(out)
            .map_err(|e| io_err(out, e))
            .and_then(|()| write_record(out, RECORD_HEADER, &record_now).map_err(|e| io_err(&out.join(RECORD), e)));
        if let Err(d) = recorded {
            // In a folder that held nothing, a build that fails leaves nothing
            // there; elsewhere the files are in place, named in the record of
            // a build that was writing, for the next build.
            if self.fresh {
                self.abort();
            }
            return Err(d.into());
        }
        Ok(WriteReport { written: self.staged.len() + self.placed.len(), unchanged: self.unchanged, removed })
    }

    /// Gives up the build's writing (another phase failed): removes what was
    /// made, leaving the previous output as it was.
    pub fn abandon(self) {
        self.abort();
    }

    /// Back to the previous output: its record, its files, its folders.
    fn abort(&self) {
        for (tmp, _) in &self.staged {
            let _ = std::fs::remove_file(tmp);
        }
        // A file written at its place that cannot be removed (held open by
        // another program) stays named in the record, which still says a
        // build is writing: the next build removes it.
        let mut left = false;
        for path in &self.placed {
            left |= std::fs::remove_file(path).is_err_and(|e| e.kind() != std::io::ErrorKind::NotFound);
        }
        for d in self.made_dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
        if self.pending {
            let _ = match &self.previous {
                Some(p) => write_record(&self.out, RECORD_HEADER, &p.iter().map(String::as_str).collect()),
                None if left => Ok(()),
                None => std::fs::remove_file(self.out.join(RECORD)),
            };
        }
        for dir in &self.made_out {
            let _ = std::fs::remove_dir(dir); // Only when it is empty again.
        }
    }
}

/// A [`Stage`] fed from a thread of its own: each batch is written while the
/// build makes the next. Writing is mostly the file system's work and its
/// waits, which a core can spend rendering meanwhile; the writes run on two
/// threads of their own, so they never wait for the build's. A batch is handed
/// over only when the one before is written (the build meanwhile makes the
/// next), so at most one more batch is held than when writing in turn.
pub struct Writer {
    queue: Option<std::sync::mpsc::SyncSender<Batch>>,
    thread: Option<std::thread::JoinHandle<Stage>>,
    previous: Option<Arc<HashSet<String>>>,
}

enum Batch {
    Add(Vec<OutputFile>),
    Keep(Vec<String>),
}

impl Writer {
    /// Starts writing into `stage`.
    pub fn start(mut stage: Stage) -> Writer {
        let previous = stage.previous.clone();
        let (queue, batches) = std::sync::mpsc::sync_channel::<Batch>(0);
        let thread = std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().ok();
            for batch in batches {
                match batch {
                    Batch::Add(files) => match &pool {
                        Some(pool) => pool.install(|| stage.add(&files)),
                        None => stage.add(&files),
                    },
                    Batch::Keep(paths) => stage.keep(paths),
                }
            }
            stage
        });
        Writer { queue: Some(queue), thread: Some(thread), previous }
    }

    /// Hands a batch to [`Stage::add`].
    pub fn add(&self, files: Vec<OutputFile>) {
        self.send(Batch::Add(files));
    }

    /// Hands paths to [`Stage::keep`].
    pub fn keep(&self, paths: Vec<String>) {
        self.send(Batch::Keep(paths));
    }

    /// [`Stage::ours`].
    pub fn ours(&self, path: &str) -> bool {
        self.previous.as_ref().is_some_and(|p| p.contains(path))
    }

    fn send(&self, batch: Batch) {
        // Only a writer that panicked stops taking batches; `stage` then
        // passes its panic on.
        if let Some(queue) = &self.queue {
            let _ = queue.send(batch);
        }
    }

    /// Waits for every batch to be written; the stage, to finish or abandon.
    pub fn stage(mut self) -> Stage {
        drop(self.queue.take());
        let thread = self.thread.take().expect("a writer is waited for once");
        thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

/// The files innsyn wrote in `out` before, from its record (`None` for a folder
/// without one), and whether the build that wrote it was stopped while writing.
/// A folder holding files innsyn did not write (hidden ones aside, such as `.git`)
/// is refused unless `force`.
fn adopt(out: &Path, force: bool) -> Result<(Option<HashSet<String>>, bool), Diagnostic> {
    // The folder itself may be a link (`public` → `/var/www/innsyn`): the author chose it.
    match std::fs::metadata(out) {
        Err(_) => return Ok((None, false)),
        Ok(m) if !m.is_dir() => {
            return Err(Diagnostic::new(out, "the output folder is a file, not a folder")
                .hint("choose a folder with `--output`, e.g. `--output public`"))
        }
        Ok(_) => {}
    }
    if let Ok(text) = std::fs::read_to_string(out.join(RECORD)) {
        let paths = text.lines().filter(|l| !l.starts_with('#')).filter(|l| safe_relative(l)).map(String::from);
        return Ok((Some(paths.collect()), text.starts_with(PENDING_HEADER)));
    }
    let foreign = std::fs::read_dir(out)
        .map_err(|e| Diagnostic::new(out, format!("cannot read the output folder: {e}")))?
        .filter_map(Result::ok)
        .find(|e| !e.file_name().to_string_lossy().starts_with('.'));
    match foreign {
        Some(entry) if !force => Err(Diagnostic::new(
            out,
            format!(
                "the output folder holds files that innsyn did not write (such as `{}`), and innsyn never replaces or removes those",
                entry.file_name().to_string_lossy()
            ),
        )
        .hint(format!(
            "choose an empty or new folder, empty this one, or add `--force` to write into it anyway \
             (the files already there stay; innsyn records what it writes in `{RECORD}` and later removes only those)"
        ))),
        _ => Ok((None, false)),
    }
}

/// Writes each changed file to a temporary file beside its destination, making the
/// folders it needs (added to `made_dirs`). On failure the temporary files it made
/// are removed again (the folders by the caller) and the error names the first
/// file that could not be written.
fn stage(
    out: &Path,
    changed: &[&OutputFile],
    made_dirs: &mut Vec<PathBuf>,
) -> Result<Vec<(PathBuf, PathBuf)>, Diagnostic> {
    let dirs: BTreeSet<&Path> =
        changed.iter().filter_map(|f| Path::new(&f.path).parent()).filter(|d| !d.as_os_str().is_empty()).collect();
    for dir in dirs {
        for step in dir.ancestors().collect::<Vec<_>>().into_iter().rev().filter(|d| !d.as_os_str().is_empty()) {
            let full = out.join(step);
            if full.is_dir() {
                continue;
            }
            if let Err(e) = std::fs::create_dir(&full) {
                return Err(Diagnostic::new(&full, format!("cannot write the output: {e}")));
            }
            made_dirs.push(full);
        }
    }
    let written: Vec<(PathBuf, PathBuf, std::io::Result<()>)> = changed
        .par_iter()
        .map(|f| {
            let dest = out.join(&f.path);
            let tmp = temporary(&dest);
            let result = std::fs::File::create(&tmp).and_then(|mut file| file.write_all(&f.bytes));
            (tmp, dest, result)
        })
        .collect();
    if written.iter().all(|(_, _, r)| r.is_ok()) {
        return Ok(written.into_iter().map(|(tmp, dest, _)| (tmp, dest)).collect());
    }
    let mut first = None;
    for (tmp, dest, result) in written {
        if let Err(e) = result {
            first.get_or_insert_with(|| Diagnostic::new(&dest, format!("cannot write the output: {e}")));
        }
        let _ = std::fs::remove_file(tmp);
    }
    let d = first.expect("some file failed");
    Err(d.hint("nothing was changed in the output folder; free some space or fix its permissions and build again"))
}

/// Writes each file at its place in a folder that held nothing when the build
/// began, after making `folders` (each after its parent; added to `made_dirs`).
/// Returns the files it made, for [`Stage::abort`] to remove, and on failure
/// the error of the first file or folder that could not be made.
fn place(
    out: &Path,
    files: &[&OutputFile],
    folders: Vec<PathBuf>,
    made_dirs: &mut Vec<PathBuf>,
) -> (Vec<PathBuf>, Option<Diagnostic>) {
    for full in folders {
        match std::fs::create_dir(&full) {
            Ok(()) => made_dirs.push(full),
            // Made meanwhile by someone else: written into only if it is a folder, not a link.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if !std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_dir()) {
                    return (Vec::new(), Some(not_ours(out, &full, "a folder must go")));
                }
            }
            Err(e) => return (Vec::new(), Some(Diagnostic::new(&full, format!("cannot write the output: {e}")))),
        }
    }
    // Each file made (ours to remove again; one that was there is not), and how its writing went.
    let written: Vec<(Option<PathBuf>, std::io::Result<()>)> = files
        .par_iter()
        .map(|f| {
            let dest = out.join(&f.path);
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&dest) {
                Ok(mut file) => {
                    let result = file.write_all(&f.bytes);
                    (Some(dest), result)
                }
                Err(e) => (None, Err(e)),
            }
        })
        .collect();
    let mut made = Vec::with_capacity(written.len());
    let mut first = None;
    for ((dest, result), f) in written.into_iter().zip(files) {
        if let Err(e) = result {
            first.get_or_insert_with(|| {
                let full = out.join(&f.path);
                match e.kind() {
                    std::io::ErrorKind::AlreadyExists => not_ours(out, &full, "innsyn would replace it"),
                    _ => Diagnostic::new(&full, format!("cannot write the output: {e}")).hint(
                        "nothing was changed in the output folder; free some space or fix its permissions and build again",
                    ),
                }
            });
        }
        made.extend(dest);
    }
    (made, first)
}

/// The folders of a relative, `/`-separated path, innermost first (`a/b`, `a`
/// for `a/b/index.html`).
fn parents(path: &str) -> impl Iterator<Item = &str> + Clone {
    let mut rest = path;
    std::iter::from_fn(move || {
        let cut = rest.rfind('/')?;
        rest = &rest[..cut];
        Some(rest)
    })
}

/// The temporary file `dest` is written to before it is renamed into place.
fn temporary(dest: &Path) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.innsyn-tmp"))
}

/// Whether every file below `dir` is one of ours (so a file may take its place).
fn tree_is_ours(out: &Path, dir: &Path, ours: &dyn Fn(&str) -> bool) -> bool {
    walkdir::WalkDir::new(dir).into_iter().all(|e| {
        e.is_ok_and(|e| e.file_type().is_dir() || e.path().strip_prefix(out).is_ok_and(|rel| ours(&slashed(rel))))
    })
}

fn not_ours(out: &Path, path: &Path, why: &str) -> Diagnostic {
    let rel = path.strip_prefix(out).unwrap_or(path);
    Diagnostic::new(path, format!("`{}` was not written by innsyn, and {why} in its place", slashed(rel)))
        .hint("move it out of the output folder, or choose another folder with `--output`")
}

/// A relative path with `/` between its parts.
fn slashed(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Whether a path (a line of the record, an output file's path) is a plain path
/// inside the folder: a tampered record must not make innsyn remove anything
/// outside it, nor any input make it write there.
pub fn safe_relative(line: &str) -> bool {
    !line.is_empty()
        && !line.contains('\\')
        && line.split('/').all(|part| !matches!(part, "" | "." | ".."))
        && Path::new(line).components().all(|c| matches!(c, Component::Normal(_)))
}

fn write_record(out: &Path, header: &str, paths: &BTreeSet<&str>) -> std::io::Result<()> {
    let mut text = String::from(header);
    for p in paths {
        text.push_str(p);
        text.push('\n');
    }
    let dest = out.join(RECORD);
    if holds(&dest, text.as_bytes()) {
        return Ok(());
    }
    let tmp = temporary(&dest);
    std::fs::File::create(&tmp).and_then(|mut f| f.write_all(text.as_bytes()))?;
    std::fs::rename(&tmp, &dest)
}

/// Whether `dest` is a file with exactly `bytes` in it. One open, one `fstat`
/// and the reads: a rebuild asks this of every output file.
fn holds(dest: &Path, bytes: &[u8]) -> bool {
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(dest) else { return false };
    if !file.metadata().is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64) {
        return false;
    }
    // `read_exact` and one more read for the end, not `read_to_end`, which
    // asks the file's size again and seeks.
    let mut old = vec![0; bytes.len()];
    file.read_exact(&mut old).is_ok() && old == bytes && file.read(&mut [0]).is_ok_and(|n| n == 0)
}

/// Removes the files of ours the build no longer produces (and the temporary
/// files a killed build may have left beside them), then the folders that this
/// leaves empty.
fn remove_stale(out: &Path, stale: &[&String]) -> usize {
    let mut removed = 0;
    let mut dirs = BTreeSet::new();
    for rel in stale {
        let path = out.join(rel.as_str());
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
        let _ = std::fs::remove_file(temporary(&path));
        dirs.extend(Path::new(rel.as_str()).ancestors().skip(1).filter(|d| !d.as_os_str().is_empty()));
    }
    // Deepest first, so a folder is empty once its children are gone.
    let mut dirs: Vec<&Path> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(out.join(d)); // Fails, harmlessly, when not empty.
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, s: &str) -> OutputFile {
        OutputFile::new(path.into(), s.as_bytes().to_vec())
    }

    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut all: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(Result::unwrap)
            .map(|e| (slashed(e.path().strip_prefix(dir).unwrap()), std::fs::read(e.path()).unwrap_or_default()))
            .collect();
        all.sort();
        all
    }

    #[test]
    fn rewriting_an_unchanged_site_writes_nothing_and_stale_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let files = vec![f("a/index.html", "a"), f("index.html", "i")];
        assert_eq!(write(&out, &files, false).unwrap().written, 2);
        assert_eq!(write(&out, &files, false).unwrap(), WriteReport { written: 0, unchanged: 2, removed: 0 });
        let fewer = vec![f("index.html", "j")];
        assert_eq!(write(&out, &fewer, false).unwrap(), WriteReport { written: 1, unchanged: 0, removed: 1 });
        assert!(!out.join("a").exists(), "empty folders are removed");
        assert_eq!(std::fs::read_to_string(out.join(RECORD)).unwrap(), format!("{RECORD_HEADER}index.html\n"));
    }

    #[test]
    fn a_folder_with_files_innsyn_did_not_write_is_refused_and_with_force_they_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        std::fs::create_dir(out.join("a")).unwrap();
        std::fs::write(out.join("a/photo.jpg"), "mine too").unwrap();
        let files = vec![f("a/index.html", "a"), f("index.html", "i")];
        let err = write(out, &files, false).unwrap_err();
        assert!(err.0[0].message.contains("did not write"), "{err:?}");
        assert_eq!(tree(out).len(), 3, "nothing was touched");

        write(out, &files, true).unwrap();
        // Later builds, forced or not, remove only what innsyn wrote.
        let report = write(out, &[f("index.html", "j")], false).unwrap();
        assert_eq!(report.removed, 1);
        let paths: Vec<String> = tree(out).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, [RECORD, "a", "a/photo.jpg", "index.html", "notes.txt"]);
        assert!(write(out, &[], false).is_ok());
        let paths: Vec<String> = tree(out).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, [RECORD, "a", "a/photo.jpg", "notes.txt"]);
    }

    #[test]
    fn a_file_innsyn_did_not_write_is_never_replaced_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write(out, &[f("index.html", "i")], false).unwrap();
        std::fs::write(out.join("om.html"), "mine").unwrap();
        std::fs::write(out.join("b"), "a file where a folder must go").unwrap();
        let err = write(out, &[f("index.html", "i"), f("om.html", "x"), f("b/index.html", "b")], false).unwrap_err();
        assert_eq!(err.len(), 2, "{err:?}");
        assert_eq!(std::fs::read_to_string(out.join("om.html")).unwrap(), "mine");
    }

    #[test]
    fn a_failed_write_leaves_the_previous_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[f("index.html", "old"), f("a/index.html", "a")], false).unwrap();
        let before = tree(&out);
        // A name no file system takes: its temporary file cannot be made.
        let long = format!("ny/{}.html", "x".repeat(300));
        let files = vec![f("a/index.html", "A"), f("b/c/index.html", "c"), f("index.html", "new"), f(&long, "z")];
        let err = write(&out, &files, false).unwrap_err();
        assert!(err.0[0].message.contains("cannot write"), "{err:?}");
        assert_eq!(tree(&out), before, "no file changed, no temporary file or new folder left");

        let fresh = dir.path().join("fresh");
        assert!(write(&fresh, &files, false).is_err());
        assert!(!fresh.exists(), "a first build that fails leaves nothing");
    }

    #[test]
    fn what_a_stopped_build_left_is_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let files = vec![f("a/index.html", "a"), f("index.html", "i")];
        write(out, &files, false).unwrap();
        // As a build killed between its temporary files and their renames leaves it.
        std::fs::write(out.join(RECORD), format!("{PENDING_HEADER}a/index.html\nindex.html\nold.html\n")).unwrap();
        std::fs::write(out.join(".index.html.innsyn-tmp"), "half").unwrap();
        std::fs::write(out.join("a/.index.html.innsyn-tmp"), "").unwrap();
        std::fs::write(out.join(".old.html.innsyn-tmp"), "").unwrap();
        write(out, &files, false).unwrap();
        let paths: Vec<String> = tree(out).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, [RECORD, "a", "a/index.html", "index.html"]);
    }

    #[test]
    fn what_a_stopped_first_build_wrote_at_its_places_is_replaced_or_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut stage = Stage::begin(&out, false).unwrap();
        stage.add(&[f("a/index.html", "a"), f("index.html", "i"), f("old/index.html", "o")]);
        std::mem::forget(stage); // Killed: no abort, no record of a finished build.
        std::fs::write(out.join("index.html"), "torn").unwrap();
        let files = [f("a/index.html", "a"), f("index.html", "i")];
        let report = write(&out, &files, false).unwrap();
        assert_eq!(report, WriteReport { written: 1, unchanged: 1, removed: 1 });
        let clean = dir.path().join("clean");
        write(&clean, &files, false).unwrap();
        assert_eq!(tree(&out), tree(&clean));
    }

    #[test]
    fn a_tampered_record_cannot_remove_anything_outside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(dir.path().join("precious"), "x").unwrap();
        let outside = dir.path().join("precious").display().to_string();
        std::fs::write(out.join(RECORD), format!("{RECORD_HEADER}../precious\n{outside}\n./../precious\n")).unwrap();
        write(&out, &[f("index.html", "i")], false).unwrap();
        assert!(dir.path().join("precious").exists());
    }

    #[test]
    fn a_failed_build_into_folders_that_did_not_exist_leaves_none_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x/y/public");
        let mut stage = Stage::begin(&out, false).unwrap();
        stage.add(&[f("index.html", "i"), f("a/b/index.html", "b")]);
        assert!(out.join("a/b").is_dir(), "a batch is written as it comes");
        stage.abandon();
        assert!(!dir.path().join("x").exists(), "x/y/public was made by the build");
        // Folders that were there stay, and so does what they hold.
        std::fs::create_dir_all(dir.path().join("x/keep")).unwrap();
        let mut stage = Stage::begin(&out, false).unwrap();
        stage.add(&[f("index.html", "i")]);
        stage.abandon();
        assert!(dir.path().join("x/keep").is_dir());
        assert!(!dir.path().join("x/y").exists());
    }

    #[test]
    fn batches_staged_and_then_abandoned_or_refused_leave_the_previous_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[f("index.html", "old"), f("a/index.html", "a")], false).unwrap();
        let before = tree(&out);
        // A later phase fails after two batches were staged.
        let mut stage = Stage::begin(&out, false).unwrap();
        stage.add(&[f("index.html", "new"), f("b/c/index.html", "c")]);
        stage.add(&[f("a/index.html", "A")]);
        assert!(out.join(".index.html.innsyn-tmp").exists(), "a batch is written as it comes");
        stage.abandon();
        assert_eq!(tree(&out), before);
        // The second batch repeats a path of the first: nothing changes either.
        let mut stage = Stage::begin(&out, false).unwrap();
        stage.add(&[f("index.html", "new"), f("x/index.html", "x")]);
        stage.add(&[f("x/index.html", "y")]);
        let err = stage.finish().unwrap_err();
        assert!(err.0[0].message.contains("two outputs"), "{err:?}");
        assert_eq!(tree(&out), before);
        // Batch by batch or all at once, the result is the same.
        let mut stage = Stage::begin(&out, false).unwrap();
        stage.add(&[f("index.html", "new")]);
        stage.add(&[f("b/index.html", "b"), f("a/index.html", "a")]);
        assert_eq!(stage.finish().unwrap(), WriteReport { written: 2, unchanged: 1, removed: 0 });
        let other = tempfile::tempdir().unwrap();
        write(other.path(), &[f("a/index.html", "a"), f("b/index.html", "b"), f("index.html", "new")], false).unwrap();
        assert_eq!(tree(&out), tree(other.path()));
    }

    #[test]
    fn a_writer_thread_writes_what_the_stage_would_and_keeps_its_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[f("index.html", "old"), f("a/index.html", "a")], false).unwrap();
        let before = tree(&out);
        // A repeated path in a later batch: refused at the end, the output as it was.
        let writer = Writer::start(Stage::begin(&out, false).unwrap());
        assert!(writer.ours("a/index.html") && !writer.ours("b/index.html"));
        writer.add(vec![f("index.html", "new"), f("x/index.html", "x")]);
        writer.add(vec![f("x/index.html", "y")]);
        let err = writer.stage().finish().unwrap_err();
        assert!(err.0[0].message.contains("two outputs"), "{err:?}");
        assert_eq!(tree(&out), before);
        // Many batches, a kept file among them: the same as one write of them all.
        let writer = Writer::start(Stage::begin(&out, false).unwrap());
        let pages: Vec<OutputFile> = (0..300).map(|i| f(&format!("p/{i}/index.html"), &format!("{i}"))).collect();
        for batch in pages.chunks(7) {
            writer.add(batch.to_vec());
        }
        writer.keep(vec!["a/index.html".to_string()]);
        writer.add(vec![f("index.html", "new")]);
        let report = writer.stage().finish().unwrap();
        assert_eq!(report, WriteReport { written: 301, unchanged: 1, removed: 0 });
        let other = tempfile::tempdir().unwrap();
        let mut all = pages.clone();
        all.extend([f("index.html", "new"), f("a/index.html", "a")]);
        write(other.path(), &all, false).unwrap();
        assert_eq!(tree(&out), tree(other.path()));
    }

    #[test]
    fn a_file_whose_path_leaves_the_output_folder_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        for bad in ["../utenfor.html", "/etc/x.html", "a/../../utenfor.html", "a\\..\\b.html"] {
            let err = write(&out, &[f("index.html", "x"), f(bad, "y")], false).unwrap_err().to_string();
            assert!(err.contains("outside the output folder"), "{bad}: {err}");
            let mut files = vec![f(bad, "y")];
            assert!(check_unique(&mut files).is_err(), "{bad}");
        }
        assert!(!dir.path().join("utenfor.html").exists());
        assert!(!out.join("index.html").exists(), "nothing is written when one file is refused");
    }

    #[test]
    fn a_file_at_the_path_of_a_folder_of_other_files_is_refused_and_the_output_stays() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[f("en/om/ekstra/index.html", "side"), f("index.html", "hjem")], false).unwrap();
        let before = tree(&out);
        // The page unchanged (so not written again) and a file where its folder is.
        let err = write(
            &out,
            &[f("en/om/ekstra/index.html", "side"), f("en/om/ekstra", "fil"), f("index.html", "ny")],
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("`en/om/ekstra` would be written both as a file and as the folder"), "{err}");
        assert_eq!(tree(&out), before, "nothing changed");
        let fresh = dir.path().join("fresh");
        assert!(write(&fresh, &[f("a/b.html", "x"), f("a", "y")], false).is_err());
    }

    #[test]
    fn into_a_folder_that_held_nothing_files_go_straight_to_their_places_and_a_failure_takes_them_away() {
        let dir = tempfile::tempdir().unwrap();
        for (out, existed) in [(dir.path().join("new"), false), (dir.path().join("empty"), true)] {
            if existed {
                std::fs::create_dir(&out).unwrap();
            }
            let mut stage = Stage::begin(&out, false).unwrap();
            stage.add(&[f("index.html", "i"), f("a/b/index.html", "b")]);
            assert_eq!(std::fs::read_to_string(out.join("a/b/index.html")).unwrap(), "b", "no temporary file");
            assert!(!out.join(".index.html.innsyn-tmp").exists());
            stage.add(&[f("a/index.html", "a")]);
            stage.abandon();
            assert_eq!(out.exists(), existed, "a folder the build made goes, one it found stays");
            if existed {
                assert!(tree(&out).is_empty(), "{:?}", tree(&out));
            }

            let mut stage = Stage::begin(&out, false).unwrap();
            stage.add(&[f("index.html", "i"), f("a/b/index.html", "b")]);
            stage.add(&[f("a/index.html", "a")]);
            assert_eq!(stage.finish().unwrap(), WriteReport { written: 3, unchanged: 0, removed: 0 });
            let other = tempfile::tempdir().unwrap();
            write(
                &other.path().join("x"),
                &[f("a/b/index.html", "b"), f("a/index.html", "a"), f("index.html", "i")],
                false,
            )
            .unwrap();
            assert_eq!(tree(&out), tree(&other.path().join("x")));
        }
        // A hidden file (`.git`) makes the folder one that holds something: temporary files then.
        let kept = dir.path().join("kept");
        std::fs::create_dir_all(kept.join(".git")).unwrap();
        let mut stage = Stage::begin(&kept, false).unwrap();
        stage.add(&[f("index.html", "i")]);
        assert!(kept.join(".index.html.innsyn-tmp").exists());
        stage.finish().unwrap();
        assert_eq!(std::fs::read_to_string(kept.join("index.html")).unwrap(), "i");
    }

    #[test]
    fn into_a_folder_that_held_nothing_a_file_and_a_folder_at_one_path_are_refused_in_either_order() {
        let dir = tempfile::tempdir().unwrap();
        let orders: [&[&[(&str, &str)]]; 4] = [
            &[&[("a/b.html", "x"), ("a", "y")]],
            &[&[("a", "y"), ("a/b.html", "x")]],
            &[&[("a/b/c.html", "x")], &[("index.html", "i")], &[("a/b", "y")]],
            &[&[("a", "y")], &[("a/b/c.html", "x")]],
        ];
        for (n, batches) in orders.iter().enumerate() {
            let out = dir.path().join(format!("out{n}"));
            let mut stage = Stage::begin(&out, false).unwrap();
            for batch in batches.iter() {
                stage.add(&batch.iter().map(|(p, s)| f(p, s)).collect::<Vec<_>>());
            }
            let err = stage.finish().unwrap_err();
            assert_eq!(err.len(), 1, "{err:?}");
            assert!(err.0[0].message.contains("both as a file and as the folder"), "{err:?}");
            assert!(!out.exists(), "{n}: nothing is left");
        }
    }

    #[test]
    fn a_file_that_appears_in_a_fresh_folder_while_the_build_writes_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut stage = Stage::begin(&out, false).unwrap();
        stage.add(&[f("a/index.html", "a")]);
        std::fs::write(out.join("index.html"), "someone else's").unwrap();
        stage.add(&[f("index.html", "i")]);
        let err = stage.finish().unwrap_err();
        assert!(err.0[0].message.contains("was not written by innsyn"), "{err:?}");
        assert_eq!(tree(&out), [("index.html".to_string(), b"someone else's".to_vec())]);
    }

    #[test]
    fn a_file_where_a_fresh_build_needs_a_folder_is_never_replaced_or_followed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut stage = Stage::begin(&out, false).unwrap();
        stage.add(&[f("index.html", "i")]);
        std::fs::write(out.join("a"), "someone else's").unwrap();
        stage.add(&[f("a/index.html", "a")]);
        let err = stage.finish().unwrap_err();
        assert!(err.0[0].message.contains("`a` was not written by innsyn, and a folder must go"), "{err:?}");
        assert_eq!(std::fs::read_to_string(out.join("a")).unwrap(), "someone else's");
        assert!(!out.join("index.html").exists(), "the build's own file is gone");
        #[cfg(unix)]
        {
            let mut stage = Stage::begin(&dir.path().join("other"), false).unwrap();
            stage.add(&[f("x.html", "x")]);
            std::os::unix::fs::symlink(dir.path(), dir.path().join("other/b")).unwrap();
            stage.add(&[f("b/escaped.html", "b")]);
            assert!(stage.finish().is_err());
            assert!(!dir.path().join("escaped.html").exists(), "a link is never written through");
        }
    }

    #[test]
    fn paths_with_empty_or_dot_parts_are_not_plain() {
        for bad in ["a/", "a//b", "./a", "a/./b", "a/..", "", "/a"] {
            assert!(!safe_relative(bad), "{bad:?}");
        }
        for good in ["a", "a/b.html", ".innsyn-output", "a/.b/c", "a..b/c"] {
            assert!(safe_relative(good), "{good:?}");
        }
    }

    #[test]
    fn duplicate_output_paths_are_errors() {
        let mut files = vec![f("x.html", "1"), f("x.html", "2")];
        assert!(check_unique(&mut files).is_err());
    }
}
