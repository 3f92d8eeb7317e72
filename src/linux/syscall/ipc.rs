//! POSIX message queues: mq_open, mq_unlink, mq_timedsend, mq_timedreceive, mq_getsetattr,
//! mq_notify.
//!
//! Invariants: struct mq_attr (four longs and four reserved ones) and struct timespec have the
//! same 64-bit layout on both sides, so everything but mq_open's flags passes to the host
//! unchanged. mq_open's flags are open flags: the ones that differ between the
//! architectures (O_DIRECT, O_LARGEFILE, ...) are translated ([`abi::oflags_to_host`]) because
//! the kernel hands them to the open of the queue file.
//!
//! mq_notify's struct sigevent names a signal to deliver (SIGEV_SIGNAL): it goes to the host
//! as its carrier (`time::host_sigevent`; 0, "no signal", stays 0). glibc's SIGEV_THREAD
//! passes a netlink socket and a pointer to a 32-byte cookie, both valid for the host as
//! they are. (qemu-aarch64 7.2 has no mq_notify: ENOSYS.)
//!
//! SysV IPC: shmget/shmat/shmdt/shmctl, semget/semop/semtimedop/semctl and
//! msgget/msgsnd/msgrcv/msgctl go to the same host calls. Every struct but one has the same
//! layout on both sides (tests/abi.rs): ipc64_perm, shmid64_ds, msqid64_ds, shminfo64,
//! shm_info, seminfo, msginfo, sembuf, timespec and `struct msgbuf` ({long mtype; char
//! mtext[]}). `struct semid64_ds` differs (x86_64 has an unused word after each time), so
//! semctl's IPC_STAT/SEM_STAT/SEM_STAT_ANY and IPC_SET convert it ([`abi::GuestSemid64Ds`]).
//! Neither arm64 nor x86_64 selects ARCH_WANT_IPC_PARSE_VERSION: both kernels take the
//! 64-bit layouts without an IPC_64 flag, and a command with IPC_64 (0x100) set is unknown
//! to both (EINVAL), so commands pass as they are and only the plain numbers convert.
//!
//! shmat maps guest memory (guest address == host address: the host's address is the
//! guest's) and shmdt unmaps it: both drop the validated-page cache and invalidate
//! translations of the range, as mmap/munmap do. The range is the segment's mapping as
//! /proc/self/maps shows it (the run of mappings of the same shm file from the address).

use super::{host6, pass, pass_safe, read_guest, row, write_guest, Arg, Ret, Syscall};
use crate::cpu::CpuState;
use crate::linux::abi;
use crate::linux::syscall::nr;
use crate::linux::Thread;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::MQ_OPEN, "mq_open", sys_mq_open, &[Str, OFlags, Oct, Ptr]),
    row(nr::MQ_UNLINK, "mq_unlink", sys_mq_unlink, &[Str]),
    row(nr::MQ_TIMEDSEND, "mq_timedsend", sys_mq_timedsend, &[Fd, Buf, Int, I32, Ptr]),
    row(nr::MQ_TIMEDRECEIVE, "mq_timedreceive", sys_mq_timedreceive, &[Fd, Buf, Int, Ptr, Ptr]),
    row(nr::MQ_GETSETATTR, "mq_getsetattr", sys_mq_getsetattr, &[Fd, Ptr, Ptr]),
    row(nr::MQ_NOTIFY, "mq_notify", sys_mq_notify, &[Fd, Ptr]),
    row(nr::SHMGET, "shmget", sys_shmget, &[I32, Int, Oct]),
    Syscall { ret: Ret::Ptr, ..row(nr::SHMAT, "shmat", sys_shmat, &[I32, Ptr, Oct]) },
    row(nr::SHMDT, "shmdt", sys_shmdt, &[Ptr]),
    row(nr::SHMCTL, "shmctl", sys_shmctl, &[I32, I32, Ptr]),
    row(nr::SEMGET, "semget", sys_semget, &[I32, I32, Oct]),
    row(nr::SEMOP, "semop", sys_semop, &[I32, Ptr, Int]),
    row(nr::SEMTIMEDOP, "semtimedop", sys_semtimedop, &[I32, Ptr, Int, Ptr]),
    row(nr::SEMCTL, "semctl", sys_semctl, &[I32, I32, I32, Hex]),
    row(nr::MSGGET, "msgget", sys_msgget, &[I32, Oct]),
    row(nr::MSGSND, "msgsnd", sys_msgsnd, &[I32, Ptr, Int, Oct]),
    row(nr::MSGRCV, "msgrcv", sys_msgrcv, &[I32, Ptr, Int, Int, Oct]),
    row(nr::MSGCTL, "msgctl", sys_msgctl, &[I32, I32, Ptr]),
];

