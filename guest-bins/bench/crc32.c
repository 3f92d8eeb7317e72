// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: integer kernel: table-driven CRC-32 (IEEE) over a 1 MiB buffer, repeated
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t table[256];

static void make_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const unsigned char *p, size_t n) {
    crc = ~crc;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

int main(int argc, char **argv) {
    long reps = argc > 1 ? atol(argv[1]) : 120;
    const size_t n = 1 << 20;
    unsigned char *buf = malloc(n);
    if (!buf) return 1;
    make_table();
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    /* Known answer: CRC-32 of "123456789" is 0xcbf43926. */
    int ok = crc32(0, (const unsigned char *)"123456789", 9) == 0xcbf43926u;
    uint32_t crc = 0;
    for (long r = 0; r < reps; r++) {
        crc = crc32(crc, buf, n);
        buf[r % n] ^= (unsigned char)crc;
    }
    printf("crc32 reps=%ld kat=%s checksum=%08x\n", reps, ok ? "ok" : "FAIL", crc);
    free(buf);
    return ok ? 0 : 1;
}
