//! Panic-readiness without touching the user's files: an extra source file for package
//! main, added through `go build -overlay` (a JSON map from a path the go command sees to
//! a file that backs it). Its `init` raises the traceback level with
//! `runtime/debug.SetTraceback` — so a panic prints every goroutine without anyone having
//! to remember GOTRACEBACK — and on Go >= 1.23 sends fatal crash output to a file with
//! `runtime/debug.SetCrashOutput`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::Mode;
use super::flags::GoFlag;
use super::packages::Package;
use super::plan::Planned;
use super::profile::Profile;
use super::toolchain::Toolchain;

/// The name of the added file; a `zz_` prefix keeps it last, `_gv_` says who added it.
pub const FILE_NAME: &str = "zz_gv_panic_ready.go";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanicSettings {
    pub traceback: Option<String>,
    /// Only honoured when the Go version supports it (>= 1.23).
    pub crash_output: Option<String>,
}

impl PanicSettings {
    pub fn is_empty(&self) -> bool {
        self.traceback.is_none() && self.crash_output.is_none()
    }
}

/// What panic readiness adds to a build.
pub struct Prepared {
    /// `-overlay=…` for go: gv's (merged with the user's), or the user's own.
    pub flag: Option<String>,
    /// The package arguments for go: the user's, plus gv's file when they named `.go`
    /// files (those files form the whole package).
    pub patterns: Vec<String>,
    /// Variables for the program or test binary gv runs.
    pub run_env: BTreeMap<String, String>,
}

/// Sets up the profile's traceback level and crash file for `packages`: an overlay file
/// in each main package (build, run); for `go test -c`, whose vet step cannot see overlay
/// files, GOTRACEBACK on the test binary instead.
pub fn prepare(
    profile: &Profile,
    toolchain: &Toolchain,
    mode: Mode,
    planned: &Planned,
    packages: &[Package],
    scratch: &Path,
    workdir: &Path,
) -> anyhow::Result<Prepared> {
    let mut settings = PanicSettings {
        traceback: profile.traceback.clone(),
        crash_output: profile.crash_output.clone(),
    };
    if settings.crash_output.is_some() && !toolchain.has_crash_output() {
        crate::ui::warn(format!(
            "crash_output needs Go 1.23 or newer (runtime/debug.SetCrashOutput); Go {} is selected, so no crash file is set up",
            toolchain
                .version
                .as_ref()
                .map_or("(unknown)".to_string(), ToString::to_string)
        ));
        settings.crash_output = None;
    }
    let mut prepared = Prepared {
        flag: planned
            .user_overlay
            .as_ref()
            .map(|o| GoFlag::new("overlay", Some(o)).render()),
        patterns: planned.packages.clone(),
        run_env: planned.env.clone(),
    };
    if mode == Mode::Test {
        if let Some(level) = settings.traceback.take()
            && gv_core::process::var_os("GOTRACEBACK").is_none_or(|v| v.is_empty())
        {
            prepared.run_env.insert("GOTRACEBACK".to_string(), level);
        }
        if settings.crash_output.take().is_some() {
            crate::ui::warn(
                "crash_output is not applied to test binaries (go vet cannot see the file that sets it up)",
            );
        }
    }
    if settings.is_empty() {
        return Ok(prepared);
    }
    let mains: Vec<PathBuf> = packages
        .iter()
        .filter(|p| p.is_main())
        .map(|p| p.dir.clone())
        .collect();
    if mains.is_empty() {
        // Nothing to make panic-ready: a library has no main to run its init first.
        return Ok(prepared);
    }
    let user = planned.user_overlay.as_ref().map(|o| workdir.join(o));
    let (path, added) = write(scratch, &mains, &settings, user.as_deref(), "main")?;
    prepared.flag = Some(GoFlag::new("overlay", Some(&path.to_string_lossy())).render());
    // Files named on the command line form the whole package: name gv's too, spelled
    // like theirs (go wants every named file in one directory, compared as written).
    if let Some(first) = prepared.patterns.first()
        && prepared.patterns.iter().all(|p| p.ends_with(".go"))
        && !added.is_empty()
    {
        let ours = Path::new(first).with_file_name(FILE_NAME);
        prepared.patterns.push(ours.to_string_lossy().into_owned());
    }
    Ok(prepared)
}

