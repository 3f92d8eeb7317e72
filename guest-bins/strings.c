/* string.h against naive reference implementations in this file, on sizes 0..4096 (every size up
 * to 256, then powers of two and their neighbours) and every one of the 16 alignments for each
 * pointer. Destination buffers carry guard bytes that must stay untouched. A last section puts
 * strings right before an inaccessible page: the library's wide loads must never cross into it.
 * Prints the number of passing cases per function and a checksum of all results. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The references must stay naive loops: stop gcc from turning them back into library calls. */
#define REF __attribute__((noinline, optimize("no-tree-loop-distribute-patterns")))

REF static void *ref_memcpy(void *d, const void *s, size_t n) {
    unsigned char *dd = d;
    const unsigned char *ss = s;
    for (size_t i = 0; i < n; i++)
        dd[i] = ss[i];
    return d;
}
REF static void *ref_memmove(void *d, const void *s, size_t n) {
    unsigned char *dd = d;
    const unsigned char *ss = s;
    if (dd < ss)
        for (size_t i = 0; i < n; i++)
            dd[i] = ss[i];
    else
        for (size_t i = n; i-- > 0;)
            dd[i] = ss[i];
    return d;
}
REF static void *ref_memset(void *d, int c, size_t n) {
    unsigned char *dd = d;
    for (size_t i = 0; i < n; i++)
        dd[i] = (unsigned char)c;
    return d;
}
REF static int ref_memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}
REF static size_t ref_strlen(const char *s) {
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}
REF static char *ref_strchr(const char *s, int c) {
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}
REF static char *ref_strrchr(const char *s, int c) {
    const char *r = NULL;
    for (;; s++) {
        if (*s == (char)c)
            r = s;
        if (!*s)
            return (char *)r;
    }
}
REF static void *ref_memchr(const void *s, int c, size_t n) {
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == (unsigned char)c)
            return (void *)(p + i);
    return NULL;
}
REF static int ref_strcmp(const char *a, const char *b) {
    for (;; a++, b++) {
        unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            return 0;
    }
}
REF static int ref_strncmp(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            return 0;
    }
    return 0;
}
REF static char *ref_strncpy(char *d, const char *s, size_t n) {
    size_t i = 0;
    for (; i < n && s[i]; i++)
        d[i] = s[i];
    for (; i < n; i++)
        d[i] = 0;
    return d;
}
REF static char *ref_strstr(const char *h, const char *n) {
    size_t ln = ref_strlen(n);
    for (; *h; h++)
        if (ref_strncmp(h, n, ln) == 0)
            return (char *)h;
    return ln == 0 ? (char *)h : NULL;
}
REF static size_t ref_strspn(const char *s, const char *acc) {
    size_t n = 0;
    while (s[n] && ref_strchr(acc, s[n]))
        n++;
    return n;
}
REF static size_t ref_strcspn(const char *s, const char *rej) {
    size_t n = 0;
    while (s[n] && !ref_strchr(rej, s[n]))
        n++;
    return n;
}

static int sign(int x) { return (x > 0) - (x < 0); }

static uint64_t rng = 0x853c49e6748fea9bULL;
static unsigned rnd(void) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rng >> 33);
}

enum { MEMCPY, MEMMOVE_FWD, MEMMOVE_BWD, MEMSET, MEMCMP, STRLEN, STRCHR, STRRCHR, MEMCHR, STRCMP, STRNCMP, STRCPY,
       STRNCPY, STRCAT, STRSTR, STRSPN, STRCSPN, STRTOK, NFUNC };
static const char *const names[NFUNC] = {"memcpy", "memmove(fwd)", "memmove(bwd)", "memset", "memcmp", "strlen",
                                         "strchr", "strrchr", "memchr", "strcmp", "strncmp", "strcpy", "strncpy",
                                         "strcat", "strstr", "strspn", "strcspn", "strtok"};
static unsigned pass[NFUNC], fail[NFUNC];
static uint64_t sum = 14695981039346656037ULL;

