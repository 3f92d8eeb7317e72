//! Dynamically linked guests: PT_INTERP loading, the `-L` sysroot, shared libraries, dlopen
//! with TLS (TLSDESC), LD_LIBRARY_PATH, PIE and non-PIE programs, the dynamic linker run
//! directly, and a missing interpreter. Every run is compared with `qemu-aarch64 -L` of the
//! same sysroot where qemu is installed, and checked against fixed expectations as well, so a
//! test fails when both emulators are wrong in the same way.
//!
//! The guest sources live in `guest-bins/dynamic/` (marked `// xtask: skip`: the xtask builds
//! static programs only) and are built here, once per test process, into a private directory.
//! The cross toolchain's own libraries (`/usr/aarch64-linux-gnu`) are the sysroot: a complete
//! arm64 glibc. The ignored test at the end uses a Debian arm64 userland from
//! `cargo xtask sysroot` (it downloads packages).

mod common;

#[allow(dead_code)]
#[path = "../xtask/src/sysroot.rs"]
mod sysroot;

use common::{emulator, have_qemu, root, run_with_timeout, Outcome, TIMEOUT};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The cross toolchain's arm64 sysroot.
const CROSS_SYSROOT: &str = "/usr/aarch64-linux-gnu";
const LDSO: &str = "/lib/ld-linux-aarch64.so.1";

/// The built programs: a directory holding libdyndep.so, plugin.so and the executables.
struct Built {
    dir: PathBuf,
}

