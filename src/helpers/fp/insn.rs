//! Out-of-line helpers for the scalar FP rows of the decoder table (`arch::table::fp`), one per
//! row family: `extern "C" fn(cpu, insn)`.
//!
//! Invariants: the translator (`jit::fp`) has already rejected every UNDEFINED encoding (reserved
//! ftype, FP16 arithmetic, bad scale, ...), so a helper may assume its fields are valid. A helper
//! reads FPCR once, ORs the raised exceptions into FPSR once, and writes a scalar FP register
//! the way the Arm ARM's V[] setter does for a scalar: the upper bits of the 128-bit register
//! become zero. General register 31 is XZR in every operand position here.

use super::*;
use crate::cpu::CpuState;

/// Access the cpu state passed by translated code.
///
/// # Safety of the callers
/// Translated code passes the running thread's own, live `CpuState` (rbx), and nothing else
/// aliases it while the helper runs.
fn state<'a>(p: *mut CpuState) -> &'a mut CpuState {
    // SAFETY: see above; `p` is non-null and exclusively ours for the duration of the call.
    unsafe { &mut *p }
}

fn field(w: u32, hi: u32, lo: u32) -> u32 {
    (w >> lo) & ((1u32 << (hi - lo + 1)) - 1)
}

/// The operand size given by `ftype` (bits 23:22); the translator rejected 0b10.
fn ftype_size(w: u32) -> FpSize {
    FpSize::from_ftype(field(w, 23, 22)).unwrap_or(FpSize::D)
}

fn rd(w: u32) -> usize {
    field(w, 4, 0) as usize
}
fn rn(w: u32) -> usize {
    field(w, 9, 5) as usize
}
fn rm(w: u32) -> usize {
    field(w, 20, 16) as usize
}
fn ra(w: u32) -> usize {
    field(w, 14, 10) as usize
}

fn vread(cpu: &CpuState, n: usize, sz: FpSize) -> u64 {
    (cpu.v[n] as u64) & sz.mask()
}

/// Scalar write: the rest of the 128-bit register is zeroed.
fn vwrite(cpu: &mut CpuState, d: usize, sz: FpSize, v: u64) {
    cpu.v[d] = (v & sz.mask()) as u128;
}

/// General register read with 31 = ZR.
fn xread(cpu: &CpuState, n: usize) -> u64 {
    if n == 31 {
        0
    } else {
        cpu.x[n]
    }
}

/// General register write with 31 = ZR (`sf` = 0 zero-extends from 32 bits).
fn xwrite(cpu: &mut CpuState, d: usize, v: u64, sf: bool) {
    if d != 31 {
        cpu.x[d] = if sf { v } else { v & 0xffff_ffff };
    }
}

/// ConditionHolds(cond) on PSTATE.NZCV.
pub fn condition_holds(nzcv: u64, cond: u32) -> bool {
    let n = nzcv >> 31 & 1 == 1;
    let z = nzcv >> 30 & 1 == 1;
    let c = nzcv >> 29 & 1 == 1;
    let v = nzcv >> 28 & 1 == 1;
    let r = match cond >> 1 {
        0 => z,
        1 => c,
        2 => n,
        3 => v,
        4 => c && !z,
        5 => n == v,
        6 => n == v && !z,
        _ => true,
    };
    if cond & 1 == 1 && cond != 0b1111 {
        !r
    } else {
        r
    }
}

/// Runs `f` with the FPCR value and a local FPSR accumulator, then ORs the flags into FPSR.
/// Host FP instructions it runs cannot reach the guest's pending flags in MXCSR
/// (`jit::fpflags::Preserve`).
fn with_fp<R>(cpu: &mut CpuState, f: impl FnOnce(&mut CpuState, u32, &mut u32) -> R) -> R {
    let _keep = crate::jit::fpflags::Preserve::new();
    let fpcr = cpu.fpcr as u32;
    let mut fpsr = 0u32;
    let r = f(cpu, fpcr, &mut fpsr);
    cpu.fpsr |= fpsr as u64;
    r
}

/// FMOV (register), FABS, FNEG, FSQRT: data-processing (1 source), opcode 0000xx.
pub extern "C" fn fp_dp1(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let a = vread(cpu, rn(w), sz);
    let r = with_fp(cpu, |_, fpcr, fpsr| match field(w, 16, 15) {
        0 => a,
        1 => fp_abs(sz, a),
        2 => fp_neg(sz, a),
        _ => fp_sqrt(sz, a, fpcr, fpsr),
    });
    vwrite(cpu, rd(w), sz, r);
}

