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

/// What a debugger needs besides the binary to show a stripped or trimmed one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aids {
    /// A directory laid out by build ID (the symbol store) that holds the binary's debug
    /// twin, checked by gv to carry the binary's build ID.
    pub debug_dir: Option<PathBuf>,
    /// The binary was built with -trimpath: its DWARF names sources by relative paths and
    /// names no runtime-gdb.py that gdb can find.
    pub trimmed: bool,
    /// For a trimmed binary: (module path, its directory here).
    pub module_dir: Option<(String, PathBuf)>,
}

/// The arguments after the debugger's own path.
///
/// delve: `exec [EXTRA] BINARY [-- ARGS]`, `core [EXTRA] BINARY CORE`; delve finds a
/// debug twin through its config file ([`dlv_config`]), not its arguments.
/// gdb: `-q -iex 'add-auto-load-safe-path GOROOT/src/runtime' [AIDS] [EXTRA] --args BINARY
/// ARGS` and `... BINARY CORE`. The safe path lets gdb load the SDK's runtime-gdb.py
/// (goroutine commands, Go types) that the binary asks for. With a debug twin, gdb looks
/// in the symbol store (`debug-file-directory`) and not on its own debuginfod servers (gv
/// fetched what was missing). A trimmed binary gets the runtime's support sourced by hand
/// and its sources found under GOROOT/src and the module's directory.
pub fn argv(
    debugger: Debugger,
    target: &Target<'_>,
    goroot: Option<&Path>,
    aids: &Aids,
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
            let mut command = |flag: &str, words: &[&OsStr]| {
                out.push(flag.into());
                let mut line = OsString::new();
                for (i, word) in words.iter().enumerate() {
                    if i > 0 {
                        line.push(" ");
                    }
                    line.push(word);
                }
                out.push(line);
            };
            if let Some(goroot) = goroot {
                command(
                    "-iex",
                    &[
                        "add-auto-load-safe-path".as_ref(),
                        goroot.join("src/runtime").as_os_str(),
                    ],
                );
            }
            if let Some(dir) = &aids.debug_dir {
                command("-iex", &["set debuginfod enabled off".as_ref()]);
                let mut dirs = dir.as_os_str().to_owned();
                dirs.push(":/usr/lib/debug");
                command("-iex", &["set debug-file-directory".as_ref(), &dirs]);
            }
            if let (true, Some(goroot)) = (aids.trimmed, goroot) {
                // The binary names runtime-gdb.py by a relative path gdb cannot find: gv
                // sources the SDK's once the binary is loaded, instead.
                command("-iex", &["set auto-load python-scripts off".as_ref()]);
                command(
                    "-iex",
                    &["directory".as_ref(), goroot.join("src").as_os_str()],
                );
                if let Some((module, dir)) = &aids.module_dir {
                    let (from, to) = (gdb_quote(module.as_ref()), gdb_quote(dir.as_os_str()));
                    command("-iex", &["set substitute-path".as_ref(), &from, &to]);
                }
                command(
                    "-ex",
                    &[
                        "source".as_ref(),
                        goroot.join("src/runtime/runtime-gdb.py").as_os_str(),
                    ],
                );
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

/// A word for gdb's argument parser (`set substitute-path`): in double quotes, with `\`
/// and `"` escaped, when it has anything but plain characters.
fn gdb_quote(word: &OsStr) -> OsString {
    let text = word.to_string_lossy();
    if !text.is_empty() && !text.contains([' ', '\t', '"', '\'', '\\']) {
        return word.to_owned();
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out.into()
}

/// delve's config file (`dlv/config.yml` under `XDG_CONFIG_HOME`, the only place delve
/// takes `debug-info-directories` from) for a debug twin in `aids`: the user's own config
/// (`user`, at most [`crate::symbols::limits::DLV_CONFIG`]) without its
/// `debug-info-directories` and `substitute-path`, then gv's. `None` when the binary
/// needs no aid.
pub fn dlv_config(aids: &Aids, user: Option<&str>) -> Option<String> {
    if aids.debug_dir.is_none() && aids.module_dir.is_none() {
        return None;
    }
    let mut out = String::new();
    if let Some(user) = user {
        let mut skipping = false;
        for line in user.lines() {
            let top_level = !line.starts_with([' ', '\t', '-', '#']) && !line.trim().is_empty();
            if top_level {
                let key = line.split(':').next().unwrap_or("").trim();
                skipping = key == "debug-info-directories" || key == "substitute-path";
            }
            if !skipping {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.push_str(
        "# Added by gv debug: the symbol store, where delve finds split debug information.\n",
    );
    let mut dirs = Vec::new();
    if let Some(dir) = &aids.debug_dir {
        dirs.push(yaml_quote(&dir.to_string_lossy()));
    }
    dirs.push(yaml_quote("/usr/lib/debug/.build-id"));
    out.push_str(&format!("debug-info-directories: [{}]\n", dirs.join(", ")));
    if let (true, Some((module, dir))) = (aids.trimmed, &aids.module_dir) {
        out.push_str(&format!(
            "substitute-path: [{{from: {}, to: {}}}]\n",
            yaml_quote(module),
            yaml_quote(&dir.to_string_lossy())
        ));
    }
    Some(out)
}

/// The user's own delve config (delve's place for it: `$XDG_CONFIG_HOME/dlv`, else
/// `~/.config/dlv` on Linux or `~/.dlv`), read with a bound.
pub fn user_dlv_config() -> Option<String> {
    use std::io::Read as _;
    let xdg = gv_core::process::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let home = gv_core::platform::home_dir();
    let candidates = [
        xdg.map(|d| d.join("dlv")),
        home.as_ref().map(|h| h.join(".config").join("dlv")),
        home.map(|h| h.join(".dlv")),
    ];
    let path = candidates
        .into_iter()
        .flatten()
        .map(|dir| dir.join("config.yml"))
        .find(|f| f.is_file())?;
    let file = std::fs::File::open(path).ok()?;
    let mut text = String::new();
    file.take(crate::symbols::limits::DLV_CONFIG)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// A YAML double-quoted scalar: `\`, `"` and control characters escaped.
fn yaml_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
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
            strings(argv(Debugger::Delve, &program, None, &Aids::default(), &[])),
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
                &Aids::default(),
                &["--headless".into(), "--listen=:2345".into()]
            )),
            ["exec", "--headless", "--listen=:2345", "/b/app"]
        );
        let core = Target::Core {
            binary: Path::new("/b/app"),
            core: Path::new("/c/core"),
        };
        assert_eq!(
            strings(argv(Debugger::Delve, &core, None, &Aids::default(), &[])),
            ["core", "/b/app", "/c/core"]
        );
    }

    gv_core::unix_only! {
    #[test]
    fn gdb_command_lines() {
        let g = Path::new("/g");
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
                &Aids::default(),
                &["-batch".into()]
            )),
            // The SDK's paths as the platform joins them (`\` after `/g` on Windows).
            [
                "-q",
                "-iex",
                &format!("add-auto-load-safe-path {}", g.join("src/runtime").display()),
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
            strings(argv(Debugger::Gdb, &core, None, &Aids::default(), &[])),
            ["-q", "/b/app", "/c/core"]
        );
    }
    }

    #[test]
    fn gdb_is_pointed_at_the_store_and_a_trimmed_binary_s_runtime_and_sources() {
        let g = Path::new("/g");
        let core = Target::Core {
            binary: Path::new("/b/app"),
            core: Path::new("/c/core"),
        };
        let aids = Aids {
            debug_dir: Some("/s/symbols".into()),
            trimmed: true,
            module_dir: Some(("example.com/my app".into(), "/src/my \"app\"".into())),
        };
        assert_eq!(
            strings(argv(
                Debugger::Gdb,
                &core,
                Some(Path::new("/g")),
                &aids,
                &["-batch".into()]
            )),
            [
                "-q",
                "-iex",
                &format!(
                    "add-auto-load-safe-path {}",
                    g.join("src/runtime").display()
                ),
                "-iex",
                "set debuginfod enabled off",
                "-iex",
                "set debug-file-directory /s/symbols:/usr/lib/debug",
                "-iex",
                "set auto-load python-scripts off",
                "-iex",
                &format!("directory {}", g.join("src").display()),
                "-iex",
                "set substitute-path \"example.com/my app\" \"/src/my \\\"app\\\"\"",
                "-ex",
                &format!("source {}", g.join("src/runtime/runtime-gdb.py").display()),
                "-batch",
                "/b/app",
                "/c/core"
            ]
        );
    }

    #[test]
    fn delve_s_config_keeps_the_user_s_settings_but_the_two_gv_sets() {
        assert_eq!(dlv_config(&Aids::default(), Some("x: 1\n")), None);
        let aids = Aids {
            debug_dir: Some("/s/sym\"bols".into()),
            trimmed: true,
            module_dir: Some(("example.com/app".into(), "/src/app".into())),
        };
        let user = "# mine\nmax-string-len: 99\ndebug-info-directories:\n- /old\n  - /older\nsubstitute-path:\n  - {from: a, to: b}\naliases:\n  c: [continue]\n";
        let config = dlv_config(&aids, Some(user)).unwrap();
        assert_eq!(
            config,
            "# mine\nmax-string-len: 99\naliases:\n  c: [continue]\n\
             # Added by gv debug: the symbol store, where delve finds split debug information.\n\
             debug-info-directories: [\"/s/sym\\\"bols\", \"/usr/lib/debug/.build-id\"]\n\
             substitute-path: [{from: \"example.com/app\", to: \"/src/app\"}]\n"
        );
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
