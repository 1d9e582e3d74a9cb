//! `gv debug`: the debugger command lines, where the debuggers are, and the private
//! directory debug builds go to. Building and verifying is `gobuild`'s job; this module
//! decides what to run afterwards and checks, before anything is built, that the debugger
//! can read the Go version in question.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use gv_core::Version;
use gv_core::platform::Translation;

use crate::tools::delve::{self, Dlv, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Debugger {
    Delve,
    Gdb,
}

impl Debugger {
    pub fn command_name(self) -> &'static str {
        match self {
            Debugger::Delve => "dlv",
            Debugger::Gdb => "gdb",
        }
    }
}

/// What to debug: a program (with its arguments) or a core dump of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    Program {
        binary: &'a Path,
        args: &'a [String],
    },
    Core {
        binary: &'a Path,
        core: &'a Path,
    },
}

/// The arguments after the debugger's own path.
///
/// delve: `exec [EXTRA] BINARY [-- ARGS]`, `core [EXTRA] BINARY CORE`.
/// gdb: `-q -iex 'add-auto-load-safe-path GOROOT/src/runtime' [EXTRA] --args BINARY ARGS`
/// and `... [EXTRA] BINARY CORE`. The safe path lets gdb load the SDK's runtime-gdb.py
/// (goroutine commands, Go types) that the binary asks for.
pub fn argv(
    debugger: Debugger,
    target: &Target<'_>,
    goroot: Option<&Path>,
    extra: &[String],
) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::new();
    match debugger {
        Debugger::Delve => {
            out.push(match target {
                Target::Program { .. } => "exec".into(),
                Target::Core { .. } => "core".into(),
            });
            out.extend(extra.iter().map(OsString::from));
            match target {
                Target::Program { binary, args } => {
                    out.push(binary.as_os_str().to_owned());
                    if !args.is_empty() {
                        out.push("--".into());
                        out.extend(args.iter().map(OsString::from));
                    }
                }
                Target::Core { binary, core } => {
                    out.push(binary.as_os_str().to_owned());
                    out.push(core.as_os_str().to_owned());
                }
            }
        }
        Debugger::Gdb => {
            out.push("-q".into());
            if let Some(goroot) = goroot {
                out.push("-iex".into());
                let mut line = OsString::from("add-auto-load-safe-path ");
                line.push(goroot.join("src/runtime"));
                out.push(line);
            }
            out.extend(extra.iter().map(OsString::from));
            match target {
                Target::Program { binary, args } => {
                    out.push("--args".into());
                    out.push(binary.as_os_str().to_owned());
                    out.extend(args.iter().map(OsString::from));
                }
                Target::Core { binary, core } => {
                    out.push(binary.as_os_str().to_owned());
                    out.push(core.as_os_str().to_owned());
                }
            }
        }
    }
    out
}

/// The first executable `name` in `dirs` (GOBIN first, then PATH, as the caller orders them).
pub fn find_in<'a>(name: &str, dirs: impl IntoIterator<Item = &'a Path>) -> Option<PathBuf> {
    dirs.into_iter()
        .filter(|d| !d.as_os_str().is_empty())
        .flat_map(|d| gv_core::platform::executable_candidates(d, name))
        .find(|p| gv_core::select::is_executable_file(p))
}

/// The directories a debugger is looked up in: the shared GOBIN (where `gv tools install`
/// puts dlv), then PATH. Relative entries (`.`, `bin`) are skipped, as Go's exec.LookPath
/// does: they would find a `dlv` in whatever checkout gv runs in, and gv runs it.
pub fn search_dirs(gobin: Option<&Path>, path: Option<&OsStr>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = gobin.map(Path::to_path_buf).into_iter().collect();
    if let Some(path) = path {
        dirs.extend(std::env::split_paths(path));
    }
    dirs.retain(|d| d.is_absolute());
    dirs
}

/// Why gv will not start delve, and what to do instead; `Ok(Some(warning))` when gv
/// cannot tell and leaves the decision to delve's own check.
pub fn check_delve(
    dlv_path: &Path,
    go: Option<&Version>,
) -> Result<Option<String>, gv_core::error::Hinted> {
    let Some(go) = go else {
        return Ok(Some(
            "cannot tell which Go version built the program; delve's own check decides".into(),
        ));
    };
    let Some(dlv) = Dlv::probe(dlv_path) else {
        return Ok(Some(format!(
            "{} does not look like delve's dlv (no delve build info); running it anyway",
            dlv_path.display()
        )));
    };
    match delve::check(&dlv, go) {
        Verdict::Ok { .. } => Ok(None),
        Verdict::Unknown { why } => Ok(Some(format!("{}: {why}", dlv_path.display()))),
        verdict => Err(gv_core::error::Hinted::new(
            format!(
                "{} cannot debug this program: {verdict}",
                dlv_path.display()
            ),
            "`gv tools install dlv` builds the newest delve with the Go selected here into the shared GOBIN, or debug with `gv debug --gdb`",
        )),
    }
}

