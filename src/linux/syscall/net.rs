//! Socket syscalls. Invariants: sockaddr, msghdr, mmsghdr, cmsghdr, iovec, linger, ucred and
//! the SOL_SOCKET option numbers are identical on arm64 and x86_64 (tests/abi.rs); SOCK_NONBLOCK
//! and SOCK_CLOEXEC equal O_NONBLOCK/O_CLOEXEC, which do not differ. Every call passes through.

use super::{pass, pass_safe, row, Arg, Syscall};
use crate::linux::syscall::nr;
use Arg::*;

pub static SYSCALLS: &[Syscall] = &[
    row(nr::SOCKET, "socket", sys_socket, &[I32, Hex, I32]),
    row(nr::SOCKETPAIR, "socketpair", sys_socketpair, &[I32, Hex, I32, Ptr]),
    row(nr::BIND, "bind", sys_bind, &[Fd, Ptr, Int]),
    row(nr::LISTEN, "listen", sys_listen, &[Fd, I32]),
    row(nr::ACCEPT, "accept", sys_accept, &[Fd, Ptr, Ptr]),
    row(nr::ACCEPT4, "accept4", sys_accept4, &[Fd, Ptr, Ptr, Hex]),
    row(nr::CONNECT, "connect", sys_connect, &[Fd, Ptr, Int]),
    row(nr::GETSOCKNAME, "getsockname", sys_getsockname, &[Fd, Ptr, Ptr]),
    row(nr::GETPEERNAME, "getpeername", sys_getpeername, &[Fd, Ptr, Ptr]),
    row(nr::SENDTO, "sendto", sys_sendto, &[Fd, Buf, Int, Hex, Ptr, Int]),
    row(nr::RECVFROM, "recvfrom", sys_recvfrom, &[Fd, Buf, Int, Hex, Ptr, Ptr]),
    row(nr::SETSOCKOPT, "setsockopt", sys_setsockopt, &[Fd, I32, I32, Ptr, Int]),
    row(nr::GETSOCKOPT, "getsockopt", sys_getsockopt, &[Fd, I32, I32, Ptr, Ptr]),
    row(nr::SHUTDOWN, "shutdown", sys_shutdown, &[Fd, I32]),
    row(nr::SENDMSG, "sendmsg", sys_sendmsg, &[Fd, Ptr, Hex]),
    row(nr::RECVMSG, "recvmsg", sys_recvmsg, &[Fd, Ptr, Hex]),
    row(nr::SENDMMSG, "sendmmsg", sys_sendmmsg, &[Fd, Ptr, Int, Hex]),
    row(nr::RECVMMSG, "recvmmsg", sys_recvmmsg, &[Fd, Ptr, Int, Hex, Ptr]),
];

pass! {
    sys_socket => SYS_socket;
    sys_socketpair => SYS_socketpair;
    sys_bind => SYS_bind;
    sys_listen => SYS_listen;
    sys_getsockname => SYS_getsockname;
    sys_getpeername => SYS_getpeername;
    sys_setsockopt => SYS_setsockopt;
    sys_getsockopt => SYS_getsockopt;
    sys_shutdown => SYS_shutdown;
}

// Calls that may block: through `safe6` (see `signal`'s notes on blocking syscalls).
pass_safe! {
    sys_accept => SYS_accept;
    sys_accept4 => SYS_accept4;
    sys_connect => SYS_connect;
    sys_sendto => SYS_sendto;
    sys_recvfrom => SYS_recvfrom;
    sys_sendmsg => SYS_sendmsg;
    sys_recvmsg => SYS_recvmsg;
    sys_sendmmsg => SYS_sendmmsg;
    sys_recvmmsg => SYS_recvmmsg;
}
