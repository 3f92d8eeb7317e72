//! Exact floating point semantics (Arm ARM shared pseudocode: FPUnpack, FPRound, FPAdd, FPMul,
//! FPMulAdd, FPToFixed, ...), and the scalar FP instruction helpers built on them.
//!
//! Invariants:
//! - Every element function is a pure function of its bit-pattern inputs and the FPCR value; it
//!   only ORs cumulative exception bits (FPSR_IOC/DZC/OFC/UFC/IXC/IDC) into `fpsr`, never clears.
//! - No host floating point is used: every result is computed on exact integer intermediates
//!   (u128 mantissas, with a sticky bit only where the exact value has infinitely many bits, at
//!   least two bits below any rounding position), then rounded once by [`round`] (FPRoundBase).
//!   So all rounding modes, flush-to-zero, default NaN and flags are exact.
//! - Half precision values are handled as IEEE half or, when FPCR.AHP is set, Arm's alternative
//!   half precision, exactly as FPUnpackBase/FPRoundBase say. Conversions (FPConvert) force FZ16
//!   off (FPUnpackCV / FPRoundCV).
//! - Values travel as bit patterns in the low bits of a `u64`; upper bits are ignored on input
//!   and zero on output.

mod estimate;
mod fast;
pub mod insn;

pub use estimate::{fp_recpe, fp_recps, fp_recpx, fp_rsqrte, fp_rsqrts};

use crate::cpu::{FPCR_AHP, FPCR_DN, FPCR_FZ, FPCR_FZ16, FPCR_RMODE_SHIFT};
use crate::cpu::{FPSR_DZC, FPSR_IDC, FPSR_IOC, FPSR_IXC, FPSR_OFC, FPSR_UFC};

/// FPRounding values (Arm ARM numbering; FPCR.RMode gives 0..3).
pub const RM_TIEEVEN: u32 = 0;
pub const RM_POSINF: u32 = 1;
pub const RM_NEGINF: u32 = 2;
pub const RM_ZERO: u32 = 3;
pub const RM_TIEAWAY: u32 = 4;
pub const RM_ODD: u32 = 5;

/// A floating point format.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum FpSize {
    H,
    S,
    D,
}

impl FpSize {
    /// N: total width in bits.
    pub const fn bits(self) -> u32 {
        match self {
            FpSize::H => 16,
            FpSize::S => 32,
            FpSize::D => 64,
        }
    }
    /// E: exponent width.
    pub const fn ebits(self) -> u32 {
        match self {
            FpSize::H => 5,
            FpSize::S => 8,
            FpSize::D => 11,
        }
    }
    /// F: fraction width.
    pub const fn fbits(self) -> u32 {
        match self {
            FpSize::H => 10,
            FpSize::S => 23,
            FpSize::D => 52,
        }
    }
    /// minimum_exp of FPRoundBase: the exponent of the smallest normal.
    pub const fn min_exp(self) -> i32 {
        2 - (1 << (self.ebits() - 1))
    }
    const fn bias(self) -> i32 {
        (1 << (self.ebits() - 1)) - 1
    }
    const fn mask(self) -> u64 {
        if self.bits() == 64 {
            u64::MAX
        } else {
            (1u64 << self.bits()) - 1
        }
    }
    const fn sign_bit(self) -> u64 {
        1u64 << (self.bits() - 1)
    }
    const fn frac_mask(self) -> u64 {
        (1u64 << self.fbits()) - 1
    }
    const fn exp_mask(self) -> u64 {
        ((1u64 << self.ebits()) - 1) << self.fbits()
    }
    /// The default NaN (FPDefaultNaN).
    pub const fn default_nan(self) -> u64 {
        self.exp_mask() | (1u64 << (self.fbits() - 1))
    }
    /// FPInfinity(sign).
    pub const fn infinity(self, sign: bool) -> u64 {
        self.exp_mask() | if sign { self.sign_bit() } else { 0 }
    }
    /// FPZero(sign).
    pub const fn zero(self, sign: bool) -> u64 {
        if sign {
            self.sign_bit()
        } else {
            0
        }
    }
    /// FPMaxNormal(sign).
    pub const fn max_normal(self, sign: bool) -> u64 {
        (self.exp_mask() - (1u64 << self.fbits())) | self.frac_mask() | self.zero(sign)
    }
    /// The size of a scalar FP `ftype` field (00 S, 01 D, 11 H; 10 is reserved).
    pub const fn from_ftype(ftype: u32) -> Option<FpSize> {
        match ftype {
            0 => Some(FpSize::S),
            1 => Some(FpSize::D),
            3 => Some(FpSize::H),
            _ => None,
        }
    }
}

