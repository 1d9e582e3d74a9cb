//! The variables a project's gv.toml may set are the ones the go command reads
//! (`gv_core::vars::GO_COMMAND`): checked against what real SDKs say about themselves —
//! `go help environment` and `internal/cfg.KnownEnv` in their sources — so a Go release
//! that adds a variable fails here until the list has it. README's Security model names
//! every one of them.

use crate::support;

use std::process::Command;

use gv_core::vars::{GO_COMMAND, GoUse, go_var};
use support::{GO_A, GO_B, real_goroot};

/// The variable names `go help environment` documents: each on a line of its own,
/// indented by one tab, several separated by commas (`GOPRIVATE, GONOPROXY, GONOSUMDB`).
fn documented(help: &str) -> Vec<String> {
    let is_name = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    help.lines()
        .filter_map(|l| l.strip_prefix('\t'))
        .filter(|l| !l.starts_with('\t'))
        .filter_map(|l| {
            let names: Vec<&str> = l.trim_end().split(", ").collect();
            names
                .iter()
                .all(|n| is_name(n))
                .then(|| names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        })
        .flatten()
        .collect()
}

#[test]
fn every_variable_go_help_environment_documents_is_listed() {
    for version in [GO_A, GO_B] {
        let goroot = real_goroot(version);
        let home = tempfile::tempdir().unwrap();
        let out = Command::new(goroot.join("bin/go"))
            .args(["help", "environment"])
            .env_clear()
            .env("HOME", home.path())
            .env("GOTELEMETRY", "off")
            .output()
            .expect("run go help environment");
        assert!(out.status.success(), "{out:?}");
        let names = documented(&String::from_utf8_lossy(&out.stdout));
        assert!(
            names.len() > 40 && names.iter().any(|n| n == "GONOSUMDB"),
            "Go {version}: the parser found {names:?}"
        );
        let missing: Vec<&String> = names.iter().filter(|n| go_var(n).is_none()).collect();
        assert!(
            missing.is_empty(),
            "Go {version} documents variables gv_core::vars::GO_COMMAND lacks: {missing:?}"
        );

        // The build's own list of the variables it knows (it decides the build cache).
        let cfg = std::fs::read_to_string(goroot.join("src/internal/cfg/cfg.go")).unwrap();
        let known = cfg
            .split("const KnownEnv = `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .expect("internal/cfg.KnownEnv");
        let missing: Vec<&str> = known
            .split_whitespace()
            .filter(|n| go_var(n).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "Go {version}'s internal/cfg.KnownEnv has variables GO_COMMAND lacks: {missing:?}"
        );
    }
}

#[test]
fn readme_names_every_variable_a_project_may_set() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let security: String = readme
        .lines()
        .skip_while(|l| !l.starts_with("## Security model"))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!security.is_empty(), "README has a Security model section");
    let missing: Vec<&str> = GO_COMMAND
        .iter()
        .filter(|v| matches!(v.used, GoUse::Reads | GoUse::Runtime | GoUse::PassedOn))
        .map(|v| v.name)
        .filter(|n| !security.contains(&format!("`{n}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "README's Security model does not name {missing:?}"
    );
}
