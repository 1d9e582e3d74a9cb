//! Go's own settings, read as the go command reads them: the file `go env -w` writes
//! ([`go_env_file`], [`read_go_env_value`]: doctor's GOTOOLCHAIN check, the module cache
//! `gv import gotoolchain` looks in, what a `go list` answer depends on), and the
//! module-download settings — GOPROXY, GOSUMDB, GONOSUMDB, GONOPROXY, GOPRIVATE — as the
//! goproxy source reads them: the value a go command run through gv would see.
//! For each: `[env]` in the user's `config.toml` (your own environment wins unless the
//! entry is forced, as for every `[env]` entry), else the environment, else the file
//! `go env -w` writes, else Go's default.
//!
//! A project's `gv.toml` is deliberately not consulted: a cloned repository must not
//! choose where toolchains come from, nor which database vouches for them. For the same
//! reason a value the shell hook applied from a project file does not count as the
//! user's own (see `gv_core::env::config_or_user_var`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use gv_core::config::Config;

/// The module a Go toolchain is published as.
pub const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// A setting and where its value came from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: &'static str,
    pub value: String,
    pub origin: SettingOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingOrigin {
    Config(PathBuf),
    Environment,
    GoEnvFile(PathBuf),
    Default,
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = gv_core::text::redact_url(&self.value);
        match &self.origin {
            SettingOrigin::Config(path) => {
                write!(f, "{}={value} ([env] in {})", self.name, path.display())
            }
            SettingOrigin::Environment => write!(f, "{}={value} (from the environment)", self.name),
            SettingOrigin::GoEnvFile(path) => {
                write!(f, "{}={value} (`go env -w`, {})", self.name, path.display())
            }
            SettingOrigin::Default => write!(f, "{}={value} (Go's default)", self.name),
        }
    }
}

/// Everything the goproxy source needs to know.
#[derive(Debug, Clone)]
pub struct GoSettings {
    pub goproxy: Setting,
    pub gosumdb: Setting,
    /// GONOSUMDB, defaulting to GOPRIVATE (as in Go).
    pub gonosumdb: Setting,
    /// GONOPROXY, defaulting to GOPRIVATE (as in Go).
    pub gonoproxy: Setting,
}

/// Reads the settings from the user's config, `lookup` (the environment) and the
/// `go env -w` file. Only the user's own config file is used, never a project's.
pub fn load(
    config: &Config,
    lookup: &dyn Fn(&str) -> Option<OsString>,
) -> Result<GoSettings, gv_core::env::EnvError> {
    let user_only = Config {
        user: config.user.clone(),
        ..Config::default()
    };
    let env_file = go_env_file(lookup);
    let get = |name: &'static str, default: &str| -> Result<Setting, gv_core::env::EnvError> {
        if let Some((value, from)) = gv_core::env::config_or_user_var(&user_only, name, lookup)? {
            return Ok(Setting {
                name,
                value: value.to_string_lossy().into_owned(),
                origin: from.map_or(SettingOrigin::Environment, SettingOrigin::Config),
            });
        }
        if let Some(path) = &env_file
            && let Some(value) = read_go_env_value(path, name)
            && !value.is_empty()
        {
            return Ok(Setting {
                name,
                value,
                origin: SettingOrigin::GoEnvFile(path.clone()),
            });
        }
        Ok(Setting {
            name,
            value: default.to_string(),
            origin: SettingOrigin::Default,
        })
    };
    let goprivate = get("GOPRIVATE", "")?;
    let inherit = |mut s: Setting| {
        if s.origin == SettingOrigin::Default && !goprivate.value.is_empty() {
            s = goprivate.clone();
        }
        s
    };
    Ok(GoSettings {
        goproxy: get("GOPROXY", "https://proxy.golang.org,direct")?,
        gosumdb: get("GOSUMDB", "sum.golang.org")?,
        gonosumdb: inherit(get("GONOSUMDB", "")?),
        gonoproxy: inherit(get("GONOPROXY", "")?),
    })
}

