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

use super::fd::wait_with_sigmask;
use super::{pass, pass_safe, read_guest, row, Arg, Syscall, EINVAL};
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
/// sigsetsize}) is rebuilt with the mask in host numbers.
fn sys_io_pgetevents(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[5] == 0 {
        return super::safe6(HOST_IO_PGETEVENTS, a);
    }
    let usig = match read_guest::<16>(a[5]) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let sigmask = u64::from_le_bytes(usig[..8].try_into().unwrap());
    let size = u64::from_le_bytes(usig[8..].try_into().unwrap());
    if sigmask != 0 && size != 8 {
        return EINVAL;
    }
    // (the mask pointer in argument 5 for `wait_with_sigmask`, which swaps in the host set;
    // then a host __aio_sigset pointing to it goes to the kernel)
    let b = [a[0], a[1], a[2], a[3], a[4], sigmask];
    wait_with_sigmask(p, b, 5, |h| {
        let host_usig: [u64; 2] = [h[5], 8];
        super::safe6(HOST_IO_PGETEVENTS, [h[0], h[1], h[2], h[3], h[4], host_usig.as_ptr() as u64])
    })
}
