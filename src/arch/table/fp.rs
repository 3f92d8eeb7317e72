//! Data processing - scalar floating point (Arm ARM C4.1.7 / C4.1.96-ish classes with op0 = x111,
//! bits 30 = 0, 28:24 = 1111x): conversions between FP and integer (fixed and integer forms),
//! data-processing 1/2/3 source, compare, conditional compare, conditional select, immediate.
//!
//! Invariants: the rows fix every opcode bit the bitstring can; field values that a bitstring
//! cannot exclude (ftype = 0b10, FP16 forms with ftype = 0b11, FCVT to its own size, the
//! fixed-point `scale` of a 32-bit form, the sf/ftype pairing of FMOV (general)) are rejected by
//! `jit::fp`, which raises UNDEFINED. Scalar FP rows never overlap AdvSIMD rows (bit 28 = 1,
//! bit 30 = 0 here; AdvSIMD scalar has bit 30 = 1, vector bit 28 = 0).

use super::{row, Op, Row};

op_enum! {
    pub enum FpOp {
        // Data-processing (1 source).
        FmovReg,
        Fabs,
        Fneg,
        Fsqrt,
        Fcvt,
        Frintn,
        Frintp,
        Frintm,
        Frintz,
        Frinta,
        Frintx,
        Frinti,
        // Data-processing (2 source).
        Fmul,
        Fdiv,
        Fadd,
        Fsub,
        Fmax,
        Fmin,
        Fmaxnm,
        Fminnm,
        Fnmul,
        // Data-processing (3 source).
        Fmadd,
        Fmsub,
        Fnmadd,
        Fnmsub,
        // Compare, conditional compare, conditional select, immediate.
        Fcmp,
        Fccmp,
        Fcsel,
        FmovImm,
        // Conversions between FP and integer.
        Fcvtns,
        Fcvtnu,
        Fcvtps,
        Fcvtpu,
        Fcvtms,
        Fcvtmu,
        Fcvtzs,
        Fcvtzu,
        Fcvtas,
        Fcvtau,
        Scvtf,
        Ucvtf,
        FmovToGen,
        FmovFromGen,
        FmovToGenHi,
        FmovFromGenHi,
        // Conversions between FP and fixed point.
        ScvtfFix,
        UcvtfFix,
        FcvtzsFix,
        FcvtzuFix,
    }
}

use FpOp::*;

const fn r(name: &'static str, pattern: &'static str, op: FpOp) -> Row {
    row(name, pattern, Op::Fp(op))
}

