//! Inline x86 for the hottest scalar FP rows, with the exact helper as the out-of-line slow
//! path where one is needed.
//!
//! - FADD, FSUB, FMUL, FNMUL, FDIV, FSQRT, FCVT (single <-> double), FRINTN/P/M/Z/X/I (with
//!   SSE4.1) and FMADD, FMSUB, FNMADD, FNMSUB (with FMA3), single and double: when FPCR has
//!   round-to-nearest and no FZ/DN/AHP, the host instruction, whose flags stay pending in
//!   MXCSR (`fpflags`). The helper redoes the operation when the host result is a NaN or (for
//!   the rounding ones: products, quotients, sums of products, narrowing) exactly the smallest
//!   normal magnitude, the only results where x86 and Arm can differ ([`result_guard`]).
//! - FMAX, FMIN, FMAXNM, FMINNM (with AVX) when no operand is a NaN ([`emit_max_min`]);
//!   FRINTA ([`round_ties_away`], no SSE mode rounds ties away).
//! - Conversions with general registers: SCVTF/UCVTF, FCVTZS, FCVTZU, FCVTNS/FCVTMS/FCVTPS/
//!   FCVTAS, each with its own range and flag rules (see the functions): where x86 would
//!   raise a flag Arm does not, the input is tested before the host instruction runs.
//! - FCMP, FCMPE (register or #0.0), and FCCMP, FCCMPE when their condition holds:
//!   UCOMISS/UCOMISD when FPCR.FZ is clear (then no input is flushed and an ordered
//!   comparison raises nothing); an unordered result (a NaN: IOC rules differ for FCMP and
//!   FCMPE, and NZCV = 0011) or FZ set goes to the helper.
//! - Pure bit moves, exact for every input and raising nothing (FPAbs and FPNeg do not look at
//!   NaNs; FMOV never does): FMOV (register, immediate, general: W<->S, X<->D, X<->V.D[1]),
//!   FABS, FNEG, FCSEL.

use super::emit::{dasm, reg, Emitter, FlagKind, InsnHelper, R31};
use crate::arch::pseudo::vfp_expand_imm;
use crate::arch::table::FpOp;
use crate::arch::Insn;
use crate::cpu::{
    off_v, FPCR_FZ, FPCR_NON_IEEE, FPSR_IXC, OFF_FLAG_C, OFF_FLAG_N, OFF_FLAG_V, OFF_FLAG_Z, OFF_FPSR, OFF_FP_CONST,
};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

/// Emit `op` inline with `helper` as the slow path; false when this row has no inline form
/// (nothing emitted then). `helper` is the row's exact helper, already validated by
/// `fp::select` (so the encoding is not UNDEFINED).
pub fn try_emit(e: &mut Emitter, op: FpOp, i: Insn, helper: InsnHelper) -> bool {
    let ftype = i.ftype();
    match op {
        FpOp::FmovToGen | FpOp::FmovFromGen | FpOp::FmovToGenHi | FpOp::FmovFromGenHi => {
            emit_fmov_gen(e, op, i);
            return true;
        }
        FpOp::FmovReg | FpOp::Fabs | FpOp::Fneg | FpOp::FmovImm | FpOp::Fcsel if ftype <= 1 => {
            emit_bits(e, op, i);
            return true;
        }
        FpOp::Fcmp if ftype <= 1 => {
            emit_fcmp(e, i, helper);
            return true;
        }
        FpOp::Fccmp if ftype <= 1 => {
            emit_fccmp(e, i, helper);
            return true;
        }
        FpOp::Fsqrt if ftype <= 1 => {
            emit_fsqrt(e, i, helper);
            return true;
        }
        FpOp::Scvtf | FpOp::Ucvtf if ftype <= 1 => {
            emit_cvt_from_int(e, op, i, helper);
            return true;
        }
        FpOp::Fcvtzs if ftype <= 1 => {
            emit_fcvtzs(e, i, helper);
            return true;
        }
        FpOp::Fcvtns | FpOp::Fcvtms | FpOp::Fcvtps | FpOp::Fcvtas if ftype <= 1 && super::features().sse41 => {
            emit_fcvt_rounding(e, op, i, helper);
            return true;
        }
        FpOp::Fcvtzu if ftype <= 1 => {
            emit_fcvtzu(e, i, helper);
            return true;
        }
        FpOp::Frinta if ftype <= 1 && super::features().sse41 => {
            emit_frinta(e, i, helper);
            return true;
        }
        FpOp::Fmadd | FpOp::Fmsub | FpOp::Fnmadd | FpOp::Fnmsub if ftype <= 1 && super::features().fma => {
            emit_fma(e, op, i, helper);
            return true;
        }
        // single <-> double (`fp::select` has rejected opc == ftype and opc 10)
        FpOp::Fcvt if ftype <= 1 && i.bits(16, 15) <= 1 => {
            emit_fcvt(e, i, helper);
            return true;
        }
        FpOp::Frintn | FpOp::Frintp | FpOp::Frintm | FpOp::Frintz | FpOp::Frintx | FpOp::Frinti
            if ftype <= 1 && super::features().sse41 =>
        {
            emit_frint(e, op, i, helper);
            return true;
        }
        FpOp::Fmax | FpOp::Fmin | FpOp::Fmaxnm | FpOp::Fminnm if ftype <= 1 && super::features().avx => {
            emit_max_min(e, op, i, helper);
            return true;
        }
        _ => {}
    }
    if !matches!(op, FpOp::Fadd | FpOp::Fsub | FpOp::Fmul | FpOp::Fdiv | FpOp::Fnmul) || ftype > 1 {
        return false;
    }
    emit_arith(e, op, i, helper);
    true
}

