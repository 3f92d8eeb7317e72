//! The JIT: translates guest basic blocks to x86_64 and runs them.
//!
//! - [`cache`]: the code cache (one RWX mapping we own; blocks never move once run).
//! - [`emit`]: the emitter and its primitives (host register conventions live there).
//! - one translator file per Arm ARM encoding group: [`dp_imm`], [`dp_reg`], [`branch`],
//!   [`ldst`], [`ldst_simd`], [`fp`], [`simd`].
//! - [`block`]: forms a block (the short loop over instructions).
//! - [`blockmap`]: the live blocks by guest pc, indexed by guest page for invalidation.
//!
//! The JIT knows nothing about Linux: [`Jit::run`] returns an [`Exit`] and all OS policy lives
//! in `linux`.
//!
//! Threads: one `Jit` is shared by all guest threads (`&self` everywhere). Translation,
//! chaining and invalidation take the `state` mutex; running translated code and the inline
//! indirect-branch lookup take no lock. Invalidated blocks are unlinked (lookup entry cleared,
//! incoming chains pointed back at their stubs), never freed, so a thread still inside one is
//! safe. The cache is reset only when it is full and this is the only thread running guest
//! code. Invariants: translated code only runs between `enter` and the exit trampoline; `rbx`
//! holds the running thread's `CpuState`; a lookup entry's `host` is written before its
//! `guest`, so a reader that sees the guest pc sees the matching host address (x86-TSO).

// dynasm's dynamic register operands (`Rq(n)` with `n: u8`) expand to `u8::from(n)`-style
// conversions that clippy reports as useless; they are generated code, not ours.
#![allow(clippy::useless_conversion)]

pub mod asm;
pub mod block;
pub mod blockmap;
pub mod branch;
pub mod cache;
pub mod dispatch;
pub mod dp_imm;
pub mod dp_reg;
pub mod emit;
pub mod fault;
pub mod fp;
pub mod fp_inline;
pub mod fpflags;
pub mod ldst;
pub mod ldst_simd;
pub mod simd;
pub mod simd_inline;
pub mod vcache;

use crate::cpu::CpuState;
use cache::CodeCache;
use emit::exit;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Why translated code stopped and the OS layer must act.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Exit {
    /// SVC #imm; `cpu.pc` is the next instruction.
    Svc(u16),
    /// BRK #imm at `cpu.pc`.
    Brk(u16),
    /// HLT #imm at `cpu.pc`.
    Hlt(u16),
    /// UNDEFINED or unimplemented instruction `word` at `cpu.pc`.
    Undefined(u32),
    /// `cpu.interrupt` was set (a signal is pending, or someone asked us to stop).
    Interrupt,
    /// WFI/WFE: `cpu.pc` is the next instruction.
    Yield,
    /// A fault detected by a helper: signal, si_code, address; `cpu.pc` is the instruction.
    Fault { signo: i32, code: i32, addr: u64 },
}

/// The lookup table, all entries empty (0), allocated zeroed so that the allocator hands out
/// untouched zero pages (a table initialised entry by entry cost hundreds of page faults at
/// every process start).
fn zeroed_lookup_table() -> Box<[LookupEntry]> {
    let layout = std::alloc::Layout::array::<LookupEntry>(LOOKUP_SIZE).expect("lookup table layout");
    // SAFETY: the layout is non-zero-sized; all-zero bytes are a valid LookupEntry (an
    // AtomicU64 zero); the pointer comes from the global allocator with exactly this layout,
    // as Box<[T]> of LOOKUP_SIZE elements expects.
    unsafe {
        let p = std::alloc::alloc_zeroed(layout) as *mut LookupEntry;
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, LOOKUP_SIZE))
    }
}

/// One entry of the indirect-branch lookup table (layout used by emitted code): the host
/// address of a block's code, or 0. The block's guest pc is the 8 bytes just before its code
/// (`cache::CodeCache::commit_block`), written before the entry and never changed while the
/// block can run, so a reader needs one atomic load: it loads the entry, then checks the pc
/// in front of the code it points to. (Entries of two words, guest pc and host address,
/// could be read half old, half new while another thread re-pointed the slot to a different
/// block: a thread would then run another block's code. Go's parallel tests crashed so.)
#[repr(C)]
pub struct LookupEntry {
    pub host: AtomicU64,
}

/// The guest pc of the block whose code starts at `host` (an address from a lookup entry).
fn block_pc_at(host: usize) -> u64 {
    // SAFETY: `host` came from a lookup entry, so it is the code of a block committed with
    // its pc in the 8 bytes before it, inside the cache mapping, which lives as long as the
    // JIT; the cache is only rewritten after every entry was cleared and while no other
    // thread runs guest code (`reset_cache`, `flush`).
    unsafe { std::ptr::read_volatile((host - 8) as *const u64) }
}

