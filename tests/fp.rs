//! Scalar floating point: bit-exact tests of the element functions in `helpers::fp`.
//!
//! Two kinds of test: hand-picked cases with values from the Arm ARM or from qemu-aarch64 runs,
//! and `fpcheck_matches_qemu`, which replays every line of `guest-bins/fp/fpcheck.expected`
//! (the output of `guest-bins/fp/fpcheck.c` under qemu-aarch64: operands, FPCR, result bits and
//! FPSR flags) through the element functions and requires identical results and flags.

use qemu_aarch64_lite::arch::{decode, Insn, Op};
use qemu_aarch64_lite::cpu::CpuState;
use qemu_aarch64_lite::helpers::fp::insn as h;
use qemu_aarch64_lite::helpers::fp::*;

const RN: u32 = 0;
const RP: u32 = 1 << 22;
const RM: u32 = 2 << 22;
const RZ: u32 = 3 << 22;
const FZ: u32 = 1 << 24;
const DN: u32 = 1 << 25;
const AHP: u32 = 1 << 26;
const IOC: u32 = 1;
const DZC: u32 = 2;
const OFC: u32 = 4;
const UFC: u32 = 8;
const IXC: u32 = 16;
const IDC: u32 = 128;

/// Evaluate one fpcheck operation by name; returns (result, fpsr).
fn eval(op: &str, args: &[u64], fpcr: u32) -> Option<(u64, u32)> {
    let mut fpsr = 0u32;
    let f = &mut fpsr;
    let size = |s: &str| match s {
        "h" => FpSize::H,
        "s" => FpSize::S,
        _ => FpSize::D,
    };
    let ibits = |s: &str| if s == "w" { 32 } else { 64 };
    let mask = |sz: FpSize| {
        if sz == FpSize::D {
            u64::MAX
        } else {
            (1u64 << sz.bits()) - 1
        }
    };
    let r = if let Some((base, fb)) = op.split_once('#') {
        // name_<int>_<fp> or name_<fp>_<int> with fbits
        let fbits: u32 = fb.parse().ok()?;
        let parts: Vec<&str> = base.split('_').collect();
        match parts[0] {
            "fcvtzsfix" | "fcvtzufix" => {
                fp_to_int(size(parts[2]), args[0], fbits, parts[0] == "fcvtzufix", 3, ibits(parts[1]), fpcr, f)
            }
            "scvtffix" | "ucvtffix" => {
                int_to_fp(size(parts[1]), args[0], ibits(parts[2]), parts[0] == "scvtffix", fbits, fpcr, f)
            }
            _ => return None,
        }
    } else {
        let parts: Vec<&str> = op.split('.').collect();
        let name = parts[0];
        let sz = size(parts[1]);
        let (a, b) = (args[0], args.get(1).copied().unwrap_or(0));
        match name {
            "fadd" => fp_add(sz, a, b, fpcr, f),
            "fsub" => fp_sub(sz, a, b, fpcr, f),
            "fmul" => fp_mul(sz, a, b, fpcr, f),
            "fdiv" => fp_div(sz, a, b, fpcr, f),
            "fmax" => fp_max(sz, a, b, fpcr, f),
            "fmin" => fp_min(sz, a, b, fpcr, f),
            "fmaxnm" => fp_maxnm(sz, a, b, fpcr, f),
            "fminnm" => fp_minnm(sz, a, b, fpcr, f),
            "fnmul" => fp_neg(sz, fp_mul(sz, a, b, fpcr, f)),
            "fmulx" => fp_mulx(sz, a, b, fpcr, f),
            "frecps" => fp_recps(sz, a, b, fpcr, f),
            "frsqrts" => fp_rsqrts(sz, a, b, fpcr, f),
            "fcmeq" => mask(sz) * fp_compare_eq(sz, a, b, fpcr, f) as u64,
            "fcmge" => mask(sz) * fp_compare_ge(sz, a, b, fpcr, f) as u64,
            "fcmgt" => mask(sz) * fp_compare_gt(sz, a, b, fpcr, f) as u64,
            "fcmp" => (fp_compare(sz, a, b, false, fpcr, f) >> 28) as u64,
            "fcmpe" => (fp_compare(sz, a, b, true, fpcr, f) >> 28) as u64,
            "fsqrt" => fp_sqrt(sz, a, fpcr, f),
            "frintn" => fp_round_int(sz, a, 0, false, fpcr, f),
            "frintp" => fp_round_int(sz, a, 1, false, fpcr, f),
            "frintm" => fp_round_int(sz, a, 2, false, fpcr, f),
            "frintz" => fp_round_int(sz, a, 3, false, fpcr, f),
            "frinta" => fp_round_int(sz, a, 4, false, fpcr, f),
            "frintx" => fp_round_int(sz, a, (fpcr >> 22) & 3, true, fpcr, f),
            "frinti" => fp_round_int(sz, a, (fpcr >> 22) & 3, false, fpcr, f),
            "frecpe" => fp_recpe(sz, a, fpcr, f),
            "frsqrte" => fp_rsqrte(sz, a, fpcr, f),
            "frecpx" => fp_recpx(sz, a, fpcr, f),
            "fcvt" => fp_convert(size(parts[2]), sz, a, fpcr, f),
            "fcvtxn" => fp_convert_rm(size(parts[2]), sz, a, RM_ODD, fpcr, f),
            "scvtf" | "ucvtf" => int_to_fp(sz, a, ibits(parts[2]), name == "scvtf", 0, fpcr, f),
            "fmadd" | "fmsub" | "fnmadd" | "fnmsub" => {
                let (mut ad, mut x, y) = (args[0], args[1], args[2]);
                if name.starts_with("fn") {
                    ad = fp_neg(sz, ad);
                }
                if name == "fmsub" || name == "fnmadd" {
                    x = fp_neg(sz, x);
                }
                fp_muladd(sz, ad, x, y, fpcr, f)
            }
            _ if name.starts_with("fcvt") => {
                // fcvt[npmza][su].<w|x>.<s|d>
                let rmode = match name.as_bytes()[4] {
                    b'n' => 0,
                    b'p' => 1,
                    b'm' => 2,
                    b'z' => 3,
                    _ => 4,
                };
                let unsigned = name.as_bytes()[5] == b'u';
                fp_to_int(size(parts[2]), a, 0, unsigned, rmode, ibits(parts[1]), fpcr, f)
            }
            _ => return None,
        }
    };
    Some((r, fpsr))
}

