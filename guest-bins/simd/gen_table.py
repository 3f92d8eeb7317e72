#!/usr/bin/env python3
"""Generates the SimdOp list (`ops`) and the ROWS (`rows`) of src/arch/table/simd.rs, which
were pasted from its output. Usage: gen_table.py ops|rows"""
import re,sys
rows=[]  # (name, pattern, op)
def add(name,pat,op):
    assert len(pat)==32,(name,pat,len(pat))
    rows.append((name,pat,op))
def camel(s):
    return "".join(p.capitalize() for p in re.split(r'[_ ]',s.lower()))
# ---- three same (integer)
ts=[("SHADD","UHADD","00000"),("SQADD","UQADD","00001"),("SRHADD","URHADD","00010"),
    ("SHSUB","UHSUB","00100"),("SQSUB","UQSUB","00101"),("CMGT","CMHI","00110"),("CMGE","CMHS","00111"),
    ("SSHL","USHL","01000"),("SQSHL","UQSHL","01001"),("SRSHL","URSHL","01010"),("SQRSHL","UQRSHL","01011"),
    ("SMAX","UMAX","01100"),("SMIN","UMIN","01101"),("SABD","UABD","01110"),("SABA","UABA","01111"),
    ("ADD","SUB","10000"),("CMTST","CMEQ","10001"),("MLA","MLS","10010"),("MUL","PMUL","10011"),
    ("SMAXP","UMAXP","10100"),("SMINP","UMINP","10101"),("SQDMULH","SQRDMULH","10110"),("ADDP",None,"10111")]
for s,u,opc in ts:
    for U,mn in (("0",s),("1",u)):
        if mn is None: continue
        add(mn+"_v","0q"+U+"01110ss1mmmmm"+opc+"1nnnnnddddd",camel(mn))
for U,sz,mn in (("0","00","AND"),("0","01","BIC"),("0","10","ORR"),("0","11","ORN"),("1","00","EOR"),("1","01","BSL"),("1","10","BIT"),("1","11","BIF")):
    add(mn+"_v","0q"+U+"01110"+sz+"1mmmmm000111nnnnnddddd",camel(mn))
scalar_ts={"SQADD","UQADD","SQSUB","UQSUB","CMGT","CMHI","CMGE","CMHS","SSHL","USHL","SQSHL","UQSHL","SRSHL","URSHL","SQRSHL","UQRSHL","ADD","SUB","CMTST","CMEQ","SQDMULH","SQRDMULH"}
for s,u,opc in ts:
    for U,mn in (("0",s),("1",u)):
        if mn in scalar_ts:
            add(mn+"_s","01"+U+"11110ss1mmmmm"+opc+"1nnnnnddddd",camel(mn))
# ---- three different
td=[("SADDL","UADDL","0000"),("SADDW","UADDW","0001"),("SSUBL","USUBL","0010"),("SSUBW","USUBW","0011"),
    ("ADDHN","RADDHN","0100"),("SABAL","UABAL","0101"),("SUBHN","RSUBHN","0110"),("SABDL","UABDL","0111"),
    ("SMLAL","UMLAL","1000"),("SQDMLAL",None,"1001"),("SMLSL","UMLSL","1010"),("SQDMLSL",None,"1011"),
    ("SMULL","UMULL","1100"),("SQDMULL",None,"1101"),("PMULL",None,"1110")]
for s,u,opc in td:
    for U,mn in (("0",s),("1",u)):
        if mn is None: continue
        add(mn+"_v","0q"+U+"01110ss1mmmmm"+opc+"00nnnnnddddd",camel(mn))
for mn,opc in (("SQDMLAL","1001"),("SQDMLSL","1011"),("SQDMULL","1101")):
    add(mn+"_s","01011110ss1mmmmm"+opc+"00nnnnnddddd",camel(mn))
# ---- two-reg misc
tm=[("0","00000","REV64"),("0","00001","REV16"),("0","00010","SADDLP"),("0","00011","SUQADD"),("0","00100","CLS"),
    ("0","00101","CNT"),("0","00110","SADALP"),("0","00111","SQABS"),("0","01000","CMGT_zero"),("0","01001","CMEQ_zero"),
    ("0","01010","CMLT_zero"),("0","01011","ABS"),("0","10010","XTN"),("0","10100","SQXTN"),
    ("1","00000","REV32"),("1","00010","UADDLP"),("1","00011","USQADD"),("1","00100","CLZ"),
    ("1","00110","UADALP"),("1","00111","SQNEG"),("1","01000","CMGE_zero"),("1","01001","CMLE_zero"),("1","01011","NEG"),
    ("1","10010","SQXTUN"),("1","10011","SHLL"),("1","10100","UQXTN")]
for U,opc,mn in tm:
    add(mn+"_v","0q"+U+"01110ss10000"+opc+"10nnnnnddddd",camel(mn))
