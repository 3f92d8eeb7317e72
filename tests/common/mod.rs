//! Shared utilities for the integration tests: the emulator binary, the guest programs (built
//! once per test process with the same code as `cargo xtask guest-bins`), running a command
//! with a timeout, and comparing outputs with a readable diff.
//!
//! Invariants: guest programs are built at most once per test process (a `OnceLock`); a build
//! that cannot happen (no cross compiler and no way to install it) makes every test that needs
//! a guest program fail with the reason, never pass silently. Each integration test file
//! includes this module with `mod common;` and uses only what it needs.

#![allow(dead_code)]

#[path = "../../xtask/src/guest_bins.rs"]
pub mod guest_bins;

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub use guest_bins::{line_diff, status_text, Program};

/// How many differing lines a failure message shows.
pub const DIFF_LINES: usize = 12;

/// How long any one guest run may take before it is killed and the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The emulator binary cargo built for this test run.
pub fn emulator() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_qemu-aarch64-lite"))
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every guest program with the outcome of its build; `Err` when nothing could be built.
pub fn guest_programs() -> &'static Result<guest_bins::BuildReport, String> {
    static BUILT: OnceLock<Result<guest_bins::BuildReport, String>> = OnceLock::new();
    BUILT.get_or_init(|| guest_bins::build_all(&root(), false, &[]))
}

/// The program `name` (e.g. `hello`, `fp/fpcheck`), built; panics with the reason otherwise.
pub fn program(name: &str) -> Program {
    let report = match guest_programs() {
        Ok(r) => r,
        Err(e) => panic!("cannot build the guest programs (run `cargo xtask guest-bins` to see why):\n{e}"),
    };
    match report.iter().find(|(p, _)| p.name == name) {
        Some((p, Ok(()))) => p.clone(),
        Some((_, Err(e))) => panic!("guest program {name} failed to build:\n{e}"),
        None => panic!("no guest program named {name} under guest-bins/"),
    }
}

/// Path of the built guest program `name`.
pub fn guest_bin(name: &str) -> PathBuf {
    program(name).binary(&root())
}

/// What a finished (or killed) command did.
#[derive(Debug)]
pub struct Outcome {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    /// `N` or `signal N`, as in `.status` files.
    pub fn status_text(&self) -> String {
        status_text(&self.status)
    }
}

fn drain(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// Run `cmd` with stdin from /dev/null, capturing stdout and stderr; kill it after `timeout`.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Outcome {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
    let out = drain(child.stdout.take().expect("piped stdout"));
    let err = drain(child.stderr.take().expect("piped stderr"));
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) if start.elapsed() >= timeout => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("wait after kill");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for {:?}: {e}", cmd.get_program()),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Outcome { status, stdout, stderr, timed_out, elapsed: start.elapsed() }
}

/// A command running `guest` under our emulator with `emu_args` before the program, `args`
/// after it, and an empty environment.
pub fn emu_command<A, B>(emu_args: A, guest: &Path, args: B) -> Command
where
    A: IntoIterator,
    A::Item: AsRef<OsStr>,
    B: IntoIterator,
    B::Item: AsRef<OsStr>,
{
    let mut c = Command::new(emulator());
    c.args(emu_args).arg(guest).args(args).env_clear();
    c
}

/// Whether qemu-aarch64 (the reference) is installed; prints a visible note when it is not.
pub fn have_qemu(test: &str) -> bool {
    static HAVE: OnceLock<bool> = OnceLock::new();
    let have = *HAVE.get_or_init(guest_bins::have_qemu);
    if !have {
        println!("{test}: skipped: qemu-aarch64 not installed (apt-get install qemu-user)");
    }
    have
}

/// Panics if the emulator's stderr shows a Rust panic.
pub fn assert_no_panic(what: &str, o: &Outcome) {
    let e = o.stderr_text();
    assert!(!e.contains("panicked"), "{what}: the emulator panicked:\n{e}");
}

/// Describe an outcome for a failure message: status, time, the start of stderr.
pub fn describe(o: &Outcome) -> String {
    let e = o.stderr_text();
    let head: Vec<&str> = e.lines().take(15).collect();
    format!(
        "status {}{} after {:.2?}; stderr{}:\n{}",
        o.status_text(),
        if o.timed_out { " (killed: timeout)" } else { "" },
        o.elapsed,
        if e.lines().count() > 15 { " (first 15 lines)" } else { "" },
        head.join("\n")
    )
}

