//! System-register and miscellaneous helpers called from translated code.

use crate::cpu::CpuState;

/// CNTVCT_EL0 / CNTPCT_EL0: CLOCK_MONOTONIC in units of CNTFRQ_EL0 (1 GHz = nanoseconds).
pub extern "C" fn counter(_cpu: *mut CpuState) -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64)
}

/// Record an alignment fault for the FAULT exit: returns the non-zero status.
fn alignment_fault(cpu: &mut CpuState, addr: u64) -> u32 {
    cpu.exit_arg = addr;
    cpu.scratch[0] = libc::SIGBUS as u64;
    cpu.scratch[1] = libc::BUS_ADRALN as u64;
    1
}

#[allow(clippy::not_unsafe_ptr_arg_deref)] // called only from translated code with its own state
/// LDXP/LDAXP of two X registers (a 16-byte exclusive). Returns 0, or 1 after recording an
/// alignment fault.
pub extern "C" fn load_exclusive_pair128(cpu: *mut CpuState, insn: u32) -> u32 {
    // SAFETY: called from translated code with the running thread's state.
    let cpu = unsafe { &mut *cpu };
    let (t, n, t2) = ((insn & 31) as usize, ((insn >> 5) & 31) as usize, ((insn >> 10) & 31) as usize);
    let addr = cpu.x[n];
    if addr % 16 != 0 {
        return alignment_fault(cpu, addr);
    }
    // SAFETY: guest address == host address; a fault is mapped back to the instruction.
    let (lo, hi) =
        unsafe { (std::ptr::read_volatile(addr as *const u64), std::ptr::read_volatile((addr + 8) as *const u64)) };
    cpu.excl_addr = addr;
    cpu.excl_val = [lo, hi];
    cpu.excl_size = 16;
    if t != 31 {
        cpu.x[t] = lo;
    }
    if t2 != 31 {
        cpu.x[t2] = hi;
    }
    0
}

#[allow(clippy::not_unsafe_ptr_arg_deref)] // called only from translated code with its own state
/// STXP/STLXP of two X registers: a 16-byte compare-and-swap against the values LDXP saw.
pub extern "C" fn store_exclusive_pair128(cpu: *mut CpuState, insn: u32) -> u32 {
    // SAFETY: called from translated code with the running thread's state.
    let cpu = unsafe { &mut *cpu };
    let (t, n, t2, s) =
        ((insn & 31) as usize, ((insn >> 5) & 31) as usize, ((insn >> 10) & 31) as usize, ((insn >> 16) & 31) as usize);
    let addr = cpu.x[n];
    if addr % 16 != 0 {
        return alignment_fault(cpu, addr);
    }
    let val = |r: usize| if r == 31 { 0 } else { cpu.x[r] };
    let new = (val(t) as u128) | ((val(t2) as u128) << 64);
    let mut status = 1u64;
    if cpu.excl_addr == addr && cpu.excl_size == 16 {
        let old = (cpu.excl_val[0] as u128) | ((cpu.excl_val[1] as u128) << 64);
        // SAFETY: 16-byte aligned guest address (checked); cmpxchg16b exists on every x86_64
        // CPU this emulator runs on. rbx is reserved by LLVM, so the low half of the new value
        // is swapped into it around the instruction.
        let (seen_lo, seen_hi): (u64, u64);
        unsafe {
            std::arch::asm!(
                "xchg {tmp}, rbx",
                "lock cmpxchg16b [{p}]",
                "mov rbx, {tmp}",
                tmp = inout(reg) new as u64 => _,
                p = in(reg) addr,
                inout("rax") old as u64 => seen_lo,
                inout("rdx") (old >> 64) as u64 => seen_hi,
                in("rcx") (new >> 64) as u64,
            );
        }
        let seen = (seen_lo as u128) | ((seen_hi as u128) << 64);
        if seen == old {
            status = 0;
        }
    }
    cpu.excl_addr = crate::cpu::EXCL_NONE;
    if s != 31 {
        cpu.x[s] = status;
    }
    0
}

#[allow(clippy::not_unsafe_ptr_arg_deref)] // called only from translated code with its own state
/// CASP{A}{L}: compare-and-swap of a register pair (Rs, Rs+1) against memory, writing
/// (Rt, Rt+1) on a match; the pair read is returned in (Rs, Rs+1). W pairs are one 8-byte
/// access, X pairs one 16-byte access (cmpxchg16b). Returns 0, or 1 after recording an
/// alignment fault.
pub extern "C" fn compare_and_swap_pair(cpu: *mut CpuState, insn: u32) -> u32 {
    // SAFETY: called from translated code with the running thread's state.
    let cpu = unsafe { &mut *cpu };
    let (t, n, s) = ((insn & 31) as usize, ((insn >> 5) & 31) as usize, ((insn >> 16) & 31) as usize);
    let wide = insn >> 30 & 1 == 1;
    let addr = cpu.x[n];
    let val = |c: &CpuState, r: usize| if r >= 31 { 0 } else { c.x[r] };
    if wide {
        if addr % 16 != 0 {
            return alignment_fault(cpu, addr);
        }
        let (old_lo, old_hi, new_lo, new_hi) = (val(cpu, s), val(cpu, s + 1), val(cpu, t), val(cpu, t + 1));
        let (seen_lo, seen_hi): (u64, u64);
        // SAFETY: 16-byte aligned guest address (checked); see store_exclusive_pair128 for rbx.
        unsafe {
            std::arch::asm!(
                "xchg {tmp}, rbx",
                "lock cmpxchg16b [{p}]",
                "mov rbx, {tmp}",
                tmp = inout(reg) new_lo => _,
                p = in(reg) addr,
                inout("rax") old_lo => seen_lo,
                inout("rdx") old_hi => seen_hi,
                in("rcx") new_hi,
            );
        }
        if s < 31 {
            cpu.x[s] = seen_lo;
        }
        if s + 1 < 31 {
            cpu.x[s + 1] = seen_hi;
        }
    } else {
        if addr % 8 != 0 {
            return alignment_fault(cpu, addr);
        }
        let old = (val(cpu, s) & 0xffff_ffff) | (val(cpu, s + 1) << 32);
        let new = (val(cpu, t) & 0xffff_ffff) | (val(cpu, t + 1) << 32);
        // SAFETY: 8-byte aligned guest address (checked); guest address == host address.
        let a = unsafe { &*(addr as *const std::sync::atomic::AtomicU64) };
        let seen = match a.compare_exchange(
            old,
            new,
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
        ) {
            Ok(v) | Err(v) => v,
        };
        if s < 31 {
            cpu.x[s] = seen & 0xffff_ffff;
        }
        if s + 1 < 31 {
            cpu.x[s + 1] = seen >> 32;
        }
    }
    0
}
