//! Build profiles: named sets of go build flags, environment and panic settings, each with
//! the expectation `gv verify` checks the result against.
//!
//! Three are built in (`debug`, `dwarf`, `release`); `[profile.NAME]` tables in the user
//! `config.toml` and the project `gv.toml` change them or define new ones. A profile starts
//! from what it `inherits` (else the built-in of its name, else nothing); each key the
//! config sets (the project file wins per key) then applies by its own rule: lists
//! (`gcflags`, `ldflags`, `asmflags`, `tags`) are extended, `{ replace = … }` replaces
//! them; `env` merges variable by variable; every other key replaces the inherited value.
//!
//! ```toml
//! [profile.debug]
//! crash_output = "crash.log"          # add a crash file to the built-in debug profile
//!
//! [profile.ci]
//! inherits = "release"                # start from a built-in or another profile
//! gcflags = "all=-dwarflocationlists" # a string, or an array of `pattern=flags` strings
//! ldflags = ["-X main.channel=ci"]
//! asmflags = []
//! tags = ["netgo", "osusergo"]         # array, or "a,b"
//! trimpath = true
//! race = false
//! keep_debug = true                   # link with DWARF, ship it stripped, keep the DWARF by build ID
//! env = { CGO_ENABLED = "0", GODEBUG = { value = "panicnil=1", force = true } }
//! expect = "release"                  # debug | dwarf | release | none
//! traceback = "all"                   # none | single | all | system | crash | wer | ""
//! crash_output = ""                   # Go >= 1.23: file that receives fatal crash output
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gv_core::config::Config;
use gv_core::env::{Entry, EnvError};
use gv_core::notice::Notice;
use gv_core::settings::{self, Checked, ProfileSettings, SettingError};
use thiserror::Error;

use crate::inspect::Expectation;

pub const BUILTIN: &[&str] = &["debug", "dwarf", "release"];
/// How deep `inherits` may chain before we call it a loop.
const MAX_INHERITS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub gcflags: Vec<String>,
    pub ldflags: Vec<String>,
    pub asmflags: Vec<String>,
    pub tags: Vec<String>,
    pub trimpath: bool,
    pub race: bool,
    /// Link with DWARF and a GNU build ID, then split: the binary that lands is stripped,
    /// its debug information goes to the symbol store (`build::keep`).
    pub keep_debug: bool,
    /// Variables the profile sets: parsed, checked and applied exactly like `[env]`
    /// (gv-core's `env::parse_table`); the user's own environment wins unless forced.
    pub env: BTreeMap<String, Entry>,
    pub expect: Option<Expectation>,
    /// `runtime/debug.SetTraceback` level compiled into package main; `None`: leave it.
    pub traceback: Option<String>,
    /// `runtime/debug.SetCrashOutput` file (Go >= 1.23); `None`: no crash file.
    pub crash_output: Option<String>,
    /// Config files that changed this profile, nearest first.
    pub sources: Vec<PathBuf>,
}

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("unknown build profile `{name}`")]
    Unknown { name: String, defined: String },
    #[error("[profile.{0}] inherits in a loop")]
    InheritLoop(String),
    /// A value of the wrong type or shape.
    #[error(transparent)]
    Setting(SettingError),
    #[error(transparent)]
    Env(#[from] EnvError),
}

impl gv_core::error::Hint for ProfileError {
    fn hint(&self) -> Option<String> {
        match self {
            ProfileError::Unknown { defined, .. } => Some(format!(
                "built in: debug, dwarf, release{defined}; define others under [profile.NAME] in gv.toml"
            )),
            ProfileError::InheritLoop(_) => Some(
                "`inherits` must end at a built-in profile or one without `inherits`".to_string(),
            ),
            ProfileError::Env(e) => gv_core::error::Hint::hint(e),
            ProfileError::Setting(e) => gv_core::error::Hint::hint(e),
        }
    }
}

impl Profile {
    fn empty(name: &str) -> Profile {
        Profile {
            name: name.to_string(),
            gcflags: Vec::new(),
            ldflags: Vec::new(),
            asmflags: Vec::new(),
            tags: Vec::new(),
            trimpath: false,
            race: false,
            keep_debug: false,
            env: BTreeMap::new(),
            expect: None,
            traceback: None,
            crash_output: None,
            sources: Vec::new(),
        }
    }

