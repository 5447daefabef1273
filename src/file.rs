//! The output file: what every phase that makes files hands on to the write phase.

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path inside the output folder, `/`-separated, no leading `/`.
    pub path: String,
    /// What the file holds.
    pub bytes: Vec<u8>,
}

impl OutputFile {
    /// A file at `path` holding `bytes`.
    pub fn new(path: String, bytes: Vec<u8>) -> Self {
        OutputFile { path, bytes }
    }
}
