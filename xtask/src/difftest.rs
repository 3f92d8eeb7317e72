//! `cargo xtask difftest`: differential testing of this emulator against `qemu-aarch64`, driven by
//! the decoder table (`qemu_aarch64_lite::arch::table::all_rows`).
//!
//! For every row (optionally filtered by a substring of its name) the generator draws random
//! words of that row (random don't-care bits, constrained where the architecture or the harness
//! needs it: see [`gen`]), random and edge-case register values, FPCR modes and a data page, and
//! sends the cases to the aarch64 harness (`guest-bins/difftest/harness.c`), once under
//! `qemu-aarch64` (the oracle) and once under our emulator. The final states are compared field by
//! field: X0-X30, SP, NZCV, V0-V31, FPCR, FPSR, the data page, and the signal a case raised.
//!
//! With `--sequence LEN` (LEN > 1) each case is instead a random sequence of about LEN words drawn
//! from many rows, with injected flag-setter + consumer pairs and forward branches ([`seq`]).
//!
//! Invariants: generation is a pure function of (seed, row set, iterations, sequence length), so a
//! seed reproduces a run (a sequence case, of (seed, row set, length, case index)); a case owns a code slot that no other case of the same process uses (the
//! slot is the case's index modulo the slot count, and batches never exceed it), so no emulator
//! ever sees rewritten code; an emulator that dies on a case (our emulator does not deliver guest
//! signals yet) is restarted after that case, so one case never hides the others.
//!
//! This file is also compiled into `tests/difftest.rs` (through `#[path]`), so it uses only the
//! standard library and the main crate, and never calls `process::exit`.

#![allow(dead_code)]

#[path = "difftest/gen.rs"]
pub mod gen;
#[path = "difftest/run.rs"]
pub mod run;
#[path = "difftest/seq.rs"]
pub mod seq;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Layout shared with `guest-bins/difftest/harness.h`.
pub const CODE_BASE: u64 = 0x2000_0000;
pub const SLOT_SIZE: u64 = 256;
pub const NSLOTS: u64 = 65536;
pub const DATA_PAGE: u64 = 0x3000_1000;
pub const MAXW: usize = 48;
pub const REGS_SIZE: usize = 800;
pub const IN_SIZE: usize = 16 + REGS_SIZE + 4 * MAXW + 4096;
pub const OUT_HEAD: usize = 32 + REGS_SIZE;
pub const OUT_SIZE: usize = OUT_HEAD + 4096;
pub const MAGIC_IN: u32 = 0x3143_5444;
pub const MAGIC_OUT: u32 = 0x3152_5444;

/// Address of the slot of a case.
pub fn slot_addr(slot: u32) -> u64 {
    CODE_BASE + 4096 + slot as u64 * SLOT_SIZE
}

/// Options of one run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Cases per row.
    pub iterations: usize,
    pub seed: u64,
    /// Substrings of row names (any matches); empty = every row.
    pub filter: Vec<String>,
    /// Our emulator's binary.
    pub emulator: PathBuf,
    /// The oracle.
    pub qemu: String,
    /// `-cpu` of the oracle: `max` without pointer authentication, whose hint-space
    /// instructions are NOPs by design here (PAuth is not advertised).
    pub qemu_cpu: String,
    /// Keep going after a batch with mismatches.
    pub keep_going: bool,
    /// Cases per harness process.
    pub batch: usize,
    /// Print at most this many mismatch reports (all are counted).
    pub max_reports: usize,
    /// A progress line on stderr after each batch.
    pub progress: bool,
    /// Words per case: 1 = one row per case (cases drawn row after row); more = random
    /// multi-row sequences (`seq`), `iterations` x (number of rows) cases in all.
    pub sequence: usize,
    /// Sequence mode: run only this case index (to reproduce a report).
    pub case: Option<u64>,
    /// Print the generated cases (words, disassembly, rows) instead of running them.
    pub print_cases: bool,
}

impl Options {
    pub fn new(emulator: PathBuf) -> Options {
        Options {
            iterations: 100,
            seed: 1,
            filter: Vec::new(),
            emulator,
            qemu: "qemu-aarch64".into(),
            qemu_cpu: "max,pauth=off".into(),
            keep_going: false,
            batch: 4096,
            max_reports: 50,
            progress: false,
            sequence: 1,
            case: None,
            print_cases: false,
        }
    }
}

