//! `-strace` formatting, written once from the table rows, in qemu-user's style:
//! `PID name(arg,arg,...) = ret`, errors as `-1 errno=N (message)`, strings quoted and
//! truncated, pointers 0x%016x, fds decimal, flags symbolic.
//!
//! Invariant: formatting never faults: guest strings are read with `read_cstr` (probe_read).

use super::{read_cstr, Arg, Ret};
use crate::linux::abi;

/// Longest string printed before `...`.
const STR_MAX: usize = 64;

/// `name(args)` for one call.
pub fn call(name: &str, kinds: &[Arg], args: &[u64; 6]) -> String {
    let parts: Vec<String> = kinds.iter().zip(args.iter()).map(|(&k, &v)| arg(k, v)).collect();
    format!("{name}({})", parts.join(","))
}

/// One argument.
pub fn arg(kind: Arg, v: u64) -> String {
    match kind {
        Arg::Int => (v as i64).to_string(),
        Arg::I32 | Arg::Fd => (v as i32).to_string(),
        Arg::Dirfd if v as i32 == libc::AT_FDCWD => "AT_FDCWD".into(),
        Arg::Dirfd => (v as i32).to_string(),
        Arg::Hex | Arg::Buf => format!("{v:#x}"),
        Arg::Ptr if v == 0 => "NULL".into(),
        Arg::Ptr => format!("0x{v:016x}"),
        Arg::Oct if v as u32 == 0 => "0".into(),
        Arg::Oct => format!("0{:o}", v as u32),
        Arg::Str => string(v),
        Arg::OFlags => oflags(v as u32),
        Arg::Prot => prot(v as u32),
        Arg::MapFlags => map_flags(v as u32),
        Arg::Signal => signal_name(v as i32).map(str::to_string).unwrap_or_else(|| (v as i32).to_string()),
    }
}

/// The result part after ` = `.
pub fn result(kind: Ret, r: i64) -> String {
    if r == super::NOT_STARTED {
        // a signal came first; the SVC runs again after it (qemu prints the same)
        return "-1 errno=512 (To be restarted)".to_string();
    }
    if (-4095..0).contains(&r) {
        return format!("-1 errno={} ({})", -r, errno_message(-r as i32));
    }
    match kind {
        Ret::Ptr => format!("0x{:016x}", r as u64),
        _ => r.to_string(),
    }
}