/// The operation of an FADD/FSUB/FMUL/FDIV/FNMUL (scalar) word, by its opcode bits 15:12
/// (0000 FMUL, 0001 FDIV, 0010 FADD, 0011 FSUB, 1000 FNMUL; the other values are other rows).
const ARITH_OPS: [FpOp; 16] = {
    use FpOp::*;
    [Fmul, Fdiv, Fadd, Fsub, Fmul, Fmul, Fmul, Fmul, Fnmul, Fmul, Fmul, Fmul, Fmul, Fmul, Fmul, Fmul]
};

/// The translator of the FADD, FSUB, FMUL, FDIV and FNMUL (scalar) rows, the operation read
/// from the word: one entry of `dispatch::TRANSLATORS` for the five (see
/// `dp_reg::translate_shifted`), which goes straight to [`emit_arith`] for single and
/// double precision (half precision, not implemented, is UNDEFINED as in `fp::select`).
pub(crate) fn translate_arith(e: &mut Emitter, i: Insn) -> super::emit::TResult {
    if i.ftype() > 1 {
        return Err(super::emit::Undefined);
    }
    emit_arith(e, arith_op(i), i, crate::helpers::fp::insn::fp_dp2);
    Ok(super::emit::Flow::Continue)
}

/// The operation of a word of one of [`translate_arith`]'s rows.
#[inline(always)]
pub(crate) fn arith_op(i: Insn) -> FpOp {
    ARITH_OPS[i.bits(15, 12) as usize]
}

/// FADD, FSUB, FMUL, FDIV or FNMUL (single or double, `helper` its exact helper) inline.
fn emit_arith(e: &mut Emitter, op: FpOp, i: Insn, helper: InsnHelper) {
    let double = i.ftype() == 1;
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    let slow = non_ieee_guard(e);
    // ADDSD/SUBSD/MULSD/DIVSD (F2 0F 58/5C/59/5E), the SS forms with F3
    let opcode = match op {
        FpOp::Fadd => 0x58,
        FpOp::Fsub => 0x5c,
        FpOp::Fmul | FpOp::Fnmul => 0x59,
        _ => 0x5e,
    };
    if e.vc_peek(n).is_none() && e.vc_peek(m).is_none() && e.vc_keep & 1 << d == 0 {
        let avx = super::features().avx;
        e.ops.load_low_xmm0_rbx(avx, double, off_v(n));
        e.ops.arith_xmm0_rbx(avx, double, opcode, off_v(m));
        result_guard(e, 0, double, matches!(op, FpOp::Fmul | FpOp::Fnmul | FpOp::Fdiv), slow);
        if op == FpOp::Fnmul {
            negate_low(e, 0, double);
        }
        e.ops.movdqu_store_rbx(off_v(d), 0);
        e.vc_forget(d);
        e.cold_call_vonly(slow, helper, i.0);
        return;
    }
    let (xn, xm) = (e.vc_get(n), e.vc_get(m));
    let width = if double { 64 } else { 32 };
    // r = the new V register: the operation on the low elements, the rest zero. With AVX, one
    // three-operand instruction straight into Vd's cache register; its upper part comes from
    // the first source, so a Vn not known to be zero above its low element (written by a
    // scalar operation in this block) is first copied into xmm0 without it (off the result's
    // dependency chain, unlike clearing the result afterwards). Else xmm0 = Vn's low element
    // alone, then the two-operand SSE form (which keeps the rest).
    let r = if super::features().avx {
        let a = if e.vc_width(xn) > width {
            if double {
                dasm!(e.ops; vmovq xmm0, Rx(xn));
            } else {
                // lane 0 of Vn, lanes 1-3 zeroed
                dasm!(e.ops; vinsertps xmm0, Rx(xn), Rx(xn), 0x0e);
            }
            0
        } else {
            xn
        };
        let xd = e.vc_target(d);
        // (the VEX forms: VADDSD and the like)
        e.ops.vex_rrr(if double { 3 } else { 2 }, opcode, xd, a, xm);
        xd
    } else {
        low_element(e, xn, double);
        match (op, double) {
            (FpOp::Fadd, true) => dasm!(e.ops; addsd xmm0, Rx(xm)),
            (FpOp::Fsub, true) => dasm!(e.ops; subsd xmm0, Rx(xm)),
            (FpOp::Fmul | FpOp::Fnmul, true) => dasm!(e.ops; mulsd xmm0, Rx(xm)),
            (_, true) => dasm!(e.ops; divsd xmm0, Rx(xm)),
            (FpOp::Fadd, false) => dasm!(e.ops; addss xmm0, Rx(xm)),
            (FpOp::Fsub, false) => dasm!(e.ops; subss xmm0, Rx(xm)),
            (FpOp::Fmul | FpOp::Fnmul, false) => dasm!(e.ops; mulss xmm0, Rx(xm)),
            (_, false) => dasm!(e.ops; divss xmm0, Rx(xm)),
        }
        0
    };
    // A tiny sum is exact (no Underflow on either side): only products and quotients can
    // differ at the smallest normal magnitude.
    result_guard(e, r, double, matches!(op, FpOp::Fmul | FpOp::Fnmul | FpOp::Fdiv), slow);
    if op == FpOp::Fnmul {
        negate_low(e, r, double);
    }
    e.vc_put(d, r, width);
    e.cold_call_vonly(slow, helper, i.0);
}

