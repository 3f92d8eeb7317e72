//! aarch64 syscall numbers (asm-generic/unistd.h). Temporary hand list until generated.

pub const WRITE: u32 = 64;
pub const EXIT: u32 = 93;
pub const EXIT_GROUP: u32 = 94;

pub fn name(nr: u32) -> Option<&'static str> {
    match nr {
        WRITE => Some("write"),
        EXIT => Some("exit"),
        EXIT_GROUP => Some("exit_group"),
        _ => None,
    }
}
