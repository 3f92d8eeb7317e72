//! Guest (aarch64) ABI structs and flag translations where they differ from x86_64.
//!
//! Invariants: every `Guest*` type is `#[repr(C)]`, mirrors the arm64 kernel UAPI header named
//! in its comment, and has its size and field offsets asserted at compile time. Everything the
//! syscall layer passes through unchanged is listed in [`layout_report`] with the *host* type or
//! constant, so that `tests/abi.rs` proves, against `guest-bins/abi/abi_layout.c` compiled for
//! aarch64, that the pass-through is exact; everything that differs is listed in
//! [`CONVERTED`] and converted here.
//!
//! Differences found (aarch64 asm-generic vs x86_64, Linux 6.1 UAPI headers):
//! - `struct stat`: order of st_mode/st_nlink, `int st_blksize`, size 128 vs 144.
//! - `struct epoll_event`: 16 bytes with padding on arm64, packed 12 bytes on x86_64.
//! - open flags O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW.
//! - PROT_BTI, PROT_MTE exist only on arm64; MINSIGSTKSZ is 5120 on arm64, 2048 on x86_64.
//! - `struct sigaction` of rt_sigaction: arm64 order handler, flags, restorer, mask (the
//!   emulator records it and never hands it to the host).
//! - `struct semid64_ds` (semctl IPC_STAT/SEM_STAT/IPC_SET): 88 bytes on arm64, 104 on x86_64
//!   (an unused word after sem_otime and sem_ctime); the other SysV IPC structs agree.

use std::fmt::Write as _;
use std::mem::{offset_of, size_of};

// ---- open(2) flags (asm/fcntl.h of each architecture; the others come from asm-generic) ----

/// arm64 `O_DIRECTORY` (asm/fcntl.h).
pub const O_DIRECTORY: u32 = 0o40000;
/// arm64 `O_NOFOLLOW`.
pub const O_NOFOLLOW: u32 = 0o100000;
/// arm64 `O_DIRECT`.
pub const O_DIRECT: u32 = 0o200000;
/// arm64 `O_LARGEFILE`.
pub const O_LARGEFILE: u32 = 0o400000;

/// x86_64 kernel values (x86_64 uses asm-generic/fcntl.h). Not `libc::O_LARGEFILE`: glibc
/// defines that as 0 on 64-bit hosts, but the kernel reports 0o100000 in F_GETFL.
pub const HOST_O_DIRECTORY: u32 = 0o200000;
pub const HOST_O_NOFOLLOW: u32 = 0o400000;
pub const HOST_O_DIRECT: u32 = 0o40000;
pub const HOST_O_LARGEFILE: u32 = 0o100000;

/// (guest bit, host bit) for the open flags whose values differ.
const OFLAG_PAIRS: [(u32, u32); 4] = [
    (O_DIRECTORY, HOST_O_DIRECTORY),
    (O_NOFOLLOW, HOST_O_NOFOLLOW),
    (O_DIRECT, HOST_O_DIRECT),
    (O_LARGEFILE, HOST_O_LARGEFILE),
];

const _: () = {
    assert!(HOST_O_DIRECTORY == libc::O_DIRECTORY as u32);
    assert!(HOST_O_NOFOLLOW == libc::O_NOFOLLOW as u32);
    assert!(HOST_O_DIRECT == libc::O_DIRECT as u32);
};

/// All four differing bits, on either side (the same set of four bit positions).
const OFLAG_SWAPPED: u32 = 0o40000 | 0o100000 | 0o200000 | 0o400000;

/// Translate guest open/fcntl(F_SETFL)/pipe2 flags to the host's values. Bits that have the
/// same meaning on both sides pass unchanged (including unknown ones: the host kernel decides).
pub fn oflags_to_host(guest: u32) -> u32 {
    let mut host = guest & !OFLAG_SWAPPED;
    for (g, h) in OFLAG_PAIRS {
        if guest & g != 0 {
            host |= h;
        }
    }
    host
}

/// Translate host open flags (fcntl F_GETFL) back to the guest's values.
pub fn oflags_from_host(host: u32) -> u32 {
    let mut guest = host & !OFLAG_SWAPPED;
    for (g, h) in OFLAG_PAIRS {
        if host & h != 0 {
            guest |= g;
        }
    }
    guest
}

// ---- mmap / mprotect (asm/mman.h) ----

/// arm64 `PROT_BTI`: pages are BTI guarded (only valid when HWCAP2_BTI is advertised).
pub const PROT_BTI: u32 = 0x10;
/// arm64 `PROT_MTE`: pages carry MTE tags (only valid when HWCAP2_MTE is advertised).
pub const PROT_MTE: u32 = 0x20;
/// AT_HWCAP2 bits that make PROT_BTI / PROT_MTE acceptable (asm/hwcap.h).
pub const HWCAP2_BTI: u64 = 1 << 17;
pub const HWCAP2_MTE: u64 = 1 << 18;
/// x86_64-only mmap flag (0x40) which means nothing on arm64 and must not reach the host.
pub const HOST_MAP_32BIT: u32 = 0x40;

/// arm64 `MINSIGSTKSZ` (asm/signal.h): the smallest stack sigaltstack accepts.
pub const MINSIGSTKSZ: u64 = 5120;

// ---- struct stat (asm-generic/stat.h, used by arm64) ----