/// Go source for the init file, in package `package`. Imports get unlikely names: a file's imports share a
/// namespace with the package's own top-level names.
pub fn source(settings: &PanicSettings, package: &str) -> String {
    let mut body = String::new();
    let mut imports = vec!["gv_debug \"runtime/debug\""];
    if let Some(level) = &settings.traceback {
        body.push_str(&format!("\tgv_debug.SetTraceback({})\n", go_string(level)));
    }
    if let Some(file) = &settings.crash_output {
        imports.push("gv_os \"os\"");
        body.push_str(&format!(
            "\tif f, err := gv_os.OpenFile({}, gv_os.O_WRONLY|gv_os.O_CREATE|gv_os.O_APPEND, 0o644); err == nil {{\n\
             \t\t_ = gv_debug.SetCrashOutput(f, gv_debug.CrashOptions{{}})\n\
             \t}}\n",
            go_string(file)
        ));
    }
    format!(
        "// Code generated by gv build for panic-ready binaries; DO NOT EDIT.\n\
         // It exists only in this build's -overlay, never in your source tree.\n\n\
         package {package}\n\nimport (\n{}\n)\n\nfunc init() {{\n{body}}}\n",
        imports
            .iter()
            .map(|i| format!("\t{i}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// A Go string literal: JSON's escapes are a subset of Go's.
fn go_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// Writes the init file for each main package directory and the overlay JSON into
/// `scratch`, merged with the user's own `-overlay` file if there is one. Returns the
/// overlay path and, per directory, the virtual file's path.
pub fn write(
    scratch: &Path,
    main_dirs: &[PathBuf],
    settings: &PanicSettings,
    user_overlay: Option<&Path>,
    package: &str,
) -> anyhow::Result<(PathBuf, Vec<PathBuf>)> {
    let mut replace: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    if let Some(user) = user_overlay {
        let text = std::fs::read_to_string(user)
            .with_context(|| format!("cannot read the -overlay file {}", user.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("the -overlay file {} is not valid JSON", user.display()))?;
        if let Some(map) = json.get("Replace").and_then(|r| r.as_object()) {
            replace.extend(map.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    let backing = scratch.join(FILE_NAME);
    std::fs::write(&backing, source(settings, package))
        .with_context(|| format!("cannot write {}", backing.display()))?;
    let mut added = Vec::new();
    for dir in main_dirs {
        let virtual_path = dir.join(FILE_NAME);
        if virtual_path.exists() {
            anyhow::bail!(gv_core::error::Hinted::new(
                format!(
                    "{} already exists, and gv build adds a file of that name to package main",
                    virtual_path.display()
                ),
                "rename your file, or set traceback = \"\" and crash_output = \"\" in the profile"
            ));
        }
        replace.insert(
            virtual_path.to_string_lossy().into_owned(),
            backing.to_string_lossy().into_owned().into(),
        );
        added.push(virtual_path);
    }
    let overlay = scratch.join("overlay.json");
    std::fs::write(
        &overlay,
        serde_json::to_string_pretty(&serde_json::json!({ "Replace": replace }))?,
    )
    .with_context(|| format!("cannot write {}", overlay.display()))?;
    Ok((overlay, added))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_sets_traceback_and_crash_output() {
        let src = source(
            &PanicSettings {
                traceback: Some("all".into()),
                crash_output: Some("/tmp/a \"b\".log".into()),
            },
            "main",
        );
        assert!(src.contains("gv_debug.SetTraceback(\"all\")"), "{src}");
        assert!(
            src.contains(r#"gv_os.OpenFile("/tmp/a \"b\".log""#),
            "{src}"
        );
        assert!(src.contains("package main"));
        let only = source(
            &PanicSettings {
                traceback: Some("crash".into()),
                crash_output: None,
            },
            "mylib",
        );
        assert!(only.contains("package mylib"));
        assert!(!only.contains("gv_os"), "{only}");
    }

    #[test]
    fn overlay_merges_the_users_entries_and_never_shadows_a_real_file() {
        let scratch = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        let user = scratch.path().join("user.json");
        std::fs::write(&user, r#"{"Replace":{"/x/a.go":"/y/a.go"}}"#).unwrap();
        let settings = PanicSettings {
            traceback: Some("all".into()),
            crash_output: None,
        };
        let dirs = vec![project.path().to_path_buf()];
        let (overlay, added) =
            write(scratch.path(), &dirs, &settings, Some(&user), "main").unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(overlay).unwrap()).unwrap();
        assert_eq!(json["Replace"]["/x/a.go"], "/y/a.go");
        assert!(json["Replace"][added[0].to_str().unwrap()].is_string());
        assert!(
            !project.path().join(FILE_NAME).exists(),
            "the source tree is untouched"
        );
        std::fs::write(project.path().join(FILE_NAME), "package main\n").unwrap();
        let err = write(scratch.path(), &dirs, &settings, None, "main").unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
    }
}
