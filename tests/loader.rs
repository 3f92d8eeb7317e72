//! ELF loader tests through the public API. The ELF files are built here byte by byte (no
//! cross compiler needed) and written to a private temporary directory.
//!
//! Loading maps guest segments into this test process at fixed addresses, so every test that
//! maps takes `MAP_LOCK` and uses its own address range; each unmaps what it loaded.

use qemu_aarch64_lite::loader::{self, load_elf, setup_stack, Image, LoadError, StackSpec};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

static MAP_LOCK: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    MAP_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;
const ET_EXEC: u16 = 2;
const ET_DYN: u16 = 3;
const EM_AARCH64: u16 = 183;
const EHDR: usize = 64;
const PHDR: usize = 56;

#[derive(Clone, Copy, Debug)]
struct Ph {
    p_type: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
    align: u64,
}

fn load(flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Ph {
    Ph { p_type: PT_LOAD, flags, offset, vaddr, filesz, memsz, align: 0x1000 }
}

/// A 64-bit little-endian ELF: header, program headers at offset 64, then `data` placed at
/// the given file offsets (the file is at least `len` bytes).
fn build(e_type: u16, machine: u16, entry: u64, phdrs: &[Ph], data: &[(u64, &[u8])], len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len.max(EHDR + PHDR * phdrs.len())];
    f[..4].copy_from_slice(b"\x7fELF");
    f[4] = 2; // ELFCLASS64
    f[5] = 1; // ELFDATA2LSB
    f[6] = 1; // EV_CURRENT
    f[16..18].copy_from_slice(&e_type.to_le_bytes());
    f[18..20].copy_from_slice(&machine.to_le_bytes());
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..32].copy_from_slice(&entry.to_le_bytes());
    f[32..40].copy_from_slice(&(EHDR as u64).to_le_bytes()); // e_phoff
    f[52..54].copy_from_slice(&(EHDR as u16).to_le_bytes()); // e_ehsize
    f[54..56].copy_from_slice(&(PHDR as u16).to_le_bytes()); // e_phentsize
    f[56..58].copy_from_slice(&(phdrs.len() as u16).to_le_bytes()); // e_phnum
    f[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
    for (i, ph) in phdrs.iter().enumerate() {
        let o = EHDR + i * PHDR;
        f[o..o + 4].copy_from_slice(&ph.p_type.to_le_bytes());
        f[o + 4..o + 8].copy_from_slice(&ph.flags.to_le_bytes());
        f[o + 8..o + 16].copy_from_slice(&ph.offset.to_le_bytes());
        f[o + 16..o + 24].copy_from_slice(&ph.vaddr.to_le_bytes());
        f[o + 24..o + 32].copy_from_slice(&ph.vaddr.to_le_bytes()); // p_paddr
        f[o + 32..o + 40].copy_from_slice(&ph.filesz.to_le_bytes());
        f[o + 40..o + 48].copy_from_slice(&ph.memsz.to_le_bytes());
        f[o + 48..o + 56].copy_from_slice(&ph.align.to_le_bytes());
    }
    for &(off, bytes) in data {
        let off = off as usize;
        if f.len() < off + bytes.len() {
            f.resize(off + bytes.len(), 0);
        }
        f[off..off + bytes.len()].copy_from_slice(bytes);
    }
    f
}

/// Recognisable "code": eight A64 NOPs then a RET.
const CODE: [u8; 36] = [
    0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03,
    0xd5, 0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5, 0x1f, 0x20, 0x03, 0xd5, 0xc0, 0x03, 0x5f, 0xd6,
];
const DATA: &[u8] = b"initialised data";

/// A static ET_EXEC at `base`: text (r-x) holding the headers and CODE at +0x200, data (rw-)
/// on the next page at file offset 0x240 with 0x3000 bytes of bss after DATA.
fn exec_image(base: u64) -> Vec<u8> {
    let phdrs =
        [load(PF_R | PF_X, 0, base, 0x224, 0x224), load(PF_R | PF_W, 0x240, base + 0x1240, DATA.len() as u64, 0x3000)];
    build(ET_EXEC, EM_AARCH64, base + 0x200, &phdrs, &[(0x200, &CODE), (0x240, DATA)], 0x300)
}

