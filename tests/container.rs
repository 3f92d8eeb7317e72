//! Containers, the main use (issue 7): with the emulator registered (default flags, PF), an arm64
//! image built locally from scratch runs under `docker run --platform linux/arm64`.
//!
//! The image is a `docker load` archive made here (config `"architecture": "arm64"`; `docker
//! import --platform` is ignored by Docker 20.10) holding the static guest programs built from
//! guest-bins/ and Debian's busybox-static:arm64. busybox comes from `$QAL_BUSYBOX_ARM64` (a path
//! to an aarch64 busybox binary) or is fetched once with apt-get using a private state directory
//! under the target directory (the machine's apt lists and dpkg architectures are not touched).
//!
//! Invariants: every test holds `LOCK`, an [`Entry`] guard that unregisters the handler and an
//! [`Image`] guard that removes the image, on success and on panic alike. Without root, binfmt_misc
//! or an answering Docker engine the tests say so on stderr and pass.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

const EXE: &str = env!("CARGO_BIN_EXE_qemu-aarch64-lite");
const MOUNT: &str = "/proc/sys/fs/binfmt_misc";

static LOCK: Mutex<()> = Mutex::new(());
static SEQ: AtomicUsize = AtomicUsize::new(0);

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
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

fn unique(kind: &str) -> String {
    format!("qal-test-{}-{}{kind}", std::process::id(), SEQ.fetch_add(1, Ordering::SeqCst))
}

/// `Some(lock)` when root, binfmt_misc and a Docker engine are there; otherwise says why not.
fn can_run(test: &str) -> Option<MutexGuard<'static, ()>> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        say(&format!("SKIPPED {test}: needs root (binfmt_misc registration)"));
        return None;
    }
    if !Path::new(MOUNT).is_dir() {
        say(&format!("SKIPPED {test}: binfmt_misc is not available ({MOUNT} is missing)"));
        return None;
    }
    match Command::new("docker").args(["version", "--format", "{{.Server.Version}}"]).output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            say(&format!("SKIPPED {test}: no Docker engine answers: {}", String::from_utf8_lossy(&o.stderr).trim()));
            return None;
        }
        Err(e) => {
            say(&format!("SKIPPED {test}: no docker command ({e})"));
            return None;
        }
    }
    Some(LOCK.lock().unwrap_or_else(|e| e.into_inner()))
}

/// The emulator's binfmt_misc entry under a temporary name (default flags), removed on drop.
struct Entry(String);

impl Entry {
    fn install() -> Entry {
        let e = Entry(unique(""));
        let o = run(Command::new(EXE).args(["--binfmt", "install", "--name", &e.0, "--force"]));
        assert!(o.status.success(), "install: {}", show(&o));
        e
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        let _ = Command::new(EXE).args(["--binfmt", "uninstall", "--name", &self.0]).output();
        let path = Path::new(MOUNT).join(&self.0);
        if path.exists() {
            let _ = std::fs::write(&path, "-1");
        }
        if path.exists() {
            say(&format!("ERROR: could not remove binfmt_misc entry {}", self.0));
        }
    }
}

/// A scratch directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("qal-container-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A locally built arm64 image, removed on drop.
struct Image(String);

impl Image {
    /// Load an arm64 image whose root filesystem is the directory `root`.
    fn from_dir(root: &Path, work: &Path) -> Image {
        let archive = work.join("archive");
        std::fs::create_dir_all(&archive).unwrap();
        let layer = archive.join("layer.tar");
        let o = run(Command::new("tar")
            .args(["--owner=0", "--group=0", "--numeric-owner", "-C"])
            .arg(root)
            .arg("-cf")
            .arg(&layer)
            .arg("."));
        assert!(o.status.success(), "tar: {}", show(&o));
        let o = run(Command::new("sha256sum").arg(&layer));
        assert!(o.status.success(), "sha256sum: {}", show(&o));
        let digest = String::from_utf8_lossy(&o.stdout).split_whitespace().next().unwrap_or_default().to_string();
        assert_eq!(digest.len(), 64, "{}", show(&o));
        let image = Image(format!("{}:latest", unique("-image")));
        std::fs::write(
            archive.join("config.json"),
            format!(
                r#"{{"architecture":"arm64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["sha256:{digest}"]}}}}"#
            ),
        )
        .unwrap();
        std::fs::write(
            archive.join("manifest.json"),
            format!(r#"[{{"Config":"config.json","RepoTags":["{}"],"Layers":["layer.tar"]}}]"#, image.0),
        )
        .unwrap();
        let tarball = work.join("image.tar");
        let o = run(Command::new("tar").arg("-C").arg(&archive).arg("-cf").arg(&tarball).args([
            "manifest.json",
            "config.json",
            "layer.tar",
        ]));
        assert!(o.status.success(), "tar: {}", show(&o));
        let o = run(Command::new("docker").arg("load").arg("-i").arg(&tarball));
        assert!(o.status.success(), "docker load: {}", show(&o));
        let o = run(Command::new("docker").args(["image", "inspect", "-f", "{{.Architecture}}", &image.0]));
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "arm64", "{}", show(&o));
        image
    }

    fn run(&self, args: &[&str]) -> Output {
        run(Command::new("docker").args(["run", "--rm", "--platform", "linux/arm64", &self.0]).args(args))
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        let o = Command::new("docker").args(["rmi", "-f", &self.0]).output();
        if !matches!(&o, Ok(o) if o.status.success()) {
            say(&format!("ERROR: could not remove docker image {}: {o:?}", self.0));
        }
    }
}

