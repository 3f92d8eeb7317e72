//! The syscall table: one row per aarch64 (asm-generic) syscall number, with its name,
//! handler and argument formats for `-strace`. Handlers live one file per family.
//!
//! A handler returns the raw result: a value >= 0, or `-errno` (guest errno == host errno on
//! Linux for both architectures). Unknown numbers return -ENOSYS (logged once with `-d unimp`).
//!
//! Invariants: guest addresses are host addresses, so a pointer argument that only the host
//! kernel dereferences is passed through unchanged (the kernel reports EFAULT). Memory that the
//! emulator itself reads or writes on the guest's behalf (paths for -strace, converted structs)
//! goes through [`read_guest`] / [`write_guest`] ([`crate::mem::probe_read`] /
//! [`crate::mem::probe_write`]), so a bad guest pointer gives -EFAULT, never a host fault.
//! Handlers run on the guest thread that made the call; per-thread kernel state that the
//! emulator must keep for the guest (clear_child_tid, robust list, sigaltstack) is
//! thread-local in the family that owns it.

pub mod aio;
pub mod exec;
pub mod fd;
pub mod fs;
pub mod ipc;
pub mod mem;
pub mod net;
pub mod nr;
pub mod ownfd;
pub mod proc;
pub mod signal;
pub mod strace;
pub mod sys;
pub mod thread;
pub mod time;

use super::Thread;
use crate::cpu::CpuState;
use std::sync::OnceLock;

pub type Handler = fn(&mut Thread, &mut CpuState, [u64; 6]) -> i64;

/// How `-strace` prints an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// Signed 64-bit decimal.
    Int,
    /// `int` argument: low 32 bits, signed decimal.
    I32,
    Hex,
    Fd,
    /// A directory fd for the *at calls: `AT_FDCWD` or a decimal fd.
    Dirfd,
    /// Pointer: `NULL` or 0x%016x.
    Ptr,
    /// NUL-terminated guest string.
    Str,
    /// Buffer address (printed as hex; contents are not printed).
    Buf,
    Oct,
    /// open(2) flags, guest values, printed symbolically.
    OFlags,
    /// mmap/mprotect protection, printed symbolically.
    Prot,
    /// mmap flags, printed symbolically.
    MapFlags,
    /// A signal number, printed as its name.
    Signal,
}

/// How `-strace` prints the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Int,
    /// An address (brk, mmap): 0x%016x.
    Ptr,
    /// The call does not return (exit, exit_group): nothing after the arguments.
    NoReturn,
}

pub struct Syscall {
    pub nr: u32,
    pub name: &'static str,
    pub handler: Handler,
    pub args: &'static [Arg],
    pub ret: Ret,
}

/// A table row with an integer result.
pub const fn row(nr: u32, name: &'static str, handler: Handler, args: &'static [Arg]) -> Syscall {
    Syscall { nr, name, handler, args, ret: Ret::Int }
}

/// All implemented syscalls: the union of the families' rows.
fn all() -> impl Iterator<Item = &'static Syscall> {
    [
        proc::SYSCALLS,
        thread::SYSCALLS,
        aio::SYSCALLS,
        exec::SYSCALLS,
        fd::SYSCALLS,
        fs::SYSCALLS,
        ipc::SYSCALLS,
        mem::SYSCALLS,
        net::SYSCALLS,
        signal::SYSCALLS,
        sys::SYSCALLS,
        time::SYSCALLS,
    ]
    .into_iter()
    .flatten()
}

fn table() -> &'static [Option<&'static Syscall>] {
    static T: OnceLock<Vec<Option<&'static Syscall>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<Option<&'static Syscall>> = vec![None; 512];
        for s in all() {
            assert!(v[s.nr as usize].is_none(), "syscall {} defined twice", s.name);
            v[s.nr as usize] = Some(s);
        }
        v
    })
}

/// The row for syscall number `n`, if implemented.
pub fn lookup(n: u64) -> Option<&'static Syscall> {
    table().get(usize::try_from(n).ok()?).copied().flatten()
}

