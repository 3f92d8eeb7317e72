//! The process model under the emulator: threads, exit rules, robust futexes, fork/exec, /proc.
//!
//! Programs in guest-bins/proc/ with an `expected/` stdout (threads, cxxthreads, rtsignals,
//! mainexit, groupexit, forkexec) are compared with their expected files under this emulator and under
//! qemu-aarch64 (they only execute native programs, so qemu needs no binfmt_misc registration).
//! The others cannot be compared with qemu-aarch64 7.2 and are checked here against fixed text:
//! `robust` (qemu refuses set_robust_list; the text is the native x86_64 build's output),
//! `reexec` (execve of aarch64 programs, which qemu can only do through binfmt_misc), `procfs`
//! (qemu shows the host's /proc/cpuinfo and ignores relative /proc paths).

mod common;

use common::*;

fn check(name: &str) {
    if let Err(e) = check_program(name) {
        panic!("{e}");
    }
}

#[test]
fn pthread_stress_with_8_threads() {
    check("proc/threads");
}

#[test]
fn cxx_exceptions_across_threads() {
    check("proc/cxxthreads");
}

/// pthread_cancel, set*id with threads, real-time signals, SIGEV_THREAD timers, wait
/// statuses and the parent-death signal: the C library's internal signals 32 and 33 must not
/// reach the host's (src/linux/signal/map.rs).
#[test]
fn realtime_and_libc_internal_signals() {
    check("proc/rtsignals");
}

#[test]
fn main_thread_exit_leaves_workers_running() {
    check("proc/mainexit");
}

#[test]
fn exit_group_from_a_worker_ends_the_process() {
    check("proc/groupexit");
}

#[test]
fn fork_wait_popen_spawn_and_native_exec() {
    check("proc/forkexec");
}

/// Runs `name` under the emulator (no arguments, empty environment) and compares stdout and
/// status with the given text.
fn check_text(name: &str, want: &str) {
    let bin = guest_bin(name);
    let o = run_with_timeout(&mut emu_command(&[] as &[&str], &bin, &[] as &[&str]), TIMEOUT);
    assert_no_panic(name, &o);
    if let Some(m) = mismatch(&o, want.as_bytes(), "0", None) {
        panic!("{name}: {}\n{m}", describe(&o));
    }
}

#[test]
fn robust_mutex_owner_death_gives_eownerdead() {
    check_text(
        "proc/robust",
        "pthread_exit: lock after the owner died: EOWNERDEAD\n\
         pthread_exit: lock again: ok\n\
         exit syscall: lock after the owner died: EOWNERDEAD\n\
         exit syscall: lock again: ok\n\
         blocked waiter: woken with EOWNERDEAD\n\
         process-shared, child _exit: lock after the owner died: EOWNERDEAD\n\
         process-shared, child _exit: lock again: ok\n\
         failures=0\n",
    );
}

#[test]
fn execve_of_aarch64_programs_reexecutes_the_emulator() {
    check_text(
        "proc/reexec",
        "/proc/self/exe names the guest program: yes\n  \
         child: argc=4 [custom-argv0] [child] [a b] [] QAL_X=(unset)\n  \
         child: /proc/self/exe is this program: yes\n\
         execv /proc/self/exe: exited 0\n  \
         child: argc=2 [x] [child] QAL_X=from envp\n  \
         child: /proc/self/exe is this program: yes\n\
         execve own path with an environment: exited 0\n  \
         child: argc=2 [fexecve-argv0] [child] QAL_X=(unset)\n  \
         child: /proc/self/exe is this program: yes\n\
         fexecve: exited 0\n  \
         child: argc=2 [execveat-argv0] [child] QAL_X=(unset)\n  \
         child: /proc/self/exe is this program: yes\n\
         execveat dirfd+name: exited 0\n  \
         child: argc=4 [SELF] [child-from-script] [SCRIPT] [arg1] QAL_X=(unset)\n  \
         child: /proc/self/exe is this program: yes\n\
         script with an aarch64 interpreter: exited 0\n  \
         child: argc=2 [spawned] [child] QAL_X=(unset)\n  \
         child: /proc/self/exe is this program: yes\n\
         posix_spawn: exited 0\n\
         exit status: exited 17\n\
         death by signal: killed by signal 15\n\
         failures=0\n",
    );
}

