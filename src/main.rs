//! Command-line entry point: parse, run, turn errors into one line and an exit status.

fn main() {
    let code = qemu_aarch64_lite::main_with_args(std::env::args_os().collect());
    std::process::exit(code);
}
