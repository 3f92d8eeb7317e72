//! Per-instruction tests of the decoder and the emitters: each case is an instruction word (with
//! its disassembly), an initial state and the expected state, run through the real JIT.
//!
//! Expected values follow the Arm ARM pseudocode; they were cross-checked against
//! qemu-aarch64 where noted.

use qemu_aarch64_lite::arch::decode;
use qemu_aarch64_lite::cpu::{CpuState, NZCV_C, NZCV_N, NZCV_V, NZCV_Z};
use qemu_aarch64_lite::jit::{Exit, Jit};

const BRK0: u32 = 0xd4200000; // brk #0

/// Map `words` followed by BRK #0 at a fresh page and run them from the first word.
fn run(words: &[u32], setup: impl FnOnce(&mut CpuState)) -> (Box<CpuState>, Exit) {
    let len = 4096usize;
    // SAFETY: fresh anonymous mapping owned by this test.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(page, libc::MAP_FAILED);
    let code = page as *mut u32;
    for (k, w) in words.iter().chain(std::iter::once(&BRK0)).enumerate() {
        // SAFETY: within the page.
        unsafe { code.add(k).write(*w) };
    }
    let mut cpu = CpuState::new();
    cpu.pc = page as u64;
    setup(&mut cpu);
    let jit = Jit::with_cache_size(1 << 20).unwrap();
    let exit = jit.run(&mut cpu);
    // SAFETY: our own mapping.
    unsafe { libc::munmap(page, len) };
    (cpu, exit)
}

/// Run one instruction with x1, x2, x3 set; returns the state (asserting it stopped at BRK).
fn run1(word: u32, x1: u64, x2: u64, x3: u64) -> Box<CpuState> {
    let (cpu, exit) = run(&[word], |c| {
        c.x[1] = x1;
        c.x[2] = x2;
        c.x[3] = x3;
    });
    assert_eq!(exit, Exit::Brk(0), "word {word:08x} did not run to the BRK");
    cpu
}

fn x0(word: u32, x1: u64, x2: u64) -> u64 {
    run1(word, x1, x2, 0).x[0]
}

#[test]
fn add_sub_and_flags() {
    assert_eq!(x0(0x8b020020, 5, 7), 12); // add x0, x1, x2
    let c = run1(0xab020020, u64::MAX, 1, 0); // adds x0, x1, x2
    assert_eq!(c.x[0], 0);
    assert_eq!(c.nzcv as u32, NZCV_Z | NZCV_C);
    let c = run1(0x2b020020, 0x7fff_ffff, 1, 0); // adds w0, w1, w2
    assert_eq!(c.x[0], 0x8000_0000);
    assert_eq!(c.nzcv as u32, NZCV_N | NZCV_V);
    let c = run1(0xeb020020, 3, 5, 0); // subs x0, x1, x2
    assert_eq!(c.x[0], (-2i64) as u64);
    assert_eq!(c.nzcv as u32, NZCV_N); // borrow: C clear
    let c = run1(0xeb020020, 5, 5, 0);
    assert_eq!(c.nzcv as u32, NZCV_Z | NZCV_C);
    let c = run1(0xeb020020, 0x8000_0000_0000_0000, 1, 0);
    assert_eq!(c.nzcv as u32, NZCV_C | NZCV_V);
    // subs w2, w3, w4, lsl #3 writes only the low 32 bits, upper half zero
    let (c, _) = run(&[0x6b040c62], |c| {
        c.x[2] = u64::MAX;
        c.x[3] = 0x1_0000_0010;
        c.x[4] = 2;
    });
    assert_eq!(c.x[2], 0);
    assert_eq!(c.nzcv as u32, NZCV_Z | NZCV_C);
}

#[test]
fn sp_forms() {
    // sub sp, sp, #16 ; add x0, sp, #8
    let (c, _) = run(&[0xd10043ff, 0x910023e0], |c| c.x[31] = 0x1000);
    assert_eq!(c.x[31], 0xff0);
    assert_eq!(c.x[0], 0xff8);
    // add x0, x1, w2, sxtw #2
    assert_eq!(x0(0x8b22c820, 100, (-3i32) as u32 as u64), 88);
}

