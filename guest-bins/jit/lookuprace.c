// xtask: cflags -pthread
/* Indirect branches from several threads to targets that share one slot of the JIT's
 * lookup table (functions 256 KiB apart: the table is indexed by pc bits 17:2), so the slot
 * is re-pointed constantly while other threads read it. Each thread checks every result: a
 * lookup that pairs one target's pc with another target's code returns a wrong value (or
 * crashes). Found as random crashes of Go's parallel tests. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define F(k) __attribute__((noinline, aligned(262144))) static long f##k(long x) { return x * (k + 3) + k; }
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7)
static long (*const fs[8])(long) = {f0, f1, f2, f3, f4, f5, f6, f7};

#define THREADS 4
#define CALLS 400000
static long bad[THREADS];

static void *run(void *arg) {
    long t = (long)arg;
    unsigned x = 12345 + (unsigned)t;
    for (long n = 0; n < CALLS; n++) {
        x = x * 1103515245u + 12345u;
        int k = (x >> 16) & 7;
        long v = (long)(x >> 8);
        if (fs[k](v) != v * (k + 3) + k) bad[t]++;
    }
    return NULL;
}

int main(void) {
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, run, (void *)t);
    long total = 0;
    for (long t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        total += bad[t];
    }
    printf("wrong results: %ld\n", total);
    return total != 0;
}
