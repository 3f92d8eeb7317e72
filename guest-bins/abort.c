/* abort(): the guest dies by SIGABRT (raised with tgkill after unblocking it), so the emulator
 * must die by the same signal. The line printed first is flushed by hand: stdio buffers are
 * not flushed by abort(). */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("about to abort\n");
    fflush(stdout);
    abort();
}
