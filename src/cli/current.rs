use std::process::ExitCode;

use gv_core::Origin;

use super::{Session, origin_json, project_config_json};
use crate::ui::{self, Style};

/// Show the Go version that applies here, and why
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv current            1.22.10 (set by /home/me/proj/.go-version)\n  gv current --json     the same, for scripts"
)]
pub struct Args {
    /// Print a JSON object instead of text
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let selection = session.selection()?;
    let found = session.discovery();
    let mut warnings = Vec::new();
    if let Some(Ok((origin, entries))) = &found.pin
        && origin == &selection.request.origin
    {
        for skipped in &entries.skipped {
            warnings.push(format!(
                "{}:{}: ignored `{}`: {}",
                origin
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                skipped.line,
                skipped.text,
                skipped.reason
            ));
        }
    }
    if selection.request.origin
        == (Origin::Env {
            var: gv_core::vars::GOENV_VERSION,
        })
    {
        goenv_hint_once(session);
    }
    if let Some(conflict) = session.pin_conflict() {
        warnings.push(conflict.to_string());
    }
    warnings.extend(found.foreign.iter().map(|f| f.notice().to_string()));
    if let Ok(request) = session.request() {
        warnings.extend(
            (request.passed_over.iter())
                .map(|path| gv_core::select::blank_notice(path).to_string()),
        );
    }
    // Selection does not depend on gv.toml, but whether it applies here is worth knowing.
    let config = session.config().ok();
    if let Some(untrusted) = config.and_then(|c| c.untrusted.as_ref()) {
        warnings.push(untrusted.notice().text);
    }
    let origin = &selection.request.origin;
    // Known vulnerabilities and end of support, from the cached database and index only.
    let assessment = match &selection.resolved {
        gv_core::select::Resolved::Managed { version, .. } => {
            let (db, support) = crate::vulndb::assess::cached(session.store(), config);
            Some(crate::vulndb::assess::Assessment::of(
                version,
                db.as_ref(),
                support.as_ref(),
            ))
        }
        gv_core::select::Resolved::System { .. } => None,
    };
    if args.json {
        let report = serde_json::json!({
            "version": selection.resolved.name(),
            "goroot": selection.resolved.goroot(),
            "go": selection.resolved.binary("go"),
            "requested": selection.request.specs.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "origin": origin_json(origin),
            "project_config": config.map(project_config_json),
            "warnings": warnings,
        });
        let mut report = report;
        if let (Some(fields), Some(serde_json::Value::Object(more))) = (
            report.as_object_mut(),
            assessment.as_ref().map(|a| a.json()),
        ) {
            fields.extend(more);
        }
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        crate::outln!(
            "{} {}",
            ui::out(&selection.resolved.name(), Style::Bold),
            ui::out(&format!("({origin})"), Style::Dim)
        );
    }
    if let Some(assessment) = &assessment
        && let Some(line) = assessment.line()
    {
        let minimum = config.and_then(|c| c.minimum_go().ok().flatten());
        match assessment.remedy(minimum.as_ref().map(|m| &m.value), origin) {
            Some(fix) => ui::warn_hinted(line, fix),
            None => ui::warn(line),
        }
    }
    for warning in warnings {
        // Paths and lines from files: one line each, whatever they hold.
        ui::warn(gv_core::text::one_line(&warning));
    }
    Ok(ExitCode::SUCCESS)
}

/// goenv users keep GOENV_VERSION working, and learn once about GV_VERSION.
fn goenv_hint_once(session: &Session) {
    let marker = session.store().hint_marker("goenv-version");
    if marker.exists() {
        return;
    }
    ui::info(
        "hint: GOENV_VERSION is honoured as a fallback; gv's own variable is GV_VERSION \
         (this hint is shown once)",
    );
    // Failing to record the hint only means it is shown again.
    let _ = crate::fsutil::write_atomic(&marker, b"shown\n");
}
