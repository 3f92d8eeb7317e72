// xtask: no-native (aarch64 inline assembly)
/* fpcheck: runs scalar FP operations on edge-case and pseudo-random operands under several
 * FPCR settings and prints every result with the FPSR flags it raised.
 *
 * Output format (self-describing, so a checker needs no copy of the operand lists):
 *   "op NAME"      all following lines are this operation (NAME like fadd.d, fcvtzs.w.d)
 *   "fpcr HEX"     all following lines run with this FPCR value
 *   "A [B [C]] R S" operands, result bits, FPSR (all hex). For compares R is NZCV>>28 (fcmp)
 *                  or the all-ones/zero mask (fcmeq/fcmge/fcmgt). For fixed-point forms the last
 *                  operand is fbits (decimal). For H results only the low 16 bits are meaningful.
 *
 * Build: aarch64-linux-gnu-gcc -static -O2 -o fpcheck fpcheck.c
 * Reference: qemu-aarch64 ./fpcheck > fpcheck.expected
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;

#define PRE "msr fpcr, %[c]\n\tmsr fpsr, xzr\n\t"
#define POST "\n\tmrs %[s], fpsr\n\tmsr fpcr, xzr"
#define CLOB "v0", "v1", "v2", "v3", "memory"

typedef u64 (*bin_fn)(u64, u64, u64, u64 *);
typedef u64 (*un_fn)(u64, u64, u64 *);
typedef u64 (*tri_fn)(u64, u64, u64, u64, u64 *);

/* Binary op, both operands and result in the same FP size: Rd = op(Rn=a, Rm=b). */
#define BIN(fn, mn, R, W)                                                                   \
    static u64 fn(u64 a, u64 b, u64 c, u64 *sr) {                                           \
        u64 r, s;                                                                           \
        asm volatile(PRE "fmov " R "0, %" W "[a]\n\tfmov " R "1, %" W "[b]\n\t" mn " " R    \
                         "2, " R "0, " R "1\n\tfmov %" W "[r], " R "2" POST                 \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [b] "r"(b), [c] "r"(c)                                   \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
#define BIN_SD(name, mn) BIN(name##_s, mn, "s", "w") BIN(name##_d, mn, "d", "x")
BIN_SD(fadd, "fadd")
BIN_SD(fsub, "fsub")
BIN_SD(fmul, "fmul")
BIN_SD(fdiv, "fdiv")
BIN_SD(fmax, "fmax")
BIN_SD(fmin, "fmin")
BIN_SD(fmaxnm, "fmaxnm")
BIN_SD(fminnm, "fminnm")
BIN_SD(fnmul, "fnmul")
BIN_SD(fmulx, "fmulx")
BIN_SD(frecps, "frecps")
BIN_SD(frsqrts, "frsqrts")
BIN_SD(fcmeq, "fcmeq")
BIN_SD(fcmge, "fcmge")
BIN_SD(fcmgt, "fcmgt")

#define CMP(fn, mn, R, W)                                                                   \
    static u64 fn(u64 a, u64 b, u64 c, u64 *sr) {                                           \
        u64 r, s;                                                                           \
        asm volatile(PRE "fmov " R "0, %" W "[a]\n\tfmov " R "1, %" W "[b]\n\t" mn " " R    \
                         "0, " R "1\n\tmrs %[r], nzcv" POST                                 \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [b] "r"(b), [c] "r"(c)                                   \
                     : CLOB, "cc");                                                         \
        *sr = s;                                                                            \
        return r >> 28;                                                                     \
    }
CMP(fcmp_s, "fcmp", "s", "w")
CMP(fcmp_d, "fcmp", "d", "x")
CMP(fcmpe_s, "fcmpe", "s", "w")
CMP(fcmpe_d, "fcmpe", "d", "x")

/* Unary op: source format RS (via general WS), destination format RD (via WD). */
#define UN(fn, mn, RD, WD, RS, WS)                                                          \
    static u64 fn(u64 a, u64 c, u64 *sr) {                                                  \
        u64 r, s;                                                                           \
        asm volatile(PRE "fmov " RS "0, %" WS "[a]\n\t" mn " " RD "2, " RS                  \
                         "0\n\tfmov %" WD "[r], " RD "2" POST                               \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [c] "r"(c)                                               \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
#define UN_SD(name, mn) UN(name##_s, mn, "s", "w", "s", "w") UN(name##_d, mn, "d", "x", "d", "x")
UN_SD(fsqrt, "fsqrt")
UN_SD(frintn, "frintn")
UN_SD(frintp, "frintp")
UN_SD(frintm, "frintm")
UN_SD(frintz, "frintz")
UN_SD(frinta, "frinta")
UN_SD(frintx, "frintx")
UN_SD(frinti, "frinti")
UN_SD(frecpe, "frecpe")
UN_SD(frsqrte, "frsqrte")
UN_SD(frecpx, "frecpx")
/* FCVT: half values travel in an S register's low 16 bits (no FEAT_FP16 moves needed). */
UN(fcvt_d_s, "fcvt", "d", "x", "s", "w")
UN(fcvt_s_d, "fcvt", "s", "w", "d", "x")
#define UNHD(fn, RS, WS)                                                                    \
    static u64 fn(u64 a, u64 c, u64 *sr) {                                                  \
        u64 r, s;                                                                           \
        asm volatile(PRE "fmov " RS "0, %" WS "[a]\n\tfcvt h2, " RS "0\n\tfmov %w[r], s2" POST \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [c] "r"(c)                                               \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
UNHD(fcvt_h_s, "s", "w")
UNHD(fcvt_h_d, "d", "x")
UN(fcvtxn_s_d, "fcvtxn", "s", "w", "d", "x")

#define UNH(fn, mn, RD, WD)                                                                 \
    static u64 fn(u64 a, u64 c, u64 *sr) {                                                  \
        u64 r, s;                                                                           \
        asm volatile(PRE "fmov s0, %w[a]\n\t" mn " " RD "2, h0\n\tfmov %" WD "[r], " RD     \
                         "2" POST                                                           \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [c] "r"(c)                                               \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
UNH(fcvt_s_h, "fcvt", "s", "w")
UNH(fcvt_d_h, "fcvt", "d", "x")

/* FP -> integer: result in a general register of width WI. */
#define TOI(fn, mn, WI, RS, WS)                                                             \
    static u64 fn(u64 a, u64 c, u64 *sr) {                                                  \
        u64 r, s;                                                                           \
        asm volatile(PRE "fmov " RS "0, %" WS "[a]\n\t" mn " %" WI "[r], " RS "0" POST      \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [c] "r"(c)                                               \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
#define TOI4(name, mn)                                                                      \
    TOI(name##_w_s, mn, "w", "s", "w") TOI(name##_w_d, mn, "w", "d", "x")                  \
    TOI(name##_x_s, mn, "x", "s", "w") TOI(name##_x_d, mn, "x", "d", "x")
TOI4(fcvtns, "fcvtns")
TOI4(fcvtnu, "fcvtnu")
TOI4(fcvtps, "fcvtps")
TOI4(fcvtpu, "fcvtpu")
TOI4(fcvtms, "fcvtms")
TOI4(fcvtmu, "fcvtmu")
TOI4(fcvtzs, "fcvtzs")
TOI4(fcvtzu, "fcvtzu")
TOI4(fcvtas, "fcvtas")
TOI4(fcvtau, "fcvtau")

/* integer -> FP */
#define FROMI(fn, mn, RD, WD, WI)                                                           \
    static u64 fn(u64 a, u64 c, u64 *sr) {                                                  \
        u64 r, s;                                                                           \
        asm volatile(PRE mn " " RD "2, %" WI "[a]\n\tfmov %" WD "[r], " RD "2" POST         \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [c] "r"(c)                                               \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
#define FROMI4(name, mn)                                                                    \
    FROMI(name##_s_w, mn, "s", "w", "w") FROMI(name##_d_w, mn, "d", "x", "w")              \
    FROMI(name##_s_x, mn, "s", "w", "x") FROMI(name##_d_x, mn, "d", "x", "x")
FROMI4(scvtf, "scvtf")
FROMI4(ucvtf, "ucvtf")

/* Fixed point forms, for a few fbits values (immediates). */
#define TOFIX(fn, mn, WI, RS, WS, FB)                                                       \
    static u64 fn##_##FB(u64 a, u64 c, u64 *sr) {                                          \
        u64 r, s;                                                                           \
        asm volatile(PRE "fmov " RS "0, %" WS "[a]\n\t" mn " %" WI "[r], " RS "0, #" #FB POST \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [c] "r"(c)                                               \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
#define FROMFIX(fn, mn, RD, WD, WI, FB)                                                     \
    static u64 fn##_##FB(u64 a, u64 c, u64 *sr) {                                          \
        u64 r, s;                                                                           \
        asm volatile(PRE mn " " RD "2, %" WI "[a], #" #FB "\n\tfmov %" WD "[r], " RD "2" POST \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [c] "r"(c)                                               \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
#define FIXSET(FB)                                                                          \
    TOFIX(fcvtzsfix_w_d, "fcvtzs", "w", "d", "x", FB) TOFIX(fcvtzufix_w_s, "fcvtzu", "w", "s", "w", FB) \
    FROMFIX(scvtffix_d_w, "scvtf", "d", "x", "w", FB) FROMFIX(ucvtffix_s_w, "ucvtf", "s", "w", "w", FB)
#define FIXSET64(FB)                                                                        \
    TOFIX(fcvtzsfix_x_s, "fcvtzs", "x", "s", "w", FB) TOFIX(fcvtzufix_x_d, "fcvtzu", "x", "d", "x", FB) \
    FROMFIX(scvtffix_s_x, "scvtf", "s", "w", "x", FB) FROMFIX(ucvtffix_d_x, "ucvtf", "d", "x", "x", FB)
FIXSET(1)
FIXSET(16)
FIXSET(32)
FIXSET64(1)
FIXSET64(33)
FIXSET64(64)

/* Fused multiply-add family: Rd = op(Rn=a, Rm=b, Ra=addend). Printed as "ADDEND A B R S". */
#define TRI(fn, mn, R, W)                                                                   \
    static u64 fn(u64 ad, u64 a, u64 b, u64 c, u64 *sr) {                                   \
        u64 r, s;                                                                           \
        asm volatile(PRE "fmov " R "0, %" W "[a]\n\tfmov " R "1, %" W "[b]\n\tfmov " R      \
                         "3, %" W "[ad]\n\t" mn " " R "2, " R "0, " R "1, " R "3\n\tfmov %" W \
                         "[r], " R "2" POST                                                 \
                     : [r] "=&r"(r), [s] "=&r"(s)                                           \
                     : [a] "r"(a), [b] "r"(b), [ad] "r"(ad), [c] "r"(c)                     \
                     : CLOB);                                                               \
        *sr = s;                                                                            \
        return r;                                                                           \
    }
#define TRI_SD(name, mn) TRI(name##_s, mn, "s", "w") TRI(name##_d, mn, "d", "x")
TRI_SD(fmadd, "fmadd")
TRI_SD(fmsub, "fmsub")
TRI_SD(fnmadd, "fnmadd")
TRI_SD(fnmsub, "fnmsub")
#undef TRI_SD

/* ------------------------------------------------------------------ operands */

static const u64 edge_d[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x3ff8000000000000, 0x4008000000000000, 0x3fb999999999999a, 0x3fd5555555555555,
    0x7fefffffffffffff, 0xffefffffffffffff, 0x0010000000000000, 0x000fffffffffffff,
    0x0000000000000001, 0x8000000000000001, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000000, 0xfff8000000000123, 0x7ff0000000000001, 0xfff4000000000567,
    0x3ff0000000000001, 0x3fefffffffffffff, 0x2000000000000000, 0x1ff0000000000001,
};
static const u64 extra_d[] = {
    0x4330000000000000, 0x4330000000000001, 0x43e0000000000000, 0xc3e0000000000000,
    0x41e0000000000000, 0xc1e0000000000000, 0x41f0000000000000, 0x43f0000000000000,
    0x3fe0000000000000, 0x4004000000000000, 0xbfe0000000000000, 0xc004000000000000,
    0x41dfffffffc00000, 0xc1e0000000200000, 0x43dfffffffffffff, 0x3e70000000000000,
    0x40effc0000000000, 0x40effe0000000000, 0x3f10000000000000, 0x3e80000000000000,
    0x3e60000000000000, 0x47f0000000000000, 0x36a0000000000000, 0x3690000000000000,
    0x380fffffffffffff, 0x3810000000000000, 0x47efffffe0000000, 0x47efffffefffffff,
    0x0008000000000000, 0x4010000000000000, 0x3fd0000000000000, 0x7fe0000000000000,
    0xc1dfffffffffffff, 0x41efffffffe00000, 0x43efffffffffffff, 0xc3e0000000000001,
};
static const u64 edge_s[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40400000, 0x3dcccccd,
    0x3eaaaaab, 0x7f7fffff, 0xff7fffff, 0x00800000, 0x007fffff, 0x00000001, 0x80000001,
    0x7f800000, 0xff800000, 0x7fc00000, 0xffc00123, 0x7f800001, 0xffa00567, 0x3f800001,
    0x3f7fffff, 0x20000000, 0x1f800001,
};
static const u64 extra_s[] = {
    0x4b000000, 0x4b000001, 0x5f000000, 0xdf000000, 0x4f000000, 0xcf000000, 0x4f800000,
    0x5f800000, 0x3f000000, 0x40200000, 0xbf000000, 0xc0200000, 0x4effffff, 0xcf000001,
    0x5effffff, 0x33800000, 0x477fe000, 0x477ff000, 0x38800000, 0x34000000, 0x33000000,
    0x387fc000, 0x00400000, 0x40800000, 0x3e800000, 0x7f000000, 0x5f7fffff, 0x477fefff,
    0x33000001, 0x387fe000,
};
static const u64 edge_h[] = {
    0x0000, 0x8000, 0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x0400, 0x03ff, 0x0001, 0x8001, 0x7c00,
    0xfc00, 0x7e00, 0xfe01, 0x7c01, 0xfd23, 0x3555, 0x7fff, 0xffff, 0x0200, 0x3c01,
};
static const u64 ints[] = {
    0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000001, 0x00ffffff, 0x01000001,
    0x7fffffc0, 0x7fffffbf, 0xfffffffe, 0x0000000100000000, 0x001fffffffffffff,
    0x0020000000000001, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000001,
    0xffffffffffffffff, 0xfffffffffffffc00, 0x7ffffffffffffc00, 0x7ffffffffffffe00,
    0xfffffffffffff801, 0x123456789abcdef0, 0xfedcba9876543210, 0x00000000ffffff80,
};

static u64 rng = 0x9e3779b97f4a7c15ull;
static u64 next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A random double: exponent drawn near 1, near the subnormal boundary, near overflow, or from
 * the single-precision range, mantissa random or with many trailing ones/zeros. */
static u64 rand_d(void) {
    u64 x = next();
    u64 sign = x & 0x8000000000000000ull;
    u64 exp;
    switch ((x >> 8) & 7) {
    case 0: case 1: case 2: exp = 1023 - 3 + ((x >> 12) & 7); break;
    case 3: exp = (x >> 12) & 3; break;
    case 4: exp = 2046 - ((x >> 12) & 3); break;
    case 5: exp = 1023 - 150 + ((x >> 12) & 31); break;
    case 6: exp = 1023 + 25 + ((x >> 12) & 63); break;
    default: exp = (x >> 12) & 2047; if (exp == 2047) exp = 2046; break;
    }
    u64 frac = next() & 0x000fffffffffffffull;
    if (((x >> 16) & 3) == 0) frac &= ~((1ull << ((x >> 20) & 63)) - 1);
    if (((x >> 16) & 3) == 1) frac |= (1ull << ((x >> 20) & 31)) - 1;
    return sign | (exp << 52) | frac;
}
static u64 rand_s(void) {
    u64 x = next();
    u64 sign = x & 0x80000000ull;
    u64 exp;
    switch ((x >> 8) & 7) {
    case 0: case 1: case 2: exp = 127 - 3 + ((x >> 12) & 7); break;
    case 3: exp = (x >> 12) & 3; break;
    case 4: exp = 254 - ((x >> 12) & 3); break;
    case 5: exp = 127 - 20 + ((x >> 12) & 15); break;
    case 6: exp = 127 + 20 + ((x >> 12) & 31); break;
    default: exp = (x >> 12) & 255; if (exp == 255) exp = 254; break;
    }
    u64 frac = next() & 0x7fffff;
    if (((x >> 16) & 3) == 0) frac &= ~((1ull << ((x >> 20) & 31)) - 1);
    if (((x >> 16) & 3) == 1) frac |= (1ull << ((x >> 20) & 15)) - 1;
    return sign | (exp << 23) | frac;
}
/* A value near another (same or adjacent exponent): exercises cancellation and rounding. */
static u64 near_d(u64 a) { return (a ^ (next() & 0x801fffffffffffffull)); }
static u64 near_s(u64 a) { return (a ^ (next() & 0x80ffffffull)) & 0xffffffffull; }

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NRAND 40

static u64 rnd_d[NRAND * 2], rnd_s[NRAND * 2];

enum { RN = 0, RP = 1 << 22, RM = 2 << 22, RZ = 3 << 22, FZ = 1 << 24, DN = 1 << 25, AHP = 1 << 26 };

static const u64 cfg_edge[] = {RN, RM | FZ | DN};
static const u64 cfg_rand[] = {RN, RP, RM, RZ, RN | FZ, RP | FZ};
static const u64 cfg_un[] = {RN, RP | FZ, RM | DN, RZ, RN | FZ | DN};

static void header(const char *op) { printf("op %s\n", op); }
static void cfg(u64 c) { printf("fpcr %llx\n", (unsigned long long)c); }

static void run_bin(const char *name, bin_fn f, int dbl) {
    const u64 *edge = dbl ? edge_d : edge_s;
    size_t ne = dbl ? N(edge_d) : N(edge_s);
    const u64 *rnd = dbl ? rnd_d : rnd_s;
    u64 s;
    header(name);
    for (size_t k = 0; k < N(cfg_edge); k++) {
        cfg(cfg_edge[k]);
        for (size_t i = 0; i < ne; i++)
            for (size_t j = 0; j < ne; j++) {
                u64 r = f(edge[i], edge[j], cfg_edge[k], &s);
                printf("%llx %llx %llx %llx\n", (unsigned long long)edge[i], (unsigned long long)edge[j],
                       (unsigned long long)r, (unsigned long long)s);
            }
    }
    for (size_t k = 0; k < N(cfg_rand); k++) {
        cfg(cfg_rand[k]);
        for (size_t i = 0; i < NRAND; i++) {
            u64 a = rnd[2 * i], b = rnd[2 * i + 1];
            u64 r = f(a, b, cfg_rand[k], &s);
            printf("%llx %llx %llx %llx\n", (unsigned long long)a, (unsigned long long)b,
                   (unsigned long long)r, (unsigned long long)s);
        }
    }
}

static void run_un_list(const char *name, un_fn f, const u64 *l1, size_t n1, const u64 *l2, size_t n2,
                        const u64 *l3, size_t n3, const u64 *cfgs, size_t nc) {
    u64 s;
    header(name);
    for (size_t k = 0; k < nc; k++) {
        cfg(cfgs[k]);
        const u64 *ls[3] = {l1, l2, l3};
        size_t ns[3] = {n1, n2, n3};
        for (int l = 0; l < 3; l++)
            for (size_t i = 0; i < ns[l]; i++) {
                u64 r = f(ls[l][i], cfgs[k], &s);
                printf("%llx %llx %llx\n", (unsigned long long)ls[l][i], (unsigned long long)r,
                       (unsigned long long)s);
            }
    }
}
/* Operations whose rounding does not depend on FPCR.RMode only need FZ/DN variation. */
static const u64 cfg_fixed[] = {RN, RM | FZ | DN};
static void run_un_cfg(const char *name, un_fn f, int dbl, const u64 *cfgs, size_t nc) {
    if (dbl)
        run_un_list(name, f, edge_d, N(edge_d), extra_d, N(extra_d), rnd_d, N(rnd_d), cfgs, nc);
    else
        run_un_list(name, f, edge_s, N(edge_s), extra_s, N(extra_s), rnd_s, N(rnd_s), cfgs, nc);
}
static void run_un(const char *name, un_fn f, int dbl) { run_un_cfg(name, f, dbl, cfg_un, N(cfg_un)); }
static void run_un_fixed(const char *name, un_fn f, int dbl) {
    run_un_cfg(name, f, dbl, cfg_fixed, N(cfg_fixed));
}

static void run_tri(const char *name, tri_fn f, int dbl) {
    static const int pick[] = {0, 1, 2, 3, 4, 6, 8, 10, 12, 14, 15, 16, 17, 18, 19, 21};
    const u64 *edge = dbl ? edge_d : edge_s;
    const u64 *rnd = dbl ? rnd_d : rnd_s;
    u64 s;
    header(name);
    static const u64 cfgs[] = {RN, RM | FZ | DN};
    for (size_t k = 0; k < N(cfgs); k++) {
        cfg(cfgs[k]);
        for (size_t i = 0; i < N(pick); i++)
            for (size_t j = 0; j < N(pick); j++)
                for (size_t m = 0; m < N(pick); m += 3) {
                    u64 ad = edge[pick[m]], a = edge[pick[i]], b = edge[pick[j]];
                    u64 r = f(ad, a, b, cfgs[k], &s);
                    printf("%llx %llx %llx %llx %llx\n", (unsigned long long)ad, (unsigned long long)a,
                           (unsigned long long)b, (unsigned long long)r, (unsigned long long)s);
                }
    }
    for (size_t k = 0; k < N(cfg_rand); k++) {
        cfg(cfg_rand[k]);
        for (size_t i = 0; i + 2 < NRAND * 2; i += 2) {
            u64 a = rnd[i], b = rnd[i + 1];
            /* addend near -a*b so that cancellation happens */
            u64 ad = rnd[i + 2];
            if (i % 4 == 0) {
                u64 p = dbl ? fmul_d(a, b, RN, &s) : fmul_s(a, b, RN, &s);
                ad = dbl ? near_d(p ^ 0x8000000000000000ull) : near_s(p ^ 0x80000000ull);
            }
            u64 r = f(ad, a, b, cfg_rand[k], &s);
            printf("%llx %llx %llx %llx %llx\n", (unsigned long long)ad, (unsigned long long)a,
                   (unsigned long long)b, (unsigned long long)r, (unsigned long long)s);
        }
    }
}

int main(void) {
    for (int i = 0; i < NRAND; i++) {
        rnd_d[2 * i] = rand_d();
        rnd_d[2 * i + 1] = (i % 3 == 0) ? near_d(rnd_d[2 * i]) : rand_d();
        rnd_s[2 * i] = rand_s();
        rnd_s[2 * i + 1] = (i % 3 == 0) ? near_s(rnd_s[2 * i]) : rand_s();
    }
#define B(name) run_bin(#name ".s", name##_s, 0); run_bin(#name ".d", name##_d, 1);
    B(fadd) B(fsub) B(fmul) B(fdiv) B(fmax) B(fmin) B(fmaxnm) B(fminnm) B(fnmul) B(fmulx)
    B(frecps) B(frsqrts) B(fcmeq) B(fcmge) B(fcmgt) B(fcmp) B(fcmpe)
#define U(name) run_un(#name ".s", name##_s, 0); run_un(#name ".d", name##_d, 1);
#define UF(name) run_un_fixed(#name ".s", name##_s, 0); run_un_fixed(#name ".d", name##_d, 1);
    U(fsqrt) UF(frintn) UF(frintp) UF(frintm) UF(frintz) UF(frinta) U(frintx) U(frinti)
    U(frecpe) UF(frsqrte) UF(frecpx)
    run_un("fcvt.d.s", fcvt_d_s, 0);
    run_un("fcvt.s.d", fcvt_s_d, 1);
    run_un("fcvtxn.s.d", fcvtxn_s_d, 1);
    static const u64 cfg_h[] = {RN, RZ | FZ, RP | DN, RM | AHP, RN | AHP | DN};
    run_un_list("fcvt.h.s", fcvt_h_s, edge_s, N(edge_s), extra_s, N(extra_s), rnd_s, N(rnd_s), cfg_h, N(cfg_h));
    run_un_list("fcvt.h.d", fcvt_h_d, edge_d, N(edge_d), extra_d, N(extra_d), rnd_d, N(rnd_d), cfg_h, N(cfg_h));
    run_un_list("fcvt.s.h", fcvt_s_h, edge_h, N(edge_h), 0, 0, 0, 0, cfg_h, N(cfg_h));
    run_un_list("fcvt.d.h", fcvt_d_h, edge_h, N(edge_h), 0, 0, 0, 0, cfg_h, N(cfg_h));
#define T(name)                                                                             \
    run_un_fixed(#name ".w.s", name##_w_s, 0); run_un_fixed(#name ".w.d", name##_w_d, 1);  \
    run_un_fixed(#name ".x.s", name##_x_s, 0); run_un_fixed(#name ".x.d", name##_x_d, 1);
    T(fcvtns) T(fcvtnu) T(fcvtps) T(fcvtpu) T(fcvtms) T(fcvtmu) T(fcvtzs) T(fcvtzu) T(fcvtas) T(fcvtau)
    static const u64 cfg_i[] = {RN, RP, RM, RZ};
#define I(name)                                                                             \
    run_un_list(#name ".s.w", name##_s_w, ints, N(ints), 0, 0, 0, 0, cfg_i, N(cfg_i));      \
    run_un_list(#name ".d.w", name##_d_w, ints, N(ints), 0, 0, 0, 0, cfg_i, N(cfg_i));      \
    run_un_list(#name ".s.x", name##_s_x, ints, N(ints), 0, 0, 0, 0, cfg_i, N(cfg_i));      \
    run_un_list(#name ".d.x", name##_d_x, ints, N(ints), 0, 0, 0, 0, cfg_i, N(cfg_i));
    I(scvtf) I(ucvtf)
#define FX(name, FB, dbl) run_un_fixed(#name "#" #FB, name##_##FB, dbl);
#define FXI(name, FB) run_un_list(#name "#" #FB, name##_##FB, ints, N(ints), 0, 0, 0, 0, cfg_i, N(cfg_i));
    FX(fcvtzsfix_w_d, 1, 1) FX(fcvtzsfix_w_d, 16, 1) FX(fcvtzsfix_w_d, 32, 1)
    FX(fcvtzufix_w_s, 1, 0) FX(fcvtzufix_w_s, 16, 0) FX(fcvtzufix_w_s, 32, 0)
    FX(fcvtzsfix_x_s, 1, 0) FX(fcvtzsfix_x_s, 33, 0) FX(fcvtzsfix_x_s, 64, 0)
    FX(fcvtzufix_x_d, 1, 1) FX(fcvtzufix_x_d, 33, 1) FX(fcvtzufix_x_d, 64, 1)
    FXI(scvtffix_d_w, 1) FXI(scvtffix_d_w, 16) FXI(scvtffix_d_w, 32)
    FXI(ucvtffix_s_w, 1) FXI(ucvtffix_s_w, 16) FXI(ucvtffix_s_w, 32)
    FXI(scvtffix_s_x, 1) FXI(scvtffix_s_x, 33) FXI(scvtffix_s_x, 64)
    FXI(ucvtffix_d_x, 1) FXI(ucvtffix_d_x, 33) FXI(ucvtffix_d_x, 64)
#define M3(name) run_tri(#name ".s", name##_s, 0); run_tri(#name ".d", name##_d, 1);
    M3(fmadd) M3(fmsub) M3(fnmadd) M3(fnmsub)
    return 0;
}
