//! The emitter: one block's x86_64 code under construction, and the primitives every
//! instruction-group translator uses (guest register access, helper calls, block exits).
//!
//! Host register conventions (the only place they are chosen):
//! - `rbx` = `*mut CpuState` of the running thread, for the whole time translated code runs.
//! - `rbp`, `r12`..`r15`: reserved (callee-saved; for the future register allocator).
//! - `rax`, `rcx`, `rdx`, `rsi`, `rdi`, `r8`..`r11`: scratch within one guest instruction.
//!   Nothing is live in them across guest instructions.
//! - `rsp` is 16-byte aligned inside translated code, so a helper can be `call`ed directly.
//!
//! Rule for translators: check every UNDEFINED condition *before* emitting anything, then emit.
//! A translator that returns `Err(Undefined)` must not have emitted code.

use crate::arch::Insn;
use crate::cpu::*;
use dynasmrt::x64::X64Relocation;
use dynasmrt::{dynasm, DynasmApi, DynasmLabelApi, VecAssembler};

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

/// A pending direct-branch exit: a patchable `jmp rel32` at `site` (offset of the E9 byte).
pub(crate) struct ChainExit {
    pub site: usize,
    pub target: u64,
    pub stub: dynasmrt::DynamicLabel,
}

/// Helper called from translated code with the instruction word:
/// `extern "C" fn(cpu: *mut CpuState, insn: u32)`.
pub type InsnHelper = extern "C" fn(*mut CpuState, u32);

pub struct Emitter {
    pub ops: VecAssembler<X64Relocation>,
    base: usize,
    /// Address of the exit trampoline (eax = exit code).
    exit_addr: usize,
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
    /// (host offset, guest pc) for each instruction start: maps host faults to guest pcs.
    pub(crate) pc_map: Vec<(u32, u64)>,
}

impl Emitter {
    pub(crate) fn new(base: usize, exit_addr: usize, lookup_addr: usize, lookup_mask: u64, pc: u64) -> Emitter {
        Emitter {
            ops: VecAssembler::new(base),
            base,
            exit_addr,
            lookup_addr,
            lookup_mask,
            block_pc: pc,
            pc,
            insn: Insn(0),
            chains: Vec::new(),
            pc_map: Vec::new(),
        }
    }

    /// Absolute host address of the current emission point.
    pub fn here(&self) -> usize {
        self.base + self.ops.offset().0
    }

    // ---------------------------------------------------------------- guest registers

    /// Load X`n` (64-bit, `sf`) or W`n` (32-bit, zero-extended) into host register `h`.
    pub fn load_x(&mut self, h: u8, n: u32, sf: bool, r31: R31) {
        if n == 31 && r31 == R31::Zr {
            dasm!(self.ops; xor Rd(h), Rd(h));
        } else if sf {
            dasm!(self.ops; mov Rq(h), QWORD [cpu + off_x(n)]);
        } else {
            dasm!(self.ops; mov Rd(h), DWORD [cpu + off_x(n)]);
        }
    }

    /// Store host register `h` to X`n` (`sf`) or W`n` (32-bit: the upper half becomes zero).
    /// Writing register 31 as ZR discards the value.
    pub fn store_x(&mut self, n: u32, h: u8, sf: bool, r31: R31) {
        if n == 31 && r31 == R31::Zr {
            return;
        }
        if !sf {
            dasm!(self.ops; mov Rd(h), Rd(h));
        }
        dasm!(self.ops; mov QWORD [cpu + off_x(n)], Rq(h));
    }

    /// Set X`n` to a constant.
    pub fn store_x_imm(&mut self, n: u32, value: u64, r31: R31) {
        if n == 31 && r31 == R31::Zr {
            return;
        }
        self.mov_imm(reg::RAX, value);
        dasm!(self.ops; mov QWORD [cpu + off_x(n)], rax);
    }

