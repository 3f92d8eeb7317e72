//! System information and control: uname, sethostname/setdomainname, sysinfo, getrandom,
//! prctl, resource limits and usage, scheduler calls (sched_setattr/sched_getattr included),
//! I/O priorities, membarrier, getcpu, syslog, acct, swapon/swapoff.
//!
//! Invariants: `uname` reports machine "aarch64" and the `-r` release if given, everything
//! else from the host. prctl passes only options that are architecture-neutral and safe for
//! the emulator to share with the guest; arm64-specific options (SVE, SME, PAC, MTE tagged
//! addresses) answer -EINVAL as a kernel on a CPU without those features does, and the rest
//! (x86-specific, seccomp, ...) -EINVAL. struct rlimit/rusage/sysinfo/sched_param/cpu_set are
//! identical on both sides (tests/abi.rs), as is struct sched_attr (fixed-size fields only).
//! The guest's own RLIMIT_AS, RLIMIT_DATA and RLIMIT_STACK are virtual ([`VIRTUAL_LIMITS`]):
//! on the host they would limit the emulator's own mappings and allocations too (the code
//! cache, the translator's buffer), so a guest capping its address space at a size it
//! fits in natively would see its mmaps fail and the emulator abort. qemu-aarch64 ignores
//! them likewise; here getrlimit/prlimit64 at least report what the guest set.

use super::{host6, pass, read_guest, row, write_guest, Arg, Syscall, EINVAL};
use crate::cpu::CpuState;
use crate::linux::syscall::nr;
use crate::linux::Thread;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::UNAME, "uname", sys_uname, &[Ptr]),
    row(nr::SYSINFO, "sysinfo", sys_sysinfo, &[Ptr]),
    row(nr::GETRANDOM, "getrandom", sys_getrandom, &[Buf, Int, Hex]),
    row(nr::PRCTL, "prctl", sys_prctl, &[I32, Hex, Hex, Hex, Hex]),
    row(nr::GETRLIMIT, "getrlimit", sys_getrlimit, &[I32, Ptr]),
    row(nr::SETRLIMIT, "setrlimit", sys_setrlimit, &[I32, Ptr]),
    row(nr::PRLIMIT64, "prlimit64", sys_prlimit64, &[I32, I32, Ptr, Ptr]),
    row(nr::GETRUSAGE, "getrusage", sys_getrusage, &[I32, Ptr]),
    row(nr::GETPRIORITY, "getpriority", sys_getpriority, &[I32, I32]),
    row(nr::SETPRIORITY, "setpriority", sys_setpriority, &[I32, I32, I32]),
    row(nr::SCHED_YIELD, "sched_yield", sys_sched_yield, &[]),
    row(nr::SCHED_GETAFFINITY, "sched_getaffinity", sys_sched_getaffinity, &[I32, Int, Ptr]),
    row(nr::SCHED_SETAFFINITY, "sched_setaffinity", sys_sched_setaffinity, &[I32, Int, Ptr]),
    row(nr::SCHED_GETPARAM, "sched_getparam", sys_sched_getparam, &[I32, Ptr]),
    row(nr::SCHED_SETPARAM, "sched_setparam", sys_sched_setparam, &[I32, Ptr]),
    row(nr::SCHED_GETSCHEDULER, "sched_getscheduler", sys_sched_getscheduler, &[I32]),
    row(nr::SCHED_SETSCHEDULER, "sched_setscheduler", sys_sched_setscheduler, &[I32, I32, Ptr]),
    row(nr::SCHED_GET_PRIORITY_MAX, "sched_get_priority_max", sys_sched_get_priority_max, &[I32]),
    row(nr::SCHED_GET_PRIORITY_MIN, "sched_get_priority_min", sys_sched_get_priority_min, &[I32]),
    row(nr::SCHED_RR_GET_INTERVAL, "sched_rr_get_interval", sys_sched_rr_get_interval, &[I32, Ptr]),
    row(nr::GETCPU, "getcpu", sys_getcpu, &[Ptr, Ptr, Ptr]),
    // struct sched_attr (linux/sched/types.h) is the same on every architecture; the kernel
    // reads and writes it, including the size handshake.
    row(nr::SCHED_SETATTR, "sched_setattr", sys_sched_setattr, &[I32, Ptr, Hex]),
    row(nr::SCHED_GETATTR, "sched_getattr", sys_sched_getattr, &[I32, Ptr, Int, Hex]),
    row(nr::IOPRIO_SET, "ioprio_set", sys_ioprio_set, &[I32, I32, Hex]),
    row(nr::IOPRIO_GET, "ioprio_get", sys_ioprio_get, &[I32, I32]),
    // Guest threads are host threads, so every membarrier command (including the SYNC_CORE
    // ones, which arm64 supports as x86_64 does) means the same on the host.
    row(nr::MEMBARRIER, "membarrier", sys_membarrier, &[I32, Hex, I32]),
    row(nr::SETHOSTNAME, "sethostname", sys_sethostname, &[Buf, Int]),
    row(nr::SETDOMAINNAME, "setdomainname", sys_setdomainname, &[Buf, Int]),
    row(nr::SYSLOG, "syslog", sys_syslog, &[I32, Buf, I32]),
    row(nr::ACCT, "acct", sys_acct, &[Str]),
    row(nr::SWAPON, "swapon", sys_swapon, &[Str, Hex]),
    row(nr::SWAPOFF, "swapoff", sys_swapoff, &[Str]),
];

