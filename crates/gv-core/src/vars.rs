//! Every environment variable gv reads or sets: its name (the constants), what it means,
//! its default, and who reads it ([`ALL`]). README's Configuration table is checked
//! against this list (tests/it/readme.rs), so the two cannot drift.

/// The store (installed SDKs, shims, the global default).
pub const ROOT: &str = "GV_ROOT";
/// Overrides every pin; `:`-separated fallbacks.
pub const VERSION: &str = "GV_VERSION";
/// goenv's override, honoured when `GV_VERSION` is unset.
pub const GOENV_VERSION: &str = "GOENV_VERSION";
/// Where `gv import goenv` looks.
pub const GOENV_ROOT: &str = "GOENV_ROOT";
/// `0` stops go.mod / go.work from deciding the version.
pub const GOMOD: &str = "GV_GOMOD";
/// goenv's switch for reading go.mod; `0` stops go.mod / go.work from deciding.
pub const GOENV_GOMOD_VERSION_ENABLE: &str = "GOENV_GOMOD_VERSION_ENABLE";
/// goenv's directory where the search for `.go-version` starts.
pub const GOENV_DIR: &str = "GOENV_DIR";
/// goenv's (go-build's) download mirror: a base laid out like go.dev/dl.
pub const GO_BUILD_MIRROR_URL: &str = "GO_BUILD_MIRROR_URL";
/// goenv's `1`: a bare `gv` runs `gv install`.
pub const GOENV_AUTO_INSTALL: &str = "GOENV_AUTO_INSTALL";
/// goenv's flags for that install.
pub const GOENV_AUTO_INSTALL_FLAGS: &str = "GOENV_AUTO_INSTALL_FLAGS";
/// Where goenv's per-version GOPATHs are (`<prefix>/<version>`), for `gv import goenv`.
pub const GOENV_GOPATH_PREFIX: &str = "GOENV_GOPATH_PREFIX";
/// goenv's `1`: no per-version GOPATHs, so `gv import goenv` looks for no tools there.
pub const GOENV_DISABLE_GOPATH: &str = "GOENV_DISABLE_GOPATH";
/// Directories whose project gv.toml files are trusted.
pub const TRUSTED_PATHS: &str = "GV_TRUSTED_PATHS";
/// The user config file.
pub const CONFIG: &str = "GV_CONFIG";
/// The cache directory.
pub const CACHE_DIR: &str = "GV_CACHE_DIR";
/// The symbol store (debug information kept by build ID).
pub const SYMBOLS: &str = "GV_SYMBOLS";
/// debuginfod servers `gv debug` asks for debug information (elfutils' variable).
pub const DEBUGINFOD_URLS: &str = "DEBUGINFOD_URLS";
/// Set by the completion scripts.
pub const COMPLETE: &str = "GV_COMPLETE";
/// Where `gv install` downloads from.
pub const GO_MIRROR: &str = "GV_GO_MIRROR";
/// The release index trusted for checksums.
pub const GO_INDEX: &str = "GV_GO_INDEX";
/// Where `gv install` gets toolchains: go.dev (or a mirror), or GOPROXY.
pub const SOURCE: &str = "GV_SOURCE";
/// Go's vulnerability database: one http(s) or `file://` URL laid out like vuln.go.dev.
pub const GOVULNDB: &str = "GOVULNDB";
/// The slowest a transfer may go (bytes per second, over [`LOW_SPEED_TIME`]).
pub const LOW_SPEED_LIMIT: &str = "GV_LOW_SPEED_LIMIT";
/// The window, in seconds, over which [`LOW_SPEED_LIMIT`] is judged.
pub const LOW_SPEED_TIME: &str = "GV_LOW_SPEED_TIME";
/// A shim installs a missing version first.
pub const AUTO_INSTALL: &str = "GV_AUTO_INSTALL";
/// Where `gv rehash` finds gv-shim.
pub const SHIM_BINARY: &str = "GV_SHIM_BINARY";
/// How many shims deep a process is.
pub const SHIM_DEPTH: &str = "GV_SHIM_DEPTH";
/// `0`: shims work every answer out afresh.
pub const SHIM_CACHE: &str = "GV_SHIM_CACHE";
/// Where every message gv prints is appended too.
pub const MESSAGE_LOG: &str = "GV_MESSAGE_LOG";
/// Where `gv self update` and the installers get gv's releases.
pub const INSTALL_URL: &str = "GV_INSTALL_URL";
/// Where the installers put gv and gv-shim.
pub const INSTALL_DIR: &str = "GV_INSTALL_DIR";
/// Build time: the version a release build reports (the release command sets it).
pub const BUILD_VERSION: &str = "GV_BUILD_VERSION";
/// Build time: the one key a release build trusts for its updates.
pub const BUILD_RELEASE_KEY: &str = "GV_BUILD_RELEASE_KEY";
/// The shell hook's stamp file, named to `hook-env` by the init scripts.
pub const HOOK_STAMP: &str = "__GV_STAMP";

