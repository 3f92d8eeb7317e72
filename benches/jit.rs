//! Criterion benchmarks of the JIT through the public API (`Jit`, `CpuState`, `Exit`).
//!
//! - `exec/*`: guest instructions per second on tight hand-assembled loops (integer ALU, scalar
//!   FP, post-indexed loads and stores, BL/RET calls). Translation happens once, in the warm-up;
//!   the measured part is steady-state execution of translated (and chained) code.
//! - `translate/straight_line`: guest instructions translated per second: 2048 distinct blocks of
//!   31 pseudo-random ALU, load/store and FP instructions plus a `B` to the next block, run once
//!   after a `Jit::flush`, so every block is translated again; the count comes from
//!   `Jit::stats().insns_translated`. `translate/short_blocks`: the same with 16 384 blocks of
//!   3 instructions and a `B` (per-block costs weigh as in real code). The workload is
//!   `benches/common/workload.rs`, shared with `examples/translate_cost.rs`.
//! - `svc/*`: the SVC exit and re-entry round trip (`Jit::run` returns `Exit::Svc`, the caller
//!   handles it, calls `run` again), without a host syscall and with a host getpid. The whole
//!   syscall path of the `linux` layer is measured by `guest-bins/bench/syscall.c` under
//!   `cargo xtask bench` (`linux::syscall::dispatch` needs a `Process`, which only the loader
//!   builds).
//!
//! Invariants: guest code lives in an RWX anonymous mapping owned by [`GuestCode`] for the whole
//! benchmark; every run ends at a `BRK #0` (any other exit aborts the benchmark, so a broken JIT
//! never reports a number). Instruction words come from `aarch64-linux-gnu-as` (disassembly in
//! the comments).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qemu_aarch64_lite::cpu::CpuState;
use qemu_aarch64_lite::jit::{Exit, Jit};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "common/workload.rs"]
mod workload;
use workload::{random_insn, GuestCode, Rng, BRK0, B_NEXT};

/// Run from `cpu.pc` to the BRK #0 that ends every benchmark program.
fn run_to_brk(jit: &Jit, cpu: &mut CpuState) {
    let e = jit.run(cpu);
    assert_eq!(e, Exit::Brk(0), "benchmark program stopped early at pc {:#x}", cpu.pc);
}

/// One tight loop: its words (ending in BRK #0), instructions per iteration, and a setup.
struct Loop {
    name: &'static str,
    words: &'static [u32],
    insns_per_iter: u64,
}

const INT_LOOP: Loop = Loop {
    name: "int_alu",
    words: &[
        0x8b02_0021, // add x1, x1, x2
        0xca01_0c63, // eor x3, x3, x1, lsl #3
        0x8b43_1c42, // add x2, x2, x3, lsr #7
        0xd100_0400, // sub x0, x0, #1
        0xb5ff_ff80, // cbnz x0, <start>
        BRK0,
    ],
    insns_per_iter: 5,
};

const FP_LOOP: Loop = Loop {
    name: "fp_double",
    words: &[
        0x1e62_0821, // fmul d1, d1, d2
        0x1e61_2863, // fadd d3, d3, d1
        0x1e62_3864, // fsub d4, d3, d2
        0xd100_0400, // sub x0, x0, #1
        0xb5ff_ff80, // cbnz x0, <start>
        BRK0,
    ],
    insns_per_iter: 5,
};

const LDST_LOOP: Loop = Loop {
    name: "load_store",
    words: &[
        0xf840_8423, // ldr x3, [x1], #8
        0x8b03_00a5, // add x5, x5, x3
        0xf800_8445, // str x5, [x2], #8
        0xd100_0400, // sub x0, x0, #1
        0xb5ff_ff80, // cbnz x0, <start>
        BRK0,
    ],
    insns_per_iter: 5,
};

const CALL_LOOP: Loop = Loop {
    name: "call_ret",
    words: &[
        0x9400_0004, // bl <leaf> (+16)
        0xd100_0400, // sub x0, x0, #1
        0xb5ff_ffc0, // cbnz x0, <start>
        BRK0,
        0x9100_0421, // leaf: add x1, x1, #1
        0xd65f_03c0, // ret
    ],
    insns_per_iter: 5,
};

/// Iterations per run of a loop; 8-byte elements per buffer for the load/store loop.
const ITERS: u64 = 200_000;

