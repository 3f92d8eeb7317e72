/* Instruction fetches that fail, an undefined instruction and a breakpoint: the signal,
 * si_code, si_addr and sigcontext.fault_address a handler sees (as arm64 Linux reports them:
 * fault_address is the address of a memory abort, 0 for the other two). Each case runs in a
 * child process. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>
#include "catch.h"

static void *target;

static void handler(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    uint64_t fa = uc->uc_mcontext.fault_address;
    printf("  signal %s, si_code %d, si_addr %s, fault_address %s\n",
           sig == SIGSEGV  ? "SIGSEGV"
           : sig == SIGBUS ? "SIGBUS"
           : sig == SIGILL ? "SIGILL"
           : sig == SIGTRAP ? "SIGTRAP"
                            : "other",
           /* (SIGILL's si_code is left out: Linux gives ILL_ILLOPC, qemu-aarch64 7.2, whose
            * output this is compared with, ILL_ILLOPN) */
           sig == SIGILL ? -1 : si->si_code, si->si_addr == target ? "= target" : "!= target",
           fa == (uint64_t)target ? "= target" : fa == 0 ? "0" : "other");
    fflush(stdout);
    _exit(0);
}

static void run(const char *name, void *to) {
    printf("%s\n", name);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        catch_signals(handler, (const int[]){SIGSEGV, SIGBUS, SIGILL, SIGTRAP, 0});
        target = to;
        ((void (*)(void))to)();
        printf("  returned\n");
        fflush(stdout);
        _exit(1);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("  exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

int main(void) {
    static const uint32_t ret_insn = 0xd65f03c0; /* ret */
    uint8_t *rx = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *none = mmap(0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* (unmapped last: no later mapping can take its place) */
    uint8_t *gone = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    static const uint32_t udf_insn = 0x00000000, brk_insn = 0xd4200020; /* udf #0, brk #1 */
    memcpy(rx, &ret_insn, 4);
    memcpy(rx + 4, &udf_insn, 4);
    memcpy(rx + 8, &brk_insn, 4);
    __builtin___clear_cache((char *)rx, (char *)rx + 12);
    run("executable page (returns)", rx);
    run("PROT_NONE page", none);
    run("unmapped page", gone);
    run("misaligned pc", rx + 2);
    run("undefined instruction", rx + 4);
    run("breakpoint", rx + 8);
    return 0;
}
