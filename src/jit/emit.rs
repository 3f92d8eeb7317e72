//! The emitter: one block's x86_64 code under construction, and the primitives every
//! instruction-group translator uses (guest register access, helper calls, block exits).
//!
//! Host register conventions (the only place they are chosen):
//! - `rbx` = `*mut CpuState` of the running thread, for the whole time translated code runs.
//! - [`MAPPED`]: the most used guest registers (X0-X4, X19-X21, SP) live in host registers
//!   (`r12`-`r15`, `rbp`, `r8`-`r11`) for the whole time translated code runs, across blocks
//!   (the mapping is global, so chained and indirect jumps need no synchronisation). Their
//!   `CpuState::x` slots are stale meanwhile: the entry trampoline loads them, the exit
//!   trampoline stores them, and every helper call stores them before and reloads them after
//!   (helpers see and may change `CpuState::x`).
//! - `rax`, `rcx`, `rdx`, `rsi`, `rdi`: scratch within one guest instruction. Nothing is live
//!   in them across guest instructions.
//! - `rsp` is 16-byte aligned inside translated code, so a helper can be `call`ed directly.
//!
//! Rule for translators: check every UNDEFINED condition *before* emitting anything, then emit.
//! A translator that returns `Err(Undefined)` must not have emitted code.

use super::asm::Asm;
use crate::arch::Insn;
use crate::cpu::*;
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi};

/// The project's `dynasm!` wrapper: x64, with `cpu` = rbx.
macro_rules! dasm {
    ($ops:expr; $($t:tt)*) => {
        dynasm!($ops
            ; .arch x64
            ; .alias cpu, rbx
            ; $($t)*
        )
    };
}
pub(crate) use dasm;

/// Host register numbers for dynamic register operands (`Rq(n)`).
pub mod reg {
    pub const RAX: u8 = 0;
    pub const RCX: u8 = 1;
    pub const RDX: u8 = 2;
    pub const RBX: u8 = 3;
    pub const RSP: u8 = 4;
    pub const RBP: u8 = 5;
    pub const RSI: u8 = 6;
    pub const RDI: u8 = 7;
    pub const R8: u8 = 8;
    pub const R9: u8 = 9;
    pub const R10: u8 = 10;
    pub const R11: u8 = 11;
}

/// Guest register (31 = SP) -> host register, for the registers kept in host registers.
pub const MAPPED: [(u32, u8); 9] =
    [(0, 12), (1, 13), (31, 14), (2, 15), (19, reg::RBP), (3, reg::R8), (20, reg::R9), (21, reg::R10), (4, reg::R11)];

/// [`MAPPED`] by guest register number: the host register, or 0 (rax, never mapped).
const GLOBAL_HOST_TAB: [u8; 32] = {
    let mut t = [0u8; 32];
    let mut k = 0;
    while k < MAPPED.len() {
        t[MAPPED[k].0 as usize] = MAPPED[k].1;
        k += 1;
    }
    t
};

/// Bit `n` set for each guest register `n` in [`MAPPED`].
pub const MAPPED_SET: u32 = {
    let mut set = 0;
    let mut i = 0;
    while i < MAPPED.len() {
        set |= 1 << MAPPED[i].0;
        i += 1;
    }
    set
};

/// Exit codes returned in eax by translated code to the dispatcher.
pub mod exit {
    /// `cpu.pc` is the next guest pc: look it up (translate if needed) and continue.
    pub const LOOKUP: u32 = 0;
    /// Like LOOKUP, and patch the `jmp` whose rel32 is at `cpu.chain_site` to the block.
    pub const CHAIN: u32 = 1;
    /// SVC: `cpu.pc` is the instruction after the SVC; `exit_arg` = imm16.
    pub const SVC: u32 = 2;
    /// BRK: `cpu.pc` is the BRK; `exit_arg` = imm16.
    pub const BRK: u32 = 3;
    /// HLT: `cpu.pc` is the HLT; `exit_arg` = imm16.
    pub const HLT: u32 = 4;
    /// UNDEFINED (or unimplemented): `cpu.pc` is the instruction; `exit_arg` = the word.
    pub const UNDEFINED: u32 = 5;
    /// `cpu.interrupt` was set at a block entry; `cpu.pc` is the block's pc.
    pub const INTERRUPT: u32 = 6;
    /// WFI/WFE/YIELD-like: `cpu.pc` is the next instruction; the thread may yield the core.
    pub const YIELD: u32 = 7;
    /// IC IVAU / ISB after code modification: `cpu.pc` is the next instruction,
    /// `exit_arg` = the address named by IC IVAU (or u64::MAX for "any").
    pub const SYNC_CODE: u32 = 8;
    /// A helper found a guest fault it cannot express otherwise (misaligned exclusive, ...):
    /// `cpu.pc` is the faulting instruction, `exit_arg` = fault address,
    /// `scratch[0]` = signal number, `scratch[1]` = si_code.
    pub const FAULT: u32 = 9;
    /// A host SIGSEGV/SIGBUS hit translated code or a helper it called (see `jit::fault`):
    /// `scratch[0..3]` = signal, si_code, host pc; `exit_arg` = fault address.
    pub const HOST_FAULT: u32 = 10;
    /// Like CHAIN, to the exact-FP variant of the block at `cpu.pc` (FPCR was found not to
    /// be plain IEEE 754 at a block's FPCR check, see `Emitter::fpcr_check`).
    pub const CHAIN_EXACT: u32 = 11;
}

/// Most instructions [`Emitter::kills_flags_from`] looks at.
const MAX_KILL_SCAN: u64 = 6;

/// Most instructions a forward conditional branch may skip inside a block.
pub const MAX_SKIP: u64 = 8;

