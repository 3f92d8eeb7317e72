/* Prints what the kernel (or the emulator) put on the initial stack: argc, argv, the environment
 * variables whose names start with QAL_ (sorted, so that order does not matter), and facts from
 * the auxiliary vector. Facts that differ between machines (the random bytes, addresses) are
 * printed as checks, not values; AT_EXECFN is the path the program was started by. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#ifndef HWCAP_FP
#define HWCAP_FP (1 << 0)
#endif
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif

extern char **environ;

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv, char **envp) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\"\n", i, argv[i]);
    printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "not NULL");
    printf("envp==environ: %s\n", envp == environ ? "yes" : "no");

    char *sel[256];
    int n = 0, total = 0;
    for (char **e = envp; *e; e++) {
        total++;
        if (strncmp(*e, "QAL_", 4) == 0 && n < 256)
            sel[n++] = *e;
    }
    qsort(sel, n, sizeof sel[0], cmp);
    for (int i = 0; i < n; i++)
        printf("env: %s\n", sel[i]);
    printf("QAL_ variables: %d\n", n);
    const char *g = getenv("QAL_GETENV");
    printf("getenv(QAL_GETENV)=%s\n", g ? g : "(null)");

    /* The stack layout the ABI promises: envp follows argv's NULL, auxv follows envp's NULL. */
    printf("envp == argv + argc + 1: %s\n", envp == argv + argc + 1 ? "yes" : "no");
    Elf64_auxv_t *av = (Elf64_auxv_t *)(envp + total + 1);
    int seen_pagesz = 0;
    for (; av->a_type != AT_NULL; av++)
        if (av->a_type == AT_PAGESZ)
            seen_pagesz = av->a_un.a_val == (unsigned long)getauxval(AT_PAGESZ);
    printf("auxv after envp agrees with getauxval: %s\n", seen_pagesz ? "yes" : "no");

    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("sysconf(_SC_PAGESIZE)=%ld\n", sysconf(_SC_PAGESIZE));
    unsigned long hwcap = getauxval(AT_HWCAP);
    printf("AT_HWCAP has FP: %s\n", (hwcap & HWCAP_FP) ? "yes" : "no");
    printf("AT_HWCAP has ASIMD: %s\n", (hwcap & HWCAP_ASIMD) ? "yes" : "no");
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    printf("AT_RANDOM non-null: %s\n", rnd ? "yes" : "no");
    if (rnd) {
        /* 16 bytes must be readable; all-zero would mean nobody filled them. */
        int nz = 0;
        for (int i = 0; i < 16; i++)
            nz |= rnd[i];
        printf("AT_RANDOM bytes not all zero: %s\n", nz ? "yes" : "no");
    }
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN=%s\n", execfn ? execfn : "(null)");
    const char *plat = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM=%s\n", plat ? plat : "(null)");
    printf("AT_PHENT=%lu\n", getauxval(AT_PHENT));
    printf("AT_PHDR non-null: %s\n", getauxval(AT_PHDR) ? "yes" : "no");
    printf("AT_ENTRY non-null: %s\n", getauxval(AT_ENTRY) ? "yes" : "no");
    printf("AT_UID==getuid: %s\n", getauxval(AT_UID) == (unsigned long)getuid() ? "yes" : "no");
    printf("AT_EUID==geteuid: %s\n", getauxval(AT_EUID) == (unsigned long)geteuid() ? "yes" : "no");
    printf("AT_GID==getgid: %s\n", getauxval(AT_GID) == (unsigned long)getgid() ? "yes" : "no");
    printf("AT_EGID==getegid: %s\n", getauxval(AT_EGID) == (unsigned long)getegid() ? "yes" : "no");
    printf("AT_SECURE=%lu\n", getauxval(AT_SECURE));
    return 0;
}
