/* Floating point through the C library: double and float arithmetic on special values (results
 * printed as raw bits, so NaN signs and payloads show: aarch64's default NaN is positive, x86's
 * is negative), libm functions, rounding functions under all four rounding modes, exception
 * flags (FPSR), and int<->float conversions at the edges C defines (values in range, rounding of
 * wide integers into float/double). Printed with %a and %.17g. */
#define _GNU_SOURCE
#include <fenv.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t dbits(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}
static uint32_t fbits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static volatile double dv[] = {0.0, -0.0, 1.0, -1.0, 0.1, 3.0, 1e308, DBL_MAX, DBL_MIN, 4.9406564584124654e-324,
                               2.2250738585072009e-308, INFINITY, -INFINITY, NAN, 1.5, -2.5};
static volatile float fv[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.1f, 3.0f, 1e38f, FLT_MAX, FLT_MIN, 1.4e-45f,
                              INFINITY, -INFINITY, NAN, 1.5f, -2.5f, 16777216.0f};
#define ND (int)(sizeof dv / sizeof dv[0])
#define NF (int)(sizeof fv / sizeof fv[0])

static const char *flags(void) {
    static char b[32];
    int e = fetestexcept(FE_ALL_EXCEPT);
    snprintf(b, sizeof b, "%s%s%s%s%s", e & FE_INVALID ? "V" : "-", e & FE_DIVBYZERO ? "Z" : "-",
             e & FE_OVERFLOW ? "O" : "-", e & FE_UNDERFLOW ? "U" : "-", e & FE_INEXACT ? "X" : "-");
    return b;
}

static void arithmetic(void) {
    printf("== double arithmetic: a b -> a+b a-b a*b a/b (bits) flags\n");
    for (int i = 0; i < ND; i++)
        for (int j = 0; j < ND; j++) {
            double a = dv[i], b = dv[j];
            feclearexcept(FE_ALL_EXCEPT);
            volatile double s = a + b, d = a - b, m = a * b, q = a / b;
            printf("%a %a -> %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %s\n", a, b, dbits(s),
                   dbits(d), dbits(m), dbits(q), flags());
        }
    printf("== float arithmetic\n");
    for (int i = 0; i < NF; i++)
        for (int j = 0; j < NF; j += 3) {
            float a = fv[i], b = fv[j];
            feclearexcept(FE_ALL_EXCEPT);
            volatile float s = a + b, d = a - b, m = a * b, q = a / b;
            printf("%a %a -> %08" PRIx32 " %08" PRIx32 " %08" PRIx32 " %08" PRIx32 " %s\n", (double)a, (double)b,
                   fbits(s), fbits(d), fbits(m), fbits(q), flags());
        }
    volatile double x = 0.1, y = 0.2, z = 0.3;
    printf("0.1+0.2=%.17g (==0.3: %d) 1/3=%.17g sqrt(2)=%.17g\n", x + y, x + y == z, 1.0 / (x * 30), sqrt(y * 10));
    printf("fma(0.1,10,-1)=%a  0.1*10-1 unfused=%a\n", fma(x, 10.0, -1.0), (double)(volatile double){x * 10.0} - 1.0);
    printf("fmaf(0.1f,10,-1)=%a\n", (double)fmaf((float)x, 10.0f, -1.0f));
    printf("fma(DBL_MAX, 2, -inf)=%a fma(inf, 0, 1) bits=%016" PRIx64 "\n", fma(dv[7], 2.0, dv[12]),
           dbits(fma(dv[11], 0.0, 1.0)));
}