pub static ROWS: &[Row] = &[
    // Data-processing (1 source): M 0 S 11110 ftype 1 opcode(6) 10000 Rn Rd.
    r("FMOV_reg", "00011110tt100000010000nnnnnddddd", FmovReg),
    r("FABS", "00011110tt100000110000nnnnnddddd", Fabs),
    r("FNEG", "00011110tt100001010000nnnnnddddd", Fneg),
    r("FSQRT", "00011110tt100001110000nnnnnddddd", Fsqrt),
    r("FCVT", "00011110tt10001oo10000nnnnnddddd", Fcvt),
    r("FRINTN", "00011110tt100100010000nnnnnddddd", Frintn),
    r("FRINTP", "00011110tt100100110000nnnnnddddd", Frintp),
    r("FRINTM", "00011110tt100101010000nnnnnddddd", Frintm),
    r("FRINTZ", "00011110tt100101110000nnnnnddddd", Frintz),
    r("FRINTA", "00011110tt100110010000nnnnnddddd", Frinta),
    r("FRINTX", "00011110tt100111010000nnnnnddddd", Frintx),
    r("FRINTI", "00011110tt100111110000nnnnnddddd", Frinti),
    // Data-processing (2 source): M 0 S 11110 ftype 1 Rm opcode(4) 10 Rn Rd.
    r("FMUL", "00011110tt1mmmmm000010nnnnnddddd", Fmul),
    r("FDIV", "00011110tt1mmmmm000110nnnnnddddd", Fdiv),
    r("FADD", "00011110tt1mmmmm001010nnnnnddddd", Fadd),
    r("FSUB", "00011110tt1mmmmm001110nnnnnddddd", Fsub),
    r("FMAX", "00011110tt1mmmmm010010nnnnnddddd", Fmax),
    r("FMIN", "00011110tt1mmmmm010110nnnnnddddd", Fmin),
    r("FMAXNM", "00011110tt1mmmmm011010nnnnnddddd", Fmaxnm),
    r("FMINNM", "00011110tt1mmmmm011110nnnnnddddd", Fminnm),
    r("FNMUL", "00011110tt1mmmmm100010nnnnnddddd", Fnmul),
    // Data-processing (3 source): M 0 S 11111 ftype o1 Rm o0 Ra Rn Rd.
    r("FMADD", "00011111tt0mmmmm0aaaaannnnnddddd", Fmadd),
    r("FMSUB", "00011111tt0mmmmm1aaaaannnnnddddd", Fmsub),
    r("FNMADD", "00011111tt1mmmmm0aaaaannnnnddddd", Fnmadd),
    r("FNMSUB", "00011111tt1mmmmm1aaaaannnnnddddd", Fnmsub),
    // Compare: M 0 S 11110 ftype 1 Rm op(00) 1000 Rn opcode2 (opc:000); opc = E:zero.
    r("FCMP", "00011110tt1mmmmm001000nnnnnoo000", Fcmp),
    // Conditional compare: M 0 S 11110 ftype 1 Rm cond 01 Rn op nzcv.
    r("FCCMP", "00011110tt1mmmmmcccc01nnnnnoffff", Fccmp),
    // Conditional select: M 0 S 11110 ftype 1 Rm cond 11 Rn Rd.
    r("FCSEL", "00011110tt1mmmmmcccc11nnnnnddddd", Fcsel),
    // Immediate: M 0 S 11110 ftype 1 imm8 100 imm5(00000) Rd.
    r("FMOV_imm", "00011110tt1iiiiiiii10000000ddddd", FmovImm),
    // Conversion between FP and integer: sf 0 S 11110 ftype 1 rmode opcode 000000 Rn Rd.
    r("FCVTNS", "z0011110tt100000000000nnnnnddddd", Fcvtns),
    r("FCVTNU", "z0011110tt100001000000nnnnnddddd", Fcvtnu),
    r("SCVTF", "z0011110tt100010000000nnnnnddddd", Scvtf),
    r("UCVTF", "z0011110tt100011000000nnnnnddddd", Ucvtf),
    r("FCVTAS", "z0011110tt100100000000nnnnnddddd", Fcvtas),
    r("FCVTAU", "z0011110tt100101000000nnnnnddddd", Fcvtau),
    r("FMOV_to_gen", "z0011110tt100110000000nnnnnddddd", FmovToGen),
    r("FMOV_from_gen", "z0011110tt100111000000nnnnnddddd", FmovFromGen),
    r("FCVTPS", "z0011110tt101000000000nnnnnddddd", Fcvtps),
    r("FCVTPU", "z0011110tt101001000000nnnnnddddd", Fcvtpu),
    r("FMOV_to_gen_hi", "1001111010101110000000nnnnnddddd", FmovToGenHi),
    r("FMOV_from_gen_hi", "1001111010101111000000nnnnnddddd", FmovFromGenHi),
    r("FCVTMS", "z0011110tt110000000000nnnnnddddd", Fcvtms),
    r("FCVTMU", "z0011110tt110001000000nnnnnddddd", Fcvtmu),
    r("FCVTZS", "z0011110tt111000000000nnnnnddddd", Fcvtzs),
    r("FCVTZU", "z0011110tt111001000000nnnnnddddd", Fcvtzu),
    // Conversion between FP and fixed point: sf 0 S 11110 ftype 0 rmode opcode scale Rn Rd.
    r("SCVTF_fix", "z0011110tt000010ssssssnnnnnddddd", ScvtfFix),
    r("UCVTF_fix", "z0011110tt000011ssssssnnnnnddddd", UcvtfFix),
    r("FCVTZS_fix", "z0011110tt011000ssssssnnnnnddddd", FcvtzsFix),
    r("FCVTZU_fix", "z0011110tt011001ssssssnnnnnddddd", FcvtzuFix),
];
