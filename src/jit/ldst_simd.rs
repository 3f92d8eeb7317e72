//! Translator for the `ldst_simd` rows of the decoder table (see `arch::table::ldst_simd`).
//!
//! LD1/ST1 (multiple structures, 1 to 4 registers, no post-index or any post-index) are inline:
//! with one element per structure there is no interleaving, so on a little-endian guest the
//! registers are consecutive 8- or 16-byte blocks of memory whatever the element size. Loads
//! read every block before writing any register. A host fault in the inline code is mapped to
//! this instruction's pc like any inline load or store.
//!
//! Every other row is one call to `helpers::simd::ldst::ldst_simd_helper`, which accesses guest
//! memory directly; `cpu.pc` is set first so that a host fault inside the helper names this
//! instruction. Reserved encodings are rejected before anything is emitted.

use super::emit::{dasm, reg, Emitter, Flow, TResult, Undefined, R31};
use crate::arch::table::LdStSimdOp;
use crate::arch::Insn;
use crate::cpu::off_v;
use crate::helpers::simd::ldst::{ldst_simd_helper, undefined};
use dynasmrt::{dynasm, DynasmApi};

pub fn translate(e: &mut Emitter, _op: LdStSimdOp, i: Insn) -> TResult {
    if undefined(i) {
        return Err(Undefined);
    }
    if try_ld1_st1(e, i) {
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
