//! Data processing - immediate (Arm ARM C4.1.2, op0 = 100x).

use super::{row, Op, Row};

op_enum! {
    pub enum DpImmOp {
        Adr,
        Adrp,
        AddImm,
        AddsImm,
        SubImm,
        SubsImm,
        AndImm,
        OrrImm,
        EorImm,
        AndsImm,
        Movn,
        Movz,
        Movk,
        Sbfm,
        Bfm,
        Ubfm,
        Extr,
    }
}

use DpImmOp::*;

const fn r(name: &'static str, pattern: &'static str, op: DpImmOp) -> Row {
    row(name, pattern, Op::DpImm(op))
}

pub static ROWS: &[Row] = &[
    r("ADR", "0ii10000iiiiiiiiiiiiiiiiiiiddddd", Adr),
    r("ADRP", "1ii10000iiiiiiiiiiiiiiiiiiiddddd", Adrp),
    r("ADD_imm", "z00100010siiiiiiiiiiiinnnnnddddd", AddImm),
    r("ADDS_imm", "z01100010siiiiiiiiiiiinnnnnddddd", AddsImm),
    r("SUB_imm", "z10100010siiiiiiiiiiiinnnnnddddd", SubImm),
    r("SUBS_imm", "z11100010siiiiiiiiiiiinnnnnddddd", SubsImm),
    r("AND_imm", "z00100100Nrrrrrrssssssnnnnnddddd", AndImm),
    r("ORR_imm", "z01100100Nrrrrrrssssssnnnnnddddd", OrrImm),
    r("EOR_imm", "z10100100Nrrrrrrssssssnnnnnddddd", EorImm),
    r("ANDS_imm", "z11100100Nrrrrrrssssssnnnnnddddd", AndsImm),
    r("MOVN", "z00100101hhiiiiiiiiiiiiiiiiddddd", Movn),
    r("MOVZ", "z10100101hhiiiiiiiiiiiiiiiiddddd", Movz),
    r("MOVK", "z11100101hhiiiiiiiiiiiiiiiiddddd", Movk),
    r("SBFM", "z00100110Nrrrrrrssssssnnnnnddddd", Sbfm),
    r("BFM", "z01100110Nrrrrrrssssssnnnnnddddd", Bfm),
    r("UBFM", "z10100110Nrrrrrrssssssnnnnnddddd", Ubfm),
    r("EXTR", "z00100111N0mmmmmssssssnnnnnddddd", Extr),
];