/// FPType of an unpacked value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FpType {
    Zero,
    Nonzero,
    Infinity,
    QNaN,
    SNaN,
}

/// Result of FPUnpack: type, sign and, for `Nonzero`, the exact value `mant * 2^exp`
/// (`mant` != 0, at most 53 bits).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Unpacked {
    pub ty: FpType,
    pub sign: bool,
    pub mant: u64,
    pub exp: i32,
}

impl Unpacked {
    fn is_nan(&self) -> bool {
        matches!(self.ty, FpType::QNaN | FpType::SNaN)
    }
    fn is_inf(&self) -> bool {
        self.ty == FpType::Infinity
    }
    fn is_zero(&self) -> bool {
        self.ty == FpType::Zero
    }
}

/// FPRoundingMode(fpcr).
pub const fn fpcr_rmode(fpcr: u32) -> u32 {
    (fpcr >> FPCR_RMODE_SHIFT) & 3
}

/// Whether flush-to-zero applies to format `sz` under `fpcr` (FZ for S/D, FZ16 for H).
fn flushing(sz: FpSize, fpcr: u32) -> bool {
    match sz {
        FpSize::H => fpcr & FPCR_FZ16 != 0,
        _ => fpcr & FPCR_FZ != 0,
    }
}

/// FPUnpackBase.
pub(crate) fn unpack(sz: FpSize, x: u64, fpcr: u32, fpsr: &mut u32) -> Unpacked {
    let x = x & sz.mask();
    let f = sz.fbits();
    let sign = x & sz.sign_bit() != 0;
    let bexp = ((x & sz.exp_mask()) >> f) as i32;
    let frac = x & sz.frac_mask();
    let emax = (1i32 << sz.ebits()) - 1;
    let ahp = sz == FpSize::H && fpcr & FPCR_AHP != 0;
    let mut u = Unpacked { ty: FpType::Zero, sign, mant: 0, exp: 0 };
    if bexp == 0 {
        if frac != 0 {
            if flushing(sz, fpcr) {
                *fpsr |= FPSR_IDC;
            } else {
                u.ty = FpType::Nonzero;
                u.mant = frac;
                u.exp = sz.min_exp() - f as i32;
            }
        }
    } else if bexp == emax && !ahp {
        u.ty = if frac == 0 {
            FpType::Infinity
        } else if frac >> (f - 1) & 1 == 1 {
            FpType::QNaN
        } else {
            FpType::SNaN
        };
    } else {
        u.ty = FpType::Nonzero;
        u.mant = frac | 1u64 << f;
        u.exp = bexp - sz.bias() - f as i32;
    }
    u
}

/// FPProcessNaN: quiet an SNaN (raising Invalid Operation) or give the default NaN under DN.
pub(crate) fn process_nan(sz: FpSize, ty: FpType, op: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    let mut r = op & sz.mask();
    if ty == FpType::SNaN {
        r |= 1u64 << (sz.fbits() - 1);
        *fpsr |= FPSR_IOC;
    }
    if fpcr & FPCR_DN != 0 {
        r = sz.default_nan();
    }
    r
}

/// FPProcessNaNs: first SNaN, second SNaN, first QNaN, second QNaN.
fn process_nans(
    sz: FpSize,
    u1: &Unpacked,
    u2: &Unpacked,
    op1: u64,
    op2: u64,
    fpcr: u32,
    fpsr: &mut u32,
) -> Option<u64> {
    if u1.ty == FpType::SNaN {
        Some(process_nan(sz, u1.ty, op1, fpcr, fpsr))
    } else if u2.ty == FpType::SNaN {
        Some(process_nan(sz, u2.ty, op2, fpcr, fpsr))
    } else if u1.ty == FpType::QNaN {
        Some(process_nan(sz, u1.ty, op1, fpcr, fpsr))
    } else if u2.ty == FpType::QNaN {
        Some(process_nan(sz, u2.ty, op2, fpcr, fpsr))
    } else {
        None
    }
}

/// FPProcessNaNs3: SNaNs in operand order, then QNaNs in operand order.
fn process_nans3(sz: FpSize, u: [&Unpacked; 3], ops: [u64; 3], fpcr: u32, fpsr: &mut u32) -> Option<u64> {
    for want in [FpType::SNaN, FpType::QNaN] {
        for k in 0..3 {
            if u[k].ty == want {
                return Some(process_nan(sz, want, ops[k], fpcr, fpsr));
            }
        }
    }
    None
}

/// Index of the most significant set bit (x != 0).
fn msb(x: u128) -> i32 {
    127 - x.leading_zeros() as i32
}

