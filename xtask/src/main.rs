//! Project automation: `cargo xtask <command>`.
//!
//! - `guest-bins`: build the aarch64 test programs in guest-bins/ (and their native twins).
//! - `gen-syscalls`: regenerate src/linux/syscall/nr.rs from the arm64 kernel headers.
//! - `difftest`: differential testing against qemu-aarch64 (see docs/difftest.md).
//! - `debootstrap`: arm64 bookworm via debootstrap --foreign + binfmt chroot (root, network).
//! - `isa`: write docs/isa.md (coverage of the decoder table).
//! - `gotest`: Go standard-library tests (GOARCH=arm64) run under this emulator.
//! - `sysroot`: build a Debian 12 arm64 sysroot for `-L`.
//! - `bench`: time this emulator against qemu-aarch64 and native (see docs/performance.md).

mod bench;
mod debootstrap;
mod difftest;
mod gen_syscalls;
mod gotest;
mod guest_bins;
mod isa;
mod sysroot;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = if args.len() > 1 { &args[1..] } else { &[][..] };
    let r = match args.first().map(String::as_str) {
        Some("guest-bins") => guest_bins::run(rest),
        Some("gen-syscalls") => gen_syscalls::run(rest),
        Some("difftest") => difftest::run(rest),
        Some("bench") => bench::run(rest),
        Some("sysroot") => sysroot::run_cli(rest),
        Some("gotest") => gotest::run(rest),
        Some("isa") => isa::run(rest),
        Some("debootstrap") => debootstrap::run(rest),
        _ => {
            eprintln!(
                "usage: cargo xtask <guest-bins|gen-syscalls|difftest|bench|sysroot|gotest|isa|debootstrap> [args]"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = r {
        eprintln!("xtask: {e}");
        std::process::exit(1);
    }
}
