//! Guest programs under the emulator: each program in guest-bins/ with an `expected/` stdout is
//! run (with its `.args`, an empty environment, stdin from /dev/null, a 60 s timeout) and its
//! stdout and exit status compared with the expected files, under qemu-aarch64-lite and, when
//! installed, under qemu-aarch64 (the reference, which also proves the expected files current).
//! Then the command line: argv/envp/auxv through args.c and the -E/-U/-0 options and their
//! QEMU_* variables, exit statuses, and the error paths (--help, --version, unknown options,
//! missing or foreign program files), whose stderr must never show a panic.
//!
//! The guest programs are built by the same code as `cargo xtask guest-bins` (see
//! tests/common/mod.rs); without a cross compiler these tests fail and say how to get one.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// One test per program of guest-bins/ top level (each has `expected/<name>.stdout`).
macro_rules! program_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                if let Err(e) = check_program($name) {
                    panic!("{e}");
                }
            }
        )*
        /// Programs covered by a test of their own above.
        const NAMED: &[&str] = &[$($name,)*];
    };
}

program_tests! {
    program_hello => "hello",
    program_exitcode => "exitcode",
    program_printf => "printf",
    program_malloc => "malloc",
    program_strings => "strings",
    program_qsort => "qsort",
    program_setjmp => "setjmp",
    program_fileio => "fileio",
    program_clock => "clock",
    program_compute => "compute",
    program_fpmath => "fpmath",
    program_abort => "abort",
    program_signals => "signals",
    program_atomics => "atomics",
    program_vector => "vector",
}

