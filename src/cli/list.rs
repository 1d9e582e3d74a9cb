use std::process::ExitCode;

use gv_core::Resolved;
use gv_core::select;

use super::{Session, origin_json};
use crate::ui::{self, Style};

/// List installed Go versions, marking the one active here
///
/// SDKs installed for another platform (`gv install --os/--arch`) follow, with their
/// platform and GOROOT: they are never selected or shimmed.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gv list\n  gv list --json\n  gv list --bare           one installed version per line, for scripts"
)]
pub struct Args {
    /// Print a JSON array instead of text
    #[arg(long, conflicts_with = "bare")]
    json: bool,
    /// Only the installed versions, one per line: no marker, no `system`, no other
    /// platforms (goenv's `versions --bare`)
    #[arg(long)]
    bare: bool,
    /// Accepted for goenv's `versions --skip-aliases`: gv's store has no aliases, so
    /// nothing is skipped
    #[arg(long, hide = true)]
    skip_aliases: bool,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let installed = session.store().installed()?;
    // gv's store has no aliases: --skip-aliases is accepted and skips nothing.
    let _ = args.skip_aliases;
    if args.bare {
        for version in &installed {
            crate::outln!("{version}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let others = session.store().other_platforms()?;
    let host = crate::sources::Platform::host();
    // The list is still worth showing when the selection here is broken.
    let selection = session.selection();
    let active = selection.as_ref().ok();
    let system = select::find_system_go(session.store(), session.select_env().path.as_deref());

    let mut rows: Vec<(String, Option<std::path::PathBuf>)> = installed
        .iter()
        .map(|v| (v.to_string(), Some(session.store().version_dir(v))))
        .collect();
    if let Some(go) = &system {
        rows.push((
            "system".to_string(),
            Resolved::System { go: go.clone() }.goroot(),
        ));
    }
    // Known vulnerabilities and end of support, from the cached database and index only.
    let (db, support) = crate::vulndb::assess::cached(session.store(), session.config().ok());
    let judged = |name: &str| {
        let version = gv_core::Version::parse(name).ok()?;
        installed
            .contains(&version)
            .then(|| crate::vulndb::assess::Assessment::of(&version, db.as_ref(), support.as_ref()))
    };
    let is_active = |name: &str| active.is_some_and(|s| s.resolved.name() == name);

    if args.json {
        let mut items: Vec<_> = rows
            .iter()
            .map(|(name, goroot)| {
                let origin = active
                    .filter(|_| is_active(name))
                    .map(|s| origin_json(&s.request.origin));
                let mut item = serde_json::json!({
                    "version": name,
                    "goroot": goroot,
                    "platform": (name != "system").then(|| host.key()),
                    "active": is_active(name),
                    "origin": origin,
                });
                if let (Some(fields), Some(serde_json::Value::Object(more))) =
                    (item.as_object_mut(), judged(name).map(|a| a.json()))
                {
                    fields.extend(more);
                }
                item
            })
            .collect();
        items.extend(others.iter().map(|(key, version)| {
            serde_json::json!({
                "version": version.to_string(),
                "goroot": session.store().platform_store(key).version_dir(version),
                "platform": key,
                "active": false,
                "origin": null,
            })
        }));
        crate::outln!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() && others.is_empty() {
        ui::info_hinted("no Go versions installed", "run `gv install latest`");
    }
    for (name, _) in &rows {
        let mark = judged(name)
            .and_then(|a| a.mark())
            .map(|m| format!(" {}", ui::out(&format!("! {m}"), Style::Yellow)))
            .unwrap_or_default();
        match active.filter(|_| is_active(name)) {
            Some(sel) => crate::outln!(
                "{} {} {}{mark}",
                ui::out("*", Style::Green),
                ui::out(name, Style::Bold),
                ui::out(&format!("({})", sel.request.origin), Style::Dim)
            ),
            None => crate::outln!("  {name}{mark}"),
        }
    }
    for (key, version) in &others {
        let goroot = session.store().platform_store(key).version_dir(version);
        crate::outln!(
            "  {version} {}",
            ui::out(
                &format!(
                    "({}, not for this machine: {})",
                    key.replacen('-', "/", 1),
                    goroot.display()
                ),
                Style::Dim
            )
        );
    }
    // Nothing marked needs a reason: the version selected here is missing, or the pin
    // is broken.
    if let Err(err) = &selection {
        let report = gv_core::error::Report::with_hints(err, crate::error::hint_of);
        let message = format!("none of these is active here: {}", report.message);
        match &report.hint {
            Some(hint) => ui::warn_hinted(message, hint),
            None => ui::warn(message),
        }
    }
    Ok(ExitCode::SUCCESS)
}
