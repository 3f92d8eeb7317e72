//! The guest's view of the file system under a sysroot (`-L PATH` / `QEMU_LD_PREFIX`).
//!
//! Semantics of qemu-user's `path()`: an absolute guest path is looked up under the prefix
//! first, and the host path is used when nothing exists there (so `/proc`, `/dev`, `/tmp` and
//! files the guest creates keep working). Relative paths, and so paths relative to a dirfd,
//! are left alone: they already name what the guest's cwd or descriptor names. Without a
//! prefix, or with the prefix `/`, nothing changes (inside a chroot or container the guest's
//! root already is `/`).
//!
//! Invariants: the functions here are pure apart from one `lstat` probe per call
//! (no cache: files appear and disappear while the guest runs, unlike qemu's hash table);
//! the prefix passed in is absolute (see [`absolute_prefix`]), so a guest `chdir` does not
//! move the sysroot; a path that cannot be represented (interior NUL) is returned unchanged.
//! Used by the file-system syscalls and by the loader for PT_INTERP; not by execve, which
//! looks its path up as given, as qemu-aarch64 7.2 does.

use std::ffi::CString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Make a `-L` prefix absolute against the emulator's current directory (at start-up, before
/// the guest can change it), as qemu's `init_paths` does. `None` when the prefix is empty or
/// `/`, which redirect nothing.
pub fn absolute_prefix(prefix: &Path) -> Option<PathBuf> {
    if prefix.as_os_str().is_empty() || prefix == Path::new("/") {
        return None;
    }
    let abs = if prefix.is_absolute() { prefix.to_path_buf() } else { std::env::current_dir().ok()?.join(prefix) };
    Some(abs)
}

/// The host path for `guest_path`: `prefix + guest_path` when `guest_path` is absolute and
/// that file exists, `guest_path` otherwise. "Exists" is `lstat`'s answer (qemu asks
/// `access(F_OK)`, which follows a final symlink): a symlink in the sysroot is the guest's even
/// when its target is missing, so that lstat, readlink and open of one path agree on the file.
pub fn resolve(prefix: Option<&Path>, guest_path: &Path) -> PathBuf {
    match resolve_bytes(prefix, guest_path.as_os_str().as_bytes()) {
        Some(p) => PathBuf::from(std::ffi::OsString::from_vec(p.into_bytes())),
        None => guest_path.to_path_buf(),
    }
}

/// [`resolve`] for a path as raw bytes (a guest string, without its NUL). `Some(host path)`
/// only when the path is redirected into the prefix; `None` means "use the guest's path as is".
pub fn resolve_bytes(prefix: Option<&Path>, guest_path: &[u8]) -> Option<CString> {
    let prefix = prefix?.as_os_str().as_bytes();
    if guest_path.first() != Some(&b'/') || prefix.is_empty() || prefix == b"/" {
        return None;
    }
    // prefix + guest path, with exactly one '/' at the seam (g_build_filename's rule).
    let trimmed = {
        let mut p = prefix;
        while p.len() > 1 && p.ends_with(b"/") {
            p = &p[..p.len() - 1];
        }
        p
    };
    let mut full = Vec::with_capacity(trimmed.len() + guest_path.len());
    full.extend_from_slice(trimmed);
    let rest = {
        let mut g = guest_path;
        while g.first() == Some(&b'/') {
            g = &g[1..];
        }
        g
    };
    if !trimmed.ends_with(b"/") {
        full.push(b'/');
    }
    full.extend_from_slice(rest);
    let full = CString::new(full).ok()?;
    // SAFETY: a NUL-terminated path of our own and a stat buffer on our stack.
    let exists = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        libc::fstatat(libc::AT_FDCWD, full.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) == 0
    };
    exists.then_some(full)
}

/// The host path for the guest string at `addr` when it is redirected into the sysroot, for a
/// syscall handler to pass instead of the guest pointer (keep the `CString` alive across the
/// host call). `None` (pass the guest pointer unchanged) without a prefix, for relative or
/// missing paths, and for a string the emulator cannot read or that is longer than PATH_MAX:
/// the host kernel then reports EFAULT or ENAMETOOLONG itself, exactly as for the guest's path.
pub fn redirect(prefix: Option<&Path>, addr: u64) -> Option<CString> {
    prefix?;
    let (bytes, complete) = crate::linux::syscall::read_cstr(addr, libc::PATH_MAX as usize).ok()?;
    if !complete {
        return None;
    }
    resolve_bytes(prefix, &bytes)
}

