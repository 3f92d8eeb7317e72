//! File-system syscalls: openat/openat2, stat family, directories, links, permissions,
//! times, truncate/fallocate, sync family, cwd, xattrs, chroot and mounts, file handles.
//!
//! Invariants: paths are guest pointers handed to the host kernel unchanged (guest addr ==
//! host addr), except the few that the emulator answers itself: open, stat, access and readlink
//! of `/proc/self/exe` name the guest program, and open of `/proc/self/auxv` and `/proc/cpuinfo`
//! gives the guest's view ([`procfs`]). `struct stat` is converted
//! (abi::GuestStat); statx, statfs, linux_dirent64 have the same layout on both sides.
//! open flags are translated both ways with [`abi::oflags_to_host`]. With a sysroot (`-L`), the
//! absolute paths of openat/openat2, newfstatat, statx, statfs, readlinkat, faccessat/faccessat2
//! and the xattr queries are looked up under it first ([`path::with_guest_path`]).

use super::{host6, pass, read_cstr, read_guest_vec, row, write_guest, Arg, Syscall, EINVAL};
use crate::cpu::CpuState;
use crate::linux::abi::{self, GuestStat};
use crate::linux::syscall::nr;
use crate::linux::{path, procfs, Thread};
use std::os::unix::ffi::OsStrExt;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::OPENAT, "openat", sys_openat, &[Dirfd, Str, OFlags, Oct]),
    // Mounts and the root: paths and options pass as they are (the mount data is the file
    // system's own text or structure, the same on both sides).
    row(nr::CHROOT, "chroot", sys_chroot, &[Str]),
    row(nr::MOUNT, "mount", sys_mount, &[Str, Str, Str, Hex, Ptr]),
    row(nr::UMOUNT2, "umount2", sys_umount2, &[Str, Hex]),
    row(nr::PIVOT_ROOT, "pivot_root", sys_pivot_root, &[Str, Str]),
    // struct file_handle (u32 handle_bytes, int handle_type, bytes) is the same on both sides.
    row(nr::NAME_TO_HANDLE_AT, "name_to_handle_at", sys_name_to_handle_at, &[Dirfd, Str, Ptr, Ptr, Hex]),
    row(nr::OPEN_BY_HANDLE_AT, "open_by_handle_at", sys_open_by_handle_at, &[Fd, Ptr, OFlags]),
    row(nr::OPENAT2, "openat2", sys_openat2, &[Dirfd, Str, Ptr, Int]),
    row(nr::FSTAT, "fstat", sys_fstat, &[Fd, Ptr]),
    row(nr::NEWFSTATAT, "newfstatat", sys_newfstatat, &[Dirfd, Str, Ptr, Hex]),
    row(nr::STATX, "statx", sys_statx, &[Dirfd, Str, Hex, Hex, Ptr]),
    row(nr::STATFS, "statfs", sys_statfs, &[Str, Ptr]),
    row(nr::FSTATFS, "fstatfs", sys_fstatfs, &[Fd, Ptr]),
    row(nr::GETDENTS64, "getdents64", sys_getdents64, &[Fd, Ptr, Int]),
    row(nr::READLINKAT, "readlinkat", sys_readlinkat, &[Dirfd, Str, Buf, Int]),
    row(nr::FACCESSAT, "faccessat", sys_faccessat, &[Dirfd, Str, Oct]),
    row(nr::FACCESSAT2, "faccessat2", sys_faccessat2, &[Dirfd, Str, Oct, Hex]),
    row(nr::MKDIRAT, "mkdirat", sys_mkdirat, &[Dirfd, Str, Oct]),
    row(nr::MKNODAT, "mknodat", sys_mknodat, &[Dirfd, Str, Oct, Hex]),
    row(nr::UNLINKAT, "unlinkat", sys_unlinkat, &[Dirfd, Str, Hex]),
    row(nr::RENAMEAT, "renameat", sys_renameat, &[Dirfd, Str, Dirfd, Str]),
    row(nr::RENAMEAT2, "renameat2", sys_renameat2, &[Dirfd, Str, Dirfd, Str, Hex]),
    row(nr::SYMLINKAT, "symlinkat", sys_symlinkat, &[Str, Dirfd, Str]),
    row(nr::LINKAT, "linkat", sys_linkat, &[Dirfd, Str, Dirfd, Str, Hex]),
    row(nr::FCHMOD, "fchmod", sys_fchmod, &[Fd, Oct]),
    row(nr::FCHMODAT, "fchmodat", sys_fchmodat, &[Dirfd, Str, Oct]),
    row(nr::FCHOWN, "fchown", sys_fchown, &[Fd, I32, I32]),
    row(nr::FCHOWNAT, "fchownat", sys_fchownat, &[Dirfd, Str, I32, I32, Hex]),
    row(nr::UTIMENSAT, "utimensat", sys_utimensat, &[Dirfd, Str, Ptr, Hex]),
    row(nr::TRUNCATE, "truncate", sys_truncate, &[Str, Int]),
    row(nr::FTRUNCATE, "ftruncate", sys_ftruncate, &[Fd, Int]),
    row(nr::FALLOCATE, "fallocate", sys_fallocate, &[Fd, Hex, Int, Int]),
    row(nr::FADVISE64, "fadvise64", sys_fadvise64, &[Fd, Int, Int, I32]),
    row(nr::READAHEAD, "readahead", sys_readahead, &[Fd, Int, Int]),
    row(nr::FSYNC, "fsync", sys_fsync, &[Fd]),
    row(nr::FDATASYNC, "fdatasync", sys_fdatasync, &[Fd]),
    row(nr::SYNC, "sync", sys_sync, &[]),
    row(nr::SYNCFS, "syncfs", sys_syncfs, &[Fd]),
    row(nr::SYNC_FILE_RANGE, "sync_file_range", sys_sync_file_range, &[Fd, Int, Int, Hex]),
    row(nr::GETCWD, "getcwd", sys_getcwd, &[Buf, Int]),
    row(nr::CHDIR, "chdir", sys_chdir, &[Str]),
    row(nr::FCHDIR, "fchdir", sys_fchdir, &[Fd]),
    row(nr::UMASK, "umask", sys_umask, &[Oct]),
    row(nr::SETXATTR, "setxattr", sys_setxattr, &[Str, Str, Buf, Int, Hex]),
    row(nr::LSETXATTR, "lsetxattr", sys_lsetxattr, &[Str, Str, Buf, Int, Hex]),
    row(nr::FSETXATTR, "fsetxattr", sys_fsetxattr, &[Fd, Str, Buf, Int, Hex]),
    row(nr::GETXATTR, "getxattr", sys_getxattr, &[Str, Str, Buf, Int]),
    row(nr::LGETXATTR, "lgetxattr", sys_lgetxattr, &[Str, Str, Buf, Int]),
    row(nr::FGETXATTR, "fgetxattr", sys_fgetxattr, &[Fd, Str, Buf, Int]),
    row(nr::LISTXATTR, "listxattr", sys_listxattr, &[Str, Buf, Int]),
    row(nr::LLISTXATTR, "llistxattr", sys_llistxattr, &[Str, Buf, Int]),
    row(nr::FLISTXATTR, "flistxattr", sys_flistxattr, &[Fd, Buf, Int]),
    row(nr::REMOVEXATTR, "removexattr", sys_removexattr, &[Str, Str]),
    row(nr::LREMOVEXATTR, "lremovexattr", sys_lremovexattr, &[Str, Str]),
    row(nr::FREMOVEXATTR, "fremovexattr", sys_fremovexattr, &[Fd, Str]),
];

