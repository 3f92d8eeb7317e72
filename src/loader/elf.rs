//! ELF loading: validation of an aarch64 executable and mapping of its PT_LOAD segments, and
//! of its dynamic linker (PT_INTERP) as fs/binfmt_elf.c `load_elf_binary` does.
//!
//! Invariants:
//! - Nothing read from the file is trusted: every field is range-checked with checked arithmetic
//!   before use, and any input gives `Ok` or a [`LoadError`], never a panic.
//! - Guest address == host address. ET_EXEC segments go exactly at `p_vaddr` with
//!   `MAP_FIXED_NOREPLACE` (we never map over memory the emulator already uses); an ET_DYN
//!   image is placed inside a span reserved with `PROT_NONE`, so the kernel picks a free base;
//!   a PIE main program that has an interpreter is first tried at [`ET_DYN_BASE`] (the
//!   kernel's ELF_ET_DYN_BASE without randomisation), leaving room for its brk above it.
//! - A program with PT_INTERP ([`load_program`]) gets its interpreter loaded as a second image
//!   (looked up under the `-L` prefix first, [`crate::linux::path::resolve`]); execution starts
//!   at the interpreter's entry, the program's own entry goes to AT_ENTRY. An interpreter's own
//!   PT_INTERP is ignored, as the kernel does.
//! - On success each segment's pages carry their final host protection: guest R/W as given,
//!   guest X becomes host R (the JIT reads guest code, the host never executes it, as QEMU's
//!   linux-user does). Pages shared by two segments get the union of their permissions. The
//!   rest of the segment beyond `p_filesz` (bss, including the tail of the last file page) is
//!   zero, because the pages are anonymous and only `p_filesz` bytes are copied in.
//! - On error everything this call mapped is unmapped again.

use super::LoadError;
use goblin::container::Endian;
use goblin::elf::header::{EI_CLASS, EI_DATA, ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, ELFMAG, SELFMAG};
use goblin::elf::header::{EM_AARCH64, ET_DYN, ET_EXEC};
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR};
use goblin::elf64::header::{Header, SIZEOF_EHDR};
use goblin::elf64::program_header::{ProgramHeader, SIZEOF_PHDR};
use std::fs::File;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const PAGE: u64 = 4096;

/// End (exclusive) of the x86_64 user address space with 4-level paging (the kernel's
/// TASK_SIZE: 2^47 minus one guard page). Guest segments must end at or below it.
pub const USER_TOP: u64 = 0x7fff_ffff_f000;

/// Largest program header table we accept (the kernel's `load_elf_phdrs` limit).
const MAX_PHDR_BYTES: u64 = 65536;

/// Longest PT_INTERP string the kernel accepts (PATH_MAX, NUL included).
const MAX_INTERP: u64 = 4096;

/// Preferred base of a PIE main program that has an interpreter: the x86_64 kernel's
/// ELF_ET_DYN_BASE (2/3 of the 47-bit user address space, page aligned), without randomisation.
pub const ET_DYN_BASE: u64 = 0x5555_5555_4000;

/// One run of pages with uniform guest permissions, as mapped by the loader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Page-aligned guest address range [start, end).
    pub start: u64,
    pub end: u64,
    /// Guest permissions as `libc::PROT_*` bits (union of the segments sharing these pages).
    pub prot: i32,
}

/// A loaded guest image.
#[derive(Clone, Debug)]
pub struct Image {
    pub path: PathBuf,
    /// Entry point (load bias applied).
    pub entry: u64,
    /// Load bias (0 for ET_EXEC). Added modulo 2^64 to the file's addresses.
    pub load_bias: u64,
    /// Guest address of the program headers (for AT_PHDR); 0 when no segment maps them.
    pub phdr_addr: u64,
    pub phent: u16,
    pub phnum: u16,
    /// Initial program break: end of the highest segment, page aligned up.
    pub brk_start: u64,
    /// Lowest and highest (exclusive) page-aligned guest addresses of the mapped segments.
    pub lowest: u64,
    pub highest: u64,
    /// The pages mapped for the segments, ascending, in runs of uniform permission.
    pub mappings: Vec<Mapping>,
    /// The PT_INTERP string (the dynamic linker this program asks for), if any.
    pub interp_path: Option<PathBuf>,
    /// The dynamic linker loaded for this program by [`load_program`] (`None` for a static
    /// program, and from [`load_elf`], which loads one image only).
    pub interp: Option<Box<Image>>,
    /// PT_GNU_STACK asks for an executable stack (PF_X). Without PT_GNU_STACK, an arm64
    /// program's stack is not executable (Linux 5.8 and later: no READ_IMPLIES_EXEC for
    /// native arm64 programs).
    pub exec_stack: bool,
}

