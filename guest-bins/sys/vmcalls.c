/* process_vm_readv/writev and the NUMA memory policy calls, which qemu-aarch64 7.2 answers
 * with ENOSYS: on the calling process itself and on a child, with results that do not
 * depend on the machine's NUMA layout. Self-checking (report.h); run natively, the same
 * checks pass. */
#define _GNU_SOURCE
#include "report.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static char shared_text[32] = "written by the parent";

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t me = getpid();
    char src[16] = "process_vm", dst[16] = {0};
    struct iovec local = {dst, sizeof dst}, remote = {src, sizeof src};
    SHOW("process_vm_readv self", syscall(SYS_process_vm_readv, me, &local, 1, &remote, 1, 0));
    CHECK(strcmp(dst, "process_vm") == 0);

    /* a child waits on a pipe while the parent writes into its copy of shared_text */
    int go[2], done[2];
    CHECK(pipe(go) == 0 && pipe(done) == 0);
    pid_t child = fork();
    if (child == 0) {
        char c;
        strcpy(shared_text, "child's own text");
        CHECK(write(done[1], "r", 1) == 1);
        CHECK(read(go[0], &c, 1) == 1);
        printf("child sees: %s\n", shared_text);
        _exit(strcmp(shared_text, "from process_vm_writev") != 0);
    }
    char c;
    CHECK(read(done[0], &c, 1) == 1);
    char text[] = "from process_vm_writev";
    struct iovec l2 = {text, sizeof text}, r2 = {shared_text, sizeof text};
    SHOW("process_vm_writev child", syscall(SYS_process_vm_writev, child, &l2, 1, &r2, 1, 0));
    char back[32] = {0};
    struct iovec l3 = {back, sizeof text}, r3 = {shared_text, sizeof text};
    SHOW("process_vm_readv child", syscall(SYS_process_vm_readv, child, &l3, 1, &r3, 1, 0));
    CHECK(strcmp(back, "from process_vm_writev") == 0);
    CHECK(write(go[1], "g", 1) == 1);
    int st;
    waitpid(child, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* memory policies: the default, then MPOL_PREFERRED for node 0 on a mapping and back */
    int mode = -1;
    SHOW("get_mempolicy", syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0));
    CHECK(mode == 0); /* MPOL_DEFAULT */
    unsigned long node0 = 1;
    void *m = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SHOW("mbind preferred node 0", syscall(SYS_mbind, m, 1 << 16, 1 /* MPOL_PREFERRED */, &node0, 64, 0));
    mode = -1;
    SHOW("get_mempolicy addr", syscall(SYS_get_mempolicy, &mode, NULL, 0, m, 2 /* MPOL_F_ADDR */));
    CHECK(mode == 1);
    SHOW("set_mempolicy default", syscall(SYS_set_mempolicy, 0, NULL, 0));
    SHOW("mbind bad mode", syscall(SYS_mbind, m, 1 << 16, 99, NULL, 0, 0));
    CHECK(errno == EINVAL);

    printf("failures=%d\n", failures);
    return failures != 0;
}
