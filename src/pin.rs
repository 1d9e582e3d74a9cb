//! Writing and reading the files that pin a version (`.go-version`, the global file), and
//! the checks `gv local`, `gv global` and `gv shell` share: a pin must name a Go that
//! exists, and what is written must mean the same to every tool that reads it.
//!
//! - A malformed spec (`1.2x`) is a usage error (clap's, exit 2).
//! - A version neither installed nor in the cached release index (`1.22.99`, `1.22rc9`) is
//!   refused (exit 1) with the nearest real versions, unless `--force`; with no cached
//!   index, one that is not installed is written with a warning (gv never goes online to
//!   pin).
//! - `latest`, `1` and goenv's `22` are written as the version they stand for today (a
//!   file saying `latest` would mean another Go with every release, and goenv and
//!   actions/setup-go cannot read it); `1.22` stays as typed, since both read it, unless
//!   `--exact`.

pub mod latest_patch;

use std::path::Path;

use anyhow::Context as _;
use gv_core::{Spec, Store, Version, pinfile};

use crate::sources::fetch::Http;
use crate::sources::index::Index;
use crate::{fsutil, ui};
use gv_core::error::Hinted;

/// A version spec as typed after `gv local`, `gv global` or `gv shell`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinSpec {
    pub typed: String,
    pub spec: Spec,
}

/// clap's parser for a pin: refuses, as a usage error, what can name no Go release.
pub fn parse_pin_spec(text: &str) -> Result<PinSpec, String> {
    let spec = Spec::parse(text).map_err(|e| e.to_string())?;
    if let Spec::Exact(v) = &spec
        && !v.is_release_name()
    {
        return Err(format!(
            "`{text}` is not a Go release name: pre-releases are written like 1.23rc1, 1.23beta2"
        ));
    }
    Ok(PinSpec {
        typed: text.trim().to_string(),
        spec,
    })
}

/// What is known to exist: the installed versions, and the releases of the cached index
/// (`None` when there is no cached index).
pub struct Known {
    pub installed: Vec<Version>,
    pub index: Option<Index>,
}

impl Known {
    /// The installed versions and the release index gv cached last (never the network).
    pub fn load(store: &Store, config: &gv_core::config::Config) -> anyhow::Result<Known> {
        let installed = store.installed()?;
        let env = crate::sources::mirror::Mirror::env_setting();
        let env = env.as_ref().map(|(var, value)| (*var, value.as_str()));
        // A broken mirror setting is `gv install`'s to report; here it only means no index.
        let index = crate::sources::mirror::Mirror::choose(None, env, config)
            .ok()
            .and_then(|mirror| {
                let mut opts =
                    crate::install::Options::new(mirror, gv_core::store::Cache::from_env().ok()?);
                opts.offline = true;
                crate::install::listing_index(&Http::new().ok()?, &opts).ok()
            });
        Ok(Known { installed, index })
    }

    fn released(&self) -> impl Iterator<Item = &Version> {
        self.index
            .iter()
            .flat_map(|index| index.releases.iter().map(|r| &r.version))
    }

    fn exists(&self, v: &Version) -> bool {
        self.installed.contains(v) || self.released().any(|r| r == v)
    }

    /// The version `spec` stands for today: the newest installed match (what selection
    /// would run), else the newest release that matches.
    fn resolve(&self, spec: &Spec) -> Option<Version> {
        let stable_only = matches!(spec, Spec::Latest);
        spec.best_match(&self.installed)
            .or_else(|| {
                let releases: Vec<&Version> = self
                    .index
                    .iter()
                    .flat_map(|i| i.releases.iter())
                    .filter(|r| r.stable || !stable_only)
                    .map(|r| &r.version)
                    .collect();
                spec.best_match(releases)
            })
            .cloned()
    }

    /// Up to two real versions below `wanted` and two above (stable ones, unless `wanted`
    /// is a pre-release), oldest first.
    fn nearest(&self, wanted: &Version) -> Vec<Version> {
        let mut all: Vec<&Version> = self
            .installed
            .iter()
            .chain(self.released())
            .filter(|v| wanted.is_prerelease() || !v.is_prerelease())
            .collect();
        all.sort();
        all.dedup();
        let split = all.partition_point(|v| *v < wanted);
        let below = &all[split.saturating_sub(2)..split];
        let above = all[split..]
            .iter()
            .filter(|v| **v != wanted)
            .take(2)
            .copied();
        below.iter().copied().chain(above).cloned().collect()
    }
}

