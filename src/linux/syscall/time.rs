//! Time syscalls: clocks, sleeps, gettimeofday/settimeofday, adjtimex/clock_adjtime, times,
//! interval timers, POSIX timers.
//!
//! Invariants: struct timespec, timeval, itimerspec, itimerval and tms have the same 64-bit
//! layout on both sides (tests/abi.rs), so every call passes to the host. They go through the
//! real syscalls, not the host vDSO, so results are the kernel's own.

use super::{host6, pass, pass_safe, row, Arg, Syscall};
use crate::cpu::CpuState;
use crate::linux::syscall::nr;
use crate::linux::Thread;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::CLOCK_GETTIME, "clock_gettime", sys_clock_gettime, &[I32, Ptr]),
    row(nr::CLOCK_GETRES, "clock_getres", sys_clock_getres, &[I32, Ptr]),
    row(nr::CLOCK_NANOSLEEP, "clock_nanosleep", sys_clock_nanosleep, &[I32, Hex, Ptr, Ptr]),
    row(nr::GETTIMEOFDAY, "gettimeofday", sys_gettimeofday, &[Ptr, Ptr]),
    row(nr::NANOSLEEP, "nanosleep", sys_nanosleep, &[Ptr, Ptr]),
    row(nr::TIMES, "times", sys_times, &[Ptr]),
    row(nr::GETITIMER, "getitimer", sys_getitimer, &[I32, Ptr]),
    row(nr::SETITIMER, "setitimer", sys_setitimer, &[I32, Ptr, Ptr]),
    // struct sigevent (asm-generic/siginfo.h) is 64 bytes with the same layout on both
    // 64-bit ABIs; SIGEV_THREAD_ID names a host (== guest) thread id; the signal is converted
    // (`signal::map`).
    row(nr::TIMER_CREATE, "timer_create", sys_timer_create, &[I32, Ptr, Ptr]),
    row(nr::TIMER_SETTIME, "timer_settime", sys_timer_settime, &[I32, Hex, Ptr, Ptr]),
    row(nr::TIMER_GETTIME, "timer_gettime", sys_timer_gettime, &[I32, Ptr]),
    row(nr::TIMER_GETOVERRUN, "timer_getoverrun", sys_timer_getoverrun, &[I32]),
    row(nr::TIMER_DELETE, "timer_delete", sys_timer_delete, &[I32]),
    row(nr::CLOCK_SETTIME, "clock_settime", sys_clock_settime, &[I32, Ptr]),
    row(nr::SETTIMEOFDAY, "settimeofday", sys_settimeofday, &[Ptr, Ptr]),
    // struct timex (linux/timex.h: longs and ints, then padding) is the same on both 64-bit
    // ABIs.
    row(nr::ADJTIMEX, "adjtimex", sys_adjtimex, &[Ptr]),
    row(nr::CLOCK_ADJTIME, "clock_adjtime", sys_clock_adjtime, &[I32, Ptr]),
];

pass! {
    sys_settimeofday => SYS_settimeofday;
    sys_adjtimex => SYS_adjtimex;
    sys_clock_adjtime => SYS_clock_adjtime;
    sys_clock_gettime => SYS_clock_gettime;
    sys_clock_getres => SYS_clock_getres;
    sys_gettimeofday => SYS_gettimeofday;
    sys_times => SYS_times;
    sys_getitimer => SYS_getitimer;
    sys_setitimer => SYS_setitimer;
    sys_timer_settime => SYS_timer_settime;
    sys_timer_gettime => SYS_timer_gettime;
    sys_timer_getoverrun => SYS_timer_getoverrun;
    sys_timer_delete => SYS_timer_delete;
    sys_clock_settime => SYS_clock_settime;
}

// Calls that may block: through `safe6` (see `signal`'s notes on blocking syscalls).
pass_safe! {
    sys_clock_nanosleep => SYS_clock_nanosleep;
    sys_nanosleep => SYS_nanosleep;
}

/// timer_create(clock, sevp, timerid): a copy of the sigevent with its signal (for
/// SIGEV_SIGNAL and SIGEV_THREAD_ID) in host numbers; the guest C library's SIGEV_THREAD
/// timers use its signal 32, which must not reach the host's.
fn sys_timer_create(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[1] == 0 {
        return host6(libc::SYS_timer_create, a);
    }
    let ev = match host_sigevent(a[1], false) {
        Ok(ev) => ev,
        Err(e) => return e,
    };
    host6(libc::SYS_timer_create, [a[0], ev.as_ptr() as u64, a[2], 0, 0, 0])
}

/// A copy of the guest's struct sigevent at `addr` (64 bytes, the same layout on both
/// 64-bit ABIs) with the signal of SIGEV_SIGNAL and SIGEV_THREAD_ID in host numbers
/// (`signal::map`); EINVAL for a signal with no host carrier. `zero_ok`: signal 0 stays 0
/// (mq_notify takes it as "no signal"; timer_create refuses it, as the host kernel will).
/// Other kinds (SIGEV_NONE, SIGEV_THREAD) pass unchanged.
pub(super) fn host_sigevent(addr: u64, zero_ok: bool) -> Result<[u8; 64], i64> {
    let mut ev = super::read_guest::<64>(addr)?;
    let notify = i32::from_le_bytes([ev[12], ev[13], ev[14], ev[15]]);
    const SIGEV_SIGNAL: i32 = 0;
    const SIGEV_THREAD_ID: i32 = 4;
    if notify & !SIGEV_THREAD_ID == SIGEV_SIGNAL {
        let sig = i32::from_le_bytes([ev[8], ev[9], ev[10], ev[11]]);
        if !(zero_ok && sig == 0) {
            let host = crate::linux::signal::map::to_host(sig).ok_or(super::EINVAL)?;
            ev[8..12].copy_from_slice(&host.to_le_bytes());
        }
    }
    Ok(ev)
}
