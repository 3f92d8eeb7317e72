//! `cargo xtask guest-bins [--native] [--expected] [NAME...]`: build the aarch64 test programs
//! (all of them, or the named programs and directories, e.g. `hello` or `fp`).
//!
//! Every `guest-bins/**/*.{c,cc,cpp,S}` becomes `guest-bins/build/<relative path without extension>`,
//! built with `aarch64-linux-gnu-gcc -static -O2` (`aarch64-linux-gnu-g++` for C++). A program is
//! rebuilt only when one of its sources, or a header beside them, is newer than the binary.
//! Outputs are written to a temporary name and renamed, so a concurrent reader never sees a
//! half-written binary.
//!
//! Directives in the leading `//` comment lines of a source file:
//! - `// xtask: skip` — not built at all (a helper file, or work in progress);
//! - `// xtask: cflags <flags...>` — extra flags for the aarch64 build (e.g. `-march=armv8.2-a+fp16`);
//! - `// xtask: no-native` — no x86_64 twin (the program is aarch64-specific).
//!
//! Expected results of `guest-bins/<dir>/<name>.c` live in `guest-bins/<dir>/expected/`:
//! `<name>.stdout` (exact stdout), `<name>.status` (exit status when non-zero, or `signal N`),
//! `<name>.args` (one argument per line; `@TMPDIR@` is replaced by a fresh empty directory),
//! `<name>.stderr` (exact stderr, optional). `--expected` rewrites `.stdout`/`.status` from
//! `qemu-aarch64` and prints where the native x86_64 twin disagrees.
//!
//! This file is also compiled into the integration tests (`tests/common/mod.rs` includes it with
//! `#[path]`), so it uses the standard library only and never calls `process::exit`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

pub const CROSS_CC: &str = "aarch64-linux-gnu-gcc";
pub const CROSS_CXX: &str = "aarch64-linux-gnu-g++";
/// The Debian packages that provide the cross toolchain and its static glibc.
pub const CROSS_PACKAGES: &[&str] = &["gcc-aarch64-linux-gnu", "g++-aarch64-linux-gnu", "libc6-dev-arm64-cross"];

/// One guest program source.
#[derive(Clone, Debug)]
pub struct Program {
    /// Path relative to guest-bins/, without extension, with `/` separators (e.g. `hello`, `fp/fadd`).
    pub name: String,
    pub source: PathBuf,
    pub cxx: bool,
    pub cflags: Vec<String>,
    pub native: bool,
    /// Further sources linked into the same binary (`xtask: link`).
    pub link: Vec<PathBuf>,
}

impl Program {
    /// guest-bins/build/<name>
    pub fn binary(&self, root: &Path) -> PathBuf {
        root.join("guest-bins/build").join(&self.name)
    }
    /// guest-bins/build/native/<name>
    pub fn native_binary(&self, root: &Path) -> PathBuf {
        root.join("guest-bins/build/native").join(&self.name)
    }
    /// guest-bins/<dir>/expected/<stem>.<ext>
    pub fn expected(&self, ext: &str) -> PathBuf {
        let dir = self.source.parent().unwrap_or(Path::new("."));
        let stem = self.source.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        dir.join("expected").join(format!("{stem}.{ext}"))
    }
}