#[test]
fn fpcheck_matches_qemu() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/guest-bins/fp/fpcheck.expected");
    let text = std::fs::read_to_string(path).expect("fpcheck.expected");
    let mut op = String::new();
    let mut fpcr = 0u32;
    let (mut cases, mut bad) = (0usize, 0usize);
    let mut shown = 0;
    let mut per_op = std::collections::BTreeMap::new();
    for line in text.lines() {
        if let Some(o) = line.strip_prefix("op ") {
            op = o.to_string();
            continue;
        }
        if let Some(c) = line.strip_prefix("fpcr ") {
            fpcr = u32::from_str_radix(c, 16).unwrap();
            continue;
        }
        let v: Vec<u64> = line.split(' ').map(|x| u64::from_str_radix(x, 16).unwrap()).collect();
        let (args, want_r, want_s) = (&v[..v.len() - 2], v[v.len() - 2], v[v.len() - 1] as u32);
        let (mut r, s) = eval(&op, args, fpcr).unwrap_or_else(|| panic!("unknown op {op}"));
        if op.starts_with("fcvt.h") {
            r &= 0xffff;
        }
        cases += 1;
        if r != want_r || s != want_s {
            bad += 1;
            *per_op.entry(op.clone()).or_insert(0usize) += 1;
            if shown < 40 {
                shown += 1;
                eprintln!(
                    "MISMATCH {op} fpcr={fpcr:x} args={args:x?}: got {r:x} fpsr {s:x}, want {want_r:x} fpsr {want_s:x}"
                );
            }
        }
    }
    eprintln!("fpcheck: {cases} cases, {bad} mismatches {per_op:?}");
    assert!(cases > 100_000);
    assert_eq!(bad, 0);
}

// ------------------------------------------------------------------ hand-picked element cases

/// Run `f` with a fresh FPSR; return (result, fpsr).
fn run<T>(f: impl FnOnce(&mut u32) -> T) -> (T, u32) {
    let mut s = 0;
    let r = f(&mut s);
    (r, s)
}

#[test]
fn add_in_each_rounding_mode() {
    use FpSize::S;
    // 1.0 + 2^-24 is exactly half an ulp above 1.0.
    let (one, tiny) = (0x3f80_0000, 0x3380_0000);
    assert_eq!(run(|s| fp_add(S, one, tiny, RN, s)), (0x3f80_0000, IXC));
    assert_eq!(run(|s| fp_add(S, one, tiny, RP, s)), (0x3f80_0001, IXC));
    assert_eq!(run(|s| fp_add(S, one, tiny, RM, s)), (0x3f80_0000, IXC));
    assert_eq!(run(|s| fp_add(S, one, tiny, RZ, s)), (0x3f80_0000, IXC));
    // Negative: RM rounds away from zero, RP towards.
    let (mone, mtiny) = (0xbf80_0000, 0xb380_0000);
    assert_eq!(run(|s| fp_add(S, mone, mtiny, RM, s)), (0xbf80_0001, IXC));
    assert_eq!(run(|s| fp_add(S, mone, mtiny, RP, s)), (0xbf80_0000, IXC));
    // 1.0 + 3*2^-25 (above half): RN rounds up.
    assert_eq!(run(|s| fp_add(S, one, 0x33c0_0000, RN, s)), (0x3f80_0001, IXC));
    // Exact: no flags.
    assert_eq!(run(|s| fp_add(S, one, one, RN, s)), (0x4000_0000, 0));
}

#[test]
fn nan_operand_order_and_default_nan() {
    use FpSize::{D, S};
    let (q1, q2, s1, s2) = (0x7fc0_0001, 0x7fc0_0002, 0x7f80_0001, 0x7f80_0002);
    // FPProcessNaNs: SNaN first operand, SNaN second, QNaN first, QNaN second.
    assert_eq!(run(|s| fp_add(S, s1, s2, RN, s)), (0x7fc0_0001, IOC));
    assert_eq!(run(|s| fp_add(S, q1, s2, RN, s)), (0x7fc0_0002, IOC));
    assert_eq!(run(|s| fp_mul(S, q1, q2, RN, s)), (q1, 0));
    assert_eq!(run(|s| fp_mul(S, 0x3f80_0000, q2, RN, s)), (q2, 0));
    // DN: the default NaN.
    assert_eq!(run(|s| fp_sub(S, q1, q2, DN, s)), (0x7fc0_0000, 0));
    assert_eq!(run(|s| fp_sub(D, 0x7ff0_0000_0000_0001, 0, DN, s)), (0x7ff8_0000_0000_0000, IOC));
    // Invalid operations give the default NaN.
    assert_eq!(run(|s| fp_add(S, 0x7f80_0000, 0xff80_0000, RN, s)), (0x7fc0_0000, IOC));
    assert_eq!(run(|s| fp_mul(D, 0, 0xfff0_0000_0000_0000, RN, s)), (0x7ff8_0000_0000_0000, IOC));
    assert_eq!(run(|s| fp_div(S, 0, 0x8000_0000, RN, s)), (0x7fc0_0000, IOC));
    assert_eq!(run(|s| fp_sqrt(S, 0xbf80_0000, RN, s)), (0x7fc0_0000, IOC));
    // Division by zero.
    assert_eq!(run(|s| fp_div(S, 0xbf80_0000, 0, RN, s)), (0xff80_0000, DZC));
}

