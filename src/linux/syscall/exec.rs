//! New processes and program execution: fork (clone without CLONE_VM), vfork, execve, execveat.
//!
//! **fork** is a host `fork()`. The calling guest thread continues in the child (x0 = 0); the
//! child is a single-threaded copy of this emulator, as the kernel's child is of the guest.
//! Every emulator lock another thread might hold (the translator's, the `Process` mutexes) is
//! taken around the fork ([`ForkLocks`]), so the child never inherits one held by a thread that
//! does not exist there; glibc's fork does the same for malloc.
//!
//! **vfork** (CLONE_VM|CLONE_VFORK, also glibc's posix_spawn and Go's os/exec) is a *safe fork*,
//! as in qemu-user: the child gets a copy of memory instead of sharing it (a second process in
//! our address space would share the emulator's own state with a thread that keeps running).
//! The parent still waits, as vfork's caller does, until the child has executed a program or
//! exited (a close-on-exec pipe reaches end-of-file then). What a vfork child writes to memory
//! is not seen by the parent: glibc's posix_spawn therefore reports a failed exec in the child
//! as a child that exits with status 127, not as an error return (qemu-user behaves alike).
//! The exit signal of a new process is always SIGCHLD (host `fork()`); another one is logged
//! with `-d unimp`.
//!
//! **execve** looks at the target the way the kernel does (fs/exec.c, fs/binfmt_script.c):
//! lookup and permission errors (ENOENT, ENOTDIR, ELOOP, EACCES for a non-regular, non-executable
//! or noexec-mounted file) come back as the kernel's; an aarch64 ELF (`ELFCLASS64`, little
//! endian, `EM_AARCH64`) is run by re-executing this emulator on it; a `#!` script whose
//! interpreter chain ends in an aarch64 ELF runs that interpreter under the emulator with the
//! argv the kernel would build (`interp [arg] script args...`); anything else (native programs,
//! scripts with native interpreters) is the host kernel's own execve of the guest's arguments,
//! unchanged. So execve works without a binfmt_misc registration.
//!
//! The re-executed emulator is our own binary, opened at start-up ([`SelfExe`]: a close-on-exec
//! O_PATH descriptor, so it is found even inside a chroot or after the file was replaced, and its
//! path as a fallback). Its command line carries the options in effect (`-L`, `-s`, `-r`, `-d`,
//! `-D`), the guest's argv[0] exactly (`-0`), then `--`, the program and the rest of argv. The
//! environment is the guest's envp, unchanged: nothing is stripped or added. QEMU_* variables
//! that the *guest* put into its environment are therefore read by the new emulator, as they
//! would be by qemu-user started by binfmt_misc; our own options come on the command line and
//! take precedence over them.
//!
//! Across execve the kernel keeps the signal mask and ignored signals and resets handled ones;
//! the host does the same for what we give it, so before the host execve the host thread's mask
//! becomes the guest's (minus the synchronous signals the new emulator needs for its own fault
//! handling) and host dispositions become SIG_IGN where the guest ignores a signal and SIG_DFL
//! elsewhere. A failed execve restores both.
//!
//! Invariants: on success execve does not return (the host process image is replaced, all
//! other threads end); on failure nothing visible to the guest changed.

use super::{read_cstr, read_guest, row, write_guest, Arg, Syscall, EFAULT, EINVAL};
use crate::cpu::CpuState;
use crate::linux::syscall::nr;
use crate::linux::thread::*;
use crate::linux::Thread;
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::EXECVE, "execve", sys_execve, &[Str, Ptr, Ptr]),
    row(nr::EXECVEAT, "execveat", sys_execveat, &[Dirfd, Str, Ptr, Ptr, Hex]),
];

/// This emulator's own executable, for re-executing it on an aarch64 program.
///
/// Its descriptor is invisible to the guest (`syscall::ownfd`): calls naming it see a closed
/// descriptor, and when the guest creates a descriptor at its number it moves elsewhere first
/// ([`SelfExe::relocate`]), so it is read afresh ([`SelfExe::fd`]) at every use.
#[derive(Debug)]
pub struct SelfExe {
    /// O_PATH|O_CLOEXEC descriptor of our binary (-1 when /proc was not available), kept at a
    /// high number out of the guest's way.
    fd: AtomicI32,
    /// Serialises moves of `fd`.
    moving: Mutex<()>,
    /// Device and inode of that file, to recognise our descriptor if the guest closed it and
    /// reused the number.
    dev_ino: (u64, u64),
    /// Its path when we started (readlink /proc/self/exe).
    path: Option<PathBuf>,
}