/// The repository root (the parent of xtask/).
pub fn repo_root() -> PathBuf {
    let xtask = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // When included from the main crate's tests, CARGO_MANIFEST_DIR is already the root.
    if xtask.join("guest-bins").is_dir() {
        xtask
    } else {
        xtask.parent().map(Path::to_path_buf).unwrap_or(xtask)
    }
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Directives of one source file.
#[derive(Default)]
struct Directives {
    skip: bool,
    cflags: Vec<String>,
    native: bool,
    link: Vec<String>,
}

/// Parse `xtask: ...` directives from comment lines among the first 20 lines of a source
/// (`// xtask: skip`, `/* xtask: link other.c */`, ` * xtask: cflags -O3`).
fn directives(text: &str) -> Directives {
    let mut d = Directives { native: true, ..Default::default() };
    for line in text.lines().take(20) {
        let t = line.trim_start();
        if !(t.starts_with("//") || t.starts_with("/*") || t.starts_with('*')) {
            continue;
        }
        let Some(pos) = t.find("xtask:") else { continue };
        let body = t[pos + "xtask:".len()..].trim().trim_end_matches("*/").trim();
        let (word, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        match word {
            "skip" => d.skip = true,
            "no-native" => d.native = false,
            "cflags" => d.cflags.extend(rest.split_whitespace().map(String::from)),
            "link" => d.link.extend(rest.split_whitespace().map(String::from)),
            _ => {}
        }
    }
    d
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for ent in rd {
        let ent = ent.map_err(|e| format!("{}: {e}", dir.display()))?;
        let p = ent.path();
        let name = ent.file_name();
        if p.is_dir() {
            if name != "build" && name != "expected" {
                walk(&p, out)?;
            }
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// All buildable programs under `root/guest-bins`, sorted by name. Files named by another
/// file's `xtask: link` are parts of that program, not programs of their own.
pub fn discover(root: &Path) -> Result<Vec<Program>, String> {
    let gb = root.join("guest-bins");
    let mut files = Vec::new();
    walk(&gb, &mut files)?;
    let mut candidates = Vec::new();
    let mut parts = std::collections::HashSet::new();
    for f in files {
        let ext = f.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
        let cxx = match ext.as_str() {
            "c" | "S" => false,
            "cc" | "cpp" => true,
            _ => continue,
        };
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let d = directives(&text);
        if d.skip {
            continue;
        }
        let dir = f.parent().unwrap_or(Path::new(".")).to_path_buf();
        let link: Vec<PathBuf> = d.link.iter().map(|l| dir.join(l)).collect();
        parts.extend(link.iter().cloned());
        candidates.push((f, cxx, d, link));
    }
    let mut progs = Vec::new();
    for (f, cxx, d, link) in candidates {
        if parts.contains(&f) {
            continue;
        }
        let rel = f.strip_prefix(&gb).map_err(|e| e.to_string())?.with_extension("");
        let name = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
        let cxx = cxx || link.iter().any(|l| l.extension().is_some_and(|e| e == "cc" || e == "cpp"));
        progs.push(Program { name, source: f, cxx, cflags: d.cflags, native: d.native, link });
    }
    progs.sort_by(|a, b| a.name.cmp(&b.name));
    for w in progs.windows(2) {
        if w[0].name == w[1].name {
            return Err(format!(
                "{} and {} would both build guest-bins/build/{}",
                w[0].source.display(),
                w[1].source.display(),
                w[0].name
            ));
        }
    }
    Ok(progs)
}

/// The newest header (`.h`, `.inc`) in the directories of a program's sources: a change to one
/// rebuilds the programs beside it.
fn newest_header(p: &Program) -> Option<SystemTime> {
    let mut dirs: Vec<&Path> = p.sources().iter().filter_map(|s| s.parent()).collect();
    dirs.dedup();
    dirs.iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|f| f.extension().is_some_and(|e| e == "h" || e == "inc"))
        .filter_map(|f| mtime(&f))
        .max()
}

fn have(cmd: &str) -> bool {
    Command::new(cmd).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    // Uid:	<real>	<effective> ... ; no libc dependency here.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(2) == Some("0")))
        .unwrap_or(false)
}

/// Make sure the aarch64 cross compilers exist; install them with apt-get when running as root.
pub fn ensure_cross_compiler() -> Result<(), String> {
    if have(CROSS_CC) && have(CROSS_CXX) {
        return Ok(());
    }
    let install = format!("apt-get update && apt-get install -y {}", CROSS_PACKAGES.join(" "));
    if !is_root() {
        return Err(format!(
            "{CROSS_CC}/{CROSS_CXX} not found; install the cross toolchain first:\n    sudo sh -c '{install}'"
        ));
    }
    eprintln!("xtask: {CROSS_CC} not found, installing: {install}");
    let run = |args: &[&str]| -> Result<(), String> {
        let st = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .status()
            .map_err(|e| format!("apt-get: {e}"))?;
        if st.success() {
            Ok(())
        } else {
            Err(format!("`apt-get {}` failed ({st}); run it by hand: {install}", args.join(" ")))
        }
    };
    run(&["update"])?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend_from_slice(CROSS_PACKAGES);
    run(&args)?;
    if have(CROSS_CC) && have(CROSS_CXX) {
        Ok(())
    } else {
        Err(format!("{CROSS_CC} still missing after installing {}", CROSS_PACKAGES.join(" ")))
    }
}

/// Compile `srcs` into `out` unless `out` is newer than every source and `dep_time`.
/// Returns whether it built.
fn compile(
    cc: &str,
    flags: &[String],
    srcs: &[&Path],
    out: &Path,
    dep_time: Option<SystemTime>,
) -> Result<bool, String> {
    if let Some(o) = mtime(out) {
        let newest = srcs.iter().map(|s| mtime(s)).max().flatten();
        if newest.is_some_and(|s| o >= s) && dep_time.is_none_or(|d| o >= d) {
            return Ok(false);
        }
    }
    let dir = out.parent().ok_or_else(|| format!("bad output path {}", out.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut tmp = OsString::from(out.as_os_str());
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let result = Command::new(cc)
        .args(flags)
        .arg("-o")
        .arg(&tmp)
        .args(srcs)
        .arg("-lm")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cc}: {e}"))?;
    if !result.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!(
            "{cc} failed on {}:\n{}",
            srcs.first().map(|s| s.display().to_string()).unwrap_or_default(),
            String::from_utf8_lossy(&result.stderr).trim_end()
        ));
    }
    std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(true)
}

impl Program {
    fn sources(&self) -> Vec<&Path> {
        std::iter::once(self.source.as_path()).chain(self.link.iter().map(PathBuf::as_path)).collect()
    }
}

/// The outcome of building every aarch64 program: each program with its build error, if any.
pub type BuildReport = Vec<(Program, Result<(), String>)>;

/// Build every aarch64 program (only the stale ones), or those named in `only` (a name such as
/// `hello`, or a directory such as `fp`). An error here (no compiler, unreadable tree)
/// concerns all programs; a failed compile concerns only its program.
pub fn build_all(root: &Path, verbose: bool, only: &[String]) -> Result<BuildReport, String> {
    let mut progs = discover(root)?;
    if !only.is_empty() {
        let wanted = |p: &Program| only.iter().any(|o| p.name == *o || p.name.starts_with(&format!("{o}/")));
        let unknown: Vec<&String> = only
            .iter()
            .filter(|o| !progs.iter().any(|p| p.name == **o || p.name.starts_with(&format!("{o}/"))))
            .collect();
        if !unknown.is_empty() {
            return Err(format!("no guest program or directory named {unknown:?} under guest-bins/"));
        }
        progs.retain(wanted);
    }
    ensure_cross_compiler()?;
    let mut report = Vec::new();
    for p in progs {
        let headers = newest_header(&p);
        let cc = if p.cxx { CROSS_CXX } else { CROSS_CC };
        let mut flags = vec!["-static".to_string(), "-O2".to_string()];
        flags.extend(p.cflags.iter().cloned());
        let r = match compile(cc, &flags, &p.sources(), &p.binary(root), headers) {
            Ok(built) => {
                if built && verbose {
                    eprintln!("built guest-bins/build/{}", p.name);
                }
                Ok(())
            }
            Err(e) => Err(e),
        };
        report.push((p, r));
    }
    Ok(report)
}

/// Build the x86_64 twins with the host gcc. Programs that do not build for x86_64 are reported
/// and left out (they are aarch64-specific but lack `// xtask: no-native`).
pub fn build_native(root: &Path, progs: &[Program], verbose: bool) -> Vec<String> {
    let mut built = Vec::new();
    for p in progs.iter().filter(|p| p.native) {
        let headers = newest_header(p);
        let cc = if p.cxx { "g++" } else { "gcc" };
        let flags = vec!["-O2".to_string()];
        match compile(cc, &flags, &p.sources(), &p.native_binary(root), headers) {
            Ok(b) => {
                if b && verbose {
                    eprintln!("built guest-bins/build/native/{}", p.name);
                }
                built.push(p.name.clone());
            }
            Err(e) => eprintln!("xtask: no native twin for {}: {}", p.name, e.lines().nth(1).unwrap_or(&e)),
        }
    }
    built
}

/// Arguments from `<name>.args` (one per line), with `@TMPDIR@` replaced by `tmpdir`.
pub fn program_args(p: &Program, tmpdir: &Path) -> Result<Vec<OsString>, String> {
    let f = p.expected("args");
    match std::fs::read_to_string(&f) {
        Ok(s) => Ok(s.lines().map(|l| OsString::from(l.replace("@TMPDIR@", &tmpdir.to_string_lossy()))).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!("{}: {e}", f.display())),
    }
}

/// A fresh empty directory under the system temp dir.
pub fn fresh_tmpdir(tag: &str) -> Result<PathBuf, String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let base = std::env::temp_dir();
    for _ in 0..1000 {
        let n = N.fetch_add(1, Ordering::Relaxed);
        let d = base.join(format!("qal-{tag}-{}-{n}", std::process::id()));
        match std::fs::create_dir(&d) {
            Ok(()) => return Ok(d),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("{}: {e}", d.display())),
        }
    }
    Err("cannot create a temporary directory".into())
}

/// Format an exit status as stored in `.status` files: `N` or `signal N`.
pub fn status_text(st: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (st.code(), st.signal()) {
        (Some(c), _) => c.to_string(),
        (None, Some(s)) => format!("signal {s}"),
        _ => "unknown".into(),
    }
}

/// Run `exe` with the program's `.args`, empty environment, stdin from /dev/null.
fn run_for_expected(launcher: Option<&str>, exe: &Path, p: &Program) -> Result<(Vec<u8>, String), String> {
    let tmp = fresh_tmpdir("expected")?;
    let args = program_args(p, &tmp)?;
    let mut cmd = match launcher {
        Some(l) => {
            let mut c = Command::new(l);
            c.arg(exe);
            c
        }
        None => Command::new(exe),
    };
    let out =
        cmd.args(&args).env_clear().stdin(Stdio::null()).output().map_err(|e| format!("{}: {e}", exe.display()))?;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok((out.stdout, status_text(&out.status)))
}

/// Rewrite the expected files from `qemu-aarch64`, print where the native twin differs.
fn regenerate_expected(root: &Path, progs: &[Program], native: &[String]) -> Result<(), String> {
    if !have_qemu() {
        return Err("--expected needs qemu-aarch64 (apt-get install qemu-user)".into());
    }
    for p in progs {
        if !p.expected("stdout").exists() {
            eprintln!("xtask: {}: no expected/{}.stdout, left alone (create it to opt in)", p.name, stem(p));
            continue;
        }
        let (out, status) = run_for_expected(Some("qemu-aarch64"), &p.binary(root), p)?;
        write_if_changed(&p.expected("stdout"), &out)?;
        let sf = p.expected("status");
        if status == "0" {
            if sf.exists() {
                std::fs::remove_file(&sf).map_err(|e| format!("{}: {e}", sf.display()))?;
                eprintln!("xtask: removed {}", sf.display());
            }
        } else {
            write_if_changed(&sf, format!("{status}\n").as_bytes())?;
        }
        if native.contains(&p.name) {
            let (nout, nstatus) = run_for_expected(None, &p.native_binary(root), p)?;
            if nout != out || nstatus != status {
                println!("--- {}: qemu-aarch64 (expected) vs native x86_64 ---", p.name);
                if nstatus != status {
                    println!("status: {status} vs {nstatus}");
                }
                print!("{}", line_diff(&String::from_utf8_lossy(&out), &String::from_utf8_lossy(&nout), 60));
            } else {
                println!("{}: native x86_64 agrees", p.name);
            }
        }
    }
    Ok(())
}

fn stem(p: &Program) -> String {
    p.source.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn write_if_changed(f: &Path, data: &[u8]) -> Result<(), String> {
    if std::fs::read(f).ok().as_deref() == Some(data) {
        return Ok(());
    }
    std::fs::write(f, data).map_err(|e| format!("{}: {e}", f.display()))?;
    eprintln!("xtask: wrote {}", f.display());
    Ok(())
}

/// Whether `qemu-aarch64` is on PATH.
pub fn have_qemu() -> bool {
    have("qemu-aarch64")
}

/// A readable line diff: lines only in `a` start with `-`, only in `b` with `+`, each with its
/// line number on its side (LCS based, falls back to a positional comparison for very long
/// outputs). At most `max` differing lines are shown. Empty when equal.
pub fn line_diff(a: &str, b: &str, max: usize) -> String {
    if a == b {
        return String::new();
    }
    let al: Vec<&str> = a.lines().collect();
    let bl: Vec<&str> = b.lines().collect();
    let mut out = String::new();
    if al.len() * bl.len() > 4_000_000 {
        let mut shown = 0;
        for i in 0..al.len().max(bl.len()) {
            let (x, y) = (al.get(i), bl.get(i));
            if x != y {
                if let Some(x) = x {
                    out.push_str(&format!("-{}: {x}\n", i + 1));
                }
                if let Some(y) = y {
                    out.push_str(&format!("+{}: {y}\n", i + 1));
                }
                shown += 1;
                if shown == max {
                    out.push_str("... (more differences)\n");
                    break;
                }
            }
        }
        return out;
    }
    // lcs[i][j] = LCS length of al[i..] and bl[j..]
    let (n, m) = (al.len(), bl.len());
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * (m + 1) + j] = if al[i] == bl[j] {
                lcs[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j, mut shown) = (0, 0, 0);
    while (i < n || j < m) && shown < max {
        if i < n && j < m && al[i] == bl[j] {
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
            out.push_str(&format!("-{}: {}\n", i + 1, al[i]));
            i += 1;
            shown += 1;
        } else {
            out.push_str(&format!("+{}: {}\n", j + 1, bl[j]));
            j += 1;
            shown += 1;
        }
    }
    if shown == max && (i < n || j < m) {
        out.push_str("... (more differences)\n");
    }
    if !a.ends_with('\n') && !a.is_empty() || !b.ends_with('\n') && !b.is_empty() {
        out.push_str(&format!("(final newline: {} vs {})\n", a.ends_with('\n'), b.ends_with('\n')));
    }
    out
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut native = false;
    let mut expected = false;
    let mut only = Vec::new();
    for a in args {
        match a.as_str() {
            "--native" => native = true,
            "--expected" => expected = true,
            _ if a.starts_with('-') => {
                return Err(format!(
                    "guest-bins: unknown option '{a}' (usage: guest-bins [--native] [--expected] [NAME...])"
                ))
            }
            _ => only.push(a.trim_end_matches('/').to_string()),
        }
    }
    let root = repo_root();
    let report = build_all(&root, true, &only)?;
    let mut failed = Vec::new();
    for (p, r) in &report {
        if let Err(e) = r {
            eprintln!("xtask: {e}");
            failed.push(p.name.clone());
        }
    }
    let progs: Vec<Program> = report.into_iter().filter(|(_, r)| r.is_ok()).map(|(p, _)| p).collect();
    eprintln!("xtask: {} guest programs up to date in guest-bins/build/", progs.len());
    let twins = if native || expected { build_native(&root, &progs, true) } else { Vec::new() };
    if native {
        eprintln!("xtask: {} native twins up to date in guest-bins/build/native/", twins.len());
    }
    if expected {
        regenerate_expected(&root, &progs, &twins)?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} program(s) failed to build: {}", failed.len(), failed.join(", ")))
    }
}
