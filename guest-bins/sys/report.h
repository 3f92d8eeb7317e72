// Shared by the sys/ programs that report system call results (sysvipc, signums, shmcode):
// SHOW prints a call's result and errno name, CHECK counts a failed condition in `failures`
// (each program ends with "failures=N" and a non-zero status when N > 0).
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failures;

static const char *en(int e) { return e ? strerrorname_np(e) : "-"; }

#define SHOW(name, expr)                                                                \
    do {                                                                                \
        errno = 0;                                                                      \
        long r_ = (long)(expr);                                                         \
        printf("%-34s r=%ld errno=%s\n", name, r_, r_ < 0 ? en(errno) : "-");           \
    } while (0)

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            printf("FAIL line %d: %s\n", __LINE__, #cond);                              \
            failures++;                                                                 \
        }                                                                               \
    } while (0)
