//! `--source`: where `gv install` and `gv ls-remote` get Go from — go.dev's downloads (or
//! a mirror laid out like them), or a GOPROXY module proxy checked against the checksum
//! database. Chosen by the flag, else `GV_SOURCE`, else `source = "..."` in the user's
//! config.toml (never a project's gv.toml), else go.dev.

use std::process::ExitCode;

use gv_core::config::Config;
use gv_core::{Spec, Store};

use crate::cli::UsageError;
use crate::install::Options;
use crate::install::goproxy::{self, ProxySource};
use crate::sources::fetch::Http;
use crate::ui::{self, Style};

pub const SOURCE_KEY: &str = gv_core::settings::SOURCE;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceKind {
    /// go.dev/dl, or a mirror laid out like it (--mirror)
    Dl,
    /// the module proxies in GOPROXY, verified by the checksum database (GOSUMDB)
    Goproxy,
}

impl SourceKind {
    fn parse(value: &str, origin: &str) -> Result<SourceKind, UsageError> {
        match value.trim() {
            "dl" | "go.dev" => Ok(SourceKind::Dl),
            "goproxy" => Ok(SourceKind::Goproxy),
            other => Err(UsageError::hinted(
                format!("`{other}` ({origin}) is not a source"),
                "use \"dl\" (go.dev or a mirror) or \"goproxy\" (GOPROXY, verified by GOSUMDB)",
            )),
        }
    }
}

/// The flag, else `GV_SOURCE` (`env`), else the user's `source` key, else go.dev.
pub fn choose(
    flag: Option<SourceKind>,
    env: Option<&str>,
    config: &Config,
) -> Result<SourceKind, UsageError> {
    if let Some(kind) = flag {
        return Ok(kind);
    }
    if let Some(value) = env.filter(|v| !v.trim().is_empty()) {
        return SourceKind::parse(value, gv_core::vars::SOURCE);
    }
    let setting = config
        .source()
        .map_err(|e| UsageError::hinted(e.to_string(), e.hint))?;
    if let Some(setting) = setting {
        let origin = format!("`{SOURCE_KEY}` in {}", setting.from.display());
        return SourceKind::parse(&setting.value, &origin);
    }
    Ok(SourceKind::Dl)
}

/// GOPROXY and GOSUMDB as a go command run through gv would see them.
pub fn proxy_source(config: &Config) -> anyhow::Result<ProxySource> {
    let lookup = gv_core::process::var_os;
    let settings = crate::go_settings::load(config, &lookup)?;
    Ok(ProxySource::new(settings)?)
}

/// `gv ls-remote --source goproxy`: the toolchains the proxies list for this platform.
pub fn ls_remote(
    store: &Store,
    spec: Option<&Spec>,
    all: bool,
    json: bool,
    opts: &Options,
    src: &ProxySource,
) -> anyhow::Result<ExitCode> {
    let list = if opts.offline {
        goproxy::cached_toolchains(opts)
    } else {
        src.list(&Http::new()?, &opts.platform)?
    };
    let latest = list.iter().find(|t| !t.version.is_prerelease());
    let installed = store.installed()?;
    let rows: Vec<_> = list
        .iter()
        .rev()
        .filter(|t| {
            let stable = !t.version.is_prerelease();
            let spec_ok = match spec {
                Some(Spec::Latest) => Some(*t) == latest,
                Some(spec) => spec.matches(&t.version),
                None => true,
            };
            let named = matches!(spec, Some(Spec::Exact(want)) if *want == t.version);
            spec_ok && (stable || all || named)
        })
        .collect();
    if json {
        let items: Vec<_> = rows
            .iter()
            .map(|t| {
                serde_json::json!({
                    "version": t.version,
                    "stable": !t.version.is_prerelease(),
                    "installed": installed.contains(&t.version),
                    "module": crate::go_settings::TOOLCHAIN_MODULE,
                    "module_version": t.module_version(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        ui::info(format!(
            "no toolchain for {} in {} matches{}",
            opts.platform,
            src.settings.goproxy,
            spec.map(|s| format!(" `{s}`")).unwrap_or_default()
        ));
        return Ok(ExitCode::FAILURE);
    }
    for t in rows {
        let name = t.version.to_string();
        if installed.contains(&t.version) {
            println!(
                "{} {} {}",
                ui::out("*", Style::Green),
                ui::out(&name, Style::Bold),
                ui::out("(installed)", Style::Dim)
            );
        } else {
            println!("  {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gv_core::config::ConfigFile;
    use std::path::Path;

    #[test]
    fn flag_env_user_config_default_and_never_a_project() {
        let file = |path: &str, text: &str| ConfigFile::parse(Path::new(path), text).unwrap();
        let project = Config {
            project: Some(file("/p/gv.toml", "source = \"goproxy\"\n")),
            user: None,
            ..Config::default()
        };
        assert_eq!(choose(None, None, &project).unwrap(), SourceKind::Dl);
        let user = Config {
            project: None,
            user: Some(file("/u/config.toml", "source = \"goproxy\"\n")),
            ..Config::default()
        };
        assert_eq!(choose(None, None, &user).unwrap(), SourceKind::Goproxy);
        assert_eq!(choose(None, Some("dl"), &user).unwrap(), SourceKind::Dl);
        assert_eq!(
            choose(Some(SourceKind::Dl), Some("goproxy"), &user).unwrap(),
            SourceKind::Dl
        );
        assert_eq!(
            choose(None, Some("goproxy"), &project).unwrap(),
            SourceKind::Goproxy
        );
        assert!(choose(None, Some("ftp"), &project).is_err());
        let bad = Config {
            project: None,
            user: Some(file("/u/config.toml", "source = 3\n")),
            ..Config::default()
        };
        assert!(choose(None, None, &bad).is_err());
    }
}
