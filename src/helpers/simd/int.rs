//! AdvSIMD integer and bitwise semantics (Arm ARM C7, the "AdvSIMD" instruction pages), one
//! family function per encoding class: three same, three different, two-register misc,
//! across lanes, pairwise, copy, permute, extract, table lookup, modified immediate, shift by
//! immediate and vector/scalar by element.
//!
//! Every function assumes its word has passed `super::undefined` (no reserved field values),
//! reads its operands before writing the destination (so Rd may alias Rn/Rm), and performs
//! the whole architectural effect: destination write with the upper bits zeroed as the
//! datasize says, and FPSR.QC set on saturation.

use super::lanes::*;
use crate::arch::pseudo::adv_simd_expand_imm;
use crate::arch::Insn;
use crate::cpu::CpuState;

/// Decoded common fields of a three-register AdvSIMD word.
#[derive(Clone, Copy)]
pub struct F {
    pub q: bool,
    pub u: bool,
    pub size: u32,
    pub esize: u32,
    pub d: usize,
    pub n: usize,
    pub m: usize,
    /// Scalar form (bit 28 = 1).
    pub scalar: bool,
    pub datasize: u32,
    pub elements: usize,
}

pub fn fields(i: Insn) -> F {
    let size = i.size();
    let esize = 8 << size;
    let scalar = i.bit(28);
    let q = i.q();
    let datasize = if scalar {
        esize
    } else if q {
        128
    } else {
        64
    };
    F {
        q,
        u: i.bit(29),
        size,
        esize,
        d: i.rd() as usize,
        n: i.rn() as usize,
        m: i.rm() as usize,
        scalar,
        datasize,
        elements: (datasize / esize) as usize,
    }
}

/// Elementwise over Rn, Rm (and the old Rd): three same, vector or scalar.
pub fn same(cpu: &mut CpuState, i: Insn, f: impl Fn(u32, u64, u64, u64, &mut bool) -> u64) {
    let F { esize, d, n, m, datasize, elements, .. } = fields(i);
    let (vn, vm, vd) = (unpack(cpu.v[n], esize), unpack(cpu.v[m], esize), unpack(cpu.v[d], esize));
    let mut sat = false;
    let mut r = [0u64; 16];
    for e in 0..elements {
        r[e] = f(esize, vn[e], vm[e], vd[e], &mut sat);
    }
    set_qc(cpu, sat);
    write_v(cpu, d, pack(&r, esize), datasize);
}

/// Bitwise three same (size field selects the operation, not the element size).
pub fn logic(cpu: &mut CpuState, i: Insn, f: impl Fn(u128, u128, u128) -> u128) {
    let F { q, d, n, m, .. } = fields(i);
    let r = f(cpu.v[n], cpu.v[m], cpu.v[d]);
    write_v(cpu, d, r, if q { 128 } else { 64 });
}

/// Fast path of [`pairwise`] for byte elements (glibc's string functions use UMAXP/UMINP/ADDP
/// on .16b/.8b in their inner loops). Returns false (doing nothing) for other sizes.
pub fn pairwise_bytes(cpu: &mut CpuState, i: Insn, f: impl Fn(u8, u8) -> u8) -> bool {
    let F { esize, d, n, m, datasize, elements, .. } = fields(i);
    if esize != 8 {
        return false;
    }
    let mut cat = [0u8; 32];
    cat[..elements].copy_from_slice(&cpu.v[n].to_le_bytes()[..elements]);
    cat[elements..2 * elements].copy_from_slice(&cpu.v[m].to_le_bytes()[..elements]);
    let mut out = [0u8; 16];
    for (e, o) in out.iter_mut().enumerate().take(elements) {
        *o = f(cat[2 * e], cat[2 * e + 1]);
    }
    write_v(cpu, d, u128::from_le_bytes(out), datasize);
    true
}