    /// `mov h, imm` with the shortest encoding.
    pub fn mov_imm(&mut self, h: u8, value: u64) {
        if value == 0 {
            dasm!(self.ops; xor Rd(h), Rd(h));
        } else if value <= u32::MAX as u64 {
            dasm!(self.ops; mov Rd(h), value as i32);
        } else if (value as i64) >= i32::MIN as i64 && (value as i64) <= i32::MAX as i64 {
            dasm!(self.ops; mov Rq(h), value as i32);
        } else {
            dasm!(self.ops; mov Rq(h), QWORD value as i64);
        }
    }

    /// Store the constant `pc` into `cpu.pc`.
    pub fn set_pc(&mut self, pc: u64) {
        self.mov_imm(reg::RAX, pc);
        dasm!(self.ops; mov QWORD [cpu + OFF_PC as i32], rax);
    }

    // ---------------------------------------------------------------- flags

    /// Capture NZCV into `cpu.nzcv` from the x86 flags left by `add`/`adc`/`test`/`and`
    /// (`sub_carry` = false) or by `sub`/`sbb`/`cmp` (`sub_carry` = true: Arm C = NOT x86 CF).
    /// Clobbers rcx, rdx; preserves rax.
    pub fn save_nzcv_from_host(&mut self, sub_carry: bool) {
        // pushfq layout: CF bit 0, ZF bit 6, SF bit 7, OF bit 11.
        dasm!(self.ops
            ; pushfq
            ; pop rcx
            ; mov edx, ecx
            ; and edx, 0xC0          // SF, ZF
            ; shl edx, 24            // -> bits 31, 30
        );
        if sub_carry {
            dasm!(self.ops; xor ecx, 1);
        }
        dasm!(self.ops
            ; test ecx, 1
            ; jz >nc
            ; or edx, NZCV_C as i32
            ; nc:
            ; test ecx, 0x800
            ; jz >nv
            ; or edx, NZCV_V as i32
            ; nv:
            ; mov DWORD [cpu + OFF_NZCV as i32], edx
        );
    }

    /// Evaluate Arm condition `cond` (ConditionHolds) from `cpu.nzcv`, leaving x86 ZF = 0
    /// when the condition holds (so `jnz`/`cmovnz`/`setnz` act on "holds").
    /// Clobbers eax, ecx. For AL/NV emits `or eax, 1` (holds).
    pub fn eval_cond(&mut self, cond: u32) {
        let base = cond >> 1;
        dasm!(self.ops; mov eax, DWORD [cpu + OFF_NZCV as i32]);
        match base {
            0 => dasm!(self.ops; and eax, NZCV_Z as i32),
            1 => dasm!(self.ops; and eax, NZCV_C as i32),
            2 => dasm!(self.ops; and eax, NZCV_N as i32),
            3 => dasm!(self.ops; and eax, NZCV_V as i32),
            4 => {
                // HI: C == 1 && Z == 0
                dasm!(self.ops
                    ; and eax, (NZCV_C | NZCV_Z) as i32
                    ; xor eax, NZCV_C as i32
                    ; sete al
                    ; movzx eax, al
                    ; test eax, eax
                );
            }
            5 => {
                // GE: N == V
                dasm!(self.ops
                    ; mov ecx, eax
                    ; shl ecx, 3
                    ; xor eax, ecx
                    ; not eax
                    ; and eax, NZCV_N as i32
                );
            }
            6 => {
                // GT: Z == 0 && N == V
                dasm!(self.ops
                    ; mov ecx, eax
                    ; shl ecx, 3
                    ; xor ecx, eax        // bit 31 = N ^ V
                    ; and eax, NZCV_Z as i32
                    ; shr eax, 30
                    ; shr ecx, 31
                    ; or eax, ecx        // 1 if Z or N != V  => LE
                    ; xor eax, 1         // GT
                );
            }
            _ => dasm!(self.ops; or eax, 1),
        }
        // Odd conditions (except AL/NV) are the inverse.
        if cond & 1 == 1 && cond != 0b1111 {
            dasm!(self.ops; test eax, eax; sete al; movzx eax, al; test eax, eax);
        }
    }

    // ---------------------------------------------------------------- helpers