/// Write `bytes` to a file in the temporary directory, named uniquely for this process.
fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let p = std::env::temp_dir().join(format!("qal-loader-test-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).unwrap();
    p
}

fn read_mem(addr: u64, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len];
    assert!(qemu_aarch64_lite::mem::probe_read(addr, &mut b), "0x{addr:x} is not readable");
    b
}

/// Host permissions ("r-xp" style) of the mapping holding `addr`, from /proc/self/maps.
fn host_perms(addr: u64) -> Option<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    maps.lines().find_map(|l| {
        let mut it = l.split_whitespace();
        let range = it.next()?;
        let perms = it.next()?;
        let (a, b) = range.split_once('-')?;
        let (a, b) = (u64::from_str_radix(a, 16).ok()?, u64::from_str_radix(b, 16).ok()?);
        (a <= addr && addr < b).then(|| perms.to_string())
    })
}

fn load_bytes(name: &str, bytes: &[u8]) -> Result<Image, LoadError> {
    let p = write(name, bytes);
    let r = load_elf(&p);
    std::fs::remove_file(&p).unwrap();
    r
}

fn unmap(img: &Image) {
    // SAFETY: the image was loaded by this test and nothing uses it any more.
    unsafe { img.unmap() };
}

#[test]
fn static_exec_is_mapped_at_its_addresses() {
    let _g = lock();
    let base = 0x7100_0000;
    let img = load_bytes("exec.elf", &exec_image(base)).unwrap();
    assert_eq!(img.entry, base + 0x200);
    assert_eq!(img.load_bias, 0);
    assert_eq!(img.phdr_addr, base + 64, "AT_PHDR from the PT_LOAD covering e_phoff");
    assert_eq!((img.phent, img.phnum), (56, 2));
    assert_eq!(img.lowest, base);
    assert_eq!(img.brk_start, 0x7100_5000);
    assert_eq!(img.highest, img.brk_start);
    assert_eq!(read_mem(base, 4), b"\x7fELF");
    assert_eq!(read_mem(base + 0x200, CODE.len()), CODE);
    // Text page: the rest of the page after p_filesz is zero.
    assert!(read_mem(base + 0x224, 0x1000 - 0x224).iter().all(|&b| b == 0));
    assert_eq!(read_mem(base + 0x1240, DATA.len()), DATA);
    // The data segment's first page is mapped from the file as Linux maps it: before
    // p_vaddr it holds the file's bytes at the congruent offsets (here the headers and code).
    assert_eq!(read_mem(base + 0x1000, 0x240), exec_image(base)[..0x240].to_vec());
    // The bss is zero.
    assert!(read_mem(base + 0x1240 + DATA.len() as u64, 0x3000 - DATA.len()).iter().all(|&b| b == 0));
    // Host protections are the guest's (what /proc/self/maps shows it): code r-x, data rw-.
    assert_eq!(host_perms(base).as_deref(), Some("r-xp"));
    assert_eq!(host_perms(base + 0x1000).as_deref(), Some("rw-p"));
    assert_eq!(host_perms(base + 0x4fff).as_deref(), Some("rw-p"));
    // bss is writable.
    assert!(qemu_aarch64_lite::mem::probe_write(base + 0x4000, b"x"));

    // A second load of the same image must refuse to map over the first.
    let err = load_bytes("exec2.elf", &exec_image(base)).unwrap_err();
    assert!(matches!(err, LoadError::Map { addr, .. } if addr == base), "{err}");
    assert!(err.to_string().contains("0x71000000"), "{err}");
    assert_eq!(err.exit_status(), 126);
    // ... and must not have disturbed it.
    assert_eq!(read_mem(base + 0x200, CODE.len()), CODE);
    unmap(&img);
    assert!(host_perms(base).is_none());
    // Unmapped: loading again succeeds.
    let img = load_bytes("exec3.elf", &exec_image(base)).unwrap();
    unmap(&img);
}