/// FPRoundBase: round the exact nonzero value `(-1)^sign * mant * 2^exp` to format `sz` with
/// rounding mode `rmode` (FPRounding numbering), raising the exceptions FPRoundBase raises.
/// `mant` may carry a sticky bit, provided it lies at least two bits below the rounding position.
pub(crate) fn round(sz: FpSize, sign: bool, mant: u128, exp: i32, fpcr: u32, rmode: u32, fpsr: &mut u32) -> u64 {
    debug_assert!(mant != 0);
    let f = sz.fbits() as i32;
    let min_exp = sz.min_exp();
    let p = msb(mant);
    let exponent = p + exp;
    if flushing(sz, fpcr) && exponent < min_exp {
        *fpsr |= FPSR_UFC;
        return sz.zero(sign);
    }
    let mut biased_exp = (exponent - min_exp + 1).max(0);
    let eff_exp = if biased_exp == 0 { min_exp } else { exponent };
    // int_mant = RoundDown(value * 2^(F - eff_exp)); error classified against one half.
    let s = exp + f - eff_exp;
    let (mut int_mant, err) = shift_round_parts(mant, s);
    if biased_exp == 0 && err != Frac::Zero {
        *fpsr |= FPSR_UFC;
    }
    let (round_up, overflow_to_inf) = match rmode {
        RM_TIEEVEN => (err == Frac::Gt || (err == Frac::Half && int_mant & 1 == 1), true),
        RM_POSINF => (err != Frac::Zero && !sign, !sign),
        RM_NEGINF => (err != Frac::Zero && sign, sign),
        RM_TIEAWAY => (err >= Frac::Half, true),
        _ => (false, false),
    };
    let mut inexact = err != Frac::Zero;
    if round_up {
        int_mant += 1;
        if int_mant == 1u128 << f {
            biased_exp = 1;
        }
        if int_mant == 1u128 << (f + 1) {
            biased_exp += 1;
            int_mant >>= 1;
        }
    }
    if inexact && rmode == RM_ODD {
        int_mant |= 1;
    }
    let ahp = sz == FpSize::H && fpcr & FPCR_AHP != 0;
    let emax = (1i32 << sz.ebits()) - 1;
    let result;
    if !ahp {
        if biased_exp >= emax {
            result = if overflow_to_inf { sz.infinity(sign) } else { sz.max_normal(sign) };
            *fpsr |= FPSR_OFC;
            inexact = true;
        } else {
            result = sz.zero(sign) | (biased_exp as u64) << f | (int_mant as u64 & sz.frac_mask());
        }
    } else if biased_exp > emax {
        result = sz.zero(sign) | (sz.mask() >> 1);
        *fpsr |= FPSR_IOC;
        inexact = false;
    } else {
        result = sz.zero(sign) | (biased_exp as u64) << f | (int_mant as u64 & sz.frac_mask());
    }
    if inexact {
        *fpsr |= FPSR_IXC;
    }
    result
}

/// The part of a value below the integer point, compared with one half.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Frac {
    Zero,
    Lt,
    Half,
    Gt,
}

/// `(RoundDown(mant * 2^s), fraction class)` for `s` of any sign. The integer part must fit.
fn shift_round_parts(mant: u128, s: i32) -> (u128, Frac) {
    if s >= 0 {
        return (mant << s, Frac::Zero);
    }
    let k = -s;
    if k > 128 {
        return (0, Frac::Lt);
    }
    let (int, rem, half) =
        if k == 128 { (0, mant, 1u128 << 127) } else { (mant >> k, mant & ((1u128 << k) - 1), 1u128 << (k - 1)) };
    let frac = if rem == 0 {
        Frac::Zero
    } else if rem < half {
        Frac::Lt
    } else if rem == half {
        Frac::Half
    } else {
        Frac::Gt
    };
    (int, frac)
}

/// Exact sum of two nonzero signed values `m * 2^e` (mantissas of at most 106 bits), as
/// (sign, mant, exp) with a sticky bit far below any rounding position; `None` when exactly zero.
fn add_values(s1: bool, m1: u128, e1: i32, s2: bool, m2: u128, e2: i32) -> Option<(bool, u128, i32)> {
    // Normalise both so the MSB is at bit 125: at least 19 zero bits below each mantissa.
    let sh1 = 125 - msb(m1);
    let sh2 = 125 - msb(m2);
    let (mut a, mut ea, mut sa) = (m1 << sh1, e1 - sh1, s1);
    let (mut b, mut eb, mut sb) = (m2 << sh2, e2 - sh2, s2);
    if eb > ea || (eb == ea && b > a) {
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut ea, &mut eb);
        std::mem::swap(&mut sa, &mut sb);
    }
    let d = ea - eb;
    let b = if d == 0 {
        b
    } else if d >= 127 {
        1
    } else {
        (b >> d) | ((b & ((1u128 << d) - 1) != 0) as u128)
    };
    if sa == sb {
        // a + b < 2^127: no overflow.
        Some((sa, a + b, ea))
    } else {
        let r = a - b;
        if r == 0 {
            None
        } else {
            Some((sa, r, ea))
        }
    }
}