    /// The built-in profiles, exactly as README.md documents them.
    pub fn builtin(name: &str) -> Option<Profile> {
        let mut p = Profile::empty(name);
        match name {
            // Every package unoptimised and not inlined (what `dlv debug` does), DWARF kept
            // and left uncompressed so every debugger and readelf can read it, full
            // tracebacks on panic.
            "debug" => {
                p.gcflags = vec!["all=-N -l".into()];
                p.ldflags = vec!["-compressdwarf=false".into()];
                p.expect = Some(Expectation::Debug);
                p.traceback = Some("all".into());
            }
            // Optimised code that stays debuggable: DWARF kept, location lists on (the
            // compiler's default; spelling it out would change every package's cache key
            // and rebuild the standard library for nothing).
            "dwarf" => {
                p.expect = Some(Expectation::Dwarf);
            }
            // Stripped, with the debug information kept in the symbol store: the linker
            // keeps DWARF and gv strips after the link (`-s -w` stand for what ships).
            "release" => {
                p.ldflags = vec!["-s -w".into()];
                p.trimpath = true;
                p.keep_debug = true;
                p.env.insert(
                    "CGO_ENABLED".into(),
                    Entry {
                        value: "0".into(),
                        forced: false,
                    },
                );
                p.expect = Some(Expectation::Release);
            }
            _ => return None,
        }
        Some(p)
    }

    /// The profile `name`: built-in, overridden and extended by config.
    pub fn resolve(name: &str, config: &Config) -> Result<(Profile, Vec<Notice>), ProfileError> {
        let mut warnings = Vec::new();
        let profile = resolve_at(name, config, 0, &mut warnings)?;
        Ok((profile, warnings))
    }
}

/// Names of the profiles defined in config files.
pub fn defined(config: &Config) -> Vec<String> {
    config.profile_names()
}

