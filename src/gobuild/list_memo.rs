//! `go list` only when its answer can have changed. What gv asks go list (each package's
//! import path, name, directory, and whether it has tests) depends on:
//!
//! - the question: the selected go, its GOROOT, the working directory, the selecting
//!   flags and patterns, and every variable go reads (`GO*`, `CGO_*`, `CC`, `PATH`, …) —
//!   these make the record's name;
//! - the module: go.mod (of the working directory and of every listed package), go.work,
//!   Go's `go env -w` file and the SDK's go.env — kept as content hashes;
//! - the files: for every directory a pattern can reach, its `.go` file names, whether it
//!   is a nested module, and each file's *header* — the leading comments (build
//!   constraints, cgo preamble), the package clause and the imports, which is all go/build
//!   reads to place a file in a package. An edit to a function body leaves the answer
//!   alone; an edit to a `//go:build` line, a package clause or an `import "C"` does not.
//!
//! Only patterns that name directories (`.`, `./cmd/app`, `./...`, `.go` files) are
//! remembered; import paths, `all`, `std`, and `-overlay` or `-modfile` (as flags or in
//! GOFLAGS) always ask go. Everything
//! is stamped *before* go list runs, so a change racing with it makes the next build ask
//! again; a file modified within two seconds of the stamp is re-read every time (a
//! coarse clock cannot vouch for it).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::memo::{self, Memo};
use super::packages::Package;

