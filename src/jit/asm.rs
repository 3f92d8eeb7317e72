//! The assembling buffer behind [`Emitter`](super::emit::Emitter): what `dynasm!` writes
//! blocks into, in place of `dynasmrt::VecAssembler`, which is built for generality and costs
//! block translation most of its time (every local label definition and reference goes through
//! string-keyed hash maps, every relocation is resolved at the end by another hash lookup, and
//! each block allocates its buffers afresh).
//!
//! - One `Asm` lives in the JIT state and is [`Asm::reset`] for each block, so its buffers are
//!   allocated once.
//! - Local labels (`name:`, `>name`, `<name`): a backward reference is patched at once from the
//!   last definition of the name; a forward reference waits in a short list and is patched when
//!   the name is next defined. Both lists hold a handful of entries, searched linearly.
//! - Dynamic labels (`=>label`): the label offsets are a vector indexed by id (dynasmrt's
//!   `LabelRegistry`, used for nothing else); a reference to a defined label is patched at
//!   once, the others when the block is finished.
//! - Global labels (`->name`) are not supported (only the trampolines use them, and they keep
//!   `VecAssembler`): using one makes [`Asm::finish`] fail.
//!
//! The bytes are the same as `VecAssembler` produces (relocations are computed as dynasmrt's
//! `PatchLoc` does, unit-tested against `VecAssembler` below).

use dynasmrt::components::LabelRegistry;
use dynasmrt::relocations::{Relocation, RelocationKind};
use dynasmrt::x64::X64Relocation;
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, DynasmError, DynasmLabelApi, LabelKind, TargetKind};

/// A reference to patch: dynasm's encoded relocation (`code`: kind in bits 7:6, field size
/// 1 << bits 1:0 bytes), the buffer offset just after the instruction (`at`), how far back
/// the field starts and what the value is relative to, as dynasmrt's `PatchLoc`.
#[derive(Clone, Copy)]
struct Reloc {
    at: usize,
    target_offset: isize,
    field_offset: u8,
    ref_offset: u8,
    code: u8,
}

impl Reloc {
    fn new(at: usize, target_offset: isize, field_offset: u8, ref_offset: u8, code: u8) -> Reloc {
        Reloc { at, target_offset, field_offset, ref_offset, code }
    }

    /// The encoded form of a `Relocation` value (for the trait methods that pass one).
    fn encode(kind: X64Relocation) -> u8 {
        let k = match kind.kind() {
            RelocationKind::Relative => 0,
            RelocationKind::AbsToRel => 1,
            RelocationKind::RelToAbs => 2,
            RelocationKind::Absolute => 3,
        };
        k << 6 | kind.size().trailing_zeros() as u8
    }

    /// Write the field for `target` (a buffer offset for labels, an address for values)
    /// with the code at address `base`; false when the value does not fit (as
    /// dynasmrt's `PatchLoc::patch`).
    #[inline]
    fn patch(&self, buf: &mut [u8], base: usize, target: usize) -> bool {
        let here = self.at.wrapping_sub(self.ref_offset as usize);
        if self.code == 2 {
            // (the common case, a label's rel32 in a jump or call: relative, 4 bytes)
            let value = target.wrapping_sub(here) as isize + self.target_offset;
            let field = self.at - self.field_offset as usize;
            return match i32::try_from(value) {
                Ok(v) => {
                    buf[field..field + 4].copy_from_slice(&v.to_le_bytes());
                    true
                }
                Err(_) => false,
            };
        }
        let value = match self.code >> 6 {
            0 => target.wrapping_sub(here),
            1 => target.wrapping_add(base),
            2 => target.wrapping_sub(here).wrapping_sub(base),
            _ => target,
        } as isize
            + self.target_offset;
        let field = self.at - self.field_offset as usize;
        match self.code & 3 {
            0 => match i8::try_from(value) {
                Ok(v) => buf[field] = v as u8,
                Err(_) => return false,
            },
            1 => match i16::try_from(value) {
                Ok(v) => buf[field..field + 2].copy_from_slice(&v.to_le_bytes()),
                Err(_) => return false,
            },
            2 => match i32::try_from(value) {
                Ok(v) => buf[field..field + 4].copy_from_slice(&v.to_le_bytes()),
                Err(_) => return false,
            },
            _ => buf[field..field + 8].copy_from_slice(&(value as i64).to_le_bytes()),
        }
        true
    }
}

/// Opcodes of [`Asm::alu_rr`]: `<op> r/m, reg`.
pub mod alu {
    pub const ADD: u8 = 0x01;
    pub const OR: u8 = 0x09;
    pub const AND: u8 = 0x21;
    pub const SUB: u8 = 0x29;
    pub const XOR: u8 = 0x31;
}

/// A memory operand `[base + index * 2^scale + disp]` for [`Asm::mem_op`] (index: register
/// and scale 0-3; never rsp).
#[derive(Clone, Copy, Debug)]
pub struct Mem {
    pub base: u8,
    pub index: Option<(u8, u8)>,
    pub disp: i32,
}

/// `mov Rq(dst), Rq(src)` (REX.W 89 /r) by [dst][src], little-endian in the low 3 bytes.
static MOV_RR: [[u32; 16]; 16] = {
    let mut t = [[0u32; 16]; 16];
    let mut d = 0;
    while d < 16 {
        let mut s = 0;
        while s < 16 {
            let rex = 0x48 | (s >> 3 & 1) << 2 | (d >> 3 & 1);
            t[d][s] = (rex | 0x89 << 8 | (0xc0 | (s & 7) << 3 | (d & 7)) << 16) as u32;
            s += 1;
        }
        d += 1;
    }
    t
};

/// `mov Rq(dst), QWORD [rbx + disp32]` (REX.W 8B /r, mod 10, rm rbx) by dst: the 3 bytes
/// before the displacement.
static LOAD_RBX: [u32; 16] = {
    let mut t = [0u32; 16];
    let mut d = 0;
    while d < 16 {
        t[d] = ((0x48 | (d >> 3 & 1) << 2) | 0x8b << 8 | (0x83 | (d & 7) << 3) << 16) as u32;
        d += 1;
    }
    t
};

/// `mov QWORD [rbx + disp32], Rq(src)` (REX.W 89 /r) by src: the 3 bytes before the
/// displacement.
static STORE_RBX: [u32; 16] = {
    let mut t = [0u32; 16];
    let mut s = 0;
    while s < 16 {
        t[s] = ((0x48 | (s >> 3 & 1) << 2) | 0x89 << 8 | (0x83 | (s & 7) << 3) << 16) as u32;
        s += 1;
    }
    t
};

/// The bytes of [`Asm`]: writes store without a bound check each. Instead, [`Asm::room`]
/// is called where the emission is bounded (before each guest instruction is translated,
/// before each out-of-line stub, at each block start) and makes sure that SLACK writable
/// bytes follow the end; no guest instruction or stub emits anywhere near that much.
///
/// The bytes live in an address range reserved for the buffer (RESERVE bytes, inaccessible)
/// of which a prefix is made writable as it is needed, so a write past the writable part
/// (an emitter that broke the bound) faults on an inaccessible page instead of corrupting
/// memory; `jit::fault` treats a fault while translating as the emulator's own (it dies
/// with a message). Most translated instructions are a handful of small writes, and a bound
/// check per write was an eighth of the translator's instructions.
///
/// A block can also be written in place: straight into the code cache where it will run
/// ([`Asm::reset_in_place`], saving the copy at commit), while the cache has room for it plus
/// SLACK before its end (whose guard page faults, as the reservation's). A block that
/// outgrows that room moves to the reservation and goes on there (then it is copied).
///
/// Invariant: `len <= limit` after `room`; `limit + SLACK <= writable <= RESERVE - GUARD`
/// while in the reservation, `limit + SLACK <=` the room in place otherwise.
struct CodeBuf {
    /// Where the bytes are written: `own`, or the code cache while in place.
    base: *mut u8,
    len: usize,
    limit: usize,
    /// The reservation, and how much of it is writable.
    own: *mut u8,
    writable: usize,
    in_place: bool,
}

// SAFETY: the mapping is owned by the CodeBuf and only reached through `&mut self` (or `&self`
// for reads); no thread-affine state.
unsafe impl Send for CodeBuf {}
unsafe impl Sync for CodeBuf {}

impl CodeBuf {
    /// Room that [`CodeBuf::room`] guarantees after the end.
    const SLACK: usize = 256 << 10;
    /// Address space reserved per buffer (no memory is committed until written).
    const RESERVE: usize = 64 << 20;
    /// The end of the reservation that never becomes writable.
    const GUARD: usize = 1 << 20;
    const STEP: usize = 1 << 20;

