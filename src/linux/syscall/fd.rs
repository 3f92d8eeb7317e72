//! File-descriptor I/O syscalls: read/write families, close, lseek, dup, fcntl, ioctl, pipe2,
//! splice family, event/timer/signal/inotify/memfd descriptors, epoll, ppoll/pselect6.
//!
//! Invariants: buffers and iovecs have the same layout on both sides and pass to the host
//! unchanged. Open flags are translated ([`abi::oflags_to_host`]) wherever they cross
//! (fcntl F_GETFL/F_SETFL, pipe2). `struct epoll_event` differs (16 bytes on arm64, packed 12
//! on x86_64): epoll_ctl converts through a host copy, the epoll waits let the host write its
//! events into the guest's array and widen them in place. All ioctl numbers and argument
//! structs the guest can reach were checked equal (tests/abi.rs), so ioctl passes through.

use super::{
    host6, pass, pass_safe, read_guest, read_guest_vec, row, safe6, write_guest, Arg, Syscall, EFAULT, EINVAL,
};
use crate::cpu::CpuState;
use crate::linux::abi::{self, GuestEpollEvent};
use crate::linux::signal::map;
use crate::linux::syscall::nr;
use crate::linux::Thread;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::READ, "read", sys_read, &[Fd, Buf, Int]),
    row(nr::WRITE, "write", sys_write, &[Fd, Buf, Int]),
    row(nr::READV, "readv", sys_readv, &[Fd, Ptr, Int]),
    row(nr::WRITEV, "writev", sys_writev, &[Fd, Ptr, Int]),
    row(nr::PREAD64, "pread64", sys_pread64, &[Fd, Buf, Int, Int]),
    row(nr::PWRITE64, "pwrite64", sys_pwrite64, &[Fd, Buf, Int, Int]),
    row(nr::PREADV, "preadv", sys_preadv, &[Fd, Ptr, Int, Int]),
    row(nr::PWRITEV, "pwritev", sys_pwritev, &[Fd, Ptr, Int, Int]),
    row(nr::PREADV2, "preadv2", sys_preadv2, &[Fd, Ptr, Int, Int, Int, Hex]),
    row(nr::PWRITEV2, "pwritev2", sys_pwritev2, &[Fd, Ptr, Int, Int, Int, Hex]),
    row(nr::CLOSE, "close", sys_close, &[Fd]),
    row(nr::CLOSE_RANGE, "close_range", sys_close_range, &[Fd, Fd, Hex]),
    row(nr::LSEEK, "lseek", sys_lseek, &[Fd, Int, I32]),
    row(nr::DUP, "dup", sys_dup, &[Fd]),
    row(nr::DUP3, "dup3", sys_dup3, &[Fd, Fd, OFlags]),
    row(nr::FCNTL, "fcntl", sys_fcntl, &[Fd, I32, Hex]),
    row(nr::IOCTL, "ioctl", sys_ioctl, &[Fd, Hex, Hex]),
    row(nr::PIPE2, "pipe2", sys_pipe2, &[Ptr, OFlags]),
    row(nr::FLOCK, "flock", sys_flock, &[Fd, I32]),
    row(nr::SENDFILE, "sendfile", sys_sendfile, &[Fd, Fd, Ptr, Int]),
    row(nr::SPLICE, "splice", sys_splice, &[Fd, Ptr, Fd, Ptr, Int, Hex]),
    row(nr::TEE, "tee", sys_tee, &[Fd, Fd, Int, Hex]),
    row(nr::VMSPLICE, "vmsplice", sys_vmsplice, &[Fd, Ptr, Int, Hex]),
    row(nr::COPY_FILE_RANGE, "copy_file_range", sys_copy_file_range, &[Fd, Ptr, Fd, Ptr, Int, Hex]),
    row(nr::EVENTFD2, "eventfd2", sys_eventfd2, &[Int, Hex]),
    row(nr::TIMERFD_CREATE, "timerfd_create", sys_timerfd_create, &[I32, Hex]),
    row(nr::TIMERFD_SETTIME, "timerfd_settime", sys_timerfd_settime, &[Fd, Hex, Ptr, Ptr]),
    row(nr::TIMERFD_GETTIME, "timerfd_gettime", sys_timerfd_gettime, &[Fd, Ptr]),
    row(nr::SIGNALFD4, "signalfd4", sys_signalfd4, &[Fd, Ptr, Int, Hex]),
    row(nr::INOTIFY_INIT1, "inotify_init1", sys_inotify_init1, &[Hex]),
    row(nr::INOTIFY_ADD_WATCH, "inotify_add_watch", sys_inotify_add_watch, &[Fd, Str, Hex]),
    row(nr::INOTIFY_RM_WATCH, "inotify_rm_watch", sys_inotify_rm_watch, &[Fd, I32]),
    row(nr::MEMFD_CREATE, "memfd_create", sys_memfd_create, &[Str, Hex]),
    row(nr::EPOLL_CREATE1, "epoll_create1", sys_epoll_create1, &[Hex]),
    row(nr::EPOLL_CTL, "epoll_ctl", sys_epoll_ctl, &[Fd, I32, Fd, Ptr]),
    row(nr::EPOLL_PWAIT, "epoll_pwait", sys_epoll_pwait, &[Fd, Ptr, I32, I32, Ptr, Int]),
    row(nr::EPOLL_PWAIT2, "epoll_pwait2", sys_epoll_pwait2, &[Fd, Ptr, I32, Ptr, Ptr, Int]),
    row(nr::PPOLL, "ppoll", sys_ppoll, &[Ptr, Int, Ptr, Ptr, Int]),
    row(nr::PSELECT6, "pselect6", sys_pselect6, &[I32, Ptr, Ptr, Ptr, Ptr, Ptr]),
];