static void record(int f, int ok, int64_t value) {
    if (ok)
        pass[f]++;
    else if (fail[f]++ < 5)
        printf("FAIL %s (case value %" PRId64 ")\n", names[f], value);
    sum = (sum ^ (uint64_t)value ^ ((uint64_t)f << 56)) * 1099511628211ULL;
}

#define MAXN 4096
#define PAD 64
static unsigned char A[MAXN + 3 * PAD], B[MAXN + 3 * PAD], C[MAXN + 3 * PAD], D[MAXN + 3 * PAD];

/* Random non-zero bytes from a small alphabet plus high bytes (signedness matters). */
static void random_text(unsigned char *p, size_t n) {
    static const char alpha[] = "abcdeXYZ\x80\xff\x7f";
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)alpha[rnd() % (sizeof alpha - 1)];
}

/* dst region [start, start+n) of a buffer of guards: everything else below ext must still be `g`. */
static int guards_ok(const unsigned char *buf, size_t ext, size_t start, size_t n, unsigned char g) {
    for (size_t i = 0; i < start; i++)
        if (buf[i] != g)
            return 0;
    for (size_t i = start + n; i < ext; i++)
        if (buf[i] != g)
            return 0;
    return 1;
}

static void one_case(size_t n, unsigned sa, unsigned da) {
    unsigned char *s = A + PAD + sa, *d = B + PAD + da, *rd = C + PAD + da;
    int64_t v;
    /* Only the bytes a case can reach are filled and compared (shift < 18, 22-byte prefixes). */
    if (n > MAXN || sa > 15 || da > 15)
        return;
    size_t ext = n + 2 * PAD + 16;

    /* memcpy */
    random_text(A, ext);
    memset(B, 0xee, ext);
    memset(C, 0xee, ext);
    v = (unsigned char *)memcpy(d, s, n) - d;
    ref_memcpy(rd, s, n);
    record(MEMCPY, v == 0 && memcmp(B, C, ext) == 0 && guards_ok(B, ext, PAD + da, n, 0xee), (int64_t)n);

    /* memmove within one buffer, both directions, overlap by a varying amount */
    size_t shift = 1 + (n + sa) % 17;
    memcpy(C, A, ext);
    unsigned char *p = C + PAD + sa;
    memcpy(D, A, ext);
    unsigned char *q = D + PAD + sa;
    memmove(p + shift, p, n);
    ref_memmove(q + shift, q, n);
    record(MEMMOVE_FWD, memcmp(C, D, ext) == 0, (int64_t)(n * 32 + shift));
    memcpy(C, A, ext);
    memcpy(D, A, ext);
    memmove(p, p + shift, n);
    ref_memmove(q, q + shift, n);
    record(MEMMOVE_BWD, memcmp(C, D, ext) == 0, (int64_t)(n * 32 + shift));

    /* memset with a value whose low byte matters */
    memset(B, 0x11, ext);
    memset(C, 0x11, ext);
    int c = 0x1200 | (int)(n & 0xff);
    v = (unsigned char *)memset(d, c, n) - d;
    ref_memset(rd, c, n);
    record(MEMSET, v == 0 && memcmp(B, C, ext) == 0, (int64_t)n);

    /* memcmp: equal, or differing at one position (maybe with the high bit set) */
    memcpy(d, s, n);
    int r1 = memcmp(d, s, n), e1 = ref_memcmp(d, s, n);
    record(MEMCMP, sign(r1) == e1, e1);
    if (n) {
        size_t at = rnd() % n;
        d[at] = (unsigned char)(d[at] ^ (rnd() & 1 ? 0x80 : 0x01));
        r1 = memcmp(d, s, n);
        e1 = ref_memcmp(d, s, n);
        record(MEMCMP, sign(r1) == e1 && e1 != 0, e1 * (int64_t)(at + 1));
    }

    /* C strings of length n at source alignment sa */
    random_text(A, ext);
    s[n] = 0;
    const char *cs = (const char *)s;
    record(STRLEN, strlen(cs) == n, (int64_t)n);
    int ch = n ? s[rnd() % n] : 'q';
    char *x = strchr(cs, ch), *y = ref_strchr(cs, ch);
    record(STRCHR, x == y, y ? y - cs : -1);
    record(STRCHR, strchr(cs, 0) == cs + n, (int64_t)n);
    x = strchr(cs, 'Q');
    record(STRCHR, x == NULL, (int64_t)n);
    x = strrchr(cs, ch);
    y = ref_strrchr(cs, ch);
    record(STRRCHR, x == y, y ? y - cs : -1);
    record(STRRCHR, strrchr(cs, 0) == cs + n, (int64_t)n);
    void *m = memchr(s, ch, n), *mr = ref_memchr(s, ch, n);
    record(MEMCHR, m == mr, mr ? (unsigned char *)mr - s : -1);
    m = memchr(s, 0x1000 | 'Q', n + 1); /* only the low byte of c counts: finds nothing */
    record(MEMCHR, m == NULL, (int64_t)n);

    /* strcmp/strncmp against a copy at another alignment, equal and with one difference */
    memset(B, 0, ext);
    memcpy(d, s, n + 1);
    const char *cd = (const char *)d;
    record(STRCMP, strcmp(cd, cs) == 0, (int64_t)n);
    record(STRNCMP, strncmp(cd, cs, n + 5) == 0, (int64_t)n);
    if (n) {
        size_t at = rnd() % n;
        d[at] = (unsigned char)(d[at] ^ 0x81);
        int e = ref_strcmp(cd, cs);
        record(STRCMP, sign(strcmp(cd, cs)) == e, e * (int64_t)(at + 1));
        size_t lim = rnd() % (n + 2);
        e = ref_strncmp(cd, cs, lim);
        record(STRNCMP, sign(strncmp(cd, cs, lim)) == e, e * (int64_t)(lim + 1));
        /* a prefix compares below the longer string */
        d[at] = 0;
        e = ref_strcmp(cd, cs);
        record(STRCMP, sign(strcmp(cd, cs)) == e && e < 0, (int64_t)at);
    }

    /* strcpy / strncpy / strcat into guarded destinations */
    memset(B, 0xee, ext);
    memset(C, 0xee, ext);
    v = strcpy((char *)d, cs) - (char *)d;
    ref_memcpy(rd, s, n + 1);
    record(STRCPY, v == 0 && memcmp(B, C, ext) == 0, (int64_t)n);
    size_t lim = (n & 1) ? n + sa * 3 : n / 2; /* zero padding, or truncation without a NUL */
    memset(B, 0xee, ext);
    memset(C, 0xee, ext);
    v = strncpy((char *)d, cs, lim) - (char *)d;
    ref_strncpy((char *)rd, cs, lim);
    record(STRNCPY, v == 0 && memcmp(B, C, ext) == 0 && guards_ok(B, ext, PAD + da, lim, 0xee), (int64_t)lim);
    size_t head = n / 3;
    memset(B, 0xee, ext);
    memset(C, 0xee, ext);
    memcpy(d, "prefix-of-some-length", 21);
    d[head % 22] = 0;
    memcpy(rd, d, 22);
    size_t tail = n - n / 3 - 22 < n ? n - n / 3 - 22 : 0;
    s[tail] = 0;
    v = strcat((char *)d, cs) - (char *)d;
    ref_memcpy(rd + head % 22, s, tail + 1);
    record(STRCAT, v == 0 && memcmp(B, C, ext) == 0, (int64_t)(tail * 32 + head % 22));
    s[tail] = 'a';
    s[n] = 0;

    /* strstr: a needle cut from the haystack, one that is absent, the empty needle */
    if (n) {
        size_t at = rnd() % n, ln = 1 + rnd() % (n - at < 40 ? n - at : 40);
        char needle[48];
        memcpy(needle, s + at, ln);
        needle[ln] = 0;
        x = strstr(cs, needle);
        y = ref_strstr(cs, needle);
        record(STRSTR, x == y && x != NULL, y - cs);
        needle[ln - 1] = 'Q';
        x = strstr(cs, needle);
        y = ref_strstr(cs, needle);
        record(STRSTR, x == y, y ? y - cs : -1);
    }
    record(STRSTR, strstr(cs, "") == cs, (int64_t)n);

    /* strspn / strcspn with small sets */
    static const char *const sets[] = {"", "a", "ab", "abcde", "XYZ\x80", "\xff\x7f" "abcdeXYZ\x80"};
    const char *set = sets[(n + sa) % 6];
    size_t sp = strspn(cs, set), rsp = ref_strspn(cs, set);
    record(STRSPN, sp == rsp, (int64_t)rsp);
    sp = strcspn(cs, set);
    rsp = ref_strcspn(cs, set);
    record(STRCSPN, sp == rsp, (int64_t)rsp);
}

