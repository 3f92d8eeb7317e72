/* Prints what binfmt_misc handed the guest: argc, each argv[i], and whether the auxiliary
 * vector holds AT_EXECFD (binfmt_misc's O flag). Used by tests/binfmt.rs and tests/container.rs. */
#include <stdio.h>
#include <sys/auxv.h>
#include <errno.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    errno = 0;
    unsigned long fd = getauxval(AT_EXECFD);
    if (errno == 0)
        printf("execfd=%lu\n", fd);
    else
        printf("execfd=none\n");
    return 0;
}
