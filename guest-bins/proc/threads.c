// xtask: cflags -pthread
/* pthreads under load: mutex, condvar, semaphore, barrier, rwlock, spinlock, __thread TLS,
 * pthread_once, join values, detached threads, atomics; 8 threads each. Checks itself. */
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#define NT 8
#define ITERS 20000

static int failures;
#define CHECK(c, ...) do { if (!(c)) { failures++; printf("FAIL: " __VA_ARGS__); printf("\n"); } } while (0)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *mutex_worker(void *arg) {
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return (void *)((long)arg * 3);
}

/* Bounded queue with two condition variables. */
#define QN 16
static int q[QN], qh, qt, qcount;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t qmu = PTHREAD_MUTEX_INITIALIZER;
static long consumed_sum;

static void *producer(void *arg) {
    int base = (int)(long)arg * 100000;
    for (int i = 1; i <= 2000; i++) {
        pthread_mutex_lock(&qmu);
        while (qcount == QN) pthread_cond_wait(&notfull, &qmu);
        q[qt] = base + i; qt = (qt + 1) % QN; qcount++;
        pthread_cond_signal(&notempty);
        pthread_mutex_unlock(&qmu);
    }
    return NULL;
}

static void *consumer(void *arg) {
    long n = (long)arg, sum = 0;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&qmu);
        while (qcount == 0) pthread_cond_wait(&notempty, &qmu);
        sum += q[qh]; qh = (qh + 1) % QN; qcount--;
        pthread_cond_signal(&notfull);
        pthread_mutex_unlock(&qmu);
    }
    pthread_mutex_lock(&qmu);
    consumed_sum += sum;
    pthread_mutex_unlock(&qmu);
    return NULL;
}

static sem_t sem_items, sem_done;
static atomic_long sem_total;
static void *sem_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        sem_wait(&sem_items);
        atomic_fetch_add(&sem_total, 1);
    }
    sem_post(&sem_done);
    return NULL;
}

static pthread_barrier_t bar;
static int phase_seen[NT][10];
static atomic_int phase;
static void *barrier_worker(void *arg) {
    long id = (long)arg;
    for (int r = 0; r < 10; r++) {
        phase_seen[id][r] = atomic_load(&phase);
        int s = pthread_barrier_wait(&bar);
        if (s == PTHREAD_BARRIER_SERIAL_THREAD) atomic_fetch_add(&phase, 1);
        pthread_barrier_wait(&bar);
    }
    return NULL;
}

static __thread long tls_value = 42;
static __thread char tls_buf[64];
static void *tls_worker(void *arg) {
    long id = (long)arg;
    long ok = tls_value == 42;
    tls_value = id * 1000;
    snprintf(tls_buf, sizeof tls_buf, "thread %ld", id);
    for (int i = 0; i < 1000; i++) { tls_value++; sched_yield(); }
    char want[64];
    snprintf(want, sizeof want, "thread %ld", id);
    ok = ok && tls_value == id * 1000 + 1000 && strcmp(tls_buf, want) == 0;
    return (void *)ok;
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b;
static atomic_int rw_bad;
static void *rw_worker(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < 3000; i++) {
        if (id % 4 == 0) {
            pthread_rwlock_wrlock(&rw); rw_a++; rw_b++; pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw); if (rw_a != rw_b) atomic_fetch_add(&rw_bad, 1); pthread_rwlock_unlock(&rw);
        }
    }
    return NULL;
}

static pthread_spinlock_t spin;
static long spin_count;
static void *spin_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < ITERS; i++) { pthread_spin_lock(&spin); spin_count++; pthread_spin_unlock(&spin); }
    return NULL;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int once_runs;
static void once_fn(void) { atomic_fetch_add(&once_runs, 1); }
static atomic_long atomic_counter;
static atomic_int tids_distinct[NT];
static void *atomic_worker(void *arg) {
    long id = (long)arg;
    pthread_once(&once, once_fn);
    for (int i = 0; i < ITERS; i++) atomic_fetch_add(&atomic_counter, 2);
    tids_distinct[id] = (int)syscall(SYS_gettid);
    return NULL;
}

static atomic_int detached_done;
static void *detached_worker(void *arg) { (void)arg; atomic_fetch_add(&detached_done, 1); return NULL; }

static void run(void *(*fn)(void *), void **results) {
    pthread_t t[NT];
    for (long i = 0; i < NT; i++) CHECK(pthread_create(&t[i], NULL, fn, (void *)i) == 0, "create");
    for (int i = 0; i < NT; i++) CHECK(pthread_join(t[i], results ? &results[i] : NULL) == 0, "join");
}

