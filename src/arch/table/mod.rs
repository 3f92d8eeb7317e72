//! THE A64 decoder table.
//!
//! One [`Row`] per encoding, written as the Arm ARM bitstring: `0`/`1` are fixed bits, any other
//! character (a field letter) is a don't-care. [`row`] is a `const fn`: a pattern that is not
//! exactly 32 characters fails the build.
//!
//! The table is split by the Arm ARM's top-level encoding groups (C4.1, bits 28:25), one file per
//! group, and within a group rows are matched in order: the first row that matches wins, so a
//! more specific row must come before a general one it overlaps (`tests/decoder.rs` proves the
//! order resolves every overlap). Conditions a bitstring cannot express (reserved field values)
//! are checked by the translator, which then raises UNDEFINED.

/// Declares an operation enum and `ALL`, every variant in declaration order, so that
/// `ALL[op as usize] == op` (the JIT's per-operation translator table relies on it).
macro_rules! op_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        pub enum $name { $($(#[$vm])* $v),* }

        impl $name {
            /// Every operation, indexed by its discriminant.
            pub const ALL: &'static [$name] = &[$($name::$v),*];
        }
    };
}

mod branch;
mod dp_imm;
mod dp_reg;
mod fp;
mod ldst;
mod ldst_simd;
mod simd;

pub use branch::BrOp;
pub use dp_imm::DpImmOp;
pub use dp_reg::DpRegOp;
pub use fp::FpOp;
pub use ldst::LdStOp;
pub use ldst_simd::LdStSimdOp;
pub use simd::SimdOp;

use std::sync::OnceLock;

/// The Arm ARM's top-level encoding groups.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Group {
    DpImm,
    BranchSys,
    LoadStore,
    DpReg,
    FpSimd,
}

impl Group {
    pub const fn name(self) -> &'static str {
        match self {
            Group::DpImm => "data processing - immediate",
            Group::BranchSys => "branches, exception generation and system",
            Group::LoadStore => "loads and stores",
            Group::DpReg => "data processing - register",
            Group::FpSimd => "data processing - scalar FP and AdvSIMD",
        }
    }

    /// The group of a word by bits 28:25 (Arm ARM C4.1), or `None` for the unallocated,
    /// SME and SVE spaces.
    pub const fn of(word: u32) -> Option<Group> {
        let op0 = (word >> 25) & 0xf;
        match op0 {
            0b1000 | 0b1001 => Some(Group::DpImm),
            0b1010 | 0b1011 => Some(Group::BranchSys),
            0b0100 | 0b0110 | 0b1100 | 0b1110 => Some(Group::LoadStore),
            0b0101 | 0b1101 => Some(Group::DpReg),
            0b0111 | 0b1111 => Some(Group::FpSimd),
            _ => None,
        }
    }
}

/// What a row decodes to: the group's operation enum.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Op {
    DpImm(DpImmOp),
    Br(BrOp),
    LdSt(LdStOp),
    LdStSimd(LdStSimdOp),
    DpReg(DpRegOp),
    Fp(FpOp),
    Simd(SimdOp),
}

impl Op {
    /// How many operations there are, all groups together.
    pub const COUNT: usize = DpImmOp::ALL.len()
        + BrOp::ALL.len()
        + LdStOp::ALL.len()
        + LdStSimdOp::ALL.len()
        + DpRegOp::ALL.len()
        + FpOp::ALL.len()
        + SimdOp::ALL.len();

    /// Where each group's operations start in the numbering of [`Op::index`], in the order
    /// of the variants of `Op`.
    pub const GROUP_START: [usize; 7] = {
        let lens = [
            DpImmOp::ALL.len(),
            BrOp::ALL.len(),
            LdStOp::ALL.len(),
            LdStSimdOp::ALL.len(),
            DpRegOp::ALL.len(),
            FpOp::ALL.len(),
            SimdOp::ALL.len(),
        ];
        let mut start = [0; 7];
        let mut k = 1;
        while k < 7 {
            start[k] = start[k - 1] + lens[k - 1];
            k += 1;
        }
        start
    };

    /// A number below [`Op::COUNT`] for each operation: its group's start in
    /// [`Op::GROUP_START`] plus its discriminant.
    pub const fn index(self) -> usize {
        let s = Op::GROUP_START;
        match self {
            Op::DpImm(o) => s[0] + o as usize,
            Op::Br(o) => s[1] + o as usize,
            Op::LdSt(o) => s[2] + o as usize,
            Op::LdStSimd(o) => s[3] + o as usize,
            Op::DpReg(o) => s[4] + o as usize,
            Op::Fp(o) => s[5] + o as usize,
            Op::Simd(o) => s[6] + o as usize,
        }
    }
}

