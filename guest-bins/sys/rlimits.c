/* Resource limits the guest sets on itself, as the kernel keeps them: RLIMIT_AS, RLIMIT_DATA
 * and RLIMIT_STACK read back as set (the emulator keeps them virtual: on the host they would
 * cap its own mappings too), a program that caps its address space at what it needs natively
 * still maps and allocates, the kernel's checks (soft above hard), prlimit64 on itself, and
 * a limit the emulator passes to the host (RLIMIT_NOFILE) in force, and the limits carried
 * over execve, where RLIMIT_STACK also sizes the new program's stack (a 64 MiB limit lets
 * the program recurse 40 MiB deep, as a native stack grows up to the limit). Self-checking
 * (report.h); run under the emulator only: qemu-aarch64 7.2 ignores the three and reads
 * back the host's values (run natively, the same checks pass). */
#define _GNU_SOURCE
#include "report.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int same(struct rlimit a, rlim_t cur, rlim_t max) { return a.rlim_cur == cur && a.rlim_max == max; }

/* ~40 MiB of stack in 64 KiB frames */
static int deep(int n) {
    volatile char frame[64 << 10];
    frame[0] = (char)n;
    frame[sizeof frame - 1] = (char)n;
    return n == 0 ? frame[0] : deep(n - 1) + frame[sizeof frame - 1] - frame[0] + 1;
}

/* the program execve'd by the parent below: the limits it set, then the deep recursion */
static int exec_child(void) {
    struct rlimit r;
    CHECK(getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur == 512UL << 20);
    CHECK(getrlimit(RLIMIT_DATA, &r) == 0 && r.rlim_cur == 256UL << 20);
    CHECK(getrlimit(RLIMIT_STACK, &r) == 0 && r.rlim_cur == 64UL << 20);
    CHECK(deep(640) == 640);
    printf("exec'd: failures=%d\n", failures);
    return failures != 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return exec_child();
    struct rlimit r, old;

    /* the address space capped at 512 MiB, as `ulimit -v` does */
    r.rlim_cur = r.rlim_max = 512UL << 20;
    SHOW("setrlimit(AS, 512M)", setrlimit(RLIMIT_AS, &r));
    CHECK(getrlimit(RLIMIT_AS, &old) == 0 && same(old, 512UL << 20, 512UL << 20));
    void *m = mmap(NULL, 100UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    char *b = malloc(50UL << 20);
    CHECK(b != NULL);
    if (b)
        b[(50UL << 20) - 1] = 1;
    printf("mmap 100M %s, malloc 50M %s\n", m != MAP_FAILED ? "ok" : "failed", b ? "ok" : "failed");

    /* soft above hard */
    r.rlim_cur = 1UL << 30;
    r.rlim_max = 512UL << 20;
    SHOW("setrlimit(AS, soft > hard)", setrlimit(RLIMIT_AS, &r));
    CHECK(errno == EINVAL);
    CHECK(getrlimit(RLIMIT_AS, &old) == 0 && same(old, 512UL << 20, 512UL << 20));

    /* prlimit64 on itself: the old value out, the new one in */
    struct rlimit data0;
    CHECK(getrlimit(RLIMIT_DATA, &data0) == 0);
    r.rlim_cur = 256UL << 20;
    r.rlim_max = data0.rlim_max;
    SHOW("prlimit(0, DATA, 256M)", prlimit(0, RLIMIT_DATA, &r, &old));
    CHECK(same(old, data0.rlim_cur, data0.rlim_max));
    CHECK(prlimit(getpid(), RLIMIT_DATA, NULL, &old) == 0 && same(old, 256UL << 20, data0.rlim_max));

    /* the stack limit, as glibc reads it for thread stacks */
    struct rlimit st;
    CHECK(getrlimit(RLIMIT_STACK, &st) == 0);
    r.rlim_cur = 4UL << 20;
    r.rlim_max = st.rlim_max;
    SHOW("setrlimit(STACK, 4M)", setrlimit(RLIMIT_STACK, &r));
    CHECK(getrlimit(RLIMIT_STACK, &old) == 0 && same(old, 4UL << 20, st.rlim_max));

    /* carried over execve, RLIMIT_STACK sizing the new program's stack */
    r.rlim_cur = 64UL << 20;
    r.rlim_max = st.rlim_max;
    SHOW("setrlimit(STACK, 64M)", setrlimit(RLIMIT_STACK, &r));
    pid_t pid = fork();
    if (pid == 0) {
        execl("/proc/self/exe", "rlimits", "child", (char *)NULL);
        _exit(127);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    printf("exec'd child: status 0x%x\n", status);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* RLIMIT_NOFILE is the host's: opening past it fails */
    r.rlim_cur = 16;
    r.rlim_max = 16;
    SHOW("setrlimit(NOFILE, 16)", setrlimit(RLIMIT_NOFILE, &r));
    int n = 0, fd;
    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        n++;
    printf("open until %s\n", en(errno));
    CHECK(errno == EMFILE && n < 16);

    printf("failures=%d\n", failures);
    return failures != 0;
}