#[test]
fn conditional() {
    // cmp x1, x2 ; ccmp x1, x2, #4, ne  (x1 == x2: condition fails -> nzcv = 0100)
    let (c, _) = run(&[0xeb02003f, 0xfa421024], |c| {
        c.x[1] = 9;
        c.x[2] = 9;
    });
    assert_eq!(c.nzcv as u32, NZCV_Z);
    let (c, _) = run(&[0xeb02003f, 0xfa421024], |c| {
        c.x[1] = 9;
        c.x[2] = 10;
    });
    assert_eq!(c.nzcv as u32, NZCV_N); // 9 - 10
                                       // csel x0, x1, x2, lt after cmp
    let (c, _) = run(&[0xeb02003f, 0x9a82b020], |c| {
        c.x[1] = (-5i64) as u64;
        c.x[2] = 3;
    });
    assert_eq!(c.x[0], (-5i64) as u64);
    // cset w0, hi (csinc w0, wzr, wzr, ls)
    for (a, b, hi) in [(5u64, 3u64, 1u64), (3, 5, 0), (4, 4, 0)] {
        let (c, _) = run(&[0xeb02003f, 0x1a9f97e0], |c| {
            c.x[1] = a;
            c.x[2] = b;
        });
        assert_eq!(c.x[0], hi, "{a} hi {b}");
    }
    // csneg w0, w1, w2, ge with nzcv = N (lt): -w2
    let (c, _) = run(&[0x5a82a420], |c| {
        c.nzcv = NZCV_N as u64;
        c.x[1] = 1;
        c.x[2] = 7;
    });
    assert_eq!(c.x[0], (-7i32) as u32 as u64);
}

#[test]
fn logical_and_moves() {
    assert_eq!(x0(0x92781c20, 0x12345678, 0), 0x5600); // and x0, x1, #0xff00
    assert_eq!(x0(0x3200f3e0, 0, 0), 0x5555_5555); // mov w0, #0x55555555
    assert_eq!(x0(0xcac21020, 0, 0x10), 0x1); // eor x0, x1, x2, ror #4
    let c = run1(0xea220020, 0xf0, 0xf0, 0); // bics x0, x1, x2
    assert_eq!(c.x[0], 0);
    assert_eq!(c.nzcv as u32, NZCV_Z);
    let (c, _) = run(&[0xd2a24680, 0xf2f7dde0], |_| {}); // movz x0,#0x1234,lsl 16; movk x0,#0xbeef,lsl 48
    assert_eq!(c.x[0], 0xbeef_0000_1234_0000);
    assert_eq!(x0(0x12800000, 0, 0), 0xffff_ffff); // mov w0, #-1
    let c = run1(0xf240003f, 3, 0, 0); // tst x1, #1
    assert_eq!(c.nzcv, 0);
}

#[test]
fn bitfield_and_extract() {
    assert_eq!(x0(0xd3442c20, 0xabcd, 0), 0xbc); // ubfx x0, x1, #4, #8
    assert_eq!(x0(0x93442c20, 0x0f80, 0), 0xffff_ffff_ffff_fff8); // sbfx x0, x1, #4, #8
    let (c, _) = run(&[0xb3780c20], |c| {
        c.x[0] = 0xffff;
        c.x[1] = 0x5;
    }); // bfi x0, x1, #8, #4
    assert_eq!(c.x[0], 0xf5ff);
    assert_eq!(x0(0x531d7020, 0xffff_ffff, 0), 0xffff_fff8); // lsl w0, w1, #3
    assert_eq!(x0(0x937ffc20, 0x8000_0000_0000_0000, 0), u64::MAX); // asr x0, x1, #63
    assert_eq!(x0(0x93407c20, 0x8000_0000, 0), 0xffff_ffff_8000_0000); // sxtw x0, w1
    assert_eq!(x0(0x93c24020, 0x1111, 0x2222_0000_0000_0000), 0x1111_2222_0000_0000);
    // extr x0, x1, x2, #16
}