#[test]
fn signed_zeros() {
    use FpSize::{D, S};
    assert_eq!(run(|s| fp_add(S, 0, 0x8000_0000, RN, s)), (0, 0));
    assert_eq!(run(|s| fp_add(S, 0, 0x8000_0000, RM, s)), (0x8000_0000, 0));
    assert_eq!(run(|s| fp_sub(D, 0x3ff0_0000_0000_0000, 0x3ff0_0000_0000_0000, RM, s)), (1 << 63, 0));
    assert_eq!(run(|s| fp_sub(D, 0x3ff0_0000_0000_0000, 0x3ff0_0000_0000_0000, RP, s)), (0, 0));
    assert_eq!(run(|s| fp_mul(S, 0x8000_0000, 0x40a0_0000, RN, s)), (0x8000_0000, 0));
    assert_eq!(run(|s| fp_max(S, 0, 0x8000_0000, RN, s)), (0, 0));
    assert_eq!(run(|s| fp_max(S, 0x8000_0000, 0, RN, s)), (0, 0));
    assert_eq!(run(|s| fp_min(S, 0, 0x8000_0000, RN, s)), (0x8000_0000, 0));
    assert_eq!(run(|s| fp_minnm(S, 0x8000_0000, 0, RN, s)), (0x8000_0000, 0));
    assert_eq!(run(|s| fp_sqrt(S, 0x8000_0000, RN, s)), (0x8000_0000, 0));
    // FRINTP of a negative fraction keeps the sign: -0.0.
    assert_eq!(run(|s| fp_round_int(S, 0xbe99_999a, RM_POSINF, false, RN, s)), (0x8000_0000, 0));
}

#[test]
fn maxnm_minnm_with_one_quiet_nan() {
    use FpSize::S;
    let one = 0x3f80_0000;
    assert_eq!(run(|s| fp_maxnm(S, 0x7fc0_0000, one, RN, s)), (one, 0));
    assert_eq!(run(|s| fp_minnm(S, one, 0xffc0_0001, RN, s)), (one, 0));
    assert_eq!(run(|s| fp_max(S, 0x7fc0_0000, one, RN, s)), (0x7fc0_0000, 0));
    // A signalling NaN still wins (quieted).
    assert_eq!(run(|s| fp_maxnm(S, 0x7f80_0001, one, RN, s)), (0x7fc0_0001, IOC));
    assert_eq!(run(|s| fp_maxnm(S, 0x7fc0_0003, 0x7fc0_0004, RN, s)), (0x7fc0_0003, 0));
}

#[test]
fn subnormals_and_flush_to_zero() {
    use FpSize::{D, S};
    let min_normal = 0x0080_0000;
    // 2^-126 * 0.5 = 2^-127: an exact subnormal, no flags.
    assert_eq!(run(|s| fp_mul(S, min_normal, 0x3f00_0000, RN, s)), (0x0040_0000, 0));
    // Under FZ the tiny result is flushed: UFC, no IXC.
    assert_eq!(run(|s| fp_mul(S, min_normal, 0x3f00_0000, FZ, s)), (0, UFC));
    // Subnormal input under FZ: treated as zero with IDC.
    assert_eq!(run(|s| fp_add(S, 1, 0x3f80_0000, FZ, s)), (0x3f80_0000, IDC));
    assert_eq!(run(|s| fp_add(S, 1, 0, RN, s)), (1, 0));
    assert_eq!(run(|s| fp_add(D, 0x8000_0000_0000_0001, 0, FZ, s)), (0, IDC));
    // Tiny before rounding and inexact: UFC even though it rounds up to the smallest normal.
    assert_eq!(run(|s| fp_mul(S, min_normal, 0x3f7f_ffff, RN, s)), (min_normal, UFC | IXC));
    // Under FZ the same value is flushed (tininess is judged before rounding).
    assert_eq!(run(|s| fp_mul(S, min_normal, 0x3f7f_ffff, FZ, s)), (0, UFC));
}

#[test]
fn overflow_in_each_rounding_mode() {
    use FpSize::S;
    let (max, two) = (0x7f7f_ffff, 0x4000_0000);
    assert_eq!(run(|s| fp_mul(S, max, two, RN, s)), (0x7f80_0000, OFC | IXC));
    assert_eq!(run(|s| fp_mul(S, max, two, RP, s)), (0x7f80_0000, OFC | IXC));
    assert_eq!(run(|s| fp_mul(S, max, two, RM, s)), (max, OFC | IXC));
    assert_eq!(run(|s| fp_mul(S, max, two, RZ, s)), (max, OFC | IXC));
    assert_eq!(run(|s| fp_mul(S, max | 1 << 31, two, RM, s)), (0xff80_0000, OFC | IXC));
}

#[test]
fn fcvt_double_to_half() {
    use FpSize::{D, H, S};
    assert_eq!(run(|s| fp_convert(D, H, 0x3ff0_0000_0000_0000, RN, s)), (0x3c00, 0));
    assert_eq!(run(|s| fp_convert(D, H, 0x40ef_fc00_0000_0000, RN, s)), (0x7bff, 0)); // 65504
    assert_eq!(run(|s| fp_convert(D, H, 0x40ef_fe00_0000_0000, RN, s)), (0x7c00, OFC | IXC)); // 65520
    assert_eq!(run(|s| fp_convert(D, H, 0x40ef_fe00_0000_0000, RZ, s)), (0x7bff, IXC)); // no overflow after rounding
    assert_eq!(run(|s| fp_convert(D, H, 0x3e60_0000_0000_0000, RN, s)), (0, UFC | IXC)); // 2^-25
    assert_eq!(run(|s| fp_convert(D, H, 0xfff4_0000_0000_0567, RN, s)), (0xff00, IOC));
    assert_eq!(run(|s| fp_convert(D, H, 0xfff4_0000_0000_0567, DN, s)), (0x7e00, IOC));
    // Alternative half precision: no infinities or NaNs.
    assert_eq!(run(|s| fp_convert(D, H, 0x7ff0_0000_0000_0000, AHP, s)), (0x7fff, IOC));
    assert_eq!(run(|s| fp_convert(D, H, 0xfff4_0000_0000_0567, AHP, s)), (0x8000, IOC));
    assert_eq!(run(|s| fp_convert(D, H, 0x40ef_fe00_0000_0000, AHP, s)), (0x7c00, IXC));
    // Half to single and double: exact, NaN payload kept.
    assert_eq!(run(|s| fp_convert(H, S, 0x0001, RN, s)), (0x3380_0000, 0));
    assert_eq!(run(|s| fp_convert(H, D, 0x7c01, RN, s)), (0x7ff8_0400_0000_0000, IOC));
}