static void strtok_cases(void) {
    static const char *const inputs[] = {"", "a", ",,,", "a,b,,c", ",lead,trail,", "one two\tthree,four;;five",
                                         "no-delims-here", "  x  "};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char buf[64], *save = NULL;
        strcpy(buf, inputs[i]);
        int count = 0;
        int64_t h = 0;
        for (char *t = strtok(buf, ", \t;"); t; t = strtok(NULL, ", \t;")) {
            count++;
            h = h * 31 + (int64_t)(t - buf) * 7 + (int64_t)strlen(t);
        }
        /* strtok_r agrees */
        strcpy(buf, inputs[i]);
        int count2 = 0;
        int64_t h2 = 0;
        for (char *t = strtok_r(buf, ", \t;", &save); t; t = strtok_r(NULL, ", \t;", &save)) {
            count2++;
            h2 = h2 * 31 + (int64_t)(t - buf) * 7 + (int64_t)strlen(t);
        }
        record(STRTOK, count == count2 && h == h2, h * 16 + count);
        printf("strtok(\"%s\"): %d tokens\n", inputs[i], count);
    }
}

/* Strings that end just before a PROT_NONE page. */
static int page_edge(void) {
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m + pg, pg, PROT_NONE) != 0)
        return -1;
    int ok = 0;
    for (int n = 0; n < 64; n++) {
        unsigned char *s = m + pg - n - 1;
        memset(m, 'z', pg);
        s[n] = 0;
        int good = strlen((char *)s) == (size_t)n && strchr((char *)s, 'y') == NULL &&
                   strrchr((char *)s, 'z') == (n ? (char *)s + n - 1 : NULL) && memchr(s, 'y', n + 1) == NULL &&
                   strcmp((char *)s, (char *)s) == 0 && strncmp((char *)s, (char *)s, 1000) == 0;
        ok += good;
    }
    munmap(m, 2 * pg);
    return ok;
}