/// Pairwise over the concatenation Rm:Rn (ADDP, SMAXP, ... vector).
pub fn pairwise(cpu: &mut CpuState, i: Insn, f: impl Fn(u32, u64, u64) -> u64) {
    let F { esize, d, n, m, datasize, elements, .. } = fields(i);
    let (vn, vm) = (unpack(cpu.v[n], esize), unpack(cpu.v[m], esize));
    let mut r = [0u64; 16];
    for (e, out) in r.iter_mut().enumerate().take(elements) {
        // concat = Rm:Rn; pair e is elements 2e, 2e+1 of the concatenation.
        let src = |k: usize| if k < elements { vn[k] } else { vm[k - elements] };
        *out = f(esize, src(2 * e), src(2 * e + 1));
    }
    write_v(cpu, d, pack(&r, esize), datasize);
}

/// Unary elementwise (two-register misc), with the old Rd lane available.
pub fn misc(cpu: &mut CpuState, i: Insn, f: impl Fn(u32, u64, u64, &mut bool) -> u64) {
    let F { esize, d, n, datasize, elements, .. } = fields(i);
    let (vn, vd) = (unpack(cpu.v[n], esize), unpack(cpu.v[d], esize));
    let mut sat = false;
    let mut r = [0u64; 16];
    for e in 0..elements {
        r[e] = f(esize, vn[e], vd[e], &mut sat);
    }
    set_qc(cpu, sat);
    write_v(cpu, d, pack(&r, esize), datasize);
}

/// Narrowing from 2*esize to esize (XTN, SQXTN, UQXTN, SQXTUN): vector writes the Q half,
/// scalar writes an esize-bit scalar.
pub fn narrow(cpu: &mut CpuState, i: Insn, f: impl Fn(u32, u64, &mut bool) -> u64) {
    let F { q, esize, d, n, scalar, .. } = fields(i);
    let vn = cpu.v[n];
    let elements = if scalar { 1 } else { (64 / esize) as usize };
    let mut sat = false;
    let mut r = 0u128;
    for e in 0..elements {
        set_elem(&mut r, e, esize, f(esize, elem(vn, e, 2 * esize), &mut sat));
    }
    set_qc(cpu, sat);
    if scalar {
        write_v(cpu, d, r, esize);
    } else {
        write_vpart(cpu, d, r as u64, q);
    }
}

/// Long pairwise add (SADDLP, UADDLP, SADALP, UADALP).
pub fn addlp(cpu: &mut CpuState, i: Insn, unsigned: bool, acc: bool) {
    let F { esize, d, n, datasize, .. } = fields(i);
    let (vn, vd) = (cpu.v[n], cpu.v[d]);
    let elements = (datasize / (2 * esize)) as usize;
    let mut r = 0u128;
    for e in 0..elements {
        let mut s = int(elem(vn, 2 * e, esize), esize, unsigned) + int(elem(vn, 2 * e + 1, esize), esize, unsigned);
        if acc {
            s += elem(vd, e, 2 * esize) as i128;
        }
        set_elem(&mut r, e, 2 * esize, s as u64);
    }
    write_v(cpu, d, r, datasize);
}

/// REV16/REV32/REV64: reverse the esize elements inside each container.
pub fn rev(cpu: &mut CpuState, i: Insn, container: u32) {
    let F { esize, d, n, datasize, elements, .. } = fields(i);
    let vn = cpu.v[n];
    let per = (container / esize) as usize;
    let mut r = 0u128;
    for e in 0..elements {
        let base = e - e % per;
        let src = base + (per - 1 - e % per);
        set_elem(&mut r, e, esize, elem(vn, src, esize));
    }
    write_v(cpu, d, r, datasize);
}

/// SHLL/SHLL2: widen the Q half of Rn, shifting left by esize.
pub fn shll(cpu: &mut CpuState, i: Insn) {
    let F { q, esize, d, n, .. } = fields(i);
    let src = read_vpart(cpu, n, q) as u128;
    let mut r = 0u128;
    for e in 0..(64 / esize) as usize {
        set_elem(&mut r, e, 2 * esize, elem(src, e, esize) << esize);
    }
    write_v(cpu, d, r, 128);
}

