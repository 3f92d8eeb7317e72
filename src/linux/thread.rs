//! Guest threads and the rules by which a guest process ends.
//!
//! A guest thread is a host thread (DESIGN.md): [`spawn`] starts a host thread with its own
//! `CpuState` (a copy of the caller's registers, as clone(2) makes) and its own [`Thread`], which
//! shares the caller's `Process`. The guest's tid is the host thread's tid.
//!
//! Exit rules, as in the kernel (kernel/exit.c):
//! - `exit` ends one thread: its guest robust list is walked ([`exit_robust_list`]), its
//!   clear_child_tid word is zeroed and woken (`mm_release`), and its host thread ends. When it was
//!   the last thread, the process ends with its status. The main thread exiting while others run
//!   does not end the process: its host thread stays, blocked with every host signal masked (so
//!   that process-directed signals reach a live thread), until the last thread ends the process.
//! - `exit_group` from any thread, and a fatal signal, end the whole process at once
//!   ([`exit_process`]; the first caller wins, later ones block until the process is gone).
//!
//! Invariants: `Process::live_threads` counts guest threads that have not exited (incremented
//! before a host thread is started for a new one, decremented exactly once when it exits).
//! The guest's robust list and clear_child_tid are per-thread state kept in
//! `syscall::proc::{ROBUST_LIST, CLEAR_CHILD_TID}` (thread-locals), so only the thread itself
//! walks them. The host kernel knows nothing of them (the host thread's own glibc registered its
//! own robust list), hence the walk here.

use super::syscall::proc::{CLEAR_CHILD_TID, ROBUST_LIST};
use super::{run_loop, Process, Thread};
use crate::cpu::{CpuState, EXCL_NONE};
use crate::GuestExit;
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Arc, Mutex};

/// Host stack of a guest thread's host thread: the JIT translates and syscall handlers run on it
/// (the guest stack is the guest's own memory). Virtual size; pages are touched on demand.
pub const HOST_STACK_SIZE: usize = 8 << 20;

// clone(2) flags (include/uapi/linux/sched.h; identical on arm64 and x86_64).
pub const CSIGNAL: u64 = 0x0000_00ff;
pub const CLONE_VM: u64 = 0x0000_0100;
pub const CLONE_FS: u64 = 0x0000_0200;
pub const CLONE_FILES: u64 = 0x0000_0400;
pub const CLONE_SIGHAND: u64 = 0x0000_0800;
pub const CLONE_PIDFD: u64 = 0x0000_1000;
pub const CLONE_PTRACE: u64 = 0x0000_2000;
pub const CLONE_VFORK: u64 = 0x0000_4000;
pub const CLONE_PARENT: u64 = 0x0000_8000;
pub const CLONE_THREAD: u64 = 0x0001_0000;
pub const CLONE_NEWNS: u64 = 0x0002_0000;
pub const CLONE_SYSVSEM: u64 = 0x0004_0000;
pub const CLONE_SETTLS: u64 = 0x0008_0000;
pub const CLONE_PARENT_SETTID: u64 = 0x0010_0000;
pub const CLONE_CHILD_CLEARTID: u64 = 0x0020_0000;
pub const CLONE_DETACHED: u64 = 0x0040_0000;
pub const CLONE_UNTRACED: u64 = 0x0080_0000;
pub const CLONE_CHILD_SETTID: u64 = 0x0100_0000;
pub const CLONE_IO: u64 = 0x8000_0000;

/// What a thread needs to share with its creator for the kernel's thread model to hold
/// (glibc and Go both pass all of these; qemu-user requires the same set).
pub const THREAD_REQUIRED: u64 = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
/// Flags a thread may also carry.
pub const THREAD_OPTIONAL: u64 = CLONE_SYSVSEM
    | CLONE_SETTLS
    | CLONE_PARENT_SETTID
    | CLONE_CHILD_SETTID
    | CLONE_CHILD_CLEARTID
    | CLONE_DETACHED
    | CLONE_UNTRACED
    | CLONE_IO;

// Futex words (include/uapi/linux/futex.h).
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;
/// Longest robust list the kernel walks (ROBUST_LIST_LIMIT).
pub const ROBUST_LIST_LIMIT: usize = 2048;
const FUTEX_WAKE: i32 = 1;
const FUTEX_WAKE_OP: i32 = 5;
/// FUTEX_OP(FUTEX_OP_OR, 0, FUTEX_OP_CMP_EQ, 0): `*uaddr2 |= 0`, a no-op write that the kernel
/// performs with fault handling: a writability probe that cannot disturb a concurrent update.
const FUTEX_OP_OR_ZERO: u32 = 2 << 28;

