//! Block formation: decode guest instructions from a pc and hand each to its group's
//! translator until one ends the block.

use super::emit::{Emitter, Flow, Undefined};
use super::{Block, Jit, JitState};
use crate::arch::{decode, Insn, Op};
use dynasmrt::DynasmApi;

/// Longest block, in guest instructions.
pub const MAX_BLOCK_INSNS: usize = 200;

/// Read the guest instruction at `pc`, or `None` when it is not mapped readable.
pub fn fetch(pc: u64) -> Option<u32> {
    if pc % 4 != 0 {
        return None;
    }
    crate::mem::read_guest_u32(pc)
}

/// Translate the block at `pc` into the cache (flushing it first if it is full).
pub(crate) fn translate(jit: &Jit, st: &mut JitState, pc: u64) -> Option<Block> {
    let base = st.cache.next_addr();
    let (code, block) = assemble(jit, st, pc, base)?;
    let Some(at) = st.cache.commit(&code) else {
        eprintln!("qemu-aarch64-lite: code cache exhausted");
        std::process::abort();
    };
    debug_assert_eq!(at, base);
    st.stats.blocks_translated += 1;
    if jit.log.out_asm {
        eprintln!("OUT: [size={}] host 0x{:x} for guest 0x{:x}", code.len(), at, pc);
    }
    Some(block)
}

fn assemble(jit: &Jit, st: &mut JitState, pc: u64, base: usize) -> Option<(Vec<u8>, Block)> {
    let mut e = Emitter::new(base, jit.exit_addr(), jit.lookup_addr(), (super::LOOKUP_SIZE - 1) as u64, pc);
    e.prologue();
    let mut cur = pc;
    let mut n = 0usize;
    loop {
        let word = match fetch(cur) {
            Some(w) => w,
            None if n == 0 => return None,
            None => {
                // The next instruction is not fetchable: end here; the fault is raised when
                // (and if) execution gets there.
                e.goto_direct(cur);
                break;
            }
        };
        e.pc = cur;
        e.insn = Insn(word);
        let off = e.ops.offset().0 as u32;
        e.pc_map.push((off, cur));
        if jit.log.in_asm {
            let name = decode(word).map(|r| r.name).unwrap_or("(undefined)");
            eprintln!("IN: 0x{cur:016x}: {word:08x}  {name}");
        }
        let flow = match decode(word) {
            Some(row) => translate_insn(&mut e, row.op, Insn(word)),
            None => Err(Undefined),
        };
        n += 1;
        match flow {
            Ok(Flow::Continue) => {}
            Ok(Flow::End) => break,
            Err(Undefined) => {
                e.emit_undefined();
                break;
            }
        }
        cur += 4;
        if n >= MAX_BLOCK_INSNS {
            e.goto_direct(cur);
            break;
        }
    }
    e.emit_chain_stubs();
    st.stats.insns_translated += n as u64;
    let pc_map = std::mem::take(&mut e.pc_map);
    let code = e.ops.finalize().ok()?;
    let block = Block { guest_pc: pc, guest_len: (cur - pc) + 4, host: base, host_len: code.len(), pc_map };
    Some((code, block))
}

/// Dispatch one instruction to its group's translator.
pub fn translate_insn(e: &mut Emitter, op: Op, i: Insn) -> Result<Flow, Undefined> {
    match op {
        Op::DpImm(op) => super::dp_imm::translate(e, op, i),
        Op::Br(op) => super::branch::translate(e, op, i),
        Op::LdSt(op) => super::ldst::translate(e, op, i),
        Op::LdStSimd(op) => super::ldst_simd::translate(e, op, i),
        Op::DpReg(op) => super::dp_reg::translate(e, op, i),
        Op::Fp(op) => super::fp::translate(e, op, i),
        Op::Simd(op) => super::simd::translate(e, op, i),
    }
}
