//! Which Go version applies in a directory, and *why*.
//!
//! Precedence, first match wins:
//! 1. `GV_VERSION` (else goenv's `GOENV_VERSION`);
//! 2. the nearest of a pin file and a module file up the tree (a pin file wins within one
//!    directory):
//!    - a pin file is `.go-version`, or `.tool-versions` with a `golang`/`go` line
//!      (`.go-version` wins within one directory); one that names nothing (empty, blank,
//!      comments only) is passed over, as goenv does;
//!    - a module file is the one the go command takes its version from: the workspace's
//!      go.work (the nearest up the tree, or `$GOWORK`; `GOWORK=off` turns it off), else
//!      the nearest go.mod (unless `GV_GOMOD=0`). It decides as Go's own toolchain rule
//!      does ([`crate::toolchain`]), with the global default as Go's local toolchain: the
//!      global default when it satisfies the file, else exactly the toolchain Go would
//!      fetch when it is installed, else the newest installed version that satisfies it;
//! 3. the global default (`gv global`);
//! 4. `system`: a `go` on PATH outside gv's own directories.
//!
//! Then GOTOOLCHAIN, when one is exported (or set by config), moves the choice the way it
//! moves the go command's ([`apply_toolchain`]): what gv reports is what runs.
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
use crate::toolchain;
use crate::version::{Spec, Version, VersionError};

pub const GO_VERSION_FILE: &str = ".go-version";
pub const TOOL_VERSIONS_FILE: &str = ".tool-versions";
pub const PROJECT_CONFIG_FILE: &str = "gv.toml";

/// Why a version was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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
    /// A go.mod or go.work, the nearest file, read by Go's own rule ([`crate::toolchain`]):
    /// `wants` is the line whose toolchain Go would fetch, `choice` what gv ran instead of
    /// fetching.
    Module {
        path: PathBuf,
        wants: ModuleLine,
        choice: ModuleChoice,
    },
    /// GOTOOLCHAIN (exported, or set by config) makes the go command run another version
    /// than the one selected, as it would without gv.
    Toolchain {
        /// `GOTOOLCHAIN=auto`
        setting: String,
        /// `your environment`, `[env] in /p/gv.toml`, …
        set_by: String,
        /// The go.mod / go.work line that raised it, if one did.
        module: Option<(PathBuf, ModuleLine)>,
        /// Go would run this version, which is not installed: the newest installed one
        /// that is at least as new runs instead.
        newest_for: Option<Version>,
    },
    Global {
        path: PathBuf,
    },
    /// Nothing pinned anywhere: the system `go`.
    #[default]
    Default,
}

/// The line of a go.mod / go.work that names what Go would run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleLine {
    Toolchain(Version),
    Go(Version),
}

impl fmt::Display for ModuleLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModuleLine::Toolchain(v) => write!(f, "`toolchain go{v}`"),
            ModuleLine::Go(v) => write!(f, "`go {v}`"),
        }
    }
}

/// How gv followed a go.mod / go.work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleChoice {
    /// The global default (in the role of Go's local toolchain) satisfies it, so Go would
    /// run it as it is.
    Global { path: PathBuf },
    /// Exactly the toolchain Go would fetch, which is installed.
    Exact,
    /// Go would fetch `go_would_run`, which is not installed: the newest installed version
    /// that satisfies the file runs instead.
    Newest { go_would_run: Version },
}

impl Origin {
    /// A short machine-friendly name, used in `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Env { .. } => "env",
            Origin::GoVersionFile { .. } => "go-version",
            Origin::ToolVersions { .. } => "tool-versions",
            Origin::Module { path, wants, .. } => match (is_go_work(path), wants) {
                (true, ModuleLine::Toolchain(_)) => "go.work-toolchain",
                (true, ModuleLine::Go(_)) => "go.work-go",
                (false, ModuleLine::Toolchain(_)) => "go.mod-toolchain",
                (false, ModuleLine::Go(_)) => "go.mod-go",
            },
            Origin::Toolchain { .. } => "gotoolchain",
            Origin::Global { .. } => "global",
            Origin::Default => "default",
        }
    }

    /// The file that made the choice, if a file did.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Origin::GoVersionFile { path }
            | Origin::ToolVersions { path }
            | Origin::Module { path, .. }
            | Origin::Global { path } => Some(path),
            Origin::Toolchain { module, .. } => module.as_ref().map(|(path, _)| path.as_path()),
            Origin::Env { .. } | Origin::Default => None,
        }
    }

    /// The version Go itself would run here, when gv runs another because that one is
    /// not installed (the newest installed version at least as new).
    pub fn go_would_run(&self) -> Option<&Version> {
        match self {
            Origin::Module {
                choice: ModuleChoice::Newest { go_would_run },
                ..
            } => Some(go_would_run),
            Origin::Toolchain { newest_for, .. } => newest_for.as_ref(),
            _ => None,
        }
    }

    /// Chosen by a setting or a pin file, not by what a go.mod / go.work asks for.
    fn is_pin(&self) -> bool {
        !matches!(
            self,
            Origin::Module { .. } | Origin::Toolchain { .. } | Origin::Default
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
            Origin::Module {
                path,
                wants,
                choice,
            } => match choice {
                ModuleChoice::Exact => match wants {
                    ModuleLine::Toolchain(_) => {
                        write!(f, "toolchain line of {}", crate::text::path(path))
                    }
                    ModuleLine::Go(_) => write!(f, "{wants} in {}", crate::text::path(path)),
                },
                ModuleChoice::Global { path: global } => write!(
                    f,
                    "global default, set by {}, satisfies {wants} in {}",
                    crate::text::path(global),
                    crate::text::path(path)
                ),
                ModuleChoice::Newest { go_would_run } => write!(
                    f,
                    "newest installed version satisfying {wants} in {}; go would fetch go{go_would_run}, which is not installed",
                    crate::text::path(path)
                ),
            },
            Origin::Toolchain {
                setting,
                set_by,
                module,
                newest_for,
            } => {
                write!(f, "{setting} from {set_by}")?;
                if let Some((path, line)) = module {
                    write!(f, " and {line} in {}", crate::text::path(path))?;
                }
                if let Some(wanted) = newest_for {
                    write!(
                        f,
                        "; go would fetch go{wanted}, which is not installed, so the newest installed version at least as new runs"
                    )?;
                }
                Ok(())
            }
            Origin::Global { path } => {
                write!(f, "global default, set by {}", crate::text::path(path))
            }
            Origin::Default => f.write_str("no version pinned; using the system go"),
        }
    }
}