/// Go's `module.MatchPrefixPatterns`: does any comma-separated glob match a leading run
/// of `target`'s path elements (`*.corp.com`, `golang.org/*`, `golang.org/toolchain`)?
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    for glob in globs.split(',').map(str::trim).filter(|g| !g.is_empty()) {
        let elems = glob.trim_end_matches('/').matches('/').count() + 1;
        let mut parts = target.split('/');
        let prefix: Vec<&str> = parts.by_ref().take(elems).collect();
        if prefix.len() < elems {
            continue;
        }
        if path_match(glob.trim_end_matches('/'), &prefix.join("/")) {
            return true;
        }
    }
    false
}

/// Go's `path.Match`: `*` any run of non-`/` characters, `?` one, `[...]` a class (with
/// ranges and `^` negation), `\` escapes. A malformed pattern matches nothing.
pub fn path_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_here(&p, &n).unwrap_or(false)
}

fn match_here(p: &[char], n: &[char]) -> Option<bool> {
    let (mut pi, mut ni) = (0, 0);
    // Backtracking point for the last `*`: (pattern index after it, name index).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi + 1, ni));
                    pi += 1;
                    continue;
                }
                '?' if ni < n.len() && n[ni] != '/' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    let (matched, next) = match_class(p, pi, n.get(ni).copied())?;
                    if matched {
                        pi = next;
                        ni += 1;
                        continue;
                    }
                }
                '\\' => {
                    let c = *p.get(pi + 1)?;
                    if ni < n.len() && n[ni] == c {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c if c != '?' && ni < n.len() && n[ni] == c => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        } else if ni == n.len() {
            return Some(true);
        }
        // Mismatch: let the last `*` swallow one more character, unless that is a `/`.
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp;
                ni = sn + 1;
            }
            _ => {
                // Go reports a malformed pattern even when the name ran out first.
                validate(&p[pi.min(p.len())..])?;
                return Some(false);
            }
        }
    }
}

/// Matches `c` against the class starting at `p[start] == '['`; returns whether it
/// matched and the index after the class. `None`: malformed class.
fn match_class(p: &[char], start: usize, c: Option<char>) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = class_char(p, &mut i)?;
        let hi = if p.get(i) == Some(&'-') && p.get(i + 1) != Some(&']') {
            i += 1;
            class_char(p, &mut i)?
        } else {
            lo
        };
        if let Some(c) = c
            && lo <= c
            && c <= hi
        {
            matched = true;
        }
    }
    let Some(c) = c else {
        return Some((false, i));
    };
    Some((c != '/' && matched != negated, i))
}

fn class_char(p: &[char], i: &mut usize) -> Option<char> {
    let mut c = *p.get(*i)?;
    if c == '\\' {
        *i += 1;
        c = *p.get(*i)?;
    } else if c == '-' || c == ']' {
        return None;
    }
    *i += 1;
    Some(c)
}

/// Walks the rest of a pattern for syntax errors only.
fn validate(p: &[char]) -> Option<()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '[' => i = match_class(p, i, None)?.1,
            '\\' => {
                p.get(i + 1)?;
                i += 2;
            }
            _ => i += 1,
        }
    }
    Some(())
}

/// The file `go env -w` writes: `$GOENV`, else `$XDG_CONFIG_HOME/go/env`, else
/// `$HOME/.config/go/env` (Go's os.UserConfigDir). `None` when GOENV=off.
pub fn go_env_file(lookup: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |n: &str| lookup(n).filter(|v| !v.is_empty());
    if let Some(goenv) = var("GOENV") {
        return (goenv != "off").then(|| PathBuf::from(goenv));
    }
    let config = match var("XDG_CONFIG_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(var("HOME")?).join(".config"),
    };
    Some(config.join("go").join("env"))
}