/// Compare an outcome with the expected stdout/status (and stderr when given); returns a
/// readable description of every difference, or `None` when they match.
pub fn mismatch(o: &Outcome, stdout: &[u8], status: &str, stderr: Option<&[u8]>) -> Option<String> {
    let mut msg = String::new();
    if o.timed_out {
        msg.push_str(&format!("timed out after {:?} and was killed\n", TIMEOUT));
    }
    if o.status_text() != status {
        msg.push_str(&format!("exit status {} (expected {status})\n", o.status_text()));
    }
    if o.stdout != stdout {
        let (want, got) = (String::from_utf8_lossy(stdout), o.stdout_text());
        let same = want.lines().zip(got.lines()).take_while(|(a, b)| a == b).count();
        msg.push_str(&format!(
            "stdout differs from line {} on ({} lines expected, {} produced; - expected, + actual):\n{}",
            same + 1,
            want.lines().count(),
            got.lines().count(),
            line_diff(&want, &got, DIFF_LINES)
        ));
    }
    if let Some(want) = stderr {
        if o.stderr != want {
            msg.push_str(&format!(
                "stderr differs (- expected, + actual):\n{}",
                line_diff(&String::from_utf8_lossy(want), &o.stderr_text(), DIFF_LINES)
            ));
        }
    }
    if msg.is_empty() {
        None
    } else {
        Some(msg)
    }
}

/// Expected results of a program from its `expected/` files.
pub struct Expected {
    pub stdout: Vec<u8>,
    pub status: String,
    pub stderr: Option<Vec<u8>>,
}

/// Read `<dir>/expected/<name>.{stdout,status,stderr}`; `None` when there is no `.stdout`.
pub fn expected(p: &Program) -> Option<Expected> {
    let stdout = std::fs::read(p.expected("stdout")).ok()?;
    let status = match std::fs::read_to_string(p.expected("status")) {
        Ok(s) => s.trim().to_string(),
        Err(_) => "0".into(),
    };
    let stderr = std::fs::read(p.expected("stderr")).ok();
    Some(Expected { stdout, status, stderr })
}

/// Run program `name` with its `.args` under our emulator (and under qemu-aarch64 when
/// installed) and check both against its expected files. Returns the failure text, if any.
pub fn check_program(name: &str) -> Result<(), String> {
    let p = program(name);
    let want =
        expected(&p).ok_or_else(|| format!("{name}: no expected output at {}", p.expected("stdout").display()))?;
    let bin = p.binary(&root());
    let mut failures = Vec::new();
    let mut runners: Vec<(&str, Command)> = Vec::new();
    let emu_tmp = guest_bins::fresh_tmpdir(&name.replace('/', "_"))?;
    let args = guest_bins::program_args(&p, &emu_tmp)?;
    runners.push(("qemu-aarch64-lite", emu_command(&[] as &[&str], &bin, &args)));
    let qemu_tmp = guest_bins::fresh_tmpdir(&name.replace('/', "_"))?;
    if have_qemu(name) {
        let qargs = guest_bins::program_args(&p, &qemu_tmp)?;
        let mut c = Command::new("qemu-aarch64");
        c.arg(&bin).args(&qargs).env_clear();
        runners.push(("qemu-aarch64", c));
    }
    for (who, mut cmd) in runners {
        let o = run_with_timeout(&mut cmd, TIMEOUT);
        if who == "qemu-aarch64-lite" {
            let e = o.stderr_text();
            if e.contains("panicked") {
                failures.push(format!("{name} under {who}: the emulator panicked:\n{e}"));
            }
        }
        if let Some(m) = mismatch(&o, &want.stdout, &want.status, want.stderr.as_deref()) {
            let hint = if who == "qemu-aarch64" {
                "\n(the reference disagrees with the expected files: were they regenerated after the source \
                 changed? `cargo xtask guest-bins --expected`)"
            } else {
                ""
            };
            failures.push(format!("{name} under {who}: {}\n{m}{hint}", describe(&o)));
        }
    }
    let _ = std::fs::remove_dir_all(&emu_tmp);
    let _ = std::fs::remove_dir_all(&qemu_tmp);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n\n"))
    }
}