/// Build a guest program from guest-bins/ with the static aarch64 cross compiler.
fn build_guest(src: &str, out: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("guest-bins").join(src);
    let o = Command::new("aarch64-linux-gnu-gcc").args(["-static", "-O2", "-o"]).arg(out).arg(&src).output();
    match o {
        Err(e) => panic!(
            "aarch64-linux-gnu-gcc not runnable ({e}): install the cross compiler \
             (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
        ),
        Ok(o) => assert!(o.status.success(), "compiling {}: {}", src.display(), show(&o)),
    }
}

/// Debian's static arm64 busybox, or why it cannot be had.
fn busybox() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("QAL_BUSYBOX_ARM64") {
        return Ok(PathBuf::from(p));
    }
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("busybox-arm64");
    let bin = cache.join("bin/busybox");
    if bin.is_file() {
        return Ok(bin);
    }
    let state = cache.join("apt");
    for d in ["lists/partial", "cache/archives/partial", "deb"] {
        std::fs::create_dir_all(state.join(d)).map_err(|e| e.to_string())?;
    }
    let opts = [
        format!("-oDir::State::Lists={}", state.join("lists").display()),
        format!("-oDir::Cache={}", state.join("cache").display()),
        "-oAPT::Architectures::=arm64".into(),
        "-oAPT::Architecture=arm64".into(),
        "-oDebug::NoLocking=1".into(),
        "-qq".into(),
    ];
    let apt = |args: &[&str]| -> Result<(), String> {
        let o = Command::new("apt-get")
            .args(&opts)
            .args(args)
            .current_dir(state.join("deb"))
            .output()
            .map_err(|e| format!("apt-get: {e}"))?;
        if o.status.success() {
            Ok(())
        } else {
            Err(format!("apt-get {args:?} failed: {}", String::from_utf8_lossy(&o.stderr).trim()))
        }
    };
    apt(&["update"])?;
    apt(&["download", "busybox-static:arm64"])?;
    let deb = std::fs::read_dir(state.join("deb"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|d| d.path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .ok_or("apt-get download left no .deb")?;
    let o = Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&cache).output().map_err(|e| e.to_string())?;
    if !o.status.success() || !bin.is_file() {
        return Err(format!("dpkg-deb -x {}: {}", deb.display(), show(&o)));
    }
    Ok(bin)
}

#[test]
fn docker_runs_arm64_static_programs() {
    let Some(_lock) = can_run("docker_runs_arm64_static_programs") else { return };
    let work = TempDir::new("static");
    let root = work.0.join("root");
    std::fs::create_dir_all(&root).unwrap();
    build_guest("hello.c", &root.join("hello"));
    build_guest("binfmt/argv0.c", &root.join("argv0"));
    let image = Image::from_dir(&root, &work.0);
    let _entry = Entry::install();

    let o = image.run(&["/hello"]);
    assert_eq!(
        (o.status.code(), String::from_utf8_lossy(&o.stdout).as_ref()),
        (Some(0), "Hello, world!\n"),
        "{}",
        show(&o)
    );
    let o = image.run(&["/argv0", "-h", "two words"]);
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "argc=3\nargv[0]=/argv0\nargv[1]=-h\nargv[2]=two words\nexecfd=none\n"
    );
}

#[test]
fn docker_runs_a_busybox_shell_pipeline() {
    let Some(_lock) = can_run("docker_runs_a_busybox_shell_pipeline") else { return };
    let busybox = match busybox() {
        Ok(b) => b,
        Err(why) => {
            say(&format!(
                "SKIPPED docker_runs_a_busybox_shell_pipeline: no arm64 busybox ({why}); set QAL_BUSYBOX_ARM64"
            ));
            return;
        }
    };
    let work = TempDir::new("busybox");
    let root = work.0.join("root");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy(&busybox, root.join("bin/busybox")).unwrap();
    std::fs::set_permissions(root.join("bin/busybox"), std::fs::Permissions::from_mode(0o755)).unwrap();
    for applet in ["sh", "echo", "seq", "sort", "head", "tr", "wc"] {
        std::os::unix::fs::symlink("busybox", root.join("bin").join(applet)).unwrap();
    }
    let image = Image::from_dir(&root, &work.0);
    let _entry = Entry::install();

    let o = image.run(&["/bin/sh", "-c", "seq 1 10 | sort -rn | head -3 | tr '\\n' ' '; echo; echo hello | wc -c"]);
    assert!(o.status.success(), "{}", show(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "10 9 8 \n6\n", "{}", show(&o));
}

/// Docker's default seccomp profile forbids process_vm_readv/writev, so the emulator reads and
/// writes guest memory with its own fault-recovering copy there (it used a pipe). A program that closes every descriptor above
/// stderr and then makes system calls with pointers, takes descriptors 3 and 4, handles a
/// signal and vforks a child (guest-bins/sys/closefds.c) sees what it sees natively: the
/// probe pipe used to stay open in the guest's table (the first open returned 5), and once
/// the guest closed it every such call failed with EFAULT and the program died of SIGSEGV.
#[test]
fn docker_guest_closing_all_descriptors_keeps_working() {
    let Some(_lock) = can_run("docker_guest_closing_all_descriptors_keeps_working") else { return };
    let work = TempDir::new("closefds");
    let root = work.0.join("root");
    std::fs::create_dir_all(&root).unwrap();
    build_guest("sys/closefds.c", &root.join("closefds"));
    let image = Image::from_dir(&root, &work.0);
    let _entry = Entry::install();

    let o = image.run(&["/closefds", "exec"]);
    let expected =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("guest-bins/sys/expected/closefds.stdout"))
            .unwrap();
    assert_eq!(
        (o.status.code(), String::from_utf8_lossy(&o.stdout).as_ref()),
        (Some(0), expected.as_str()),
        "{}",
        show(&o)
    );
}
