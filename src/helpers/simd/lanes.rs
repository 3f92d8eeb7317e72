//! Lane access and saturation primitives shared by the AdvSIMD helpers.
//!
//! A vector register is a `u128` with lane 0 in the low bits (memory order). Element `e` of
//! size `esize` bits (8, 16, 32, 64 or 128) occupies bits `e*esize .. (e+1)*esize`. Values are
//! passed around as the raw lane bits in a `u64`; `sx`/`ux` widen them to `i128` so that the
//! pseudocode's unbounded-integer arithmetic (Int(), SatQ()) is exact.

use crate::cpu::{CpuState, FPSR_QC};

/// Ones(esize) for esize <= 64.
#[inline]
pub fn ones(esize: u32) -> u64 {
    if esize >= 64 {
        u64::MAX
    } else {
        (1u64 << esize) - 1
    }
}

/// Ones(bits) as a 128-bit mask, bits <= 128.
#[inline]
pub fn ones128(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// Elem[v, e, esize] (esize <= 64).
#[inline]
pub fn elem(v: u128, e: usize, esize: u32) -> u64 {
    let sh = e as u32 * esize;
    if sh >= 128 {
        0
    } else {
        (v >> sh) as u64 & ones(esize)
    }
}

/// Elem[v, e, esize] = x (esize <= 64); bits of `x` above esize are ignored.
#[inline]
pub fn set_elem(v: &mut u128, e: usize, esize: u32, x: u64) {
    let sh = e as u32 * esize;
    if sh >= 128 {
        return;
    }
    let m = (ones(esize) as u128) << sh;
    *v = (*v & !m) | (((x & ones(esize)) as u128) << sh);
}

/// All lanes of `v` as esize-bit values (esize 8, 16, 32 or 64; lanes past 128 bits are 0).
/// Byte-wise, so it is much cheaper than `elem` per lane on a u128.
#[inline]
pub fn unpack(v: u128, esize: u32) -> [u64; 16] {
    let b = v.to_le_bytes();
    let mut out = [0u64; 16];
    match esize {
        8 => {
            for (o, x) in out.iter_mut().zip(b.iter()) {
                *o = *x as u64;
            }
        }
        16 => {
            for (k, o) in out.iter_mut().take(8).enumerate() {
                *o = u16::from_le_bytes([b[2 * k], b[2 * k + 1]]) as u64;
            }
        }
        32 => {
            for (k, o) in out.iter_mut().take(4).enumerate() {
                *o = u32::from_le_bytes([b[4 * k], b[4 * k + 1], b[4 * k + 2], b[4 * k + 3]]) as u64;
            }
        }
        _ => {
            out[0] = v as u64;
            out[1] = (v >> 64) as u64;
        }
    }
    out
}

/// Inverse of [`unpack`]: lanes truncated to esize bits.
#[inline]
pub fn pack(lanes: &[u64; 16], esize: u32) -> u128 {
    let mut b = [0u8; 16];
    match esize {
        8 => {
            for (o, x) in b.iter_mut().zip(lanes.iter()) {
                *o = *x as u8;
            }
        }
        16 => {
            for k in 0..8 {
                b[2 * k..2 * k + 2].copy_from_slice(&(lanes[k] as u16).to_le_bytes());
            }
        }
        32 => {
            for k in 0..4 {
                b[4 * k..4 * k + 4].copy_from_slice(&(lanes[k] as u32).to_le_bytes());
            }
        }
        _ => return (lanes[0] as u128) | ((lanes[1] as u128) << 64),
    }
    u128::from_le_bytes(b)
}

/// SInt of an esize-bit lane.
#[inline]
pub fn sx(x: u64, esize: u32) -> i128 {
    let s = 64 - esize.min(64);
    (((x << s) as i64) >> s) as i128
}

/// UInt of an esize-bit lane.
#[inline]
pub fn ux(x: u64, esize: u32) -> i128 {
    (x & ones(esize)) as i128
}

/// Int(x, unsigned).
#[inline]
pub fn int(x: u64, esize: u32, unsigned: bool) -> i128 {
    if unsigned {
        ux(x, esize)
    } else {
        sx(x, esize)
    }
}

/// SatQ(i, N, unsigned) (Arm ARM shared/functions/integer): the saturated value's low N bits;
/// `sat` is set when saturation happened.
#[inline]
pub fn sat_q(i: i128, n: u32, unsigned: bool, sat: &mut bool) -> u64 {
    let (lo, hi) = if unsigned { (0i128, (1i128 << n) - 1) } else { (-(1i128 << (n - 1)), (1i128 << (n - 1)) - 1) };
    if i > hi {
        *sat = true;
        hi as u64 & ones(n)
    } else if i < lo {
        *sat = true;
        lo as u64 & ones(n)
    } else {
        i as u64 & ones(n)
    }
}

/// Set FPSR.QC when `sat`.
#[inline]
pub fn set_qc(cpu: &mut CpuState, sat: bool) {
    if sat {
        cpu.fpsr |= FPSR_QC as u64;
    }
}

/// V[d] = value, as a `datasize`-bit write: bits above datasize become zero.
#[inline]
pub fn write_v(cpu: &mut CpuState, d: usize, value: u128, datasize: u32) {
    cpu.v[d & 31] = value & ones128(datasize);
}

/// Vpart[d, part] = value for a 64-bit half: part 0 writes the low half and zeroes the upper;
/// part 1 writes the upper half and keeps the low half (the "2" variants).
#[inline]
pub fn write_vpart(cpu: &mut CpuState, d: usize, value: u64, upper: bool) {
    let d = d & 31;
    if upper {
        cpu.v[d] = (cpu.v[d] & ones128(64)) | ((value as u128) << 64);
    } else {
        cpu.v[d] = value as u128;
    }
}

/// Vpart[n, part] as 64 bits.
#[inline]
pub fn read_vpart(cpu: &CpuState, n: usize, upper: bool) -> u64 {
    let v = cpu.v[n & 31];
    if upper {
        (v >> 64) as u64
    } else {
        v as u64
    }
}

/// HighestSetBit of a small non-zero value.
#[inline]
pub fn highest_set_bit(x: u32) -> u32 {
    31 - x.leading_zeros()
}

/// LowestSetBit (returns 32 for 0).
#[inline]
pub fn lowest_set_bit(x: u32) -> u32 {
    x.trailing_zeros()
}