/// Handle the SVC that just exited: x8 = number, x0..x5 = arguments, result in x0.
pub fn dispatch(p: &mut Thread, cpu: &mut CpuState) {
    let n = cpu.x[8];
    let args = [cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]];
    let def = lookup(n);
    if p.cfg.log.strace {
        if let Some(s) = def.filter(|s| s.ret == Ret::NoReturn) {
            // Printed before the call: it does not come back.
            let line = strace::call(s.name, s.args, &args);
            p.log_line(&format!("{} {line}", std::process::id()));
        }
    }
    let ret = match def {
        Some(s) => ownfd::call(p, cpu, s, args),
        None => {
            if (p.cfg.log.unimp || p.cfg.log.strace) && p.first_report(n | 1 << 63) {
                let name = u32::try_from(n).ok().and_then(nr::name).unwrap_or("?");
                p.log_line(&format!("qemu-aarch64-lite: unimplemented syscall {n} ({name})"));
            }
            -(libc::ENOSYS as i64)
        }
    };
    if p.cfg.log.strace {
        let line = match def {
            Some(s) if s.ret == Ret::NoReturn => None,
            Some(s) => Some(format!("{} = {}", strace::call(s.name, s.args, &args), strace::result(s.ret, ret))),
            None => {
                let name = u32::try_from(n).ok().and_then(nr::name);
                Some(match name {
                    Some(name) => {
                        format!("{} = {}", strace::call(name, &[Arg::Hex; 6], &args), strace::result(Ret::Int, ret))
                    }
                    None => format!("Unknown syscall {n}"),
                })
            }
        };
        if let Some(l) = line {
            p.log_line(&format!("{} {l}", std::process::id()));
        }
    }
    cpu.x[0] = ret as u64;
}

/// Convert a raw host syscall result (`-1` + errno convention) to the table convention.
pub fn host_result(r: i64) -> i64 {
    if r == -1 {
        -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO) as i64)
    } else {
        r
    }
}

/// Make host syscall `nr` with all six guest arguments (the kernel ignores the ones the call
/// does not take, and truncates `int` arguments itself, exactly as arm64 does).
pub fn host6(nr: libc::c_long, a: [u64; 6]) -> i64 {
    // SAFETY: the caller chose a syscall whose pointer arguments are guest pointers with the
    // same layout on both architectures; guest addr == host addr, and the kernel validates
    // every pointer (EFAULT). Calls that could corrupt the emulator are not passed this way.
    host_result(unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) })
}

/// The result of [`safe6`] when a signal arrived before the syscall could start: nothing was
/// done; the run loop delivers the signal and executes the SVC again (the kernel's internal
/// ERESTARTSYS, which no syscall returns to user space).
pub const NOT_STARTED: i64 = -512;

/// [`host6`] for a syscall that may block: it does not start when a signal for this thread
/// arrived since the run loop last delivered (`signal::clear_arrived`), and a signal that
/// arrives between that test and the `syscall` instruction makes it return [`NOT_STARTED`]
/// too (`signal::on_signal` moves the thread to that return, [`safe_syscall_rewind`]). A
/// signal during the syscall interrupts it as before (-EINTR, then `signal::maybe_restart`).
pub fn safe6(nr: libc::c_long, a: [u64; 6]) -> i64 {
    let args = SafeArgs { flag: crate::linux::signal::arrived_flag(), nr: nr as u64, a };
    // SAFETY: `lite_safe_syscall` reads `args` and makes the syscall as `host6` does (same
    // contract for the arguments); it clobbers only what the C ABI lets a callee clobber.
    // (the raw `syscall` instruction returns -errno itself, the table's convention)
    unsafe { lite_safe_syscall(&args) }
}

/// Arguments of `lite_safe_syscall` (offsets used by its assembly).
#[repr(C)]
struct SafeArgs {
    flag: *const std::sync::atomic::AtomicU32,
    nr: u64,
    a: [u64; 6],
}

extern "C" {
    fn lite_safe_syscall(args: *const SafeArgs) -> i64;
    static lite_safe_syscall_start: u8;
    static lite_safe_syscall_end: u8;
    static lite_safe_syscall_not_started: u8;
}

