//! Case generation: random words of one decoder-table row, constrained so that running them in
//! the harness is meaningful, and random initial states rich in edge cases.
//!
//! Invariants: every generated word decodes (through `arch::table::decode`) to the row it was
//! drawn for; every memory access of a generated case stays inside the data page (the base
//! register is chosen from the drawn offset), every branch lands on a pad inside the case's
//! own sequence; a word that cannot be made so is dropped with a reason (counted in the summary).
//!
//! What is never generated, and why (STYLE.md habit 10):
//! - SVC, BRK, HLT (whole rows): exception generation; a system call or a trap is not an
//!   instruction result to compare (SVC would run arbitrary system calls).
//! - HINT #2 WFE, HINT #3 WFI: may wait for an event or an interrupt; timing, not state.
//! - SYS other than DC ZVA/CVAC/CVAU/CIVAC and IC IVAU: the rest are EL1 operations (UNDEFINED at
//!   EL0 in both) or later extensions (DC CVAP/CVADP, FEAT_DPB); never EL0 state.
//! - MRS other than NZCV, FPCR, FPSR, TPIDR_EL0: ID registers (MIDR_EL1, ID_AA64*, CTR_EL0,
//!   REVIDR) differ by design (we advertise exactly what we implement; qemu `max` advertises its
//!   own feature set); DCZID_EL0 too (the DC ZVA block: 64 bytes here, 512 under qemu `max`);
//!   CNTVCT_EL0/CNTFRQ_EL0/RNDR read time or randomness.
//! - DC ZVA is compared modulo the block size: each emulator must zero exactly one naturally
//!   aligned power-of-two block (16 B..2 KiB) containing the address (see `run::zva_block`).
//! - MSR other than NZCV, FPCR, FPSR, TPIDR_EL0: nothing else is writable at EL0. MSR FPSR takes
//!   only the AArch64 FPSR bits (QC, IDC, IXC, UFC, OFC, DZC, IOC: mask 0x0800_009f): qemu keeps
//!   bits 31:28 (AArch32's FPSCR.NZCV, RES0 for an AArch64-only core like ours). MSR FPCR takes
//!   only the ARMv8.0 AArch64 bits (AHP, DN, FZ, RMode: mask 0x07c0_0000): FZ16 and the
//!   FEAT_AFP bits are implemented by qemu `max` and RES0 here by design. MSR TPIDR_EL0 is
//!   followed by an MRS of it, as the epilogue uses TPIDR_EL0 to save X0.
//! - Scalar FP with ftype = 11 except FCVT: FEAT_FP16 arithmetic is beyond ARMv8.0; ftype = 10
//!   is reserved (UNDEFINED in both, but every such case would cost a restart of ours).
//! - Branch targets other than a pad 2-4 instructions ahead, BR/BLR/RET to XZR: a target outside
//!   the sequence is not observable (it would run the slot's UDF filler).
//! - Load/store encodings that are CONSTRAINED UNPREDICTABLE (writeback with Rn = Rt, pair loads
//!   with Rt = Rt2, exclusive stores with Rs = Rt or Rs = Rn, non-ones in SBO fields of
//!   LDXR/LDAR/STLR): the architecture allows several results, so the two emulators may differ.
//! - Unallocated size/opc/option combinations of loads and stores: UNDEFINED in both, and each
//!   would cost a restart of ours until it delivers signals.

use super::{slot_addr, DATA_PAGE, MAXW, REGS_SIZE};
use qemu_aarch64_lite::arch::table::{decode, BrOp, FpOp, LdStOp, LdStSimdOp, Op, Row};

/// splitmix64: small, fast, reproducible.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1A4_F87D)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// The harness's register file (layout of `harness.h`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Regs {
    pub x: [u64; 31],
    pub sp: u64,
    pub nzcv: u64,
    pub fpcr: u64,
    pub fpsr: u64,
    pub tpidr: u64,
    pub v: [u128; 32],
}

impl Regs {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(REGS_SIZE);
        for x in self.x {
            b.extend_from_slice(&x.to_le_bytes());
        }
        for x in [self.sp, self.nzcv, self.fpcr, self.fpsr, self.tpidr] {
            b.extend_from_slice(&x.to_le_bytes());
        }
        for v in self.v {
            b.extend_from_slice(&v.to_le_bytes());
        }
        debug_assert_eq!(b.len(), REGS_SIZE);
        b
    }
    pub fn from_bytes(b: &[u8]) -> Regs {
        let q = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        let mut r = Regs::default();
        for (i, x) in r.x.iter_mut().enumerate() {
            *x = q(i);
        }
        r.sp = q(31);
        r.nzcv = q(32);
        r.fpcr = q(33);
        r.fpsr = q(34);
        r.tpidr = q(35);
        for (i, v) in r.v.iter_mut().enumerate() {
            let o = 288 + 16 * i;
            *v = u128::from_le_bytes(b[o..o + 16].try_into().unwrap_or([0; 16]));
        }
        r
    }
    /// Write general register `n` where 31 means SP (as a base register does).
    fn set_base(&mut self, n: u32, v: u64) {
        if n == 31 {
            self.sp = v
        } else {
            self.x[n as usize] = v
        }
    }
}