/// The C library's message for errno `e` (as qemu prints with strerror).
pub fn errno_message(e: i32) -> String {
    let s = std::io::Error::from_raw_os_error(e).to_string();
    match s.rfind(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn string(addr: u64) -> String {
    if addr == 0 {
        return "NULL".into();
    }
    match read_cstr(addr, STR_MAX) {
        Ok((bytes, complete)) => {
            let mut s = String::from("\"");
            for &c in &bytes {
                match c {
                    b'"' => s += "\\\"",
                    b'\\' => s += "\\\\",
                    b'\n' => s += "\\n",
                    b'\t' => s += "\\t",
                    b'\r' => s += "\\r",
                    0x20..=0x7e => s.push(c as char),
                    _ => s += &format!("\\{c:03o}"),
                }
            }
            s.push('"');
            if !complete {
                s += "...";
            }
            s
        }
        Err(_) => format!("0x{addr:x}"),
    }
}

fn flags(v: u32, table: &[(u32, &str)], zero: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = v;
    for &(bit, name) in table {
        if bit != 0 && rest & bit == bit {
            parts.push(name.into());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        zero.into()
    } else {
        parts.join("|")
    }
}

/// Guest (arm64) open flags, symbolic.
pub fn oflags(v: u32) -> String {
    let acc = match v & 3 {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let table: &[(u32, &str)] = &[
        (0o20000000 | abi::O_DIRECTORY, "O_TMPFILE"),
        (0o4010000, "O_SYNC"),
        (0o100, "O_CREAT"),
        (0o200, "O_EXCL"),
        (0o400, "O_NOCTTY"),
        (0o1000, "O_TRUNC"),
        (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"),
        (0o10000, "O_DSYNC"),
        (0o20000, "O_ASYNC"),
        (abi::O_DIRECTORY, "O_DIRECTORY"),
        (abi::O_NOFOLLOW, "O_NOFOLLOW"),
        (abi::O_DIRECT, "O_DIRECT"),
        (abi::O_LARGEFILE, "O_LARGEFILE"),
        (0o1000000, "O_NOATIME"),
        (0o2000000, "O_CLOEXEC"),
        (0o10000000, "O_PATH"),
    ];
    let rest = flags(v & !3, table, "");
    if rest.is_empty() {
        acc.into()
    } else {
        format!("{acc}|{rest}")
    }
}

pub fn prot(v: u32) -> String {
    let table: &[(u32, &str)] = &[
        (1, "PROT_READ"),
        (2, "PROT_WRITE"),
        (4, "PROT_EXEC"),
        (abi::PROT_BTI, "PROT_BTI"),
        (abi::PROT_MTE, "PROT_MTE"),
        (0x0100_0000, "PROT_GROWSDOWN"),
        (0x0200_0000, "PROT_GROWSUP"),
    ];
    flags(v, table, "PROT_NONE")
}

pub fn map_flags(v: u32) -> String {
    let kind = match v & 3 {
        1 => "MAP_SHARED",
        2 => "MAP_PRIVATE",
        3 => "MAP_SHARED_VALIDATE",
        _ => "MAP_TYPE_0",
    };
    let table: &[(u32, &str)] = &[
        (0x10, "MAP_FIXED"),
        (0x20, "MAP_ANONYMOUS"),
        (0x100, "MAP_GROWSDOWN"),
        (0x800, "MAP_DENYWRITE"),
        (0x1000, "MAP_EXECUTABLE"),
        (0x2000, "MAP_LOCKED"),
        (0x4000, "MAP_NORESERVE"),
        (0x8000, "MAP_POPULATE"),
        (0x10000, "MAP_NONBLOCK"),
        (0x20000, "MAP_STACK"),
        (0x40000, "MAP_HUGETLB"),
        (0x80000, "MAP_SYNC"),
        (0x100000, "MAP_FIXED_NOREPLACE"),
    ];
    let rest = flags(v & !3, table, "");
    if rest.is_empty() {
        kind.into()
    } else {
        format!("{kind}|{rest}")
    }
}

/// Name of signal `sig` (same numbers on arm64 and x86_64).
pub fn signal_name(sig: i32) -> Option<&'static str> {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    usize::try_from(sig).ok().and_then(|s| s.checked_sub(1)).and_then(|i| NAMES.get(i)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_qemu() {
        let path = b"/etc/hostname\0";
        let args = [libc::AT_FDCWD as u64, path.as_ptr() as u64, 0o2000000, 0, 0, 0];
        assert_eq!(
            call("openat", &[Arg::Dirfd, Arg::Str, Arg::OFlags, Arg::Oct], &args),
            "openat(AT_FDCWD,\"/etc/hostname\",O_RDONLY|O_CLOEXEC,0)"
        );
        assert_eq!(result(Ret::Int, -2), "-1 errno=2 (No such file or directory)");
        assert_eq!(result(Ret::Int, -512), "-1 errno=512 (To be restarted)");
        assert_eq!(result(Ret::Ptr, 0x498000), "0x0000000000498000");
        assert_eq!(result(Ret::Int, 3), "3");
        assert_eq!(arg(Arg::Ptr, 0), "NULL");
        assert_eq!(arg(Arg::Fd, u64::MAX), "-1");
        assert_eq!(arg(Arg::Prot, 3), "PROT_READ|PROT_WRITE");
        assert_eq!(arg(Arg::Prot, 0), "PROT_NONE");
        assert_eq!(arg(Arg::MapFlags, 0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(arg(Arg::OFlags, (0o1 | 0o100 | abi::O_DIRECTORY) as u64), "O_WRONLY|O_CREAT|O_DIRECTORY");
        assert_eq!(arg(Arg::Signal, 10), "SIGUSR1");
        assert_eq!(arg(Arg::Str, 8), "0x8");
        let long = [b'a'; 100];
        let mut z = long.to_vec();
        z.push(0);
        assert_eq!(arg(Arg::Str, z.as_ptr() as u64), format!("\"{}\"...", "a".repeat(STR_MAX)));
    }
}