add("NOT_v","0q10111000100000010110nnnnnddddd","Not")
add("RBIT_v","0q10111001100000010110nnnnnddddd","Rbit")
add("URECPE_v","0q0011101s100001110010nnnnnddddd","Urecpe")
add("URSQRTE_v","0q1011101s100001110010nnnnnddddd","Ursqrte")
for U,opc,mn in tm:
    if mn in ("SUQADD","SQABS","CMGT_zero","CMEQ_zero","CMLT_zero","ABS","SQXTN","USQADD","SQNEG","CMGE_zero","CMLE_zero","NEG","SQXTUN","UQXTN"):
        add(mn+"_s","01"+U+"11110ss10000"+opc+"10nnnnnddddd",camel(mn))
# ---- across lanes
for U,opc,mn in (("0","00011","SADDLV"),("1","00011","UADDLV"),("0","01010","SMAXV"),("1","01010","UMAXV"),("0","11010","SMINV"),("1","11010","UMINV"),("0","11011","ADDV")):
    add(mn,"0q"+U+"01110ss11000"+opc+"10nnnnnddddd",camel(mn))
add("ADDP_s","01011110ss110001101110nnnnnddddd","Addp")
# ---- copy
add("DUP_element_v","0q001110000iiiii000001nnnnnddddd","DupElement")
add("DUP_general","0q001110000iiiii000011nnnnnddddd","DupGeneral")
add("INS_general","01001110000iiiii000111nnnnnddddd","InsGeneral")
add("SMOV","0q001110000iiiii001011nnnnnddddd","Smov")
add("UMOV","0q001110000iiiii001111nnnnnddddd","Umov")
add("INS_element","01101110000iiiii0jjjj1nnnnnddddd","InsElement")
add("DUP_element_s","01011110000iiiii000001nnnnnddddd","DupElement")
# ---- permute, extract, table
for opc,mn in (("001","UZP1"),("010","TRN1"),("011","ZIP1"),("101","UZP2"),("110","TRN2"),("111","ZIP2")):
    add(mn,"0q001110ss0mmmmm0"+opc+"10nnnnnddddd",camel(mn))
add("EXT","0q101110000mmmmm0iiii0nnnnnddddd","Ext")
add("TBL","0q001110000mmmmm0ll000nnnnnddddd","Tbl")
add("TBX","0q001110000mmmmm0ll100nnnnnddddd","Tbx")
# ---- modified immediate (before shifts: immh = 0000)
add("MOVI_family","0qo0111100000abccccc01defghddddd","ModImm")
# ---- shift by immediate
sh=[("0","00000","SSHR"),("0","00010","SSRA"),("0","00100","SRSHR"),("0","00110","SRSRA"),("0","01010","SHL"),
    ("0","01110","SQSHL_imm"),("0","10000","SHRN"),("0","10001","RSHRN"),("0","10010","SQSHRN"),("0","10011","SQRSHRN"),("0","10100","SSHLL"),
    ("1","00000","USHR"),("1","00010","USRA"),("1","00100","URSHR"),("1","00110","URSRA"),("1","01000","SRI"),("1","01010","SLI"),
    ("1","01100","SQSHLU"),("1","01110","UQSHL_imm"),("1","10000","SQSHRUN"),("1","10001","SQRSHRUN"),("1","10010","UQSHRN"),("1","10011","UQRSHRN"),("1","10100","USHLL")]
for U,opc,mn in sh:
    add(mn+"_v","0q"+U+"011110hhhhbbb"+opc+"1nnnnnddddd",camel(mn))
for U,opc,mn in sh:
    if mn in ("SHRN","RSHRN","SSHLL","USHLL"): continue
    add(mn+"_s","01"+U+"111110hhhhbbb"+opc+"1nnnnnddddd",camel(mn))
# ---- by element
be=[("0","0010","SMLAL"),("0","0011","SQDMLAL"),("0","0110","SMLSL"),("0","0111","SQDMLSL"),("0","1000","MUL"),
    ("0","1010","SMULL"),("0","1011","SQDMULL"),("0","1100","SQDMULH"),("0","1101","SQRDMULH"),
    ("1","0000","MLA"),("1","0010","UMLAL"),("1","0100","MLS"),("1","0110","UMLSL"),("1","1010","UMULL")]
for U,opc,mn in be:
    add(mn+"_elem_v","0q"+U+"01111sslmmmmm"+opc+"x0nnnnnddddd",camel(mn+"_elem"))
for U,opc,mn in be:
    if mn in ("SQDMLAL","SQDMLSL","SQDMULL","SQDMULH","SQRDMULH"):
        add(mn+"_elem_s","01"+U+"11111sslmmmmm"+opc+"x0nnnnnddddd",camel(mn+"_elem"))

# ---- FP three same (a = bit 23 is part of the opcode, z = sz)
fts=[("0","0","11000","FMAXNM"),("0","0","11001","FMLA"),("0","0","11010","FADD"),("0","0","11011","FMULX"),
     ("0","0","11100","FCMEQ"),("0","0","11110","FMAX"),("0","0","11111","FRECPS"),
     ("0","1","11000","FMINNM"),("0","1","11001","FMLS"),("0","1","11010","FSUB"),("0","1","11110","FMIN"),("0","1","11111","FRSQRTS"),
     ("1","0","11000","FMAXNMP"),("1","0","11010","FADDP"),("1","0","11011","FMUL"),("1","0","11100","FCMGE"),
     ("1","0","11101","FACGE"),("1","0","11110","FMAXP"),("1","0","11111","FDIV"),
     ("1","1","11000","FMINNMP"),("1","1","11010","FABD"),("1","1","11100","FCMGT"),("1","1","11101","FACGT"),("1","1","11110","FMINP")]