#[test]
fn proc_files_describe_the_guest() {
    let checks = [
        "readlink /proc/self/exe is the program",
        "readlink /proc/<pid>/exe",
        "readlink /proc/thread-self/exe in a thread",
        "open /proc/self/exe reads an aarch64 ELF",
        "stat /proc/self/exe is the program",
        "lstat /proc/self/exe is a link",
        "access /proc/self/exe X_OK",
        "openat(/proc/self fd, exe)",
        "readlinkat(/proc/self fd, exe)",
        "fstatat(/proc/self fd, exe)",
        "after chdir(/proc): open self/exe",
        "after chdir(/proc): readlink self/exe",
        "after chdir(/proc/self): open ./exe",
        "/proc/self/auxv: whole entries ending with AT_NULL",
        "/proc/self/auxv agrees with getauxval",
        "/proc/cpuinfo: one block per online CPU",
        "/proc/cpuinfo: Features match AT_HWCAP",
        "/proc/cpuinfo: implementer and part match MIDR_EL1",
        "/proc/cpuinfo: CPU architecture: 8",
        "/proc/cpuinfo cannot be opened for writing",
        "/proc/self/maps shows the guest code executable",
        "/proc/self/maps labels the stack",
        "/proc/self/maps labels the brk heap",
        "/proc/self/maps has no x86 vsyscall page",
        "/proc/self/cmdline is argv",
        "/proc/self/cmdline follows argv changed in place",
        "/proc/<child>/cmdline is the child's argv",
        "/proc/self/environ is envp",
        "/proc/self/comm is the program's name",
        "/proc/self/stat names the program",
        "/proc/self/stat start_stack is the guest's",
        "/proc/self/stat arg_start is argv[0]",
        "/proc/self/stat code range holds main",
        "/proc/self/fd lists only the program's descriptors",
    ];
    let want: String = checks.iter().map(|c| format!("{c}: ok\n")).collect::<String>() + "failures=0\n";
    check_text("proc/procfs", &want);
    // An emulator environment that is not the guest's: QEMU_* variables (removed, one of them
    // adding a variable), -U and -E. /proc/self/environ must still be the guest's envp.
    let bin = guest_bin("proc/procfs");
    let mut cmd = emu_command(["-U", "QAL_HOST_ONLY", "-E", "QAL_E=from -E"], &bin, &[] as &[&str]);
    cmd.env("QAL_HOST_ONLY", "1").env("QAL_BOTH", "a b").env("QEMU_SET_ENV", "QAL_SET=2");
    let o = run_with_timeout(&mut cmd, TIMEOUT);
    assert_no_panic("proc/procfs with -E/-U", &o);
    if let Some(m) = mismatch(&o, want.as_bytes(), "0", None) {
        panic!("proc/procfs with -E/-U: {}\n{m}", describe(&o));
    }
}

/// The options in effect reach a re-executed emulator: with `-strace`, the exec'd aarch64
/// child's own system calls are traced too (its pid differs from the parent's).
#[test]
fn exec_passes_our_options_to_the_new_emulator() {
    let bin = guest_bin("proc/reexec");
    let o = run_with_timeout(&mut emu_command(["-strace"], &bin, &[] as &[&str]), TIMEOUT);
    assert_no_panic("reexec -strace", &o);
    assert!(o.status.success(), "{}", describe(&o));
    let err = o.stderr_text();
    let pids: std::collections::BTreeSet<&str> =
        err.lines().filter(|l| l.contains(" exit_group(")).filter_map(|l| l.split_whitespace().next()).collect();
    // The parent, the forked children that exec (7) and the final self-exec share pids pairwise;
    // at least the parent and every exec'd child trace their exit_group.
    assert!(pids.len() >= 8, "exit_group traced by {} processes only:\n{err}", pids.len());
}

/// Thread creation and teardown stay correct when repeated (races show up as hangs, lost
/// wakeups or wrong counts).
#[test]
fn thread_programs_repeatedly() {
    for _ in 0..3 {
        check("proc/threads");
        check("proc/mainexit");
    }
}