impl SelfExe {
    /// Open our own executable (call once, at start-up).
    pub fn open() -> SelfExe {
        let path = std::fs::read_link("/proc/self/exe").ok();
        let mut s = SelfExe { path, ..SelfExe::none() };
        // SAFETY: plain syscalls on a C string and our own descriptors.
        unsafe {
            let fd = libc::open(c"/proc/self/exe".as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
            if fd < 0 {
                return s;
            }
            let soft = nofile_soft_limit();
            let floor = (soft.min(1024) / 2).max(3) as i32;
            let high = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, floor);
            let fd = if high >= 0 {
                libc::close(fd);
                high
            } else {
                fd
            };
            let mut st: libc::stat = std::mem::zeroed();
            if libc::fstat(fd, &mut st) == 0 {
                s.fd = AtomicI32::new(fd);
                s.dev_ino = (st.st_dev, st.st_ino);
            } else {
                libc::close(fd);
            }
        }
        s
    }

    /// A `SelfExe` that knows no executable (tests).
    pub fn none() -> SelfExe {
        SelfExe { fd: AtomicI32::new(-1), moving: Mutex::new(()), dev_ino: (0, 0), path: None }
    }

    /// Our executable's path when we started (to hide its mappings from the guest).
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// The number of our descriptor, if we have one.
    pub fn fd(&self) -> Option<i32> {
        let fd = self.fd.load(Ordering::Acquire);
        (fd >= 0).then_some(fd)
    }

    /// Our descriptor, while it is still ours (to hide it from the guest's listings).
    pub fn hidden_fd(&self) -> Option<i32> {
        self.fd_valid().then(|| self.fd.load(Ordering::Acquire))
    }

    /// Whether our descriptor is still ours.
    fn fd_valid(&self) -> bool {
        let Some(fd) = self.fd() else { return false };
        // SAFETY: fstat into a local struct.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        (unsafe { libc::fstat(fd, &mut st) } == 0) && (st.st_dev, st.st_ino) == self.dev_ino
    }

    /// Move our descriptor away from number `from` because the guest is about to own that
    /// number: to the lowest free number at or above `2 * from` (or above `at_least`) that the
    /// RLIMIT_NOFILE soft limit allows. With no room left, we give the descriptor up (execve
    /// then uses the path). The old number still refers to our file afterwards: the caller
    /// replaces it (dup3) or closes it ([`SelfExe::relocate_and_close`]). Returns false when
    /// `from` is not (or no longer) ours.
    pub fn relocate(&self, from: i32, at_least: i32) -> bool {
        let _g = self.moving.lock().unwrap_or_else(|e| e.into_inner());
        if self.fd.load(Ordering::Acquire) != from {
            return false;
        }
        let soft = nofile_soft_limit().min(i32::MAX as u64) as i32;
        let want = from.saturating_mul(2).max(at_least);
        let mut to = -1;
        for floor in [want, at_least.max(from + 1)] {
            if floor < soft {
                // SAFETY: duplicating our own descriptor.
                to = unsafe { libc::fcntl(from, libc::F_DUPFD_CLOEXEC, floor) };
                if to >= 0 {
                    break;
                }
            }
        }
        self.fd.store(to.max(-1), Ordering::Release);
        true
    }

    /// [`SelfExe::relocate`], then close the old number (which the guest is about to take).
    pub fn relocate_and_close(&self, from: i32) {
        if self.relocate(from, from + 1) {
            // SAFETY: the old copy of our own descriptor.
            unsafe { libc::close(from) };
        }
    }
}

/// The RLIMIT_NOFILE soft limit (1024 if unknown).
fn nofile_soft_limit() -> u64 {
    // SAFETY: getrlimit into a local struct.
    let mut rl: libc::rlimit = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) } == 0 {
        rl.rlim_cur
    } else {
        1024
    }
}

fn errno() -> i64 {
    -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO) as i64)
}

/// The emulator locks held across a host fork.
struct ForkLocks<'a> {
    _sig: std::sync::MutexGuard<'a, [crate::linux::SigAction; crate::linux::NSIG + 1]>,
    _brk: std::sync::MutexGuard<'a, crate::mem::Brk>,
    _unimp: std::sync::MutexGuard<'a, std::collections::HashSet<u64>>,
    _log: std::sync::MutexGuard<'a, Option<std::fs::File>>,
    _aliases: crate::mem::AliasForkLock,
}

