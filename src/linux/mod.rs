//! Everything OS: the run loop that takes the JIT's exits and applies Linux policy.
//!
//! - [`syscall`]: the syscall table and one file per family of handlers.
//! - [`abi`]: guest (aarch64) ABI structs and flag tables where they differ from x86_64.
//!
//! Invariants: all OS policy (syscalls, signals, exit) is decided here, in `run_loop`, never in
//! translated code or helpers. One `Process` per emulator process; one `CpuState` per thread.

pub mod abi;
pub mod host_signal;
pub mod path;
pub mod procfs;
pub mod signal;
pub mod syscall;
pub mod thread;

use crate::config::Config;
use crate::cpu::CpuState;
use crate::jit::{Exit, Jit};
use crate::loader::{self, StackSpec};
use crate::mem::Brk;
use crate::{Error, GuestExit};
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};

/// A guest signal action as recorded by rt_sigaction (delivery comes with the signals work).
#[derive(Clone, Copy, Debug, Default)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

pub const NSIG: usize = 64;

/// Emulator state shared by all threads of the guest process.
pub struct Process {
    pub cfg: Config,
    pub jit: Jit,
    pub brk: Mutex<Brk>,
    /// Absolute path of the guest executable (for /proc/self/exe and AT_EXECFN).
    pub exe_path: PathBuf,
    /// The guest's auxiliary vector (for /proc/self/auxv).
    pub auxv: Vec<(u64, u64)>,
    /// [base, top) of the main thread's stack (labelled `[stack]` in /proc/self/maps).
    pub stack_range: (u64, u64),
    /// The address fields of /proc/self/stat as the kernel has them for the guest:
    /// start_code, end_code, start_stack, start_data, end_data, arg_start, arg_end,
    /// env_start, env_end (`procfs::stat_bytes`); the argument and environment strings are
    /// also what /proc/self/cmdline and /proc/self/environ read, from guest memory, as the
    /// kernel does.
    pub stat_addrs: procfs::StatAddrs,
    pub sigactions: Mutex<[SigAction; NSIG + 1]>,
    /// Syscalls and instructions already reported as unimplemented (logged once).
    pub unimp_seen: Mutex<HashSet<u64>>,
    /// Guest threads alive (the process ends when the last one exits).
    pub live_threads: AtomicUsize,
    /// Guest address of the rt_sigreturn trampoline (handlers return there without
    /// SA_RESTORER, as through the kernel's vDSO).
    pub sigreturn_trampoline: u64,
    pub(crate) log: Mutex<Option<std::fs::File>>,
    /// This emulator's own executable, opened at start-up (execve of aarch64 programs).
    pub self_exe: syscall::exec::SelfExe,
}

impl Process {
    /// Write one line to the log (stderr, or the `-D` file).
    pub fn log_line(&self, line: &str) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        match &mut *log {
            Some(f) => {
                let _ = writeln!(f, "{line}");
            }
            None => eprintln!("{line}"),
        }
    }

    /// Record `key` as reported; true the first time.
    pub fn first_report(&self, key: u64) -> bool {
        self.unimp_seen.lock().unwrap_or_else(|e| e.into_inner()).insert(key)
    }

    pub fn brk(&self) -> MutexGuard<'_, Brk> {
        self.brk.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn sigactions(&self) -> MutexGuard<'_, [SigAction; NSIG + 1]> {
        self.sigactions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One guest thread: its own state plus the shared process (reached through `Deref`).
pub struct Thread {
    pub proc: Arc<Process>,
    /// Host (== guest) thread id.
    pub tid: i32,
    /// Blocked signals (bit n-1 for signal n).
    pub sigmask: u64,
    /// Set by exit (this thread) or exit_group (the whole process).
    pub exit: Option<GuestExit>,
    /// True when `exit` came from exit_group.
    pub exit_group: bool,
}

impl std::ops::Deref for Thread {
    type Target = Process;
    fn deref(&self) -> &Process {
        &self.proc
    }
}

impl Thread {
    pub fn new(proc: Arc<Process>) -> Thread {
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::syscall(libc::SYS_gettid) } as i32;
        Thread { proc, tid, sigmask: 0, exit: None, exit_group: false }
    }
}

