//! binfmt_misc registration: `--binfmt install|uninstall|status|print-conf|help`.
//!
//! Once registered, the kernel runs every aarch64 ELF executable (64-bit, little-endian,
//! ET_EXEC or ET_DYN, EM_AARCH64: QEMU's magic and mask exactly) through this emulator, so
//! `./prog`, chroots and containers work transparently. What the kernel passes us when it does
//! is handled in `config` ([`crate::config::Invocation`]); this module only manages the entry.
//!
//! Invariants:
//! - An entry is created by one `write` of one complete, validated line to
//!   `/proc/sys/fs/binfmt_misc/register` (the kernel parses it atomically: the entry exists
//!   whole or not at all), then read back; if the kernel's view differs from what we asked for,
//!   the entry is removed again and the command fails. No half-written entry is ever left.
//! - Nothing is written without root, and nothing outside binfmt_misc is changed except
//!   mounting binfmt_misc when it is not mounted.
//! - An enabled entry under another name that already claims aarch64 ELF files is reported,
//!   and installation stops unless `--force` is given (the kernel tries the newest entry first,
//!   so ours would take precedence until the other one is registered again).
//! - Parsing the kernel's entry files never panics: unknown lines are ignored, bad hex fails.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Default entry name (`/proc/sys/fs/binfmt_misc/qemu-aarch64-lite`).
pub const DEFAULT_NAME: &str = "qemu-aarch64-lite";

/// Default flags: P (the guest sees the argv[0] it was invoked with, as natively) and F (the
/// kernel opens the interpreter at registration, so it runs inside chroots and containers
/// whose root does not hold it; this needs the static binary). See README, "Run arm64 programs
/// transparently", for why O and C are not defaults.
pub const DEFAULT_FLAGS: &str = "PF";

/// Where binfmt_misc is mounted.
pub const MOUNT_POINT: &str = "/proc/sys/fs/binfmt_misc";

/// QEMU's aarch64 magic (scripts/qemu-binfmt-conf.sh): ELF, ELFCLASS64, ELFDATA2LSB,
/// EV_CURRENT, any OS ABI, e_type ET_EXEC or ET_DYN (the mask drops bit 0), EM_AARCH64 (183).
pub const MAGIC: [u8; 20] = *b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00";
/// QEMU's aarch64 mask: EI_OSABI (byte 7) ignored, e_type bit 0 ignored.
pub const MASK: [u8; 20] = *b"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff";

/// The kernel's MAX_REGISTER_LENGTH (fs/binfmt_misc.c).
const MAX_REGISTER_LENGTH: usize = 1920;

#[derive(Debug, thiserror::Error)]
pub enum BinfmtError {
    #[error("--binfmt: {0} (try --binfmt help)")]
    Usage(String),
    #[error("--binfmt {0} needs root (binfmt_misc registration is privileged); try: sudo {1}")]
    NotRoot(&'static str, String),
    #[error("binfmt_misc is not available: {0}")]
    Unavailable(String),
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{0}")]
    Conflict(String),
    #[error("no binfmt_misc entry named '{0}' (install one with: qemu-aarch64-lite --binfmt install --name {0})")]
    NotInstalled(String),
    #[error("binfmt_misc entry '{0}' is installed but disabled (enable it with: echo 1 > {MOUNT_POINT}/{0})")]
    Disabled(String),
    #[error("the kernel refused the entry '{name}': {err}")]
    Rejected { name: String, err: std::io::Error },
    #[error("the kernel registered '{0}' differently from what was asked ({1}); the entry was removed again")]
    Mismatch(String, String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BinfmtError + '_ {
    move |err| BinfmtError::Io { path: path.to_path_buf(), err }
}

/// The binfmt_misc flags we understand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// P: preserve argv[0] (the interpreter gets `[interp, path, argv0, args...]`).
    pub preserve_argv0: bool,
    /// O: the kernel opens the program and passes the descriptor (AT_EXECFD).
    pub open_binary: bool,
    /// C: credentials (set-user-ID, capabilities) come from the program; implies O.
    pub credentials: bool,
    /// F: the kernel opens the interpreter at registration (works in other mount namespaces).
    pub fix_binary: bool,
}

impl Flags {
    /// Parse flag letters (any order, each at most once; `-` or empty for none). C implies O,
    /// as in the kernel.
    pub fn parse(s: &str) -> Result<Flags, BinfmtError> {
        let mut f = Flags::default();
        if s == "-" {
            return Ok(f);
        }
        for c in s.chars() {
            let slot = match c {
                'P' => &mut f.preserve_argv0,
                'O' => &mut f.open_binary,
                'C' => &mut f.credentials,
                'F' => &mut f.fix_binary,
                _ => return Err(BinfmtError::Usage(format!("unknown flag '{c}' in '{s}' (flags are P, O, C, F)"))),
            };
            if *slot {
                return Err(BinfmtError::Usage(format!("flag '{c}' given twice in '{s}'")));
            }
            *slot = true;
        }
        f.open_binary |= f.credentials;
        Ok(f)
    }

