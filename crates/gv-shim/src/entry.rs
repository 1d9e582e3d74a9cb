//! The shim's entry point on x86-64 Linux (musl): before the C library sets itself up,
//! it reads the answer a shim remembered for this directory and, while that holds, execs
//! the tool at once. Otherwise it hands over to the C library's own entry point, `_start`,
//! with the stack as the kernel left it, and `main` works the answer out as usual.
//!
//! Why: a reusing shim does a few dozen `stat`s and one small read. Setting up musl and
//! the shim's own Rust code around that cost a go command ~0.04 ms more than those
//! system calls alone (`scripts/bench-shim`: musl's start-up alone ~0.01 ms, the same
//! binary exec'ing from its entry point 0.004 ms over a do-nothing program with no C
//! library). So nothing here uses the C library's state: system calls are made directly
//! ([`gv_core::platform::raw_syscall`]); memory comes from the shim's own allocator, a
//! bump pointer in a static arena that needs nothing from the C library (`heap.rs`), so
//! what this takes lies side by side in two or three pages; and the answer is read by
//! the panic-free reader every shim uses ([`gv_core::answer_cache::read`]). Nothing here
//! may panic: the panic machinery needs thread-local storage, which is not set up yet.
//!
//! The linker is told to start here (`--entry`, in build.rs). It works only in a
//! position-dependent binary, as `scripts/build-shim` links it: a position-independent
//! one would run this before relocating itself, so [`reuse`] checks first and hands over
//! at once when the binary does not sit at the address it was linked for.

use core::ffi::{CStr, c_char};
use core::sync::atomic::{AtomicBool, Ordering};

use gv_core::answer_cache;
use gv_core::answer_cache::read::{self, Answer, Looked, Probe};
use gv_core::platform::raw_syscall::{self as sys, Fd};
use gv_core::{shim, vars};

/// Whether the entry point looked for an answer and found none that holds: `main` then
/// works it out without looking again.
static TRIED: AtomicBool = AtomicBool::new(false);

pub fn tried() -> bool {
    TRIED.load(Ordering::Relaxed)
}

unsafe extern "C" {
    /// The C library's entry point (musl's crt1).
    fn _start() -> !;
}

/// Where the kernel starts the shim: calls [`reuse`] with the stack pointer (argc, then
/// argv, then envp), which returns only when no answer ran, and then jumps to the C
/// library's `_start` with the stack and registers the kernel set.
#[unsafe(naked)]
#[unsafe(no_mangle)]
unsafe extern "C" fn gv_shim_entry() -> ! {
    core::arch::naked_asm!(
        // rbx is callee-saved: it keeps the kernel's stack pointer across the call.
        "mov rbx, rsp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {reuse}",
        "mov rsp, rbx",
        // The kernel starts a process with these zero; `_start` may read rdx.
        "xor ebx, ebx",
        "xor edx, edx",
        "jmp {start}",
        reuse = sym reuse,
        start = sym _start,
    )
}

/// Runs the remembered answer, if one holds; returns when none did.
///
/// # Safety
/// `sp` is the stack pointer the kernel started the process with.
unsafe extern "C" fn reuse(sp: *const usize) {
    if !at_link_address() {
        return;
    }
    crate::heap::touch();
    // SAFETY: the kernel's initial stack: argc, argv[argc] and a null, envp and a null,
    // all strings living as long as the process.
    unsafe {
        let argc = *sp;
        let argv = sp.add(1).cast::<*const c_char>().cast_mut();
        if let Some(env) = Env::read(argv.add(argc + 1).cast_const()) {
            run_answer(argv, &env);
        }
    }
    TRIED.store(true, Ordering::Relaxed);
}

/// Whether the binary runs where it was linked: a pointer stored in its data holds the
/// address the code computes relative to itself only then (a position-independent
/// binary has not relocated itself yet when [`reuse`] runs).
fn at_link_address() -> bool {
    static STORED: &AtomicBool = &TRIED;
    // Read at run time: the compiler would otherwise fold in what it knows.
    // SAFETY: a static, readable and aligned.
    let stored = unsafe { core::ptr::read_volatile(&raw const STORED) };
    core::ptr::eq(stored, &raw const TRIED)
}