fn bench_exec(c: &mut Criterion) {
    let mut g = c.benchmark_group("exec");
    let jit = Jit::with_cache_size(64 << 20).expect("code cache");
    let data_len = (ITERS as usize) * 8;
    let area = GuestCode::new(4096 + 2 * data_len);
    let (src, dst) = (area.addr() + 4096, area.addr() + 4096 + data_len as u64);
    for l in [INT_LOOP, FP_LOOP, LDST_LOOP, CALL_LOOP] {
        area.write(0, l.words);
        jit.flush();
        let setup = |cpu: &mut CpuState| {
            cpu.pc = area.addr();
            cpu.x[0] = ITERS;
            cpu.x[1] = 1;
            cpu.x[2] = 3;
            if l.name == "load_store" {
                cpu.x[1] = src;
                cpu.x[2] = dst;
            }
            if l.name == "fp_double" {
                cpu.v[1] = 1.0f64.to_bits() as u128;
                cpu.v[2] = 1.000_000_1f64.to_bits() as u128;
            }
        };
        let mut cpu = CpuState::new();
        setup(&mut cpu);
        run_to_brk(&jit, &mut cpu);
        assert_eq!(cpu.x[0], 0, "{}: loop counter not exhausted", l.name);
        g.throughput(Throughput::Elements(ITERS * l.insns_per_iter));
        g.bench_function(l.name, |b| {
            b.iter(|| {
                setup(&mut cpu);
                run_to_brk(&jit, &mut cpu);
                black_box(cpu.x[3]);
            })
        });
    }
    g.finish();
}

/// Guest instructions per run of a translation benchmark.
const TRANSLATE_INSNS: usize = 65_536;

fn bench_translate(c: &mut Criterion) {
    let mut g = c.benchmark_group("translate");
    // 2048 blocks of 31 instructions and a B (the figure the targets are stated in), and
    // 16 384 blocks of 3 and a B: real code's blocks are short (5 to 9 instructions in a
    // Python start-up), so the per-block costs weigh more there.
    for (name, body) in [("straight_line", 31), ("short_blocks", 3)] {
        translate_case(&mut g, name, body);
    }
    g.finish();
}

/// One `translate/*` benchmark: blocks of `body` random instructions (the mix of
/// `workload::random_insn`) and a `B` to the next block, run once after each `Jit::flush`.
fn translate_case(g: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>, name: &str, body: usize) {
    let blocks = TRANSLATE_INSNS / (body + 1);
    let code_len = blocks * (body + 1) * 4 + 4;
    let area = GuestCode::new(code_len.next_multiple_of(4096) + 4096);
    let stack = area.addr() + code_len.next_multiple_of(4096) as u64;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut words = Vec::with_capacity(code_len / 4);
    for _ in 0..blocks {
        words.extend((0..body).map(|_| random_insn(&mut rng)));
        words.push(B_NEXT);
    }
    words.push(BRK0);
    area.write(0, &words);
    let jit = Jit::with_cache_size(256 << 20).expect("code cache");
    let mut cpu = CpuState::new();
    let mut run = |jit: &Jit| {
        cpu.pc = area.addr();
        cpu.x[31] = stack;
        run_to_brk(jit, &mut cpu);
    };
    let before = jit.stats().insns_translated;
    run(&jit);
    let per_run = jit.stats().insns_translated - before;
    assert!(per_run >= (blocks * (body + 1)) as u64, "only {per_run} instructions translated");
    g.throughput(Throughput::Elements(per_run));
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                jit.flush();
                let t = Instant::now();
                run(&jit);
                total += t.elapsed();
            }
            total
        })
    });
}

const SVC_LOOP: &[u32] = &[
    0xd280_1588, // mov x8, #172 (getpid)
    0xd400_0001, // svc #0
    0xd100_0673, // sub x19, x19, #1
    0xb5ff_ffb3, // cbnz x19, <start>
    BRK0,
];
const SVC_ITERS: u64 = 10_000;

fn bench_svc(c: &mut Criterion) {
    let area = GuestCode::new(4096);
    area.write(0, SVC_LOOP);
    let jit = Jit::with_cache_size(16 << 20).expect("code cache");
    let mut g = c.benchmark_group("svc");
    g.throughput(Throughput::Elements(SVC_ITERS));
    for host_call in [false, true] {
        let name = if host_call { "round_trip_getpid" } else { "round_trip_no_host_call" };
        let mut cpu = CpuState::new();
        g.bench_function(name, |b| {
            b.iter(|| {
                cpu.pc = area.addr();
                cpu.x[19] = SVC_ITERS;
                let mut n = 0u64;
                loop {
                    match jit.run(&mut cpu) {
                        Exit::Svc(0) => {
                            assert_eq!(cpu.x[8], 172);
                            // SAFETY: getpid has no preconditions.
                            cpu.x[0] = if host_call { unsafe { libc::syscall(libc::SYS_getpid) as u64 } } else { 0 };
                            n += 1;
                        }
                        Exit::Brk(0) => break,
                        e => panic!("unexpected exit {e:?} at pc {:#x}", cpu.pc),
                    }
                }
                assert_eq!(n, SVC_ITERS);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_exec, bench_translate, bench_svc);
criterion_main!(benches);