/// FCVT (between half, single and double): ftype is the source, opc (bits 16:15) the destination.
pub extern "C" fn fp_fcvt(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let from = ftype_size(w);
    let to = FpSize::from_ftype(field(w, 16, 15)).unwrap_or(FpSize::D);
    let a = vread(cpu, rn(w), from);
    let r = with_fp(cpu, |_, fpcr, fpsr| fp_convert(from, to, a, fpcr, fpsr));
    vwrite(cpu, rd(w), to, r);
}

/// FRINTN/P/M/Z/A/X/I (opcode bits 17:15 = rmode selector).
pub extern "C" fn fp_frint(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let a = vread(cpu, rn(w), sz);
    let r = with_fp(cpu, |_, fpcr, fpsr| {
        let (rmode, exact) = match field(w, 17, 15) {
            0 => (RM_TIEEVEN, false),
            1 => (RM_POSINF, false),
            2 => (RM_NEGINF, false),
            3 => (RM_ZERO, false),
            4 => (RM_TIEAWAY, false),
            6 => (fpcr_rmode(fpcr), true),
            _ => (fpcr_rmode(fpcr), false),
        };
        fp_round_int(sz, a, rmode, exact, fpcr, fpsr)
    });
    vwrite(cpu, rd(w), sz, r);
}

/// FMUL, FDIV, FADD, FSUB, FMAX, FMIN, FMAXNM, FMINNM, FNMUL (opcode bits 15:12).
pub extern "C" fn fp_dp2(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let a = vread(cpu, rn(w), sz);
    let b = vread(cpu, rm(w), sz);
    let r = with_fp(cpu, |_, fpcr, fpsr| match field(w, 15, 12) {
        0 => fp_mul(sz, a, b, fpcr, fpsr),
        1 => fp_div(sz, a, b, fpcr, fpsr),
        2 => fp_add(sz, a, b, fpcr, fpsr),
        3 => fp_sub(sz, a, b, fpcr, fpsr),
        4 => fp_max(sz, a, b, fpcr, fpsr),
        5 => fp_min(sz, a, b, fpcr, fpsr),
        6 => fp_maxnm(sz, a, b, fpcr, fpsr),
        7 => fp_minnm(sz, a, b, fpcr, fpsr),
        _ => fp_neg(sz, fp_mul(sz, a, b, fpcr, fpsr)),
    });
    vwrite(cpu, rd(w), sz, r);
}

/// FMADD, FMSUB, FNMADD, FNMSUB (o1 = bit 21, o0 = bit 15): FPMulAdd with the operands
/// negated by FPNeg first (so a NaN operand's sign flips too).
pub extern "C" fn fp_dp3(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let mut a = vread(cpu, ra(w), sz);
    let mut n = vread(cpu, rn(w), sz);
    let m = vread(cpu, rm(w), sz);
    let o1 = w >> 21 & 1 == 1;
    let o0 = w >> 15 & 1 == 1;
    if o1 {
        a = fp_neg(sz, a);
    }
    if o0 != o1 {
        n = fp_neg(sz, n);
    }
    let r = with_fp(cpu, |_, fpcr, fpsr| fp_muladd(sz, a, n, m, fpcr, fpsr));
    vwrite(cpu, rd(w), sz, r);
}

/// FCMP, FCMPE (register and #0.0): opc = bits 4:3 (bit 3: with zero, bit 4: signalling).
pub extern "C" fn fp_fcmp(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let a = vread(cpu, rn(w), sz);
    let b = if w >> 3 & 1 == 1 { 0 } else { vread(cpu, rm(w), sz) };
    let signal = w >> 4 & 1 == 1;
    let nzcv = with_fp(cpu, |_, fpcr, fpsr| fp_compare(sz, a, b, signal, fpcr, fpsr));
    cpu.nzcv = nzcv as u64;
}

/// FCCMP, FCCMPE: compare if the condition holds, else NZCV = #nzcv.
pub extern "C" fn fp_fccmp(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let cond = field(w, 15, 12);
    if !condition_holds(cpu.nzcv, cond) {
        cpu.nzcv = (field(w, 3, 0) as u64) << 28;
        return;
    }
    let sz = ftype_size(w);
    let a = vread(cpu, rn(w), sz);
    let b = vread(cpu, rm(w), sz);
    let signal = w >> 4 & 1 == 1;
    let nzcv = with_fp(cpu, |_, fpcr, fpsr| fp_compare(sz, a, b, signal, fpcr, fpsr));
    cpu.nzcv = nzcv as u64;
}

