//! The V-register cache: within one block, guest V registers read or written by the inline
//! scalar FP code (`fp_inline`) stay in xmm6-xmm15, so a chain of dependent FP operations
//! runs register to register instead of through a store and a reload of `CpuState::v` each
//! (store-to-load forwarding alone costs about five cycles per operation).
//!
//! Invariants:
//! - Write-through: every write of a cached register also stores it to `CpuState::v`, so
//!   memory is always current. Forgetting an entry therefore never emits code, and every
//!   place that cannot know the cache (a block exit, a helper, a fault, a control-flow join
//!   inside the block) only needs the translate-time state to be cleared.
//! - The state is a translate-time fact about the point being emitted. It starts empty at
//!   block entry (and so at the loop head); joins inside a block (`block::bind_skip`) clear it;
//!   every helper call emitted inline clears it (xmm registers are caller-saved); an
//!   instruction that writes a V register without going through [`Emitter::vc_put`] forgets
//!   that register: the block former forgets the destination of an AdvSIMD instruction
//!   that did not put it (`simd_inline::store_vd` does) and the targets of structure loads. Loads of S/D/Q registers
//!   (`ldst::emit_load_fp`) put what they load into the cache.
//! - Slow paths of cached operations are out of line ([`Emitter::cold_call_vonly`]): the
//!   helper works on memory, then the stub reloads what may differ from the state at the
//!   resume point before jumping back, so both paths meet with the same state. A helper that
//!   touches only V registers is called through the `slow_call` trampoline, which keeps
//!   xmm6-xmm15: the stub reloads only the slots that the instruction loaded, assigned or
//!   wrote (`VCache::changed`), and Vd's (the only V register such a helper writes). Other helpers
//!   clobber every xmm register: their stubs reload every live entry.

use super::emit::{dasm, Emitter, InsnHelper};
use crate::arch::table::FpOp;
use crate::arch::Insn;
use crate::cpu::{off_v, OFF_FLAG_N, OFF_FLAG_Z};
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};

/// First xmm register of the cache, and how many there are (xmm0-xmm5 are scratch).
const FIRST: u8 = 6;
pub(crate) const SLOTS: usize = 10;

/// Which guest V register each of xmm6-xmm15 holds, with LRU ages.
#[derive(Clone, Copy)]
pub(crate) struct VCache {
    /// Guest V register -> slot + 1 (0: not cached).
    slot_of: [u8; 32],
    /// Slot -> guest V register + 1 (0: free).
    v_of: [u8; SLOTS],
    /// Slot -> width in bits of the part that may be non-zero: 32 or 64 for a value a scalar
    /// operation wrote (the rest of the register is zero), 128 when unknown.
    width: [u8; SLOTS],
    /// The slots from most to least recently used, one per 4-bit nibble (nibble 0 the most
    /// recent, nibble `SLOTS - 1` the next victim); free slots are kept at the old end, so
    /// the victim is free whenever a slot is.
    order: u64,
    /// The slots that hold a register (bit per slot; `v_of` is not 0).
    occupied: u16,
    /// Slots loaded, given to another register or written since the current instruction
    /// started (bit per slot; [`Emitter::vc_mark_insn`] clears it).
    changed: u16,
    /// Number of [`Emitter::vc_put`] calls so far (so the block former can tell whether an
    /// instruction put its destination into the cache).
    pub(crate) puts: u32,
}

/// Nibble `k` of `VCache::order` holds slot `SLOTS - 1 - k`: the first victims are slots 0,
/// 1, 2, ...
const INITIAL_ORDER: u64 = {
    let mut order = 0u64;
    let mut k = 0;
    while k < SLOTS {
        order |= ((SLOTS - 1 - k) as u64) << (4 * k);
        k += 1;
    }
    order
};

/// 1 in each of the `SLOTS` nibbles of `VCache::order`.
const NIBBLE_ONES: u64 = 0x11_1111_1111;
const _: () = assert!(SLOTS == 10 && NIBBLE_ONES.count_ones() as usize == SLOTS);

impl VCache {
    /// `order` without the nibble that holds `slot`: (the nibbles below it, the nibbles above
    /// it shifted down to its position).
    #[inline]
    fn unlink(order: u64, slot: usize) -> (u64, u64) {
        // the nibble equal to `slot` becomes 0; the lowest zero nibble is found exactly
        let x = order ^ (slot as u64).wrapping_mul(NIBBLE_ONES);
        let zero = x.wrapping_sub(NIBBLE_ONES) & !x & (NIBBLE_ONES << 3);
        let at = zero.trailing_zeros() & !3;
        let below = order & ((1u64 << at) - 1);
        let above = (order >> at >> 4) << at;
        (below, above)
    }