/// A clone request, from clone(2) or clone3(2) (already decoded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CloneArgs {
    pub flags: u64,
    /// New stack pointer (0: the child keeps the caller's sp).
    pub stack: u64,
    pub parent_tid: u64,
    pub child_tid: u64,
    pub tls: u64,
    /// Where CLONE_PIDFD stores the pidfd (clone: `parent_tid`; clone3: `pidfd`).
    pub pidfd: u64,
    pub exit_signal: u64,
}

/// A copy of `src`'s guest-visible registers for a new thread or process (clone(2) copies the
/// register file; the exclusive monitor is cleared as by an exception return).
pub fn copy_cpu(src: &CpuState) -> Box<CpuState> {
    let mut c = CpuState::new();
    c.x = src.x;
    c.pc = src.pc;
    c.nzcv = src.nzcv;
    c.fpcr = src.fpcr;
    c.fpsr = src.fpsr;
    c.tpidr_el0 = src.tpidr_el0;
    c.tpidrro_el0 = src.tpidrro_el0;
    c.v = src.v;
    c.excl_addr = EXCL_NONE;
    c
}

fn gettid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::syscall(libc::SYS_gettid) as i32 }
}

/// Store a u32 into guest memory, ignoring faults (the kernel ignores them for the tid words).
fn put_u32(addr: u64, v: u32) {
    if addr != 0 {
        let _ = crate::mem::probe_write(addr, &v.to_le_bytes());
    }
}

/// Start a new guest thread (clone with CLONE_VM|CLONE_THREAD): returns its tid, or -errno.
/// `cpu.pc` is the instruction after the SVC; the child starts there with x0 = 0.
pub fn spawn(p: &Thread, cpu: &CpuState, a: &CloneArgs) -> i64 {
    let mut child = copy_cpu(cpu);
    child.x[0] = 0;
    if a.stack != 0 {
        child.set_sp(a.stack);
    }
    if a.flags & CLONE_SETTLS != 0 {
        child.tpidr_el0 = a.tls;
    }
    let proc = Arc::clone(&p.proc);
    let sigmask = p.sigmask;
    let (flags, parent_tid, child_tid) = (a.flags, a.parent_tid, a.child_tid);
    let (tx, rx) = mpsc::sync_channel::<i32>(1);
    p.live_threads.fetch_add(1, Ordering::SeqCst);
    let started = std::thread::Builder::new().stack_size(HOST_STACK_SIZE).spawn(move || {
        let mut t = Thread::new(proc);
        t.sigmask = sigmask;
        let tid = t.tid;
        // Both tid words are written before the parent's clone returns and before the child
        // runs, as copy_process and schedule_tail do.
        if flags & CLONE_PARENT_SETTID != 0 {
            put_u32(parent_tid, tid as u32);
        }
        if flags & CLONE_CHILD_SETTID != 0 {
            put_u32(child_tid, tid as u32);
        }
        if flags & CLONE_CHILD_CLEARTID != 0 {
            CLEAR_CHILD_TID.with(|c| c.set(child_tid));
        }
        let _ = tx.send(tid);
        let mut cpu = child;
        let e = run_loop(&mut t, &mut cpu);
        thread_exit(&mut t, e);
    });
    if started.is_err() {
        p.live_threads.fetch_sub(1, Ordering::SeqCst);
        return -(libc::EAGAIN as i64);
    }
    match rx.recv() {
        Ok(tid) => i64::from(tid),
        Err(_) => -(libc::EAGAIN as i64),
    }
}

/// A worker thread's run loop returned `e`: apply the exit rules. Returns when the host thread
/// may end (the thread exited and others remain); otherwise ends the process.
pub fn thread_exit(t: &mut Thread, e: GuestExit) {
    let tid = t.tid as u32;
    if t.exit_group || matches!(e, GuestExit::Signaled(_)) {
        exit_robust_list(tid);
        exit_process(&t.proc, e);
    }
    exit_robust_list(tid);
    if t.live_threads.fetch_sub(1, Ordering::SeqCst) == 1 {
        exit_process(&t.proc, e);
    }
    clear_child_tid();
}

