//! gv's configuration files: the user's `config.toml` (XDG config dir, or `GV_CONFIG`)
//! and the nearest project `gv.toml` up the tree. For any key the project file wins
//! over the user file ("nearest wins per key").
//!
//! This module only finds, parses and looks up; each feature owns the meaning of its own
//! keys (`[env]` for the shim, `[profile.*]` for builds, `mirror` for installs) and lists
//! its top-level keys in [`KNOWN_KEYS`] so that typos get a warning.

use std::path::{Path, PathBuf};

use thiserror::Error;

pub const CONFIG_ENV: &str = "GV_CONFIG";

/// Every top-level key gv understands. A key outside this list earns a warning naming it.
pub const KNOWN_KEYS: &[&str] = &[
    // env.rs: the `[env]` table and the GOTOOLCHAIN policy.
    "env",
    "gotoolchain",
    // the shim: install a missing version before running it.
    "auto_install",
    // gv install: where SDKs are downloaded from.
    "mirror",
    // gv install: go.dev/a mirror ("dl") or GOPROXY + GOSUMDB ("goproxy").
    "source",
    // src/build/profile.rs: `[profile.NAME]` build profiles.
    "profile",
    // env.rs: the GOBIN shared by every version (tools that survive switching).
    "gobin",
];

/// Keys only the user's own config may set. A project's gv.toml comes with whatever
/// repository was cloned: it must not choose where Go SDKs are downloaded from, nor make
/// gv install one behind the user's back.
pub const USER_ONLY_KEYS: &[&str] = &["mirror", "auto_install", "source"];

/// Whether a project's gv.toml may set the environment variable `name`: only Go's own
/// (`GO*`, `CGO_*`). Anything else — `PS1`, `PROMPT_COMMAND`, `LD_PRELOAD`, `BASH_ENV` —
/// could run code the moment the shell hook applies it on `cd`.
pub fn project_may_set_env(name: &str) -> bool {
    name.starts_with("GO") || name.starts_with("CGO_")
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "invalid TOML in {path} at line {line}, column {column}: {message}\n  hint: fix the file or move it aside; gv reads it on every go command"
    )]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub table: toml::Table,
}

impl ConfigFile {
    /// Reads and parses one file; a missing file is `Ok(None)`.
    pub fn load(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        Self::parse(path, &text).map(Some)
    }

    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
        let table = text.parse::<toml::Table>().map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start).min(text.len());
            let before = &text[..offset];
            ConfigError::Parse {
                path: path.to_path_buf(),
                line: before.matches('\n').count() + 1,
                column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                message: e.message().to_string(),
            }
        })?;
        Ok(ConfigFile {
            path: path.to_path_buf(),
            table,
        })
    }

    /// Top-level keys that no part of gv understands.
    pub fn unknown_keys(&self) -> impl Iterator<Item = &str> {
        self.table
            .keys()
            .map(String::as_str)
            .filter(|k| !KNOWN_KEYS.contains(k))
    }
}

/// The user file and the project file, project first.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub project: Option<ConfigFile>,
    pub user: Option<ConfigFile>,
}

impl Config {
    /// Loads the user config and the given project `gv.toml` (found by
    /// [`crate::select::discover`]).
    pub fn load(project: Option<&Path>) -> Result<Config, ConfigError> {
        let user = match user_config_path() {
            Some(path) => ConfigFile::load(&path)?,
            None => None,
        };
        let project = match project {
            Some(path) => ConfigFile::load(path)?,
            None => None,
        };
        Ok(Config { project, user })
    }

    /// Whether `file` is the project's gv.toml (as opposed to the user's config).
    pub fn is_project(&self, file: &ConfigFile) -> bool {
        self.project.as_ref().is_some_and(|p| p.path == file.path)
    }

    /// What is wrong but harmless in the files: unknown keys, and keys a project file may
    /// not set. One line each, naming the file and the key.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for file in self.files() {
            for key in file.unknown_keys() {
                out.push(format!(
                    "{}: unknown key `{key}` ignored (known keys: {})",
                    file.path.display(),
                    KNOWN_KEYS.join(", ")
                ));
            }
            if self.is_project(file) {
                for key in USER_ONLY_KEYS
                    .iter()
                    .filter(|k| file.table.contains_key(**k))
                {
                    out.push(format!(
                        "{}: `{key}` ignored: a project's gv.toml may not set it (a cloned repository must not decide where Go comes from); set it in your own config.toml",
                        file.path.display()
                    ));
                }
            }
        }
        out
    }

    /// The files in precedence order: project, then user.
    pub fn files(&self) -> impl Iterator<Item = &ConfigFile> {
        self.project.iter().chain(self.user.iter())
    }

    /// The value of a dotted key (`mirror`, `env.GODEBUG`) from the nearest file that
    /// sets it, with that file's path. [`USER_ONLY_KEYS`] come from the user file only.
    pub fn get(&self, dotted: &str) -> Option<(&toml::Value, &Path)> {
        let top = dotted.split('.').next().unwrap_or(dotted);
        let user_only = USER_ONLY_KEYS.contains(&top);
        let mut files = self
            .files()
            .filter(|file| !(user_only && self.is_project(file)));
        files.find_map(|file| {
            let mut parts = dotted.split('.');
            let mut value = file.table.get(parts.next()?)?;
            for part in parts {
                value = value.as_table()?.get(part)?;
            }
            Some((value, file.path.as_path()))
        })
    }
}

/// `GV_CONFIG`, else `$XDG_CONFIG_HOME/gv/config.toml`.
pub fn user_config_path() -> Option<PathBuf> {
    match std::env::var_os(CONFIG_ENV) {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::config_dir().map(|d| d.join("gv").join("config.toml")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_toml_names_file_line_and_column() {
        let err = ConfigFile::parse(Path::new("/p/gv.toml"), "[env]\nCGO_ENABLED = \n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("/p/gv.toml at line 2, column"), "{err}");
    }

    #[test]
    fn a_project_cannot_set_user_only_keys() {
        let project = ConfigFile::parse(
            Path::new("/p/gv.toml"),
            "mirror = \"https://evil.example/\"\nauto_install = true\n",
        )
        .unwrap();
        let config = Config {
            project: Some(project),
            user: None,
        };
        assert!(config.get("mirror").is_none());
        assert!(config.get("auto_install").is_none());
        let warnings = config.warnings().join("\n");
        assert!(warnings.contains("`mirror` ignored"), "{warnings}");
        assert!(warnings.contains("`auto_install` ignored"), "{warnings}");
        assert!(project_may_set_env("GOFLAGS") && project_may_set_env("CGO_CFLAGS"));
        assert!(!project_may_set_env("PS1") && !project_may_set_env("LD_PRELOAD"));
    }

    #[test]
    fn project_wins_per_key() {
        let project = ConfigFile::parse(Path::new("/p/gv.toml"), "[env]\nA = \"p\"\n").unwrap();
        let user = ConfigFile::parse(Path::new("/u/config.toml"), "[env]\nA = \"u\"\nB = \"u\"\n")
            .unwrap();
        let config = Config {
            project: Some(project),
            user: Some(user),
        };
        let (a, from) = config.get("env.A").unwrap();
        assert_eq!((a.as_str(), from), (Some("p"), Path::new("/p/gv.toml")));
        assert_eq!(config.get("env.B").unwrap().0.as_str(), Some("u"));
        assert!(config.get("env.C").is_none());
    }
}
