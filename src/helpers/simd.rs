//! AdvSIMD helpers: the semantics of every row of `arch::table::simd` and
//! `arch::table::ldst_simd`, called out of line from translated code.
//!
//! Entry points:
//! - [`simd_helper`]`(cpu, insn, op)`: translated code calls it with the word and the
//!   [`SimdOp`] discriminant; [`ldst::ldst_simd_helper`]`(cpu, insn)` for loads and stores.
//! - [`undefined`] / [`ldst::undefined`]: the reserved-encoding checks the translators run
//!   before emitting anything (a word that passes never makes a helper fail or panic).
//! - [`execute`] and [`run_word`]: the same semantics callable from Rust (tests, interpreters).
//!
//! Invariants: helpers read every operand before writing the destination (Rd may alias Rn/Rm);
//! a 64-bit vector write zeroes bits 127:64 and a scalar write zeroes everything above the
//! element; saturation sets FPSR.QC and nothing else touches FPSR/FPCR here.

pub mod fpv;
pub mod int;
pub mod lanes;
pub mod ldst;

use crate::arch::table::{Op, SimdOp};
use crate::arch::Insn;
use crate::cpu::CpuState;
use crate::helpers::fp;
use int::*;
use lanes::*;

/// Called from translated code: run `SimdOp::ALL[op]` on `insn`.
pub(crate) extern "C" fn simd_helper(cpu: *mut CpuState, insn: u32, op: u32) {
    // SAFETY: translated code passes the running thread's CpuState, valid and exclusively
    // ours for the duration of the call.
    let cpu = unsafe { &mut *cpu };
    // FP lanes may run host FP instructions: keep the guest's pending MXCSR flags as they are.
    let _keep = crate::jit::fpflags::Preserve::new();
    if let Some(op) = SimdOp::from_index(op as usize) {
        execute(cpu, op, Insn(insn));
    }
}

/// Decode `word` with the decoder table and execute it if it is an AdvSIMD data-processing
/// or AdvSIMD load/store row that is not reserved. Returns false (state untouched) for any
/// other word. Load/store words access guest memory at their host addresses.
pub fn run_word(cpu: &mut CpuState, word: u32) -> bool {
    let i = Insn(word);
    match crate::arch::decode(word).map(|r| r.op) {
        Some(Op::Simd(op)) if !undefined(op, i) => {
            execute(cpu, op, i);
            true
        }
        Some(Op::LdStSimd(_)) if !ldst::undefined(i) => {
            ldst::execute(cpu, i);
            true
        }
        _ => false,
    }
}

