// xtask: skip  (needs the cases.S that gen_cases.py generates; built by gen_cases.py)
/* Differential harness for AdvSIMD rows: runs generated cases (one instruction each, see
 * gen_cases.py) and prints, per case, "U" if the instruction raised SIGILL, otherwise the hex
 * of V0..V31, X0..X7 and FPSR after it. Inputs are in the generated case table. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

/* On input the last word is FPCR, on output FPSR. */
struct state { uint8_t v[32][16]; uint64_t x[8]; uint64_t fpsr; };
extern void (*const simd_cases[])(void);
extern void simd_run(const struct state *in, struct state *out, void (*stub)(void));
extern const struct state simd_inputs[];
extern const long simd_ncases;

static volatile int sigill;

static void on_sigill(int sig, siginfo_t *si, void *uc_) {
    (void)sig; (void)si;
    ucontext_t *uc = uc_;
    uc->uc_mcontext.pc += 4;
    sigill = 1;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0);
    static struct state out;
    for (long k = 0; k < simd_ncases; k++) {
        sigill = 0;
        memset(&out, 0, sizeof out);
        simd_run(&simd_inputs[k], &out, simd_cases[k]);
        if (sigill) { puts("U"); continue; }
        for (int r = 0; r < 32; r++)
            for (int b = 15; b >= 0; b--) printf("%02x", out.v[r][b]);
        for (int r = 0; r < 8; r++) printf(" %016llx", (unsigned long long)out.x[r]);
        printf(" %016llx\n", (unsigned long long)out.fpsr);
    }
    return 0;
}