/// Whether the conditional branch at `pc` to `target` can stay inside the block: a forward
/// skip over 1..=MAX_SKIP instructions that are all fetchable and decode to non-branch rows
/// (so none of them ends the block).
/// [`Emitter::head_kills_flags`] over the prescan of the block (word, decoded row) from its
/// start.
fn head_kills(prescan: &[(u32, Option<&'static crate::arch::table::Entry>)]) -> bool {
    kills_flags(prescan.iter().map(|&(word, e)| (word, e.map(|e| e.row))))
}

/// Whether the instructions `words` (word, decoded row), in program order, overwrite all of
/// NZCV before anything reads it or leaves: integer, load/store and FP/AdvSIMD instructions
/// that do not read NZCV, up to a comparison that sets all four flags.
fn kills_flags(words: impl Iterator<Item = (u32, Option<&'static crate::arch::Row>)>) -> bool {
    use crate::arch::table::{DpImmOp as I, DpRegOp as R, FpOp as F};
    use crate::arch::Op;
    for (word, row) in words {
        let Some(row) = row else { return false };
        let i = crate::arch::Insn(word);
        match row.op {
            // the full flag setters (encodings that are never UNDEFINED)
            Op::DpImm(I::AddsImm | I::SubsImm) => return true,
            Op::DpReg(R::AddsShifted | R::SubsShifted) => return i.shift() != 3 && (i.sf() || i.imm6() < 32),
            Op::DpReg(R::Ands | R::Bics) => return i.sf() || i.imm6() < 32,
            Op::Fp(F::Fcmp) => return i.ftype() <= 1,
            // readers of NZCV
            Op::DpReg(
                R::Adc
                | R::Adcs
                | R::Sbc
                | R::Sbcs
                | R::CcmnReg
                | R::CcmpReg
                | R::CcmnImm
                | R::CcmpImm
                | R::Csel
                | R::Csinc
                | R::Csinv
                | R::Csneg,
            )
            | Op::Fp(F::Fcsel | F::Fccmp) => return false,
            // branches, system instructions, exception generation: they may leave the block
            Op::Br(_) => return false,
            Op::DpImm(_) | Op::DpReg(_) | Op::LdSt(_) | Op::LdStSimd(_) | Op::Fp(_) | Op::Simd(_) => {}
        }
    }
    false
}

pub(crate) fn skip_ok(pc: u64, target: u64) -> bool {
    if target <= pc + 4 || target > pc + 4 + 4 * MAX_SKIP {
        return false;
    }
    let mut at = pc + 4;
    while at < target {
        let Some(word) = super::block::fetch(at) else { return false };
        match crate::arch::decode(word) {
            Some(row) if !matches!(row.op, crate::arch::Op::Br(_)) => {}
            _ => return false,
        }
        at += 4;
    }
    true
}

/// Most conditional branches a block continues through on their not-taken side.
pub const MAX_FALLTHROUGHS: u32 = 3;

/// Farthest a followed branch may jump ahead of the block start (the block's guest hull must
/// stay within `jit::MAX_BLOCK_BYTES` for invalidation).
const MAX_FOLLOW: u64 = 256;

/// Whether the straight-line code at `target` (after the block start `start`, at most
/// [`MAX_FOLLOW`] bytes ahead) ends, within 32 instructions, with a direct branch (B,
/// B.cond, CBZ/CBNZ, TBZ/TBNZ) back to `start`.
fn loops_back(target: u64, start: u64) -> bool {
    use crate::arch::table::BrOp;
    if target <= start || target - start > MAX_FOLLOW {
        return false;
    }
    let mut at = target;
    for _ in 0..32 {
        let Some(word) = super::block::fetch(at) else { return false };
        let Some(row) = crate::arch::decode(word) else { return false };
        let i = crate::arch::Insn(word);
        if let crate::arch::Op::Br(op) = row.op {
            let dest = match op {
                BrOp::B => at.wrapping_add((i.imm26() << 2) as u64),
                BrOp::BCond | BrOp::Cbz | BrOp::Cbnz => at.wrapping_add((i.imm19() << 2) as u64),
                BrOp::Tbz | BrOp::Tbnz => at.wrapping_add((i.imm14() << 2) as u64),
                _ => return false,
            };
            return dest == start;
        }
        at += 4;
    }
    false
}

/// How an operation's x86 flags map to NZCV.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FlagKind {
    /// ADDS/ADCS/CMN: C = carry.
    Add,
    /// SUBS/SBCS/CMP: C = NOT borrow.
    Sub,
    /// ANDS/BICS/TST: C = V = 0.
    Logic,
    /// FCMP/FCMPE by UCOMISS/UCOMISD: N = CF, Z = ZF, C = NOT CF, V = 0 on the inline
    /// (ordered) path; the slow path re-creates ZF = Z and CF = N (= NOT C for every compare
    /// result), so only conditions that do not read V are fused (`host_cc`).
    Fcmp,
}

/// x86 condition codes used for fused branches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum X86Cc {
    E,
    Ne,
    Ae,
    B,
    S,
    Ns,
    O,
    No,
    A,
    Be,
    Ge,
    L,
    G,
    Le,
    C,
    Nc,
    Always,
}

impl X86Cc {
    /// The x86 condition code (the low nibble of Jcc's 0F 8x opcode); Always has none.
    pub(crate) fn code(self) -> u8 {
        use X86Cc::*;
        match self {
            O => 0x0,
            No => 0x1,
            B | C => 0x2,
            Ae | Nc => 0x3,
            E => 0x4,
            Ne => 0x5,
            Be => 0x6,
            A => 0x7,
            S => 0x8,
            Ns => 0x9,
            L => 0xc,
            Ge => 0xd,
            Le => 0xe,
            G => 0xf,
            Always => unreachable!("no condition code for Always"),
        }
    }

    /// The negated condition (Always has none: callers never negate it).
    pub(crate) fn inverse(self) -> X86Cc {
        use X86Cc::*;
        match self {
            E => Ne,
            Ne => E,
            Ae | Nc => B,
            B | C => Ae,
            S => Ns,
            Ns => S,
            O => No,
            No => O,
            A => Be,
            Be => A,
            Ge => L,
            L => Ge,
            G => Le,
            Le => G,
            Always => unreachable!("negating an unconditional jump"),
        }
    }
}

/// The x86 condition that tests Arm condition `cond` right after an operation of `kind`, when
/// one exists (Arm C after a subtraction is NOT borrow: HS = AE, HI = A).
pub(crate) fn host_cc(kind: FlagKind, cond: u32) -> Option<X86Cc> {
    use X86Cc::*;
    if kind == FlagKind::Fcmp {
        return Some(match cond {
            0b0000 => E,           // EQ: Z
            0b0001 => Ne,          // NE
            0b0010 | 0b0101 => Ae, // CS: C = NOT CF; PL: N = CF clear
            0b0011 | 0b0100 => B,  // CC; MI
            0b1000 => A,           // HI: C and not Z
            0b1001 => Be,          // LS
            0b1110 | 0b1111 => Always,
            _ => return None, // VS, VC, GE, LT, GT, LE read V
        });
    }
    Some(match (cond, kind) {
        (0b0000, _) => E,
        (0b0001, _) => Ne,
        (0b0100, _) => S,
        (0b0101, _) => Ns,
        (0b0110, _) => O,
        (0b0111, _) => No,
        (0b1010, _) => Ge,
        (0b1011, _) => L,
        (0b1100, _) => G,
        (0b1101, _) => Le,
        (0b1110 | 0b1111, _) => Always,
        (0b0010, FlagKind::Sub) => Ae,
        (0b0011, FlagKind::Sub) => B,
        (0b1000, FlagKind::Sub) => A,
        (0b1001, FlagKind::Sub) => Be,
        (0b0010, FlagKind::Add) => C,
        (0b0011, FlagKind::Add) => Nc,
        _ => return None,
    })
}

/// eax = NZCV (bits 31:28) from the split flags in the CpuState at rbx. Clobbers rcx.
pub(crate) fn emit_materialize_nzcv<A: DynasmApi>(ops: &mut A) {
    dasm!(ops
        ; mov rax, QWORD [rbx + OFF_FLAG_N as i32]
        ; shr rax, 63
        ; shl eax, 31
        ; xor ecx, ecx
        ; cmp QWORD [rbx + OFF_FLAG_Z as i32], 0
        ; sete cl
        ; shl ecx, 30
        ; or eax, ecx
        ; movzx ecx, BYTE [rbx + OFF_FLAG_C as i32]
        ; shl ecx, 29
        ; or eax, ecx
        ; movzx ecx, BYTE [rbx + OFF_FLAG_V as i32]
        ; shl ecx, 28
        ; or eax, ecx
    );
}

/// Split the NZCV value in eax (bits 31:28) into the CpuState at rbx. Clobbers rcx.
pub(crate) fn emit_split_nzcv<A: DynasmApi>(ops: &mut A) {
    dasm!(ops
        ; movsxd rcx, eax
        ; mov QWORD [rbx + OFF_FLAG_N as i32], rcx
        ; mov ecx, eax
        ; not ecx
        ; and ecx, NZCV_Z as i32
        ; mov QWORD [rbx + OFF_FLAG_Z as i32], rcx
        ; bt eax, 29
        ; setc BYTE [rbx + OFF_FLAG_C as i32]
        ; bt eax, 28
        ; setc BYTE [rbx + OFF_FLAG_V as i32]
    );
}

/// Whether the block continues after an instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flow {
    Continue,
    /// The translator emitted the block's exit(s); nothing follows.
    End,
}

/// The instruction is UNDEFINED (or a reserved/unimplemented encoding) as decoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Undefined;

pub type TResult = Result<Flow, Undefined>;

/// How register number 31 reads in an operand position.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum R31 {
    Zr,
    Sp,
}

/// A pending direct-branch exit: a patchable `jmp`/`jcc` whose rel32 is at offset `site`.
pub(crate) struct ChainExit {
    /// Offset of the `jmp`'s rel32 in the block (pointed at the stub when it is emitted).
    pub site: usize,
    pub target: u64,
    /// Chain to the target's exact-FP variant (`exit::CHAIN_EXACT`), not its block.
    pub exact: bool,
}

/// Helper called from translated code with the instruction word:
/// `extern "C" fn(cpu: *mut CpuState, insn: u32)`.
pub type InsnHelper = extern "C" fn(*mut CpuState, u32);