/// `-perfmap`: /tmp/perf-PID.map (created afresh), with the program's and its dynamic
/// linker's function symbols for names.
fn perf_map(image: &loader::Image) -> Result<crate::jit::PerfMap, Error> {
    let path = crate::jit::perf_map_path(std::process::id());
    let file = std::fs::File::create(&path).map_err(|e| Error::Other(format!("{path}: {e}")))?;
    let mut symbols = loader::Symbols::of_file(&image.path, image.load_bias);
    if let Some(interp) = &image.interp {
        symbols.extend(loader::Symbols::of_file(&interp.path, interp.load_bias));
    }
    Ok(crate::jit::PerfMap::new(file, Box::new(move |pc| symbols.describe(pc))))
}

/// Load the program named by `cfg`, set up its stack, and run it to the end.
pub fn start(mut cfg: Config) -> Result<GuestExit, Error> {
    cfg.ld_prefix = cfg.ld_prefix.as_deref().and_then(path::absolute_prefix);
    let prefix = cfg.ld_prefix.as_deref();
    let image = match cfg.exec_fd {
        // binfmt_misc O flag: the kernel opened the program for us (it may be execute-only).
        // The descriptor stays open: it is the guest's AT_EXECFD.
        Some(fd) => {
            use std::os::fd::FromRawFd;
            // SAFETY: the kernel gave us `fd` (AT_EXECFD); ManuallyDrop never closes it.
            let file = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
            loader::load_program_from_file(&file, &cfg.program, prefix)?
        }
        None => loader::load_program(&cfg.program, prefix)?,
    };
    let exe_path = std::fs::canonicalize(&cfg.program).unwrap_or_else(|_| cfg.program.clone());
    let argv: Vec<Vec<u8>> = cfg.argv.iter().map(|a| crate::config::os_bytes(a)).collect();
    let envp: Vec<Vec<u8>> = cfg.envp.iter().map(|a| crate::config::os_bytes(a)).collect();
    let execfn = crate::config::os_bytes(cfg.program.as_os_str());
    let mut spec = StackSpec {
        argv: &argv,
        envp: &envp,
        execfn: &execfn,
        hwcap: crate::arch::features::HWCAP,
        hwcap2: crate::arch::features::HWCAP2,
        at_flags: 0,
        stack_size: crate::config::stack_size(cfg.stack_size, syscall::sys::init_virtual_limits(&cfg.rlimits)),
        exec_fd: cfg.exec_fd,
    };
    let stack = match loader::setup_stack(&image, &spec) {
        // A stack sized by a large RLIMIT_STACK that the host will not commit (strict
        // overcommit): the default size, as without the limit.
        Err(loader::LoadError::Stack(e))
            if e.raw_os_error() == Some(libc::ENOMEM) && spec.stack_size > cfg.stack_size =>
        {
            spec.stack_size = cfg.stack_size;
            loader::setup_stack(&image, &spec)?
        }
        r => r?,
    };
    let mut jit = Jit::new()?;
    jit.log.in_asm = cfg.log.in_asm;
    jit.log.out_asm = cfg.log.out_asm;
    let log = match &cfg.log_file {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| Error::Other(format!("{}: {e}", p.display())))?),
        None => None,
    };
    // The JIT's `-d in_asm,out_asm` text goes to the same `-D` file (a dup of its descriptor).
    jit.log.sink = log.as_ref().and_then(|f| f.try_clone().ok()).map(|f| Arc::new(Mutex::new(f)) as _);
    if cfg.perfmap {
        jit.set_perfmap(Arc::new(perf_map(&image)?));
    }
    let (sigactions, sigmask) = signal::inherited_state();
    let sigreturn_trampoline =
        signal::map_trampoline().map_err(|e| Error::Other(format!("cannot map the signal trampoline: {e}")))?;
    let process = Arc::new(Process {
        brk: Mutex::new(Brk::new(image.brk_start)),
        cfg,
        jit,
        exe_path,
        auxv: stack.auxv.clone(),
        stack_range: (stack.base, stack.top),
        stat_addrs: procfs::StatAddrs::of(&image, &stack),
        sigactions: Mutex::new(sigactions),
        unimp_seen: Mutex::new(HashSet::new()),
        live_threads: AtomicUsize::new(1),
        sigreturn_trampoline,
        log: Mutex::new(log),
        self_exe: syscall::exec::SelfExe::open(),
    });
    set_comm(&process.cfg.program);
    set_cmdline(&process.cfg.argv);
    host_signal::install_fault_handlers();
    let mut cpu = CpuState::new();
    cpu.pc = image.start_pc();
    cpu.set_sp(stack.sp);
    let mut thread = Thread::new(process);
    thread.sigmask = sigmask;
    let e = run_loop(&mut thread, &mut cpu);
    let e = thread::main_thread_exit(&mut thread, e);
    // The process ends now: nothing of it needs dropping (no buffered output), and dropping
    // the JIT's block map (one allocation per translated block) took 1% of a short Python
    // run; the kernel reclaims it all at once.
    std::mem::forget(thread);
    Ok(e)
}

