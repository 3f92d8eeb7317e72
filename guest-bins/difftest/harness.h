/* Shared layout of the differential-testing harness (guest-bins/difftest/harness.c and
 * trampoline.S) and of its generator (xtask/src/difftest.rs, which repeats these numbers and
 * asserts them against the harness's start-up banner). All integers are little-endian. */
#ifndef DIFFTEST_HARNESS_H
#define DIFFTEST_HARNESS_H

/* Fixed guest addresses, identical under every emulator, so that PC-relative results (ADR,
 * BL's link, literal loads) and pointers written back to registers compare equal. */
#define DT_CODE_BASE 0x20000000UL   /* epilogue page, then the slots */
#define DT_SLOT_SIZE 256UL          /* bytes per case slot */
#define DT_NSLOTS 65536UL           /* slots per process: a case names its slot */
#define DT_DATA_BASE 0x30000000UL   /* guard page, data page, guard page */
#define DT_DATA_PAGE (DT_DATA_BASE + 4096UL)
#define DT_MAXW 48                  /* test words per case */

/* Register file, as loaded before and stored after the sequence. */
#define DT_OFF_X 0
#define DT_OFF_SP 248
#define DT_OFF_NZCV 256
#define DT_OFF_FPCR 264
#define DT_OFF_FPSR 272
#define DT_OFF_TPIDR 280
#define DT_OFF_V 288
#define DT_REGS_SIZE 800

#define DT_MAGIC_IN 0x31435444u  /* "DTC1" */
#define DT_MAGIC_OUT 0x31525444u /* "DTR1" */

#endif