/// Who reads a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The gv command.
    Gv,
    /// The go/gofmt shims.
    Shim,
    /// The shell hook (`hook-env`) and the init scripts.
    Hook,
    /// The go command gv runs (gv passes it on, or computes around it).
    Go,
    /// install.sh and install.ps1.
    Installer,
    /// The compiler, when gv is built (the release command sets these).
    Build,
}

/// One variable of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Var {
    pub name: &'static str,
    pub meaning: &'static str,
    /// `""` when there is none.
    pub default: &'static str,
    pub read_by: &'static [Reader],
}

use Reader::{Build, Go, Gv, Hook, Installer, Shim};

/// The registry, in README's order.
pub const ALL: &[Var] = &[
    Var {
        name: ROOT,
        meaning: "the store: installed SDKs, shims, the global default",
        default: "$XDG_DATA_HOME/gv, else ~/.local/share/gv (macOS too); Windows: %LOCALAPPDATA%\\gv",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: VERSION,
        meaning: "overrides every pin; several versions separated by `:` are fallbacks",
        default: "",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: GOENV_VERSION,
        meaning: "goenv's override, honoured when GV_VERSION is unset",
        default: "",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: GOENV_ROOT,
        meaning: "where `gv import goenv` looks",
        default: "~/.goenv",
        read_by: &[Gv],
    },
    Var {
        name: GOENV_GOPATH_PREFIX,
        meaning: "goenv's per-version GOPATHs are `<prefix>/<version>`: where `gv import goenv` finds the tools to rebuild",
        default: "~/go",
        read_by: &[Gv],
    },
    Var {
        name: GOENV_DISABLE_GOPATH,
        meaning: "goenv's `1`: it kept no per-version GOPATHs, so `gv import goenv` looks for no tools there",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: GOMOD,
        meaning: "`0` stops go.mod / go.work from deciding the version",
        default: "",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: GOENV_GOMOD_VERSION_ENABLE,
        meaning: "goenv's go.mod switch: `0` stops go.mod / go.work from deciding, as `GV_GOMOD=0` does (`GV_GOMOD` wins)",
        default: "",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: GOENV_DIR,
        meaning: "goenv's: where the search for `.go-version` starts instead of the working directory, which is searched next when nothing is found there",
        default: "",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: TRUSTED_PATHS,
        meaning: "directories whose project gv.toml files are trusted without `gv trust`",
        default: "",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: CONFIG,
        meaning: "the user config file",
        default: "$XDG_CONFIG_HOME/gv/config.toml, else ~/.config/gv/config.toml; Windows: %APPDATA%\\gv\\config.toml",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: CACHE_DIR,
        meaning: "downloads, release indexes, hook stamps, gv debug builds",
        default: "$XDG_CACHE_HOME/gv, else ~/.cache/gv; Windows: %LOCALAPPDATA%\\gv\\cache",
        read_by: &[Gv, Hook],
    },
    Var {
        name: SYMBOLS,
        meaning: "the symbol store: debug information of keep_debug builds by GNU build ID, in the layout gdb, delve and debuginfod read",
        default: "$GV_ROOT/symbols",
        read_by: &[Gv],
    },
    Var {
        name: DEBUGINFOD_URLS,
        meaning: "space-separated debuginfod servers `gv debug` fetches missing debug information from (into the symbol store)",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: COMPLETE,
        meaning: "set by the completion scripts: answer a completion request",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: GO_MIRROR,
        meaning: "where `gv install` downloads from: a mirror name or a URL",
        default: "https://go.dev/dl/",
        read_by: &[Gv],
    },
    Var {
        name: GO_BUILD_MIRROR_URL,
        meaning: "goenv's mirror: a URL laid out like https://go.dev/dl/, taken as `GV_GO_MIRROR` when that is unset (the archives are still checked against go.dev's checksums)",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: GOENV_AUTO_INSTALL,
        meaning: "goenv's: `1` makes a bare `gv` run `gv install` (what the directory selects)",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: GOENV_AUTO_INSTALL_FLAGS,
        meaning: "goenv's: the flags of that `gv install` (split at blanks, never run by a shell)",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: GO_INDEX,
        meaning: "the release index trusted for checksums when the mirror has none",
        default: "https://go.dev/dl/?mode=json&include=all",
        read_by: &[Gv],
    },
    Var {
        name: SOURCE,
        meaning: "where `gv install` gets toolchains: `dl` (go.dev or a mirror) or `goproxy` (GOPROXY, verified by the checksum database)",
        default: "dl",
        read_by: &[Gv],
    },
    Var {
        name: GOVULNDB,
        meaning: "the Go vulnerability database `gv check`, `gv doctor`, `gv current` and `gv list` judge Go versions by: one http(s) or file:// URL laid out like https://vuln.go.dev (a mirror, a local copy)",
        default: "https://vuln.go.dev",
        read_by: &[Gv],
    },
    Var {
        name: LOW_SPEED_LIMIT,
        meaning: "every download must average at least this many bytes per second over GV_LOW_SPEED_TIME, or it is stopped as stalled (like git's http.lowSpeedLimit); `0` turns the rule off, for very slow links",
        default: "1024",
        read_by: &[Gv],
    },
    Var {
        name: LOW_SPEED_TIME,
        meaning: "the window, in seconds, over which GV_LOW_SPEED_LIMIT is judged",
        default: "30",
        read_by: &[Gv],
    },
    Var {
        name: "GOPROXY",
        meaning: "Go's module proxy list; `--source goproxy` downloads toolchains through it, and a proxy may serve the checksum database",
        default: "https://proxy.golang.org,direct",
        read_by: &[Gv, Go],
    },
    Var {
        name: "GOSUMDB",
        meaning: "the checksum database that proves every Go SDK gv installs (1.21 and later), from GOPROXY, go.dev or a mirror",
        default: "sum.golang.org",
        read_by: &[Gv, Go],
    },
    Var {
        name: "GONOSUMDB",
        meaning: "module patterns the checksum database is not asked about",
        default: "",
        read_by: &[Gv, Go],
    },
    Var {
        name: "GONOPROXY",
        meaning: "module patterns fetched without a proxy (gv refuses `direct` for toolchains)",
        default: "",
        read_by: &[Gv, Go],
    },
    Var {
        name: "GOPRIVATE",
        meaning: "default for GONOPROXY and GONOSUMDB",
        default: "",
        read_by: &[Gv, Go],
    },
    Var {
        name: "GOWORK",
        meaning: "the go.work that decides the version in a workspace, or `off`",
        default: "",
        read_by: &[Gv, Shim, Hook, Go],
    },
    Var {
        name: "GOTOOLCHAIN",
        meaning: "moves the selected version as it moves the go command (`go1.22.10`, `auto`, `+auto`); gv's own choice is passed on as `local`",
        default: "",
        read_by: &[Gv, Shim, Hook, Go],
    },
    Var {
        name: "GOMODCACHE",
        meaning: "where `gv import gotoolchain` looks for toolchains Go downloaded",
        default: "$GOPATH/pkg/mod",
        read_by: &[Gv, Go],
    },
    Var {
        name: "NETRC",
        meaning: "the .netrc file with credentials for download hosts",
        default: "~/.netrc",
        read_by: &[Gv, Go],
    },
    Var {
        name: "HTTPS_PROXY",
        meaning: "proxy for downloads",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: "HTTP_PROXY",
        meaning: "proxy for downloads",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: "NO_PROXY",
        meaning: "hosts downloads reach without the proxy",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: "SSL_CERT_FILE",
        meaning: "a CA bundle that replaces the system's trust store for TLS",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: "SSL_CERT_DIR",
        meaning: "a CA directory that replaces the system's trust store for TLS",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: "NO_COLOR",
        meaning: "any non-empty value turns colour off",
        default: "",
        read_by: &[Gv],
    },
    Var {
        name: AUTO_INSTALL,
        meaning: "`1`: a shim installs a missing version first; `0`: never",
        default: "",
        read_by: &[Shim],
    },
    Var {
        name: SHIM_BINARY,
        meaning: "where `gv rehash` finds the gv-shim binary",
        default: "next to the gv executable",
        read_by: &[Gv],
    },
    Var {
        name: SHIM_DEPTH,
        meaning: "set by the shims: how many shims deep this process is (stops at 16)",
        default: "",
        read_by: &[Shim],
    },
    Var {
        name: SHIM_CACHE,
        meaning: "`0`: shims work out which Go runs afresh every time instead of reusing the answer they remembered for the directory",
        default: "1",
        read_by: &[Shim],
    },
    Var {
        name: INSTALL_URL,
        meaning: "where `gv self update` and the installers get gv's releases (a URL laid out like GitHub's releases)",
        default: "the project's GitHub releases",
        read_by: &[Gv, Installer],
    },
    Var {
        name: INSTALL_DIR,
        meaning: "where install.sh and install.ps1 put gv and gv-shim",
        default: "~/.local/bin",
        read_by: &[Installer],
    },
    Var {
        name: BUILD_VERSION,
        meaning: "build time: the version a release build reports (the release command's --version)",
        default: "Cargo.toml's version",
        read_by: &[Build],
    },
    Var {
        name: BUILD_RELEASE_KEY,
        meaning: "build time: the one key (an OpenSSH ed25519 line) a build trusts for `gv self update` (the release command's --trust-key)",
        default: "gv's release keys",
        read_by: &[Build],
    },
    Var {
        name: MESSAGE_LOG,
        meaning: "a file every error, warning and note gv prints is appended to (gv's tests check them)",
        default: "",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: "XDG_DATA_HOME",
        meaning: "the base of GV_ROOT's default, on every Unix (a relative value is ignored)",
        default: "~/.local/share",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: "XDG_CONFIG_HOME",
        meaning: "the base of GV_CONFIG's default, on every Unix (a relative value is ignored)",
        default: "~/.config",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: "XDG_CACHE_HOME",
        meaning: "the base of GV_CACHE_DIR's default, on every Unix (a relative value is ignored)",
        default: "~/.cache",
        read_by: &[Gv, Hook],
    },
    Var {
        name: "LOCALAPPDATA",
        meaning: "Windows: the base of GV_ROOT's and GV_CACHE_DIR's defaults (machine-local)",
        default: "the profile's AppData\\Local, from Windows",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: "APPDATA",
        meaning: "Windows: the base of GV_CONFIG's default (roams with the profile)",
        default: "the profile's AppData\\Roaming, from Windows",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: "PATHEXT",
        meaning: "Windows: the extensions a program is found by on PATH (gv which, system go, debuggers)",
        default: ".COM;.EXE;.BAT;.CMD",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: "XDG_RUNTIME_DIR",
        meaning: "where the shell hook keeps its per-shell stamp files (macOS has none)",
        default: "$GV_CACHE_DIR/hook",
        read_by: &[Hook],
    },
    Var {
        name: "__GV_*",
        meaning: "the shell hook's own state (including __GV_STAMP); not for setting by hand",
        default: "",
        read_by: &[Gv, Shim, Hook],
    },
    Var {
        name: "GOBIN",
        meaning: "your own GOBIN wins over gv's shared one",
        default: "",
        read_by: &[Gv, Shim, Hook, Go],
    },
    Var {
        name: "GOPATH",
        meaning: "without GOBIN, gv shares the first GOPATH entry's bin/",
        default: "~/go",
        read_by: &[Gv, Shim, Hook, Go],
    },
    Var {
        name: "GOENV",
        meaning: "Go's `go env -w` file; `gv doctor` reads its GOTOOLCHAIN",
        default: "$XDG_CONFIG_HOME/go/env",
        read_by: &[Gv, Go],
    },
];