for U,a,opc,mn in fts:
    add(mn+"_v","0q"+U+"01110"+a+"z1mmmmm"+opc+"1nnnnnddddd",camel(mn))
for U,a,opc,mn in fts:
    if mn in ("FMULX","FCMEQ","FRECPS","FRSQRTS","FCMGE","FACGE","FABD","FCMGT","FACGT"):
        add(mn+"_s","01"+U+"11110"+a+"z1mmmmm"+opc+"1nnnnnddddd",camel(mn))
# ---- FP two-register misc
ftm=[("0","0","10110","FCVTN"),("0","0","10111","FCVTL"),("0","0","11000","FRINTN"),("0","0","11001","FRINTM"),
     ("0","0","11010","FCVTNS"),("0","0","11011","FCVTMS"),("0","0","11100","FCVTAS"),("0","0","11101","SCVTF"),
     ("0","1","01100","FCMGT_zero"),("0","1","01101","FCMEQ_zero"),("0","1","01110","FCMLT_zero"),("0","1","01111","FABS"),
     ("0","1","11000","FRINTP"),("0","1","11001","FRINTZ"),("0","1","11010","FCVTPS"),("0","1","11011","FCVTZS"),("0","1","11101","FRECPE"),
     ("1","0","10110","FCVTXN"),("1","0","11000","FRINTA"),("1","0","11001","FRINTX"),("1","0","11010","FCVTNU"),
     ("1","0","11011","FCVTMU"),("1","0","11100","FCVTAU"),("1","0","11101","UCVTF"),
     ("1","1","01100","FCMGE_zero"),("1","1","01101","FCMLE_zero"),("1","1","01111","FNEG"),("1","1","11001","FRINTI"),
     ("1","1","11010","FCVTPU"),("1","1","11011","FCVTZU"),("1","1","11101","FRSQRTE"),("1","1","11111","FSQRT")]
for U,a,opc,mn in ftm:
    add(mn+"_v","0q"+U+"01110"+a+"z10000"+opc+"10nnnnnddddd",camel(mn))
for U,a,opc,mn in ftm:
    if mn in ("FCVTNS","FCVTMS","FCVTAS","SCVTF","FCMGT_zero","FCMEQ_zero","FCMLT_zero","FCVTPS","FCVTZS","FRECPE",
              "FCVTXN","FCVTNU","FCVTMU","FCVTAU","UCVTF","FCMGE_zero","FCMLE_zero","FCVTPU","FCVTZU","FRSQRTE"):
        add(mn+"_s","01"+U+"11110"+a+"z10000"+opc+"10nnnnnddddd",camel(mn))
add("FRECPX_s","010111101z100001111110nnnnnddddd","Frecpx")
# ---- FP across lanes and scalar pairwise
for a,opc,mn in (("0","01100","FMAXNMV"),("1","01100","FMINNMV"),("0","01111","FMAXV"),("1","01111","FMINV")):
    add(mn,"0q101110"+a+"z11000"+opc+"10nnnnnddddd",camel(mn))
for a,opc,mn in (("0","01100","FMAXNMP"),("0","01101","FADDP"),("0","01111","FMAXP"),("1","01100","FMINNMP"),("1","01111","FMINP")):
    add(mn+"_s","01111110"+a+"z11000"+opc+"10nnnnnddddd",camel(mn))
# ---- FP fixed-point conversions (shift by immediate class)
for U,opc,mn in (("0","11100","SCVTF_fix"),("1","11100","UCVTF_fix"),("0","11111","FCVTZS_fix"),("1","11111","FCVTZU_fix")):
    add(mn+"_v","0q"+U+"011110hhhhbbb"+opc+"1nnnnnddddd",camel(mn))
    add(mn+"_s","01"+U+"111110hhhhbbb"+opc+"1nnnnnddddd",camel(mn))
# ---- FP by element
for U,opc,mn in (("0","0001","FMLA"),("0","0101","FMLS"),("0","1001","FMUL"),("1","1001","FMULX")):
    add(mn+"_elem_v","0q"+U+"01111sslmmmmm"+opc+"x0nnnnnddddd",camel(mn+"_elem"))
    add(mn+"_elem_s","01"+U+"11111sslmmmmm"+opc+"x0nnnnnddddd",camel(mn+"_elem"))
names=[r[0] for r in rows]
assert len(set(names))==len(names)
ops=[]
for r in rows:
    if r[2] not in ops: ops.append(r[2])
if sys.argv[1]=="ops":
    for o in ops: print(f"    {o},")
else:
    for n,p,o in rows: print(f'    r("{n}", "{p}", {o}),')
print(len(rows),len(ops),file=sys.stderr)
