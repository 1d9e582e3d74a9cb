//! What `gv doctor` says about editors: a workspace setting (VS Code's
//! `.vscode/settings.json`, GoLand's `.idea/workspace.xml`, the project's GoLand link) that
//! names a Go version other than the one selected here, and which rc file exports GOROOT.

use std::path::{Path, PathBuf};

use gv_core::Version;
use gv_core::select::Selection;

use super::{Check, Inputs};
use crate::ide::{goland, vscode};

const FIX_VSCODE: &str = "run `gv ide vscode --write` in the workspace folder: it points go.alternateTools.go at gv's go shim (which follows the pin) and removes go.goroot";

/// The editor checks, one line per settings file found.
pub fn checks(inputs: &Inputs<'_>, selection: Option<&Selection>) -> Vec<Check> {
    let mut out = Vec::new();
    let Some(selection) = selection else {
        return out;
    };
    let selected = selection.resolved.version();
    let store_versions = inputs.store().versions_dir();
    // The version of a gv-managed path (`GV_ROOT/versions/V/...`, or a link into it).
    let version_of = |path: &Path| -> Option<Version> {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let versions = std::fs::canonicalize(&store_versions).unwrap_or(store_versions.clone());
        let rest = real.strip_prefix(&versions).ok()?;
        Version::parse(rest.iter().next()?.to_str()?).ok()
    };
    let other_than_selected = |path: &Path| -> Option<Version> {
        let v = version_of(path)?;
        (Some(&v) != selected.as_ref()).then_some(v)
    };
    let selected_name = selection.resolved.name();
    let why = &selection.request.origin;

    if let Some(file) = nearest(inputs.cwd(), &[".vscode", "settings.json"]) {
        let read = read_settings(&file);
        let shim = inputs
            .store()
            .shims_dir()
            .join(gv_core::platform::exe_name("go"));
        match read.as_deref().map(vscode::go_settings) {
            Err(e) => out.push(unreadable("vscode", &file, e)),
            Ok(None) => out.push(Check::problem(
                "vscode",
                format!("{} is not valid JSON with comments", file.display()),
                "fix the file; VS Code ignores it as it is",
            )),
            Ok(Some((goroot, go))) => {
                let mut problems = Vec::new();
                if let Some(goroot) = &goroot {
                    match other_than_selected(Path::new(goroot)) {
                        Some(v) => problems.push(format!("go.goroot is Go {v} ({goroot})")),
                        None if version_of(Path::new(goroot)).is_none() => problems.push(format!(
                            "go.goroot is {goroot}, a GOROOT gv does not manage"
                        )),
                        None => {}
                    }
                }
                if let Some(go) = &go
                    && Path::new(go) != shim
                {
                    match other_than_selected(Path::new(go)) {
                        Some(v) => {
                            problems.push(format!("go.alternateTools.go is Go {v}'s go ({go})"))
                        }
                        None if version_of(Path::new(go)).is_none() => problems.push(format!(
                            "go.alternateTools.go is {go}, a go gv does not manage"
                        )),
                        None => {}
                    }
                }
                if !problems.is_empty() {
                    out.push(Check::problem(
                        "vscode",
                        format!(
                            "{}: {}, but Go {selected_name} is selected here ({why})",
                            file.display(),
                            problems.join("; ")
                        ),
                        FIX_VSCODE,
                    ));
                } else if go.as_deref().is_some_and(|g| Path::new(g) == shim) {
                    out.push(Check::ok(
                        "vscode",
                        format!(
                            "{}: go.alternateTools.go is gv's go shim (follows the pin)",
                            file.display()
                        ),
                    ));
                } else {
                    out.push(Check::ok(
                        "vscode",
                        format!(
                            "{}: names Go {selected_name} (it will not follow a pin change; `gv ide vscode --write` makes it)",
                            file.display()
                        ),
                    ));
                }
            }
        }
    }

    if let Some(file) = nearest(inputs.cwd(), &[".idea", "workspace.xml"]) {
        let home = inputs.var("HOME").map(PathBuf::from);
        let text = read_settings(&file).unwrap_or_else(|e| {
            out.push(unreadable("goland", &file, &e));
            String::new()
        });
        if let Some(goroot) = goland_goroot(&text, home.as_deref(), &file) {
            match other_than_selected(&goroot) {
                Some(v) => out.push(Check::problem(
                    "goland",
                    format!(
                        "{}: GoLand's GOROOT {} is Go {v}, but Go {selected_name} is selected here ({why})",
                        file.display(),
                        goroot.display()
                    ),
                    "run `gv ide goland` and give GoLand the path it prints (Settings | Go | GOROOT)",
                )),
                None => out.push(Check::ok(
                    "goland",
                    format!("{}: GoLand's GOROOT is {}", file.display(), goroot.display()),
                )),
            }
        }
    }

    if let (Some(project), Some(selected)) = (goland::project_of(selection), &selected) {
        let link = goland::link_path(inputs.store(), &project);
        if let Some(linked) = goland::linked_version(&link)
            && &linked != selected
        {
            out.push(Check::problem(
                "goland",
                format!(
                    "{} (GoLand's GOROOT for {}) points at Go {linked}, but the project selects Go {selected}",
                    link.display(),
                    project.display()
                ),
                format!(
                    "{}   (in {})",
                    gv_core::suggest::command(["gv", "ide", "goland"]),
                    project.display()
                ),
            ));
        }
    }
    out
}

