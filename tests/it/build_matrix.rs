//! gv build, gv test and gv run accept what go build, go test and go run accept, and
//! write what they write: each invocation shape runs with plain go (the same real SDK)
//! in one copy of a module and with gv (`--debug`) in another, and the two must agree on
//! success and on every file written. gv must also verify what there is to verify: each
//! main package built, each test binary.

use crate::gofixtures;
use crate::support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use support::{GO_A, Sandbox};

/// Two main packages, a library with tests, and two packages named `util` (so two test
/// binaries named util.test, which go test takes and go test -c refuses).
const MODULE: &[(&str, &str)] = &[
    ("go.mod", "module example.com/m\n\ngo 1.22\n"),
    (
        "cmd/app/main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/m/lib\"\n)\n\nfunc main() { fmt.Println(\"app\", lib.Answer()) }\n",
    ),
    (
        "cmd/tool/main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"tool\") }\n",
    ),
    (
        "lib/lib.go",
        "package lib\n\nfunc Answer() int { return 42 }\n",
    ),
    (
        "lib/lib_test.go",
        "package lib\n\nimport \"testing\"\n\nfunc TestAnswer(t *testing.T) {\n\tif Answer() != 42 {\n\t\tt.Fatal(Answer())\n\t}\n}\n",
    ),
    (
        "a/util/util.go",
        "package util\n\nfunc A() int { return 1 }\n",
    ),
    (
        "a/util/util_test.go",
        "package util\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {\n\tif A() != 1 {\n\t\tt.Fatal()\n\t}\n}\n",
    ),
    (
        "b/util/util.go",
        "package util\n\nfunc B() int { return 2 }\n",
    ),
    (
        "b/util/util_test.go",
        "package util\n\nimport \"testing\"\n\nfunc TestB(t *testing.T) {\n\tif B() != 2 {\n\t\tt.Fatal()\n\t}\n}\n",
    ),
];

fn sandbox() -> &'static Sandbox {
    static SANDBOX: OnceLock<Sandbox> = OnceLock::new();
    SANDBOX.get_or_init(|| {
        let sandbox = Sandbox::new();
        sandbox.real_install(GO_A);
        sandbox.write("matrix/.go-version", &format!("{GO_A}\n"));
        sandbox
    })
}

