//! Host signal handlers of the emulator process itself.
//!
//! SIGSEGV/SIGBUS raised while this thread runs guest code are guest faults: the JIT's
//! `redirect_host_fault` turns them into `Exit::Fault` at the exact guest pc. Those of the
//! emulator's fault-recovering copy of guest memory (`mem::probe_read`/`probe_write` where
//! process_vm_readv/writev are forbidden) make that copy fail. Any other
//! SIGSEGV/SIGBUS is an emulator bug: we say so in one line and die by that signal without a
//! core dump.

extern "C" fn on_fault(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
    if !info.is_null() && unsafe { (*info).si_code } <= 0 {
        // Sent by kill/tgkill/sigqueue, not a fault: an ordinary guest signal.
        crate::linux::signal::record(sig, info);
        return;
    }
    // SAFETY: we are an SA_SIGINFO handler; `uc` is our context.
    if unsafe { crate::mem::fixup_probe_fault(uc) } {
        // A guest address the emulator copies from or to (mem::probe_read/probe_write).
        return;
    }
    // SAFETY: as above.
    if unsafe { crate::jit::fault::redirect_host_fault(sig, info, uc) } {
        return;
    }
    let msg = b"qemu-aarch64-lite: internal error: host fault outside guest code\n";
    // SAFETY: async-signal-safe calls only.
    unsafe {
        libc::write(2, msg.as_ptr() as *const libc::c_void, msg.len());
        let rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        libc::setrlimit(libc::RLIMIT_CORE, &rl);
        libc::signal(sig, libc::SIG_DFL);
    }
    // Returning re-executes the faulting instruction, which now kills the process.
}

/// Install the SIGSEGV/SIGBUS handlers (on the alternate stack, so a host stack overflow still
/// reaches them; Rust's runtime sets one up for the main thread).
pub fn install_fault_handlers() {
    for sig in [libc::SIGSEGV, libc::SIGBUS] {
        // SAFETY: installing a handler with a zeroed, then filled, sigaction.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_fault as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}