#[test]
fn divide_and_multiply() {
    assert_eq!(x0(0x9ac20820, 100, 7), 14); // udiv
    assert_eq!(x0(0x9ac20820, 100, 0), 0); // udiv by zero
    assert_eq!(x0(0x1ac20c20, 0x8000_0000, 0xffff_ffff), 0x8000_0000); // sdiv w: INT_MIN / -1
    assert_eq!(x0(0x1ac20c20, (-7i32) as u32 as u64, 2), (-3i32) as u32 as u64);
    assert_eq!(run1(0x9b020c20, 3, 4, 5).x[0], 17); // madd
    assert_eq!(run1(0x1b028c20, 3, 4, 5).x[0], (-7i32) as u32 as u64); // msub w
    assert_eq!(x0(0x9b227c20, (-2i32) as u32 as u64, 3), (-6i64) as u64); // smull
    assert_eq!(x0(0x9bc27c20, u64::MAX, u64::MAX), u64::MAX - 1); // umulh
    assert_eq!(x0(0x9b427c20, (-1i64) as u64, 5), u64::MAX); // smulh
    assert_eq!(run1(0x9ba20c20, 0xffff_ffff, 2, 1).x[0], 0x1_ffff_ffff); // umaddl
}

#[test]
fn bit_operations() {
    assert_eq!(x0(0xdac00020, 1, 0), 0x8000_0000_0000_0000); // rbit x0, x1
    assert_eq!(x0(0x5ac00420, 0x1122_3344, 0), 0x2211_4433); // rev16 w0, w1
    assert_eq!(x0(0xdac00820, 0x1122_3344_5566_7788, 0), 0x4433_2211_8877_6655); // rev32 x0, x1
    assert_eq!(x0(0xdac00c20, 0x1122_3344_5566_7788, 0), 0x8877_6655_4433_2211); // rev x0, x1
    assert_eq!(x0(0x5ac00820, 0x1122_3344, 0), 0x4433_2211); // rev w0, w1
    assert_eq!(x0(0xdac01020, 0, 0), 64); // clz x0, x1
    assert_eq!(x0(0xdac01020, 1, 0), 63);
    assert_eq!(x0(0x5ac01420, 0, 0), 31); // cls w0, w1
    assert_eq!(x0(0x5ac01420, 0xffff_ffff, 0), 31);
    assert_eq!(x0(0x5ac01420, 0x0000_ffff, 0), 15);
    assert_eq!(x0(0x9ac22020, 1, 65), 2); // lslv x0, x1, x2 (amount mod 64)
    assert_eq!(x0(0x1ac22c20, 1, 1), 0x8000_0000); // rorv w0, w1, w2
}

#[test]
fn carry_forms() {
    let (c, _) = run(&[0x9a020020], |c| {
        c.nzcv = NZCV_C as u64;
        c.x[1] = 1;
        c.x[2] = 2;
    }); // adc x0, x1, x2
    assert_eq!(c.x[0], 4);
    let (c, _) = run(&[0x7a020020], |c| {
        c.nzcv = 0;
        c.x[1] = 5;
        c.x[2] = 5;
    }); // sbcs w0, w1, w2 with C=0: 5 - 5 - 1
    assert_eq!(c.x[0], 0xffff_ffff);
    assert_eq!(c.nzcv as u32, NZCV_N);
    let (c, _) = run(&[0xda0103e0], |c| {
        c.nzcv = NZCV_C as u64;
        c.x[1] = 1;
    }); // ngc x0, x1 = 0 - 1 - 0
    assert_eq!(c.x[0], u64::MAX);
}

#[test]
fn pc_relative() {
    let (c, _) = run(&[0x10000000, 0x90000000], |_| {}); // adr x0, . ; adrp x0, .
    let pc0 = c.pc - 8; // BRK is at +8; cpu.pc points at the BRK
    assert_eq!(c.x[0], pc0 & !0xfff);
}

#[test]
fn undefined_word_exits() {
    let (c, exit) = run(&[0x0000_0000], |_| {}); // udf #0
    assert_eq!(exit, Exit::Undefined(0));
    assert_eq!(c.pc % 4096, 0);
    assert!(decode(0x0000_0000).is_none());
}