/// Name this (host) thread after the guest program, as execve does (fs/exec.c
/// `__set_task_comm(kbasename(filename))`, truncated to TASK_COMM_LEN - 1 bytes): what
/// /proc/self/comm, the Name of /proc/self/status, the second field of /proc/self/stat and
/// `ps` show. Threads created later inherit it. Best effort: a failure changes nothing else.
fn set_comm(program: &std::path::Path) {
    let name = crate::config::os_bytes(program.as_os_str());
    let base = name.rsplit(|&b| b == b'/').next().unwrap_or(&name);
    let mut comm = [0u8; 16];
    let n = base.len().min(15);
    comm[..n].copy_from_slice(&base[..n]);
    // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16 bytes from `comm`.
    unsafe { libc::prctl(libc::PR_SET_NAME, comm.as_ptr() as libc::c_ulong, 0, 0, 0) };
}

/// Where the kernel put this process's own argument strings (`arg_start..arg_end` of its
/// mm, what /proc/PID/cmdline reads), as (start, length); unset when unknown.
static HOST_ARGS: std::sync::OnceLock<(usize, usize)> = std::sync::OnceLock::new();

/// Record the emulator's argument strings for [`set_cmdline`]: called by the C entry point
/// with the `argc`/`argv` the kernel passed, before anything changes them. Nothing is recorded
/// unless the strings lie back to back from `argv[0]`, as execve lays them out.
///
/// # Safety
/// `argv` must point to `argc` pointers to NUL-terminated strings (C `main`'s arguments).
pub unsafe fn record_host_args(argc: i32, argv: *const *const std::os::raw::c_char) {
    if argc <= 0 || argv.is_null() {
        return;
    }
    // SAFETY: as the caller guarantees.
    let args = unsafe { std::slice::from_raw_parts(argv, argc as usize) };
    let start = args[0] as usize;
    let mut end = start;
    for &a in args {
        if a as usize != end {
            return;
        }
        // SAFETY: a NUL-terminated string from execve.
        end += unsafe { std::ffi::CStr::from_ptr(a) }.to_bytes_with_nul().len();
    }
    let _ = HOST_ARGS.set((start, end - start));
}

/// Make this process's command line (/proc/PID/cmdline: what `ps`, `pidof`, `pgrep -f`,
/// `pkill -f` and a guest reading another process's cmdline see) the guest's argv instead of
/// the emulator's, by writing the guest's strings over the emulator's own (`record_host_args`),
/// as setproctitle does. The emulator's area always has room: it holds the guest's arguments
/// plus at least the emulator's name and the program's path. The rest is zeroed: cmdline is
/// the guest's strings followed by NULs, which `ps`, `pidof` and `pgrep` ignore (moving the
/// area's end, PR_SET_MM_ARG_END, needs CAP_SYS_RESOURCE, which containers do not grant).
/// Best effort: without a recorded area nothing changes.
fn set_cmdline(argv: &[std::ffi::OsString]) {
    let Some(&(start, len)) = HOST_ARGS.get() else { return };
    let mut text = Vec::with_capacity(len);
    for a in argv {
        text.extend_from_slice(&crate::config::os_bytes(a));
        text.push(0);
    }
    // (an empty argv leaves the area all NULs, zeroed below)
    text.truncate(len);
    if let Some(last) = text.last_mut() {
        *last = 0;
    }
    // SAFETY: [start, start + len) is this process's argument area (recorded at entry,
    // writable stack memory the guest does not map), and nothing reads the emulator's
    // arguments from it any more (they were copied at entry).
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), start as *mut u8, text.len());
        std::ptr::write_bytes((start + text.len()) as *mut u8, 0, len - text.len());
    }
}