pub struct Emitter {
    pub ops: Asm,
    base: usize,
    /// The fixed code at the start of the cache: the exit (eax = exit code), the slow-path
    /// call of cached operations and the exit-stub tails.
    pub(crate) tramp: super::cache::Trampolines,
    /// Address of the indirect-branch lookup table (`[LookupEntry; LOOKUP_SIZE]`).
    lookup_addr: usize,
    pub(crate) lookup_mask: u64,
    /// Guest pc of the block's first instruction.
    pub block_pc: u64,
    /// Guest pc of the instruction being translated.
    pub pc: u64,
    /// The instruction being translated.
    pub insn: Insn,
    pub(crate) chains: Vec<ChainExit>,
    /// Out-of-line exit taken when `cpu.interrupt` is set at block entry.
    interrupt_stub: Option<dynasmrt::DynamicLabel>,
    /// Set by [`Emitter::save_flags`]: the x86 flags hold NZCV of that kind (until the next
    /// instruction starts; the block former moves it to `flags_live`).
    pub(crate) host_flags: Option<FlagKind>,
    /// For the instruction being translated: the x86 flags still describe NZCV (set by the
    /// previous instruction, nothing emitted since clobbers them).
    pub(crate) flags_live: Option<FlagKind>,
    /// NZCV of an integer flag setter not yet stored to `CpuState` (its kind and width):
    /// the x86 flags and rax still hold it. [`Emitter::flush_flags`] stores it; the block
    /// former does so before every instruction except a B.cond, which may store it only on
    /// the paths that need it (see [`Emitter::goto_self`]).
    pub(crate) pending_flags: Option<(FlagKind, bool)>,
    /// Whether the block's first instructions overwrite NZCV before anything can read it
    /// (computed on first use by [`Emitter::head_kills_flags`]).
    head_kills: Option<bool>,
    /// (host offset, guest pc - block pc) for each instruction start: maps host faults to
    /// guest pcs (`Jit::install` appends it to `JitState::pc_maps`).
    pub(crate) pc_map: Vec<(u32, u32)>,
    /// This block's register mapping: [`MAPPED`] with the swaps applied.
    map: [(u32, u8); 9],
    /// The same by guest register number: host register, or 0 (rax, never mapped) for none.
    host_tab: [u8; 32],
    /// (mapped guest register spilled, guest register loaded instead, host register), set by
    /// [`Emitter::enter_swaps`]; every exit to code that expects [`MAPPED`] undoes them.
    pub(crate) swaps: Vec<(u32, u32, u8)>,
    /// Host offset of the loop head: after the swaps, an interrupt check, then the body.
    pub(crate) head: usize,
    /// Out-of-line exit for an interrupt seen at the loop head (undoes the swaps first).
    head_interrupt_stub: Option<dynasmrt::DynamicLabel>,
    /// Back-edges to the block's own start: the offsets of their rel32s. Each first points
    /// to its stub (undo swaps, exit LOOKUP) and is linked to the loop head once the block is
    /// in the cache (`Jit::install`), like a chain.
    pub(crate) self_links: Vec<usize>,
    /// A forward conditional branch translated inside the block (see
    /// [`Emitter::skip_forward`]): its target pc and the label to bind there.
    pub(crate) pending_skip: Option<(u64, dynasmrt::DynamicLabel)>,
    /// Set by a translator that continues the block somewhere other than the next
    /// instruction (see [`Emitter::follow_taken`]); taken by the block former.
    pub(crate) next_pc: Option<u64>,
    /// The block's last exit when it is an unconditional direct branch that every run of the
    /// block reaches (set by [`Emitter::goto_successor`]): (offset of its rel32, target pc).
    pub(crate) successor: Option<(usize, u64)>,
    /// Whether the block already followed a taken branch (one per block).
    followed: bool,
    /// Conditional branches the block has continued through on their not-taken side.
    fallthroughs: u32,
    /// Guest V registers cached in xmm registers at this point (`jit::vcache`).
    pub(crate) vc: super::vcache::VCache,
    /// Out-of-line slow paths of cached operations, emitted after the block body.
    pub(crate) cold: Vec<super::vcache::ColdCall>,
    /// The V-register cache state at the loop head (`Emitter::vc_pin`).
    pub(crate) vc_head: super::vcache::VCache,
    /// V registers an instruction that writes them should keep in the cache
    /// (`vcache::PinScan::keep`); the others may be written to `CpuState::v` only.
    pub(crate) vc_keep: u32,
    /// The words of the block's straight-line prefix from its start, decoded once by the
    /// block former's prescan (`block::choose_swaps`) and used again when translating them.
    pub(crate) prescan: super::block::Prescan,
    /// This is a block's exact-FP variant: every inline FP/AdvSIMD operation tests FPCR
    /// itself and takes its helper unless FPCR is plain IEEE 754 (see [`Emitter::fpcr_check`]).
    pub(crate) exact_fp: bool,
    /// Whether FPCR has been checked on every path to this point of the block (and was
    /// plain IEEE 754, else the block left for its exact variant).
    pub(crate) fpcr_checked: bool,
    /// `fpcr_checked` where the pending forward skip ([`Emitter::skip_forward`]) branched.
    fpcr_checked_at_skip: bool,
    /// FPCR checks that failed: the stub label and the guest pc of the instruction to
    /// resume at in the exact variant.
    fpcr_exits: Vec<(dynasmrt::DynamicLabel, u64)>,
}

impl Emitter {
    /// An emitter for blocks that exit through the trampolines `tramp` and probe the lookup
    /// table at `lookup_addr`; [`Emitter::begin`] starts each block.
    pub(crate) fn new(tramp: super::cache::Trampolines, lookup_addr: usize, lookup_mask: u64) -> Emitter {
        Emitter {
            ops: Asm::new(0),
            base: 0,
            tramp,
            lookup_addr,
            lookup_mask,
            block_pc: 0,
            pc: 0,
            insn: Insn(0),
            chains: Vec::with_capacity(8),
            interrupt_stub: None,
            host_flags: None,
            flags_live: None,
            pending_flags: None,
            head_kills: None,
            map: MAPPED,
            host_tab: GLOBAL_HOST_TAB,
            swaps: Vec::with_capacity(super::block::MAX_SWAPS),
            head: 0,
            head_interrupt_stub: None,
            self_links: Vec::with_capacity(4),
            pending_skip: None,
            next_pc: None,
            successor: None,
            followed: false,
            fallthroughs: 0,
            vc: super::vcache::VCache::new(),
            cold: Vec::with_capacity(8),
            vc_head: super::vcache::VCache::new(),
            vc_keep: u32::MAX,
            pc_map: Vec::with_capacity(64),
            prescan: super::block::Prescan::new(),
            exact_fp: false,
            fpcr_checked: false,
            fpcr_checked_at_skip: false,
            fpcr_exits: Vec::with_capacity(4),
        }
    }

    /// Start the block at guest `pc`, to be placed at host address `base` (written there
    /// directly while it fits in the `room` bytes from `base` on, `Asm::reset_in_place`): every per-block
    /// field starts afresh, in place (the exhaustive destructuring names every field, so none
    /// can be forgotten: a new field fails to compile here until it is given its start
    /// value), only the buffers' allocations are kept.
    pub(crate) fn begin(&mut self, base: usize, room: usize, pc: u64) {
        let Emitter {
            ops,
            base: base_field,
            tramp: _,
            lookup_addr: _,
            lookup_mask: _,
            block_pc,
            pc: pc_field,
            insn,
            chains,
            interrupt_stub,
            host_flags,
            flags_live,
            pending_flags,
            head_kills,
            map,
            host_tab,
            swaps,
            head,
            head_interrupt_stub,
            self_links,
            pending_skip,
            next_pc,
            successor,
            followed,
            fallthroughs,
            vc,
            cold,
            vc_head,
            vc_keep,
            pc_map,
            prescan,
            exact_fp,
            fpcr_checked,
            fpcr_checked_at_skip,
            fpcr_exits,
        } = self;
        ops.reset_in_place(base, room);
        *base_field = base;
        *block_pc = pc;
        *pc_field = pc;
        *insn = Insn(0);
        chains.clear();
        *interrupt_stub = None;
        *host_flags = None;
        *flags_live = None;
        *pending_flags = None;
        *head_kills = None;
        *map = MAPPED;
        *host_tab = GLOBAL_HOST_TAB;
        swaps.clear();
        *head = 0;
        *head_interrupt_stub = None;
        self_links.clear();
        *pending_skip = None;
        *next_pc = None;
        *successor = None;
        *followed = false;
        *fallthroughs = 0;
        *vc = super::vcache::VCache::new();
        cold.clear();
        *vc_head = super::vcache::VCache::new();
        *vc_keep = u32::MAX;
        pc_map.clear();
        prescan.clear();
        *exact_fp = false;
        *fpcr_checked = false;
        *fpcr_checked_at_skip = false;
        fpcr_exits.clear();
    }