    fn new() -> CodeBuf {
        // SAFETY: a fresh anonymous reservation, owned by the returned value.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                Self::RESERVE,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            eprintln!("qemu-aarch64-lite: cannot reserve the translator's buffer: {}", std::io::Error::last_os_error());
            std::process::abort();
        }
        let own = p as *mut u8;
        let mut b = CodeBuf { base: own, len: 0, limit: 0, own, writable: 0, in_place: false };
        b.grow();
        b
    }

    /// Write the next block at `at`, which has `room` writable bytes after it (its code cache),
    /// when that is enough for SLACK twice; else in the reservation.
    fn place_at(&mut self, at: *mut u8, room: usize) {
        self.len = 0;
        if room >= 2 * Self::SLACK {
            self.base = at;
            self.limit = room - Self::SLACK;
            self.in_place = true;
        } else {
            self.clear();
        }
    }

    /// Whether the bytes are being written in place.
    fn in_place(&self) -> bool {
        self.in_place
    }

    /// Make sure SLACK writable bytes follow the end.
    #[inline(always)]
    fn room(&mut self) {
        if self.len > self.limit {
            self.grow();
        }
    }

    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        self.grow_for(0);
    }

    /// Make `extra` bytes beyond SLACK writable after the end.
    #[cold]
    #[inline(never)]
    fn grow_for(&mut self, extra: usize) {
        if self.in_place {
            // Out of room in place: on in the reservation, with what was written so far.
            let (from, len) = (self.base, self.len);
            self.clear();
            self.commit_own(len + extra + Self::SLACK);
            // SAFETY: `len` bytes written at `from` (still mapped: the code cache), and the
            // reservation is now writable for more than `len`.
            unsafe { std::ptr::copy_nonoverlapping(from, self.own, len) };
            self.len = len;
            return;
        }
        self.commit_own((self.len + extra + Self::SLACK).max(self.writable + 1));
    }

    /// Make at least `need` bytes of the reservation writable (whole STEPs).
    fn commit_own(&mut self, need: usize) {
        if need <= self.writable {
            return;
        }
        let want = need.next_multiple_of(Self::STEP);
        if want > Self::RESERVE - Self::GUARD {
            eprintln!("qemu-aarch64-lite: a block's translation exceeds {} bytes", Self::RESERVE - Self::GUARD);
            std::process::abort();
        }
        // SAFETY: [writable, want) lies inside our reservation.
        let r = unsafe {
            libc::mprotect(
                self.own.add(self.writable) as *mut libc::c_void,
                want - self.writable,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        };
        if r != 0 {
            eprintln!("qemu-aarch64-lite: cannot grow the translator's buffer: {}", std::io::Error::last_os_error());
            std::process::abort();
        }
        self.writable = want;
        self.limit = want - Self::SLACK;
    }

    /// Append a fixed-size run of bytes.
    #[inline(always)]
    fn put<const N: usize>(&mut self, bytes: [u8; N]) {
        // SAFETY: the bytes after `len` are writable up to the next guard (see the type's
        // doc); a write that goes past them faults instead of corrupting.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.base.add(self.len), N) };
        self.len += N;
    }

    /// Append the low `len` (at most 8) bytes of `word`, little-endian, with one unaligned
    /// 8-byte store.
    #[inline(always)]
    fn put_word(&mut self, word: u64, len: usize) {
        // SAFETY: as `put`; the 8 stored bytes lie in the same writable run.
        unsafe { std::ptr::write_unaligned(self.base.add(self.len) as *mut u64, word.to_le()) };
        self.len += len.min(8);
    }

    /// Append the low `len` bytes of each (`word`, `len`) in turn (`len` at most 8), one
    /// unaligned 8-byte store each and one update of the length.
    #[inline(always)]
    fn put_words<const N: usize>(&mut self, words: &[(u64, usize); N]) {
        let mut at = self.len;
        for &(word, len) in words {
            debug_assert!(len <= 8);
            // SAFETY: as `put`; N * 8 bytes lie in the same writable run.
            unsafe { std::ptr::write_unaligned(self.base.add(at) as *mut u64, word.to_le()) };
            at += len & 15;
        }
        self.len = at;
    }

    /// Append a slice (at most SLACK bytes: longer ones make room first).
    #[inline]
    fn extend_from_slice(&mut self, b: &[u8]) {
        if b.len() > Self::SLACK / 2 {
            self.grow_for(b.len());
        }
        // SAFETY: as `put`.
        unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), self.base.add(self.len), b.len()) };
        self.len += b.len();
    }

    /// Append what an iterator yields.
    #[inline(always)]
    fn extend<I: Iterator<Item = u8>>(&mut self, iter: I) {
        for b in iter {
            self.push(b);
        }
    }

    #[inline(always)]
    fn push(&mut self, b: u8) {
        // SAFETY: as `put`.
        unsafe { *self.base.add(self.len) = b };
        self.len += 1;
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }

    /// Empty, in the reservation.
    fn clear(&mut self) {
        self.len = 0;
        self.base = self.own;
        self.limit = self.writable - Self::SLACK;
        self.in_place = false;
    }

    fn as_slice(&self) -> &[u8] {
        // SAFETY: the first `len` bytes are writable and were written.
        unsafe { std::slice::from_raw_parts(self.base, self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as `as_slice`, through `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.base, self.len) }
    }
}

impl Drop for CodeBuf {
    fn drop(&mut self) {
        // SAFETY: our own reservation.
        unsafe { libc::munmap(self.own as *mut libc::c_void, Self::RESERVE) };
    }
}

pub struct Asm {
    buf: CodeBuf,
    /// Address the code will run at (the start of `buf`).
    base: usize,
    /// Dynamic label definitions.
    labels: LabelRegistry,
    /// References to dynamic labels not yet defined when they were emitted.
    dyn_refs: Vec<(Reloc, DynamicLabel)>,
    /// Last definition of each local label name.
    locals: Vec<(&'static str, usize)>,
    /// Forward references to local labels, waiting for the name's next definition.
    forward: Vec<(&'static str, Reloc)>,
    /// The first error (an impossible relocation, a label defined twice or never, a global
    /// label); reported by [`Asm::finish`].
    error: Option<DynasmError>,
}

/// Same label name: the same literal (usually the same pointer), else the same text. Names
/// are short; comparing them here avoids a `memcmp` call per candidate.
#[inline]
fn same(a: &'static str, b: &'static str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.as_ptr() == b.as_ptr() || a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

impl Asm {
    pub fn new(base: usize) -> Asm {
        Asm {
            buf: CodeBuf::new(),
            base,
            labels: LabelRegistry::with_capacity(0, 0, 32),
            dyn_refs: Vec::with_capacity(16),
            locals: Vec::with_capacity(16),
            forward: Vec::with_capacity(8),
            error: None,
        }
    }

    /// Start a new block at address `base`, keeping the allocations.
    pub fn reset(&mut self, base: usize) {
        self.buf.clear();
        self.buf.room();
        self.reset_labels(base);
    }

    /// [`Asm::reset`], writing the code straight to `base` (where it will run: free code cache
    /// with `room` writable bytes from `base` on) while it fits there (see [`CodeBuf`]);
    /// [`Asm::in_place`] tells afterwards whether it stayed there.
    pub fn reset_in_place(&mut self, base: usize, room: usize) {
        self.buf.place_at(base as *mut u8, room);
        self.buf.room();
        self.reset_labels(base);
    }

    /// Whether the code is being written where it will run (see [`Asm::reset_in_place`]).
    pub fn in_place(&self) -> bool {
        self.buf.in_place()
    }

    fn reset_labels(&mut self, base: usize) {
        self.base = base;
        self.labels.clear();
        self.dyn_refs.clear();
        self.locals.clear();
        self.forward.clear();
        self.error = None;
    }

    /// Make sure the next [`CodeBuf::SLACK`] bytes can be written (see [`CodeBuf`]): called
    /// before each guest instruction and each out-of-line stub is emitted.
    #[inline(always)]
    pub fn room(&mut self) {
        self.buf.room();
    }

    pub fn new_dynamic_label(&mut self) -> DynamicLabel {
        self.labels.new_dynamic_label()
    }

    /// Resolve the remaining references and return the code, or the first error.
    pub fn finish(&mut self) -> Result<&[u8], DynasmError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(&(name, _)) = self.forward.first() {
            return Err(DynasmError::UnknownLabel(LabelKind::Local(name)));
        }
        for k in 0..self.dyn_refs.len() {
            let (r, id) = self.dyn_refs[k];
            let target = self.labels.resolve_dynamic(id)?;
            if !r.patch(self.buf.as_mut_slice(), self.base, target.0) {
                return Err(DynasmError::ImpossibleRelocation(TargetKind::Dynamic(id)));
            }
        }
        self.dyn_refs.clear();
        Ok(self.buf.as_slice())
    }

    /// `mov dst, src` (64-bit `w`, else 32-bit) between general registers, encoded as
    /// `dynasm!` encodes `mov Rq(dst), Rq(src)` / `mov Rd(dst), Rd(src)` (REX always, opcode
    /// 89), without its generic runtime encoder: the guest-register moves are the most
    /// frequent instructions the translator emits.
    #[inline]
    pub fn mov_rr(&mut self, w: bool, dst: u8, src: u8) {
        let not_w = (!w as u64) << 3;
        self.put_word(MOV_RR[dst as usize & 15][src as usize & 15] as u64 ^ not_w, 3);
    }

    /// `<op> dst, src` for the two-register ALU forms whose `dynasm!` encoding is `opcode`
    /// /r with `dst` in r/m ([`alu`] opcodes), as `mov_rr`.
    #[inline]
    pub fn alu_rr(&mut self, opcode: u8, w: bool, dst: u8, src: u8) {
        self.put_word(Self::alu_rr_word(opcode, w, dst, src), 3);
    }

    /// `<shift> dst, imm8` (C1 /`ext`: 0 ROL, 1 ROR, 4 SHL, 5 SHR, 7 SAR; 64-bit `w`, else
    /// 32-bit), as `dynasm!` encodes it with a runtime register and count (REX always).
    #[inline]
    pub fn shift_imm(&mut self, ext: u8, w: bool, dst: u8, count: u8) {
        self.put_word(Self::shift_imm_word(ext, w, dst, count), 4);
    }

    /// `mov Rd(dst), imm32` as `dynasm!` encodes it (REX, B8+r).
    #[inline]
    pub fn mov_r32_imm(&mut self, dst: u8, imm: u32) {
        let i = imm.to_le_bytes();
        self.buf.put([0x40 | (dst >> 3 & 1), 0xb8 | (dst & 7), i[0], i[1], i[2], i[3]]);
    }

    /// `mov Rq(dst), imm32` (sign-extended) as `dynasm!` encodes it (REX.W, C7 /0).
    #[inline]
    pub fn mov_r64_simm32(&mut self, dst: u8, imm: i32) {
        let i = imm.to_le_bytes();
        self.buf.put([0x48 | (dst >> 3 & 1), 0xc7, 0xc0 | (dst & 7), i[0], i[1], i[2], i[3]]);
    }

    /// `mov Rq(dst), QWORD imm64` as `dynasm!` encodes it (REX.W, B8+r).
    #[inline]
    pub fn mov_r64_imm64(&mut self, dst: u8, imm: u64) {
        self.buf.put([0x48 | (dst >> 3 & 1), 0xb8 | (dst & 7)]);
        self.buf.put(imm.to_le_bytes());
    }

    /// `mov dst, [rbx + disp]` (64-bit `w`, else 32-bit), as `dynasm!` encodes
    /// `mov Rq(dst), QWORD [rbx + disp]` with a runtime `disp` (REX always, disp32).
    #[inline]
    pub fn load_rbx(&mut self, w: bool, dst: u8, disp: i32) {
        self.put_word(Self::load_rbx_word(w, dst, disp), 7);
    }

    /// `mov QWORD [rbx + disp], src`, as `dynasm!` encodes it with a runtime `disp`.
    #[inline]
    pub fn store_rbx(&mut self, disp: i32, src: u8) {
        self.put_word(Self::store_rbx_word(disp, src), 7);
    }

    /// `[prefix 66] REX opcode modrm [sib] [disp]` with operand [`m`]: the loads and stores of
    /// guest memory. REX is always present (so byte registers 4-7 are SPL..DIL). With
    /// `compact`, the displacement is the shortest that encodes it (none, 8 or 32 bits); else
    /// always 32 bits and always a SIB byte, as `dynasm!` encodes runtime operands.
    pub fn mem_op(&mut self, p66: bool, w: bool, opcode: &[u8], reg: u8, m: Mem, compact: bool) {
        let (index, scale) = m.index.unwrap_or((4, 0));
        debug_assert!(index != 4 || m.index.is_none(), "rsp is no index");
        let rex = 0x40 | (w as u8) << 3 | (reg >> 3 & 1) << 2 | (index >> 3 & 1) << 1 | (m.base >> 3 & 1);
        if p66 {
            self.buf.push(0x66);
        }
        self.buf.push(rex);
        self.buf.extend_from_slice(opcode);
        let sib = m.index.is_some() || m.base & 7 == 4 || !compact;
        let rm = if sib { 4 } else { m.base & 7 };
        let md = if !compact {
            2
        } else if m.disp == 0 && m.base & 7 != 5 {
            0
        } else if m.disp as i8 as i32 == m.disp {
            1
        } else {
            2
        };
        self.buf.push(md << 6 | (reg & 7) << 3 | rm);
        if sib {
            self.buf.push(scale << 6 | (index & 7) << 3 | (m.base & 7));
        }
        match md {
            1 => self.buf.push(m.disp as u8),
            2 => self.buf.put(m.disp.to_le_bytes()),
            _ => {}
        }
    }

    /// `call target` (E8 rel32) to an absolute address, as `dynasm!`'s `call extern target`;
    /// a target out of rel32 reach is an error of [`Asm::finish`].
    #[inline]
    pub fn call_abs(&mut self, target: usize) {
        let next = self.base.wrapping_add(self.buf.len() + 5);
        let rel = target.wrapping_sub(next) as isize;
        if i32::try_from(rel).is_err() && self.error.is_none() {
            self.error = Some(DynasmError::ImpossibleRelocation(TargetKind::Value(target)));
        }
        self.put_word(0xe8 | (rel as u32 as u64) << 8, 5);
    }

    /// `jmp rel32` to `offset` in this block's code (E9, as `dynasm!`'s `jmp =>label`).
    #[inline]
    pub fn jmp_to_offset(&mut self, offset: usize) {
        let rel = offset.wrapping_sub(self.buf.len() + 5) as u32 as u64;
        self.put_word(0xe9 | rel << 8, 5);
    }

    /// Point the rel32 at offset `site` of this block's code (a `jmp` or `jcc` emitted
    /// earlier) at the current offset.
    #[inline]
    pub fn patch_rel32(&mut self, site: usize) {
        let rel = (self.buf.len() as i64 - (site as i64 + 4)) as i32;
        self.buf.as_mut_slice()[site..site + 4].copy_from_slice(&rel.to_le_bytes());
    }

    /// Append `value` as 8 little-endian bytes (data in the code).
    #[inline]
    pub fn u64_data(&mut self, value: u64) {
        self.put_word(value, 8);
    }

    /// Append raw bytes (an immediate after [`Asm::mem_op`]).
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Append the low `len` (at most 8) bytes of `word`, little-endian, with one unaligned
    /// store: the branch-free form of the moves below, whose length depends on operands that
    /// are as random as the guest code (a mispredicted branch per guest register access).
    #[inline]
    pub fn put_word(&mut self, word: u64, len: usize) {
        self.buf.put_word(word, len);
    }

    /// [`Asm::put_word`] for each (`word`, `len`) in turn, with one update of the length.
    #[inline]
    pub fn put_words<const N: usize>(&mut self, words: &[(u64, usize); N]) {
        self.buf.put_words(words);
    }

    /// `mov_rr(w, dst, src)` when `src` is not 0 (rax), else `load_rbx(w, dst, disp)`: the
    /// same bytes, without a branch on `src` (the encodings come from [`MOV_RR`] and
    /// [`LOAD_RBX`]; REX.W is cleared for the 32-bit forms).
    #[inline]
    pub fn mov_rr_or_load_rbx(&mut self, w: bool, dst: u8, src: u8, disp: i32) {
        let (word, len) = Self::mov_rr_or_load_rbx_word(w, dst, src, disp);
        self.put_word(word, len);
    }

    /// The bytes of [`Asm::mov_rr_or_load_rbx`] (little-endian) and their count, for
    /// [`Asm::put_word`].
    #[inline]
    pub fn mov_rr_or_load_rbx_word(w: bool, dst: u8, src: u8, disp: i32) -> (u64, usize) {
        let rr = MOV_RR[dst as usize & 15][src as usize & 15] as u64 ^ (!w as u64) << 3;
        std::hint::select_unpredictable(src != 0, (rr, 3), (Self::load_rbx_word(w, dst, disp), 7))
    }

    /// `mov_rr(true, dst, src)` when `dst` is not 0 (rax), else `store_rbx(disp, src)`: the
    /// same bytes, without a branch on `dst`.
    #[inline]
    pub fn mov_rr_or_store_rbx(&mut self, dst: u8, src: u8, disp: i32) {
        let (word, len) = Self::mov_rr_or_store_rbx_word(dst, src, disp);
        self.put_word(word, len);
    }

    /// The bytes of [`Asm::mov_rr_or_store_rbx`] and their count, for [`Asm::put_word`].
    #[inline]
    pub fn mov_rr_or_store_rbx_word(dst: u8, src: u8, disp: i32) -> (u64, usize) {
        let rr = MOV_RR[dst as usize & 15][src as usize & 15] as u64;
        std::hint::select_unpredictable(dst != 0, (rr, 3), (Self::store_rbx_word(disp, src), 7))
    }

    /// `cmov<cc> dst, src` (64-bit; `cc` the condition code, the low nibble of 0F 4x), as
    /// `dynasm!` encodes `cmove Rq(dst), Rq(src)` and the like.
    #[inline]
    pub fn cmov_rr(&mut self, cc: u8, dst: u8, src: u8) {
        let rex = 0x48 | (dst as u64 >> 3 & 1) << 2 | (src as u64 >> 3 & 1);
        let modrm = 0xc0 | (dst as u64 & 7) << 3 | (src as u64 & 7);
        self.put_word(rex | 0x0f << 8 | (0x40 | cc as u64 & 15) << 16 | modrm << 24, 4);
    }

    /// The bytes of [`Asm::alu_rr`] (3 of them).
    #[inline]
    pub fn alu_rr_word(opcode: u8, w: bool, dst: u8, src: u8) -> u64 {
        // MOV_RR's REX and ModRM with the opcode and REX.W replaced
        (MOV_RR[dst as usize & 15][src as usize & 15] as u64 & !0xff08) | (opcode as u64) << 8 | (w as u64) << 3
    }

    /// The bytes of [`Asm::shift_imm`] (4 of them).
    #[inline]
    pub fn shift_imm_word(ext: u8, w: bool, dst: u8, count: u8) -> u64 {
        // MOV_RR[dst][rax]'s REX.B and ModRM (reg field 0) with C1, /ext, REX.W and the count
        (MOV_RR[dst as usize & 15][0] as u64 & !0xff08)
            | 0xc1 << 8
            | (w as u64) << 3
            | ((ext & 7) as u64) << 19
            | (count as u64) << 24
    }

    /// `movdqu xmm<x>, [rbx + disp]`, as `dynasm!` encodes `movdqu Rx(x), [cpu + disp]` with
    /// a runtime `disp` (F3, REX always, 0F 6F, disp32): the V-register cache's loads.
    #[inline]
    pub fn movdqu_load_rbx(&mut self, x: u8, disp: i32) {
        self.movdqu_rbx(0x6f, x, disp);
    }

    /// `movdqu [rbx + disp], xmm<x>`, as `dynasm!` encodes it (F3, REX always, 0F 7F, disp32).
    #[inline]
    pub fn movdqu_store_rbx(&mut self, disp: i32, x: u8) {
        self.movdqu_rbx(0x7f, x, disp);
    }

    /// The two MOVDQU forms above: `opcode` 6F loads, 7F stores.
    #[inline]
    fn movdqu_rbx(&mut self, opcode: u8, x: u8, disp: i32) {
        let d = disp.to_le_bytes();
        self.buf.put([0xf3, 0x40 | (x >> 3 & 1) << 2, 0x0f, opcode, 0x83 | (x & 7) << 3, d[0], d[1], d[2], d[3]]);
    }

    /// `movaps xmm<dst>, xmm<src>`, as `dynasm!` encodes it (REX always, 0F 28).
    #[inline]
    pub fn movaps_rr(&mut self, dst: u8, src: u8) {
        let rex = 0x40 | (dst >> 3 & 1) << 2 | (src >> 3 & 1);
        self.buf.put([rex, 0x0f, 0x28, 0xc0 | (dst & 7) << 3 | (src & 7)]);
    }

    /// A VEX-encoded scalar operation on xmm registers, `op dst, src1, src2` (VEX.LIG.`pp`.0F
    /// `opcode` /r, W0: VADDSD and the like, `pp` 2 for F3 (single), 3 for F2 (double)), as
    /// `dynasm!` encodes it with runtime registers: always the 3-byte VEX prefix.
    #[inline]
    pub fn vex_rrr(&mut self, pp: u8, opcode: u8, dst: u8, src1: u8, src2: u8) {
        let r_b = (!dst as u64 >> 3 & 1) << 7 | 1 << 6 | (!src2 as u64 >> 3 & 1) << 5 | 1;
        let vvvv_l_pp = (!src1 as u64 & 15) << 3 | (pp as u64 & 3);
        let modrm = 0xc0 | (dst as u64 & 7) << 3 | (src2 as u64 & 7);
        self.put_word(0xc4 | r_b << 8 | vvvv_l_pp << 16 | (opcode as u64) << 24 | modrm << 32, 5);
    }

    /// The bytes of `mov reg, [base + disp]` (`store` false: 8B /r) or `mov [base + disp],
    /// reg` (89 /r), 64-bit with `w` else 32-bit, REX always, the shortest displacement (as
    /// [`Asm::mem_op`] with `compact`), and their length: at most 8 (REX, opcode, ModRM, SIB
    /// for an rsp/r12 base, disp32). Chosen without a branch on the registers.
    #[inline]
    pub fn mov_mem_word(store: bool, w: bool, reg: u8, base: u8, disp: i32) -> (u64, usize) {
        let rex = 0x40 | (w as u64) << 3 | (reg as u64 >> 3 & 1) << 2 | (base as u64 >> 3 & 1);
        let opcode: u64 = if store { 0x89 } else { 0x8b };
        let sib = (base & 7 == 4) as u64;
        // mod: 00 without displacement (not for an rbp/r13 base), 01 disp8, 10 disp32
        let md: u64 = std::hint::select_unpredictable(
            disp == 0 && base & 7 != 5,
            0,
            std::hint::select_unpredictable(disp as i8 as i32 == disp, 1, 2),
        );
        let modrm = md << 6 | (reg as u64 & 7) << 3 | (base as u64 & 7);
        let disp_len = [0usize, 1, 4][md as usize];
        let head = rex | opcode << 8 | modrm << 16 | 0x24 << 24;
        let at = 24 + 8 * sib;
        let word = (head & ((1u64 << at) - 1)) | (disp as u32 as u64) << at;
        (word, 3 + sib as usize + disp_len)
    }

    /// The bytes of [`Asm::load_rbx`] (7).
    #[inline]
    pub fn load_rbx_word(w: bool, dst: u8, disp: i32) -> u64 {
        let not_w = (!w as u64) << 3;
        (LOAD_RBX[dst as usize & 15] as u64 ^ not_w) | (disp as u32 as u64) << 24
    }

    /// The bytes of [`Asm::store_rbx`] (7).
    #[inline]
    pub fn store_rbx_word(disp: i32, src: u8) -> u64 {
        STORE_RBX[src as usize & 15] as u64 | (disp as u32 as u64) << 24
    }

    /// `vandps xmm1, xmm<r>, [rbx + disp]` (VEX.128.0F 54 /r, the 2-byte VEX prefix, disp32).
    #[inline]
    pub fn vandps_x1_rbx(&mut self, r: u8, disp: i32) {
        let vex = 0x80 | ((!r & 15) as u64) << 3;
        self.put_word(0xc5 | vex << 8 | 0x54 << 16 | 0x8b << 24 | (disp as u32 as u64) << 32, 8);
    }

    /// `andps xmm1, [rbx + disp]` (0F 54 /r, disp32).
    #[inline]
    pub fn andps_x1_rbx(&mut self, disp: i32) {
        self.put_word(0x8b_54_0f | (disp as u32 as u64) << 24, 7);
    }

    /// `ucomisd xmm1, [rbx + disp]` (`double`: 66 0F 2E /r) or `ucomiss` (0F 2E /r), disp32.
    #[inline]
    pub fn ucomis_x1_rbx(&mut self, double: bool, disp: i32) {
        let tail = 0x8b_2e_0f | (disp as u32 as u64) << 24;
        if double {
            self.put_word(0x66 | tail << 8, 8);
        } else {
            self.put_word(tail, 7);
        }
    }

    /// `xmm0 = [rbx + disp]` zero-extended: MOVQ (`double`, F3 0F 7E) or MOVD (66 0F 6E),
    /// the VEX.128 forms with `vex` (C5 FA 7E / C5 F9 6E), mod 10 with rbx and disp32.
    #[inline]
    pub fn load_low_xmm0_rbx(&mut self, vex: bool, double: bool, disp: i32) {
        let d = (disp as u32 as u64) << 32;
        let word = match (vex, double) {
            (true, true) => 0x83_7e_fa_c5,
            (true, false) => 0x83_6e_f9_c5,
            (false, true) => 0x83_7e_0f_f3,
            (false, false) => 0x83_6e_0f_66,
        };
        self.put_word(word | d, 8);
    }

    /// `xmm0 = xmm0 <op> [rbx + disp]` for the scalar arithmetic opcodes (58 ADD, 5C SUB, 59
    /// MUL, 5E DIV): `double` F2, else F3; VEX.LIG with `vex` (`vaddsd xmm0, xmm0, m`: C5,
    /// vvvv = xmm0), else the SSE two-operand form.
    #[inline]
    pub fn arith_xmm0_rbx(&mut self, vex: bool, double: bool, opcode: u8, disp: i32) {
        let d = (disp as u32 as u64) << 32;
        let word = if vex {
            // C5 [R=1 vvvv=~0 L=0 pp] opcode modrm
            let pp: u64 = if double { 3 } else { 2 };
            0xc5 | (0xf8 | pp) << 8 | (opcode as u64) << 16 | 0x83 << 24
        } else {
            let p: u64 = if double { 0xf2 } else { 0xf3 };
            p | 0x0f << 8 | (opcode as u64) << 16 | 0x83 << 24
        };
        self.put_word(word | d, 8);
    }

    /// `ucomisd a, b` (`double`: 66 0F 2E) or `ucomiss a, b` (0F 2E) on xmm registers, as
    /// `dynasm!` encodes them with runtime registers (REX always).
    #[inline]
    pub fn ucomis_rr(&mut self, double: bool, a: u8, b: u8) {
        let rex = 0x40 | (a as u64 >> 3 & 1) << 2 | (b as u64 >> 3 & 1);
        let tail = rex | 0x0f << 8 | 0x2e << 16 | (0xc0 | (a as u64 & 7) << 3 | (b as u64 & 7)) << 24;
        let (word, len) = if double { (0x66 | tail << 8, 5) } else { (tail, 4) };
        self.put_word(word, len);
    }

    /// The packed FMA3 forms `vfmadd231ps/pd` (opcode B8) and `vfnmadd231ps/pd` (BC):
    /// dst = ±(src1 * src2) + dst on xmm registers, VEX.128.66.0F38, W = `double`. Encoded by
    /// hand because dynasm 5.1's table lacks VEX.W for the packed-double forms: its
    /// `vfmadd231pd` assembles to `vfmadd231ps`.
    pub fn vfma231_packed(&mut self, opcode: u8, double: bool, dst: u8, src1: u8, src2: u8) {
        let r_b = (!dst >> 3 & 1) << 7 | 1 << 6 | (!src2 >> 3 & 1) << 5;
        self.buf.put([
            0xc4,
            r_b | 0b00010,
            (double as u8) << 7 | (!src1 & 15) << 3 | 0b01,
            opcode,
            0xc0 | (dst & 7) << 3 | (src2 & 7),
        ]);
    }

    /// The bytes emitted so far (references to labels not yet defined are unpatched).
    pub fn code(&self) -> &[u8] {
        self.buf.as_slice()
    }

    #[inline]
    fn patch(&mut self, r: Reloc, target: usize, kind: impl FnOnce() -> TargetKind) {
        if !r.patch(self.buf.as_mut_slice(), self.base, target) && self.error.is_none() {
            self.error = Some(DynasmError::ImpossibleRelocation(kind()));
        }
    }

    fn forward_ref(&mut self, name: &'static str, r: Reloc) {
        self.forward.push((name, r));
    }

    fn backward_ref(&mut self, name: &'static str, r: Reloc) {
        match self.locals.iter().find(|l| same(l.0, name)) {
            Some(&(_, target)) => self.patch(r, target, || TargetKind::Local(name)),
            None => {
                self.error.get_or_insert(DynasmError::UnknownLabel(LabelKind::Local(name)));
            }
        }
    }

    fn dynamic_ref(&mut self, id: DynamicLabel, r: Reloc) {
        match self.labels.resolve_dynamic(id) {
            Ok(target) => self.patch(r, target.0, || TargetKind::Dynamic(id)),
            Err(_) => self.dyn_refs.push((r, id)),
        }
    }
}

impl Extend<u8> for Asm {
    #[inline]
    fn extend<T: IntoIterator<Item = u8>>(&mut self, iter: T) {
        self.buf.extend(iter.into_iter());
    }
}

impl<'a> Extend<&'a u8> for Asm {
    #[inline]
    fn extend<T: IntoIterator<Item = &'a u8>>(&mut self, iter: T) {
        self.buf.extend(iter.into_iter().copied());
    }
}

impl DynasmApi for Asm {
    #[inline]
    fn offset(&self) -> AssemblyOffset {
        AssemblyOffset(self.buf.len())
    }

    #[inline]
    fn push(&mut self, byte: u8) {
        self.buf.push(byte);
    }

    #[inline]
    fn push_i16(&mut self, value: i16) {
        self.buf.put(value.to_le_bytes());
    }

    #[inline]
    fn push_i32(&mut self, value: i32) {
        self.buf.put(value.to_le_bytes());
    }

    #[inline]
    fn push_i64(&mut self, value: i64) {
        self.buf.put(value.to_le_bytes());
    }

    #[inline]
    fn push_u16(&mut self, value: u16) {
        self.buf.put(value.to_le_bytes());
    }

    #[inline]
    fn push_u32(&mut self, value: u32) {
        self.buf.put(value.to_le_bytes());
    }

    #[inline]
    fn push_u64(&mut self, value: u64) {
        self.buf.put(value.to_le_bytes());
    }

    fn align(&mut self, alignment: usize, with: u8) {
        let offset = self.buf.len() % alignment;
        if offset != 0 {
            for _ in offset..alignment {
                self.buf.push(with);
            }
        }
    }
}

/// The `*_reloc` methods (what `dynasm!` calls, with the encoded relocation) take the fast
/// path; the `*_relocation` ones (a decoded `X64Relocation`) re-encode it and do the same.
impl DynasmLabelApi for Asm {
    type Relocation = X64Relocation;

    fn local_label(&mut self, name: &'static str) {
        let offset = self.buf.len();
        match self.locals.iter_mut().find(|l| same(l.0, name)) {
            Some(l) => l.1 = offset,
            None => self.locals.push((name, offset)),
        }
        let mut k = 0;
        while k < self.forward.len() {
            if same(self.forward[k].0, name) {
                let (_, r) = self.forward.swap_remove(k);
                self.patch(r, offset, || TargetKind::Local(name));
            } else {
                k += 1;
            }
        }
    }

    fn global_label(&mut self, name: &'static str) {
        self.error.get_or_insert(DynasmError::UnknownLabel(LabelKind::Global(name)));
    }

    fn dynamic_label(&mut self, id: DynamicLabel) {
        let offset = self.offset();
        if let Err(e) = self.labels.define_dynamic(id, offset) {
            self.error.get_or_insert(e);
        }
    }

    #[inline]
    fn forward_reloc(&mut self, name: &'static str, target_offset: isize, field_offset: u8, ref_offset: u8, kind: u8) {
        let r = Reloc::new(self.buf.len(), target_offset, field_offset, ref_offset, kind);
        self.forward_ref(name, r);
    }

    #[inline]
    fn backward_reloc(&mut self, name: &'static str, target_offset: isize, field_offset: u8, ref_offset: u8, kind: u8) {
        let r = Reloc::new(self.buf.len(), target_offset, field_offset, ref_offset, kind);
        self.backward_ref(name, r);
    }

    fn global_reloc(&mut self, name: &'static str, _: isize, _: u8, _: u8, _: u8) {
        self.error.get_or_insert(DynasmError::UnknownLabel(LabelKind::Global(name)));
    }

    #[inline]
    fn dynamic_reloc(&mut self, id: DynamicLabel, target_offset: isize, field_offset: u8, ref_offset: u8, kind: u8) {
        let r = Reloc::new(self.buf.len(), target_offset, field_offset, ref_offset, kind);
        self.dynamic_ref(id, r);
    }

    #[inline]
    fn value_reloc(&mut self, value: usize, field_offset: u8, ref_offset: u8, kind: u8) {
        let r = Reloc::new(self.buf.len(), 0, field_offset, ref_offset, kind);
        self.patch(r, value, || TargetKind::Value(value));
    }

    fn forward_relocation(
        &mut self,
        name: &'static str,
        target_offset: isize,
        field_offset: u8,
        ref_offset: u8,
        kind: X64Relocation,
    ) {
        self.forward_reloc(name, target_offset, field_offset, ref_offset, Reloc::encode(kind));
    }

    fn backward_relocation(
        &mut self,
        name: &'static str,
        target_offset: isize,
        field_offset: u8,
        ref_offset: u8,
        kind: X64Relocation,
    ) {
        self.backward_reloc(name, target_offset, field_offset, ref_offset, Reloc::encode(kind));
    }

    fn global_relocation(&mut self, name: &'static str, _: isize, _: u8, _: u8, _: X64Relocation) {
        self.error.get_or_insert(DynasmError::UnknownLabel(LabelKind::Global(name)));
    }

    fn dynamic_relocation(
        &mut self,
        id: DynamicLabel,
        target_offset: isize,
        field_offset: u8,
        ref_offset: u8,
        kind: X64Relocation,
    ) {
        self.dynamic_reloc(id, target_offset, field_offset, ref_offset, Reloc::encode(kind));
    }

    fn value_relocation(&mut self, value: usize, field_offset: u8, ref_offset: u8, kind: X64Relocation) {
        self.value_reloc(value, field_offset, ref_offset, Reloc::encode(kind));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynasmrt::{dynasm, VecAssembler};

    /// The same code with local, dynamic and extern references, through both assemblers.
    fn sample<A: DynasmLabelApi<Relocation = X64Relocation>>(ops: &mut A, l1: DynamicLabel, l2: DynamicLabel) {
        let target = 0x7000_0000_1000usize;
        dynasm!(ops
            ; .arch x64
            ; =>l1
            ; test eax, eax
            ; jnz >slow
            ; jz =>l2
            ; retry:
            ; mov rax, QWORD [rbx + 8]
            ; jne <retry
            ; jmp >done
            ; slow:
            ; call extern target
            ; jmp =>l1
            ; done:
            ; jnz >slow
            ; nop
            ; slow:
            ; =>l2
            ; jmp extern target
            ; jmp <slow
        );
    }

    #[test]
    fn same_bytes_as_vec_assembler() {
        let base = 0x7000_0000_0000usize;
        let mut v: VecAssembler<X64Relocation> = VecAssembler::new(base);
        let (a1, a2) = (v.new_dynamic_label(), v.new_dynamic_label());
        sample(&mut v, a1, a2);
        let want = v.finalize().unwrap();
        let mut a = Asm::new(0);
        for _ in 0..2 {
            a.reset(base);
            let (b1, b2) = (a.new_dynamic_label(), a.new_dynamic_label());
            sample(&mut a, b1, b2);
            assert_eq!(a.finish().unwrap(), &want[..]);
        }
    }

    /// What `dynasm!` assembles in `f`.
    fn dynasm_bytes(f: &dyn Fn(&mut VecAssembler<X64Relocation>)) -> Vec<u8> {
        let mut v: VecAssembler<X64Relocation> = VecAssembler::new(0);
        f(&mut v);
        v.finalize().unwrap()
    }

    /// [`Asm::mem_op`] without `compact` is byte for byte `dynasm!`'s encoding of the same
    /// loads and stores with runtime registers and displacement; with `compact` only the
    /// displacement field changes (checked on hand-decoded cases).
    #[test]
    fn memory_operands_match_dynasm() {
        let mut a = Asm::new(0);
        for b in 0..16u8 {
            for r in [0u8, 3, 5, 7, 8, 12, 13, 15] {
                for disp in [0, 8, -128, 0x1234] {
                    let m = Mem { base: b, index: None, disp };
                    a.reset(0);
                    a.mem_op(false, true, &[0x8b], r, m, false);
                    a.mem_op(false, false, &[0x0f, 0xb6], r, m, false);
                    a.mem_op(false, false, &[0x88], r, m, false);
                    a.mem_op(true, false, &[0x89], r, m, false);
                    let want = dynasm_bytes(&|v| {
                        dynasm!(v; .arch x64
                            ; mov Rq(r), QWORD [Rq(b) + disp]
                            ; movzx Rd(r), BYTE [Rq(b) + disp]
                            ; mov BYTE [Rq(b) + disp], Rb(r)
                            ; mov WORD [Rq(b) + disp], Rw(r)
                        )
                    });
                    assert_eq!(a.code(), &want[..], "[r{b} + {disp}], r{r}");
                }
                for x in (0..16u8).filter(|&x| x != 4) {
                    let m = |s| Mem { base: b, index: Some((x, s)), disp: 0 };
                    a.reset(0);
                    for s in 0..4 {
                        a.mem_op(false, true, &[0x8b], r, m(s), false);
                    }
                    let want = dynasm_bytes(&|v| {
                        dynasm!(v; .arch x64
                            ; mov Rq(r), QWORD [Rq(b) + Rq(x) + 0]
                            ; mov Rq(r), QWORD [Rq(b) + Rq(x) * 2 + 0]
                            ; mov Rq(r), QWORD [Rq(b) + Rq(x) * 4 + 0]
                            ; mov Rq(r), QWORD [Rq(b) + Rq(x) * 8 + 0]
                        )
                    });
                    // (dynasm: SIB with a zero disp32 when the displacement is a runtime 0)
                    let zero = 0i32;
                    let want2 = dynasm_bytes(&|v| {
                        dynasm!(v; .arch x64
                            ; mov Rq(r), QWORD [Rq(b) + Rq(x) + zero]
                            ; mov Rq(r), QWORD [Rq(b) + Rq(x) * 2 + zero]
                            ; mov Rq(r), QWORD [Rq(b) + Rq(x) * 4 + zero]
                            ; mov Rq(r), QWORD [Rq(b) + Rq(x) * 8 + zero]
                        )
                    });
                    assert!(a.code() == &want[..] || a.code() == &want2[..], "[r{b} + r{x}*s], r{r}");
                }
            }
        }
        // compact: mov rax, [rcx] = 48 8b 01; [rbp] needs disp8 0: 48 8b 45 00;
        // [r12 + 8] = 49 8b 44 24 08; [r13 + r12*4] = 4b 8b 44 a5 00;
        // mov byte [rax + 0x100], sil = 40 88 b0 00 01 00 00
        let cases: [(u8, Mem, u8, &[u8]); 5] = [
            (0, Mem { base: 1, index: None, disp: 0 }, 0x8b, &[0x48, 0x8b, 0x01]),
            (0, Mem { base: 5, index: None, disp: 0 }, 0x8b, &[0x48, 0x8b, 0x45, 0x00]),
            (0, Mem { base: 12, index: None, disp: 8 }, 0x8b, &[0x49, 0x8b, 0x44, 0x24, 0x08]),
            (0, Mem { base: 13, index: Some((12, 2)), disp: 0 }, 0x8b, &[0x4b, 0x8b, 0x44, 0xa5, 0x00]),
            (6, Mem { base: 0, index: None, disp: 0x100 }, 0x88, &[0x40, 0x88, 0xb0, 0x00, 0x01, 0x00, 0x00]),
        ];
        for (r, m, op, want) in cases {
            a.reset(0);
            a.mem_op(false, op == 0x8b, &[op], r, m, true);
            assert_eq!(a.code(), want, "{m:?}");
        }
    }

    /// The hand-encoded moves are byte for byte what `dynasm!` emits for the same operands.
    #[test]
    fn moves_match_dynasm() {
        let mut a = Asm::new(0);
        for x in 0..16u8 {
            for y in 0..16u8 {
                a.reset(0);
                a.mov_rr(true, x, y);
                a.mov_rr(false, x, y);
                let want = dynasm_bytes(&|v| dynasm!(v; .arch x64; mov Rq(x), Rq(y); mov Rd(x), Rd(y)));
                assert_eq!(a.code(), &want[..], "mov r{x}, r{y}");
            }
            for y in 0..16u8 {
                a.reset(0);
                for w in [true, false] {
                    for op in [alu::ADD, alu::OR, alu::AND, alu::SUB, alu::XOR] {
                        a.alu_rr(op, w, x, y);
                    }
                }
                let want = dynasm_bytes(&|v| {
                    dynasm!(v
                        ; .arch x64
                        ; add Rq(x), Rq(y); or Rq(x), Rq(y); and Rq(x), Rq(y); sub Rq(x), Rq(y); xor Rq(x), Rq(y)
                        ; add Rd(x), Rd(y); or Rd(x), Rd(y); and Rd(x), Rd(y); sub Rd(x), Rd(y); xor Rd(x), Rd(y)
                    )
                });
                assert_eq!(a.code(), &want[..], "alu r{x}, r{y}");
            }
            for imm in [0u64, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, u64::MAX, 0x8000_0000_0000_0000]
            {
                a.reset(0);
                a.mov_r32_imm(x, imm as u32);
                a.mov_r64_simm32(x, imm as i32);
                a.mov_r64_imm64(x, imm);
                let want = dynasm_bytes(&|v| {
                    dynasm!(v
                        ; .arch x64
                        ; mov Rd(x), imm as i32
                        ; mov Rq(x), imm as i32
                        ; mov Rq(x), QWORD imm as i64
                    )
                });
                assert_eq!(a.code(), &want[..], "mov r{x}, {imm:#x}");
            }
            for disp in [0, 8, 127, 128, 0x100, 0x2f8, 0x1000, -8, i32::MAX, i32::MIN] {
                a.reset(0);
                a.load_rbx(true, x, disp);
                a.load_rbx(false, x, disp);
                a.store_rbx(disp, x);
                let want = dynasm_bytes(&|v| {
                    dynasm!(v
                        ; .arch x64
                        ; .alias cpu, rbx
                        ; mov Rq(x), QWORD [cpu + disp]
                        ; mov Rd(x), DWORD [cpu + disp]
                        ; mov QWORD [cpu + disp], Rq(x)
                    )
                });
                assert_eq!(a.code(), &want[..], "r{x}, disp {disp}");
            }
        }
    }

    /// The hand-encoded shifts are byte for byte `dynasm!`'s.
    #[test]
    fn shifts_match_dynasm() {
        let mut a = Asm::new(0);
        for x in 0..16u8 {
            for c in [1u8, 3, 31, 63] {
                a.reset(0);
                for w in [true, false] {
                    for ext in [4, 5, 7, 1] {
                        a.shift_imm(ext, w, x, c);
                    }
                }
                let c = c as i8;
                let want = dynasm_bytes(&|v| {
                    dynasm!(v
                        ; .arch x64
                        ; shl Rq(x), c; shr Rq(x), c; sar Rq(x), c; ror Rq(x), c
                        ; shl Rd(x), c; shr Rd(x), c; sar Rd(x), c; ror Rd(x), c
                    )
                });
                assert_eq!(a.code(), &want[..], "r{x}, {c}");
            }
        }
    }

    /// The branch-free register-or-memory moves write what the branching ones do.
    #[test]
    fn reg_or_memory_moves_match() {
        let (mut a, mut b) = (Asm::new(0), Asm::new(0));
        for x in 0..16u8 {
            for g in 0..16u8 {
                for disp in [0, 8, 0xf8, 0x100, -8, i32::MAX, i32::MIN] {
                    for w in [true, false] {
                        a.reset(0);
                        b.reset(0);
                        a.mov_rr_or_load_rbx(w, x, g, disp);
                        a.mov_rr_or_store_rbx(g, x, disp);
                        if g != 0 {
                            b.mov_rr(w, x, g);
                            b.mov_rr(true, g, x);
                        } else {
                            b.load_rbx(w, x, disp);
                            b.store_rbx(disp, x);
                        }
                        assert_eq!(a.code(), b.code(), "r{x}, r{g}, disp {disp}, w {w}");
                    }
                }
            }
        }
    }

    /// The hand-encoded SSE moves are byte for byte what `dynasm!` emits.
    #[test]
    fn sse_moves_match_dynasm() {
        let mut a = Asm::new(0);
        for x in 0..16u8 {
            for disp in [0, 8, 0x190, 0x3f0, -16, i32::MAX, i32::MIN] {
                a.reset(0);
                a.movdqu_load_rbx(x, disp);
                a.movdqu_store_rbx(disp, x);
                let mut v: VecAssembler<X64Relocation> = VecAssembler::new(0);
                dynasm!(v; .arch x64; .alias cpu, rbx; movdqu Rx(x), [cpu + disp]; movdqu [cpu + disp], Rx(x));
                assert_eq!(a.code(), &v.finalize().unwrap()[..], "xmm{x}, disp {disp}");
            }
            for y in 0..16u8 {
                a.reset(0);
                a.movaps_rr(x, y);
                let mut v: VecAssembler<X64Relocation> = VecAssembler::new(0);
                dynasm!(v; .arch x64; movaps Rx(x), Rx(y));
                assert_eq!(a.code(), &v.finalize().unwrap()[..], "movaps xmm{x}, xmm{y}");
            }
        }
    }

    /// Code written in place stays there while it fits; past the room it moves to the
    /// reservation with every byte written so far, and goes on there.
    #[test]
    fn in_place_code_moves_out_when_it_outgrows_its_room() {
        let room = 2 * CodeBuf::SLACK;
        let mut area = vec![0u8; room];
        let at = area.as_mut_ptr() as usize;
        let mut a = Asm::new(0);
        a.reset_in_place(at, room);
        assert!(a.in_place());
        let mut want = Vec::new();
        let mut k = 0u64;
        while want.len() <= room {
            a.room();
            for _ in 0..1000 {
                a.put_word(k.wrapping_mul(0x9e37_79b9_7f4a_7c15), 7);
                want.extend_from_slice(&k.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes()[..7]);
                k += 1;
            }
            if want.len() < CodeBuf::SLACK {
                assert!(a.in_place() && a.code().as_ptr() as usize == at);
            }
        }
        assert!(!a.in_place());
        assert_eq!(a.code(), &want[..]);
        // too little room from the start: the reservation at once
        a.reset_in_place(at, room - 1);
        assert!(!a.in_place());
        drop(area);
    }

    /// [`Asm::cmov_rr`]: `dynasm!`'s bytes for every condition and register pair.
    #[test]
    fn cmov_rr_matches_dynasm() {
        let (mut a, mut b) = (Asm::new(0), Asm::new(0));
        for dst in 0..16u8 {
            for src in 0..16u8 {
                for cc in 0..16u8 {
                    a.reset(0);
                    b.reset(0);
                    a.cmov_rr(cc, dst, src);
                    match cc {
                        0 => dynasm!(b; .arch x64; cmovo Rq(dst), Rq(src)),
                        1 => dynasm!(b; .arch x64; cmovno Rq(dst), Rq(src)),
                        2 => dynasm!(b; .arch x64; cmovb Rq(dst), Rq(src)),
                        3 => dynasm!(b; .arch x64; cmovae Rq(dst), Rq(src)),
                        4 => dynasm!(b; .arch x64; cmove Rq(dst), Rq(src)),
                        5 => dynasm!(b; .arch x64; cmovne Rq(dst), Rq(src)),
                        6 => dynasm!(b; .arch x64; cmovbe Rq(dst), Rq(src)),
                        7 => dynasm!(b; .arch x64; cmova Rq(dst), Rq(src)),
                        8 => dynasm!(b; .arch x64; cmovs Rq(dst), Rq(src)),
                        9 => dynasm!(b; .arch x64; cmovns Rq(dst), Rq(src)),
                        10 => dynasm!(b; .arch x64; cmovp Rq(dst), Rq(src)),
                        11 => dynasm!(b; .arch x64; cmovnp Rq(dst), Rq(src)),
                        12 => dynasm!(b; .arch x64; cmovl Rq(dst), Rq(src)),
                        13 => dynasm!(b; .arch x64; cmovge Rq(dst), Rq(src)),
                        14 => dynasm!(b; .arch x64; cmovle Rq(dst), Rq(src)),
                        _ => dynasm!(b; .arch x64; cmovg Rq(dst), Rq(src)),
                    }
                    assert_eq!(a.code(), b.code(), "cc {cc} r{dst} r{src}");
                }
            }
        }
    }

    /// [`Asm::mov_mem_word`] is `mem_op`'s compact encoding of the same moves.
    #[test]
    fn mov_mem_word_matches_mem_op() {
        let (mut a, mut b) = (Asm::new(0), Asm::new(0));
        for base in 0..16u8 {
            for reg in 0..16u8 {
                for disp in [0, 1, -1, 8, 127, 128, -128, -129, 0xff8, 0x7fff_0000, i32::MIN] {
                    for (store, w) in [(false, false), (false, true), (true, false), (true, true)] {
                        a.reset(0);
                        b.reset(0);
                        let (word, len) = Asm::mov_mem_word(store, w, reg, base, disp);
                        a.put_word(word, len);
                        let m = Mem { base, index: None, disp };
                        b.mem_op(false, w, &[if store { 0x89 } else { 0x8b }], reg, m, true);
                        assert_eq!(a.code(), b.code(), "store {store} w {w} r{reg} [r{base} + {disp}]");
                    }
                }
            }
        }
        a.reset(0);
        b.reset(0);
        a.put_word(Asm::load_rbx_word(true, 9, 0x48), 7);
        a.put_word(Asm::store_rbx_word(0x48, 1), 7);
        b.load_rbx(true, 9, 0x48);
        b.store_rbx(0x48, 1);
        assert_eq!(a.code(), b.code());
    }

    /// The scalar FP forms with a memory operand at `[rbx + disp32]` (the uncached FP path and
    /// the tininess guard): GNU as's bytes for the same instructions (`as --64`; dynasm
    /// always uses the 3-byte VEX prefix, so its bytes differ while meaning the same).
    #[test]
    fn scalar_fp_memory_forms_match_gnu_as() {
        type Emit = dyn Fn(&mut Asm);
        let cases: [(&Emit, &[u8], &str); 13] = [
            (&|a| a.load_low_xmm0_rbx(true, true, 0x1234), &[0xc5, 0xfa, 0x7e, 0x83], "vmovq"),
            (&|a| a.load_low_xmm0_rbx(true, false, 0x1234), &[0xc5, 0xf9, 0x6e, 0x83], "vmovd"),
            (&|a| a.load_low_xmm0_rbx(false, true, 0x1234), &[0xf3, 0x0f, 0x7e, 0x83], "movq"),
            (&|a| a.load_low_xmm0_rbx(false, false, 0x1234), &[0x66, 0x0f, 0x6e, 0x83], "movd"),
            (&|a| a.arith_xmm0_rbx(true, true, 0x58, 0x1234), &[0xc5, 0xfb, 0x58, 0x83], "vaddsd"),
            (&|a| a.arith_xmm0_rbx(true, false, 0x5e, 0x1234), &[0xc5, 0xfa, 0x5e, 0x83], "vdivss"),
            (&|a| a.arith_xmm0_rbx(false, true, 0x58, 0x1234), &[0xf2, 0x0f, 0x58, 0x83], "addsd"),
            (&|a| a.arith_xmm0_rbx(false, false, 0x59, 0x1234), &[0xf3, 0x0f, 0x59, 0x83], "mulss"),
            (&|a| a.vandps_x1_rbx(7, 0x1234), &[0xc5, 0xc0, 0x54, 0x8b], "vandps xmm7"),
            (&|a| a.vandps_x1_rbx(12, 0x1234), &[0xc5, 0x98, 0x54, 0x8b], "vandps xmm12"),
            (&|a| a.andps_x1_rbx(0x1234), &[0x0f, 0x54, 0x8b], "andps"),
            (&|a| a.ucomis_x1_rbx(true, 0x1234), &[0x66, 0x0f, 0x2e, 0x8b], "ucomisd"),
            (&|a| a.ucomis_x1_rbx(false, 0x1234), &[0x0f, 0x2e, 0x8b], "ucomiss"),
        ];
        let mut a = Asm::new(0);
        for (emit, head, name) in cases {
            a.reset(0);
            emit(&mut a);
            let mut want = head.to_vec();
            want.extend_from_slice(&0x1234i32.to_le_bytes());
            assert_eq!(a.code(), &want[..], "{name}");
        }
    }

    /// The hand-encoded VEX scalar arithmetic and UCOMIS are `dynasm!`'s bytes.
    #[test]
    fn scalar_fp_matches_dynasm() {
        let mut a = Asm::new(0);
        for x in 0..16u8 {
            for y in 0..16u8 {
                for z in [0u8, 1, 7, 8, 9, 15] {
                    a.reset(0);
                    a.vex_rrr(3, 0x58, x, y, z);
                    a.vex_rrr(3, 0x5c, x, y, z);
                    a.vex_rrr(3, 0x59, x, y, z);
                    a.vex_rrr(3, 0x5e, x, y, z);
                    a.vex_rrr(2, 0x58, x, y, z);
                    a.vex_rrr(2, 0x5c, x, y, z);
                    a.vex_rrr(2, 0x59, x, y, z);
                    a.vex_rrr(2, 0x5e, x, y, z);
                    let want = dynasm_bytes(&|v| {
                        dynasm!(v
                            ; .arch x64
                            ; vaddsd Rx(x), Rx(y), Rx(z); vsubsd Rx(x), Rx(y), Rx(z)
                            ; vmulsd Rx(x), Rx(y), Rx(z); vdivsd Rx(x), Rx(y), Rx(z)
                            ; vaddss Rx(x), Rx(y), Rx(z); vsubss Rx(x), Rx(y), Rx(z)
                            ; vmulss Rx(x), Rx(y), Rx(z); vdivss Rx(x), Rx(y), Rx(z)
                        )
                    });
                    assert_eq!(a.code(), &want[..], "xmm{x}, xmm{y}, xmm{z}");
                }
                a.reset(0);
                a.ucomis_rr(true, x, y);
                a.ucomis_rr(false, x, y);
                let want = dynasm_bytes(&|v| dynasm!(v; .arch x64; ucomisd Rx(x), Rx(y); ucomiss Rx(x), Rx(y)));
                assert_eq!(a.code(), &want[..], "ucomis xmm{x}, xmm{y}");
            }
        }
    }

    /// The single forms against dynasm; the double forms differ from them in VEX.W alone
    /// (checked against the Intel SDM's `vfmadd231pd xmm1, xmm2, xmm3` = C4 E2 E9 B8 CB).
    #[test]
    fn packed_fma_encoding() {
        let mut a = Asm::new(0);
        for (x, y, z) in [(0u8, 1u8, 2u8), (9, 14, 3), (15, 8, 12), (6, 6, 6), (1, 10, 11)] {
            a.reset(0);
            a.vfma231_packed(0xb8, false, x, y, z);
            a.vfma231_packed(0xbc, false, x, y, z);
            let mut v: VecAssembler<X64Relocation> = VecAssembler::new(0);
            dynasm!(v; .arch x64; vfmadd231ps Rx(x), Rx(y), Rx(z); vfnmadd231ps Rx(x), Rx(y), Rx(z));
            let single = v.finalize().unwrap();
            assert_eq!(a.code(), &single[..], "xmm{x}, xmm{y}, xmm{z}");
            a.reset(0);
            a.vfma231_packed(0xb8, true, x, y, z);
            let mut double = single[..5].to_vec();
            double[2] |= 0x80;
            assert_eq!(a.code(), &double[..]);
        }
        a.reset(0);
        a.vfma231_packed(0xb8, true, 1, 2, 3);
        assert_eq!(a.code(), &[0xc4, 0xe2, 0xe9, 0xb8, 0xcb]);
    }

    /// The buffer grows past its first writable part, keeping what was written, when room is
    /// made between writes as the emitter does, and for one long slice.
    #[test]
    fn buffer_grows_with_room() {
        let mut a = Asm::new(0);
        let n = 3 * CodeBuf::STEP / 8;
        for k in 0..n {
            if k % 64 == 0 {
                a.room();
            }
            a.put_word(k as u64, 8);
        }
        let long: Vec<u8> = (0..CodeBuf::SLACK * 3).map(|k| k as u8).collect();
        a.bytes(&long);
        let code = a.finish().unwrap();
        assert_eq!(code.len(), 8 * n + long.len());
        for k in 0..n {
            assert_eq!(u64::from_le_bytes(code[8 * k..8 * k + 8].try_into().unwrap()), k as u64);
        }
        assert_eq!(&code[8 * n..], &long[..]);
    }

    #[test]
    fn relocation_encoding_round_trips() {
        for kind in 0..4u8 {
            for size in 0..4u8 {
                let code = kind << 6 | size;
                assert_eq!(Reloc::encode(X64Relocation::from_encoding(code)), code);
            }
        }
    }

    #[test]
    fn undefined_labels_are_errors() {
        let mut a = Asm::new(0x1000);
        dynasm!(a; .arch x64; jmp >nowhere);
        assert!(a.finish().is_err());
        a.reset(0x1000);
        let l = a.new_dynamic_label();
        dynasm!(a; .arch x64; jmp =>l);
        assert!(a.finish().is_err());
        a.reset(0x1000);
        dynasm!(a; .arch x64; nop);
        assert_eq!(a.finish().unwrap(), &[0x90]);
    }
}
