//! The code cache: one anonymous RWX mapping owned by the JIT.
//!
//! The first page holds the entry/exit trampolines and survives `reset`; blocks are appended
//! after it and never move. When the cache is full the JIT flushes it whole.

use super::emit::dasm;
use super::emit::exit::{self, HOST_FAULT};
use super::emit::{emit_materialize_nzcv, emit_split_nzcv, MAPPED};
use crate::cpu::{off_x, OFF_CHAIN_SITE, OFF_FAULT_REGS, OFF_HOST_RSP, OFF_NZCV, OFF_PC, OFF_SCRATCH};
use dynasmrt::x64::X64Relocation;
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi, VecAssembler};

const TRAMPOLINE_AREA: usize = 4096;

pub struct CodeCache {
    base: *mut u8,
    size: usize,
    cursor: usize,
    /// [`CodeCache::prefetch_next`] has fetched the lines below this offset already.
    prefetched: usize,
}

// SAFETY: the mapping is owned by the cache and only written through `&mut self`.
unsafe impl Send for CodeCache {}

/// Bytes before each block's code: padding, then its guest pc (see `commit_block`).
const BLOCK_HEADER: usize = 16;

/// The inaccessible bytes after the cache's end.
const GUARD_BYTES: usize = 64 << 10;
/// How much of the cache [`CodeCache::prefetch_next`] fetches: more than most blocks take.
const PREFETCH_BYTES: usize = 2048;
/// x86_64's transparent huge page size.
const HUGE_PAGE: usize = 2 << 20;

impl CodeCache {
    pub fn new(size: usize) -> std::io::Result<CodeCache> {
        // (whole 16-byte units, so that `commit`'s padding always fits)
        let size = size.next_multiple_of(16);
        // SAFETY: fresh anonymous mapping; checked for failure.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size + GUARD_BYTES,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        // The guard after the end: a translator that writes past its bound while emitting in
        // place (`Asm::reset_in_place`) faults there instead of writing over other memory.
        // SAFETY: the tail of our own fresh mapping.
        if unsafe { libc::mprotect((p as usize + size) as *mut libc::c_void, GUARD_BYTES, libc::PROT_NONE) } != 0 {
            let e = std::io::Error::last_os_error();
            // SAFETY: our own fresh mapping.
            unsafe { libc::munmap(p, size + GUARD_BYTES) };
            return Err(e);
        }
        // Past its first 2 MiB, the cache asks for transparent huge pages: a large program
        // (a Python start-up translates some 11 MB) then takes one page fault per 2 MiB
        // instead of 512 while it translates, and its code runs with fewer iTLB misses; a
        // small one (hello: 100 KB of code) keeps 4 KiB pages and a small RSS. Advice only:
        // without THP the call fails and nothing changes.
        let huge_from = (p as usize + HUGE_PAGE).next_multiple_of(HUGE_PAGE);
        let end = p as usize + size;
        if huge_from < end {
            // SAFETY: advice on a range inside our own fresh mapping.
            unsafe { libc::madvise(huge_from as *mut libc::c_void, end - huge_from, libc::MADV_HUGEPAGE) };
        }
        Ok(CodeCache { base: p as *mut u8, size, cursor: 0, prefetched: 0 })
    }

    /// Address where the next block will be placed.
    pub fn next_addr(&self) -> usize {
        self.base as usize + self.cursor
    }

    pub fn free_bytes(&self) -> usize {
        self.size - self.cursor
    }

