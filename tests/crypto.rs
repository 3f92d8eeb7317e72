//! FEAT_CRC32, FEAT_AES, FEAT_SHA1, FEAT_SHA256 and FEAT_PMULL (64x64) against the oracle.
//!
//! `guest_program_matches_qemu` compiles [`CRYPTO_C`] (ACLE `__crc32*` and NEON crypto
//! intrinsics over deterministic inputs, plus the standard vectors: CRC-32 and CRC-32C of
//! "123456789", SHA-256 and SHA-1 of "abc", the FIPS-197 C.1 AES-128 block and its
//! decryption) with `aarch64-linux-gnu-gcc -march=armv8-a+crc+crypto`, runs it under
//! `qemu-aarch64` and under our emulator, requires identical output and checks the vectors.
//! It prints "skipped: ..." when the cross compiler or qemu is missing. The other tests run
//! single words through `helpers::simd::run_word` / `helpers::crypto::crc32` against values
//! from FIPS-197 Appendix B and the CRC check values.

mod common;

use qemu_aarch64_lite::cpu::CpuState;
use qemu_aarch64_lite::helpers::crypto;
use qemu_aarch64_lite::helpers::simd::run_word;
use std::path::PathBuf;
use std::process::Command;

const CRYPTO_C: &str = r#"#include <arm_acle.h>
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t lcg = 0x0123456789abcdefULL;
static uint64_t next(void) {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return lcg ^ (lcg >> 29);
}
static uint8x16_t rnd128(void) {
    uint64x2_t v = vcombine_u64(vcreate_u64(next()), vcreate_u64(next()));
    return vreinterpretq_u8_u64(v);
}
static void pr(const char *name, uint8x16_t v) {
    uint64x2_t w = vreinterpretq_u64_u8(v);
    printf("%s %016llx%016llx\n", name, (unsigned long long)vgetq_lane_u64(w, 1),
           (unsigned long long)vgetq_lane_u64(w, 0));
}
#define U32(v) vreinterpretq_u32_u8(v)
#define U8(v) vreinterpretq_u8_u32(v)

static void sha256_abc(void) {
    static const uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint8_t block[64] = {'a', 'b', 'c', 0x80};
    block[63] = 24;
    uint32x4_t st0 = vld1q_u32(state), st1 = vld1q_u32(state + 4);
    uint32x4_t save0 = st0, save1 = st1, msg[4];
    for (int i = 0; i < 4; i++) msg[i] = U32(vrev32q_u8(vld1q_u8(block + 16 * i)));
    for (int i = 0; i < 16; i++) {
        uint32x4_t tmp = vaddq_u32(msg[i % 4], vld1q_u32(K + 4 * i));
        uint32x4_t s0 = st0;
        st0 = vsha256hq_u32(st0, st1, tmp);
        st1 = vsha256h2q_u32(st1, s0, tmp);
        if (i < 12)
            msg[i % 4] = vsha256su1q_u32(vsha256su0q_u32(msg[i % 4], msg[(i + 1) % 4]), msg[(i + 2) % 4],
                                         msg[(i + 3) % 4]);
    }
    st0 = vaddq_u32(st0, save0);
    st1 = vaddq_u32(st1, save1);
    vst1q_u32(state, st0);
    vst1q_u32(state + 4, st1);
    printf("sha256(abc) =");
    for (int i = 0; i < 8; i++) printf(" %08x", state[i]);
    printf("\n");
}

