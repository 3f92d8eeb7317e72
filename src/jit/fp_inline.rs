//! Inline x86 for the hottest scalar FP rows, with the exact helper as the out-of-line slow
//! path where one is needed.
//!
//! - FADD, FSUB, FMUL, FDIV (single, double): the inline path is taken only where the host
//!   result is provably the Arm result: FPCR has round-to-nearest and no FZ/DN/AHP, and both
//!   operands are normal with unbiased exponents in [-400, 400] (double) or [-40, 40] (single).
//!   Then no NaN, infinity, zero-operand, overflow, underflow or subnormal rule applies, IEEE 754
//!   fixes the rounded result, and the only cumulative flag that can be raised is Inexact,
//!   computed exactly: TwoSum for + and -, the FMA residual for * and / (exactly representable
//!   in that range). Anything else calls the helper. Emitted only when the host has FMA.
//! - FCMP, FCMPE (register or #0.0): UCOMISS/UCOMISD when FPCR.FZ is clear (then no input is
//!   flushed and an ordered comparison raises nothing); an unordered result (a NaN: IOC rules
//!   differ for FCMP and FCMPE, and NZCV = 0011) or FZ set goes to the helper.
//! - Pure bit moves, exact for every input and raising nothing (FPAbs and FPNeg do not look at
//!   NaNs; FMOV never does): FMOV (register, immediate, general: W<->S, X<->D, X<->V.D[1]),
//!   FABS, FNEG, FCSEL.

use super::emit::{dasm, reg, Emitter, InsnHelper, R31};
use crate::arch::pseudo::vfp_expand_imm;
use crate::arch::table::FpOp;
use crate::arch::Insn;
use crate::cpu::{off_v, FPCR_FZ, FPSR_IXC, OFF_FLAG_C, OFF_FLAG_N, OFF_FLAG_V, OFF_FLAG_Z, OFF_FPCR, OFF_FPSR};
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};

