//! A store left where earlier gv builds kept it. Before the XDG layout, gv on macOS took
//! its directories from the `dirs` crate: store and config.toml in
//! `~/Library/Application Support/gv`. gv now looks in `~/.local/share/gv` and
//! `~/.config/gv`, so SDKs installed back then look gone; this check names the old
//! directory and says how to move it.

use std::path::{Path, PathBuf};

use gv_core::Store;

use super::Check;

/// A problem for each directory in `old` (from [`gv_core::platform::legacy_store_dirs`])
/// that still holds a store or a config that `store` and `config` (the paths in use) are not.
pub(super) fn checks(store: &Store, config: Option<&Path>, old: &[PathBuf]) -> Vec<Check> {
    old.iter()
        .filter(|dir| dir.is_dir() && !same_dir(dir, store.root()))
        .filter_map(|dir| check(store, config, dir))
        .collect()
}

fn check(store: &Store, config: Option<&Path>, dir: &Path) -> Option<Check> {
    let old = Store::new(dir);
    let versions = old.installed().unwrap_or_default();
    let old_config = dir.join("config.toml");
    let has_config = old_config.is_file();
    if versions.is_empty() && !has_config {
        return None;
    }
    let q = |p: &Path| gv_core::suggest::word(&p.to_string_lossy());
    let mut held = Vec::new();
    if !versions.is_empty() {
        let names: Vec<String> = versions.iter().map(ToString::to_string).collect();
        held.push(format!("Go {}", names.join(", ")));
    }
    if has_config {
        held.push("config.toml".to_string());
    }
    let message = format!(
        "{} holds {} from an earlier gv, which kept its files there; gv now uses {}{}",
        dir.display(),
        held.join(" and "),
        store.root().display(),
        config.map_or(String::new(), |c| format!(" and {}", c.display()))
    );
    let mut steps = Vec::new();
    let mut merge = String::new();
    if !versions.is_empty() {
        let new_versions = store.versions_dir();
        if store.root().exists() {
            steps.push(format!(
                "mkdir -p {} && mv {}/* {}/",
                q(&new_versions),
                q(&old.versions_dir()),
                q(&new_versions)
            ));
        } else {
            let parent = store.root().parent().unwrap_or(store.root());
            steps.push(format!(
                "mkdir -p {} && mv {} {}",
                q(parent),
                q(dir),
                q(store.root())
            ));
        }
    }
    if let Some(config) = config.filter(|_| has_config) {
        let from = if versions.is_empty() || store.root().exists() {
            old_config.clone()
        } else {
            store.root().join("config.toml")
        };
        if !config.exists() {
            let parent = config.parent().unwrap_or(config);
            steps.push(format!(
                "mkdir -p {} && mv {} {}",
                q(parent),
                q(&from),
                q(config)
            ));
        } else {
            merge = format!(" (then merge {} into {} by hand)", q(&from), q(config));
        }
    }
    steps.push("gv rehash".to_string());
    Some(Check::problem(
        "old store",
        message,
        format!("{}{merge}", steps.join(" && ")),
    ))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdk(root: &Path, version: &str) {
        std::fs::create_dir_all(root.join("versions").join(version).join("bin")).unwrap();
    }

    gv_core::unix_only! {
    #[test]
    fn an_old_macos_store_is_named_with_the_commands_that_move_it() {
        let home = tempfile::tempdir().unwrap();
        let old = home.path().join("Library/Application Support/gv");
        sdk(&old, "1.22.10");
        sdk(&old, "1.21.13");
        std::fs::write(old.join("config.toml"), "auto_install = true\n").unwrap();
        let store = Store::new(home.path().join(".local/share/gv"));
        let config = home.path().join(".config/gv/config.toml");

        let found = checks(&store, Some(&config), std::slice::from_ref(&old));
        assert_eq!(found.len(), 1);
        let check = &found[0];
        assert!(!check.is_ok());
        assert_eq!(
            check.message,
            format!(
                "{} holds Go 1.21.13, 1.22.10 and config.toml from an earlier gv, which kept its files there; gv now uses {} and {}",
                old.display(),
                store.root().display(),
                config.display()
            )
        );
        let fix = check.fix.as_deref().unwrap();
        let q = |p: &Path| gv_core::suggest::word(&p.to_string_lossy());
        assert_eq!(
            fix,
            format!(
                "mkdir -p {} && mv {} {} && mkdir -p {} && mv {} {} && gv rehash",
                q(&home.path().join(".local/share")),
                q(&old),
                q(store.root()),
                q(&home.path().join(".config/gv")),
                q(&store.root().join("config.toml")),
                q(&config)
            )
        );
        // The path has a space: the commands quote it.
        assert!(
            fix.contains("'/") && fix.contains("Application Support/gv'"),
            "{fix}"
        );

        // Run as printed, the fix moves everything, and the check is quiet afterwards.
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(fix.replace(" && gv rehash", ""))
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(store.installed().unwrap().len(), 2);
        assert!(config.is_file());
        assert!(checks(&store, Some(&config), &[old]).is_empty());
    }
    }

    gv_core::unix_only! {
    #[test]
    fn an_existing_new_store_gets_the_versions_moved_into_it() {
        let home = tempfile::tempdir().unwrap();
        let old = home.path().join("old");
        sdk(&old, "1.22.10");
        let store = Store::new(home.path().join("new"));
        sdk(store.root(), "1.23.9");
        let found = checks(&store, None, std::slice::from_ref(&old));
        let fix = found[0].fix.clone().unwrap();
        assert!(fix.ends_with(" && gv rehash"), "{fix}");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(fix.replace(" && gv rehash", ""))
            .status()
            .unwrap();
        assert!(status.success());
        let names: Vec<String> = store
            .installed()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(names, ["1.22.10", "1.23.9"]);
    }
    }

    #[test]
    fn nothing_to_say_without_an_old_store_or_when_it_is_the_store_in_use() {
        let home = tempfile::tempdir().unwrap();
        let old = home.path().join("Library/Application Support/gv");
        let store = Store::new(home.path().join(".local/share/gv"));
        assert!(
            checks(&store, None, std::slice::from_ref(&old)).is_empty(),
            "missing"
        );
        std::fs::create_dir_all(old.join("cache")).unwrap();
        assert!(
            checks(&store, None, std::slice::from_ref(&old)).is_empty(),
            "nothing in it"
        );
        sdk(&old, "1.22.10");
        // GV_ROOT pointed at the old place on purpose: it is the store, not a leftover.
        assert!(checks(&Store::new(&old), None, &[old]).is_empty());
    }
}
