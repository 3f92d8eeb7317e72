/* SA_RESTART and the calls the kernel does not restart after a handler when they wait with a
 * timeout: FUTEX_WAIT with a relative timeout, FUTEX_WAIT_BITSET with an absolute one, recv
 * and read on a socket with SO_RCVTIMEO, semtimedop: each fails with EINTR at the first
 * SIGALRM (200 ms) instead of waiting out its timeout (1.5 s). And a read of a pipe without
 * a timeout, which is restarted and returns the byte a child writes after the signal. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int hits;
static void on_alarm(int sig) {
    (void)sig;
    hits++;
}

static struct timespec t0;
static void start(void) {
    hits = 0;
    errno = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct itimerval it = {{0, 0}, {0, 200000}};
    setitimer(ITIMER_REAL, &it, 0);
}
static void done(const char *name, long r) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%-32s r=%ld errno=%-6s handler ran %d, %s\n", name, r, r < 0 ? strerrorname_np(errno) : "-", hits,
           el < 1.0 ? "before the timeout" : "at the timeout or later");
}

int main(void) {
    setvbuf(stdout, 0, _IOLBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, 0);
    static int word;
    struct timespec rel = {1, 500000000};
    start();
    done("futex WAIT, relative timeout", syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &rel, 0, 0));
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_sec += 1;
    abs.tv_nsec += 500000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    start();
    done("futex WAIT_BITSET, abs timeout",
         syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE, 0, &abs, 0, FUTEX_BITSET_MATCH_ANY));
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct timeval tv = {1, 500000};
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char b[8];
    start();
    done("recv, SO_RCVTIMEO", recv(sv[0], b, 1, 0));
    start();
    done("read of a socket, SO_RCVTIMEO", read(sv[0], b, 1));
    int sem = semget(IPC_PRIVATE, 1, 0600);
    struct sembuf down = {0, -1, 0};
    start();
    done("semtimedop", semtimedop(sem, &down, 1, &rel));
    semctl(sem, 0, IPC_RMID);

    int p[2];
    pipe(p);
    pid_t child = fork();
    if (child == 0) {
        usleep(500000);
        (void)!write(p[1], "x", 1);
        _exit(0);
    }
    start();
    done("read of a pipe (restarted)", read(p[0], b, 1));
    waitpid(child, 0, 0);
    return 0;
}