fn resolve_at(
    name: &str,
    config: &Config,
    depth: usize,
    warnings: &mut Vec<Notice>,
) -> Result<Profile, ProfileError> {
    if depth > MAX_INHERITS {
        return Err(ProfileError::InheritLoop(name.to_string()));
    }
    // The tables for `name`, nearest first: for each key the nearest that sets it wins.
    let tables = config.profile(name);
    fn nearest<'a, T>(
        tables: &[(&'a ProfileSettings, &Path, bool)],
        key: impl Fn(&'a ProfileSettings) -> &'a Option<Checked<T>>,
    ) -> Result<Option<&'a T>, ProfileError> {
        match tables.iter().find_map(|(t, ..)| key(t).as_ref()) {
            Some(Ok(value)) => Ok(Some(value)),
            Some(Err(e)) => Err(ProfileError::Setting(e.clone())),
            None => Ok(None),
        }
    }

    let mut profile = match nearest(&tables, |t| &t.inherits)? {
        Some(parent) => {
            let mut p = resolve_at(parent, config, depth + 1, warnings)?;
            p.name = name.to_string();
            p
        }
        None => match Profile::builtin(name) {
            Some(p) => p,
            None if !tables.is_empty() => Profile::empty(name),
            None => {
                let defined = defined(config);
                return Err(ProfileError::Unknown {
                    name: name.to_string(),
                    defined: if defined.is_empty() {
                        String::new()
                    } else {
                        format!("; defined in config: {}", defined.join(", "))
                    },
                });
            }
        },
    };

    for (table, path, _) in &tables {
        profile.sources.push(path.to_path_buf());
        for k in &table.unknown {
            warnings.push(Notice::new(
                path,
                format!(
                    "{}: [profile.{name}] has an unknown key `{}` (known: {})",
                    path.display(),
                    gv_core::text::one_line(k),
                    settings::PROFILE_KEYS.join(", ")
                ),
            ));
        }
    }

    // Lists extend what the profile starts from (its `inherits`, else the built-in of the
    // same name): `ldflags = ["-X main.v=1"]` on top of release keeps its `-s -w`.
    // `{ replace = … }` starts the list afresh.
    if let Some(list) = nearest(&tables, |t| &t.gcflags)? {
        list.apply_to(&mut profile.gcflags);
    }
    if let Some(list) = nearest(&tables, |t| &t.ldflags)? {
        list.apply_to(&mut profile.ldflags);
    }
    if let Some(list) = nearest(&tables, |t| &t.asmflags)? {
        list.apply_to(&mut profile.asmflags);
    }
    if let Some(list) = nearest(&tables, |t| &t.tags)? {
        list.apply_to(&mut profile.tags);
    }
    if let Some(on) = nearest(&tables, |t| &t.trimpath)? {
        profile.trimpath = *on;
    }
    if let Some(on) = nearest(&tables, |t| &t.race)? {
        profile.race = *on;
    }
    if let Some(on) = nearest(&tables, |t| &t.keep_debug)? {
        profile.keep_debug = *on;
    }
    if let Some(text) = nearest(&tables, |t| &t.expect)? {
        // `none`, or one of the checks (settings allows nothing else).
        profile.expect = Expectation::parse(text);
    }
    if let Some(level) = nearest(&tables, |t| &t.traceback)? {
        profile.traceback = (!level.is_empty()).then(|| level.clone());
    }
    if let Some(file) = nearest(&tables, |t| &t.crash_output)? {
        profile.crash_output = (!file.is_empty()).then(|| file.clone());
    }
    // env: per variable, the nearest file wins; user file first so the project overrides.
    for (table, _, project) in tables.iter().rev() {
        let Some(env) = &table.env else {
            continue;
        };
        let env = env.as_ref().map_err(|e| EnvError::Setting(e.clone()))?;
        let entries = env.entries(*project, warnings).map_err(EnvError::Setting)?;
        profile.env.extend(entries);
    }
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gv_core::config::ConfigFile;

    fn config(project: &str, user: &str) -> Config {
        Config {
            project: Some(ConfigFile::parse(Path::new("/p/gv.toml"), project).unwrap()),
            user: Some(ConfigFile::parse(Path::new("/u/config.toml"), user).unwrap()),
            ..Config::default()
        }
    }

    #[test]
    fn builtins_match_the_documentation() {
        let debug = Profile::builtin("debug").unwrap();
        assert_eq!(debug.gcflags, ["all=-N -l"]);
        assert_eq!(debug.ldflags, ["-compressdwarf=false"]);
        assert!(!debug.trimpath);
        assert_eq!(debug.expect, Some(Expectation::Debug));
        assert_eq!(debug.traceback.as_deref(), Some("all"));
        let release = Profile::builtin("release").unwrap();
        assert_eq!(release.ldflags, ["-s -w"]);
        assert!(release.trimpath && release.traceback.is_none());
        assert!(release.keep_debug && !debug.keep_debug);
        assert_eq!(release.env["CGO_ENABLED"].value, "0");
        assert!(!release.env["CGO_ENABLED"].forced);
        assert_eq!(
            Profile::builtin("dwarf").unwrap().expect,
            Some(Expectation::Dwarf)
        );
    }

    #[test]
    fn config_overrides_per_key_project_first() {
        let c = config(
            "[profile.debug]\ncrash_output = \"crash.log\"\nenv = { GODEBUG = \"p\" }\n",
            "[profile.debug]\ncrash_output = \"user.log\"\ntags = \"a, b\"\nenv = { GODEBUG = \"u\", X = \"u\" }\n",
        );
        let (p, warnings) = Profile::resolve("debug", &c).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(p.crash_output.as_deref(), Some("crash.log"));
        assert_eq!(p.tags, ["a", "b"]);
        assert_eq!(
            p.gcflags,
            ["all=-N -l"],
            "untouched keys keep the built-in value"
        );
        assert_eq!(p.env["GODEBUG"].value, "p");
        assert_eq!(p.env["X"].value, "u");
        assert_eq!(p.sources.len(), 2);
    }

    #[test]
    fn new_profiles_inherit() {
        let c = config(
            "[profile.ci]\ninherits = \"release\"\nldflags = [\"-X main.v=ci\"]\nexpect = \"none\"\nbogus = 1\n",
            "",
        );
        let (p, warnings) = Profile::resolve("ci", &c).unwrap();
        assert!(p.trimpath);
        assert_eq!(p.ldflags, ["-s -w", "-X main.v=ci"]);
        assert_eq!(p.expect, None);
        assert!(
            warnings[0].text.contains("unknown key `bogus`"),
            "{warnings:?}"
        );
        let plain = config("[profile.plain]\ntrimpath = true\n", "");
        let (p, _) = Profile::resolve("plain", &plain).unwrap();
        assert!(p.gcflags.is_empty() && p.trimpath && p.expect.is_none());
    }

    #[test]
    fn bad_values_name_file_and_key() {
        let c = config("[profile.debug]\ntraceback = \"loud\"\n", "");
        let err = Profile::resolve("debug", &c).unwrap_err().to_string();
        assert!(
            err.contains("/p/gv.toml: [profile.debug] `traceback` must be one of"),
            "{err}"
        );
        let c = config(
            "[profile.x]\ninherits = \"y\"\n[profile.y]\ninherits = \"x\"\n",
            "",
        );
        assert!(matches!(
            Profile::resolve("x", &c),
            Err(ProfileError::InheritLoop(_))
        ));
        let err = Profile::resolve("nope", &c).unwrap_err();
        let hint = gv_core::error::Hint::hint(&err).unwrap_or_default();
        assert!(
            err.to_string().contains("unknown build profile `nope`") && hint.contains("x, y"),
            "{err}: {hint}"
        );
        let c = config("[profile.debug]\nenv = { GODEBUG = true }\n", "");
        let err = Profile::resolve("debug", &c).unwrap_err().to_string();
        assert!(
            err.contains("`profile.debug.env.GODEBUG` must be a string"),
            "{err}"
        );
    }

    /// Every key's merge rule, one row each: what the parent profile (`base`) has, what
    /// the child sets, and what the child ends up with. A key without a row fails the test.
    #[test]
    fn every_key_has_its_merge_rule() {
        type Get = fn(&Profile) -> String;
        let rows: &[(&str, &str, &str, Get, &str)] = &[
            // (key, base's value, child's value, read it back, merged)
            (
                "gcflags",
                "\"all=-N -l\"",
                "\"all=-m\"",
                |p| p.gcflags.join("|"),
                "all=-N -l|all=-m",
            ),
            (
                "gcflags",
                "\"all=-N -l\"",
                "{ replace = \"-m\" }",
                |p| p.gcflags.join("|"),
                "-m",
            ),
            (
                "ldflags",
                "\"-s -w\"",
                "[\"-X main.c=ci\"]",
                |p| p.ldflags.join("|"),
                "-s -w|-X main.c=ci",
            ),
            (
                "ldflags",
                "\"-s -w\"",
                "{ replace = [] }",
                |p| p.ldflags.join("|"),
                "",
            ),
            (
                "asmflags",
                "\"-I x\"",
                "[]",
                |p| p.asmflags.join("|"),
                "-I x",
            ),
            (
                "asmflags",
                "\"-I x\"",
                "{ replace = \"-I y\" }",
                |p| p.asmflags.join("|"),
                "-I y",
            ),
            (
                "tags",
                "\"netgo\"",
                "\"osusergo,x\"",
                |p| p.tags.join("|"),
                "netgo|osusergo|x",
            ),
            (
                "tags",
                "\"netgo\"",
                "{ replace = [\"x\"] }",
                |p| p.tags.join("|"),
                "x",
            ),
            (
                "trimpath",
                "true",
                "false",
                |p| p.trimpath.to_string(),
                "false",
            ),
            ("race", "false", "true", |p| p.race.to_string(), "true"),
            (
                "keep_debug",
                "true",
                "false",
                |p| p.keep_debug.to_string(),
                "false",
            ),
            (
                "env",
                "{ GODEBUG = \"base\", GOGC = \"base\" }",
                "{ GOGC = \"child\", GOMAXPROCS = \"child\" }",
                |p| {
                    p.env
                        .iter()
                        .map(|(k, e)| format!("{k}={}", e.value))
                        .collect::<Vec<_>>()
                        .join("|")
                },
                "GODEBUG=base|GOGC=child|GOMAXPROCS=child",
            ),
            (
                "expect",
                "\"release\"",
                "\"dwarf\"",
                |p| format!("{:?}", p.expect),
                "Some(Dwarf)",
            ),
            (
                "expect",
                "\"release\"",
                "\"none\"",
                |p| format!("{:?}", p.expect),
                "None",
            ),
            (
                "traceback",
                "\"all\"",
                "\"single\"",
                |p| format!("{:?}", p.traceback),
                "Some(\"single\")",
            ),
            (
                "traceback",
                "\"all\"",
                "\"\"",
                |p| format!("{:?}", p.traceback),
                "None",
            ),
            (
                "crash_output",
                "\"a.log\"",
                "\"b.log\"",
                |p| format!("{:?}", p.crash_output),
                "Some(\"b.log\")",
            ),
            (
                "crash_output",
                "\"a.log\"",
                "\"\"",
                |p| format!("{:?}", p.crash_output),
                "None",
            ),
        ];
        for (key, base, child, get, merged) in rows {
            let text = format!(
                "[profile.base]\n{key} = {base}\n[profile.child]\ninherits = \"base\"\n{key} = {child}\n"
            );
            let (p, warnings) = Profile::resolve("child", &config(&text, "")).unwrap();
            assert!(warnings.is_empty(), "{key}: {warnings:?}");
            assert_eq!(get(&p), *merged, "{key}: {base} then {child}");
            // A key the child leaves alone is the parent's, whatever its rule.
            let text =
                format!("[profile.base]\n{key} = {base}\n[profile.child]\ninherits = \"base\"\n");
            let (alone, _) = Profile::resolve("child", &config(&text, "")).unwrap();
            let (parent, _) = Profile::resolve("base", &config(&text, "")).unwrap();
            assert_eq!(get(&alone), get(&parent), "{key} untouched");
        }
        // `inherits` names the start; it is not itself inherited: a grandchild gets its own name.
        let chain = "[profile.a]\ninherits = \"release\"\n[profile.b]\ninherits = \"a\"\nldflags = \"-X b=1\"\n";
        let (b, _) = Profile::resolve("b", &config(chain, "")).unwrap();
        assert_eq!(
            (b.name.as_str(), b.ldflags.join("|")),
            ("b", "-s -w|-X b=1".into())
        );
        // The same rules for a built-in changed in place (no inherits: it starts from itself).
        let (debug, _) = Profile::resolve(
            "debug",
            &config("[profile.debug]\nldflags = \"-X v=1\"\n", ""),
        )
        .unwrap();
        assert_eq!(debug.ldflags, ["-compressdwarf=false", "-X v=1"]);
        // Between the two files, the project's value of a key wins; it then extends the base.
        let both = config(
            "[profile.ci]\ninherits = \"release\"\nldflags = \"-X p=1\"\n",
            "[profile.ci]\nldflags = \"-X u=1\"\ntags = \"u\"\n",
        );
        let (ci, _) = Profile::resolve("ci", &both).unwrap();
        assert_eq!(
            (ci.ldflags.join("|"), ci.tags.join("|")),
            ("-s -w|-X p=1".into(), "u".into())
        );
        // Every key has a row (inherits is covered above).
        for key in settings::PROFILE_KEYS.iter().filter(|k| **k != "inherits") {
            assert!(
                rows.iter().any(|r| r.0 == *key),
                "no merge rule tested for `{key}`"
            );
        }
        // A replace table takes nothing else.
        for bad in [
            "{ replace = 1 }",
            "{ replace = [], extra = 1 }",
            "{ add = [] }",
        ] {
            let text = format!("[profile.x]\nldflags = {bad}\n");
            let err = Profile::resolve("x", &config(&text, ""))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("{ replace = … } to drop the inherited ones"),
                "{bad}: {err}"
            );
        }
    }
}