pass! {
    sys_pread64 => SYS_pread64;
    sys_pwrite64 => SYS_pwrite64;
    sys_preadv => SYS_preadv;
    sys_pwritev => SYS_pwritev;
    sys_pwritev2 => SYS_pwritev2;
    sys_close_range => SYS_close_range;
    sys_lseek => SYS_lseek;
    sys_vmsplice => SYS_vmsplice;
    sys_copy_file_range => SYS_copy_file_range;
    sys_eventfd2 => SYS_eventfd2;
    sys_timerfd_create => SYS_timerfd_create;
    sys_timerfd_settime => SYS_timerfd_settime;
    sys_timerfd_gettime => SYS_timerfd_gettime;
    sys_inotify_init1 => SYS_inotify_init1;
    sys_inotify_add_watch => SYS_inotify_add_watch;
    sys_inotify_rm_watch => SYS_inotify_rm_watch;
    sys_memfd_create => SYS_memfd_create;
    sys_epoll_create1 => SYS_epoll_create1;
}

// Calls that may block: through `safe6` (see `signal`'s notes on blocking syscalls).
pass_safe! {
    // (ioctl: TCSBRK/TCSETSW/TCSETSF wait for output to drain, TIOCMIWAIT for a modem line,
    // device ioctls for their devices; qemu-aarch64 makes every ioctl a safe_syscall too)
    sys_ioctl => SYS_ioctl;
    sys_write => SYS_write;
    sys_writev => SYS_writev;
    sys_flock => SYS_flock;
    sys_sendfile => SYS_sendfile;
    sys_splice => SYS_splice;
    sys_tee => SYS_tee;
}

/// fcntl: F_GETFL/F_SETFL translate the open flags; every other command has the same number
/// and argument layout on both sides (struct flock, f_owner_ex: checked in tests/abi.rs).
fn sys_fcntl(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    fcntl(a)
}

fn fcntl(a: [u64; 6]) -> i64 {
    let cmd = a[1] as i32;
    match cmd {
        libc::F_GETFL => {
            let r = host6(libc::SYS_fcntl, a);
            if r < 0 {
                r
            } else {
                i64::from(abi::oflags_from_host(r as u32))
            }
        }
        libc::F_SETFL => {
            let mut b = a;
            b[2] = u64::from(abi::oflags_to_host(a[2] as u32));
            host6(libc::SYS_fcntl, b)
        }
        // the I/O signal in host numbers (0 means SIGIO; `signal::map`)
        abi::HOST_F_SETSIG => match (a[2], map::to_host(a[2] as i32)) {
            (0, _) => host6(libc::SYS_fcntl, a),
            (s, Some(h)) if s <= 64 => host6(libc::SYS_fcntl, [a[0], a[1], h as u64, a[3], a[4], a[5]]),
            _ => EINVAL,
        },
        HOST_F_GETSIG => {
            let r = host6(libc::SYS_fcntl, a);
            if r > 0 {
                i64::from(map::to_guest(r as i32).unwrap_or(r as i32))
            } else {
                r
            }
        }
        // waits for a lock: may block (a SIGALRM timeout is the classic way out)
        libc::F_SETLKW | libc::F_OFD_SETLKW => safe6(libc::SYS_fcntl, a),
        libc::F_DUPFD | libc::F_DUPFD_CLOEXEC => {
            let r = host6(libc::SYS_fcntl, a);
            signalfd::duplicated(a[0] as i32, r);
            r
        }
        _ => host6(libc::SYS_fcntl, a),
    }
}

