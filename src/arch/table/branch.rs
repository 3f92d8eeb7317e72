//! Branches, exception generating and system instructions (Arm ARM C4.1.3, op0 = 101x).

use super::{row, Op, Row};

op_enum! {
    pub enum BrOp {
        BCond,
        Svc,
        Brk,
        Hlt,
        Hint,
        Clrex,
        Dsb,
        Dmb,
        Isb,
        Sys,
        Msr,
        Mrs,
        Br,
        Blr,
        Ret,
        B,
        Bl,
        Cbz,
        Cbnz,
        Tbz,
        Tbnz,
    }
}

use BrOp::*;

const fn r(name: &'static str, pattern: &'static str, op: BrOp) -> Row {
    row(name, pattern, Op::Br(op))
}

pub static ROWS: &[Row] = &[
    r("B.cond", "01010100iiiiiiiiiiiiiiiiiii0cccc", BCond),
    r("SVC", "11010100000iiiiiiiiiiiiiiii00001", Svc),
    r("BRK", "11010100001iiiiiiiiiiiiiiii00000", Brk),
    r("HLT", "11010100010iiiiiiiiiiiiiiii00000", Hlt),
    // NOP, YIELD, WFE, WFI, SEV, SEVL, PAC*/AUT* (hint space), BTI, ESB, CSDB, ...
    r("HINT", "11010101000000110010mmmmooo11111", Hint),
    r("CLREX", "11010101000000110011mmmm01011111", Clrex),
    r("DSB", "11010101000000110011mmmm10011111", Dsb),
    r("DMB", "11010101000000110011mmmm10111111", Dmb),
    r("ISB", "11010101000000110011mmmm11011111", Isb),
    // SYS with op0 = 01: DC and IC maintenance operations.
    r("SYS", "1101010100001ooonnnnmmmmpppttttt", Sys),
    r("MSR_reg", "110101010001ooooooooooooooottttt", Msr),
    r("MRS", "110101010011ooooooooooooooottttt", Mrs),
    r("BR", "1101011000011111000000nnnnn00000", Br),
    r("BLR", "1101011000111111000000nnnnn00000", Blr),
    r("RET", "1101011001011111000000nnnnn00000", Ret),
    r("B", "000101iiiiiiiiiiiiiiiiiiiiiiiiii", B),
    r("BL", "100101iiiiiiiiiiiiiiiiiiiiiiiiii", Bl),
    r("CBZ", "z0110100iiiiiiiiiiiiiiiiiiittttt", Cbz),
    r("CBNZ", "z0110101iiiiiiiiiiiiiiiiiiittttt", Cbnz),
    r("TBZ", "b0110110bbbbbiiiiiiiiiiiiiittttt", Tbz),
    r("TBNZ", "b0110111bbbbbiiiiiiiiiiiiiittttt", Tbnz),
];
