//! The arm64 kernel's signal frame (`struct rt_sigframe`, arch/arm64/kernel/signal.c), built on
//! the guest stack when a handler is entered and read back by rt_sigreturn.
//!
//! Layout (offsets checked against `aarch64-linux-gnu` headers: siginfo 128 bytes, ucontext at
//! 128, uc_mcontext at 128+176, sigcontext.__reserved at +288, frame 4688 bytes):
//! `siginfo | uc_flags uc_link uc_stack uc_sigmask pad | sigcontext { fault_address,
//! regs[31], sp, pc, pstate, __reserved: fpsimd_context, [esr_context], end } `
//! and, above the frame, the `frame_record { fp, lr }` that x29 points to.

use crate::cpu::CpuState;
use crate::linux::abi::GuestStackT;

pub const SIGINFO_SIZE: usize = 128;
pub const UC_OFFSET: usize = 128;
pub const UC_STACK: usize = UC_OFFSET + 16;
pub const UC_SIGMASK: usize = UC_OFFSET + 40;
pub const MCONTEXT: usize = UC_OFFSET + 176;
pub const MC_FAULT_ADDRESS: usize = MCONTEXT;
pub const MC_REGS: usize = MCONTEXT + 8;
pub const MC_SP: usize = MCONTEXT + 256;
pub const MC_PC: usize = MCONTEXT + 264;
pub const MC_PSTATE: usize = MCONTEXT + 272;
pub const MC_RESERVED: usize = MCONTEXT + 288;
pub const RESERVED_SIZE: usize = 4096;
pub const FRAME_SIZE: usize = MC_RESERVED + RESERVED_SIZE;

pub const FPSIMD_MAGIC: u32 = 0x4650_8001;
pub const FPSIMD_SIZE: usize = 528;
pub const ESR_MAGIC: u32 = 0x4553_5201;
pub const EXTRA_MAGIC: u32 = 0x4558_5441;

const _: () = assert!(FRAME_SIZE == 4688);
const _: () = assert!(MCONTEXT.is_multiple_of(16));

/// Where a frame goes and what it holds.
pub struct FrameSpec<'a> {
    /// 128 bytes of siginfo as the guest will see it.
    pub info: &'a [u8; SIGINFO_SIZE],
    /// The signal mask to restore on sigreturn (uc_sigmask).
    pub old_mask: u64,
    /// sigcontext.fault_address.
    pub fault_address: u64,
    /// The alternate stack as saved in uc_stack.
    pub altstack: GuestStackT,
}

/// Serialise the frame for `cpu` (the interrupted context). Returns the bytes to store at the
/// frame address.
pub fn build(cpu: &CpuState, spec: &FrameSpec) -> Vec<u8> {
    let mut f = vec![0u8; FRAME_SIZE];
    let put64 = |f: &mut Vec<u8>, off: usize, v: u64| f[off..off + 8].copy_from_slice(&v.to_le_bytes());
    let put32 = |f: &mut Vec<u8>, off: usize, v: u32| f[off..off + 4].copy_from_slice(&v.to_le_bytes());
    f[..SIGINFO_SIZE].copy_from_slice(spec.info);
    // uc_flags, uc_link = 0
    put64(&mut f, UC_STACK, spec.altstack.ss_sp);
    put32(&mut f, UC_STACK + 8, spec.altstack.ss_flags as u32);
    put64(&mut f, UC_STACK + 16, spec.altstack.ss_size);
    put64(&mut f, UC_SIGMASK, spec.old_mask);
    put64(&mut f, MC_FAULT_ADDRESS, spec.fault_address);
    for r in 0..31 {
        put64(&mut f, MC_REGS + 8 * r, cpu.x[r]);
    }
    put64(&mut f, MC_SP, cpu.x[31]);
    put64(&mut f, MC_PC, cpu.pc);
    put64(&mut f, MC_PSTATE, cpu.nzcv & 0xF000_0000);
    let mut off = MC_RESERVED;
    put32(&mut f, off, FPSIMD_MAGIC);
    put32(&mut f, off + 4, FPSIMD_SIZE as u32);
    put32(&mut f, off + 8, cpu.fpsr as u32);
    put32(&mut f, off + 12, cpu.fpcr as u32);
    for v in 0..32 {
        let at = off + 16 + 16 * v;
        f[at..at + 16].copy_from_slice(&cpu.v[v].to_le_bytes());
    }
    off += FPSIMD_SIZE;
    // Terminator record {magic 0, size 0} (already zero).
    debug_assert!(off + 16 <= FRAME_SIZE);
    f
}