/// One test case: a short sequence (the row's word, plus pads or a helper instruction, or in
/// sequence mode words of many rows, see `seq`), an initial state and a data page.
#[derive(Clone, Debug)]
pub struct Case {
    pub row: &'static str,
    /// Index of the word drawn from the row within `words`.
    pub main: usize,
    pub words: Vec<u32>,
    pub regs: Regs,
    pub page: Vec<u8>,
    pub slot: u32,
    /// The address of a DC ZVA in the sequence (its block size differs by design).
    pub zva: Option<u64>,
    /// Sequence mode (`--sequence`): the row (or helper) of each word, and the case's index in
    /// the run (a case is a pure function of the seed, the row set, the length and this index).
    /// Empty / `None` for single-row cases.
    pub rows: Vec<&'static str>,
    pub index: Option<u64>,
}

impl Case {
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&super::MAGIC_IN.to_le_bytes());
        out.extend_from_slice(&self.slot.to_le_bytes());
        out.extend_from_slice(&(self.words.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&self.regs.to_bytes());
        for i in 0..MAXW {
            out.extend_from_slice(&self.words.get(i).copied().unwrap_or(0).to_le_bytes());
        }
        out.extend_from_slice(&self.page);
    }
    /// Address of `words[i]`.
    pub fn pc(&self, i: usize) -> u64 {
        slot_addr(self.slot) + 4 + 4 * i as u64
    }
}

// ---- values ----

fn f16_edges() -> &'static [u16] {
    &[
        0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7e01, 0x7c01, 0x7d00, 0xfc01, 0x0001, 0x8001, 0x03ff, 0x0400,
        0x7bff, 0xfbff, 0x3c00, 0xbc00, 0x3800, 0x3e00, 0x4100, 0x3bff, 0x3c01, 0x7800, 0x5bff, 0x6000,
    ]
}

fn f32_edges() -> Vec<u32> {
    let mut v: Vec<u32> = vec![
        0,
        0x8000_0000,
        0x7f80_0000,
        0xff80_0000,
        0x7fc0_0000,
        0xffc0_0000,
        0x7fc0_1234,
        0x7f80_0001,
        0x7fa0_0000,
        0xffbf_ffff,
        1,
        0x8000_0001,
        0x007f_ffff,
        0x0080_0000,
        0x8080_0000,
        0x7f7f_ffff,
        0xff7f_ffff,
    ];
    for f in [
        1.0f32,
        -1.0,
        0.5,
        1.5,
        2.5,
        -2.5,
        0.499_999_97,
        3.5,
        -0.5,
        2147483648.0,
        2147483520.0,
        -2147483648.0,
        4294967296.0,
        4294967040.0,
        9.223_372e18,
        1.844_674_4e19,
        -9.223_372e18,
        16777216.0,
        16777217.0,
        65504.0,
        65520.0,
        6.1035156e-5,
        5.9604645e-8,
        1e-40,
        3.4e38,
        0.1,
        1.0e10,
    ] {
        v.push(f.to_bits());
    }
    v
}

fn f64_edges() -> Vec<u64> {
    let mut v: Vec<u64> = vec![
        0,
        0x8000_0000_0000_0000,
        0x7ff0_0000_0000_0000,
        0xfff0_0000_0000_0000,
        0x7ff8_0000_0000_0000,
        0xfff8_0000_0000_0000,
        0x7ff8_0000_0000_0123,
        0x7ff0_0000_0000_0001,
        0x7ff4_0000_0000_0000,
        0xfff7_ffff_ffff_ffff,
        1,
        0x8000_0000_0000_0001,
        0x000f_ffff_ffff_ffff,
        0x0010_0000_0000_0000,
        0x7fef_ffff_ffff_ffff,
        0xffef_ffff_ffff_ffff,
    ];
    for f in [
        1.0f64,
        -1.0,
        0.5,
        1.5,
        2.5,
        -2.5,
        0.499_999_999_999_999_94,
        3.5,
        -0.5,
        2147483648.0,
        2147483647.0,
        2147483647.5,
        2147483648.5,
        -2147483648.0,
        -2147483648.5,
        -2147483649.0,
        4294967295.0,
        4294967295.5,
        4294967296.0,
        9.223_372_036_854_776e18,
        9.223_372_036_854_775e18,
        1.844_674_407_370_955_2e19,
        -9.223_372_036_854_776e18,
        9007199254740993.0,
        3.402_823_466_385_288_6e38,
        3.402_823_566_385_288_6e38,
        1.175_494_350_822_287_5e-38,
        1.4e-45,
        7.0e-46,
        65504.0,
        65520.0,
        5.960_464_477_539_063e-8,
        0.1,
        1e300,
        1e-300,
        2.225_073_858_507_201e-308,
    ] {
        v.push(f.to_bits());
    }
    v
}

