/* execve of aarch64 programs: of /proc/self/exe, of our own path, through fexecve and
 * execveat, of a script whose interpreter is this aarch64 program, through posix_spawn; argv[0]
 * and the environment arrive exactly; exit statuses and deaths by signal propagate.
 * Run with no arguments. (Without a binfmt_misc registration qemu-aarch64 cannot run this:
 * tests/process.rs checks the output.) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures;
#define CHECK(c, ...) do { if (!(c)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static int child(int argc, char **argv) {
    printf("  child: argc=%d", argc);
    for (int i = 0; i < argc; i++) {
        /* Our own path varies: print it as SELF. */
        char *self = getenv("QAL_SELF"), *script = getenv("QAL_SCRIPT");
        printf(" [%s]", self && strcmp(argv[i], self) == 0       ? "SELF"
                        : script && strcmp(argv[i], script) == 0 ? "SCRIPT"
                                                                 : argv[i]);
    }
    const char *x = getenv("QAL_X");
    printf(" QAL_X=%s\n", x ? x : "(unset)");
    char exe[PATH_MAX] = {0};
    readlink("/proc/self/exe", exe, sizeof exe - 1);
    const char *self = getenv("QAL_SELF");
    printf("  child: /proc/self/exe is this program: %s\n", self && strcmp(exe, self) == 0 ? "yes" : "no");
    fflush(stdout);
    return 0;
}

static int run(const char *what, pid_t pid) {
    int st;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    fflush(stdout);
    return st;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
    if (argc > 1 && strcmp(argv[1], "kill") == 0) { raise(SIGTERM); return 1; }
    if (argc > 1 && strncmp(argv[1], "child", 5) == 0) return child(argc, argv);
    if (argc > 1) { printf("unexpected arguments\n"); return 2; }

    char self[PATH_MAX] = {0};
    CHECK(readlink("/proc/self/exe", self, sizeof self - 1) > 0, "readlink");
    char real[PATH_MAX];
    CHECK(realpath(argv[0], real) && strcmp(real, self) == 0, "/proc/self/exe is not argv[0]'s file");
    setenv("QAL_SELF", self, 1);
    printf("/proc/self/exe names the guest program: yes\n");

    pid_t pid = fork();
    if (pid == 0) {
        char *a[] = {"custom-argv0", "child", "a b", "", NULL};
        execv("/proc/self/exe", a);
        _exit(127);
    }
    run("execv /proc/self/exe", pid);

    pid = fork();
    if (pid == 0) {
        char env[PATH_MAX + 16];
        snprintf(env, sizeof env, "QAL_SELF=%s", self);
        char *a[] = {"x", "child", NULL};
        char *e[] = {"QAL_X=from envp", env, NULL};
        execve(self, a, e);
        _exit(127);
    }
    run("execve own path with an environment", pid);

    pid = fork();
    if (pid == 0) {
        int fd = open(self, O_RDONLY | O_CLOEXEC);
        char *a[] = {"fexecve-argv0", "child", NULL};
        fexecve(fd, a, environ);
        _exit(127);
    }
    run("fexecve", pid);

    pid = fork();
    if (pid == 0) {
        char dir[PATH_MAX];
        strcpy(dir, self);
        *strrchr(dir, '/') = 0;
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        char *a[] = {"execveat-argv0", "child", NULL};
        syscall(SYS_execveat, dfd, strrchr(self, '/') + 1, a, environ, 0);
        _exit(127);
    }
    run("execveat dirfd+name", pid);

    char script[] = "/tmp/qal-reexec-XXXXXX";
    int fd = mkstemp(script);
    dprintf(fd, "#!%s child-from-script\n", self);
    fchmod(fd, 0755);
    close(fd);
    setenv("QAL_SCRIPT", script, 1);
    pid = fork();
    if (pid == 0) {
        char *a[] = {"script-argv0", "arg1", NULL};
        execv(script, a);
        _exit(127);
    }
    run("script with an aarch64 interpreter", pid);
    unlink(script);

    char *sa[] = {"spawned", "child", NULL};
    CHECK(posix_spawn(&pid, self, NULL, NULL, sa, environ) == 0, "posix_spawn");
    run("posix_spawn", pid);

    pid = fork();
    if (pid == 0) { char *a[] = {"e", "exit", "17", NULL}; execv(self, a); _exit(127); }
    run("exit status", pid);
    pid = fork();
    if (pid == 0) { char *a[] = {"k", "kill", NULL}; execv(self, a); _exit(127); }
    run("death by signal", pid);

    printf("failures=%d\n", failures);
    /* Finally replace this process itself. */
    char *last[] = {"final", "exit", "0", NULL};
    execv("/proc/self/exe", last);
    return 1;
}
