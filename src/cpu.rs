//! Guest CPU state of one aarch64 thread.
//!
//! `CpuState` is `#[repr(C)]` and its field offsets are public constants checked at compile
//! time: translated code addresses the fields as `[rbx + OFFSET]` (rbx always holds the
//! `*mut CpuState` of the running thread while translated code runs). Hot fields come first so
//! that most accesses use short displacements.
//!
//! Ownership: one `CpuState` per guest thread, owned by that thread's run loop. Only
//! `interrupt` may be written by other threads (or by a host signal handler): it is atomic.

use std::sync::atomic::AtomicU32;

/// NZCV bit positions as in PSTATE / the NZCV system register (bits 31..28).
pub const NZCV_N: u32 = 1 << 31;
pub const NZCV_Z: u32 = 1 << 30;
pub const NZCV_C: u32 = 1 << 29;
pub const NZCV_V: u32 = 1 << 28;

/// FPCR fields (Arm ARM D19.2.x FPCR).
pub const FPCR_AHP: u32 = 1 << 26;
pub const FPCR_DN: u32 = 1 << 25;
pub const FPCR_FZ: u32 = 1 << 24;
/// AHP, DN, FZ and RMode (26:22): with any of them set the host's default IEEE mode (round
/// to nearest, no flushing, NaN propagation) is not the Arm one, so the fast FP paths step
/// aside.
pub const FPCR_NON_IEEE: u32 = FPCR_AHP | FPCR_DN | FPCR_FZ | 3 << FPCR_RMODE_SHIFT;
pub const FPCR_RMODE_SHIFT: u32 = 22;
pub const FPCR_FZ16: u32 = 1 << 19;
/// FPCR bits writable on this ARMv8.0 core: AHP, DN, FZ, RMode. FZ16 needs FEAT_FP16; the
/// trap enables are RAZ/WI without trapping support; Len/Stride are RES0 in AArch64.
pub const FPCR_WRITABLE: u32 = 0x07C0_0000;

/// FPSR cumulative exception bits.
pub const FPSR_IOC: u32 = 1 << 0;
pub const FPSR_DZC: u32 = 1 << 1;
pub const FPSR_OFC: u32 = 1 << 2;
pub const FPSR_UFC: u32 = 1 << 3;
pub const FPSR_IXC: u32 = 1 << 4;
pub const FPSR_IDC: u32 = 1 << 7;
pub const FPSR_QC: u32 = 1 << 27;
/// FPSR bits that are writable (exception flags and QC; NZCV bits 31:28 are AArch32 only).
pub const FPSR_WRITABLE: u32 = 0x0800_009F;

/// Value of `excl_addr` when the exclusive monitor is open (no reservation).
pub const EXCL_NONE: u64 = u64::MAX;

#[repr(C, align(64))]
pub struct CpuState {
    /// X0..X30, and SP in slot 31. Register number 31 means XZR or SP depending on the
    /// instruction; the emitter decides which, never this array.
    pub x: [u64; 32],
    pub pc: u64,
    /// PSTATE.NZCV in bits 31..28, other bits zero.
    pub nzcv: u64,
    pub fpcr: u64,
    pub fpsr: u64,
    pub tpidr_el0: u64,
    pub tpidrro_el0: u64,
    /// Exclusive monitor: address of the last LDXR/LDAXR/LDXP (or EXCL_NONE), the value(s)
    /// it saw and its size in bytes (for pairs: the total size).
    pub excl_addr: u64,
    pub excl_val: [u64; 2],
    pub excl_size: u64,
    /// Non-zero asks translated code to leave at the next block entry (pending signal,
    /// code-cache flush, ...). Written by other threads and host signal handlers.
    pub interrupt: AtomicU32,
    pub _pad0: u32,
    /// Exit argument: the SVC/BRK/HLT immediate, the undefined instruction word, ...
    pub exit_arg: u64,
    /// For a chain exit: host address of the rel32 of the `jmp` to patch.
    pub chain_site: u64,
    /// Scratch slots (not guest-visible): [0] signal number and [1] si_code of a FAULT exit,
    /// [2] host pc of a host fault in translated code, [3] host rsp while translated code runs
    /// (saved by the entry trampoline, restored to leave from a fault), [4] free.
    pub scratch: [u64; 5],
    /// V0..V31 (128 bits each; lane 0 in the low bits, little-endian like memory).
    pub v: [u128; 32],
    /// NZCV as translated code keeps it while it runs (qemu's representation): N is the sign
    /// of `flag_n`, Z is `flag_z == 0`, C and V are 0/1. `nzcv` is stale meanwhile; the entry
    /// trampoline splits `nzcv` into these, the exit trampoline (and helper calls that use
    /// flags) put them back.
    pub flag_n: u64,
    pub flag_z: u64,
    pub flag_c: u8,
    pub flag_v: u8,
    pub _pad1: [u8; 6],
    /// The host registers of `jit::emit::MAPPED`, in that order, as the in-code fault
    /// trampoline found them (a block may hold other guest registers in them: see
    /// `jit::block`'s register swaps).
    pub fault_regs: [u64; 9],
    pub _pad2: u64,
    /// Constants for translated code (never guest-visible), 16-byte aligned for SSE memory
    /// operands: see [`FP_CONST`].
    pub fp_const: [u128; 18],
}

