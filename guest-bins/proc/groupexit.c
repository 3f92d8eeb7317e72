// xtask: cflags -pthread
/* exit() (exit_group) from a worker thread ends the whole process at once with its status,
 * while other threads are blocked or spinning; atexit handlers run once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void bye(void) { printf("atexit handler ran\n"); }

static void *spinner(void *arg) {
    (void)arg;
    for (volatile unsigned long i = 0;; i++) {}
    return NULL;
}

static void *sleeper(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

static void *exiter(void *arg) {
    (void)arg;
    usleep(50 * 1000);
    printf("worker: calling exit(42)\n");
    exit(42);
}

int main(void) {
    pthread_t a, b, c;
    atexit(bye);
    pthread_create(&a, NULL, spinner, NULL);
    pthread_create(&b, NULL, sleeper, NULL);
    pthread_create(&c, NULL, exiter, NULL);
    pthread_join(a, NULL);
    printf("main: not reached\n");
    return 0;
}
