//! The go command's own argument syntax, and merging a profile's flags into the user's.
//!
//! `go build` honours only the last `-gcflags` (likewise `-ldflags`, `-asmflags`) that
//! matches a package, and only the last `-tags`. Passing the profile's flags and the user's
//! side by side would silently drop one of them, so each pattern gets exactly one combined
//! flag, and the profile's `all=` flags are folded into every narrower pattern the user
//! names (a later `-gcflags=-m` would otherwise undo `all=-N -l` for those packages).

use thiserror::Error;

/// Build flags of the go command that take a value (`-tags x` as well as `-tags=x`).
/// Test-binary flags (`-run`, `-count`) belong after `--` in `gv test`.
const VALUE_FLAGS: &[&str] = &[
    "C",
    "asmflags",
    "buildmode",
    "compiler",
    "covermode",
    "coverpkg",
    "exec",
    "gccgoflags",
    "gcflags",
    "installsuffix",
    "ldflags",
    "mod",
    "modfile",
    "o",
    "overlay",
    "p",
    "pgo",
    "pkgdir",
    "tags",
    "toolexec",
];

/// The flags whose values are per-package lists that must be merged, not repeated.
pub const PER_PACKAGE: &[&str] = &["gcflags", "ldflags", "asmflags"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoFlag {
    pub name: String,
    pub value: Option<String>,
}

impl GoFlag {
    pub fn new(name: &str, value: Option<&str>) -> GoFlag {
        GoFlag {
            name: name.to_string(),
            value: value.map(str::to_string),
        }
    }

    /// One argument, `-name=value`: unambiguous whatever the value looks like.
    pub fn render(&self) -> String {
        match &self.value {
            Some(value) => format!("-{}={value}", self.name),
            None => format!("-{}", self.name),
        }
    }
}

/// A go command line split the way the go command splits it: flags, then packages (or
/// `.go` files), then — for `go run` and test binaries — the program's own arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoArgs {
    pub flags: Vec<GoFlag>,
    pub packages: Vec<String>,
    pub program_args: Vec<String>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FlagError {
    #[error("`-{0}` needs a value")]
    MissingValue(String),
    #[error("`-{flag}={value}`: missing =<flags> after the package pattern `{pattern}`")]
    BadPattern {
        flag: String,
        value: String,
        pattern: String,
    },
    #[error("`-{flag}={value}`: {reason}")]
    BadQuoting {
        flag: String,
        value: String,
        reason: &'static str,
    },
    #[error("`{flag}` conflicts with the {profile} profile: {why}")]
    Conflict {
        flag: String,
        profile: String,
        why: String,
        hint: String,
    },
}

impl gv_core::error::Hint for FlagError {
    fn hint(&self) -> Option<String> {
        match self {
            FlagError::MissingValue(v0) => Some(format!("write -{v0}=VALUE")),
            FlagError::BadPattern { flag, pattern, .. } => Some(format!(
                "write -{flag}='{pattern}=FLAGS' or -{flag}='FLAGS'"
            )),
            FlagError::Conflict { hint, .. } => Some(hint.to_string()),
            _ => None,
        }
    }
}

/// What a command does with the words after the packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `go build`: every non-flag word is a package.
    Build,
    /// `go run`: one package (or several `.go` files), then the program's arguments.
    Run,
}

/// Splits a go command line. `--` ends the go part: what follows is the program's.
pub fn parse(args: &[String], shape: Shape) -> Result<GoArgs, FlagError> {
    let mut out = GoArgs::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if word == "--" {
            out.program_args.extend(words.by_ref().cloned());
            break;
        }
        let in_flags = out.packages.is_empty();
        if in_flags && word.starts_with('-') && word.len() > 1 {
            let body = word.trim_start_matches('-');
            let (name, value) = match body.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None if VALUE_FLAGS.contains(&body) => (
                    body,
                    Some(
                        words
                            .next()
                            .cloned()
                            .ok_or_else(|| FlagError::MissingValue(body.to_string()))?,
                    ),
                ),
                None => (body, None),
            };
            out.flags.push(GoFlag {
                name: name.to_string(),
                value,
            });
            continue;
        }
        match shape {
            Shape::Build => out.packages.push(word.clone()),
            Shape::Run => {
                let is_file = word.ends_with(".go");
                let files_so_far = out.packages.iter().all(|p| p.ends_with(".go"));
                if out.packages.is_empty() || (is_file && files_so_far) {
                    out.packages.push(word.clone());
                } else {
                    out.program_args.push(word.clone());
                    out.program_args.extend(words.by_ref().cloned());
                    break;
                }
            }
        }
    }
    Ok(out)
}

