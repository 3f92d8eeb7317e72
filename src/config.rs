//! Command line and environment: `qemu-aarch64-lite [options] PROGRAM [ARGS...]`.
//!
//! Spelling follows qemu-user where it makes sense (single-dash options, `--x` as a synonym of
//! `-x`, the same QEMU_* environment variables as alternatives), so existing scripts keep working.
//!
//! When binfmt_misc starts us ([`Invocation`]), the command line is not ours: it is
//! `[interpreter, program-path, args...]`, or with the P flag `[interpreter, program-path,
//! original-argv0, args...]`, and no option is parsed from it (a guest argument such as `-h`
//! must reach the guest). The QEMU_* environment still applies, except when the kernel started
//! us with elevated credentials (AT_SECURE, the C flag on a set-user-ID program): then nothing
//! from the invoking user's environment may steer the emulator (a `QEMU_LOG_FILENAME` would
//! otherwise write any file with the program's privileges).
//!
//! Invariant: [`parse_invocation`] is a pure function of its inputs; only [`Invocation::from_host`]
//! and [`host_env`] read the process.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What to log (`-d ITEMS` / `QEMU_LOG`).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct LogItems {
    pub unimp: bool,
    pub strace: bool,
    pub in_asm: bool,
    pub out_asm: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The guest program as given (path to open).
    pub program: PathBuf,
    /// Guest argv (argv[0] included).
    pub argv: Vec<OsString>,
    /// Guest environment.
    pub envp: Vec<OsString>,
    /// `-L` sysroot prefix.
    pub ld_prefix: Option<PathBuf>,
    /// Guest stack size in bytes (`-s`).
    pub stack_size: u64,
    /// uname release reported to the guest (`-r`).
    pub uname_release: Option<String>,
    pub log: LogItems,
    /// `-D FILE`: where logs go (stderr otherwise).
    pub log_file: Option<PathBuf>,
    /// Value for AT_EXECFD when started by binfmt_misc with the O flag.
    pub exec_fd: Option<i32>,
    /// `-perfmap`: write /tmp/perf-PID.map for `perf report`.
    pub perfmap: bool,
    /// `-rlimits`: the guest's own RLIMIT_AS, RLIMIT_DATA and RLIMIT_STACK (soft, hard), which
    /// the emulator keeps without applying them to itself (`syscall::sys`); a guest's execve
    /// hands them to the new emulator this way, as the kernel keeps limits across execve.
    pub rlimits: [Option<(u64, u64)>; 3],
}

/// The resources of `Config::rlimits`, in order, by their `-rlimits` names.
pub const VIRTUAL_RLIMITS: [(&str, u32); 3] =
    [("as", libc::RLIMIT_AS), ("data", libc::RLIMIT_DATA), ("stack", libc::RLIMIT_STACK)];

/// `-rlimits` text for `limits`: `NAME=SOFT:HARD` for each one set, comma separated, `inf` for
/// RLIM_INFINITY; `None` when none is set.
pub fn format_rlimits(limits: &[Option<(u64, u64)>; 3]) -> Option<String> {
    let value = |v: u64| if v == libc::RLIM_INFINITY { "inf".to_string() } else { v.to_string() };
    let items: Vec<String> = limits
        .iter()
        .zip(VIRTUAL_RLIMITS)
        .filter_map(|(l, (name, _))| l.map(|(soft, hard)| format!("{name}={}:{}", value(soft), value(hard))))
        .collect();
    (!items.is_empty()).then(|| items.join(","))
}

fn parse_rlimits(s: &str) -> Option<[Option<(u64, u64)>; 3]> {
    let value = |v: &str| if v == "inf" { Some(libc::RLIM_INFINITY) } else { v.parse().ok() };
    let mut out = [None; 3];
    for item in s.split(',').filter(|i| !i.is_empty()) {
        let (name, limits) = item.split_once('=')?;
        let (soft, hard) = limits.split_once(':')?;
        let k = VIRTUAL_RLIMITS.iter().position(|&(n, _)| n == name)?;
        let (soft, hard) = (value(soft)?, value(hard)?);
        if soft > hard {
            return None;
        }
        out[k] = Some((soft, hard));
    }
    Some(out)
}

