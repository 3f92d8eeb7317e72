//! Running batches of cases in the harness under one emulator, and comparing two runs.
//!
//! Invariants: every case of a batch gets exactly one [`Outcome`]; a harness process that dies
//! (or exceeds its time limit, then it is killed by its own pid) is restarted with the cases after
//! the one it died on; the only processes this module ends are the ones it started.

use super::gen::{Case, Regs};
use super::{disassemble, Options, Summary, MAGIC_OUT, OUT_HEAD, OUT_SIZE};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one case did under one emulator.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The sequence ran to its end: the final state.
    Completed { regs: Box<Regs>, page: Vec<u8> },
    /// The harness caught a signal raised by the sequence.
    Signal { sig: u32, pc: u64, addr: u64 },
    /// The emulator process died on this case (or timed out).
    Died { signal: Option<i32>, code: Option<i32>, timeout: bool, stderr: String },
    /// Not run: the row kept dying under this emulator.
    NotRun,
}

/// One emulator: a program and the arguments before the harness path.
pub struct Emulator {
    pub name: &'static str,
    pub program: String,
    pub args: Vec<String>,
    /// Stop sending a row's cases once it died 8 times where the oracle completed them, and
    /// never completed one (an unimplemented row).
    pub give_up_on_dying_rows: bool,
}

impl Emulator {
    pub fn qemu(o: &Options) -> Emulator {
        Emulator {
            name: "qemu-aarch64",
            program: o.qemu.clone(),
            args: vec!["-cpu".into(), o.qemu_cpu.clone()],
            give_up_on_dying_rows: false,
        }
    }
    pub fn ours(o: &Options) -> Emulator {
        Emulator {
            name: "ours",
            program: o.emulator.to_string_lossy().into_owned(),
            args: Vec::new(),
            give_up_on_dying_rows: true,
        }
    }
}

pub struct RunResult {
    pub outcomes: Vec<Outcome>,
    /// Wall time spent in this emulator's processes.
    pub time: Duration,
}

const SIGILL: i32 = 4;

/// Run every case under `emu`, restarting after deaths. `oracle`, when given, holds the
/// oracle's outcomes of the same cases: a row whose cases die here while the oracle completes
/// them (8 times, never completing) is not sent any more.
pub fn run_all(
    emu: &Emulator,
    harness: &std::path::Path,
    cases: &[Case],
    oracle: Option<&[Outcome]>,
) -> Result<RunResult, String> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; cases.len()];
    let mut row_deaths: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut time = Duration::ZERO;
    let mut next = 0;
    while next < cases.len() {
        // The cases of this process, in order.
        let mut list = Vec::new();
        for (i, c) in cases.iter().enumerate().skip(next) {
            let (deaths, done) = row_deaths.get(c.row).copied().unwrap_or((0, 0));
            if emu.give_up_on_dying_rows && deaths >= 8 && done == 0 {
                outcomes[i] = Some(Outcome::NotRun);
            } else {
                list.push(i);
            }
        }
        if list.is_empty() {
            break;
        }
        let mut input = Vec::with_capacity(list.len() * super::IN_SIZE);
        for &i in &list {
            cases[i].encode(&mut input);
        }
        let t0 = Instant::now();
        let (out, status, stderr, timed_out) = run_process(emu, harness, input, list.len())?;
        time += t0.elapsed();
        let mut k = 0;
        while (k + 1) * OUT_SIZE <= out.len() && k < list.len() {
            let r = &out[k * OUT_SIZE..(k + 1) * OUT_SIZE];
            let u32at = |o: usize| u32::from_le_bytes(r[o..o + 4].try_into().unwrap_or([0; 4]));
            let u64at = |o: usize| u64::from_le_bytes(r[o..o + 8].try_into().unwrap_or([0; 8]));
            let c = &cases[list[k]];
            if u32at(0) != MAGIC_OUT || u32at(4) != c.slot {
                return Err(format!("{}: malformed harness output at case {k}", emu.name));
            }
            let sig = u32at(8);
            let o = if sig == 0 {
                Outcome::Completed { regs: Box::new(Regs::from_bytes(&r[32..OUT_HEAD])), page: r[OUT_HEAD..].to_vec() }
            } else {
                Outcome::Signal { sig, pc: u64at(16), addr: u64at(24) }
            };
            if oracle.is_some_and(|q| matches!(q[list[k]], Outcome::Completed { .. })) {
                row_deaths.entry(c.row).or_default().1 += 1;
            }
            outcomes[list[k]] = Some(o);
            k += 1;
        }
        if k == list.len() {
            if !status.success() {
                return Err(format!("{}: harness exited with {status} after all cases: {stderr}", emu.name));
            }
            break;
        }
        if status.code() == Some(3) || stderr.contains("harness: ") {
            return Err(format!("{}: the harness could not start: {}", emu.name, stderr.trim()));
        }
        let dead = list[k];
        if oracle.is_some_and(|q| matches!(q[dead], Outcome::Completed { .. })) {
            row_deaths.entry(cases[dead].row).or_default().0 += 1;
        }
        outcomes[dead] = Some(Outcome::Died {
            signal: status.signal(),
            code: status.code(),
            timeout: timed_out,
            stderr: tail(&stderr, 600),
        });
        next = dead + 1;
    }
    let outcomes = outcomes.into_iter().map(|o| o.unwrap_or(Outcome::NotRun)).collect();
    Ok(RunResult { outcomes, time })
}