    /// The letters in the kernel's order (`flags:` line of an entry): P, O, C, F.
    pub fn letters(&self) -> String {
        [(self.preserve_argv0, 'P'), (self.open_binary, 'O'), (self.credentials, 'C'), (self.fix_binary, 'F')]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, c)| *c)
            .collect()
    }
}

/// One binfmt_misc entry as the kernel shows it in `/proc/sys/fs/binfmt_misc/NAME`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub enabled: bool,
    pub interpreter: String,
    /// Flag letters as shown (`flags: POCF`).
    pub flags: String,
    pub offset: usize,
    /// Magic bytes (empty for an extension entry).
    pub magic: Vec<u8>,
    /// Mask bytes; `None` means all ones.
    pub mask: Option<Vec<u8>>,
    /// File name extension, for `E` entries.
    pub extension: Option<String>,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

impl Entry {
    /// Parse the text of an entry file (fs/binfmt_misc.c `entry_status`).
    pub fn parse(name: &str, text: &str) -> Option<Entry> {
        let mut e = Entry { name: name.to_string(), ..Default::default() };
        let mut lines = text.lines();
        e.enabled = match lines.next()?.trim() {
            "enabled" => true,
            "disabled" => false,
            _ => return None,
        };
        for line in lines {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "interpreter" => e.interpreter = value.to_string(),
                "flags:" => e.flags = value.trim().to_string(),
                "offset" => e.offset = value.trim().parse().ok()?,
                "magic" => e.magic = unhex(value)?,
                "mask" => e.mask = Some(unhex(value)?),
                "extension" => e.extension = Some(value.to_string()),
                _ => {}
            }
        }
        Some(e)
    }

    /// Whether this (magic) entry claims a file starting with `head`, as the kernel's
    /// `check_file` decides. Bytes beyond `head` are unknown and taken to match.
    pub fn matches(&self, head: &[u8]) -> bool {
        if self.extension.is_some() || self.magic.is_empty() {
            return false;
        }
        self.magic.iter().enumerate().all(|(j, &m)| {
            let mask = self.mask.as_ref().map_or(0xff, |k| k.get(j).copied().unwrap_or(0xff));
            match head.get(self.offset + j) {
                Some(&b) => (b ^ m) & mask == 0,
                None => true,
            }
        })
    }

    /// Whether this entry claims aarch64 executables (either e_type this emulator runs).
    pub fn claims_aarch64(&self) -> bool {
        self.matches(&aarch64_header(2)) || self.matches(&aarch64_header(3))
    }

    /// Whether it is the entry `install` would create with `interpreter` and `flags`.
    fn is(&self, interpreter: &str, flags: Flags) -> bool {
        let masked = |m: &[u8]| -> Vec<u8> { m.iter().zip(MASK).map(|(a, b)| a & b).collect() };
        self.extension.is_none()
            && self.offset == 0
            && self.interpreter == interpreter
            && Flags::parse(&self.flags).ok() == Some(flags)
            && self.mask.as_deref() == Some(&MASK[..])
            && masked(&self.magic) == masked(&MAGIC)
    }

    fn describe(&self) -> String {
        format!(
            "'{}' ({}, interpreter {}, flags {})",
            self.name,
            if self.enabled { "enabled" } else { "disabled" },
            self.interpreter,
            if self.flags.is_empty() { "none" } else { &self.flags }
        )
    }
}