/// Per-row counters.
#[derive(Clone, Debug, Default)]
pub struct RowStats {
    pub cases: usize,
    pub agree: usize,
    /// Both emulators raised the same signal.
    pub agree_signal: usize,
    pub mismatches: usize,
    /// Ours raised SIGILL where qemu ran the case: not implemented here (or beyond our ISA).
    pub unimplemented: usize,
    /// Ours died otherwise (other signal, panic, timeout) where qemu did not.
    pub crashes: usize,
    /// Not run under ours because the row kept dying.
    pub not_run: usize,
    /// The first word of the row that was unimplemented here (for the summary).
    pub first_unimplemented: Option<u32>,
    /// Words the generator drew and threw away, by reason.
    pub skipped_words: BTreeMap<&'static str, usize>,
}

/// Result of a run.
#[derive(Debug, Default)]
pub struct Summary {
    pub rows: BTreeMap<&'static str, RowStats>,
    /// Rows not generated at all, with the reason.
    pub skipped_rows: Vec<(&'static str, &'static str)>,
    pub cases: usize,
    pub words: usize,
    pub mismatches: usize,
    pub crashes: usize,
    pub unimplemented: usize,
    /// Cases that ran to the end under both and agreed / raised the same signal under both.
    pub agree: usize,
    pub agree_signal: usize,
    pub qemu_time: Duration,
    pub ours_time: Duration,
    pub wall: Duration,
    /// The printed mismatch/crash reports.
    pub reports: Vec<String>,
}

impl Summary {
    /// True when nothing disagreed and nothing crashed.
    pub fn clean(&self) -> bool {
        self.mismatches == 0 && self.crashes == 0
    }

    /// Rows in which ours raised SIGILL where qemu did not.
    pub fn unimplemented_rows(&self) -> Vec<(&'static str, usize, usize)> {
        self.rows
            .iter()
            .filter(|(_, s)| s.unimplemented + s.not_run > 0)
            .map(|(n, s)| (*n, s.unimplemented + s.not_run, s.cases))
            .collect()
    }

    /// The closing summary text.
    pub fn render(&self, opts: &Options) -> String {
        let mut s = String::new();
        use std::fmt::Write as _;
        if opts.sequence > 1 {
            let _ = writeln!(
                s,
                "== difftest summary (seed {}, sequences of {} words, {} iterations per row) ==",
                opts.seed, opts.sequence, opts.iterations
            );
            let _ = writeln!(s, "(per-row counts below: cases whose sequence contains the row)");
        } else {
            let _ = writeln!(s, "== difftest summary (seed {}, {} iterations per row) ==", opts.seed, opts.iterations);
        }
        let _ = writeln!(
            s,
            "{} cases ({} test instructions) over {} rows in {:.1} s",
            self.cases,
            self.words,
            self.rows.len(),
            self.wall.as_secs_f64()
        );
        let ips = |t: Duration| if t.as_secs_f64() > 0.0 { self.words as f64 / t.as_secs_f64() } else { 0.0 };
        let cps = |t: Duration| if t.as_secs_f64() > 0.0 { self.cases as f64 / t.as_secs_f64() } else { 0.0 };
        let _ = writeln!(
            s,
            "qemu-aarch64: {:.2} s in harness processes, {:.0} cases/s, {:.0} test instructions/s",
            self.qemu_time.as_secs_f64(),
            cps(self.qemu_time),
            ips(self.qemu_time)
        );
        let _ = writeln!(
            s,
            "ours:         {:.2} s in harness processes, {:.0} cases/s, {:.0} test instructions/s",
            self.ours_time.as_secs_f64(),
            cps(self.ours_time),
            ips(self.ours_time)
        );
        let _ = writeln!(
            s,
            "agree: {} ran to the end, {} raised the same signal under both",
            self.agree, self.agree_signal
        );
        let _ = writeln!(
            s,
            "mismatches: {}   crashes: {}   unimplemented (SIGILL only here): {}",
            self.mismatches, self.crashes, self.unimplemented
        );
        let bad: Vec<_> = self.rows.iter().filter(|(_, r)| r.mismatches + r.crashes > 0).collect();
        if !bad.is_empty() {
            let _ = writeln!(s, "rows with mismatches or crashes:");
            for (n, r) in bad {
                let _ =
                    writeln!(s, "  {n:<24} {} mismatches, {} crashes of {} cases", r.mismatches, r.crashes, r.cases);
            }
        }
        let un = self.unimplemented_rows();
        if !un.is_empty() {
            let _ = writeln!(s, "rows unimplemented here (SIGILL under ours, ran under qemu; first such word):");
            let words: Vec<u32> = un.iter().map(|(n, _, _)| self.rows[n].first_unimplemented.unwrap_or(0)).collect();
            let dis = disassemble(&words);
            for (i, (n, k, c)) in un.into_iter().enumerate() {
                let w = self.rows[n].first_unimplemented.map(|w| format!("{w:08x}  {}", dis[i])).unwrap_or_default();
                let _ = writeln!(s, "  {n:<24} {k:>5} of {c:<5} cases  {w}");
            }
        }
        let weak: Vec<_> = self
            .rows
            .iter()
            .filter(|(_, r)| r.cases > 0 && r.agree == 0 && r.mismatches + r.crashes == 0)
            .map(|(n, _)| *n)
            .collect();
        if !weak.is_empty() {
            let _ = writeln!(s, "rows where no case ran to the end under both (only signals; weak coverage):");
            let _ = writeln!(s, "  {}", weak.join(" "));
        }
        if !self.skipped_rows.is_empty() {
            let _ = writeln!(s, "rows not generated:");
            for (n, why) in &self.skipped_rows {
                let _ = writeln!(s, "  {n:<24} {why}");
            }
        }
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for r in self.rows.values() {
            for (k, v) in &r.skipped_words {
                *reasons.entry(k).or_default() += v;
            }
        }
        if !reasons.is_empty() {
            let _ = writeln!(s, "words drawn and not run, by reason:");
            for (k, v) in reasons {
                let _ = writeln!(s, "  {v:>8}  {k}");
            }
        }
        s
    }
}