/// FPNeg of the low single/double of xmm`r` (FNMUL's product), through rax: MOVQ/MOVD back
/// zero the rest of the register.
fn negate_low(e: &mut Emitter, r: u8, double: bool) {
    if double {
        dasm!(e.ops; movq rax, Rx(r); btc rax, 63; movq Rx(r), rax);
    } else {
        dasm!(e.ops; movd eax, Rx(r); btc eax, 31; movd Rx(r), eax);
    }
}

/// FMADD (Va + Vn*Vm), FMSUB (Va - Vn*Vm), FNMADD (-Va - Vn*Vm), FNMSUB (-Va + Vn*Vm), single
/// or double, with one FMA3 instruction: Arm's FPMulAdd negates exactly before its single
/// rounding, as IEEE 754's fusedMultiplyAdd on the negated operands that x86's
/// VFNMADD/VFMSUB/VFNMSUB compute, so every non-NaN result and its flags agree except at the
/// smallest normal magnitude (tininess, as for FMUL); NaN results (NaN operands, Inf*0) take
/// the helper ([`result_guard`]), which also decides Arm's Invalid for Inf*0 plus a quiet NaN.
/// The accumulator is Va's low element alone (the rest of Vd is zero), in Vd's cache register
/// unless Vd is also a multiplicand.
fn emit_fma(e: &mut Emitter, op: FpOp, i: Insn, helper: InsnHelper) {
    let (d, n, m, a) = (i.rd(), i.rn(), i.rm(), i.ra());
    let double = i.ftype() == 1;
    let width = if double { 64 } else { 32 };
    let slow = non_ieee_guard(e);
    let (xn, xm, xa) = (e.vc_get(n), e.vc_get(m), e.vc_get(a));
    let a_wide = e.vc_width(xa) > width;
    let xd = e.vc_target(d);
    let acc = if d != n && d != m { xd } else { 0 };
    if a_wide || acc != xa {
        if double {
            dasm!(e.ops; vmovq Rx(acc), Rx(xa));
        } else {
            // lane 0 of Va, lanes 1-3 zeroed
            dasm!(e.ops; vinsertps Rx(acc), Rx(xa), Rx(xa), 0x0e);
        }
    }
    match (op, double) {
        (FpOp::Fmadd, true) => dasm!(e.ops; vfmadd231sd Rx(acc), Rx(xn), Rx(xm)),
        (FpOp::Fmsub, true) => dasm!(e.ops; vfnmadd231sd Rx(acc), Rx(xn), Rx(xm)),
        (FpOp::Fnmadd, true) => dasm!(e.ops; vfnmsub231sd Rx(acc), Rx(xn), Rx(xm)),
        (_, true) => dasm!(e.ops; vfmsub231sd Rx(acc), Rx(xn), Rx(xm)),
        (FpOp::Fmadd, false) => dasm!(e.ops; vfmadd231ss Rx(acc), Rx(xn), Rx(xm)),
        (FpOp::Fmsub, false) => dasm!(e.ops; vfnmadd231ss Rx(acc), Rx(xn), Rx(xm)),
        (FpOp::Fnmadd, false) => dasm!(e.ops; vfnmsub231ss Rx(acc), Rx(xn), Rx(xm)),
        (_, false) => dasm!(e.ops; vfmsub231ss Rx(acc), Rx(xn), Rx(xm)),
    }
    result_guard(e, acc, double, true, slow);
    e.vc_put(d, acc, width);
    e.cold_call_vonly(slow, helper, i.0);
}

/// FCVT between single and double (half precision stays with the helper). Widening is exact
/// and raises nothing for every non-NaN input (single denormals are double normals); narrowing
/// rounds as IEEE 754 does, with its flags, except at the smallest normal single (tininess,
/// see [`result_guard`]). NaN results (quieting, payloads) take the helper.
fn emit_fcvt(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (d, n) = (i.rd(), i.rn());
    let to_double = i.bits(16, 15) == 1;
    let slow = non_ieee_guard(e);
    let xn = e.vc_get(n);
    // xmm0 = the converted low element, the rest zero
    dasm!(e.ops; xorps xmm0, xmm0);
    if to_double {
        dasm!(e.ops; cvtss2sd xmm0, Rx(xn));
    } else {
        dasm!(e.ops; cvtsd2ss xmm0, Rx(xn));
    }
    result_guard(e, 0, to_double, !to_double, slow);
    e.vc_put(d, 0, if to_double { 64 } else { 32 });
    e.cold_call_vonly(slow, helper, i.0);
}