/// F_GETSIG (asm-generic/fcntl.h; the same number on both sides).
const HOST_F_GETSIG: i32 = 11;

/// A guest signal set argument (`set`, 8 bytes), for the calls that take a mask to apply
/// while they wait; `None` for a null pointer. (Its size argument goes to the host as the
/// guest gave it: the kernel checks it.)
fn guest_sigset(set: u64) -> Result<Option<u64>, i64> {
    if set == 0 {
        return Ok(None);
    }
    read_guest::<8>(set).map(|b| Some(u64::from_le_bytes(b)))
}

/// [`with_host_sigset`] for a mask applied while the call waits: after -EINTR, a signal that
/// mask lets through is delivered under it (`signal::after_temp_mask_wait`).
fn wait_with_sigmask(p: &mut Thread, a: [u64; 6], k: usize, call: impl FnOnce([u64; 6]) -> i64) -> i64 {
    let (r, temp) = with_host_sigset(a, k, call);
    if let (Some(t), true) = (temp, r == -(libc::EINTR as i64)) {
        crate::linux::signal::after_temp_mask_wait(p, t);
    }
    r
}

/// Run `call` with argument `k` (a guest sigset pointer, or null) replaced by the set
/// in host numbers; the result, and the guest set (`None` for null or when it cannot be read).
fn with_host_sigset(mut a: [u64; 6], k: usize, call: impl FnOnce([u64; 6]) -> i64) -> (i64, Option<u64>) {
    let guest = match guest_sigset(a[k]) {
        Ok(t) => t,
        Err(e) => return (e, None),
    };
    let host = map::set_to_host(guest.unwrap_or(0));
    if guest.is_some() {
        a[k] = &host as *const u64 as u64;
    }
    (call(a), guest)
}

/// ppoll(fds, nfds, tmo, sigmask, sigsetsize): the mask in host numbers.
fn sys_ppoll(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    wait_with_sigmask(p, a, 3, |b| safe6(libc::SYS_ppoll, b))
}

/// signalfd4(fd, mask, sizemask, flags): the mask in host numbers. The descriptor is recorded
/// ([`signalfd`]) so that reads give ssi_signo in guest numbers.
fn sys_signalfd4(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let (r, _) = with_host_sigset(a, 1, |b| host6(libc::SYS_signalfd4, b));
    if r >= 0 {
        signalfd::add(r as i32);
    }
    r
}

fn sys_read(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = safe6(libc::SYS_read, a);
    if r >= signalfd::SIZE as i64 && signalfd::is_one(a[0] as i32) {
        signalfd::to_guest(&[(a[1], r as u64)], r as u64);
    }
    r
}

/// readv and preadv2 (whose offset -1 reads like readv): signalfd structs may straddle iovecs.
fn readv_like(host_nr: libc::c_long, a: [u64; 6]) -> i64 {
    let r = safe6(host_nr, a);
    if r >= signalfd::SIZE as i64 && signalfd::is_one(a[0] as i32) {
        let n = (a[2] as usize).min(1024);
        if let Ok(v) = read_guest_vec(a[1], n * 16) {
            let iov: Vec<(u64, u64)> = v
                .chunks_exact(16)
                .map(|c| {
                    let w = |i: usize| u64::from_le_bytes(c[i..i + 8].try_into().unwrap_or_default());
                    (w(0), w(8))
                })
                .collect();
            signalfd::to_guest(&iov, r as u64);
        }
    }
    r
}

fn sys_readv(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    readv_like(libc::SYS_readv, a)
}

fn sys_preadv2(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    readv_like(libc::SYS_preadv2, a)
}

fn sys_close(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    // Forgotten first: once closed, the number may be a new signalfd's.
    signalfd::remove(a[0] as i32);
    host6(libc::SYS_close, a)
}

fn sys_dup(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = host6(libc::SYS_dup, a);
    signalfd::duplicated(a[0] as i32, r);
    r
}

fn sys_dup3(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = host6(libc::SYS_dup3, a);
    if r >= 0 {
        signalfd::remove(r as i32);
    }
    signalfd::duplicated(a[0] as i32, r);
    r
}

