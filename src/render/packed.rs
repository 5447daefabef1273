//! Each page's body HTML, packed with LZ4, from the moment its Markdown is
//! rendered until its page goes through the templates. A large site's bodies
//! are a quarter of a gigabyte even packed, so a build that forgets what it no
//! longer needs writes them, batch by batch, to a file of its own: a temporary
//! file beside the site (or in the system's temporary folder) that has no name
//! on Linux, is unlinked as soon as it is made on other Unix systems, and on
//! Windows is a `.tmp…` file the system deletes when it is closed; it goes when
//! the build ends, however it ends. Where no such file can be made or written,
//! the bodies stay in memory.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::path::Path;

/// The packed bodies of a site's pages, by page number.
#[derive(Default)]
pub struct Packed {
    /// Where bodies are written; `None` keeps them in memory.
    file: Option<File>,
    /// The file's length so far.
    end: u64,
    /// Whether bodies still go to the file (not after a write failed).
    writing: bool,
    spans: Vec<Span>,
}

enum Span {
    /// Not packed: the page's HTML is where it was rendered.
    None,
    /// This many bytes at this place in the file.
    InFile {
        at: u64,
        len: u32,
    },
    Held(Box<[u8]>),
}

impl Packed {
    /// Bodies written to a temporary file in `dir`, or in the system's
    /// temporary folder when that cannot be made, or else held in memory.
    pub fn spilled_in(dir: &Path) -> Packed {
        // Elsewhere than on Unix and Windows the first write fails: held, then.
        let file = tempfile::tempfile_in(dir).or_else(|_| tempfile::tempfile()).ok();
        Packed { writing: file.is_some(), file, ..Packed::default() }
    }

    /// Whether page `i` has a packed body.
    #[cfg(test)]
    fn has(&self, i: usize) -> bool {
        matches!(self.spans.get(i), Some(Span::InFile { .. } | Span::Held(_)))
    }

    /// Adds the next pages' bodies (an empty one: not packed). A batch that
    /// cannot be written is held instead, and so is every later one; a body too
    /// large for a span (4 GiB) is held on its own.
    pub fn extend(&mut self, batch: Vec<Vec<u8>>) {
        let Some(file) = self.file.as_ref().filter(|_| self.writing) else {
            self.spans.extend(batch.into_iter().map(held));
            return;
        };
        let fits = |b: &Vec<u8>| u32::try_from(b.len()).is_ok();
        let mut bytes = Vec::with_capacity(batch.iter().map(Vec::len).sum());
        for b in batch.iter().filter(|b| fits(b)) {
            bytes.extend_from_slice(b);
        }
        if write_all_at(file, &bytes, self.end).is_err() {
            // Bodies already written are still read from the file.
            self.writing = false;
            self.spans.extend(batch.into_iter().map(held));
            return;
        }
        for b in batch {
            self.spans.push(match b.len() {
                0 => Span::None,
                len if fits(&b) => {
                    let span = Span::InFile { at: self.end, len: len as u32 };
                    self.end += len as u64;
                    span
                }
                _ => held(b),
            });
        }
    }

    /// Page `i`'s packed body, `None` when it was not packed.
    pub fn get(&self, i: usize) -> io::Result<Option<Cow<'_, [u8]>>> {
        match self.spans.get(i) {
            None | Some(Span::None) => Ok(None),
            Some(Span::Held(b)) => Ok(Some(Cow::Borrowed(b))),
            Some(&Span::InFile { at, len }) => {
                let file = self.file.as_ref().ok_or_else(|| io::Error::other("the file of bodies is gone"))?;
                let mut buf = vec![0; len as usize];
                read_exact_at(file, &mut buf, at)?;
                Ok(Some(Cow::Owned(buf)))
            }
        }
    }
}

fn held(body: Vec<u8>) -> Span {
    if body.is_empty() {
        Span::None
    } else {
        Span::Held(body.into())
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut bytes: &[u8], mut at: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        match file.seek_write(bytes, at)? {
            0 => return Err(io::ErrorKind::WriteZero.into()),
            n => (bytes, at) = (&bytes[n..], at + n as u64),
        }
    }
    Ok(())
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut at: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, at)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => (buf, at) = (&mut std::mem::take(&mut buf)[n..], at + n as u64),
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn write_all_at(_: &File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(not(any(unix, windows)))]
fn read_exact_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches() -> Vec<Vec<Vec<u8>>> {
        vec![vec![b"first".to_vec(), Vec::new(), vec![7; 70_000]], vec![], vec![b"x".to_vec()]]
    }

    fn read_all(p: &Packed, n: usize) -> Vec<Option<Vec<u8>>> {
        (0..n).map(|i| p.get(i).unwrap().map(|b| b.into_owned())).collect()
    }

    #[test]
    fn bodies_read_back_from_the_file_are_the_ones_given() {
        let dir = tempfile::tempdir().unwrap();
        let mut spilled = Packed::spilled_in(dir.path());
        assert!(spilled.file.is_some());
        let mut held = Packed::default();
        for b in batches() {
            spilled.extend(b.clone());
            held.extend(b);
        }
        assert!(spilled.spans.iter().all(|s| !matches!(s, Span::Held(_))), "everything went to the file");
        let expected = vec![Some(b"first".to_vec()), None, Some(vec![7; 70_000]), Some(b"x".to_vec()), None];
        assert_eq!(read_all(&spilled, 5), expected);
        assert_eq!(read_all(&held, 5), expected);
        assert!(spilled.has(0) && !spilled.has(1) && spilled.has(3) && !spilled.has(4));
        // Nothing is left in the folder, not even while the file is open (on
        // Windows, a `.tmp…` file until it is closed).
        #[cfg(not(windows))]
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "an unnamed file");
        drop(spilled);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "gone when closed");
    }

    #[test]
    fn bodies_that_cannot_be_written_are_held_and_the_written_ones_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bodies");
        let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&path).unwrap();
        let mut p = Packed { file: Some(file), writing: true, ..Packed::default() };
        p.extend(vec![b"written".to_vec(), Vec::new()]);
        // The same file, now refusing writes (as a full disk would).
        p.file = Some(File::open(&path).unwrap());
        p.extend(vec![b"held".to_vec()]);
        assert!(!p.writing);
        p.extend(vec![b"later".to_vec()]);
        let expected = vec![Some(b"written".to_vec()), None, Some(b"held".to_vec()), Some(b"later".to_vec())];
        assert_eq!(read_all(&p, 4), expected);
        assert_eq!(std::fs::read(&path).unwrap(), b"written", "only the first batch went to the file");
    }

    #[test]
    fn a_body_whose_file_is_gone_is_an_error_not_an_empty_page() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Packed::spilled_in(dir.path());
        p.extend(vec![b"body".to_vec()]);
        p.file = None;
        assert!(p.get(0).is_err());
    }
}