/// A general-purpose register value: edge cases about half of the time.
pub fn gpr_value(rng: &mut Rng) -> u64 {
    match rng.below(16) {
        0 => 0,
        1 => 1,
        2 => u64::MAX,
        3 => rng.pick(&[
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0000,
            i64::MAX as u64,
            i64::MIN as u64,
            0xffff_ffff_8000_0000,
            0xffff_ffff_ffff_ff80,
            0xffff_ffff_ffff_8000,
            0x8000_0000_0000_0001,
        ]),
        4 => 1u64 << rng.below(64),
        5 => (1u64 << rng.below(64)).wrapping_neg(),
        6 => rng.below(64),
        7 => rng.below(64).wrapping_neg(),
        8 => rng.pick(&f64_edges()),
        9 => (rng.next() & 0xffff_ffff_0000_0000) | rng.pick(&f32_edges()) as u64,
        10 => rng.next() & 0xffff_ffff,
        11 => (rng.next() as i32) as i64 as u64,
        _ => rng.next(),
    }
}

fn rand_float(rng: &mut Rng, width: u32) -> u64 {
    let sign = rng.below(2);
    match width {
        16 => (sign << 15) | ((15 + rng.below(29) - 14) << 10) | rng.below(1 << 10),
        32 => (sign << 31) | ((127 + rng.below(81) - 40) << 23) | rng.below(1 << 23),
        _ => (sign << 63) | ((1023 + rng.below(161) - 80) << 52) | rng.below(1 << 52),
    }
}

/// One lane of `width` bits.
fn lane_value(rng: &mut Rng, width: u32) -> u64 {
    let mask = if width == 64 { u64::MAX } else { (1u64 << width) - 1 };
    let v = match (width, rng.below(8)) {
        (8, _) => gpr_value(rng),
        (16, 0..=2) => rng.pick(f16_edges()) as u64,
        (32, 0..=2) => rng.pick(&f32_edges()) as u64,
        (64, 0..=2) => rng.pick(&f64_edges()),
        (_, 3..=4) => rand_float(rng, width),
        (_, 5..=6) => gpr_value(rng),
        _ => rng.next(),
    };
    v & mask
}

/// A vector register built from lanes of one width (`hint`, when the row suggests one, or random).
fn vreg_value(rng: &mut Rng, hint: Option<u32>) -> u128 {
    let width = match hint {
        Some(w) if rng.chance(2, 3) => w,
        _ => rng.pick(&[8, 16, 32, 64]),
    };
    let mut v = 0u128;
    for i in 0..128 / width {
        v |= (lane_value(rng, width) as u128) << (i * width);
    }
    v
}

/// The element width a row most likely operates on (FP ftype / sz, or the integer size field).
fn width_hint(row: &Row, word: u32) -> Option<u32> {
    match row.op {
        Op::Fp(_) => match (word >> 22) & 3 {
            0 => Some(32),
            1 => Some(64),
            3 => Some(16),
            _ => None,
        },
        Op::Simd(_) => {
            if row.name.starts_with('F') || row.name.contains("CVTF") {
                Some(if word & (1 << 22) != 0 { 64 } else { 32 })
            } else {
                Some(8 << ((word >> 22) & 3))
            }
        }
        _ => None,
    }
}