/// Walk no further: a tree this large is a monorepo where go list is worth its cost.
const MAX_DIRS: usize = 5_000;
const MAX_FILES: usize = 50_000;
/// A stamp this close to a file's modification time cannot tell two edits apart.
const RACY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Files whose whole content matters (go.mod, go.work, go env files), by hash, or
    /// `None` when absent.
    files: BTreeMap<PathBuf, Option<String>>,
    dirs: BTreeMap<PathBuf, Dir>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Dir {
    /// Holds a go.mod: a module of its own, which `...` does not enter.
    module: bool,
    files: BTreeMap<String, GoFile>,
    /// The subdirectories `...` entered from here (`None`: not walked below).
    subdirs: Option<BTreeSet<String>>,
    /// A module of its own under a `...` pattern: only whether it still is matters.
    nested: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct GoFile {
    size: u64,
    mtime: u128,
    racy: bool,
    header: String,
}

#[derive(Serialize, Deserialize)]
struct Record {
    gv: String,
    stamp: Stamp,
    packages: Vec<Package>,
}

/// One go list question: its record name and what its answer depends on.
pub struct Question {
    name: String,
    /// Directories the patterns reach, and whether to walk below each.
    roots: Vec<(PathBuf, bool)>,
    /// Files whose content matters.
    files: Vec<PathBuf>,
}

impl Question {
    /// The question `go list ARGS PATTERNS` in `workdir` with environment `env` (what go
    /// sees: the process's, with gv's changes applied), or `None` when its answer is not
    /// one gv can vouch for without asking.
    pub fn new(
        go: &Path,
        goroot: &Path,
        workdir: &Path,
        args: &[String],
        patterns: &[String],
        env: &BTreeMap<OsString, OsString>,
    ) -> Option<Question> {
        // -modfile and -overlay make go read files gv does not stamp: ask go.
        let var_text = |name: &str| {
            env.get(std::ffi::OsStr::new(name))
                .map(|v| v.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let goflags = var_text("GOFLAGS");
        if args
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(goflags.as_str()))
            .any(|a| a.contains("-modfile") || a.contains("-overlay"))
        {
            return None;
        }
        let mut roots = Vec::new();
        for pattern in patterns {
            roots.push(root_of(pattern, workdir)?);
        }
        let var = |name: &str| {
            env.get(std::ffi::OsStr::new(name))
                .filter(|v| !v.is_empty())
        };
        let mut files = vec![goroot.join("go.env")];
        files.extend(crate::go_settings::go_env_file(&|n| var(n).cloned()));
        match var("GOWORK") {
            Some(off) if off == "off" => {}
            Some(work) => files.push(workdir.join(work)),
            None => files.extend(nearest(workdir, "go.work")),
        }
        files.extend(nearest(workdir, "go.mod"));
        let go_meta = std::fs::metadata(go).ok()?;
        let mut parts: Vec<Vec<u8>> = vec![
            env!("CARGO_PKG_VERSION").as_bytes().to_vec(),
            go.as_os_str().as_encoded_bytes().to_vec(),
            format!("{} {:?}", go_meta.len(), super::verdicts::mtime(&go_meta)).into_bytes(),
            goroot.as_os_str().as_encoded_bytes().to_vec(),
            workdir.as_os_str().as_encoded_bytes().to_vec(),
        ];
        parts.extend(args.iter().chain(patterns).map(|a| a.as_bytes().to_vec()));
        for (name, value) in env {
            let n = name.to_string_lossy();
            if n.starts_with("GO")
                || n.starts_with("CGO_")
                || ["CC", "CXX", "PATH", "HOME", "XDG_CONFIG_HOME", "APPDATA"].contains(&&*n)
            {
                parts.push(name.as_encoded_bytes().to_vec());
                parts.push(value.as_encoded_bytes().to_vec());
            }
        }
        let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        Some(Question {
            name: memo::name_of(&parts),
            roots,
            files,
        })
    }

    /// What the answer depends on, now; `None` when the tree is too large to stamp.
    pub fn stamp(&self) -> Option<Stamp> {
        let now = SystemTime::now();
        let mut stamp = Stamp {
            files: BTreeMap::new(),
            dirs: BTreeMap::new(),
        };
        for file in &self.files {
            stamp.files.insert(file.clone(), content_hash(file));
        }
        let mut budget = (MAX_DIRS, MAX_FILES);
        for (root, walk) in &self.roots {
            stamp_dir(root, *walk, true, now, &mut stamp, &mut budget)?;
        }
        Some(stamp)
    }

    /// The packages go list gave when everything they depend on was as it is now.
    pub fn recall(&self, memo: &Memo) -> Option<Vec<Package>> {
        let mut record: Record = memo.get(&self.name)?;
        if record.gv != env!("CARGO_PKG_VERSION") {
            return None;
        }
        let now = self.restamp(&record.stamp)?;
        if now != record.stamp {
            // Same answer, fresher stamps: the next build reads less.
            record.stamp = now;
            memo.put(&self.name, &record);
        }
        Some(record.packages)
    }

    /// Remembers `packages`, the answer to this question when things were as `stamp`
    /// (taken before go list ran). Packages outside the stamped directories (or their
    /// modules' go.mod) are stamped now or, if that is not possible, not remembered.
    pub fn remember(&self, memo: &Memo, mut stamp: Stamp, packages: &[Package]) {
        for package in packages {
            if !stamp.dirs.contains_key(&package.dir) {
                return;
            }
            if let Some(go_mod) = nearest(&package.dir, "go.mod") {
                stamp
                    .files
                    .entry(go_mod.clone())
                    .or_insert_with(|| content_hash(&go_mod));
            }
        }
        let record = Record {
            gv: env!("CARGO_PKG_VERSION").to_string(),
            stamp,
            packages: packages.to_vec(),
        };
        memo.put(&self.name, &record);
    }

    /// `old` brought up to date, reading only what changed; `None` when anything that
    /// matters did.
    fn restamp(&self, old: &Stamp) -> Option<Stamp> {
        let now = SystemTime::now();
        let mut fresh = Stamp {
            files: BTreeMap::new(),
            dirs: BTreeMap::new(),
        };
        for (file, hash) in &old.files {
            if content_hash(file) != *hash {
                return None;
            }
            fresh.files.insert(file.clone(), hash.clone());
        }
        for (path, dir) in &old.dirs {
            let entries = go_entries(path)?;
            if dir.nested {
                if !entries.module {
                    return None;
                }
                fresh.dirs.insert(path.clone(), dir.clone());
                continue;
            }
            if entries.module != dir.module
                || entries.files.keys().ne(dir.files.keys())
                || dir.subdirs.as_ref().is_some_and(|s| *s != entries.subdirs)
            {
                return None;
            }
            let mut files = BTreeMap::new();
            for (name, meta) in entries.files {
                let known = &dir.files[&name];
                let (size, mtime) = (meta.len(), super::verdicts::mtime(&meta)?);
                let file = if !known.racy && known.size == size && known.mtime == mtime {
                    known.clone()
                } else {
                    let header = header_hash(&path.join(&name))?;
                    if header != known.header {
                        return None;
                    }
                    GoFile {
                        size,
                        mtime,
                        racy: is_racy(mtime, now),
                        header,
                    }
                };
                files.insert(name, file);
            }
            fresh.dirs.insert(
                path.clone(),
                Dir {
                    module: dir.module,
                    files,
                    subdirs: dir.subdirs.clone(),
                    nested: false,
                },
            );
        }
        Some(fresh)
    }
}

/// A pattern's directory and whether it ends in `/...`; `None` for what is not a
/// directory pattern (an import path, `all`, `std`, a wildcard inside a name).
fn root_of(pattern: &str, workdir: &Path) -> Option<(PathBuf, bool)> {
    if pattern.ends_with(".go") {
        let file = workdir.join(pattern);
        return Some((file.parent()?.to_path_buf(), false));
    }
    let (dir, walk) = match pattern.strip_suffix("/...") {
        Some(dir) => (dir, true),
        None if pattern == "..." => return None,
        None => (pattern, false),
    };
    let relative = dir == "." || dir == ".." || dir.starts_with("./") || dir.starts_with("../");
    if dir.contains("...") || !(relative || Path::new(dir).is_absolute()) {
        return None;
    }
    Some((workdir.join(dir), walk))
}

/// The first `name` in `dir` or above it.
fn nearest(dir: &Path, name: &str) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(name)).find(|f| f.is_file())
}