    /// Start fetching the cache lines the next block will be copied to while it is being
    /// translated: the copy then does not wait for them (the cache is reused after a flush,
    /// its lines long evicted, and the lock release after the copy waits for every store to
    /// complete). PREFETCHT0: PREFETCHW would need a target feature the build does not assume.
    /// Only the lines not fetched for an earlier block are fetched again (a short block
    /// takes a few lines of the PREFETCH_BYTES ahead).
    #[inline]
    pub fn prefetch_next(&mut self) {
        let end = (self.cursor + PREFETCH_BYTES).min(self.size);
        let mut at = self.cursor.max(self.prefetched) & !63;
        self.prefetched = end;
        while at < end {
            // SAFETY: a prefetch is only a hint; the address lies inside our mapping.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(self.base.add(at) as *const i8)
            };
            at += 64;
        }
    }

    /// Where the code of the next block goes (`commit_block`): after a 16-byte header, so
    /// that it stays 16-byte aligned with its guest pc in the 8 bytes before it.
    pub fn next_block_addr(&self) -> usize {
        self.next_addr() + BLOCK_HEADER
    }

    /// Copy a block's `code` (assembled for base `next_block_addr()`) into the cache after a
    /// header holding its guest `pc` in the 8 bytes before the code (what the indirect-branch
    /// lookup checks, `jit::LookupEntry`); returns the code's address.
    /// Code written in place already (at `next_block_addr()`) is not copied.
    pub fn commit_block(&mut self, pc: u64, code: &[u8]) -> Option<usize> {
        if code.len() + BLOCK_HEADER > self.free_bytes() {
            return None;
        }
        let mut header = [0u8; BLOCK_HEADER];
        header[BLOCK_HEADER - 8..].copy_from_slice(&pc.to_le_bytes());
        if code.as_ptr() as usize == self.next_block_addr() {
            let at = self.next_block_addr();
            // SAFETY: the header's bytes lie in our mapping before the code, not yet in use.
            unsafe { std::ptr::copy_nonoverlapping(header.as_ptr(), self.next_addr() as *mut u8, BLOCK_HEADER) };
            self.cursor = (self.cursor + BLOCK_HEADER + code.len() + 15) & !15;
            return Some(at);
        }
        let header_at = self.commit(&header)?;
        let at = self.commit(code)?;
        debug_assert_eq!(at, header_at + BLOCK_HEADER);
        Some(at)
    }

    /// Bytes from the next block's code address to the cache's end (how far a block written
    /// in place may reach).
    pub fn next_block_room(&self) -> usize {
        self.free_bytes().saturating_sub(BLOCK_HEADER)
    }

    /// Copy `code` (assembled for base `next_addr()`) into the cache; returns its address.
    pub fn commit(&mut self, code: &[u8]) -> Option<usize> {
        if code.len() > self.free_bytes() {
            return None;
        }
        let at = self.next_addr();
        // SAFETY: [at, at+len) lies inside our mapping (checked above) and is not yet in use.
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), at as *mut u8, code.len()) };
        // Keep blocks 16-byte aligned (the size is a multiple of 16, so the padding fits).
        self.cursor = (self.cursor + code.len() + 15) & !15;
        Some(at)
    }

    pub fn reset(&mut self) {
        self.cursor = TRAMPOLINE_AREA;
        self.prefetched = 0;
    }

    /// [start, end) of the mapping.
    pub fn range(&self) -> (usize, usize) {
        (self.base as usize, self.base as usize + self.size)
    }

    pub fn contains(&self, addr: usize) -> bool {
        addr >= self.base as usize && addr < self.base as usize + self.size
    }
}

impl Drop for CodeCache {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping; no translated code runs after the JIT is dropped.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.size + GUARD_BYTES) };
    }
}

