//! The emulator's own descriptor (`exec::SelfExe`, kept for re-executing itself) is not the
//! guest's: every call runs through [`call`], which makes it look closed, as it is under the
//! kernel (and qemu-user).
//!
//! - An argument the table marks `Fd` or `Dirfd` that names it is replaced by [`NOT_AN_FD`], a
//!   number above the largest descriptor the kernel allows (fs.nr_open), so the host kernel
//!   itself answers as for a closed descriptor, in its own order of checks: EBADF for read,
//!   fstat, close, dup, fcntl, an *at call with a relative path; nothing for an absolute path or
//!   an anonymous mmap, where the kernel ignores the descriptor.
//! - When the guest creates a descriptor at its number (dup3 onto it, fcntl F_DUPFD from it) it
//!   moves to a higher number first ([`super::exec::SelfExe::relocate`]). When a call that
//!   allocates the lowest free descriptor (open, socket, dup, ...) returned one above it, the
//!   kernel would have returned its number: it moves and the new descriptor takes its place
//!   (dup3 onto the old copy, atomically, then close). Known difference: that close drops
//!   POSIX locks the process holds on the same file, and pipe2, socketpair and received
//!   SCM_RIGHTS descriptors are not moved down.
//! - close_range over its number closes the rest of the range around it.
//! - pidfd_getfd of its number through a pidfd of this process is EBADF.
//!
//! Descriptors inside memory (poll sets, fd_sets, SCM_RIGHTS) are not looked at.

use super::{nr, Arg, Syscall};
use crate::cpu::CpuState;
use crate::linux::Thread;

/// A descriptor number no process can have open: fs.nr_open is at most 2^31 - 64 (fs/file.c).
pub const NOT_AN_FD: u64 = 0x7fff_ffff;

const EBADF: i64 = -(libc::EBADF as i64);

/// Run `s`'s handler for the guest with the emulator's own descriptor hidden.
pub fn call(p: &mut Thread, cpu: &mut CpuState, s: &Syscall, mut a: [u64; 6]) -> i64 {
    let Some(own) = p.self_exe.fd() else { return (s.handler)(p, cpu, a) };
    let is_dupfd = |cmd: u64| matches!(cmd as i32, libc::F_DUPFD | libc::F_DUPFD_CLOEXEC);
    match s.nr {
        nr::CLOSE_RANGE => return close_range(p, cpu, s, own, a),
        // The guest takes our number: move away first; the host call then replaces or reuses it.
        nr::DUP3 if a[1] as i32 == own => p.self_exe.relocate_and_close(own),
        nr::FCNTL if is_dupfd(a[1]) && a[2] as i32 == own => p.self_exe.relocate_and_close(own),
        nr::PIDFD_GETFD if a[1] as i32 == own && is_own_pidfd(a[0] as i32) => return EBADF,
        _ => {}
    }
    // Our descriptor may have just moved.
    let own = p.self_exe.fd();
    for (i, kind) in s.args.iter().enumerate() {
        if matches!(kind, Arg::Fd | Arg::Dirfd) && Some(a[i] as i32) == own {
            a[i] = NOT_AN_FD;
        }
    }
    let r = (s.handler)(p, cpu, a);
    let Some(own) = own else { return r };
    if r > i64::from(own) && r <= i64::from(i32::MAX) && lowest_at_most(s.nr, &a, own) {
        return take_number(p, own, r as i32);
    }
    r
}

/// Whether call `nr` allocated the lowest free descriptor from a start at or below `own`.
fn lowest_at_most(n: u32, a: &[u64; 6], own: i32) -> bool {
    match n {
        nr::OPENAT
        | nr::OPENAT2
        | nr::DUP
        | nr::EVENTFD2
        | nr::TIMERFD_CREATE
        | nr::INOTIFY_INIT1
        | nr::MEMFD_CREATE
        | nr::EPOLL_CREATE1
        | nr::SOCKET
        | nr::ACCEPT
        | nr::ACCEPT4
        | nr::PIDFD_OPEN
        | nr::PIDFD_GETFD
        | nr::MQ_OPEN => true,
        nr::SIGNALFD4 => a[0] as i32 == -1,
        nr::FCNTL => matches!(a[1] as i32, libc::F_DUPFD | libc::F_DUPFD_CLOEXEC) && a[2] as i32 <= own,
        _ => false,
    }
}

/// The guest's new descriptor `fd` should have been `own`: move ours and put it there.
fn take_number(p: &Thread, own: i32, fd: i32) -> i64 {
    // SAFETY: fcntl, dup3 and close on the guest's new descriptor and our own old copy.
    unsafe {
        let cloexec = libc::fcntl(fd, libc::F_GETFD) & libc::FD_CLOEXEC != 0;
        if !p.self_exe.relocate(own, fd + 1) {
            return i64::from(fd);
        }
        if libc::dup3(fd, own, if cloexec { libc::O_CLOEXEC } else { 0 }) != own {
            libc::close(own);
            return i64::from(fd);
        }
        libc::close(fd);
    }
    i64::from(own)
}

/// close_range(first, last, flags) around our descriptor.
fn close_range(p: &mut Thread, cpu: &mut CpuState, s: &Syscall, own: i32, a: [u64; 6]) -> i64 {
    let (first, last, flags) = (a[0] as u32, a[1] as u32, a[2]);
    let own = own as u32;
    // CLOSE_RANGE_CLOEXEC only marks descriptors close-on-exec, which ours is.
    if first > last || !(first..=last).contains(&own) || flags & u64::from(libc::CLOSE_RANGE_CLOEXEC) != 0 {
        return (s.handler)(p, cpu, a);
    }
    let mut r = 0;
    if first < own {
        r = (s.handler)(p, cpu, [u64::from(first), u64::from(own - 1), flags, 0, 0, 0]);
        if r < 0 {
            return r;
        }
    }
    if own < last {
        r = (s.handler)(p, cpu, [u64::from(own + 1), u64::from(last), flags, 0, 0, 0]);
    } else if first == own {
        // Nothing to close: still let the kernel check the flags and unshare.
        r = (s.handler)(p, cpu, [NOT_AN_FD, NOT_AN_FD, flags, 0, 0, 0]);
    }
    r
}

/// Whether `pidfd` is a pidfd of this process (its fdinfo's `Pid:` line).
fn is_own_pidfd(pidfd: i32) -> bool {
    let Ok(info) = std::fs::read_to_string(format!("/proc/self/fdinfo/{pidfd}")) else { return false };
    info.lines().any(|l| l.strip_prefix("Pid:").map(str::trim) == Some(&std::process::id().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_an_fd_is_never_open() {
        // SAFETY: fcntl on a number that cannot be a descriptor.
        let r = unsafe { libc::fcntl(NOT_AN_FD as i32, libc::F_GETFD) };
        assert_eq!(r, -1);
        assert_eq!(std::io::Error::last_os_error().raw_os_error(), Some(libc::EBADF));
        assert!(NOT_AN_FD as i32 > 2_147_483_584 - 1);
    }
}
