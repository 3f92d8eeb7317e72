//! Guest signals: the host side records, the run loop delivers.
//!
//! - Dispositions: a guest SIG_DFL or SIG_IGN becomes the same host disposition, so the host
//!   kernel applies default actions (terminate, core, stop, ignore) and ignored signals survive
//!   execve exactly as natively. A guest handler becomes the host handler [`on_signal`], which
//!   only records the signal in the receiving thread's pending set and asks that thread's
//!   translated code to stop (`CpuState::interrupt`). It is installed without SA_RESTART, so a
//!   blocking host syscall returns EINTR and the run loop decides about restarting.
//! - Masks: each guest thread's mask is also its host mask (minus the signals the emulator
//!   needs: SIGSEGV/SIGBUS for faults), so the host kernel picks the receiving thread and keeps
//!   blocked signals pending; sigsuspend, ppoll, pselect, signalfd and sigtimedwait work natively.
//! - Delivery ([`deliver_pending`], [`deliver_sync`]) happens only in the run loop, never in a
//!   host handler: it builds the arm64 `rt_sigframe` ([`frame`]) and enters the guest handler.
//!
//! Numbers: guest signals 32..=62 travel as host 34..=64 (the host C library owns host 32
//! and 33); everything here is in guest numbers and converted at the host calls ([`map`]).
//!
//! Blocking syscalls and signals: a signal that arrives after the run loop's pending check but
//! before a blocking host syscall starts must not leave the syscall waiting (a SIGCHLD whose
//! handler writes to the pipe the program then polls: Python's asyncio). Such syscalls go
//! through `syscall::safe6`, qemu's safe_syscall: it tests this thread's [`ARRIVED`] flag right
//! before the `syscall` instruction, and [`on_signal`] moves a thread interrupted between
//! that test and the instruction to the "not started" return (-ERESTARTSYS, 512). The run
//! loop then delivers the signal and executes the SVC again, as the kernel delivers a signal
//! before a syscall starts.

pub mod frame;
pub mod map;

use crate::cpu::CpuState;
use crate::linux::abi::GuestStackT;
use crate::linux::{SigAction, Thread, NSIG};
use std::cell::{Cell, UnsafeCell};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;
const SA_SIGINFO: u64 = libc::SA_SIGINFO as u64;
const SA_ONSTACK: u64 = libc::SA_ONSTACK as u64;
const SA_RESTART: u64 = libc::SA_RESTART as u64;
const SA_NODEFER: u64 = libc::SA_NODEFER as u64;
const SA_RESETHAND: u64 = libc::SA_RESETHAND as u64;
const SA_RESTORER: u64 = 0x0400_0000;
/// Signals that can be neither caught nor blocked.
pub const UNBLOCKABLE: u64 = bit(libc::SIGKILL) | bit(libc::SIGSTOP);
/// Signals the emulator never blocks on the host (it needs them for guest faults).
const HOST_NEVER_BLOCKED: u64 = bit(libc::SIGSEGV) | bit(libc::SIGBUS);

pub const fn bit(sig: i32) -> u64 {
    1u64 << (sig - 1)
}

/// Per-thread record of signals caught by the host handler and not yet delivered.
struct Pending {
    bits: AtomicU64,
    info: UnsafeCell<[[u8; 128]; NSIG]>,
}

thread_local! {
    static PENDING: Pending = const { Pending { bits: AtomicU64::new(0), info: UnsafeCell::new([[0; 128]; NSIG]) } };
    /// The running guest thread's `CpuState::interrupt`.
    static INTERRUPT: Cell<*const AtomicU32> = const { Cell::new(std::ptr::null()) };
    /// Mask to put in the next frame instead of the current one (rt_sigsuspend).
    static SAVED_MASK: Cell<Option<u64>> = const { Cell::new(None) };
    /// Set by [`record`], cleared by the run loop before it delivers: a signal arrived since
    /// (`syscall::safe6` does not start a blocking syscall then).
    static ARRIVED: AtomicU32 = const { AtomicU32::new(0) };
}

/// This thread's [`ARRIVED`] flag, for `syscall::safe6`.
pub(crate) fn arrived_flag() -> *const AtomicU32 {
    ARRIVED.with(|a| a as *const AtomicU32)
}