/// What was asked for, and by whom. Several specs are fallbacks, tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    pub specs: Vec<Spec>,
    pub origin: Origin,
    /// When a go.mod / go.work decides: what it says ([`resolve`] follows Go's rule; `specs`
    /// holds the toolchain Go would fetch).
    pub module: Option<GoMod>,
    /// Version files passed over because they name nothing (empty, blank, comments only).
    pub passed_over: Vec<PathBuf>,
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

/// The binary `name` of the SDK at `goroot` (`bin/go`; `bin\go.exe` on Windows).
pub fn sdk_binary(goroot: &Path, name: &str) -> PathBuf {
    goroot.join("bin").join(crate::platform::exe_name(name))
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
        match self {
            Resolved::Managed { goroot, .. } => sdk_binary(goroot, name),
            Resolved::System { go } => go.with_file_name(crate::platform::exe_name(name)),
        }
    }

    /// The Go version this runs: the managed version, or what the system go's GOROOT says
    /// in its `VERSION` file (`None` when it has none).
    pub fn version(&self) -> Option<Version> {
        match self {
            Resolved::Managed { version, .. } => Some(version.clone()),
            Resolved::System { .. } => {
                let file = self.goroot()?.join("VERSION");
                let text = std::fs::read(&file).ok()?;
                let first = text.split(|b| *b == b'\n').next()?;
                crate::version::from_toolchain(std::str::from_utf8(first).ok()?.trim())
            }
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
    #[error("GOTOOLCHAIN={value:?} (from {set_by}) is not valid: {reason}")]
    BadToolchain {
        value: String,
        set_by: String,
        reason: String,
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
            SelectError::BadToolchain { .. } => "GOTOOLCHAIN is local, auto, path, or a toolchain such as go1.22.10 (optionally +auto or +path); the go command refuses anything else too".into(),
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
    /// goenv's `GOENV_DIR`: where the search for pin files starts instead of the working
    /// directory (which is searched next when nothing is found there), as goenv's
    /// `version-file` does.
    pub goenv_dir: Option<PathBuf>,
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
            gomod: gomod_enabled(
                crate::process::var_os(crate::vars::GOMOD).as_deref(),
                crate::process::var_os(crate::vars::GOENV_GOMOD_VERSION_ENABLE).as_deref(),
            ),
            gowork: Workspace::from_gowork(crate::process::var_os("GOWORK").as_deref()),
            path: crate::process::var_os("PATH"),
            goenv_dir: crate::process::var_os(crate::vars::GOENV_DIR)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Whether go.mod / go.work may decide: `GV_GOMOD=0` says no; unset, goenv's
/// `GOENV_GOMOD_VERSION_ENABLE=0` says no too. goenv reads go.mod only when that variable
/// is `1`; gv reads it by default, so only an explicit `0` turns it off.
pub fn gomod_enabled(gv_gomod: Option<&OsStr>, goenv: Option<&OsStr>) -> bool {
    match (gv_gomod, goenv) {
        (Some(v), _) => v != "0",
        (None, Some(v)) => v != "0",
        (None, None) => true,
    }
}

/// The directories the search for pins runs from, in order: `GOENV_DIR` (relative to
/// `cwd`, as goenv `cd`s into it) when it is a directory, then `cwd`.
pub fn search_dirs(env: &SelectEnv, cwd: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::with_capacity(2);
    if let Some(dir) = &env.goenv_dir {
        let dir = cwd.join(dir);
        if dir.is_dir() && dir != cwd {
            dirs.push(dir);
        }
    }
    dirs.push(cwd.to_path_buf());
    dirs
}

/// [`discover`] from each of [`search_dirs`] until one finds a pin or a module file (the
/// last one's discovery otherwise); every place looked at is kept, so the shell hook
/// watches `GOENV_DIR`'s files too.
pub fn discover_from(env: &SelectEnv, cwd: &Path) -> Discovery {
    let mut looked_at = Vec::new();
    let dirs = search_dirs(env, cwd);
    let last = dirs.len() - 1;
    for (i, dir) in dirs.into_iter().enumerate() {
        let mut found = discover(&dir, &env.gowork);
        let decides = found.pin.is_some() || (env.gomod && found.gomod_path.is_some());
        if decides || i == last {
            looked_at.append(&mut found.looked_at);
            found.looked_at = looked_at;
            return found;
        }
        looked_at.append(&mut found.looked_at);
    }
    Discovery::default()
}

fn non_blank_var(name: &str) -> Option<String> {
    crate::process::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
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
    /// Pin files passed over because they name nothing (empty, blank, comments only).
    pub blank: Vec<PathBuf>,
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
                crate::text::path(&self.path),
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
        Workspace::File(path) => {
            // Its appearance, removal or edit decides as any go.work found does.
            found.looked_at.push((FileKind::Module, path.clone()));
            path.is_file().then(|| path.clone())
        }
        Workspace::Search | Workspace::Off => None,
    };
    let mut go_mod = None;
    for dir in dir.ancestors() {
        if found.pin.is_none() {
            found.pin = find_pin(dir, me, &mut found);
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
    look(child(dir, name), kind, me, found)
}

/// `path`, when it is a usable file; it is noted as looked at either way (only a file
/// found needs a copy of its own).
fn look(path: PathBuf, kind: FileKind, me: u32, found: &mut Discovery) -> Option<PathBuf> {
    let usable = usable_file(&path, me, &mut found.foreign);
    let kept = usable.then(|| path.clone());
    found.looked_at.push((kind, path));
    kept
}

/// `dir.join(name)`, allocated once: `join` copies `dir` at its own length, then grows
/// the copy for `name`. Discovery builds some forty of these per shim run.
fn child(dir: &Path, name: &str) -> PathBuf {
    let mut path = PathBuf::with_capacity(dir.as_os_str().len() + 1 + name.len());
    path.push(dir);
    path.push(name);
    path
}

/// The pin file deciding in `dir`, parsed: `.go-version`, else a `.tool-versions` with a Go
/// line (one without does not count, and the search goes on above).
/// A `.go-version` that names nothing (empty, blank, comments only) is passed over, as
/// goenv does, and noted in [`Discovery::blank`].
fn find_pin(
    dir: &Path,
    me: u32,
    found: &mut Discovery,
) -> Option<Result<(Origin, PinEntries), PinFileError>> {
    if let Some(go_version) = look(child(dir, GO_VERSION_FILE), FileKind::Pin, me, found) {
        match pinfile::read_go_version(&go_version) {
            Ok(Some(entries)) => {
                return Some(Ok((Origin::GoVersionFile { path: go_version }, entries)));
            }
            Ok(None) => found.blank.push(go_version),
            Err(PinFileError::Foreign { path, owner }) => {
                found.foreign.push(Foreign { path, owner })
            }
            Err(err) => return Some(Err(err)),
        }
    }
    let tool_versions = look(child(dir, TOOL_VERSIONS_FILE), FileKind::Pin, me, found)?;
    match pinfile::read_tool_versions(&tool_versions) {
        Ok(Some(entries)) => Some(Ok((
            Origin::ToolVersions {
                path: tool_versions,
            },
            entries,
        ))),
        Ok(None) => None,
        Err(PinFileError::Foreign { path, owner }) => {
            found.foreign.push(Foreign { path, owner });
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
    let mut passed_over = found.blank.clone();
    if let Some((var, value)) = from_env {
        let specs = pinfile::parse_version_list(value).map_err(|source| SelectError::BadEnv {
            var,
            value: value.clone(),
            source,
        })?;
        return Ok(Request {
            specs,
            origin: Origin::Env { var },
            ..Request::default()
        });
    }
    let module_file = found.gomod_path.as_ref().filter(|_| env.gomod);
    let pin_is_nearer = match (&found.pin, module_file) {
        (Some(pin), Some(module)) => nearer_or_same(pin_path(pin), module),
        (pin, _) => pin.is_some(),
    };
    if !pin_is_nearer
        && let Some(path) = module_file
        && let Some(request) = module_request(path, pinfile::read_go_mod(path)?)
    {
        return Ok(Request {
            passed_over,
            ..request
        });
    }
    match &found.pin {
        Some(Ok((origin, entries))) => {
            return Ok(Request {
                specs: entries.specs.clone(),
                origin: origin.clone(),
                passed_over,
                ..Request::default()
            });
        }
        Some(Err(err)) => return Err(err.clone().into()),
        None => {}
    }
    let global = store.global_file();
    if global.is_file() {
        match pinfile::read_go_version(&global)? {
            Some(entries) => {
                return Ok(Request {
                    specs: entries.specs,
                    origin: Origin::Global { path: global },
                    passed_over,
                    ..Request::default()
                });
            }
            None => passed_over.push(global),
        }
    }
    Ok(Request {
        specs: vec![Spec::System],
        origin: Origin::Default,
        passed_over,
        ..Request::default()
    })
}

/// The file a pin discovery is about.
fn pin_path(pin: &Result<(Origin, PinEntries), PinFileError>) -> &Path {
    match pin {
        Ok((origin, _)) => origin.path().unwrap_or(Path::new("")),
        Err(err) => err.path(),
    }
}

/// Is the pin file `pin` at least as near as the module file `module`: in the same
/// directory or below it? A module file outside the tree (`GOWORK=/elsewhere/go.work`)
/// is the farthest.
fn nearer_or_same(pin: &Path, module: &Path) -> bool {
    match (pin.parent(), module.parent()) {
        (Some(pin_dir), Some(module_dir)) => {
            pin_dir.starts_with(module_dir) || !module_dir.starts_with(pin_dir)
        }
        _ => true,
    }
}

/// The request of a go.mod / go.work that decides: the toolchain Go would fetch for it
/// (what `gv install` installs); `None` when it asks for nothing (no go or toolchain line,
/// or `toolchain default`), and the next thing in line decides.
fn module_request(path: &Path, module: GoMod) -> Option<Request> {
    let target = toolchain::module_target(&module)?;
    let wants = match &module.toolchain {
        Some(t) if *t == target => ModuleLine::Toolchain(t.clone()),
        _ => ModuleLine::Go(module.go.clone()?),
    };
    Some(Request {
        specs: vec![Spec::Exact(target)],
        origin: Origin::Module {
            path: path.to_path_buf(),
            wants,
            choice: ModuleChoice::Exact,
        },
        module: Some(module),
        passed_over: Vec::new(),
    })
}

/// Resolves a request against the store: the first spec that has an installed match wins.
/// A go.mod / go.work request follows Go's rule instead (see [`resolve_module`]).
pub fn resolve(store: &Store, env: &SelectEnv, request: Request) -> Result<Selection, SelectError> {
    if let Some(module) = request.module.clone() {
        return resolve_module(store, request, &module);
    }
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
    Err(not_installed(request))
}

fn not_installed(request: Request) -> SelectError {
    let first = request.specs.first().cloned().unwrap_or(Spec::Latest);
    SelectError::NotInstalled {
        wanted: match &first {
            Spec::AtLeast(min) => format!("{min} or newer"),
            other => other.to_string(),
        },
        install: request.install_spec().map(|spec| spec.to_string()),
        origin: Box::new(request.origin),
    }
}

/// Go's rule for a go.mod / go.work that decides, with the global default as Go's local
/// toolchain: the global default when it satisfies the file (Go would run it as it is);
/// else the toolchain Go would fetch, when it is installed; else the newest installed
/// version that satisfies the file (the origin says so); else not installed, naming what
/// Go would fetch.
fn resolve_module(
    store: &Store,
    mut request: Request,
    module: &GoMod,
) -> Result<Selection, SelectError> {
    let Origin::Module { choice, .. } = &mut request.origin else {
        return Err(not_installed(request));
    };
    // A broken global file is reported where it decides, not here.
    if let Ok(Some(global)) = store.global_default()
        && let Some(local) = global.installed
        && toolchain::satisfies(&local, module)
    {
        *choice = ModuleChoice::Global { path: global.file };
        return Ok(Selection {
            resolved: managed(store, local),
            request,
        });
    }
    let Some(Spec::Exact(target)) = request.specs.first().cloned() else {
        return Err(not_installed(request));
    };
    if store.is_installed(&target) {
        return Ok(Selection {
            resolved: managed(store, target),
            request,
        });
    }
    let installed = store.installed()?;
    let satisfying: Vec<&Version> = installed
        .iter()
        .filter(|v| toolchain::satisfies(v, module))
        .collect();
    let newest = (satisfying.iter().filter(|v| !v.is_prerelease()).max())
        .or(satisfying.iter().max())
        .copied();
    match newest {
        Some(newest) => {
            *choice = ModuleChoice::Newest {
                go_would_run: target,
            };
            Ok(Selection {
                resolved: managed(store, newest.clone()),
                request,
            })
        }
        None => Err(not_installed(request)),
    }
}

/// Where GOTOOLCHAIN comes from and what it says, for [`apply_toolchain`].
#[derive(Debug, Clone)]
pub struct ToolchainSetting {
    /// As written: `auto`, `go1.22.10+auto`.
    pub value: String,
    /// `your environment`, `[env] in /p/gv.toml`, …
    pub set_by: String,
}

/// What the go command runs with `setting`, given the selection as its local toolchain
/// and the go.work / go.mod it reads (`module`), as gv's selection: the selection itself
/// when Go would run it; else the version Go would run, when it is installed; else — when
/// go.mod or go.work raised it (`auto`, `path`, `+auto`) — the newest installed version at
/// least as new; else not installed, naming what Go would run.
pub fn apply_toolchain(
    store: &Store,
    base: Result<Selection, SelectError>,
    setting: &ToolchainSetting,
    module: Option<(&Path, &GoMod)>,
) -> Result<Selection, SelectError> {
    let bad = |reason: String| SelectError::BadToolchain {
        value: setting.value.clone(),
        set_by: setting.set_by.clone(),
        reason,
    };
    let parsed = toolchain::Setting::parse(&setting.value).map_err(bad)?;
    if parsed.is_local() {
        return base;
    }
    let base_version = base.as_ref().ok().and_then(|sel| sel.resolved.version());
    let local = match (&parsed.min, &base_version) {
        (Some(min), _) => min.clone(),
        (None, Some(local)) => local.clone(),
        // Go's own version is unknown (a system go without a VERSION file), or nothing is
        // selected: nothing to predict.
        (None, None) => return base,
    };
    let run = toolchain::decide(&local, &parsed, module.map(|(_, m)| m));
    if base_version.as_ref() == Some(&run) {
        return base;
    }
    // The line that raised the minimum, if one did.
    let raised_by = module
        .filter(|_| parsed.follows_module)
        .and_then(|(path, m)| {
            let line = match (&m.toolchain, &m.go) {
                (Some(t), _) if *t == run => ModuleLine::Toolchain(t.clone()),
                (_, Some(go)) if toolchain::first_release(go) == run => ModuleLine::Go(go.clone()),
                _ => return None,
            };
            Some((path.to_path_buf(), line))
        });
    let origin = |newest_for: Option<Version>| Origin::Toolchain {
        setting: format!("GOTOOLCHAIN={}", setting.value),
        set_by: setting.set_by.clone(),
        module: raised_by.clone(),
        newest_for,
    };
    let request = |origin: Origin| Request {
        specs: vec![Spec::Exact(run.clone())],
        origin,
        ..Request::default()
    };
    if store.is_installed(&run) {
        return Ok(Selection {
            request: request(origin(None)),
            resolved: managed(store, run.clone()),
        });
    }
    if parsed.follows_module {
        let installed = store.installed()?;
        let at_least = Spec::AtLeast(run.clone());
        if let Some(newest) = at_least.best_match(&installed) {
            return Ok(Selection {
                request: request(origin(Some(run.clone()))),
                resolved: managed(store, newest.clone()),
            });
        }
    }
    Err(not_installed(request(origin(None))))
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

impl PinConflict {
    /// Said once per version of the go.mod / go.work by the shim and the hook: go commands
    /// there fail until the pin changes.
    pub fn notice(&self) -> Notice {
        let (major, minor) = self.required.language();
        let hint = match &self.origin {
            Origin::Env { var } => {
                format!("set {var} to {major}.{minor} or newer, or unset it")
            }
            Origin::Global { .. } => format!(
                "`gv global {major}.{minor}` moves the global default; `gv local {major}.{minor}` pins just this project"
            ),
            _ => format!(
                "pin a version that new (`gv local {major}.{minor}`), or remove the pin so that {} decides",
                crate::text::path(&self.gomod)
            ),
        };
        Notice::new(&self.gomod, self.to_string()).with_hint(hint)
    }
}

/// The one line saying that a version file was passed over because it names nothing.
pub fn blank_notice(path: &Path) -> Notice {
    Notice::new(
        path,
        format!(
            "{} names no Go version (it is empty or only comments), so it is passed over and the next thing in line decides",
            crate::text::path(path)
        ),
    )
    .with_hint("write a version in it (`gv local 1.22` for .go-version, `gv global 1.22` for the global default), or delete it")
}

/// The one line saying that gv runs another version than the go command would pick,
/// because that one is not installed; `None` when it runs exactly that.
pub fn instead_notice(selection: &Selection) -> Option<Notice> {
    let origin = &selection.request.origin;
    let wanted = origin.go_would_run()?;
    let about = origin.path().unwrap_or(Path::new(""));
    let why = match origin {
        Origin::Module { path, wants, .. } => format!("{wants} in {}", crate::text::path(path)),
        Origin::Toolchain {
            setting, set_by, ..
        } => format!("{setting} from {set_by}"),
        _ => return None,
    };
    Some(
        Notice::new(
            about,
            format!(
                "go would fetch go{wanted} here ({why}), but it is not installed: Go {} runs instead, the newest installed version that is new enough",
                selection.resolved.name()
            ),
        )
        .with_hint(format!("`gv install {wanted}` runs exactly what go would")),
    )
}

/// Reads go.mod only when a pin chose a managed version. An unreadable go.mod gives no
/// conflict: the go command itself will say what is wrong with it. Compared as the go
/// command compares (`1.22rc1` runs a `go 1.22` module).
pub fn pin_conflict(selection: &Selection, found: &Discovery) -> Option<PinConflict> {
    let Resolved::Managed { version, .. } = &selection.resolved else {
        return None;
    };
    if !selection.request.origin.is_pin() {
        return None;
    }
    let gomod = found.gomod_path.as_ref()?;
    let module = pinfile::read_go_mod(gomod).ok()?;
    let go = module.go.as_ref()?;
    let required = go.minimum_toolchain();
    (version < go).then(|| PinConflict {
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

        // go.mod: the global default (Go's local toolchain) is too old; go would fetch
        // go1.22.0, which is not installed; the newest installed version satisfying it.
        std::fs::write(tmp.path().join("a/go.mod"), "module x\ngo 1.22\n").unwrap();
        let sel = select(&store, &env(), &deep).unwrap();
        assert_eq!(sel.resolved.name(), "1.22.10");
        assert_eq!(
            sel.request.origin.go_would_run().map(ToString::to_string),
            Some("1.22.0".into())
        );
        let no_gomod = SelectEnv {
            gomod: false,
            ..env()
        };
        assert_eq!(chosen(&store, &no_gomod, &deep), "1.21.13");

        // The toolchain line names what go fetches; installed, it runs exactly.
        std::fs::write(
            tmp.path().join("a/go.mod"),
            "module x\ngo 1.22\ntoolchain go1.22.3\n",
        )
        .unwrap();
        let sel = select(&store, &env(), &deep).unwrap();
        assert_eq!(sel.resolved.name(), "1.22.3");
        assert_eq!(sel.request.origin.kind(), "go.mod-toolchain");
        assert_eq!(sel.request.origin.go_would_run(), None);

        // A global default that satisfies the file is what Go would run.
        std::fs::write(store.global_file(), "1.22.10\n").unwrap();
        let sel = select(&store, &env(), &deep).unwrap();
        assert_eq!(sel.resolved.name(), "1.22.10");
        assert!(
            sel.request.origin.to_string().contains("global default"),
            "{}",
            sel.request.origin
        );

        // A pin file above the go.mod: the nearer go.mod decides.
        std::fs::write(tmp.path().join(".go-version"), "1.21.13\n").unwrap();
        assert_eq!(chosen(&store, &env(), &deep), "1.22.10");
        // A pin file beside it (or below) decides, and its conflict is named.
        std::fs::write(tmp.path().join("a/.go-version"), "1.21.13\n").unwrap();
        let sel = select(&store, &env(), &deep).unwrap();
        assert_eq!(
            sel.resolved.name(),
            "1.21.13",
            "a pin file beats go.mod in one directory"
        );
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

    /// An exported GOTOOLCHAIN moves the choice exactly as it moves the go command.
    #[test]
    fn gotoolchain_moves_the_choice_as_it_moves_go() {
        let (tmp, store) = fixture();
        std::fs::write(tmp.path().join(".go-version"), "1.21.13\n").unwrap();
        let base = || select(&store, &env(), tmp.path());
        let with = |value: &str, gomod: Option<&str>| {
            let module = gomod.map(pinfile::parse_go_mod);
            let path = tmp.path().join("go.mod");
            let setting = ToolchainSetting {
                value: value.into(),
                set_by: "your environment".into(),
            };
            match apply_toolchain(
                &store,
                base(),
                &setting,
                module.as_ref().map(|m| (path.as_path(), m)),
            ) {
                Ok(sel) => format!(
                    "{} {} {}",
                    sel.resolved.name(),
                    sel.request.origin.kind(),
                    sel.request
                        .origin
                        .go_would_run()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
                Err(SelectError::NotInstalled { install, .. }) => {
                    format!("missing {}", install.unwrap_or_default())
                }
                Err(e) => format!("error {e}"),
            }
        };
        assert_eq!(with("local", Some("go 1.22.3\n")), "1.21.13 go-version ");
        assert_eq!(with("auto", None), "1.21.13 go-version ");
        assert_eq!(with("auto", Some("go 1.21\n")), "1.21.13 go-version ");
        assert_eq!(with("auto", Some("go 1.22.3\n")), "1.22.3 gotoolchain ");
        assert_eq!(
            with("path", Some("go 1.21\ntoolchain go1.22.10\n")),
            "1.22.10 gotoolchain "
        );
        assert_eq!(
            with("auto", Some("go 1.22.5\n")),
            "1.22.10 gotoolchain 1.22.5"
        );
        assert_eq!(
            with("go1.22.10", Some("go 1.23\n")),
            "1.22.10 gotoolchain ",
            "no +auto: go.mod unread"
        );
        assert_eq!(with("go1.22.99", None), "missing 1.22.99");
        assert_eq!(
            with("go1.22.3+auto", Some("toolchain go1.22.4\n")),
            "1.22.10 gotoolchain 1.22.4"
        );
        assert_eq!(
            with("go1.21.13", None),
            "1.21.13 go-version ",
            "what runs anyway"
        );
        assert_eq!(with("auto", Some("go 1.24\n")), "missing 1.24.0");
        assert!(
            with("go1.22", None).contains("is a language version"),
            "it names no release"
        );
        assert!(
            with("bash", None)
                .starts_with("error GOTOOLCHAIN=\"bash\" (from your environment) is not valid")
        );
        let shown = {
            let module = pinfile::parse_go_mod("go 1.22.5\n");
            let setting = ToolchainSetting {
                value: "auto".into(),
                set_by: "your environment".into(),
            };
            apply_toolchain(
                &store,
                base(),
                &setting,
                Some((tmp.path().join("go.mod").as_path(), &module)),
            )
            .unwrap()
            .request
            .origin
            .to_string()
        };
        assert!(
            shown.starts_with("GOTOOLCHAIN=auto from your environment and `go 1.22.5` in "),
            "{shown}"
        );
    }

    /// The nearest of a pin file and a module file decides: a repository whose root pins
    /// 1.21 and whose nested module asks for go 1.22 builds that module with a Go that can.
    #[test]
    fn the_nearest_file_decides() {
        let (tmp, store) = fixture();
        let repo = tmp.path().join("repo");
        let nested = repo.join("tools/gen");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(repo.join(".go-version"), "1.21\n").unwrap();
        std::fs::write(repo.join("go.mod"), "module r\ngo 1.21\n").unwrap();
        std::fs::write(nested.join("go.mod"), "module g\ngo 1.22.3\n").unwrap();
        assert_eq!(
            chosen(&store, &env(), &repo),
            "1.21.13",
            "same directory: the pin"
        );
        assert_eq!(chosen(&store, &env(), &repo.join("tools")), "1.21.13");
        assert_eq!(
            chosen(&store, &env(), &nested),
            "1.22.3",
            "the nearer go.mod"
        );
        // A go.mod that asks for nothing leaves it to the pin above.
        std::fs::write(nested.join("go.mod"), "module g\n").unwrap();
        assert_eq!(chosen(&store, &env(), &nested), "1.21.13");
        // A go.work outside the tree (GOWORK) is the farthest.
        let elsewhere = tmp.path().join("elsewhere.work");
        std::fs::write(&elsewhere, "go 1.22.3\n").unwrap();
        let gowork = SelectEnv {
            gowork: Workspace::File(elsewhere),
            ..env()
        };
        assert_eq!(chosen(&store, &gowork, &nested), "1.21.13");
        std::fs::remove_file(repo.join(".go-version")).unwrap();
        assert_eq!(chosen(&store, &gowork, &nested), "1.22.3");
    }

    /// Go's rule with the global default as its local toolchain, case by case.
    #[test]
    fn a_module_file_decides_as_go_does() {
        let (tmp, store) = fixture();
        let dir = tmp.path().join("m");
        std::fs::create_dir_all(&dir).unwrap();
        let case = |global: Option<&str>, gomod: &str| {
            match global {
                Some(g) => std::fs::write(store.global_file(), g).unwrap(),
                None => {
                    let _ = std::fs::remove_file(store.global_file());
                }
            }
            std::fs::write(dir.join("go.mod"), gomod).unwrap();
            match select(&store, &env(), &dir) {
                Ok(sel) => {
                    let how = match &sel.request.origin {
                        Origin::Module { choice, .. } => match choice {
                            ModuleChoice::Global { .. } => "global".to_string(),
                            ModuleChoice::Exact => "exact".to_string(),
                            ModuleChoice::Newest { go_would_run } => {
                                format!("newest for {go_would_run}")
                            }
                        },
                        other => other.kind().to_string(),
                    };
                    format!("{} {how}", sel.resolved.name())
                }
                Err(SelectError::NotInstalled { install, .. }) => {
                    format!("missing {}", install.unwrap_or_default())
                }
                Err(e) => format!("error {e}"),
            }
        };
        assert_eq!(case(Some("1.22.3"), "go 1.22\n"), "1.22.3 global");
        assert_eq!(case(Some("1.22.3"), "go 1.22.3\n"), "1.22.3 global");
        assert_eq!(case(Some("1.22.3"), "go 1.22.10\n"), "1.22.10 exact");
        assert_eq!(
            case(Some("1.22.3"), "go 1.22\ntoolchain go1.22.10\n"),
            "1.22.10 exact"
        );
        assert_eq!(
            case(Some("1.22.10"), "go 1.21\ntoolchain go1.22.3\n"),
            "1.22.10 global",
            "an older toolchain line is satisfied"
        );
        assert_eq!(
            case(Some("1.21.13"), "go 1.22\ntoolchain go1.22.4\n"),
            "1.22.10 newest for 1.22.4"
        );
        assert_eq!(case(None, "go 1.22\n"), "1.22.10 newest for 1.22.0");
        assert_eq!(case(None, "go 1.22.3\n"), "1.22.3 exact");
        assert_eq!(
            case(None, "go 1.23\n"),
            "1.23rc1 newest for 1.23.0",
            "only a pre-release satisfies it"
        );
        assert_eq!(case(None, "go 1.24\n"), "missing 1.24.0");
        assert_eq!(
            case(Some("1.21.13"), "go 1.22.3\ntoolchain default\n"),
            "1.21.13 global"
        );
        assert_eq!(
            case(Some("1.21.13"), "module x\n"),
            "1.21.13 global",
            "nothing asked: the global default as such"
        );
        assert_eq!(
            case(Some("system"), "go 1.22\n"),
            "1.22.10 newest for 1.22.0"
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
    fn goenv_dir_starts_the_search_and_the_working_directory_follows() {
        let (tmp, store) = fixture();
        let root = tmp.path();
        let pinned = root.join("pinned");
        let bare = root.join("bare");
        let cwd = root.join("cwd");
        for d in [&pinned, &bare, &cwd] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(pinned.join(".go-version"), "1.21.13\n").unwrap();
        std::fs::write(cwd.join(".go-version"), "1.22.3\n").unwrap();
        let at = |goenv_dir: Option<&Path>| {
            let env = SelectEnv {
                goenv_dir: goenv_dir.map(Path::to_path_buf),
                ..env()
            };
            let found = discover_from(&env, &cwd);
            let request = request(&store, &env, &found).unwrap();
            resolve(&store, &env, request).unwrap().resolved.name()
        };
        assert_eq!(at(None), "1.22.3");
        assert_eq!(at(Some(&pinned)), "1.21.13", "GOENV_DIR's pin decides");
        assert_eq!(
            at(Some(&bare)),
            "1.22.3",
            "nothing there: the cwd is searched"
        );
        assert_eq!(
            at(Some(Path::new("../pinned"))),
            "1.21.13",
            "relative to cwd"
        );
        assert_eq!(at(Some(&root.join("missing"))), "1.22.3");
    }

    #[test]
    fn goenvs_gomod_switch_turns_go_mod_off_only_with_zero() {
        let on = |gv: Option<&str>, goenv: Option<&str>| {
            gomod_enabled(gv.map(OsStr::new), goenv.map(OsStr::new))
        };
        assert!(on(None, None));
        assert!(on(None, Some("1")));
        assert!(!on(None, Some("0")));
        assert!(on(Some("1"), Some("0")), "GV_GOMOD wins");
        assert!(!on(Some("0"), Some("1")));
    }

    #[test]
    fn not_installed_names_version_origin_and_fix() {
        let (tmp, store) = fixture();
        std::fs::write(tmp.path().join(".go-version"), "1.24.2\n").unwrap();
        let report = |dir: &Path| {
            let err = select(&store, &env(), dir).unwrap_err();
            crate::diagnostics::report(&err)
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
            err.message
                .contains("Go 1.30.0 is not installed (`go 1.30` in"),
            "the toolchain go would fetch: {err}"
        );
        assert_eq!(err.hint.as_deref(), Some("run `gv install 1.30.0`"));
    }

    #[test]
    fn env_overrides_a_broken_pin_file_which_still_errors_when_it_decides() {
        let (tmp, store) = fixture();
        let junk: Vec<u8> = (0u8..=255).rev().cycle().take(4096).collect();
        let cases: [(&str, Vec<u8>); 2] = [
            (".go-version", junk),
            (".go-version", b"# pinned\nlatestt\n".to_vec()),
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

    /// A version file that names nothing — empty, blank, comments only, a `.tool-versions`
    /// Go line without a version — is passed over as goenv passes it over, and noted.
    #[test]
    fn files_naming_nothing_are_passed_over_and_noted() {
        let (tmp, store) = fixture();
        std::fs::write(store.global_file(), "1.21.13\n").unwrap();
        let outer = tmp.path().join("outer");
        let inner = outer.join("inner");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(outer.join(".go-version"), "1.22.3\n").unwrap();
        for (name, text) in [
            (".go-version", ""),
            (".go-version", "\n  \n"),
            (".go-version", "# pinned later\n"),
            (".tool-versions", "golang\n"),
        ] {
            let _ = std::fs::remove_file(inner.join(".go-version"));
            let _ = std::fs::remove_file(inner.join(".tool-versions"));
            std::fs::write(inner.join(name), text).unwrap();
            assert_eq!(chosen(&store, &env(), &inner), "1.22.3", "{name} {text:?}");
        }
        std::fs::write(inner.join(".go-version"), "").unwrap();
        let found = discover(&inner, &Workspace::Search);
        assert_eq!(found.blank, [inner.join(".go-version")]);
        let asked = request(&store, &env(), &found).unwrap();
        assert_eq!(asked.passed_over, [inner.join(".go-version")]);
        assert!(
            blank_notice(&asked.passed_over[0])
                .text
                .contains("names no Go version")
        );

        // A blank global file is no global default.
        std::fs::remove_file(outer.join(".go-version")).unwrap();
        std::fs::write(store.global_file(), "# later\n").unwrap();
        let found = discover(&inner, &Workspace::Search);
        let asked = request(&store, &env(), &found).unwrap();
        assert_eq!(asked.origin, Origin::Default);
        assert_eq!(
            asked.passed_over,
            [inner.join(".go-version"), store.global_file()]
        );
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