    /// Call `f(cpu, insn_word)` (an out-of-line helper). Clobbers all scratch registers.
    pub fn call_insn_helper(&mut self, f: InsnHelper) {
        let word = self.insn.0;
        dasm!(self.ops
            ; mov rdi, rbx
            ; mov esi, word as i32
            ; mov rax, QWORD f as usize as i64
            ; call rax
        );
    }

    /// Call `f(cpu, insn_word) -> status` (status in eax). Clobbers all scratch registers.
    pub fn call_insn_helper_status(&mut self, f: extern "C" fn(*mut CpuState, u32) -> u32) {
        let word = self.insn.0;
        dasm!(self.ops
            ; mov rdi, rbx
            ; mov esi, word as i32
            ; mov rax, QWORD f as usize as i64
            ; call rax
        );
    }

    /// Call an arbitrary `extern "C"` helper whose first argument is the cpu: the caller has
    /// already put the remaining arguments in rsi, rdx, rcx, r8, r9. Result in rax.
    pub fn call_raw(&mut self, f: usize) {
        dasm!(self.ops
            ; mov rdi, rbx
            ; mov rax, QWORD f as i64
            ; call rax
        );
    }

    // ---------------------------------------------------------------- exits

    /// Leave translated code with `code`; `cpu.pc` is set to `pc`.
    pub fn exit_with(&mut self, code: u32, pc: u64) {
        self.set_pc(pc);
        self.jmp_exit(code);
    }

    /// `mov eax, code; jmp exit` (cpu.pc must already be right).
    pub fn jmp_exit(&mut self, code: u32) {
        let exit = self.exit_addr;
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
        // Align so that the rel32 (site + 1) is 4-byte aligned: patching it is one atomic store.
        while (self.here() + 1) % 4 != 0 {
            dasm!(self.ops; nop);
        }
        let site = self.ops.offset().0;
        let stub = self.ops.new_dynamic_label();
        dasm!(self.ops; jmp =>stub);
        debug_assert_eq!(self.ops.offset().0 - site, 5, "jmp rel32 expected");
        self.chains.push(ChainExit { site, target, stub });
    }

    /// Indirect branch to the guest address in rax: inline lookup in the shared table,
    /// falling back to the dispatcher (exit LOOKUP). Clobbers rcx, rdx.
    pub fn goto_indirect_rax(&mut self) {
        let table = self.lookup_addr;
        let mask = self.lookup_mask as i32;
        let exit = self.exit_addr;
        dasm!(self.ops
            ; mov QWORD [cpu + OFF_PC as i32], rax
            ; mov rcx, rax
            ; shr rcx, 2
            ; and ecx, mask
            ; shl rcx, 4
            ; mov rdx, QWORD table as i64
            ; add rdx, rcx
            ; cmp rax, QWORD [rdx]
            ; jne >miss
            ; jmp QWORD [rdx + 8]
            ; miss:
            ; mov eax, exit::LOOKUP as i32
            ; jmp extern exit
        );
    }

    /// Emit the block prologue: leave if `cpu.interrupt` is set.
    pub(crate) fn prologue(&mut self) {
        let pc = self.block_pc;
        dasm!(self.ops
            ; cmp DWORD [cpu + OFF_INTERRUPT as i32], 0
            ; jne >intr
            ; jmp >body
            ; intr:
        );
        self.exit_with(exit::INTERRUPT, pc);
        dasm!(self.ops; body:);
    }

    /// Emit the stubs of all direct exits (after the block body).
    pub(crate) fn emit_chain_stubs(&mut self) {
        let chains = std::mem::take(&mut self.chains);
        for c in &chains {
            let site_abs = (self.base + c.site + 1) as i64;
            dasm!(self.ops
                ; =>c.stub
                ; mov rax, QWORD site_abs
                ; mov QWORD [cpu + OFF_CHAIN_SITE as i32], rax
            );
            self.set_pc(c.target);
            self.jmp_exit(exit::CHAIN);
        }
        self.chains = chains;
    }
}
