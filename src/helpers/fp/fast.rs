//! Fast path for FP arithmetic on the host's SSE unit, taken only where it is provably
//! bit-identical to the Arm pseudocode: FPCR has round-to-nearest and no FZ/DN/AHP, both
//! operands are normal numbers, and the result is a normal number outside the smallest
//! binade (so neither overflow, underflow, tininess-before-rounding nor NaN rules can differ).
//! IEEE 754 fixes the rounded result of +, -, *, / and sqrt, and the only flag such a result can
//! raise is Inexact, read from MXCSR.PE. Everything else returns `None` and takes the exact
//! software path.

use super::FpSize;
use crate::cpu::FPSR_IXC;

#[derive(Clone, Copy)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// FPCR bits that must be clear: AHP, DN, FZ, RMode (26:22).
const FPCR_SPECIAL: u32 = 0x07C0_0000;
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
    if fpcr & FPCR_SPECIAL != 0 || matches!(sz, FpSize::H) || !normal(sz, a) || !normal(sz, b) {
        return None;
    }
    let (r, csr) = host_binop_flags(sz, op, a, b);
    let r = if matches!(sz, FpSize::S) { r & 0xffff_ffff } else { r };
    if !safe_result(sz, r) {
        return None;
    }
    if csr & MXCSR_PE != 0 {
        *fpsr |= FPSR_IXC;
    }
    Some(r)
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
    if fpcr & FPCR_SPECIAL != 0 || matches!(sz, FpSize::H) || !normal(sz, a) {
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