/// `NOP`
const NOP: u32 = 0xd503_201f;

/// Sequence mode: a word on which the oracle raises a signal (mostly a reserved field value of
/// an AdvSIMD row, which the generator does not model) would end the case before its state is
/// compared. Replace such words by NOP (which names no register, so the sequence stays sound)
/// and run the affected cases again under the oracle, up to 12 rounds. Deterministic: it depends
/// only on the cases and on the oracle. Returns one reason per replaced word.
pub fn nop_oracle_faults(
    emu: &Emulator,
    harness: &std::path::Path,
    cases: &mut [Case],
    q: &mut RunResult,
) -> Result<Vec<&'static str>, String> {
    let mut reasons = Vec::new();
    for _ in 0..12 {
        let mut idx = Vec::new();
        for (i, c) in cases.iter_mut().enumerate() {
            let Outcome::Signal { sig, pc, .. } = q.outcomes[i] else { continue };
            let Some(k) = pc.checked_sub(c.pc(0)).map(|d| d / 4) else { continue };
            if pc % 4 != 0 || k >= c.words.len() as u64 || c.words[k as usize] == NOP {
                continue;
            }
            c.words[k as usize] = NOP;
            if let Some(r) = c.rows.get_mut(k as usize) {
                *r = "(NOP)";
            }
            reasons.push(match sig {
                4 => "sequence word replaced by NOP: SIGILL under the oracle (reserved encoding)",
                7 => "sequence word replaced by NOP: SIGBUS under the oracle",
                11 => "sequence word replaced by NOP: SIGSEGV under the oracle",
                _ => "sequence word replaced by NOP: other signal under the oracle",
            });
            idx.push(i);
        }
        if idx.is_empty() {
            break;
        }
        let sub: Vec<Case> = idx.iter().map(|&i| cases[i].clone()).collect();
        let r = run_all(emu, harness, &sub, None)?;
        q.time += r.time;
        for (j, o) in idx.into_iter().zip(r.outcomes) {
            q.outcomes[j] = o;
        }
    }
    Ok(reasons)
}

fn tail(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.len() <= n {
        return s.to_string();
    }
    let mut start = s.len() - n;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    format!("...{}", &s[start..])
}

