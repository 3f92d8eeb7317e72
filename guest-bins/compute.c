/* Integer computation with known answers: table-driven CRC-32 (not the CRC32 instructions),
 * the sieve of Eratosthenes to 10^6 (78498 primes), SHA-256 of the FIPS 180 test messages
 * (including one million 'a'), and 64-bit integer edge cases: signed/unsigned multiply, divide
 * and modulo at the extremes (division by zero is avoided: it is undefined in C), 128-bit
 * products, shifts, rotates, popcount, clz/ctz, byte swaps and bit reversal. Known-answer checks
 * print OK/FAIL; the rest prints values. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static void check(const char *what, int ok) {
    printf("%-44s %s\n", what, ok ? "OK" : "FAIL");
    if (!ok)
        failures++;
}

/* ---- CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) ---- */
static uint32_t crc_table[256];
static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}
static uint32_t crc32(const void *data, size_t n) {
    const unsigned char *p = data;
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

/* ---- SHA-256 (FIPS 180-4) ---- */
typedef struct {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t fill;
} sha256;
static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};
static uint32_t ror32(uint32_t x, int r) { return (x >> r) | (x << (32 - r)); }
static void sha_block(sha256 *s, const unsigned char *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}
static void sha_init(sha256 *s) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->fill = 0;
}
static void sha_update(sha256 *s, const void *data, size_t n) {
    const unsigned char *p = data;
    s->len += n;
    while (n) {
        size_t k = 64 - s->fill < n ? 64 - s->fill : n;
        memcpy(s->buf + s->fill, p, k);
        s->fill += k;
        p += k;
        n -= k;
        if (s->fill == 64) {
            sha_block(s, s->buf);
            s->fill = 0;
        }
    }
}
static void sha_final(sha256 *s, char hex[65]) {
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80, zero = 0, lenb[8];
    sha_update(s, &pad, 1);
    while (s->fill != 56)
        sha_update(s, &zero, 1);
    for (int i = 0; i < 8; i++)
        lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha_update(s, lenb, 8);
    for (int i = 0; i < 8; i++)
        sprintf(hex + 8 * i, "%08" PRIx32, s->h[i]);
}
static void sha_check(const char *label, const void *msg, size_t n, size_t repeat, const char *want) {
    sha256 s;
    char hex[65];
    sha_init(&s);
    for (size_t i = 0; i < repeat; i++)
        sha_update(&s, msg, n);
    sha_final(&s, hex);
    printf("sha256(%s) = %s\n", label, hex);
    char what[64];
    snprintf(what, sizeof what, "sha256(%s) known answer", label);
    check(what, strcmp(hex, want) == 0);
}

/* ---- 64-bit integer edge cases, kept opaque to the optimizer ---- */
static volatile int64_t vs[] = {0, 1, -1, 2, -2, 3, 7, -7, 1000000007, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN,
                                INT64_MIN + 1, 0x5555555555555555LL, (int64_t)0xaaaaaaaaaaaaaaaaULL};
#define NV (int)(sizeof vs / sizeof vs[0])

static uint64_t rev64(uint64_t x) {
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        r |= ((x >> i) & 1) << (63 - i);
    return r;
}

