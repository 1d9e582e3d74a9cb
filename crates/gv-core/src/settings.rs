//! gv's settings as typed values: what one config file (the user's `config.toml`, or a
//! trusted project `gv.toml`) says, parsed and checked once, when the file is read.
//!
//! Every key gv understands is parsed here and nowhere else: [`Settings::parse`] turns a
//! file's TOML table into typed fields, and [`crate::config::Config`] picks, per key, the
//! nearest file that sets it, as a [`Setting`] that names that file. A value of the wrong
//! type is kept as its [`SettingError`] and reported by whoever uses that key, so a bad
//! `mirror` breaks `gv install`, never a go command; a key no part of gv knows earns a
//! warning naming the keys that exist.
//!
//! What a value means beyond its type stays with its feature: a mirror name or URL
//! (`sources::mirror`), a `source` (`gv install`), a path below `~/` (needs `HOME`, read
//! when the value is used).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::notice::Notice;

/// Every top-level key gv understands, in the order the warning about an unknown key
/// lists them.
const KEYS: &[&str] = &[
    ENV,
    GOTOOLCHAIN,
    AUTO_INSTALL,
    MIRROR,
    SOURCE,
    REQUIRE_CHECKSUM_DATABASE,
    MINIMUM_GO,
    PROFILE,
    GOBIN,
    TRUSTED_PATHS,
];

/// The `[env]` table: variables for every go command.
pub const ENV: &str = "env";
/// The GOTOOLCHAIN policy ([`Gotoolchain`]).
pub const GOTOOLCHAIN: &str = "gotoolchain";
/// The shim installs a missing version before running it.
pub const AUTO_INSTALL: &str = "auto_install";
/// Where `gv install` downloads SDKs from (go.dev or a mirror).
pub const MIRROR: &str = "mirror";
/// go.dev/a mirror (`dl`) or GOPROXY + GOSUMDB (`goproxy`).
pub const SOURCE: &str = "source";
/// No SDK from an archive without the checksum database's proof (`gv install`).
pub const REQUIRE_CHECKSUM_DATABASE: &str = "require_checksum_database";
/// The oldest Go release `gv check` accepts (the user's and a trusted project's: the
/// higher wins).
pub const MINIMUM_GO: &str = "minimum_go";
/// `[profile.NAME]` build profiles.
pub const PROFILE: &str = "profile";
/// The GOBIN shared by every version ([`Gobin`]).
pub const GOBIN: &str = "gobin";
/// Directories whose project files are trusted.
pub const TRUSTED_PATHS: &str = "trusted_paths";

/// Keys only the user's own config may set, even in a trusted project file: a repository
/// must not choose where Go SDKs are downloaded from (`mirror`, `source`), install one
/// behind the user's back, or vouch for itself.
pub const USER_ONLY_KEYS: &[&str] = &[
    MIRROR,
    SOURCE,
    AUTO_INSTALL,
    REQUIRE_CHECKSUM_DATABASE,
    TRUSTED_PATHS,
];

/// Why a project may not set a [`USER_ONLY_KEYS`] key.
pub fn user_only_reason(key: &str) -> &'static str {
    match key {
        MIRROR | SOURCE => "a project's gv.toml may not choose where Go is downloaded from",
        AUTO_INSTALL => "a project's gv.toml may not make gv install Go behind your back",
        REQUIRE_CHECKSUM_DATABASE => {
            "a project's gv.toml may not change how downloaded Go is verified"
        }
        TRUSTED_PATHS => "a project's gv.toml may not vouch for itself",
        // A new user-only key must come with its reason here.
        other => unreachable!("no reason written for the user-only key `{other}`"),
    }
}

/// Whether a project's gv.toml may set the environment variable `name`: only what the
/// go command reads, by name ([`crate::vars::GO_COMMAND`]). Anything else — `PS1`,
/// `PROMPT_COMMAND`, `LD_PRELOAD`, `GOOGLE_APPLICATION_CREDENTIALS` — would reach every
/// program the shell hook's environment is inherited by.
pub fn project_may_set_env(name: &str) -> bool {
    use crate::vars::GoUse;
    crate::vars::go_var(name)
        .is_some_and(|v| matches!(v.used, GoUse::Reads | GoUse::Runtime | GoUse::PassedOn))
}

