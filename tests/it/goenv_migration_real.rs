//! Moving from goenv, end to end, as README's "Coming from goenv" tells it (issue 22): a
//! HOME where goenv is installed under a custom GOENV_ROOT and initialised in `.bashrc`,
//! with a tool `go install`ed by real Go into goenv's per-version GOPATH; then
//! `gv import goenv`, the start-up file change it prints, and a new real bash that runs the
//! right Go and the old tool from gv's shared GOBIN.
//!
//! goenv's code is not part of this repository. Its init is played by a stand-in that
//! exports what goenv 2.2.44's `eval "$(goenv init -)"` was recorded exporting in a
//! directory pinned to 1.21.13: `GOPATH=$HOME/go/1.21.13`,
//! `GOROOT=$GOENV_ROOT/versions/1.21.13`, and `$GOENV_ROOT/shims` on PATH (at the front
//! with `GOENV_PATH_ORDER=front`).

use crate::gofixtures;
use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use gofixtures::proxy::{self, ModuleVersion};
use support::{GO_A, GO_B, Sandbox, stderr, stdout};

fn executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_goenv_user_moves_over_in_one_step_and_keeps_their_tools() {
    let sb = Sandbox::new();
    let home = sb.path().join("home");
    let goenv_root = home.join("tools/goenv");
    for v in [GO_A, GO_B] {
        std::fs::create_dir_all(goenv_root.join("versions")).unwrap();
        let status = Command::new("cp")
            .arg("-al")
            .arg(support::real_goroot(v))
            .arg(goenv_root.join("versions").join(v))
            .status()
            .unwrap();
        assert!(status.success());
    }
    std::fs::write(goenv_root.join("version"), format!("{GO_B}:{GO_A}\n")).unwrap();
    // goenv's shim: what `go` is while goenv is set up.
    executable(
        &goenv_root.join("shims/go"),
        "#!/bin/sh\necho \"goenv's shim\"\n",
    );
    // The stand-in for goenv's init (see the module comment).
    executable(
        &goenv_root.join("bin/goenv"),
        &format!(
            "#!/bin/sh\necho 'export PATH=\"$GOENV_ROOT/shims:$PATH\"'\necho 'export GOPATH=\"$HOME/go/{GO_A}\"'\necho 'export GOROOT=\"$GOENV_ROOT/versions/{GO_A}\"'\n"
        ),
    );
    let bashrc = home.join(".bashrc");
    std::fs::write(
        &bashrc,
        "# my settings\nexport GOENV_ROOT=\"$HOME/tools/goenv\"\nexport PATH=\"$GOENV_ROOT/bin:$PATH\"\neval \"$(goenv init -)\"\nalias ll='ls -l'\n",
    )
    .unwrap();

    // A tool goenv's Go A installed into its per-version GOPATH.
    let proxy = proxy::write(
        &sb.path().join("proxy"),
        &[ModuleVersion {
            module: "example.com/greet",
            version: "v1.0.0",
            files: vec![("main.go", proxy::hello_command("greet", "v1.0.0"))],
        }],
    );
    let go_vars = proxy::go_vars(&proxy, &sb.path().join("modcache"));
    let out = Command::new(goenv_root.join("versions").join(GO_A).join("bin/go"))
        .args(["install", "example.com/greet@v1.0.0"])
        .current_dir(&home)
        .env_clear()
        .env("HOME", &home)
        .env("PATH", "/usr/bin:/bin")
        .env("GOPATH", home.join("go").join(GO_A))
        .envs(go_vars.iter().cloned())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(home.join("go").join(GO_A).join("bin/greet").is_file());

    let gv_dir = assert_cmd::cargo::cargo_bin("gv")
        .parent()
        .unwrap()
        .to_path_buf();
    let bash = |script: &str| {
        let out = Command::new("bash")
            .args(["-c", &format!("source ~/.bashrc; {script}")])
            .current_dir(sb.work("p"))
            .env_clear()
            .envs(sb.env())
            .env("PATH", format!("{}:/usr/bin:/bin", gv_dir.display()))
            .envs(go_vars.iter().cloned())
            .output()
            .unwrap();
        assert!(out.status.success(), "{script}: {}", stderr(&out));
        stdout(&out)
    };
    // Before: goenv decides, and its GOPATH would take gv's shared GOBIN with it.
    assert_eq!(bash("go version"), "goenv's shim\n");

    // The one step, run from a shell goenv set up (its GOENV_ROOT exported).
    let text = bash("gv import goenv");
    let shared_gobin = home.join("go/bin");
    assert!(
        text.contains(&format!("global default set to {GO_B}:{GO_A} (from goenv)")),
        "{text}"
    );
    // Rebuilt by the Go now selected, into the shared GOBIN (not goenv's GOPATH: the
    // import reads your own GOPATH as goenv's, and rebuilds where gv's GOBIN will be).
    assert!(
        text.contains("tool greet rebuilt from example.com/greet@v1.0.0 into"),
        "{text}"
    );

    // Follow the printed change: every line it names goes, or is replaced.
    let mut lines: Vec<String> = std::fs::read_to_string(&bashrc)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let mut edits = Vec::new();
    let printed: Vec<&str> = text.lines().collect();
    let prefix = format!("  {}:", bashrc.display());
    for (i, line) in printed.iter().enumerate() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        let number: usize = rest.split(':').next().unwrap().parse().unwrap();
        let what = printed[i + 1].trim();
        let with = what.strip_prefix("replace with: ").map(str::to_string);
        assert!(with.is_some() || what == "remove it", "{text}");
        edits.push((number, with));
    }
    assert_eq!(
        edits.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [2, 3, 4],
        "{text}"
    );
    for (number, with) in edits.into_iter().rev() {
        match with {
            Some(with) => lines[number - 1] = with,
            None => {
                lines.remove(number - 1);
            }
        }
    }
    std::fs::write(&bashrc, lines.join("\n") + "\n").unwrap();

    // A new bash: gv's Go, and the old tool from the shared GOBIN.
    assert_eq!(
        bash("go version"),
        format!("go version go{GO_B} linux/amd64\n")
    );
    assert_eq!(
        bash("command -v greet"),
        format!("{}\n", shared_gobin.join("greet").display())
    );
    assert_eq!(bash("greet"), "greet v1.0.0\n");
    // And doctor has nothing of goenv's left to say.
    let doctor = bash("gv doctor || true");
    assert!(!doctor.contains("goenv"), "{doctor}");
}
