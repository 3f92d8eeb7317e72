//! Cryptographic extension helpers: FEAT_CRC32 (CRC32*/CRC32C*), FEAT_AES (AESE, AESD, AESMC,
//! AESIMC), FEAT_SHA1, FEAT_SHA256 and FEAT_PMULL (the 64x64 -> 128 PMULL/PMULL2).
//!
//! Every function follows the Arm ARM pseudocode named in its doc comment, in plain Rust (no
//! host intrinsics). Invariants: every operand is read before the destination is written (Rd
//! may alias Rn/Rm); V-register results are full 128-bit writes; CRC32 results are 32-bit
//! writes that zero X[d] bits 63:32, and register number 31 is the zero register for all of
//! Rd, Rn and Rm. These helpers never touch NZCV, FPCR or FPSR.

use crate::arch::table::SimdOp;
use crate::arch::Insn;
use crate::cpu::CpuState;

// ---------------------------------------------------------------------------------------------
// FEAT_CRC32

/// Bit-reflected form of the CRC-32 polynomial 0x04C11DB7.
const CRC32_POLY_REFLECTED: u32 = 0xEDB8_8320;
/// Bit-reflected form of the CRC-32C (Castagnoli) polynomial 0x1EDC6F41.
const CRC32C_POLY_REFLECTED: u32 = 0x82F6_3B78;

/// The Arm ARM CRC32 pseudocode, `BitReverse(Poly32Mod2(BitReverse(acc):Zeros(size) EOR
/// BitReverse(val):Zeros(32), poly))`, computed bit-serially in the reflected domain: one
/// step per data bit, least significant bit of `val` first. `size` is 8, 16, 32 or 64.
pub fn crc32_update(acc: u32, val: u64, size: u32, castagnoli: bool) -> u32 {
    let poly = if castagnoli { CRC32C_POLY_REFLECTED } else { CRC32_POLY_REFLECTED };
    let mut crc = acc;
    for k in 0..size {
        let bit = ((val >> k) as u32 ^ crc) & 1;
        crc >>= 1;
        if bit != 0 {
            crc ^= poly;
        }
    }
    crc
}

/// The byte-at-a-time table of a reflected CRC-32 polynomial: entry `b` is
/// `crc32_update(0, b, 8, ..)`.
const fn crc_table(poly: u32) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut b = 0;
    while b < 256 {
        let mut crc = b as u32;
        let mut k = 0;
        while k < 8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ poly } else { crc >> 1 };
            k += 1;
        }
        t[b] = crc;
        b += 1;
    }
    t
}

static CRC32_TABLE: [u32; 256] = crc_table(CRC32_POLY_REFLECTED);
static CRC32C_TABLE: [u32; 256] = crc_table(CRC32C_POLY_REFLECTED);

/// [`crc32_update`] a byte at a time through a table (the same function of the same bits).
pub fn crc32_update_table(acc: u32, val: u64, size: u32, castagnoli: bool) -> u32 {
    let table = if castagnoli { &CRC32C_TABLE } else { &CRC32_TABLE };
    let mut crc = acc;
    for k in 0..size / 8 {
        crc = (crc >> 8) ^ table[((crc ^ (val >> (8 * k)) as u32) & 0xff) as usize];
    }
    crc
}

/// Called from translated code (`jit::dp_reg`) with the operands in registers: the CRC of
/// `acc` updated with the low `8 << (kind & 3)` bits of `val`, Castagnoli's polynomial when
/// `kind & 4`. Touches no guest state.
pub(crate) extern "C" fn crc32_raw(_cpu: *mut CpuState, acc: u32, val: u64, kind: u32) -> u32 {
    let size = 8u32 << (kind & 3);
    let val = if size == 64 { val } else { val & ((1u64 << size) - 1) };
    crc32_update_table(acc, val, size, kind & 4 != 0)
}

fn read_zr(cpu: &CpuState, r: u32) -> u64 {
    if r == 31 {
        0
    } else {
        cpu.x[r as usize]
    }
}