pass! {
    sys_chroot => SYS_chroot;
    sys_mount => SYS_mount;
    sys_umount2 => SYS_umount2;
    sys_pivot_root => SYS_pivot_root;
    sys_name_to_handle_at => SYS_name_to_handle_at;
    sys_open_by_handle_at => SYS_open_by_handle_at;
    sys_fstatfs => SYS_fstatfs;
    sys_mkdirat => SYS_mkdirat;
    sys_mknodat => SYS_mknodat;
    sys_unlinkat => SYS_unlinkat;
    sys_renameat => SYS_renameat;
    sys_renameat2 => SYS_renameat2;
    sys_symlinkat => SYS_symlinkat;
    sys_linkat => SYS_linkat;
    sys_fchmod => SYS_fchmod;
    sys_fchmodat => SYS_fchmodat;
    sys_fchown => SYS_fchown;
    sys_fchownat => SYS_fchownat;
    sys_utimensat => SYS_utimensat;
    sys_truncate => SYS_truncate;
    sys_ftruncate => SYS_ftruncate;
    sys_fallocate => SYS_fallocate;
    sys_fadvise64 => SYS_fadvise64;
    sys_readahead => SYS_readahead;
    sys_fsync => SYS_fsync;
    sys_fdatasync => SYS_fdatasync;
    sys_sync => SYS_sync;
    sys_syncfs => SYS_syncfs;
    sys_sync_file_range => SYS_sync_file_range;
    sys_getcwd => SYS_getcwd;
    sys_chdir => SYS_chdir;
    sys_fchdir => SYS_fchdir;
    sys_umask => SYS_umask;
    sys_setxattr => SYS_setxattr;
    sys_lsetxattr => SYS_lsetxattr;
    sys_fsetxattr => SYS_fsetxattr;
    sys_fgetxattr => SYS_fgetxattr;
    sys_flistxattr => SYS_flistxattr;
    sys_removexattr => SYS_removexattr;
    sys_lremovexattr => SYS_lremovexattr;
    sys_fremovexattr => SYS_fremovexattr;
}

