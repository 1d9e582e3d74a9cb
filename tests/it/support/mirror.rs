//! A go.dev/dl look-alike on 127.0.0.1, hand-written on std, with fault injection: the
//! release index at `/dl/?mode=json&include=all`, archives at `/dl/FILENAME`, sidecars at
//! `/dl/FILENAME.sha256`. It also answers proxy-style requests (`GET http://host/...`), so
//! it can stand in for an HTTP proxy. Plus builders for tiny fake SDK archives and
//! malicious ones.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::loopback::{self, Request, read_request};

/// What goes wrong when a file is requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    None,
    NotFound,
    ServerError,
    /// Announces the full length, sends half, hangs up.
    CutShort,
    /// Flips one byte in the middle of the body.
    CorruptByte,
    /// The index advertises a sha256 that does not match.
    WrongSha,
    /// Sends `chunk` bytes every `delay`.
    Trickle {
        chunk: usize,
        delay: Duration,
    },
    /// Sends the body, then `extra` more bytes, announcing the whole length.
    Longer {
        extra: usize,
    },
    /// Sends the body, then never stops (no length announced).
    Endless,
}

#[derive(Clone)]
pub struct Served {
    pub filename: String,
    pub version: String,
    pub stable: bool,
    pub bytes: Arc<Vec<u8>>,
    pub fault: Fault,
}

impl Served {
    /// A linux-amd64 archive of `version` (e.g. "1.22.10") with this content.
    pub fn archive(version: &str, bytes: Vec<u8>) -> Served {
        Served::archive_for(version, "linux", "amd64", bytes)
    }

    /// An archive of `version` for another platform (`darwin`, `arm64`).
    pub fn archive_for(version: &str, os: &str, arch: &str, bytes: Vec<u8>) -> Served {
        Served {
            filename: format!("go{version}.{os}-{arch}.tar.gz"),
            version: format!("go{version}"),
            stable: !version.contains("rc") && !version.contains("beta"),
            bytes: Arc::new(bytes),
            fault: Fault::None,
        }
    }

    /// A `.zip` archive of `version`, as go.dev ships Windows (`windows`, `amd64`).
    pub fn zip_for(version: &str, os: &str, arch: &str, bytes: Vec<u8>) -> Served {
        Served {
            filename: format!("go{version}.{os}-{arch}.zip"),
            ..Served::archive_for(version, os, arch, bytes)
        }
    }

    pub fn with_fault(mut self, fault: Fault) -> Served {
        self.fault = fault;
        self
    }

    pub fn sha256(&self) -> String {
        sha256_hex(&self.bytes)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Default)]
struct State {
    files: Vec<Served>,
    no_index: bool,
    no_sidecars: bool,
    /// Served as the release index instead of one built from `files`.
    raw_index: Option<String>,
    /// Served as every `.sha256` sidecar.
    raw_sidecar: Option<Arc<Vec<u8>>>,
    requests: Vec<String>,
}

pub struct MirrorServer {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    body_bytes_sent: Arc<AtomicU64>,
}

impl MirrorServer {
    pub fn start(files: Vec<Served>) -> MirrorServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            files,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let (st, snt) = (state.clone(), sent.clone());
        loopback::accept(listener, stop.clone(), move |conn| {
            let _ = handle(conn, &st, &snt);
        });
        MirrorServer {
            port,
            state,
            stop,
            body_bytes_sent: sent,
        }
    }

    /// The base URL, laid out like https://go.dev/dl/.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/dl/", self.port)
    }

    pub fn index_url(&self) -> String {
        format!("{}?mode=json&include=all", self.url())
    }

    /// As an HTTP proxy address.
    pub fn proxy_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// No JSON index: a plain mirror (aliyun style).
    pub fn without_index(self) -> MirrorServer {
        self.state.lock().expect("lock").no_index = true;
        self
    }

    /// Serves `json` as the release index, whatever it says (hostile indexes).
    pub fn with_raw_index(self, json: String) -> MirrorServer {
        self.state.lock().expect("lock").raw_index = Some(json);
        self
    }

    /// Serves `bytes` as every `.sha256` sidecar (hostile sidecars).
    pub fn with_raw_sidecar(self, bytes: Vec<u8>) -> MirrorServer {
        self.state.lock().expect("lock").raw_sidecar = Some(Arc::new(bytes));
        self
    }

    pub fn without_sidecars(self) -> MirrorServer {
        self.state.lock().expect("lock").no_sidecars = true;
        self
    }

    pub fn set_fault(&self, filename: &str, fault: Fault) {
        for f in &mut self.state.lock().expect("lock").files {
            if f.filename == filename {
                f.fault = fault.clone();
            }
        }
    }

    /// Request targets seen so far, as sent (absolute-form for proxied requests).
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().expect("lock").requests.clone()
    }

    pub fn archive_requests(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.ends_with(".tar.gz"))
            .count()
    }

    pub fn body_bytes_sent(&self) -> u64 {
        self.body_bytes_sent.load(Ordering::SeqCst)
    }
}