static void libm(void) {
    printf("== libm\n");
    static const double in[] = {0.0, -0.0, 0.5, 1.0, 2.0, 10.0, -3.75, 100.0, 1e-300, 0.7853981633974483, 3.141592653589793,
                                1e22, 710.0, -745.2, INFINITY};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        double a = in[i];
        printf("x=%a sqrt=%a sin=%a cos=%a tan=%a exp=%a log=%a log2=%a log10=%a\n", a, sqrt(a), sin(a), cos(a),
               tan(a), exp(a), log(a), log2(a), log10(a));
        printf("  atan=%a asin=%a sinh=%a tanh=%a cbrt=%a expm1=%a log1p=%a erf=%a tgamma=%a\n", atan(a), asin(a),
               sinh(a), tanh(a), cbrt(a), expm1(a), log1p(a), erf(a), tgamma(a));
        float f = (float)a;
        printf("  f: sqrtf=%a sinf=%a cosf=%a expf=%a logf=%a powf(x,1.5)=%a\n", (double)sqrtf(f), (double)sinf(f),
               (double)cosf(f), (double)expf(f), (double)logf(f), (double)powf(f, 1.5f));
    }
    static const double pw[][2] = {{2, 10},      {2, 0.5},  {-2, 3},   {-2, 0.5},   {0, -1},     {-0.0, -1},
                                   {10, -308},   {10, 308}, {1, NAN},  {NAN, 0},    {-1, INFINITY}, {0.5, -1075},
                                   {1.0000001, 1e9}, {2, -1074}, {-8, 1.0 / 3}, {1e300, 2}};
    for (size_t i = 0; i < sizeof pw / sizeof pw[0]; i++) {
        feclearexcept(FE_ALL_EXCEPT);
        double r = pow(pw[i][0], pw[i][1]);
        printf("pow(%a, %a)=%a bits=%016" PRIx64 " %s\n", pw[i][0], pw[i][1], r, dbits(r), flags());
    }
    static const double two[][2] = {{1, 1}, {-1, -0.0}, {0.0, -0.0}, {-0.0, -1}, {3, 4}, {1e308, 1e308}, {5.5, 2},
                                    {-5.5, 2}, {5.5, -2}, {1e300, 1e-300}, {INFINITY, 3}, {3, INFINITY}};
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++) {
        double a = two[i][0], b = two[i][1];
        printf("a=%a b=%a atan2=%.17g hypot=%a fmod=%a remainder=%a fmin=%a fmax=%a copysign=%a nextafter=%a\n", a, b,
               atan2(a, b), hypot(a, b), fmod(a, b), remainder(a, b), fmin(a, b), fmax(a, b), copysign(a, b),
               nextafter(a, b));
    }
    int e;
    double m = frexp(0.0, &e);
    printf("frexp(0)=%a,%d", m, e);
    m = frexp(1e-310, &e);
    printf(" frexp(1e-310)=%a,%d", m, e);
    m = frexp(-DBL_MAX, &e);
    printf(" frexp(-DBL_MAX)=%a,%d\n", m, e);
    printf("ldexp(1,-1074)=%a ldexp(1,-1075)=%a ldexp(1.5,1023)=%a ldexp(1,1024)=%a ldexp(3,-1075)=%a\n",
           ldexp(1, -1074), ldexp(1, -1075), ldexp(1.5, 1023), ldexp(1, 1024), ldexp(3, -1075));
    double ip;
    double fr = modf(-3.75, &ip);
    printf("modf(-3.75)=%a,%a ilogb(1e-310)=%d logb(0.1)=%a scalbn(1,-1060)=%a\n", fr, ip, ilogb(1e-310), logb(0.1),
           scalbn(1, -1060));
}

static const char *const mode_names[] = {"nearest", "upward", "downward", "towardzero"};
static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};

static void rounding(void) {
    printf("== rounding functions\n");
    static const double in[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994, 2.6, -2.6, 4503599627370495.5,
                                -0.0, 1e300, 0.1};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        double a = in[i];
        printf("x=%.17g floor=%a ceil=%a round=%a trunc=%a roundeven=%a lround=%ld\n", a, floor(a), ceil(a),
               round(a), trunc(a), roundeven(a), fabs(a) < 1e18 ? lround(a) : 0L);
    }
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        printf("mode %-10s getround ok=%d:", mode_names[m], fegetround() == modes[m]);
        volatile double one = 1.0, three = 3.0;
        printf(" 1/3=%a -1/3=%a", one / three, -one / three);
        for (size_t i = 0; i < 9; i++)
            printf(" rint(%g)=%g/%ld", in[i], rint(in[i]), lrint(in[i]));
        printf(" nearbyint(2.5)=%g llrint(-2.5)=%lld", nearbyint(2.5), llrint(-2.5));
        volatile float ff = 1.0f;
        printf(" 1f/3f=%a (float)0.1=%a (float)DBL_MAX=%a\n", (double)(ff / 3.0f), (double)(float)dv[4],
               (double)(float)dv[7]);
        feclearexcept(FE_ALL_EXCEPT);
        volatile double big = DBL_MAX;
        volatile double over = big * 2.0;
        printf("  DBL_MAX*2=%a %s", over, flags());
        feclearexcept(FE_ALL_EXCEPT);
        volatile double tiny = DBL_MIN;
        volatile double under = tiny / 3.0;
        printf(" DBL_MIN/3=%a %s\n", under, flags());
    }
    fesetround(FE_TONEAREST);
}

