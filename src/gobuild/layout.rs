//! Where go writes and where each binary lands: the go commands to run (usually one)
//! and, for each, the `-o` that makes go write into gv's staging directory; decided from
//! the mode, the user's `-o` and the packages, exactly as the go command would place its
//! output (cmd/go's `runBuild` and `runTest`):
//!
//! - `go build` of one main package writes it to the current directory; of anything else
//!   (one non-main package, several packages) it compiles and discards. gv does the same,
//!   and still verifies every main package it built.
//! - `-o DIR/` (or an existing directory) takes every main package; `-o FILE` one package.
//! - `go test -c` writes one test binary per package with tests; gv runs them and keeps
//!   none unless `-o` says where.
//!
//! Invocations go itself refuses (`-o FILE` for several packages, `-o DIR/` without a
//! main package) are passed on as typed, so go says why in its own words.

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::Mode;
use super::packages::Package;

/// What one go command is told about its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Out {
    /// No `-o`: go build compiles and keeps nothing.
    Nothing,
    /// `-o STAGE/SUB/`: every binary, under go's own names.
    Dir(String),
    /// `-o STAGE/NAME`: the one package's output.
    File(String),
    /// The user's `-o`, unchanged: go refuses it and says why.
    AsGiven(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub out: Out,
    pub packages: Vec<String>,
}

/// Where the binaries go once they pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// Into this directory, under the names go gave them.
    Dir(PathBuf),
    /// At this path (one binary).
    File(PathBuf),
    /// Nowhere: verified (and, for test and run, run), then removed.
    Nowhere,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub invocations: Vec<Invocation>,
    pub landing: Landing,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LayoutError {
    #[error("{0} is not a main package: there is no program to run")]
    RunNotMain(String),
    #[error("gv run runs one main package, and {0} packages were named")]
    RunSeveral(usize),
}

impl gv_core::error::Hint for LayoutError {
    fn hint(&self) -> Option<String> {
        Some(
            match self {
                LayoutError::RunNotMain(_) => {
                    "name a main package (`gv run ./cmd/app`); `gv build` compiles any package"
                }
                LayoutError::RunSeveral(_) => {
                    "name one (`gv run ./cmd/app`); `gv build -o DIR/ ./...` builds them all"
                }
            }
            .to_string(),
        )
    }
}

/// The layout for `packages` (as go list saw the user's `patterns`) and the user's `-o`.
pub fn decide(
    mode: Mode,
    output: Option<&str>,
    patterns: &[String],
    packages: &[Package],
    workdir: &Path,
) -> Result<Layout, LayoutError> {
    let given = |out: Out| Invocation {
        out,
        packages: patterns.to_vec(),
    };
    let to = |o: &str| Output::of(o, workdir);
    let layout = |invocations, landing| Layout {
        invocations,
        landing,
    };
    Ok(match mode {
        Mode::Build => {
            let mains = packages.iter().filter(|p| p.is_main()).count();
            let others: Vec<String> = packages
                .iter()
                .filter(|p| !p.is_main())
                .map(|p| p.import_path.clone())
                .collect();
            match output.map(to) {
                None if packages.len() == 1 && mains == 1 => layout(
                    vec![given(Out::Dir(String::new()))],
                    Landing::Dir(workdir.to_path_buf()),
                ),
                None | Some(Output::Null) if mains == 0 => {
                    layout(vec![given(Out::Nothing)], Landing::Nowhere)
                }
                // go discards what it builds here; gv verifies the main packages first.
                // `-o DIR/` skips the other packages, which go build still compiles.
                None | Some(Output::Null) => {
                    let mut runs = vec![given(Out::Dir(String::new()))];
                    if !others.is_empty() {
                        runs.push(Invocation {
                            out: Out::Nothing,
                            packages: others,
                        });
                    }
                    layout(runs, Landing::Nowhere)
                }
                Some(Output::Dir(_)) if mains == 0 => refused(output, patterns),
                Some(Output::Dir(dir)) => {
                    layout(vec![given(Out::Dir(String::new()))], Landing::Dir(dir))
                }
                Some(Output::File(_, _)) if packages.len() != 1 => refused(output, patterns),
                Some(Output::File(path, name)) => {
                    layout(vec![given(Out::File(name))], Landing::File(path))
                }
            }
        }
        Mode::Test => {
            let groups = by_unique_name(packages);
            let clash = groups.len() > 1;
            let staged = |landing| {
                if groups.len() <= 1 {
                    layout(vec![given(Out::Dir(String::new()))], landing)
                } else {
                    // go test -c refuses two test binaries of one name in one directory;
                    // plain go test does not mind, so neither does gv test.
                    let runs = groups
                        .into_iter()
                        .enumerate()
                        .map(|(i, group)| Invocation {
                            out: Out::Dir(i.to_string()),
                            packages: group,
                        })
                        .collect();
                    layout(runs, landing)
                }
            };
            match output.map(to) {
                // One package: `-o FILE`, which every Go version takes (`-o DIR/` came
                // with Go 1.21, as did test binaries for several packages).
                None | Some(Output::Null) if packages.len() == 1 => layout(
                    vec![given(Out::File(packages[0].test_binary_name()))],
                    Landing::Nowhere,
                ),
                None | Some(Output::Null) => staged(Landing::Nowhere),
                Some(Output::Dir(_)) if clash => refused(output, patterns),
                Some(Output::Dir(dir)) => staged(Landing::Dir(dir)),
                Some(Output::File(_, _)) if packages.len() > 1 => refused(output, patterns),
                Some(Output::File(path, name)) => {
                    layout(vec![given(Out::File(name))], Landing::File(path))
                }
            }
        }
        Mode::Run => {
            let [package] = packages else {
                return Err(LayoutError::RunSeveral(packages.len()));
            };
            if !package.is_main() {
                return Err(LayoutError::RunNotMain(package.label()));
            }
            match output.map(to) {
                None | Some(Output::Null) => {
                    layout(vec![given(Out::Dir(String::new()))], Landing::Nowhere)
                }
                Some(Output::Dir(dir)) => {
                    layout(vec![given(Out::Dir(String::new()))], Landing::Dir(dir))
                }
                Some(Output::File(path, name)) => {
                    layout(vec![given(Out::File(name))], Landing::File(path))
                }
            }
        }
    })
}