/// Addresses of the fixed code at the start of the cache.
#[derive(Clone, Copy, Debug)]
pub struct Trampolines {
    /// `extern "C" fn(cpu: *mut CpuState, host: usize) -> u32`
    pub enter: usize,
    /// Jumped to with eax = exit code.
    pub exit: usize,
    /// Jumped to by the host fault handler for a fault in translated code: restores the
    /// translated-code rsp and exits with HOST_FAULT (storing the mapped registers).
    pub fault: usize,
    /// The same for a fault inside a helper: the mapped registers were stored before the
    /// call and the host registers may hold the helper's values, so they are not stored.
    pub fault_in_helper: usize,
    /// Called from a slow path of the V-register cache (`vcache::Cold::Vonly`, `Cold::Simd`)
    /// with rax = an `extern "C"` helper whose arguments after the cpu are already in rsi,
    /// rdx: calls `helper(cpu, rsi, rdx)` and returns with every general-purpose register the
    /// translated code uses and xmm6-xmm15 (the cache) as they were, so the slow path reloads
    /// only what the helper wrote, and each slow path is a few bytes.
    pub slow_call: usize,
    /// Shared tails of the blocks' exit stubs, each called from a stub `call rel32` followed
    /// by the stub's data (see [`Emitter::pc_exit_stub`](super::emit::Emitter)): the return
    /// address points to that data, which the trampoline reads and pops.
    /// `chain`: data = the target pc (8 bytes), then the rel32 site to link relative to the
    /// data's address (4 bytes); sets `cpu.pc` and `cpu.chain_site`, exits with CHAIN.
    pub chain: usize,
    /// The same, exiting with CHAIN_EXACT.
    pub chain_exact: usize,
    /// data = the pc (8 bytes); sets `cpu.pc`, exits with INTERRUPT.
    pub interrupt: usize,
    /// data = the pc (8 bytes); sets `cpu.pc`, exits with LOOKUP.
    pub lookup: usize,
}

