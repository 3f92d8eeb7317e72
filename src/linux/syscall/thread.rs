//! Thread syscalls: clone, clone3, exit, exit_group, futex, futex_waitv.
//!
//! clone and clone3 decode their arguments into one [`CloneArgs`] and validate them as the
//! kernel does (kernel/fork.c: `copy_process`, `clone3_args_valid`); a thread
//! (CLONE_VM|CLONE_THREAD) starts on a new host thread ([`crate::linux::thread::spawn`]); a new
//! process (no CLONE_VM, or CLONE_VM|CLONE_VFORK) is a host fork ([`super::exec::fork`]).
//! Combinations the emulator cannot give exact semantics for are refused with EINVAL, as
//! qemu-user refuses them: CLONE_VM without CLONE_THREAD or CLONE_VFORK (a second process in our
//! address space), a thread that does not share files, fs and signal handlers, and a new
//! process sharing them or entering new namespaces.
//!
//! futex words are guest memory at host addresses and `struct timespec`/`struct futex_waitv`
//! have the same layout on both sides, so every futex operation (WAIT, WAKE, REQUEUE,
//! CMP_REQUEUE, WAKE_OP, WAIT_BITSET, WAKE_BITSET, the PI operations, PRIVATE, CLOCK_REALTIME)
//! is the host's own: the kernel checks the operation and the pointers. PI owners are tids, and
//! guest tids are host tids.
//!
//! Invariants: exit sets `Thread::exit`; exit_group also sets `Thread::exit_group`; the run
//! loop returns and `linux::thread` applies the exit rules on the exiting thread itself.

use super::{pass_safe, read_guest_vec, row, Arg, Ret, Syscall, EINVAL};
use crate::cpu::CpuState;
use crate::linux::syscall::nr;
use crate::linux::thread::*;
use crate::linux::Thread;
use crate::GuestExit;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    Syscall { ret: Ret::NoReturn, ..row(nr::EXIT, "exit", sys_exit, &[I32]) },
    Syscall { ret: Ret::NoReturn, ..row(nr::EXIT_GROUP, "exit_group", sys_exit_group, &[I32]) },
    row(nr::CLONE, "clone", sys_clone, &[Hex, Ptr, Ptr, Ptr, Ptr]),
    row(nr::CLONE3, "clone3", sys_clone3, &[Ptr, Int]),
    row(nr::FUTEX, "futex", sys_futex, &[Ptr, I32, I32, Ptr, Ptr, I32]),
    row(nr::FUTEX_WAITV, "futex_waitv", sys_futex_waitv, &[Ptr, I32, Hex, Ptr, I32]),
];

// Calls that may block: through `safe6` (see `signal`'s notes on blocking syscalls).
pass_safe! {
    sys_futex => SYS_futex;
    sys_futex_waitv => SYS_futex_waitv;
}

fn sys_exit(p: &mut Thread, _cpu: &mut CpuState, a: [u64; 6]) -> i64 {
    p.exit = Some(GuestExit::Exited((a[0] & 0xff) as i32));
    0
}

fn sys_exit_group(p: &mut Thread, _cpu: &mut CpuState, a: [u64; 6]) -> i64 {
    p.exit = Some(GuestExit::Exited((a[0] & 0xff) as i32));
    p.exit_group = true;
    0
}

/// clone(flags, newsp, parent_tid, tls, child_tid): the arm64 (CONFIG_CLONE_BACKWARDS) order.
fn sys_clone(p: &mut Thread, cpu: &mut CpuState, a: [u64; 6]) -> i64 {
    let flags = a[0] & 0xffff_ffff;
    // Legacy clone has one slot for both; the kernel refuses the pair.
    if flags & CLONE_PIDFD != 0 && flags & CLONE_PARENT_SETTID != 0 {
        return EINVAL;
    }
    let args = CloneArgs {
        flags: flags & !CSIGNAL,
        exit_signal: flags & CSIGNAL,
        stack: a[1],
        parent_tid: a[2],
        tls: a[3],
        child_tid: a[4],
        pidfd: a[2],
    };
    clone(p, cpu, &args)
}

/// `struct clone_args` sizes (include/uapi/linux/sched.h): VER0 ends after `tls`, VER1 adds
/// `set_tid`/`set_tid_size`, VER2 `cgroup`.
const CLONE_ARGS_SIZE_VER0: u64 = 64;
const CLONE_ARGS_SIZE_VER2: u64 = 88;
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;

