//! Data processing - scalar floating point (Arm ARM C4.1.7, op0 = x111, scalar FP classes).

use super::{row, Op, Row};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum FpOp {
    /// FMOV (register) - placeholder row until the scalar FP group lands.
    FmovReg,
}

use FpOp::*;

const fn r(name: &'static str, pattern: &'static str, op: FpOp) -> Row {
    row(name, pattern, Op::Fp(op))
}

pub static ROWS: &[Row] = &[r("FMOV_reg", "00011110tt100000010000nnnnnddddd", FmovReg)];