pub(crate) fn random_state(rng: &mut Rng, hint: Option<u32>) -> (Regs, Vec<u8>) {
    let mut r = Regs::default();
    for x in r.x.iter_mut() {
        *x = gpr_value(rng);
    }
    r.sp = DATA_PAGE + 16 * rng.below(256);
    r.nzcv = rng.below(16) << 28;
    r.fpcr = (rng.below(4) << 22)
        | if rng.chance(1, 4) { 1 << 24 } else { 0 }
        | if rng.chance(1, 4) { 1 << 25 } else { 0 }
        | if rng.chance(1, 8) { 1 << 26 } else { 0 };
    r.fpsr = if rng.chance(1, 4) { rng.next() & 0x0800_009f } else { 0 };
    r.tpidr = gpr_value(rng);
    for v in r.v.iter_mut() {
        *v = vreg_value(rng, hint);
    }
    let mut page = Vec::with_capacity(4096);
    while page.len() < 4096 {
        let q = match rng.below(8) {
            0..=3 => rng.next(),
            4..=5 => gpr_value(rng),
            6 => rng.pick(&f64_edges()),
            _ => lane_value(rng, 32) | (lane_value(rng, 32) << 32),
        };
        page.extend_from_slice(&q.to_le_bytes());
    }
    (r, page)
}

// ---- rows ----

/// Rows never generated, with the reason (see the module comment).
pub fn row_skip_reason(row: &Row) -> Option<&'static str> {
    match row.op {
        Op::Br(BrOp::Svc) => Some("exception generation: a system call, not an instruction result"),
        Op::Br(BrOp::Brk) => Some("exception generation: SIGTRAP, nothing to compare"),
        Op::Br(BrOp::Hlt) => Some("exception generation: halting debug, UNDEFINED for Linux tasks"),
        _ => None,
    }
}

pub(crate) fn field(w: u32, lo: u32, width: u32) -> u32 {
    (w >> lo) & ((1 << width) - 1)
}

pub(crate) fn set_field(w: u32, lo: u32, width: u32, v: u32) -> u32 {
    let m = ((1u32 << width) - 1) << lo;
    (w & !m) | ((v << lo) & m)
}

/// `ADD Xm, Xm, #1`: the marker placed between a branch and its target.
fn marker(m: u32) -> u32 {
    0x9100_0400 | (m << 5) | m
}

/// A register in 0..=30 not in `avoid`.
pub(crate) fn reg_not_in(rng: &mut Rng, avoid: &[u32]) -> u32 {
    loop {
        let r = rng.below(31) as u32;
        if !avoid.contains(&r) {
            return r;
        }
    }
}

pub(crate) type Gen = Result<(Vec<u32>, usize), &'static str>;

