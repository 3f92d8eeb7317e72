// The emulator's own descriptors are not the guest's: every number the guest did not open
// behaves as closed (EBADF) for every call that names it, the guest can create descriptors at
// any number (dup2 onto it, the lowest-free allocation, F_DUPFD), close_range closes everything
// it names, and /proc/self/fd lists only the guest's.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { TOP = 1100 };
static int failures;

static void check(int ok, const char *what) {
    if (!ok) {
        printf("FAIL %s\n", what);
        failures++;
    }
}

// Numbers in [lo, hi) that fstat finds open, printed.
static void show_open(const char *what, int lo, int hi) {
    printf("%s:", what);
    struct stat st;
    for (int fd = lo; fd < hi; fd++)
        if (fstat(fd, &st) == 0)
            printf(" %d", fd);
    printf("\n");
}

static void show_proc_fd(const char *what) {
    DIR *d = opendir("/proc/self/fd");
    int me = dirfd(d), n = 0, others = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            int fd = atoi(e->d_name);
            if (fd != me)
                fd > 2 ? others++ : n++;
        }
    closedir(d);
    printf("%s: /proc/self/fd has 0-2: %d, others: %d\n", what, n, others);
}

// Every closed number in [3, TOP) fails `op` with EBADF.
#define ALL_EBADF(name, expr)                                                                     \
    do {                                                                                          \
        int bad = 0;                                                                              \
        for (int fd = 3; fd < TOP; fd++) {                                                        \
            errno = 0;                                                                            \
            long r_ = (long)(expr);                                                               \
            if (r_ != -1 || errno != EBADF)                                                       \
                bad++;                                                                            \
        }                                                                                         \
        printf("%-34s not EBADF: %d\n", name, bad);                                               \
    } while (0)

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct rlimit rl = {2048, 2048};
    check(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit");
    // What we inherited across execve has FD_CLOEXEC clear; a close-on-exec descriptor open
    // before the program ran anything is nobody's but the emulator's.
    printf("close-on-exec at start:");
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) > 0)
            printf(" %d", fd);
    printf("\n");
    // Descriptors inherited from whoever started us are not the point.
    for (int fd = 3; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) == 0)
            close(fd);
    show_open("open at start", 0, 4096);
    show_proc_fd("at start");

    struct stat st;
    char c;
    ALL_EBADF("fstat", fstat(fd, &st));
    ALL_EBADF("fcntl F_GETFD", fcntl(fd, F_GETFD));
    ALL_EBADF("dup", dup(fd));
    ALL_EBADF("dup3 to 1500", dup3(fd, 1500, 0));
    ALL_EBADF("fcntl F_DUPFD", fcntl(fd, F_DUPFD, 0));
    ALL_EBADF("read", read(fd, &c, 1));
    ALL_EBADF("write", write(fd, &c, 1));
    ALL_EBADF("lseek", lseek(fd, 0, SEEK_SET));
    ALL_EBADF("fchdir", fchdir(fd));
    ALL_EBADF("fstatat empty path", fstatat(fd, "", &st, AT_EMPTY_PATH));
    ALL_EBADF("openat relative", openat(fd, "x", O_RDONLY));
    ALL_EBADF("mmap of the descriptor", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0);
    ALL_EBADF("close", close(fd));
    int absolute = 0, anon = 0;
    for (int fd = 3; fd < TOP; fd++) {
        int f = openat(fd, "/dev/null", O_RDONLY);
        absolute += f >= 0;
        close(f);
        void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, fd, 0);
        anon += m != MAP_FAILED;
        munmap(m, 4096);
    }
    printf("openat absolute path ok: %d, anonymous mmap ok: %d (of %d)\n", absolute, anon, TOP - 3);
    show_open("open after the EBADF checks", 0, 4096);

    // dup2 onto every number.
    int onto = 0;
    for (int fd = 3; fd < TOP; fd++) {
        if (dup2(1, fd) == fd && fstat(fd, &st) == 0 && fcntl(fd, F_GETFD) == 0)
            onto++;
        check(close(fd) == 0, "close after dup2");
    }
    printf("dup2 onto each number: %d of %d\n", onto, TOP - 3);
    show_open("open after dup2 onto each", 0, 4096);

    // The lowest free descriptor, up to TOP: consecutive numbers.
    int gaps = 0, prev = 2;
    for (;;) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            perror("open");
            break;
        }
        gaps += fd != prev + 1;
        prev = fd;
        if (fd + 1 >= TOP)
            break;
    }
    printf("opened 3..%d, gaps: %d\n", prev, gaps);
    int cloexec_ok = 1;
    for (int fd = 3; fd <= prev; fd++)
        cloexec_ok &= fcntl(fd, F_GETFD) == FD_CLOEXEC;
    printf("all close-on-exec: %d\n", cloexec_ok);
    show_proc_fd("with 3..TOP-1 open");
    // close_range over everything closes everything the guest has.
    printf("close_range(3, ~0U, 0) = %d\n", (int)syscall(SYS_close_range, 3, ~0U, 0));
    show_open("open after close_range", 0, 4096);
    show_proc_fd("after close_range");

    // F_DUPFD from each number finds that number.
    int dupfd = 0;
    for (int fd = 3; fd < TOP; fd++) {
        int r = fcntl(1, F_DUPFD_CLOEXEC, fd);
        dupfd += r == fd;
        close(r);
    }
    printf("F_DUPFD_CLOEXEC from each number: %d of %d\n", dupfd, TOP - 3);
    printf("close_range(3, 3, CLOSE_RANGE_UNSHARE) = %d\n", (int)syscall(SYS_close_range, 3, 3, CLOSE_RANGE_UNSHARE));
    errno = 0;
    printf("close_range(3, 3, 0x80) = %d %s\n", (int)syscall(SYS_close_range, 3, 3, 0x80), strerrorname_np(errno));
    printf("failures=%d\n", failures);
    return failures != 0;
}