    /// Absolute host address of the current emission point.
    pub fn here(&self) -> usize {
        self.base + self.ops.offset().0
    }

    // ---------------------------------------------------------------- guest registers

    /// The host register holding guest register `n` (31 = SP) in this block, or 0 (rax: the
    /// register lives in `CpuState::x`).
    pub(crate) fn host_or_zero(&self, n: u32) -> u8 {
        self.host_tab[n as usize & 31]
    }

    /// The host register holding guest register `n` (31 = SP) in this block, if any.
    pub(crate) fn host_of(&self, n: u32) -> Option<u8> {
        let h = self.host_or_zero(n);
        (h != 0).then_some(h)
    }

    /// Apply register swaps at the block entry (after the prologue): each (old, new) spills
    /// mapped guest register `old` and loads `new` into its host register for this block.
    pub(crate) fn enter_swaps(&mut self, swaps: &[(u32, u32)]) {
        for &(old, new) in swaps {
            let Some(k) = self.map.iter().position(|m| m.0 == old) else { continue };
            let h = self.map[k].1;
            self.ops.store_rbx(off_x(old), h);
            self.ops.load_rbx(true, h, off_x(new));
            self.map[k].0 = new;
            self.host_tab[old as usize] = 0;
            self.host_tab[new as usize] = h;
            self.swaps.push((old, new, h));
        }
        // The loop head: back-edges of the block to itself land here, keeping the swaps
        // (they check `cpu.interrupt` themselves, see `goto_self`).
        self.head = self.ops.offset().0;
    }

    /// Undo the swaps before leaving the block (plain moves: x86 flags and rax survive).
    fn restore_global(&mut self) {
        for k in 0..self.swaps.len() {
            let (old, new, h) = self.swaps[k];
            self.ops.store_rbx(off_x(new), h);
            self.ops.load_rbx(true, h, off_x(old));
        }
    }

    /// Load X`n` (64-bit, `sf`) or W`n` (32-bit, zero-extended) into host register `h`.
    /// (The moves are `Asm`'s hand-encoded forms of `mov Rq(h), Rq(g)` and
    /// `mov Rq(h), QWORD [cpu + off_x(n)]`, same bytes.)
    #[inline(always)]
    pub fn load_x(&mut self, h: u8, n: u32, sf: bool, r31: R31) {
        if n == 31 && r31 == R31::Zr {
            self.ops.alu_rr(super::asm::alu::XOR, false, h, h);
        } else {
            let g = self.host_or_zero(n);
            // (a 64-bit move onto itself is nothing; a 32-bit one zero-extends)
            if !(sf && g == h && g != 0) {
                // `mov_rr(sf, h, g)` from the host register, else `load_rbx(sf, h, off_x(n))`
                self.ops.mov_rr_or_load_rbx(sf, h, g, off_x(n & 31));
            }
        }
    }

    /// [`Emitter::load_x`] with XZR (register 31) as `mov r, 0`: moves only, so the x86 flags
    /// survive (for code that still reads the previous instruction's flags).
    pub fn load_x_keep_flags(&mut self, h: u8, n: u32, sf: bool) {
        if n == 31 {
            dasm!(self.ops; mov Rd(h), 0);
        } else {
            self.load_x(h, n, sf, R31::Zr);
        }
    }

    /// Store host register `h` to X`n` (`sf`) or W`n` (32-bit: the upper half becomes zero;
    /// `h` itself may be left as it was). Writing register 31 as ZR discards the value.
    #[inline(always)]
    pub fn store_x(&mut self, n: u32, h: u8, sf: bool, r31: R31) {
        if n == 31 && r31 == R31::Zr {
            return;
        }
        if let (false, Some(g)) = (sf, self.host_of(n)) {
            // a 32-bit move zero-extends
            self.ops.mov_rr(false, g, h);
            return;
        }
        if !sf {
            self.ops.mov_rr(false, h, h);
        }
        // `mov_rr(true, g, h)` to the host register, else `store_rbx(off_x(n), h)`
        self.ops.mov_rr_or_store_rbx(self.host_or_zero(n), h, off_x(n & 31));
    }

    /// V`d` = rax zero-extended to 128 bits, as one 16-byte store (two 8-byte stores would make
    /// the next 16-byte load of V`d` miss store-to-load forwarding). Clobbers xmm0.
    pub fn store_v_from_rax(&mut self, d: u32) {
        dasm!(self.ops
            ; movq xmm0, rax
            ; movdqu [cpu + off_v(d)], xmm0
        );
    }

    /// Store every mapped guest register to `CpuState::x` (before a helper call).
    pub fn flush_mapped(&mut self) {
        for (n, g) in self.map {
            self.ops.store_rbx(off_x(n), g);
        }
    }

    /// Reload every mapped guest register from `CpuState::x` (after a helper call).
    pub fn reload_mapped(&mut self) {
        for (n, g) in self.map {
            self.ops.load_rbx(true, g, off_x(n));
        }
    }

    /// Set X`n` to a constant.
    pub fn store_x_imm(&mut self, n: u32, value: u64, r31: R31) {
        if n == 31 && r31 == R31::Zr {
            return;
        }
        if let Some(g) = self.host_of(n) {
            self.mov_imm(g, value);
        } else {
            self.mov_imm(reg::RAX, value);
            dasm!(self.ops; mov QWORD [cpu + off_x(n)], rax);
        }
    }

    /// `mov h, imm` with the shortest encoding.
    /// (`Asm`'s hand-encoded forms of `xor Rd(h), Rd(h)`, `mov Rd(h), imm32`,
    /// `mov Rq(h), imm32` and `mov Rq(h), QWORD imm64`, same bytes.)
    pub fn mov_imm(&mut self, h: u8, value: u64) {
        if value == 0 {
            self.ops.alu_rr(super::asm::alu::XOR, false, h, h);
        } else if value <= u32::MAX as u64 {
            self.ops.mov_r32_imm(h, value as u32);
        } else if (value as i64) >= i32::MIN as i64 && (value as i64) <= i32::MAX as i64 {
            self.ops.mov_r64_simm32(h, value as i32);
        } else {
            self.ops.mov_r64_imm64(h, value);
        }
    }

    /// Store the constant `pc` into `cpu.pc`.
    pub fn set_pc(&mut self, pc: u64) {
        self.mov_imm(reg::RAX, pc);
        dasm!(self.ops; mov QWORD [cpu + OFF_PC as i32], rax);
    }

    // ---------------------------------------------------------------- flags

    /// Record NZCV from the x86 flags of the operation that just produced its result in rax
    /// (32-bit result in eax when `!sf`). Must directly follow that operation. Nothing is
    /// stored yet ([`Emitter::pending_flags`]): until [`Emitter::flush_flags`], the
    /// instruction may emit only code that keeps the x86 flags and rax (`store_x` of the
    /// result, which is plain moves).
    pub fn save_flags(&mut self, kind: FlagKind, sf: bool) {
        self.host_flags = Some(kind);
        self.pending_flags = Some((kind, sf));
    }