int main(void) {
    void *res[NT];
    run(mutex_worker, res);
    CHECK(counter == (long)NT * ITERS, "mutex counter %ld", counter);
    long rsum = 0;
    for (int i = 0; i < NT; i++) rsum += (long)res[i];
    CHECK(rsum == 3 * (NT * (NT - 1) / 2), "join values %ld", rsum);
    printf("mutex: %ld increments, join values ok\n", counter);

    pthread_t p[4], c[4];
    for (long i = 0; i < 4; i++) pthread_create(&p[i], NULL, producer, (void *)i);
    for (long i = 0; i < 4; i++) pthread_create(&c[i], NULL, consumer, (void *)2000L);
    for (int i = 0; i < 4; i++) { pthread_join(p[i], NULL); pthread_join(c[i], NULL); }
    long want = 0;
    for (long i = 0; i < 4; i++) want += i * 100000 * 2000 + 2000L * 2001 / 2;
    CHECK(consumed_sum == want, "condvar sum %ld want %ld", consumed_sum, want);
    printf("condvar: 8000 items through a queue of %d, sum ok\n", QN);

    sem_init(&sem_items, 0, 0); sem_init(&sem_done, 0, 0);
    pthread_t s[NT];
    for (long i = 0; i < NT; i++) pthread_create(&s[i], NULL, sem_worker, NULL);
    for (int i = 0; i < NT * 1000; i++) sem_post(&sem_items);
    for (int i = 0; i < NT; i++) sem_wait(&sem_done);
    for (int i = 0; i < NT; i++) pthread_join(s[i], NULL);
    int v; sem_getvalue(&sem_items, &v);
    CHECK(atomic_load(&sem_total) == NT * 1000 && v == 0, "semaphore %ld %d", atomic_load(&sem_total), v);
    printf("semaphore: %d waits\n", NT * 1000);

    pthread_barrier_init(&bar, NULL, NT);
    run(barrier_worker, NULL);
    int bad = 0;
    for (int i = 0; i < NT; i++) for (int r = 0; r < 10; r++) bad += phase_seen[i][r] != r;
    CHECK(bad == 0 && phase == 10, "barrier phases bad=%d", bad);
    printf("barrier: 10 rounds in step\n");

    run(tls_worker, res);
    int tls_ok = 1;
    for (int i = 0; i < NT; i++) tls_ok &= res[i] == (void *)1;
    CHECK(tls_ok && tls_value == 42, "tls");
    printf("__thread: per-thread values ok, main still %ld\n", tls_value);

    run(rw_worker, NULL);
    CHECK(rw_bad == 0 && rw_a == 2 * 3000, "rwlock bad=%d a=%ld", rw_bad, rw_a);
    printf("rwlock: readers never saw a torn update\n");

    pthread_spin_init(&spin, 0);
    run(spin_worker, NULL);
    CHECK(spin_count == (long)NT * ITERS, "spin %ld", spin_count);
    printf("spinlock: %ld increments\n", spin_count);

    run(atomic_worker, NULL);
    CHECK(atomic_counter == 2L * NT * ITERS && once_runs == 1, "atomics %ld once %d", atomic_counter, once_runs);
    int distinct = 1;
    for (int i = 0; i < NT; i++)
        for (int j = 0; j < i; j++) distinct &= tids_distinct[i] != tids_distinct[j];
    for (int i = 0; i < NT; i++) distinct &= tids_distinct[i] != getpid();
    CHECK(distinct, "tids not distinct");
    printf("atomics: %ld, pthread_once ran once, tids distinct\n", (long)atomic_counter);

    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < NT; i++) { pthread_t d; pthread_create(&d, &at, detached_worker, NULL); }
    for (int i = 0; i < 2000 && atomic_load(&detached_done) < NT; i++) usleep(1000);
    CHECK(detached_done == NT, "detached %d", detached_done);
    printf("detached: %d ran\n", NT);

    /* Thread churn: many short-lived threads (stacks reused, clear_child_tid wakes joiners). */
    for (int r = 0; r < 25; r++) run(detached_worker, NULL);
    CHECK(detached_done == NT + 25 * NT, "churn %d", detached_done);
    printf("churn: %d threads created and joined\n", 25 * NT);

    printf("failures=%d\n", failures);
    return failures != 0;
}
