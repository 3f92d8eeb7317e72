// xtask: skip
// A dynamically linked program (built by tests/dynamic.rs, not by `cargo xtask guest-bins`):
// libc through the PLT (lazy binding, IFUNC-selected string functions), a shared library found
// at link time (libdyndep.so, via LD_LIBRARY_PATH or -rpath) with TLS of its own, and, when
// argv[1] names a plugin, dlopen/dlsym of it with __thread data (TLSDESC) in the plugin.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <stdlib.h>
#include <string.h>

extern int dep_add(int a, int b);
extern int dep_tls_bump(void);
extern const char *dep_name(void);

extern char _start[];

/* The auxiliary vector must describe the program (AT_PHDR, AT_ENTRY) and the dynamic linker's
 * load bias (AT_BASE), as the dynamic linker itself saw them. */
static unsigned long main_phdr, ldso_base;
static int find_objects(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    (void)data;
    if (info->dlpi_name[0] == 0 && !main_phdr) main_phdr = (unsigned long)info->dlpi_phdr;
    if (strstr(info->dlpi_name, "ld-linux")) ldso_base = info->dlpi_addr;
    return 0;
}

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

int main(int argc, char **argv) {
    int v[] = {5, 3, 9, 1, 7, 2, 8};
    qsort(v, 7, sizeof v[0], cmp);
    for (int i = 0; i < 7; i++) printf("%d%c", v[i], i == 6 ? '\n' : ' ');
    char buf[128];
    memset(buf, 'x', sizeof buf);
    snprintf(buf, sizeof buf, "%s|%.3f|%ld", "fmt", strtod("2.71828", NULL), strlen("twelve chars"));
    printf("%s memchr=%td\n", buf, (char *)memchr(buf, '|', strlen(buf)) - buf);
    printf("dep_add(2, 40) = %d, %s\n", dep_add(2, 40), dep_name());
    printf("dep tls %d %d %d\n", dep_tls_bump(), dep_tls_bump(), dep_tls_bump());
    dl_iterate_phdr(find_objects, NULL);
    printf("AT_ENTRY is _start: %d, AT_PHDR is the program's: %d, AT_BASE is ld.so's: %d\n",
           getauxval(AT_ENTRY) == (unsigned long)_start, getauxval(AT_PHDR) == main_phdr,
           getauxval(AT_BASE) == ldso_base && ldso_base != 0);

    for (int i = 1; i < argc; i++) {
        void *h = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            printf("dlopen failed: %s\n", dlerror());
            return 2;
        }
        int (*bump)(int) = (int (*)(int))dlsym(h, "plugin_bump");
        const char *(*name)(void) = (const char *(*)(void))dlsym(h, "plugin_name");
        int *(*tls_addr)(void) = (int *(*)(void))dlsym(h, "plugin_tls_addr");
        if (!bump || !name || !tls_addr) {
            printf("dlsym failed: %s\n", dlerror());
            return 3;
        }
        printf("%s: %d %d %d\n", name(), bump(1), bump(10), bump(100));
        printf("tls aligned %d, same address twice %d\n", ((unsigned long)tls_addr() & 63) == 0,
               tls_addr() == tls_addr());
        void *missing = dlsym(h, "no_such_symbol");
        printf("missing symbol: %s\n", missing ? "found?" : "not found");
        dlerror();
        if (dlclose(h) != 0) {
            printf("dlclose failed: %s\n", dlerror());
            return 4;
        }
    }
    return 0;
}
