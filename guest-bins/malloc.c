/* malloc/free/realloc/calloc churn: a pseudo-random allocation pattern whose block contents are
 * filled with a pattern derived from the block's id and verified before every free and realloc;
 * realloc of growing and shrinking blocks keeps the common prefix; calloc memory is zero (also
 * after reuse of freed dirty memory); large blocks beyond the mmap threshold (mmap/munmap/mremap
 * in the guest) work; posix_memalign/aligned_alloc honour their alignment. Prints counts and a
 * checksum that does not depend on addresses. */
#include <inttypes.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x243f6a8885a308d3ULL;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int failures;
#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) {                                                                                                    \
            failures++;                                                                                                \
            printf("FAIL line %d: %s\n", __LINE__, #c);                                                                \
        }                                                                                                              \
    } while (0)

static unsigned char pattern(uint32_t id, size_t i) { return (unsigned char)(id * 131 + i * 7 + (i >> 8)); }

static void fill(unsigned char *p, uint32_t id, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(id, i);
}

static int verify(const unsigned char *p, uint32_t id, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(id, i))
            return 0;
    return 1;
}

#define SLOTS 512
static unsigned char *slot[SLOTS];
static size_t size[SLOTS];
static uint32_t ident[SLOTS];

int main(void) {
    uint64_t checksum = 0;
    uint32_t ids = 1;
    size_t peak = 0, live = 0;
    unsigned long mallocs = 0, frees = 0, reallocs = 0, callocs = 0;

    for (int step = 0; step < 12000; step++) {
        int s = (int)(next() % SLOTS);
        uint64_t r = next();
        if (slot[s] == NULL) {
            /* Mostly small, some medium, rarely large (above the 128 KiB mmap threshold). */
            size_t n = (r & 31) < 20 ? (r >> 8) % 64 : (r & 31) < 31 ? (r >> 8) % 4096 : (r >> 8) % (300 << 10);
            if ((r >> 40) % 4 == 0) {
                slot[s] = calloc(1, n);
                callocs++;
                CHECK(slot[s] != NULL || n == 0);
                int zero = 1;
                for (size_t i = 0; i < n; i++)
                    zero &= slot[s][i] == 0;
                CHECK(zero);
            } else {
                slot[s] = malloc(n);
                mallocs++;
            }
            CHECK(slot[s] != NULL);
            CHECK(((uintptr_t)slot[s] & 15) == 0);
            size[s] = n;
            ident[s] = ids++;
            fill(slot[s], ident[s], n);
            live += n;
        } else if ((r & 3) == 0) {
            /* realloc: grow or shrink, the common prefix must survive. */
            size_t old = size[s];
            size_t n = (r >> 8) & 1 ? old * 2 + (r >> 16) % 100 : old / 3;
            if ((r >> 30) % 50 == 0)
                n += 200 << 10; /* cross the mmap threshold */
            if (n > (300 << 10))
                n = (r >> 20) % 1000; /* keep the live total bounded */
            unsigned char *p = realloc(slot[s], n ? n : 1);
            reallocs++;
            CHECK(p != NULL);
            size_t keep = old < n ? old : n;
            CHECK(verify(p, ident[s], keep));
            slot[s] = p;
            size[s] = n;
            fill(p, ident[s], n);
            live += n - old;
        } else {
            CHECK(verify(slot[s], ident[s], size[s]));
            for (size_t i = 0; i < size[s]; i += 61)
                checksum = checksum * 1000003 + slot[s][i];
            /* Dirty the memory before freeing so that a later calloc has something to clear. */
            memset(slot[s], 0xa5, size[s]);
            free(slot[s]);
            frees++;
            live -= size[s];
            slot[s] = NULL;
        }
        if (live > peak)
            peak = live;
    }
    for (int s = 0; s < SLOTS; s++) {
        if (slot[s]) {
            CHECK(verify(slot[s], ident[s], size[s]));
            free(slot[s]);
            frees++;
        }
    }
    printf("mallocs=%lu callocs=%lu reallocs=%lu frees=%lu peak_live_bytes=%zu\n", mallocs, callocs, reallocs, frees,
           peak);
    printf("content checksum=%016" PRIx64 "\n", checksum);

    /* Large blocks: 1, 4 and 16 MiB, touched at every page; realloc grows an mmap'd block. */
    size_t big[] = {1 << 20, 4 << 20, 16 << 20};
    for (int i = 0; i < 3; i++) {
        unsigned char *p = malloc(big[i]);
        CHECK(p != NULL);
        for (size_t o = 0; o < big[i]; o += 4096)
            p[o] = (unsigned char)(o >> 12);
        p = realloc(p, big[i] * 2);
        CHECK(p != NULL);
        int ok = 1;
        for (size_t o = 0; o < big[i]; o += 4096)
            ok &= p[o] == (unsigned char)(o >> 12);
        memset(p + big[i], 0x5a, big[i]);
        CHECK(ok);
        CHECK(p[big[i] * 2 - 1] == 0x5a);
        free(p);
        printf("large block of %zu MiB: ok=%d\n", big[i] >> 20, ok);
    }
    unsigned char *z = calloc(8 << 20, 1);
    int zero = 1;
    for (size_t o = 0; o < (8u << 20); o += 512)
        zero &= z[o] == 0;
    CHECK(zero);
    free(z);
    printf("large calloc zeroed: %d\n", zero);

    /* Alignment APIs. */
    for (size_t al = 16; al <= 65536; al *= 4) {
        void *p = NULL;
        CHECK(posix_memalign(&p, al, 100) == 0);
        CHECK(((uintptr_t)p & (al - 1)) == 0);
        free(p);
        p = aligned_alloc(al, al * 2);
        CHECK(p != NULL && ((uintptr_t)p & (al - 1)) == 0);
        free(p);
        p = memalign(al, 33);
        CHECK(p != NULL && ((uintptr_t)p & (al - 1)) == 0);
        free(p);
    }
    CHECK(posix_memalign(&(void *){0}, 3, 8) != 0);
    void *huge = malloc(SIZE_MAX / 2);
    printf("malloc(SIZE_MAX/2) fails: %s\n", huge == NULL ? "yes" : "no");
    free(huge);
    printf("alignment checks done\n");
    printf("failures=%d\n", failures);
    return failures != 0;
}