/// Draw one case of `row` for code slot `slot`.
pub fn generate(row: &'static Row, rng: &mut Rng, slot: u32) -> Result<Case, &'static str> {
    let mut last = "word decodes to an earlier row";
    for _ in 0..16 {
        let word = row.value | (rng.next() as u32 & !row.mask);
        let Some(word) = fix_fields(row, word, rng, false)? else { continue };
        if !decode(word).is_some_and(|r| std::ptr::eq(r, row) || r.name == row.name) {
            last = "word decodes to an earlier row";
            continue;
        }
        let (regs, page) = random_state(rng, width_hint(row, word));
        let mut case = Case {
            row: row.name,
            main: 0,
            words: vec![word],
            regs,
            page,
            slot,
            zva: None,
            rows: Vec::new(),
            index: None,
        };
        match setup(row, &mut case, rng, WHOLE_PAGE) {
            Ok((words, main)) => {
                case.words = words;
                case.main = main;
                return Ok(case);
            }
            Err(why) => last = why,
        }
    }
    Err(last)
}

/// op1:CRn:CRm:op2 of DC ZVA (bits 18:5 of SYS).
const DC_ZVA: u32 = (3 << 11) | (7 << 7) | (4 << 3) | 1;

const SYS_DC_IC: &[(u32, u32, u32, u32)] = &[
    // (op1, CRn, CRm, op2)
    (3, 7, 4, 1),  // DC ZVA
    (3, 7, 10, 1), // DC CVAC
    (3, 7, 11, 1), // DC CVAU
    (3, 7, 14, 1), // DC CIVAC
    (3, 7, 5, 1),  // IC IVAU
];

/// (op0, op1, CRn, CRm, op2) of the system registers compared.
pub(crate) const SR_NZCV: (u32, u32, u32, u32, u32) = (3, 3, 4, 2, 0);
pub(crate) const SR_FPCR: (u32, u32, u32, u32, u32) = (3, 3, 4, 4, 0);
pub(crate) const SR_FPSR: (u32, u32, u32, u32, u32) = (3, 3, 4, 4, 1);
pub(crate) const SR_TPIDR: (u32, u32, u32, u32, u32) = (3, 3, 13, 0, 2);

pub(crate) fn sysreg_bits(sr: (u32, u32, u32, u32, u32)) -> u32 {
    let (op0, op1, crn, crm, op2) = sr;
    ((op0 & 1) << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2
}

/// `MRS Xt, <sr>`
fn mrs(sr: (u32, u32, u32, u32, u32), t: u32) -> u32 {
    0xD530_0000 | (sysreg_bits(sr) << 5) | t
}

/// Constrain the drawn word; `Ok(None)` = draw again, `Err` = give up with a reason. `seq`: the
/// word is part of a multi-row sequence (no DC ZVA: its block is compared modulo its size, which
/// other stores of the sequence would blur).
pub(crate) fn fix_fields(row: &Row, mut w: u32, rng: &mut Rng, seq: bool) -> Result<Option<u32>, &'static str> {
    let t = field(w, 0, 5);
    let n = field(w, 5, 5);
    let t2 = field(w, 10, 5);
    let s = field(w, 16, 5);
    if reserved(row, w) && !rng.chance(1, 16) {
        return Ok(None);
    }
    match row.op {
        Op::Br(BrOp::Hint) => {
            if matches!(field(w, 5, 7), 2 | 3) {
                return Ok(None); // WFE, WFI
            }
        }
        Op::Br(BrOp::Sys) => {
            let (op1, crn, crm, op2) = rng.pick(if seq { &SYS_DC_IC[1..] } else { SYS_DC_IC });
            w = set_field(w, 16, 3, op1);
            w = set_field(w, 12, 4, crn);
            w = set_field(w, 8, 4, crm);
            w = set_field(w, 5, 3, op2);
            if t == 31 {
                return Ok(None);
            }
        }
        Op::Br(BrOp::Mrs) => {
            let sr = rng.pick(&[SR_NZCV, SR_FPCR, SR_FPSR, SR_TPIDR]);
            w = set_field(w, 5, 15, sysreg_bits(sr));
        }
        Op::Br(BrOp::Msr) => {
            let sr = rng.pick(&[SR_NZCV, SR_FPCR, SR_FPSR, SR_TPIDR]);
            w = set_field(w, 5, 15, sysreg_bits(sr));
        }
        Op::Br(BrOp::Br | BrOp::Blr | BrOp::Ret) if n == 31 => return Ok(None),
        Op::LdSt(op) => {
            let size = field(w, 30, 2);
            let opc = field(w, 22, 2);
            match op {
                LdStOp::Ldxr | LdStOp::Ldaxr | LdStOp::Stlr | LdStOp::Ldar => {
                    w = set_field(w, 16, 5, 31);
                    w = set_field(w, 10, 5, 31);
                }
                LdStOp::Stxr | LdStOp::Stlxr => {
                    w = set_field(w, 10, 5, 31);
                    if s == t || (s == n && n != 31) {
                        return Ok(None);
                    }
                }
                LdStOp::Ldxp | LdStOp::Ldaxp => {
                    w = set_field(w, 16, 5, 31);
                    if t == t2 {
                        return Ok(None);
                    }
                }
                LdStOp::Stxp | LdStOp::Stlxp if s == t || s == t2 || (s == n && n != 31) => return Ok(None),
                LdStOp::LdrLitFp if size == 3 => return Ok(None),
                LdStOp::Stp | LdStOp::Ldp | LdStOp::Ldpsw | LdStOp::StpFp | LdStOp::LdpFp => {
                    let pp = field(w, 23, 2);
                    let load = w & (1 << 22) != 0;
                    let wback = pp == 1 || pp == 3;
                    let fp = matches!(op, LdStOp::StpFp | LdStOp::LdpFp);
                    if (fp && size == 3) || (op == LdStOp::Ldpsw && pp == 0) {
                        return Ok(None);
                    }
                    if load && t == t2 {
                        return Ok(None);
                    }
                    if !fp && wback && n != 31 && (t == n || t2 == n) {
                        return Ok(None);
                    }
                }
                LdStOp::LdStImm9 | LdStOp::LdStReg | LdStOp::LdStUimm => {
                    let mode = field(w, 10, 2);
                    if size >= 2 && opc == 3 {
                        return Ok(None);
                    }
                    if op == LdStOp::LdStImm9 {
                        if size == 3 && opc == 2 && mode != 0 {
                            return Ok(None);
                        }
                        if (mode == 1 || mode == 3) && t == n && n != 31 {
                            return Ok(None);
                        }
                    }
                    if op == LdStOp::LdStReg && field(w, 14, 1) == 0 {
                        return Ok(None); // option<1> = 0: unallocated
                    }
                }
                LdStOp::LdStImm9Fp | LdStOp::LdStRegFp | LdStOp::LdStUimmFp => {
                    if opc & 2 != 0 && size != 0 {
                        return Ok(None);
                    }
                    if op == LdStOp::LdStImm9Fp && field(w, 10, 2) == 2 {
                        return Ok(None);
                    }
                    if op == LdStOp::LdStRegFp && field(w, 14, 1) == 0 {
                        return Ok(None);
                    }
                }
                _ => {}
            }
        }
        Op::Fp(op) => {
            let p = row.pattern.as_bytes();
            if p[8] == b't' && p[9] == b't' {
                if op == FpOp::Fcvt {
                    let ft = rng.pick(&[0, 1, 3]);
                    let tos: Vec<u32> = [0, 1, 3].into_iter().filter(|&x| x != ft).collect();
                    let to = rng.pick(&tos);
                    w = set_field(w, 22, 2, ft);
                    w = set_field(w, 15, 2, to);
                } else {
                    w = set_field(w, 22, 2, rng.below(2) as u32);
                }
                let ft = field(w, 22, 2);
                if matches!(op, FpOp::FmovToGen | FpOp::FmovFromGen) {
                    w = set_field(w, 31, 1, ft);
                }
                if row.name.ends_with("_fix") && w & (1 << 31) == 0 {
                    w |= 1 << 15; // 32-bit fixed point: scale >= 32
                }
                if op == FpOp::Fcmp && w & (1 << 3) != 0 {
                    w = set_field(w, 16, 5, 0); // compare with zero: Rm is (0)
                }
            }
        }
        _ => {}
    }
    Ok(Some(w))
}

/// Field values the Arm ARM makes UNDEFINED in integer rows (generated only 1 time in 16: each
/// such case costs a restart of an emulator that does not deliver SIGILL to the guest).
pub(crate) fn reserved(row: &Row, w: u32) -> bool {
    use qemu_aarch64_lite::arch::table::{DpImmOp as I, DpRegOp as R};
    let sf = w >> 31;
    let nbit = field(w, 22, 1);
    let immr = field(w, 16, 6);
    let imms = field(w, 10, 6);
    match row.op {
        Op::DpImm(I::AndImm | I::OrrImm | I::EorImm | I::AndsImm) => {
            // DecodeBitMasks: N = 1 needs sf = 1; the element's imms must not be all ones.
            let len = if nbit == 1 { 6 } else { 5 - (!imms & 0x3f).leading_zeros().saturating_sub(26).min(5) };
            (sf == 0 && nbit == 1) || (nbit == 0 && imms >= 0x3e) || (imms & ((1 << len) - 1)) == (1 << len) - 1
        }
        Op::DpImm(I::Sbfm | I::Bfm | I::Ubfm) => sf != nbit || (sf == 0 && (immr >= 32 || imms >= 32)),
        Op::DpImm(I::Extr) => sf != nbit || (sf == 0 && imms >= 32),
        Op::DpImm(I::Movn | I::Movz | I::Movk) => sf == 0 && field(w, 22, 2) >= 2,
        Op::DpReg(
            R::And
            | R::Bic
            | R::Orr
            | R::Orn
            | R::Eor
            | R::Eon
            | R::Ands
            | R::Bics
            | R::AddShifted
            | R::AddsShifted
            | R::SubShifted
            | R::SubsShifted,
        ) => {
            let shift_ror = field(w, 22, 2) == 3 && w & (1 << 24) != 0;
            (sf == 0 && imms >= 32) || shift_ror
        }
        Op::DpReg(R::AddExt | R::AddsExt | R::SubExt | R::SubsExt) => field(w, 10, 3) > 4 || field(w, 22, 2) != 0,
        _ => false,
    }
}

/// The part of the data page that accesses land in: (offset, size). [`WHOLE_PAGE`] for
/// single-row cases; sequences use a small window half of the time, so that their loads and
/// stores overlap.
pub(crate) const WHOLE_PAGE: (u64, u64) = (0, 4096);

/// Choose base register `n` (31 = SP) so that an access of `len` bytes at base + `off`
/// (aligned to `align`) stays in the window `win` of the data page.
pub(crate) fn place(
    regs: &mut Regs,
    rng: &mut Rng,
    win: (u64, u64),
    n: u32,
    len: u64,
    align: u64,
    off: i64,
) -> Result<u64, &'static str> {
    let (lo, size) = if len > win.1 { WHOLE_PAGE } else { win };
    if len > 4096 {
        return Err("access larger than the data page");
    }
    for _ in 0..32 {
        let mut t = (lo + rng.below(size - len + 1)) & !(align - 1);
        if n == 31 {
            // SP as a base must be 16-byte aligned (Linux sets SCTLR_EL1.SA0).
            let base = (DATA_PAGE as i64 + t as i64 - off) as u64;
            let fix = base & 15;
            if fix > t {
                continue;
            }
            t -= fix;
            if !t.is_multiple_of(align) {
                continue;
            }
        }
        let base = (DATA_PAGE as i64 + t as i64 - off) as u64;
        regs.set_base(n, base);
        return Ok(DATA_PAGE + t);
    }
    Err("no SP-aligned base for this offset")
}

