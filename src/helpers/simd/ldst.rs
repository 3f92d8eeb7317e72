//! AdvSIMD structure loads and stores (LD1-LD4/ST1-ST4 multiple and single structure,
//! LD1R-LD4R, with and without post-index): Arm ARM C7 pseudocode of
//! "AdvSIMD load/store multiple structures" and "... single structure".
//!
//! Guest addresses are host addresses: memory is accessed directly with unaligned reads and
//! writes, one element at a time in the pseudocode's order, so that a fault part-way through
//! a store leaves memory as hardware would. The translator stores the instruction's pc in
//! `cpu.pc` before the call, so a host fault inside this helper is attributed to it.
//! Loads gather into temporaries and write the registers only after every access succeeded.
//! The base register 31 is SP; post-index with Rm = 31 adds the transfer size, otherwise X[Rm].

use super::lanes::*;
use crate::arch::Insn;
use crate::cpu::CpuState;

/// Called from translated code for every `ldst_simd` row.
pub(crate) extern "C" fn ldst_simd_helper(cpu: *mut CpuState, insn: u32) {
    // SAFETY: translated code passes the running thread's CpuState.
    let cpu = unsafe { &mut *cpu };
    execute(cpu, Insn(insn));
}

/// (rpt, selem) of a multiple-structures opcode, or None when unallocated.
fn multi_shape(opcode: u32) -> Option<(usize, usize)> {
    Some(match opcode {
        0b0000 => (1, 4),
        0b0010 => (4, 1),
        0b0100 => (1, 3),
        0b0110 => (3, 1),
        0b0111 => (1, 1),
        0b1000 => (1, 2),
        0b1010 => (2, 1),
        _ => return None,
    })
}

/// Decoded single-structure shape: (scale, selem, index, replicate), or None if reserved.
fn single_shape(i: Insn) -> Option<(u32, usize, usize, bool)> {
    let opcode = i.bits(15, 13);
    let (s, size, q, r) = (i.bit(12) as u32, i.bits(11, 10), i.q() as u32, i.bit(21) as u32);
    let selem = (((opcode & 1) << 1) | r) as usize + 1;
    let scale = opcode >> 1;
    Some(match scale {
        3 => {
            if !i.bit(22) || s == 1 {
                return None;
            }
            (size, selem, 0, true)
        }
        0 => (0, selem, ((q << 3) | (s << 2) | size) as usize, false),
        1 => {
            if size & 1 == 1 {
                return None;
            }
            (1, selem, ((q << 2) | (s << 1) | (size >> 1)) as usize, false)
        }
        _ => {
            if size & 2 != 0 {
                return None;
            }
            if size & 1 == 0 {
                (2, selem, ((q << 1) | s) as usize, false)
            } else {
                if s == 1 {
                    return None;
                }
                (3, selem, q as usize, false)
            }
        }
    })
}

fn is_multiple(i: Insn) -> bool {
    !i.bit(24)
}

/// Registers from the memory image of a multiple-structure load: element e of structure
/// member s of repeat r (register r + s: rpt > 1 implies selem == 1 and vice versa) is at
/// byte ((r * elements + e) * selem + s) * EB. Fixed-size copies keep this a few moves.
fn deinterleave<const EB: usize>(buf: &[u8; 64], regs: &mut [[u8; 16]; 4], rpt: usize, selem: usize, elements: usize) {
    for r in 0..rpt {
        for e in 0..elements {
            for s in 0..selem {
                let at = ((r * elements + e) * selem + s) * EB;
                let src: [u8; EB] = buf[at..at + EB].try_into().unwrap_or([0; EB]);
                regs[r + s][e * EB..(e + 1) * EB].copy_from_slice(&src);
            }
        }
    }
}

/// The memory image of a multiple-structure store (the inverse of [`deinterleave`]).
fn interleave<const EB: usize>(buf: &mut [u8; 64], regs: &[[u8; 16]; 4], rpt: usize, selem: usize, elements: usize) {
    for r in 0..rpt {
        for e in 0..elements {
            for s in 0..selem {
                let at = ((r * elements + e) * selem + s) * EB;
                let src: [u8; EB] = regs[r + s][e * EB..(e + 1) * EB].try_into().unwrap_or([0; EB]);
                buf[at..at + EB].copy_from_slice(&src);
            }
        }
    }
}

/// True when the word is a reserved encoding of the AdvSIMD structure load/store class.
pub fn undefined(i: Insn) -> bool {
    if is_multiple(i) {
        match multi_shape(i.bits(15, 12)) {
            None => true,
            Some((_, selem)) => i.bits(11, 10) == 3 && !i.q() && selem != 1,
        }
    } else {
        single_shape(i).is_none()
    }
}

