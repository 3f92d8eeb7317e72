// Shared by the sys/ programs that run a call in a forked child and report the signal it
// raises (noexec, cmofault, fetchfault, ordered): `handler` (SA_SIGINFO) for each signal of
// `sigs`, a list ending with 0.
#include <signal.h>
#include <string.h>

static void catch_signals(void (*handler)(int, siginfo_t *, void *), const int *sigs) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    for (; *sigs; sigs++)
        sigaction(*sigs, &sa, 0);
}