#[test]
fn text_and_data_sharing_a_page_get_the_union_of_permissions() {
    let _g = lock();
    let base = 0x7200_0000;
    let phdrs = [
        load(PF_R | PF_X, 0, base, 0x224, 0x224),
        load(PF_R | PF_W, 0x230, base + 0x230, DATA.len() as u64, 0x2000),
        Ph { p_type: PT_PHDR, flags: PF_R, offset: 64, vaddr: base + 64, filesz: 3 * 56, memsz: 3 * 56, align: 8 },
    ];
    let img =
        load_bytes("shared.elf", &build(ET_EXEC, EM_AARCH64, base, &phdrs, &[(0x200, &CODE), (0x230, DATA)], 0x300))
            .unwrap();
    assert_eq!(img.phdr_addr, base + 64, "AT_PHDR from PT_PHDR");
    let (r, w, x) = (libc::PROT_READ, libc::PROT_WRITE, libc::PROT_EXEC);
    assert_eq!(
        img.mappings,
        [
            loader::Mapping { start: base, end: base + 0x1000, prot: r | w | x },
            loader::Mapping { start: base + 0x1000, end: base + 0x3000, prot: r | w },
        ]
    );
    assert_eq!(host_perms(base).as_deref(), Some("rwxp"));
    assert_eq!(read_mem(base + 0x200, CODE.len()), CODE);
    assert_eq!(read_mem(base + 0x230, DATA.len()), DATA);
    assert!(read_mem(base + 0x230 + DATA.len() as u64, 0x2000 - DATA.len()).iter().all(|&b| b == 0));
    assert_eq!(img.brk_start, base + 0x3000);
    unmap(&img);
}

#[test]
fn static_pie_is_placed_by_the_kernel() {
    let _g = lock();
    let mut phdrs =
        [load(PF_R | PF_X, 0, 0, 0x224, 0x224), load(PF_R | PF_W, 0x240, 0x1_0240, DATA.len() as u64, 0x100)];
    phdrs[0].align = 0x1_0000;
    phdrs[1].align = 0x1_0000;
    let img = load_bytes("pie.elf", &build(ET_DYN, EM_AARCH64, 0x200, &phdrs, &[(0x200, &CODE), (0x240, DATA)], 0x300))
        .unwrap();
    let bias = img.load_bias;
    assert_ne!(bias, 0);
    assert_eq!(bias % 0x1_0000, 0, "bias aligned to the largest p_align");
    assert_eq!(img.entry, bias + 0x200);
    assert_eq!(img.phdr_addr, bias + 64);
    assert_eq!((img.lowest, img.highest, img.brk_start), (bias, bias + 0x1_1000, bias + 0x1_1000));
    assert_eq!(read_mem(bias + 0x200, CODE.len()), CODE);
    assert_eq!(read_mem(bias + 0x1_0240, DATA.len()), DATA);
    // The hole between the two segments is not left mapped.
    assert!(host_perms(bias + 0x8000).is_none());
    assert_eq!(host_perms(bias + 0x1_0000).as_deref(), Some("rw-p"));
    unmap(&img);
}

#[test]
fn missing_file_is_not_found_127() {
    let err = load_elf(Path::new("/nonexistent/qal/prog")).unwrap_err();
    assert!(matches!(err, LoadError::NotFound { .. }), "{err}");
    assert_eq!(err.exit_status(), 127);
    assert!(err.to_string().contains("/nonexistent/qal/prog"));
}

#[test]
fn unreadable_path_is_io() {
    // A directory opens but cannot be read.
    let err = load_elf(&std::env::temp_dir()).unwrap_err();
    assert!(matches!(err, LoadError::Io { .. }), "{err}");
    assert_eq!(err.exit_status(), 126);
}