/// The run loop is about to deliver what is pending: signals recorded from now on are new.
pub fn clear_arrived() {
    ARRIVED.with(|a| a.store(0, Ordering::SeqCst));
}

/// A signal arrived ([`record`], async-signal-safe), or a deliverable one is still pending
/// after the run loop's delivery (it delivers one at a time): a blocking syscall must not
/// start before it is delivered.
pub fn mark_arrived() {
    ARRIVED.with(|a| a.store(1, Ordering::SeqCst));
}

/// Host handler for signals the guest handles. A thread caught inside `syscall::safe6`'s
/// window (flag tested, `syscall` not yet executed; or about to execute it again after a
/// kernel restart) resumes at its "not started" return instead.
extern "C" fn on_signal(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    record(sig, info);
    if !uc.is_null() {
        // SAFETY: the kernel passes the interrupted context of this thread; REG_RIP is its pc
        // and uc_sigmask the mask restored when this handler returns.
        unsafe {
            let uc = &mut *(uc as *mut libc::ucontext_t);
            // The thread keeps the signal blocked until the run loop has delivered the one
            // just recorded (`apply_host_mask` keeps recorded signals blocked): a further
            // instance, a queued real-time signal say, then waits in the kernel instead of
            // overwriting this one's slot.
            if map::to_guest(sig).is_some() && bit(sig) & HOST_NEVER_BLOCKED == 0 {
                libc::sigaddset(&mut uc.uc_sigmask, sig);
            }
            let rip = &mut uc.uc_mcontext.gregs[libc::REG_RIP as usize];
            if let Some(to) = crate::linux::syscall::safe_syscall_rewind(*rip as usize) {
                *rip = to as i64;
            }
        }
    }
}

/// Record host signal `host_sig` (as the guest signal it carries) for this thread and stop
/// its translated code. Async-signal-safe.
pub(crate) fn record(host_sig: i32, info: *const libc::siginfo_t) {
    let Some(sig) = map::to_guest(host_sig) else {
        return;
    };
    PENDING.with(|p| {
        // SAFETY: only this thread touches its slots; a nested handler for the same signal
        // is blocked by the handler's sa_mask (all signals).
        unsafe {
            let slot = &mut (*p.info.get())[sig as usize - 1];
            if info.is_null() {
                *slot = [0; 128];
            } else {
                std::ptr::copy_nonoverlapping(info as *const u8, slot.as_mut_ptr(), 128);
            }
            // si_signo in guest numbers
            slot[0..4].copy_from_slice(&sig.to_le_bytes());
        }
        p.bits.fetch_or(bit(sig), Ordering::SeqCst);
    });
    mark_arrived();
    let flag = INTERRUPT.with(|i| i.get());
    if !flag.is_null() {
        // SAFETY: registered by `attach_thread` for this thread's CpuState, which outlives
        // the thread's guest execution.
        unsafe { (*flag).store(1, Ordering::SeqCst) };
    }
}

/// After fork, in the child: the parent's recorded signals are not the child's (a child
/// starts with no pending signals), and the host mask is the guest's again.
pub fn forget_pending(mask: u64) {
    PENDING.with(|p| p.bits.store(0, Ordering::SeqCst));
    apply_host_mask(mask);
}

/// Signals recorded for this thread (bit sig-1).
pub fn pending_bits() -> u64 {
    PENDING.with(|p| p.bits.load(Ordering::SeqCst))
}

/// Register `cpu` as this host thread's guest state (for interrupts from handlers).
pub fn attach_thread(cpu: &CpuState) {
    INTERRUPT.with(|i| i.set(&cpu.interrupt as *const AtomicU32));
}

/// Forget the registration (the CpuState is going away).
pub fn detach_thread() {
    INTERRUPT.with(|i| i.set(std::ptr::null()));
}