impl Image {
    /// Where the guest starts: the interpreter's entry when there is one, else the program's.
    pub fn start_pc(&self) -> u64 {
        self.interp.as_ref().map_or(self.entry, |i| i.entry)
    }

    /// AT_BASE: the interpreter's load bias (0 without an interpreter).
    pub fn at_base(&self) -> u64 {
        self.interp.as_ref().map_or(0, |i| i.load_bias)
    }

    /// Unmap every page the loader mapped for this image (and its interpreter).
    ///
    /// # Safety
    /// Nothing (guest code, translated blocks, Rust references) may use the image's memory
    /// afterwards, and no other copy of this `Image` may be unmapped again (the range may have
    /// been reused by then).
    pub unsafe fn unmap(&self) {
        for m in &self.mappings {
            // SAFETY: the range was mapped by the loader; the caller guarantees it is unused.
            unsafe { libc::munmap(m.start as *mut libc::c_void, (m.end - m.start) as usize) };
        }
        if let Some(i) = &self.interp {
            // SAFETY: as above, the caller's guarantee covers the interpreter too.
            unsafe { i.unmap() };
        }
    }
}

/// Where an ET_DYN image goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Anywhere the kernel likes (static-pie, a dynamic linker run directly, an interpreter).
    Anywhere,
    /// At [`ET_DYN_BASE`] if free, else anywhere (a PIE program with an interpreter).
    PreferDynBase,
}

fn open(path: &Path) -> Result<File, LoadError> {
    File::open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound { path: path.to_path_buf() },
        _ => LoadError::Io { path: path.to_path_buf(), err },
    })
}

/// Open `path` and load that one image (see [`load_elf_from_file`]).
pub fn load_elf(path: &Path) -> Result<Image, LoadError> {
    load_elf_from_file(&open(path)?, path)
}

/// Validate the ELF file open as `file` and map its PT_LOAD segments; a PT_INTERP is recorded
/// in [`Image::interp_path`] but not loaded (see [`load_program_from_file`]). `display_path`
/// names the file in errors and in [`Image::path`]. The file is read with positioned reads only,
/// so its offset is untouched (it may be binfmt_misc's AT_EXECFD).
pub fn load_elf_from_file(file: &File, display_path: &Path) -> Result<Image, LoadError> {
    load_image(file, display_path, Placement::Anywhere)
}

/// Open `path` and load it as a program, with its interpreter (see [`load_program_from_file`]).
pub fn load_program(path: &Path, prefix: Option<&Path>) -> Result<Image, LoadError> {
    load_program_from_file(&open(path)?, path, prefix)
}

/// Load the program open as `file` the way execve does: the program itself, then, when it has
/// a PT_INTERP, the interpreter named there, looked up under the sysroot `prefix` first and on
/// the host otherwise ([`crate::linux::path::resolve`]), at a base of the kernel's choosing.
/// The result's [`Image::start_pc`] and [`Image::at_base`] say where to start and what AT_BASE
/// is; brk starts after the program. On error nothing stays mapped.
pub fn load_program_from_file(file: &File, display_path: &Path, prefix: Option<&Path>) -> Result<Image, LoadError> {
    let probe = probe_interp(file, display_path)?;
    let placement = if probe.is_some() { Placement::PreferDynBase } else { Placement::Anywhere };
    let mut img = load_image(file, display_path, placement)?;
    let Some(interp) = img.interp_path.clone() else { return Ok(img) };
    let host = crate::linux::path::resolve(prefix, &interp);
    let loaded = open(&host).and_then(|f| load_image(&f, &host, Placement::Anywhere));
    match loaded {
        Ok(i) => {
            img.interp = Some(Box::new(i));
            Ok(img)
        }
        Err(e) => {
            // SAFETY: the image was mapped just above and nothing has used it.
            unsafe { img.unmap() };
            Err(match e {
                LoadError::NotFound { .. } => LoadError::InterpNotFound {
                    path: display_path.to_path_buf(),
                    interp: interp.clone(),
                    looked_in: match prefix.and_then(crate::linux::path::absolute_prefix) {
                        Some(p) => {
                            format!("{} and {}", crate::linux::path::joined(&p, &interp).display(), interp.display())
                        }
                        None => interp.display().to_string(),
                    },
                },
                e => LoadError::Interp { path: display_path.to_path_buf(), source: Box::new(e) },
            })
        }
    }
}

