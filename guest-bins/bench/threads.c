// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: 4 threads: atomic fetch-add, compare-exchange loops and a contended pthread mutex
// bench-needs: guest threads (clone, futex)
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4

static long iters;
static _Atomic uint64_t counter;
static _Atomic uint64_t cas_max;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t locked_sum, locked_xor, locked_count;

static void *worker(void *arg) {
    uint64_t id = (uint64_t)(uintptr_t)arg, s = 0x9e3779b97f4a7c15ull * (id + 1);
    for (long i = 0; i < iters; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        atomic_fetch_add_explicit(&counter, s & 0xff, memory_order_relaxed);
        uint64_t v = s >> 40, cur = atomic_load_explicit(&cas_max, memory_order_relaxed);
        while (v > cur && !atomic_compare_exchange_weak(&cas_max, &cur, v)) {
        }
        if ((i & 15) == 0) {
            pthread_mutex_lock(&lock);
            locked_sum += s & 0xffff;
            locked_xor ^= s;
            locked_count++;
            pthread_mutex_unlock(&lock);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    iters = argc > 1 ? atol(argv[1]) : 10000000;
    pthread_t t[THREADS];
    for (uintptr_t k = 0; k < THREADS; k++)
        if (pthread_create(&t[k], NULL, worker, (void *)k) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    for (int k = 0; k < THREADS; k++) pthread_join(t[k], NULL);
    printf("threads iters=%ld counter=%llu max=%llu locked=%llu/%llu/%016llx\n", iters,
           (unsigned long long)atomic_load(&counter), (unsigned long long)atomic_load(&cas_max),
           (unsigned long long)locked_count, (unsigned long long)locked_sum, (unsigned long long)locked_xor);
    return 0;
}
