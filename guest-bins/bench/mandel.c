// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: scalar FP (float): Mandelbrot iteration counts over a grid
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long size = argc > 1 ? atol(argv[1]) : 900;
    const int max_iter = 200;
    uint64_t total = 0, hash = 1469598103934665603ull;
    for (long py = 0; py < size; py++) {
        float ci = -1.25f + 2.5f * (float)py / (float)size;
        for (long px = 0; px < size; px++) {
            float cr = -2.0f + 2.6f * (float)px / (float)size;
            float zr = 0, zi = 0, zr2 = 0, zi2 = 0;
            int it = 0;
            while (it < max_iter && zr2 + zi2 <= 4.0f) {
                zi = 2.0f * zr * zi + ci;
                zr = zr2 - zi2 + cr;
                zr2 = zr * zr;
                zi2 = zi * zi;
                it++;
            }
            total += (uint64_t)it;
            hash = (hash ^ (uint64_t)it) * 1099511628211ull;
        }
    }
    printf("mandel size=%ld iterations=%llu checksum=%016llx\n", size, (unsigned long long)total,
           (unsigned long long)hash);
    return 0;
}