#[test]
fn host_x86_64_program_is_the_wrong_machine() {
    let mut f = exec_image(0x7400_0000);
    f[18..20].copy_from_slice(&62u16.to_le_bytes());
    let err = load_bytes("x86.elf", &f).unwrap_err();
    assert!(matches!(err, LoadError::WrongMachine { machine: 62, .. }), "{err}");
    assert!(err.to_string().contains("x86-64"), "{err}");
    for host in ["/bin/true", "/usr/bin/true"] {
        if Path::new(host).exists() {
            let err = load_elf(Path::new(host)).unwrap_err();
            assert!(matches!(err, LoadError::WrongMachine { machine: 62, .. }), "{err}");
            assert!(err.to_string().contains("x86-64"), "{err}");
            assert_eq!(err.exit_status(), 126);
        }
    }
    for (m, name) in [(3u16, "i386"), (40, "arm"), (243, "riscv")] {
        let mut f = exec_image(0x7400_0000);
        f[18..20].copy_from_slice(&m.to_le_bytes());
        let err = load_bytes(&format!("m{m}.elf"), &f).unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn class_endianness_type_and_magic() {
    let mut f = exec_image(0x7400_0000);
    f[4] = 1;
    assert!(matches!(load_bytes("c32.elf", &f), Err(LoadError::WrongClass { .. })));
    // A real-looking 32-bit ARM header is still WrongClass (checked before the machine).
    let mut f32 = vec![0u8; 52];
    f32[..7].copy_from_slice(b"\x7fELF\x01\x01\x01");
    f32[16] = 2;
    f32[18] = 40;
    assert!(matches!(load_bytes("arm32.elf", &f32), Err(LoadError::WrongClass { .. })));
    let mut f = exec_image(0x7400_0000);
    f[5] = 2;
    let err = load_bytes("be.elf", &f).unwrap_err();
    assert!(matches!(err, LoadError::WrongEndian { .. }), "{err}");
    let mut f = exec_image(0x7400_0000);
    f[4] = 7;
    assert!(matches!(load_bytes("cls.elf", &f), Err(LoadError::Invalid { .. })));
    for t in [0u16, 1, 4, 0xfe00] {
        let mut f = exec_image(0x7400_0000);
        f[16..18].copy_from_slice(&t.to_le_bytes());
        let err = load_bytes("type.elf", &f).unwrap_err();
        assert!(matches!(err, LoadError::WrongType { etype, .. } if etype == t), "{err}");
    }
    let err = load_bytes("text.elf", b"#!/bin/sh\necho hi\n").unwrap_err();
    assert!(matches!(err, LoadError::NotElf { .. }), "{err}");
    assert!(matches!(load_bytes("empty.elf", b""), Err(LoadError::NotElf { .. })));
}

#[test]
fn truncated_files_are_truncated() {
    let full = exec_image(0x7400_0000);
    for len in [0usize, 1, 3] {
        let err = load_bytes("t.elf", &full[..len]).unwrap_err();
        assert!(matches!(err, LoadError::NotElf { .. }), "len {len}: {err}");
    }
    // Inside the ELF header, the program headers, and the segments' file bytes.
    for len in [4usize, 5, 6, 20, 63, 64, 65, 100, 119, 120, 150, 175, 176, 0x223, 0x240, 0x24f] {
        let err = load_bytes("t.elf", &full[..len]).unwrap_err();
        assert!(matches!(err, LoadError::Truncated { .. }), "len {len}: {err}");
        assert_eq!(err.exit_status(), 126);
    }
    // e_phoff pointing past the end of the file.
    let mut f = full.clone();
    f[32..40].copy_from_slice(&0x1_0000u64.to_le_bytes());
    assert!(matches!(load_bytes("t.elf", &f), Err(LoadError::Truncated { .. })));
    // p_offset + p_filesz past the end.
    let mut f = full.clone();
    f[EHDR + PHDR + 32..EHDR + PHDR + 40].copy_from_slice(&0x1000u64.to_le_bytes());
    assert!(matches!(load_bytes("t.elf", &f), Err(LoadError::Truncated { .. })));
}

/// Builds an image at `base` from `phdrs` and expects Invalid with `why` in the message.
fn expect_invalid(phdrs: &[Ph], why: &str) {
    let f = build(ET_EXEC, EM_AARCH64, 0x7500_0200, phdrs, &[(0x200, &CODE)], 0x300);
    let err = load_bytes("inv.elf", &f).unwrap_err();
    assert!(matches!(err, LoadError::Invalid { .. }), "{phdrs:?}: {err}");
    assert!(err.to_string().contains(why), "{err} should mention {why}");
}

#[test]
fn invalid_segments_are_rejected() {
    let _g = lock();
    let b = 0x7500_0000u64;
    let text = load(PF_R | PF_X, 0, b, 0x224, 0x224);
    expect_invalid(&[text, load(PF_R | PF_W, 0x200, b + 0x200, 0x10, 0x10)], "overlap");
    expect_invalid(&[load(PF_R, 0, b, 0x300, 0x2000), load(PF_R | PF_W, 0x100, b + 0x1100, 0, 0x10)], "overlap");
    expect_invalid(&[load(PF_R | PF_X, 0, b, 0x224, 0x100)], "p_filesz");
    expect_invalid(&[load(PF_R | PF_X, 0x10, b, 0x200, 0x224)], "congruent");
    expect_invalid(&[load(PF_R, 0, 0x7fff_ffff_e000, 0x10, 0x2000)], "user address space");
    expect_invalid(&[load(PF_R, 0, 0xffff_8000_0000_0000, 0x10, 0x10)], "user address space");
    expect_invalid(&[load(PF_R, 0, 0xffff_ffff_ffff_f000, 0x10, 0x2000)], "overflows");
    expect_invalid(&[load(PF_R, 0x1000, 0x1000, 0, u64::MAX - 0x800)], "overflows");
    expect_invalid(&[Ph { p_type: 4, flags: 0, offset: 0, vaddr: 0, filesz: 0, memsz: 0, align: 4 }], "no PT_LOAD");
    expect_invalid(&[load(PF_R, 0, b, 0, 0)], "no PT_LOAD");
    // Wrong e_phentsize and e_phnum == 0.
    let mut f = exec_image(b);
    f[54..56].copy_from_slice(&32u16.to_le_bytes());
    assert!(matches!(load_bytes("inv.elf", &f), Err(LoadError::Invalid { .. })));
    let mut f = exec_image(b);
    f[56..58].copy_from_slice(&0u16.to_le_bytes());
    assert!(matches!(load_bytes("inv.elf", &f), Err(LoadError::Invalid { .. })));
    // e_phoff + size overflows.
    let mut f = exec_image(b);
    f[32..40].copy_from_slice(&(u64::MAX - 10).to_le_bytes());
    assert!(matches!(load_bytes("inv.elf", &f), Err(LoadError::Invalid { .. })));
    // Nothing stayed mapped.
    assert!(host_perms(b).is_none());
}

#[test]
fn interpreter_is_recorded_and_looked_up() {
    let _g = lock();
    let interp = b"/nonexistent/qal/ld-test.so.1\0";
    let phdrs = [
        Ph { p_type: PT_INTERP, flags: PF_R, offset: 0x280, vaddr: 0, filesz: interp.len() as u64, memsz: 0, align: 1 },
        load(PF_R | PF_X, 0, 0, 0x224, 0x224),
    ];
    let f = build(ET_DYN, EM_AARCH64, 0x200, &phdrs, &[(0x200, &CODE), (0x280, interp)], 0x300);
    // load_elf maps this one image and records the interpreter it asks for.
    let img = load_bytes("dyn.elf", &f).unwrap();
    assert_eq!(img.interp_path.as_deref(), Some(Path::new("/nonexistent/qal/ld-test.so.1")));
    assert!(img.interp.is_none());
    assert_eq!((img.start_pc(), img.at_base()), (img.entry, 0));
    unmap(&img);
    // load_program also loads the interpreter: a missing one is execve's ENOENT (127), and the
    // message names the program and every place the interpreter was looked for.
    let p = write("dyn-prog.elf", &f);
    let err = loader::load_program(&p, Some(Path::new("/nonexistent-sysroot"))).unwrap_err();
    assert!(matches!(err, LoadError::InterpNotFound { .. }), "{err}");
    assert_eq!(err.exit_status(), 127);
    let msg = err.to_string();
    assert!(msg.contains("dyn-prog.elf") && msg.contains("/nonexistent-sysroot/nonexistent/qal/ld-test.so.1"), "{msg}");
    std::fs::remove_file(&p).unwrap();
    // A PT_INTERP outside the file is truncated, not a panic; one without its NUL is invalid.
    let mut bad = phdrs;
    bad[0].offset = 0x1_0000;
    let f = build(ET_DYN, EM_AARCH64, 0x200, &bad, &[(0x200, &CODE)], 0x300);
    assert!(matches!(load_bytes("dyn2.elf", &f), Err(LoadError::Truncated { .. })));
    let f =
        build(ET_DYN, EM_AARCH64, 0x200, &phdrs, &[(0x200, &CODE), (0x280, b"/lib/ld-linux-aarch64.so.1xxxx")], 0x300);
    assert!(matches!(load_bytes("dyn3.elf", &f), Err(LoadError::Invalid { .. })));
}

#[test]
fn load_elf_from_file_uses_positioned_reads() {
    use std::io::{Seek, SeekFrom};
    let _g = lock();
    let p = write("fromfile.elf", &exec_image(0x7700_0000));
    let mut file = std::fs::File::open(&p).unwrap();
    file.seek(SeekFrom::Start(17)).unwrap();
    let img = loader::load_elf_from_file(&file, Path::new("/proc/self/fd/3")).unwrap();
    assert_eq!(file.stream_position().unwrap(), 17);
    assert_eq!(img.path, Path::new("/proc/self/fd/3"));
    assert_eq!(read_mem(0x7700_0200, CODE.len()), CODE);
    unmap(&img);
    std::fs::remove_file(&p).unwrap();
}

#[test]
fn stack_auxv_describes_the_loaded_image() {
    let _g = lock();
    let img = load_bytes("stack.elf", &exec_image(0x7800_0000)).unwrap();
    let argv = vec![b"stack.elf".to_vec()];
    let spec = StackSpec {
        argv: &argv,
        envp: &[],
        execfn: b"./stack.elf",
        hwcap: 3,
        hwcap2: 0,
        at_flags: 0,
        stack_size: 8 << 20,
        exec_fd: None,
    };
    let st = setup_stack(&img, &spec).unwrap();
    assert_eq!(st.sp % 16, 0);
    let get = |k: u64| st.auxv.iter().find(|e| e.0 == k).map(|e| e.1);
    assert_eq!(get(loader::stack::AT_ENTRY), Some(0x7800_0200));
    assert_eq!(get(loader::stack::AT_PHNUM), Some(2));
    // AT_PHDR points at the program headers as mapped: the first one is the text PT_LOAD.
    let phdr = read_mem(get(loader::stack::AT_PHDR).unwrap(), 56);
    assert_eq!(u32::from_le_bytes(phdr[..4].try_into().unwrap()), PT_LOAD);
    assert_eq!(u64::from_le_bytes(phdr[16..24].try_into().unwrap()), 0x7800_0000);
    assert_eq!(get(loader::stack::AT_SYSINFO_EHDR), None, "no vDSO");
    // SAFETY: nothing uses the stack or the image any more.
    unsafe { st.unmap() };
    unmap(&img);
}

/// An anonymous in-memory file holding `bytes` (much faster than rewriting a file on disk).
fn memfd(bytes: &[u8]) -> std::fs::File {
    use std::io::Write;
    use std::os::fd::FromRawFd;
    // SAFETY: memfd_create returns a new descriptor that we own.
    let fd = unsafe { libc::memfd_create(c"qal-fuzz".as_ptr(), libc::MFD_CLOEXEC) };
    assert!(fd >= 0, "memfd_create: {}", std::io::Error::last_os_error());
    // SAFETY: fd is ours and open.
    let mut f = unsafe { std::fs::File::from_raw_fd(fd) };
    f.write_all(bytes).unwrap();
    f
}

/// xorshift64: a deterministic pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// A value that often sits on a boundary.
    fn interesting(&mut self, near: u64) -> u64 {
        match self.below(8) {
            0 => 0,
            1 => u64::MAX,
            2 => u64::MAX - self.below(0x2000),
            3 => near.wrapping_add(self.below(0x4000)).wrapping_sub(0x2000),
            4 => self.below(0x1000),
            5 => 1 << self.below(64),
            6 => 0x7fff_ffff_f000 - self.below(0x4000),
            _ => self.next(),
        }
    }
}

/// Thousands of mutated images: the loader returns Ok or Err, never panics, never maps over
/// memory that is already in use, and leaves nothing mapped on error.
#[test]
fn mutated_images_never_panic_or_clobber() {
    let _g = lock();
    let base = 0x7900_0000u64;
    // A sentinel page right above the image's bss: a mutation that grows a segment into it
    // must fail to map rather than overwrite it.
    let sentinel = base + 0x5000;
    // SAFETY: a fresh anonymous mapping at a fixed address nothing else uses (NOREPLACE).
    let p = unsafe {
        libc::mmap(
            sentinel as *mut libc::c_void,
            0x1000,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
            -1,
            0,
        )
    };
    assert_eq!(p as u64, sentinel);
    assert!(qemu_aarch64_lite::mem::probe_write(sentinel, &[0xa5; 0x1000]));

    let mut pie = exec_image(0);
    pie[16..18].copy_from_slice(&ET_DYN.to_le_bytes());
    let seeds = [exec_image(base), pie];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut ok, mut err) = (0, 0);
    let mut kinds = std::collections::BTreeMap::<&str, u32>::new();
    let start = std::time::Instant::now();
    for case in 0..10_000 {
        let mut f = seeds[case % 2].clone();
        for _ in 0..1 + rng.below(3) {
            let phnum = 2usize;
            let ph = EHDR + PHDR * rng.below(phnum as u64) as usize;
            let put = |f: &mut Vec<u8>, at: usize, v: u64, n: usize| {
                if f.len() >= at + n {
                    f[at..at + n].copy_from_slice(&v.to_le_bytes()[..n]);
                }
            };
            match rng.below(10) {
                0 | 1 if !f.is_empty() => {
                    let i = rng.below(f.len().min(EHDR + PHDR * phnum) as u64) as usize;
                    f[i] = rng.next() as u8;
                }
                2 if !f.is_empty() => {
                    let i = rng.below(f.len() as u64) as usize;
                    f[i] ^= 1 << rng.below(8);
                }
                3 => {
                    let n = rng.below(f.len() as u64 + 1) as usize;
                    f.truncate(n);
                }
                4 => put(&mut f, 56, rng.interesting(2), 2),  // e_phnum
                5 => put(&mut f, 32, rng.interesting(64), 8), // e_phoff
                6 => put(&mut f, ph + 8, rng.interesting(0x240), 8), // p_offset
                7 => put(&mut f, ph + 32, rng.interesting(0x200), 8), // p_filesz
                8 => put(&mut f, ph + 40, rng.interesting(0x3000), 8), // p_memsz
                _ => put(&mut f, ph + 16, rng.interesting(base), 8), // p_vaddr
            }
        }
        match loader::load_elf_from_file(&memfd(&f), Path::new("fuzz.elf")) {
            Ok(img) => {
                ok += 1;
                assert!(img.lowest <= img.highest && img.highest <= 0x7fff_ffff_f000, "case {case}: {img:?}");
                assert_eq!(img.brk_start, img.highest);
                for m in &img.mappings {
                    assert!(m.start % 4096 == 0 && m.end % 4096 == 0 && m.start < m.end, "case {case}");
                    assert!(img.lowest <= m.start && m.end <= img.highest, "case {case}");
                }
                unmap(&img);
            }
            Err(e) => {
                err += 1;
                let kind = match e {
                    LoadError::NotElf { .. } => "NotElf",
                    LoadError::WrongClass { .. } => "WrongClass",
                    LoadError::WrongEndian { .. } => "WrongEndian",
                    LoadError::WrongMachine { .. } => "WrongMachine",
                    LoadError::WrongType { .. } => "WrongType",
                    LoadError::Truncated { .. } => "Truncated",
                    LoadError::Invalid { .. } => "Invalid",
                    LoadError::Map { .. } => "Map",
                    _ => "other",
                };
                *kinds.entry(kind).or_default() += 1;
                assert!(!e.to_string().is_empty());
                assert_eq!(e.exit_status(), 126, "case {case}: {e}");
            }
        }
        // Nothing left behind at the ET_EXEC image's addresses, and the sentinel is intact.
        assert!(host_perms(base).is_none(), "case {case} left a mapping");
        assert!(read_mem(sentinel, 0x1000).iter().all(|&b| b == 0xa5), "case {case} clobbered the sentinel");
    }
    // SAFETY: our own sentinel mapping.
    unsafe { libc::munmap(sentinel as *mut libc::c_void, 0x1000) };
    eprintln!("fuzz: {ok} loaded, {err} rejected {kinds:?} in {:?}", start.elapsed());
    assert!(ok > 100 && err > 1000, "the mutations should exercise both outcomes ({ok} ok, {err} err)");
    for kind in ["NotElf", "Truncated", "Invalid", "Map"] {
        assert!(kinds.contains_key(kind), "no mutation produced {kind}: {kinds:?}");
    }
}
