//! Translator: loads and stores of general-purpose registers and the FP/SIMD register forms
//! sharing their addressing modes (Arm ARM C4.1.4).
//!
//! Guest address == host address: an access is one host `mov` at the computed address (rax).
//! A fault is mapped back to the instruction through the block's pc map.
//!
//! Exclusives follow QEMU's model (DESIGN.md): LDXR records address, size and the value seen;
//! STXR succeeds iff a `lock cmpxchg` against that value succeeds. Misaligned exclusives raise
//! SIGBUS (BUS_ADRALN) as the alignment fault does on hardware.

use super::asm::{Asm, Mem};
use super::dp_reg::emit_extend_reg;
use super::emit::{dasm, exit, reg::*, Emitter, Flow, TResult, Undefined, R31};
use crate::arch::table::LdStOp;
use crate::arch::Insn;
use crate::cpu::*;
use crate::helpers::sys;
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};

#[inline(always)]
pub fn translate(e: &mut Emitter, op: LdStOp, i: Insn) -> TResult {
    use LdStOp::*;
    match op {
        Stxr | Stlxr => store_exclusive(e, i),
        Ldxr | Ldaxr => load_exclusive(e, i),
        Stxp | Stlxp | Ldxp | Ldaxp => exclusive_pair(e, op, i),
        Stlr => store_release(e, i),
        Ldar | Ldapr => load_acquire(e, i),
        LdrLit | LdrswLit | PrfmLit | LdrLitFp => literal(e, op, i),
        Stp | Ldp | Ldpsw => pair_gpr(e, op, i),
        StpFp | LdpFp => pair_fp(e, op == LdpFp, i),
        LdStImm9 | LdStUimm | LdStReg => single(e, op, i, false),
        LdStImm9Fp | LdStUimmFp | LdStRegFp => single(e, op, i, true),
        Cas => compare_and_swap(e, i),
        Casp => compare_and_swap_pair(e, i),
        Ldadd | Ldclr | Ldeor | Ldset | Ldsmax | Ldsmin | Ldumax | Ldumin | Swp => atomic_op(e, op, i),
    }
}

/// CAS{A}{L}{B,H}: Xs = old; if old == Xs then M = Xt. `lock cmpxchg` is a full barrier, so
/// every ordering variant is satisfied. Misaligned: SIGBUS (as the alignment fault).
fn compare_and_swap(e: &mut Emitter, i: Insn) -> TResult {
    let size = i.ls_size();
    e.load_x(RSI, i.rn(), true, R31::Sp);
    emit_align_check(e, RSI, 1 << size);
    e.load_x(RAX, i.rs(), size == 3, R31::Zr);
    e.load_x(RDX, i.rt(), size == 3, R31::Zr);
    match size {
        0 => dasm!(e.ops; lock cmpxchg BYTE [rsi], dl; movzx eax, al),
        1 => dasm!(e.ops; lock cmpxchg WORD [rsi], dx; movzx eax, ax),
        2 => dasm!(e.ops; lock cmpxchg DWORD [rsi], edx),
        _ => dasm!(e.ops; lock cmpxchg QWORD [rsi], rdx),
    }
    e.store_x(i.rs(), RAX, size == 3, R31::Zr);
    Ok(Flow::Continue)
}

/// CASP{A}{L}: pairs, through a helper (cmpxchg16b for X pairs).
fn compare_and_swap_pair(e: &mut Emitter, i: Insn) -> TResult {
    if i.rs() & 1 == 1 || i.rt() & 1 == 1 {
        return Err(Undefined);
    }
    let pc = e.pc;
    e.set_pc(pc);
    e.call_insn_helper_status(sys::compare_and_swap_pair);
    dasm!(e.ops; test eax, eax; jz >ok);
    e.jmp_exit(exit::FAULT);
    dasm!(e.ops; ok:);
    Ok(Flow::Continue)
}