/// `struct stat` as arm64 fstat/newfstatat write it (asm-generic/stat.h).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestStat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_mode: u32,
    pub st_nlink: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub st_rdev: u64,
    pub __pad1: u64,
    pub st_size: i64,
    pub st_blksize: i32,
    pub __pad2: i32,
    pub st_blocks: i64,
    pub st_atime: i64,
    pub st_atime_nsec: u64,
    pub st_mtime: i64,
    pub st_mtime_nsec: u64,
    pub st_ctime: i64,
    pub st_ctime_nsec: u64,
    pub __unused4: u32,
    pub __unused5: u32,
}

const _: () = {
    assert!(size_of::<GuestStat>() == 128);
    assert!(offset_of!(GuestStat, st_mode) == 16);
    assert!(offset_of!(GuestStat, st_nlink) == 20);
    assert!(offset_of!(GuestStat, st_rdev) == 32);
    assert!(offset_of!(GuestStat, st_size) == 48);
    assert!(offset_of!(GuestStat, st_blksize) == 56);
    assert!(offset_of!(GuestStat, st_blocks) == 64);
    assert!(offset_of!(GuestStat, st_atime) == 72);
    assert!(offset_of!(GuestStat, st_ctime_nsec) == 112);
};

impl From<&libc::stat> for GuestStat {
    fn from(s: &libc::stat) -> GuestStat {
        GuestStat {
            st_dev: s.st_dev,
            st_ino: s.st_ino,
            st_mode: s.st_mode,
            // The kernel's cp_new_stat on arm64 stores nlink in 32 bits (EOVERFLOW is
            // reported only for 32-bit ABIs); truncation is what the guest would see.
            st_nlink: s.st_nlink as u32,
            st_uid: s.st_uid,
            st_gid: s.st_gid,
            st_rdev: s.st_rdev,
            __pad1: 0,
            st_size: s.st_size,
            st_blksize: s.st_blksize as i32,
            __pad2: 0,
            st_blocks: s.st_blocks,
            st_atime: s.st_atime,
            st_atime_nsec: s.st_atime_nsec as u64,
            st_mtime: s.st_mtime,
            st_mtime_nsec: s.st_mtime_nsec as u64,
            st_ctime: s.st_ctime,
            st_ctime_nsec: s.st_ctime_nsec as u64,
            __unused4: 0,
            __unused5: 0,
        }
    }
}

impl GuestStat {
    pub fn to_bytes(&self) -> [u8; 128] {
        // SAFETY: GuestStat is repr(C), 128 bytes, all fields plain integers with explicit
        // padding fields, so every byte is initialised.
        unsafe { std::mem::transmute_copy(self) }
    }
}

// ---- struct epoll_event (linux/eventpoll.h: packed on x86_64 only) ----

/// `struct epoll_event` on arm64: natural alignment, 4 bytes of padding after `events`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestEpollEvent {
    pub events: u32,
    pub __pad: u32,
    pub data: u64,
}

const _: () = {
    assert!(size_of::<GuestEpollEvent>() == 16);
    assert!(offset_of!(GuestEpollEvent, data) == 8);
    assert!(size_of::<libc::epoll_event>() == 12);
};

impl GuestEpollEvent {
    pub fn from_bytes(b: &[u8; 16]) -> GuestEpollEvent {
        GuestEpollEvent {
            events: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            __pad: 0,
            data: u64::from_le_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]),
        }
    }
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&self.events.to_le_bytes());
        b[8..].copy_from_slice(&self.data.to_le_bytes());
        b
    }
    pub fn to_host(&self) -> libc::epoll_event {
        libc::epoll_event { events: self.events, u64: self.data }
    }
    pub fn from_host(h: &libc::epoll_event) -> GuestEpollEvent {
        GuestEpollEvent { events: h.events, __pad: 0, data: h.u64 }
    }
}

// ---- struct sigaction for rt_sigaction (asm-generic/signal.h with SA_RESTORER, arm64) ----

/// The kernel `struct sigaction` that arm64 rt_sigaction reads and writes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestSigaction {
    pub sa_handler: u64,
    pub sa_flags: u64,
    pub sa_restorer: u64,
    pub sa_mask: u64,
}

const _: () = {
    assert!(size_of::<GuestSigaction>() == 32);
    assert!(offset_of!(GuestSigaction, sa_flags) == 8);
    assert!(offset_of!(GuestSigaction, sa_restorer) == 16);
    assert!(offset_of!(GuestSigaction, sa_mask) == 24);
};

impl GuestSigaction {
    pub fn from_bytes(b: &[u8; 32]) -> GuestSigaction {
        let w = |i: usize| u64::from_le_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        GuestSigaction { sa_handler: w(0), sa_flags: w(1), sa_restorer: w(2), sa_mask: w(3) }
    }
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut b = [0u8; 32];
        for (i, v) in [self.sa_handler, self.sa_flags, self.sa_restorer, self.sa_mask].iter().enumerate() {
            b[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
        }
        b
    }
}

// ---- stack_t (asm-generic/signal.h): same layout on both, recorded by the emulator ----

/// `stack_t` for sigaltstack.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestStackT {
    pub ss_sp: u64,
    pub ss_flags: i32,
    pub __pad: i32,
    pub ss_size: u64,
}

const _: () = {
    assert!(size_of::<GuestStackT>() == 24);
    assert!(offset_of!(GuestStackT, ss_flags) == 8);
    assert!(offset_of!(GuestStackT, ss_size) == 16);
};

