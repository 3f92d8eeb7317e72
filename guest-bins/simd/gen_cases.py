#!/usr/bin/env python3
"""Generate per-instruction AdvSIMD cases from the decoder table, run them under qemu-aarch64
and write tests/simd/cases.rs (expected results for tests/simd.rs).

Usage: gen_cases.py <repo-root> <cases-per-row> [seed [output]]
For every row of src/arch/table/simd.rs, draws random words (register fields limited to
V0-V7/V16-V23 so a case fits the harness), random input state from a seed (same PRNG as
tests/simd.rs), runs guest-bins/simd/harness.c under qemu-aarch64 and records either
UNDEFINED or the registers that changed plus FPSR.
"""
import os, random, re, subprocess, sys, tempfile

M64 = (1 << 64) - 1

def splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)

def inputs(seed):
    """72 u64 words: V0..V31 (low, high), then X0..X7. Must match tests/simd.rs."""
    st = seed
    out = []
    for _ in range(72):
        st, a = splitmix(st)
        st, b = splitmix(st)
        mode = a & 7
        if mode < 4:
            w = b
        elif mode == 4:
            w = b & 0x0303030303030303
        elif mode == 5:
            w = 0
            for k in range(8):
                w |= [0, 0x7f, 0x80, 0xff][(b >> (2 * k)) & 3] << (8 * k)
        elif mode == 6:
            w = 0
        else:
            w = M64 >> (b % 64)
        out.append(w)
    return out

def fpcr_for(seed):
    """FPCR of a case: RMode, FZ and DN from the seed's low bits. Must match tests/simd.rs."""
    return ((seed & 3) << 22) | (((seed >> 2) & 1) << 24) | (((seed >> 3) & 1) << 25)

def rows(root):
    src = open(os.path.join(root, "src/arch/table/simd.rs")).read()
    return re.findall(r'r\("([^"]+)", "([01a-z]{32})", (\w+)\)', src)

def word_for(pat, rnd):
    w = 0
    for k, c in enumerate(pat):
        bit = 31 - k
        if c == "1" or (c not in "01" and rnd.getrandbits(1)):
            w |= 1 << bit
    # keep registers in the harness's range: Rd, Rn in 0..7, Rm in 0..7 or 16..23
    w &= ~((3 << 3) | (3 << 8) | (1 << 19))
    return w

def not_compared(name, w):
    """Words deliberately not compared with qemu-aarch64, which implements more features."""
    # PMULL/PMULL2 with size = 11 (64x64->128) is FEAT_PMULL: UNDEFINED here, not advertised.
    if name == "PMULL_v" and (w >> 22) & 3 == 3:
        return True
    # FEAT_FP16 forms (half-precision arithmetic), which qemu's max CPU implements:
    # fixed-point conversions with immh = 00xx (and FMOV Vd.8H, #imm, immh = 0000, o2 = 1),
    # FP by element with size = 00.
    if name.endswith(("_fix_v", "_fix_s")) and (w >> 19) & 0xF < 4:
        return True
    if name.startswith(("FMLA_elem", "FMLS_elem", "FMUL_elem", "FMULX_elem")) and (w >> 22) & 3 == 0:
        return True
    return False

