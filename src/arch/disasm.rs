//! A64 disassembler in GNU objdump syntax, driven by the decoder table.
//!
//! [`disassemble`] finds the word's row with [`decode`] and formats it with one function per
//! table group file (dp_imm, branch, ldst, ldst_simd, dp_reg, fp, simd). The text is what
//! `aarch64-linux-gnu-objdump -d` prints, aliases included (mov, cmp, lsl, ubfx, cset, mvn, ...),
//! with single spaces instead of objdump's tab and without its trailing `//` comments; branch
//! and literal targets are absolute addresses (`0x400158`).
//!
//! Invariants: total and pure (no panic for any word). A word no row matches, or whose row
//! matches but whose fields are reserved in the Arm ARM (the conditions a bitstring cannot
//! express: size = 11 with Q = 0, ftype = 10, immh = 0000, ...), prints as `.inst 0x%08x`, as
//! objdump does. Only deliberate difference: system registers outside [`SYSREGS`] print in
//! the generic `s<op0>_<op1>_c<n>_c<m>_<op2>` form where objdump knows a name.

use crate::arch::pseudo::{adv_simd_expand_imm, decode_bit_masks, vfp_expand_imm};
use crate::arch::table::{BrOp, DpImmOp, DpRegOp, FpOp, LdStOp, SimdOp};
use crate::arch::{decode, Insn, Op};

/// A formatted instruction, or `None` for a reserved encoding (printed as `.inst`).
type D = Option<String>;

/// Disassemble one instruction word at `pc` (used for pc-relative targets).
pub fn disassemble(word: u32, pc: u64) -> String {
    let i = Insn(word);
    let text = decode(word).and_then(|row| match row.op {
        Op::DpImm(op) => dp_imm(op, i, pc),
        Op::Br(op) => branch(op, i, pc),
        Op::LdSt(op) => ldst(op, i, pc),
        Op::LdStSimd(_) => ldst_simd(i),
        Op::DpReg(op) => dp_reg(op, i),
        Op::Fp(op) => fp(op, i),
        Op::Simd(op) => simd(op, row.name.ends_with("_s"), i),
    });
    text.unwrap_or_else(|| format!(".inst 0x{word:08x}"))
}

// ---------------------------------------------------------------------------------------------
// Operand helpers.

/// `mnemonic op1, op2, ...`.
fn o<S: AsRef<str>>(m: &str, ops: &[S]) -> D {
    let mut s = String::from(m);
    for (k, op) in ops.iter().enumerate() {
        s.push_str(if k == 0 { " " } else { ", " });
        s.push_str(op.as_ref());
    }
    Some(s)
}

/// General register, 31 = zero register.
fn gp(n: u32, x: bool) -> String {
    match (n, x) {
        (31, true) => "xzr".into(),
        (31, false) => "wzr".into(),
        (n, true) => format!("x{n}"),
        (n, false) => format!("w{n}"),
    }
}

/// General register, 31 = stack pointer.
fn gsp(n: u32, x: bool) -> String {
    match (n, x) {
        (31, true) => "sp".into(),
        (31, false) => "wsp".into(),
        _ => gp(n, x),
    }
}

fn hex(v: u64) -> String {
    format!("#0x{v:x}")
}

fn dec(v: i64) -> String {
    format!("#{v}")
}

fn target(pc: u64, off: i64) -> String {
    format!("0x{:x}", pc.wrapping_add(off as u64))
}

const COND: [&str; 16] =
    ["eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"];

const SHIFT: [&str; 4] = ["lsl", "lsr", "asr", "ror"];

const EXTEND: [&str; 8] = ["uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"];

/// `[Xn|SP, #imm]`, or `[Xn|SP]` when the offset is 0.
fn mem_off(rn: u32, off: i64) -> String {
    if off == 0 {
        format!("[{}]", gsp(rn, true))
    } else {
        format!("[{}, #{off}]", gsp(rn, true))
    }
}

/// A floating-point immediate as objdump prints it (`%.18e` of the value as a double).
fn fp_imm(v: f64) -> String {
    if v == 0.0 {
        return "#0.0".into();
    }
    let s = format!("{v:.18e}");
    // Rust prints `1.5e0`; C prints `1.5e+00`.
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    format!("#{mant}e{}{:02}", if e < 0 { '-' } else { '+' }, e.unsigned_abs())
}

/// The 8-bit FMOV immediate, expanded to an `n`-bit float and printed.
fn fp_imm8(imm8: u32, n: u32) -> String {
    let bits = vfp_expand_imm(imm8, n);
    let v = match n {
        16 => f16_to_f64(bits as u16),
        32 => f32::from_bits(bits as u32) as f64,
        _ => f64::from_bits(bits),
    };
    fp_imm(v)
}

/// Exact conversion of a binary16 value (the FMOV immediates are all normal numbers).
fn f16_to_f64(h: u16) -> f64 {
    let sign = if h >> 15 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let frac = (h & 0x3ff) as f64;
    let mag = if exp == 0 { frac * 2f64.powi(-24) } else { (1.0 + frac / 1024.0) * 2f64.powi(exp - 15) };
    sign * mag
}

// ---------------------------------------------------------------------------------------------
// Data processing - immediate.

/// Whether objdump prints ORR (immediate) with Rn = ZR as MOV (bitmask immediate). The Arm ARM
/// uses `!MoveWidePreferred(sf, N, imms, immr)`; objdump tests the value instead: MOV unless
/// the value or its inverse is a MOVZ immediate, and always when Rd is SP (which MOVZ/MOVN
/// cannot write). We follow objdump.
fn orr_is_mov(rd: u32, value: u64, sf: bool) -> bool {
    let mask = if sf { u64::MAX } else { 0xffff_ffff };
    let wide = |v: u64| (0..4).any(|k| v & !(0xffffu64 << (16 * k)) == 0);
    rd == 31 || !(wide(value & mask) || wide(!value & mask))
}

/// `BFXPreferred(sf, uns, imms, immr)` (Arm ARM, shared/functions/integer).
fn bfx_preferred(sf: bool, uns: bool, imms: u32, immr: u32) -> bool {
    if imms < immr {
        return false;
    }
    if imms == if sf { 63 } else { 31 } {
        return false;
    }
    if immr == 0 {
        if !sf && (imms == 7 || imms == 15) {
            return false;
        }
        if sf && !uns && (imms == 7 || imms == 15 || imms == 31) {
            return false;
        }
    }
    true
}