/// `CpuState::fp_const`: [0] single-precision magnitude mask (0x7FFFFFFF per lane), [1] the
/// smallest normal single (0x00800000 per lane), [2] and [3] the same for doubles; PSHUFB
/// masks for LD4/ST4 of 16 bytes: [4] the 4x4 byte transpose (its own inverse), [5] gathering
/// the halfwords of two 4-member structures by member, [6] its inverse; [7] 0x3FFFFFFF (about
/// 2.0 as a single, 1.99... as a double) in the upper two 32-bit lanes: the divisor's inactive
/// lanes of a 64-bit vector FDIV; PSHUFB masks for the vector REVs (each permutes within
/// 64-bit halves): [8] REV16 bytes, [9] REV32 bytes, [10] REV32 halfwords, [11] REV64
/// bytes, [12] REV64 halfwords; [13] the population count of 0..15, a PSHUFB table for CNT,
/// and [14] 0x0F in every byte; RBIT's PSHUFB tables, [15] the 4-bit reversal of 0..15 and
/// [16] the same shifted up a nibble; [17] 0x70 in every byte (TBL: an unsigned saturating
/// add that sets bit 7, PSHUFB's "zero" bit, exactly for the indexes past the table).
pub const FP_CONST: [u128; 18] = [
    0x7FFF_FFFF_7FFF_FFFF_7FFF_FFFF_7FFF_FFFF,
    0x0080_0000_0080_0000_0080_0000_0080_0000,
    0x7FFF_FFFF_FFFF_FFFF_7FFF_FFFF_FFFF_FFFF,
    0x0010_0000_0000_0000_0010_0000_0000_0000,
    u128::from_le_bytes([0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15]),
    u128::from_le_bytes([0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15]),
    u128::from_le_bytes([0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15]),
    0x3FFF_FFFF_3FFF_FFFF_0000_0000_0000_0000,
    u128::from_le_bytes([1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14]),
    u128::from_le_bytes([3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12]),
    u128::from_le_bytes([2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13]),
    u128::from_le_bytes([7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8]),
    u128::from_le_bytes([6, 7, 4, 5, 2, 3, 0, 1, 14, 15, 12, 13, 10, 11, 8, 9]),
    u128::from_le_bytes([0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4]),
    0x0F0F_0F0F_0F0F_0F0F_0F0F_0F0F_0F0F_0F0F,
    u128::from_le_bytes([0x0, 0x8, 0x4, 0xC, 0x2, 0xA, 0x6, 0xE, 0x1, 0x9, 0x5, 0xD, 0x3, 0xB, 0x7, 0xF]),
    u128::from_le_bytes([
        0x00, 0x80, 0x40, 0xC0, 0x20, 0xA0, 0x60, 0xE0, 0x10, 0x90, 0x50, 0xD0, 0x30, 0xB0, 0x70, 0xF0,
    ]),
    0x7070_7070_7070_7070_7070_7070_7070_7070,
];

/// Indices into [`FP_CONST`] of the constants the AdvSIMD permutations use.
pub const K_REV16_B: usize = 8;
pub const K_REV32_B: usize = 9;
pub const K_REV32_H: usize = 10;
pub const K_REV64_B: usize = 11;
pub const K_REV64_H: usize = 12;
pub const K_POPCNT4: usize = 13;
pub const K_LOW_NIBBLES: usize = 14;
pub const K_RBIT4: usize = 15;
pub const K_RBIT4_HI: usize = 16;
pub const K_TBL_BIAS: usize = 17;

/// Byte offset in `CpuState` of `fp_const[k]`.
pub const fn off_fp_const(k: usize) -> i32 {
    (OFF_FP_CONST + 16 * k) as i32
}

pub const OFF_X: usize = 0;
pub const OFF_SP: usize = 31 * 8;
pub const OFF_PC: usize = 256;
pub const OFF_NZCV: usize = 264;
pub const OFF_FPCR: usize = 272;
pub const OFF_FPSR: usize = 280;
pub const OFF_TPIDR_EL0: usize = 288;
pub const OFF_TPIDRRO_EL0: usize = 296;
pub const OFF_EXCL_ADDR: usize = 304;
pub const OFF_EXCL_VAL: usize = 312;
pub const OFF_EXCL_SIZE: usize = 328;
pub const OFF_INTERRUPT: usize = 336;
pub const OFF_EXIT_ARG: usize = 344;
pub const OFF_CHAIN_SITE: usize = 352;
pub const OFF_SCRATCH: usize = 360;
pub const OFF_V: usize = 400;
pub const OFF_FLAG_N: usize = 912;
pub const OFF_FLAG_Z: usize = 920;
pub const OFF_FLAG_C: usize = 928;
pub const OFF_FLAG_V: usize = 929;
pub const OFF_FAULT_REGS: usize = 936;
pub const OFF_FP_CONST: usize = 1024;
/// `scratch[3]`: host rsp inside translated code.
pub const OFF_HOST_RSP: usize = OFF_SCRATCH + 24;