/// LD<op>{A}{L}{B,H} and SWP: Xt = old; M = op(old, Xs), atomically.
fn atomic_op(e: &mut Emitter, op: LdStOp, i: Insn) -> TResult {
    use LdStOp::*;
    let size = i.ls_size();
    e.load_x(RSI, i.rn(), true, R31::Sp);
    emit_align_check(e, RSI, 1 << size);
    e.load_x(RCX, i.rs(), size == 3, R31::Zr);
    match op {
        Ldadd => match size {
            0 => dasm!(e.ops; lock xadd BYTE [rsi], cl; movzx eax, cl),
            1 => dasm!(e.ops; lock xadd WORD [rsi], cx; movzx eax, cx),
            2 => dasm!(e.ops; lock xadd DWORD [rsi], ecx; mov eax, ecx),
            _ => dasm!(e.ops; lock xadd QWORD [rsi], rcx; mov rax, rcx),
        },
        Swp => match size {
            0 => dasm!(e.ops; xchg BYTE [rsi], cl; movzx eax, cl),
            1 => dasm!(e.ops; xchg WORD [rsi], cx; movzx eax, cx),
            2 => dasm!(e.ops; xchg DWORD [rsi], ecx; mov eax, ecx),
            _ => dasm!(e.ops; xchg QWORD [rsi], rcx; mov rax, rcx),
        },
        _ => {
            // cmpxchg loop: rax = old (zero-extended), rdx = new.
            match size {
                0 => dasm!(e.ops; movzx eax, BYTE [rsi]),
                1 => dasm!(e.ops; movzx eax, WORD [rsi]),
                2 => dasm!(e.ops; mov eax, DWORD [rsi]),
                _ => dasm!(e.ops; mov rax, QWORD [rsi]),
            }
            // The operand at the access size: zero-extended for the unsigned comparisons,
            // sign-extended for the signed ones.
            if matches!(op, Ldumax | Ldumin) {
                match size {
                    0 => dasm!(e.ops; movzx ecx, cl),
                    1 => dasm!(e.ops; movzx ecx, cx),
                    _ => {}
                }
            }
            if matches!(op, Ldsmax | Ldsmin) {
                match size {
                    0 => dasm!(e.ops; movsx rcx, cl),
                    1 => dasm!(e.ops; movsx rcx, cx),
                    2 => dasm!(e.ops; movsxd rcx, ecx),
                    _ => {}
                }
            }
            dasm!(e.ops; retry:; mov rdx, rax);
            match op {
                Ldclr => dasm!(e.ops; mov rdi, rcx; not rdi; and rdx, rdi),
                Ldeor => dasm!(e.ops; xor rdx, rcx),
                Ldset => dasm!(e.ops; or rdx, rcx),
                Ldumax => dasm!(e.ops; cmp rdx, rcx; cmovb rdx, rcx),
                Ldumin => dasm!(e.ops; cmp rdx, rcx; cmova rdx, rcx),
                _ => {
                    // signed: compare sign-extended old (rdi) with rcx
                    match size {
                        0 => dasm!(e.ops; movsx rdi, al),
                        1 => dasm!(e.ops; movsx rdi, ax),
                        2 => dasm!(e.ops; movsxd rdi, eax),
                        _ => dasm!(e.ops; mov rdi, rax),
                    }
                    if op == Ldsmax {
                        dasm!(e.ops; cmp rdi, rcx; cmovl rdx, rcx);
                    } else {
                        dasm!(e.ops; cmp rdi, rcx; cmovg rdx, rcx);
                    }
                }
            }
            match size {
                0 => dasm!(e.ops; lock cmpxchg BYTE [rsi], dl; jne <retry; movzx eax, al),
                1 => dasm!(e.ops; lock cmpxchg WORD [rsi], dx; jne <retry; movzx eax, ax),
                2 => dasm!(e.ops; lock cmpxchg DWORD [rsi], edx; jne <retry; mov eax, eax),
                _ => dasm!(e.ops; lock cmpxchg QWORD [rsi], rdx; jne <retry),
            }
        }
    }
    e.store_x(i.rt(), RAX, size == 3, R31::Zr);
    Ok(Flow::Continue)
}

/// What a single-register access does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Access {
    Store,
    /// Load; `signed` sign-extends to 64 bits (`dst64`) or 32 bits.
    Load {
        signed: bool,
        dst64: bool,
    },
    Prefetch,
}

/// GPR access kind from size and opc (Arm ARM "Load/store register" opc tables).
fn gpr_access(size: u32, opc: u32) -> Option<Access> {
    // (a table: a `match` on opc compiles to a jump table, an indirect branch as
    // unpredictable as the mix of loads and stores)
    const fn row(size: u32) -> [Option<Access>; 4] {
        [
            Some(Access::Store),
            Some(Access::Load { signed: false, dst64: size == 3 }),
            if size == 3 { Some(Access::Prefetch) } else { Some(Access::Load { signed: true, dst64: true }) },
            if size >= 2 { None } else { Some(Access::Load { signed: true, dst64: false }) },
        ]
    }
    const TABLE: [[Option<Access>; 4]; 4] = [row(0), row(1), row(2), row(3)];
    TABLE[size as usize & 3][opc as usize & 3]
}

/// FP/SIMD access: (log2 bytes, is_load) from size and opc.
fn fp_access(size: u32, opc: u32) -> Option<(u32, bool)> {
    if opc & 2 == 0 {
        Some((size, opc & 1 == 1))
    } else if size == 0 {
        Some((4, opc & 1 == 1))
    } else {
        None
    }
}

/// Load `1 << size` bytes at [rax + disp] into host register `dst`.
fn emit_load(e: &mut Emitter, dst: u8, disp: i32, size: u32, signed: bool, dst64: bool) {
    emit_load_at(e, dst, RAX, disp, size, signed, dst64);
}

/// Load `1 << size` bytes at [`base` + disp] into host register `dst` (32-bit destinations
/// are zero-extended, as W writes are).
#[inline(always)]
fn emit_load_at(e: &mut Emitter, dst: u8, base: u8, disp: i32, size: u32, signed: bool, dst64: bool) {
    emit_load_mem(e, dst, Mem { base, index: None, disp }, size, signed, dst64);
}