/// The PT_INTERP of the file, read without mapping anything (to choose the placement).
fn probe_interp(file: &File, display_path: &Path) -> Result<Option<PathBuf>, LoadError> {
    let size = file.metadata().map_err(|err| LoadError::Io { path: display_path.to_path_buf(), err })?.len();
    let elf = ElfFile { file, path: display_path, size };
    let eh = elf.header()?;
    let phdrs = elf.program_headers(&eh)?;
    elf.interp(&phdrs)
}

fn load_image(file: &File, display_path: &Path, placement: Placement) -> Result<Image, LoadError> {
    let size = file.metadata().map_err(|err| LoadError::Io { path: display_path.to_path_buf(), err })?.len();
    let elf = ElfFile { file, path: display_path, size };
    let eh = elf.header()?;
    let phdrs = elf.program_headers(&eh)?;
    let interp_path = elf.interp(&phdrs)?;
    let segs = elf.load_segments(eh.e_type, &phdrs)?;
    let mut mapped = elf.map_segments(&eh, &phdrs, &segs, placement)?;

    let load_bias = mapped.bias;
    let phdr_addr = match phdrs.iter().find(|ph| ph.p_type == PT_PHDR) {
        Some(ph) => ph.p_vaddr.wrapping_add(load_bias),
        // As the kernel: the PT_LOAD whose file bytes hold the program header table.
        None => phdrs
            .iter()
            .find(|ph| ph.p_type == PT_LOAD && ph.p_offset <= eh.e_phoff && eh.e_phoff - ph.p_offset < ph.p_filesz)
            .map(|ph| (eh.e_phoff - ph.p_offset + ph.p_vaddr).wrapping_add(load_bias))
            .unwrap_or(0),
    };
    let lowest = mapped.ranges[0].0;
    let highest = mapped.ranges[mapped.ranges.len() - 1].1;
    let mappings = std::mem::take(&mut mapped.runs);
    mapped.ranges.clear(); // success: keep the mappings
    Ok(Image {
        path: display_path.to_path_buf(),
        entry: eh.e_entry.wrapping_add(load_bias),
        load_bias,
        phdr_addr,
        phent: eh.e_phentsize,
        phnum: eh.e_phnum,
        brk_start: highest,
        lowest,
        highest,
        mappings,
        interp_path,
        interp: None,
        exec_stack: phdrs.iter().any(|ph| ph.p_type == PT_GNU_STACK && ph.p_flags & PF_X != 0),
    })
}

/// The file being loaded: where errors come from.
struct ElfFile<'a> {
    file: &'a File,
    path: &'a Path,
    size: u64,
}

