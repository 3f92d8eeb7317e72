//! `cargo xtask sysroot [DIR] [--mirror URL] [PACKAGE...]`: build a Debian 12 (bookworm) arm64
//! sysroot from Debian's own packages, for `qemu-aarch64-lite -L DIR` and the tests.
//!
//! How: apt runs with a private state, cache and sources list under `DIR.apt/` and
//! `APT::Architecture=arm64`, so the host's apt configuration and dpkg database are never
//! touched (no `dpkg --add-architecture`, no root needed beyond what apt itself wants). The
//! requested packages' Depends/Pre-Depends are resolved with `apt-cache depends --recurse`
//! (first alternative of each or-group, virtual packages skipped), fetched with
//! `apt-get download`, and unpacked with `dpkg-deb -x` (no maintainer scripts run).
//!
//! Invariants: idempotent — when `DIR/.qal-sysroot` records the same package request, nothing
//! is downloaded or unpacked again; a run that fails leaves no stamp, so the next run redoes
//! the work (already downloaded .debs are reused). This file is also compiled into
//! `tests/dynamic.rs` with `#[path]`, so it uses the standard library only and never exits.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Default sysroot location, relative to the repository root.
pub const DEFAULT_DIR: &str = "target/sysroot-arm64";

/// Debian's archive and keyring (the host must be able to reach the mirror).
pub const DEFAULT_MIRROR: &str = "http://deb.debian.org/debian";
const SECURITY_MIRROR: &str = "http://deb.debian.org/debian-security";
const KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";
const SUITE: &str = "bookworm";

/// What the acceptance tests run: glibc, coreutils, grep, sed, gawk, perl, python3 with its
/// standard library (json, hashlib, re, threading), and the shells.
pub const DEFAULT_PACKAGES: &[&str] = &[
    "libc6",
    "libc-bin",
    "base-files",
    "bash",
    "dash",
    "coreutils",
    "grep",
    "sed",
    "gawk",
    "findutils",
    "diffutils",
    "perl-base",
    "python3-minimal",
    "python3.11-minimal",
    "libpython3.11-minimal",
    "libpython3.11-stdlib",
    "zlib1g",
    "libpcre2-8-0",
    "libselinux1",
    "libacl1",
    "libattr1",
    "libgmp10",
    "libmpfr6",
    "libreadline8",
    "libsigsegv2",
    "libssl3",
    "libffi8",
];

/// Name of the stamp file that records a finished sysroot.
const STAMP: &str = ".qal-sysroot";

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} {:?} failed ({}):\n{}",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A private apt: its directories and the `-o` options that point apt at them.
struct PrivateApt {
    dir: PathBuf,
}

impl PrivateApt {
    fn new(dir: PathBuf, mirror: &str) -> Result<PrivateApt, String> {
        let mk = |p: &Path| std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()));
        for sub in ["state/lists/partial", "cache/archives/partial", "sources.list.d", "preferences.d", "debs"] {
            mk(&dir.join(sub))?;
        }
        let signed = if Path::new(KEYRING).exists() { format!(" signed-by={KEYRING}") } else { String::new() };
        let sources = format!(
            "deb [arch=arm64{signed}] {mirror} {SUITE} main\n\
             deb [arch=arm64{signed}] {mirror} {SUITE}-updates main\n\
             deb [arch=arm64{signed}] {SECURITY_MIRROR} {SUITE}-security main\n"
        );
        let write = |p: PathBuf, s: &str| std::fs::write(&p, s).map_err(|e| format!("{}: {e}", p.display()));
        write(dir.join("sources.list"), &sources)?;
        let status = dir.join("state/status");
        if !status.exists() {
            write(status, "")?;
        }
        Ok(PrivateApt { dir })
    }

    fn options(&self) -> Vec<String> {
        let d = |s: &str| self.dir.join(s).display().to_string();
        vec![
            "-o".into(),
            "APT::Architecture=arm64".into(),
            "-o".into(),
            "APT::Architectures=arm64".into(),
            "-o".into(),
            format!("Dir::State={}", d("state")),
            "-o".into(),
            format!("Dir::State::status={}", d("state/status")),
            "-o".into(),
            format!("Dir::Cache={}", d("cache")),
            "-o".into(),
            format!("Dir::Etc::sourcelist={}", d("sources.list")),
            "-o".into(),
            format!("Dir::Etc::sourceparts={}", d("sources.list.d")),
            "-o".into(),
            format!("Dir::Etc::preferencesparts={}", d("preferences.d")),
            "-o".into(),
            "Dir::Etc::preferences=/dev/null".into(),
            // The private directories belong to whoever runs this, not to apt's sandbox user.
            "-o".into(),
            "APT::Sandbox::User=root".into(),
            "-o".into(),
            "APT::Get::AllowUnauthenticated=false".into(),
            "-q".into(),
        ]
    }

    fn cmd(&self, tool: &str) -> Command {
        let mut c = Command::new(tool);
        c.args(self.options());
        c
    }
}

/// Parse `apt-cache depends --recurse` output: the package stanzas' names (lines that are not
/// indented), without virtual packages (`<name>`).
fn parse_depends(out: &str) -> BTreeSet<String> {
    out.lines()
        .filter(|l| !l.is_empty() && !l.starts_with(' ') && !l.starts_with('<'))
        .map(|l| l.trim().trim_end_matches(":arm64").to_string())
        .collect()
}

