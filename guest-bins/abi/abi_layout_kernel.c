/* Kernel UAPI half of abi_layout.c: only <linux/...> and <asm/...> headers, so that every
 * struct here is the one the kernel copies to and from user memory. See abi_layout.c. */
#include <stddef.h>
#include <asm/stat.h>
#include <asm/statfs.h>
#include <linux/signal.h>
#include <asm/siginfo.h>
#include <asm/mman.h>
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <asm/termios.h>
#include <asm/poll.h>
#include <asm/socket.h>
#include <asm/resource.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/eventpoll.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <linux/uio.h>
#include <linux/utsname.h>
#include <linux/stat.h>
#include <linux/ipc.h>
#include <linux/sem.h>
#include <linux/shm.h>
#include <linux/msg.h>
#include <linux/aio_abi.h>

int printf(const char *, ...);

#define SZ(T, name) printf("size %s %zu\n", name, sizeof(T))
#define OFF(T, name, f) printf("offset %s.%s %zu\n", name, #f, offsetof(T, f))
#define K(c) printf("const %s %lld\n", #c, (long long)(c))

void print_kernel_items(void) {
    SZ(struct stat, "stat");
    OFF(struct stat, "stat", st_dev);
    OFF(struct stat, "stat", st_ino);
    OFF(struct stat, "stat", st_mode);
    OFF(struct stat, "stat", st_nlink);
    OFF(struct stat, "stat", st_uid);
    OFF(struct stat, "stat", st_gid);
    OFF(struct stat, "stat", st_rdev);
    OFF(struct stat, "stat", st_size);
    OFF(struct stat, "stat", st_blksize);
    OFF(struct stat, "stat", st_blocks);
    OFF(struct stat, "stat", st_atime);
    OFF(struct stat, "stat", st_atime_nsec);
    OFF(struct stat, "stat", st_mtime);
    OFF(struct stat, "stat", st_mtime_nsec);
    OFF(struct stat, "stat", st_ctime);
    OFF(struct stat, "stat", st_ctime_nsec);

    SZ(struct statfs, "statfs");
    OFF(struct statfs, "statfs", f_type);
    OFF(struct statfs, "statfs", f_bsize);
    OFF(struct statfs, "statfs", f_blocks);
    OFF(struct statfs, "statfs", f_bfree);
    OFF(struct statfs, "statfs", f_bavail);
    OFF(struct statfs, "statfs", f_files);
    OFF(struct statfs, "statfs", f_ffree);
    OFF(struct statfs, "statfs", f_fsid);
    OFF(struct statfs, "statfs", f_namelen);
    OFF(struct statfs, "statfs", f_frsize);

    SZ(struct statx, "statx");
    OFF(struct statx, "statx", stx_mask);
    OFF(struct statx, "statx", stx_blksize);
    OFF(struct statx, "statx", stx_attributes);
    OFF(struct statx, "statx", stx_nlink);
    OFF(struct statx, "statx", stx_mode);
    OFF(struct statx, "statx", stx_ino);
    OFF(struct statx, "statx", stx_size);
    OFF(struct statx, "statx", stx_atime);
    OFF(struct statx, "statx", stx_mtime);
    OFF(struct statx, "statx", stx_rdev_major);
    OFF(struct statx, "statx", stx_dev_minor);

    SZ(struct epoll_event, "epoll_event");
    OFF(struct epoll_event, "epoll_event", events);
    OFF(struct epoll_event, "epoll_event", data);

    SZ(struct sigaction, "sigaction");
    OFF(struct sigaction, "sigaction", sa_handler);
    OFF(struct sigaction, "sigaction", sa_flags);
    OFF(struct sigaction, "sigaction", sa_restorer);
    OFF(struct sigaction, "sigaction", sa_mask);
    SZ(sigset_t, "sigset");

    SZ(stack_t, "stack_t");
    OFF(stack_t, "stack_t", ss_sp);
    OFF(stack_t, "stack_t", ss_flags);
    OFF(stack_t, "stack_t", ss_size);

    SZ(siginfo_t, "siginfo");
    OFF(siginfo_t, "siginfo", si_signo);
    OFF(siginfo_t, "siginfo", si_errno);
    OFF(siginfo_t, "siginfo", si_code);

    SZ(struct rusage, "rusage");
    OFF(struct rusage, "rusage", ru_utime);
    OFF(struct rusage, "rusage", ru_stime);
    OFF(struct rusage, "rusage", ru_maxrss);
    OFF(struct rusage, "rusage", ru_nivcsw);

    SZ(struct sysinfo, "sysinfo");
    OFF(struct sysinfo, "sysinfo", uptime);
    OFF(struct sysinfo, "sysinfo", loads);
    OFF(struct sysinfo, "sysinfo", totalram);
    OFF(struct sysinfo, "sysinfo", procs);
    OFF(struct sysinfo, "sysinfo", totalhigh);
    OFF(struct sysinfo, "sysinfo", mem_unit);

    SZ(struct flock, "flock");
    OFF(struct flock, "flock", l_type);
    OFF(struct flock, "flock", l_whence);
    OFF(struct flock, "flock", l_start);
    OFF(struct flock, "flock", l_len);
    OFF(struct flock, "flock", l_pid);

    SZ(struct termios, "termios");
    OFF(struct termios, "termios", c_iflag);
    OFF(struct termios, "termios", c_oflag);
    OFF(struct termios, "termios", c_cflag);
    OFF(struct termios, "termios", c_lflag);
    OFF(struct termios, "termios", c_line);
    OFF(struct termios, "termios", c_cc);
    SZ(struct winsize, "winsize");
    OFF(struct winsize, "winsize", ws_col);
    OFF(struct winsize, "winsize", ws_ypixel);

    SZ(struct __kernel_timespec, "timespec");
    OFF(struct __kernel_timespec, "timespec", tv_nsec);
    SZ(struct timeval, "timeval");
    OFF(struct timeval, "timeval", tv_usec);
    SZ(struct itimerspec, "itimerspec");
    OFF(struct itimerspec, "itimerspec", it_value);
    SZ(struct rlimit, "rlimit");
    OFF(struct rlimit, "rlimit", rlim_max);
    SZ(struct rlimit64, "rlimit64");
    SZ(struct iovec, "iovec");
    OFF(struct iovec, "iovec", iov_len);
    SZ(struct new_utsname, "utsname");
    OFF(struct new_utsname, "utsname", machine);
    SZ(struct pollfd, "pollfd");
    OFF(struct pollfd, "pollfd", revents);

    /* open flags: the four that differ are translated (abi::oflags_*) */
    K(O_ACCMODE); K(O_CREAT); K(O_EXCL); K(O_NOCTTY); K(O_TRUNC); K(O_APPEND); K(O_NONBLOCK);
    K(O_DSYNC); K(FASYNC); K(O_DIRECT); K(O_LARGEFILE); K(O_DIRECTORY); K(O_NOFOLLOW);
    K(O_NOATIME); K(O_CLOEXEC); K(__O_SYNC); K(O_PATH); K(__O_TMPFILE);
    K(F_DUPFD); K(F_GETFD); K(F_SETFD); K(F_GETFL); K(F_SETFL); K(F_GETLK); K(F_SETLK);
    K(F_SETLKW); K(F_SETOWN); K(F_GETOWN); K(F_SETSIG); K(F_GETSIG); K(F_SETOWN_EX);
    K(F_GETOWN_EX); K(F_OFD_GETLK); K(F_OFD_SETLK); K(F_OFD_SETLKW); K(F_SETLEASE);
    K(F_GETLEASE); K(F_NOTIFY); K(F_DUPFD_CLOEXEC); K(F_SETPIPE_SZ); K(F_GETPIPE_SZ);
    K(F_ADD_SEALS); K(F_GET_SEALS); K(AT_FDCWD); K(AT_SYMLINK_NOFOLLOW); K(AT_REMOVEDIR);
    K(AT_SYMLINK_FOLLOW); K(AT_EMPTY_PATH); K(AT_EACCESS);

    K(PROT_READ); K(PROT_WRITE); K(PROT_EXEC); K(PROT_GROWSDOWN); K(PROT_GROWSUP);
#ifdef PROT_BTI
    K(PROT_BTI); K(PROT_MTE);
#endif
    K(MAP_SHARED); K(MAP_PRIVATE); K(MAP_SHARED_VALIDATE); K(MAP_FIXED); K(MAP_ANONYMOUS);
    K(MAP_GROWSDOWN); K(MAP_DENYWRITE); K(MAP_EXECUTABLE); K(MAP_LOCKED); K(MAP_NORESERVE);
    K(MAP_POPULATE); K(MAP_NONBLOCK); K(MAP_STACK); K(MAP_HUGETLB); K(MAP_SYNC);
    K(MAP_FIXED_NOREPLACE); K(MREMAP_MAYMOVE); K(MREMAP_FIXED); K(MREMAP_DONTUNMAP);
    K(MCL_CURRENT); K(MCL_FUTURE); K(MCL_ONFAULT);

    K(TCGETS); K(TCSETS); K(TCSETSW); K(TCSETSF); K(TCSBRK); K(TCXONC); K(TCFLSH);
    K(TIOCEXCL); K(TIOCNXCL); K(TIOCSCTTY); K(TIOCGPGRP); K(TIOCSPGRP); K(TIOCOUTQ);
    K(TIOCGWINSZ); K(TIOCSWINSZ); K(FIONREAD); K(TIOCNOTTY); K(FIONBIO); K(TIOCGSID);
    K(TIOCGPTN); K(TIOCSPTLCK); K(FIONCLEX); K(FIOCLEX); K(FIOASYNC); K(TIOCGPTPEER);
    K(NCCS); K(VINTR); K(VEOF); K(VTIME); K(VMIN); K(ICRNL); K(IXON); K(OPOST); K(ONLCR);
    K(CBAUD); K(B38400); K(CS8); K(CREAD); K(ISIG); K(ICANON); K(ECHO); K(IEXTEN); K(TOSTOP);

    K(SA_NOCLDSTOP); K(SA_NOCLDWAIT); K(SA_SIGINFO); K(SA_ONSTACK); K(SA_RESTART);
    K(SA_NODEFER); K(SA_RESETHAND); K(SA_RESTORER); K(SIG_BLOCK); K(SIG_UNBLOCK);
    K(SIG_SETMASK); K(SS_ONSTACK); K(SS_DISABLE); K(MINSIGSTKSZ);
    K(SIGBUS); K(SIGUSR1); K(SIGSTKFLT); K(SIGCHLD); K(SIGCONT); K(SIGSTOP); K(SIGTSTP);
    K(SIGURG); K(SIGXCPU); K(SIGPOLL); K(SIGPWR); K(SIGSYS);

    K(EPOLL_CLOEXEC); K(EPOLLIN); K(EPOLLOUT); K(EPOLLRDHUP); K(EPOLLEXCLUSIVE);
    K(EPOLLWAKEUP); K(EPOLLONESHOT); K(EPOLLET); K(POLLIN); K(POLLPRI); K(POLLOUT);
    K(POLLRDNORM); K(POLLWRNORM); K(POLLRDBAND); K(POLLWRBAND); K(POLLRDHUP);
    K(SOL_SOCKET); K(SO_REUSEADDR); K(SO_TYPE); K(SO_ERROR); K(SO_SNDBUF); K(SO_RCVBUF);
    K(SO_KEEPALIVE); K(SO_PASSCRED); K(SO_PEERCRED); K(SO_RCVLOWAT); K(SO_RCVTIMEO_OLD);
    K(SO_SNDTIMEO_OLD); K(SO_REUSEPORT); K(SO_RCVTIMEO_NEW);
    K(RLIMIT_NOFILE); K(RLIMIT_NPROC); K(RLIMIT_AS); K(RLIMIT_STACK); K(RLIMIT_MEMLOCK);
    K(RLIMIT_RSS); K(RLIM_NLIMITS);

    /* SysV IPC: only semid64_ds differs (x86_64 pads each time with an unused word) */
    SZ(struct ipc64_perm, "ipc64_perm");
    OFF(struct ipc64_perm, "ipc64_perm", key);
    OFF(struct ipc64_perm, "ipc64_perm", uid);
    OFF(struct ipc64_perm, "ipc64_perm", gid);
    OFF(struct ipc64_perm, "ipc64_perm", cuid);
    OFF(struct ipc64_perm, "ipc64_perm", cgid);
    OFF(struct ipc64_perm, "ipc64_perm", mode);
    OFF(struct ipc64_perm, "ipc64_perm", seq);
    SZ(struct semid64_ds, "semid64_ds");
    OFF(struct semid64_ds, "semid64_ds", sem_otime);
    OFF(struct semid64_ds, "semid64_ds", sem_ctime);
    OFF(struct semid64_ds, "semid64_ds", sem_nsems);
    SZ(struct shmid64_ds, "shmid64_ds");
    OFF(struct shmid64_ds, "shmid64_ds", shm_segsz);
    OFF(struct shmid64_ds, "shmid64_ds", shm_atime);
    OFF(struct shmid64_ds, "shmid64_ds", shm_dtime);
    OFF(struct shmid64_ds, "shmid64_ds", shm_ctime);
    OFF(struct shmid64_ds, "shmid64_ds", shm_cpid);
    OFF(struct shmid64_ds, "shmid64_ds", shm_lpid);
    OFF(struct shmid64_ds, "shmid64_ds", shm_nattch);
    SZ(struct msqid64_ds, "msqid64_ds");
    OFF(struct msqid64_ds, "msqid64_ds", msg_stime);
    OFF(struct msqid64_ds, "msqid64_ds", msg_rtime);
    OFF(struct msqid64_ds, "msqid64_ds", msg_ctime);
    OFF(struct msqid64_ds, "msqid64_ds", msg_cbytes);
    OFF(struct msqid64_ds, "msqid64_ds", msg_qnum);
    OFF(struct msqid64_ds, "msqid64_ds", msg_qbytes);
    OFF(struct msqid64_ds, "msqid64_ds", msg_lspid);
    OFF(struct msqid64_ds, "msqid64_ds", msg_lrpid);
    SZ(struct shminfo64, "shminfo64");
    OFF(struct shminfo64, "shminfo64", shmall);
    SZ(struct shm_info, "shm_info");
    OFF(struct shm_info, "shm_info", shm_tot);
    OFF(struct shm_info, "shm_info", swap_successes);
    SZ(struct seminfo, "seminfo");
    OFF(struct seminfo, "seminfo", semaem);
    SZ(struct msginfo, "msginfo");
    OFF(struct msginfo, "msginfo", msgseg);
    SZ(struct sembuf, "sembuf");
    OFF(struct sembuf, "sembuf", sem_op);
    OFF(struct sembuf, "sembuf", sem_flg);
    SZ(struct iocb, "iocb");
    OFF(struct iocb, "iocb", aio_rw_flags);
    OFF(struct iocb, "iocb", aio_lio_opcode);
    OFF(struct iocb, "iocb", aio_fildes);
    OFF(struct iocb, "iocb", aio_buf);
    OFF(struct iocb, "iocb", aio_offset);
    OFF(struct iocb, "iocb", aio_flags);
    OFF(struct iocb, "iocb", aio_resfd);
    SZ(struct io_event, "io_event");
    OFF(struct io_event, "io_event", res2);
    K(IPC_SET); K(IPC_STAT); K(IPC_INFO); K(IPC_64); K(SEM_STAT); K(SEM_INFO); K(SEM_STAT_ANY);
    K(IPC_CREAT); K(IPC_EXCL); K(IPC_NOWAIT); K(IPC_RMID); K(GETPID); K(GETVAL); K(GETALL);
    K(GETNCNT); K(GETZCNT); K(SETVAL); K(SETALL); K(SEM_UNDO); K(SHM_RDONLY); K(SHM_RND);
    K(SHM_REMAP); K(SHM_EXEC); K(SHM_LOCK); K(SHM_UNLOCK); K(SHM_HUGETLB); K(SHM_NORESERVE);
    K(MSG_NOERROR); K(MSG_EXCEPT); K(MSG_COPY); K(MSG_STAT); K(MSG_INFO); K(SHM_STAT);
    K(SHM_INFO);
}
