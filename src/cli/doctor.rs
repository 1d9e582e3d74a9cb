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
stale, missing or stray shims, commands other than Go's in an SDK's bin/, and the store's
permissions.
Exit codes: 0 all is well, 1 at least one problem.")]
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
    let ok = checks.iter().all(Check::is_ok);
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
                    ui::out("BAD", Style::Red),
                    check.name,
                    ui::out("-> fix:", Style::Bold),
                    one_line(fix)
                ),
            }
        }
        let problems = checks.iter().filter(|c| !c.is_ok()).count();
        if problems == 0 {
            crate::outln!("all is well");
        } else {
            crate::outln!("{problems} problem(s)");
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
