//! AdvSIMD floating point lanes: vector and scalar three same, two-register misc, across
//! lanes, pairwise, fixed-point conversions and by element. Every lane goes through the exact
//! element functions of `crate::helpers::fp` (no host FP here), under the current FPCR; their
//! cumulative exception flags are ORed into FPSR once per instruction.
//!
//! Element size: `sz` (bit 22) selects single (0) or double (1); half precision arithmetic is
//! FEAT_FP16 and not implemented (those encodings are UNDEFINED in `super::undefined`).

use super::lanes::*;
use crate::arch::Insn;
use crate::cpu::CpuState;
use crate::helpers::fp::{self, FpSize};

/// Shape of an FP instruction: (FpSize, esize, datasize, elements).
fn shape(i: Insn) -> (FpSize, u32, u32, usize) {
    let sz = if i.bit(22) { FpSize::D } else { FpSize::S };
    let esize = sz.bits();
    let datasize = if i.bit(28) {
        esize
    } else if i.q() {
        128
    } else {
        64
    };
    (sz, esize, datasize, (datasize / esize) as usize)
}

/// Run `body` with (fpcr, &mut fpsr-flags) and merge the flags into FPSR.
fn with_fp<R>(cpu: &mut CpuState, body: impl FnOnce(u32, &mut u32) -> R) -> R {
    let fpcr = cpu.fpcr as u32;
    let mut flags = 0u32;
    let r = body(fpcr, &mut flags);
    cpu.fpsr |= flags as u64;
    r
}

/// A binary FP lane operation: f(sz, n, m, d, fpcr, fpsr).
pub type Bin = fn(FpSize, u64, u64, u64, u32, &mut u32) -> u64;

/// Elementwise three same (vector or scalar).
pub fn same(cpu: &mut CpuState, i: Insn, f: Bin) {
    let (sz, esize, datasize, elements) = shape(i);
    let (d, n, m) = (i.rd() as usize, i.rn() as usize, i.rm() as usize);
    let (vn, vm, vd) = (cpu.v[n], cpu.v[m], cpu.v[d]);
    let r = with_fp(cpu, |fpcr, fpsr| {
        let mut r = 0u128;
        for e in 0..elements {
            let x = f(sz, elem(vn, e, esize), elem(vm, e, esize), elem(vd, e, esize), fpcr, fpsr);
            set_elem(&mut r, e, esize, x);
        }
        r
    });
    write_v(cpu, d, r, datasize);
}

/// Vector pairwise over Rm:Rn.
pub fn pairwise(cpu: &mut CpuState, i: Insn, f: Bin) {
    let (sz, esize, datasize, elements) = shape(i);
    let (d, n, m) = (i.rd() as usize, i.rn() as usize, i.rm() as usize);
    let (vn, vm) = (cpu.v[n], cpu.v[m]);
    let src = |k: usize| if k < elements { elem(vn, k, esize) } else { elem(vm, k - elements, esize) };
    let r = with_fp(cpu, |fpcr, fpsr| {
        let mut r = 0u128;
        for e in 0..elements {
            set_elem(&mut r, e, esize, f(sz, src(2 * e), src(2 * e + 1), 0, fpcr, fpsr));
        }
        r
    });
    write_v(cpu, d, r, datasize);
}

/// Scalar pairwise (FADDP Sd/Dd, FMAXP, ...): the two lowest elements of Vn.
pub fn pairwise_scalar(cpu: &mut CpuState, i: Insn, f: Bin) {
    let (sz, esize, _, _) = shape(i);
    let vn = cpu.v[i.rn() as usize];
    let r = with_fp(cpu, |fpcr, fpsr| f(sz, elem(vn, 0, esize), elem(vn, 1, esize), 0, fpcr, fpsr));
    write_v(cpu, i.rd() as usize, r as u128, esize);
}