/// The keys of a `[profile.NAME]` table.
pub const PROFILE_KEYS: &[&str] = &[
    "inherits",
    "gcflags",
    "ldflags",
    "asmflags",
    "tags",
    "trimpath",
    "race",
    "keep_debug",
    "env",
    "expect",
    "traceback",
    "crash_output",
];

/// What a profile's `expect` may say: the checks of `gv build` (`none`: no check).
pub const EXPECT_VALUES: &[&str] = &["debug", "dwarf", "release", "none"];

/// The GOTRACEBACK levels a profile's `traceback` may name (`""`: the default).
pub const TRACEBACK_LEVELS: &[&str] = &["none", "single", "all", "system", "crash", "wer"];

/// The hint for a `gobin` that is not a usable directory.
pub const GOBIN_HINT: &str = "write `gobin = \"~/go/bin\"` (an absolute or ~/ path), or `gobin = false` to leave GOBIN alone";

/// The hint for a `trusted_paths` that is not a list of directories.
pub const TRUSTED_PATHS_HINT: &str = "write `trusted_paths = [\"~/src/work\"]`: directories (absolute or ~/) whose gv.toml files you trust";

/// The hint for a profile value of the wrong shape.
const PROFILE_HINT: &str = "see README.md, section \"Build profiles\"";

/// One value and the config file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub from: PathBuf,
}

/// A value gv cannot use: `{path}: `{key}` {problem}`, with what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}: {key} {problem}", path.display())]
pub struct SettingError {
    pub path: PathBuf,
    /// The key as the message shows it: `` `gobin` ``, `` `env.GOBIN` ``,
    /// `` [profile.debug] `ldflags` ``.
    pub key: String,
    pub problem: String,
    pub hint: String,
}

impl SettingError {
    /// An error about the key `dotted` (`gobin`, `env.GOBIN`) of the file `path`.
    pub fn new(path: &Path, dotted: &str, problem: String, hint: &str) -> SettingError {
        SettingError {
            path: path.to_path_buf(),
            key: format!("`{dotted}`"),
            problem,
            hint: hint.to_string(),
        }
    }
}

impl crate::error::Hint for SettingError {
    fn hint(&self) -> Option<String> {
        Some(self.hint.clone())
    }
}

/// A value as read: what it means, or why it cannot be used.
pub type Checked<T> = Result<T, SettingError>;

/// What gv does with `GOTOOLCHAIN` for the child.
///
/// Go >= 1.21 reads GOTOOLCHAIN from the environment, then `go env -w`, then
/// `$GOROOT/go.env`, which ships `auto`: a go command older than a go.mod asks for then
/// downloads another toolchain through GOPROXY and re-execs it — behind gv's back, so the
/// version `gv current` reports would not be the one that runs. Hence `local` is the
/// default, for a managed version and for `system` alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gotoolchain {
    /// `GOTOOLCHAIN=local`: always run the selected SDK; an older one fails loudly.
    Local,
    /// `GOTOOLCHAIN=auto`: let the go command switch toolchains as go.mod asks.
    Auto,
    /// Leave GOTOOLCHAIN alone (environment, `go env -w`, go.env decide).
    Inherit,
}

impl Gotoolchain {
    pub fn as_str(self) -> &'static str {
        match self {
            Gotoolchain::Local => "local",
            Gotoolchain::Auto => "auto",
            Gotoolchain::Inherit => "inherit",
        }
    }

    pub fn parse(text: &str) -> Option<Gotoolchain> {
        match text.trim() {
            "local" => Some(Gotoolchain::Local),
            "auto" => Some(Gotoolchain::Auto),
            "inherit" => Some(Gotoolchain::Inherit),
            _ => None,
        }
    }
}

/// The `gobin` key: a directory (as written: `~/` is expanded when it is used), or
/// `false` to leave GOBIN alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gobin {
    Off,
    Dir(String),
}

/// One `[env]` entry: `NAME = "value"` or `NAME = { value = "...", force = true }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub value: String,
    /// Wins over the user's own environment.
    pub forced: bool,
}

