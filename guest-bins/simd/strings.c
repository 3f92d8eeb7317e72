/* glibc string functions (vectorised with AdvSIMD on aarch64) over sizes 0..300 and all 16
 * source/destination alignments; prints one checksum per function and a total. The output
 * must be identical under qemu-aarch64, this emulator and a native x86_64 build. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAXN 300
static unsigned char srcbuf[MAXN + 64], dstbuf[MAXN + 64], tmp[MAXN + 64];
static uint64_t sums[12];

static void mix(int k, uint64_t v) { sums[k] = (sums[k] ^ v) * 0x100000001b3ULL + 0x9e37; }

static void fill(unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(1 + (seed >> 16) % 255); /* never 0 */
    }
}

static uint64_t hash(const unsigned char *p, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static long off(const void *p, const void *base) { return p ? (long)((const char *)p - (const char *)base) : -1; }
static int sgn(int x) { return (x > 0) - (x < 0); }

int main(void) {
    for (size_t n = 0; n <= MAXN; n++) {
        for (int sa = 0; sa < 16; sa++) {
            for (int da = 0; da < 16; da++) {
                unsigned seed = (unsigned)(n * 256 + sa * 16 + da);
                unsigned char *s = srcbuf + sa, *d = dstbuf + da;
                fill(srcbuf, sizeof srcbuf, seed);
                fill(dstbuf, sizeof dstbuf, seed ^ 0x5555);
                memcpy(d, s, n);
                mix(0, hash(dstbuf, sizeof dstbuf));
                memset(d, (int)(seed & 0xff), n);
                mix(1, hash(dstbuf, sizeof dstbuf));
                /* memmove both ways inside one buffer */
                fill(tmp, sizeof tmp, seed);
                memmove(tmp + da, tmp + sa, n > MAXN + 48 ? 0 : n);
                mix(2, hash(tmp, sizeof tmp));
                /* memcmp: equal, then differing at a position */
                memcpy(d, s, n);
                int c1 = memcmp(d, s, n);
                if (n) d[(seed >> 3) % n] ^= 0x40;
                int c2 = n ? memcmp(d, s, n) : 0;
                mix(3, (uint64_t)(sgn(c1) + 2) * 4 + (uint64_t)(sgn(c2) + 2));
                /* strings: NUL-terminate the source at n */
                if (da == 0) {
                    unsigned char save = s[n];
                    s[n] = 0;
                    mix(4, strlen((char *)s));
                    mix(5, strnlen((char *)s, n / 2 + sa));
                    int ch = s[n ? (seed >> 5) % n : 0];
                    mix(6, (uint64_t)off(strchr((char *)s, ch), s));
                    mix(6, (uint64_t)off(strchr((char *)s, 0), s));
                    mix(7, (uint64_t)off(strrchr((char *)s, ch), s));
                    mix(8, (uint64_t)off(memchr(s, ch, n), s));
                    mix(8, (uint64_t)off(memchr(s, 0x100 - 1, n), s));
                    strcpy((char *)d, (char *)s);
                    mix(9, hash(dstbuf, sizeof dstbuf));
                    mix(10, (uint64_t)(sgn(strcmp((char *)d, (char *)s)) + 2));
                    if (n) d[(seed >> 7) % n] = (unsigned char)(1 + (seed % 254));
                    mix(10, (uint64_t)(sgn(strcmp((char *)d, (char *)s)) + 2));
                    mix(11, (uint64_t)(sgn(strncmp((char *)d, (char *)s, n / 2)) + 2));
                    mix(11, (uint64_t)(sgn(strncmp((char *)d, (char *)s, n + 1)) + 2));
                    s[n] = save;
                }
            }
        }
    }
    static const char *names[12] = {"memcpy", "memset", "memmove", "memcmp", "strlen", "strnlen",
                                    "strchr", "strrchr", "memchr", "strcpy", "strcmp", "strncmp"};
    uint64_t total = 0;
    for (int k = 0; k < 12; k++) {
        printf("%-8s %016llx\n", names[k], (unsigned long long)sums[k]);
        total ^= sums[k];
    }
    printf("total    %016llx\n", (unsigned long long)total);
    return 0;
}
