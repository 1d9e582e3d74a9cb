//! Step 2, stage: a private directory beside where the binaries land, for go to write
//! into. Nothing reaches its destination before it is verified, and the final move is a
//! rename within one file system.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::Mode;
use super::layout::{Landing, Layout, Out};
use super::packages::Package;

pub struct Stage {
    dir: tempfile::TempDir,
    /// Directories created for the destination (go creates `-o out/`), outermost first.
    made: Vec<PathBuf>,
}

/// A binary already at its destination, linked into the stage before go ran.
#[derive(Debug, Clone)]
pub struct Linked {
    pub staged: PathBuf,
    pub dest: PathBuf,
    /// What it was before go ran.
    pub before: super::verdicts::Stamp,
}

impl Linked {
    /// Did go leave it as it was (it found it up to date)? The staged file still has
    /// the same Go build ID, which hashes its content.
    pub fn unchanged(&self) -> bool {
        super::verdicts::Stamp::of(&self.staged).is_some_and(|now| now.same_binary(&self.before))
    }
}

/// One file go wrote, and the package it was built from when gv can tell.
#[derive(Debug, Clone)]
pub struct Product {
    pub file: PathBuf,
    pub package: Option<Package>,
}

impl Product {
    pub fn file_name(&self) -> String {
        self.file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

impl Stage {
    /// A `.gv-build-*` directory where the binaries will land (the landing directory,
    /// or the `-o` file's), else in `scratch`. A missing destination directory is
    /// created, as go creates it.
    pub fn create(landing: &Landing, scratch: &Path) -> anyhow::Result<Stage> {
        let home = match landing {
            Landing::Dir(dir) => dir.clone(),
            Landing::File(file) => file
                .parent()
                .map_or_else(|| scratch.to_path_buf(), Path::to_path_buf),
            Landing::Nowhere => scratch.to_path_buf(),
        };
        let made = create_missing(&home)
            .with_context(|| format!("cannot create the directory {}", home.display()))?;
        let dir = tempfile::Builder::new()
            .prefix(".gv-build-")
            .tempdir_in(&home)
            .with_context(|| format!("cannot create a staging directory in {}", home.display()))?;
        Ok(Stage { dir, made })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// What go wrote, each matched to its package by go's naming rules, in the order of
    /// the go commands, then by name.
    pub fn products(
        &self,
        layout: &Layout,
        packages: &[Package],
        mode: Mode,
    ) -> anyhow::Result<Vec<Product>> {
        let mut products = Vec::new();
        for invocation in &layout.invocations {
            let mut files = match &invocation.out {
                Out::Dir(sub) => {
                    let dir = self.path().join(sub);
                    let entries = std::fs::read_dir(&dir).with_context(|| {
                        format!("cannot read the staging directory {}", dir.display())
                    })?;
                    let mut files = Vec::new();
                    for entry in entries {
                        let path = entry?.path();
                        if path.is_file() {
                            files.push(path);
                        }
                    }
                    files
                }
                Out::File(name) => vec![self.path().join(name)]
                    .into_iter()
                    .filter(|f| f.is_file())
                    .collect(),
                Out::Nothing | Out::AsGiven(_) => Vec::new(),
            };
            files.sort();
            // A go command given import paths built exactly those; else all of them.
            let named: Vec<&Package> = packages
                .iter()
                .filter(|p| invocation.packages.contains(&p.import_path))
                .collect();
            let candidates: Vec<&Package> = if named.is_empty() {
                packages.iter().collect()
            } else {
                named
            };
            for file in files {
                let package = owner(&file, &candidates, mode).cloned();
                products.push(Product { file, package });
            }
        }
        Ok(products)
    }

    /// Lets go see the binaries already where this build's will land: each is
    /// hard-linked into the stage under the name go will write, so go's own up-to-date
    /// check (the build ID of its output file) finds it and, when nothing changed, writes
    /// nothing. go never writes through the link: it removes its output file before
    /// writing a new one (cmd/go's `moveOrCopyFile`: rename, else remove and create), so
    /// the binary in place is untouched until gv publishes. A destination that is not a
    /// plain file, or a file system without hard links, just means go builds afresh.
    /// With `keep` (the symbol store of a profile that keeps debug information), a
    /// binary whose twin is not in the store is left out, so go links it again and its
    /// debug information is kept anew.
    pub fn link_existing(
        &self,
        layout: &Layout,
        packages: &[Package],
        mode: Mode,
        exe_suffix: &str,
        keep: Option<&crate::symbols::SymbolStore>,
    ) -> Vec<Linked> {
        let mut linked = Vec::new();
        let mut link = |dest: PathBuf, staged: PathBuf| {
            let plain = std::fs::symlink_metadata(&dest).is_ok_and(|m| m.file_type().is_file());
            if !plain || staged.exists() {
                return;
            }
            if keep.is_some_and(|store| super::keep::twin_of(store, &dest).is_none()) {
                return;
            }
            let Some(before) = super::verdicts::Stamp::of(&dest) else {
                return;
            };
            if std::fs::hard_link(&dest, &staged).is_ok() {
                linked.push(Linked {
                    staged,
                    dest,
                    before,
                });
            }
        };
        for invocation in &layout.invocations {
            match (&invocation.out, &layout.landing) {
                (Out::File(name), Landing::File(dest)) => {
                    link(dest.clone(), self.path().join(name));
                }
                (Out::Dir(sub), Landing::Dir(dir)) => {
                    // A go command given import paths builds exactly those.
                    let named = packages
                        .iter()
                        .any(|p| invocation.packages.contains(&p.import_path));
                    let built = packages
                        .iter()
                        .filter(|p| !named || invocation.packages.contains(&p.import_path));
                    let names = built.filter_map(|p| match mode {
                        Mode::Test => p.has_tests.then(|| p.test_binary_name()),
                        Mode::Build | Mode::Run => p.is_main().then(|| p.exec_name().to_string()),
                    });
                    for name in names {
                        let name = format!("{name}{exe_suffix}");
                        let staged = self.path().join(sub).join(&name);
                        if std::fs::create_dir_all(self.path().join(sub)).is_ok() {
                            link(dir.join(&name), staged);
                        }
                    }
                }
                _ => {}
            }
        }
        linked
    }

    /// Nothing lands: the stage goes, and so does every directory made for it that is
    /// still empty.
    pub fn abandon(self) {
        let Stage { dir, made } = self;
        drop(dir);
        for made in made.iter().rev() {
            let _ = std::fs::remove_dir(made);
        }
    }
}

/// The package a staged file was built from: the only one, else the one go names so.
fn owner<'a>(file: &Path, packages: &[&'a Package], mode: Mode) -> Option<&'a Package> {
    if let [only] = packages {
        return Some(*only);
    }
    let name = file.file_name()?.to_string_lossy();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    packages
        .iter()
        .find(|p| match mode {
            Mode::Test => p.test_binary_name() == name,
            Mode::Build | Mode::Run => p.exec_name() == name,
        })
        .copied()
}

