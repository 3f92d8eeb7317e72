//! Translator for the `simd` rows of the decoder table (see `arch::table::simd`).
//!
//! Reserved encodings are rejected before anything is emitted. Then, in this order: the
//! inline SSE/AVX forms of `simd_inline`; AES and 64-bit PMULL with AES-NI/PCLMULQDQ
//! (`crypto_inline`); the other FEAT_AES/SHA rows through `helpers::crypto`; everything else
//! one out-of-line call to `helpers::simd::simd_helper` with the instruction word and the
//! `SimdOp` discriminant.

use super::emit::{dasm, reg, Emitter, Flow, TResult, Undefined};
use crate::arch::table::SimdOp;
use crate::arch::Insn;
use crate::helpers::crypto;
use crate::helpers::simd::{simd_helper, undefined};
use dynasmrt::{dynasm, DynasmApi};

#[inline(always)]
pub fn translate(e: &mut Emitter, op: SimdOp, i: Insn) -> TResult {
    if undefined(op, i) {
        return Err(Undefined);
    }
    if super::simd_inline::try_emit(e, op, i) {
        return Ok(Flow::Continue);
    }
    if crypto_inline(e, op, i) {
        return Ok(Flow::Continue);
    }
    // FEAT_AES/SHA1/SHA256/PMULL (64-bit) rows: V registers only, in `helpers::crypto`.
    if crypto::is_crypto(op, i) {
        e.call_insn_helper_vonly(crypto::crypto_helper);
        return Ok(Flow::Continue);
    }
    e.mov_imm(reg::RSI, i.0 as u64);
    e.mov_imm(reg::RDX, op as u64);
    let f: extern "C" fn(*mut crate::cpu::CpuState, u32, u32) = simd_helper;
    // Only the general-register moves read or write X registers.
    if matches!(op, SimdOp::DupGeneral | SimdOp::InsGeneral | SimdOp::Smov | SimdOp::Umov) {
        e.call_raw(f as usize);
    } else {
        e.call_raw_vonly(f as usize);
    }
    Ok(Flow::Continue)
}

/// AESE/AESD/AESMC/AESIMC with AES-NI and PMULL/PMULL2 (64-bit elements) with PCLMULQDQ, on
/// cached V registers; false (nothing emitted) for other rows or without the host feature.
///
/// Both architectures hold FIPS-197 state byte `r + 4c` in register byte `r + 4c`, so the
/// transforms match; only the round key's place differs (Arm adds it first, x86 last):
/// - AESE = SubBytes(ShiftRows(Vd ^ Vn)) = AESENCLAST(Vd ^ Vn, 0); AESD likewise with
///   AESDECLAST;
/// - AESIMC = AESIMC;
/// - AESMC = MixColumns(Vn) = AESENC(AESDECLAST(Vn, 0), 0): AESENC applies ShiftRows and
///   SubBytes after AESDECLAST's inverses (bytewise SubBytes commutes with the row shifts),
///   leaving MixColumns.
/// - PMULL{2} Vd.1Q, Vn.1D, Vm.1D = PCLMULQDQ of the low (high for Q = 1) halves.
fn crypto_inline(e: &mut Emitter, op: SimdOp, i: Insn) -> bool {
    let f = super::features();
    let (aes, pclmul) = (f.aes, f.pclmulqdq);
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    match op {
        SimdOp::Aese | SimdOp::Aesd if aes => {
            let (xd, xn) = (e.vc_get(d), e.vc_get(n));
            dasm!(e.ops; movaps xmm0, Rx(xd); pxor xmm0, Rx(xn); pxor xmm1, xmm1);
            if op == SimdOp::Aese {
                dasm!(e.ops; aesenclast xmm0, xmm1);
            } else {
                dasm!(e.ops; aesdeclast xmm0, xmm1);
            }
        }
        SimdOp::Aesmc if aes => {
            let xn = e.vc_get(n);
            dasm!(e.ops; movaps xmm0, Rx(xn); pxor xmm1, xmm1; aesdeclast xmm0, xmm1; aesenc xmm0, xmm1);
        }
        SimdOp::Aesimc if aes => {
            let xn = e.vc_get(n);
            dasm!(e.ops; aesimc xmm0, Rx(xn));
        }
        SimdOp::Pmull if pclmul && i.size() == 3 => {
            let (xn, xm) = (e.vc_get(n), e.vc_get(m));
            dasm!(e.ops; movaps xmm0, Rx(xn));
            if i.q() {
                dasm!(e.ops; pclmulqdq xmm0, Rx(xm), 0x11);
            } else {
                dasm!(e.ops; pclmulqdq xmm0, Rx(xm), 0x00);
            }
        }
        _ => return false,
    }
    e.vc_put(d, 0, 128);
    true
}