    /// [`Emitter::save_flags`] when `kind` is given, without a branch on it; nothing
    /// otherwise (at an instruction's start neither is set: the block former has taken the
    /// host flags and stored the pending NZCV).
    pub fn save_flags_if(&mut self, kind: Option<FlagKind>, sf: bool) {
        debug_assert!(self.host_flags.is_none() && self.pending_flags.is_none());
        self.host_flags = kind;
        self.pending_flags = kind.map(|k| (k, sf));
    }

    /// Store the pending NZCV (if any) to `CpuState` from the x86 flags and rax. Leaves the
    /// x86 flags and rax intact; clobbers rcx.
    pub fn flush_flags(&mut self) {
        if let Some((kind, sf)) = self.pending_flags.take() {
            self.store_flags(kind, sf);
        }
    }

    /// The stores of [`Emitter::flush_flags`].
    fn store_flags(&mut self, kind: FlagKind, sf: bool) {
        match kind {
            FlagKind::Add => dasm!(self.ops
                ; setc BYTE [cpu + OFF_FLAG_C as i32]
                ; seto BYTE [cpu + OFF_FLAG_V as i32]
            ),
            // Arm C after a subtraction is NOT borrow.
            FlagKind::Sub => dasm!(self.ops
                ; setae BYTE [cpu + OFF_FLAG_C as i32]
                ; seto BYTE [cpu + OFF_FLAG_V as i32]
            ),
            FlagKind::Logic | FlagKind::Fcmp => dasm!(self.ops; mov WORD [cpu + OFF_FLAG_C as i32], 0),
        }
        if sf {
            dasm!(self.ops
                ; mov QWORD [cpu + OFF_FLAG_N as i32], rax
                ; mov QWORD [cpu + OFF_FLAG_Z as i32], rax
            );
        } else {
            dasm!(self.ops
                ; movsxd rcx, eax
                ; mov QWORD [cpu + OFF_FLAG_N as i32], rcx
                ; mov QWORD [cpu + OFF_FLAG_Z as i32], rcx
            );
        }
    }

    /// Whether the block's first instructions write NZCV before anything could read it or
    /// leave the block (then a back-edge to the block's start need not store NZCV): they are
    /// integer, load/store and FP/AdvSIMD instructions that do not read NZCV, up to an
    /// integer or FP comparison that sets all four flags. A fault or UNDEFINED encoding among
    /// those first instructions does leave the block: its signal frame then shows the NZCV
    /// stored before the loop's last compare. That value is dead (overwritten before any
    /// read if the handler returns), so only a handler that inspects it could tell.
    pub(crate) fn head_kills_flags(&mut self) -> bool {
        if let Some(k) = self.head_kills {
            return k;
        }
        let k = head_kills(self.prescan.as_slice());
        self.head_kills = Some(k);
        k
    }

    /// Whether the instructions from guest `pc` on (at most [`MAX_KILL_SCAN`]) overwrite NZCV
    /// before reading it: then NZCV pending before a branch whose not-taken side goes on at
    /// `pc` is dead there (see [`Emitter::fall_through_flags_dead`]). The same imprecision as
    /// [`Emitter::head_kills_flags`]: a fault or UNDEFINED encoding before the overwrite shows
    /// the NZCV of the compare before, which nothing reads.
    pub(crate) fn kills_flags_from(&self, pc: u64) -> bool {
        let mut reader = crate::mem::GuestReader::new();
        let words = (0..MAX_KILL_SCAN).map_while(|k| {
            let w = reader.read_u32(pc + 4 * k)?;
            Some((w, crate::arch::decode(w)))
        });
        kills_flags(words)
    }

    /// Set the flags to the constant NZCV nibble `nzcv` (bits 3:0 = N Z C V).
    pub fn set_flags_imm(&mut self, nzcv: u32) {
        let n = if nzcv & 8 != 0 { -1 } else { 0 };
        let z = if nzcv & 4 != 0 { 0 } else { 1 };
        let c = ((nzcv >> 1) & 1) as i8;
        let v = (nzcv & 1) as i8;
        dasm!(self.ops
            ; mov QWORD [cpu + OFF_FLAG_N as i32], n
            ; mov QWORD [cpu + OFF_FLAG_Z as i32], z
            ; mov BYTE [cpu + OFF_FLAG_C as i32], c
            ; mov BYTE [cpu + OFF_FLAG_V as i32], v
        );
    }

    /// eax = NZCV (bits 31:28) from the split flags. Clobbers rcx.
    pub fn materialize_nzcv(&mut self) {
        emit_materialize_nzcv(&mut self.ops);
    }

    /// Split the NZCV value in eax (bits 31:28) into the flags. Clobbers rcx.
    pub fn split_nzcv(&mut self) {
        emit_split_nzcv(&mut self.ops);
    }

    /// Evaluate Arm condition `cond` (ConditionHolds) from the flags, leaving x86 ZF = 0 when
    /// the condition holds (so `jnz`/`cmovnz`/`setnz` act on "holds"). Clobbers eax, ecx.
    pub fn eval_cond(&mut self, cond: u32) {
        emit_eval_cond(&mut self.ops, cond);
    }

    /// The x86 condition that tests Arm condition `cond` now: the live x86 flags of the previous
    /// instruction when they express it, else [`Emitter::stored_cond`].
    pub(crate) fn cond_cc(&mut self, cond: u32) -> X86Cc {
        if let Some(cc) = self.flags_live.and_then(|k| host_cc(k, cond)) {
            return cc;
        }
        self.stored_cond(cond)
    }

    /// Test Arm condition `cond` on the NZCV stored in `CpuState` and return the x86 condition
    /// that then means "holds": one compare of the flag for EQ/NE, CS/CC, MI/PL and VS/VC
    /// ([`emit_stored_cc`]), else [`Emitter::eval_cond`] (then "holds" is ZF = 0, i.e. Ne).
    /// The bytes of each of the 16 come from a table made once with those two functions
    /// (`dynasm!` stays the encoder), copied without a branch on `cond`. Clobbers eax, ecx.
    pub(crate) fn stored_cond(&mut self, cond: u32) -> X86Cc {
        let t = &cond_tests()[cond as usize & 15];
        t.emit(&mut self.ops);
        t.holds
    }

    // A conditional branch that does not end the block takes one of three shapes, tried in
    // this order by `branch.rs`; each `can_*` is side-effect free, so the branch's test is
    // emitted only once the shape is chosen.

    /// A short forward conditional branch over straight-line code (an if-then) can stay inside
    /// the block: it skips 1 to [`MAX_SKIP`] instructions that all decode to non-branch rows.
    pub(crate) fn can_skip(&self, target: u64) -> bool {
        self.pending_skip.is_none() && self.head != 0 && skip_ok(self.pc, target)
    }

    /// The if-then of [`Emitter::can_skip`]: a local `j<cc>` (x86 condition for "taken") to a
    /// label that the block former binds at `target`; the block continues with the next
    /// instruction.
    pub(crate) fn skip_forward(&mut self, target: u64, cc: X86Cc) {
        let label = self.ops.new_dynamic_label();
        self.jcc_label(cc, label);
        self.pending_skip = Some((target, label));
        self.fpcr_checked_at_skip = self.fpcr_checked;
    }

    /// At the join of the pending forward skip: an FPCR check inside the skipped region does
    /// not cover the path around it.
    pub(crate) fn fpcr_join(&mut self) {
        self.fpcr_checked = self.fpcr_checked_at_skip;
    }

    /// The FPCR condition of an inline FP/AdvSIMD form that is exact only under plain IEEE
    /// 754 (round to nearest, no FZ/DN/AHP; `mask` is what the form depends on, a subset of
    /// `FPCR_NON_IEEE`). Returns the label of the form's out-of-line slow path, for its
    /// other guards.
    ///
    /// In a block, the first such form on each path checks FPCR once (as QEMU keys its
    /// translation blocks by FPCR mode): when FPCR is not plain IEEE the block leaves there,
    /// at that instruction, for its exact variant (`exit::CHAIN_EXACT`: translated with
    /// `exact_fp`, chained like any direct branch), where every form tests `mask` itself and
    /// takes its helper. FPCR changes only by MSR, which resets the check
    /// (`branch::msr`), and between blocks (signal frames, `rt_sigreturn`).
    pub(crate) fn fpcr_check(&mut self, mask: u32) -> dynasmrt::DynamicLabel {
        let slow = self.ops.new_dynamic_label();
        if self.exact_fp {
            dasm!(self.ops
                ; test DWORD [cpu + OFF_FPCR as i32], mask as i32
                ; jnz =>slow
            );
        } else if !self.fpcr_checked {
            let exit = self.ops.new_dynamic_label();
            dasm!(self.ops
                ; test DWORD [cpu + OFF_FPCR as i32], crate::cpu::FPCR_NON_IEEE as i32
                ; jnz =>exit
            );
            self.fpcr_exits.push((exit, self.pc));
            self.fpcr_checked = true;
        }
        slow
    }

