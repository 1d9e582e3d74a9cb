//! `gv trust`'s work: recording and forgetting trusted project files (gv-core's `trust`
//! module decides, on the hot path, from what is recorded here), and reviewing what a
//! gv.toml would do before the user trusts it.

use std::fs::File;
use std::path::{Path, PathBuf};

use gv_core::Store;
use gv_core::config::{self, ConfigError, ConfigFile};
use gv_core::notice::Notice;
use gv_core::settings::{self, Checked, EnvTable, Gobin, Gotoolchain, SettingError, Settings};
use gv_core::trust::{self, Record, Records};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TrustError {
    #[error("{path} does not exist")]
    Missing { path: PathBuf },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot update {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl gv_core::error::Hint for TrustError {
    fn hint(&self) -> Option<String> {
        match self {
            TrustError::Missing { .. } => {
                Some("give the gv.toml to trust, or a directory that holds one".to_string())
            }
            TrustError::Config(e) => gv_core::error::Hint::hint(e),
            TrustError::Write { .. } => Some("check that GV_ROOT is writable".to_string()),
        }
    }
}

/// Where a project file is recorded: its directory with symlinks resolved, as the shim
/// and the hook find it (the kernel reports the working directory that way), plus the
/// file name. A directory argument means the gv.toml in it.
pub fn canonical_target(path: &Path) -> Result<PathBuf, TrustError> {
    let missing = || TrustError::Missing {
        path: path.to_path_buf(),
    };
    let file = if path.is_dir() {
        path.join(gv_core::select::PROJECT_CONFIG_FILE)
    } else {
        path.to_path_buf()
    };
    let name = file.file_name().ok_or_else(missing)?;
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(dir).map_err(|_| missing())?;
    let file = dir.join(name);
    if !file.is_file() {
        return Err(TrustError::Missing { path: file });
    }
    Ok(file)
}

/// Trusts the current content of `file` (a canonical path): it applies from now on, until
/// it changes. The file must parse, so nothing is trusted that gv cannot show.
pub fn record(store: &Store, file: &Path) -> Result<Record, TrustError> {
    let contents = config::read_file(file)?.ok_or_else(|| TrustError::Missing {
        path: file.to_path_buf(),
    })?;
    ConfigFile::parse(file, &String::from_utf8_lossy(&contents.bytes))?;
    let record = Record {
        path: file.to_path_buf(),
        sha256: trust::sha256_hex(&contents.bytes),
        stamp: contents.stamp,
    };
    update(store, |records| records.upsert(record.clone()))?;
    Ok(record)
}

/// Forgets `file`; whether it was recorded.
pub fn forget(store: &Store, file: &Path) -> Result<bool, TrustError> {
    let mut removed = false;
    update(store, |records| removed = records.remove(file))?;
    Ok(removed)
}

/// Read-modify-write of the record file under a lock, so two `gv trust` at once both count.
fn update(store: &Store, change: impl FnOnce(&mut Records)) -> Result<(), TrustError> {
    let path = store.trust_records();
    let write = |source| TrustError::Write {
        path: path.clone(),
        source,
    };
    let locks = store.root().join("locks");
    std::fs::create_dir_all(&locks).map_err(write)?;
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(locks.join("trust.lock"))
        .map_err(write)?;
    lock.lock().map_err(write)?;
    let mut records = Records::load(&path).map_err(write)?;
    change(&mut records);
    crate::fsutil::write_atomic(&path, records.render().as_bytes()).map_err(write)
}

/// One thing a project file would do, for `gv trust --show`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// `[env] GOFLAGS`, `gotoolchain`, `[profile.debug] ldflags`.
    pub key: String,
    /// The value as TOML writes it.
    pub value: String,
    /// What it can make go (or the built program) do beyond building, in one line.
    pub risk: Option<String>,
}

/// What a project gv.toml would apply once trusted, and what gv ignores in it anyway.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Review {
    pub entries: Vec<Entry>,
    /// Entries gv ignores even in a trusted file, each with the reason.
    pub ignored: Vec<String>,
    /// Values gv would refuse (the file then fails until fixed).
    pub errors: Vec<String>,
}

impl Review {
    pub fn risky(&self) -> usize {
        self.entries.iter().filter(|e| e.risk.is_some()).count()
    }
}

