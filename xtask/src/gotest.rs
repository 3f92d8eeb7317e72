//! `cargo xtask gotest [PKG...]`: Go's own standard-library tests, cross-compiled for arm64 and
//! run under this emulator (`go test -exec`), as issue 4 asks. Not part of `cargo test`: it
//! needs `golang-go` (installed with apt-get when running as root) and takes minutes.

use std::process::Command;

/// The packages the process-model work promises (short mode).
pub const DEFAULT_PACKAGES: &[&str] = &[
    "strconv",
    "sort",
    "strings",
    "bytes",
    "math",
    "regexp",
    "encoding/json",
    "compress/flate",
    "crypto/sha256",
    "sync",
    "time",
    "os",
    "os/exec",
    "runtime",
];

fn have_go() -> bool {
    Command::new("go").arg("version").output().map(|o| o.status.success()).unwrap_or(false)
}

pub fn run(args: &[String]) -> Result<(), String> {
    if !have_go() {
        // SAFETY: getuid has no preconditions.
        if unsafe { libc_getuid() } != 0 {
            return Err("go not found: apt-get install golang-go".into());
        }
        let ok = Command::new("sh")
            .arg("-c")
            .arg("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y golang-go")
            .status()
            .map_err(|e| e.to_string())?
            .success();
        if !ok {
            return Err("installing golang-go failed".into());
        }
    }
    let status = Command::new("cargo").args(["build", "--release", "--quiet"]).status().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("cargo build --release failed".into());
    }
    let root = std::env::current_dir().map_err(|e| e.to_string())?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or(root.join("target"));
    let emu = target.join("x86_64-unknown-linux-gnu/release/qemu-aarch64-lite");
    let pkgs: Vec<String> =
        if args.is_empty() { DEFAULT_PACKAGES.iter().map(|s| s.to_string()).collect() } else { args.to_vec() };
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for p in &pkgs {
        let t = std::time::Instant::now();
        let out = Command::new("go")
            .args(["test", "-short", "-count=1", "-exec"])
            .arg(&emu)
            .arg(p)
            .env("GOARCH", "arm64")
            .env("CGO_ENABLED", "0")
            .output()
            .map_err(|e| e.to_string())?;
        let secs = t.elapsed().as_secs_f64();
        if out.status.success() {
            println!("ok    {p:<16} {secs:6.1}s");
            passed.push(p.clone());
        } else {
            println!("FAIL  {p:<16} {secs:6.1}s");
            let text = String::from_utf8_lossy(&out.stdout);
            for line in text.lines().filter(|l| l.contains("FAIL") || l.contains("panic")).take(20) {
                println!("      {line}");
            }
            failed.push(p.clone());
        }
    }
    println!("{} passed, {} failed", passed.len(), failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failing packages: {}", failed.join(" ")))
    }
}

extern "C" {
    #[link_name = "getuid"]
    fn libc_getuid() -> u32;
}
