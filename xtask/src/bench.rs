//! `cargo xtask bench [--runs N] [--startup-runs N] [--timeout SECS] [--budget SECS]
//! [--filter NAME[,NAME...]] [--no-write]`:
//! this emulator against `qemu-aarch64` and native x86_64 on the programs in `guest-bins/bench/`
//! (`--filter`: only benchmarks whose name contains one of the given names).
//!
//! Steps: build the release emulator (`cargo build --release`); build every benchmark twice,
//! `aarch64-linux-gnu-gcc -static -O2` and the host `gcc` with the same flags plus `-mfma` (FP
//! contraction as GCC does by default, see [`contraction_flags`]), plus its `// bench-cflags:`,
//! into `guest-bins/build/bench/{aarch64,x86_64}/`; run each once
//! under the three runners and compare stdout and exit status (a benchmark whose outputs differ
//! is reported and excluded; one that this emulator cannot run is reported as skipped with the
//! reason, never given a number); then time the runners interleaved (ours, qemu, native, ours,
//! ...) `--runs` times each, checking every timed run's output again. Reported: median wall
//! time per runner, the ratios ours/qemu and ours/native and their geometric means, and the peak
//! RSS of each child (`ru_maxrss` from `wait4`). A benchmark marked `// bench-kind: startup` is
//! run `--startup-runs` times per runner instead, and reported in its own table (per-run median).
//!
//! Directives in the leading `//` lines of a benchmark source: `// bench: <description>`,
//! `// bench-cflags: <flags>` (e.g. `-O3`), `// bench-kind: startup`, `// bench-needs: <what>`
//! (printed with the reason when the emulator fails it). The sources also carry
//! `// xtask: skip` so that `cargo xtask guest-bins` leaves them alone.
//!
//! Invariants: every child runs with an empty environment, stdin from /dev/null and stdout to a
//! file of ours; a child is reaped only by `wait4` here, after the watchdog has been told it is
//! finished (`waitid(WNOWAIT)` first), so the watchdog never signals a reused pid.
//! `docs/performance.md` is rewritten between its `<!-- bench:begin -->` and
//! `<!-- bench:end -->` markers only; text outside them (history notes) is kept.

use crate::guest_bins::{ensure_cross_compiler, have_qemu, line_diff, repo_root};
use std::ffi::OsString;
use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Flags shared by both builds (see [`contraction_flags`] for the FP contraction).
const COMMON_CFLAGS: &[&str] = &["-static", "-O2", "-pthread"];

/// Extra flags of the aarch64 and the native build for floating-point contraction. GCC's
/// default for GNU C fuses a*b+c into one FMADD/FMLA on aarch64, and distribution binaries are
/// built that way, so the aarch64 build keeps it; the native build gets the same fusions
/// (GCC forms them before choosing instructions) with `-mfma`, and the checksums agree bit for
/// bit. A host without FMA3 cannot run that native build: then both use `-ffp-contract=off`.
fn contraction_flags() -> (&'static [&'static str], &'static [&'static str]) {
    if std::arch::is_x86_feature_detected!("fma") {
        (&[], &["-mfma"])
    } else {
        (&["-ffp-contract=off"], &["-ffp-contract=off"])
    }
}
const NATIVE_CC: &str = "gcc";
const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";

/// One benchmark program.
#[derive(Clone, Debug)]
struct Bench {
    name: String,
    source: PathBuf,
    desc: String,
    cflags: Vec<String>,
    startup: bool,
    needs: Option<String>,
}

fn parse_bench(source: &Path) -> Result<Bench, String> {
    let text = std::fs::read_to_string(source).map_err(|e| format!("{}: {e}", source.display()))?;
    let name = source.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut b = Bench {
        name,
        source: source.to_path_buf(),
        desc: String::new(),
        cflags: Vec::new(),
        startup: false,
        needs: None,
    };
    for line in text.lines().take(20) {
        let Some(c) = line.trim_start().strip_prefix("//") else { continue };
        let c = c.trim();
        if let Some(v) = c.strip_prefix("bench:") {
            b.desc = v.trim().to_string();
        } else if let Some(v) = c.strip_prefix("bench-cflags:") {
            b.cflags.extend(v.split_whitespace().map(String::from));
        } else if let Some(v) = c.strip_prefix("bench-kind:") {
            match v.trim() {
                "startup" => b.startup = true,
                other => return Err(format!("{}: unknown bench-kind '{other}'", source.display())),
            }
        } else if let Some(v) = c.strip_prefix("bench-needs:") {
            b.needs = Some(v.trim().to_string());
        }
    }
    if b.desc.is_empty() {
        return Err(format!("{}: no `// bench: <description>` line", source.display()));
    }
    Ok(b)
}

