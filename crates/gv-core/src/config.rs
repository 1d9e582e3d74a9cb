//! gv's configuration files: the user's `config.toml` (XDG config dir, or `GV_CONFIG`)
//! and the nearest project `gv.toml` up the tree. For any key the project file wins
//! over the user file ("nearest wins per key").
//!
//! A project file applies only once the user trusts it (see [`crate::trust`]); until then
//! [`Config::project`] is `None` and [`Config::untrusted`] says what it would have set.
//!
//! This module finds and reads the files; [`crate::settings`] types what they say, once,
//! and [`Config`] picks per key the nearest file that sets it, as a
//! [`Setting`](crate::settings::Setting) naming that file.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use crate::notice::Notice;
use crate::platform::{self, Stamp};
use crate::settings::{
    self, Checked, EnvTable, Gobin, Gotoolchain, ProfileSettings, Setting, SettingError, Settings,
    USER_ONLY_KEYS,
};
use crate::store::Store;
use crate::trust::{self, Trust, TrustedTree, Verdict};

/// The largest config file gv reads ([`crate::limits::CONFIG_FILE`]).
use crate::limits::CONFIG_FILE as MAX_FILE_SIZE;

pub use crate::settings::project_may_set_env;

#[derive(Debug, Clone, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },
    #[error("{path} is {size} bytes; gv reads config files of at most {max} bytes")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error(transparent)]
    Setting(#[from] SettingError),
    #[error("invalid TOML in {path} at line {line}, column {column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl crate::error::Hint for ConfigError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ConfigError::Read { .. } => return None,
            ConfigError::TooLarge { .. } => {
                "a gv.toml or config.toml needs a few lines; move the file aside".into()
            }
            ConfigError::Setting(e) => return crate::error::Hint::hint(e),
            ConfigError::Parse { .. } => {
                "fix the file or move it aside; gv reads it on every go command".into()
            }
        })
    }
}

/// One config file and what it sets.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// Boxed, so a file's ~1 KiB of settings is not carried by value through each frame
    /// of the shim's call chain: every page of stack it reaches is a fault.
    pub settings: Box<Settings>,
}

// What the box is for; a `ConfigFile` by value again would fail here.
const _: () = assert!(std::mem::size_of::<ConfigFile>() <= 64);

/// A config file's bytes, and which version of the file they are.
pub struct Contents {
    pub bytes: Vec<u8>,
    pub stamp: Stamp,
    /// The owner of what was opened (fstat).
    pub owner: u32,
}

/// Reads at most [`MAX_FILE_SIZE`] bytes of `path`; a missing file is `Ok(None)`. The
/// stamp is taken from the open file after reading, so it describes what was read.
pub fn read_file(path: &Path) -> Result<Option<Contents>, ConfigError> {
    let read_err = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source: Arc::new(source),
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_err(e)),
    };
    // Room for a typical file up front: `take` hides the file's size from read_to_end,
    // which would otherwise grow the buffer from 32 bytes, a read call per doubling.
    let mut bytes = Vec::with_capacity(8 * 1024);
    (&file)
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    // The room left over goes back: in the shim (heap.rs) the buffer is the newest block,
    // so what it allocates next takes that room rather than new pages.
    bytes.shrink_to_fit();
    let meta = file.metadata().map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ConfigError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len().max(bytes.len() as u64),
            max: MAX_FILE_SIZE,
        });
    }
    Ok(Some(Contents {
        bytes,
        stamp: platform::stamp(&meta),
        owner: platform::owner(&meta),
    }))
}

impl ConfigFile {
    /// Reads and parses one file; a missing file is `Ok(None)`.
    pub fn load(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        match read_file(path)? {
            Some(contents) => Self::parse(path, &crate::text::lossy(&contents.bytes)).map(Some),
            None => Ok(None),
        }
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
            settings: Box::new(Settings::parse(path, &table)),
        })
    }
}

