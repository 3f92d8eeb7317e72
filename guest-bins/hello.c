/* The smallest useful guest: one line on stdout through stdio, exit status 0. */
#include <stdio.h>

int main(void) {
    printf("Hello, world!\n");
    return 0;
}
