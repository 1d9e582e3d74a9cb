use std::process::ExitCode;

use gv_core::Version;
use gv_core::select::Resolved;
use gv_core::store::Cache;
use gv_core::text::one_line;

use super::{Session, UsageError, origin_json};
use crate::sources::fetch::Http;
use crate::sources::index::{Freshness, Mode, human_age};
use crate::ui::{self, Style};
use crate::vulndb::assess::{self, Assessment};
use crate::vulndb::{Database, load};

/// Fail when the Go in force here is vulnerable, out of support or below minimum_go
///
/// Judges the version `gv current` reports by the Go vulnerability database (GOVULNDB,
/// default https://vuln.go.dev; fetched at most hourly, cached) and the release index
/// (the two newest minor lines are supported), and by `minimum_go` from your config.toml
/// or a trusted gv.toml (the higher wins). Every installed version's verdict is
/// refreshed too: the shims and the shell hook say it once a day.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv check                 a line for CI: exit 1 if this directory's Go must move
  gv check --json          the same, for scripts
  gv check --offline       from the cached database and release index only
  GOVULNDB=file:///srv/vulndb gv check    a local copy laid out like vuln.go.dev

Exit codes: 0 the Go in force passes, 1 it does not (or it cannot be judged: no
database reachable or cached), 2 usage error.")]
pub struct Args {
    /// Print a JSON object instead of text
    #[arg(long)]
    json: bool,
    /// Use only the cached vulnerability database and release index
    #[arg(long, conflicts_with = "refresh")]
    offline: bool,
    /// Fetch the database and the release index even if the cached copies are recent
    #[arg(long)]
    refresh: bool,
}

/// One reason the check fails.
struct Failure {
    check: &'static str,
    message: String,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    let origin = &selection.request.origin;
    let version = version_in_force(&selection.resolved)?;
    let config = session.config()?;
    let minimum = config.minimum_go().map_err(|e| UsageError::of(&e))?;
    let cache = Cache::from_env()?;
    let location = assess::location()?;
    let mode = match (args.offline, args.refresh) {
        (true, _) => Mode::Offline,
        (_, true) => Mode::Refresh,
        _ => Mode::Normal,
    };
    let http = if args.offline {
        None
    } else {
        Some(Http::new()?)
    };
    let db = load::load(http.as_ref(), &location, &cache, mode)?;
    if let Freshness::Stale { age, reason } = &db.freshness {
        ui::warn(format!(
            "using the cached vulnerability database from {} ago ({})",
            human_age(*age),
            one_line(reason)
        ));
    }
    let support = match &http {
        Some(http) => assess::support(http, config, &cache, mode),
        None => assess::cached_support(config, &cache),
    };
    if support.is_none() && !args.json {
        ui::warn_hinted(
            "no release index could be read (nor a cached one), so whether this Go's line is still supported is not judged",
            "check the network, or GV_GO_MIRROR / GV_GO_INDEX; `gv ls-remote` shows what the index says",
        );
    }
    assess::write_verdicts(
        session.store(),
        &db,
        support.as_ref(),
        &session.store().installed().unwrap_or_default(),
    );
    let assessment = Assessment::of(&version, Some(&db), support.as_ref());

    let mut failures = Vec::new();
    if let Some(text) = assessment.vulnerabilities_text() {
        failures.push(Failure {
            check: "vulnerable",
            message: text,
        });
    }
    if let Some(text) = assessment.support_text() {
        failures.push(Failure {
            check: "unsupported",
            message: text,
        });
    }
    if let Some(min) = minimum.as_ref().filter(|m| version < m.value) {
        failures.push(Failure {
            check: "minimum_go",
            message: format!(
                "{version} is older than minimum_go {} (set in {})",
                min.value,
                gv_core::text::path(&min.from)
            ),
        });
    }
    let fix = assessment.remedy(minimum.as_ref().map(|m| &m.value), origin);

