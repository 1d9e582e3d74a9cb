//! Editors that follow the pin: `gv ide vscode --write` merges into a real
//! .vscode/settings.json (comments, trailing commas, an existing go.alternateTools, a
//! read-only file), the go shim it names follows .go-version in a GUI-like environment
//! with real SDKs, `gv ide goland` keeps a per-project GOROOT link current, and `gv doctor`
//! names the editor setting or rc file that disagrees with the selected version.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use support::{GO_A, GO_B, Sandbox, stderr, stdout};

fn sandbox(versions: &[&str], global: &str) -> Sandbox {
    let sb = Sandbox::new();
    for v in versions {
        sb.fake_install(v);
    }
    std::fs::write(sb.root().join("version"), format!("{global}\n")).unwrap();
    sb
}

fn settings(dir: &Path) -> PathBuf {
    dir.join(".vscode/settings.json")
}

const USER_SETTINGS: &str = r#"// Team settings: keep this header
{
    /* formatting */
    "editor.formatOnSave": true,
    "go.goroot": "GOROOT_A", // pinned by hand long ago
    "go.alternateTools": {
        "gopls": "/opt/gopls", // our patched gopls
    },
    "files.exclude": { "**/vendor": true, },
}
"#;

#[test]
fn vscode_write_merges_and_keeps_comments_and_other_settings() {
    let sb = sandbox(&["1.22.3"], "1.22.3");
    let dir = sb.work("p");
    let goroot_a = sb.root().join("versions/1.22.3");
    let original = USER_SETTINGS.replace("GOROOT_A", &goroot_a.display().to_string());
    sb.write("p/.vscode/settings.json", &original);

    let out = sb
        .gv(&dir)
        .args(["ide", "vscode", "--write"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let shim = sb.root().join("shims/go");
    let text = std::fs::read_to_string(settings(&dir)).unwrap();
    for kept in [
        "// Team settings: keep this header",
        "/* formatting */",
        "\"editor.formatOnSave\": true,",
        "\"gopls\": \"/opt/gopls\", // our patched gopls",
        "\"files.exclude\": { \"**/vendor\": true, },",
    ] {
        assert!(text.contains(kept), "lost {kept:?}:\n{text}");
    }
    assert!(!text.contains("go.goroot"), "{text}");
    assert!(
        text.contains(&format!("\"go\": \"{}\"", shim.display())),
        "{text}"
    );
    let report = stdout(&out);
    assert!(report.contains("go.goroot: removed"), "{report}");
    assert!(report.contains("go.alternateTools.go: set to"), "{report}");

    // Again: nothing to do, file untouched.
    let out = sb
        .gv(&dir)
        .args(["ide", "vscode", "--write"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("already follows the pin"),
        "{}",
        stdout(&out)
    );
    assert_eq!(std::fs::read_to_string(settings(&dir)).unwrap(), text);

    // A new project gets a new file.
    let fresh = sb.work("fresh");
    sb.gv(&fresh)
        .args(["ide", "vscode", "--write"])
        .assert()
        .success();
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(settings(&fresh)).unwrap()).unwrap();
    assert_eq!(
        value,
        serde_json::json!({ "go.alternateTools": { "go": shim } })
    );
}

#[test]
fn vscode_write_leaves_a_read_only_or_broken_file_unchanged() {
    let sb = sandbox(&["1.22.3"], "1.22.3");
    let dir = sb.work("p");
    let file = sb.write("p/.vscode/settings.json", "{ // mine\n  \"a\": 1,\n}\n");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = sb
        .gv(&dir)
        .args(["ide", "vscode", "--write"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{} is read-only: gv left it unchanged",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("hint: make it writable"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{ // mine\n  \"a\": 1,\n}\n"
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o444
    );

    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    for broken in [
        "{ \"a\": ",
        "[1, 2]",
        "{ \"go.alternateTools\": \"/usr/bin/go\" }",
    ] {
        std::fs::write(&file, broken).unwrap();
        let out = sb
            .gv(&dir)
            .args(["ide", "vscode", "--write"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{broken}");
        assert!(
            stderr(&out).contains("gv left it unchanged"),
            "{broken}: {}",
            stderr(&out)
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
    }
}

/// What VS Code started from the desktop does: run `go.alternateTools.go` in the
/// workspace folder with no shell hook, no GV_VERSION, a bare PATH. The shim follows
/// .go-version, real SDKs answer.
#[cfg(feature = "real-tests")]
#[test]
fn the_shim_vscode_runs_follows_go_version_without_a_shell() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    sb.real_install(GO_B);
    sb.rehash();
    let dir = sb.work("api");
    sb.gv(&dir).args(["local", GO_A]).assert().success();
    sb.gv(&dir)
        .args(["ide", "vscode", "--write"])
        .assert()
        .success();
    let text = std::fs::read_to_string(settings(&dir)).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let go = PathBuf::from(value["go.alternateTools"]["go"].as_str().unwrap());
    let goroot_seen_by_vscode = || {
        let out = std::process::Command::new(&go)
            .args(["env", "GOROOT", "GOVERSION"])
            .current_dir(&dir)
            .env_clear()
            .env("HOME", sb.path().join("home"))
            .env("GV_ROOT", sb.root())
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(
        goroot_seen_by_vscode(),
        format!(
            "{}\ngo{GO_A}\n",
            sb.root().join("versions").join(GO_A).display()
        )
    );
    sb.gv(&dir).args(["local", GO_B]).assert().success();
    assert_eq!(
        goroot_seen_by_vscode(),
        format!(
            "{}\ngo{GO_B}\n",
            sb.root().join("versions").join(GO_B).display()
        )
    );
}

#[test]
fn goland_gets_a_link_that_follows_the_pin() {
    let sb = sandbox(&["1.22.3", "1.23.1"], "1.23.1");
    let dir = sb.work("api");
    sb.gv(&dir).args(["local", "1.22.3"]).assert().success();
    let out = sb
        .gv(&dir)
        .args(["ide", "goland", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let link = PathBuf::from(report["goroot"].as_str().unwrap());
    assert!(link.starts_with(sb.root().join("ide")), "{report:#}");
    assert!(
        link.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("api-")
    );
    let resolves = |link: &Path| std::fs::canonicalize(link).unwrap();
    assert_eq!(
        resolves(&link),
        resolves(&sb.root().join("versions/1.22.3"))
    );
    let text = stdout(&sb.gv(&dir).args(["ide", "goland"]).output().unwrap());
    assert!(text.contains("Why this path"), "{text}");
    assert!(text.contains(&link.display().to_string()), "{text}");

    // gv local re-points it.
    let out = sb.gv(&dir).args(["local", "1.23.1"]).output().unwrap();
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("now points at Go 1.23.1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        resolves(&link),
        resolves(&sb.root().join("versions/1.23.1"))
    );

    // Edited by hand: doctor says the link is behind, and how to fix it.
    std::fs::write(dir.join(".go-version"), "1.22.3\n").unwrap();
    let out = sb.gv(&dir).args(["doctor", "--json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let goland = problem(&report, "goland");
    assert!(
        goland["message"]
            .as_str()
            .unwrap()
            .contains("points at Go 1.23.1, but the project selects Go 1.22.3"),
        "{goland}"
    );
    assert!(goland["fix"].as_str().unwrap().starts_with("gv ide goland"));

    // Without a project pin: the global default's link.
    let elsewhere = sb.work("elsewhere");
    let out = sb
        .gv(&elsewhere)
        .args(["ide", "goland", "--json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["goroot"],
        sb.root().join("current").display().to_string()
    );
}

fn problem<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name && c["status"] == "problem")
        .unwrap_or_else(|| panic!("no problem `{name}` in {report:#}"))
}

#[test]
fn doctor_names_editor_settings_and_rc_files_that_disagree_with_the_pin() {
    let sb = sandbox(&["1.22.3", "1.23.1"], "1.23.1");
    let dir = sb.work("api");
    sb.gv(&dir).args(["local", "1.23.1"]).assert().success();
    let old = sb.root().join("versions/1.22.3");
    let vscode = sb.write(
        "api/.vscode/settings.json",
        &format!(
            "{{\n  // old\n  \"go.goroot\": \"{}\",\n}}\n",
            old.display()
        ),
    );
    let idea = sb.write(
        "api/.idea/workspace.xml",
        &format!(
            "<project version=\"4\">\n  <component name=\"GOROOT\" url=\"file://{}\" />\n</project>\n",
            old.display()
        ),
    );
    std::fs::write(
        sb.path().join("home/.bashrc"),
        "alias ll='ls -l'\nexport GOROOT=/opt/go\n",
    )
    .unwrap();
    let sub = sb.work("api/internal/x");
    let out = sb
        .gv(&sub)
        .args(["doctor", "--json"])
        .env("GOROOT", "/opt/go")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    let v = problem(&report, "vscode");
    let message = v["message"].as_str().unwrap();
    assert!(message.starts_with(&vscode.display().to_string()), "{v}");
    assert!(
        message.contains("go.goroot is Go 1.22.3")
            && message.contains("Go 1.23.1 is selected here"),
        "{v}"
    );
    assert!(v["fix"].as_str().unwrap().contains("gv ide vscode --write"));

    let g = problem(&report, "goland");
    assert!(
        g["message"]
            .as_str()
            .unwrap()
            .starts_with(&idea.display().to_string()),
        "{g}"
    );
    assert!(
        g["message"].as_str().unwrap().contains("is Go 1.22.3"),
        "{g}"
    );

    let goroot = problem(&report, "goroot");
    assert!(
        goroot["fix"]
            .as_str()
            .unwrap()
            .contains(&format!("{}:2", sb.path().join("home/.bashrc").display())),
        "{goroot}"
    );

    // After `gv ide vscode --write` in the folder, VS Code is fine.
    sb.gv(&dir)
        .args(["ide", "vscode", "--write"])
        .assert()
        .success();
    let out = sb.gv(&sub).args(["doctor", "--json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ok = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "vscode")
        .unwrap();
    assert_eq!(ok["status"], "ok", "{ok}");
    assert!(
        ok["message"].as_str().unwrap().contains("gv's go shim"),
        "{ok}"
    );
}

/// `--launch` merges two debug configurations and their build task into the user's
/// launch.json and tasks.json, keeping what is there, and adds nothing the second time.
#[test]
fn vscode_launch_merges_debug_configurations_and_the_build_task() {
    let sb = sandbox(&["1.22.3"], "1.22.3");
    let dir = sb.work("p");
    std::fs::create_dir_all(dir.join("cmd/app")).unwrap();
    let mine = r#"{
  // my own
  "version": "0.2.0",
  "configurations": [
    { "name": "tests", "type": "go", "request": "launch", "mode": "test", }, // keep
  ],
}
"#;
    sb.write("p/.vscode/launch.json", mine);
    let out = sb
        .gv(&dir)
        .args(["ide", "vscode", "--launch", "./cmd/app"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("configurations \"gv: debug build\": added"),
        "{text}"
    );
    assert!(
        text.contains("tasks \"gv: build --debug\": added"),
        "{text}"
    );
    let launch = std::fs::read_to_string(dir.join(".vscode/launch.json")).unwrap();
    assert!(
        launch.contains("// my own") && launch.contains("}, // keep"),
        "{launch}"
    );
    let value = jsonc_parser::cst::CstRootNode::parse(&launch, &Default::default())
        .unwrap()
        .to_serde_value()
        .unwrap();
    let configs = value["configurations"].as_array().unwrap();
    assert_eq!(configs.len(), 3);
    let exec = &configs[1];
    assert_eq!(exec["mode"], "exec");
    let program = exec["program"].as_str().unwrap();
    assert!(
        program.starts_with(&sb.path().join("cache/gv/debug").display().to_string()),
        "{program}"
    );
    assert!(program.ends_with("/app"), "{program}");
    assert_eq!(
        exec["env"]["GOROOT"],
        sb.root().join("versions/1.22.3").display().to_string()
    );
    let core = &configs[2];
    assert_eq!(core["mode"], "core");
    let xdg = core["env"]["XDG_CONFIG_HOME"].as_str().unwrap();
    let dlv = std::fs::read_to_string(Path::new(xdg).join("dlv/config.yml")).unwrap();
    assert!(
        dlv.contains(&format!(
            "debug-info-directories: [\"{}\"",
            sb.root().join("symbols").display()
        )),
        "{dlv}"
    );
    let tasks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".vscode/tasks.json")).unwrap())
            .unwrap();
    assert_eq!(tasks["tasks"][0]["args"][4], "./cmd/app");
    assert_eq!(tasks["tasks"][0]["args"][3], program);
    let again = sb
        .gv(&dir)
        .args(["ide", "vscode", "--launch", "./cmd/app"])
        .output()
        .unwrap();
    assert!(
        stdout(&again).contains("already has gv's entries"),
        "{}",
        stdout(&again)
    );
    assert!(!stdout(&again).contains("added"), "{}", stdout(&again));
}