/// The most environment entries the entry point takes on (else `main` takes over), which
/// bounds what it allocates well within the shim's arena.
const ENV_ENTRIES: usize = 1024;

/// The longest path `getcwd` returns, with its NUL.
const PATH_MAX: usize = 4096;

/// One `NAME=value` entry of the environment.
struct Var {
    entry: &'static CStr,
    name_len: usize,
}

impl Var {
    fn name(&self) -> &'static [u8] {
        self.entry
            .to_bytes()
            .get(..self.name_len)
            .unwrap_or_default()
    }

    fn value(&self) -> &'static [u8] {
        self.entry
            .to_bytes()
            .get(self.name_len + 1..)
            .unwrap_or_default()
    }
}

/// The environment's variables, as [`gv_core::process::var_os`] sees them: entries with
/// no `=` are no variables (and are not passed on, as `main` does not pass them).
struct Env {
    vars: Vec<Var>,
    /// [`Env::sign`] of every name: most names an answer checks are unset, and this
    /// rules them out without a search.
    signs: u128,
}

impl Env {
    /// The variables of the kernel's `envp`; `None` when there are too many.
    ///
    /// # Safety
    /// `envp` is a null-terminated array of NUL-terminated strings that live as long as
    /// the process.
    unsafe fn read(envp: *const *const c_char) -> Option<Env> {
        // SAFETY: the caller's promise.
        let entries = unsafe {
            let mut len = 0;
            while !(*envp.add(len)).is_null() {
                len += 1;
                if len > ENV_ENTRIES {
                    return None;
                }
            }
            core::slice::from_raw_parts(envp, len)
        };
        let mut vars = Vec::with_capacity(entries.len());
        let mut signs = 0;
        for &entry in entries {
            // SAFETY: the caller's promise.
            let entry = unsafe { CStr::from_ptr(entry) };
            if let Some((name, _)) = gv_core::process::split_entry(entry.to_bytes()) {
                signs |= Env::sign(name);
                vars.push(Var {
                    entry,
                    name_len: name.len(),
                });
            }
        }
        Some(Env { vars, signs })
    }

    /// The first variable by this name, as [`gv_core::process::var_os`] finds it.
    fn lookup(&self, name: &[u8]) -> Option<&'static [u8]> {
        if self.signs & Env::sign(name) == 0 {
            return None;
        }
        self.vars
            .iter()
            .find(|var| var.name() == name)
            .map(Var::value)
    }

    /// One bit of 128 for a name, from its length and its first and last bytes.
    fn sign(name: &[u8]) -> u128 {
        let (first, last) = (name.first(), name.last());
        let byte = |b: Option<&u8>| u32::from(b.copied().unwrap_or(0));
        let mixed = (name.len() as u32)
            .wrapping_mul(31)
            .wrapping_add(byte(first).wrapping_mul(7))
            .wrapping_add(byte(last));
        1 << (mixed % 128)
    }
}

/// [`Probe`] through the system calls themselves.
impl Probe for Env {
    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        self.lookup(name)
    }

    fn look(&self, path: &CStr, follow: bool) -> Looked {
        looked(sys::stamp(path, follow))
    }

    fn look_in(&self, dir: &CStr, name: &[u8]) -> Looked {
        let mut room = vec![0; dir.count_bytes() + name.len() + 2];
        match read::join_into(&mut room, dir.to_bytes(), name) {
            Some(path) => looked(sys::stamp(path, false)),
            None => Looked::Unreadable,
        }
    }
}

fn looked(stamp: Result<gv_core::platform::Stamp, i32>) -> Looked {
    match stamp {
        Ok(stamp) => Looked::Found(stamp),
        Err(sys::ENOENT) => Looked::Missing,
        Err(_) => Looked::Unreadable,
    }
}

