// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: integer kernel: xorshift64* generator, 64-bit multiply/rotate/shift mixing, divisions
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 60000000;
    uint64_t s = 0x9e3779b97f4a7c15ull, acc = 0, acc2 = 0;
    uint32_t h = 2166136261u;
    for (long i = 0; i < n; i++) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        uint64_t r = s * 0x2545f4914f6cdd1dull;
        acc += mix(r) ^ rotl(acc, 17);
        h = (h ^ (uint32_t)r) * 16777619u;
        if ((r & 15) == 0) acc2 += r / ((r >> 40) | 1);
    }
    printf("xorshift n=%ld checksum=%016llx %016llx %08x\n", n, (unsigned long long)acc,
           (unsigned long long)acc2, h);
    return 0;
}