pass! {
    sys_syslog => SYS_syslog;
    sys_acct => SYS_acct;
    sys_swapon => SYS_swapon;
    sys_swapoff => SYS_swapoff;
    sys_sysinfo => SYS_sysinfo;
    sys_getrandom => SYS_getrandom;
    sys_getrusage => SYS_getrusage;
    sys_getpriority => SYS_getpriority;
    sys_setpriority => SYS_setpriority;
    sys_sched_yield => SYS_sched_yield;
    sys_sched_getaffinity => SYS_sched_getaffinity;
    sys_sched_setaffinity => SYS_sched_setaffinity;
    sys_sched_getparam => SYS_sched_getparam;
    sys_sched_setparam => SYS_sched_setparam;
    sys_sched_getscheduler => SYS_sched_getscheduler;
    sys_sched_setscheduler => SYS_sched_setscheduler;
    sys_sched_get_priority_max => SYS_sched_get_priority_max;
    sys_sched_get_priority_min => SYS_sched_get_priority_min;
    sys_sched_rr_get_interval => SYS_sched_rr_get_interval;
    sys_getcpu => SYS_getcpu;
    sys_sched_setattr => SYS_sched_setattr;
    sys_sched_getattr => SYS_sched_getattr;
    sys_ioprio_set => SYS_ioprio_set;
    sys_ioprio_get => SYS_ioprio_get;
    sys_membarrier => SYS_membarrier;
    sys_sethostname => SYS_sethostname;
    sys_setdomainname => SYS_setdomainname;
}

/// The guest's limits for the resources it may not set on the host (see the module doc),
/// by resource: `None` until it sets one (the host's value stands until then). Shared by
/// the process's threads, inherited over fork, and handed over an execve to the new
/// emulator (`-rlimits`, [`virtual_limits`]).
static VIRTUAL_LIMITS: std::sync::Mutex<[Option<libc::rlimit>; 3]> = std::sync::Mutex::new([None; 3]);

/// Start with the limits a guest's execve handed over (`-rlimits`); returns the RLIMIT_STACK
/// soft limit now in effect for the guest (the host's unless handed over), which sizes its
/// stack (`config::stack_size`).
pub fn init_virtual_limits(given: &[Option<(u64, u64)>; 3]) -> u64 {
    let mut limits = VIRTUAL_LIMITS.lock().unwrap_or_else(|e| e.into_inner());
    for (slot, l) in limits.iter_mut().zip(given) {
        *slot = l.map(|(soft, hard)| libc::rlimit { rlim_cur: soft, rlim_max: hard });
    }
    match limits[2] {
        Some(l) => l.rlim_cur,
        None => {
            let mut l = libc::rlimit { rlim_cur: libc::RLIM_INFINITY, rlim_max: libc::RLIM_INFINITY };
            // SAFETY: getrlimit fills `l`.
            unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut l) };
            l.rlim_cur
        }
    }
}

/// The limits the guest has set on the virtual resources (for `-rlimits` at execve).
pub fn virtual_limits() -> [Option<(u64, u64)>; 3] {
    let limits = VIRTUAL_LIMITS.lock().unwrap_or_else(|e| e.into_inner());
    limits.map(|l| l.map(|l| (l.rlim_cur, l.rlim_max)))
}

/// The index of `resource` in [`VIRTUAL_LIMITS`], if it is virtual.
fn virtual_slot(resource: u64) -> Option<usize> {
    match resource as u32 {
        libc::RLIMIT_AS => Some(0),
        libc::RLIMIT_DATA => Some(1),
        libc::RLIMIT_STACK => Some(2),
        _ => None,
    }
}