impl<'a> ForkLocks<'a> {
    fn take(p: &'a Thread) -> ForkLocks<'a> {
        ForkLocks {
            _sig: p.sigactions(),
            _brk: p.brk(),
            _unimp: p.unimp_seen.lock().unwrap_or_else(|e| e.into_inner()),
            _log: p.log.lock().unwrap_or_else(|e| e.into_inner()),
            _aliases: crate::mem::alias_fork_lock(),
        }
    }
}

/// fork / vfork (see the module comment). Returns the child's pid in the parent, 0 in the
/// child, or -errno.
pub fn fork(p: &mut Thread, cpu: &mut CpuState, a: &CloneArgs) -> i64 {
    if a.exit_signal != libc::SIGCHLD as u64 && (p.cfg.log.unimp || p.cfg.log.strace) && p.first_report(1 << 62) {
        p.log_line(&format!(
            "qemu-aarch64-lite: clone exit signal {} is delivered as SIGCHLD (host fork)",
            a.exit_signal
        ));
    }
    let vfork = a.flags & CLONE_VFORK != 0;
    let mut pipe = [-1i32; 2];
    // SAFETY: pipe2 fills `pipe`.
    if vfork && unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        pipe = [-1, -1];
    }
    let pid = {
        let locks = ForkLocks::take(p);
        // The translator lock last: translation never waits for the others while holding it.
        let jit = p.jit.fork_lock();
        // (after the translator's: translation takes it while holding that one)
        let exec = crate::mem::exec_fork_lock();
        // SAFETY: fork with every emulator lock held by this thread; glibc's fork resets its
        // own (malloc, stdio) in the child.
        let pid = unsafe { libc::fork() };
        drop(exec);
        drop(jit);
        drop(locks);
        pid
    };
    if pid < 0 {
        let e = errno();
        for fd in pipe.into_iter().filter(|&fd| fd >= 0) {
            // SAFETY: our own descriptors.
            unsafe { libc::close(fd) };
        }
        return e;
    }
    if pid == 0 {
        // The child: one guest thread, this one.
        p.jit.forked_child();
        crate::linux::signal::forget_pending(p.sigmask);
        p.live_threads.store(1, Ordering::SeqCst);
        p.tid = current_tid();
        if pipe[0] >= 0 {
            // SAFETY: our read end; the write end stays open (close-on-exec) until exec or exit.
            unsafe { libc::close(pipe[0]) };
        }
        if a.stack != 0 {
            cpu.set_sp(a.stack);
        }
        if a.flags & CLONE_SETTLS != 0 {
            cpu.tpidr_el0 = a.tls;
        }
        if a.flags & CLONE_CHILD_SETTID != 0 {
            let _ = write_guest(a.child_tid, &(p.tid as u32).to_le_bytes());
        }
        let cleartid = if a.flags & CLONE_CHILD_CLEARTID != 0 { a.child_tid } else { 0 };
        crate::linux::syscall::proc::CLEAR_CHILD_TID.with(|c| c.set(cleartid));
        return 0;
    }
    if a.flags & CLONE_PARENT_SETTID != 0 {
        let _ = write_guest(a.parent_tid, &(pid as u32).to_le_bytes());
    }
    if a.flags & CLONE_PIDFD != 0 {
        // SAFETY: pidfd_open on the child we just created.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd >= 0 {
            let _ = write_guest(a.pidfd, &(fd as u32).to_le_bytes());
        }
    }
    if pipe[1] >= 0 {
        // SAFETY: our descriptors; read blocks until the child execs or exits (end-of-file).
        unsafe {
            libc::close(pipe[1]);
            let mut b = 0u8;
            while libc::read(pipe[0], &mut b as *mut u8 as *mut libc::c_void, 1) < 0
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
            {}
            libc::close(pipe[0]);
        }
    }
    i64::from(pid)
}

/// Longest argument or environment string (MAX_ARG_STRLEN: 32 pages).
const MAX_ARG_STRLEN: usize = 32 * 4096;
/// Most strings we accept in argv + envp (the kernel's limit is the stack rlimit; past this
/// many, E2BIG).
const MAX_ARG_STRINGS: usize = 1 << 20;

/// Read a NULL-terminated guest array of string pointers (argv/envp); NULL is an empty array.
fn read_strv(addr: u64) -> Result<Vec<Vec<u8>>, i64> {
    let mut v = Vec::new();
    if addr == 0 {
        return Ok(v);
    }
    loop {
        let ptr = u64::from_le_bytes(read_guest::<8>(addr.wrapping_add(8 * v.len() as u64))?);
        if ptr == 0 {
            return Ok(v);
        }
        if v.len() >= MAX_ARG_STRINGS {
            return Err(-(libc::E2BIG as i64));
        }
        let (s, complete) = read_cstr(ptr, MAX_ARG_STRLEN)?;
        if !complete {
            return Err(-(libc::E2BIG as i64));
        }
        v.push(s);
    }
}

/// How a program is to be executed.
#[derive(Debug, PartialEq, Eq)]
enum Plan {
    /// The host kernel executes the guest's request as it is.
    Host,
    /// Run `program` under this emulator with this argv.
    Emulate { program: Vec<u8>, argv: Vec<Vec<u8>> },
}

/// BINPRM_BUF_SIZE: how much of a file the kernel looks at to choose a binary format.
const BINPRM_BUF_SIZE: usize = 256;
/// Interpreter rewrites the kernel allows (exec_binprm: depth > 5 is ELOOP).
const MAX_INTERP_DEPTH: usize = 5;

