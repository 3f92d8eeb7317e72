//! Inline x86 for the hottest scalar FP rows, with the exact helper as the out-of-line slow
//! path where one is needed.
//!
//! - FADD, FSUB, FMUL, FDIV, FSQRT (single, double): when FPCR has round-to-nearest and no
//!   FZ/DN/AHP, the host instruction, whose flags stay pending in MXCSR (`fpflags`). The helper
//!   redoes the operation when the host result is a NaN or (not for FSQRT) exactly the smallest
//!   normal magnitude, the only results where x86 and Arm can differ ([`result_guard`]).
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
use crate::cpu::{off_v, FPCR_FZ, OFF_FLAG_C, OFF_FLAG_N, OFF_FLAG_V, OFF_FLAG_Z, OFF_FPCR};
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
        FpOp::Fsqrt if ftype <= 1 => {
            emit_fsqrt(e, i, helper);
            return true;
        }
        _ => {}
    }
    if !matches!(op, FpOp::Fadd | FpOp::Fsub | FpOp::Fmul | FpOp::Fdiv) || ftype > 1 {
        return false;
    }
    let double = ftype == 1;
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    dasm!(e.ops
        ; test DWORD [cpu + OFF_FPCR as i32], FPCR_SPECIAL
        ; jnz >slow
    );
    // MOVSS/MOVSD from memory zero the rest of xmm0, and the scalar operation keeps it: xmm0
    // is the whole new V register.
    match (op, double) {
        (FpOp::Fadd, true) => dasm!(e.ops; movsd xmm0, QWORD [cpu + off_v(n)]; addsd xmm0, QWORD [cpu + off_v(m)]),
        (FpOp::Fsub, true) => dasm!(e.ops; movsd xmm0, QWORD [cpu + off_v(n)]; subsd xmm0, QWORD [cpu + off_v(m)]),
        (FpOp::Fmul, true) => dasm!(e.ops; movsd xmm0, QWORD [cpu + off_v(n)]; mulsd xmm0, QWORD [cpu + off_v(m)]),
        (_, true) => dasm!(e.ops; movsd xmm0, QWORD [cpu + off_v(n)]; divsd xmm0, QWORD [cpu + off_v(m)]),
        (FpOp::Fadd, false) => dasm!(e.ops; movss xmm0, DWORD [cpu + off_v(n)]; addss xmm0, DWORD [cpu + off_v(m)]),
        (FpOp::Fsub, false) => dasm!(e.ops; movss xmm0, DWORD [cpu + off_v(n)]; subss xmm0, DWORD [cpu + off_v(m)]),
        (FpOp::Fmul, false) => dasm!(e.ops; movss xmm0, DWORD [cpu + off_v(n)]; mulss xmm0, DWORD [cpu + off_v(m)]),
        (_, false) => dasm!(e.ops; movss xmm0, DWORD [cpu + off_v(n)]; divss xmm0, DWORD [cpu + off_v(m)]),
    }
    // A tiny sum is exact (no Underflow on either side): only products and quotients can
    // differ at the smallest normal magnitude.
    result_guard(e, double, matches!(op, FpOp::Fmul | FpOp::Fdiv));
    dasm!(e.ops
        ; movdqu [cpu + off_v(d)], xmm0
        ; jmp >done
        ; slow:
    );
    e.call_insn_helper_vonly(helper);
    dasm!(e.ops; done:);
    true
}

/// `j* >slow` when the host result in xmm0 may differ from the Arm one: a NaN (Arm's NaN
/// propagation and default NaN differ from x86's) or, with `tiny`, a result of exactly the
/// smallest normal magnitude (Arm detects tininess before rounding, x86 after: only such a
/// result can be Underflow on Arm and not on x86). Every other result, and the flags the host
/// raised for it (`fpflags`), is the Arm one. Clobbers eax, rcx.
fn result_guard(e: &mut Emitter, double: bool, tiny: bool) {
    if double {
        dasm!(e.ops; ucomisd xmm0, xmm0; jp >slow);
        if tiny {
            dasm!(e.ops
                ; movq rax, xmm0
                ; add rax, rax
                ; mov rcx, QWORD 0x0020_0000_0000_0000
                ; cmp rax, rcx
                ; je >slow
            );
        }
    } else {
        dasm!(e.ops; ucomiss xmm0, xmm0; jp >slow);
        if tiny {
            dasm!(e.ops
                ; movd eax, xmm0
                ; add eax, eax
                ; cmp eax, 0x0100_0000
                ; je >slow
            );
        }
    }
}

/// FSQRT (single, double) inline under round-to-nearest with no FZ/DN/AHP: SQRTSS/SQRTSD is
/// IEEE's correctly rounded square root, which is the Arm result with the Arm flags (Invalid
/// for a negative operand, Inexact) for every operand whose root is not a NaN; a square root
/// is never tiny. NaN results (NaN or negative operands) take the helper.
fn emit_fsqrt(e: &mut Emitter, i: Insn, helper: InsnHelper) {
    let (d, n) = (i.rd(), i.rn());
    let double = i.ftype() == 1;
    dasm!(e.ops
        ; test DWORD [cpu + OFF_FPCR as i32], FPCR_SPECIAL
        ; jnz >slow
        ; xorps xmm0, xmm0
    );
    if double {
        dasm!(e.ops; sqrtsd xmm0, QWORD [cpu + off_v(n)]);
    } else {
        dasm!(e.ops; sqrtss xmm0, DWORD [cpu + off_v(n)]);
    }
    result_guard(e, double, false);
    dasm!(e.ops
        ; movdqu [cpu + off_v(d)], xmm0
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
