//! What `gv doctor` says about tools: each stale tool in the shared GOBIN, and a dlv that
//! cannot debug the selected Go, one line each with the fix. Doctor stays offline: only the
//! Go versions are compared here; `gv tools` also asks the proxy.

use std::path::PathBuf;

use gv_core::env::EnvPlan;
use gv_core::select::Selection;

use super::{Check, Inputs};
use crate::tools::delve::{self, Dlv};
use crate::tools::stale;

pub fn checks(inputs: &Inputs<'_>, selection: &Selection, plan: Option<&EnvPlan>) -> Vec<Check> {
    let mut out = Vec::new();
    let gobin = plan
        .and_then(|p| p.get("GOBIN"))
        .map(|v| PathBuf::from(&v.value));
    let selected = selection.resolved.version();
    let all = gobin
        .as_deref()
        .and_then(|g| crate::tools::list(g).ok())
        .unwrap_or_default();
    let installed = inputs.store().installed().unwrap_or_default();
    let assessed = stale::assess(&all, selected.as_ref(), &installed, None);
    let mut stale_count = 0;
    for item in assessed.iter().filter(|a| a.is_stale()) {
        stale_count += 1;
        let name = &item.tool.name;
        let why: Vec<String> = item.reasons.iter().map(ToString::to_string).collect();
        let mut message = format!("{name}: {}", why.join("; "));
        if name == "gopls"
            && item
                .reasons
                .iter()
                .any(|r| matches!(r, stale::Reason::OlderGo { .. }))
        {
            message.push_str(
                " (a gopls built by an older Go rejects newer go.mod syntax and standard-library APIs)",
            );
        }
        out.push(Check::problem(
            "tools",
            message,
            format!(
                "{}   (or all of them: gv tools reinstall --stale)",
                gv_core::suggest::command(["gv", "tools", "reinstall", name])
            ),
        ));
    }
    if stale_count == 0
        && let Some(gobin) = &gobin
    {
        out.push(Check::ok(
            "tools",
            format!(
                "{} tool(s) in {}, none built by an older Go than {}",
                all.len(),
                gobin.display(),
                selection.resolved.name()
            ),
        ));
    }

    // The dlv `gv debug` would run: GOBIN first, then PATH.
    let path_var = inputs.var("PATH");
    let dirs = crate::debug::search_dirs(gobin.as_deref(), path_var.as_deref());
    if let (Some(dlv_path), Some(go)) = (
        crate::debug::find_in("dlv", dirs.iter().map(PathBuf::as_path)),
        &selected,
    ) && let Some(dlv) = Dlv::probe(&dlv_path)
    {
        let verdict = delve::check(&dlv, go);
        if verdict.is_incompatible() {
            // Only `gv debug` and editors run dlv; `go` is unaffected, so a distribution's
            // old dlv must not fail doctor for someone who never debugs.
            out.push(Check::warning(
                "dlv",
                format!("{}: {verdict}", dlv_path.display()),
                "gv tools install dlv   (the newest delve, built with the Go selected here, into the shared GOBIN)",
            ));
        } else {
            out.push(Check::ok(
                "dlv",
                format!("{}: {verdict}", dlv_path.display()),
            ));
        }
    }
    out
}
