/* setjmp/longjmp across nested calls: volatile locals keep values assigned after setjmp,
 * longjmp(env, 0) returns 1, callee-saved registers (held in locals the compiler keeps in
 * x19-x28 and d8-d15) survive, jumps out of deep recursion unwind correctly, and
 * sigsetjmp/siglongjmp restore the signal mask when asked to (no signal is delivered). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static jmp_buf env;
static sigjmp_buf senv;
static int failures;
#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) {                                                                                                    \
            failures++;                                                                                                \
            printf("FAIL line %d: %s\n", __LINE__, #c);                                                                \
        }                                                                                                              \
    } while (0)

static int depth_reached;

__attribute__((noinline)) static void dive(int depth, int target, int value) {
    volatile char pad[64];
    memset((char *)pad, depth, sizeof pad);
    depth_reached = depth;
    if (depth == target)
        longjmp(env, value);
    dive(depth + 1, target, value);
    pad[0]++; /* not a tail call */
}

/* Many live values across a call that longjmps: the compiler keeps some in callee-saved
 * registers, which setjmp saved and longjmp restores. */
__attribute__((noinline)) static long callee_saved(long seed) {
    long a = seed * 3, b = seed * 5, c = seed * 7, d = seed * 11, e = seed * 13, f = seed * 17, g = seed * 19;
    double x = (double)seed * 0.5, y = (double)seed * 0.25, z = (double)seed * 0.125;
    if (setjmp(env) == 0)
        dive(0, 10, 1);
    return a + b + c + d + e + f + g + (long)(x * 8 + y * 16 + z * 32);
}

int main(void) {
    volatile int counter = 0;
    volatile double fp = 1.5;
    int r = setjmp(env);
    counter++;
    fp *= 2;
    if (r < 5) {
        dive(0, r * 3, r + 1);
        CHECK(0); /* never returns */
    }
    printf("setjmp returned %d after %d passes, counter=%d fp=%g depth=%d\n", r, counter, counter, fp, depth_reached);
    CHECK(r == 5 && counter == 6 && fp == 96.0);

    r = setjmp(env);
    if (r == 0)
        longjmp(env, 0);
    printf("longjmp(env, 0) made setjmp return %d\n", r);
    CHECK(r == 1);

    long v = callee_saved(1000);
    printf("callee-saved values after longjmp: %ld\n", v);
    CHECK(v == 75000 + 12000);

    /* sigsetjmp with savemask=1 restores the mask; savemask=0 leaves it alone. */
    sigset_t block, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    volatile int stage = 0;
    if (sigsetjmp(senv, 1) == 0) {
        stage = 1;
        sigprocmask(SIG_BLOCK, &block, NULL);
        siglongjmp(senv, 7);
    }
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("sigsetjmp(savemask=1): stage=%d SIGUSR1 blocked after siglongjmp: %s\n", stage,
           sigismember(&cur, SIGUSR1) ? "yes" : "no");
    CHECK(stage == 1 && !sigismember(&cur, SIGUSR1));
    if (sigsetjmp(senv, 0) == 0) {
        stage = 2;
        sigprocmask(SIG_BLOCK, &block, NULL);
        siglongjmp(senv, 7);
    }
    sigprocmask(SIG_SETMASK, NULL, &cur);
    printf("sigsetjmp(savemask=0): stage=%d SIGUSR1 blocked after siglongjmp: %s\n", stage,
           sigismember(&cur, SIGUSR1) ? "yes" : "no");
    CHECK(stage == 2 && sigismember(&cur, SIGUSR1));

    /* A jump out of a deep recursion, many times (stack pointer restored each time). */
    int total = 0;
    for (int i = 0; i < 200; i++) {
        int got = setjmp(env);
        if (got == 0)
            dive(0, 50 + i % 50, i + 1);
        total += got;
    }
    printf("200 deep jumps, sum of values %d\n", total);
    CHECK(total == 200 * 201 / 2);
    printf("failures=%d\n", failures);
    return failures != 0;
}