/// A table of environment entries (`[env]`, or a profile's `env`), each checked; which of
/// them apply depends on whether the file is a project's ([`EnvTable::entries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvTable {
    path: PathBuf,
    /// The dotted key of the table, for messages: `env`, `profile.debug.env`.
    key: String,
    items: Vec<EnvItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum EnvItem {
    /// Ignored in any file, with the reason.
    Ignored {
        name: String,
        why: String,
    },
    Set {
        name: String,
        entry: Checked<Entry>,
    },
}

/// Variables gv computes itself from the selection; an `[env]` entry for them is ignored
/// with a warning, because it would point the go command at a different SDK.
const RESERVED: &[&str] = &["GOROOT", "PATH"];

/// The longest value an `[env]` entry may have. Linux refuses to start a program when
/// one environment string passes 128 KiB, so a huge value would break every command run
/// in that directory; real values are a few dozen bytes.
pub const MAX_VALUE_LEN: usize = crate::limits::ENV_VALUE;

/// Variables whose value names a directory the go command writes to or runs from: a
/// relative one would mean a different place in every directory.
const ABSOLUTE_ONLY: &[&str] = &["GOBIN", "GOPATH", "GOMODCACHE", "GOCACHE", "GOENV"];

impl EnvTable {
    /// The file the table is in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Parses one table of environment entries whose dotted key is `key`. The one set of
    /// rules for `[env]` and a profile's `env`:
    /// - a name must be a portable variable name (`[A-Za-z_][A-Za-z0-9_]*`), since the
    ///   shell hook writes it into shell code; other names are ignored with a warning;
    /// - GOROOT and PATH are gv's own (warning);
    /// - a value is a string, an integer, or `{ value = …, force = true|false }`, at most
    ///   [`MAX_VALUE_LEN`] bytes, without NUL; GOBIN and friends must be absolute (errors).
    fn parse(path: &Path, key: &str, value: &toml::Value) -> Checked<EnvTable> {
        let table = value.as_table().ok_or_else(|| {
            SettingError::new(
                path,
                key,
                "must be a table".into(),
                "write `[env]` on its own line, then `NAME = \"value\"` lines",
            )
        })?;
        let items = table
            .iter()
            .map(|(name, value)| {
                let name = name.clone();
                if !crate::shell_syntax::is_portable_var_name(&name) {
                    let why = "not a portable variable name (letters, digits and _, not starting with a digit)".into();
                    return EnvItem::Ignored { name, why };
                }
                if RESERVED.contains(&name.as_str()) {
                    let why = format!("gv sets {name} from the selected Go version");
                    return EnvItem::Ignored { name, why };
                }
                let entry = check_entry(&name, value)
                    .map_err(|(problem, hint)| {
                        SettingError::new(path, &format!("{key}.{name}"), problem, hint)
                    });
                EnvItem::Set { name, entry }
            })
            .collect();
        Ok(EnvTable {
            path: path.to_path_buf(),
            key: key.to_string(),
            items,
        })
    }

    /// The entries that apply, by name; what is ignored goes to `warnings`, one line each.
    /// A project file (`project`) may set only what the go command reads
    /// ([`project_may_set_env`]); the first entry gv cannot use is the
    /// error.
    pub fn entries(
        &self,
        project: bool,
        warnings: &mut Vec<Notice>,
    ) -> Checked<BTreeMap<String, Entry>> {
        let mut out = BTreeMap::new();
        let mut ignore = |name: &str, why: &str| {
            warnings.push(Notice::new(
                &self.path,
                format!(
                    "{}: [{}] {} ignored: {why}",
                    self.path.display(),
                    self.key,
                    crate::text::one_line(name)
                ),
            ));
        };
        for item in &self.items {
            match item {
                EnvItem::Ignored { name, why } => ignore(name, why),
                EnvItem::Set { name, .. } if project && !project_may_set_env(name) => {
                    let why = match crate::vars::go_var(name) {
                        Some(_) => format!(
                            "the go command only shows {name} (`go env`), it never reads it from the environment"
                        ),
                        None => format!(
                            "not a variable the go command reads (README's Security model lists them), and a project's gv.toml may set only those, since the shell hook exports them to everything you run there; set {name} in your own config.toml"
                        ),
                    };
                    ignore(name, &why);
                }
                EnvItem::Set { name, entry } => {
                    out.insert(name.clone(), entry.clone()?);
                }
            }
        }
        Ok(out)
    }
}

