//! What translation costs, per guest instruction, by instruction kind and block length: the
//! `translate/*` benchmark's workload (`benches/common/workload.rs`) made configurable, timed
//! without criterion so that it also runs under `valgrind --tool=callgrind`, whose host
//! instruction counts are exact where the shared machines' timings are noisy.
//!
//! ```text
//! cargo run --release --example translate_cost -- [--kinds mix|all|K,K,...] [--body N]
//!                                                 [--runs N] [--fixed-regs] [--mix-of K,K,...]
//! ```
//! - `--kinds`: `mix` (default) is the benchmark's random mix; `all` each kind alone; or the
//!   kind numbers (0..15, see `KIND_NAMES`).
//! - `--body N`: instructions per block before its `B` (default 31, the benchmark's).
//! - `--runs N`: translations of the whole workload per kind (default 40); each after a
//!   `Jit::flush`, timed as the benchmark times it (the run of the freshly translated code
//!   included).
//! - `--fixed-regs`: registers x20-x23 in every instruction instead of random ones.
//! - `--mix-of K,K,...`: the mix draws from these kinds only (all 15 by default): how much of
//!   the mix's cost comes from mixing (docs/performance.md, eleventh session).
//!
//! Prints, per kind, the median and the best ns per guest instruction and the best rate.
//! Host instructions per guest instruction: run with `--runs 3` under
//! `valgrind --tool=callgrind --smc-check=all` and divide `Jit::run`'s inclusive count by
//! 3 x 65 536 (see docs/performance.md). With LTO (release builds) `Jit::run` is inlined into
//! `main`: take the inclusive count of the `jit/mod.rs` entry under `translate_cost::main`.

use qemu_aarch64_lite::cpu::CpuState;
use qemu_aarch64_lite::jit::{Exit, Jit};
use std::time::Instant;

#[path = "../benches/common/workload.rs"]
mod workload;
use workload::{insn_of_kind, random_insn, GuestCode, Rng, BRK0, B_NEXT, KINDS, KIND_NAMES};

/// Guest instructions per workload, as the benchmark's.
const INSNS: usize = 65_536;

struct Options {
    kinds: Vec<Option<u32>>,
    body: usize,
    runs: usize,
    fixed_regs: bool,
    /// `--mix-of`: the kinds a random mix draws from (all by default).
    mix_of: Vec<u32>,
}

fn parse() -> Result<Options, String> {
    let mut o = Options { kinds: vec![None], body: 31, runs: 40, fixed_regs: false, mix_of: (0..KINDS).collect() };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--kinds" => {
                o.kinds = match value()?.as_str() {
                    "mix" => vec![None],
                    "all" => (0..KINDS).map(Some).collect(),
                    list => list
                        .split(',')
                        .map(|k| match k.parse::<u32>() {
                            Ok(k) if k < KINDS => Ok(Some(k)),
                            _ => Err(format!("unknown kind {k:?} (0..{KINDS})")),
                        })
                        .collect::<Result<_, _>>()?,
                }
            }
            "--body" => o.body = value()?.parse().map_err(|_| "--body takes a number".to_string())?,
            "--runs" => o.runs = value()?.parse().map_err(|_| "--runs takes a number".to_string())?,
            "--fixed-regs" => o.fixed_regs = true,
            "--mix-of" => {
                o.mix_of = value()?
                    .split(',')
                    .map(|k| match k.parse::<u32>() {
                        Ok(k) if k < KINDS => Ok(k),
                        _ => Err(format!("unknown kind {k:?} (0..{KINDS})")),
                    })
                    .collect::<Result<_, _>>()?
            }
            _ => return Err(format!("unknown option {a}")),
        }
    }
    if o.body == 0 || o.body >= INSNS || o.runs == 0 {
        return Err("--body must be 1..65535 and --runs at least 1".into());
    }
    Ok(o)
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("translate_cost: {e}");
            std::process::exit(2);
        }
    };
    let blocks = INSNS / (o.body + 1);
    let code_len = blocks * (o.body + 1) * 4 + 4;
    let area = GuestCode::new(code_len.next_multiple_of(4096) + 4096);
    let stack = area.addr() + code_len.next_multiple_of(4096) as u64;
    for &kind in &o.kinds {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut words = Vec::with_capacity(code_len / 4);
        for _ in 0..blocks {
            for _ in 0..o.body {
                let word = match (kind, o.fixed_regs) {
                    (None, false) if o.mix_of.len() == KINDS as usize => random_insn(&mut rng),
                    (k, fixed) => {
                        let r = &mut rng;
                        let regs =
                            if fixed { (20, 21, 22, 23) } else { (r.below(29), r.below(29), r.below(29), r.below(29)) };
                        let k = k.unwrap_or_else(|| o.mix_of[r.below(o.mix_of.len() as u64) as usize]);
                        insn_of_kind(r, k, regs)
                    }
                };
                words.push(word);
            }
            words.push(B_NEXT);
        }
        words.push(BRK0);
        area.write(0, &words);
        let jit = Jit::with_cache_size(256 << 20).expect("code cache");
        let mut cpu = CpuState::new();
        let mut times = Vec::with_capacity(o.runs);
        for _ in 0..o.runs {
            jit.flush();
            let before = jit.stats().insns_translated;
            cpu.pc = area.addr();
            cpu.x[31] = stack;
            let t = Instant::now();
            let e = jit.run(&mut cpu);
            let ns = t.elapsed().as_nanos() as f64;
            assert_eq!(e, Exit::Brk(0), "stopped early at pc {:#x}", cpu.pc);
            times.push(ns / (jit.stats().insns_translated - before) as f64);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let name = kind.map_or("mix", |k| KIND_NAMES[k as usize]);
        println!(
            "{name:14} body {:3}: median {:6.1} ns, best {:6.1} ns per guest instruction ({:.1} M/s)",
            o.body,
            times[times.len() / 2],
            times[0],
            1e3 / times[0]
        );
    }
}
