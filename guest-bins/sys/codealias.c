// Dual-mapped JIT code: code written and flushed (DC CVAU + IC IVAU) through one address and
// run through another address of the same memory must run as written. CTR_EL0 advertises a
// PIPT instruction cache, so IC IVAU on any alias invalidates the physical line. Aliases: a
// memfd mapped RW and RX, a MAP_SHARED|MAP_ANONYMOUS mapping duplicated by mremap with old
// size 0, a SysV segment attached twice. Then forks while another thread flushes and maps (the
// child must not inherit the alias lookup's lock held). Not compared with qemu-aarch64: 7.2 keeps running
// the first translation in every case (and cannot execute shmat memory); tests/guest_programs.rs
// runs it under the emulator only. Self-checking: prints failures=N, non-zero exit on failure.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

typedef int (*fn_t)(void);

// Store `mov w0, #value; ret` at `w` and clean/invalidate through `w` only (the writable
// alias), as a JIT that keeps its writable and executable views apart may.
static void put_code(uint32_t *w, unsigned value) {
    w[0] = 0x52800000u | (value << 5);
    w[1] = 0xd65f03c0u;
    __asm__ volatile("dc cvau, %0\n dsb ish\n ic ivau, %0\n dsb ish\n isb" ::"r"(w) : "memory");
}

// Rewrite the code four times through `w`, run it through `x` after each write.
static void rounds(const char *name, uint32_t *w, uint32_t *x) {
    int r[4];
    for (int k = 0; k < 4; k++) {
        put_code(w, 10 + k);
        r[k] = ((fn_t)x)();
    }
    printf("%-28s %d %d %d %d\n", name, r[0], r[1], r[2], r[3]);
    CHECK(r[0] == 10 && r[1] == 11 && r[2] == 12 && r[3] == 13);
}

static atomic_int stop;
static char *flush_at;

// Flush a line of a shared mapping while mapping and unmapping pages, so that each flush looks
// the aliases up anew.
static void *flusher(void *arg) {
    (void)arg;
    while (!atomic_load(&stop)) {
        void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        __asm__ volatile("ic ivau, %0\n dsb ish\n isb" ::"r"(flush_at) : "memory");
        munmap(m, 4096);
    }
    return NULL;
}

// Fork while another thread flushes: each child flushes too and exits; a child that hangs is
// killed by its alarm.
static void fork_while_flushing(char *code) {
    flush_at = code;
    pthread_t t;
    pthread_create(&t, NULL, flusher, NULL);
    int hung = 0;
    for (int i = 0; i < 100; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(2);
            __asm__ volatile("ic ivau, %0\n dsb ish\n isb" ::"r"(code) : "memory");
            _exit(0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
            hung++;
            break;
        }
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    printf("%-28s %s\n", "fork while flushing", hung ? "a child hung" : "no child hung");
    CHECK(hung == 0);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);

    int fd = memfd_create("jit", 0);
    CHECK(fd >= 0 && ftruncate(fd, 3 * 4096) == 0);
    char *rw = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    // The RX view starts one page into the file: aliases sit at different page offsets.
    char *rx = mmap(NULL, 2 * 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 4096);
    CHECK(rw != MAP_FAILED && rx != MAP_FAILED);
    rounds("memfd rw/rx", (uint32_t *)(rw + 4096 + 0x840), (uint32_t *)(rx + 0x840));
    rounds("memfd rw/rx second page", (uint32_t *)(rw + 2 * 4096 + 0xff8), (uint32_t *)(rx + 4096 + 0xff8));
    // And the other way round: written through the executable alias (made writable).
    CHECK(mprotect(rx, 4096, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
    char *rx2 = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 4096);
    rounds("memfd rwx/rx", (uint32_t *)(rx + 0x100), (uint32_t *)(rx2 + 0x100));

    char *anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *dup = mremap(anon, 0, 4096, MREMAP_MAYMOVE);
    CHECK(anon != MAP_FAILED && dup != MAP_FAILED && dup != anon);
    rounds("shared anon + mremap dup", (uint32_t *)(anon + 0x40), (uint32_t *)(dup + 0x40));

    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0700);
    char *s1 = shmat(id, NULL, SHM_EXEC);
    char *s2 = shmat(id, NULL, SHM_EXEC);
    CHECK(s1 != (void *)-1 && s2 != (void *)-1 && s1 != s2);
    rounds("SysV segment attached twice", (uint32_t *)(s1 + 0x200), (uint32_t *)(s2 + 0x200));
    shmdt(s1);
    shmdt(s2);
    shmctl(id, IPC_RMID, NULL);

    fork_while_flushing(rx);

    printf("failures=%d\n", failures);
    return failures != 0;
}