/// One entry's value, checked: the problem and its hint when gv cannot use it.
fn check_entry(name: &str, value: &toml::Value) -> Result<Entry, (String, &'static str)> {
    let entry = parse_entry(value).map_err(|problem| {
        (
            problem,
            "write `NAME = \"value\"` or `NAME = { value = \"value\", force = true }`",
        )
    })?;
    if entry.value.contains('\0') {
        return Err((
            "contains a NUL character".into(),
            "environment values cannot hold NUL",
        ));
    }
    if entry.value.len() > MAX_VALUE_LEN {
        return Err((
            format!(
                "is {} bytes long; gv passes on values of at most {MAX_VALUE_LEN} bytes",
                entry.value.len()
            ),
            "a value this long would make every program started with it fail (\"Argument list too long\")",
        ));
    }
    if ABSOLUTE_ONLY.contains(&name)
        && !entry.value.is_empty()
        && !Path::new(&entry.value).is_absolute()
    {
        return Err((
            format!("must be an absolute path, not {:?}", entry.value),
            "a relative directory would mean another place in every directory you work in",
        ));
    }
    Ok(entry)
}

/// `"text"`, an integer (`CGO_ENABLED = 0`), or `{ value = …, force = bool }`.
fn parse_entry(value: &toml::Value) -> Result<Entry, String> {
    match value {
        toml::Value::String(s) => Ok(Entry {
            value: s.clone(),
            forced: false,
        }),
        toml::Value::Integer(i) => Ok(Entry {
            value: i.to_string(),
            forced: false,
        }),
        toml::Value::Table(t) => {
            if let Some(extra) = t.keys().find(|k| *k != "value" && *k != "force") {
                return Err(format!(
                    "has an unknown field `{}` (only `value` and `force`)",
                    crate::text::one_line(extra)
                ));
            }
            let forced = match t.get("force") {
                None => false,
                Some(toml::Value::Boolean(b)) => *b,
                Some(other) => return Err(format!("`force` must be true or false, not {other}")),
            };
            match t.get("value") {
                Some(inner @ (toml::Value::String(_) | toml::Value::Integer(_))) => Ok(Entry {
                    value: parse_entry(inner)?.value,
                    forced,
                }),
                Some(other) => Err(format!("`value` must be a string, not {other}")),
                None => Err("needs a `value`".into()),
            }
        }
        other => Err(format!("must be a string, not {other}")),
    }
}

/// A profile's list of flags or tags: added to the inherited list, or
/// `{ replace = … }` in its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagList {
    pub items: Vec<String>,
    pub replace: bool,
}

impl FlagList {
    /// Extends `field`, or replaces it.
    pub fn apply_to(&self, field: &mut Vec<String>) {
        if self.replace {
            field.clone_from(&self.items);
        } else {
            field.extend(self.items.iter().cloned());
        }
    }

    fn parse(value: &toml::Value, comma_separated: bool) -> Option<FlagList> {
        match value {
            toml::Value::Table(table) => {
                let [(name, inner)] = table.iter().collect::<Vec<_>>()[..] else {
                    return None;
                };
                (name == "replace").then_some(())?;
                Some(FlagList {
                    items: string_list(inner, comma_separated)?,
                    replace: true,
                })
            }
            _ => Some(FlagList {
                items: string_list(value, comma_separated)?,
                replace: false,
            }),
        }
    }
}

