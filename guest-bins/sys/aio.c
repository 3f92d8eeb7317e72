/* Linux native AIO through the raw syscalls (what libaio wraps): io_setup, io_submit of
 * pwrite/pread/fsync/poll iocbs, completions by io_getevents, an eventfd notified per
 * completion (IOCB_FLAG_RESFD), io_pgetevents with a signal mask and a timeout, io_cancel
 * and io_destroy. Self-checking (report.h); run under the emulator only: qemu-aarch64 7.2
 * has none of these calls (ENOSYS). The same checks pass in a native x86_64 build. */
#define _GNU_SOURCE
#include "report.h"
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long io_setup(unsigned n, aio_context_t *ctx) { return syscall(SYS_io_setup, n, ctx); }
static long io_destroy(aio_context_t ctx) { return syscall(SYS_io_destroy, ctx); }
static long io_submit(aio_context_t ctx, long n, struct iocb **v) { return syscall(SYS_io_submit, ctx, n, v); }
static long io_getevents(aio_context_t ctx, long min, long n, struct io_event *e, struct timespec *t) {
    return syscall(SYS_io_getevents, ctx, min, n, e, t);
}

static void prep(struct iocb *cb, int op, int fd, void *buf, size_t len, long long off, uint64_t tag) {
    memset(cb, 0, sizeof *cb);
    cb->aio_lio_opcode = op;
    cb->aio_fildes = fd;
    cb->aio_buf = (uint64_t)(uintptr_t)buf;
    cb->aio_nbytes = len;
    cb->aio_offset = off;
    cb->aio_data = tag;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    aio_context_t ctx = 0;
    SHOW("io_setup(8)", io_setup(8, &ctx));
    CHECK(ctx != 0);

    char path[] = "/tmp/qal-aio-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    unlink(path);
    int efd = eventfd(0, 0);

    /* two writes, each completion counted on the eventfd */
    static char a[4096], b[4096], back[8192];
    memset(a, 'a', sizeof a);
    memset(b, 'b', sizeof b);
    struct iocb w1, w2, *v[2] = {&w1, &w2};
    prep(&w1, IOCB_CMD_PWRITE, fd, a, sizeof a, 0, 1);
    prep(&w2, IOCB_CMD_PWRITE, fd, b, sizeof b, 4096, 2);
    w1.aio_flags = w2.aio_flags = IOCB_FLAG_RESFD;
    w1.aio_resfd = w2.aio_resfd = efd;
    SHOW("io_submit(2 writes)", io_submit(ctx, 2, v));
    struct io_event ev[4];
    long n = io_getevents(ctx, 2, 4, ev, NULL);
    printf("io_getevents: %ld\n", n);
    CHECK(n == 2);
    uint64_t sum = 0;
    for (long k = 0; k < n; k++) {
        CHECK(ev[k].res == 4096);
        CHECK(ev[k].data == 1 || ev[k].data == 2);
        CHECK(ev[k].obj == (uint64_t)(uintptr_t)(ev[k].data == 1 ? &w1 : &w2));
        sum += ev[k].data;
    }
    CHECK(sum == 3);
    uint64_t count = 0;
    CHECK(read(efd, &count, 8) == 8 && count == 2);

    /* read back, then fsync */
    struct iocb r, f, *rv[2] = {&r, &f};
    prep(&r, IOCB_CMD_PREAD, fd, back, sizeof back, 0, 3);
    prep(&f, IOCB_CMD_FSYNC, fd, NULL, 0, 0, 4);
    SHOW("io_submit(read, fsync)", io_submit(ctx, 2, rv));
    n = io_getevents(ctx, 2, 4, ev, NULL);
    CHECK(n == 2);
    for (long k = 0; k < n; k++)
        CHECK(ev[k].data == 3 ? ev[k].res == 8192 : ev[k].res == 0);
    CHECK(memcmp(back, a, 4096) == 0 && memcmp(back + 4096, b, 4096) == 0);

    /* nothing pending: io_pgetevents with a mask and a 20 ms timeout returns 0 */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    struct {
        const sigset_t *sigmask;
        size_t sigsetsize;
    } usig = {&mask, 8};
    struct timespec t = {0, 20 * 1000 * 1000};
    n = syscall(SYS_io_pgetevents, ctx, 1, 4, ev, &t, &usig);
    printf("io_pgetevents (timeout): %ld\n", n);
    CHECK(n == 0);
    usig.sigsetsize = 4;
    n = syscall(SYS_io_pgetevents, ctx, 1, 4, ev, &t, &usig);
    printf("io_pgetevents (sigsetsize 4): %ld %s\n", n, en(errno));
    CHECK(n == -1 && errno == EINVAL);

    /* a poll iocb on a pipe completes when the pipe becomes readable */
    int p[2];
    CHECK(pipe(p) == 0);
    struct iocb pc, *pv[1] = {&pc};
    prep(&pc, IOCB_CMD_POLL, p[0], NULL, 0, 0, 5);
    pc.aio_buf = POLLIN;
    SHOW("io_submit(poll)", io_submit(ctx, 1, pv));
    CHECK(io_getevents(ctx, 0, 4, ev, &t) == 0);
    CHECK(write(p[1], "x", 1) == 1);
    n = io_getevents(ctx, 1, 4, ev, NULL);
    CHECK(n == 1 && ev[0].data == 5 && (ev[0].res & POLLIN));

    /* io_cancel of an iocb that is not pending */
    struct io_event ce;
    long c = syscall(SYS_io_cancel, ctx, &pc, &ce);
    printf("io_cancel (completed): %ld %s\n", c, en(errno));
    CHECK(c == -1 && errno == EINVAL);

    SHOW("io_destroy", io_destroy(ctx));
    SHOW("io_getevents after destroy", io_getevents(ctx, 0, 1, ev, &t));
    CHECK(errno == EINVAL);
    printf("failures=%d\n", failures);
    return failures != 0;
}