/// A fresh copy of the module under the sandbox's work/matrix/.
fn module(name: &str) -> PathBuf {
    let dir = sandbox().work("matrix").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in MODULE {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    dir
}

/// Every file and directory under `dir`, relative.
fn tree(dir: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            out.insert(path.strip_prefix(root).unwrap().display().to_string());
            if path.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

struct Ran {
    out: Output,
    written: BTreeSet<String>,
}

fn ran(dir: &Path, run: impl FnOnce(&Path) -> Output) -> Ran {
    let before = tree(dir);
    let out = run(dir);
    let written = tree(dir).difference(&before).cloned().collect();
    Ran { out, written }
}

fn go(dir: &Path, args: &[&str]) -> Ran {
    let goroot = support::real_goroot(GO_A);
    ran(dir, |dir| {
        std::process::Command::new(goroot.join("bin/go"))
            .args(args)
            .current_dir(dir)
            .envs(gofixtures::go_env())
            .env("GOROOT", &goroot)
            .output()
            .expect("go")
    })
}

fn gv(dir: &Path, args: &[&str]) -> Ran {
    let (command, rest) = args.split_first().unwrap();
    ran(dir, |dir| {
        sandbox()
            .gv(dir)
            .envs(gofixtures::go_env())
            .arg(command)
            .arg("--debug")
            .args(rest)
            .output()
            .expect("gv")
    })
}

/// One row: the go arguments, whether go succeeds, and how many binaries gv verifies.
type Row<'a> = (&'a [&'a str], bool, usize);

fn check(rows: &[Row<'_>]) {
    let mut failures = Vec::new();
    for (i, (args, succeeds, verified)) in rows.iter().enumerate() {
        let name = format!("{}-{i}", args[0]);
        let with_go = go(&module(&format!("{name}-go")), args);
        let with_gv = gv(&module(&format!("{name}-gv")), args);
        let err = support::stderr(&with_gv.out);
        let said = format!(
            "go {args:?}: {:?}\n{}\ngv: {:?}\n{err}",
            with_go.out.status,
            support::stderr(&with_go.out),
            with_gv.out.status
        );
        if with_go.out.status.success() != *succeeds {
            failures.push(format!("the row is wrong about go: {said}"));
            continue;
        }
        if with_gv.out.status.success() != *succeeds {
            failures.push(format!("gv and go disagree: {said}"));
            continue;
        }
        if with_go.written != with_gv.written {
            failures.push(format!(
                "{args:?}: go wrote {:?}, gv wrote {:?}\n{err}",
                with_go.written, with_gv.written
            ));
        }
        let lines = err
            .lines()
            .filter(|l| l.starts_with("gv: verified "))
            .count();
        if *succeeds && lines != *verified {
            failures.push(format!(
                "{args:?}: {lines} verified, not {verified}:\n{err}"
            ));
        }
        if args[0] == "run"
            && *succeeds
            && support::stdout(&with_go.out) != support::stdout(&with_gv.out)
        {
            failures.push(format!(
                "{args:?}: go run printed {:?}, gv run {:?}",
                support::stdout(&with_go.out),
                support::stdout(&with_gv.out)
            ));
        }
        // Nothing to verify is said once, not per package.
        if err.matches("not a main package").count() > 1 {
            failures.push(format!("{args:?}: said more than once:\n{err}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn gv_build_accepts_what_go_build_accepts() {
    check(&[
        // One main package: its binary in the current directory.
        (&["build", "./cmd/app"], true, 1),
        (&["build", "./cmd/app/main.go"], true, 1),
        // One non-main package: compiled, nothing written, nothing to verify.
        (&["build", "./lib"], true, 0),
        // Several packages: go keeps nothing; gv verifies each main package.
        (&["build", "./..."], true, 2),
        (&["build", "./cmd/app", "./lib"], true, 1),
        // -o to a directory that does not exist yet, and to a file in one.
        (&["build", "-o", "out/bin/", "./cmd/..."], true, 2),
        (&["build", "-o", "out/", "./..."], true, 2),
        (&["build", "-o", "bin/app", "./cmd/app"], true, 1),
        // A non-main package with -o FILE: go writes its archive.
        (&["build", "-o", "lib.a", "./lib"], true, 0),
        (&["build", "-o", "/dev/null", "./cmd/app"], true, 1),
        // What go refuses, gv refuses, writing nothing.
        (&["build", "-o", "app", "./..."], false, 0),
        (&["build", "-o", "none/", "./lib"], false, 0),
        (&["build", "./nosuch"], false, 0),
    ]);
}

#[test]
fn gv_test_accepts_what_go_test_accepts() {
    check(&[
        (&["test", "./lib"], true, 1),
        // Every package, two of them with test binaries of the same name.
        (&["test", "./..."], true, 3),
        // A main package without tests: go says so, nothing to verify.
        (&["test", "./cmd/app"], true, 0),
        // -o keeps the test binaries: a new directory, or one file.
        (&["test", "-o", "tbin/", "./lib", "./a/util"], true, 2),
        (&["test", "-o", "lib.test", "./lib"], true, 1),
        (&["test", "-o", "x.test", "./lib", "./a/util"], false, 0),
        (&["test", "-o", "tbin/", "./..."], false, 0),
    ]);
}

#[test]
fn gv_run_accepts_what_go_run_accepts() {
    check(&[
        (&["run", "./cmd/app"], true, 1),
        (&["run", "./cmd/app/main.go"], true, 1),
        (&["run", "./lib"], false, 0),
        (&["run", "./cmd/..."], false, 0),
    ]);
}

/// A failing test in one package of several: every package still runs, each result is
/// reported on a line as go test reports it, and the exit code is go test's 1.
#[test]
fn gv_test_of_several_packages_runs_them_all_and_fails_like_go_test() {
    let dir = module("test-fails");
    std::fs::write(
        dir.join("a/util/util_test.go"),
        "package util\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) { t.Fatal(\"broken\") }\n",
    )
    .unwrap();
    let with_gv = gv(&dir, &["test", "./..."]);
    let out = support::stdout(&with_gv.out);
    assert_eq!(with_gv.out.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL\texample.com/m/a/util\t"), "{out}");
    assert!(out.contains("ok  \texample.com/m/b/util\t"), "{out}");
    assert!(out.contains("ok  \texample.com/m/lib\t"), "{out}");
    assert!(with_gv.written.is_empty(), "{:?}", with_gv.written);
}
