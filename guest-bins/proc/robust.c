// xtask: cflags -pthread
/* Robust mutexes: a thread that dies holding one (pthread_exit, and the raw exit system call)
 * and a child process that _exit()s holding a process-shared one in shared memory: the next
 * locker gets EOWNERDEAD, makes it consistent, and the mutex works again. A blocked waiter is
 * woken by the owner's death. (qemu-aarch64 7.2 refuses set_robust_list, so there these
 * mutexes cannot even be initialised; the expected output is the native x86_64 one.) */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
#define CHECK(c, ...) do { if (!(c)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static pthread_mutex_t m;
static volatile int locked;

static void *die_holding(void *arg) {
    pthread_mutex_lock(&m);
    locked = 1;
    if (arg) syscall(SYS_exit, 0); /* no glibc cleanup at all */
    pthread_exit(NULL);
}

static void init_robust(pthread_mutex_t *mu, int pshared) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pshared) pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    int r = pthread_mutex_init(mu, &a);
    CHECK(r == 0, "init: %s", strerror(r));
}

static void after_death(pthread_mutex_t *mu, const char *what) {
    int r = pthread_mutex_lock(mu);
    printf("%s: lock after the owner died: %s\n", what, r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
    CHECK(r == EOWNERDEAD, "%s", what);
    CHECK(pthread_mutex_consistent(mu) == 0, "consistent");
    CHECK(pthread_mutex_unlock(mu) == 0, "unlock");
    r = pthread_mutex_lock(mu);
    printf("%s: lock again: %s\n", what, r == 0 ? "ok" : strerror(r));
    CHECK(r == 0, "relock");
    pthread_mutex_unlock(mu);
}

static pthread_mutex_t w;
static void *waiter(void *arg) {
    (void)arg;
    int r = pthread_mutex_lock(&w);
    if (r == EOWNERDEAD) pthread_mutex_consistent(&w);
    pthread_mutex_unlock(&w);
    return (void *)(long)r;
}
static void *hold_then_die(void *arg) {
    (void)arg;
    pthread_mutex_lock(&w);
    usleep(100 * 1000);
    pthread_exit(NULL);
}

int main(void) {
    pthread_t t;
    init_robust(&m, 0);
    pthread_create(&t, NULL, die_holding, NULL);
    pthread_join(t, NULL);
    after_death(&m, "pthread_exit");

    init_robust(&m, 0);
    locked = 0;
    pthread_create(&t, NULL, die_holding, (void *)1);
    /* The raw exit leaves no joinable state glibc knows of; wait for the lock to be taken and
     * the owner to be gone (its tid word is cleared by the kernel's CLONE_CHILD_CLEARTID). */
    pthread_join(t, NULL);
    after_death(&m, "exit syscall");

    init_robust(&w, 0);
    pthread_t h, wt;
    pthread_create(&h, NULL, hold_then_die, NULL);
    usleep(20 * 1000);
    pthread_create(&wt, NULL, waiter, NULL);
    void *wr;
    pthread_join(h, NULL);
    pthread_join(wt, &wr);
    printf("blocked waiter: woken with %s\n", (long)wr == EOWNERDEAD ? "EOWNERDEAD" : strerror((int)(long)wr));
    CHECK((long)wr == EOWNERDEAD, "waiter");

    pthread_mutex_t *sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    init_robust(sm, 1);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(sm);
        _exit(3);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3, "child status %x", st);
    after_death(sm, "process-shared, child _exit");
    printf("failures=%d\n", failures);
    return failures != 0;
}