/// e_ident and e_machine of an aarch64 ELF that this emulator loads.
fn is_aarch64_elf(buf: &[u8]) -> bool {
    buf.len() >= 20
        && buf[..4] == *b"\x7fELF"
        && buf[4] == 2 // ELFCLASS64
        && buf[5] == 1 // ELFDATA2LSB
        && u16::from_le_bytes([buf[18], buf[19]]) == 183 // EM_AARCH64
}

/// A `#!` line as fs/binfmt_script.c parses it: (interpreter, optional argument), or None when
/// the script handler would not take the file (ENOEXEC from it).
fn parse_shebang(buf: &[u8]) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    if buf.len() < 2 || &buf[..2] != b"#!" {
        return None;
    }
    let tabspc = |c: u8| c == b' ' || c == b'\t';
    let terminator = |c: u8| c == b' ' || c == b'\t' || c == 0;
    // The kernel's buffer is zero-filled past the end of a short file.
    let mut b = buf.to_vec();
    b.resize(BINPRM_BUF_SIZE, 0);
    let mut end = match b.iter().position(|&c| c == b'\n') {
        Some(i) => i,
        None => {
            let first = (2..b.len()).find(|&i| !tabspc(b[i]))?;
            // No later space, tab or NUL: the interpreter name is truncated.
            (first..b.len()).find(|&i| terminator(b[i]))?;
            b.len()
        }
    };
    while end > 2 && tabspc(b[end - 1]) {
        end -= 1;
    }
    let name_start = (2..end).find(|&i| !tabspc(b[i]))?;
    let sep = (name_start..end).find(|&i| terminator(b[i]));
    let name_end = sep.unwrap_or(end);
    let name = b[name_start..name_end].to_vec();
    // Everything up to the first NUL belongs to the name (`*i_sep = '\0'` ends the string).
    let arg = match sep {
        Some(s) if b[s] != 0 => (s..end).find(|&i| !tabspc(b[i])).map(|a| {
            let raw = &b[a..end];
            raw[..raw.iter().position(|&c| c == 0).unwrap_or(raw.len())].to_vec()
        }),
        _ => None,
    };
    Some((name, arg))
}

/// The checks of open_exec (do_open_execat) on an opened file: regular, executable by our
/// effective ids, not on a noexec mount.
fn check_exec(fd: i32) -> Result<(), i64> {
    // SAFETY: fstat/fstatvfs into local structs; faccessat on a C string.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0 {
            return Err(errno());
        }
        if st.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Err(-(libc::EACCES as i64));
        }
        let mut vfs: libc::statvfs = std::mem::zeroed();
        if libc::fstatvfs(fd, &mut vfs) == 0 && vfs.f_flag & libc::ST_NOEXEC != 0 {
            return Err(-(libc::EACCES as i64));
        }
        // The kernel's own permission check, on the descriptor itself (faccessat2 with
        // AT_EMPTY_PATH, Linux >= 5.8); else through /proc; without either (a chroot with no
        // /proc mounted), from the mode bits for our effective ids.
        let r =
            libc::syscall(libc::SYS_faccessat2, fd, c"".as_ptr(), libc::X_OK, libc::AT_EACCESS | libc::AT_EMPTY_PATH);
        if r == 0 {
            return Ok(());
        }
        let e = errno();
        if e == -(libc::EACCES as i64) || e == -(libc::EPERM as i64) {
            return Err(e);
        }
        let proc_path = CString::new(format!("/proc/self/fd/{fd}")).map_err(|_| EINVAL)?;
        if libc::faccessat(libc::AT_FDCWD, proc_path.as_ptr(), libc::X_OK, libc::AT_EACCESS) == 0 {
            return Ok(());
        }
        let e = errno();
        if e == -(libc::EACCES as i64) {
            return Err(e);
        }
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0 {
            return Err(errno());
        }
        let (uid, gid) = (libc::geteuid(), libc::getegid());
        let m = st.st_mode;
        let ok = if uid == 0 {
            m & 0o111 != 0
        } else if st.st_uid == uid {
            m & 0o100 != 0
        } else if st.st_gid == gid {
            m & 0o010 != 0
        } else {
            m & 0o001 != 0
        };
        if !ok {
            return Err(-(libc::EACCES as i64));
        }
    }
    Ok(())
}

