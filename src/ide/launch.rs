//! VS Code's debug configurations for gv's builds, merged into `.vscode/launch.json` and
//! `.vscode/tasks.json` the way [`super::vscode`] merges settings: through a concrete
//! syntax tree, so every other configuration, task, comment and blank line stays.
//!
//! - **exec** (`"mode": "exec"`): debugs the binary `gv build --debug` wrote, which a
//!   task builds (and verifies) before each session; the program runs with the selected
//!   GOROOT.
//! - **core** (`"mode": "core"`): opens a core dump with its binary (asked for each
//!   time). delve reads `debug-info-directories` only from its config file, and the Go
//!   extension starts `dlv dap` with the configuration's `env`, so the configuration sets
//!   `XDG_CONFIG_HOME` to a directory whose `dlv/config.yml` points delve at the symbol
//!   store: a stripped release binary's core shows its functions, arguments and lines.
//!
//! gv's entries are found again by their names (`name`, `label`, `id`) and replaced, so
//! running the command again updates them and adds nothing twice.

use std::path::{Path, PathBuf};

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstRootNode};

use super::vscode::{MergeError, Merged, WriteError};

pub const EXEC_NAME: &str = "gv: debug build";
pub const CORE_NAME: &str = "gv: core dump";
pub const TASK_LABEL: &str = "gv: build --debug";
pub const BINARY_INPUT: &str = "gvBinary";
pub const CORE_INPUT: &str = "gvCore";

/// What the configurations point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The gv that builds (an absolute path: VS Code's PATH may not have it).
    pub gv: PathBuf,
    /// The package to build, as given (`.`, `./cmd/app`).
    pub package: String,
    /// Where the debug build goes (gv debug's private directory for this project).
    pub program: PathBuf,
    /// The selected SDK's GOROOT.
    pub goroot: PathBuf,
    /// The `XDG_CONFIG_HOME` whose `dlv/config.yml` names the symbol store.
    pub dlv_config_home: PathBuf,
    /// The binary the core configuration proposes.
    pub default_binary: String,
}

fn string(s: impl AsRef<str>) -> CstInputValue {
    CstInputValue::String(s.as_ref().to_string())
}

fn path(p: &Path) -> CstInputValue {
    string(p.to_string_lossy())
}