/// The first 20 bytes of an aarch64 ELF64 little-endian executable header of type `e_type`.
fn aarch64_header(e_type: u8) -> [u8; 20] {
    let mut h = [0u8; 20];
    h[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    h[16] = e_type;
    h[18] = 183; // EM_AARCH64
    h
}

/// `\xHH` for every byte: the kernel unescapes magic and mask, and no byte can then be taken
/// for the `:` delimiter.
fn escape(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\x{b:02x}")).collect()
}

fn check_name(name: &str) -> Result<(), BinfmtError> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name != "register"
        && name != "status"
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(BinfmtError::Usage(format!(
            "invalid entry name '{name}' (use letters, digits, '.', '_', '+', '-'; not 'register' or 'status')"
        )))
    }
}

/// The registration line (also the `binfmt.d` line): `:NAME:M::MAGIC:MASK:INTERPRETER:FLAGS`.
pub fn register_line(name: &str, interpreter: &str, flags: Flags) -> Result<String, BinfmtError> {
    check_name(name)?;
    if !interpreter.starts_with('/') || interpreter.bytes().any(|b| b == b':' || b.is_ascii_control()) {
        return Err(BinfmtError::Usage(format!(
            "the interpreter must be an absolute path without ':' or control characters, not '{interpreter}'"
        )));
    }
    let line = format!(":{name}:M::{}:{}:{interpreter}:{}", escape(&MAGIC), escape(&MASK), flags.letters());
    if line.len() > MAX_REGISTER_LENGTH {
        return Err(BinfmtError::Usage(format!("entry too long for the kernel ({} bytes)", line.len())));
    }
    Ok(line)
}

/// What an interpreter candidate looks like: its PT_INTERP, if any (`Err` when it is not an
/// x86_64-shaped ELF64 file we can read).
fn elf_interp(path: &Path) -> Result<Option<String>, String> {
    use goblin::elf64::header::{Header, SIZEOF_EHDR};
    use goblin::elf64::program_header::{ProgramHeader, SIZEOF_PHDR};
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut eh = [0u8; SIZEOF_EHDR];
    file.read_exact_at(&mut eh, 0).map_err(|_| "not an ELF file".to_string())?;
    if &eh[..4] != b"\x7fELF" || eh[4] != 2 || eh[5] != 1 {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let h = *Header::from_bytes(&eh);
    let phnum = usize::from(h.e_phnum);
    let mut ph = vec![0u8; phnum * SIZEOF_PHDR];
    file.read_exact_at(&mut ph, h.e_phoff).map_err(|_| "truncated program headers".to_string())?;
    for p in ProgramHeader::from_bytes(&ph, phnum) {
        if p.p_type == goblin::elf::program_header::PT_INTERP {
            let mut s = vec![0u8; p.p_filesz.min(4096) as usize];
            file.read_exact_at(&mut s, p.p_offset).map_err(|_| "truncated PT_INTERP".to_string())?;
            let s = s.split(|&b| b == 0).next().unwrap_or(&[]);
            return Ok(Some(String::from_utf8_lossy(s).into_owned()));
        }
    }
    Ok(None)
}

/// Options shared by the subcommands.
struct Opts {
    name: String,
    flags: Flags,
    interpreter: Option<String>,
    force: bool,
}

fn parse_opts(sub: &str, args: &[OsString], allowed: &[&str]) -> Result<Opts, BinfmtError> {
    let mut o =
        Opts { name: DEFAULT_NAME.into(), flags: Flags::parse(DEFAULT_FLAGS)?, interpreter: None, force: false };
    let mut i = 0;
    while i < args.len() {
        let a = args[i].to_string_lossy().into_owned();
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        if !allowed.contains(&key.as_str()) {
            return Err(BinfmtError::Usage(format!("unknown option '{a}' for '{sub}'")));
        }
        let mut value = || -> Result<String, BinfmtError> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            i += 1;
            args.get(i)
                .map(|v| v.to_string_lossy().into_owned())
                .ok_or_else(|| BinfmtError::Usage(format!("option '{key}' needs a value")))
        };
        match key.as_str() {
            "--name" => o.name = value()?,
            "--flags" => o.flags = Flags::parse(&value()?)?,
            "--interpreter" => o.interpreter = Some(value()?),
            "--force" if inline.is_none() => o.force = true,
            _ => return Err(BinfmtError::Usage(format!("option '{a}' takes no value"))),
        }
        i += 1;
    }
    check_name(&o.name)?;
    Ok(o)
}

pub const HELP: &str = "\
usage: qemu-aarch64-lite --binfmt COMMAND [OPTIONS]
Manage the binfmt_misc entry that makes the kernel run aarch64 programs through this emulator.