/// Open `path` (relative to `dirfd`) as execve would, and read its first bytes. `Ok(None)`
/// when it is executable but unreadable (execute-only): only the host kernel can run it.
fn open_exec(dirfd: i32, path: &[u8], nofollow: bool) -> Result<Option<(i32, Vec<u8>)>, i64> {
    let c = CString::new(path).map_err(|_| EFAULT)?;
    let (at, c) = if path.is_empty() {
        // AT_EMPTY_PATH: the descriptor itself (reopened, it may be O_PATH).
        (libc::AT_FDCWD, CString::new(format!("/proc/self/fd/{dirfd}")).map_err(|_| EINVAL)?)
    } else {
        (dirfd, c)
    };
    let flags = libc::O_RDONLY | libc::O_CLOEXEC | if nofollow { libc::O_NOFOLLOW } else { 0 };
    // SAFETY: openat on a C string.
    let fd = unsafe { libc::openat(at, c.as_ptr(), flags) };
    if fd < 0 {
        let e = errno();
        if e != -(libc::EACCES as i64) {
            return Err(e);
        }
        // Unreadable: executable? (O_PATH opens without read permission.)
        // SAFETY: as above.
        let pfd = unsafe { libc::openat(at, c.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
        if pfd < 0 {
            return Err(errno());
        }
        let r = check_exec(pfd);
        // SAFETY: our descriptor.
        unsafe { libc::close(pfd) };
        return r.map(|()| None);
    }
    if let Err(e) = check_exec(fd) {
        // SAFETY: our descriptor.
        unsafe { libc::close(fd) };
        return Err(e);
    }
    let mut buf = vec![0u8; BINPRM_BUF_SIZE];
    // SAFETY: pread into our buffer.
    let n = unsafe { libc::pread(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len(), 0) };
    if n < 0 {
        let e = errno();
        // SAFETY: our descriptor.
        unsafe { libc::close(fd) };
        return Err(e);
    }
    buf.truncate(n as usize);
    Ok(Some((fd, buf)))
}

fn close(fd: i32) {
    // SAFETY: a descriptor this module opened.
    unsafe { libc::close(fd) };
}

/// Decide how to run `filename` (already opened as `first`) with `argv`, following `#!`
/// interpreters like the kernel. `Ok((plan, fd))`: `fd` is the opened program of an Emulate
/// plan when its name only makes sense while that descriptor is open (`/dev/fd/N` names).
fn plan(filename: &[u8], first: Option<(i32, Vec<u8>)>, argv: Vec<Vec<u8>>) -> Result<(Plan, Option<i32>), i64> {
    let (mut name, mut opened, mut argv) = (filename.to_vec(), first, argv);
    for depth in 0..=MAX_INTERP_DEPTH {
        let Some((fd, buf)) = opened.take() else { return Ok((Plan::Host, None)) };
        if is_aarch64_elf(&buf) {
            return Ok((Plan::Emulate { program: name, argv }, Some(fd)));
        }
        close(fd);
        let Some((interp, arg)) = parse_shebang(&buf) else { return Ok((Plan::Host, None)) };
        if depth == MAX_INTERP_DEPTH {
            return Err(-(libc::ELOOP as i64));
        }
        // A script named through a close-on-exec descriptor cannot be reopened by its
        // interpreter (BINPRM_FLAGS_PATH_INACCESSIBLE).
        if let Some(n) = name.strip_prefix(b"/dev/fd/") {
            let num: Vec<u8> = n.iter().copied().take_while(u8::is_ascii_digit).collect();
            let fdn: i32 = std::str::from_utf8(&num).ok().and_then(|s| s.parse().ok()).unwrap_or(-1);
            // SAFETY: F_GETFD on a number.
            if unsafe { libc::fcntl(fdn, libc::F_GETFD) } & libc::FD_CLOEXEC != 0 {
                return Err(-(libc::ENOENT as i64));
            }
        }
        let mut next = vec![interp.clone()];
        next.extend(arg);
        next.push(name);
        next.extend(argv.into_iter().skip(1));
        argv = next;
        opened = open_exec(libc::AT_FDCWD, &interp, false)?;
        name = interp;
    }
    Err(-(libc::ELOOP as i64))
}

/// `-d` items in effect, for the new emulator's command line.
fn log_items(l: &crate::config::LogItems) -> Option<String> {
    let items: Vec<&str> = [(l.unimp, "unimp"), (l.strace, "strace"), (l.in_asm, "in_asm"), (l.out_asm, "out_asm")]
        .iter()
        .filter(|(on, _)| *on)
        .map(|&(_, n)| n)
        .collect();
    (!items.is_empty()).then(|| items.join(","))
}

/// The new emulator's argv: options in effect, `-0 argv0`, `--`, program, argv[1..].
fn emulator_argv(cfg: &crate::config::Config, program: &[u8], argv: &[Vec<u8>]) -> Vec<OsString> {
    let mut v: Vec<OsString> = vec!["qemu-aarch64-lite".into()];
    if let Some(l) = &cfg.ld_prefix {
        v.extend(["-L".into(), l.clone().into_os_string()]);
    }
    if cfg.stack_size != crate::config::DEFAULT_STACK_SIZE && cfg.stack_size != 0 {
        v.extend(["-s".into(), cfg.stack_size.to_string().into()]);
    }
    if let Some(r) = &cfg.uname_release {
        v.extend(["-r".into(), r.into()]);
    }
    if let Some(d) = log_items(&cfg.log) {
        v.extend(["-d".into(), d.into()]);
    }
    if let Some(f) = &cfg.log_file {
        v.extend(["-D".into(), f.clone().into_os_string()]);
    }
    if cfg.perfmap {
        v.push("-perfmap".into());
    }
    if let Some(l) = crate::config::format_rlimits(&super::sys::virtual_limits()) {
        v.extend(["-rlimits".into(), l.into()]);
    }
    // An empty argv becomes [""] (Linux >= 5.18 does the same for any program).
    let argv0 = argv.first().cloned().unwrap_or_default();
    v.extend(["-0".into(), OsString::from_vec(argv0), "--".into(), OsStr::from_bytes(program).to_os_string()]);
    v.extend(argv.iter().skip(1).map(|a| OsString::from_vec(a.clone())));
    v
}

/// Host signal state before an execve: see the module comment.
struct SavedSignals {
    mask: libc::sigset_t,
    actions: Vec<(i32, libc::sigaction)>,
}

/// Signals the new emulator must receive for its own fault handling.
const SYNC_SIGNALS: [i32; 5] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE, libc::SIGTRAP];

fn signals_for_exec(p: &Thread, emulator: bool) -> SavedSignals {
    let ignored: Vec<bool> = {
        let acts = p.sigactions();
        (0..acts.len()).map(|s| acts[s].handler == libc::SIG_IGN as u64).collect()
    };
    // SAFETY: sigaction/pthread_sigmask on local, initialised structures.
    unsafe {
        let mut saved = SavedSignals { mask: std::mem::zeroed(), actions: Vec::new() };
        for sig in 1..=crate::linux::NSIG as i32 {
            if sig == libc::SIGKILL || sig == libc::SIGSTOP || sig == 32 || sig == 33 {
                continue;
            }
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction =
                if ignored.get(sig as usize).copied().unwrap_or(false) { libc::SIG_IGN } else { libc::SIG_DFL };
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, &sa, &mut old) == 0 {
                saved.actions.push((sig, old));
            }
        }
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in 1..=crate::linux::NSIG as i32 {
            if p.sigmask & (1u64 << (sig - 1)) != 0 && !(emulator && SYNC_SIGNALS.contains(&sig)) {
                libc::sigaddset(&mut set, sig);
            }
        }
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, &mut saved.mask);
        saved
    }
}

