//! Signal syscalls: rt_sigaction, rt_sigprocmask, sigaltstack (recorded, with the kernel's
//! checks and results), kill/tkill/tgkill, pidfd_send_signal, rt_sigpending, rt_sigqueueinfo,
//! rt_sigtimedwait (passed through with signal numbers and sets converted, `signal::map`).
//!
//! Invariants: guest actions live in `Process::sigactions` (index = signal number, arm64
//! `struct sigaction` layout, [`GuestSigaction`]) and the guest mask in `Thread::sigmask`
//! (bit `sig-1`); every change is mirrored to the host disposition and mask by
//! `crate::linux::signal` (which also delivers). The alternate stack is per thread
//! ([`ALTSTACK`]).

use super::{read_guest, row, write_guest, Arg, Syscall, EINVAL};
use crate::cpu::CpuState;
use crate::linux::abi::{self, GuestSigaction, GuestStackT};
use crate::linux::signal::map;
use crate::linux::syscall::nr;
use crate::linux::{SigAction, Thread, NSIG};
use std::cell::Cell;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::RT_SIGACTION, "rt_sigaction", sys_rt_sigaction, &[Signal, Ptr, Ptr, Int]),
    row(nr::RT_SIGPROCMASK, "rt_sigprocmask", sys_rt_sigprocmask, &[I32, Ptr, Ptr, Int]),
    row(nr::SIGALTSTACK, "sigaltstack", sys_sigaltstack, &[Ptr, Ptr]),
    row(nr::KILL, "kill", sys_kill, &[I32, Signal]),
    row(nr::TKILL, "tkill", sys_tkill, &[I32, Signal]),
    row(nr::TGKILL, "tgkill", sys_tgkill, &[I32, I32, Signal]),
    row(nr::RT_SIGPENDING, "rt_sigpending", sys_rt_sigpending, &[Ptr, Int]),
    row(nr::RT_SIGRETURN, "rt_sigreturn", sys_rt_sigreturn, &[]),
    row(nr::RT_SIGSUSPEND, "rt_sigsuspend", sys_rt_sigsuspend, &[Ptr, Int]),
    row(nr::RT_SIGTIMEDWAIT, "rt_sigtimedwait", sys_rt_sigtimedwait, &[Ptr, Ptr, Ptr, Int]),
    row(nr::RT_SIGQUEUEINFO, "rt_sigqueueinfo", sys_rt_sigqueueinfo, &[I32, Signal, Ptr]),
    row(nr::RT_TGSIGQUEUEINFO, "rt_tgsigqueueinfo", sys_rt_tgsigqueueinfo, &[I32, I32, Signal, Ptr]),
    row(nr::PIDFD_SEND_SIGNAL, "pidfd_send_signal", sys_pidfd_send_signal, &[Fd, Signal, Ptr, Hex]),
];

/// The host signal for guest signal argument `sig` (0, the existence check, stays 0); -EINVAL
/// for guest 63 and 64, which no host signal carries (`signal::map`), and for numbers the
/// kernel rejects.
fn host_sig_arg(sig: u64) -> Result<u64, i64> {
    if sig == 0 {
        return Ok(0);
    }
    match map::to_host(sig as i32).filter(|_| sig <= NSIG as u64) {
        Some(h) => Ok(h as u64),
        None => Err(EINVAL),
    }
}

/// kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo: the host call with the signal
/// argument (at `k`) in host numbers. (The siginfo of the sigqueue forms goes as it is: its
/// si_signo is rewritten to the guest number when the signal is recorded.)
fn send(host_nr: i64, k: usize, mut a: [u64; 6]) -> i64 {
    match host_sig_arg(a[k]) {
        Ok(h) => {
            a[k] = h;
            super::host6(host_nr, a)
        }
        Err(e) => e,
    }
}

fn sys_kill(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    send(libc::SYS_kill, 1, a)
}

fn sys_tkill(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    send(libc::SYS_tkill, 1, a)
}

fn sys_tgkill(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    send(libc::SYS_tgkill, 2, a)
}

