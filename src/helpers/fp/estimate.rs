//! Reciprocal and reciprocal square root estimates and steps (Arm ARM FPRecipEstimate,
//! RecipEstimate, FPRSqrtEstimate, RecipSqrtEstimate, FPRecpX, FPRecipStepFused,
//! FPRSqrtStepFused), for ARMv8.0 (no FEAT_RPRES, no FEAT_AFP).
//!
//! Invariants: as for the parent module; the estimates are table-free integer computations of
//! exactly the values the pseudocode's RecipEstimate/RecipSqrtEstimate define.

use super::*;

/// RecipEstimate: `a` in 256..512 (a fixed-point value in [0.5, 1.0)) -> 256..512.
fn recip_estimate(a: u32) -> u32 {
    let a = a * 2 + 1;
    let b = (1u32 << 19) / a;
    b.div_ceil(2)
}

/// RecipSqrtEstimate: `a` in 128..512 -> 256..512.
fn recip_sqrt_estimate(a: u32) -> u32 {
    let a = if a < 256 { a * 2 + 1 } else { ((a >> 1) << 1) * 2 + 2 };
    let a = a as u64;
    let mut b: u64 = 512;
    while a * (b + 1) * (b + 1) < 1 << 28 {
        b += 1;
    }
    b.div_ceil(2) as u32
}

/// (fraction as 52 bits, biased exponent) of a finite operand, as the estimate pseudocode reads it.
fn frac52_exp(sz: FpSize, a: u64) -> (u64, i32) {
    let f = sz.fbits();
    let frac = (a & sz.frac_mask()) << (52 - f);
    let exp = ((a & sz.exp_mask()) >> f) as i32;
    (frac, exp)
}

/// FPRecipEstimate (FRECPE).
pub fn fp_recpe(sz: FpSize, a: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    let a = a & sz.mask();
    let u = unpack(sz, a, fpcr, fpsr);
    let rmode = fpcr_rmode(fpcr);
    match u.ty {
        FpType::SNaN | FpType::QNaN => return process_nan(sz, u.ty, a, fpcr, fpsr),
        FpType::Infinity => return sz.zero(u.sign),
        FpType::Zero => {
            *fpsr |= FPSR_DZC;
            return sz.infinity(u.sign);
        }
        FpType::Nonzero => {}
    }
    // |value| < 2^-(2^(E-1)) (2^-16, 2^-128, 2^-1024): the reciprocal overflows.
    let top = msb(u.mant as u128) + u.exp;
    let tiny_limit = -(1i32 << (sz.ebits() - 1));
    if top < tiny_limit {
        let overflow_to_inf = match rmode {
            RM_TIEEVEN => true,
            RM_POSINF => !u.sign,
            RM_NEGINF => u.sign,
            _ => false,
        };
        *fpsr |= FPSR_OFC | FPSR_IXC;
        return if overflow_to_inf { sz.infinity(u.sign) } else { sz.max_normal(u.sign) };
    }
    // |value| >= 2^(2^(E-1) - 2) (2^14, 2^126, 2^1022) with flush-to-zero: the result is tiny.
    if flushing(sz, fpcr) && top >= (1i32 << (sz.ebits() - 1)) - 2 {
        *fpsr |= FPSR_UFC;
        return sz.zero(u.sign);
    }
    let (mut fraction, mut exp) = frac52_exp(sz, a);
    if exp == 0 {
        if fraction >> 51 & 1 == 0 {
            exp = -1;
            fraction = (fraction << 2) & ((1u64 << 52) - 1);
        } else {
            fraction = (fraction << 1) & ((1u64 << 52) - 1);
        }
    }
    let scaled = 256 | (fraction >> 44) as u32;
    let mut result_exp = 2 * sz.bias() - 1 - exp;
    let estimate = recip_estimate(scaled) as u64;
    let mut fraction = (estimate & 0xff) << 44;
    if result_exp == 0 {
        fraction = (1u64 << 51) | (fraction >> 1);
    } else if result_exp == -1 {
        fraction = (1u64 << 50) | (fraction >> 2);
        result_exp = 0;
    }
    let f = sz.fbits();
    sz.zero(u.sign) | (result_exp as u64) << f | (fraction >> (52 - f))
}

