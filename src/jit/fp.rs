//! Translator for the `fp` rows of the decoder table (see `arch::table::fp`).

use super::emit::{Emitter, TResult, Undefined};
use crate::arch::table::FpOp;
use crate::arch::Insn;

pub fn translate(_e: &mut Emitter, _op: FpOp, _i: Insn) -> TResult {
    Err(Undefined)
}
