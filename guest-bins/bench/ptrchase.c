// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: pointer chasing: a linked list through a random cyclic permutation of 64K nodes (1 MiB)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *next;
    uint64_t value;
};

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 10000000;
    const size_t n = 1 << 16;
    struct node *nodes = malloc(n * sizeof *nodes);
    uint32_t *perm = malloc(n * sizeof *perm);
    if (!nodes || !perm) return 1;
    for (size_t i = 0; i < n; i++) perm[i] = (uint32_t)i;
    /* Sattolo's algorithm: a single cycle through all nodes. */
    uint64_t s = 88172645463325252ull;
    for (size_t i = n - 1; i > 0; i--) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        size_t j = s % i;
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        nodes[i].next = &nodes[perm[i]];
        nodes[i].value = i * 2654435761u;
    }
    struct node *p = &nodes[0];
    uint64_t sum = 0;
    for (long k = 0; k < steps; k++) {
        sum += p->value ^ (uint64_t)k;
        p = p->next;
    }
    printf("ptrchase steps=%ld end=%ld checksum=%016llx\n", steps, (long)(p - nodes), (unsigned long long)sum);
    free(perm);
    free(nodes);
    return 0;
}
