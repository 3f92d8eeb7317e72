// xtask: cflags -O3 -ffp-contract=off
/* Autovectorised loops (built with -O3) over int8..int64, float, double and complex: sums,
 * saxpy, dot products, min/max, conversions, shifts and saturating-style clamps. The output
 * must equal the native x86_64 build's. */
#include <complex.h>
#include <stdint.h>
#include <stdio.h>

#define N 1003

static int8_t i8a[N], i8b[N];
static int16_t i16a[N], i16b[N];
static int32_t i32a[N], i32b[N];
static int64_t i64a[N], i64b[N];
static uint8_t u8a[N];
static float fa[N], fb[N];
static double da[N], db[N];
static double complex ca[N], cb[N];

__attribute__((noinline)) static int64_t sum8(void) {
    int64_t s = 0;
    for (int i = 0; i < N; i++) s += (int8_t)(i8a[i] * i8b[i] + (i8a[i] >> 2));
    return s;
}
__attribute__((noinline)) static int64_t sum16(void) {
    int64_t s = 0;
    for (int i = 0; i < N; i++) s += (int16_t)(i16a[i] * i16b[i]) ^ (i16a[i] << 3);
    return s;
}
__attribute__((noinline)) static int64_t sum32(void) {
    int64_t s = 0;
    for (int i = 0; i < N; i++) s += (int64_t)i32a[i] * i32b[i];
    return s;
}
__attribute__((noinline)) static uint64_t mix64(void) {
    uint64_t s = 0;
    for (int i = 0; i < N; i++) s += (uint64_t)(i64a[i] * i64b[i]) ^ ((uint64_t)i64a[i] >> 7);
    return s;
}
__attribute__((noinline)) static void saxpy(float a) {
    for (int i = 0; i < N; i++) fb[i] = a * fa[i] + fb[i];
}
__attribute__((noinline)) static double dot(void) {
    double s = 0;
    for (int i = 0; i < N; i++) s += da[i] * db[i];
    return s;
}
__attribute__((noinline)) static void minmax(int32_t *mn, int32_t *mx) {
    int32_t a = INT32_MAX, b = INT32_MIN;
    for (int i = 0; i < N; i++) {
        a = i32a[i] < a ? i32a[i] : a;
        b = i32a[i] > b ? i32a[i] : b;
    }
    *mn = a;
    *mx = b;
}
__attribute__((noinline)) static void clamp(void) {
    for (int i = 0; i < N; i++) {
        int v = i16a[i] / 4 + 100;
        u8a[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
}
__attribute__((noinline)) static void convert(void) {
    for (int i = 0; i < N; i++) {
        da[i] = (double)i32a[i] * 0.5 + fa[i];
        i32b[i] = (int32_t)(fb[i] * 3.0f);
    }
}
__attribute__((noinline)) static double complex cdot(void) {
    double complex s = 0;
    for (int i = 0; i < N; i++) s += ca[i] * cb[i];
    return s;
}

int main(void) {
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        i8a[i] = (int8_t)(x >> 24);
        i8b[i] = (int8_t)(x >> 16);
        i16a[i] = (int16_t)(x >> 8);
        i16b[i] = (int16_t)x;
        i32a[i] = (int32_t)x;
        i32b[i] = (int32_t)(x ^ 0x5a5a5a5a);
        i64a[i] = (int64_t)x << 20 | i;
        i64b[i] = -(int64_t)i * 7919;
        fa[i] = (float)(int16_t)(x >> 3) / 64.0f;
        fb[i] = (float)i / 3.0f;
        da[i] = (double)(int32_t)x / 1024.0;
        db[i] = 1.0 / (i + 1);
        ca[i] = da[i] + I * db[i];
        cb[i] = db[i] - I * (double)i;
    }
    printf("sum8 %lld\n", (long long)sum8());
    printf("sum16 %lld\n", (long long)sum16());
    printf("sum32 %lld\n", (long long)sum32());
    printf("mix64 %llu\n", (unsigned long long)mix64());
    saxpy(1.5f);
    double fs = 0;
    for (int i = 0; i < N; i++) fs += fb[i];
    printf("saxpy %.9g\n", fs);
    printf("dot %.17g\n", dot());
    int32_t mn, mx;
    minmax(&mn, &mx);
    printf("minmax %d %d\n", mn, mx);
    clamp();
    unsigned cs = 0;
    for (int i = 0; i < N; i++) cs = cs * 31 + u8a[i];
    printf("clamp %u\n", cs);
    convert();
    double cv = 0;
    int64_t iv = 0;
    for (int i = 0; i < N; i++) {
        cv += da[i];
        iv += i32b[i];
    }
    printf("convert %.17g %lld\n", cv, (long long)iv);
    double complex c = cdot();
    printf("cdot %.17g %.17g\n", creal(c), cimag(c));
    return 0;
}
