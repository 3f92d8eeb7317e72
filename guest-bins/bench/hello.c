// xtask: skip (built by `cargo xtask bench` with its own flags)
// bench: start-up: a static hello world, run many times
// bench-kind: startup
#include <stdio.h>

int main(void) {
    printf("Hello, world!\n");
    return 0;
}