/// Across lanes (ADDV, SADDLV, UADDLV, SMAXV, ...): `f` folds lanes as Int values;
/// the result is written as a scalar of `resbits`.
pub fn across(cpu: &mut CpuState, i: Insn, unsigned: bool, long: bool, f: impl Fn(i128, i128) -> i128) {
    let F { esize, d, n, elements, .. } = fields(i);
    let vn = cpu.v[n];
    let mut acc = int(elem(vn, 0, esize), esize, unsigned);
    for e in 1..elements {
        acc = f(acc, int(elem(vn, e, esize), esize, unsigned));
    }
    let resbits = if long { 2 * esize } else { esize };
    write_v(cpu, d, (acc as u64 & ones(resbits)) as u128, resbits);
}

/// Scalar ADDP (Dd = Vn.D[0] + Vn.D[1]).
pub fn addp_scalar(cpu: &mut CpuState, i: Insn) {
    let F { d, n, .. } = fields(i);
    let vn = cpu.v[n];
    write_v(cpu, d, (vn as u64).wrapping_add((vn >> 64) as u64) as u128, 64);
}

/// Shift by register (SSHL, USHL, SRSHL, URSHL, SQSHL, UQSHL, SQRSHL, UQRSHL): the
/// pseudocode of those pages, with the shift amount SInt(element2<7:0>).
pub fn shl_reg(x: u64, b: u64, esize: u32, unsigned: bool, rounding: bool, saturating: bool, sat: &mut bool) -> u64 {
    let shift = b as u8 as i8 as i32;
    let element = int(x, esize, unsigned);
    let res = if shift >= 0 {
        if shift as u32 >= esize {
            if element == 0 {
                0
            } else if saturating {
                // Any non-zero value shifted out of range saturates towards its sign.
                return sat_q(if element < 0 { -(1i128 << 100) } else { 1i128 << 100 }, esize, unsigned, sat);
            } else {
                0
            }
        } else {
            element << shift
        }
    } else {
        let s = (-shift).min(65) as u32;
        if rounding {
            (element + (1i128 << (s - 1))) >> s
        } else {
            element >> s
        }
    };
    if saturating {
        sat_q(res, esize, unsigned, sat)
    } else {
        res as u64 & ones(esize)
    }
}

/// Polynomial multiply of two `bits`-wide values (PolynomialMult), result 2*bits wide.
pub fn poly_mul(a: u64, b: u64, bits: u32) -> u64 {
    let mut r = 0u64;
    for k in 0..bits {
        if (b >> k) & 1 != 0 {
            r ^= a << k;
        }
    }
    r
}

/// SQDMULH/SQRDMULH of one pair of lanes.
pub fn sqdmulh(a: u64, b: u64, esize: u32, rounding: bool, sat: &mut bool) -> u64 {
    let round = if rounding { 1i128 << (esize - 1) } else { 0 };
    let p = 2 * sx(a, esize) * sx(b, esize) + round;
    sat_q(p >> esize, esize, false, sat)
}

/// Kind of a three-different operation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Diff {
    /// Both sources are the Q halves (esize), result 2*esize.
    Long,
    /// Rn is 2*esize, Rm is the Q half (esize), result 2*esize.
    Wide,
    /// Both sources 2*esize, result esize into the Q half of Rd.
    NarrowHigh,
}

/// Three different (and their scalar forms). `f(esize, a, b, acc, sat)` receives Int values
/// of the sources (already widened per `unsigned`) and the old destination lane (2*esize bits),
/// and returns the result lane.
pub fn three_diff(
    cpu: &mut CpuState,
    i: Insn,
    kind: Diff,
    unsigned: bool,
    f: impl Fn(u32, i128, i128, u64, &mut bool) -> u64,
) {
    let F { q, esize, d, n, m, scalar, .. } = fields(i);
    let elements = if scalar { 1 } else { (64 / esize) as usize };
    let vd = cpu.v[d];
    let mut sat = false;
    let mut r = 0u128;
    match kind {
        Diff::Long | Diff::Wide => {
            let vn = if kind == Diff::Wide { cpu.v[n] } else { read_vpart(cpu, n, q && !scalar) as u128 };
            let vm = read_vpart(cpu, m, q && !scalar) as u128;
            let nbits = if kind == Diff::Wide { 2 * esize } else { esize };
            for e in 0..elements {
                let a = int(elem(vn, e, nbits), nbits, unsigned);
                let b = int(elem(vm, e, esize), esize, unsigned);
                set_elem(&mut r, e, 2 * esize, f(esize, a, b, elem(vd, e, 2 * esize), &mut sat));
            }
            set_qc(cpu, sat);
            write_v(cpu, d, r, if scalar { 2 * esize } else { 128 });
        }
        Diff::NarrowHigh => {
            let (vn, vm) = (cpu.v[n], cpu.v[m]);
            for e in 0..elements {
                let a = ux(elem(vn, e, 2 * esize), 2 * esize);
                let b = ux(elem(vm, e, 2 * esize), 2 * esize);
                set_elem(&mut r, e, esize, f(esize, a, b, 0, &mut sat));
            }
            write_vpart(cpu, d, r as u64, q);
        }
    }
}