/// FRINTN, FRINTP, FRINTM, FRINTZ (a fixed rounding, no Inexact), FRINTX (FPCR's rounding,
/// Inexact when the value changes) and FRINTI (FPCR's rounding, no Inexact) with SSE4.1's
/// ROUNDSS/ROUNDSD: IEEE 754's roundToIntegral, which is Arm's FPRoundInt for every non-NaN
/// input (signed zeros included); under the FPCR guard FPCR's rounding is MXCSR's, nearest.
/// NaN results (NaN inputs) take the helper. (FRINTA, ties away from zero, has no SSE mode.)
fn emit_frint(e: &mut Emitter, op: FpOp, i: Insn, helper: InsnHelper) {
    let (d, n) = (i.rd(), i.rn());
    let double = i.ftype() == 1;
    // ROUNDSx immediate: bits 1:0 the mode, bit 2 "use MXCSR", bit 3 suppress Inexact
    let imm: i8 = match op {
        FpOp::Frintn => 0b1000,
        FpOp::Frintm => 0b1001,
        FpOp::Frintp => 0b1010,
        FpOp::Frintz => 0b1011,
        FpOp::Frintx => 0b0100,
        _ => 0b1100,
    };
    let slow = non_ieee_guard(e);
    let xn = e.vc_get(n);
    dasm!(e.ops; xorps xmm0, xmm0);
    if double {
        dasm!(e.ops; roundsd xmm0, Rx(xn), imm);
    } else {
        dasm!(e.ops; roundss xmm0, Rx(xn), imm);
    }
    result_guard(e, 0, double, false, slow);
    e.vc_put(d, 0, if double { 64 } else { 32 });
    e.cold_call_vonly(slow, helper, i.0);
}

/// FMAX, FMIN, FMAXNM, FMINNM when neither operand is a NaN (else the helper, after an
/// unordered UCOMIS, which raises Invalid only for a signalling NaN, as all four do on Arm):
/// then the NM forms equal the plain ones, and VMAXSx/VMINSx give the Arm result except for
/// equal operands, where x86 returns the second and Arm's max(+0, -0) is +0, min(+0, -0) is
/// -0: for equal operands the result is Vn AND Vm (max) or Vn OR Vm (min), which is each
/// of them unless they are zeros of opposite signs. Raises nothing (DE is ignored).
fn emit_max_min(e: &mut Emitter, op: FpOp, i: Insn, helper: InsnHelper) {
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    let double = i.ftype() == 1;
    let max = matches!(op, FpOp::Fmax | FpOp::Fmaxnm);
    let slow = non_ieee_guard(e);
    let (xn, xm) = (e.vc_get(n), e.vc_get(m));
    if double {
        dasm!(e.ops; ucomisd Rx(xn), Rx(xm); jp =>slow; vcmpeqsd xmm1, Rx(xn), Rx(xm));
    } else {
        dasm!(e.ops; ucomiss Rx(xn), Rx(xm); jp =>slow; vcmpeqss xmm1, Rx(xn), Rx(xm));
    }
    match (max, double) {
        (true, true) => dasm!(e.ops; vmaxsd xmm0, Rx(xn), Rx(xm); vandpd xmm2, Rx(xn), Rx(xm)),
        (true, false) => dasm!(e.ops; vmaxss xmm0, Rx(xn), Rx(xm); vandps xmm2, Rx(xn), Rx(xm)),
        (false, true) => dasm!(e.ops; vminsd xmm0, Rx(xn), Rx(xm); vorpd xmm2, Rx(xn), Rx(xm)),
        (false, false) => dasm!(e.ops; vminss xmm0, Rx(xn), Rx(xm); vorps xmm2, Rx(xn), Rx(xm)),
    }
    let xd = e.vc_target(d);
    // the low element of the blend; the rest of Vd zero
    if double {
        dasm!(e.ops; vblendvpd xmm0, xmm0, xmm2, xmm1; vmovq Rx(xd), xmm0);
    } else {
        dasm!(e.ops; vblendvps xmm0, xmm0, xmm2, xmm1; vinsertps Rx(xd), xmm0, xmm0, 0x0e);
    }
    e.vc_put(d, xd, if double { 64 } else { 32 });
    e.cold_call_vonly(slow, helper, i.0);
}

/// A new slow-path label, and a jump to it when FPCR is not plain IEEE 754 (round to
/// nearest, no FZ/DN/AHP): the condition of every inline FP/AdvSIMD arithmetic form.
pub(super) fn non_ieee_guard(e: &mut Emitter) -> DynamicLabel {
    e.fpcr_check(FPCR_NON_IEEE)
}

/// xmm0 = the low single/double of xmm`x`, the rest zero.
fn low_element(e: &mut Emitter, x: u8, double: bool) {
    if double {
        dasm!(e.ops; movq xmm0, Rx(x));
    } else {
        dasm!(e.ops; xorps xmm0, xmm0; movss xmm0, Rx(x));
    }
}

/// Jump to `slow` when the host result in xmm`r` may differ from the Arm one: a NaN (Arm's NaN
/// propagation and default NaN differ from x86's) or, with `tiny`, a result of exactly the
/// smallest normal magnitude (Arm detects tininess before rounding, x86 after: only such a
/// result can be Underflow on Arm and not on x86). Every other result, and the flags the host
/// raised for it (`fpflags`), is the Arm one. With `tiny`, one compare covers both: |r|
/// against the smallest normal sets ZF when equal and when unordered (a NaN; x86 results are
/// never signalling NaNs, so the compare raises nothing). Clobbers xmm1.
#[inline(always)]
fn result_guard(e: &mut Emitter, r: u8, double: bool, tiny: bool, slow: DynamicLabel) {
    if !tiny {
        e.ops.ucomis_rr(double, r, r);
        dasm!(e.ops; jp =>slow);
        return;
    }
    // fp_const: [0]/[2] the magnitude masks, [1]/[3] the smallest normals (single/double)
    let k = OFF_FP_CONST as i32 + if double { 32 } else { 0 };
    if super::features().avx {
        e.ops.vandps_x1_rbx(r, k);
    } else {
        e.ops.movaps_rr(1, r);
        e.ops.andps_x1_rbx(k);
    }
    e.ops.ucomis_x1_rbx(double, k + 16);
    dasm!(e.ops; je =>slow);
}

