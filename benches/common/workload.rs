//! The translation workload shared by `benches/jit.rs` (criterion, `translate/*`) and
//! `examples/translate_cost.rs` (host-instruction and per-kind measurements): guest code in an
//! RWX mapping, and pseudo-random straight-line instructions of the kinds below.
//!
//! Included with `#[path]` by both (a benchmark and an example cannot share a module
//! otherwise); each uses only part of it.
#![allow(dead_code)]

pub const BRK0: u32 = 0xd420_0000; // brk #0
/// b .+4 (falls into the next block)
pub const B_NEXT: u32 = 0x1400_0001;

/// An RWX anonymous mapping holding guest code (and data after it).
pub struct GuestCode {
    base: *mut u8,
    len: usize,
}

impl GuestCode {
    pub fn new(len: usize) -> GuestCode {
        // SAFETY: a fresh anonymous mapping, owned by the returned value.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED, "mmap of the guest code area failed");
        GuestCode { base: p as *mut u8, len }
    }

    pub fn addr(&self) -> u64 {
        self.base as u64
    }

    pub fn write(&self, offset: usize, words: &[u32]) {
        assert!(offset.is_multiple_of(4) && offset + words.len() * 4 <= self.len);
        for (k, w) in words.iter().enumerate() {
            // SAFETY: within the mapping (checked above), 4-byte aligned.
            unsafe { (self.base.add(offset) as *mut u32).add(k).write(*w) };
        }
    }
}

impl Drop for GuestCode {
    fn drop(&mut self) {
        // SAFETY: our own mapping; no translated code runs after the benchmark ends.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.len) };
    }
}

/// xorshift64: deterministic pseudo-random bits for the translation workload.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u32 {
        (self.next() % n) as u32
    }
}

/// Kinds of [`insn_of_kind`].
pub const KINDS: u32 = 15;
pub const KIND_NAMES: [&str; KINDS as usize] = [
    "ADD (shifted)",
    "SUB",
    "AND",
    "ORR",
    "EOR",
    "ADD (imm)",
    "MOVZ",
    "MOVK",
    "MADD",
    "CSEL",
    "CMP",
    "LDR",
    "STR",
    "FADD",
    "FMUL",
];

/// One pseudo-random instruction of a random kind (the bench's mix).
pub fn random_insn(r: &mut Rng) -> u32 {
    let regs = (r.below(29), r.below(29), r.below(29), r.below(29));
    let kind = r.below(KINDS as u64);
    insn_of_kind(r, kind, regs)
}

/// One pseudo-random instruction of `kind` (0..KINDS) with general registers (rd, rn, rm, ra):
/// none branches or writes SP; loads and stores address [sp, #0..4088].
pub fn insn_of_kind(r: &mut Rng, kind: u32, (rd, rn, rm, ra): (u32, u32, u32, u32)) -> u32 {
    match kind {
        0 => 0x8b00_0000 | rm << 16 | r.below(64) << 10 | rn << 5 | rd, // add xd, xn, xm, lsl #imm6
        1 => 0xcb00_0000 | rm << 16 | rn << 5 | rd,                     // sub xd, xn, xm
        2 => 0x8a00_0000 | rm << 16 | rn << 5 | rd,                     // and xd, xn, xm
        3 => 0xaa00_0000 | rm << 16 | rn << 5 | rd,                     // orr xd, xn, xm
        4 => 0xca00_0000 | rm << 16 | rn << 5 | rd,                     // eor xd, xn, xm
        5 => 0x9100_0000 | r.below(4096) << 10 | rn << 5 | rd,          // add xd, xn, #imm12
        6 => 0xd280_0000 | r.below(4) << 21 | r.below(65536) << 5 | rd, // movz xd, #imm16, lsl #hw
        7 => 0xf280_0000 | r.below(4) << 21 | r.below(65536) << 5 | rd, // movk xd, #imm16, lsl #hw
        8 => 0x9b00_0000 | rm << 16 | ra << 10 | rn << 5 | rd,          // madd xd, xn, xm, xa
        9 => 0x9a80_0000 | rm << 16 | r.below(15) << 12 | rn << 5 | rd, // csel xd, xn, xm, cond
        10 => 0xeb00_001f | rm << 16 | rn << 5,                         // cmp xn, xm
        11 => 0xf940_03e0 | r.below(512) << 10 | rd,                    // ldr xd, [sp, #imm12*8]
        12 => 0xf900_03e0 | r.below(512) << 10 | rd,                    // str xd, [sp, #imm12*8]
        13 => 0x1e60_2800 | r.below(32) << 16 | r.below(32) << 5 | r.below(32), // fadd dd, dn, dm
        _ => 0x1e60_0800 | r.below(32) << 16 | r.below(32) << 5 | r.below(32), // fmul dd, dn, dm
    }
}