/// [`emit_load_at`] with any x86 memory operand (shortest displacement).
fn emit_load_mem(e: &mut Emitter, dst: u8, m: Mem, size: u32, signed: bool, dst64: bool) {
    let (w, op): (bool, &[u8]) = match (size, signed, dst64) {
        (0, false, _) => (false, &[0x0f, 0xb6]),
        (0, true, w) => (w, &[0x0f, 0xbe]),
        (1, false, _) => (false, &[0x0f, 0xb7]),
        (1, true, w) => (w, &[0x0f, 0xbf]),
        (2, false, _) => (false, &[0x8b]),
        (2, true, _) => (true, &[0x63]),
        _ => (true, &[0x8b]),
    };
    e.ops.mem_op(false, w, op, dst, m, true);
}

/// Store the low `1 << size` bytes of host register `src` at [rax + disp].
fn emit_store(e: &mut Emitter, src: u8, disp: i32, size: u32) {
    emit_store_at(e, src, RAX, disp, size);
}

/// Store the low `1 << size` bytes of host register `src` at [`base` + disp].
fn emit_store_at(e: &mut Emitter, src: u8, base: u8, disp: i32, size: u32) {
    emit_store_mem(e, src, Mem { base, index: None, disp }, size);
}

/// [`emit_store_at`] with any x86 memory operand (shortest displacement).
fn emit_store_mem(e: &mut Emitter, src: u8, m: Mem, size: u32) {
    match size {
        0 => e.ops.mem_op(false, false, &[0x88], src, m, true),
        1 => e.ops.mem_op(true, false, &[0x89], src, m, true),
        2 => e.ops.mem_op(false, false, &[0x89], src, m, true),
        _ => e.ops.mem_op(false, true, &[0x89], src, m, true),
    }
}

/// Store `1 << size` zero bytes at [`base` + disp] (a store of XZR/WZR), as an immediate.
fn emit_store_zero_at(e: &mut Emitter, base: u8, disp: i32, size: u32) {
    emit_store_zero_mem(e, Mem { base, index: None, disp }, size);
}

/// [`emit_store_zero_at`] with any x86 memory operand (shortest displacement).
fn emit_store_zero_mem(e: &mut Emitter, m: Mem, size: u32) {
    match size {
        0 => {
            e.ops.mem_op(false, false, &[0xc6], 0, m, true);
            e.ops.bytes(&[0]);
        }
        1 => {
            e.ops.mem_op(true, false, &[0xc7], 0, m, true);
            e.ops.bytes(&[0, 0]);
        }
        _ => {
            e.ops.mem_op(false, size == 3, &[0xc7], 0, m, true);
            e.ops.bytes(&[0, 0, 0, 0]);
        }
    }
}

/// [`direct_single`] for a register offset: LSL/UXTX or SXTX of a 64-bit Rm (option 011 or
/// 111) with a shift of 0 to 3 is x86's [base + index * scale]; the W-extending options are
/// left to the general path. Rt is not XZR and not the base (no writeback here anyway).
#[allow(clippy::too_many_arguments)]
fn direct_reg_offset(e: &mut Emitter, acc: Access, size: u32, t: u32, n: u32, m: u32, option: u32, shift: u32) -> bool {
    if option & 3 != 3 || m == 31 || shift > 3 || matches!(acc, Access::Prefetch) {
        return false;
    }
    let (Some(hb), Some(hi)) = (e.host_of(n), e.host_of(m)) else { return false };
    if t == 31 && !matches!(acc, Access::Store) {
        return false;
    }
    let ht = if t == 31 { None } else { e.host_of(t) };
    // one access through x86's [base + index * scale]
    let m = Mem { base: hb, index: Some((hi, shift as u8)), disp: 0 };
    match (acc, ht) {
        (Access::Store, Some(h)) => emit_store_mem(e, h, m, size),
        (Access::Store, None) if t == 31 => emit_store_zero_mem(e, m, size),
        (Access::Store, None) => {
            e.load_x(RCX, t, true, R31::Zr);
            emit_store_mem(e, RCX, m, size);
        }
        (Access::Load { signed, dst64 }, Some(h)) => emit_load_mem(e, h, m, size, signed, dst64),
        (Access::Load { signed, dst64 }, None) => {
            emit_load_mem(e, RCX, m, size, signed, dst64);
            e.store_x(t, RCX, dst64, R31::Zr);
        }
        (Access::Prefetch, _) => {}
    }
    true
}

