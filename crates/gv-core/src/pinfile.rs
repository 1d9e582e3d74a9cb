//! Parsers for the files that pin a Go version: `.go-version` (goenv-compatible),
//! asdf's `.tool-versions`, the global version file, and go.mod / go.work.
//!
//! All of them read at most [`limits::PIN_FILE`] bytes: a pin file is a few bytes, and a
//! huge or binary file must give a clear error rather than stall the shim.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use crate::limits;
use crate::version::{Spec, Version, VersionError};

/// `Clone` because [`crate::select::Discovery`] keeps a broken pin file's error until
/// that file is the one that decides (hence the `Arc` around the I/O error).
#[derive(Debug, Clone, Error)]
pub enum PinFileError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },
    #[error("{path} names no Go version{detail}")]
    Empty { path: PathBuf, detail: String },
    /// What was opened belongs to another user (it was replaced after discovery looked).
    #[error("{path} belongs to uid {owner}, not to you, so gv ignores it")]
    Foreign { path: PathBuf, owner: u32 },
}

impl crate::error::Hint for PinFileError {
    fn hint(&self) -> Option<String> {
        match self {
            PinFileError::Read { .. } => None,
            PinFileError::Foreign { .. } => Some(
                "if you trust it, copy it into your project, or `sudo chown` it to yourself".into(),
            ),
            PinFileError::Empty { .. } => Some(
                "write one version per line, e.g. `1.22.3`, or run `gv local 1.22.3` there".into(),
            ),
        }
    }
}

impl PinFileError {
    /// The pin file this error is about.
    pub fn path(&self) -> &Path {
        match self {
            PinFileError::Read { path, .. }
            | PinFileError::Empty { path, .. }
            | PinFileError::Foreign { path, .. } => path,
        }
    }
}

/// A version file's usable entries, in order (later ones are fallbacks), plus what was
/// skipped and why, so `gv current` can explain an ignored line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinEntries {
    pub specs: Vec<Spec>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub text: String,
    pub reason: &'static str,
}

