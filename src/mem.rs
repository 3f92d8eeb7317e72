//! Guest memory bookkeeping. Guest addresses are host addresses (DESIGN.md): this module does
//! not translate addresses, it keeps the program break and answers "may the guest execute
//! this address?" for the translator's instruction fetch.
//!
//! Thread safety: `read_guest_u32` keeps a per-thread cache of pages it validated, dropped
//! by every thread when any thread changes mappings (`forget_validated_pages`).
//!
//! Execute permission: guest pages carry the guest's protection on the host too (the loader's
//! `host_prot`, the mmap/mprotect pass-through), so the host's /proc/self/maps says which are
//! executable. Reading it at every validation would be slow, so [`note_exec`] keeps a set of
//! executable ranges up to date from the calls that change protections; where the set does
//! not hold an address (a mapping made some other way), the host's table is read again. The
//! set may thus lack ranges (costing a re-read) but never wrongly holds one as long as every
//! call that removes execute permission notes it.
//!
//! Code aliases (`code_aliases`): the guest's other addresses of the same memory (dual-mapped
//! JIT code: a memfd or SysV segment mapped twice), for IC IVAU, which acts on the physical
//! line (CTR_EL0 advertises a PIPT instruction cache).

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub const PAGE_SIZE: u64 = 4096;

pub const fn page_align_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

