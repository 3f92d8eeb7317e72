//! The few /proc files whose host contents would describe the emulator instead of the guest.
//!
//! - `/proc/self/exe` (and `/proc/<our pid>/exe`, `/proc/thread-self/exe`,
//!   `/proc/<pid>/task/<tid>/exe`, `/proc/<tid>/exe`): open, stat, access and readlink name the
//!   guest program (`Process::exe_path`), as qemu-user does.
//! - `/proc/self/auxv` (same spellings): the guest's auxiliary vector, 16-byte (type, value)
//!   entries ending with AT_NULL, from `Process::auxv`.
//! - `/proc/cpuinfo`: an aarch64 CPU in the arm64 kernel's format (arch/arm64/kernel/cpuinfo.c,
//!   `c_show`), one block per online host CPU, consistent with what the guest sees elsewhere:
//!   the Features line lists exactly the AT_HWCAP/AT_HWCAP2 bits we advertise, the identification
//!   lines decode `MIDR_EL1`, BogoMIPS derives from `CNTFRQ_EL0` as on arm64.
//!
//! - `/proc/self/cmdline` (same spellings): the guest's argv strings, read from its memory at
//!   open time as the kernel reads `arg_start..arg_end` (`cmdline_bytes`).
//! - `/proc/self/environ` (same spellings): the guest's initial environment strings, read from
//!   its memory at open time as the kernel reads `env_start..env_end` (`environ_bytes`). The
//!   host's would be the emulator's: with the `QEMU_*` variables and before `-E`/`-U`.
//!
//! - `/proc/self/maps` (same spellings): the host's, which shows the guest's mappings at their
//!   addresses with the guest's permissions (the loader keeps PROT_EXEC on code), less the
//!   emulator's own that can be told apart (its binary, brk heap, main stack, the x86 vDSO,
//!   the code cache, the lookup table); the guest's main stack and brk area carry the
//!   kernel's `[stack]` and `[heap]` labels (`maps_bytes`). Anonymous mappings the emulator
//!   makes later (its threads' stacks) still show; qemu-user, which tracks every guest
//!   mapping, shows none of its own.
//!
//! - `/proc/self/stat` (same spellings): the host's line with the address fields the guest's
//!   (code and data ranges, start_stack, start_brk, argument and environment strings:
//!   `stat_bytes`), which libraries read to find the main stack (Boehm GC's fallback).
//! - `/proc/self/fd` listings (getdents64, `syscall::fs`): without the emulator's own
//!   descriptor of its binary (`SelfExe`), which the guest never opened.
//!
//! Everything else under /proc (smaps, status, ...) is the host's. The emulator names its
//! thread after the guest program at start-up (`linux::set_comm`), so comm, status and stat
//! show the program's name as after a native execve. Generated contents are served through a memfd, so reads, seeks, fstat and
//! mmap behave like a regular file's.
//!
//! Names are recognised after resolving a relative path against the directory fd or the
//! current directory (so `openat(open("/proc/self"), "exe")` and `chdir("/proc")` then
//! `open("self/auxv")` work); only names whose last component is one of the names above cost
//! that resolution. Invariant: the functions here never fail in a way the host would not:
//! anything they do not recognise is left to the host (`None`).

use super::Thread;
use crate::arch::features;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// An emulated /proc file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcFile {
    Exe,
    Auxv,
    Cmdline,
    Environ,
    Maps,
    Stat,
    Cpuinfo,
}

/// Whether `n` names a thread of this process (`/proc/self/task/<n>` exists).
fn is_our_task(n: &str) -> bool {
    n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty() && Path::new("/proc/self/task").join(n).exists()
}

/// Whether `dir` (a component after `/proc/`) is this process's own directory.
fn is_our_dir(dir: &str) -> bool {
    dir == "self" || dir == std::process::id().to_string() || is_our_task(dir)
}

/// Whether directory descriptor `fd` is this process's descriptor directory
/// (`/proc/<our pid>/fd` or `/proc/<our pid>/task/<tid>/fd`).
pub fn is_our_fd_dir(fd: i32) -> bool {
    let Ok(target) = std::fs::read_link(format!("/proc/self/fd/{fd}")) else { return false };
    let Some(path) = target.to_str() else { return false };
    let c: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    match c.as_slice() {
        ["proc", dir, "fd"] => is_our_dir(dir),
        ["proc", dir, "task", tid, "fd"] => is_our_dir(dir) && is_our_task(tid),
        _ => false,
    }
}

