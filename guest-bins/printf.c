/* printf and strtod: integer conversions with every length modifier, flags, widths and
 * precisions; doubles with %f %e %g %a at the values where formatting is hard (subnormals,
 * extremes, rounding boundaries, signed zero, inf, nan); strtod round trips of tricky decimal
 * strings (each must give back the same bits when printed with %.17g and re-read).
 * glibc formats doubles with exact multi-precision arithmetic, so this leans hard on integer
 * multiply/divide, shifts and carries in the guest. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double from_bits(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void ints(void) {
    printf("== integers\n");
    printf("[%d] [%i] [%d] [%d]\n", 0, -1, INT32_MAX, INT32_MIN);
    printf("[%u] [%x] [%X] [%o]\n", -1, -1, -255, -8);
    printf("[%hhd] [%hhu] [%hhx] [%hd] [%hu] [%hx]\n", 300, -1, 0x1ff, 70000, -1, -2);
    printf("[%ld] [%lu] [%lx] [%lo]\n", (long)INT64_MIN, (unsigned long)-1L, (long)INT64_MIN, (long)-1);
    printf("[%lld] [%llu] [%llx]\n", (long long)INT64_MAX, (unsigned long long)INT64_MIN, 0x0123456789abcdefLL);
    printf("[%jd] [%ju] [%zd] [%zu] [%td]\n", (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (ssize_t)-5, (size_t)SIZE_MAX,
           (ptrdiff_t)-77);
    printf("[%" PRId64 "] [%" PRIu64 "] [%" PRIx64 "] [%" PRIo64 "]\n", INT64_MIN, UINT64_MAX, (uint64_t)INT64_MIN,
           UINT64_MAX);
    printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d] [%-+5d]\n", 42, 42, 42, 42, 42, -42, 42);
    printf("[%.0d] [%.3d] [%8.3d] [%-8.3d] [%8.3x] [%.0x]\n", 0, 7, -7, 7, 0xab, 0);
    printf("[%#x] [%#X] [%#o] [%#o] [%#x] [%#.3o]\n", 255, 255, 8, 0, 0, 8);
    printf("[%*d] [%-*d] [%.*d] [%*.*d]\n", 6, 1, 6, 2, 4, 3, 7, 5, -4);
    printf("[%c] [%5c] [%-3c] [%%] [%s] [%.3s] [%7.2s] [%-7s]\n", 'A', 'b', 'c', "str", "abcdef", "xyz", "left");
    printf("[%p] [%p]\n", (void *)0x1234, (void *)0);
    int n1 = 0, n2 = 0;
    printf("abc%nde%nf\n", &n1, &n2);
    printf("%%n: %d %d\n", n1, n2);
    char buf[16];
    int r = snprintf(buf, sizeof buf, "%d-%d-%d-%d", 123456, 789012, 345678, 901234);
    printf("snprintf truncated to [%s], returned %d\n", buf, r);
    /* A long run of conversions summed, to exercise many digit counts. */
    uint64_t sum = 0;
    for (int64_t v = 1; v > 0 && v < INT64_MAX / 3; v = v * 3 + 1) {
        char t[64];
        sum = sum * 31 + (uint64_t)snprintf(t, sizeof t, "%" PRId64 "|%" PRIx64 "|%" PRIo64, -v, (uint64_t)v, (uint64_t)v);
        for (char *c = t; *c; c++)
            sum = sum * 131 + (unsigned char)*c;
    }
    printf("digit-count checksum: %016" PRIx64 "\n", sum);
}

static const double specials[] = {
    0.0, 1.0, -1.0, 0.1, 0.5, 1.0 / 3.0, 2.0 / 3.0, 123.456, 1e300, -1e300, 1e-300, 1e-310, 5e-324, 1e21, 1e22, 1e23,
    9007199254740992.0, 9007199254740993.0, 4503599627370495.5, 0.3, 2.5, 3.5, -2.5, 0.125, 0.375, 1.5e-5, 123456789012345678.0,
    DBL_MAX, DBL_MIN, DBL_EPSILON, 1.0 + DBL_EPSILON, 1.0 - DBL_EPSILON / 2, 9.5, 0.05, 0.15, 0.25, 0.35, 1e15, 1e16,
    1e17, 999999.5, 9999999.5, 0.999999999, 99.995, 1.005, 2.675,
};