/// The user file and the project file, project first.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The project's gv.toml, when it is trusted.
    pub project: Option<ConfigFile>,
    pub user: Option<ConfigFile>,
    /// Why the project file applies (`None` without one, or when it is untrusted).
    pub trust: Option<Trust>,
    /// A project file that is there but does not apply.
    pub untrusted: Option<Untrusted>,
}

/// A project gv.toml that gv ignores until the user trusts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    pub path: PathBuf,
    /// Trusted once, with other content.
    pub changed: bool,
    /// What it would set: `[env] GOFLAGS`, `gotoolchain`, `[profile.debug]`, … (names
    /// escaped for display), or a note that it is not valid TOML.
    pub would_set: Vec<String>,
}

impl Untrusted {
    /// The one line the shim, the hook and gv print about it.
    pub fn notice(&self) -> Notice {
        let path = self.path.display();
        let state = if self.changed {
            "changed since you trusted it, so gv ignores it until you trust it again"
        } else {
            "is not trusted, so gv ignores it"
        };
        let sets = if self.would_set.is_empty() {
            String::new()
        } else {
            format!(" (it would set {})", self.would_set.join(", "))
        };
        let file = crate::suggest::path(&self.path);
        let show = crate::suggest::command(["gv", "trust", "--show", &file]);
        let trust = crate::suggest::command(["gv", "trust", &file]);
        Notice::new(
            &self.path,
            format!("{path} {state}{sets}; review it with `{show}`, then `{trust}`"),
        )
    }
}

impl Config {
    /// Loads the user config and the given project `gv.toml` (found by
    /// [`crate::select::discover`]), which applies only when trusted (records in `store`,
    /// `trusted_paths`, `GV_TRUSTED_PATHS`).
    pub fn load(store: &Store, project: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = Config {
            user: Self::load_user()?,
            ..Config::default()
        };
        let Some(path) = project else {
            return Ok(config);
        };
        let trees = config.trusted_trees(crate::process::var_os(crate::vars::TRUSTED_PATHS))?;
        let contents = match read_file(path) {
            Ok(Some(contents)) => contents,
            Ok(None) => return Ok(config),
            // An oversized file nobody trusted must not break every go command there:
            // it is simply not applied (no record can match it either).
            Err(ConfigError::TooLarge { .. }) if trust::by_tree(path, &trees).is_none() => {
                config.untrusted = Some(Untrusted {
                    path: path.to_path_buf(),
                    changed: false,
                    would_set: vec![format!(
                        "nothing gv reads: it is larger than {} bytes",
                        MAX_FILE_SIZE
                    )],
                });
                return Ok(config);
            }
            Err(e) => return Err(e),
        };
        // What was opened must pass the rule discovery applied to the name (a file
        // swapped in since belongs to someone else): ignored, like a foreign file.
        if !platform::owned_by_user_or_root(contents.owner) {
            return Ok(config);
        }
        let record = || {
            trust::Records::find_in(&store.trust_records(), path)
                .ok()
                .flatten()
        };
        let text = crate::text::lossy(&contents.bytes);
        match trust::judge(path, &contents.bytes, &contents.stamp, &trees, record) {
            Verdict::Trusted(how) => {
                config.project = Some(ConfigFile::parse(path, &text)?);
                config.trust = Some(how);
            }
            Verdict::Untrusted { changed } => {
                config.untrusted = Some(Untrusted {
                    path: path.to_path_buf(),
                    changed,
                    would_set: would_set(&text),
                });
            }
        }
        Ok(config)
    }

    /// Only the user's own config file.
    pub fn load_user() -> Result<Option<ConfigFile>, ConfigError> {
        match user_config_path() {
            Some(path) => ConfigFile::load(&path),
            None => Ok(None),
        }
    }

