//! Translator for the `simd` rows of the decoder table (see `arch::table::simd`).
//!
//! Reserved encodings are rejected before anything is emitted. Then, in this order: the
//! inline SSE/AVX forms of `simd_inline`; AES and 64-bit PMULL with AES-NI/PCLMULQDQ
//! (`crypto_inline`); the other FEAT_AES/SHA rows through `helpers::crypto`; everything else
//! one out-of-line call to `helpers::simd::simd_helper` with the instruction word and the
//! `SimdOp` discriminant.

use super::emit::{dasm, reg, Emitter, Flow, TResult, Undefined};
use crate::arch::table::SimdOp;
use crate::arch::Insn;
use crate::helpers::crypto;
use crate::helpers::simd::{simd_helper, undefined};
use dynasmrt::{dynasm, DynasmApi};

#[inline(always)]
pub fn translate(e: &mut Emitter, op: SimdOp, i: Insn) -> TResult {
    if undefined(op, i) {
        return Err(Undefined);
    }
    if super::simd_inline::try_emit(e, op, i) {
        return Ok(Flow::Continue);
    }
    if crypto_inline(e, op, i) {
        return Ok(Flow::Continue);
    }
    // FEAT_AES/SHA1/SHA256/PMULL (64-bit) rows: V registers only, in `helpers::crypto`.
    if crypto::is_crypto(op, i) {
        e.call_insn_helper_vonly(crypto::crypto_helper);
        return Ok(Flow::Continue);
    }
    e.mov_imm(reg::RSI, i.0 as u64);
    e.mov_imm(reg::RDX, op as u64);
    let f: extern "C" fn(*mut crate::cpu::CpuState, u32, u32) = simd_helper;
    // Only the general-register moves read or write X registers.
    if matches!(op, SimdOp::DupGeneral | SimdOp::InsGeneral | SimdOp::Smov | SimdOp::Umov) {
        e.call_raw(f as usize);
    } else {
        e.call_raw_vonly(f as usize);
    }
    Ok(Flow::Continue)
}

