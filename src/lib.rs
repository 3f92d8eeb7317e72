//! qemu-aarch64-lite: runs Linux aarch64 programs on x86_64 hosts through a JIT.
//!
//! Module map (see docs/architecture.md):
//! - [`arch`]: the A64 ISA as data (decoder table, fields, pseudocode). Depends on nothing.
//! - [`cpu`]: `CpuState`, the guest register file, with asserted offsets.
//! - [`jit`]: translation to x86_64 and the code cache. Depends on `arch`, `cpu`, `helpers`, `mem`.
//! - [`helpers`]: out-of-line instruction semantics called from translated code (FP, SIMD, ...).
//! - [`loader`]: ELF loading and the initial stack.
//! - [`linux`]: the run loop and everything OS: syscalls, signals, /proc.
//! - [`config`]: command line and QEMU_* environment, and how binfmt_misc started us.
//! - [`binfmt`]: the binfmt_misc entry (`--binfmt install|uninstall|status|print-conf`).
//!
//! Only this file wires modules together.

pub mod arch;
pub mod binfmt;
pub mod config;
pub mod cpu;
pub mod helpers;
pub mod jit;
pub mod linux;
pub mod loader;
pub mod mem;

use config::Command;
use std::ffi::OsString;

/// How the guest ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuestExit {
    Exited(i32),
    Signaled(i32),
}

/// Errors that stop the emulator before or outside the guest.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Cli(#[from] config::CliError),
    #[error(transparent)]
    Load(#[from] loader::LoadError),
    #[error(transparent)]
    Jit(#[from] jit::JitError),
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// Conventional exit status: 127 for a missing program, 126 for one that cannot be run,
    /// 1 for usage errors.
    pub fn exit_status(&self) -> i32 {
        match self {
            Error::Cli(_) => 1,
            Error::Load(e) => e.exit_status(),
            Error::Jit(_) | Error::Other(_) => 1,
        }
    }
}

/// Load and run a guest program to completion.
pub fn run(cfg: config::Config) -> Result<GuestExit, Error> {
    linux::start(cfg)
}

/// Everything `main` does, returning the process exit status. A guest killed by a signal kills
/// us with the same signal (never returns in that case).
pub fn main_with_args(args: Vec<OsString>) -> i32 {
    let env = config::host_env();
    let cmd = match config::parse_invocation(&args, &env, &config::Invocation::from_host()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("qemu-aarch64-lite: {e}");
            return 1;
        }
    };
    match cmd {
        Command::Help => {
            print!("{}", config::HELP);
            0
        }
        Command::CpuHelp => {
            print!("{}", config::CPU_HELP);
            0
        }
        Command::Version => {
            println!("qemu-aarch64-lite version {}", config::VERSION);
            0
        }
        Command::Binfmt(args) => match binfmt::run(&args) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("qemu-aarch64-lite: {e}");
                1
            }
        },
        Command::Run(cfg) => match run(*cfg) {
            Ok(GuestExit::Exited(code)) => code,
            Ok(GuestExit::Signaled(sig)) => linux::die_by_signal(sig),
            Err(e) => {
                eprintln!("qemu-aarch64-lite: {e}");
                e.exit_status()
            }
        },
    }
}
