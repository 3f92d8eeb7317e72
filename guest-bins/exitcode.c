/* Exits with the status given in argv[1] (parsed with strtol, so 256 becomes 0 through the
 * kernel's 8-bit truncation). Without an argument: exits 3. Uses exit() so that stdio is
 * flushed and atexit handlers run; a handler prints a marker to prove it. */
#include <stdio.h>
#include <stdlib.h>

static void bye(void) { printf("atexit handler ran\n"); }

int main(int argc, char **argv) {
    int code = 3;
    if (argc > 1)
        code = (int)strtol(argv[1], NULL, 0);
    atexit(bye);
    printf("exiting with %d\n", code);
    exit(code);
}
