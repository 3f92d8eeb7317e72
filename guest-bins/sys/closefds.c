// A program that closes every descriptor above stderr (close_range(3, ~0), as Python's
// subprocess child and daemons do), then makes system calls that take pointers, takes
// descriptors 3 and 4 for itself, handles a signal (the frame is written to guest memory)
// and vforks a child that closes them all too, then (with the argument `exec`) executes this
// program again, else exits. (Under qemu-aarch64 the execution of an aarch64 program needs a
// binfmt_misc handler, which the sys/ test cannot assume; tests/container.rs passes `exec`.)
// Under Docker's default seccomp profile the
// emulator copies guest memory for these calls without process_vm_readv/writev; none may
// show: the first descriptor opened is 3, the calls succeed, the program's own pipe holds
// only its own bytes, bad pointers give EFAULT. Run by the sys/ test and in a container (tests/container.rs).
#define _GNU_SOURCE
#include "report.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got;
static void on_usr1(int s) { got = s; }

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return 7;
    int exec_child = argc > 1 && strcmp(argv[1], "exec") == 0;
    struct stat st;
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    SHOW("first open", fd);
    CHECK(fd == 3);
    close(fd);
    SHOW("close_range(3, ~0)", syscall(SYS_close_range, 3, ~0U, 0));
    SHOW("stat", stat("/", &st));
    fd = open("/", O_RDONLY | O_DIRECTORY);
    SHOW("open after close_range", fd);
    CHECK(fd == 3);
    int p[2];
    SHOW("pipe", pipe2(p, O_NONBLOCK));
    printf("pipe fds %d %d\n", p[0], p[1]);
    SHOW("stat with the pipe open", stat("/", &st));
    SHOW("write 3 bytes", write(p[1], "abc", 3));
    // Bad pointers still give EFAULT (the emulator's copy of guest memory fails cleanly).
    void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    SHOW("stat of an unmapped path", stat((const char *)16, &st));
    SHOW("stat into a read-only page", stat("/", (struct stat *)ro));
    signal(SIGUSR1, on_usr1);
    SHOW("raise", raise(SIGUSR1));
    printf("handler ran: %d\n", got == SIGUSR1);
    char buf[64];
    SHOW("read own pipe", read(p[0], buf, sizeof buf));
    SHOW("read again (empty)", read(p[0], buf, sizeof buf));
    char *args[] = {argv[0], "child", NULL};
    pid_t pid = vfork();
    if (pid == 0) {
        syscall(SYS_close_range, 3, ~0U, 0);
        if (!exec_child)
            _exit(7);
        execv("/proc/self/exe", args);
        _exit(99);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("vfork child: exited=%d status=%d\n", WIFEXITED(status), WEXITSTATUS(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    printf("failures=%d\n", failures);
    return failures != 0;
}