/// Why a frame could not be restored (the kernel answers with SIGSEGV).
#[derive(Debug, PartialEq, Eq)]
pub struct BadFrame;

/// What rt_sigreturn restores besides the registers.
pub struct Restored {
    pub mask: u64,
    pub altstack: GuestStackT,
}

/// Restore `cpu` from frame bytes `f` (as read from the guest stack).
pub fn restore(cpu: &mut CpuState, f: &[u8]) -> Result<Restored, BadFrame> {
    if f.len() < FRAME_SIZE {
        return Err(BadFrame);
    }
    let get64 = |off: usize| u64::from_le_bytes(f[off..off + 8].try_into().unwrap());
    let get32 = |off: usize| u32::from_le_bytes(f[off..off + 4].try_into().unwrap());
    let pstate = get64(MC_PSTATE);
    // valid_user_regs: only NZCV (and the flags EL0 may set) with EL0t; anything else is a bad
    // frame on real hardware too.
    if pstate & 0x0000_000F != 0 {
        return Err(BadFrame);
    }
    // Records in __reserved.
    let mut off = MC_RESERVED;
    let end = MC_RESERVED + RESERVED_SIZE;
    let mut fp: Option<(u32, u32, [u128; 32])> = None;
    loop {
        if off + 8 > end {
            return Err(BadFrame);
        }
        let magic = get32(off);
        let size = get32(off + 4) as usize;
        if magic == 0 {
            break;
        }
        if size < 8 || !size.is_multiple_of(16) || off + size > end {
            return Err(BadFrame);
        }
        match magic {
            FPSIMD_MAGIC => {
                if size != FPSIMD_SIZE {
                    return Err(BadFrame);
                }
                let mut v = [0u128; 32];
                for (k, r) in v.iter_mut().enumerate() {
                    let at = off + 16 + 16 * k;
                    *r = u128::from_le_bytes(f[at..at + 16].try_into().unwrap());
                }
                fp = Some((get32(off + 8), get32(off + 12), v));
            }
            ESR_MAGIC => {}
            _ => return Err(BadFrame),
        }
        off += size;
    }
    let (fpsr, fpcr, v) = fp.ok_or(BadFrame)?;
    for r in 0..31 {
        cpu.x[r] = get64(MC_REGS + 8 * r);
    }
    cpu.x[31] = get64(MC_SP);
    cpu.pc = get64(MC_PC);
    cpu.nzcv = pstate & 0xF000_0000;
    cpu.fpsr = (fpsr & crate::cpu::FPSR_WRITABLE) as u64;
    cpu.fpcr = (fpcr & crate::cpu::FPCR_WRITABLE) as u64;
    cpu.v = v;
    let altstack = GuestStackT {
        ss_sp: get64(UC_STACK),
        ss_flags: get32(UC_STACK + 8) as i32,
        __pad: 0,
        ss_size: get64(UC_STACK + 16),
    };
    Ok(Restored { mask: get64(UC_SIGMASK), altstack })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut cpu = CpuState::new();
        for r in 0..32 {
            cpu.x[r] = 0x1000 + r as u64;
            cpu.v[r] = (r as u128) << 64 | 0xabc;
        }
        cpu.pc = 0x4000;
        cpu.nzcv = 0x6000_0000;
        cpu.fpsr = 0x1f;
        cpu.fpcr = 0x0040_0000;
        let info = [7u8; 128];
        let alt = GuestStackT { ss_sp: 0x9000, ss_flags: 0, __pad: 0, ss_size: 0x4000 };
        let f = build(&cpu, &FrameSpec { info: &info, old_mask: 0x55, fault_address: 0x77, altstack: alt });
        let mut back = CpuState::new();
        let r = restore(&mut back, &f).unwrap();
        assert_eq!(r.mask, 0x55);
        assert_eq!(r.altstack.ss_size, 0x4000);
        assert_eq!(back.x, cpu.x);
        assert_eq!(back.v, cpu.v);
        assert_eq!((back.pc, back.nzcv, back.fpsr, back.fpcr), (0x4000, 0x6000_0000, 0x1f, 0x0040_0000));
        let mut bad = f.clone();
        bad[MC_RESERVED] = 0x12; // unknown record magic
        assert_eq!(restore(&mut back, &bad).err(), Some(BadFrame));
    }
}