/// What `main` should do.
#[derive(Debug)]
pub enum Command {
    Run(Box<Config>),
    Help,
    Version,
    /// `-cpu help`: list the accepted CPU models ([`CPU_HELP`]).
    CpuHelp,
    /// `--binfmt ARGS...`
    Binfmt(Vec<OsString>),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CliError {
    #[error("unknown option '{0}' (try --help)")]
    UnknownOption(String),
    #[error("option '{0}' needs an argument")]
    MissingArgument(String),
    #[error("invalid value '{1}' for option '{0}'")]
    BadValue(String, String),
    #[error("no program given (try --help)")]
    NoProgram,
}

pub const DEFAULT_STACK_SIZE: u64 = 8 << 20;
/// Largest stack the default (an RLIMIT_STACK soft limit) gives.
pub const MAX_RLIMIT_STACK_SIZE: u64 = 1 << 30;

/// The guest stack's size: `-s` when given (`configured` is not the default), else the
/// RLIMIT_STACK soft limit `rlimit_soft` when it is finite and larger than the default (at
/// most [`MAX_RLIMIT_STACK_SIZE`]): a native stack may grow up to that limit, and the
/// emulator's cannot grow (qemu-aarch64 sizes its stack by the limit likewise).
pub fn stack_size(configured: u64, rlimit_soft: u64) -> u64 {
    if configured != DEFAULT_STACK_SIZE || rlimit_soft == libc::RLIM_INFINITY {
        return configured;
    }
    rlimit_soft.clamp(DEFAULT_STACK_SIZE, MAX_RLIMIT_STACK_SIZE)
}

/// Accepted `-cpu` models: all name the one CPU we emulate (the features in HWCAP).
pub const CPU_MODELS: &[&str] = &["max", "any", "cortex-a57"];

pub const CPU_HELP: &str = "\
Available CPUs:
  max          every feature this emulator implements (see HWCAP)
  any          same as max
  cortex-a57   same as max (accepted for scripts written for qemu-aarch64)
";

/// Linux `AT_FLAGS_PRESERVE_ARGV0` (include/uapi/linux/binfmts.h): AT_FLAGS bit 0, set for an
/// interpreter started by binfmt_misc with the P flag (Linux >= 5.12).
pub const AT_FLAGS_PRESERVE_ARGV0: u64 = 1;

/// Suffix of an interpreter name that promises the P convention on kernels too old to say so in
/// AT_FLAGS (Debian's qemu-user registers `/usr/libexec/qemu-binfmt/aarch64-binfmt-P`).
pub const BINFMT_P_SUFFIX: &str = "-binfmt-P";

/// What the kernel told us about how it started us (our own auxiliary vector).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invocation {
    /// `AT_FLAGS & AT_FLAGS_PRESERVE_ARGV0`: binfmt_misc P flag.
    pub preserve_argv0: bool,
    /// `AT_EXECFD`: binfmt_misc O (or C) flag, an open descriptor of the program.
    pub exec_fd: Option<i32>,
    /// `AT_SECURE`: started with credentials the invoking user does not have.
    pub secure: bool,
    /// `AT_EXECFN`: the file name the kernel was asked to execute.
    pub execfn: Option<OsString>,
}

/// Read one auxv entry of our own process; `None` when absent (glibc sets ENOENT).
fn own_auxval(kind: libc::c_ulong) -> Option<u64> {
    // SAFETY: getauxval only reads the auxiliary vector glibc saved at start-up; errno is
    // thread-local.
    unsafe {
        *libc::__errno_location() = 0;
        let v = libc::getauxval(kind);
        if v == 0 && *libc::__errno_location() == libc::ENOENT {
            None
        } else {
            Some(v)
        }
    }
}

