//! binfmt_misc integration (issue 7): the emulator is a static executable, and once registered
//! the kernel runs aarch64 programs through it directly, in a chroot, with and without the P
//! and O flags, as a `#!` interpreter, and across a guest's execve.
//!
//! Invariants: every test that registers takes `LOCK` (entries are global to the machine and the
//! kernel tries the newest first, so two registrations at once would answer for each other) and
//! holds a [`Registration`] whose `Drop` removes the entry, on success and on panic alike.
//! Entries are named `qal-test-<pid>-<n>`; leftovers of killed runs (dead pid) are removed
//! before registering. Nothing else changes on the machine, except that binfmt_misc gets
//! mounted if it was not. Without root or binfmt_misc the tests say so on stderr and pass.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

const EXE: &str = env!("CARGO_BIN_EXE_qemu-aarch64-lite");
const MOUNT: &str = "/proc/sys/fs/binfmt_misc";
/// The unprivileged user for the execute-only test (Debian's `nobody`).
const NOBODY: u32 = 65534;

static LOCK: Mutex<()> = Mutex::new(());
static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A message that shows even when the harness captures test output.
fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// `Some(lock)` when this test can register entries; otherwise prints why it is skipped.
fn can_register(test: &str) -> Option<MutexGuard<'static, ()>> {
    if !is_root() {
        say(&format!("SKIPPED {test}: needs root (binfmt_misc registration)"));
        return None;
    }
    if !Path::new(MOUNT).is_dir() {
        say(&format!("SKIPPED {test}: binfmt_misc is not available ({MOUNT} is missing)"));
        return None;
    }
    Some(LOCK.lock().unwrap_or_else(|e| e.into_inner()))
}

fn show(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

fn qal(args: &[&str]) -> Output {
    run(Command::new(EXE).args(args))
}

/// Remove `qal-test-<pid>-*` entries whose process is gone (a killed earlier run).
fn remove_stale_entries() {
    let Ok(dir) = std::fs::read_dir(MOUNT) else { return };
    for d in dir.flatten() {
        let name = d.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("qal-test-").and_then(|r| r.split('-').next()) else { continue };
        if !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::write(d.path(), "-1");
            say(&format!("removed stale binfmt_misc entry {name}"));
        }
    }
}

/// A binfmt_misc entry for the emulator under a unique name, removed on drop.
struct Registration {
    name: String,
}

impl Registration {
    /// Register through the CLI (`--force`: ours must win even over a Debian qemu-aarch64).
    fn new(flags: &str) -> Registration {
        remove_stale_entries();
        let name = format!("qal-test-{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::SeqCst));
        let o = qal(&["--binfmt", "install", "--name", &name, "--flags", flags, "--force"]);
        // Guard first: if install half-succeeded, Drop still cleans up.
        let reg = Registration { name };
        assert!(o.status.success(), "install failed: {}", show(&o));
        let entry = std::fs::read_to_string(reg.path()).expect("entry file after install");
        assert!(entry.starts_with("enabled\n"), "{entry}");
        assert!(entry.contains(&format!("flags: {flags}\n")), "flags {flags}: {entry}");
        reg
    }

    fn path(&self) -> PathBuf {
        Path::new(MOUNT).join(&self.name)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let o = qal(&["--binfmt", "uninstall", "--name", &self.name]);
        if self.path().exists() {
            let _ = std::fs::write(self.path(), "-1");
        }
        if self.path().exists() {
            say(&format!("ERROR: could not remove binfmt_misc entry {}: {}", self.name, show(&o)));
        }
    }
}

/// A scratch directory readable by everyone (the O-flag test runs as `nobody`), removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("qal-binfmt-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The guest programs, built once per test process with the static aarch64 cross compiler.
fn guests() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("guest-bins");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("binfmt-guests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        for (name, src) in [
            ("hello", root.join("hello.c")),
            ("argv0", root.join("binfmt/argv0.c")),
            ("execve", root.join("binfmt/execve.c")),
        ] {
            let out = dir.join(name);
            let o = Command::new("aarch64-linux-gnu-gcc").args(["-static", "-O2", "-o"]).arg(&out).arg(&src).output();
            match o {
                Err(e) => panic!(
                    "aarch64-linux-gnu-gcc not runnable ({e}): install the cross compiler \
                     (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
                ),
                Ok(o) => assert!(o.status.success(), "compiling {}: {}", src.display(), show(&o)),
            }
        }
        dir
    })
}

