//! The syscall table: one row per aarch64 (asm-generic) syscall number, with its name,
//! handler and argument formats for `-strace`. Handlers live one file per family.
//!
//! A handler returns the raw result: a value >= 0, or `-errno` (guest errno == host errno on
//! Linux for both architectures). Unknown numbers return -ENOSYS (logged once with `-d unimp`).

pub mod nr;
pub mod proc;

use super::Process;
use crate::cpu::CpuState;
use std::sync::OnceLock;

pub type Handler = fn(&mut Process, &mut CpuState, [u64; 6]) -> i64;

/// How `-strace` prints an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    Int,
    Hex,
    Fd,
    Ptr,
    /// NUL-terminated guest string.
    Str,
    /// Buffer of length given by the next argument (printed after the call for reads).
    Buf,
    Oct,
}

pub struct Syscall {
    pub nr: u32,
    pub name: &'static str,
    pub handler: Handler,
    pub args: &'static [Arg],
}

/// All implemented syscalls (families append their rows here).
fn all() -> impl Iterator<Item = &'static Syscall> {
    proc::SYSCALLS.iter()
}

fn table() -> &'static [Option<&'static Syscall>] {
    static T: OnceLock<Vec<Option<&'static Syscall>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<Option<&'static Syscall>> = vec![None; 512];
        for s in all() {
            assert!(v[s.nr as usize].is_none(), "syscall {} defined twice", s.name);
            v[s.nr as usize] = Some(s);
        }
        v
    })
}

/// Handle the SVC that just exited: x8 = number, x0..x5 = arguments, result in x0.
pub fn dispatch(p: &mut Process, cpu: &mut CpuState) {
    let n = cpu.x[8];
    let args = [cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], cpu.x[4], cpu.x[5]];
    let def = table().get(n as usize).copied().flatten();
    let ret = match def {
        Some(s) => (s.handler)(p, cpu, args),
        None => {
            if (p.cfg.log.unimp || p.cfg.log.strace) && p.unimp_seen.insert(n | 1 << 63) {
                let name = nr::name(n as u32).unwrap_or("?");
                p.log_line(&format!("qemu-aarch64-lite: unimplemented syscall {n} ({name})"));
            }
            -(libc::ENOSYS as i64)
        }
    };
    if p.cfg.log.strace {
        let name = def.map(|s| s.name).or_else(|| nr::name(n as u32)).unwrap_or("?");
        let line = format!("{} {}({:#x}, {:#x}, {:#x}) = {}", std::process::id(), name, args[0], args[1], args[2], ret);
        p.log_line(&line);
    }
    cpu.x[0] = ret as u64;
}

/// Convert a raw host syscall result (`-1` + errno convention) to the table convention.
pub fn host_result(r: i64) -> i64 {
    if r == -1 {
        -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO) as i64)
    } else {
        r
    }
}