/// Across lanes (FMAXV, ...): Reduce() halves recursively, op(lower, upper).
pub fn across(cpu: &mut CpuState, i: Insn, f: Bin) {
    let (sz, esize, _, elements) = shape(i);
    let vn = cpu.v[i.rn() as usize];
    let lanes: Vec<u64> = (0..elements).map(|e| elem(vn, e, esize)).collect();
    fn reduce(sz: FpSize, l: &[u64], f: Bin, fpcr: u32, fpsr: &mut u32) -> u64 {
        if l.len() == 1 {
            return l[0];
        }
        let h = l.len() / 2;
        let hi = reduce(sz, &l[h..], f, fpcr, fpsr);
        let lo = reduce(sz, &l[..h], f, fpcr, fpsr);
        f(sz, lo, hi, 0, fpcr, fpsr)
    }
    let r = with_fp(cpu, |fpcr, fpsr| reduce(sz, &lanes, f, fpcr, fpsr));
    write_v(cpu, i.rd() as usize, r as u128, esize);
}

/// Unary elementwise (two-register misc, vector or scalar): f(sz, x, fpcr, fpsr).
pub fn misc(cpu: &mut CpuState, i: Insn, f: impl Fn(FpSize, u64, u32, &mut u32) -> u64) {
    let (sz, esize, datasize, elements) = shape(i);
    let vn = cpu.v[i.rn() as usize];
    let r = with_fp(cpu, |fpcr, fpsr| {
        let mut r = 0u128;
        for e in 0..elements {
            set_elem(&mut r, e, esize, f(sz, elem(vn, e, esize), fpcr, fpsr));
        }
        r
    });
    write_v(cpu, i.rd() as usize, r, datasize);
}

/// FCVTN/FCVTXN (vector: into the Q half; scalar FCVTXN: a single-precision scalar).
pub fn fcvtn(cpu: &mut CpuState, i: Insn, round_odd: bool) {
    let (from, to) = if i.bit(22) { (FpSize::D, FpSize::S) } else { (FpSize::S, FpSize::H) };
    let (fbits, tbits) = (from.bits(), to.bits());
    let scalar = i.bit(28);
    let elements = if scalar { 1 } else { (64 / tbits) as usize };
    let vn = cpu.v[i.rn() as usize];
    let r = with_fp(cpu, |fpcr, fpsr| {
        let mut r = 0u128;
        for e in 0..elements {
            let x = elem(vn, e, fbits);
            let y = if round_odd {
                fp::fp_convert_rm(from, to, x, fp::RM_ODD, fpcr, fpsr)
            } else {
                fp::fp_convert(from, to, x, fpcr, fpsr)
            };
            set_elem(&mut r, e, tbits, y);
        }
        r
    });
    let d = i.rd() as usize;
    if scalar {
        write_v(cpu, d, r, tbits);
    } else {
        write_vpart(cpu, d, r as u64, i.q());
    }
}

/// FCVTL: widen the Q half (H->S or S->D).
pub fn fcvtl(cpu: &mut CpuState, i: Insn) {
    let (from, to) = if i.bit(22) { (FpSize::S, FpSize::D) } else { (FpSize::H, FpSize::S) };
    let src = read_vpart(cpu, i.rn() as usize, i.q()) as u128;
    let r = with_fp(cpu, |fpcr, fpsr| {
        let mut r = 0u128;
        for e in 0..(64 / from.bits()) as usize {
            set_elem(&mut r, e, to.bits(), fp::fp_convert(from, to, elem(src, e, from.bits()), fpcr, fpsr));
        }
        r
    });
    write_v(cpu, i.rd() as usize, r, 128);
}

/// Fixed-point conversions of the shift-by-immediate class: fbits = 2*esize - immh:immb.
pub fn fixed(cpu: &mut CpuState, i: Insn, to_int: bool, unsigned: bool) {
    let immh = i.bits(22, 19);
    let sz = if immh & 8 != 0 { FpSize::D } else { FpSize::S };
    let esize = sz.bits();
    let fbits = 2 * esize - i.bits(22, 16);
    let datasize = if i.bit(28) {
        esize
    } else if i.q() {
        128
    } else {
        64
    };
    let vn = cpu.v[i.rn() as usize];
    let r = with_fp(cpu, |fpcr, fpsr| {
        let mut r = 0u128;
        for e in 0..(datasize / esize) as usize {
            let x = elem(vn, e, esize);
            let y = if to_int {
                fp::fp_to_int(sz, x, fbits, unsigned, fp::RM_ZERO, esize, fpcr, fpsr)
            } else {
                fp::int_to_fp(sz, x, esize, !unsigned, fbits, fpcr, fpsr)
            };
            set_elem(&mut r, e, esize, y);
        }
        r
    });
    write_v(cpu, i.rd() as usize, r, datasize);
}

