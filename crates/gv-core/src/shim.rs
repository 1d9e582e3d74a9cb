//! Settings of the `go`/`gofmt` shims that other parts of gv need to know about: which
//! commands get a shim, the recursion guard and opt-in auto-install. The shim itself is
//! the `gv-shim` crate.

use std::ffi::OsStr;

use crate::config::Config;
use crate::env::EnvError;

/// No honest chain of tools goes through this many shims: the SDK's `bin/` is first on
/// the child's PATH, so a go command's own children never hit a shim.
pub const MAX_DEPTH: u32 = 16;

/// The commands a Go distribution puts in `$GOROOT/bin`, and so the only names gv makes
/// shims for: Go's `cmd/dist` installs `go` and `gofmt` there (every other command goes
/// to `pkg/tool/`) and fails a build that leaves any other new file in it; `cmd/distpack`
/// packs exactly these two into a release. An archive whose `bin/` holds anything else
/// (`ls`, `sudo`, `git`, `gv`) is not laid out like Go's, and a shim by such a name would
/// shadow the system's command everywhere.
pub const GO_COMMANDS: &[&str] = &["go", "gofmt"];

/// Is `file_name` one of [`GO_COMMANDS`], as a file in `bin/` (`go`, or `go.exe` in a
/// Windows SDK, which gv installs on any machine with `--os windows`)?
pub fn is_go_command(file_name: &str) -> bool {
    let len = file_name.len();
    let name = match len.checked_sub(4) {
        Some(cut)
            if file_name.is_char_boundary(cut) && file_name[cut..].eq_ignore_ascii_case(".exe") =>
        {
            &file_name[..cut]
        }
        _ => file_name,
    };
    GO_COMMANDS.contains(&name)
}

/// The recursion depth a shim was started with; garbage counts as 0.
pub fn depth(value: Option<&OsStr>) -> u32 {
    value
        .and_then(OsStr::to_str)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Whether to auto-install: `GV_AUTO_INSTALL` when set, else the `auto_install` key.
pub fn auto_install(config: &Config, env_value: Option<&OsStr>) -> Result<bool, EnvError> {
    match env_value.and_then(OsStr::to_str).map(str::trim) {
        Some("1" | "true" | "yes") => return Ok(true),
        Some("0" | "false" | "no") => return Ok(false),
        _ => {}
    }
    Ok(config.auto_install()?.is_some_and(|setting| setting.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;
    use std::path::Path;

    #[test]
    fn auto_install_env_beats_config() {
        let on = Config {
            user: Some(ConfigFile::parse(Path::new("/u.toml"), "auto_install = true").unwrap()),
            ..Config::default()
        };
        assert!(auto_install(&on, None).unwrap());
        assert!(!auto_install(&on, Some(OsStr::new("0"))).unwrap());
        assert!(auto_install(&Config::default(), Some(OsStr::new("1"))).unwrap());
        assert!(!auto_install(&Config::default(), None).unwrap());
        let bad = Config {
            user: Some(ConfigFile::parse(Path::new("/u.toml"), "auto_install = \"y\"").unwrap()),
            ..Config::default()
        };
        let err = auto_install(&bad, None).unwrap_err().to_string();
        assert!(
            err.contains("/u.toml: `auto_install` must be true or false"),
            "{err}"
        );
        // A cloned repository cannot turn it on.
        let project_only = Config {
            project: Some(ConfigFile::parse(Path::new("/p.toml"), "auto_install = true").unwrap()),
            ..Config::default()
        };
        assert!(!auto_install(&project_only, None).unwrap());
    }

    #[test]
    fn only_gos_own_commands_are_go_commands() {
        for name in ["go", "gofmt", "go.exe", "gofmt.EXE"] {
            assert!(is_go_command(name), "{name}");
        }
        for name in [
            "ls", "sudo", "git", "gv", "gv-shim", "godoc", "go.sh", "", ".exe", "gofmt2",
        ] {
            assert!(!is_go_command(name), "{name}");
        }
    }

    #[test]
    fn depth_parses_leniently() {
        assert_eq!(depth(None), 0);
        assert_eq!(depth(Some(OsStr::new("3"))), 3);
        assert_eq!(depth(Some(OsStr::new("x"))), 0);
    }
}
