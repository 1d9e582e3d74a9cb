//! The shims' remembered answers (gv_core::answer_cache), end to end with the shim
//! binary: a second run in a directory reuses the first one's answer and hands the tool
//! exactly the same environment; a change to anything the answer rests on, or
//! `GV_SHIM_CACHE=0`, makes the shim work it out afresh; `gv rehash` forgets; an answer
//! file anyone else could have written is never used; and, traced with strace, every
//! file the shim read is one its answer checks.

use crate::support;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{Sandbox, stderr, stdout};

/// A fake SDK whose `go` prints its version and its whole environment.
fn env_printing_sdk(sb: &Sandbox, version: &str) -> PathBuf {
    let goroot = sb.fake_install(version);
    let go = goroot.join("bin/go");
    std::fs::write(
        &go,
        format!("#!/bin/sh\necho \"go {version}\"\nenv | sort\n"),
    )
    .unwrap();
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    goroot
}

/// A project pinned to 1.22.10 with a trusted gv.toml, the user's config with `[env]`, and
/// 1.23.4 installed beside; returns the directory the shim runs in, two levels down.
fn project(sb: &Sandbox) -> PathBuf {
    env_printing_sdk(sb, "1.22.10");
    env_printing_sdk(sb, "1.23.4");
    sb.rehash();
    sb.write("p/.go-version", "1.22.10\n");
    sb.write("p/gv.toml", "[env]\nCGO_ENABLED = \"0\"\n");
    sb.trust(&sb.work("p"));
    sb.user_config("[env]\nGOINSTRUMENT = \"trace\"\n");
    // An answer rests only on files changed well before the shim started.
    settle();
    sb.work("p/a/b")
}

fn settle() {
    std::thread::sleep(Duration::from_millis(200));
}

fn answers(sb: &Sandbox) -> PathBuf {
    sb.path().join("cache/gv/answers")
}

/// The answer files (never the temporary files they are written through).
fn answer_files(sb: &Sandbox) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(answers(sb)) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

fn go(sb: &Sandbox, dir: &Path, env: &[(&str, &str)]) -> String {
    let out = sb
        .shim("go", dir)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    stdout(&out)
}

/// Rewrites every `from` in what the answer file says to run (after its checks) to `to`,
/// keeping the file this user's own.
fn forge(file: &Path, from: &str, to: &str) {
    let text = String::from_utf8(std::fs::read(file).unwrap()).unwrap();
    let (checks, answer) = text.split_at(text.find("\0G\0").expect("an answer"));
    std::fs::write(file, checks.to_owned() + &answer.replace(from, to)).unwrap();
}

#[test]
fn a_second_run_reuses_the_answer_and_gives_the_tool_the_same_environment() {
    let sb = Sandbox::new();
    let dir = project(&sb);
    let worked_out = go(&sb, &dir, &[]);
    assert!(worked_out.starts_with("go 1.22.10\n"), "{worked_out}");
    assert!(worked_out.contains("\nCGO_ENABLED=0\n"), "{worked_out}");
    assert!(
        worked_out.contains("\nGOINSTRUMENT=trace\n"),
        "{worked_out}"
    );
    let files = answer_files(&sb);
    assert_eq!(files.len(), 1, "one answer, for this directory");
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "only this user reads it");

    assert_eq!(
        go(&sb, &dir, &[]),
        worked_out,
        "reused: the same environment"
    );
    assert_eq!(
        go(&sb, &dir, &[("GV_SHIM_CACHE", "0")]).replace("GV_SHIM_CACHE=0\n", ""),
        worked_out,
        "worked out afresh, the same again"
    );

    // Proof that the second run takes the remembered answer rather than working one out:
    // an answer changed to name the other version is what runs.
    forge(&files[0], "versions/1.22.10", "versions/1.23.4");
    assert!(go(&sb, &dir, &[]).starts_with("go 1.23.4\n"));
    assert!(
        go(&sb, &dir, &[("GV_SHIM_CACHE", "0")]).starts_with("go 1.22.10\n"),
        "GV_SHIM_CACHE=0 never reads an answer"
    );

    // The pin rewritten with the same text is a change all the same.
    sb.write("p/.go-version", "1.22.10\n");
    assert!(go(&sb, &dir, &[]).starts_with("go 1.22.10\n"));

    sb.rehash();
    assert!(
        answer_files(&sb).is_empty(),
        "gv rehash forgets every answer"
    );
}