/// FSQRT (single, double) inline under round-to-nearest with no FZ/DN/AHP: SQRTSS/SQRTSD is
/// IEEE's correctly rounded square root, which is the Arm result with the Arm flags (Invalid
/// for a negative operand, Inexact) for every operand whose root is not a NaN; a square root
/// is never tiny. NaN results (NaN or negative operands) take the helper.
fn emit_fsqrt(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (d, n) = (i.rd(), i.rn());
    let double = i.ftype() == 1;
    let slow = non_ieee_guard(e);
    let xn = e.vc_get(n);
    let width = if double { 64 } else { 32 };
    dasm!(e.ops; xorps xmm0, xmm0);
    if double {
        dasm!(e.ops; sqrtsd xmm0, Rx(xn));
    } else {
        dasm!(e.ops; sqrtss xmm0, Rx(xn));
    }
    result_guard(e, 0, double, false, slow);
    e.vc_put(d, 0, width);
    e.cold_call_vonly(slow, helper, i.0);
}

/// SCVTF/UCVTF (scalar, from a general register) inline under round-to-nearest with no
/// FZ/DN/AHP: CVTSI2SS/CVTSI2SD round as IEEE 754 does, which is the Arm result, and raise
/// only Inexact (IXC), as Arm does; an integer never converts to a NaN or a denormal. UCVTF
/// of a W register converts the zero-extended 64-bit value; UCVTF of an X register with the
/// top bit set (beyond CVTSI2S*'s signed range) takes the helper, out of line.
fn emit_cvt_from_int(e: &mut Emitter, op: FpOp, i: Insn, helper: InsnHelper) {
    let (d, n, sf) = (i.rd(), i.rn(), i.sf());
    let double = i.ftype() == 1;
    let slow = non_ieee_guard(e);
    // The source in a 64-bit register: signed W sign-extended, unsigned W zero-extended.
    let src = match (op, sf) {
        (FpOp::Scvtf, false) => {
            e.load_x(reg::RAX, n, false, R31::Zr);
            dasm!(e.ops; movsxd rax, eax);
            reg::RAX
        }
        (_, false) => {
            e.load_x(reg::RAX, n, false, R31::Zr);
            reg::RAX
        }
        _ => match e.host_of(n).filter(|_| n != 31) {
            Some(h) => h,
            None => {
                e.load_x(reg::RAX, n, true, R31::Zr);
                reg::RAX
            }
        },
    };
    if op == FpOp::Ucvtf && sf {
        dasm!(e.ops; test Rq(src), Rq(src); js =>slow);
    }
    let x = e.vc_target(d);
    // XORPS: the rest of Vd is zero, and no dependency on its old value
    dasm!(e.ops; xorps Rx(x), Rx(x));
    if double {
        dasm!(e.ops; cvtsi2sd Rx(x), Rq(src));
    } else {
        dasm!(e.ops; cvtsi2ss Rx(x), Rq(src));
    }
    e.vc_put(d, x, if double { 64 } else { 32 });
    e.cold_call_gpr(slow, helper, i.0);
}

/// FCVTZS (scalar, to a general register) inline under round-to-nearest with no FZ/DN/AHP:
/// CVTTSS2SI/CVTTSD2SI truncate as Arm does and raise Inexact (IXC) for a fraction. A NaN or
/// an out-of-range value gives x86's "integer indefinite" (the most negative integer) with
/// Invalid, where Arm saturates (and raises IOC, the same flag): that result takes the helper,
/// out of line, which also covers an exact most-negative input.
fn emit_fcvtzs(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (d, n, sf) = (i.rd(), i.rn(), i.sf());
    let double = i.ftype() == 1;
    let slow = non_ieee_guard(e);
    let x = e.vc_get(n);
    truncate_checked(e, x, sf, double, slow);
    e.store_x(d, reg::RAX, sf, R31::Zr);
    e.cold_call_gpr(slow, helper, i.0);
}

/// rax (X, `sf`) or eax = xmm`x`'s low element truncated by CVTTSx2SI; to `slow` on x86's
/// "integer indefinite" (NaN, out of range: the most negative integer, where Arm saturates;
/// an exact most-negative input goes too, harmlessly).
fn truncate_checked(e: &mut Emitter, x: u8, sf: bool, double: bool, slow: DynamicLabel) {
    match (sf, double) {
        (true, true) => dasm!(e.ops; cvttsd2si rax, Rx(x)),
        (true, false) => dasm!(e.ops; cvttss2si rax, Rx(x)),
        (false, true) => dasm!(e.ops; cvttsd2si eax, Rx(x)),
        (false, false) => dasm!(e.ops; cvttss2si eax, Rx(x)),
    }
    // x - 1 overflows only for the most negative integer
    if sf {
        dasm!(e.ops; cmp rax, 1; jo =>slow);
    } else {
        dasm!(e.ops; cmp eax, 1; jo =>slow);
    }
}

