//! gv's own releases for the tests: built by the release command itself (`cargo xtask
//! release`, signed with the test key in tests/keys/), and served over 127.0.0.1 by a
//! host laid out like GitHub's releases, with faults on demand.
//!
//! ```text
//! /releases/download/vVERSION/FILE     a release's files
//! /releases/latest/download/FILE       302 to the release marked latest
//! ```

use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};

use super::loopback::{self, read_request};

/// The test signing key (public by design: tests/keys/README.md).
pub const TEST_KEY: &str = "tests/keys/release-test.pem";
pub const TEST_KEY_PUB: &str = "tests/keys/release-test.pub";
pub const LINUX: &str = "x86_64-unknown-linux-musl";
/// The other targets CI builds on every change.
pub const CROSS: &[&str] = &["aarch64-unknown-linux-musl", "x86_64-pc-windows-gnu"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The version this tree builds (Cargo.toml's).
pub fn current_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// A version newer than this tree's: its patch number plus one.
pub fn newer_version() -> String {
    let core = current_version().split('-').next().unwrap_or("0.0.0");
    let parts: Vec<u64> = core.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    format!("{}.{}.{}", parts[0], parts[1], parts[2] + 1)
}

/// This tree's release, for every target CI builds (Linux x86_64 and aarch64, Windows).
pub fn current() -> PathBuf {
    let mut targets = vec![LINUX];
    targets.extend_from_slice(CROSS);
    build(None, &targets)
}

/// A release of this tree as [`newer_version`] (Linux x86_64 only). Built after
/// [`current`], always: the two differ only in the version compiled into gv, and in this
/// order cargo relinks gv once per test run instead of once per switch.
pub fn newer() -> PathBuf {
    current();
    build(Some(&newer_version()), &[LINUX])
}

/// The release of `targets` as `version` (None: this tree's own), built by `cargo xtask
/// release` with the test key into `target/test-releases/`, once per test process (cargo
/// rebuilds only what changed). Needs cargo-zigbuild and zig.
fn build(version: Option<&str>, targets: &[&str]) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    // One build at a time: they share cargo's target directory.
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    let name = format!(
        "{}-{}",
        version.unwrap_or("current"),
        if targets.len() == 1 { "linux" } else { "all" }
    );
    if let Some(dir) = built.get(&name) {
        return dir.clone();
    }
    let found = super::tools::cargo_zigbuild().arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "{}",
        super::tools::missing("cargo-zigbuild (for gv's release archives)")
    );
    let out_dir = PathBuf::from("target/test-releases").join(&name);
    let mut cmd = Command::new(env!("CARGO"));
    // The release command runs cargo-zigbuild, which runs zig: both from the tools' cache.
    cmd.env("PATH", super::tools::path())
        .current_dir(root())
        .args(["run", "--quiet", "--locked", "-p", "xtask", "--", "release"])
        .args(["--key", TEST_KEY, "--out"])
        .arg(&out_dir);
    for target in targets {
        cmd.args(["--target", target]);
    }
    if let Some(version) = version {
        cmd.args(["--version", version]);
    }
    // The test binary's own build settings must not leak into the release build.
    for var in [
        "GV_BUILD_VERSION",
        "GV_BUILD_RELEASE_KEY",
        "CARGO_TARGET_DIR",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("run cargo xtask release");
    assert!(
        out.status.success(),
        "cargo xtask release {name} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = root().join(&out_dir);
    built.insert(name, dir.clone());
    dir
}

/// What goes wrong when a file is requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// One byte in the middle flipped.
    Tamper,
    /// Announces the whole length, sends half, hangs up.
    CutShort,
    /// This instead of the file.
    Replace(Vec<u8>),
}

#[derive(Default)]
struct State {
    /// version → its release directory.
    releases: HashMap<String, PathBuf>,
    latest: Option<String>,
    /// file name → fault, for every release.
    faults: HashMap<String, Fault>,
    requests: Vec<String>,
}

pub struct ReleaseHost {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl ReleaseHost {
    pub fn start() -> ReleaseHost {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let st = state.clone();
        loopback::accept(listener, stop.clone(), move |conn| {
            let _ = handle(conn, &st);
        });
        ReleaseHost { port, state, stop }
    }

    /// The base URL (`GV_INSTALL_URL`).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/releases", self.port)
    }

    /// Serves the release in `dir` (as `cargo xtask release` wrote it) as `version`.
    pub fn add(&self, version: &str, dir: &Path) {
        let mut st = self.state.lock().expect("lock");
        st.releases.insert(version.to_string(), dir.to_path_buf());
    }

    pub fn set_latest(&self, version: &str) {
        self.state.lock().expect("lock").latest = Some(version.to_string());
    }

    pub fn set_fault(&self, file: &str, fault: Option<Fault>) {
        let mut st = self.state.lock().expect("lock");
        match fault {
            Some(f) => st.faults.insert(file.to_string(), f),
            None => st.faults.remove(file),
        };
    }

    pub fn clear_faults(&self) {
        self.state.lock().expect("lock").faults.clear();
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().expect("lock").requests.clone()
    }
}

impl Drop for ReleaseHost {
    fn drop(&mut self) {
        loopback::stop(self.port, &self.stop);
    }
}

fn handle(conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let path = read_request(&conn)?.target;
    let (releases, latest, faults) = {
        let mut st = state.lock().expect("lock");
        st.requests.push(path.clone());
        (st.releases.clone(), st.latest.clone(), st.faults.clone())
    };
    let mut out = conn;
    if let Some(file) = path.strip_prefix("/releases/latest/download/") {
        return match latest {
            Some(v) => write!(
                out,
                "HTTP/1.1 302 Found\r\nLocation: /releases/download/v{v}/{file}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            None => respond(&mut out, 404, b"no release yet"),
        };
    }
    let Some(rest) = path.strip_prefix("/releases/download/v") else {
        return respond(&mut out, 404, b"not found");
    };
    let Some((version, file)) = rest.split_once('/') else {
        return respond(&mut out, 404, b"not found");
    };
    let body = match releases.get(version) {
        Some(dir) if !file.contains('/') && !file.starts_with('.') => {
            std::fs::read(dir.join(file)).ok()
        }
        _ => None,
    };
    let Some(body) = body else {
        return respond(&mut out, 404, b"not found");
    };
    match faults.get(file) {
        None => respond(&mut out, 200, &body),
        Some(Fault::Replace(other)) => respond(&mut out, 200, other),
        Some(Fault::Tamper) => {
            let mut bad = body.clone();
            let mid = bad.len() / 2;
            bad[mid] ^= 0x55;
            respond(&mut out, 200, &bad)
        }
        Some(Fault::CutShort) => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            out.write_all(&body[..body.len() / 2])?;
            out.flush()?;
            out.shutdown(std::net::Shutdown::Both)
        }
    }
}

fn respond(out: &mut TcpStream, status: u16, body: &[u8]) -> std::io::Result<()> {
    let reason = if status == 200 { "OK" } else { "Not Found" };
    write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    out.flush()
}

/// A directory of links to every program in /usr/bin and /bin except `without`: a PATH
/// with no cargo (it lives in ~/.cargo/bin) and, if asked, no ssh-keygen or openssl.
pub fn path_without(dir: &Path, without: &[&str]) -> PathBuf {
    let bin = dir.join(format!("bin-without-{}", without.join("-")));
    std::fs::create_dir_all(&bin).expect("mkdir");
    for source in ["/usr/bin", "/bin"] {
        let Ok(entries) = std::fs::read_dir(source) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name_str = name.to_string_lossy();
            if without.iter().any(|w| *w == name_str) || name_str.starts_with("cargo") {
                continue;
            }
            let link = bin.join(&name);
            if std::fs::symlink_metadata(&link).is_err() {
                let _ = std::os::unix::fs::symlink(entry.path(), &link);
            }
        }
    }
    bin
}