/// Classify an absolute, normalised path's components.
fn classify_components(c: &[&str]) -> Option<ProcFile> {
    match c {
        ["proc", "cpuinfo"] => Some(ProcFile::Cpuinfo),
        ["proc", "thread-self", leaf] => leaf_file(leaf),
        ["proc", dir, leaf] if is_our_dir(dir) => leaf_file(leaf),
        ["proc", dir, "task", tid, leaf] if is_our_dir(dir) && is_our_task(tid) => leaf_file(leaf),
        _ => None,
    }
}

fn leaf_file(leaf: &str) -> Option<ProcFile> {
    match leaf {
        "exe" => Some(ProcFile::Exe),
        "auxv" => Some(ProcFile::Auxv),
        "cmdline" => Some(ProcFile::Cmdline),
        "environ" => Some(ProcFile::Environ),
        "maps" => Some(ProcFile::Maps),
        "stat" => Some(ProcFile::Stat),
        _ => None,
    }
}

/// The directory a relative path starts from: the cwd for AT_FDCWD, else the directory fd's.
fn base_dir(dirfd: i32) -> Option<PathBuf> {
    if dirfd == libc::AT_FDCWD {
        std::env::current_dir().ok()
    } else {
        std::fs::read_link(format!("/proc/self/fd/{dirfd}")).ok()
    }
}

/// Which emulated file `path` names relative to `dirfd`, if any.
pub fn classify(dirfd: i32, path: &[u8]) -> Option<ProcFile> {
    let leaf = path.rsplit(|&b| b == b'/').next()?;
    if !matches!(leaf, b"exe" | b"auxv" | b"cmdline" | b"environ" | b"maps" | b"stat" | b"cpuinfo") {
        return None;
    }
    let full = absolute(dirfd, path)?;
    let full = full.to_str()?.to_string();
    let mut comps: Vec<&str> = Vec::new();
    for c in full.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                comps.pop();
            }
            c => comps.push(c),
        }
    }
    classify_components(&comps)
}

/// The guest program's path when `dirfd`/`path` names one of our `/proc/.../exe` links.
pub fn exe_link<'a>(p: &'a Thread, dirfd: i32, path: &[u8]) -> Option<&'a Path> {
    (classify(dirfd, path) == Some(ProcFile::Exe)).then_some(p.exe_path.as_path())
}

/// openat of an emulated file: `Some(fd or -errno)`, or `None` for the host to handle.
/// `flags` are host open flags.
pub fn open(p: &Thread, dirfd: i32, path: &[u8], flags: i32, mode: u32) -> Option<i64> {
    // O_NOFOLLOW and O_PATH|O_NOFOLLOW concern the link itself: the host's answer is right.
    if flags & libc::O_NOFOLLOW != 0 {
        return None;
    }
    let which = classify(dirfd, path)?;
    let r = match which {
        ProcFile::Exe => {
            let c = CString::new(p.exe_path.as_os_str().as_bytes()).ok()?;
            // SAFETY: open on a C string with the guest's (translated) flags.
            let fd = unsafe { libc::open(c.as_ptr(), flags, mode) };
            super::syscall::host_result(i64::from(fd))
        }
        ProcFile::Auxv => generated(b"auxv", &auxv_bytes(&p.auxv), flags),
        ProcFile::Cmdline => generated(b"cmdline", &cmdline_bytes(p.stat_addrs.args), flags),
        ProcFile::Environ => generated(b"environ", &environ_bytes(p.stat_addrs.env), flags),
        ProcFile::Maps => generated(b"maps", &maps_bytes(p), flags),
        ProcFile::Stat => {
            // the host's file for the same process or task, its address fields the guest's
            let text = std::fs::read(absolute(dirfd, path)?).ok()?;
            generated(b"stat", &stat_bytes(&text, &p.stat_addrs, p.brk().start), flags)
        }
        ProcFile::Cpuinfo => generated(b"cpuinfo", cpuinfo().as_bytes(), flags),
    };
    Some(r)
}

