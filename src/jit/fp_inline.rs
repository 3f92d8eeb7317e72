//! Inline SSE for the hottest scalar FP rows (FADD, FSUB, FMUL, FDIV; single and double), with
//! the exact helper as the out-of-line slow path.
//!
//! The inline path is taken only where the host result is provably the Arm result: FPCR has
//! round-to-nearest and no FZ/DN/AHP, and both operands are normal with unbiased exponents in
//! [-400, 400] (double) or [-40, 40] (single). Then no NaN, infinity, zero-operand, overflow,
//! underflow or subnormal rule applies, IEEE 754 fixes the rounded result, and the only
//! cumulative flag that can be raised is Inexact, computed exactly: TwoSum for + and -, the FMA
//! residual for * and / (exactly representable in that range). Anything else calls the helper.
//! Emitted only when the host has FMA.

use super::emit::{dasm, Emitter, InsnHelper};
use crate::arch::table::FpOp;
use crate::arch::Insn;
use crate::cpu::{off_v, FPSR_IXC, OFF_FPCR, OFF_FPSR};
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};

/// FPCR bits that must be clear for the inline path: AHP, DN, FZ, RMode.
const FPCR_SPECIAL: i32 = 0x07C0_0000;

/// Emit `op` inline with `helper` as the slow path; false when this row has no inline form
/// (nothing emitted then).
pub fn try_emit(e: &mut Emitter, op: FpOp, i: Insn, helper: InsnHelper) -> bool {
    let ftype = i.ftype();
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
            ; mov rax, QWORD [cpu + off_v(n)]
            ; shr rax, 52
            ; and eax, 0x7ff
            ; sub eax, 1023 - 400
            ; cmp eax, 800
            ; ja >slow
            ; mov rax, QWORD [cpu + off_v(m)]
            ; shr rax, 52
            ; and eax, 0x7ff
            ; sub eax, 1023 - 400
            ; cmp eax, 800
            ; ja >slow
        );
        match op {
            FpOp::Fadd | FpOp::Fsub => {
                if op == FpOp::Fsub {
                    // b = -b (flip the sign bit of xmm1)
                    dasm!(e.ops
                        ; mov rax, QWORD [cpu + off_v(m)]
                        ; btc rax, 63
                        ; movq xmm1, rax
                    );
                }
                // s = a + b; bb = s - a; err = (a - (s - bb)) + (b - bb)
                dasm!(e.ops
                    ; movapd xmm2, xmm0
                    ; addsd xmm2, xmm1
                    ; movapd xmm3, xmm2
                    ; subsd xmm3, xmm0
                    ; movapd xmm4, xmm2
                    ; subsd xmm4, xmm3
                    ; subsd xmm0, xmm4
                    ; subsd xmm1, xmm3
                    ; addsd xmm0, xmm1
                );
            }
            FpOp::Fmul => dasm!(e.ops
                ; movapd xmm2, xmm0
                ; mulsd xmm2, xmm1
                ; vfmsub213sd xmm0, xmm1, xmm2
            ),
            _ => dasm!(e.ops
                ; movapd xmm2, xmm0
                ; divsd xmm2, xmm1
                ; vfnmadd231sd xmm0, xmm2, xmm1
            ),
        }
        // xmm2 = result, xmm0 = exact error term
        dasm!(e.ops
            ; xorpd xmm5, xmm5
            ; ucomisd xmm0, xmm5
            ; je >exact
            ; or DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
            ; exact:
            ; movsd QWORD [cpu + off_v(d)], xmm2
            ; mov QWORD [cpu + off_v(d) + 8], 0
            ; jmp >done
        );
    } else {
        dasm!(e.ops
            ; movss xmm0, DWORD [cpu + off_v(n)]
            ; movss xmm1, DWORD [cpu + off_v(m)]
            ; mov eax, DWORD [cpu + off_v(n)]
            ; shr eax, 23
            ; and eax, 0xff
            ; sub eax, 127 - 40
            ; cmp eax, 80
            ; ja >slow
            ; mov eax, DWORD [cpu + off_v(m)]
            ; shr eax, 23
            ; and eax, 0xff
            ; sub eax, 127 - 40
            ; cmp eax, 80
            ; ja >slow
        );
        match op {
            FpOp::Fadd | FpOp::Fsub => {
                if op == FpOp::Fsub {
                    dasm!(e.ops
                        ; mov eax, DWORD [cpu + off_v(m)]
                        ; btc eax, 31
                        ; movd xmm1, eax
                    );
                }
                dasm!(e.ops
                    ; movaps xmm2, xmm0
                    ; addss xmm2, xmm1
                    ; movaps xmm3, xmm2
                    ; subss xmm3, xmm0
                    ; movaps xmm4, xmm2
                    ; subss xmm4, xmm3
                    ; subss xmm0, xmm4
                    ; subss xmm1, xmm3
                    ; addss xmm0, xmm1
                );
            }
            FpOp::Fmul => dasm!(e.ops
                ; movaps xmm2, xmm0
                ; mulss xmm2, xmm1
                ; vfmsub213ss xmm0, xmm1, xmm2
            ),
            _ => dasm!(e.ops
                ; movaps xmm2, xmm0
                ; divss xmm2, xmm1
                ; vfnmadd231ss xmm0, xmm2, xmm1
            ),
        }
        dasm!(e.ops
            ; xorps xmm5, xmm5
            ; ucomiss xmm0, xmm5
            ; je >exact
            ; or DWORD [cpu + OFF_FPSR as i32], FPSR_IXC as i32
            ; exact:
            ; movd eax, xmm2
            ; mov QWORD [cpu + off_v(d)], rax
            ; mov QWORD [cpu + off_v(d) + 8], 0
            ; jmp >done
        );
    }
    dasm!(e.ops; slow:);
    e.call_insn_helper_vonly(helper);
    dasm!(e.ops; done:);
    true
}
