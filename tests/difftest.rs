//! The short deterministic differential run (part of `cargo test`): a fixed seed, a few cases of
//! every decoder-table row, run by `guest-bins/difftest/harness` under `qemu-aarch64` and under
//! this emulator (`xtask/src/difftest.rs`, compiled in here through `#[path]`).
//!
//! A second test runs random multi-row sequences (`--sequence 8`, one case per row: about 5000
//! words), which exercise what single words cannot: registers kept in host registers across
//! instructions, lazy flags, compare-and-branch fusion, forward branches inside a block.
//!
//! Fails on any mismatch and on any crash of ours (a signal other than SIGILL, a panic, a
//! timeout). Rows where ours raises SIGILL while qemu runs the word are listed in the output
//! (unimplemented here), not failed. Without `qemu-aarch64` or the cross compiler the test prints
//! a visible "skipped" line and passes.

#[path = "../xtask/src/difftest.rs"]
mod difftest;

use std::path::PathBuf;

/// The harness, or `None` (with a visible "skipped" line) when the oracle or the cross compiler
/// is missing.
fn harness(opts: &difftest::Options) -> Option<PathBuf> {
    if !difftest::have_qemu(&opts.qemu) {
        println!("skipped: qemu-aarch64 not installed");
        eprintln!("skipped: qemu-aarch64 not installed");
        return None;
    }
    match difftest::build_harness(&difftest::repo_root()) {
        Ok(h) => Some(h),
        Err(e) => {
            println!("skipped: cannot build the difftest harness ({e}); is aarch64-linux-gnu-gcc installed?");
            eprintln!("skipped: cannot build the difftest harness ({e})");
            None
        }
    }
}

#[test]
fn difftest_sequences_against_qemu() {
    let opts = {
        let mut o = difftest::Options::new(PathBuf::from(env!("CARGO_BIN_EXE_qemu-aarch64-lite")));
        o.iterations = 1;
        o.sequence = 8;
        o.seed = 0x00d1_ff7e_5e90_0001;
        o.keep_going = true;
        o.max_reports = 20;
        o
    };
    let Some(harness) = harness(&opts) else { return };
    let mut log = std::io::stderr();
    let summary = difftest::run_with(&opts, &harness, &mut log).expect("difftest run");
    let text = summary.render(&opts);
    eprint!("{text}");
    assert!(summary.words > 4000, "too few sequence words generated: {}", summary.words);
    assert!(
        summary.agree > summary.cases / 2,
        "too few sequences ran to the end: {} of {}",
        summary.agree,
        summary.cases
    );
    assert!(
        summary.clean(),
        "{} mismatches and {} crashes against qemu-aarch64 (reports above; reproduce with \
         `cargo xtask difftest --seed {} --sequence {} --iterations {} --keep-going --case I`)",
        summary.mismatches,
        summary.crashes,
        opts.seed,
        opts.sequence,
        opts.iterations
    );
}

#[test]
fn difftest_every_row_against_qemu() {
    let opts = {
        let mut o = difftest::Options::new(PathBuf::from(env!("CARGO_BIN_EXE_qemu-aarch64-lite")));
        o.iterations = 8;
        o.seed = 0x00d1_ff7e_5700_0001;
        o.keep_going = true;
        o.max_reports = 40;
        o
    };
    let Some(harness) = harness(&opts) else { return };
    let mut log = std::io::stderr();
    let summary = difftest::run_with(&opts, &harness, &mut log).expect("difftest run");
    let text = summary.render(&opts);
    eprint!("{text}");
    assert!(summary.cases > 1000, "too few cases generated: {}", summary.cases);
    assert!(
        summary.clean(),
        "{} mismatches and {} crashes against qemu-aarch64 (reports above; reproduce with \
         `cargo xtask difftest --seed {} --iterations {} --keep-going --filter ROW`)",
        summary.mismatches,
        summary.crashes,
        opts.seed,
        opts.iterations
    );
}