/// The contents of /proc/self/cmdline: the guest's argv strings as they are now in its memory
/// (`[start, end)`, each NUL-terminated), as fs/proc/base.c `get_mm_cmdline` reads them. When
/// the program overwrote the final NUL (setproctitle), the text runs on past `end` up to the
/// first NUL, at most to the end of that page. Empty when the area is no longer readable.
pub fn cmdline_bytes((start, end): (u64, u64)) -> Vec<u8> {
    let mut buf = vec![0u8; end.saturating_sub(start) as usize];
    if buf.is_empty() || !crate::mem::probe_read(start, &mut buf) {
        return Vec::new();
    }
    if buf.last() != Some(&0) {
        // the rest of the page `end` lies in (readable when its start is)
        let mut more = [0u8; 4096];
        let n = (4096 - end % 4096) as usize;
        if crate::mem::probe_read(end, &mut more[..n]) {
            buf.extend_from_slice(&more[..n]);
        }
        if let Some(k) = buf.iter().position(|&b| b == 0) {
            buf.truncate(k + 1);
        }
    }
    buf
}

/// The contents of /proc/self/environ: the bytes of the guest's environment strings area
/// (`[start, end)`) as they are now in its memory, with no NUL handling, as fs/proc/base.c
/// `environ_read` copies them; it stops at the first page it cannot read.
pub fn environ_bytes((start, end): (u64, u64)) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let n = (end - at).min(4096 - at % 4096) as usize;
        let mut page = vec![0u8; n];
        if !crate::mem::probe_read(at, &mut page) {
            break;
        }
        out.extend_from_slice(&page);
        at += n as u64;
    }
    out
}

/// The contents of /proc/self/maps as the guest should see them: the host's lines, less the
/// emulator's own mappings that can be told apart (its executable, its brk heap, its main
/// stack, the x86 vDSO pages, the code cache and the lookup table), with the guest's main
/// stack labelled `[stack]` and its emulated brk area `[heap]`, as Linux labels them.
/// (Anonymous mappings the emulator makes at run time, such as its threads' stacks, stay.)
fn maps_bytes(p: &Thread) -> Vec<u8> {
    let Ok(host) = std::fs::read("/proc/self/maps") else { return Vec::new() };
    // (named as at start-up; " (deleted)" if the file was replaced since)
    let our_exe = p.self_exe.path().map(|e| e.as_os_str().as_bytes());
    let jit = p.jit.host_regions();
    let heap = {
        let b = p.brk();
        (b.start, b.mapped_end)
    };
    let mut out = Vec::with_capacity(host.len());
    for line in host.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let Some((start, end, path_at)) = parse_maps_line(line) else {
            out.extend_from_slice(line);
            out.push(b'\n');
            continue;
        };
        let path = &line[path_at.min(line.len())..];
        let ours = matches!(path, b"[heap]" | b"[stack]" | b"[vvar]" | b"[vvar_vclock]" | b"[vdso]" | b"[vsyscall]")
            || our_exe.is_some_and(|e| path.strip_suffix(b" (deleted)").unwrap_or(path) == e)
            || jit.iter().any(|&(a, b)| (start as usize) < b && a < end as usize);
        if ours {
            continue;
        }
        let label: &[u8] = if path.is_empty() && start < p.stack_range.1 && p.stack_range.1 <= end {
            b"[stack]"
        } else if path.is_empty() && heap.0 < heap.1 && start < heap.1 && heap.0 < end {
            b"[heap]"
        } else {
            b""
        };
        if label.is_empty() {
            out.extend_from_slice(line);
        } else {
            // the kernel pads the fields before the name to a fixed width
            let fields = line[..path_at.min(line.len())].trim_ascii_end();
            out.extend_from_slice(fields);
            let pad = 73usize.saturating_sub(fields.len()).max(1);
            out.extend(std::iter::repeat_n(b' ', pad));
            out.extend_from_slice(label);
        }
        out.push(b'\n');
    }
    out
}

