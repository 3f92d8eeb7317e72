//! POSIX message queues: mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_getsetattr.
//!
//! Invariants: struct mq_attr (four longs and four reserved ones) and struct timespec have the
//! same 64-bit layout on both sides, so everything but mq_open's flags passes to the host
//! unchanged. mq_open's flags are open flags: the ones that differ between the
//! architectures (O_DIRECT, O_LARGEFILE, ...) are translated ([`abi::oflags_to_host`]) because
//! the kernel hands them to the open of the queue file.
//!
//! mq_notify is not provided (ENOSYS, as from qemu-aarch64 7.2): its struct sigevent names a
//! signal to deliver, which belongs with the guest/host signal-number mapping.
//!
//! SysV IPC (shmget/shmat/semget/msgget/...) is not provided: semctl's struct semid64_ds
//! differs between x86_64 and arm64's asm-generic layout, and shmat/shmdt map and unmap guest
//! memory that the translator must learn about.

use super::{host6, pass, row, Arg, Syscall};
use crate::cpu::CpuState;
use crate::linux::abi;
use crate::linux::syscall::nr;
use crate::linux::Thread;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::MQ_OPEN, "mq_open", sys_mq_open, &[Str, OFlags, Oct, Ptr]),
    row(nr::MQ_UNLINK, "mq_unlink", sys_mq_unlink, &[Str]),
    row(nr::MQ_TIMEDSEND, "mq_timedsend", sys_mq_timedsend, &[Fd, Buf, Int, I32, Ptr]),
    row(nr::MQ_TIMEDRECEIVE, "mq_timedreceive", sys_mq_timedreceive, &[Fd, Buf, Int, Ptr, Ptr]),
    row(nr::MQ_GETSETATTR, "mq_getsetattr", sys_mq_getsetattr, &[Fd, Ptr, Ptr]),
];

pass! {
    sys_mq_unlink => SYS_mq_unlink;
    sys_mq_timedsend => SYS_mq_timedsend;
    sys_mq_timedreceive => SYS_mq_timedreceive;
    sys_mq_getsetattr => SYS_mq_getsetattr;
}

/// mq_open(name, oflag, mode, attr): the open flags in host values.
fn sys_mq_open(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let mut b = a;
    b[1] = u64::from(abi::oflags_to_host(a[1] as u32));
    host6(libc::SYS_mq_open, b)
}
