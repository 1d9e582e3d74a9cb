//! `GV_ROOT/current`: a stable path to the global default's GOROOT for IDEs, which must
//! never point at a shim (a shim picks a version per directory; an IDE wants one GOROOT).
//!
//! The link is relative (`versions/1.22.10`) so a moved store stays valid, and it is
//! replaced atomically (new link under a temporary name, then rename), so an IDE never
//! sees it missing.

use std::path::{Path, PathBuf};

use gv_core::Store;

/// What the link should point at now: the global default, resolved.
pub fn target(store: &Store) -> Option<gv_core::Version> {
    store.global_default().ok()??.installed
}

/// Points the link at the global default's GOROOT, or removes it when there is none.
/// Called whenever the global default or the set of installed versions changes.
pub fn refresh(store: &Store) -> std::io::Result<Option<PathBuf>> {
    let link = store.current_link();
    let Some(version) = target(store) else {
        crate::fsutil::remove_if_exists(&link)?;
        return Ok(None);
    };
    let relative = Path::new("versions").join(version.as_str());
    if std::fs::read_link(&link).is_ok_and(|old| old == relative) {
        return Ok(Some(store.version_dir(&version)));
    }
    let tmp = store.current_link_tmp();
    crate::fsutil::remove_if_exists(&tmp)?;
    gv_core::platform::link_dir(&relative, &tmp)?;
    std::fs::rename(&tmp, &link)?;
    Ok(Some(store.version_dir(&version)))
}
