//! Inline SSE for the hottest AdvSIMD vector rows, with `helpers::simd::simd_helper` as the
//! fallback for everything else. Rows: ADD, SUB, AND, ORR, EOR, BIC, ORN, BSL, BIT, BIF, CMEQ,
//! CMGT, MUL, MLA, MLS, SMAX, SMIN, UMAX, UMIN, SHL, USHR, SSHR, USRA, SSRA, SSHLL, USHLL,
//! SHLL, NOT, NEG, ABS, EXT, MOVI/MVNI/FMOV (immediate), FADD, FSUB, FMUL, FDIV,
//! FCMEQ, FCMGE, FCMGT — each only for the element sizes SSE has (see [`select`]) — with AVX
//! the single/double FP rows FMLA/FMLS (vector, by element; FMA3), FMUL (by element), FABS,
//! FNEG, FRINTN/M/P/Z/X/I, FSQRT, SCVTF, FCVTZS, FCVTZU (single), FCVTL(2), FCVTN(2),
//! FMAX/FMIN/FMAXNM/FMINNM ([`emit_fma`], [`emit_fp_unary`], [`emit_fp_max_min`]), the
//! element moves DUP (element, general), INS, SMOV, UMOV as integer moves, and the
//! permutations REV16/REV32/REV64 (PSHUFB masks in `CpuState::fp_const`), CNT (PSHUFB nibble
//! lookup), ZIP1/ZIP2, UZP1/UZP2, TRN1/TRN2.
//!
//! Invariants:
//! - Only vector forms (bit 28 = 0) are inlined, and only where one SSE sequence gives the
//!   bit-exact Arm result lane by lane with no FPSR effect (integer rows), or where a run-time
//!   guard proves it (FADD/FSUB/FMUL/FDIV, see [`emit_fp`]). Reserved encodings were rejected
//!   by `helpers::simd::undefined` before [`try_emit`] is called.
//! - All sources are loaded into xmm registers before Vd is stored, so Rd may equal Rn or Rm.
//! - Q = 0 (64-bit vectors): every inlined operation is lane-wise (or, for DUP, reads only the
//!   selected element; the REVs permute within 64-bit halves; ZIP, UZP, ADDP and the other
//!   pairwise rows arrange the low halves explicitly), so the low 64 bits depend only on the
//!   low halves of the sources; the upper 64 bits of Vd are written as zero.
//! - Scratch: xmm0-xmm5, rax, rsi, rdx (the slow path's helper arguments). Host features beyond
//!   SSE2 (SSSE3, SSE4.1, SSE4.2) are checked at translate time; without them the row is
//!   left to the helper.

use super::emit::{dasm, reg, Emitter, R31};
use super::fp_inline::non_ieee_guard;
use super::{features, Features};
use crate::arch::pseudo::adv_simd_expand_imm;
use crate::arch::table::SimdOp;
use crate::arch::Insn;
use crate::cpu::{
    off_fp_const, off_v, K_LOW_NIBBLES, K_POPCNT4, K_RBIT4, K_RBIT4_HI, K_REV16_B, K_REV32_B, K_REV32_H, K_REV64_B,
    K_REV64_H, K_TBL_BIAS, OFF_FP_CONST,
};
use crate::helpers::simd::simd_helper;
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

/// One SSE operation `xmm0 = xmm0 OP xmm1` (or, for the unary kinds, `xmm0 = OP xmm0`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sse {
    Paddb,
    Paddw,
    Paddd,
    Paddq,
    Psubb,
    Psubw,
    Psubd,
    Psubq,
    Pand,
    Por,
    Pxor,
    /// Vn AND NOT Vm.
    Bic,
    /// Vn OR NOT Vm.
    Orn,
    Pcmpeqb,
    Pcmpeqw,
    Pcmpeqd,
    Pcmpeqq,
    Pcmpgtb,
    Pcmpgtw,
    Pcmpgtd,
    Pcmpgtq,
    Pmullw,
    Pmulld,
    Pmaxsb,
    Pmaxsw,
    Pmaxsd,
    Pmaxub,
    Pmaxuw,
    Pmaxud,
    Pminsb,
    Pminsw,
    Pminsd,
    Pminub,
    Pminuw,
    Pminud,
    // unary
    Not,
    Negb,
    Negw,
    Negd,
    Negq,
    Pabsb,
    Pabsw,
    Pabsd,
    Psllw(i8),
    Pslld(i8),
    Psllq(i8),
    Psrlw(i8),
    Psrld(i8),
    Psrlq(i8),
    Psraw(i8),
    Psrad(i8),
}

impl Sse {
    /// Whether the operation reads Vm (xmm1).
    fn binary(self) -> bool {
        use Sse::*;
        !matches!(
            self,
            Not | Negb
                | Negw
                | Negd
                | Negq
                | Pabsb
                | Pabsw
                | Pabsd
                | Psllw(_)
                | Pslld(_)
                | Psllq(_)
                | Psrlw(_)
                | Psrld(_)
                | Psrlq(_)
                | Psraw(_)
                | Psrad(_)
        )
    }
}

/// The element size of a shift by immediate (SHL, USHR, SSRA, SHRN, USHLL, SLI, ...) as a
/// size index, 0 = B to 3 = D: HighestSetBit(immh), bits 22:19 (the Arm ARM's esize is
/// 8 << it); `None` for immh = 0 (not a shift).
fn shift_size(i: Insn) -> Option<u32> {
    let immh = i.bits(22, 19);
    (immh != 0).then(|| 31 - immh.leading_zeros())
}

/// The element index H:L (bits 11 and 21) of a by-element operation on 32-bit elements.
fn elem_index_s(i: Insn) -> u8 {
    (i.bit(11) as u8) << 1 | i.bit(21) as u8
}

/// The SSE form of an integer/permute row, or None when it has none (or the host lacks the
/// needed extension).
fn select(op: SimdOp, i: Insn, f: Features) -> Option<Sse> {
    use Sse::*;
    let size = i.size();
    let pick = |ops: [Option<Sse>; 4]| ops[size as usize];
    let s41 = |s: Sse| if f.sse41 { Some(s) } else { None };
    Some(match op {
        SimdOp::Add => pick([Some(Paddb), Some(Paddw), Some(Paddd), Some(Paddq)])?,
        SimdOp::Sub => pick([Some(Psubb), Some(Psubw), Some(Psubd), Some(Psubq)])?,
        SimdOp::And => Pand,
        SimdOp::Orr => Por,
        SimdOp::Eor => Pxor,
        SimdOp::Bic => Bic,
        SimdOp::Orn => Orn,
        SimdOp::Cmeq => pick([Some(Pcmpeqb), Some(Pcmpeqw), Some(Pcmpeqd), s41(Pcmpeqq)])?,
        SimdOp::Cmgt => {
            pick([Some(Pcmpgtb), Some(Pcmpgtw), Some(Pcmpgtd), if f.sse42 { Some(Pcmpgtq) } else { None }])?
        }
        SimdOp::Mul => pick([None, Some(Pmullw), s41(Pmulld), None])?,
        SimdOp::Smax => pick([s41(Pmaxsb), Some(Pmaxsw), s41(Pmaxsd), None])?,
        SimdOp::Smin => pick([s41(Pminsb), Some(Pminsw), s41(Pminsd), None])?,
        SimdOp::Umax => pick([Some(Pmaxub), s41(Pmaxuw), s41(Pmaxud), None])?,
        SimdOp::Umin => pick([Some(Pminub), s41(Pminuw), s41(Pminud), None])?,
        SimdOp::Not => Not,
        SimdOp::Neg => pick([Some(Negb), Some(Negw), Some(Negd), Some(Negq)])?,
        SimdOp::Abs if f.ssse3 => pick([Some(Pabsb), Some(Pabsw), Some(Pabsd), None])?,
        SimdOp::Shl | SimdOp::Ushr | SimdOp::Sshr => {
            // immh:immb; esize = 8 << HighestSetBit(immh) (Arm ARM: SHL, USHR, SSHR).
            let immhb = i.bits(22, 16) as i32;
            // (8-bit lanes: no SSE shift)
            let w = shift_size(i).filter(|&s| s > 0)? - 1;
            let esize = 16 << w;
            let shl = (immhb - esize) as i8;
            let shr = (2 * esize - immhb) as i8;
            match (op, w) {
                (SimdOp::Shl, 0) => Psllw(shl),
                (SimdOp::Shl, 1) => Pslld(shl),
                (SimdOp::Shl, _) => Psllq(shl),
                (SimdOp::Ushr, 0) => Psrlw(shr),
                (SimdOp::Ushr, 1) => Psrld(shr),
                (SimdOp::Ushr, _) => Psrlq(shr),
                (_, 0) => Psraw(shr),
                (_, 1) => Psrad(shr),
                _ => return None, // no psraq in SSE
            }
        }
        _ => return None,
    })
}

/// Emit the SSE body: xmm0 (and xmm1) in, result in xmm0.
fn emit_sse(e: &mut Emitter, s: Sse) {
    use Sse::*;
    match s {
        Paddb => dasm!(e.ops; paddb xmm0, xmm1),
        Paddw => dasm!(e.ops; paddw xmm0, xmm1),
        Paddd => dasm!(e.ops; paddd xmm0, xmm1),
        Paddq => dasm!(e.ops; paddq xmm0, xmm1),
        Psubb => dasm!(e.ops; psubb xmm0, xmm1),
        Psubw => dasm!(e.ops; psubw xmm0, xmm1),
        Psubd => dasm!(e.ops; psubd xmm0, xmm1),
        Psubq => dasm!(e.ops; psubq xmm0, xmm1),
        Pand => dasm!(e.ops; pand xmm0, xmm1),
        Por => dasm!(e.ops; por xmm0, xmm1),
        Pxor => dasm!(e.ops; pxor xmm0, xmm1),
        // pandn: dst = NOT dst AND src
        Bic => dasm!(e.ops; pandn xmm1, xmm0; movdqa xmm0, xmm1),
        Orn => dasm!(e.ops; pcmpeqd xmm2, xmm2; pxor xmm1, xmm2; por xmm0, xmm1),
        Pcmpeqb => dasm!(e.ops; pcmpeqb xmm0, xmm1),
        Pcmpeqw => dasm!(e.ops; pcmpeqw xmm0, xmm1),
        Pcmpeqd => dasm!(e.ops; pcmpeqd xmm0, xmm1),
        Pcmpeqq => dasm!(e.ops; pcmpeqq xmm0, xmm1),
        Pcmpgtb => dasm!(e.ops; pcmpgtb xmm0, xmm1),
        Pcmpgtw => dasm!(e.ops; pcmpgtw xmm0, xmm1),
        Pcmpgtd => dasm!(e.ops; pcmpgtd xmm0, xmm1),
        Pcmpgtq => dasm!(e.ops; pcmpgtq xmm0, xmm1),
        Pmullw => dasm!(e.ops; pmullw xmm0, xmm1),
        Pmulld => dasm!(e.ops; pmulld xmm0, xmm1),
        Pmaxsb => dasm!(e.ops; pmaxsb xmm0, xmm1),
        Pmaxsw => dasm!(e.ops; pmaxsw xmm0, xmm1),
        Pmaxsd => dasm!(e.ops; pmaxsd xmm0, xmm1),
        Pmaxub => dasm!(e.ops; pmaxub xmm0, xmm1),
        Pmaxuw => dasm!(e.ops; pmaxuw xmm0, xmm1),
        Pmaxud => dasm!(e.ops; pmaxud xmm0, xmm1),
        Pminsb => dasm!(e.ops; pminsb xmm0, xmm1),
        Pminsw => dasm!(e.ops; pminsw xmm0, xmm1),
        Pminsd => dasm!(e.ops; pminsd xmm0, xmm1),
        Pminub => dasm!(e.ops; pminub xmm0, xmm1),
        Pminuw => dasm!(e.ops; pminuw xmm0, xmm1),
        Pminud => dasm!(e.ops; pminud xmm0, xmm1),
        Not => dasm!(e.ops; pcmpeqd xmm2, xmm2; pxor xmm0, xmm2),
        Negb => dasm!(e.ops; pxor xmm2, xmm2; psubb xmm2, xmm0; movdqa xmm0, xmm2),
        Negw => dasm!(e.ops; pxor xmm2, xmm2; psubw xmm2, xmm0; movdqa xmm0, xmm2),
        Negd => dasm!(e.ops; pxor xmm2, xmm2; psubd xmm2, xmm0; movdqa xmm0, xmm2),
        Negq => dasm!(e.ops; pxor xmm2, xmm2; psubq xmm2, xmm0; movdqa xmm0, xmm2),
        Pabsb => dasm!(e.ops; pabsb xmm0, xmm0),
        Pabsw => dasm!(e.ops; pabsw xmm0, xmm0),
        Pabsd => dasm!(e.ops; pabsd xmm0, xmm0),
        Psllw(n) => dasm!(e.ops; psllw xmm0, n),
        Pslld(n) => dasm!(e.ops; pslld xmm0, n),
        Psllq(n) => dasm!(e.ops; psllq xmm0, n),
        Psrlw(n) => dasm!(e.ops; psrlw xmm0, n),
        Psrld(n) => dasm!(e.ops; psrld xmm0, n),
        Psrlq(n) => dasm!(e.ops; psrlq xmm0, n),
        Psraw(n) => dasm!(e.ops; psraw xmm0, n),
        Psrad(n) => dasm!(e.ops; psrad xmm0, n),
    }
}