/// go.mod, go.work and env files are small; past this, the file is not one to vouch for.
const SMALL_FILE: u64 = 16 << 20;
/// A Go source file gv reads the header of (go itself refuses nothing, but a header
/// lies at the top).
const SOURCE_FILE: u64 = 256 << 20;

/// The hash of `path`'s content; `None` when it is absent (or not a regular file).
fn content_hash(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut data = Vec::new();
    file.take(SMALL_FILE + 1).read_to_end(&mut data).ok()?;
    // Too large to vouch for: a hash that can never match again.
    if data.len() as u64 > SMALL_FILE {
        return Some(format!("too large at {:?}", SystemTime::now()));
    }
    Some(memo::name_of(&[&data]))
}

fn is_racy(mtime: u128, now: SystemTime) -> bool {
    let now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    mtime.saturating_add(RACY.as_nanos()) >= now
}

/// A directory's `.go` files and subdirectories.
struct Entries {
    module: bool,
    files: BTreeMap<String, std::fs::Metadata>,
    subdirs: BTreeSet<String>,
}

fn go_entries(dir: &Path) -> Option<Entries> {
    let mut entries = Entries {
        module: false,
        files: BTreeMap::new(),
        subdirs: BTreeSet::new(),
    };
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // go follows symlinks to files, not to directories.
        let kind = entry.file_type().ok()?;
        if kind.is_dir() {
            if !(name.starts_with('.')
                || name.starts_with('_')
                || name == "testdata"
                || name == "vendor")
            {
                entries.subdirs.insert(name);
            }
            continue;
        }
        if name == "go.mod" {
            entries.module = true;
        } else if name.ends_with(".go") {
            let meta = std::fs::metadata(entry.path()).ok()?;
            if meta.is_file() {
                entries.files.insert(name, meta);
            }
        }
    }
    Some(entries)
}

fn stamp_dir(
    dir: &Path,
    walk: bool,
    root: bool,
    now: SystemTime,
    stamp: &mut Stamp,
    budget: &mut (usize, usize),
) -> Option<()> {
    if stamp.dirs.contains_key(dir) {
        return Some(());
    }
    budget.0 = budget.0.checked_sub(1)?;
    let Some(entries) = go_entries(dir) else {
        // A pattern naming a directory that is not there: go list says so, every time.
        return if root { None } else { Some(()) };
    };
    // `...` stops at a nested module: only its go.mod's presence is stamped.
    if walk && !root && entries.module {
        stamp.dirs.insert(
            dir.to_path_buf(),
            Dir {
                module: true,
                files: BTreeMap::new(),
                subdirs: None,
                nested: true,
            },
        );
        return Some(());
    }
    budget.1 = budget.1.checked_sub(entries.files.len())?;
    let mut files = BTreeMap::new();
    for (name, meta) in &entries.files {
        let mtime = super::verdicts::mtime(meta)?;
        files.insert(
            name.clone(),
            GoFile {
                size: meta.len(),
                mtime,
                racy: is_racy(mtime, now),
                header: header_hash(&dir.join(name))?,
            },
        );
    }
    let descend = walk;
    stamp.dirs.insert(
        dir.to_path_buf(),
        Dir {
            module: entries.module,
            files,
            subdirs: descend.then(|| entries.subdirs.clone()),
            nested: false,
        },
    );
    if descend {
        for sub in &entries.subdirs {
            stamp_dir(&dir.join(sub), true, false, now, stamp, budget)?;
        }
    }
    Some(())
}

