//! The translator of each operation: [`TRANSLATORS`], indexed by [`Row::op_index`], holds one
//! function per [`Op`], so that the block former reaches an instruction's translator with one
//! indirect call.
//!
//! Each entry is its group's translator (`dp_reg::translate`, ...) instantiated for one
//! operation through a const generic: the group translators are `#[inline(always)]`, so their
//! `match op` folds into a direct call of the operation's emitter. Without the table, an
//! instruction went through two or three jump tables (group, operation, form), each as
//! unpredictable as the guest code, at a mispredicted branch apiece.
//!
//! [`Row::op_index`]: crate::arch::table::Row::op_index

use super::emit::{Emitter, TResult, Undefined};
use crate::arch::table::{BrOp, DpImmOp, DpRegOp, FpOp, LdStOp, LdStSimdOp, Op, SimdOp};
use crate::arch::Insn;

/// A translator for one operation.
pub(crate) type Translator = fn(&mut Emitter, Insn) -> TResult;

/// Most operations in one group (the instances per group below).
const MAX_GROUP_OPS: usize = 256;

/// `fn $name<const K: usize>`: `$translate(e, $Enum::ALL[K], i)` (UNDEFINED past the end of
/// `ALL`: those instances are never in the table).
macro_rules! per_op {
    ($name:ident, $Enum:ident, $translate:path) => {
        fn $name<const K: usize>(e: &mut Emitter, i: Insn) -> TResult {
            match $Enum::ALL.get(K) {
                Some(&op) => $translate(e, op, i),
                None => Err(Undefined),
            }
        }
    };
}

per_op!(dp_imm, DpImmOp, super::dp_imm::translate);
per_op!(branch, BrOp, super::branch::translate);
per_op!(ldst, LdStOp, super::ldst::translate);
per_op!(ldst_simd, LdStSimdOp, super::ldst_simd::translate);
per_op!(dp_reg, DpRegOp, super::dp_reg::translate);
per_op!(fp, FpOp, super::fp::translate);
per_op!(simd, SimdOp, super::simd::translate);

/// `[[f::<0>, .. f::<15>], .. [f::<240>, .. f::<255>]]`: the [`MAX_GROUP_OPS`] instances.
macro_rules! instances {
    ($f:ident) => {
        instances!(@hi $f [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15])
    };
    (@hi $f:ident [$($h:literal)*]) => {
        [$(instances!(@lo $f $h)),*]
    };
    (@lo $f:ident $h:literal) => {
        [
            $f::<{ $h * 16 }>, $f::<{ $h * 16 + 1 }>, $f::<{ $h * 16 + 2 }>, $f::<{ $h * 16 + 3 }>,
            $f::<{ $h * 16 + 4 }>, $f::<{ $h * 16 + 5 }>, $f::<{ $h * 16 + 6 }>, $f::<{ $h * 16 + 7 }>,
            $f::<{ $h * 16 + 8 }>, $f::<{ $h * 16 + 9 }>, $f::<{ $h * 16 + 10 }>, $f::<{ $h * 16 + 11 }>,
            $f::<{ $h * 16 + 12 }>, $f::<{ $h * 16 + 13 }>, $f::<{ $h * 16 + 14 }>, $f::<{ $h * 16 + 15 }>,
        ]
    };
}

type Instances = [[Translator; 16]; MAX_GROUP_OPS / 16];