    /// The directories whose project files are trusted: `GV_TRUSTED_PATHS` (`env_value`),
    /// then the user config's `trusted_paths`.
    pub fn trusted_trees(
        &self,
        env_value: Option<std::ffi::OsString>,
    ) -> Result<Vec<TrustedTree>, ConfigError> {
        let home = crate::process::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        let mut trees = trust::trees_from_env(env_value, home.as_deref());
        let Some(user) = &self.user else {
            return Ok(trees);
        };
        let Some(dirs) = &user.settings.trusted_paths else {
            return Ok(trees);
        };
        for text in dirs.clone()? {
            let dir = trust::expand_home(Path::new(&text), home.as_deref()).ok_or_else(|| {
                SettingError::new(
                    &user.path,
                    settings::TRUSTED_PATHS,
                    format!("holds {text:?}, which is not an absolute or ~/ path"),
                    settings::TRUSTED_PATHS_HINT,
                )
            })?;
            trees.push(TrustedTree {
                dir,
                from: trust::TreeSource::UserConfig(user.path.clone()),
            });
        }
        Ok(trees)
    }

    /// Whether `file` is the project's gv.toml (as opposed to the user's config).
    pub fn is_project(&self, file: &ConfigFile) -> bool {
        self.project.as_ref().is_some_and(|p| p.path == file.path)
    }

