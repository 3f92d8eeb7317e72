//! `cargo xtask gen-syscalls [--check]`: generate `src/linux/syscall/nr.rs` from the arm64 kernel
//! UAPI headers that Debian's cross packages install.
//!
//! The header `asm-generic/unistd.h` is evaluated as the arm64 kernel build sees it: a tiny
//! preprocessor follows `#if/#ifdef/#ifndef/#else/#endif` with the macros that
//! `asm/unistd.h` (arm64) defines (`__ARCH_WANT_*`) and `__BITS_PER_LONG == 64`, no
//! `__SYSCALL_COMPAT`. `#define __NR_x N` gives a number; `#define __NR_x __NR3264_y` gives the
//! 64-bit name of a `__NR3264_y` number (fstat = 80, lseek = 62, mmap = 222, ...).
//! When `aarch64-linux-gnu-gcc` is installed the result is cross-checked against
//! `gcc -E -dM` of `<asm/unistd.h>` (the real preprocessor), and any difference is an error.
//!
//! `--check` compares the generated text with the committed file instead of writing it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

const INCLUDE: &str = "/usr/aarch64-linux-gnu/include";
const OUT: &str = "src/linux/syscall/nr.rs";

/// `#define` names in `__NR_*` space that are not syscalls.
const NOT_SYSCALLS: &[&str] = &["syscalls", "arch_specific_syscall"];