/// How the go command treats a variable of [`GO_COMMAND`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoUse {
    /// Read by the go command or the tools it runs (`go help environment`): a trusted
    /// project's gv.toml may set it.
    Reads,
    /// Read by the runtime of every Go program, the go command and what it builds
    /// included (`go doc runtime`): a trusted project may set it.
    Runtime,
    /// gv derives it from the selected version; no config file may set it.
    GvSets,
    /// Shown by `go env`, never read from the environment (`go help environment`'s
    /// "Additional information"): setting it would change nothing, so it is refused.
    ShownOnly,
    /// Read by no Go release: gv passes it on for the user's own tooling (README:
    /// GOINSTRUMENT).
    PassedOn,
}

/// One variable of [`GO_COMMAND`].
#[derive(Debug, Clone, Copy)]
pub struct GoVar {
    pub name: &'static str,
    pub used: GoUse,
}

const fn go(name: &'static str, used: GoUse) -> GoVar {
    GoVar { name, used }
}

/// Every variable the go command reads, from Go's own documentation and sources: `go help
/// environment` (general-purpose, cgo, architecture-specific, special-purpose, and the
/// ones `go env` only shows), `internal/cfg.KnownEnv`, `cmd/go/internal/cfg` (its
/// `Getenv` calls), and the runtime's (`go doc runtime`). A project's gv.toml may set only
/// these (those that are [`GoUse::Reads`], [`GoUse::Runtime`] or [`GoUse::PassedOn`]):
/// anything else (`GOOGLE_APPLICATION_CREDENTIALS`, `PROMPT_COMMAND`, `LD_PRELOAD`)
/// would reach every program the shell hook's environment is inherited by. A test runs
/// real SDKs' `go help environment` and fails on a variable missing here
/// (tests/it/go_env_vars.rs).
pub const GO_COMMAND: &[GoVar] = {
    use GoUse::{GvSets, PassedOn, Reads, Runtime, ShownOnly};
    &[
        // General-purpose.
        go("GCCGO", Reads),
        go("GO111MODULE", Reads),
        go("GOARCH", Reads),
        go("GOAUTH", Reads),
        go("GOBIN", Reads),
        go("GOCACHE", Reads),
        go("GOCACHEPROG", Reads),
        go("GODEBUG", Reads),
        go("GOENV", Reads),
        go("GOFLAGS", Reads),
        go("GOINSECURE", Reads),
        go("GOMODCACHE", Reads),
        go("GOOS", Reads),
        go("GOPATH", Reads),
        go("GOPRIVATE", Reads),
        go("GONOPROXY", Reads),
        go("GONOSUMDB", Reads),
        go("GOPROXY", Reads),
        go("GOROOT", GvSets),
        go("GOSUMDB", Reads),
        go("GOTMPDIR", Reads),
        go("GOTOOLCHAIN", Reads),
        go("GOVCS", Reads),
        go("GOWORK", Reads),
        // For use with cgo.
        go("AR", Reads),
        go("CC", Reads),
        go("CGO_CFLAGS", Reads),
        go("CGO_CFLAGS_ALLOW", Reads),
        go("CGO_CFLAGS_DISALLOW", Reads),
        go("CGO_CPPFLAGS", Reads),
        go("CGO_CPPFLAGS_ALLOW", Reads),
        go("CGO_CPPFLAGS_DISALLOW", Reads),
        go("CGO_CXXFLAGS", Reads),
        go("CGO_CXXFLAGS_ALLOW", Reads),
        go("CGO_CXXFLAGS_DISALLOW", Reads),
        go("CGO_ENABLED", Reads),
        go("CGO_FFLAGS", Reads),
        go("CGO_FFLAGS_ALLOW", Reads),
        go("CGO_FFLAGS_DISALLOW", Reads),
        go("CGO_LDFLAGS", Reads),
        go("CGO_LDFLAGS_ALLOW", Reads),
        go("CGO_LDFLAGS_DISALLOW", Reads),
        go("CXX", Reads),
        go("FC", Reads),
        go("PKG_CONFIG", Reads),
        // Architecture-specific.
        go("GO386", Reads),
        go("GOAMD64", Reads),
        go("GOARM", Reads),
        go("GOARM64", Reads),
        go("GOMIPS", Reads),
        go("GOMIPS64", Reads),
        go("GOPPC64", Reads),
        go("GORISCV64", Reads),
        go("GOWASM", Reads),
        // Special-purpose.
        go("GOCOVERDIR", Reads),
        go("GCCGOTOOLDIR", Reads),
        go("GOEXPERIMENT", Reads),
        go("GOFIPS140", Reads),
        go("GO_EXTLINK_ENABLED", Reads),
        go("GIT_ALLOW_PROTOCOL", Reads),
        // Go <= 1.22: file names in stack traces rewritten from GOROOT to it.
        go("GOROOT_FINAL", Reads),
        // Shown by `go env`, not read from the environment.
        go("GOEXE", ShownOnly),
        go("GOGCCFLAGS", ShownOnly),
        go("GOHOSTARCH", ShownOnly),
        go("GOHOSTOS", ShownOnly),
        go("GOMOD", ShownOnly),
        go("GOTELEMETRY", ShownOnly),
        go("GOTELEMETRYDIR", ShownOnly),
        go("GOTOOLDIR", ShownOnly),
        go("GOVERSION", ShownOnly),
        // The runtime's (GODEBUG is above).
        go("GOGC", Runtime),
        go("GOMAXPROCS", Runtime),
        go("GOMEMLIMIT", Runtime),
        go("GORACE", Runtime),
        go("GOTRACEBACK", Runtime),
        // gv's own pass-through (README).
        go("GOINSTRUMENT", PassedOn),
    ]
};