/// One encoding.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// Mnemonic-like name, unique in the table (used by tests, the difftester and docs).
    pub name: &'static str,
    pub pattern: &'static str,
    pub mask: u32,
    pub value: u32,
    pub op: Op,
    /// Which of the fields Rd/Rt (bits 4:0, [`GPR_RD`]), Rn (9:5, [`GPR_RN`]) and Rm (20:16,
    /// [`GPR_RM`]) may name a general-purpose register, by instruction group: a superset
    /// (a load/store's bits 20:16 are Rm only in the register-offset forms), for heuristics
    /// such as the block former's register-use counts.
    pub gpr_fields: u8,
    /// `op.index()`, kept here for the translator's dispatch.
    pub op_index: u16,
}

pub const GPR_RD: u8 = 1;
pub const GPR_RN: u8 = 2;
pub const GPR_RM: u8 = 4;

/// [`Row::gpr_fields`] of an operation.
const fn gpr_fields(op: Op) -> u8 {
    match op {
        // ADR/ADRP and the wide moves have immediate bits where Rn would be.
        Op::DpImm(DpImmOp::Adr | DpImmOp::Adrp | DpImmOp::Movn | DpImmOp::Movz | DpImmOp::Movk) => GPR_RD,
        Op::DpImm(_) => GPR_RD | GPR_RN,
        Op::DpReg(_) | Op::LdSt(_) => GPR_RD | GPR_RN | GPR_RM,
        // (bits 4:0 are Vt)
        Op::LdStSimd(_) => GPR_RN,
        // branches name Rt/Rn in some forms only; FP and AdvSIMD fields are V registers
        Op::Br(_) | Op::Fp(_) | Op::Simd(_) => 0,
    }
}

impl Row {
    #[inline]
    pub const fn matches(&self, word: u32) -> bool {
        word & self.mask == self.value
    }
}

/// Build a row from a 32-character bitstring; fails const evaluation if malformed.
pub const fn row(name: &'static str, pattern: &'static str, op: Op) -> Row {
    let b = pattern.as_bytes();
    assert!(b.len() == 32, "decoder pattern must have 32 characters");
    let mut mask = 0u32;
    let mut value = 0u32;
    let mut i = 0;
    while i < 32 {
        let bit = 31 - i as u32;
        match b[i] {
            b'0' => mask |= 1 << bit,
            b'1' => {
                mask |= 1 << bit;
                value |= 1 << bit
            }
            _ => {}
        }
        i += 1;
    }
    Row { name, pattern, mask, value, op, gpr_fields: gpr_fields(op), op_index: op.index() as u16 }
}

/// The rows of one group, in match order.
pub fn group_rows(g: Group) -> &'static [&'static [Row]] {
    static DP_IMM: [&[Row]; 1] = [dp_imm::ROWS];
    static BRANCH: [&[Row]; 1] = [branch::ROWS];
    static LDST: [&[Row]; 2] = [ldst::ROWS, ldst_simd::ROWS];
    static DP_REG: [&[Row]; 1] = [dp_reg::ROWS];
    static FP_SIMD: [&[Row]; 2] = [fp::ROWS, simd::ROWS];
    match g {
        Group::DpImm => &DP_IMM,
        Group::BranchSys => &BRANCH,
        Group::LoadStore => &LDST,
        Group::DpReg => &DP_REG,
        Group::FpSimd => &FP_SIMD,
    }
}

/// Every row of the table, group by group.
pub fn all_rows() -> impl Iterator<Item = &'static Row> {
    [Group::DpImm, Group::BranchSys, Group::LoadStore, Group::DpReg, Group::FpSimd]
        .into_iter()
        .flat_map(|g| group_rows(g).iter().flat_map(|rows| rows.iter()))
}

/// A row as the decoder holds it ([`decode_entry`]): its mask and value inline, so that
/// testing a candidate does not first load the row through its pointer, and the few facts
/// the block former needs for every instruction (so that it does not load the row either).
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    mask: u32,
    value: u32,
    pub row: &'static Row,
    /// [`Row::op_index`]
    pub op_index: u16,
    /// [`Row::gpr_fields`]
    pub gpr_fields: u8,
    /// The row's kind as `class::*` bits.
    pub class: u8,
}