/// Reviews a parsed project file: each key it sets, in its order, from its typed settings.
pub fn review(file: &ConfigFile) -> Review {
    let mut review = Review::default();
    let mut ignored: Vec<Notice> = Vec::new();
    let set = &file.settings;
    let quoted = |text: &str| toml::Value::String(text.to_string()).to_string();
    for key in &set.keys {
        match key.as_str() {
            settings::ENV => review_env(set.env.as_ref(), "[env]", &mut review, &mut ignored),
            settings::GOTOOLCHAIN => match &set.gotoolchain {
                Some(Ok(policy)) => review.entries.push(Entry {
                    key: key.clone(),
                    value: quoted(policy.as_str()),
                    risk: (*policy == Gotoolchain::Auto).then(|| {
                        "lets a go.mod's toolchain line make the go command download and run another Go toolchain".to_string()
                    }),
                }),
                Some(Err(e)) => review.errors.push(e.to_string()),
                None => {}
            },
            settings::GOBIN => match &set.gobin {
                Some(Ok(gobin)) => review.entries.push(Entry {
                    key: key.clone(),
                    value: match gobin {
                        Gobin::Off => "false".to_string(),
                        Gobin::Dir(dir) => quoted(dir),
                    },
                    risk: Some(GOBIN_RISK.to_string()),
                }),
                Some(Err(e)) => review.errors.push(e.to_string()),
                None => {}
            },
            settings::PROFILE => review_profiles(set, &mut review, &mut ignored),
            k if settings::USER_ONLY_KEYS.contains(&k) => review.ignored.push(format!(
                "`{k}`: only your own config.toml may set `{k}`"
            )),
            k => review.ignored.push(format!(
                "`{}`: not a key gv knows",
                gv_core::text::one_line(k)
            )),
        }
    }
    review.ignored.extend(ignored.into_iter().map(|n| {
        let text = n.text;
        // The notices start with the file's path; the review is already about it.
        let prefix = format!("{}: ", file.path.display());
        text.strip_prefix(&prefix)
            .map(str::to_string)
            .unwrap_or(text)
    }));
    review
}

/// The entries of an `[env]` table (`label`: `[env]`, `[profile.NAME] env.`), as a
/// project's.
fn review_env(
    table: Option<&Checked<EnvTable>>,
    label: &str,
    review: &mut Review,
    ignored: &mut Vec<Notice>,
) {
    let entries = match table {
        Some(Ok(table)) => table.entries(true, ignored),
        Some(Err(e)) => Err(e.clone()),
        None => return,
    };
    match entries {
        Ok(entries) => {
            for (name, entry) in entries {
                let separator = if label.ends_with('.') { "" } else { " " };
                review.entries.push(Entry {
                    key: format!("{label}{separator}{name}"),
                    value: env_value(&entry),
                    risk: env_risk(&name, &entry.value),
                });
            }
        }
        Err(e) => review.errors.push(e.to_string()),
    }
}

fn review_profiles(set: &Settings, review: &mut Review, ignored: &mut Vec<Notice>) {
    for name in &set.bad_profiles {
        review.errors.push(if name.is_empty() {
            "`profile` must be a table of [profile.NAME] tables".into()
        } else {
            format!(
                "[profile.{}] must be a table",
                gv_core::text::one_line(name)
            )
        });
    }
    for (name, profile) in &set.profiles {
        let name = gv_core::text::one_line(name);
        let mut show =
            |key: &str, value: Result<String, &SettingError>, risk: Option<String>| match value {
                Ok(value) => review.entries.push(Entry {
                    key: format!("[profile.{name}] {key}"),
                    value,
                    risk,
                }),
                Err(e) => review.errors.push(e.to_string()),
            };
        fn text(v: &Checked<String>) -> Result<String, &SettingError> {
            v.as_ref()
                .map(|s| toml::Value::String(s.clone()).to_string())
        }
        fn flag(v: &Checked<bool>) -> Result<String, &SettingError> {
            v.as_ref().map(bool::to_string)
        }
        if let Some(v) = &profile.inherits {
            show("inherits", text(v), None);
        }
        for (key, list) in [
            ("gcflags", &profile.gcflags),
            ("ldflags", &profile.ldflags),
            ("asmflags", &profile.asmflags),
            ("tags", &profile.tags),
        ] {
            let Some(list) = list else { continue };
            let risk = list.as_ref().ok().and_then(|list| {
                let risks: Vec<String> = list
                    .items
                    .iter()
                    .filter_map(|v| tool_flags_risk(key, v))
                    .collect();
                (!risks.is_empty()).then(|| risks.join("; "))
            });
            let value = list.as_ref().map(|list| {
                let items = toml::Value::Array(
                    list.items
                        .iter()
                        .map(|i| toml::Value::String(i.clone()))
                        .collect(),
                );
                if list.replace {
                    format!("{{ replace = {items} }}")
                } else {
                    items.to_string()
                }
            });
            show(key, value, risk);
        }
        for (key, on) in [
            ("trimpath", &profile.trimpath),
            ("race", &profile.race),
            ("keep_debug", &profile.keep_debug),
        ] {
            if let Some(on) = on {
                show(key, flag(on), None);
            }
        }
        if let Some(v) = &profile.expect {
            show("expect", text(v), None);
        }
        if let Some(v) = &profile.traceback {
            show("traceback", text(v), None);
        }
        if let Some(v) = &profile.crash_output {
            show(
                "crash_output",
                text(v),
                Some("the built program writes its crash report to this file, replacing what is there".to_string()),
            );
        }
        for key in &profile.unknown {
            review.ignored.push(format!(
                "[profile.{name}] `{}`: not a key gv knows",
                gv_core::text::one_line(key)
            ));
        }
        review_env(
            profile.env.as_ref(),
            &format!("[profile.{name}] env."),
            review,
            ignored,
        );
    }
}