/// Store xmm `r` (0 or 2) to Vd, zeroing the upper 64 bits when Q = 0.
/// The result also goes into the V-register cache (`jit::vcache`).
fn store_vd(e: &mut Emitter, d: u32, q: bool, r: u8) {
    let r = if r == 0 { 0 } else { 2 };
    if q {
        e.vc_put(d, r, 128);
    } else {
        // movq xmm, xmm zeroes the upper half: one 16-byte store keeps store forwarding intact.
        dasm!(e.ops; movq Rx(r), Rx(r));
        e.vc_put(d, r, 64);
    }
}

/// xmm`x` = V`v` (all 128 bits), from the V-register cache when it holds V`v`.
fn load_v(e: &mut Emitter, x: u8, v: u32) {
    match e.vc_peek(v) {
        Some(k) => dasm!(e.ops; movdqa Rx(x), Rx(k)),
        None => e.ops.movdqu_load_rbx(x, off_v(v)),
    }
}

/// xmm0 = Vn, xmm1 = Vm: whole registers for Q = 1, the low 64 bits (rest zero) for Q = 0.
fn load_nm(e: &mut Emitter, n: u32, m: u32, q: bool) {
    if q {
        load_v(e, 0, n);
        load_v(e, 1, m);
    } else {
        load_v_low(e, 0, n);
        load_v_low(e, 1, m);
    }
}

/// xmm`x` = the low 64 bits of V`v`, the rest zero (from the cache when it holds V`v`).
fn load_v_low(e: &mut Emitter, x: u8, v: u32) {
    match e.vc_peek(v) {
        Some(k) => dasm!(e.ops; movq Rx(x), Rx(k)),
        None => dasm!(e.ops; movq Rx(x), QWORD [cpu + off_v(v)]),
    }
}

/// Emit the vector form of `op` inline when it has one; false when nothing was emitted (the
/// caller then emits the helper call).
pub fn try_emit(e: &mut Emitter, op: SimdOp, i: Insn) -> bool {
    if matches!(
        op,
        SimdOp::DupElement | SimdOp::DupGeneral | SimdOp::InsGeneral | SimdOp::InsElement | SimdOp::Smov | SimdOp::Umov
    ) {
        emit_element_move(e, op, i);
        return true;
    }
    if i.bit(28) {
        return false;
    }
    let f = features();
    if matches!(op, SimdOp::Fmla | SimdOp::Fmls | SimdOp::FmlaElem | SimdOp::FmlsElem) && f.fma
        || op == SimdOp::FmulElem && f.avx
    {
        emit_fma(e, op, i);
        return true;
    }
    if f.avx && f.sse41 {
        match op {
            SimdOp::Fabs
            | SimdOp::Fneg
            | SimdOp::Frintn
            | SimdOp::Frintm
            | SimdOp::Frintp
            | SimdOp::Frintz
            | SimdOp::Frintx
            | SimdOp::Frinti
            | SimdOp::Fsqrt
            | SimdOp::Scvtf
            | SimdOp::Fcvtzs
            | SimdOp::Fcvtzu
            | SimdOp::Fcvtl
            | SimdOp::Fcvtn => return emit_fp_unary(e, op, i),
            SimdOp::Fmax | SimdOp::Fmin | SimdOp::Fmaxnm | SimdOp::Fminnm => {
                emit_fp_max_min(e, op, i);
                return true;
            }
            _ => {}
        }
    }
    if matches!(op, SimdOp::Fadd | SimdOp::Fsub | SimdOp::Fmul | SimdOp::Fdiv) {
        if !f.sse41 {
            return false;
        }
        emit_fp(e, op, i, f);
        return true;
    }
    match op {
        SimdOp::ModImm => return emit_mod_imm(e, i),
        SimdOp::Sshll | SimdOp::Ushll | SimdOp::Shll => return emit_widen(e, op, i),
        SimdOp::Fcmeq | SimdOp::Fcmge | SimdOp::Fcmgt => {
            emit_fcmp(e, op, i);
            return true;
        }
        SimdOp::Bsl | SimdOp::Bit | SimdOp::Bif | SimdOp::Mla | SimdOp::Mls | SimdOp::Ssra | SimdOp::Usra => {
            return emit_accumulate(e, op, i, f)
        }
        SimdOp::Addp | SimdOp::Umaxp | SimdOp::Uminp | SimdOp::Smaxp | SimdOp::Sminp => {
            return emit_pairwise(e, op, i, f)
        }
        SimdOp::Xtn | SimdOp::Shrn => return emit_narrow(e, op, i),
        SimdOp::Umull
        | SimdOp::Smull
        | SimdOp::Umlal
        | SimdOp::Smlal
        | SimdOp::Umlsl
        | SimdOp::Smlsl
        | SimdOp::UmullElem
        | SimdOp::SmullElem
        | SimdOp::UmlalElem
        | SimdOp::SmlalElem
        | SimdOp::UmlslElem
        | SimdOp::SmlslElem => return emit_mul_long(e, op, i, f),
        SimdOp::Sli | SimdOp::Sri => return emit_shift_insert(e, op, i),
        SimdOp::Cmhi
        | SimdOp::Cmhs
        | SimdOp::Cmge
        | SimdOp::Cmtst
        | SimdOp::CmeqZero
        | SimdOp::CmgtZero
        | SimdOp::CmgeZero
        | SimdOp::CmltZero
        | SimdOp::CmleZero => return emit_int_compare(e, op, i, f),
        SimdOp::Ext if f.ssse3 => {
            emit_ext(e, i);
            return true;
        }
        SimdOp::Rev16 | SimdOp::Rev32 | SimdOp::Rev64 if f.ssse3 => return emit_rev(e, op, i, f),
        SimdOp::Cnt if f.ssse3 => {
            emit_cnt(e, i, f);
            return true;
        }
        SimdOp::Zip1 | SimdOp::Zip2 | SimdOp::Uzp1 | SimdOp::Uzp2 | SimdOp::Trn1 | SimdOp::Trn2 => {
            emit_permute(e, op, i);
            return true;
        }
        SimdOp::Rbit if f.ssse3 => {
            emit_rbit(e, i);
            return true;
        }
        SimdOp::Tbl if f.ssse3 && i.bits(14, 13) == 0 => {
            emit_tbl1(e, i);
            return true;
        }
        SimdOp::Addv | SimdOp::Umaxv | SimdOp::Uminv | SimdOp::Smaxv | SimdOp::Sminv if f.sse41 => {
            emit_across(e, op, i);
            return true;
        }
        _ => {}
    }
    let Some(s) = select(op, i, f) else {
        return false;
    };
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    if f.avx && s.binary() && emit_vex(e, s, d, n, m, q) {
        return true;
    }
    load_v(e, 0, n);
    if s.binary() {
        load_v(e, 1, m);
    }
    emit_sse(e, s);
    store_vd(e, d, q, 0);
    true
}

/// The AVX form of a binary `Sse` operation: Vd = Vn OP Vm straight from the cached operands
/// into Vd's cache register (Q = 0: VMOVQ then zeroes the upper half). ORN, which has no
/// single VEX instruction, is left to the caller (false, nothing emitted).
fn emit_vex(e: &mut Emitter, s: Sse, d: u32, n: u32, m: u32, q: bool) -> bool {
    if matches!(s, Sse::Orn) {
        return false;
    }
    let (a, b) = (e.vc_get(n), e.vc_get(m));
    let x = e.vc_target(d);
    vex_op(e, s, x, a, b);
    if !q {
        dasm!(e.ops; vmovq Rx(x), Rx(x));
    }
    e.vc_put(d, x, if q { 128 } else { 64 });
    true
}

/// xmm`x` = xmm`a` OP xmm`b` for a binary [`Sse`] operation, as one VEX instruction where
/// there is one, else the SSE body on copies in xmm0 and xmm1 (which may clobber xmm2).
fn vex_op(e: &mut Emitter, s: Sse, x: u8, a: u8, b: u8) {
    use Sse::*;
    match s {
        Paddb => dasm!(e.ops; vpaddb Rx(x), Rx(a), Rx(b)),
        Paddw => dasm!(e.ops; vpaddw Rx(x), Rx(a), Rx(b)),
        Paddd => dasm!(e.ops; vpaddd Rx(x), Rx(a), Rx(b)),
        Paddq => dasm!(e.ops; vpaddq Rx(x), Rx(a), Rx(b)),
        Psubb => dasm!(e.ops; vpsubb Rx(x), Rx(a), Rx(b)),
        Psubw => dasm!(e.ops; vpsubw Rx(x), Rx(a), Rx(b)),
        Psubd => dasm!(e.ops; vpsubd Rx(x), Rx(a), Rx(b)),
        Psubq => dasm!(e.ops; vpsubq Rx(x), Rx(a), Rx(b)),
        Pand => dasm!(e.ops; vpand Rx(x), Rx(a), Rx(b)),
        Por => dasm!(e.ops; vpor Rx(x), Rx(a), Rx(b)),
        Pxor => dasm!(e.ops; vpxor Rx(x), Rx(a), Rx(b)),
        // vpandn: NOT first source AND second source
        Bic => dasm!(e.ops; vpandn Rx(x), Rx(b), Rx(a)),
        Pcmpeqb => dasm!(e.ops; vpcmpeqb Rx(x), Rx(a), Rx(b)),
        Pcmpeqw => dasm!(e.ops; vpcmpeqw Rx(x), Rx(a), Rx(b)),
        Pcmpeqd => dasm!(e.ops; vpcmpeqd Rx(x), Rx(a), Rx(b)),
        Pcmpeqq => dasm!(e.ops; vpcmpeqq Rx(x), Rx(a), Rx(b)),
        Pcmpgtb => dasm!(e.ops; vpcmpgtb Rx(x), Rx(a), Rx(b)),
        Pcmpgtw => dasm!(e.ops; vpcmpgtw Rx(x), Rx(a), Rx(b)),
        Pcmpgtd => dasm!(e.ops; vpcmpgtd Rx(x), Rx(a), Rx(b)),
        Pcmpgtq => dasm!(e.ops; vpcmpgtq Rx(x), Rx(a), Rx(b)),
        Pmullw => dasm!(e.ops; vpmullw Rx(x), Rx(a), Rx(b)),
        Pmulld => dasm!(e.ops; vpmulld Rx(x), Rx(a), Rx(b)),
        Pmaxsb => dasm!(e.ops; vpmaxsb Rx(x), Rx(a), Rx(b)),
        Pmaxsw => dasm!(e.ops; vpmaxsw Rx(x), Rx(a), Rx(b)),
        Pmaxsd => dasm!(e.ops; vpmaxsd Rx(x), Rx(a), Rx(b)),
        Pmaxub => dasm!(e.ops; vpmaxub Rx(x), Rx(a), Rx(b)),
        Pmaxuw => dasm!(e.ops; vpmaxuw Rx(x), Rx(a), Rx(b)),
        Pmaxud => dasm!(e.ops; vpmaxud Rx(x), Rx(a), Rx(b)),
        Pminsb => dasm!(e.ops; vpminsb Rx(x), Rx(a), Rx(b)),
        Pminsw => dasm!(e.ops; vpminsw Rx(x), Rx(a), Rx(b)),
        Pminsd => dasm!(e.ops; vpminsd Rx(x), Rx(a), Rx(b)),
        Pminub => dasm!(e.ops; vpminub Rx(x), Rx(a), Rx(b)),
        Pminuw => dasm!(e.ops; vpminuw Rx(x), Rx(a), Rx(b)),
        Pminud => dasm!(e.ops; vpminud Rx(x), Rx(a), Rx(b)),
        _ => {
            // no single VEX instruction: the SSE body on copies
            dasm!(e.ops; movdqa xmm0, Rx(a); movdqa xmm1, Rx(b));
            emit_sse(e, s);
            dasm!(e.ops; movdqa Rx(x), xmm0);
        }
    }
}

