//! Which Go version applies in a directory, and *why*.
//!
//! Precedence, first match wins:
//! 1. `GV_VERSION`;
//! 2. the nearest pin file up the tree: `.go-version`, or `.tool-versions` with a
//!    `golang`/`go` line (`.go-version` wins within one directory);
//! 3. only when there is no pin file: the file the go command takes its version from —
//!    the workspace's go.work (the nearest up the tree, or `$GOWORK`; `GOWORK=off` turns
//!    it off), else the nearest go.mod — (`toolchain` pins exactly; the `go` line is a
//!    minimum), unless `GV_GOMOD=0`;
//! 4. the global default (`gv global`);
//! 5. `system`: a `go` on PATH outside gv's own directories.
//!
//! Discovery, request and resolution run through [`crate::session::Session`], which the
//! shim, the hook and every gv command use: one rule, one place.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::notice::Notice;
use crate::pinfile::{self, GoMod, PinEntries, PinFileError};
use crate::store::{Store, StoreError};
use crate::version::{Spec, Version, VersionError};

pub const GO_VERSION_FILE: &str = ".go-version";
pub const TOOL_VERSIONS_FILE: &str = ".tool-versions";
pub const PROJECT_CONFIG_FILE: &str = "gv.toml";

/// Why a version was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Env {
        var: &'static str,
    },
    GoVersionFile {
        path: PathBuf,
    },
    ToolVersions {
        path: PathBuf,
    },
    GoModToolchain {
        path: PathBuf,
    },
    GoModGo {
        path: PathBuf,
        go: Version,
    },
    Global {
        path: PathBuf,
    },
    /// Nothing pinned anywhere: the system `go`.
    Default,
}

impl Origin {
    /// A short machine-friendly name, used in `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Env { .. } => "env",
            Origin::GoVersionFile { .. } => "go-version",
            Origin::ToolVersions { .. } => "tool-versions",
            Origin::GoModToolchain { path } if is_go_work(path) => "go.work-toolchain",
            Origin::GoModGo { path, .. } if is_go_work(path) => "go.work-go",
            Origin::GoModToolchain { .. } => "go.mod-toolchain",
            Origin::GoModGo { .. } => "go.mod-go",
            Origin::Global { .. } => "global",
            Origin::Default => "default",
        }
    }

    /// The file that made the choice, if a file did.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Origin::GoVersionFile { path }
            | Origin::ToolVersions { path }
            | Origin::GoModToolchain { path }
            | Origin::GoModGo { path, .. }
            | Origin::Global { path } => Some(path),
            Origin::Env { .. } | Origin::Default => None,
        }
    }

    fn is_pin(&self) -> bool {
        !matches!(
            self,
            Origin::GoModToolchain { .. } | Origin::GoModGo { .. } | Origin::Default
        )
    }
}

/// A workspace file: go.work, or whatever GOWORK names. A module file is always go.mod.
fn is_go_work(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name != "go.mod")
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env { var } => write!(f, "set by the {var} environment variable"),
            Origin::GoVersionFile { path } | Origin::ToolVersions { path } => {
                write!(f, "set by {}", crate::text::path(path))
            }
            Origin::GoModToolchain { path } => {
                write!(f, "toolchain line of {}", crate::text::path(path))
            }
            Origin::GoModGo { path, go } => write!(
                f,
                "newest installed version satisfying `go {go}` in {}",
                crate::text::path(path)
            ),
            Origin::Global { path } => {
                write!(f, "global default, set by {}", crate::text::path(path))
            }
            Origin::Default => f.write_str("no version pinned; using the system go"),
        }
    }
}

/// What was asked for, and by whom. Several specs are fallbacks, tried in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub specs: Vec<Spec>,
    pub origin: Origin,
}

impl Request {
    /// What `gv install` installs to satisfy this request — the one answer the
    /// not-installed hint, auto-install and `gv install` with no argument all give: the
    /// first fallback a download can satisfy (`system` cannot), a go.mod minimum widened
    /// to its release series.
    pub fn install_spec(&self) -> Option<Spec> {
        self.specs.iter().find_map(Spec::for_install)
    }
}

/// A request resolved against what is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Managed { version: Version, goroot: PathBuf },
    System { go: PathBuf },
}