/// Call `f` with the syscall arguments `a`, the guest path pointer `a[i]` replaced by its
/// sysroot path when [`redirect`] redirects it (the replacement lives until `f` returns).
pub fn with_guest_path<R>(prefix: Option<&Path>, mut a: [u64; 6], i: usize, f: impl FnOnce([u64; 6]) -> R) -> R {
    let host = redirect(prefix, a[i]);
    if let Some(h) = &host {
        a[i] = h.as_ptr() as u64;
    }
    f(a)
}

/// `prefix + guest_path` without the existence check: where a file was looked for, for messages.
pub fn joined(prefix: &Path, guest_path: &Path) -> PathBuf {
    let rel = guest_path.strip_prefix("/").unwrap_or(guest_path);
    prefix.join(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("qal-path-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("lib")).unwrap();
        std::fs::write(d.join("lib/ld.so"), b"x").unwrap();
        d
    }

    #[test]
    fn prefix_first_then_host() {
        let d = tmpdir("resolve");
        let p = Some(d.as_path());
        assert_eq!(resolve(p, Path::new("/lib/ld.so")), d.join("lib/ld.so"));
        assert_eq!(resolve(p, Path::new("//lib//ld.so")), d.join("lib//ld.so"));
        // Missing under the prefix: the host path.
        assert_eq!(resolve(p, Path::new("/etc/passwd")), Path::new("/etc/passwd"));
        // The root itself is the sysroot.
        assert_eq!(resolve(p, Path::new("/")), d.join(""));
        // Relative paths are never redirected, even when they exist under the prefix.
        assert_eq!(resolve(p, Path::new("lib/ld.so")), Path::new("lib/ld.so"));
        // No prefix, or `/`: nothing changes.
        assert_eq!(resolve(None, Path::new("/lib/ld.so")), Path::new("/lib/ld.so"));
        assert_eq!(resolve(Some(Path::new("/")), Path::new("/lib/ld.so")), Path::new("/lib/ld.so"));
        // A trailing slash on the prefix does not double the separator.
        let slash = PathBuf::from(format!("{}/", d.display()));
        assert_eq!(
            resolve_bytes(Some(&slash), b"/lib/ld.so").unwrap().as_bytes(),
            d.join("lib/ld.so").as_os_str().as_bytes()
        );
        assert_eq!(resolve_bytes(Some(&d), b"/lib/nope"), None);
        // A dangling symlink in the sysroot is still the sysroot's.
        std::os::unix::fs::symlink("/nonexistent-target", d.join("lib/dangling")).unwrap();
        assert_eq!(resolve(p, Path::new("/lib/dangling")), d.join("lib/dangling"));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn syscall_arguments_are_redirected() {
        let d = tmpdir("redirect");
        let p = Some(d.as_path());
        let seen = |s: &std::ffi::CStr| {
            let a = [1, s.as_ptr() as u64, 2, 0, 0, 0];
            with_guest_path(p, a, 1, |b| {
                assert_eq!((b[0], b[2]), (1, 2), "other arguments untouched");
                // SAFETY: b[1] is either the guest string or the CString kept alive for `f`.
                unsafe { std::ffi::CStr::from_ptr(b[1] as *const libc::c_char) }.to_bytes().to_vec()
            })
        };
        assert_eq!(seen(c"/lib/ld.so"), d.join("lib/ld.so").as_os_str().as_bytes());
        assert_eq!(seen(c"/lib/missing"), b"/lib/missing");
        assert_eq!(seen(c"lib/ld.so"), b"lib/ld.so");
        // An unreadable guest pointer is passed on for the host kernel to report EFAULT.
        let a = [0, 8, 0, 0, 0, 0];
        assert_eq!(with_guest_path(p, a, 1, |b| b[1]), 8);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn prefixes_become_absolute() {
        assert_eq!(absolute_prefix(Path::new("")), None);
        assert_eq!(absolute_prefix(Path::new("/")), None);
        assert_eq!(absolute_prefix(Path::new("/sr")), Some(PathBuf::from("/sr")));
        let rel = absolute_prefix(Path::new("sr")).unwrap();
        assert!(rel.is_absolute() && rel.ends_with("sr"), "{rel:?}");
        assert_eq!(joined(Path::new("/sr"), Path::new("/lib/x")), Path::new("/sr/lib/x"));
    }
}