/// Every other program that has expected output (subdirectories such as fp/, simd/, abi/).
#[test]
fn programs_in_subdirectories_with_expected_output() {
    let report = match guest_programs() {
        Ok(r) => r,
        Err(e) => panic!("cannot build the guest programs:\n{e}"),
    };
    let mut failures = Vec::new();
    let mut ran = 0;
    for (p, built) in report {
        if NAMED.contains(&p.name.as_str()) || !p.expected("stdout").exists() {
            continue;
        }
        ran += 1;
        let r = built.clone().and_then(|()| check_program(&p.name));
        if let Err(e) = r {
            failures.push(e);
        }
    }
    println!("checked {ran} further programs with expected output");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Code run from SysV shared memory is retranslated after shmdt and shmat (SHM_REMAP) put
/// other code at its address. Under the emulator only: qemu-aarch64 7.2 does not mark shmat
/// memory executable (guest-bins/sys/shmcode.c).
#[test]
fn shm_code_is_retranslated() {
    let out = run_self_checking("sys/shmcode", &[]);
    assert_eq!(out.matches("calls returned 1 2 3").count(), 3, "{out}");
}

/// Linux native AIO passes through: io_submit of reads, writes, fsync and poll, completions,
/// eventfd notification, io_pgetevents' mask and timeout (guest-bins/sys/aio.c). Under the
/// emulator only: qemu-aarch64 7.2 has no AIO calls.
#[test]
fn native_aio_passes_through() {
    let out = run_self_checking("sys/aio", &[]);
    assert!(out.contains("io_getevents: 2"), "{out}");
}

/// Dual-mapped code written and flushed through one alias runs as written through the other
/// (memfd RW/RX views, a shared mapping duplicated by mremap, a SysV segment attached twice):
/// IC IVAU invalidates every address of the line. qemu-aarch64 7.2 runs stale code there
/// (guest-bins/sys/codealias.c). Forks while another thread looks aliases up leave no child
/// holding that lookup's lock.
#[test]
fn ic_ivau_reaches_code_aliases() {
    let out = run_self_checking("sys/codealias", &[]);
    assert_eq!(out.matches(" 10 11 12 13\n").count(), 5, "{out}");
    assert!(out.contains("fork while flushing          no child hung\n"), "{out}");
}

/// DC CVAU/CIVAC/CVAC and IC IVAU translate their address: on unmapped memory a SIGSEGV at
/// the instruction (guest-bins/sys/cmofault.c). Under the emulator only: qemu-aarch64 7.2
/// does not fault there.
#[test]
fn cache_maintenance_faults_on_unmapped_addresses() {
    let out = run_self_checking("sys/cmofault", &[]);
    assert_eq!(out.matches("pc = instruction").count(), 4, "{out}");
}

/// Run a guest program that checks itself (guest-bins/sys/report.h: it ends with
/// "failures=N") under the emulator only: no panic, status 0, "failures=0" last. Its stdout.
fn run_self_checking(program: &str, args: &[&str]) -> String {
    let o = run_with_timeout(&mut emu_command::<[&str; 0], _>([], &guest_bin(program), args), TIMEOUT);
    assert_no_panic(program, &o);
    let out = o.stdout_text();
    assert!(o.status.success() && out.ends_with("failures=0\n"), "{}\nstdout:\n{out}", describe(&o));
    out
}

/// signalfd reads in guest signal numbers where qemu-aarch64 7.2 leaves host ones (readv with
/// the struct split across iovecs, preadv2 at offset -1, an F_DUPFD copy), and
/// pidfd_send_signal with a siginfo (EINVAL under qemu 7.2): guest-bins/sys/signums.c with
/// `extra` checks itself, under the emulator only.
#[test]
fn signalfd_numbers_in_every_read() {
    run_self_checking("sys/signums", &["extra"]);
}

/// The guest's own RLIMIT_AS/DATA/STACK read back as set, and a program that caps its
/// address space at what it needs natively still maps and allocates (guest-bins/sys/rlimits.c;
/// under the emulator only: qemu-aarch64 7.2 ignores the three and reads back the host's).
#[test]
fn resource_limits_on_itself() {
    let out = run_self_checking("sys/rlimits", &[]);
    assert!(out.contains("mmap 100M ok, malloc 50M ok"), "{out}");
}

/// Started under a limited address space (`ulimit -v`, 250 MB: the default code cache alone
/// is 1 GiB of reservation), the emulator takes a smaller code cache and runs hello.
#[test]
fn starts_under_a_limited_address_space() {
    let mut c = Command::new("sh");
    c.arg("-c").arg("ulimit -v 250000 && exec \"$0\" \"$1\"").arg(emulator()).arg(guest_bin("hello"));
    let o = run_with_timeout(&mut c, std::time::Duration::from_secs(60));
    assert_no_panic("hello under ulimit -v", &o);
    assert_eq!((o.status.code(), o.stdout_text().as_str()), (Some(0), "Hello, world!\n"), "{}", describe(&o));
}

/// The guest stack is sized by a finite RLIMIT_STACK above 8 MiB; when the host cannot give
/// that much (here 1 GB under `ulimit -v 400000`) it falls back to the default size rather
/// than failing to start.
#[test]
fn starts_with_a_large_stack_limit_it_cannot_map() {
    let mut c = Command::new("sh");
    c.arg("-c")
        .arg("ulimit -s 1000000 2>/dev/null || { echo SKIPPED; exit 0; }; ulimit -v 400000 && exec \"$0\" \"$1\"")
        .arg(emulator())
        .arg(guest_bin("hello"));
    let o = run_with_timeout(&mut c, std::time::Duration::from_secs(60));
    if o.stdout_text() == "SKIPPED\n" {
        println!("skipped: the hard stack limit is below 1000000 KiB");
        return;
    }
    assert_no_panic("hello under ulimit -s 1000000 -v 400000", &o);
    assert_eq!((o.status.code(), o.stdout_text().as_str()), (Some(0), "Hello, world!\n"), "{}", describe(&o));
}

/// Misaligned LDAPR raises SIGBUS (BUS_ADRALN) as LDAR does (guest-bins/sys/ordered.c with
/// "ldapr"; under the emulator only: qemu-aarch64 7.2 does not check LDAPR's alignment,
/// against the Arm ARM's AArch64.CheckAlignment for acquire-PC accesses without FEAT_LSE2).
#[test]
fn misaligned_ldapr_faults() {
    let o = run_with_timeout(
        &mut emu_command([] as [&str; 0], &guest_bin("sys/ordered"), ["ldapr"]),
        std::time::Duration::from_secs(60),
    );
    assert_no_panic("ordered ldapr", &o);
    let out = o.stdout_text();
    assert_eq!(out.matches("SIGBUS si_code=1 addr ok").count(), 3, "{}", describe(&o));
}

/// process_vm_readv/writev (on itself and a child) and the NUMA policy calls
/// (guest-bins/sys/vmcalls.c; under the emulator only: ENOSYS under qemu-aarch64 7.2).
#[test]
fn process_vm_and_memory_policy_calls() {
    let out = run_self_checking("sys/vmcalls", &[]);
    assert!(out.contains("child sees: from process_vm_writev"), "{out}");
}

/// mq_notify (ENOSYS under qemu-aarch64 7.2, so under the emulator only): a real-time
/// signal with its SI_MESGQ siginfo, EBUSY, removal, signal 0, refused signals and kinds,
/// and glibc's SIGEV_THREAD (guest-bins/sys/mqnotify.c; its output is the native x86_64
/// build's, the kernel's behaviour).
#[test]
fn mq_notify_signal_and_thread() {
    let out = run_self_checking("sys/mqnotify", &[]);
    assert!(out.contains("signal SIGRTMIN+1 code SI_MESGQ value 42 from self 1\n"), "{out}");
    assert!(out.contains("thread value 7\n"), "{out}");
}

/// Every program under guest-bins/ compiles (a program of several files needs `xtask: link`,
/// a file that is not a program `xtask: skip`; see guest-bins/README.md).
#[test]
fn every_guest_program_builds() {
    let report = match guest_programs() {
        Ok(r) => r,
        Err(e) => panic!("cannot build the guest programs:\n{e}"),
    };
    let failed: Vec<String> = report.iter().filter_map(|(_, r)| r.as_ref().err().cloned()).collect();
    assert!(failed.is_empty(), "{} guest program(s) failed to build:\n{}", failed.len(), failed.join("\n"));
}

/// Every top-level program has a test, so that none is forgotten.
#[test]
fn every_top_level_program_has_a_test() {
    let report = match guest_programs() {
        Ok(r) => r,
        Err(e) => panic!("cannot build the guest programs:\n{e}"),
    };
    // args is checked by the command-line tests below (its output holds paths and the host's environment).
    let untested: Vec<&str> = report
        .iter()
        .map(|(p, _)| p.name.as_str())
        .filter(|n| !n.contains('/') && !NAMED.contains(n) && *n != "args")
        .collect();
    assert!(untested.is_empty(), "top-level guest programs without a test in tests/guest_programs.rs: {untested:?}");
}

#[test]
fn hello_by_relative_path_from_the_repository_root() {
    let _ = guest_bin("hello");
    let mut c = Command::new(emulator());
    c.arg("guest-bins/build/hello").current_dir(root()).env_clear();
    let o = run_with_timeout(&mut c, TIMEOUT);
    assert_no_panic("hello", &o);
    assert_eq!(o.stdout_text(), "Hello, world!\n", "{}", describe(&o));
    assert!(o.status.success(), "{}", describe(&o));
}

#[test]
fn exit_status_is_the_guests() {
    let bin = guest_bin("exitcode");
    for (arg, code) in [("0", 0), ("1", 1), ("42", 42), ("255", 255), ("256", 0), ("-1", 255), ("0x1ff", 255)] {
        let o = run_with_timeout(&mut emu_command(&[] as &[&str], &bin, [arg]), TIMEOUT);
        assert_no_panic("exitcode", &o);
        let want = format!(
            "exiting with {}\natexit handler ran\n",
            i64::from_str_radix(arg.trim_start_matches("0x"), if arg.starts_with("0x") { 16 } else { 10 }).unwrap()
        );
        assert_eq!(o.status.code(), Some(code), "exitcode {arg}: {}", describe(&o));
        assert_eq!(o.stdout_text(), want, "exitcode {arg}");
    }
}

/// What args.c prints for this argv, these QAL_ variables and this AT_EXECFN.
fn args_output(argv: &[&str], env: &[(&str, &str)], execfn: &str) -> String {
    let mut s = format!("argc={}\n", argv.len());
    for (i, a) in argv.iter().enumerate() {
        s += &format!("argv[{i}]=\"{a}\"\n");
    }
    s += "argv[argc]=NULL\nenvp==environ: yes\n";
    // Sorted with strcmp on "NAME=VALUE", as args.c does.
    let qal: BTreeSet<String> =
        env.iter().filter(|(k, _)| k.starts_with("QAL_")).map(|(k, v)| format!("{k}={v}")).collect();
    for e in &qal {
        s += &format!("env: {e}\n");
    }
    s += &format!("QAL_ variables: {}\n", qal.len());
    let g = env.iter().rev().find(|(k, _)| *k == "QAL_GETENV").map(|(_, v)| *v).unwrap_or("(null)");
    s += &format!("getenv(QAL_GETENV)={g}\n");
    s += "envp == argv + argc + 1: yes\nauxv after envp agrees with getauxval: yes\n";
    s += "AT_PAGESZ=4096\nsysconf(_SC_PAGESIZE)=4096\nAT_HWCAP has FP: yes\nAT_HWCAP has ASIMD: yes\n";
    s += "AT_RANDOM non-null: yes\nAT_RANDOM bytes not all zero: yes\n";
    s += &format!("AT_EXECFN={execfn}\n");
    s += "AT_PLATFORM=aarch64\nAT_PHENT=56\nAT_PHDR non-null: yes\nAT_ENTRY non-null: yes\n";
    s += "AT_UID==getuid: yes\nAT_EUID==geteuid: yes\nAT_GID==getgid: yes\nAT_EGID==getegid: yes\nAT_SECURE=0\n";
    s
}

/// Run args.c with `opts` (emulator options), `args`, host environment `env`; compare with
/// `want` under our emulator and, when installed, under qemu-aarch64 with the same options.
fn check_args(opts: &[&str], args: &[&str], env: &[(&str, &str)], want: &str) {
    let bin = guest_bin("args");
    let mut c = emu_command(opts, &bin, args);
    c.envs(env.iter().copied());
    let o = run_with_timeout(&mut c, TIMEOUT);
    assert_no_panic("args", &o);
    assert!(
        o.status.success() && o.stdout_text() == want,
        "args {opts:?} {args:?} under qemu-aarch64-lite: {}\nstdout (- expected, + actual):\n{}",
        describe(&o),
        line_diff(want, &o.stdout_text(), DIFF_LINES)
    );
    if have_qemu("args") {
        let mut q = Command::new("qemu-aarch64");
        q.args(opts).arg(&bin).args(args).env_clear().envs(env.iter().copied());
        let o = run_with_timeout(&mut q, TIMEOUT);
        assert!(
            o.status.success() && o.stdout_text() == want,
            "args {opts:?} {args:?} under qemu-aarch64 (the reference disagrees with this test): {}\n{}",
            describe(&o),
            line_diff(want, &o.stdout_text(), DIFF_LINES)
        );
    }
}

const ENV: &[(&str, &str)] =
    &[("QAL_ONE", "1"), ("QAL_TWO", "two words"), ("QAL_GETENV", "found"), ("OTHER", "not shown"), ("QAL_EMPTY", "")];

#[test]
fn args_argv_envp_auxv() {
    let bin = guest_bin("args");
    let path = bin.to_str().expect("utf-8 path");
    let args = ["a", "b c", "", "-E", "--help", "ünïcödé"];
    let mut argv = vec![path];
    argv.extend(args);
    check_args(&[], &args, ENV, &args_output(&argv, ENV, path));
}

#[test]
fn args_no_arguments_and_empty_environment() {
    let bin = guest_bin("args");
    let path = bin.to_str().expect("utf-8 path");
    check_args(&[], &[], &[], &args_output(&[path], &[], path));
}

#[test]
fn args_option_e_and_u() {
    let bin = guest_bin("args");
    let path = bin.to_str().expect("utf-8 path");
    let opts = ["-E", "QAL_NEW=5", "-E", "QAL_ONE=changed", "-U", "QAL_TWO", "-U", "QAL_NOT_SET", "-E", "QAL_EQ=a=b"];
    let env = [("QAL_ONE", "changed"), ("QAL_GETENV", "found"), ("QAL_EMPTY", ""), ("QAL_NEW", "5"), ("QAL_EQ", "a=b")];
    check_args(&opts, &["x"], ENV, &args_output(&[path, "x"], &env, path));
}

#[test]
fn args_option_0_sets_argv0_but_not_execfn() {
    let bin = guest_bin("args");
    let path = bin.to_str().expect("utf-8 path");
    check_args(&["-0", "custom-name"], &["y"], &[], &args_output(&["custom-name", "y"], &[], path));
}

#[test]
fn args_qemu_environment_variables() {
    let bin = guest_bin("args");
    let path = bin.to_str().expect("utf-8 path");
    let mut env = ENV.to_vec();
    env.push(("QEMU_SET_ENV", "QAL_A=1,QAL_B=2"));
    env.push(("QEMU_UNSET_ENV", "QAL_ONE,QAL_EMPTY"));
    env.push(("QEMU_ARGV0", "zero"));
    let seen = [("QAL_TWO", "two words"), ("QAL_GETENV", "found"), ("QAL_A", "1"), ("QAL_B", "2")];
    check_args(&[], &["z"], &env, &args_output(&["zero", "z"], &seen, path));
}

#[test]
fn args_relative_program_path_is_execfn() {
    let _ = guest_bin("args");
    let rel = "guest-bins/build/args";
    let mut c = Command::new(emulator());
    c.arg(rel).current_dir(root()).env_clear();
    let o = run_with_timeout(&mut c, TIMEOUT);
    assert_no_panic("args", &o);
    let want = args_output(&[rel], &[], rel);
    assert!(
        o.status.success() && o.stdout_text() == want,
        "{}\n{}",
        describe(&o),
        line_diff(&want, &o.stdout_text(), DIFF_LINES)
    );
}

// ---- command line and error paths ----

fn emu(args: &[&str]) -> Outcome {
    let mut c = Command::new(emulator());
    c.args(args).env_clear();
    let o = run_with_timeout(&mut c, TIMEOUT);
    assert_no_panic(&format!("{args:?}"), &o);
    o
}

#[test]
fn cli_help() {
    for flag in ["--help", "-h", "-help"] {
        let o = emu(&[flag]);
        assert_eq!(o.status.code(), Some(0), "{flag}: {}", describe(&o));
        assert!(o.stdout_text().starts_with("usage: qemu-aarch64-lite [options] PROGRAM [ARGS...]"), "{flag}");
        for opt in ["-L", "-E", "-U", "-0", "-s", "-strace", "-d"] {
            assert!(o.stdout_text().contains(&format!("  {opt} ")), "{flag}: help does not describe {opt}");
        }
        assert!(o.stderr.is_empty(), "{flag}: stderr {}", o.stderr_text());
    }
}

#[test]
fn cli_version() {
    for flag in ["--version", "-V", "-version"] {
        let o = emu(&[flag]);
        assert_eq!(o.status.code(), Some(0), "{flag}: {}", describe(&o));
        assert_eq!(o.stdout_text(), format!("qemu-aarch64-lite version {}\n", env!("CARGO_PKG_VERSION")));
    }
}

/// Exit status 1 and exactly one line on stderr that mentions `needle`.
fn assert_usage_error(args: &[&str], needle: &str) {
    let o = emu(args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", describe(&o));
    let e = o.stderr_text();
    assert_eq!(e.lines().count(), 1, "{args:?}: expected one line on stderr, got:\n{e}");
    assert!(e.ends_with('\n') && e.contains(needle), "{args:?}: stderr {e:?} should mention {needle:?}");
    assert!(o.stdout.is_empty(), "{args:?}: stdout {}", o.stdout_text());
}

#[test]
fn cli_usage_errors() {
    assert_usage_error(&["-bogus", "prog"], "-bogus");
    assert_usage_error(&["--no-such-option"], "--no-such-option");
    assert_usage_error(&["-E"], "-E");
    assert_usage_error(&["-E", "NOEQUALS", "prog"], "NOEQUALS");
    assert_usage_error(&["-s", "lots", "prog"], "lots");
    assert_usage_error(&[], "no program");
}

#[test]
fn cli_missing_program_is_127() {
    let o = emu(&["/nonexistent/dir/program", "arg"]);
    assert_eq!(o.status.code(), Some(127), "{}", describe(&o));
    let e = o.stderr_text();
    assert!(e.contains("/nonexistent/dir/program"), "stderr should name the file: {e:?}");
    assert_eq!(e.lines().count(), 1, "one line expected: {e:?}");
}

fn assert_not_runnable(path: &Path, what: &str) {
    let p = path.to_str().expect("utf-8 path");
    let o = emu(&[p]);
    assert_eq!(o.status.code(), Some(126), "{what} {p}: {}", describe(&o));
    let e = o.stderr_text();
    assert!(e.contains(p), "{what}: stderr should name {p}: {e:?}");
    assert_eq!(e.lines().count(), 1, "{what}: one line expected: {e:?}");
}

#[test]
fn cli_foreign_or_broken_program_is_126() {
    // An x86_64 executable: the emulator itself, and /bin/true when present.
    assert_not_runnable(&emulator(), "x86_64 ELF");
    if Path::new("/bin/true").exists() {
        assert_not_runnable(Path::new("/bin/true"), "x86_64 ELF");
    }
    let dir = common::guest_bins::fresh_tmpdir("cli").expect("temp dir");
    let script = dir.join("script.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").expect("write");
    assert_not_runnable(&script, "shell script");
    let empty = dir.join("empty");
    std::fs::write(&empty, "").expect("write");
    assert_not_runnable(&empty, "empty file");
    // A truncated aarch64 ELF: the real header, then nothing.
    let hello = std::fs::read(guest_bin("hello")).expect("read hello");
    let cut = dir.join("truncated");
    std::fs::write(&cut, &hello[..200]).expect("write");
    assert_not_runnable(&cut, "truncated ELF");
    assert_not_runnable(&dir, "directory");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A program started with stdin and stdout closed finds them closed, and SIGPIPE as its
/// parent left it (ignored, or default): the emulator starts without the Rust runtime's
/// start-up, which would reopen them on /dev/null and ignore SIGPIPE (src/main.rs). The
/// guest reports on stderr. Under qemu-aarch64 too, when installed.
#[test]
fn closed_descriptors_and_sigpipe_are_inherited() {
    let bin = guest_bin("abi/inherited");
    let mut runners = vec![("qemu-aarch64-lite", emulator().display().to_string())];
    if have_qemu("abi/inherited") {
        runners.push(("qemu-aarch64", "qemu-aarch64".to_string()));
    }
    for (who, runner) in runners {
        for (setup, want) in [
            ("exec", "fd0 closed fd1 closed fd2 open SIGPIPE default\n"),
            ("trap '' PIPE; exec", "fd0 closed fd1 closed fd2 open SIGPIPE ignored\n"),
        ] {
            let script = format!("{setup} \"$0\" \"$1\" 2 <&- >&-");
            let mut c = Command::new("sh");
            c.args(["-c", &script, &runner]).arg(&bin).env_clear();
            let o = run_with_timeout(&mut c, TIMEOUT);
            assert_no_panic("abi/inherited", &o);
            assert_eq!(o.stderr_text(), want, "under {who} after `{setup}`: {}", describe(&o));
            assert!(o.status.success(), "{}", describe(&o));
        }
    }
}

/// `-perfmap`: /tmp/perf-PID.map names every translated block by guest function and pc, in
/// the `START SIZE NAME` lines (hex) that `perf report` reads for JIT code.
#[test]
fn perfmap_names_blocks_by_guest_function() {
    let bin = guest_bin("hello");
    let child = emu_command(["-perfmap"], &bin, [] as [&str; 0])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the emulator");
    let path = format!("/tmp/perf-{}.map", child.id());
    let out = child.wait_with_output().expect("wait");
    let map = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "hello failed under -perfmap");
    let map = map.unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut blocks = 0;
    for line in map.lines() {
        let mut f = line.splitn(3, ' ');
        let (start, size, name) = (f.next().unwrap(), f.next().unwrap_or(""), f.next().unwrap_or(""));
        assert!(u64::from_str_radix(start, 16).is_ok() && u64::from_str_radix(size, 16).is_ok(), "bad line {line:?}");
        assert!(!name.is_empty(), "no name in {line:?}");
        blocks += name.contains("[guest 0x") as usize;
    }
    assert!(map.contains(" main [guest 0x"), "no block named main:\n{map}");
    assert!(map.contains("[qemu-aarch64-lite trampolines]"), "{map}");
    assert!(blocks > 20, "only {blocks} named blocks:\n{map}");
}