#[test]
fn fcvtzs_saturation() {
    use FpSize::{D, S};
    let zs = |a, bits, s: &mut u32| fp_to_int(D, a, 0, false, RM_ZERO, bits, RN, s);
    assert_eq!(run(|s| zs(0x7ff8_0000_0000_0000, 32, s)), (0, IOC));
    assert_eq!(run(|s| zs(0x7ff0_0000_0000_0000, 32, s)), (0x7fff_ffff, IOC));
    assert_eq!(run(|s| zs(0xfff0_0000_0000_0000, 32, s)), (0x8000_0000, IOC));
    assert_eq!(run(|s| zs(0x41e0_0000_0000_0000, 32, s)), (0x7fff_ffff, IOC)); // 2^31
    assert_eq!(run(|s| zs(0xc1e0_0000_0000_0000, 32, s)), (0x8000_0000, 0)); // -2^31
    assert_eq!(run(|s| zs(0x43e0_0000_0000_0000, 64, s)), (0x7fff_ffff_ffff_ffff, IOC)); // 2^63
    assert_eq!(run(|s| zs(0xbff8_0000_0000_0000, 64, s)), (u64::MAX, IXC)); // -1.5 -> -1
                                                                            // Unsigned: negative saturates to 0 with IOC, but -0.5 truncates to 0 (inexact only).
    let zu = |a, s: &mut u32| fp_to_int(S, a, 0, true, RM_ZERO, 32, RN, s);
    assert_eq!(run(|s| zu(0xbf80_0000, s)), (0, IOC));
    assert_eq!(run(|s| zu(0xbf00_0000, s)), (0, IXC));
    // Ties: FCVTNS to even, FCVTAS away.
    assert_eq!(run(|s| fp_to_int(D, 0x4004_0000_0000_0000, 0, false, RM_TIEEVEN, 32, RN, s)), (2, IXC));
    assert_eq!(run(|s| fp_to_int(D, 0x4004_0000_0000_0000, 0, false, RM_TIEAWAY, 32, RN, s)), (3, IXC));
    assert_eq!(run(|s| fp_to_int(D, 0xc004_0000_0000_0000, 0, false, RM_TIEAWAY, 32, RN, s)), (0xffff_fffd, IXC));
    // Fixed point: 1.5 with 16 fraction bits.
    assert_eq!(run(|s| fp_to_int(D, 0x3ff8_0000_0000_0000, 16, false, RM_ZERO, 32, RN, s)), (0x18000, 0));
}

#[test]
fn int_to_fp_edges() {
    use FpSize::{D, S};
    assert_eq!(run(|s| int_to_fp(D, i64::MIN as u64, 64, true, 0, RN, s)), (0xc3e0_0000_0000_0000, 0));
    assert_eq!(run(|s| int_to_fp(S, i64::MIN as u64, 64, true, 0, RN, s)), (0xdf00_0000, 0));
    assert_eq!(run(|s| int_to_fp(D, u64::MAX, 64, false, 0, RN, s)), (0x43f0_0000_0000_0000, IXC));
    assert_eq!(run(|s| int_to_fp(D, u64::MAX, 64, false, 0, RZ, s)), (0x43ef_ffff_ffff_ffff, IXC));
    assert_eq!(run(|s| int_to_fp(S, 0xffff_ffff, 32, true, 0, RN, s)), (0xbf80_0000, 0));
    assert_eq!(run(|s| int_to_fp(S, 0x0100_0001, 32, true, 0, RN, s)), (0x4b80_0000, IXC));
    assert_eq!(run(|s| int_to_fp(S, 0x0100_0001, 32, true, 0, RP, s)), (0x4b80_0001, IXC));
    assert_eq!(run(|s| int_to_fp(D, 1, 64, false, 64, RN, s)), (0x3bf0_0000_0000_0000, 0));
    // 2^-64
}

#[test]
fn estimates() {
    use FpSize::{D, S};
    assert_eq!(run(|s| fp_recpe(S, 0x3f80_0000, RN, s)), (0x3f7f_8000, 0));
    assert_eq!(run(|s| fp_recpe(S, 0x4040_0000, RN, s)), (0x3eaa_8000, 0));
    assert_eq!(run(|s| fp_recpe(S, 0x7f7f_ffff, RN, s)), (0x0020_0000, 0));
    assert_eq!(run(|s| fp_recpe(S, 1, RN, s)), (0x7f80_0000, OFC | IXC));
    assert_eq!(run(|s| fp_recpe(D, 0x4008_0000_0000_0000, RN, s)), (0x3fd5_5000_0000_0000, 0));
    assert_eq!(run(|s| fp_recpe(S, 0, RN, s)), (0x7f80_0000, DZC));
    assert_eq!(run(|s| fp_rsqrte(S, 0x3f80_0000, RN, s)), (0x3f7f_8000, 0));
    assert_eq!(run(|s| fp_rsqrte(S, 0x4080_0000, RN, s)), (0x3eff_8000, 0));
    assert_eq!(run(|s| fp_rsqrte(D, 0x4008_0000_0000_0000, RN, s)), (0x3fe2_7000_0000_0000, 0));
    assert_eq!(run(|s| fp_rsqrte(D, 1, RN, s)), (0x617f_f000_0000_0000, 0));
    assert_eq!(run(|s| fp_rsqrte(S, 0xbf80_0000, RN, s)), (0x7fc0_0000, IOC));
    assert_eq!(run(|s| fp_recpx(S, 0x4040_0000, RN, s)), (0x3f80_0000, 0)); // exponent NOT(128) = 127
    assert_eq!(run(|s| fp_recpx(S, 1, RN, s)), (0x7f00_0000, 0));
    // FRECPS: 2 - a*b, infinity times zero gives 2.0.
    assert_eq!(run(|s| fp_recps(S, 0x7f80_0000, 0, RN, s)), (0x4000_0000, 0));
    assert_eq!(run(|s| fp_recps(S, 0x3f80_0000, 0x3f80_0000, RN, s)), (0x3f80_0000, 0));
    assert_eq!(run(|s| fp_rsqrts(S, 0x3f80_0000, 0x3f80_0000, RN, s)), (0x3f80_0000, 0));
}