/// ADDP, UMAXP, UMINP, SMAXP, SMINP (vector): pair k of the concatenation Vm:Vn (Vn in the
/// low lanes; for Q = 0 the concatenation of the low halves) gives lane k. The even and odd
/// elements of the concatenation are gathered into xmm0 and xmm2 (byte and halfword lanes:
/// zero-extend to twice the width, then pack without saturation effects; word lanes: SHUFPS;
/// doubleword lanes: UNPCKL/HQDQ), then one lane-wise SSE operation combines them.
fn emit_pairwise(e: &mut Emitter, op: SimdOp, i: Insn, f: Features) -> bool {
    use Sse::*;
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let size = i.size();
    let combine = match (op, size) {
        (SimdOp::Addp, 0) => Paddb,
        (SimdOp::Addp, 1) => Paddw,
        (SimdOp::Addp, 2) => Paddd,
        (SimdOp::Addp, _) => Paddq,
        (SimdOp::Umaxp, 0) => Pmaxub,
        (SimdOp::Uminp, 0) => Pminub,
        (SimdOp::Smaxp, 1) => Pmaxsw,
        (SimdOp::Sminp, 1) => Pminsw,
        (SimdOp::Smaxp, 0) if f.sse41 => Pmaxsb,
        (SimdOp::Sminp, 0) if f.sse41 => Pminsb,
        (SimdOp::Umaxp, 1) if f.sse41 => Pmaxuw,
        (SimdOp::Uminp, 1) if f.sse41 => Pminuw,
        (SimdOp::Umaxp, 2) if f.sse41 => Pmaxud,
        (SimdOp::Uminp, 2) if f.sse41 => Pminud,
        (SimdOp::Smaxp, 2) if f.sse41 => Pmaxsd,
        (SimdOp::Sminp, 2) if f.sse41 => Pminsd,
        _ => return false,
    };
    if size == 1 && !f.sse41 {
        return false; // PACKUSDW
    }
    if f.avx {
        emit_pairwise_avx(e, combine, i);
        return true;
    }
    load_nm(e, n, m, q);
    if !q {
        // One register holding Vn<63:0> : Vm<63:0>; the pairs of the low 64 bits of the
        // result come from it, the upper 64 bits are discarded.
        dasm!(e.ops
            ; punpcklqdq xmm0, xmm1
            ; movdqa xmm1, xmm0
        );
    }
    dasm!(e.ops
        ; movdqa xmm2, xmm0
        ; movdqa xmm3, xmm1
    );
    match size {
        0 => dasm!(e.ops
            ; pcmpeqw xmm4, xmm4
            ; psrlw xmm4, 8
            ; pand xmm0, xmm4
            ; pand xmm1, xmm4
            ; packuswb xmm0, xmm1
            ; psrlw xmm2, 8
            ; psrlw xmm3, 8
            ; packuswb xmm2, xmm3
        ),
        1 => dasm!(e.ops
            ; pcmpeqd xmm4, xmm4
            ; psrld xmm4, 16
            ; pand xmm0, xmm4
            ; pand xmm1, xmm4
            ; packusdw xmm0, xmm1
            ; psrld xmm2, 16
            ; psrld xmm3, 16
            ; packusdw xmm2, xmm3
        ),
        2 => dasm!(e.ops
            ; shufps xmm0, xmm1, 0x88u8 as i8
            ; shufps xmm2, xmm3, 0xDDu8 as i8
        ),
        _ => dasm!(e.ops
            ; punpcklqdq xmm0, xmm1
            ; punpckhqdq xmm2, xmm3
        ),
    }
    dasm!(e.ops; movdqa xmm1, xmm2);
    emit_sse(e, combine);
    store_vd(e, d, q, 0);
    true
}

/// [`emit_pairwise`] with AVX: the even and odd elements gathered straight from the cached
/// operands (Q = 0: first joined as Vn<63:0> : Vm<63:0> in xmm5), combined into Vd's cache
/// register.
fn emit_pairwise_avx(e: &mut Emitter, combine: Sse, i: Insn) {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let (mut a, mut b) = (e.vc_get(n), e.vc_get(m));
    if !q {
        dasm!(e.ops; vpunpcklqdq xmm5, Rx(a), Rx(b));
        (a, b) = (5, 5);
    }
    if matches!((combine, i.size()), (Sse::Pminub | Sse::Pmaxub, 0) | (Sse::Pminuw | Sse::Pmaxuw, 1)) {
        emit_unsigned_min_max_pairs(e, combine, i, a, b);
        return;
    }
    match i.size() {
        0 => dasm!(e.ops
            ; vpcmpeqw xmm4, xmm4, xmm4
            ; vpsrlw xmm4, xmm4, 8
            ; vpand xmm0, xmm4, Rx(a)
            ; vpand xmm1, xmm4, Rx(b)
            ; vpackuswb xmm0, xmm0, xmm1
            ; vpsrlw xmm2, Rx(a), 8
            ; vpsrlw xmm3, Rx(b), 8
            ; vpackuswb xmm2, xmm2, xmm3
        ),
        1 => dasm!(e.ops
            ; vpcmpeqd xmm4, xmm4, xmm4
            ; vpsrld xmm4, xmm4, 16
            ; vpand xmm0, xmm4, Rx(a)
            ; vpand xmm1, xmm4, Rx(b)
            ; vpackusdw xmm0, xmm0, xmm1
            ; vpsrld xmm2, Rx(a), 16
            ; vpsrld xmm3, Rx(b), 16
            ; vpackusdw xmm2, xmm2, xmm3
        ),
        // (not VSHUFPS: dynasm 5.1 encodes it with its two sources swapped)
        2 => dasm!(e.ops
            ; movaps xmm0, Rx(a)
            ; movaps xmm2, Rx(a)
            ; shufps xmm0, Rx(b), 0x88u8 as i8
            ; shufps xmm2, Rx(b), 0xDDu8 as i8
        ),
        _ => dasm!(e.ops
            ; vpunpcklqdq xmm0, Rx(a), Rx(b)
            ; vpunpckhqdq xmm2, Rx(a), Rx(b)
        ),
    }
    let x = e.vc_target(d);
    vex_op(e, combine, x, 0, 2);
    if !q {
        dasm!(e.ops; vmovq Rx(x), Rx(x));
    }
    e.vc_put(d, x, if q { 128 } else { 64 });
}

/// UMINP/UMAXP of bytes or halfwords with AVX, for operands `a` (Vn, or Q = 0: Vn:Vm low
/// halves joined) and `b` (Vm): the minimum or maximum of each pair is formed in place, in
/// the low half of each double-width lane (the lane shifted right by one element, then
/// VPMIN/VPMAX with itself), then one unsigned-saturating pack gathers them. For the
/// minimum the lane's high half is min(odd, 0) = 0 already; for the maximum it is masked.
/// Equal operands (UMAXP Vd, Vn, Vn; any Q = 0 form) are combined once.
fn emit_unsigned_min_max_pairs(e: &mut Emitter, combine: Sse, i: Insn, a: u8, b: u8) {
    let (d, q) = (i.rd(), i.q());
    let byte = i.size() == 0;
    let max = matches!(combine, Sse::Pmaxub | Sse::Pmaxuw);
    if max {
        if byte {
            dasm!(e.ops; vpcmpeqw xmm4, xmm4, xmm4; vpsrlw xmm4, xmm4, 8);
        } else {
            dasm!(e.ops; vpcmpeqd xmm4, xmm4, xmm4; vpsrld xmm4, xmm4, 16);
        }
    }
    let srcs: &[(u8, u8)] = if a == b { &[(a, 0)] } else { &[(a, 0), (b, 1)] };
    for &(src, t) in srcs {
        match (byte, max) {
            (true, false) => dasm!(e.ops; vpsrlw Rx(t), Rx(src), 8; vpminub Rx(t), Rx(t), Rx(src)),
            (true, true) => dasm!(e.ops; vpsrlw Rx(t), Rx(src), 8; vpmaxub Rx(t), Rx(t), Rx(src)),
            (false, false) => dasm!(e.ops; vpsrld Rx(t), Rx(src), 16; vpminuw Rx(t), Rx(t), Rx(src)),
            (false, true) => dasm!(e.ops; vpsrld Rx(t), Rx(src), 16; vpmaxuw Rx(t), Rx(t), Rx(src)),
        }
        if max {
            dasm!(e.ops; vpand Rx(t), Rx(t), xmm4);
        }
    }
    let hi = if a == b { 0 } else { 1 };
    let x = e.vc_target(d);
    if byte {
        dasm!(e.ops; vpackuswb Rx(x), xmm0, Rx(hi));
    } else {
        dasm!(e.ops; vpackusdw Rx(x), xmm0, Rx(hi));
    }
    if !q {
        dasm!(e.ops; vmovq Rx(x), Rx(x));
    }
    e.vc_put(d, x, if q { 128 } else { 64 });
}

/// CMHI, CMHS, CMGE, CMTST (vector, register) and CMEQ/CMGT/CMGE/CMLT/CMLE (vector, zero):
/// all-ones or all-zeros lanes from one PCMPEQ/PCMPGT (the [`Sse`] forms) of `a` and `b`,
/// possibly complemented. Unsigned orders compare with the sign bit of every lane flipped;
/// the "or equal" forms are the complement of the strict swapped one.
fn emit_int_compare(e: &mut Emitter, op: SimdOp, i: Insn, f: Features) -> bool {
    use Sse::*;
    /// An operand of the comparison.
    #[derive(Clone, Copy)]
    enum Arg {
        N,
        M,
        Zero,
    }
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let size = i.size();
    let gt = [Some(Pcmpgtb), Some(Pcmpgtw), Some(Pcmpgtd), if f.sse42 { Some(Pcmpgtq) } else { None }];
    let eq = [Some(Pcmpeqb), Some(Pcmpeqw), Some(Pcmpeqd), if f.sse41 { Some(Pcmpeqq) } else { None }];
    // xmm0 = a, xmm1 = b; result = a OP b, complemented when `invert`
    let (a, b, cmp, invert) = match op {
        SimdOp::Cmhi => (Arg::N, Arg::M, gt, false),
        SimdOp::CmgtZero => (Arg::N, Arg::Zero, gt, false),
        // n >= m  <=>  NOT (m > n)
        SimdOp::Cmhs | SimdOp::Cmge => (Arg::M, Arg::N, gt, true),
        // n < 0  <=>  0 > n;  n >= 0  <=>  NOT (0 > n)
        SimdOp::CmltZero => (Arg::Zero, Arg::N, gt, false),
        SimdOp::CmgeZero => (Arg::Zero, Arg::N, gt, true),
        // n <= 0  <=>  NOT (n > 0)
        SimdOp::CmleZero => (Arg::N, Arg::Zero, gt, true),
        SimdOp::CmeqZero => (Arg::N, Arg::Zero, eq, false),
        // CMTST: (n AND m) != 0  <=>  NOT ((n AND m) == 0); a is ANDed with m below
        _ => (Arg::N, Arg::Zero, eq, true),
    };
    let Some(cmp) = cmp[size as usize] else {
        return false; // 64-bit lanes without SSE4.1/4.2
    };
    for (arg, x) in [(a, 0u8), (b, 1u8)] {
        match arg {
            Arg::N => load_v(e, x, n),
            Arg::M => load_v(e, x, m),
            Arg::Zero => dasm!(e.ops; pxor Rx(x), Rx(x)),
        }
    }
    if op == SimdOp::Cmtst {
        load_v(e, 2, m);
        dasm!(e.ops; pand xmm0, xmm2);
    }
    if matches!(op, SimdOp::Cmhi | SimdOp::Cmhs) {
        let bias: u64 = [0x8080_8080_8080_8080, 0x8000_8000_8000_8000, 0x8000_0000_8000_0000, 1 << 63][size as usize];
        dasm!(e.ops
            ; mov rax, QWORD bias as i64
            ; movq xmm2, rax
            ; punpcklqdq xmm2, xmm2
            ; pxor xmm0, xmm2
            ; pxor xmm1, xmm2
        );
    }
    emit_sse(e, cmp);
    if invert {
        emit_sse(e, Not);
    }
    store_vd(e, d, q, 0);
    true
}