impl Invocation {
    /// Our own AT_FLAGS, AT_EXECFD, AT_SECURE and AT_EXECFN.
    ///
    /// The AT_EXECFD descriptor is marked close-on-exec here: it belongs to this emulator
    /// process, and a program the guest executes must not inherit it.
    pub fn from_host() -> Invocation {
        let exec_fd = own_auxval(libc::AT_EXECFD).and_then(|v| i32::try_from(v).ok());
        if let Some(fd) = exec_fd {
            // SAFETY: fcntl on a descriptor number; a bad one only returns EBADF.
            unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        }
        let execfn = own_auxval(libc::AT_EXECFN).filter(|&p| p != 0).map(|p| {
            // SAFETY: the kernel put a NUL-terminated string at AT_EXECFN, and it stays mapped
            // (it is in our initial stack) for the life of the process.
            let c = unsafe { std::ffi::CStr::from_ptr(p as *const libc::c_char) };
            OsString::from_vec(c.to_bytes().to_vec())
        });
        Invocation {
            preserve_argv0: own_auxval(libc::AT_FLAGS).unwrap_or(0) & AT_FLAGS_PRESERVE_ARGV0 != 0,
            exec_fd,
            secure: own_auxval(libc::AT_SECURE).unwrap_or(0) != 0,
            execfn,
        }
    }
}

/// How binfmt_misc laid out our argv, when it started us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinfmtArgv {
    /// `[interpreter, program-path, args...]`: the guest's argv[0] is the path.
    Path,
    /// P flag: `[interpreter, program-path, original-argv0, args...]`.
    PreserveArgv0,
}

/// Decide whether binfmt_misc started us, and with which argv layout.
///
/// Evidence, strongest first: AT_FLAGS_PRESERVE_ARGV0 (P, Linux >= 5.12); an interpreter name
/// ending in `-binfmt-P` (P, by Debian's convention); AT_EXECFD (O or C: only binfmt_misc and
/// ELF interpreters get it); AT_EXECFN equal to argv[1] (binfmt_misc without O or P: the kernel
/// inserts the executed file name as argv[1], and a user who runs us directly executes our own
/// file, whose name is not argv[1] unless it names us, in which case both readings agree).
pub fn binfmt_argv(args: &[OsString], inv: &Invocation) -> Option<BinfmtArgv> {
    let name_p = args.first().is_some_and(|a0| a0.as_bytes().ends_with(BINFMT_P_SUFFIX.as_bytes()));
    if inv.preserve_argv0 || name_p {
        return Some(BinfmtArgv::PreserveArgv0);
    }
    let execfn_is_arg1 = matches!((&inv.execfn, args.get(1)), (Some(f), Some(a1)) if f == a1);
    if inv.exec_fd.is_some() || execfn_is_arg1 {
        return Some(BinfmtArgv::Path);
    }
    None
}

pub const HELP: &str = "\
usage: qemu-aarch64-lite [options] PROGRAM [ARGS...]
Runs a Linux aarch64 program on this x86_64 host.