/// Descriptors that were made as signalfds (signalfd4, and dup/dup3/F_DUPFD of one), so that
/// reads from them give ssi_signo in guest numbers: the kernel writes the host's, and
/// real-time signals travel as host numbers 2 higher (`signal::map`).
///
/// Invariants: a read pays for this only when it returned at least one whole struct and some
/// descriptor was ever recorded (one atomic load otherwise). A recorded number is checked
/// against /proc/self/fd (`anon_inode:[signalfd]`) before its bytes are touched, and dropped
/// when it is something else, so a number reused behind the registry's back (closed by
/// close_range, replaced by a dup2 of another process's doing...) is never converted.
/// Not covered: signalfds the process did not make itself (inherited across execve, received
/// by SCM_RIGHTS, taken with pidfd_getfd) read host numbers.
pub mod signalfd {
    use std::collections::BTreeSet;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    /// `struct signalfd_siginfo` (linux/signalfd.h, the same on both): 128 bytes, ssi_signo
    /// (u32) first.
    pub const SIZE: usize = 128;

    static ANY: AtomicBool = AtomicBool::new(false);
    static FDS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

    fn fds() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
        FDS.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add(fd: i32) {
        fds().insert(fd);
        ANY.store(true, Ordering::Release);
    }

    pub fn remove(fd: i32) {
        if ANY.load(Ordering::Acquire) {
            fds().remove(&fd);
        }
    }

    /// `new` (a result) is a duplicate of `old`.
    pub fn duplicated(old: i32, new: i64) {
        if new >= 0 && ANY.load(Ordering::Acquire) && fds().contains(&old) {
            add(new as i32);
        }
    }

    /// Whether `fd` is a recorded signalfd that still is one.
    pub fn is_one(fd: i32) -> bool {
        if !ANY.load(Ordering::Acquire) || !fds().contains(&fd) {
            return false;
        }
        let still = std::fs::read_link(format!("/proc/self/fd/{fd}"))
            .map(|l| l.as_os_str() == "anon_inode:[signalfd]")
            .unwrap_or(false);
        if !still {
            fds().remove(&fd);
        }
        still
    }

    /// Rewrite ssi_signo of the `len / SIZE` structs read into the guest buffers `iov`
    /// (address, length) from host to guest numbers.
    pub fn to_guest(iov: &[(u64, u64)], len: u64) {
        // guest address of each byte of the read, in order
        let at = |off: u64| -> Option<u64> {
            let mut base = 0u64;
            for &(addr, l) in iov {
                if off < base + l {
                    return Some(addr + (off - base));
                }
                base += l;
            }
            None
        };
        for k in 0..len / SIZE as u64 {
            let Some(addrs) = (0..4).map(|i| at(k * SIZE as u64 + i)).collect::<Option<Vec<u64>>>() else { return };
            let mut b = [0u8; 4];
            for (byte, &a) in b.iter_mut().zip(&addrs) {
                let mut one = [0u8; 1];
                if !crate::mem::probe_read(a, &mut one) {
                    return;
                }
                *byte = one[0];
            }
            let host = u32::from_le_bytes(b);
            let Some(guest) = crate::linux::signal::map::to_guest(host as i32) else { continue };
            if guest as u32 == host {
                continue;
            }
            for (&a, byte) in addrs.iter().zip((guest as u32).to_le_bytes()) {
                let _ = crate::mem::probe_write(a, &[byte]);
            }
        }
    }
}

/// pselect6(n, in, out, ex, tmo, sig): `sig` points to { const sigset_t *ss; size_t ss_len },
/// rebuilt around a host set.
fn sys_pselect6(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[5] == 0 {
        return safe6(libc::SYS_pselect6, a);
    }
    wait_with_sigset_pair(p, a[5], |pair| safe6(libc::SYS_pselect6, [a[0], a[1], a[2], a[3], a[4], pair]))
}

/// A `{ const sigset_t *set; size_t size }` pair at guest address `addr` (pselect6's last
/// argument, io_pgetevents' `struct __aio_sigset`): `call` gets the address of a copy in
/// local memory whose set pointer is converted like the other calls' masks (the size passes
/// as given: the host kernel checks it), and the set applies while the call waits.
pub(super) fn wait_with_sigset_pair(p: &mut Thread, addr: u64, call: impl FnOnce(u64) -> i64) -> i64 {
    let sig = match read_guest::<16>(addr) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let ss = u64::from_le_bytes(sig[0..8].try_into().unwrap_or_default());
    let len = u64::from_le_bytes(sig[8..16].try_into().unwrap_or_default());
    let mut pair = [ss, len];
    let pair_at = pair.as_mut_ptr() as u64;
    wait_with_sigmask(p, [pair[0], 0, 0, 0, 0, 0], 0, |b| {
        pair[0] = b[0];
        call(pair_at)
    })
}

