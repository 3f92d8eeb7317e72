//! Translator: branches, exception generation and system instructions (Arm ARM C4.1.3).
//!
//! A branch ends the block (direct targets through patchable chain exits, register targets
//! through the inline lookup, `Emitter::goto_indirect_rax`), except a conditional branch that
//! can stay inside it as an if-then, a followed loop edge or a superblock side exit
//! (`cond_branch`).

use super::emit::{dasm, exit, host_cc, reg::*, Emitter, Flow, TResult, Undefined, X86Cc, R31};
use super::fpflags::MXCSR_GUEST;
use crate::arch::features;
use crate::arch::table::BrOp;
use crate::arch::Insn;
use crate::cpu::*;
use crate::helpers::sys;
use dynasmrt::{dynasm, DynasmApi};

#[inline(always)]
pub fn translate(e: &mut Emitter, op: BrOp, i: Insn) -> TResult {
    use BrOp::*;
    let pc = e.pc;
    match op {
        B | Bl => {
            let target = pc.wrapping_add((i.imm26() << 2) as u64);
            if op == Bl {
                e.store_x_imm(30, pc + 4, R31::Zr);
            }
            e.goto_successor(target);
            Ok(Flow::End)
        }
        BCond => {
            let target = pc.wrapping_add((i.imm19() << 2) as u64);
            let cond = i.cond_lo();
            if cond >= 0b1110 {
                // B.AL and B.NV: always taken, a plain branch.
                e.flush_flags();
                e.goto_successor(target);
                return Ok(Flow::End);
            }
            if e.flags_live.and_then(|k| host_cc(k, cond)).is_none() {
                // the condition is evaluated from the stored flags
                e.flush_flags();
            }
            Ok(cond_branch(e, target, |e| e.cond_cc(cond)))
        }
        Cbz | Cbnz => {
            let target = pc.wrapping_add((i.imm19() << 2) as u64);
            Ok(cond_branch(e, target, |e| {
                e.load_x(RAX, i.rt(), i.sf(), R31::Zr);
                dasm!(e.ops; test rax, rax);
                if op == Cbz {
                    X86Cc::E
                } else {
                    X86Cc::Ne
                }
            }))
        }
        Tbz | Tbnz => {
            let target = pc.wrapping_add((i.imm14() << 2) as u64);
            let bit = ((i.bit(31) as u32) << 5) | i.bits(23, 19);
            Ok(cond_branch(e, target, |e| {
                e.load_x(RAX, i.rt(), true, R31::Zr);
                dasm!(e.ops; bt rax, bit as i8);
                // CF = the bit
                if op == Tbz {
                    X86Cc::Nc
                } else {
                    X86Cc::C
                }
            }))
        }
        Br | Blr | Ret => {
            e.load_x(RAX, i.rn(), true, R31::Zr);
            if op == Blr {
                e.mov_imm(RCX, pc + 4);
                e.store_x(30, RCX, true, R31::Zr);
            }
            e.goto_indirect_rax();
            Ok(Flow::End)
        }
        Svc => {
            e.exit_with_arg(exit::SVC, pc + 4, i.imm16() as u64);
            Ok(Flow::End)
        }
        Brk => {
            e.exit_with_arg(exit::BRK, pc, i.imm16() as u64);
            Ok(Flow::End)
        }
        Hlt => {
            e.exit_with_arg(exit::HLT, pc, i.imm16() as u64);
            Ok(Flow::End)
        }
        Hint => {
            // CRm:op2. WFE (2) and WFI (3) give the core away; everything else in the hint
            // space (NOP, YIELD, SEV, SEVL, PAC*/AUT* without FEAT_PAuth, BTI, ESB, CSDB, ...)
            // executes as a NOP, as on a core that does not implement those features.
            match i.bits(11, 5) {
                2 | 3 => {
                    e.exit_with(exit::YIELD, pc + 4);
                    Ok(Flow::End)
                }
                _ => Ok(Flow::Continue),
            }
        }
        Clrex => {
            e.mov_imm(RAX, EXCL_NONE);
            dasm!(e.ops; mov QWORD [cpu + OFF_EXCL_ADDR as i32], rax);
            Ok(Flow::Continue)
        }
        Dmb | Dsb => {
            // x86-TSO already orders load->load, load->store and store->store; only a barrier
            // that orders stores before later loads (types "all": CRm<1:0> = 11) needs mfence.
            if i.bits(9, 8) == 0b11 {
                dasm!(e.ops; mfence);
            }
            Ok(Flow::Continue)
        }
        Isb => Ok(Flow::Continue),
        Sys => system(e, i),
        Mrs => mrs(e, i),
        Msr => msr(e, i),
    }
}