/// SQDMULL core: SatQ(2*a*b, 2*esize).
pub fn sqdmull(a: i128, b: i128, esize: u32, sat: &mut bool) -> i128 {
    sx(sat_q(2 * a * b, 2 * esize, false, sat), 2 * esize)
}

/// SQDMLAL/SQDMLSL core.
pub fn sqdmlal(a: i128, b: i128, acc: u64, esize: u32, sub: bool, sat: &mut bool) -> u64 {
    let p = sqdmull(a, b, esize, sat);
    let acc = sx(acc, 2 * esize);
    sat_q(if sub { acc - p } else { acc + p }, 2 * esize, false, sat)
}

/// The element index and Rm of a by-element word (size 01: H:L:M and Rm<3:0>; size 10: H:L
/// and M:Rm).
pub fn by_elem_index(i: Insn) -> (usize, usize) {
    let (h, l, mbit) = (i.bit(11) as usize, i.bit(21) as usize, i.bit(20) as usize);
    let rm = i.bits(19, 16) as usize;
    match i.size() {
        1 => ((h << 2) | (l << 1) | mbit, rm),
        _ => ((h << 1) | l, (mbit << 4) | rm),
    }
}

/// By element, same-width result (MUL, MLA, MLS, SQDMULH, SQRDMULH; vector or scalar).
pub fn by_elem(cpu: &mut CpuState, i: Insn, f: impl Fn(u32, u64, u64, u64, &mut bool) -> u64) {
    let F { esize, d, n, datasize, elements, .. } = fields(i);
    let (index, m) = by_elem_index(i);
    let b = elem(cpu.v[m], index, esize);
    let (vn, vd) = (cpu.v[n], cpu.v[d]);
    let mut sat = false;
    let mut r = 0u128;
    for e in 0..elements {
        set_elem(&mut r, e, esize, f(esize, elem(vn, e, esize), b, elem(vd, e, esize), &mut sat));
    }
    set_qc(cpu, sat);
    write_v(cpu, d, r, datasize);
}

/// By element, long result (SMULL, UMLAL, SQDMLAL, ...; vector or scalar).
pub fn by_elem_long(cpu: &mut CpuState, i: Insn, unsigned: bool, f: impl Fn(u32, i128, i128, u64, &mut bool) -> u64) {
    let F { q, esize, d, n, scalar, .. } = fields(i);
    let (index, m) = by_elem_index(i);
    let b = int(elem(cpu.v[m], index, esize), esize, unsigned);
    let vn = read_vpart(cpu, n, q && !scalar) as u128;
    let vd = cpu.v[d];
    let elements = if scalar { 1 } else { (64 / esize) as usize };
    let mut sat = false;
    let mut r = 0u128;
    for e in 0..elements {
        let a = int(elem(vn, e, esize), esize, unsigned);
        set_elem(&mut r, e, 2 * esize, f(esize, a, b, elem(vd, e, 2 * esize), &mut sat));
    }
    set_qc(cpu, sat);
    write_v(cpu, d, r, if scalar { 2 * esize } else { 128 });
}

// ------------------------------------------------------------------ copy

/// (size, index) from imm5 for the copy class: size = LowestSetBit(imm5).
pub fn imm5_size_index(i: Insn) -> (u32, usize) {
    let imm5 = i.bits(20, 16);
    let size = lowest_set_bit(imm5).min(4);
    (size, (imm5 >> (size + 1)) as usize)
}