fn restore_signals(s: SavedSignals) {
    // SAFETY: restoring what `signals_for_exec` saved.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, &s.mask, std::ptr::null_mut());
        for (sig, old) in s.actions {
            libc::sigaction(sig, &old, std::ptr::null_mut());
        }
    }
}

fn cstrings(v: &[OsString]) -> Result<Vec<CString>, i64> {
    v.iter().map(|s| CString::new(s.as_bytes()).map_err(|_| EINVAL)).collect()
}

/// Replace this process by the emulator running `program` with `argv`, `envp`.
fn exec_emulator(p: &Thread, program: &[u8], argv: &[Vec<u8>], envp: &[Vec<u8>]) -> i64 {
    let args = match cstrings(&emulator_argv(&p.cfg, program, argv)) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let env = match envp.iter().map(|e| CString::new(e.as_slice()).map_err(|_| EINVAL)).collect::<Result<Vec<_>, _>>() {
        Ok(e) => e,
        Err(e) => return e,
    };
    let mut argp: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argp.push(std::ptr::null());
    let mut envpp: Vec<*const libc::c_char> = env.iter().map(|a| a.as_ptr()).collect();
    envpp.push(std::ptr::null());
    let me = &p.self_exe;
    let saved = signals_for_exec(p, true);
    let mut r = -(libc::ENOENT as i64);
    if let Some(fd) = me.fd().filter(|_| me.fd_valid()) {
        // SAFETY: NULL-terminated arrays of C strings that outlive the call.
        unsafe {
            libc::syscall(libc::SYS_execveat, fd, c"".as_ptr(), argp.as_ptr(), envpp.as_ptr(), libc::AT_EMPTY_PATH)
        };
        r = errno();
    }
    if let Some(path) = &me.path {
        if let Ok(c) = CString::new(path.as_os_str().as_bytes()) {
            // SAFETY: as above.
            unsafe { libc::execve(c.as_ptr(), argp.as_ptr(), envpp.as_ptr()) };
            r = errno();
        }
    }
    if !me.fd_valid() && me.path.is_none() {
        // We cannot name our own binary (no /proc in a chroot or container, where binfmt_misc's
        // F flag started us): let the host kernel run the program, as qemu-user does; the
        // registered binfmt handler (us) takes it from there.
        let gargs: Result<Vec<CString>, _> = argv.iter().map(|a| CString::new(a.as_slice())).collect();
        if let (Ok(prog), Ok(gargs)) = (CString::new(program), gargs) {
            let mut gp: Vec<*const libc::c_char> = gargs.iter().map(|a| a.as_ptr()).collect();
            gp.push(std::ptr::null());
            // SAFETY: NULL-terminated arrays of C strings that outlive the call.
            unsafe { libc::execve(prog.as_ptr(), gp.as_ptr(), envpp.as_ptr()) };
            r = errno();
        }
    }
    restore_signals(saved);
    r
}