fn read_capped(path: &Path) -> Result<String, PinFileError> {
    let read_err = |source| PinFileError::Read {
        path: path.to_path_buf(),
        source: Arc::new(source),
    };
    let file = File::open(path).map_err(read_err)?;
    // Judged by what was opened (fstat), not only by what discovery saw by name: a file
    // swapped in between, or reached through a link, is held to the same rule.
    let meta = file.metadata().map_err(read_err)?;
    if !meta.is_file() {
        return Err(read_err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    let owner = crate::platform::owner(&meta);
    if !crate::platform::owned_by_user_or_root(owner) {
        return Err(PinFileError::Foreign {
            path: path.to_path_buf(),
            owner,
        });
    }
    let mut bytes = Vec::new();
    file.take(limits::PIN_FILE)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    Ok(crate::text::lossy_owned(bytes))
}

/// Reads a `.go-version` (or the global version file). `Ok(None)` when it names nothing
/// at all — empty, blank, or only comments — which goenv reads as no file: the next thing
/// in line decides. A file whose every entry is unusable is an error.
pub fn read_go_version(path: &Path) -> Result<Option<PinEntries>, PinFileError> {
    let text = read_capped(path)?;
    let entries = parse_go_version(&text);
    non_empty(path, entries)
}

fn non_empty(path: &Path, entries: PinEntries) -> Result<Option<PinEntries>, PinFileError> {
    if !entries.specs.is_empty() {
        return Ok(Some(entries));
    }
    if entries.skipped.is_empty() {
        return Ok(None);
    }
    let detail = match entries.skipped.first() {
        Some(s) => format!(
            ": line {} `{}` was ignored ({})",
            s.line,
            shorten(&s.text),
            s.reason
        ),
        None => String::new(),
    };
    Err(PinFileError::Empty {
        path: path.to_path_buf(),
        detail,
    })
}

fn shorten(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// goenv's rules: the first word of each line; `#` lines skipped; CR, BOM and blanks
/// ignored; `go`/`go-` prefixes accepted; anything with `/` or `..` ignored (goenv's
/// CVE-2022-35861: a version must never name a path).
pub fn parse_go_version(text: &str) -> PinEntries {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = PinEntries {
        specs: Vec::new(),
        skipped: Vec::new(),
    };
    for (i, line) in text.lines().enumerate() {
        let Some(word) = line.split_whitespace().next() else {
            continue;
        };
        if word.starts_with('#') {
            continue;
        }
        entries.push_word(i + 1, word);
    }
    entries
}

impl PinEntries {
    fn push_word(&mut self, line: usize, word: &str) {
        let skip = |reason| Skipped {
            line,
            text: word.to_string(),
            reason,
        };
        if word.contains('/') || word.contains("..") {
            self.skipped
                .push(skip("a version must not contain `/` or `..`"));
            return;
        }
        // goenv joins a file's words with `:` and splits them again, so `1.22.10:1.21.13`
        // on one line is two versions (its own tests write the global file that way).
        for entry in word.split(':').filter(|e| !e.is_empty()) {
            match list_entry(entry) {
                Ok(spec) => self.specs.push(spec),
                Err(_) => self.skipped.push(Skipped {
                    line,
                    text: entry.to_string(),
                    reason: "not a Go version",
                }),
            }
        }
    }
}

/// One entry of a goenv version list: `1.22.10`, `go1.22.10`, goenv's `go-1.22.10`,
/// `system`, `latest`, `1.22`.
fn list_entry(entry: &str) -> Result<Spec, VersionError> {
    Spec::parse(entry.strip_prefix("go-").unwrap_or(entry))
}

/// A version list as `GV_VERSION` and goenv's `GOENV_VERSION` hold it: entries separated
/// by `:` (or blanks), the first installed one wins; each entry as a `.go-version` line
/// reads it (`go-1.22.10` too). Any entry that is not a version makes the whole value an
/// error naming it: a variable, unlike a file, is typed on purpose.
pub fn parse_version_list(value: &str) -> Result<Vec<Spec>, VersionError> {
    let specs = value
        .split(|c: char| c == ':' || c.is_whitespace())
        .filter(|e| !e.is_empty())
        .map(|entry| {
            if entry.contains('/') || entry.contains("..") {
                return Err(VersionError::InvalidSpec(entry.to_string()));
            }
            list_entry(entry).map_err(|_| VersionError::InvalidSpec(entry.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if specs.is_empty() {
        return Err(VersionError::InvalidSpec(value.to_string()));
    }
    Ok(specs)
}

/// Reads asdf's `.tool-versions`; `Ok(None)` when it has no `golang`/`go` line, or one
/// with no version, so the search goes on up the tree.
pub fn read_tool_versions(path: &Path) -> Result<Option<PinEntries>, PinFileError> {
    let text = read_capped(path)?;
    match parse_tool_versions(&text) {
        Some(entries) => non_empty(path, entries),
        None => Ok(None),
    }
}

/// `golang 1.22.3 1.21.13  # comment`: versions after the tool name are fallbacks.
pub fn parse_tool_versions(text: &str) -> Option<PinEntries> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let line = line.split_once('#').map_or(line, |(code, _)| code);
        let mut words = line.split_whitespace();
        if !matches!(words.next(), Some("golang" | "go")) {
            continue;
        }
        let mut entries = PinEntries {
            specs: Vec::new(),
            skipped: Vec::new(),
        };
        for word in words {
            entries.push_word(i + 1, word);
        }
        return Some(entries);
    }
    None
}

/// What a go.mod or go.work says about the Go version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoMod {
    /// The `go` line: a minimum language version. Absent means 1.16 to Go.
    pub go: Option<Version>,
    /// The `toolchain` line (`toolchain go1.22.3`).
    pub toolchain: Option<Version>,
    /// `toolchain default`: the go command runs its own toolchain, whatever the go line
    /// says (see [`crate::toolchain`]).
    pub toolchain_default: bool,
}

pub fn read_go_mod(path: &Path) -> Result<GoMod, PinFileError> {
    Ok(parse_go_mod(&read_capped(path)?))
}

/// Reads the top-level `go` and `toolchain` directives, ignoring `//` comments and the
/// contents of blocks such as `require ( … )`. Unparseable values are ignored, as a
/// pin that cannot be read must not break every go command in the module.
pub fn parse_go_mod(text: &str) -> GoMod {
    let mut module = GoMod::default();
    let mut depth = 0usize;
    for line in text.lines() {
        let line = line.split_once("//").map_or(line, |(code, _)| code).trim();
        if depth > 0 {
            if line.starts_with(')') {
                depth -= 1;
            }
            continue;
        }
        if line.ends_with('(') {
            depth += 1;
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(verb), Some(arg), None) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let arg = arg.trim_matches('"');
        match verb {
            "go" => module.go = Version::parse(arg).ok().or(module.go),
            "toolchain" if arg == "default" => module.toolchain_default = true,
            "toolchain" => {
                module.toolchain = crate::version::from_toolchain(arg).or(module.toolchain)
            }
            _ => {}
        }
    }
    module
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(text: &str) -> Vec<String> {
        parse_go_version(text)
            .specs
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn go_version_is_goenv_compatible() {
        assert_eq!(specs("1.22.3\n"), ["1.22.3"]);
        assert_eq!(specs("  1.22.3  trailing words\r\n"), ["1.22.3"]);
        assert_eq!(specs("\u{feff}1.22.3"), ["1.22.3"]);
        assert_eq!(specs("go1.22.3"), ["1.22.3"]);
        assert_eq!(specs("go-1.22.3"), ["1.22.3"]);
        assert_eq!(specs("# comment\n\n1.21.13\n1.22\n"), ["1.21.13", "1.22"]);
        assert_eq!(specs("system\n"), ["system"]);
        assert_eq!(specs("latest\n"), ["latest"]);
        // goenv's own tests write the global file as a `:` list.
        assert_eq!(specs("1.22.10:1.21.13\n"), ["1.22.10", "1.21.13"]);
        assert_eq!(specs("go-1.22.10:go1.21.13 1.20\n"), ["1.22.10", "1.21.13"]);
    }

    #[test]
    fn version_lists_read_like_goenv() {
        let list = |s| {
            parse_version_list(s)
                .map(|v| v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .map_err(|e| e.to_string())
        };
        assert_eq!(list("go-1.22.10").unwrap(), ["1.22.10"]);
        assert_eq!(list("1.22.10:1.21.13").unwrap(), ["1.22.10", "1.21.13"]);
        assert_eq!(list("1.22.10::system:").unwrap(), ["1.22.10", "system"]);
        assert_eq!(list("1.22 latest").unwrap(), ["1.22", "latest"]);
        assert!(list("1.22.10:../x").is_err());
        assert!(list("1.22.10:nope").unwrap_err().contains("nope"));
        assert!(list(":").is_err());
    }

    #[test]
    fn path_like_entries_are_ignored() {
        let e = parse_go_version("../../etc/passwd\n1.22.3/../x\n..\n1.21.13\n");
        assert_eq!(e.specs, [Spec::parse("1.21.13").unwrap()]);
        assert_eq!(e.skipped.len(), 3);
        assert_eq!(e.skipped[0].line, 1);
    }

    #[test]
    fn a_file_naming_nothing_is_no_file() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("empty", ""),
            ("blank", " \n\r\n\t\n"),
            ("comments", "# one\n  # two\n"),
            ("bom", "\u{feff}\n"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            assert_eq!(read_go_version(&path).unwrap(), None, "{name}");
        }
        let path = dir.path().join(".tool-versions");
        std::fs::write(&path, "golang # none yet\n").unwrap();
        assert_eq!(read_tool_versions(&path).unwrap(), None);
    }

    #[test]
    fn garbage_yields_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, Vec<u8>); 3] = [
            ("not a version", b"# pinned\nlatestt\n".to_vec()),
            ("binary", (0u8..=255).cycle().take(4096).collect()),
            ("huge", vec![b'x'; 10 * 1024 * 1024]),
        ];
        for (name, bytes) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let err = read_go_version(&path).unwrap_err().to_string();
            assert!(err.contains("names no Go version"), "{name}: {err}");
            assert!(err.contains(&path.display().to_string()), "{name}: {err}");
        }
    }

    #[test]
    fn tool_versions() {
        let e = parse_tool_versions("nodejs 20.1.0\ngolang 1.22.3 1.21.13 # pinned\n").unwrap();
        assert_eq!(
            e.specs,
            [
                Spec::parse("1.22.3").unwrap(),
                Spec::parse("1.21.13").unwrap()
            ]
        );
        assert!(parse_tool_versions("nodejs 20\n# golang 1.22\n").is_none());
        assert_eq!(parse_tool_versions("go 1.22\n").unwrap().specs.len(), 1);
    }

    #[test]
    fn go_mod_directives() {
        let m = parse_go_mod(
            "// go 1.99\nmodule example.com/x // go 1.98\n\ngo   1.22 // minimum\n\
             toolchain  go1.22.3\nrequire (\n\tgo 1.30\n\ttoolchain go1.40.0\n)\n",
        );
        assert_eq!(m.go.unwrap().as_str(), "1.22");
        assert_eq!(m.toolchain.unwrap().as_str(), "1.22.3");

        let m = parse_go_mod("module x\ngo 1.23.1\ntoolchain default\n");
        assert_eq!(m.go.as_ref().unwrap().as_str(), "1.23.1");
        assert_eq!(m.toolchain, None);
        assert!(m.toolchain_default);
        assert_eq!(crate::toolchain::module_target(&m), None);
        let m = parse_go_mod("toolchain go1.22.10-bigcorp\n");
        assert_eq!(m.toolchain.unwrap().to_string(), "1.22.10");

        let m = parse_go_mod("go 1.22\ntoolchain go1.21.5\n");
        assert_eq!(
            crate::toolchain::module_target(&m).unwrap().as_str(),
            "1.22.0",
            "older toolchain loses"
        );

        assert_eq!(parse_go_mod("\0\u{1}garbage"), GoMod::default());
    }
}