fn object(entries: Vec<(&str, CstInputValue)>) -> CstInputValue {
    CstInputValue::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// The two configurations, by name.
pub fn configurations(launch: &Launch) -> Vec<(String, CstInputValue)> {
    let goroot = || ("GOROOT", path(&launch.goroot));
    vec![
        (
            EXEC_NAME.to_string(),
            object(vec![
                ("name", string(EXEC_NAME)),
                ("type", string("go")),
                ("request", string("launch")),
                ("mode", string("exec")),
                ("program", path(&launch.program)),
                ("preLaunchTask", string(TASK_LABEL)),
                ("cwd", string("${workspaceFolder}")),
                ("env", object(vec![goroot()])),
            ]),
        ),
        (
            CORE_NAME.to_string(),
            object(vec![
                ("name", string(CORE_NAME)),
                ("type", string("go")),
                ("request", string("launch")),
                ("mode", string("core")),
                ("program", string(format!("${{input:{BINARY_INPUT}}}"))),
                ("coreFilePath", string(format!("${{input:{CORE_INPUT}}}"))),
                ("cwd", string("${workspaceFolder}")),
                (
                    "env",
                    object(vec![
                        goroot(),
                        ("XDG_CONFIG_HOME", path(&launch.dlv_config_home)),
                    ]),
                ),
            ]),
        ),
    ]
}

/// The prompts the core configuration asks, by id.
pub fn inputs(launch: &Launch) -> Vec<(String, CstInputValue)> {
    let prompt = |id: &str, description: &str, default: &str| {
        (
            id.to_string(),
            object(vec![
                ("id", string(id)),
                ("type", string("promptString")),
                ("description", string(description)),
                ("default", string(default)),
            ]),
        )
    };
    vec![
        prompt(
            BINARY_INPUT,
            "The binary that dumped core (a stripped one gets its debug information from gv's symbol store)",
            &launch.default_binary,
        ),
        prompt(CORE_INPUT, "The core file", "${workspaceFolder}/core"),
    ]
}

/// The task that builds the exec configuration's program.
pub fn tasks(launch: &Launch) -> Vec<(String, CstInputValue)> {
    vec![(
        TASK_LABEL.to_string(),
        object(vec![
            ("label", string(TASK_LABEL)),
            ("type", string("process")),
            ("command", path(&launch.gv)),
            (
                "args",
                CstInputValue::Array(vec![
                    string("build"),
                    string("--debug"),
                    string("-o"),
                    path(&launch.program),
                    string(&launch.package),
                ]),
            ),
            (
                "options",
                object(vec![("cwd", string("${workspaceFolder}"))]),
            ),
            ("problemMatcher", CstInputValue::Array(vec![string("$go")])),
            ("group", string("build")),
        ]),
    )]
}

/// The value `input` stands for, as JSON, to compare with what a file holds.
fn to_json(input: &CstInputValue) -> serde_json::Value {
    match input {
        CstInputValue::Null => serde_json::Value::Null,
        CstInputValue::Bool(b) => (*b).into(),
        CstInputValue::Number(n) => n
            .parse::<serde_json::Number>()
            .map_or(serde_json::Value::Null, Into::into),
        CstInputValue::String(s) => s.clone().into(),
        CstInputValue::Array(items) => items.iter().map(to_json).collect(),
        CstInputValue::Object(entries) => entries
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}

/// Entries of one array of a file: the array's key, the key that names an entry, and the
/// entries by name.
pub type Section<'a> = (&'a str, &'a str, Vec<(String, CstInputValue)>);

/// Merges each section's entries into its array of the JSONC object `text`, matching
/// elements by their name: an element of the same name is replaced (when it differs),
/// others are appended. `version` is set when the file has none.
pub fn merge_entries(
    text: &str,
    version: &str,
    sections: &[Section<'_>],
) -> Result<Merged, MergeError> {
    let source = if text.trim().is_empty() { "{}\n" } else { text };
    let root = CstRootNode::parse(source, &ParseOptions::default())
        .map_err(|e| MergeError::Syntax(e.to_string()))?;
    let object = root.object_value().ok_or(MergeError::NotAnObject)?;
    let mut changes = Vec::new();
    if object.get("version").is_none() {
        object.insert(0, "version", string(version));
    }
    for (key, id_key, entries) in sections {
        let array = match object.get(key) {
            Some(prop) => prop
                .array_value()
                .ok_or_else(|| MergeError::NotAnArray(key.to_string()))?,
            None => object.array_value_or_set(key),
        };
        for (id, value) in entries {
            let existing = array.elements().into_iter().find_map(|element| {
                let obj = element.as_object()?;
                let name = obj.get(id_key)?.value()?.to_serde_value()?;
                (name.as_str() == Some(id.as_str())).then_some(obj)
            });
            let what = format!("{key} \"{id}\"");
            match existing {
                Some(obj) => {
                    if obj.to_serde_value() != Some(to_json(value)) {
                        obj.replace_with(value.clone());
                        changes.push(format!("{what}: updated"));
                    }
                }
                None => {
                    array.append(value.clone());
                    changes.push(format!("{what}: added"));
                }
            }
        }
        array.ensure_multiline();
    }
    let mut text = root.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(Merged { text, changes })
}

pub fn launch_path(folder: &Path) -> PathBuf {
    folder.join(".vscode").join("launch.json")
}

pub fn tasks_path(folder: &Path) -> PathBuf {
    folder.join(".vscode").join("tasks.json")
}

/// Merges the configurations into `launch.json` and the task into `tasks.json`.
pub fn write(folder: &Path, launch: &Launch) -> Result<Vec<(PathBuf, Merged)>, WriteError> {
    let launched = super::vscode::edit(folder, &launch_path(folder), |text| {
        merge_entries(
            text,
            "0.2.0",
            &[
                ("configurations", "name", configurations(launch)),
                ("inputs", "id", inputs(launch)),
            ],
        )
    })?;
    let tasked = super::vscode::edit(folder, &tasks_path(folder), |text| {
        merge_entries(text, "2.0.0", &[("tasks", "label", tasks(launch))])
    })?;
    Ok(vec![launched, tasked])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch() -> Launch {
        Launch {
            gv: "/usr/local/bin/gv".into(),
            package: ".".into(),
            program: "/home/me/.cache/gv/debug/ab12/app".into(),
            goroot: "/home/me/.local/share/gv/versions/1.22.10".into(),
            dlv_config_home: "/home/me/.local/share/gv/symbols/.gv".into(),
            default_binary: "${workspaceFolder}/app".into(),
        }
    }

    fn merged(text: &str) -> Merged {
        merge_entries(
            text,
            "0.2.0",
            &[
                ("configurations", "name", configurations(&launch())),
                ("inputs", "id", inputs(&launch())),
            ],
        )
        .unwrap()
    }

    #[test]
    fn a_new_file_gets_both_configurations_and_the_prompts() {
        let m = merged("");
        let value: serde_json::Value = serde_json::from_str(&m.text).unwrap();
        assert_eq!(value["version"], "0.2.0");
        let configs = value["configurations"].as_array().unwrap();
        assert_eq!(configs.len(), 2);
        assert_eq!(configs[0]["mode"], "exec");
        assert_eq!(configs[0]["program"], "/home/me/.cache/gv/debug/ab12/app");
        assert_eq!(configs[0]["preLaunchTask"], TASK_LABEL);
        assert_eq!(
            configs[0]["env"]["GOROOT"],
            "/home/me/.local/share/gv/versions/1.22.10"
        );
        assert_eq!(configs[1]["mode"], "core");
        assert_eq!(configs[1]["program"], "${input:gvBinary}");
        assert_eq!(configs[1]["coreFilePath"], "${input:gvCore}");
        assert_eq!(
            configs[1]["env"]["XDG_CONFIG_HOME"],
            "/home/me/.local/share/gv/symbols/.gv"
        );
        assert_eq!(value["inputs"].as_array().unwrap().len(), 2);
        assert_eq!(m.changes.len(), 4, "{:?}", m.changes);
    }

    #[test]
    fn the_users_configurations_and_comments_stay_and_gvs_are_updated_in_place() {
        let text = r#"{
    // my launch configs
    "version": "0.2.0",
    "configurations": [
        {
            "name": "mine", // keep me
            "type": "go",
            "request": "launch",
            "mode": "auto",
            "program": "${fileDirname}",
        },
        { "name": "gv: debug build", "type": "go", "program": "/old/path" },
    ],
}
"#;
        let m = merged(text);
        for kept in [
            "// my launch configs",
            "\"name\": \"mine\", // keep me",
            "\"mode\": \"auto\",",
        ] {
            assert!(m.text.contains(kept), "lost {kept:?}:\n{}", m.text);
        }
        assert!(!m.text.contains("/old/path"), "{}", m.text);
        assert_eq!(
            m.changes,
            [
                "configurations \"gv: debug build\": updated",
                "configurations \"gv: core dump\": added",
                "inputs \"gvBinary\": added",
                "inputs \"gvCore\": added",
            ]
        );
        let value = CstRootNode::parse(&m.text, &ParseOptions::default())
            .unwrap()
            .to_serde_value()
            .unwrap();
        let names: Vec<&str> = value["configurations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["mine", EXEC_NAME, CORE_NAME]);
        // Twice: nothing changes the second time.
        let again = merged(&m.text);
        assert!(again.changes.is_empty(), "{:?}", again.changes);
        assert_eq!(again.text, m.text);
    }

    #[test]
    fn what_cannot_be_merged_is_an_error() {
        let err = |text: &str| {
            merge_entries(
                text,
                "0.2.0",
                &[("configurations", "name", configurations(&launch()))],
            )
            .unwrap_err()
        };
        assert_eq!(
            err("{ \"configurations\": {} }"),
            MergeError::NotAnArray("configurations".into())
        );
        assert_eq!(err("[]"), MergeError::NotAnObject);
        assert!(matches!(
            err("{ \"configurations\": [ "),
            MergeError::Syntax(_)
        ));
    }

    #[test]
    fn tasks_build_with_gv_itself() {
        let m = merge_entries("", "2.0.0", &[("tasks", "label", tasks(&launch()))]).unwrap();
        let value: serde_json::Value = serde_json::from_str(&m.text).unwrap();
        let task = &value["tasks"][0];
        assert_eq!(task["label"], TASK_LABEL);
        assert_eq!(task["command"], "/usr/local/bin/gv");
        assert_eq!(
            task["args"],
            serde_json::json!([
                "build",
                "--debug",
                "-o",
                "/home/me/.cache/gv/debug/ab12/app",
                "."
            ])
        );
    }
}
