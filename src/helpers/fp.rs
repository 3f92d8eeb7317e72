//! Exact floating point semantics (Arm ARM FPAdd, FPMul, FPRound, ...).
