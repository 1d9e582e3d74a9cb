use std::process::ExitCode;

use super::Session;
use crate::doctor::{self, Check, Inputs};
use crate::ui::{self, Style};
use gv_core::text::one_line;

/// Check that `go` runs what gv selected, and say how to fix what does not
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv doctor          one line per check: ok, or the problem and its fix
  gv doctor --json   the same, for scripts

Checks: config files, the selected and global versions are installed, gv's shims come
first on PATH (no system go, stale $GOROOT/bin, goenv/gvm/asdf/mise shims before them),
an exported GOROOT, GOTOOLCHAIN from `go env -w`, $GOROOT/go.env and your environment,
stale, missing or stray shims, commands other than Go's in an SDK's bin/, the store's
permissions, and known vulnerabilities or end of support of the selected Go (from the
vulnerability database `gv check` cached: a warning). A warning (a dlv too old to debug the selected Go) does not stop `go` from
working: it is shown with its fix, and doctor still exits 0.
Exit codes: 0 go runs what gv selected (warnings allowed), 1 at least one problem.")]
pub struct Args {
    /// Print a JSON object instead of text
    #[arg(long)]
    json: bool,
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    let lookup = gv_core::process::var_os;
    let checks = doctor::run(&Inputs {
        session,
        shim_binary: crate::shim_dir::shim_binary().ok(),
        lookup: &lookup,
    });
    let ok = !checks.iter().any(Check::is_problem);
    if args.json {
        let report = serde_json::json!({ "ok": ok, "checks": checks });
        crate::outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for check in &checks {
            // Messages name files and values from projects: shown, never obeyed, and one
            // line each, so a newline in a directory name cannot fake a check.
            let message = one_line(&check.message);
            match &check.fix {
                None => {
                    crate::outln!("{} {}: {message}", ui::out("ok ", Style::Green), check.name,)
                }
                Some(fix) => crate::outln!(
                    "{} {}: {message} {} {}",
                    if check.is_problem() {
                        ui::out("BAD", Style::Red)
                    } else {
                        ui::out("warn", Style::Yellow)
                    },
                    check.name,
                    ui::out("-> fix:", Style::Bold),
                    one_line(fix)
                ),
            }
        }
        let problems = checks.iter().filter(|c| c.is_problem()).count();
        let warnings = checks
            .iter()
            .filter(|c| !c.is_ok() && !c.is_problem())
            .count();
        match (problems, warnings) {
            (0, 0) => crate::outln!("all is well"),
            (0, w) => crate::outln!("go runs what gv selected; {w} warning(s)"),
            (p, 0) => crate::outln!("{p} problem(s)"),
            (p, w) => crate::outln!("{p} problem(s), {w} warning(s)"),
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