/// A GPR load or store (immediate offset, pre- or post-index) whose base register lives in
/// a host register: one x86 access addressing [base + offset] directly (straight from or to
/// Rt's host register when it has one, else through rcx; XZR stores zero), then the
/// writeback. A faulting access changes nothing (the writeback comes after it). False
/// (nothing emitted) for a base in memory, register offsets of registers in memory, a load
/// into XZR, and a load whose writeback would overwrite what it loaded (Rt = Rn,
/// unpredictable).
fn direct_single(e: &mut Emitter, acc: Access, size: u32, t: u32, n: u32, mode: Mode) -> bool {
    let (disp, wb) = match mode {
        Mode::Offset(o) => (o, None),
        Mode::Pre(o) => (o, Some(o)),
        Mode::Post(o) => (0, Some(o)),
        Mode::Reg(m, option, shift) => {
            return direct_reg_offset(e, acc, size, t, n, m, option, shift);
        }
    };
    if wb.is_some() && t == n {
        return false;
    }
    let Some(hb) = e.host_of(n) else { return false };
    let ht = if t == 31 { None } else { e.host_of(t) };
    match acc {
        Access::Store if t == 31 => emit_store_zero_at(e, hb, disp as i32, size),
        Access::Store => {
            let src = ht.unwrap_or_else(|| {
                e.load_x(RCX, t, true, R31::Zr);
                RCX
            });
            emit_store_at(e, src, hb, disp as i32, size);
        }
        Access::Load { signed, dst64 } => {
            if t == 31 {
                return false;
            }
            match ht {
                Some(ht) => emit_load_at(e, ht, hb, disp as i32, size, signed, dst64),
                None => {
                    emit_load_at(e, RCX, hb, disp as i32, size, signed, dst64);
                    e.store_x(t, RCX, dst64, R31::Zr);
                }
            }
        }
        Access::Prefetch => return false,
    }
    if let Some(w) = wb {
        dasm!(e.ops; add Rq(hb), w as i32);
    }
    true
}

/// The commonest single access, emitted without a branch on where its registers live: LDR or
/// STR of a W or X register at [base + offset] (no writeback) with the base in a host
/// register and Rt not XZR. `mov` between Rt (its host register, or rcx loaded from or stored
/// to `CpuState::x`) and [base + offset]. False (nothing emitted) for any other form.
fn fast_single(e: &mut Emitter, opc: u32, size: u32, t: u32, n: u32, mode: Mode) -> bool {
    let Mode::Offset(disp) = mode else { return false };
    let hb = e.host_or_zero(n);
    // (opc 0 stores, 1 loads zero-extended; one test for the whole condition: loads and
    // stores come in random order)
    if (size < 2) | (opc > 1) | (t == 31) | (hb == 0) | (disp as i32 as i64 != disp) {
        return false;
    }
    let store = opc == 0;
    let w = size == 3;
    let ht = e.host_or_zero(t);
    let in_memory = ht == 0;
    let reg = std::hint::select_unpredictable(in_memory, RCX, ht);
    let (mem, mem_len) = Asm::mov_mem_word(store, w, reg, hb, disp as i32);
    // rcx = Rt before a store, Rt = rcx after a load (zero-extended by a 32-bit load)
    let spill = std::hint::select_unpredictable(
        store,
        Asm::load_rbx_word(true, RCX, off_x(t)),
        Asm::store_rbx_word(off_x(t), RCX),
    );
    let spill_len = if in_memory { 7 } else { 0 };
    e.ops.put_words(&[
        (spill, if store { spill_len } else { 0 }),
        (mem, mem_len),
        (spill, if store { 0 } else { spill_len }),
    ]);
    true
}

/// LDP/STP (and LDNP/STNP, LDPSW) of general registers with the base in a host register:
/// the two accesses address [base + offset] directly, registers in host registers are
/// loaded or stored straight (else through rcx/rdx), then the writeback. Loads go through
/// rcx/rdx whenever a destination is the base, so the second access still sees the old base.
/// False (nothing emitted) for a base in memory or a writeback into a loaded register.
#[allow(clippy::too_many_arguments)]
fn direct_pair(e: &mut Emitter, store: bool, size: u32, signed: bool, dst64: bool, i: Insn, mode: Mode) -> bool {
    let (t, t2, n) = (i.rt(), i.rt2(), i.rn());
    let (disp, wb) = match mode {
        Mode::Offset(o) => (o as i32, None),
        Mode::Pre(o) => (o as i32, Some(o as i32)),
        Mode::Post(o) => (0, Some(o as i32)),
        Mode::Reg(..) => return false,
    };
    if !store && wb.is_some() && (t == n || t2 == n) {
        return false;
    }
    let Some(hb) = e.host_of(n) else { return false };
    let bytes = 1i32 << size;
    let host = |e: &Emitter, r: u32| if r == 31 { None } else { e.host_of(r) };
    if store {
        let a = host(e, t).unwrap_or_else(|| {
            e.load_x(RCX, t, true, R31::Zr);
            RCX
        });
        let b = host(e, t2).unwrap_or_else(|| {
            e.load_x(RDX, t2, true, R31::Zr);
            RDX
        });
        emit_store_at(e, a, hb, disp, size);
        emit_store_at(e, b, hb, disp + bytes, size);
    } else {
        let through = t == n || t2 == n;
        for (k, (r, tmp)) in [(t, RCX), (t2, RDX)].into_iter().enumerate() {
            let d = disp + k as i32 * bytes;
            match host(e, r) {
                Some(h) if !through => emit_load_at(e, h, hb, d, size, signed, dst64),
                _ => emit_load_at(e, tmp, hb, d, size, signed, dst64),
            }
        }
        for (r, tmp) in [(t, RCX), (t2, RDX)] {
            if through || host(e, r).is_none() {
                e.store_x(r, tmp, dst64, R31::Zr);
            }
        }
    }
    if let Some(w) = wb {
        dasm!(e.ops; add Rq(hb), w);
    }
    true
}