/// Read `bytes` (1, 2, 4 or 8) little-endian bytes at guest address `a`.
///
/// # Safety
/// `a` must be a mapped, readable guest (= host) address: a fault is the guest's fault and is
/// handled by the host SIGSEGV handler with `cpu.pc` naming the instruction.
unsafe fn load(a: u64, bytes: u32) -> u64 {
    let p = a as usize as *const u8;
    match bytes {
        1 => p.read_volatile() as u64,
        2 => (p as *const u16).read_unaligned() as u64,
        4 => (p as *const u32).read_unaligned() as u64,
        _ => (p as *const u64).read_unaligned(),
    }
}

/// Write the low `bytes` bytes of `v` at guest address `a` (see [`load`]).
unsafe fn store(a: u64, bytes: u32, v: u64) {
    let p = a as usize as *mut u8;
    match bytes {
        1 => p.write_volatile(v as u8),
        2 => (p as *mut u16).write_unaligned(v as u16),
        4 => (p as *mut u32).write_unaligned(v as u32),
        _ => (p as *mut u64).write_unaligned(v),
    }
}

/// Execute a (non-reserved) structure load/store word.
pub fn execute(cpu: &mut CpuState, i: Insn) {
    let t = i.rt() as usize;
    let n = i.rn() as usize;
    let load_op = i.bit(22);
    let wback = i.bit(23);
    let address = cpu.x[n];
    let mut offs: u64 = 0;
    if is_multiple(i) {
        let Some((rpt, selem)) = multi_shape(i.bits(15, 12)) else { return };
        let esize = 8u32 << i.bits(11, 10);
        let ebytes = esize / 8;
        let datasize = if i.q() { 128 } else { 64 };
        let elements = (datasize / esize) as usize;
        // The whole transfer is one contiguous block of memory: copy it in (or out) at once
        // and (de)interleave in a local buffer. Element k of structure member s of repeat r
        // is at byte ((r * elements + e) * selem + s) * ebytes.
        let ebytes = ebytes as usize;
        let dbytes = elements * ebytes;
        let total = rpt * selem * dbytes;
        let mut buf = [0u8; 64];
        let mut regs = [[0u8; 16]; 4];
        if load_op {
            // SAFETY: guest memory access; a fault is the guest's (see `load`).
            unsafe { std::ptr::copy_nonoverlapping(address as usize as *const u8, buf.as_mut_ptr(), total) };
            match ebytes {
                1 => deinterleave::<1>(&buf, &mut regs, rpt, selem, elements),
                2 => deinterleave::<2>(&buf, &mut regs, rpt, selem, elements),
                4 => deinterleave::<4>(&buf, &mut regs, rpt, selem, elements),
                _ => deinterleave::<8>(&buf, &mut regs, rpt, selem, elements),
            }
            for (k, v) in regs.iter().enumerate().take(rpt.max(selem)) {
                write_v(cpu, (t + k) % 32, u128::from_le_bytes(*v), datasize);
            }
        } else {
            for (k, v) in regs.iter_mut().enumerate().take(rpt.max(selem)) {
                *v = cpu.v[(t + k) % 32].to_le_bytes();
            }
            match ebytes {
                1 => interleave::<1>(&mut buf, &regs, rpt, selem, elements),
                2 => interleave::<2>(&mut buf, &regs, rpt, selem, elements),
                4 => interleave::<4>(&mut buf, &regs, rpt, selem, elements),
                _ => interleave::<8>(&mut buf, &regs, rpt, selem, elements),
            }
            // SAFETY: guest memory access; a fault is the guest's (see `store`).
            unsafe { std::ptr::copy_nonoverlapping(buf.as_ptr(), address as usize as *mut u8, total) };
        }
        offs = total as u64;
    } else {
        let Some((scale, selem, index, replicate)) = single_shape(i) else { return };
        let esize = 8u32 << scale;
        let ebytes = esize / 8;
        let mut vals = [0u64; 4];
        for (s, val) in vals.iter_mut().enumerate().take(selem) {
            let a = address.wrapping_add(offs);
            if load_op {
                // SAFETY: guest memory access; see `load`.
                *val = unsafe { load(a, ebytes) };
            } else {
                let v = elem(cpu.v[(t + s) % 32], index, esize);
                // SAFETY: guest memory access; see `store`.
                unsafe { store(a, ebytes, v) };
            }
            offs += ebytes as u64;
        }
        if load_op {
            for (s, &val) in vals.iter().enumerate().take(selem) {
                let tt = (t + s) % 32;
                if replicate {
                    let datasize = if i.q() { 128 } else { 64 };
                    let mut r = 0u128;
                    for e in 0..(datasize / esize) as usize {
                        set_elem(&mut r, e, esize, val);
                    }
                    write_v(cpu, tt, r, datasize);
                } else {
                    let mut r = cpu.v[tt];
                    set_elem(&mut r, index, esize, val);
                    cpu.v[tt] = r;
                }
            }
        }
    }
    if wback {
        let m = i.rm() as usize;
        let inc = if m == 31 { offs } else { cpu.x[m] };
        cpu.x[n] = address.wrapping_add(inc);
    }
}