fn rmode_of(fpcr: u32) -> u32 {
    fpcr_rmode(fpcr)
}

/// FPAdd / FPSub core (`negate_b` gives FPSub).
fn add_sub(sz: FpSize, a: u64, b: u64, negate_b: bool, fpcr: u32, fpsr: &mut u32) -> u64 {
    let u1 = unpack(sz, a, fpcr, fpsr);
    let mut u2 = unpack(sz, b, fpcr, fpsr);
    if let Some(r) = process_nans(sz, &u1, &u2, a, b, fpcr, fpsr) {
        return r;
    }
    if negate_b {
        u2.sign = !u2.sign;
    }
    let rmode = rmode_of(fpcr);
    if u1.is_inf() && u2.is_inf() && u1.sign != u2.sign {
        *fpsr |= FPSR_IOC;
        return sz.default_nan();
    }
    if (u1.is_inf() && !u1.sign) || (u2.is_inf() && !u2.sign) {
        return sz.infinity(false);
    }
    if u1.is_inf() || u2.is_inf() {
        return sz.infinity(true);
    }
    if u1.is_zero() && u2.is_zero() && u1.sign == u2.sign {
        return sz.zero(u1.sign);
    }
    let sum = if u1.is_zero() && u2.is_zero() {
        None
    } else if u1.is_zero() {
        Some((u2.sign, u2.mant as u128, u2.exp))
    } else if u2.is_zero() {
        Some((u1.sign, u1.mant as u128, u1.exp))
    } else {
        add_values(u1.sign, u1.mant as u128, u1.exp, u2.sign, u2.mant as u128, u2.exp)
    };
    match sum {
        None => sz.zero(rmode == RM_NEGINF),
        Some((s, m, e)) => round(sz, s, m, e, fpcr, rmode, fpsr),
    }
}

/// FPAdd.
pub fn fp_add(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    if let Some(r) = fast::binop(sz, fast::Op::Add, a, b, fpcr, fpsr) {
        return r;
    }
    add_sub(sz, a, b, false, fpcr, fpsr)
}

/// FPSub.
pub fn fp_sub(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    if let Some(r) = fast::binop(sz, fast::Op::Sub, a, b, fpcr, fpsr) {
        return r;
    }
    add_sub(sz, a, b, true, fpcr, fpsr)
}

/// FPMul and FPMulX (`mulx`: infinity times zero gives 2.0 with the product's sign).
fn mul_core(sz: FpSize, a: u64, b: u64, mulx: bool, fpcr: u32, fpsr: &mut u32) -> u64 {
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    if let Some(r) = process_nans(sz, &u1, &u2, a, b, fpcr, fpsr) {
        return r;
    }
    let sign = u1.sign != u2.sign;
    if (u1.is_inf() && u2.is_zero()) || (u1.is_zero() && u2.is_inf()) {
        if mulx {
            return fp_two(sz, sign);
        }
        *fpsr |= FPSR_IOC;
        return sz.default_nan();
    }
    if u1.is_inf() || u2.is_inf() {
        return sz.infinity(sign);
    }
    if u1.is_zero() || u2.is_zero() {
        return sz.zero(sign);
    }
    round(sz, sign, u1.mant as u128 * u2.mant as u128, u1.exp + u2.exp, fpcr, rmode_of(fpcr), fpsr)
}

/// FPTwo(sign).
pub(crate) fn fp_two(sz: FpSize, sign: bool) -> u64 {
    sz.zero(sign) | ((sz.bias() + 1) as u64) << sz.fbits()
}

/// FPMul.
pub fn fp_mul(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    if let Some(r) = fast::binop(sz, fast::Op::Mul, a, b, fpcr, fpsr) {
        return r;
    }
    mul_core(sz, a, b, false, fpcr, fpsr)
}

/// FPMulX (FMULX).
pub fn fp_mulx(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    mul_core(sz, a, b, true, fpcr, fpsr)
}