#[test]
fn load_fault_maps_to_guest_pc() {
    // The JIT reports a fault in translated code only when the host handler is installed.
    qemu_aarch64_lite::linux::host_signal::install_fault_handlers();
    // mov x0, #1 ; ldr x1, [x2] (x2 = unmapped) ; mov x0, #2
    let (c, exit) = run(&[0xd2800020, 0xf9400041, 0xd2800040], |c| c.x[2] = 0x10);
    assert_eq!(exit, Exit::Fault { signo: libc::SIGSEGV, code: 1 /* SEGV_MAPERR */, addr: 0x10 });
    assert_eq!(c.x[0], 1, "instructions before the fault ran, none after");
    assert_eq!(c.pc % 4096, 4, "pc is the faulting load");
}

/// A 16-byte aligned scratch buffer for load/store tests.
#[repr(C, align(64))]
struct Buf([u8; 256]);

fn buf() -> Box<Buf> {
    let mut b = Box::new(Buf([0; 256]));
    for (k, v) in b.0.iter_mut().enumerate() {
        *v = k as u8 ^ 0x80;
    }
    b
}

fn u64_at(b: &Buf, off: usize) -> u64 {
    u64::from_le_bytes(b.0[off..off + 8].try_into().unwrap())
}

#[test]
fn loads_sizes_and_sign_extension() {
    let b = buf();
    let base = b.0.as_ptr() as u64;
    assert_eq!(run1(0xf9400420, base, 0, 0).x[0], u64_at(&b, 8)); // ldr x0, [x1, #8]
    assert_eq!(run1(0x39800420, base, 0, 0).x[0], 0xffff_ffff_ffff_ff81); // ldrsb x0, [x1, #1]
    assert_eq!(run1(0x79c00020, base, 0, 0).x[0], 0xffff_8180); // ldrsh w0, [x1]
    assert_eq!(run1(0xb9800420, base, 0, 0).x[0], 0xffff_ffff_8786_8584); // ldrsw x0, [x1, #4]
    assert_eq!(run1(0xf8627820, base, 3, 0).x[0], u64_at(&b, 24)); // ldr x0, [x1, x2, lsl #3]
    assert_eq!(run1(0x3862c820, base + 16, (-1i32) as u32 as u64, 0).x[0], 15 ^ 0x80); // ldrb w0, [x1, w2, sxtw]
    assert_eq!(run1(0x785ff020, base + 1, 0, 0).x[0], 0x8180); // ldurh w0, [x1, #-1]
}

#[test]
fn writeback_and_pairs() {
    let mut b = buf();
    let base = b.0.as_mut_ptr() as u64;
    // str w2, [x1, #-4]!
    let c = run1(0xb81fcc22, base + 8, 0xdead_beef, 0);
    assert_eq!(c.x[1], base + 4);
    assert_eq!(&b.0[4..8], &0xdead_beefu32.to_le_bytes());
    // ldr x0, [x1], #16
    let c = run1(0xf8410420, base, 0, 0);
    assert_eq!(c.x[0], u64_at(&b, 0));
    assert_eq!(c.x[1], base + 16);
    // stp x2, x3, [x1, #-16]!
    let c = run1(0xa9bf0c22, base + 32, 0x1111, 0x2222);
    assert_eq!(c.x[1], base + 16);
    assert_eq!((u64_at(&b, 16), u64_at(&b, 24)), (0x1111, 0x2222));
    // ldp w4, w5, [x1] ; ldpsw x4, x5, [x1]
    b.0[0..8].copy_from_slice(&[1, 0, 0, 0x80, 2, 0, 0, 0]);
    let (c, _) = run(&[0x29401424], |c| c.x[1] = base);
    assert_eq!((c.x[4], c.x[5]), (0x8000_0001, 2));
    let (c, _) = run(&[0x69401424], |c| c.x[1] = base);
    assert_eq!((c.x[4], c.x[5]), (0xffff_ffff_8000_0001, 2));
}

