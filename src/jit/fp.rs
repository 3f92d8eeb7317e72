//! Translator for the scalar FP rows of the decoder table (`arch::table::fp`).
//!
//! Invariants: every UNDEFINED condition the bitstrings cannot express is checked here before
//! anything is emitted (reserved ftype 0b10; FP16 data processing and FP16 conversions to or from
//! general registers, which need FEAT_FP16, not implemented: only FCVT may name half precision;
//! FCVT to its own size; the 32-bit fixed-point forms with scale<5> = 0; FMOV (general) with a
//! mismatched sf/ftype). Every valid row becomes one call of its exact out-of-line helper in
//! `helpers::fp::insn`, which reads and writes `CpuState` itself.

use super::emit::{Emitter, Flow, InsnHelper, TResult, Undefined};
use crate::arch::table::FpOp;
use crate::arch::Insn;
use crate::helpers::fp::insn as h;

#[inline(always)]
pub fn translate(e: &mut Emitter, op: FpOp, i: Insn) -> TResult {
    let helper = select(op, i).ok_or(Undefined)?;
    if super::fp_inline::try_emit(e, op, i, helper) {
        return Ok(Flow::Continue);
    }
    if matches!(op, FpOp::Fcmp | FpOp::Fccmp | FpOp::Fcsel) {
        e.call_insn_helper_flags(helper);
    } else if touches_gprs(op) {
        e.call_insn_helper(helper);
    } else {
        e.call_insn_helper_vonly(helper);
    }
    Ok(Flow::Continue)
}

/// Rows whose helper reads or writes general-purpose registers (conversions to and from
/// integers, FMOV general); all others only touch V registers, FPCR and FPSR.
fn touches_gprs(op: FpOp) -> bool {
    use FpOp::*;
    !matches!(
        op,
        FmovReg
            | Fabs
            | Fneg
            | Fsqrt
            | Fcvt
            | Frintn
            | Frintp
            | Frintm
            | Frintz
            | Frinta
            | Frintx
            | Frinti
            | Fmul
            | Fdiv
            | Fadd
            | Fsub
            | Fmax
            | Fmin
            | Fmaxnm
            | Fminnm
            | Fnmul
            | Fmadd
            | Fmsub
            | Fnmadd
            | Fnmsub
            | FmovImm
    )
}

/// The helper for a row, or `None` when the encoding is UNDEFINED. Pure: emits nothing.
pub fn select(op: FpOp, i: Insn) -> Option<InsnHelper> {
    use FpOp::*;
    let ftype = i.bits(23, 22);
    // ftype 00 (single) and 01 (double) are always allowed; 11 (half) only as an FCVT source.
    let sd = ftype <= 1;
    let helper: InsnHelper = match op {
        FmovReg | Fabs | Fneg | Fsqrt if sd => h::fp_dp1,
        Fcvt => {
            let opc = i.bits(16, 15);
            if ftype == 0b10 || opc == 0b10 || opc == ftype {
                return None;
            }
            h::fp_fcvt
        }
        Frintn | Frintp | Frintm | Frintz | Frinta | Frintx | Frinti if sd => h::fp_frint,
        Fmul | Fdiv | Fadd | Fsub | Fmax | Fmin | Fmaxnm | Fminnm | Fnmul if sd => h::fp_dp2,
        Fmadd | Fmsub | Fnmadd | Fnmsub if sd => h::fp_dp3,
        Fcmp if sd => h::fp_fcmp,
        Fccmp if sd => h::fp_fccmp,
        Fcsel if sd => h::fp_fcsel,
        FmovImm if sd => h::fp_fmov_imm,
        Fcvtns | Fcvtnu | Fcvtps | Fcvtpu | Fcvtms | Fcvtmu | Fcvtzs | Fcvtzu | Fcvtas | Fcvtau if sd => {
            h::fp_cvt_to_int
        }
        Scvtf | Ucvtf if sd => h::fp_cvt_from_int,
        // FMOV (general): only W<->S (sf 0, ftype 00) and X<->D (sf 1, ftype 01).
        FmovToGen | FmovFromGen if ftype == i.sf() as u32 => {
            if op == FmovToGen {
                h::fp_fmov_to_gen
            } else {
                h::fp_fmov_from_gen
            }
        }
        FmovToGenHi => h::fp_fmov_to_gen_hi,
        FmovFromGenHi => h::fp_fmov_from_gen_hi,
        ScvtfFix | UcvtfFix | FcvtzsFix | FcvtzuFix if sd => {
            // scale<5> = 0 would mean more than 32 fraction bits for a 32-bit integer.
            if !i.sf() && !i.bit(15) {
                return None;
            }
            match op {
                ScvtfFix | UcvtfFix => h::fp_cvt_from_fixed,
                _ => h::fp_cvt_to_fixed,
            }
        }
        _ => return None,
    };
    Some(helper)
}