/// The request as recorded in the stamp: suite and sorted package names.
fn stamp_text(packages: &[String]) -> String {
    let mut p: Vec<&str> = packages.iter().map(String::as_str).collect();
    p.sort_unstable();
    p.dedup();
    format!("debian {SUITE} arm64\n{}\n", p.join("\n"))
}

/// Is `dir` a finished sysroot for exactly `packages`?
pub fn is_done(dir: &Path, packages: &[String]) -> bool {
    std::fs::read_to_string(dir.join(STAMP)).is_ok_and(|s| s == stamp_text(packages))
}

/// Build (or reuse) the sysroot `dir` holding `packages` and their dependencies.
pub fn ensure(dir: &Path, packages: &[String], mirror: &str, verbose: bool) -> Result<(), String> {
    if is_done(dir, packages) {
        if verbose {
            eprintln!("sysroot: {} is up to date", dir.display());
        }
        return Ok(());
    }
    for tool in ["apt-get", "apt-cache", "dpkg-deb"] {
        if Command::new(tool).arg("--version").output().is_err() {
            return Err(format!("{tool} not found: building a sysroot needs Debian's apt and dpkg"));
        }
    }
    let mut apt_dir = dir.as_os_str().to_owned();
    apt_dir.push(".apt");
    let apt = PrivateApt::new(PathBuf::from(apt_dir), mirror)?;
    if verbose {
        eprintln!("sysroot: apt-get update (private state in {})", apt.dir.display());
    }
    run(apt.cmd("apt-get").arg("update"))?;
    let deps = run(apt
        .cmd("apt-cache")
        .args([
            "depends",
            "--recurse",
            "--important",
            "--no-recommends",
            "--no-suggests",
            "--no-conflicts",
            "--no-breaks",
            "--no-replaces",
            "--no-enhances",
            "-o",
            "APT::Cache::ShowOnlyFirstOr=true",
        ])
        .args(packages))?;
    let all = parse_depends(&deps);
    for p in packages {
        if !all.contains(p) {
            return Err(format!("package {p} is not in Debian {SUITE} arm64 (apt-cache depends did not list it)"));
        }
    }
    let debs = apt.dir.join("debs");
    let have: BTreeSet<String> = std::fs::read_dir(&debs)
        .map_err(|e| format!("{}: {e}", debs.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".deb"))
        .filter_map(|n| Some(n.split('_').next()?.to_string()))
        .collect();
    let missing: Vec<&String> = all.iter().filter(|p| !have.contains(*p)).collect();
    if verbose {
        eprintln!("sysroot: {} packages ({} to download)", all.len(), missing.len());
    }
    if !missing.is_empty() {
        run(apt.cmd("apt-get").arg("download").args(&missing).current_dir(&debs))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let _ = std::fs::remove_file(dir.join(STAMP));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&debs)
        .map_err(|e| format!("{}: {e}", debs.display()))?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".deb") && name.split('_').next().is_some_and(|n| all.contains(n))
        })
        .collect();
    files.sort();
    for f in &files {
        if verbose {
            eprintln!("sysroot: unpack {}", f.file_name().and_then(|n| n.to_str()).unwrap_or("?"));
        }
        run(Command::new("dpkg-deb").arg("-x").arg(f).arg(dir))?;
    }
    std::fs::write(dir.join(STAMP), stamp_text(packages)).map_err(|e| format!("{}: {e}", dir.display()))?;
    if verbose {
        eprintln!("sysroot: {} ready ({} packages)", dir.display(), files.len());
    }
    Ok(())
}

/// `cargo xtask sysroot [DIR] [--mirror URL] [PACKAGE...]` (packages replace the default set).
pub fn run_cli(args: &[String]) -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().unwrap_or(root);
    let mut dir: Option<PathBuf> = None;
    let mut mirror = DEFAULT_MIRROR.to_string();
    let mut packages: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--mirror" => mirror = it.next().ok_or("--mirror needs a URL")?.clone(),
            "-h" | "--help" => {
                println!("usage: cargo xtask sysroot [DIR] [--mirror URL] [PACKAGE...]  (default DIR {DEFAULT_DIR})");
                return Ok(());
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s if dir.is_none() => dir = Some(PathBuf::from(s)),
            s => packages.push(s.to_string()),
        }
    }
    let dir = dir.unwrap_or_else(|| root.join(DEFAULT_DIR));
    if packages.is_empty() {
        packages = DEFAULT_PACKAGES.iter().map(|s| s.to_string()).collect();
    }
    ensure(&dir, &packages, &mirror, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depends_output_is_parsed() {
        let out =
            "coreutils\n  PreDepends: libacl1\n  Depends: <awk>\n    gawk\nlibacl1\n  Depends: libc6\n<awk>\nlibc6\n";
        let got: Vec<String> = parse_depends(out).into_iter().collect();
        assert_eq!(got, ["coreutils", "libacl1", "libc6"]);
        let a = stamp_text(&["sed".into(), "grep".into(), "sed".into()]);
        assert_eq!(a, "debian bookworm arm64\ngrep\nsed\n");
    }
}