/// The entry of [`GO_COMMAND`] for `name`.
pub fn go_var(name: &str) -> Option<&'static GoVar> {
    GO_COMMAND.iter().find(|v| v.name == name)
}

/// The entry for `name`.
pub fn get(name: &str) -> Option<&'static Var> {
    ALL.iter().find(|v| v.name == name)
}

/// Variables of the system and its programs that gv reads and neither sets nor documents
/// as its own (README's table lists gv's own and those users set for gv), each with what
/// gv reads it for.
pub const SYSTEM: &[(&str, &str)] = &[
    (
        "HOME",
        "the home directory: `~/` in paths, and the default directories on Unix",
    ),
    (
        "PATH",
        "where programs are found: `system` go, gv for auto-install, what the SDK's bin/ goes before",
    ),
    (
        "SHELL",
        "which shell `gv init` writes for, when the parent process does not say",
    ),
    (
        "ZDOTDIR",
        "where zsh keeps its rc files (`gv self uninstall` cleans them)",
    ),
    (
        "_CLAP_COMPLETE_INDEX",
        "set by the completion scripts: which word is being completed",
    ),
];

/// The entry of [`SYSTEM`] for `name`: what gv reads it for.
pub fn system(name: &str) -> Option<&'static str> {
    SYSTEM.iter().find(|(n, _)| *n == name).map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_listed_once_and_every_constant_is_listed() {
        let mut names: Vec<&str> = ALL.iter().map(|v| v.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a name is listed twice");
        for constant in [
            ROOT,
            VERSION,
            GOENV_VERSION,
            GOENV_ROOT,
            GOMOD,
            GOENV_GOMOD_VERSION_ENABLE,
            GOENV_DIR,
            GO_BUILD_MIRROR_URL,
            GOENV_AUTO_INSTALL,
            GOENV_AUTO_INSTALL_FLAGS,
            GOENV_GOPATH_PREFIX,
            GOENV_DISABLE_GOPATH,
            TRUSTED_PATHS,
            CONFIG,
            CACHE_DIR,
            SYMBOLS,
            DEBUGINFOD_URLS,
            COMPLETE,
            GO_MIRROR,
            GO_INDEX,
            SOURCE,
            GOVULNDB,
            LOW_SPEED_LIMIT,
            LOW_SPEED_TIME,
            AUTO_INSTALL,
            SHIM_BINARY,
            SHIM_DEPTH,
            SHIM_CACHE,
            MESSAGE_LOG,
            INSTALL_URL,
            INSTALL_DIR,
            BUILD_VERSION,
            BUILD_RELEASE_KEY,
        ] {
            assert!(get(constant).is_some(), "{constant} is not in ALL");
        }
        assert!(HOOK_STAMP.starts_with("__GV_"), "covered by `__GV_*`");
    }

    #[test]
    fn system_variables_are_not_also_gvs_or_gos() {
        for (name, _) in SYSTEM {
            assert!(get(name).is_none() && go_var(name).is_none(), "{name}");
        }
    }

    #[test]
    fn the_go_commands_variables_are_listed_once() {
        let mut names: Vec<&str> = GO_COMMAND.iter().map(|v| v.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a name is listed twice");
        assert_eq!(go_var("GOROOT").unwrap().used, GoUse::GvSets);
        assert_eq!(go_var("GOFLAGS").unwrap().used, GoUse::Reads);
        assert!(go_var("GOOGLE_APPLICATION_CREDENTIALS").is_none());
        assert!(go_var("GOENV_ROOT").is_none());
    }
}