/// CRC32B/H/W/X and CRC32CB/H/W/X (`sf 0 0 11010110 Rm 010 C sz Rn Rd`) on `cpu`: Wd = CRC
/// of Wn updated with the low 8 << sz bits of Rm (the bit-serial reference form; translated
/// code uses `jit::dp_reg::crc32`).
pub fn crc32(cpu: &mut CpuState, i: Insn) {
    let size = 8u32 << i.bits(11, 10);
    let castagnoli = i.bit(12);
    let acc = read_zr(cpu, i.rn()) as u32;
    let val = read_zr(cpu, i.rm());
    let val = if size == 64 { val } else { val & ((1u64 << size) - 1) };
    let result = crc32_update(acc, val, size, castagnoli);
    if i.rd() != 31 {
        cpu.x[i.rd() as usize] = result as u64;
    }
}

// ---------------------------------------------------------------------------------------------
// FEAT_AES

/// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 4.2).
const fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let hi = a & 0x80;
        a <<= 1;
        if hi != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

/// The AES S-box (FIPS-197 5.1.1): multiplicative inverse followed by the affine map.
const fn make_sbox() -> [u8; 256] {
    let mut s = [0u8; 256];
    let mut x = 0usize;
    while x < 256 {
        // Inverse by exponentiation: x^254.
        let mut inv = 1u8;
        let mut k = 0;
        while k < 254 {
            inv = gf_mul(inv, x as u8);
            k += 1;
        }
        if x == 0 {
            inv = 0;
        }
        let b = inv;
        s[x] = b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
        x += 1;
    }
    s
}

const fn invert(s: &[u8; 256]) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut x = 0;
    while x < 256 {
        t[s[x] as usize] = x as u8;
        x += 1;
    }
    t
}

static SBOX: [u8; 256] = make_sbox();
static INV_SBOX: [u8; 256] = invert(&SBOX);

/// The state as FIPS-197 lays it out: byte `r + 4c` (bits 8(r+4c)+7 : 8(r+4c) of the
/// register) is row r, column c.
fn bytes(v: u128) -> [u8; 16] {
    v.to_le_bytes()
}

/// AESShiftRows / AESInvShiftRows: row r rotates left (or right) by r columns.
fn shift_rows(s: [u8; 16], inverse: bool) -> [u8; 16] {
    let mut out = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            let src = if inverse { (c + 4 - r) % 4 } else { (c + r) % 4 };
            out[r + 4 * c] = s[r + 4 * src];
        }
    }
    out
}

/// AESMixColumns / AESInvMixColumns: each column times the fixed polynomial.
fn mix_columns(s: [u8; 16], inverse: bool) -> [u8; 16] {
    let m: [u8; 4] = if inverse { [0x0e, 0x0b, 0x0d, 0x09] } else { [0x02, 0x03, 0x01, 0x01] };
    let mut out = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            let mut acc = 0u8;
            for k in 0..4 {
                acc ^= gf_mul(m[(k + 4 - r) % 4], s[k + 4 * c]);
            }
            out[r + 4 * c] = acc;
        }
    }
    out
}

/// AESE: `V[d] = AESSubBytes(AESShiftRows(V[d] EOR V[n]))`.
pub fn aese(d: u128, n: u128) -> u128 {
    let s = shift_rows(bytes(d ^ n), false);
    u128::from_le_bytes(s.map(|b| SBOX[b as usize]))
}

/// AESD: `V[d] = AESInvSubBytes(AESInvShiftRows(V[d] EOR V[n]))`.
pub fn aesd(d: u128, n: u128) -> u128 {
    let s = shift_rows(bytes(d ^ n), true);
    u128::from_le_bytes(s.map(|b| INV_SBOX[b as usize]))
}

/// AESMC: `V[d] = AESMixColumns(V[n])`.
pub fn aesmc(n: u128) -> u128 {
    u128::from_le_bytes(mix_columns(bytes(n), false))
}

/// AESIMC: `V[d] = AESInvMixColumns(V[n])`.
pub fn aesimc(n: u128) -> u128 {
    u128::from_le_bytes(mix_columns(bytes(n), true))
}

// ---------------------------------------------------------------------------------------------
// FEAT_SHA1 and FEAT_SHA256

fn elem(v: u128, e: u32) -> u32 {
    (v >> (32 * e)) as u32
}

fn from_elems(e: [u32; 4]) -> u128 {
    e.iter().enumerate().fold(0u128, |acc, (k, &x)| acc | (x as u128) << (32 * k))
}

fn sha_choose(x: u32, y: u32, z: u32) -> u32 {
    ((y ^ z) & x) ^ z
}

fn sha_parity(x: u32, y: u32, z: u32) -> u32 {
    x ^ y ^ z
}

