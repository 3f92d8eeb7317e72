//! Process and identity syscalls: ids, sessions and groups, credentials,
//! set_tid_address, robust lists, rseq, wait4/waitid, pidfd_open/pidfd_getfd, personality,
//! setns, kcmp.
//!
//! Invariants: ids and credentials pass to the host (the guest process *is* this host
//! process). Per-thread kernel state that belongs to the guest thread and must not reach the
//! host (the host thread's own glibc uses its clear_child_tid and robust list) is recorded
//! here, thread-local: [`CLEAR_CHILD_TID`] and [`ROBUST_LIST`] (walked at thread exit by
//! `linux::thread`). exit, exit_group, clone and futex are in `thread.rs`, fork and execve in
//! `exec.rs`.

use super::{host6, pass, row, safe6, write_guest, Arg, Syscall, EINVAL};
use crate::cpu::CpuState;
use crate::linux::syscall::nr;
use crate::linux::Thread;
use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::GETPID, "getpid", sys_getpid, &[]),
    row(nr::SETNS, "setns", sys_setns, &[Fd, Hex]),
    row(nr::KCMP, "kcmp", sys_kcmp, &[I32, I32, I32, Hex, Hex]),
    row(nr::GETPPID, "getppid", sys_getppid, &[]),
    row(nr::GETTID, "gettid", sys_gettid, &[]),
    row(nr::GETUID, "getuid", sys_getuid, &[]),
    row(nr::GETEUID, "geteuid", sys_geteuid, &[]),
    row(nr::GETGID, "getgid", sys_getgid, &[]),
    row(nr::GETEGID, "getegid", sys_getegid, &[]),
    row(nr::GETRESUID, "getresuid", sys_getresuid, &[Ptr, Ptr, Ptr]),
    row(nr::GETRESGID, "getresgid", sys_getresgid, &[Ptr, Ptr, Ptr]),
    row(nr::GETGROUPS, "getgroups", sys_getgroups, &[I32, Ptr]),
    row(nr::SETGROUPS, "setgroups", sys_setgroups, &[I32, Ptr]),
    row(nr::SETUID, "setuid", sys_setuid, &[I32]),
    row(nr::SETGID, "setgid", sys_setgid, &[I32]),
    row(nr::SETREUID, "setreuid", sys_setreuid, &[I32, I32]),
    row(nr::SETREGID, "setregid", sys_setregid, &[I32, I32]),
    row(nr::SETRESUID, "setresuid", sys_setresuid, &[I32, I32, I32]),
    row(nr::SETRESGID, "setresgid", sys_setresgid, &[I32, I32, I32]),
    row(nr::SETFSUID, "setfsuid", sys_setfsuid, &[I32]),
    row(nr::SETFSGID, "setfsgid", sys_setfsgid, &[I32]),
    row(nr::GETPGID, "getpgid", sys_getpgid, &[I32]),
    row(nr::SETPGID, "setpgid", sys_setpgid, &[I32, I32]),
    row(nr::GETSID, "getsid", sys_getsid, &[I32]),
    // Guest threads are host threads and the emulator has no per-process state that the
    // flags could split (cwd, fd table, namespaces are the kernel's): pass it through.
    row(nr::UNSHARE, "unshare", sys_unshare, &[Hex]),
    row(nr::SETSID, "setsid", sys_setsid, &[]),
    row(nr::SET_TID_ADDRESS, "set_tid_address", sys_set_tid_address, &[Ptr]),
    row(nr::SET_ROBUST_LIST, "set_robust_list", sys_set_robust_list, &[Ptr, Int]),
    row(nr::GET_ROBUST_LIST, "get_robust_list", sys_get_robust_list, &[I32, Ptr, Ptr]),
    row(nr::RSEQ, "rseq", sys_rseq, &[Ptr, Int, Hex, Hex]),
    row(nr::WAIT4, "wait4", sys_wait4, &[I32, Ptr, Hex, Ptr]),
    row(nr::WAITID, "waitid", sys_waitid, &[I32, I32, Ptr, Hex, Ptr]),
    row(nr::PERSONALITY, "personality", sys_personality, &[Hex]),
    row(nr::CAPGET, "capget", sys_capget, &[Ptr, Ptr]),
    row(nr::CAPSET, "capset", sys_capset, &[Ptr, Ptr]),
    // Guest pids are host pids. PIDFD_NONBLOCK (O_NONBLOCK) and PIDFD_THREAD (O_EXCL) have the
    // same values on both architectures.
    row(nr::PIDFD_OPEN, "pidfd_open", sys_pidfd_open, &[I32, Hex]),
    // The target descriptor belongs to the other process; it is taken as it is there.
    row(nr::PIDFD_GETFD, "pidfd_getfd", sys_pidfd_getfd, &[Fd, I32, Hex]),
];

