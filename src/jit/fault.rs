//! Host faults inside translated code (or a helper it called) become guest faults.
//!
//! The host SIGSEGV/SIGBUS handler (installed by `linux`) calls [`redirect_host_fault`]. When the
//! faulting thread is running guest code (this thread's [`Running`] record is set), the handler
//! records the fault in the thread's `CpuState` and rewrites the host context so that, on return
//! from the handler, execution continues in the fault trampoline: it restores the translated-code
//! stack pointer and leaves `Jit::run` with exit HOST_FAULT. `Jit::run` then maps the host pc to
//! the guest pc (the block's pc map) and reports `Exit::Fault`.
//!
//! Async-signal safety: the handler only reads a thread-local `Cell` and writes plain fields of
//! the current thread's `CpuState`; no allocation, no locks.

use crate::cpu::CpuState;
use std::cell::Cell;

#[derive(Clone, Copy)]
struct Running {
    cpu: *mut CpuState,
    fault_stub: usize,
}

thread_local! {
    static RUNNING: Cell<Running> = const { Cell::new(Running { cpu: std::ptr::null_mut(), fault_stub: 0 }) };
}

/// Mark this thread as running guest code on `cpu` (until [`leave`]).
pub(crate) fn enter(cpu: *mut CpuState, fault_stub: usize) {
    RUNNING.with(|r| r.set(Running { cpu, fault_stub }));
}

pub(crate) fn leave() {
    RUNNING.with(|r| r.set(Running { cpu: std::ptr::null_mut(), fault_stub: 0 }));
}

/// Called from the host SIGSEGV/SIGBUS handler. Returns true if the fault belongs to the guest
/// and the context was redirected; false if it is the emulator's own fault.
///
/// # Safety
/// `uc` must be the `ucontext_t` passed to an SA_SIGINFO handler on this thread.
pub unsafe fn redirect_host_fault(signo: i32, info: *const libc::siginfo_t, uc: *mut libc::c_void) -> bool {
    let r = RUNNING.with(|r| r.get());
    if r.cpu.is_null() || uc.is_null() || info.is_null() {
        return false;
    }
    let uc = &mut *(uc as *mut libc::ucontext_t);
    let gregs = &mut uc.uc_mcontext.gregs;
    let cpu = &mut *r.cpu;
    cpu.scratch[0] = signo as u64;
    cpu.scratch[1] = (*info).si_code as u64;
    cpu.scratch[2] = gregs[libc::REG_RIP as usize] as u64;
    cpu.exit_arg = (*info).si_addr() as u64;
    gregs[libc::REG_RBX as usize] = r.cpu as i64;
    gregs[libc::REG_RIP as usize] = r.fault_stub as i64;
    true
}
