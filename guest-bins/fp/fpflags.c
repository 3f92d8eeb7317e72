// Cumulative FP exception flags (FPSR) across instructions, MSR/MRS, syscalls, signal handlers
// and threads, and the results where x86 and Arm differ: NaN rules, tininess before rounding
// (a product or quotient that rounds up to the smallest normal), inactive lanes of 64-bit
// vectors. The JIT keeps pending flags in the host MXCSR (src/jit/fpflags.rs); this program
// checks that the guest always sees the Arm FPSR.
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint64_t get_fpsr(void) {
    uint64_t r;
    __asm__ volatile("mrs %0, fpsr" : "=r"(r));
    return r;
}
static void set_fpsr(uint64_t r) { __asm__ volatile("msr fpsr, %0" ::"r"(r)); }
static void set_fpcr(uint64_t r) { __asm__ volatile("msr fpcr, %0" ::"r"(r)); }

static float f32(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint32_t b32(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static double f64(uint64_t b) { double f; memcpy(&f, &b, 8); return f; }
static uint64_t b64(double f) { uint64_t b; memcpy(&b, &f, 8); return b; }

#define SOP(name, insn)                                                                    \
    static uint32_t name(uint32_t a, uint32_t b) {                                         \
        float r;                                                                           \
        __asm__ volatile(insn " %s0, %s1, %s2" : "=w"(r) : "w"(f32(a)), "w"(f32(b)));      \
        return b32(r);                                                                     \
    }
#define DOP(name, insn)                                                                    \
    static uint64_t name(uint64_t a, uint64_t b) {                                         \
        double r;                                                                          \
        __asm__ volatile(insn " %d0, %d1, %d2" : "=w"(r) : "w"(f64(a)), "w"(f64(b)));      \
        return b64(r);                                                                     \
    }
SOP(fadd_s, "fadd") SOP(fsub_s, "fsub") SOP(fmul_s, "fmul") SOP(fdiv_s, "fdiv")
DOP(fadd_d, "fadd") DOP(fsub_d, "fsub") DOP(fmul_d, "fmul") DOP(fdiv_d, "fdiv")

// The fused multiply-adds: d = op(n * m, a), one rounding.
#define SOP3(name, insn)                                                                   \
    static uint32_t name(uint32_t n, uint32_t m, uint32_t a) {                             \
        float r;                                                                           \
        __asm__ volatile(insn " %s0, %s1, %s2, %s3"                                        \
                         : "=w"(r) : "w"(f32(n)), "w"(f32(m)), "w"(f32(a)));               \
        return b32(r);                                                                     \
    }
#define DOP3(name, insn)                                                                   \
    static uint64_t name(uint64_t n, uint64_t m, uint64_t a) {                             \
        double r;                                                                          \
        __asm__ volatile(insn " %d0, %d1, %d2, %d3"                                        \
                         : "=w"(r) : "w"(f64(n)), "w"(f64(m)), "w"(f64(a)));               \
        return b64(r);                                                                     \
    }
SOP3(fmadd_s, "fmadd") SOP3(fmsub_s, "fmsub") SOP3(fnmadd_s, "fnmadd") SOP3(fnmsub_s, "fnmsub")
DOP3(fmadd_d, "fmadd") DOP3(fmsub_d, "fmsub") DOP3(fnmadd_d, "fnmadd") DOP3(fnmsub_d, "fnmsub")

SOP(fnmul_s, "fnmul") SOP(fmax_s, "fmax") SOP(fmin_s, "fmin") SOP(fmaxnm_s, "fmaxnm") SOP(fminnm_s, "fminnm")
DOP(fnmul_d, "fnmul") DOP(fmax_d, "fmax") DOP(fmin_d, "fmin") DOP(fmaxnm_d, "fmaxnm") DOP(fminnm_d, "fminnm")

// Unary single and double operations: FRINT*, FCVT between single and double.
#define SUN(name, insn)                                                                    \
    static uint64_t name(uint64_t a) {                                                     \
        float r;                                                                           \
        __asm__ volatile(insn : "=w"(r) : "w"(f32((uint32_t)a)));                          \
        return b32(r);                                                                     \
    }
#define DUN(name, insn)                                                                    \
    static uint64_t name(uint64_t a) {                                                     \
        double r;                                                                          \
        __asm__ volatile(insn : "=w"(r) : "w"(f64(a)));                                    \
        return b64(r);                                                                     \
    }
SUN(frintn_s, "frintn %s0, %s1") SUN(frintp_s, "frintp %s0, %s1") SUN(frintm_s, "frintm %s0, %s1")
SUN(frintz_s, "frintz %s0, %s1") SUN(frinta_s, "frinta %s0, %s1") SUN(frintx_s, "frintx %s0, %s1")
SUN(frinti_s, "frinti %s0, %s1")
DUN(frintn_d, "frintn %d0, %d1") DUN(frintp_d, "frintp %d0, %d1") DUN(frintm_d, "frintm %d0, %d1")
DUN(frintz_d, "frintz %d0, %d1") DUN(frinta_d, "frinta %d0, %d1") DUN(frintx_d, "frintx %d0, %d1")
DUN(frinti_d, "frinti %d0, %d1")
static uint64_t fcvt_ds(uint64_t a) {
    double r;
    __asm__ volatile("fcvt %d0, %s1" : "=w"(r) : "w"(f32((uint32_t)a)));
    return b64(r);
}
static uint64_t fcvt_sd(uint64_t a) {
    float r;
    __asm__ volatile("fcvt %s0, %d1" : "=w"(r) : "w"(f64(a)));
    return b32(r);
}

// Conversions to general registers with a rounding of their own (W and X forms).
#define CVT(name, insn, reg, src, t)                                                       \
    static uint64_t name(uint64_t a) {                                                     \
        uint64_t r;                                                                        \
        __asm__ volatile(insn " %" reg "0, %" src "1" : "=r"(r) : "w"(t));                  \
        return r;                                                                          \
    }
CVT(fcvtzu_ws, "fcvtzu", "w", "s", f32((uint32_t)a)) CVT(fcvtzu_xs, "fcvtzu", "x", "s", f32((uint32_t)a))
CVT(fcvtns_ws, "fcvtns", "w", "s", f32((uint32_t)a)) CVT(fcvtms_xs, "fcvtms", "x", "s", f32((uint32_t)a))
CVT(fcvtps_ws, "fcvtps", "w", "s", f32((uint32_t)a))
CVT(fcvtzu_wd, "fcvtzu", "w", "d", f64(a)) CVT(fcvtzu_xd, "fcvtzu", "x", "d", f64(a))
CVT(fcvtns_xd, "fcvtns", "x", "d", f64(a)) CVT(fcvtms_wd, "fcvtms", "w", "d", f64(a))
CVT(fcvtps_xd, "fcvtps", "x", "d", f64(a))

static uint32_t fsqrt_s(uint32_t a) {
    float r;
    __asm__ volatile("fsqrt %s0, %s1" : "=w"(r) : "w"(f32(a)));
    return b32(r);
}

static const uint32_t S[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x40400000, 0x3eaaaaab, 0x7f7fffff, 0xff7fffff,
    0x00800000, 0x80800000, 0x00000001, 0x807fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001,
    0xffc12345, 0x20000001, 0x1ffffffe, 0x1f800000, 0x5f000000, 0x00400000, 0x3fffffff, 0x0d000000,
};
static const uint64_t D[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0x4008000000000000ull, 0x3fd5555555555555ull,
    0x7fefffffffffffffull, 0x0010000000000000ull, 0x0000000000000001ull, 0x7ff0000000000000ull,
    0x7ff8000000000000ull, 0x7ff0000000000001ull, 0x2000000000000001ull, 0x1ffffffffffffffeull,
    0x1ff0000000000000ull, 0x5ff0000000000000ull, 0x000fffffffffffffull,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void scalar_table(void) {
    uint64_t sum = 0;
    // one line per (operation, first operand): a hash of (result, FPSR) over every second operand
    static const char *names[] = {"fadd", "fsub", "fmul", "fdiv"};
    uint32_t (*sops[])(uint32_t, uint32_t) = {fadd_s, fsub_s, fmul_s, fdiv_s};
    uint64_t (*dops[])(uint64_t, uint64_t) = {fadd_d, fsub_d, fmul_d, fdiv_d};
    for (int k = 0; k < 4; k++)
        for (unsigned i = 0; i < N(S); i++) {
            uint64_t h = 1469598103934665603ull;
            for (unsigned j = 0; j < N(S); j++) {
                set_fpsr(0);
                uint32_t r = sops[k](S[i], S[j]);
                h = (h ^ r) * 1099511628211ull;
                h = (h ^ get_fpsr()) * 1099511628211ull;
            }
            printf("%s.s %08x: %016llx\n", names[k], S[i], (unsigned long long)h);
            sum += h;
        }
    for (int k = 0; k < 4; k++)
        for (unsigned i = 0; i < N(D); i++) {
            uint64_t h = 1469598103934665603ull;
            for (unsigned j = 0; j < N(D); j++) {
                set_fpsr(0);
                uint64_t r = dops[k](D[i], D[j]);
                h = (h ^ r) * 1099511628211ull;
                h = (h ^ get_fpsr()) * 1099511628211ull;
            }
            printf("%s.d %016llx: %016llx\n", names[k], (unsigned long long)D[i], (unsigned long long)h);
            sum += h;
        }
    for (unsigned i = 0; i < N(S); i++) {
        set_fpsr(0);
        uint32_t r = fsqrt_s(S[i]);
        printf("sqrt %08x -> %08x %02llx\n", S[i], r, (unsigned long long)get_fpsr());
    }
    printf("scalar checksum %016llx\n", (unsigned long long)sum);
}

// FNMUL, FMAX, FMIN, FMAXNM, FMINNM over every pair of the tables (signed zeros, NaNs of both
// kinds), FRINT* and FCVT over the tables and values at and around halves.
static const uint32_t SR[] = {
    0x3f000000, 0x3fc00000, 0x40200000, 0xbf000000, 0xc0200000, 0x3effffff, 0x4b7fffff, 0xcb7fffff,
    0x4b000001, 0x3f400000, 0xbf400000, 0x00000001, 0x80000001, 0x7f7fffff, 0x3f7fffff, 0xbe800000,
    0x4f000000, 0x4f7fffff, 0x4f800000, 0x5effffff, 0x5f000000, 0xbf7fffff, 0xbf800000, 0xcf000000,
};
static const uint64_t DR[] = {
    0x3fe0000000000000ull, 0x3ff8000000000000ull, 0x4004000000000000ull, 0xbfe0000000000000ull,
    0xc004000000000000ull, 0x3fdfffffffffffffull, 0x432fffffffffffffull, 0xc32fffffffffffffull,
    0x4330000000000001ull, 0x3fe8000000000000ull, 0xbfe8000000000000ull, 0x36a0000000000000ull,
    0x380fffffe0000000ull, 0x47efffffe0000000ull, 0x47efffffefffffffull, 0x3810000000000000ull,
    0x41dfffffffc00000ull, 0x41e0000000100000ull, 0x41efffffffe00000ull, 0x41f0000000000000ull,
    0x43dfffffffffffffull, 0x43e0000000000000ull, 0xbfefffffffffffffull, 0xc1e0000000100000ull,
};
static void more_table(void) {
    uint64_t sum = 0;
    static const char *bnames[] = {"fnmul", "fmax", "fmin", "fmaxnm", "fminnm"};
    uint32_t (*sbin[])(uint32_t, uint32_t) = {fnmul_s, fmax_s, fmin_s, fmaxnm_s, fminnm_s};
    uint64_t (*dbin[])(uint64_t, uint64_t) = {fnmul_d, fmax_d, fmin_d, fmaxnm_d, fminnm_d};
    for (int k = 0; k < 5; k++) {
        uint64_t h = 1469598103934665603ull, g = h;
        for (unsigned i = 0; i < N(S); i++)
            for (unsigned j = 0; j < N(S); j++) {
                set_fpsr(0);
                h = (h ^ sbin[k](S[i], S[j])) * 1099511628211ull;
                h = (h ^ get_fpsr()) * 1099511628211ull;
            }
        for (unsigned i = 0; i < N(D); i++)
            for (unsigned j = 0; j < N(D); j++) {
                set_fpsr(0);
                g = (g ^ dbin[k](D[i], D[j])) * 1099511628211ull;
                g = (g ^ get_fpsr()) * 1099511628211ull;
            }
        printf("%s: %016llx %016llx\n", bnames[k], (unsigned long long)h, (unsigned long long)g);
        sum += h + g;
    }
    static const char *unames[] = {"frintn", "frintp", "frintm", "frintz", "frinta", "frintx", "frinti", "fcvt"};
    uint64_t (*sun[])(uint64_t) = {frintn_s, frintp_s, frintm_s, frintz_s, frinta_s, frintx_s, frinti_s, fcvt_ds};
    uint64_t (*dun[])(uint64_t) = {frintn_d, frintp_d, frintm_d, frintz_d, frinta_d, frintx_d, frinti_d, fcvt_sd};
    for (int k = 0; k < 8; k++) {
        printf("%s.s:", unames[k]);
        for (unsigned i = 0; i < N(S) + N(SR); i++) {
            set_fpsr(0);
            uint64_t r = sun[k](i < N(S) ? S[i] : SR[i - N(S)]);
            printf(" %llx/%llx", (unsigned long long)r, (unsigned long long)get_fpsr());
            sum += r;
        }
        printf("\n%s.d:", unames[k]);
        for (unsigned i = 0; i < N(D) + N(DR); i++) {
            set_fpsr(0);
            uint64_t r = dun[k](i < N(D) ? D[i] : DR[i - N(D)]);
            printf(" %llx/%llx", (unsigned long long)r, (unsigned long long)get_fpsr());
            sum += r;
        }
        printf("\n");
    }
    static const char *cnames[] = {"fcvtzu w", "fcvtzu x", "fcvtns", "fcvtms", "fcvtps"};
    uint64_t (*scvt[])(uint64_t) = {fcvtzu_ws, fcvtzu_xs, fcvtns_ws, fcvtms_xs, fcvtps_ws};
    uint64_t (*dcvt[])(uint64_t) = {fcvtzu_wd, fcvtzu_xd, fcvtns_xd, fcvtms_wd, fcvtps_xd};
    for (int k = 0; k < 5; k++) {
        printf("%s.s:", cnames[k]);
        for (unsigned i = 0; i < N(S) + N(SR); i++) {
            set_fpsr(0);
            uint64_t r = scvt[k](i < N(S) ? S[i] : SR[i - N(S)]);
            printf(" %llx/%llx", (unsigned long long)r, (unsigned long long)get_fpsr());
            sum += r;
        }
        printf("\n%s.d:", cnames[k]);
        for (unsigned i = 0; i < N(D) + N(DR); i++) {
            set_fpsr(0);
            uint64_t r = dcvt[k](i < N(D) ? D[i] : DR[i - N(D)]);
            printf(" %llx/%llx", (unsigned long long)r, (unsigned long long)get_fpsr());
            sum += r;
        }
        printf("\n");
    }
    printf("more checksum %016llx\n", (unsigned long long)sum);
}

// FMADD/FMSUB/FNMADD/FNMSUB over every (n, m, a) of the tables: one line per (operation,
// n) hashing (result, FPSR). The tables hold the tininess edge (0x20000001 * 0x1ffffffe rounds
// up to the smallest normal; with an addend of zero the sum does too), Inf * 0 with a quiet
// NaN addend (Invalid on Arm), signed zeros from exact cancellation, and signalling NaNs.
static void fma_table(void) {
    uint64_t sum = 0;
    static const char *names[] = {"fmadd", "fmsub", "fnmadd", "fnmsub"};
    uint32_t (*sops[])(uint32_t, uint32_t, uint32_t) = {fmadd_s, fmsub_s, fnmadd_s, fnmsub_s};
    uint64_t (*dops[])(uint64_t, uint64_t, uint64_t) = {fmadd_d, fmsub_d, fnmadd_d, fnmsub_d};
    for (int k = 0; k < 4; k++)
        for (unsigned i = 0; i < N(S); i++) {
            uint64_t h = 1469598103934665603ull;
            for (unsigned j = 0; j < N(S); j++)
                for (unsigned l = 0; l < N(S); l++) {
                    set_fpsr(0);
                    uint32_t r = sops[k](S[i], S[j], S[l]);
                    h = (h ^ r) * 1099511628211ull;
                    h = (h ^ get_fpsr()) * 1099511628211ull;
                }
            printf("%s.s %08x: %016llx\n", names[k], S[i], (unsigned long long)h);
            sum += h;
        }
    for (int k = 0; k < 4; k++)
        for (unsigned i = 0; i < N(D); i++) {
            uint64_t h = 1469598103934665603ull;
            for (unsigned j = 0; j < N(D); j++)
                for (unsigned l = 0; l < N(D); l++) {
                    set_fpsr(0);
                    uint64_t r = dops[k](D[i], D[j], D[l]);
                    h = (h ^ r) * 1099511628211ull;
                    h = (h ^ get_fpsr()) * 1099511628211ull;
                }
            printf("%s.d %016llx: %016llx\n", names[k], (unsigned long long)D[i], (unsigned long long)h);
            sum += h;
        }
    // the single cases spelled out
    set_fpsr(0);
    uint32_t t = fmadd_s(0x20000001, 0x1ffffffe, 0);
    printf("fmadd tiny: %08x %02llx\n", t, (unsigned long long)get_fpsr());
    set_fpsr(0);
    t = fmadd_s(0x7f800000, 0, 0x7fc00000);
    printf("fmadd inf*0+qnan: %08x %02llx\n", t, (unsigned long long)get_fpsr());
    set_fpsr(0);
    t = fmsub_s(0x3f800000, 0x3f800000, 0x3f800000);
    uint32_t u = fnmadd_s(0x3f800000, 0x3f800000, 0xbf800000);
    printf("fmsub 1-1*1: %08x, fnmadd -(-1)-1*1: %08x %02llx\n", t, u, (unsigned long long)get_fpsr());
    printf("fma checksum %016llx\n", (unsigned long long)sum);
}

// Flags accumulate over a run of operations and survive a syscall in between; MSR clears them.
static void accumulation(void) {
    set_fpsr(0);
    fadd_s(0x3f800000, 0x3f800000); // exact
    printf("exact: %02llx\n", (unsigned long long)get_fpsr());
    fdiv_s(0x3f800000, 0x40400000); // inexact
    fmul_s(0x7f7fffff, 0x40400000); // overflow
    write(1, "", 0);
    fdiv_s(0x3f800000, 0x00000000); // divide by zero
    printf("after three: %02llx\n", (unsigned long long)get_fpsr());
    fadd_s(0x7f800000, 0xff800000); // invalid
    printf("after invalid: %02llx\n", (unsigned long long)get_fpsr());
    set_fpsr(0);
    fadd_s(0x3f800000, 0x3f800000);
    printf("cleared, exact: %02llx\n", (unsigned long long)get_fpsr());
    set_fpsr(0x10);
    fadd_s(0x3f800000, 0x3f800000);
    printf("written IXC kept: %02llx\n", (unsigned long long)get_fpsr());
    // FZ: the helper path flushes; flags IDC/UFC as Arm says
    set_fpsr(0);
    set_fpcr(1 << 24);
    uint32_t r = fmul_s(0x00400000, 0x3f800000);
    uint32_t t = fmul_s(0x20000001, 0x1ffffffe);
    set_fpcr(0);
    printf("FZ: %08x %08x %02llx\n", r, t, (unsigned long long)get_fpsr());
}

// One-operand vector rows and FMAX/FMIN: where x86 and Arm differ in flags or results
// (FCVTZU at and beyond 2^31 and at or below -1, saturation, signed zeros, NaN lanes, the
// narrowing tininess edge, inactive upper halves holding NaNs).
#define V1(insn, out, in)                                                                  \
    __asm__ volatile("ld1 {v0.4s}, [%1]\n " insn "\n st1 {v2.4s}, [%0]"                     \
                     ::"r"(out), "r"(in) : "v0", "v2", "memory")
#define V2(insn, out, in1, in2)                                                            \
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n " insn "\n st1 {v2.4s}, [%0]"  \
                     ::"r"(out), "r"(in1), "r"(in2) : "v0", "v1", "v2", "memory")
static void show4(const char *name, const uint32_t *r) {
    printf("%s %08x %08x %08x %08x %02llx\n", name, r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
}
static void vector_misc(void) {
    uint32_t r[4];
    uint32_t u1[4] = {0x4f32d05e, 0xbf000000, 0xbf800000, 0x40200000}; // 3e9, -0.5, -1, 2.5
    uint32_t u2[4] = {0xcab26f93, 0xffffffff, 0x4f800000, 0x3f7fffff};
    uint32_t z[4] = {0x80000000, 0x00000000, 0x7fc00000, 0x7f800001};
    uint32_t w[4] = {0x00000000, 0x80000000, 0x3f800000, 0x7f800001};
    uint32_t h[4] = {0x3fc00000, 0xc0200000, 0x7f800001, 0x7fc00000}; // upper lanes NaN
    uint64_t dd[2] = {0x380fffffe0000000ull, 0xc1e0000000200000ull}, dq[2] = {0x43e0000000000000ull, 0xc3e0000000000001ull};
    set_fpsr(0); V1("fcvtzu v2.4s, v0.4s", r, u1); show4("fcvtzu.4s", r);
    set_fpsr(0); V1("fcvtzu v2.4s, v0.4s", r, u2); show4("fcvtzu.4s b", r);
    set_fpsr(0); V1("fcvtzu v2.2s, v0.2s", r, h); show4("fcvtzu.2s", r);
    set_fpsr(0); V1("fcvtzs v2.4s, v0.4s", r, u1); show4("fcvtzs.4s", r);
    set_fpsr(0); V1("frintx v2.4s, v0.4s", r, u1); show4("frintx.4s", r);
    set_fpsr(0); V1("frinta v2.4s, v0.4s", r, h); show4("frinta.4s", r);
    set_fpsr(0); V1("frintm v2.2s, v0.2s", r, h); show4("frintm.2s", r);
    set_fpsr(0); V1("fsqrt v2.4s, v0.4s", r, u1); show4("fsqrt.4s", r);
    set_fpsr(0); V1("fneg v2.2s, v0.2s", r, z); show4("fneg.2s", r);
    set_fpsr(0); V1("fabs v2.4s, v0.4s", r, z); show4("fabs.4s", r);
    set_fpsr(0); V1("scvtf v2.4s, v0.4s", r, u2); show4("scvtf.4s", r);
    set_fpsr(0); V1("scvtf v2.2d, v0.2d", r, dq); show4("scvtf.2d", r);
    set_fpsr(0); V1("fcvtzs v2.2d, v0.2d", r, dq); show4("fcvtzs.2d", r);
    set_fpsr(0); V1("fcvtzs v2.2d, v0.2d", r, dd); show4("fcvtzs.2d b", r);
    set_fpsr(0); V1("fcvtl v2.2d, v0.2s", r, h); show4("fcvtl.2d", r);
    set_fpsr(0); V1("fcvtl2 v2.2d, v0.4s", r, h); show4("fcvtl2.2d", r);
    set_fpsr(0); V1("fcvtn v2.2s, v0.2d", r, dd); show4("fcvtn.2s", r);
    set_fpsr(0); V1("movi v2.16b, #0x11\n fcvtn2 v2.4s, v0.2d", r, dd); show4("fcvtn2.4s", r);
    set_fpsr(0); V2("fmaxnm v2.4s, v0.4s, v1.4s", r, z, w); show4("fmaxnm.4s", r);
    set_fpsr(0); V2("fmin v2.4s, v0.4s, v1.4s", r, z, w); show4("fmin.4s", r);
    set_fpsr(0); V2("fmax v2.2s, v0.2s, v1.2s", r, z, w); show4("fmax.2s", r);
    set_fpsr(0); V2("fminnm v2.2s, v0.2s, v1.2s", r, h, u1); show4("fminnm.2s", r);
    set_fpsr(0); V2("fmax v2.2d, v0.2d, v1.2d", r, dd, dq); show4("fmax.2d", r);
}

static void vectors(void) {
    // fmul v.4s at the smallest normal, fdiv v.2s with NaN/zero garbage in the upper halves,
    // fcmge v.2s with a NaN upper lane
    uint32_t a[4] = {0x20000001, 0x3f800000, 0x40000000, 0x3f800000};
    uint32_t b[4] = {0x1ffffffe, 0x40400000, 0x3f000000, 0x3f800000};
    uint32_t garbage[4] = {0x3f800000, 0x40800000, 0x7f800001, 0x00000000};
    uint32_t r[4];
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n fmul v2.4s, v0.4s, v1.4s\n st1 {v2.4s}, [%0]"
                     ::"r"(r), "r"(a), "r"(b) : "v0", "v1", "v2", "memory");
    printf("fmul.4s %08x %08x %08x %08x %02llx\n", r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n fdiv v2.2s, v0.2s, v1.2s\n st1 {v2.4s}, [%0]"
                     ::"r"(r), "r"(garbage), "r"(garbage) : "v0", "v1", "v2", "memory");
    printf("fdiv.2s %08x %08x %08x %08x %02llx\n", r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n fcmge v2.2s, v0.2s, v1.2s\n st1 {v2.4s}, [%0]"
                     ::"r"(r), "r"(garbage), "r"(b) : "v0", "v1", "v2", "memory");
    printf("fcmge.2s %08x %08x %08x %08x %02llx\n", r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n fadd v2.2s, v0.2s, v1.2s\n st1 {v2.4s}, [%0]"
                     ::"r"(r), "r"(garbage), "r"(garbage) : "v0", "v1", "v2", "memory");
    printf("fadd.2s %08x %08x %08x %08x %02llx\n", r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
    uint64_t c[2] = {0x2000000000000001ull, 0x3ff0000000000000ull}, d[2] = {0x1ffffffffffffffeull, 0x4008000000000000ull}, q[2];
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.2d}, [%1]\n ld1 {v1.2d}, [%2]\n fmul v2.2d, v0.2d, v1.2d\n st1 {v2.2d}, [%0]"
                     ::"r"(q), "r"(c), "r"(d) : "v0", "v1", "v2", "memory");
    printf("fmul.2d %016llx %016llx %02llx\n", (unsigned long long)q[0], (unsigned long long)q[1],
           (unsigned long long)get_fpsr());
    // FMLA/FMLS: a lane at the tininess edge, Inf*0 plus a quiet NaN, a 64-bit vector whose
    // upper halves hold Inf and a signalling NaN (inactive: no Invalid), by-element forms.
    uint32_t acc[4] = {0, 0x7fc00000, 0x3f800000, 0x80000000};
    uint32_t mn[4] = {0x20000001, 0x7f800000, 0x3f800000, 0x3f800000};
    uint32_t mm[4] = {0x1ffffffe, 0x00000000, 0x40000000, 0x00000000};
    uint32_t hi[4] = {0x3f800000, 0x40000000, 0x7f800000, 0x7f800001};
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n ld1 {v2.4s}, [%3]\n fmla v2.4s, v0.4s, v1.4s\n"
                     " st1 {v2.4s}, [%0]"
                     ::"r"(r), "r"(mn), "r"(mm), "r"(acc) : "v0", "v1", "v2", "memory");
    printf("fmla.4s %08x %08x %08x %08x %02llx\n", r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n ld1 {v2.4s}, [%3]\n fmls v2.2s, v0.2s, v1.2s\n"
                     " st1 {v2.4s}, [%0]"
                     ::"r"(r), "r"(hi), "r"(hi), "r"(hi) : "v0", "v1", "v2", "memory");
    printf("fmls.2s %08x %08x %08x %08x %02llx\n", r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n ld1 {v2.4s}, [%3]\n fmla v2.2s, v0.2s, v1.s[2]\n"
                     " st1 {v2.4s}, [%0]"
                     ::"r"(r), "r"(hi), "r"(mm), "r"(hi) : "v0", "v1", "v2", "memory");
    printf("fmla.2s[2] %08x %08x %08x %08x %02llx\n", r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.4s}, [%1]\n ld1 {v1.4s}, [%2]\n fmul v2.4s, v0.4s, v1.s[3]\n st1 {v2.4s}, [%0]"
                     ::"r"(r), "r"(a), "r"(hi) : "v0", "v1", "v2", "memory");
    printf("fmul.4s[3] %08x %08x %08x %08x %02llx\n", r[0], r[1], r[2], r[3], (unsigned long long)get_fpsr());
    uint64_t e2[2] = {0x3ff0000000000000ull, 0x7ff0000000000000ull}, f2[2] = {0x0010000000000000ull, 0x1ffffffffffffffeull}, g2[2];
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.2d}, [%1]\n ld1 {v1.2d}, [%2]\n ld1 {v2.2d}, [%3]\n fmls v2.2d, v0.2d, v1.d[1]\n"
                     " st1 {v2.2d}, [%0]"
                     ::"r"(g2), "r"(c), "r"(f2), "r"(e2) : "v0", "v1", "v2", "memory");
    printf("fmls.2d[1] %016llx %016llx %02llx\n", (unsigned long long)g2[0], (unsigned long long)g2[1],
           (unsigned long long)get_fpsr());
    set_fpsr(0);
    __asm__ volatile("ld1 {v0.2d}, [%1]\n ld1 {v1.2d}, [%2]\n ld1 {v2.2d}, [%3]\n fmla v2.2d, v0.2d, v1.2d\n"
                     " st1 {v2.2d}, [%0]"
                     ::"r"(g2), "r"(d), "r"(c), "r"(e2) : "v0", "v1", "v2", "memory");
    printf("fmla.2d %016llx %016llx %02llx\n", (unsigned long long)g2[0], (unsigned long long)g2[1],
           (unsigned long long)get_fpsr());
    vector_misc();
}