/// Creates `dir` and its missing parents; returns the ones it created, outermost first.
fn create_missing(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(path) = at.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        missing.push(path.to_path_buf());
        at = path.parent();
    }
    missing.reverse();
    std::fs::create_dir_all(dir)?;
    Ok(missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gobuild::packages::package;

    #[test]
    fn an_abandoned_stage_leaves_no_directory_it_made() {
        let root = tempfile::tempdir().unwrap();
        let landing = Landing::Dir(root.path().join("out/bin/"));
        let stage = Stage::create(&landing, root.path()).unwrap();
        assert!(stage.path().starts_with(root.path().join("out/bin")));
        assert!(
            stage
                .path()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".gv-build-")
        );
        stage.abandon();
        assert!(!root.path().join("out").exists());
        // A directory that was there stays.
        std::fs::create_dir(root.path().join("kept")).unwrap();
        Stage::create(&Landing::File(root.path().join("kept/app")), root.path())
            .unwrap()
            .abandon();
        assert!(root.path().join("kept").is_dir());
    }

    #[test]
    fn staged_files_are_matched_to_their_packages() {
        let root = tempfile::tempdir().unwrap();
        let stage = Stage::create(&Landing::Nowhere, root.path()).unwrap();
        for dir in ["0", "1"] {
            std::fs::create_dir(stage.path().join(dir)).unwrap();
        }
        for file in ["0/a.test", "0/b.test", "1/a.test"] {
            std::fs::write(stage.path().join(file), "").unwrap();
        }
        let packages = [
            package("example.com/m/a", "a", true),
            package("example.com/m/b", "b", true),
            package("example.com/m/x/a", "a", true),
        ];
        let layout = crate::gobuild::layout::decide(
            Mode::Test,
            None,
            &["./...".to_string()],
            &packages,
            root.path(),
        )
        .unwrap();
        let products = stage.products(&layout, &packages, Mode::Test).unwrap();
        let owners: Vec<_> = products
            .iter()
            .map(|p| p.package.as_ref().map(|p| p.import_path.as_str()))
            .collect();
        assert_eq!(
            owners,
            [
                Some("example.com/m/a"),
                Some("example.com/m/b"),
                Some("example.com/m/x/a")
            ]
        );
        let apps = [
            package("example.com/m/cmd/app", "main", false),
            package("example.com/m/cmd/tool/v2", "main", false),
        ];
        let stage = Stage::create(&Landing::Nowhere, root.path()).unwrap();
        std::fs::write(stage.path().join("tool.exe"), "").unwrap();
        let layout = crate::gobuild::layout::decide(
            Mode::Build,
            None,
            &["./...".to_string()],
            &apps,
            root.path(),
        )
        .unwrap();
        let products = stage.products(&layout, &apps, Mode::Build).unwrap();
        assert_eq!(
            products[0].package.as_ref().unwrap().import_path,
            "example.com/m/cmd/tool/v2"
        );
    }
}