impl Resolved {
    /// The GOROOT to use. For the system go it is the directory above `bin/go` when the
    /// layout looks like a GOROOT, which it does for Debian's /usr/lib/go-1.xx and tarballs.
    pub fn goroot(&self) -> Option<PathBuf> {
        match self {
            Resolved::Managed { goroot, .. } => Some(goroot.clone()),
            Resolved::System { go } => {
                let real = std::fs::canonicalize(go).ok()?;
                let root = real.parent()?.parent()?;
                root.join("src").is_dir().then(|| root.to_path_buf())
            }
        }
    }

    /// Full path of a binary of this SDK, e.g. `bin/go` or `bin/gofmt` (`bin\go.exe` on
    /// Windows).
    pub fn binary(&self, name: &str) -> PathBuf {
        let file = crate::platform::exe_name(name);
        match self {
            Resolved::Managed { goroot, .. } => goroot.join("bin").join(file),
            Resolved::System { go } => go.with_file_name(file),
        }
    }

    /// The version name for display: `1.22.10`, or `system`.
    pub fn name(&self) -> String {
        match self {
            Resolved::Managed { version, .. } => version.to_string(),
            Resolved::System { .. } => "system".to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Selection {
    pub request: Request,
    pub resolved: Resolved,
}

#[derive(Debug, Clone, Error)]
pub enum SelectError {
    #[error("Go {wanted} is not installed ({origin})")]
    NotInstalled {
        wanted: String,
        /// What `gv install` would install for the request ([`Request::install_spec`]).
        install: Option<String>,
        origin: Box<Origin>,
    },
    #[error("`system` was selected ({origin}) but there is no go on PATH outside gv's directories")]
    NoSystemGo { origin: Box<Origin> },
    #[error("no Go version is selected here and there is no go on PATH")]
    NothingSelected,
    #[error("{var}={value:?} is not valid")]
    BadEnv {
        var: &'static str,
        value: String,
        #[source]
        source: VersionError,
    },
    #[error(transparent)]
    PinFile(#[from] PinFileError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl crate::error::Hint for SelectError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            SelectError::NotInstalled { install, .. } => match install {
                Some(spec) => format!(
                    "run `{}`",
                    crate::suggest::command(["gv", "install", &spec.to_string()])
                ),
                None => return None,
            },
            SelectError::NoSystemGo { .. } => "install Go with your package manager, or pick a managed version with `gv local 1.22` / `gv global latest`".into(),
            SelectError::NothingSelected => "run `gv install latest`, or pin this project with `gv local 1.22`".into(),
            SelectError::BadEnv { .. } => "set it to a version like 1.22.3, or unset it".into(),
            SelectError::PinFile(e) => return e.hint(),
            SelectError::Store(e) => return e.hint(),
        })
    }
}

/// The inputs selection reads from the process environment, captured once so tests
/// and callers can vary them.
#[derive(Debug, Clone, Default)]
pub struct SelectEnv {
    pub gv_version: Option<String>,
    /// `GOENV_VERSION`, the fallback for `GV_VERSION`.
    pub goenv_version: Option<String>,
    pub gomod: bool,
    /// Where the go command looks for go.work (`GOWORK`).
    pub gowork: Workspace,
    pub path: Option<OsString>,
}

/// Where the go command looks for a workspace file, as `GOWORK` says (the go command's
/// `FindGoWork`): by default the nearest go.work up the tree, which then decides the
/// version before any go.mod does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Workspace {
    /// `GOWORK` unset, empty or `auto`.
    #[default]
    Search,
    /// `GOWORK=off`; also a relative path, which the go command refuses outright.
    Off,
    /// `GOWORK=/abs/path/go.work`: that file, when it exists.
    File(PathBuf),
}

impl Workspace {
    pub fn from_gowork(value: Option<&OsStr>) -> Workspace {
        match value.map(Path::new) {
            None => Workspace::Search,
            Some(v) if v.as_os_str().is_empty() || v.as_os_str() == "auto" => Workspace::Search,
            Some(v) if v.is_absolute() => Workspace::File(v.to_path_buf()),
            Some(_) => Workspace::Off,
        }
    }
}