#[test]
fn fused_multiply_add() {
    use FpSize::{D, S};
    let (one, q, sn) = (0x3f80_0000, 0x7fc0_0001, 0x7f80_0002);
    // QNaN addend with infinity times zero: the default NaN and Invalid Operation.
    assert_eq!(run(|s| fp_muladd(S, q, 0x7f80_0000, 0, RN, s)), (0x7fc0_0000, IOC));
    // FPProcessNaNs3: SNaNs first (addend, op1, op2 order), then QNaNs.
    assert_eq!(run(|s| fp_muladd(S, q, one, sn, RN, s)), (0x7fc0_0002, IOC));
    assert_eq!(run(|s| fp_muladd(S, q, 0x7fc0_0005, one, RN, s)), (q, 0));
    // Single rounding: (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104 exactly.
    let a = 0x3ff0_0000_0000_0001;
    let b = 0x3fef_ffff_ffff_fffe;
    assert_eq!(run(|s| fp_muladd(D, 0xbff0_0000_0000_0000, a, b, RN, s)), (0xb970_0000_0000_0000, 0));
    // Exact zero result: +0 except in RM.
    assert_eq!(run(|s| fp_muladd(S, 0xbf80_0000, one, one, RN, s)), (0, 0));
    assert_eq!(run(|s| fp_muladd(S, 0xbf80_0000, one, one, RM, s)), (0x8000_0000, 0));
}

#[test]
fn compares() {
    use FpSize::S;
    let one = 0x3f80_0000;
    assert_eq!(run(|s| fp_compare(S, one, one, false, RN, s)), (0x6000_0000, 0));
    assert_eq!(run(|s| fp_compare(S, 0, one, false, RN, s)), (0x8000_0000, 0));
    assert_eq!(run(|s| fp_compare(S, one, 0, false, RN, s)), (0x2000_0000, 0));
    assert_eq!(run(|s| fp_compare(S, 0x8000_0000, 0, false, RN, s)), (0x6000_0000, 0));
    assert_eq!(run(|s| fp_compare(S, 0x7fc0_0000, 0, false, RN, s)), (0x3000_0000, 0));
    assert_eq!(run(|s| fp_compare(S, 0x7fc0_0000, 0, true, RN, s)), (0x3000_0000, IOC));
    assert_eq!(run(|s| fp_compare(S, 0x7f80_0001, 0, false, RN, s)), (0x3000_0000, IOC));
    assert_eq!(run(|s| fp_compare_eq(S, 0x7fc0_0000, 0, RN, s)), (false, 0));
    assert_eq!(run(|s| fp_compare_ge(S, 0x7fc0_0000, 0, RN, s)), (false, IOC));
    assert_eq!(run(|s| fp_compare_gt(S, one, 0x8000_0001, FZ, s)), (true, IDC));
}

#[test]
fn round_int_modes_and_exact() {
    use FpSize::D;
    let x = 0x4004_0000_0000_0000; // 2.5
    assert_eq!(run(|s| fp_round_int(D, x, RM_TIEEVEN, false, RN, s)), (0x4000_0000_0000_0000, 0));
    assert_eq!(run(|s| fp_round_int(D, x, RM_TIEAWAY, false, RN, s)), (0x4008_0000_0000_0000, 0));
    assert_eq!(run(|s| fp_round_int(D, x, RM_NEGINF, true, RN, s)), (0x4000_0000_0000_0000, IXC));
    assert_eq!(run(|s| fp_round_int(D, x, RM_POSINF, true, RN, s)), (0x4008_0000_0000_0000, IXC));
    assert_eq!(run(|s| fp_round_int(D, 0x4330_0000_0000_0001, RM_TIEEVEN, true, RN, s)), (0x4330_0000_0000_0001, 0));
    assert_eq!(run(|s| fp_round_int(D, 0x7ff0_0000_0000_0001, RM_ZERO, true, RN, s)), (0x7ff8_0000_0000_0001, IOC));
}

// ------------------------------------------------------------------ decoder and translator

