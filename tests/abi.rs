//! Guest ABI layout check: `guest-bins/abi/abi_layout.c` (+ `abi_layout_kernel.c`) compiled
//! with `aarch64-linux-gnu-gcc -static` prints the sizes, offsets and constants of the arm64
//! kernel ABI; run under `qemu-aarch64`, its output must equal
//! `linux::abi::layout_report()` line for line. The same source built natively (host `gcc`)
//! must differ from the aarch64 output in exactly the items `abi::CONVERTED` lists: everything
//! else is passed through to the host unchanged and must therefore be identical.
//!
//! Missing tools make a test print a visible "skipped: ..." line instead of failing.

use qemu_aarch64_lite::linux::abi;
use std::path::{Path, PathBuf};
use std::process::Command;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guest-bins/abi")
}

fn sources() -> Vec<PathBuf> {
    vec![src_dir().join("abi_layout.c"), src_dir().join("abi_layout_kernel.c")]
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
}

fn build(cc: &str, extra: &[&str], out: &Path) {
    let st = Command::new(cc)
        .args(extra)
        .args(["-O2", "-Wall", "-Werror", "-o"])
        .arg(out)
        .args(sources())
        .status()
        .expect("run compiler");
    assert!(st.success(), "{cc} failed to build abi_layout");
}

fn run(cmd: &mut Command) -> String {
    let o = cmd.output().expect("run abi_layout");
    assert!(o.status.success(), "abi_layout failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("utf8")
}

/// A fresh temporary path (tests run in parallel and each builds its own binaries).
fn tmp(name: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("qal-abi-{}-{n}-{name}", std::process::id()))
}

fn guest_report() -> Option<String> {
    if !have("aarch64-linux-gnu-gcc") {
        println!("skipped: aarch64-linux-gnu-gcc not installed");
        return None;
    }
    if !have("qemu-aarch64") {
        println!("skipped: qemu-aarch64 not installed (needed to run the aarch64 layout program)");
        return None;
    }
    let exe = tmp("a64");
    build("aarch64-linux-gnu-gcc", &["-static"], &exe);
    let out = run(Command::new("qemu-aarch64").arg(&exe));
    let _ = std::fs::remove_file(&exe);
    Some(out)
}

/// Key of a report line: the item name (`stat`, `stat.st_mode`, `O_DIRECT`).
fn key(line: &str) -> &str {
    line.split_whitespace().nth(1).unwrap_or("")
}

#[test]
fn guest_layout_matches_rust() {
    let Some(guest) = guest_report() else { return };
    let ours = abi::layout_report();
    let g: Vec<&str> = guest.lines().collect();
    let r: Vec<&str> = ours.lines().collect();
    let mut diffs = Vec::new();
    for i in 0..g.len().max(r.len()) {
        let (a, b) = (g.get(i).copied().unwrap_or("<none>"), r.get(i).copied().unwrap_or("<none>"));
        if a != b {
            diffs.push(format!("  aarch64: {a:40} rust: {b}"));
        }
    }
    assert!(diffs.is_empty(), "layout mismatch:\n{}", diffs.join("\n"));
    assert!(g.len() > 250, "report suspiciously short ({} lines)", g.len());
}

#[test]
fn host_differs_exactly_in_converted_items() {
    let Some(guest) = guest_report() else { return };
    if !have("gcc") {
        println!("skipped: host gcc not installed");
        return;
    }
    let exe = tmp("x64");
    build("gcc", &[], &exe);
    let host = run(&mut Command::new(&exe));
    let _ = std::fs::remove_file(&exe);
    let hmap: std::collections::HashMap<&str, &str> = host.lines().map(|l| (key(l), l)).collect();
    let item = |k: &str| k.split('.').next().unwrap_or(k).to_string();
    let mut differing = std::collections::BTreeSet::new();
    for l in guest.lines() {
        if hmap.get(key(l)) != Some(&l) {
            differing.insert(item(key(l)));
        }
    }
    let expected: std::collections::BTreeSet<String> = abi::CONVERTED.iter().map(|s| s.to_string()).collect();
    assert_eq!(differing, expected, "guest/host ABI differences changed: update abi.rs conversions");
}