fn sys_rt_sigqueueinfo(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    send(libc::SYS_rt_sigqueueinfo, 1, a)
}

fn sys_rt_tgsigqueueinfo(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    send(libc::SYS_rt_tgsigqueueinfo, 2, a)
}

/// rt_sigtimedwait(set, info, timeout, sigsetsize): the set in host numbers; the signal
/// taken (the result and the siginfo's si_signo) back in guest numbers.
fn sys_rt_sigtimedwait(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[3] != SIGSET_SIZE {
        return EINVAL;
    }
    let set = match read_guest::<8>(a[0]) {
        Ok(b) => map::set_to_host(u64::from_le_bytes(b)),
        Err(e) => return e,
    };
    let mut info = [0u8; 128];
    // Through safe6: a signal that arrives just before the wait (one not in the set, whose
    // handler then runs) must end the wait with EINTR, not be noticed only after it; the
    // syscall is restarted after the handler instead (as if the signal came first), which is
    // what the guest could have seen anyway. The set and the 128-byte siginfo are valid;
    // the timeout is the guest's (same layout), checked by the kernel.
    let r =
        super::safe6(libc::SYS_rt_sigtimedwait, [&set as *const u64 as u64, info.as_mut_ptr() as u64, a[2], 8, 0, 0]);
    if r <= 0 {
        return r;
    }
    let sig = map::to_guest(r as i32).unwrap_or(r as i32);
    if a[1] != 0 {
        info[0..4].copy_from_slice(&sig.to_le_bytes());
        if let Err(e) = write_guest(a[1], &info) {
            return e;
        }
    }
    sig as i64
}

/// Size of the guest's kernel sigset_t.
const SIGSET_SIZE: u64 = 8;
/// Signals that can be neither caught nor blocked.
const UNBLOCKABLE: u64 = (1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1));
/// sa_flags bits arm64 keeps (UAPI_SA_FLAGS with SA_RESTORER; kernel/signal.c clears the rest
/// so that userspace can detect unsupported flags).
const UAPI_SA_FLAGS: u64 = (libc::SA_NOCLDSTOP
    | libc::SA_NOCLDWAIT
    | libc::SA_SIGINFO
    | libc::SA_ONSTACK
    | libc::SA_RESTART
    | libc::SA_NODEFER
    | libc::SA_RESETHAND) as u32 as u64
    | abi::HOST_SA_RESTORER
    | SA_EXPOSE_TAGBITS;
const SA_EXPOSE_TAGBITS: u64 = 0x0000_0800;

thread_local! {
    /// The guest thread's alternate signal stack (sigaltstack).
    pub static ALTSTACK: Cell<GuestStackT> = const {
        Cell::new(GuestStackT { ss_sp: 0, ss_flags: libc::SS_DISABLE, __pad: 0, ss_size: 0 })
    };
}

fn sys_rt_sigaction(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let mut table = p.sigactions();
    let r = rt_sigaction(&mut table, a);
    if r == 0 && a[1] != 0 {
        let sig = a[0] as usize;
        crate::linux::signal::apply_host_action(sig as i32, &table[sig]);
    }
    r
}

fn sys_rt_sigreturn(p: &mut Thread, cpu: &mut CpuState, _a: [u64; 6]) -> i64 {
    crate::linux::signal::sigreturn(p, cpu)
}

/// rt_sigsuspend(mask, sigsetsize).
fn sys_rt_sigsuspend(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[1] != SIGSET_SIZE {
        return EINVAL;
    }
    match read_guest::<8>(a[0]) {
        Ok(b) => crate::linux::signal::sigsuspend(p, u64::from_le_bytes(b)),
        Err(e) => e,
    }
}

