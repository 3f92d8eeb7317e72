/* execve.c PROGRAM ARGV0 [ARGS...]: replaces itself with PROGRAM, giving it argv
 * [ARGV0, ARGS...] and the same environment. With PROGRAM an aarch64 executable, this goes
 * through binfmt_misc again (tests/binfmt.rs). Exit status 127 and a message if execve fails. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: execve PROGRAM ARGV0 [ARGS...]\n");
        return 2;
    }
    printf("execve: running %s\n", argv[1]);
    fflush(stdout);
    execve(argv[1], &argv[2], environ);
    fprintf(stderr, "execve: %s: %s\n", argv[1], strerror(errno));
    return 127;
}
