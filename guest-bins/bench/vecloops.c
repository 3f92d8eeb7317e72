// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: vectorisable loops (-O3): saxpy/daxpy, element-wise float/double/int, int dot product
// bench-cflags: -O3
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 4096

static float fx[N], fy[N];
static double dx[N], dy[N];
static int32_t ix[N], iy[N], iz[N];

__attribute__((noinline)) static void saxpy(float *restrict y, const float *restrict x, float a, float b) {
    for (int i = 0; i < N; i++) y[i] = a * x[i] + b * y[i];
}

__attribute__((noinline)) static void daxpy(double *restrict y, const double *restrict x, double a, double b) {
    for (int i = 0; i < N; i++) y[i] = a * x[i] + b * y[i];
}

__attribute__((noinline)) static void fclamp(float *restrict y, const float *restrict x) {
    for (int i = 0; i < N; i++) {
        float v = y[i] * x[i];
        y[i] = v > 1.0f ? 1.0f : v < -1.0f ? -1.0f : v;
    }
}

__attribute__((noinline)) static void imix(int32_t *restrict z, const int32_t *restrict x, const int32_t *restrict y) {
    for (int i = 0; i < N; i++) z[i] = (x[i] ^ y[i]) + (x[i] >> 3) - (int32_t)((uint32_t)y[i] << 2);
}

__attribute__((noinline)) static uint32_t idot(const int32_t *restrict x, const int32_t *restrict y) {
    uint32_t s = 0;
    for (int i = 0; i < N; i++) s += (uint32_t)x[i] * (uint32_t)y[i];
    return s;
}

/* Four explicit partial sums: the order of additions is fixed by the source on every target. */
__attribute__((noinline)) static double ddot4(const double *restrict x, const double *restrict y) {
    double s[4] = {0, 0, 0, 0};
    for (int i = 0; i < N; i += 4)
        for (int j = 0; j < 4; j++) s[j] += x[i + j] * y[i + j];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

int main(int argc, char **argv) {
    long reps = argc > 1 ? atol(argv[1]) : 6000;
    uint32_t s = 1;
    for (int i = 0; i < N; i++) {
        s = s * 1664525u + 1013904223u;
        fx[i] = (float)(int32_t)(s >> 8) / 8388608.0f;
        dx[i] = (double)(int32_t)s / 2147483648.0;
        ix[i] = (int32_t)s;
        s = s * 1664525u + 1013904223u;
        fy[i] = (float)(int32_t)(s >> 8) / 8388608.0f;
        dy[i] = (double)(int32_t)s / 2147483648.0;
        iy[i] = (int32_t)s;
    }
    uint32_t isum = 0;
    double dsum = 0;
    for (long r = 0; r < reps; r++) {
        saxpy(fy, fx, 0.25f, 0.75f);
        daxpy(dy, dx, 0.5, 0.5);
        fclamp(fy, fx);
        imix(iz, ix, iy);
        isum += idot(iz, iy);
        dsum += ddot4(dx, dy);
        ix[r % N] ^= (int32_t)isum;
    }
    uint64_t h = 1469598103934665603ull;
    h = hash_bytes(h, fy, sizeof fy);
    h = hash_bytes(h, dy, sizeof dy);
    h = hash_bytes(h, iz, sizeof iz);
    unsigned long long dbits;
    memcpy(&dbits, &dsum, 8);
    printf("vecloops reps=%ld idot=%08x ddot=%016llx checksum=%016llx\n", reps, isum, dbits, (unsigned long long)h);
    return 0;
}