/// Host instruction-set extensions the emitters may use beyond SSE2, detected once. Every
/// form that needs one checks it at translate time and otherwise leaves the row to its
/// helper (or to an SSE2 form).
#[derive(Clone, Copy)]
pub(crate) struct Features {
    pub ssse3: bool,
    pub sse41: bool,
    /// Also SSE4.2's CRC32 instruction.
    pub sse42: bool,
    pub avx: bool,
    /// FMA3 (VEX fused multiply-add; implies AVX).
    pub fma: bool,
    /// AES-NI.
    pub aes: bool,
    pub pclmulqdq: bool,
    /// BMI2 (MULX: a product without touching the flags).
    pub bmi2: bool,
    /// The SHA extensions (SHA-NI; their SHA-256 instructions, with SSSE3's PALIGNR).
    pub sha: bool,
}

pub(crate) fn features() -> Features {
    static F: std::sync::OnceLock<Features> = std::sync::OnceLock::new();
    *F.get_or_init(|| Features {
        ssse3: std::arch::is_x86_feature_detected!("ssse3"),
        sse41: std::arch::is_x86_feature_detected!("sse4.1"),
        sse42: std::arch::is_x86_feature_detected!("sse4.2"),
        avx: std::arch::is_x86_feature_detected!("avx"),
        fma: std::arch::is_x86_feature_detected!("avx") && std::arch::is_x86_feature_detected!("fma"),
        aes: std::arch::is_x86_feature_detected!("aes"),
        pclmulqdq: std::arch::is_x86_feature_detected!("pclmulqdq"),
        bmi2: std::arch::is_x86_feature_detected!("bmi2"),
        sha: std::arch::is_x86_feature_detected!("sha") && std::arch::is_x86_feature_detected!("ssse3"),
    })
}

pub const LOOKUP_BITS: u32 = 16;
pub const LOOKUP_SIZE: usize = 1 << LOOKUP_BITS;

/// Size of the code cache mapping (virtual; pages are touched only as code is written).
/// Kept under 2 GiB so every block reaches the trampolines with rel32 jumps.
pub const CODE_CACHE_SIZE: usize = 1 << 30;

/// The smallest code cache [`Jit::with_cache_size`] falls back to.
pub const MIN_CODE_CACHE_SIZE: usize = 8 << 20;

/// A translated block.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub guest_pc: u64,
    /// Guest bytes covered: [guest_pc, guest_pc + guest_len).
    pub guest_len: u64,
    pub host: usize,
    pub host_len: usize,
    /// Where the block's (host offset, guest pc - `guest_pc`) pairs, one per instruction,
    /// lie in `JitState::pc_maps` (for mapping faults back): (start, length).
    pub pc_map: (u32, u32),
    /// Register swaps of this block (see `block::choose_swaps`): (guest register normally
    /// mapped, guest register held in its host register instead, that host register).
    pub swaps: Swaps,
    /// Host offset of the loop head (after the swaps): the block's back-edges lead there
    /// once `Jit::install` has linked them.
    pub head: usize,
    /// Patched jumps into this block (its own back-edges included): (address of the rel32,
    /// the stub it pointed to before), restored when the block is invalidated.
    pub incoming: Incoming,
    /// The block's sure successor (`Emitter::goto_successor`): (address of the rel32 of its
    /// last exit, target pc), which `Jit::lookup_or_translate` links before the block runs.
    pub successor: Option<(usize, u64)>,
}

/// A block's incoming links (`Block::incoming`): most blocks have one or two, kept inline,
/// so that linking a block allocates nothing; more go to a vector.
#[derive(Clone, Debug, Default)]
pub struct Incoming {
    inline: [(usize, usize); 2],
    n_inline: u8,
    more: Vec<(usize, usize)>,
}

