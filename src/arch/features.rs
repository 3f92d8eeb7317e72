//! What this emulated CPU implements, as the guest discovers it: AT_HWCAP/AT_HWCAP2 bits and
//! the ID registers read by MRS. They must stay consistent with each other and with what the
//! decoder table really implements (DESIGN.md: HWCAP advertises exactly what is implemented).

/// AT_HWCAP bits (arch/arm64/include/uapi/asm/hwcap.h).
pub mod hwcap {
    pub const FP: u64 = 1 << 0;
    pub const ASIMD: u64 = 1 << 1;
    pub const EVTSTRM: u64 = 1 << 2;
    pub const AES: u64 = 1 << 3;
    pub const PMULL: u64 = 1 << 4;
    pub const SHA1: u64 = 1 << 5;
    pub const SHA2: u64 = 1 << 6;
    pub const CRC32: u64 = 1 << 7;
    pub const ATOMICS: u64 = 1 << 8;
    pub const FPHP: u64 = 1 << 9;
    pub const ASIMDHP: u64 = 1 << 10;
    pub const CPUID: u64 = 1 << 11;
    pub const LRCPC: u64 = 1 << 15;
}

/// AT_HWCAP advertised to the guest.
pub const HWCAP: u64 = hwcap::FP
    | hwcap::ASIMD
    | hwcap::AES
    | hwcap::PMULL
    | hwcap::SHA1
    | hwcap::SHA2
    | hwcap::CRC32
    | hwcap::ATOMICS
    | hwcap::CPUID
    | hwcap::LRCPC;
/// AT_HWCAP2 advertised to the guest.
pub const HWCAP2: u64 = 0;

/// MIDR_EL1: implementer 0x41 (Arm), variant 0, architecture 0xf, part 0xd07 (Cortex-A57-like
/// ARMv8.0 core), revision 0. Chosen so glibc picks its generic ARMv8.0 routines.
pub const MIDR_EL1: u64 = 0x410f_d070;
/// MPIDR_EL1 as Linux exposes it to EL0 (bit 31 RES1).
pub const MPIDR_EL1: u64 = 0x8000_0000;
/// REVIDR_EL1.
pub const REVIDR_EL1: u64 = 0;
/// CTR_EL0: IminLine = DminLine = 4 (64-byte lines), L1Ip = PIPT (0b11), CWG = ERG = 4,
/// IDC = DIC = 0 (cache maintenance needed, which we honour).
pub const CTR_EL0: u64 = (1 << 31) | (4 << 24) | (4 << 20) | (4 << 16) | (0b11 << 14) | 4;
/// Cache line size in bytes (CTR_EL0 IminLine/DminLine = 4 words * 2^4).
pub const CACHE_LINE: u64 = 64;
/// DCZID_EL0: DC ZVA allowed (DZP = 0), block size 2^4 words = 64 bytes.
pub const DCZID_EL0: u64 = 4;
/// DC ZVA block size in bytes (consistent with DCZID_EL0).
pub const DC_ZVA_SIZE: u64 = 4 << DCZID_EL0;
/// CNTFRQ_EL0: the generic timer frequency we report (CNTVCT_EL0 counts at this rate).
pub const CNTFRQ_EL0: u64 = 1_000_000_000;

/// ID_AA64PFR0_EL1 as Linux shows it to EL0: EL0 AArch64 only (1), FP (0 = implemented),
/// AdvSIMD (0 = implemented).
pub const ID_AA64PFR0_EL1: u64 = 0x0000_0000_0000_0011;
/// ID_AA64ISAR0_EL1: AES bits 7:4 = 0b0010 (AES and 64-bit PMULL), SHA1 bits 11:8 = 1,
/// SHA2 bits 15:12 = 1 (SHA-256 only), CRC32 bits 19:16 = 1, Atomic bits 23:20 = 0b0010
/// (FEAT_LSE); later fields 0.
pub const ID_AA64ISAR0_EL1: u64 = (0b0010 << 4) | (1 << 8) | (1 << 12) | (1 << 16) | (0b0010 << 20);
/// ID_AA64ISAR1_EL1: LRCPC bits 23:20 = 1 (LDAPR); the other fields 0.
pub const ID_AA64ISAR1_EL1: u64 = 1 << 20;
pub const ID_AA64MMFR0_EL1: u64 = 0;
pub const ID_AA64MMFR1_EL1: u64 = 0;
pub const ID_AA64MMFR2_EL1: u64 = 0;
pub const ID_AA64DFR0_EL1: u64 = 0x6;
pub const ID_AA64ZFR0_EL1: u64 = 0;