fn env_value(entry: &gv_core::env::Entry) -> String {
    let quoted = toml::Value::String(entry.value.clone()).to_string();
    if entry.forced {
        format!("{quoted} (forced)")
    } else {
        quoted
    }
}

const GOBIN_RISK: &str =
    "`go install` writes programs there; if it is on your PATH, they run in place of yours";

/// What setting `name` to `value` lets a repository do beyond choosing build options: run
/// a program, fetch code from elsewhere, or skip the checks that prove downloads genuine.
pub fn env_risk(name: &str, value: &str) -> Option<String> {
    let text = match name {
        "GOFLAGS" => return Some(goflags_risk(value)),
        "GOTOOLCHAIN" => {
            "makes the go command download and run another Go toolchain (from wherever GOPROXY points)"
        }
        "GOPROXY" => "chooses the server modules and Go toolchains are downloaded from",
        "GOSUMDB" => "chooses the checksum database that proves downloads genuine, or turns it off",
        "GONOSUMDB" | "GONOSUMCHECK" | "GOPRIVATE" => {
            "exempts the modules it names from the checksum database, so a tampered download is not caught"
        }
        "GONOPROXY" => "fetches the modules it names straight from their version-control servers",
        "GOINSECURE" => {
            "allows the modules it names to be fetched over plain HTTP, without checksums"
        }
        "GOENV" => {
            "points the go command at another settings file, which can set any of these variables"
        }
        "GOCACHEPROG" => "runs the program it names for every build-cache access",
        "GOAUTH" => "runs the commands it names to fetch credentials",
        "GOVCS" => "lets `go get` run version-control tools for more servers",
        "GOBIN" => GOBIN_RISK,
        "GOMODCACHE" => {
            "points the go command at a module cache the repository chooses: code placed there is built in place of the modules go.sum names (go checks the cache's own records)"
        }
        "GOPATH" => {
            "moves GOPATH, and with it the module cache ($GOPATH/pkg/mod), which then holds whatever the repository placed there, and where `go install` writes programs"
        }
        "GOCACHE" => {
            "points the go command at a build cache the repository chooses: results placed there are used in place of compiling your code"
        }
        // Not one of the go command's variables, so a project cannot set it; said in case
        // your own config.toml is reviewed.
        "GOENV_ROOT" => "chooses where `gv import goenv` adopts Go SDKs from",
        "CC" | "CXX" | "FC" | "GCCGO" | "AR" | "PKG_CONFIG" => {
            "names a program the go command runs while building with cgo"
        }
        n if n.starts_with("CGO_")
            && (n.ends_with("FLAGS") || n.ends_with("_ALLOW") || n.ends_with("_DISALLOW")) =>
        {
            "passes flags to the C compiler or linker that cgo's allow-list refuses from source code (plugins, linker scripts)"
        }
        _ => return None,
    };
    Some(text.to_string())
}