/// FCVTNS, FCVTMS, FCVTPS, FCVTAS (scalar, to a general register): ROUNDSS/ROUNDSD in the
/// row's fixed mode with Inexact suppressed (FCVTAS: [`round_ties_away`]), then CVTTSx2SI as
/// for FCVTZS (NaN and out of range:
/// x86's indefinite with Invalid, which the helper turns into Arm's saturation with the same
/// flag). Arm raises Inexact only for a result in range that differs from the input, which
/// the rounding instruction cannot tell: it is ORed into `CpuState::fpsr` (the guest FPSR is
/// that OR the MXCSR flags, `fpflags`) after the range check.
fn emit_fcvt_rounding(e: &mut Emitter, op: FpOp, i: Insn, helper: InsnHelper) {
    let (d, n, sf) = (i.rd(), i.rn(), i.sf());
    let double = i.ftype() == 1;
    let imm: i8 = match op {
        FpOp::Fcvtns => 0b1000,
        FpOp::Fcvtms => 0b1001,
        _ => 0b1010,
    };
    let slow = non_ieee_guard(e);
    let x = e.vc_get(n);
    // xmm0 = the rounded value
    match (op, double) {
        (FpOp::Fcvtas, _) => round_ties_away(e, x, double, slow),
        (_, true) => dasm!(e.ops; roundsd xmm0, Rx(x), imm),
        (_, false) => dasm!(e.ops; roundss xmm0, Rx(x), imm),
    }
    truncate_checked(e, 0, sf, double, slow);
    if double {
        dasm!(e.ops; ucomisd xmm0, Rx(x));
    } else {
        dasm!(e.ops; ucomiss xmm0, Rx(x));
    }
    dasm!(e.ops
        ; je >exact
        ; or DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
        ; exact:
    );
    e.store_x(d, reg::RAX, sf, R31::Zr);
    e.cold_call_gpr(slow, helper, i.0);
}

/// FCVTZU (scalar, to a general register) for inputs in (-1, 2^32) (W) or (-1, 2^63) (X),
/// checked first with UCOMIS (which raises nothing for a quiet NaN; a NaN fails the first
/// test): CVTTSx2SI into 64 bits then truncates as Arm does, with Inexact for a fraction.
/// Everything else takes the helper before a flag is raised: x86 would add Inexact to Arm's
/// lone Invalid at or below -1, and has no unsigned conversion for [2^63, 2^64).
fn emit_fcvtzu(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (d, n, sf) = (i.rd(), i.rn(), i.sf());
    let double = i.ftype() == 1;
    let slow = non_ieee_guard(e);
    let x = e.vc_get(n);
    if double {
        let upper: u64 = if sf { 0x43e0_0000_0000_0000 } else { 0x41f0_0000_0000_0000 };
        dasm!(e.ops
            ; mov rax, QWORD 0xbff0_0000_0000_0000_u64 as i64
            ; movq xmm1, rax
            ; ucomisd Rx(x), xmm1
            ; jbe =>slow
            ; mov rax, QWORD upper as i64
            ; movq xmm1, rax
            ; ucomisd Rx(x), xmm1
            ; jae =>slow
            ; cvttsd2si rax, Rx(x)
        );
    } else {
        let upper: u32 = if sf { 0x5f00_0000 } else { 0x4f80_0000 };
        dasm!(e.ops
            ; mov eax, 0xbf80_0000_u32 as i32
            ; movd xmm1, eax
            ; ucomiss Rx(x), xmm1
            ; jbe =>slow
            ; mov eax, upper as i32
            ; movd xmm1, eax
            ; ucomiss Rx(x), xmm1
            ; jae =>slow
            ; cvttss2si rax, Rx(x)
        );
    }
    e.store_x(d, reg::RAX, sf, R31::Zr);
    e.cold_call_gpr(slow, helper, i.0);
}

/// FRINTA (round to nearest, ties away from zero), which has no SSE mode: t = the input
/// truncated (ROUNDSx, Inexact suppressed; a NaN takes the helper); an input of magnitude
/// 2^52 (2^23 for single) or more, infinities included, is integral already (t); else
/// x - t is exact, and t moves one away from zero when |x - t| >= 0.5 (t + ±1 is exact
/// too). FRINTA raises nothing for a non-NaN input, and nothing here raises a flag.
fn emit_frinta(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (d, n) = (i.rd(), i.rn());
    let double = i.ftype() == 1;
    let slow = non_ieee_guard(e);
    let x = e.vc_get(n);
    round_ties_away(e, x, double, slow);
    e.vc_put(d, 0, if double { 64 } else { 32 });
    e.cold_call_vonly(slow, helper, i.0);
}