impl SelectEnv {
    pub fn from_process() -> SelectEnv {
        SelectEnv {
            gv_version: non_blank_var(crate::vars::VERSION),
            goenv_version: non_blank_var(crate::vars::GOENV_VERSION),
            gomod: std::env::var(crate::vars::GOMOD).map_or(true, |v| v != "0"),
            gowork: Workspace::from_gowork(std::env::var_os("GOWORK").as_deref()),
            path: std::env::var_os("PATH"),
        }
    }
}

fn non_blank_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The version-relevant files found walking up from a directory.
///
/// Finding files never fails: a broken pin file is kept as its error and raised by
/// [`request`] only when it is the file that decides, so `GV_VERSION` still overrides it.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// The nearest `.go-version` or `.tool-versions` with a Go line, already parsed (or
    /// why it could not be).
    pub pin: Option<Result<(Origin, PinEntries), PinFileError>>,
    /// The go.work or go.mod the go command takes its version from (see [`Workspace`]),
    /// not yet read: only [`request`] (when no pin decides) and [`pin_conflict`] need its
    /// content, so most runs never open it.
    pub gomod_path: Option<PathBuf>,
    /// The nearest project `gv.toml`.
    pub project_config: Option<PathBuf>,
    /// Files that would have counted but belong to another user (see [`Foreign`]).
    pub foreign: Vec<Foreign>,
    /// Every path looked at, nearest first, up to the file that decided for each kind:
    /// the places where a new file would take over (the shell hook watches them).
    pub looked_at: Vec<(FileKind, PathBuf)>,
}

/// The kinds of file discovery looks for, in each directory in this order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `.go-version`, then `.tool-versions` with a Go line.
    Pin,
    /// `go.work` (nearest up the tree, or `$GOWORK`), else the nearest `go.mod`.
    Module,
    /// `gv.toml`.
    ProjectConfig,
}

impl FileKind {
    /// The file names of this kind, in the order they win within one directory.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            FileKind::Pin => &[GO_VERSION_FILE, TOOL_VERSIONS_FILE],
            FileKind::Module => &["go.work", "go.mod"],
            FileKind::ProjectConfig => &[PROJECT_CONFIG_FILE],
        }
    }
}

/// A pin or config file owned by someone other than the user running gv (or root):
/// ignored, as git ignores a repository another user owns. Anyone can write to `/tmp`,
/// so a `/tmp/gv.toml` or `/tmp/.go-version` must not decide for everyone below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    pub path: PathBuf,
    pub owner: u32,
}

impl Foreign {
    pub fn notice(&self) -> Notice {
        // The uid, never a name: looking a name up asks NSS, which the static shim cannot
        // do safely (see `platform::home_dir`), and a uid is what the file records.
        Notice::new(
            &self.path,
            format!(
                "{} is ignored: it belongs to uid {}, not to you, and anyone's file could otherwise decide what runs here",
                self.path.display(),
                self.owner
            ),
        )
        .with_hint("if you trust it, copy it into your project, or `sudo chown` it to yourself")
    }
}

/// Walks from `dir` up to `/`, once, collecting the nearest of each kind of file (see
/// [`FileKind`] for the order within a directory). Files another user owns are passed
/// over (and listed in [`Discovery::foreign`]).
///
/// Like the go command, a go.work anywhere above (or the one `$GOWORK` names) beats every
/// go.mod, even a nearer one: inside a workspace the module's own go.mod does not choose
/// the toolchain.
pub fn discover(dir: &Path, workspace: &Workspace) -> Discovery {
    let mut found = Discovery::default();
    let me = crate::platform::current_uid();
    let mut go_work = match workspace {
        Workspace::File(path) => path.is_file().then(|| path.clone()),
        Workspace::Search | Workspace::Off => None,
    };
    let mut go_mod = None;
    for dir in dir.ancestors() {
        if found.pin.is_none() {
            found.pin = find_pin(dir, me, &mut found.foreign, &mut found.looked_at);
        }
        if go_work.is_none() && *workspace == Workspace::Search {
            go_work = find_named(dir, "go.work", FileKind::Module, me, &mut found);
        }
        if go_work.is_none() && go_mod.is_none() {
            go_mod = find_named(dir, "go.mod", FileKind::Module, me, &mut found);
        }
        if found.project_config.is_none() {
            found.project_config = find_first(dir, FileKind::ProjectConfig, me, &mut found);
        }
        let module_settled =
            go_work.is_some() || (go_mod.is_some() && *workspace != Workspace::Search);
        if found.pin.is_some() && module_settled && found.project_config.is_some() {
            break;
        }
    }
    found.gomod_path = go_work.or(go_mod);
    found
}