/// Cases generated lazily, row after row, `iterations` per row.
struct CaseStream {
    plan: Vec<&'static qemu_aarch64_lite::arch::table::Row>,
    row: usize,
    done: usize,
    rng: Option<gen::Rng>,
    produced: u64,
    iterations: usize,
}

impl CaseStream {
    fn next_batch(&mut self, n: usize, seed: u64, summary: &mut Summary) -> Vec<gen::Case> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n && self.row < self.plan.len() {
            let row = self.plan[self.row];
            if self.done == self.iterations {
                self.row += 1;
                self.done = 0;
                self.rng = None;
                continue;
            }
            // Seeded by (seed, row name): a filtered run draws the same cases as a full one.
            let rng = self.rng.get_or_insert_with(|| gen::Rng::new(seed ^ fnv1a(row.name)));
            self.done += 1;
            let slot = (self.produced % NSLOTS) as u32;
            match gen::generate(row, rng, slot) {
                Ok(c) => {
                    self.produced += 1;
                    out.push(c)
                }
                Err(why) => *summary.rows.entry(row.name).or_default().skipped_words.entry(why).or_default() += 1,
            }
        }
        out
    }
}

/// Sequence cases (`--sequence LEN`): case i is a pure function of (seed, LEN, row set, i).
struct SeqStream {
    rows: seq::SeqRows,
    next: u64,
    end: u64,
    len: usize,
}

impl SeqStream {
    /// The next `n` case indices (fewer cases when some cannot be generated, so the slots, the
    /// index modulo NSLOTS, stay unique within a batch).
    fn next_batch(&mut self, n: usize, seed: u64, summary: &mut Summary) -> Vec<gen::Case> {
        let mut out = Vec::with_capacity(n);
        let stop = self.end.min(self.next + n as u64);
        while self.next < stop {
            let i = self.next;
            self.next += 1;
            match seq::generate(&self.rows, seed, self.len, i, (i % NSLOTS) as u32) {
                Ok(c) => out.push(c),
                Err(why) => *summary.rows.entry("sequence").or_default().skipped_words.entry(why).or_default() += 1,
            }
        }
        out
    }
}

enum Stream {
    Rows(CaseStream),
    Seq(SeqStream),
}