/// AESE/AESD/AESMC/AESIMC with AES-NI and PMULL/PMULL2 (64-bit elements) with PCLMULQDQ, on
/// cached V registers; false (nothing emitted) for other rows or without the host feature.
///
/// Both architectures hold FIPS-197 state byte `r + 4c` in register byte `r + 4c`, so the
/// transforms match; only the round key's place differs (Arm adds it first, x86 last):
/// - AESE = SubBytes(ShiftRows(Vd ^ Vn)) = AESENCLAST(Vd ^ Vn, 0); AESD likewise with
///   AESDECLAST;
/// - AESIMC = AESIMC;
/// - AESMC = MixColumns(Vn) = AESENC(AESDECLAST(Vn, 0), 0): AESENC applies ShiftRows and
///   SubBytes after AESDECLAST's inverses (bytewise SubBytes commutes with the row shifts),
///   leaving MixColumns.
/// - PMULL{2} Vd.1Q, Vn.1D, Vm.1D = PCLMULQDQ of the low (high for Q = 1) halves.
/// - SHA256H/SHA256H2 with SHA-NI: both compute four rounds of Arm's SHA256hash(X, Y, W)
///   (X = a,b,c,d in elements 0-3, Y = e,f,g,h) and keep X or Y. SHA256RNDS2 does two rounds
///   on the state split as ABEF and CDGH (dwords F,E,B,A and H,G,D,C from the low one up),
///   with W+K in xmm0's low two dwords, and returns the new ABEF; the new CDGH is the old
///   ABEF. After two of them the new X is A,B of the second result then of the first, and
///   the new Y is E,F of each likewise: one SHUFPS each way.
/// - SHA256SU0 = SHA256MSG1 (W[i] + sigma0(W[i+1]) for Vd = W[0..3], Vn = W[4..7]).
/// - SHA256SU1 = SHA256MSG2(Vd + (Vm[0]:Vn[3..1]), Vm): x86's second message step, after
///   the addition of W[i+9] that x86 code does separately (PALIGNR then PADDD).
/// - SHA1C/SHA1P/SHA1M Qd, Sn, Vm = SHA1RNDS4 with function 0/1/2 on the dword-reversed
///   (x86 holds A and W0 in the top dword) Qd and Vm, where Vm (W+K, as Arm code adds K)
///   loses the K that SHA1RNDS4 adds and its W0 gains E (Sn), as x86 code does with
///   SHA1NEXTE.
/// - SHA1SU1 = SHA1MSG2 on dword-reversed operands; SHA1SU0 = (Vn[63:0] : Vd[127:64]) EOR
///   Vd EOR Vm with PALIGNR; SHA1H = ROL(Sn, 30).
fn crypto_inline(e: &mut Emitter, op: SimdOp, i: Insn) -> bool {
    let f = super::features();
    let (aes, pclmul, sha) = (f.aes, f.pclmulqdq, f.sha);
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    match op {
        SimdOp::Aese | SimdOp::Aesd if aes => {
            let (xd, xn) = (e.vc_get(d), e.vc_get(n));
            dasm!(e.ops; movaps xmm0, Rx(xd); pxor xmm0, Rx(xn); pxor xmm1, xmm1);
            if op == SimdOp::Aese {
                dasm!(e.ops; aesenclast xmm0, xmm1);
            } else {
                dasm!(e.ops; aesdeclast xmm0, xmm1);
            }
        }
        SimdOp::Aesmc if aes => {
            let xn = e.vc_get(n);
            dasm!(e.ops; movaps xmm0, Rx(xn); pxor xmm1, xmm1; aesdeclast xmm0, xmm1; aesenc xmm0, xmm1);
        }
        SimdOp::Aesimc if aes => {
            let xn = e.vc_get(n);
            dasm!(e.ops; aesimc xmm0, Rx(xn));
        }
        SimdOp::Pmull if pclmul && i.size() == 3 => {
            let (xn, xm) = (e.vc_get(n), e.vc_get(m));
            dasm!(e.ops; movaps xmm0, Rx(xn));
            if i.q() {
                dasm!(e.ops; pclmulqdq xmm0, Rx(xm), 0x11);
            } else {
                dasm!(e.ops; pclmulqdq xmm0, Rx(xm), 0x00);
            }
        }
        SimdOp::Sha256h | SimdOp::Sha256h2 if sha => {
            // X and Y: Vd and Vn for SHA256H, Vn and Vd for SHA256H2
            let (xd, xn, xm) = (e.vc_get(d), e.vc_get(n), e.vc_get(m));
            let (x, y) = if op == SimdOp::Sha256h { (xd, xn) } else { (xn, xd) };
            dasm!(e.ops
                // xmm1 = ABEF, xmm2 = CDGH
                ; movaps xmm1, Rx(y)
                ; shufps xmm1, Rx(x), 0x11
                ; movaps xmm2, Rx(y)
                ; shufps xmm2, Rx(x), 0xbb_u8 as i8
                // two rounds: xmm2 = ABEF after them (the CDGH after them is xmm1)
                ; movaps xmm0, Rx(xm)
                ; sha256rnds2 xmm2, xmm1
                // two more: xmm1 = ABEF after four (CDGH = xmm2)
                ; pshufd xmm0, Rx(xm), 0x0e
                ; sha256rnds2 xmm1, xmm2
                ; movaps xmm0, xmm1
            );
            if op == SimdOp::Sha256h {
                dasm!(e.ops; shufps xmm0, xmm2, 0xbb_u8 as i8);
            } else {
                dasm!(e.ops; shufps xmm0, xmm2, 0x11);
            }
        }
        SimdOp::Sha256su0 if sha => {
            let (xd, xn) = (e.vc_get(d), e.vc_get(n));
            dasm!(e.ops; movaps xmm0, Rx(xd); sha256msg1 xmm0, Rx(xn));
        }
        SimdOp::Sha256su1 if sha => {
            let (xd, xn, xm) = (e.vc_get(d), e.vc_get(n), e.vc_get(m));
            dasm!(e.ops
                // xmm0 = Vd + (Vm[0] : Vn[3..1])
                ; movaps xmm0, Rx(xm)
                ; palignr xmm0, Rx(xn), 4
                ; paddd xmm0, Rx(xd)
                ; sha256msg2 xmm0, Rx(xm)
            );
        }
        SimdOp::Sha1c | SimdOp::Sha1p | SimdOp::Sha1m if sha => {
            let (xd, xn, xm) = (e.vc_get(d), e.vc_get(n), e.vc_get(m));
            // the round function and the constant SHA1RNDS4 adds for it
            let (func, k): (i8, u32) = match op {
                SimdOp::Sha1c => (0, 0x5a82_7999),
                SimdOp::Sha1p => (1, 0x6ed9_eba1),
                _ => (2, 0x8f1b_bcdc),
            };
            e.mov_imm(super::emit::reg::RAX, k as u64);
            dasm!(e.ops
                // xmm0 = W - K, reversed, with E added to W0 (in the top dword)
                ; movd xmm2, eax
                ; pshufd xmm2, xmm2, 0
                ; pshufd xmm0, Rx(xm), 0x1b
                ; psubd xmm0, xmm2
                ; movdqa xmm2, Rx(xn)
                ; pslldq xmm2, 12
                ; paddd xmm0, xmm2
                ; pshufd xmm1, Rx(xd), 0x1b
                ; sha1rnds4 xmm1, xmm0, func
                ; pshufd xmm0, xmm1, 0x1b
            );
        }
        SimdOp::Sha1su1 if sha => {
            let (xd, xn) = (e.vc_get(d), e.vc_get(n));
            dasm!(e.ops
                ; pshufd xmm0, Rx(xd), 0x1b
                ; pshufd xmm1, Rx(xn), 0x1b
                ; sha1msg2 xmm0, xmm1
                ; pshufd xmm0, xmm0, 0x1b
            );
        }
        SimdOp::Sha1su0 if sha => {
            let (xd, xn, xm) = (e.vc_get(d), e.vc_get(n), e.vc_get(m));
            dasm!(e.ops
                // (Vn:Vd) >> 64 bits = Vn[63:0] : Vd[127:64]
                ; movdqa xmm0, Rx(xn)
                ; palignr xmm0, Rx(xd), 8
                ; pxor xmm0, Rx(xd)
                ; pxor xmm0, Rx(xm)
            );
        }
        SimdOp::Sha1h => {
            let xn = e.vc_get(n);
            dasm!(e.ops; movd eax, Rx(xn); rol eax, 30; movd xmm0, eax);
        }
        _ => return false,
    }
    e.vc_put(d, 0, 128);
    true
}
