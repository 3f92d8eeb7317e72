/* The raw brk system call with breaks it cannot set: the kernel leaves the break where it
 * was and returns it (no errno). Among them a break in the last page of the address space,
 * whose page-aligned end wraps to 0. Then a break moved up and back down, as malloc does. */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    long cur = syscall(SYS_brk, 0);
    long bad[] = {-1L, -4095L, -4096L, 0x7ffffffff000L, 0x1000000000000L, 1L, cur - 4096 * 1024L};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long r = syscall(SYS_brk, bad[i]);
        printf("brk(%#lx): %s\n", (unsigned long)bad[i], r == cur ? "unchanged" : "moved");
    }
    long up = syscall(SYS_brk, cur + 100000);
    printf("up 100000: %s\n", up == cur + 100000 ? "ok" : "failed");
    ((volatile char *)cur)[99999] = 1;
    long down = syscall(SYS_brk, cur);
    printf("back down: %s\n", down == cur ? "ok" : "failed");
    return 0;
}
