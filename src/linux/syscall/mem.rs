//! Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise, msync, mlock family, mincore,
//! process_vm_readv/writev, NUMA policies (mbind, get/set_mempolicy, migrate/move_pages).
//!
//! Invariants: guest addresses are host addresses, so mappings are made by the host kernel at
//! the addresses the guest asks for. MAP_* values are the same on both sides (tests/abi.rs)
//! except x86_64's MAP_32BIT (0x40), which arm64 does not have and is removed. PROT_BTI and
//! PROT_MTE are arm64-only: accepted (and dropped) only when AT_HWCAP2 advertises BTI / MTE,
//! otherwise -EINVAL as arm64's `arch_validate_prot` does. After any call that can change what
//! is mapped or executable, the per-thread validated-page cache is dropped and translations of
//! the range are invalidated.

use super::{host6, pass, row, Arg, Ret, Syscall, EINVAL};
use crate::cpu::CpuState;
use crate::linux::abi;
use crate::linux::syscall::nr;
use crate::linux::Thread;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    Syscall { ret: Ret::Ptr, ..row(nr::BRK, "brk", sys_brk, &[Ptr]) },
    Syscall { ret: Ret::Ptr, ..row(nr::MMAP, "mmap", sys_mmap, &[Ptr, Int, Prot, MapFlags, Fd, Hex]) },
    row(nr::MUNMAP, "munmap", sys_munmap, &[Ptr, Int]),
    row(nr::MPROTECT, "mprotect", sys_mprotect, &[Ptr, Int, Prot]),
    Syscall { ret: Ret::Ptr, ..row(nr::MREMAP, "mremap", sys_mremap, &[Ptr, Int, Int, Hex, Ptr]) },
    row(nr::MADVISE, "madvise", sys_madvise, &[Ptr, Int, I32]),
    row(nr::MSYNC, "msync", sys_msync, &[Ptr, Int, Hex]),
    row(nr::MLOCK, "mlock", sys_mlock, &[Ptr, Int]),
    row(nr::MLOCK2, "mlock2", sys_mlock2, &[Ptr, Int, Hex]),
    row(nr::MUNLOCK, "munlock", sys_munlock, &[Ptr, Int]),
    row(nr::MLOCKALL, "mlockall", sys_mlockall, &[Hex]),
    row(nr::MUNLOCKALL, "munlockall", sys_munlockall, &[]),
    row(nr::MINCORE, "mincore", sys_mincore, &[Ptr, Int, Ptr]),
    // struct iovec and the NUMA node masks (arrays of unsigned long) are the same on both
    // sides, and guest addresses are host addresses, in this process and in others.
    row(nr::PROCESS_VM_READV, "process_vm_readv", sys_process_vm_readv, &[I32, Ptr, Int, Ptr, Int, Hex]),
    row(nr::PROCESS_VM_WRITEV, "process_vm_writev", sys_process_vm_writev, &[I32, Ptr, Int, Ptr, Int, Hex]),
    row(nr::MBIND, "mbind", sys_mbind, &[Ptr, Int, I32, Ptr, Int, Hex]),
    row(nr::GET_MEMPOLICY, "get_mempolicy", sys_get_mempolicy, &[Ptr, Ptr, Int, Ptr, Hex]),
    row(nr::SET_MEMPOLICY, "set_mempolicy", sys_set_mempolicy, &[I32, Ptr, Int]),
    row(nr::MIGRATE_PAGES, "migrate_pages", sys_migrate_pages, &[I32, Int, Ptr, Ptr]),
    row(nr::MOVE_PAGES, "move_pages", sys_move_pages, &[I32, Int, Ptr, Ptr, Ptr, Hex]),
];

pass! {
    sys_process_vm_readv => SYS_process_vm_readv;
    sys_process_vm_writev => SYS_process_vm_writev;
    sys_mbind => SYS_mbind;
    sys_get_mempolicy => SYS_get_mempolicy;
    sys_set_mempolicy => SYS_set_mempolicy;
    sys_migrate_pages => SYS_migrate_pages;
    sys_move_pages => SYS_move_pages;
    sys_msync => SYS_msync;
    sys_mlock => SYS_mlock;
    sys_mlock2 => SYS_mlock2;
    sys_munlock => SYS_munlock;
    sys_mlockall => SYS_mlockall;
    sys_munlockall => SYS_munlockall;
    sys_mincore => SYS_mincore;
}

fn sys_brk(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let old = p.brk().cur;
    let new = p.brk().set(a[0]);
    if new < old {
        // Shrinking unmapped heap pages: code that ran there must be retranslated if mapped again.
        crate::mem::forget_validated_pages();
        p.jit.invalidate(new, old - new);
    }
    new as i64
}

/// Translate guest mmap/mprotect protection bits: Err(-EINVAL) for arm64-only bits the CPU we
/// advertise does not have.
pub fn prot_to_host(prot: u64) -> Result<u64, i64> {
    let p = prot as u32;
    let hwcap2 = crate::arch::features::HWCAP2;
    let mut allowed = abi::PROT_BTI | abi::PROT_MTE;
    if hwcap2 & abi::HWCAP2_BTI == 0 {
        allowed &= !abi::PROT_BTI;
    }
    if hwcap2 & abi::HWCAP2_MTE == 0 {
        allowed &= !abi::PROT_MTE;
    }
    let arm_only = p & (abi::PROT_BTI | abi::PROT_MTE);
    if arm_only & !allowed != 0 {
        return Err(EINVAL);
    }
    Ok(u64::from(p & !arm_only))
}

