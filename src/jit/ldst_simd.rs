//! Translator for the `ldst_simd` rows of the decoder table (see `arch::table::ldst_simd`).
//!
//! Each row is one call to `helpers::simd::ldst::ldst_simd_helper`, which accesses guest
//! memory directly; `cpu.pc` is set first so that a host fault inside the helper names this
//! instruction. Reserved encodings are rejected before anything is emitted.

use super::emit::{Emitter, Flow, TResult, Undefined};
use crate::arch::table::LdStSimdOp;
use crate::arch::Insn;
use crate::helpers::simd::ldst::{ldst_simd_helper, undefined};

pub fn translate(e: &mut Emitter, _op: LdStSimdOp, i: Insn) -> TResult {
    if undefined(i) {
        return Err(Undefined);
    }
    e.set_pc(e.pc);
    e.call_insn_helper(ldst_simd_helper);
    Ok(Flow::Continue)
}
