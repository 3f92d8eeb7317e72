/* Processes: fork with a pipe, wait statuses (exit codes, death by signal), vfork, popen,
 * posix_spawn, execve of native programs and of a /bin/sh script, exec errors. Only native
 * (x86_64 host) programs are executed here, so qemu-aarch64 runs this too without binfmt. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures;
#define CHECK(c, ...) do { if (!(c)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static void describe(const char *what, int st) {
    if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%s: killed by signal %d%s\n", what, WTERMSIG(st), WCOREDUMP(st) ? " (core)" : "");
    else printf("%s: status 0x%x\n", what, st);
}

/* Read everything from fd into buf. */
static int slurp(int fd, char *buf, int n) {
    int got = 0, r;
    while (got < n - 1 && (r = read(fd, buf + got, n - 1 - got)) > 0) got += r;
    buf[got] = 0;
    return got;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int fds[2];
    pipe(fds);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char msg[64];
        int n = snprintf(msg, sizeof msg, "hello from child, ppid matches: %s", getppid() == getpid() ? "no" : "yes");
        write(fds[1], msg, n);
        _exit(7);
    }
    close(fds[1]);
    char buf[256];
    slurp(fds[0], buf, sizeof buf);
    close(fds[0]);
    printf("pipe: %s\n", buf);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
    describe("fork child", st);

    /* Memory is copied, not shared. */
    static int shared_probe = 1;
    pid = fork();
    if (pid == 0) { shared_probe = 2; _exit(shared_probe); }
    waitpid(pid, &st, 0);
    printf("fork copies memory: child saw %d, parent still %d\n", WEXITSTATUS(st), shared_probe);

    int sigs[] = {SIGKILL, SIGTERM, SIGSEGV, SIGABRT};
    for (int i = 0; i < 4; i++) {
        pid = fork();
        if (pid == 0) {
            if (sigs[i] == SIGSEGV) *(volatile int *)8 = 1;
            if (sigs[i] == SIGABRT) abort();
            raise(sigs[i]);
            _exit(100);
        }
        waitpid(pid, &st, 0);
        /* WCOREDUMP depends on the host's core limit: only the signal is compared. */
        printf("child raising %s: %s %d\n", strsignal(sigs[i]), WIFSIGNALED(st) ? "killed by signal" : "exited",
               WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    }

    pid = fork();
    if (pid == 0) { execl("/bin/sh", "sh", "-c", "exit 3", (char *)NULL); _exit(127); }
    waitpid(pid, &st, 0);
    describe("sh -c 'exit 3'", st);

    /* waitid with WEXITED on a child that exits 9. */
    pid = fork();
    if (pid == 0) _exit(9);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_PID, pid, &si, WEXITED) == 0, "waitid");
    printf("waitid: code %s status %d pid matches %s\n", si.si_code == CLD_EXITED ? "CLD_EXITED" : "?", si.si_status,
           si.si_pid == pid ? "yes" : "no");

    pid = vfork();
    if (pid == 0) {
        execl("/bin/echo", "echo", "vfork child ran /bin/echo", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    describe("vfork+exec", st);
    pid = vfork();
    if (pid == 0) _exit(4);
    waitpid(pid, &st, 0);
    describe("vfork+_exit", st);

    FILE *p = popen("echo popen works; echo second line", "r");
    CHECK(p != NULL, "popen");
    while (fgets(buf, sizeof buf, p)) printf("popen read: %s", buf);
    st = pclose(p);
    describe("pclose", st);
    p = popen("cat > /dev/null; exit 5", "w");
    fputs("data\n", p);
    describe("pclose of a writer", pclose(p));

    pid_t sp;
    char *args[] = {"echo", "posix_spawn", "argument", NULL};
    int r = posix_spawn(&sp, "/bin/echo", NULL, NULL, args, environ);
    CHECK(r == 0, "posix_spawn: %s", strerror(r));
    waitpid(sp, &st, 0);
    describe("posix_spawn /bin/echo", st);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    pipe(fds);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    char *args2[] = {"sh", "-c", "echo through a pipe; exit 6", NULL};
    r = posix_spawnp(&sp, "sh", &fa, NULL, args2, environ);
    CHECK(r == 0, "posix_spawnp: %s", strerror(r));
    close(fds[1]);
    slurp(fds[0], buf, sizeof buf);
    close(fds[0]);
    waitpid(sp, &st, 0);
    printf("posix_spawnp sh with file actions read: %s", buf);
    describe("posix_spawnp sh", st);

    /* A shell script with a native interpreter, with arguments and the environment. */
    char script[] = "/tmp/qal-forkexec-XXXXXX";
    int fd = mkstemp(script);
    const char *body = "#!/bin/sh -e\necho \"script: \\$0 is the script: $( [ \"$0\" = \"$QAL_SCRIPT\" ] && echo yes)\"\n"
                       "echo \"script args: $*\"\nexit 11\n";
    write(fd, body, strlen(body));
    fchmod(fd, 0755);
    close(fd);
    pid = fork();
    if (pid == 0) {
        char *a[] = {"ignored-argv0", "one", "two", NULL};
        char env[128];
        snprintf(env, sizeof env, "QAL_SCRIPT=%s", script);
        char *e[] = {env, "PATH=/usr/bin:/bin", NULL};
        execve(script, a, e);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    describe("script", st);
    unlink(script);

    /* Errors come back to the caller. */
    char *none[] = {"x", NULL};
    errno = 0;
    execve("/nonexistent/program", none, environ);
    printf("execve missing: %s\n", strerror(errno));
    execve("/tmp", none, environ);
    printf("execve directory: %s\n", strerror(errno));
    fd = open("/tmp/qal-forkexec-noexec", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "#!/bin/sh\n", 10);
    close(fd);
    execve("/tmp/qal-forkexec-noexec", none, environ);
    printf("execve without x permission: %s\n", strerror(errno));
    fd = open("/tmp/qal-forkexec-noexec", O_WRONLY | O_TRUNC);
    write(fd, "\1\2\3\4garbage", 11);
    close(fd);
    chmod("/tmp/qal-forkexec-noexec", 0755);
    execve("/tmp/qal-forkexec-noexec", none, environ);
    printf("execve of garbage: %s\n", strerror(errno));
    unlink("/tmp/qal-forkexec-noexec");

    /* The last act: replace ourselves by a native program. */
    printf("failures=%d\n", failures);
    execl("/bin/echo", "echo", "exec of /bin/echo replaced the process", (char *)NULL);
    printf("FAIL: execl: %s\n", strerror(errno));
    return 1;
}