/// Make the host disposition of `sig` follow the guest action.
pub fn apply_host_action(sig: i32, act: &SigAction) {
    if sig == libc::SIGKILL || sig == libc::SIGSTOP {
        return;
    }
    let Some(host) = map::to_host(sig) else {
        // guest 63 and 64: no host signal carries them
        return;
    };
    if sig == libc::SIGSEGV || sig == libc::SIGBUS {
        // The fault handler stays; it forwards user-sent ones to `record`.
        return;
    }
    // SAFETY: installing a disposition with a fully initialised sigaction.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        libc::sigfillset(&mut sa.sa_mask);
        sa.sa_sigaction = match act.handler {
            SIG_DFL => libc::SIG_DFL,
            SIG_IGN => libc::SIG_IGN,
            _ => {
                sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                on_signal as *const () as usize
            }
        };
        // Flags that change what the kernel does for us (zombies, stop notifications).
        sa.sa_flags |= (act.flags as i32) & (libc::SA_NOCLDSTOP | libc::SA_NOCLDWAIT);
        libc::sigaction(host, &sa, std::ptr::null_mut());
    }
}

/// Make the host mask of this thread follow the guest mask, plus the signals recorded and not
/// yet delivered (see [`on_signal`]).
pub fn apply_host_mask(mask: u64) {
    let m = map::set_to_host(mask | pending_bits()) & !HOST_NEVER_BLOCKED & !UNBLOCKABLE;
    // SAFETY: rt_sigprocmask with a valid 8-byte set.
    unsafe {
        libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_SETMASK, &m as *const u64, std::ptr::null_mut::<u64>(), 8);
    }
}

/// Initial guest dispositions and mask, as inherited through execve: signals ignored by our
/// parent stay ignored (SIGPIPE too: the emulator starts without the Rust runtime's start-up,
/// which would ignore it, see src/main.rs). Returns the actions and the mask.
pub fn inherited_state() -> ([SigAction; NSIG + 1], u64) {
    let mut acts = [SigAction::default(); NSIG + 1];
    for (sig, act) in acts.iter_mut().enumerate().skip(1) {
        let sig = sig as i32;
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        let Some(host) = map::to_host(sig) else { continue };
        // SAFETY: querying a disposition.
        let old = unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(host, std::ptr::null(), &mut old);
            old
        };
        if old.sa_sigaction == libc::SIG_IGN {
            act.handler = SIG_IGN;
        }
    }
    let mut mask = 0u64;
    // SAFETY: reading our mask.
    unsafe {
        libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_BLOCK, std::ptr::null::<u64>(), &mut mask as *mut u64, 8);
    }
    (acts, map::set_to_guest(mask) & !UNBLOCKABLE)
}

/// Map the sigreturn trampoline (`mov x8, #139; svc #0`) into guest memory; returns its
/// address (the handler's return address when the guest gives no SA_RESTORER, as the
/// kernel's vDSO trampoline would be).
pub fn map_trampoline() -> std::io::Result<u64> {
    // SAFETY: a fresh anonymous page, written then made read-only and executable (r-x, as
    // the vDSO whose trampoline it stands for: the guest may only run executable pages).
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        let code = p as *mut u32;
        code.write(0xd280_1168); // mov x8, #139 (rt_sigreturn)
        code.add(1).write(0xd400_0001); // svc #0
        libc::mprotect(p, 4096, libc::PROT_READ | libc::PROT_EXEC);
        crate::mem::note_exec(p as u64, 4096, true);
        Ok(p as u64)
    }
}

/// Signals the kernel never restarts after a handler, whatever SA_RESTART says
/// (signal(7), "Interruption of system calls and library functions by signal handlers").
fn never_restarted(nr: u64) -> bool {
    use crate::linux::syscall::nr::*;
    matches!(
        nr as u32,
        NANOSLEEP
            | CLOCK_NANOSLEEP
            | EPOLL_PWAIT
            | EPOLL_PWAIT2
            | PPOLL
            | PSELECT6
            | RT_SIGSUSPEND
            | RT_SIGTIMEDWAIT
            | IO_GETEVENTS
            | SEMTIMEDOP
            | MSGRCV
            | MSGSND
            | SEMOP
            | IO_PGETEVENTS
    )
}

