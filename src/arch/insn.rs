//! An A64 instruction word with field accessors spelt as in the Arm ARM encoding diagrams.

/// One 32-bit A64 instruction word.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Insn(pub u32);

impl Insn {
    /// Bits `hi..=lo` as an unsigned value.
    #[inline]
    pub const fn bits(self, hi: u32, lo: u32) -> u32 {
        (self.0 >> lo) & ((1u64 << (hi - lo + 1)) - 1) as u32
    }
    #[inline]
    pub const fn bit(self, n: u32) -> bool {
        (self.0 >> n) & 1 != 0
    }
    /// Bits `hi..=lo` sign-extended to i64.
    #[inline]
    pub const fn sbits(self, hi: u32, lo: u32) -> i64 {
        let w = hi - lo + 1;
        ((self.bits(hi, lo) as i64) << (64 - w)) >> (64 - w)
    }

    pub const fn rd(self) -> u32 {
        self.bits(4, 0)
    }
    pub const fn rt(self) -> u32 {
        self.bits(4, 0)
    }
    pub const fn rn(self) -> u32 {
        self.bits(9, 5)
    }
    pub const fn rm(self) -> u32 {
        self.bits(20, 16)
    }
    pub const fn rs(self) -> u32 {
        self.bits(20, 16)
    }
    pub const fn ra(self) -> u32 {
        self.bits(14, 10)
    }
    pub const fn rt2(self) -> u32 {
        self.bits(14, 10)
    }
    pub const fn sf(self) -> bool {
        self.bit(31)
    }
    /// AdvSIMD Q (bit 30).
    pub const fn q(self) -> bool {
        self.bit(30)
    }
    /// AdvSIMD / FP `size` (bits 23:22).
    pub const fn size(self) -> u32 {
        self.bits(23, 22)
    }
    /// Load/store `size` (bits 31:30).
    pub const fn ls_size(self) -> u32 {
        self.bits(31, 30)
    }
    pub const fn opc(self) -> u32 {
        self.bits(30, 29)
    }
    pub const fn imm12(self) -> u32 {
        self.bits(21, 10)
    }
    pub const fn imm16(self) -> u32 {
        self.bits(20, 5)
    }
    pub const fn imm9(self) -> i64 {
        self.sbits(20, 12)
    }
    pub const fn imm7(self) -> i64 {
        self.sbits(21, 15)
    }
    pub const fn imm19(self) -> i64 {
        self.sbits(23, 5)
    }
    pub const fn imm14(self) -> i64 {
        self.sbits(18, 5)
    }
    pub const fn imm26(self) -> i64 {
        self.sbits(25, 0)
    }
    pub const fn imm6(self) -> u32 {
        self.bits(15, 10)
    }
    pub const fn imm3(self) -> u32 {
        self.bits(12, 10)
    }
    pub const fn immr(self) -> u32 {
        self.bits(21, 16)
    }
    pub const fn imms(self) -> u32 {
        self.bits(15, 10)
    }
    pub const fn n(self) -> bool {
        self.bit(22)
    }
    pub const fn hw(self) -> u32 {
        self.bits(22, 21)
    }
    pub const fn shift(self) -> u32 {
        self.bits(23, 22)
    }
    pub const fn option(self) -> u32 {
        self.bits(15, 13)
    }
    /// Condition field of CSEL/CCMP/FCSEL/FCCMP (bits 15:12).
    pub const fn cond_hi(self) -> u32 {
        self.bits(15, 12)
    }
    /// Condition field of B.cond (bits 3:0).
    pub const fn cond_lo(self) -> u32 {
        self.bits(3, 0)
    }
    /// FP `type`/`ftype` (bits 23:22).
    pub const fn ftype(self) -> u32 {
        self.bits(23, 22)
    }
    /// FP `rmode` (bits 20:19).
    pub const fn rmode(self) -> u32 {
        self.bits(20, 19)
    }
}