pub const fn page_align_up(x: u64) -> u64 {
    x.wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

/// Bumped whenever guest mappings may have lost permissions (munmap, mprotect, mremap):
/// every thread's validated-page cache is stale after that.
static MAPPING_GENERATION: AtomicU64 = AtomicU64::new(0);

const VALIDATED_SLOTS: usize = 256;

struct Validated {
    generation: u64,
    /// Direct-mapped by page number; `u64::MAX` = empty.
    pages: [u64; VALIDATED_SLOTS],
}

thread_local! {
    static VALIDATED: RefCell<Validated> =
        const { RefCell::new(Validated { generation: 0, pages: [u64::MAX; VALIDATED_SLOTS] }) };
}

/// Forget the validated-page caches of all threads (after munmap/mprotect/mremap).
pub fn forget_validated_pages() {
    MAPPING_GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Set once the guest has made a mapping that can share its memory with another of its
/// mappings (MAP_SHARED, shmat, mremap): until then no address has an alias.
static MAY_ALIAS: AtomicBool = AtomicBool::new(false);
/// Bumped by every mmap (which `forget_validated_pages` does not see unless MAP_FIXED).
static MAPS_ADDED: AtomicU64 = AtomicU64::new(0);

/// A successful mmap, shmat or mremap: `shared` when the new mapping may alias another one.
pub fn note_mapping(shared: bool) {
    if shared {
        MAY_ALIAS.store(true, Ordering::SeqCst);
    }
    MAPS_ADDED.fetch_add(1, Ordering::SeqCst);
}

/// One line of /proc/self/maps that shares its file (dev, inode) with another line.
#[derive(Clone, Copy, Debug, PartialEq)]
struct AliasLine {
    start: u64,
    end: u64,
    offset: u64,
    file: (u64, u64),
}

/// The fields of one /proc/self/maps line ("start-end perms offset major:minor inode
/// [path]"), read as bytes: the pathname may be any bytes, and is skipped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapsLine {
    pub start: u64,
    pub end: u64,
    /// "rwxp" / "r-xs" ...
    pub perms: [u8; 4],
    pub offset: u64,
    pub dev: (u64, u64),
    pub inode: u64,
}

/// Parse a /proc/self/maps line; `None` for anything else.
pub fn parse_maps_line(line: &[u8]) -> Option<MapsLine> {
    let mut fields = line.split(|&b| b == b' ').filter(|f| !f.is_empty());
    let mut next = || std::str::from_utf8(fields.next()?).ok();
    let hex = |s: &str| u64::from_str_radix(s, 16).ok();
    let (start, end) = next()?.split_once('-')?;
    let perms: [u8; 4] = next()?.as_bytes().try_into().ok()?;
    let offset = hex(next()?)?;
    let (major, minor) = next()?.split_once(':')?;
    let inode = next()?.parse().ok()?;
    Some(MapsLine { start: hex(start)?, end: hex(end)?, perms, offset, dev: (hex(major)?, hex(minor)?), inode })
}

/// The alias lines of the last /proc/self/maps read, and the generations it was read at.
type AliasCache = ((u64, u64), Vec<AliasLine>);
static ALIAS_LINES: std::sync::Mutex<AliasCache> = std::sync::Mutex::new(((u64::MAX, 0), Vec::new()));

/// The code-alias cache's lock, held across a host fork so that the child does not inherit it
/// held by a thread that does not exist there (`linux::syscall::exec::fork`).
pub struct AliasForkLock {
    _guard: std::sync::MutexGuard<'static, AliasCache>,
}

pub fn alias_fork_lock() -> AliasForkLock {
    AliasForkLock { _guard: ALIAS_LINES.lock().unwrap_or_else(|e| e.into_inner()) }
}

/// The lines of a /proc/self/maps text whose file (dev, inode; inode 0 = anonymous private
/// memory, never shared) appears on another line with a shared mapping among them.
fn alias_lines_in(maps: &[u8]) -> Vec<AliasLine> {
    let lines: Vec<(AliasLine, bool)> = maps
        .split(|&b| b == b'\n')
        .filter_map(parse_maps_line)
        .filter(|m| m.inode != 0)
        .map(|m| {
            let file = (m.dev.0 << 32 | m.dev.1, m.inode);
            (AliasLine { start: m.start, end: m.end, offset: m.offset, file }, m.perms[3] == b's')
        })
        .collect();
    let mut files: std::collections::HashMap<(u64, u64), (usize, bool)> = std::collections::HashMap::new();
    for (l, shared) in &lines {
        let e = files.entry(l.file).or_default();
        e.0 += 1;
        e.1 |= *shared;
    }
    lines.into_iter().map(|(l, _)| l).filter(|l| files[&l.file].0 > 1 && files[&l.file].1).collect()
}

/// The other guest addresses that map the memory at `addr` (MAP_SHARED file or memfd
/// mappings of the same file page, SysV segments attached twice, shared mappings duplicated by
/// mremap), in no particular order. Empty while the guest never made a shared mapping.
pub fn code_aliases(addr: u64) -> Vec<u64> {
    if !MAY_ALIAS.load(Ordering::SeqCst) {
        return Vec::new();
    }
    let gen = (MAPPING_GENERATION.load(Ordering::SeqCst), MAPS_ADDED.load(Ordering::SeqCst));
    let mut cache = ALIAS_LINES.lock().unwrap_or_else(|e| e.into_inner());
    if cache.0 != gen {
        let maps = std::fs::read("/proc/self/maps").unwrap_or_default();
        *cache = (gen, alias_lines_in(&maps));
    }
    aliases_in(&cache.1, addr)
}

fn aliases_in(lines: &[AliasLine], addr: u64) -> Vec<u64> {
    let Some(own) = lines.iter().find(|l| (l.start..l.end).contains(&addr)) else {
        return Vec::new();
    };
    let pos = own.offset + (addr - own.start);
    lines
        .iter()
        .filter(|l| {
            l.file == own.file && l.start != own.start && (l.offset..l.offset + (l.end - l.start)).contains(&pos)
        })
        .map(|l| l.start + (pos - l.offset))
        .collect()
}

/// Read the instruction word at `addr` if the guest may execute it (mapped with execute
/// permission, and readable to us), without risking a host fault.
pub fn read_guest_u32(addr: u64) -> Option<u32> {
    let page = page_align_down(addr);
    let slot = ((page / PAGE_SIZE) as usize) % VALIDATED_SLOTS;
    let gen = MAPPING_GENERATION.load(Ordering::SeqCst);
    let known = VALIDATED.with(|v| {
        let mut v = v.borrow_mut();
        if v.generation != gen {
            v.generation = gen;
            v.pages = [u64::MAX; VALIDATED_SLOTS];
        }
        v.pages[slot] == page
    });
    if !known {
        let mut buf = [0u8; 4];
        if !probe_read(addr, &mut buf) || !executable(addr) {
            return None;
        }
        VALIDATED.with(|v| v.borrow_mut().pages[slot] = page);
        return Some(u32::from_le_bytes(buf));
    }
    // SAFETY: the page was validated as readable since the last mapping change;
    // guest addr == host addr.
    Some(unsafe { std::ptr::read_volatile(addr as *const u32) })
}

/// Reads guest instruction words (aligned u32s) in sequence: [`read_guest_u32`] for the first word of each
/// page, then plain reads from that page while no thread has changed mappings since (the same
/// check `read_guest_u32` makes, without its per-thread table).
#[derive(Default)]
pub struct GuestReader {
    /// The page validated last, or `u64::MAX`.
    page: u64,
    /// `MAPPING_GENERATION` when it was validated.
    generation: u64,
}

impl GuestReader {
    pub const fn new() -> GuestReader {
        GuestReader { page: u64::MAX, generation: 0 }
    }

    /// The instruction word at `addr`, or `None` when `addr` is not 4-byte aligned or not
    /// executable ([`read_guest_u32`]).
    #[inline]
    pub fn read_u32(&mut self, addr: u64) -> Option<u32> {
        if !addr.is_multiple_of(4) {
            return None;
        }
        let gen = MAPPING_GENERATION.load(Ordering::SeqCst);
        if page_align_down(addr) == self.page && gen == self.generation {
            // SAFETY: the page was validated as readable, and no mapping changed since;
            // guest addr == host addr; aligned, so the u32 lies inside the page.
            return Some(unsafe { std::ptr::read_volatile(addr as *const u32) });
        }
        let word = read_guest_u32(addr)?;
        self.page = page_align_down(addr);
        self.generation = gen;
        Some(word)
    }
}

/// The executable ranges known to this process (start -> end, page aligned, disjoint and
/// not adjacent): see the module's documentation.
static EXEC: std::sync::Mutex<std::collections::BTreeMap<u64, u64>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// Record that [start, start + len) (rounded out to pages) is now executable or not: after
/// every successful call that maps, unmaps or changes the protection of guest memory.
pub fn note_exec(start: u64, len: u64, exec: bool) {
    // (a range running past the end of the address space rounds to an empty one: no call
    // that succeeded made such a range)
    let (start, end) = (page_align_down(start), page_align_up(start.saturating_add(len)));
    let mut set = EXEC.lock().unwrap_or_else(|e| e.into_inner());
    set_range(&mut set, start, end, exec);
}

/// The executable-range set's lock, held across a host fork (taken after the translator's:
/// translation takes it while holding that one) so that the child never inherits it locked
/// by a thread it does not have.
pub fn exec_fork_lock() -> impl Drop {
    EXEC.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether the set of noted executable ranges holds `addr` (without reading the host's table).
pub fn noted_exec(addr: u64) -> bool {
    let set = EXEC.lock().unwrap_or_else(|e| e.into_inner());
    holds(&set, addr)
}

fn holds(set: &std::collections::BTreeMap<u64, u64>, addr: u64) -> bool {
    set.range(..=addr).next_back().is_some_and(|(_, &e)| addr < e)
}

/// [start, end) in `set` or out of it.
fn set_range(set: &mut std::collections::BTreeMap<u64, u64>, start: u64, end: u64, exec: bool) {
    if start >= end {
        return;
    }
    // The ranges that overlap or touch [start, end): cut out, keeping the parts outside.
    let mut lo = start;
    let mut hi = end;
    let touching: Vec<(u64, u64)> =
        set.range(..=end).rev().take_while(|&(_, &e)| e >= start).map(|(&s, &e)| (s, e)).collect();
    for (s, e) in touching {
        set.remove(&s);
        if exec {
            lo = lo.min(s);
            hi = hi.max(e);
        } else {
            if s < start {
                set.insert(s, start);
            }
            if e > end {
                set.insert(end, e);
            }
        }
    }
    if exec {
        set.insert(lo, hi);
    }
}

/// Whether the guest may execute `addr`: in the known set, else according to the host's
/// /proc/self/maps (which then replaces the set).
fn executable(addr: u64) -> bool {
    let mut set = EXEC.lock().unwrap_or_else(|e| e.into_inner());
    if holds(&set, addr) {
        return true;
    }
    let Ok(maps) = std::fs::read("/proc/self/maps") else {
        // (no /proc: only what was noted counts)
        return false;
    };
    set.clear();
    for m in maps.split(|&b| b == b'\n').filter_map(parse_maps_line) {
        if m.perms[2] == b'x' {
            set_range(&mut set, m.start, m.end, true);
        }
    }
    holds(&set, addr)
}

/// Set once process_vm_readv/writev on ourselves turned out to be forbidden: Docker's default
/// seccomp profile (and other sandboxes) allow them only with CAP_SYS_PTRACE. Then the probes
/// copy directly and recover from faults instead (`fault_copy`).
static NO_PROCESS_VM: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the result `n` of process_vm_readv/writev means "not allowed here" (EFAULT, the
/// answer for an inaccessible address, does not); remembered for the rest of the process.
fn process_vm_forbidden(n: isize) -> bool {
    let forbidden = n < 0 && matches!(std::io::Error::last_os_error().raw_os_error(), Some(libc::EPERM | libc::ENOSYS));
    if forbidden {
        NO_PROCESS_VM.store(true, Ordering::Relaxed);
    }
    forbidden
}

/// The signal and si_code of an instruction fetch at `pc` that failed (as arm64 Linux
/// reports them): a pc that is not a multiple of 4 is a PC alignment fault (SIGBUS,
/// BUS_ADRALN); otherwise SIGSEGV, SEGV_ACCERR when the page is mapped (without execute or
/// read permission: PROT_NONE, say) and SEGV_MAPERR when nothing is mapped there.
pub fn fetch_fault(pc: u64) -> (i32, i32) {
    if !pc.is_multiple_of(4) {
        return (libc::SIGBUS, libc::BUS_ADRALN);
    }
    let page = page_align_down(pc);
    let mut resident = 0u8;
    // SAFETY: mincore only inspects the mapping (ENOMEM when the page is not mapped at
    // all); `resident` has room for the one page's byte.
    let mapped = unsafe { libc::mincore(page as *mut libc::c_void, PAGE_SIZE as usize, &mut resident) } == 0;
    // (SEGV_ACCERR = 2, SEGV_MAPERR = 1: asm-generic/siginfo.h)
    (libc::SIGSEGV, if mapped { 2 } else { 1 })
}

/// Copy guest memory at `addr` into `buf` if all of it is readable (uses process_vm_readv on
/// ourselves, which reports EFAULT instead of faulting; `fault_copy` where that is forbidden).
pub fn probe_read(addr: u64, buf: &mut [u8]) -> bool {
    if !NO_PROCESS_VM.load(Ordering::Relaxed) {
        let local = libc::iovec { iov_base: buf.as_mut_ptr() as *mut libc::c_void, iov_len: buf.len() };
        let remote = libc::iovec { iov_base: addr as *mut libc::c_void, iov_len: buf.len() };
        // SAFETY: reading our own address space through the kernel; faults become errors.
        let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
        if !process_vm_forbidden(n) {
            return n == buf.len() as isize;
        }
    }
    fault_copy::copy(addr as *const u8, buf.as_mut_ptr(), buf.len())
}

/// Write `data` to guest memory at `addr` if all of it is writable.
pub fn probe_write(addr: u64, data: &[u8]) -> bool {
    if !NO_PROCESS_VM.load(Ordering::Relaxed) {
        let local = libc::iovec { iov_base: data.as_ptr() as *mut libc::c_void, iov_len: data.len() };
        let remote = libc::iovec { iov_base: addr as *mut libc::c_void, iov_len: data.len() };
        // SAFETY: writing our own address space through the kernel; faults become errors.
        let n = unsafe { libc::process_vm_writev(libc::getpid(), &local, 1, &remote, 1, 0) };
        if !process_vm_forbidden(n) {
            return n == data.len() as isize;
        }
    }
    fault_copy::copy(data.as_ptr(), addr as *mut u8, data.len())
}

/// Fault-free copies without system calls, as the kernel's copy_from_user: one `rep movsb`
/// whose faults the emulator's SIGSEGV/SIGBUS handler ([`fixup_probe_fault`]) turns into a
/// failure return. Like process_vm_writev, a failed copy may have written a prefix.
///
/// It replaced a per-thread pipe (the kernel copied into and out of it): its descriptors sat
/// in the guest's table, so the guest's first open returned 5 rather than 3, and a guest that
/// closed every descriptor above stderr (close_range(3, ~0), as Python's subprocess child and
/// daemons do) left every later probe failing: calls with pointers returned EFAULT, signal
/// frames could not be written, the program died of SIGSEGV. A guest that then opened a file
/// at the freed number would have had its memory written into that file.
mod fault_copy {
    std::arch::global_asm!(
        ".pushsection .text.qal_probe_copy,\"ax\",@progbits",
        ".p2align 4",
        ".globl qal_probe_copy",
        ".hidden qal_probe_copy",
        ".type qal_probe_copy,@function",
        // (dst = rdi, src = rsi, len = rdx) -> eax: 0 when copied, 1 after a fault.
        "qal_probe_copy:",
        "mov rcx, rdx",
        ".globl qal_probe_copy_insn",
        ".hidden qal_probe_copy_insn",
        "qal_probe_copy_insn:",
        "rep movsb",
        "xor eax, eax",
        "ret",
        ".globl qal_probe_copy_fixup",
        ".hidden qal_probe_copy_fixup",
        "qal_probe_copy_fixup:",
        "mov eax, 1",
        "ret",
        ".size qal_probe_copy, .-qal_probe_copy",
        ".popsection",
    );

    extern "C" {
        fn qal_probe_copy(dst: *mut u8, src: *const u8, len: usize) -> u32;
        static qal_probe_copy_insn: u8;
        static qal_probe_copy_fixup: u8;
    }

    /// Copy `len` bytes; false when a page of either range is inaccessible. Needs the fault
    /// handler (`linux::host_signal::install_fault_handlers`).
    pub(super) fn copy(src: *const u8, dst: *mut u8, len: usize) -> bool {
        // SAFETY: the routine reads and writes only the two ranges; a fault in its one
        // copying instruction resumes at its failure return (`fixup`).
        unsafe { qal_probe_copy(dst, src, len) == 0 }
    }

    /// In the SIGSEGV/SIGBUS handler: when the fault is the copy's instruction, resume at the
    /// failure return and say so.
    ///
    /// # Safety
    /// `uc` is the `ucontext_t` the kernel passed to an SA_SIGINFO handler.
    pub unsafe fn fixup(uc: *mut libc::c_void) -> bool {
        let uc = uc as *mut libc::ucontext_t;
        // SAFETY: the caller passes the handler's context; the statics are code labels whose
        // addresses only are taken.
        unsafe {
            let rip = &mut (*uc).uc_mcontext.gregs[libc::REG_RIP as usize];
            if *rip as usize != std::ptr::addr_of!(qal_probe_copy_insn) as usize {
                return false;
            }
            *rip = std::ptr::addr_of!(qal_probe_copy_fixup) as i64;
        }
        true
    }
}

pub use fault_copy::fixup as fixup_probe_fault;

/// The program break (brk) of the guest.
#[derive(Debug, Clone, Copy)]
pub struct Brk {
    /// Initial break (end of the highest PT_LOAD, page aligned up).
    pub start: u64,
    /// Current break as the guest sees it.
    pub cur: u64,
    /// End of the pages we have mapped for the heap.
    pub mapped_end: u64,
}

impl Brk {
    pub fn new(start: u64) -> Brk {
        Brk { start, cur: start, mapped_end: page_align_up(start) }
    }

    /// The brk syscall: returns the new break (or the old one when it cannot move), as Linux.
    pub fn set(&mut self, want: u64) -> u64 {
        // (a break in the last page of the address space would round up past its end)
        if want < self.start || want > u64::MAX - (PAGE_SIZE - 1) {
            return self.cur;
        }
        let want_end = page_align_up(want);
        if want_end > self.mapped_end {
            let len = want_end - self.mapped_end;
            // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping.
            let p = unsafe {
                libc::mmap(
                    self.mapped_end as *mut libc::c_void,
                    len as usize,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
                    -1,
                    0,
                )
            };
            if p == libc::MAP_FAILED || p as u64 != self.mapped_end {
                if p != libc::MAP_FAILED {
                    // SAFETY: unmapping what we just mapped at the wrong place.
                    unsafe { libc::munmap(p, len as usize) };
                }
                return self.cur;
            }
            note_exec(self.mapped_end, len, false);
            self.mapped_end = want_end;
        } else if want_end < self.mapped_end {
            // SAFETY: these pages belong to the heap we mapped.
            unsafe { libc::munmap(want_end as *mut libc::c_void, (self.mapped_end - want_end) as usize) };
            note_exec(want_end, self.mapped_end - want_end, false);
            self.mapped_end = want_end;
        }
        // Memory between the old and new break must read as zero when the break grows again
        // inside a page we kept: zero the tail of the last page on shrink.
        if want < self.cur && want_end > want {
            let n = (want_end.min(self.cur) - want) as usize;
            // SAFETY: [want, want+n) lies in heap pages we own and keep mapped.
            unsafe { std::ptr::write_bytes(want as *mut u8, 0, n) };
        }
        self.cur = want;
        self.cur
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The executable-range set against a page-by-page model, over pseudo-random changes.
    #[test]
    fn exec_ranges_match_a_page_model() {
        let mut set = std::collections::BTreeMap::new();
        let mut model = [false; 64];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let a = (x % 64) as usize;
            let b = (a + 1 + (x >> 8) as usize % 8).min(64);
            let exec = x >> 20 & 1 == 1;
            set_range(&mut set, a as u64 * PAGE_SIZE, b as u64 * PAGE_SIZE, exec);
            model[a..b].iter_mut().for_each(|p| *p = exec);
            // the set's ranges: disjoint, not touching, and exactly the model's pages
            let mut prev_end = None;
            let mut pages = [false; 64];
            for (&s, &e) in &set {
                assert!(s < e && prev_end.is_none_or(|p| p < s), "{set:?}");
                prev_end = Some(e);
                pages[(s / PAGE_SIZE) as usize..(e / PAGE_SIZE) as usize].iter_mut().for_each(|p| *p = true);
            }
            assert_eq!(pages, model);
        }
    }

    #[test]
    fn maps_lines_parse() {
        let l = b"aaaac0000000-aaaac0021000 r-xp 00000000 08:01 123  /usr/bin/prog";
        let m = parse_maps_line(l).unwrap();
        assert_eq!((m.start, m.end, m.perms[2] == b'x'), (0xaaaa_c000_0000, 0xaaaa_c002_1000, true));
        assert_eq!((m.offset, m.dev, m.inode), (0, (8, 1), 123));
        let l = b"7ffd1000-7ffd3000 rw-p 00000000 00:00 0                          [stack]";
        let m = parse_maps_line(l).unwrap();
        assert_eq!((m.start, m.end, m.perms[2] == b'x'), (0x7ffd_1000, 0x7ffd_3000, false));
        assert_eq!(parse_maps_line(b""), None);
        assert_eq!(parse_maps_line(b"garbage"), None);
        // a pathname that is not UTF-8 does not hide the line
        let l = b"7f0000001000-7f0000002000 r-xs 00003000 00:01 42 /tmp/\xff\xfe.so";
        let m = parse_maps_line(l).unwrap();
        assert_eq!((m.start, m.perms, m.offset, m.inode), (0x7f00_0000_1000, *b"r-xs", 0x3000, 42));
    }

    #[test]
    fn aliases_of_shared_file_pages() {
        let maps = "\
5555000000-5555001000 r-xp 00000000 08:01 77 /usr/bin/prog
7f0000000000-7f0000010000 rw-s 00000000 00:01 1234 /memfd:jit (deleted)
7f0000020000-7f0000028000 r-xs 00008000 00:01 1234 /memfd:jit (deleted)
7f0000030000-7f0000031000 rw-p 00000000 00:00 0
7f0000040000-7f0000041000 r--p 00000000 08:01 99 /usr/lib/a.so
7f0000041000-7f0000042000 r-xp 00001000 08:01 99 /usr/lib/a.so
";
        let lines = alias_lines_in(maps.as_bytes());
        // Only the memfd's two lines: a.so is mapped twice but never shared.
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(aliases_in(&lines, 0x7f0000008040), vec![0x7f0000020040]);
        assert_eq!(aliases_in(&lines, 0x7f0000020fc0), vec![0x7f0000008fc0]);
        // Outside the other line's file range, and not in an alias line at all.
        assert!(aliases_in(&lines, 0x7f0000000040).is_empty());
        assert!(aliases_in(&lines, 0x5555000040).is_empty());
        assert!(aliases_in(&lines, 0x7f0000030000).is_empty());
    }

    /// The copy used where process_vm_readv/writev are forbidden (Docker's seccomp): faults
    /// in it become a false return (the emulator's fault handler is installed here as at
    /// start-up), and it opens no descriptor.
    #[test]
    fn fault_copy_copies_and_reports_faults() {
        crate::linux::host_signal::install_fault_handlers();
        let fds_before = std::fs::read_dir("/proc/self/fd").unwrap().count();
        let src: Vec<u8> = (0..10000u32).map(|i| i as u8).collect();
        let mut dst = vec![0u8; src.len()];
        assert!(fault_copy::copy(src.as_ptr(), dst.as_mut_ptr(), src.len()));
        assert_eq!(src, dst);
        assert!(fault_copy::copy(src.as_ptr(), dst.as_mut_ptr(), 0));
        // SAFETY: a fresh private mapping of two pages, unmapped below.
        let page = unsafe {
            libc::mmap(std::ptr::null_mut(), 8192, libc::PROT_READ, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
        };
        assert_ne!(page, libc::MAP_FAILED);
        let p = page as *mut u8;
        assert!(fault_copy::copy(p, dst.as_mut_ptr(), 4096), "read-only page is readable");
        assert!(!fault_copy::copy(src.as_ptr(), p, 16), "read-only page is not writable");
        // SAFETY: our mapping.
        unsafe { libc::mprotect(page.wrapping_byte_add(4096), 4096, libc::PROT_NONE) };
        assert!(!fault_copy::copy(p.wrapping_add(4096), dst.as_mut_ptr(), 4), "PROT_NONE page is not readable");
        assert!(!fault_copy::copy(p.wrapping_add(4000), dst.as_mut_ptr(), 200), "a range running into it");
        assert!(probe_read(p as u64, &mut dst[..16]));
        // Later copies are unaffected.
        assert!(fault_copy::copy(src[100..].as_ptr(), dst.as_mut_ptr(), 8));
        assert_eq!(dst[..8], src[100..108]);
        // SAFETY: our mapping, no longer used.
        unsafe { libc::munmap(page, 8192) };
        assert_eq!(std::fs::read_dir("/proc/self/fd").unwrap().count(), fds_before);
    }
}
