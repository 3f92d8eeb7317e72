// epoll_pwait returns as many events as are ready, up to maxevents (no cap of its own), in
// the arm64 16-byte struct epoll_event layout; maxevents out of range is EINVAL.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what) {
    if (!ok) {
        printf("FAIL %s\n", what);
        failures++;
    }
}

int main(void) {
    struct rlimit rl = {4096, 4096};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        perror("setrlimit");
        return 1;
    }
    int ep = epoll_create1(EPOLL_CLOEXEC);
    enum { PIPES = 1500, MAX = 3000 };
    static int wfd[PIPES];
    static char seen[PIPES];
    for (int i = 0; i < PIPES; i++) {
        int p[2];
        if (pipe(p) != 0) {
            perror("pipe");
            return 1;
        }
        wfd[i] = p[1];
        struct epoll_event ev = {.events = EPOLLOUT, .data.u64 = 0x1234567800000000ull | (unsigned)i};
        check(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0, "epoll_ctl");
    }
    struct epoll_event *out = malloc((MAX + 1) * sizeof *out);
    memset(out, 0xa5, (MAX + 1) * sizeof *out);
    int r = epoll_wait(ep, out, MAX, 1000);
    printf("sizeof(struct epoll_event)=%zu\n", sizeof(struct epoll_event));
    printf("registered=%d ready=%d\n", PIPES, r);
    int bad = 0;
    for (int i = 0; i < r; i++) {
        unsigned long long d = out[i].data.u64;
        unsigned k = (unsigned)d;
        if (out[i].events != EPOLLOUT || d >> 32 != 0x12345678u || k >= PIPES || seen[k]++)
            bad++;
    }
    printf("bad events=%d\n", bad);
    unsigned char *tail = (unsigned char *)&out[r];
    int untouched = 1;
    for (size_t i = 0; i < sizeof *out; i++)
        untouched &= tail[i] == 0xa5;
    printf("slot after the last event untouched=%d\n", untouched);

    // A smaller maxevents gets exactly that many; level-triggered events come again.
    r = epoll_wait(ep, out, 1100, 0);
    printf("maxevents=1100 ready=%d\n", r);
    r = epoll_wait(ep, out, 1, 0);
    printf("maxevents=1 ready=%d\n", r);

    // Edge-triggered: every event is reported once across calls, none lost.
    int ep2 = epoll_create1(0);
    for (int i = 0; i < PIPES; i++) {
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLET, .data.u64 = (unsigned)i};
        check(epoll_ctl(ep2, EPOLL_CTL_ADD, wfd[i], &ev) == 0, "epoll_ctl ET");
    }
    memset(seen, 0, sizeof seen);
    int total = 0, calls = 0;
    for (;;) {
        r = epoll_wait(ep2, out, 700, 0);
        if (r <= 0)
            break;
        calls++;
        for (int i = 0; i < r; i++)
            if (out[i].data.u64 < PIPES && !seen[out[i].data.u64]++)
                total++;
    }
    printf("edge-triggered: calls=%d distinct=%d\n", calls, total);

    errno = 0;
    r = epoll_wait(ep, out, 0, 0);
    printf("maxevents=0: r=%d errno=%s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));
    errno = 0;
    r = epoll_wait(ep, out, -1, 0);
    printf("maxevents=-1: r=%d errno=%s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));
    errno = 0;
    r = epoll_wait(ep, out, 0x7fffffff / 16 + 1, 0);
    printf("maxevents=INT_MAX/16+1: r=%d errno=%s\n", r, errno == EINVAL ? "EINVAL" : strerror(errno));
    printf("failures=%d\n", failures);
    return failures != 0;
}