/// FPDiv.
pub fn fp_div(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    if let Some(r) = fast::binop(sz, fast::Op::Div, a, b, fpcr, fpsr) {
        return r;
    }
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    if let Some(r) = process_nans(sz, &u1, &u2, a, b, fpcr, fpsr) {
        return r;
    }
    let sign = u1.sign != u2.sign;
    if (u1.is_inf() && u2.is_inf()) || (u1.is_zero() && u2.is_zero()) {
        *fpsr |= FPSR_IOC;
        return sz.default_nan();
    }
    if u1.is_inf() || u2.is_zero() {
        if !u1.is_inf() {
            *fpsr |= FPSR_DZC;
        }
        return sz.infinity(sign);
    }
    if u1.is_zero() || u2.is_inf() {
        return sz.zero(sign);
    }
    // Dividend with its MSB at bit 127: the quotient has at least 127 - 53 = 74 bits.
    let sh = 127 - msb(u1.mant as u128);
    let n = (u1.mant as u128) << sh;
    let d = u2.mant as u128;
    let q = n / d;
    let sticky = !n.is_multiple_of(d) as u128;
    round(sz, sign, q | sticky, u1.exp - sh - u2.exp, fpcr, rmode_of(fpcr), fpsr)
}

/// Integer square root of a u128 (floor).
fn isqrt(n: u128) -> u128 {
    if n == 0 {
        return 0;
    }
    let mut x: u128 = 0;
    let mut bit: u128 = 1u128 << (msb(n) & !1);
    let mut rem = n;
    while bit != 0 {
        if rem >= x + bit {
            rem -= x + bit;
            x = (x >> 1) + bit;
        } else {
            x >>= 1;
        }
        bit >>= 2;
    }
    x
}

/// FPSqrt.
pub fn fp_sqrt(sz: FpSize, a: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    if let Some(r) = fast::sqrt(sz, a, fpcr, fpsr) {
        return r;
    }
    let u = unpack(sz, a, fpcr, fpsr);
    if u.is_nan() {
        return process_nan(sz, u.ty, a, fpcr, fpsr);
    }
    if u.is_zero() {
        return sz.zero(u.sign);
    }
    if u.is_inf() && !u.sign {
        return sz.infinity(false);
    }
    if u.sign {
        *fpsr |= FPSR_IOC;
        return sz.default_nan();
    }
    // Put the MSB at bit 126 or 127 with an even exponent: the root has 64 bits.
    let mut sh = 126 - msb(u.mant as u128);
    if (u.exp - sh) & 1 != 0 {
        sh += 1;
    }
    let n = (u.mant as u128) << sh;
    let r = isqrt(n);
    let sticky = (r * r != n) as u128;
    round(sz, false, r | sticky, (u.exp - sh) / 2, fpcr, rmode_of(fpcr), fpsr)
}

/// FPAbs.
pub fn fp_abs(sz: FpSize, a: u64) -> u64 {
    a & sz.mask() & !sz.sign_bit()
}

/// FPNeg.
pub fn fp_neg(sz: FpSize, a: u64) -> u64 {
    (a ^ sz.sign_bit()) & sz.mask()
}

/// Compare two non-NaN unpacked values: -1, 0, 1.
fn cmp_values(u1: &Unpacked, u2: &Unpacked) -> i32 {
    // Map each to (class rank, magnitude) with sign.
    fn key(u: &Unpacked) -> (i32, i32, u128) {
        // (sign factor, exponent of MSB, normalised mantissa)
        match u.ty {
            FpType::Zero => (0, 0, 0),
            FpType::Infinity => (if u.sign { -1 } else { 1 }, i32::MAX, 0),
            _ => {
                let p = msb(u.mant as u128);
                (if u.sign { -1 } else { 1 }, p + u.exp, (u.mant as u128) << (64 - p))
            }
        }
    }
    let (s1, e1, m1) = key(u1);
    let (s2, e2, m2) = key(u2);
    if s1 != s2 {
        return if s1 < s2 { -1 } else { 1 };
    }
    if s1 == 0 {
        return 0;
    }
    let mag = match (e1, m1).cmp(&(e2, m2)) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    };
    mag * s1
}

/// Re-encode an unpacked non-NaN value (FPRound of an exactly representable value).
fn repack(sz: FpSize, u: &Unpacked, fpcr: u32, fpsr: &mut u32) -> u64 {
    match u.ty {
        FpType::Zero => sz.zero(u.sign),
        FpType::Infinity => sz.infinity(u.sign),
        _ => round(sz, u.sign, u.mant as u128, u.exp, fpcr, rmode_of(fpcr), fpsr),
    }
}

