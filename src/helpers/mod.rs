//! Out-of-line instruction semantics, called from translated code.
//!
//! Each helper implements one decoder-table row (or a family of rows) exactly, as the Arm ARM
//! pseudocode says. Helpers receive the `CpuState` and the instruction word, extract the fields
//! they need, and update the state. They never touch Linux.
//!
//! - [`sys`]: system registers (MRS/MSR), exclusives and other non-FP helpers.
//! - [`fp`]: exact scalar floating point (rounding modes, NaNs, FPSR flags, FZ/DN).
//! - [`simd`]: AdvSIMD lanes.
//! - [`crypto`]: CRC32, AES, SHA-1, SHA-256 and 64-bit PMULL.

pub mod crypto;
pub mod fp;
pub mod simd;
pub mod sys;