/// FPCR bits that must be clear for the inline arithmetic: AHP, DN, FZ, RMode.
const FPCR_SPECIAL: i32 = 0x07C0_0000;

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
        FpOp::Fsqrt if ftype <= 1 && std::arch::is_x86_feature_detected!("fma") => {
            emit_fsqrt(e, i, helper);
            return true;
        }
        _ => {}
    }
    if !matches!(op, FpOp::Fadd | FpOp::Fsub | FpOp::Fmul | FpOp::Fdiv)
        || ftype > 1
        || !std::arch::is_x86_feature_detected!("fma")
    {
        return false;
    }
    let double = ftype == 1;
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    dasm!(e.ops
        ; test DWORD [cpu + OFF_FPCR as i32], FPCR_SPECIAL
        ; jnz >slow
    );
    if double {
        dasm!(e.ops
            ; movsd xmm0, QWORD [cpu + off_v(n)]
            ; movsd xmm1, QWORD [cpu + off_v(m)]
        );
    } else {
        dasm!(e.ops
            ; movss xmm0, DWORD [cpu + off_v(n)]
            ; movss xmm1, DWORD [cpu + off_v(m)]
        );
    }
    exponent_guard(e, n, double);
    exponent_guard(e, m, double);
    if op == FpOp::Fsub {
        // b = -b (flip the sign bit of xmm1): the subtraction is an addition below
        if double {
            dasm!(e.ops
                ; mov rax, QWORD [cpu + off_v(m)]
                ; btc rax, 63
                ; movq xmm1, rax
            );
        } else {
            dasm!(e.ops
                ; mov eax, DWORD [cpu + off_v(m)]
                ; btc eax, 31
                ; movd xmm1, eax
            );
        }
    }
    sticky_fast_path(e, op, double, d);
    // xmm2 = result, xmm0 = exact error term: for + and -, TwoSum (s = a + b; bb = s - a;
    // err = (a - (s - bb)) + (b - bb)); for * and /, the FMA residual.
    match (op, double) {
        (FpOp::Fadd | FpOp::Fsub, true) => dasm!(e.ops
            ; movapd xmm2, xmm0
            ; addsd xmm2, xmm1
            ; movapd xmm3, xmm2
            ; subsd xmm3, xmm0
            ; movapd xmm4, xmm2
            ; subsd xmm4, xmm3
            ; subsd xmm0, xmm4
            ; subsd xmm1, xmm3
            ; addsd xmm0, xmm1
        ),
        (FpOp::Fadd | FpOp::Fsub, false) => dasm!(e.ops
            ; movaps xmm2, xmm0
            ; addss xmm2, xmm1
            ; movaps xmm3, xmm2
            ; subss xmm3, xmm0
            ; movaps xmm4, xmm2
            ; subss xmm4, xmm3
            ; subss xmm0, xmm4
            ; subss xmm1, xmm3
            ; addss xmm0, xmm1
        ),
        (FpOp::Fmul, true) => dasm!(e.ops
            ; movapd xmm2, xmm0
            ; mulsd xmm2, xmm1
            ; vfmsub213sd xmm0, xmm1, xmm2
        ),
        (FpOp::Fmul, false) => dasm!(e.ops
            ; movaps xmm2, xmm0
            ; mulss xmm2, xmm1
            ; vfmsub213ss xmm0, xmm1, xmm2
        ),
        (_, true) => dasm!(e.ops
            ; movapd xmm2, xmm0
            ; divsd xmm2, xmm1
            ; vfnmadd231sd xmm0, xmm2, xmm1
        ),
        (_, false) => dasm!(e.ops
            ; movaps xmm2, xmm0
            ; divss xmm2, xmm1
            ; vfnmadd231ss xmm0, xmm2, xmm1
        ),
    }
    dasm!(e.ops; xorps xmm5, xmm5);
    if double {
        dasm!(e.ops; ucomisd xmm0, xmm5);
    } else {
        dasm!(e.ops; ucomiss xmm0, xmm5);
    }
    dasm!(e.ops
        ; je >exact
        ; or DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
        ; exact:
    );
    store_scalar(e, d, double, 2);
    dasm!(e.ops; jmp >done);
    dasm!(e.ops; slow:);
    e.call_insn_helper_vonly(helper);
    dasm!(e.ops; done:);
    true
}

/// `ja >slow` unless V`v`'s low single/double is normal with unbiased exponent in [-40, 40]
/// (single) or [-400, 400] (double). Clobbers eax.
fn exponent_guard(e: &mut Emitter, v: u32, double: bool) {
    if double {
        dasm!(e.ops
            ; mov rax, QWORD [cpu + off_v(v)]
            ; shr rax, 52
            ; and eax, 0x7ff
            ; sub eax, 1023 - 400
            ; cmp eax, 800
            ; ja >slow
        );
    } else {
        dasm!(e.ops
            ; mov eax, DWORD [cpu + off_v(v)]
            ; shr eax, 23
            ; and eax, 0xff
            ; sub eax, 127 - 40
            ; cmp eax, 80
            ; ja >slow
        );
    }
}

/// V`d` = the low double/single of xmm`r`, zero-extended, as one 16-byte store. Clobbers eax
/// (single).
fn store_scalar(e: &mut Emitter, d: u32, double: bool, r: u8) {
    if double {
        dasm!(e.ops; movq Rx(r), Rx(r));
    } else {
        dasm!(e.ops; movd eax, Rx(r); movd Rx(r), eax);
    }
    dasm!(e.ops; movdqu [cpu + off_v(d)], Rx(r));
}