/// Emit the entry, exit and fault trampolines at the start of the cache.
pub fn emit_trampolines(cache: &mut CodeCache) -> Trampolines {
    let base = cache.next_addr();
    let mut ops: VecAssembler<X64Relocation> = VecAssembler::new(base);
    // enter: rdi = cpu, rsi = host code. Six pushes + 8 keep rsp 16-byte aligned inside.
    dasm!(ops
        ; push rbp
        ; push rbx
        ; push r12
        ; push r13
        ; push r14
        ; push r15
        ; sub rsp, 8
        ; mov rbx, rdi
        ; mov QWORD [rbx + OFF_HOST_RSP as i32], rsp
    );
    for (n, g) in MAPPED {
        dasm!(ops; mov Rq(g), QWORD [rbx + off_x(n)]);
    }
    dasm!(ops; mov eax, DWORD [rbx + OFF_NZCV as i32]);
    emit_split_nzcv(&mut ops);
    dasm!(ops; jmp rsi);
    let exit_off = ops.offset().0;
    dasm!(ops; ->exit_with_store:);
    for (n, g) in MAPPED {
        dasm!(ops; mov QWORD [rbx + off_x(n)], Rq(g));
    }
    dasm!(ops
        ; ->exit_label:
        ; mov r11d, eax
    );
    emit_materialize_nzcv(&mut ops);
    dasm!(ops
        ; mov QWORD [rbx + OFF_NZCV as i32], rax
        ; mov eax, r11d
        ; add rsp, 8
        ; pop r15
        ; pop r14
        ; pop r13
        ; pop r12
        ; pop rbx
        ; pop rbp
        ; ret
    );
    // A fault in translated code: the mapped host registers go to `fault_regs`, not to `x`,
    // because the block may have swapped guest registers (Jit::run puts them in place);
    // scratch[4] = 1 says so.
    let fault_off = ops.offset().0;
    dasm!(ops; mov rsp, QWORD [rbx + OFF_HOST_RSP as i32]);
    for (k, (_, g)) in MAPPED.iter().enumerate() {
        dasm!(ops; mov QWORD [rbx + (OFF_FAULT_REGS + 8 * k) as i32], Rq(*g));
    }
    dasm!(ops
        ; mov QWORD [rbx + (OFF_SCRATCH + 32) as i32], 1
        ; mov eax, HOST_FAULT as i32
        ; jmp ->exit_label
    );
    let fault_helper_off = ops.offset().0;
    dasm!(ops
        ; mov rsp, QWORD [rbx + OFF_HOST_RSP as i32]
        ; mov QWORD [rbx + (OFF_SCRATCH + 32) as i32], 0
        ; mov eax, HOST_FAULT as i32
        ; jmp ->exit_label
    );
    // slow_call: entered with rsp 16-byte aligned minus the return address; four pushes and
    // 168 bytes (ten xmm registers and 8 of padding) align it again for the call.
    let slow_call_off = ops.offset().0;
    dasm!(ops
        ; push r8
        ; push r9
        ; push r10
        ; push r11
        ; sub rsp, 168
    );
    for k in 0..10u8 {
        dasm!(ops; movdqa [rsp + 16 * k as i32], Rx(6 + k));
    }
    dasm!(ops
        ; mov rdi, rbx
        ; call rax
    );
    for k in 0..10u8 {
        dasm!(ops; movdqa Rx(6 + k), [rsp + 16 * k as i32]);
    }
    dasm!(ops
        ; add rsp, 168
        ; pop r11
        ; pop r10
        ; pop r9
        ; pop r8
        ; ret
    );
    // The exit-stub tails: rax = the stub's data (the return address), popped; rcx scratch;
    // the x86 flags are left alone (nothing here needs them, but a stub must not care).
    let pc_exit = |ops: &mut VecAssembler<X64Relocation>, code: u32, site: bool| {
        let at = ops.offset().0;
        dasm!(ops
            ; pop rax
            ; mov rcx, QWORD [rax]
            ; mov QWORD [rbx + OFF_PC as i32], rcx
        );
        if site {
            dasm!(ops
                ; movsxd rcx, DWORD [rax + 8]
                ; lea rcx, [rax + rcx]
                ; mov QWORD [rbx + OFF_CHAIN_SITE as i32], rcx
            );
        }
        dasm!(ops
            ; mov eax, code as i32
            ; jmp ->exit_with_store
        );
        at
    };
    let chain_off = pc_exit(&mut ops, exit::CHAIN, true);
    let chain_exact_off = pc_exit(&mut ops, exit::CHAIN_EXACT, true);
    let interrupt_off = pc_exit(&mut ops, exit::INTERRUPT, false);
    let lookup_off = pc_exit(&mut ops, exit::LOOKUP, false);
    let code = ops.finalize().expect("trampolines assemble");
    let at = cache.commit(&code).expect("code cache too small for trampolines");
    cache.cursor = TRAMPOLINE_AREA;
    Trampolines {
        enter: at,
        exit: at + exit_off,
        fault: at + fault_off,
        fault_in_helper: at + fault_helper_off,
        slow_call: at + slow_call_off,
        chain: at + chain_off,
        chain_exact: at + chain_exact_off,
        interrupt: at + interrupt_off,
        lookup: at + lookup_off,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commits fill the cache exactly to its end and then fail, padding included; a block
    /// lands after its 16-byte header, with its pc in the 8 bytes before the code.
    #[test]
    fn commits_stop_at_the_end() {
        let mut c = CodeCache::new(8192).unwrap();
        c.cursor = 0;
        let at = c.commit_block(0x1234, &[0xc3; 100]).unwrap();
        assert_eq!(at, c.range().0 + BLOCK_HEADER);
        // SAFETY: reading the header just written inside our mapping.
        assert_eq!(unsafe { std::ptr::read((at - 8) as *const u64) }, 0x1234);
        assert_eq!(c.free_bytes(), 8192 - 128);
        assert!(c.commit(&[0; 8192 - 128 + 1]).is_none());
        assert!(c.commit(&[0; 8192 - 128 - 5]).is_some(), "the padding to 16 fits");
        assert_eq!(c.free_bytes(), 0);
        assert!(c.commit(&[0; 1]).is_none());
        assert!(c.commit_block(1, &[]).is_none());
    }
}