/// pipe2: O_DIRECT (packet mode) differs between the architectures.
fn sys_pipe2(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let mut b = a;
    b[1] = u64::from(abi::oflags_to_host(a[1] as u32));
    host6(libc::SYS_pipe2, b)
}

/// epoll_ctl(epfd, op, fd, event): the guest's 16-byte event becomes a packed host one.
fn sys_epoll_ctl(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    epoll_ctl(a)
}

fn epoll_ctl(a: [u64; 6]) -> i64 {
    let op = a[1] as i32;
    // The kernel reads the event for every op except EPOLL_CTL_DEL (ep_op_has_event).
    if op == libc::EPOLL_CTL_DEL || a[3] == 0 {
        return host6(libc::SYS_epoll_ctl, [a[0], a[1], a[2], a[3], 0, 0]);
    }
    let ev = match read_guest::<16>(a[3]) {
        Ok(b) => GuestEpollEvent::from_bytes(&b).to_host(),
        Err(e) => return e,
    };
    host6(libc::SYS_epoll_ctl, [a[0], a[1], a[2], &ev as *const libc::epoll_event as u64, 0, 0])
}

/// EP_MAX_EVENTS for the guest's 16-byte events (fs/eventpoll.c).
const EP_MAX_EVENTS: i64 = (i32::MAX as i64) / 16;
/// Size of the host's packed `struct epoll_event`.
const HOST_EV: usize = size_of::<libc::epoll_event>();

/// epoll_pwait/epoll_pwait2: up to `maxevents` events, as many as the kernel has ready.
///
/// The host kernel writes its packed 12-byte events straight into the guest's array (which
/// has room for `maxevents` 16-byte ones, so for as many 12-byte ones), and they are then
/// widened in place: no host buffer sized by `maxevents`, and one host call, so no event is
/// lost, duplicated or reordered. The emulator's only copy is of the `r` events returned.
/// A guest array with an unwritable hole may have taken the host's `r` packed events but not
/// `r` guest ones: the events that fit are returned (the kernel stops at the first event it
/// cannot store as well), the others were consumed.
fn epoll_wait_common(a: [u64; 6], host_nr: libc::c_long) -> i64 {
    let maxevents = a[2] as i32 as i64;
    if maxevents <= 0 || maxevents > EP_MAX_EVENTS {
        return EINVAL;
    }
    let r = safe6(host_nr, [a[0], a[1], maxevents as u64, a[3], a[4], a[5]]);
    if r <= 0 {
        return r;
    }
    let n = r as usize;
    let packed = match read_guest_vec(a[1], n * HOST_EV) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let mut out = Vec::with_capacity(n * 16);
    for h in packed.chunks_exact(HOST_EV) {
        let ev = libc::epoll_event {
            events: u32::from_ne_bytes([h[0], h[1], h[2], h[3]]),
            u64: u64::from_ne_bytes([h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11]]),
        };
        out.extend_from_slice(&GuestEpollEvent::from_host(&ev).to_bytes());
    }
    if write_guest(a[1], &out).is_ok() {
        return r;
    }
    // Some slot is not writable: return the events before it, or EFAULT when there are none.
    let fit =
        out.chunks_exact(16).enumerate().take_while(|&(i, ev)| write_guest(a[1] + i as u64 * 16, ev).is_ok()).count();
    if fit == 0 {
        EFAULT
    } else {
        fit as i64
    }
}

fn sys_epoll_pwait(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if !events_writable(a[1], a[2]) {
        return EFAULT;
    }
    // the mask in host numbers
    wait_with_sigmask(p, a, 4, |b| epoll_wait_common(b, libc::SYS_epoll_pwait))
}

fn sys_epoll_pwait2(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if !events_writable(a[1], a[2]) {
        return EFAULT;
    }
    wait_with_sigmask(p, a, 4, |b| epoll_wait_common(b, libc::SYS_epoll_pwait2))
}

