/* qsort and bsearch on ints (including extremes and many duplicates), doubles (including -0.0
 * and infinities; NaN is left out because its order is unspecified), strings and structs with a
 * two-key comparison. Every sort is checked for order and for being a permutation of its input
 * (through a multiset checksum), and every element is found again with bsearch. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t next(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

static int failures;
#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c)) {                                                                                                    \
            failures++;                                                                                                \
            printf("FAIL line %d: %s\n", __LINE__, #c);                                                                \
        }                                                                                                              \
    } while (0)

/* Order-independent checksum of a multiset of 64-bit values. */
static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

struct rec {
    char name[12];
    int key;
    double weight;
    uint64_t id;
};
static int cmp_rec(const void *a, const void *b) {
    const struct rec *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return (x->id > y->id) - (x->id < y->id);
}

static void ints(int n, int range) {
    int *v = malloc(n * sizeof *v);
    uint64_t before = 0, after = 0, ordered = 0;
    for (int i = 0; i < n; i++) {
        uint64_t r = next();
        v[i] = range ? (int)(r % (unsigned)range) - range / 2 : (int)(uint32_t)r;
        if (i % 97 == 0)
            v[i] = i & 1 ? INT_MIN : INT_MAX;
        before += mix((uint32_t)v[i]);
    }
    qsort(v, n, sizeof *v, cmp_int);
    int sorted = 1;
    for (int i = 0; i < n; i++) {
        after += mix((uint32_t)v[i]);
        ordered = ordered * 31 + (uint32_t)v[i];
        if (i && v[i - 1] > v[i])
            sorted = 0;
    }
    int found = 0;
    for (int i = 0; i < n; i += 7) {
        int *p = bsearch(&v[i], v, n, sizeof *v, cmp_int);
        found += p != NULL && *p == v[i];
    }
    int missing = range ? range : 0;
    int *p = bsearch(&missing, v, n, sizeof *v, cmp_int); /* above every value when range > 0 */
    CHECK(sorted && before == after);
    CHECK(!range || p == NULL);
    printf("ints n=%d range=%d: sorted=%d permutation=%d found=%d/%d min=%d max=%d ordered=%016" PRIx64 "\n", n, range,
           sorted, before == after, found, (n + 6) / 7, n ? v[0] : 0, n ? v[n - 1] : 0, ordered);
    free(v);
}

static void doubles(int n) {
    double *v = malloc(n * sizeof *v);
    static const double special[] = {0.0, -0.0, INFINITY, -INFINITY, 1e-310, -1e-310, 1e308, -1e308};
    uint64_t before = 0, after = 0;
    for (int i = 0; i < n; i++) {
        v[i] = i < 8 ? special[i] : ((double)(int64_t)next() / 1e12) * (i % 3 ? 1.0 : 1e-200);
        uint64_t b;
        memcpy(&b, &v[i], 8);
        before += mix(b);
    }
    qsort(v, n, sizeof *v, cmp_dbl);
    int sorted = 1;
    double acc = 0;
    for (int i = 0; i < n; i++) {
        uint64_t b;
        memcpy(&b, &v[i], 8);
        after += mix(b);
        if (i && v[i - 1] > v[i])
            sorted = 0;
        if (isfinite(v[i]))
            acc = acc * 0.5 + v[i];
    }
    int found = 0;
    for (int i = 0; i < n; i += 5)
        found += bsearch(&v[i], v, n, sizeof *v, cmp_dbl) != NULL;
    CHECK(sorted && before == after);
    printf("doubles n=%d: sorted=%d permutation=%d found=%d first=%g last=%g acc=%.17g\n", n, sorted, before == after,
           found, v[0], v[n - 1], acc);
    free(v);
}

static void strings(int n) {
    char **v = malloc(n * sizeof *v);
    uint64_t before = 0, after = 0, ordered = 0;
    for (int i = 0; i < n; i++) {
        int len = (int)(next() % 12);
        v[i] = malloc(len + 1);
        for (int j = 0; j < len; j++)
            v[i][j] = "abcAB\x80z"[next() % 7];
        v[i][len] = 0;
        uint64_t h = 1469598103934665603ULL;
        for (int j = 0; j < len; j++)
            h = (h ^ (unsigned char)v[i][j]) * 1099511628211ULL;
        before += mix(h);
    }
    qsort(v, n, sizeof *v, cmp_str);
    int sorted = 1;
    for (int i = 0; i < n; i++) {
        uint64_t h = 1469598103934665603ULL;
        for (char *c = v[i]; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ULL;
        after += mix(h);
        ordered = ordered * 1000003 + h;
        if (i && strcmp(v[i - 1], v[i]) > 0)
            sorted = 0;
    }
    int found = 0;
    for (int i = 0; i < n; i += 3) {
        char **p = bsearch(&v[i], v, n, sizeof *v, cmp_str);
        found += p && strcmp(*p, v[i]) == 0;
    }
    CHECK(sorted && before == after);
    printf("strings n=%d: sorted=%d permutation=%d found=%d first=\"%s\" ordered=%016" PRIx64 "\n", n, sorted,
           before == after, found, v[0], ordered);
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void records(int n) {
    struct rec *v = malloc(n * sizeof *v);
    uint64_t before = 0, after = 0, ordered = 0;
    for (int i = 0; i < n; i++) {
        v[i].key = (int)(next() % 50) - 25;
        snprintf(v[i].name, sizeof v[i].name, "n%03d", (int)(next() % 40));
        v[i].weight = (double)i / 7.0;
        v[i].id = (uint64_t)i;
        before += mix(v[i].id * 1000 + (uint64_t)(v[i].key + 100));
    }
    qsort(v, n, sizeof *v, cmp_rec);
    int sorted = 1;
    double wsum = 0;
    for (int i = 0; i < n; i++) {
        after += mix(v[i].id * 1000 + (uint64_t)(v[i].key + 100));
        ordered = ordered * 31 + v[i].id;
        wsum += v[i].weight * (i + 1);
        if (i && cmp_rec(&v[i - 1], &v[i]) > 0)
            sorted = 0;
        CHECK(v[i].weight == (double)v[i].id / 7.0); /* records moved whole */
    }
    int found = 0;
    for (int i = 0; i < n; i += 11) {
        struct rec *p = bsearch(&v[i], v, n, sizeof *v, cmp_rec);
        found += p == &v[i];
    }
    CHECK(sorted && before == after);
    printf("records n=%d size=%zu: sorted=%d permutation=%d found=%d ordered=%016" PRIx64 " wsum=%.17g\n", n,
           sizeof *v, sorted, before == after, found, ordered, wsum);
    free(v);
}

int main(void) {
    ints(0, 10);
    ints(1, 10);
    ints(2, 10);
    ints(17, 0);
    ints(1000, 20);
    ints(20000, 0);
    doubles(5000);
    strings(3000);
    records(4000);
    printf("failures=%d\n", failures);
    return failures != 0;
}