    /// A forward conditional branch whose target leads straight back to this block's start
    /// (a loop laid out as "test; b.cond body; exit...; body: ...; b.cond test") can continue
    /// the block at the target (once per block), so that the loop becomes one block with a
    /// self back-edge.
    pub(crate) fn can_follow(&self, target: u64) -> bool {
        !self.followed && self.pending_skip.is_none() && self.head != 0 && loops_back(target, self.block_pc)
    }

    /// Follow the taken side of the branch ([`Emitter::can_follow`]): the not-taken side
    /// (`taken_cc` false) becomes a chained side exit to the next instruction and the block
    /// goes on at `target`. The block's guest range is then the hull [block start, last
    /// instruction], which invalidation treats conservatively.
    pub(crate) fn follow_taken(&mut self, target: u64, taken_cc: X86Cc) {
        self.followed = true;
        let fallthrough = self.pc + 4;
        self.goto_direct_if_cc(taken_cc.inverse(), fallthrough);
        self.next_pc = Some(target);
    }

    /// Otherwise the block may still continue on the not-taken side (a superblock), up to
    /// [`MAX_FALLTHROUGHS`] branches per block.
    pub(crate) fn can_fall_through(&self) -> bool {
        self.fallthroughs < MAX_FALLTHROUGHS && self.head != 0 && self.pending_skip.is_none()
    }

    /// The superblock of [`Emitter::can_fall_through`]: the taken side (`taken_cc`) becomes a
    /// chained side exit to `target` and the block goes on with the next instruction.
    pub(crate) fn fall_through(&mut self, target: u64, taken_cc: X86Cc) {
        self.fallthroughs += 1;
        self.goto_direct_if_cc(taken_cc, target);
    }

    /// [`Emitter::fall_through`] with NZCV still pending ([`Emitter::pending_flags`]) and dead
    /// on the not-taken side ([`Emitter::kills_flags_from`]): only the side exit stores it.
    pub(crate) fn fall_through_flags_dead(&mut self, target: u64, taken_cc: X86Cc) {
        self.fallthroughs += 1;
        let Some((kind, sf)) = self.pending_flags.take() else {
            self.goto_direct_if_cc(taken_cc, target);
            return;
        };
        // (jcc, the stores and the exit's moves keep the x86 flags and rax the stores use)
        let skip = self.jcc_unless(taken_cc);
        self.store_flags(kind, sf);
        self.goto_direct(target);
        dasm!(self.ops; =>skip);
    }

    /// Patchable `jcc rel32` to the chain stub of `target` for x86 condition `cc`; falls
    /// through when `cc` does not hold.
    pub(crate) fn goto_direct_if_cc(&mut self, cc: X86Cc, target: u64) {
        if target == self.block_pc && self.head != 0 {
            self.goto_self(cc);
            return;
        }
        if !self.swaps.is_empty() {
            // The taken path must undo the swaps first: skip over it on the inverse condition.
            if cc == X86Cc::Always {
                self.goto_direct(target);
                return;
            }
            let skip = self.jcc_unless(cc);
            self.goto_direct(target);
            dasm!(self.ops; =>skip);
            return;
        }
        let site = self.patchable_jump(cc);
        self.chains.push(ChainExit { site, target, exact: false });
    }

    /// A back-edge to the block's own start on x86 condition `cc`: an interrupt check, then a
    /// patchable `jmp rel32` that goes to the loop head (after the swaps) once linked, else to
    /// a stub that undoes the swaps and leaves with LOOKUP.
    ///
    /// With NZCV pending ([`Emitter::pending_flags`], only when the block's head overwrites
    /// it, see `branch::cond_branch`), the back-edge does not store it: the interrupt check
    /// (MOV + JRCXZ, which keep the x86 flags) stores it only on its way out, and the
    /// not-taken side stores it after the branch.
    fn goto_self(&mut self, cc: X86Cc) {
        let pending = self.pending_flags.take();
        let skip = (cc != X86Cc::Always).then(|| self.jcc_unless(cc));
        self.vc_to_head();
        let stub = *self.head_interrupt_stub.get_or_insert_with(|| self.ops.new_dynamic_label());
        match pending {
            None => dasm!(self.ops
                ; cmp DWORD [cpu + OFF_INTERRUPT as i32], 0
                ; jne =>stub
            ),
            Some((kind, sf)) => {
                dasm!(self.ops
                    ; mov ecx, DWORD [cpu + OFF_INTERRUPT as i32]
                    ; jrcxz >go
                );
                self.store_flags(kind, sf);
                dasm!(self.ops
                    ; jmp =>stub
                    ; go:
                );
            }
        }
        let site = self.patchable_jump(X86Cc::Always);
        self.self_links.push(site);
        if let Some(skip) = skip {
            dasm!(self.ops; =>skip);
        }
        if let Some((kind, sf)) = pending {
            self.store_flags(kind, sf);
        }
    }

    /// `j<cc> rel32` (or `jmp rel32` for Always) to a dynamic label.
    fn jcc_label(&mut self, cc: X86Cc, l: dynasmrt::DynamicLabel) {
        match cc {
            X86Cc::E => dasm!(self.ops; je =>l),
            X86Cc::Ne => dasm!(self.ops; jne =>l),
            X86Cc::Ae | X86Cc::Nc => dasm!(self.ops; jae =>l),
            X86Cc::B | X86Cc::C => dasm!(self.ops; jb =>l),
            X86Cc::S => dasm!(self.ops; js =>l),
            X86Cc::Ns => dasm!(self.ops; jns =>l),
            X86Cc::O => dasm!(self.ops; jo =>l),
            X86Cc::No => dasm!(self.ops; jno =>l),
            X86Cc::A => dasm!(self.ops; ja =>l),
            X86Cc::Be => dasm!(self.ops; jbe =>l),
            X86Cc::Ge => dasm!(self.ops; jge =>l),
            X86Cc::L => dasm!(self.ops; jl =>l),
            X86Cc::G => dasm!(self.ops; jg =>l),
            X86Cc::Le => dasm!(self.ops; jle =>l),
            X86Cc::Always => dasm!(self.ops; jmp =>l),
        }
    }

    /// A `jmp rel32` (`cc` Always) or `jcc rel32`, placed so that the rel32 is 4-byte aligned
    /// (patching it is one atomic store). Returns the rel32's offset; it points nowhere until
    /// its stub is emitted (`Asm::patch_rel32` in [`Emitter::emit_chain_stubs`]).
    fn patchable_jump(&mut self, cc: X86Cc) -> usize {
        // E9, or 0F 8x
        let (opcode, len) = match cc {
            X86Cc::Always => (0xe9u64, 1),
            _ => (0x0f | (0x80 | cc.code() as u64) << 8, 2),
        };
        // NOPs so that the rel32 after the opcode is 4-byte aligned, stored with the opcode
        // (not a loop whose trip count is as random as the code before it), then the rel32
        let pad = (4 - (self.here() + len) % 4) % 4;
        let nops = 0x0090_9090u64 & ((1u64 << (8 * pad)) - 1);
        self.ops.put_word(nops | opcode << (8 * pad), pad + len);
        self.ops.put_word(0, 4);
        self.ops.offset().0 - 4
    }

    /// `j<not cc>` to a new label, which the caller binds after its code for "cc holds".
    pub(crate) fn jcc_unless(&mut self, cc: X86Cc) -> dynasmrt::DynamicLabel {
        let skip = self.ops.new_dynamic_label();
        self.jcc_label(cc.inverse(), skip);
        skip
    }