    /// Make `slot` the most recently used.
    #[inline]
    fn touch(&mut self, slot: usize) {
        if self.order & 15 == slot as u64 {
            return; // (already the most recent: an operation's result just assigned)
        }
        let (below, above) = Self::unlink(self.order, slot);
        // the nibbles below it move up by one, those above it stay where they were
        self.order = (above | below) << 4 | slot as u64;
    }

    /// Make `slot` the next victim (it was freed).
    #[inline]
    fn retire(&mut self, slot: usize) {
        let (below, above) = Self::unlink(self.order, slot);
        self.order = below | above | (slot as u64) << (4 * (SLOTS - 1));
    }

    /// The least recently used slot, made the most recent (it is the last nibble: one shift
    /// moves it to the front).
    #[inline]
    fn take_victim(&mut self) -> usize {
        let slot = self.victim();
        self.order = (self.order << 4 | slot as u64) & ((1 << (4 * SLOTS)) - 1);
        slot
    }

    /// The least recently used slot (a free one if any is free).
    #[inline]
    fn victim(&self) -> usize {
        (self.order >> (4 * (SLOTS - 1)) & 15) as usize
    }

    pub(crate) const fn new() -> VCache {
        VCache {
            slot_of: [0; 32],
            v_of: [0; SLOTS],
            width: [128; SLOTS],
            order: INITIAL_ORDER,
            occupied: 0,
            changed: 0,
            puts: 0,
        }
    }
}

/// Most V registers loaded before the loop head ([`choose_pins`]), leaving slots free for
/// the registers a loop body only writes.
const MAX_PINS: usize = 8;

/// The V registers worth loading into the cache before the loop head: those that the cached
/// scalar FP and AdvSIMD operations of the block's straight-line prefix read before writing
/// them (a loop carries them from one iteration to the next), in order of first use. Fed
/// instruction by instruction by the block former's prescan (`block::choose_swaps`, which
/// stops where the straight line ends); stops at structure loads.
pub(crate) struct PinScan {
    pins: [u8; MAX_PINS],
    n: usize,
    /// V registers written so far (a later read of one is not loop-carried)
    written: u32,
    /// V registers already in `pins`
    pinned: u32,
    /// false after a structure load
    open: bool,
    /// V registers read (as far as the scan can tell) after something in the prefix wrote
    /// them: see [`PinScan::keep`].
    reread: u32,
}

impl PinScan {
    pub(crate) const fn new() -> PinScan {
        PinScan { pins: [0; MAX_PINS], n: 0, written: 0, pinned: 0, open: true, reread: 0 }
    }

    /// The registers to pin, in order of first use.
    pub(crate) fn pins(&self) -> &[u8] {
        &self.pins[..self.n]
    }

    /// The V registers worth keeping in the cache when an instruction writes them: those the
    /// scanned prefix reads again after a write (through memory, such a read would wait for
    /// the store to forward). Every register when the scan stopped early at a structure load
    /// (what follows is unknown).
    pub(crate) fn keep(&self) -> u32 {
        if self.open {
            self.reread
        } else {
            u32::MAX
        }
    }

    /// No pins (the prefix cannot loop: loading a register at the block entry instead of at
    /// its first use gains nothing, and costs translation time).
    pub(crate) fn drop_pins(&mut self) {
        self.n = 0;
    }

    /// V`v` is read (only the re-read set, not a pin).
    fn note_read(&mut self, v: u32) {
        self.reread |= self.written & 1 << v;
    }

    fn read(&mut self, v: u32) {
        let bit = 1u32 << v;
        self.reread |= self.written & bit;
        if (self.written | self.pinned) & bit == 0 && self.n < MAX_PINS {
            self.pins[self.n] = v as u8;
            self.n += 1;
            self.pinned |= bit;
        }
    }