pass! {
    sys_mq_unlink => SYS_mq_unlink;
    sys_mq_getsetattr => SYS_mq_getsetattr;
    sys_shmget => SYS_shmget;
    sys_shmctl => SYS_shmctl;
    sys_semget => SYS_semget;
    sys_msgget => SYS_msgget;
    sys_msgctl => SYS_msgctl;
}

// Calls that may block: through `safe6` (see `signal`'s notes on blocking syscalls).
pass_safe! {
    sys_mq_timedsend => SYS_mq_timedsend;
    sys_mq_timedreceive => SYS_mq_timedreceive;
    sys_semop => SYS_semop;
    sys_semtimedop => SYS_semtimedop;
    sys_msgsnd => SYS_msgsnd;
    sys_msgrcv => SYS_msgrcv;
}

/// mq_open(name, oflag, mode, attr): the open flags in host values.
fn sys_mq_open(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let mut b = a;
    b[1] = u64::from(abi::oflags_to_host(a[1] as u32));
    host6(libc::SYS_mq_open, b)
}

/// mq_notify(mqdes, sevp): the sigevent's signal in host numbers (NULL removes the
/// registration and passes as it is).
fn sys_mq_notify(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    if a[1] == 0 {
        return host6(libc::SYS_mq_notify, a);
    }
    match super::time::host_sigevent(a[1], true) {
        Ok(ev) => host6(libc::SYS_mq_notify, [a[0], ev.as_ptr() as u64, 0, 0, 0, 0]),
        Err(e) => e,
    }
}

/// The extent of the shm attachment that starts at `addr`, from /proc/self/maps: the mapping
/// that starts there and the ones right after it that map the same file (a segment attached
/// over several mappings, after an mprotect of part of it). `None` when nothing starts there.
fn shm_extent(addr: u64) -> Option<u64> {
    let maps = std::fs::read("/proc/self/maps").ok()?;
    shm_extent_in(&maps, addr)
}

fn shm_extent_in(maps: &[u8], addr: u64) -> Option<u64> {
    let mut lines = maps
        .split(|&c| c == b'\n')
        .filter_map(crate::mem::parse_maps_line)
        .map(|m| (m.start, m.end, (m.dev, m.inode)))
        .skip_while(|&(s, _, _)| s != addr);
    let (start, mut end, file) = lines.next()?;
    for (s, e, f) in lines {
        if s != end || f != file {
            break;
        }
        end = e;
    }
    Some(end - start)
}

/// shmat(shmid, addr, flags): the host attaches (at the guest's address, or where it chooses
/// for 0: that address is the guest's too). SHM_RND/SHM_REMAP/SHM_RDONLY/SHM_EXEC and SHMLBA
/// (one page on both) are the same.
fn sys_shmat(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let r = host6(libc::SYS_shmat, [a[0], a[1], a[2], 0, 0, 0]);
    if r >= 0 {
        // A segment can be attached more than once: its code has several addresses.
        crate::mem::note_mapping(true);
        // SHM_REMAP may have replaced pages that held translated code.
        crate::mem::forget_validated_pages();
        if let Some(len) = shm_extent(r as u64) {
            crate::mem::note_exec(r as u64, len, a[2] & libc::SHM_EXEC as u64 != 0);
            p.jit.invalidate(r as u64, len);
        }
    }
    r
}

/// shmdt(addr): the extent is looked up before the host unmaps it.
fn sys_shmdt(p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    let len = shm_extent(a[0]);
    let r = host6(libc::SYS_shmdt, [a[0], 0, 0, 0, 0, 0]);
    if r == 0 {
        crate::mem::forget_validated_pages();
        // Code may have run from the segment; without a maps line, the kernel's own bound.
        crate::mem::note_exec(a[0], len.unwrap_or(crate::mem::PAGE_SIZE), false);
        p.jit.invalidate(a[0], len.unwrap_or(crate::mem::PAGE_SIZE));
    }
    r
}

/// semctl(semid, semnum, cmd, arg): `arg` is a union chosen by `cmd`. The semid64_ds
/// commands convert; the others (GETALL/SETALL arrays of u16, IPC_INFO/SEM_INFO's seminfo,
/// values) pass through.
fn sys_semctl(_p: &mut Thread, _c: &mut CpuState, a: [u64; 6]) -> i64 {
    semctl(a)
}