/// Load `1 << size` bytes at [`base` + disp] into V`t` (zeroing the rest of the register), as
/// one 16-byte store (store-to-load forwarding stays intact for the next 16-byte read), and
/// into the V-register cache (`jit::vcache`).
fn emit_load_fp(e: &mut Emitter, t: u32, base: u8, disp: i32, size: u32) {
    // Straight into Vt's cache register: a fault leaves translated code, and CpuState::v
    // (write-through) still holds the old Vt.
    let x = e.vc_target(t);
    let width = match size {
        4 => {
            dasm!(e.ops; movups Rx(x), [Rq(base) + disp]);
            128
        }
        3 => {
            dasm!(e.ops; movq Rx(x), QWORD [Rq(base) + disp]);
            64
        }
        2 => {
            dasm!(e.ops; movd Rx(x), DWORD [Rq(base) + disp]);
            32
        }
        _ => {
            emit_load_at(e, RCX, base, disp, size, false, true);
            dasm!(e.ops; movd Rx(x), ecx);
            32
        }
    };
    e.vc_put(t, x, width);
}

/// Store the low `1 << size` bytes of V`t` at [Rq(base) + disp] (from the V-register cache when
/// V`t` is there).
fn emit_store_fp(e: &mut Emitter, t: u32, base: u8, disp: i32, size: u32) {
    match (e.vc_peek(t), size) {
        (Some(x), 4) => dasm!(e.ops; movups [Rq(base) + disp], Rx(x)),
        (Some(x), 3) => dasm!(e.ops; movq QWORD [Rq(base) + disp], Rx(x)),
        (Some(x), 2) => dasm!(e.ops; movd DWORD [Rq(base) + disp], Rx(x)),
        (Some(x), _) => {
            dasm!(e.ops; movd ecx, Rx(x));
            emit_store_at(e, RCX, base, disp, size);
        }
        (None, 4) => dasm!(e.ops; movaps xmm0, [cpu + off_v(t)]; movups [Rq(base) + disp], xmm0),
        (None, _) => {
            dasm!(e.ops; mov rcx, QWORD [cpu + off_v(t)]);
            emit_store_at(e, RCX, base, disp, size);
        }
    }
}

/// Addressing of a single or pair access.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Offset(i64),
    Pre(i64),
    Post(i64),
    /// Register offset: Rm, option, shift amount.
    Reg(u32, u32, u32),
}

/// rax = the address for `mode` (before any writeback).
fn emit_address(e: &mut Emitter, n: u32, mode: Mode) {
    e.load_x(RAX, n, true, R31::Sp);
    match mode {
        Mode::Offset(imm) | Mode::Pre(imm) if imm != 0 => dasm!(e.ops; add rax, imm as i32),
        Mode::Reg(m, option, shift) => {
            emit_extend_reg(e, RCX, m, option, shift);
            dasm!(e.ops; add rax, rcx);
        }
        _ => {}
    }
}

/// The address of an S/D/Q access as (base register, displacement): the base's own host
/// register when it has one and the mode is an immediate offset or pre-/post-index (nothing
/// emitted; [`fp_writeback`] then adds the immediate to it), rax from one LEA for an LSL/UXTX/
/// SXTX register offset of host registers, else rax from [`emit_address`].
fn fp_address(e: &mut Emitter, n: u32, mode: Mode) -> (u8, i32) {
    if let Some(hb) = e.host_of(n) {
        match mode {
            Mode::Offset(o) | Mode::Pre(o) => return (hb, o as i32),
            Mode::Post(_) => return (hb, 0),
            Mode::Reg(m, option, shift) if option & 3 == 3 && m != 31 && shift <= 4 => {
                if let Some(hi) = e.host_of(m) {
                    emit_scaled_address(e, hb, hi, shift);
                    return (RAX, 0);
                }
            }
            _ => {}
        }
    }
    emit_address(e, n, mode);
    (RAX, 0)
}

/// rax = host register `base` + host register `index` << `shift` (0 to 4): one LEA for the
/// scales x86 has, a shift and an add for 16 (Q registers).
fn emit_scaled_address(e: &mut Emitter, base: u8, index: u8, shift: u32) {
    match shift {
        0 => dasm!(e.ops; lea rax, [Rq(base) + Rq(index)]),
        1 => dasm!(e.ops; lea rax, [Rq(base) + Rq(index) * 2]),
        2 => dasm!(e.ops; lea rax, [Rq(base) + Rq(index) * 4]),
        3 => dasm!(e.ops; lea rax, [Rq(base) + Rq(index) * 8]),
        _ => dasm!(e.ops; mov rax, Rq(index); shl rax, 4; add rax, Rq(base)),
    }
}