static void doubles(void) {
    printf("== doubles\n");
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) {
        double d = specials[i];
        printf("%016" PRIx64 " %%g=%g %%e=%e %%.17g=%.17g %%a=%a\n", bits(d), d, d, d, d);
        printf("  %%f=%f %%.0f=%.0f %%.2f=%.2f %%.3e=%.3e %%.0e=%.0e %%#.0f=%#.0f %%G=%G %%A=%A\n", d, d, d, d, d, d, d, d);
    }
    printf("[%f] [%e] [%g] [%a]\n", -0.0, -0.0, -0.0, -0.0);
    printf("[%f] [%F] [%e] [%g] [%a] [%5f] [%-6f|]\n", INFINITY, INFINITY, -INFINITY, INFINITY, -INFINITY, INFINITY,
           INFINITY);
    printf("[%f] [%F] [%e] [%g] [%a]\n", NAN, NAN, NAN, NAN, NAN);
    printf("[%+f] [% f] [%010.3f] [%-10.3f] [%+.3e] [%#g] [%#.3g] [%.0g] [%.1g]\n", 3.14159, 3.14159, -3.14159, 3.14159,
           31415.9, 1.0, 1.0, 0.5, 0.05);
    printf("[%.20f] [%.30e] [%.60f]\n", 0.1, 0.1, 1e-50);
    printf("[%.0f] [%.0f] [%.0f] [%.0f] [%.0f]\n", 0.5, 1.5, 2.5, -0.5, -1.5);
    printf("[%.1f] [%.1f] [%.1f] [%.2f] [%.2f]\n", 0.05, 0.15, 0.25, 1.005, 1.015);
    printf("[%.13a] [%.1a] [%.0a] [%a] [%a]\n", 1.0, 1.96875, 1.5, from_bits(1), from_bits(0x000fffffffffffffULL));
    printf("[%f] [%.3f]\n", (double)FLT_MAX, (double)FLT_MIN);
    printf("%.400f\n", DBL_MIN);
    printf("%.17g %.17g\n", from_bits(0x7fefffffffffffffULL), from_bits(0x0010000000000001ULL));
    /* long double is IEEE binary128 on aarch64 and x87 extended on x86_64: only values exact in
     * both print identically, and they still exercise glibc's soft-float quad code on aarch64. */
    printf("[%Lf] [%Lg] [%.3Le] [%Lf]\n", 1.5L, 1024.0L * 1024.0L * 1024.0L * 1024.0L, -0.375L, 18446744073709551616.0L);
    float f = 16777217.0f;
    printf("[%f] [%.9g] [%a]\n", f, 0.1f, 0.1f);
}

static const char *const decimals[] = {
    "0", "-0", "1", "0.1", "0.2", "0.3", "1e23", "8.5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
    "4.9406564584124654e-324", "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
    "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "9007199254740993",
    "9007199254740992.9999999999999999999", "123456789012345678901234567890", "0.000000000000000000000000000001",
    "3.141592653589793238462643383279502884197", "2.718281828459045", "1e-400", "1e400", "-1e400", "inf", "-Infinity",
    "nan", "0x1.8p1", "0x1p-1074", "0x1.fffffffffffffp1023", "  +12.5e+2xyz", "1.e5", ".5", "5.", "0.5e",
    "100000000000000016777215", "100000000000000016777216", "7.038531e-26", "4.35e-13", "69e+267", "999999999999999999e-2",
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126",
};

static void strtod_trips(void) {
    printf("== strtod\n");
    for (size_t i = 0; i < sizeof decimals / sizeof decimals[0]; i++) {
        char *end;
        double d = strtod(decimals[i], &end);
        char back[64];
        snprintf(back, sizeof back, "%.17g", d);
        double again = strtod(back, NULL);
        int same = bits(again) == bits(d) || (isnan(d) && isnan(again));
        printf("%-45s -> %016" PRIx64 " %-24s consumed=%d roundtrip=%s\n", decimals[i], bits(d), back,
               (int)(end - decimals[i]), same ? "ok" : "FAIL");
    }
    float f = strtof("16777217", NULL);
    printf("strtof(16777217)=%.9g strtof(1e-46)=%g strtof(3.4028236e38)=%g\n", f, strtof("1e-46", NULL),
           strtof("3.4028236e38", NULL));
    /* Round trips of pseudo-random bit patterns: print shortest-safe (%.17g), read back. */
    uint64_t x = 0x9e3779b97f4a7c15ULL, fails = 0, h = 0;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d = from_bits(x);
        if (isnan(d))
            continue;
        char t[64];
        snprintf(t, sizeof t, "%.17g", d);
        if (bits(strtod(t, NULL)) != bits(d))
            fails++;
        for (char *c = t; *c; c++)
            h = h * 1099511628211ULL ^ (unsigned char)*c;
    }
    printf("random round trips: failures=%" PRIu64 " checksum=%016" PRIx64 "\n", fails, h);
}

int main(void) {
    ints();
    doubles();
    strtod_trips();
    return 0;
}