/// Every `guest-bins/bench/*.c`, sorted by name (start-up benchmarks last).
fn discover(root: &Path) -> Result<Vec<Bench>, String> {
    let dir = root.join("guest-bins/bench");
    let mut v = Vec::new();
    for ent in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let p = ent.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if p.extension().is_some_and(|e| e == "c") {
            v.push(parse_bench(&p)?);
        }
    }
    v.sort_by(|a, b| (a.startup, &a.name).cmp(&(b.startup, &b.name)));
    Ok(v)
}

/// Compile `src` with `cc` into `out` (through a temporary name).
fn compile(cc: &str, flags: &[String], src: &Path, out: &Path) -> Result<(), String> {
    let dir = out.parent().ok_or_else(|| format!("bad output path {}", out.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut tmp = OsString::from(out.as_os_str());
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let r = Command::new(cc)
        .args(flags)
        .arg("-o")
        .arg(&tmp)
        .arg(src)
        .arg("-lm")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cc}: {e}"))?;
    if !r.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{cc} failed on {}:\n{}", src.display(), String::from_utf8_lossy(&r.stderr).trim_end()));
    }
    std::fs::rename(&tmp, out).map_err(|e| format!("{}: {e}", out.display()))
}

/// The flags of one benchmark for one build (its own come last, so `-O3` overrides `-O2`).
fn cflags(b: &Bench, extra: &[&str]) -> Vec<String> {
    COMMON_CFLAGS.iter().chain(extra).map(|s| s.to_string()).chain(b.cflags.iter().cloned()).collect()
}

/// Build the aarch64 and x86_64 binaries of `b`; returns their paths.
fn build_bench(root: &Path, b: &Bench) -> Result<(PathBuf, PathBuf), String> {
    let out = root.join("guest-bins/build/bench");
    let (a64, x64) = (out.join("aarch64").join(&b.name), out.join("x86_64").join(&b.name));
    let (cross, native) = contraction_flags();
    compile(crate::guest_bins::CROSS_CC, &cflags(b, cross), &b.source, &a64)?;
    compile(NATIVE_CC, &cflags(b, native), &b.source, &x64)?;
    Ok((a64, x64))
}

/// `cargo build --release` of the emulator; returns the path of the binary Cargo reports.
fn build_emulator(root: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("xtask: cargo build --release");
    let out = Command::new(&cargo)
        .current_dir(root)
        .args(["build", "--release", "-p", "qemu-aarch64-lite", "--bin", "qemu-aarch64-lite"])
        .arg("--message-format=json-render-diagnostics")
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo build --release failed ({})", out.status));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\"") && l.contains("\"name\":\"qemu-aarch64-lite\""))
        .filter_map(|l| json_string_field(l, "executable"))
        .next_back()
        .map(PathBuf::from)
        .ok_or_else(|| "cargo build --release reported no qemu-aarch64-lite executable".to_string())
}

/// The value of string field `key` in one line of Cargo's JSON messages (handles `\"`, `\\`).
fn json_string_field(line: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\":\"");
    let start = line.find(&pat)? + pat.len();
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

// ---- running a child with its rusage ----

/// `struct rusage` (x86_64 Linux, <bits/types/struct_rusage.h>): two timevals, then 14 longs.
#[repr(C)]
struct Rusage {
    ru_utime: [i64; 2],
    ru_stime: [i64; 2],
    ru_maxrss: i64,
    rest: [i64; 13],
}

extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
    fn waitid(idtype: u32, id: u32, infop: *mut u8, options: i32) -> i32;
    fn kill(pid: i32, sig: i32) -> i32;
}

