//! `.vscode/settings.json`, edited in place. The file is JSON with comments (and trailing
//! commas), and it is the user's: gv changes exactly two settings through a concrete
//! syntax tree (jsonc-parser's CST), so every other setting, comment and blank line stays
//! as written.
//!
//! - `go.alternateTools.go` becomes gv's `go` shim. The Go extension runs every go command
//!   (and starts gopls with the shim's directory on PATH) through it, and the shim picks
//!   the version for the workspace folder: the editor follows `.go-version` with no shell.
//! - `go.goroot` is removed: it names one version's directory, which goes stale at the next
//!   pin change, and the Go extension exports it to every tool it runs.

use std::path::{Path, PathBuf};

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstRootNode};

pub const ALTERNATE_TOOLS: &str = "go.alternateTools";
pub const GOROOT: &str = "go.goroot";

/// Where the settings live for a workspace folder.
pub fn settings_path(folder: &Path) -> PathBuf {
    folder.join(".vscode").join("settings.json")
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MergeError {
    #[error("it is not valid JSON with comments: {0}")]
    Syntax(String),
    #[error("its top level is not an object (`{{ ... }}`)")]
    NotAnObject,
    #[error("`{ALTERNATE_TOOLS}` is not an object (`{{ \"go\": \"...\" }}`)")]
    AlternateToolsNotAnObject,
    #[error("`{0}` is not an array (`[ ... ]`)")]
    NotAnArray(String),
}

/// What a merge changed, in words, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    pub changes: Vec<String>,
}

impl Merged {
    pub fn changed(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// Merges gv's settings into `text` (the file's content; empty for a new file).
pub fn merge(text: &str, go_shim: &Path) -> Result<Merged, MergeError> {
    let source = if text.trim().is_empty() { "{}\n" } else { text };
    let root = CstRootNode::parse(source, &ParseOptions::default())
        .map_err(|e| MergeError::Syntax(e.to_string()))?;
    let object = root.object_value().ok_or(MergeError::NotAnObject)?;
    let shim = go_shim.to_string_lossy().into_owned();
    let mut changes = Vec::new();

    match object.get(ALTERNATE_TOOLS) {
        Some(prop) => {
            let tools = prop
                .object_value()
                .ok_or(MergeError::AlternateToolsNotAnObject)?;
            match tools.get("go") {
                Some(go) => {
                    let old = go
                        .value()
                        .and_then(|v| v.to_serde_value())
                        .and_then(|v| v.as_str().map(str::to_string));
                    if old.as_deref() != Some(shim.as_str()) {
                        go.set_value(CstInputValue::String(shim.clone()));
                        changes.push(format!(
                            "{ALTERNATE_TOOLS}.go: {} -> {shim}",
                            old.unwrap_or_else(|| "(not a string)".into())
                        ));
                    }
                }
                None => {
                    tools.append("go", CstInputValue::String(shim.clone()));
                    changes.push(format!("{ALTERNATE_TOOLS}.go: set to {shim}"));
                }
            }
        }
        None => {
            object.append(
                ALTERNATE_TOOLS,
                CstInputValue::Object(vec![("go".into(), CstInputValue::String(shim.clone()))]),
            );
            changes.push(format!("{ALTERNATE_TOOLS}.go: set to {shim}"));
        }
    }
    if let Some(prop) = object.get(GOROOT) {
        let old = prop
            .value()
            .and_then(|v| v.to_serde_value())
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_default();
        prop.remove();
        changes.push(format!(
            "{GOROOT}: removed (was {old}; the shim picks the GOROOT per folder)"
        ));
    }
    let mut text = root.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(Merged { text, changes })
}

/// The two settings as they read in a file: `(go.goroot, go.alternateTools.go)`, or
/// `None` when the file cannot be parsed.
pub fn go_settings(text: &str) -> Option<(Option<String>, Option<String>)> {
    let root = CstRootNode::parse(text, &ParseOptions::default()).ok()?;
    let value = root.to_serde_value()?;
    let string = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
    Some((
        string(value.get(GOROOT)),
        string(value.get(ALTERNATE_TOOLS).and_then(|t| t.get("go"))),
    ))
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "{0} is a symbolic link: gv edits only a settings file that belongs to this folder and left it unchanged"
    )]
    Link(PathBuf),
    #[error("{0} is read-only: gv left it unchanged")]
    ReadOnly(PathBuf),
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}; gv left it unchanged")]
    Merge { path: PathBuf, source: MergeError },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl gv_core::error::Hint for WriteError {
    fn hint(&self) -> Option<String> {
        match self {
            WriteError::Link(_) => Some("replace the link with a regular file (or a regular .vscode directory), or add the settings `gv ide vscode` prints by hand".to_string()),
            WriteError::ReadOnly(v0) => Some(format!("make it writable (`{}`) and run again, or add the settings `gv ide vscode` prints by hand", gv_core::suggest::command(["chmod", "u+w", &gv_core::suggest::path(v0)]))),
            WriteError::Merge { .. } => Some("fix the file (or move it aside) and run again".to_string()),
            WriteError::Read { .. } => Some("gv left it unchanged; move it aside (a settings file is a small regular file) and run again, or add the settings `gv ide vscode` prints by hand".to_string()),
            _ => None,
        }
    }
}

