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
//! The bytes are the same as `VecAssembler` produces: relocations are computed by dynasmrt's
//! own `PatchLoc` (unit-tested against `VecAssembler` below).

use dynasmrt::components::{LabelRegistry, PatchLoc};
use dynasmrt::x64::X64Relocation;
use dynasmrt::{AssemblyOffset, DynamicLabel, DynasmApi, DynasmError, DynasmLabelApi, LabelKind};

type Patch = PatchLoc<X64Relocation>;

pub struct Asm {
    buf: Vec<u8>,
    /// Address the code will run at (the start of `buf`).
    base: usize,
    /// Dynamic label definitions.
    labels: LabelRegistry,
    /// References to dynamic labels not yet defined when they were emitted.
    dyn_refs: Vec<(Patch, DynamicLabel)>,
    /// Last definition of each local label name.
    locals: Vec<(&'static str, usize)>,
    /// Forward references to local labels, waiting for the name's next definition.
    forward: Vec<(&'static str, Patch)>,
    /// The first error (an impossible relocation, a label defined twice or never, a global
    /// label); reported by [`Asm::finish`].
    error: Option<DynasmError>,
}

/// An empty assembler that has allocated nothing (what `std::mem::take` leaves behind).
impl Default for Asm {
    fn default() -> Asm {
        Asm {
            buf: Vec::new(),
            base: 0,
            labels: LabelRegistry::new(),
            dyn_refs: Vec::new(),
            locals: Vec::new(),
            forward: Vec::new(),
            error: None,
        }
    }
}

/// Same name: the same literal (usually the same pointer), else the same text.
#[inline]
fn same(a: &'static str, b: &'static str) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

impl Asm {
    pub fn new(base: usize) -> Asm {
        Asm {
            buf: Vec::with_capacity(4096),
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
        self.base = base;
        self.labels.clear();
        self.dyn_refs.clear();
        self.locals.clear();
        self.forward.clear();
        self.error = None;
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
            let (ref loc, id) = self.dyn_refs[k];
            let target = self.labels.resolve_dynamic(id)?;
            if loc.patch(&mut self.buf[loc.range(0)], self.base, target.0).is_err() {
                return Err(DynasmError::ImpossibleRelocation(dynasmrt::TargetKind::Dynamic(id)));
            }
        }
        self.dyn_refs.clear();
        Ok(&self.buf)
    }

    /// The bytes emitted so far (references to labels not yet defined are unpatched).
    pub fn code(&self) -> &[u8] {
        &self.buf
    }

    #[inline]
    fn patch(&mut self, loc: &Patch, target: usize, kind: impl FnOnce() -> dynasmrt::TargetKind) {
        if loc.patch(&mut self.buf[loc.range(0)], self.base, target).is_err() && self.error.is_none() {
            self.error = Some(DynasmError::ImpossibleRelocation(kind()));
        }
    }
}

impl Extend<u8> for Asm {
    #[inline]
    fn extend<T: IntoIterator<Item = u8>>(&mut self, iter: T) {
        self.buf.extend(iter)
    }
}

impl<'a> Extend<&'a u8> for Asm {
    #[inline]
    fn extend<T: IntoIterator<Item = &'a u8>>(&mut self, iter: T) {
        self.buf.extend(iter)
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

    fn align(&mut self, alignment: usize, with: u8) {
        let offset = self.buf.len() % alignment;
        if offset != 0 {
            for _ in offset..alignment {
                self.buf.push(with);
            }
        }
    }
}

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
                let (_, loc) = self.forward.swap_remove(k);
                self.patch(&loc, offset, || dynasmrt::TargetKind::Local(name));
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

    fn forward_relocation(
        &mut self,
        name: &'static str,
        target_offset: isize,
        field_offset: u8,
        ref_offset: u8,
        kind: X64Relocation,
    ) {
        let loc = PatchLoc::new(self.offset(), target_offset, field_offset, ref_offset, kind);
        self.forward.push((name, loc));
    }

    fn backward_relocation(
        &mut self,
        name: &'static str,
        target_offset: isize,
        field_offset: u8,
        ref_offset: u8,
        kind: X64Relocation,
    ) {
        let loc = PatchLoc::new(self.offset(), target_offset, field_offset, ref_offset, kind);
        match self.locals.iter().find(|l| same(l.0, name)) {
            Some(&(_, target)) => self.patch(&loc, target, || dynasmrt::TargetKind::Local(name)),
            None => {
                self.error.get_or_insert(DynasmError::UnknownLabel(LabelKind::Local(name)));
            }
        }
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
        let loc = PatchLoc::new(self.offset(), target_offset, field_offset, ref_offset, kind);
        match self.labels.resolve_dynamic(id) {
            Ok(target) => self.patch(&loc, target.0, || dynasmrt::TargetKind::Dynamic(id)),
            Err(_) => self.dyn_refs.push((loc, id)),
        }
    }

    fn value_relocation(&mut self, value: usize, field_offset: u8, ref_offset: u8, kind: X64Relocation) {
        let loc = PatchLoc::new(self.offset(), 0, field_offset, ref_offset, kind);
        self.patch(&loc, value, || dynasmrt::TargetKind::Value(value));
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