/// [`Entry::class`] bits: the kinds of row the block former tests for every instruction,
/// each with one compare instead of a jump table on `op` (an indirect branch as
/// unpredictable as the code's mix of groups).
pub mod class {
    /// Integer data processing or a general-register load/store (`Op::DpImm`, `Op::DpReg`,
    /// `Op::LdSt`).
    pub const PLAIN: u8 = 1;
    /// `Op::LdSt`
    pub const LDST: u8 = 2;
    /// `Op::Br(BrOp::BCond)`
    pub const BCOND: u8 = 4;
    /// `Op::Simd`
    pub const SIMD: u8 = 8;
    /// `Op::LdStSimd`
    pub const LDST_SIMD: u8 = 16;
    /// An `Op::LdSt` row of S/D/Q registers (single, pair, literal).
    pub const LDST_FP: u8 = 32;
}

impl Entry {
    fn new(r: &'static Row) -> Entry {
        let class = match r.op {
            Op::DpImm(_) | Op::DpReg(_) => class::PLAIN,
            Op::LdSt(
                LdStOp::LdStImm9Fp
                | LdStOp::LdStUimmFp
                | LdStOp::LdStRegFp
                | LdStOp::StpFp
                | LdStOp::LdpFp
                | LdStOp::LdrLitFp,
            ) => class::PLAIN | class::LDST | class::LDST_FP,
            Op::LdSt(_) => class::PLAIN | class::LDST,
            Op::Br(BrOp::BCond) => class::BCOND,
            Op::Simd(_) => class::SIMD,
            Op::LdStSimd(_) => class::LDST_SIMD,
            Op::Br(_) | Op::Fp(_) => 0,
        };
        Entry { mask: r.mask, value: r.value, row: r, op_index: r.op_index, gpr_fields: r.gpr_fields, class }
    }
}

/// The rows that can match a word with a given bits 31:20: one list, or one per value of
/// bits 15:10.
type Bucket = Box<[Box<[Entry]>]>;

/// Lazily built index: bucket by word bits 31:20 -> the rows (in order) that can match. A
/// bucket with more than [`SPLIT_ROWS`] rows (the FP and AdvSIMD spaces) is split again by
/// bits 15:10, so that decoding a word tests a handful of rows.
static BUCKETS: [OnceLock<Bucket>; 4096] = [const { OnceLock::new() }; 4096];

const BUCKET_SHIFT: u32 = 20;
/// Rows above which a bucket is split by bits 15:10.
const SPLIT_ROWS: usize = 6;
const SUB_SHIFT: u32 = 10;
const SUB_MASK: u32 = 0x3f << SUB_SHIFT;

/// The rows of the table, in order, that can match a word whose bits under `known` equal
/// those of `bits`.
fn candidates(bits: u32, known: u32) -> Box<[Entry]> {
    let mut v = Vec::new();
    if let Some(g) = Group::of(bits) {
        for part in group_rows(g) {
            for r in part.iter() {
                if (r.value ^ bits) & r.mask & known == 0 {
                    v.push(Entry::new(r));
                }
            }
        }
    }
    v.into_boxed_slice()
}

/// A bucket of one list or of 64 (a power of two: `decode_entry` masks its index by the
/// count - 1).
fn build_bucket(key: u32) -> Bucket {
    let top = key << BUCKET_SHIFT;
    let topmask = !0u32 << BUCKET_SHIFT;
    let all = candidates(top, topmask);
    if all.len() <= SPLIT_ROWS {
        return Box::new([all]);
    }
    // (each sub-list is the part of `all` that bits 15:10 allow: filtered from it, in order,
    // rather than from the whole group again)
    let known = topmask | SUB_MASK;
    (0..64u32)
        .map(|sub| {
            let bits = top | sub << SUB_SHIFT;
            all.iter().copied().filter(|r| (r.value ^ bits) & r.mask & known == 0).collect()
        })
        .collect()
}

/// Decode a word: the first matching row, or `None` (UNDEFINED / not implemented).
#[inline]
pub fn decode(word: u32) -> Option<&'static Row> {
    decode_entry(word).map(|e| e.row)
}

/// [`decode`], as the decoder's entry for the row.
#[inline]
pub fn decode_entry(word: u32) -> Option<&'static Entry> {
    let key = word >> BUCKET_SHIFT;
    let bucket = BUCKETS[key as usize & 4095].get_or_init(|| build_bucket(key));
    // (a bucket has 1 or 64 lists: the index is masked by the count - 1 instead of a branch
    // on it, which would be as unpredictable as the mix of integer and FP/AdvSIMD code)
    let rows = &bucket[((word & SUB_MASK) >> SUB_SHIFT) as usize & (bucket.len() - 1)];
    rows.iter().find(|r| word & r.mask == r.value)
}

/// Look a row up by name.
pub fn row_by_name(name: &str) -> Option<&'static Row> {
    all_rows().find(|r| r.name == name)
}
