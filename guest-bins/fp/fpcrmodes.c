// FPCR modes and where translated code notices them. The JIT checks FPCR once per path
// through a block (at its first inline FP operation) and runs the block's exact variant
// when FPCR is not plain IEEE 754 (src/jit/emit.rs, `Emitter::fpcr_check`). Covered here:
// an FP operation after a skipped if-then whose FP operation was the only check, FCCMP
// whose condition fails, long loops under FZ/DN/each rounding mode calling functions
// (chains between blocks and exact variants), an FPCR set by a signal handler through its
// signal frame, and vector forms under DN. Every result is printed as bits; the expected
// output is qemu-aarch64's.
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

typedef uint64_t u64;
typedef uint32_t u32;

static u32 b32(float f) { u32 b; memcpy(&b, &f, 4); return b; }
static u64 b64(double f) { u64 b; memcpy(&b, &f, 8); return b; }
static u64 get_fpcr(void) { u64 r; __asm__ volatile("mrs %0, fpcr" : "=r"(r)); return r; }
static void set_fpcr(u64 r) { __asm__ volatile("msr fpcr, %0" ::"r"(r)); }
static u64 get_fpsr(void) { u64 r; __asm__ volatile("mrs %0, fpsr" : "=r"(r)); return r; }
static void set_fpsr(u64 r) { __asm__ volatile("msr fpsr, %0" ::"r"(r)); }

#define FZ (1u << 24)
#define DN (1u << 25)
#define RMODE(m) ((u64)(m) << 22)

// if (bit 0 of k) a *= b; then c *= d: the second product must see FPCR even when the
// first one (the block's first FP operation) was skipped.
__attribute__((noinline)) static void skipjoin(u64 k, float *a, float b, float *c, float d) {
    float x = *a, y = *c;
    __asm__ volatile("tbz %w[k], #0, 1f\n\t"
                     "fmul %s[x], %s[x], %s[b]\n"
                     "1:\n\t"
                     "fmul %s[y], %s[y], %s[d]\n\t"
                     : [x] "+w"(x), [y] "+w"(y)
                     : [k] "r"(k), [b] "w"(b), [d] "w"(d));
    *a = x, *c = y;
}

// FCCMP whose condition fails on the first pass (no comparison, no FPCR check), then a
// product that must see FPCR.
__attribute__((noinline)) static u64 fccmp_then_mul(u64 k, double p, double q, double *r) {
    u64 nz;
    double t = *r;
    __asm__ volatile("cmp %[k], #1\n\t"
                     "fccmp %d[p], %d[q], #0b0110, eq\n\t"
                     "mrs %[nz], nzcv\n\t"
                     "fmul %d[t], %d[t], %d[q]\n\t"
                     : [nz] "=r"(nz), [t] "+w"(t)
                     : [k] "r"(k), [p] "w"(p), [q] "w"(q)
                     : "cc");
    *r = t;
    return nz >> 28;
}

__attribute__((noinline)) static double step(double x, double y) { return x * y + x / (y + 3.0); }
__attribute__((noinline)) static float stepf(float x, float y) { return x * y - y / (x + 0.75f); }

// a long loop calling out, under the given FPCR
__attribute__((noinline)) static u64 loop(u64 fpcr, double seed, int n) {
    set_fpcr(fpcr);
    set_fpsr(0);
    double x = seed;
    float xf = (float)seed;
    u64 h = 0;
    for (int i = 0; i < n; i++) {
        x = step(x, 1.0000001 + i * 1e-9);
        xf = stepf(xf, 0.999f);
        if (x > 1e300 || x < -1e300) x = seed;
        h = h * 1099511628211ull ^ b64(x) ^ b32(xf);
    }
    h ^= get_fpsr();
    set_fpcr(0);
    return h;
}

static volatile u64 handler_fpcr;

static void on_usr1(int sig, siginfo_t *si, void *uc_) {
    (void)sig, (void)si;
    ucontext_t *uc = uc_;
    // the fpsimd_context record opens __reserved (magic FPSIMD_MAGIC 0x46508001)
    unsigned char *p = (unsigned char *)uc->uc_mcontext.__reserved;
    u32 magic;
    memcpy(&magic, p, 4);
    if (magic == 0x46508001) {
        u32 fpcr = (u32)handler_fpcr;
        memcpy(p + 12, &fpcr, 4); // struct fpsimd_context { head(8), fpsr(4), fpcr(4), vregs }
    }
}