/// GOFLAGS is added to every go command: say exactly what the dangerous flags in it do,
/// read as the go command reads it (`cmd/internal/quoted`: `'-toolexec=./x'` is the flag
/// `-toolexec=./x`; each word is one flag, `-name=value` or `--name=value`).
fn goflags_risk(value: &str) -> String {
    const GENERAL: &str = "adds flags to every go command; -toolexec, -exec and -overlay would make go run or compile what the repository chooses";
    let words = match crate::gobuild::flags::split_quoted(value) {
        Ok(words) => words,
        Err(why) => {
            return format!("the go command refuses it ({why}): every go command run there fails");
        }
    };
    let mut risks = Vec::new();
    for word in &words {
        let Some(flag) = word.strip_prefix('-') else {
            continue;
        };
        let flag = flag.strip_prefix('-').unwrap_or(flag);
        let (name, value) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (flag, None),
        };
        let value = value.unwrap_or_default();
        let risk = match name {
            "toolexec" => format!(
                "-toolexec runs {value} in place of every compiler, assembler and linker run of every go build: any program the repository ships, with your rights"
            ),
            "exec" => format!("-exec makes `go run` and `go test` start programs through {value}"),
            "overlay" => {
                "-overlay makes go compile files the repository substitutes for the ones you see"
                    .to_string()
            }
            "modfile" => "-modfile makes go read another go.mod than the one you see".to_string(),
            "o" => format!(
                "-o makes go build and go test write what they build to {value}, replacing what is there"
            ),
            "pkgdir" => format!("-pkgdir makes go load and install compiled packages in {value}"),
            "gcflags" | "ldflags" | "asmflags" => match tool_flags_risk(name, value) {
                Some(risk) => risk,
                None => continue,
            },
            _ => continue,
        };
        risks.push(risk);
    }
    if risks.is_empty() {
        GENERAL.to_string()
    } else {
        risks.join("; ")
    }
}

/// What a `-gcflags`, `-ldflags` or `-asmflags` value (`pattern=flags`, read as the go
/// command reads it) makes the compiler, linker or assembler do beyond building: write its
/// output somewhere else (`-o`), or run another program (`-extld`, `-extar`).
fn tool_flags_risk(flag: &str, value: &str) -> Option<String> {
    let Ok(parsed) = crate::gobuild::flags::parse_per_package(flag, value) else {
        return Some(format!(
            "-{flag}={value} is not a value the go command accepts: every build there fails"
        ));
    };
    let args = &parsed.args;
    let mut risks = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let arg = arg.strip_prefix('-').unwrap_or(arg);
        let arg = arg.strip_prefix('-').unwrap_or(arg);
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg, None),
        };
        let value = inline
            .map(str::to_string)
            .or_else(|| args.get(i + 1).cloned())
            .unwrap_or_default();
        match name {
            "o" => risks.push(format!(
                "-{flag} -o makes the {} write its output to {value}, replacing what is there",
                tool_of(flag)
            )),
            "extld" | "extar" if flag == "ldflags" => risks.push(format!(
                "-ldflags -{name} names the program the linker runs ({value}): any program the repository ships"
            )),
            _ => {}
        }
    }
    (!risks.is_empty()).then(|| risks.join("; "))
}

