// Loops whose back-edge leaves NZCV to the loop's own compare (the JIT stores NZCV only on
// the paths that leave such a loop): the flags seen after the loop, in a SIGALRM handler that
// interrupts the loop at its head, and after a SIGSEGV in the loop's head that the handler
// repairs, must be the architectural ones. Expected output from qemu-aarch64.
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static uint64_t nzcv(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, nzcv" : "=r"(v));
    return v >> 28;
}

/* A store loop (sieve-like), then the flags of its last compare. */
static void store_loop(void) {
    static unsigned char buf[4096];
    uint64_t i = 3, end = sizeof buf, f;
    __asm__ volatile("1: strb wzr, [%[b], %[i]]\n\t"
                     "add %[i], %[i], #7\n\t"
                     "cmp %[i], %[e]\n\t"
                     "b.lt 1b\n\t"
                     "mrs %[f], nzcv"
                     : [i] "+r"(i), [f] "=r"(f)
                     : [b] "r"(buf), [e] "r"(end)
                     : "cc", "memory");
    printf("store loop: i=%llu nzcv=%llx\n", (unsigned long long)i, (unsigned long long)(f >> 28));
}

/* Count down across zero in 32 bits: the exit flags are those of the last SUBS. */
static void subs_loops(void) {
    uint64_t n = 5, f;
    __asm__ volatile("1: subs %w[n], %w[n], #2\n\t"
                     "b.gt 1b\n\t"
                     "mrs %[f], nzcv"
                     : [n] "+r"(n), [f] "=r"(f)
                     :
                     : "cc");
    printf("subs w loop: n=%llx nzcv=%llx\n", (unsigned long long)n, (unsigned long long)(f >> 28));
    uint64_t a = 0x7ffffffffffffff0ull, f2;
    __asm__ volatile("1: adds %[a], %[a], #5\n\t"
                     "b.vc 1b\n\t"
                     "mrs %[f], nzcv"
                     : [a] "+r"(a), [f] "=r"(f2)
                     :
                     : "cc");
    printf("adds overflow loop: a=%llx nzcv=%llx\n", (unsigned long long)a, (unsigned long long)(f2 >> 28));
    uint64_t c = 0xfffffffffffffff0ull, k = 0, r;
    __asm__ volatile("1: add %[k], %[k], #1\n\t"
                     "adds %[c], %[c], #3\n\t"
                     "b.cc 1b\n\t"
                     "adc %[r], xzr, xzr"
                     : [c] "+r"(c), [k] "+r"(k), [r] "=r"(r)
                     :
                     : "cc");
    printf("adds carry loop: c=%llx k=%llu carry=%llu nzcv=%llx\n", (unsigned long long)c,
           (unsigned long long)k, (unsigned long long)r, (unsigned long long)nzcv());
    /* the same with a condition that x86 has no flag test for after an add (LS) */
    uint64_t c2 = 0xfffffffffffffff0ull, k2 = 0, f3;
    __asm__ volatile("1: add %[k], %[k], #1\n\t"
                     "adds %[c], %[c], #3\n\t"
                     "b.ls 1b\n\t"
                     "mrs %[f], nzcv"
                     : [c] "+r"(c2), [k] "+r"(k2), [f] "=r"(f3)
                     :
                     : "cc");
    printf("adds ls loop: c=%llx k=%llu nzcv=%llx\n", (unsigned long long)c2, (unsigned long long)k2,
           (unsigned long long)(f3 >> 28));
    /* a loop whose head reads the flags of the previous iteration's compare */
    uint64_t x = 0, m = 10, z = 0;
    __asm__ volatile("cmp %[x], #1\n\t"
                     "1: csinc %[z], %[z], %[z], ne\n\t"
                     "add %[x], %[x], #1\n\t"
                     "and x9, %[x], #3\n\t"
                     "cmp x9, #0\n\t"
                     "b.ne 2f\n\t"
                     "2: cmp %[x], %[m]\n\t"
                     "b.ne 1b"
                     : [x] "+r"(x), [z] "+r"(z)
                     : [m] "r"(m)
                     : "cc", "x9");
    printf("reading head: x=%llu z=%llu nzcv=%llx\n", (unsigned long long)x, (unsigned long long)z,
           (unsigned long long)nzcv());
}

/* SIGALRM while spinning: when the handler finds the loop at its head, NZCV in the frame
 * must be those of the compare that looped back (N set: i < end). */