Commands:
  install [--flags FLAGS] [--name NAME] [--interpreter PATH] [--force]
      register (needs root; mounts binfmt_misc if needed). FLAGS are binfmt_misc letters:
        P  preserve argv[0]                 O  open the program for us (execute-only files)
        C  credentials from the program (set-user-ID; implies O; see README before using)
        F  open the interpreter now: works in chroots and containers
      default flags PF, default name qemu-aarch64-lite, default interpreter this executable.
      Refuses when another enabled entry claims aarch64 ELF files; --force registers anyway
      (the newest entry wins) and replaces an entry of the same name with other settings.
  uninstall [--name NAME]
      remove the entry (needs root).
  status [--name NAME]
      show the entry and any other entry claiming aarch64 ELF files; exit status 0 when the
      entry is installed and enabled, 1 otherwise.
  print-conf [--flags FLAGS] [--name NAME] [--interpreter PATH]
      print the line for a systemd binfmt.d file, e.g.
      /usr/lib/binfmt.d/qemu-aarch64-lite.conf.
  help
      this text.
";

/// Run `--binfmt ARGS...`, printing results on stdout.
pub fn run(args: &[OsString]) -> Result<(), BinfmtError> {
    let Some(sub) = args.first().map(|s| s.to_string_lossy().into_owned()) else {
        return Err(BinfmtError::Usage("missing command: install, uninstall, status, print-conf or help".into()));
    };
    let rest = &args[1..];
    match sub.as_str() {
        "install" => install(&parse_opts(&sub, rest, &["--name", "--flags", "--interpreter", "--force"])?),
        "uninstall" => uninstall(&parse_opts(&sub, rest, &["--name"])?.name),
        "status" => status(&parse_opts(&sub, rest, &["--name"])?.name),
        "print-conf" => {
            let o = parse_opts(&sub, rest, &["--name", "--flags", "--interpreter"])?;
            let interp = match &o.interpreter {
                Some(p) => p.clone(),
                None => own_path()?,
            };
            println!("{}", register_line(&o.name, &interp, o.flags)?);
            Ok(())
        }
        "help" | "-h" | "--help" => {
            print!("{HELP}");
            Ok(())
        }
        _ => Err(BinfmtError::Usage(format!("unknown command '{sub}'"))),
    }
}

/// Absolute path of this executable.
fn own_path() -> Result<String, BinfmtError> {
    let p = std::env::current_exe().map_err(io_err(Path::new("/proc/self/exe")))?;
    let s = p.to_string_lossy().into_owned();
    if s.ends_with(" (deleted)") {
        return Err(BinfmtError::Usage(format!("this executable was deleted ({s}); pass --interpreter PATH")));
    }
    Ok(s)
}

fn require_root(what: &'static str, cmdline: String) -> Result<(), BinfmtError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(BinfmtError::NotRoot(what, cmdline));
    }
    Ok(())
}

fn register_path() -> PathBuf {
    Path::new(MOUNT_POINT).join("register")
}

fn is_mounted() -> bool {
    register_path().exists()
}

/// Mount binfmt_misc at [`MOUNT_POINT`] unless it is mounted (as systemd does: nosuid, nodev,
/// noexec).
fn ensure_mounted() -> Result<(), BinfmtError> {
    if is_mounted() {
        return Ok(());
    }
    if !Path::new(MOUNT_POINT).is_dir() {
        let known = std::fs::read_to_string("/proc/filesystems").map(|s| s.contains("binfmt_misc")).unwrap_or(false);
        return Err(BinfmtError::Unavailable(if known {
            format!("{MOUNT_POINT} does not exist (is /proc mounted?)")
        } else {
            "this kernel has no binfmt_misc (try: modprobe binfmt_misc)".into()
        }));
    }
    let c = |s: &str| std::ffi::CString::new(s).expect("constant without NUL");
    let (src, target, fstype) = (c("binfmt_misc"), c(MOUNT_POINT), c("binfmt_misc"));
    let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    // SAFETY: valid NUL-terminated strings; no data argument.
    let r = unsafe { libc::mount(src.as_ptr(), target.as_ptr(), fstype.as_ptr(), flags, std::ptr::null()) };
    if r != 0 {
        let err = std::io::Error::last_os_error();
        return Err(BinfmtError::Unavailable(format!("cannot mount binfmt_misc on {MOUNT_POINT}: {err}")));
    }
    if !is_mounted() {
        return Err(BinfmtError::Unavailable(format!("mounted binfmt_misc on {MOUNT_POINT} but it has no 'register'")));
    }
    println!("mounted binfmt_misc on {MOUNT_POINT}");
    Ok(())
}

