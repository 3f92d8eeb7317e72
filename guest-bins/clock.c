/* Time: CLOCK_MONOTONIC and CLOCK_REALTIME advance and are sane, nanosleep(10 ms) sleeps at
 * least 10 ms, gettimeofday agrees with CLOCK_REALTIME, clock_getres, times() and clock()
 * behave, time() agrees with CLOCK_REALTIME. Only OK/FAIL lines are printed, never raw times, so
 * the output is deterministic. */
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static int failures;
static void check(const char *what, int ok) {
    printf("%-58s %s\n", what, ok ? "OK" : "FAIL");
    if (!ok)
        failures++;
}

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

int main(void) {
    struct timespec m0, m1, r0, r1, res;
    check("clock_gettime(CLOCK_MONOTONIC)", clock_gettime(CLOCK_MONOTONIC, &m0) == 0);
    check("clock_gettime(CLOCK_REALTIME)", clock_gettime(CLOCK_REALTIME, &r0) == 0);
    check("tv_nsec in [0, 1e9)", m0.tv_nsec >= 0 && m0.tv_nsec < 1000000000 && r0.tv_nsec >= 0 &&
                                     r0.tv_nsec < 1000000000);
    /* 2020-01-01 .. 2100-01-01 */
    check("CLOCK_REALTIME is a plausible date", r0.tv_sec > 1577836800 && r0.tv_sec < 4102444800);
    check("CLOCK_MONOTONIC is positive", ns(m0) > 0);

    /* Monotonic never goes back over many reads. */
    int64_t prev = ns(m0), back = 0;
    for (int i = 0; i < 10000; i++) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (ns(t) < prev)
            back++;
        prev = ns(t);
    }
    check("CLOCK_MONOTONIC never decreases over 10000 reads", back == 0);

    struct timespec req = {0, 10 * 1000 * 1000}, rem = {7, 7};
    clock_gettime(CLOCK_MONOTONIC, &m0);
    int r = nanosleep(&req, &rem);
    clock_gettime(CLOCK_MONOTONIC, &m1);
    check("nanosleep(10 ms) returns 0", r == 0);
    check("nanosleep(10 ms) slept >= 10 ms (monotonic)", ns(m1) - ns(m0) >= 10 * 1000 * 1000);
    check("nanosleep(10 ms) slept < 2 s", ns(m1) - ns(m0) < 2000000000LL);
    struct timespec bad = {0, 1000000000};
    check("nanosleep with tv_nsec = 1e9 fails", nanosleep(&bad, NULL) == -1);

    clock_gettime(CLOCK_MONOTONIC, &m0);
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &m1);
    check("clock_nanosleep(relative 10 ms)", r == 0 && ns(m1) - ns(m0) >= 10 * 1000 * 1000);
    struct timespec until = m1;
    until.tv_nsec += 5 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_nsec -= 1000000000;
        until.tv_sec++;
    }
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    clock_gettime(CLOCK_MONOTONIC, &m0);
    check("clock_nanosleep(TIMER_ABSTIME) wakes after the deadline", r == 0 && ns(m0) >= ns(until));

    clock_gettime(CLOCK_REALTIME, &r1);
    check("CLOCK_REALTIME advanced", ns(r1) > ns(r0));
    struct timeval tv;
    check("gettimeofday", gettimeofday(&tv, NULL) == 0);
    clock_gettime(CLOCK_REALTIME, &r0);
    int64_t tv_ns = (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
    check("gettimeofday within 1 s of CLOCK_REALTIME", tv_ns <= ns(r0) && ns(r0) - tv_ns < 1000000000LL);
    check("tv_usec in [0, 1e6)", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    time_t t = time(NULL);
    check("time() within 1 s of CLOCK_REALTIME", t >= r1.tv_sec - 1 && t <= r0.tv_sec + 1);

    check("clock_getres(CLOCK_MONOTONIC) <= 1 ms", clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 &&
                                                       res.tv_nsec > 0 && res.tv_nsec <= 1000000);
    check("clock_getres(CLOCK_REALTIME) <= 1 ms", clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_sec == 0 &&
                                                      res.tv_nsec > 0 && res.tv_nsec <= 1000000);
    struct timespec cpu0, cpu1;
    check("CLOCK_PROCESS_CPUTIME_ID", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0) == 0);
    check("CLOCK_THREAD_CPUTIME_ID", clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1) == 0);
    check("CLOCK_MONOTONIC_RAW / BOOTTIME / *_COARSE", clock_gettime(CLOCK_MONOTONIC_RAW, &res) == 0 &&
                                                           clock_gettime(CLOCK_BOOTTIME, &res) == 0 &&
                                                           clock_gettime(CLOCK_REALTIME_COARSE, &res) == 0 &&
                                                           clock_gettime(CLOCK_MONOTONIC_COARSE, &res) == 0);
    check("invalid clock id fails", clock_gettime((clockid_t)12345, &res) == -1);

    /* Burn some CPU: clock() and times() must move forward (not backward) and stay sane. */
    clock_t c0 = clock();
    struct tms tm0, tm1;
    clock_t w0 = times(&tm0);
    volatile uint64_t x = 1;
    clock_gettime(CLOCK_MONOTONIC, &m0);
    do {
        for (int i = 0; i < 100000; i++)
            x = x * 6364136223846793005ULL + 1;
        clock_gettime(CLOCK_MONOTONIC, &m1);
    } while (ns(m1) - ns(m0) < 30 * 1000 * 1000);
    clock_t c1 = clock();
    clock_t w1 = times(&tm1);
    check("clock() is non-negative and advances", c0 >= 0 && c1 > c0);
    check("clock() under 60 s of CPU", c1 < 60 * (clock_t)CLOCKS_PER_SEC);
    check("times() returns a value that advances", w0 != (clock_t)-1 && w1 >= w0);
    check("tms_utime + tms_stime advance", tm1.tms_utime + tm1.tms_stime >= tm0.tms_utime + tm0.tms_stime);
    check("sysconf(_SC_CLK_TCK) == 100", sysconf(_SC_CLK_TCK) == 100);
    check("CPU clock advanced", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1) == 0 && ns(cpu1) > ns(cpu0));
    printf("failures=%d\n", failures);
    return failures != 0;
}
