/* Real-time signals queue: each sigqueue of a blocked real-time signal is delivered once,
 * with its own si_value, each signal's instances in the order sent, when the signals are
 * unblocked; a standard signal sent twice while blocked is delivered once; then the same
 * queue through sigtimedwait. (Printed per signal: the interleaving of the different
 * signals' handlers, which nest, is not compared.) */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int order[64], n;

static void rt(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    order[n++] = (sig - SIGRTMIN) * 100 + si->si_value.sival_int;
}

static void usr(int sig) {
    (void)sig;
    order[n++] = -1;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = rt;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGRTMIN, &sa, 0);
    sigaction(SIGRTMIN + 1, &sa, 0);
    signal(SIGUSR1, usr);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGRTMIN + 1);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, 0);
    for (int i = 0; i < 4; i++) {
        sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = i});
        sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i});
    }
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &set, 0);
    printf("delivered to handlers: %d\n", n);
    const char *names[] = {"SIGRTMIN", "SIGRTMIN+1"};
    for (int s = 0; s < 2; s++) {
        printf("%s:", names[s]);
        for (int i = 0; i < n; i++)
            if (order[i] >= 0 && order[i] / 100 == s)
                printf(" %d", order[i] % 100);
        printf("\n");
    }
    int usr1 = 0;
    for (int i = 0; i < n; i++)
        usr1 += order[i] == -1;
    printf("SIGUSR1: %d\n", usr1);

    sigprocmask(SIG_BLOCK, &set, 0);
    for (int i = 0; i < 5; i++)
        sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 10 + i});
    struct timespec zero = {0, 0};
    siginfo_t si;
    int k = 0;
    printf("sigtimedwait:");
    while (sigtimedwait(&set, &si, &zero) > 0) {
        printf(" %d", si.si_value.sival_int);
        k++;
    }
    printf(" (%d)\n", k);
    return 0;
}
