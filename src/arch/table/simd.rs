//! Data processing - AdvSIMD (Arm ARM C4.1.7, op0 = x111, vector and scalar AdvSIMD classes).

use super::{row, Op, Row};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum SimdOp {
    /// DUP (general).
    DupGeneral,
}

use SimdOp::*;

const fn r(name: &'static str, pattern: &'static str, op: SimdOp) -> Row {
    row(name, pattern, Op::Simd(op))
}

pub static ROWS: &[Row] = &[r("DUP_general", "0q001110000iiiii000011nnnnnddddd", DupGeneral)];
