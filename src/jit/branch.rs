//! Translator for the `branch` rows of the decoder table.

use super::emit::{Emitter, TResult, Undefined};
use crate::arch::table::BrOp;
use crate::arch::Insn;

pub fn translate(_e: &mut Emitter, _op: BrOp, _i: Insn) -> TResult {
    Err(Undefined)
}
