//! `gv tools` with real Go SDKs and a `file://` module proxy written by the tests: tools
//! built with one Go go stale when the project moves to a newer one, `reinstall --stale`
//! rebuilds exactly those, `install` takes short names, and a `dlv` whose build info names
//! a delve release is checked against the Go selected here.

use crate::gofixtures;
use crate::support;

use std::path::{Path, PathBuf};

use gofixtures::proxy::{self, ModuleVersion};
use support::{GO_A, GO_B, Sandbox, stderr, stdout};

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A sandbox with both real SDKs, the global default on `global`, and a proxy serving
/// greet v1.0.0, wave v1.0.0 + v1.1.0 and the stand-in delve v1.20.2 + v1.23.0.
struct World {
    sb: Sandbox,
    proxy: PathBuf,
}

impl World {
    fn new(global: &str) -> World {
        let sb = Sandbox::new();
        sb.real_install(GO_A);
        sb.real_install(GO_B);
        std::fs::write(sb.root().join("version"), format!("{global}\n")).unwrap();
        sb.rehash();
        let hello = |module: &str, version: &str| ModuleVersion {
            module: "",
            version: "",
            files: vec![(
                "main.go",
                proxy::hello_command(module.rsplit('/').next().unwrap(), version),
            )],
        };
        let mut versions = Vec::new();
        for (module, version) in [
            ("example.com/greet", "v1.0.0"),
            ("example.com/wave", "v1.0.0"),
            ("example.com/wave", "v1.1.0"),
        ] {
            versions.push(ModuleVersion {
                module,
                version,
                ..hello(module, version)
            });
        }
        for version in ["v1.20.2", "v1.23.0"] {
            versions.push(ModuleVersion {
                module: "github.com/go-delve/delve",
                version,
                files: vec![("cmd/dlv/main.go", proxy::stand_in_dlv(version))],
            });
        }
        let proxy = proxy::write(&sb.path().join("proxy"), &versions);
        World { sb, proxy }
    }

    fn gobin(&self) -> PathBuf {
        self.sb.path().join("home/go/bin")
    }

    fn gv(&self, dir: &Path, args: &[&str]) -> std::process::Output {
        self.sb
            .gv(dir)
            .args(args)
            .envs(proxy::go_vars(
                &self.proxy,
                &self.sb.path().join("modcache"),
            ))
            .output()
            .expect("run gv")
    }

    fn tools(&self, dir: &Path, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["tools", "--json"];
        args.extend(extra);
        json(&self.gv(dir, &args))
    }
}

fn tool<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report:#}"))
}