/// A hash of a Go file's header.
fn header_hash(path: &Path) -> Option<String> {
    let mut data = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(SOURCE_FILE)
        .read_to_end(&mut data)
        .ok()?;
    Some(memo::name_of(&[header(&data)]))
}

/// What go/build reads of a Go file to place it in a package: everything up to the end
/// of the imports. Anything this scanner does not follow gives the whole file, which is
/// never wrong, only less often reusable.
pub fn header(src: &[u8]) -> &[u8] {
    let mut s = Scanner { src, at: 0 };
    s.blank();
    if !s.word(b"package") {
        return src;
    }
    s.blank();
    if !s.ident() {
        return src;
    }
    loop {
        let end = s.at;
        s.blank();
        s.eat(b';');
        s.blank();
        if !s.word(b"import") {
            s.at = end;
            break;
        }
        s.blank();
        if s.eat(b'(') {
            loop {
                s.blank();
                if s.eat(b')') {
                    break;
                }
                if !s.import_spec() {
                    return src;
                }
                s.blank();
                s.eat(b';');
            }
        } else if !s.import_spec() {
            return src;
        }
    }
    &src[..s.at]
}

struct Scanner<'a> {
    src: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.at += usize::from(hit);
        hit
    }

    /// Spaces, newlines and comments.
    fn blank(&mut self) {
        loop {
            let rest = &self.src[self.at..];
            if rest.first().is_some_and(|b| b" \t\r\n".contains(b)) {
                self.at += 1;
            } else if rest.starts_with(b"//") {
                self.at += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            } else if rest.starts_with(b"/*") {
                match rest[2..].windows(2).position(|w| w == b"*/") {
                    Some(end) => self.at += end + 4,
                    None => self.at = self.src.len(),
                }
            } else {
                return;
            }
        }
    }

    fn is_ident_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
    }

    fn word(&mut self, word: &[u8]) -> bool {
        let rest = &self.src[self.at..];
        if rest.starts_with(word)
            && !rest
                .get(word.len())
                .is_some_and(|&b| Self::is_ident_byte(b))
        {
            self.at += word.len();
            return true;
        }
        false
    }

    fn ident(&mut self) -> bool {
        let start = self.at;
        while self.peek().is_some_and(Self::is_ident_byte) {
            self.at += 1;
        }
        self.at > start
    }

    /// `[name | . | _] "path"`
    fn import_spec(&mut self) -> bool {
        if !self.eat(b'.') {
            self.ident();
        }
        self.blank();
        match self.peek() {
            Some(b'"') => {
                self.at += 1;
                while let Some(b) = self.peek() {
                    self.at += 1;
                    match b {
                        b'\\' => self.at += 1,
                        b'"' => return true,
                        b'\n' => return false,
                        _ => {}
                    }
                }
                false
            }
            Some(b'`') => {
                self.at += 1;
                match self.src[self.at..].iter().position(|&b| b == b'`') {
                    Some(end) => {
                        self.at += end + 1;
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(src: &str) -> &str {
        std::str::from_utf8(header(src.as_bytes())).unwrap()
    }

    #[test]
    fn the_header_ends_with_the_imports() {
        let src = "//go:build linux\n\n// Package main.\npackage main\n\nimport (\n\t\"fmt\"\n\tx \"os\" // why\n\t. `strings`\n)\nimport _ \"embed\"\n\nfunc main() { fmt.Println(\"import\") }\n";
        assert_eq!(
            h(src),
            "//go:build linux\n\n// Package main.\npackage main\n\nimport (\n\t\"fmt\"\n\tx \"os\" // why\n\t. `strings`\n)\nimport _ \"embed\""
        );
        assert_eq!(
            h("package p; import \"C\"; var x = 1"),
            "package p; import \"C\""
        );
        assert_eq!(h("package p\n/* import \"x\" */\nfunc f() {}"), "package p");
        // What the scanner cannot follow is the whole file.
        for odd in [
            "\u{feff}package p",
            "import \"x\"",
            "package p\nimport (\n\"x",
            "package",
        ] {
            assert_eq!(h(odd), odd);
        }
    }

    #[test]
    fn only_directory_patterns_are_remembered() {
        let w = Path::new("/w");
        assert_eq!(root_of(".", w), Some((PathBuf::from("/w/."), false)));
        assert_eq!(root_of("./...", w), Some((PathBuf::from("/w/."), true)));
        assert_eq!(
            root_of("./cmd/app", w),
            Some((PathBuf::from("/w/./cmd/app"), false))
        );
        assert_eq!(root_of("main.go", w), Some((PathBuf::from("/w"), false)));
        for other in ["example.com/m/...", "all", "std", "...", "./x...y", "fmt"] {
            assert_eq!(root_of(other, w), None, "{other}");
        }
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// An answer stands while only function bodies change, and falls with a header, a
    /// new file, a new directory under `...`, go.mod, or a nested module's go.mod.
    #[test]
    fn the_answer_falls_exactly_when_it_can_have_changed() {
        let root = tempfile::tempdir().unwrap();
        let m = root.path().join("m");
        write(&m.join("go.mod"), "module example.com/m\n");
        write(
            &m.join("main.go"),
            "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(1) }\n",
        );
        write(&m.join("lib/lib.go"), "package lib\n");
        write(&m.join("sub/go.mod"), "module example.com/m/sub\n");
        write(&m.join("sub/s.go"), "package sub\n");
        let memo = Memo::open_in(&root.path().join("memo"), "lists").unwrap();
        let go = root.path().join("go");
        write(&go, "binary");
        let env = BTreeMap::new();
        let question =
            || Question::new(&go, root.path(), &m, &[], &["./...".to_string()], &env).unwrap();
        let packages = vec![Package {
            import_path: "example.com/m".into(),
            name: "main".into(),
            dir: m.join("."),
            has_tests: false,
        }];
        let remember = || {
            let q = question();
            let stamp = q.stamp().unwrap();
            q.remember(&memo, stamp, &packages);
            assert_eq!(q.recall(&memo), Some(packages.clone()));
        };
        remember();
        // A body edit: the answer stands.
        write(
            &m.join("main.go"),
            "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(2) }\n",
        );
        assert_eq!(question().recall(&memo), Some(packages.clone()));
        // Inside a nested module: not go list's business for ./...
        write(&m.join("sub/t.go"), "package sub\n");
        assert_eq!(question().recall(&memo), Some(packages.clone()));
        let changes: Vec<Box<dyn Fn()>> = vec![
            Box::new(|| write(&m.join("main.go"), "//go:build ignore\n\npackage main\n")),
            Box::new(|| write(&m.join("lib/lib.go"), "package main\n")),
            Box::new(|| write(&m.join("lib/lib_test.go"), "package lib\n")),
            Box::new(|| write(&m.join("cmd/tool/main.go"), "package main\n")),
            Box::new(|| write(&m.join("go.mod"), "module example.com/renamed\n")),
            Box::new(|| std::fs::remove_file(m.join("sub/go.mod")).unwrap()),
            Box::new(|| write(&root.path().join("go.env"), "GOFLAGS=-tags=x\n")),
        ];
        for (i, change) in changes.iter().enumerate() {
            change();
            assert_eq!(question().recall(&memo), None, "change {i}");
            remember();
        }
        // Another question entirely: other flags, another Go, another environment.
        let tagged = Question::new(
            &go,
            root.path(),
            &m,
            &["-tags=x".into()],
            &["./...".into()],
            &env,
        )
        .unwrap();
        assert_eq!(tagged.recall(&memo), None);
        let mut cgo = BTreeMap::new();
        cgo.insert(OsString::from("CGO_ENABLED"), OsString::from("0"));
        let other_env = Question::new(&go, root.path(), &m, &[], &["./...".into()], &cgo).unwrap();
        assert_eq!(other_env.recall(&memo), None);
        assert!(Question::new(&go, root.path(), &m, &[], &["all".into()], &env).is_none());
        let modfile = ["-modfile=alt.mod".to_string()];
        assert!(Question::new(&go, root.path(), &m, &modfile, &["./...".into()], &env).is_none());
        let mut overlay = BTreeMap::new();
        overlay.insert(OsString::from("GOFLAGS"), OsString::from("-overlay=o.json"));
        assert!(Question::new(&go, root.path(), &m, &[], &["./...".into()], &overlay).is_none());
    }
}