/// Whether a prlimit64 `pid` names the calling process.
fn is_self(pid: u64) -> bool {
    let pid = pid as i32;
    // SAFETY: plain queries of our own ids.
    pid == 0 || pid == unsafe { libc::getpid() } || pid == unsafe { libc::gettid() }
}

/// prlimit64 on the calling process for a virtual `resource` (slot `k`): `old` (guest
/// address, 0 for none) receives the current limit, then `new` (0 for none) replaces it
/// with the kernel's checks (soft above hard: EINVAL; a hard limit raised without
/// CAP_SYS_RESOURCE: EPERM, judged by the effective uid).
fn virtual_prlimit(resource: u64, k: usize, new: u64, old: u64) -> i64 {
    let mut limits = VIRTUAL_LIMITS.lock().unwrap_or_else(|e| e.into_inner());
    let current = match limits[k] {
        Some(l) => l,
        None => {
            let mut l = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            let r = host6(libc::SYS_prlimit64, [0, resource, 0, &mut l as *mut libc::rlimit as u64, 0, 0]);
            if r < 0 {
                return r;
            }
            l
        }
    };
    let wanted = if new != 0 {
        let b = match read_guest::<16>(new) {
            Ok(b) => b,
            Err(e) => return e,
        };
        let cur = u64::from_le_bytes(b[..8].try_into().unwrap());
        let max = u64::from_le_bytes(b[8..].try_into().unwrap());
        if cur > max {
            return EINVAL;
        }
        // SAFETY: a plain query.
        if max > current.rlim_max && unsafe { libc::geteuid() } != 0 {
            return -(libc::EPERM as i64);
        }
        Some(libc::rlimit { rlim_cur: cur, rlim_max: max })
    } else {
        None
    };
    if old != 0 {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&current.rlim_cur.to_le_bytes());
        b[8..].copy_from_slice(&current.rlim_max.to_le_bytes());
        if let Err(e) = write_guest(old, &b) {
            return e;
        }
    }
    if wanted.is_some() {
        limits[k] = wanted;
    }
    0
}

fn sys_getrlimit(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    match virtual_slot(a[0]) {
        Some(k) => virtual_prlimit(a[0], k, 0, a[1]),
        None => host6(libc::SYS_getrlimit, a),
    }
}

fn sys_setrlimit(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    match virtual_slot(a[0]) {
        Some(k) => virtual_prlimit(a[0], k, a[1], 0),
        None => host6(libc::SYS_setrlimit, a),
    }
}

fn sys_prlimit64(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    match virtual_slot(a[1]) {
        Some(k) if is_self(a[0]) => virtual_prlimit(a[1], k, a[2], a[3]),
        _ => host6(libc::SYS_prlimit64, a),
    }
}

/// Length of each `struct new_utsname` field.
const UTS_LEN: usize = 65;

fn sys_uname(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    uname(p.cfg.uname_release.as_deref(), a[0])
}