/// FPSR.IXC is cumulative: once set, an inexact result changes nothing, so the error term
/// is not needed. With xmm0/xmm1 the (guarded, FSUB-negated) operands: if IXC is set, compute
/// the result alone, store it to V`d` and jump to `done`; else fall through to the path that
/// also computes the error term. (Only the final FPSR is architectural; a later MSR FPSR
/// clearing IXC is seen at translated-code run time by this test.)
fn sticky_fast_path(e: &mut Emitter, op: FpOp, double: bool, d: u32) {
    dasm!(e.ops
        ; test DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
        ; jz >witherr
    );
    match (op, double) {
        (FpOp::Fadd | FpOp::Fsub, true) => dasm!(e.ops; addsd xmm0, xmm1),
        (FpOp::Fmul, true) => dasm!(e.ops; mulsd xmm0, xmm1),
        (_, true) => dasm!(e.ops; divsd xmm0, xmm1),
        (FpOp::Fadd | FpOp::Fsub, false) => dasm!(e.ops; addss xmm0, xmm1),
        (FpOp::Fmul, false) => dasm!(e.ops; mulss xmm0, xmm1),
        (_, false) => dasm!(e.ops; divss xmm0, xmm1),
    }
    store_scalar(e, d, double, 0);
    dasm!(e.ops
        ; jmp >done
        ; witherr:
    );
}

/// FSQRT (single, double) inline for a positive normal operand under round-to-nearest with
/// no FZ/DN/AHP: the square root is then normal, IEEE's correctly rounded SQRTSS/SQRTSD is
/// the Arm result, and only Inexact can be raised, exactly when the residual r*r - x (exact
/// for a correctly rounded r, computed with one FMA) is non-zero. The residual is about
/// 2^-2p of x, so x must also be at least 2^-63 (single) or 2^-511 (double) for it not to
/// underflow (the difftest found tiny singles whose residual flushed to zero). Zero, negative, subnormal,
/// infinite and NaN operands take the helper.
fn emit_fsqrt(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (d, n) = (i.rd(), i.rn());
    let double = i.ftype() == 1;
    dasm!(e.ops
        ; test DWORD [cpu + OFF_FPCR as i32], FPCR_SPECIAL
        ; jnz >slow
    );
    if double {
        // sign:exponent (12 bits) in [0x200, 0x7FE]: sign 0, finite, and large enough that the
        // residual (about 2^-106 of x) does not underflow
        dasm!(e.ops
            ; mov rax, QWORD [cpu + off_v(n)]
            ; mov rcx, rax
            ; shr rcx, 52
            ; sub ecx, 0x200
            ; cmp ecx, 0x7FE - 0x200
            ; ja >slow
            ; movq xmm0, rax
            ; sqrtsd xmm1, xmm0
            ; test DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
            ; jnz >store
            ; movapd xmm2, xmm1
            ; vfmsub213sd xmm2, xmm1, xmm0
            ; xorpd xmm3, xmm3
            ; ucomisd xmm2, xmm3
            ; je >store
            ; or DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
            ; store:
        );
    } else {
        dasm!(e.ops
            ; mov eax, DWORD [cpu + off_v(n)]
            ; mov ecx, eax
            ; shr ecx, 23
            ; sub ecx, 64
            ; cmp ecx, 0xFE - 64
            ; ja >slow
            ; movd xmm0, eax
            ; sqrtss xmm1, xmm0
            ; test DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
            ; jnz >store
            ; movaps xmm2, xmm1
            ; vfmsub213ss xmm2, xmm1, xmm0
            ; xorps xmm3, xmm3
            ; ucomiss xmm2, xmm3
            ; je >store
            ; or DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
            ; store:
        );
    }
    store_scalar(e, d, double, 1);
    dasm!(e.ops
        ; jmp >done
        ; slow:
    );
    e.call_insn_helper_vonly(helper);
    dasm!(e.ops; done:);
}