fn string_list(value: &toml::Value, comma_separated: bool) -> Option<Vec<String>> {
    match value {
        toml::Value::String(s) if comma_separated => Some(
            s.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        toml::Value::String(s) if s.trim().is_empty() => Some(Vec::new()),
        toml::Value::String(s) => Some(vec![s.clone()]),
        toml::Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// One `[profile.NAME]` table of one file. Each key is `None` when the table does not
/// set it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileSettings {
    pub inherits: Option<Checked<String>>,
    pub gcflags: Option<Checked<FlagList>>,
    pub ldflags: Option<Checked<FlagList>>,
    pub asmflags: Option<Checked<FlagList>>,
    /// Build tags: an array, or one string of comma-separated tags.
    pub tags: Option<Checked<FlagList>>,
    pub trimpath: Option<Checked<bool>>,
    pub race: Option<Checked<bool>>,
    pub keep_debug: Option<Checked<bool>>,
    /// One of [`EXPECT_VALUES`].
    pub expect: Option<Checked<String>>,
    /// One of [`TRACEBACK_LEVELS`], or `""` for the default.
    pub traceback: Option<Checked<String>>,
    pub crash_output: Option<Checked<String>>,
    pub env: Option<Checked<EnvTable>>,
    /// Keys no profile has, as written.
    pub unknown: Vec<String>,
}

impl ProfileSettings {
    fn parse(path: &Path, name: &str, table: &toml::Table) -> ProfileSettings {
        let bad = |key: &str, problem: &str| SettingError {
            path: path.to_path_buf(),
            key: format!("[profile.{name}] `{key}`"),
            problem: problem.to_string(),
            hint: PROFILE_HINT.to_string(),
        };
        let list = |key: &str, comma_separated: bool| {
            let value = table.get(key)?;
            Some(FlagList::parse(value, comma_separated).ok_or_else(|| {
                let shape = if comma_separated {
                    "an array of strings or \"a,b\""
                } else {
                    "a string or an array of strings"
                };
                bad(
                    key,
                    &format!("must be {shape}, or {{ replace = … }} to drop the inherited ones"),
                )
            }))
        };
        let flag = |key: &str| {
            Some(
                table
                    .get(key)?
                    .as_bool()
                    .ok_or_else(|| bad(key, "must be true or false")),
            )
        };
        let one_of = |key: &str, allowed: &[&str], problem: &str| {
            let value = table.get(key)?;
            Some(
                value
                    .as_str()
                    .filter(|v| allowed.contains(v))
                    .map(str::to_string)
                    .ok_or_else(|| bad(key, problem)),
            )
        };
        let mut traceback_levels = TRACEBACK_LEVELS.to_vec();
        traceback_levels.push("");
        ProfileSettings {
            inherits: table.get("inherits").map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad("inherits", "must be a profile name"))
            }),
            gcflags: list("gcflags", false),
            ldflags: list("ldflags", false),
            asmflags: list("asmflags", false),
            tags: list("tags", true),
            trimpath: flag("trimpath"),
            race: flag("race"),
            keep_debug: flag("keep_debug"),
            expect: one_of(
                "expect",
                EXPECT_VALUES,
                "must be \"debug\", \"dwarf\", \"release\" or \"none\"",
            ),
            traceback: one_of(
                "traceback",
                &traceback_levels,
                &format!(
                    "must be one of {} (or \"\" for the default)",
                    TRACEBACK_LEVELS.join(", ")
                ),
            ),
            crash_output: table.get("crash_output").map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad("crash_output", "must be a file path (a string)"))
            }),
            env: table
                .get("env")
                .map(|v| EnvTable::parse(path, &format!("{PROFILE}.{name}.env"), v)),
            unknown: table
                .keys()
                .filter(|k| !PROFILE_KEYS.contains(&k.as_str()))
                .cloned()
                .collect(),
        }
    }
}

/// Everything one config file sets, typed. Each key is `None` when the file does not set
/// it; a value of the wrong type is its error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub env: Option<Checked<EnvTable>>,
    pub gotoolchain: Option<Checked<Gotoolchain>>,
    pub gobin: Option<Checked<Gobin>>,
    pub auto_install: Option<Checked<bool>>,
    /// A mirror name or URL, as written (`sources::mirror` knows the names).
    pub mirror: Option<Checked<String>>,
    /// `dl` or `goproxy`, as written (`gv install` knows the sources).
    pub source: Option<Checked<String>>,
    pub require_checksum_database: Option<Checked<bool>>,
    /// A Go release (`1.22.5`; a go.mod-style `1.22` means `1.22.0`).
    pub minimum_go: Option<Checked<crate::Version>>,
    /// Directories as written (absolute or `~/`).
    pub trusted_paths: Option<Checked<Vec<String>>>,
    /// `[profile.NAME]` tables; `profile` or a `profile.NAME` that is not a table is
    /// listed in `bad_profiles` and otherwise ignored.
    pub profiles: BTreeMap<String, ProfileSettings>,
    /// `profile` itself (as `""`) or the names under it that are not tables.
    pub bad_profiles: Vec<String>,
    /// Top-level keys no part of gv understands, as written.
    pub unknown: Vec<String>,
    /// The top-level keys the file sets, in its order.
    pub keys: Vec<String>,
}