/// Merges gv's settings into the settings file of `folder`, creating it if needed. The
/// file is replaced atomically, and only when something changed. A read-only file is an
/// error (a rename would replace it behind the user's back).
pub fn write(folder: &Path, go_shim: &Path) -> Result<(PathBuf, Merged), WriteError> {
    edit(folder, &settings_path(folder), |text| merge(text, go_shim))
}

/// Edits the file `path` of `folder`'s `.vscode` with `merge` (given the file's text,
/// empty for a new file): created if needed, replaced atomically and only when something
/// changed, never through a link or over a read-only file.
pub fn edit(
    folder: &Path,
    path: &Path,
    merge: impl FnOnce(&str) -> Result<Merged, MergeError>,
) -> Result<(PathBuf, Merged), WriteError> {
    let path = path.to_path_buf();
    // A checkout is outside input: a `.vscode` (or settings.json) that links elsewhere
    // would have gv rewrite a file outside the project, e.g. the user's own settings.
    for candidate in [folder.join(".vscode"), path.clone()] {
        if std::fs::symlink_metadata(&candidate).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(WriteError::Link(candidate));
        }
    }
    // A checkout's file: regular and bounded (a FIFO would hang gv, a huge file fill memory).
    let text = match gv_core::limits::read_file_string(&path, gv_core::limits::EDITOR_FILE) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(WriteError::Read { path, source }),
    };
    if path.exists() && !writable(&path) {
        return Err(WriteError::ReadOnly(path));
    }
    let merged = merge(&text).map_err(|source| WriteError::Merge {
        path: path.clone(),
        source,
    })?;
    if merged.changed() {
        crate::fsutil::write_atomic(&path, merged.text.as_bytes()).map_err(|source| {
            WriteError::Write {
                path: path.clone(),
                source,
            }
        })?;
    }
    Ok((path, merged))
}