    /// What is wrong but harmless in the files: an untrusted project file, unknown keys,
    /// and keys a project file may not set. One line each, naming the file and the key.
    pub fn warnings(&self) -> Vec<Notice> {
        let mut out: Vec<Notice> = self.untrusted.iter().map(Untrusted::notice).collect();
        for file in self.files() {
            for key in &file.settings.unknown {
                out.push(Notice::new(
                    &file.path,
                    format!(
                        "{}: unknown key `{}` ignored (known keys: {})",
                        file.path.display(),
                        crate::text::one_line(key),
                        Settings::known_keys().join(", ")
                    ),
                ));
            }
            if self.is_project(file) {
                for key in USER_ONLY_KEYS
                    .iter()
                    .filter(|k| file.settings.keys.iter().any(|set| set == *k))
                {
                    out.push(Notice::new(
                        &file.path,
                        format!(
                            "{}: `{key}` ignored: {}; set it in your own config.toml",
                            file.path.display(),
                            settings::user_only_reason(key)
                        ),
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

    /// The nearest file's value of one key (`pick` finds it in a file's settings);
    /// `user_only` keys come from the user's file only ([`USER_ONLY_KEYS`]).
    fn nearest<T: Clone>(
        &self,
        user_only: bool,
        pick: impl Fn(&Settings) -> Option<&Checked<T>>,
    ) -> Checked<Option<Setting<T>>> {
        let mut files = self
            .files()
            .filter(|file| !(user_only && self.is_project(file)));
        match files.find_map(|file| Some((pick(&file.settings)?, &file.path))) {
            Some((Ok(value), from)) => Ok(Some(Setting {
                value: value.clone(),
                from: from.clone(),
            })),
            Some((Err(e), _)) => Err(e.clone()),
            None => Ok(None),
        }
    }

    /// `gotoolchain`: the GOTOOLCHAIN policy.
    pub fn gotoolchain(&self) -> Checked<Option<Setting<Gotoolchain>>> {
        self.nearest(false, |s| s.gotoolchain.as_ref())
    }

    /// `gobin`: the GOBIN shared by every version.
    pub fn gobin(&self) -> Checked<Option<Setting<Gobin>>> {
        self.nearest(false, |s| s.gobin.as_ref())
    }

    /// `auto_install` (the user's file only).
    pub fn auto_install(&self) -> Checked<Option<Setting<bool>>> {
        self.nearest(true, |s| s.auto_install.as_ref())
    }

    /// `mirror` (the user's file only), as written.
    pub fn mirror(&self) -> Checked<Option<Setting<String>>> {
        self.nearest(true, |s| s.mirror.as_ref())
    }

    /// `source` (the user's file only), as written.
    pub fn source(&self) -> Checked<Option<Setting<String>>> {
        self.nearest(true, |s| s.source.as_ref())
    }

    /// `require_checksum_database` (the user's file only).
    pub fn require_checksum_database(&self) -> Checked<Option<Setting<bool>>> {
        self.nearest(true, |s| s.require_checksum_database.as_ref())
    }

    /// `minimum_go`: the user's and a trusted project's may both set one, and the higher
    /// wins — a project can raise the floor for its own checkout, never lower yours.
    pub fn minimum_go(&self) -> Checked<Option<Setting<crate::Version>>> {
        let mut best: Option<Setting<crate::Version>> = None;
        for file in self.files() {
            match &file.settings.minimum_go {
                Some(Ok(value)) if best.as_ref().is_none_or(|b| *value > b.value) => {
                    best = Some(Setting {
                        value: value.clone(),
                        from: file.path.clone(),
                    })
                }
                Some(Err(e)) => return Err(e.clone()),
                _ => {}
            }
        }
        Ok(best)
    }

    /// The `[env]` tables, the user's first, each with whether it is the project's: a
    /// later table's entry wins over an earlier one's.
    pub fn env_tables(&self) -> Vec<(&Checked<EnvTable>, bool)> {
        let mut out = Vec::new();
        for file in self.files().collect::<Vec<_>>().into_iter().rev() {
            if let Some(table) = &file.settings.env {
                out.push((table, self.is_project(file)));
            }
        }
        out
    }

    /// The `[profile.NAME]` tables for `name`, nearest file first, with their file and
    /// whether it is the project's.
    pub fn profile(&self, name: &str) -> Vec<(&ProfileSettings, &Path, bool)> {
        self.files()
            .filter_map(|file| {
                let profile = file.settings.profiles.get(name)?;
                Some((profile, file.path.as_path(), self.is_project(file)))
            })
            .collect()
    }

    /// The names of the profiles the files define, sorted.
    pub fn profile_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .files()
            .flat_map(|f| f.settings.profiles.keys().cloned())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// What an untrusted file would set, for the notice about it: `[env]` names, other keys,
/// `[profile.NAME]` tables.
fn would_set(text: &str) -> Vec<String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return vec!["nothing valid: it is not valid TOML".to_string()];
    };
    let mut out = Vec::new();
    for (key, value) in &table {
        match (key.as_str(), value.as_table()) {
            ("env", Some(env)) => out.extend(
                env.keys()
                    .map(|name| format!("[env] {}", crate::text::one_line(name))),
            ),
            ("profile", Some(profiles)) => out.extend(
                profiles
                    .keys()
                    .map(|name| format!("[profile.{}]", crate::text::one_line(name))),
            ),
            _ => out.push(crate::text::one_line(key).into_owned()),
        }
    }
    out
}

/// `GV_CONFIG`, else `$XDG_CONFIG_HOME/gv/config.toml`, else `~/.config/gv/config.toml`
/// (on macOS too; `%APPDATA%\gv\config.toml` on Windows). A relative `GV_CONFIG` counts as
/// unset: it would make a file in whatever directory gv runs in the user's own config.
pub fn user_config_path() -> Option<PathBuf> {
    match crate::process::var_os(crate::vars::CONFIG).map(PathBuf::from) {
        Some(path) if path.is_absolute() => Some(path),
        _ => crate::platform::config_dir().map(|d| d.join("config.toml")),
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
            "mirror = \"https://evil.example/\"\nauto_install = true\nsource = \"goproxy\"\nrequire_checksum_database = false\ntrusted_paths = [\"/\"]\n",
        )
        .unwrap();
        let config = Config {
            project: Some(project),
            ..Config::default()
        };
        let warnings: Vec<String> = config.warnings().iter().map(|n| n.text.clone()).collect();
        // Each key is refused with its own reason, not another key's.
        assert!(config.mirror().unwrap().is_none());
        assert!(config.source().unwrap().is_none());
        assert!(config.auto_install().unwrap().is_none());
        assert!(config.trusted_trees(None).unwrap().is_empty());
        for (key, reason) in [
            ("mirror", "where Go is downloaded from"),
            ("source", "where Go is downloaded from"),
            ("auto_install", "install Go behind your back"),
            ("require_checksum_database", "how downloaded Go is verified"),
            (trust::TRUSTED_PATHS_KEY, "vouch for itself"),
        ] {
            let line = warnings
                .iter()
                .find(|w| w.contains(&format!("`{key}` ignored")))
                .unwrap_or_else(|| panic!("no warning for {key}: {warnings:?}"));
            assert!(line.contains(reason), "{key}: {line}");
        }
        assert_eq!(warnings.len(), USER_ONLY_KEYS.len(), "{warnings:?}");
        assert!(project_may_set_env("GOFLAGS") && project_may_set_env("CGO_CFLAGS"));
        assert!(project_may_set_env("CC"));
        assert!(!project_may_set_env("PS1") && !project_may_set_env("LD_PRELOAD"));
    }

    /// `minimum_go`: the higher of the user's and the project's, a `1.22` read as
    /// go1.22.0; a value that is no Go release is the key's error.
    #[test]
    fn the_higher_minimum_go_wins() {
        let config = |project: &str, user: &str| Config {
            project: Some(ConfigFile::parse(Path::new("/p/gv.toml"), project).unwrap()),
            user: Some(ConfigFile::parse(Path::new("/u/config.toml"), user).unwrap()),
            ..Config::default()
        };
        let pick = |c: Config| {
            c.minimum_go()
                .map(|s| s.map(|s| (s.value.to_string(), s.from)))
        };
        assert_eq!(
            pick(config("minimum_go = \"1.22\"", "minimum_go = \"1.21.13\"")).unwrap(),
            Some(("1.22.0".into(), PathBuf::from("/p/gv.toml")))
        );
        assert_eq!(
            pick(config("minimum_go = \"1.21.1\"", "minimum_go = \"1.23.4\"")).unwrap(),
            Some(("1.23.4".into(), PathBuf::from("/u/config.toml"))),
            "a project never lowers the user's floor"
        );
        assert_eq!(pick(config("", "")).unwrap(), None);
        for bad in [
            "minimum_go = 1.22",
            "minimum_go = \"latest\"",
            "minimum_go = \"1.2x\"",
        ] {
            let err = pick(config(bad, "")).unwrap_err();
            assert!(err.to_string().contains("minimum_go"), "{bad}: {err}");
        }
    }

    #[test]
    fn project_wins_per_key() {
        let project =
            ConfigFile::parse(Path::new("/p/gv.toml"), "[env]\nGOFLAGS = \"p\"\n").unwrap();
        let user = ConfigFile::parse(
            Path::new("/u/config.toml"),
            "[env]\nGOFLAGS = \"u\"\nGOPROXY = \"u\"\n",
        )
        .unwrap();
        let config = Config {
            project: Some(project),
            user: Some(user),
            ..Config::default()
        };
        let mut merged = std::collections::BTreeMap::new();
        for (table, project) in config.env_tables() {
            for (name, entry) in table
                .as_ref()
                .unwrap()
                .entries(project, &mut Vec::new())
                .unwrap()
            {
                merged.insert(name, entry.value);
            }
        }
        assert_eq!(merged["GOFLAGS"], "p");
        assert_eq!(merged["GOPROXY"], "u");
        assert!(!merged.contains_key("GOSUMDB"));
        let gotoolchain = Config {
            project: Some(
                ConfigFile::parse(Path::new("/p/gv.toml"), "gotoolchain = \"auto\"").unwrap(),
            ),
            user: Some(ConfigFile::parse(Path::new("/u/config.toml"), "gotoolchain = 3").unwrap()),
            ..Config::default()
        };
        let nearest = gotoolchain.gotoolchain().unwrap().unwrap();
        assert_eq!(
            nearest.from,
            Path::new("/p/gv.toml"),
            "the nearest file wins, even over a bad value"
        );
    }
}
