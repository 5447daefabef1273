//! Watching the site for changes while serving: file-system events, debounced
//! by `notify-debouncer-full` (which also pairs an editor's save-by-rename), start
//! a rebuild; after an edit of one page's text the search index follows once the
//! author has paused.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use super::session::{Session, Update};
use super::Shared;
use crate::error::Diagnostic;

/// The folders and files whose changes trigger a rebuild.
const WATCHED: [&str; 6] = ["content", "data", "templates", "themes", "static", "config.toml"];

/// How long the files must be quiet before a rebuild: an editor's save is a
/// burst of events (write, rename, attributes) within a few milliseconds.
const QUIET: Duration = Duration::from_millis(40);

/// The watcher; watching stops when it is dropped.
pub(super) struct Watching {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
}

/// Watches the site under `root` and rebuilds `session` into `shared` on its own thread.
pub(super) fn start(root: &Path, mut session: Session, shared: Arc<Shared>) -> Result<Watching, Diagnostic> {
    let (tx, rx) = channel();
    let mut debouncer = new_debouncer(QUIET, None, tx)
        .map_err(|e| Diagnostic::new(root, format!("cannot watch the site for changes: {e}")))?;
    for name in WATCHED {
        let path = root.join(name);
        if path.exists() {
            let mode = if path.is_dir() { RecursiveMode::Recursive } else { RecursiveMode::NonRecursive };
            let _ = debouncer.watch(&path, mode);
        }
    }
    let root = root.to_path_buf();
    std::thread::spawn(move || watch_loop(&rx, &mut session, &shared, &root));
    Ok(Watching { _debouncer: debouncer })
}

/// The paths of a batch of events, reads of files left out.
fn changed_paths(result: DebounceEventResult) -> Vec<PathBuf> {
    let Ok(events) = result else { return Vec::new() };
    events.into_iter().filter(|e| !matches!(e.event.kind, EventKind::Access(_))).flat_map(|e| e.event.paths).collect()
}

/// After an edit of one page's text, the search index is made again once the
/// author has paused this long, so quick saves in a row each reload at once.
const INDEX_AFTER: Duration = Duration::from_millis(400);

fn watch_loop(rx: &Receiver<DebounceEventResult>, session: &mut Session, shared: &Shared, root: &Path) {
    let output = root.join("public");
    let mut index_due: Option<Instant> = None;
    loop {
        let received = match index_due {
            Some(due) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        let paths = match received {
            Ok(result) => changed_paths(result),
            Err(RecvTimeoutError::Timeout) => {
                index_due = None;
                refresh_index(session, shared);
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut changed: Vec<PathBuf> = paths.into_iter().filter(|p| !p.starts_with(&output)).collect();
        // Batches that came in while the last rebuild ran are one change.
        while let Ok(more) = rx.try_recv() {
            changed.extend(changed_paths(more).into_iter().filter(|p| !p.starts_with(&output)));
        }
        changed.sort();
        changed.dedup();
        if !changed.is_empty() && rebuild(session, &changed, shared) {
            index_due = Some(Instant::now() + INDEX_AFTER);
        }
    }
}

/// Rebuilds what `changed` requires, serves the result and tells open pages.
/// Returns whether only pages were rendered, so the search index is behind.
pub(super) fn rebuild(session: &mut Session, changed: &[PathBuf], shared: &Shared) -> bool {
    let start = Instant::now();
    let update = session.rebuild(changed);
    let write = || shared.state.write().unwrap_or_else(|e| e.into_inner());
    match update {
        Ok(Update::Full { summary, files }) => {
            {
                let mut state = write();
                state.files = files.into_iter().map(|f| (f.path, f.bytes)).collect();
                state.error = None;
                state.generation += 1;
            }
            // The first build, before any change, is no rebuild.
            let verb = if changed.is_empty() { "Built" } else { "Rebuilt" };
            println!("{verb} {} pages in {} ms", summary.pages, start.elapsed().as_millis());
            shared.broadcast("reload");
            false
        }
        Ok(Update::Pages { pages, files, removed }) => {
            {
                let mut state = write();
                for path in removed {
                    state.files.remove(&path);
                }
                state.files.extend(files.into_iter().map(|f| (f.path, f.bytes)));
                state.error = None;
                state.generation += 1;
            }
            println!("Rebuilt {} in {} ms", pages.join(", "), start.elapsed().as_millis());
            shared.broadcast("reload");
            true
        }
        Ok(Update::Nothing) => false,
        Err(errors) => {
            let text = errors.to_string();
            eprintln!("{text}\nStill serving the last good build.");
            write().error = Some(text.clone());
            shared.broadcast(&format!("error\n{text}"));
            false
        }
    }
}

fn refresh_index(session: &mut Session, shared: &Shared) {
    let start = Instant::now();
    if let Some(index) = session.refresh_index() {
        let mut state = shared.state.write().unwrap_or_else(|e| e.into_inner());
        for path in index.removed {
            state.files.remove(&path);
        }
        state.files.extend(index.files.into_iter().map(|f| (f.path, f.bytes)));
        drop(state);
        println!("Updated the search index in {} ms", start.elapsed().as_millis());
    }
}
