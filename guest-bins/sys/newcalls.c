// Pass-through calls: membarrier, ioprio_get/ioprio_set, sched_getattr/sched_setattr,
// pidfd_open/pidfd_getfd, sethostname/setdomainname (in a new UTS namespace when one can be
// made, else the unprivileged EPERM), POSIX message queues (not mq_notify: qemu-aarch64 7.2
// answers ENOSYS, and its sigevent carries a signal number); chroot, setns, kcmp,
// name_to_handle_at and adjtimex/clock_adjtime, with arguments whose results do not depend
// on privilege or on the machine (process_vm_readv and the NUMA calls, ENOSYS under
// qemu-aarch64 7.2, are in the self-checking vmcalls.c).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <mqueue.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timex.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e) { return e ? strerrorname_np(e) : "-"; }

#define SHOW(name, expr)                                                                \
    do {                                                                                \
        errno = 0;                                                                      \
        long r_ = (long)(expr);                                                         \
        printf("%-28s r=%ld errno=%s\n", name, r_, r_ < 0 ? en(errno) : "-");           \
    } while (0)

struct sched_attr_v1 {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t util_min, util_max;
};

static void membarrier_calls(void) {
    errno = 0;
    long q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    printf("membarrier query ok=%d private_expedited=%d\n", q >= 0, q >= 0 && (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0);
    SHOW("membarrier register", syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    SHOW("membarrier private_exp", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
    SHOW("membarrier bad cmd", syscall(SYS_membarrier, 1 << 20, 0, 0));
    SHOW("membarrier bad flags", syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 8, 0));
}

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_PRIO(c, d) (((c) << 13) | (d))

static void ioprio_calls(void) {
    SHOW("ioprio_get >= 0", syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0) >= 0 ? 0 : -1);
    SHOW("ioprio_set BE/5", syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO(IOPRIO_CLASS_BE, 5)));
    SHOW("ioprio_get", syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0));
    SHOW("ioprio_get bad which", syscall(SYS_ioprio_get, 99, 0));
    SHOW("ioprio_set bad class", syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO(7, 0)));
}

static void sched_attr_calls(void) {
    struct sched_attr_v1 a;
    memset(&a, 0xa5, sizeof a);
    SHOW("sched_getattr", syscall(SYS_sched_getattr, 0, &a, sizeof a, 0));
    int nice0 = getpriority(PRIO_PROCESS, 0);
    printf("  size=%u policy=%u flags=%llu nice=getpriority:%d prio=%u\n", a.size, a.sched_policy,
           (unsigned long long)a.sched_flags, a.sched_nice == nice0, a.sched_priority);
    SHOW("sched_getattr small size", syscall(SYS_sched_getattr, 0, &a, 40, 0));
    SHOW("sched_getattr bad flags", syscall(SYS_sched_getattr, 0, &a, sizeof a, 1));
    SHOW("sched_getattr NULL", syscall(SYS_sched_getattr, 0, NULL, sizeof a, 0));
    int nice1 = nice0 < 17 ? nice0 + 3 : 19; // raising one's nice value needs no privilege
    struct sched_attr_v1 s = {.size = 48, .sched_policy = SCHED_OTHER, .sched_nice = nice1};
    SHOW("sched_setattr nice", syscall(SYS_sched_setattr, 0, &s, 0));
    memset(&a, 0, sizeof a);
    syscall(SYS_sched_getattr, 0, &a, sizeof a, 0);
    printf("  nice set=%d getpriority=%d\n", a.sched_nice == nice1, getpriority(PRIO_PROCESS, 0) == nice1);
    s.sched_policy = 77;
    SHOW("sched_setattr bad policy", syscall(SYS_sched_setattr, 0, &s, 0));
    SHOW("sched_setattr bad pid", syscall(SYS_sched_setattr, -1, &s, 0));
}

static void pidfd_calls(void) {
    errno = 0;
    int pfd = syscall(SYS_pidfd_open, getpid(), 0);
    printf("pidfd_open self ok=%d errno=%s cloexec=%d\n", pfd >= 0, pfd < 0 ? en(errno) : "-",
           pfd >= 0 && (fcntl(pfd, F_GETFD) & FD_CLOEXEC) != 0);
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return;
    errno = 0;
    int got = syscall(SYS_pidfd_getfd, pfd, pipefd[1], 0);
    struct stat a, b;
    printf("pidfd_getfd ok=%d errno=%s same_file=%d cloexec=%d\n", got >= 0, got < 0 ? en(errno) : "-",
           got >= 0 && fstat(got, &a) == 0 && fstat(pipefd[1], &b) == 0 && a.st_ino == b.st_ino,
           got >= 0 && (fcntl(got, F_GETFD) & FD_CLOEXEC) != 0);
    if (got >= 0)
        printf("  write through it=%zd\n", write(got, "x", 1));
    SHOW("pidfd_getfd bad target", syscall(SYS_pidfd_getfd, pfd, 999, 0));
    SHOW("pidfd_getfd bad flags", syscall(SYS_pidfd_getfd, pfd, pipefd[1], 1));
    SHOW("pidfd_getfd not a pidfd", syscall(SYS_pidfd_getfd, pipefd[0], 1, 0));
    SHOW("pidfd_open bad flags", syscall(SYS_pidfd_open, getpid(), 1));
    SHOW("pidfd_open no such pid", syscall(SYS_pidfd_open, 0x3ffffff0, 0));
    pid_t child = fork();
    if (child == 0)
        _exit(7);
    int cfd = syscall(SYS_pidfd_open, child, 0);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    errno = 0;
    int r = waitid(P_PIDFD, cfd, &si, WEXITED);
    printf("waitid(P_PIDFD) r=%d errno=%s status=%d\n", r, en(errno), si.si_status);
    int nfd = syscall(SYS_pidfd_open, getpid(), O_NONBLOCK); // PIDFD_NONBLOCK
    printf("pidfd_open PIDFD_NONBLOCK: O_NONBLOCK=%d\n", nfd >= 0 && (fcntl(nfd, F_GETFL) & O_NONBLOCK) != 0);
    close(nfd);
    close(cfd);
    close(pfd);
    close(got);
    close(pipefd[0]);
    close(pipefd[1]);
}