#[test]
fn simd_register_loads_and_stores() {
    let mut b = buf();
    let base = b.0.as_mut_ptr() as u64;
    let expect_q = u128::from_le_bytes(b.0[0..16].try_into().unwrap());
    let (c, _) = run(&[0x3dc00020], |c| c.x[1] = base); // ldr q0, [x1]
    assert_eq!(c.v[0], expect_q);
    let (c, _) = run(&[0xad400821], |c| c.x[1] = base); // ldp q1, q2, [x1]
    assert_eq!(c.v[1], expect_q);
    assert_eq!(c.v[2], u128::from_le_bytes(b.0[16..32].try_into().unwrap()));
    let (_, _) = run(&[0xfd000420], |c| {
        c.x[1] = base;
        c.v[0] = 0xffff_0000_0000_0000_0123_4567_89ab_cdef;
    }); // str d0, [x1, #8]
    assert_eq!(u64_at(&b, 8), 0x0123_4567_89ab_cdef);
    // dc zva, x1 zeroes the 64-byte block containing x1
    let (_, _) = run(&[0xd50b7421], |c| c.x[1] = base + 70);
    assert!(b.0[64..128].iter().all(|&v| v == 0));
    assert_eq!(b.0[63], 63 ^ 0x80);
    assert_eq!(b.0[128], 128 ^ 0x80);
}

#[test]
fn exclusives() {
    let mut b = buf();
    let base = b.0.as_mut_ptr() as u64;
    // ldxr x0, [x1] ; stxr w3, x2, [x1]  -> success (w3 = 0)
    let (c, _) = run(&[0xc85f7c20, 0xc8037c22], |c| {
        c.x[1] = base;
        c.x[2] = 77;
        c.x[3] = 9;
    });
    assert_eq!(c.x[3], 0);
    assert_eq!(u64_at(&b, 0), 77);
    // stxr without a reservation fails and stores nothing
    let (c, _) = run(&[0xc8037c22], |c| {
        c.x[1] = base;
        c.x[2] = 99;
    });
    assert_eq!(c.x[3], 1);
    assert_eq!(u64_at(&b, 0), 77);
    // ldaxr w0 ; clrex ; stlxr w3, w2 -> fails after clrex
    let (c, _) = run(&[0x885ffc20, 0xd5033f5f, 0x8803fc22], |c| {
        c.x[1] = base;
        c.x[2] = 5;
    });
    assert_eq!((c.x[0], c.x[3]), (77, 1));
    // ldxp x4, x5 ; stxp w3, x6, x7 (16-byte pair)
    let (c, _) = run(&[0xc87f1424, 0xc8231c26], |c| {
        c.x[1] = base + 16;
        c.x[6] = 0xaaaa;
        c.x[7] = 0xbbbb;
    });
    assert_eq!(c.x[3], 0);
    assert_eq!((u64_at(&b, 16), u64_at(&b, 24)), (0xaaaa, 0xbbbb));
    // misaligned exclusive -> SIGBUS / BUS_ADRALN at the instruction
    let (_, exit) = run(&[0xc85f7c20], |c| c.x[1] = base + 4);
    assert_eq!(exit, Exit::Fault { signo: libc::SIGBUS, code: libc::BUS_ADRALN, addr: base + 4 });
    // stlr x2, [x1] ; ldar w0, [x1]
    let (c, _) = run(&[0xc89ffc22, 0x88dffc20], |c| {
        c.x[1] = base + 32;
        c.x[2] = 0x1_0000_0007;
    });
    assert_eq!(c.x[0], 7);
}

#[test]
fn literal_and_prefetch() {
    // ldr x0, .+8 ; prfm pldl1keep, [x1] ; brk -- the literal is the BRK word plus a zero word
    let (c, _) = run(&[0x58000040, 0xf9800020], |c| c.x[1] = 0); // prfm of 0 never faults
    assert_eq!(c.x[0], 0xd4200000);
}

/// Arm ConditionHolds from NZCV (bits 3:0 = N Z C V).
fn holds(cond: u32, nzcv: u32) -> bool {
    let (n, z, c, v) = (nzcv & 8 != 0, nzcv & 4 != 0, nzcv & 2 != 0, nzcv & 1 != 0);
    let r = match cond >> 1 {
        0 => z,
        1 => c,
        2 => n,
        3 => v,
        4 => c && !z,
        5 => n == v,
        6 => !z && n == v,
        _ => true,
    };
    if cond & 1 == 1 && cond != 15 {
        !r
    } else {
        r
    }
}

