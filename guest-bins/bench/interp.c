// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: branchy code: a register bytecode interpreter (switch dispatch) running Collatz counts
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { LI, MOV, ADD, ADDI, SUB, MUL, AND, ANDI, XOR, SHRI, JZ, JNZ, JLT, JMP, HALT };

struct insn {
    uint8_t op, a, b, c;
    int32_t imm;
};

static uint64_t run(const struct insn *code, uint64_t *r) {
    uint64_t executed = 0;
    for (const struct insn *pc = code;;) {
        const struct insn *i = pc++;
        executed++;
        switch (i->op) {
        case LI: r[i->a] = (uint64_t)(int64_t)i->imm; break;
        case MOV: r[i->a] = r[i->b]; break;
        case ADD: r[i->a] = r[i->b] + r[i->c]; break;
        case ADDI: r[i->a] = r[i->b] + (uint64_t)(int64_t)i->imm; break;
        case SUB: r[i->a] = r[i->b] - r[i->c]; break;
        case MUL: r[i->a] = r[i->b] * r[i->c]; break;
        case AND: r[i->a] = r[i->b] & r[i->c]; break;
        case ANDI: r[i->a] = r[i->b] & (uint64_t)(int64_t)i->imm; break;
        case XOR: r[i->a] = r[i->b] ^ r[i->c]; break;
        case SHRI: r[i->a] = r[i->b] >> i->imm; break;
        case JZ: if (r[i->a] == 0) pc = code + i->imm; break;
        case JNZ: if (r[i->a] != 0) pc = code + i->imm; break;
        case JLT: if (r[i->a] < r[i->b]) pc = code + i->imm; break;
        case JMP: pc = code + i->imm; break;
        case HALT: return executed;
        default: abort();
        }
    }
}

int main(int argc, char **argv) {
    long limit = argc > 1 ? atol(argv[1]) : 120000;
    /* r0 = n, r1 = limit, r2 = x, r3 = steps total, r4 = tmp, r5 = 3, r6 = hash, r7 = 1 */
    static const struct insn prog[] = {
        /* 0 */ {LI, 0, 0, 0, 1},
        /* 1 */ {LI, 3, 0, 0, 0},
        /* 2 */ {LI, 5, 0, 0, 3},
        /* 3 */ {LI, 6, 0, 0, 0},
        /* 4 */ {LI, 7, 0, 0, 1},
        /* 5 loop: */ {MOV, 2, 0, 0, 0},
        /* 6 inner: */ {SUB, 4, 2, 7, 0},
        /* 7 */ {JZ, 4, 0, 0, 16},
        /* 8 */ {ADDI, 3, 3, 0, 1},
        /* 9 */ {ANDI, 4, 2, 0, 1},
        /* 10 */ {JNZ, 4, 0, 0, 13},
        /* 11 */ {SHRI, 2, 2, 0, 1},
        /* 12 */ {JMP, 0, 0, 0, 6},
        /* 13 odd: */ {MUL, 2, 2, 5, 0},
        /* 14 */ {ADD, 2, 2, 7, 0},
        /* 15 */ {JMP, 0, 0, 0, 6},
        /* 16 done: */ {XOR, 6, 6, 3, 0},
        /* 17 */ {MUL, 6, 6, 5, 0},
        /* 18 */ {ADDI, 0, 0, 0, 1},
        /* 19 */ {JLT, 0, 1, 0, 5},
        /* 20 */ {HALT, 0, 0, 0, 0},
    };
    uint64_t r[8] = {0};
    r[1] = (uint64_t)limit;
    uint64_t executed = run(prog, r);
    printf("interp limit=%ld steps=%llu executed=%llu checksum=%016llx\n", limit, (unsigned long long)r[3],
           (unsigned long long)executed, (unsigned long long)r[6]);
    return 0;
}
