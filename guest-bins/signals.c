/* Signal delivery: SIGSEGV recovered with siglongjmp (si_code, si_addr), raise and kill to
 * self, a timer signal into a tight loop with no syscalls, V registers preserved across a
 * handler that clobbers them, blocking and sigpending, SIG_IGN, sigaltstack with SA_ONSTACK,
 * SA_RESETHAND, a POSIX timer (timer_create), SA_RESTART of a blocking read, and an ucontext
 * edit (the handler advances the pc past a BRK). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/ucontext.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf jb;
static volatile int count;
static volatile int on_alt;
static char altstack[64 * 1024];

static void segv(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    printf("SIGSEGV: sig %d code %d addr %p\n", sig, si->si_code, si->si_addr);
    siglongjmp(jb, 1);
}
static void usr1(int sig) { (void)sig; count++; }
static void alrm(int sig) { (void)sig; count += 100; }
static void clobber(int sig) {
    (void)sig;
    __asm__ volatile("movi v8.16b, #0x55\n movi v9.16b, #0xaa" ::: "v8", "v9");
}
static void where(int sig) {
    char probe;
    on_alt = (&probe >= altstack && &probe < altstack + sizeof altstack);
    (void)sig;
}
static void skip_brk(int sig, siginfo_t *si, void *ucv) {
    ucontext_t *uc = ucv;
    (void)si;
    printf("SIGTRAP: sig %d, resuming after the brk\n", sig);
    uc->uc_mcontext.pc += 4;
}
static void noop(int sig) { (void)sig; }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (!sigsetjmp(jb, 1)) *(volatile int *)16 = 1;
    printf("recovered from SIGSEGV\n");

    signal(SIGUSR1, usr1);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    printf("count after raise and kill: %d\n", count);

    signal(SIGALRM, alrm);
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    volatile unsigned long x = 0;
    while (count < 100) x++;
    printf("timer signal reached a tight loop\n");

    signal(SIGUSR2, clobber);
    double d = 1.5, e = 0;
    __asm__ volatile("fmov d8, %d0" ::"w"(d) : "v8");
    raise(SIGUSR2);
    __asm__ volatile("fmov %d0, d8" : "=w"(e));
    printf("d8 preserved across a handler: %g\n", e);

    sigset_t s, p;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    sigpending(&p);
    printf("blocked: count %d, pending %d\n", count, sigismember(&p, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("unblocked: count %d\n", count);

    signal(SIGUSR1, SIG_IGN);
    raise(SIGUSR1);
    printf("ignored signal: count %d\n", count);

    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = where;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    struct sigaction now;
    sigaction(SIGUSR2, NULL, &now);
    printf("handler ran on the alternate stack: %d; reset to default: %d\n", on_alt, now.sa_handler == SIG_DFL);

    timer_t t;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGALRM;
    count = 0;
    if (timer_create(CLOCK_MONOTONIC, &ev, &t) == 0) {
        struct itimerspec its = {{0, 0}, {0, 10000000}};
        timer_settime(t, 0, &its, NULL);
        while (count < 100) x++;
        timer_delete(t);
        printf("POSIX timer fired\n");
    }

    int fds[2];
    pipe(fds);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = noop;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    if (fork() == 0) {
        usleep(100000);
        write(fds[1], "x", 1);
        _exit(0);
    }
    struct itimerval it2 = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it2, NULL);
    char c = 0;
    ssize_t n = read(fds[0], &c, 1);
    printf("read restarted after SA_RESTART handler: n=%zd c=%c\n", n, c);
    sa.sa_flags = 0;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it2, NULL);
    n = read(fds[0], &c, 1);
    printf("read without SA_RESTART: n=%zd errno EINTR=%d\n", n, errno == EINTR);

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = skip_brk;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);
    __asm__ volatile("brk #0");
    printf("after brk\n");
    return 0;
}
