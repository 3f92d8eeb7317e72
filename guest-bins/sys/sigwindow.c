// A signal that arrives just before a blocking syscall starts must run its handler before
// the syscall blocks: the self-pipe pattern of Python's asyncio and other event loops (a
// handler writes to a pipe that the program then reads or polls). A child process sends
// SIGUSR1 each time the parent asks; the parent spins for a varying time, so that the signal
// lands before, in the middle of, or during its blocking wait (read, poll, epoll_wait, a
// futex wait, a sigtimedwait for the SIGUSR2 that the handler raises), which only the
// handler's write, wake or raise ends. Under an emulator that checks
// for pending signals and then makes the host syscall, a signal in between leaves the wait
// blocked for ever; here every round must finish ("rounds=N ok", status 0; the test's
// timeout fails a hang).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int wake[2];
static volatile uint32_t word;
/// Set for the sigtimedwait rounds: the handler then raises SIGUSR2 (blocked), which ends the
/// wait (an EINTR first, when the handler interrupted the wait, is retried).
static volatile sig_atomic_t raise_usr2;

static void on_usr1(int sig) {
    (void)sig;
    int e = errno;
    char c = 1;
    (void)!write(wake[1], &c, 1);
    word = 1;
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    if (raise_usr2)
        raise(SIGUSR2);
    errno = e;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 2000;
    int req[2];
    if (pipe(wake) != 0 || pipe(req) != 0)
        return 2;
    struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(req[1]);
        while (read(req[0], &c, 1) == 1)
            kill(parent, SIGUSR1);
        _exit(0);
    }
    close(req[0]);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = wake[0]};
    epoll_ctl(ep, EPOLL_CTL_ADD, wake[0], &ev);
    unsigned seed = 12345;
    for (int i = 0; i < rounds; i++) {
        word = 0;
        raise_usr2 = i % 5 == 4;
        char c = 0;
        if (write(req[1], &c, 1) != 1)
            return 3;
        seed = seed * 1103515245 + 12345;
        for (volatile unsigned k = (seed >> 16) % 4000; k > 0; k--)
            ;
        switch (i % 5) {
        case 0:
            if (read(wake[0], &c, 1) != 1)
                return 4;
            break;
        case 1: {
            struct pollfd p = {.fd = wake[0], .events = POLLIN};
            while (poll(&p, 1, -1) != 1)
                ;
            if (read(wake[0], &c, 1) != 1)
                return 5;
            break;
        }
        case 2: {
            struct epoll_event out;
            while (epoll_wait(ep, &out, 1, -1) != 1)
                ;
            if (read(wake[0], &c, 1) != 1)
                return 6;
            break;
        }
        case 3:
            while (word == 0)
                syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
            if (read(wake[0], &c, 1) != 1)
                return 7;
            break;
        default: {
            int r;
            do
                r = sigtimedwait(&usr2, NULL, NULL);
            while (r == -1 && errno == EINTR);
            if (r != SIGUSR2 || read(wake[0], &c, 1) != 1)
                return 8;
            break;
        }
        }
    }
    close(req[1]);
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    printf("rounds=%d ok\n", rounds);
    return 0;
}
