//! Translator for the `dp_imm` rows of the decoder table.

use super::emit::{Emitter, TResult, Undefined};
use crate::arch::table::DpImmOp;
use crate::arch::Insn;

pub fn translate(_e: &mut Emitter, _op: DpImmOp, _i: Insn) -> TResult {
    Err(Undefined)
}