/// XTN and SHRN (vector): each 2*esize element of Vn, shifted right (SHRN) and truncated to
/// esize, into the lower half of Vd (the upper half becomes zero) or, for the "2" forms
/// (Q = 1), into the upper half (the lower half is kept).
fn emit_narrow(e: &mut Emitter, op: SimdOp, i: Insn) -> bool {
    let (d, n, q) = (i.rd(), i.rn(), i.q());
    // destination element size index and right shift
    let (size, shift) = if op == SimdOp::Xtn {
        (i.size(), 0)
    } else {
        let Some(size @ 0..=2) = shift_size(i) else { return false };
        (size, (16 << size) - i.bits(22, 16))
    };
    let shift = shift as i8;
    load_v(e, 0, n);
    match size {
        0 => {
            if shift != 0 {
                dasm!(e.ops; psrlw xmm0, shift);
            }
            dasm!(e.ops
                ; pcmpeqw xmm4, xmm4
                ; psrlw xmm4, 8
                ; pand xmm0, xmm4
                ; packuswb xmm0, xmm0
            );
        }
        1 => {
            if shift != 0 {
                dasm!(e.ops; psrld xmm0, shift);
            }
            // sign-extend the low halfword of each word so that PACKSSDW keeps it unchanged
            dasm!(e.ops
                ; pslld xmm0, 16
                ; psrad xmm0, 16
                ; packssdw xmm0, xmm0
            );
        }
        2 => {
            if shift != 0 {
                dasm!(e.ops; psrlq xmm0, shift);
            }
            dasm!(e.ops; pshufd xmm0, xmm0, 0x08);
        }
        _ => return false,
    }
    if q {
        dasm!(e.ops
            ; movq xmm1, QWORD [cpu + off_v(d)]
            ; punpcklqdq xmm1, xmm0
            ; movdqu [cpu + off_v(d)], xmm1
        );
    } else {
        store_vd(e, d, false, 0);
    }
    true
}

/// `imul` factor that replicates a zero-extended element of `1 << size` bytes over 64 bits.
const REPLICATE: [u64; 4] = [0x0101_0101_0101_0101, 0x0001_0001_0001_0001, 0x0000_0001_0000_0001, 1];

/// Load element `index` of size `1 << size` bytes of V`n`, zero-extended (or, with `signed`,
/// sign-extended to 64 bits), into rax.
fn load_element(e: &mut Emitter, n: u32, size: u32, index: u32, signed: bool) {
    let off = off_v(n) + (index << size) as i32;
    match (size, signed) {
        (0, false) => dasm!(e.ops; movzx eax, BYTE [cpu + off]),
        (1, false) => dasm!(e.ops; movzx eax, WORD [cpu + off]),
        (2, false) => dasm!(e.ops; mov eax, DWORD [cpu + off]),
        (0, true) => dasm!(e.ops; movsx rax, BYTE [cpu + off]),
        (1, true) => dasm!(e.ops; movsx rax, WORD [cpu + off]),
        (2, true) => dasm!(e.ops; movsxd rax, DWORD [cpu + off]),
        _ => dasm!(e.ops; mov rax, QWORD [cpu + off]),
    }
}

/// Store the low `1 << size` bytes of rax to element `index` of V`d` (the rest is kept).
fn store_element(e: &mut Emitter, d: u32, size: u32, index: u32) {
    let off = off_v(d) + (index << size) as i32;
    match size {
        0 => dasm!(e.ops; mov BYTE [cpu + off], al),
        1 => dasm!(e.ops; mov WORD [cpu + off], ax),
        2 => dasm!(e.ops; mov DWORD [cpu + off], eax),
        _ => dasm!(e.ops; mov QWORD [cpu + off], rax),
    }
}

/// The element moves, all as plain integer moves (no FP semantics): DUP (element, vector and
/// scalar), DUP (general), INS (general, element), SMOV, UMOV. imm5's lowest set bit gives
/// the element size, the bits above it the index; reserved combinations were rejected by
/// `helpers::simd::undefined`.
fn emit_element_move(e: &mut Emitter, op: SimdOp, i: Insn) {
    let (d, n, q) = (i.rd(), i.rn(), i.q());
    let imm5 = i.bits(20, 16);
    let size = imm5.trailing_zeros().min(3);
    let index = imm5 >> (size + 1);
    match op {
        SimdOp::Umov | SimdOp::Smov => {
            let signed = op == SimdOp::Smov;
            load_element(e, n, size, index, signed);
            // SMOV to a W register: the sign extension stops at bit 31.
            let sf = !signed || q;
            e.store_x(d, reg::RAX, sf, R31::Zr);
        }
        SimdOp::InsGeneral => {
            e.load_x(reg::RAX, n, size == 3, R31::Zr);
            store_element(e, d, size, index);
        }
        SimdOp::InsElement => {
            load_element(e, n, size, i.bits(14, 11) >> size, false);
            store_element(e, d, size, index);
        }
        _ => {
            if op == SimdOp::DupGeneral {
                e.load_x(reg::RAX, n, size == 3, R31::Zr);
                if size < 2 {
                    dasm!(e.ops; movzx eax, ax);
                    if size == 0 {
                        dasm!(e.ops; movzx eax, al);
                    }
                }
            } else {
                load_element(e, n, size, index, false);
            }
            if op == SimdOp::DupElement && i.bit(28) {
                // DUP (scalar): Vd = the element, zero-extended to 128 bits.
                e.store_v_from_rax(d);
                return;
            }
            if size < 3 {
                dasm!(e.ops
                    ; mov rcx, QWORD REPLICATE[size as usize] as i64
                    ; imul rax, rcx
                );
            }
            dasm!(e.ops; movq xmm0, rax);
            if q {
                dasm!(e.ops; punpcklqdq xmm0, xmm0);
            }
            dasm!(e.ops; movdqu [cpu + off_v(d)], xmm0);
        }
    }
}

/// MOVI, MVNI and FMOV (vector, immediate): Vd = a translate-time constant
/// (`AdvSIMDExpandImm`, inverted for MVNI); ORR and BIC (vector, immediate): Vd OR / AND NOT
/// that constant. Encodings without an expansion are left to the helper.
fn emit_mod_imm(e: &mut Emitter, i: Insn) -> bool {
    let op = i.bit(29);
    let cmode = i.bits(15, 12);
    let imm8 = (i.bits(18, 16) << 5) | i.bits(9, 5);
    let Some(imm64) = adv_simd_expand_imm(op, cmode, imm8) else {
        return false;
    };
    let d = i.rd();
    let width = if i.q() { 128 } else { 64 };
    if cmode & 1 == 1 && cmode < 0b1100 {
        // ORR (op 0) / BIC (op 1) (vector, immediate): Vd = Vd OR imm, Vd AND NOT imm, in
        // Vd's cache register
        let x = e.vc_get(d);
        e.mov_imm(reg::RAX, if op { !imm64 } else { imm64 });
        dasm!(e.ops
            ; movq xmm0, rax
            ; punpcklqdq xmm0, xmm0
        );
        if op {
            dasm!(e.ops; pand Rx(x), xmm0);
        } else {
            dasm!(e.ops; por Rx(x), xmm0);
        }
        if !i.q() {
            dasm!(e.ops; movq Rx(x), Rx(x));
        }
        e.vc_put(d, x, width);
        return true;
    }
    // MOVI/MVNI/FMOV (vector, immediate): the (inverted) immediate in every 64-bit half
    let imm = if op && cmode < 0b1110 { !imm64 } else { imm64 };
    let x = e.vc_target(d);
    e.mov_imm(reg::RAX, imm);
    dasm!(e.ops; movq Rx(x), rax);
    if i.q() {
        dasm!(e.ops; punpcklqdq Rx(x), Rx(x));
    }
    e.vc_put(d, x, width);
    true
}

/// SSHLL/USHLL (vector; UXTL/SXTL are shift 0) and SHLL: widen the elements of the lower
/// (Q = 0) or upper (Q = 1, the "2" forms) half of Vn to 2*esize by interleaving (with zero,
/// or with the sign bits for SSHLL), then shift left. The result is always 128 bits.
fn emit_widen(e: &mut Emitter, op: SimdOp, i: Insn) -> bool {
    let (d, n, q) = (i.rd(), i.rn(), i.q());
    // source element size index (0 = B, 1 = H, 2 = S) and left shift
    let (w, shift) = if op == SimdOp::Shll {
        let size = i.size();
        (size, 8 << size)
    } else {
        let Some(w @ 0..=2) = shift_size(i) else { return false };
        (w, i.bits(22, 16) - (8 << w))
    };
    if w > 2 {
        return false;
    }
    let shift = shift as i8;
    load_v(e, 0, n);
    if op == SimdOp::Shll {
        // element << esize: the element lands in the upper half of the wide lane, zero below.
        dasm!(e.ops; pxor xmm2, xmm2);
        match (w, q) {
            (0, false) => dasm!(e.ops; punpcklbw xmm2, xmm0),
            (0, true) => dasm!(e.ops; punpckhbw xmm2, xmm0),
            (1, false) => dasm!(e.ops; punpcklwd xmm2, xmm0),
            (1, true) => dasm!(e.ops; punpckhwd xmm2, xmm0),
            (_, false) => dasm!(e.ops; punpckldq xmm2, xmm0),
            (_, true) => dasm!(e.ops; punpckhdq xmm2, xmm0),
        }
        dasm!(e.ops; movdqu [cpu + off_v(d)], xmm2);
        return true;
    }
    // xmm1 = the upper halves of the wide lanes: zero, or the sign of each element.
    if op == SimdOp::Sshll {
        dasm!(e.ops; movdqa xmm1, xmm0);
        match w {
            0 => dasm!(e.ops; pxor xmm2, xmm2; pcmpgtb xmm2, xmm1; movdqa xmm1, xmm2),
            1 => dasm!(e.ops; psraw xmm1, 15),
            _ => dasm!(e.ops; psrad xmm1, 31),
        }
    } else {
        dasm!(e.ops; pxor xmm1, xmm1);
    }
    match (w, q) {
        (0, false) => dasm!(e.ops; punpcklbw xmm0, xmm1),
        (0, true) => dasm!(e.ops; punpckhbw xmm0, xmm1),
        (1, false) => dasm!(e.ops; punpcklwd xmm0, xmm1),
        (1, true) => dasm!(e.ops; punpckhwd xmm0, xmm1),
        (_, false) => dasm!(e.ops; punpckldq xmm0, xmm1),
        (_, true) => dasm!(e.ops; punpckhdq xmm0, xmm1),
    }
    if shift != 0 {
        match w {
            0 => dasm!(e.ops; psllw xmm0, shift),
            1 => dasm!(e.ops; pslld xmm0, shift),
            _ => dasm!(e.ops; psllq xmm0, shift),
        }
    }
    dasm!(e.ops; movdqu [cpu + off_v(d)], xmm0);
    true
}

