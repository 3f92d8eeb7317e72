//! Translator: data processing - register (Arm ARM C4.1.6): logical and add/sub (shifted and
//! extended register), add/sub with carry, conditional compare and select, 1- and 2-source,
//! 3-source (multiply) instructions.

use super::asm::{alu, Asm};
use super::emit::{dasm, host_cc, reg::*, Emitter, FlagKind, Flow, TResult, Undefined, X86Cc, R31};
use crate::arch::table::DpRegOp;
use crate::arch::Insn;
use crate::cpu::off_x;
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};

#[inline(always)]
pub fn translate(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    use DpRegOp::*;
    match op {
        And | Bic | Orr | Orn | Eor | Eon | Ands | Bics | AddShifted | AddsShifted | SubShifted | SubsShifted => {
            shifted_alu(e, op, i)
        }
        AddExt | AddsExt | SubExt | SubsExt => add_sub_ext(e, op, i),
        Adc | Adcs | Sbc | Sbcs => add_sub_carry(e, op, i),
        CcmnReg | CcmpReg | CcmnImm | CcmpImm => cond_compare(e, op, i),
        Csel | Csinc | Csinv | Csneg => cond_select(e, op, i),
        Udiv | Sdiv => divide(e, op == Sdiv, i),
        Lslv | Lsrv | Asrv | Rorv => shift_var(e, op, i),
        Rbit => rbit(e, i),
        Rev16 => rev16(e, i),
        Rev32 | Rev => rev(e, op, i),
        Clz | Cls => count_leading(e, op == Cls, i),
        Madd | Msub => mul_add(e, op == Msub, i),
        Smaddl | Smsubl | Umaddl | Umsubl => mul_add_long(e, op, i),
        Smulh | Umulh => mul_high(e, op == Smulh, i),
        Crc32 | Crc32c => crc32(e, op == Crc32c, i),
    }
}

/// CRC32{B,H,W,X} and CRC32C{B,H,W,X} (the rows fix every other field): Wd = the CRC of Wn
/// updated with the low 8 << sz bits of Rm. CRC32C is SSE4.2's CRC32 instruction (the same
/// polynomial, 0x1EDC6F41, and the same bit reflection), inline when the host has it. CRC32's
/// IEEE polynomial has no x86 instruction: a table-driven helper takes the operands in
/// registers, the mapped guest registers staying in place (`call_raw_vonly`).
fn crc32(e: &mut Emitter, castagnoli: bool, i: Insn) -> TResult {
    let sz = i.bits(11, 10);
    e.load_x(RAX, i.rn(), false, R31::Zr);
    e.load_x(RCX, i.rm(), sz == 3, R31::Zr);
    if castagnoli && super::features().sse42 {
        match sz {
            0 => dasm!(e.ops; crc32 eax, cl),
            1 => dasm!(e.ops; crc32 eax, cx),
            2 => dasm!(e.ops; crc32 eax, ecx),
            _ => dasm!(e.ops; crc32 rax, rcx),
        }
    } else {
        let kind = sz | (castagnoli as u32) << 2;
        dasm!(e.ops; mov esi, eax; mov rdx, rcx; mov ecx, kind as i32);
        let f: extern "C" fn(*mut crate::cpu::CpuState, u32, u64, u32) -> u32 = crate::helpers::crypto::crc32_raw;
        e.call_raw_vonly(f as usize);
    }
    e.store_x(i.rd(), RAX, false, R31::Zr);
    Ok(Flow::Continue)
}

/// `rax = rax +/- rcx` with flags captured when `set_flags`.
fn emit_add_sub(e: &mut Emitter, sf: bool, sub: bool, set_flags: bool) {
    e.ops.alu_rr(if sub { alu::SUB } else { alu::ADD }, sf, RAX, RCX);
    if set_flags {
        e.save_flags(if sub { FlagKind::Sub } else { FlagKind::Add }, sf);
    }
}