impl ElfFile<'_> {
    fn invalid(&self, why: String) -> LoadError {
        LoadError::Invalid { path: self.path.to_path_buf(), why }
    }

    fn truncated(&self, what: String) -> LoadError {
        LoadError::Truncated { path: self.path.to_path_buf(), what }
    }

    /// Read exactly `buf.len()` bytes at `offset` (already checked to lie inside the file).
    fn read(&self, buf: &mut [u8], offset: u64, what: &str) -> Result<(), LoadError> {
        self.file.read_exact_at(buf, offset).map_err(|err| match err.kind() {
            // The file shrank under us after the size check.
            std::io::ErrorKind::UnexpectedEof => self.truncated(what.to_string()),
            _ => LoadError::Io { path: self.path.to_path_buf(), err },
        })
    }

    /// e_ident and the ELF header: class, data encoding, machine and type.
    fn header(&self) -> Result<Header, LoadError> {
        let path = || self.path.to_path_buf();
        let mut ehdr = [0u8; SIZEOF_EHDR];
        let got = read_at_most(self.file, &mut ehdr, 0).map_err(|err| LoadError::Io { path: path(), err })?;
        if got < SELFMAG || ehdr[..SELFMAG] != ELFMAG[..] {
            return Err(LoadError::NotElf { path: path() });
        }
        if got <= EI_DATA {
            return Err(self.truncated("ELF identification".into()));
        }
        match ehdr[EI_CLASS] {
            ELFCLASS64 => {}
            ELFCLASS32 => return Err(LoadError::WrongClass { path: path() }),
            c => return Err(self.invalid(format!("unknown ELF class {c}"))),
        }
        match ehdr[EI_DATA] {
            ELFDATA2LSB => {}
            ELFDATA2MSB => return Err(LoadError::WrongEndian { path: path() }),
            d => return Err(self.invalid(format!("unknown ELF data encoding {d}"))),
        }
        if got < SIZEOF_EHDR {
            return Err(self.truncated(format!("ELF header is {got} of {SIZEOF_EHDR} bytes")));
        }
        let eh = Header::parse(&ehdr).map_err(|e| self.invalid(format!("ELF header: {e}")))?;
        if eh.e_machine != EM_AARCH64 {
            return Err(LoadError::WrongMachine {
                path: path(),
                machine: eh.e_machine,
                name: machine_name(eh.e_machine),
            });
        }
        if eh.e_type != ET_EXEC && eh.e_type != ET_DYN {
            return Err(LoadError::WrongType { path: path(), etype: eh.e_type });
        }
        Ok(eh)
    }

    /// The program header table, with the kernel's limits (entry size, at most 64 KiB).
    fn program_headers(&self, eh: &Header) -> Result<Vec<ProgramHeader>, LoadError> {
        if eh.e_phentsize as usize != SIZEOF_PHDR {
            return Err(self.invalid(format!("program header size {} (expected {SIZEOF_PHDR})", eh.e_phentsize)));
        }
        if eh.e_phnum == 0 {
            return Err(self.invalid("no program headers".into()));
        }
        let bytes = u64::from(eh.e_phnum) * SIZEOF_PHDR as u64;
        if bytes > MAX_PHDR_BYTES {
            return Err(self.invalid(format!("{} program headers are too many", eh.e_phnum)));
        }
        let end = eh.e_phoff.checked_add(bytes).ok_or_else(|| self.invalid("e_phoff overflows".into()))?;
        if end > self.size {
            return Err(self
                .truncated(format!("program headers at 0x{:x}..0x{end:x}, file size 0x{:x}", eh.e_phoff, self.size)));
        }
        let mut buf = vec![0u8; bytes as usize];
        self.read(&mut buf, eh.e_phoff, "program headers")?;
        ProgramHeader::parse(&buf, 0, eh.e_phnum as usize, Endian::Little)
            .map_err(|e| self.invalid(format!("program headers: {e}")))
    }

    /// The first PT_INTERP's path, with the kernel's checks: 2 to PATH_MAX bytes, the last
    /// one NUL; the path ends at the first NUL.
    fn interp(&self, phdrs: &[ProgramHeader]) -> Result<Option<PathBuf>, LoadError> {
        let Some(ph) = phdrs.iter().find(|ph| ph.p_type == PT_INTERP) else { return Ok(None) };
        let end = ph.p_offset.checked_add(ph.p_filesz).ok_or_else(|| self.invalid("PT_INTERP overflows".into()))?;
        if end > self.size {
            return Err(self.truncated("PT_INTERP string".into()));
        }
        if ph.p_filesz < 2 || ph.p_filesz > MAX_INTERP {
            return Err(self.invalid(format!("PT_INTERP size {} is not in 2..={MAX_INTERP}", ph.p_filesz)));
        }
        let mut s = vec![0u8; ph.p_filesz as usize];
        self.read(&mut s, ph.p_offset, "PT_INTERP string")?;
        if s.last() != Some(&0) {
            return Err(self.invalid("PT_INTERP string is not NUL-terminated".into()));
        }
        let len = s.iter().position(|&b| b == 0).unwrap_or(s.len());
        if len == 0 {
            return Err(self.invalid("PT_INTERP string is empty".into()));
        }
        s.truncate(len);
        Ok(Some(PathBuf::from(std::ffi::OsString::from_vec(s))))
    }

    /// Validate every PT_LOAD; return those that occupy memory, sorted by address and
    /// checked not to overlap.
    fn load_segments(&self, e_type: u16, phdrs: &[ProgramHeader]) -> Result<Vec<Seg>, LoadError> {
        let mut segs: Vec<Seg> = Vec::new();
        let mut n_load = 0;
        for (i, ph) in phdrs.iter().enumerate().filter(|(_, ph)| ph.p_type == PT_LOAD) {
            n_load += 1;
            let (vaddr, memsz, offset, filesz) = (ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz);
            let bad = |why: &str| self.invalid(format!("program header {i} (PT_LOAD at 0x{vaddr:x}): {why}"));
            if filesz > memsz {
                return Err(bad(&format!("p_filesz 0x{filesz:x} > p_memsz 0x{memsz:x}")));
            }
            let file_end = offset.checked_add(filesz).ok_or_else(|| bad("p_offset + p_filesz overflows"))?;
            if filesz != 0 && file_end > self.size {
                return Err(self.truncated(format!(
                    "program header {i} needs bytes 0x{offset:x}..0x{file_end:x}, file size 0x{:x}",
                    self.size
                )));
            }
            if vaddr % PAGE != offset % PAGE {
                return Err(bad(&format!("p_offset 0x{offset:x} is not congruent to p_vaddr modulo the page size")));
            }
            let end = vaddr.checked_add(memsz).ok_or_else(|| bad("p_vaddr + p_memsz overflows"))?;
            let page_end = align_up(end).ok_or_else(|| bad("p_vaddr + p_memsz overflows"))?;
            if page_end > USER_TOP {
                return Err(bad(&format!("ends at 0x{end:x}, beyond the user address space")));
            }
            if memsz != 0 {
                let page_start = vaddr & !(PAGE - 1);
                segs.push(Seg { vaddr, memsz, offset, filesz, page_start, page_end, prot: guest_prot(ph.p_flags) });
            }
        }
        if n_load == 0 {
            return Err(self.invalid("no PT_LOAD segment".into()));
        }
        if segs.is_empty() {
            return Err(self.invalid("no PT_LOAD segment occupies memory".into()));
        }
        segs.sort_by_key(|s| s.vaddr);
        // Page zero stays unmapped (root could map it): a host null pointer must keep faulting.
        if e_type == ET_EXEC && segs[0].page_start == 0 {
            return Err(self.invalid(format!("PT_LOAD at 0x{:x} would map page zero", segs[0].vaddr)));
        }
        for w in segs.windows(2) {
            if w[0].vaddr + w[0].memsz > w[1].vaddr {
                return Err(self.invalid(format!(
                    "PT_LOAD segments overlap (0x{:x}..0x{:x} and 0x{:x})",
                    w[0].vaddr,
                    w[0].vaddr + w[0].memsz,
                    w[1].vaddr
                )));
            }
        }
        Ok(segs)
    }

    /// Map the file pages of `s` ([page_start, file_page_end), biased) over its anonymous
    /// mapping, private and writable (final protections come later), and zero the bytes
    /// after p_filesz in the last of them. False (nothing changed) if the file cannot be
    /// mapped, e.g. on a file system without mmap.
    fn map_file_pages(&self, s: &Seg, file_page_end: u64, bias: u64) -> bool {
        use std::os::fd::AsRawFd;
        let start = s.page_start.wrapping_add(bias);
        let len = file_page_end - s.page_start;
        let file_off = s.offset - (s.vaddr - s.page_start);
        // SAFETY: [start, start + len) is part of the anonymous read-write mapping this
        // loader made for the image and nothing references yet; MAP_FIXED replaces exactly
        // that range.
        let p = unsafe {
            libc::mmap(
                start as *mut libc::c_void,
                len as usize,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_FIXED,
                self.file.as_raw_fd(),
                file_off as libc::off_t,
            )
        };
        if p == libc::MAP_FAILED {
            return false;
        }
        let tail = s.vaddr.wrapping_add(bias) + s.filesz;
        let tail_len = start + len - tail;
        // SAFETY: the tail lies inside the mapping just made (read-write).
        unsafe { std::ptr::write_bytes(tail as *mut u8, 0, tail_len as usize) };
        true
    }

    /// Map the segments (ET_EXEC at their addresses, ET_DYN at a kernel-chosen base), copy the
    /// file bytes in and apply the final protections. The result unmaps everything when dropped
    /// unless its `ranges` are cleared.
    fn map_segments(
        &self,
        eh: &Header,
        phdrs: &[ProgramHeader],
        segs: &[Seg],
        placement: Placement,
    ) -> Result<Mapped, LoadError> {
        let map_err = |addr: u64, err: std::io::Error| LoadError::Map { path: self.path.to_path_buf(), addr, err };
        // Page spans: segments sharing a page share one mapping.
        let mut spans: Vec<(u64, u64)> = Vec::new();
        for s in segs {
            match spans.last_mut() {
                Some(last) if s.page_start < last.1 => last.1 = last.1.max(s.page_end),
                _ => spans.push((s.page_start, s.page_end)),
            }
        }
        let (lo, hi) = (spans[0].0, spans[spans.len() - 1].1);
        let mut mapped = Mapped { bias: 0, ranges: Vec::new(), runs: Vec::new() };
        if eh.e_type == ET_EXEC {
            for &(start, end) in &spans {
                mmap_rw(start, end - start, libc::MAP_FIXED_NOREPLACE).map_err(|e| map_err(start, e))?;
                mapped.ranges.push((start, end));
            }
        } else {
            let align = phdrs
                .iter()
                .filter(|ph| ph.p_type == PT_LOAD && ph.p_align.is_power_of_two())
                .map(|ph| ph.p_align)
                .fold(PAGE, u64::max);
            let preferred = match placement {
                Placement::PreferDynBase => reserve_at(ET_DYN_BASE, hi - lo, lo, align),
                Placement::Anywhere => None,
            };
            let base = match preferred {
                Some(b) => b,
                None => reserve(hi - lo, lo, align).map_err(|e| map_err(lo, e))?,
            };
            mapped.bias = base.wrapping_sub(lo);
            mapped.ranges.push((base, base + (hi - lo)));
            // Free the holes between spans, then map each span inside the reservation.
            let biased: Vec<(u64, u64)> = spans.iter().map(|&(s, e)| (s + mapped.bias, e + mapped.bias)).collect();
            let mut prev_end = base;
            for &(start, end) in &biased {
                unmap(prev_end, start - prev_end);
                prev_end = end;
            }
            mapped.ranges = biased;
            for &(start, end) in &mapped.ranges {
                mmap_rw(start, end - start, libc::MAP_FIXED).map_err(|e| map_err(start, e))?;
            }
        }
        for (k, s) in segs.iter().enumerate().filter(|(_, s)| s.filesz != 0) {
            // Pages holding file bytes are mapped from the file (copy-on-write, faulted in
            // only when touched, as the kernel's own loader does) when no other segment
            // shares them; otherwise the bytes are read into the anonymous mapping.
            let file_page_end = align_up(s.vaddr + s.filesz).unwrap_or(s.page_end);
            let alone = (k == 0 || segs[k - 1].page_end <= s.page_start)
                && segs.get(k + 1).is_none_or(|n| file_page_end <= n.page_start);
            if alone && self.map_file_pages(s, file_page_end, mapped.bias) {
                continue;
            }
            let addr = s.vaddr.wrapping_add(mapped.bias);
            // SAFETY: [addr, addr + filesz) lies inside a read-write anonymous mapping made
            // above by this call, which nothing else references yet.
            let dst = unsafe { std::slice::from_raw_parts_mut(addr as *mut u8, s.filesz as usize) };
            self.read(dst, s.offset, &format!("segment at 0x{:x}", s.vaddr))?;
        }
        mapped.runs = protection_runs(segs, mapped.bias);
        for m in &mapped.runs {
            // SAFETY: the range is part of the mappings made above.
            let r =
                unsafe { libc::mprotect(m.start as *mut libc::c_void, (m.end - m.start) as usize, host_prot(m.prot)) };
            if r != 0 {
                return Err(map_err(m.start, std::io::Error::last_os_error()));
            }
            crate::mem::note_exec(m.start, m.end - m.start, m.prot & libc::PROT_EXEC != 0);
        }
        Ok(mapped)
    }
}