/// By element (FMLA, FMLS, FMUL, FMULX; vector or scalar): index H:L (S) or H (D).
pub fn by_elem(cpu: &mut CpuState, i: Insn, f: Bin) {
    let sz = if i.bit(22) { FpSize::D } else { FpSize::S };
    let esize = sz.bits();
    let index = if sz == FpSize::D { i.bit(11) as usize } else { ((i.bit(11) as usize) << 1) | i.bit(21) as usize };
    let m = ((i.bit(20) as usize) << 4) | i.bits(19, 16) as usize;
    let datasize = if i.bit(28) {
        esize
    } else if i.q() {
        128
    } else {
        64
    };
    let d = i.rd() as usize;
    let b = elem(cpu.v[m], index, esize);
    let (vn, vd) = (cpu.v[i.rn() as usize], cpu.v[d]);
    let r = with_fp(cpu, |fpcr, fpsr| {
        let mut r = 0u128;
        for e in 0..(datasize / esize) as usize {
            set_elem(&mut r, e, esize, f(sz, elem(vn, e, esize), b, elem(vd, e, esize), fpcr, fpsr));
        }
        r
    });
    write_v(cpu, d, r, datasize);
}

// ------------------------------------------------------------------ lane operations

pub fn add(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_add(sz, a, b, c, s)
}
pub fn sub(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_sub(sz, a, b, c, s)
}
pub fn mul(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_mul(sz, a, b, c, s)
}
pub fn mulx(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_mulx(sz, a, b, c, s)
}
pub fn div(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_div(sz, a, b, c, s)
}
pub fn max(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_max(sz, a, b, c, s)
}
pub fn min(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_min(sz, a, b, c, s)
}
pub fn maxnm(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_maxnm(sz, a, b, c, s)
}
pub fn minnm(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_minnm(sz, a, b, c, s)
}
pub fn abd(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_abs(sz, fp::fp_sub(sz, a, b, c, s))
}
pub fn recps(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_recps(sz, a, b, c, s)
}
pub fn rsqrts(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_rsqrts(sz, a, b, c, s)
}
/// FMLA: d + n*m, fused.
pub fn mla(sz: FpSize, a: u64, b: u64, d: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_muladd(sz, d, a, b, c, s)
}
/// FMLS: d + (-n)*m, fused.
pub fn mls(sz: FpSize, a: u64, b: u64, d: u64, c: u32, s: &mut u32) -> u64 {
    fp::fp_muladd(sz, d, fp::fp_neg(sz, a), b, c, s)
}
fn mask_if(sz: FpSize, t: bool) -> u64 {
    if t {
        ones(sz.bits())
    } else {
        0
    }
}
pub fn cmeq(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    mask_if(sz, fp::fp_compare_eq(sz, a, b, c, s))
}
pub fn cmge(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    mask_if(sz, fp::fp_compare_ge(sz, a, b, c, s))
}
pub fn cmgt(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    mask_if(sz, fp::fp_compare_gt(sz, a, b, c, s))
}
pub fn acge(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    mask_if(sz, fp::fp_compare_ge(sz, fp::fp_abs(sz, a), fp::fp_abs(sz, b), c, s))
}
pub fn acgt(sz: FpSize, a: u64, b: u64, _: u64, c: u32, s: &mut u32) -> u64 {
    mask_if(sz, fp::fp_compare_gt(sz, fp::fp_abs(sz, a), fp::fp_abs(sz, b), c, s))
}
