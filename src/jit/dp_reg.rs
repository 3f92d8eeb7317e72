//! Translator for the `dp_reg` rows of the decoder table.

use super::emit::{Emitter, TResult, Undefined};
use crate::arch::table::DpRegOp;
use crate::arch::Insn;

pub fn translate(_e: &mut Emitter, _op: DpRegOp, _i: Insn) -> TResult {
    Err(Undefined)
}