/// What `map_segments` mapped; unmapped on drop unless `ranges` is cleared.
struct Mapped {
    bias: u64,
    ranges: Vec<(u64, u64)>,
    runs: Vec<Mapping>,
}

impl Drop for Mapped {
    fn drop(&mut self) {
        for &(start, end) in &self.ranges {
            unmap(start, end - start);
        }
    }
}

/// A validated PT_LOAD with non-zero p_memsz.
struct Seg {
    vaddr: u64,
    memsz: u64,
    offset: u64,
    filesz: u64,
    page_start: u64,
    page_end: u64,
    /// Guest permissions as PROT_* bits.
    prot: i32,
}

fn unmap(start: u64, len: u64) {
    if len != 0 {
        // SAFETY: only called on ranges this module mapped and nothing else references.
        unsafe { libc::munmap(start as *mut libc::c_void, len as usize) };
    }
}

/// Reserve `span` bytes of PROT_NONE address space wherever the kernel likes, placed so that
/// the returned base is congruent to `lo` modulo `align` (a power of two, at least a page), as
/// the kernel aligns ET_DYN images to their largest p_align. Exactly [base, base + span) stays
/// reserved.
fn reserve(span: u64, lo: u64, align: u64) -> std::io::Result<u64> {
    let len = span.checked_add(align - PAGE).filter(|&l| l <= USER_TOP);
    let len = len.ok_or_else(|| std::io::Error::from_raw_os_error(libc::ENOMEM))?;
    // SAFETY: a fresh anonymous PROT_NONE mapping at an address of the kernel's choice.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len as usize,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(std::io::Error::last_os_error());
    }
    let start = p as u64;
    let base = start + (lo.wrapping_sub(start) & (align - 1));
    unmap(start, base - start);
    unmap(base + span, start + len - (base + span));
    Ok(base)
}