/// Start the harness under `emu`, feed it `input`, collect stdout; kill it (by its own pid) when
/// it outlives a generous limit.
fn run_process(
    emu: &Emulator,
    harness: &std::path::Path,
    input: Vec<u8>,
    ncases: usize,
) -> Result<(Vec<u8>, std::process::ExitStatus, String, bool), String> {
    let dir = std::env::temp_dir();
    // `exec` keeps the pid: the shell only disables core files (qemu writes its own otherwise).
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("ulimit -c 0; exec \"$0\" \"$@\"")
        .arg(&emu.program)
        .args(&emu.args)
        .arg(harness)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: cannot start: {e}", emu.program))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input); // a dead harness closes the pipe: not an error here
    });
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let ereader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    });
    let limit = Duration::from_secs(20) + Duration::from_millis(5 * ncases as u64);
    let t0 = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break st,
            Ok(None) => {
                if t0.elapsed() > limit {
                    timed_out = true;
                    let _ = child.kill();
                    break child.wait().map_err(|e| e.to_string())?;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    let _ = writer.join();
    let out = reader.join().map_err(|_| "reader thread panicked")?;
    let err = ereader.join().map_err(|_| "stderr thread panicked")?;
    Ok((out, status, err, timed_out))
}

fn signame(s: i64) -> &'static str {
    match s {
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        _ => "signal",
    }
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Completed { .. } => "completed".into(),
        Outcome::Signal { sig, pc, addr } => {
            format!("{} {} at pc {pc:#x} (address {addr:#x})", sig, signame(*sig as i64))
        }
        Outcome::Died { signal, code, timeout, stderr } => {
            let how = match (signal, code, timeout) {
                (_, _, true) => "timed out (killed)".to_string(),
                (Some(s), _, _) => format!("died by signal {s} {}", signame(*s as i64)),
                (_, Some(c), _) => format!("exited with status {c}"),
                _ => "died".to_string(),
            };
            if stderr.is_empty() {
                how
            } else {
                format!("{how}; stderr: {stderr}")
            }
        }
        Outcome::NotRun => "not run".into(),
    }
}

/// The differences between two final states, as lines "name: qemu=.. ours=..".
fn diff_state(c: &Case, q: &Regs, qp: &[u8], o: &Regs, op: &[u8]) -> Vec<String> {
    let mut d = Vec::new();
    for i in 0..31 {
        if q.x[i] != o.x[i] {
            d.push(format!("x{i}: qemu={:#018x} ours={:#018x} (input {:#018x})", q.x[i], o.x[i], c.regs.x[i]));
        }
    }
    let pairs = [
        ("sp", q.sp, o.sp, c.regs.sp),
        ("nzcv", q.nzcv, o.nzcv, c.regs.nzcv),
        ("fpcr", q.fpcr, o.fpcr, c.regs.fpcr),
        ("fpsr", q.fpsr, o.fpsr, c.regs.fpsr),
    ];
    for (name, a, b, i) in pairs {
        if a != b {
            d.push(format!("{name}: qemu={a:#x} ours={b:#x} (input {i:#x})"));
        }
    }
    for i in 0..32 {
        if q.v[i] != o.v[i] {
            d.push(format!("v{i}: qemu={:#034x} ours={:#034x} (input {:#034x})", q.v[i], o.v[i], c.regs.v[i]));
        }
    }
    let mut i = 0;
    while i < qp.len() {
        if qp[i] == op[i] {
            i += 1;
            continue;
        }
        let start = i & !7;
        let mut end = start + 8;
        while end < qp.len() && qp[end..(end + 8).min(qp.len())] != op[end..(end + 8).min(qp.len())] {
            end += 8;
        }
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        d.push(format!(
            "mem[{:#x}..{:#x}]: qemu={} ours={} (input {})",
            super::DATA_PAGE + start as u64,
            super::DATA_PAGE + end as u64,
            hex(&qp[start..end]),
            hex(&op[start..end]),
            hex(&c.page[start..end])
        ));
        i = end;
    }
    d
}