fn sys_openat(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let mut b = a;
    b[2] = u64::from(abi::oflags_to_host(a[2] as u32));
    if let Some(r) = guest_path(a[1]).and_then(|path| procfs::open(p, a[0] as i32, &path, b[2] as i32, a[3] as u32)) {
        return r;
    }
    // (through safe6: opening a FIFO waits for the other end, which a SIGALRM may end)
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), b, 1, |b| super::safe6(libc::SYS_openat, b))
}

fn sys_statfs(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 0, |a| host6(libc::SYS_statfs, a))
}

fn sys_getxattr(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 0, |a| host6(libc::SYS_getxattr, a))
}

fn sys_lgetxattr(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 0, |a| host6(libc::SYS_lgetxattr, a))
}

fn sys_listxattr(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 0, |a| host6(libc::SYS_listxattr, a))
}

fn sys_llistxattr(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 0, |a| host6(libc::SYS_llistxattr, a))
}

/// The guest path at `addr` for the /proc hooks (`None` if unreadable: the host reports it).
fn guest_path(addr: u64) -> Option<Vec<u8>> {
    read_cstr(addr, libc::PATH_MAX as usize).ok().filter(|(_, complete)| *complete).map(|(p, _)| p)
}

/// When the (dirfd, path) arguments at `a[0]`, `a[1]` name our `/proc/.../exe` link and the call
/// follows it: the arguments with the guest program's path instead (kept alive by the CString).
fn redirect_exe(p: &Thread, a: [u64; 6]) -> Option<(std::ffi::CString, [u64; 6])> {
    let path = guest_path(a[1])?;
    let exe = procfs::exe_link(p, a[0] as i32, &path)?;
    let c = std::ffi::CString::new(exe.as_os_str().as_bytes()).ok()?;
    let mut b = a;
    b[0] = libc::AT_FDCWD as u64;
    b[1] = c.as_ptr() as u64;
    Some((c, b))
}

/// `struct open_how` (linux/openat2.h): u64 flags, u64 mode, u64 resolve; `size` may be larger
/// (extension fields, which must be zero: the host kernel checks them in our copy).
const OPEN_HOW_SIZE_VER0: u64 = 24;
/// Largest `size` the kernel accepts is a page (copy_struct_from_user + PAGE_SIZE check).
const OPEN_HOW_MAX: u64 = 4096;