/// The rows that also read Vd (xmm3): BSL/BIT/BIF (bitwise selects), MLA/MLS (16/32-bit
/// lanes: PMULLW/PMULLD then add or subtract) and SSRA/USRA (16/32-bit lanes, USRA also 64:
/// the SSHR/USHR shift, then add).
fn emit_accumulate(e: &mut Emitter, op: SimdOp, i: Insn, f: Features) -> bool {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let size = i.size();
    match op {
        SimdOp::Mla | SimdOp::Mls if size == 1 || (size == 2 && f.sse41) => {}
        SimdOp::Ssra | SimdOp::Usra => {}
        SimdOp::Bsl | SimdOp::Bit | SimdOp::Bif => {}
        _ => return false,
    }
    // SSRA/USRA: the SSHR/USHR shift (None for 8-bit lanes and 64-bit SSRA: not inlined).
    let shift = match op {
        SimdOp::Ssra => select(SimdOp::Sshr, i, f),
        SimdOp::Usra => select(SimdOp::Ushr, i, f),
        _ => None,
    };
    if matches!(op, SimdOp::Ssra | SimdOp::Usra) && shift.is_none() {
        return false;
    }
    load_v(e, 0, n);
    load_v(e, 3, d);
    match (op, shift) {
        (SimdOp::Ssra | SimdOp::Usra, Some(s)) => {
            emit_sse(e, s);
            match shift_size(i) {
                Some(1) => dasm!(e.ops; paddw xmm0, xmm3),
                Some(2) => dasm!(e.ops; paddd xmm0, xmm3),
                _ => dasm!(e.ops; paddq xmm0, xmm3),
            }
        }
        _ => {
            load_v(e, 1, m);
            match (op, size) {
                // BSL: Vd = Vm EOR ((Vm EOR Vn) AND Vd)
                (SimdOp::Bsl, _) => dasm!(e.ops; pxor xmm0, xmm1; pand xmm0, xmm3; pxor xmm0, xmm1),
                // BIT: Vd = Vd EOR ((Vd EOR Vn) AND Vm)
                (SimdOp::Bit, _) => dasm!(e.ops; pxor xmm0, xmm3; pand xmm0, xmm1; pxor xmm0, xmm3),
                // BIF: Vd = Vd EOR ((Vd EOR Vn) AND NOT Vm)
                (SimdOp::Bif, _) => {
                    dasm!(e.ops; pxor xmm0, xmm3; pandn xmm1, xmm0; pxor xmm1, xmm3; movdqa xmm0, xmm1)
                }
                (SimdOp::Mla, 1) => dasm!(e.ops; pmullw xmm0, xmm1; paddw xmm0, xmm3),
                (SimdOp::Mla, _) => dasm!(e.ops; pmulld xmm0, xmm1; paddd xmm0, xmm3),
                (_, 1) => dasm!(e.ops; pmullw xmm0, xmm1; psubw xmm3, xmm0; movdqa xmm0, xmm3),
                (_, _) => dasm!(e.ops; pmulld xmm0, xmm1; psubd xmm3, xmm0; movdqa xmm0, xmm3),
            }
        }
    }
    store_vd(e, d, q, 0);
    true
}

/// UMULL/SMULL/UMLAL/SMLAL/UMLSL/SMLSL{2} of 32-bit lanes, vector and by element: the two
/// 64-bit products of lanes 0-1 of Vn (lanes 2-3 for the "2" forms, Q = 1) with the same
/// lanes of Vm, or with lane `index` of Vm by element, are PMULUDQ's (PMULDQ's, SSE4.1, for
/// the signed forms) of those lanes moved to dwords 0 and 2; then added to (MLAL) or
/// subtracted from (MLSL) Vd's two 64-bit lanes. Other lane sizes: false, nothing emitted.
fn emit_mul_long(e: &mut Emitter, op: SimdOp, i: Insn, f: Features) -> bool {
    use SimdOp::*;
    let signed = matches!(op, Smull | Smlal | Smlsl | SmullElem | SmlalElem | SmlslElem);
    if i.size() != 2 || (signed && !f.sse41) {
        return false;
    }
    let by_elem = matches!(op, UmullElem | SmullElem | UmlalElem | SmlalElem | UmlslElem | SmlslElem);
    let (d, n) = (i.rd(), i.rn());
    // lanes 0, 1 (2, 3) into dwords 0 and 2
    let lanes: i8 = if i.q() { 0xfa_u8 as i8 } else { 0x50 };
    load_v(e, 0, n);
    dasm!(e.ops; pshufd xmm0, xmm0, lanes);
    if by_elem {
        // Rm is M:Rm (bits 20:16) for 32-bit lanes, the index H:L
        let index = elem_index_s(i);
        load_v(e, 1, i.bits(20, 16));
        dasm!(e.ops; pshufd xmm1, xmm1, (index * 0x55) as i8);
    } else {
        load_v(e, 1, i.rm());
        dasm!(e.ops; pshufd xmm1, xmm1, lanes);
    }
    if signed {
        dasm!(e.ops; pmuldq xmm0, xmm1);
    } else {
        dasm!(e.ops; pmuludq xmm0, xmm1);
    }
    match op {
        Umlal | Smlal | UmlalElem | SmlalElem => {
            load_v(e, 3, d);
            dasm!(e.ops; paddq xmm0, xmm3);
        }
        Umlsl | Smlsl | UmlslElem | SmlslElem => {
            load_v(e, 3, d);
            dasm!(e.ops; psubq xmm3, xmm0; movdqa xmm0, xmm3);
        }
        _ => {}
    }
    store_vd(e, d, true, 0);
    true
}

/// SLI/SRI (vector) of 16-, 32- and 64-bit lanes: Vn shifted left (right) by the amount, with
/// the bits the shift vacated taken from Vd: its low `shift` bits for SLI (none for a shift
/// of 0), its high `shift` bits for SRI (all of Vd for a shift of the lane size; x86 shifts
/// by the lane size or more give 0, as both need). 8-bit lanes: false, nothing emitted.
fn emit_shift_insert(e: &mut Emitter, op: SimdOp, i: Insn) -> bool {
    let immhb = i.bits(22, 16) as i32;
    let Some(size @ 1..=3) = shift_size(i) else { return false };
    let esize = 8 << size as i32;
    let sli = op == SimdOp::Sli;
    // (0..esize - 1 for SLI, 1..esize for SRI; and esize - shift: both fit an imm8)
    let shift = if sli { immhb - esize } else { 2 * esize - immhb };
    let (shift, rest) = (shift as i8, (esize - shift) as i8);
    let (d, n) = (i.rd(), i.rn());
    load_v(e, 0, n);
    load_v(e, 3, d);
    dasm!(e.ops; pcmpeqd xmm2, xmm2);
    // xmm0 = Vn shifted; xmm2 = the lane mask of Vd's kept bits
    match (sli, esize) {
        (true, 16) => dasm!(e.ops; psllw xmm0, shift; psrlw xmm2, rest),
        (true, 32) => dasm!(e.ops; pslld xmm0, shift; psrld xmm2, rest),
        (true, _) => dasm!(e.ops; psllq xmm0, shift; psrlq xmm2, rest),
        (false, 16) => dasm!(e.ops; psrlw xmm0, shift; psllw xmm2, rest),
        (false, 32) => dasm!(e.ops; psrld xmm0, shift; pslld xmm2, rest),
        (false, _) => dasm!(e.ops; psrlq xmm0, shift; psllq xmm2, rest),
    }
    dasm!(e.ops; pand xmm3, xmm2; por xmm0, xmm3);
    store_vd(e, d, i.q(), 0);
    true
}

/// FCMEQ/FCMGE/FCMGT (vector, register; single or double). With FPCR.FZ (and the other
/// special bits) clear, `FPCompareEQ/GE/GT` on non-NaN operands is the exact IEEE comparison
/// (subnormals compared as they are) and raises nothing, which CMPEQ/CMPLE/CMPLT give with
/// swapped operands. A NaN in any active lane (Invalid, and the quiet/signalling distinction
/// for FCMEQ) or any special FPCR bit sends the whole instruction to the helper.
fn emit_fcmp(e: &mut Emitter, op: SimdOp, i: Insn) {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let double = i.bit(22);
    let mask: i32 = if double || !q { 0b0011 } else { 0b1111 };
    let slow = non_ieee_guard(e);
    // Q = 0: the upper halves as zero, so that no inactive lane raises a host flag (fpflags).
    load_nm(e, n, m, q);
    dasm!(e.ops
        ; movdqa xmm2, xmm0
    );
    // xmm2 = unordered lanes; result (Vn == Vm, Vm <= Vn, Vm < Vn) in xmm1
    match (op, double) {
        (SimdOp::Fcmeq, false) => dasm!(e.ops; cmpunordps xmm2, xmm1; cmpeqps xmm1, xmm0; movmskps eax, xmm2),
        (SimdOp::Fcmge, false) => dasm!(e.ops; cmpunordps xmm2, xmm1; cmpleps xmm1, xmm0; movmskps eax, xmm2),
        (_, false) => dasm!(e.ops; cmpunordps xmm2, xmm1; cmpltps xmm1, xmm0; movmskps eax, xmm2),
        (SimdOp::Fcmeq, true) => dasm!(e.ops; cmpunordpd xmm2, xmm1; cmpeqpd xmm1, xmm0; movmskpd eax, xmm2),
        (SimdOp::Fcmge, true) => dasm!(e.ops; cmpunordpd xmm2, xmm1; cmplepd xmm1, xmm0; movmskpd eax, xmm2),
        (_, true) => dasm!(e.ops; cmpunordpd xmm2, xmm1; cmpltpd xmm1, xmm0; movmskpd eax, xmm2),
    }
    dasm!(e.ops
        ; test eax, mask
        ; jnz =>slow
        ; movdqa xmm0, xmm1
    );
    store_vd(e, d, q, 0);
    e.cold_call_simd(slow, simd_helper, i.0, op as u32);
}

/// EXT: Vd = (Vm:Vn) >> 8*imm4, over 128 bits (PALIGNR) or, for Q = 0, over the
/// concatenation of the low halves (imm4 < 8 there; bit 3 set is rejected as reserved).
fn emit_ext(e: &mut Emitter, i: Insn) {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let pos = i.bits(14, 11) as i8;
    load_nm(e, n, m, q);
    if q {
        dasm!(e.ops
            ; palignr xmm1, xmm0, pos
            ; movdqa xmm0, xmm1
        );
    } else {
        dasm!(e.ops
            ; punpcklqdq xmm0, xmm1
            ; psrldq xmm0, pos
        );
    }
    store_vd(e, d, q, 0);
}