Options (environment variable alternative in brackets):
  -h, -help, --help      print this help and exit
  -V, -version, --version
                         print the version and exit
  -L PATH                sysroot: look up the interpreter and guest paths under PATH first
                         [QEMU_LD_PREFIX]
  -E VAR=VALUE           set VAR in the guest environment [QEMU_SET_ENV=VAR=V,VAR2=V2]
  -U VAR                 remove VAR from the guest environment [QEMU_UNSET_ENV=VAR,VAR2]
  -0 ARGV0               use ARGV0 as the guest's argv[0] [QEMU_ARGV0]
  -s SIZE                guest stack size, with optional k/M/G suffix (default: the
                         RLIMIT_STACK soft limit if finite and above 8M, at most 1G; else
                         8M) [QEMU_STACK_SIZE]
  -r RELEASE             uname release reported to the guest [QEMU_UNAME]
  -cpu max               CPU model (only 'max' is accepted)
  -strace                log system calls [QEMU_STRACE]
  -d ITEMS               log items, comma separated: unimp, strace, in_asm, out_asm
                         [QEMU_LOG]
  -D FILE                write logs to FILE instead of stderr [QEMU_LOG_FILENAME]
  -perfmap               write /tmp/perf-PID.map so that `perf report` names translated
                         code by guest function and pc [QEMU_PERFMAP]
  -rlimits LIST          the guest's own limits, kept without applying them to the
                         emulator: as=SOFT:HARD,data=...,stack=... ('inf' for unlimited);
                         set when a guest's execve starts the emulator again
  --binfmt install|uninstall|status|print-conf [...]
                         manage the binfmt_misc registration (see --binfmt help)
";

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mul) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1u64 << 10),
        b'm' | b'M' => (&s[..s.len() - 1], 1 << 20),
        b'g' | b'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mul)
}

fn parse_log(s: &str, log: &mut LogItems) -> Result<(), CliError> {
    for item in s.split(',').filter(|i| !i.is_empty()) {
        match item {
            "unimp" => log.unimp = true,
            "strace" => log.strace = true,
            "in_asm" => log.in_asm = true,
            "out_asm" => log.out_asm = true,
            // Accepted for compatibility with qemu's common items; they log nothing here yet.
            "guest_errors" | "page" | "nochain" | "exec" | "cpu" | "int" => {}
            _ => return Err(CliError::BadValue("-d".into(), s.into())),
        }
    }
    Ok(())
}

/// Parse the command line (`args[0]` is our own name) and the QEMU_* environment, for a user
/// who started us directly. `env` is the host environment, which becomes the guest's after -E/-U.
pub fn parse(args: &[OsString], env: &[(OsString, OsString)]) -> Result<Command, CliError> {
    parse_invocation(args, env, &Invocation::default())
}