/// NZCV of SUBS/ADDS/ANDS of `a` and `b` at 32 or 64 bits (AddWithCarry pseudocode).
fn flags_of(kind: u32, a: u64, b: u64, sf: bool) -> u32 {
    let bits = if sf { 64 } else { 32 };
    let mask = if sf { u64::MAX } else { u32::MAX as u64 };
    let (a, b) = (a & mask, b & mask);
    let sign = |x: u64| (x >> (bits - 1)) & 1 == 1;
    let (res, c, v) = match kind {
        0 | 1 => {
            let b2 = if kind == 0 { !b & mask } else { b };
            let cin = (kind == 0) as u128;
            let wide = a as u128 + b2 as u128 + cin;
            let res = (wide as u64) & mask;
            let c = wide >> bits != 0;
            let v = sign(a) == sign(b2) && sign(res) != sign(a);
            (res, c, v)
        }
        _ => (a & b, false, false),
    };
    ((sign(res) as u32) << 3) | (((res == 0) as u32) << 2) | ((c as u32) << 1) | v as u32
}

#[test]
fn conditional_branches_after_every_flag_setter() {
    // cmp / cmn / tst, 64 and 32 bit
    let setters = [
        (0u32, true, 0xeb02003fu32),
        (1, true, 0xab02003f),
        (2, true, 0xea02003f),
        (0, false, 0x6b02003f),
        (1, false, 0x2b02003f),
        (2, false, 0x6a02003f),
    ];
    let values =
        [0u64, 1, 2, u64::MAX, 0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff, 0x8000_0000, 0x7fff_ffff, 0xffff_ffff, 5];
    const MOV_X0_1: u32 = 0xd2800020;
    const NOP: u32 = 0xd503201f;
    for &(kind, sf, setter) in &setters {
        for &a in &values {
            for &b in &values {
                let nzcv = flags_of(kind, a, b, sf);
                for cond in 0..16u32 {
                    let bcond = 0x5400_0000 | (2 << 5) | cond; // b.cond .+8
                                                               // Fused (branch right after the setter) and through stored flags (a NOP between).
                    for prog in [vec![setter, bcond, MOV_X0_1], vec![setter, NOP, bcond, MOV_X0_1]] {
                        let (c, _) = run(&prog, |c| {
                            c.x[1] = a;
                            c.x[2] = b;
                        });
                        let taken = c.x[0] == 0;
                        assert_eq!(
                            taken,
                            holds(cond, nzcv),
                            "setter {setter:08x} a={a:#x} b={b:#x} cond={cond} prog={prog:x?}"
                        );
                        assert_eq!(c.nzcv as u32 >> 28, nzcv);
                    }
                }
            }
        }
    }
}