def main():
    root, per = sys.argv[1], int(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    dest = sys.argv[4] if len(sys.argv) > 4 else os.path.join(root, "tests/simd/cases.rs")
    cases = []
    for name, pat, op in rows(root):
        k = 0
        while k < per:
            w = word_for(pat, rnd)
            if not_compared(name, w):
                continue
            cases.append((name, w, rnd.getrandbits(63)))
            k += 1
    tmp = tempfile.mkdtemp()
    asm = [".text", ".global simd_run", "simd_run:",
           "stp d8, d9, [sp, #-80]!", "stp d10, d11, [sp, #16]", "stp d12, d13, [sp, #32]",
           "stp d14, d15, [sp, #48]", "stp x29, x30, [sp, #64]", "mov x9, x0", "mov x10, x1", "mov x12, x2"]
    asm += [f"ldp q{2*k}, q{2*k+1}, [x9, #{32*k}]" for k in range(16)]
    asm += ["add x9, x9, #512"] + [f"ldp x{2*k}, x{2*k+1}, [x9, #{16*k}]" for k in range(4)]
    asm += ["ldr x11, [x9, #64]", "msr fpcr, x11", "msr fpsr, xzr", "blr x12", "msr fpcr, xzr"]
    asm += [f"stp q{2*k}, q{2*k+1}, [x10, #{32*k}]" for k in range(16)]
    asm += ["add x10, x10, #512"] + [f"stp x{2*k}, x{2*k+1}, [x10, #{16*k}]" for k in range(4)]
    asm += ["mrs x11, fpsr", "str x11, [x10, #64]", "ldp x29, x30, [sp, #64]",
            "ldp d14, d15, [sp, #48]", "ldp d12, d13, [sp, #32]", "ldp d10, d11, [sp, #16]",
            "ldp d8, d9, [sp], #80", "ret"]
    for k, (_, w, _) in enumerate(cases):
        asm += [f"c{k}: .inst 0x{w:08x}", "ret"]
    asm += [".section .rodata", ".balign 8", ".global simd_ncases", f"simd_ncases: .quad {len(cases)}",
            ".global simd_cases", "simd_cases:"] + [f".quad c{k}" for k in range(len(cases))]
    asm += [".balign 16", ".global simd_inputs", "simd_inputs:"]
    for _, _, seed in cases:
        asm.append(".quad " + ",".join(f"0x{x:x}" for x in inputs(seed)) + f",0x{fpcr_for(seed):x}")
    open(f"{tmp}/cases.S", "w").write("\n".join(asm) + "\n")
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O1", "-o", f"{tmp}/h",
                           os.path.join(here, "harness.c"), f"{tmp}/cases.S"])
    dis = subprocess.check_output(["aarch64-linux-gnu-objdump", "-d", f"{tmp}/h"], text=True)
    disasm = {}
    for line in dis.splitlines():
        m = re.match(r"\s*[0-9a-f]+:\s+([0-9a-f]{8})\s+(.*)$", line)
        if m:
            disasm.setdefault(int(m.group(1), 16), re.sub(r"\s+", " ", m.group(2)).split("//")[0].strip())
    res = subprocess.check_output(["qemu-aarch64", f"{tmp}/h"], text=True).splitlines()
    assert len(res) == len(cases)
    out = ["// Generated by guest-bins/simd/gen_cases.py from qemu-aarch64 runs; do not edit.",
           "// (row name, word, input seed, expected): expected None = UNDEFINED, else the",
           "// V registers and X registers that changed, and FPSR.", "",
           "use super::{Case, Expect};", "", "pub static CASES: &[Case] = &["]
    for (name, w, seed), line in zip(cases, res):
        d = disasm.get(w, "?")
        if line == "U":
            out.append(f"    // {d}\n    Case {{ row: \"{name}\", word: 0x{w:08x}, seed: 0x{seed:x}, expect: None }},")
            continue
        parts = line.split()
        vhex = parts[0]
        vs = [int(vhex[32 * r:32 * r + 32], 16) for r in range(32)]
        xs = [int(p, 16) for p in parts[1:9]]
        fpsr = int(parts[9], 16)
        inp = inputs(seed)
        vch = [(r, vs[r]) for r in range(32) if vs[r] != (inp[2 * r] | (inp[2 * r + 1] << 64))]
        xch = [(r, xs[r]) for r in range(8) if xs[r] != inp[64 + r]]
        vtxt = ", ".join(f"({r}, 0x{v:x})" for r, v in vch)
        xtxt = ", ".join(f"({r}, 0x{v:x})" for r, v in xch)
        out.append(f"    // {d}\n    Case {{ row: \"{name}\", word: 0x{w:08x}, seed: 0x{seed:x}, "
                   f"expect: Some(Expect {{ v: &[{vtxt}], x: &[{xtxt}], fpsr: 0x{fpsr:x} }}) }},")
    out.append("];")
    if dest.endswith(".txt"):
        # Plain format for the long run (tests/simd.rs `qemu_cases_file`, SIMD_CASES=<file>).
        out = []
        for (name, w, seed), line in zip(cases, res):
            out.append(f"{name} {w:08x} {seed:x} {line}")
    open(dest, "w").write("\n".join(out) + "\n")
    print(len(cases), "cases,", sum(1 for r in res if r == "U"), "undefined")

main()