/// [`parse`], knowing how the kernel started us (see the module comment for binfmt_misc).
pub fn parse_invocation(
    args: &[OsString],
    env: &[(OsString, OsString)],
    inv: &Invocation,
) -> Result<Command, CliError> {
    let getenv = |k: &str| {
        if inv.secure {
            return None;
        }
        env.iter().find(|(n, _)| n == k).map(|(_, v)| v.to_string_lossy().into_owned())
    };
    let mut cfg = Config { stack_size: DEFAULT_STACK_SIZE, ..Default::default() };
    let mut set_env: Vec<OsString> = Vec::new();
    let mut unset_env: Vec<OsString> = Vec::new();
    let mut argv0: Option<OsString> = None;

    if let Some(v) = getenv("QEMU_LD_PREFIX") {
        cfg.ld_prefix = Some(v.into());
    }
    if let Some(v) = getenv("QEMU_SET_ENV") {
        set_env.extend(v.split(',').filter(|s| !s.is_empty()).map(OsString::from));
    }
    if let Some(v) = getenv("QEMU_UNSET_ENV") {
        unset_env.extend(v.split(',').filter(|s| !s.is_empty()).map(OsString::from));
    }
    if let Some(v) = getenv("QEMU_ARGV0") {
        argv0 = Some(v.into());
    }
    if let Some(v) = getenv("QEMU_STACK_SIZE") {
        cfg.stack_size = parse_size(&v).ok_or(CliError::BadValue("QEMU_STACK_SIZE".into(), v))?;
    }
    if let Some(v) = getenv("QEMU_UNAME") {
        cfg.uname_release = Some(v);
    }
    if getenv("QEMU_STRACE").is_some() {
        cfg.log.strace = true;
    }
    if let Some(v) = getenv("QEMU_LOG") {
        parse_log(&v, &mut cfg.log)?;
    }
    if let Some(v) = getenv("QEMU_LOG_FILENAME") {
        cfg.log_file = Some(v.into());
    }
    if getenv("QEMU_PERFMAP").is_some() {
        cfg.perfmap = true;
    }

    if let Some(layout) = binfmt_argv(args, inv) {
        // Started by binfmt_misc: nothing on this command line is an option.
        let program = args.get(1).ok_or(CliError::NoProgram)?.clone();
        cfg.program = PathBuf::from(&program);
        cfg.argv = match layout {
            BinfmtArgv::Path => args[1..].to_vec(),
            // Before Linux 5.18 an empty argv stays empty: then there is no argv[2].
            BinfmtArgv::PreserveArgv0 => args.get(2..).unwrap_or_default().to_vec(),
        };
        cfg.exec_fd = inv.exec_fd;
        return finish(cfg, env, argv0, &set_env, &unset_env);
    }

    let mut i = 1;
    let arg_of = |i: &mut usize, name: &str| -> Result<OsString, CliError> {
        *i += 1;
        args.get(*i).cloned().ok_or_else(|| CliError::MissingArgument(name.into()))
    };
    while i < args.len() {
        let a = args[i].to_string_lossy().into_owned();
        if !a.starts_with('-') || a == "-" {
            break;
        }
        // As qemu-user: `--opt` is the same as `-opt`.
        let opt = if a.starts_with("--") && a.len() > 2 { &a[1..] } else { a.as_str() };
        match opt {
            "--" => {
                i += 1;
                break;
            }
            "-h" | "-help" => return Ok(Command::Help),
            "-V" | "-version" => return Ok(Command::Version),
            "-binfmt" => return Ok(Command::Binfmt(args[i + 1..].to_vec())),
            "-L" => cfg.ld_prefix = Some(arg_of(&mut i, &a)?.into()),
            "-E" => set_env.push(arg_of(&mut i, &a)?),
            "-U" => unset_env.push(arg_of(&mut i, &a)?),
            "-0" => argv0 = Some(arg_of(&mut i, &a)?),
            "-s" => {
                let v = arg_of(&mut i, &a)?.to_string_lossy().into_owned();
                cfg.stack_size = parse_size(&v).ok_or(CliError::BadValue(a.clone(), v))?;
            }
            "-r" => cfg.uname_release = Some(arg_of(&mut i, &a)?.to_string_lossy().into_owned()),
            "-cpu" => {
                let v = arg_of(&mut i, &a)?.to_string_lossy().into_owned();
                if v == "help" {
                    return Ok(Command::CpuHelp);
                }
                if !CPU_MODELS.contains(&v.as_str()) {
                    return Err(CliError::BadValue(a.clone(), v));
                }
            }
            "-strace" => cfg.log.strace = true,
            "-d" => {
                let v = arg_of(&mut i, &a)?.to_string_lossy().into_owned();
                parse_log(&v, &mut cfg.log)?;
            }
            "-D" => cfg.log_file = Some(arg_of(&mut i, &a)?.into()),
            "-perfmap" => cfg.perfmap = true,
            "-rlimits" => {
                let v = arg_of(&mut i, &a)?.to_string_lossy().into_owned();
                cfg.rlimits = parse_rlimits(&v).ok_or(CliError::BadValue(a.clone(), v))?;
            }
            _ => return Err(CliError::UnknownOption(a)),
        }
        i += 1;
    }
    let program = args.get(i).ok_or(CliError::NoProgram)?.clone();
    cfg.program = PathBuf::from(&program);
    cfg.argv = args[i..].to_vec();
    finish(cfg, env, argv0, &set_env, &unset_env)
}

