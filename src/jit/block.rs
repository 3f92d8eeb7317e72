//! Block formation: decode guest instructions from a pc and hand each to its group's
//! translator until one ends the block.

use super::cache::CodeCache;
use super::emit::dasm;
use super::emit::{Emitter, Flow, Undefined};
use super::vcache::PinScan;
use super::{Block, Jit, Stats};
use crate::arch::table::{class, decode_entry, Entry, GPR_RD, GPR_RM, GPR_RN};
use crate::arch::{Insn, Op};
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};

/// Longest block, in guest instructions.
pub const MAX_BLOCK_INSNS: usize = 200;

/// The words of a block's straight-line prefix from its start, each with its decoder entry
/// (`None`: UNDEFINED), written by the prescan ([`choose_swaps`]) and read again by the
/// block former: a fixed array, since the prescan never reads more than a block's worth.
pub(crate) struct Prescan {
    words: Box<[(u32, Option<&'static Entry>); MAX_BLOCK_INSNS]>,
    len: usize,
}

impl Prescan {
    pub(crate) fn new() -> Prescan {
        Prescan { words: Box::new([(0, None); MAX_BLOCK_INSNS]), len: 0 }
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    pub(crate) fn as_slice(&self) -> &[(u32, Option<&'static Entry>)] {
        &self.words[..self.len]
    }
}

/// Read the guest instruction at `pc`, or `None` when it is not mapped readable.
pub fn fetch(pc: u64) -> Option<u32> {
    if !pc.is_multiple_of(4) {
        return None;
    }
    crate::mem::read_guest_u32(pc)
}

/// Translate the block at `key` into the cache (the caller, `Jit::lookup_or_translate`, has
/// made room). `key` is the guest pc, or pc | 1 for the block's exact-FP variant
/// (`Emitter::exact_fp`), whose code header holds the key too.
pub(crate) fn translate(
    jit: &Jit,
    cache: &mut CodeCache,
    emitter: &mut Option<Box<Emitter>>,
    stats: &mut Stats,
    key: u64,
) -> Option<Block> {
    let _translating = super::fault::Translating::start();
    let pc = key & !1;
    let base = cache.next_block_addr();
    cache.prefetch_next();
    let mut e = emitter.take().unwrap_or_else(|| {
        Box::new(Emitter::new(jit.trampolines(), jit.lookup_addr(), (super::LOOKUP_SIZE - 1) as u64))
    });
    e.begin(base, cache.next_block_room(), pc);
    e.exact_fp = key & 1 != 0;
    let block = assemble(&mut e, stats, pc, base);
    let block = match (block, e.ops.finish()) {
        (Some(mut block), Ok(code)) => {
            block.host_len = code.len();
            let Some(at) = cache.commit_block(key, code) else {
                eprintln!("qemu-aarch64-lite: code cache exhausted");
                std::process::abort();
            };
            debug_assert_eq!(at, base);
            stats.blocks_translated += 1;
            if let Some(map) = &jit.log.perfmap {
                map.record(at, code.len(), pc);
            }
            if jit.log.in_asm || jit.log.out_asm {
                jit.log.write(&block_log(jit.log.in_asm, jit.log.out_asm, &block, &e.pc_map, code));
            }
            Some(block)
        }
        _ => None,
    };
    *emitter = Some(e);
    block
}

/// The `-d in_asm` / `-d out_asm` text of a translated block, in QEMU's layout: `IN:` then one
/// `address:  word      disassembly` line per guest instruction; `OUT:` then, per guest
/// instruction, its host bytes (from `pc_map`) in hex, 16 a line, under the guest line (the
/// prologue comes first, the block's exit stubs after the last instruction).
fn block_log(in_asm: bool, out_asm: bool, block: &Block, pc_map: &[(u32, u32)], code: &[u8]) -> String {
    use std::fmt::Write;
    let guest = |pc: u64| {
        let word = fetch(pc).unwrap_or(0);
        format!("0x{pc:016x}:  {word:08x}      {}", crate::arch::disasm::disassemble(word, pc))
    };
    let mut s = String::new();
    if in_asm {
        s.push_str("----------------\nIN: \n");
        for &(_, delta) in pc_map {
            let _ = writeln!(s, "{}", guest(block.guest_pc + delta as u64));
        }
        s.push('\n');
    }
    if out_asm {
        let _ = writeln!(s, "OUT: [size={}] host 0x{:x} for guest 0x{:x}", code.len(), block.host, block.guest_pc);
        let first = pc_map.first().map_or(code.len(), |&(off, _)| off as usize);
        let mut ranges = vec![("-- prologue".to_string(), 0, first)];
        for (k, &(off, delta)) in pc_map.iter().enumerate() {
            let pc = block.guest_pc + delta as u64;
            let end = pc_map.get(k + 1).map_or(code.len(), |&(next, _)| next as usize);
            ranges.push((format!("-- {}", guest(pc)), off as usize, end));
        }
        for (title, start, end) in ranges {
            let _ = writeln!(s, "{title}");
            for chunk_start in (start..end.min(code.len())).step_by(16) {
                let chunk = &code[chunk_start..(chunk_start + 16).min(end)];
                let bytes: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
                let _ = writeln!(s, "0x{:016x}:  {}", block.host + chunk_start, bytes.join(" "));
            }
        }
        s.push('\n');
    }
    s
}

/// Translate the block at `pc` with `e` (the code stays in `e.ops`; the block's `host_len`
/// is filled in by the caller).
fn assemble(e: &mut Emitter, stats: &mut Stats, pc: u64, base: usize) -> Option<Block> {
    e.prologue();
    let (swaps, n_swaps, pins) = choose_swaps(pc, &mut e.prescan);
    e.enter_swaps(&swaps[..n_swaps]);
    e.vc_pin(pins.pins());
    e.vc_keep = pins.keep();
    let mut cur = pc;
    let mut n = 0usize;
    let mut last = pc;
    loop {
        // From the prescan when it got here, else fetched and decoded now.
        let k = cur.wrapping_sub(pc) / 4;
        let fetched = match e.prescan.as_slice().get(k as usize) {
            Some(&(word, row)) if cur >= pc => Some((word, row)),
            _ => {
                // past the prescan: nothing is known about later reads
                e.vc_keep = u32::MAX;
                fetch(cur).map(|w| (w, decode_entry(w)))
            }
        };
        let (word, row) = match fetched {
            Some(f) => f,
            None if n == 0 => return None,
            None => {
                // The next instruction is not fetchable: end here; the fault is raised when
                // (and if) execution gets there.
                e.flush_flags();
                e.goto_direct(cur);
                break;
            }
        };
        let skip_lands = e.pending_skip.is_some_and(|(t, _)| t == cur);
        // NZCV left pending by the previous instruction is stored now, except for a B.cond
        // (not AL/NV, not at a join), which stores it where needed (`branch::cond_branch`),
        // and except where nothing can see it before it is replaced (`nzcv_use`, not at a
        // join): it is dropped before an instruction that sets all of NZCV (and reads at most
        // C, from the live x86 flags), and carried over one that leaves the x86 flags, rax
        // and rcx alone and cannot fault.
        // (pending flags first: most instructions follow one that left none)
        let mut dead_flags = None;
        let mut carried = false;
        if e.pending_flags.is_some() {
            let bcond = matches!(row, Some(r) if r.class & class::BCOND != 0) && Insn(word).cond_lo() < 0b1110;
            let usage = match row {
                Some(r) if !skip_lands => nzcv_use(r, Insn(word), e.host_flags.is_some()),
                _ => NzcvUse::Reads,
            };
            match usage {
                NzcvUse::Overwrites => dead_flags = e.pending_flags.take(),
                NzcvUse::PassesOn => carried = true,
                NzcvUse::Reads if skip_lands || !bcond => e.flush_flags(),
                NzcvUse::Reads => {}
            }
        }
        if skip_lands {
            bind_skip(e);
        }
        // (each instruction's code is far smaller than the room this guarantees)
        e.ops.room();
        e.pc = cur;
        e.insn = Insn(word);
        let off = e.ops.offset().0 as u32;
        // (the guest pc as its distance from the block's start: the hull is [pc, last])
        e.pc_map.push((off, cur.wrapping_sub(pc) as u32));
        // Host flags describe NZCV only right after the flag-setting instruction itself.
        e.flags_live = e.host_flags.take();
        let flow = match row {
            Some(row) => {
                let puts = e.vc.puts;
                vcache_before(e, row.class, Insn(word));
                e.vc_mark_insn();
                let flow = super::dispatch::TRANSLATORS[row.op_index as usize](e, Insn(word));
                if row.class & class::SIMD != 0 && e.vc.puts == puts {
                    // written in CpuState without the cache (or not at all)
                    e.vc_forget(Insn(word).rd());
                }
                flow
            }
            None => Err(Undefined),
        };
        n += 1;
        if carried {
            // (the carried NZCV's x86 flags are intact: the next instruction may use them)
            e.host_flags = e.flags_live;
        }
        match flow {
            Ok(Flow::Continue) => {}
            Ok(Flow::End) => break,
            Err(Undefined) => {
                // (nothing was emitted: the dropped NZCV is still in the x86 flags and rax)
                if dead_flags.is_some() {
                    e.pending_flags = dead_flags;
                }
                e.flush_flags();
                e.emit_undefined();
                break;
            }
        }
        cur = e.next_pc.take().unwrap_or(cur + 4);
        last = last.max(cur);
        // The guest hull [pc, last] must stay within MAX_BLOCK_BYTES (invalidation).
        if n >= MAX_BLOCK_INSNS || last + 4 - pc > super::MAX_BLOCK_BYTES {
            e.flush_flags();
            e.goto_successor(cur);
            break;
        }
    }
    // (every path out of the loop above has stored NZCV: the last instruction ends the block
    // or was followed by a flush)
    e.flush_flags();
    if let Some((target, _)) = e.pending_skip {
        // The block ended inside a skipped region: the skip lands on a plain exit.
        bind_skip(e);
        e.goto_direct(target);
    }
    e.emit_cold_calls();
    e.emit_chain_stubs();
    stats.insns_translated += n as u64;
    // (the pc map and the back-edges stay in the emitter: `Jit::install` takes them)
    Some(Block {
        guest_pc: pc,
        guest_len: (last.max(cur) - pc) + 4,
        host: base,
        host_len: 0,
        pc_map: (0, 0),
        swaps: super::Swaps::new(&e.swaps),
        head: e.head,
        incoming: Default::default(),
        successor: e.successor.map(|(site, target)| (base + site, target)),
    })
}

/// What an instruction does with the NZCV its predecessor left pending (see `assemble`).
enum NzcvUse {
    /// Reads it, may let it be seen (a fault, an exit, a helper), or clobbers the x86 flags
    /// or rax: it is stored first.
    Reads,
    /// Sets all of NZCV without reading it, or reads only C from the live x86 flags (ADCS,
    /// SBCS right after the flags' setter): it is dead.
    Overwrites,
    /// Leaves the x86 flags, rax and rcx alone and cannot fault or leave the block: MUL
    /// (MADD with XZR) and UMULH through MULX (`dp_reg::mul_add`, `dp_reg::mul_high`).
    PassesOn,
}

/// [`NzcvUse`] of the instruction `i` (`row`), whose predecessor left NZCV pending;
/// `host_flags`: the x86 flags hold it (C for ADCS and SBCS).
fn nzcv_use(row: &Entry, i: Insn, host_flags: bool) -> NzcvUse {
    use crate::arch::table::{DpImmOp as I, DpRegOp as R};
    match row.row.op {
        Op::DpImm(I::AddsImm | I::SubsImm | I::AndsImm)
        | Op::DpReg(R::Ands | R::Bics | R::AddsShifted | R::SubsShifted | R::AddsExt | R::SubsExt) => {
            NzcvUse::Overwrites
        }
        Op::DpReg(R::Adcs | R::Sbcs) if host_flags => NzcvUse::Overwrites,
        Op::DpReg(R::Madd) if i.ra() == 31 && super::features().bmi2 => NzcvUse::PassesOn,
        Op::DpReg(R::Umulh) if super::features().bmi2 => NzcvUse::PassesOn,
        _ => NzcvUse::Reads,
    }
}

/// Bind the label of the pending forward skip here; the two paths meet with NZCV only in
/// `CpuState` (no live host flags).
fn bind_skip(e: &mut Emitter) {
    if let Some((_, label)) = e.pending_skip.take() {
        dasm!(e.ops; =>label);
        e.host_flags = None;
        e.vc_clear();
        e.fpcr_join();
    }
}

/// What an instruction does to the V-register cache (`jit::vcache`) before its translator
/// runs: an AdvSIMD structure load writes at most Vt..Vt+3 without the cache, so those are
/// forgotten. (An AdvSIMD data-processing instruction writes only Vd: the caller forgets it
/// afterwards unless the translator put it into the cache; helpers clear the whole cache.)
/// The scalar FP translators and the S/D/Q loads and stores of `ldst` keep the cache
/// themselves; the other groups do not touch V registers.
fn vcache_before(e: &mut Emitter, kind: u8, i: Insn) {
    if kind & class::LDST_SIMD != 0 {
        for k in 0..4 {
            e.vc_forget((i.rt() + k) % 32);
        }
    }
}

/// Most register swaps per block.
pub const MAX_SWAPS: usize = 8;
/// Fewest register-field uses in a block's straight-line prefix for a guest register to be
/// worth a swap (each swap costs two moves at entry and two at every exit).
const MIN_SWAP_USES: u32 = 4;
/// Fewest instructions in the scanned prefix for swaps that displace used mapped registers.
const LONG_PREFIX: usize = 64;

/// Choose the block's register swaps: guest registers that the global mapping
/// (`emit::MAPPED`) keeps in memory but that the block's straight-line prefix names often
/// (in the Rd, Rn, Rm fields of integer and load/store instructions) take, for this block,
/// the host register of a mapped register that the prefix does not name (never SP's).
///
/// The counts are a heuristic only: correctness does not depend on them, because inside the
/// block every register access goes through the block's own mapping (a spilled register
/// simply lives in `CpuState::x` there), and every exit undoes the swaps.
///
/// Every word scanned (from `pc` on, one per 4 bytes) goes to `prescan` with its decoded row,
/// so that the block former does not fetch and decode it again. The same pass chooses the V
/// registers to pin (`vcache::PinScan`). Returns the swaps (old, new), how many there are,
/// and the pins.
fn choose_swaps(pc: u64, prescan: &mut Prescan) -> ([(u32, u32); MAX_SWAPS], usize, PinScan) {
    let mut uses = [0u32; 32];
    let mut at = pc;
    let mut conds = 0;
    // A conditional branch back to the block start makes the block a loop: a register its
    // body names once is then named once per iteration, and the swap costs only at entry
    // and exit.
    let mut looping = false;
    let mut pins = PinScan::new();
    // Uses up to the back-edge: what the loop body names (code after the loop, on the
    // not-taken side, may still name the registers given away: it finds them in CpuState).
    let mut loop_uses = [0u32; 32];
    let mut reader = crate::mem::GuestReader::new();
    prescan.clear();
    let words = &mut *prescan.words;
    let mut scanned = 0;
    for (k, slot) in words.iter_mut().enumerate() {
        let Some(word) = reader.read_u32(at) else { break };
        let row = decode_entry(word);
        *slot = (word, row);
        scanned = k + 1;
        let Some(row) = row else { break };
        let i = Insn(word);
        // (counted without a branch per field: which fields an instruction has is as random
        // as the code)
        let f = row.gpr_fields;
        uses[i.rd() as usize] += (f & GPR_RD != 0) as u32;
        uses[i.rn() as usize] += (f & GPR_RN != 0) as u32;
        uses[i.rm() as usize] += (f & GPR_RM != 0) as u32;
        // (one well-predicted test for the common integer and load/store rows, instead of a
        // jump table as unpredictable as the code's mix of groups)
        if row.class & class::PLAIN != 0 {
            // (a branch that integer code never takes, instead of computing the same
            // facts without one for every row)
            if row.class & class::LDST_FP != 0 {
                pins.ldst_fp(i);
            }
            at += 4;
            continue;
        }
        match row.row.op {
            Op::DpImm(_) | Op::DpReg(_) | Op::LdSt(_) => {}
            Op::LdStSimd(_) => pins.stop(),
            Op::Fp(op) => pins.fp(op, i),
            Op::Simd(_) => pins.simd(i),
            Op::Br(op) => {
                // Scan on past a forward skip that stays inside the block.
                use crate::arch::table::BrOp;
                let target = match op {
                    BrOp::BCond | BrOp::Cbz | BrOp::Cbnz => at.wrapping_add((i.imm19() << 2) as u64),
                    BrOp::Tbz | BrOp::Tbnz => at.wrapping_add((i.imm14() << 2) as u64),
                    _ => {
                        // an unconditional branch back to the start closes a loop too
                        if op == BrOp::B && at.wrapping_add((i.imm26() << 2) as u64) == pc && !looping {
                            looping = true;
                            loop_uses = uses;
                        }
                        break;
                    }
                };
                // A skip stays inside the block, and so does the not-taken side of the first
                // conditional branches (superblock): scan on.
                if target == pc && !looping {
                    looping = true;
                    if matches!(op, BrOp::Cbz | BrOp::Cbnz | BrOp::Tbz | BrOp::Tbnz) {
                        uses[i.rt() as usize] += 1;
                    }
                    loop_uses = uses;
                }
                if !super::emit::skip_ok(at, target) {
                    conds += 1;
                    if conds > super::emit::MAX_FALLTHROUGHS {
                        break;
                    }
                }
                if matches!(op, BrOp::Cbz | BrOp::Cbnz | BrOp::Tbz | BrOp::Tbnz) {
                    uses[i.rt() as usize] += 1;
                }
            }
        }
        at += 4;
    }
    prescan.len = scanned;
    if looping {
        uses = loop_uses;
    }
    if !looping && conds == 0 {
        // straight-line code without a branch that could come back
        pins.drop_pins();
    }
    // Candidates: the unmapped registers 5..=30 the scan saw named (a short block names few).
    // (Without a branch per register: whether one qualifies is as random as the code.)
    let min_uses = if looping { 1 } else { MIN_SWAP_USES };
    let mut wanted = [0u32; 26];
    let mut n_wanted = 0;
    let mut named = 0u32;
    for (r, &u) in uses.iter().enumerate() {
        named |= ((u != 0) as u32) << r;
    }
    let mut candidates = named & !super::emit::MAPPED_SET & 0x7fff_ffe0;
    while candidates != 0 {
        let r = candidates.trailing_zeros();
        candidates &= candidates - 1;
        wanted[n_wanted] = r;
        n_wanted += (uses[r as usize] >= min_uses) as usize;
    }
    if n_wanted == 0 {
        return ([(0, 0); MAX_SWAPS], 0, pins);
    }
    // Pair the free mapped registers (in `MAPPED` order, never SP) with the most used wanted
    // ones, most used first, ties by register number: a partial selection sort (at most
    // MAX_SWAPS passes) instead of sorting every candidate.
    let mut swaps = [(0, 0); MAX_SWAPS];
    let mut n = 0;
    let pick = |n: usize, wanted: &mut [u32; 26]| {
        let mut best = n;
        for k in n + 1..n_wanted {
            let (r, b) = (wanted[k], wanted[best]);
            if uses[r as usize] > uses[b as usize] || (uses[r as usize] == uses[b as usize] && r < b) {
                best = k;
            }
        }
        wanted.swap(n, best);
        wanted[n]
    };
    let free = super::emit::MAPPED.iter().map(|m| m.0).filter(|&r| r != 31 && uses[r as usize] == 0);
    for (s, old) in swaps.iter_mut().zip(free) {
        if n == n_wanted {
            break;
        }
        *s = (old, pick(n, &mut wanted));
        n += 1;
    }
    // A long prefix (register-hungry code such as a hash's unrolled rounds names every
    // mapped register) may also displace used mapped registers, least used first, while the
    // wanted one is used MIN_SWAP_USES times more; the displaced one lives in `CpuState::x`
    // for the block. (Short blocks skip this: its cost shows in their translation.)
    if scanned >= LONG_PREFIX && n < n_wanted {
        let mut used: [(u32, u32); MAX_SWAPS] = [(u32::MAX, 0); MAX_SWAPS];
        let mut n_used = 0;
        for &(r, _) in super::emit::MAPPED.iter().filter(|m| m.0 != 31 && uses[m.0 as usize] != 0) {
            used[n_used] = (uses[r as usize], r);
            n_used += 1;
        }
        used[..n_used].sort_unstable();
        for &(displaced, old) in &used[..n_used] {
            if n == n_wanted || n == MAX_SWAPS {
                break;
            }
            let new = pick(n, &mut wanted);
            if uses[new as usize] < displaced + MIN_SWAP_USES {
                break;
            }
            swaps[n] = (old, new);
            n += 1;
        }
    }
    (swaps, n, pins)
}