/// What to write for a pin, and what it means today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The text of the pin: `1.22`, `1.22.10`, `system`.
    pub text: String,
    /// The version it stands for today, when one does.
    pub today: Option<Version>,
    /// Written as the version it resolved to, rather than as typed.
    pub resolved: bool,
    /// Said along with it: it could not be checked, or was forced.
    pub warnings: Vec<String>,
    /// Nothing installed matches it yet.
    pub not_installed: bool,
}

impl Planned {
    /// Every warning that goes with writing it.
    pub fn all_warnings(&self) -> Vec<String> {
        let mut out = self.warnings.clone();
        if self.not_installed {
            let name = self
                .today
                .as_ref()
                .map_or(self.text.clone(), ToString::to_string);
            out.push(format!(
                "Go {name} is not installed yet; run `{}`",
                gv_core::suggest::command(["gv", "install", &self.text])
            ));
        }
        out
    }
}

/// Decides what to write for `pin`: the spec as typed, or the version it stands for; an
/// error (exit 1) for a version that exists nowhere, unless `force`.
pub fn plan(known: &Known, pin: &PinSpec, exact: bool, force: bool) -> anyhow::Result<Planned> {
    let spec = &pin.spec;
    if matches!(spec, Spec::System) {
        return Ok(Planned {
            text: "system".into(),
            today: None,
            resolved: false,
            warnings: Vec::new(),
            not_installed: false,
        });
    }
    let as_typed = match spec {
        Spec::Exact(_) => true,
        // `1.22` is read as written by goenv and actions/setup-go; `22` and `1` are not.
        Spec::Prefix { minor: Some(_), .. } => pin.typed.contains('.') && !exact,
        _ => false,
    };
    let today = match spec {
        Spec::Exact(v) => known.exists(v).then(|| v.clone()),
        other => known.resolve(other),
    };
    let Some(version) = today else {
        let as_is = |warning: String| Planned {
            text: spec.to_string(),
            today: None,
            resolved: false,
            warnings: vec![warning],
            not_installed: true,
        };
        if force {
            return Ok(as_is(format!(
                "Go {spec} is neither installed nor a known release; written anyway (--force)"
            )));
        }
        // Nothing to check it against, and nothing to resolve: written as typed.
        if known.index.is_none() && as_typed {
            return Ok(as_is(format!(
                "cannot check that Go {spec} exists: there is no cached release index (`gv ls-remote` fetches one)"
            )));
        }
        return Err(unknown(known, spec).into());
    };
    Ok(Planned {
        text: if as_typed {
            spec.to_string()
        } else {
            version.to_string()
        },
        resolved: !as_typed,
        not_installed: !known.installed.contains(&version),
        today: Some(version),
        warnings: Vec::new(),
    })
}