/// The writeback after an access addressed by [`fp_address`].
fn fp_writeback(e: &mut Emitter, n: u32, mode: Mode, base: u8) {
    if base == RAX {
        emit_writeback(e, n, mode);
    } else if let Mode::Pre(o) | Mode::Post(o) = mode {
        dasm!(e.ops; add Rq(base), o as i32);
    }
}

/// Base register writeback after the access (rax still holds the address used).
fn emit_writeback(e: &mut Emitter, n: u32, mode: Mode) {
    match mode {
        Mode::Pre(_) => e.store_x(n, RAX, true, R31::Sp),
        Mode::Post(imm) => {
            if imm != 0 {
                dasm!(e.ops; add rax, imm as i32);
            }
            e.store_x(n, RAX, true, R31::Sp);
        }
        _ => {}
    }
}

/// The addressing mode of a single-register row.
fn single_mode(op: LdStOp, i: Insn, scale: u32) -> Result<Mode, Undefined> {
    use LdStOp::*;
    Ok(match op {
        LdStUimm | LdStUimmFp => Mode::Offset((i.imm12() as i64) << scale),
        LdStImm9 | LdStImm9Fp => match i.bits(11, 10) {
            0 | 2 => Mode::Offset(i.imm9()),
            1 => Mode::Post(i.imm9()),
            _ => Mode::Pre(i.imm9()),
        },
        _ => {
            let option = i.option();
            if option & 2 == 0 {
                return Err(Undefined);
            }
            Mode::Reg(i.rm(), option, if i.bit(12) { scale } else { 0 })
        }
    })
}

/// LDR/STR/LDRB/.../PRFM/LDUR/STUR/LDTR/... (GPR and FP/SIMD registers).
fn single(e: &mut Emitter, op: LdStOp, i: Insn, fp: bool) -> TResult {
    let size = i.ls_size();
    let opc = i.bits(23, 22);
    let unprivileged = matches!(op, LdStOp::LdStImm9 | LdStOp::LdStImm9Fp) && i.bits(11, 10) == 2;
    if fp {
        let (log2, load) = fp_access(size, opc).ok_or(Undefined)?;
        if unprivileged {
            return Err(Undefined);
        }
        let mode = single_mode(op, i, log2)?;
        let (base, disp) = fp_address(e, i.rn(), mode);
        if load {
            emit_load_fp(e, i.rt(), base, disp, log2);
        } else {
            emit_store_fp(e, i.rt(), base, disp, log2);
        }
        fp_writeback(e, i.rn(), mode, base);
        return Ok(Flow::Continue);
    }
    let acc = gpr_access(size, opc).ok_or(Undefined)?;
    let mode = single_mode(op, i, size)?;
    if acc == Access::Prefetch {
        // PRFM/PRFUM: a hint; never faults. Post/pre-index forms of size=11 opc=10 are
        // unallocated.
        if matches!(mode, Mode::Pre(_) | Mode::Post(_)) || unprivileged {
            return Err(Undefined);
        }
        return Ok(Flow::Continue);
    }
    let t = i.rt();
    if fast_single(e, opc, size, t, i.rn(), mode) || direct_single(e, acc, size, t, i.rn(), mode) {
        return Ok(Flow::Continue);
    }
    emit_address(e, i.rn(), mode);
    match acc {
        Access::Store => {
            e.load_x(RCX, t, true, R31::Zr);
            emit_store(e, RCX, 0, size);
            emit_writeback(e, i.rn(), mode);
        }
        Access::Load { signed, dst64 } => {
            emit_load(e, RCX, 0, size, signed, dst64);
            e.store_x(t, RCX, dst64, R31::Zr);
            emit_writeback(e, i.rn(), mode);
        }
        Access::Prefetch => unreachable!(),
    }
    Ok(Flow::Continue)
}

/// The addressing mode of a pair row (bits 24:23) with imm7 scaled by `scale`.
fn pair_mode(i: Insn, scale: u32) -> Mode {
    let imm = i.imm7() << scale;
    match i.bits(24, 23) {
        1 => Mode::Post(imm),
        3 => Mode::Pre(imm),
        _ => Mode::Offset(imm),
    }
}