impl GuestStackT {
    pub fn from_bytes(b: &[u8; 24]) -> GuestStackT {
        GuestStackT {
            ss_sp: u64::from_le_bytes(b[0..8].try_into().unwrap_or([0; 8])),
            ss_flags: i32::from_le_bytes(b[8..12].try_into().unwrap_or([0; 4])),
            __pad: 0,
            ss_size: u64::from_le_bytes(b[16..24].try_into().unwrap_or([0; 8])),
        }
    }
    pub fn to_bytes(&self) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&self.ss_sp.to_le_bytes());
        b[8..12].copy_from_slice(&self.ss_flags.to_le_bytes());
        b[16..24].copy_from_slice(&self.ss_size.to_le_bytes());
        b
    }
}

/// Kernel `struct termios` (asm-generic/termbits.h; x86_64 uses the same one), which is what
/// TCGETS/TCSETS copy. Not glibc's `struct termios` (which has NCCS 32 and speed fields).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelTermios {
    pub c_iflag: u32,
    pub c_oflag: u32,
    pub c_cflag: u32,
    pub c_lflag: u32,
    pub c_line: u8,
    pub c_cc: [u8; 19],
}

const _: () = assert!(size_of::<KernelTermios>() == 36);

// ---- SysV IPC (asm-generic/ipcbuf.h, sembuf.h, shmbuf.h, msgbuf.h; x86_64 asm/sembuf.h) ----

/// `struct ipc64_perm` (asm-generic/ipcbuf.h; x86_64 includes the same header, and
/// `__kernel_mode_t` is 32 bits on both, so `__pad1` has no bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelIpc64Perm {
    pub key: i32,
    pub uid: u32,
    pub gid: u32,
    pub cuid: u32,
    pub cgid: u32,
    pub mode: u32,
    pub seq: u16,
    pub __pad2: u16,
    pub __unused1: u64,
    pub __unused2: u64,
}

const _: () = {
    assert!(size_of::<KernelIpc64Perm>() == 48);
    assert!(offset_of!(KernelIpc64Perm, mode) == 20);
    assert!(offset_of!(KernelIpc64Perm, seq) == 24);
    assert!(offset_of!(KernelIpc64Perm, __unused1) == 32);
};

/// `struct semid64_ds` of arm64 (asm-generic/sembuf.h, 64-bit): no padding after the times.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestSemid64Ds {
    pub sem_perm: KernelIpc64Perm,
    pub sem_otime: i64,
    pub sem_ctime: i64,
    pub sem_nsems: u64,
    pub __unused3: u64,
    pub __unused4: u64,
}

const _: () = {
    assert!(size_of::<GuestSemid64Ds>() == 88);
    assert!(offset_of!(GuestSemid64Ds, sem_otime) == 48);
    assert!(offset_of!(GuestSemid64Ds, sem_ctime) == 56);
    assert!(offset_of!(GuestSemid64Ds, sem_nsems) == 64);
    assert!(offset_of!(GuestSemid64Ds, __unused4) == 80);
};

/// `struct semid64_ds` of x86_64 (arch/x86 asm/sembuf.h): an unused word after each time.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostSemid64Ds {
    pub sem_perm: KernelIpc64Perm,
    pub sem_otime: i64,
    pub __unused1: u64,
    pub sem_ctime: i64,
    pub __unused2: u64,
    pub sem_nsems: u64,
    pub __unused3: u64,
    pub __unused4: u64,
}

const _: () = {
    assert!(size_of::<HostSemid64Ds>() == 104);
    assert!(offset_of!(HostSemid64Ds, sem_otime) == 48);
    assert!(offset_of!(HostSemid64Ds, sem_ctime) == 64);
    assert!(offset_of!(HostSemid64Ds, sem_nsems) == 80);
    assert!(offset_of!(HostSemid64Ds, __unused4) == 96);
};

impl GuestSemid64Ds {
    pub fn from_host(h: &HostSemid64Ds) -> GuestSemid64Ds {
        GuestSemid64Ds {
            sem_perm: h.sem_perm,
            sem_otime: h.sem_otime,
            sem_ctime: h.sem_ctime,
            sem_nsems: h.sem_nsems,
            __unused3: h.__unused3,
            __unused4: h.__unused4,
        }
    }
    pub fn to_host(&self) -> HostSemid64Ds {
        HostSemid64Ds {
            sem_perm: self.sem_perm,
            sem_otime: self.sem_otime,
            __unused1: 0,
            sem_ctime: self.sem_ctime,
            __unused2: 0,
            sem_nsems: self.sem_nsems,
            __unused3: self.__unused3,
            __unused4: self.__unused4,
        }
    }
    pub fn to_bytes(&self) -> [u8; 88] {
        // SAFETY: repr(C), 88 bytes of integer fields with explicit padding fields (asserted
        // above), so every byte is initialised.
        unsafe { std::mem::transmute_copy(self) }
    }
    pub fn from_bytes(b: &[u8; 88]) -> GuestSemid64Ds {
        // SAFETY: every bit pattern is a valid value of these integer fields; the read is
        // unaligned-safe.
        unsafe { std::ptr::read_unaligned(b.as_ptr().cast()) }
    }
}

