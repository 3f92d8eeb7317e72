// mq_notify: SIGEV_SIGNAL with a real-time signal (guest 35 travels as host 37) and its
// siginfo (SI_MESGQ, the value, the sender), one registration per queue (EBUSY), removal
// with NULL, signal 0 accepted as "no signal", bad signals and notify kinds refused, and
// glibc's SIGEV_THREAD (a netlink socket and a helper thread). Checks itself ("failures=0");
// qemu-aarch64 7.2 has no mq_notify (ENOSYS), so it runs under the emulator only. Built
// natively for x86_64 it passes the same checks (the kernel's behaviour).
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "report.h"

static volatile sig_atomic_t got_signo, got_code, got_value, got_pid;

static void on_rt(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    got_signo = sig;
    got_code = si->si_code;
    got_value = si->si_value.sival_int;
    got_pid = si->si_pid;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int thread_value;

static void on_thread(union sigval v) {
    pthread_mutex_lock(&lock);
    thread_value = v.sival_int;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
}

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "/lite-mqnotify-%d", (int)getpid());
    struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 16};
    mqd_t q = mq_open(name, O_CREAT | O_RDWR | O_NONBLOCK, 0600, &attr);
    CHECK(q != (mqd_t)-1);
    mq_unlink(name);

    int rt = SIGRTMIN + 1;
    struct sigaction sa = {.sa_sigaction = on_rt, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(rt, &sa, NULL) == 0);

    struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = rt};
    ev.sigev_value.sival_int = 42;
    SHOW("notify signal", mq_notify(q, &ev));
    errno = 0;
    CHECK(mq_notify(q, &ev) == -1 && errno == EBUSY);
    SHOW("send", mq_send(q, "hello", 5, 1));
    for (int i = 0; i < 1000 && !got_signo; i++)
        usleep(1000);
    printf("signal %s code %s value %d from self %d\n", got_signo == rt ? "SIGRTMIN+1" : "other",
           got_code == SI_MESGQ ? "SI_MESGQ" : "other", (int)got_value, got_pid == getpid());
    CHECK(got_signo == rt && got_code == SI_MESGQ && got_value == 42 && got_pid == getpid());
    char buf[16];
    CHECK(mq_receive(q, buf, sizeof buf, NULL) == 5);

    // The notification removed the registration: register again, then remove it.
    SHOW("notify again", mq_notify(q, &ev));
    SHOW("notify NULL (remove)", mq_notify(q, NULL));
    got_signo = 0;
    CHECK(mq_send(q, "x", 1, 0) == 0);
    usleep(20000);
    CHECK(got_signo == 0);
    CHECK(mq_receive(q, buf, sizeof buf, NULL) == 1);

    // Signal 0: accepted, nothing delivered.
    ev.sigev_signo = 0;
    SHOW("notify signal 0", mq_notify(q, &ev));
    CHECK(mq_send(q, "y", 1, 0) == 0);
    usleep(20000);
    CHECK(got_signo == 0);
    CHECK(mq_receive(q, buf, sizeof buf, NULL) == 1);

    ev.sigev_signo = 65;
    SHOW("notify signal 65", mq_notify(q, &ev));
    CHECK(errno == EINVAL);
    ev.sigev_signo = -1;
    SHOW("notify signal -1", mq_notify(q, &ev));
    CHECK(errno == EINVAL);
    ev.sigev_notify = 77;
    ev.sigev_signo = rt;
    SHOW("notify kind 77", mq_notify(q, &ev));
    CHECK(errno == EINVAL);
    SHOW("notify bad descriptor", mq_notify(9999, NULL));
    CHECK(errno == EBADF);

    // SIGEV_THREAD: glibc's helper thread calls the function with the value.
    struct sigevent tev = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_thread};
    tev.sigev_value.sival_int = 7;
    SHOW("notify thread", mq_notify(q, &tev));
    CHECK(mq_send(q, "z", 1, 0) == 0);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < 100 && !thread_value; i++) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += 20000000;
        if (t.tv_nsec >= 1000000000) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&cond, &lock, &t);
    }
    pthread_mutex_unlock(&lock);
    printf("thread value %d\n", thread_value);
    CHECK(thread_value == 7);

    printf("failures=%d\n", failures);
    return failures != 0;
}