/// Execs the tool the remembered answer names, as `main` would (same path, arguments and
/// environment); returns when there is no answer that holds, or the exec failed.
///
/// # Safety
/// `argv` is the kernel's; nothing else runs.
unsafe fn run_answer(argv: *mut *const c_char, env: &Env) -> Option<()> {
    // SAFETY: argv[0], when there is one, is a NUL-terminated string.
    let argv0 = unsafe { CStr::from_ptr(argv.as_ref().copied().filter(|p| !p.is_null())?) };
    // Go's commands only, by their plain names (`main` reports anything else).
    let tool = argv0.to_bytes().rsplit(|&b| b == b'/').next()?;
    if !shim::GO_COMMANDS.iter().any(|name| name.as_bytes() == tool) {
        return None;
    }
    let depth = env.lookup(vars::SHIM_DEPTH.as_bytes());
    let depth = shim::depth(depth.and_then(gv_core::platform::os_str_from_bytes));
    let var = |name: &str| env.lookup(name.as_bytes());
    if depth >= shim::MAX_DEPTH || !answer_cache::enabled(var) {
        return None;
    }
    let cwd = sys::getcwd(PATH_MAX).ok()?;
    let (dir, under) = read::dir(var)?;
    let name = read::file_name(cwd.to_bytes());
    let path = [dir, under.as_bytes(), b"/", &name, b"\0"].concat();
    let file = Fd::open_nofollow(CStr::from_bytes_with_nul(&path).ok()?).ok()?;
    let info = file.stat().ok()?;
    if !read::is_own_file(
        info.is_regular,
        info.mode,
        info.owner,
        sys::geteuid(),
        info.size,
    ) {
        return None;
    }
    // Answers are replaced by a rename, never written in place: what the open file holds
    // is what `fstat` measured.
    let mut bytes = vec![0; usize::try_from(info.size).ok()?];
    if file.read_to_fill(&mut bytes).ok()? != bytes.len() {
        return None;
    }
    drop(file);
    let answer = read::check(&bytes, cwd.to_bytes(), env)?;
    exec(argv, env, depth, tool, &answer)
}

/// Execs `answer`'s `tool` with the arguments in `argv` and the environment changed as
/// `main`'s `exec` changes it: the answer's variables set and removed, the shim depth
/// one up, every other variable passed on.
fn exec(
    argv: *mut *const c_char,
    env: &Env,
    depth: u32,
    tool: &[u8],
    answer: &Answer,
) -> Option<()> {
    let goroot = answer.goroot.to_bytes();
    let slash: &[u8] = if goroot.ends_with(b"/") { b"" } else { b"/" };
    let binary = [goroot, slash, b"bin/", tool, b"\0"].concat();
    let binary = CStr::from_bytes_with_nul(&binary).ok()?;
    let mut digits = [0u8; 10];
    let depth = decimal(depth + 1, &mut digits);
    let depth_entry = [vars::SHIM_DEPTH.as_bytes(), b"=", depth, b"\0"].concat();
    let depth_entry = CStr::from_bytes_with_nul(&depth_entry).ok()?;
    // The names the tool gets from the answer, not from this environment.
    let changed: Vec<&[u8]> = answer
        .set()
        .filter_map(|entry| Some(gv_core::process::split_entry(entry.to_bytes())?.0))
        .chain(answer.removed().map(CStr::to_bytes))
        .chain([vars::SHIM_DEPTH.as_bytes()])
        .collect();
    let envp = gv_core::platform::envp(
        env.vars.iter().map(|var| (var.name(), var.entry)),
        |name| changed.contains(&name),
        answer.set().chain([depth_entry]),
    );
    // SAFETY: argv[0] exists (the caller read it); it is put back if the exec fails.
    unsafe {
        let argv0 = *argv;
        *argv = binary.as_ptr();
        sys::execve(binary, argv.cast_const(), envp.as_ptr());
        *argv = argv0;
    }
    None
}

/// `n` in decimal, written at the end of `digits`.
fn decimal(mut n: u32, digits: &mut [u8; 10]) -> &[u8] {
    let mut len = 0;
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.get(digits.len() - len..).unwrap_or_default()
}