impl Drop for MirrorServer {
    fn drop(&mut self) {
        loopback::stop(self.port, &self.stop);
    }
}

fn handle(conn: TcpStream, state: &Mutex<State>, sent: &AtomicU64) -> std::io::Result<()> {
    // Proxy requests carry the whole URL: `path` is the path alone.
    let Request { target, path, .. } = read_request(&conn)?;
    let (files, no_index, no_sidecars, raw_index, raw_sidecar) = {
        let mut st = state.lock().expect("lock");
        st.requests.push(target);
        (
            st.files.clone(),
            st.no_index,
            st.no_sidecars,
            st.raw_index.clone(),
            st.raw_sidecar.clone(),
        )
    };
    let mut out = conn;
    let Some(name) = path.strip_prefix("/dl/") else {
        return respond(&mut out, 404, b"not found");
    };
    if name.starts_with("?mode=json") {
        if no_index {
            return respond(&mut out, 404, b"<html>no index here</html>");
        }
        let index = raw_index.unwrap_or_else(|| index_json(&files));
        return respond(&mut out, 200, index.as_bytes());
    }
    if let Some(archive) = name.strip_suffix(".sha256") {
        return match files.iter().find(|f| f.filename == archive) {
            Some(_) if !no_sidecars && raw_sidecar.is_some() => {
                respond(&mut out, 200, raw_sidecar.as_deref().expect("sidecar"))
            }
            Some(f) if !no_sidecars => {
                respond(&mut out, 200, format!("{}\n", f.sha256()).as_bytes())
            }
            _ => respond(&mut out, 404, b"not found"),
        };
    }
    let Some(file) = files.iter().find(|f| f.filename == name) else {
        return respond(&mut out, 404, b"not found");
    };
    let body: &[u8] = &file.bytes;
    match &file.fault {
        Fault::NotFound => respond(&mut out, 404, b"not found"),
        Fault::ServerError => respond(&mut out, 500, b"internal error"),
        Fault::CutShort => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            out.write_all(&body[..body.len() / 2])?;
            sent.fetch_add((body.len() / 2) as u64, Ordering::SeqCst);
            out.flush()?;
            out.shutdown(std::net::Shutdown::Both)
        }
        Fault::CorruptByte => {
            let mut bad = body.to_vec();
            let mid = bad.len() / 2;
            bad[mid] ^= 0x55;
            respond(&mut out, 200, &bad)
        }
        Fault::Trickle { chunk, delay } => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            for piece in body.chunks(*chunk) {
                out.write_all(piece)?;
                out.flush()?;
                sent.fetch_add(piece.len() as u64, Ordering::SeqCst);
                std::thread::sleep(*delay);
            }
            Ok(())
        }
        Fault::Longer { extra } => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len() + extra
            )?;
            out.write_all(body)?;
            sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            let filler = vec![0x5a_u8; 64 * 1024];
            let mut left = *extra;
            while left > 0 {
                let n = left.min(filler.len());
                out.write_all(&filler[..n])?;
                sent.fetch_add(n as u64, Ordering::SeqCst);
                left -= n;
            }
            out.flush()
        }
        Fault::Endless => {
            write!(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
            out.write_all(body)?;
            sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            let filler = vec![0x5a_u8; 64 * 1024];
            // Until the client hangs up: the write then fails.
            loop {
                out.write_all(&filler)?;
                sent.fetch_add(filler.len() as u64, Ordering::SeqCst);
            }
        }
        Fault::None | Fault::WrongSha => {
            respond(&mut out, 200, body)?;
            sent.fetch_add(body.len() as u64, Ordering::SeqCst);
            Ok(())
        }
    }
}

fn respond(out: &mut TcpStream, status: u16, body: &[u8]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Internal Server Error",
    };
    write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(body)?;
    out.flush()
}

