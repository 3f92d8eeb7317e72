//! Decoder-table tests: every row is well formed and reachable, and row order resolves every
//! overlap in favour of the more specific row. An exhaustive decode of all 2^32 words is an
//! ignored test (`cargo test --release --test decoder -- --ignored`).

use qemu_aarch64_lite::arch::table::{all_rows, decode, Group, Op, Row};
use std::collections::HashSet;

/// Deterministic xorshift64* generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// `a` is at least as specific as `b`: every bit `b` fixes, `a` fixes to the same value.
fn more_specific(a: &Row, b: &Row) -> bool {
    a.mask & b.mask == b.mask && (a.value & b.mask) == b.value
}

#[test]
fn rows_are_well_formed() {
    let mut names = HashSet::new();
    for r in all_rows() {
        assert!(names.insert(r.name), "duplicate row name {}", r.name);
        assert_eq!(r.value & !r.mask, 0, "{}: value outside mask", r.name);
        assert_eq!(r.pattern.len(), 32, "{}", r.name);
        // Every word the row matches must lie in the Arm ARM top-level group of the row's op.
        let want = match r.op {
            Op::DpImm(_) => Group::DpImm,
            Op::Br(_) => Group::BranchSys,
            Op::LdSt(_) | Op::LdStSimd(_) => Group::LoadStore,
            Op::DpReg(_) => Group::DpReg,
            Op::Fp(_) | Op::Simd(_) => Group::FpSimd,
        };
        let free = !r.mask & (0xf << 25);
        let mut sub = free;
        loop {
            let w = r.value | sub;
            assert_eq!(Group::of(w), Some(want), "{}: matches words outside its group", r.name);
            if sub == 0 {
                break;
            }
            sub = (sub - 1) & free;
        }
    }
    assert!(names.len() > 100, "table unexpectedly small: {}", names.len());
}

/// For random words matching each row (its don't-care bits random), the decoder returns that
/// row or an earlier one that also matches. That is a bug when the earlier row is strictly less
/// specific (the special case was listed after the general one) or has the same pattern. Rows
/// that overlap without either containing the other (e.g. a shift-by-immediate row whose
/// `immh = 0000` words belong to the modified-immediate class listed before it) are resolved
/// by order, as the Arm ARM's decode tables are.
#[test]
fn row_order_resolves_overlaps() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for r in all_rows() {
        let mut hits = 0;
        for _ in 0..2000 {
            let w = (rng.next() as u32 & !r.mask) | r.value;
            let got = decode(w).unwrap_or_else(|| panic!("{:08x} matches {} but decodes to nothing", w, r.name));
            if std::ptr::eq(got, r) || got.name == r.name {
                hits += 1;
            } else {
                assert!(
                    !more_specific(r, got),
                    "{w:08x}: row {} ({}) is shadowed by the less specific (or identical) row {} ({})",
                    r.name,
                    r.pattern,
                    got.name,
                    got.pattern
                );
            }
        }
        assert!(hits > 0, "row {} is never selected: it is entirely shadowed", r.name);
    }
}

/// Every word decodes without panicking (a sample here; the full space is the ignored test).
#[test]
fn sampled_words_decode() {
    let mut rng = Rng(42);
    for _ in 0..2_000_000 {
        let w = rng.next() as u32;
        if let Some(r) = decode(w) {
            assert!(r.matches(w));
        }
    }
}

/// The table's meaning, with no index: the first row of the word's group that matches.
fn decode_linear(w: u32) -> Option<&'static Row> {
    let g = Group::of(w)?;
    qemu_aarch64_lite::arch::table::group_rows(g).iter().flat_map(|rows| rows.iter()).find(|r| r.matches(w))
}

/// The indexed decoder picks the same row as a linear first-match scan: for random words, and
/// for random words matching each row (where the index buckets and sub-buckets matter most).
#[test]
fn decode_is_first_match() {
    let mut rng = Rng(7);
    let same = |w: u32| {
        let (got, want) = (decode(w).map(|r| r.name), decode_linear(w).map(|r| r.name));
        assert_eq!(got, want, "{w:08x}");
    };
    for _ in 0..1_000_000 {
        same(rng.next() as u32);
    }
    for r in all_rows() {
        for _ in 0..200 {
            same(r.value | (rng.next() as u32 & !r.mask));
        }
    }
}

#[test]
#[ignore = "exhaustive: run with --release -- --ignored"]
fn all_words_decode() {
    let mut n = 0u64;
    for w in 0..=u32::MAX {
        if let Some(r) = decode(w) {
            assert!(r.matches(w));
            n += 1;
        }
    }
    eprintln!("{n} of 2^32 words decode to a row");
}
