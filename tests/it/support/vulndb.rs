//! A Go vulnerability database laid out like vuln.go.dev, built by the tests: the
//! documents (`index/db.json`, `index/modules.json`, `ID/GO-….json`), served gzipped on
//! 127.0.0.1 as govulncheck fetches them (`<name>.json.gz`), or written to a directory
//! for `GOVULNDB=file://…`. Its entries affect the test SDK 1.22.10 (`GO_A`) and not
//! 1.23.9 (`GO_B`); one summary carries bidi and control characters, and the rest are
//! entries that must not count here (another platform, withdrawn, another module).

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use super::loopback::{self, Request, read_request};

use serde_json::json;

/// The summary with a bidi override, an escape sequence and a newline.
pub const HOSTILE_SUMMARY: &str = "net/http: \u{202e}evil\u{1b}[2J\nok all is well";

fn stdlib_range(events: serde_json::Value) -> serde_json::Value {
    json!([{"type": "SEMVER", "events": events}])
}

fn entry(
    id: &str,
    module: &str,
    ranges: serde_json::Value,
    extra: serde_json::Value,
) -> serde_json::Value {
    let mut e = json!({
        "schema_version": "1.3.1",
        "id": id,
        "modified": "2025-06-01T00:00:00Z",
        "published": "2025-05-01T00:00:00Z",
        "aliases": [format!("CVE-{}", &id[3..])],
        "summary": format!("{id} in the {module}"),
        "affected": [{"package": {"name": module, "ecosystem": "Go"}, "ranges": ranges}],
    });
    if let (Some(e), Some(extra)) = (e.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            if k == "imports" {
                e["affected"][0]["ecosystem_specific"] = json!({"imports": v});
            } else {
                e.insert(k.clone(), v.clone());
            }
        }
    }
    e
}

/// The documents, by name without `.json`.
#[derive(Clone)]
pub struct VulnDb {
    pub docs: BTreeMap<String, Vec<u8>>,
}

impl VulnDb {
    /// The standard fixture.
    pub fn fixture() -> VulnDb {
        let entries = vec![
            // stdlib: 1.22.10 affected (fixed in 1.22.11), 1.23.9 not (fixed in 1.23.5).
            entry(
                "GO-2025-0001",
                "stdlib",
                stdlib_range(
                    json!([{"introduced": "0"}, {"fixed": "1.22.11"}, {"introduced": "1.23.0-0"}, {"fixed": "1.23.5"}]),
                ),
                json!({"imports": [{"path": "net/http"}]}),
            ),
            // toolchain: the 1.22 line until 1.22.12; a hostile summary.
            entry(
                "GO-2025-0002",
                "toolchain",
                stdlib_range(json!([{"introduced": "1.22.0-0"}, {"fixed": "1.22.12"}])),
                json!({"summary": HOSTILE_SUMMARY, "imports": [{"path": "cmd/go"}]}),
            ),
            // Windows only: never on the Linux test machine.
            entry(
                "GO-2025-0003",
                "stdlib",
                stdlib_range(json!([{"introduced": "0"}])),
                json!({"imports": [{"path": "os", "goos": ["windows"]}]}),
            ),
            // Withdrawn.
            entry(
                "GO-2025-0004",
                "stdlib",
                stdlib_range(json!([{"introduced": "0"}])),
                json!({"withdrawn": "2025-07-01T00:00:00Z"}),
            ),
        ];
        let mut docs = BTreeMap::new();
        let mut stdlib = Vec::new();
        let mut toolchain = Vec::new();
        for e in &entries {
            let id = e["id"].as_str().expect("id").to_string();
            let module = e["affected"][0]["package"]["name"].as_str().expect("name");
            let listed = json!({"id": id, "modified": e["modified"], "fixed": "1.23.5"});
            if module == "stdlib" {
                stdlib.push(listed)
            } else {
                toolchain.push(listed)
            }
            docs.insert(format!("ID/{id}"), serde_json::to_vec(e).expect("json"));
        }
        let modules = json!([
            {"path": "golang.org/x/net", "vulns": [{"id": "GO-2025-0005", "modified": "2025-06-01T00:00:00Z"}]},
            {"path": "stdlib", "vulns": stdlib},
            {"path": "toolchain", "vulns": toolchain},
        ]);
        docs.insert(
            "index/modules".into(),
            serde_json::to_vec(&modules).expect("json"),
        );
        docs.insert(
            "index/db".into(),
            br#"{"modified":"2025-06-01T00:00:00Z"}"#.to_vec(),
        );
        VulnDb { docs }
    }