const P_PID: u32 = 1;
const WEXITED: i32 = 4;
const WNOWAIT: i32 = 0x0100_0000;
const SIGKILL: i32 = 9;

#[derive(Default)]
struct WatchState {
    current: Option<(i32, Instant)>,
    killed: bool,
}

/// Kills the current child when its deadline passes.
struct Watchdog {
    state: Mutex<WatchState>,
    cv: Condvar,
}

impl Watchdog {
    fn start() -> Arc<Watchdog> {
        let w = Arc::new(Watchdog { state: Mutex::new(WatchState::default()), cv: Condvar::new() });
        let w2 = Arc::clone(&w);
        std::thread::spawn(move || w2.watch());
        w
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, WatchState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn watch(&self) {
        let mut g = self.lock();
        loop {
            match g.current {
                None => g = self.cv.wait(g).unwrap_or_else(|e| e.into_inner()),
                Some((pid, deadline)) => {
                    let now = Instant::now();
                    if now >= deadline {
                        // SAFETY: `pid` is our child, not yet reaped (see the module invariants).
                        unsafe { kill(pid, SIGKILL) };
                        g.killed = true;
                        g.current = None;
                    } else {
                        g = self.cv.wait_timeout(g, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
                    }
                }
            }
        }
    }
}

/// One finished run.
#[derive(Clone, Debug)]
struct RunResult {
    secs: f64,
    maxrss_kib: i64,
    stdout: Vec<u8>,
    status: ExitStatus,
    timed_out: bool,
    stderr: String,
}

impl RunResult {
    fn ok(&self) -> bool {
        !self.timed_out && self.status.success()
    }

    /// Why the run failed, in a few words.
    fn failure(&self, timeout: Duration) -> String {
        let how = if self.timed_out {
            format!("timed out after {} s", timeout.as_secs())
        } else if let Some(sig) = self.status.signal() {
            format!("killed by signal {sig}")
        } else {
            format!("exit status {}", self.status.code().unwrap_or(-1))
        };
        match self.stderr.lines().find(|l| !l.trim().is_empty()) {
            Some(l) => format!("{how} ({})", truncate(l.trim(), 100)),
            None => how,
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n).collect::<String>())
    }
}

/// The three ways of running a benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Runner {
    Ours,
    Qemu,
    Native,
}

const RUNNERS: [Runner; 3] = [Runner::Ours, Runner::Qemu, Runner::Native];

impl Runner {
    fn label(self) -> &'static str {
        match self {
            Runner::Ours => "ours",
            Runner::Qemu => "qemu-aarch64",
            Runner::Native => "native",
        }
    }
}

struct Ctx {
    ours: PathBuf,
    tmp: PathBuf,
    timeout: Duration,
    watchdog: Arc<Watchdog>,
}

impl Ctx {
    fn command(&self, r: Runner, a64: &Path, x64: &Path) -> Command {
        match r {
            Runner::Ours => {
                let mut c = Command::new(&self.ours);
                c.arg(a64);
                c
            }
            Runner::Qemu => {
                let mut c = Command::new("qemu-aarch64");
                c.arg(a64);
                c
            }
            Runner::Native => Command::new(x64),
        }
    }

