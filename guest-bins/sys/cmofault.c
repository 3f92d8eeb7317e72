/* Cache maintenance by address translates the address as a read does: DC CVAU, DC CIVAC, DC
 * CVAC and IC IVAU on an unmapped address are data aborts (SIGSEGV, SEGV_MAPERR, si_addr =
 * the address, at the instruction's pc); on mapped memory they do nothing visible. Each case
 * runs in a child process. Self-checking (report.h); run under the emulator only: qemu-aarch64
 * 7.2 performs the operations on unmapped addresses without a fault, against the Arm ARM
 * (a translation fault is reported for cache maintenance by VA). */
#define _GNU_SOURCE
#include "report.h"
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include "catch.h"

static char *target;
static uint64_t insn_pc;

static void handler(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    int ok = sig == SIGSEGV && si->si_code == SEGV_MAPERR && (char *)si->si_addr == target &&
             uc->uc_mcontext.pc == insn_pc;
    printf("  SIGSEGV code %d, si_addr %s, pc %s\n", si->si_code, (char *)si->si_addr == target ? "= address" : "other",
           uc->uc_mcontext.pc == insn_pc ? "= instruction" : "other");
    _exit(ok ? 0 : 2);
}

#define CMO(name, insn)                                                                       \
    static void name(char *p) {                                                              \
        __asm__ volatile("adr x9, 1f\n str x9, [%0]\n" "1: " insn ", %1" : : "r"(&insn_pc), "r"(p) : "x9", "memory"); \
    }
CMO(dc_cvau, "dc cvau")
CMO(dc_civac, "dc civac")
CMO(dc_cvac, "dc cvac")
CMO(ic_ivau, "ic ivau")

static void run(const char *name, void (*op)(char *), char *p, int want_fault) {
    printf("%s on %s memory\n", name, want_fault ? "unmapped" : "mapped");
    pid_t pid = fork();
    if (pid == 0) {
        catch_signals(handler, (const int[]){SIGSEGV, 0});
        target = p;
        op(p);
        printf("  no fault\n");
        _exit(want_fault ? 1 : 0);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + 4096, 4096);
    char *gone = m + 4096 + 0x48;
    void (*ops[])(char *) = {dc_cvau, dc_civac, dc_cvac, ic_ivau};
    const char *names[] = {"DC CVAU", "DC CIVAC", "DC CVAC", "IC IVAU"};
    for (int k = 0; k < 4; k++) {
        run(names[k], ops[k], m + 0x40, 0);
        run(names[k], ops[k], gone, 1);
    }
    printf("failures=%d\n", failures);
    return failures != 0;
}
