//! Translator for the `simd` rows of the decoder table (see `arch::table::simd`).
//!
//! Every row is, for now, one out-of-line call to `helpers::simd::simd_helper` with the
//! instruction word and the `SimdOp` discriminant; inline SSE fast paths may replace rows
//! one by one later. Reserved encodings are rejected before anything is emitted.

use super::emit::{reg, Emitter, Flow, TResult, Undefined};
use crate::arch::table::SimdOp;
use crate::arch::Insn;
use crate::helpers::crypto;
use crate::helpers::simd::{simd_helper, undefined};

#[inline(always)]
pub fn translate(e: &mut Emitter, op: SimdOp, i: Insn) -> TResult {
    if undefined(op, i) {
        return Err(Undefined);
    }
    if super::simd_inline::try_emit(e, op, i) {
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