/// `struct shmid64_ds` (asm-generic/shmbuf.h, which x86_64 uses too): passed through.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelShmid64Ds {
    pub shm_perm: KernelIpc64Perm,
    pub shm_segsz: u64,
    pub shm_atime: i64,
    pub shm_dtime: i64,
    pub shm_ctime: i64,
    pub shm_cpid: i32,
    pub shm_lpid: i32,
    pub shm_nattch: u64,
    pub __unused4: u64,
    pub __unused5: u64,
}

const _: () = {
    assert!(size_of::<KernelShmid64Ds>() == 112);
    assert!(offset_of!(KernelShmid64Ds, shm_segsz) == 48);
    assert!(offset_of!(KernelShmid64Ds, shm_cpid) == 80);
    assert!(offset_of!(KernelShmid64Ds, shm_nattch) == 88);
};

/// `struct msqid64_ds` (asm-generic/msgbuf.h, which x86_64 uses too): passed through.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelMsqid64Ds {
    pub msg_perm: KernelIpc64Perm,
    pub msg_stime: i64,
    pub msg_rtime: i64,
    pub msg_ctime: i64,
    pub msg_cbytes: u64,
    pub msg_qnum: u64,
    pub msg_qbytes: u64,
    pub msg_lspid: i32,
    pub msg_lrpid: i32,
    pub __unused4: u64,
    pub __unused5: u64,
}

const _: () = {
    assert!(size_of::<KernelMsqid64Ds>() == 120);
    assert!(offset_of!(KernelMsqid64Ds, msg_qnum) == 80);
    assert!(offset_of!(KernelMsqid64Ds, msg_lspid) == 96);
};

/// `struct shminfo64` (asm-generic/shmbuf.h): nine longs, passed through.
#[repr(C)]
pub struct KernelShminfo64 {
    pub shmmax: u64,
    pub shmmin: u64,
    pub shmmni: u64,
    pub shmseg: u64,
    pub shmall: u64,
    pub __unused: [u64; 4],
}

/// `struct shm_info` (linux/shm.h, SHM_INFO): passed through.
#[repr(C)]
pub struct KernelShmInfo {
    pub used_ids: i32,
    pub shm_tot: u64,
    pub shm_rss: u64,
    pub shm_swp: u64,
    pub swap_attempts: u64,
    pub swap_successes: u64,
}

/// `struct seminfo` (linux/sem.h, IPC_INFO/SEM_INFO of semctl): ten ints, passed through.
#[repr(C)]
pub struct KernelSeminfo {
    pub semmap: i32,
    pub semmni: i32,
    pub semmns: i32,
    pub semmnu: i32,
    pub semmsl: i32,
    pub semopm: i32,
    pub semume: i32,
    pub semusz: i32,
    pub semvmx: i32,
    pub semaem: i32,
}

/// `struct msginfo` (linux/msg.h, IPC_INFO/MSG_INFO of msgctl): passed through.
#[repr(C)]
pub struct KernelMsginfo {
    pub msgpool: i32,
    pub msgmap: i32,
    pub msgmax: i32,
    pub msgmnb: i32,
    pub msgmni: i32,
    pub msgssz: i32,
    pub msgtql: i32,
    pub msgseg: u16,
}

/// `struct sembuf` (linux/sem.h) of semop/semtimedop: passed through.
#[repr(C)]
pub struct KernelSembuf {
    pub sem_num: u16,
    pub sem_op: i16,
    pub sem_flg: i16,
}

const _: () = {
    assert!(size_of::<KernelShminfo64>() == 72);
    assert!(size_of::<KernelShmInfo>() == 48);
    assert!(offset_of!(KernelShmInfo, shm_tot) == 8);
    assert!(size_of::<KernelSeminfo>() == 40);
    assert!(size_of::<KernelMsginfo>() == 32);
    assert!(offset_of!(KernelMsginfo, msgseg) == 28);
    assert!(size_of::<KernelSembuf>() == 6);
    assert!(offset_of!(KernelSembuf, sem_flg) == 4);
};

/// `struct iocb` (linux/aio_abi.h, little-endian) of io_submit/io_cancel: passed through.
#[repr(C)]
pub struct KernelIocb {
    pub aio_data: u64,
    pub aio_key: u32,
    pub aio_rw_flags: i32,
    pub aio_lio_opcode: u16,
    pub aio_reqprio: i16,
    pub aio_fildes: u32,
    pub aio_buf: u64,
    pub aio_nbytes: u64,
    pub aio_offset: i64,
    pub aio_reserved2: u64,
    pub aio_flags: u32,
    pub aio_resfd: u32,
}

/// `struct io_event` (linux/aio_abi.h) of io_getevents/io_pgetevents: passed through.
#[repr(C)]
pub struct KernelIoEvent {
    pub data: u64,
    pub obj: u64,
    pub res: i64,
    pub res2: i64,
}

const _: () = {
    assert!(size_of::<KernelIocb>() == 64);
    assert!(size_of::<KernelIoEvent>() == 32);
};

/// SysV IPC commands (linux/ipc.h, sem.h, shm.h, msg.h; the same on both architectures).
pub const IPC_SET: i32 = 1;
pub const IPC_STAT: i32 = 2;
pub const IPC_INFO: i32 = 3;
pub const SEM_STAT: i32 = 18;
pub const SEM_INFO: i32 = 19;
pub const SEM_STAT_ANY: i32 = 20;