/// REV16, REV32, REV64 (vector): reverse the elements within each 16-, 32- or 64-bit
/// container. Each is one permutation within 64-bit halves: PSHUFB with a mask of
/// `CpuState::fp_const` ([`K_REV16_B`] ...), or PSHUFD for REV64 of 32-bit elements. With AVX
/// it goes straight from Vn's cache register into Vd's. Reserved sizes were rejected before.
fn emit_rev(e: &mut Emitter, op: SimdOp, i: Insn, f: Features) -> bool {
    let (d, n, q) = (i.rd(), i.rn(), i.q());
    // the PSHUFB mask, or None for PSHUFD
    let mask = match (op, i.size()) {
        (SimdOp::Rev16, 0) => Some(K_REV16_B),
        (SimdOp::Rev32, 0) => Some(K_REV32_B),
        (SimdOp::Rev32, 1) => Some(K_REV32_H),
        (SimdOp::Rev64, 0) => Some(K_REV64_B),
        (SimdOp::Rev64, 1) => Some(K_REV64_H),
        (SimdOp::Rev64, 2) => None,
        _ => return false,
    };
    if f.avx {
        let a = e.vc_get(n);
        let x = e.vc_target(d);
        match mask {
            Some(k) => dasm!(e.ops; vpshufb Rx(x), Rx(a), [cpu + off_fp_const(k)]),
            None => dasm!(e.ops; vpshufd Rx(x), Rx(a), 0xB1u8 as i8),
        }
        if !q {
            dasm!(e.ops; vmovq Rx(x), Rx(x));
        }
        e.vc_put(d, x, if q { 128 } else { 64 });
    } else {
        load_v(e, 0, n);
        match mask {
            Some(k) => dasm!(e.ops; pshufb xmm0, [cpu + off_fp_const(k)]),
            None => dasm!(e.ops; pshufd xmm0, xmm0, 0xB1u8 as i8),
        }
        store_vd(e, d, q, 0);
    }
    true
}

/// CNT (vector, 8-bit elements): the population count of each byte as the sum of two PSHUFB
/// lookups of its nibbles in [`K_POPCNT4`].
fn emit_cnt(e: &mut Emitter, i: Insn, f: Features) {
    let (d, n, q) = (i.rd(), i.rn(), i.q());
    let (low, table) = (off_fp_const(K_LOW_NIBBLES), off_fp_const(K_POPCNT4));
    if f.avx {
        let a = e.vc_get(n);
        dasm!(e.ops
            ; vpand xmm0, Rx(a), [cpu + low]
            ; vpsrlw xmm1, Rx(a), 4
            ; vpand xmm1, xmm1, [cpu + low]
            ; movdqa xmm2, [cpu + table]
            ; vpshufb xmm0, xmm2, xmm0
            ; vpshufb xmm1, xmm2, xmm1
        );
        let x = e.vc_target(d);
        dasm!(e.ops; vpaddb Rx(x), xmm0, xmm1);
        if !q {
            dasm!(e.ops; vmovq Rx(x), Rx(x));
        }
        e.vc_put(d, x, if q { 128 } else { 64 });
        return;
    }
    load_v(e, 0, n);
    dasm!(e.ops
        ; movdqa xmm1, xmm0
        ; psrlw xmm1, 4
        ; pand xmm0, [cpu + low]
        ; pand xmm1, [cpu + low]
        ; movdqa xmm2, [cpu + table]
        ; movdqa xmm3, xmm2
        ; pshufb xmm2, xmm0
        ; pshufb xmm3, xmm1
        ; paddb xmm2, xmm3
    );
    store_vd(e, d, q, 2);
}

/// RBIT (vector, bytes): each byte's bits reversed, as two PSHUFB lookups of its nibbles in
/// the 4-bit reversal table (the low nibble's reversal becomes the high nibble). SSSE3.
fn emit_rbit(e: &mut Emitter, i: Insn) {
    let (d, n, q) = (i.rd(), i.rn(), i.q());
    let (low, rev, rev_hi) = (off_fp_const(K_LOW_NIBBLES), off_fp_const(K_RBIT4), off_fp_const(K_RBIT4_HI));
    load_v(e, 0, n);
    dasm!(e.ops
        ; movdqa xmm1, xmm0
        ; psrlw xmm1, 4
        ; pand xmm0, [cpu + low]
        ; pand xmm1, [cpu + low]
        ; movdqa xmm2, [cpu + rev_hi]
        ; pshufb xmm2, xmm0
        ; movdqa xmm3, [cpu + rev]
        ; pshufb xmm3, xmm1
        ; por xmm2, xmm3
    );
    store_vd(e, d, q, 2);
}

/// TBL with one table register: Vd byte k = Vn byte Vm[k], 0 where Vm[k] > 15. PSHUFB
/// selects by the low 4 bits and gives 0 where bit 7 is set: an unsigned saturating add of
/// 0x70 sets bit 7 exactly for the indexes 16-255 and keeps the low 4 bits of the others.
/// SSSE3.
fn emit_tbl1(e: &mut Emitter, i: Insn) {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let bias = off_fp_const(K_TBL_BIAS);
    load_v(e, 1, m);
    load_v(e, 0, n);
    dasm!(e.ops; paddusb xmm1, [cpu + bias]; pshufb xmm0, xmm1);
    store_vd(e, d, q, 0);
}

/// ADDV, UMAXV, UMINV, SMAXV, SMINV (8-, 16- and 32-bit elements; the reserved sizes were
/// rejected): the lanes of Vn (its low 64 bits for Q = 0) folded in halves, each step the
/// lane-wise operation of the vector with itself shifted down by half the remaining width
/// (PSRLDQ), so lane 0 ends with the operation over all lanes; then lane 0 alone, zero
/// extended, is Vd (the rest of Vd zero). Every step is exact: wrapping adds (ADDV keeps the
/// low bits of the sum), and min/max in any order. SSE4.1 for the byte signed and the 16-
/// and 32-bit unsigned/32-bit signed forms.
fn emit_across(e: &mut Emitter, op: SimdOp, i: Insn) {
    let (d, n, q, size) = (i.rd(), i.rn(), i.q(), i.size());
    let esize = 1u8 << size;
    load_v(e, 0, n);
    let mut width: u8 = if q { 16 } else { 8 };
    while width > esize {
        width /= 2;
        dasm!(e.ops; movdqa xmm1, xmm0; psrldq xmm1, width as i8);
        match (op, size) {
            (SimdOp::Addv, 0) => dasm!(e.ops; paddb xmm0, xmm1),
            (SimdOp::Addv, 1) => dasm!(e.ops; paddw xmm0, xmm1),
            (SimdOp::Addv, _) => dasm!(e.ops; paddd xmm0, xmm1),
            (SimdOp::Umaxv, 0) => dasm!(e.ops; pmaxub xmm0, xmm1),
            (SimdOp::Umaxv, 1) => dasm!(e.ops; pmaxuw xmm0, xmm1),
            (SimdOp::Umaxv, _) => dasm!(e.ops; pmaxud xmm0, xmm1),
            (SimdOp::Uminv, 0) => dasm!(e.ops; pminub xmm0, xmm1),
            (SimdOp::Uminv, 1) => dasm!(e.ops; pminuw xmm0, xmm1),
            (SimdOp::Uminv, _) => dasm!(e.ops; pminud xmm0, xmm1),
            (SimdOp::Smaxv, 0) => dasm!(e.ops; pmaxsb xmm0, xmm1),
            (SimdOp::Smaxv, 1) => dasm!(e.ops; pmaxsw xmm0, xmm1),
            (SimdOp::Smaxv, _) => dasm!(e.ops; pmaxsd xmm0, xmm1),
            (SimdOp::Sminv, 0) => dasm!(e.ops; pminsb xmm0, xmm1),
            (SimdOp::Sminv, 1) => dasm!(e.ops; pminsw xmm0, xmm1),
            (_, _) => dasm!(e.ops; pminsd xmm0, xmm1),
        }
    }
    match size {
        0 => dasm!(e.ops; movd eax, xmm0; movzx eax, al; movd xmm0, eax),
        1 => dasm!(e.ops; movd eax, xmm0; movzx eax, ax; movd xmm0, eax),
        _ => dasm!(e.ops; movd eax, xmm0; movd xmm0, eax),
    }
    // (at most 32 bits may be non-zero: the widths the cache distinguishes are 32, 64, 128)
    e.vc_put(d, 0, 32);
}

/// ZIP1/ZIP2, UZP1/UZP2, TRN1/TRN2 (all element sizes; 64-bit elements only with Q = 1, the
/// rest was rejected as reserved), SSE2 only:
/// - ZIP: PUNPCKL/PUNPCKH of Vn and Vm. Q = 0: ZIP1 is the low 64 bits of PUNPCKL, ZIP2 its
///   upper 64 bits.
/// - UZP: the even (UZP1) or odd (UZP2) elements of Vm:Vn: bytes and halfwords isolated in
///   twice as wide lanes by shifts (or a mask) and packed (PACKUSWB of values 0..255, PACKSSDW
///   of sign-extended halfwords: no saturation), words by SHUFPS, doublewords by
///   PUNPCKL/HQDQ. Q = 0: Vm:Vn is the concatenation of the low halves, built in one register
///   and used as both operands; the low 64 bits of the result are the answer.
/// - TRN: within each 2*esize lane, TRN1 = the low element of Vn, then the low element of Vm
///   shifted up; TRN2 = the high element of Vn shifted down, then the high element of Vm
///   (lane-wise, so Q = 0 needs nothing more).
fn emit_permute(e: &mut Emitter, op: SimdOp, i: Insn) {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let size = i.size();
    load_nm(e, n, m, q);
    match op {
        SimdOp::Zip1 | SimdOp::Zip2 => {
            match (size, op == SimdOp::Zip2 && q) {
                (0, false) => dasm!(e.ops; punpcklbw xmm0, xmm1),
                (0, true) => dasm!(e.ops; punpckhbw xmm0, xmm1),
                (1, false) => dasm!(e.ops; punpcklwd xmm0, xmm1),
                (1, true) => dasm!(e.ops; punpckhwd xmm0, xmm1),
                (2, false) => dasm!(e.ops; punpckldq xmm0, xmm1),
                (2, true) => dasm!(e.ops; punpckhdq xmm0, xmm1),
                (_, false) => dasm!(e.ops; punpcklqdq xmm0, xmm1),
                (_, true) => dasm!(e.ops; punpckhqdq xmm0, xmm1),
            }
            if op == SimdOp::Zip2 && !q {
                dasm!(e.ops; pshufd xmm0, xmm0, 0xEEu8 as i8);
            }
        }
        SimdOp::Uzp1 | SimdOp::Uzp2 => {
            if !q {
                dasm!(e.ops
                    ; punpcklqdq xmm0, xmm1
                    ; movdqa xmm1, xmm0
                );
            }
            match (size, op == SimdOp::Uzp2) {
                (0, false) => dasm!(e.ops
                    ; pcmpeqw xmm2, xmm2
                    ; psrlw xmm2, 8
                    ; pand xmm0, xmm2
                    ; pand xmm1, xmm2
                    ; packuswb xmm0, xmm1
                ),
                (0, true) => dasm!(e.ops
                    ; psrlw xmm0, 8
                    ; psrlw xmm1, 8
                    ; packuswb xmm0, xmm1
                ),
                (1, false) => dasm!(e.ops
                    ; pslld xmm0, 16
                    ; psrad xmm0, 16
                    ; pslld xmm1, 16
                    ; psrad xmm1, 16
                    ; packssdw xmm0, xmm1
                ),
                (1, true) => dasm!(e.ops
                    ; psrad xmm0, 16
                    ; psrad xmm1, 16
                    ; packssdw xmm0, xmm1
                ),
                (2, false) => dasm!(e.ops; shufps xmm0, xmm1, 0x88u8 as i8),
                (2, true) => dasm!(e.ops; shufps xmm0, xmm1, 0xDDu8 as i8),
                (_, false) => dasm!(e.ops; punpcklqdq xmm0, xmm1),
                (_, true) => dasm!(e.ops; punpckhqdq xmm0, xmm1),
            }
        }
        _ => match (size, op == SimdOp::Trn2) {
            (0, false) => dasm!(e.ops
                ; psllw xmm0, 8
                ; psrlw xmm0, 8
                ; psllw xmm1, 8
                ; por xmm0, xmm1
            ),
            (0, true) => dasm!(e.ops
                ; psrlw xmm0, 8
                ; psrlw xmm1, 8
                ; psllw xmm1, 8
                ; por xmm0, xmm1
            ),
            (1, false) => dasm!(e.ops
                ; pslld xmm0, 16
                ; psrld xmm0, 16
                ; pslld xmm1, 16
                ; por xmm0, xmm1
            ),
            (1, true) => dasm!(e.ops
                ; psrld xmm0, 16
                ; psrld xmm1, 16
                ; pslld xmm1, 16
                ; por xmm0, xmm1
            ),
            (2, false) => dasm!(e.ops
                ; psllq xmm0, 32
                ; psrlq xmm0, 32
                ; psllq xmm1, 32
                ; por xmm0, xmm1
            ),
            (2, true) => dasm!(e.ops
                ; psrlq xmm0, 32
                ; psrlq xmm1, 32
                ; psllq xmm1, 32
                ; por xmm0, xmm1
            ),
            (_, false) => dasm!(e.ops; punpcklqdq xmm0, xmm1),
            (_, true) => dasm!(e.ops; punpckhqdq xmm0, xmm1),
        },
    }
    store_vd(e, d, q, 0);
}