/// access_ok-like check done by ep_poll's caller: the first and last guest event slots must be
/// writable (only checked when maxevents is in range; otherwise EINVAL comes first).
fn events_writable(addr: u64, maxevents: u64) -> bool {
    let m = maxevents as i32 as i64;
    if m <= 0 || m > EP_MAX_EVENTS {
        return true;
    }
    let probe = |at: u64| {
        let mut b = [0u8; 1];
        crate::mem::probe_read(at, &mut b) && crate::mem::probe_write(at, &b)
    };
    probe(addr) && probe(addr.wrapping_add(m as u64 * 16 - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcntl_getfl_translates() {
        // Open a directory with O_DIRECTORY (host value) and read its flags back through the
        // guest translation.
        let fd = unsafe { libc::open(c"/".as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY) };
        assert!(fd >= 0);
        let g = fcntl([fd as u64, libc::F_GETFL as u64, 0, 0, 0, 0]) as u32;
        assert_ne!(g & abi::O_DIRECTORY, 0);
        assert_ne!(g & abi::O_LARGEFILE, 0, "x86_64 forces O_LARGEFILE, guest sees its own bit");
        assert_eq!(g & libc::O_DIRECTORY as u32 & !abi::O_DIRECTORY, 0);
        // F_SETFL with the guest's O_NONBLOCK|O_DIRECT(arm64 value) sets the host bits.
        let mut fds = [0i32; 2];
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let want = libc::O_NONBLOCK as u32 | abi::O_DIRECT;
        assert_eq!(fcntl([fds[1] as u64, libc::F_SETFL as u64, want as u64, 0, 0, 0]), 0);
        let host = unsafe { libc::fcntl(fds[1], libc::F_GETFL) };
        assert_ne!(host & libc::O_NONBLOCK, 0);
        assert_ne!(host & libc::O_DIRECT, 0);
        let g = fcntl([fds[1] as u64, libc::F_GETFL as u64, 0, 0, 0, 0]) as u32;
        assert_eq!(g & (libc::O_NONBLOCK as u32 | abi::O_DIRECT), want);
        unsafe {
            libc::close(fd);
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
    }

    #[test]
    fn signalfd_structs_convert_across_iovecs() {
        let mut buf = [0u8; 256];
        buf[0..4].copy_from_slice(&37u32.to_le_bytes()); // host SIGRTMIN+3 = guest 35
        buf[128..132].copy_from_slice(&10u32.to_le_bytes());
        let base = buf.as_mut_ptr() as u64;
        // split inside the first ssi_signo and elsewhere
        signalfd::to_guest(&[(base, 1), (base + 1, 2), (base + 3, 200), (base + 203, 53)], 256);
        assert_eq!(u32::from_le_bytes(buf[0..4].try_into().unwrap()), 35);
        assert_eq!(u32::from_le_bytes(buf[128..132].try_into().unwrap()), 10);
        // a short iovec list stops the walk without a fault
        buf[128..132].copy_from_slice(&40u32.to_le_bytes());
        signalfd::to_guest(&[(base, 130)], 256);
        assert_eq!(u32::from_le_bytes(buf[128..132].try_into().unwrap()), 40);
    }

    #[test]
    fn epoll_events_convert() {
        let ep = host6(libc::SYS_epoll_create1, [0; 6]);
        assert!(ep >= 0);
        let mut fds = [0i32; 2];
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let guest_ev = GuestEpollEvent { events: libc::EPOLLIN as u32, __pad: 0xdead, data: 0x1234_5678_9abc_def0 };
        let gb = guest_ev.to_bytes();
        let r = epoll_ctl([ep as u64, libc::EPOLL_CTL_ADD as u64, fds[0] as u64, gb.as_ptr() as u64, 0, 0]);
        assert_eq!(r, 0);
        assert_eq!(unsafe { libc::write(fds[1], b"x".as_ptr().cast(), 1) }, 1);
        let mut out = [0xffu8; 32];
        let r = epoll_wait_common([ep as u64, out.as_mut_ptr() as u64, 2, 0, 0, 8], libc::SYS_epoll_pwait);
        assert_eq!(r, 1);
        let got = GuestEpollEvent::from_bytes(out[..16].try_into().unwrap());
        assert_eq!(got.events, libc::EPOLLIN as u32);
        assert_eq!(got.data, 0x1234_5678_9abc_def0);
        assert_eq!(&out[4..8], &[0, 0, 0, 0]);
        assert_eq!(out[16], 0xff, "only one event written");
        assert_eq!(epoll_wait_common([ep as u64, out.as_mut_ptr() as u64, 0, 0, 0, 8], libc::SYS_epoll_pwait), EINVAL);
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
            libc::close(ep as i32);
        }
    }
}