    /// x86 CF = Arm C (for ADC), or NOT C (`invert`, for SBC's borrow). `flag_c` is 0 or 1
    /// and is read as the byte it was stored as (a wider load from a byte store defeats
    /// store-to-load forwarding: a stall of a dozen cycles right after a compare).
    pub fn carry_to_host(&mut self, invert: bool) {
        // CF = (flag_c < 1) = NOT C
        dasm!(self.ops; cmp BYTE [cpu + OFF_FLAG_C as i32], 1);
        if !invert {
            dasm!(self.ops; cmc);
        }
    }

    // ---------------------------------------------------------------- helpers

    /// Call `f(cpu, insn_word)` (an out-of-line helper). Clobbers all scratch registers.
    pub fn call_insn_helper(&mut self, f: InsnHelper) {
        let word = self.insn.0;
        self.vc_clear();
        self.flush_mapped();
        dasm!(self.ops
            ; mov rdi, rbx
            ; mov esi, word as i32
            ; mov rax, QWORD f as usize as i64
            ; call rax
        );
        self.reload_mapped();
    }

    /// Call a helper that touches no general-purpose register (only V registers, FPCR, FPSR):
    /// the mapped registers stay in host registers; the caller-saved ones are preserved on the
    /// stack around the call (four pushes keep rsp 16-byte aligned). Arguments after the cpu
    /// are already in rsi, rdx, rcx.
    pub fn call_raw_vonly(&mut self, f: usize) {
        // xmm registers are caller-saved: nothing stays cached across a call.
        self.vc_clear();
        dasm!(self.ops
            ; push r8
            ; push r9
            ; push r10
            ; push r11
            ; mov rdi, rbx
            ; mov rax, QWORD f as i64
            ; call rax
            ; pop r11
            ; pop r10
            ; pop r9
            ; pop r8
        );
    }

    /// [`Emitter::call_insn_helper`] for a helper that touches no general-purpose register.
    pub fn call_insn_helper_vonly(&mut self, f: InsnHelper) {
        let word = self.insn.0;
        dasm!(self.ops; mov esi, word as i32);
        self.call_raw_vonly(f as usize);
    }

    /// Like [`Emitter::call_insn_helper`] for a helper that reads or writes `CpuState::nzcv`
    /// (FCMP, FCCMP, FCSEL): the flags are put into `nzcv` before and split after.
    pub fn call_insn_helper_flags(&mut self, f: InsnHelper) {
        self.materialize_nzcv();
        dasm!(self.ops; mov QWORD [cpu + OFF_NZCV as i32], rax);
        self.call_insn_helper(f);
        dasm!(self.ops; mov eax, DWORD [cpu + OFF_NZCV as i32]);
        self.split_nzcv();
    }

    /// Call `f(cpu, insn_word) -> status` (status in eax). Clobbers all scratch registers.
    pub fn call_insn_helper_status(&mut self, f: extern "C" fn(*mut CpuState, u32) -> u32) {
        let word = self.insn.0;
        self.vc_clear();
        self.flush_mapped();
        dasm!(self.ops
            ; mov rdi, rbx
            ; mov esi, word as i32
            ; mov rax, QWORD f as usize as i64
            ; call rax
        );
        self.reload_mapped();
    }

    /// Call an arbitrary `extern "C"` helper whose first argument is the cpu: the caller has
    /// already put the remaining arguments in rsi, rdx, rcx, r8, r9. Result in rax.
    pub fn call_raw(&mut self, f: usize) {
        self.vc_clear();
        self.flush_mapped();
        dasm!(self.ops
            ; mov rdi, rbx
            ; mov rax, QWORD f as i64
            ; call rax
        );
        self.reload_mapped();
    }

    // ---------------------------------------------------------------- exits

    /// Leave translated code with `code`; `cpu.pc` is set to `pc`.
    pub fn exit_with(&mut self, code: u32, pc: u64) {
        self.set_pc(pc);
        self.jmp_exit(code);
    }

    /// `mov eax, code; jmp exit` (cpu.pc must already be right).
    pub fn jmp_exit(&mut self, code: u32) {
        self.restore_global();
        self.jmp_exit_global(code);
    }

    /// [`Emitter::jmp_exit`] from a place where the registers are already as in [`MAPPED`]
    /// (the chain and interrupt stubs).
    fn jmp_exit_global(&mut self, code: u32) {
        let exit = self.tramp.exit;
        dasm!(self.ops
            ; mov eax, code as i32
            ; jmp extern exit
        );
    }

    /// Leave with `code` and `exit_arg` = `arg`.
    pub fn exit_with_arg(&mut self, code: u32, pc: u64, arg: u64) {
        self.mov_imm(reg::RAX, arg);
        dasm!(self.ops; mov QWORD [cpu + OFF_EXIT_ARG as i32], rax);
        self.exit_with(code, pc);
    }

    /// End the block with the current instruction UNDEFINED.
    pub fn emit_undefined(&mut self) {
        let (pc, word) = (self.pc, self.insn.0 as u64);
        self.exit_with_arg(exit::UNDEFINED, pc, word);
    }

    /// Direct branch to a constant guest `target`: a patchable `jmp rel32` that first goes to
    /// a stub (exit CHAIN), and once the dispatcher has patched it, straight to the target block.
    pub fn goto_direct(&mut self, target: u64) {
        if target == self.block_pc && self.head != 0 {
            self.goto_self(X86Cc::Always);
            return;
        }
        self.chain_exit(target, false);
    }

    /// [`Emitter::goto_direct`] as the block's final exit, the one way out of the block (no
    /// side exit before it): `Jit` may translate `target` right away and link the jump before
    /// the block first runs (see `Jit::lookup_or_translate`).
    pub fn goto_successor(&mut self, target: u64) {
        let sole = self.chains.is_empty() && self.pending_skip.is_none();
        let before = self.chains.len();
        self.goto_direct(target);
        if sole && self.chains.len() == before + 1 && !self.exact_fp {
            self.successor = Some((self.chains[before].site, target));
        }
    }

    /// Leave for `target` (its exact-FP variant with `exact`) through a patchable `jmp`:
    /// undo the swaps, then the jump to the chain stub that `Jit` links to the block.
    fn chain_exit(&mut self, target: u64, exact: bool) {
        self.restore_global();
        let site = self.patchable_jump(X86Cc::Always);
        self.chains.push(ChainExit { site, target, exact });
    }

    /// Indirect branch to the guest address in rax: inline lookup in the shared table,
    /// falling back to the dispatcher (exit LOOKUP). Clobbers rcx, rdx.
    pub fn goto_indirect_rax(&mut self) {
        self.restore_global();
        let table = self.lookup_addr;
        let mask = self.lookup_mask as i32;
        let exit = self.tramp.exit;
        // An entry is a block's code address (0: empty), its guest pc in the 8 bytes before
        // the code: one load of the entry, then the check of the pc it leads to.
        dasm!(self.ops
            ; mov QWORD [cpu + OFF_PC as i32], rax
            ; mov rcx, rax
            ; shr rcx, 2
            ; and ecx, mask
            ; mov rdx, QWORD table as i64
            ; mov rdx, QWORD [rdx + rcx * 8]
            ; test rdx, rdx
            ; jz >miss
            ; cmp rax, QWORD [rdx - 8]
            ; jne >miss
            ; jmp rdx
            ; miss:
            ; mov eax, exit::LOOKUP as i32
            ; jmp extern exit
        );
    }

    /// Emit the block prologue: leave (through an out-of-line stub) if `cpu.interrupt` is set.
    pub(crate) fn prologue(&mut self) {
        let stub = self.ops.new_dynamic_label();
        self.interrupt_stub = Some(stub);
        dasm!(self.ops
            ; cmp DWORD [cpu + OFF_INTERRUPT as i32], 0
            ; jne =>stub
        );
    }