/// The translator of every operation, by [`Op::index`].
pub(crate) static TRANSLATORS: [Translator; Op::COUNT] = {
    // In the order of `Op`'s variants, as `Op::GROUP_START`.
    let groups: [(Instances, usize); 7] = [
        (instances!(dp_imm), DpImmOp::ALL.len()),
        (instances!(branch), BrOp::ALL.len()),
        (instances!(ldst), LdStOp::ALL.len()),
        (instances!(ldst_simd), LdStSimdOp::ALL.len()),
        (instances!(dp_reg), DpRegOp::ALL.len()),
        (instances!(fp), FpOp::ALL.len()),
        (instances!(simd), SimdOp::ALL.len()),
    ];
    let mut table: [Translator; Op::COUNT] = [undefined; Op::COUNT];
    let mut g = 0;
    while g < groups.len() {
        let (instances, len) = groups[g];
        assert!(len <= MAX_GROUP_OPS, "a group has more operations than instances");
        let mut k = 0;
        while k < len {
            table[Op::GROUP_START[g] + k] = instances[k / 16][k % 16];
            k += 1;
        }
        g += 1;
    }
    // Operations that share one emitter taking the operation at run time share one entry
    // (it reads the operation from the word): fewer distinct targets for the indirect call.
    let mut k = 0;
    while k < SHARED.len() {
        table[SHARED[k].0.index()] = SHARED[k].1;
        k += 1;
    }
    table
};

/// The operations translated by a shared entry, with it.
const SHARED: [(Op, Translator); 20] = {
    use DpRegOp::*;
    let shifted = super::dp_reg::translate_shifted as Translator;
    let wide = super::dp_imm::translate_move_wide as Translator;
    let arith = super::fp_inline::translate_arith as Translator;
    [
        (Op::Fp(FpOp::Fmul), arith),
        (Op::Fp(FpOp::Fdiv), arith),
        (Op::Fp(FpOp::Fadd), arith),
        (Op::Fp(FpOp::Fsub), arith),
        (Op::Fp(FpOp::Fnmul), arith),
        (Op::DpReg(And), shifted),
        (Op::DpReg(Bic), shifted),
        (Op::DpReg(Orr), shifted),
        (Op::DpReg(Orn), shifted),
        (Op::DpReg(Eor), shifted),
        (Op::DpReg(Eon), shifted),
        (Op::DpReg(Ands), shifted),
        (Op::DpReg(Bics), shifted),
        (Op::DpReg(AddShifted), shifted),
        (Op::DpReg(AddsShifted), shifted),
        (Op::DpReg(SubShifted), shifted),
        (Op::DpReg(SubsShifted), shifted),
        (Op::DpImm(DpImmOp::Movn), wide),
        (Op::DpImm(DpImmOp::Movz), wide),
        (Op::DpImm(DpImmOp::Movk), wide),
    ]
};

fn undefined(_: &mut Emitter, _: Insn) -> TResult {
    Err(Undefined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::table::all_rows;

    /// A shared entry reads the operation each of its rows would have been given.
    #[test]
    fn shared_entries_read_their_operation() {
        use crate::arch::table::decode;
        for r in all_rows() {
            if !SHARED.iter().any(|s| s.0 == r.op) {
                continue;
            }
            // the row's own value with its free bits set in turn
            for free in [0, !r.mask, 0x1f & !r.mask, 0x3ff & !r.mask] {
                let word = r.value | free;
                if decode(word).map(|d| d.op) != Some(r.op) {
                    continue;
                }
                let i = crate::arch::Insn(word);
                let op = match r.op {
                    Op::DpReg(_) => Op::DpReg(crate::jit::dp_reg::shifted_op(i)),
                    Op::Fp(_) => Op::Fp(crate::jit::fp_inline::arith_op(i)),
                    _ => Op::DpImm(crate::jit::dp_imm::move_wide_op(i)),
                };
                assert_eq!(op, r.op, "{} {word:#010x}", r.name);
            }
        }
    }

    /// Every row's index is its operation's, and in range.
    #[test]
    fn op_index_is_consistent() {
        for r in all_rows() {
            assert_eq!(r.op_index as usize, r.op.index(), "{}", r.name);
            assert!(r.op.index() < Op::COUNT);
        }
        // distinct operations have distinct indexes
        let mut seen = std::collections::HashMap::new();
        for r in all_rows() {
            if let Some(prev) = seen.insert(r.op.index(), r.op) {
                assert_eq!(prev, r.op, "{}", r.name);
            }
        }
    }
}