/// `[env]` and a profile's `env` are one model: the same entries give the same values,
/// warnings and errors through both, from a project file and from the user's, including
/// the rule that a value the shell hook applied is not the user's own.
#[cfg(test)]
mod one_env_model {
    use std::collections::BTreeMap;
    use std::ffi::OsString;
    use std::path::Path;

    use gv_core::config::{Config, ConfigFile};
    use gv_core::env::{self, Source};
    use gv_core::select::{Origin, Request, Resolved, Selection};
    use gv_core::version::{Spec, Version};

    use super::Profile;
    use crate::gobuild::{self, Mode};

    type Outcome = Result<(BTreeMap<String, String>, usize), String>;

    fn config(text: &str, project: bool) -> Config {
        let file = |path: &str| Some(ConfigFile::parse(Path::new(path), text).unwrap());
        if project {
            Config {
                project: file("/p/gv.toml"),
                ..Config::default()
            }
        } else {
            Config {
                user: file("/u/config.toml"),
                ..Config::default()
            }
        }
    }

    fn lookup(name: &str) -> Option<OsString> {
        match name {
            // The user's own GOFLAGS; a CGO_ENABLED the hook applied elsewhere.
            "GOFLAGS" => Some("-v".into()),
            "CGO_ENABLED" | "__GV_N_CGO_ENABLED" => Some("1".into()),
            _ => None,
        }
    }

