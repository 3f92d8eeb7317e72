//! Translator for the `simd` rows of the decoder table (see `arch::table::simd`).

use super::emit::{Emitter, TResult, Undefined};
use crate::arch::table::SimdOp;
use crate::arch::Insn;

pub fn translate(_e: &mut Emitter, _op: SimdOp, _i: Insn) -> TResult {
    Err(Undefined)
}
