//! Guest and host signal numbers.
//!
//! The host C library keeps the host's signals 32 and 33 for itself (glibc's SIGCANCEL and
//! SIGSETXID: pthread cancellation and the set*id broadcast to every thread); its
//! `sigaction` refuses them and its handlers would run, and crash, on a guest's. The guest's
//! C library uses its signals 32 and 33 for the same purposes, so they must travel as other
//! host signals. As qemu-user does, guest signals 1-31 are the same host signals and guest
//! 32..=62 are host 34..=64 (host SIGRTMIN is 34); guest 63 and 64 have no host signal: a
//! handler for them is recorded but never runs, and sending them fails with EINVAL.
//!
//! Everything the emulator keeps (actions, masks, pending sets, siginfo) is in guest
//! numbers; numbers and sets are converted where they cross to the host kernel: dispositions,
//! masks, kill/tkill/tgkill/sigqueue, sigtimedwait, sigpending, wait statuses, and the
//! signal the emulator finally dies by.

/// The host signal that carries guest signal `sig` (1..=64); `None` for 63 and 64 (and for
/// numbers outside 1..=64).
pub fn to_host(sig: i32) -> Option<i32> {
    match sig {
        1..=31 => Some(sig),
        32..=62 => Some(sig + 2),
        _ => None,
    }
}

/// The guest signal carried by host signal `sig`; `None` for the host C library's 32 and 33.
pub fn to_guest(sig: i32) -> Option<i32> {
    match sig {
        1..=31 => Some(sig),
        34..=64 => Some(sig - 2),
        _ => None,
    }
}

/// Low 31 bits: signals 1..=31 (bit sig-1).
const STANDARD: u64 = 0x7fff_ffff;

/// A guest signal set (bit sig-1) as the host set of the carrying signals.
pub fn set_to_host(set: u64) -> u64 {
    (set & STANDARD) | ((set >> 31) & STANDARD) << 33
}

/// A host signal set as the guest set (the host C library's 32 and 33 dropped).
pub fn set_to_guest(set: u64) -> u64 {
    (set & STANDARD) | ((set >> 33) & STANDARD) << 31
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_sets_agree() {
        assert_eq!(libc::SIGRTMIN(), 34, "the host C library's first free real-time signal");
        for g in 1..=64 {
            match to_host(g) {
                Some(h) => {
                    assert!(h != 32 && h != 33 && (1..=64).contains(&h));
                    assert_eq!(to_guest(h), Some(g));
                    assert_eq!(set_to_host(1 << (g - 1)), 1 << (h - 1), "guest {g}");
                    assert_eq!(set_to_guest(1 << (h - 1)), 1 << (g - 1), "host {h}");
                }
                None => {
                    assert!(g == 63 || g == 64);
                    assert_eq!(set_to_host(1 << (g - 1)), 0);
                }
            }
        }
        assert_eq!(to_guest(32), None);
        assert_eq!(to_guest(33), None);
        assert_eq!(set_to_guest(3 << 31), 0);
        assert_eq!(set_to_guest(set_to_host(u64::MAX)), u64::MAX >> 2);
    }
}