impl Settings {
    /// The typed settings of the file `path`, whose content is `table`.
    pub fn parse(path: &Path, table: &toml::Table) -> Settings {
        let mut out = Settings {
            keys: table.keys().cloned().collect(),
            ..Settings::default()
        };
        for (key, value) in table {
            let bad = |problem: String, hint: &str| SettingError::new(path, key, problem, hint);
            match key.as_str() {
                ENV => out.env = Some(EnvTable::parse(path, ENV, value)),
                GOTOOLCHAIN => {
                    out.gotoolchain = Some(value.as_str().and_then(Gotoolchain::parse).ok_or_else(|| {
                        bad(
                            format!("must be \"local\", \"auto\" or \"inherit\", not {value}"),
                            "`local` (the default) keeps the selected SDK; `auto` lets go.mod switch toolchains; `inherit` leaves GOTOOLCHAIN alone",
                        )
                    }))
                }
                GOBIN => {
                    out.gobin = Some(match value {
                        toml::Value::Boolean(false) => Ok(Gobin::Off),
                        toml::Value::String(s) if !s.trim().is_empty() => {
                            Ok(Gobin::Dir(s.trim().to_string()))
                        }
                        other => Err(bad(
                            format!("must be a path or false, not {other}"),
                            GOBIN_HINT,
                        )),
                    })
                }
                AUTO_INSTALL => {
                    out.auto_install = Some(value.as_bool().ok_or_else(|| {
                        bad(
                            format!("must be true or false, not {value}"),
                            "write `auto_install = true` to let shims install missing versions",
                        )
                    }))
                }
                MIRROR => {
                    out.mirror = Some(value.as_str().map(str::to_string).ok_or_else(|| {
                        bad(
                            format!("must be a string: a mirror name or an http(s) URL, not {value}"),
                            "write `mirror = \"NAME\"` with one of gv's mirror names (`gv install --help` lists them), or a URL laid out like https://go.dev/dl/",
                        )
                    }))
                }
                SOURCE => {
                    out.source = Some(value.as_str().map(str::to_string).ok_or_else(|| {
                        bad(
                            format!("must be a string: \"dl\" or \"goproxy\", not {value}"),
                            "write `source = \"dl\"` (go.dev or a mirror) or `source = \"goproxy\"` (GOPROXY, verified by GOSUMDB)",
                        )
                    }))
                }
                REQUIRE_CHECKSUM_DATABASE => {
                    out.require_checksum_database = Some(value.as_bool().ok_or_else(|| {
                        bad(
                            format!("must be true or false, not {value}"),
                            "write `require_checksum_database = true` to install no SDK the checksum database has not proven",
                        )
                    }))
                }
                MINIMUM_GO => {
                    out.minimum_go = Some(
                        value
                            .as_str()
                            .and_then(|s| crate::Version::parse(s).ok())
                            .filter(|v| v.is_release_name())
                            .map(|v| v.minimum_toolchain())
                            .ok_or_else(|| {
                                bad(
                                    format!("must be a Go version as a string, not {value}"),
                                    "write `minimum_go = \"1.22.5\"`: `gv check` fails for any older Go",
                                )
                            }),
                    )
                }
                TRUSTED_PATHS => out.trusted_paths = Some(trusted_paths(value).map_err(|p| bad(p, TRUSTED_PATHS_HINT))),
                PROFILE => match value.as_table() {
                    Some(profiles) => {
                        for (name, table) in profiles {
                            match table.as_table() {
                                Some(table) => {
                                    out.profiles.insert(
                                        name.clone(),
                                        ProfileSettings::parse(path, name, table),
                                    );
                                }
                                None => out.bad_profiles.push(name.clone()),
                            }
                        }
                    }
                    None => out.bad_profiles.push(String::new()),
                },
                _ => out.unknown.push(key.clone()),
            }
        }
        out
    }