fn sys_openat2(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let size = a[3];
    if size < OPEN_HOW_SIZE_VER0 {
        return EINVAL;
    }
    if size > OPEN_HOW_MAX {
        return -(libc::E2BIG as i64);
    }
    let mut how = match read_guest_vec(a[2], size as usize) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let flags = u64::from_le_bytes(how[0..8].try_into().unwrap_or([0; 8]));
    // Upper bits are kept as they are so that the kernel still rejects them (EINVAL).
    let host = (flags & !0xffff_ffff) | u64::from(abi::oflags_to_host(flags as u32));
    how[0..8].copy_from_slice(&host.to_le_bytes());
    // RESOLVE_* restrictions (how.resolve) are the host's to apply to the real /proc.
    let resolve = u64::from_le_bytes(how[16..24].try_into().unwrap_or([0; 8]));
    let mode = u64::from_le_bytes(how[8..16].try_into().unwrap_or([0; 8]));
    if resolve == 0 && host >> 32 == 0 {
        if let Some(r) = guest_path(a[1]).and_then(|path| procfs::open(p, a[0] as i32, &path, host as i32, mode as u32))
        {
            return r;
        }
    }
    let b = [a[0], a[1], how.as_ptr() as u64, size, 0, 0];
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), b, 1, |b| host6(libc::SYS_openat2, b))
}

fn put_stat(addr: u64, st: &libc::stat) -> i64 {
    match write_guest(addr, &GuestStat::from(st).to_bytes()) {
        Ok(()) => 0,
        Err(e) => e,
    }
}

/// getdents64: the host's entries, less the emulator's own descriptor for re-executing
/// itself (`SelfExe`, a high number) when the directory is this process's /proc/<pid>/fd
/// (or a task's): the guest never opened it, and programs that list their descriptors
/// (to close them, or to check for leaks) should not meet it.
fn sys_getdents64(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    loop {
        let n = host6(libc::SYS_getdents64, a);
        let Some(hide) = p.self_exe.hidden_fd().filter(|_| n > 0) else { return n };
        // SAFETY: the host kernel has just written `n` bytes of dirents at a[1] (guest address
        // == host address), memory the guest lent us and no Rust reference covers.
        let buf = unsafe { std::slice::from_raw_parts_mut(a[1] as *mut u8, n as usize) };
        let Some((at, len)) = find_dirent(buf, hide.to_string().as_bytes()) else { return n };
        if !crate::linux::procfs::is_our_fd_dir(a[0] as i32) {
            return n;
        }
        buf.copy_within(at + len.., at);
        let left = n as usize - len;
        if left > 0 {
            return left as i64;
        }
        // that entry was the whole batch: 0 would mean the end, so read on
    }
}

/// The offset and length of the `linux_dirent64` named `name` in `buf`.
fn find_dirent(buf: &[u8], name: &[u8]) -> Option<(usize, usize)> {
    let mut off = 0;
    while off + 19 <= buf.len() {
        let reclen = u16::from_ne_bytes([buf[off + 16], buf[off + 17]]) as usize;
        if reclen < 19 || off + reclen > buf.len() {
            return None;
        }
        let d_name = &buf[off + 19..off + reclen];
        let end = d_name.iter().position(|&b| b == 0).unwrap_or(d_name.len());
        if &d_name[..end] == name {
            return Some((off, reclen));
        }
        off += reclen;
    }
    None
}

fn sys_fstat(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    // SAFETY: libc::stat is plain data; the host kernel fills it.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let r = host6(libc::SYS_fstat, [a[0], &mut st as *mut libc::stat as u64, 0, 0, 0, 0]);
    if r < 0 {
        return r;
    }
    put_stat(a[1], &st)
}

fn sys_newfstatat(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[3] & libc::AT_SYMLINK_NOFOLLOW as u64 == 0 {
        if let Some((_keep, b)) = redirect_exe(p, a) {
            return newfstatat(b);
        }
    }
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 1, newfstatat)
}

fn sys_statx(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[2] & libc::AT_SYMLINK_NOFOLLOW as u64 == 0 {
        if let Some((_keep, b)) = redirect_exe(p, a) {
            return host6(libc::SYS_statx, b);
        }
    }
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 1, |a| host6(libc::SYS_statx, a))
}

fn sys_faccessat(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    match redirect_exe(p, a) {
        Some((_keep, b)) => host6(libc::SYS_faccessat, b),
        None => path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 1, |a| host6(libc::SYS_faccessat, a)),
    }
}