pass! {
    sys_setns => SYS_setns;
    sys_kcmp => SYS_kcmp;
    sys_pidfd_open => SYS_pidfd_open;
    sys_pidfd_getfd => SYS_pidfd_getfd;
    sys_unshare => SYS_unshare;
    sys_getpid => SYS_getpid;
    sys_getppid => SYS_getppid;
    sys_gettid => SYS_gettid;
    sys_getuid => SYS_getuid;
    sys_geteuid => SYS_geteuid;
    sys_getgid => SYS_getgid;
    sys_getegid => SYS_getegid;
    sys_getresuid => SYS_getresuid;
    sys_getresgid => SYS_getresgid;
    sys_getgroups => SYS_getgroups;
    sys_setgroups => SYS_setgroups;
    sys_setuid => SYS_setuid;
    sys_setgid => SYS_setgid;
    sys_setreuid => SYS_setreuid;
    sys_setregid => SYS_setregid;
    sys_setresuid => SYS_setresuid;
    sys_setresgid => SYS_setresgid;
    sys_setfsuid => SYS_setfsuid;
    sys_setfsgid => SYS_setfsgid;
    sys_getpgid => SYS_getpgid;
    sys_setpgid => SYS_setpgid;
    sys_getsid => SYS_getsid;
    sys_setsid => SYS_setsid;
    sys_capget => SYS_capget;
    sys_capset => SYS_capset;
}

/// wait4: the host call, then a status naming a signal (killed by, stopped by) in guest
/// numbers (`signal::map`: an emulated child dies by the host signal carrying its guest one).
fn sys_wait4(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = safe6(libc::SYS_wait4, a);
    if r > 0 && a[1] != 0 {
        if let Ok(b) = super::read_guest::<4>(a[1]) {
            let status = guest_wait_status(i32::from_le_bytes(b));
            let _ = write_guest(a[1], &status.to_le_bytes());
        }
    }
    r
}

/// A host wait status with its signal numbers in guest numbers.
fn guest_wait_status(status: i32) -> i32 {
    let to_guest = |s: i32| crate::linux::signal::map::to_guest(s).unwrap_or(s);
    let low = status & 0x7f;
    if status & 0xff == 0x7f {
        // stopped: the signal in bits 15:8 (ptrace event bits above stay)
        (status & !0xff00) | to_guest((status >> 8) & 0xff) << 8
    } else if low != 0 {
        // killed: the signal in bits 6:0, the core flag in bit 7
        (status & !0x7f) | to_guest(low)
    } else {
        status
    }
}

/// waitid: the host call, then si_status in guest numbers where it is a signal (CLD_KILLED,
/// CLD_DUMPED, CLD_TRAPPED, CLD_STOPPED).
fn sys_waitid(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = safe6(libc::SYS_waitid, a);
    if r == 0 && a[2] != 0 {
        if let Ok(b) = super::read_guest::<28>(a[2]) {
            let code = i32::from_le_bytes([b[8], b[9], b[10], b[11]]);
            let status = i32::from_le_bytes([b[24], b[25], b[26], b[27]]);
            if (2..=5).contains(&code) {
                let g = crate::linux::signal::map::to_guest(status).unwrap_or(status);
                let _ = write_guest(a[2] + 24, &g.to_le_bytes());
            }
        }
    }
    r
}