static volatile uint64_t head_pc, seen_bad, ticks;
static void on_alarm(int sig, siginfo_t *si, void *uc_) {
    (void)sig, (void)si;
    ucontext_t *uc = uc_;
    ticks++;
    if (uc->uc_mcontext.pc == head_pc && ((uc->uc_mcontext.pstate >> 28) & 0xf) != 0x8) seen_bad++;
}

static void interrupted_loop(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alarm;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 2000}, {0, 2000}};
    setitimer(ITIMER_REAL, &it, NULL);
    uint64_t i = 0, end = 300000000, f, head;
    __asm__ volatile("adr %[h], 1f\n\t"
                     "str %[h], [%[hp]]\n\t"
                     "1: add %[i], %[i], #1\n\t"
                     "cmp %[i], %[e]\n\t"
                     "b.lt 1b\n\t"
                     "mrs %[f], nzcv"
                     : [i] "+r"(i), [f] "=r"(f), [h] "=&r"(head)
                     : [e] "r"(end), [hp] "r"(&head_pc)
                     : "cc", "memory");
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("interrupted loop: i=%llu nzcv=%llx bad frames=%llu\n", (unsigned long long)i,
           (unsigned long long)(f >> 28), (unsigned long long)seen_bad);
}

/* A fault in the loop's head (before its compare): the handler makes the page readable and
 * returns; the loop goes on with the right flags. */
static char *pages;
static long pagesz;
static void on_segv(int sig, siginfo_t *si, void *uc) {
    (void)sig, (void)uc;
    char *p = (char *)((uintptr_t)si->si_addr & ~(uintptr_t)(pagesz - 1));
    mprotect(p, pagesz, PROT_READ | PROT_WRITE);
}

static void faulting_loop(void) {
    pagesz = sysconf(_SC_PAGESIZE);
    pages = mmap(NULL, 8 * pagesz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int k = 0; k < 8; k++) pages[k * pagesz] = (char)(k + 1);
    mprotect(pages, 8 * pagesz, PROT_NONE);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    uint64_t off = 0, end = 8 * pagesz, sum = 0, f;
    __asm__ volatile("1: ldrb w9, [%[p], %[o]]\n\t"
                     "add %[s], %[s], x9\n\t"
                     "add %[o], %[o], %[ps]\n\t"
                     "cmp %[o], %[e]\n\t"
                     "b.ne 1b\n\t"
                     "mrs %[f], nzcv"
                     : [o] "+r"(off), [s] "+r"(sum), [f] "=r"(f)
                     : [p] "r"(pages), [e] "r"(end), [ps] "r"((uint64_t)pagesz)
                     : "cc", "memory", "x9");
    printf("faulting loop: sum=%llu nzcv=%llx\n", (unsigned long long)sum, (unsigned long long)(f >> 28));
}

// A compare whose side exit reads NZCV at its target while the not-taken side overwrites it
// with another compare: the JIT stores NZCV only on the exit (`Emitter::fall_through_flags_dead`).
__attribute__((noinline)) static uint64_t side_exit(uint64_t a, uint64_t b, uint64_t c, uint64_t *f) {
    uint64_t r, g;
    __asm__ volatile("adds %[r], %[a], %[b]\n\t"
                     "b.vs 1f\n\t"
                     "add %[r], %[r], %[c]\n\t"
                     "cmp %[r], %[c]\n\t"
                     "cset %[r], hi\n\t"
                     "b 2f\n"
                     "1:\n\t"
                     "cset %[r], cs\n\t"
                     "add %[r], %[r], #2\n"
                     "2:\n\t"
                     "mrs %[g], nzcv"
                     : [r] "=&r"(r), [g] "=&r"(g)
                     : [a] "r"(a), [b] "r"(b), [c] "r"(c)
                     : "cc");
    *f = g;
    return r;
}

static void side_exits(void) {
    const uint64_t v[] = {0, 1, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 12345};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            uint64_t f, r = side_exit(v[i], v[j], v[(i + j) % 6], &f);
            printf("side exit %d %d: r=%llu nzcv=%llx\n", i, j, (unsigned long long)r, (unsigned long long)(f >> 28));
        }
}

int main(void) {
    side_exits();
    store_loop();
    subs_loops();
    interrupted_loop();
    faulting_loop();
    return 0;
}