fn dp_imm(op: DpImmOp, i: Insn, pc: u64) -> D {
    use DpImmOp::*;
    let sf = i.sf();
    let (rd, rn) = (i.rd(), i.rn());
    let (n, immr, imms) = (i.n(), i.immr(), i.imms());
    let width = if sf { 64 } else { 32 };
    match op {
        Adr | Adrp => {
            let imm = (i.sbits(23, 5) << 2) | i.bits(30, 29) as i64;
            if op == Adr {
                o("adr", &[gp(rd, true), target(pc, imm)])
            } else {
                o("adrp", &[gp(rd, true), target(pc & !0xfff, imm << 12)])
            }
        }
        AddImm | AddsImm | SubImm | SubsImm => {
            let imm = hex(i.imm12() as u64);
            let sh = i.bit(22);
            let setf = matches!(op, AddsImm | SubsImm);
            let m = match op {
                AddImm => "add",
                AddsImm => "adds",
                SubImm => "sub",
                _ => "subs",
            };
            if op == AddImm && !sh && i.imm12() == 0 && (rd == 31 || rn == 31) {
                return o("mov", &[gsp(rd, sf), gsp(rn, sf)]);
            }
            let mut ops = Vec::new();
            let alias = setf && rd == 31;
            if !alias {
                ops.push(if setf { gp(rd, sf) } else { gsp(rd, sf) });
            }
            ops.push(gsp(rn, sf));
            ops.push(imm);
            if sh {
                ops.push("lsl #12".into());
            }
            let m = match (alias, op) {
                (true, AddsImm) => "cmn",
                (true, _) => "cmp",
                _ => m,
            };
            o(m, &ops)
        }
        AndImm | OrrImm | EorImm | AndsImm => {
            if !sf && n {
                return None;
            }
            let (imm_v, _) = decode_bit_masks(n, imms, immr, true, width)?;
            let imm = hex(imm_v);
            match op {
                AndImm => o("and", &[gsp(rd, sf), gp(rn, sf), imm]),
                OrrImm if rn == 31 && orr_is_mov(rd, imm_v, sf) => o("mov", &[gsp(rd, sf), imm]),
                OrrImm => o("orr", &[gsp(rd, sf), gp(rn, sf), imm]),
                EorImm => o("eor", &[gsp(rd, sf), gp(rn, sf), imm]),
                _ if rd == 31 => o("tst", &[gp(rn, sf), imm]),
                _ => o("ands", &[gp(rd, sf), gp(rn, sf), imm]),
            }
        }
        Movn | Movz | Movk => {
            let hw = i.hw();
            if !sf && hw >= 2 {
                return None;
            }
            let imm16 = i.imm16() as u64;
            let sh = hw * 16;
            let raw = |m: &str| {
                if sh == 0 {
                    o(m, &[gp(rd, sf), hex(imm16)])
                } else {
                    o(m, &[gp(rd, sf), hex(imm16), format!("lsl #{sh}")])
                }
            };
            let mask = if sf { u64::MAX } else { 0xffff_ffff };
            match op {
                Movz if !(imm16 == 0 && hw != 0) => o("mov", &[gp(rd, sf), hex(imm16 << sh)]),
                Movn if !(imm16 == 0 && hw != 0) && (sf || imm16 != 0xffff) => {
                    o("mov", &[gp(rd, sf), hex(!(imm16 << sh) & mask)])
                }
                Movz => raw("movz"),
                Movn => raw("movn"),
                _ => raw("movk"),
            }
        }
        Sbfm | Bfm | Ubfm => {
            if sf != n || (!sf && (immr >= 32 || imms >= 32)) {
                return None;
            }
            let (d, s) = (gp(rd, sf), gp(rn, sf));
            let lsb_iz = dec(((width - immr) % width) as i64);
            let w_iz = dec(imms as i64 + 1);
            let lsb_x = dec(immr as i64);
            let w_x = dec(imms as i64 - immr as i64 + 1);
            match op {
                Sbfm => {
                    if imms == width - 1 {
                        o("asr", &[d, s, dec(immr as i64)])
                    } else if imms < immr {
                        o("sbfiz", &[d, s, lsb_iz, w_iz])
                    } else if bfx_preferred(sf, false, imms, immr) {
                        o("sbfx", &[d, s, lsb_x, w_x])
                    } else if immr == 0 && imms == 7 {
                        o("sxtb", &[d, gp(rn, false)])
                    } else if immr == 0 && imms == 15 {
                        o("sxth", &[d, gp(rn, false)])
                    } else if immr == 0 && imms == 31 {
                        o("sxtw", &[d, gp(rn, false)])
                    } else {
                        o("sbfm", &[d, s, dec(immr as i64), dec(imms as i64)])
                    }
                }
                Bfm => {
                    if imms < immr {
                        if rn == 31 {
                            o("bfc", &[d, lsb_iz, w_iz])
                        } else {
                            o("bfi", &[d, s, lsb_iz, w_iz])
                        }
                    } else {
                        o("bfxil", &[d, s, lsb_x, w_x])
                    }
                }
                _ => {
                    if imms != width - 1 && imms + 1 == immr {
                        o("lsl", &[d, s, dec((width - 1 - imms) as i64)])
                    } else if imms == width - 1 {
                        o("lsr", &[d, s, dec(immr as i64)])
                    } else if imms < immr {
                        o("ubfiz", &[d, s, lsb_iz, w_iz])
                    } else if bfx_preferred(sf, true, imms, immr) {
                        o("ubfx", &[d, s, lsb_x, w_x])
                    } else if immr == 0 && imms == 7 {
                        o("uxtb", &[d, gp(rn, false)])
                    } else if immr == 0 && imms == 15 {
                        o("uxth", &[d, gp(rn, false)])
                    } else {
                        o("ubfm", &[d, s, dec(immr as i64), dec(imms as i64)])
                    }
                }
            }
        }
        Extr => {
            if sf != n || (!sf && imms >= 32) {
                return None;
            }
            let rm = i.rm();
            if rn == rm {
                o("ror", &[gp(rd, sf), gp(rn, sf), dec(imms as i64)])
            } else {
                o("extr", &[gp(rd, sf), gp(rn, sf), gp(rm, sf), dec(imms as i64)])
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Branches, exception generation and system.

/// (op0, op1, CRn, CRm, op2).
type SysRegKey = (u32, u32, u32, u32, u32);

/// System registers by (op0, op1, CRn, CRm, op2): the ones user programs and their runtimes
/// touch, and the ID registers. Others print as `s<op0>_<op1>_c<n>_c<m>_<op2>`.
const SYSREGS: &[(SysRegKey, &str)] = &[
    ((3, 3, 4, 2, 0), "nzcv"),
    ((3, 3, 4, 2, 1), "daif"),
    ((3, 3, 4, 2, 5), "dit"),
    ((3, 3, 4, 2, 6), "ssbs"),
    ((3, 3, 4, 2, 7), "tco"),
    ((3, 3, 4, 4, 0), "fpcr"),
    ((3, 3, 4, 4, 1), "fpsr"),
    ((3, 3, 4, 5, 0), "dspsr_el0"),
    ((3, 3, 4, 5, 1), "dlr_el0"),
    ((3, 3, 13, 0, 2), "tpidr_el0"),
    ((3, 3, 13, 0, 3), "tpidrro_el0"),
    ((3, 3, 0, 0, 1), "ctr_el0"),
    ((3, 3, 0, 0, 7), "dczid_el0"),
    ((3, 3, 2, 4, 0), "rndr"),
    ((3, 3, 2, 4, 1), "rndrrs"),
    ((3, 3, 14, 0, 0), "cntfrq_el0"),
    ((3, 3, 14, 0, 1), "cntpct_el0"),
    ((3, 3, 14, 0, 2), "cntvct_el0"),
    ((3, 3, 14, 2, 0), "cntp_tval_el0"),
    ((3, 3, 14, 2, 1), "cntp_ctl_el0"),
    ((3, 3, 14, 2, 2), "cntp_cval_el0"),
    ((3, 3, 14, 3, 0), "cntv_tval_el0"),
    ((3, 3, 14, 3, 1), "cntv_ctl_el0"),
    ((3, 3, 14, 3, 2), "cntv_cval_el0"),
    ((3, 3, 9, 13, 0), "pmccntr_el0"),
    ((3, 0, 0, 0, 0), "midr_el1"),
    ((3, 0, 0, 0, 5), "mpidr_el1"),
    ((3, 0, 0, 0, 6), "revidr_el1"),
    ((3, 0, 0, 4, 0), "id_aa64pfr0_el1"),
    ((3, 0, 0, 4, 1), "id_aa64pfr1_el1"),
    ((3, 0, 0, 5, 0), "id_aa64dfr0_el1"),
    ((3, 0, 0, 5, 1), "id_aa64dfr1_el1"),
    ((3, 0, 0, 5, 4), "id_aa64afr0_el1"),
    ((3, 0, 0, 5, 5), "id_aa64afr1_el1"),
    ((3, 0, 0, 6, 0), "id_aa64isar0_el1"),
    ((3, 0, 0, 6, 1), "id_aa64isar1_el1"),
    ((3, 0, 0, 7, 0), "id_aa64mmfr0_el1"),
    ((3, 0, 0, 7, 1), "id_aa64mmfr1_el1"),
    ((3, 0, 0, 7, 2), "id_aa64mmfr2_el1"),
    ((3, 0, 4, 1, 0), "sp_el0"),
    ((3, 0, 4, 2, 0), "spsel"),
    ((3, 0, 4, 2, 2), "currentel"),
    ((3, 0, 4, 2, 3), "pan"),
    ((3, 0, 4, 2, 4), "uao"),
    ((3, 0, 4, 0, 0), "spsr_el1"),
    ((3, 0, 4, 0, 1), "elr_el1"),
    ((3, 0, 1, 0, 0), "sctlr_el1"),
    ((3, 0, 1, 0, 2), "cpacr_el1"),
    ((3, 0, 2, 0, 0), "ttbr0_el1"),
    ((3, 0, 2, 0, 1), "ttbr1_el1"),
    ((3, 0, 2, 0, 2), "tcr_el1"),
    ((3, 0, 5, 2, 0), "esr_el1"),
    ((3, 0, 6, 0, 0), "far_el1"),
    ((3, 0, 10, 2, 0), "mair_el1"),
    ((3, 0, 12, 0, 0), "vbar_el1"),
    ((3, 0, 13, 0, 1), "contextidr_el1"),
    ((3, 0, 13, 0, 4), "tpidr_el1"),
];

fn sysreg(i: Insn) -> String {
    let key = (2 + i.bits(19, 19), i.bits(18, 16), i.bits(15, 12), i.bits(11, 8), i.bits(7, 5));
    match SYSREGS.iter().find(|(k, _)| *k == key) {
        Some((_, name)) => (*name).into(),
        None => format!("s{}_{}_c{}_c{}_{}", key.0, key.1, key.2, key.3, key.4),
    }
}

/// (op1, CRn, CRm, op2).
type SysOpKey = (u32, u32, u32, u32);

/// SYS aliases by (op1, CRn, CRm, op2): mnemonic, operation, whether it takes a register.
const SYS_OPS: &[(SysOpKey, &str, &str, bool)] = &[
    ((0, 7, 1, 0), "ic", "ialluis", false),
    ((0, 7, 5, 0), "ic", "iallu", false),
    ((3, 7, 5, 1), "ic", "ivau", true),
    ((0, 7, 6, 1), "dc", "ivac", true),
    ((0, 7, 6, 2), "dc", "isw", true),
    ((0, 7, 10, 2), "dc", "csw", true),
    ((0, 7, 14, 2), "dc", "cisw", true),
    ((3, 7, 4, 1), "dc", "zva", true),
    ((3, 7, 10, 1), "dc", "cvac", true),
    ((3, 7, 11, 1), "dc", "cvau", true),
    ((3, 7, 12, 1), "dc", "cvap", true),
    ((3, 7, 13, 1), "dc", "cvadp", true),
    ((3, 7, 14, 1), "dc", "civac", true),
    ((0, 7, 6, 3), "dc", "igvac", true),
    ((0, 7, 6, 4), "dc", "igsw", true),
    ((0, 7, 6, 5), "dc", "igdvac", true),
    ((0, 7, 6, 6), "dc", "igdsw", true),
    ((0, 7, 10, 4), "dc", "cgsw", true),
    ((0, 7, 10, 6), "dc", "cgdsw", true),
    ((0, 7, 14, 4), "dc", "cigsw", true),
    ((0, 7, 14, 6), "dc", "cigdsw", true),
    ((3, 7, 4, 3), "dc", "gva", true),
    ((3, 7, 4, 4), "dc", "gzva", true),
    ((3, 7, 10, 3), "dc", "cgvac", true),
    ((3, 7, 10, 5), "dc", "cgdvac", true),
    ((3, 7, 12, 3), "dc", "cgvap", true),
    ((3, 7, 12, 5), "dc", "cgdvap", true),
    ((3, 7, 13, 3), "dc", "cgvadp", true),
    ((3, 7, 13, 5), "dc", "cgdvadp", true),
    ((3, 7, 14, 3), "dc", "cigvac", true),
    ((3, 7, 14, 5), "dc", "cigdvac", true),
    ((6, 7, 14, 1), "dc", "cipapa", true),
    ((6, 7, 14, 5), "dc", "cigdpapa", true),
    ((0, 7, 8, 0), "at", "s1e1r", true),
    ((0, 7, 8, 1), "at", "s1e1w", true),
    ((0, 7, 8, 2), "at", "s1e0r", true),
    ((0, 7, 8, 3), "at", "s1e0w", true),
    ((0, 7, 9, 0), "at", "s1e1rp", true),
    ((0, 7, 9, 1), "at", "s1e1wp", true),
    ((4, 7, 8, 0), "at", "s1e2r", true),
    ((4, 7, 8, 1), "at", "s1e2w", true),
    ((4, 7, 8, 4), "at", "s12e1r", true),
    ((4, 7, 8, 5), "at", "s12e1w", true),
    ((4, 7, 8, 6), "at", "s12e0r", true),
    ((4, 7, 8, 7), "at", "s12e0w", true),
    ((6, 7, 8, 0), "at", "s1e3r", true),
    ((6, 7, 8, 1), "at", "s1e3w", true),
    ((3, 7, 3, 4), "cfp", "rctx", true),
    ((3, 7, 3, 5), "dvp", "rctx", true),
    ((3, 7, 3, 7), "cpp", "rctx", true),
    ((0, 8, 3, 0), "tlbi", "vmalle1is", false),
    ((0, 8, 3, 1), "tlbi", "vae1is", true),
    ((0, 8, 3, 2), "tlbi", "aside1is", true),
    ((0, 8, 3, 3), "tlbi", "vaae1is", true),
    ((0, 8, 3, 5), "tlbi", "vale1is", true),
    ((0, 8, 3, 7), "tlbi", "vaale1is", true),
    ((0, 8, 7, 0), "tlbi", "vmalle1", false),
    ((0, 8, 7, 1), "tlbi", "vae1", true),
    ((0, 8, 7, 2), "tlbi", "aside1", true),
    ((0, 8, 7, 3), "tlbi", "vaae1", true),
    ((0, 8, 7, 5), "tlbi", "vale1", true),
    ((0, 8, 7, 7), "tlbi", "vaale1", true),
    ((4, 8, 0, 1), "tlbi", "ipas2e1is", true),
    ((4, 8, 0, 5), "tlbi", "ipas2le1is", true),
    ((4, 8, 3, 0), "tlbi", "alle2is", false),
    ((4, 8, 3, 1), "tlbi", "vae2is", true),
    ((4, 8, 3, 4), "tlbi", "alle1is", false),
    ((4, 8, 3, 5), "tlbi", "vale2is", true),
    ((4, 8, 3, 6), "tlbi", "vmalls12e1is", false),
    ((4, 8, 4, 1), "tlbi", "ipas2e1", true),
    ((4, 8, 4, 5), "tlbi", "ipas2le1", true),
    ((4, 8, 7, 0), "tlbi", "alle2", false),
    ((4, 8, 7, 1), "tlbi", "vae2", true),
    ((4, 8, 7, 4), "tlbi", "alle1", false),
    ((4, 8, 7, 5), "tlbi", "vale2", true),
    ((4, 8, 7, 6), "tlbi", "vmalls12e1", false),
    ((6, 8, 3, 0), "tlbi", "alle3is", false),
    ((6, 8, 3, 1), "tlbi", "vae3is", true),
    ((6, 8, 3, 5), "tlbi", "vale3is", true),
    ((6, 8, 7, 0), "tlbi", "alle3", false),
    ((6, 8, 7, 1), "tlbi", "vae3", true),
    ((6, 8, 7, 5), "tlbi", "vale3", true),
    // FEAT_TLBIOS and FEAT_TLBIRANGE.
    ((0, 8, 1, 0), "tlbi", "vmalle1os", false),
    ((0, 8, 1, 1), "tlbi", "vae1os", true),
    ((0, 8, 1, 2), "tlbi", "aside1os", true),
    ((0, 8, 1, 3), "tlbi", "vaae1os", true),
    ((0, 8, 1, 5), "tlbi", "vale1os", true),
    ((0, 8, 1, 7), "tlbi", "vaale1os", true),
    ((0, 8, 2, 1), "tlbi", "rvae1is", true),
    ((0, 8, 2, 3), "tlbi", "rvaae1is", true),
    ((0, 8, 2, 5), "tlbi", "rvale1is", true),
    ((0, 8, 2, 7), "tlbi", "rvaale1is", true),
    ((0, 8, 5, 1), "tlbi", "rvae1os", true),
    ((0, 8, 5, 3), "tlbi", "rvaae1os", true),
    ((0, 8, 5, 5), "tlbi", "rvale1os", true),
    ((0, 8, 5, 7), "tlbi", "rvaale1os", true),
    ((0, 8, 6, 1), "tlbi", "rvae1", true),
    ((0, 8, 6, 3), "tlbi", "rvaae1", true),
    ((0, 8, 6, 5), "tlbi", "rvale1", true),
    ((0, 8, 6, 7), "tlbi", "rvaale1", true),
    ((4, 8, 0, 2), "tlbi", "ripas2e1is", true),
    ((4, 8, 0, 6), "tlbi", "ripas2le1is", true),
    ((4, 8, 1, 0), "tlbi", "alle2os", false),
    ((4, 8, 1, 1), "tlbi", "vae2os", true),
    ((4, 8, 1, 4), "tlbi", "alle1os", false),
    ((4, 8, 1, 5), "tlbi", "vale2os", true),
    ((4, 8, 1, 6), "tlbi", "vmalls12e1os", false),
    ((4, 8, 2, 1), "tlbi", "rvae2is", true),
    ((4, 8, 2, 5), "tlbi", "rvale2is", true),
    ((4, 8, 4, 0), "tlbi", "ipas2e1os", true),
    ((4, 8, 4, 2), "tlbi", "ripas2e1", true),
    ((4, 8, 4, 3), "tlbi", "ripas2e1os", true),
    ((4, 8, 4, 4), "tlbi", "ipas2le1os", true),
    ((4, 8, 4, 6), "tlbi", "ripas2le1", true),
    ((4, 8, 4, 7), "tlbi", "ripas2le1os", true),
    ((4, 8, 5, 1), "tlbi", "rvae2os", true),
    ((4, 8, 5, 5), "tlbi", "rvale2os", true),
    ((4, 8, 6, 1), "tlbi", "rvae2", true),
    ((4, 8, 6, 5), "tlbi", "rvale2", true),
    ((6, 8, 1, 0), "tlbi", "alle3os", false),
    ((6, 8, 1, 1), "tlbi", "vae3os", true),
    ((6, 8, 1, 5), "tlbi", "vale3os", true),
    ((6, 8, 2, 1), "tlbi", "rvae3is", true),
    ((6, 8, 2, 5), "tlbi", "rvale3is", true),
    ((6, 8, 5, 1), "tlbi", "rvae3os", true),
    ((6, 8, 5, 5), "tlbi", "rvale3os", true),
    ((6, 8, 6, 1), "tlbi", "rvae3", true),
    ((6, 8, 6, 5), "tlbi", "rvale3", true),
];

/// Hint names by CRm:op2.
fn hint_name(imm: u32) -> Option<&'static str> {
    Some(match imm {
        0 => "nop",
        1 => "yield",
        2 => "wfe",
        3 => "wfi",
        4 => "sev",
        5 => "sevl",
        7 => "xpaclri",
        8 => "pacia1716",
        10 => "pacib1716",
        12 => "autia1716",
        14 => "autib1716",
        16 => "esb",
        17 => "psb csync",
        18 => "tsb csync",
        20 => "csdb",
        22 => "clearbhb",
        24 => "paciaz",
        25 => "paciasp",
        26 => "pacibz",
        27 => "pacibsp",
        28 => "autiaz",
        29 => "autiasp",
        30 => "autibz",
        31 => "autibsp",
        32 => "bti",
        34 => "bti c",
        36 => "bti j",
        38 => "bti jc",
        _ => return None,
    })
}

/// DMB/DSB option names by CRm.
const BARRIER: [&str; 16] =
    ["", "oshld", "oshst", "osh", "", "nshld", "nshst", "nsh", "", "ishld", "ishst", "ish", "", "ld", "st", "sy"];

fn branch(op: BrOp, i: Insn, pc: u64) -> D {
    use BrOp::*;
    let crm = i.bits(11, 8);
    match op {
        BCond => o(&format!("b.{}", COND[i.cond_lo() as usize]), &[target(pc, i.imm19() << 2)]),
        Svc => o("svc", &[hex(i.imm16() as u64)]),
        Brk => o("brk", &[hex(i.imm16() as u64)]),
        Hlt => o("hlt", &[hex(i.imm16() as u64)]),
        Hint => {
            let imm = i.bits(11, 5);
            match hint_name(imm) {
                Some(name) => Some(name.into()),
                None => o("hint", &[hex(imm as u64)]),
            }
        }
        Clrex if crm == 15 => Some("clrex".into()),
        Clrex => o("clrex", &[hex(crm as u64)]),
        Dsb if crm == 0 => Some("ssbb".into()),
        Dsb if crm == 4 => Some("pssbb".into()),
        Dsb | Dmb => {
            let m = if op == Dsb { "dsb" } else { "dmb" };
            match BARRIER[crm as usize] {
                "" => o(m, &[format!("#0x{crm:02x}")]),
                name => o(m, &[name]),
            }
        }
        Isb if crm == 15 => Some("isb".into()),
        Isb => o("isb", &[hex(crm as u64)]),
        Sys => {
            let key = (i.bits(18, 16), i.bits(15, 12), crm, i.bits(7, 5));
            let rt = i.rt();
            if let Some((_, m, name, reg)) = SYS_OPS.iter().find(|e| e.0 == key) {
                if *reg {
                    return o(m, &[(*name).to_string(), gp(rt, true)]);
                }
                // Operations without a register ignore Rt, as objdump does.
                return o(m, &[name]);
            }
            let mut ops = vec![dec(key.0 as i64), format!("C{}", key.1), format!("C{}", key.2), dec(key.3 as i64)];
            if rt != 31 {
                ops.push(gp(rt, true));
            }
            o("sys", &ops)
        }
        Msr => o("msr", &[sysreg(i), gp(i.rt(), true)]),
        Mrs => o("mrs", &[gp(i.rt(), true), sysreg(i)]),
        Br => o("br", &[gp(i.rn(), true)]),
        Blr => o("blr", &[gp(i.rn(), true)]),
        Ret if i.rn() == 30 => Some("ret".into()),
        Ret => o("ret", &[gp(i.rn(), true)]),
        B => o("b", &[target(pc, i.imm26() << 2)]),
        Bl => o("bl", &[target(pc, i.imm26() << 2)]),
        Cbz | Cbnz => {
            let m = if op == Cbz { "cbz" } else { "cbnz" };
            o(m, &[gp(i.rt(), i.sf()), target(pc, i.imm19() << 2)])
        }
        Tbz | Tbnz => {
            let m = if op == Tbz { "tbz" } else { "tbnz" };
            let b = (i.bits(31, 31) << 5) | i.bits(23, 19);
            o(m, &[gp(i.rt(), i.sf()), dec(b as i64), target(pc, i.imm14() << 2)])
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Loads and stores.

/// GPR load/store by size:opc: (mnemonic, X register, log2 of the access size); PRFM is
/// `("prfm", true, 3)`.
fn ldst_gpr(size: u32, opc: u32) -> Option<(&'static str, bool, u32)> {
    Some(match (size, opc) {
        (0, 0) => ("strb", false, 0),
        (0, 1) => ("ldrb", false, 0),
        (0, 2) => ("ldrsb", true, 0),
        (0, 3) => ("ldrsb", false, 0),
        (1, 0) => ("strh", false, 1),
        (1, 1) => ("ldrh", false, 1),
        (1, 2) => ("ldrsh", true, 1),
        (1, 3) => ("ldrsh", false, 1),
        (2, 0) => ("str", false, 2),
        (2, 1) => ("ldr", false, 2),
        (2, 2) => ("ldrsw", true, 2),
        (3, 0) => ("str", true, 3),
        (3, 1) => ("ldr", true, 3),
        (3, 2) => ("prfm", true, 3),
        _ => return None,
    })
}

/// FP/SIMD load/store by size:opc: (mnemonic, register letter, log2 of the access size).
fn ldst_fp(size: u32, opc: u32) -> Option<(&'static str, char, u32)> {
    let m = if opc & 1 != 0 { "ldr" } else { "str" };
    if opc & 2 != 0 {
        return if size == 0 { Some((m, 'q', 4)) } else { None };
    }
    Some((m, ['b', 'h', 's', 'd'][size as usize], size))
}

/// PRFM operation names by Rt (type:target:policy), or `#0x%02x`.
fn prfop(rt: u32) -> String {
    let ty = rt >> 3;
    let tgt = (rt >> 1) & 3;
    if ty == 3 || tgt == 3 {
        return format!("#0x{rt:02x}");
    }
    format!("{}l{}{}", ["pld", "pli", "pst"][ty as usize], tgt + 1, if rt & 1 != 0 { "strm" } else { "keep" })
}

/// `ldr` -> `ldur`/`ldtr`, `strb` -> `sturb`/`sttrb`, `prfm` -> `prfum`.
fn unscaled(m: &str, infix: char) -> String {
    if m == "prfm" {
        return "prfum".into();
    }
    format!("{}{infix}{}", &m[..2], &m[2..])
}

fn ldst(op: LdStOp, i: Insn, pc: u64) -> D {
    use LdStOp::*;
    let (rt, rn, rt2, rs) = (i.rt(), i.rn(), i.rt2(), i.rs());
    let size = i.ls_size();
    let base = format!("[{}]", gsp(rn, true));
    match op {
        Cas => {
            let m = format!(
                "cas{}{}{}",
                if i.bit(22) { "a" } else { "" },
                if i.bit(15) { "l" } else { "" },
                ["b", "h", "", ""][size as usize]
            );
            o(&m, &[gp(rs, size == 3), gp(rt, size == 3), base])
        }
        Casp => {
            if rs & 1 == 1 || rt & 1 == 1 {
                return None;
            }
            let x = i.bit(30);
            let m = format!("casp{}{}", if i.bit(22) { "a" } else { "" }, if i.bit(15) { "l" } else { "" });
            o(&m, &[gp(rs, x), gp(rs + 1, x), gp(rt, x), gp(rt + 1, x), base])
        }
        Ldadd | Ldclr | Ldeor | Ldset | Ldsmax | Ldsmin | Ldumax | Ldumin | Swp => {
            let name = match op {
                Ldadd => "add",
                Ldclr => "clr",
                Ldeor => "eor",
                Ldset => "set",
                Ldsmax => "smax",
                Ldsmin => "smin",
                Ldumax => "umax",
                Ldumin => "umin",
                _ => "swp",
            };
            let (a, r) = (i.bit(23), i.bit(22));
            let sfx = ["b", "h", "", ""][size as usize];
            let x = size == 3;
            if op != Swp && rt == 31 && !a {
                // ST<op>{L}: the load result discarded.
                let m = format!("st{name}{}{sfx}", if r { "l" } else { "" });
                return o(&m, &[gp(rs, x), base]);
            }
            let m = format!(
                "{}{name}{}{}{sfx}",
                if op == Swp { "" } else { "ld" },
                if a { "a" } else { "" },
                if r { "l" } else { "" }
            );
            o(&m, &[gp(rs, x), gp(rt, x), base])
        }
        Ldapr => {
            let sfx = ["b", "h", "", ""][size as usize];
            o(&format!("ldapr{sfx}"), &[gp(rt, size == 3), base])
        }
        Stxr | Stlxr | Ldxr | Ldaxr | Stlr | Ldar => {
            // objdump requires Rt2 = 11111 and Rs = 11111 (LDARH) or Rs<3:0> = 1111 (LDARB,
            // LDAR): its masks for the neighbouring LRCPC encodings.
            let rs_ok = if size == 1 { rs == 31 } else { rs & 0xf == 0xf };
            if op == Ldar && (!rs_ok || rt2 != 31) {
                return None;
            }
            let sfx = ["b", "h", "", ""][size as usize];
            let m = match op {
                Stxr => "stxr",
                Stlxr => "stlxr",
                Ldxr => "ldxr",
                Ldaxr => "ldaxr",
                Stlr => "stlr",
                _ => "ldar",
            };
            let m = format!("{m}{sfx}");
            let t = gp(rt, size == 3);
            if matches!(op, Stxr | Stlxr) {
                o(&m, &[gp(rs, false), t, base])
            } else {
                o(&m, &[t, base])
            }
        }
        Stxp | Stlxp | Ldxp | Ldaxp => {
            let x = size == 3;
            let (t, t2) = (gp(rt, x), gp(rt2, x));
            match op {
                Stxp => o("stxp", &[gp(rs, false), t, t2, base]),
                Stlxp => o("stlxp", &[gp(rs, false), t, t2, base]),
                Ldxp => o("ldxp", &[t, t2, base]),
                _ => o("ldaxp", &[t, t2, base]),
            }
        }
        LdrLit => o("ldr", &[gp(rt, i.bit(30)), target(pc, i.imm19() << 2)]),
        LdrswLit => o("ldrsw", &[gp(rt, true), target(pc, i.imm19() << 2)]),
        PrfmLit => o("prfm", &[prfop(rt), target(pc, i.imm19() << 2)]),
        LdrLitFp => {
            let r = ['s', 'd', 'q'].get(size as usize)?;
            o("ldr", &[format!("{r}{rt}"), target(pc, i.imm19() << 2)])
        }
        Stp | Ldp | Ldpsw | StpFp | LdpFp => {
            let idx = i.bits(24, 23);
            let (m, r, scale) = match op {
                Stp | Ldp => {
                    let x = i.bit(31);
                    let nt = if op == Stp { ["stnp", "stp"] } else { ["ldnp", "ldp"] };
                    (nt[(idx != 0) as usize], if x { 'x' } else { 'w' }, if x { 3 } else { 2 })
                }
                Ldpsw => {
                    // CONSTRAINED UNPREDICTABLE forms objdump rejects.
                    if idx == 0 || rt == rt2 || (idx & 1 == 1 && rn != 31 && (rn == rt || rn == rt2)) {
                        return None;
                    }
                    ("ldpsw", 'x', 2)
                }
                _ => {
                    if size == 3 {
                        return None;
                    }
                    let nt = if op == StpFp { ["stnp", "stp"] } else { ["ldnp", "ldp"] };
                    (nt[(idx != 0) as usize], ['s', 'd', 'q'][size as usize], size + 2)
                }
            };
            let reg = |n: u32| {
                if r == 'x' || r == 'w' {
                    gp(n, r == 'x')
                } else {
                    format!("{r}{n}")
                }
            };
            let off = i.imm7() << scale;
            let addr = match idx {
                1 => format!("[{}], #{off}", gsp(rn, true)),
                3 => format!("[{}, #{off}]!", gsp(rn, true)),
                _ => mem_off(rn, off),
            };
            o(m, &[reg(rt), reg(rt2), addr])
        }
        LdStImm9 | LdStImm9Fp => {
            let opc = i.bits(23, 22);
            let mode = i.bits(11, 10);
            let (m, t) = if op == LdStImm9 {
                let (m, x, _) = ldst_gpr(size, opc)?;
                if m == "prfm" && mode != 0 {
                    return None;
                }
                (m, if m == "prfm" { prfop(rt) } else { gp(rt, x) })
            } else {
                if mode == 2 {
                    return None;
                }
                let (m, r, _) = ldst_fp(size, opc)?;
                (m, format!("{r}{rt}"))
            };
            let off = i.imm9();
            match mode {
                0 => o(&unscaled(m, 'u'), &[t, mem_off(rn, off)]),
                1 => o(m, &[t, format!("[{}], #{off}", gsp(rn, true))]),
                2 => o(&unscaled(m, 't'), &[t, mem_off(rn, off)]),
                _ => o(m, &[t, format!("[{}, #{off}]!", gsp(rn, true))]),
            }
        }
        LdStReg | LdStRegFp => {
            let opc = i.bits(23, 22);
            let (m, t, scale) = if op == LdStReg {
                let (m, x, scale) = ldst_gpr(size, opc)?;
                (m, if m == "prfm" { prfop(rt) } else { gp(rt, x) }, scale)
            } else {
                let (m, r, scale) = ldst_fp(size, opc)?;
                (m, format!("{r}{rt}"), scale)
            };
            let option = i.option();
            if option & 2 == 0 {
                return None;
            }
            let s = i.bit(12);
            let rm = gp(i.rm(), option & 1 != 0);
            let amount = if s { scale } else { 0 };
            let ext = match (option, s) {
                (3, false) => String::new(),
                (3, true) => format!(", lsl #{amount}"),
                (_, false) => format!(", {}", EXTEND[option as usize]),
                (_, true) => format!(", {} #{amount}", EXTEND[option as usize]),
            };
            o(m, &[t, format!("[{}, {rm}{ext}]", gsp(rn, true))])
        }
        LdStUimm | LdStUimmFp => {
            let opc = i.bits(23, 22);
            let (m, t, scale) = if op == LdStUimm {
                let (m, x, scale) = ldst_gpr(size, opc)?;
                (m, if m == "prfm" { prfop(rt) } else { gp(rt, x) }, scale)
            } else {
                let (m, r, scale) = ldst_fp(size, opc)?;
                (m, format!("{r}{rt}"), scale)
            };
            o(m, &[t, mem_off(rn, (i.imm12() as i64) << scale)])
        }
    }
}

/// AdvSIMD arrangement by size (0..=3) and Q.
fn arr(size: u32, q: bool) -> &'static str {
    ["8b", "16b", "4h", "8h", "2s", "4s", "1d", "2d"][(size * 2 + q as u32) as usize & 7]
}

/// Element letter by size.
fn elt(size: u32) -> char {
    ['b', 'h', 's', 'd', 'q'][(size as usize).min(4)]
}

/// A register list `{v1.4s, v2.4s}`, or `{v1.4s-v3.4s}` for three or four registers.
fn vlist(first: u32, count: u32, suffix: &str) -> String {
    if count <= 2 || first + count > 32 {
        let regs: Vec<String> = (0..count).map(|k| format!("v{}.{suffix}", (first + k) % 32)).collect();
        format!("{{{}}}", regs.join(", "))
    } else {
        format!("{{v{first}.{suffix}-v{}.{suffix}}}", (first + count - 1) % 32)
    }
}

/// LD1-LD4 / ST1-ST4 (multiple structures, single structure, replicate).
fn ldst_simd(i: Insn) -> D {
    let (rt, rn, rm) = (i.rt(), i.rn(), i.rm());
    let q = i.q();
    let load = i.bit(22);
    let post = i.bit(23);
    let opcode = i.bits(15, 12);
    let size = i.bits(11, 10);
    let base = format!("[{}]", gsp(rn, true));
    let (m, list, bytes) = if !i.bit(24) {
        // Multiple structures.
        let (n, regs) = match opcode {
            0 => (4, 4),
            2 => (1, 4),
            4 => (3, 3),
            6 => (1, 3),
            7 => (1, 1),
            8 => (2, 2),
            10 => (1, 2),
            _ => return None,
        };
        if n > 1 && size == 3 && !q {
            return None;
        }
        let m = format!("{}{n}", if load { "ld" } else { "st" });
        (m, vlist(rt, regs, arr(size, q)), regs * if q { 16 } else { 8 })
    } else {
        let r = i.bit(21);
        let s = i.bit(12);
        let n = ((opcode >> 1) & 1) * 2 + r as u32 + 1;
        let m = format!("{}{n}", if load { "ld" } else { "st" });
        match opcode >> 2 {
            3 => {
                // Replicate.
                if s {
                    return None;
                }
                (format!("{m}r"), vlist(rt, n, arr(size, q)), n << size)
            }
            0 => {
                let index = (q as u32) << 3 | (s as u32) << 2 | size;
                (m, format!("{}[{index}]", vlist(rt, n, "b")), n)
            }
            1 => {
                let index = (q as u32) << 2 | (s as u32) << 1 | size >> 1;
                (m, format!("{}[{index}]", vlist(rt, n, "h")), n * 2)
            }
            _ if size == 0 => {
                let index = (q as u32) << 1 | s as u32;
                (m, format!("{}[{index}]", vlist(rt, n, "s")), n * 4)
            }
            _ => (m, format!("{}[{}]", vlist(rt, n, "d"), q as u32), n * 8),
        }
    };
    if !post {
        o(&m, &[list, base])
    } else if rm == 31 {
        o(&m, &[list, base, format!("#{bytes}")])
    } else {
        o(&m, &[list, base, gp(rm, true)])
    }
}

// ---------------------------------------------------------------------------------------------
// Data processing - register.

fn dp_reg(op: DpRegOp, i: Insn) -> D {
    use DpRegOp::*;
    let sf = i.sf();
    let (rd, rn, rm, ra) = (i.rd(), i.rn(), i.rm(), i.ra());
    let (d, n, mr) = (gp(rd, sf), gp(rn, sf), gp(rm, sf));
    let cond = i.cond_hi();
    match op {
        And | Bic | Orr | Orn | Eor | Eon | Ands | Bics | AddShifted | AddsShifted | SubShifted | SubsShifted => {
            let shift = i.shift();
            let amount = i.imm6();
            if !sf && amount >= 32 {
                return None;
            }
            let arith = matches!(op, AddShifted | AddsShifted | SubShifted | SubsShifted);
            if arith && shift == 3 {
                return None;
            }
            let sh =
                if shift == 0 && amount == 0 { None } else { Some(format!("{} #{amount}", SHIFT[shift as usize])) };
            let with = |mut ops: Vec<String>| {
                ops.extend(sh.clone());
                ops
            };
            match op {
                Orr if rn == 31 && shift == 0 && amount == 0 => o("mov", &[d, mr]),
                Orn if rn == 31 => o("mvn", &with(vec![d, mr])),
                Ands if rd == 31 => o("tst", &with(vec![n, mr])),
                AddsShifted if rd == 31 => o("cmn", &with(vec![n, mr])),
                SubsShifted if rd == 31 => o("cmp", &with(vec![n, mr])),
                SubShifted if rn == 31 => o("neg", &with(vec![d, mr])),
                SubsShifted if rn == 31 => o("negs", &with(vec![d, mr])),
                _ => {
                    let m = match op {
                        And => "and",
                        Bic => "bic",
                        Orr => "orr",
                        Orn => "orn",
                        Eor => "eor",
                        Eon => "eon",
                        Ands => "ands",
                        Bics => "bics",
                        AddShifted => "add",
                        AddsShifted => "adds",
                        SubShifted => "sub",
                        _ => "subs",
                    };
                    o(m, &with(vec![d, n, mr]))
                }
            }
        }
        AddExt | AddsExt | SubExt | SubsExt => {
            let option = i.option();
            let imm3 = i.imm3();
            if imm3 > 4 || i.shift() != 0 {
                return None;
            }
            let setf = matches!(op, AddsExt | SubsExt);
            let rdn = if setf { gp(rd, sf) } else { gsp(rd, sf) };
            let rnn = gsp(rn, sf);
            let rmn = gp(rm, sf && option & 3 == 3);
            let uses_sp = (!setf && rd == 31) || rn == 31;
            let lsl_opt = if sf { 3 } else { 2 };
            let ext = if uses_sp && option == lsl_opt {
                if imm3 == 0 {
                    None
                } else {
                    Some(format!("lsl #{imm3}"))
                }
            } else if imm3 == 0 {
                Some(EXTEND[option as usize].to_string())
            } else {
                Some(format!("{} #{imm3}", EXTEND[option as usize]))
            };
            let mut ops = if setf && rd == 31 { vec![rnn, rmn] } else { vec![rdn, rnn, rmn] };
            ops.extend(ext);
            let m = match (op, setf && rd == 31) {
                (AddsExt, true) => "cmn",
                (SubsExt, true) => "cmp",
                (AddExt, _) => "add",
                (AddsExt, _) => "adds",
                (SubExt, _) => "sub",
                _ => "subs",
            };
            o(m, &ops)
        }
        Adc => o("adc", &[d, n, mr]),
        Adcs => o("adcs", &[d, n, mr]),
        Sbc if rn == 31 => o("ngc", &[d, mr]),
        Sbc => o("sbc", &[d, n, mr]),
        Sbcs if rn == 31 => o("ngcs", &[d, mr]),
        Sbcs => o("sbcs", &[d, n, mr]),
        CcmnReg | CcmpReg | CcmnImm | CcmpImm => {
            let m = if matches!(op, CcmnReg | CcmnImm) { "ccmn" } else { "ccmp" };
            let second = if matches!(op, CcmnImm | CcmpImm) { hex(rm as u64) } else { mr };
            o(m, &[n, second, hex(i.bits(3, 0) as u64), COND[cond as usize].into()])
        }
        Csel | Csinc | Csinv | Csneg => {
            let inv = COND[(cond ^ 1) as usize].to_string();
            let alias_ok = cond < 14;
            match op {
                Csinc if alias_ok && rm == 31 && rn == 31 => o("cset", &[d, inv]),
                Csinv if alias_ok && rm == 31 && rn == 31 => o("csetm", &[d, inv]),
                Csinc if alias_ok && rm == rn && rn != 31 => o("cinc", &[d, n, inv]),
                Csinv if alias_ok && rm == rn && rn != 31 => o("cinv", &[d, n, inv]),
                Csneg if alias_ok && rm == rn => o("cneg", &[d, n, inv]),
                _ => {
                    let m = match op {
                        Csel => "csel",
                        Csinc => "csinc",
                        Csinv => "csinv",
                        _ => "csneg",
                    };
                    o(m, &[d, n, mr, COND[cond as usize].into()])
                }
            }
        }
        Udiv => o("udiv", &[d, n, mr]),
        Sdiv => o("sdiv", &[d, n, mr]),
        Lslv => o("lsl", &[d, n, mr]),
        Lsrv => o("lsr", &[d, n, mr]),
        Asrv => o("asr", &[d, n, mr]),
        Rorv => o("ror", &[d, n, mr]),
        Rbit => o("rbit", &[d, n]),
        Rev16 => o("rev16", &[d, n]),
        Rev32 => o(if sf { "rev32" } else { "rev" }, &[d, n]),
        Rev => o("rev", &[d, n]),
        Clz => o("clz", &[d, n]),
        Cls => o("cls", &[d, n]),
        Madd if ra == 31 => o("mul", &[d, n, mr]),
        Madd => o("madd", &[d, n, mr, gp(ra, sf)]),
        Msub if ra == 31 => o("mneg", &[d, n, mr]),
        Msub => o("msub", &[d, n, mr, gp(ra, sf)]),
        Smaddl | Smsubl | Umaddl | Umsubl => {
            let (n, mr) = (gp(rn, false), gp(rm, false));
            let m = match (op, ra == 31) {
                (Smaddl, true) => "smull",
                (Smaddl, false) => "smaddl",
                (Smsubl, true) => "smnegl",
                (Smsubl, false) => "smsubl",
                (Umaddl, true) => "umull",
                (Umaddl, false) => "umaddl",
                (Umsubl, true) => "umnegl",
                _ => "umsubl",
            };
            if ra == 31 {
                o(m, &[d, n, mr])
            } else {
                o(m, &[d, n, mr, gp(ra, true)])
            }
        }
        Smulh => o("smulh", &[d, n, mr]),
        Umulh => o("umulh", &[d, n, mr]),
        Crc32 | Crc32c => {
            let sz = i.bits(11, 10);
            let m = format!("crc32{}{}", if op == Crc32c { "c" } else { "" }, ["b", "h", "w", "x"][sz as usize]);
            o(&m, &[gp(rd, false), gp(rn, false), gp(rm, sz == 3)])
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar floating point.

/// Scalar FP register letter by ftype (00 s, 01 d, 11 h; 10 is reserved).
fn ftype_reg(ftype: u32) -> Option<char> {
    match ftype {
        0 => Some('s'),
        1 => Some('d'),
        3 => Some('h'),
        _ => None,
    }
}

fn fp(op: FpOp, i: Insn) -> D {
    use FpOp::*;
    let (rd, rn, rm, ra) = (i.rd(), i.rn(), i.rm(), i.ra());
    let ftype = i.ftype();
    let sf = i.sf();
    let r = ftype_reg(ftype);
    let fr = |n: u32| r.map(|c| format!("{c}{n}"));
    let cond = COND[i.cond_hi() as usize].to_string();
    let one = |m: &str| o(m, &[fr(rd)?, fr(rn)?]);
    let two = |m: &str| o(m, &[fr(rd)?, fr(rn)?, fr(rm)?]);
    let three = |m: &str| o(m, &[fr(rd)?, fr(rn)?, fr(rm)?, fr(ra)?]);
    let to_int = |m: &str| o(m, &[gp(rd, sf), fr(rn)?]);
    let from_int = |m: &str| o(m, &[fr(rd)?, gp(rn, sf)]);
    match op {
        FmovReg => one("fmov"),
        Fabs => one("fabs"),
        Fneg => one("fneg"),
        Fsqrt => one("fsqrt"),
        Fcvt => {
            let opc = i.bits(16, 15);
            if ftype == 1 && opc == 2 {
                return o("bfcvt", &[format!("h{rd}"), format!("s{rn}")]);
            }
            if opc == ftype {
                return None;
            }
            o("fcvt", &[format!("{}{rd}", ftype_reg(opc)?), fr(rn)?])
        }
        Frintn => one("frintn"),
        Frintp => one("frintp"),
        Frintm => one("frintm"),
        Frintz => one("frintz"),
        Frinta => one("frinta"),
        Frintx => one("frintx"),
        Frinti => one("frinti"),
        Fmul => two("fmul"),
        Fdiv => two("fdiv"),
        Fadd => two("fadd"),
        Fsub => two("fsub"),
        Fmax => two("fmax"),
        Fmin => two("fmin"),
        Fmaxnm => two("fmaxnm"),
        Fminnm => two("fminnm"),
        Fnmul => two("fnmul"),
        Fmadd => three("fmadd"),
        Fmsub => three("fmsub"),
        Fnmadd => three("fnmadd"),
        Fnmsub => three("fnmsub"),
        Fcmp => {
            let m = if i.bit(4) { "fcmpe" } else { "fcmp" };
            if i.bit(3) {
                o(m, &[fr(rn)?, "#0.0".into()])
            } else {
                o(m, &[fr(rn)?, fr(rm)?])
            }
        }
        Fccmp => {
            let m = if i.bit(4) { "fccmpe" } else { "fccmp" };
            o(m, &[fr(rn)?, fr(rm)?, hex(i.bits(3, 0) as u64), cond])
        }
        Fcsel => o("fcsel", &[fr(rd)?, fr(rn)?, fr(rm)?, cond]),
        FmovImm => {
            let n = match ftype {
                0 => 32,
                1 => 64,
                3 => 16,
                _ => return None,
            };
            o("fmov", &[fr(rd)?, fp_imm8(i.bits(20, 13), n)])
        }
        Fcvtns => to_int("fcvtns"),
        Fcvtnu => to_int("fcvtnu"),
        Fcvtps => to_int("fcvtps"),
        Fcvtpu => to_int("fcvtpu"),
        Fcvtms => to_int("fcvtms"),
        Fcvtmu => to_int("fcvtmu"),
        Fcvtzs => to_int("fcvtzs"),
        Fcvtzu => to_int("fcvtzu"),
        Fcvtas => to_int("fcvtas"),
        Fcvtau => to_int("fcvtau"),
        Scvtf => from_int("scvtf"),
        Ucvtf => from_int("ucvtf"),
        FmovToGen | FmovFromGen => {
            if !matches!((sf, ftype), (false, 0) | (true, 1) | (_, 3)) {
                return None;
            }
            if op == FmovToGen {
                to_int("fmov")
            } else {
                from_int("fmov")
            }
        }
        FmovToGenHi => o("fmov", &[gp(rd, true), format!("v{rn}.d[1]")]),
        FmovFromGenHi => o("fmov", &[format!("v{rd}.d[1]"), gp(rn, true)]),
        ScvtfFix | UcvtfFix | FcvtzsFix | FcvtzuFix => {
            let scale = i.bits(15, 10);
            if !sf && scale < 32 {
                return None;
            }
            let fbits = dec(64 - scale as i64);
            match op {
                ScvtfFix => o("scvtf", &[fr(rd)?, gp(rn, sf), fbits]),
                UcvtfFix => o("ucvtf", &[fr(rd)?, gp(rn, sf), fbits]),
                FcvtzsFix => o("fcvtzs", &[gp(rd, sf), fr(rn)?, fbits]),
                _ => o("fcvtzu", &[gp(rd, sf), fr(rn)?, fbits]),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// AdvSIMD.

/// The operation's mnemonic: its variant name without the form suffix, lower-cased.
fn simd_name(op: SimdOp) -> String {
    let s = format!("{op:?}");
    let mut t = s.as_str();
    for suffix in ["Element", "General", "Zero", "Imm", "Elem", "Fix"] {
        t = t.strip_suffix(suffix).unwrap_or(t);
    }
    t.to_lowercase()
}

/// `v<n>.<arrangement>`.
fn vr(n: u32, size: u32, q: bool) -> String {
    format!("v{n}.{}", arr(size, q))
}

/// Scalar SIMD&FP register `b/h/s/d/q<n>`.
fn sr(n: u32, size: u32) -> String {
    format!("{}{n}", elt(size))
}

/// Append `2` to the mnemonic of a narrowing/widening op on the upper half (Q = 1).
fn m2(m: &str, q: bool) -> String {
    if q {
        format!("{m}2")
    } else {
        m.to_string()
    }
}

fn simd(op: SimdOp, scalar: bool, i: Insn) -> D {
    use SimdOp::*;
    let (rd, rn, rm) = (i.rd(), i.rn(), i.rm());
    let q = i.q();
    let size = i.size();
    let sz = i.bits(22, 22);
    let m = simd_name(op);
    let m = m.as_str();
    let no_1d = size != 3 || q;
    let check = |ok: bool| if ok { Some(()) } else { None };
    match op {
        // Cryptographic AES and SHA.
        Aese | Aesd | Aesmc | Aesimc => o(m, &[vr(rd, 0, true), vr(rn, 0, true)]),
        Sha1c | Sha1p | Sha1m => o(m, &[format!("q{rd}"), format!("s{rn}"), vr(rm, 2, true)]),
        Sha256h | Sha256h2 => o(m, &[format!("q{rd}"), format!("q{rn}"), vr(rm, 2, true)]),
        Sha1su0 | Sha256su1 => o(m, &[vr(rd, 2, true), vr(rn, 2, true), vr(rm, 2, true)]),
        Sha1h => o(m, &[format!("s{rd}"), format!("s{rn}")]),
        Sha1su1 | Sha256su0 => o(m, &[vr(rd, 2, true), vr(rn, 2, true)]),
        // Scalar pairwise.
        Addp if scalar => {
            check(size == 3)?;
            o(m, &[sr(rd, 3), vr(rn, 3, true)])
        }
        Fmaxnmp | Faddp | Fmaxp | Fminnmp | Fminp if scalar => o(m, &[sr(rd, 2 + sz), vr(rn, 2 + sz, sz == 1)]),
        // Three registers of the same type (integer).
        Shadd | Uhadd | Sqadd | Uqadd | Srhadd | Urhadd | Shsub | Uhsub | Sqsub | Uqsub | Cmgt | Cmhi | Cmge | Cmhs
        | Sshl | Ushl | Sqshl | Uqshl | Srshl | Urshl | Sqrshl | Uqrshl | Smax | Umax | Smin | Umin | Sabd | Uabd
        | Saba | Uaba | Add | Sub | Cmtst | Cmeq | Mla | Mls | Mul | Pmul | Smaxp | Umaxp | Sminp | Uminp | Sqdmulh
        | Sqrdmulh | Addp => {
            if scalar {
                check(match op {
                    Sqadd | Uqadd | Sqsub | Uqsub | Sqshl | Uqshl | Sqrshl | Uqrshl => true,
                    Sqdmulh | Sqrdmulh => size == 1 || size == 2,
                    _ => size == 3,
                })?;
                return o(m, &[sr(rd, size), sr(rn, size), sr(rm, size)]);
            }
            check(match op {
                Shadd | Uhadd | Srhadd | Urhadd | Shsub | Uhsub | Smax | Umax | Smin | Umin | Sabd | Uabd | Saba
                | Uaba | Mla | Mls | Mul | Smaxp | Umaxp | Sminp | Uminp => size != 3,
                Pmul => size == 0,
                Sqdmulh | Sqrdmulh => size == 1 || size == 2,
                _ => no_1d,
            })?;
            o(m, &[vr(rd, size, q), vr(rn, size, q), vr(rm, size, q)])
        }
        And | Bic | Orr | Orn | Eor | Bsl | Bit | Bif => {
            if op == Orr && rm == rn {
                return o("mov", &[vr(rd, 0, q), vr(rn, 0, q)]);
            }
            o(m, &[vr(rd, 0, q), vr(rn, 0, q), vr(rm, 0, q)])
        }
        // Three registers of different types.
        Saddl | Uaddl | Saddw | Uaddw | Ssubl | Usubl | Ssubw | Usubw | Addhn | Raddhn | Sabal | Uabal | Subhn
        | Rsubhn | Sabdl | Uabdl | Smlal | Umlal | Sqdmlal | Smlsl | Umlsl | Sqdmlsl | Smull | Umull | Sqdmull
        | Pmull => {
            if scalar {
                check(size == 1 || size == 2)?;
                return o(m, &[sr(rd, size + 1), sr(rn, size), sr(rm, size)]);
            }
            check(match op {
                Sqdmlal | Sqdmlsl | Sqdmull => size == 1 || size == 2,
                Pmull => size == 0 || size == 3,
                _ => size != 3,
            })?;
            let q128 = op == Pmull && size == 3;
            let ta = |n: u32| if q128 { format!("v{n}.1q") } else { vr(n, size + 1, true) };
            let tb = |n: u32| vr(n, size, q);
            let mm = m2(m, q);
            match op {
                Saddw | Uaddw | Ssubw | Usubw => o(&mm, &[ta(rd), ta(rn), tb(rm)]),
                Addhn | Raddhn | Subhn | Rsubhn => o(&mm, &[tb(rd), ta(rn), ta(rm)]),
                _ => o(&mm, &[ta(rd), tb(rn), tb(rm)]),
            }
        }
        // Two-register miscellaneous (integer).
        Rev64 | Rev16 | Saddlp | Suqadd | Cls | Cnt | Sadalp | Sqabs | CmgtZero | CmeqZero | CmltZero | Abs | Xtn
        | Sqxtn | Rev32 | Uaddlp | Usqadd | Clz | Uadalp | Sqneg | CmgeZero | CmleZero | Neg | Sqxtun | Shll
        | Uqxtn | Not | Rbit | Urecpe | Ursqrte => {
            let zero = matches!(op, CmgtZero | CmeqZero | CmltZero | CmgeZero | CmleZero);
            if scalar {
                return match op {
                    Suqadd | Usqadd | Sqabs | Sqneg => o(m, &[sr(rd, size), sr(rn, size)]),
                    Sqxtn | Uqxtn | Sqxtun => {
                        check(size != 3)?;
                        o(m, &[sr(rd, size), sr(rn, size + 1)])
                    }
                    _ => {
                        check(size == 3)?;
                        if zero {
                            o(m, &[sr(rd, size), sr(rn, size), "#0".into()])
                        } else {
                            o(m, &[sr(rd, size), sr(rn, size)])
                        }
                    }
                };
            }
            match op {
                Saddlp | Uaddlp | Sadalp | Uadalp => {
                    check(size != 3)?;
                    o(m, &[vr(rd, size + 1, q), vr(rn, size, q)])
                }
                Xtn | Sqxtn | Sqxtun | Uqxtn => {
                    check(size != 3)?;
                    o(&m2(m, q), &[vr(rd, size, q), vr(rn, size + 1, true)])
                }
                Shll => {
                    check(size != 3)?;
                    o(&m2(m, q), &[vr(rd, size + 1, true), vr(rn, size, q), format!("#{}", 8 << size)])
                }
                Not => o("mvn", &[vr(rd, 0, q), vr(rn, 0, q)]),
                Rbit => o(m, &[vr(rd, 0, q), vr(rn, 0, q)]),
                Urecpe | Ursqrte => {
                    check(sz == 0)?;
                    o(m, &[vr(rd, 2, q), vr(rn, 2, q)])
                }
                _ => {
                    check(match op {
                        Rev64 | Cls | Clz => size != 3,
                        Rev16 | Cnt => size == 0,
                        Rev32 => size < 2,
                        _ => no_1d,
                    })?;
                    if zero {
                        o(m, &[vr(rd, size, q), vr(rn, size, q), "#0".into()])
                    } else {
                        o(m, &[vr(rd, size, q), vr(rn, size, q)])
                    }
                }
            }
        }
        // Across lanes, and the scalar pairwise ADDP.
        Saddlv | Uaddlv | Smaxv | Umaxv | Sminv | Uminv | Addv => {
            check(size != 3 && (size != 2 || q))?;
            let dsize = if matches!(op, Saddlv | Uaddlv) { size + 1 } else { size };
            o(m, &[sr(rd, dsize), vr(rn, size, q)])
        }
        // Copy.
        DupElement | DupGeneral | InsGeneral | Smov | Umov | InsElement => {
            let imm5 = i.bits(20, 16);
            if imm5 & 0xf == 0 {
                return None;
            }
            let size = imm5.trailing_zeros();
            let index = imm5 >> (size + 1);
            let e = elt(size);
            match op {
                DupElement if scalar => o("mov", &[sr(rd, size), format!("v{rn}.{e}[{index}]")]),
                DupElement => {
                    check(size != 3 || q)?;
                    o("dup", &[vr(rd, size, q), format!("v{rn}.{e}[{index}]")])
                }
                DupGeneral => {
                    check(size != 3 || q)?;
                    o("dup", &[vr(rd, size, q), gp(rn, size == 3)])
                }
                InsGeneral => o("mov", &[format!("v{rd}.{e}[{index}]"), gp(rn, size == 3)]),
                Smov => {
                    check(if q { size < 3 } else { size < 2 })?;
                    o("smov", &[gp(rd, q), format!("v{rn}.{e}[{index}]")])
                }
                Umov => {
                    check(if q { size == 3 } else { size < 3 })?;
                    let mm = if size >= 2 { "mov" } else { "umov" };
                    o(mm, &[gp(rd, q), format!("v{rn}.{e}[{index}]")])
                }
                _ => {
                    let index2 = i.bits(14, 11) >> size;
                    o("mov", &[format!("v{rd}.{e}[{index}]"), format!("v{rn}.{e}[{index2}]")])
                }
            }
        }
        // Permute, extract, table lookup.
        Uzp1 | Trn1 | Zip1 | Uzp2 | Trn2 | Zip2 => {
            check(no_1d)?;
            o(m, &[vr(rd, size, q), vr(rn, size, q), vr(rm, size, q)])
        }
        Ext => {
            let imm4 = i.bits(14, 11);
            check(q || imm4 < 8)?;
            o(m, &[vr(rd, 0, q), vr(rn, 0, q), vr(rm, 0, q), format!("#{imm4}")])
        }
        Tbl | Tbx => {
            let len = i.bits(14, 13) + 1;
            o(m, &[vr(rd, 0, q), vlist(rn, len, "16b"), vr(rm, 0, q)])
        }
        ModImm => mod_imm(i),
        // Shift by immediate, and the fixed-point conversions that share its encoding.
        Sshr | Ssra | Srshr | Srsra | Shl | SqshlImm | Shrn | Rshrn | Sqshrn | Sqrshrn | Sshll | Ushr | Usra
        | Urshr | Ursra | Sri | Sli | Sqshlu | UqshlImm | Sqshrun | Sqrshrun | Uqshrn | Uqrshrn | Ushll | ScvtfFix
        | UcvtfFix | FcvtzsFix | FcvtzuFix => {
            let immh = i.bits(22, 19);
            if immh == 0 {
                // immh = 0000 is the modified-immediate class: with o2 = 1 (bits 15:10 =
                // 111111, the FCVTZS opcode) it is FMOV (vector, immediate) half-precision.
                if op == FcvtzsFix && !scalar && !i.bit(29) {
                    let imm8 = (i.bits(18, 16) << 5) | i.bits(9, 5);
                    return o("fmov", &[vr(rd, 1, q), fp_imm8(imm8, 16)]);
                }
                return None;
            }
            let size = 31 - immh.leading_zeros();
            let immhb = i.bits(22, 16);
            let shr = format!("#{}", (16 << size) - immhb);
            let shl = format!("#{}", immhb - (8 << size));
            let narrow = matches!(op, Shrn | Rshrn | Sqshrn | Sqrshrn | Sqshrun | Sqrshrun | Uqshrn | Uqrshrn);
            let left = matches!(op, Shl | Sli | SqshlImm | Sqshlu | UqshlImm);
            let fix = matches!(op, ScvtfFix | UcvtfFix | FcvtzsFix | FcvtzuFix);
            if scalar {
                if narrow {
                    check(size != 3)?;
                    return o(m, &[sr(rd, size), sr(rn, size + 1), shr]);
                }
                check(match op {
                    SqshlImm | Sqshlu | UqshlImm => true,
                    _ if fix => size != 0,
                    _ => size == 3,
                })?;
                let amount = if left { shl } else { shr };
                return o(m, &[sr(rd, size), sr(rn, size), amount]);
            }
            if narrow {
                check(size != 3)?;
                return o(&m2(m, q), &[vr(rd, size, q), vr(rn, size + 1, true), shr]);
            }
            if matches!(op, Sshll | Ushll) {
                check(size != 3)?;
                if immhb == 8 << size {
                    let x = if op == Sshll { "sxtl" } else { "uxtl" };
                    return o(&m2(x, q), &[vr(rd, size + 1, true), vr(rn, size, q)]);
                }
                return o(&m2(m, q), &[vr(rd, size + 1, true), vr(rn, size, q), shl]);
            }
            check((size != 3 || q) && !(fix && size == 0))?;
            let amount = if left { shl } else { shr };
            o(m, &[vr(rd, size, q), vr(rn, size, q), amount])
        }
        // Vector x indexed element (integer).
        SmlalElem | SqdmlalElem | SmlslElem | SqdmlslElem | MulElem | SmullElem | SqdmullElem | SqdmulhElem
        | SqrdmulhElem | MlaElem | UmlalElem | MlsElem | UmlslElem | UmullElem => {
            let (index, rm) = match size {
                1 => (i.bits(11, 11) << 2 | i.bits(21, 20), i.bits(19, 16)),
                2 => (i.bits(11, 11) << 1 | i.bits(21, 21), rm),
                _ => return None,
            };
            let el = format!("v{rm}.{}[{index}]", elt(size));
            let same = matches!(op, MulElem | MlaElem | MlsElem | SqdmulhElem | SqrdmulhElem);
            match (scalar, same) {
                (true, true) => o(m, &[sr(rd, size), sr(rn, size), el]),
                (true, false) => o(m, &[sr(rd, size + 1), sr(rn, size), el]),
                (false, true) => o(m, &[vr(rd, size, q), vr(rn, size, q), el]),
                (false, false) => o(&m2(m, q), &[vr(rd, size + 1, true), vr(rn, size, q), el]),
            }
        }
        // Vector x indexed element (FP).
        FmlaElem | FmlsElem | FmulElem | FmulxElem => {
            let (index, rm) = match size {
                0 => (i.bits(11, 11) << 2 | i.bits(21, 20), i.bits(19, 16)),
                2 => (i.bits(11, 11) << 1 | i.bits(21, 21), rm),
                3 if !i.bit(21) && (q || scalar) => (i.bits(11, 11), rm),
                _ => return None,
            };
            let es = if size == 0 { 1 } else { size };
            let el = format!("v{rm}.{}[{index}]", elt(es));
            if scalar {
                o(m, &[sr(rd, es), sr(rn, es), el])
            } else {
                o(m, &[vr(rd, es, q), vr(rn, es, q), el])
            }
        }
        // Floating point.
        Fmaxnm | Fmla | Fadd | Fmulx | Fcmeq | Fmax | Frecps | Fminnm | Fmls | Fsub | Fmin | Frsqrts | Fmaxnmp
        | Faddp | Fmul | Fcmge | Facge | Fmaxp | Fdiv | Fminnmp | Fabd | Fcmgt | Facgt | Fminp => {
            if scalar {
                return o(m, &[sr(rd, 2 + sz), sr(rn, 2 + sz), sr(rm, 2 + sz)]);
            }
            check(sz != 1 || q)?;
            o(m, &[vr(rd, 2 + sz, q), vr(rn, 2 + sz, q), vr(rm, 2 + sz, q)])
        }
        Fmaxnmv | Fminnmv | Fmaxv | Fminv => {
            check(q && sz == 0)?;
            o(m, &[sr(rd, 2), vr(rn, 2, true)])
        }
        Fcvtn | Fcvtl | Fcvtxn | Frintn | Frintm | Fcvtns | Fcvtms | Fcvtas | Scvtf | FcmgtZero | FcmeqZero
        | FcmltZero | Fabs | Frintp | Frintz | Fcvtps | Fcvtzs | Frecpe | Frinta | Frintx | Fcvtnu | Fcvtmu
        | Fcvtau | Ucvtf | FcmgeZero | FcmleZero | Fneg | Frinti | Fcvtpu | Fcvtzu | Frsqrte | Fsqrt | Frecpx => {
            let zero = matches!(op, FcmgtZero | FcmeqZero | FcmltZero | FcmgeZero | FcmleZero);
            if scalar {
                if op == Fcvtxn {
                    check(sz == 1)?;
                    return o(m, &[sr(rd, 2), sr(rn, 3)]);
                }
                if zero {
                    return o(m, &[sr(rd, 2 + sz), sr(rn, 2 + sz), "#0.0".into()]);
                }
                return o(m, &[sr(rd, 2 + sz), sr(rn, 2 + sz)]);
            }
            match op {
                Fcvtn => o(&m2(m, q), &[vr(rd, 1 + sz, q), vr(rn, 2 + sz, true)]),
                Fcvtl => o(&m2(m, q), &[vr(rd, 2 + sz, true), vr(rn, 1 + sz, q)]),
                Fcvtxn => {
                    check(sz == 1)?;
                    o(&m2(m, q), &[vr(rd, 2, q), vr(rn, 3, true)])
                }
                _ => {
                    check(sz != 1 || q)?;
                    if zero {
                        o(m, &[vr(rd, 2 + sz, q), vr(rn, 2 + sz, q), "#0.0".into()])
                    } else {
                        o(m, &[vr(rd, 2 + sz, q), vr(rn, 2 + sz, q)])
                    }
                }
            }
        }
    }
}

/// MOVI, MVNI, ORR, BIC (vector, immediate) and FMOV (vector, immediate).
fn mod_imm(i: Insn) -> D {
    let q = i.q();
    let op = i.bit(29);
    let cmode = i.bits(15, 12);
    let imm8 = (i.bits(18, 16) << 5) | i.bits(9, 5);
    let rd = i.rd();
    let shifted = |m: &str, size: u32, amount: u32, kind: &str| {
        let mut ops = vec![vr(rd, size, q), hex(imm8 as u64)];
        if amount != 0 || kind == "msl" {
            ops.push(format!("{kind} #{amount}"));
        }
        o(m, &ops)
    };
    match (op, cmode) {
        (false, c) if c < 8 && c & 1 == 0 => shifted("movi", 2, (c >> 1) * 8, "lsl"),
        (false, c) if c < 8 => shifted("orr", 2, (c >> 1) * 8, "lsl"),
        (false, 8 | 10) => shifted("movi", 1, (cmode >> 1 & 1) * 8, "lsl"),
        (false, 9 | 11) => shifted("orr", 1, (cmode >> 1 & 1) * 8, "lsl"),
        (false, 12 | 13) => shifted("movi", 2, (cmode & 1) * 8 + 8, "msl"),
        (false, 14) => o("movi", &[vr(rd, 0, q), hex(imm8 as u64)]),
        (false, _) => o("fmov", &[vr(rd, 2, q), fp_imm8(imm8, 32)]),
        (true, c) if c < 8 && c & 1 == 0 => shifted("mvni", 2, (c >> 1) * 8, "lsl"),
        (true, c) if c < 8 => shifted("bic", 2, (c >> 1) * 8, "lsl"),
        (true, 8 | 10) => shifted("mvni", 1, (cmode >> 1 & 1) * 8, "lsl"),
        (true, 9 | 11) => shifted("bic", 1, (cmode >> 1 & 1) * 8, "lsl"),
        (true, 12 | 13) => shifted("mvni", 2, (cmode & 1) * 8 + 8, "msl"),
        (true, 14) => {
            let imm = hex(adv_simd_expand_imm(true, 14, imm8)?);
            if q {
                o("movi", &[vr(rd, 3, true), imm])
            } else {
                o("movi", &[format!("d{rd}"), imm])
            }
        }
        (true, _) if q => o("fmov", &[vr(rd, 3, true), fp_imm8(imm8, 64)]),
        (true, _) => None,
    }
}
