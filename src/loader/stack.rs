//! The initial guest stack: argv, envp, auxv, laid out as the arm64 kernel does.

use super::{Image, LoadError};

pub struct StackSpec<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// AT_EXECFN string.
    pub execfn: &'a [u8],
    pub hwcap: u64,
    pub hwcap2: u64,
    /// AT_FLAGS value.
    pub at_flags: u64,
    pub stack_size: u64,
    /// AT_EXECFD, when started by binfmt_misc with the O flag.
    pub exec_fd: Option<i32>,
}

pub struct Stack {
    /// Initial sp (16-byte aligned, pointing at argc).
    pub sp: u64,
    /// The auxiliary vector as placed on the stack (without the AT_NULL terminator).
    pub auxv: Vec<(u64, u64)>,
    /// Lowest and highest (exclusive) addresses of the stack mapping.
    pub base: u64,
    pub top: u64,
}

pub fn setup_stack(_img: &Image, _spec: &StackSpec) -> Result<Stack, LoadError> {
    Err(LoadError::Stack(std::io::Error::from_raw_os_error(libc::ENOSYS)))
}
