//! How the release shim's code is laid out (scripts/link-shim): the functions a shim run
//! executes sit side by side, so the kernel maps them in a few faults; those of a run that
//! reuses its remembered answer (gv_core::answer_cache) first. They are named in
//! crates/gv-shim/hot-functions.txt. This checks that list against what a release shim
//! actually runs, as valgrind counts it, so a compiler upgrade or a change that moves the
//! shim's work into other functions fails here instead of quietly spreading its code out
//! again; and it checks that the link laid the listed functions out together.
#![cfg(target_os = "linux")]

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{Sandbox, build_shim, require_tool, stderr, stdout, target_dir};

const LIST: &str = "crates/gv-shim/hot-functions.txt";

/// The list's opening lines, which say what it is; a list this test writes has them too.
const HEADER: &str = "\
# The functions a shim runs, which scripts/link-shim lays out together: those of a run
# that reuses its remembered answer first, then those of one that works it out. One name
# a line, as `scripts/link-shim --names` spells a symbol (demangled, without hashes).
# Written by tests/it/shim_layout.rs from a release shim counted by valgrind; when that
# test finds it stale, it leaves a fresh one to copy here.
";

/// The share of a shim run's instructions that must be in listed functions. The list is
/// written from this very run, so a fresh one covers all of it but the little code no
/// function symbol names; a new compiler renames or inlines a few functions, and the list
/// may lag that much before it is written again.
const COVERED: f64 = 0.95;

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The release shim, built by scripts/build-shim as scripts/install builds it, into a
/// target directory of its own.
fn release_shim() -> PathBuf {
    let (shim, said) = build_shim("shipped-shim-release", &[]);
    assert!(
        said.contains("the code a shim runs laid out together (rust-lld)"),
        "{said}"
    );
    shim
}

/// Mangled symbols as the list spells them, through the linker's own spelling
/// (`scripts/link-shim --names`), line for line.
fn list_names(symbols: &[&str]) -> Vec<String> {
    let mut child = Command::new(manifest().join("scripts/link-shim"))
        .arg("--names")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run scripts/link-shim --names");
    let mut input = child.stdin.take().expect("stdin");
    let text = symbols.join("\n") + "\n";
    let writer = std::thread::spawn(move || input.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("link-shim --names");
    writer.join().expect("writer").expect("write symbols");
    assert!(out.status.success(), "link-shim --names: {out:?}");
    let names: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(names.len(), symbols.len(), "one name per symbol");
    names
}

/// Instructions per function (self cost) in a callgrind profile written with
/// `--compress-strings=no --compress-pos=no`. The line after `calls=` is the call's
/// inclusive cost, the callee's and not this function's.
fn self_cost(profile: &str) -> HashMap<String, u64> {
    let mut cost = HashMap::new();
    let mut function = None;
    let mut call_line = false;
    for line in profile.lines() {
        if let Some(name) = line.strip_prefix("fn=") {
            // Callgrind marks a recursive call's frames `name'2`, `name'3`, …
            let name = match name.rsplit_once('\'') {
                Some((base, depth)) if depth.bytes().all(|b| b.is_ascii_digit()) => base,
                _ => name,
            };
            // Valgrind's name for the function that calls main, musl's here.
            let name = if name == "(below main)" {
                "__libc_start_main"
            } else {
                name
            };
            function = Some(name.to_string());
        } else if line.starts_with("calls=") {
            call_line = true;
        } else if line.starts_with(|c: char| c.is_ascii_digit()) {
            if std::mem::take(&mut call_line) {
                continue;
            }
            let instructions: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("a cost line: {line}"));
            if let Some(f) = &function {
                *cost.entry(f.clone()).or_insert(0) += instructions;
            }
        }
    }
    cost
}

/// The instructions one `go version` through the shim in `sb`'s project runs, by
/// function name, counted up to the exec (after it the fake go runs on its own): the C
/// library's `execve`, or `raw_syscall::execve` from the shim's own entry point (the
/// pattern matches both symbols).
fn count(sb: &Sandbox, shims: &Path, run: &str) -> HashMap<String, u64> {
    let profile = sb.path().join(format!("callgrind-{run}.out"));
    let out = Command::new("valgrind")
        .args([
            "--tool=callgrind",
            "--demangle=no",
            "--compress-strings=no",
            "--compress-pos=no",
            "--dump-before=*execve*",
        ])
        .arg(format!("--callgrind-out-file={}", profile.display()))
        .arg(shims.join("go"))
        .arg("version")
        .current_dir(sb.work("p/1/2/3/4/5"))
        .env_clear()
        .envs(sb.env())
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", shims.display()),
        )
        .output()
        .expect("run valgrind");
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).starts_with("go version go1.22.10"), "{out:?}");
    // The part written at the exec.
    let part = profile.with_extension("out.1");
    let text = std::fs::read_to_string(&part).unwrap_or_else(|e| {
        panic!(
            "callgrind wrote no profile at the exec ({}: {e}): {}",
            part.display(),
            stderr(&out)
        )
    });
    let cost = self_cost(&text);
    let symbols: Vec<&str> = cost.keys().map(String::as_str).collect();
    let names = list_names(&symbols);
    let mut ran: HashMap<String, u64> = HashMap::new();
    for (symbol, name) in symbols.iter().zip(&names) {
        *ran.entry(name.clone()).or_insert(0) += cost[*symbol];
    }
    ran
}

