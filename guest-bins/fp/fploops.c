// Scalar FP loops whose values stay in host registers across iterations (the JIT's
// V-register cache, src/jit/vcache.rs): loop-carried values, NaNs and infinities appearing in
// the middle of a loop (slow paths inside it), FPCR changed inside a loop, helper-only
// instructions (FMADD, FCVT, FRINT) between cached ones, if-thens with FP work in the
// skipped part, and FP compares steering the loop. Every result is printed as bits.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint32_t b32(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
static uint64_t b64(double f) { uint64_t b; memcpy(&b, &f, 8); return b; }
static uint64_t get_fpsr(void) { uint64_t r; __asm__ volatile("mrs %0, fpsr" : "=r"(r)); return r; }
static void set_fpsr(uint64_t r) { __asm__ volatile("msr fpsr, %0" ::"r"(r)); }
static void set_fpcr(uint64_t r) { __asm__ volatile("msr fpcr, %0" ::"r"(r)); }

__attribute__((noinline)) static int mandel(float cr, float ci, int max) {
    float zr = 0, zi = 0, zr2 = 0, zi2 = 0;
    int it = 0;
    while (it < max && zr2 + zi2 <= 4.0f) {
        zi = 2.0f * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr;
        zi2 = zi * zi;
        it++;
    }
    return it;
}

// grows to infinity, then inf - inf = NaN: slow paths in the middle of the loop
__attribute__((noinline)) static double blowup(double x, int n) {
    double a = x, b = 1.0;
    for (int i = 0; i < n; i++) {
        a = a * a + b;
        b = a - b * 0.5;
    }
    return a + b;
}

__attribute__((noinline)) static float nanloop(float x, int n) {
    float acc = 0.0f, y = x;
    for (int i = 0; i < n; i++) {
        y = y * 1.5f - 2.0f;
        if (y > 100.0f) y = y - y * 1e30f * 1e30f; // inf * ... then y - inf
        acc = acc + y;
    }
    return acc;
}

// fmadd (helper) and fcvt/frint between cached operations
__attribute__((noinline)) static double mixed(double x, int n) {
    double s = 0.0, t = x;
    float f = (float)x;
    for (int i = 0; i < n; i++) {
        t = fma(t, 0.999, 0.001);
        f = f * 1.0001f + (float)t;
        s = s + (double)f / (t + 1.0);
        s = s - floor(s / 1000.0) * 7.0;
    }
    return s + f;
}

__attribute__((noinline)) static double skips(double x, int n) {
    double a = x, b = 0.25, c = 0.0;
    for (int i = 0; i < n; i++) {
        if (a > b) a = a - b * 3.0;
        c = c + a * b;
        if (c < 0.0) c = -c;
        b = b + 0.125 / (i + 1);
        a = a + 1.0;
    }
    return a + b + c;
}

__attribute__((noinline)) static double sqrts(double x, int n) {
    double s = 0.0, d = x;
    for (int i = 0; i < n; i++) {
        d = d - 0.37;
        s = s + sqrt(d); // negative d: NaN from the helper, then NaN propagates
        if (s != s) { s = 0.0; d = d + 100.0; }
    }
    return s + d;
}

// FPCR.FZ turned on half way: the inline paths must notice every time
__attribute__((noinline)) static float fzloop(int n) {
    float a = 1e-37f, acc = 0.0f;
    for (int i = 0; i < n; i++) {
        if (i == n / 2) set_fpcr(1 << 24);
        a = a * 0.5f;
        acc = acc + a * 1e30f;
    }
    set_fpcr(0);
    return acc + a;
}

// FP compares steering branches and selects, with NaNs among the operands (the inline
// compare's slow path must leave the host flags a fused branch reads) and FZ set half way
__attribute__((noinline)) static uint64_t compares(const double *v, int n) {
    uint64_t h = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double a = v[i], b = v[j];
            if (i == n / 2 && j == 0) set_fpcr(1 << 24);
            h = h * 31 + (a <= b) + 2 * (a < b) + 4 * (a > b) + 8 * (a >= b) + 16 * (a == b) + 32 * (a != b);
            if (a <= b) h += 64;
            if (a < b) h ^= 0x55;
            if (!(a >= b)) h += 7;
            if (!(a > b)) h ^= 0x1234;
            float fa = (float)a, fb = (float)b;
            h += fa < fb ? 3 : 5;
            if (fa <= fb) h = h * 3;
        }
    set_fpcr(0);
    return h;
}

int main(void) {
    uint64_t h = 1469598103934665603ull;
    for (int y = 0; y < 24; y++)
        for (int x = 0; x < 40; x++) h = (h ^ (uint64_t)mandel(-2.0f + x * 0.065f, -1.2f + y * 0.1f, 300)) * 1099511628211ull;
    printf("mandel %016llx\n", (unsigned long long)h);
    double inputs[] = {0.5, 1.5, -0.75, 1e-300, 3.0};
    for (int k = 0; k < 5; k++) {
        set_fpsr(0);
        uint64_t r = b64(blowup(inputs[k], 40));
        printf("blowup %016llx %02llx\n", (unsigned long long)r, (unsigned long long)get_fpsr());
        set_fpsr(0);
        uint32_t q = b32(nanloop((float)inputs[k], 60));
        printf("nanloop %08x %02llx\n", q, (unsigned long long)get_fpsr());
        set_fpsr(0);
        r = b64(mixed(inputs[k], 500));
        printf("mixed %016llx %02llx\n", (unsigned long long)r, (unsigned long long)get_fpsr());
        set_fpsr(0);
        r = b64(skips(inputs[k], 300));
        printf("skips %016llx %02llx\n", (unsigned long long)r, (unsigned long long)get_fpsr());
        set_fpsr(0);
        r = b64(sqrts(inputs[k] + 2.0, 200));
        printf("sqrts %016llx %02llx\n", (unsigned long long)r, (unsigned long long)get_fpsr());
    }
    static const double cv[] = {0.0, -0.0, 1.0, -1.0, 1e-310, -1e-310, 1e300, __builtin_inf(), -__builtin_inf(),
                                __builtin_nan(""), -__builtin_nan(""), __builtin_nans(""), 2.5, 1e-40};
    set_fpsr(0);
    uint64_t ch = compares(cv, sizeof cv / sizeof cv[0]);
    printf("compares %016llx %02llx\n", (unsigned long long)ch, (unsigned long long)get_fpsr());
    set_fpsr(0);
    uint32_t z = b32(fzloop(100));
    printf("fzloop %08x %02llx\n", z, (unsigned long long)get_fpsr());
    return 0;
}