const _: () = {
    assert!(std::mem::offset_of!(CpuState, x) == OFF_X);
    assert!(std::mem::offset_of!(CpuState, pc) == OFF_PC);
    assert!(std::mem::offset_of!(CpuState, nzcv) == OFF_NZCV);
    assert!(std::mem::offset_of!(CpuState, fpcr) == OFF_FPCR);
    assert!(std::mem::offset_of!(CpuState, fpsr) == OFF_FPSR);
    assert!(std::mem::offset_of!(CpuState, tpidr_el0) == OFF_TPIDR_EL0);
    assert!(std::mem::offset_of!(CpuState, tpidrro_el0) == OFF_TPIDRRO_EL0);
    assert!(std::mem::offset_of!(CpuState, excl_addr) == OFF_EXCL_ADDR);
    assert!(std::mem::offset_of!(CpuState, excl_val) == OFF_EXCL_VAL);
    assert!(std::mem::offset_of!(CpuState, excl_size) == OFF_EXCL_SIZE);
    assert!(std::mem::offset_of!(CpuState, interrupt) == OFF_INTERRUPT);
    assert!(std::mem::offset_of!(CpuState, exit_arg) == OFF_EXIT_ARG);
    assert!(std::mem::offset_of!(CpuState, chain_site) == OFF_CHAIN_SITE);
    assert!(std::mem::offset_of!(CpuState, scratch) == OFF_SCRATCH);
    assert!(std::mem::offset_of!(CpuState, v) == OFF_V);
    assert!(OFF_V.is_multiple_of(16));
    assert!(std::mem::offset_of!(CpuState, flag_n) == OFF_FLAG_N);
    assert!(std::mem::offset_of!(CpuState, flag_z) == OFF_FLAG_Z);
    assert!(std::mem::offset_of!(CpuState, flag_c) == OFF_FLAG_C);
    assert!(std::mem::offset_of!(CpuState, flag_v) == OFF_FLAG_V);
    assert!(std::mem::offset_of!(CpuState, fault_regs) == OFF_FAULT_REGS);
    assert!(std::mem::offset_of!(CpuState, fp_const) == OFF_FP_CONST);
    assert!(OFF_FP_CONST.is_multiple_of(16));
};

/// Byte offset of X`n` (n = 31 is SP).
pub const fn off_x(n: u32) -> i32 {
    (OFF_X + 8 * n as usize) as i32
}

/// Byte offset of V`n`.
pub const fn off_v(n: u32) -> i32 {
    (OFF_V + 16 * n as usize) as i32
}

impl Default for CpuState {
    fn default() -> Self {
        CpuState {
            x: [0; 32],
            pc: 0,
            nzcv: 0,
            fpcr: 0,
            fpsr: 0,
            tpidr_el0: 0,
            tpidrro_el0: 0,
            excl_addr: EXCL_NONE,
            excl_val: [0; 2],
            excl_size: 0,
            interrupt: AtomicU32::new(0),
            _pad0: 0,
            exit_arg: 0,
            chain_site: 0,
            scratch: [0; 5],
            v: [0; 32],
            flag_n: 0,
            flag_z: 0,
            flag_c: 0,
            flag_v: 0,
            _pad1: [0; 6],
            fault_regs: [0; 9],
            _pad2: 0,
            fp_const: FP_CONST,
        }
    }
}

impl CpuState {
    pub fn new() -> Box<CpuState> {
        Box::default()
    }

    pub fn sp(&self) -> u64 {
        self.x[31]
    }

    pub fn set_sp(&mut self, sp: u64) {
        self.x[31] = sp;
    }

    /// Read V`n` as bytes (memory order).
    pub fn vreg_bytes(&self, n: usize) -> [u8; 16] {
        self.v[n].to_le_bytes()
    }

    /// Rust-side copy of the user-visible state (for tests and signal frames).
    pub fn clone_state(&self) -> CpuState {
        CpuState {
            x: self.x,
            pc: self.pc,
            nzcv: self.nzcv,
            fpcr: self.fpcr,
            fpsr: self.fpsr,
            tpidr_el0: self.tpidr_el0,
            tpidrro_el0: self.tpidrro_el0,
            excl_addr: self.excl_addr,
            excl_val: self.excl_val,
            excl_size: self.excl_size,
            interrupt: AtomicU32::new(0),
            _pad0: 0,
            exit_arg: self.exit_arg,
            chain_site: 0,
            scratch: [0; 5],
            v: self.v,
            flag_n: self.flag_n,
            flag_z: self.flag_z,
            flag_c: self.flag_c,
            flag_v: self.flag_v,
            _pad1: [0; 6],
            fault_regs: [0; 9],
            _pad2: 0,
            fp_const: FP_CONST,
        }
    }
}