    /// Emit the stubs of all direct exits (after the block body). Each is a `call` of a
    /// shared tail in the trampolines (`cache::Trampolines::chain` and the others) followed
    /// by its data, which the tail reads through the return address: 13 to 17 bytes, where
    /// the stores of the pc and the chain site and the exit would take about 40.
    pub(crate) fn emit_chain_stubs(&mut self) {
        // (room for the few fixed stubs; the lists below make room per stub)
        self.ops.room();
        if let Some(stub) = self.head_interrupt_stub.take() {
            dasm!(self.ops; =>stub);
            self.restore_global();
            self.pc_exit_stub(self.tramp.interrupt, self.block_pc);
        }
        for k in 0..self.self_links.len() {
            self.ops.room();
            self.ops.patch_rel32(self.self_links[k]);
            self.restore_global();
            self.pc_exit_stub(self.tramp.lookup, self.block_pc);
        }
        if let Some(stub) = self.interrupt_stub.take() {
            dasm!(self.ops; =>stub);
            self.pc_exit_stub(self.tramp.interrupt, self.block_pc);
        }
        // Failed FPCR checks: undo the swaps, then a chained jump to the exact variant.
        for k in 0..self.fpcr_exits.len() {
            self.ops.room();
            let (label, pc) = self.fpcr_exits[k];
            dasm!(self.ops; =>label);
            self.chain_exit(pc, true);
        }
        let chains = std::mem::take(&mut self.chains);
        for c in &chains {
            self.ops.room();
            self.ops.patch_rel32(c.site);
            let tail = if c.exact { self.tramp.chain_exact } else { self.tramp.chain };
            self.pc_exit_stub(tail, c.target);
            // then the site, relative to the data's address (the return address)
            let data = self.ops.offset().0 - 8;
            self.ops.bytes(&((c.site as i64 - data as i64) as i32).to_le_bytes());
        }
        self.chains = chains;
    }

    /// An exit stub leaving with `cpu.pc` = `pc` through the trampoline `tail`: `call tail`,
    /// then `pc` as 8 bytes of data (the chain stubs add their site after it).
    fn pc_exit_stub(&mut self, tail: usize, pc: u64) {
        self.ops.call_abs(tail);
        self.ops.u64_data(pc);
    }
}

/// [`Emitter::eval_cond`] into `ops`.
fn emit_eval_cond(ops: &mut Asm, cond: u32) {
    match cond >> 1 {
        // EQ: Z
        0 => dasm!(ops; cmp QWORD [cpu + OFF_FLAG_Z as i32], 0; sete al),
        // CS: C
        1 => dasm!(ops; cmp BYTE [cpu + OFF_FLAG_C as i32], 0; setne al),
        // MI: N
        2 => dasm!(ops; cmp QWORD [cpu + OFF_FLAG_N as i32], 0; setl al),
        // VS: V
        3 => dasm!(ops; cmp BYTE [cpu + OFF_FLAG_V as i32], 0; setne al),
        // HI: C && !Z
        4 => dasm!(ops
            ; cmp QWORD [cpu + OFF_FLAG_Z as i32], 0
            ; setne al
            ; and al, BYTE [cpu + OFF_FLAG_C as i32]
        ),
        // GE: N == V
        5 => dasm!(ops
            ; mov rcx, QWORD [cpu + OFF_FLAG_N as i32]
            ; shr rcx, 63
            ; cmp cl, BYTE [cpu + OFF_FLAG_V as i32]
            ; sete al
        ),
        // GT: !Z && N == V
        6 => dasm!(ops
            ; mov rcx, QWORD [cpu + OFF_FLAG_N as i32]
            ; shr rcx, 63
            ; cmp cl, BYTE [cpu + OFF_FLAG_V as i32]
            ; sete al
            ; cmp QWORD [cpu + OFF_FLAG_Z as i32], 0
            ; setne cl
            ; and al, cl
        ),
        // AL, NV: always
        _ => dasm!(ops; mov al, 1),
    }
    // Odd conditions (except AL/NV) are the inverse.
    if cond & 1 == 1 && cond != 0b1111 {
        dasm!(ops; xor al, 1);
    } else {
        dasm!(ops; test al, al);
    }
}

/// For a condition on one stored flag (EQ/NE, CS/CC, MI/PL, VS/VC): one compare of that flag
/// in `CpuState` with zero, and the x86 condition that then tests "holds" (no SETcc of
/// [`emit_eval_cond`]). `None`, emitting nothing, for the others.
fn emit_stored_cc(ops: &mut Asm, cond: u32) -> Option<X86Cc> {
    let (holds, fails) = match cond >> 1 {
        // EQ: the Z field (the result) is zero
        0 => {
            dasm!(ops; cmp QWORD [cpu + OFF_FLAG_Z as i32], 0);
            (X86Cc::E, X86Cc::Ne)
        }
        // CS
        1 => {
            dasm!(ops; cmp BYTE [cpu + OFF_FLAG_C as i32], 0);
            (X86Cc::Ne, X86Cc::E)
        }
        // MI: the N field's sign
        2 => {
            dasm!(ops; cmp QWORD [cpu + OFF_FLAG_N as i32], 0);
            (X86Cc::S, X86Cc::Ns)
        }
        // VS
        3 => {
            dasm!(ops; cmp BYTE [cpu + OFF_FLAG_V as i32], 0);
            (X86Cc::Ne, X86Cc::E)
        }
        _ => return None,
    };
    Some(if cond & 1 == 0 { holds } else { fails })
}

/// One entry of [`cond_tests`]: the code (at most 40 bytes, as little-endian words) and the
/// x86 condition that means "holds" after it.
struct CondTest {
    words: [u64; 5],
    lens: [usize; 5],
    holds: X86Cc,
}

impl CondTest {
    #[inline(always)]
    fn emit(&self, ops: &mut Asm) {
        let (w, l) = (&self.words, &self.lens);
        ops.put_words(&[(w[0], l[0]), (w[1], l[1]), (w[2], l[2]), (w[3], l[3]), (w[4], l[4])]);
    }
}

/// The test of Arm condition `cond` on the stored NZCV that [`Emitter::stored_cond`] copies:
/// [`emit_stored_cc`] where one flag decides, else [`emit_eval_cond`] (then "holds" is Ne).
fn emit_cond_test(ops: &mut Asm, cond: u32) -> X86Cc {
    emit_stored_cc(ops, cond).unwrap_or_else(|| {
        emit_eval_cond(ops, cond);
        X86Cc::Ne
    })
}

/// [`Emitter::stored_cond`]'s code for each Arm condition, made on first use (in one
/// assembler: each reserves its own address range).
fn cond_tests() -> &'static [CondTest; 16] {
    static TESTS: std::sync::OnceLock<[CondTest; 16]> = std::sync::OnceLock::new();
    TESTS.get_or_init(|| {
        let mut ops = Asm::new(0);
        std::array::from_fn(|cond| {
            ops.reset(0);
            let holds = emit_cond_test(&mut ops, cond as u32);
            let code = ops.code();
            assert!(code.len() <= 40, "condition test of {} bytes", code.len());
            let mut bytes = [0u8; 40];
            bytes[..code.len()].copy_from_slice(code);
            let words = std::array::from_fn(|k| u64::from_le_bytes(bytes[8 * k..8 * k + 8].try_into().unwrap()));
            let lens = std::array::from_fn(|k| code.len().saturating_sub(8 * k).min(8));
            CondTest { words, lens, holds }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Emitter::stored_cond`]'s table holds each condition's code whole: the bytes
    /// [`emit_cond_test`] emits, and the matching "holds" condition.
    #[test]
    fn stored_cond_table_is_the_emitted_code() {
        let (mut ops, mut copy) = (Asm::new(0), Asm::new(0));
        for cond in 0..16u32 {
            ops.reset(0);
            let holds = emit_cond_test(&mut ops, cond);
            let t = &cond_tests()[cond as usize];
            copy.reset(0);
            t.emit(&mut copy);
            assert_eq!(copy.code(), ops.code(), "cond {cond}");
            assert_eq!(t.holds, holds, "cond {cond}");
            assert!(!ops.code().is_empty());
        }
    }
}
