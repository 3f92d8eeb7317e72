// What a program inherits through execve and must find as its parent left it: which of the
// standard descriptors are open, and SIGPIPE's disposition. Reports on the descriptor named
// by its first argument (the test closes stdin and stdout and ignores SIGPIPE around it).
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int out = argc > 1 ? atoi(argv[1]) : 2;
    char buf[256];
    int n = 0;
    for (int fd = 0; fd < 3; fd++) {
        int r = fcntl(fd, F_GETFD);
        n += snprintf(buf + n, sizeof buf - n, "fd%d %s ", fd, r < 0 && errno == EBADF ? "closed" : "open");
    }
    struct sigaction sa;
    sigaction(SIGPIPE, 0, &sa);
    n += snprintf(buf + n, sizeof buf - n, "SIGPIPE %s\n",
                  sa.sa_handler == SIG_IGN ? "ignored" : sa.sa_handler == SIG_DFL ? "default" : "handled");
    write(out, buf, n);
    return 0;
}