/// FADD/FSUB/FMUL/FDIV (vector, single or double) inline when FPCR has round-to-nearest and
/// no FZ/DN/AHP: the host instruction, whose flags stay pending in MXCSR (`jit::fpflags`).
/// IEEE 754 makes each lane and its flags the Arm ones unless the lane is a NaN (Arm's NaN
/// rules differ) or, for FMUL/FDIV, exactly the smallest normal magnitude (Arm detects
/// tininess before rounding, x86 after; a sum is exact whenever it is tiny, so FADD/FSUB cannot
/// differ there): such a lane sends the whole instruction to the helper, which recomputes it
/// (the host flags already raised are a subset of the Arm ones). Q = 0: the upper halves are
/// loaded as zero, so the inactive lanes compute 0 op 0, which raises nothing (for FDIV the
/// divisor's upper lanes are made 0x3FFFFFFF, about 2.0, so that 0/0 cannot raise Invalid).
fn emit_fp(e: &mut Emitter, op: SimdOp, i: Insn, f: Features) {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let double = i.bit(22);
    let mask: i32 = if q { 0b1111 } else { 0b0011 };
    let slow = non_ieee_guard(e);
    if f.avx {
        emit_fp_avx(e, op, i, slow);
        return;
    }
    load_nm(e, n, m, q);
    if !q && op == SimdOp::Fdiv {
        // the divisor's inactive upper lanes become 0x3FFFFFFF (about 2.0): 0/0 raises Invalid
        dasm!(e.ops
            ; pcmpeqd xmm2, xmm2
            ; psrld xmm2, 2
            ; pslldq xmm2, 8
            ; por xmm1, xmm2
        );
    }
    match (op, double) {
        (SimdOp::Fadd, false) => dasm!(e.ops; addps xmm0, xmm1),
        (SimdOp::Fsub, false) => dasm!(e.ops; subps xmm0, xmm1),
        (SimdOp::Fmul, false) => dasm!(e.ops; mulps xmm0, xmm1),
        (_, false) => dasm!(e.ops; divps xmm0, xmm1),
        (SimdOp::Fadd, true) => dasm!(e.ops; addpd xmm0, xmm1),
        (SimdOp::Fsub, true) => dasm!(e.ops; subpd xmm0, xmm1),
        (SimdOp::Fmul, true) => dasm!(e.ops; mulpd xmm0, xmm1),
        (_, true) => dasm!(e.ops; divpd xmm0, xmm1),
    }
    // xmm1 = NaN lanes, OR (FMUL/FDIV) lanes whose magnitude is the smallest normal.
    dasm!(e.ops; movaps xmm1, xmm0);
    if double {
        dasm!(e.ops; cmpunordpd xmm1, xmm0);
    } else {
        dasm!(e.ops; cmpunordps xmm1, xmm0);
    }
    if matches!(op, SimdOp::Fmul | SimdOp::Fdiv) {
        // |lane| == smallest normal, with the masks of CpuState::fp_const
        let k = OFF_FP_CONST as i32 + if double { 32 } else { 0 };
        dasm!(e.ops
            ; movaps xmm2, xmm0
            ; andps xmm2, [cpu + k]
        );
        if double {
            dasm!(e.ops; pcmpeqq xmm2, [cpu + k + 16]);
        } else {
            dasm!(e.ops; pcmpeqd xmm2, [cpu + k + 16]);
        }
        dasm!(e.ops; por xmm1, xmm2);
    }
    dasm!(e.ops
        ; movmskps eax, xmm1
        ; test eax, mask
        ; jnz =>slow
    );
    store_vd(e, d, q, 0);
    e.cold_call_simd(slow, simd_helper, i.0, op as u32);
}

/// FMLA/FMLS (vector, and by element) with FMA3, FMUL (by element) with AVX, single or
/// double, under the guards of [`emit_fp`]: Arm's FPMulAdd negates Vn's element exactly and
/// rounds once, as VFMADD231/VFNMADD231 do (see `fp_inline::emit_fma`), so a lane differs
/// only where it is a NaN (NaN operands, Inf*0: the helper also decides Arm's Invalid for
/// Inf*0 plus a quiet NaN) or exactly the smallest normal magnitude (tininess). The
/// accumulator Vd is updated in its cache register, which the slow path reloads. By element:
/// Vm's element (index H:L for single, H for double; Rm is M:Rm) is broadcast first. Q = 0:
/// every operand's upper half is zero, so the inactive lanes compute 0*0+0 and raise nothing.
fn emit_fma(e: &mut Emitter, op: SimdOp, i: Insn) {
    let (d, n, q) = (i.rd(), i.rn(), i.q());
    let double = i.bit(22);
    let by_elem = matches!(op, SimdOp::FmlaElem | SimdOp::FmlsElem | SimdOp::FmulElem);
    let m = if by_elem { i.bits(20, 16) } else { i.rm() };
    let slow = non_ieee_guard(e);
    let xn = e.vc_get(n);
    let xm = e.vc_get(m);
    let a = if q || e.vc_width(xn) <= 64 {
        xn
    } else {
        dasm!(e.ops; vmovq xmm0, Rx(xn));
        0
    };
    let b = if by_elem {
        if double {
            // Q = 1 (Q = 0 with double is reserved)
            if i.bit(11) {
                dasm!(e.ops; vunpckhpd xmm1, Rx(xm), Rx(xm));
            } else {
                dasm!(e.ops; vmovddup xmm1, Rx(xm));
            }
        } else {
            let index = elem_index_s(i);
            dasm!(e.ops; vshufps xmm1, Rx(xm), Rx(xm), (index * 0x55) as i8);
            if !q {
                dasm!(e.ops; vmovq xmm1, xmm1);
            }
        }
        1
    } else if q || e.vc_width(xm) <= 64 {
        xm
    } else {
        dasm!(e.ops; vmovq xmm1, Rx(xm));
        1
    };
    let xd = if op == SimdOp::FmulElem {
        let xd = e.vc_target(d);
        if double {
            dasm!(e.ops; vmulpd Rx(xd), Rx(a), Rx(b));
        } else {
            dasm!(e.ops; vmulps Rx(xd), Rx(a), Rx(b));
        }
        xd
    } else {
        let xd = e.vc_get(d);
        if !q && e.vc_width(xd) > 64 {
            dasm!(e.ops; vmovq Rx(xd), Rx(xd));
        }
        // vfmadd231ps/pd (FMLA), vfnmadd231ps/pd (FMLS)
        let opcode = if matches!(op, SimdOp::Fmla | SimdOp::FmlaElem) { 0xb8 } else { 0xbc };
        e.ops.vfma231_packed(opcode, double, xd, a, b);
        xd
    };
    // xmm1 = NaN lanes OR lanes whose magnitude is the smallest normal (see tiny_lanes)
    tiny_lanes(e, xd, double);
    let mask: i32 = if q { 0b1111 } else { 0b0011 };
    dasm!(e.ops
        ; movmskps eax, xmm1
        ; test eax, mask
        ; jnz =>slow
    );
    e.vc_put(d, xd, if q { 128 } else { 64 });
    e.cold_call_simd(slow, simd_helper, i.0, op as u32);
}

/// xmm`to` = the low 64 bits of xmm`x` with the upper half zero, unless the cache knows it is
/// already zero there (then `x` itself): the operand of a 64-bit vector operation whose
/// inactive upper lanes must compute on zeros (raising nothing).
fn low_half(e: &mut Emitter, x: u8, to: u8) -> u8 {
    if e.vc_width(x) <= 64 {
        x
    } else {
        dasm!(e.ops; vmovq Rx(to), Rx(x));
        to
    }
}

