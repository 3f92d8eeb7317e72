//! The initial guest stack: argv, envp, auxv, laid out as the arm64 kernel does.
//!
//! Layout, from the top of the mapping down (fs/exec.c `bprm_mm_init`/`copy_strings`, then
//! fs/binfmt_elf.c `create_elf_tables`, without address randomisation):
//!
//! ```text
//! top - 8           8 zero bytes
//!                   AT_EXECFN string
//!                   envp strings (envp[0] lowest), argv strings (argv[0] lowest)
//!   align down 16   (arm64 arch_align_stack)
//!                   "aarch64\0"             <- AT_PLATFORM
//!                   16 random bytes          <- AT_RANDOM
//!   (gap)           so that sp ends 16-byte aligned
//!                   auxv pairs, AT_NULL
//!                   envp[], NULL
//!                   argv[], NULL
//! sp ->             argc
//! ```
//!
//! Invariants: the stack is a fresh anonymous mapping of at least 128 KiB with one PROT_NONE
//! guard page below it; nothing outside it is written; the whole layout is computed and checked
//! against the argument limit (`E2BIG`) before the first byte is written. Guest address == host
//! address, so the layout is written with plain pointer stores.

use super::{Image, LoadError};

// Auxiliary vector types (include/uapi/linux/auxvec.h, arch/arm64/include/uapi/asm/auxvec.h).
pub const AT_NULL: u64 = 0;
pub const AT_IGNORE: u64 = 1;
pub const AT_EXECFD: u64 = 2;
pub const AT_PHDR: u64 = 3;
pub const AT_PHENT: u64 = 4;
pub const AT_PHNUM: u64 = 5;
pub const AT_PAGESZ: u64 = 6;
pub const AT_BASE: u64 = 7;
pub const AT_FLAGS: u64 = 8;
pub const AT_ENTRY: u64 = 9;
pub const AT_NOTELF: u64 = 10;
pub const AT_UID: u64 = 11;
pub const AT_EUID: u64 = 12;
pub const AT_GID: u64 = 13;
pub const AT_EGID: u64 = 14;
pub const AT_PLATFORM: u64 = 15;
pub const AT_HWCAP: u64 = 16;
pub const AT_CLKTCK: u64 = 17;
pub const AT_SECURE: u64 = 23;
pub const AT_BASE_PLATFORM: u64 = 24;
pub const AT_RANDOM: u64 = 25;
pub const AT_HWCAP2: u64 = 26;
pub const AT_EXECFN: u64 = 31;
pub const AT_SYSINFO_EHDR: u64 = 33;
pub const AT_MINSIGSTKSZ: u64 = 51;

/// The arm64 kernel's ELF_PLATFORM for little-endian.
pub const PLATFORM: &[u8] = b"aarch64\0";
/// AT_MINSIGSTKSZ as the arm64 kernel reports it without SVE/SME (signal_minsigstksz).
pub const MINSIGSTKSZ: u64 = 5120;
/// USER_HZ (AT_CLKTCK).
pub const CLOCKS_PER_SEC: u64 = 100;
/// Smallest stack we map.
pub const MIN_STACK_SIZE: u64 = 128 * 1024;
/// The kernel's MAX_ARG_STRLEN: the longest single argument or environment string, NUL included.
pub const MAX_ARG_STRLEN: usize = 32 * 4096;

const PAGE: u64 = 4096;
/// Number of auxv entries always present (AT_MINSIGSTKSZ ..= AT_PLATFORM below).
const AUXV_FIXED: usize = 19;

pub struct StackSpec<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// AT_EXECFN string.
    pub execfn: &'a [u8],
    pub hwcap: u64,
    pub hwcap2: u64,
    /// AT_FLAGS value.
    pub at_flags: u64,
    pub stack_size: u64,
    /// AT_EXECFD, when started by binfmt_misc with the O flag.
    pub exec_fd: Option<i32>,
}