/// The size of the block DC ZVA zeroed at `addr`, if `out` is `input` with exactly one naturally
/// aligned power-of-two block (16 bytes to 2 KiB) containing `addr` zeroed.
pub fn zva_block(input: &[u8], out: &[u8], addr: u64) -> Option<usize> {
    let off = addr.checked_sub(super::DATA_PAGE)? as usize;
    (4..=11).map(|b| 1usize << b).find(|&bs| {
        let start = off & !(bs - 1);
        out.iter().enumerate().all(|(i, &x)| x == if (start..start + bs).contains(&i) { 0 } else { input[i] })
    })
}

/// Inputs worth showing: the registers named by the usual operand fields of the words.
fn inputs(c: &Case) -> String {
    let mut regs = std::collections::BTreeSet::new();
    for w in &c.words {
        for lo in [0, 5, 10, 16] {
            regs.insert((w >> lo) & 31);
        }
    }
    let mut s = String::new();
    for r in &regs {
        if *r < 31 {
            s.push_str(&format!(" x{r}={:#x}", c.regs.x[*r as usize]));
        }
    }
    s.push_str(&format!(" sp={:#x}\n   ", c.regs.sp));
    for r in &regs {
        s.push_str(&format!(" v{r}={:#034x}", c.regs.v[*r as usize]));
    }
    s.push_str(&format!("\n    nzcv={:#x} fpcr={:#x} fpsr={:#x}", c.regs.nzcv, c.regs.fpcr, c.regs.fpsr));
    s
}

enum Verdict {
    Agree,
    AgreeSignal,
    Mismatch(Vec<String>),
    Unimplemented,
    Crash(String),
    NotRun,
}

fn judge(c: &Case, q: &Outcome, o: &Outcome) -> Verdict {
    use Outcome::*;
    match (q, o) {
        (_, NotRun) => Verdict::NotRun,
        (Completed { regs: qr, page: qp }, Completed { regs: or, page: op }) => {
            let d = match c.zva {
                // Each side zeroes its own block (DCZID_EL0 differs by design): check each
                // against the input, then compare the rest of the state.
                Some(a) => match (zva_block(&c.page, qp, a), zva_block(&c.page, op, a)) {
                    (Some(_), Some(_)) => diff_state(c, qr, qp, or, qp),
                    (q, o) => {
                        let mut d = diff_state(c, qr, qp, or, op);
                        d.push(format!("DC ZVA block: qemu {q:?} ours {o:?} (None = not one aligned zeroed block)"));
                        d
                    }
                },
                None => diff_state(c, qr, qp, or, op),
            };
            if d.is_empty() {
                Verdict::Agree
            } else {
                Verdict::Mismatch(d)
            }
        }
        (Signal { sig: a, .. }, Signal { sig: b, .. }) if a == b => Verdict::AgreeSignal,
        (Signal { sig: a, .. }, Died { signal: Some(b), timeout: false, .. }) if *a as i32 == *b => {
            Verdict::AgreeSignal
        }
        (Completed { .. }, Died { signal: Some(SIGILL), timeout: false, .. }) => Verdict::Unimplemented,
        (Completed { .. }, Signal { sig: 4, .. }) => Verdict::Unimplemented,
        (_, Died { .. }) => Verdict::Crash(format!("qemu: {}; ours: {}", describe(q), describe(o))),
        (Died { .. } | NotRun, _) => Verdict::Crash(format!("the oracle failed: {}", describe(q))),
        _ => Verdict::Mismatch(vec![format!("outcome: qemu {}; ours {}", describe(q), describe(o))]),
    }
}

/// Index of the word ours could not run (SIGILL): from the emulator's "unimplemented instruction
/// 0x... at pc 0x..." line, or from the pc of a delivered SIGILL.
fn unimplemented_at(c: &Case, o: &Outcome) -> Option<usize> {
    let pc = match o {
        Outcome::Signal { pc, .. } => *pc,
        Outcome::Died { stderr, .. } => {
            let t = stderr.rsplit("unimplemented instruction").next()?;
            let p = t.split(" at pc 0x").nth(1)?;
            let hex: String = p.chars().take_while(char::is_ascii_hexdigit).collect();
            u64::from_str_radix(&hex, 16).ok()?
        }
        _ => return None,
    };
    let i = pc.checked_sub(c.pc(0))? / 4;
    (i < c.words.len() as u64).then_some(i as usize)
}