/// Start, end and the offset of the pathname (after the five fields) of a maps line.
fn parse_maps_line(line: &[u8]) -> Option<(u64, u64, usize)> {
    let text = std::str::from_utf8(line.get(..line.len().min(128))?).ok().or_else(|| {
        let k = line.iter().position(|&b| !b.is_ascii())?;
        std::str::from_utf8(&line[..k]).ok()
    })?;
    let (range, _) = text.split_once(' ')?;
    let (a, b) = range.split_once('-')?;
    let (start, end) = (u64::from_str_radix(a, 16).ok()?, u64::from_str_radix(b, 16).ok()?);
    // five space-separated fields, then spaces up to the pathname (if any)
    let mut at = 0;
    for _ in 0..5 {
        at += line[at..].iter().position(|&b| b != b' ')?;
        at += line[at..].iter().position(|&b| b == b' ').unwrap_or(line.len() - at);
    }
    at += line[at..].iter().position(|&b| b != b' ').unwrap_or(line.len() - at);
    Some((start, end, at))
}

/// The guest's values of the address fields of /proc/self/stat (proc(5) fields 26-28,
/// 45-46 and 48-51; 47, start_brk, comes from the emulated break).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatAddrs {
    pub start_code: u64,
    pub end_code: u64,
    pub start_stack: u64,
    pub start_data: u64,
    pub end_data: u64,
    pub args: (u64, u64),
    pub env: (u64, u64),
}

impl StatAddrs {
    /// As the kernel sets them at execve (fs/binfmt_elf.c): the code and data ranges of the
    /// program's own segments (executable, and writable ones), the initial stack pointer, the
    /// argument and environment strings.
    pub fn of(image: &crate::loader::Image, stack: &crate::loader::Stack) -> StatAddrs {
        let exec = image.mappings.iter().filter(|m| m.prot & libc::PROT_EXEC != 0);
        let data = image.mappings.iter().filter(|m| m.prot & libc::PROT_WRITE != 0);
        StatAddrs {
            start_code: exec.clone().map(|m| m.start).min().unwrap_or(0),
            end_code: exec.map(|m| m.end).max().unwrap_or(0),
            start_stack: stack.sp,
            start_data: data.clone().map(|m| m.start).min().unwrap_or(0),
            end_data: data.map(|m| m.end).max().unwrap_or(0),
            args: stack.args,
            env: stack.env,
        }
    }
}

/// `path` made absolute against `dirfd` (not normalised). For a stat file, the host's file
/// of the same process or task.
fn absolute(dirfd: i32, path: &[u8]) -> Option<PathBuf> {
    let path = std::str::from_utf8(path).ok()?;
    Some(if path.starts_with('/') { PathBuf::from(path) } else { base_dir(dirfd)?.join(path) })
}

/// /proc/<pid>/stat with the guest's address fields: the host's line (pid, state, times,
/// counters, ... are right as they are) with fields 26-28 and 45-51 replaced. The name in
/// parentheses may hold spaces and parentheses: fields are counted after its last `)`.
pub fn stat_bytes(host: &[u8], a: &StatAddrs, start_brk: u64) -> Vec<u8> {
    let Some(close) = host.iter().rposition(|&b| b == b')') else { return host.to_vec() };
    let (head, tail) = host.split_at(close + 1);
    let Ok(tail) = std::str::from_utf8(tail) else { return host.to_vec() };
    let mut fields: Vec<String> = tail.split_whitespace().map(str::to_string).collect();
    // fields[0] is field 3 (state)
    let mut set = |field: usize, v: u64| {
        if let Some(f) = fields.get_mut(field - 3) {
            *f = v.to_string();
        }
    };
    set(26, a.start_code);
    set(27, a.end_code);
    set(28, a.start_stack);
    set(45, a.start_data);
    set(46, a.end_data);
    set(47, start_brk);
    set(48, a.args.0);
    set(49, a.args.1);
    set(50, a.env.0);
    set(51, a.env.1);
    let mut out = head.to_vec();
    for f in &fields {
        out.push(b' ');
        out.extend_from_slice(f.as_bytes());
    }
    out.push(b'\n');
    out
}

