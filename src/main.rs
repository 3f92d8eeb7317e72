//! Command-line entry point: parse, run, turn errors into one line and an exit status.
//!
//! The process starts at the C `main` below, not at Rust's `fn main`: the Rust runtime's
//! start-up (`std::rt::lang_start`) first reopens closed standard descriptors on /dev/null
//! and sets SIGPIPE to ignored, and the guest would see both (a program started with its
//! stdout closed must find fd 1 closed; a SIGPIPE its parent ignored must stay ignored, one
//! it left default must stay default). Starting here leaves the process as execve made it.
//! (`std::env::args_os` does not need the Rust runtime's start-up on glibc.)
// (the unit-test harness of this target brings its own main)
#![cfg_attr(not(test), no_main)]

#[cfg(not(test))]
use std::os::raw::{c_char, c_int};

#[cfg(not(test))]
#[no_mangle]
// (C's entry point: its pointer arguments come from execve, not from a Rust caller)
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: C main's own arguments, as execve laid them out.
    unsafe { qemu_aarch64_lite::linux::record_host_args(argc, argv) };
    // As the Rust runtime does: a panic that escapes ends the process with status 101.
    let code =
        std::panic::catch_unwind(|| qemu_aarch64_lite::main_with_args(std::env::args_os().collect())).unwrap_or(101);
    std::process::exit(code);
}
