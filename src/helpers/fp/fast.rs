//! Fast path for FP arithmetic on the host's SSE unit, taken only where it is provably
//! bit-identical to the Arm pseudocode: FPCR has round-to-nearest and no FZ/DN/AHP, both
//! operands are normal numbers, and the result is a normal number outside the smallest
//! binade (so neither overflow, underflow, tininess-before-rounding nor NaN rules can differ).
//! IEEE 754 fixes the rounded result of +, -, *, / and sqrt, and the only flag such a result can
//! raise is Inexact, read from MXCSR.PE. Everything else returns `None` and takes the exact
//! software path.

use super::FpSize;
use crate::cpu::{FPCR_NON_IEEE, FPSR_IXC};

#[derive(Clone, Copy)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// MXCSR: all exceptions masked, round to nearest, flags clear.
const MXCSR_DEFAULT: u32 = 0x1F80;
const MXCSR_PE: u32 = 1 << 5;

/// Biased exponent field is neither 0 (zero/subnormal) nor all-ones (inf/NaN).
#[inline]
fn normal(sz: FpSize, x: u64) -> bool {
    let e = exp(sz, x);
    e != 0 && e != max_exp(sz)
}

#[inline]
fn exp(sz: FpSize, x: u64) -> u64 {
    match sz {
        FpSize::D => (x >> 52) & 0x7ff,
        _ => (x >> 23) & 0xff,
    }
}

#[inline]
fn max_exp(sz: FpSize) -> u64 {
    match sz {
        FpSize::D => 0x7ff,
        _ => 0xff,
    }
}

/// A result that cannot have been affected by overflow or underflow handling.
#[inline]
fn safe_result(sz: FpSize, x: u64) -> bool {
    let e = exp(sz, x);
    e > 1 && e != max_exp(sz)
}

/// `a op b` if the fast path applies.
#[inline]
pub fn binop(sz: FpSize, op: Op, a: u64, b: u64, fpcr: u32, fpsr: &mut u32) -> Option<u64> {
    if fpcr & FPCR_NON_IEEE != 0 || matches!(sz, FpSize::H) || !normal(sz, a) || !normal(sz, b) {
        return None;
    }
    // std caches the CPUID answer: this is a load and a bit test.
    let (r, inexact) = if std::arch::is_x86_feature_detected!("fma") && residual_exact(sz, op, a, b) {
        // SAFETY: the CPU has FMA (checked).
        unsafe { eft_binop(sz, op, a, b) }
    } else {
        let (r, csr) = host_binop_flags(sz, op, a, b);
        let r = if matches!(sz, FpSize::S) { r & 0xffff_ffff } else { r };
        (r, csr & MXCSR_PE != 0)
    };
    if !safe_result(sz, r) {
        return None;
    }
    if inexact {
        *fpsr |= FPSR_IXC;
    }
    Some(r)
}

/// Whether the FMA residual of `op` is exactly representable (cannot underflow): the residual
/// of a product is a multiple of 2^(ea+eb-2p) and that of a quotient of 2^(ea-2p) (p the
/// precision), so both exponents must stay well above the subnormal range. (TwoSum is exact
/// for any finite sum.)
#[inline]
fn residual_exact(sz: FpSize, op: Op, a: u64, b: u64) -> bool {
    let (bias, limit) = match sz {
        FpSize::D => (1023i64, -900i64),
        _ => (127, -90),
    };
    let ea = exp(sz, a) as i64 - bias;
    let eb = exp(sz, b) as i64 - bias;
    match op {
        Op::Add | Op::Sub => true,
        Op::Mul => ea + eb >= limit,
        Op::Div => ea >= limit,
    }
}

