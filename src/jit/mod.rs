//! The JIT: translates guest basic blocks to x86_64 and runs them.
//!
//! - [`cache`]: the code cache (one RWX mapping we own; blocks never move once run).
//! - [`emit`]: the emitter and its primitives (host register conventions live there).
//! - one translator file per Arm ARM encoding group: [`dp_imm`], [`dp_reg`], [`branch`],
//!   [`ldst`], [`ldst_simd`], [`fp`], [`simd`].
//! - [`block`]: forms a block (the short loop over instructions).
//!
//! The JIT knows nothing about Linux: [`Jit::run`] returns an [`Exit`] and all OS policy lives
//! in `linux`. Invariants: translated code only runs between `enter` and the exit trampoline;
//! `rbx` holds the running thread's `CpuState`; the lookup table only holds entries whose host
//! code is live in the cache (it is cleared on every flush).

pub mod block;
pub mod branch;
pub mod cache;
pub mod dp_imm;
pub mod dp_reg;
pub mod emit;
pub mod fault;
pub mod fp;
pub mod ldst;
pub mod ldst_simd;
pub mod simd;

use crate::cpu::CpuState;
use cache::CodeCache;
use emit::exit;
use std::collections::HashMap;

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

/// One entry of the indirect-branch lookup table (layout used by emitted code).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct LookupEntry {
    pub guest: u64,
    pub host: u64,
}

pub const LOOKUP_BITS: u32 = 16;
pub const LOOKUP_SIZE: usize = 1 << LOOKUP_BITS;

/// A translated block.
#[derive(Clone, Debug)]
pub struct Block {
    pub guest_pc: u64,
    /// Guest bytes covered: [guest_pc, guest_pc + guest_len).
    pub guest_len: u64,
    pub host: usize,
    pub host_len: usize,
    /// (host offset, guest pc) per instruction, for mapping faults back.
    pub pc_map: Vec<(u32, u64)>,
}

/// Statistics, for `-d` logging and benchmarks.
#[derive(Default, Clone, Copy, Debug)]
pub struct Stats {
    pub blocks_translated: u64,
    pub insns_translated: u64,
    pub flushes: u64,
    pub chains_patched: u64,
}

/// Logging hooks for `-d in_asm,out_asm`.
#[derive(Default, Clone, Copy, Debug)]
pub struct JitLog {
    pub in_asm: bool,
    pub out_asm: bool,
}

pub struct Jit {
    cache: CodeCache,
    blocks: HashMap<u64, Block>,
    /// Blocks sorted by host address are not needed: host -> block is found through `by_host`.
    by_host: std::collections::BTreeMap<usize, u64>,
    lookup: Box<[LookupEntry]>,
    tramp: cache::Trampolines,
    /// Bumped on every flush: a chain site recorded before a flush is stale.
    generation: u64,
    pub stats: Stats,
    pub log: JitLog,
}

/// Error creating the JIT (the code cache could not be mapped).
#[derive(Debug, thiserror::Error)]
#[error("cannot create the code cache: {0}")]
pub struct JitError(pub std::io::Error);

impl Jit {
    pub fn new() -> Result<Jit, JitError> {
        Self::with_cache_size(256 << 20)
    }

    pub fn with_cache_size(size: usize) -> Result<Jit, JitError> {
        let mut cache = CodeCache::new(size).map_err(JitError)?;
        let tramp = cache::emit_trampolines(&mut cache);
        let empty = LookupEntry { guest: u64::MAX, host: 0 };
        Ok(Jit {
            cache,
            blocks: HashMap::new(),
            by_host: Default::default(),
            lookup: vec![empty; LOOKUP_SIZE].into_boxed_slice(),
            tramp,
            generation: 0,
            stats: Stats::default(),
            log: JitLog::default(),
        })
    }

    /// Run translated code from `cpu.pc` until something needs the OS.
    pub fn run(&mut self, cpu: &mut CpuState) -> Exit {
        fault::enter(cpu as *mut CpuState, self.tramp.fault);
        let e = self.run_inner(cpu);
        fault::leave();
        e
    }