fn uname(release: Option<&str>, addr: u64) -> i64 {
    // SAFETY: utsname is plain data filled by the host kernel.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    let r = host6(libc::SYS_uname, [&mut u as *mut libc::utsname as u64, 0, 0, 0, 0, 0]);
    if r < 0 {
        return r;
    }
    let set = |field: &mut [libc::c_char; UTS_LEN], s: &str| {
        field.fill(0);
        for (d, &b) in field.iter_mut().zip(s.as_bytes().iter().take(UTS_LEN - 1)) {
            *d = b as libc::c_char;
        }
    };
    set(&mut u.machine, "aarch64");
    if let Some(rel) = release {
        set(&mut u.release, rel);
    }
    // SAFETY: utsname is repr(C) plain bytes (6 * 65).
    let bytes = unsafe {
        std::slice::from_raw_parts(&u as *const libc::utsname as *const u8, std::mem::size_of::<libc::utsname>())
    };
    match write_guest(addr, bytes) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

// prctl options (linux/prctl.h) that pass through.
const PR_SET_PDEATHSIG: i32 = 1;
const PR_GET_PDEATHSIG: i32 = 2;
const PR_GET_DUMPABLE: i32 = 3;
const PR_SET_DUMPABLE: i32 = 4;
const PR_GET_KEEPCAPS: i32 = 7;
const PR_SET_KEEPCAPS: i32 = 8;
const PR_GET_TIMING: i32 = 13;
const PR_SET_NAME: i32 = 15;
const PR_GET_NAME: i32 = 16;
const PR_CAPBSET_READ: i32 = 23;
const PR_GET_TIMERSLACK: i32 = 30;
const PR_SET_TIMERSLACK: i32 = 29;
const PR_GET_SECUREBITS: i32 = 27;
const PR_SET_CHILD_SUBREAPER: i32 = 36;
const PR_GET_CHILD_SUBREAPER: i32 = 37;
const PR_SET_NO_NEW_PRIVS: i32 = 38;
const PR_GET_NO_NEW_PRIVS: i32 = 39;
const PR_SET_THP_DISABLE: i32 = 41;
const PR_GET_THP_DISABLE: i32 = 42;
const PR_CAP_AMBIENT: i32 = 47;
const PR_SET_VMA: i32 = 0x5356_4d41;

fn sys_prctl(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    prctl(a)
}

fn prctl(a: [u64; 6]) -> i64 {
    use crate::linux::signal::map;
    match a[0] as i32 {
        // the parent-death signal in host numbers (0 clears it)
        PR_SET_PDEATHSIG => match (a[1], map::to_host(a[1] as i32)) {
            (0, _) => host6(libc::SYS_prctl, a),
            (_, Some(h)) if a[1] <= 64 => host6(libc::SYS_prctl, [a[0], h as u64, a[2], a[3], a[4], a[5]]),
            _ => super::EINVAL,
        },
        PR_GET_PDEATHSIG => {
            let mut host = 0i32;
            let r = host6(libc::SYS_prctl, [a[0], &mut host as *mut i32 as u64, 0, 0, 0, 0]);
            if r < 0 {
                return r;
            }
            let sig = map::to_guest(host).unwrap_or(host);
            match write_guest(a[1], &sig.to_le_bytes()) {
                Ok(()) => r,
                Err(e) => e,
            }
        }
        PR_GET_DUMPABLE
        | PR_SET_DUMPABLE
        | PR_GET_KEEPCAPS
        | PR_SET_KEEPCAPS
        | PR_GET_TIMING
        | PR_SET_NAME
        | PR_GET_NAME
        | PR_CAPBSET_READ
        | PR_GET_TIMERSLACK
        | PR_SET_TIMERSLACK
        | PR_GET_SECUREBITS
        | PR_SET_CHILD_SUBREAPER
        | PR_GET_CHILD_SUBREAPER
        | PR_SET_NO_NEW_PRIVS
        | PR_GET_NO_NEW_PRIVS
        | PR_SET_THP_DISABLE
        | PR_GET_THP_DISABLE
        | PR_CAP_AMBIENT
        | PR_SET_VMA => host6(libc::SYS_prctl, a),
        // PR_SVE_SET_VL/GET_VL (50/51), PR_PAC_RESET_KEYS (54), PR_SET/GET_TAGGED_ADDR_CTRL
        // (55/56), PR_PAC_SET/GET_ENABLED_KEYS (60/61), PR_SME_SET/GET_VL (63/64): the features
        // are not advertised, so the kernel answers EINVAL. Seccomp filters would apply to the
        // emulator's own host syscalls, x86-only options do not exist on arm64: EINVAL too.
        _ => EINVAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uname_machine_and_release() {
        let mut u = [0xffu8; 390];
        assert_eq!(uname(Some("9.9.9-test"), u.as_mut_ptr() as u64), 0);
        let field = |i: usize| {
            let f = &u[i * UTS_LEN..(i + 1) * UTS_LEN];
            String::from_utf8_lossy(&f[..f.iter().position(|&c| c == 0).unwrap()]).into_owned()
        };
        assert_eq!(field(0), "Linux");
        assert_eq!(field(2), "9.9.9-test");
        assert_eq!(field(4), "aarch64");
        assert_eq!(uname(None, 8), super::super::EFAULT);
    }

    #[test]
    fn prctl_filters() {
        let mut name = [0u8; 16];
        assert_eq!(prctl([PR_GET_NAME as u64, name.as_mut_ptr() as u64, 0, 0, 0, 0]), 0);
        assert!(name.contains(&0));
        assert_eq!(prctl([50, 0, 0, 0, 0, 0]), EINVAL);
        assert_eq!(prctl([22, 2, 0, 0, 0, 0]), EINVAL, "PR_SET_SECCOMP refused");
        assert!(prctl([PR_GET_DUMPABLE as u64, 0, 0, 0, 0, 0]) >= 0);
    }
}