pub struct Stack {
    /// Initial sp (16-byte aligned, pointing at argc).
    pub sp: u64,
    /// The auxiliary vector as placed on the stack (without the AT_NULL terminator).
    pub auxv: Vec<(u64, u64)>,
    /// Lowest and highest (exclusive) addresses of the usable stack (the guard page lies just
    /// below `base`).
    pub base: u64,
    pub top: u64,
    /// [start, end) of the argv strings (the kernel's `mm->arg_start`/`arg_end`: what
    /// /proc/self/cmdline reads).
    pub args: (u64, u64),
    /// [start, end) of the environment strings (`mm->env_start`/`env_end`).
    pub env: (u64, u64),
}

impl Stack {
    /// Unmap the stack and its guard page.
    ///
    /// # Safety
    /// No guest thread or Rust reference may use the stack afterwards, and it must not be
    /// unmapped twice.
    pub unsafe fn unmap(&self) {
        // SAFETY: [base - PAGE, top) is the mapping setup_stack made; the caller vouches it is unused.
        unsafe { libc::munmap((self.base - PAGE) as *mut libc::c_void, (self.top - self.base + PAGE) as usize) };
    }
}

/// Map the guest stack and lay out argc, argv, envp, the auxiliary vector and the strings they
/// point to, exactly as the arm64 kernel does. AT_PHDR/AT_PHENT/AT_PHNUM/AT_ENTRY describe the
/// program; AT_BASE is its interpreter's load bias (0 for a static program).
pub fn setup_stack(img: &Image, spec: &StackSpec) -> Result<Stack, LoadError> {
    let err = |errno: i32| LoadError::Stack(std::io::Error::from_raw_os_error(errno));
    // Since Linux 5.18 an empty argv gets an empty argv[0] (fs/exec.c do_execveat_common).
    let empty_argv0 = [Vec::new()];
    let argv: &[Vec<u8>] = if spec.argv.is_empty() { &empty_argv0 } else { spec.argv };
    for s in argv.iter().chain(spec.envp).map(|s| s.as_slice()).chain(std::iter::once(spec.execfn)) {
        if s.contains(&0) {
            return Err(err(libc::EINVAL));
        }
        if s.len() >= MAX_ARG_STRLEN {
            return Err(err(libc::E2BIG));
        }
    }

    let size =
        spec.stack_size.max(MIN_STACK_SIZE).checked_add(PAGE - 1).ok_or_else(|| err(libc::ENOMEM))? & !(PAGE - 1);
    // The kernel's argument limit (fs/exec.c bprm_stack_limits): a quarter of the stack rlimit,
    // at most 3/4 of _STK_LIM (8 MiB), at least ARG_MAX (32 pages); and never the whole stack.
    let limit = (size / 4).clamp(32 * PAGE, 6 << 20).min(size - PAGE);

    // Sizes first, all bounded by the per-string check above and the limit below.
    let strings_len = |v: &[Vec<u8>]| v.iter().map(|s| s.len() as u64 + 1).sum::<u64>();
    let (argv_len, envp_len) = (strings_len(argv), strings_len(spec.envp));
    let top_part = 8 + spec.execfn.len() as u64 + 1 + envp_len + argv_len;
    let auxv_len = AUXV_FIXED + usize::from(spec.exec_fd.is_some()); // entries without AT_NULL
    let words = 2 * (auxv_len as u64 + 1) + (argv.len() as u64 + 1) + (spec.envp.len() as u64 + 1) + 1;
    // Worst case of the two 16-byte alignments included.
    let needed = top_part + 15 + PLATFORM.len() as u64 + 16 + words * 8 + 15;
    if top_part > limit || needed > limit {
        return Err(err(libc::E2BIG));
    }

    let guard = PAGE;
    // SAFETY: a fresh anonymous mapping at an address of the kernel's choice.
    let map = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            (size + guard) as usize,
            libc::PROT_READ | libc::PROT_WRITE | if img.exec_stack { libc::PROT_EXEC } else { 0 },
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
            -1,
            0,
        )
    };
    if map == libc::MAP_FAILED {
        return Err(LoadError::Stack(std::io::Error::last_os_error()));
    }
    let base = map as u64 + guard;
    let top = base + size;
    crate::mem::note_exec(base, size, img.exec_stack);
    let unmap_all = || {
        // SAFETY: the mapping made just above, not yet handed to anyone.
        unsafe { libc::munmap(map, (size + guard) as usize) };
    };
    // SAFETY: the lowest page of our own fresh mapping.
    if unsafe { libc::mprotect(map, guard as usize, libc::PROT_NONE) } != 0 {
        let e = std::io::Error::last_os_error();
        unmap_all();
        return Err(LoadError::Stack(e));
    }
    let mut random = [0u8; 16];
    if let Err(e) = getrandom(&mut random) {
        unmap_all();
        return Err(LoadError::Stack(e));
    }

    // Strings at the top: the 8-byte end marker, AT_EXECFN, envp and argv strings.
    // SAFETY (for every `poke` below): the addresses lie in [top - needed, top), inside the
    // read-write part of the fresh mapping, as `needed <= limit < size` was checked above.
    let mut p = top - 8;
    unsafe { poke(p, &[0; 8]) };
    p -= spec.execfn.len() as u64 + 1;
    let execfn_addr = p;
    unsafe { poke_cstr(p, spec.execfn) };
    p -= envp_len + argv_len;
    let args = (p, p + argv_len);
    let env = (args.1, args.1 + envp_len);
    let mut q = p;
    let mut ptrs = |strings: &[Vec<u8>]| -> Vec<u64> {
        strings
            .iter()
            .map(|s| {
                let at = q;
                unsafe { poke_cstr(at, s) };
                q += s.len() as u64 + 1;
                at
            })
            .collect()
    };
    let argv_ptrs = ptrs(argv);
    let envp_ptrs = ptrs(spec.envp);

    // arch_align_stack, then the platform string and the AT_RANDOM bytes.
    p &= !15;
    p -= PLATFORM.len() as u64;
    let platform_addr = p;
    unsafe { poke(p, PLATFORM) };
    p -= 16;
    let random_addr = p;
    unsafe { poke(p, &random) };

    // SAFETY: plain id queries.
    let (uid, euid, gid, egid) = unsafe { (libc::getuid(), libc::geteuid(), libc::getgid(), libc::getegid()) };
    let mut auxv: Vec<(u64, u64)> = vec![
        (AT_MINSIGSTKSZ, MINSIGSTKSZ),
        (AT_HWCAP, spec.hwcap),
        (AT_PAGESZ, PAGE),
        (AT_CLKTCK, CLOCKS_PER_SEC),
        (AT_PHDR, img.phdr_addr),
        (AT_PHENT, u64::from(img.phent)),
        (AT_PHNUM, u64::from(img.phnum)),
        (AT_BASE, img.at_base()),
        (AT_FLAGS, spec.at_flags),
        (AT_ENTRY, img.entry),
        (AT_UID, u64::from(uid)),
        (AT_EUID, u64::from(euid)),
        (AT_GID, u64::from(gid)),
        (AT_EGID, u64::from(egid)),
        (AT_SECURE, 0),
        (AT_RANDOM, random_addr),
        (AT_HWCAP2, spec.hwcap2),
        (AT_EXECFN, execfn_addr),
        (AT_PLATFORM, platform_addr),
    ];
    if let Some(fd) = spec.exec_fd {
        auxv.push((AT_EXECFD, fd as u64));
    }
    debug_assert_eq!(auxv.len(), auxv_len);

    // The pointer block: STACK_ROUND makes sp 16-byte aligned.
    let sp = (p - words * 8) & !15;
    debug_assert!(top - sp <= needed);
    let mut w = sp;
    let mut push = |v: u64| {
        unsafe { poke(w, &v.to_le_bytes()) };
        w += 8;
    };
    push(argv_ptrs.len() as u64);
    argv_ptrs.iter().for_each(|&a| push(a));
    push(0);
    envp_ptrs.iter().for_each(|&a| push(a));
    push(0);
    for &(k, v) in auxv.iter().chain(std::iter::once(&(AT_NULL, 0))) {
        push(k);
        push(v);
    }
    Ok(Stack { sp, auxv, base, top, args, env })
}

