//! Translator: data processing - immediate (Arm ARM C4.1.2): PC-relative addressing, add/sub
//! (immediate), logical (immediate), move wide, bitfield, extract.

use super::emit::{dasm, reg::*, Emitter, FlagKind, Flow, TResult, Undefined, R31};
use crate::arch::pseudo::decode_bit_masks;
use crate::arch::table::DpImmOp;
use crate::arch::Insn;
use dynasmrt::{dynasm, DynasmApi};

#[inline(always)]
pub fn translate(e: &mut Emitter, op: DpImmOp, i: Insn) -> TResult {
    use DpImmOp::*;
    match op {
        Adr | Adrp => adr(e, op == Adrp, i),
        AddImm | AddsImm | SubImm | SubsImm => add_sub_imm(e, op, i),
        AndImm | OrrImm | EorImm | AndsImm => logical_imm(e, op, i),
        Movn | Movz | Movk => move_wide(e, op, i),
        Sbfm | Bfm | Ubfm => bitfield(e, op, i),
        Extr => extr(e, i),
    }
}

/// ADR / ADRP.
fn adr(e: &mut Emitter, page: bool, i: Insn) -> TResult {
    let imm = (i.sbits(23, 5) << 2) | i.bits(30, 29) as i64;
    let value = if page { (e.pc & !0xfff).wrapping_add((imm << 12) as u64) } else { e.pc.wrapping_add(imm as u64) };
    e.store_x_imm(i.rd(), value, R31::Zr);
    Ok(Flow::Continue)
}

/// ADD/ADDS/SUB/SUBS (immediate). Rn is SP-capable; Rd is SP for ADD/SUB, ZR for the flag forms.
fn add_sub_imm(e: &mut Emitter, op: DpImmOp, i: Insn) -> TResult {
    use DpImmOp::*;
    let sf = i.sf();
    let imm = (i.imm12() as u64) << if i.bit(22) { 12 } else { 0 };
    let set_flags = matches!(op, AddsImm | SubsImm);
    let sub = matches!(op, SubImm | SubsImm);
    // Both registers in host registers (31 is SP here, which is mapped): one instruction.
    if let (false, Some(hd), Some(hn)) = (set_flags, e.host_of(i.rd()), e.host_of(i.rn())) {
        let v = if sub { -(imm as i32) } else { imm as i32 };
        match (sf, hd == hn) {
            (true, true) => dasm!(e.ops; add Rq(hd), v),
            (false, true) => dasm!(e.ops; add Rd(hd), v),
            (true, false) => dasm!(e.ops; lea Rq(hd), [Rq(hn) + v]),
            (false, false) => dasm!(e.ops; lea Rd(hd), [Rq(hn) + v]),
        }
        return Ok(Flow::Continue);
    }
    e.load_x(RAX, i.rn(), sf, R31::Sp);
    let imm = imm as i32; // imm12 << 12 fits in i32 (max 0xfff000)
    match (sf, sub) {
        (true, false) => dasm!(e.ops; add rax, imm),
        (true, true) => dasm!(e.ops; sub rax, imm),
        (false, false) => dasm!(e.ops; add eax, imm),
        (false, true) => dasm!(e.ops; sub eax, imm),
    }
    if set_flags {
        e.save_flags(if sub { FlagKind::Sub } else { FlagKind::Add }, sf);
        e.store_x(i.rd(), RAX, sf, R31::Zr);
    } else {
        e.store_x(i.rd(), RAX, sf, R31::Sp);
    }
    Ok(Flow::Continue)
}