    /// A scalar FP row.
    pub(crate) fn fp(&mut self, op: FpOp, i: Insn) {
        use FpOp::*;
        if !self.open {
            return;
        }
        let sd = i.ftype() <= 1;
        match op {
            Fadd | Fsub | Fmul | Fdiv if sd => {
                self.read(i.rn());
                self.read(i.rm());
            }
            Fcmp if sd => {
                self.read(i.rn());
                if !i.bit(3) {
                    self.read(i.rm());
                }
            }
            Fsqrt | FmovReg | Fabs | Fneg if sd => self.read(i.rn()),
            FmovToGen => self.read(i.rn()),
            _ => {
                // (Rn, Rm and Ra where the form has them; elsewhere opcode bits, at worst a
                // register kept needlessly)
                self.note_read(i.rn());
                self.note_read(i.rm());
                self.note_read(i.bits(14, 10));
            }
        }
        if !matches!(op, Fcmp | Fccmp | FmovToGen | FmovToGenHi) {
            self.written |= 1 << i.rd();
        }
    }

    /// A load/store row of S/D/Q registers (`class::LDST_FP`): a load (L = bit 22; a literal
    /// load, whose bit 22 is an offset bit, may count as a store: these facts are heuristics)
    /// writes Rt and, for pairs, Rt2.
    pub(crate) fn ldst_fp(&mut self, i: Insn) {
        // (without a branch: loads and stores come in random order)
        let load = i.bit(22) as u32;
        self.written |= load.wrapping_neg() & (1 << i.rt() | 1 << i.bits(14, 10));
    }

    /// An AdvSIMD data-processing row.
    pub(crate) fn simd(&mut self, i: Insn) {
        if !self.open {
            return;
        }
        // Rm is an opcode field in some forms: at worst one needless preload.
        self.read(i.rn());
        self.read(i.rm());
        self.read(i.rd()); // BSL/BIT/BIF, MLA, ...: Vd is a source
        self.written |= 1 << i.rd();
    }

    /// An AdvSIMD structure load or store: nothing after it is pinned.
    pub(crate) fn stop(&mut self) {
        self.open = false;
    }
}

/// An out-of-line helper call of a cached operation: see [`Emitter::cold_call_vonly`].
pub(crate) struct ColdCall {
    entry: DynamicLabel,
    /// Where the fast path goes on (the offset in the block's code the stub jumps back to).
    resume: usize,
    call: Cold,
    /// What to reload after the call: the slots in `reload` (bit per slot), each with the
    /// register `v_of` says (the cache at the resume point, less what the call keeps).
    reload: u16,
    v_of: [u8; SLOTS],
}

/// The call of a [`ColdCall`].
#[derive(Clone, Copy)]
pub(crate) enum Cold {
    /// `f(cpu, word)` touching only V registers, FPCR and FPSR (`call_insn_helper_vonly`).
    Vonly(InsnHelper, u32),
    /// `f(cpu, word)` that reads or writes NZCV (`call_insn_helper_flags`).
    Flags(InsnHelper, u32),
    /// `f(cpu, word)` that reads or writes general-purpose registers too (`call_insn_helper`:
    /// the mapped ones are stored before and loaded after).
    Gpr(InsnHelper, u32),
    /// `simd_helper(cpu, word, op)` on V registers, FPCR and FPSR only.
    Simd(extern "C" fn(*mut crate::cpu::CpuState, u32, u32), u32, u32),
}

impl Emitter {
    /// Load `pins` (from [`PinScan`]) into the cache and move the loop head after the
    /// loads: back-edges ([`Emitter::vc_to_head`]) re-establish this state.
    pub(crate) fn vc_pin(&mut self, pins: &[u8]) {
        for &v in pins {
            self.vc_get(v as u32);
        }
        self.vc_head = self.vc;
        self.head = self.ops.offset().0;
    }

    /// On a back-edge to the loop head: make the cache hold what the head expects, loading
    /// from memory (always current) every pinned register that is not already in its slot.
    pub(crate) fn vc_to_head(&mut self) {
        for slot in 0..SLOTS {
            let v = self.vc_head.v_of[slot];
            if v != 0 && self.vc.v_of[slot] != v {
                self.ops.movdqu_load_rbx(FIRST + slot as u8, off_v(v as u32 - 1));
            }
        }
    }

    /// A new instruction starts: no slot has changed in it yet (`VCache::changed`).
    pub(crate) fn vc_mark_insn(&mut self) {
        self.vc.changed = 0;
    }

    /// Forget every cached register (emits nothing).
    pub fn vc_clear(&mut self) {
        self.vc = VCache { puts: self.vc.puts, ..VCache::new() };
    }

    /// Forget V`v` (emits nothing; memory is current).
    pub fn vc_forget(&mut self, v: u32) {
        let s = self.vc.slot_of[v as usize];
        if s != 0 {
            self.vc.v_of[s as usize - 1] = 0;
            self.vc.occupied &= !(1 << (s - 1));
            self.vc.slot_of[v as usize] = 0;
            self.vc.retire(s as usize - 1);
        }
    }