impl Incoming {
    pub fn push(&mut self, link: (usize, usize)) {
        match self.inline.get_mut(self.n_inline as usize) {
            Some(slot) => {
                *slot = link;
                self.n_inline += 1;
            }
            None => self.more.push(link),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &(usize, usize)> {
        self.inline[..self.n_inline as usize].iter().chain(self.more.iter())
    }
}

/// A block's register swaps (at most [`block::MAX_SWAPS`]), held inline (one allocation
/// per block fewer) and in bytes (blocks are moved by value): (guest register normally
/// mapped, guest register held instead, host register).
#[derive(Clone, Copy, Default, Debug)]
pub struct Swaps {
    list: [[u8; 3]; block::MAX_SWAPS],
    len: u8,
}

impl Swaps {
    /// The first [`block::MAX_SWAPS`] of `swaps` (the block former makes no more).
    pub fn new(swaps: &[(u32, u32, u8)]) -> Swaps {
        debug_assert!(swaps.len() <= block::MAX_SWAPS);
        let mut s = Swaps::default();
        for (slot, &(old, new, host)) in s.list.iter_mut().zip(swaps) {
            *slot = [old as u8, new as u8, host];
            s.len += 1;
        }
        s
    }

    /// The guest register host register `host` holds in the block instead of its mapped one.
    pub fn held_by(&self, host: u8) -> Option<u32> {
        self.list[..self.len as usize].iter().find(|s| s[2] == host).map(|s| s[1] as u32)
    }
}

/// Statistics, for `-d` logging and benchmarks.
#[derive(Default, Clone, Copy, Debug)]
pub struct Stats {
    pub blocks_translated: u64,
    pub insns_translated: u64,
    pub flushes: u64,
    pub chains_patched: u64,
    pub invalidations: u64,
}

/// Logging hooks for `-d in_asm,out_asm`.
#[derive(Default, Clone)]
pub struct JitLog {
    pub in_asm: bool,
    pub out_asm: bool,
    /// Where log text goes (the `-D` file); stderr when `None`. Set by the OS layer.
    pub sink: Option<std::sync::Arc<Mutex<dyn std::io::Write + Send>>>,
    /// `-perfmap`: where each translated block is announced to `perf`. Set by the OS layer.
    pub perfmap: Option<std::sync::Arc<PerfMap>>,
}

/// Names a guest pc for the perf map (`name+0xoff`), or `None` when nothing is known there.
pub type PcNamer = dyn Fn(u64) -> Option<String> + Send + Sync;

/// A `/tmp/perf-PID.map` file: one line per translated block, `START SIZE NAME` in hex, the
/// format `perf report` reads for JIT code it finds no ELF file for. NAME is the guest pc and,
/// where the namer knows it, the guest function holding it.
pub struct PerfMap {
    out: Mutex<std::fs::File>,
    namer: Box<PcNamer>,
}

/// Where `perf` looks for the map of process `pid`.
pub fn perf_map_path(pid: u32) -> String {
    format!("/tmp/perf-{pid}.map")
}

impl PerfMap {
    pub fn new(out: std::fs::File, namer: Box<PcNamer>) -> PerfMap {
        PerfMap { out: Mutex::new(out), namer }
    }

    /// In a forked child: go on in the child's own map, which starts as a copy of the
    /// parent's (the child runs the code cache it inherited).
    fn forked(&self) {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // (through a new open file description: the inherited one's offset is the parent's)
        let Ok(text) = std::fs::read(format!("/proc/self/fd/{}", out.as_raw_fd())) else { return };
        if let Ok(mut f) = std::fs::File::create(perf_map_path(std::process::id())) {
            if f.write_all(&text).is_ok() {
                *out = f;
            }
        }
    }

    /// Announce a block: host code at `host`, `len` bytes, translated from guest `pc`.
    /// One unbuffered write per block, so the map is complete however the process ends.
    pub fn record(&self, host: usize, len: usize, pc: u64) {
        let name = match (self.namer)(pc) {
            Some(name) => format!("{name} [guest {pc:#x}]"),
            None => format!("guest-{pc:#x}"),
        };
        self.line(host, len, &name);
    }

    /// One `START SIZE NAME` line.
    fn line(&self, start: usize, len: usize, name: &str) {
        use std::io::Write;
        let line = format!("{start:x} {len:x} {name}\n");
        let _ = self.out.lock().unwrap_or_else(|e| e.into_inner()).write_all(line.as_bytes());
    }
}

impl JitLog {
    /// Write `text` (whole lines) to the sink, or to stderr, in one piece.
    pub fn write(&self, text: &str) {
        use std::io::Write;
        match &self.sink {
            Some(w) => {
                let _ = w.lock().unwrap_or_else(|e| e.into_inner()).write_all(text.as_bytes());
            }
            None => {
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }
        }
    }
}

/// The cache is reset when less than this is free at a lookup miss (more than any one
/// block's code needs).
const RESET_FREE_BYTES: usize = 256 << 10;
/// Most sure successors translated ahead at one lookup miss (`Jit::lookup_or_translate`).
const SUCCESSOR_BLOCKS: usize = 32;

/// Longest guest block in bytes (for range queries on invalidation).
pub(crate) const MAX_BLOCK_BYTES: u64 = (block::MAX_BLOCK_INSNS as u64 + 1) * 4;

pub(crate) struct JitState {
    pub(crate) cache: CodeCache,
    /// The emitter, reused by every translation (created by the first; boxed so that taking
    /// it out for a translation and putting it back moves a pointer, not the struct).
    pub(crate) emitter: Option<Box<emit::Emitter>>,
    blocks: blockmap::BlockMap,
    /// (host address, guest pc) of the blocks in the order they were placed, so sorted by
    /// host address (the cache only grows until it is reset, which clears this). Entries of
    /// invalidated blocks stay until they outnumber the live ones (`fault_site` checks that the
    /// block at the guest pc is still the one at that host address, and looks faults in
    /// invalidated blocks up in `retired`).
    by_host: Vec<(usize, u64)>,
    /// The blocks' pc maps (`Block::pc_map`), in the order the blocks were placed: grows with
    /// the cache, is cleared with it and compacted with `by_host`.
    pc_maps: Vec<(u32, u32)>,
    /// What `fault_site` needs of each block invalidated since the cache was last reset: a
    /// thread may still be running its code (another thread's IC IVAU, mprotect or munmap
    /// removed it meanwhile), and a fault there must still map to its guest pc and swaps.
    /// Cleared with the cache, when that code is gone.
    retired: Vec<Retired>,
    /// Bumped on every flush: a chain site recorded before a flush is stale.
    generation: u64,
    pub(crate) stats: Stats,
}

/// Most invalidated blocks `JitState::retired` remembers; past it the older half is dropped.
/// A thread leaves an invalidated block at its next exit or back-edge (they are unlinked), so
/// only the blocks invalidated during one block's run by another thread can still fault.
const MAX_RETIRED: usize = 1 << 16;

/// An invalidated block's code, for mapping faults in it (`JitState::retired`).
struct Retired {
    host: usize,
    host_len: usize,
    guest_pc: u64,
    swaps: Swaps,
    /// Its (host offset, guest pc - `guest_pc`) pairs (`Block::pc_map`'s entries).
    pc_map: Box<[(u32, u32)]>,
}

pub struct Jit {
    state: Mutex<JitState>,
    lookup: Box<[LookupEntry]>,
    tramp: cache::Trampolines,
    /// The code cache's address range (for the fault handler, without taking the lock).
    cache_range: (usize, usize),
    /// Threads currently inside `run` (the cache may only be reset when this is 1).
    running: AtomicUsize,
    pub log: JitLog,
}

/// Error creating the JIT (the code cache could not be mapped).
#[derive(Debug, thiserror::Error)]
#[error("cannot create the code cache: {0}")]
pub struct JitError(pub std::io::Error);

impl Jit {
    pub fn new() -> Result<Jit, JitError> {
        Self::with_cache_size(CODE_CACHE_SIZE)
    }

    /// A JIT whose code cache is `size` bytes, or less where the address space is limited
    /// (RLIMIT_AS, `ulimit -v`: the reservation counts against it although it is
    /// MAP_NORESERVE): the size is halved after each ENOMEM down to [`MIN_CODE_CACHE_SIZE`],
    /// then quartered, so that the translator's buffer and the guest's own mappings still
    /// fit under the limit (a smaller cache is flushed more often, nothing else changes).
    pub fn with_cache_size(size: usize) -> Result<Jit, JitError> {
        let mut fits = size;
        let mut cache = loop {
            match CodeCache::new(fits) {
                Ok(c) => break c,
                Err(e) if e.raw_os_error() == Some(libc::ENOMEM) && fits / 2 >= MIN_CODE_CACHE_SIZE => fits /= 2,
                Err(e) => return Err(JitError(e)),
            }
        };
        if fits < size && fits / 4 >= MIN_CODE_CACHE_SIZE {
            drop(cache);
            cache = CodeCache::new(fits / 4).map_err(JitError)?;
        }
        let tramp = cache::emit_trampolines(&mut cache);
        let cache_range = cache.range();
        let lookup = zeroed_lookup_table();
        Ok(Jit {
            state: Mutex::new(JitState {
                cache,
                emitter: None,
                blocks: blockmap::BlockMap::default(),
                by_host: Vec::new(),
                pc_maps: Vec::new(),
                retired: Vec::new(),
                generation: 0,
                stats: Stats::default(),
            }),
            lookup,
            tramp,
            cache_range,
            running: AtomicUsize::new(0),
            log: JitLog::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, JitState> {
        // A panic while holding the lock leaves the maps consistent enough to go on.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hold the translator lock across a host `fork()`, so that the child does not inherit it
    /// held by a thread that does not exist there. Drop the guard in parent and child.
    pub fn fork_lock(&self) -> impl Drop + '_ {
        self.lock()
    }

    /// In a forked child: only the forking thread exists, and it is not inside `run`.
    pub fn forked_child(&self) {
        self.running.store(0, Ordering::SeqCst);
        if let Some(map) = &self.log.perfmap {
            map.forked();
        }
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats
    }

    /// Run translated code from `cpu.pc` until something needs the OS.
    pub fn run(&self, cpu: &mut CpuState) -> Exit {
        self.running.fetch_add(1, Ordering::SeqCst);
        fault::enter(fault::Running {
            cpu: cpu as *mut CpuState,
            fault_stub: self.tramp.fault,
            fault_stub_helper: self.tramp.fault_in_helper,
            cache_start: self.cache_range.0,
            cache_end: self.cache_range.1,
        });
        let e = self.run_inner(cpu);
        fault::leave();
        self.running.fetch_sub(1, Ordering::SeqCst);
        e
    }

    fn run_inner(&self, cpu: &mut CpuState) -> Exit {
        let mut code = exit::LOOKUP;
        loop {
            match code {
                exit::LOOKUP | exit::CHAIN | exit::CHAIN_EXACT => {
                    let pc = cpu.pc;
                    // A block's exact-FP variant lives in the block map under pc | 1 (guest
                    // code is 4-byte aligned) and never in the lookup table: only its block's
                    // failed FPCR check leads there.
                    let key = if code == exit::CHAIN_EXACT { pc | 1 } else { pc };
                    if code == exit::LOOKUP {
                        // Lock-free first: the slot holds the block unless another hot target
                        // took it (then the locked path below puts this one back).
                        let host = self.slot(pc).host.load(Ordering::Acquire) as usize;
                        if host != 0 && block_pc_at(host) == pc {
                            code = self.enter(cpu, host);
                            continue;
                        }
                    }
                    let host = {
                        let mut st = self.lock();
                        let chain = (code != exit::LOOKUP).then(|| (cpu.chain_site as usize, st.generation));
                        match self.lookup_or_translate(&mut st, key, chain) {
                            Some(h) => h,
                            // The pc itself cannot be fetched: a prefetch abort (or a PC
                            // alignment fault).
                            None => {
                                let (signo, code) = crate::mem::fetch_fault(pc);
                                return Exit::Fault { signo, code, addr: pc };
                            }
                        }
                    };
                    code = self.enter(cpu, host);
                }
                exit::SVC => return Exit::Svc(cpu.exit_arg as u16),
                exit::BRK => return Exit::Brk(cpu.exit_arg as u16),
                exit::HLT => return Exit::Hlt(cpu.exit_arg as u16),
                exit::UNDEFINED => return Exit::Undefined(cpu.exit_arg as u32),
                exit::INTERRUPT => return Exit::Interrupt,
                exit::YIELD => return Exit::Yield,
                exit::SYNC_CODE => {
                    // IC IVAU: drop translations of the named cache line (any line for
                    // u64::MAX), then continue after the instruction.
                    let addr = cpu.exit_arg;
                    if addr == u64::MAX {
                        self.invalidate(0, u64::MAX);
                    } else {
                        // The instruction cache is PIPT (CTR_EL0): the line is invalidated
                        // at every address the guest maps it at (dual-mapped JIT code is
                        // written and flushed through its writable alias).
                        let line = crate::arch::features::CACHE_LINE;
                        let base = addr & !(line - 1);
                        self.invalidate(base, line);
                        for alias in crate::mem::code_aliases(base) {
                            self.invalidate(alias, line);
                        }
                    }
                    code = exit::LOOKUP;
                }
                exit::HOST_FAULT => {
                    // A host fault in translated code: the instruction's guest pc from the
                    // pc map. In a helper: the helper's caller stored cpu.pc beforehand.
                    let host_pc = cpu.scratch[2] as usize;
                    let (pc, swaps) = self.fault_site(host_pc);
                    if let Some(pc) = pc {
                        cpu.pc = pc;
                    }
                    if cpu.scratch[4] == 1 {
                        // In translated code: the trampoline left the mapped host registers
                        // in fault_regs; a swapped one holds the block's guest register.
                        for (k, &(n, g)) in emit::MAPPED.iter().enumerate() {
                            let guest = swaps.held_by(g).unwrap_or(n);
                            cpu.x[guest as usize] = cpu.fault_regs[k];
                        }
                    }
                    return Exit::Fault {
                        signo: cpu.scratch[0] as i32,
                        code: cpu.scratch[1] as i32,
                        addr: cpu.exit_arg,
                    };
                }
                exit::FAULT => {
                    return Exit::Fault {
                        signo: cpu.scratch[0] as i32,
                        code: cpu.scratch[1] as i32,
                        addr: cpu.exit_arg,
                    }
                }
                other => unreachable!("translated code returned unknown exit code {other}"),
            }
        }
    }

    fn enter(&self, cpu: &mut CpuState, host: usize) -> u32 {
        // SAFETY: `enter` is the trampoline emitted by `cache::emit_trampolines` with the
        // signature extern "C" fn(*mut CpuState, usize) -> u32; `host` is a live block.
        let f: extern "C" fn(*mut CpuState, usize) -> u32 = unsafe { std::mem::transmute(self.tramp.enter) };
        fpflags::start();
        let code = f(cpu as *mut CpuState, host);
        fpflags::merge(cpu);
        code
    }

    /// The host address of the block at `key` (a guest pc, or pc | 1 for its exact-FP
    /// variant), translating it if needed. `chain`: the direct jump (address of its rel32,
    /// and the generation it was recorded in) that exited with CHAIN to get here; it is
    /// patched to the block unless the cache was reset meanwhile.
    fn lookup_or_translate(&self, st: &mut JitState, key: u64, chain: Option<(usize, u64)>) -> Option<usize> {
        // (before the map is searched: a reset empties it)
        if st.cache.free_bytes() < RESET_FREE_BYTES {
            self.reset_cache(st);
        }
        let chain = chain.filter(|c| c.1 == st.generation).map(|c| c.0);
        let JitState { blocks, cache, stats, .. } = &mut *st;
        if let Some(b) = blocks.get_mut(key) {
            // A chain to a block translated since its stub was emitted, or a lookup miss
            // for a translated block whose slot another target took: take the slot back, so
            // that the inline probe of the next indirect branch here hits.
            let host = b.host;
            if key & 1 == 0 {
                self.set_lookup(key, host);
            }
            if let Some(site) = chain {
                if let Some(stub) = Self::patch_site(cache, stats, site, host) {
                    b.incoming.push((site, stub));
                }
            }
            return Some(host);
        }
        let b = block::translate(self, &mut st.cache, &mut st.emitter, &mut st.stats, key)?;
        let (host, mut successor) = (b.host, b.successor);
        self.install(st, key, b, chain);
        // Follow the chain of sure successors (blocks that end in B, BL or at the size
        // limit, with no other exit): translate each target now and link the jump to it
        // before the block that jumps there first runs. Every block so translated runs
        // right after its predecessor (unless a fault or signal comes first), so no work is
        // wasted; what is saved per link is a return to the dispatcher, a search of the
        // block map and the patch of a jump that has already run (a store into code the CPU
        // has fetched: about 130 ns here, a third of a 4-instruction block's translation).
        for _ in 0..SUCCESSOR_BLOCKS {
            let Some((site, target)) = successor else { break };
            // (a target translated already was linked by `install`; no reset in the middle:
            // the blocks of this chain are not entered yet)
            if st.blocks.contains(target) || st.cache.free_bytes() < RESET_FREE_BYTES + (64 << 10) {
                break;
            }
            let Some(b) = block::translate(self, &mut st.cache, &mut st.emitter, &mut st.stats, target) else { break };
            successor = b.successor;
            self.install(st, target, b, Some(site));
        }
        Some(host)
    }

    /// Enter the block `b` just translated (the emitter still holds its exits) into the
    /// block map under `key`, the lookup table and `by_host`; link its back-edges to its
    /// loop head, the jump at `chain` to it, and its exits to the blocks they lead to that
    /// are translated already, before it first runs (patching a jump that has not run is
    /// cheap; one that has run costs as much as a short translation, and its first run
    /// would leave through the dispatcher).
    fn install(&self, st: &mut JitState, key: u64, mut b: Block, chain: Option<usize>) {
        let JitState { blocks, cache, stats, emitter, by_host, pc_maps, .. } = st;
        let host = b.host;
        let e = emitter.as_deref().expect("the emitter holds the block just translated");
        for &site in &e.self_links {
            if let Some(stub) = Self::patch_site(cache, stats, host + site, host + b.head) {
                b.incoming.push((host + site, stub));
            }
        }
        if let Some(site) = chain {
            if let Some(stub) = Self::patch_site(cache, stats, site, host) {
                b.incoming.push((site, stub));
            }
        }
        let start = pc_maps.len();
        pc_maps.extend_from_slice(&e.pc_map);
        b.pc_map = (start as u32, e.pc_map.len() as u32);
        if key & 1 == 0 {
            self.set_lookup(key, host);
        }
        debug_assert!(by_host.last().is_none_or(|&(h, _)| h < host));
        by_host.push((host, key));
        blocks.insert(key, b);
        for c in &e.chains {
            if let Some(t) = blocks.get_mut(c.target | c.exact as u64) {
                if let Some(stub) = Self::patch_site(cache, stats, host + c.site, t.host) {
                    t.incoming.push((host + c.site, stub));
                }
            }
        }
    }

    fn slot(&self, pc: u64) -> &LookupEntry {
        &self.lookup[((pc >> 2) & (LOOKUP_SIZE as u64 - 1)) as usize]
    }

    /// Point `pc`'s slot at the block at `host` (whose pc header was written with its code). A
    /// Release store (a plain store on x86, where a SeqCst one is an `xchg` that waits for the
    /// just-written block to drain from the store buffer): a reader that loads this entry
    /// sees the block and its header.
    fn set_lookup(&self, pc: u64, host: usize) {
        debug_assert_eq!(block_pc_at(host), pc);
        self.slot(pc).host.store(host as u64, Ordering::Release);
    }

    /// Empty `pc`'s slot if it points at `pc`'s block (SeqCst: see `flush`).
    fn clear_lookup(&self, pc: u64) {
        let e = self.slot(pc);
        let host = e.host.load(Ordering::SeqCst) as usize;
        if host != 0 && block_pc_at(host) == pc {
            e.host.store(0, Ordering::SeqCst);
        }
    }

    /// Point the `jmp` whose rel32 is at `site` to `host` (a block, which records the site in
    /// `Block::incoming` for invalidation); returns the address it pointed to (its stub), or
    /// `None` when `site` is not a patchable site of ours or points to `host` already.
    fn patch_site(cache: &CodeCache, stats: &mut Stats, site: usize, host: usize) -> Option<usize> {
        if !site.is_multiple_of(4) || !cache.contains(site) {
            return None;
        }
        let rel = host as i64 - (site as i64 + 4);
        if rel < i32::MIN as i64 || rel > i32::MAX as i64 {
            return None;
        }
        // SAFETY: `site` is the 4-byte aligned rel32 of a `jmp` inside our cache, recorded by
        // the emitter in the current generation; a 4-byte aligned store is atomic on x86.
        let stub = unsafe {
            let cur = std::ptr::read_volatile(site as *const i32);
            let stub = (site as i64 + 4 + cur as i64) as usize;
            if stub == host {
                // Linked already: two threads left through the stub before the first linked
                // it. A second record (site, host) would make invalidation restore the jump
                // to the dead block after restoring it to the stub.
                return None;
            }
            std::ptr::write_volatile(site as *mut i32, rel as i32);
            stub
        };
        stats.chains_patched += 1;
        Some(stub)
    }

    /// Drop every translation and reuse the cache (only while no other thread runs guest
    /// code; otherwise the cache keeps growing until it is exhausted).
    fn reset_cache(&self, st: &mut JitState) {
        if self.running.load(Ordering::SeqCst) > 1 {
            return;
        }
        // Clear the lookup entries first (SeqCst stores), then look at `running` again, as
        // `flush` does: a thread that enters `run` after this second load finds no entry and
        // waits for the lock we hold; one that entered before it is counted, and then the
        // cache stays (its blocks are still in `blocks`, so lookups are refilled on demand).
        for pc in st.blocks.keys() {
            self.clear_lookup(pc);
        }
        if self.running.load(Ordering::SeqCst) > 1 {
            return;
        }
        st.blocks.clear();
        st.by_host.clear();
        st.pc_maps.clear();
        st.retired.clear();
        st.cache.reset();
        st.generation += 1;
        st.stats.flushes += 1;
    }

    /// Drop translations of guest code overlapping [start, start+len): their lookup entries
    /// are cleared and chains into them restored to their stubs, so the next execution
    /// translates the code again.
    pub fn invalidate(&self, start: u64, len: u64) {
        let end = start.saturating_add(len);
        let mut st = self.lock();
        let dead = st.blocks.overlapping(start, end);
        for &pc in &dead {
            self.clear_lookup(pc);
        }
        let JitState { blocks, pc_maps, retired, .. } = &mut *st;
        blocks.remove_all(&dead, |_, b| {
            for &(site, stub) in b.incoming.iter() {
                let rel = stub as i64 - (site as i64 + 4);
                // SAFETY: restoring a rel32 we patched earlier to its original stub.
                unsafe { std::ptr::write_volatile(site as *mut i32, rel as i32) };
            }
            let (start, len) = (b.pc_map.0 as usize, b.pc_map.1 as usize);
            retired.push(Retired {
                host: b.host,
                host_len: b.host_len,
                guest_pc: b.guest_pc,
                swaps: b.swaps,
                pc_map: pc_maps[start..start + len].into(),
            });
        });
        if st.retired.len() > MAX_RETIRED {
            let excess = st.retired.len() - MAX_RETIRED / 2;
            st.retired.drain(..excess);
        }
        st.stats.invalidations += dead.len() as u64;
        // Drop the host-map entries of dead blocks once they are the majority.
        if st.by_host.len() > 2 * st.blocks.len() + 64 {
            let JitState { by_host, blocks, pc_maps, .. } = &mut *st;
            by_host.retain(|&(host, pc)| blocks.get(pc).is_some_and(|b| b.host == host));
            // The live blocks' pc maps move down over the dead ones, in place: `by_host` is
            // in placement order, which is the order of the pc maps too.
            let mut end = 0;
            for &(_, key) in by_host.iter() {
                if let Some(b) = blocks.get_mut(key) {
                    let (start, len) = (b.pc_map.0 as usize, b.pc_map.1 as usize);
                    debug_assert!(start >= end);
                    pc_maps.copy_within(start..start + len, end);
                    b.pc_map.0 = end as u32;
                    end += len;
                }
            }
            pc_maps.truncate(end);
        }
    }

    /// Drop every translation (as if all guest code changed). When no thread is inside
    /// [`Jit::run`], the cache space is reused from its start too (otherwise it keeps growing
    /// until it is full, as after [`Jit::invalidate`]).
    pub fn flush(&self) {
        self.invalidate(0, u64::MAX);
        let mut st = self.lock();
        // Every block was unlinked above: its lookup entry cleared (SeqCst stores, before the
        // load of `running` below) and every patched jump into it restored. A thread that
        // enters `run` after that load finds no entry and takes the lock to translate, so
        // with no thread inside `run` now and no block translated since, no code in the
        // cache can run any more. (Blocks translated between the two locks: keep growing.)
        if self.running.load(Ordering::SeqCst) == 0 && st.blocks.is_empty() {
            st.by_host.clear();
            st.pc_maps.clear();
            st.retired.clear();
            st.cache.reset();
            st.generation += 1;
            st.stats.flushes += 1;
        }
    }

    /// Map a host pc inside translated code to the guest pc of the instruction it belongs to.
    pub fn guest_pc_of_host(&self, host_pc: usize) -> Option<u64> {
        self.fault_site(host_pc).0
    }

    /// The guest pc of the instruction whose translation contains `host_pc`, and the register
    /// swaps of its block (empty when `host_pc` is in no block).
    fn fault_site(&self, host_pc: usize) -> (Option<u64>, Swaps) {
        let st = self.lock();
        let k = st.by_host.partition_point(|&(h, _)| h <= host_pc);
        let live = k.checked_sub(1).map(|k| st.by_host[k]).and_then(|(start, gpc)| {
            let b = st.blocks.get(gpc).filter(|b| b.host == start && host_pc < start + b.host_len)?;
            let (map_start, map_len) = (b.pc_map.0 as usize, b.pc_map.1 as usize);
            Some((b.host, b.guest_pc, b.swaps, &st.pc_maps[map_start..map_start + map_len]))
        });
        // else code invalidated while this thread still ran it (the latest first: a host
        // range is reused only after a reset, which empties the list)
        let site = live.or_else(|| {
            let r = st.retired.iter().rev().find(|r| r.host <= host_pc && host_pc < r.host + r.host_len)?;
            Some((r.host, r.guest_pc, r.swaps, &r.pc_map[..]))
        });
        let Some((start, guest_pc, swaps, pc_map)) = site else {
            return (None, Swaps::default());
        };
        let off = (host_pc - start) as u32;
        let mut pc = guest_pc;
        for &(o, g) in pc_map {
            if o <= off {
                pc = guest_pc + g as u64;
            } else {
                break;
            }
        }
        (Some(pc), swaps)
    }

    /// The host memory the JIT owns: the code cache and the lookup table, as [start, end)
    /// ranges (for a /proc/self/maps without the emulator's mappings).
    pub fn host_regions(&self) -> [(usize, usize); 2] {
        let lookup = self.lookup.as_ptr() as usize;
        [self.cache_range, (lookup, lookup + std::mem::size_of_val(&*self.lookup))]
    }

    /// Turn on `-perfmap`: announce the trampolines now and every block as it is translated.
    pub fn set_perfmap(&mut self, map: std::sync::Arc<PerfMap>) {
        // The trampolines sit in the cache's first page (`cache::CodeCache`).
        map.line(self.cache_range.0, 4096, "[qemu-aarch64-lite trampolines]");
        self.log.perfmap = Some(map);
    }

    pub(crate) fn trampolines(&self) -> cache::Trampolines {
        self.tramp
    }

    pub(crate) fn lookup_addr(&self) -> usize {
        self.lookup.as_ptr() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host fault inside a block that another thread invalidated meanwhile (its IC IVAU,
    /// mprotect or munmap while this thread was still running the old code) maps to the
    /// guest pc of the faulting instruction, as in a live block.
    #[test]
    fn faults_map_in_invalidated_blocks() {
        const WORDS: [u32; 4] = [
            0x910004a5, // add x5, x5, #1
            0x910004c6, // add x6, x6, #1
            0x910004e7, // add x7, x7, #1
            0xd4200000, // brk #0
        ];
        // SAFETY: a fresh anonymous mapping owned by this test, unmapped at its end.
        let page = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(page, libc::MAP_FAILED);
        for (k, w) in WORDS.iter().enumerate() {
            // SAFETY: within the page.
            unsafe { (page as *mut u32).add(k).write(*w) };
        }
        let pc = page as u64;
        let jit = Jit::with_cache_size(1 << 20).unwrap();
        let mut cpu = CpuState::new();
        cpu.pc = pc;
        assert_eq!(jit.run(&mut cpu), Exit::Brk(0));
        // the host pc of the third instruction, from the block's pc map
        let (host, third) = {
            let st = jit.lock();
            let b = st.blocks.get(pc).expect("the block was translated");
            let (start, len) = (b.pc_map.0 as usize, b.pc_map.1 as usize);
            assert_eq!(len, 4);
            (b.host, st.pc_maps[start + 2].0 as usize)
        };
        assert_eq!(jit.fault_site(host + third).0, Some(pc + 8));
        jit.invalidate(pc, 16);
        assert!(jit.lock().blocks.get(pc).is_none());
        assert_eq!(jit.fault_site(host + third).0, Some(pc + 8), "after invalidation");
        // translated again: the old code still maps, and so does the new
        cpu.pc = pc;
        assert_eq!(jit.run(&mut cpu), Exit::Brk(0));
        assert_eq!(jit.fault_site(host + third).0, Some(pc + 8), "after retranslation");
        // SAFETY: our own mapping; no translated code of it runs any more.
        unsafe { libc::munmap(page, 4096) };
    }
}
