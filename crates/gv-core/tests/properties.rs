//! Property tests of gv-core's parsers of outside input and of the quoting that puts text
//! into shell code: 10,000 generated cases each (inputs built from the syntax each parser
//! knows, mixed with arbitrary characters), asserting no panic, a bounded result and a
//! typed error. The real-shell counterpart of the quoting property is
//! tests/it/hostile.rs (`quoting_survives_a_thousand_random_strings_in_every_shell`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use gv_core::config::{Config, ConfigError, ConfigFile};
use gv_core::pinfile::{self, PinEntries, PinFileError};
use gv_core::select::{Origin, Request, Resolved, Selection};
use gv_core::shell_syntax::Syntax;
use gv_core::{Spec, Version, env, suggest, text};
use proptest::prelude::*;

const CASES: u32 = 10_000;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(CASES)
}

/// Text made of `tokens` and arbitrary characters (controls, quotes, far Unicode), up to
/// `max` pieces.
fn text_of(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(tokens).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
        1 => "[ \t\r\n#/.'\"\\\\=\\[\\]{},0-9a-z-]{1,4}",
    ];
    proptest::collection::vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

const PIN_TOKENS: &[&str] = &[
    "1.22.3",
    "1.22",
    "1",
    "go1.21rc1",
    "go-1.20",
    "system",
    "latest",
    "golang",
    "go",
    " ",
    "\n",
    "\r\n",
    "\t",
    "#",
    "# comment\n",
    "\u{feff}",
    "../",
    "/usr/local/go",
    "1.2.3.4",
    "1.99.0",
    "v1.22",
    "99999999999999999999",
    "0.0",
    "1.22beta1",
    "\u{202e}",
    "\0",
    ":",
    "1.22.10:1.21.13",
    "go-1.22.10:system",
    "::",
];

fn check_entries(entries: &PinEntries, text: &str) {
    let lines = text.lines().count().max(1);
    assert!(
        // A word is a goenv `:` list: each of its entries counts.
        entries.specs.len() + entries.skipped.len()
            <= text
                .split(|c: char| c == ':' || c.is_whitespace())
                .filter(|w| !w.is_empty())
                .count(),
        "more entries than words"
    );
    for spec in &entries.specs {
        let shown = spec.to_string();
        assert!(!shown.contains('/') && !shown.contains(".."), "{shown}");
        assert_eq!(Spec::parse(&shown).ok().as_ref(), Some(spec), "{shown}");
    }
    for skipped in &entries.skipped {
        assert!(skipped.line >= 1 && skipped.line <= lines, "{skipped:?}");
        assert!(skipped.text.len() <= text.len());
    }
}