/// True when `i` (decoded as `op`) is a reserved encoding: the translator raises UNDEFINED.
pub fn undefined(op: SimdOp, i: Insn) -> bool {
    use SimdOp::*;
    let size = i.size();
    let q = i.q();
    let scalar = i.bit(28);
    // size:Q == 110 is reserved; scalar forms usually require size == 11.
    let q_or_small = || if scalar { size != 3 } else { size == 3 && !q };
    let no64 = size == 3;
    let hs_only = size == 0 || size == 3;
    let immh = i.bits(22, 19);
    let fsz = i.bit(22);
    match op {
        // three same
        Shadd | Uhadd | Srhadd | Urhadd | Shsub | Uhsub | Smax | Smin | Umax | Umin | Sabd | Uabd | Saba | Uaba
        | Mla | Mls | Mul | Smaxp | Sminp | Umaxp | Uminp => no64,
        Sqadd | Uqadd | Sqsub | Uqsub | Sqshl | Uqshl | Sqrshl | Uqrshl => !scalar && size == 3 && !q,
        Cmgt | Cmhi | Cmge | Cmhs | Sshl | Ushl | Srshl | Urshl | Add | Sub | Cmtst | Cmeq => q_or_small(),
        Addp => {
            if scalar {
                size != 3
            } else {
                size == 3 && !q
            }
        }
        Pmul => size != 0,
        Sqdmulh | Sqrdmulh => hs_only,
        And | Bic | Orr | Orn | Eor | Bsl | Bit | Bif => false,
        // three different
        Saddl | Uaddl | Saddw | Uaddw | Ssubl | Usubl | Ssubw | Usubw | Addhn | Raddhn | Subhn | Rsubhn | Sabal
        | Uabal | Sabdl | Uabdl | Smlal | Umlal | Smlsl | Umlsl | Smull | Umull => no64,
        Sqdmlal | Sqdmlsl | Sqdmull => hs_only,
        // PMULL with size 11 is FEAT_PMULL (helpers::crypto); 01 and 10 are reserved.
        Pmull => size == 1 || size == 2,
        // two-register misc
        Rev64 => no64,
        Rev32 => size >= 2,
        Rev16 | Cnt => size != 0,
        Saddlp | Uaddlp | Sadalp | Uadalp | Cls | Clz | Xtn | Shll => no64,
        Sqxtn | Uqxtn | Sqxtun => no64,
        Suqadd | Usqadd | Sqabs | Sqneg => !scalar && size == 3 && !q,
        CmgtZero | CmeqZero | CmltZero | CmgeZero | CmleZero | Abs | Neg => q_or_small(),
        Not | Rbit => false,
        Urecpe | Ursqrte => i.bit(22),
        // across lanes
        Saddlv | Uaddlv | Smaxv | Umaxv | Sminv | Uminv | Addv => no64 || (size == 2 && !q),
        // copy
        DupElement => {
            let imm5 = i.bits(20, 16);
            imm5 & 0xf == 0 || (!scalar && imm5 & 0xf == 8 && !q)
        }
        DupGeneral => {
            let imm5 = i.bits(20, 16);
            imm5 & 0xf == 0 || (imm5 & 0xf == 8 && !q)
        }
        InsGeneral | InsElement => i.bits(20, 16) & 0xf == 0,
        Smov => {
            let s = lowest_set_bit(i.bits(20, 16));
            s >= 3 || (s == 2 && !q)
        }
        Umov => {
            let s = lowest_set_bit(i.bits(20, 16));
            if q {
                s != 3
            } else {
                s >= 3
            }
        }
        // permute, extract, table, immediate
        Uzp1 | Uzp2 | Trn1 | Trn2 | Zip1 | Zip2 => size == 3 && !q,
        Ext => !q && i.bit(14),
        Tbl | Tbx => false,
        ModImm => i.bits(15, 12) == 0b1111 && i.bit(29) && !q,
        // shift by immediate
        Sshr | Ushr | Ssra | Usra | Srshr | Urshr | Srsra | Ursra | Sri | Shl | Sli => {
            immh == 0 || if scalar { immh & 8 == 0 } else { immh & 8 != 0 && !q }
        }
        SqshlImm | UqshlImm | Sqshlu => immh == 0 || (!scalar && immh & 8 != 0 && !q),
        Shrn | Rshrn | Sqshrn | Sqrshrn | Uqshrn | Uqrshrn | Sqshrun | Sqrshrun | Sshll | Ushll => {
            immh == 0 || immh & 8 != 0
        }
        // by element
        MulElem | MlaElem | MlsElem | SqdmulhElem | SqrdmulhElem | SmlalElem | SmlslElem | UmlalElem | UmlslElem
        | SmullElem | UmullElem | SqdmlalElem | SqdmlslElem | SqdmullElem => hs_only,
        // floating point (sz = bit 22; FP16 forms are not implemented)
        Fmaxnm | Fmla | Fadd | Fmulx | Fcmeq | Fmax | Frecps | Fminnm | Fmls | Fsub | Fmin | Frsqrts | Fmul | Fcmge
        | Facge | Fdiv | Fabd | Fcmgt | Facgt | Frintn | Frintm | Frintp | Frintz | Frinta | Frintx | Frinti
        | Fcvtns | Fcvtms | Fcvtas | Fcvtps | Fcvtzs | Fcvtnu | Fcvtmu | Fcvtau | Fcvtpu | Fcvtzu | Scvtf | Ucvtf
        | FcmgtZero | FcmeqZero | FcmltZero | FcmgeZero | FcmleZero | Fabs | Fneg | Frecpe | Frsqrte | Fsqrt => {
            !scalar && fsz && !q
        }
        Fmaxnmp | Faddp | Fmaxp | Fminnmp | Fminp => !scalar && fsz && !q,
        Fcvtn | Fcvtl | Frecpx => false,
        Fcvtxn => !fsz,
        Fmaxnmv | Fminnmv | Fmaxv | Fminv => fsz || !q,
        ScvtfFix | UcvtfFix | FcvtzsFix | FcvtzuFix => immh & 0b1100 == 0 || (!scalar && immh & 8 != 0 && !q),
        FmlaElem | FmlsElem | FmulElem | FmulxElem => size < 2 || (size == 3 && (i.bit(21) || (!scalar && !q))),
        // cryptographic (helpers::crypto): every field is fixed by the row
        Aese | Aesd | Aesmc | Aesimc | Sha1c | Sha1p | Sha1m | Sha1su0 | Sha256h | Sha256h2 | Sha256su1 | Sha1h
        | Sha1su1 | Sha256su0 => false,
    }
}

