//! AdvSIMD load/store multiple and single structures (Arm ARM C4.1.4: LD1-LD4, ST1-ST4,
//! LD1R-LD4R, with and without post-index).

use super::{row, Op, Row};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum LdStSimdOp {
    /// LD1-4/ST1-4 multiple structures, no offset.
    LdStMulti,
}

use LdStSimdOp::*;

const fn r(name: &'static str, pattern: &'static str, op: LdStSimdOp) -> Row {
    row(name, pattern, Op::LdStSimd(op))
}

pub static ROWS: &[Row] = &[r("LDST_multi", "0q0011000L000000oooozznnnnnttttt", LdStMulti)];