proptest! {
    #![proptest_config(config())]

    /// `.go-version` (and the global version file): goenv's rules, never a path.
    #[test]
    fn go_version_files_parse_to_specs_or_skips(text in text_of(PIN_TOKENS, 48)) {
        check_entries(&pinfile::parse_go_version(&text), &text);
    }

    /// `GV_VERSION` / goenv's `GOENV_VERSION` lists (`go-1.22.10`, `1.22.10:1.21.13`):
    /// specs that print back as themselves, never a path, or an error naming an entry
    /// of the value.
    #[test]
    fn version_lists_parse_to_specs_or_name_the_bad_entry(text in text_of(PIN_TOKENS, 24)) {
        match pinfile::parse_version_list(&text) {
            Ok(specs) => {
                prop_assert!(!specs.is_empty());
                prop_assert!(specs.len() <= text.split(|c: char| c == ':' || c.is_whitespace()).filter(|w| !w.is_empty()).count());
                for spec in &specs {
                    let shown = spec.to_string();
                    prop_assert!(!shown.contains('/') && !shown.contains(".."), "{}", shown);
                    let back = Spec::parse(&shown).ok();
                    prop_assert_eq!(back.as_ref(), Some(spec));
                }
            }
            Err(gv_core::version::VersionError::InvalidSpec(entry)) => {
                prop_assert!(text.contains(entry.as_str()), "{:?} not in {:?}", entry, text);
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    /// `.tool-versions`: asdf's `golang`/`go` line, or none.
    #[test]
    fn tool_versions_files_parse_to_specs_or_nothing(text in text_of(PIN_TOKENS, 48)) {
        if let Some(entries) = pinfile::parse_tool_versions(&text) {
            check_entries(&entries, &text);
        }
    }

    /// Any bytes in a pin file: entries, or a typed error naming the file.
    #[test]
    fn pin_files_of_any_bytes_read_or_fail_typed(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        // A new file each time: rewriting one in place makes ext4 flush it (auto_da_alloc).
        let dir = tempfile::tempdir_in(scratch()).unwrap();
        let path = dir.path().join(".go-version");
        std::fs::write(&path, &bytes).unwrap();
        match pinfile::read_go_version(&path) {
            // Nothing but blanks and comments: no file, as for goenv.
            Ok(None) => {}
            Ok(Some(entries)) => prop_assert!(!entries.specs.is_empty()),
            Err(e @ PinFileError::Empty { .. }) => prop_assert_eq!(e.path(), path.as_path()),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    /// go.mod / go.work: the `go` and `toolchain` lines, ignoring blocks and comments.
    #[test]
    fn go_mod_lines_parse_to_versions(text in text_of(&[
        "module example.com/m\n", "go 1.22\n", "go 1.21.0\n", "toolchain go1.22.3\n",
        "toolchain default\n", "toolchain 1.22\n", "go \"1.23\"\n", "require (\n", ")\n",
        "// go 1.99\n", "use ./a\n", "go", "toolchain", " ", "\n", "(", ")", "1.22", "go1.99.0",
        "\u{feff}", "//", "replace x => y v1\n",
    ], 48)) {
        let module = pinfile::parse_go_mod(&text);
        for version in [&module.go, &module.toolchain].into_iter().flatten() {
            let again = Version::parse(version.as_str()).ok();
            prop_assert_eq!(again.as_ref(), Some(version));
        }
        if let Some(target) = gv_core::toolchain::module_target(&module) {
            prop_assert!(module.go.is_some() || module.toolchain.is_some());
            prop_assert!(gv_core::toolchain::satisfies(&target, &module));
        }
    }

    /// gv.toml / config.toml: parsed or a typed parse error with a place; once parsed, the
    /// warnings and the environment plan are computed without panicking, the plan holds
    /// only portable names and bounded values, and a project sets only the go command's
    /// variables.
    #[test]
    fn config_files_parse_and_plan_or_fail_typed(text in text_of(&[
        "[env]\n", "[profile.debug]\n", "[profile.x.env]\n", "gotoolchain = ", "gobin = ",
        "auto_install = true\n", "mirror = \"https://x/\"\n", "trusted_paths = [\"/\"]\n",
        "GOFLAGS = ", "CGO_ENABLED = ", "GOOGLE_APPLICATION_CREDENTIALS = ", "PATH = ",
        "GOROOT = ", "GOBIN = ", "\"GO$(x)\" = ", "\"\\u202e\" = ", "\"-toolexec=./x\"",
        "\"auto\"", "\"local\"", "0", "true", "{ value = \"1\", force = true }",
        "{ force = 1 }", "[", "]", "=", "\"", "'", "\"\"\"", "\n", " ", ",", "{", "}",
        "ldflags = [\"-o x\"]", "gcflags = \"all=-N -l\"", "env = ", "# c\n",
    ], 40)) {
        let path = Path::new("/p/gv.toml");
        let file = match ConfigFile::parse(path, &text) {
            Ok(file) => file,
            Err(ConfigError::Parse { path: p, line, column, .. }) => {
                prop_assert_eq!(p.as_path(), path);
                prop_assert!(line >= 1 && column >= 1);
                return Ok(());
            }
            Err(other) => {
                prop_assert!(false, "untyped failure {other:?}");
                unreachable!()
            }
        };
        let _ = file.settings.unknown.len();
        let as_user = ConfigFile::parse(Path::new("/u/config.toml"), &text).unwrap();
        let config = Config {
            project: Some(file),
            user: Some(as_user),
            ..Config::default()
        };
        for notice in config.warnings() {
            prop_assert!(notice.text.len() < 4 * text.len() + 1024);
        }
        let selection = Selection {
            request: Request {
                specs: vec![Spec::parse("1.22.10").unwrap()],
                origin: Origin::GoVersionFile { path: "/p/.go-version".into() },
                ..Request::default()
            },
            resolved: Resolved::Managed {
                version: Version::parse("1.22.10").unwrap(),
                goroot: PathBuf::from("/gv/versions/1.22.10"),
            },
        };
        let no_env = |_: &str| -> Option<OsString> { None };
        match env::plan(&selection, &config, no_env) {
            Ok(plan) => {
                for var in &plan.vars {
                    prop_assert!(gv_core::shell_syntax::is_portable_var_name(&var.name), "{}", var.name);
                    prop_assert!(var.value.len() <= env::MAX_VALUE_LEN.max(4096));
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let project_only = Config {
            project: config.project.clone(),
            ..Config::default()
        };
        if let Ok(plan) = env::plan(&selection, &project_only, no_env) {
            for var in &plan.vars {
                if let env::Source::Config { .. } = var.source {
                    prop_assert!(
                        gv_core::config::project_may_set_env(&var.name),
                        "a project set {}", var.name
                    );
                }
            }
        }
    }

    /// Every syntax's quoting gives back the text, read as that shell reads it, and stays
    /// bounded; the POSIX form reads the same in fish.
    #[test]
    fn quoting_round_trips_for_every_syntax(text in text_of(&[
        "'", "\"", "\\", "$", "`", "$(touch X)", ";", "&", "|", "\n", "\u{2018}", "\u{2019}",
        "\u{201a}", "\u{201b}", "''", "\\'", "\0", " ", "\u{202e}", "é", "~", "=", "#",
    ], 32)) {
        for syntax in [Syntax::Posix, Syntax::Fish, Syntax::PowerShell] {
            let quoted = syntax.quote(&text);
            prop_assert!(quoted.len() <= 4 * text.len() + 2, "{quoted:?}");
            let back = match syntax {
                Syntax::Posix | Syntax::Fish => {
                    let posix = read_posix_word(&quoted);
                    let fish = read_fish_word(&quoted);
                    prop_assert_eq!(fish.as_deref(), posix.as_deref());
                    posix
                }
                Syntax::PowerShell => read_powershell_word(&quoted),
            };
            prop_assert_eq!(back.as_deref(), Some(text.as_str()), "{:?}: {}", syntax, quoted);
            let word = suggest::word_in(syntax, &text);
            prop_assert!(word == text || word == quoted);
        }
    }

    /// What gv prints of outside text holds no control or format character (escaped
    /// output only), and stays bounded.
    #[test]
    fn escaped_text_holds_nothing_a_terminal_obeys(text in text_of(&[
        "\u{1b}]52;c;", "\u{7}", "\u{9b}", "\n", "\t", "\r", "\u{202e}", "\u{2066}",
        "\u{2069}", "\u{200f}", "\u{feff}", "\u{2028}", "\u{e0041}", "[ok] all is well",
    ], 32)) {
        let line = text::one_line(&text);
        prop_assert!(!line.chars().any(text::needs_escape), "{line:?}");
        let message = text::escape_controls(&text);
        prop_assert!(
            !message.chars().any(|c| text::needs_escape(c) && c != '\n' && c != '\t'),
            "{message:?}"
        );
        prop_assert!(line.len() <= 12 * text.len() && message.len() <= 12 * text.len());
    }

    /// Version specs from files and the command line: parsed or a typed error, and what
    /// parses prints back to itself.
    #[test]
    fn specs_parse_and_print_back(text in text_of(PIN_TOKENS, 6)) {
        match Spec::parse(&text) {
            Ok(spec) => prop_assert_eq!(Spec::parse(&spec.to_string()).ok(), Some(spec)),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

/// One directory for the file cases of this test binary (kept until it exits).
fn scratch() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// A word of sh/bash/zsh: `'…'` literal, `\x` outside quotes is `x`. `None` when the
/// word would not be one literal word (an unquoted special character, an open quote).
fn read_posix_word(word: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '\\' => out.push(chars.next()?),
            c if c.is_ascii_alphanumeric() || "_./:+-=,@%".contains(c) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// A word of fish: inside `'…'` only `\\` and `\'` are escapes; outside, `\x` is `x` for
/// the characters the POSIX form escapes.
fn read_fish_word(word: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    '\\' if matches!(chars.peek(), Some('\\' | '\'')) => out.push(chars.next()?),
                    c => out.push(c),
                }
            },
            '\\' => match chars.next()? {
                c @ ('\\' | '\'') => out.push(c),
                _ => return None,
            },
            c if c.is_ascii_alphanumeric() || "_./:+-=,@%".contains(c) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

/// A PowerShell single-quoted string: any of its five quote characters ends it, and
/// reads as itself when doubled.
fn read_powershell_word(word: &str) -> Option<String> {
    let is_quote = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}');
    let mut chars = word.chars().peekable();
    if !chars.next().is_some_and(is_quote) {
        return None;
    }
    let mut out = String::new();
    loop {
        let c = chars.next()?;
        if is_quote(c) {
            match chars.peek() {
                Some(&next) if is_quote(next) => {
                    out.push(chars.next()?);
                }
                None => return Some(out),
                Some(_) => return None,
            }
        } else {
            out.push(c);
        }
    }
}
