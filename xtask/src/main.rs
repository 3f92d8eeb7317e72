//! Project automation: `cargo xtask <command>`.
//!
//! - `guest-bins`: build the aarch64 test programs in guest-bins/ (and their native twins).
//! - `gen-syscalls`: regenerate src/linux/syscall/nr.rs from the arm64 kernel headers.

mod gen_syscalls;
mod guest_bins;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = if args.len() > 1 { &args[1..] } else { &[][..] };
    let r = match args.first().map(String::as_str) {
        Some("guest-bins") => guest_bins::run(rest),
        Some("gen-syscalls") => gen_syscalls::run(rest),
        _ => {
            eprintln!("usage: cargo xtask <guest-bins|gen-syscalls> [args]");
            std::process::exit(2);
        }
    };
    if let Err(e) = r {
        eprintln!("xtask: {e}");
        std::process::exit(1);
    }
}
