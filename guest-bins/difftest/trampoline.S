// xtask: skip
// Differential-testing harness, assembly half (see harness.c for the protocol).
//
// dt_run(in, slot) saves the host's callee-saved state, loads the whole guest register file
// from `in` (X0-X30 except X16, SP, NZCV, FPCR, FPSR, TPIDR_EL0, V0-V31) and branches to the
// slot with X16 = slot address; the slot's first instruction loads X16 from its own literal.
// The sequence ends with a branch to the epilogue, a copy of dt_epi_start..dt_epi_end placed in
// the code region by harness.c: it parks X0 in TPIDR_EL0 (the one EL0-writable system register
// that holds 64 bits), stores the register file to the `out` literal's address and jumps to
// dt_return, which restores the host state and returns 0 from dt_run. A signal during the
// sequence is caught by harness.c's handler (on the alternate stack) which resumes at
// dt_fault_return: it returns 1 from dt_run.
#include "harness.h"

    .text
    .global dt_run
    .type dt_run, %function
dt_run:
    sub sp, sp, #176
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mrs x2, fpcr
    mrs x3, fpsr
    stp x2, x3, [sp, #160]
    adrp x2, dt_host
    add x2, x2, :lo12:dt_host
    mov x3, sp
    str x3, [x2]
    mrs x3, tpidr_el0
    str x3, [x2, #8]
    mov x16, x1
    clrex
    add x1, x0, #DT_OFF_V
    ldp q0, q1, [x1], #32
    ldp q2, q3, [x1], #32
    ldp q4, q5, [x1], #32
    ldp q6, q7, [x1], #32
    ldp q8, q9, [x1], #32
    ldp q10, q11, [x1], #32
    ldp q12, q13, [x1], #32
    ldp q14, q15, [x1], #32
    ldp q16, q17, [x1], #32
    ldp q18, q19, [x1], #32
    ldp q20, q21, [x1], #32
    ldp q22, q23, [x1], #32
    ldp q24, q25, [x1], #32
    ldp q26, q27, [x1], #32
    ldp q28, q29, [x1], #32
    ldp q30, q31, [x1], #32
    ldr x1, [x0, #DT_OFF_NZCV]
    msr nzcv, x1
    ldr x1, [x0, #DT_OFF_FPCR]
    msr fpcr, x1
    ldr x1, [x0, #DT_OFF_FPSR]
    msr fpsr, x1
    ldr x1, [x0, #DT_OFF_TPIDR]
    msr tpidr_el0, x1
    ldr x1, [x0, #DT_OFF_SP]
    mov sp, x1
    ldp x1, x2, [x0, #8]
    ldp x3, x4, [x0, #24]
    ldp x5, x6, [x0, #40]
    ldp x7, x8, [x0, #56]
    ldp x9, x10, [x0, #72]
    ldp x11, x12, [x0, #88]
    ldp x13, x14, [x0, #104]
    ldr x15, [x0, #120]
    ldp x17, x18, [x0, #136]
    ldp x19, x20, [x0, #152]
    ldp x21, x22, [x0, #168]
    ldp x23, x24, [x0, #184]
    ldp x25, x26, [x0, #200]
    ldp x27, x28, [x0, #216]
    ldp x29, x30, [x0, #232]
    ldr x0, [x0]
    br x16
    .size dt_run, .-dt_run

    // Copied to DT_CODE_BASE; position independent (its two literals are filled by harness.c).
    .global dt_epi_start, dt_epi_end, dt_epi_out, dt_epi_ret
    .balign 8
dt_epi_start:
    msr tpidr_el0, x0
    ldr x0, dt_epi_out
    stp x1, x2, [x0, #8]
    stp x3, x4, [x0, #24]
    stp x5, x6, [x0, #40]
    stp x7, x8, [x0, #56]
    stp x9, x10, [x0, #72]
    stp x11, x12, [x0, #88]
    stp x13, x14, [x0, #104]
    stp x15, x16, [x0, #120]
    stp x17, x18, [x0, #136]
    stp x19, x20, [x0, #152]
    stp x21, x22, [x0, #168]
    stp x23, x24, [x0, #184]
    stp x25, x26, [x0, #200]
    stp x27, x28, [x0, #216]
    stp x29, x30, [x0, #232]
    mrs x1, tpidr_el0
    str x1, [x0, #DT_OFF_X]
    mov x1, sp
    str x1, [x0, #DT_OFF_SP]
    mrs x1, nzcv
    str x1, [x0, #DT_OFF_NZCV]
    mrs x1, fpcr
    str x1, [x0, #DT_OFF_FPCR]
    mrs x1, fpsr
    str x1, [x0, #DT_OFF_FPSR]
    add x1, x0, #DT_OFF_V
    stp q0, q1, [x1], #32
    stp q2, q3, [x1], #32
    stp q4, q5, [x1], #32
    stp q6, q7, [x1], #32
    stp q8, q9, [x1], #32
    stp q10, q11, [x1], #32
    stp q12, q13, [x1], #32
    stp q14, q15, [x1], #32
    stp q16, q17, [x1], #32
    stp q18, q19, [x1], #32
    stp q20, q21, [x1], #32
    stp q22, q23, [x1], #32
    stp q24, q25, [x1], #32
    stp q26, q27, [x1], #32
    stp q28, q29, [x1], #32
    stp q30, q31, [x1], #32
    ldr x1, dt_epi_ret
    br x1
    .balign 8
dt_epi_out:
    .quad 0
dt_epi_ret:
    .quad 0
dt_epi_end:

    .global dt_return
    .type dt_return, %function
dt_return:
    mov x0, #0
    b 1f
    .global dt_fault_return
dt_fault_return:
    mov x0, #1
1:  adrp x2, dt_host
    add x2, x2, :lo12:dt_host
    ldr x3, [x2]
    mov sp, x3
    ldr x3, [x2, #8]
    msr tpidr_el0, x3
    ldp x2, x3, [sp, #160]
    msr fpcr, x2
    msr fpsr, x3
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #176
    ret
    .size dt_return, .-dt_return

    .bss
    .balign 8
    .global dt_host
dt_host:            // host sp, host TPIDR_EL0
    .skip 16
    .section .note.GNU-stack,"",%progbits