/// FCSEL.
pub extern "C" fn fp_fcsel(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let src = if condition_holds(cpu.nzcv, field(w, 15, 12)) { rn(w) } else { rm(w) };
    let r = vread(cpu, src, sz);
    vwrite(cpu, rd(w), sz, r);
}

/// FMOV (scalar, immediate): VFPExpandImm(imm8).
pub extern "C" fn fp_fmov_imm(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let r = crate::arch::pseudo::vfp_expand_imm(field(w, 20, 13), sz.bits());
    vwrite(cpu, rd(w), sz, r);
}

fn int_bits(w: u32) -> u32 {
    if w >> 31 == 1 {
        64
    } else {
        32
    }
}

/// FCVTNS/NU/PS/PU/MS/MU/ZS/ZU/AS/AU (to a general register): rmode bits 20:19, opcode 18:16.
pub extern "C" fn fp_cvt_to_int(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let a = vread(cpu, rn(w), sz);
    let opcode = field(w, 18, 16);
    let unsigned = opcode & 1 == 1;
    let rmode = if opcode & 4 != 0 { RM_TIEAWAY } else { field(w, 20, 19) };
    let bits = int_bits(w);
    let r = with_fp(cpu, |_, fpcr, fpsr| fp_to_int(sz, a, 0, unsigned, rmode, bits, fpcr, fpsr));
    xwrite(cpu, rd(w), r, bits == 64);
}

/// FCVTZS/FCVTZU (scalar, fixed-point): fbits = 64 - scale.
pub extern "C" fn fp_cvt_to_fixed(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let a = vread(cpu, rn(w), sz);
    let unsigned = w >> 16 & 1 == 1;
    let fbits = 64 - field(w, 15, 10);
    let bits = int_bits(w);
    let r = with_fp(cpu, |_, fpcr, fpsr| fp_to_int(sz, a, fbits, unsigned, RM_ZERO, bits, fpcr, fpsr));
    xwrite(cpu, rd(w), r, bits == 64);
}

/// SCVTF/UCVTF (scalar, integer): opcode bit 16 = unsigned.
pub extern "C" fn fp_cvt_from_int(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let v = xread(cpu, rn(w));
    let signed = w >> 16 & 1 == 0;
    let bits = int_bits(w);
    let r = with_fp(cpu, |_, fpcr, fpsr| int_to_fp(sz, v, bits, signed, 0, fpcr, fpsr));
    vwrite(cpu, rd(w), sz, r);
}

/// SCVTF/UCVTF (scalar, fixed-point): fbits = 64 - scale.
pub extern "C" fn fp_cvt_from_fixed(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sz = ftype_size(w);
    let v = xread(cpu, rn(w));
    let signed = w >> 16 & 1 == 0;
    let fbits = 64 - field(w, 15, 10);
    let bits = int_bits(w);
    let r = with_fp(cpu, |_, fpcr, fpsr| int_to_fp(sz, v, bits, signed, fbits, fpcr, fpsr));
    vwrite(cpu, rd(w), sz, r);
}

/// FMOV Wd, Sn / FMOV Xd, Dn.
pub extern "C" fn fp_fmov_to_gen(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sf = w >> 31 == 1;
    let v = cpu.v[rn(w)] as u64;
    xwrite(cpu, rd(w), v, sf);
}

/// FMOV Sd, Wn / FMOV Dd, Xn.
pub extern "C" fn fp_fmov_from_gen(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let sf = w >> 31 == 1;
    let v = xread(cpu, rn(w));
    cpu.v[rd(w)] = if sf { v as u128 } else { (v & 0xffff_ffff) as u128 };
}

/// FMOV Xd, Vn.D[1].
pub extern "C" fn fp_fmov_to_gen_hi(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let v = (cpu.v[rn(w)] >> 64) as u64;
    xwrite(cpu, rd(w), v, true);
}

/// FMOV Vd.D[1], Xn: only the upper 64 bits change.
pub extern "C" fn fp_fmov_from_gen_hi(p: *mut CpuState, w: u32) {
    let cpu = state(p);
    let v = xread(cpu, rn(w));
    let d = rd(w);
    cpu.v[d] = (cpu.v[d] & u64::MAX as u128) | (v as u128) << 64;
}