/// go.dev's index format, newest first, one release per version with every platform's
/// archive in it, and the invalid `go1.9.2rc2` entry the real index has.
pub fn index_json(files: &[Served]) -> String {
    let mut versions: Vec<&Served> = files.iter().collect();
    versions.sort_by(|a, b| b.version.cmp(&a.version));
    versions.dedup_by(|a, b| a.version == b.version);
    let mut releases: Vec<serde_json::Value> = versions
        .iter()
        .map(|release| {
            let mut entries = vec![serde_json::json!(
                {"filename": format!("{}.src.tar.gz", release.version), "os": "", "arch": "",
                 "version": release.version, "sha256": "00", "size": 1, "kind": "source"})];
            for f in files.iter().filter(|f| f.version == release.version) {
                let sha = if f.fault == Fault::WrongSha {
                    sha256_hex(b"something else entirely")
                } else {
                    f.sha256()
                };
                // goV.OS-ARCH.tar.gz or goV.OS-ARCH.zip
                let platform = f
                    .filename
                    .trim_end_matches(".tar.gz")
                    .trim_end_matches(".zip")
                    .rsplit('.')
                    .next()
                    .unwrap_or("");
                let (os, arch) = platform.split_once('-').unwrap_or(("linux", "amd64"));
                entries.push(serde_json::json!(
                    {"filename": f.filename, "os": os, "arch": arch, "version": f.version,
                     "sha256": sha, "size": f.bytes.len(), "kind": "archive"}));
            }
            serde_json::json!({
                "version": release.version,
                "stable": release.stable,
                "files": entries,
            })
        })
        .collect();
    releases.push(serde_json::json!({"version": "go1.9.2rc2", "stable": false, "files": []}));
    serde_json::to_string(&releases).expect("json")
}

// ---- archives ----

/// A tiny Windows SDK zip laid out like go.dev's: `go/bin/go.exe` (not a real program:
/// Windows SDKs installed on Linux are only unpacked and listed), `go/VERSION`, a source
/// file, and `entries` after them.
pub fn fake_windows_sdk(version: &str, entries: Vec<super::zipw::ZipEntry>) -> Vec<u8> {
    use super::zipw::ZipEntry;
    let mut all = vec![
        ZipEntry::file("go/", ""),
        ZipEntry::file("go/bin/go.exe", format!("MZ go{version} windows/amd64")),
        ZipEntry::file(
            "go/VERSION",
            format!("go{version}\ntime 2024-11-27T20:27:20Z\n"),
        ),
        ZipEntry::file("go/src/fmt/print.go", "package fmt\n"),
    ];
    all.extend(entries);
    super::zipw::zip(&all)
}

/// A tiny SDK archive laid out like go.dev's: `go/bin/go` prints the version.
pub fn fake_sdk(version: &str) -> Vec<u8> {
    fake_sdk_padded(version, 0)
}

/// The same with `padding` incompressible bytes, for slow downloads.
pub fn fake_sdk_padded(version: &str, padding: usize) -> Vec<u8> {
    let mut entries = vec![
        Entry::dir("go/"),
        Entry::dir("go/bin/"),
        Entry::file(
            "go/bin/go",
            0o755,
            format!("#!/bin/sh\necho \"go version go{version} linux/amd64\"\n").into_bytes(),
        ),
        Entry::file(
            "go/VERSION",
            0o644,
            format!("go{version}\ntime 2024-11-27T20:27:20Z\n").into_bytes(),
        ),
        Entry::file("go/src/fmt/print.go", 0o644, b"package fmt\n".to_vec()),
        Entry::symlink("go/misc/version-link", "../VERSION"),
        // Outside bin/, which holds Go's own commands only (anything else is set aside).
        Entry::hardlink("go/misc/go-again", "go/bin/go"),
    ];
    if padding > 0 {
        let mut state = 0x2545_f491_u32;
        let noise = (0..padding)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        entries.push(Entry::file("go/pkg/noise.bin", 0o644, noise));
    }
    tar_gz(&entries)
}

#[derive(Clone)]
pub struct Entry {
    name: Vec<u8>,
    kind: tar::EntryType,
    mode: u32,
    data: Vec<u8>,
    link: Vec<u8>,
}

impl Entry {
    pub fn dir(name: &str) -> Entry {
        Entry {
            name: name.into(),
            kind: tar::EntryType::Directory,
            mode: 0o755,
            data: vec![],
            link: vec![],
        }
    }
    pub fn file(name: &str, mode: u32, data: Vec<u8>) -> Entry {
        Entry {
            name: name.into(),
            kind: tar::EntryType::Regular,
            mode,
            data,
            link: vec![],
        }
    }
    pub fn symlink(name: &str, target: &str) -> Entry {
        Entry {
            name: name.into(),
            kind: tar::EntryType::Symlink,
            mode: 0o777,
            data: vec![],
            link: target.into(),
        }
    }
    pub fn hardlink(name: &str, target: &str) -> Entry {
        Entry {
            name: name.into(),
            kind: tar::EntryType::Link,
            mode: 0o644,
            data: vec![],
            link: target.into(),
        }
    }
    pub fn char_device(name: &str) -> Entry {
        Entry {
            name: name.into(),
            kind: tar::EntryType::Char,
            mode: 0o644,
            data: vec![],
            link: vec![],
        }
    }
}