    /// A slot for V`v`: its own, else a free one, else the least recently used one (whose
    /// register is forgotten).
    #[inline(always)]
    fn vc_slot(&mut self, v: u32) -> (usize, bool) {
        let s = self.vc.slot_of[v as usize];
        if s != 0 {
            let slot = s as usize - 1;
            self.vc.touch(slot);
            return (slot, true);
        }
        let slot = self.vc.take_victim();
        let old = self.vc.v_of[slot];
        if old != 0 {
            self.vc.slot_of[old as usize - 1] = 0;
        }
        self.vc.v_of[slot] = v as u8 + 1;
        self.vc.occupied |= 1 << slot;
        self.vc.slot_of[v as usize] = slot as u8 + 1;
        self.vc.width[slot] = 128;
        self.vc.changed |= 1 << slot;
        (slot, false)
    }

    /// Width in bits of the part of cached xmm`x` that may be non-zero (see `VCache::width`).
    pub fn vc_width(&self, x: u8) -> u32 {
        self.vc.width[(x - FIRST) as usize] as u32
    }

    /// The xmm register that will hold V`v` once [`Emitter::vc_put`] stores it: an operation
    /// may compute straight into it (emits nothing; its old content is forgotten).
    pub fn vc_target(&mut self, v: u32) -> u8 {
        let (slot, _) = self.vc_slot(v);
        self.vc.changed |= 1 << slot;
        FIRST + slot as u8
    }

    /// The xmm register holding V`v` if it is cached (emits nothing, loads nothing).
    pub fn vc_peek(&self, v: u32) -> Option<u8> {
        let s = self.vc.slot_of[v as usize];
        (s != 0).then(|| FIRST + s - 1)
    }

    /// The xmm register holding the whole of V`v`, loaded from `CpuState::v` if it is not
    /// cached yet.
    pub fn vc_get(&mut self, v: u32) -> u8 {
        let (slot, cached) = self.vc_slot(v);
        let x = FIRST + slot as u8;
        if !cached {
            self.ops.movdqu_load_rbx(x, off_v(v));
        }
        x
    }

    /// V`v` = xmm`src` (the whole 128-bit register, of which only the low `width` bits may be
    /// non-zero): stored to `CpuState::v` and kept in the cache.
    #[inline(always)]
    pub fn vc_put(&mut self, v: u32, src: u8, width: u32) {
        self.vc.puts += 1;
        self.ops.movdqu_store_rbx(off_v(v), src);
        let (slot, _) = self.vc_slot(v);
        self.vc.changed |= 1 << slot;
        let x = FIRST + slot as u8;
        if x != src {
            self.ops.movaps_rr(x, src);
        }
        self.vc.width[slot] = width as u8;
    }

    /// End the fast path of a cached operation whose slow path, entered by jumps to `entry`,
    /// is the helper `f` for instruction `word`, touching only V registers, FPCR and FPSR: the
    /// call is emitted after the block body ([`Emitter::emit_cold_calls`]), followed by the
    /// reload of every register cached here and a jump back to here.
    pub fn cold_call_vonly(&mut self, entry: DynamicLabel, f: InsnHelper, word: u32) {
        self.cold_call(entry, Cold::Vonly(f, word));
    }

    /// [`Emitter::cold_call_vonly`] for a helper that reads or writes NZCV (FCMP).
    pub fn cold_call_flags(&mut self, entry: DynamicLabel, f: InsnHelper, word: u32) {
        self.cold_call(entry, Cold::Flags(f, word));
    }

    /// [`Emitter::cold_call_vonly`] for a helper that reads or writes general-purpose
    /// registers (the FP<->integer conversions).
    pub fn cold_call_gpr(&mut self, entry: DynamicLabel, f: InsnHelper, word: u32) {
        self.cold_call(entry, Cold::Gpr(f, word));
    }

    /// [`Emitter::cold_call_vonly`] for `simd_helper(cpu, word, op)`.
    pub fn cold_call_simd(
        &mut self,
        entry: DynamicLabel,
        f: extern "C" fn(*mut crate::cpu::CpuState, u32, u32),
        word: u32,
        op: u32,
    ) {
        self.cold_call(entry, Cold::Simd(f, word, op));
    }