// The window [start, end) holds the flag test and the `syscall` instruction (2 bytes, ending
// at `end`): a signal handler that finds the thread's pc inside it moves it to
// `not_started`. A pc equal to `end` means the syscall ran (and returned or was interrupted).
std::arch::global_asm!(
    ".text",
    ".globl lite_safe_syscall",
    ".globl lite_safe_syscall_start",
    ".globl lite_safe_syscall_end",
    ".globl lite_safe_syscall_not_started",
    ".p2align 4",
    "lite_safe_syscall:",
    "mov r11, rdi",
    "mov rax, [r11 + 8]",
    "mov rdi, [r11 + 16]",
    "mov rsi, [r11 + 24]",
    "mov rdx, [r11 + 32]",
    "mov r10, [r11 + 40]",
    "mov r8, [r11 + 48]",
    "mov r9, [r11 + 56]",
    "mov r11, [r11]",
    "lite_safe_syscall_start:",
    "cmp dword ptr [r11], 0",
    "jne lite_safe_syscall_not_started",
    "syscall",
    "lite_safe_syscall_end:",
    "ret",
    "lite_safe_syscall_not_started:",
    "mov rax, -512",
    "ret",
);

/// Where a signal handler should resume a thread interrupted at `pc`: inside [`safe6`]'s
/// window, its "not started" return; elsewhere `None`. Async-signal-safe.
pub fn safe_syscall_rewind(pc: usize) -> Option<usize> {
    // SAFETY: addresses of labels in our own text, never read.
    let (start, end, not_started) = unsafe {
        (
            &lite_safe_syscall_start as *const u8 as usize,
            &lite_safe_syscall_end as *const u8 as usize,
            &lite_safe_syscall_not_started as *const u8 as usize,
        )
    };
    (start..end).contains(&pc).then_some(not_started)
}

/// Define handlers that pass the guest call to the same host syscall unchanged (through
/// [`host6`]; with `@via safe6;` first, through [`safe6`]).
macro_rules! pass {
    ($($fname:ident => $host:ident;)+) => {
        $crate::linux::syscall::pass!(@via host6; $($fname => $host;)+);
    };
    (@via $call:ident; $($fname:ident => $host:ident;)+) => {
        $(
            fn $fname(_p: &mut $crate::linux::Thread, _c: &mut $crate::cpu::CpuState, a: [u64; 6]) -> i64 {
                $crate::linux::syscall::$call(libc::$host, a)
            }
        )+
    };
}
pub(crate) use pass;

/// [`pass!`] for syscalls that may block: through [`safe6`].
macro_rules! pass_safe {
    ($($t:tt)+) => {
        $crate::linux::syscall::pass!(@via safe6; $($t)+);
    };
}
pub(crate) use pass_safe;

pub const EFAULT: i64 = -(libc::EFAULT as i64);
pub const EINVAL: i64 = -(libc::EINVAL as i64);

/// Copy `N` bytes of guest memory, or -EFAULT.
pub fn read_guest<const N: usize>(addr: u64) -> Result<[u8; N], i64> {
    let mut b = [0u8; N];
    if crate::mem::probe_read(addr, &mut b) {
        Ok(b)
    } else {
        Err(EFAULT)
    }
}

/// Copy `len` bytes of guest memory into a vector, or -EFAULT.
pub fn read_guest_vec(addr: u64, len: usize) -> Result<Vec<u8>, i64> {
    let mut b = vec![0u8; len];
    if len == 0 || crate::mem::probe_read(addr, &mut b) {
        Ok(b)
    } else {
        Err(EFAULT)
    }
}

/// Write `data` to guest memory, or -EFAULT.
pub fn write_guest(addr: u64, data: &[u8]) -> Result<(), i64> {
    if data.is_empty() || crate::mem::probe_write(addr, data) {
        Ok(())
    } else {
        Err(EFAULT)
    }
}

/// Read a NUL-terminated guest string of at most `max` bytes (without the NUL). Returns
/// `Ok((bytes, complete))`: `complete` is false when no NUL was found within `max` bytes.
/// -EFAULT when the first byte is unreadable.
pub fn read_cstr(addr: u64, max: usize) -> Result<(Vec<u8>, bool), i64> {
    let mut out = Vec::new();
    let mut a = addr;
    while out.len() < max {
        // Read up to the end of the page, so that a string ending before an unmapped page works.
        let chunk = ((crate::mem::PAGE_SIZE - (a % crate::mem::PAGE_SIZE)) as usize).min(max - out.len());
        let mut b = vec![0u8; chunk];
        if !crate::mem::probe_read(a, &mut b) {
            return if out.is_empty() && a == addr { Err(EFAULT) } else { Ok((out, false)) };
        }
        if let Some(i) = b.iter().position(|&c| c == 0) {
            out.extend_from_slice(&b[..i]);
            return Ok((out, true));
        }
        out.extend_from_slice(&b);
        a = a.wrapping_add(chunk as u64);
    }
    Ok((out, false))
}