    /// The same database with document `name` replaced by `bytes`.
    pub fn with(mut self, name: &str, bytes: Vec<u8>) -> VulnDb {
        self.docs.insert(name.to_string(), bytes);
        self
    }

    /// The same database with entry `id`'s summary replaced (README's samples show plain
    /// text, not the hostile one).
    pub fn with_summary(self, id: &str, summary: &str) -> VulnDb {
        let name = format!("ID/{id}");
        let mut entry: serde_json::Value =
            serde_json::from_slice(&self.docs[&name]).expect("an entry of the fixture");
        entry["summary"] = json!(summary);
        self.with(&name, serde_json::to_vec(&entry).expect("json"))
    }

    /// Writes the documents as `<dir>/<name>.json`, for `GOVULNDB=file://<dir>`.
    pub fn write_to(&self, dir: &Path) {
        for (name, bytes) in &self.docs {
            let path = dir.join(format!("{name}.json"));
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, bytes).expect("write");
        }
    }
}

/// What the server answers for one document instead of its gzip.
#[derive(Clone)]
pub enum Answer {
    /// These bytes, as they are (not gzip: garbage).
    Raw(Vec<u8>),
    Status(u16),
}

struct State {
    db: VulnDb,
    overrides: BTreeMap<String, Answer>,
    requests: Vec<String>,
}

pub struct VulnDbServer {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl VulnDbServer {
    pub fn start(db: VulnDb) -> VulnDbServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            db,
            overrides: BTreeMap::new(),
            requests: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let st = state.clone();
        loopback::accept(listener, stop.clone(), move |conn| {
            let _ = handle(conn, &st);
        });
        VulnDbServer { port, state, stop }
    }

    /// GOVULNDB for this server.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Answers `answer` for document `name` (`index/modules`) from now on.
    pub fn answer(&self, name: &str, answer: Answer) {
        self.state
            .lock()
            .expect("lock")
            .overrides
            .insert(name.to_string(), answer);
    }

    /// Serves `db` from now on.
    pub fn replace(&self, db: VulnDb) {
        let mut st = self.state.lock().expect("lock");
        st.db = db;
        st.overrides.clear();
    }

    pub fn requests(&self) -> Vec<String> {
        self.state.lock().expect("lock").requests.clone()
    }
}

impl Drop for VulnDbServer {
    fn drop(&mut self) {
        loopback::stop(self.port, &self.stop);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

fn handle(conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    // A proxied request carries the whole URL (the server stands in for an HTTP proxy).
    let Request { target, path, .. } = read_request(&conn)?;
    let answer = {
        let mut st = state.lock().expect("lock");
        st.requests.push(target.clone());
        let name = path
            .trim_start_matches('/')
            .strip_suffix(".json.gz")
            .unwrap_or("");
        match st.overrides.get(name) {
            Some(answer) => answer.clone(),
            None => match st.db.docs.get(name) {
                Some(doc) => Answer::Raw(gzip(doc)),
                None => Answer::Status(404),
            },
        }
    };
    let mut out = conn;
    let (status, body) = match answer {
        Answer::Raw(bytes) => (200, bytes),
        Answer::Status(code) => (code, b"no".to_vec()),
    };
    let reason = if status == 200 { "OK" } else { "Error" };
    write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(&body)?;
    out.flush()
}