/// DUP (element), vector or scalar.
pub fn dup_element(cpu: &mut CpuState, i: Insn) {
    let (size, index) = imm5_size_index(i);
    let esize = 8 << size;
    let x = elem(cpu.v[i.rn() as usize], index, esize);
    let datasize = if i.bit(28) {
        esize
    } else if i.q() {
        128
    } else {
        64
    };
    let mut r = 0u128;
    for e in 0..(datasize / esize) as usize {
        set_elem(&mut r, e, esize, x);
    }
    write_v(cpu, i.rd() as usize, r, datasize);
}

/// X[n] with register 31 reading as XZR.
pub fn xreg(cpu: &CpuState, n: u32) -> u64 {
    if n == 31 {
        0
    } else {
        cpu.x[n as usize]
    }
}

/// X[d] = value with register 31 meaning XZR (discard).
pub fn set_xreg(cpu: &mut CpuState, d: u32, value: u64) {
    if d != 31 {
        cpu.x[d as usize] = value;
    }
}

/// DUP (general).
pub fn dup_general(cpu: &mut CpuState, i: Insn) {
    let (size, _) = imm5_size_index(i);
    let esize = 8 << size;
    let x = xreg(cpu, i.rn());
    let datasize = if i.q() { 128 } else { 64 };
    let mut r = 0u128;
    for e in 0..(datasize / esize) as usize {
        set_elem(&mut r, e, esize, x);
    }
    write_v(cpu, i.rd() as usize, r, datasize);
}

/// INS (general): V[d].elem[index] = X[n]; other lanes kept.
pub fn ins_general(cpu: &mut CpuState, i: Insn) {
    let (size, index) = imm5_size_index(i);
    let x = xreg(cpu, i.rn());
    let d = i.rd() as usize;
    let mut r = cpu.v[d];
    set_elem(&mut r, index, 8 << size, x);
    cpu.v[d] = r;
}

/// INS (element): V[d].elem[imm5 index] = V[n].elem[imm4 index].
pub fn ins_element(cpu: &mut CpuState, i: Insn) {
    let (size, dst) = imm5_size_index(i);
    let src = (i.bits(14, 11) >> size) as usize;
    let esize = 8 << size;
    let x = elem(cpu.v[i.rn() as usize], src, esize);
    let d = i.rd() as usize;
    let mut r = cpu.v[d];
    set_elem(&mut r, dst, esize, x);
    cpu.v[d] = r;
}

/// SMOV / UMOV: the destination is W (Q = 0) or X (Q = 1).
pub fn mov_to_general(cpu: &mut CpuState, i: Insn, signed: bool) {
    let (size, index) = imm5_size_index(i);
    let esize = 8 << size;
    let x = elem(cpu.v[i.rn() as usize], index, esize);
    let v = if signed { sx(x, esize) as u64 } else { x };
    let v = if i.q() { v } else { v & 0xffff_ffff };
    set_xreg(cpu, i.rd(), v);
}

// ------------------------------------------------------------------ permute, EXT, TBL

/// UZP1/UZP2/TRN1/TRN2/ZIP1/ZIP2 (opcode bits 14:12).
pub fn permute(cpu: &mut CpuState, i: Insn) {
    let F { esize, d, n, m, datasize, elements, .. } = fields(i);
    let (vn, vm) = (cpu.v[n], cpu.v[m]);
    let opc = i.bits(14, 12);
    let part = (opc >> 2) as usize;
    let pairs = elements / 2;
    let mut r = 0u128;
    match opc & 3 {
        1 => {
            // UZP: result[e] = (Rm:Rn)[2e + part]
            for e in 0..elements {
                let k = 2 * e + part;
                let x = if k < elements { elem(vn, k, esize) } else { elem(vm, k - elements, esize) };
                set_elem(&mut r, e, esize, x);
            }
        }
        2 => {
            for p in 0..pairs {
                set_elem(&mut r, 2 * p, esize, elem(vn, 2 * p + part, esize));
                set_elem(&mut r, 2 * p + 1, esize, elem(vm, 2 * p + part, esize));
            }
        }
        _ => {
            let base = part * pairs;
            for p in 0..pairs {
                set_elem(&mut r, 2 * p, esize, elem(vn, base + p, esize));
                set_elem(&mut r, 2 * p + 1, esize, elem(vm, base + p, esize));
            }
        }
    }
    write_v(cpu, d, r, datasize);
}