static void integers(void) {
    uint64_t h = 0;
    for (int i = 0; i < NV; i++) {
        for (int j = 0; j < NV; j++) {
            int64_t a = vs[i], b = vs[j];
            uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
            uint64_t r[12];
            r[0] = ua * ub;
            r[1] = ua + ub;
            r[2] = ua - ub;
            r[3] = ub ? ua / ub : 0x1111;
            r[4] = ub ? ua % ub : 0x2222;
            /* INT64_MIN / -1 overflows (undefined in C): skipped. */
            int ok = b != 0 && !(a == INT64_MIN && b == -1);
            r[5] = ok ? (uint64_t)(a / b) : 0x3333;
            r[6] = ok ? (uint64_t)(a % b) : 0x4444;
            __int128 p = (__int128)a * b;
            unsigned __int128 up = (unsigned __int128)ua * ub;
            r[7] = (uint64_t)(p >> 64);
            r[8] = (uint64_t)(up >> 64);
            r[9] = (uint32_t)a * (uint32_t)b;
            int32_t a32 = (int32_t)a, b32 = (int32_t)b;
            r[10] = b32 == 0 || (a32 == INT32_MIN && b32 == -1) ? 0x5555 : (uint64_t)(a32 / b32);
            r[11] = (uint64_t)(a < b) | (uint64_t)(ua < ub) << 1 | (uint64_t)(a == b) << 2;
            for (int k = 0; k < 12; k++)
                h = (h ^ r[k]) * 0x100000001b3ULL;
        }
    }
    printf("mul/div/mod matrix hash: %016" PRIx64 "\n", h);
    printf("INT64_MIN/7=%" PRId64 " INT64_MIN%%7=%" PRId64 " INT64_MAX/-3=%" PRId64 " -7/2=%" PRId64 " -7%%2=%" PRId64 "\n",
           vs[12] / vs[6], vs[12] % vs[6], vs[11] / -3, vs[7] / vs[3], vs[7] % vs[3]);
    printf("UINT64_MAX/3=%" PRIu64 " UINT64_MAX%%1000000007=%" PRIu64 " (u64)INT64_MIN/3=%" PRIu64 "\n",
           (uint64_t)vs[2] / 3, (uint64_t)vs[2] % (uint64_t)vs[8], (uint64_t)vs[12] / 3);
    unsigned __int128 big = (unsigned __int128)(uint64_t)vs[2] * (uint64_t)vs[2];
    printf("UINT64_MAX^2 = %016" PRIx64 "%016" PRIx64 "\n", (uint64_t)(big >> 64), (uint64_t)big);

    h = 0;
    for (int i = 0; i < NV; i++) {
        uint64_t x = (uint64_t)vs[i];
        int64_t sx = vs[i];
        for (int s = 0; s < 64; s += 3) {
            uint64_t r[6] = {x << s, x >> s, (uint64_t)(sx >> s), (x << s) | (x >> ((64 - s) & 63)),
                             (x >> s) | (x << ((64 - s) & 63)), (uint64_t)((uint32_t)x >> (s & 31))};
            for (int k = 0; k < 6; k++)
                h = (h ^ r[k]) * 0x100000001b3ULL;
        }
        printf("x=%016" PRIx64 " popcount=%2d clz=%2d ctz=%2d clrsb=%2d bswap=%016" PRIx64 " rbit=%016" PRIx64
               " bswap32=%08" PRIx32 "\n",
               x, __builtin_popcountll(x), x ? __builtin_clzll(x) : 64, x ? __builtin_ctzll(x) : 64,
               __builtin_clrsbll(sx), __builtin_bswap64(x), rev64(x), __builtin_bswap32((uint32_t)x));
    }
    printf("shift/rotate hash: %016" PRIx64 "\n", h);
    /* Overflow-checking builtins. */
    int64_t out;
    int o1 = __builtin_add_overflow(vs[11], vs[1], &out);
    int o2 = __builtin_mul_overflow(vs[9], vs[9], &out);
    int o3 = __builtin_sub_overflow(vs[12], vs[1], &out);
    uint64_t uo;
    int o4 = __builtin_mul_overflow((uint64_t)vs[9], (uint64_t)vs[9], &uo);
    printf("overflow: add=%d mul=%d sub=%d umul=%d\n", o1, o2, o3, o4);
    check("overflow builtins", o1 == 1 && o2 == 0 && o3 == 1 && o4 == 0);
}

int main(void) {
    crc_init();
    uint32_t c = crc32("123456789", 9);
    printf("crc32(\"123456789\") = %08" PRIx32 "\n", c);
    check("crc32 check value cbf43926", c == 0xcbf43926u);
    check("crc32 of empty input is 0", crc32("", 0) == 0);
    c = crc32("The quick brown fox jumps over the lazy dog", 43);
    check("crc32(quick brown fox) = 414fa339", c == 0x414fa339u);
    unsigned char *mb = malloc(1 << 20);
    for (size_t i = 0; i < (1 << 20); i++)
        mb[i] = (unsigned char)(i * 7 + (i >> 11));
    printf("crc32(1 MiB pattern) = %08" PRIx32 "\n", crc32(mb, 1 << 20));

    /* Sieve of Eratosthenes */
    enum { N = 1000000 };
    unsigned char *comp = calloc(N + 1, 1);
    int count = 0;
    uint64_t psum = 0;
    for (uint64_t i = 2; i <= N; i++) {
        if (comp[i])
            continue;
        count++;
        psum += i;
        for (uint64_t j = i * i; j <= N; j += i)
            comp[j] = 1;
    }
    printf("primes <= 10^6: %d, sum %" PRIu64 "\n", count, psum);
    check("pi(10^6) = 78498", count == 78498);
    check("sum of primes <= 10^6 = 37550402023", psum == 37550402023ULL);
    free(comp);

    sha_check("\"\"", "", 0, 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha_check("\"abc\"", "abc", 3, 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_check("448-bit message", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 1,
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    memset(mb, 'a', 1000000);
    sha_check("10^6 x 'a'", mb, 1000000, 1, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(mb);

    integers();
    printf("failures=%d\n", failures);
    return failures != 0;
}
