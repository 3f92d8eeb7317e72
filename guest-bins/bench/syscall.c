// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: syscall heavy: getpid, read of /dev/zero, write to /dev/null in a loop
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long reps = argc > 1 ? atol(argv[1]) : 300000;
    int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
    if (zero < 0 || null < 0) {
        perror("open");
        return 1;
    }
    char buf[256];
    uint64_t sum = 0;
    long pid = syscall(SYS_getpid);
    int same_pid = 1;
    for (long r = 0; r < reps; r++) {
        /* The raw syscall: glibc's getpid() is a plain syscall too, but say it explicitly. */
        same_pid &= syscall(SYS_getpid) == pid;
        buf[r & 255] = 1;
        ssize_t got = read(zero, buf, 1 + (size_t)(r & 255));
        sum += (uint64_t)got + (unsigned char)buf[r & 255];
        ssize_t put = write(null, buf, 1 + (size_t)(r & 127));
        sum += (uint64_t)put;
    }
    close(zero);
    close(null);
    printf("syscall reps=%ld same_pid=%d checksum=%llu\n", reps, same_pid, (unsigned long long)sum);
    return same_pid ? 0 : 1;
}
