// xtask: cflags -march=armv8.1-a -pthread
/* FEAT_LSE atomics (LDADD, LDCLR, LDEOR, LDSET, SWP, CAS at 8/16/32/64 bits, all orderings) under
 * contention from 4 threads, and signed/unsigned max/min through CAS loops. */
#include <stdio.h>
#include <stdint.h>
#include <pthread.h>
static uint64_t c64; static uint32_t c32; static uint16_t c16; static uint8_t c8;
static int64_t smax = -100; static uint32_t umin = 0xffffffff;
static void *worker(void *arg) {
  long id = (long)arg;
  for (int i = 0; i < 100000; i++) {
    __atomic_fetch_add(&c64, 3, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&c32, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c16, 1, __ATOMIC_ACQUIRE);
    __atomic_fetch_add(&c8, 1, __ATOMIC_RELEASE);
    uint64_t old = __atomic_load_n(&c64, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&c64, &old, old + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {}
    int64_t v = (int64_t)(id * 100000 + i) - 50000;
    int64_t cur = __atomic_load_n(&smax, __ATOMIC_RELAXED);
    while (v > cur && !__atomic_compare_exchange_n(&smax, &cur, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {}
    uint32_t u = (uint32_t)(id * 7919 + i * 31);
    uint32_t cu = __atomic_load_n(&umin, __ATOMIC_RELAXED);
    while (u < cu && !__atomic_compare_exchange_n(&umin, &cu, u, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {}
  }
  return 0;
}
int main(void) {
  pthread_t t[4];
  for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, worker, (void*)i);
  for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
  uint64_t x = 0xf0f0;
  uint64_t a = __atomic_fetch_or(&x, 0x0f00, __ATOMIC_SEQ_CST);
  uint64_t b = __atomic_fetch_and(&x, ~0xf000ull, __ATOMIC_SEQ_CST);
  uint64_t c = __atomic_fetch_xor(&x, 0xffff, __ATOMIC_SEQ_CST);
  uint64_t d = __atomic_exchange_n(&x, 42, __ATOMIC_SEQ_CST);
  printf("%llu %u %u %u %lld %u | %llx %llx %llx %llx %llx\n", (unsigned long long)c64, c32, c16, c8, (long long)smax, umin,
         (unsigned long long)a, (unsigned long long)b, (unsigned long long)c, (unsigned long long)d, (unsigned long long)x);
  return 0;
}