    /// Run `cmd` to completion (or the timeout) and measure it.
    fn run(&self, mut cmd: Command) -> Result<RunResult, String> {
        let out_path = self.tmp.join("stdout");
        let err_path = self.tmp.join("stderr");
        let out = File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
        let err = File::create(&err_path).map_err(|e| format!("{}: {e}", err_path.display()))?;
        cmd.env_clear().stdin(Stdio::null()).stdout(out).stderr(err);
        let start = Instant::now();
        let child = cmd.spawn().map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
        let pid = child.id() as i32;
        {
            let mut g = self.watchdog.lock();
            g.current = Some((pid, start + self.timeout));
            g.killed = false;
        }
        self.watchdog.cv.notify_all();
        let mut info = [0u8; 128];
        loop {
            // SAFETY: `info` is a siginfo_t-sized buffer; waits for our own child without reaping it.
            let r = unsafe { waitid(P_PID, pid as u32, info.as_mut_ptr(), WEXITED | WNOWAIT) };
            if r == 0 {
                break;
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(format!("waitid: {e}"));
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let timed_out = {
            let mut g = self.watchdog.lock();
            g.current = None;
            g.killed
        };
        let mut status = 0i32;
        let mut ru = Rusage { ru_utime: [0; 2], ru_stime: [0; 2], ru_maxrss: 0, rest: [0; 13] };
        loop {
            // SAFETY: reaps our own exited child; `status` and `ru` are valid for writes.
            let r = unsafe { wait4(pid, &mut status, 0, &mut ru) };
            if r == pid {
                break;
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(format!("wait4: {e}"));
            }
        }
        drop(child);
        let stdout = std::fs::read(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
        let stderr = std::fs::read(&err_path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        Ok(RunResult {
            secs,
            maxrss_kib: ru.ru_maxrss,
            stdout,
            status: ExitStatus::from_raw(status),
            timed_out,
            stderr,
        })
    }
}

// ---- statistics and formatting ----

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn geomean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp()
}

fn fmt_time(secs: f64) -> String {
    if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 0.01 {
        format!("{:.0} ms", secs * 1e3)
    } else {
        format!("{:.2} ms", secs * 1e3)
    }
}

fn fmt_mib(kib: i64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

/// Outcome of one benchmark.
enum Outcome {
    /// Medians per runner (ours, qemu, native), peak RSS per runner, number of runs each.
    Timed { secs: [f64; 3], rss_kib: [i64; 3], runs: usize },
    /// Not measured, with the reason.
    Skipped(String),
}

struct Row {
    bench: Bench,
    outcome: Outcome,
}

/// Run `b` once per runner and check the outputs agree; returns the reference stdout and the
/// runs (the first timed round).
fn verify(ctx: &Ctx, b: &Bench, a64: &Path, x64: &Path) -> Result<(Vec<u8>, Vec<RunResult>), String> {
    let mut res = Vec::new();
    for r in RUNNERS {
        res.push(ctx.run(ctx.command(r, a64, x64))?);
    }
    let (ours, qemu, native) = (&res[0], &res[1], &res[2]);
    if !native.ok() {
        return Err(format!("excluded: native run failed: {}", native.failure(ctx.timeout)));
    }
    if !qemu.ok() {
        return Err(format!("excluded: qemu-aarch64 run failed: {}", qemu.failure(ctx.timeout)));
    }
    if qemu.stdout != native.stdout {
        eprint!(
            "xtask: {}: qemu-aarch64 (-) and native (+) outputs differ:\n{}",
            b.name,
            line_diff(&String::from_utf8_lossy(&qemu.stdout), &String::from_utf8_lossy(&native.stdout), 10)
        );
        return Err("excluded: qemu-aarch64 and native outputs differ".into());
    }
    let needs = b.needs.as_deref().map(|n| format!("needs {n}; ")).unwrap_or_default();
    if !ours.ok() {
        return Err(format!("skipped: {needs}ours failed: {}", ours.failure(ctx.timeout)));
    }
    if ours.stdout != qemu.stdout {
        eprint!(
            "xtask: {}: qemu-aarch64 (-) and our (+) outputs differ:\n{}",
            b.name,
            line_diff(&String::from_utf8_lossy(&qemu.stdout), &String::from_utf8_lossy(&ours.stdout), 10)
        );
        return Err(format!("excluded: {needs}our output differs from qemu-aarch64 and native"));
    }
    Ok((qemu.stdout.clone(), res))
}

/// Time `b`: `runs` rounds of ours, qemu, native, the first being the verification round
/// `first` (begun at `start`); every run's output must equal `expected`. After three rounds, a
/// benchmark that has taken more than `budget` since `start` stops early (its row shows how
/// many runs it had).
fn measure(
    ctx: &Ctx,
    b: &Bench,
    (a64, x64): (&Path, &Path),
    expected: &[u8],
    first: &[RunResult],
    (runs, start, budget): (usize, Instant, Duration),
) -> Result<Outcome, String> {
    let mut secs: [Vec<f64>; 3] = Default::default();
    let mut rss = [0i64; 3];
    for (k, res) in first.iter().enumerate() {
        secs[k].push(res.secs);
        rss[k] = res.maxrss_kib;
    }
    for round in 1..runs {
        if round >= 3 && !b.startup && start.elapsed() > budget {
            eprintln!("xtask:   {}: over the {} s budget after {round} rounds", b.name, budget.as_secs());
            break;
        }
        for (k, r) in RUNNERS.into_iter().enumerate() {
            let res = ctx.run(ctx.command(r, a64, x64))?;
            if !res.ok() {
                return Ok(Outcome::Skipped(format!(
                    "skipped: {} failed in timed run {}: {}",
                    r.label(),
                    round + 1,
                    res.failure(ctx.timeout)
                )));
            }
            if res.stdout != expected {
                return Ok(Outcome::Skipped(format!(
                    "excluded: {} output changed in timed run {}",
                    r.label(),
                    round + 1
                )));
            }
            secs[k].push(res.secs);
            rss[k] = rss[k].max(res.maxrss_kib);
        }
        if !b.startup {
            eprintln!(
                "xtask:   {} round {}/{runs}: ours {}, qemu {}, native {}",
                b.name,
                round + 1,
                fmt_time(secs[0][round]),
                fmt_time(secs[1][round]),
                fmt_time(secs[2][round])
            );
        }
    }
    let runs = secs[0].len();
    Ok(Outcome::Timed { secs: [median(&secs[0]), median(&secs[1]), median(&secs[2])], rss_kib: rss, runs })
}

// ---- the report ----

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn now_utc() -> String {
    let t = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", s / 3600, s / 60 % 60)
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let n = info.lines().filter(|l| l.starts_with("processor")).count();
    format!("{model} ({n} logical CPUs)")
}

/// First line of `cmd args` (stdout), or "unknown".
fn first_line(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).lines().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

struct Meta {
    date: String,
    cpu: String,
    kernel: String,
    command: String,
    qemu: String,
    cross_cc: String,
    native_cc: String,
    revision: String,
}

fn meta(args: &[String], root: &Path) -> Meta {
    let mut command = String::from("cargo xtask bench");
    for a in args {
        command.push(' ');
        command.push_str(a);
    }
    let rev = Command::new("git")
        .current_dir(root)
        .args(["rev-parse", "--short", "HEAD"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    Meta {
        date: now_utc(),
        cpu: cpu_model(),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()).unwrap_or_default(),
        command,
        qemu: first_line("qemu-aarch64", &["--version"]),
        cross_cc: first_line(crate::guest_bins::CROSS_CC, &["--version"]),
        native_cc: first_line(NATIVE_CC, &["--version"]),
        revision: rev,
    }
}

fn report(meta: &Meta, rows: &[Row]) -> String {
    let mut s = String::new();
    s.push_str(&format!("- Date: {}\n", meta.date));
    s.push_str(&format!("- Machine: {}, Linux {}\n", meta.cpu, meta.kernel));
    s.push_str(&format!(
        "- Command: `{}` (emulator at commit {}, plus any uncommitted changes)\n",
        meta.command, meta.revision
    ));
    s.push_str(&format!("- qemu-aarch64: {}\n", meta.qemu));
    s.push_str(&format!(
        "- Compilers: `{}` and `{}`, flags `{}` plus the benchmark's own (`-O3` for vecloops)\n\n",
        meta.cross_cc,
        meta.native_cc,
        COMMON_CFLAGS.join(" ")
    ));
    if rows.iter().any(|r| !r.bench.startup) {
        s.push_str(&main_table(rows));
    }
    let startup: Vec<&Row> = rows.iter().filter(|r| r.bench.startup).collect();
    if !startup.is_empty() {
        s.push_str(&startup_table(&startup));
    }
    s.push_str(&targets(rows));
    s
}

fn main_table(rows: &[Row]) -> String {
    let mut s = String::new();
    s.push_str("| benchmark | what it measures | runs | ours | qemu-aarch64 | native | ours/qemu | ours/native | peak RSS MiB ours / qemu / native |\n");
    s.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    let (mut vs_qemu, mut vs_native) = (Vec::new(), Vec::new());
    for row in rows.iter().filter(|r| !r.bench.startup) {
        let b = &row.bench;
        match &row.outcome {
            Outcome::Timed { secs, rss_kib, runs } => {
                let (rq, rn) = (secs[0] / secs[1], secs[0] / secs[2]);
                vs_qemu.push(rq);
                vs_native.push(rn);
                s.push_str(&format!(
                    "| {} | {} | {runs} | {} | {} | {} | {:.2} | {:.2} | {} / {} / {} |\n",
                    b.name,
                    b.desc,
                    fmt_time(secs[0]),
                    fmt_time(secs[1]),
                    fmt_time(secs[2]),
                    rq,
                    rn,
                    fmt_mib(rss_kib[0]),
                    fmt_mib(rss_kib[1]),
                    fmt_mib(rss_kib[2])
                ));
            }
            Outcome::Skipped(why) => {
                s.push_str(&format!("| {} | {} | | {} | | | | | |\n", b.name, b.desc, why.replace('|', "\\|")))
            }
        }
    }
    s.push_str(&format!(
        "| **geometric mean** | {} of {} benchmarks measured | | | | | **{:.2}** | **{:.2}** | |\n\n",
        vs_qemu.len(),
        rows.iter().filter(|r| !r.bench.startup).count(),
        geomean(&vs_qemu),
        geomean(&vs_native)
    ));
    s.push_str(
        "Times are medians of the runs per runner (wall clock, from spawn to exit; the runners interleaved, the \
         first round doubling as the output check; a benchmark over the time budget stops after three rounds). \
         Peak RSS is the largest `ru_maxrss` of the runs. Ratios below 1 mean this emulator is faster.\n\n",
    );
    s
}

fn startup_table(startup: &[&Row]) -> String {
    let mut s = String::from("Start-up (whole process, spawn to exit; median of the runs):\n\n");
    s.push_str(
        "| program | ours | qemu-aarch64 | native | ours/qemu | ours/native | peak RSS MiB ours / qemu / native |\n",
    );
    s.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for row in startup {
        match &row.outcome {
            Outcome::Timed { secs, rss_kib, runs } => s.push_str(&format!(
                "| {} ({} runs each) | {} | {} | {} | {:.2} | {:.2} | {} / {} / {} |\n",
                row.bench.name,
                runs,
                fmt_time(secs[0]),
                fmt_time(secs[1]),
                fmt_time(secs[2]),
                secs[0] / secs[1],
                secs[0] / secs[2],
                fmt_mib(rss_kib[0]),
                fmt_mib(rss_kib[1]),
                fmt_mib(rss_kib[2])
            )),
            Outcome::Skipped(why) => {
                s.push_str(&format!("| {} | {} | | | | | |\n", row.bench.name, why.replace('|', "\\|")))
            }
        }
    }
    s.push('\n');
    s
}

/// The issue's targets, checked against this run.
fn targets(rows: &[Row]) -> String {
    let timed: Vec<(&Row, [f64; 3], [i64; 3])> = rows
        .iter()
        .filter_map(|r| match r.outcome {
            Outcome::Timed { secs, rss_kib, .. } => Some((r, secs, rss_kib)),
            Outcome::Skipped(_) => None,
        })
        .collect();
    let suite: Vec<&(&Row, [f64; 3], [i64; 3])> = timed.iter().filter(|t| !t.0.bench.startup).collect();
    let mut s = String::from("Against the targets of issue 5:\n\n");
    let yes = |ok: bool| if ok { "met" } else { "not met" };
    if !suite.is_empty() {
        let gq = geomean(&suite.iter().map(|t| t.1[0] / t.1[1]).collect::<Vec<_>>());
        let gn = geomean(&suite.iter().map(|t| t.1[0] / t.1[2]).collect::<Vec<_>>());
        s.push_str(&format!("- geometric mean ours/qemu {gq:.2} (<= 0.5: {})\n", yes(gq <= 0.5)));
        s.push_str(&format!("- geometric mean ours/native {gn:.2} (<= 2.0: {})\n", yes(gn <= 2.0)));
        let mut slower: Vec<(&str, f64)> =
            suite.iter().filter(|t| t.1[0] > t.1[1]).map(|t| (t.0.bench.name.as_str(), t.1[0] / t.1[1])).collect();
        slower.sort_by(|a, b| b.1.total_cmp(&a.1));
        if slower.is_empty() {
            s.push_str("- no benchmark slower than qemu-aarch64: met\n");
        } else {
            let list: Vec<String> = slower.iter().map(|(n, r)| format!("{n} {r:.2}x")).collect();
            s.push_str(&format!("- slower than qemu-aarch64 (ours/qemu): {}\n", list.join(", ")));
        }
    }
    for t in timed.iter().filter(|t| t.0.bench.startup) {
        let (ms, mb) = (t.1[0] * 1e3, t.2[0] as f64 * 1024.0 / 1e6);
        s.push_str(&format!("- {} start-up {ms:.2} ms (<= 5 ms: {})\n", t.0.bench.name, yes(ms <= 5.0)));
        s.push_str(&format!("- {} peak RSS {mb:.1} MB (<= 10 MB: {})\n", t.0.bench.name, yes(mb <= 10.0)));
    }
    let skipped: Vec<&Row> = rows.iter().filter(|r| matches!(r.outcome, Outcome::Skipped(_))).collect();
    if !skipped.is_empty() {
        let names: Vec<&str> = skipped.iter().map(|r| r.bench.name.as_str()).collect();
        s.push_str(&format!("- not measured (see the table): {}\n", names.join(", ")));
    }
    s.push('\n');
    s
}

const DOC_HEAD: &str = "# Performance\n\n\
This emulator against Debian's `qemu-aarch64` and the same C source built natively for x86_64, on \
the programs in `guest-bins/bench/` (each prints a checksum; the three outputs must agree before \
anything is timed). Produced by `cargo xtask bench` (xtask/src/bench.rs); the part between the \
`bench` markers below is rewritten by every run, the rest of this page is kept. The machines are \
shared and noisy: compare ratios measured in one run, not absolute times across runs.\n\n\
Targets (issue 5): geometric mean of ours/qemu <= 0.5 and of ours/native <= 2.0, no benchmark \
slower than qemu-aarch64; static hello start-up <= 5 ms median with peak RSS <= 10 MB.\n\n";

/// Replace the text between the markers in `doc` (or make a new page).
fn splice(doc: Option<String>, body: &str) -> String {
    let block = format!("{BEGIN}\n{body}{END}\n");
    if let Some(doc) = doc {
        if let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) {
            if b < e {
                let rest = doc[e + END.len()..].strip_prefix('\n').unwrap_or(&doc[e + END.len()..]);
                return format!("{}{block}{rest}", &doc[..b]);
            }
        }
        if !doc.trim().is_empty() {
            return format!("{}\n{block}", doc.trim_end());
        }
    }
    format!("{DOC_HEAD}{block}")
}

fn parse_count(opt: &str, v: Option<&String>) -> Result<usize, String> {
    v.and_then(|s| s.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("bench: {opt} needs a positive number"))
}

const USAGE: &str = "usage: cargo xtask bench [--runs N] [--startup-runs N] [--timeout SECS] [--budget SECS] \
                     [--filter NAME[,NAME...]] [--no-write]";

pub fn run(args: &[String]) -> Result<(), String> {
    let (mut runs, mut startup_runs, mut timeout, mut budget) = (5usize, 50usize, 300usize, 120usize);
    let (mut filter, mut write) = (None, true);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => runs = parse_count(a, it.next())?,
            "--startup-runs" => startup_runs = parse_count(a, it.next())?,
            "--timeout" => timeout = parse_count(a, it.next())?,
            "--budget" => budget = parse_count(a, it.next())?,
            "--filter" => {
                filter = Some(it.next().ok_or_else(|| format!("bench: --filter needs a name\n{USAGE}"))?.clone())
            }
            "--no-write" => write = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("bench: unknown argument '{other}'\n{USAGE}")),
        }
    }
    let root = repo_root();
    let mut benches = discover(&root)?;
    if let Some(f) = &filter {
        let names: Vec<&str> = f.split(',').filter(|n| !n.is_empty()).collect();
        benches.retain(|b| names.iter().any(|n| b.name.contains(n)));
        if benches.is_empty() {
            return Err(format!("bench: no benchmark in guest-bins/bench/ matches '{f}'"));
        }
    }
    if !have_qemu() {
        return Err("bench needs qemu-aarch64 (apt-get install qemu-user)".into());
    }
    if !Command::new(NATIVE_CC).arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success()) {
        return Err(format!("bench needs the host compiler `{NATIVE_CC}`"));
    }
    ensure_cross_compiler()?;
    let ours = build_emulator(&root)?;
    let tmp = crate::guest_bins::fresh_tmpdir("bench")?;
    let ctx = Ctx { ours, tmp: tmp.clone(), timeout: Duration::from_secs(timeout as u64), watchdog: Watchdog::start() };
    let result = run_all(&ctx, &root, &benches, (runs, startup_runs), Duration::from_secs(budget as u64));
    let _ = std::fs::remove_dir_all(&tmp);
    let rows = result?;
    let body = report(&meta(args, &root), &rows);
    println!("\n{body}");
    if write {
        let path = root.join("docs/performance.md");
        let doc = splice(std::fs::read_to_string(&path).ok(), &body);
        std::fs::write(&path, doc).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("xtask: wrote {}", path.display());
    }
    Ok(())
}

