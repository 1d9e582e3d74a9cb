//! `GV_ROOT/current`: a stable path to the global default's GOROOT for IDEs, which must
//! never point at a shim (a shim picks a version per directory; an IDE wants one GOROOT).
//!
//! The link is relative (`versions/1.22.10`) so a moved store stays valid, and it is
//! replaced atomically (new link under a temporary name, then rename), so an IDE never
//! sees it missing. On Windows it is a junction (no administrator rights needed), which
//! holds an absolute path and is re-pointed in place. A file system without junctions
//! (FAT, some network shares, wine) gets a warning naming the GOROOT to use instead.

use std::path::{Path, PathBuf};

use gv_core::{Store, platform};

/// What the link should point at now: the global default, resolved.
pub fn target(store: &Store) -> Option<gv_core::Version> {
    store.global_default().ok()??.installed
}

/// Points the link at the global default's GOROOT, or removes it when there is none.
/// Called whenever the global default or the set of installed versions changes. A global
/// default that is not installed (yet) leaves the link where it was while that is still an
/// installed SDK: the GOROOT an IDE was given keeps working until `gv install` catches up.
pub fn refresh(store: &Store) -> std::io::Result<Option<PathBuf>> {
    let link = store.current_link();
    let Some(version) = target(store) else {
        let set_but_missing = matches!(store.global_default(), Ok(Some(_)));
        if set_but_missing && link.join("bin").is_dir() {
            return Ok(std::fs::canonicalize(&link).ok());
        }
        platform::remove_dir_link(&link)?;
        return Ok(None);
    };
    let relative = Path::new("versions").join(version.as_str());
    let goroot = store.version_dir(&version);
    if platform::dir_link_points_to(&link, &relative) {
        return Ok(Some(goroot));
    }
    match platform::replace_dir_link(&relative, &link, &store.current_link_tmp()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => crate::ui::warn_hinted(
            format!("cannot point {} at Go {version}: {e}", link.display()),
            format!("IDEs can use {} directly", goroot.display()),
        ),
        Err(e) => return Err(e),
    }
    Ok(Some(goroot))
}
