//! The guest's cumulative FP exception flags, kept partly in the host's MXCSR.
//!
//! Inline FADD/FSUB/FMUL/FDIV/FSQRT (scalar and vector, `fp_inline`, `simd_inline`) run the
//! host SSE instruction and let it raise its flags in MXCSR instead of computing them: with
//! FPCR round-to-nearest and no FZ/DN/AHP, IEEE 754 gives the host the Arm flags too, except
//! where a NaN or a result of exactly the smallest normal magnitude comes out (Arm detects
//! tininess before rounding, x86 after); those take the exact helper, which ORs the right
//! flags into `CpuState::fpsr` (the host's, raised by the same operation, are a subset).
//!
//! Invariant: while translated code runs, the guest's FPSR is `CpuState::fpsr` OR the
//! [`to_fpsr`] image of the MXCSR flags. So:
//! - [`Jit::enter`](super::Jit) loads [`MXCSR_GUEST`] (flags clear) before entering translated
//!   code and merges MXCSR into `fpsr` when it returns ([`merge`]); the run loop and everything
//!   outside translated code see the complete `fpsr`;
//! - helpers that may run host FP instructions of their own (the FP and SIMD helpers) keep
//!   MXCSR as it was ([`Preserve`]), so their scratch arithmetic never reaches the guest;
//! - MRS FPSR merges first; MSR FPSR clears the host flags after writing `fpsr` (both inline,
//!   `branch.rs`).
//!
//! Mapping: IE -> IOC, ZE -> DZC, OE -> OFC, UE -> UFC, PE -> IXC. DE (a denormal operand) has
//! no Arm counterpart with FPCR.FZ clear (IDC is raised only when an input is flushed), so it
//! is ignored.

use crate::cpu::CpuState;

/// MXCSR while translated code runs: all exceptions masked, round to nearest, no FTZ/DAZ,
/// flags clear.
pub const MXCSR_GUEST: u32 = 0x1F80;

/// The FPSR bits of the MXCSR flags `m` (bits 5:0).
#[inline]
pub fn to_fpsr(m: u32) -> u64 {
    ((m & 1) | ((m >> 1) & 0x1E)) as u64
}

/// The current MXCSR.
#[inline]
pub fn read() -> u32 {
    let mut m = 0u32;
    // SAFETY: STMXCSR stores 4 bytes to a valid local.
    unsafe { std::arch::asm!("stmxcsr [{}]", in(reg) &mut m, options(nostack, preserves_flags)) };
    m
}

/// Load MXCSR.
#[inline]
pub fn write(m: u32) {
    // SAFETY: LDMXCSR of a value with no reserved bits set (callers pass MXCSR_GUEST or a value
    // read by `read`).
    unsafe { std::arch::asm!("ldmxcsr [{}]", in(reg) &m, options(nostack, preserves_flags)) };
}

/// Before entering translated code: host flags clear.
#[inline]
pub fn start() {
    write(MXCSR_GUEST);
}

/// After translated code returned: move the host flags into `cpu.fpsr`.
#[inline]
pub fn merge(cpu: &mut CpuState) {
    cpu.fpsr |= to_fpsr(read());
}

/// Keeps MXCSR (and so the guest's pending flags) unchanged across a helper that may run host
/// FP instructions: restores the MXCSR of its creation when dropped.
pub struct Preserve(u32);

impl Preserve {
    #[inline]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Preserve {
        Preserve(read())
    }
}

impl Drop for Preserve {
    #[inline]
    fn drop(&mut self) {
        write(self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping() {
        // IE DE ZE OE UE PE -> IOC - DZC OFC UFC IXC
        assert_eq!(to_fpsr(1 << 0), 1 << 0);
        assert_eq!(to_fpsr(1 << 1), 0);
        assert_eq!(to_fpsr(1 << 2), 1 << 1);
        assert_eq!(to_fpsr(1 << 3), 1 << 2);
        assert_eq!(to_fpsr(1 << 4), 1 << 3);
        assert_eq!(to_fpsr(1 << 5), 1 << 4);
        assert_eq!(to_fpsr(MXCSR_GUEST), 0);
    }

    #[test]
    fn preserve_restores_flags() {
        write(MXCSR_GUEST | 1 << 5);
        {
            let _keep = Preserve::new();
            write(MXCSR_GUEST | 1);
        }
        assert_eq!(read() & 0x3F, 1 << 5);
        write(MXCSR_GUEST);
    }
}