pub fn run(args: &[String]) -> Result<(), String> {
    let check = args.iter().any(|a| a == "--check");
    let include = PathBuf::from(INCLUDE);
    let arch_defs = arch_wants(&include.join("asm/unistd.h"))?;
    let generic = std::fs::read_to_string(include.join("asm-generic/unistd.h"))
        .map_err(|e| format!("{}/asm-generic/unistd.h: {e}", include.display()))?;
    let table = parse_unistd(&generic, &arch_defs)?;
    if let Some(gcc) = gcc_table()? {
        if gcc != table {
            let mut diff = String::new();
            for (n, v) in &table {
                if gcc.get(n) != Some(v) {
                    diff += &format!("  ours {n}={v}, gcc {:?}\n", gcc.get(n));
                }
            }
            for (n, v) in &gcc {
                if !table.contains_key(n) {
                    diff += &format!("  gcc only {n}={v}\n");
                }
            }
            return Err(format!("header evaluation differs from gcc -E -dM:\n{diff}"));
        }
        eprintln!("gen-syscalls: {} numbers, identical to aarch64-linux-gnu-gcc -E -dM", table.len());
    } else {
        eprintln!("gen-syscalls: {} numbers (aarch64-linux-gnu-gcc not found: no cross-check)", table.len());
    }
    let text = render(&table);
    let root = workspace_root();
    let out = root.join(OUT);
    if check {
        let old = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        if old != text {
            return Err(format!("{} is out of date: run `cargo xtask gen-syscalls`", out.display()));
        }
        eprintln!("gen-syscalls: {} is up to date", out.display());
        return Ok(());
    }
    std::fs::write(&out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("gen-syscalls: wrote {}", out.display());
    Ok(())
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// The `#define NAME` lines (no value) of arm64's asm/unistd.h: `__ARCH_WANT_*`.
fn arch_wants(path: &Path) -> Result<HashMap<String, i64>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut defs = HashMap::new();
    for line in text.lines() {
        let mut w = line.split_whitespace();
        if w.next() == Some("#define") {
            if let Some(name) = w.next() {
                defs.insert(name.to_string(), w.next().and_then(|v| v.parse().ok()).unwrap_or(1));
            }
        }
    }
    defs.insert("__BITS_PER_LONG".into(), 64);
    Ok(defs)
}

/// Evaluate asm-generic/unistd.h with `defs`; returns syscall name -> number.
fn parse_unistd(text: &str, defs: &HashMap<String, i64>) -> Result<BTreeMap<String, u32>, String> {
    let mut defs = defs.clone();
    // Stack of (this branch active, some branch of this #if already taken).
    let mut stack: Vec<(bool, bool)> = Vec::new();
    let mut nr3264: HashMap<String, u32> = HashMap::new();
    let mut out = BTreeMap::new();
    // Join backslash-continued lines first.
    let joined = text.replace("\\\n", " ");
    for (lineno, raw) in joined.lines().enumerate() {
        let line = raw.trim();
        if !line.starts_with('#') {
            continue;
        }
        let body = line[1..].trim_start();
        let (kw, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let rest = strip_comment(rest).trim();
        let active = stack.iter().all(|s| s.0);
        let err = |m: &str| format!("asm-generic/unistd.h:{}: {m}: {line}", lineno + 1);
        match kw {
            "if" | "ifdef" | "ifndef" => {
                let v = match kw {
                    "ifdef" => defs.contains_key(rest),
                    "ifndef" => !defs.contains_key(rest),
                    _ => eval(rest, &defs).map_err(|e| err(&e))? != 0,
                };
                stack.push((v, v));
            }
            "elif" => {
                let taken = stack.last().ok_or_else(|| err("#elif without #if"))?.1;
                let v = !taken && eval(rest, &defs).map_err(|e| err(&e))? != 0;
                let top = stack.last_mut().ok_or_else(|| err("#elif without #if"))?;
                *top = (v, taken || v);
            }
            "else" => {
                let top = stack.last_mut().ok_or_else(|| err("#else without #if"))?;
                *top = (!top.1, true);
            }
            "endif" => {
                stack.pop().ok_or_else(|| err("#endif without #if"))?;
            }
            "undef" if active => {
                defs.remove(rest);
            }
            "define" if active => {
                let mut w = rest.split_whitespace();
                let name = w.next().unwrap_or("");
                let value = w.next().unwrap_or("");
                if name.contains('(') {
                    continue; // function-like macro (__SYSCALL, __SC_3264, ...)
                }
                if let Some(n) = name.strip_prefix("__NR3264_") {
                    let v = value.parse().map_err(|_| err("bad __NR3264 value"))?;
                    nr3264.insert(n.to_string(), v);
                } else if let Some(n) = name.strip_prefix("__NR_") {
                    if NOT_SYSCALLS.contains(&n) {
                        continue;
                    }
                    let v = if let Some(alias) = value.strip_prefix("__NR3264_") {
                        *nr3264.get(alias).ok_or_else(|| err("unknown __NR3264 alias"))?
                    } else {
                        value.parse().map_err(|_| err("bad __NR value"))?
                    };
                    out.insert(n.to_string(), v);
                }
                defs.insert(name.to_string(), value.parse().unwrap_or(1));
            }
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("asm-generic/unistd.h: unterminated #if".into());
    }
    Ok(out)
}

fn strip_comment(s: &str) -> &str {
    match s.find("/*") {
        Some(i) => &s[..i],
        None => s,
    }
}

/// Evaluate a preprocessor condition: `defined(X)`, `!`, `&&`, `||`, `==`, `!=`, parentheses,
/// integers and macro names (undefined names are 0, as cpp does).
fn eval(expr: &str, defs: &HashMap<String, i64>) -> Result<i64, String> {
    let toks = tokenize(expr)?;
    let mut p = Parser { toks: &toks, pos: 0, defs };
    let v = p.or()?;
    if p.pos != toks.len() {
        return Err(format!("trailing tokens in '{expr}'"));
    }
    Ok(v)
}

fn tokenize(s: &str) -> Result<Vec<String>, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let st = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(s[st..i].to_string());
        } else if i + 1 < b.len() && matches!(&s[i..i + 2], "&&" | "||" | "==" | "!=") {
            out.push(s[i..i + 2].to_string());
            i += 2;
        } else if matches!(c, b'!' | b'(' | b')') {
            out.push((c as char).to_string());
            i += 1;
        } else {
            return Err(format!("unexpected '{}' in '{s}'", c as char));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: &'a [String],
    pos: usize,
    defs: &'a HashMap<String, i64>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.toks.get(self.pos).map(String::as_str)
    }
    fn next(&mut self) -> Result<String, String> {
        let t = self.toks.get(self.pos).cloned().ok_or("unexpected end of condition")?;
        self.pos += 1;
        Ok(t)
    }
    fn or(&mut self) -> Result<i64, String> {
        let mut v = self.and()?;
        while self.peek() == Some("||") {
            self.pos += 1;
            let r = self.and()?;
            v = i64::from(v != 0 || r != 0);
        }
        Ok(v)
    }
    fn and(&mut self) -> Result<i64, String> {
        let mut v = self.cmp()?;
        while self.peek() == Some("&&") {
            self.pos += 1;
            let r = self.cmp()?;
            v = i64::from(v != 0 && r != 0);
        }
        Ok(v)
    }
    fn cmp(&mut self) -> Result<i64, String> {
        let v = self.unary()?;
        match self.peek() {
            Some("==") => {
                self.pos += 1;
                Ok(i64::from(v == self.unary()?))
            }
            Some("!=") => {
                self.pos += 1;
                Ok(i64::from(v != self.unary()?))
            }
            _ => Ok(v),
        }
    }
    fn unary(&mut self) -> Result<i64, String> {
        let t = self.next()?;
        match t.as_str() {
            "!" => Ok(i64::from(self.unary()? == 0)),
            "(" => {
                let v = self.or()?;
                if self.next()? != ")" {
                    return Err("missing ')'".into());
                }
                Ok(v)
            }
            "defined" => {
                let paren = self.peek() == Some("(");
                if paren {
                    self.pos += 1;
                }
                let name = self.next()?;
                if paren && self.next()? != ")" {
                    return Err("missing ')' after defined".into());
                }
                Ok(i64::from(self.defs.contains_key(&name)))
            }
            _ => {
                if let Ok(n) = t.parse::<i64>() {
                    Ok(n)
                } else {
                    Ok(self.defs.get(&t).copied().unwrap_or(0))
                }
            }
        }
    }
}

/// The same table from the real preprocessor, if the cross compiler is installed.
fn gcc_table() -> Result<Option<BTreeMap<String, u32>>, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let child = Command::new("aarch64-linux-gnu-gcc")
        .args(["-E", "-dM", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let Ok(mut child) = child else { return Ok(None) };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"#include <asm/unistd.h>\n").map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err("aarch64-linux-gnu-gcc -E -dM failed".into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut nr3264 = HashMap::new();
    let mut aliases = Vec::new();
    let mut table = BTreeMap::new();
    for line in text.lines() {
        let mut w = line.split_whitespace();
        if w.next() != Some("#define") {
            continue;
        }
        let (Some(name), Some(value)) = (w.next(), w.next()) else {
            continue;
        };
        if let Some(n) = name.strip_prefix("__NR3264_") {
            nr3264.insert(n.to_string(), value.parse::<u32>().map_err(|e| e.to_string())?);
        } else if let Some(n) = name.strip_prefix("__NR_") {
            if NOT_SYSCALLS.contains(&n) {
                continue;
            }
            match value.strip_prefix("__NR3264_") {
                Some(a) => aliases.push((n.to_string(), a.to_string())),
                None => {
                    table.insert(n.to_string(), value.parse::<u32>().map_err(|e| format!("{name}: {e}"))?);
                }
            }
        }
    }
    for (n, a) in aliases {
        table.insert(n, *nr3264.get(&a).ok_or(format!("gcc: unknown alias __NR3264_{a}"))?);
    }
    Ok(Some(table))
}

fn render(table: &BTreeMap<String, u32>) -> String {
    let mut by_nr: Vec<(u32, &str)> = table.iter().map(|(n, &v)| (v, n.as_str())).collect();
    by_nr.sort();
    let mut s = String::new();
    s += "//! aarch64 Linux syscall numbers, as the arm64 kernel build evaluates\n";
    s += "//! `/usr/aarch64-linux-gnu/include/asm-generic/unistd.h` (with the `__ARCH_WANT_*` macros of\n";
    s += "//! arm64's `asm/unistd.h`, 64-bit names for the `__NR3264_*` numbers).\n";
    s += "//!\n";
    s += "//! GENERATED by `cargo xtask gen-syscalls` (xtask/src/gen_syscalls.rs): do not edit by hand.\n";
    s += "//! `cargo xtask gen-syscalls --check` verifies that this file is up to date.\n\n";
    for (v, n) in &by_nr {
        s += &format!("pub const {}: u32 = {v};\n", n.to_ascii_uppercase());
    }
    s += "\n/// The asm-generic name of syscall `nr` (without `__NR_`), if arm64 defines it.\n";
    s += "pub fn name(nr: u32) -> Option<&'static str> {\n    Some(match nr {\n";
    for (v, n) in &by_nr {
        s += &format!("        {v} => \"{n}\",\n");
    }
    s += "        _ => return None,\n    })\n}\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions() {
        let mut d = HashMap::new();
        d.insert("__BITS_PER_LONG".to_string(), 64);
        d.insert("__ARCH_WANT_X".to_string(), 1);
        assert_eq!(eval("__BITS_PER_LONG == 32 || defined(__SYSCALL_COMPAT)", &d), Ok(0));
        assert_eq!(eval("defined(__ARCH_WANT_TIME32_SYSCALLS) || __BITS_PER_LONG != 32", &d), Ok(1));
        assert_eq!(eval("__BITS_PER_LONG == 64 && !defined(__SYSCALL_COMPAT)", &d), Ok(1));
        assert_eq!(eval("defined __ARCH_WANT_X && (0 || 1)", &d), Ok(1));
        assert!(eval("1 +", &d).is_err());
    }

    #[test]
    fn nested_and_aliases() {
        let text = "#ifdef A\n#define __NR_a 1\n#else\n#define __NR_b 2\n#endif\n\
                    #define __NR3264_x 7\n#if __BITS_PER_LONG == 64\n#define __NR_x __NR3264_x\n\
                    #else\n#define __NR_x64 __NR3264_x\n#endif\n";
        let mut d = HashMap::new();
        d.insert("__BITS_PER_LONG".to_string(), 64);
        let t = parse_unistd(text, &d).unwrap();
        assert_eq!(t.get("b"), Some(&2));
        assert_eq!(t.get("a"), None);
        assert_eq!(t.get("x"), Some(&7));
        assert_eq!(t.get("x64"), None);
    }
}