fn tool_of(flag: &str) -> &'static str {
    match flag {
        "gcflags" => "compiler",
        "ldflags" => "linker",
        _ => "assembler",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ConfigFile {
        ConfigFile::parse(Path::new("/p/gv.toml"), text).unwrap()
    }

    #[test]
    fn toolexec_is_explained_in_one_line() {
        let review = review(&file(
            "[env]\nGOFLAGS = \"-toolexec=./x\"\nCGO_ENABLED = 0\n",
        ));
        let goflags = review
            .entries
            .iter()
            .find(|e| e.key == "[env] GOFLAGS")
            .unwrap();
        let risk = goflags.risk.as_deref().unwrap();
        assert!(
            risk.contains("runs ./x in place of every compiler"),
            "{risk}"
        );
        assert!(!risk.contains('\n'));
        let cgo = review
            .entries
            .iter()
            .find(|e| e.key == "[env] CGO_ENABLED")
            .unwrap();
        assert_eq!(cgo.risk, None);
        assert_eq!(review.risky(), 1);
    }

    fn goflags(value: &str) -> String {
        env_risk("GOFLAGS", value).unwrap()
    }

    /// GOFLAGS is read as go reads it: quotes, `--`, several flags, tool flags inside.
    #[test]
    fn goflags_are_read_as_the_go_command_reads_them() {
        for (value, want) in [
            (
                "'-toolexec=./x'",
                "-toolexec runs ./x in place of every compiler",
            ),
            ("\"--toolexec=./x y\"", "-toolexec runs ./x y in place"),
            ("-v '-x'-toolexec=./z", "-toolexec runs ./z"),
            (
                "-trimpath -exec=./run",
                "-exec makes `go run` and `go test` start programs through ./run",
            ),
            (
                "-o=/home/me/.bashrc",
                "-o makes go build and go test write what they build to /home/me/.bashrc",
            ),
            (
                "-gcflags=all=-o=/tmp/x",
                "-gcflags -o makes the compiler write its output to /tmp/x",
            ),
            (
                "'-ldflags=-o /tmp/y'",
                "-ldflags -o makes the linker write its output to /tmp/y",
            ),
            (
                "-ldflags=-extld=./cc",
                "-ldflags -extld names the program the linker runs (./cc)",
            ),
            (
                "'-toolexec=./x",
                "the go command refuses it (unterminated quoted string)",
            ),
        ] {
            let risk = goflags(value);
            assert!(risk.contains(want), "{value}: {risk}");
            assert!(!risk.contains('\n'), "{value}: {risk}");
        }
        let both = goflags("-toolexec=./a -exec=./b");
        assert!(both.contains("./a") && both.contains("./b"), "{both}");
        assert!(goflags("-trimpath -mod=mod").starts_with("adds flags to every go command"));
    }

    #[test]
    fn profile_tool_flags_that_write_or_run_elsewhere_are_flagged() {
        let review = review(&file(
            "[profile.x]\ngcflags = [\"all=-N -l\", \"./...=-o /tmp/evil\"]\nldflags = \"-o=/usr/local/bin/go\"\nasmflags = \"-I .\"\n",
        ));
        let risk = |key: &str| {
            review
                .entries
                .iter()
                .find(|e| e.key == key)
                .unwrap()
                .risk
                .clone()
        };
        assert!(
            risk("[profile.x] gcflags")
                .unwrap()
                .contains("compiler write its output to /tmp/evil"),
            "{review:?}"
        );
        assert!(
            risk("[profile.x] ldflags")
                .unwrap()
                .contains("/usr/local/bin/go")
        );
        assert_eq!(risk("[profile.x] asmflags"), None);
    }

    #[test]
    fn every_variable_that_runs_or_fetches_code_is_flagged() {
        for name in [
            "GOTOOLCHAIN",
            "GOPROXY",
            "GOSUMDB",
            "GONOSUMDB",
            "GONOSUMCHECK",
            "GOINSECURE",
            "GOPRIVATE",
            "GOFLAGS",
            "GOENV",
            "CGO_CFLAGS",
            "CGO_LDFLAGS",
            "CGO_CXXFLAGS",
            "CGO_CPPFLAGS",
            "CGO_LDFLAGS_ALLOW",
            "CC",
            "CXX",
            "GOCACHEPROG",
            "GOAUTH",
            "GOBIN",
            "GOMODCACHE",
            "GOPATH",
            "GOCACHE",
            "GOENV_ROOT",
        ] {
            assert!(env_risk(name, "x").is_some(), "{name}");
        }
        for name in [
            "CGO_ENABLED",
            "GODEBUG",
            "GOINSTRUMENT",
            "GOEXPERIMENT",
            "GOARCH",
        ] {
            assert!(env_risk(name, "x").is_none(), "{name}");
        }
    }

    #[test]
    fn what_a_project_can_never_set_is_listed_apart() {
        let review = review(&file(
            "mirror = \"https://evil.example/\"\nauto_install = true\ntrusted_paths = [\"/\"]\n[env]\nLD_PRELOAD = \"./evil.so\"\nPATH = \"/evil\"\n[profile.dwarf]\nenv = { LD_PRELOAD = { value = \"./evil.so\", force = true } }\nldflags = \"-extld=./evil\"\n",
        ));
        let ignored = review.ignored.join("\n");
        for needle in [
            "mirror",
            "auto_install",
            "trusted_paths",
            "[env] LD_PRELOAD",
            "[env] PATH",
            "[profile.dwarf.env] LD_PRELOAD",
        ] {
            assert!(ignored.contains(needle), "{needle}: {ignored}");
        }
        assert!(review.entries.iter().all(|e| !e.key.contains("LD_PRELOAD")));
        let ld = review
            .entries
            .iter()
            .find(|e| e.key == "[profile.dwarf] ldflags")
            .unwrap();
        assert!(ld.risk.as_deref().unwrap().contains("-extld"));
    }
}
