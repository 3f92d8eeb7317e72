//! Loads and stores of general-purpose registers, and the FP/SIMD register forms that share
//! their addressing modes (Arm ARM C4.1.4, op0 = x1x0).
//!
//! Size/opc combinations (LDRSB vs PRFM vs unallocated, B/H/S/D/Q for FP) are resolved by the
//! translator, which raises UNDEFINED for unallocated ones.

use super::{row, Op, Row};

op_enum! {
    pub enum LdStOp {
        Stxr,
        Stlxr,
        Ldxr,
        Ldaxr,
        Stxp,
        Stlxp,
        Ldxp,
        Ldaxp,
        Stlr,
        Ldar,
        /// FEAT_LRCPC: LDAPR{B,H} (load-acquire RCpc).
        Ldapr,
        LdrLit,
        LdrswLit,
        PrfmLit,
        LdrLitFp,
        Stp,
        Ldp,
        Ldpsw,
        StpFp,
        LdpFp,
        /// STUR/LDUR*, post-index, unprivileged, pre-index (imm9) - GPR.
        LdStImm9,
        LdStImm9Fp,
        /// Register offset - GPR.
        LdStReg,
        LdStRegFp,
        /// Unsigned scaled imm12 - GPR.
        LdStUimm,
        LdStUimmFp,
        /// FEAT_LSE: CAS{A}{L}{B,H} (bit 22 L = acquire, bit 15 o0 = release).
        Cas,
        /// FEAT_LSE: CASP{A}{L} (register pairs).
        Casp,
        /// FEAT_LSE atomic memory operations LD<op>{A}{L}{B,H} (bit 23 A, bit 22 R).
        Ldadd,
        Ldclr,
        Ldeor,
        Ldset,
        Ldsmax,
        Ldsmin,
        Ldumax,
        Ldumin,
        Swp,
    }
}

use LdStOp::*;

const fn r(name: &'static str, pattern: &'static str, op: LdStOp) -> Row {
    row(name, pattern, Op::LdSt(op))
}

pub static ROWS: &[Row] = &[
    r("STXR", "zz001000000sssss0uuuuunnnnnttttt", Stxr),
    r("STLXR", "zz001000000sssss1uuuuunnnnnttttt", Stlxr),
    r("LDXR", "zz001000010sssss0uuuuunnnnnttttt", Ldxr),
    r("LDAXR", "zz001000010sssss1uuuuunnnnnttttt", Ldaxr),
    r("STXP", "1z001000001sssss0uuuuunnnnnttttt", Stxp),
    r("STLXP", "1z001000001sssss1uuuuunnnnnttttt", Stlxp),
    r("LDXP", "1z001000011sssss0uuuuunnnnnttttt", Ldxp),
    r("LDAXP", "1z001000011sssss1uuuuunnnnnttttt", Ldaxp),
    r("STLR", "zz001000100sssss1uuuuunnnnnttttt", Stlr),
    r("LDAR", "zz001000110sssss1uuuuunnnnnttttt", Ldar),
    r("LDAPR", "zz11100010111111110000nnnnnttttt", Ldapr),
    r("LDR_lit", "0z011000iiiiiiiiiiiiiiiiiiittttt", LdrLit),
    r("LDRSW_lit", "10011000iiiiiiiiiiiiiiiiiiittttt", LdrswLit),
    r("PRFM_lit", "11011000iiiiiiiiiiiiiiiiiiittttt", PrfmLit),
    r("LDR_lit_fp", "zz011100iiiiiiiiiiiiiiiiiiittttt", LdrLitFp),
    r("STP", "z010100pp0iiiiiiiuuuuunnnnnttttt", Stp),
    r("LDP", "z010100pp1iiiiiiiuuuuunnnnnttttt", Ldp),
    r("LDPSW", "0110100pp1iiiiiiiuuuuunnnnnttttt", Ldpsw),
    r("STP_fp", "zz10110pp0iiiiiiiuuuuunnnnnttttt", StpFp),
    r("LDP_fp", "zz10110pp1iiiiiiiuuuuunnnnnttttt", LdpFp),
    r("LDST_imm9", "zz111000oo0iiiiiiiiimmnnnnnttttt", LdStImm9),
    r("LDST_imm9_fp", "zz111100oo0iiiiiiiiimmnnnnnttttt", LdStImm9Fp),
    r("LDST_reg", "zz111000oo1mmmmmooos10nnnnnttttt", LdStReg),
    r("LDST_reg_fp", "zz111100oo1mmmmmooos10nnnnnttttt", LdStRegFp),
    r("LDST_uimm", "zz111001ooiiiiiiiiiiiinnnnnttttt", LdStUimm),
    r("LDST_uimm_fp", "zz111101ooiiiiiiiiiiiinnnnnttttt", LdStUimmFp),
    // FEAT_LSE (Arm ARM C4.1.4 "Compare and swap" and "Atomic memory operations").
    r("CAS", "zz0010001L1sssssO11111nnnnnttttt", Cas),
    r("CASP", "0z0010000L1sssssO11111nnnnnttttt", Casp),
    r("LDADD", "zz111000ar1sssss000000nnnnnttttt", Ldadd),
    r("LDCLR", "zz111000ar1sssss000100nnnnnttttt", Ldclr),
    r("LDEOR", "zz111000ar1sssss001000nnnnnttttt", Ldeor),
    r("LDSET", "zz111000ar1sssss001100nnnnnttttt", Ldset),
    r("LDSMAX", "zz111000ar1sssss010000nnnnnttttt", Ldsmax),
    r("LDSMIN", "zz111000ar1sssss010100nnnnnttttt", Ldsmin),
    r("LDUMAX", "zz111000ar1sssss011000nnnnnttttt", Ldumax),
    r("LDUMIN", "zz111000ar1sssss011100nnnnnttttt", Ldumin),
    r("SWP", "zz111000ar1sssss100000nnnnnttttt", Swp),
];