#[test]
fn switching_to_a_newer_go_marks_tools_stale_and_reinstall_stale_rebuilds_them() {
    let w = World::new(GO_A);
    let dir = w.sb.work("p");
    let out = w.gv(&dir, &["local", GO_A]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = w.gv(
        &dir,
        &[
            "tools",
            "install",
            "example.com/greet@v1.0.0",
            "example.com/wave@1.0.0",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "installed greet (example.com/greet@v1.0.0, go{GO_A}) in {}",
            w.gobin().display()
        )),
        "{text}"
    );
    assert!(w.gobin().join("wave").is_file());

    // Under Go A: greet is current; wave is behind v1.1.0 in the proxy.
    let report = w.tools(&dir, &[]);
    assert_eq!(report["selected"], GO_A);
    assert_eq!(tool(&report, "greet")["stale"], false);
    assert_eq!(tool(&report, "greet")["newest"], "v1.0.0");
    let wave = tool(&report, "wave");
    assert_eq!(wave["stale"], true);
    assert_eq!(wave["reasons"][0]["kind"], "module-behind");
    assert_eq!(wave["reasons"][0]["newest"], "v1.1.0");
    // --offline does not ask the proxy.
    let offline = w.tools(&dir, &["--offline"]);
    assert_eq!(tool(&offline, "wave")["stale"], false);
    assert_eq!(tool(&offline, "wave")["newest"], serde_json::Value::Null);

    // The project moves to Go B: both tools were built by an older Go.
    let out = w.gv(&dir, &["local", GO_B]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = w.gv(&dir, &["tools"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(
        table.contains(&format!(
            "stale: built by go{GO_A}, older than Go {GO_B} selected here"
        )),
        "{table}"
    );
    assert!(
        stderr(&out).contains("2 stale tool(s): rebuild them with `gv tools reinstall --stale`"),
        "{}",
        stderr(&out)
    );

    // Once Go A is uninstalled, that is a second reason, said as such.
    let out = w.gv(&dir, &["uninstall", GO_A, "--yes"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = w.tools(&dir, &[]);
    let kinds: Vec<&str> = tool(&report, "greet")["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["older-go", "go-not-installed"], "{report:#}");

    let out = w.gv(&dir, &["tools", "reinstall", "--stale"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "rebuilt greet (example.com/greet@v1.0.0): go{GO_A} -> go{GO_B}"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "rebuilt wave (example.com/wave@v1.1.0): go{GO_A} -> go{GO_B}; \
             upgraded v1.0.0 -> v1.1.0, the newest in the proxy\n"
        )),
        "the module behind is rebuilt at the newest version, and says so: {text}"
    );
    let report = w.tools(&dir, &[]);
    for name in ["greet", "wave"] {
        assert_eq!(tool(&report, name)["go_version"], format!("go{GO_B}"));
        assert_eq!(tool(&report, name)["stale"], false, "{report:#}");
    }
    assert_eq!(tool(&report, "wave")["module_version"], "v1.1.0");
    let run = std::process::Command::new(w.gobin().join("wave"))
        .output()
        .unwrap();
    assert_eq!(stdout(&run), "wave v1.1.0\n");

    let out = w.gv(&dir, &["tools", "reinstall", "--stale"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("no stale tools in"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn install_takes_short_names_and_refuses_what_is_not_a_target() {
    let w = World::new(GO_A);
    let dir = w.sb.work("p");
    for (arg, message) in [
        ("nope", "`nope` is not a short name gv knows"),
        ("example.com/greet", "`example.com/greet` has no version"),
        ("-toolexec=/bin/sh", "starts with `-`"),
        ("dlv@-x", "is not a module version"),
    ] {
        let out = w.gv(&dir, &["tools", "install", "--", arg]);
        assert_eq!(out.status.code(), Some(2), "{arg}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{arg}: {}", stderr(&out));
    }
    assert!(!w.gobin().exists(), "nothing was built");
}

#[test]
fn a_dlv_too_old_for_the_selected_go_is_reported_at_install() {
    let w = World::new(GO_A);
    let dir = w.sb.work("p");
    let out = w.gv(&dir, &["tools", "install", "dlv@1.20.2"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "delve v1.20.2 is too old for Go {GO_A}: it debugs Go up to 1.20"
        )),
        "{err}"
    );
    assert!(err.contains("gv tools install dlv@latest"), "{err}");
    let report = w.tools(&dir, &["--offline"]);
    let dlv = tool(&report, "dlv");
    assert_eq!(dlv["module"], "github.com/go-delve/delve");
    assert_eq!(dlv["package"], "github.com/go-delve/delve/cmd/dlv");
    assert_eq!(dlv["module_version"], "v1.20.2");

    // The short name alone is @latest: the stand-in v1.23.0, which supports 1.21-1.23.
    let out = w.gv(&dir, &["tools", "install", "dlv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!(
            "installed dlv (github.com/go-delve/delve@v1.23.0, go{GO_A})"
        )),
        "{}",
        stdout(&out)
    );
}

/// Build info is outside input: a tool whose recorded package path starts with `-` is
/// never handed to go (it would be read as an option).
#[test]
fn a_forged_build_info_path_is_refused_not_run() {
    let w = World::new(GO_A);
    let dir = w.sb.work("p");
    let out = w.gv(&dir, &["tools", "install", "example.com/greet@v1.0.0"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let binary = w.gobin().join("greet");
    let mut bytes = std::fs::read(&binary).unwrap();
    let needle = b"path\texample.com/greet";
    // The module text is in the build-info section and in a copy the runtime keeps:
    // change every one.
    let hits: Vec<usize> = bytes
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect();
    assert!(!hits.is_empty(), "build info path line");
    for at in hits {
        bytes[at + 5] = b'-';
    }
    std::fs::write(&binary, &bytes).unwrap();
    let report = w.tools(&dir, &["--offline"]);
    assert_eq!(tool(&report, "greet")["package"], "-xample.com/greet");
    assert_eq!(tool(&report, "greet")["install"], serde_json::Value::Null);

    let out = w.gv(&dir, &["tools", "reinstall", "greet"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "skipping greet: `-xample.com/greet` is not an import path: it starts with `-`"
        ),
        "{err}"
    );
    assert!(!err.contains("go install"), "go never ran: {err}");
    assert_eq!(std::fs::read(&binary).unwrap(), bytes, "left as it was");
}

/// After moving a project to a newer Go, `gv doctor` names each stale tool and a dlv that
/// cannot debug the new Go, one line each with the fix (offline: Go versions only).
#[test]
fn doctor_names_stale_tools_and_a_dlv_too_old_for_the_selected_go() {
    let w = World::new(GO_A);
    let dir = w.sb.work("p");
    assert!(w.gv(&dir, &["local", GO_A]).status.success());
    let out = w.gv(
        &dir,
        &["tools", "install", "example.com/greet@v1.0.0", "dlv@1.20.2"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "dlv 1.20 cannot debug Go 1.22: {}",
        stderr(&out)
    );
    let doctor = |dir: &Path| -> serde_json::Value {
        let out = w.gv(dir, &["doctor", "--json"]);
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let lines = |report: &serde_json::Value, name: &str| -> Vec<serde_json::Value> {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["name"] == name)
            .cloned()
            .collect()
    };
    let report = doctor(&dir);
    let dlv = &lines(&report, "dlv")[0];
    assert_eq!(dlv["status"], "warning", "{report:#}");
    assert!(
        dlv["message"]
            .as_str()
            .unwrap()
            .contains(&format!("delve v1.20.2 is too old for Go {GO_A}")),
        "{dlv}"
    );
    assert!(
        dlv["fix"]
            .as_str()
            .unwrap()
            .starts_with("gv tools install dlv")
    );

    // A newer dlv, then the move to Go B: greet and dlv are stale, one line each; the
    // dlv v1.23.0 still supports Go 1.23.
    assert!(w.gv(&dir, &["tools", "install", "dlv"]).status.success());
    assert!(w.gv(&dir, &["local", GO_B]).status.success());
    let report = doctor(&dir);
    let tools = lines(&report, "tools");
    let messages: Vec<&str> = tools
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert_eq!(tools.len(), 2, "{messages:?}");
    assert!(
        messages.contains(
            &format!("greet: built by go{GO_A}, older than Go {GO_B} selected here").as_str()
        ),
        "{messages:?}"
    );
    assert!(tools.iter().all(|c| c["status"] == "problem"));
    assert!(
        tools[0]["fix"]
            .as_str()
            .unwrap()
            .contains("gv tools reinstall --stale"),
        "{tools:?}"
    );
    assert_eq!(lines(&report, "dlv")[0]["status"], "ok", "{report:#}");
    assert!(
        w.gv(&dir, &["tools", "reinstall", "--stale", "--offline"])
            .status
            .success()
    );
    let report = doctor(&dir);
    let tools = lines(&report, "tools");
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0]["status"], "ok", "{tools:?}");
}