impl GoArgs {
    pub fn value(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|f| f.name == name)
            .and_then(|f| f.value.as_deref())
    }

    pub fn has(&self, name: &str) -> bool {
        self.flags
            .iter()
            .any(|f| f.name == name && f.value.as_deref() != Some("false"))
    }

    /// Removes and returns every occurrence of a flag.
    pub fn take(&mut self, name: &str) -> Vec<GoFlag> {
        let (taken, kept) = self.flags.drain(..).partition(|f| f.name == name);
        self.flags = kept;
        taken
    }
}

/// One `-gcflags` value: `pattern=flags`, or just `flags` for the packages named on the
/// command line (pattern ""). Parsed as cmd/go's PerPackageFlag does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerPackage {
    pub pattern: String,
    pub args: Vec<String>,
}

pub fn parse_per_package(flag: &str, value: &str) -> Result<PerPackage, FlagError> {
    let trimmed = value.trim();
    let (pattern, rest) = if trimmed.is_empty() || trimmed.starts_with('-') {
        ("", trimmed)
    } else {
        match trimmed.split_once('=') {
            Some((pattern, rest)) => (pattern, rest),
            None => {
                return Err(FlagError::BadPattern {
                    flag: flag.to_string(),
                    value: value.to_string(),
                    pattern: trimmed.to_string(),
                });
            }
        }
    };
    let args = split_quoted(rest).map_err(|reason| FlagError::BadQuoting {
        flag: flag.to_string(),
        value: value.to_string(),
        reason,
    })?;
    Ok(PerPackage {
        pattern: pattern.to_string(),
        args,
    })
}

/// cmd/internal/quoted.Split, exactly as the go command reads GOFLAGS and `-gcflags`
/// values: words separated by space, tab, newline or carriage return (no other
/// whitespace); a word that starts with `'` or `"` runs to the next same quote, with no
/// escapes inside, and what follows the closing quote starts a new word even without a
/// space (`'-x'-y` is two words). An unterminated quote is an error.
pub fn split_quoted(s: &str) -> Result<Vec<String>, &'static str> {
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    let mut words = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(is_space);
        let Some(first) = rest.chars().next() else {
            return Ok(words);
        };
        if first == '\'' || first == '"' {
            let inner = &rest[1..];
            let Some(end) = inner.find(first) else {
                return Err("unterminated quoted string");
            };
            words.push(inner[..end].to_string());
            rest = &inner[end + 1..];
        } else {
            let end = rest.find(is_space).unwrap_or(rest.len());
            words.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
}

