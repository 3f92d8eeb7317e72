// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: libm heavy: sin/exp/log/pow/atan2/sqrt, floor/round/lrint and float<->double/int conversions, double and float
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 600000;
    double s = 0;
    float f = 0;
    long li = 0;
    for (int i = 1; i <= n; i++) {
        double x = i * 1e-3;
        float y = (float)x;
        s += sin(x) + exp(-x) + log(x) + pow(x, 0.3) + floor(x * 1.5) + sqrt(x) + atan2(x, 3.0);
        f += sinf(y) + expf(-y) + logf(y) + floorf(y) + (float)fmax(x, 2.0) + fminf(y, 3.0f) + roundf(y);
        li += lrint(x * 7.3) + (long)(x * 2.5) + (unsigned)(y * 3.f) + lround(x * 0.7);
        f += (float)(s * 1e-9);
    }
    uint64_t sb;
    uint32_t fb;
    memcpy(&sb, &s, 8);
    memcpy(&fb, &f, 4);
    printf("libm n=%d s=%.17g f=%.9g li=%ld bits=%016llx %08x\n", n, s, f, li, (unsigned long long)sb, fb);
    return 0;
}
