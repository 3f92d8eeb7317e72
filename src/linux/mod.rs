//! Everything OS: the run loop that takes the JIT's exits and applies Linux policy.
//!
//! - [`syscall`]: the syscall table and one file per family of handlers.
//! - [`abi`]: guest (aarch64) ABI structs and flag tables where they differ from x86_64.
//!
//! Invariants: all OS policy (syscalls, signals, exit) is decided here, in `run_loop`, never in
//! translated code or helpers. One `Process` per emulator process; one `CpuState` per thread.

pub mod abi;
pub mod host_signal;
pub mod syscall;

use crate::config::Config;
use crate::cpu::CpuState;
use crate::jit::{Exit, Jit};
use crate::loader::{self, StackSpec};
use crate::mem::Brk;
use crate::{Error, GuestExit};
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

/// A guest signal action as recorded by rt_sigaction (delivery comes with the signals work).
#[derive(Clone, Copy, Debug, Default)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

pub const NSIG: usize = 64;

/// Per-process emulator state.
pub struct Process {
    pub cfg: Config,
    pub jit: Jit,
    pub brk: Brk,
    /// Absolute path of the guest executable (for /proc/self/exe and AT_EXECFN).
    pub exe_path: PathBuf,
    /// The guest's auxiliary vector (for /proc/self/auxv).
    pub auxv: Vec<(u64, u64)>,
    pub sigactions: [SigAction; NSIG + 1],
    pub sigmask: u64,
    /// Syscalls and instructions already reported as unimplemented (logged once).
    pub unimp_seen: HashSet<u64>,
    /// Set by exit/exit_group.
    pub exit: Option<GuestExit>,
    log: Option<std::fs::File>,
}

impl Process {
    /// Write one line to the log (stderr, or the `-D` file).
    pub fn log_line(&mut self, line: &str) {
        match &mut self.log {
            Some(f) => {
                let _ = writeln!(f, "{line}");
            }
            None => eprintln!("{line}"),
        }
    }
}

/// Load the program named by `cfg`, set up its stack, and run it to the end.
pub fn start(cfg: Config) -> Result<GuestExit, Error> {
    let image = loader::load_elf(&cfg.program)?;
    let exe_path = std::fs::canonicalize(&cfg.program).unwrap_or_else(|_| cfg.program.clone());
    let argv: Vec<Vec<u8>> = cfg.argv.iter().map(|a| crate::config::os_bytes(a)).collect();
    let envp: Vec<Vec<u8>> = cfg.envp.iter().map(|a| crate::config::os_bytes(a)).collect();
    let execfn = crate::config::os_bytes(cfg.program.as_os_str());
    let spec = StackSpec {
        argv: &argv,
        envp: &envp,
        execfn: &execfn,
        hwcap: crate::arch::features::HWCAP,
        hwcap2: crate::arch::features::HWCAP2,
        at_flags: 0,
        stack_size: cfg.stack_size,
        exec_fd: cfg.exec_fd,
    };
    let stack = loader::setup_stack(&image, &spec)?;
    let mut jit = Jit::new()?;
    jit.log.in_asm = cfg.log.in_asm;
    jit.log.out_asm = cfg.log.out_asm;
    let log = match &cfg.log_file {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| Error::Other(format!("{}: {e}", p.display())))?),
        None => None,
    };
    let mut process = Process {
        brk: Brk::new(image.brk_start),
        cfg,
        jit,
        exe_path,
        auxv: stack.auxv.clone(),
        sigactions: [SigAction::default(); NSIG + 1],
        sigmask: 0,
        unimp_seen: HashSet::new(),
        exit: None,
        log,
    };
    host_signal::install_fault_handlers();
    let mut cpu = CpuState::new();
    cpu.pc = image.entry;
    cpu.set_sp(stack.sp);
    Ok(run_loop(&mut process, &mut cpu))
}

/// Run the guest thread `cpu` until the process exits.
pub fn run_loop(p: &mut Process, cpu: &mut CpuState) -> GuestExit {
    loop {
        match p.jit.run(cpu) {
            Exit::Svc(_) => {
                syscall::dispatch(p, cpu);
                if let Some(e) = p.exit.take() {
                    return e;
                }
            }
            Exit::Undefined(word) => {
                let group = crate::arch::Group::of(word).map(|g| g.name()).unwrap_or("unallocated");
                p.log_line(&format!(
                    "qemu-aarch64-lite: unimplemented instruction 0x{word:08x} ({group}) at pc 0x{:x}",
                    cpu.pc
                ));
                return GuestExit::Signaled(libc::SIGILL);
            }
            Exit::Hlt(_) => return GuestExit::Signaled(libc::SIGILL),
            Exit::Brk(_) => return GuestExit::Signaled(libc::SIGTRAP),
            Exit::Fault { signo, .. } => return GuestExit::Signaled(signo),
            Exit::Interrupt => {
                cpu.interrupt.store(0, std::sync::atomic::Ordering::SeqCst);
            }
            Exit::Yield => std::thread::yield_now(),
        }
    }
}

/// End this process by signal `sig` without leaving a core dump, so that our parent's wait
/// status is what it would be natively. Falls back to exit status 128+sig.
pub fn die_by_signal(sig: i32) -> i32 {
    let _ = std::io::stdout().flush();
    // SAFETY: plain libc calls on our own process.
    unsafe {
        let rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        libc::setrlimit(libc::RLIMIT_CORE, &rl);
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
    }
    128 + sig
}