/// Read one entry; `Ok(None)` when there is none of that name.
fn read_entry(name: &str) -> Result<Option<Entry>, BinfmtError> {
    let path = Path::new(MOUNT_POINT).join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(Entry::parse(name, &text).ok_or_else(|| BinfmtError::Io {
            path,
            err: std::io::Error::new(std::io::ErrorKind::InvalidData, "unrecognised entry format"),
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(BinfmtError::Io { path, err }),
    }
}

/// Every entry, by name order.
fn entries() -> Result<Vec<Entry>, BinfmtError> {
    let dir = Path::new(MOUNT_POINT);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(io_err(dir))?
        .filter_map(|d| d.ok())
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "register" && n != "status")
        .collect();
    names.sort();
    let mut out = Vec::new();
    for n in names {
        if let Some(e) = read_entry(&n)? {
            out.push(e);
        }
    }
    Ok(out)
}

/// Write `-1` to an entry: the kernel removes it.
fn remove_entry(name: &str) -> Result<(), BinfmtError> {
    let path = Path::new(MOUNT_POINT).join(name);
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).map_err(io_err(&path))?;
    f.write_all(b"-1").map_err(io_err(&path))
}

fn kernel_version() -> Option<(u32, u32)> {
    let rel = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
    let mut it = rel.trim().split(|c: char| !c.is_ascii_digit());
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

fn warn(msg: &str) {
    eprintln!("qemu-aarch64-lite: warning: {msg}");
}

fn install(o: &Opts) -> Result<(), BinfmtError> {
    let interp = match &o.interpreter {
        Some(p) => p.clone(),
        None => own_path()?,
    };
    let line = register_line(&o.name, &interp, o.flags)?;
    let ipath = Path::new(&interp);
    let meta = std::fs::metadata(ipath).map_err(io_err(ipath))?;
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(BinfmtError::Usage(format!("the interpreter {interp} is not an executable file")));
    }
    match elf_interp(ipath) {
        Ok(Some(ld)) if o.flags.fix_binary => warn(&format!(
            "{interp} is dynamically linked (needs {ld}): in chroots and containers without that \
             loader and its libraries the programs will fail; install a static build"
        )),
        Err(why) => warn(&format!("{interp}: {why}; is it really qemu-aarch64-lite?")),
        _ => {}
    }
    require_root("install", format!("{} --binfmt install", interp))?;
    ensure_mounted()?;

    if let Some(old) = read_entry(&o.name)? {
        if old.is(&interp, o.flags) {
            if !old.enabled {
                return Err(BinfmtError::Disabled(o.name.clone()));
            }
            println!("already installed: {}", old.describe());
            return Ok(());
        }
        if !o.force {
            return Err(BinfmtError::Conflict(format!(
                "an entry named {} already exists with other settings; remove it with \
                 'qemu-aarch64-lite --binfmt uninstall --name {}' or add --force to replace it",
                old.describe(),
                o.name
            )));
        }
        remove_entry(&o.name)?;
        println!("removed the previous entry {}", old.describe());
    }

    let others: Vec<Entry> =
        entries()?.into_iter().filter(|e| e.name != o.name && e.enabled && e.claims_aarch64()).collect();
    if !others.is_empty() {
        let list: Vec<String> = others.iter().map(|e| e.describe()).collect();
        let advice = others.iter().map(|e| format!("echo 0 > {MOUNT_POINT}/{}", e.name)).collect::<Vec<_>>().join("; ");
        let msg = format!(
            "aarch64 programs are already claimed by {}. Disable it ({advice}) or remove the package \
             that registers it (Debian: qemu-user-binfmt or qemu-user-static), or add --force: the \
             kernel tries the newest entry first, so ours would take precedence until the other one \
             is registered again (e.g. by systemd-binfmt at boot)",
            list.join(", ")
        );
        if !o.force {
            return Err(BinfmtError::Conflict(msg));
        }
        warn(&msg);
    }
    if o.flags.preserve_argv0 && !interp.ends_with(crate::config::BINFMT_P_SUFFIX) {
        if let Some(v) = kernel_version().filter(|&v| v < (5, 12)) {
            warn(&format!(
                "Linux {}.{} does not report the P flag to the interpreter (AT_FLAGS needs 5.12); \
                 register a link to this program whose name ends in '{}' as the interpreter",
                v.0,
                v.1,
                crate::config::BINFMT_P_SUFFIX
            ));
        }
    }

    let reg = register_path();
    let mut f = std::fs::OpenOptions::new().write(true).open(&reg).map_err(io_err(&reg))?;
    // One write of the whole line: the kernel creates the entry from it entirely or not at all.
    match f.write(line.as_bytes()) {
        Ok(n) if n == line.len() => {}
        Ok(n) => {
            let _ = remove_entry(&o.name);
            return Err(BinfmtError::Mismatch(o.name.clone(), format!("short write: {n} of {} bytes", line.len())));
        }
        Err(err) => return Err(BinfmtError::Rejected { name: o.name.clone(), err }),
    }
    match read_entry(&o.name) {
        Ok(Some(e)) if e.is(&interp, o.flags) && e.enabled => {
            println!("installed {}", e.describe());
            Ok(())
        }
        other => {
            let _ = remove_entry(&o.name);
            Err(BinfmtError::Mismatch(o.name.clone(), format!("read back {other:?}")))
        }
    }
}