int main(void) {
    const float tiny = 1e-38f; // normal; tiny * 0.5 is subnormal (flushed under FZ)
    for (u64 k = 0; k < 4; k++) {
        for (int fz = 0; fz < 2; fz++) {
            float a = tiny, c = tiny;
            set_fpcr(fz ? FZ : 0);
            set_fpsr(0);
            skipjoin(k, &a, 0.5f, &c, 0.5f);
            u64 s = get_fpsr();
            set_fpcr(0);
            printf("skipjoin k=%llu fz=%d a=%08x c=%08x fpsr=%02llx\n", (unsigned long long)k, fz, b32(a), b32(c),
                   (unsigned long long)s);
        }
    }
    for (u64 k = 0; k < 2; k++) {
        for (int fz = 0; fz < 2; fz++) {
            double r = 2.5e-308;
            set_fpcr(fz ? FZ : 0);
            set_fpsr(0);
            u64 nz = fccmp_then_mul(k, 1.0, 0.25, &r);
            u64 s = get_fpsr();
            set_fpcr(0);
            printf("fccmp k=%llu fz=%d nzcv=%llx r=%016llx fpsr=%02llx\n", (unsigned long long)k, fz,
                   (unsigned long long)nz, b64(r), (unsigned long long)s);
        }
    }
    const u64 modes[] = {0, RMODE(1), RMODE(2), RMODE(3), FZ, DN, FZ | DN | RMODE(3)};
    for (int m = 0; m < 7; m++) {
        // the same loop twice in a row: the second pass runs chained code
        u64 h1 = loop(modes[m], 1.25, 20000), h2 = loop(modes[m], 1.25, 20000);
        u64 h0 = loop(0, 1.25, 20000);
        printf("loop fpcr=%08llx %016llx %016llx plain %016llx\n", (unsigned long long)modes[m],
               (unsigned long long)h1, (unsigned long long)h2, (unsigned long long)h0);
    }
    // DN with vector NaN operands: default NaN in every lane that has a NaN
    {
        double in[2] = {0.0, 1.0}, out[2];
        u64 nanbits = 0x7ff0000000001234ull; // a signalling NaN with a payload
        memcpy(&in[0], &nanbits, 8);
        for (int dn = 0; dn < 2; dn++) {
            set_fpcr(dn ? DN : 0);
            set_fpsr(0);
            __asm__ volatile("ldr q0, [%[i]]\n\t"
                             "fadd v1.2d, v0.2d, v0.2d\n\t"
                             "fmul v1.2d, v1.2d, v0.2d\n\t"
                             "str q1, [%[o]]\n\t"
                             :
                             : [i] "r"(in), [o] "r"(out)
                             : "v0", "v1", "memory");
            u64 s = get_fpsr();
            set_fpcr(0);
            printf("vector dn=%d %016llx %016llx fpsr=%02llx\n", dn, b64(out[0]), b64(out[1]), (unsigned long long)s);
        }
    }
    // a signal handler sets FPCR through the frame: the code after the signal runs with it
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_usr1;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &sa, 0);
        for (int k = 0; k < 2; k++) {
            handler_fpcr = k ? FZ : RMODE(1);
            set_fpcr(0);
            raise(SIGUSR1);
            // FPCR read and both operations in one asm statement: nothing moves between them
            u64 f;
            float z = tiny;
            double r = 1.0;
            __asm__ volatile("mrs %[f], fpcr\n\t"
                             "fmul %s[z], %s[z], %s[h]\n\t"
                             "fdiv %d[r], %d[r], %d[t]\n\t"
                             "msr fpcr, xzr\n\t"
                             : [f] "=&r"(f), [z] "+w"(z), [r] "+w"(r)
                             : [h] "w"(0.5f), [t] "w"(3.0));
            printf("handler fpcr=%08llx z=%08x r=%016llx\n", (unsigned long long)f, b32(z), b64(r));
        }
    }
    return 0;
}
