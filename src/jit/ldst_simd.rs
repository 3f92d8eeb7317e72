//! Translator for the `ldst_simd` rows of the decoder table (see `arch::table::ldst_simd`).

use super::emit::{Emitter, TResult, Undefined};
use crate::arch::table::LdStSimdOp;
use crate::arch::Insn;

pub fn translate(_e: &mut Emitter, _op: LdStSimdOp, _i: Insn) -> TResult {
    Err(Undefined)
}