#[test]
fn each_change_that_decides_is_seen_at_the_next_run() {
    let sb = Sandbox::new();
    let dir = project(&sb);
    type Change = fn(&Sandbox, &Path);
    let changes: [(&str, Change, &str); 6] = [
        (
            "a nearer pin",
            |sb, _| {
                sb.write("p/a/.go-version", "1.23.4\n");
            },
            "go 1.23.4\n",
        ),
        (
            "that pin removed",
            |sb, _| {
                std::fs::remove_file(sb.path().join("work/p/a/.go-version")).unwrap();
            },
            "go 1.22.10\n",
        ),
        ("GV_VERSION", |_, _| {}, "go 1.23.4\n"),
        (
            "the user's config",
            |sb, _| {
                sb.user_config("[env]\nGOINSTRUMENT = \"none\"\n");
            },
            "GOINSTRUMENT=none\n",
        ),
        (
            "the project's gv.toml, untrusted by the edit",
            |sb, _| {
                sb.write("p/gv.toml", "[env]\nCGO_ENABLED = \"1\"\n");
            },
            "go 1.22.10\n",
        ),
        (
            "the version removed",
            |sb, _| {
                std::fs::remove_dir_all(sb.root().join("versions/1.22.10")).unwrap();
            },
            "",
        ),
    ];
    for (what, change, expect) in changes {
        // Remembered first, from settled files.
        settle();
        go(&sb, &dir, &[]);
        let reused = go(&sb, &dir, &[]);
        change(&sb, &dir);
        let env: &[(&str, &str)] = if what == "GV_VERSION" {
            &[("GV_VERSION", "1.23.4")]
        } else {
            &[]
        };
        if expect.is_empty() {
            let out = sb.shim("go", &dir).output().unwrap();
            assert_eq!(out.status.code(), Some(127), "{what}: {out:?}");
            continue;
        }
        let out = sb
            .shim("go", &dir)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(out.status.success(), "{what}: {out:?}");
        let out = stdout(&out);
        assert!(out.contains(expect), "{what}: {out}\n(before: {reused})");
        if what.contains("gv.toml") {
            assert!(!out.contains("CGO_ENABLED="), "{what}: {out}");
        }
    }
}

/// A project trusted through a trusted directory written with a symlink: the link could
/// be pointed elsewhere, which no stamp shows, so no answer is kept. Written plainly, it is.
#[test]
fn trust_through_a_symlinked_directory_is_never_remembered() {
    let sb = Sandbox::new();
    let dir = project(&sb);
    let link = sb.path().join("trusted");
    std::os::unix::fs::symlink(sb.path().join("work"), &link).unwrap();
    // Untrusted by record: only the trusted directory makes gv.toml apply.
    std::fs::remove_file(sb.root().join("trusted-files")).unwrap();
    settle();
    let out = go(&sb, &dir, &[("GV_TRUSTED_PATHS", link.to_str().unwrap())]);
    assert!(out.contains("\nCGO_ENABLED=0\n"), "{out}");
    assert!(answer_files(&sb).is_empty(), "trusted through a link");
    let work = sb.path().join("work");
    let out = go(&sb, &dir, &[("GV_TRUSTED_PATHS", work.to_str().unwrap())]);
    assert!(out.contains("\nCGO_ENABLED=0\n"), "{out}");
    assert_eq!(answer_files(&sb).len(), 1, "trusted as written");
}

#[test]
fn an_answer_anyone_else_could_have_written_is_never_used() {
    let sb = Sandbox::new();
    let dir = project(&sb);
    go(&sb, &dir, &[]);
    let file = answer_files(&sb).pop().unwrap();
    forge(&file, "versions/1.22.10", "versions/1.23.4");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();
    assert!(
        go(&sb, &dir, &[]).starts_with("go 1.22.10\n"),
        "a group-writable answer is not read"
    );

    // A directory others can write is not used to keep answers at all.
    std::fs::remove_dir_all(answers(&sb)).unwrap();
    std::fs::create_dir_all(answers(&sb)).unwrap();
    std::fs::set_permissions(answers(&sb), std::fs::Permissions::from_mode(0o777)).unwrap();
    settle();
    go(&sb, &dir, &[]);
    assert!(
        answer_files(&sb).is_empty(),
        "nothing written to a shared directory"
    );
}

/// On x86-64 Linux a reusing shim execs the tool from its own entry point, before the C
/// library sets itself up (no `arch_prctl`, musl's first call, before the tool's exec);
/// one with no answer to reuse hands over to the C library and works the answer out.
#[cfg(target_arch = "x86_64")]
#[test]
fn a_reusing_shim_execs_before_the_c_library_starts() {
    support::require_tool("strace", "strace");
    let sb = Sandbox::new();
    let dir = project(&sb);
    // The C library's calls a shim makes between its own exec and the tool's.
    let startup = |env: &[(&str, &str)]| {
        let trace = sb.path().join("trace");
        let out = std::process::Command::new("strace")
            .args([
                "-qq",
                "-f",
                "-e",
                "trace=execve,arch_prctl,set_tid_address",
                "-o",
            ])
            .arg(&trace)
            .arg(sb.root().join("shims/go"))
            .current_dir(&dir)
            .env_clear()
            .envs(sb.env())
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let trace = std::fs::read_to_string(&trace).unwrap();
        let calls: Vec<String> = trace
            .lines()
            .skip(1)
            .take_while(|l| !l.contains("execve("))
            .map(|l| l.split('(').next().unwrap_or_default().trim().to_owned())
            .collect();
        (stdout(&out), calls)
    };
    let (worked_out, _) = startup(&[]);
    let (reused, calls) = startup(&[]);
    assert_eq!(
        reused, worked_out,
        "the same environment from the entry point"
    );
    assert!(calls.is_empty(), "the C library started: {calls:?}");
    let (afresh, calls) = startup(&[("GV_SHIM_CACHE", "0")]);
    assert_eq!(afresh.replace("GV_SHIM_CACHE=0\n", ""), worked_out);
    assert!(
        calls.iter().any(|c| c.ends_with("arch_prctl")),
        "with nothing to reuse, the C library starts and main runs: {calls:?}"
    );
}