static void flags_tests(void) {
    printf("== exception flags\n");
    volatile double zero = 0.0, one = 1.0, three = 3.0, inf = INFINITY, big = DBL_MAX, nan = NAN;
    volatile double r;
    feclearexcept(FE_ALL_EXCEPT);
    r = one / zero;
    printf("1/0=%a %s\n", r, flags());
    feclearexcept(FE_ALL_EXCEPT);
    r = zero / zero;
    printf("0/0 bits=%016" PRIx64 " %s\n", dbits(r), flags());
    feclearexcept(FE_ALL_EXCEPT);
    r = inf - inf;
    printf("inf-inf bits=%016" PRIx64 " %s\n", dbits(r), flags());
    feclearexcept(FE_ALL_EXCEPT);
    r = one / three;
    printf("1/3 %s\n", flags());
    feclearexcept(FE_ALL_EXCEPT);
    r = big + big;
    printf("MAX+MAX %s\n", flags());
    feclearexcept(FE_ALL_EXCEPT);
    r = sqrt(-one);
    printf("sqrt(-1) bits=%016" PRIx64 " %s\n", dbits(r), flags());
    feclearexcept(FE_ALL_EXCEPT);
    r = nan + one;
    printf("qnan+1 %s\n", flags());
    feclearexcept(FE_ALL_EXCEPT);
    int c = nan < one;
    printf("qnan<1=%d %s\n", c, flags());
    feclearexcept(FE_ALL_EXCEPT);
    c = isless(nan, one);
    printf("isless(qnan,1)=%d %s\n", c, flags());
    feclearexcept(FE_ALL_EXCEPT);
    r = (double)(float)(double)16777217.0;
    printf("(float)16777217 %s\n", flags());
    /* NaN propagation: payload of the first NaN operand is kept (quieted). */
    double n1, n2;
    uint64_t b1 = 0x7ff8000000000123ULL, b2 = 0xfff8000000000456ULL;
    memcpy(&n1, &b1, 8);
    memcpy(&n2, &b2, 8);
    volatile double vn1 = n1, vn2 = n2;
    r = vn1 + vn2;
    printf("nan(123)+nan(-456) bits=%016" PRIx64, dbits(r));
    r = vn2 * one;
    printf(" nan(-456)*1 bits=%016" PRIx64, dbits(r));
    r = -vn1;
    printf(" -nan(123) bits=%016" PRIx64 "\n", dbits(r));
}

static void conversions(void) {
    printf("== conversions\n");
    static volatile double cd[] = {0.0, -0.0, 0.9999999999999999, -0.9999999999999999, 2147483647.9, -2147483648.9,
                                   4294967295.5, 9223372036854774784.0, -9223372036854775808.0,
                                   18446744073709549568.0, 1e-310, -1.5, 123456789.987654321};
    for (size_t i = 0; i < sizeof cd / sizeof cd[0]; i++) {
        double d = cd[i];
        printf("%.17g ->", d);
        if (d > -2147483649.0 && d < 2147483648.0)
            printf(" int=%d", (int)d);
        if (d > -1.0 && d < 4294967296.0)
            printf(" uint=%u", (unsigned)d);
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            printf(" i64=%" PRId64, (int64_t)d);
        if (d > -1.0 && d < 18446744073709551616.0)
            printf(" u64=%" PRIu64, (uint64_t)d);
        printf(" float=%a\n", (double)(float)d);
    }
    static volatile int64_t ci[] = {0, 1, -1, 16777217, -16777217, 9007199254740993LL, INT64_MAX, INT64_MIN,
                                    (int64_t)0x8000008000000001ULL};
    for (size_t i = 0; i < sizeof ci / sizeof ci[0]; i++) {
        int64_t v = ci[i];
        printf("%" PRId64 " -> double=%a float=%a (u64)->double=%a (u64)->float=%a (i32)->float=%a (u32)->double=%a\n",
               v, (double)v, (double)(float)v, (double)(uint64_t)v, (double)(float)(uint64_t)v, (double)(float)(int32_t)v,
               (double)(uint32_t)v);
    }
    printf("(double)FLT_MAX=%a (float)1e39=%a (float)1e-46=%a (float)-1e-46=%a\n", (double)fv[7],
           (double)(float)(dv[6] * 1e-269), (double)(float)(dv[8] * 1e262), (double)(float)(-dv[8] * 1e262));
}

int main(void) {
    arithmetic();
    libm();
    rounding();
    flags_tests();
    conversions();
    return 0;
}