    fn cold_call(&mut self, entry: DynamicLabel, call: Cold) {
        let resume = self.ops.offset().0;
        let occupied = self.vc.occupied;
        let reload = if let Cold::Vonly(_, word) | Cold::Simd(_, word, _) = call {
            // Through `slow_call`, every slot keeps what it held when the jump to the slow
            // path was taken, inside this instruction: a slot this instruction has not
            // loaded, assigned or written still holds memory's value of its register. The
            // helper writes Vd (a word without a Vd reloads the register its bits 4:0 name,
            // needlessly but harmlessly).
            let vd_slot = self.vc.slot_of[word as usize & 31];
            let vd = if vd_slot != 0 { 1 << (vd_slot - 1) } else { 0 };
            (self.vc.changed | vd) & occupied
        } else {
            occupied
        };
        self.cold.push(ColdCall { entry, resume, call, reload, v_of: self.vc.v_of });
    }

    /// Emit the out-of-line slow paths recorded by [`Emitter::cold_call_vonly`] (after the
    /// block body: the block's register mapping is the one the body ran with).
    pub(crate) fn emit_cold_calls(&mut self) {
        let cold = std::mem::take(&mut self.cold);
        let insn = self.insn;
        for c in &cold {
            self.ops.room();
            dasm!(self.ops; =>c.entry);
            match c.call {
                Cold::Vonly(f, word) => {
                    // mov esi, word; mov rax, f; call slow_call
                    self.ops.mov_r32_imm(super::emit::reg::RSI, word);
                    self.ops.mov_r64_imm64(super::emit::reg::RAX, f as usize as u64);
                    self.ops.call_abs(self.tramp.slow_call);
                }
                Cold::Flags(f, word) => {
                    self.insn = Insn(word);
                    self.call_insn_helper_flags(f);
                    // The fast path leaves UCOMIS flags for a fused B.cond/CSEL
                    // (FlagKind::Fcmp): re-create ZF = Z and CF = N (= NOT C after any FP
                    // compare) from the stored flags, through AH and SAHF.
                    dasm!(self.ops
                        ; cmp QWORD [cpu + OFF_FLAG_Z as i32], 0
                        ; sete cl
                        ; shl cl, 6
                        ; mov rax, QWORD [cpu + OFF_FLAG_N as i32]
                        ; shr rax, 63
                        ; or al, cl
                        ; mov ah, al
                        ; sahf
                    );
                }
                Cold::Gpr(f, word) => {
                    self.insn = Insn(word);
                    self.call_insn_helper(f);
                }
                Cold::Simd(f, word, op) => {
                    self.ops.mov_r32_imm(super::emit::reg::RSI, word);
                    self.ops.mov_r32_imm(super::emit::reg::RDX, op);
                    self.ops.mov_r64_imm64(super::emit::reg::RAX, f as usize as u64);
                    self.ops.call_abs(self.tramp.slow_call);
                }
            }
            let mut reload = c.reload;
            while reload != 0 {
                let slot = reload.trailing_zeros() as usize;
                reload &= reload - 1;
                self.ops.movdqu_load_rbx(FIRST + slot as u8, off_v(c.v_of[slot] as u32 - 1));
            }
            self.ops.jmp_to_offset(c.resume);
        }
        self.insn = insn;
        // (the list's allocation serves the next block; a slow path adds none)
        debug_assert!(self.cold.is_empty());
        self.cold = cold;
        self.cold.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::{VCache, SLOTS};

    /// The nibble list against a plain list of slots, most recent first, over a long
    /// pseudo-random sequence of uses and releases.
    #[test]
    fn lru_order_matches_a_list() {
        let mut c = VCache::new();
        let mut list: Vec<usize> = (0..SLOTS).rev().collect();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let slot = (x % SLOTS as u64) as usize;
            match x >> 32 & 7 {
                1 => {
                    // a miss: the victim is reused and becomes the most recent
                    let victim = list.pop().unwrap();
                    assert_eq!(c.take_victim(), victim);
                    list.insert(0, victim);
                }
                op => {
                    list.retain(|&s| s != slot);
                    if op & 3 == 0 {
                        c.retire(slot);
                        list.push(slot);
                    } else {
                        c.touch(slot);
                        list.insert(0, slot);
                    }
                }
            }
            assert_eq!(c.victim(), *list.last().unwrap());
            let nibbles: Vec<usize> = (0..SLOTS).map(|k| (c.order >> (4 * k) & 15) as usize).collect();
            assert_eq!(nibbles, list);
        }
        assert_eq!(VCache::new().victim(), 0, "slot 0 is the first victim");
    }
}
