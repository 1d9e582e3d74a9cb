//! Real Go builds for the verify and build tests: one GOCACHE/GOPATH per test process,
//! no network (GOPROXY=off), never a toolchain switch (GOTOOLCHAIN=local).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support;

pub mod proxy;

/// Go 1.25 emits DWARF 5; provisioned on demand like GO_A and GO_B.
pub const GO_DWARF5: &str = "1.25.5";

/// `func divide(a, b int) int`: the function the debugger tests break on. With the
/// argument `panic` it divides by zero in a goroutine while another goroutine sleeps.
pub const DIVIDE: &str = r#"package main

import (
	"fmt"
	"os"
	"time"
)

func divide(a, b int) int {
	return a / b
}

func idle() {
	time.Sleep(time.Hour)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		go idle()
		done := make(chan int)
		go func() { done <- divide(10, 0) }()
		fmt.Println(<-done)
		return
	}
	fmt.Println(divide(10, 2))
}
"#;

pub const DIVIDE_TEST: &str = r#"package main

import "testing"

func TestDivide(t *testing.T) {
	if got := divide(10, 2); got != 5 {
		t.Fatalf("divide(10, 2) = %d", got)
	}
}
"#;

/// The per-process scratch directory: GOCACHE, GOPATH, fixture modules.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("gv-gofixtures-")
            .tempdir()
            .expect("tempdir")
    })
    .path()
}

/// The environment every real Go command in the tests gets.
pub fn go_env() -> Vec<(&'static str, OsString)> {
    let dir = scratch();
    vec![
        ("GOCACHE", dir.join("gocache").into()),
        ("GOPATH", dir.join("gopath").into()),
        ("GOFLAGS", "-modcacherw".into()),
        ("GOPROXY", "off".into()),
        ("GOTOOLCHAIN", "local".into()),
        ("GOTELEMETRY", "off".into()),
    ]
}

/// GOROOT of a real SDK; provisions versions beyond GO_A/GO_B (e.g. 1.25.5) on demand.
pub fn goroot(version: &str) -> PathBuf {
    if version != support::GO_A && version != support::GO_B {
        let root = support::sdk_cache().join("sdk").join(version).join("go");
        if !root.join("bin/go").is_file() {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/provision-go-sdks");
            let out = Command::new(&script)
                .arg(version)
                .output()
                .expect("provision");
            assert!(
                out.status.success(),
                "provisioning Go {version} failed (needs python3 with pip and unzip):\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    support::real_goroot(version)
}

/// A module `example.com/NAME` with one main.go, under the scratch directory.
pub fn module(name: &str, main_go: &str) -> PathBuf {
    let dir = scratch().join("src").join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("go.mod"),
        format!("module example.com/{name}\n\ngo 1.22\n"),
    )
    .expect("write go.mod");
    std::fs::write(dir.join("main.go"), main_go).expect("write main.go");
    dir
}

/// `go build -o OUT ARGS .` in `dir` with a real SDK, straight (no gv involved).
pub fn go_build(
    version: &str,
    dir: &Path,
    out: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> PathBuf {
    let goroot = goroot(version);
    let output = dir.join(out);
    let result = Command::new(goroot.join("bin/go"))
        .arg("build")
        .arg("-o")
        .arg(&output)
        .args(args)
        .arg(".")
        .current_dir(dir)
        .envs(go_env())
        .env("GOROOT", &goroot)
        .envs(env.iter().copied())
        .output()
        .expect("run go build");
    assert!(
        result.status.success(),
        "go build {args:?} failed:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    output
}