/// execve and execveat: `host` is the host call with the guest's own arguments (Host plans).
fn execve(
    p: &mut Thread,
    dirfd: i32,
    a_path: u64,
    a_argv: u64,
    a_envp: u64,
    flags: i32,
    host: impl Fn() -> i64,
) -> i64 {
    if flags & !(libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW) != 0 {
        return EINVAL;
    }
    let path = match read_cstr(a_path, libc::PATH_MAX as usize) {
        Ok((p, true)) => p,
        Ok((_, false)) => return -(libc::ENAMETOOLONG as i64),
        Err(e) => return e,
    };
    if path.is_empty() && flags & libc::AT_EMPTY_PATH == 0 {
        return -(libc::ENOENT as i64);
    }
    let (argv, envp) = match (read_strv(a_argv), read_strv(a_envp)) {
        (Ok(a), Ok(e)) => (a, e),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    // /proc/self/exe and its spellings name the guest program, not this emulator.
    let (dirfd, path) = match crate::linux::procfs::exe_link(p, dirfd, &path) {
        Some(exe) => (libc::AT_FDCWD, exe.as_os_str().as_bytes().to_vec()),
        None => (dirfd, path),
    };
    // The name the kernel gives the program (bprm->filename).
    let filename = if path.first() == Some(&b'/') || dirfd == libc::AT_FDCWD {
        path.clone()
    } else if path.is_empty() {
        format!("/dev/fd/{dirfd}").into_bytes()
    } else {
        let mut f = format!("/dev/fd/{dirfd}/").into_bytes();
        f.extend_from_slice(&path);
        f
    };
    let first = match open_exec(dirfd, &path, flags & libc::AT_SYMLINK_NOFOLLOW != 0) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let (plan, fd) = match plan(&filename, first, argv) {
        Ok(x) => x,
        Err(e) => return e,
    };
    match plan {
        Plan::Host => {
            let saved = signals_for_exec(p, false);
            let r = host();
            restore_signals(saved);
            r
        }
        Plan::Emulate { program, argv } => {
            // A /dev/fd name is usable by the new emulator only through a descriptor that
            // survives exec: our own opening of the program, inherited.
            let program = match (program.starts_with(b"/dev/fd/"), fd) {
                (true, Some(fd)) => {
                    // SAFETY: clearing close-on-exec on our own descriptor.
                    unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
                    format!("/proc/self/fd/{fd}").into_bytes()
                }
                _ => {
                    if let Some(fd) = fd {
                        close(fd);
                    }
                    program
                }
            };
            let r = exec_emulator(p, &program, &argv, &envp);
            if let Some(fd) = fd.filter(|_| program.starts_with(b"/proc/self/fd/")) {
                close(fd);
            }
            r
        }
    }
}

fn sys_execve(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    execve(p, libc::AT_FDCWD, a[0], a[1], a[2], 0, || super::host6(libc::SYS_execve, a))
}

fn sys_execveat(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    execve(p, a[0] as i32, a[1], a[2], a[3], a[4] as i32, || super::host6(libc::SYS_execveat, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<Vec<u8>> {
        s.iter().map(|x| x.as_bytes().to_vec()).collect()
    }

    #[test]
    fn shebang_parsing_follows_binfmt_script() {
        assert_eq!(parse_shebang(b"#!/bin/sh\necho"), Some((b"/bin/sh".to_vec(), None)));
        assert_eq!(parse_shebang(b"#! /bin/sh  -e -x \t\nx"), Some((b"/bin/sh".to_vec(), Some(b"-e -x".to_vec()))));
        assert_eq!(
            parse_shebang(b"#!/usr/bin/env\tpython3\n"),
            Some((b"/usr/bin/env".to_vec(), Some(b"python3".to_vec())))
        );
        // A short file without a newline: the zero fill terminates the name.
        assert_eq!(parse_shebang(b"#!/bin/x"), Some((b"/bin/x".to_vec(), None)));
        assert_eq!(parse_shebang(b"#!   \n"), None);
        assert_eq!(parse_shebang(b"#!\n"), None);
        assert_eq!(parse_shebang(b"\x7fELF"), None);
        // No newline within the buffer and no terminator: a truncated name.
        let long = [b"#!/".as_slice(), &[b'a'; 300]].concat();
        assert_eq!(parse_shebang(&long[..256]), None);
    }

    #[test]
    fn elf_recognition() {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[18] = 183;
        assert!(is_aarch64_elf(&h));
        h[18] = 62; // EM_X86_64
        assert!(!is_aarch64_elf(&h));
        h[18] = 183;
        h[4] = 1; // ELFCLASS32 (arm64 ILP32)
        assert!(!is_aarch64_elf(&h));
        assert!(!is_aarch64_elf(b"#!/bin/sh"));
    }

    #[test]
    fn emulator_command_line() {
        let cfg = crate::config::Config {
            ld_prefix: Some("/sr".into()),
            stack_size: 1 << 20,
            log: crate::config::LogItems { strace: true, unimp: true, ..Default::default() },
            log_file: Some("/tmp/l".into()),
            ..Default::default()
        };
        let got = emulator_argv(&cfg, b"-prog", &v(&["zero", "a", "-h"]));
        let want: Vec<OsString> = [
            "qemu-aarch64-lite",
            "-L",
            "/sr",
            "-s",
            "1048576",
            "-d",
            "unimp,strace",
            "-D",
            "/tmp/l",
            "-0",
            "zero",
            "--",
        ]
        .iter()
        .chain(["-prog", "a", "-h"].iter())
        .map(OsString::from)
        .collect();
        assert_eq!(got, want);
        // The command line parses back to the same guest program, argv and options.
        let env: Vec<(OsString, OsString)> = vec![("QEMU_ARGV0".into(), "other".into())];
        let Ok(crate::config::Command::Run(c)) = crate::config::parse(&got, &env) else { panic!() };
        assert_eq!(c.program, PathBuf::from("-prog"));
        assert_eq!(c.argv, ["zero", "a", "-h"].map(OsString::from).to_vec());
        assert_eq!(
            (c.ld_prefix, c.stack_size, c.log, c.log_file),
            (cfg.ld_prefix, cfg.stack_size, cfg.log, cfg.log_file)
        );
        let empty = emulator_argv(&crate::config::Config::default(), b"p", &[]);
        assert_eq!(empty, ["qemu-aarch64-lite", "-0", "", "--", "p"].map(OsString::from).to_vec());
    }

    #[test]
    fn plans_follow_interpreters() {
        let dir = std::env::temp_dir().join(format!("qal-exec-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, body: &[u8], mode: u32| {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.join(name);
            std::fs::write(&p, body).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            p.into_os_string().into_vec()
        };
        let mut elf = vec![0u8; 64];
        elf[..6].copy_from_slice(b"\x7fELF\x02\x01");
        elf[18] = 183;
        let prog = write("prog", &elf, 0o755);
        let script = write("script", &[b"#!".as_slice(), &prog, b" -x\n"].concat(), 0o755);
        let outer = write("outer", &[b"#!".as_slice(), &script, b"\n"].concat(), 0o755);
        let native = write("native", b"#!/bin/sh\n", 0o755);
        let noexec = write("noexec", &elf, 0o644);
        let run = |path: &[u8], argv: &[&str]| {
            let first = open_exec(libc::AT_FDCWD, path, false)?;
            plan(path, first, v(argv)).map(|(p, fd)| {
                if let Some(fd) = fd {
                    close(fd);
                }
                p
            })
        };
        assert_eq!(run(&prog, &["p", "1"]), Ok(Plan::Emulate { program: prog.clone(), argv: v(&["p", "1"]) }));
        let s = |b: &Vec<u8>| String::from_utf8(b.clone()).unwrap();
        assert_eq!(
            run(&script, &["s", "1"]),
            Ok(Plan::Emulate { program: prog.clone(), argv: v(&[&s(&prog), "-x", &s(&script), "1"]) })
        );
        assert_eq!(
            run(&outer, &["o"]),
            Ok(Plan::Emulate { program: prog.clone(), argv: v(&[&s(&prog), "-x", &s(&script), &s(&outer)]) })
        );
        assert_eq!(run(&native, &["n"]), Ok(Plan::Host));
        assert_eq!(run(b"/bin/true", &["t"]), Ok(Plan::Host));
        assert_eq!(run(b"/nonexistent/x", &[]), Err(-(libc::ENOENT as i64)));
        assert_eq!(run(b"/tmp", &[]), Err(-(libc::EACCES as i64)));
        // Root may execute anything with an x bit; without any, EACCES for everyone.
        assert_eq!(run(&noexec, &[]), Err(-(libc::EACCES as i64)));
        let missing = write("missing", b"#!/nonexistent/interp\n", 0o755);
        assert_eq!(run(&missing, &[]), Err(-(libc::ENOENT as i64)));
        let looped = write("loop", &[b"#!".as_slice(), dir.join("loop").as_os_str().as_bytes(), b"\n"].concat(), 0o755);
        assert_eq!(run(&looped, &[]), Err(-(libc::ELOOP as i64)));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