/// Decode and check a guest `struct clone_args` of `size` bytes at `addr` (clone3's
/// copy_clone_args_from_user and clone3_args_valid).
fn clone3_args(addr: u64, size: u64) -> Result<CloneArgs, i64> {
    if size > crate::mem::PAGE_SIZE {
        return Err(-(libc::E2BIG as i64));
    }
    if size < CLONE_ARGS_SIZE_VER0 {
        return Err(EINVAL);
    }
    let raw = read_guest_vec(addr, size as usize)?;
    // Fields past the ones this kernel knows must be zero.
    if raw.iter().skip(CLONE_ARGS_SIZE_VER2 as usize).any(|&b| b != 0) {
        return Err(-(libc::E2BIG as i64));
    }
    let field = |i: usize| -> u64 {
        raw.get(i * 8..i * 8 + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes).unwrap_or(0)
    };
    let (flags, pidfd, child_tid, parent_tid, exit_signal) = (field(0), field(1), field(2), field(3), field(4));
    let (stack, stack_size, tls, set_tid, set_tid_size) = (field(5), field(6), field(7), field(8), field(9));
    if set_tid_size > 32 || (set_tid == 0 && set_tid_size > 0) || (set_tid != 0 && set_tid_size == 0) {
        return Err(EINVAL);
    }
    if exit_signal & !CSIGNAL != 0 {
        return Err(EINVAL);
    }
    if flags & !(0xffff_ffff | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP) != 0 {
        return Err(EINVAL);
    }
    if flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND) == CLONE_SIGHAND | CLONE_CLEAR_SIGHAND {
        return Err(EINVAL);
    }
    if flags & (CLONE_THREAD | CLONE_PARENT) != 0 && exit_signal != 0 {
        return Err(EINVAL);
    }
    if (stack == 0) != (stack_size == 0) {
        return Err(EINVAL);
    }
    // Choosing pids (set_tid) needs CAP_SYS_ADMIN over the pid namespace, and placing the
    // child in a cgroup a cgroup2 fd: neither can be given to a host fork or thread.
    if set_tid_size != 0 || flags & (CLONE_INTO_CGROUP | CLONE_CLEAR_SIGHAND) != 0 {
        return Err(EINVAL);
    }
    Ok(CloneArgs {
        flags,
        exit_signal,
        // The stack grows down on arm64: the child's sp is the top of the area.
        stack: stack.wrapping_add(stack_size),
        parent_tid,
        tls,
        child_tid,
        pidfd,
    })
}

/// clone3(args, size)
fn sys_clone3(p: &mut Thread, cpu: &mut CpuState, a: [u64; 6]) -> i64 {
    match clone3_args(a[0], a[1]) {
        Ok(args) => clone(p, cpu, &args),
        Err(e) => e,
    }
}

/// Flags a new process may carry (it shares nothing with us but what fork shares).
const FORK_ALLOWED: u64 = CLONE_VFORK
    | CLONE_VM
    | CLONE_PIDFD
    | CLONE_SETTLS
    | CLONE_PARENT_SETTID
    | CLONE_CHILD_SETTID
    | CLONE_CHILD_CLEARTID
    | CLONE_DETACHED
    | CLONE_UNTRACED
    | CLONE_PTRACE
    | CLONE_IO
    | CLONE_SYSVSEM;

/// The kernel's own consistency rules (copy_process), then the emulator's choice of host
/// mechanism.
fn clone(p: &mut Thread, cpu: &mut CpuState, a: &CloneArgs) -> i64 {
    let f = a.flags;
    if f & CLONE_THREAD != 0 && f & CLONE_SIGHAND == 0 {
        return EINVAL;
    }
    if f & CLONE_SIGHAND != 0 && f & CLONE_VM == 0 {
        return EINVAL;
    }
    if f & CLONE_THREAD != 0 {
        if f & THREAD_REQUIRED != THREAD_REQUIRED || f & !(THREAD_REQUIRED | THREAD_OPTIONAL) != 0 {
            return EINVAL;
        }
        return spawn(p, cpu, a);
    }
    if f & CLONE_VM != 0 && f & CLONE_VFORK == 0 {
        return EINVAL;
    }
    if f & !FORK_ALLOWED != 0 {
        return EINVAL;
    }
    super::exec::fork(p, cpu, a)
}

#[cfg(test)]
mod tests {
    use super::super::host6;
    use super::*;

    fn args3(v: &[u64]) -> Vec<u64> {
        let mut w = v.to_vec();
        w.resize(11, 0);
        w
    }

