//! A GOROOT path for GoLand that stays right when the pin changes.
//!
//! GoLand does not run a shim: it reads the SDK directory it is given (sources, VERSION,
//! bin/go). `GV_ROOT/current` follows the global default, which a project's pin
//! overrides, so a pinned project gets a link of its own, `GV_ROOT/ide/<name>-<hash>`,
//! pointing at the version the project selects. `gv local` re-points it when it changes
//! the pin, `gv ide goland` whenever it runs, and `gv doctor` says when it is behind (a
//! `.go-version` edited by hand). The link is relative and replaced atomically, like
//! `GV_ROOT/current`, so GoLand never sees it missing.

use std::path::{Path, PathBuf};

use gv_core::select::{Origin, Selection};
use gv_core::{Store, Version};

/// The directory a project's pin belongs to: where the file that chose the version is.
/// `None` when no project file chose it (GV_VERSION, the global default, the system go).
pub fn project_of(selection: &Selection) -> Option<PathBuf> {
    match &selection.request.origin {
        Origin::GoVersionFile { path }
        | Origin::ToolVersions { path }
        | Origin::Module { path, .. } => path.parent().map(Path::to_path_buf),
        Origin::Env { .. } | Origin::Toolchain { .. } | Origin::Global { .. } | Origin::Default => {
            None
        }
    }
}

/// `GV_ROOT/ide/<folder name>-<8 bytes of sha256 of its path>`: readable, and unique per
/// project directory.
pub fn link_path(store: &Store, project: &Path) -> PathBuf {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(project.as_os_str().as_encoded_bytes());
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let name: String = project
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    store.ide_links_dir().join(format!("{name}-{hash}"))
}

/// The version a link points at now (`None`: no link, or not one of gv's).
pub fn linked_version(link: &Path) -> Option<Version> {
    let target = gv_core::platform::dir_link_target(link).ok()?;
    Version::parse(target.file_name()?.to_str()?).ok()
}

/// Points the project's link at `version`, creating it if needed.
pub fn refresh(store: &Store, project: &Path, version: &Version) -> std::io::Result<PathBuf> {
    let link = link_path(store, project);
    if linked_version(&link).as_ref() == Some(version) {
        return Ok(link);
    }
    let dir = link.parent().unwrap_or(store.root());
    std::fs::create_dir_all(dir)?;
    let relative = Path::new("..").join("versions").join(version.as_str());
    let tmp = dir.join(format!(".link.{}", std::process::id()));
    gv_core::platform::replace_dir_link(&relative, &link, &tmp)?;
    Ok(link)
}

/// Re-points the link of `project` at `version` when the project has one (created by
/// `gv ide goland`); projects nobody asked a link for get none.
pub fn refresh_if_linked(
    store: &Store,
    project: &Path,
    version: &Version,
) -> std::io::Result<Option<PathBuf>> {
    let link = link_path(store, project);
    if std::fs::symlink_metadata(&link).is_err() {
        return Ok(None);
    }
    refresh(store, project, version).map(Some)
}

/// After a pin changed in `dir`: re-points the link of the project that now decides there,
/// if it has one. Best effort: a pin write never fails because of an IDE link.
pub fn follow_pin(session: &gv_core::session::Session) {
    let store = session.store();
    let Ok(selection) = session.selection() else {
        return;
    };
    let (gv_core::select::Resolved::Managed { version, .. }, Some(project)) =
        (&selection.resolved, project_of(selection))
    else {
        return;
    };
    match refresh_if_linked(store, &project, version) {
        Ok(Some(link)) => crate::ui::info(format!(
            "GoLand's GOROOT link {} now points at Go {version}",
            link.display()
        )),
        Ok(None) => {}
        Err(e) => crate::ui::warn(format!(
            "cannot re-point GoLand's GOROOT link for {}: {e}",
            project.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    gv_core::unix_only! {
    use super::*;

    #[test]
    fn links_are_per_project_relative_and_follow_the_version() {
        let root = tempfile::tempdir().unwrap();
        let store = Store::new(root.path());
        for v in ["1.22.10", "1.23.9"] {
            std::fs::create_dir_all(root.path().join("versions").join(v).join("bin")).unwrap();
        }
        let project = Path::new("/src/my api");
        let v22 = Version::parse("1.22.10").unwrap();
        let v23 = Version::parse("1.23.9").unwrap();
        assert_eq!(refresh_if_linked(&store, project, &v22).unwrap(), None);
        let link = refresh(&store, project, &v22).unwrap();
        assert!(
            link.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("my_api-")
        );
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("../versions/1.22.10")
        );
        assert!(link.join("bin").is_dir(), "the link resolves");
        assert_eq!(
            refresh_if_linked(&store, project, &v23).unwrap(),
            Some(link.clone())
        );
        assert_eq!(linked_version(&link), Some(v23));
        assert_ne!(link_path(&store, Path::new("/src/other/my api")), link);
    }
    }
}