/// A guest thread for handler unit tests (no guest program loaded).
#[cfg(test)]
pub(crate) fn test_process() -> Thread {
    use std::sync::Mutex;
    let proc = super::Process {
        cfg: crate::config::Config::default(),
        jit: crate::jit::Jit::with_cache_size(1 << 20).expect("jit"),
        brk: Mutex::new(crate::mem::Brk::new(0)),
        exe_path: std::path::PathBuf::from("/opt/guest/prog"),
        auxv: Vec::new(),
        stack_range: (0, 0),
        stat_addrs: Default::default(),
        sigactions: Mutex::new([super::SigAction::default(); super::NSIG + 1]),
        unimp_seen: Mutex::new(std::collections::HashSet::new()),
        live_threads: std::sync::atomic::AtomicUsize::new(1),
        sigreturn_trampoline: 0,
        log: Mutex::new(None),
        self_exe: exec::SelfExe::none(),
    };
    Thread::new(std::sync::Arc::new(proc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe6_runs_the_call_unless_a_signal_arrived() {
        // SAFETY: getpid has no preconditions.
        let pid = unsafe { libc::getpid() } as i64;
        crate::linux::signal::clear_arrived();
        assert_eq!(safe6(libc::SYS_getpid, [0; 6]), pid);
        // errors come back as -errno, as from host6
        assert_eq!(safe6(libc::SYS_close, [u64::MAX >> 33, 0, 0, 0, 0, 0]), -(libc::EBADF as i64));
        crate::linux::signal::mark_arrived();
        assert_eq!(safe6(libc::SYS_getpid, [0; 6]), NOT_STARTED);
        crate::linux::signal::clear_arrived();
        assert_eq!(safe6(libc::SYS_getpid, [0; 6]), pid);
    }

    #[test]
    fn rewind_only_inside_the_window() {
        // SAFETY: label addresses only.
        let (start, end) =
            unsafe { (&lite_safe_syscall_start as *const u8 as usize, &lite_safe_syscall_end as *const u8 as usize) };
        let not_started = safe_syscall_rewind(start).expect("window start");
        assert_eq!(safe_syscall_rewind(end - 2), Some(not_started), "at the syscall instruction");
        assert_eq!(safe_syscall_rewind(end), None, "after the syscall");
        assert_eq!(safe_syscall_rewind(start - 1), None);
        assert!(not_started > end);
    }

    #[test]
    fn table_builds_and_names_match_numbers() {
        for s in all() {
            assert_eq!(nr::name(s.nr), Some(s.name), "row {} has number {}", s.name, s.nr);
        }
        assert!(lookup(nr::OPENAT as u64).is_some());
        assert!(lookup(nr::KEXEC_LOAD as u64).is_none());
        assert!(lookup(u64::MAX).is_none());
    }

    #[test]
    fn dispatch_sets_x0_and_enosys() {
        let mut p = test_process();
        let mut cpu = CpuState::new();
        cpu.x[8] = nr::GETPID as u64;
        dispatch(&mut p, &mut cpu);
        assert_eq!(cpu.x[0], std::process::id() as u64);
        cpu.x[8] = nr::KEXEC_LOAD as u64;
        dispatch(&mut p, &mut cpu);
        assert_eq!(cpu.x[0] as i64, -(libc::ENOSYS as i64));
        cpu.x[8] = 5000;
        dispatch(&mut p, &mut cpu);
        assert_eq!(cpu.x[0] as i64, -(libc::ENOSYS as i64));
        assert!(p.exit.is_none());
    }

    #[test]
    fn cstr_reads_and_faults() {
        let s = b"hello\0world";
        let (v, done) = read_cstr(s.as_ptr() as u64, 100).unwrap();
        assert_eq!((v.as_slice(), done), (&b"hello"[..], true));
        let (v, done) = read_cstr(s.as_ptr() as u64, 3).unwrap();
        assert_eq!((v.as_slice(), done), (&b"hel"[..], false));
        assert_eq!(read_cstr(8, 10), Err(EFAULT));
    }
}