/// EXT: bytes imm4.. of Rm:Rn.
pub fn ext(cpu: &mut CpuState, i: Insn) {
    let q = i.q();
    let datasize = if q { 128 } else { 64 };
    let (vn, vm) = (cpu.v[i.rn() as usize] & ones128(datasize), cpu.v[i.rm() as usize]);
    let pos = i.bits(14, 11) * 8;
    let lo = if pos == 0 { vn } else { vn >> pos };
    let hi = if pos == 0 { 0 } else { vm << (datasize - pos) };
    write_v(cpu, i.rd() as usize, lo | hi, datasize);
}

/// TBL/TBX.
pub fn tbl(cpu: &mut CpuState, i: Insn, tbx: bool) {
    let q = i.q();
    let regs = i.bits(14, 13) as usize + 1;
    let n = i.rn() as usize;
    let mut table = [0u8; 64];
    for k in 0..regs {
        table[16 * k..16 * k + 16].copy_from_slice(&cpu.v[(n + k) % 32].to_le_bytes());
    }
    let d = i.rd() as usize;
    let idx = cpu.v[i.rm() as usize].to_le_bytes();
    let mut r = cpu.v[d].to_le_bytes();
    let bytes = if q { 16 } else { 8 };
    for e in 0..bytes {
        let ix = idx[e] as usize;
        if ix < 16 * regs {
            r[e] = table[ix];
        } else if !tbx {
            r[e] = 0;
        }
    }
    write_v(cpu, d, u128::from_le_bytes(r), bytes as u32 * 8);
}

/// MOVI/MVNI/ORR/BIC (vector, immediate) and FMOV (vector, immediate).
pub fn mod_imm(cpu: &mut CpuState, i: Insn) {
    let q = i.q();
    let op = i.bit(29);
    let cmode = i.bits(15, 12);
    let imm8 = (i.bits(18, 16) << 5) | i.bits(9, 5);
    let Some(imm64) = adv_simd_expand_imm(op, cmode, imm8) else {
        return;
    };
    let datasize = if q { 128 } else { 64 };
    let imm = if q { (imm64 as u128) | ((imm64 as u128) << 64) } else { imm64 as u128 };
    let d = i.rd() as usize;
    let orr_bic = cmode & 1 == 1 && cmode < 0b1100;
    let r = if orr_bic {
        if op {
            cpu.v[d] & !imm
        } else {
            cpu.v[d] | imm
        }
    } else if op && cmode < 0b1110 {
        !imm
    } else {
        imm
    };
    write_v(cpu, d, r, datasize);
}

// ------------------------------------------------------------------ shift by immediate

/// Decoded shift-by-immediate fields: (esize, immh:immb).
pub fn shift_fields(i: Insn) -> (u32, u32) {
    let immh = i.bits(22, 19);
    let esize = 8 << highest_set_bit(immh.max(1));
    (esize, i.bits(22, 16))
}

/// Same-width shift by immediate, vector or scalar: `f(esize, shift-field, n, d, sat)`.
pub fn shift_same(cpu: &mut CpuState, i: Insn, f: impl Fn(u32, u32, u64, u64, &mut bool) -> u64) {
    let (esize, immhb) = shift_fields(i);
    let datasize = if i.bit(28) {
        esize
    } else if i.q() {
        128
    } else {
        64
    };
    let (d, n) = (i.rd() as usize, i.rn() as usize);
    let (vn, vd) = (cpu.v[n], cpu.v[d]);
    let mut sat = false;
    let mut r = 0u128;
    for e in 0..(datasize / esize) as usize {
        set_elem(&mut r, e, esize, f(esize, immhb, elem(vn, e, esize), elem(vd, e, esize), &mut sat));
    }
    set_qc(cpu, sat);
    write_v(cpu, d, r, datasize);
}