/// Writable by the user's intent: some write bit set (root passes access(2) for any
/// file, but a file chmod'ed 0444 is still one the user marked read-only), and by the
/// kernel's say.
fn writable(path: &Path) -> bool {
    if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
        return false;
    }
    gv_core::platform::can_write(path, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIM: &str = "/home/me/.local/share/gv/shims/go";

    fn merged(text: &str) -> Merged {
        merge(text, Path::new(SHIM)).unwrap()
    }

    #[test]
    fn an_empty_or_missing_file_gets_just_the_shim() {
        for text in ["", "  \n"] {
            let m = merged(text);
            let value: serde_json::Value = serde_json::from_str(&m.text).unwrap();
            assert_eq!(
                value,
                serde_json::json!({ "go.alternateTools": { "go": SHIM } })
            );
            assert_eq!(m.changes.len(), 1);
        }
    }

    #[test]
    fn comments_trailing_commas_and_other_settings_survive() {
        let text = r#"// Workspace settings: keep this comment
{
    /* tabs please */
    "editor.insertSpaces": false,
    "go.goroot": "/home/me/.local/share/gv/versions/1.22.10", // stale
    "go.lintTool": "staticcheck",   // trailing comment
    "files.exclude": { "**/.git": true, },
}
"#;
        let m = merged(text);
        for kept in [
            "// Workspace settings: keep this comment",
            "/* tabs please */",
            "\"editor.insertSpaces\": false,",
            "\"go.lintTool\": \"staticcheck\",   // trailing comment",
            "\"files.exclude\": { \"**/.git\": true, },",
        ] {
            assert!(m.text.contains(kept), "lost {kept:?}:\n{}", m.text);
        }
        assert!(!m.text.contains("go.goroot"), "{}", m.text);
        let (goroot, go) = go_settings(&m.text).unwrap();
        assert_eq!(goroot, None);
        assert_eq!(go.as_deref(), Some(SHIM));
        assert_eq!(m.changes.len(), 2, "{:?}", m.changes);
        assert!(m.changes[1].contains("was /home/me/.local/share/gv/versions/1.22.10"));
    }

    #[test]
    fn an_existing_alternate_tools_keeps_its_other_tools() {
        let text = r#"{
  "go.alternateTools": {
    // my own gopls
    "gopls": "/opt/gopls",
    "go": "/home/me/.local/share/gv/versions/1.22.10/bin/go",
  },
}"#;
        let m = merged(text);
        assert!(m.text.contains("// my own gopls"), "{}", m.text);
        assert!(m.text.contains("\"gopls\": \"/opt/gopls\""), "{}", m.text);
        assert!(!m.text.contains("versions/1.22.10"), "{}", m.text);
        assert_eq!(go_settings(&m.text).unwrap().1.as_deref(), Some(SHIM));
        assert_eq!(
            m.changes,
            [format!(
                "go.alternateTools.go: /home/me/.local/share/gv/versions/1.22.10/bin/go -> {SHIM}"
            )]
        );
        // Without "go" in it, "go" is added next to the others.
        let m = merged("{ \"go.alternateTools\": { \"gopls\": \"/opt/gopls\" } }");
        let value: serde_json::Value = serde_json::from_str(&m.text).unwrap();
        assert_eq!(value["go.alternateTools"]["gopls"], "/opt/gopls");
        assert_eq!(value["go.alternateTools"]["go"], SHIM);
    }

    #[test]
    fn merging_twice_changes_nothing_the_second_time() {
        let once = merged("{\n  // hi\n  \"a\": 1,\n}\n");
        let twice = merged(&once.text);
        assert!(!twice.changed(), "{:?}", twice.changes);
        assert_eq!(twice.text, once.text);
    }

    #[test]
    fn what_cannot_be_merged_is_an_error() {
        assert!(matches!(
            merge("{ \"a\": ", Path::new(SHIM)),
            Err(MergeError::Syntax(_))
        ));
        assert_eq!(
            merge("[1, 2]", Path::new(SHIM)),
            Err(MergeError::NotAnObject)
        );
        assert_eq!(
            merge("{ \"go.alternateTools\": \"/x\" }", Path::new(SHIM)),
            Err(MergeError::AlternateToolsNotAnObject)
        );
    }

    #[test]
    fn a_read_only_file_is_left_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = settings_path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let original = "{ // mine\n  \"a\": 1 }\n";
        std::fs::write(&path, original).unwrap();
        gv_core::platform::set_mode(&path, 0o444).unwrap();
        let err = write(dir.path(), Path::new(SHIM)).unwrap_err();
        assert!(matches!(err, WriteError::ReadOnly(_)), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
    }

    gv_core::unix_only! {
    /// A hostile checkout: `.vscode` or settings.json linking outside the project.
    #[test]
    fn links_out_of_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        let theirs = outside.join("settings.json");
        std::fs::write(&theirs, "{ \"go.goroot\": \"/x\" }").unwrap();
        let project = dir.path().join("p");
        std::fs::create_dir_all(&project).unwrap();
        gv_core::platform::symlink(&outside, &project.join(".vscode")).unwrap();
        assert!(matches!(
            write(&project, Path::new(SHIM)),
            Err(WriteError::Link(_))
        ));
        std::fs::remove_file(project.join(".vscode")).unwrap();
        std::fs::create_dir_all(project.join(".vscode")).unwrap();
        gv_core::platform::symlink(&theirs, &settings_path(&project)).unwrap();
        let err = write(&project, Path::new(SHIM)).unwrap_err();
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&theirs).unwrap(),
            "{ \"go.goroot\": \"/x\" }"
        );
    }
    }

    #[test]
    fn a_new_file_is_created_with_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let (path, m) = write(dir.path(), Path::new(SHIM)).unwrap();
        assert!(m.changed());
        assert_eq!(
            go_settings(&std::fs::read_to_string(path).unwrap())
                .unwrap()
                .1
                .as_deref(),
            Some(SHIM)
        );
    }
}