    if args.json {
        let mut report = serde_json::json!({
            "ok": failures.is_empty(),
            "version": version.to_string(),
            "origin": origin_json(origin),
            "failures": failures.iter().map(|f| serde_json::json!({"check": f.check, "message": f.message})).collect::<Vec<_>>(),
            "supported_lines": support.as_ref().map(|s| s.lines.iter().map(|(a, b)| format!("{a}.{b}")).collect::<Vec<_>>()),
            "minimum_go": minimum.as_ref().map(|m| serde_json::json!({"version": m.value.to_string(), "from": m.from})),
            "fix": fix,
            "database": database_json(&db),
        });
        if let (Some(report), serde_json::Value::Object(fields)) =
            (report.as_object_mut(), assessment.json())
        {
            report.extend(fields);
        }
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
    } else if failures.is_empty() {
        let mut passed = vec!["no known vulnerabilities".to_string()];
        if let Some(support) = &support {
            passed.push(format!("a supported line ({})", support.describe()));
        }
        if let Some(min) = &minimum {
            passed.push(format!("at least minimum_go {}", min.value));
        }
        crate::outln!(
            "{} Go {version} ({origin}): {}",
            ui::out("ok", Style::Green),
            passed.join(", ")
        );
        crate::outln!("{}", ui::out(&database_line(&db), Style::Dim));
    } else {
        crate::outln!("{} Go {version} ({origin})", ui::out("FAIL", Style::Red));
        for failure in &failures {
            crate::outln!(
                "  {}: {}",
                ui::out(failure.check, Style::Bold),
                failure.message
            );
            if failure.check == "vulnerable" {
                for line in assessment.finding_lines() {
                    crate::outln!("    {line}");
                }
            }
        }
        if let Some(fix) = &fix {
            crate::outln!("{} {fix}", ui::out("-> fix:", Style::Bold));
        }
        crate::outln!("{}", ui::out(&database_line(&db), Style::Dim));
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The version that runs: an installed one by name; the system Go by its `VERSION` file.
fn version_in_force(resolved: &Resolved) -> anyhow::Result<Version> {
    match resolved {
        Resolved::Managed { version, .. } => Ok(version.clone()),
        Resolved::System { go } => {
            let unknown = || {
                UsageError::hinted(
                    format!(
                        "cannot tell which Go release the system go ({}) is",
                        gv_core::text::path(go)
                    ),
                    "pin a version gv installed (`gv local 1.23`) to check it",
                )
            };
            let goroot = resolved.goroot().ok_or_else(unknown)?;
            let text = gv_core::limits::read_file_string(
                &goroot.join("VERSION"),
                gv_core::limits::PIN_FILE,
            )
            .map_err(|_| unknown())?;
            text.lines()
                .next()
                .and_then(|l| Version::parse(l.trim()).ok())
                .ok_or_else(|| unknown().into())
        }
    }
}

/// "vulnerability database https://vuln.go.dev: fetched just now (modified …)".
fn database_line(db: &Database) -> String {
    let when = match &db.freshness {
        Freshness::Fetched => "fetched just now".to_string(),
        Freshness::Cached { age } | Freshness::Stale { age, .. } if age.as_secs() < 60 => {
            "cached less than a minute ago".to_string()
        }
        Freshness::Cached { age } | Freshness::Stale { age, .. } => {
            format!("cached {} ago", human_age(*age))
        }
    };
    format!(
        "vulnerability database {}: {when} (last modified {})",
        gv_core::text::redact_url(&db.url),
        one_line(&db.modified)
    )
}

fn database_json(db: &Database) -> serde_json::Value {
    let age = match &db.freshness {
        Freshness::Fetched => 0,
        Freshness::Cached { age } | Freshness::Stale { age, .. } => age.as_secs(),
    };
    serde_json::json!({
        "url": gv_core::text::redact_url(&db.url),
        "modified": db.modified,
        "age_seconds": age,
        "stale": matches!(db.freshness, Freshness::Stale { .. }),
    })
}