fn uninstall(name: &str) -> Result<(), BinfmtError> {
    require_root("uninstall", format!("qemu-aarch64-lite --binfmt uninstall --name {name}"))?;
    if !is_mounted() {
        return Err(BinfmtError::NotInstalled(name.into()));
    }
    let Some(e) = read_entry(name)? else {
        return Err(BinfmtError::NotInstalled(name.into()));
    };
    remove_entry(name)?;
    if read_entry(name)?.is_some() {
        return Err(BinfmtError::Conflict(format!("the kernel kept the entry '{name}' after removal")));
    }
    println!("removed {}", e.describe());
    Ok(())
}

fn status(name: &str) -> Result<(), BinfmtError> {
    if !is_mounted() {
        println!("binfmt_misc is not mounted on {MOUNT_POINT}");
        return Err(BinfmtError::NotInstalled(name.into()));
    }
    let all = entries()?;
    let global = std::fs::read_to_string(Path::new(MOUNT_POINT).join("status")).unwrap_or_default();
    println!("binfmt_misc: mounted on {MOUNT_POINT}, {}", global.trim());
    let ours = all.iter().find(|e| e.name == name);
    match ours {
        Some(e) => {
            println!("entry {}", e.describe());
            if !e.is(&e.interpreter, Flags::parse(&e.flags).unwrap_or_default()) {
                println!("  note: its magic or mask differs from qemu-aarch64-lite's");
            }
        }
        None => println!("no entry named '{name}'"),
    }
    for e in all.iter().filter(|e| e.name != name && e.claims_aarch64()) {
        println!("also claiming aarch64 programs: {}", e.describe());
    }
    match ours {
        Some(e) if e.enabled => Ok(()),
        Some(_) => Err(BinfmtError::Disabled(name.into())),
        None => Err(BinfmtError::NotInstalled(name.into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// QEMU's line for aarch64 (scripts/qemu-binfmt-conf.sh), as Debian installs it in
    /// /usr/lib/binfmt.d/qemu-aarch64.conf.
    const QEMU_LINE: &str = r":qemu-aarch64:M::\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OP";

    #[test]
    fn line_matches_qemu_magic_and_mask() {
        let ours =
            register_line("qemu-aarch64", "/usr/libexec/qemu-binfmt/aarch64-binfmt-P", Flags::parse("PO").unwrap())
                .unwrap();
        // Same bytes up to the flags, whose order the kernel ignores (Debian writes "OP").
        let upto_flags = |l: &str| l.rsplit_once(':').map(|(a, _)| a.to_lowercase());
        assert_eq!(upto_flags(&ours), upto_flags(QEMU_LINE));
        assert_eq!(ours.rsplit(':').next(), Some("PO"));
        assert_eq!(
            register_line(DEFAULT_NAME, "/usr/bin/qemu-aarch64-lite", Flags::parse(DEFAULT_FLAGS).unwrap())
                .unwrap()
                .rsplit(':')
                .next(),
            Some("PF")
        );
    }

    #[test]
    fn flags() {
        assert_eq!(Flags::parse("FP").unwrap().letters(), "PF");
        assert_eq!(Flags::parse("C").unwrap().letters(), "OC");
        assert_eq!(Flags::parse("POCF").unwrap().letters(), "POCF");
        assert_eq!(Flags::parse("").unwrap(), Flags::default());
        assert_eq!(Flags::parse("-").unwrap(), Flags::default());
        assert!(Flags::parse("X").is_err());
        assert!(Flags::parse("PP").is_err());
    }

    #[test]
    fn names_and_interpreters() {
        for bad in ["", ".", "..", "a/b", "a:b", "register", "status", "a b", "a\n"] {
            assert!(register_line(bad, "/bin/x", Flags::default()).is_err(), "{bad:?}");
        }
        for bad in ["rel/path", "/a:b", "/a\nb", ""] {
            assert!(register_line("n", bad, Flags::default()).is_err(), "{bad:?}");
        }
        assert!(register_line("qal-test-12-3", "/x", Flags::default()).is_ok());
        assert!(register_line("n", &format!("/{}", "a".repeat(2000)), Flags::default()).is_err());
    }

    const QEMU_ENTRY: &str = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PO\noffset 0\n\
        magic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n";

    #[test]
    fn parse_entry_and_match() {
        let e = Entry::parse("qemu-aarch64", QEMU_ENTRY).unwrap();
        assert!(e.enabled);
        assert_eq!(e.interpreter, "/usr/libexec/qemu-binfmt/aarch64-binfmt-P");
        assert_eq!(e.flags, "PO");
        assert_eq!((e.magic.as_slice(), e.mask.as_deref()), (&MAGIC[..], Some(&MASK[..])));
        assert!(e.claims_aarch64());
        assert!(e.is("/usr/libexec/qemu-binfmt/aarch64-binfmt-P", Flags::parse("OP").unwrap()));
        assert!(!e.is("/usr/libexec/qemu-binfmt/aarch64-binfmt-P", Flags::parse("OPF").unwrap()));
        assert!(!e.is("/other", Flags::parse("OP").unwrap()));
        // ET_REL (1) and ET_CORE (4) are not executables; x86_64 (62) and big-endian are others'.
        let mut h = aarch64_header(1);
        assert!(!e.matches(&h));
        h[16] = 4;
        assert!(!e.matches(&h));
        let mut h = aarch64_header(3);
        h[7] = 3; // ELFOSABI_GNU: ignored by the mask
        assert!(e.matches(&h));
        h[18] = 62;
        assert!(!e.matches(&h));
        let mut h = aarch64_header(2);
        h[5] = 2;
        assert!(!e.matches(&h));

        let x86 =
            "enabled\ninterpreter /usr/bin/box\nflags: \noffset 0\nmagic 7f454c4602010100000000000000000002003e00\n";
        let x = Entry::parse("x86", x86).unwrap();
        assert_eq!(x.mask, None);
        assert!(!x.claims_aarch64());
        let ext = Entry::parse("py", "disabled\ninterpreter /usr/bin/python3\nflags: \nextension .py\n").unwrap();
        assert!(!ext.enabled && !ext.claims_aarch64());
        // A catch-all "\x7fELF" entry at offset 0 claims aarch64 too.
        let all = Entry::parse("elf", "enabled\ninterpreter /x\nflags: F\noffset 0\nmagic 7f454c46\n").unwrap();
        assert!(all.claims_aarch64());
        assert_eq!(Entry::parse("bad", "weird\n"), None);
        assert_eq!(Entry::parse("bad", "enabled\nmagic 7f4\n"), None);
    }

    #[test]
    fn options() {
        let a = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        let all = ["--name", "--flags", "--interpreter", "--force"];
        let o = parse_opts("install", &a(&["--flags", "F", "--name=x", "--force"]), &all).unwrap();
        assert_eq!((o.flags.letters().as_str(), o.name.as_str(), o.force), ("F", "x", true));
        let o = parse_opts("install", &[], &all).unwrap();
        assert_eq!((o.flags.letters().as_str(), o.name.as_str(), o.force), ("PF", DEFAULT_NAME, false));
        assert!(parse_opts("uninstall", &a(&["--flags", "F"]), &["--name"]).is_err());
        assert!(parse_opts("install", &a(&["--name"]), &all).is_err());
        assert!(parse_opts("install", &a(&["--force=1"]), &all).is_err());
        assert!(parse_opts("install", &a(&["--name", "a/b"]), &all).is_err());
        assert!(run(&a(&["bogus"])).is_err());
        assert!(run(&[]).is_err());
    }
}