/// `dir/name`, when it is a usable file; the place is noted as looked at either way.
fn find_named(
    dir: &Path,
    name: &str,
    kind: FileKind,
    me: u32,
    found: &mut Discovery,
) -> Option<PathBuf> {
    let path = dir.join(name);
    found.looked_at.push((kind, path.clone()));
    usable_file(&path, me, &mut found.foreign).then_some(path)
}

/// The pin file deciding in `dir`, parsed: `.go-version`, else a `.tool-versions` with a Go
/// line (one without does not count, and the search goes on above).
fn find_pin(
    dir: &Path,
    me: u32,
    foreign: &mut Vec<Foreign>,
    looked_at: &mut Vec<(FileKind, PathBuf)>,
) -> Option<Result<(Origin, PinEntries), PinFileError>> {
    let go_version = dir.join(GO_VERSION_FILE);
    looked_at.push((FileKind::Pin, go_version.clone()));
    if usable_file(&go_version, me, foreign) {
        match pinfile::read_go_version(&go_version) {
            Err(PinFileError::Foreign { path, owner }) => foreign.push(Foreign { path, owner }),
            read => {
                return Some(
                    read.map(|entries| (Origin::GoVersionFile { path: go_version }, entries)),
                );
            }
        }
    }
    let tool_versions = dir.join(TOOL_VERSIONS_FILE);
    looked_at.push((FileKind::Pin, tool_versions.clone()));
    if !usable_file(&tool_versions, me, foreign) {
        return None;
    }
    match pinfile::read_tool_versions(&tool_versions) {
        Ok(Some(entries)) => Some(Ok((
            Origin::ToolVersions {
                path: tool_versions,
            },
            entries,
        ))),
        Ok(None) => None,
        Err(PinFileError::Foreign { path, owner }) => {
            foreign.push(Foreign { path, owner });
            None
        }
        Err(err) => Some(Err(err)),
    }
}

/// The first usable file of `kind` in `dir`.
fn find_first(dir: &Path, kind: FileKind, me: u32, found: &mut Discovery) -> Option<PathBuf> {
    kind.names()
        .iter()
        .find_map(|name| find_named(dir, name, kind, me, found))
}