/// STP/LDP/LDPSW (and STNP/LDNP).
fn pair_gpr(e: &mut Emitter, op: LdStOp, i: Insn) -> TResult {
    let (size, signed, dst64) = match op {
        LdStOp::Ldpsw => {
            if i.bits(24, 23) == 0 {
                return Err(Undefined); // LDNP of opc=01 is unallocated
            }
            (2, true, true)
        }
        _ if i.sf() => (3, false, true),
        _ => (2, false, false),
    };
    let mode = pair_mode(i, size);
    let bytes = 1i32 << size;
    if direct_pair(e, op == LdStOp::Stp, size, signed, dst64, i, mode) {
        return Ok(Flow::Continue);
    }
    emit_address(e, i.rn(), mode);
    if op == LdStOp::Stp {
        e.load_x(RCX, i.rt(), true, R31::Zr);
        e.load_x(RDX, i.rt2(), true, R31::Zr);
        emit_store(e, RCX, 0, size);
        emit_store(e, RDX, bytes, size);
    } else {
        emit_load(e, RCX, 0, size, signed, dst64);
        emit_load(e, RDX, bytes, size, signed, dst64);
        e.store_x(i.rt(), RCX, dst64, R31::Zr);
        e.store_x(i.rt2(), RDX, dst64, R31::Zr);
    }
    emit_writeback(e, i.rn(), mode);
    Ok(Flow::Continue)
}

/// STP/LDP (and STNP/LDNP) of S, D and Q registers.
fn pair_fp(e: &mut Emitter, load: bool, i: Insn) -> TResult {
    let log2 = match i.bits(31, 30) {
        0 => 2,
        1 => 3,
        2 => 4,
        _ => return Err(Undefined),
    };
    let mode = pair_mode(i, log2);
    let bytes = 1i32 << log2;
    let (base, disp) = fp_address(e, i.rn(), mode);
    if load {
        emit_load_fp(e, i.rt(), base, disp, log2);
        emit_load_fp(e, i.rt2(), base, disp + bytes, log2);
    } else {
        emit_store_fp(e, i.rt(), base, disp, log2);
        emit_store_fp(e, i.rt2(), base, disp + bytes, log2);
    }
    fp_writeback(e, i.rn(), mode, base);
    Ok(Flow::Continue)
}

/// LDR (literal), LDRSW (literal), PRFM (literal), LDR (literal, SIMD&FP).
fn literal(e: &mut Emitter, op: LdStOp, i: Insn) -> TResult {
    let addr = e.pc.wrapping_add((i.imm19() << 2) as u64);
    match op {
        LdStOp::PrfmLit => Ok(Flow::Continue),
        LdStOp::LdrLitFp => {
            let log2 = match i.bits(31, 30) {
                0 => 2,
                1 => 3,
                2 => 4,
                _ => return Err(Undefined),
            };
            e.mov_imm(RAX, addr);
            emit_load_fp(e, i.rt(), RAX, 0, log2);
            Ok(Flow::Continue)
        }
        _ => {
            let (size, signed) = match op {
                LdStOp::LdrswLit => (2, true),
                _ if i.bit(30) => (3, false),
                _ => (2, false),
            };
            e.mov_imm(RAX, addr);
            emit_load(e, RCX, 0, size, signed, true);
            e.store_x(i.rt(), RCX, true, R31::Zr);
            Ok(Flow::Continue)
        }
    }
}

/// If the address in host register `a` is not aligned to `bytes`, leave with a SIGBUS
/// (BUS_ADRALN) alignment fault at this instruction.
fn emit_align_check(e: &mut Emitter, a: u8, bytes: u32) {
    if bytes <= 1 {
        return;
    }
    dasm!(e.ops
        ; test Rd(a), (bytes - 1) as i32
        ; jz >aligned
        ; mov QWORD [cpu + OFF_EXIT_ARG as i32], Rq(a)
        ; mov QWORD [cpu + OFF_SCRATCH as i32], libc::SIGBUS
        ; mov QWORD [cpu + OFF_SCRATCH as i32 + 8], libc::BUS_ADRALN
    );
    let pc = e.pc;
    e.exit_with(exit::FAULT, pc);
    dasm!(e.ops; aligned:);
}

/// LDXR/LDAXR (x86 loads already have acquire semantics).
fn load_exclusive(e: &mut Emitter, i: Insn) -> TResult {
    let size = i.ls_size();
    let bytes = 1u32 << size;
    e.load_x(RAX, i.rn(), true, R31::Sp);
    emit_align_check(e, RAX, bytes);
    emit_load(e, RCX, 0, size, false, true);
    dasm!(e.ops
        ; mov QWORD [cpu + OFF_EXCL_ADDR as i32], rax
        ; mov QWORD [cpu + OFF_EXCL_VAL as i32], rcx
        ; mov QWORD [cpu + OFF_EXCL_SIZE as i32], bytes as i32
    );
    e.store_x(i.rt(), RCX, true, R31::Zr);
    Ok(Flow::Continue)
}