/// (word, row name, disassembly) from aarch64-linux-gnu-as + objdump.
const ENCODINGS: &[(u32, &str, &str)] = &[
    (0x1e204041, "FMOV_reg", "fmov s1, s2"),
    (0x1e60c083, "FABS", "fabs d3, d4"),
    (0x1e2143e0, "FNEG", "fneg s0, s31"),
    (0x1e61c041, "FSQRT", "fsqrt d1, d2"),
    (0x1e22c020, "FCVT", "fcvt d0, s1"),
    (0x1e624020, "FCVT", "fcvt s0, d1"),
    (0x1e23c020, "FCVT", "fcvt h0, s1"),
    (0x1e63c020, "FCVT", "fcvt h0, d1"),
    (0x1ee24020, "FCVT", "fcvt s0, h1"),
    (0x1ee2c020, "FCVT", "fcvt d0, h1"),
    (0x1e244020, "FRINTN", "frintn s0, s1"),
    (0x1e64c020, "FRINTP", "frintp d0, d1"),
    (0x1e254020, "FRINTM", "frintm s0, s1"),
    (0x1e65c020, "FRINTZ", "frintz d0, d1"),
    (0x1e264020, "FRINTA", "frinta s0, s1"),
    (0x1e674020, "FRINTX", "frintx d0, d1"),
    (0x1e27c020, "FRINTI", "frinti s0, s1"),
    (0x1e220820, "FMUL", "fmul s0, s1, s2"),
    (0x1e621820, "FDIV", "fdiv d0, d1, d2"),
    (0x1e222820, "FADD", "fadd s0, s1, s2"),
    (0x1e623820, "FSUB", "fsub d0, d1, d2"),
    (0x1e224820, "FMAX", "fmax s0, s1, s2"),
    (0x1e625820, "FMIN", "fmin d0, d1, d2"),
    (0x1e226820, "FMAXNM", "fmaxnm s0, s1, s2"),
    (0x1e627820, "FMINNM", "fminnm d0, d1, d2"),
    (0x1e228820, "FNMUL", "fnmul s0, s1, s2"),
    (0x1f420c20, "FMADD", "fmadd d0, d1, d2, d3"),
    (0x1f028c20, "FMSUB", "fmsub s0, s1, s2, s3"),
    (0x1f620c20, "FNMADD", "fnmadd d0, d1, d2, d3"),
    (0x1f228c20, "FNMSUB", "fnmsub s0, s1, s2, s3"),
    (0x1e212000, "FCMP", "fcmp s0, s1"),
    (0x1e602008, "FCMP", "fcmp d0, #0.0"),
    (0x1e212010, "FCMP", "fcmpe s0, s1"),
    (0x1e602018, "FCMP", "fcmpe d0, #0.0"),
    (0x1e210404, "FCCMP", "fccmp s0, s1, #0x4, eq"),
    (0x1e61b41f, "FCCMP", "fccmpe d0, d1, #0xf, lt"),
    (0x1e621c20, "FCSEL", "fcsel d0, d1, d2, ne"),
    (0x1e2e1000, "FMOV_imm", "fmov s0, #1.000000000000000000e+00"),
    (0x1e709000, "FMOV_imm", "fmov d0, #-2.500000000000000000e+00"),
    (0x1e200020, "FCVTNS", "fcvtns w0, s1"),
    (0x9e610020, "FCVTNU", "fcvtnu x0, d1"),
    (0x1e680020, "FCVTPS", "fcvtps w0, d1"),
    (0x9e290020, "FCVTPU", "fcvtpu x0, s1"),
    (0x1e300020, "FCVTMS", "fcvtms w0, s1"),
    (0x9e710020, "FCVTMU", "fcvtmu x0, d1"),
    (0x1e780020, "FCVTZS", "fcvtzs w0, d1"),
    (0x9e390020, "FCVTZU", "fcvtzu x0, s1"),
    (0x1e240020, "FCVTAS", "fcvtas w0, s1"),
    (0x9e650020, "FCVTAU", "fcvtau x0, d1"),
    (0x1e220020, "SCVTF", "scvtf s0, w1"),
    (0x9e630020, "UCVTF", "ucvtf d0, x1"),
    (0x1e260020, "FMOV_to_gen", "fmov w0, s1"),
    (0x1e270020, "FMOV_from_gen", "fmov s0, w1"),
    (0x9e660020, "FMOV_to_gen", "fmov x0, d1"),
    (0x9e670020, "FMOV_from_gen", "fmov d0, x1"),
    (0x9eae0020, "FMOV_to_gen_hi", "fmov x0, v1.d[1]"),
    (0x9eaf0020, "FMOV_from_gen_hi", "fmov v0.d[1], x1"),
    (0x1e42c020, "SCVTF_fix", "scvtf d0, w1, #16"),
    (0x9e030020, "UCVTF_fix", "ucvtf s0, x1, #64"),
    (0x1e188020, "FCVTZS_fix", "fcvtzs w0, s1, #32"),
    (0x9e59fc20, "FCVTZU_fix", "fcvtzu x0, d1, #1"),
];

#[test]
fn decoder_rows() {
    for &(word, name, dis) in ENCODINGS {
        let row = decode(word).unwrap_or_else(|| panic!("{dis}: {word:08x} does not decode"));
        assert_eq!(row.name, name, "{dis}");
        let Op::Fp(op) = row.op else { panic!("{dis}: not an FP row") };
        assert!(qemu_aarch64_lite::jit::fp::select(op, Insn(word)).is_some(), "{dis} must be defined");
    }
}

#[test]
fn undefined_encodings() {
    let undefined = [
        (0x1ea2_2820u32, "fadd with ftype 10"),
        (0x1ee2_2820, "fadd h0, h1, h2 (FEAT_FP16)"),
        (0x1ee0_4020, "fmov h0, h1 (FEAT_FP16)"),
        (0x1e22_4020, "fcvt s0, s1"),
        (0x1e23_4020, "fcvt with opc 10"),
        (0x1e02_0020, "scvtf s0, w1, #64 (scale<5> = 0)"),
        (0x1e66_0020, "fmov w0, d1"),
        (0x9e26_0020, "fmov x0, s1"),
        (0x1ee6_0020, "fmov w0, h1 (FEAT_FP16)"),
        (0x1ee2_0020, "scvtf h0, w1 (FEAT_FP16)"),
        (0x1ef8_0020, "fcvtzs w0, h1 (FEAT_FP16)"),
        (0x1fe2_0c20, "fmadd h0 (FEAT_FP16)"),
    ];
    for (word, what) in undefined {
        let defined = match decode(word).map(|r| r.op) {
            Some(Op::Fp(op)) => qemu_aarch64_lite::jit::fp::select(op, Insn(word)).is_some(),
            _ => false,
        };
        assert!(!defined, "{what} ({word:08x}) must be UNDEFINED");
    }
    // FRINT with opcode 001101 is unallocated.
    assert!(decode(0x1e26_c020).is_none());
}