int main(void) {
    size_t sizes[400];
    int ns = 0;
    for (size_t n = 0; n <= 256; n++)
        sizes[ns++] = n;
    for (size_t p = 512; p <= MAXN; p *= 2) {
        sizes[ns++] = p - 1;
        if (p < MAXN) {
            sizes[ns++] = p;
            sizes[ns++] = p + 1;
        } else {
            sizes[ns++] = p - 2;
        }
    }
    unsigned cases = 0;
    for (int i = 0; i < ns; i++) {
        size_t n = sizes[i];
        /* Every alignment for each pointer, with the relative misalignment varying too. Large
         * sizes take fewer combinations to keep the program fast under emulation. */
        unsigned step = n > 256 ? 5 : 1;
        for (unsigned a = 0; a < 16; a += step) {
            one_case(n, a, a);
            one_case(n, a, (a * 7 + (unsigned)n) % 16);
            cases += 2;
        }
    }
    strtok_cases();
    int edge = page_edge();
    printf("page-edge strings passing: %d of 64\n", edge);
    printf("sizes=%d cases=%u\n", ns, cases);
    unsigned fails = 0;
    for (int f = 0; f < NFUNC; f++) {
        printf("%-13s pass=%u fail=%u\n", names[f], pass[f], fail[f]);
        fails += fail[f];
    }
    printf("checksum=%016" PRIx64 "\n", sum);
    return fails != 0 || edge != 64;
}
