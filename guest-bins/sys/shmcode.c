// Code run from SysV shared memory must not outlive its segment: a segment holding code is
// detached and another attached at the same address with different code, then a third
// replaces it with SHM_REMAP; each call must run the code now there (shmdt and shmat
// invalidate translations). Not compared with qemu-aarch64: 7.2 does not mark shmat memory
// executable and the first call faults there; tests/guest_programs.rs runs it under the
// emulator only. Self-checking: prints failures=N and exits non-zero on failure.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "report.h"

typedef int (*fn_t)(void);

static void put_code(void *at, uint32_t value) {
    uint32_t *p = at;
    p[0] = 0x52800000u | (value << 5); // mov w0, #value
    p[1] = 0xd65f03c0u;                // ret
    __builtin___clear_cache((char *)at, (char *)at + 8);
}

// Code run from a segment must not outlive it: detach and attach another at the same address,
// and attach a third over it with SHM_REMAP.
static void shm_code(void) {
    printf("-- shm code\n");
    int a = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0700);
    int b = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0700);
    int c = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0700);
    char *p = shmat(a, NULL, SHM_EXEC);
    if (p == (void *)-1) {
        printf("shmat failed\n");
        failures++;
        return;
    }
    put_code(p, 1);
    int r1 = ((fn_t)p)();
    SHOW("shmdt code", shmdt(p));
    char *q = shmat(b, p, SHM_EXEC);
    printf("reattached at same address=%d\n", q == p);
    put_code(q, 2);
    int r2 = ((fn_t)q)();
    char *s = shmat(c, p, SHM_EXEC | SHM_REMAP);
    printf("SHM_REMAP at same address=%d\n", s == p);
    put_code(s, 3);
    int r3 = ((fn_t)s)();
    SHOW("shmat over without SHM_REMAP", (long)shmat(a, p, SHM_EXEC));
    printf("calls returned %d %d %d\n", r1, r2, r3);
    failures += !(r1 == 1 && r2 == 2 && r3 == 3);
    shmdt(s);
    shmctl(a, IPC_RMID, NULL);
    shmctl(b, IPC_RMID, NULL);
    shmctl(c, IPC_RMID, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int round = 0; round < 3; round++)
        shm_code();
    printf("failures=%d\n", failures);
    return failures != 0;
}
