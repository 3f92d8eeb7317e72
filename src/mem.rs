//! Guest memory bookkeeping. Guest addresses are host addresses (DESIGN.md): this module does
//! not translate addresses, it keeps the program break and answers "is this guest address
//! readable?" for the translator's instruction fetch.
//!
//! Thread safety: `read_guest_u32` keeps a per-thread cache of pages it validated, dropped
//! by every thread when any thread changes mappings (`forget_validated_pages`).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

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

/// Read a u32 of guest memory if it is mapped readable, without risking a host fault.
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
        if !probe_read(addr, &mut buf) {
            return None;
        }
        VALIDATED.with(|v| v.borrow_mut().pages[slot] = page);
        return Some(u32::from_le_bytes(buf));
    }
    // SAFETY: the page was validated as readable since the last mapping change;
    // guest addr == host addr.
    Some(unsafe { std::ptr::read_volatile(addr as *const u32) })
}

/// Copy guest memory at `addr` into `buf` if all of it is readable (uses process_vm_readv on
/// ourselves, which reports EFAULT instead of faulting).
pub fn probe_read(addr: u64, buf: &mut [u8]) -> bool {
    let local = libc::iovec { iov_base: buf.as_mut_ptr() as *mut libc::c_void, iov_len: buf.len() };
    let remote = libc::iovec { iov_base: addr as *mut libc::c_void, iov_len: buf.len() };
    // SAFETY: reading our own address space through the kernel; faults become errors.
    let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    n == buf.len() as isize
}

/// Write `data` to guest memory at `addr` if all of it is writable.
pub fn probe_write(addr: u64, data: &[u8]) -> bool {
    let local = libc::iovec { iov_base: data.as_ptr() as *mut libc::c_void, iov_len: data.len() };
    let remote = libc::iovec { iov_base: addr as *mut libc::c_void, iov_len: data.len() };
    // SAFETY: writing our own address space through the kernel; faults become errors.
    let n = unsafe { libc::process_vm_writev(libc::getpid(), &local, 1, &remote, 1, 0) };
    n == data.len() as isize
}

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
        if want < self.start {
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
            self.mapped_end = want_end;
        } else if want_end < self.mapped_end {
            // SAFETY: these pages belong to the heap we mapped.
            unsafe { libc::munmap(want_end as *mut libc::c_void, (self.mapped_end - want_end) as usize) };
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