/// Every path the shim looked at or read while working its answer out, traced with
/// strace, is one its answer checks: a file or directory whose stamp it keeps, a path
/// that must still be missing, or a name missing from a directory it watches. What the
/// shim reads but does not check would be a way for a remembered answer to go wrong.
#[test]
fn every_file_the_shim_reads_is_one_its_answer_checks() {
    support::require_tool("strace", "strace");
    let sb = Sandbox::new();
    let dir = project(&sb);
    // A project without a pin too: go.mod decides, the global default stands behind.
    env_printing_sdk(&sb, "1.21.13");
    sb.write("m/go.mod", "module m\n\ngo 1.23.4\n");
    let out = sb
        .gv(sb.path())
        .args(["global", "1.21.13"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    settle();
    // And a workspace file named by GOWORK, outside the tree, for a directory with no
    // module of its own.
    sb.write("ws/go.work", "go 1.21.13\n");
    let gowork = sb.path().join("work/ws/go.work");
    let bare = sb.work("w");
    settle();
    let scenarios = [
        (dir, "1.22.10", None),
        (sb.work("m/cmd"), "1.23.4", None),
        (bare, "1.21.13", Some(&gowork)),
    ];
    for (dir, version, gowork) in scenarios {
        let trace = sb.path().join("trace");
        let shims = sb.root().join("shims");
        let out = std::process::Command::new("strace")
            .args(["-qq", "-f", "-e", "trace=%file", "-o"])
            .arg(&trace)
            .arg(shims.join("go"))
            .current_dir(&dir)
            .env_clear()
            .envs(sb.env())
            .envs(gowork.map(|file| ("GOWORK", file)))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(
            stdout(&out).starts_with(&format!("go {version}\n")),
            "{out:?}"
        );
        let checked = checked_paths(&answer_for(&sb, &dir));
        let answers = answers(&sb);
        let trace = std::fs::read_to_string(&trace).unwrap();
        let mut unchecked = BTreeSet::new();
        // The shim's own calls: from its exec to the exec of the tool.
        for line in trace.lines().skip(1).take_while(|l| !l.contains("execve(")) {
            let Some(path) = traced_path(line) else {
                continue;
            };
            // Writing the answer (its directory made, with its parents) is not reading.
            if path.starts_with(&answers) || answers.starts_with(&path) || checked.contains(&path) {
                continue;
            }
            unchecked.insert(path);
        }
        assert!(
            unchecked.is_empty(),
            "read in {} but not checked by its answer: {unchecked:#?}\ntrace:\n{trace}",
            dir.display()
        );
    }
}

/// The answer file for `dir`: the one naming it.
fn answer_for(sb: &Sandbox, dir: &Path) -> Vec<u8> {
    let name = [b"\0", dir.as_os_str().as_encoded_bytes(), b"\0"].concat();
    answer_files(sb)
        .into_iter()
        .map(|f| std::fs::read(f).unwrap())
        .find(|text| text.windows(name.len()).any(|w| w == name))
        .unwrap_or_else(|| panic!("no answer remembered for {}", dir.display()))
}

/// The paths an answer file checks: its `S`, `T` and `A` paths (and the missing
/// directory of an `A` path), its `M` directories and each name under them.
fn checked_paths(text: &[u8]) -> BTreeSet<PathBuf> {
    let fields: Vec<String> = text
        .split(|&b| b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect();
    let mut fields = fields.into_iter().skip(2);
    let mut next = || fields.next().expect("a whole answer file");
    let mut checked = BTreeSet::new();
    loop {
        match next().as_str() {
            "V" => {
                next();
                next();
            }
            "S" | "T" => {
                checked.insert(PathBuf::from(next()));
                next();
            }
            "A" => {
                // A missing path whose directory is missing too: both are checked.
                let path = PathBuf::from(next());
                checked.extend(path.parent().map(Path::to_path_buf));
                checked.insert(path);
            }
            "G" | "E" | "R" => {
                next();
            }
            "M" => {
                let dir = PathBuf::from(next());
                next();
                let count: usize = next().parse().unwrap();
                for _ in 0..count {
                    checked.insert(dir.join(next()));
                }
                checked.insert(dir);
            }
            "." => return checked,
            other => panic!("an answer file with a record {other:?}"),
        }
    }
}

/// The first quoted path of an strace line, absolute paths only (strace prints what
/// the call was given; the shim passes absolute ones).
fn traced_path(line: &str) -> Option<PathBuf> {
    let start = line.find('"')? + 1;
    let end = start + line[start..].find('"')?;
    let path = &line[start..end];
    path.starts_with('/').then(|| PathBuf::from(path))
}
