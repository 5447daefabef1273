//! What a data file costs in memory: a counting allocator follows the heap while a
//! large CSV is read, alone and within a whole build of the example site. A table
//! keeps its cells' text back to back, and templates get a table only when they ask,
//! so a file costs a few times its size, not fifty.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

mod common;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = IN_USE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            // Counted as the allocator may do it: the new block beside the old.
            grew(new_size);
            IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests here measure one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// What `f` returns, the heap's peak while it ran above what was in use before, and
/// what it still holds after (with its result).
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let kept = IN_USE.load(Ordering::Relaxed).saturating_sub(before);
    (out, peak, kept)
}

/// A staffing table like the example site's, about `size` bytes, the same every time.
fn big_csv(size: usize) -> Vec<u8> {
    let kommuner = ["Meråker", "Time", "Oslo", "Bergen", "Trondheim", "Tromsø", "Ås", "Bø"];
    let sektorer = ["Pleie og omsorg", "Grunnskole", "Barnehage", "Kultur"];
    let mut out = String::from("kommune,kommunenummer,sektor,år,årsverk,årsverk_per_1000_20_66\n");
    let mut seed: u64 = 13;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    while out.len() < size {
        let (k, s) = (kommuner[next(8) as usize], sektorer[next(4) as usize]);
        let line = format!("{k},{},{s},{},{},{}\n", 1000 + next(5000), 2000 + next(41), 1 + next(999), 1 + next(99));
        out.push_str(&line);
    }
    out.into_bytes()
}

#[test]
fn reading_a_large_csv_costs_a_few_times_its_size() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = big_csv(4 << 20);
    let (table, peak, kept) = measure(|| innsyn::data::parse("data/stor.csv", &bytes).unwrap());
    assert!(table.row_count() > 50_000);
    let size = bytes.len();
    assert!(peak <= 5 * size, "reading {size} bytes took {peak} bytes at the peak");
    assert!(kept <= 3 * size, "the table of {size} bytes holds {kept} bytes");
}

#[test]
fn a_large_csv_no_chart_uses_adds_little_to_a_build() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let site = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    std::fs::copy(root.join("config.toml"), site.path().join("config.toml")).unwrap();
    for dir in ["content", "data", "themes", "static"] {
        if root.join(dir).is_dir() {
            common::copy_dir(&root.join(dir), &site.path().join(dir));
        }
    }
    let check = |root: &Path| {
        let options = innsyn::pipeline::Options::new(root, innsyn::pipeline::Mode::Check);
        let (summary, peak, _) = measure(|| innsyn::pipeline::build(&options).unwrap());
        (summary.data_files, peak)
    };
    let (files, without) = check(site.path());
    let bytes = big_csv(8 << 20);
    std::fs::write(site.path().join("data/stor.csv"), &bytes).unwrap();
    let (files_with, with) = check(site.path());
    assert_eq!(files_with, files + 1);
    let cost = with.saturating_sub(without);
    assert!(
        cost <= 5 * bytes.len(),
        "a build with a {} byte CSV peaked {cost} bytes higher than without it",
        bytes.len()
    );
}