/// Is `path` a file gv may obey: a regular file owned by `me` or by root, reached
/// through no link another user owns? One `lstat`, as `is_file` would cost (a second
/// `stat` for a link). A file or link of another user's is noted in `foreign`: a link in
/// a shared directory is as much that user's say as a file would be, wherever it points.
fn usable_file(path: &Path, me: u32, foreign: &mut Vec<Foreign>) -> bool {
    let Ok(mut meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    let mine = |owner: u32| owner == me || owner == crate::platform::ROOT_UID;
    if meta.file_type().is_symlink() {
        let owner = crate::platform::owner(&meta);
        if !mine(owner) {
            foreign.push(Foreign {
                path: path.to_path_buf(),
                owner,
            });
            return false;
        }
        let Ok(target) = std::fs::metadata(path) else {
            return false;
        };
        meta = target;
    }
    if !meta.is_file() {
        return false;
    }
    let owner = crate::platform::owner(&meta);
    if !mine(owner) {
        foreign.push(Foreign {
            path: path.to_path_buf(),
            owner,
        });
        return false;
    }
    true
}

/// Decides what is asked for here, without looking at what is installed.
pub fn request(store: &Store, env: &SelectEnv, found: &Discovery) -> Result<Request, SelectError> {
    let from_env = match (&env.gv_version, &env.goenv_version) {
        (Some(value), _) => Some((crate::vars::VERSION, value)),
        (None, Some(value)) => Some((crate::vars::GOENV_VERSION, value)),
        (None, None) => None,
    };
    if let Some((var, value)) = from_env {
        let specs = value
            .split([':', ' '])
            .filter(|s| !s.is_empty())
            .map(Spec::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| SelectError::BadEnv {
                var,
                value: value.clone(),
                source,
            })?;
        return Ok(Request {
            specs,
            origin: Origin::Env { var },
        });
    }
    match &found.pin {
        Some(Ok((origin, entries))) => {
            return Ok(Request {
                specs: entries.specs.clone(),
                origin: origin.clone(),
            });
        }
        Some(Err(err)) => return Err(err.clone().into()),
        None => {}
    }
    if env.gomod
        && let Some(path) = &found.gomod_path
        && let Some(request) = gomod_request(path, &pinfile::read_go_mod(path)?)
    {
        return Ok(request);
    }
    let global = store.global_file();
    if global.is_file() {
        let entries = pinfile::read_go_version(&global)?;
        return Ok(Request {
            specs: entries.specs,
            origin: Origin::Global { path: global },
        });
    }
    Ok(Request {
        specs: vec![Spec::System],
        origin: Origin::Default,
    })
}

fn gomod_request(path: &Path, module: &GoMod) -> Option<Request> {
    let go_min = module.go.as_ref().map(Version::minimum_toolchain);
    match (&module.toolchain, go_min) {
        (Some(toolchain), min) if min.as_ref().is_none_or(|m| toolchain >= m) => Some(Request {
            specs: vec![Spec::Exact(toolchain.clone())],
            origin: Origin::GoModToolchain {
                path: path.to_path_buf(),
            },
        }),
        (_, Some(min)) => Some(Request {
            specs: vec![Spec::AtLeast(min)],
            origin: Origin::GoModGo {
                path: path.to_path_buf(),
                go: module.go.clone()?,
            },
        }),
        _ => None,
    }
}

/// Resolves a request against the store: the first spec that has an installed match wins.
pub fn resolve(store: &Store, env: &SelectEnv, request: Request) -> Result<Selection, SelectError> {
    let mut installed: Option<Vec<Version>> = None;
    for spec in &request.specs {
        let resolved = match spec {
            Spec::System => match find_system_go(store, env.path.as_deref()) {
                Some(go) => Some(Resolved::System { go }),
                None if request.specs.len() > 1 => None,
                None if request.origin == Origin::Default => {
                    return Err(SelectError::NothingSelected);
                }
                None => {
                    return Err(SelectError::NoSystemGo {
                        origin: Box::new(request.origin),
                    });
                }
            },
            Spec::Exact(v) if store.is_installed(v) => Some(managed(store, v.clone())),
            _ => {
                let list = match &mut installed {
                    Some(list) => list,
                    None => installed.insert(store.installed()?),
                };
                spec.best_match(list.iter())
                    .cloned()
                    .map(|v| managed(store, v))
            }
        };
        if let Some(resolved) = resolved {
            return Ok(Selection { request, resolved });
        }
    }
    let first = request.specs.first().cloned().unwrap_or(Spec::Latest);
    Err(SelectError::NotInstalled {
        wanted: match &first {
            Spec::AtLeast(min) => format!("{min} or newer"),
            other => other.to_string(),
        },
        install: request.install_spec().map(|spec| spec.to_string()),
        origin: Box::new(request.origin),
    })
}

fn managed(store: &Store, version: Version) -> Resolved {
    Resolved::Managed {
        goroot: store.version_dir(&version),
        version,
    }
}

/// The first executable `go` on PATH that is not one of gv's shims or managed SDKs.
pub fn find_system_go(store: &Store, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    find_outside_store(store, path, "go")
}

/// The first executable `name` on PATH that is not in gv's own directories, even through
/// a symlink (on Windows, `name` with one of `PATHEXT`'s extensions: `go.exe`).
pub fn find_outside_store(
    store: &Store,
    path: Option<&std::ffi::OsStr>,
    name: &str,
) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .filter(|dir| dir.is_absolute() && !store.owns(dir))
        .flat_map(|dir| crate::platform::executable_candidates(&dir, name))
        .find(|exe| {
            is_executable_file(exe)
                && std::fs::canonicalize(exe).is_ok_and(|real| !store.owns(&real))
        })
}

pub use crate::platform::is_executable_file;