fn semctl(a: [u64; 6]) -> i64 {
    let cmd = a[2] as i32;
    let converted = matches!(cmd, abi::IPC_STAT | abi::SEM_STAT | abi::SEM_STAT_ANY | abi::IPC_SET);
    if converted && (a[0] as i32) < 0 {
        // ksys_semctl's first check, before it touches the argument
        return super::EINVAL;
    }
    match cmd {
        abi::IPC_STAT | abi::SEM_STAT | abi::SEM_STAT_ANY => {
            let mut h = abi::HostSemid64Ds::default();
            let r = host6(libc::SYS_semctl, [a[0], a[1], a[2], &mut h as *mut _ as u64, 0, 0]);
            if r < 0 {
                return r;
            }
            match write_guest(a[3], &abi::GuestSemid64Ds::from_host(&h).to_bytes()) {
                Ok(()) => r,
                Err(e) => e,
            }
        }
        abi::IPC_SET => {
            // The kernel copies the whole struct in before anything else.
            let g = match read_guest::<88>(a[3]) {
                Ok(b) => abi::GuestSemid64Ds::from_bytes(&b),
                Err(e) => return e,
            };
            let h = g.to_host();
            host6(libc::SYS_semctl, [a[0], a[1], a[2], &h as *const _ as u64, 0, 0])
        }
        _ => host6(libc::SYS_semctl, a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::syscall::{EFAULT, EINVAL};

    #[test]
    fn extent_follows_the_same_file() {
        let maps = b"1000-2000 r-xp 00000000 00:05 7 /x\n\
                     7f00000000-7f00002000 rw-s 00000000 00:01 32770 /SYSV00000000 (deleted)\n\
                     7f00002000-7f00003000 r--s 00002000 00:01 32770 /SYSV00000000 (deleted)\n\
                     7f00003000-7f00004000 rw-s 00000000 00:01 32771 /SYSV00000000 (deleted)\n";
        assert_eq!(shm_extent_in(maps, 0x7f_0000_0000), Some(0x3000));
        assert_eq!(shm_extent_in(maps, 0x7f_0000_3000), Some(0x1000));
        assert_eq!(shm_extent_in(maps, 0x7f_0000_1000), None);
        assert_eq!(shm_extent_in(b"garbage\n", 0), None);
    }

    #[test]
    fn semctl_converts_semid64_ds() {
        // SAFETY: a private semaphore set of this test, removed at the end.
        let id = unsafe { libc::semget(libc::IPC_PRIVATE, 3, libc::IPC_CREAT | 0o600) };
        assert!(id >= 0);
        let mut g = [0xa5u8; 96];
        let stat = |buf: &mut [u8; 96]| semctl([id as u64, 0, abi::IPC_STAT as u64, buf.as_mut_ptr() as u64, 0, 0]);
        assert_eq!(stat(&mut g), 0);
        let ds = abi::GuestSemid64Ds::from_bytes(g[..88].try_into().unwrap());
        assert_eq!(ds.sem_nsems, 3);
        assert_eq!(ds.sem_perm.mode & 0o777, 0o600);
        assert_ne!(ds.sem_ctime, 0);
        assert_eq!((ds.__unused3, ds.__unused4), (0, 0));
        assert_eq!(g[88..], [0xa5; 8], "only the guest's 88 bytes are written");
        let mut set = ds;
        set.sem_perm.mode = 0o640;
        let b = set.to_bytes();
        assert_eq!(semctl([id as u64, 0, abi::IPC_SET as u64, b.as_ptr() as u64, 0, 0]), 0);
        assert_eq!(stat(&mut g), 0);
        assert_eq!(abi::GuestSemid64Ds::from_bytes(g[..88].try_into().unwrap()).sem_perm.mode & 0o777, 0o640);
        // the kernel's order: a negative id before the argument, then EFAULT
        assert_eq!(semctl([u64::MAX, 0, abi::IPC_SET as u64, 8, 0, 0]), EINVAL);
        assert_eq!(semctl([id as u64, 0, abi::IPC_SET as u64, 8, 0, 0]), EFAULT);
        assert_eq!(semctl([id as u64, 0, abi::IPC_STAT as u64, 8, 0, 0]), EFAULT);
        // IPC_64 is no command on either architecture
        assert_eq!(semctl([id as u64, 0, 0x100 | abi::IPC_STAT as u64, g.as_mut_ptr() as u64, 0, 0]), EINVAL);
        assert_eq!(semctl([id as u64, 0, libc::IPC_RMID as u64, 0, 0, 0]), 0);
    }
}
