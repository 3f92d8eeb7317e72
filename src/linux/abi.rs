//! Guest (aarch64) ABI structs and flag translations where they differ from x86_64.
