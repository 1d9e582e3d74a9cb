//! The shape of the sources, checked: no import cycles between folders in any crate, no
//! folder named like build output, ARCHITECTURE.md true to the tree, no dependency
//! needing a newer Rust than `rust-version`, and the process's state (environment,
//! working directory, arguments) read through one door, `gv_core::process`.
//!
//! The module graph is read from the sources, not from the compiler: every path a file
//! names — `use crate::…`, `use super::…` (brace groups and `as` included), `crate::a::b`
//! and `super::super::x` in expressions, and paths through a name a `use` brought in or a
//! child module — is resolved to the file that defines it, following `use` re-exports
//! (`crate::doctor::Check`, re-exported from `doctor/checks.rs`, is an edge to that file).
//! Test code (`#[cfg(test)]` items and test-only module files) is left out: tests may
//! reach anywhere. Files of one folder (a module and its submodules) may use each other;
//! a cycle that leaves the folder is a layering mistake: registries and printing belong
//! at the top, traits and data at the bottom.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

/// Every crate of the workspace: its source root.
const CRATES: &[&str] = &[
    "src",
    "crates/gv-core/src",
    "crates/gv-shim/src",
    "xtask/src",
];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_crate_has_an_import_cycle_between_folders() {
    let mut problems = Vec::new();
    let mut files = 0;
    for dir in CRATES {
        let graph = Graph::read(&workspace().join(dir));
        files += graph.files.len();
        problems.extend(
            graph
                .cycles_between_folders()
                .into_iter()
                .map(|c| format!("{dir}: {c}")),
        );
    }
    assert!(
        files > 150,
        "read only {files} module files: is CRATES the workspace's crates?"
    );
    assert!(
        problems.is_empty(),
        "import cycles that leave a folder (each `a -> b` is `a` naming something of `b`):\n\n{}",
        problems.join("\n\n")
    );
}

/// The checker finds the cycles it is for, across folders, through re-exports, brace
/// groups, `super::` chains and names brought in by `use`; within one folder it allows them,
/// and test code does not count.
#[test]
fn the_cycle_checker_finds_cycles() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = tmp.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n");
    // a -> c/x.rs (through c's re-export), c/x.rs -> b/y.rs (super chain + brace group),
    // b/y.rs -> a (a name from `use`).
    write("a.rs", "pub fn f() { crate::c::X::new(); }\n");
    write("c/mod.rs", "mod x;\npub use x::X;\n");
    write(
        "c/x.rs",
        "use super::super::{b::{y::Y as Why}, d};\npub struct X;\nimpl X { pub fn new() {} }\n",
    );
    write("b/mod.rs", "pub mod y;\n");
    write(
        "b/y.rs",
        "use crate::a;\npub struct Y;\nfn g() { a::f() }\n",
    );
    // d and d/inner.rs use each other: one folder, allowed. A test module of d reaches
    // up to a: tests do not count.
    write(
        "d/mod.rs",
        "mod inner;\npub fn h() { inner::k() }\n#[cfg(test)]\nmod tests {\n    fn t() { crate::a::f() }\n}\n",
    );
    write("d/inner.rs", "pub fn k() { super::h() }\n");
    let graph = Graph::read(tmp.path());
    let cycles = graph.cycles_between_folders();
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    for file in ["a.rs", "c/x.rs", "b/y.rs"] {
        assert!(cycles[0].contains(file), "{file} in {}", cycles[0]);
    }
    assert!(!cycles[0].contains("d/"), "{}", cycles[0]);

    // Without the edge back from b/y.rs there is no cycle.
    write("b/y.rs", "pub struct Y;\n");
    assert!(Graph::read(tmp.path()).cycles_between_folders().is_empty());
}

