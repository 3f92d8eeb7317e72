// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: printf heavy: snprintf of integers and doubles (%d %x %lu %f %e %g) into a buffer
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long reps = argc > 1 ? atol(argv[1]) : 100000;
    char buf[256];
    uint64_t h = 1469598103934665603ull, total = 0;
    uint64_t s = 0x123456789abcdefull;
    for (long r = 0; r < reps; r++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double d = (double)(int64_t)s / 3.0e12;
        int len = snprintf(buf, sizeof buf, "%d %x %lu|%.6f %e %g %.17g", (int)s, (unsigned)(s >> 32),
                           (unsigned long)(s >> 3), d, d * 1e-7, d / 7.0, d);
        total += (uint64_t)len;
        for (int i = 0; i < len; i++) h = (h ^ (unsigned char)buf[i]) * 1099511628211ull;
    }
    printf("sprintf reps=%ld last=\"%s\" bytes=%llu checksum=%016llx\n", reps, buf, (unsigned long long)total,
           (unsigned long long)h);
    return 0;
}