/// The operation in the host's default mode (round to nearest, no flush) and whether it was
/// inexact, from error-free transformations: TwoSum for + and -, the FMA residual for * and /
/// (exact when the result is normal, which the caller checks before trusting it).
#[target_feature(enable = "fma")]
unsafe fn eft_binop(sz: FpSize, op: Op, a: u64, b: u64) -> (u64, bool) {
    macro_rules! eft {
        ($t:ty, $a:expr, $b:expr) => {{
            let (a, b): ($t, $t) = ($a, $b);
            match op {
                Op::Add | Op::Sub => {
                    let b = if matches!(op, Op::Sub) { -b } else { b };
                    let s = a + b;
                    let bb = s - a;
                    let err = (a - (s - bb)) + (b - bb);
                    (s, err != 0.0)
                }
                Op::Mul => {
                    let p = a * b;
                    (p, a.mul_add(b, -p) != 0.0)
                }
                Op::Div => {
                    let q = a / b;
                    (q, (-q).mul_add(b, a) != 0.0)
                }
            }
        }};
    }
    match sz {
        FpSize::D => {
            let (r, inexact) = eft!(f64, f64::from_bits(a), f64::from_bits(b));
            (r.to_bits(), inexact)
        }
        _ => {
            let (r, inexact) = eft!(f32, f32::from_bits(a as u32), f32::from_bits(b as u32));
            (r.to_bits() as u64, inexact)
        }
    }
}

/// The host operation and the MXCSR flags it raised (for S, the low 32 bits of the inputs and
/// of the result are the single-precision values).
#[inline]
fn host_binop_flags(sz: FpSize, op: Op, a: u64, b: u64) -> (u64, u32) {
    let mut csr = [MXCSR_DEFAULT, 0u32];
    let (a, b) = (f64::from_bits(a), f64::from_bits(b));
    let r: f64;
    // SAFETY: SSE2 is baseline on x86_64; MXCSR is loaded with the default (all exceptions
    // masked, round to nearest) and put back to it, so Rust code sees the mode it assumes;
    // `csr` is a local the asm reads and writes.
    unsafe {
        macro_rules! go {
            ($ins:literal) => {
                std::arch::asm!(
                    "ldmxcsr [{c}]",
                    concat!($ins, " {x}, {y}"),
                    "stmxcsr [{c}+4]",
                    "ldmxcsr [{c}]",
                    c = in(reg) csr.as_mut_ptr(),
                    x = inout(xmm_reg) a => r,
                    y = in(xmm_reg) b,
                    options(nostack),
                )
            };
        }
        match (sz, op) {
            (FpSize::D, Op::Add) => go!("addsd"),
            (FpSize::D, Op::Sub) => go!("subsd"),
            (FpSize::D, Op::Mul) => go!("mulsd"),
            (FpSize::D, Op::Div) => go!("divsd"),
            (_, Op::Add) => go!("addss"),
            (_, Op::Sub) => go!("subss"),
            (_, Op::Mul) => go!("mulss"),
            (_, Op::Div) => go!("divss"),
        }
    }
    (r.to_bits(), csr[1])
}

/// sqrt(a) if the fast path applies (a positive normal; the result is then always normal).
#[inline]
pub fn sqrt(sz: FpSize, a: u64, fpcr: u32, fpsr: &mut u32) -> Option<u64> {
    if fpcr & FPCR_NON_IEEE != 0 || matches!(sz, FpSize::H) || !normal(sz, a) {
        return None;
    }
    let sign = match sz {
        FpSize::D => a >> 63,
        _ => (a >> 31) & 1,
    };
    if sign != 0 {
        return None;
    }
    let mut csr = [MXCSR_DEFAULT, 0u32];
    let a = f64::from_bits(a);
    let r: f64;
    // SAFETY: see `host_binop_flags`.
    unsafe {
        if matches!(sz, FpSize::D) {
            std::arch::asm!(
                "ldmxcsr [{c}]",
                "sqrtsd {x}, {x}",
                "stmxcsr [{c}+4]",
                "ldmxcsr [{c}]",
                c = in(reg) csr.as_mut_ptr(),
                x = inout(xmm_reg) a => r,
                options(nostack),
            );
        } else {
            std::arch::asm!(
                "ldmxcsr [{c}]",
                "sqrtss {x}, {x}",
                "stmxcsr [{c}+4]",
                "ldmxcsr [{c}]",
                c = in(reg) csr.as_mut_ptr(),
                x = inout(xmm_reg) a => r,
                options(nostack),
            );
        }
    }
    let r = r.to_bits();
    let r = if matches!(sz, FpSize::S) { r & 0xffff_ffff } else { r };
    if csr[1] & MXCSR_PE != 0 {
        *fpsr |= FPSR_IXC;
    }
    Some(r)
}