pub(crate) fn sext(v: u32, bits: u32) -> i64 {
    ((v as i64) << (64 - bits)) >> (64 - bits)
}

/// Build the sequence around the drawn word and the inputs it needs. Returns (words, index of
/// the drawn word).
pub(crate) fn setup(row: &Row, case: &mut Case, rng: &mut Rng, win: (u64, u64)) -> Gen {
    let w = case.words[0];
    let t = field(w, 0, 5);
    let n = field(w, 5, 5);
    let t2 = field(w, 10, 5);
    let s = field(w, 16, 5);
    let size = field(w, 30, 2);
    let regs = &mut case.regs;
    match row.op {
        Op::Br(op @ (BrOp::BCond | BrOp::Cbz | BrOp::Cbnz | BrOp::Tbz | BrOp::Tbnz | BrOp::B | BrOp::Bl)) => {
            let k = 2 + rng.below(3) as u32; // target: k instructions ahead
            let (w, tested) = match op {
                BrOp::B | BrOp::Bl => (set_field(w, 0, 26, k), vec![30]),
                BrOp::Tbz | BrOp::Tbnz => (set_field(w, 5, 14, k), vec![t]),
                BrOp::BCond => (set_field(w, 5, 19, k), vec![]),
                _ => (set_field(w, 5, 19, k), vec![t]),
            };
            if matches!(op, BrOp::Cbz | BrOp::Cbnz) && t != 31 && rng.chance(1, 2) {
                regs.x[t as usize] &= if w & (1 << 31) != 0 { 0 } else { 0xffff_ffff_0000_0000 };
            }
            let m = reg_not_in(rng, &[tested.as_slice(), &[30]].concat());
            let mut words = vec![w];
            words.extend((1..k).map(|_| marker(m)));
            Ok((words, 0))
        }
        Op::Br(BrOp::Br | BrOp::Blr | BrOp::Ret) => {
            let k = 2 + rng.below(3);
            regs.x[n as usize] = slot_addr(case.slot) + 4 + 4 * k;
            let m = reg_not_in(rng, &[n, 30]);
            let mut words = vec![w];
            words.extend((1..k).map(|_| marker(m)));
            Ok((words, 0))
        }
        Op::Br(BrOp::Sys) => {
            regs.x[t as usize] = DATA_PAGE + rng.below(4096);
            if field(w, 5, 14) == DC_ZVA {
                case.zva = Some(regs.x[t as usize]);
            }
            Ok((vec![w], 0))
        }
        Op::Br(BrOp::Msr) => {
            let sr = field(w, 5, 15);
            if sr == sysreg_bits(SR_FPCR) && t != 31 {
                regs.x[t as usize] &= 0x07c0_0000;
            }
            if sr == sysreg_bits(SR_FPSR) && t != 31 {
                regs.x[t as usize] &= 0x0800_009f;
            }
            if sr == sysreg_bits(SR_TPIDR) {
                let k = rng.below(31) as u32;
                return Ok((vec![w, mrs(SR_TPIDR, k)], 0));
            }
            Ok((vec![w], 0))
        }
        Op::LdSt(op) => {
            let words = vec![w];
            match op {
                LdStOp::Ldxr | LdStOp::Ldaxr | LdStOp::Stlr | LdStOp::Ldar => {
                    let len = 1 << size;
                    place(regs, rng, win, n, len, len, 0)?;
                    Ok((words, 0))
                }
                LdStOp::Stxr | LdStOp::Stlxr => {
                    let len = 1 << size;
                    place(regs, rng, win, n, len, len, 0)?;
                    if rng.chance(2, 3) {
                        // LDXR of the same size and address first, so that the store can succeed.
                        let lt = reg_not_in(rng, &[n, s]);
                        let ld = (size << 30) | 0x085f_7c00 | (n << 5) | lt;
                        return Ok((vec![ld, w], 1));
                    }
                    Ok((words, 0))
                }
                LdStOp::Ldxp | LdStOp::Ldaxp => {
                    let len = 8 << field(w, 30, 1);
                    place(regs, rng, win, n, len, len, 0)?;
                    Ok((words, 0))
                }
                LdStOp::Stxp | LdStOp::Stlxp => {
                    let len = 8 << field(w, 30, 1);
                    place(regs, rng, win, n, len, len, 0)?;
                    if rng.chance(2, 3) {
                        let a = reg_not_in(rng, &[n, s]);
                        let b = reg_not_in(rng, &[n, s, a]);
                        let ld = (field(w, 30, 1) << 30) | 0x887f_0000 | (b << 10) | (n << 5) | a;
                        return Ok((vec![ld, w], 1));
                    }
                    Ok((words, 0))
                }
                LdStOp::LdrLit | LdStOp::LdrswLit | LdStOp::LdrLitFp | LdStOp::PrfmLit => {
                    let len: u64 = match op {
                        LdStOp::LdrLit => 4 << field(w, 30, 1),
                        LdStOp::LdrLitFp => 4 << size,
                        _ => 4,
                    };
                    // Target: a word of this case's slot (the instruction is slot word 1).
                    let j = rng.below(64 - len / 4 + 1) as i64;
                    let w = set_field(w, 5, 19, (j - 1) as u32);
                    Ok((vec![w], 0))
                }
                LdStOp::Stp | LdStOp::Ldp | LdStOp::Ldpsw | LdStOp::StpFp | LdStOp::LdpFp => {
                    let esize: u64 = match op {
                        LdStOp::StpFp | LdStOp::LdpFp => 4 << size,
                        LdStOp::Ldpsw => 4,
                        _ => 4 << (size >> 1),
                    };
                    let pp = field(w, 23, 2);
                    let off = sext(field(w, 15, 7), 7) * esize as i64;
                    place(regs, rng, win, n, 2 * esize, 1, if pp == 1 { 0 } else { off })?;
                    Ok((words, 0))
                }
                LdStOp::LdStImm9 | LdStOp::LdStImm9Fp => {
                    let len = access_len(op, w);
                    let off = sext(field(w, 12, 9), 9);
                    place(regs, rng, win, n, len, 1, if field(w, 10, 2) == 1 { 0 } else { off })?;
                    Ok((words, 0))
                }
                LdStOp::LdStUimm | LdStOp::LdStUimmFp => {
                    let len = access_len(op, w);
                    let off = field(w, 10, 12) as i64 * len as i64;
                    place(regs, rng, win, n, len, 1, off)?;
                    Ok((words, 0))
                }
                LdStOp::LdStReg | LdStOp::LdStRegFp => {
                    let len = access_len(op, w);
                    let m = field(w, 16, 5);
                    if m == n && n != 31 {
                        return Err("register offset with Rm = Rn");
                    }
                    let option = field(w, 13, 3);
                    let signed = option & 4 != 0;
                    let shift = if w & (1 << 12) != 0 { len.trailing_zeros() } else { 0 };
                    let r: i64 = if signed { rng.below(128) as i64 - 64 } else { rng.below(64) as i64 };
                    let (xm, ext) = if m == 31 {
                        (0, 0)
                    } else if option & 1 == 0 {
                        // UXTW / SXTW: the upper half of Wm is ignored.
                        ((rng.next() & 0xffff_ffff_0000_0000) | (r as u32 as u64), r)
                    } else {
                        (r as u64, r)
                    };
                    if m != 31 {
                        regs.x[m as usize] = xm;
                    }
                    place(regs, rng, win, n, len, 1, ext << shift)?;
                    Ok((words, 0))
                }
                #[allow(unreachable_patterns)]
                _ => {
                    // Rows this generator does not know (e.g. new atomics): [Xn] with no offset.
                    place(regs, rng, win, n, 64, 16, 0)?;
                    Ok((words, 0))
                }
            }
        }
        Op::LdStSimd(op) => {
            let len = match op {
                LdStSimdOp::Multiple => 64,
                _ => 32,
            };
            place(regs, rng, win, n, len, 1, 0)?;
            Ok((vec![w], 0))
        }
        _ => {
            let _ = (t, t2);
            Ok((vec![w], 0))
        }
    }
}

/// Bytes accessed by the single-register load/store classes.
fn access_len(op: LdStOp, w: u32) -> u64 {
    let size = field(w, 30, 2);
    match op {
        LdStOp::LdStImm9Fp | LdStOp::LdStRegFp | LdStOp::LdStUimmFp if w & (1 << 23) != 0 => 16,
        _ => 1 << size,
    }
}