/// Run the guest thread `cpu` until it exits (exit) or the process does (exit_group, a fatal
/// signal). Returns how it ended.
pub fn run_loop(p: &mut Thread, cpu: &mut CpuState) -> GuestExit {
    signal::attach_thread(cpu);
    let e = run_guest(p, cpu);
    signal::detach_thread();
    e
}

fn run_guest(p: &mut Thread, cpu: &mut CpuState) -> GuestExit {
    loop {
        // (cleared first: a signal recorded from here on stops a blocking syscall from
        // starting, `syscall::safe6`; one left pending after this delivery too)
        signal::clear_arrived();
        signal::deliver_pending(p, cpu);
        if signal::pending_bits() & !p.sigmask != 0 {
            signal::mark_arrived();
        }
        match p.jit.run(cpu) {
            Exit::Svc(_) => {
                let (nr, orig_x0) = (cpu.x[8], cpu.x[0]);
                syscall::dispatch(p, cpu);
                if let Some(e) = p.exit.take() {
                    return e;
                }
                if cpu.x[0] as i64 == syscall::NOT_STARTED {
                    // A signal came first: deliver it, then execute the SVC again.
                    cpu.x[0] = orig_x0;
                    cpu.pc -= 4;
                    continue;
                }
                signal::maybe_restart(p, cpu, nr, orig_x0);
            }
            Exit::Undefined(word) => {
                let handled = p.sigactions()[libc::SIGILL as usize].handler > signal::SIG_IGN;
                if !handled || p.cfg.log.unimp {
                    let group = crate::arch::Group::of(word).map(|g| g.name()).unwrap_or("unallocated");
                    p.log_line(&format!(
                        "qemu-aarch64-lite: unimplemented instruction 0x{word:08x} ({group}) at pc 0x{:x}",
                        cpu.pc
                    ));
                }
                let pc = cpu.pc;
                signal::deliver_sync(p, cpu, libc::SIGILL, ILL_ILLOPC, pc);
            }
            Exit::Hlt(_) => {
                let pc = cpu.pc;
                signal::deliver_sync(p, cpu, libc::SIGILL, ILL_ILLOPC, pc);
            }
            Exit::Brk(_) => {
                let pc = cpu.pc;
                signal::deliver_sync(p, cpu, libc::SIGTRAP, TRAP_BRKPT, pc);
            }
            Exit::Fault { signo, code, addr } => signal::deliver_sync(p, cpu, signo, code, addr),
            Exit::Interrupt => {
                cpu.interrupt.store(0, std::sync::atomic::Ordering::SeqCst);
            }
            Exit::Yield => std::thread::yield_now(),
        }
    }
}

/// si_code values (asm-generic/siginfo.h).
const ILL_ILLOPC: i32 = 1;
const TRAP_BRKPT: i32 = 1;

/// End this process by guest signal `sig` without leaving a core dump, so that our parent's
/// wait status is what it would be natively (the host signal carrying it: an emulated parent
/// maps it back, `signal::map`). Falls back to exit status 128+sig.
pub fn die_by_signal(sig: i32) -> i32 {
    let _ = std::io::stdout().flush();
    let Some(host) = signal::map::to_host(sig) else {
        return 128 + sig;
    };
    // SAFETY: plain libc calls on our own process.
    unsafe {
        let rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        libc::setrlimit(libc::RLIMIT_CORE, &rl);
        libc::signal(host, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, host);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(host);
    }
    128 + sig
}