impl Built {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

fn cc(args: &[&OsStr]) -> Result<(), String> {
    let out = Command::new(common::guest_bins::CROSS_CC)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", common::guest_bins::CROSS_CC))?;
    if !out.status.success() {
        return Err(format!(
            "{} {args:?} failed:\n{}",
            common::guest_bins::CROSS_CC,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn build() -> Result<Built, String> {
    common::guest_bins::ensure_cross_compiler()?;
    let src = root().join("guest-bins/dynamic");
    let dir = common::guest_bins::fresh_tmpdir("dynamic")?;
    let s = |n: &str| src.join(n).into_os_string();
    let o = |n: &str| dir.join(n).into_os_string();
    let rpath = format!("-Wl,-rpath,{}", dir.display());
    let ldir = format!("-L{}", dir.display());
    let os = |x: &str| std::ffi::OsString::from(x);
    let cmds: Vec<Vec<std::ffi::OsString>> = vec![
        vec![os("-O2"), os("-shared"), os("-fPIC"), os("-o"), o("libdyndep.so"), s("dyndep.c")],
        vec![os("-O2"), os("-shared"), os("-fPIC"), os("-o"), o("plugin.so"), s("plugin.c")],
        // PIE (the toolchain's default) and non-PIE, both finding libdyndep.so by their rpath.
        vec![os("-O2"), os("-o"), o("dynmain"), s("dynmain.c"), os(&ldir), os("-ldyndep"), os("-ldl"), os(&rpath)],
        vec![
            os("-O2"),
            os("-no-pie"),
            os("-o"),
            o("dynmain-nopie"),
            s("dynmain.c"),
            os(&ldir),
            os("-ldyndep"),
            os("-ldl"),
            os(&rpath),
        ],
        // No rpath: libdyndep.so is found through LD_LIBRARY_PATH only.
        vec![os("-O2"), os("-o"), o("dynmain-norpath"), s("dynmain.c"), os(&ldir), os("-ldyndep"), os("-ldl")],
        // An interpreter that exists nowhere.
        vec![
            os("-O2"),
            os("-o"),
            o("badinterp"),
            s("dynmain.c"),
            os(&ldir),
            os("-ldyndep"),
            os("-ldl"),
            os("-Wl,--dynamic-linker=/nonexistent/qal/ld-missing.so.1"),
        ],
    ];
    for c in &cmds {
        let args: Vec<&OsStr> = c.iter().map(|a| a.as_os_str()).collect();
        cc(&args)?;
    }
    Ok(Built { dir })
}

fn built() -> &'static Built {
    static B: OnceLock<Result<Built, String>> = OnceLock::new();
    match B.get_or_init(build) {
        Ok(b) => b,
        Err(e) => panic!("cannot build the dynamic guest programs:\n{e}"),
    }
}

/// Run `args` (program first) under `launcher` with `-L sysroot`, `env` and `cwd`.
fn run_under(launcher: &Path, sysroot: &str, args: &[&OsStr], env: &[(&str, &str)], cwd: &Path) -> Outcome {
    let mut c = Command::new(launcher);
    c.arg("-L").arg(sysroot);
    for (k, v) in env {
        c.arg("-E").arg(format!("{k}={v}"));
    }
    c.args(args).env_clear().current_dir(cwd);
    run_with_timeout(&mut c, TIMEOUT)
}

/// Run under this emulator; where qemu-aarch64 is installed, also under it, and require the
/// same stdout, stderr and status. Returns our outcome.
fn run_both(test: &str, sysroot: &str, args: &[&OsStr], env: &[(&str, &str)], cwd: &Path) -> Outcome {
    let ours = run_under(&emulator(), sysroot, args, env, cwd);
    common::assert_no_panic(test, &ours);
    assert!(!ours.timed_out, "{test}: {}", common::describe(&ours));
    if have_qemu(test) {
        let theirs = run_under(Path::new("qemu-aarch64"), sysroot, args, env, cwd);
        if let Some(m) = common::mismatch(&ours, &theirs.stdout, &theirs.status_text(), Some(&theirs.stderr)) {
            panic!("{test}: differs from qemu-aarch64:\n{m}\n{}", common::describe(&ours));
        }
    }
    ours
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// The lines every dynmain run prints before any plugin.
const DYNMAIN_HEAD: &str = "1 2 3 5 7 8 9\n\
fmt|2.718|12 memchr=3\n\
dep_add(2, 40) = 42, libdyndep\n\
dep tls 41 42 43\n\
AT_ENTRY is _start: 1, AT_PHDR is the program's: 1, AT_BASE is ld.so's: 1\n";

fn assert_ok(test: &str, o: &Outcome, stdout: &str) {
    assert_eq!(o.status_text(), "0", "{test}: {}", common::describe(o));
    assert_eq!(o.stdout_text(), stdout, "{test}: {}", common::describe(o));
}

/// (a) + (e): a PIE program linked against libc and its own shared library, under `-L`.
#[test]
fn pie_program_runs_under_the_sysroot() {
    let b = built();
    let o = run_both("pie", CROSS_SYSROOT, &[b.path("dynmain").as_os_str()], &[], &b.dir);
    assert_ok("pie", &o, DYNMAIN_HEAD);
}

/// (e): the same program linked at a fixed address (ET_EXEC with PT_INTERP).
#[test]
fn non_pie_program_runs_under_the_sysroot() {
    let b = built();
    let o = run_both("nopie", CROSS_SYSROOT, &[b.path("dynmain-nopie").as_os_str()], &[], &b.dir);
    assert_ok("nopie", &o, DYNMAIN_HEAD);
}

/// (b): dlopen/dlsym of a plugin with __thread data (TLSDESC), then dlclose; a relative path.
#[test]
fn dlopen_of_a_plugin_with_tls() {
    let b = built();
    for prog in ["dynmain", "dynmain-nopie"] {
        let args = [b.path(prog).into_os_string(), "./plugin.so".into()];
        let args: Vec<&OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let o = run_both("dlopen", CROSS_SYSROOT, &args, &[], &b.dir);
        let want = format!(
            "{DYNMAIN_HEAD}plugin-42: 100108 101109 111110\n\
             tls aligned 1, same address twice 1\n\
             missing symbol: not found\n"
        );
        assert_ok(prog, &o, &want);
    }
}

/// (d): a library found only through LD_LIBRARY_PATH; without it the dynamic linker fails the
/// way it does natively (status 127 and its message).
#[test]
fn ld_library_path_finds_the_library() {
    let b = built();
    let dir = b.dir.display().to_string();
    let prog = b.path("dynmain-norpath");
    let o = run_both("ld_library_path", CROSS_SYSROOT, &[prog.as_os_str()], &[("LD_LIBRARY_PATH", &dir)], &b.dir);
    assert_ok("ld_library_path", &o, DYNMAIN_HEAD);
    let o = run_both("no ld_library_path", CROSS_SYSROOT, &[prog.as_os_str()], &[], &b.dir);
    assert_eq!(o.status_text(), "127", "{}", common::describe(&o));
    assert!(o.stderr_text().contains("libdyndep.so: cannot open shared object file"), "{}", common::describe(&o));
}

/// (c): the dynamic linker run as the program: `ld.so --list PROG` and `ld.so PROG`.
#[test]
fn dynamic_linker_runs_directly() {
    let b = built();
    let ldso = format!("{CROSS_SYSROOT}{LDSO}");
    let prog = b.path("dynmain");
    // --list prints load addresses, which differ between emulators: compare without them.
    let strip = |s: &str| -> String {
        s.lines().map(|l| l.split(" (0x").next().unwrap_or(l).trim().to_string()).collect::<Vec<_>>().join("\n")
    };
    let list = [os(&ldso), os("--list"), prog.as_os_str()];
    let ours = run_under(&emulator(), CROSS_SYSROOT, &list, &[], &b.dir);
    assert_eq!(ours.status_text(), "0", "{}", common::describe(&ours));
    let text = strip(&ours.stdout_text());
    let dep = format!("libdyndep.so => {}/libdyndep.so", b.dir.display());
    assert!(text.contains(&dep), "{text}");
    assert!(text.contains("libc.so.6 => /lib/libc.so.6"), "{text}");
    assert!(text.contains(&format!("{LDSO} => {ldso}")), "{text}");
    if have_qemu("ldso --list") {
        let theirs = run_under(Path::new("qemu-aarch64"), CROSS_SYSROOT, &list, &[], &b.dir);
        assert_eq!(text, strip(&theirs.stdout_text()));
    }
    // As a loader: ld.so PROG ARGS (the program is mapped by the guest's own mmap calls).
    let run = [os(&ldso), prog.as_os_str(), os("./plugin.so")];
    let o = run_both("ldso run", CROSS_SYSROOT, &run, &[], &b.dir);
    // The kernel (and so the emulator) loaded ld.so as the program: AT_BASE is 0; ld.so itself
    // rewrote AT_ENTRY and AT_PHDR for the program it mapped.
    let head = DYNMAIN_HEAD.replace("AT_BASE is ld.so's: 1", "AT_BASE is ld.so's: 0");
    assert!(o.stdout_text().starts_with(&head) && o.stdout_text().contains("plugin-42"), "{}", o.stdout_text());
}

/// (f): the interpreter named by PT_INTERP exists nowhere: execve's ENOENT, status 127, and a
/// message that names the program and where the interpreter was looked for.
#[test]
fn missing_interpreter_is_a_clear_error() {
    let b = built();
    let prog = b.path("badinterp");
    let o = run_under(&emulator(), CROSS_SYSROOT, &[prog.as_os_str()], &[], &b.dir);
    assert_eq!(o.status_text(), "127", "{}", common::describe(&o));
    let e = o.stderr_text();
    assert!(e.contains(&prog.display().to_string()), "{e}");
    assert!(e.contains(&format!("{CROSS_SYSROOT}/nonexistent/qal/ld-missing.so.1")), "{e}");
    assert!(e.contains("No such file or directory"), "{e}");
    assert_eq!(o.stdout, b"");
    // Without -L: the host path only.
    let mut c = Command::new(emulator());
    c.arg(&prog).env_clear();
    let o = run_with_timeout(&mut c, TIMEOUT);
    assert_eq!(o.status_text(), "127", "{}", common::describe(&o));
    assert!(o.stderr_text().contains("(looked for /nonexistent/qal/ld-missing.so.1)"), "{}", o.stderr_text());
}

/// (g): Debian arm64 userland programs from `cargo xtask sysroot`, against qemu-aarch64 -L.
#[test]
#[ignore = "downloads Debian packages; run: cargo test --test dynamic -- --ignored"]
fn debian_userland_matches_qemu() {
    let dir = root().join(sysroot::DEFAULT_DIR);
    let packages: Vec<String> = sysroot::DEFAULT_PACKAGES.iter().map(|s| s.to_string()).collect();
    if let Err(e) = sysroot::ensure(&dir, &packages, sysroot::DEFAULT_MIRROR, true) {
        panic!("cargo xtask sysroot failed:\n{e}");
    }
    let s = dir.display().to_string();
    let work = common::guest_bins::fresh_tmpdir("sysroot").unwrap();
    std::fs::write(work.join("in.txt"), "pear\napple\nfig\nbanana\napple pie\n").unwrap();
    let bin = |p: &str| format!("{s}{p}");
    let py = "import json,hashlib,re,threading\n\
              r=[]\n\
              ts=[threading.Thread(target=lambda i=i: r.append(hashlib.sha256(str(i).encode()).hexdigest()[:8])) for i in range(4)]\n\
              [t.start() for t in ts]; [t.join() for t in ts]\n\
              print(json.dumps({'sorted': sorted(r), 're': re.findall(r'[aeiou]+', 'queueing onomatopoeia')}, sort_keys=True))";
    let perl = r#"my %h = map { $_ => length } qw(alpha beta gamma); for (sort keys %h) { print "$_=$h{$_}\n" } "2024-05-17" =~ /^(\d+)-(\d+)-(\d+)$/ and print "$3/$2/$1\n";"#;
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("ls -l", vec![bin("/bin/ls"), "-l".into(), "bin".into(), "lib".into()]),
        ("sort", vec![bin("/usr/bin/sort"), "in.txt".into()]),
        ("sha256sum", vec![bin("/usr/bin/sha256sum"), "in.txt".into()]),
        ("date", vec![bin("/bin/date"), "-d".into(), "@0".into(), "-u".into()]),
        ("grep -c", vec![bin("/bin/grep"), "-c".into(), "apple".into(), "in.txt".into()]),
        ("sed", vec![bin("/bin/sed"), "s/a\\(.\\)/<\\1>/g".into(), "in.txt".into()]),
        (
            "gawk",
            vec![
                bin("/usr/bin/gawk"),
                "{ n[length($1)]++ } END { for (k in n) print k, n[k] }".into(),
                "in.txt".into(),
            ],
        ),
        ("python3", vec![bin("/usr/bin/python3"), "-c".into(), py.into()]),
        ("perl", vec![bin("/usr/bin/perl"), "-e".into(), perl.into()]),
    ];
    let mut failed = Vec::new();
    for (name, args) in &cases {
        // `ls -l bin lib` runs in the sysroot with relative names: both emulators see it alike.
        let cwd = if *name == "ls -l" { dir.clone() } else { work.clone() };
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let ours = run_under(&emulator(), &s, &args, &[], &cwd);
        let ok_status = ours.status_text() == "0" && !ours.stdout.is_empty();
        let same = if have_qemu(name) {
            let theirs = run_under(Path::new("qemu-aarch64"), &s, &args, &[], &cwd);
            common::mismatch(&ours, &theirs.stdout, &theirs.status_text(), Some(&theirs.stderr))
        } else {
            None
        };
        match (ok_status, same) {
            (true, None) => println!("{name}: same as qemu-aarch64"),
            (_, m) => failed.push(format!("{name}: {}\n{}", m.unwrap_or_default(), common::describe(&ours))),
        }
    }
    // `ls -l /` sees the sysroot's root, exactly what the host's ls shows of the directory.
    let ours = run_under(&emulator(), &s, &[OsStr::new(&bin("/bin/ls")), os("-l"), os("/")], &[], &work);
    let host = Command::new("ls").arg("-l").arg(&dir).env_clear().output().unwrap();
    if ours.stdout != host.stdout {
        failed.push(format!("ls -l /: differs from host `ls -l {s}`:\n{}", common::describe(&ours)));
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