/// Blocks that end in B or BL (their only exit) have their target translated at the same
/// lookup miss and linked before they run (`Jit::lookup_or_translate`). The chain still
/// stops at code that cannot be fetched (a prefetch abort when execution gets there), and
/// invalidating a block translated ahead unlinks the jump into it.
#[test]
fn sure_successors_translated_ahead() {
    // (the JIT reports the load's fault only when the host handler is installed)
    qemu_aarch64_lite::linux::host_signal::install_fault_handlers();
    // SAFETY: fresh anonymous mapping of two pages owned by this test; the second is made
    // inaccessible right away, so that a branch there cannot be fetched. (Not unmapped: the
    // tests run in parallel threads, and another test's mapping could take its place.)
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            8192,
            libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(page, libc::MAP_FAILED);
    // SAFETY: the second page of our own mapping.
    unsafe { libc::mprotect((page as usize + 4096) as *mut libc::c_void, 4096, libc::PROT_NONE) };
    let code = page as *mut u32;
    let words: [u32; 10] = [
        0xd2800020,                     // 0:  mov x0, #1
        0xf9400062,                     // 4:  ldr x2, [x3]
        0x14000002,                     // 8:  b 16
        0xd4200020,                     // 12: brk #1
        0x91000400,                     // 16: add x0, x0, #1
        0x94000002,                     // 20: bl 28
        0xd4200040,                     // 24: brk #2
        0xb4000041,                     // 28: cbz x1, 36
        0x14000000 | ((4096 - 32) / 4), // 32: b 4096 (the unmapped page)
        0xd4200000,                     // 36: brk #0
    ];
    for (k, &w) in words.iter().enumerate() {
        // SAFETY: within the first page.
        unsafe { code.add(k).write(w) };
    }
    let base = page as u64;
    let jit = Jit::with_cache_size(1 << 20).unwrap();
    let run_from_start = |x1: u64, x3: u64| {
        let mut cpu = CpuState::new();
        cpu.pc = base;
        cpu.x[1] = x1;
        cpu.x[3] = x3;
        let exit = jit.run(&mut cpu);
        (cpu, exit)
    };
    // The load faults, yet the blocks after the first are translated already: mov+ldr+b,
    // add+bl, and cbz's block (which ends in a conditional branch, so the chain stops).
    let (_, exit) = run_from_start(0, 0x10);
    assert_eq!(exit, Exit::Fault { signo: libc::SIGSEGV, code: 1, addr: 0x10 });
    assert_eq!(jit.stats().blocks_translated, 3);
    let (cpu, exit) = run_from_start(0, base);
    assert_eq!(exit, Exit::Brk(0));
    assert_eq!((cpu.x[0], cpu.x[30]), (2, base + 24));
    // (the block at 36, when cbz is taken)
    assert_eq!(jit.stats().blocks_translated, 4);
    // Changed code behind a block translated ahead: the jump into it is unlinked.
    // SAFETY: within the first page.
    unsafe { code.add(4).write(0x91001400) }; // add x0, x0, #5
    jit.invalidate(base + 16, 4);
    let (cpu, exit) = run_from_start(0, base);
    assert_eq!(exit, Exit::Brk(0));
    assert_eq!(cpu.x[0], 6);
    // The not-taken side leads to the inaccessible page: a prefetch abort at its address
    // (SEGV_ACCERR: the page is mapped, without access).
    let (_, exit) = run_from_start(1, base);
    assert_eq!(exit, Exit::Fault { signo: libc::SIGSEGV, code: 2, addr: base + 4096 });
    // SAFETY: our own mapping.
    unsafe { libc::munmap(page, 8192) };
}