static volatile uint64_t in_handler;
static void on_usr1(int sig) {
    (void)sig;
    in_handler = get_fpsr();
    set_fpsr(0);
    fadd_s(0x7f800000, 0xff800000); // invalid inside the handler only
}

static void *thread_main(void *arg) {
    (void)arg;
    uint64_t start = get_fpsr();
    fdiv_s(0x3f800000, 0x00000000);
    return (void *)(uintptr_t)(start << 8 | get_fpsr());
}

static void signals_and_threads(void) {
    signal(SIGUSR1, on_usr1);
    set_fpsr(0);
    fdiv_s(0x3f800000, 0x40400000); // IXC pending when the signal arrives
    raise(SIGUSR1);
    printf("handler saw %02llx, after return %02llx\n", (unsigned long long)in_handler,
           (unsigned long long)get_fpsr());
    set_fpsr(0);
    pthread_t t;
    void *res;
    pthread_create(&t, 0, thread_main, 0);
    pthread_join(t, &res);
    printf("thread: %04llx, main after join %02llx\n", (unsigned long long)(uintptr_t)res,
           (unsigned long long)get_fpsr());
}

int main(void) {
    scalar_table();
    fma_table();
    more_table();
    accumulation();
    vectors();
    signals_and_threads();
    return 0;
}