/// One-operand vector FP rows with AVX and SSE4.1 (false, nothing emitted, for the forms left
/// to the helper: half precision, FCVTZU of doubles, FRINTA). Bit operations raise nothing and
/// need no guard: FABS, FNEG. The others run under the FPCR test of [`non_ieee_guard`] and
/// give the Arm lanes and flags where IEEE 754 decides them, the helper redoing the whole
/// instruction otherwise:
/// - FRINTN/M/P/Z/X/I (VROUNDPS/PD, as the scalar forms), FSQRT, FCVTL/FCVTL2 (widening,
///   exact): a NaN lane;
/// - FCVTN/FCVTN2 (narrowing): a NaN lane or one at the smallest normal single (tininess);
/// - SCVTF: none (an integer converts exactly or inexactly, never to a NaN or a denormal);
///   doubles through two scalar conversions, as there is no packed 64-bit form before AVX-512;
/// - FCVTZS: a lane equal to the most negative integer (x86's "indefinite" for NaN and out of
///   range, where Arm saturates; an exact most-negative input redoes harmlessly); doubles
///   through two scalar CVTTSD2SI;
/// - FCVTZU (single): an input outside (-1, 2^31) or a NaN, tested before converting, since
///   x86's flags differ there (Invalid for [2^31, 2^32), which Arm converts exactly; Inexact
///   beside Arm's lone Invalid at or below -1); inputs in (-1, 0) truncate to 0 with Inexact
///   on both. (The check then precedes the conversion, which cannot fail.)
///
/// Q = 0: the source's upper half is zero (inactive lanes compute on zeros) and so is Vd's.
fn emit_fp_unary(e: &mut Emitter, op: SimdOp, i: Insn) -> bool {
    let (d, n, q) = (i.rd(), i.rn(), i.q());
    let double = i.bit(22);
    let widen_narrow = matches!(op, SimdOp::Fcvtl | SimdOp::Fcvtn);
    if (widen_narrow && !double) || (op == SimdOp::Fcvtzu && double) {
        return false;
    }
    let abs = OFF_FP_CONST as i32 + if double { 32 } else { 0 };
    let xn = e.vc_get(n);
    if matches!(op, SimdOp::Fabs | SimdOp::Fneg) {
        let a = if q { xn } else { low_half(e, xn, 0) };
        let xd = e.vc_target(d);
        if op == SimdOp::Fabs {
            dasm!(e.ops; vandps Rx(xd), Rx(a), [cpu + abs]);
        } else {
            // the sign bits: NOT the magnitude mask (upper half zero for Q = 0)
            dasm!(e.ops; vpcmpeqd xmm1, xmm1, xmm1; vpxor xmm1, xmm1, [cpu + abs]);
            if !q {
                dasm!(e.ops; vmovq xmm1, xmm1);
            }
            dasm!(e.ops; vxorps Rx(xd), Rx(a), xmm1);
        }
        e.vc_put(d, xd, if q { 128 } else { 64 });
        return true;
    }
    let slow = non_ieee_guard(e);
    // the source lanes: FCVTL2 reads Vn's upper half, FCVTL and FCVTN(2) only what they
    // convert, the rest whole (Q = 1) or with a zero upper half
    let a = match op {
        SimdOp::Fcvtl if q => {
            dasm!(e.ops; vmovhlps xmm0, Rx(xn), Rx(xn));
            0
        }
        SimdOp::Fcvtl | SimdOp::Fcvtn => xn,
        _ if q => xn,
        _ => low_half(e, xn, 0),
    };
    // xmm0 = the result lanes; lanes to check go to xmm1 (a mask per lane)
    let mut width = if q { 128 } else { 64 };
    let mut check: i32 = if q { 0b1111 } else { 0b0011 };
    match op {
        SimdOp::Frintn | SimdOp::Frintm | SimdOp::Frintp | SimdOp::Frintz | SimdOp::Frintx | SimdOp::Frinti => {
            let imm: i8 = match op {
                SimdOp::Frintn => 0b1000,
                SimdOp::Frintm => 0b1001,
                SimdOp::Frintp => 0b1010,
                SimdOp::Frintz => 0b1011,
                SimdOp::Frintx => 0b0100,
                _ => 0b1100,
            };
            if double {
                dasm!(e.ops; vroundpd xmm0, Rx(a), imm; vcmpunordpd xmm1, xmm0, xmm0);
            } else {
                dasm!(e.ops; vroundps xmm0, Rx(a), imm; vcmpunordps xmm1, xmm0, xmm0);
            }
        }
        SimdOp::Fsqrt => {
            if double {
                dasm!(e.ops; vsqrtpd xmm0, Rx(a); vcmpunordpd xmm1, xmm0, xmm0);
            } else {
                dasm!(e.ops; vsqrtps xmm0, Rx(a); vcmpunordps xmm1, xmm0, xmm0);
            }
        }
        SimdOp::Fcvtl => {
            dasm!(e.ops; vcvtps2pd xmm0, Rx(a); vcmpunordpd xmm1, xmm0, xmm0);
            width = 128;
            check = 0b1111;
        }
        SimdOp::Fcvtn => {
            // two singles in the low half; FCVTN2 puts them above Vd's low half
            dasm!(e.ops
                ; vcvtpd2ps xmm0, Rx(a)
                ; vcmpunordps xmm1, xmm0, xmm0
                ; vandps xmm2, xmm0, [cpu + OFF_FP_CONST as i32]
                ; vpcmpeqd xmm2, xmm2, [cpu + OFF_FP_CONST as i32 + 16]
                ; vpor xmm1, xmm1, xmm2
            );
            check = 0b0011;
        }
        SimdOp::Scvtf if double => {
            dasm!(e.ops
                ; vmovq rax, Rx(a)
                ; vpextrq rcx, Rx(a), 1
                ; vxorps xmm0, xmm0, xmm0
                ; vcvtsi2sd xmm1, xmm0, rcx
                ; vcvtsi2sd xmm0, xmm0, rax
                ; vunpcklpd xmm0, xmm0, xmm1
            );
            check = 0;
        }
        SimdOp::Scvtf => {
            dasm!(e.ops; vcvtdq2ps xmm0, Rx(a));
            check = 0;
        }
        SimdOp::Fcvtzs if double => {
            // x - 1 overflows only for the most negative integer
            dasm!(e.ops
                ; vcvttsd2si rax, Rx(a)
                ; cmp rax, 1
                ; jo =>slow
                ; vunpckhpd xmm1, Rx(a), Rx(a)
                ; vcvttsd2si rcx, xmm1
                ; cmp rcx, 1
                ; jo =>slow
                ; vmovq xmm0, rax
                ; vpinsrq xmm0, xmm0, rcx, 1
            );
            check = 0;
        }
        SimdOp::Fcvtzs => {
            // lanes equal to 0x80000000: all ones shifted left by 31
            dasm!(e.ops
                ; vcvttps2dq xmm0, Rx(a)
                ; vpcmpeqd xmm1, xmm1, xmm1
                ; vpslld xmm1, xmm1, 31
                ; vpcmpeqd xmm1, xmm1, xmm0
            );
        }
        _ => {
            // FCVTZU (single). Only inputs in (-1, 2^31) convert here; the others go to the
            // helper before anything can raise a flag: at or above 2^31 (CVTTPS2DQ would
            // raise Invalid where Arm converts exactly), at or below -1 (Arm saturates to 0
            // with Invalid alone, x86 would add Inexact), NaNs. On the bits as signed
            // integers: x > 0x4EFFFFFF (2^31 and up, +Inf, +NaN), or x in
            // [0xBF800000, 0xFFFFFFFF] (-1 and below, -Inf, -NaN): x > 0xBF7FFFFF and x < 0.
            dasm!(e.ops
                ; mov eax, 0x4eff_ffff
                ; vmovd xmm1, eax
                ; vpshufd xmm1, xmm1, 0
                ; vpcmpgtd xmm1, Rx(a), xmm1
                ; mov eax, 0xbf7f_ffff_u32 as i32
                ; vmovd xmm2, eax
                ; vpshufd xmm2, xmm2, 0
                ; vpcmpgtd xmm2, Rx(a), xmm2
                ; vpxor xmm3, xmm3, xmm3
                ; vpcmpgtd xmm3, xmm3, Rx(a)
                ; vpand xmm2, xmm2, xmm3
                ; vpor xmm1, xmm1, xmm2
                ; movmskps eax, xmm1
                ; test eax, check
                ; jnz =>slow
                ; vcvttps2dq xmm0, Rx(a)
            );
            check = 0;
        }
    }
    if check != 0 {
        dasm!(e.ops
            ; movmskps eax, xmm1
            ; test eax, check
            ; jnz =>slow
        );
    }
    let xd = if op == SimdOp::Fcvtn && q {
        // FCVTN2: Vd's low half stays
        let xd = e.vc_get(d);
        dasm!(e.ops; vmovlhps Rx(xd), Rx(xd), xmm0);
        xd
    } else {
        0
    };
    e.vc_put(d, xd, width);
    e.cold_call_simd(slow, simd_helper, i.0, op as u32);
    true
}

/// FMAX, FMIN, FMAXNM, FMINNM (vector) with AVX when no active lane of either operand is a NaN
/// (else the helper, after an unordered compare that raises Invalid only for a signalling NaN,
/// as Arm does): then the NM forms equal the plain ones and VMAX/VMIN give the Arm lanes except
/// for equal operands, which become Vn AND Vm (max) / Vn OR Vm (min): Arm's max(+0, -0) = +0,
/// min(+0, -0) = -0 (see `fp_inline::emit_max_min`). Q = 0: both operands' upper halves are
/// zero first (no flag from inactive lanes), and so is Vd's.
fn emit_fp_max_min(e: &mut Emitter, op: SimdOp, i: Insn) {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let double = i.bit(22);
    let max = matches!(op, SimdOp::Fmax | SimdOp::Fmaxnm);
    let slow = non_ieee_guard(e);
    let (xn, xm) = (e.vc_get(n), e.vc_get(m));
    let (a, b) = if q { (xn, xm) } else { (low_half(e, xn, 0), low_half(e, xm, 1)) };
    let check: i32 = if q { 0b1111 } else { 0b0011 };
    if double {
        dasm!(e.ops; vcmpunordpd xmm2, Rx(a), Rx(b));
    } else {
        dasm!(e.ops; vcmpunordps xmm2, Rx(a), Rx(b));
    }
    dasm!(e.ops
        ; movmskps eax, xmm2
        ; test eax, check
        ; jnz =>slow
    );
    match (max, double) {
        (true, true) => dasm!(e.ops; vmaxpd xmm3, Rx(a), Rx(b); vandpd xmm4, Rx(a), Rx(b)),
        (true, false) => dasm!(e.ops; vmaxps xmm3, Rx(a), Rx(b); vandps xmm4, Rx(a), Rx(b)),
        (false, true) => dasm!(e.ops; vminpd xmm3, Rx(a), Rx(b); vorpd xmm4, Rx(a), Rx(b)),
        (false, false) => dasm!(e.ops; vminps xmm3, Rx(a), Rx(b); vorps xmm4, Rx(a), Rx(b)),
    }
    let xd = e.vc_target(d);
    if double {
        dasm!(e.ops; vcmpeqpd xmm2, Rx(a), Rx(b); vblendvpd Rx(xd), xmm3, xmm4, xmm2);
    } else {
        dasm!(e.ops; vcmpeqps xmm2, Rx(a), Rx(b); vblendvps Rx(xd), xmm3, xmm4, xmm2);
    }
    e.vc_put(d, xd, if q { 128 } else { 64 });
    e.cold_call_simd(slow, simd_helper, i.0, op as u32);
}

/// xmm1 = all ones in the lanes of xmm`x` that are a NaN or exactly the smallest normal
/// magnitude (single or double lanes): |x| compared with the smallest normal by the quiet
/// "equal or unordered" predicate (x86 results are never signalling NaNs, so nothing is
/// raised). Clobbers xmm2.
fn tiny_lanes(e: &mut Emitter, x: u8, double: bool) {
    // fp_const: [0]/[2] the magnitude masks, [1]/[3] the smallest normals (single/double)
    let k = OFF_FP_CONST as i32 + if double { 32 } else { 0 };
    dasm!(e.ops; vandps xmm2, Rx(x), [cpu + k]);
    if double {
        dasm!(e.ops; vcmpeq_uqpd xmm1, xmm2, [cpu + k + 16]);
    } else {
        dasm!(e.ops; vcmpeq_uqps xmm1, xmm2, [cpu + k + 16]);
    }
}

/// [`emit_fp`] with AVX, after the FPCR test: three-operand VEX forms straight from the cached
/// operands into Vd's cache register, so a cached loop body copies nothing. The slow path
/// recomputes from `CpuState::v`, which still holds the old Vd (it is stored after the guard),
/// and reloads the cache. Q = 0: an operand not known to be zero above its low 64 bits is
/// copied with VMOVQ (which zeroes the rest), and FDIV's divisor gets the ~2.0 upper lanes of
/// `fp_const[7]`.
fn emit_fp_avx(e: &mut Emitter, op: SimdOp, i: Insn, slow: DynamicLabel) {
    let (d, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let double = i.bit(22);
    let (xn, xm) = (e.vc_get(n), e.vc_get(m));
    let (a, b) = if q {
        (xn, xm)
    } else {
        let a = if e.vc_width(xn) <= 64 {
            xn
        } else {
            dasm!(e.ops; vmovq xmm0, Rx(xn));
            0
        };
        let b = if op == SimdOp::Fdiv {
            dasm!(e.ops
                ; vmovq xmm1, Rx(xm)
                ; vpor xmm1, xmm1, [cpu + OFF_FP_CONST as i32 + 7 * 16]
            );
            1
        } else if e.vc_width(xm) <= 64 {
            xm
        } else {
            dasm!(e.ops; vmovq xmm1, Rx(xm));
            1
        };
        (a, b)
    };
    let xd = e.vc_target(d);
    match (op, double) {
        (SimdOp::Fadd, false) => dasm!(e.ops; vaddps Rx(xd), Rx(a), Rx(b)),
        (SimdOp::Fsub, false) => dasm!(e.ops; vsubps Rx(xd), Rx(a), Rx(b)),
        (SimdOp::Fmul, false) => dasm!(e.ops; vmulps Rx(xd), Rx(a), Rx(b)),
        (_, false) => dasm!(e.ops; vdivps Rx(xd), Rx(a), Rx(b)),
        (SimdOp::Fadd, true) => dasm!(e.ops; vaddpd Rx(xd), Rx(a), Rx(b)),
        (SimdOp::Fsub, true) => dasm!(e.ops; vsubpd Rx(xd), Rx(a), Rx(b)),
        (SimdOp::Fmul, true) => dasm!(e.ops; vmulpd Rx(xd), Rx(a), Rx(b)),
        (_, true) => dasm!(e.ops; vdivpd Rx(xd), Rx(a), Rx(b)),
    }
    // xmm1 = NaN lanes, OR (FMUL/FDIV) lanes whose magnitude is the smallest normal.
    if matches!(op, SimdOp::Fmul | SimdOp::Fdiv) {
        tiny_lanes(e, xd, double);
    } else if double {
        dasm!(e.ops; vcmpunordpd xmm1, Rx(xd), Rx(xd));
    } else {
        dasm!(e.ops; vcmpunordps xmm1, Rx(xd), Rx(xd));
    }
    let mask: i32 = if q { 0b1111 } else { 0b0011 };
    dasm!(e.ops
        ; movmskps eax, xmm1
        ; test eax, mask
        ; jnz =>slow
    );
    e.vc_put(d, xd, if q { 128 } else { 64 });
    e.cold_call_simd(slow, simd_helper, i.0, op as u32);
}