/// FPMax / FPMin.
fn max_min(sz: FpSize, a: u64, b: u64, max: bool, fpcr: u32, fpsr: &mut u32) -> u64 {
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    if let Some(r) = process_nans(sz, &u1, &u2, a, b, fpcr, fpsr) {
        return r;
    }
    let c = cmp_values(&u1, &u2);
    let pick1 = if max { c > 0 } else { c < 0 };
    let u = if pick1 { u1 } else { u2 };
    if u.is_zero() {
        // Max: the most positive sign (AND); min: the most negative sign (OR).
        let sign = if max { u1.sign && u2.sign } else { u1.sign || u2.sign };
        return sz.zero(sign);
    }
    repack(sz, &u, fpcr, fpsr)
}

/// FPMax.
pub fn fp_max(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    max_min(sz, a, b, true, fpcr, fpsr)
}

/// FPMin.
pub fn fp_min(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    max_min(sz, a, b, false, fpcr, fpsr)
}

/// FPMaxNum / FPMinNum: a single quiet NaN is replaced by -Inf (max) or +Inf (min).
fn max_min_num(sz: FpSize, a: u64, b: u64, max: bool, fpcr: u32, fpsr: &mut u32) -> u64 {
    let mut scratch = 0u32;
    let t1 = unpack(sz, a, fpcr, &mut scratch).ty;
    let t2 = unpack(sz, b, fpcr, &mut scratch).ty;
    let (mut a, mut b) = (a, b);
    if t1 == FpType::QNaN && t2 != FpType::QNaN {
        a = sz.infinity(max);
    } else if t1 != FpType::QNaN && t2 == FpType::QNaN {
        b = sz.infinity(max);
    }
    max_min(sz, a, b, max, fpcr, fpsr)
}

/// FPMaxNum.
pub fn fp_maxnm(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    max_min_num(sz, a, b, true, fpcr, fpsr)
}

/// FPMinNum.
pub fn fp_minnm(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    max_min_num(sz, a, b, false, fpcr, fpsr)
}

/// FPMulAdd: `addend + a * b` with a single rounding.
pub fn fp_muladd(sz: FpSize, addend: u64, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    let ua = unpack(sz, addend, fpcr, fpsr);
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    let inf_zero = (u1.is_inf() && u2.is_zero()) || (u1.is_zero() && u2.is_inf());
    let nan = process_nans3(sz, [&ua, &u1, &u2], [addend, a, b], fpcr, fpsr);
    if ua.ty == FpType::QNaN && inf_zero {
        *fpsr |= FPSR_IOC;
        return sz.default_nan();
    }
    if let Some(r) = nan {
        return r;
    }
    fused_tail(sz, &ua, &u1, &u2, fpcr, fpsr)
}

/// The non-NaN part of FPMulAdd: `ua + u1 * u2` rounded once.
fn fused_tail(sz: FpSize, ua: &Unpacked, u1: &Unpacked, u2: &Unpacked, fpcr: u32, fpsr: &mut u32) -> u64 {
    let rmode = rmode_of(fpcr);
    let sign_p = u1.sign != u2.sign;
    let inf_p = u1.is_inf() || u2.is_inf();
    let zero_p = u1.is_zero() || u2.is_zero();
    if (u1.is_inf() && u2.is_zero()) || (u1.is_zero() && u2.is_inf()) || (ua.is_inf() && inf_p && ua.sign != sign_p) {
        *fpsr |= FPSR_IOC;
        return sz.default_nan();
    }
    if (ua.is_inf() && !ua.sign) || (inf_p && !sign_p) {
        return sz.infinity(false);
    }
    if ua.is_inf() || inf_p {
        return sz.infinity(true);
    }
    if ua.is_zero() && zero_p && ua.sign == sign_p {
        return sz.zero(ua.sign);
    }
    let sum = if zero_p && ua.is_zero() {
        None
    } else if zero_p {
        Some((ua.sign, ua.mant as u128, ua.exp))
    } else {
        let pm = u1.mant as u128 * u2.mant as u128;
        let pe = u1.exp + u2.exp;
        if ua.is_zero() {
            Some((sign_p, pm, pe))
        } else {
            add_values(ua.sign, ua.mant as u128, ua.exp, sign_p, pm, pe)
        }
    };
    match sum {
        None => sz.zero(rmode == RM_NEGINF),
        Some((s, m, e)) => round(sz, s, m, e, fpcr, rmode, fpsr),
    }
}