/// A read-only file with `contents`, as a memfd positioned at 0.
fn generated(name: &[u8], contents: &[u8], flags: i32) -> i64 {
    if flags & libc::O_ACCMODE != libc::O_RDONLY || flags & (libc::O_CREAT | libc::O_TRUNC) != 0 {
        return -(libc::EACCES as i64);
    }
    if flags & libc::O_DIRECTORY != 0 {
        return -(libc::ENOTDIR as i64);
    }
    let cname = match CString::new(name) {
        Ok(c) => c,
        Err(_) => return -(libc::EINVAL as i64),
    };
    let mfd_flags = if flags & libc::O_CLOEXEC != 0 { libc::MFD_CLOEXEC } else { 0 };
    // SAFETY: memfd_create/write/lseek/close on our new descriptor and our buffer.
    unsafe {
        let fd = libc::memfd_create(cname.as_ptr(), mfd_flags);
        if fd < 0 {
            return super::syscall::host_result(-1);
        }
        let mut off = 0;
        while off < contents.len() {
            let n = libc::write(fd, contents[off..].as_ptr() as *const libc::c_void, contents.len() - off);
            if n <= 0 {
                let e = super::syscall::host_result(-1);
                libc::close(fd);
                return e;
            }
            off += n as usize;
        }
        libc::lseek(fd, 0, libc::SEEK_SET);
        if flags & libc::O_NONBLOCK != 0 {
            libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK);
        }
        i64::from(fd)
    }
}

/// The auxv as /proc/<pid>/auxv shows it: (type, value) u64 pairs, then AT_NULL.
pub fn auxv_bytes(auxv: &[(u64, u64)]) -> Vec<u8> {
    auxv.iter()
        .filter(|&&(k, _)| k != 0)
        .chain(std::iter::once(&(0, 0)))
        .flat_map(|&(k, v)| [k.to_le_bytes(), v.to_le_bytes()])
        .flatten()
        .collect()
}

/// hwcap_str of arch/arm64/kernel/cpuinfo.c: AT_HWCAP bit n, then AT_HWCAP2 bit n (bit order,
/// which is the order the kernel prints them in).
const HWCAP_NAMES: [&str; 32] = [
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp", "cpuid",
    "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4", "asimddp", "sha512", "sve", "asimdfhm", "dit",
    "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg",
];
const HWCAP2_NAMES: [&str; 34] = [
    "dcpodp",
    "sve2",
    "sveaes",
    "svepmull",
    "svebitperm",
    "svesha3",
    "svesm4",
    "flagm2",
    "frint",
    "svei8mm",
    "svef32mm",
    "svef64mm",
    "svebf16",
    "i8mm",
    "bf16",
    "dgh",
    "rng",
    "bti",
    "mte",
    "ecv",
    "afp",
    "rpres",
    "mte3",
    "sme",
    "smei16i64",
    "smef64f64",
    "smei8i32",
    "smef16f32",
    "smeb16f32",
    "smef32f32",
    "smefa64",
    "wfxt",
    "ebf16",
    "sveebf16",
];

/// The Features line's names for these HWCAP/HWCAP2 words.
pub fn feature_names(hwcap: u64, hwcap2: u64) -> Vec<&'static str> {
    let one = |word: u64, names: &'static [&'static str]| {
        names.iter().enumerate().filter(move |&(i, _)| word >> i & 1 != 0).map(|(_, &n)| n)
    };
    one(hwcap, &HWCAP_NAMES).chain(one(hwcap2, &HWCAP2_NAMES)).collect()
}

/// Online host CPU numbers (`/sys/devices/system/cpu/online`, e.g. `0-3,6`).
fn online_cpus() -> Vec<u32> {
    let parse = |s: &str| -> Option<Vec<u32>> {
        let mut v = Vec::new();
        for part in s.trim().split(',').filter(|p| !p.is_empty()) {
            match part.split_once('-') {
                Some((a, b)) => v.extend(a.parse::<u32>().ok()?..=b.parse::<u32>().ok()?),
                None => v.push(part.parse().ok()?),
            }
        }
        (!v.is_empty()).then_some(v)
    };
    if let Some(v) = std::fs::read_to_string("/sys/devices/system/cpu/online").ok().as_deref().and_then(parse) {
        return v;
    }
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as u32;
    (0..n).collect()
}