/// STXR/STLXR: Ws = 0 on success, 1 on failure; the monitor is cleared either way.
fn store_exclusive(e: &mut Emitter, i: Insn) -> TResult {
    let size = i.ls_size();
    let bytes = 1u32 << size;
    e.load_x(RSI, i.rn(), true, R31::Sp);
    emit_align_check(e, RSI, bytes);
    e.load_x(RDX, i.rt(), true, R31::Zr);
    dasm!(e.ops
        ; cmp rsi, QWORD [cpu + OFF_EXCL_ADDR as i32]
        ; jne >fail
        ; cmp QWORD [cpu + OFF_EXCL_SIZE as i32], bytes as i32
        ; jne >fail
        ; mov rax, QWORD [cpu + OFF_EXCL_VAL as i32]
    );
    match size {
        0 => dasm!(e.ops; lock cmpxchg BYTE [rsi], dl),
        1 => dasm!(e.ops; lock cmpxchg WORD [rsi], dx),
        2 => dasm!(e.ops; lock cmpxchg DWORD [rsi], edx),
        _ => dasm!(e.ops; lock cmpxchg QWORD [rsi], rdx),
    }
    dasm!(e.ops
        ; jne >fail
        ; xor ecx, ecx
        ; jmp >done
        ; fail:
        ; mov ecx, 1
        ; done:
        ; mov QWORD [cpu + OFF_EXCL_ADDR as i32], -1
    );
    e.store_x(i.rs(), RCX, false, R31::Zr);
    Ok(Flow::Continue)
}

/// LDXP/LDAXP/STXP/STLXP.
fn exclusive_pair(e: &mut Emitter, op: LdStOp, i: Insn) -> TResult {
    use LdStOp::*;
    let wide = i.bit(30); // 64-bit registers: a 16-byte pair
    if wide {
        let f = if matches!(op, Ldxp | Ldaxp) { sys::load_exclusive_pair128 } else { sys::store_exclusive_pair128 };
        let pc = e.pc;
        e.set_pc(pc);
        e.call_insn_helper_status(f);
        dasm!(e.ops; test eax, eax; jz >ok);
        e.jmp_exit(exit::FAULT);
        dasm!(e.ops; ok:);
        return Ok(Flow::Continue);
    }
    // 32-bit registers: one 8-byte access holding Rt (low) and Rt2 (high).
    if matches!(op, Ldxp | Ldaxp) {
        e.load_x(RAX, i.rn(), true, R31::Sp);
        emit_align_check(e, RAX, 8);
        dasm!(e.ops
            ; mov rcx, QWORD [rax]
            ; mov QWORD [cpu + OFF_EXCL_ADDR as i32], rax
            ; mov QWORD [cpu + OFF_EXCL_VAL as i32], rcx
            ; mov QWORD [cpu + OFF_EXCL_SIZE as i32], 8
            ; mov rdx, rcx
            ; shr rdx, 32
        );
        e.store_x(i.rt(), RCX, false, R31::Zr);
        e.store_x(i.rt2(), RDX, false, R31::Zr);
    } else {
        e.load_x(RSI, i.rn(), true, R31::Sp);
        emit_align_check(e, RSI, 8);
        e.load_x(RDX, i.rt(), false, R31::Zr);
        e.load_x(RCX, i.rt2(), false, R31::Zr);
        dasm!(e.ops
            ; shl rcx, 32
            ; or rdx, rcx
            ; cmp rsi, QWORD [cpu + OFF_EXCL_ADDR as i32]
            ; jne >fail
            ; cmp QWORD [cpu + OFF_EXCL_SIZE as i32], 8
            ; jne >fail
            ; mov rax, QWORD [cpu + OFF_EXCL_VAL as i32]
            ; lock cmpxchg QWORD [rsi], rdx
            ; jne >fail
            ; xor ecx, ecx
            ; jmp >done
            ; fail:
            ; mov ecx, 1
            ; done:
            ; mov QWORD [cpu + OFF_EXCL_ADDR as i32], -1
        );
        e.store_x(i.rs(), RCX, false, R31::Zr);
    }
    Ok(Flow::Continue)
}

/// STLR: a store-release that is also ordered before later load-acquires (RCsc): `xchg`.
fn store_release(e: &mut Emitter, i: Insn) -> TResult {
    let size = i.ls_size();
    e.load_x(RAX, i.rn(), true, R31::Sp);
    // (ordered accesses must be aligned without FEAT_LSE2, which we do not advertise)
    emit_align_check(e, RAX, 1 << size);
    e.load_x(RCX, i.rt(), true, R31::Zr);
    match size {
        0 => dasm!(e.ops; xchg BYTE [rax], cl),
        1 => dasm!(e.ops; xchg WORD [rax], cx),
        2 => dasm!(e.ops; xchg DWORD [rax], ecx),
        _ => dasm!(e.ops; xchg QWORD [rax], rcx),
    }
    Ok(Flow::Continue)
}

/// LDAR and LDAPR (whose RCpc ordering LDAR's stronger RCsc ordering satisfies): x86 loads
/// are acquire loads. Misaligned addresses fault (as for STLR).
fn load_acquire(e: &mut Emitter, i: Insn) -> TResult {
    let size = i.ls_size();
    e.load_x(RAX, i.rn(), true, R31::Sp);
    emit_align_check(e, RAX, 1 << size);
    emit_load(e, RCX, 0, size, false, true);
    e.store_x(i.rt(), RCX, true, R31::Zr);
    Ok(Flow::Continue)
}