/// Translate guest mmap flags: drop x86_64's MAP_32BIT bit, which arm64 does not define. As on
/// arm64, an unknown bit is ignored for MAP_PRIVATE/MAP_SHARED but rejected (EOPNOTSUPP) with
/// MAP_SHARED_VALIDATE: the host kernel makes that check on the bits we keep, so only the
/// dropped bit needs the check here.
pub fn map_flags_to_host(flags: u64) -> Result<u64, i64> {
    let f = flags as u32;
    if f & abi::HOST_MAP_32BIT != 0 && f & 3 == libc::MAP_SHARED_VALIDATE as u32 {
        return Err(-(libc::EOPNOTSUPP as i64));
    }
    Ok(u64::from(f & !abi::HOST_MAP_32BIT))
}

fn sys_mmap(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let prot = match prot_to_host(a[2]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let flags = match map_flags_to_host(a[3]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let r = host6(libc::SYS_mmap, [a[0], a[1], prot, flags, a[4], a[5]]);
    if r >= 0 {
        crate::mem::note_exec(r as u64, a[1], prot & libc::PROT_EXEC as u64 != 0);
        // MAP_SHARED / MAP_SHARED_VALIDATE: the pages may be mapped elsewhere too (IC IVAU).
        crate::mem::note_mapping(matches!(flags & 0xf, 1 | 3));
    }
    if r >= 0 && flags & (libc::MAP_FIXED as u64) != 0 {
        // A fixed mapping may replace pages that held translated code.
        crate::mem::forget_validated_pages();
        p.jit.invalidate(r as u64, a[1]);
    }
    r
}

fn sys_munmap(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = host6(libc::SYS_munmap, a);
    if r == 0 {
        crate::mem::note_exec(a[0], a[1], false);
        crate::mem::forget_validated_pages();
        p.jit.invalidate(a[0], a[1]);
    }
    r
}

fn sys_mprotect(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let mut prot = match prot_to_host(a[2]) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut a = a;
    let growsdown = libc::PROT_GROWSDOWN as u64;
    let (stack_base, stack_top) = p.proc.stack_range;
    if prot & growsdown != 0 && a[0] >= stack_base && a[0] < stack_top {
        // PROT_GROWSDOWN: down to the start of a mapping that grows down. The main stack
        // does on Linux (glibc's dlopen of a library that needs an executable stack asks
        // this of its page); the emulator's is a plain mapping, where the host would
        // refuse the flag, so the range is extended here.
        prot &= !growsdown;
        a[1] = a[1].wrapping_add(a[0] - stack_base);
        a[0] = stack_base;
    }
    let r = host6(libc::SYS_mprotect, [a[0], a[1], prot, 0, 0, 0]);
    if r == 0 {
        crate::mem::note_exec(a[0], a[1], prot & libc::PROT_EXEC as u64 != 0);
        crate::mem::forget_validated_pages();
        p.jit.invalidate(a[0], a[1]);
    }
    r
}

fn sys_mremap(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    // (one mapping, of one protection, moves or grows: its execute permission goes along)
    let exec = crate::mem::noted_exec(a[0]);
    let r = host6(libc::SYS_mremap, a);
    if r >= 0 {
        crate::mem::note_exec(a[0], a[1], false);
        crate::mem::note_exec(r as u64, a[2], exec);
        // An old size of 0 duplicates a shared mapping: a second address for its pages.
        crate::mem::note_mapping(a[1] == 0);
        crate::mem::forget_validated_pages();
        p.jit.invalidate(a[0], a[1]);
        p.jit.invalidate(r as u64, a[2]);
    }
    r
}

fn sys_madvise(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = host6(libc::SYS_madvise, a);
    let advice = a[2] as i32;
    if r == 0 && matches!(advice, libc::MADV_DONTNEED | libc::MADV_FREE | libc::MADV_REMOVE) {
        // The contents may now read as zero (or the file's): drop translations made from them.
        p.jit.invalidate(a[0], a[1]);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prot_bits() {
        assert_eq!(prot_to_host(7), Ok(7));
        assert_eq!(prot_to_host(0), Ok(0));
        let bti = prot_to_host(u64::from(abi::PROT_BTI) | 5);
        if crate::arch::features::HWCAP2 & abi::HWCAP2_BTI != 0 {
            assert_eq!(bti, Ok(5));
        } else {
            assert_eq!(bti, Err(EINVAL));
        }
        // Other unknown bits go to the host kernel, which rejects them itself.
        assert_eq!(prot_to_host(0x40), Ok(0x40));
    }

    #[test]
    fn map_flags() {
        let anon = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64;
        assert_eq!(map_flags_to_host(anon), Ok(anon));
        assert_eq!(map_flags_to_host(anon | 0x40), Ok(anon));
        assert_eq!(map_flags_to_host(libc::MAP_SHARED_VALIDATE as u64 | 0x40), Err(-(libc::EOPNOTSUPP as i64)));
        let all = (libc::MAP_FIXED_NOREPLACE | libc::MAP_STACK | libc::MAP_NORESERVE | libc::MAP_POPULATE) as u64;
        assert_eq!(map_flags_to_host(all | 2), Ok(all | 2));
    }
}