/// Right shift of an Int by 1..=128 with optional rounding (the pseudocode's
/// `(Int(x) + round_const) >> shift`).
pub fn shr_round(x: i128, shift: u32, rounding: bool) -> i128 {
    let s = shift.min(100);
    let round = if rounding { 1i128 << (s - 1) } else { 0 };
    (x + round) >> s
}

/// Narrowing shift right (SHRN, RSHRN, SQSHRN, ...): source lanes 2*esize, result esize.
pub fn shift_narrow(cpu: &mut CpuState, i: Insn, src_unsigned: bool, rounding: bool, sat_mode: Option<bool>) {
    let (esize, immhb) = shift_fields(i);
    let shift = 2 * esize - immhb;
    let scalar = i.bit(28);
    let (d, n) = (i.rd() as usize, i.rn() as usize);
    let vn = cpu.v[n];
    let elements = if scalar { 1 } else { (64 / esize) as usize };
    let mut sat = false;
    let mut r = 0u128;
    for e in 0..elements {
        let x = shr_round(int(elem(vn, e, 2 * esize), 2 * esize, src_unsigned), shift, rounding);
        let v = match sat_mode {
            Some(unsigned) => sat_q(x, esize, unsigned, &mut sat),
            None => x as u64,
        };
        set_elem(&mut r, e, esize, v);
    }
    set_qc(cpu, sat);
    if scalar {
        write_v(cpu, d, r, esize);
    } else {
        write_vpart(cpu, d, r as u64, i.q());
    }
}

/// SSHLL/USHLL (and SXTL/UXTL): widen the Q half and shift left.
pub fn shift_long(cpu: &mut CpuState, i: Insn, unsigned: bool) {
    let (esize, immhb) = shift_fields(i);
    let shift = immhb - esize;
    let src = read_vpart(cpu, i.rn() as usize, i.q()) as u128;
    let mut r = 0u128;
    for e in 0..(64 / esize) as usize {
        let x = int(elem(src, e, esize), esize, unsigned) << shift;
        set_elem(&mut r, e, 2 * esize, x as u64);
    }
    write_v(cpu, i.rd() as usize, r, 128);
}

// ------------------------------------------------------------------ estimates

/// RecipEstimate(a) for 256 <= a < 512 (Arm ARM shared/functions/float/recipestimate).
pub fn recip_estimate(a: u32) -> u32 {
    let a = a * 2 + 1;
    let b = (1u32 << 19) / a;
    b.div_ceil(2)
}

/// RecipSqrtEstimate(a) for 128 <= a < 512.
pub fn recip_sqrt_estimate(a: u32) -> u32 {
    let a: u64 = if a < 256 { a as u64 * 2 + 1 } else { (((a >> 1) << 1) as u64 + 1) * 2 };
    let mut b: u64 = 512;
    while a * (b + 1) * (b + 1) < (1u64 << 28) {
        b += 1;
    }
    b.div_ceil(2) as u32
}

/// URECPE of one 32-bit lane (UnsignedRecipEstimate).
pub fn urecpe(x: u32) -> u32 {
    if x >> 31 == 0 {
        u32::MAX
    } else {
        (recip_estimate(x >> 23) & 0x1ff) << 23
    }
}

/// URSQRTE of one 32-bit lane (UnsignedRSqrtEstimate).
pub fn ursqrte(x: u32) -> u32 {
    if x >> 30 == 0 {
        u32::MAX
    } else {
        (recip_sqrt_estimate(x >> 23) & 0x1ff) << 23
    }
}

/// CLS of an esize-bit lane: leading bits equal to the sign bit, not counting it.
pub fn cls(x: u64, esize: u32) -> u64 {
    let v = sx(x, esize) as i64;
    let t = (v ^ (v >> 1)) as u64 & ones(esize);
    // CountLeadingZeroBits(x<N-1:1> EOR x<N-2:0>): t's bit N-1 is 0 by construction.
    (t.leading_zeros() - (64 - esize)) as u64 - 1
}

/// CLZ of an esize-bit lane.
pub fn clz(x: u64, esize: u32) -> u64 {
    ((x & ones(esize)).leading_zeros() - (64 - esize)) as u64
}
