// Real-time signals and the C library's internal ones. glibc keeps signals 32 (SIGCANCEL:
// pthread_cancel) and 33 (SIGSETXID: setuid/setgid/setgroups broadcast to every thread) for
// itself, in the guest as on the host; the emulator's host C library owns the host's 32 and
// 33, so the guest's travel as other host signals (src/linux/signal/map.rs). Each case below
// crashed or killed the emulator when guest signal numbers went to the host unchanged.
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int got[65];
static volatile int queued_sig, queued_value;
static void on_rt(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got[sig]++;
    if (si->si_signo != sig) got[0]++;
    if (sig == queued_sig && si->si_code == SI_QUEUE) queued_value = si->si_value.sival_int;
}

static void *sleeper(void *a) {
    (void)a;
    for (;;) pause();
    return 0;
}

static volatile int waited;
static void on_wait(int sig) { waited = sig; }
static pid_t me;
static void *send_later(void *a) {
    usleep(30000);
    kill(me, (int)(long)a);
    return 0;
}

static volatile int timer_fired;
static void on_timer(union sigval v) { timer_fired = v.sival_int; }

int main(void) {
    // pthread_cancel of a thread blocked in pause() (glibc's SIGCANCEL)
    pthread_t t;
    void *res;
    pthread_create(&t, 0, sleeper, 0);
    usleep(20000);
    int c = pthread_cancel(t);
    pthread_join(t, &res);
    printf("cancel: %d, canceled: %d\n", c, res == PTHREAD_CANCELED);

    // setgroups/setgid with another thread alive (glibc's SIGSETXID broadcast)
    pthread_create(&t, 0, sleeper, 0);
    usleep(20000);
    gid_t g = getgid();
    int r1 = setgroups(1, &g);
    int r2 = setgid(g);
    printf("setgroups: %d, setgid: %d\n", r1, r2);
    pthread_cancel(t);
    pthread_join(t, 0);

    // handlers for SIGRTMIN..SIGRTMAX-2, sent by kill, sigqueue and to a thread
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_rt;
    sa.sa_flags = SA_SIGINFO;
    int lo = SIGRTMIN, hi = SIGRTMAX - 2;
    for (int s = lo; s <= hi; s++) sigaction(s, &sa, 0);
    for (int s = lo; s <= hi; s++) kill(getpid(), s);
    union sigval v = {.sival_int = 4242};
    queued_sig = lo + 5;
    sigqueue(getpid(), lo + 5, v);
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), hi);
    int all = 1;
    for (int s = lo; s <= hi; s++) all &= got[s] == (s == hi ? 2 : s == lo + 5 ? 2 : 1);
    printf("SIGRTMIN=%d SIGRTMAX=%d: all delivered once: %d, queued value %d, si_signo mismatches %d\n", lo,
           SIGRTMAX, all, queued_value, got[0]);

    // a blocked real-time signal: pending, then taken by sigtimedwait
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, lo + 3);
    sigprocmask(SIG_BLOCK, &set, &old);
    kill(getpid(), lo + 3);
    sigset_t pend;
    sigpending(&pend);
    siginfo_t si;
    struct timespec ts = {1, 0};
    int w = sigtimedwait(&set, &si, &ts);
    printf("pending: %d, sigtimedwait: %d (SIGRTMIN+%d), si_signo %d\n", sigismember(&pend, lo + 3), w, w - lo,
           si.si_signo);
    sigprocmask(SIG_SETMASK, &old, 0);

    // a SIGEV_THREAD timer (glibc delivers it with its internal signal)
    timer_t tm;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = on_timer;
    ev.sigev_value.sival_int = 7;
    int tc = timer_create(CLOCK_MONOTONIC, &ev, &tm);
    struct itimerspec its = {{0, 0}, {0, 20000000}};
    timer_settime(tm, 0, &its, 0);
    for (int i = 0; i < 200 && !timer_fired; i++) usleep(5000);
    printf("SIGEV_THREAD timer: %d, fired with %d\n", tc, timer_fired);

    // a child killed by a real-time signal: the wait status names it
    pid_t pid = fork();
    if (pid == 0) {
        signal(lo + 7, SIG_DFL);
        for (;;) pause();
    }
    usleep(20000);
    kill(pid, lo + 7);
    int st;
    waitpid(pid, &st, 0);
    printf("child: signaled %d, by SIGRTMIN+%d\n", WIFSIGNALED(st), WTERMSIG(st) - lo);

    // a real-time signal blocked, then let through by the mask of ppoll, pselect, epoll_pwait:
    // delivered to its handler, which returns to a call that failed with EINTR
    signal(lo + 4, on_wait);
    sigset_t blk, none;
    sigemptyset(&blk);
    sigaddset(&blk, lo + 4);
    sigprocmask(SIG_BLOCK, &blk, 0);
    sigemptyset(&none);
    me = getpid();
    struct timespec two = {2, 0};
    int ep = epoll_create1(0);
    struct epoll_event eev;
    for (int k = 0; k < 3; k++) {
        waited = 0;
        pthread_create(&t, 0, send_later, (void *)(long)(lo + 4));
        int rr = k == 0 ? ppoll(0, 0, &two, &none) : k == 1 ? pselect(0, 0, 0, 0, &two, &none) : epoll_pwait(ep, &eev, 1, 2000, &none);
        pthread_join(t, 0);
        printf("%s: %d, handler ran for SIGRTMIN+%d\n", k == 0 ? "ppoll" : k == 1 ? "pselect" : "epoll_pwait", rr,
               waited ? waited - lo : -1);
    }
    sigprocmask(SIG_UNBLOCK, &blk, 0);
    int fd = open("/dev/null", O_RDONLY);
    fcntl(fd, F_SETSIG, lo + 1);
    printf("F_GETSIG: SIGRTMIN+%d\n", fcntl(fd, F_GETSIG) - lo);

    // the parent-death signal reads back as set
    prctl(PR_SET_PDEATHSIG, lo + 2);
    int pd = 0;
    prctl(PR_GET_PDEATHSIG, &pd);
    printf("pdeathsig: SIGRTMIN+%d\n", pd - lo);
    return 0;
}