thread_local! {
    /// The guest thread's clear_child_tid (set_tid_address / CLONE_CHILD_CLEARTID).
    pub static CLEAR_CHILD_TID: Cell<u64> = const { Cell::new(0) };
    /// The guest thread's robust futex list head and its length (set_robust_list).
    pub static ROBUST_LIST: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// The guest's execution domain (personality(2)); the host's is left alone.
static PERSONALITY: AtomicU32 = AtomicU32::new(0);

fn gettid() -> i64 {
    host6(libc::SYS_gettid, [0; 6])
}

/// set_tid_address(tidptr): records clear_child_tid, returns the caller's tid.
fn sys_set_tid_address(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    CLEAR_CHILD_TID.with(|c| c.set(a[0]));
    gettid()
}

/// sizeof(struct robust_list_head) on arm64: list.next, futex_offset, list_op_pending.
const ROBUST_LIST_HEAD_SIZE: u64 = 24;

fn sys_set_robust_list(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[1] != ROBUST_LIST_HEAD_SIZE {
        return EINVAL;
    }
    ROBUST_LIST.with(|c| c.set((a[0], a[1])));
    0
}

/// get_robust_list(pid, head_ptr, len_ptr): answers for the calling thread. Another thread's
/// guest list is not known to this thread: other pids give ESRCH.
fn sys_get_robust_list(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let pid = a[0] as i32;
    if pid != 0 && i64::from(pid) != gettid() {
        return -(libc::ESRCH as i64);
    }
    let (head, _) = ROBUST_LIST.with(|c| c.get());
    if let Err(e) = write_guest(a[2], &ROBUST_LIST_HEAD_SIZE.to_le_bytes()) {
        return e;
    }
    match write_guest(a[1], &head.to_le_bytes()) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

/// rseq: restartable sequences need the emulator to abort guest critical sections on
/// preemption; not provided. glibc falls back when it gets ENOSYS.
fn sys_rseq(_p: &mut Thread, _c: &mut CpuState, _a: [u64; 6]) -> i64 {
    -(libc::ENOSYS as i64)
}

/// personality(persona): 0xffffffff queries; anything else sets and returns the old value.
fn sys_personality(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let want = a[0] as u32;
    if want == 0xffff_ffff {
        return i64::from(PERSONALITY.load(Ordering::Relaxed));
    }
    i64::from(PERSONALITY.swap(want, Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    #[test]
    fn wait_status_signals_in_guest_numbers() {
        use super::guest_wait_status;
        assert_eq!(guest_wait_status(0x0300), 0x0300, "exited 3");
        assert_eq!(guest_wait_status(9), 9, "killed by SIGKILL");
        assert_eq!(guest_wait_status(34), 32, "killed by host 34 = guest 32");
        assert_eq!(guest_wait_status(0x80 | 36), 0x80 | 34, "core flag kept");
        assert_eq!(guest_wait_status(0x137f), 0x137f, "stopped by SIGSTOP");
        assert_eq!(guest_wait_status(0x237f), 0x217f, "stopped by host 35 = guest 33");
        assert_eq!(guest_wait_status(0xffff), 0xffff, "continued");
    }

    use super::*;

    #[test]
    fn robust_list_tid_personality() {
        let mut p = crate::linux::syscall::test_process();
        let mut c = CpuState::new();
        assert_eq!(sys_set_robust_list(&mut p, &mut c, [0x1234, 23, 0, 0, 0, 0]), EINVAL);
        assert_eq!(sys_set_robust_list(&mut p, &mut c, [0x1234, 24, 0, 0, 0, 0]), 0);
        let (mut head, mut len) = (0u64, 0u64);
        let hp = &mut head as *mut u64 as u64;
        let lp = &mut len as *mut u64 as u64;
        assert_eq!(sys_get_robust_list(&mut p, &mut c, [0, hp, lp, 0, 0, 0]), 0);
        assert_eq!((head, len), (0x1234, 24));
        assert_eq!(sys_get_robust_list(&mut p, &mut c, [0, 8, lp, 0, 0, 0]), super::super::EFAULT);
        let tid = sys_set_tid_address(&mut p, &mut c, [0x5678, 0, 0, 0, 0, 0]);
        assert_eq!(tid, gettid());
        assert_eq!(CLEAR_CHILD_TID.with(|c| c.get()), 0x5678);
        assert_eq!(sys_rseq(&mut p, &mut c, [0; 6]), -(libc::ENOSYS as i64));
        assert_eq!(sys_personality(&mut p, &mut c, [0xffff_ffff, 0, 0, 0, 0, 0]), 0);
    }
}