/// Calls the kernel does not restart after a handler when they wait with a timeout (the
/// host kernel's -ERESTART_RESTARTBLOCK and sock_intr_errno reach us as plain EINTR): a
/// FUTEX_WAIT or FUTEX_WAIT_BITSET with a timeout, and the socket calls (read, write and
/// their vector forms included) on a socket with SO_RCVTIMEO or SO_SNDTIMEO set for the
/// direction they wait in. `fd` is the call's first argument (x0 before the call).
fn not_restarted_with_timeout(nr: u64, fd: u64, cpu: &CpuState) -> bool {
    use crate::linux::syscall::nr::*;
    const FUTEX_WAIT: u64 = 0;
    const FUTEX_WAIT_BITSET: u64 = 9;
    let nr = nr as u32;
    if nr == FUTEX {
        let cmd = cpu.x[1] & 0x7f;
        return matches!(cmd, FUTEX_WAIT | FUTEX_WAIT_BITSET) && cpu.x[3] != 0;
    }
    let opt = match nr {
        READ | READV | RECVFROM | RECVMSG | RECVMMSG | ACCEPT | ACCEPT4 => libc::SO_RCVTIMEO,
        WRITE | WRITEV | SENDTO | SENDMSG | SENDMMSG | CONNECT => libc::SO_SNDTIMEO,
        _ => return false,
    };
    let mut tv = libc::timeval { tv_sec: 0, tv_usec: 0 };
    let mut len = std::mem::size_of::<libc::timeval>() as libc::socklen_t;
    // SAFETY: getsockopt into a local timeval; ENOTSOCK (or EBADF) for anything but a socket.
    let r = unsafe {
        libc::getsockopt(fd as i32, libc::SOL_SOCKET, opt, &mut tv as *mut libc::timeval as *mut libc::c_void, &mut len)
    };
    r == 0 && (tv.tv_sec != 0 || tv.tv_usec != 0)
}

/// After a syscall returned -EINTR because of pending signals: if the signal that will be
/// delivered has a handler with SA_RESTART and the syscall is restartable, rewind to the SVC
/// with the original x0, as the kernel's -ERESTARTSYS does.
pub fn maybe_restart(t: &Thread, cpu: &mut CpuState, nr: u64, orig_x0: u64) {
    // rt_sigreturn "returns" the interrupted context's x0, which may well be -EINTR from the
    // syscall the handler interrupted: that one was already decided.
    if cpu.x[0] as i64 != -(libc::EINTR as i64)
        || nr == crate::linux::syscall::nr::RT_SIGRETURN as u64
        || never_restarted(nr)
        || not_restarted_with_timeout(nr, orig_x0, cpu)
    {
        return;
    }
    let deliverable = pending_bits() & !t.sigmask;
    if deliverable == 0 {
        // Interrupted by a signal with no guest handler (SIG_DFL stop/continue): the kernel
        // restarts transparently.
        cpu.x[0] = orig_x0;
        cpu.pc -= 4;
        return;
    }
    let sig = deliverable.trailing_zeros() as i32 + 1;
    let act = t.sigactions()[sig as usize];
    if act.handler > SIG_IGN && act.flags & SA_RESTART != 0 {
        cpu.x[0] = orig_x0;
        cpu.pc -= 4;
    }
}

/// Deliver the lowest pending, unblocked signal (if any). Returns true if one was delivered.
pub fn deliver_pending(t: &mut Thread, cpu: &mut CpuState) -> bool {
    let deliverable = pending_bits() & !t.sigmask;
    if deliverable == 0 {
        return false;
    }
    let sig = deliverable.trailing_zeros() as i32 + 1;
    let info = PENDING.with(|p| {
        p.bits.fetch_and(!bit(sig), Ordering::SeqCst);
        // SAFETY: this thread's own slot.
        unsafe { (*p.info.get())[sig as usize - 1] }
    });
    let act = t.sigactions()[sig as usize];
    match act.handler {
        // (the host mask lets the next instance of the signal in again; entering a handler
        // sets the handler's mask)
        SIG_IGN => apply_host_mask(t.sigmask),
        SIG_DFL => {
            default_action(sig);
            apply_host_mask(t.sigmask);
        }
        _ => enter_handler(t, cpu, sig, &act, &info, 0),
    }
    true
}