/// A pinned version that is older than what the go.work / go.mod here requires: the
/// build would fail (or, with GOTOOLCHAIN=auto, silently switch toolchains).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinConflict {
    pub selected: Version,
    pub origin: Origin,
    pub gomod: PathBuf,
    pub required: Version,
}

impl fmt::Display for PinConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Go {} ({}) is older than the go{} that {} requires; go commands there will fail",
            self.selected,
            self.origin,
            self.required,
            crate::text::path(&self.gomod)
        )
    }
}

/// Reads go.mod only when a pin chose a managed version. An unreadable go.mod gives no
/// conflict: the go command itself will say what is wrong with it.
pub fn pin_conflict(selection: &Selection, found: &Discovery) -> Option<PinConflict> {
    let Resolved::Managed { version, .. } = &selection.resolved else {
        return None;
    };
    if !selection.request.origin.is_pin() {
        return None;
    }
    let gomod = found.gomod_path.as_ref()?;
    let module = pinfile::read_go_mod(gomod).ok()?;
    let required = module.go.as_ref()?.minimum_toolchain();
    (*version < required).then(|| PinConflict {
        selected: version.clone(),
        origin: selection.request.origin.clone(),
        gomod: gomod.clone(),
        required,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Discover, request, resolve: what a session does, without one.
    fn select(store: &Store, env: &SelectEnv, dir: &Path) -> Result<Selection, SelectError> {
        let found = discover(dir, &env.gowork);
        let request = request(store, env, &found)?;
        resolve(store, env, request)
    }

    fn fixture() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("store"));
        for v in ["1.21.13", "1.22.3", "1.22.10", "1.23rc1"] {
            std::fs::create_dir_all(store.versions_dir().join(v).join("bin")).unwrap();
        }
        (dir, store)
    }

    fn env() -> SelectEnv {
        SelectEnv {
            gv_version: None,
            goenv_version: None,
            gomod: true,
            ..SelectEnv::default()
        }
    }

    fn chosen(store: &Store, env: &SelectEnv, dir: &Path) -> String {
        select(store, env, dir).unwrap().resolved.name()
    }

    #[test]
    fn precedence_chain() {
        let (tmp, store) = fixture();
        let deep = tmp.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();

        // Nothing pinned and no system go.
        assert!(matches!(
            select(&store, &env(), &deep),
            Err(SelectError::NothingSelected)
        ));
        std::fs::write(store.global_file(), "1.21\n").unwrap();
        assert_eq!(chosen(&store, &env(), &deep), "1.21.13");

        std::fs::write(tmp.path().join("a/go.mod"), "module x\ngo 1.22\n").unwrap();
        assert_eq!(
            chosen(&store, &env(), &deep),
            "1.22.10",
            "newest stable satisfying go 1.22"
        );
        let no_gomod = SelectEnv {
            gomod: false,
            ..env()
        };
        assert_eq!(chosen(&store, &no_gomod, &deep), "1.21.13");

        std::fs::write(
            tmp.path().join("a/go.mod"),
            "module x\ngo 1.22\ntoolchain go1.22.3\n",
        )
        .unwrap();
        assert_eq!(chosen(&store, &env(), &deep), "1.22.3");

        std::fs::write(tmp.path().join(".go-version"), "1.21.13\n").unwrap();
        let sel = select(&store, &env(), &deep).unwrap();
        assert_eq!(sel.resolved.name(), "1.21.13", "a pin file beats go.mod");
        let found = discover(&deep, &Workspace::Search);
        let conflict = pin_conflict(&sel, &found).unwrap();
        assert_eq!(conflict.required.as_str(), "1.22.0");

        let goenv = SelectEnv {
            goenv_version: Some("1.22.3".into()),
            ..env()
        };
        let sel = select(&store, &goenv, &deep).unwrap();
        assert_eq!(sel.resolved.name(), "1.22.3");
        assert_eq!(
            sel.request.origin,
            Origin::Env {
                var: "GOENV_VERSION"
            }
        );
        let with_env = SelectEnv {
            gv_version: Some("1.22".into()),
            ..goenv
        };
        assert_eq!(
            chosen(&store, &with_env, &deep),
            "1.22.10",
            "GV_VERSION beats GOENV_VERSION"
        );
    }

    #[test]
    fn go_version_beats_tool_versions_in_one_dir_and_fallbacks_apply() {
        let (tmp, store) = fixture();
        let dir = tmp.path().join("p");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(".tool-versions"), "golang 1.22.3\n").unwrap();
        assert_eq!(chosen(&store, &env(), &dir), "1.22.3");
        std::fs::write(dir.join(".go-version"), "1.25.0\n1.21\n").unwrap();
        assert_eq!(
            chosen(&store, &env(), &dir),
            "1.21.13",
            "first installed fallback"
        );
    }

    #[test]
    fn not_installed_names_version_origin_and_fix() {
        let (tmp, store) = fixture();
        std::fs::write(tmp.path().join(".go-version"), "1.24.2\n").unwrap();
        let report = |dir: &Path| {
            let err = select(&store, &env(), dir).unwrap_err();
            crate::error::Report::with_hints(&err, crate::error::hint_of)
        };
        let err = report(tmp.path());
        assert!(err.message.contains("Go 1.24.2 is not installed"), "{err}");
        assert!(err.message.contains(".go-version"), "{err}");
        assert_eq!(
            err.hint.as_deref(),
            Some("run `gv install 1.24.2`"),
            "{err}"
        );

        std::fs::remove_file(tmp.path().join(".go-version")).unwrap();
        std::fs::write(tmp.path().join("go.mod"), "go 1.30\n").unwrap();
        let err = report(tmp.path());
        assert!(
            err.message.contains("Go 1.30.0 or newer is not installed"),
            "{err}"
        );
        assert!(err.hint.unwrap_or_default().contains("gv install 1.30"));
    }

    #[test]
    fn env_overrides_a_broken_pin_file_which_still_errors_when_it_decides() {
        let (tmp, store) = fixture();
        let junk: Vec<u8> = (0u8..=255).rev().cycle().take(4096).collect();
        let cases: [(&str, Vec<u8>); 4] = [
            (".go-version", Vec::new()),
            (".go-version", b"# only a comment\n".to_vec()),
            (".go-version", junk),
            (".tool-versions", b"golang\n".to_vec()),
        ];
        for (name, bytes) in cases {
            let dir = tempfile::tempdir_in(tmp.path()).unwrap();
            let deep = dir.path().join("sub");
            std::fs::create_dir_all(&deep).unwrap();
            std::fs::write(dir.path().join(name), &bytes).unwrap();

            let err = select(&store, &env(), &deep).unwrap_err();
            assert!(
                matches!(err, SelectError::PinFile(PinFileError::Empty { .. })),
                "{name} {bytes:?}: {err}"
            );
            assert!(err.to_string().contains(name), "{err}");

            let with_env = SelectEnv {
                gv_version: Some("1.22".into()),
                ..env()
            };
            assert_eq!(chosen(&store, &with_env, &deep), "1.22.10", "{name}");
            let goenv = SelectEnv {
                goenv_version: Some("1.21".into()),
                ..env()
            };
            assert_eq!(chosen(&store, &goenv, &deep), "1.21.13", "{name}");
        }
    }

    crate::unix_only! {
    /// go.mod is read only when it decides or `pin_conflict` asks: an unreadable one
    /// (reading /proc/self/mem at offset 0 fails with EIO, even as root) breaks nothing else.
    #[test]
    fn go_mod_is_read_only_when_needed() {
        let (tmp, store) = fixture();
        let dir = tmp.path().join("p");
        std::fs::create_dir_all(&dir).unwrap();
        let gomod = dir.join("go.mod");
        crate::platform::symlink(Path::new("/proc/self/mem"), &gomod).unwrap();
        assert!(gomod.is_file() && std::fs::read(&gomod).is_err());

        let found = discover(&dir, &Workspace::Search);
        assert_eq!(found.gomod_path.as_deref(), Some(gomod.as_path()));
        let err = select(&store, &env(), &dir).unwrap_err();
        assert!(
            matches!(&err, SelectError::PinFile(PinFileError::Read { path, .. }) if *path == gomod),
            "{err}"
        );
        let no_gomod = SelectEnv {
            gomod: false,
            ..env()
        };
        assert!(matches!(
            select(&store, &no_gomod, &dir),
            Err(SelectError::NothingSelected)
        ));
        let with_env = SelectEnv {
            gv_version: Some("1.22.3".into()),
            ..env()
        };
        assert_eq!(chosen(&store, &with_env, &dir), "1.22.3");

        std::fs::write(dir.join(".go-version"), "1.21\n").unwrap();
        let sel = select(&store, &env(), &dir).unwrap();
        assert_eq!(
            sel.resolved.name(),
            "1.21.13",
            "the pin decides; go.mod unread"
        );
        assert_eq!(
            pin_conflict(&sel, &discover(&dir, &Workspace::Search)),
            None
        );
    }
    }

    #[test]
    fn system_go_skips_gvs_own_directories() {
        let (tmp, store) = fixture();
        let sys = tmp.path().join("usr/bin");
        for dir in [&store.shims_dir(), &sys] {
            std::fs::create_dir_all(dir).unwrap();
            let go = dir.join(crate::platform::exe_name("go"));
            std::fs::write(&go, "#!/bin/sh\n").unwrap();
            crate::platform::set_executable(&go).unwrap();
        }
        let path = std::env::join_paths([store.shims_dir(), sys.clone()]).unwrap();
        let found = find_system_go(&store, Some(&path));
        assert_eq!(found, Some(sys.join(crate::platform::exe_name("go"))));
    }

    /// Go decides from the workspace's go.work before any go.mod, however near
    /// (`modGoToolchain` in cmd/go/internal/toolchain/select.go), and GOWORK chooses the
    /// workspace file or turns it off.
    #[test]
    fn a_workspace_go_work_beats_a_nearer_go_mod_and_gowork_decides_which() {
        let (tmp, store) = fixture();
        let ws = tmp.path().join("ws");
        let module = ws.join("svc/api");
        std::fs::create_dir_all(&module).unwrap();
        std::fs::write(ws.join("go.work"), "go 1.22.0\n\nuse ./svc/api\n").unwrap();
        std::fs::write(
            module.join("go.mod"),
            "module example.com/api\n\ngo 1.21\n\ntoolchain go1.21.13\n",
        )
        .unwrap();
        let with = |gowork: Workspace| SelectEnv { gowork, ..env() };
        let picked = |gowork: Workspace| {
            let sel = select(&store, &with(gowork), &module).unwrap();
            (sel.resolved.name(), sel.request.origin.kind())
        };
        assert_eq!(
            picked(Workspace::Search),
            ("1.22.10".into(), "go.work-go"),
            "the go.work above wins over the module's own toolchain line"
        );
        assert_eq!(
            picked(Workspace::Off),
            ("1.21.13".into(), "go.mod-toolchain")
        );
        let other = tmp.path().join("elsewhere.work");
        std::fs::write(&other, "go 1.22\n\ntoolchain go1.22.3\n").unwrap();
        assert_eq!(
            picked(Workspace::File(other)),
            ("1.22.3".into(), "go.work-toolchain")
        );
        // A GOWORK file that does not exist (yet: `go work init`) leaves go.mod to decide.
        assert_eq!(
            picked(Workspace::File(tmp.path().join("missing.work"))),
            ("1.21.13".into(), "go.mod-toolchain")
        );
        assert_eq!(
            Workspace::from_gowork(Some(OsStr::new("off"))),
            Workspace::Off
        );
        assert_eq!(
            Workspace::from_gowork(Some(OsStr::new(""))),
            Workspace::Search
        );
        assert_eq!(
            Workspace::from_gowork(Some(OsStr::new("auto"))),
            Workspace::Search
        );
        assert_eq!(
            Workspace::from_gowork(Some(OsStr::new("rel/go.work"))),
            Workspace::Off,
            "the go command refuses a relative GOWORK"
        );

        // A pin older than the workspace asks for is the conflict to warn about.
        std::fs::write(module.join(".go-version"), "1.21.13\n").unwrap();
        let sel = select(&store, &env(), &module).unwrap();
        let conflict = pin_conflict(&sel, &discover(&module, &Workspace::Search)).unwrap();
        assert_eq!(conflict.gomod, ws.join("go.work"));
        assert_eq!(conflict.required.to_string(), "1.22.0");
    }
}