    #[test]
    fn clone3_decoding_and_checks() {
        let glibc_thread = THREAD_REQUIRED | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
        let s = args3(&[glibc_thread, 0, 0x10, 0x20, 0, 0x1000, 0x800, 0x30]);
        let a = clone3_args(s.as_ptr() as u64, 88).unwrap();
        assert_eq!(
            a,
            CloneArgs {
                flags: glibc_thread,
                stack: 0x1800,
                parent_tid: 0x20,
                child_tid: 0x10,
                tls: 0x30,
                pidfd: 0,
                exit_signal: 0
            }
        );
        assert_eq!(clone3_args(s.as_ptr() as u64, 64).unwrap().stack, 0x1800);
        assert_eq!(clone3_args(s.as_ptr() as u64, 56), Err(EINVAL));
        assert_eq!(clone3_args(s.as_ptr() as u64, 8192), Err(-(libc::E2BIG as i64)));
        assert_eq!(clone3_args(8, 64), Err(super::super::EFAULT));
        // Unknown trailing fields must be zero.
        let mut big = args3(&[0, 0, 0, 0, 17]);
        big.push(1);
        assert_eq!(clone3_args(big.as_ptr() as u64, 96), Err(-(libc::E2BIG as i64)));
        big[11] = 0;
        assert_eq!(clone3_args(big.as_ptr() as u64, 96).unwrap().exit_signal, 17);
        // A stack without a size, a thread with an exit signal, a bad signal.
        assert_eq!(clone3_args(args3(&[0, 0, 0, 0, 17, 0x1000]).as_ptr() as u64, 88), Err(EINVAL));
        assert_eq!(clone3_args(args3(&[glibc_thread, 0, 0, 0, 17]).as_ptr() as u64, 88), Err(EINVAL));
        assert_eq!(clone3_args(args3(&[0, 0, 0, 0, 256]).as_ptr() as u64, 88), Err(EINVAL));
        assert_eq!(clone3_args(args3(&[1 << 40]).as_ptr() as u64, 88), Err(EINVAL));
    }

    #[test]
    fn clone_flag_rules() {
        let mut p = crate::linux::syscall::test_process();
        let mut c = CpuState::new();
        // THREAD without SIGHAND, SIGHAND without VM, VM alone, a thread without FILES.
        for f in [CLONE_THREAD | CLONE_VM, CLONE_SIGHAND, CLONE_VM, THREAD_REQUIRED & !CLONE_FILES] {
            assert_eq!(sys_clone(&mut p, &mut c, [f, 0, 0, 0, 0, 0]), EINVAL, "flags {f:#x}");
        }
        // A new process cannot share the fd table.
        assert_eq!(sys_clone(&mut p, &mut c, [CLONE_FILES | 17, 0, 0, 0, 0, 0]), EINVAL);
        assert_eq!(sys_clone(&mut p, &mut c, [CLONE_PIDFD | CLONE_PARENT_SETTID | 17, 0, 0, 0, 0, 0]), EINVAL);
    }

    #[test]
    fn futex_passes_through() {
        let mut p = crate::linux::syscall::test_process();
        let mut c = CpuState::new();
        let word = 5u32;
        let w = &word as *const u32 as u64;
        // FUTEX_WAIT|PRIVATE with a value that differs: EAGAIN at once.
        assert_eq!(sys_futex(&mut p, &mut c, [w, 128, 6, 0, 0, 0]), -(libc::EAGAIN as i64));
        // FUTEX_WAKE with no waiter: 0; a bad op: ENOSYS; a bad address: EFAULT.
        assert_eq!(sys_futex(&mut p, &mut c, [w, 129, 1, 0, 0, 0]), 0);
        assert_eq!(sys_futex(&mut p, &mut c, [w, 99, 1, 0, 0, 0]), -(libc::ENOSYS as i64));
        assert_eq!(sys_futex(&mut p, &mut c, [8, 128, 5, 0, 0, 0]), super::super::EFAULT);
        // A timed wait (relative timespec, same layout) times out.
        let ts = libc::timespec { tv_sec: 0, tv_nsec: 1_000_000 };
        let r = sys_futex(&mut p, &mut c, [w, 128, 5, &ts as *const _ as u64, 0, 0]);
        assert_eq!(r, -(libc::ETIMEDOUT as i64));
        assert_eq!(host6(libc::SYS_futex, [w, 129, 1, 0, 0, 0]), 0);
    }

    #[test]
    fn exit_and_exit_group() {
        let mut p = crate::linux::syscall::test_process();
        let mut c = CpuState::new();
        assert_eq!(sys_exit(&mut p, &mut c, [0x1ff, 0, 0, 0, 0, 0]), 0);
        assert_eq!((p.exit, p.exit_group), (Some(GuestExit::Exited(0xff)), false));
        assert_eq!(sys_exit_group(&mut p, &mut c, [3, 0, 0, 0, 0, 0]), 0);
        assert_eq!((p.exit, p.exit_group), (Some(GuestExit::Exited(3)), true));
    }
}