/// FMOV (general): W<->S and X<->D move the low 32/64 bits (a write to V zeroes the rest of
/// the register), X<->V.D[1] the upper 64 bits (a write keeps the lower half). Register 31 is
/// XZR on both sides.
fn emit_fmov_gen(e: &mut Emitter, op: FpOp, i: Insn) {
    let (d, n) = (i.rd(), i.rn());
    let sf = i.sf();
    match op {
        FpOp::FmovToGen => {
            if sf {
                dasm!(e.ops; mov rax, QWORD [cpu + off_v(n)]);
            } else {
                dasm!(e.ops; mov eax, DWORD [cpu + off_v(n)]);
            }
            e.store_x(d, reg::RAX, true, R31::Zr);
        }
        FpOp::FmovToGenHi => {
            dasm!(e.ops; mov rax, QWORD [cpu + off_v(n) + 8]);
            e.store_x(d, reg::RAX, true, R31::Zr);
        }
        FpOp::FmovFromGen => {
            e.load_x(reg::RAX, n, sf, R31::Zr);
            e.store_v_from_rax(d);
        }
        _ => {
            e.load_x(reg::RAX, n, true, R31::Zr);
            dasm!(e.ops; mov QWORD [cpu + off_v(d) + 8], rax);
        }
    }
}

/// FMOV (register), FABS, FNEG, FMOV (immediate), FCSEL on single or double: bit operations on
/// the low 32/64 bits; the rest of Vd becomes zero.
fn emit_bits(e: &mut Emitter, op: FpOp, i: Insn) {
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    let double = i.ftype() == 1;
    let load = |e: &mut Emitter, h: u8, v: u32| {
        if double {
            dasm!(e.ops; mov Rq(h), QWORD [cpu + off_v(v)]);
        } else {
            dasm!(e.ops; mov Rd(h), DWORD [cpu + off_v(v)]);
        }
    };
    match op {
        FpOp::FmovReg => load(e, reg::RAX, n),
        FpOp::Fabs | FpOp::Fneg => {
            load(e, reg::RAX, n);
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
            // FCSEL: Vd = cond ? Vn : Vm. eval_cond clobbers eax/ecx, so load after it.
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
    e.store_v_from_rax(d);
}

/// FCMP/FCMPE (register or #0.0). With FPCR.FZ clear and both operands ordered, the Arm result
/// (equal 0110, less 1000, greater 0010) follows from UCOMIS: N = CF, Z = ZF, C = NOT CF,
/// V = 0, and no exception is raised. NaNs and FZ take the helper.
fn emit_fcmp(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (n, m) = (i.rn(), i.rm());
    let double = i.ftype() == 1;
    let zero = i.bit(3);
    dasm!(e.ops
        ; test DWORD [cpu + OFF_FPCR as i32], FPCR_FZ as i32
        ; jnz >slow
    );
    match (double, zero) {
        (true, true) => dasm!(e.ops; movsd xmm0, QWORD [cpu + off_v(n)]; xorpd xmm1, xmm1; ucomisd xmm0, xmm1),
        (true, false) => dasm!(e.ops; movsd xmm0, QWORD [cpu + off_v(n)]; ucomisd xmm0, QWORD [cpu + off_v(m)]),
        (false, true) => dasm!(e.ops; movss xmm0, DWORD [cpu + off_v(n)]; xorps xmm1, xmm1; ucomiss xmm0, xmm1),
        (false, false) => dasm!(e.ops; movss xmm0, DWORD [cpu + off_v(n)]; ucomiss xmm0, DWORD [cpu + off_v(m)]),
    }
    dasm!(e.ops
        ; jp >slow
        ; setne cl
        ; setae BYTE [cpu + OFF_FLAG_C as i32]
        ; sbb rax, rax
        ; mov QWORD [cpu + OFF_FLAG_N as i32], rax
        ; movzx ecx, cl
        ; mov QWORD [cpu + OFF_FLAG_Z as i32], rcx
        ; mov BYTE [cpu + OFF_FLAG_V as i32], 0
        ; jmp >done
        ; slow:
    );
    e.call_insn_helper_flags(helper);
    dasm!(e.ops; done:);
}