// ------------------------------------------------------------------ instruction helpers

#[test]
fn helpers_write_scalars_and_flags() {
    let mut cpu = CpuState::new();
    let p: *mut CpuState = &mut *cpu;
    // fadd s0, s1, s2 with 1.0 + 2^-24 under RP: result 0x3f800001, upper bits of V0 zeroed.
    cpu.v[0] = u128::MAX;
    cpu.v[1] = 0xdead_beef_0000_0000_3f80_0000;
    cpu.v[2] = 0x3380_0000;
    cpu.fpcr = RP as u64;
    h::fp_dp2(p, 0x1e22_2820);
    assert_eq!(cpu.v[0], 0x3f80_0001);
    assert_eq!(cpu.fpsr, IXC as u64);
    // fcmp d0, #0.0 with d0 = -1.0: N.
    cpu.v[0] = 0xbff0_0000_0000_0000;
    h::fp_fcmp(p, 0x1e60_2008);
    assert_eq!(cpu.nzcv, 0x8000_0000);
    // fccmp s0, s1, #4, eq with Z clear: NZCV = 0100.
    cpu.nzcv = 0;
    h::fp_fccmp(p, 0x1e21_0404);
    assert_eq!(cpu.nzcv, 0x4000_0000);
    // fcvtzs w0, d1 with d1 = -1.5: w0 = -1 zero-extended.
    cpu.v[1] = 0xbff8_0000_0000_0000;
    cpu.x[0] = u64::MAX;
    h::fp_cvt_to_int(p, 0x1e78_0020);
    assert_eq!(cpu.x[0], 0xffff_ffff);
    // scvtf d0, w1, #16 with w1 = 0x18000: 1.5.
    cpu.x[1] = 0xffff_ffff_0001_8000;
    h::fp_cvt_from_fixed(p, 0x1e42_c020);
    assert_eq!(cpu.v[0], 0x3ff8_0000_0000_0000);
    // fmov v0.d[1], x1 keeps the low half; fmov x0, v1.d[1] reads the high half.
    cpu.v[0] = 0x1111;
    cpu.x[1] = 0x2222;
    h::fp_fmov_from_gen_hi(p, 0x9eaf_0020);
    assert_eq!(cpu.v[0], 0x2222_u128 << 64 | 0x1111);
    cpu.v[1] = 0x3333_u128 << 64;
    h::fp_fmov_to_gen_hi(p, 0x9eae_0020);
    assert_eq!(cpu.x[0], 0x3333);
    // fmov s0, w1 zeroes the upper 96 bits; fmov s0, wzr-style source 31 reads zero.
    h::fp_fmov_from_gen(p, 0x1e27_0020);
    assert_eq!(cpu.v[0], 0x2222);
    // fmov d0, #-2.5 and fnmsub s0, s1, s2, s3 = -s3 + s1*s2.
    h::fp_fmov_imm(p, 0x1e70_9000);
    assert_eq!(cpu.v[0], 0xc004_0000_0000_0000);
    cpu.v[1] = 0x4000_0000; // 2
    cpu.v[2] = 0x4040_0000; // 3
    cpu.v[3] = 0x3f80_0000; // 1
    h::fp_dp3(p, 0x1f22_8c20);
    assert_eq!(cpu.v[0], 0x40a0_0000); // 5
                                       // fmsub s0, s1, s2, s3 = s3 - s1*s2 = -5
    h::fp_dp3(p, 0x1f02_8c20);
    assert_eq!(cpu.v[0], 0xc0a0_0000);
    // fcsel d0, d1, d2, ne with Z set picks d2.
    cpu.nzcv = 0x4000_0000;
    h::fp_fcsel(p, 0x1e62_1c20);
    assert_eq!(cpu.v[0], 0x4040_0000);
}

// ------------------------------------------------------------------ through the real JIT

use qemu_aarch64_lite::jit::{Exit, Jit};

/// Encode the scalar FP instruction for an fpcheck operation name, with the registers fpcheck
/// uses: operands in V0 (Rn), V1 (Rm), V3 (Ra) or X0; result in V2 / X2 (or NZCV for compares).
/// `None` for operations that are not scalar FP rows (AdvSIMD scalar forms such as FMULX).
fn encode(op: &str) -> Option<u32> {
    let ft = |s: &str| match s {
        "s" => 0u32,
        "d" => 1,
        _ => 3,
    };
    if let Some((base, fb)) = op.split_once('#') {
        let fbits: u32 = fb.parse().ok()?;
        let p: Vec<&str> = base.split('_').collect();
        let (sf, ftype, rmode_opc) = match p[0] {
            "fcvtzsfix" => (p[1] == "x", ft(p[2]), 0b11_000),
            "fcvtzufix" => (p[1] == "x", ft(p[2]), 0b11_001),
            "scvtffix" => (p[2] == "x", ft(p[1]), 0b00_010),
            _ => (p[2] == "x", ft(p[1]), 0b00_011),
        };
        return Some((sf as u32) << 31 | 0x1e00_0000 | ftype << 22 | rmode_opc << 16 | (64 - fbits) << 10 | 2);
    }
    let p: Vec<&str> = op.split('.').collect();
    let (name, t) = (p[0], ft(p[1]));
    let dp2 = |opc: u32| 0x1e20_0800 | t << 22 | 1 << 16 | opc << 12 | 2;
    let dp1 = |opc: u32| 0x1e20_4000 | t << 22 | opc << 15 | 2;
    let fma = |o1: u32, o0: u32| 0x1f00_0000 | t << 22 | o1 << 21 | 1 << 16 | o0 << 15 | 3 << 10 | 2;
    let toint = |rmode: u32, opc: u32| {
        ((p[1] == "x") as u32) << 31 | 0x1e20_0000 | ft(p[2]) << 22 | rmode << 19 | opc << 16 | 2
    };
    Some(match name {
        "fmul" => dp2(0),
        "fdiv" => dp2(1),
        "fadd" => dp2(2),
        "fsub" => dp2(3),
        "fmax" => dp2(4),
        "fmin" => dp2(5),
        "fmaxnm" => dp2(6),
        "fminnm" => dp2(7),
        "fnmul" => dp2(8),
        "fcmp" => 0x1e20_2000 | t << 22 | 1 << 16,
        "fcmpe" => 0x1e20_2010 | t << 22 | 1 << 16,
        "fsqrt" => dp1(0b000011),
        "frintn" => dp1(0b001000),
        "frintp" => dp1(0b001001),
        "frintm" => dp1(0b001010),
        "frintz" => dp1(0b001011),
        "frinta" => dp1(0b001100),
        "frintx" => dp1(0b001110),
        "frinti" => dp1(0b001111),
        "fcvt" => 0x1e20_4000 | ft(p[2]) << 22 | (0b000100 | t) << 15 | 2,
        "fmadd" => fma(0, 0),
        "fmsub" => fma(0, 1),
        "fnmadd" => fma(1, 0),
        "fnmsub" => fma(1, 1),
        "scvtf" | "ucvtf" => {
            ((p[2] == "x") as u32) << 31 | 0x1e22_0000 | t << 22 | ((name == "ucvtf") as u32) << 16 | 2
        }
        "fcvtns" => toint(0, 0),
        "fcvtnu" => toint(0, 1),
        "fcvtps" => toint(1, 0),
        "fcvtpu" => toint(1, 1),
        "fcvtms" => toint(2, 0),
        "fcvtmu" => toint(2, 1),
        "fcvtzs" => toint(3, 0),
        "fcvtzu" => toint(3, 1),
        "fcvtas" => toint(0, 4),
        "fcvtau" => toint(0, 5),
        _ => return None,
    })
}