fn sha_majority(x: u32, y: u32, z: u32) -> u32 {
    (x & y) | ((x | y) & z)
}

/// SHA1C/SHA1P/SHA1M: four SHA-1 rounds with hash state `x` (V[d]), E `y` (S[n]) and
/// schedule `w` (V[m]); `f` is SHAchoose, SHAparity or SHAmajority.
fn sha1_rounds(mut x: u128, mut y: u32, w: u128, f: fn(u32, u32, u32) -> u32) -> u128 {
    for e in 0..4 {
        let t = f(elem(x, 1), elem(x, 2), elem(x, 3));
        y = y.wrapping_add(elem(x, 0).rotate_left(5)).wrapping_add(t).wrapping_add(elem(w, e));
        let x1 = elem(x, 1).rotate_left(30);
        x = (x & !(0xffff_ffffu128 << 32)) | (x1 as u128) << 32;
        // <Y, X> = ROL(Y:X, 32)
        let top = elem(x, 3);
        x = (x << 32) | y as u128;
        y = top;
    }
    x
}

/// SHA1H: `V[d] = ZeroExtend(ROL(V[n]<31:0>, 30))`.
pub fn sha1h(n: u128) -> u128 {
    (n as u32).rotate_left(30) as u128
}

/// SHA1SU0: `(V[n]<63:0> : V[d]<127:64>) EOR V[d] EOR V[m]`.
pub fn sha1su0(d: u128, n: u128, m: u128) -> u128 {
    (((n as u64 as u128) << 64) | (d >> 64)) ^ d ^ m
}

/// SHA1SU1: the last step of the SHA-1 message schedule update.
pub fn sha1su1(d: u128, n: u128) -> u128 {
    let t = d ^ (n >> 32);
    let w0 = elem(t, 0).rotate_left(1);
    let w1 = elem(t, 1).rotate_left(1);
    let w2 = elem(t, 2).rotate_left(1);
    let w3 = elem(t, 3).rotate_left(1) ^ elem(t, 0).rotate_left(2);
    from_elems([w0, w1, w2, w3])
}

/// SHA256hash(X, Y, W, part1): four SHA-256 rounds; returns X for SHA256H, Y for SHA256H2.
fn sha256_hash(mut x: u128, mut y: u128, w: u128, part1: bool) -> u128 {
    for e in 0..4 {
        let chs = sha_choose(elem(y, 0), elem(y, 1), elem(y, 2));
        let maj = sha_majority(elem(x, 0), elem(x, 1), elem(x, 2));
        let y0 = elem(y, 0);
        let sigma1 = y0.rotate_right(6) ^ y0.rotate_right(11) ^ y0.rotate_right(25);
        let t = elem(y, 3).wrapping_add(sigma1).wrapping_add(chs).wrapping_add(elem(w, e));
        let x0 = elem(x, 0);
        let sigma0 = x0.rotate_right(2) ^ x0.rotate_right(13) ^ x0.rotate_right(22);
        let x3 = t.wrapping_add(elem(x, 3));
        let y3 = t.wrapping_add(sigma0).wrapping_add(maj);
        x = (x & !(0xffff_ffffu128 << 96)) | (x3 as u128) << 96;
        y = (y & !(0xffff_ffffu128 << 96)) | (y3 as u128) << 96;
        // <Y, X> = ROL(Y:X, 32)
        let (xt, yt) = (elem(x, 3), elem(y, 3));
        x = (x << 32) | yt as u128;
        y = (y << 32) | xt as u128;
    }
    if part1 {
        x
    } else {
        y
    }
}

/// SHA256SU0: the first step of the SHA-256 message schedule update.
pub fn sha256su0(d: u128, n: u128) -> u128 {
    let t = ((n as u32 as u128) << 96) | (d >> 32);
    let mut r = [0u32; 4];
    for (e, out) in r.iter_mut().enumerate() {
        let x = elem(t, e as u32);
        let s = x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3);
        *out = s.wrapping_add(elem(d, e as u32));
    }
    from_elems(r)
}

/// SHA256SU1: the second step of the SHA-256 message schedule update.
pub fn sha256su1(d: u128, n: u128, m: u128) -> u128 {
    let t0 = ((m as u32 as u128) << 96) | (n >> 32);
    let sigma = |x: u32| x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10);
    let mut r = [0u32; 4];
    for e in 0..4 {
        let src = if e < 2 { elem(m, 2 + e as u32) } else { r[e - 2] };
        r[e] = sigma(src).wrapping_add(elem(d, e as u32)).wrapping_add(elem(t0, e as u32));
    }
    from_elems(r)
}