/// A carry chain with multiplications between its links (as OpenSSL's Montgomery code has):
/// the flags of ADDS/ADCS/SBCS pass over MUL and UMULH to the next link and are dropped
/// unseen when it replaces them (`block::nzcv_use`); values and the final NZCV against a
/// model, for operand values that make every carry both 0 and 1.
#[test]
fn carry_chain_across_multiplications() {
    let words = [
        0xab02002a, // adds x10, x1, x2
        0x9b047c6b, // mul x11, x3, x4
        0x9bc47c6c, // umulh x12, x3, x4
        0xba0600ad, // adcs x13, x5, x6
        0x1b047c6e, // mul w14, w3, w4
        0xfa0800ef, // sbcs x15, x7, x8
        0x9bc37df0, // umulh x16, x15, x3
        0x3a010131, // adcs w17, w9, w1
        0x9b037e32, // mul x18, x17, x3
        0x9a1f03f3, // adc x19, xzr, xzr
    ];
    let add = |a: u64, b: u64, c: u64, bits: u32| -> (u64, u32) {
        let mask = if bits == 64 { u64::MAX } else { (1 << bits) - 1 };
        let (a, b) = (a & mask, b & mask);
        let wide = a as u128 + b as u128 + c as u128;
        let r = wide as u64 & mask;
        let sign = |v: u64| (v >> (bits - 1)) & 1;
        let n = sign(r) as u32;
        let z = (r == 0) as u32;
        let cy = (wide >> bits) as u32 & 1;
        let v = (sign(a) == sign(b) && sign(r) != sign(a)) as u32;
        (r, n << 31 | z << 30 | cy << 29 | v << 28)
    };
    let vals = [0u64, 1, u64::MAX, 0x8000_0000_0000_0000, 0x7fff_ffff_ffff_ffff, 0xffff_ffff, 0x1234_5678_9abc_def0];
    let mut cases = 0;
    for (k, &a) in vals.iter().enumerate() {
        for &b in &vals {
            let x: [u64; 10] = [0, a, b, a ^ 0x9e37_79b9_7f4a_7c15, b.wrapping_mul(3), a, b, b, a, a.rotate_left(7)];
            let (c, exit) = run(&words, |c| {
                c.nzcv = if k % 2 == 0 { 0 } else { 0xf000_0000 };
                c.x[..10].copy_from_slice(&x);
            });
            assert_eq!(exit, Exit::Brk(0));
            let (r10, f) = add(x[1], x[2], 0, 64);
            let r11 = x[3].wrapping_mul(x[4]);
            let r12 = ((x[3] as u128 * x[4] as u128) >> 64) as u64;
            let (r13, f) = add(x[5], x[6], (f >> 29) as u64 & 1, 64);
            let r14 = (x[3] as u32).wrapping_mul(x[4] as u32) as u64;
            let (r15, f) = add(x[7], !x[8], (f >> 29) as u64 & 1, 64);
            let r16 = ((r15 as u128 * x[3] as u128) >> 64) as u64;
            let (r17, f) = add(x[9], x[1], (f >> 29) as u64 & 1, 32);
            let r18 = r17.wrapping_mul(x[3]);
            let r19 = (f >> 29) as u64 & 1;
            let want = [r10, r11, r12, r13, r14, r15, r16, r17, r18, r19];
            assert_eq!(&c.x[10..20], &want, "x1 {a:#x} x2 {b:#x}");
            assert_eq!(c.nzcv as u32, f, "x1 {a:#x} x2 {b:#x}");
            cases += 1;
        }
    }
    assert_eq!(cases, 49);
    // A flag setter followed by an UNDEFINED one (ADDS with the reserved shift 3): the first
    // one's NZCV is not dropped, the exit sees it.
    let (c, exit) = run(&[0xab02002a, 0xabc2002a], |c| {
        c.x[1] = u64::MAX;
        c.x[2] = 1;
    });
    assert_eq!(exit, Exit::Undefined(0xabc2002a));
    assert_eq!(c.nzcv as u32, NZCV_Z | NZCV_C);
}

/// A long block whose prefix names every mapped register but uses X5-X18 far more: the
/// mapped ones it uses least give their host registers to those (`block::choose_swaps`) and
/// live in `CpuState::x` for the block. A fault at its end still reports every register's
/// value, swapped, displaced and mapped alike.
#[test]
fn fault_in_a_block_with_displaced_mapped_registers() {
    qemu_aarch64_lite::linux::host_signal::install_fault_handlers();
    let mut words = Vec::new();
    // each mapped register (X0-X4, X19-X21) once: add xN, xN, #N+1
    for r in [0u32, 1, 2, 3, 4, 19, 20, 21] {
        words.push(0x9100_0000 | (r + 1) << 10 | r << 5 | r);
    }
    // X5-X18, six times each: add xN, xN, #1
    for _ in 0..6 {
        for r in 5u32..=18 {
            words.push(0x9100_0400 | r << 5 | r);
        }
    }
    // ldr x9, [x22] (x22 unmapped address), then one more add that must not run
    words.push(0xf94002c9);
    words.push(0x9100_0400 | 5 << 5 | 5);
    assert!(words.len() >= 64);
    let (c, exit) = run(&words, |c| {
        for r in 0..31 {
            c.x[r] = 1000 * r as u64;
        }
        c.x[22] = 0x10;
    });
    assert_eq!(exit, Exit::Fault { signo: libc::SIGSEGV, code: 1, addr: 0x10 });
    for r in [0usize, 1, 2, 3, 4, 19, 20, 21] {
        assert_eq!(c.x[r], 1000 * r as u64 + r as u64 + 1, "x{r}");
    }
    for r in 5usize..=18 {
        assert_eq!(c.x[r], 1000 * r as u64 + 6, "x{r}");
    }
    assert_eq!(c.x[22], 0x10);
    assert_eq!(c.pc % 4096, 4 * (words.len() as u64 - 2), "pc is the faulting load");
}