/// Reserve `span` bytes of PROT_NONE address space at the first address at or above `hint`
/// congruent to `lo` modulo `align`, if that range is free and inside the user address space.
fn reserve_at(hint: u64, span: u64, lo: u64, align: u64) -> Option<u64> {
    let base = hint.checked_add(align - 1)? & !(align - 1);
    let base = base.checked_add(lo & (align - 1))?;
    if base.checked_add(span)? > USER_TOP {
        return None;
    }
    // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping.
    let p = unsafe {
        libc::mmap(
            base as *mut libc::c_void,
            span as usize,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_FIXED_NOREPLACE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    if p as u64 != base {
        // A kernel older than 4.17 treats MAP_FIXED_NOREPLACE as a hint.
        unmap(p as u64, span);
        return None;
    }
    Some(base)
}

fn mmap_rw(addr: u64, len: u64, fixed: i32) -> std::io::Result<()> {
    // SAFETY: an anonymous mapping at a page-aligned address: with MAP_FIXED_NOREPLACE the
    // kernel refuses to replace anything; MAP_FIXED is only used inside our own reservation.
    let p = unsafe {
        libc::mmap(
            addr as *mut libc::c_void,
            len as usize,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | fixed,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EEXIST) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("0x{addr:x}..0x{:x} is already in use", addr.wrapping_add(len)),
            ));
        }
        return Err(err);
    }
    if p as u64 != addr {
        // A kernel older than 4.17 treats MAP_FIXED_NOREPLACE as a hint.
        unmap(p as u64, len);
        return Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, format!("0x{addr:x} is already in use")));
    }
    Ok(())
}

