// xtask: cflags -pthread
/* /proc as the guest must see it: /proc/self/exe (readlink, open, stat, access, in every
 * spelling, through a directory fd and after chdir), /proc/self/auxv against getauxval,
 * /proc/cpuinfo against AT_HWCAP, MIDR_EL1 and the CPU count, /proc/self/maps showing the
 * guest's own code executable, /proc/self/cmdline, comm and stat naming the program,
 * /proc/self/environ holding the guest's environment (not the emulator's),
 * /proc/self/fd without the emulator's descriptor, another aarch64 process's cmdline showing
 * its argv. (qemu-aarch64 7.2 shows the host's cpuinfo and only recognises absolute
 * /proc/self paths: tests/process.rs checks the output.) */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
static void check(const char *what, int ok) {
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    failures += !ok;
}

static int is_aarch64_elf_fd(int fd) {
    Elf64_Ehdr h;
    int ok = fd >= 0 && pread(fd, &h, sizeof h, 0) == sizeof h && memcmp(h.e_ident, ELFMAG, 4) == 0 &&
             h.e_machine == EM_AARCH64;
    if (fd >= 0) close(fd);
    return ok;
}

static int same_file(struct stat *a, struct stat *b) { return a->st_dev == b->st_dev && a->st_ino == b->st_ino; }

static char self[PATH_MAX];
static void *thread_exe(void *arg) {
    (void)arg;
    char buf[PATH_MAX] = {0};
    readlink("/proc/thread-self/exe", buf, sizeof buf - 1);
    return (void *)(long)(strcmp(buf, self) == 0);
}

static const char *hwcap_names[] = {"fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32",
                                    "atomics", "fphp", "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc"};

/* The child of other_cmdline_is_argv, exec'd as {"renamed", "--wait", ...}: says it runs,
 * then waits for its stdin to close. */
static int wait_mode(void) {
    char c;
    if (write(3, "r", 1) != 1) return 1;
    while (read(0, &c, 1) > 0) {
    }
    return 0;
}

/* Another process's /proc/<pid>/cmdline (read from the kernel, not emulated for the reader):
 * an aarch64 program's own argv, as natively, followed by nothing but NULs (the emulator
 * writes the guest's strings over its own command line; qemu-aarch64 7.2 shows its own). */