/// Apply `-0` and build the guest environment (the host's without QEMU_*, then -U, then -E).
fn finish(
    mut cfg: Config,
    env: &[(OsString, OsString)],
    argv0: Option<OsString>,
    set_env: &[OsString],
    unset_env: &[OsString],
) -> Result<Command, CliError> {
    if let Some(a0) = argv0 {
        match cfg.argv.first_mut() {
            Some(first) => *first = a0,
            None => cfg.argv.push(a0),
        }
    }

    // Guest environment: the host's, then -U, then -E (qemu applies them in that spirit).
    let mut envp: Vec<OsString> = env
        .iter()
        .filter(|(k, _)| !k.as_bytes().starts_with(b"QEMU_"))
        .map(|(k, v)| {
            let mut s = k.clone();
            s.push("=");
            s.push(v);
            s
        })
        .collect();
    let key_of = |s: &OsStr| -> Vec<u8> { s.as_bytes().split(|&b| b == b'=').next().unwrap_or(&[]).to_vec() };
    for u in unset_env {
        envp.retain(|e| key_of(e) != u.as_bytes());
    }
    for s in set_env {
        let k = key_of(s);
        if !s.as_bytes().contains(&b'=') {
            return Err(CliError::BadValue("-E".into(), s.to_string_lossy().into_owned()));
        }
        envp.retain(|e| key_of(e) != k);
        envp.push(s.clone());
    }
    cfg.envp = envp;
    Ok(Command::Run(Box::new(cfg)))
}

/// The host environment as (name, value) pairs.
pub fn host_env() -> Vec<(OsString, OsString)> {
    std::env::vars_os().collect()
}

