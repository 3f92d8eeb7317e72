//! Shared Arm ARM pseudocode functions.

/// `DecodeBitMasks(N, imms, immr, immediate)` (Arm ARM J1, shared/functions/bitmasks).
/// Returns `(wmask, tmask)` for a `datasize` of 32 or 64, or `None` for a reserved encoding.
pub fn decode_bit_masks(n: bool, imms: u32, immr: u32, immediate: bool, datasize: u32) -> Option<(u64, u64)> {
    let combined = ((n as u32) << 6) | (!imms & 0x3f);
    if combined == 0 {
        return None;
    }
    let len = 31 - combined.leading_zeros(); // HighestSetBit
    if len < 1 {
        return None;
    }
    let esize = 1u32 << len;
    if esize > datasize {
        return None;
    }
    let levels = esize - 1;
    if immediate && (imms & levels) == levels {
        return None;
    }
    let s = imms & levels;
    let r = immr & levels;
    let d = s.wrapping_sub(r) & levels;
    let ones = |k: u32| -> u64 {
        if k >= 64 {
            u64::MAX
        } else {
            (1u64 << k) - 1
        }
    };
    let welem = ones(s + 1);
    let telem = ones(d + 1);
    let emask = ones(esize);
    let ror = |v: u64, r: u32| -> u64 {
        if r == 0 {
            v
        } else {
            ((v >> r) | (v << (esize - r))) & emask
        }
    };
    let wel = ror(welem, r);
    let replicate = |v: u64| -> u64 {
        let mut out = 0u64;
        let mut i = 0;
        while i < datasize {
            out |= v << i;
            i += esize;
        }
        out
    };
    let mask = ones(datasize);
    Some((replicate(wel) & mask, replicate(telem) & mask))
}

/// `AdvSIMDExpandImm(op, cmode, imm8)` (Arm ARM J1, shared/functions/vector).
/// Returns `None` for the reserved encodings.
pub fn adv_simd_expand_imm(op: bool, cmode: u32, imm8: u32) -> Option<u64> {
    let imm8 = imm8 as u64 & 0xff;
    let rep32 = |v: u64| v | (v << 32);
    let rep16 = |v: u64| v | (v << 16) | (v << 32) | (v << 48);
    Some(match cmode >> 1 {
        0 => rep32(imm8),
        1 => rep32(imm8 << 8),
        2 => rep32(imm8 << 16),
        3 => rep32(imm8 << 24),
        4 => rep16(imm8),
        5 => rep16(imm8 << 8),
        6 => {
            if cmode & 1 == 0 {
                rep32((imm8 << 8) | 0xff)
            } else {
                rep32((imm8 << 16) | 0xffff)
            }
        }
        _ => {
            if cmode & 1 == 0 && !op {
                let b = imm8;
                b * 0x0101_0101_0101_0101
            } else if cmode & 1 == 0 && op {
                let mut out = 0u64;
                for i in 0..8 {
                    if imm8 >> i & 1 != 0 {
                        out |= 0xffu64 << (8 * i);
                    }
                }
                out
            } else if cmode & 1 == 1 && !op {
                // FMOV single-precision immediate replicated
                let a = imm8 >> 7 & 1;
                let b = imm8 >> 6 & 1;
                let cdefgh = imm8 & 0x3f;
                let f = (a << 31) | ((b ^ 1) << 30) | (if b == 1 { 0x1f } else { 0 } << 25) | (cdefgh << 19);
                rep32(f)
            } else {
                let a = imm8 >> 7 & 1;
                let b = imm8 >> 6 & 1;
                let cdefgh = imm8 & 0x3f;
                (a << 63) | ((b ^ 1) << 62) | (if b == 1 { 0xff } else { 0 } << 54) | (cdefgh << 48)
            }
        }
    })
}

/// `VFPExpandImm` for the 8-bit FMOV immediate: returns the bit pattern for an `n`-bit float
/// (16, 32 or 64).
pub fn vfp_expand_imm(imm8: u32, n: u32) -> u64 {
    let e = match n {
        16 => 5,
        32 => 8,
        _ => 11,
    };
    let f = n - e - 1;
    let sign = (imm8 >> 7 & 1) as u64;
    let b6 = (imm8 >> 6 & 1) as u64;
    // exp = NOT(imm8<6>) : Replicate(imm8<6>, E-3) : imm8<5:4>
    let rep = if b6 == 1 { (1u64 << (e - 3)) - 1 } else { 0 };
    let exp = ((b6 ^ 1) << (e - 1)) | (rep << 2) | ((imm8 >> 4 & 3) as u64);
    let frac = ((imm8 & 0xf) as u64) << (f - 4);
    (sign << (n - 1)) | (exp << f) | frac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmask_examples() {
        // AND x0, x0, #0xff  => N=1 immr=0 imms=7
        assert_eq!(decode_bit_masks(true, 7, 0, true, 64).unwrap().0, 0xff);
        // ORR w0, wzr, #0x55555555 => N=0 immr=0 imms=0b111100
        assert_eq!(decode_bit_masks(false, 0b111100, 0, true, 32).unwrap().0, 0x5555_5555);
        // reserved: all-ones
        assert!(decode_bit_masks(true, 0x3f, 0, true, 64).is_none());
        // UBFM x0,x1,#4,#7 (ubfx #4,#4): wmask = ROR(ones(8),4)
        let (w, t) = decode_bit_masks(true, 7, 4, false, 64).unwrap();
        assert_eq!(w, 0xf000_0000_0000_000f);
        assert_eq!(t, 0xf);
    }

    #[test]
    fn vfp_imm() {
        // FMOV d0, #1.0 : imm8 = 0x70
        assert_eq!(vfp_expand_imm(0x70, 64), 1.0f64.to_bits());
        assert_eq!(vfp_expand_imm(0x70, 32) as u32, 1.0f32.to_bits());
        // #-2.0 : imm8 = 0x80
        assert_eq!(vfp_expand_imm(0x80, 64), (-2.0f64).to_bits());
        assert_eq!(vfp_expand_imm(0x70, 16) as u16, 0x3c00);
    }

    #[test]
    fn simd_imm_fmov() {
        assert_eq!(adv_simd_expand_imm(false, 0b1111, 0x70).unwrap(), (1.0f32.to_bits() as u64) * 0x1_0000_0001);
        assert_eq!(adv_simd_expand_imm(true, 0b1111, 0x70).unwrap(), 1.0f64.to_bits());
    }
}
