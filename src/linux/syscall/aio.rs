//! Linux native AIO: io_setup, io_destroy, io_submit, io_cancel, io_getevents, io_pgetevents.
//!
//! Invariants: struct iocb and struct io_event are made of fixed-size fields laid out the same
//! on both little-endian 64-bit architectures (linux/aio_abi.h; tests/abi.rs), and so is the
//! completion ring the kernel maps into the process at io_setup (libaio reads it in user
//! space): guest addresses are host addresses, so every call but one goes to the host as it
//! is. io_pgetevents' `struct __aio_sigset` points to a signal mask, which is handed over in
//! host numbers and applied while the call waits, as ppoll's. io_getevents and
//! io_pgetevents may block: through `safe6`, and never restarted after a handler (-EINTR, as
//! the kernel: `signal::never_restarted`). (qemu-aarch64 7.2 has none of these: ENOSYS;
//! libaio users then fall back to their own threads.)

use super::fd::wait_with_sigset_pair;
use super::{pass, pass_safe, row, Arg, Syscall};
use crate::cpu::CpuState;
use crate::linux::syscall::nr;
use crate::linux::Thread;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::IO_SETUP, "io_setup", sys_io_setup, &[I32, Ptr]),
    row(nr::IO_DESTROY, "io_destroy", sys_io_destroy, &[Hex]),
    row(nr::IO_SUBMIT, "io_submit", sys_io_submit, &[Hex, Int, Ptr]),
    row(nr::IO_CANCEL, "io_cancel", sys_io_cancel, &[Hex, Ptr, Ptr]),
    row(nr::IO_GETEVENTS, "io_getevents", sys_io_getevents, &[Hex, Int, Int, Ptr, Ptr]),
    row(nr::IO_PGETEVENTS, "io_pgetevents", sys_io_pgetevents, &[Hex, Int, Int, Ptr, Ptr, Ptr]),
];

pass! {
    sys_io_setup => SYS_io_setup;
    sys_io_destroy => SYS_io_destroy;
    sys_io_submit => SYS_io_submit;
    sys_io_cancel => SYS_io_cancel;
}

pass_safe! {
    sys_io_getevents => SYS_io_getevents;
}

/// x86_64's io_pgetevents (arch/x86/entry/syscalls/syscall_64.tbl; not in the libc crate).
const HOST_IO_PGETEVENTS: libc::c_long = 333;

/// io_pgetevents(ctx, min_nr, nr, events, timeout, usig): `usig` (null, or {sigmask pointer,
/// sigsetsize}, as pselect6's last argument) is rebuilt around the mask in host numbers.
fn sys_io_pgetevents(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[5] == 0 {
        return super::safe6(HOST_IO_PGETEVENTS, a);
    }
    wait_with_sigset_pair(p, a[5], |usig| super::safe6(HOST_IO_PGETEVENTS, [a[0], a[1], a[2], a[3], a[4], usig]))
}