/// Global gitignores and search tools skip folders named like build output (`build/`,
/// `dist/`, …): new files there would go unseen, by git add and by ripgrep.
#[test]
fn no_source_folder_is_named_like_build_output() {
    const OUTPUT: &[&str] = &["build", "dist", "out", "target", "bin", "obj"];
    let mut offenders = Vec::new();
    for dir in CRATES {
        let mut stack = vec![workspace().join(dir)];
        while let Some(path) = stack.pop() {
            for entry in std::fs::read_dir(&path).unwrap() {
                let path = entry.unwrap().path();
                // A folder, or a file with nothing after its name (`build`, not `build.rs`).
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if OUTPUT.contains(&name.as_str()) {
                    offenders.push(path.display().to_string());
                }
                if path.is_dir() {
                    stack.push(path);
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "named like build output: {offenders:?}"
    );
}

/// The crates whose code reads the process's state only through `gv_core::process`.
const PROCESS_STATE_CRATES: &[&str] = &["src", "crates/gv-core/src", "crates/gv-shim/src"];

/// Files that may still read the process's state directly, each with its reason. The door
/// itself, `crates/gv-core/src/platform/process.rs`, is not listed: it is the door.
const PROCESS_STATE_EXCEPTIONS: &[(&str, &str)] = &[];

/// Rust's own readers of process state: `std::env::NAME(…)` (or `env::NAME` after
/// `use std::env`), and clap's `get_matches()`, which reads the arguments itself.
const PROCESS_READERS: &[&str] = &[
    "var",
    "var_os",
    "vars",
    "vars_os",
    "args",
    "args_os",
    "current_dir",
];

/// Reading the environment, the working directory or the arguments goes through one door,
/// `gv_core::process` (or a `Session`, which reads them there): a direct read anywhere else
/// in the crates' code (test code aside: tests may read anything) fails here. And every
/// variable named in such a read is in gv-core's registry (`gv_core::vars`: gv's own, the
/// go command's, or the system's).
#[test]
fn process_state_is_read_through_one_door() {
    let mut problems = Vec::new();
    let mut files = 0;
    for dir in PROCESS_STATE_CRATES {
        let graph = Graph::read(&workspace().join(dir));
        for file in graph.files.keys() {
            files += 1;
            let relative = file
                .strip_prefix(workspace())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(file).unwrap();
            if relative != "crates/gv-core/src/platform/process.rs"
                && !PROCESS_STATE_EXCEPTIONS.iter().any(|(f, _)| *f == relative)
            {
                for (line, what) in direct_process_reads(&text) {
                    problems.push(format!(
                        "{relative}:{line}: `{what}`: read it through gv_core::process"
                    ));
                }
            }
            for name in process_read_names(&text) {
                let known = gv_core::vars::get(&name).is_some()
                    || gv_core::vars::go_var(&name).is_some()
                    || gv_core::vars::system(&name).is_some();
                if !known {
                    problems.push(format!(
                        "{relative}: reads {name}, which gv_core::vars does not list"
                    ));
                }
            }
        }
    }
    assert!(files > 150, "read only {files} module files");
    for (file, _) in PROCESS_STATE_EXCEPTIONS {
        assert!(
            workspace().join(file).is_file(),
            "{file} is listed as an exception but does not exist"
        );
    }
    assert!(
        problems.is_empty(),
        "process state read outside gv_core::process, or a variable not in the registry:\n{}",
        problems.join("\n")
    );
}

/// The checker finds direct reads in code, leaves test code, comments and strings alone,
/// and finds the names a read through the door uses.
#[test]
fn the_process_state_checker_finds_direct_reads() {
    let code = "use std::env;\nfn a() { let _ = std::env::var_os(\"X\"); }\nfn b() { env::current_dir(); }\n// std::env::var(\"Y\")\nfn c() { let _ = \"std::env::args()\"; cmd.get_matches(); }\n#[cfg(test)]\nmod tests { fn t() { std::env::vars(); } }\n";
    let found: Vec<(usize, String)> = direct_process_reads(code);
    assert_eq!(
        found,
        [
            (2, "env::var_os".to_string()),
            (3, "env::current_dir".to_string()),
            (5, "get_matches".to_string())
        ]
    );
    let names = process_read_names(
        "gv_core::process::var_os(\"HOME\"); crate::process::var(\"NOPE_X\"); process::var_os(vars::ROOT)",
    );
    assert_eq!(names, ["HOME", "NOPE_X"]);
    assert!(gv_core::vars::system("NOPE_X").is_none() && gv_core::vars::system("HOME").is_some());
}

/// gv never changes its own environment, tests included: `gv_core::process` borrows the
/// C library's strings for the life of the process, and a C library frees a string its
/// own `setenv` allocated when that variable changes again (see `process::environment`).
/// Programs gv runs get their variables through `Command::env` or `exec_with_env`. This
/// reads gv's own code only: the one change a dependency makes (clap_complete removing
/// `GV_COMPLETE` when it answers a completion) is accounted for there.
#[test]
fn nothing_in_gv_changes_its_own_environment() {
    let mut found = Vec::new();
    let mut stack: Vec<PathBuf> = ["src", "crates", "tests", "xtask"]
        .iter()
        .map(|d| workspace().join(d))
        .collect();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (line, what) in environment_changes(&text) {
                found.push(format!("{}:{line}: {what}", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the process's own environment changed:\n{}",
        found.join("\n")
    );
    // The checker finds a change in code, test code too, in each spelling, and passes
    // over comments and strings.
    let sample = "// env::set_var(\"X\", \"1\")\nuse std::env::{set_var as s};\n#[cfg(test)]\n\
                  mod t { fn f() { unsafe { std::env::remove_var(\"X\"); libc::setenv(a, b, 1) } } }\n\
                  fn g() { let _ = \"putenv\"; }\n";
    assert_eq!(
        environment_changes(sample),
        [
            (2, "set_var".to_string()),
            (4, "remove_var".to_string()),
            (4, "setenv".to_string())
        ]
    );
}

/// Calls that change this process's environment in `text`, test code included: std's
/// and the C library's, by any path (`env::set_var`, a `use` of it, `libc::setenv`).
fn environment_changes(text: &str) -> Vec<(usize, String)> {
    const CHANGES: &[&str] = &[
        "set_var",
        "remove_var",
        "setenv",
        "unsetenv",
        "putenv",
        "clearenv",
    ];
    lex(text)
        .iter()
        .filter_map(|t| {
            let name = t.ident()?;
            CHANGES.contains(&name).then(|| (t.line, name.to_string()))
        })
        .collect()
}

/// Direct reads of process state in `text`'s code (test code left out): line and what.
fn direct_process_reads(text: &str) -> Vec<(usize, String)> {
    let (tokens, _) = without_test_code(lex(text));
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let Some(name) = token.ident() else { continue };
        if ["get_matches", "try_get_matches", "get_matches_mut"].contains(&name) {
            out.push((token.line, name.to_string()));
            continue;
        }
        if name == "env"
            && tokens.get(i + 1).is_some_and(|t| t.tok == Tok::Path)
            && let Some(reader) = tokens.get(i + 2).and_then(Token::ident)
            && PROCESS_READERS.contains(&reader)
            // `gv_core::env::…` is gv's own module, not std's.
            && !(i >= 2 && tokens[i - 1].tok == Tok::Path && tokens[i - 2].ident() != Some("std"))
        {
            out.push((token.line, format!("env::{reader}")));
        }
    }
    out
}

/// The variables named by string in reads through the door: `process::var_os("HOME")`.
fn process_read_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for call in ["process::var_os(\"", "process::var(\""] {
        for (i, _) in text.match_indices(call) {
            let name: String = text[i + call.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out.sort();
    out
}

/// A crate's files and which files each one names.
struct Graph {
    root: PathBuf,
    /// Module path (`["gobuild", "plan"]`) of each file, and the reverse.
    files: BTreeMap<PathBuf, Vec<String>>,
    modules: HashMap<Vec<String>, PathBuf>,
    /// Per file: the names its `use` declarations bind, to absolute paths.
    bindings: HashMap<PathBuf, HashMap<String, Vec<String>>>,
    /// `#[macro_export]` macros (named from the crate root) and the file defining each.
    macros: HashMap<String, PathBuf>,
    /// `from -> to`, with the first place `from` names `to` (line, path as written).
    edges: BTreeMap<PathBuf, BTreeMap<PathBuf, (usize, String)>>,
}

impl Graph {
    fn read(root: &Path) -> Graph {
        let crate_root = ["lib.rs", "main.rs"]
            .iter()
            .map(|f| root.join(f))
            .find(|p| p.is_file())
            .expect("lib.rs or main.rs");
        let mut graph = Graph {
            root: root.to_path_buf(),
            files: BTreeMap::new(),
            modules: HashMap::new(),
            bindings: HashMap::new(),
            macros: HashMap::new(),
            edges: BTreeMap::new(),
        };
        // The module tree from `mod` declarations, as the compiler finds it, leaving out
        // test-only modules.
        let mut parsed: HashMap<PathBuf, Vec<Token>> = HashMap::new();
        let mut queue = vec![(crate_root, Vec::<String>::new())];
        while let Some((file, module)) = queue.pop() {
            let text = std::fs::read_to_string(&file).unwrap();
            let (tokens, children) = without_test_code(lex(&text));
            let dir = if module.is_empty() || file.ends_with("mod.rs") {
                file.parent().unwrap().to_path_buf()
            } else {
                file.with_extension("")
            };
            for child in children {
                let candidates = [
                    dir.join(format!("{child}.rs")),
                    dir.join(&child).join("mod.rs"),
                ];
                let Some(found) = candidates.into_iter().find(|p| p.is_file()) else {
                    continue; // an inline `mod name { … }`: part of this file
                };
                let mut path = module.clone();
                path.push(child);
                queue.push((found, path));
            }
            graph.modules.insert(module.clone(), file.clone());
            graph.files.insert(file.clone(), module);
            parsed.insert(file, tokens);
        }
        for (file, tokens) in &parsed {
            for (k, w) in tokens.windows(5).enumerate() {
                let exported = k >= 4
                    && tokens[k - 1].is(']')
                    && tokens[k - 2].ident() == Some("macro_export");
                if exported
                    && w[0].ident() == Some("macro_rules")
                    && w[1].is('!')
                    && let Some(name) = w[2].ident()
                {
                    graph.macros.insert(name.to_string(), file.clone());
                }
            }
            let uses = use_trees(tokens);
            let module = &graph.files[file];
            let mut names = HashMap::new();
            for (path, binding, _) in &uses {
                if let (Some(name), Some(abs)) = (binding, graph.absolute(module, path, None)) {
                    names.insert(name.clone(), abs);
                }
            }
            graph.bindings.insert(file.clone(), names);
        }
        for (file, tokens) in &parsed {
            let module = graph.files[file].clone();
            let mut named = Vec::new();
            for (path, _, line) in use_trees(tokens) {
                named.push((path, line));
            }
            named.extend(expression_paths(tokens));
            for (path, line) in named {
                let Some(abs) = graph.absolute(&module, &path, Some(file)) else {
                    continue;
                };
                if let Some(target) = graph.file_of(&abs, 0)
                    && &target != file
                {
                    graph
                        .edges
                        .entry(file.clone())
                        .or_default()
                        .entry(target)
                        .or_insert((line, path.join("::")));
                }
            }
        }
        graph
    }

    /// `path` as written in the module `module`, made absolute; `None` for another crate's
    /// path (std, gv_core, …). `file`'s own `use` names count when given.
    fn absolute(
        &self,
        module: &[String],
        path: &[String],
        file: Option<&PathBuf>,
    ) -> Option<Vec<String>> {
        let first = path.first()?;
        let mut rest = &path[1..];
        let mut base: Vec<String> = match first.as_str() {
            "crate" | "$crate" => Vec::new(),
            "self" => module.to_vec(),
            "super" => {
                let mut base = module.to_vec();
                base.pop()?;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                base
            }
            name => {
                let mut child = module.to_vec();
                child.push(name.to_string());
                if self.modules.contains_key(&child) {
                    module.to_vec()
                } else if let Some(bound) = file
                    .and_then(|f| self.bindings.get(f))
                    .and_then(|b| b.get(name))
                {
                    let mut abs = bound.clone();
                    abs.extend(rest.iter().cloned());
                    return Some(abs);
                } else {
                    return None;
                }
            }
        };
        if first != "crate" && first != "$crate" && first != "self" && first != "super" {
            base.push(first.clone());
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// The file that defines what the absolute path `path` names: the deepest module file
    /// on it, or, when that file only re-exports the next name, the file it comes from.
    fn file_of(&self, path: &[String], depth: usize) -> Option<PathBuf> {
        let n = (0..=path.len())
            .rev()
            .find(|n| self.modules.contains_key(&path[..*n]))?;
        let file = &self.modules[&path[..n]];
        if n == 0
            && let Some(defined) = path.first().and_then(|name| self.macros.get(name))
        {
            return Some(defined.clone());
        }
        if depth < 16
            && let Some(next) = path.get(n)
            && let Some(bound) = self.bindings.get(file).and_then(|b| b.get(next))
        {
            let mut through = bound.clone();
            through.extend(path[n + 1..].iter().cloned());
            if let Some(found) = self.file_of(&through, depth + 1) {
                return Some(found);
            }
        }
        Some(file.clone())
    }

    /// The folder a file belongs to: a module with submodules and those submodules are one
    /// folder; a file of the crate's top level without submodules is its own.
    fn folder(&self, file: &Path) -> Vec<String> {
        let module = &self.files[file];
        let has_children = self
            .modules
            .keys()
            .any(|m| m.len() == module.len() + 1 && m.starts_with(module));
        if has_children || module.len() <= 1 {
            module.clone()
        } else {
            module[..module.len() - 1].to_vec()
        }
    }

    /// Each strongly connected set of files that spans more than one folder, shown as one
    /// concrete cycle through it and the list of files it ties together.
    fn cycles_between_folders(&self) -> Vec<String> {
        let mut out = Vec::new();
        for component in self.strongly_connected() {
            let folders: BTreeSet<_> = component.iter().map(|f| self.folder(f)).collect();
            if folders.len() < 2 {
                continue;
            }
            let inside: BTreeSet<&PathBuf> = component.iter().collect();
            // An edge that leaves a folder, then the shortest way back.
            let (from, to) = component
                .iter()
                .flat_map(|a| self.targets(a).map(move |b| (a, b)))
                .find(|(a, b)| inside.contains(b) && self.folder(a) != self.folder(b))
                .expect("a component over two folders has an edge between them");
            let mut path = self.shortest(to, from, &inside);
            path.insert(0, from.clone());
            let steps: Vec<String> = path
                .windows(2)
                .map(|w| {
                    let (line, named) = &self.edges[&w[0]][&w[1]];
                    format!(
                        "  {}:{line} -> {} (`{named}`)",
                        self.show(&w[0]),
                        self.show(&w[1])
                    )
                })
                .collect();
            let all: Vec<String> = component.iter().map(|f| self.show(f)).collect();
            out.push(format!(
                "a cycle of {} files over {} folders: {}\n{}",
                component.len(),
                folders.len(),
                all.join(", "),
                steps.join("\n")
            ));
        }
        out
    }

    fn show(&self, file: &Path) -> String {
        file.strip_prefix(&self.root)
            .unwrap_or(file)
            .display()
            .to_string()
    }

    fn targets<'a>(&'a self, file: &PathBuf) -> impl Iterator<Item = &'a PathBuf> {
        self.edges.get(file).into_iter().flat_map(|e| e.keys())
    }

    /// The shortest path from `from` to `to` inside `inside` (both ends included).
    fn shortest(&self, from: &PathBuf, to: &PathBuf, inside: &BTreeSet<&PathBuf>) -> Vec<PathBuf> {
        let mut came_from: HashMap<&PathBuf, &PathBuf> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(at) = queue.pop_front() {
            if at == to {
                break;
            }
            for next in self.targets(at) {
                if inside.contains(next) && next != from && !came_from.contains_key(next) {
                    came_from.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        let mut path = vec![to.clone()];
        let mut at = to;
        while at != from {
            at = came_from[at];
            path.push(at.clone());
        }
        path.reverse();
        path
    }

    /// Tarjan's strongly connected components with more than one file.
    fn strongly_connected(&self) -> Vec<Vec<PathBuf>> {
        struct State<'a> {
            index: HashMap<&'a PathBuf, usize>,
            low: HashMap<&'a PathBuf, usize>,
            stack: Vec<&'a PathBuf>,
            on_stack: BTreeSet<&'a PathBuf>,
            out: Vec<Vec<PathBuf>>,
        }
        fn visit<'a>(g: &'a Graph, v: &'a PathBuf, s: &mut State<'a>) {
            let i = s.index.len();
            s.index.insert(v, i);
            s.low.insert(v, i);
            s.stack.push(v);
            s.on_stack.insert(v);
            for w in g.targets(v) {
                if !s.index.contains_key(w) {
                    visit(g, w, s);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
            if s.low[v] == s.index[v] {
                let mut component = Vec::new();
                loop {
                    let w = s.stack.pop().unwrap();
                    s.on_stack.remove(w);
                    component.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    s.out.push(component);
                }
            }
        }
        let mut state = State {
            index: HashMap::new(),
            low: HashMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            out: Vec::new(),
        };
        for file in self.files.keys() {
            if !state.index.contains_key(file) {
                visit(self, file, &mut state);
            }
        }
        state.out
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

impl Token {
    fn ident(&self) -> Option<&str> {
        match &self.tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }

    fn is(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }
}

/// Rust's tokens, as far as paths need them: identifiers (`$crate` as one), `::` and single
/// punctuation; comments, strings, characters, lifetimes and numbers are dropped.
fn lex(text: &str) -> Vec<Token> {
    let s: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let ident_start = |c: char| c.is_alphabetic() || c == '_';
    let ident_char = |c: char| c.is_alphanumeric() || c == '_';
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && s.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(s[i] == '\n');
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&s, i) {
            // r"…", r#"…"#, br"…", cr#"…"#
            i = s[i..].iter().position(|&c| c == '"').unwrap() + i + 1;
            loop {
                if i >= s.len() {
                    break;
                }
                if s[i] == '"' && (0..hashes).all(|k| s.get(i + 1 + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                line += usize::from(s[i] == '\n');
                i += 1;
            }
        } else if c == '"' || (matches!(c, 'b' | 'c') && next == Some('"')) {
            i += if c == '"' { 1 } else { 2 };
            while i < s.len() && s[i] != '"' {
                if s[i] == '\\' {
                    i += 1;
                }
                line += usize::from(s.get(i) == Some(&'\n'));
                i += 1;
            }
            i += 1;
        } else if c == '\'' || (c == 'b' && next == Some('\'')) {
            let start = if c == 'b' { i + 1 } else { i };
            let after = s.get(start + 1).copied();
            if after == Some('\\') {
                // '\n', '\'', '\u{…}'
                i = start + 3;
                while i < s.len() && s[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if s.get(start + 2) == Some(&'\'') {
                i = start + 3; // 'x'
            } else {
                // A lifetime or label: 'a
                i = start + 1;
                while i < s.len() && ident_char(s[i]) {
                    i += 1;
                }
            }
        } else if c == '$' && s[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) {
            out.push(Token {
                tok: Tok::Ident("$crate".into()),
                line,
            });
            i += 6;
        } else if c == 'r' && next == Some('#') && s.get(i + 2).is_some_and(|&c| ident_start(c)) {
            i += 2; // r#ident
        } else if ident_start(c) {
            let start = i;
            while i < s.len() && ident_char(s[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(s[start..i].iter().collect()),
                line,
            });
        } else if c.is_ascii_digit() {
            while i < s.len()
                && (ident_char(s[i])
                    || (s[i] == '.' && s.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
        } else if c == ':' && next == Some(':') {
            out.push(Token {
                tok: Tok::Path,
                line,
            });
            i += 2;
        } else {
            out.push(Token {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    out
}

/// The number of `#` of a raw string (`r"…"`, `r#"…"#`, `br"…"`, `cr"…"`) starting at `i`.
fn raw_string_start(s: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(s[j], 'b' | 'c') {
        j += 1;
    }
    if s.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = s[j..].iter().take_while(|&&c| c == '#').count();
    (s.get(j + hashes) == Some(&'"')).then_some(hashes)
}

/// The tokens without `#[cfg(test)]` items, and the child modules declared (`mod x;`) that
/// are not test-only.
fn without_test_code(tokens: Vec<Token>) -> (Vec<Token>, Vec<String>) {
    let mut out = Vec::new();
    let mut children = Vec::new();
    let mut i = 0;
    let is_cfg_test = |t: &[Token]| {
        t.len() >= 7
            && t[0].is('#')
            && t[1].is('[')
            && t[2].ident() == Some("cfg")
            && t[3].is('(')
            && t[4].ident() == Some("test")
            && t[5].is(')')
            && t[6].is(']')
    };
    while i < tokens.len() {
        if is_cfg_test(&tokens[i..]) {
            i += 7;
            // Other attributes of the same item.
            while i + 1 < tokens.len() && tokens[i].is('#') && tokens[i + 1].is('[') {
                i = matching(&tokens, i + 1) + 1;
            }
            // The item: up to its `;` or the end of its first `{ … }`.
            while i < tokens.len() {
                if tokens[i].is(';') {
                    i += 1;
                    break;
                }
                if tokens[i].is('{') {
                    i = matching(&tokens, i) + 1;
                    break;
                }
                if tokens[i].is('(') || tokens[i].is('[') {
                    i = matching(&tokens, i);
                }
                i += 1;
            }
            continue;
        }
        // `mod name;` (with or without `pub`), not `mod name { … }`.
        if tokens[i].ident() == Some("mod")
            && let (Some(name), Some(end)) =
                (tokens.get(i + 1).and_then(Token::ident), tokens.get(i + 2))
            && end.is(';')
        {
            children.push(name.to_string());
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    (out, children)
}

/// The index of the bracket closing the one at `open`.
fn matching(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0i32;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        if t.is('(') || t.is('[') || t.is('{') {
            depth += 1;
        } else if t.is(')') || t.is(']') || t.is('}') {
            depth -= 1;
            if depth == 0 {
                return k;
            }
        }
    }
    tokens.len() - 1
}

/// Every `use` declaration, flattened: each imported path, the name it binds (`None` for
/// a glob), and its line.
fn use_trees(tokens: &[Token]) -> Vec<(Vec<String>, Option<String>, usize)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if t.ident() == Some("use") {
            let mut at = i + 1;
            if tokens.get(at).is_some_and(|t| t.tok == Tok::Path) {
                at += 1;
            }
            use_tree(tokens, &mut at, Vec::new(), &mut out);
        }
    }
    out
}

fn use_tree(
    tokens: &[Token],
    at: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>, usize)>,
) {
    let mut path = prefix;
    let line = tokens.get(*at).map_or(0, |t| t.line);
    loop {
        let Some(t) = tokens.get(*at) else { return };
        if t.is('{') {
            *at += 1;
            loop {
                match tokens.get(*at) {
                    Some(t) if t.is('}') => {
                        *at += 1;
                        return;
                    }
                    Some(t) if t.is(',') => *at += 1,
                    Some(_) => use_tree(tokens, at, path.clone(), out),
                    None => return,
                }
            }
        }
        if t.is('*') {
            *at += 1;
            out.push((path, None, line));
            return;
        }
        let Some(name) = t.ident() else { return };
        *at += 1;
        if name == "self" && !path.is_empty() {
            let bound = path.last().cloned();
            out.push((path, bound, line));
            return;
        }
        path.push(name.to_string());
        match tokens.get(*at) {
            Some(t) if t.tok == Tok::Path => *at += 1,
            Some(t) if t.ident() == Some("as") => {
                let alias = tokens
                    .get(*at + 1)
                    .and_then(Token::ident)
                    .map(str::to_string);
                *at += 2;
                out.push((path, alias.filter(|a| a != "_"), line));
                return;
            }
            _ => {
                let bound = path.last().cloned();
                out.push((path, bound, line));
                return;
            }
        }
    }
}

/// Paths in code: `a::b::c` not preceded by `::`, with their line. Generic arguments
/// (`Vec::<T>`) end a path.
fn expression_paths(tokens: &[Token]) -> Vec<(Vec<String>, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let starts = tokens[i].ident().is_some()
            && (i == 0 || tokens[i - 1].tok != Tok::Path)
            && tokens.get(i + 1).is_some_and(|t| t.tok == Tok::Path);
        if !starts {
            i += 1;
            continue;
        }
        let mut path = vec![tokens[i].ident().unwrap().to_string()];
        let line = tokens[i].line;
        let mut j = i + 1;
        while tokens.get(j).is_some_and(|t| t.tok == Tok::Path)
            && let Some(name) = tokens.get(j + 1).and_then(Token::ident)
        {
            path.push(name.to_string());
            j += 2;
        }
        // `crate::{a, b}`, `super::*`: a `use` group's prefix, whose paths `use_trees` has.
        let group = tokens.get(j).is_some_and(|t| t.tok == Tok::Path)
            && tokens.get(j + 1).is_some_and(|t| t.is('{') || t.is('*'));
        if !group {
            out.push((path, line));
        }
        i = j;
    }
    out
}

/// ARCHITECTURE.md is the door into the code, so everything it names must be there: every
/// path in backticks (from the root, from `src/`, or a bare file name found in the tree),
/// and the first module of every `module::item` it names.
#[test]
fn every_path_architecture_md_names_exists() {
    let root = workspace();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    // Names on a user's disk, not in this tree.
    const USERS: &[&str] = &["config.toml", "gv.toml", "bin/", ".go-version"];
    let files = tree_files(&root);
    let modules: BTreeSet<String> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .flat_map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let parent = p.parent().unwrap().file_name().unwrap().to_string_lossy();
            [stem, parent.into_owned()]
        })
        .chain(["std", "gv_core", "crate"].map(String::from))
        .collect();
    let mut missing = Vec::new();
    let mut checked = 0;
    for span in backticked(&text) {
        if span.contains("::") {
            let first = span.split("::").next().unwrap();
            let is_path = !first.is_empty()
                && first
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if is_path && !modules.contains(first) {
                missing.push(format!("`{span}` (no module `{first}`)"));
            }
            continue;
        }
        if !looks_like_a_path(&span) || USERS.contains(&span.as_str()) {
            continue;
        }
        for path in expand_braces(&span) {
            checked += 1;
            let path = path.trim_end_matches('/');
            let found = root.join(path).exists()
                || root.join("src").join(path).exists()
                || (!path.contains('/')
                    && files
                        .iter()
                        .any(|f| f.file_name().is_some_and(|n| n == path)));
            if !found {
                missing.push(format!("`{span}`"));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} paths found: is the parser right?"
    );
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names what the tree does not have: {missing:?}"
    );
}

/// The crate table of ARCHITECTURE.md lists exactly the workspace's members, each with its
/// folder.
#[test]
fn architecture_md_lists_every_crate_where_it_is() {
    let root = workspace();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let table: BTreeSet<(String, String)> = text
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let unquote = |s: &str| s.trim_matches('`').trim_end_matches('/').to_string();
            (unquote(cells[1]), unquote(cells[2]))
        })
        .collect();
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let members = manifest["workspace"]["members"].as_array().unwrap();
    let tree: BTreeSet<(String, String)> = members
        .iter()
        .map(|m| {
            let dir = m.as_str().unwrap();
            let package: toml::Table = std::fs::read_to_string(root.join(dir).join("Cargo.toml"))
                .unwrap()
                .parse()
                .unwrap();
            let name = package["package"]["name"].as_str().unwrap().to_string();
            // The root package's code is src/.
            let shown = if dir == "." { "src" } else { dir };
            (name, shown.to_string())
        })
        .collect();
    assert_eq!(
        table, tree,
        "ARCHITECTURE.md's crate table against Cargo.toml"
    );
}

/// The text of every `span` outside fenced code blocks.
fn backticked(text: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        spans.extend(line.split('`').skip(1).step_by(2).map(String::from));
    }
    spans
}

/// A span that names a file or folder of the tree: a path with a slash, or a file name
/// with an extension the tree's files have. Placeholders (`versions/<version>/`,
/// `GV_ROOT/current`, `~/.cache/…`, `rest[.debug]`) and commands are not paths.
fn looks_like_a_path(span: &str) -> bool {
    const EXTENSIONS: &[&str] = &[".rs", ".md", ".toml", ".sh", ".ps1"];
    let plain = span
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '{' | '}' | ','));
    let placeholder = span
        .split('/')
        .next()
        .is_some_and(|first| first.chars().any(|c| c.is_ascii_uppercase()) && !first.contains('.'));
    plain && !placeholder && (span.contains('/') || EXTENSIONS.iter().any(|e| span.ends_with(e)))
}

/// `gv.{bash,zsh}` → `gv.bash`, `gv.zsh` (one brace group, as ARCHITECTURE.md writes them).
fn expand_braces(span: &str) -> Vec<String> {
    match (span.find('{'), span.find('}')) {
        (Some(open), Some(close)) if open < close => span[open + 1..close]
            .split(',')
            .map(|alt| format!("{}{alt}{}", &span[..open], &span[close + 1..]))
            .collect(),
        _ => vec![span.to_string()],
    }
}

/// Every file under the crates' and tests' folders, for bare file names.
fn tree_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = CRATES
        .iter()
        .map(|c| root.join(c))
        .chain([root.join("tests"), root.join("scripts")])
        .collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// `rust-version` is true of the dependencies too: none declares a newer Rust than the
/// workspace does (clippy's `incompatible_msrv`, kept on in Cargo.toml, checks gv's own
/// code against it).
#[test]
fn no_dependency_needs_a_newer_rust_than_rust_version() {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(workspace())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let parse = |v: &str| -> Vec<u64> {
        let mut parts: Vec<u64> = v.split('.').map(|p| p.parse().unwrap()).collect();
        parts.resize(3, 0);
        parts
    };
    let manifest: toml::Table = std::fs::read_to_string(workspace().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let ours = manifest["workspace"]["package"]["rust-version"]
        .as_str()
        .unwrap();
    let resolved: BTreeSet<&str> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let newer: Vec<String> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| resolved.contains(p["id"].as_str().unwrap()))
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (parse(needs) > parse(ours))
                .then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        newer.is_empty(),
        "rust-version is {ours}, but {newer:?}: raise it (CONTRIBUTING.md)"
    );
}