fn refused(output: Option<&str>, patterns: &[String]) -> Layout {
    Layout {
        invocations: vec![Invocation {
            out: Out::AsGiven(output.unwrap_or_default().to_string()),
            packages: patterns.to_vec(),
        }],
        landing: Landing::Nowhere,
    }
}

/// The user's `-o`, read as go reads it.
enum Output {
    /// The null device (`/dev/null`, `NUL` on Windows): build, write nothing.
    Null,
    Dir(PathBuf),
    /// The path and its file name.
    File(PathBuf, String),
}

impl Output {
    fn of(o: &str, workdir: &Path) -> Output {
        let path = workdir.join(o);
        if gv_core::platform::is_null_device(o) {
            Output::Null
        } else if o.ends_with(std::path::is_separator) || path.is_dir() {
            Output::Dir(path)
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| o.to_string());
            Output::File(path, name)
        }
    }
}

/// Import paths in groups whose test binaries have different names.
fn by_unique_name(packages: &[Package]) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<&Package>> = Vec::new();
    for package in packages {
        let name = package.test_binary_name();
        match groups
            .iter_mut()
            .find(|g| g.iter().all(|p| p.test_binary_name() != name))
        {
            Some(group) => group.push(package),
            None => groups.push(vec![package]),
        }
    }
    groups
        .into_iter()
        .map(|g| g.into_iter().map(|p| p.import_path.clone()).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gobuild::packages::package;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn here() -> PathBuf {
        PathBuf::from("/nonexistent-gv-test/p")
    }

    fn decided(mode: Mode, output: Option<&str>, packages: &[Package]) -> Layout {
        decide(mode, output, &s(&["./..."]), packages, &here()).unwrap()
    }

    fn outs(layout: &Layout) -> Vec<(Out, Vec<String>)> {
        layout
            .invocations
            .iter()
            .map(|i| (i.out.clone(), i.packages.clone()))
            .collect()
    }

    #[test]
    fn build_places_output_where_go_build_does() {
        let app = package("example.com/m", "main", false);
        let lib = package("example.com/m/lib", "lib", false);
        let tool = package("example.com/m/cmd/tool", "main", false);
        let dir = Out::Dir(String::new());
        let all = s(&["./..."]);

        // One main package: into the current directory.
        let one = decided(Mode::Build, None, std::slice::from_ref(&app));
        assert_eq!(outs(&one), [(dir.clone(), all.clone())]);
        assert_eq!(one.landing, Landing::Dir(here()));
        // One non-main package: compiled, nothing written, nothing to verify.
        let lib_only = decided(Mode::Build, None, std::slice::from_ref(&lib));
        assert_eq!(outs(&lib_only), [(Out::Nothing, all.clone())]);
        assert_eq!(lib_only.landing, Landing::Nowhere);
        // Several: go keeps nothing; gv builds the mains to verify them, compiles the rest.
        let several = decided(Mode::Build, None, &[app.clone(), lib.clone(), tool.clone()]);
        assert_eq!(
            outs(&several),
            [
                (dir.clone(), all.clone()),
                (Out::Nothing, s(&["example.com/m/lib"]))
            ]
        );
        assert_eq!(several.landing, Landing::Nowhere);
        // The null device: built, verified, written nowhere.
        let null_device = if gv_core::platform::WINDOWS {
            "nul"
        } else {
            "/dev/null"
        };
        let null = decided(Mode::Build, Some(null_device), std::slice::from_ref(&app));
        assert_eq!(null.landing, Landing::Nowhere);
        // -o DIR/ (need not exist): every main package there.
        let to_dir = decided(Mode::Build, Some("out/"), &[app.clone(), lib.clone()]);
        assert_eq!(outs(&to_dir), [(dir.clone(), all.clone())]);
        assert_eq!(to_dir.landing, Landing::Dir(here().join("out/")));
        // -o FILE: one package, main or not (go writes a non-main package's archive).
        let file = decided(Mode::Build, Some("bin/app"), std::slice::from_ref(&app));
        assert_eq!(outs(&file), [(Out::File("app".into()), all.clone())]);
        assert_eq!(file.landing, Landing::File(here().join("bin/app")));
        let archive = decided(Mode::Build, Some("lib.a"), std::slice::from_ref(&lib));
        assert_eq!(archive.landing, Landing::File(here().join("lib.a")));
        // What go refuses reaches go as typed.
        let refused = [
            decided(Mode::Build, Some("app"), &[app.clone(), tool.clone()]),
            decided(Mode::Build, Some("out/"), std::slice::from_ref(&lib)),
        ];
        for layout in refused {
            assert!(matches!(layout.invocations[0].out, Out::AsGiven(_)));
            assert_eq!(layout.landing, Landing::Nowhere);
        }
    }

    #[test]
    fn test_binaries_are_staged_per_package_and_kept_only_with_o() {
        let a = package("example.com/m/a", "a", true);
        let b = package("example.com/m/b", "b", true);
        let a2 = package("example.com/m/x/a", "a", true);
        let one = decided(Mode::Test, None, std::slice::from_ref(&a));
        assert_eq!(outs(&one)[0].0, Out::File("a.test".into()));
        assert_eq!(one.landing, Landing::Nowhere);
        let two = decided(Mode::Test, None, &[a.clone(), b.clone()]);
        assert_eq!(outs(&two), [(Out::Dir(String::new()), s(&["./..."]))]);
        // Two test binaries named a.test: one go test -c each, in directories of their own.
        let clash = decided(Mode::Test, None, &[a.clone(), b.clone(), a2.clone()]);
        assert_eq!(
            outs(&clash),
            [
                (
                    Out::Dir("0".into()),
                    s(&["example.com/m/a", "example.com/m/b"])
                ),
                (Out::Dir("1".into()), s(&["example.com/m/x/a"]))
            ]
        );
        let kept = decided(Mode::Test, Some("t/"), &[a.clone(), b.clone()]);
        assert_eq!(kept.landing, Landing::Dir(here().join("t/")));
        let file = decided(Mode::Test, Some("a.test"), std::slice::from_ref(&a));
        assert_eq!(file.landing, Landing::File(here().join("a.test")));
        // go refuses -o FILE for several packages, and -o DIR/ for a name clash.
        assert!(matches!(
            decided(Mode::Test, Some("x.test"), &[a.clone(), b.clone()]).invocations[0].out,
            Out::AsGiven(_)
        ));
        assert!(matches!(
            decided(Mode::Test, Some("t/"), &[a, b, a2]).invocations[0].out,
            Out::AsGiven(_)
        ));
    }

    #[test]
    fn run_takes_one_main_package() {
        let app = package("example.com/m", "main", false);
        let lib = package("example.com/m/lib", "lib", false);
        let run = decided(Mode::Run, None, std::slice::from_ref(&app));
        assert_eq!(run.landing, Landing::Nowhere);
        assert_eq!(
            decide(
                Mode::Run,
                None,
                &s(&["./lib"]),
                std::slice::from_ref(&lib),
                &here()
            ),
            Err(LayoutError::RunNotMain("example.com/m/lib".into()))
        );
        assert_eq!(
            decide(Mode::Run, None, &s(&["./..."]), &[app, lib], &here()),
            Err(LayoutError::RunSeveral(2))
        );
    }
}
