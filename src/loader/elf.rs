//! ELF loading (goblin): validation and PT_LOAD mapping.

use super::LoadError;
use std::path::{Path, PathBuf};

/// A loaded guest image.
#[derive(Clone, Debug)]
pub struct Image {
    pub path: PathBuf,
    /// Entry point (load bias applied).
    pub entry: u64,
    /// Load bias (0 for ET_EXEC).
    pub load_bias: u64,
    /// Guest address of the program headers (for AT_PHDR).
    pub phdr_addr: u64,
    pub phent: u16,
    pub phnum: u16,
    /// Initial program break: end of the highest segment, page aligned up.
    pub brk_start: u64,
    /// Lowest and highest (exclusive) guest addresses of the mapped segments.
    pub lowest: u64,
    pub highest: u64,
}

pub fn load_elf(path: &Path) -> Result<Image, LoadError> {
    Err(LoadError::NotFound { path: path.to_path_buf() })
}