fn sys_faccessat2(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[3] & libc::AT_SYMLINK_NOFOLLOW as u64 == 0 {
        if let Some((_keep, b)) = redirect_exe(p, a) {
            return host6(libc::SYS_faccessat2, b);
        }
    }
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 1, |a| host6(libc::SYS_faccessat2, a))
}

fn newfstatat(a: [u64; 6]) -> i64 {
    // SAFETY: libc::stat is plain data; the host kernel fills it.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let r = host6(libc::SYS_newfstatat, [a[0], a[1], &mut st as *mut libc::stat as u64, a[3], 0, 0]);
    if r < 0 {
        return r;
    }
    put_stat(a[2], &st)
}

fn sys_readlinkat(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let (path, _) = match read_cstr(a[1], libc::PATH_MAX as usize) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if procfs::exe_link(p, a[0] as i32, &path).is_some() {
        let bufsiz = a[3] as i32;
        if bufsiz <= 0 {
            return EINVAL;
        }
        let target = p.exe_path.as_os_str().as_bytes();
        let n = target.len().min(bufsiz as usize);
        return match write_guest(a[2], &target[..n]) {
            Ok(()) => n as i64,
            Err(e) => e,
        };
    }
    path::with_guest_path(p.cfg.ld_prefix.as_deref(), a, 1, |a| host6(libc::SYS_readlinkat, a))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dirents_are_found_by_name() {
        // two records: "10" (reclen 24) and "512" (reclen 24)
        let mut buf = Vec::new();
        for name in [&b"10"[..], b"512"] {
            let mut rec = vec![0u8; 24];
            rec[16..18].copy_from_slice(&24u16.to_ne_bytes());
            rec[19..19 + name.len()].copy_from_slice(name);
            buf.extend(rec);
        }
        assert_eq!(find_dirent(&buf, b"512"), Some((24, 24)));
        assert_eq!(find_dirent(&buf, b"10"), Some((0, 24)));
        assert_eq!(find_dirent(&buf, b"51"), None);
        assert_eq!(find_dirent(&buf[..30], b"512"), None);
    }

    use super::*;

    #[test]
    fn newfstatat_converts() {
        let path = c"/";
        let mut out = [0xaau8; 128];
        let r = newfstatat([libc::AT_FDCWD as u64, path.as_ptr() as u64, out.as_mut_ptr() as u64, 0, 0, 0]);
        assert_eq!(r, 0);
        let mode = u32::from_le_bytes(out[16..20].try_into().unwrap());
        assert_eq!(mode & libc::S_IFMT, libc::S_IFDIR);
        let nlink = u32::from_le_bytes(out[20..24].try_into().unwrap());
        assert!(nlink >= 2);
        // Bad output pointer: EFAULT, not a crash.
        let r = newfstatat([libc::AT_FDCWD as u64, path.as_ptr() as u64, 16, 0, 0, 0]);
        assert_eq!(r, super::super::EFAULT);
        // Missing file: ENOENT from the host.
        let r =
            newfstatat([libc::AT_FDCWD as u64, c"/nonexistent-x".as_ptr() as u64, out.as_mut_ptr() as u64, 0, 0, 0]);
        assert_eq!(r, -(libc::ENOENT as i64));
    }

    #[test]
    fn readlink_self_exe_and_open_flags() {
        let mut p = crate::linux::syscall::test_process();
        let mut c = CpuState::new();
        let mut buf = [0u8; 64];
        let a = [libc::AT_FDCWD as u64, c"/proc/self/exe".as_ptr() as u64, buf.as_mut_ptr() as u64, 64, 0, 0];
        assert_eq!(sys_readlinkat(&mut p, &mut c, a), 15);
        assert_eq!(&buf[..15], b"/opt/guest/prog");
        let a = [libc::AT_FDCWD as u64, c"/proc/self/exe".as_ptr() as u64, buf.as_mut_ptr() as u64, 4, 0, 0];
        assert_eq!(sys_readlinkat(&mut p, &mut c, a), 4, "truncated like readlink");
        let a = [libc::AT_FDCWD as u64, 8, buf.as_mut_ptr() as u64, 64, 0, 0];
        assert_eq!(sys_readlinkat(&mut p, &mut c, a), super::super::EFAULT);
        // openat with the guest's O_DIRECTORY on a regular file: ENOTDIR proves translation.
        let a = [libc::AT_FDCWD as u64, c"/etc/passwd".as_ptr() as u64, u64::from(abi::O_DIRECTORY), 0, 0, 0];
        assert_eq!(sys_openat(&mut p, &mut c, a), -(libc::ENOTDIR as i64));
        let a = [libc::AT_FDCWD as u64, c"/".as_ptr() as u64, u64::from(abi::O_DIRECTORY), 0, 0, 0];
        let fd = sys_openat(&mut p, &mut c, a);
        assert!(fd >= 0);
        let mut st = [0u8; 128];
        assert_eq!(sys_fstat(&mut p, &mut c, [fd as u64, st.as_mut_ptr() as u64, 0, 0, 0, 0]), 0);
        assert_eq!(u32::from_le_bytes(st[16..20].try_into().unwrap()) & libc::S_IFMT, libc::S_IFDIR);
        unsafe { libc::close(fd as i32) };
        // openat2 with the guest's O_DIRECTORY, too.
        let how: [u64; 3] = [u64::from(abi::O_DIRECTORY), 0, 0];
        let a = [libc::AT_FDCWD as u64, c"/etc/passwd".as_ptr() as u64, how.as_ptr() as u64, 24, 0, 0];
        let r = sys_openat2(&mut p, &mut c, a);
        assert!(r == -(libc::ENOTDIR as i64) || r == -(libc::ENOSYS as i64), "{r}");
        let a = [libc::AT_FDCWD as u64, c"/".as_ptr() as u64, how.as_ptr() as u64, 16, 0, 0];
        assert_eq!(sys_openat2(&mut p, &mut c, a), EINVAL);
    }

    #[test]
    fn self_exe_names() {
        let mut p = crate::linux::syscall::test_process();
        let mut c = CpuState::new();
        let mut buf = [0u8; 64];
        let pid = format!("/proc/{}/exe\0", std::process::id());
        for name in [&b"/proc/self/exe\0"[..], b"/proc/thread-self/exe\0", pid.as_bytes()] {
            let a = [libc::AT_FDCWD as u64, name.as_ptr() as u64, buf.as_mut_ptr() as u64, 64, 0, 0];
            assert_eq!(sys_readlinkat(&mut p, &mut c, a), 15, "{name:?}");
        }
        // Not ours: the host answers (/proc/1/exe is not readable by everyone; never 15 bytes of ours).
        let a = [libc::AT_FDCWD as u64, c"/proc/self/exe/x".as_ptr() as u64, buf.as_mut_ptr() as u64, 64, 0, 0];
        assert_eq!(sys_readlinkat(&mut p, &mut c, a), -(libc::ENOTDIR as i64));
        // stat and access follow the link to the guest program (here a path that does not exist).
        let mut st = [0u8; 128];
        let a = [libc::AT_FDCWD as u64, c"/proc/self/exe".as_ptr() as u64, st.as_mut_ptr() as u64, 0, 0, 0];
        assert_eq!(sys_newfstatat(&mut p, &mut c, a), -(libc::ENOENT as i64));
        let a = [libc::AT_FDCWD as u64, c"/proc/self/exe".as_ptr() as u64, st.as_mut_ptr() as u64, 0x100, 0, 0];
        assert_eq!(sys_newfstatat(&mut p, &mut c, a), 0, "AT_SYMLINK_NOFOLLOW: the link itself");
        let a = [libc::AT_FDCWD as u64, c"/proc/self/exe".as_ptr() as u64, libc::F_OK as u64, 0, 0, 0];
        assert_eq!(sys_faccessat(&mut p, &mut c, a), -(libc::ENOENT as i64));
        let a = [libc::AT_FDCWD as u64, c"/proc/self/exe".as_ptr() as u64, 0, 0, 0, 0];
        assert_eq!(sys_openat(&mut p, &mut c, a), -(libc::ENOENT as i64));
    }
}
