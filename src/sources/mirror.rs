//! Which server Go SDKs are downloaded from. Any server laid out like https://go.dev/dl/
//! works: the index at `BASE?mode=json&include=all`, archives at `BASE/FILENAME`. Plain
//! mirrors (no JSON index, `FILENAME.sha256` sidecars) work too; see `install`.
//!
//! Precedence: `--mirror`, then `GV_GO_MIRROR`, then the `mirror` config key, then go.dev.

use gv_core::config::Config;
use gv_core::settings::SettingError;
use thiserror::Error;

pub const CONFIG_KEY: &str = gv_core::settings::MIRROR;
pub const DEFAULT_BASE: &str = "https://go.dev/dl/";
const INDEX_QUERY: &str = "?mode=json&include=all";

/// Does the server publish go.dev's JSON index?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Yes (go.dev and its China twin).
    Indexed,
    /// No: files and `.sha256` sidecars only.
    Plain,
    /// A user-given URL: try the index, treat "not found" as a plain mirror.
    Unknown,
}

/// Named mirrors: name, aliases, base URL, layout.
pub const PRESETS: &[(&str, &[&str], &str, Layout)] = &[
    ("go.dev", &["official"], DEFAULT_BASE, Layout::Indexed),
    (
        "golang.google.cn",
        &["google.cn"],
        "https://golang.google.cn/dl/",
        Layout::Indexed,
    ),
    (
        "aliyun",
        &["mirrors.aliyun.com"],
        "https://mirrors.aliyun.com/golang/",
        Layout::Plain,
    ),
    (
        "ustc",
        &["mirrors.ustc.edu.cn"],
        "https://mirrors.ustc.edu.cn/golang/",
        Layout::Plain,
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// Always ends with `/`.
    pub base: String,
    pub layout: Layout,
    /// Where the choice came from, for messages.
    pub origin: String,
}

#[derive(Debug, Error)]
pub enum MirrorError {
    #[error("`{value}` ({origin}) is neither a mirror name nor an http(s) URL")]
    Unknown {
        value: String,
        origin: String,
        names: String,
    },
    /// `mirror` in config.toml is not a string.
    #[error(transparent)]
    Setting(#[from] SettingError),
}

impl gv_core::error::Hint for MirrorError {
    fn hint(&self) -> Option<String> {
        match self {
            MirrorError::Unknown { names, .. } => Some(format!(
                "use one of {names}, or a URL laid out like https://go.dev/dl/"
            )),
            MirrorError::Setting(e) => e.hint(),
        }
    }
}

impl Mirror {
    pub fn official() -> Mirror {
        Mirror {
            base: DEFAULT_BASE.to_string(),
            layout: Layout::Indexed,
            origin: "default".to_string(),
        }
    }

    /// A preset name or a URL.
    pub fn parse(value: &str, origin: &str) -> Result<Mirror, MirrorError> {
        let value = value.trim();
        if let Some((_, _, base, layout)) = PRESETS
            .iter()
            .find(|(name, aliases, ..)| *name == value || aliases.contains(&value))
        {
            return Ok(Mirror {
                base: base.to_string(),
                layout: *layout,
                origin: origin.to_string(),
            });
        }
        if value.starts_with("https://") || value.starts_with("http://") {
            let base = value.trim_end_matches('/');
            let layout = if format!("{base}/") == DEFAULT_BASE {
                Layout::Indexed
            } else {
                Layout::Unknown
            };
            return Ok(Mirror {
                base: format!("{base}/"),
                layout,
                origin: origin.to_string(),
            });
        }
        Err(MirrorError::Unknown {
            value: value.to_string(),
            origin: origin.to_string(),
            names: PRESETS
                .iter()
                .map(|(name, ..)| *name)
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// The mirror the environment names, with the variable that names it: `GV_GO_MIRROR`,
    /// else goenv's `GO_BUILD_MIRROR_URL` (a base laid out like go.dev/dl, as gv's URLs are).
    pub fn env_setting() -> Option<(&'static str, String)> {
        [gv_core::vars::GO_MIRROR, gv_core::vars::GO_BUILD_MIRROR_URL]
            .into_iter()
            .find_map(|name| {
                let value = gv_core::process::var(name).ok()?;
                (!value.trim().is_empty()).then_some((name, value))
            })
    }

    /// The mirror to use: flag, environment (see [`Mirror::env_setting`]), config file,
    /// default.
    pub fn choose(
        flag: Option<&str>,
        env: Option<(&'static str, &str)>,
        config: &Config,
    ) -> Result<Mirror, MirrorError> {
        if let Some(value) = flag {
            return Mirror::parse(value, "--mirror");
        }
        if let Some((var, value)) = env.filter(|(_, v)| !v.trim().is_empty()) {
            return Mirror::parse(value, var);
        }
        if let Some(setting) = config.mirror()? {
            let origin = format!("`{CONFIG_KEY}` in {}", setting.from.display());
            return Mirror::parse(&setting.value, &origin);
        }
        Ok(Mirror::official())
    }

    pub fn index_url(&self) -> String {
        format!("{}{INDEX_QUERY}", self.base)
    }

    pub fn file_url(&self, filename: &str) -> String {
        format!("{}{filename}", self.base)
    }

    pub fn is_official(&self) -> bool {
        self.base == DEFAULT_BASE
    }
}

/// The index whose checksums are trusted when a mirror has no index: go.dev's, unless
/// `GV_GO_INDEX` names another.
pub fn official_index_url() -> String {
    match gv_core::process::var(gv_core::vars::GO_INDEX) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => format!("{DEFAULT_BASE}{INDEX_QUERY}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gv_core::config::ConfigFile;
    use std::path::Path;

    #[test]
    fn presets_and_urls() {
        let cn = Mirror::parse("golang.google.cn", "t").unwrap();
        assert_eq!(
            cn.index_url(),
            "https://golang.google.cn/dl/?mode=json&include=all"
        );
        assert_eq!(cn.layout, Layout::Indexed);
        let ali = Mirror::parse("mirrors.aliyun.com", "t").unwrap();
        assert_eq!(
            ali.file_url("go1.22.10.linux-amd64.tar.gz"),
            "https://mirrors.aliyun.com/golang/go1.22.10.linux-amd64.tar.gz"
        );
        assert_eq!(ali.layout, Layout::Plain);
        assert_eq!(
            Mirror::parse("ustc", "t").unwrap().base,
            "https://mirrors.ustc.edu.cn/golang/"
        );
        let custom = Mirror::parse("http://127.0.0.1:8080/dl", "t").unwrap();
        assert_eq!(custom.base, "http://127.0.0.1:8080/dl/");
        assert_eq!(custom.layout, Layout::Unknown);
        let err = Mirror::parse("ftp://x", "--mirror").unwrap_err();
        let hint = gv_core::error::Hint::hint(&err).unwrap_or_default();
        assert!(
            hint.contains("go.dev, golang.google.cn, aliyun, ustc"),
            "{hint}"
        );
    }

    #[test]
    fn flag_beats_env_beats_config() {
        let file = ConfigFile::parse(Path::new("/u/config.toml"), "mirror = \"aliyun\"\n").unwrap();
        let config = Config {
            user: Some(file),
            ..Config::default()
        };
        let pick = |flag, env: Option<&str>| {
            Mirror::choose(flag, env.map(|v| (gv_core::vars::GO_MIRROR, v)), &config).unwrap()
        };
        assert_eq!(
            pick(Some("ustc"), Some("go.dev")).base,
            "https://mirrors.ustc.edu.cn/golang/"
        );
        assert_eq!(
            pick(None, Some("golang.google.cn")).origin,
            gv_core::vars::GO_MIRROR
        );
        // goenv's variable names itself in what gv says about the mirror.
        let goenvs = Mirror::choose(
            None,
            Some((
                gv_core::vars::GO_BUILD_MIRROR_URL,
                "https://mirrors.example/golang",
            )),
            &config,
        )
        .unwrap();
        assert_eq!(goenvs.origin, gv_core::vars::GO_BUILD_MIRROR_URL);
        let from_config = pick(None, None);
        assert_eq!(from_config.base, "https://mirrors.aliyun.com/golang/");
        assert!(
            from_config.origin.contains("/u/config.toml"),
            "{}",
            from_config.origin
        );
        assert!(
            Mirror::choose(None, None, &Config::default())
                .unwrap()
                .is_official()
        );
        let bad = ConfigFile::parse(Path::new("/u/config.toml"), "mirror = 3\n").unwrap();
        let bad = Config {
            user: Some(bad),
            ..Config::default()
        };
        assert!(Mirror::choose(None, None, &bad).is_err());
        // A project's gv.toml cannot choose the server.
        let project = Config {
            project: Some(
                ConfigFile::parse(Path::new("/p/gv.toml"), "mirror = \"ustc\"\n").unwrap(),
            ),
            ..Config::default()
        };
        assert!(Mirror::choose(None, None, &project).unwrap().is_official());
    }
}