/// The bytes and length of `load_x(dst, r, sf, R31::Zr)` for guest register `r` in host
/// register `h` (0: in memory), without a branch: `xor dst, dst` for XZR, else the move or
/// the load.
#[inline(always)]
fn load_or_zero_word(sf: bool, dst: u8, r: u32, h: u8) -> (u64, usize) {
    let zero = (Asm::alu_rr_word(alu::XOR, false, dst, dst), 3);
    let load = Asm::mov_rr_or_load_rbx_word(sf, dst, h, off_x(r & 31));
    std::hint::select_unpredictable(r == 31, zero, load)
}

/// (x86 opcode, inverted operand, flags) of each shifted-register operation of
/// [`shifted_alu`], by `DpRegOp` discriminant (a table: a `match` here compiles to a jump
/// table, an indirect branch as unpredictable as the code).
const SHIFTED_ALU: [(u8, bool, Option<FlagKind>); DpRegOp::ALL.len()] = {
    use DpRegOp::*;
    let mut t = [(0, false, None); DpRegOp::ALL.len()];
    t[And as usize] = (alu::AND, false, None);
    t[Bic as usize] = (alu::AND, true, None);
    t[Orr as usize] = (alu::OR, false, None);
    t[Orn as usize] = (alu::OR, true, None);
    t[Eor as usize] = (alu::XOR, false, None);
    t[Eon as usize] = (alu::XOR, true, None);
    t[Ands as usize] = (alu::AND, false, Some(FlagKind::Logic));
    t[Bics as usize] = (alu::AND, true, Some(FlagKind::Logic));
    t[AddShifted as usize] = (alu::ADD, false, None);
    t[AddsShifted as usize] = (alu::ADD, false, Some(FlagKind::Add));
    t[SubShifted as usize] = (alu::SUB, false, None);
    t[SubsShifted as usize] = (alu::SUB, false, Some(FlagKind::Sub));
    t
};

/// The twelve shifted-register operations of [`shifted_alu`] by word bits 24 (add/sub),
/// 30:29 (opc, or op and S) and 21 (N; always 0 in the add/sub rows).
const SHIFTED_OP: [DpRegOp; 16] = {
    use DpRegOp::*;
    [
        And,
        Bic,
        Orr,
        Orn,
        Eor,
        Eon,
        Ands,
        Bics, // logical: opc, N
        AddShifted,
        AddShifted,
        AddsShifted,
        AddsShifted,
        SubShifted,
        SubShifted,
        SubsShifted,
        SubsShifted,
    ]
};

/// [`shifted_alu`] for any of its twelve rows, the operation read from the word: the one
/// translator of the twelve in `dispatch::TRANSLATORS`, so that the block former's indirect
/// call has one target for all of them (the common integer operations come in an order as
/// unpredictable as the code, and each distinct target is a mispredicted call).
pub(crate) fn translate_shifted(e: &mut Emitter, i: Insn) -> TResult {
    shifted_alu(e, shifted_op(i), i)
}

/// The operation of a word of one of [`shifted_alu`]'s rows.
#[inline(always)]
pub(crate) fn shifted_op(i: Insn) -> DpRegOp {
    SHIFTED_OP[(i.bit(24) as usize) << 3 | (i.bits(30, 29) as usize) << 1 | i.bit(21) as usize]
}

/// AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS and ADD/ADDS/SUB/SUBS (shifted register): one template
/// for the twelve, `t = Rn; t = t <op> (Rm <shift> amount, inverted for BIC/ORN/EON/BICS);
/// Rd = t`, whose parts are chosen by selects rather than branches: which registers live in
/// host registers is as random as the code (a mispredicted branch per choice). Register 31
/// is XZR in all of these.
/// - `t` is Rd's host register, or rax when Rd lives in memory, is XZR, or the flags are set
///   (the pending NZCV is read from rax, `Emitter::save_flags`);
/// - the operand is Rm's host register itself when it needs no shift or inversion and `t`
///   does not overwrite it first, else rcx (loaded, shifted, inverted);
/// - `t = Rn` is omitted when `t` already holds it; `Rd = t` only when `t` is rax.
///
/// The MOV (register) alias (ORR with XZR as Rn, no shift) is a single move into Rd's home.
fn shifted_alu(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    use DpRegOp::*;
    let sf = i.sf();
    let add_sub = matches!(op, AddShifted | AddsShifted | SubShifted | SubsShifted);
    if (add_sub && i.shift() == 3) || (!sf && i.imm6() >= 32) {
        return Err(Undefined);
    }
    let (d, n, m) = (i.rd(), i.rn(), i.rm());
    if op == Orr && n == 31 && i.imm6() == 0 && d != 31 {
        // MOV (register)
        if let Some(hd) = e.host_of(d) {
            e.load_x(hd, m, sf, R31::Zr);
        } else {
            e.load_x(RAX, m, sf, R31::Zr);
            e.store_x(d, RAX, sf, R31::Zr);
        }
        return Ok(Flow::Continue);
    }
    let (opcode, invert, flags) = SHIFTED_ALU[op as usize];
    // host registers (0: in memory); register 31 (XZR) counts as in memory
    let host = |r: u32| e.host_or_zero(r) & ((r != 31) as u8).wrapping_neg();
    let (hd, hn, hm) = (host(d), host(n), host(m));
    // (`&` and `|` rather than `&&` and `||`: no branch per operand)
    let t = std::hint::select_unpredictable((hd == 0) | flags.is_some(), RAX, hd);
    let load_n = (t != hn) | (hn == 0);
    let amount = i.imm6();
    let direct_m = (amount == 0) & !invert & (hm != 0) & !((t == hm) & load_n);
    let src = std::hint::select_unpredictable(direct_m, hm, RCX);
    // rcx = Rm, shifted, inverted
    let (rm_word, rm_len) = load_or_zero_word(sf, RCX, m, hm);
    // LSL, LSR, ASR, ROR: SHL, SHR, SAR, ROR (C1 /4, /5, /7, /1)
    const EXT: [u8; 4] = [4, 5, 7, 1];
    let shift_word = Asm::shift_imm_word(EXT[i.shift() as usize & 3], sf, RCX, amount as u8);
    // t = Rn
    let (rn_word, rn_len) = load_or_zero_word(sf, t, n, hn);
    // Rd = rax (a 32-bit result is zero-extended already; not for XZR: length 0 below)
    let (rd_word, rd_len) = Asm::mov_rr_or_store_rbx_word(hd, RAX, off_x(d & 31));
    e.ops.put_words(&[
        (rm_word, if direct_m { 0 } else { rm_len }),
        (shift_word, if amount != 0 { 4 } else { 0 }),
        // not rcx (REX.W F7 /2)
        (0xd1_f7_48, if invert { 3 } else { 0 }),
        (rn_word, if load_n { rn_len } else { 0 }),
        (Asm::alu_rr_word(opcode, sf, t, src), 3),
        (rd_word, if (t == RAX) & (d != 31) { rd_len } else { 0 }),
    ]);
    e.save_flags_if(flags, sf);
    Ok(Flow::Continue)
}

/// `ExtendReg(m, option, shift)` into host register `h` (64-bit result).
pub fn emit_extend_reg(e: &mut Emitter, h: u8, m: u32, option: u32, shift: u32) {
    e.load_x(h, m, true, R31::Zr);
    match option {
        0 => dasm!(e.ops; movzx Rd(h), Rb(h)),
        1 => dasm!(e.ops; movzx Rd(h), Rw(h)),
        2 => dasm!(e.ops; mov Rd(h), Rd(h)),
        4 => dasm!(e.ops; movsx Rq(h), Rb(h)),
        5 => dasm!(e.ops; movsx Rq(h), Rw(h)),
        6 => dasm!(e.ops; movsxd Rq(h), Rd(h)),
        _ => {}
    }
    if shift != 0 {
        dasm!(e.ops; shl Rq(h), shift as i8);
    }
}