/// AND/ORR/EOR/ANDS (immediate). Rd is SP-capable except for ANDS; Rn is ZR.
fn logical_imm(e: &mut Emitter, op: DpImmOp, i: Insn) -> TResult {
    use DpImmOp::*;
    let sf = i.sf();
    if !sf && i.n() {
        return Err(Undefined);
    }
    let datasize = if sf { 64 } else { 32 };
    let (imm, _) = decode_bit_masks(i.n(), i.imms(), i.immr(), true, datasize).ok_or(Undefined)?;
    // The work register: Rd's host register (SP's for Rd = 31) for the forms without flags,
    // so that no copy through rax follows; rax otherwise.
    let w = match (op, e.host_of(i.rd())) {
        (AndImm | OrrImm | EorImm, Some(h)) => h,
        _ => RAX,
    };
    if op == AndImm && i.rn() != 31 {
        // the zero-extending masks are one move (then a store when Rd lives in CpuState)
        let mask = if sf { imm } else { imm & 0xFFFF_FFFF };
        let zext = match mask {
            0xFF => Some(8),
            0xFFFF => Some(16),
            0xFFFF_FFFF => Some(32),
            _ => None,
        };
        if let Some(bits) = zext {
            e.load_x(w, i.rn(), true, R31::Zr);
            match bits {
                8 => dasm!(e.ops; movzx Rd(w), Rb(w)),
                16 => dasm!(e.ops; movzx Rd(w), Rw(w)),
                _ => dasm!(e.ops; mov Rd(w), Rd(w)),
            }
            if w == RAX {
                e.store_x(i.rd(), RAX, true, R31::Sp);
            }
            return Ok(Flow::Continue);
        }
    }
    e.load_x(w, i.rn(), sf, R31::Zr);
    // An immediate that sign-extends from 32 bits (64-bit forms) or any 32-bit one (32-bit
    // forms, where only the low half matters) is an operand of the x86 instruction itself.
    let imm32 = if sf {
        (imm as i64 >= i32::MIN as i64 && imm as i64 <= i32::MAX as i64).then_some(imm as i32)
    } else {
        Some(imm as u32 as i32)
    };
    match (op, sf, imm32) {
        (AndImm | AndsImm, true, Some(v)) => dasm!(e.ops; and Rq(w), v),
        (AndImm | AndsImm, false, Some(v)) => dasm!(e.ops; and Rd(w), v),
        (OrrImm, true, Some(v)) => dasm!(e.ops; or Rq(w), v),
        (OrrImm, false, Some(v)) => dasm!(e.ops; or Rd(w), v),
        (EorImm, true, Some(v)) => dasm!(e.ops; xor Rq(w), v),
        (EorImm, false, Some(v)) => dasm!(e.ops; xor Rd(w), v),
        (_, _, _) => {
            e.mov_imm(RCX, imm);
            match op {
                AndImm | AndsImm => dasm!(e.ops; and Rq(w), rcx),
                OrrImm => dasm!(e.ops; or Rq(w), rcx),
                _ => dasm!(e.ops; xor Rq(w), rcx),
            }
        }
    }
    if w != RAX {
        return Ok(Flow::Continue);
    }
    if op == AndsImm {
        e.save_flags(FlagKind::Logic, sf);
        e.store_x(i.rd(), RAX, sf, R31::Zr);
    } else {
        e.store_x(i.rd(), RAX, sf, R31::Sp);
    }
    Ok(Flow::Continue)
}

/// [`move_wide`] for any of MOVN/MOVZ/MOVK, the operation read from opc (word bits 30:29; the
/// rows never match 01): their one translator in `dispatch::TRANSLATORS` (see
/// `dp_reg::translate_shifted`).
pub(crate) fn translate_move_wide(e: &mut Emitter, i: Insn) -> TResult {
    move_wide(e, move_wide_op(i), i)
}

/// The operation of a MOVN/MOVZ/MOVK word.
#[inline(always)]
pub(crate) fn move_wide_op(i: Insn) -> DpImmOp {
    const OPS: [DpImmOp; 4] = [DpImmOp::Movn, DpImmOp::Movn, DpImmOp::Movz, DpImmOp::Movk];
    OPS[i.bits(30, 29) as usize]
}

/// MOVN/MOVZ/MOVK.
fn move_wide(e: &mut Emitter, op: DpImmOp, i: Insn) -> TResult {
    use DpImmOp::*;
    let sf = i.sf();
    if !sf && i.hw() >= 2 {
        return Err(Undefined);
    }
    let pos = i.hw() * 16;
    let imm = (i.imm16() as u64) << pos;
    let mask = if sf { u64::MAX } else { u32::MAX as u64 };
    match op {
        Movz => e.store_x_imm(i.rd(), imm, R31::Zr),
        Movn => e.store_x_imm(i.rd(), !imm & mask, R31::Zr),
        Movk => {
            e.load_x(RAX, i.rd(), sf, R31::Zr);
            e.mov_imm(RCX, !(0xffffu64 << pos));
            e.mov_imm(RDX, imm);
            dasm!(e.ops; and rax, rcx; or rax, rdx);
            e.store_x(i.rd(), RAX, sf, R31::Zr);
        }
        _ => unreachable!(),
    }
    Ok(Flow::Continue)
}