/// An editor's settings file from a checkout: regular and bounded
/// ([`gv_core::limits::EDITOR_FILE`]).
fn read_settings(file: &Path) -> std::io::Result<String> {
    gv_core::limits::read_file_string(file, gv_core::limits::EDITOR_FILE)
}

fn unreadable(name: &'static str, file: &Path, e: &std::io::Error) -> Check {
    Check::problem(
        name,
        format!("{} was not read: {e}", file.display()),
        "an editor's settings file is a small regular file; move this one aside",
    )
}

/// The nearest `cwd/a/b`, `cwd/../a/b`, ... that is a file.
fn nearest(cwd: &Path, parts: &[&str]) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| parts.iter().fold(dir.to_path_buf(), |p, part| p.join(part)))
        .find(|p| p.is_file())
}

/// The GOROOT in GoLand's workspace.xml: `<component name="GOROOT" url="file://PATH" />`,
/// with GoLand's `$USER_HOME$` and `$PROJECT_DIR$` macros expanded.
fn goland_goroot(text: &str, home: Option<&Path>, workspace_xml: &Path) -> Option<PathBuf> {
    let at = text.find("name=\"GOROOT\"")?;
    let element_end = text[at..].find('>')? + at;
    let element = &text[at..element_end];
    let url = element.split("url=\"").nth(1)?.split('"').next()?;
    let path = url.strip_prefix("file://")?;
    let project = workspace_xml.parent()?.parent()?;
    let mut expanded = path.replace("$PROJECT_DIR$", &project.to_string_lossy());
    if let Some(home) = home {
        expanded = expanded.replace("$USER_HOME$", &home.to_string_lossy());
    }
    Some(PathBuf::from(expanded))
}

/// The fix for an exported GOROOT, naming the rc files (and lines) that export it.
pub fn goroot_fix(inputs: &Inputs<'_>) -> String {
    let home = inputs.var("HOME").map(PathBuf::from);
    let found = home.map(|h| rc_exports(&h, "GOROOT")).unwrap_or_default();
    if found.is_empty() {
        return "remove `export GOROOT=...` from your shell's rc file (or wherever it is set); gv sets GOROOT for every go command (and the hook for the shell)".into();
    }
    let places: Vec<String> = found
        .iter()
        .map(|(file, line)| format!("{}:{line}", file.display()))
        .collect();
    format!(
        "remove the GOROOT setting at {}; gv sets GOROOT for every go command (and the hook for the shell)",
        places.join(", ")
    )
}