/// A synchronous signal caused by the instruction at `cpu.pc` (fault, undefined instruction,
/// breakpoint). Like the kernel's force_sig: if the guest cannot take it (blocked, ignored or
/// default), the process dies by it.
pub fn deliver_sync(t: &mut Thread, cpu: &mut CpuState, sig: i32, code: i32, addr: u64) {
    let act = t.sigactions()[sig as usize];
    if act.handler <= SIG_IGN || t.sigmask & bit(sig) != 0 {
        let _ = crate::linux::die_by_signal(sig);
        std::process::exit(128 + sig);
    }
    let mut info = [0u8; 128];
    info[0..4].copy_from_slice(&sig.to_le_bytes());
    info[8..12].copy_from_slice(&code.to_le_bytes());
    info[16..24].copy_from_slice(&addr.to_le_bytes());
    // sigcontext.fault_address is the faulting data or instruction address of a memory
    // abort; an undefined instruction or a breakpoint leaves it 0 (arm64_notify_die clears
    // it; si_addr is still the pc).
    let fault = if sig == libc::SIGILL || sig == libc::SIGTRAP { 0 } else { addr };
    enter_handler(t, cpu, sig, &act, &info, fault);
}

/// The default action of a signal that reached us although its guest action is SIG_DFL (the
/// action changed after the host handler recorded it).
fn default_action(sig: i32) {
    match sig {
        libc::SIGCHLD | libc::SIGCONT | libc::SIGURG | libc::SIGWINCH => {}
        libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU => {
            // SAFETY: stopping ourselves, as the default action does.
            unsafe { libc::raise(libc::SIGSTOP) };
        }
        _ => {
            let _ = crate::linux::die_by_signal(sig);
            std::process::exit(128 + sig);
        }
    }
}

fn on_stack(st: &GuestStackT, sp: u64) -> bool {
    st.ss_size != 0 && sp > st.ss_sp && sp - st.ss_sp <= st.ss_size
}

/// Build the frame on the guest stack and enter the handler (arm64 setup_rt_frame).
fn enter_handler(t: &mut Thread, cpu: &mut CpuState, sig: i32, act: &SigAction, info: &[u8; 128], fault: u64) {
    use crate::linux::syscall::signal::ALTSTACK;
    let alt = ALTSTACK.with(|a| a.get());
    let sp = cpu.x[31];
    let alt_usable = alt.ss_size != 0 && alt.ss_flags & libc::SS_DISABLE == 0;
    let saved_alt = GuestStackT {
        ss_sp: alt.ss_sp,
        ss_flags: if on_stack(&alt, sp) {
            libc::SS_ONSTACK
        } else if alt_usable {
            alt.ss_flags
        } else {
            libc::SS_DISABLE
        },
        __pad: 0,
        ss_size: alt.ss_size,
    };
    let top = if act.flags & SA_ONSTACK != 0 && alt_usable && !on_stack(&alt, sp) {
        if alt.ss_flags & (1 << 31) != 0 {
            // SS_AUTODISARM: disarmed while the handler runs (restored by sigreturn).
            ALTSTACK.with(|a| a.set(GuestStackT { ss_sp: 0, ss_flags: libc::SS_DISABLE, __pad: 0, ss_size: 0 }));
        }
        alt.ss_sp + alt.ss_size
    } else {
        sp
    };
    let next_frame = (top.wrapping_sub(16)) & !15;
    let frame_addr = next_frame - frame::FRAME_SIZE as u64;
    let old_mask = SAVED_MASK.with(|s| s.take()).unwrap_or(t.sigmask);
    let bytes = frame::build(cpu, &frame::FrameSpec { info, old_mask, fault_address: fault, altstack: saved_alt });
    let mut record = [0u8; 16];
    record[0..8].copy_from_slice(&cpu.x[29].to_le_bytes());
    record[8..16].copy_from_slice(&cpu.x[30].to_le_bytes());
    if !crate::mem::probe_write(frame_addr, &bytes) || !crate::mem::probe_write(next_frame, &record) {
        // The kernel's force_sigsegv: a frame that cannot be written kills the process.
        let _ = crate::linux::die_by_signal(libc::SIGSEGV);
        std::process::exit(128 + libc::SIGSEGV);
    }
    cpu.x[0] = sig as u64;
    if act.flags & SA_SIGINFO != 0 {
        cpu.x[1] = frame_addr;
        cpu.x[2] = frame_addr + frame::UC_OFFSET as u64;
    }
    cpu.x[29] = next_frame;
    cpu.x[30] = if act.flags & SA_RESTORER != 0 { act.restorer } else { t.proc.sigreturn_trampoline };
    cpu.x[31] = frame_addr;
    cpu.pc = act.handler;
    let mut mask = old_mask | act.mask;
    if act.flags & SA_NODEFER == 0 {
        mask |= bit(sig);
    }
    t.sigmask = mask & !UNBLOCKABLE;
    apply_host_mask(t.sigmask);
    if act.flags & SA_RESETHAND != 0 {
        let dfl = SigAction::default();
        t.sigactions()[sig as usize] = dfl;
        apply_host_action(sig, &dfl);
    }
}

