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
pub(crate) struct Running {
    pub cpu: *mut CpuState,
    /// Fault trampoline for faults in translated code (stores the mapped registers).
    pub fault_stub: usize,
    /// Fault trampoline for faults in helpers (mapped registers already stored).
    pub fault_stub_helper: usize,
    /// The code cache: [cache_start, cache_end).
    pub cache_start: usize,
    pub cache_end: usize,
}

const IDLE: Running =
    Running { cpu: std::ptr::null_mut(), fault_stub: 0, fault_stub_helper: 0, cache_start: 0, cache_end: 0 };

thread_local! {
    static RUNNING: Cell<Running> = const { Cell::new(IDLE) };
    /// Set while this thread translates a block (`Translating`): a host fault then is the
    /// emulator's own (for one, the translator's buffer guard, `asm::CodeBuf`), never the
    /// guest's, even though the thread is inside `Jit::run`.
    static TRANSLATING: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread as translating while it lives.
pub(crate) struct Translating(());

impl Translating {
    pub(crate) fn start() -> Translating {
        TRANSLATING.with(|t| t.set(true));
        Translating(())
    }
}

impl Drop for Translating {
    fn drop(&mut self) {
        TRANSLATING.with(|t| t.set(false));
    }
}

/// Mark this thread as running guest code (until [`leave`]).
pub(crate) fn enter(r: Running) {
    RUNNING.with(|c| c.set(r));
}

pub(crate) fn leave() {
    RUNNING.with(|r| r.set(IDLE));
}

/// Called from the host SIGSEGV/SIGBUS handler. Returns true if the fault belongs to the guest
/// and the context was redirected; false if it is the emulator's own fault.
///
/// # Safety
/// `uc` must be the `ucontext_t` passed to an SA_SIGINFO handler on this thread.
pub unsafe fn redirect_host_fault(signo: i32, info: *const libc::siginfo_t, uc: *mut libc::c_void) -> bool {
    let r = RUNNING.with(|r| r.get());
    if r.cpu.is_null() || uc.is_null() || info.is_null() || TRANSLATING.with(|t| t.get()) {
        return false;
    }
    let uc = &mut *(uc as *mut libc::ucontext_t);
    let gregs = &mut uc.uc_mcontext.gregs;
    let cpu = &mut *r.cpu;
    cpu.scratch[0] = signo as u64;
    cpu.scratch[1] = (*info).si_code as u64;
    let rip = gregs[libc::REG_RIP as usize] as usize;
    cpu.scratch[2] = rip as u64;
    cpu.exit_arg = (*info).si_addr() as u64;
    gregs[libc::REG_RBX as usize] = r.cpu as i64;
    let in_code = rip >= r.cache_start && rip < r.cache_end;
    gregs[libc::REG_RIP as usize] = if in_code { r.fault_stub } else { r.fault_stub_helper } as i64;
    true
}