    fn through_env(entries: &str, project: bool) -> Outcome {
        let selection = Selection {
            request: Request {
                specs: vec![Spec::parse("1.22.10").unwrap()],
                origin: Origin::Default,
                ..Request::default()
            },
            resolved: Resolved::Managed {
                version: Version::parse("1.22.10").unwrap(),
                goroot: "/gv/versions/1.22.10".into(),
            },
        };
        let config = config(&format!("[env]\n{entries}"), project);
        let plan = env::plan(&selection, &config, lookup).map_err(|e| e.to_string())?;
        let applied = plan
            .vars
            .iter()
            .filter(|v| matches!(v.source, Source::Config { .. }) && v.is_applied())
            .map(|v| (v.name.clone(), v.value.to_string_lossy().into_owned()))
            .collect();
        Ok((applied, plan.warnings.len()))
    }

    fn through_profile(entries: &str, project: bool) -> Outcome {
        let config = config(&format!("[profile.x.env]\n{entries}"), project);
        let (profile, warnings) = Profile::resolve("x", &config).map_err(|e| e.to_string())?;
        let planned = gobuild::plan(&profile, &[], Mode::Build, lookup).unwrap();
        Ok((planned.env, warnings.len()))
    }

    #[test]
    fn the_same_entries_give_the_same_result_through_both() {
        for entries in [
            "CGO_ENABLED = 0\nGODEBUG = { value = \"x=1\", force = true }\n",
            "GOFLAGS = \"-trimpath\"\n",
            "GOFLAGS = { value = \"-trimpath\", force = true }\n",
            "LD_PRELOAD = \"./evil.so\"\nGOINSTRUMENT = \"trace\"\n",
            "LD_PRELOAD = { value = \"./evil.so\", force = true }\n",
            "PATH = \"/evil\"\nGOROOT = \"/evil\"\n",
            "\"A.B\" = \"1\"\n\"GO$(touch m)\" = \"1\"\n",
            "GOX = { value = \"1\", force = \"yes\" }\n",
            "GOX = true\n",
            "GOBIN = \"tools\"\n",
            "GOX = { value = \"1\", extra = 2 }\n",
        ] {
            for project in [true, false] {
                let via_env = through_env(entries, project);
                let via_profile = through_profile(entries, project);
                match (&via_env, &via_profile) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{entries:?}, project {project}"),
                    (Err(a), Err(b)) => {
                        // Same problem, same key, only the table named differently.
                        let b = b.replace("profile.x.env.", "env.");
                        assert_eq!(a, &b, "{entries:?}, project {project}");
                    }
                    _ => panic!("{entries:?}, project {project}: {via_env:?} vs {via_profile:?}"),
                }
            }
        }
        // What the table pins, spelled out once.
        let (applied, warnings) =
            through_profile("LD_PRELOAD = \"e\"\nCGO_ENABLED = 0\n", true).unwrap();
        assert_eq!(warnings, 1, "LD_PRELOAD from a project is ignored");
        assert_eq!(
            applied.get("CGO_ENABLED").map(String::as_str),
            Some("0"),
            "hook's value is not the user's"
        );
        assert!(!applied.contains_key("LD_PRELOAD"));
    }
}