/// Joins words back into one flag value, quoting the ones with spaces.
pub fn join_quoted(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.chars().any(char::is_whitespace) {
                if w.contains('\'') {
                    format!("\"{w}\"")
                } else {
                    format!("'{w}'")
                }
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Merges the profile's values and the user's values of one per-package flag into one
/// value per pattern: `all` first (it is the broadest, and go lets later patterns win),
/// then the others in order of appearance, each prefixed with the `all` flags.
pub fn merge_per_package(
    flag: &str,
    profile: &[String],
    user: &[String],
) -> Result<Vec<String>, FlagError> {
    let mut groups: Vec<PerPackage> = Vec::new();
    for value in profile.iter().chain(user) {
        let parsed = parse_per_package(flag, value)?;
        match groups.iter_mut().find(|g| g.pattern == parsed.pattern) {
            Some(group) => group.args.extend(parsed.args),
            None => groups.push(parsed),
        }
    }
    groups.sort_by_key(|g| g.pattern != "all");
    let all: Vec<String> = groups
        .iter()
        .find(|g| g.pattern == "all")
        .map(|g| g.args.clone())
        .unwrap_or_default();
    Ok(groups
        .into_iter()
        .map(|g| {
            let args = if g.pattern == "all" {
                g.args
            } else {
                all.iter().cloned().chain(g.args).collect()
            };
            let joined = join_quoted(&args);
            if g.pattern.is_empty() {
                joined
            } else {
                format!("{}={joined}", g.pattern)
            }
        })
        .collect())
}

/// One per-package value (`pattern=words` or `words`) without the words `drop` picks:
/// the value to use instead, and the words dropped.
pub fn without_words(
    flag: &str,
    value: &str,
    drop: impl Fn(&str) -> bool,
) -> Result<(String, Vec<String>), FlagError> {
    let parsed = parse_per_package(flag, value)?;
    let (dropped, kept): (Vec<String>, Vec<String>) =
        parsed.args.into_iter().partition(|w| drop(w));
    let joined = join_quoted(&kept);
    let value = if parsed.pattern.is_empty() {
        joined
    } else {
        format!("{}={joined}", parsed.pattern)
    };
    Ok((value, dropped))
}

/// `-tags a,b` and `-tags 'a b'` (the old syntax) are the same list.
pub fn merge_tags(profile: &[String], user: &[&str]) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let words = user
        .iter()
        .flat_map(|v| v.split([',', ' ']))
        .map(str::to_string)
        .chain(profile.iter().cloned());
    for tag in words {
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// Is `word` (an -ldflags/-gcflags word) a boolean flag turned on, like `-s` or `-w=1`?
pub fn is_on(word: &str, flag: &str) -> bool {
    match word.strip_prefix(flag) {
        Some("") => true,
        Some(rest) => matches!(rest, "=1" | "=true" | "=t" | "=T" | "=TRUE" | "=True"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_go_build_syntax() {
        let args = parse(
            &s(&[
                "-o",
                "out",
                "--tags=a,b",
                "-v",
                "-ldflags",
                "-X main.v=1",
                "./cmd/x",
                "./y",
            ]),
            Shape::Build,
        )
        .unwrap();
        assert_eq!(args.value("o"), Some("out"));
        assert_eq!(args.value("tags"), Some("a,b"));
        assert!(args.has("v"));
        assert_eq!(args.value("ldflags"), Some("-X main.v=1"));
        assert_eq!(args.packages, ["./cmd/x", "./y"]);
        assert_eq!(
            parse(&s(&["-o"]), Shape::Build),
            Err(FlagError::MissingValue("o".into()))
        );
    }

    #[test]
    fn run_splits_program_arguments() {
        let args = parse(&s(&["-race", ".", "-x", "1"]), Shape::Run).unwrap();
        assert_eq!(args.packages, ["."]);
        assert_eq!(args.program_args, ["-x", "1"]);
        let files = parse(&s(&["a.go", "b.go", "arg.go.txt"]), Shape::Run).unwrap();
        assert_eq!(files.packages, ["a.go", "b.go"]);
        assert_eq!(files.program_args, ["arg.go.txt"]);
        let dashed = parse(&s(&[".", "--", "-v"]), Shape::Run).unwrap();
        assert_eq!(dashed.program_args, ["-v"]);
    }

    #[test]
    fn per_package_values_parse_like_cmd_go() {
        assert_eq!(
            parse_per_package("gcflags", "all=-N -l").unwrap(),
            PerPackage {
                pattern: "all".into(),
                args: s(&["-N", "-l"])
            }
        );
        assert_eq!(parse_per_package("gcflags", " -m ").unwrap().pattern, "");
        assert!(matches!(
            parse_per_package("gcflags", "main"),
            Err(FlagError::BadPattern { .. })
        ));
        assert_eq!(
            split_quoted(r#"-X 'main.v=a b' "-s""#).unwrap(),
            s(&["-X", "main.v=a b", "-s"])
        );
        assert!(split_quoted("'open").is_err());
        // As Go: a closing quote ends the word, only ASCII whitespace separates.
        assert_eq!(
            split_quoted("'-x'-toolexec=./y").unwrap(),
            ["-x", "-toolexec=./y"]
        );
        assert_eq!(split_quoted("a\u{a0}b\tc").unwrap(), ["a\u{a0}b", "c"]);
        assert_eq!(split_quoted("\"it's\" ''").unwrap(), ["it's", ""]);
    }

    #[test]
    fn one_flag_per_pattern_and_all_is_folded_into_narrower_ones() {
        let merged =
            merge_per_package("gcflags", &s(&["all=-N -l"]), &s(&["-m", "all=-d=ssa"])).unwrap();
        assert_eq!(merged, ["all=-N -l -d=ssa", "-N -l -d=ssa -m"]);
        let ld = merge_per_package(
            "ldflags",
            &s(&["-compressdwarf=false"]),
            &s(&["-X 'main.version=1.2 beta'"]),
        )
        .unwrap();
        assert_eq!(ld, ["-compressdwarf=false -X 'main.version=1.2 beta'"]);
        // Round trip: what we emit parses back into the same words.
        assert_eq!(
            parse_per_package("ldflags", &ld[0]).unwrap().args,
            s(&["-compressdwarf=false", "-X", "main.version=1.2 beta"])
        );
    }

    #[test]
    fn words_are_dropped_keeping_the_pattern_and_quoting() {
        let strip = |w: &str| is_on(w, "-s") || is_on(w, "-w");
        assert_eq!(
            without_words("ldflags", "-s -w -X 'main.v=a b'", strip).unwrap(),
            ("-X 'main.v=a b'".to_string(), s(&["-s", "-w"]))
        );
        assert_eq!(
            without_words("ldflags", "all=-w=1 -w=0", strip).unwrap(),
            ("all=-w=0".to_string(), s(&["-w=1"]))
        );
    }

    #[test]
    fn tags_merge_into_one_list() {
        assert_eq!(
            merge_tags(&s(&["debug"]), &["a,b", "c debug"]),
            s(&["a", "b", "c", "debug"])
        );
    }

    #[test]
    fn boolean_linker_flags() {
        assert!(is_on("-w", "-w") && is_on("-s=true", "-s") && is_on("-w=1", "-w"));
        assert!(!is_on("-w=0", "-w") && !is_on("-w=false", "-w") && !is_on("-wx", "-w"));
    }
}