static int other_cmdline_is_argv(void) {
    int in[2], ready[2];
    if (pipe(in) != 0 || pipe(ready) != 0) return 0;
    char *av[] = {"renamed", "--wait", "a b", "", "c", NULL};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(ready[1], 3);
        close(in[1]);
        execv("/proc/self/exe", av);
        _exit(127);
    }
    close(in[0]);
    close(ready[1]);
    char c, path[64], got[4096];
    int ok = pid > 0 && read(ready[0], &c, 1) == 1;
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    int fd = open(path, O_RDONLY);
    ssize_t n = 0, r;
    while (fd >= 0 && n < (ssize_t)sizeof got && (r = read(fd, got + n, sizeof got - n)) > 0) n += r;
    if (fd >= 0) close(fd);
    const char want[] = "renamed\0--wait\0a b\0\0c";  /* and its NUL */
    ok = ok && n >= (ssize_t)sizeof want && memcmp(got, want, sizeof want) == 0;
    for (ssize_t k = sizeof want; ok && k < n; k++) ok = got[k] == 0;
    close(in[1]);
    close(ready[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return ok && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv, char **envp) {
    if (argc > 1 && strcmp(argv[1], "--wait") == 0) return wait_mode();
    char real[PATH_MAX], buf[PATH_MAX];
    realpath(argv[0], real);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    check("readlink /proc/self/exe is the program", n > 0 && strcmp(self, real) == 0);
    snprintf(buf, sizeof buf, "/proc/%d/exe", getpid());
    char other[PATH_MAX] = {0};
    readlink(buf, other, sizeof other - 1);
    check("readlink /proc/<pid>/exe", strcmp(other, self) == 0);
    pthread_t t;
    void *r;
    pthread_create(&t, NULL, thread_exe, NULL);
    pthread_join(t, &r);
    check("readlink /proc/thread-self/exe in a thread", r == (void *)1);

    check("open /proc/self/exe reads an aarch64 ELF", is_aarch64_elf_fd(open("/proc/self/exe", O_RDONLY)));
    struct stat a, b;
    check("stat /proc/self/exe is the program", stat("/proc/self/exe", &a) == 0 && stat(real, &b) == 0 && same_file(&a, &b));
    check("lstat /proc/self/exe is a link", lstat("/proc/self/exe", &a) == 0 && S_ISLNK(a.st_mode));
    check("access /proc/self/exe X_OK", access("/proc/self/exe", X_OK) == 0);
    int dfd = open("/proc/self", O_RDONLY | O_DIRECTORY);
    check("openat(/proc/self fd, exe)", is_aarch64_elf_fd(openat(dfd, "exe", O_RDONLY)));
    memset(buf, 0, sizeof buf);
    check("readlinkat(/proc/self fd, exe)", readlinkat(dfd, "exe", buf, sizeof buf - 1) > 0 && strcmp(buf, self) == 0);
    check("fstatat(/proc/self fd, exe)", fstatat(dfd, "exe", &a, 0) == 0 && same_file(&a, &b));
    close(dfd);
    char cwd[PATH_MAX];
    getcwd(cwd, sizeof cwd);
    chdir("/proc");
    check("after chdir(/proc): open self/exe", is_aarch64_elf_fd(open("self/exe", O_RDONLY)));
    memset(buf, 0, sizeof buf);
    check("after chdir(/proc): readlink self/exe", readlink("self/exe", buf, sizeof buf - 1) > 0 && strcmp(buf, self) == 0);
    chdir("self");
    check("after chdir(/proc/self): open ./exe", is_aarch64_elf_fd(open("./exe", O_RDONLY)));
    int afd = open("auxv", O_RDONLY);
    chdir(cwd);

    /* auxv: 16-byte entries ending in AT_NULL that agree with getauxval. */
    uint64_t av[256];
    n = afd >= 0 ? read(afd, av, sizeof av) : -1;
    close(afd);
    int entries = n > 0 ? (int)(n / 16) : 0;
    check("/proc/self/auxv: whole entries ending with AT_NULL", n > 0 && n % 16 == 0 && av[2 * entries - 2] == AT_NULL);
    unsigned long keys[] = {AT_PAGESZ, AT_HWCAP, AT_HWCAP2, AT_ENTRY, AT_PHDR, AT_PHNUM, AT_RANDOM, AT_UID, AT_EXECFN};
    int agree = 1, found = 0;
    for (int i = 0; i + 1 < entries; i++)
        for (unsigned k = 0; k < sizeof keys / sizeof *keys; k++)
            if (av[2 * i] == keys[k]) { found++; agree &= av[2 * i + 1] == getauxval(keys[k]); }
    check("/proc/self/auxv agrees with getauxval", agree && found >= 8);

    /* cpuinfo */
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[1024];
    int procs = 0, features_ok = 1, features_lines = 0, impl_ok = 1, arch_ok = 1;
    unsigned long hw = getauxval(AT_HWCAP), midr;
    __asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
    while (f && fgets(line, sizeof line, f)) {
        unsigned v;
        if (strncmp(line, "processor\t: ", 12) == 0) procs++;
        if (sscanf(line, "CPU implementer\t: 0x%x", &v) == 1) impl_ok &= v == ((midr >> 24) & 0xff);
        if (sscanf(line, "CPU part\t: 0x%x", &v) == 1) impl_ok &= v == ((midr >> 4) & 0xfff);
        if (strncmp(line, "CPU architecture", 16) == 0) arch_ok &= strcmp(line, "CPU architecture: 8\n") == 0;
        if (strncmp(line, "Features\t:", 10) == 0) {
            features_lines++;
            char *list = line + 10;
            for (unsigned bit = 0; bit < sizeof hwcap_names / sizeof *hwcap_names; bit++) {
                char word[32];
                snprintf(word, sizeof word, " %s", hwcap_names[bit]);
                char *p = strstr(list, word);
                int listed = p && (p[strlen(word)] == ' ' || p[strlen(word)] == '\n');
                features_ok &= listed == (int)((hw >> bit) & 1);
            }
        }
    }
    if (f) fclose(f);
    check("/proc/cpuinfo: one block per online CPU", procs > 0 && procs == sysconf(_SC_NPROCESSORS_ONLN));
    check("/proc/cpuinfo: Features match AT_HWCAP", features_lines == procs && features_ok);
    check("/proc/cpuinfo: implementer and part match MIDR_EL1", impl_ok);
    check("/proc/cpuinfo: CPU architecture: 8", arch_ok);
    check("/proc/cpuinfo cannot be opened for writing", open("/proc/cpuinfo", O_WRONLY) < 0);

    /* maps: the mapping holding main is there, readable and executable (r-xp); the one
     * holding a local variable is the [stack]; the malloc'd (brk) memory is the [heap]; no
     * x86-only [vsyscall] page. */
    f = fopen("/proc/self/maps", "r");
    int code_mapped = 0, stack_labelled = 0, heap_labelled = 0, vsyscall = 0;
    int local = 0;
    void *small = malloc(64);
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3) continue;
        if (lo <= (unsigned long)main && (unsigned long)main < hi) code_mapped = perms[0] == 'r' && perms[2] == 'x';
        if (lo <= (unsigned long)&local && (unsigned long)&local < hi) stack_labelled = strstr(line, "[stack]") != NULL;
        if (lo <= (unsigned long)small && (unsigned long)small < hi) heap_labelled = strstr(line, "[heap]") != NULL;
        vsyscall |= strstr(line, "[vsyscall]") != NULL;
    }
    if (f) fclose(f);
    free(small);
    check("/proc/self/maps shows the guest code executable", code_mapped);
    check("/proc/self/maps labels the stack", stack_labelled);
    check("/proc/self/maps labels the brk heap", heap_labelled);
    check("/proc/self/maps has no x86 vsyscall page", !vsyscall);

    /* cmdline: argv as the program has it, NUL-separated (read from its memory, so an
     * argv[0] changed in place shows too); comm and stat: the program's name, as execve sets
     * it (qemu-aarch64 7.2 shows its own command line and name). */
    char want[4096], got[4096];
    size_t wn = 0;
    for (int k = 0; k < argc && wn < sizeof want; k++) {
        size_t l = strlen(argv[k]) + 1;
        if (wn + l > sizeof want) break;
        memcpy(want + wn, argv[k], l);
        wn += l;
    }
    int cfd = open("/proc/self/cmdline", O_RDONLY);
    ssize_t gn = cfd >= 0 ? read(cfd, got, sizeof got) : -1;
    if (cfd >= 0) close(cfd);
    check("/proc/self/cmdline is argv", gn == (ssize_t)wn && memcmp(got, want, wn) == 0);
    char saved = argv[0][0];
    argv[0][0] = '#';
    cfd = open("/proc/self/cmdline", O_RDONLY);
    gn = cfd >= 0 ? read(cfd, got, sizeof got) : -1;
    if (cfd >= 0) close(cfd);
    argv[0][0] = saved;
    check("/proc/self/cmdline follows argv changed in place", gn == (ssize_t)wn && got[0] == '#');
    check("/proc/<child>/cmdline is the child's argv", other_cmdline_is_argv());
    /* environ: the initial environment strings, NUL-terminated, exactly envp's (the emulator's
     * own would still hold QEMU_* variables and miss -E/-U; tests/process.rs runs this with
     * both). */
    size_t en = 0;
    for (char **e = envp; *e && en < sizeof want; e++) {
        size_t l = strlen(*e) + 1;
        if (en + l > sizeof want) break;
        memcpy(want + en, *e, l);
        en += l;
    }
    cfd = open("/proc/self/environ", O_RDONLY);
    gn = 0;
    for (ssize_t k; cfd >= 0 && gn < (ssize_t)sizeof got && (k = read(cfd, got + gn, sizeof got - gn)) > 0;) gn += k;
    if (cfd >= 0) close(cfd);
    check("/proc/self/environ is envp", cfd >= 0 && gn == (ssize_t)en && memcmp(got, want, en) == 0);
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    char comm[32] = {0};
    f = fopen("/proc/self/comm", "r");
    if (f && fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = 0;
    if (f) fclose(f);
    check("/proc/self/comm is the program's name", strncmp(comm, base, 15) == 0 && strlen(comm) == (strlen(base) < 15 ? strlen(base) : 15));
    char stat_line[512] = {0}, name[64];
    f = fopen("/proc/self/stat", "r");
    if (f && fgets(stat_line, sizeof stat_line, f)) {}
    if (f) fclose(f);
    snprintf(name, sizeof name, " (%s) ", comm);
    check("/proc/self/stat names the program", comm[0] && strstr(stat_line, name) != NULL);

    /* stat's address fields are the guest's: start_stack (28) above this frame, inside the
     * [stack] mapping; arg_start (48) is argv[0]; start_code/end_code (26/27) hold main. */
    unsigned long fld[64] = {0};
    char *rp = strrchr(stat_line, ')');
    int nf = 3;
    for (char *tok = rp ? strtok(rp + 1, " ") : NULL; tok && nf < 64; tok = strtok(NULL, " ")) fld[nf++] = strtoul(tok, NULL, 10);
    unsigned long stack_lo = 0, stack_hi = 0;
    f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) stack_lo = lo, stack_hi = hi;
    }
    if (f) fclose(f);
    check("/proc/self/stat start_stack is the guest's", nf > 51 && fld[28] > (unsigned long)&local &&
                                                           fld[28] >= stack_lo && fld[28] < stack_hi);
    check("/proc/self/stat arg_start is argv[0]", nf > 51 && fld[48] == (unsigned long)argv[0]);
    check("/proc/self/stat code range holds main", nf > 51 && fld[26] <= (unsigned long)main &&
                                                       (unsigned long)main < fld[27]);

    /* fd: every descriptor listed is an ordinary one the program can use; none is the
     * emulator's O_PATH descriptor of its own binary (this program opens no O_PATH one). */
    DIR *fds = opendir("/proc/self/fd");
    int listed = 0, usable = 0;
    struct dirent *de;
    while (fds && (de = readdir(fds)) != NULL) {
        if (de->d_name[0] == '.') continue;
        int fd = atoi(de->d_name);
        if (fd == dirfd(fds)) continue;
        listed++;
        int fl = fcntl(fd, F_GETFL);
        usable += fl != -1 && !(fl & O_PATH);
    }
    if (fds) closedir(fds);
    check("/proc/self/fd lists only the program's descriptors", listed >= 3 && usable == listed);
    printf("failures=%d\n", failures);
    return failures != 0;
}
