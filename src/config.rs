//! Command line and environment: `qemu-aarch64-lite [options] PROGRAM [ARGS...]`.
//!
//! Spelling follows qemu-user where it makes sense (single-dash options, the same QEMU_*
//! environment variables as alternatives), so existing scripts keep working.

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
}

/// What `main` should do.
#[derive(Debug)]
pub enum Command {
    Run(Config),
    Help,
    Version,
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
  -s SIZE                guest stack size, with optional k/M/G suffix [QEMU_STACK_SIZE]
  -r RELEASE             uname release reported to the guest [QEMU_UNAME]
  -cpu max               CPU model (only 'max' is accepted)
  -strace                log system calls [QEMU_STRACE]
  -d ITEMS               log items, comma separated: unimp, strace, in_asm, out_asm
                         [QEMU_LOG]
  -D FILE                write logs to FILE instead of stderr [QEMU_LOG_FILENAME]
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

/// Parse the command line (`args[0]` is our own name) and the QEMU_* environment.
/// `env` is the host environment, which becomes the guest's after -E/-U.
pub fn parse(args: &[OsString], env: &[(OsString, OsString)]) -> Result<Command, CliError> {
    let getenv = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.to_string_lossy().into_owned());
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
        match a.as_str() {
            "--" => {
                i += 1;
                break;
            }
            "-h" | "-help" | "--help" => return Ok(Command::Help),
            "-V" | "-version" | "--version" => return Ok(Command::Version),
            "--binfmt" | "-binfmt" => return Ok(Command::Binfmt(args[i + 1..].to_vec())),
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
                if v != "max" && v != "any" && v != "cortex-a57" && v != "help" {
                    return Err(CliError::BadValue(a.clone(), v));
                }
            }
            "-strace" | "--strace" => cfg.log.strace = true,
            "-d" => {
                let v = arg_of(&mut i, &a)?.to_string_lossy().into_owned();
                parse_log(&v, &mut cfg.log)?;
            }
            "-D" => cfg.log_file = Some(arg_of(&mut i, &a)?.into()),
            _ => return Err(CliError::UnknownOption(a)),
        }
        i += 1;
    }
    let program = args.get(i).ok_or(CliError::NoProgram)?.clone();
    cfg.program = PathBuf::from(&program);
    cfg.argv = args[i..].to_vec();
    if let Some(a0) = argv0 {
        cfg.argv[0] = a0;
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
    for u in &unset_env {
        envp.retain(|e| key_of(e) != u.as_bytes());
    }
    for s in &set_env {
        let k = key_of(s);
        if !s.as_bytes().contains(&b'=') {
            return Err(CliError::BadValue("-E".into(), s.to_string_lossy().into_owned()));
        }
        envp.retain(|e| key_of(e) != k);
        envp.push(s.clone());
    }
    cfg.envp = envp;
    Ok(Command::Run(cfg))
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
    fn basic_and_options() {
        let env = vec![(OsString::from("A"), OsString::from("1")), (OsString::from("B"), OsString::from("2"))];
        let c = parse(&args(&["q", "-E", "C=3", "-U", "A", "-0", "zero", "prog", "x", "-E"]), &env).unwrap();
        let Command::Run(c) = c else { panic!() };
        assert_eq!(c.program, PathBuf::from("prog"));
        assert_eq!(c.argv, args(&["zero", "x", "-E"]));
        assert_eq!(c.envp, args(&["B=2", "C=3"]));
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