// ---------------------------------------------------------------------------------------------
// FEAT_PMULL

/// PolynomialMult of two 64-bit operands: the 128-bit carry-less product.
pub fn clmul64(a: u64, b: u64) -> u128 {
    (0..64).filter(|k| (b >> k) & 1 != 0).fold(0u128, |acc, k| acc ^ ((a as u128) << k))
}

// ---------------------------------------------------------------------------------------------
// Dispatch

/// True when `op` is one of the crypto rows of `arch::table::simd` or the 64x64 form of PMULL
/// (size = 11), which this module executes.
pub fn is_crypto(op: SimdOp, i: Insn) -> bool {
    use SimdOp::*;
    match op {
        Aese | Aesd | Aesmc | Aesimc | Sha1c | Sha1p | Sha1m | Sha1su0 | Sha256h | Sha256h2 | Sha256su1 | Sha1h
        | Sha1su1 | Sha256su0 => true,
        Pmull => i.size() == 3,
        _ => false,
    }
}

/// Called from translated code for a word whose row satisfies [`is_crypto`].
pub(crate) extern "C" fn crypto_helper(cpu: *mut CpuState, insn: u32) {
    // SAFETY: translated code passes the running thread's CpuState, valid and exclusively
    // ours for the duration of the call.
    let cpu = unsafe { &mut *cpu };
    let i = Insn(insn);
    if let Some(row) = crate::arch::decode(insn) {
        if let crate::arch::table::Op::Simd(op) = row.op {
            execute(cpu, op, i);
        }
    }
}

/// Execute crypto operation `op` (see [`is_crypto`]) on `cpu`. Other operations are ignored.
pub fn execute(cpu: &mut CpuState, op: SimdOp, i: Insn) {
    use SimdOp::*;
    let (d, n, m) = (cpu.v[i.rd() as usize], cpu.v[i.rn() as usize], cpu.v[i.rm() as usize]);
    let result = match op {
        Aese => aese(d, n),
        Aesd => aesd(d, n),
        Aesmc => aesmc(n),
        Aesimc => aesimc(n),
        Sha1c => sha1_rounds(d, n as u32, m, sha_choose),
        Sha1p => sha1_rounds(d, n as u32, m, sha_parity),
        Sha1m => sha1_rounds(d, n as u32, m, sha_majority),
        Sha1su0 => sha1su0(d, n, m),
        Sha1h => sha1h(n),
        Sha1su1 => sha1su1(d, n),
        Sha256h => sha256_hash(d, n, m, true),
        Sha256h2 => sha256_hash(n, d, m, false),
        Sha256su0 => sha256su0(d, n),
        Sha256su1 => sha256su1(d, n, m),
        Pmull if i.size() == 3 => {
            let part = if i.q() { 64 } else { 0 };
            clmul64((n >> part) as u64, (m >> part) as u64)
        }
        _ => return,
    };
    cpu.v[i.rd() as usize] = result;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbox_known_values() {
        assert_eq!(SBOX[0x00], 0x63);
        assert_eq!(SBOX[0x53], 0xed);
        assert_eq!(INV_SBOX[0x63], 0x00);
    }

    #[test]
    fn crc_check_values() {
        let crc = |c: bool| !b"123456789".iter().fold(!0u32, |a, &b| crc32_update(a, b as u64, 8, c));
        assert_eq!(crc(false), 0xCBF4_3926);
        assert_eq!(crc(true), 0xE306_9283);
    }

    #[test]
    fn crc_table_matches_the_bit_serial_form() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for size in [8, 16, 32, 64] {
                for c in [false, true] {
                    let val = if size == 64 { x } else { x & ((1 << size) - 1) };
                    let acc = (x >> 17) as u32;
                    assert_eq!(crc32_update_table(acc, val, size, c), crc32_update(acc, val, size, c));
                }
            }
        }
    }

    #[test]
    fn clmul_small() {
        assert_eq!(clmul64(0b11, 0b11), 0b101);
        assert_eq!(clmul64(u64::MAX, 2), (u64::MAX as u128) << 1);
    }
}