/// xmm0 = xmm`x`'s low element rounded to an integral value, ties away from zero (the rest
/// of xmm0 zero), raising no flag; to `slow` for a NaN. See [`emit_frinta`]. Clobbers
/// xmm1, xmm2, rax, rcx.
fn round_ties_away(e: &mut Emitter, x: u8, double: bool, slow: DynamicLabel) {
    let abs = crate::cpu::OFF_FP_CONST as i32 + if double { 32 } else { 0 };
    // xmm0 = t (the rest of the register zero), xmm1 = |x|, xmm2 = constants
    dasm!(e.ops; xorps xmm0, xmm0);
    if double {
        dasm!(e.ops
            ; roundsd xmm0, Rx(x), 0b1011
            ; ucomisd xmm0, xmm0
            ; jp =>slow
            ; movaps xmm1, Rx(x)
            ; andps xmm1, [cpu + abs]
            ; mov rax, QWORD 0x4330_0000_0000_0000
            ; movq xmm2, rax
            ; ucomisd xmm1, xmm2
            ; jae >done
            ; movaps xmm1, Rx(x)
            ; subsd xmm1, xmm0
            ; andps xmm1, [cpu + abs]
            ; mov rax, QWORD 0x3fe0_0000_0000_0000
            ; movq xmm2, rax
            ; ucomisd xmm1, xmm2
            ; jb >done
            // ±1.0: the sign of x OR 1.0
            ; movq rax, Rx(x)
            ; shr rax, 63
            ; shl rax, 63
            ; mov rcx, QWORD 0x3ff0_0000_0000_0000
            ; or rax, rcx
            ; movq xmm2, rax
            ; addsd xmm0, xmm2
            ; done:
        );
    } else {
        dasm!(e.ops
            ; roundss xmm0, Rx(x), 0b1011
            ; ucomiss xmm0, xmm0
            ; jp =>slow
            ; movaps xmm1, Rx(x)
            ; andps xmm1, [cpu + abs]
            ; mov eax, 0x4b00_0000
            ; movd xmm2, eax
            ; ucomiss xmm1, xmm2
            ; jae >done
            ; movaps xmm1, Rx(x)
            ; subss xmm1, xmm0
            ; andps xmm1, [cpu + abs]
            ; mov eax, 0x3f00_0000
            ; movd xmm2, eax
            ; ucomiss xmm1, xmm2
            ; jb >done
            ; movd eax, Rx(x)
            ; and eax, 0x8000_0000_u32 as i32
            ; or eax, 0x3f80_0000
            ; movd xmm2, eax
            ; addss xmm0, xmm2
            ; done:
        );
    }
}

/// FMOV (general): W<->S and X<->D move the low 32/64 bits (a write to V zeroes the rest of
/// the register), X<->V.D[1] the upper 64 bits (a write keeps the lower half). Register 31 is
/// XZR on both sides.
fn emit_fmov_gen(e: &mut Emitter, op: FpOp, i: Insn) {
    let (d, n) = (i.rd(), i.rn());
    let sf = i.sf();
    match op {
        FpOp::FmovToGen => match e.host_of(d).filter(|_| d != 31) {
            // straight into Rd's host register (MOVD zero-extends, as a W write does)
            Some(h) => {
                let x = e.vc_get(n);
                if sf {
                    dasm!(e.ops; movq Rq(h), Rx(x));
                } else {
                    dasm!(e.ops; movd Rd(h), Rx(x));
                }
            }
            None => {
                low_to_rax(e, n, sf);
                e.store_x(d, reg::RAX, true, R31::Zr);
            }
        },
        FpOp::FmovToGenHi => {
            dasm!(e.ops; mov rax, QWORD [cpu + off_v(n) + 8]);
            e.store_x(d, reg::RAX, true, R31::Zr);
        }
        FpOp::FmovFromGen => match e.host_of(n).filter(|_| n != 31) {
            // straight from Rn's host register into Vd's cache register
            Some(h) => {
                let x = e.vc_target(d);
                if sf {
                    dasm!(e.ops; movq Rx(x), Rq(h));
                } else {
                    dasm!(e.ops; movd Rx(x), Rd(h));
                }
                e.vc_put(d, x, if sf { 64 } else { 32 });
            }
            None => {
                e.load_x(reg::RAX, n, sf, R31::Zr);
                put_from_rax(e, d, sf);
            }
        },
        _ => {
            e.load_x(reg::RAX, n, true, R31::Zr);
            dasm!(e.ops; mov QWORD [cpu + off_v(d) + 8], rax);
            e.vc_forget(d);
        }
    }
}

/// rax = the low 64 bits (`double`) or eax = the low 32 bits of V`v` (through the cache).
fn low_to_rax(e: &mut Emitter, v: u32, double: bool) {
    let x = e.vc_get(v);
    if double {
        dasm!(e.ops; movq rax, Rx(x));
    } else {
        dasm!(e.ops; movd eax, Rx(x));
    }
}

/// V`d` = rax (`double`) or eax, zero-extended to 128 bits (straight into its cache register).
fn put_from_rax(e: &mut Emitter, d: u32, double: bool) {
    let x = e.vc_target(d);
    if double {
        dasm!(e.ops; movq Rx(x), rax);
        e.vc_put(d, x, 64);
    } else {
        dasm!(e.ops; movd Rx(x), eax);
        e.vc_put(d, x, 32);
    }
}