/// FPRSqrtEstimate (FRSQRTE).
pub fn fp_rsqrte(sz: FpSize, a: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    let a = a & sz.mask();
    let u = unpack(sz, a, fpcr, fpsr);
    match u.ty {
        FpType::SNaN | FpType::QNaN => return process_nan(sz, u.ty, a, fpcr, fpsr),
        FpType::Zero => {
            *fpsr |= FPSR_DZC;
            return sz.infinity(u.sign);
        }
        _ if u.sign => {
            *fpsr |= FPSR_IOC;
            return sz.default_nan();
        }
        FpType::Infinity => return sz.zero(false),
        FpType::Nonzero => {}
    }
    let (mut fraction, mut exp) = frac52_exp(sz, a);
    let m52 = (1u64 << 52) - 1;
    if exp == 0 {
        while fraction >> 51 & 1 == 0 {
            fraction = (fraction << 1) & m52;
            exp -= 1;
        }
        fraction = (fraction << 1) & m52;
    }
    // An odd biased exponent is an even unbiased one: scale into [0.25, 0.5) ('01':fraction),
    // else into [0.5, 1.0) ('1':fraction).
    let scaled = if exp & 1 == 1 { 128 | (fraction >> 45) as u32 } else { 256 | (fraction >> 44) as u32 };
    // result_exp = (3*bias - 1 - exp) DIV 2, with DIV rounding towards minus infinity.
    let result_exp = (3 * sz.bias() - 1 - exp).div_euclid(2);
    let estimate = recip_sqrt_estimate(scaled) as u64;
    let f = sz.fbits();
    (result_exp as u64) << f | (estimate & 0xff) << (f - 8)
}

/// FPRecpX (FRECPX).
pub fn fp_recpx(sz: FpSize, a: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    let a = a & sz.mask();
    let u = unpack(sz, a, fpcr, fpsr);
    if u.is_nan() {
        return process_nan(sz, u.ty, a, fpcr, fpsr);
    }
    let f = sz.fbits();
    let exp = (a & sz.exp_mask()) >> f;
    let emax = (1u64 << sz.ebits()) - 1;
    let rexp = if exp == 0 { emax - 1 } else { !exp & emax };
    sz.zero(u.sign) | rexp << f
}

/// The shared body of FPRecipStepFused / FPRSqrtStepFused: `constant + (-a) * b`, fused, with
/// infinity times zero giving `special`.
fn step_fused(sz: FpSize, a: u64, b: u64, sqrt: bool, fpcr: u32, fpsr: &mut u32) -> u64 {
    let a = fp_neg(sz, a);
    let b = b & sz.mask();
    let u1 = unpack(sz, a, fpcr, fpsr);
    let u2 = unpack(sz, b, fpcr, fpsr);
    if let Some(r) = process_nans(sz, &u1, &u2, a, b, fpcr, fpsr) {
        return r;
    }
    let f = sz.fbits();
    // FPTwo / FPOnePointFive.
    let special = if sqrt { (sz.bias() as u64) << f | 1u64 << (f - 1) } else { fp_two(sz, false) };
    if (u1.is_inf() && u2.is_zero()) || (u1.is_zero() && u2.is_inf()) {
        return special;
    }
    if u1.is_inf() || u2.is_inf() {
        return sz.infinity(u1.sign != u2.sign);
    }
    let rmode = fpcr_rmode(fpcr);
    // 2.0 + p, or (3.0 + p) / 2.0 = 1.5 + p/2.
    let (cm, ce) = if sqrt { (3u128, -1) } else { (1u128, 1) };
    let sum = if u1.is_zero() || u2.is_zero() {
        Some((false, cm, ce))
    } else {
        let pm = u1.mant as u128 * u2.mant as u128;
        let pe = u1.exp + u2.exp - sqrt as i32;
        add_values(false, cm, ce, u1.sign != u2.sign, pm, pe)
    };
    match sum {
        None => sz.zero(rmode == RM_NEGINF),
        Some((s, m, e)) => round(sz, s, m, e, fpcr, rmode, fpsr),
    }
}

/// FPRecipStepFused (FRECPS): 2.0 - a * b.
pub fn fp_recps(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    step_fused(sz, a, b, false, fpcr, fpsr)
}

/// FPRSqrtStepFused (FRSQRTS): (3.0 - a * b) / 2.0.
pub fn fp_rsqrts(sz: FpSize, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> u64 {
    step_fused(sz, a, b, true, fpcr, fpsr)
}