fn copy_guest(name: &str, to: &Path) -> PathBuf {
    let dst = to.join(name);
    std::fs::copy(guests().join(name), &dst).unwrap();
    dst
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The emulator binary must be usable by the kernel inside any root: no PT_INTERP, no needed
/// libraries; and a static-pie (ET_DYN), so that guest programs can own low addresses such as
/// 0x400000.
#[test]
fn emulator_is_static_pie() {
    let bytes = std::fs::read(EXE).unwrap();
    let elf = goblin::elf::Elf::parse(&bytes).unwrap();
    assert_eq!(elf.interpreter, None, "{EXE} is dynamically linked; .cargo/config.toml must build with crt-static");
    assert!(elf.libraries.is_empty(), "{EXE} needs shared libraries: {:?}", elf.libraries);
    assert_eq!(elf.header.e_type, goblin::elf::header::ET_DYN, "{EXE} must be a static-pie (ET_DYN), not ET_EXEC");
    assert_eq!(elf.header.e_machine, goblin::elf::header::EM_X86_64);
    // It really runs on its own: the statically linked C library starts and answers.
    let o = qal(&["-version"]);
    assert!(o.status.success() && stdout(&o).contains("qemu-aarch64-lite version"), "{}", show(&o));
}

#[test]
fn install_refuses_without_root() {
    let mut cmd = Command::new(EXE);
    cmd.args(["--binfmt", "install", "--name", "qal-test-never"]);
    if is_root() {
        cmd.uid(NOBODY).gid(NOBODY);
    }
    let o = run(&mut cmd);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs root"), "{}", show(&o));
    assert!(!Path::new(MOUNT).join("qal-test-never").exists());
}

#[test]
fn print_conf_is_qemus_aarch64_line() {
    let o = qal(&["--binfmt", "print-conf", "--name", "x", "--interpreter", "/usr/bin/qemu-aarch64-lite"]);
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(
        stdout(&o),
        ":x:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\
         \\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:\
         /usr/bin/qemu-aarch64-lite:PF\n"
    );
}

/// `./hello` from a shell, with the default flags.
#[test]
fn runs_directly_from_the_shell() {
    let Some(_lock) = can_register("runs_directly_from_the_shell") else { return };
    let dir = TempDir::new("direct");
    copy_guest("hello", &dir.0);
    let _reg = Registration::new("PF");
    let o = run(Command::new("sh").arg("-c").arg("./hello").current_dir(&dir.0));
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "Hello, world!\n"), "{}", show(&o));
}

/// A chroot whose root holds nothing but the guest program: works with F (the kernel opened the
/// static emulator at registration), fails without it (the interpreter path does not exist there).
#[test]
fn runs_in_a_chroot_holding_only_the_program() {
    let Some(_lock) = can_register("runs_in_a_chroot_holding_only_the_program") else { return };
    let dir = TempDir::new("chroot");
    copy_guest("hello", &dir.0);
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 1);
    {
        let _reg = Registration::new("F");
        let o = run(Command::new("chroot").arg(&dir.0).arg("/hello"));
        assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "Hello, world!\n"), "{}", show(&o));
    }
    {
        let _reg = Registration::new("P");
        let o = run(Command::new("chroot").arg(&dir.0).arg("/hello"));
        assert!(!o.status.success(), "without F the interpreter cannot be found in the chroot: {}", show(&o));
    }
}

/// With P the guest sees the argv[0] it was invoked with; without P, the path. Arguments that
/// look like emulator options reach the guest untouched.
#[test]
fn argv0_with_and_without_p() {
    let Some(_lock) = can_register("argv0_with_and_without_p") else { return };
    let dir = TempDir::new("argv0");
    let prog = copy_guest("argv0", &dir.0);
    let invoke = || run(Command::new(&prog).arg0("custom-name").args(["-h", "--binfmt", "-strace"]));
    {
        let _reg = Registration::new("PF");
        let o = invoke();
        assert!(o.status.success(), "{}", show(&o));
        assert_eq!(
            stdout(&o),
            "argc=4\nargv[0]=custom-name\nargv[1]=-h\nargv[2]=--binfmt\nargv[3]=-strace\nexecfd=none\n"
        );
    }
    {
        let _reg = Registration::new("F");
        let o = invoke();
        assert!(o.status.success(), "{}", show(&o));
        assert_eq!(
            stdout(&o),
            format!("argc=4\nargv[0]={}\nargv[1]=-h\nargv[2]=--binfmt\nargv[3]=-strace\nexecfd=none\n", prog.display())
        );
    }
}