/// A conditional branch to `target`; `test` emits its test and returns the x86 condition
/// for "taken". The branch stays inside the block when it can (an if-then, a followed loop
/// edge, or a superblock side exit, see `Emitter::can_skip`), else it ends the block with
/// chained exits to `target` and to the next instruction. The test is emitted once, after
/// the shape is chosen.
fn cond_branch(e: &mut Emitter, target: u64, test: impl FnOnce(&mut Emitter) -> X86Cc) -> Flow {
    // NZCV still pending from the previous instruction (a B.cond right after a flag setter)
    // is stored now, unless this is a back-edge to the block's start whose first
    // instructions overwrite it: that shape always ends in `Emitter::goto_self` (a target
    // at or before this instruction is no skip and no follow), which stores it only on the
    // paths that leave the loop.
    let back_edge_kills = target == e.block_pc && e.head != 0 && e.pending_flags.is_some() && e.head_kills_flags();
    // A superblock side exit whose not-taken side overwrites NZCV before reading it stores
    // NZCV on the exit only (a compare, a branch out, another compare...).
    let side_exit_only = !back_edge_kills
        && e.pending_flags.is_some()
        && !e.can_skip(target)
        && !e.can_follow(target)
        && e.can_fall_through()
        && target != e.block_pc
        && e.kills_flags_from(e.pc + 4);
    if !back_edge_kills && !side_exit_only {
        e.flush_flags();
    }
    if side_exit_only {
        let cc = test(e);
        e.fall_through_flags_dead(target, cc);
        return Flow::Continue;
    }
    if e.can_skip(target) {
        let cc = test(e);
        e.skip_forward(target, cc);
        return Flow::Continue;
    }
    if e.can_follow(target) {
        let cc = test(e);
        e.follow_taken(target, cc);
        return Flow::Continue;
    }
    if e.can_fall_through() {
        let cc = test(e);
        e.fall_through(target, cc);
        return Flow::Continue;
    }
    let fallthrough = e.pc + 4;
    let cc = test(e);
    e.goto_direct_if_cc(cc, target);
    e.goto_direct(fallthrough);
    Flow::End
}

/// SYS (op0 = 01): the EL0 cache maintenance operations DC ZVA/CVAU/CVAC/CIVAC/CVAP/CVADP and
/// IC IVAU. Anything else is UNDEFINED at EL0.
fn system(e: &mut Emitter, i: Insn) -> TResult {
    let op1 = i.bits(18, 16);
    let crn = i.bits(15, 12);
    let crm = i.bits(11, 8);
    let op2 = i.bits(7, 5);
    if op1 != 3 || crn != 7 || op2 != 1 {
        return Err(Undefined);
    }
    match crm {
        4 => {
            // DC ZVA: zero the naturally aligned block of DC_ZVA_SIZE bytes.
            e.load_x(RAX, i.rt(), true, R31::Zr);
            let mask = !(features::DC_ZVA_SIZE as i32 - 1);
            dasm!(e.ops; and rax, mask; xorps xmm0, xmm0);
            let mut off = 0;
            while off < features::DC_ZVA_SIZE as i32 {
                dasm!(e.ops; movups [rax + off], xmm0);
                off += 16;
            }
            Ok(Flow::Continue)
        }
        // DC CVAC, CVAU, CVAP, CVADP, CIVAC: coherent host, nothing to maintain; but the
        // address is translated as for a read, so an unmapped or inaccessible one is a data
        // abort (SIGSEGV at this pc): a one-byte read finds it.
        10..=14 => {
            e.load_x(RAX, i.rt(), true, R31::Zr);
            dasm!(e.ops; mov al, BYTE [rax]);
            Ok(Flow::Continue)
        }
        5 => {
            // IC IVAU: code at that address may have changed; leave so the JIT drops stale
            // translations before anything else runs (after the same translation check as
            // the DC operations).
            e.load_x(RAX, i.rt(), true, R31::Zr);
            dasm!(e.ops; mov QWORD [cpu + OFF_EXIT_ARG as i32], rax; mov al, BYTE [rax]);
            e.exit_with(exit::SYNC_CODE, e.pc + 4);
            Ok(Flow::End)
        }
        _ => Err(Undefined),
    }
}

/// System register key: op0:op1:CRn:CRm:op2 as (op0, op1, crn, crm, op2).
fn sysreg(i: Insn) -> (u32, u32, u32, u32, u32) {
    (2 + i.bit(19) as u32, i.bits(18, 16), i.bits(15, 12), i.bits(11, 8), i.bits(7, 5))
}