/// FMOV (register), FABS, FNEG, FMOV (immediate), FCSEL on single or double: bit operations on
/// the low 32/64 bits; the rest of Vd becomes zero.
fn emit_bits(e: &mut Emitter, op: FpOp, i: Insn) {
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    let double = i.ftype() == 1;
    match op {
        FpOp::FmovReg => {
            let x = e.vc_get(n);
            let width = if double { 64 } else { 32 };
            if e.vc_width(x) <= width {
                // already zero above the low element: a plain copy
                e.vc_put(d, x, width);
            } else if double {
                // MOVQ xmm, xmm zeroes the upper half
                let xd = e.vc_target(d);
                dasm!(e.ops; movq Rx(xd), Rx(x));
                e.vc_put(d, xd, width);
            } else if super::features().avx {
                // lane 0 of Vn, lanes 1-3 zeroed
                let xd = e.vc_target(d);
                dasm!(e.ops; vinsertps Rx(xd), Rx(x), Rx(x), 0x0e);
                e.vc_put(d, xd, width);
            } else {
                low_element(e, x, double);
                e.vc_put(d, 0, width);
            }
            return;
        }
        FpOp::Fabs | FpOp::Fneg => {
            low_to_rax(e, n, double);
            match (op, double) {
                (FpOp::Fabs, true) => dasm!(e.ops; btr rax, 63),
                (FpOp::Fabs, false) => dasm!(e.ops; btr eax, 31),
                (_, true) => dasm!(e.ops; btc rax, 63),
                (_, false) => dasm!(e.ops; btc eax, 31),
            }
        }
        FpOp::FmovImm => {
            let imm = vfp_expand_imm(i.bits(20, 13), if double { 64 } else { 32 });
            e.mov_imm(reg::RAX, imm);
        }
        _ => {
            // FCSEL: Vd = cond ? Vn : Vm (memory is current: the cache is write-through).
            // eval_cond clobbers eax/ecx, so load after it.
            e.eval_cond(i.bits(15, 12));
            if double {
                dasm!(e.ops
                    ; mov rax, QWORD [cpu + off_v(m)]
                    ; cmovnz rax, QWORD [cpu + off_v(n)]
                );
            } else {
                dasm!(e.ops
                    ; mov eax, DWORD [cpu + off_v(m)]
                    ; cmovnz eax, DWORD [cpu + off_v(n)]
                );
            }
        }
    }
    put_from_rax(e, d, double);
}

/// FCMP/FCMPE (register or #0.0). With FPCR.FZ clear and both operands ordered, the Arm result
/// (equal 0110, less 1000, greater 0010) follows from UCOMIS: N = CF, Z = ZF, C = NOT CF,
/// V = 0, and no exception is raised. NaNs and FZ take the helper (out of line).
fn emit_fcmp(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (n, m) = (i.rn(), i.rm());
    let double = i.ftype() == 1;
    let zero = i.bit(3);
    let slow = e.fpcr_check(FPCR_FZ);
    let xn = e.vc_get(n);
    let xm = if zero {
        dasm!(e.ops; xorps xmm1, xmm1);
        1
    } else {
        e.vc_get(m)
    };
    if double {
        dasm!(e.ops; ucomisd Rx(xn), Rx(xm));
    } else {
        dasm!(e.ops; ucomiss Rx(xn), Rx(xm));
    }
    // Only flag-preserving instructions from here on: a B.cond or CSEL that follows may test
    // the x86 flags directly (FlagKind::Fcmp).
    store_ucomis_flags(e, slow);
    e.cold_call_flags(slow, helper, i.0);
    e.host_flags = Some(FlagKind::Fcmp);
}

/// After UCOMISS/UCOMISD: to `slow` when unordered, else store NZCV (equal 0110, less 1000,
/// greater 0010) with flag-preserving instructions only.
fn store_ucomis_flags(e: &mut Emitter, slow: DynamicLabel) {
    dasm!(e.ops
        ; jp =>slow
        ; setne cl
        ; setae BYTE [cpu + OFF_FLAG_C as i32]
        ; mov eax, 0
        ; mov rdx, -1
        ; cmovb rax, rdx
        ; mov QWORD [cpu + OFF_FLAG_N as i32], rax
        ; movzx ecx, cl
        ; mov QWORD [cpu + OFF_FLAG_Z as i32], rcx
        ; mov BYTE [cpu + OFF_FLAG_V as i32], 0
    );
}

/// FCCMP/FCCMPE: when the condition holds, the comparison of [`emit_fcmp`] (FZ or an
/// unordered result takes the helper, which evaluates the whole instruction again from the
/// stored flags: nothing has been written when it is entered); otherwise NZCV = the
/// immediate, with no FP processing and no exception, whatever FPCR says. Both operands are
/// loaded into the V-register cache before the branch, so both paths meet with one cache
/// state; the x86 flags describe nothing afterwards.
fn emit_fccmp(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (n, m) = (i.rn(), i.rm());
    let double = i.ftype() == 1;
    let (cond, nzcv) = (i.bits(15, 12), i.bits(3, 0));
    let (xn, xm) = (e.vc_get(n), e.vc_get(m));
    let checked = e.fpcr_checked;
    let skip = (cond < 0b1110).then(|| {
        let cc = e.cond_cc(cond);
        e.jcc_unless(cc)
    });
    let slow = e.fpcr_check(FPCR_FZ);
    // (a check made on the compared side only does not cover the instructions after)
    e.fpcr_checked = checked;
    if double {
        dasm!(e.ops; ucomisd Rx(xn), Rx(xm));
    } else {
        dasm!(e.ops; ucomiss Rx(xn), Rx(xm));
    }
    store_ucomis_flags(e, slow);
    if let Some(skip) = skip {
        dasm!(e.ops; jmp >done; =>skip);
        e.set_flags_imm(nzcv);
        dasm!(e.ops; done:);
    }
    e.cold_call_flags(slow, helper, i.0);
    e.host_flags = None;
}