/// Compare the two runs of a batch, update `summary`, write reports to `log`.
pub fn compare(
    cases: &[Case],
    q: &[Outcome],
    o: &[Outcome],
    summary: &mut Summary,
    opts: &Options,
    log: &mut dyn Write,
) {
    let mut pending: Vec<(usize, String, Vec<String>)> = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        summary.cases += 1;
        summary.words += c.words.len();
        // The rows a case counts for: its row, or every row of its sequence.
        let mut rows: Vec<&'static str> = if c.rows.is_empty() {
            vec![c.row]
        } else {
            c.rows.iter().copied().filter(|r| !r.starts_with('(')).collect()
        };
        rows.sort_unstable();
        rows.dedup();
        for r in &rows {
            summary.rows.entry(r).or_default().cases += 1;
        }
        let verdict = judge(c, &q[i], &o[i]);
        let each = |summary: &mut Summary, f: &dyn Fn(&mut super::RowStats)| {
            for r in &rows {
                f(summary.rows.entry(r).or_default());
            }
        };
        match verdict {
            Verdict::Agree => {
                summary.agree += 1;
                each(summary, &|st| st.agree += 1)
            }
            Verdict::AgreeSignal => {
                summary.agree_signal += 1;
                each(summary, &|st| st.agree_signal += 1)
            }
            Verdict::NotRun => {
                each(summary, &|st| st.not_run += 1);
                summary.unimplemented += 1
            }
            Verdict::Unimplemented => {
                // The word ours did not run: from its log line (or its signal's pc), else the
                // drawn word.
                let at = unimplemented_at(c, &o[i]).unwrap_or(c.main);
                let row = c.rows.get(at).copied().unwrap_or(c.row);
                let st = summary.rows.entry(row).or_default();
                st.unimplemented += 1;
                st.first_unimplemented.get_or_insert(c.words[at]);
                summary.unimplemented += 1;
            }
            Verdict::Mismatch(d) => {
                each(summary, &|st| st.mismatches += 1);
                summary.mismatches += 1;
                pending.push((i, "MISMATCH".into(), d));
            }
            Verdict::Crash(why) => {
                each(summary, &|st| st.crashes += 1);
                summary.crashes += 1;
                pending.push((i, "CRASH".into(), vec![why]));
            }
        }
    }
    let room = opts.max_reports.saturating_sub(summary.reports.len());
    pending.truncate(room);
    let all: Vec<u32> = pending.iter().flat_map(|(i, _, _)| cases[*i].words.iter().copied()).collect();
    let dis = disassemble(&all);
    let mut at = 0;
    for (i, kind, lines) in pending {
        let c = &cases[i];
        let mut r = match c.index {
            Some(k) => format!(
                "{kind} sequence case {k} (slot {}, code at {:#x}; rerun: --seed {} --sequence {}{} --case {k})\n",
                c.slot,
                c.pc(0),
                opts.seed,
                opts.sequence,
                opts.filter.iter().map(|f| format!(" --filter {f}")).collect::<String>()
            ),
            None => format!("{kind} row {} (slot {}, code at {:#x})\n", c.row, c.slot, c.pc(0)),
        };
        for (j, w) in c.words.iter().enumerate() {
            let mark = match c.rows.get(j) {
                Some(row) => row,
                None if j == c.main => "<- drawn",
                None => "",
            };
            r.push_str(&format!("    {w:08x}  {:<40} {mark}\n", dis.get(at + j).map(String::as_str).unwrap_or("")));
        }
        at += c.words.len();
        r.push_str(&format!("  inputs:{}\n", inputs(c)));
        for l in lines {
            r.push_str(&format!("  {l}\n"));
        }
        let _ = log.write_all(r.as_bytes());
        let _ = log.flush();
        summary.reports.push(r);
    }
}
