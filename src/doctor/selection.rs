//! The version selected here, and the global default.

use gv_core::select::{SelectError, Selection};

use super::{Check, Inputs};

/// The version that applies here (reported as a check) and the global default.
pub(super) fn checks<'a>(inputs: &Inputs<'a>, checks: &mut Vec<Check>) -> Option<&'a Selection> {
    let session = inputs.session;
    let selection = match session.selection() {
        Ok(selection) => {
            checks.push(Check::ok(
                "selected",
                format!(
                    "Go {} ({})",
                    selection.resolved.name(),
                    selection.request.origin
                ),
            ));
            Some(selection)
        }
        // Already reported by the pin-files check.
        Err(SelectError::PinFile(_)) if matches!(session.discovery().pin, Some(Err(_))) => None,
        Err(e) => {
            checks.push(Check::error("selected", &e, "see `gv current`"));
            None
        }
    };
    checks.extend(global_check(inputs));
    selection
}

/// The global default must name an installed version, or `GV_ROOT/current` (IDEs) dangles.
fn global_check(inputs: &Inputs<'_>) -> Option<Check> {
    let global = inputs.store().global_default().ok()??;
    let managed: Vec<String> = global
        .specs
        .iter()
        .filter(|s| **s != gv_core::Spec::System)
        .map(ToString::to_string)
        .collect();
    if managed.is_empty() || global.installed.is_some() {
        return None;
    }
    Some(Check::problem(
        "global",
        format!(
            "the global default ({}) asks for Go {}, which is not installed",
            global.file.display(),
            managed.join(" or ")
        ),
        format!(
            "{}  (or `gv global` with an installed version)",
            gv_core::suggest::command(["gv", "install", &managed[0]])
        ),
    ))
}
