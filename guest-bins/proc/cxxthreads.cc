// xtask: cflags -pthread
// C++ exceptions thrown and caught concurrently in 8 std::threads, exception_ptr handed across
// threads, thread_local objects with constructors and destructors, std::mutex/condition_variable.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

static std::atomic<int> ctor_count{0}, dtor_count{0};
struct Tracker {
    int id = -1;
    Tracker() { ctor_count++; }
    ~Tracker() { dtor_count++; }
};
static thread_local Tracker tracker;

struct Custom : std::runtime_error {
    int depth;
    Custom(int d) : std::runtime_error("custom " + std::to_string(d)), depth(d) {}
};

static int recurse(int depth, int throw_at) {
    std::string guard = "frame" + std::to_string(depth);  // destructors run during unwinding
    if (depth == throw_at) throw Custom(depth);
    return recurse(depth + 1, throw_at) + (int)guard.size();
}

int main() {
    const int NT = 8, ROUNDS = 500;
    std::vector<std::thread> ts;
    std::vector<long> caught(NT);
    std::vector<std::exception_ptr> handed(NT);
    for (int t = 0; t < NT; t++) {
        ts.emplace_back([t, &caught, &handed] {
            tracker.id = t;
            for (int r = 0; r < ROUNDS; r++) {
                try {
                    recurse(0, (r + t) % 20 + 1);
                } catch (const Custom &e) {
                    if (e.depth == (r + t) % 20 + 1) caught[t]++;
                }
                try {
                    if (r % 2) throw std::out_of_range("oor");
                    throw 42;
                } catch (const std::logic_error &) {
                    caught[t]++;
                } catch (int v) {
                    if (v == 42) caught[t]++;
                }
            }
            try {
                throw std::runtime_error("from thread " + std::to_string(t));
            } catch (...) {
                handed[t] = std::current_exception();
            }
            if (tracker.id != t) caught[t] = -1;
        });
    }
    for (auto &th : ts) th.join();
    int failures = 0;
    for (int t = 0; t < NT; t++) {
        if (caught[t] != 2 * ROUNDS) { failures++; std::printf("thread %d caught %ld\n", t, caught[t]); }
        try {
            std::rethrow_exception(handed[t]);
        } catch (const std::runtime_error &e) {
            if (std::string(e.what()) != "from thread " + std::to_string(t)) failures++;
        }
    }
    std::printf("exceptions: %d threads x %d rounds caught where thrown\n", NT, 2 * ROUNDS);
    std::printf("exception_ptr: rethrown in main from each thread\n");
    // Every worker constructed and destroyed its own thread_local (main's is not touched yet).
    std::printf("thread_local: constructed %d, destroyed %d\n", ctor_count.load(), dtor_count.load());
    if (ctor_count != NT || dtor_count != NT) failures++;

    std::mutex m;
    std::condition_variable cv;
    int turn = 0;
    std::vector<int> order;
    std::vector<std::thread> ring;
    for (int t = 0; t < NT; t++)
        ring.emplace_back([t, &m, &cv, &turn, &order] {
            for (int r = 0; r < 20; r++) {
                std::unique_lock<std::mutex> lk(m);
                cv.wait(lk, [&] { return turn % 8 == t; });
                order.push_back(t);
                turn++;
                cv.notify_all();
            }
        });
    for (auto &th : ring) th.join();
    bool in_order = order.size() == 160;
    for (size_t i = 0; i < order.size(); i++) in_order &= order[i] == (int)(i % 8);
    if (!in_order) failures++;
    std::printf("condition_variable: 160 turns taken in order: %s\n", in_order ? "yes" : "no");
    std::printf("failures=%d\n", failures);
    return failures != 0;
}
