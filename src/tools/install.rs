//! `go install PACKAGE@VERSION` into the shared GOBIN, with the selected SDK and the
//! environment a shim would give it. The package and version come from a user's argument
//! or from a binary's build info, which anyone can forge: both are checked to be a plain
//! import path and module version before they reach the go command, and the command line
//! ends go's options (`--`) before the target, so nothing in them can pass for a flag.

use std::ffi::OsStr;
use std::fmt;
use std::path::Path;
use std::process::{Command, ExitStatus};

use thiserror::Error;

/// A checked `PACKAGE@VERSION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    package: String,
    version: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TargetError {
    #[error(
        "`{0}` is not an import path: it starts with `-`, which the go command would read as an option"
    )]
    Dash(String),
    #[error(
        "`{0}` is not an import path: it is empty or holds spaces, quotes or control characters"
    )]
    BadPath(String),
    #[error("`{0}` is not a module version (expected v1.2.3, latest, a branch or a commit)")]
    BadVersion(String),
}

impl Target {
    pub fn new(package: &str, version: &str) -> Result<Target, TargetError> {
        if package.starts_with('-') {
            return Err(TargetError::Dash(package.to_string()));
        }
        if package.is_empty() || !package.chars().all(is_path_char) {
            return Err(TargetError::BadPath(package.to_string()));
        }
        if version.is_empty()
            || version.starts_with('-')
            || !version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-/".contains(c))
        {
            return Err(TargetError::BadVersion(version.to_string()));
        }
        Ok(Target {
            package: package.to_string(),
            version: version.to_string(),
        })
    }

    pub fn package(&self) -> &str {
        &self.package
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// The same package at another version.
    pub fn at(&self, version: &str) -> Result<Target, TargetError> {
        Target::new(&self.package, version)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.package, self.version)
    }
}

/// Characters Go allows in an import path (golang.org/x/mod/module's CheckImportPath
/// allows letters, digits and `-._~/+`; `!` never appears in a path users type).
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~/+".contains(c)
}

/// Runs `go install -- TARGET` with `go`, the environment `env` (the shim's: GOROOT, PATH,
/// GOTOOLCHAIN, GOBIN) on top of ours, in `cwd`.
pub fn go_install<'a>(
    go: &Path,
    target: &Target,
    env: impl IntoIterator<Item = (&'a str, &'a OsStr)>,
    cwd: &Path,
) -> std::io::Result<ExitStatus> {
    Command::new(go)
        .args(["install", "--"])
        .arg(target.to_string())
        .envs(env)
        .current_dir(cwd)
        .status()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_targets_pass() {
        let t = Target::new("golang.org/x/tools/gopls", "v0.16.2").unwrap();
        assert_eq!(t.to_string(), "golang.org/x/tools/gopls@v0.16.2");
        assert!(Target::new("example.com/a", "latest").is_ok());
        assert!(Target::new("example.com/a", "v0.0.0-20240101000000-abcdef123456").is_ok());
        assert!(Target::new("example.com/a", "v2.0.0+incompatible").is_ok());
    }

    #[test]
    fn anything_that_could_be_a_flag_or_shell_is_refused() {
        assert!(matches!(
            Target::new("-toolexec=/bin/sh", "v1.0.0"),
            Err(TargetError::Dash(_))
        ));
        assert!(matches!(
            Target::new("example.com/a", "-x"),
            Err(TargetError::BadVersion(_))
        ));
        for bad in ["", "a b", "a\nb", "a;rm", "a$(x)", "a'b", "a\"b"] {
            assert!(Target::new(bad, "v1").is_err(), "{bad:?}");
        }
        for bad in ["", "v1 v2", "v1;x", "v1\n"] {
            assert!(Target::new("example.com/a", bad).is_err(), "{bad:?}");
        }
    }

    gv_core::unix_only! {
    /// The command line itself: `--` before the target, whatever the target.
    #[test]
    fn the_command_ends_options_before_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let go = dir.path().join("go");
        let log = dir.path().join("argv");
        std::fs::write(
            &go,
            format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > {}\n", log.display()),
        )
        .unwrap();
        gv_core::platform::set_executable(&go).unwrap();
        let target = Target::new("example.com/a", "v1.0.0").unwrap();
        let status = go_install(&go, &target, [], dir.path()).unwrap();
        assert!(status.success());
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "install\n--\nexample.com/a@v1.0.0\n"
        );
    }
    }
}
