//! Translator for the `ldst` rows of the decoder table.

use super::emit::{Emitter, TResult, Undefined};
use crate::arch::table::LdStOp;
use crate::arch::Insn;

pub fn translate(_e: &mut Emitter, _op: LdStOp, _i: Insn) -> TResult {
    Err(Undefined)
}