/// SBFM/BFM/UBFM (Arm ARM shared pseudocode for the bitfield moves).
fn bitfield(e: &mut Emitter, op: DpImmOp, i: Insn) -> TResult {
    use DpImmOp::*;
    let sf = i.sf();
    if sf != i.n() || (!sf && (i.immr() >= 32 || i.imms() >= 32)) {
        return Err(Undefined);
    }
    let datasize = if sf { 64 } else { 32 };
    let (wmask, tmask) = decode_bit_masks(i.n(), i.imms(), i.immr(), false, datasize).ok_or(Undefined)?;
    let r = i.immr() as i8;
    let s = i.imms();
    if op != Bfm && bitfield_shifts(e, op, i, sf) {
        return Ok(Flow::Continue);
    }
    // rax = ROR(src, R)
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    if r != 0 {
        if sf {
            dasm!(e.ops; ror rax, r);
        } else {
            dasm!(e.ops; ror eax, r);
        }
    }
    match op {
        Ubfm => {
            // result = ROR(src, R) AND wmask AND tmask
            e.mov_imm(RCX, wmask & tmask);
            dasm!(e.ops; and rax, rcx);
        }
        Sbfm => {
            // bot = ROR(src,R) AND wmask; top = Replicate(src<S>)
            // result = (top AND NOT tmask) OR (bot AND tmask)
            e.mov_imm(RCX, wmask & tmask);
            dasm!(e.ops; and rax, rcx);
            e.load_x(RDX, i.rn(), sf, R31::Zr);
            let sh = (63 - s) as i8;
            dasm!(e.ops; shl rdx, sh; sar rdx, 63);
            e.mov_imm(RCX, !tmask & if sf { u64::MAX } else { u32::MAX as u64 });
            dasm!(e.ops; and rdx, rcx; or rax, rdx);
        }
        Bfm => {
            // bot = (dst AND NOT wmask) OR (ROR(src,R) AND wmask)
            // result = (dst AND NOT tmask) OR (bot AND tmask)
            //        = (dst AND NOT (wmask AND tmask)) OR (ROR(src,R) AND wmask AND tmask)
            e.mov_imm(RCX, wmask & tmask);
            dasm!(e.ops; and rax, rcx; not rcx);
            e.load_x(RDX, i.rd(), sf, R31::Zr);
            dasm!(e.ops; and rdx, rcx; or rax, rdx);
        }
        _ => unreachable!(),
    }
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// The common UBFM/SBFM forms as plain shifts: UBFX (LSR, UXTB, UXTH) and SBFX (ASR, SXTB,
/// SXTH, SXTW) when immr <= imms, LSL when imms + 1 == immr. False (nothing emitted) for
/// the other forms (UBFIZ, SBFIZ).
fn bitfield_shifts(e: &mut Emitter, op: DpImmOp, i: Insn, sf: bool) -> bool {
    let (r, s) = (i.immr(), i.imms());
    let ds = if sf { 64 } else { 32 };
    let extract = r <= s;
    let lsl = op == DpImmOp::Ubfm && s + 1 == r;
    if !extract && !lsl {
        return false;
    }
    // The work register: Rd's host register when it has one (Rd = 31 is ZR here), else rax.
    let w = e.host_of(i.rd()).filter(|_| i.rd() != 31).unwrap_or(RAX);
    e.load_x(w, i.rn(), sf, R31::Zr);
    if lsl {
        let sh = (ds - r) as i8;
        if sf {
            dasm!(e.ops; shl Rq(w), sh);
        } else {
            dasm!(e.ops; shl Rd(w), sh);
        }
    } else if op == DpImmOp::Sbfm {
        // bits s..r to the top, then arithmetic shift down to bit 0
        let (up, down) = ((ds - 1 - s) as i8, (ds - 1 - s + r) as i8);
        match (sf, up) {
            (true, 0) => dasm!(e.ops; sar Rq(w), down),
            (false, 0) => dasm!(e.ops; sar Rd(w), down),
            (true, _) => dasm!(e.ops; shl Rq(w), up; sar Rq(w), down),
            (false, _) => dasm!(e.ops; shl Rd(w), up; sar Rd(w), down),
        }
    } else {
        let width = s - r + 1;
        if r != 0 {
            if sf {
                dasm!(e.ops; shr Rq(w), r as i8);
            } else {
                dasm!(e.ops; shr Rd(w), r as i8);
            }
        }
        if s == ds - 1 {
            // the field reaches the top bit: the logical shift already cleared the rest
        } else if width < 32 {
            dasm!(e.ops; and Rd(w), ((1u32 << width) - 1) as i32);
        } else if width == 32 && sf {
            dasm!(e.ops; mov Rd(w), Rd(w));
        } else if width < ds {
            e.mov_imm(RCX, (1u64 << width) - 1);
            dasm!(e.ops; and Rq(w), rcx);
        }
    }
    if w == RAX {
        e.store_x(i.rd(), RAX, sf, R31::Zr);
    }
    true
}

/// EXTR: Rd = (Rn:Rm)<lsb+datasize-1:lsb>.
fn extr(e: &mut Emitter, i: Insn) -> TResult {
    let sf = i.sf();
    if sf != i.n() || (!sf && i.imms() >= 32) {
        return Err(Undefined);
    }
    let lsb = i.imms() as i8;
    // ROR (immediate), Rn = Rm, with Rd and Rn in host registers: a move and a rotate.
    if i.rn() == i.rm() && i.rn() != 31 && i.rd() != 31 {
        if let (Some(hd), Some(hn)) = (e.host_of(i.rd()), e.host_of(i.rn())) {
            match (sf, hd == hn) {
                (true, false) => dasm!(e.ops; mov Rq(hd), Rq(hn); ror Rq(hd), lsb),
                (true, true) => dasm!(e.ops; ror Rq(hd), lsb),
                // a 32-bit move or rotate zero-extends into the 64-bit register
                (false, false) => dasm!(e.ops; mov Rd(hd), Rd(hn); ror Rd(hd), lsb),
                (false, true) => dasm!(e.ops; ror Rd(hd), lsb),
            }
            return Ok(Flow::Continue);
        }
    }
    e.load_x(RAX, i.rm(), sf, R31::Zr);
    e.load_x(RCX, i.rn(), sf, R31::Zr);
    if lsb != 0 {
        if sf {
            dasm!(e.ops; shrd rax, rcx, lsb);
        } else {
            dasm!(e.ops; shrd eax, ecx, lsb);
        }
    }
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}
