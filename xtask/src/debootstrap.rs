//! `cargo xtask debootstrap [DIR] [--mirror URL] [--keep]`: the end-to-end check of issue 6.
//! Needs root and the Debian archive: builds the release emulator, runs
//! `debootstrap --foreign --arch=arm64 bookworm DIR`, registers the emulator with binfmt_misc
//! (flag F) under a unique temporary name, runs `chroot DIR /debootstrap/debootstrap
//! --second-stage` (every program of the base system's maintainer scripts runs under the
//! emulator), then `chroot DIR apt-get --version` and `chroot DIR dpkg -l | wc -l`, and always
//! removes the registration. Prints the time of each stage.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Removes the temporary binfmt entry however the run ends.
struct Registration {
    emu: PathBuf,
    name: String,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = Command::new(&self.emu).args(["--binfmt", "uninstall", "--name", &self.name]).status();
    }
}

fn sh(cmd: &str) -> Result<String, String> {
    let out = Command::new("sh").arg("-c").arg(cmd).output().map_err(|e| format!("{cmd}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd}: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut dir = PathBuf::from("target/arm64-bookworm");
    let mut mirror = "http://deb.debian.org/debian".to_string();
    let mut keep = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--mirror" => mirror = it.next().ok_or("--mirror needs a URL")?.clone(),
            "--keep" => keep = true,
            s if !s.starts_with('-') => dir = PathBuf::from(s),
            s => return Err(format!("unknown option {s}")),
        }
    }
    if sh("id -u")?.trim() != "0" {
        return Err("needs root (debootstrap, chroot and binfmt_misc)".into());
    }
    if sh("command -v debootstrap").is_err() {
        sh("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap")?;
    }
    let t = Instant::now();
    sh("cargo build --release --quiet")?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target"));
    let built = std::fs::canonicalize(target.join("x86_64-unknown-linux-gnu/release/qemu-aarch64-lite"))
        .map_err(|e| format!("release binary: {e}"))?;
    // The F flag keeps the interpreter file open: use a private copy nothing rewrites meanwhile.
    let emu = std::env::temp_dir().join(format!("qal-debootstrap-{}", std::process::id()));
    std::fs::copy(&built, &emu).map_err(|e| format!("copy {}: {e}", emu.display()))?;
    println!("build: {:.1} s", t.elapsed().as_secs_f64());

    if dir.exists() && !keep {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let d = dir.display().to_string();
    let t = Instant::now();
    if !dir.join("debootstrap/debootstrap").exists() {
        sh(&format!("debootstrap --foreign --arch=arm64 bookworm '{d}' '{mirror}'"))?;
    }
    println!("first stage (download and unpack, host): {:.1} s", t.elapsed().as_secs_f64());

    let name = format!("qal-debootstrap-{}", std::process::id());
    let st = Command::new(&emu)
        .args(["--binfmt", "install", "--name", &name, "--flags", "F", "--interpreter"])
        .arg(&emu)
        .status()
        .map_err(|e| e.to_string())?;
    if !st.success() {
        let _ = std::fs::remove_file(&emu);
        return Err("binfmt registration failed (is another aarch64 handler registered?)".into());
    }
    let reg = Registration { emu: emu.clone(), name };
    let t = Instant::now();
    let second = sh(&format!("chroot '{d}' /debootstrap/debootstrap --second-stage"));
    let second_time = t.elapsed().as_secs_f64();
    let result = second.and_then(|_| {
        println!("second stage (under the emulator): {second_time:.1} s");
        let v = sh(&format!("chroot '{d}' apt-get --version"))?;
        println!("chroot apt-get --version: {}", v.lines().next().unwrap_or(""));
        let n = sh(&format!("chroot '{d}' sh -c 'dpkg -l | wc -l'"))?;
        println!("chroot dpkg -l | wc -l: {}", n.trim());
        Ok(())
    });
    drop(reg);
    let _ = std::fs::remove_file(&emu);
    result
}
