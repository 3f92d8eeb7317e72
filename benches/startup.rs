//! Criterion benchmark of process start-up: the built emulator binary runs a static aarch64
//! program whose first instructions exit (`mov x0, #0; mov x8, #93; svc #0`), so the time is the
//! whole path from exec to the first guest instruction (ELF load, stack, code cache, first
//! translation) plus one syscall and process exit. `qemu-aarch64` runs the same file as a
//! reference when it is installed.
//!
//! Invariants: the program is a minimal ELF built here (one PT_LOAD, no sections), written to a
//! fresh file under the system temp directory and removed at the end; every run must exit with
//! status 0 (anything else aborts the benchmark).

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const EMULATOR: &str = env!("CARGO_BIN_EXE_qemu-aarch64-lite");

/// A static ELF64 aarch64 executable (ET_EXEC at 0x400000) that calls exit(0) at once.
fn exit0_elf() -> Vec<u8> {
    const BASE: u64 = 0x40_0000;
    const EHDR: u64 = 64;
    const PHDR: u64 = 56;
    let code: [u32; 3] = [
        0xd280_0000, // mov x0, #0
        0xd280_0ba8, // mov x8, #93 (exit)
        0xd400_0001, // svc #0
    ];
    let size = EHDR + PHDR + 4 * code.len() as u64;
    let mut e = Vec::with_capacity(size as usize);
    e.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // 64-bit, LE, SysV
    e.extend_from_slice(&2u16.to_le_bytes()); // e_type: ET_EXEC
    e.extend_from_slice(&183u16.to_le_bytes()); // e_machine: EM_AARCH64
    e.extend_from_slice(&1u32.to_le_bytes()); // e_version
    e.extend_from_slice(&(BASE + EHDR + PHDR).to_le_bytes()); // e_entry
    e.extend_from_slice(&EHDR.to_le_bytes()); // e_phoff
    e.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    e.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    e.extend_from_slice(&(EHDR as u16).to_le_bytes()); // e_ehsize
    e.extend_from_slice(&(PHDR as u16).to_le_bytes()); // e_phentsize
    e.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    e.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
    e.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    e.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    e.extend_from_slice(&1u32.to_le_bytes()); // p_type: PT_LOAD
    e.extend_from_slice(&5u32.to_le_bytes()); // p_flags: PF_R | PF_X
    e.extend_from_slice(&0u64.to_le_bytes()); // p_offset
    e.extend_from_slice(&BASE.to_le_bytes()); // p_vaddr
    e.extend_from_slice(&BASE.to_le_bytes()); // p_paddr
    e.extend_from_slice(&size.to_le_bytes()); // p_filesz
    e.extend_from_slice(&size.to_le_bytes()); // p_memsz
    e.extend_from_slice(&0x1000u64.to_le_bytes()); // p_align
    for w in code {
        e.extend_from_slice(&w.to_le_bytes());
    }
    assert_eq!(e.len() as u64, size);
    e
}

/// The program written to a fresh executable file (removed on drop).
struct TempProgram(PathBuf);

impl TempProgram {
    fn new() -> TempProgram {
        use std::os::unix::fs::PermissionsExt;
        let p = std::env::temp_dir().join(format!("qal-bench-exit0-{}", std::process::id()));
        std::fs::write(&p, exit0_elf()).expect("write the start-up program");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod the start-up program");
        TempProgram(p)
    }
}

impl Drop for TempProgram {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn run_once(runner: &str, prog: &Path) {
    let st = Command::new(runner)
        .arg(prog)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{runner}: {e}"));
    assert!(st.success(), "{runner} {}: {st}", prog.display());
}

fn have_qemu() -> bool {
    Command::new("qemu-aarch64")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn bench_startup(c: &mut Criterion) {
    let prog = TempProgram::new();
    let mut g = c.benchmark_group("startup");
    let mut runners = vec![("ours", EMULATOR)];
    if have_qemu() {
        runners.push(("qemu-aarch64", "qemu-aarch64"));
    }
    for (name, runner) in runners {
        run_once(runner, &prog.0);
        g.bench_function(format!("exit0/{name}"), |b| b.iter(|| run_once(runner, &prog.0)));
    }
    g.finish();
}

criterion_group!(benches, bench_startup);
criterion_main!(benches);