/// The value of `key` in a go env file (`KEY=VALUE` lines, `#` comments).
pub fn read_go_env_value(path: &Path, key: &str) -> Option<String> {
    let text = gv_core::limits::read_file_string(path, gv_core::limits::EDITOR_FILE).ok()?;
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gv_core::config::ConfigFile;
    use std::path::Path;

    #[test]
    fn go_env_file_follows_go_rules() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            go_env_file(&env(&[("HOME", "/h")])),
            Some(PathBuf::from("/h/.config/go/env"))
        );
        assert_eq!(
            go_env_file(&env(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")])),
            Some(PathBuf::from("/x/go/env"))
        );
        assert_eq!(
            go_env_file(&env(&[("GOENV", "/e"), ("HOME", "/h")])),
            Some(PathBuf::from("/e"))
        );
        assert_eq!(go_env_file(&env(&[("GOENV", "off")])), None);
    }

    #[test]
    fn prefix_patterns_like_go() {
        let m = match_prefix_patterns;
        assert!(m("golang.org/toolchain", "golang.org/toolchain"));
        assert!(m("golang.org", "golang.org/toolchain"));
        assert!(m("golang.org/*", "golang.org/toolchain"));
        assert!(m("*.org", "golang.org/toolchain"));
        assert!(m("corp.example,golang.org/t*", "golang.org/toolchain"));
        assert!(!m("golang.org/x", "golang.org/toolchain"));
        assert!(!m("*.com", "golang.org/toolchain"));
        assert!(!m("golang.org/toolchain/sub", "golang.org/toolchain"));
        assert!(!m("", "golang.org/toolchain"));
        assert!(!m("golang.org/[", "golang.org/toolchain"), "malformed");
    }

    #[test]
    fn path_match_like_go() {
        assert!(path_match("a*", "abc"));
        assert!(path_match("a*/b", "abc/b"));
        assert!(!path_match("a*", "ab/c"));
        assert!(path_match("a?c", "abc"));
        assert!(path_match("[a-c]x", "bx"));
        assert!(!path_match("[^a-c]x", "bx"));
        assert!(path_match("\\*", "*"));
        assert!(!path_match("[", "a"));
        assert!(path_match("*", ""));
    }

    #[test]
    fn user_config_then_environment_then_go_env_file_then_default() {
        let dir = tempfile::tempdir().unwrap();
        let go_env = dir.path().join("go-env");
        std::fs::write(&go_env, "GOPROXY=https://from-go-env\nGOPRIVATE=*.corp\n").unwrap();
        let user = ConfigFile::parse(
            Path::new("/u/config.toml"),
            "[env]\nGOSUMDB = { value = \"forced+key\", force = true }\nGONOPROXY = \"x.org\"\n",
        )
        .unwrap();
        let project = ConfigFile::parse(
            Path::new("/p/gv.toml"),
            "[env]\nGOPROXY = \"https://evil\"\nGOSUMDB = \"evil\"\n",
        )
        .unwrap();
        let config = Config {
            project: Some(project),
            user: Some(user),
            ..Config::default()
        };
        let env_file = go_env.clone();
        let lookup = move |name: &str| -> Option<OsString> {
            match name {
                "GOENV" => Some(env_file.clone().into_os_string()),
                "GOSUMDB" => Some("from-env".into()),
                "GONOPROXY" => Some("mine.org".into()),
                _ => None,
            }
        };
        let s = load(&config, &lookup).unwrap();
        assert_eq!(s.goproxy.value, "https://from-go-env");
        assert_eq!(s.goproxy.origin, SettingOrigin::GoEnvFile(go_env.clone()));
        assert_eq!(
            s.gosumdb.value, "forced+key",
            "forced config beats the environment"
        );
        assert_eq!(
            s.gonoproxy.value, "mine.org",
            "the environment beats plain config"
        );
        assert_eq!(s.gonoproxy.origin, SettingOrigin::Environment);
        assert_eq!(
            s.gonosumdb.value, "*.corp",
            "GONOSUMDB defaults to GOPRIVATE"
        );

        // The shell hook applied a project's GOPROXY: that is not the user's own value.
        let hooked = |name: &str| -> Option<OsString> {
            match name {
                "GOPROXY" | "__GV_N_GOPROXY" => Some("https://evil".into()),
                "GOENV" => Some("off".into()),
                _ => None,
            }
        };
        let s = load(&Config::default(), &hooked).unwrap();
        assert_eq!(s.goproxy.value, "https://proxy.golang.org,direct");
        assert_eq!(s.gosumdb.origin, SettingOrigin::Default);
    }
}
