/* File system calls, in a fresh directory under argv[1]: open/read/write/append, lseek (with a
 * hole), pread/pwrite, fstat/stat/lstat fields, rename, link/unlink, mkdir/rmdir, symlink/
 * readlink, directory listing through opendir/readdir (sorted), access, getcwd/chdir,
 * ftruncate, dup/dup2/dup3, pipe, fcntl flags, the *at family, O_DIRECTORY/O_NOFOLLOW (whose
 * values differ between aarch64 and x86_64), errno of the common failures, and stdio on top.
 * Output is a deterministic report: no inode numbers, times or absolute paths. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int failures;
static void check(const char *what, int ok) {
    printf("%-52s %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}
/* A call that must fail with errno e. */
#define FAILS(what, call, e)                                                                                           \
    do {                                                                                                               \
        errno = 0;                                                                                                     \
        long r_ = (long)(call);                                                                                        \
        int err_ = errno;                                                                                              \
        char b_[128];                                                                                                  \
        snprintf(b_, sizeof b_, "%s -> %s", what, strerrorname_np(err_) ? strerrorname_np(err_) : "0");            \
        check(b_, r_ == -1 && err_ == (e));                                                                            \
    } while (0)

static const char *type_of(mode_t m) {
    return S_ISREG(m) ? "reg" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "lnk" : S_ISFIFO(m) ? "fifo" : "other";
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        check("opendir", 0);
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        char t = e->d_type == DT_REG ? 'f' : e->d_type == DT_DIR ? 'd' : e->d_type == DT_LNK ? 'l' : '?';
        if (asprintf(&names[n], "%s(%c)", e->d_name, t) > 0)
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("listing of %s:", dir);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: fileio DIR (an existing, writable directory)\n");
        return 2;
    }
    umask(022);
    if (chdir(argv[1]) != 0) {
        perror(argv[1]);
        return 2;
    }
    char base[PATH_MAX];
    check("getcwd after chdir(argv[1])", getcwd(base, sizeof base) != NULL);
    check("mkdir work 0755", mkdir("work", 0755) == 0);
    FAILS("mkdir work again", mkdir("work", 0755), EEXIST);
    check("chdir work", chdir("work") == 0);
    char cwd[PATH_MAX], want[PATH_MAX + 16];
    snprintf(want, sizeof want, "%s/work", base);
    check("getcwd is base/work", getcwd(cwd, sizeof cwd) && strcmp(cwd, want) == 0);
    FAILS("getcwd into a 1-byte buffer", getcwd(cwd, 1) ? 0 : -1, ERANGE);

    /* write, read back, append */
    int fd = open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0640);
    check("open a.txt O_CREAT|O_EXCL", fd >= 0);
    FAILS("open a.txt O_CREAT|O_EXCL again", open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0640), EEXIST);
    check("write 13 bytes", write(fd, "Hello, file!\n", 13) == 13);
    check("close", close(fd) == 0);
    FAILS("close it again", close(fd), EBADF);
    fd = open("a.txt", O_WRONLY | O_APPEND);
    check("write with O_APPEND", write(fd, "more\n", 5) == 5);
    check("lseek(0) then append still goes to the end", lseek(fd, 0, SEEK_SET) == 0 && write(fd, "end\n", 4) == 4);
    int fl = fcntl(fd, F_GETFL);
    check("F_GETFL has O_APPEND|O_WRONLY", fl >= 0 && (fl & O_APPEND) && (fl & O_ACCMODE) == O_WRONLY);
    close(fd);
    char buf[256];
    fd = open("a.txt", O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf);
    check("read back 22 bytes", n == 22 && memcmp(buf, "Hello, file!\nmore\nend\n", 22) == 0);
    check("read at EOF returns 0", read(fd, buf, sizeof buf) == 0);
    FAILS("write to O_RDONLY fd", write(fd, "x", 1), EBADF);
    check("lseek SEEK_CUR -4 -> 18", lseek(fd, -4, SEEK_CUR) == 18);
    check("read 'end'", read(fd, buf, 3) == 3 && memcmp(buf, "end", 3) == 0);
    check("lseek SEEK_END -9 -> 13", lseek(fd, -9, SEEK_END) == 13);
    FAILS("lseek to a negative offset", lseek(fd, -100, SEEK_SET), EINVAL);
    check("pread 4 at offset 7", pread(fd, buf, 4, 7) == 4 && memcmp(buf, "file", 4) == 0);
    check("pread leaves the offset alone", lseek(fd, 0, SEEK_CUR) == 13);

    struct stat st;
    check("fstat", fstat(fd, &st) == 0);
    printf("a.txt: size=%lld type=%s mode=%04o nlink=%lu\n", (long long)st.st_size, type_of(st.st_mode),
           (unsigned)(st.st_mode & 07777), (unsigned long)st.st_nlink);
    check("fstat size/mode/nlink", st.st_size == 22 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0640 &&
                                       st.st_nlink == 1);
    check("st_uid/st_gid are ours", st.st_uid == getuid() && st.st_gid == getgid());
    check("st_blksize > 0", st.st_blksize > 0);
    close(fd);

    /* pwrite, a hole, ftruncate */
    fd = open("b.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
    check("pwrite 3 bytes at 10000", pwrite(fd, "xyz", 3, 10000) == 3);
    check("offset still 0", lseek(fd, 0, SEEK_CUR) == 0);
    check("fstat size 10003", fstat(fd, &st) == 0 && st.st_size == 10003);
    memset(buf, 1, sizeof buf);
    check("the hole reads as zeros", pread(fd, buf, 100, 5000) == 100 && buf[0] == 0 && buf[99] == 0);
    check("ftruncate to 5", ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5);
    check("ftruncate to 4096 (extends with zeros)", ftruncate(fd, 4096) == 0 && pread(fd, buf, 8, 4000) == 8 &&
                                                         buf[0] == 0 && fstat(fd, &st) == 0 && st.st_size == 4096);
    check("lseek SEEK_END past the end and write", lseek(fd, 4, SEEK_END) == 4100 && write(fd, "!", 1) == 1);
    check("size now 4101", fstat(fd, &st) == 0 && st.st_size == 4101);
    close(fd);
    check("truncate(path, 3)", truncate("b.bin", 3) == 0 && stat("b.bin", &st) == 0 && st.st_size == 3);

    /* links */
    check("link a.txt -> hard.txt", link("a.txt", "hard.txt") == 0);
    check("nlink 2", stat("a.txt", &st) == 0 && st.st_nlink == 2);
    check("symlink a.txt <- sym", symlink("a.txt", "sym") == 0);
    ssize_t rl = readlink("sym", buf, sizeof buf);
    printf("readlink(sym) = \"%.*s\" (%zd)\n", (int)(rl > 0 ? rl : 0), buf, rl);
    check("readlink", rl == 5 && memcmp(buf, "a.txt", 5) == 0);
    check("readlink truncates without NUL", readlink("sym", buf, 3) == 3 && memcmp(buf, "a.t", 3) == 0);
    FAILS("readlink of a regular file", readlink("a.txt", buf, sizeof buf), EINVAL);
    check("lstat(sym) is a link of size 5", lstat("sym", &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 5);
    check("stat(sym) follows to the file", stat("sym", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 22);
    FAILS("open(sym, O_NOFOLLOW)", open("sym", O_RDONLY | O_NOFOLLOW), ELOOP);
    FAILS("open(a.txt, O_DIRECTORY)", open("a.txt", O_RDONLY | O_DIRECTORY), ENOTDIR);
    check("symlink to a missing target", symlink("nowhere", "dangling") == 0);
    FAILS("stat of a dangling link", stat("dangling", &st), ENOENT);

    /* directories */
    check("mkdir sub 0700", mkdir("sub", 0700) == 0);
    check("stat(sub) is dir 0700", stat("sub", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    fd = open("sub", O_RDONLY | O_DIRECTORY);
    check("open(sub, O_DIRECTORY)", fd >= 0);
    int fd2 = openat(fd, "inner", O_CREAT | O_WRONLY, 0644);
    check("openat(dirfd, inner)", fd2 >= 0 && write(fd2, "in", 2) == 2);
    close(fd2);
    check("fstatat(dirfd, inner)", fstatat(fd, "inner", &st, 0) == 0 && st.st_size == 2);
    check("faccessat(dirfd, inner, R_OK)", faccessat(fd, "inner", R_OK, 0) == 0);
    FAILS("rmdir of a non-empty dir", rmdir("sub"), ENOTEMPTY);
    check("renameat inner -> moved", renameat(fd, "inner", fd, "moved") == 0);
    check("unlinkat moved", unlinkat(fd, "moved", 0) == 0);
    check("mkdirat + unlinkat(AT_REMOVEDIR)", mkdirat(fd, "d2", 0755) == 0 && unlinkat(fd, "d2", AT_REMOVEDIR) == 0);
    close(fd);
    FAILS("unlink of a directory", unlink("sub"), EISDIR);
    FAILS("open a directory for writing", open("sub", O_WRONLY), EISDIR);
    check("chdir sub, getcwd", chdir("sub") == 0 && getcwd(cwd, sizeof cwd) != NULL);
    snprintf(want, sizeof want, "%s/work/sub", base);
    check("getcwd is base/work/sub", strcmp(cwd, want) == 0);
    check("chdir ..", chdir("..") == 0);

    /* access */
    check("access(a.txt, R_OK|W_OK)", access("a.txt", R_OK | W_OK) == 0);
    check("access(a.txt, F_OK)", access("a.txt", F_OK) == 0);
    FAILS("access of a missing file", access("missing", F_OK), ENOENT);
    check("chmod a.txt 0755 then X_OK", chmod("a.txt", 0755) == 0 && access("a.txt", X_OK) == 0);
    check("stat mode 0755", stat("a.txt", &st) == 0 && (st.st_mode & 07777) == 0755);

    /* rename */
    check("rename b.bin -> c.bin", rename("b.bin", "c.bin") == 0);
    FAILS("stat old name", stat("b.bin", &st), ENOENT);
    check("rename over an existing file", rename("c.bin", "hard.txt") == 0 && stat("hard.txt", &st) == 0 &&
                                              st.st_size == 3);
    check("a.txt nlink back to 1", stat("a.txt", &st) == 0 && st.st_nlink == 1);
    list(".");

    /* dup, dup2, dup3, fcntl */
    fd = open("a.txt", O_RDONLY);
    int d1 = dup(fd);
    check("dup shares the offset", d1 > fd && lseek(fd, 6, SEEK_SET) == 6 && lseek(d1, 0, SEEK_CUR) == 6);
    check("dup2 to 40", dup2(fd, 40) == 40 && lseek(40, 0, SEEK_CUR) == 6);
    check("dup2 to itself", dup2(fd, fd) == fd);
    FAILS("dup3 to itself", dup3(fd, fd, 0), EINVAL);
    check("dup3 O_CLOEXEC sets FD_CLOEXEC", dup3(fd, 41, O_CLOEXEC) == 41 && fcntl(41, F_GETFD) == FD_CLOEXEC);
    check("dup'ed fd has no FD_CLOEXEC", fcntl(40, F_GETFD) == 0);
    check("F_SETFD FD_CLOEXEC", fcntl(40, F_SETFD, FD_CLOEXEC) == 0 && fcntl(40, F_GETFD) == FD_CLOEXEC);
    check("F_DUPFD >= 50", fcntl(fd, F_DUPFD, 50) == 50);
    check("F_DUPFD_CLOEXEC >= 50 gives 51", fcntl(fd, F_DUPFD_CLOEXEC, 50) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC);
    check("F_SETFL O_NONBLOCK", fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && (fcntl(d1, F_GETFL) & O_NONBLOCK));
    FAILS("fcntl on a closed fd", fcntl(99, F_GETFD), EBADF);
    close(fd);
    close(d1);
    close(40);
    close(41);
    close(50);
    close(51);
    FAILS("read from a closed fd", read(40, buf, 1), EBADF);

    /* pipe */
    int p[2];
    check("pipe", pipe(p) == 0);
    check("pipe write/read", write(p[1], "through the pipe", 16) == 16 && read(p[0], buf, 64) == 16 &&
                                 memcmp(buf, "through the pipe", 16) == 0);
    check("fstat on a pipe is a fifo", fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
    check("pipe fds are read/write only", (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY &&
                                              (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
    check("O_NONBLOCK read of an empty pipe", fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
    FAILS("... gives EAGAIN", read(p[0], buf, 1), EAGAIN);
    close(p[1]);
    check("read after the writer closed gives EOF", read(p[0], buf, 1) == 0);
    close(p[0]);
    check("pipe2(O_CLOEXEC)", pipe2(p, O_CLOEXEC) == 0 && fcntl(p[0], F_GETFD) == FD_CLOEXEC);
    close(p[0]);
    close(p[1]);

    /* stdio on top */
    FILE *f = fopen("stdio.txt", "w+");
    check("fopen w+", f != NULL);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "line %d\n", i);
    check("ftell after 1000 lines", ftell(f) == 8890);
    rewind(f);
    int lines = 0;
    long total = 0;
    while (fgets(buf, sizeof buf, f)) {
        lines++;
        total += atoi(buf + 5);
    }
    check("fgets reads them back", lines == 1000 && total == 499500);
    check("fseek/fread", fseek(f, -9, SEEK_END) == 0 && fread(buf, 1, 8, f) == 8 && memcmp(buf, "line 999", 8) == 0);
    check("fclose", fclose(f) == 0);

    /* cleanup: the directory must end empty */
    check("unlink all files", unlink("a.txt") == 0 && unlink("hard.txt") == 0 && unlink("sym") == 0 &&
                                  unlink("dangling") == 0 && unlink("stdio.txt") == 0);
    check("rmdir sub", rmdir("sub") == 0);
    list(".");
    check("chdir .. and rmdir work", chdir("..") == 0 && rmdir("work") == 0);
    FAILS("rmdir it again", rmdir("work"), ENOENT);
    printf("failures=%d\n", failures);
    return failures != 0;
}
