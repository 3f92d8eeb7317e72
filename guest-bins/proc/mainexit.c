// xtask: cflags -pthread
/* The main thread exits (the exit system call, not exit_group) while a worker runs on: the
 * process lives until the last thread exits, and its status is that thread's. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

static void *worker(void *arg) {
    (void)arg;
    usleep(100 * 1000);
    /* Still running after the main thread is gone. */
    printf("worker: still running after main exited\n");
    fflush(stdout);
    syscall(SYS_exit, 7);
    return NULL;
}

int main(void) {
    pthread_t t;
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_create(&t, NULL, worker, NULL);
    printf("main: exiting with the exit system call\n");
    syscall(SYS_exit, 5);
    return 99;
}