/// Delve refuses to run under Rosetta 2 (it debugs native processes only), and an x86_64
/// gv there would build and hand it an amd64 program: say so before building anything.
pub fn rosetta_refusal(
    debugger: Debugger,
    translation: Translation,
) -> Option<gv_core::error::Hinted> {
    (debugger == Debugger::Delve && translation == Translation::Rosetta).then(|| {
        gv_core::error::Hinted::new(
            "gv runs under Rosetta 2 (an x86_64 build on Apple Silicon), where delve cannot debug",
            "install the arm64 builds of gv and dlv (`file $(command -v gv dlv)` shows which you have); gv then installs and builds with arm64 Go",
        )
    })
}

/// The private directory debug builds of the project at `cwd` go to:
/// `GV_CACHE_DIR/debug/<hash of the directory>`, owner-only. One per directory, so
/// rebuilding replaces the last binary instead of piling them up.
pub fn build_dir(cache: &gv_core::store::Cache, cwd: &Path) -> std::io::Result<PathBuf> {
    use gv_core::platform;
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(cwd.as_os_str().as_encoded_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let base = cache.debug_builds();
    let dir = base.join(name);
    platform::create_private_dir(&dir)?;
    platform::set_private(&base)?;
    platform::set_private(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: Vec<OsString>) -> Vec<String> {
        v.into_iter().map(|s| s.into_string().unwrap()).collect()
    }

    #[test]
    fn delve_command_lines() {
        let args = vec!["10".to_string(), "-v".to_string()];
        let program = Target::Program {
            binary: Path::new("/b/app"),
            args: &args,
        };
        assert_eq!(
            strings(argv(Debugger::Delve, &program, None, &[])),
            ["exec", "/b/app", "--", "10", "-v"]
        );
        let bare = Target::Program {
            binary: Path::new("/b/app"),
            args: &[],
        };
        assert_eq!(
            strings(argv(
                Debugger::Delve,
                &bare,
                None,
                &["--headless".into(), "--listen=:2345".into()]
            )),
            ["exec", "--headless", "--listen=:2345", "/b/app"]
        );
        let core = Target::Core {
            binary: Path::new("/b/app"),
            core: Path::new("/c/core"),
        };
        assert_eq!(
            strings(argv(Debugger::Delve, &core, None, &[])),
            ["core", "/b/app", "/c/core"]
        );
    }

    gv_core::unix_only! {
    #[test]
    fn gdb_command_lines() {
        let args = vec!["panic".to_string()];
        let program = Target::Program {
            binary: Path::new("/b/app"),
            args: &args,
        };
        assert_eq!(
            strings(argv(
                Debugger::Gdb,
                &program,
                Some(Path::new("/g")),
                &["-batch".into()]
            )),
            [
                "-q",
                "-iex",
                "add-auto-load-safe-path /g/src/runtime",
                "-batch",
                "--args",
                "/b/app",
                "panic"
            ]
        );
        let core = Target::Core {
            binary: Path::new("/b/app"),
            core: Path::new("/c/core"),
        };
        assert_eq!(
            strings(argv(Debugger::Gdb, &core, None, &[])),
            ["-q", "/b/app", "/c/core"]
        );
    }
    }

    #[test]
    fn delve_is_refused_under_rosetta_only() {
        let refusal = rosetta_refusal(Debugger::Delve, Translation::Rosetta).unwrap();
        assert!(refusal.message.contains("Rosetta 2"), "{refusal}");
        assert!(
            refusal.hint.contains("arm64 builds of gv and dlv"),
            "{refusal}"
        );
        assert_eq!(rosetta_refusal(Debugger::Delve, Translation::Native), None);
        assert_eq!(rosetta_refusal(Debugger::Gdb, Translation::Rosetta), None);
    }

    gv_core::unix_only! {
    #[test]
    fn build_dirs_are_private_and_one_per_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = gv_core::store::Cache::new(tmp.path());
        let a = build_dir(&cache, Path::new("/src/a")).unwrap();
        let again = build_dir(&cache, Path::new("/src/a")).unwrap();
        let b = build_dir(&cache, Path::new("/src/b")).unwrap();
        assert_eq!(a, again);
        assert_ne!(a, b);
        let mode = gv_core::platform::mode(&std::fs::metadata(&a).unwrap());
        assert_eq!(mode, 0o700);
    }
    }

    #[test]
    fn debuggers_are_found_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (dir.path().join("1"), dir.path().join("2"));
        for d in [&first, &second] {
            std::fs::create_dir(d).unwrap();
            let f = d.join(gv_core::platform::exe_name("dlv"));
            std::fs::write(&f, "#!/bin/sh\n").unwrap();
            gv_core::platform::set_executable(&f).unwrap();
        }
        let path = std::env::join_paths([&second]).unwrap();
        let dirs = search_dirs(Some(&first), Some(&path));
        assert_eq!(
            find_in("dlv", dirs.iter().map(PathBuf::as_path)),
            Some(first.join(gv_core::platform::exe_name("dlv")))
        );
        assert_eq!(find_in("gdb", dirs.iter().map(PathBuf::as_path)), None);
        // `.` on PATH never finds the checkout's own dlv.
        let dot = std::env::join_paths([Path::new("."), second.as_path()]).unwrap();
        assert_eq!(search_dirs(None, Some(&dot)), vec![second]);
    }
}