/// Value of a constant ID/feature register readable at EL0 (Linux emulates the ID space).
fn constant_sysreg(r: (u32, u32, u32, u32, u32)) -> Option<u64> {
    use features::*;
    Some(match r {
        (3, 3, 0, 0, 1) => CTR_EL0,
        (3, 3, 0, 0, 7) => DCZID_EL0,
        (3, 3, 14, 0, 0) => CNTFRQ_EL0,
        (3, 0, 0, 0, 0) => MIDR_EL1,
        (3, 0, 0, 0, 5) => MPIDR_EL1,
        (3, 0, 0, 0, 6) => REVIDR_EL1,
        (3, 0, 0, 4, 0) => ID_AA64PFR0_EL1,
        (3, 0, 0, 4, 4) => ID_AA64ZFR0_EL1,
        (3, 0, 0, 5, 0) => ID_AA64DFR0_EL1,
        (3, 0, 0, 6, 0) => ID_AA64ISAR0_EL1,
        (3, 0, 0, 6, 1) => ID_AA64ISAR1_EL1,
        (3, 0, 0, 7, 0) => ID_AA64MMFR0_EL1,
        (3, 0, 0, 7, 1) => ID_AA64MMFR1_EL1,
        (3, 0, 0, 7, 2) => ID_AA64MMFR2_EL1,
        // The rest of the ID space (op0=3, op1=0, CRn=0, CRm=1..7) reads as zero, as Linux's
        // emulation of MRS from EL0 gives for registers it hides.
        (3, 0, 0, 1..=7, _) => 0,
        _ => return None,
    })
}

fn mrs(e: &mut Emitter, i: Insn) -> TResult {
    let r = sysreg(i);
    let t = i.rt();
    if r == (3, 3, 4, 2, 0) {
        // NZCV from the split flags.
        e.materialize_nzcv();
        e.store_x(t, RAX, true, R31::Zr);
        return Ok(Flow::Continue);
    }
    let field = match r {
        (3, 3, 4, 4, 0) => Some(OFF_FPCR),
        (3, 3, 4, 4, 1) => Some(OFF_FPSR),
        (3, 3, 13, 0, 2) => Some(OFF_TPIDR_EL0),
        (3, 3, 13, 0, 3) => Some(OFF_TPIDRRO_EL0),
        _ => None,
    };
    if let Some(off) = field {
        if off == OFF_FPSR {
            merge_host_fp_flags(e);
        }
        dasm!(e.ops; mov rax, QWORD [cpu + off as i32]);
        e.store_x(t, RAX, true, R31::Zr);
    } else if let Some(v) = constant_sysreg(r) {
        e.store_x_imm(t, v, R31::Zr);
    } else if r == (3, 3, 14, 0, 2) || r == (3, 3, 14, 0, 1) {
        // CNTVCT_EL0 / CNTPCT_EL0: a monotonic counter at CNTFRQ_EL0.
        e.call_raw(sys::counter as *const () as usize);
        e.store_x(t, RAX, true, R31::Zr);
    } else {
        return Err(Undefined);
    }
    Ok(Flow::Continue)
}

fn msr(e: &mut Emitter, i: Insn) -> TResult {
    let r = sysreg(i);
    if r == (3, 3, 4, 2, 0) {
        e.load_x(RAX, i.rt(), true, R31::Zr);
        e.split_nzcv();
        return Ok(Flow::Continue);
    }
    let (off, mask) = match r {
        (3, 3, 4, 4, 0) => (OFF_FPCR, FPCR_WRITABLE as u64),
        (3, 3, 4, 4, 1) => (OFF_FPSR, FPSR_WRITABLE as u64),
        (3, 3, 13, 0, 2) => (OFF_TPIDR_EL0, u64::MAX),
        _ => return Err(Undefined),
    };
    e.load_x(RAX, i.rt(), true, R31::Zr);
    if mask != u64::MAX {
        dasm!(e.ops; and eax, mask as u32 as i32);
    }
    dasm!(e.ops; mov QWORD [cpu + off as i32], rax);
    if off == OFF_FPCR {
        // the FP forms after this one check the new FPCR (`Emitter::fpcr_check`)
        e.fpcr_checked = false;
    }
    if off == OFF_FPSR {
        // The flags pending in MXCSR belong to the FPSR just overwritten (see `fpflags`).
        dasm!(e.ops
            ; mov DWORD [rsp - 8], MXCSR_GUEST as i32
            ; ldmxcsr [rsp - 8]
        );
    }
    Ok(Flow::Continue)
}

/// OR the guest flags pending in MXCSR into `CpuState::fpsr` (see `fpflags`), through the red
/// zone below rsp. Clobbers eax, ecx.
fn merge_host_fp_flags(e: &mut Emitter) {
    dasm!(e.ops
        ; stmxcsr [rsp - 8]
        ; mov eax, DWORD [rsp - 8]
        ; mov ecx, eax
        ; and ecx, 1
        ; shr eax, 1
        ; and eax, 0x1E
        ; or eax, ecx
        ; or DWORD [cpu + OFF_FPSR as i32], eax
    );
}