/// Integer part and fraction class of a nonzero value `(-1)^sign * mant * 2^exp` rounded down
/// (towards minus infinity), as in FPToFixed / FPRoundInt; the integer is clamped to about
/// +-2^100 (far outside any result range) when the value is larger.
fn round_down_signed(sign: bool, mant: u64, exp: i32) -> (i128, Frac) {
    let (mag, frac) = if exp > 64 { (1u128 << 100, Frac::Zero) } else { shift_round_parts(mant as u128, exp) };
    let mag = mag as i128;
    if !sign {
        (mag, frac)
    } else if frac == Frac::Zero {
        (-mag, Frac::Zero)
    } else {
        let inv = match frac {
            Frac::Lt => Frac::Gt,
            Frac::Gt => Frac::Lt,
            x => x,
        };
        (-mag - 1, inv)
    }
}

/// The round-up decision shared by FPToFixed and FPRoundInt.
fn int_round_up(rmode: u32, int: i128, err: Frac) -> bool {
    match rmode {
        RM_TIEEVEN => err == Frac::Gt || (err == Frac::Half && int & 1 == 1),
        RM_POSINF => err != Frac::Zero,
        RM_NEGINF => false,
        RM_ZERO => err != Frac::Zero && int < 0,
        RM_TIEAWAY => err == Frac::Gt || (err == Frac::Half && int >= 0),
        _ => false,
    }
}

/// FPRoundInt (`exact` = FRINTX: raise Inexact when the value changes).
pub fn fp_round_int(sz: FpSize, a: u64, rmode: u32, exact: bool, fpcr: u32, fpsr: &mut u32) -> u64 {
    let u = unpack(sz, a, fpcr, fpsr);
    match u.ty {
        FpType::SNaN | FpType::QNaN => return process_nan(sz, u.ty, a, fpcr, fpsr),
        FpType::Infinity => return sz.infinity(u.sign),
        FpType::Zero => return sz.zero(u.sign),
        FpType::Nonzero => {}
    }
    if u.exp >= 0 {
        // Already an integer.
        return a & sz.mask();
    }
    let (mut int, err) = round_down_signed(u.sign, u.mant, u.exp);
    if int_round_up(rmode, int, err) {
        int += 1;
    }
    let r = if int == 0 {
        sz.zero(u.sign)
    } else {
        let mut scratch = 0;
        round(sz, int < 0, int.unsigned_abs(), 0, fpcr, RM_ZERO, &mut scratch)
    };
    if err != Frac::Zero && exact {
        *fpsr |= FPSR_IXC;
    }
    r
}

/// FPToFixed: convert to a `int_bits`-bit (32 or 64) integer with `fbits` fraction bits,
/// saturating; Invalid Operation on NaN or out of range, Inexact otherwise when not exact.
/// The result is the integer's bit pattern, zero-extended to 64 bits.
#[allow(clippy::too_many_arguments)]
pub fn fp_to_int(
    sz: FpSize,
    a: u64,
    fbits: u32,
    unsigned: bool,
    rmode: u32,
    int_bits: u32,
    fpcr: u32,
    fpsr: &mut u32,
) -> u64 {
    let u = unpack(sz, a, fpcr, fpsr);
    let (mut int, err) = match u.ty {
        FpType::SNaN | FpType::QNaN => {
            *fpsr |= FPSR_IOC;
            return 0;
        }
        FpType::Zero => (0i128, Frac::Zero),
        FpType::Infinity => (if u.sign { -(1i128 << 100) } else { 1i128 << 100 }, Frac::Zero),
        FpType::Nonzero => round_down_signed(u.sign, u.mant, u.exp + fbits as i32),
    };
    if int_round_up(rmode, int, err) {
        int += 1;
    }
    let (lo, hi) = if unsigned {
        (0i128, (1i128 << int_bits) - 1)
    } else {
        (-(1i128 << (int_bits - 1)), (1i128 << (int_bits - 1)) - 1)
    };
    let mask = if int_bits == 64 { u64::MAX } else { (1u64 << int_bits) - 1 };
    if int < lo || int > hi {
        *fpsr |= FPSR_IOC;
        return (int.clamp(lo, hi) as u64) & mask;
    }
    if err != Frac::Zero {
        *fpsr |= FPSR_IXC;
    }
    (int as u64) & mask
}

/// FixedToFP: the `int_bits`-bit integer `v` (signed or not) with `fbits` fraction bits,
/// rounded under FPCR.
pub fn int_to_fp(sz: FpSize, v: u64, int_bits: u32, signed: bool, fbits: u32, fpcr: u32, fpsr: &mut u32) -> u64 {
    int_to_fp_rm(sz, v, int_bits, signed, fbits, fpcr, rmode_of(fpcr), fpsr)
}