/// O: the kernel opens the program, so an execute-only file runs for a user who cannot read
/// it; the guest sees AT_EXECFD. Without O the emulator cannot open it.
#[test]
fn open_binary_runs_execute_only_programs() {
    let Some(_lock) = can_register("open_binary_runs_execute_only_programs") else { return };
    let dir = TempDir::new("xonly");
    let prog = copy_guest("argv0", &dir.0);
    std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o711)).unwrap();
    let invoke = || run(Command::new(&prog).arg0("xo").arg("1").uid(NOBODY).gid(NOBODY).current_dir("/"));
    {
        let _reg = Registration::new("POF");
        let o = invoke();
        assert!(o.status.success(), "{}", show(&o));
        let out = stdout(&o);
        assert!(out.starts_with("argc=2\nargv[0]=xo\nargv[1]=1\nexecfd="), "{out}");
        assert!(!out.contains("execfd=none"), "AT_EXECFD missing: {out}");
    }
    {
        let _reg = Registration::new("PF");
        let o = invoke();
        assert_eq!(o.status.code(), Some(126), "unreadable without O: {}", show(&o));
        assert!(String::from_utf8_lossy(&o.stderr).contains("ermission denied"), "{}", show(&o));
    }
}

/// A script whose `#!` line names an aarch64 program: the kernel's script handler runs the
/// guest with `[guest, optional-arg, script, args...]`, then binfmt_misc runs the emulator.
#[test]
fn shebang_with_a_guest_interpreter() {
    let Some(_lock) = can_register("shebang_with_a_guest_interpreter") else { return };
    let dir = TempDir::new("shebang");
    let interp = copy_guest("argv0", &dir.0);
    let script = dir.0.join("script");
    std::fs::write(&script, format!("#!{} opt\nthis line is not read\n", interp.display())).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let _reg = Registration::new("PF");
    let o = run(Command::new(&script).arg("a b"));
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "argc=4\nargv[0]={}\nargv[1]=opt\nargv[2]={}\nargv[3]=a b\nexecfd=none\n",
            interp.display(),
            script.display()
        )
    );
}

/// A guest that execve()s another aarch64 guest: the second one goes through binfmt_misc too.
#[test]
fn guest_execve_of_a_guest() {
    let Some(_lock) = can_register("guest_execve_of_a_guest") else { return };
    let dir = TempDir::new("execve");
    let first = copy_guest("execve", &dir.0);
    let second = copy_guest("argv0", &dir.0);
    let _reg = Registration::new("PF");
    let o = run(Command::new(&first).arg(&second).args(["second-name", "z"]));
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(
        stdout(&o),
        format!("execve: running {}\nargc=2\nargv[0]=second-name\nargv[1]=z\nexecfd=none\n", second.display())
    );
}

/// Another enabled entry claiming aarch64 (here a stand-in for Debian's qemu-aarch64) is
/// reported with what to do; `--force` registers anyway; `status` shows both.
#[test]
fn install_reports_a_conflicting_entry() {
    let Some(_lock) = can_register("install_reports_a_conflicting_entry") else { return };
    let other = Registration::new("P");
    let name = format!("qal-test-{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::SeqCst));
    let o = qal(&["--binfmt", "install", "--name", &name]);
    let ours = Registration { name: name.clone() }; // removes it whatever happened
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(err.contains(&format!("'{}'", other.name)) && err.contains("--force"), "{err}");
    assert!(err.contains(&format!("echo 0 > {MOUNT}/{}", other.name)), "{err}");
    assert!(!ours.path().exists(), "refused install left an entry");

    let o = qal(&["--binfmt", "install", "--name", &name, "--force"]);
    assert!(o.status.success(), "{}", show(&o));
    let o = qal(&["--binfmt", "status", "--name", &name]);
    assert!(o.status.success(), "{}", show(&o));
    let out = stdout(&o);
    assert!(out.contains(&format!("entry '{name}' (enabled")), "{out}");
    assert!(out.contains(&format!("also claiming aarch64 programs: '{}'", other.name)), "{out}");
    // The same settings again: nothing to do.
    let o = qal(&["--binfmt", "install", "--name", &name]);
    assert!(o.status.success() && stdout(&o).contains("already installed"), "{}", show(&o));

    drop(ours);
    let o = qal(&["--binfmt", "status", "--name", &name]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let o = qal(&["--binfmt", "uninstall", "--name", &name]);
    assert_eq!(o.status.code(), Some(1), "uninstalling a missing entry: {}", show(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no binfmt_misc entry"), "{}", show(&o));
}
