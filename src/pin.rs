//! Writing and reading the files that pin a version (`.go-version`, the global file),
//! shared by `gv local` and `gv global`.

use std::path::Path;

use anyhow::Context as _;
use gv_core::pinfile;
use gv_core::{Spec, Store};

use crate::fsutil;

/// Writes `spec` as the only line of a version file, warning (not refusing) when no
/// installed version matches it yet.
pub fn write(store: &Store, path: &Path, spec: &Spec) -> anyhow::Result<()> {
    fsutil::write_atomic(path, format!("{spec}\n").as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    if !matches!(spec, Spec::System) {
        let installed = store.installed()?;
        match spec.best_match(&installed) {
            None => crate::ui::warn(format!(
                "Go {spec} is not installed yet; run `{}`",
                gv_core::suggest::command(["gv", "install", &spec.to_string()])
            )),
            // `latest` or `1.22` moves as versions come and go: say what it means today.
            Some(version) if !matches!(spec, Spec::Exact(_)) => crate::ui::info(format!(
                "{spec} is Go {version} today (the newest installed match)"
            )),
            Some(_) => {}
        }
    }
    Ok(())
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

/// The specs in a version file, as written (for display).
pub fn read(path: &Path) -> anyhow::Result<Vec<Spec>> {
    Ok(pinfile::read_go_version(path)?.specs)
}

pub fn unset(path: &Path) -> anyhow::Result<bool> {
    fsutil::remove_if_exists(path).with_context(|| format!("cannot remove {}", path.display()))
}

/// Sets the global default and points `GV_ROOT/current` at it.
pub fn write_global(store: &Store, spec: &Spec) -> anyhow::Result<()> {
    write(store, &store.global_file(), spec)?;
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
