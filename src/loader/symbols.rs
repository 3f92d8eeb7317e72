//! Function symbols of a guest ELF file, for naming translated code in `-perfmap` output.
//!
//! Only the file's own tables are read (.symtab, else .dynsym); a stripped file yields none,
//! and the caller names its code by guest address instead.

use std::path::Path;

/// Function symbols sorted by address: (start, size, name), load bias applied.
#[derive(Debug, Default, Clone)]
pub struct Symbols(Vec<(u64, u64, String)>);

impl Symbols {
    /// The STT_FUNC symbols of the ELF file at `path`, moved by `bias`. Unreadable or malformed
    /// files give an empty table (symbols are a convenience, never a reason to fail).
    pub fn of_file(path: &Path, bias: u64) -> Symbols {
        let Ok(bytes) = std::fs::read(path) else { return Symbols::default() };
        let Ok(elf) = goblin::elf::Elf::parse(&bytes) else { return Symbols::default() };
        let mut v = Vec::new();
        for (syms, strs) in [(&elf.syms, &elf.strtab), (&elf.dynsyms, &elf.dynstrtab)] {
            for s in syms.iter() {
                if s.st_type() != goblin::elf::sym::STT_FUNC || s.st_value == 0 {
                    continue;
                }
                if let Some(name) = strs.get_at(s.st_name).filter(|n| !n.is_empty()) {
                    v.push((s.st_value.wrapping_add(bias), s.st_size, name.to_string()));
                }
            }
            if !v.is_empty() {
                break;
            }
        }
        v.sort();
        v.dedup_by_key(|e| e.0);
        Symbols(v)
    }

    /// Add `other`'s symbols (another image's).
    pub fn extend(&mut self, other: Symbols) {
        self.0.extend(other.0);
        self.0.sort();
        self.0.dedup_by_key(|e| e.0);
    }

    /// `name+0xoff` for the function holding `pc`, or `None` outside every known function.
    pub fn describe(&self, pc: u64) -> Option<String> {
        let i = self.0.partition_point(|e| e.0 <= pc).checked_sub(1)?;
        let (start, size, name) = &self.0[i];
        let off = pc - start;
        // A size of 0 (hand-written assembly often lacks .size): accept up to the next symbol.
        (off < *size || *size == 0).then(|| if off == 0 { name.clone() } else { format!("{name}+{off:#x}") })
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_finds_the_enclosing_function() {
        let s = Symbols(vec![(0x1000, 0x20, "f".into()), (0x1040, 0, "g".into())]);
        assert_eq!(s.describe(0x1000).as_deref(), Some("f"));
        assert_eq!(s.describe(0x101c).as_deref(), Some("f+0x1c"));
        assert_eq!(s.describe(0x1020), None);
        assert_eq!(s.describe(0x1048).as_deref(), Some("g+0x8"));
        assert_eq!(s.describe(0xfff), None);
    }
}
