// xtask: skip
// libdyndep.so: the shared library dynmain links against (tests/dynamic.rs builds it with
// -shared -fPIC). Its __thread counter lives in the static TLS block.
static __thread int counter = 40;

int dep_add(int a, int b) { return a + b; }
int dep_tls_bump(void) { return ++counter; }
const char *dep_name(void) { return "libdyndep"; }