/// The main thread's run loop returned `e` (the tail of `start`): returns how the process ends
/// when it ends now (then the caller exits normally); when other threads still run after this
/// thread's `exit`, this host thread blocks until one of them ends the process.
pub fn main_thread_exit(t: &mut Thread, e: GuestExit) -> GuestExit {
    let tid = t.tid as u32;
    exit_robust_list(tid);
    if t.exit_group || matches!(e, GuestExit::Signaled(_)) {
        if t.live_threads.load(Ordering::SeqCst) > 1 {
            exit_process(&t.proc, e);
        }
        return e;
    }
    if t.live_threads.fetch_sub(1, Ordering::SeqCst) == 1 {
        return e;
    }
    clear_child_tid();
    // SAFETY: blocking every signal on this host thread only; the set is initialised first.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
    }
    loop {
        std::thread::park();
    }
}

/// First caller of [`exit_process`] (the kernel's group exit: the first exit_group wins).
static EXITING: Mutex<()> = Mutex::new(());

/// End the whole process now with `e`, from any thread (exit_group, a fatal signal, the last
/// thread's exit). Never returns; a second caller blocks until the process is gone.
pub fn exit_process(p: &Process, e: GuestExit) -> ! {
    let guard = EXITING.lock().unwrap_or_else(|e| e.into_inner());
    std::mem::forget(guard);
    {
        let mut log = p.log.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = log.as_mut() {
            let _ = f.flush();
        }
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    let code = match e {
        GuestExit::Exited(c) => c,
        GuestExit::Signaled(sig) => super::die_by_signal(sig),
    };
    // SAFETY: _exit ends every thread of the process at once (exit_group), running no
    // handlers that could race with threads still running guest code.
    unsafe { libc::_exit(code) }
}

/// mm_release: zero this thread's clear_child_tid word and wake one waiter (pthread_join).
/// The wake is shared (not FUTEX_PRIVATE), as the kernel's, which glibc's join waits for.
pub fn clear_child_tid() {
    let addr = CLEAR_CHILD_TID.with(|c| c.replace(0));
    if addr != 0 && crate::mem::probe_write(addr, &0u32.to_le_bytes()) {
        futex_wake(addr, 1);
    }
}

fn futex_wake(addr: u64, n: i32) {
    // SAFETY: FUTEX_WAKE only looks up waiters keyed by the address; a bad one gives EFAULT.
    unsafe { libc::syscall(libc::SYS_futex, addr, FUTEX_WAKE, n, 0, 0, 0) };
}

fn read_u64(addr: u64) -> Option<u64> {
    let mut b = [0u8; 8];
    crate::mem::probe_read(addr, &mut b).then(|| u64::from_le_bytes(b))
}

/// Whether the aligned u32 at `addr` is writable now (see [`FUTEX_OP_OR_ZERO`]).
fn futex_word_writable(addr: u64) -> bool {
    // SAFETY: FUTEX_WAKE_OP with nr_wake = nr_wake2 = 0 changes nothing (OR 0) and wakes no one;
    // the kernel reports an inaccessible word as EFAULT.
    let r = unsafe {
        libc::syscall(libc::SYS_futex, addr, FUTEX_WAKE_OP, 0, 0usize, addr, FUTEX_OP_OR_ZERO as libc::c_long)
    };
    r >= 0
}

/// handle_futex_death (kernel/futex/core.c): the dying thread `tid` owned the robust futex at
/// `uaddr`: mark it FUTEX_OWNER_DIED (keeping FUTEX_WAITERS) and wake one waiter of a non-PI
/// futex (PI waiters are woken by the kernel's own pi_state cleanup when the host thread ends).
fn handle_futex_death(uaddr: u64, tid: u32, pi: bool, pending_op: bool) {
    if !uaddr.is_multiple_of(4) || !futex_word_writable(uaddr) {
        return;
    }
    // SAFETY: `uaddr` is aligned and was just found mapped writable (guest addr == host addr);
    // all accesses are atomic, as the guest's own lock code expects.
    let word = unsafe { &*(uaddr as *const AtomicU32) };
    let mut uval = word.load(Ordering::SeqCst);
    loop {
        // The unlock path cleared the word but died before waking: wake one waiter.
        if pending_op && !pi && uval == 0 {
            futex_wake(uaddr, 1);
            return;
        }
        if uval & FUTEX_TID_MASK != tid {
            return;
        }
        let mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        match word.compare_exchange(uval, mval, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => break,
            Err(now) => uval = now,
        }
    }
    if !pi && uval & FUTEX_WAITERS != 0 {
        futex_wake(uaddr, 1);
    }
}

/// exit_robust_list (kernel/futex/core.c): walk this thread's guest robust list
/// (`struct robust_list_head { next, futex_offset, list_op_pending }`, pointers with bit 0 = PI)
/// and release every futex `tid` still owns. Stops at a fault or after ROBUST_LIST_LIMIT entries.
pub fn exit_robust_list(tid: u32) {
    let (head, _) = ROBUST_LIST.with(|c| c.replace((0, 0)));
    if head != 0 {
        walk_robust_list(head, tid);
    }
}

/// The walk of [`exit_robust_list`] for the list at `head`.
pub fn walk_robust_list(head: u64, tid: u32) {
    let Some(first) = read_u64(head) else { return };
    let Some(futex_offset) = read_u64(head.wrapping_add(8)) else { return };
    let Some(pending_raw) = read_u64(head.wrapping_add(16)) else { return };
    let (pending, pending_pi) = (pending_raw & !1, pending_raw & 1 != 0);
    let (mut entry, mut pi) = (first & !1, first & 1 != 0);
    let mut limit = ROBUST_LIST_LIMIT;
    while entry != head {
        let next = read_u64(entry);
        if entry != pending {
            handle_futex_death(entry.wrapping_add(futex_offset), tid, pi, false);
        }
        let Some(next) = next else { return };
        (entry, pi) = (next & !1, next & 1 != 0);
        limit -= 1;
        if limit == 0 {
            break;
        }
    }
    if pending != 0 {
        handle_futex_death(pending.wrapping_add(futex_offset), tid, pending_pi, true);
    }
}

/// The host tid of the calling thread (the guest's).
pub fn current_tid() -> i32 {
    gettid()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A robust list as glibc lays it out: the head, then mutexes whose futex word sits
    /// `futex_offset` bytes after their list node.
    #[repr(C)]
    struct Node {
        next: u64,
        word: AtomicU32,
    }

    #[test]
    fn robust_list_walk_marks_owned_futexes() {
        let tid = gettid() as u32;
        let mut head = [0u64; 3];
        let head_addr = head.as_mut_ptr() as u64;
        // The walk reads the head through its address: write it the same way.
        // SAFETY: `i` < 3, inside `head`, which outlives every use.
        let set = |i: usize, v: u64| unsafe { std::ptr::write_volatile((head_addr as *mut u64).add(i), v) };
        let a = Box::new(Node { next: 0, word: AtomicU32::new(tid | FUTEX_WAITERS) });
        let b = Box::new(Node { next: 0, word: AtomicU32::new(tid + 1) });
        let c = Box::new(Node { next: 0, word: AtomicU32::new(tid) });
        let (pa, pb, pc) = (&*a as *const Node as u64, &*b as *const Node as u64, &*c as *const Node as u64);
        // SAFETY: test-owned nodes; the list is written before the walk reads it.
        unsafe {
            (*(pa as *mut Node)).next = pb;
            (*(pb as *mut Node)).next = pc;
            (*(pc as *mut Node)).next = head_addr;
        }
        set(0, pa);
        set(1, 8); // futex_offset
        set(2, 0);
        walk_robust_list(head_addr, tid);
        assert_eq!(a.word.load(Ordering::SeqCst), FUTEX_WAITERS | FUTEX_OWNER_DIED);
        assert_eq!(b.word.load(Ordering::SeqCst), tid + 1, "owned by another thread: untouched");
        assert_eq!(c.word.load(Ordering::SeqCst), FUTEX_OWNER_DIED);
        // A pending op on an unowned word is left alone; one on an owned word is released.
        c.word.store(tid, Ordering::SeqCst);
        set(0, head_addr);
        set(2, pc);
        walk_robust_list(head_addr, tid);
        assert_eq!(c.word.load(Ordering::SeqCst), FUTEX_OWNER_DIED);
        // A loop that never returns to the head stops at the limit; bad pointers stop the walk.
        // SAFETY: as above.
        unsafe { (*(pa as *mut Node)).next = pa };
        set(0, pa);
        set(2, 0);
        a.word.store(tid, Ordering::SeqCst);
        walk_robust_list(head_addr, tid);
        assert_eq!(a.word.load(Ordering::SeqCst), FUTEX_OWNER_DIED);
        walk_robust_list(8, tid);
        let bad = [8u64, 0, 0];
        walk_robust_list(bad.as_ptr() as u64, tid);
    }

    #[test]
    fn copy_cpu_copies_registers_and_clears_monitor() {
        let mut c = CpuState::new();
        c.x[5] = 55;
        c.pc = 0x1000;
        c.tpidr_el0 = 7;
        c.v[3] = 1 << 100;
        c.excl_addr = 0x2000;
        let d = copy_cpu(&c);
        assert_eq!((d.x[5], d.pc, d.tpidr_el0, d.v[3], d.excl_addr), (55, 0x1000, 7, 1 << 100, EXCL_NONE));
    }
}
