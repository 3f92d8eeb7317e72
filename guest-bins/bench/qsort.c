// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: library calls: qsort of 1M 64-bit keys through a comparison callback, repeated
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    long reps = argc > 1 ? atol(argv[1]) : 1;
    const size_t n = 1 << 20;
    uint64_t *v = malloc(n * sizeof *v);
    if (!v) return 1;
    uint64_t s = 0xdeadbeefcafef00dull, h = 0;
    int sorted = 1;
    for (long r = 0; r < reps; r++) {
        for (size_t i = 0; i < n; i++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            v[i] = s % 1000003;
        }
        qsort(v, n, sizeof *v, cmp);
        for (size_t i = 1; i < n; i++) sorted &= v[i - 1] <= v[i];
        for (size_t i = 0; i < n; i += 4099) h = h * 31 + v[i];
    }
    printf("qsort reps=%ld sorted=%d checksum=%016llx\n", reps, sorted, (unsigned long long)h);
    free(v);
    return sorted ? 0 : 1;
}
