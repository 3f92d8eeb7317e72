/* xtask: link trampoline.S
 * xtask: no-native
 * xtask: cflags -fno-stack-protector -fno-tree-vectorize
 *
 * Differential-testing harness: runs test cases read from stdin, one after the other, in one
 * process, and writes each case's final state to stdout as soon as the case ends (so that a
 * reader sees every case that completed before an emulator died).
 *
 * Input record (5104 bytes): u32 magic "DTC1", u32 slot, u32 nwords, u32 reserved,
 *   regs (800 bytes, layout in harness.h), u32 words[48], u8 page[4096].
 * Output record (4928 bytes): u32 magic "DTR1", u32 slot, u32 signal (0 = the sequence ran to
 *   the end), u32 reserved, u64 fault pc, u64 fault address, regs (800), u8 page[4096].
 *   After a signal the regs are zero (the signal frame is not compared) but the page is the page.
 *
 * A case runs in its own code slot (DT_CODE_BASE + 4096 + slot * 256), which is written once and
 * never rewritten in a process, so no emulator ever has to notice self-modifying code:
 *   word 0: LDR X16, <literal at word 62>   (X16 is the branch register of dt_run)
 *   words 1..n: the test words
 *   word n+1: B <epilogue>
 *   the rest: UDF #(slot*64+i & 0xffff), so stray execution traps; words 62-63: X16's value.
 * The data page (DT_DATA_PAGE) lies between two PROT_NONE guard pages.
 *
 * Signals (SIGILL, SIGSEGV, SIGBUS, SIGTRAP, SIGFPE) raised by the sequence are caught on the
 * alternate stack; the handler records them and resumes at dt_fault_return. An emulator that does
 * not deliver guest signals dies instead; the generator then restarts after the dead case. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include "harness.h"

struct case_in {
    uint32_t magic, slot, nwords, reserved;
    uint8_t regs[DT_REGS_SIZE];
    uint32_t words[DT_MAXW];
};

struct case_out {
    uint32_t magic, slot, signal, reserved;
    uint64_t fault_pc, fault_addr;
    uint8_t regs[DT_REGS_SIZE];
};

extern int dt_run(const void *regs, uint64_t slot_addr);
extern char dt_epi_start[], dt_epi_end[], dt_epi_out[], dt_epi_ret[];
extern char dt_return[], dt_fault_return[];

static volatile uint32_t fault_sig;
static volatile uint64_t fault_pc, fault_addr;
static struct case_out out;

static void on_fault(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    fault_sig = (uint32_t)sig;
    fault_pc = uc->uc_mcontext.pc;
    fault_addr = (uint64_t)si->si_addr;
    uc->uc_mcontext.pc = (uint64_t)dt_fault_return;
}

static int read_full(void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(0, (char *)buf + got, n - got);
        if (r <= 0) return got == 0 && r == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

static int write_full(struct iovec *iov, int cnt) {
    while (cnt > 0) {
        ssize_t w = writev(1, iov, cnt);
        if (w <= 0) return -1;
        while (cnt > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

static void *map_at(uint64_t addr, size_t len, int prot) {
    void *p = mmap((void *)addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != (void *)addr) {
        fprintf(stderr, "harness: cannot map %#lx (+%#zx), got %p\n", (unsigned long)addr, len, p);
        exit(3);
    }
    return p;
}

int main(void) {
    size_t code_len = 4096 + DT_NSLOTS * DT_SLOT_SIZE;
    uint8_t *code = map_at(DT_CODE_BASE, code_len, PROT_READ | PROT_WRITE | PROT_EXEC);
    map_at(DT_DATA_BASE, 3 * 4096, PROT_READ | PROT_WRITE);
    if (mprotect((void *)DT_DATA_BASE, 4096, PROT_NONE) ||
        mprotect((void *)(DT_DATA_PAGE + 4096), 4096, PROT_NONE)) {
        perror("harness: mprotect");
        return 3;
    }
    size_t epi_len = (size_t)(dt_epi_end - dt_epi_start);
    memcpy(code, dt_epi_start, epi_len);
    uint64_t out_addr = (uint64_t)out.regs, ret_addr = (uint64_t)dt_return;
    memcpy(code + (dt_epi_out - dt_epi_start), &out_addr, 8);
    memcpy(code + (dt_epi_ret - dt_epi_start), &ret_addr, 8);
    __builtin___clear_cache((char *)code, (char *)code + epi_len);

    static uint8_t altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    if (sigaltstack(&ss, 0)) {
        perror("harness: sigaltstack");
        return 3;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    int sigs[] = {SIGILL, SIGSEGV, SIGBUS, SIGTRAP, SIGFPE};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, 0);

    static struct case_in in;
    uint8_t *page = (uint8_t *)DT_DATA_PAGE;
    for (;;) {
        int r = read_full(&in, sizeof in);
        if (r == 0) return 0;
        if (r < 0 || in.magic != DT_MAGIC_IN || in.slot >= DT_NSLOTS || in.nwords > DT_MAXW ||
            read_full(page, 4096) != 1) {
            fprintf(stderr, "harness: bad input record\n");
            return 2;
        }
        uint64_t slot_addr = DT_CODE_BASE + 4096 + (uint64_t)in.slot * DT_SLOT_SIZE;
        uint32_t *w = (uint32_t *)slot_addr;
        for (uint32_t i = 0; i < DT_SLOT_SIZE / 4 - 2; i++) w[i] = (in.slot * 64 + i) & 0xffff;
        w[0] = 0x58000000u | (62u << 5) | 16u; /* LDR X16, .+248 */
        for (uint32_t i = 0; i < in.nwords; i++) w[1 + i] = in.words[i];
        uint32_t bpos = 1 + in.nwords;
        int64_t delta = (int64_t)DT_CODE_BASE - (int64_t)(slot_addr + 4 * bpos);
        w[bpos] = 0x14000000u | ((uint32_t)(delta >> 2) & 0x3ffffff); /* B epilogue */
        memcpy(&w[62], in.regs + DT_OFF_X + 16 * 8, 8); /* the case's X16 */
        __builtin___clear_cache((char *)w, (char *)w + DT_SLOT_SIZE);

        fault_sig = 0;
        memset(&out, 0, sizeof out);
        out.magic = DT_MAGIC_OUT;
        out.slot = in.slot;
        int faulted = dt_run(in.regs, slot_addr);
        if (faulted) {
            memset(out.regs, 0, sizeof out.regs);
            out.signal = fault_sig ? fault_sig : 255;
            out.fault_pc = fault_pc;
            out.fault_addr = fault_addr;
        }
        struct iovec iov[2] = {{&out, sizeof out}, {page, 4096}};
        if (write_full(iov, 2)) return 4;
    }
}
