//! The A64 guest instruction set, as data: pure Rust, no `unsafe`, no libc, no host knowledge.
//!
//! - [`table`]: THE decoder table. One row per encoding, written as the Arm ARM's 32-character
//!   bitstring; `const fn` turns it into mask/value so a malformed row fails the build.
//! - [`insn`]: [`Insn`], an instruction word with field accessors named as in the manual.
//! - [`pseudo`]: shared pseudocode (DecodeBitMasks, ...).
//!
//! Invariant: `decode` is total: every 32-bit word yields a row or `None` (= UNDEFINED here).

pub mod disasm;
pub mod features;
pub mod insn;
pub mod pseudo;
pub mod table;

pub use insn::Insn;
pub use table::{decode, Group, Op, Row};