/// rt_sigpending: what the host kernel holds (blocked signals) plus what our handler caught
/// and the run loop has not delivered yet.
fn sys_rt_sigpending(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[1] > SIGSET_SIZE {
        return EINVAL;
    }
    let mut host = 0u64;
    // SAFETY: valid 8-byte out pointer.
    let r = unsafe { libc::syscall(libc::SYS_rt_sigpending, &mut host as *mut u64, 8) };
    if r < 0 {
        return super::host_result(r);
    }
    let set = (map::set_to_guest(host) | crate::linux::signal::pending_bits()) & p.sigmask;
    match write_guest(a[0], &set.to_le_bytes()[..a[1] as usize]) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

/// rt_sigaction(sig, act, oact, sigsetsize) in the kernel's order of checks: sigsetsize
/// (EINVAL), copy of act (EFAULT), signal number (EINVAL), copy of oact (EFAULT).
fn rt_sigaction(table: &mut [SigAction; NSIG + 1], a: [u64; 6]) -> i64 {
    if a[3] != SIGSET_SIZE {
        return EINVAL;
    }
    let sig = a[0] as i32;
    let new = if a[1] != 0 {
        match read_guest::<32>(a[1]) {
            Ok(b) => Some(GuestSigaction::from_bytes(&b)),
            Err(e) => return e,
        }
    } else {
        None
    };
    if sig < 1 || sig as usize > NSIG || (new.is_some() && (sig == libc::SIGKILL || sig == libc::SIGSTOP)) {
        return EINVAL;
    }
    let slot = &mut table[sig as usize];
    let old = GuestSigaction {
        sa_handler: slot.handler,
        sa_flags: slot.flags,
        sa_restorer: slot.restorer,
        sa_mask: slot.mask,
    };
    if let Some(n) = new {
        *slot = SigAction {
            handler: n.sa_handler,
            flags: n.sa_flags & UAPI_SA_FLAGS,
            restorer: n.sa_restorer,
            mask: n.sa_mask & !UNBLOCKABLE,
        };
    }
    if a[2] != 0 {
        if let Err(e) = write_guest(a[2], &old.to_bytes()) {
            return e;
        }
    }
    0
}

fn sys_rt_sigprocmask(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = rt_sigprocmask(&mut p.sigmask, a);
    if r == 0 && a[1] != 0 {
        crate::linux::signal::apply_host_mask(p.sigmask);
    }
    r
}

/// rt_sigprocmask(how, set, oset, sigsetsize) with the kernel's semantics: `how` is only
/// checked when `set` is given; SIGKILL and SIGSTOP are silently never blocked.
fn rt_sigprocmask(mask: &mut u64, a: [u64; 6]) -> i64 {
    if a[3] != SIGSET_SIZE {
        return EINVAL;
    }
    let old = *mask;
    if a[1] != 0 {
        let set = match read_guest::<8>(a[1]) {
            Ok(b) => u64::from_le_bytes(b) & !UNBLOCKABLE,
            Err(e) => return e,
        };
        *mask = match a[0] as i32 {
            libc::SIG_BLOCK => old | set,
            libc::SIG_UNBLOCK => old & !set,
            libc::SIG_SETMASK => set,
            _ => return EINVAL,
        };
    }
    if a[2] != 0 {
        if let Err(e) = write_guest(a[2], &old.to_le_bytes()) {
            return e;
        }
    }
    0
}

fn sys_sigaltstack(_p: &mut Thread, cpu: &mut CpuState, a: [u64; 6]) -> i64 {
    let sp = cpu.x[31];
    ALTSTACK.with(|c| {
        let mut st = c.get();
        let r = sigaltstack(&mut st, sp, a);
        c.set(st);
        r
    })
}

/// SS_AUTODISARM (linux/signal.h): the stack is disarmed while a handler runs on it.
const SS_AUTODISARM: i32 = 1 << 31;

fn on_sig_stack(st: &GuestStackT, sp: u64) -> bool {
    // kernel/signal.c on_sig_stack for a downward-growing stack.
    st.ss_flags & SS_AUTODISARM == 0 && sp > st.ss_sp && sp - st.ss_sp <= st.ss_size
}

/// sigaltstack(ss, old_ss) as do_sigaltstack: old value taken first, EPERM while on the
/// stack, EINVAL for a bad mode, ENOMEM below the arm64 MINSIGSTKSZ.
fn sigaltstack(st: &mut GuestStackT, sp: u64, a: [u64; 6]) -> i64 {
    let new = if a[0] != 0 {
        match read_guest::<24>(a[0]) {
            Ok(b) => Some(GuestStackT::from_bytes(&b)),
            Err(e) => return e,
        }
    } else {
        None
    };
    let on = on_sig_stack(st, sp);
    let old = GuestStackT {
        ss_sp: st.ss_sp,
        ss_flags: if on {
            libc::SS_ONSTACK
        } else if st.ss_size == 0 {
            libc::SS_DISABLE
        } else {
            0
        } | (st.ss_flags & SS_AUTODISARM),
        __pad: 0,
        ss_size: st.ss_size,
    };
    if let Some(n) = new {
        if on {
            return -(libc::EPERM as i64);
        }
        let mode = n.ss_flags & !SS_AUTODISARM;
        if mode != libc::SS_DISABLE && mode != libc::SS_ONSTACK && mode != 0 {
            return EINVAL;
        }
        if mode == libc::SS_DISABLE {
            *st = GuestStackT { ss_sp: 0, ss_flags: n.ss_flags, __pad: 0, ss_size: 0 };
        } else {
            if n.ss_size < abi::MINSIGSTKSZ {
                return -(libc::ENOMEM as i64);
            }
            *st = GuestStackT { ss_sp: n.ss_sp, ss_flags: n.ss_flags & SS_AUTODISARM, __pad: 0, ss_size: n.ss_size };
        }
    }
    if a[1] != 0 {
        if let Err(e) = write_guest(a[1], &old.to_bytes()) {
            return e;
        }
    }
    0
}

/// pidfd_send_signal(pidfd, sig, info, flags): the signal in host numbers, and the siginfo's
/// si_signo with it (the kernel requires si_signo == sig). Guest 63 and 64, which no host
/// signal carries, become an invalid host number, so the host makes its checks in the
/// kernel's order (flags, EBADF, not a pidfd, the siginfo, permission) and then answers
/// EINVAL, as kill does for them here; numbers above 64 go as they are (EINVAL there too).
fn sys_pidfd_send_signal(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    pidfd_send_signal(a)
}

/// No signal: valid_signal() rejects it.
const NO_HOST_SIGNAL: i32 = NSIG as i32 + 1;

fn pidfd_send_signal(a: [u64; 6]) -> i64 {
    let sig = a[1] as i32;
    let host_sig = match sig {
        0 => 0,
        1..=64 => map::to_host(sig).unwrap_or(NO_HOST_SIGNAL),
        _ => sig,
    };
    let mut info = [0u8; 128];
    let mut info_at = a[2];
    // Unreadable: the guest's pointer goes, and the host answers EFAULT in its own order.
    if a[2] != 0 && crate::mem::probe_read(a[2], &mut info) {
        let si_signo = i32::from_le_bytes([info[0], info[1], info[2], info[3]]);
        // equal before, equal after; unequal stays unequal
        let h = if si_signo == sig { host_sig } else { !host_sig };
        info[..4].copy_from_slice(&h.to_le_bytes());
        info_at = info.as_ptr() as u64;
    }
    super::host6(libc::SYS_pidfd_send_signal, [a[0], host_sig as u32 as u64, info_at, a[3], 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pidfd_send_signal_numbers_and_errors() {
        // SAFETY: a pidfd of this process, closed at the end; only signal 0 is sent.
        let me = unsafe { libc::syscall(libc::SYS_pidfd_open, libc::getpid(), 0) } as u64;
        assert!((me as i64) >= 0);
        assert_eq!(pidfd_send_signal([me, 0, 0, 0, 0, 0]), 0);
        assert_eq!(pidfd_send_signal([me, 63, 0, 0, 0, 0]), EINVAL);
        assert_eq!(pidfd_send_signal([me, 64, 0, 0, 0, 0]), EINVAL);
        assert_eq!(pidfd_send_signal([me, 65, 0, 0, 0, 0]), EINVAL);
        assert_eq!(pidfd_send_signal([me, 0, 0, 0x100, 0, 0]), EINVAL, "unknown flag");
        assert_eq!(pidfd_send_signal([u64::MAX, 63, 0, 0, 0, 0]), -(libc::EBADF as i64), "EBADF before EINVAL");
        assert_eq!(pidfd_send_signal([me, 35, 8, 0, 0, 0]), -(libc::EFAULT as i64));
        // si_signo must equal sig, compared in guest numbers
        let mut info = [0u8; 128];
        info[..4].copy_from_slice(&36i32.to_le_bytes());
        assert_eq!(pidfd_send_signal([me, 35, info.as_ptr() as u64, 0, 0, 0]), EINVAL);
        info[..4].copy_from_slice(&0i32.to_le_bytes());
        info[8..12].copy_from_slice(&(-1i32).to_le_bytes()); // SI_QUEUE: allowed from any thread
        assert_eq!(pidfd_send_signal([me, 0, info.as_ptr() as u64, 0, 0, 0]), 0);
        // SAFETY: closing the pidfd made above.
        unsafe { libc::close(me as i32) };
    }

    fn ptr<T>(v: &T) -> u64 {
        v as *const T as u64
    }

    fn mptr<T>(v: &mut T) -> u64 {
        v as *mut T as u64
    }

    #[test]
    fn sigaction_records_and_returns_old() {
        let mut t = [SigAction::default(); NSIG + 1];
        let act = GuestSigaction {
            sa_handler: 0x4000,
            sa_flags: 0x0400_0004 | 0x400,
            sa_restorer: 0x5000,
            sa_mask: u64::MAX,
        };
        let ab = act.to_bytes();
        let mut old = [0xffu8; 32];
        assert_eq!(rt_sigaction(&mut t, [10, ptr(&ab), mptr(&mut old), 8, 0, 0]), 0);
        assert_eq!(GuestSigaction::from_bytes(&old), GuestSigaction::default());
        assert_eq!(t[10].handler, 0x4000);
        assert_eq!(t[10].flags, 0x0400_0004, "unknown SA_UNSUPPORTED (0x400) cleared");
        assert_eq!(t[10].mask, !UNBLOCKABLE);
        assert_eq!(rt_sigaction(&mut t, [10, 0, old.as_mut_ptr() as u64, 8, 0, 0]), 0);
        let o = GuestSigaction::from_bytes(&old);
        assert_eq!((o.sa_handler, o.sa_restorer), (0x4000, 0x5000));
        // Errors in the kernel's order.
        assert_eq!(rt_sigaction(&mut t, [10, ptr(&ab), 0, 16, 0, 0]), EINVAL);
        assert_eq!(rt_sigaction(&mut t, [10, 8, 0, 8, 0, 0]), super::super::EFAULT);
        assert_eq!(rt_sigaction(&mut t, [9, ptr(&ab), 0, 8, 0, 0]), EINVAL);
        assert_eq!(rt_sigaction(&mut t, [19, ptr(&ab), 0, 8, 0, 0]), EINVAL);
        assert_eq!(rt_sigaction(&mut t, [9, 0, old.as_mut_ptr() as u64, 8, 0, 0]), 0, "query SIGKILL is fine");
        assert_eq!(rt_sigaction(&mut t, [0, 0, 0, 8, 0, 0]), EINVAL);
        assert_eq!(rt_sigaction(&mut t, [65, 0, 0, 8, 0, 0]), EINVAL);
        assert_eq!(rt_sigaction(&mut t, [64, ptr(&ab), 0, 8, 0, 0]), 0);
        assert_eq!(rt_sigaction(&mut t, [10, 0, 8, 8, 0, 0]), super::super::EFAULT);
    }

    #[test]
    fn sigprocmask_semantics() {
        let mut m = 0u64;
        let set = (1u64 << 9) | UNBLOCKABLE;
        let mut old = 0xffu64;
        assert_eq!(rt_sigprocmask(&mut m, [libc::SIG_BLOCK as u64, ptr(&set), mptr(&mut old), 8, 0, 0]), 0);
        assert_eq!((m, old), (1 << 9, 0));
        let s2 = 1u64 << 1;
        assert_eq!(rt_sigprocmask(&mut m, [libc::SIG_BLOCK as u64, ptr(&s2), 0, 8, 0, 0]), 0);
        assert_eq!(m, (1 << 9) | (1 << 1));
        assert_eq!(rt_sigprocmask(&mut m, [libc::SIG_UNBLOCK as u64, ptr(&set), mptr(&mut old), 8, 0, 0]), 0);
        assert_eq!((m, old), (1 << 1, (1 << 9) | (1 << 1)));
        assert_eq!(rt_sigprocmask(&mut m, [libc::SIG_SETMASK as u64, ptr(&set), 0, 8, 0, 0]), 0);
        assert_eq!(m, 1 << 9);
        assert_eq!(rt_sigprocmask(&mut m, [7, ptr(&set), 0, 8, 0, 0]), EINVAL);
        assert_eq!(rt_sigprocmask(&mut m, [7, 0, mptr(&mut old), 8, 0, 0]), 0, "how ignored without set");
        assert_eq!(rt_sigprocmask(&mut m, [0, 0, 0, 4, 0, 0]), EINVAL);
        assert_eq!(rt_sigprocmask(&mut m, [0, 8, 0, 8, 0, 0]), super::super::EFAULT);
    }

    #[test]
    fn sigaltstack_semantics() {
        let mut st = GuestStackT { ss_sp: 0, ss_flags: libc::SS_DISABLE, __pad: 0, ss_size: 0 };
        let mut old = [0u8; 24];
        assert_eq!(sigaltstack(&mut st, 0x7000_0000, [0, old.as_mut_ptr() as u64, 0, 0, 0, 0]), 0);
        assert_eq!(GuestStackT::from_bytes(&old).ss_flags, libc::SS_DISABLE);
        let small = GuestStackT { ss_sp: 0x1000_0000, ss_flags: 0, __pad: 0, ss_size: 4096 }.to_bytes();
        assert_eq!(sigaltstack(&mut st, 0x7000_0000, [ptr(&small), 0, 0, 0, 0, 0]), -(libc::ENOMEM as i64));
        let good = GuestStackT { ss_sp: 0x1000_0000, ss_flags: 0, __pad: 0, ss_size: 0x10000 }.to_bytes();
        assert_eq!(sigaltstack(&mut st, 0x7000_0000, [ptr(&good), 0, 0, 0, 0, 0]), 0);
        assert_eq!(sigaltstack(&mut st, 0x7000_0000, [0, old.as_mut_ptr() as u64, 0, 0, 0, 0]), 0);
        let o = GuestStackT::from_bytes(&old);
        assert_eq!((o.ss_sp, o.ss_flags, o.ss_size), (0x1000_0000, 0, 0x10000));
        // Running on the stack: reported SS_ONSTACK, changes refused with EPERM.
        assert_eq!(
            sigaltstack(&mut st, 0x1000_8000, [ptr(&good), old.as_mut_ptr() as u64, 0, 0, 0, 0]),
            -(libc::EPERM as i64)
        );
        assert_eq!(sigaltstack(&mut st, 0x1000_8000, [0, old.as_mut_ptr() as u64, 0, 0, 0, 0]), 0);
        assert_eq!(GuestStackT::from_bytes(&old).ss_flags, libc::SS_ONSTACK);
        let bad = GuestStackT { ss_sp: 0, ss_flags: 5, __pad: 0, ss_size: 0x10000 }.to_bytes();
        assert_eq!(sigaltstack(&mut st, 0x7000_0000, [ptr(&bad), 0, 0, 0, 0, 0]), EINVAL);
        let dis = GuestStackT { ss_sp: 0x55, ss_flags: libc::SS_DISABLE, __pad: 0, ss_size: 1 }.to_bytes();
        assert_eq!(sigaltstack(&mut st, 0x7000_0000, [ptr(&dis), 0, 0, 0, 0, 0]), 0);
        assert_eq!((st.ss_sp, st.ss_size), (0, 0));
        assert_eq!(sigaltstack(&mut st, 0x7000_0000, [8, 0, 0, 0, 0, 0]), super::super::EFAULT);
    }
}
