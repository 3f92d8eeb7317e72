//! Translator for the `ldst_simd` rows of the decoder table (see `arch::table::ldst_simd`).
//!
//! LD1/ST1 (multiple structures, 1 to 4 registers, no post-index or any post-index) are inline:
//! with one element per structure there is no interleaving, so on a little-endian guest the
//! registers are consecutive 8- or 16-byte blocks of memory whatever the element size. Loads
//! read every block before writing any register. A host fault in the inline code is mapped to
//! this instruction's pc like any inline load or store.
//!
//! LD4/ST4 (multiple structures) of 16-byte registers with 8-, 16- or 32-bit elements are
//! inline too: the four 16-byte blocks are each regrouped by structure member with PSHUFB
//! (one 32-bit group per member; none needed for 32-bit elements), then a 4x4 transpose of
//! 32-bit groups across the blocks gives the registers (ST4: the same steps backwards).
//!
//! Every other row is one call to `helpers::simd::ldst::ldst_simd_helper`, which accesses guest
//! memory directly; `cpu.pc` is set first so that a host fault inside the helper names this
//! instruction. Reserved encodings are rejected before anything is emitted.

use super::emit::{dasm, reg, Emitter, Flow, TResult, Undefined, R31};
use crate::arch::table::LdStSimdOp;
use crate::arch::Insn;
use crate::cpu::{off_v, OFF_FP_CONST};
use crate::helpers::simd::ldst::{ldst_simd_helper, undefined};
use dynasmrt::{dynasm, DynasmApi};

#[inline(always)]
pub fn translate(e: &mut Emitter, _op: LdStSimdOp, i: Insn) -> TResult {
    if undefined(i) {
        return Err(Undefined);
    }
    if try_ld1_st1(e, i) || try_ld4_st4(e, i) {
        return Ok(Flow::Continue);
    }
    e.set_pc(e.pc);
    e.call_insn_helper(ldst_simd_helper);
    Ok(Flow::Continue)
}

/// LD1/ST1 (multiple structures) inline; false (nothing emitted) for any other row.
fn try_ld1_st1(e: &mut Emitter, i: Insn) -> bool {
    if i.bit(24) {
        return false; // single structure
    }
    let regs = match i.bits(15, 12) {
        0b0111 => 1u32,
        0b1010 => 2,
        0b0110 => 3,
        0b0010 => 4,
        _ => return false,
    };
    let (t, n, m, q) = (i.rd(), i.rn(), i.rm(), i.q());
    let load = i.bit(22);
    let step: i32 = if q { 16 } else { 8 };
    e.load_x(reg::RAX, n, true, R31::Sp);
    for k in 0..regs {
        let disp = k as i32 * step;
        let v = (t + k) % 32;
        if load {
            match (k, q) {
                (0, true) => dasm!(e.ops; movdqu xmm0, [rax + disp]),
                (1, true) => dasm!(e.ops; movdqu xmm1, [rax + disp]),
                (2, true) => dasm!(e.ops; movdqu xmm2, [rax + disp]),
                (_, true) => dasm!(e.ops; movdqu xmm3, [rax + disp]),
                (0, false) => dasm!(e.ops; movq xmm0, QWORD [rax + disp]),
                (1, false) => dasm!(e.ops; movq xmm1, QWORD [rax + disp]),
                (2, false) => dasm!(e.ops; movq xmm2, QWORD [rax + disp]),
                (_, false) => dasm!(e.ops; movq xmm3, QWORD [rax + disp]),
            }
        } else if q {
            dasm!(e.ops
                ; movdqu xmm0, [cpu + off_v(v)]
                ; movdqu [rax + disp], xmm0
            );
        } else {
            dasm!(e.ops
                ; mov rcx, QWORD [cpu + off_v(v)]
                ; mov QWORD [rax + disp], rcx
            );
        }
    }
    if load {
        for k in 0..regs {
            let v = (t + k) % 32;
            match k {
                0 => dasm!(e.ops; movdqu [cpu + off_v(v)], xmm0),
                1 => dasm!(e.ops; movdqu [cpu + off_v(v)], xmm1),
                2 => dasm!(e.ops; movdqu [cpu + off_v(v)], xmm2),
                _ => dasm!(e.ops; movdqu [cpu + off_v(v)], xmm3),
            }
        }
    }
    if i.bit(23) {
        // post-index: by the transfer size (Rm = 31) or by Xm
        if m == 31 {
            dasm!(e.ops; add rax, regs as i32 * step);
        } else {
            e.load_x(reg::RCX, m, true, R31::Zr);
            dasm!(e.ops; add rax, rcx);
        }
        e.store_x(n, reg::RAX, true, R31::Sp);
    }
    true
}

