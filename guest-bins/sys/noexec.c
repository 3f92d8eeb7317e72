/* Execute permission: code may only run from pages mapped or protected with PROT_EXEC. Each
 * call runs in a child process, which reports the signal (SIGSEGV with SEGV_ACCERR and
 * si_addr = the code's address on arm64 Linux) or the value the code returned. The cases:
 * a fresh read-write page, the same page after mprotect to read-execute and back to
 * read-only (translations made while it was executable must not outlive the permission),
 * mmap with MAP_FIXED replacing an executable page by a read-write one, mremap moving an
 * executable page, the (non-executable) stack, the heap, read-only data, and a signal handler
 * returning (through the kernel's r-x sigreturn trampoline); then the stack made executable
 * as glibc does for a library that needs it (mprotect with PROT_GROWSDOWN of the page at
 * __libc_stack_end: the whole stack below it), and PROT_GROWSDOWN on a mapping that does
 * not grow down (EINVAL). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <errno.h>
#include <unistd.h>
#include "catch.h"

extern void *__libc_stack_end;

static void *target;

static void handler(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    printf("  signal %s, si_code %d, si_addr %s\n", sig == SIGSEGV ? "SIGSEGV" : "other", si->si_code,
           si->si_addr == target ? "= code" : "!= code");
    fflush(stdout);
    _exit(0);
}

/* mov w0, #value; ret */
static void put_code(void *at, unsigned value) {
    uint32_t code[2] = {0x52800000u | (value << 5), 0xd65f03c0u};
    memcpy(at, code, sizeof code);
    __builtin___clear_cache((char *)at, (char *)at + sizeof code);
}

static void call(const char *name, void *code) {
    printf("%s\n", name);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        catch_signals(handler, (const int[]){SIGSEGV, 0});
        target = code;
        int r = ((int (*)(void))code)();
        printf("  returned %d\n", r);
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        printf("  child status 0x%x\n", status);
}

static volatile int handled;
static void on_usr1(int sig) {
    (void)sig;
    handled = 1;
}

int main(void) {
    long page = sysconf(_SC_PAGESIZE);
    uint8_t *p = mmap(0, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    put_code(p, 1);
    call("read-write page", p);
    mprotect(p, page, PROT_READ | PROT_EXEC);
    call("after mprotect read-execute", p);
    /* run it in this process too, so that a translation of it exists here */
    printf("  here: %d\n", ((int (*)(void))p)());
    mprotect(p, page, PROT_READ);
    call("after mprotect read-only", p);
    mprotect(p, page, PROT_READ | PROT_WRITE | PROT_EXEC);
    put_code(p, 2);
    call("after mprotect read-write-execute", p);
    printf("  here: %d\n", ((int (*)(void))p)());

    /* an executable page replaced by a read-write one at the same address */
    uint8_t *q = mmap(p, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    put_code(q, 3);
    call("mmap MAP_FIXED read-write over it", q);

    /* an executable mapping moved elsewhere: executable there, nothing left behind */
    uint8_t *x = mmap(0, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    put_code(x, 4);
    uint8_t *hole = mmap(0, 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *moved = mremap(x, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, hole + page);
    call("mremap'd executable page", moved);
    uint8_t *back = mmap(x, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (back == x) {
        put_code(back, 5);
        call("read-write page where it was", back);
    } else {
        printf("(old address taken)\n");
    }

    uint32_t on_stack[2];
    put_code(on_stack, 6);
    call("stack", on_stack);
    uint32_t *heap = malloc(64);
    put_code(heap, 7);
    call("heap", heap);
    static const uint32_t rodata[2] = {0x52800100u, 0xd65f03c0u}; /* mov w0, #8; ret */
    call("read-only data", (void *)rodata);

    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("handler returned: %d\n", handled);

    uintptr_t top = (uintptr_t)__libc_stack_end & -(uintptr_t)page;
    int r = mprotect((void *)top, page, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN);
    printf("mprotect(stack, PROT_GROWSDOWN | rwx): %d\n", r);
    put_code(on_stack, 9);
    call("stack, now executable", on_stack);
    r = mprotect(q, page, PROT_READ | PROT_GROWSDOWN);
    printf("mprotect(mmap'd page, PROT_GROWSDOWN): %d %s\n", r, r ? (errno == EINVAL ? "EINVAL" : "other") : "");
    return 0;
}