/// Why a spec is refused: it matches nothing installed and nothing in the index.
fn unknown(known: &Known, spec: &Spec) -> Hinted {
    // With no cached index, a spec written as typed is written with a warning (see
    // `plan`); one to resolve has nothing to resolve against.
    let Some(index) = &known.index else {
        return Hinted::new(
            format!(
                "cannot tell which version `{spec}` stands for: no installed version matches it and there is no cached release index"
            ),
            format!("install one first (`gv install {spec}`), or write it as it is with --force"),
        );
    };
    let probe = match spec {
        Spec::Exact(v) => Some(v.clone()),
        Spec::Prefix { major, minor } => {
            Version::parse(&format!("{major}.{}", minor.unwrap_or(0))).ok()
        }
        _ => None,
    };
    let nearest = probe.map(|p| known.nearest(&p)).unwrap_or_default();
    let suggest = match nearest.as_slice() {
        [] => String::new(),
        some => format!(
            "the nearest real versions are {}; ",
            some.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Hinted::new(
        format!(
            "Go {spec} does not exist: neither the release index ({}) nor the installed versions have it",
            index.url
        ),
        format!("{suggest}`gv ls-remote` lists them all; --force writes it anyway"),
    )
}

/// Writes the planned pin as the only line of `path`, and says what was written.
pub fn write(path: &Path, planned: &Planned, spec: &Spec) -> anyhow::Result<()> {
    fsutil::write_atomic(path, format!("{}\n", planned.text).as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    ui::info(written(path, planned, spec));
    for warning in planned.all_warnings() {
        ui::warn(warning);
    }
    Ok(())
}

/// `wrote 1.22 to /p/.go-version (Go 1.22.10 today, the newest installed match)`.
pub fn written(path: &Path, planned: &Planned, spec: &Spec) -> String {
    let what = &planned.text;
    let shown = path.display();
    match &planned.today {
        _ if planned.resolved => format!("wrote {what} ({spec} today) to {shown}"),
        Some(version) if version.to_string() != *what => {
            format!("wrote {what} to {shown} (Go {version} today, the newest match)")
        }
        _ => format!("wrote {what} to {shown}"),
    }
}

/// A spec as `gv local`/`gv global` show it: `1.22.10`, or `latest (1.23.9)` for one that
/// stands for whichever installed version matches best.
pub fn describe(store: &Store, spec: &Spec) -> anyhow::Result<String> {
    if matches!(spec, Spec::Exact(_) | Spec::System) {
        return Ok(spec.to_string());
    }
    Ok(match spec.best_match(&store.installed()?) {
        Some(version) => format!("{spec} ({version})"),
        None => format!("{spec} (not installed)"),
    })
}

/// The specs in a version file, as written (for display); none when it names nothing.
pub fn read(path: &Path) -> anyhow::Result<Vec<Spec>> {
    Ok(pinfile::read_go_version(path)?
        .map(|entries| entries.specs)
        .unwrap_or_default())
}

pub fn unset(path: &Path) -> anyhow::Result<bool> {
    fsutil::remove_if_exists(path).with_context(|| format!("cannot remove {}", path.display()))
}

/// Sets the global default and points `GV_ROOT/current` at it (once it is installed:
/// until then the link stays where it was, so an IDE's GOROOT keeps working).
pub fn write_global(store: &Store, planned: &Planned, spec: &Spec) -> anyhow::Result<()> {
    write(&store.global_file(), planned, spec)?;
    refresh_current_link(store)
}

/// Sets the global default without a word (the first install, an import that says so
/// itself), and points `GV_ROOT/current` at it.
pub fn set_global_quietly(store: &Store, spec: &Spec) -> anyhow::Result<()> {
    let path = store.global_file();
    fsutil::write_atomic(&path, format!("{spec}\n").as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    refresh_current_link(store)
}

/// Writes a list of fallbacks as the global default, one per line (the first installed
/// one wins), as `gv import goenv` adopts goenv's `1.22.10:1.21.13`.
pub fn set_global_list_quietly(store: &Store, specs: &[Spec]) -> anyhow::Result<()> {
    let path = store.global_file();
    let text: String = specs.iter().map(|s| format!("{s}\n")).collect();
    fsutil::write_atomic(&path, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    refresh_current_link(store)
}

/// Removes the global default (and with it `GV_ROOT/current`).
pub fn unset_global(store: &Store) -> anyhow::Result<bool> {
    let removed = unset(&store.global_file())?;
    refresh_current_link(store)?;
    Ok(removed)
}

fn refresh_current_link(store: &Store) -> anyhow::Result<()> {
    crate::current_link::refresh(store)
        .map(drop)
        .with_context(|| format!("cannot update {}", store.current_link().display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn known(installed: &[&str], released: Option<&[&str]>) -> Known {
        let index = released.map(|list| Index {
            url: "https://go.dev/dl/?mode=json&include=all".into(),
            releases: list
                .iter()
                .map(|r| crate::sources::index::Release {
                    version: v(r),
                    stable: !v(r).is_prerelease(),
                    files: Vec::new(),
                })
                .collect(),
            skipped: Vec::new(),
            freshness: crate::sources::index::Freshness::Fetched,
        });
        Known {
            installed: installed.iter().map(|s| v(s)).collect(),
            index,
        }
    }

    fn pin(text: &str) -> PinSpec {
        parse_pin_spec(text).unwrap()
    }

    #[test]
    fn malformed_specs_are_usage_errors() {
        for bad in ["1.2x", "1.22rc", "1.22.x", "newest", "1.22.3.4", "../1.22"] {
            assert!(parse_pin_spec(bad).is_err(), "{bad}");
        }
        for good in [
            "1.22.10",
            "go1.22.10",
            "1.22",
            "22",
            "1",
            "1.23rc1",
            "1.9beta2",
            "latest",
            "system",
        ] {
            assert!(parse_pin_spec(good).is_ok(), "{good}");
        }
    }

    /// 20,000 generated texts: the parser never panics, what it accepts names a release
    /// (or a prefix, latest, system), and it reads back as itself once written.
    #[test]
    fn generated_pins_parse_to_what_they_write() {
        let pieces = [
            "1", "22", ".", "2", "3", "10", "go", "go-", "rc", "beta", "alpha", "x", "-", "big",
            "latest", "system", " ", "0", "01", "/", "..", "\u{0}", "é",
        ];
        let mut state: u64 = 0x0dd_ba11;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % n as u64) as usize
        };
        for _ in 0..20_000 {
            let text: String = (0..1 + next(6))
                .map(|_| pieces[next(pieces.len())])
                .collect();
            let Ok(parsed) = parse_pin_spec(&text) else {
                continue;
            };
            if let Spec::Exact(version) = &parsed.spec {
                assert!(version.is_release_name(), "{text:?}");
            }
            let written = parsed.spec.to_string();
            assert_eq!(
                parse_pin_spec(&written).map(|p| p.spec),
                Ok(parsed.spec.clone()),
                "{text:?} written as {written:?}"
            );
        }
    }

    #[test]
    fn what_is_written_is_readable_by_every_tool() {
        let releases: &[&str] = &[
            "1.23.9", "1.23.4", "1.23rc1", "1.22.12", "1.22.10", "1.21.13",
        ];
        let k = known(&["1.22.10", "1.23.9"], Some(releases));
        let text = |typed: &str, exact: bool| plan(&k, &pin(typed), exact, false).unwrap().text;
        assert_eq!(
            text("1.22", false),
            "1.22",
            "goenv and setup-go read it as written"
        );
        assert_eq!(text("1.22", true), "1.22.10", "--exact: what it is today");
        assert_eq!(text("22", false), "1.22.10", "goenv's shorthand, resolved");
        assert_eq!(text("1", false), "1.23.9");
        assert_eq!(text("latest", false), "1.23.9");
        assert_eq!(text("go1.22.10", false), "1.22.10");
        let not_yet = plan(&k, &pin("1.23.4"), false, false).unwrap();
        assert_eq!(not_yet.text, "1.23.4");
        assert!(
            not_yet.all_warnings()[0].contains("not installed yet"),
            "{not_yet:?}"
        );
        let latest_released = known(&[], Some(releases));
        assert_eq!(
            plan(&latest_released, &pin("latest"), false, false)
                .unwrap()
                .text,
            "1.23.9",
            "nothing installed: the newest stable release"
        );
    }

    #[test]
    fn versions_that_exist_nowhere_are_refused_with_the_nearest_real_ones() {
        let releases: &[&str] = &[
            "1.23.0", "1.23rc2", "1.23rc1", "1.22.12", "1.22.11", "1.22.10",
        ];
        let k = known(&["1.22.10"], Some(releases));
        let refused = |typed: &str| {
            let err = plan(&k, &pin(typed), false, false).unwrap_err();
            let report = crate::error::report(&err);
            format!("{}\n{}", report.message, report.hint.unwrap_or_default())
        };
        let err = refused("1.22.99");
        assert!(err.contains("Go 1.22.99 does not exist"), "{err}");
        assert!(err.contains("1.22.11, 1.22.12, 1.23.0"), "{err}");
        let err = refused("1.22rc9");
        assert!(err.contains("1.22rc9 does not exist"), "{err}");
        let err = refused("1.99");
        assert!(err.contains("1.22.12, 1.23.0;"), "{err}");
        assert!(refused("31").contains("Go 1.31 does not exist"));
        let forced = plan(&k, &pin("1.22.99"), false, true).unwrap();
        assert_eq!(forced.text, "1.22.99");
        assert!(forced.warnings[0].contains("--force"));
        // Offline with no cached index: an exact version is written with a warning; a
        // spec to resolve is refused.
        let offline = known(&["1.22.10"], None);
        let written = plan(&offline, &pin("1.22.99"), false, false).unwrap();
        assert_eq!(written.text, "1.22.99");
        assert!(written.warnings[0].contains("no cached release index"));
        assert!(written.all_warnings()[1].contains("run `gv install 1.22.99`"));
        assert!(
            plan(&offline, &pin("1.99"), true, false).is_err(),
            "--exact: nothing to resolve"
        );
        assert_eq!(
            plan(&offline, &pin("latest"), false, false).unwrap().text,
            "1.22.10"
        );
        assert!(plan(&known(&[], None), &pin("latest"), false, false).is_err());
        assert_eq!(
            plan(&offline, &pin("1.22"), false, false).unwrap().text,
            "1.22"
        );
    }
}