    fn run_inner(&mut self, cpu: &mut CpuState) -> Exit {
        let mut code = exit::LOOKUP;
        loop {
            match code {
                exit::LOOKUP | exit::CHAIN => {
                    let gen = self.generation;
                    let pc = cpu.pc;
                    let host = match self.lookup_or_translate(pc) {
                        Some(h) => h,
                        None => {
                            // The pc itself cannot be fetched: let the OS layer decide.
                            return Exit::Fault { signo: libc::SIGSEGV, code: 1, addr: pc };
                        }
                    };
                    if code == exit::CHAIN && gen == self.generation {
                        self.patch_chain(cpu.chain_site as usize, host);
                    }
                    code = self.enter(cpu, host);
                }
                exit::SVC => return Exit::Svc(cpu.exit_arg as u16),
                exit::BRK => return Exit::Brk(cpu.exit_arg as u16),
                exit::HLT => return Exit::Hlt(cpu.exit_arg as u16),
                exit::UNDEFINED => return Exit::Undefined(cpu.exit_arg as u32),
                exit::INTERRUPT => return Exit::Interrupt,
                exit::YIELD => return Exit::Yield,
                exit::SYNC_CODE => {
                    // Code may have been modified: drop translations (precise ranges later).
                    self.flush();
                    code = exit::LOOKUP;
                }
                exit::HOST_FAULT => {
                    // A host fault in translated code: the instruction's guest pc from the
                    // pc map. In a helper: the helper's caller stored cpu.pc beforehand.
                    let host_pc = cpu.scratch[2] as usize;
                    if let Some(pc) = self.guest_pc_of_host(host_pc) {
                        cpu.pc = pc;
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
        f(cpu as *mut CpuState, host)
    }

    fn lookup_or_translate(&mut self, pc: u64) -> Option<usize> {
        if let Some(b) = self.blocks.get(&pc) {
            return Some(b.host);
        }
        let b = block::translate(self, pc)?;
        let host = b.host;
        self.insert_lookup(pc, host);
        self.by_host.insert(host, pc);
        self.blocks.insert(pc, b);
        Some(host)
    }

    fn insert_lookup(&mut self, pc: u64, host: usize) {
        let i = ((pc >> 2) & (LOOKUP_SIZE as u64 - 1)) as usize;
        self.lookup[i] = LookupEntry { guest: pc, host: host as u64 };
    }

    fn patch_chain(&mut self, site: usize, host: usize) {
        let rel = host as i64 - (site as i64 + 4);
        if rel < i32::MIN as i64 || rel > i32::MAX as i64 || !self.cache.contains(site) {
            return;
        }
        // SAFETY: `site` is the 4-byte aligned rel32 of a `jmp` inside our cache, recorded
        // by the emitter in the current generation.
        unsafe { std::ptr::write_volatile(site as *mut i32, rel as i32) };
        self.stats.chains_patched += 1;
    }

    /// Drop every translation (cache full, or code modified).
    pub fn flush(&mut self) {
        self.blocks.clear();
        self.by_host.clear();
        for e in self.lookup.iter_mut() {
            *e = LookupEntry { guest: u64::MAX, host: 0 };
        }
        self.cache.reset();
        self.generation += 1;
        self.stats.flushes += 1;
    }

    /// Drop translations of guest code overlapping [start, start+len).
    pub fn invalidate(&mut self, start: u64, len: u64) {
        let end = start.saturating_add(len);
        if self.blocks.values().any(|b| b.guest_pc < end && b.guest_pc + b.guest_len > start) {
            self.flush();
        }
    }

    /// Map a host pc inside translated code to the guest pc of the instruction it belongs to.
    pub fn guest_pc_of_host(&self, host_pc: usize) -> Option<u64> {
        let (&start, &gpc) = self.by_host.range(..=host_pc).next_back()?;
        let b = self.blocks.get(&gpc)?;
        if host_pc >= start + b.host_len {
            return None;
        }
        let off = (host_pc - start) as u32;
        let mut pc = b.guest_pc;
        for &(o, g) in &b.pc_map {
            if o <= off {
                pc = g;
            } else {
                break;
            }
        }
        Some(pc)
    }

    pub fn cache_contains(&self, host_pc: usize) -> bool {
        self.cache.contains(host_pc)
    }

    pub(crate) fn exit_addr(&self) -> usize {
        self.tramp.exit
    }

    pub(crate) fn lookup_addr(&self) -> usize {
        self.lookup.as_ptr() as usize
    }

    pub(crate) fn cache_mut(&mut self) -> &mut CodeCache {
        &mut self.cache
    }
}