/// FixedToFP with an explicit rounding mode.
#[allow(clippy::too_many_arguments)]
pub fn int_to_fp_rm(
    sz: FpSize,
    v: u64,
    int_bits: u32,
    signed: bool,
    fbits: u32,
    fpcr: u32,
    rmode: u32,
    fpsr: &mut u32,
) -> u64 {
    let v = if int_bits >= 64 { v } else { v & ((1u64 << int_bits) - 1) };
    let (sign, mag) = if signed && int_bits > 0 && (v >> (int_bits - 1)) & 1 == 1 {
        let sv = if int_bits >= 64 { v as i64 } else { ((v << (64 - int_bits)) as i64) >> (64 - int_bits) };
        (true, sv.unsigned_abs())
    } else {
        (false, v)
    };
    if mag == 0 {
        return sz.zero(false);
    }
    round(sz, sign, mag as u128, -(fbits as i32), fpcr, rmode, fpsr)
}

/// FPConvert with FPCR rounding (FCVT).
pub fn fp_convert(from: FpSize, to: FpSize, a: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    fp_convert_rm(from, to, a, rmode_of(fpcr), fpcr, fpsr)
}

/// FPConvert with an explicit rounding mode (RM_ODD for FCVTXN).
pub fn fp_convert_rm(from: FpSize, to: FpSize, a: u64, rmode: u32, fpcr: u32, fpsr: &mut u32) -> u64 {
    // FPUnpackCV / FPRoundCV: FZ16 does not apply to conversions.
    let fpcr = fpcr & !FPCR_FZ16;
    let u = unpack(from, a, fpcr, fpsr);
    let alt_hp = to == FpSize::H && fpcr & FPCR_AHP != 0;
    match u.ty {
        FpType::SNaN | FpType::QNaN => {
            let r = if alt_hp {
                to.zero(u.sign)
            } else if fpcr & FPCR_DN != 0 {
                to.default_nan()
            } else {
                convert_nan(from, to, a)
            };
            if u.ty == FpType::SNaN || alt_hp {
                *fpsr |= FPSR_IOC;
            }
            r
        }
        FpType::Infinity => {
            if alt_hp {
                *fpsr |= FPSR_IOC;
                to.zero(u.sign) | (to.mask() >> 1)
            } else {
                to.infinity(u.sign)
            }
        }
        FpType::Zero => to.zero(u.sign),
        FpType::Nonzero => round(to, u.sign, u.mant as u128, u.exp, fpcr, rmode, fpsr),
    }
}

/// FPConvertNaN: keep the sign and the top fraction bits, set the quiet bit.
fn convert_nan(from: FpSize, to: FpSize, a: u64) -> u64 {
    let sign = a & from.sign_bit() != 0;
    let frac = a & from.frac_mask();
    let frac = if to.fbits() >= from.fbits() {
        frac << (to.fbits() - from.fbits())
    } else {
        frac >> (from.fbits() - to.fbits())
    };
    to.zero(sign) | to.exp_mask() | frac | 1u64 << (to.fbits() - 1)
}

/// FPCompare: NZCV in bits 31:28 (unordered 0011, equal 0110, less 1000, greater 0010).
pub fn fp_compare(sz: FpSize, a: u64, b: u64, signal_all_nans: bool, fpcr: u32, fpsr: &mut u32) -> u32 {
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    if u1.is_nan() || u2.is_nan() {
        if u1.ty == FpType::SNaN || u2.ty == FpType::SNaN || signal_all_nans {
            *fpsr |= FPSR_IOC;
        }
        return 0b0011 << 28;
    }
    match cmp_values(&u1, &u2) {
        0 => 0b0110 << 28,
        c if c < 0 => 0b1000 << 28,
        _ => 0b0010 << 28,
    }
}

/// FPCompareEQ (quiet: Invalid Operation only for an SNaN).
pub fn fp_compare_eq(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> bool {
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    if u1.is_nan() || u2.is_nan() {
        if u1.ty == FpType::SNaN || u2.ty == FpType::SNaN {
            *fpsr |= FPSR_IOC;
        }
        return false;
    }
    cmp_values(&u1, &u2) == 0
}

/// FPCompareGE (signalling: Invalid Operation for any NaN).
pub fn fp_compare_ge(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> bool {
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    if u1.is_nan() || u2.is_nan() {
        *fpsr |= FPSR_IOC;
        return false;
    }
    cmp_values(&u1, &u2) >= 0
}

/// FPCompareGT (signalling: Invalid Operation for any NaN).
pub fn fp_compare_gt(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> bool {
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    if u1.is_nan() || u2.is_nan() {
        *fpsr |= FPSR_IOC;
        return false;
    }
    cmp_values(&u1, &u2) > 0
}
