//! The selected SDK's go command with the environment a shim gives it, and the one line
//! `-v` prints for each go command gv runs.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;

/// The selected SDK and the environment its go command runs with.
pub struct Toolchain {
    pub go: PathBuf,
    pub goroot: PathBuf,
    /// The Go it runs (`Resolved::version`).
    pub version: Option<gv_core::Version>,
    /// Variables to set on every child (the shim's injected environment + the profile's).
    pub env: Vec<(String, OsString)>,
}

impl Toolchain {
    /// The SDK `selection` names, with the environment `plan` injects, as a shim runs it.
    pub fn selected(
        selection: &gv_core::select::Selection,
        plan: &gv_core::env::EnvPlan,
    ) -> Result<Toolchain, gv_core::error::Hinted> {
        let go = selection.resolved.binary("go");
        let goroot = selection.resolved.goroot().ok_or_else(|| {
            gv_core::error::Hinted::new(
                format!("cannot tell the GOROOT of the go at {}", go.display()),
                "select a gv-managed version (gv local 1.22)",
            )
        })?;
        let env = plan
            .changes()
            .map(|(k, v)| (k.to_string(), v.to_os_string()))
            .collect();
        Ok(Toolchain {
            go,
            goroot,
            version: selection.resolved.version(),
            env,
        })
    }

    /// The go command in `dir` with the shim's environment and the profile's variables.
    pub fn command(&self, dir: &Path, profile_env: &BTreeMap<String, String>) -> Command {
        let mut cmd = Command::new(&self.go);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)))
            .envs(profile_env)
            .current_dir(dir);
        cmd
    }

    /// Runs `go ARGS` in `dir`, first printing the command line when `explain`; returns
    /// go's exit code.
    pub fn run(
        &self,
        args: &[String],
        dir: &Path,
        profile_env: &BTreeMap<String, String>,
        explain: bool,
    ) -> anyhow::Result<u8> {
        if explain {
            crate::ui::info(format!(
                "gv: running: {}",
                self.explain_line(profile_env, args)
            ));
        }
        // Ctrl-C stops go, not gv, which then removes its staging directories.
        let status =
            gv_core::platform::status_through_interrupts(self.command(dir, profile_env).args(args))
                .with_context(|| format!("cannot run {}", self.go.display()))?;
        Ok(gv_core::platform::exit_code(status))
    }

    /// `SetCrashOutput` arrived in Go 1.23.
    pub fn has_crash_output(&self) -> bool {
        self.version
            .as_ref()
            .is_some_and(|v| (v.major(), v.minor()) >= (1, 23))
    }

    /// `GOROOT=… CGO_ENABLED=0 /…/go build …`, quoted for a POSIX shell.
    fn explain_line(&self, profile_env: &BTreeMap<String, String>, args: &[String]) -> String {
        let mut words: Vec<String> = Vec::new();
        for (name, value) in &self.env {
            let value = if name == "PATH" {
                format!("{}:$PATH", self.goroot.join("bin").display())
            } else {
                shell_quote(&value.to_string_lossy())
            };
            words.push(format!("{name}={value}"));
        }
        for (name, value) in profile_env {
            words.push(format!("{name}={}", shell_quote(value)));
        }
        words.push(shell_quote(&self.go.to_string_lossy()));
        words.extend(args.iter().map(|a| shell_quote(a)));
        words.join(" ")
    }
}

fn shell_quote(s: &str) -> String {
    gv_core::shell_syntax::Syntax::Posix.word(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_quotes_for_the_shell() {
        assert_eq!(shell_quote("-gcflags=all=-N -l"), "'-gcflags=all=-N -l'");
        assert_eq!(shell_quote("./cmd/app"), "./cmd/app");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