fn run_all(
    ctx: &Ctx,
    root: &Path,
    benches: &[Bench],
    (runs, startup_runs): (usize, usize),
    budget: Duration,
) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for b in benches {
        eprintln!("xtask: {}: building", b.name);
        let (a64, x64) = match build_bench(root, b) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("xtask: {e}");
                rows.push(Row { bench: b.clone(), outcome: Outcome::Skipped("excluded: does not build".into()) });
                continue;
            }
        };
        let start = Instant::now();
        let outcome = match verify(ctx, b, &a64, &x64) {
            Err(why) => Outcome::Skipped(why),
            Ok((expected, first)) => {
                let n = if b.startup { startup_runs } else { runs };
                eprintln!("xtask: {}: outputs agree; timing {n} runs per runner", b.name);
                measure(ctx, b, (&a64, &x64), &expected, &first, (n, start, budget))?
            }
        };
        match &outcome {
            Outcome::Skipped(why) => eprintln!("xtask: {}: {why}", b.name),
            Outcome::Timed { secs, .. } => eprintln!(
                "xtask: {}: ours {}, qemu {}, native {}: ours/qemu {:.2}, ours/native {:.2}",
                b.name,
                fmt_time(secs[0]),
                fmt_time(secs[1]),
                fmt_time(secs[2]),
                secs[0] / secs[1],
                secs[0] / secs[2]
            ),
        }
        rows.push(Row { bench: b.clone(), outcome });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn statistics() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!((geomean(&[0.5, 2.0]) - 1.0).abs() < 1e-12);
        assert!((geomean(&[1.0, 4.0, 16.0]) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn cargo_json_executable() {
        let l = r#"{"reason":"compiler-artifact","target":{"name":"qemu-aarch64-lite"},"executable":"/t/a \"b\"\\c","fresh":true}"#;
        assert_eq!(json_string_field(l, "executable").as_deref(), Some("/t/a \"b\"\\c"));
        assert_eq!(json_string_field(r#"{"executable":null}"#, "executable"), None);
    }

    #[test]
    fn splice_keeps_text_outside_markers() {
        let doc = format!("# T\n\nintro\n{BEGIN}\nold\n{END}\nhistory\n");
        assert_eq!(splice(Some(doc), "new\n"), format!("# T\n\nintro\n{BEGIN}\nnew\n{END}\nhistory\n"));
        let fresh = splice(None, "x\n");
        assert!(fresh.starts_with("# Performance") && fresh.ends_with(&format!("{BEGIN}\nx\n{END}\n")));
    }

    #[test]
    fn every_benchmark_parses() {
        let benches = discover(&repo_root()).unwrap();
        assert!(benches.iter().any(|b| b.startup), "no start-up benchmark");
        for b in &benches {
            let text = std::fs::read_to_string(&b.source).unwrap();
            assert!(text.lines().take(20).any(|l| l.contains("xtask: skip")), "{} lacks `// xtask: skip`", b.name);
        }
    }
}