impl Stream {
    fn next_batch(&mut self, n: usize, seed: u64, summary: &mut Summary) -> Vec<gen::Case> {
        match self {
            Stream::Rows(s) => s.next_batch(n, seed, summary),
            Stream::Seq(s) => {
                // Keep generating until a batch is non-empty or the run is over.
                loop {
                    let b = s.next_batch(n, seed, summary);
                    if !b.is_empty() || s.next >= s.end {
                        return b;
                    }
                }
            }
        }
    }
}

/// FNV-1a of a row name.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

/// Disassemble words with `aarch64-linux-gnu-objdump` (empty strings when it is missing).
pub fn disassemble(words: &[u32]) -> Vec<String> {
    let mut out = vec![String::new(); words.len()];
    if words.is_empty() {
        return out;
    }
    let path = std::env::temp_dir().join(format!("difftest-dis-{}-{:x}.bin", std::process::id(), words[0]));
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    if std::fs::write(&path, bytes).is_err() {
        return out;
    }
    let r = Command::new("aarch64-linux-gnu-objdump").args(["-D", "-b", "binary", "-m", "aarch64"]).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let Ok(r) = r else { return out };
    for line in String::from_utf8_lossy(&r.stdout).lines() {
        let mut parts = line.splitn(3, '\t');
        let (Some(a), Some(_w), Some(text)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let Some(a) = a.trim().strip_suffix(':') else { continue };
        let Ok(off) = usize::from_str_radix(a, 16) else { continue };
        if off % 4 == 0 && off / 4 < out.len() {
            out[off / 4] = text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
    out
}

/// Build the harness if its binary is missing or older than its sources; returns its path.
pub fn build_harness(root: &Path) -> Result<PathBuf, String> {
    // Tests in one process (tests/difftest.rs runs two in parallel) build it one at a time;
    // other processes are kept apart by the unique temporary name and the atomic rename.
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let src = root.join("guest-bins/difftest");
    let out = root.join("guest-bins/build/difftest/harness");
    let sources = ["harness.c", "trampoline.S", "harness.h"].map(|f| src.join(f));
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let newest = sources.iter().filter_map(|p| mtime(p)).max();
    if let (Some(b), Some(s)) = (mtime(&out), newest) {
        if b >= s {
            return Ok(out);
        }
    }
    std::fs::create_dir_all(out.parent().unwrap_or(root)).map_err(|e| format!("{}: {e}", out.display()))?;
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = out.with_extension(format!("tmp{}-{seq}", std::process::id()));
    let st = Command::new("aarch64-linux-gnu-gcc")
        .args(["-static", "-O2", "-fno-stack-protector", "-fno-tree-vectorize", "-o"])
        .arg(&tmp)
        .arg(&sources[0])
        .arg(&sources[1])
        .status()
        .map_err(|e| format!("aarch64-linux-gnu-gcc: {e}"))?;
    if !st.success() {
        return Err(format!("building the harness failed: {st}"));
    }
    std::fs::rename(&tmp, &out).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(out)
}

/// The repository root (works from xtask and from the main crate's tests).
pub fn repo_root() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if dir.join("guest-bins").is_dir() {
        dir
    } else {
        dir.parent().map(Path::to_path_buf).unwrap_or(dir)
    }
}

/// True when the oracle can be started.
pub fn have_qemu(qemu: &str) -> bool {
    Command::new(qemu).arg("-version").output().map(|o| o.status.success()).unwrap_or(false)
}

/// Generate, run and compare; reports go to `log` as they are found.
pub fn run_with(opts: &Options, harness: &Path, log: &mut dyn Write) -> Result<Summary, String> {
    let start = Instant::now();
    let mut summary = Summary::default();
    let rows: Vec<_> = qemu_aarch64_lite::arch::table::all_rows()
        .filter(|r| opts.filter.is_empty() || opts.filter.iter().any(|f| r.name.contains(f.as_str())))
        .collect();
    if rows.is_empty() {
        return Err("no decoder-table row matches the filter".into());
    }
    let sequences = opts.sequence > 1;
    if opts.case.is_some() && !sequences {
        return Err("--case needs --sequence LEN with LEN > 1".into());
    }
    let mut plan = Vec::new();
    for row in rows {
        let skip = gen::row_skip_reason(row).or_else(|| if sequences { seq::seq_skip_reason(row) } else { None });
        match skip {
            Some(why) => summary.skipped_rows.push((row.name, why)),
            None => plan.push(row),
        }
    }
    if plan.is_empty() {
        return Err("every row matching the filter is skipped".into());
    }
    let batch = opts.batch.clamp(1, NSLOTS as usize);
    // Every batch but the last has exactly `batch` cases and `batch` divides NSLOTS, so the slots
    // (case number modulo NSLOTS) are unique within a batch.
    let batch = (1..=batch).rev().find(|b| (NSLOTS as usize).is_multiple_of(*b)).unwrap_or(1);
    let mut stream = if sequences {
        let (next, end) = match opts.case {
            Some(i) => (i, i + 1),
            None => (0, (opts.iterations * plan.len()) as u64),
        };
        Stream::Seq(SeqStream { rows: seq::SeqRows::new(plan), next, end, len: opts.sequence.min(MAXW) })
    } else {
        Stream::Rows(CaseStream { plan, row: 0, done: 0, rng: None, produced: 0, iterations: opts.iterations })
    };
    // Pipeline: the oracle runs batch i+1 while ours runs batch i (knowing the oracle's results).
    let qemu = run::Emulator::qemu(opts);
    let ours = run::Emulator::ours(opts);
    if opts.print_cases {
        loop {
            let chunk = stream.next_batch(batch, opts.seed, &mut summary);
            if chunk.is_empty() {
                break;
            }
            let all: Vec<u32> = chunk.iter().flat_map(|c| c.words.iter().copied()).collect();
            let dis = disassemble(&all);
            let mut at = 0;
            for c in &chunk {
                let name = c.index.map(|i| format!("case {i}")).unwrap_or_else(|| format!("row {}", c.row));
                let _ = writeln!(log, "{name} (slot {}):", c.slot);
                for (j, w) in c.words.iter().enumerate() {
                    let row = c.rows.get(j).copied().unwrap_or("");
                    let _ =
                        writeln!(log, "    {w:08x}  {:<44} {row}", dis.get(at + j).map(String::as_str).unwrap_or(""));
                }
                at += c.words.len();
                summary.cases += 1;
                summary.words += c.words.len();
            }
        }
        summary.wall = start.elapsed();
        return Ok(summary);
    }
    // The oracle's run of a batch; in sequence mode, words on which the oracle raises a signal
    // are replaced by NOP and the batch's affected cases run again (see run::nop_oracle_faults).
    let oracle = |mut cases: Vec<gen::Case>| -> Result<(Vec<gen::Case>, run::RunResult, Vec<&'static str>), String> {
        let mut q = run::run_all(&qemu, harness, &cases, None)?;
        let mut nopped = Vec::new();
        if sequences {
            nopped = run::nop_oracle_faults(&qemu, harness, &mut cases, &mut q)?;
        }
        Ok((cases, q, nopped))
    };
    let note_nops = |summary: &mut Summary, nopped: Vec<&'static str>| {
        for why in nopped {
            *summary.rows.entry("sequence").or_default().skipped_words.entry(why).or_default() += 1;
        }
    };
    let (mut chunk, mut q, nopped) = oracle(stream.next_batch(batch, opts.seed, &mut summary))?;
    note_nops(&mut summary, nopped);
    while !chunk.is_empty() {
        let next = stream.next_batch(batch, opts.seed, &mut summary);
        let (qn, o) = std::thread::scope(|s| {
            let h = s.spawn(|| oracle(next));
            let o = run::run_all(&ours, harness, &chunk, Some(&q.outcomes));
            (h.join(), o)
        });
        let (next, qn, nopped) = qn.map_err(|_| "qemu runner thread panicked".to_string())??;
        note_nops(&mut summary, nopped);
        let o = o?;
        summary.qemu_time += q.time;
        summary.ours_time += o.time;
        let before = summary.mismatches + summary.crashes;
        run::compare(&chunk, &q.outcomes, &o.outcomes, &mut summary, opts, log);
        if summary.mismatches + summary.crashes > before && !opts.keep_going {
            let _ = writeln!(log, "stopping after this batch (use --keep-going to run everything)");
            break;
        }
        if opts.progress {
            eprintln!(
                "difftest: {} cases, {} mismatches, {} crashes, {:.0} s",
                summary.cases,
                summary.mismatches,
                summary.crashes,
                start.elapsed().as_secs_f64()
            );
        }
        chunk = next;
        q = qn;
    }
    summary.wall = start.elapsed();
    Ok(summary)
}

const USAGE: &str = "usage: cargo xtask difftest [--iterations N] [--seed S] [--filter ROW_SUBSTRING]... \
[--sequence LEN [--case I]] [--print-cases] [--emulator PATH] [--qemu PATH] [--qemu-cpu CPU] [--batch N] [--keep-going] \
[--max-reports N]";

/// `cargo xtask difftest ...`
pub fn run(args: &[String]) -> Result<(), String> {
    let root = repo_root();
    let mut opts = Options::new(PathBuf::new());
    opts.progress = true;
    let mut emulator = None;
    let mut seed_given = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        let num = |s: String| -> Result<u64, String> {
            let r = match s.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16),
                None => s.parse(),
            };
            r.map_err(|_| format!("not a number: {s}"))
        };
        match a.as_str() {
            "--iterations" | "-n" => opts.iterations = num(val(a)?)? as usize,
            "--seed" => {
                opts.seed = num(val(a)?)?;
                seed_given = true
            }
            "--filter" => opts.filter.push(val(a)?),
            "--emulator" => emulator = Some(PathBuf::from(val(a)?)),
            "--qemu" => opts.qemu = val(a)?,
            "--qemu-cpu" => opts.qemu_cpu = val(a)?,
            "--batch" => opts.batch = num(val(a)?)? as usize,
            "--max-reports" => opts.max_reports = num(val(a)?)? as usize,
            "--keep-going" => opts.keep_going = true,
            "--sequence" => {
                opts.sequence = num(val(a)?)? as usize;
                if !(1..=MAXW).contains(&opts.sequence) {
                    return Err(format!("--sequence takes 1..={MAXW}"));
                }
            }
            "--case" => opts.case = Some(num(val(a)?)?),
            "--print-cases" => opts.print_cases = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ => return Err(format!("unknown argument {a}\n{USAGE}")),
        }
    }
    if !seed_given {
        opts.seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
    }
    if opts.print_cases {
        let summary = run_with(&opts, Path::new(""), &mut std::io::stdout())?;
        println!("{} cases, {} words", summary.cases, summary.words);
        return Ok(());
    }
    if !have_qemu(&opts.qemu) {
        return Err(format!("{} not found: install qemu-user (Debian: apt-get install qemu-user)", opts.qemu));
    }
    opts.emulator = match emulator {
        Some(e) => e,
        None => {
            eprintln!("difftest: cargo build --release --bin qemu-aarch64-lite");
            let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["build", "--release", "--bin", "qemu-aarch64-lite", "--message-format=json"])
                .current_dir(&root)
                .stderr(std::process::Stdio::inherit())
                .output()
                .map_err(|e| format!("cargo: {e}"))?;
            if !out.status.success() {
                return Err("building the emulator failed".into());
            }
            // The artifact's path (the build target directory depends on .cargo/config.toml).
            let text = String::from_utf8_lossy(&out.stdout);
            let exe = text
                .lines()
                .filter(|l| l.contains("\"compiler-artifact\"") && l.contains("\"name\":\"qemu-aarch64-lite\""))
                .filter_map(|l| l.split("\"executable\":\"").nth(1)?.split('"').next().map(PathBuf::from))
                .next_back();
            exe.ok_or("cargo did not report the emulator's executable")?
        }
    };
    let harness = build_harness(&root)?;
    eprintln!(
        "difftest: seed {} ({} iterations per row{}), emulator {}, oracle {} -cpu {}",
        opts.seed,
        opts.iterations,
        if opts.sequence > 1 { format!(", sequences of {} words", opts.sequence) } else { String::new() },
        opts.emulator.display(),
        opts.qemu,
        opts.qemu_cpu
    );
    let mut stdout = std::io::stdout();
    let summary = run_with(&opts, &harness, &mut stdout)?;
    print!("{}", summary.render(&opts));
    if summary.clean() {
        Ok(())
    } else {
        let how = if opts.sequence > 1 {
            format!("--seed {} --sequence {} --case I (and the same --filter)", opts.seed, opts.sequence)
        } else {
            format!("--seed {} --filter ROW", opts.seed)
        };
        Err(format!(
            "{} mismatches, {} crashes (seed {}; rerun with {how})",
            summary.mismatches, summary.crashes, opts.seed
        ))
    }
}