/// The text of /proc/cpuinfo for `cpus` with this MIDR, HWCAP pair and timer frequency.
pub fn cpuinfo_for(cpus: &[u32], midr: u64, hwcap: u64, hwcap2: u64, cntfrq: u64) -> String {
    // arm64 calibrates loops_per_jiffy from the timer: BogoMIPS = CNTFRQ / 500000.
    let (whole, hundredths) = (cntfrq / 500_000, (cntfrq / 5_000) % 100);
    let features = feature_names(hwcap, hwcap2);
    let mut s = String::new();
    for &i in cpus {
        s += &format!("processor\t: {i}\n");
        s += &format!("BogoMIPS\t: {whole}.{hundredths:02}\n");
        s += "Features\t:";
        for f in &features {
            s += " ";
            s += f;
        }
        s += "\n";
        s += &format!("CPU implementer\t: 0x{:02x}\n", (midr >> 24) & 0xff);
        s += "CPU architecture: 8\n";
        s += &format!("CPU variant\t: 0x{:x}\n", (midr >> 20) & 0xf);
        s += &format!("CPU part\t: 0x{:03x}\n", (midr >> 4) & 0xfff);
        s += &format!("CPU revision\t: {}\n\n", midr & 0xf);
    }
    s
}

/// /proc/cpuinfo as the guest sees it.
pub fn cpuinfo() -> String {
    cpuinfo_for(&online_cpus(), features::MIDR_EL1, features::HWCAP, features::HWCAP2, features::CNTFRQ_EL0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stat_address_fields_are_replaced() {
        // a name with a space and a parenthesis; fields 3.. numbered as proc(5)
        let mut host = b"42 (a) b) R".to_vec();
        for k in 4..=52 {
            host.extend_from_slice(format!(" {k}").as_bytes());
        }
        host.push(b'\n');
        let a = StatAddrs {
            start_code: 1000,
            end_code: 2000,
            start_stack: 3000,
            start_data: 4000,
            end_data: 5000,
            args: (6000, 7000),
            env: (7000, 8000),
        };
        let out = String::from_utf8(stat_bytes(&host, &a, 9000)).unwrap();
        assert!(out.starts_with("42 (a) b) R 4 5 "), "{out}");
        let f: Vec<&str> = out.rsplit_once(')').unwrap().1.split_whitespace().collect();
        let field = |k: usize| f[k - 3];
        assert_eq!((field(25), field(26), field(27), field(28), field(29)), ("25", "1000", "2000", "3000", "29"));
        assert_eq!((field(44), field(45), field(46), field(47)), ("44", "4000", "5000", "9000"));
        assert_eq!((field(48), field(49), field(50), field(51), field(52)), ("6000", "7000", "7000", "8000", "52"));
        assert!(out.ends_with("52\n"));
    }

    #[test]
    fn maps_lines_parse() {
        let l = b"555555560000-555555569000 r-xp 00000000 fe:00 5341563                    /bin/cat";
        let (a, b, at) = parse_maps_line(l).unwrap();
        assert_eq!((a, b), (0x5555_5556_0000, 0x5555_5556_9000));
        assert_eq!(&l[at..], b"/bin/cat");
        let l = b"7fd8029b4000-7fd8029b6000 rw-p 00000000 00:00 0 ";
        let (_, _, at) = parse_maps_line(l).unwrap();
        assert_eq!(&l[at..], b"");
        let l = b"7fd8029b4000-7fd8029b6000 rw-p 00000000 00:00 0";
        assert_eq!(parse_maps_line(l).map(|p| p.2), Some(l.len()));
        assert!(parse_maps_line(b"garbage").is_none());
    }

    use super::*;

    #[test]
    fn names_are_recognised_in_every_spelling() {
        let pid = std::process::id();
        let tid = crate::linux::thread::current_tid();
        for p in [
            "/proc/self/exe".to_string(),
            "/proc/thread-self/exe".into(),
            format!("/proc/{pid}/exe"),
            format!("/proc/{tid}/exe"),
            format!("/proc/self/task/{tid}/exe"),
            "//proc/./self/../self/exe".into(),
        ] {
            assert_eq!(classify(libc::AT_FDCWD, p.as_bytes()), Some(ProcFile::Exe), "{p}");
        }
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/self/auxv"), Some(ProcFile::Auxv));
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/cpuinfo"), Some(ProcFile::Cpuinfo));
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/1/exe"), None);
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/self/maps"), Some(ProcFile::Maps));
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/self/cmdline"), Some(ProcFile::Cmdline));
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/thread-self/environ"), Some(ProcFile::Environ));
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/1/environ"), None);
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/1/maps"), None);
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/self/smaps"), None);
        assert_eq!(classify(libc::AT_FDCWD, b"/tmp/exe"), None);
        assert_eq!(classify(libc::AT_FDCWD, b"/proc/self/exe/"), None);
        // Relative to a directory descriptor.
        let dir = std::fs::File::open("/proc/self").unwrap();
        use std::os::fd::AsRawFd;
        assert_eq!(classify(dir.as_raw_fd(), b"exe"), Some(ProcFile::Exe));
        assert_eq!(classify(dir.as_raw_fd(), b"../cpuinfo"), Some(ProcFile::Cpuinfo));
        assert_eq!(classify(dir.as_raw_fd(), b"cwd"), None);
    }

    #[test]
    fn cpuinfo_format() {
        let s = cpuinfo_for(&[0, 2], 0x410f_d070, 0b1000_0000_0011, 1, 25_000_000);
        let want = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd cpuid dcpodp\nCPU implementer\t: 0x41\n\
                    CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd07\nCPU revision\t: 0\n\n";
        assert!(s.starts_with(want), "{s}");
        assert!(s.contains("processor\t: 2\n"));
        assert_eq!(s.matches("processor").count(), 2);
        assert_eq!(feature_names(features::HWCAP, 0)[..2], ["fp", "asimd"]);
        assert_eq!(feature_names(1 << 31, 1 << 33), ["pacg", "sveebf16"]);
        assert_eq!(cpuinfo_for(&[0], 0x411f_d0c3, 0, 0, 1_000_000_000).lines().nth(1), Some("BogoMIPS\t: 2000.00"));
    }

    #[test]
    fn environ_is_the_raw_strings_area() {
        let area = b"A=1\0B=x y\0".to_vec();
        let start = area.as_ptr() as u64;
        assert_eq!(environ_bytes((start, start + area.len() as u64)), area);
        // no NUL handling: a partial range is copied as it is, an empty one is empty
        assert_eq!(environ_bytes((start, start + 2)), b"A=".to_vec());
        assert_eq!(environ_bytes((start, start)), Vec::<u8>::new());
        // an unreadable area reads as empty, as the kernel's read stops there
        assert_eq!(environ_bytes((0, 16)), Vec::<u8>::new());
    }

    #[test]
    fn generated_files() {
        let mut t = crate::linux::syscall::test_process();
        std::sync::Arc::get_mut(&mut t.proc).unwrap().auxv = vec![(6, 4096), (16, 3)];
        let fd = open(&t, libc::AT_FDCWD, b"/proc/self/auxv", libc::O_RDONLY | libc::O_CLOEXEC, 0).unwrap();
        assert!(fd >= 0);
        let mut buf = [0u8; 64];
        // SAFETY: reading our own descriptor into a local buffer.
        let n = unsafe { libc::read(fd as i32, buf.as_mut_ptr() as *mut libc::c_void, 64) };
        unsafe { libc::close(fd as i32) };
        assert_eq!(n, 48);
        assert_eq!(&buf[..48], &auxv_bytes(&[(6, 4096), (16, 3)])[..]);
        assert_eq!(u64::from_le_bytes(buf[32..40].try_into().unwrap()), 0, "AT_NULL last");
        assert_eq!(open(&t, libc::AT_FDCWD, b"/proc/self/auxv", libc::O_RDWR, 0), Some(-(libc::EACCES as i64)));
        assert_eq!(open(&t, libc::AT_FDCWD, b"/proc/cpuinfo", libc::O_DIRECTORY, 0), Some(-(libc::ENOTDIR as i64)));
        assert_eq!(open(&t, libc::AT_FDCWD, b"/proc/self/exe", libc::O_NOFOLLOW, 0), None);
        assert_eq!(open(&t, libc::AT_FDCWD, b"/proc/self/status", 0, 0), None);
        let fd = open(&t, libc::AT_FDCWD, b"/proc/self/stat", libc::O_RDONLY | libc::O_CLOEXEC, 0).unwrap();
        assert!(fd >= 0, "/proc/self/stat is generated");
        // SAFETY: closing our own descriptor.
        unsafe { libc::close(fd as i32) };
        // The test process's exe_path does not exist: the open of it fails like the host's.
        assert_eq!(open(&t, libc::AT_FDCWD, b"/proc/self/exe", 0, 0), Some(-(libc::ENOENT as i64)));
        assert_eq!(exe_link(&t, libc::AT_FDCWD, b"/proc/thread-self/exe"), Some(Path::new("/opt/guest/prog")));
    }
}