/// ADD/ADDS/SUB/SUBS (extended register). Rn and (non-flag) Rd are SP-capable.
fn add_sub_ext(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    use DpRegOp::*;
    let sf = i.sf();
    if i.bits(23, 22) != 0 || i.imm3() > 4 {
        return Err(Undefined);
    }
    let set_flags = matches!(op, AddsExt | SubsExt);
    emit_extend_reg(e, RCX, i.rm(), i.option(), i.imm3());
    if let (AddExt, true, Some(hd), Some(hn)) = (op, sf, e.host_of(i.rd()), e.host_of(i.rn())) {
        // Rd and Rn (SP for 31) in host registers: one LEA
        dasm!(e.ops; lea Rq(hd), [Rq(hn) + rcx]);
        return Ok(Flow::Continue);
    }
    e.load_x(RAX, i.rn(), sf, R31::Sp);
    emit_add_sub(e, sf, matches!(op, SubExt | SubsExt), set_flags);
    e.store_x(i.rd(), RAX, sf, if set_flags { R31::Zr } else { R31::Sp });
    Ok(Flow::Continue)
}

/// ADC/ADCS/SBC/SBCS.
fn add_sub_carry(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    use DpRegOp::*;
    let sf = i.sf();
    let sub = matches!(op, Sbc | Sbcs);
    // x86 CF = Arm C for ADC; = NOT C for SBC (x86 sbb subtracts a borrow).
    if let Some(kind) = e.flags_live {
        // The x86 flags of the previous instruction still describe NZCV: after an addition
        // or a logical operation CF is C, after a subtraction or FCMP it is NOT C. Operands
        // are loaded with moves only (XZR as `mov r, 0`).
        e.load_x_keep_flags(RAX, i.rn(), sf);
        e.load_x_keep_flags(RCX, i.rm(), sf);
        let cf_is_c = matches!(kind, FlagKind::Add | FlagKind::Logic);
        if sub == cf_is_c {
            dasm!(e.ops; cmc);
        }
    } else {
        e.load_x(RAX, i.rn(), sf, R31::Zr);
        e.load_x(RCX, i.rm(), sf, R31::Zr);
        e.carry_to_host(sub);
    }
    match (sf, sub) {
        (true, false) => dasm!(e.ops; adc rax, rcx),
        (true, true) => dasm!(e.ops; sbb rax, rcx),
        (false, false) => dasm!(e.ops; adc eax, ecx),
        (false, true) => dasm!(e.ops; sbb eax, ecx),
    }
    if matches!(op, Adcs | Sbcs) {
        e.save_flags(if sub { FlagKind::Sub } else { FlagKind::Add }, sf);
    }
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// CCMN/CCMP (register and immediate). The condition is tested on the live x86 flags when
/// the previous instruction left them; both paths end with x86 flags describing the new NZCV
/// (the comparison's own, or `nzcv` made with SAHF), so a following B.cond or CSEL fuses.
fn cond_compare(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    use DpRegOp::*;
    let sf = i.sf();
    let nzcv = i.bits(3, 0);
    let sub = matches!(op, CcmpReg | CcmpImm);
    let cond = i.cond_hi();
    if cond >= 0b1110 {
        // AL/NV: always the comparison
        compare(e, op, i, sf, sub);
        return Ok(Flow::Continue);
    }
    let cc = e.cond_cc(cond);
    let skip = e.jcc_unless(cc);
    compare(e, op, i, sf, sub);
    dasm!(e.ops; jmp >done; =>skip);
    synth_flags(e, nzcv, sub);
    e.set_flags_imm(nzcv);
    dasm!(e.ops; done:);
    e.host_flags = Some(if sub { FlagKind::Sub } else { FlagKind::Add });
    Ok(Flow::Continue)
}

/// The comparison of CCMN/CCMP: Rn +/- (Rm or imm5), flags saved.
fn compare(e: &mut Emitter, op: DpRegOp, i: Insn, sf: bool, sub: bool) {
    use DpRegOp::*;
    if matches!(op, CcmnImm | CcmpImm) {
        e.mov_imm(RCX, i.bits(20, 16) as u64);
    } else {
        e.load_x(RCX, i.rm(), sf, R31::Zr);
    }
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    emit_add_sub(e, sf, sub, true);
    // stored before the paths join (the other one stores its own)
    e.flush_flags();
}

/// x86 flags describing NZCV = `nzcv` as a subtraction (`sub`, CF = NOT C) or an addition
/// (CF = C) leaves them: OF = V from an 8-bit add, then SF, ZF and CF by SAHF. Clobbers rax.
fn synth_flags(e: &mut Emitter, nzcv: u32, sub: bool) {
    let (n, z, c, v) = ((nzcv >> 3) & 1, (nzcv >> 2) & 1, (nzcv >> 1) & 1, nzcv & 1);
    let cf = if sub { c ^ 1 } else { c };
    let bits = ((n << 7) | (z << 6) | 0b10 | cf) as i8;
    if v == 1 {
        // 0x7f + 1 overflows
        dasm!(e.ops; mov eax, 0x7f; add al, 1);
    } else {
        dasm!(e.ops; xor eax, eax);
    }
    dasm!(e.ops; mov ah, bits; sahf);
}

/// CSEL/CSINC/CSINV/CSNEG.
fn cond_select(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    use DpRegOp::*;
    let sf = i.sf();
    // Right after a flag setter, select on the live x86 flags: operands loaded with moves
    // only (XZR as `mov r, 0`), CSINC's +1 as LEA, CSINV's NOT (none of which touches the
    // flags), then one CMOV. CSNEG's NEG would clobber them.
    if op != Csneg {
        if let Some(cc) = e.flags_live.and_then(|k| host_cc(k, i.cond_hi())) {
            e.load_x_keep_flags(RDX, i.rn(), sf);
            e.load_x_keep_flags(RSI, i.rm(), sf);
            match op {
                Csinc => dasm!(e.ops; lea rsi, [rsi + 1]),
                Csinv => dasm!(e.ops; not rsi),
                _ => {}
            }
            if cc != X86Cc::Always {
                cmov(e, cc.inverse(), RDX, RSI);
            }
            e.store_x(i.rd(), RDX, sf, R31::Zr);
            // nothing above touched the x86 flags: they still describe NZCV for the next
            // instruction (CSET then SBC, the usual three-way compare)
            e.host_flags = e.flags_live;
            return Ok(Flow::Continue);
        }
    }
    e.load_x(RDX, i.rn(), sf, R31::Zr);
    e.load_x(RSI, i.rm(), sf, R31::Zr);
    match op {
        Csinc => dasm!(e.ops; add rsi, 1),
        Csinv => dasm!(e.ops; not rsi),
        Csneg => dasm!(e.ops; neg rsi),
        _ => {}
    }
    let cc = e.stored_cond(i.cond_hi());
    cmov(e, cc.inverse(), RDX, RSI);
    e.store_x(i.rd(), RDX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// `cmov<cc> dst, src` (64-bit; a plain move for Always).
fn cmov(e: &mut Emitter, cc: X86Cc, dst: u8, src: u8) {
    if cc == X86Cc::Always {
        e.ops.mov_rr(true, dst, src);
    } else {
        e.ops.cmov_rr(cc.code(), dst, src);
    }
}

/// UDIV/SDIV: division by zero gives 0; INT_MIN / -1 gives INT_MIN (no trap).
fn divide(e: &mut Emitter, signed: bool, i: Insn) -> TResult {
    let sf = i.sf();
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    e.load_x(RCX, i.rm(), sf, R31::Zr);
    dasm!(e.ops
        ; test rcx, rcx
        ; jz >zero
    );
    if signed {
        if sf {
            dasm!(e.ops; cmp rcx, -1; jne >dodiv; neg rax; jmp >done; dodiv:; cqo; idiv rcx);
        } else {
            dasm!(e.ops; cmp ecx, -1; jne >dodiv; neg eax; jmp >done; dodiv:; cdq; idiv ecx);
        }
    } else if sf {
        dasm!(e.ops; xor edx, edx; div rcx);
    } else {
        dasm!(e.ops; xor edx, edx; div ecx);
    }
    dasm!(e.ops
        ; jmp >done
        ; zero:
        ; xor eax, eax
        ; done:
    );
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// LSLV/LSRV/ASRV/RORV: the amount is Rm MOD datasize, which is what x86 does with cl.
fn shift_var(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    use DpRegOp::*;
    let sf = i.sf();
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    e.load_x(RCX, i.rm(), sf, R31::Zr);
    match (op, sf) {
        (Lslv, true) => dasm!(e.ops; shl rax, cl),
        (Lslv, false) => dasm!(e.ops; shl eax, cl),
        (Lsrv, true) => dasm!(e.ops; shr rax, cl),
        (Lsrv, false) => dasm!(e.ops; shr eax, cl),
        (Asrv, true) => dasm!(e.ops; sar rax, cl),
        (Asrv, false) => dasm!(e.ops; sar eax, cl),
        (_, true) => dasm!(e.ops; ror rax, cl),
        (_, false) => dasm!(e.ops; ror eax, cl),
    }
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// `rax = ((rax >> s) & m) | ((rax & m) << s)` (swap adjacent groups of `s` bits).
fn swap_groups(e: &mut Emitter, m: u64, s: i8) {
    e.mov_imm(RDX, m);
    dasm!(e.ops
        ; mov rcx, rax
        ; shr rcx, s
        ; and rcx, rdx
        ; and rax, rdx
        ; shl rax, s
        ; or rax, rcx
    );
}

/// RBIT.
fn rbit(e: &mut Emitter, i: Insn) -> TResult {
    let sf = i.sf();
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    if sf {
        dasm!(e.ops; bswap rax);
    } else {
        dasm!(e.ops; bswap eax);
    }
    swap_groups(e, 0x0f0f_0f0f_0f0f_0f0f, 4);
    swap_groups(e, 0x3333_3333_3333_3333, 2);
    swap_groups(e, 0x5555_5555_5555_5555, 1);
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// REV16: reverse bytes in each halfword.
fn rev16(e: &mut Emitter, i: Insn) -> TResult {
    let sf = i.sf();
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    swap_groups(e, 0x00ff_00ff_00ff_00ff, 8);
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// REV32 (sf=1: reverse bytes in each word), REV (sf=0 opcode 10: 32-bit REV; sf=1 opcode 11).
fn rev(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    let sf = i.sf();
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    match (op, sf) {
        (DpRegOp::Rev32, true) => dasm!(e.ops; bswap rax; rol rax, 32),
        (DpRegOp::Rev32, false) => dasm!(e.ops; bswap eax),
        _ => dasm!(e.ops; bswap rax),
    }
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// CLZ / CLS (CLS(x) = CLZ(x EOR (x ASR 1)) - 1).
fn count_leading(e: &mut Emitter, cls: bool, i: Insn) -> TResult {
    let sf = i.sf();
    let bits = if sf { 64 } else { 32 };
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    if cls {
        if sf {
            dasm!(e.ops; mov rcx, rax; sar rcx, 1; xor rax, rcx);
        } else {
            dasm!(e.ops; mov ecx, eax; sar ecx, 1; xor eax, ecx);
        }
    }
    // bsr: index of the highest set bit; ZF=1 when the source is zero.
    dasm!(e.ops
        ; bsr rcx, rax
        ; mov eax, bits
        ; jz >done
        ; mov eax, bits - 1
        ; sub eax, ecx
        ; done:
    );
    if cls {
        dasm!(e.ops; sub eax, 1);
    }
    e.store_x(i.rd(), RAX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// MADD/MSUB.
fn mul_add(e: &mut Emitter, sub: bool, i: Insn) -> TResult {
    let sf = i.sf();
    if e.pending_flags.is_some() {
        // MUL carrying the previous instruction's pending NZCV (`block::nzcv_use`): MULX
        // leaves the x86 flags alone, and rax and rcx are not touched (a W product is the low
        // half of the zero-extended operands' product).
        debug_assert!(i.ra() == 31 && !sub);
        mul_x(e, i, sf, RDI);
        return Ok(Flow::Continue);
    }
    e.load_x(RAX, i.rn(), sf, R31::Zr);
    e.load_x(RCX, i.rm(), sf, R31::Zr);
    dasm!(e.ops; imul rax, rcx);
    if i.ra() == 31 && !sub {
        // MUL (MADD with XZR): nothing to add.
        e.store_x(i.rd(), RAX, sf, R31::Zr);
        return Ok(Flow::Continue);
    }
    e.load_x(RDX, i.ra(), sf, R31::Zr);
    if sub {
        dasm!(e.ops; sub rdx, rax);
    } else {
        dasm!(e.ops; add rdx, rax);
    }
    e.store_x(i.rd(), RDX, sf, R31::Zr);
    Ok(Flow::Continue)
}

/// SMADDL/SMSUBL/UMADDL/UMSUBL: Xd = Xa +/- (Wn * Wm) extended to 64 bits.
fn mul_add_long(e: &mut Emitter, op: DpRegOp, i: Insn) -> TResult {
    use DpRegOp::*;
    let signed = matches!(op, Smaddl | Smsubl);
    e.load_x(RAX, i.rn(), false, R31::Zr);
    e.load_x(RCX, i.rm(), false, R31::Zr);
    if signed {
        dasm!(e.ops; movsxd rax, eax; movsxd rcx, ecx);
    }
    dasm!(e.ops; imul rax, rcx);
    e.load_x(RDX, i.ra(), true, R31::Zr);
    if matches!(op, Smsubl | Umsubl) {
        dasm!(e.ops; sub rdx, rax);
    } else {
        dasm!(e.ops; add rdx, rax);
    }
    e.store_x(i.rd(), RDX, true, R31::Zr);
    Ok(Flow::Continue)
}

/// Rd = the high (`half` = RSI) or low (RDI) 64 bits of Rn * Rm (unsigned) by MULX, with
/// moves only around it: the x86 flags, rax and rcx keep their values.
fn mul_x(e: &mut Emitter, i: Insn, sf: bool, half: u8) {
    e.load_x_keep_flags(RDX, i.rn(), sf);
    e.load_x_keep_flags(RSI, i.rm(), sf);
    dasm!(e.ops; mulx rsi, rdi, rsi);
    e.store_x(i.rd(), half, sf, R31::Zr);
}

/// SMULH/UMULH: the high 64 bits of the 128-bit product.
fn mul_high(e: &mut Emitter, signed: bool, i: Insn) -> TResult {
    if e.pending_flags.is_some() {
        // UMULH carrying the pending NZCV, as MUL in `mul_add`.
        debug_assert!(!signed);
        mul_x(e, i, true, RSI);
        return Ok(Flow::Continue);
    }
    e.load_x(RAX, i.rn(), true, R31::Zr);
    e.load_x(RCX, i.rm(), true, R31::Zr);
    if signed {
        dasm!(e.ops; imul rcx);
    } else {
        dasm!(e.ops; mul rcx);
    }
    e.store_x(i.rd(), RDX, true, R31::Zr);
    Ok(Flow::Continue)
}