/// x86_64 values that the `libc` crate does not export (asm-generic/fcntl.h, asm/signal.h).
pub const HOST_FASYNC: i32 = 0o20000;
pub const HOST_F_SETSIG: i32 = 10;
pub const HOST_F_GETSIG: i32 = 11;
pub const HOST_F_SETOWN_EX: i32 = 15;
pub const HOST_F_GETOWN_EX: i32 = 16;
pub const HOST_SA_RESTORER: u64 = 0x0400_0000;

/// Items of the report whose guest value differs from the host's and which the syscall layer
/// converts (tests/abi.rs checks that exactly these differ between the aarch64 and native
/// builds of abi_layout.c).
pub const CONVERTED: &[&str] = &[
    "stat",
    "epoll_event",
    "O_DIRECT",
    "O_LARGEFILE",
    "O_DIRECTORY",
    "O_NOFOLLOW",
    "PROT_BTI",
    "PROT_MTE",
    "MINSIGSTKSZ",
    "semid64_ds",
];

/// Sizes, offsets and constants as this crate believes the guest has them, in the format and
/// order of `guest-bins/abi/abi_layout.c`: guest types for converted items, host (`libc`)
/// types and constants for items passed through unchanged.
pub fn layout_report() -> String {
    let mut s = String::new();
    macro_rules! size {
        ($t:ty, $n:expr) => {
            let _ = writeln!(s, "size {} {}", $n, size_of::<$t>());
        };
    }
    macro_rules! off {
        ($t:ty, $n:expr, $($f:ident).+) => {
            let _ = writeln!(s, "offset {}.{} {}", $n, stringify!($($f).+), offset_of!($t, $($f).+));
        };
    }
    macro_rules! k {
        ($name:expr, $v:expr) => {
            let _ = writeln!(s, "const {} {}", $name, $v as i64);
        };
    }
    macro_rules! kh {
        ($($c:ident),+) => { $( k!(stringify!($c), libc::$c); )+ };
    }
    size!(libc::msghdr, "msghdr");
    off!(libc::msghdr, "msghdr", msg_name);
    off!(libc::msghdr, "msghdr", msg_namelen);
    off!(libc::msghdr, "msghdr", msg_iov);
    off!(libc::msghdr, "msghdr", msg_iovlen);
    off!(libc::msghdr, "msghdr", msg_control);
    off!(libc::msghdr, "msghdr", msg_controllen);
    off!(libc::msghdr, "msghdr", msg_flags);
    size!(libc::mmsghdr, "mmsghdr");
    off!(libc::mmsghdr, "mmsghdr", msg_len);
    size!(libc::cmsghdr, "cmsghdr");
    off!(libc::cmsghdr, "cmsghdr", cmsg_len);
    off!(libc::cmsghdr, "cmsghdr", cmsg_level);
    off!(libc::cmsghdr, "cmsghdr", cmsg_type);
    size!(libc::sockaddr_un, "sockaddr_un");

    size!(GuestStat, "stat");
    off!(GuestStat, "stat", st_dev);
    off!(GuestStat, "stat", st_ino);
    off!(GuestStat, "stat", st_mode);
    off!(GuestStat, "stat", st_nlink);
    off!(GuestStat, "stat", st_uid);
    off!(GuestStat, "stat", st_gid);
    off!(GuestStat, "stat", st_rdev);
    off!(GuestStat, "stat", st_size);
    off!(GuestStat, "stat", st_blksize);
    off!(GuestStat, "stat", st_blocks);
    off!(GuestStat, "stat", st_atime);
    off!(GuestStat, "stat", st_atime_nsec);
    off!(GuestStat, "stat", st_mtime);
    off!(GuestStat, "stat", st_mtime_nsec);
    off!(GuestStat, "stat", st_ctime);
    off!(GuestStat, "stat", st_ctime_nsec);

    size!(libc::statfs, "statfs");
    off!(libc::statfs, "statfs", f_type);
    off!(libc::statfs, "statfs", f_bsize);
    off!(libc::statfs, "statfs", f_blocks);
    off!(libc::statfs, "statfs", f_bfree);
    off!(libc::statfs, "statfs", f_bavail);
    off!(libc::statfs, "statfs", f_files);
    off!(libc::statfs, "statfs", f_ffree);
    off!(libc::statfs, "statfs", f_fsid);
    off!(libc::statfs, "statfs", f_namelen);
    off!(libc::statfs, "statfs", f_frsize);

    size!(libc::statx, "statx");
    off!(libc::statx, "statx", stx_mask);
    off!(libc::statx, "statx", stx_blksize);
    off!(libc::statx, "statx", stx_attributes);
    off!(libc::statx, "statx", stx_nlink);
    off!(libc::statx, "statx", stx_mode);
    off!(libc::statx, "statx", stx_ino);
    off!(libc::statx, "statx", stx_size);
    off!(libc::statx, "statx", stx_atime);
    off!(libc::statx, "statx", stx_mtime);
    off!(libc::statx, "statx", stx_rdev_major);
    off!(libc::statx, "statx", stx_dev_minor);

    size!(GuestEpollEvent, "epoll_event");
    off!(GuestEpollEvent, "epoll_event", events);
    off!(GuestEpollEvent, "epoll_event", data);

    size!(GuestSigaction, "sigaction");
    off!(GuestSigaction, "sigaction", sa_handler);
    off!(GuestSigaction, "sigaction", sa_flags);
    off!(GuestSigaction, "sigaction", sa_restorer);
    off!(GuestSigaction, "sigaction", sa_mask);
    size!(u64, "sigset");

    size!(GuestStackT, "stack_t");
    off!(GuestStackT, "stack_t", ss_sp);
    off!(GuestStackT, "stack_t", ss_flags);
    off!(GuestStackT, "stack_t", ss_size);

    size!(libc::siginfo_t, "siginfo");
    off!(libc::siginfo_t, "siginfo", si_signo);
    off!(libc::siginfo_t, "siginfo", si_errno);
    off!(libc::siginfo_t, "siginfo", si_code);

    size!(libc::rusage, "rusage");
    off!(libc::rusage, "rusage", ru_utime);
    off!(libc::rusage, "rusage", ru_stime);
    off!(libc::rusage, "rusage", ru_maxrss);
    off!(libc::rusage, "rusage", ru_nivcsw);

    size!(libc::sysinfo, "sysinfo");
    off!(libc::sysinfo, "sysinfo", uptime);
    off!(libc::sysinfo, "sysinfo", loads);
    off!(libc::sysinfo, "sysinfo", totalram);
    off!(libc::sysinfo, "sysinfo", procs);
    off!(libc::sysinfo, "sysinfo", totalhigh);
    off!(libc::sysinfo, "sysinfo", mem_unit);

    size!(libc::flock, "flock");
    off!(libc::flock, "flock", l_type);
    off!(libc::flock, "flock", l_whence);
    off!(libc::flock, "flock", l_start);
    off!(libc::flock, "flock", l_len);
    off!(libc::flock, "flock", l_pid);

    size!(KernelTermios, "termios");
    off!(KernelTermios, "termios", c_iflag);
    off!(KernelTermios, "termios", c_oflag);
    off!(KernelTermios, "termios", c_cflag);
    off!(KernelTermios, "termios", c_lflag);
    off!(KernelTermios, "termios", c_line);
    off!(KernelTermios, "termios", c_cc);
    size!(libc::winsize, "winsize");
    off!(libc::winsize, "winsize", ws_col);
    off!(libc::winsize, "winsize", ws_ypixel);

    size!(libc::timespec, "timespec");
    off!(libc::timespec, "timespec", tv_nsec);
    size!(libc::timeval, "timeval");
    off!(libc::timeval, "timeval", tv_usec);
    size!(libc::itimerspec, "itimerspec");
    off!(libc::itimerspec, "itimerspec", it_value);
    size!(libc::rlimit, "rlimit");
    off!(libc::rlimit, "rlimit", rlim_max);
    size!(libc::rlimit64, "rlimit64");
    size!(libc::iovec, "iovec");
    off!(libc::iovec, "iovec", iov_len);
    size!(libc::utsname, "utsname");
    off!(libc::utsname, "utsname", machine);
    size!(libc::pollfd, "pollfd");
    off!(libc::pollfd, "pollfd", revents);

    kh!(O_ACCMODE, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK, O_DSYNC);
    k!("FASYNC", HOST_FASYNC);
    k!("O_DIRECT", O_DIRECT);
    k!("O_LARGEFILE", O_LARGEFILE);
    k!("O_DIRECTORY", O_DIRECTORY);
    k!("O_NOFOLLOW", O_NOFOLLOW);
    kh!(O_NOATIME, O_CLOEXEC);
    k!("__O_SYNC", libc::O_SYNC & !libc::O_DSYNC);
    kh!(O_PATH);
    k!("__O_TMPFILE", libc::O_TMPFILE & !libc::O_DIRECTORY);
    kh!(F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_SETLKW, F_SETOWN, F_GETOWN);
    k!("F_SETSIG", HOST_F_SETSIG);
    k!("F_GETSIG", HOST_F_GETSIG);
    k!("F_SETOWN_EX", HOST_F_SETOWN_EX);
    k!("F_GETOWN_EX", HOST_F_GETOWN_EX);
    kh!(F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW);
    kh!(F_SETLEASE, F_GETLEASE, F_NOTIFY, F_DUPFD_CLOEXEC, F_SETPIPE_SZ, F_GETPIPE_SZ);
    kh!(F_ADD_SEALS, F_GET_SEALS, AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW);
    kh!(AT_EMPTY_PATH, AT_EACCESS);

    kh!(PROT_READ, PROT_WRITE, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP);
    k!("PROT_BTI", PROT_BTI);
    k!("PROT_MTE", PROT_MTE);
    kh!(MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_FIXED, MAP_ANONYMOUS, MAP_GROWSDOWN);
    kh!(MAP_DENYWRITE, MAP_EXECUTABLE, MAP_LOCKED, MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK);
    kh!(MAP_STACK, MAP_HUGETLB, MAP_SYNC, MAP_FIXED_NOREPLACE, MREMAP_MAYMOVE, MREMAP_FIXED);
    kh!(MREMAP_DONTUNMAP, MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT);

    kh!(TCGETS, TCSETS, TCSETSW, TCSETSF, TCSBRK, TCXONC, TCFLSH, TIOCEXCL, TIOCNXCL, TIOCSCTTY);
    kh!(TIOCGPGRP, TIOCSPGRP, TIOCOUTQ, TIOCGWINSZ, TIOCSWINSZ, FIONREAD, TIOCNOTTY, FIONBIO);
    kh!(TIOCGSID, TIOCGPTN, TIOCSPTLCK, FIONCLEX, FIOCLEX, FIOASYNC, TIOCGPTPEER);
    k!("NCCS", 19);
    kh!(VINTR, VEOF, VTIME, VMIN, ICRNL, IXON, OPOST, ONLCR, CBAUD, B38400, CS8, CREAD, ISIG);
    kh!(ICANON, ECHO, IEXTEN, TOSTOP);

    kh!(SA_NOCLDSTOP, SA_NOCLDWAIT, SA_SIGINFO, SA_ONSTACK, SA_RESTART, SA_NODEFER);
    k!("SA_RESETHAND", libc::SA_RESETHAND as u32);
    k!("SA_RESTORER", HOST_SA_RESTORER);
    kh!(SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK, SS_ONSTACK, SS_DISABLE);
    k!("MINSIGSTKSZ", MINSIGSTKSZ);
    kh!(SIGBUS, SIGUSR1, SIGSTKFLT, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGURG, SIGXCPU, SIGPOLL);
    kh!(SIGPWR, SIGSYS);

    kh!(EPOLL_CLOEXEC, EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLONESHOT);
    k!("EPOLLET", libc::EPOLLET as u32);
    kh!(POLLIN, POLLPRI, POLLOUT, POLLRDNORM, POLLWRNORM, POLLRDBAND, POLLWRBAND, POLLRDHUP);
    kh!(SOL_SOCKET, SO_REUSEADDR, SO_TYPE, SO_ERROR, SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE);
    kh!(SO_PASSCRED, SO_PEERCRED, SO_RCVLOWAT);
    k!("SO_RCVTIMEO_OLD", libc::SO_RCVTIMEO);
    k!("SO_SNDTIMEO_OLD", libc::SO_SNDTIMEO);
    kh!(SO_REUSEPORT);
    k!("SO_RCVTIMEO_NEW", 66);
    kh!(RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_AS, RLIMIT_STACK, RLIMIT_MEMLOCK, RLIMIT_RSS);
    k!("RLIM_NLIMITS", 16);

    size!(KernelIpc64Perm, "ipc64_perm");
    off!(KernelIpc64Perm, "ipc64_perm", key);
    off!(KernelIpc64Perm, "ipc64_perm", uid);
    off!(KernelIpc64Perm, "ipc64_perm", gid);
    off!(KernelIpc64Perm, "ipc64_perm", cuid);
    off!(KernelIpc64Perm, "ipc64_perm", cgid);
    off!(KernelIpc64Perm, "ipc64_perm", mode);
    off!(KernelIpc64Perm, "ipc64_perm", seq);
    size!(GuestSemid64Ds, "semid64_ds");
    off!(GuestSemid64Ds, "semid64_ds", sem_otime);
    off!(GuestSemid64Ds, "semid64_ds", sem_ctime);
    off!(GuestSemid64Ds, "semid64_ds", sem_nsems);
    size!(KernelShmid64Ds, "shmid64_ds");
    off!(KernelShmid64Ds, "shmid64_ds", shm_segsz);
    off!(KernelShmid64Ds, "shmid64_ds", shm_atime);
    off!(KernelShmid64Ds, "shmid64_ds", shm_dtime);
    off!(KernelShmid64Ds, "shmid64_ds", shm_ctime);
    off!(KernelShmid64Ds, "shmid64_ds", shm_cpid);
    off!(KernelShmid64Ds, "shmid64_ds", shm_lpid);
    off!(KernelShmid64Ds, "shmid64_ds", shm_nattch);
    size!(KernelMsqid64Ds, "msqid64_ds");
    off!(KernelMsqid64Ds, "msqid64_ds", msg_stime);
    off!(KernelMsqid64Ds, "msqid64_ds", msg_rtime);
    off!(KernelMsqid64Ds, "msqid64_ds", msg_ctime);
    off!(KernelMsqid64Ds, "msqid64_ds", msg_cbytes);
    off!(KernelMsqid64Ds, "msqid64_ds", msg_qnum);
    off!(KernelMsqid64Ds, "msqid64_ds", msg_qbytes);
    off!(KernelMsqid64Ds, "msqid64_ds", msg_lspid);
    off!(KernelMsqid64Ds, "msqid64_ds", msg_lrpid);
    size!(KernelShminfo64, "shminfo64");
    off!(KernelShminfo64, "shminfo64", shmall);
    size!(KernelShmInfo, "shm_info");
    off!(KernelShmInfo, "shm_info", shm_tot);
    off!(KernelShmInfo, "shm_info", swap_successes);
    size!(KernelSeminfo, "seminfo");
    off!(KernelSeminfo, "seminfo", semaem);
    size!(KernelMsginfo, "msginfo");
    off!(KernelMsginfo, "msginfo", msgseg);
    size!(KernelSembuf, "sembuf");
    off!(KernelSembuf, "sembuf", sem_op);
    off!(KernelSembuf, "sembuf", sem_flg);
    size!(KernelIocb, "iocb");
    off!(KernelIocb, "iocb", aio_rw_flags);
    off!(KernelIocb, "iocb", aio_lio_opcode);
    off!(KernelIocb, "iocb", aio_fildes);
    off!(KernelIocb, "iocb", aio_buf);
    off!(KernelIocb, "iocb", aio_offset);
    off!(KernelIocb, "iocb", aio_flags);
    off!(KernelIocb, "iocb", aio_resfd);
    size!(KernelIoEvent, "io_event");
    off!(KernelIoEvent, "io_event", res2);
    k!("IPC_SET", IPC_SET);
    k!("IPC_STAT", IPC_STAT);
    k!("IPC_INFO", IPC_INFO);
    k!("IPC_64", 0x100);
    k!("SEM_STAT", SEM_STAT);
    k!("SEM_INFO", SEM_INFO);
    k!("SEM_STAT_ANY", SEM_STAT_ANY);
    kh!(IPC_CREAT, IPC_EXCL, IPC_NOWAIT, IPC_RMID, GETPID, GETVAL, GETALL, GETNCNT, GETZCNT);
    kh!(SETVAL, SETALL, SEM_UNDO, SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC, SHM_LOCK, SHM_UNLOCK);
    kh!(SHM_HUGETLB, SHM_NORESERVE, MSG_NOERROR, MSG_EXCEPT, MSG_COPY, MSG_STAT, MSG_INFO);
    k!("SHM_STAT", 13);
    k!("SHM_INFO", 14);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oflags_round_trip() {
        // Each differing flag maps to the host bit of the same name and back.
        assert_eq!(oflags_to_host(O_DIRECTORY), libc::O_DIRECTORY as u32);
        assert_eq!(oflags_to_host(O_NOFOLLOW), libc::O_NOFOLLOW as u32);
        assert_eq!(oflags_to_host(O_DIRECT), libc::O_DIRECT as u32);
        assert_eq!(oflags_to_host(O_LARGEFILE), HOST_O_LARGEFILE);
        assert_eq!(oflags_from_host(libc::O_DIRECTORY as u32), O_DIRECTORY);
        assert_eq!(oflags_from_host(HOST_O_LARGEFILE), O_LARGEFILE);
        // Common flags pass unchanged.
        let common = (libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC | libc::O_NONBLOCK) as u32;
        assert_eq!(oflags_to_host(common), common);
        assert_eq!(
            oflags_to_host(common | O_DIRECTORY | O_NOFOLLOW),
            common | (libc::O_DIRECTORY | libc::O_NOFOLLOW) as u32
        );
        // O_TMPFILE contains O_DIRECTORY on both sides.
        let guest_tmpfile = 0o20000000 | O_DIRECTORY;
        assert_eq!(oflags_to_host(guest_tmpfile), libc::O_TMPFILE as u32);
        for bits in 0..(1u32 << 23) {
            let g = bits << 2 >> 2; // every combination of the low 23 bits, sampled below
            if g % 977 != 0 {
                continue;
            }
            assert_eq!(oflags_from_host(oflags_to_host(g)), g);
        }
    }

    #[test]
    fn stat_conversion() {
        // SAFETY: libc::stat is plain old data; all-zero is a valid value.
        let mut h: libc::stat = unsafe { std::mem::zeroed() };
        h.st_dev = 0x803;
        h.st_ino = 123456789;
        h.st_mode = 0o100644;
        h.st_nlink = 3;
        h.st_uid = 1000;
        h.st_gid = 100;
        h.st_rdev = 0x501;
        h.st_size = 0x1_0000_0001;
        h.st_blksize = 4096;
        h.st_blocks = 16;
        h.st_atime = 1_700_000_000;
        h.st_atime_nsec = 1;
        h.st_mtime = -5;
        h.st_mtime_nsec = 999_999_999;
        h.st_ctime = 7;
        h.st_ctime_nsec = 42;
        let g = GuestStat::from(&h);
        let b = g.to_bytes();
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
        assert_eq!(u64_at(0), 0x803);
        assert_eq!(u64_at(8), 123456789);
        assert_eq!(u32_at(16), 0o100644);
        assert_eq!(u32_at(20), 3);
        assert_eq!(u32_at(24), 1000);
        assert_eq!(u32_at(28), 100);
        assert_eq!(u64_at(32), 0x501);
        assert_eq!(u64_at(40), 0);
        assert_eq!(u64_at(48), 0x1_0000_0001);
        assert_eq!(u32_at(56), 4096);
        assert_eq!(u64_at(64), 16);
        assert_eq!(u64_at(72), 1_700_000_000);
        assert_eq!(u64_at(80), 1);
        assert_eq!(u64_at(88) as i64, -5);
        assert_eq!(u64_at(96), 999_999_999);
        assert_eq!(u64_at(104), 7);
        assert_eq!(u64_at(112), 42);
        assert_eq!(u64_at(120), 0);
    }

    #[test]
    fn epoll_event_conversion() {
        let g = GuestEpollEvent { events: 0x8000_0001, __pad: 0, data: 0x1122_3344_5566_7788 };
        let b = g.to_bytes();
        assert_eq!(GuestEpollEvent::from_bytes(&b), g);
        let h = g.to_host();
        let (ev, data) = (h.events, h.u64);
        assert_eq!((ev, data), (0x8000_0001, 0x1122_3344_5566_7788));
        assert_eq!(GuestEpollEvent::from_host(&h), g);
    }

    #[test]
    fn sigaction_and_stack_bytes() {
        let a = GuestSigaction { sa_handler: 1, sa_flags: 0x0400_0004, sa_restorer: 3, sa_mask: 1 << 9 };
        assert_eq!(GuestSigaction::from_bytes(&a.to_bytes()), a);
        let st = GuestStackT { ss_sp: 0x1000, ss_flags: 2, __pad: 0, ss_size: 8192 };
        assert_eq!(GuestStackT::from_bytes(&st.to_bytes()), st);
    }
}
