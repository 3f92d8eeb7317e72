//! Process and identity syscalls: exit, exit_group, getpid, ...

use super::{host_result, nr, Arg, Syscall};
use crate::cpu::CpuState;
use crate::linux::Process;
use crate::GuestExit;

pub static SYSCALLS: &[Syscall] = &[
    Syscall { nr: nr::WRITE, name: "write", handler: sys_write, args: &[Arg::Fd, Arg::Buf, Arg::Int] },
    Syscall { nr: nr::EXIT, name: "exit", handler: sys_exit, args: &[Arg::Int] },
    Syscall { nr: nr::EXIT_GROUP, name: "exit_group", handler: sys_exit_group, args: &[Arg::Int] },
];

fn sys_write(_p: &mut Process, _cpu: &mut CpuState, a: [u64; 6]) -> i64 {
    // SAFETY: guest addr == host addr; the kernel validates the buffer (EFAULT).
    host_result(unsafe { libc::syscall(libc::SYS_write, a[0] as i32, a[1], a[2]) })
}

fn sys_exit(p: &mut Process, _cpu: &mut CpuState, a: [u64; 6]) -> i64 {
    // Only one guest thread for now: exit of the last thread ends the process.
    p.exit = Some(GuestExit::Exited((a[0] & 0xff) as i32));
    0
}

fn sys_exit_group(p: &mut Process, _cpu: &mut CpuState, a: [u64; 6]) -> i64 {
    p.exit = Some(GuestExit::Exited((a[0] & 0xff) as i32));
    0
}
