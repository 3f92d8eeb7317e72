// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: integer kernel: sieve of Eratosthenes over 2 million bytes, repeated
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    long reps = argc > 1 ? atol(argv[1]) : 20;
    const long n = 2000000;
    unsigned char *s = malloc(n + 1);
    if (!s) return 1;
    uint64_t sum = 0;
    long count = 0;
    for (long r = 0; r < reps; r++) {
        memset(s, 1, n + 1);
        s[0] = s[1] = 0;
        for (long i = 2; i * i <= n; i++)
            if (s[i])
                for (long j = i * i; j <= n; j += i) s[j] = 0;
        count = 0;
        for (long i = 0; i <= n; i++)
            if (s[i]) {
                count++;
                sum += (uint64_t)i ^ (uint64_t)r;
            }
    }
    printf("sieve reps=%ld primes=%ld checksum=%016llx\n", reps, count, (unsigned long long)sum);
    free(s);
    return 0;
}