/// rt_sigreturn: restore the context saved by `enter_handler`. Returns the restored x0 (the
/// syscall's "result"), or kills the process with SIGSEGV for a bad frame, as the kernel does.
pub fn sigreturn(t: &mut Thread, cpu: &mut CpuState) -> i64 {
    let frame_addr = cpu.x[31];
    let mut bytes = vec![0u8; frame::FRAME_SIZE];
    if !frame_addr.is_multiple_of(16) || !crate::mem::probe_read(frame_addr, &mut bytes) {
        let _ = crate::linux::die_by_signal(libc::SIGSEGV);
        std::process::exit(128 + libc::SIGSEGV);
    }
    match frame::restore(cpu, &bytes) {
        Ok(r) => {
            t.sigmask = r.mask & !UNBLOCKABLE;
            apply_host_mask(t.sigmask);
            // restore_altstack: re-arm the stack described in uc_stack (only if not on it).
            use crate::linux::syscall::signal::ALTSTACK;
            if r.altstack.ss_flags & libc::SS_ONSTACK == 0 {
                let st = if r.altstack.ss_flags & libc::SS_DISABLE != 0 {
                    GuestStackT { ss_sp: 0, ss_flags: libc::SS_DISABLE, __pad: 0, ss_size: 0 }
                } else {
                    r.altstack
                };
                ALTSTACK.with(|a| a.set(st));
            }
            cpu.x[0] as i64
        }
        Err(_) => {
            let _ = crate::linux::die_by_signal(libc::SIGSEGV);
            std::process::exit(128 + libc::SIGSEGV);
        }
    }
}

/// rt_sigsuspend(mask): wait with `mask` until a handled signal arrives; the frame of the
/// handler then carries the mask from before the call.
pub fn sigsuspend(t: &mut Thread, mask: u64) -> i64 {
    let old = t.sigmask;
    let m = mask & !UNBLOCKABLE;
    t.sigmask = m;
    let host = map::set_to_host(m) & !HOST_NEVER_BLOCKED;
    loop {
        if pending_bits() & !m != 0 {
            break;
        }
        // SAFETY: rt_sigsuspend with a valid 8-byte set; returns -1/EINTR after a handler.
        unsafe { libc::syscall(libc::SYS_rt_sigsuspend, &host as *const u64, 8) };
        if pending_bits() & !m != 0 {
            break;
        }
    }
    SAVED_MASK.with(|s| s.set(Some(old)));
    // The mask stays `m` until the handler is entered; the frame restores `old` on return.
    -(libc::EINTR as i64)
}

/// After a call that waited under a temporary guest mask `temp` (ppoll, pselect6,
/// epoll_pwait) returned -EINTR: as the kernel's restore_saved_sigmask_unless, a signal that
/// `temp` lets through is delivered under `temp` (the run loop's next delivery), and the
/// handler's frame carries the thread's own mask, restored on return. Otherwise nothing
/// changes.
pub fn after_temp_mask_wait(t: &mut Thread, temp: u64) {
    let temp = temp & !UNBLOCKABLE;
    if pending_bits() & !temp != 0 {
        SAVED_MASK.with(|s| s.set(Some(t.sigmask)));
        t.sigmask = temp;
    }
}

/// After a syscall that did not deliver (e.g. sigsuspend found nothing): drop a saved mask.
pub fn restore_saved_mask(t: &mut Thread) {
    if let Some(m) = SAVED_MASK.with(|s| s.take()) {
        t.sigmask = m;
        apply_host_mask(m);
    }
}