static void hostname_calls(void) {
    pid_t child = fork();
    if (child == 0) {
        int ns = unshare(CLONE_NEWUTS) == 0 || unshare(CLONE_NEWUSER | CLONE_NEWUTS) == 0;
        int ok;
        if (ns) {
            struct utsname u;
            ok = syscall(SYS_sethostname, "qal-test-host", 13) == 0 && syscall(SYS_setdomainname, "qal.dom", 7) == 0 &&
                 uname(&u) == 0 && strcmp(u.nodename, "qal-test-host") == 0 && strcmp(u.domainname, "qal.dom") == 0;
            errno = 0;
            ok &= syscall(SYS_sethostname, "x", 65) == -1 && errno == EINVAL;
            errno = 0;
            ok &= syscall(SYS_setdomainname, NULL, 3) == -1 && errno == EFAULT;
        } else {
            errno = 0;
            ok = syscall(SYS_sethostname, "x", 1) == -1 && errno == EPERM;
            errno = 0;
            ok &= syscall(SYS_setdomainname, "x", 1) == -1 && errno == EPERM;
        }
        printf("sethostname/setdomainname as the kernel does=%d\n", ok);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
}

static void mq_calls(void) {
    char name[64];
    snprintf(name, sizeof name, "/qal-test-%d", (int)getpid());
    struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 32};
    errno = 0;
    mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
    printf("mq_open ok=%d errno=%s cloexec=%d\n", q >= 0, q < 0 ? en(errno) : "-", q >= 0 && (fcntl(q, F_GETFD) & FD_CLOEXEC));
    if (q < 0)
        return;
    SHOW("mq_open O_EXCL again", mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr));
    SHOW("mq_send prio 1", mq_send(q, "one", 3, 1));
    SHOW("mq_send prio 9", mq_send(q, "nine", 4, 9));
    SHOW("mq_send too long", mq_send(q, "0123456789012345678901234567890123", 34, 0));
    struct mq_attr g;
    SHOW("mq_getattr", mq_getattr(q, &g));
    printf("  maxmsg=%ld msgsize=%ld curmsgs=%ld flags=%ld\n", g.mq_maxmsg, g.mq_msgsize, g.mq_curmsgs, g.mq_flags);
    char buf[64];
    unsigned prio = 0;
    memset(buf, 0, sizeof buf);
    SHOW("mq_receive", mq_receive(q, buf, sizeof buf, &prio));
    printf("  '%s' prio=%u\n", buf, prio);
    SHOW("mq_receive small buffer", mq_receive(q, buf, 8, &prio));
    memset(buf, 0, sizeof buf);
    SHOW("mq_receive", mq_receive(q, buf, sizeof buf, &prio));
    printf("  '%s' prio=%u\n", buf, prio);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    SHOW("mq_timedreceive empty", mq_timedreceive(q, buf, sizeof buf, &prio, &ts));
    struct mq_attr nb = {.mq_flags = O_NONBLOCK}, old;
    SHOW("mq_setattr O_NONBLOCK", mq_setattr(q, &nb, &old));
    printf("  old flags=%ld\n", old.mq_flags);
    SHOW("mq_receive nonblocking", mq_receive(q, buf, sizeof buf, &prio));
    mq_getattr(q, &g);
    printf("  flags now O_NONBLOCK=%d\n", g.mq_flags == O_NONBLOCK);
    SHOW("mq_close", mq_close(q));
    SHOW("mq_unlink", mq_unlink(name));
    SHOW("mq_unlink again", mq_unlink(name));
    SHOW("mq_open missing", mq_open(name, O_RDONLY));
    SHOW("mq_open bad attr", mq_open(name, O_CREAT | O_RDWR, 0600, &(struct mq_attr){.mq_maxmsg = 0, .mq_msgsize = 8}));
}

static void misc_calls(void) {
    SHOW("chroot missing", syscall(SYS_chroot, "/nonexistent/dir"));
    SHOW("setns bad fd", syscall(SYS_setns, -1, 0));
    pid_t me = getpid();
    int fd = open("/dev/null", O_RDONLY);
    int fd2 = dup(fd);
    SHOW("kcmp same file", syscall(SYS_kcmp, me, me, 0 /* KCMP_FILE */, fd, fd2));
    SHOW("kcmp other file", syscall(SYS_kcmp, me, me, 0, fd, 0) != 0);
    close(fd2);
    close(fd);
    struct {
        unsigned int bytes;
        int type;
        unsigned char h[128];
    } handle = {.bytes = 128};
    int mount_id;
    SHOW("name_to_handle_at missing", syscall(SYS_name_to_handle_at, AT_FDCWD, "/nonexistent/x", &handle, &mount_id, 0));
    struct timex tx = {.modes = 0};
    SHOW("adjtimex read >= 0", adjtimex(&tx) >= 0);
    SHOW("clock_adjtime read >= 0", syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) >= 0);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    misc_calls();
    membarrier_calls();
    ioprio_calls();
    sched_attr_calls();
    pidfd_calls();
    hostname_calls();
    mq_calls();
    return 0;
}