/// Run `word` then UDF #0 (permanently undefined, so the run ends with `Exit::Undefined(0)`
/// whatever else the JIT implements) through the JIT, from the given state.
fn jit_run(word: u32, cpu: &mut CpuState, jit: &mut Jit) -> Exit {
    let len = 4096usize;
    // SAFETY: a fresh anonymous mapping owned by this function.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(page, libc::MAP_FAILED);
    let code = page as *mut u32;
    // SAFETY: both words are within the page.
    unsafe {
        code.write(word);
        code.add(1).write(0);
    }
    cpu.pc = page as u64;
    jit.flush();
    let exit = jit.run(cpu);
    // SAFETY: our own mapping.
    unsafe { libc::munmap(page, len) };
    exit
}

/// Every 7th fpcheck case of a scalar FP row, run through the JIT: the result register, the
/// zeroed upper bits of a scalar result, NZCV and FPSR must match qemu-aarch64's.
#[test]
fn fpcheck_rows_through_the_jit() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/guest-bins/fp/fpcheck.expected");
    let text = std::fs::read_to_string(path).expect("fpcheck.expected");
    let mut jit = Jit::with_cache_size(1 << 20).unwrap();
    let (mut op, mut word, mut fpcr) = (String::new(), None, 0u64);
    let (mut cases, mut bad, mut n) = (0, 0, 0usize);
    for line in text.lines() {
        if let Some(o) = line.strip_prefix("op ") {
            op = o.to_string();
            word = encode(&op);
            continue;
        }
        if let Some(c) = line.strip_prefix("fpcr ") {
            fpcr = u64::from_str_radix(c, 16).unwrap();
            continue;
        }
        n += 1;
        let Some(w) = word else { continue };
        if n % 7 != 0 {
            continue;
        }
        let v: Vec<u64> = line.split(' ').map(|x| u64::from_str_radix(x, 16).unwrap()).collect();
        let (args, want_r, want_s) = (&v[..v.len() - 2], v[v.len() - 2], v[v.len() - 1]);
        let mut cpu = CpuState::new();
        cpu.fpcr = fpcr;
        cpu.v = [u128::MAX; 32];
        let wide = |x: u64| 0xaaaa_0000_0000_0000_0000_0000_0000_0000u128 | x as u128;
        let base = op.split(['.', '_', '#']).next().unwrap_or("");
        let to_gp = base.len() == 6 && base.starts_with("fcvt") && base != "fcvtxn"
            || base.ends_with("fix") && base.starts_with("fcvt");
        let from_gp = op.starts_with("scvtf") || op.starts_with("ucvtf");
        if matches!(base, "fmadd" | "fmsub" | "fnmadd" | "fnmsub") {
            cpu.v[3] = wide(args[0]);
            cpu.v[0] = wide(args[1]);
            cpu.v[1] = wide(args[2]);
        } else if from_gp {
            cpu.x[0] = args[0];
        } else {
            cpu.v[0] = wide(args[0]);
            cpu.v[1] = wide(*args.get(1).unwrap_or(&0));
        }
        let exit = jit_run(w, &mut cpu, &mut jit);
        let got = if op.starts_with("fcmp") {
            cpu.nzcv >> 28
        } else if to_gp {
            cpu.x[2]
        } else {
            let r = cpu.v[2];
            if r >> 64 != 0 {
                u64::MAX // upper bits not zeroed: never equal to qemu's value
            } else {
                r as u64
            }
        };
        cases += 1;
        if exit != Exit::Undefined(0) || got != want_r || cpu.fpsr != want_s {
            bad += 1;
            if bad < 20 {
                eprintln!(
                    "JIT MISMATCH {op} ({w:08x}) fpcr={fpcr:x} args={args:x?}: exit {exit:?} got {got:x} fpsr {:x}, want {want_r:x} fpsr {want_s:x}",
                    cpu.fpsr
                );
            }
        }
    }
    eprintln!("fpcheck through the JIT: {cases} cases, {bad} mismatches");
    assert!(cases > 5000);
    assert_eq!(bad, 0);
}