/// The shell start-up files under `home` that set `var` (`export VAR=`, `VAR=`,
/// `set -x VAR`, `set -gx VAR`), with 1-based line numbers.
pub fn rc_exports(home: &Path, var: &str) -> Vec<(PathBuf, usize)> {
    const FILES: &[&str] = &[
        ".profile",
        ".bash_profile",
        ".bash_login",
        ".bashrc",
        ".zshenv",
        ".zprofile",
        ".zshrc",
        ".config/fish/config.fish",
    ];
    let mut out = Vec::new();
    for name in FILES {
        let path = home.join(name);
        let Ok(text) = gv_core::limits::read_file_string(&path, gv_core::limits::EDITOR_FILE)
        else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with('#') {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let sets = match words.as_slice() {
                ["export", rest, ..] => rest.starts_with(&format!("{var}=")),
                ["set", flags, name, ..] if flags.starts_with('-') && flags.contains('x') => {
                    *name == var
                }
                [first, ..] => first.starts_with(&format!("{var}=")),
                [] => false,
            };
            if sets {
                out.push((path.clone(), i + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    /// An [`Inputs`] lookup over pairs.
    fn lookup(pairs: Vec<(&'static str, OsString)>) -> impl Fn(&str) -> Option<OsString> {
        move |n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone())
    }

    #[test]
    fn rc_files_that_export_a_variable_are_found_with_their_lines() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(
            home.path().join(".bashrc"),
            "# export GOROOT=/old\nalias x=y\nexport GOROOT=/usr/local/go\n",
        )
        .unwrap();
        std::fs::create_dir_all(home.path().join(".config/fish")).unwrap();
        std::fs::write(
            home.path().join(".config/fish/config.fish"),
            "set -gx GOROOT /opt/go\nset -gx GOPATH ~/go\n",
        )
        .unwrap();
        std::fs::write(home.path().join(".zshrc"), "GOROOT=/x; export GOROOT\n").unwrap();
        let found = rc_exports(home.path(), "GOROOT");
        let short: Vec<(String, usize)> = found
            .iter()
            .map(|(p, l)| {
                (
                    p.strip_prefix(home.path()).unwrap().display().to_string(),
                    *l,
                )
            })
            .collect();
        assert_eq!(
            short,
            [
                (".bashrc".to_string(), 3),
                (".zshrc".to_string(), 1),
                (".config/fish/config.fish".to_string(), 1)
            ]
        );
        let session = gv_core::session::Session::new(
            gv_core::Store::new(home.path().join("gv")),
            gv_core::select::SelectEnv::default(),
            home.path().to_path_buf(),
        );
        let look = lookup(vec![("HOME", home.path().into())]);
        let inputs = Inputs {
            session: &session,
            shim_binary: None,
            lookup: &look,
        };
        let fix = goroot_fix(&inputs);
        assert!(fix.contains(".bashrc:3"), "{fix}");
        assert!(fix.contains("config.fish:1"), "{fix}");
    }

    #[test]
    fn golands_goroot_is_read_with_macros() {
        let xml = r#"<project version="4">
  <component name="GOROOT" url="file://$USER_HOME$/.local/share/gv/ide/api-1234" />
  <component name="Other" url="file:///nope" />
</project>"#;
        assert_eq!(
            goland_goroot(
                xml,
                Some(Path::new("/home/me")),
                Path::new("/p/.idea/workspace.xml")
            ),
            Some(PathBuf::from("/home/me/.local/share/gv/ide/api-1234"))
        );
        let xml = r#"<component name="GOROOT" url="file://$PROJECT_DIR$/sdk" />"#;
        assert_eq!(
            goland_goroot(xml, None, Path::new("/p/.idea/workspace.xml")),
            Some(PathBuf::from("/p/sdk"))
        );
        assert_eq!(
            goland_goroot("<project/>", None, Path::new("/p/.idea/w.xml")),
            None
        );
    }
}