/// Split the segments' pages into runs of uniform permission (union where segments share a
/// page), biased to their final addresses.
fn protection_runs(segs: &[Seg], bias: u64) -> Vec<Mapping> {
    let mut points: Vec<u64> = segs.iter().flat_map(|s| [s.page_start, s.page_end]).collect();
    points.sort_unstable();
    points.dedup();
    let mut runs: Vec<Mapping> = Vec::new();
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut covered = false;
        let mut prot = 0;
        for s in segs.iter().filter(|s| s.page_start <= a && b <= s.page_end) {
            covered = true;
            prot |= s.prot;
        }
        if !covered {
            continue;
        }
        let (a, b) = (a.wrapping_add(bias), b.wrapping_add(bias));
        match runs.last_mut() {
            Some(last) if last.end == a && last.prot == prot => last.end = b,
            _ => runs.push(Mapping { start: a, end: b, prot }),
        }
    }
    runs
}

fn guest_prot(p_flags: u32) -> i32 {
    let mut prot = 0;
    if p_flags & PF_R != 0 {
        prot |= libc::PROT_READ;
    }
    if p_flags & PF_W != 0 {
        prot |= libc::PROT_WRITE;
    }
    if p_flags & PF_X != 0 {
        prot |= libc::PROT_EXEC;
    }
    prot
}

/// Host protection for guest pages: the guest's, readable where executable (the JIT reads
/// guest code; an execute-only segment must be readable to it). PROT_EXEC stays, as it does
/// for the guest's own mmap/mprotect, so that /proc/self/maps shows the program's code as
/// `r-xp`, which unwinders, JIT runtimes and sanitizers check; the host never jumps there.
pub fn host_prot(guest: i32) -> i32 {
    let mut prot = guest & (libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC);
    if guest & libc::PROT_EXEC != 0 {
        prot |= libc::PROT_READ;
    }
    prot
}

fn align_up(x: u64) -> Option<u64> {
    Some(x.checked_add(PAGE - 1)? & !(PAGE - 1))
}

