// xtask: skip
// plugin.so: loaded by dynmain with dlopen (tests/dynamic.rs builds it with -shared -fPIC).
// Its TLS is reached through TLSDESC sequences (the aarch64 default for -fPIC); the aligned
// array checks that the dynamic linker honours the TLS segment's alignment.
#include <stdio.h>

static __thread int total = 1000;
static __thread int aligned[16] __attribute__((aligned(64))) = {7};
static char name_buf[32];

int plugin_bump(int by) {
    total += by;
    aligned[0] += 1;
    return total * 100 + aligned[0];
}

int *plugin_tls_addr(void) { return aligned; }

const char *plugin_name(void) {
    snprintf(name_buf, sizeof name_buf, "plugin-%d", 42);
    return name_buf;
}
