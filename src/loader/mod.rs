//! Loading a guest program: the ELF image ([`elf`]) and the initial stack ([`stack`]).
//!
//! Invariants: on success every PT_LOAD segment (of the program and of its dynamic linker) is
//! mapped at its guest address (== host address) with its final permissions and its bss
//! zeroed; on error nothing is left mapped that the caller needs to know about and the error
//! names the file (both files when the dynamic linker is the problem).

pub mod elf;
pub mod stack;
pub mod symbols;

pub use elf::{load_elf, load_elf_from_file, load_program, load_program_from_file, Image, Mapping};
pub use stack::{setup_stack, Stack, StackSpec};
pub use symbols::Symbols;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: No such file or directory")]
    NotFound { path: PathBuf },
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{path}: not an ELF file")]
    NotElf { path: PathBuf },
    #[error("{path}: not a 64-bit ELF file")]
    WrongClass { path: PathBuf },
    #[error("{path}: not a little-endian ELF file")]
    WrongEndian { path: PathBuf },
    #[error("{path}: not an aarch64 program (ELF machine {machine}: {name})")]
    WrongMachine { path: PathBuf, machine: u16, name: &'static str },
    #[error("{path}: not an executable (ELF type {etype})")]
    WrongType { path: PathBuf, etype: u16 },
    #[error("{path}: truncated ELF file ({what})")]
    Truncated { path: PathBuf, what: String },
    #[error("{path}: invalid ELF file: {why}")]
    Invalid { path: PathBuf, why: String },
    /// The program's dynamic linker does not exist (execve's ENOENT; a shell reports the
    /// program as "No such file or directory", status 127).
    #[error("{path}: cannot find its interpreter {interp} (looked for {looked_in}): No such file or directory", interp = interp.display())]
    InterpNotFound { path: PathBuf, interp: PathBuf, looked_in: String },
    /// The program's dynamic linker exists but cannot be loaded.
    #[error("{path}: bad interpreter: {source}")]
    Interp { path: PathBuf, source: Box<LoadError> },
    #[error("{path}: cannot map segment at 0x{addr:x}: {err}")]
    Map { path: PathBuf, addr: u64, err: std::io::Error },
    #[error("cannot set up the guest stack: {0}")]
    Stack(std::io::Error),
}

impl LoadError {
    /// 127 when the file does not exist, 126 when it cannot be executed (shell convention).
    pub fn exit_status(&self) -> i32 {
        match self {
            LoadError::NotFound { .. } | LoadError::InterpNotFound { .. } => 127,
            LoadError::Interp { source, .. } => source.exit_status(),
            _ => 126,
        }
    }
}