/// Convert to a NUL-free byte vector for the guest stack (lossless on Unix).
pub fn os_bytes(s: &OsStr) -> Vec<u8> {
    s.to_os_string().into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn rlimits_round_trip() {
        let l = [Some((512 << 20, libc::RLIM_INFINITY)), None, Some((64 << 20, 128 << 20))];
        let text = format_rlimits(&l).unwrap();
        assert_eq!(text, "as=536870912:inf,stack=67108864:134217728");
        assert_eq!(parse_rlimits(&text), Some(l));
        assert_eq!(format_rlimits(&[None; 3]), None);
        assert_eq!(parse_rlimits("stack=2:1"), None, "soft above hard");
        assert_eq!(parse_rlimits("nofile=1:1"), None);
        assert_eq!(parse_rlimits("as=x:1"), None);
        let args: Vec<OsString> = ["q", "-rlimits", "data=1:inf", "p"].iter().map(OsString::from).collect();
        let Ok(Command::Run(c)) = parse(&args, &[]) else { panic!() };
        assert_eq!(c.rlimits, [None, Some((1, libc::RLIM_INFINITY)), None]);
    }

    #[test]
    fn stack_size_follows_a_larger_finite_rlimit() {
        assert_eq!(stack_size(DEFAULT_STACK_SIZE, 64 << 20), 64 << 20);
        assert_eq!(stack_size(DEFAULT_STACK_SIZE, 1 << 20), DEFAULT_STACK_SIZE);
        assert_eq!(stack_size(DEFAULT_STACK_SIZE, libc::RLIM_INFINITY), DEFAULT_STACK_SIZE);
        assert_eq!(stack_size(DEFAULT_STACK_SIZE, 100 << 30), MAX_RLIMIT_STACK_SIZE);
        assert_eq!(stack_size(1 << 20, 64 << 20), 1 << 20, "-s wins");
    }

    #[test]
    fn basic_and_options() {
        let env = vec![(OsString::from("A"), OsString::from("1")), (OsString::from("B"), OsString::from("2"))];
        let c = parse(&args(&["q", "-E", "C=3", "-U", "A", "-0", "zero", "prog", "x", "-E"]), &env).unwrap();
        let Command::Run(c) = c else { panic!() };
        assert_eq!(c.program, PathBuf::from("prog"));
        assert_eq!(c.argv, args(&["zero", "x", "-E"]));
        assert_eq!(c.envp, args(&["B=2", "C=3"]));
    }

    fn run(c: Result<Command, CliError>) -> Config {
        match c {
            Ok(Command::Run(c)) => *c,
            other => panic!("not a run: {other:?}"),
        }
    }

    #[test]
    fn qemu_options() {
        let env = vec![(OsString::from("PATH"), OsString::from("/bin"))];
        let line = "q -L /sysroot -s 1M -r 5.15.0 -cpu max -strace -d in_asm,out_asm -D /tmp/log -- -prog -h";
        let c = run(parse(&args(&line.split(' ').collect::<Vec<_>>()), &env));
        assert_eq!(c.ld_prefix, Some(PathBuf::from("/sysroot")));
        assert_eq!(c.stack_size, 1 << 20);
        assert_eq!(c.uname_release.as_deref(), Some("5.15.0"));
        assert_eq!(c.log, LogItems { unimp: false, strace: true, in_asm: true, out_asm: true });
        assert_eq!(c.log_file, Some(PathBuf::from("/tmp/log")));
        assert_eq!(c.program, PathBuf::from("-prog"));
        assert_eq!(c.argv, args(&["-prog", "-h"]));
        assert_eq!(c.exec_fd, None);
        // `--opt` is `-opt`, as in qemu-user.
        let c = run(parse(&args(&["q", "--strace", "--d", "unimp", "p"]), &[]));
        assert!(c.log.strace && c.log.unimp);
        assert!(matches!(parse(&args(&["q", "-version"]), &[]), Ok(Command::Version)));
        assert!(matches!(parse(&args(&["q", "--version"]), &[]), Ok(Command::Version)));
        assert!(matches!(parse(&args(&["q", "-h", "p"]), &[]), Ok(Command::Help)));
        assert!(matches!(parse(&args(&["q", "-cpu", "help"]), &[]), Ok(Command::CpuHelp)));
        assert!(matches!(parse(&args(&["q", "-cpu", "cortex-a72", "p"]), &[]), Err(CliError::BadValue(..))));
        assert!(matches!(parse(&args(&["q", "-d", "bogus", "p"]), &[]), Err(CliError::BadValue(..))));
        let Ok(Command::Binfmt(b)) = parse(&args(&["q", "--binfmt", "install", "--flags", "F"]), &[]) else { panic!() };
        assert_eq!(b, args(&["install", "--flags", "F"]));
    }

    #[test]
    fn qemu_environment() {
        let env: Vec<(OsString, OsString)> = [
            ("QEMU_LD_PREFIX", "/sr"),
            ("QEMU_SET_ENV", "X=1,Y=2"),
            ("QEMU_UNSET_ENV", "HOME"),
            ("QEMU_ARGV0", "a0"),
            ("QEMU_STACK_SIZE", "256k"),
            ("QEMU_UNAME", "6.1.0"),
            ("QEMU_STRACE", ""),
            ("QEMU_LOG", "unimp"),
            ("QEMU_LOG_FILENAME", "/tmp/l"),
            ("HOME", "/root"),
            ("Y", "old"),
        ]
        .iter()
        .map(|(k, v)| (OsString::from(k), OsString::from(v)))
        .collect();
        let c = run(parse(&args(&["q", "prog", "x"]), &env));
        assert_eq!(c.ld_prefix, Some(PathBuf::from("/sr")));
        assert_eq!(c.argv, args(&["a0", "x"]));
        assert_eq!(c.stack_size, 256 << 10);
        assert_eq!(c.uname_release.as_deref(), Some("6.1.0"));
        assert!(c.log.strace && c.log.unimp);
        assert_eq!(c.log_file, Some(PathBuf::from("/tmp/l")));
        // QEMU_* never reach the guest; -U before -E.
        assert_eq!(c.envp, args(&["X=1", "Y=2"]));
        // Options override the environment.
        let c = run(parse(&args(&["q", "-s", "1M", "-0", "b0", "prog"]), &env));
        assert_eq!((c.stack_size, c.argv[0].clone()), (1 << 20, OsString::from("b0")));
        // Started with elevated credentials (AT_SECURE): the environment steers nothing.
        let secure = Invocation { secure: true, ..Default::default() };
        let c = run(parse_invocation(&args(&["q", "prog"]), &env, &secure));
        assert_eq!((c.ld_prefix, c.log_file, c.log, c.argv), (None, None, LogItems::default(), args(&["prog"])));
        assert_eq!(c.envp, args(&["HOME=/root", "Y=old"]));
    }

    #[test]
    fn binfmt_invocations() {
        let none = Invocation::default();
        let p = Invocation { preserve_argv0: true, ..Default::default() };
        // No P: [interp, path, args...]; options after the path belong to the guest.
        let c = run(parse_invocation(&args(&["/usr/bin/qal", "/bin/prog", "-h", "x"]), &[], &none));
        assert_eq!((c.program.clone(), c.argv), (PathBuf::from("/bin/prog"), args(&["/bin/prog", "-h", "x"])));
        // P via AT_FLAGS: [interp, path, argv0, args...], and nothing is an option, not even
        // a path or argv0 that looks like one.
        let c = run(parse_invocation(&args(&["/usr/bin/qal", "-strace", "-0", "-h"]), &[], &p));
        assert_eq!(c.program, PathBuf::from("-strace"));
        assert_eq!(c.argv, args(&["-0", "-h"]));
        assert!(!c.log.strace);
        // P before Linux 5.18 with an empty argv: no argv[2].
        let c = run(parse_invocation(&args(&["/usr/bin/qal", "/bin/prog"]), &[], &p));
        assert!(c.argv.is_empty());
        assert_eq!(parse_invocation(&args(&["/usr/bin/qal"]), &[], &p).unwrap_err(), CliError::NoProgram);
        // P by Debian's interpreter name convention (kernels before 5.12).
        let c =
            run(parse_invocation(&args(&["/usr/libexec/qemu-binfmt/aarch64-binfmt-P", "/p", "a0", "1"]), &[], &none));
        assert_eq!(c.argv, args(&["a0", "1"]));
        // O: AT_EXECFD, and no option parsing either.
        let o = Invocation { exec_fd: Some(3), ..Default::default() };
        let c = run(parse_invocation(&args(&["/usr/bin/qal", "-x", "-y"]), &[], &o));
        assert_eq!((c.exec_fd, c.argv), (Some(3), args(&["-x", "-y"])));
        // No P nor O: AT_EXECFN (the file the kernel executed) is argv[1].
        let f = Invocation { execfn: Some("-odd".into()), ..Default::default() };
        let c = run(parse_invocation(&args(&["/usr/bin/qal", "-odd", "-h"]), &[], &f));
        assert_eq!(c.argv, args(&["-odd", "-h"]));
        // A user running us directly: AT_EXECFN is our own file.
        let direct = Invocation { execfn: Some("/usr/bin/qal".into()), ..Default::default() };
        assert!(matches!(parse_invocation(&args(&["qal", "-h", "p"]), &[], &direct), Ok(Command::Help)));
        // The QEMU_* environment still applies in binfmt mode.
        let env = vec![(OsString::from("QEMU_STRACE"), OsString::from("1"))];
        assert!(run(parse_invocation(&args(&["/q", "/p", "p"]), &env, &p)).log.strace);
    }

    #[test]
    fn errors() {
        assert_eq!(parse(&args(&["q", "-bogus", "p"]), &[]).unwrap_err(), CliError::UnknownOption("-bogus".into()));
        assert_eq!(parse(&args(&["q"]), &[]).unwrap_err(), CliError::NoProgram);
        assert_eq!(parse(&args(&["q", "-E"]), &[]).unwrap_err(), CliError::MissingArgument("-E".into()));
        assert!(matches!(parse(&args(&["q", "-s", "zz", "p"]), &[]), Err(CliError::BadValue(..))));
        assert_eq!(parse_size("8M"), Some(8 << 20));
    }
}
