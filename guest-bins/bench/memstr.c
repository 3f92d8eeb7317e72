// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: string.h heavy: memcpy/memmove/memset/memcmp/memchr/strlen/strchr/strcpy of varied sizes
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    long reps = argc > 1 ? atol(argv[1]) : 2000000;
    const size_t n = 1 << 16;
    char *a = malloc(n + 64), *b = malloc(n + 64);
    if (!a || !b) return 1;
    uint32_t s = 7;
    for (size_t i = 0; i < n + 64; i++) {
        s = s * 1103515245u + 12345u;
        a[i] = (char)('a' + (s >> 16) % 26);
    }
    /* NUL terminators at pseudo-random places make strings of many lengths. */
    for (size_t i = 0; i < n; i += 1 + (i * 7919) % 300) a[i] = 0;
    memset(b, 'x', n + 64);
    uint64_t sum = 0;
    for (long r = 0; r < reps; r++) {
        s = s * 1103515245u + 12345u;
        size_t off = (s >> 8) % (n - 4096), len = (s >> 4) % 1024;
        size_t off2 = (s >> 12) % (n - 4096);
        memcpy(b + off2, a + off, len);
        sum += strlen(a + off);
        const char *c = strchr(a + off, 'q');
        sum += c ? (uint64_t)(c - a) : 1;
        sum += (uint64_t)(memcmp(a + off, b + off2, len) == 0);
        const char *m = memchr(b + off2, 'z', len);
        sum += m ? (uint64_t)(m - b) : 3;
        if ((r & 7) == 0) {
            memmove(b + off2 + 1, b + off2, len);
            memset(b + off2 + len, (int)(r & 0x7f) | 1, 64);
            strcpy(b + off, a + off);
        }
    }
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)b[i]) * 1099511628211ull;
    printf("memstr reps=%ld sum=%llu checksum=%016llx\n", reps, (unsigned long long)sum, (unsigned long long)h);
    free(a);
    free(b);
    return 0;
}