/// LD4/ST4 (multiple structures, Q = 1, 8/16/32-bit elements) inline; false (nothing
/// emitted) for any other row. See the module comment for the method.
fn try_ld4_st4(e: &mut Emitter, i: Insn) -> bool {
    let size = i.bits(11, 10);
    if i.bit(24) || i.bits(15, 12) != 0 || !i.q() || size == 3 || !super::features().ssse3 {
        return false;
    }
    let (t, n, m) = (i.rd(), i.rn(), i.rm());
    let load = i.bit(22);
    let v = |k: u32| off_v((t + k) % 32);
    // the PSHUFB mask from memory to members ([4] or [5]) and back ([4] or [6])
    let (gather, scatter) = match size {
        0 => (Some(4), Some(4)),
        1 => (Some(5), Some(6)),
        _ => (None, None),
    };
    let k_off = |k: i32| OFF_FP_CONST as i32 + 16 * k;
    e.load_x(reg::RAX, n, true, R31::Sp);
    if load {
        dasm!(e.ops
            ; movdqu xmm0, [rax]
            ; movdqu xmm1, [rax + 16]
            ; movdqu xmm2, [rax + 32]
            ; movdqu xmm3, [rax + 48]
        );
        if let Some(g) = gather {
            pshufb_each(e, [0, 1, 2, 3], k_off(g));
        }
        transpose4(e);
        // registers: member 0 in xmm0, 1 in xmm1, 2 in xmm4, 3 in xmm3
        dasm!(e.ops
            ; movdqu [cpu + v(0)], xmm0
            ; movdqu [cpu + v(1)], xmm1
            ; movdqu [cpu + v(2)], xmm4
            ; movdqu [cpu + v(3)], xmm3
        );
    } else {
        dasm!(e.ops
            ; movdqu xmm0, [cpu + v(0)]
            ; movdqu xmm1, [cpu + v(1)]
            ; movdqu xmm2, [cpu + v(2)]
            ; movdqu xmm3, [cpu + v(3)]
        );
        transpose4(e);
        // block 0 in xmm0, 1 in xmm1, 2 in xmm4, 3 in xmm3
        if let Some(g) = scatter {
            pshufb_each(e, [0, 1, 4, 3], k_off(g));
        }
        dasm!(e.ops
            ; movdqu [rax], xmm0
            ; movdqu [rax + 16], xmm1
            ; movdqu [rax + 32], xmm4
            ; movdqu [rax + 48], xmm3
        );
    }
    if i.bit(23) {
        if m == 31 {
            dasm!(e.ops; add rax, 64);
        } else {
            e.load_x(reg::RCX, m, true, R31::Zr);
            dasm!(e.ops; add rax, rcx);
        }
        e.store_x(n, reg::RAX, true, R31::Sp);
    }
    true
}

/// PSHUFB each of the xmm registers `regs` with the 16-byte mask at [cpu + `mask`].
fn pshufb_each(e: &mut Emitter, regs: [u8; 4], mask: i32) {
    for x in regs {
        dasm!(e.ops; pshufb Rx(x), [cpu + mask]);
    }
}

/// Transpose the 4x4 matrix of 32-bit groups in xmm0..xmm3 (rows) into xmm0, xmm1, xmm4,
/// xmm3 (columns 0..3). Clobbers xmm2, xmm5.
fn transpose4(e: &mut Emitter) {
    dasm!(e.ops
        ; movdqa xmm4, xmm0
        ; punpckldq xmm0, xmm1
        ; punpckhdq xmm4, xmm1
        ; movdqa xmm5, xmm2
        ; punpckldq xmm2, xmm3
        ; punpckhdq xmm5, xmm3
        // xmm0 = [r0.0 r1.0 r0.1 r1.1], xmm4 = [r0.2 r1.2 r0.3 r1.3], xmm2/xmm5 likewise for r2, r3
        ; movdqa xmm1, xmm0
        ; punpcklqdq xmm0, xmm2
        ; punpckhqdq xmm1, xmm2
        ; movdqa xmm3, xmm4
        ; punpcklqdq xmm4, xmm5
        ; punpckhqdq xmm3, xmm5
    );
}