/// A .tar.gz with exactly these headers: names are written raw, so tests can build the
/// malicious archives the tar crate's safe API refuses to write.
pub fn tar_gz(entries: &[Entry]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(gz);
    for e in entries {
        let mut header = tar::Header::new_gnu();
        {
            let gnu = header.as_gnu_mut().expect("gnu header");
            gnu.name[..e.name.len()].copy_from_slice(&e.name);
            gnu.linkname[..e.link.len()].copy_from_slice(&e.link);
        }
        header.set_entry_type(e.kind);
        header.set_mode(e.mode);
        header.set_size(e.data.len() as u64);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        builder.append(&header, e.data.as_slice()).expect("append");
    }
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// A gzip bomb under a real SDK's shape: `go/bin/go`, `go/VERSION`, then one file of
/// `zeros` zero bytes (a multiple of 16 MiB), in a valid `.tar.gz` about a thousandth of
/// that size. Built without compressing gigabytes: one fully flushed deflate run of
/// 16 MiB of zeros (no back-references past itself) is repeated, and the gzip trailer's
/// CRC is combined arithmetically.
pub fn gzip_bomb_sdk(version: &str, zeros: u64) -> Vec<u8> {
    use flate2::{Compress, Compression, Crc, FlushCompress};
    const RUN: u64 = 16 << 20;
    assert!(zeros.is_multiple_of(RUN) && zeros > 0);
    let header = |name: &str, size: u64, mode: u32| {
        let mut h = tar::Header::new_gnu();
        h.set_path(name).expect("path");
        h.set_size(size);
        h.set_mode(mode);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mtime(1_700_000_000);
        h.set_cksum();
        h.as_bytes().to_vec()
    };
    let padded = |data: &[u8]| {
        let mut v = data.to_vec();
        v.resize(data.len().div_ceil(512) * 512, 0);
        v
    };
    let go = format!("#!/bin/sh\necho go{version}\n");
    let version_file = format!("go{version}\n");
    let mut prefix = header("go/bin/go", go.len() as u64, 0o755);
    prefix.extend(padded(go.as_bytes()));
    prefix.extend(header("go/VERSION", version_file.len() as u64, 0o644));
    prefix.extend(padded(version_file.as_bytes()));
    prefix.extend(header("go/pkg/bomb.bin", zeros, 0o644));
    let suffix = vec![0u8; 1024]; // the end-of-archive marker

    // Each piece compressed on its own and fully flushed: raw deflate blocks that can be
    // laid end to end.
    let deflate = |data: &[u8], last: bool| {
        let mut c = Compress::new(Compression::best(), false);
        let mut out = Vec::with_capacity(data.len() / 2 + 1024);
        let flush = if last {
            FlushCompress::Finish
        } else {
            FlushCompress::Full
        };
        c.compress_vec(data, &mut out, flush).expect("deflate");
        out
    };
    let zero_run = vec![0u8; RUN as usize];
    let run = deflate(&zero_run, false);
    let mut crc = Crc::new();
    crc.update(&prefix);
    let mut run_crc = Crc::new();
    run_crc.update(&zero_run);
    for _ in 0..zeros / RUN {
        crc.combine(&run_crc);
    }
    crc.update(&suffix);

    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    gz.extend(deflate(&prefix, false));
    for _ in 0..zeros / RUN {
        gz.extend_from_slice(&run);
    }
    gz.extend(deflate(&suffix, true));
    gz.extend(crc.sum().to_le_bytes());
    let total = prefix.len() as u64 + zeros + suffix.len() as u64;
    gz.extend((total as u32).to_le_bytes());
    gz
}

/// A fake SDK with one extra malicious entry.
pub fn evil_sdk(version: &str, evil: Entry) -> Vec<u8> {
    tar_gz(&[
        Entry::dir("go/"),
        Entry::file(
            "go/bin/go",
            0o755,
            format!("#!/bin/sh\necho go{version}\n").into_bytes(),
        ),
        evil,
        Entry::file("go/VERSION", 0o644, format!("go{version}\n").into_bytes()),
    ])
}

/// Every path under `dir`, relative and sorted: "the store is unchanged" in one value.
pub fn listing(dir: &std::path::Path) -> Vec<String> {
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            out.push(
                path.strip_prefix(base)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
            );
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(base, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Reads a whole file into the server's memory.
pub fn read_all(path: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes
}