#[test]
fn the_functions_a_shim_runs_are_listed_and_linked_together() {
    require_tool("valgrind", "valgrind");
    require_tool("readelf", "binutils");
    let shim = release_shim();

    // scripts/bench-shim's project: a pin five levels up, a trusted gv.toml and the user's
    // config.toml, both with [env].
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.write("p/.go-version", "1.22.10\n");
    sb.write(
        "p/gv.toml",
        "[env]\nCGO_ENABLED = \"0\"\nGODEBUG = { value = \"panicnil=1\", force = true }\n",
    );
    sb.trust(&sb.work("p"));
    sb.user_config("[env]\nGOINSTRUMENT = \"trace\"\n");
    let rehash = sb
        .gv(sb.path())
        .arg("rehash")
        .env("GV_SHIM_BINARY", &shim)
        .output()
        .unwrap();
    assert!(rehash.status.success(), "{rehash:?}");
    let shims = sb.root().join("shims");

    // Two runs: the first works the answer out and remembers it (the files are settled
    // by then, see gv_core::answer_cache), the second reuses it, as most runs do.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let miss = count(&sb, &shims, "miss");
    let answers = sb.path().join("cache/gv/answers");
    assert_eq!(
        std::fs::read_dir(&answers)
            .map(Iterator::count)
            .unwrap_or(0),
        1,
        "the first run remembers its answer in {}",
        answers.display()
    );
    let hit = count(&sb, &shims, "hit");
    let (miss_total, hit_total): (u64, u64) = (miss.values().sum(), hit.values().sum());
    // A shim run that works its answer out is ~140,000 instructions, one that reuses it
    // a fifth of that: far fewer means the profile was not read.
    assert!(
        miss_total > 50_000 && hit_total > 5_000,
        "{miss_total} and {hit_total} instructions counted"
    );
    assert!(
        hit_total * 2 < miss_total,
        "the second run reuses the answer: {hit_total} instructions against {miss_total}"
    );

    let list = std::fs::read_to_string(manifest().join(LIST)).unwrap();
    assert!(
        list.starts_with(HEADER),
        "{LIST} opens with the lines that say what it is"
    );
    let listed: BTreeSet<String> = list
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    // Only named functions can be listed: `0x…` is code with no function symbol (such as
    // the C library's `_start`).
    let named = |name: &&String| !name.starts_with("0x");
    // What to copy over the list when it fails: the functions of a run that reuses its
    // answer first, so that they lie closest together, then the rest.
    let fresh_list = || {
        let first: BTreeSet<&String> = hit.keys().filter(named).collect();
        let rest: BTreeSet<&String> = miss
            .keys()
            .filter(named)
            .filter(|n| !first.contains(n))
            .collect();
        let kept = target_dir().join("hot-functions.txt");
        let text: String = HEADER.to_string()
            + &first
                .iter()
                .chain(&rest)
                .map(|n| format!("{n}\n"))
                .collect::<String>();
        std::fs::write(&kept, text).unwrap();
        format!("a fresh list is in {0}: `cp {0} {LIST}`", kept.display())
    };
    for (run, ran) in [("reusing its answer", &hit), ("working it out", &miss)] {
        let total: u64 = ran.values().sum();
        let covered: u64 = ran
            .iter()
            .filter(|(name, _)| listed.contains(*name))
            .map(|(_, n)| n)
            .sum();
        let mut missing: Vec<(&String, &u64)> = ran
            .iter()
            .filter(|(name, _)| named(name) && !listed.contains(*name))
            .collect();
        missing.sort_by(|a, b| b.1.cmp(a.1));
        if (covered as f64) < COVERED * total as f64 {
            panic!(
                "{LIST} is stale: listed functions run {covered} of the {total} instructions \
                 of a shim {run} (at least {:.0}% needed); most run unlisted: {:#?}\n{}",
                COVERED * 100.0,
                &missing[..missing.len().min(10)],
                fresh_list()
            );
        }
    }

    // The link: every function of a listed name lies in one run of code, nothing else
    // between them but alignment padding.
    let elf = Command::new("readelf")
        .arg("-Ws")
        .arg(&shim)
        .output()
        .unwrap();
    assert!(elf.status.success(), "{elf:?}");
    let table = stdout(&elf);
    let functions: Vec<(u64, u64, &str)> = table
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.len() >= 8 && fields[3] == "FUNC" && fields[6] != "UND").then(|| {
                let address = u64::from_str_radix(fields[1], 16)
                    .unwrap_or_else(|_| panic!("an address in readelf's line {line}"));
                // readelf writes sizes of 100,000 bytes or more in hex.
                let size = match fields[2].strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => fields[2].parse(),
                }
                .unwrap_or_else(|_| panic!("a size in readelf's line {line}"));
                (address, size, *fields.last().expect("name"))
            })
        })
        .collect();
    let symbol_names = list_names(&functions.iter().map(|f| f.2).collect::<Vec<_>>());
    let hot: Vec<(u64, u64)> = functions
        .iter()
        .zip(&symbol_names)
        .filter(|(_, name)| listed.contains(*name))
        .map(|(f, _)| (f.0, f.1))
        .collect();
    let found: BTreeSet<&String> = symbol_names
        .iter()
        .filter(|n| listed.contains(*n))
        .collect();
    assert!(
        found.len() * 10 >= listed.len() * 9,
        "{LIST} is stale: only {} of its {} names are functions of the shim\n{}",
        found.len(),
        listed.len(),
        fresh_list()
    );
    let start = hot.iter().map(|f| f.0).min().unwrap();
    let end = hot.iter().map(|f| f.0 + f.1).max().unwrap();
    let size: u64 = hot.iter().map(|f| f.1).sum();
    // Functions start 16-byte aligned: up to 15 bytes of padding each.
    assert!(
        end - start <= size + 16 * hot.len() as u64,
        "the listed functions span {:#x}..{:#x} ({} bytes) for {size} bytes of code: \
         scripts/link-shim did not lay them out together",
        start,
        end,
        end - start
    );
}