/// Execute `op` on `i` (which must have passed [`undefined`]).
pub fn execute(cpu: &mut CpuState, op: SimdOp, i: Insn) {
    use SimdOp::*;
    let ones_if = |c: bool, es: u32| if c { ones(es) } else { 0 };
    match op {
        // ---------------------------------------------------------------- three same
        Shadd => same(cpu, i, |es, a, b, _, _| ((sx(a, es) + sx(b, es)) >> 1) as u64),
        Uhadd => same(cpu, i, |es, a, b, _, _| ((ux(a, es) + ux(b, es)) >> 1) as u64),
        Srhadd => same(cpu, i, |es, a, b, _, _| ((sx(a, es) + sx(b, es) + 1) >> 1) as u64),
        Urhadd => same(cpu, i, |es, a, b, _, _| ((ux(a, es) + ux(b, es) + 1) >> 1) as u64),
        Shsub => same(cpu, i, |es, a, b, _, _| ((sx(a, es) - sx(b, es)) >> 1) as u64),
        Uhsub => same(cpu, i, |es, a, b, _, _| ((ux(a, es) - ux(b, es)) >> 1) as u64),
        Sqadd => same(cpu, i, |es, a, b, _, s| sat_q(sx(a, es) + sx(b, es), es, false, s)),
        Uqadd => same(cpu, i, |es, a, b, _, s| sat_q(ux(a, es) + ux(b, es), es, true, s)),
        Sqsub => same(cpu, i, |es, a, b, _, s| sat_q(sx(a, es) - sx(b, es), es, false, s)),
        Uqsub => same(cpu, i, |es, a, b, _, s| sat_q(ux(a, es) - ux(b, es), es, true, s)),
        Cmgt => same(cpu, i, |es, a, b, _, _| ones_if(sx(a, es) > sx(b, es), es)),
        Cmhi => same(cpu, i, |es, a, b, _, _| ones_if(ux(a, es) > ux(b, es), es)),
        Cmge => same(cpu, i, |es, a, b, _, _| ones_if(sx(a, es) >= sx(b, es), es)),
        Cmhs => same(cpu, i, |es, a, b, _, _| ones_if(ux(a, es) >= ux(b, es), es)),
        Cmtst => same(cpu, i, |es, a, b, _, _| ones_if(a & b != 0, es)),
        Cmeq => same(cpu, i, |es, a, b, _, _| ones_if(a == b, es)),
        Sshl => same(cpu, i, |es, a, b, _, s| shl_reg(a, b, es, false, false, false, s)),
        Ushl => same(cpu, i, |es, a, b, _, s| shl_reg(a, b, es, true, false, false, s)),
        Srshl => same(cpu, i, |es, a, b, _, s| shl_reg(a, b, es, false, true, false, s)),
        Urshl => same(cpu, i, |es, a, b, _, s| shl_reg(a, b, es, true, true, false, s)),
        Sqshl => same(cpu, i, |es, a, b, _, s| shl_reg(a, b, es, false, false, true, s)),
        Uqshl => same(cpu, i, |es, a, b, _, s| shl_reg(a, b, es, true, false, true, s)),
        Sqrshl => same(cpu, i, |es, a, b, _, s| shl_reg(a, b, es, false, true, true, s)),
        Uqrshl => same(cpu, i, |es, a, b, _, s| shl_reg(a, b, es, true, true, true, s)),
        Smax => same(cpu, i, |es, a, b, _, _| sx(a, es).max(sx(b, es)) as u64),
        Smin => same(cpu, i, |es, a, b, _, _| sx(a, es).min(sx(b, es)) as u64),
        Umax => same(cpu, i, |es, a, b, _, _| ux(a, es).max(ux(b, es)) as u64),
        Umin => same(cpu, i, |es, a, b, _, _| ux(a, es).min(ux(b, es)) as u64),
        Sabd => same(cpu, i, |es, a, b, _, _| (sx(a, es) - sx(b, es)).unsigned_abs() as u64),
        Uabd => same(cpu, i, |es, a, b, _, _| (ux(a, es) - ux(b, es)).unsigned_abs() as u64),
        Saba => same(cpu, i, |es, a, b, d, _| d.wrapping_add((sx(a, es) - sx(b, es)).unsigned_abs() as u64)),
        Uaba => same(cpu, i, |es, a, b, d, _| d.wrapping_add((ux(a, es) - ux(b, es)).unsigned_abs() as u64)),
        Add => same(cpu, i, |_, a, b, _, _| a.wrapping_add(b)),
        Sub => same(cpu, i, |_, a, b, _, _| a.wrapping_sub(b)),
        Mla => same(cpu, i, |_, a, b, d, _| d.wrapping_add(a.wrapping_mul(b))),
        Mls => same(cpu, i, |_, a, b, d, _| d.wrapping_sub(a.wrapping_mul(b))),
        Mul => same(cpu, i, |_, a, b, _, _| a.wrapping_mul(b)),
        Pmul => same(cpu, i, |es, a, b, _, _| poly_mul(a, b, es)),
        Sqdmulh => same(cpu, i, |es, a, b, _, s| sqdmulh(a, b, es, false, s)),
        Sqrdmulh => same(cpu, i, |es, a, b, _, s| sqdmulh(a, b, es, true, s)),
        Addp => {
            if i.bit(28) {
                addp_scalar(cpu, i)
            } else {
                if !pairwise_bytes(cpu, i, |a, b| a.wrapping_add(b)) {
                    pairwise(cpu, i, |_, a, b| a.wrapping_add(b))
                }
            }
        }
        Smaxp => pairwise(cpu, i, |es, a, b| sx(a, es).max(sx(b, es)) as u64),
        Sminp => pairwise(cpu, i, |es, a, b| sx(a, es).min(sx(b, es)) as u64),
        Umaxp => {
            if !pairwise_bytes(cpu, i, |a, b| a.max(b)) {
                pairwise(cpu, i, |es, a, b| ux(a, es).max(ux(b, es)) as u64)
            }
        }
        Uminp => {
            if !pairwise_bytes(cpu, i, |a, b| a.min(b)) {
                pairwise(cpu, i, |es, a, b| ux(a, es).min(ux(b, es)) as u64)
            }
        }
        And => logic(cpu, i, |n, m, _| n & m),
        Bic => logic(cpu, i, |n, m, _| n & !m),
        Orr => logic(cpu, i, |n, m, _| n | m),
        Orn => logic(cpu, i, |n, m, _| n | !m),
        Eor => logic(cpu, i, |n, m, _| n ^ m),
        Bsl => logic(cpu, i, |n, m, d| (d & n) | (!d & m)),
        Bit => logic(cpu, i, |n, m, d| (n & m) | (d & !m)),
        Bif => logic(cpu, i, |n, m, d| (d & m) | (n & !m)),
        // ---------------------------------------------------------------- three different
        Saddl | Saddw => {
            let kind = if op == Saddl { Diff::Long } else { Diff::Wide };
            three_diff(cpu, i, kind, false, |_, a, b, _, _| (a + b) as u64)
        }
        Uaddl | Uaddw => {
            let kind = if op == Uaddl { Diff::Long } else { Diff::Wide };
            three_diff(cpu, i, kind, true, |_, a, b, _, _| (a + b) as u64)
        }
        Ssubl | Ssubw => {
            let kind = if op == Ssubl { Diff::Long } else { Diff::Wide };
            three_diff(cpu, i, kind, false, |_, a, b, _, _| (a - b) as u64)
        }
        Usubl | Usubw => {
            let kind = if op == Usubl { Diff::Long } else { Diff::Wide };
            three_diff(cpu, i, kind, true, |_, a, b, _, _| (a - b) as u64)
        }
        Addhn => three_diff(cpu, i, Diff::NarrowHigh, true, |es, a, b, _, _| ((a + b) >> es) as u64),
        Raddhn => three_diff(cpu, i, Diff::NarrowHigh, true, |es, a, b, _, _| ((a + b + (1 << (es - 1))) >> es) as u64),
        Subhn => three_diff(cpu, i, Diff::NarrowHigh, true, |es, a, b, _, _| ((a - b) >> es) as u64),
        Rsubhn => three_diff(cpu, i, Diff::NarrowHigh, true, |es, a, b, _, _| ((a - b + (1 << (es - 1))) >> es) as u64),
        Sabal => three_diff(cpu, i, Diff::Long, false, |_, a, b, d, _| d.wrapping_add((a - b).unsigned_abs() as u64)),
        Uabal => three_diff(cpu, i, Diff::Long, true, |_, a, b, d, _| d.wrapping_add((a - b).unsigned_abs() as u64)),
        Sabdl => three_diff(cpu, i, Diff::Long, false, |_, a, b, _, _| (a - b).unsigned_abs() as u64),
        Uabdl => three_diff(cpu, i, Diff::Long, true, |_, a, b, _, _| (a - b).unsigned_abs() as u64),
        Smlal => three_diff(cpu, i, Diff::Long, false, |_, a, b, d, _| d.wrapping_add((a * b) as u64)),
        Umlal => three_diff(cpu, i, Diff::Long, true, |_, a, b, d, _| d.wrapping_add((a * b) as u64)),
        Smlsl => three_diff(cpu, i, Diff::Long, false, |_, a, b, d, _| d.wrapping_sub((a * b) as u64)),
        Umlsl => three_diff(cpu, i, Diff::Long, true, |_, a, b, d, _| d.wrapping_sub((a * b) as u64)),
        Smull => three_diff(cpu, i, Diff::Long, false, |_, a, b, _, _| (a * b) as u64),
        Umull => three_diff(cpu, i, Diff::Long, true, |_, a, b, _, _| (a * b) as u64),
        Sqdmlal => three_diff(cpu, i, Diff::Long, false, |es, a, b, d, s| sqdmlal(a, b, d, es, false, s)),
        Sqdmlsl => three_diff(cpu, i, Diff::Long, false, |es, a, b, d, s| sqdmlal(a, b, d, es, true, s)),
        Sqdmull => three_diff(cpu, i, Diff::Long, false, |es, a, b, _, s| sqdmull(a, b, es, s) as u64),
        Pmull if i.size() == 3 => crate::helpers::crypto::execute(cpu, op, i),
        Aese | Aesd | Aesmc | Aesimc | Sha1c | Sha1p | Sha1m | Sha1su0 | Sha256h | Sha256h2 | Sha256su1 | Sha1h
        | Sha1su1 | Sha256su0 => crate::helpers::crypto::execute(cpu, op, i),
        Pmull => three_diff(cpu, i, Diff::Long, true, |es, a, b, _, _| poly_mul(a as u64, b as u64, es)),
        // ---------------------------------------------------------------- two-register misc
        Rev64 => rev(cpu, i, 64),
        Rev32 => rev(cpu, i, 32),
        Rev16 => rev(cpu, i, 16),
        Saddlp => addlp(cpu, i, false, false),
        Uaddlp => addlp(cpu, i, true, false),
        Sadalp => addlp(cpu, i, false, true),
        Uadalp => addlp(cpu, i, true, true),
        Suqadd => misc(cpu, i, |es, n, d, s| sat_q(sx(d, es) + ux(n, es), es, false, s)),
        Usqadd => misc(cpu, i, |es, n, d, s| sat_q(ux(d, es) + sx(n, es), es, true, s)),
        Cls => misc(cpu, i, |es, n, _, _| int::cls(n, es)),
        Clz => misc(cpu, i, |es, n, _, _| int::clz(n, es)),
        Cnt => misc(cpu, i, |_, n, _, _| n.count_ones() as u64),
        Sqabs => misc(cpu, i, |es, n, _, s| sat_q(sx(n, es).abs(), es, false, s)),
        Sqneg => misc(cpu, i, |es, n, _, s| sat_q(-sx(n, es), es, false, s)),
        Abs => misc(cpu, i, |es, n, _, _| sx(n, es).unsigned_abs() as u64),
        Neg => misc(cpu, i, |_, n, _, _| n.wrapping_neg()),
        CmgtZero => misc(cpu, i, |es, n, _, _| ones_if(sx(n, es) > 0, es)),
        CmgeZero => misc(cpu, i, |es, n, _, _| ones_if(sx(n, es) >= 0, es)),
        CmeqZero => misc(cpu, i, |es, n, _, _| ones_if(ux(n, es) == 0, es)),
        CmleZero => misc(cpu, i, |es, n, _, _| ones_if(sx(n, es) <= 0, es)),
        CmltZero => misc(cpu, i, |es, n, _, _| ones_if(sx(n, es) < 0, es)),
        Not => misc(cpu, i, |_, n, _, _| !n),
        // RBIT's size field is 01 but it works on bytes.
        Rbit => logic(cpu, i, |n, _, _| u128::from_le_bytes(n.to_le_bytes().map(u8::reverse_bits))),
        Urecpe => misc(cpu, i, |_, n, _, _| urecpe(n as u32) as u64),
        Ursqrte => misc(cpu, i, |_, n, _, _| ursqrte(n as u32) as u64),
        Xtn => narrow(cpu, i, |_, x, _| x),
        Sqxtn => narrow(cpu, i, |es, x, s| sat_q(sx(x, 2 * es), es, false, s)),
        Uqxtn => narrow(cpu, i, |es, x, s| sat_q(ux(x, 2 * es), es, true, s)),
        Sqxtun => narrow(cpu, i, |es, x, s| sat_q(sx(x, 2 * es), es, true, s)),
        Shll => shll(cpu, i),
        // ---------------------------------------------------------------- across lanes
        Saddlv => across(cpu, i, false, true, |a, b| a + b),
        Uaddlv => across(cpu, i, true, true, |a, b| a + b),
        Smaxv => across(cpu, i, false, false, |a, b| a.max(b)),
        Umaxv => across(cpu, i, true, false, |a, b| a.max(b)),
        Sminv => across(cpu, i, false, false, |a, b| a.min(b)),
        Uminv => across(cpu, i, true, false, |a, b| a.min(b)),
        Addv => across(cpu, i, true, false, |a, b| a + b),
        // ---------------------------------------------------------------- copy
        DupElement => dup_element(cpu, i),
        DupGeneral => dup_general(cpu, i),
        InsGeneral => ins_general(cpu, i),
        InsElement => ins_element(cpu, i),
        Smov => mov_to_general(cpu, i, true),
        Umov => mov_to_general(cpu, i, false),
        // ---------------------------------------------------------------- permute etc.
        Uzp1 | Uzp2 | Trn1 | Trn2 | Zip1 | Zip2 => permute(cpu, i),
        Ext => ext(cpu, i),
        Tbl => tbl(cpu, i, false),
        Tbx => tbl(cpu, i, true),
        ModImm => mod_imm(cpu, i),
        // ---------------------------------------------------------------- shift by immediate
        Sshr => shift_same(cpu, i, |es, hb, n, _, _| (sx(n, es) >> (2 * es - hb)) as u64),
        Ushr => shift_same(cpu, i, |es, hb, n, _, _| (ux(n, es) >> (2 * es - hb)) as u64),
        Ssra => shift_same(cpu, i, |es, hb, n, d, _| d.wrapping_add((sx(n, es) >> (2 * es - hb)) as u64)),
        Usra => shift_same(cpu, i, |es, hb, n, d, _| d.wrapping_add((ux(n, es) >> (2 * es - hb)) as u64)),
        Srshr => shift_same(cpu, i, |es, hb, n, _, _| shr_round(sx(n, es), 2 * es - hb, true) as u64),
        Urshr => shift_same(cpu, i, |es, hb, n, _, _| shr_round(ux(n, es), 2 * es - hb, true) as u64),
        Srsra => shift_same(cpu, i, |es, hb, n, d, _| d.wrapping_add(shr_round(sx(n, es), 2 * es - hb, true) as u64)),
        Ursra => shift_same(cpu, i, |es, hb, n, d, _| d.wrapping_add(shr_round(ux(n, es), 2 * es - hb, true) as u64)),
        Sri => shift_same(cpu, i, |es, hb, n, d, _| {
            let shift = 2 * es - hb;
            let mask = (ones(es) as u128 >> shift) as u64;
            (d & !mask) | ((ux(n, es) >> shift) as u64)
        }),
        Shl => shift_same(cpu, i, |es, hb, n, _, _| n << (hb - es)),
        Sli => shift_same(cpu, i, |es, hb, n, d, _| {
            let shift = hb - es;
            let mask = ones(es) << shift;
            (d & !mask) | (n << shift)
        }),
        SqshlImm => shift_same(cpu, i, |es, hb, n, _, s| sat_q(sx(n, es) << (hb - es), es, false, s)),
        UqshlImm => shift_same(cpu, i, |es, hb, n, _, s| sat_q(ux(n, es) << (hb - es), es, true, s)),
        Sqshlu => shift_same(cpu, i, |es, hb, n, _, s| sat_q(sx(n, es) << (hb - es), es, true, s)),
        Shrn => shift_narrow(cpu, i, true, false, None),
        Rshrn => shift_narrow(cpu, i, true, true, None),
        Sqshrn => shift_narrow(cpu, i, false, false, Some(false)),
        Sqrshrn => shift_narrow(cpu, i, false, true, Some(false)),
        Uqshrn => shift_narrow(cpu, i, true, false, Some(true)),
        Uqrshrn => shift_narrow(cpu, i, true, true, Some(true)),
        Sqshrun => shift_narrow(cpu, i, false, false, Some(true)),
        Sqrshrun => shift_narrow(cpu, i, false, true, Some(true)),
        Sshll => shift_long(cpu, i, false),
        Ushll => shift_long(cpu, i, true),
        // ---------------------------------------------------------------- by element
        MulElem => by_elem(cpu, i, |_, a, b, _, _| a.wrapping_mul(b)),
        MlaElem => by_elem(cpu, i, |_, a, b, d, _| d.wrapping_add(a.wrapping_mul(b))),
        MlsElem => by_elem(cpu, i, |_, a, b, d, _| d.wrapping_sub(a.wrapping_mul(b))),
        SqdmulhElem => by_elem(cpu, i, |es, a, b, _, s| sqdmulh(a, b, es, false, s)),
        SqrdmulhElem => by_elem(cpu, i, |es, a, b, _, s| sqdmulh(a, b, es, true, s)),
        SmlalElem => by_elem_long(cpu, i, false, |_, a, b, d, _| d.wrapping_add((a * b) as u64)),
        UmlalElem => by_elem_long(cpu, i, true, |_, a, b, d, _| d.wrapping_add((a * b) as u64)),
        SmlslElem => by_elem_long(cpu, i, false, |_, a, b, d, _| d.wrapping_sub((a * b) as u64)),
        UmlslElem => by_elem_long(cpu, i, true, |_, a, b, d, _| d.wrapping_sub((a * b) as u64)),
        SmullElem => by_elem_long(cpu, i, false, |_, a, b, _, _| (a * b) as u64),
        UmullElem => by_elem_long(cpu, i, true, |_, a, b, _, _| (a * b) as u64),
        SqdmlalElem => by_elem_long(cpu, i, false, |es, a, b, d, s| sqdmlal(a, b, d, es, false, s)),
        SqdmlslElem => by_elem_long(cpu, i, false, |es, a, b, d, s| sqdmlal(a, b, d, es, true, s)),
        SqdmullElem => by_elem_long(cpu, i, false, |es, a, b, _, s| sqdmull(a, b, es, s) as u64),
        // ---------------------------------------------------------------- floating point
        Fadd => fpv::same(cpu, i, fpv::add),
        Fsub => fpv::same(cpu, i, fpv::sub),
        Fmul => fpv::same(cpu, i, fpv::mul),
        Fmulx => fpv::same(cpu, i, fpv::mulx),
        Fdiv => fpv::same(cpu, i, fpv::div),
        Fmax => fpv::same(cpu, i, fpv::max),
        Fmin => fpv::same(cpu, i, fpv::min),
        Fmaxnm => fpv::same(cpu, i, fpv::maxnm),
        Fminnm => fpv::same(cpu, i, fpv::minnm),
        Fabd => fpv::same(cpu, i, fpv::abd),
        Fmla => fpv::same(cpu, i, fpv::mla),
        Fmls => fpv::same(cpu, i, fpv::mls),
        Frecps => fpv::same(cpu, i, fpv::recps),
        Frsqrts => fpv::same(cpu, i, fpv::rsqrts),
        Fcmeq => fpv::same(cpu, i, fpv::cmeq),
        Fcmge => fpv::same(cpu, i, fpv::cmge),
        Fcmgt => fpv::same(cpu, i, fpv::cmgt),
        Facge => fpv::same(cpu, i, fpv::acge),
        Facgt => fpv::same(cpu, i, fpv::acgt),
        Faddp | Fmaxp | Fminp | Fmaxnmp | Fminnmp => {
            let f: fpv::Bin = match op {
                Faddp => fpv::add,
                Fmaxp => fpv::max,
                Fminp => fpv::min,
                Fmaxnmp => fpv::maxnm,
                _ => fpv::minnm,
            };
            if i.bit(28) {
                fpv::pairwise_scalar(cpu, i, f)
            } else {
                fpv::pairwise(cpu, i, f)
            }
        }
        Fmaxnmv => fpv::across(cpu, i, fpv::maxnm),
        Fminnmv => fpv::across(cpu, i, fpv::minnm),
        Fmaxv => fpv::across(cpu, i, fpv::max),
        Fminv => fpv::across(cpu, i, fpv::min),
        FcmeqZero => fpv::misc(cpu, i, |sz, x, c, s| fpv::cmeq(sz, x, 0, 0, c, s)),
        FcmgeZero => fpv::misc(cpu, i, |sz, x, c, s| fpv::cmge(sz, x, 0, 0, c, s)),
        FcmgtZero => fpv::misc(cpu, i, |sz, x, c, s| fpv::cmgt(sz, x, 0, 0, c, s)),
        FcmleZero => fpv::misc(cpu, i, |sz, x, c, s| fpv::cmge(sz, 0, x, 0, c, s)),
        FcmltZero => fpv::misc(cpu, i, |sz, x, c, s| fpv::cmgt(sz, 0, x, 0, c, s)),
        Fabs => fpv::misc(cpu, i, |sz, x, _, _| fp::fp_abs(sz, x)),
        Fneg => fpv::misc(cpu, i, |sz, x, _, _| fp::fp_neg(sz, x)),
        Fsqrt => fpv::misc(cpu, i, fp::fp_sqrt),
        Frecpe => fpv::misc(cpu, i, fp::fp_recpe),
        Frsqrte => fpv::misc(cpu, i, fp::fp_rsqrte),
        Frecpx => fpv::misc(cpu, i, fp::fp_recpx),
        Frintn | Frintm | Frintp | Frintz | Frinta | Frintx | Frinti => {
            let fpcr_rm = ((cpu.fpcr >> 22) & 3) as u32;
            let (rm, exact) = match op {
                Frintn => (fp::RM_TIEEVEN, false),
                Frintm => (fp::RM_NEGINF, false),
                Frintp => (fp::RM_POSINF, false),
                Frintz => (fp::RM_ZERO, false),
                Frinta => (fp::RM_TIEAWAY, false),
                Frintx => (fpcr_rm, true),
                _ => (fpcr_rm, false),
            };
            fpv::misc(cpu, i, |sz, x, c, s| fp::fp_round_int(sz, x, rm, exact, c, s))
        }
        Fcvtns | Fcvtms | Fcvtas | Fcvtps | Fcvtzs | Fcvtnu | Fcvtmu | Fcvtau | Fcvtpu | Fcvtzu => {
            let (rm, unsigned) = match op {
                Fcvtns => (fp::RM_TIEEVEN, false),
                Fcvtms => (fp::RM_NEGINF, false),
                Fcvtas => (fp::RM_TIEAWAY, false),
                Fcvtps => (fp::RM_POSINF, false),
                Fcvtzs => (fp::RM_ZERO, false),
                Fcvtnu => (fp::RM_TIEEVEN, true),
                Fcvtmu => (fp::RM_NEGINF, true),
                Fcvtau => (fp::RM_TIEAWAY, true),
                Fcvtpu => (fp::RM_POSINF, true),
                _ => (fp::RM_ZERO, true),
            };
            fpv::misc(cpu, i, |sz, x, c, s| fp::fp_to_int(sz, x, 0, unsigned, rm, sz.bits(), c, s))
        }
        Scvtf => fpv::misc(cpu, i, |sz, x, c, s| fp::int_to_fp(sz, x, sz.bits(), true, 0, c, s)),
        Ucvtf => fpv::misc(cpu, i, |sz, x, c, s| fp::int_to_fp(sz, x, sz.bits(), false, 0, c, s)),
        Fcvtn => fpv::fcvtn(cpu, i, false),
        Fcvtxn => fpv::fcvtn(cpu, i, true),
        Fcvtl => fpv::fcvtl(cpu, i),
        ScvtfFix => fpv::fixed(cpu, i, false, false),
        UcvtfFix => fpv::fixed(cpu, i, false, true),
        FcvtzsFix => fpv::fixed(cpu, i, true, false),
        FcvtzuFix => fpv::fixed(cpu, i, true, true),
        FmlaElem => fpv::by_elem(cpu, i, fpv::mla),
        FmlsElem => fpv::by_elem(cpu, i, fpv::mls),
        FmulElem => fpv::by_elem(cpu, i, fpv::mul),
        FmulxElem => fpv::by_elem(cpu, i, fpv::mulx),
    }
}
