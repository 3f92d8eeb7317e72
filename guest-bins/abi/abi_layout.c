// xtask: link abi_layout_kernel.c
/* Prints the sizes, field offsets and constant values of the guest (aarch64) ABI that
 * qemu-aarch64-lite depends on, one item per line:
 *   size NAME BYTES / offset NAME.FIELD BYTES / const NAME VALUE
 * Built with `aarch64-linux-gnu-gcc -static` and run under the emulator or qemu-aarch64, its
 * output must equal `qemu_aarch64_lite::linux::abi::layout_report()` (tests/abi.rs).
 * Built natively (gcc on x86_64) it shows the host's side of the same items.
 *
 * Kernel UAPI structs (what the syscalls really read and write) are in abi_layout_kernel.c,
 * which includes no glibc header; this file holds the glibc-side items (socket messages). */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#define SZ(T, name) printf("size %s %zu\n", name, sizeof(T))
#define OFF(T, name, f) printf("offset %s.%s %zu\n", name, #f, offsetof(T, f))

void print_kernel_items(void);

int main(void) {
    SZ(struct msghdr, "msghdr");
    OFF(struct msghdr, "msghdr", msg_name);
    OFF(struct msghdr, "msghdr", msg_namelen);
    OFF(struct msghdr, "msghdr", msg_iov);
    OFF(struct msghdr, "msghdr", msg_iovlen);
    OFF(struct msghdr, "msghdr", msg_control);
    OFF(struct msghdr, "msghdr", msg_controllen);
    OFF(struct msghdr, "msghdr", msg_flags);
    SZ(struct mmsghdr, "mmsghdr");
    OFF(struct mmsghdr, "mmsghdr", msg_len);
    SZ(struct cmsghdr, "cmsghdr");
    OFF(struct cmsghdr, "cmsghdr", cmsg_len);
    OFF(struct cmsghdr, "cmsghdr", cmsg_level);
    OFF(struct cmsghdr, "cmsghdr", cmsg_type);
    SZ(struct sockaddr_un, "sockaddr_un");
    print_kernel_items();
    return 0;
}