/// Store `bytes` at guest address `addr`.
///
/// # Safety
/// `[addr, addr + bytes.len())` must be writable memory that no Rust reference covers.
unsafe fn poke(addr: u64, bytes: &[u8]) {
    // SAFETY: per the function contract.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), addr as *mut u8, bytes.len()) };
}

/// Store `s` and a terminating NUL at guest address `addr`.
///
/// # Safety
/// As [`poke`], for `s.len() + 1` bytes.
unsafe fn poke_cstr(addr: u64, s: &[u8]) {
    // SAFETY: per the function contract.
    unsafe {
        poke(addr, s);
        poke(addr + s.len() as u64, &[0]);
    }
}

/// Fill `buf` from the kernel's random source (getrandom(2), blocking until it is seeded).
fn getrandom(buf: &mut [u8]) -> std::io::Result<()> {
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: writes at most buf.len() - got bytes into our own buffer.
        let n = unsafe { libc::getrandom(buf[got..].as_mut_ptr() as *mut libc::c_void, buf.len() - got, 0) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        } else {
            got += n as usize;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn image() -> Image {
        Image {
            path: PathBuf::from("/x"),
            entry: 0x40_0123,
            load_bias: 0,
            phdr_addr: 0x40_0040,
            phent: 56,
            phnum: 7,
            brk_start: 0x50_0000,
            lowest: 0x40_0000,
            highest: 0x50_0000,
            mappings: Vec::new(),
            interp_path: None,
            interp: None,
            exec_stack: false,
        }
    }

    fn rd(addr: u64) -> u64 {
        let mut b = [0u8; 8];
        assert!(crate::mem::probe_read(addr, &mut b), "unreadable 0x{addr:x}");
        u64::from_le_bytes(b)
    }

    fn cstr(addr: u64) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let mut b = [0u8; 1];
            assert!(crate::mem::probe_read(addr + out.len() as u64, &mut b));
            if b[0] == 0 {
                return out;
            }
            out.push(b[0]);
        }
    }

    /// Walk the stack as a guest's _start would and check every piece against the kernel's layout.
    #[test]
    fn layout_matches_the_kernel() {
        let argv = vec![b"prog".to_vec(), b"".to_vec(), b"third arg".to_vec()];
        let envp = vec![b"A=1".to_vec(), b"PATH=/bin".to_vec()];
        let spec = StackSpec {
            argv: &argv,
            envp: &envp,
            execfn: b"/tmp/prog",
            hwcap: 0xdead,
            hwcap2: 0xbeef,
            at_flags: 0,
            stack_size: 1 << 20,
            exec_fd: Some(5),
        };
        let st = setup_stack(&image(), &spec).unwrap();
        assert_eq!(st.top - st.base, 1 << 20);
        assert_eq!(st.sp % 16, 0);
        assert!(st.sp > st.base && st.sp < st.top);
        // Guard page below the stack.
        assert!(!crate::mem::probe_read(st.base - 1, &mut [0u8; 1]));

        let mut p = st.sp;
        let mut next = || {
            let v = rd(p);
            p += 8;
            v
        };
        assert_eq!(next(), 3);
        let argp: Vec<u64> = (0..3).map(|_| next()).collect();
        assert_eq!(next(), 0);
        let envpp: Vec<u64> = (0..2).map(|_| next()).collect();
        assert_eq!(next(), 0);
        let mut auxv = Vec::new();
        loop {
            let (k, v) = (next(), next());
            if k == AT_NULL {
                break;
            }
            auxv.push((k, v));
        }
        let auxv_end = p;
        assert_eq!(auxv, st.auxv);
        let keys: Vec<u64> = auxv.iter().map(|e| e.0).collect();
        assert_eq!(
            keys,
            [
                AT_MINSIGSTKSZ,
                AT_HWCAP,
                AT_PAGESZ,
                AT_CLKTCK,
                AT_PHDR,
                AT_PHENT,
                AT_PHNUM,
                AT_BASE,
                AT_FLAGS,
                AT_ENTRY,
                AT_UID,
                AT_EUID,
                AT_GID,
                AT_EGID,
                AT_SECURE,
                AT_RANDOM,
                AT_HWCAP2,
                AT_EXECFN,
                AT_PLATFORM,
                AT_EXECFD
            ]
        );
        let get = |k: u64| auxv.iter().find(|e| e.0 == k).unwrap().1;
        assert_eq!(get(AT_MINSIGSTKSZ), 5120);
        assert_eq!((get(AT_HWCAP), get(AT_HWCAP2)), (0xdead, 0xbeef));
        assert_eq!((get(AT_PAGESZ), get(AT_CLKTCK)), (4096, 100));
        assert_eq!((get(AT_PHDR), get(AT_PHENT), get(AT_PHNUM)), (0x40_0040, 56, 7));
        assert_eq!((get(AT_BASE), get(AT_FLAGS), get(AT_SECURE)), (0, 0, 0));
        assert_eq!(get(AT_ENTRY), 0x40_0123);
        assert_eq!(get(AT_EXECFD), 5);
        // SAFETY: id queries.
        unsafe {
            assert_eq!(get(AT_UID), u64::from(libc::getuid()));
            assert_eq!(get(AT_EUID), u64::from(libc::geteuid()));
            assert_eq!(get(AT_GID), u64::from(libc::getgid()));
            assert_eq!(get(AT_EGID), u64::from(libc::getegid()));
        }

        // Strings: argv[0] lowest, contiguous up to the 8 zero bytes at the top.
        assert_eq!(cstr(argp[0]), b"prog");
        assert_eq!(cstr(argp[1]), b"");
        assert_eq!(cstr(argp[2]), b"third arg");
        assert_eq!(cstr(envpp[0]), b"A=1");
        assert_eq!(cstr(envpp[1]), b"PATH=/bin");
        assert_eq!(argp[1], argp[0] + 5);
        assert_eq!(argp[2], argp[1] + 1);
        assert_eq!(envpp[0], argp[2] + 10);
        assert_eq!(envpp[1], envpp[0] + 4);
        let execfn = get(AT_EXECFN);
        assert_eq!(execfn, envpp[1] + 10);
        assert_eq!(cstr(execfn), b"/tmp/prog");
        assert_eq!(execfn + 10, st.top - 8);
        assert_eq!(rd(st.top - 8), 0);

        // Below the strings: align 16, "aarch64\0", then the 16 random bytes.
        let platform = get(AT_PLATFORM);
        assert_eq!(platform + 8, argp[0] & !15);
        assert_eq!(cstr(platform), b"aarch64");
        let random = get(AT_RANDOM);
        assert_eq!(random + 16, platform);
        let mut r = [0u8; 16];
        assert!(crate::mem::probe_read(random, &mut r));
        assert_ne!(r, [0u8; 16], "16 random bytes all zero");
        // STACK_ROUND: at most 15 bytes of padding between the auxv and the random bytes.
        assert!(auxv_end <= random && random - auxv_end < 16);
        // SAFETY: nothing uses this stack any more.
        unsafe { st.unmap() };
    }

    #[test]
    fn empty_argv_gets_an_empty_argv0_and_no_execfd() {
        let spec = StackSpec {
            argv: &[],
            envp: &[],
            execfn: b"p",
            hwcap: 0,
            hwcap2: 0,
            at_flags: 0,
            stack_size: 0,
            exec_fd: None,
        };
        let st = setup_stack(&image(), &spec).unwrap();
        assert_eq!(st.top - st.base, MIN_STACK_SIZE);
        assert_eq!(rd(st.sp), 1);
        assert_eq!(cstr(rd(st.sp + 8)), b"");
        assert_eq!(rd(st.sp + 16), 0);
        assert_eq!(rd(st.sp + 24), 0);
        assert_eq!(st.auxv.len(), AUXV_FIXED);
        assert!(st.auxv.iter().all(|e| e.0 != AT_EXECFD));
        // SAFETY: nothing uses this stack any more.
        unsafe { st.unmap() };
    }

    #[test]
    fn too_many_arguments_is_e2big() {
        let big = vec![vec![b'x'; 100_000]; 3];
        let spec = StackSpec {
            argv: &big,
            envp: &[],
            execfn: b"p",
            hwcap: 0,
            hwcap2: 0,
            at_flags: 0,
            stack_size: 128 * 1024,
            exec_fd: None,
        };
        let e = setup_stack(&image(), &spec).err().unwrap();
        assert!(matches!(e, LoadError::Stack(ref io) if io.raw_os_error() == Some(libc::E2BIG)), "{e}");
        let one = vec![vec![b'x'; MAX_ARG_STRLEN]];
        let spec = StackSpec { argv: &one, stack_size: 64 << 20, ..spec };
        let e = setup_stack(&image(), &spec).err().unwrap();
        assert!(matches!(e, LoadError::Stack(ref io) if io.raw_os_error() == Some(libc::E2BIG)), "{e}");
        let nul = vec![b"a\0b".to_vec()];
        let spec = StackSpec { argv: &nul, ..spec };
        let e = setup_stack(&image(), &spec).err().unwrap();
        assert!(matches!(e, LoadError::Stack(ref io) if io.raw_os_error() == Some(libc::EINVAL)), "{e}");
    }

    /// The AT_* numbers agree with the arm64 UAPI headers when the cross headers are installed.
    #[test]
    fn auxv_numbers_match_the_uapi_headers() {
        let mut text = String::new();
        for h in ["/usr/aarch64-linux-gnu/include/linux/auxvec.h", "/usr/aarch64-linux-gnu/include/asm/auxvec.h"] {
            if let Ok(t) = std::fs::read_to_string(h) {
                text.push_str(&t);
            }
        }
        if text.is_empty() {
            eprintln!("arm64 UAPI headers not installed; skipping");
            return;
        }
        let ours = [
            ("AT_NULL", AT_NULL),
            ("AT_IGNORE", AT_IGNORE),
            ("AT_EXECFD", AT_EXECFD),
            ("AT_PHDR", AT_PHDR),
            ("AT_PHENT", AT_PHENT),
            ("AT_PHNUM", AT_PHNUM),
            ("AT_PAGESZ", AT_PAGESZ),
            ("AT_BASE", AT_BASE),
            ("AT_FLAGS", AT_FLAGS),
            ("AT_ENTRY", AT_ENTRY),
            ("AT_NOTELF", AT_NOTELF),
            ("AT_UID", AT_UID),
            ("AT_EUID", AT_EUID),
            ("AT_GID", AT_GID),
            ("AT_EGID", AT_EGID),
            ("AT_PLATFORM", AT_PLATFORM),
            ("AT_HWCAP", AT_HWCAP),
            ("AT_CLKTCK", AT_CLKTCK),
            ("AT_SECURE", AT_SECURE),
            ("AT_BASE_PLATFORM", AT_BASE_PLATFORM),
            ("AT_RANDOM", AT_RANDOM),
            ("AT_HWCAP2", AT_HWCAP2),
            ("AT_EXECFN", AT_EXECFN),
            ("AT_SYSINFO_EHDR", AT_SYSINFO_EHDR),
            ("AT_MINSIGSTKSZ", AT_MINSIGSTKSZ),
        ];
        for (name, val) in ours {
            let found = text.lines().find_map(|l| {
                let mut w = l.split_whitespace();
                (w.next() == Some("#define") && w.next() == Some(name))
                    .then(|| w.next().and_then(|v| v.parse::<u64>().ok()))?
            });
            assert_eq!(found, Some(val), "{name}");
        }
    }
}