    /// The top-level keys gv understands, for the warning about one it does not.
    pub fn known_keys() -> &'static [&'static str] {
        KEYS
    }
}

fn trusted_paths(value: &toml::Value) -> Result<Vec<String>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("must be an array of directories, not {value}"))?;
    items
        .iter()
        .map(|item| {
            item.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("must hold directory names, not {item}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Settings {
        Settings::parse(Path::new("/u/config.toml"), &text.parse().unwrap())
    }

    #[test]
    fn each_key_is_typed_once_and_a_wrong_type_keeps_its_message() {
        let s = parse(
            "gotoolchain = \"auto\"\ngobin = false\nauto_install = true\nmirror = \"ustc\"\nsource = 3\ntrusted_paths = [\"~/w\"]\ncolour = 1\n",
        );
        assert_eq!(s.gotoolchain, Some(Ok(Gotoolchain::Auto)));
        assert_eq!(s.gobin, Some(Ok(Gobin::Off)));
        assert_eq!(s.auto_install, Some(Ok(true)));
        assert_eq!(s.mirror, Some(Ok("ustc".to_string())));
        assert_eq!(s.trusted_paths, Some(Ok(vec!["~/w".to_string()])));
        assert_eq!(s.unknown, ["colour"]);
        let err = s.source.unwrap().unwrap_err().to_string();
        assert!(
            err.starts_with("/u/config.toml: `source` must be a string"),
            "{err}"
        );
        let err = parse("gotoolchain = \"sometimes\"")
            .gotoolchain
            .unwrap()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`gotoolchain` must be \"local\", \"auto\" or \"inherit\""),
            "{err}"
        );
        let err = parse("trusted_paths = \"/w\"")
            .trusted_paths
            .unwrap()
            .unwrap_err();
        assert!(
            err.problem.starts_with("must be an array of directories"),
            "{err}"
        );
    }

    #[test]
    fn env_entries_apply_by_file_role() {
        let s = parse("[env]\nLD_PRELOAD = \"/x.so\"\nGOFLAGS = \"-mod=mod\"\n\"A-B\" = \"1\"\n");
        let table = s.env.unwrap().unwrap();
        let mut warnings = Vec::new();
        let user = table.entries(false, &mut warnings).unwrap();
        assert!(user.contains_key("LD_PRELOAD") && user.contains_key("GOFLAGS"));
        assert_eq!(warnings.len(), 1, "the unportable name only");
        warnings.clear();
        let project = table.entries(true, &mut warnings).unwrap();
        assert_eq!(project.keys().collect::<Vec<_>>(), ["GOFLAGS"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        // A bad value is an error where the entry applies, not where it is refused.
        let bad = parse("[env]\nLD_PRELOAD = []\n").env.unwrap().unwrap();
        assert!(bad.entries(true, &mut Vec::new()).unwrap().is_empty());
        let err = bad.entries(false, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("`env.LD_PRELOAD` must be a string"), "{err}");
    }

    #[test]
    fn profiles_are_typed_with_their_own_messages() {
        let s = parse(
            "[profile.x]\nldflags = { replace = [\"-s\"] }\ntags = \"a, b\"\nrace = \"yes\"\ntraceback = \"\"\nexpect = \"maybe\"\nbogus = 1\n[profile]\ny = 3\n",
        );
        let x = &s.profiles["x"];
        assert_eq!(
            x.ldflags,
            Some(Ok(FlagList {
                items: vec!["-s".into()],
                replace: true
            }))
        );
        assert_eq!(x.tags.clone().unwrap().unwrap().items, ["a", "b"]);
        assert_eq!(x.traceback, Some(Ok(String::new())));
        let race = x.race.clone().unwrap().unwrap_err().to_string();
        assert_eq!(
            race,
            "/u/config.toml: [profile.x] `race` must be true or false"
        );
        assert!(x.expect.clone().unwrap().is_err());
        assert_eq!(x.unknown, ["bogus"]);
        assert_eq!(s.bad_profiles, ["y"]);
    }
}