static void sha1_abc(void) {
    static const uint32_t K[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    uint32_t state[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    uint8_t block[64] = {'a', 'b', 'c', 0x80};
    block[63] = 24;
    uint32x4_t abcd = vld1q_u32(state), save = abcd, msg[4];
    uint32_t e = state[4];
    for (int i = 0; i < 4; i++) msg[i] = U32(vrev32q_u8(vld1q_u8(block + 16 * i)));
    for (int i = 0; i < 20; i++) {
        uint32x4_t tmp = vaddq_u32(msg[i % 4], vdupq_n_u32(K[i / 5]));
        uint32_t e_next = vsha1h_u32(vgetq_lane_u32(abcd, 0));
        if (i < 5)
            abcd = vsha1cq_u32(abcd, e, tmp);
        else if (i < 10 || i >= 15)
            abcd = vsha1pq_u32(abcd, e, tmp);
        else
            abcd = vsha1mq_u32(abcd, e, tmp);
        e = e_next;
        if (i < 16)
            msg[i % 4] = vsha1su1q_u32(vsha1su0q_u32(msg[i % 4], msg[(i + 1) % 4], msg[(i + 2) % 4]), msg[(i + 3) % 4]);
    }
    abcd = vaddq_u32(abcd, save);
    vst1q_u32(state, abcd);
    state[4] += e;
    printf("sha1(abc) =");
    for (int i = 0; i < 5; i++) printf(" %08x", state[i]);
    printf("\n");
}

/* SubWord via AESE with a zero round key: all four columns equal, so ShiftRows is a no-op. */
static uint32_t sub_word(uint32_t w) {
    return vgetq_lane_u32(U32(vaeseq_u8(U8(vdupq_n_u32(w)), vdupq_n_u8(0))), 0);
}

static void aes_fips197(void) {
    uint8_t key[16], pt[16];
    for (int i = 0; i < 16; i++) {
        key[i] = i;
        pt[i] = (uint8_t)(i * 0x11);
    }
    uint32_t w[44];
    memcpy(w, key, 16);
    uint32_t rcon = 1;
    for (int i = 4; i < 44; i++) {
        uint32_t t = w[i - 1];
        if (i % 4 == 0) {
            t = sub_word((t >> 8) | (t << 24)) ^ rcon;
            rcon = (rcon << 1) ^ ((rcon & 0x80) ? 0x11b : 0);
        }
        w[i] = w[i - 4] ^ t;
    }
    uint8x16_t rk[11], dk[11];
    for (int r = 0; r < 11; r++) rk[r] = vld1q_u8((const uint8_t *)(w + 4 * r));
    uint8x16_t s = vld1q_u8(pt);
    for (int r = 0; r < 9; r++) s = vaesmcq_u8(vaeseq_u8(s, rk[r]));
    s = veorq_u8(vaeseq_u8(s, rk[9]), rk[10]);
    uint8_t out[16];
    vst1q_u8(out, s);
    printf("aes128(fips197) =");
    for (int i = 0; i < 16; i++) printf("%02x", out[i]);
    printf("\n");
    dk[0] = rk[10];
    for (int r = 1; r < 10; r++) dk[r] = vaesimcq_u8(rk[10 - r]);
    dk[10] = rk[0];
    for (int r = 0; r < 9; r++) s = vaesimcq_u8(vaesdq_u8(s, dk[r]));
    s = veorq_u8(vaesdq_u8(s, dk[9]), dk[10]);
    vst1q_u8(out, s);
    printf("aes128 decrypt =");
    for (int i = 0; i < 16; i++) printf("%02x", out[i]);
    printf("\n");
}

static void crc_check(void) {
    const char *s = "123456789";
    uint32_t a = ~0u, c = ~0u;
    for (int i = 0; i < 9; i++) {
        a = __crc32b(a, (uint8_t)s[i]);
        c = __crc32cb(c, (uint8_t)s[i]);
    }
    printf("crc32(123456789) = %08x\ncrc32c(123456789) = %08x\n", ~a, ~c);
}

int main(void) {
    crc_check();
    sha256_abc();
    sha1_abc();
    aes_fips197();
    for (int k = 0; k < 64; k++) {
        uint32_t acc = (uint32_t)next();
        uint64_t v = next();
        printf("crc %08x %016llx: %08x %08x %08x %08x | %08x %08x %08x %08x\n", acc, (unsigned long long)v,
               __crc32b(acc, (uint8_t)v), __crc32h(acc, (uint16_t)v), __crc32w(acc, (uint32_t)v),
               __crc32d(acc, v), __crc32cb(acc, (uint8_t)v), __crc32ch(acc, (uint16_t)v),
               __crc32cw(acc, (uint32_t)v), __crc32cd(acc, v));
        uint8x16_t a = rnd128(), b = rnd128(), c = rnd128();
        pr("in_a", a);
        pr("in_b", b);
        pr("in_c", c);
        pr("aese", vaeseq_u8(a, b));
        pr("aesd", vaesdq_u8(a, b));
        pr("aesmc", vaesmcq_u8(a));
        pr("aesimc", vaesimcq_u8(a));
        uint32_t e = vgetq_lane_u32(U32(c), 3);
        pr("sha1c", U8(vsha1cq_u32(U32(a), e, U32(b))));
        pr("sha1p", U8(vsha1pq_u32(U32(a), e, U32(b))));
        pr("sha1m", U8(vsha1mq_u32(U32(a), e, U32(b))));
        printf("sha1h %08x\n", vsha1h_u32(e));
        pr("sha1su0", U8(vsha1su0q_u32(U32(a), U32(b), U32(c))));
        pr("sha1su1", U8(vsha1su1q_u32(U32(a), U32(b))));
        pr("sha256h", U8(vsha256hq_u32(U32(a), U32(b), U32(c))));
        pr("sha256h2", U8(vsha256h2q_u32(U32(a), U32(b), U32(c))));
        pr("sha256su0", U8(vsha256su0q_u32(U32(a), U32(b))));
        pr("sha256su1", U8(vsha256su1q_u32(U32(a), U32(b), U32(c))));
        poly64x2_t pa = vreinterpretq_p64_u8(a), pb = vreinterpretq_p64_u8(b);
        pr("pmull", vreinterpretq_u8_p128(vmull_p64(vgetq_lane_p64(pa, 0), vgetq_lane_p64(pb, 0))));
        pr("pmull2", vreinterpretq_u8_p128(vmull_high_p64(pa, pb)));
    }
    return 0;
}
"#;

fn have_cross_compiler() -> bool {
    Command::new("aarch64-linux-gnu-gcc").arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
}

fn build_guest() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crypto-test");
    std::fs::create_dir_all(&dir).expect("create the test directory");
    let src = dir.join("crypto.c");
    let bin = dir.join("crypto");
    std::fs::write(&src, CRYPTO_C).expect("write crypto.c");
    let out = Command::new("aarch64-linux-gnu-gcc")
        .args(["-O2", "-static", "-march=armv8-a+crc+crypto", "-o"])
        .arg(&bin)
        .arg(&src)
        .output()
        .expect("run aarch64-linux-gnu-gcc");
    assert!(out.status.success(), "crypto.c does not compile:\n{}", String::from_utf8_lossy(&out.stderr));
    bin
}

#[test]
fn guest_program_matches_qemu() {
    if !have_cross_compiler() {
        println!("guest_program_matches_qemu: skipped: aarch64-linux-gnu-gcc not installed");
        return;
    }
    if !common::have_qemu("guest_program_matches_qemu") {
        return;
    }
    let bin = build_guest();
    let want = common::run_with_timeout(Command::new("qemu-aarch64").arg(&bin), common::TIMEOUT);
    assert!(want.status.success(), "qemu-aarch64: {}", common::describe(&want));
    let got = common::run_with_timeout(&mut common::emu_command::<[&str; 0], [&str; 0]>([], &bin, []), common::TIMEOUT);
    common::assert_no_panic("crypto", &got);
    assert!(got.status.success(), "emulator: {}", common::describe(&got));
    let (want, got) = (want.stdout_text(), got.stdout_text());
    assert_eq!(want.lines().count(), 1286, "unexpected qemu output:\n{want}");
    assert!(want == got, "output differs from qemu:\n{}", common::line_diff(&want, &got, common::DIFF_LINES));
    for line in [
        "crc32(123456789) = cbf43926",
        "crc32c(123456789) = e3069283",
        "sha256(abc) = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad",
        "sha1(abc) = a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d",
        "aes128(fips197) =69c4e0d86a7b0430d8cdb78070b4c55a",
        "aes128 decrypt =00112233445566778899aabbccddeeff",
    ] {
        assert!(got.lines().any(|l| l == line), "missing `{line}` in:\n{got}");
    }
}

fn v(bytes: [u8; 16]) -> u128 {
    u128::from_le_bytes(bytes)
}

/// FIPS-197 Appendix B, round 1: AESE(input, round key 0) is ShiftRows(SubBytes(input EOR
/// key)), AESMC then gives the "after MixColumns" state; AESD/AESIMC undo them.
#[test]
fn aes_fips197_round_one() {
    let input = v([0x32, 0x43, 0xf6, 0xa8, 0x88, 0x5a, 0x30, 0x8d, 0x31, 0x31, 0x98, 0xa2, 0xe0, 0x37, 0x07, 0x34]);
    let key = v([0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c]);
    let shifted = v([0xd4, 0xbf, 0x5d, 0x30, 0xe0, 0xb4, 0x52, 0xae, 0xb8, 0x41, 0x11, 0xf1, 0x1e, 0x27, 0x98, 0xe5]);
    let mixed = v([0x04, 0x66, 0x81, 0xe5, 0xe0, 0xcb, 0x19, 0x9a, 0x48, 0xf8, 0xd3, 0x7a, 0x28, 0x06, 0x26, 0x4c]);
    let mut cpu = CpuState::new();
    cpu.v[0] = input;
    cpu.v[1] = key;
    assert!(run_word(&mut cpu, 0x4e28_4820)); // aese v0.16b, v1.16b
    assert_eq!(cpu.v[0], shifted);
    assert!(run_word(&mut cpu, 0x4e28_6802)); // aesmc v2.16b, v0.16b
    assert_eq!(cpu.v[2], mixed);
    assert!(run_word(&mut cpu, 0x4e28_7843)); // aesimc v3.16b, v2.16b
    assert_eq!(cpu.v[3], shifted);
    // AESD with a zero key: InvSubBytes(InvShiftRows(x)), which undoes the AESE above.
    cpu.v[4] = 0;
    assert!(run_word(&mut cpu, 0x4e28_5883)); // aesd v3.16b, v4.16b
    assert_eq!(cpu.v[3], input ^ key);
}

#[test]
fn pmull_64() {
    let mut cpu = CpuState::new();
    cpu.v[1] = (0x8000_0000_0000_0001u128 << 64) | 3;
    cpu.v[2] = (0x8000_0000_0000_0001u128 << 64) | 3;
    assert!(run_word(&mut cpu, 0x0ee2_e020)); // pmull v0.1q, v1.1d, v2.1d
    assert_eq!(cpu.v[0], 5);
    assert!(run_word(&mut cpu, 0x4ee2_e020)); // pmull2 v0.1q, v1.2d, v2.2d
    assert_eq!(cpu.v[0], (1u128 << 126) | 1);
    // size = 01 and 10 stay reserved.
    assert!(!run_word(&mut cpu, 0x0e62_e020));
    assert!(!run_word(&mut cpu, 0x0ea2_e020));
}

#[test]
fn sha1h_and_crc_words() {
    let mut cpu = CpuState::new();
    cpu.v[1] = 0xffff_ffff_0000_0000_0000_0000_1234_5678;
    assert!(run_word(&mut cpu, 0x5e28_0820)); // sha1h s0, s1
    assert_eq!(cpu.v[0], 0x1234_5678u32.rotate_left(30) as u128);

    // CRC32B / CRC32CB over "123456789", with the usual pre- and post-inversion.
    for (word, want) in [(0x1ac2_4000u32, 0xCBF4_3926u32), (0x1ac2_5000, 0xE306_9283)] {
        cpu.x[0] = 0xdead_beef_ffff_ffff;
        for &b in b"123456789" {
            cpu.x[2] = 0xffff_ff00 | b as u64; // only the low byte is used
            crypto::crc32(&mut cpu, qemu_aarch64_lite::arch::Insn(word)); // crc32(c)b w0, w0, w2
        }
        assert_eq!(!(cpu.x[0] as u32), want, "{word:08x}");
        assert_eq!(cpu.x[0] >> 32, 0, "W result zero-extends");
    }
}