/// Read as much of `buf` as the file holds at `offset` (short only at end of file).
fn read_at_most(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// A readable name for an ELF e_machine value.
pub fn machine_name(machine: u16) -> &'static str {
    use goblin::elf::header::{
        EM_386, EM_68K, EM_ARM, EM_BPF, EM_IA_64, EM_LOONGARCH, EM_MIPS, EM_NONE, EM_PARISC, EM_PPC, EM_PPC64,
        EM_RISCV, EM_S390, EM_SH, EM_SPARC, EM_SPARCV9, EM_X86_64,
    };
    match machine {
        EM_NONE => "none",
        EM_386 => "i386",
        EM_X86_64 => "x86-64",
        EM_ARM => "arm",
        EM_AARCH64 => "aarch64",
        EM_RISCV => "riscv",
        EM_MIPS => "mips",
        EM_PPC => "powerpc",
        EM_PPC64 => "powerpc64",
        EM_S390 => "s390",
        EM_SPARC => "sparc",
        EM_SPARCV9 => "sparc64",
        EM_IA_64 => "ia64",
        EM_LOONGARCH => "loongarch",
        EM_68K => "m68k",
        EM_SH => "superh",
        EM_PARISC => "parisc",
        EM_BPF => "bpf",
        m => match goblin::elf::header::machine_to_str(m) {
            "EM_UNKNOWN" => "unknown",
            s => s,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(vaddr: u64, memsz: u64, prot: i32) -> Seg {
        Seg {
            vaddr,
            memsz,
            offset: vaddr % PAGE,
            filesz: 0,
            page_start: vaddr & !(PAGE - 1),
            page_end: align_up(vaddr + memsz).unwrap(),
            prot,
        }
    }

    #[test]
    fn shared_pages_get_the_union_of_permissions() {
        let (r, w, x) = (libc::PROT_READ, libc::PROT_WRITE, libc::PROT_EXEC);
        // Text 0x1000..0x1300 (r-x) and data 0x1300..0x3100 (rw-) share the page at 0x1000;
        // a third segment far away is a separate run.
        let segs = [seg(0x1000, 0x300, r | x), seg(0x1300, 0x1e00, r | w), seg(0x9000, 0x10, r)];
        let runs = protection_runs(&segs, 0x10_0000);
        assert_eq!(
            runs,
            [
                Mapping { start: 0x10_1000, end: 0x10_2000, prot: r | w | x },
                Mapping { start: 0x10_2000, end: 0x10_4000, prot: r | w },
                Mapping { start: 0x10_9000, end: 0x10_a000, prot: r },
            ]
        );
        // Adjacent segments with equal permissions form one run.
        let runs = protection_runs(&[seg(0x1000, 0x1000, r), seg(0x2000, 0x1000, r)], 0);
        assert_eq!(runs, [Mapping { start: 0x1000, end: 0x3000, prot: r }]);
    }

    #[test]
    fn host_protection_keeps_exec_and_reads_code() {
        let (r, w, x) = (libc::PROT_READ, libc::PROT_WRITE, libc::PROT_EXEC);
        assert_eq!(host_prot(x), r | x);
        assert_eq!(host_prot(r | x), r | x);
        assert_eq!(host_prot(r | w | x), r | w | x);
        assert_eq!(host_prot(w), w);
        assert_eq!(host_prot(0), 0);
        assert_eq!(guest_prot(PF_R | PF_X), r | x);
        assert_eq!(guest_prot(PF_R | PF_W | 0xf000_0000), r | w);
    }

    #[test]
    fn machine_names_are_readable() {
        assert_eq!(machine_name(62), "x86-64");
        assert_eq!(machine_name(3), "i386");
        assert_eq!(machine_name(40), "arm");
        assert_eq!(machine_name(243), "riscv");
        assert_eq!(machine_name(0xfedc), "unknown");
    }

    #[test]
    fn reserve_honours_alignment() {
        for align in [PAGE, 0x1_0000, 0x20_0000] {
            for lo in [0, 0x1000, 0x1_0000] {
                let base = reserve(0x3000, lo, align).unwrap();
                assert_eq!(base % align, lo % align);
                assert!(!crate::mem::probe_read(base, &mut [0u8; 1]), "PROT_NONE reservation");
                unmap(base, 0x3000);
            }
        }
        assert!(reserve(USER_TOP, 0, 0x1_0000).is_err());
    }
}
