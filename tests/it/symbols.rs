//! The symbol store without Go (issue 27): `gv symbols list|path|prune` on a store laid
//! out by hand, and the outside input `gv debug` reads treated as hostile — a core dump
//! whose file names carry terminal escapes, a core that is no core, and debuginfod
//! servers that answer with the wrong build, with garbage, or announce gigabytes — each
//! refused with the reason, printed escaped, leaving nothing in the store.

use crate::support;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use support::{Sandbox, stderr, stdout};

/// A real ELF file with a GNU build ID on every Debian system.
const SOME_ELF: &str = "/bin/true";

fn build_id_of(path: &Path) -> String {
    let data = std::fs::read(path).unwrap();
    let file = object::File::parse(&*data).unwrap();
    let id = object::Object::build_id(&file)
        .unwrap()
        .unwrap_or_else(|| panic!("{path:?} has no GNU build ID"));
    id.iter().map(|b| format!("{b:02x}")).collect()
}

fn store(sb: &Sandbox) -> PathBuf {
    sb.root().join("symbols")
}

/// Files `file` in the sandbox's store as the debug information of its own build ID.
fn file_in_store(sb: &Sandbox, file: &Path) -> (String, PathBuf) {
    let id = build_id_of(file);
    let debug = store(sb)
        .join(".build-id")
        .join(&id[..2])
        .join(format!("{}.debug", &id[2..]));
    std::fs::create_dir_all(debug.parent().unwrap()).unwrap();
    std::fs::copy(file, &debug).unwrap();
    (id, debug)
}

#[test]
fn symbols_list_path_and_prune_manage_the_store() {
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let out = sb.gv(&dir).args(["symbols", "list"]).output().unwrap();
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("is empty: `gv build --release` keeps"),
        "{}",
        stdout(&out)
    );
    let out = sb.gv(&dir).args(["symbols", "path"]).output().unwrap();
    assert_eq!(stdout(&out).trim(), store(&sb).display().to_string());

    let (id, debug) = file_in_store(&sb, Path::new(SOME_ELF));
    // A record with a hostile package name: shown escaped.
    let records = store(&sb).join(".gv/records");
    std::fs::create_dir_all(&records).unwrap();
    std::fs::write(
        records.join(format!("{id}.json")),
        "{\"package\": \"evil\\u001b]52;c;cm0gLXJmIH4=\\u0007\", \"project\": \"/p\", \"go\": \"go1.22.10\", \"added\": 1}",
    )
    .unwrap();
    let out = sb.gv(&dir).args(["symbols", "list"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains(&id[..12]), "{text}");
    assert!(
        text.contains("evil\\u{1b}]52;c;cm0gLXJmIH4=\\u{7} (/p)"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "escaped: {text:?}");
    assert!(text.contains("1 build,"), "{text}");
    let json: serde_json::Value = serde_json::from_slice(
        &sb.gv(&dir)
            .args(["symbols", "list", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(json["builds"][0]["build_id"], id.as_str());
    assert_eq!(json["builds"][0]["debug_file"], debug.display().to_string());

    // path: by binary, by ID; a miss is exit 1, nonsense exit 2.
    let out = sb
        .gv(&dir)
        .args(["symbols", "path", SOME_ELF])
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), debug.display().to_string());
    let out = sb.gv(&dir).args(["symbols", "path", &id]).output().unwrap();
    assert_eq!(stdout(&out).trim(), debug.display().to_string());
    let out = sb
        .gv(&dir)
        .args(["symbols", "path", &"ab".repeat(20)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not in the symbol store"),
        "{}",
        stderr(&out)
    );
    let out = sb
        .gv(&dir)
        .args(["symbols", "path", "../../etc/passwd"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // prune: a rule is required; --dry-run removes nothing; the rule removes.
    let out = sb.gv(&dir).args(["symbols", "prune"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = sb
        .gv(&dir)
        .args(["symbols", "prune", "--keep", "0", "--dry-run"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(&format!("would remove {}", &id[..12])),
        "{}",
        stdout(&out)
    );
    assert!(debug.is_file());
    let out = sb
        .gv(&dir)
        .args(["symbols", "prune", "--older-than", "1d"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("freed 1 build"), "{}", stdout(&out));
    assert!(!debug.exists());
    assert!(!records.join(format!("{id}.json")).exists());
}

/// A core dump as the kernel writes one: notes (command line, auxiliary vector, file
/// mappings) and the executable's first page, which holds Go's note and the GNU
/// build-ID note.
fn core_fixture(exe: &str, build_id: &[u8]) -> Vec<u8> {
    fn note(name: &[u8], kind: u32, desc: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend((name.len() as u32 + 1).to_le_bytes());
        out.extend((desc.len() as u32).to_le_bytes());
        out.extend(kind.to_le_bytes());
        out.extend(name);
        out.push(0);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        out.extend(desc);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        out
    }
    let base = 0x40_0000u64;
    let mut page = vec![0u8; 4096];
    page[..4].copy_from_slice(b"\x7fELF");
    page[4] = 2;
    page[5] = 1;
    let notes = note(b"GNU", 3, build_id);
    let at = 4096 - notes.len();
    page[at..].copy_from_slice(&notes);
    let mut prpsinfo = vec![0u8; 136];
    prpsinfo[56..62].copy_from_slice(b"./evil");
    let mut auxv = Vec::new();
    for v in [3u64, base + 64, 0, 0] {
        auxv.extend(v.to_le_bytes());
    }
    let mut files = Vec::new();
    for v in [1u64, 4096, base, base + 4096, 0] {
        files.extend(v.to_le_bytes());
    }
    files.extend(exe.as_bytes());
    files.push(0);
    let mut notes = note(b"CORE", 3, &prpsinfo);
    notes.extend(note(b"CORE", 6, &auxv));
    notes.extend(note(b"CORE", 0x4649_4c45, &files));
    let notes_at = 64 + 2 * 56;
    let load_at = (notes_at + notes.len()).next_multiple_of(4096);
    let mut out = vec![0u8; 64];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = 2;
    out[5] = 1;
    out[6] = 1;
    out[16..18].copy_from_slice(&4u16.to_le_bytes());
    out[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
    out[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
    out[0x38..0x3a].copy_from_slice(&2u16.to_le_bytes());
    for (kind, offset, vaddr, size) in [
        (4u32, notes_at as u64, 0, notes.len() as u64),
        (1, load_at as u64, base, 4096),
    ] {
        let mut p = vec![0u8; 56];
        p[..4].copy_from_slice(&kind.to_le_bytes());
        p[8..16].copy_from_slice(&offset.to_le_bytes());
        p[16..24].copy_from_slice(&vaddr.to_le_bytes());
        p[32..40].copy_from_slice(&size.to_le_bytes());
        p[40..48].copy_from_slice(&size.to_le_bytes());
        out.extend(p);
    }
    out.extend(notes);
    out.resize(load_at, 0);
    out.extend(page);
    out
}

#[test]
fn a_hostile_core_is_read_with_bounds_and_shown_escaped() {
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let evil_name = "/srv/app\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{202e}evil";
    let core = dir.join("core");
    std::fs::write(&core, core_fixture(evil_name, &[0x5a; 20])).unwrap();
    let out = sb
        .gv(&dir)
        .args(["debug", "--gdb", "--core", "core"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("was dumped by build {}", "5a".repeat(20))),
        "the build ID from the executable's first page: {err}"
    );
    assert!(err.contains("\\u{1b}]52;c;"), "escaped: {err}");
    assert!(err.contains("\\u{202e}"), "bidi escaped: {err}");
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    assert!(!err.contains("gv: starting"), "{err}");

    for (bytes, says) in [
        (vec![b'x'; 200], "it is not an ELF file"),
        (b"short".to_vec(), "the file ends before its ELF header"),
        (std::fs::read(SOME_ELF).unwrap(), "not a core dump (type 4)"),
        (
            core_fixture("/a", &[1; 20])[..100].to_vec(),
            "ends before its program headers",
        ),
    ] {
        std::fs::write(&core, bytes).unwrap();
        let out = sb
            .gv(&dir)
            .args(["debug", "--gdb", "--core", "core"])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(says), "{says}: {err}");
    }
}

/// A loopback HTTP server that answers every request with `answer` (status line,
/// headers and body as given), counting requests.
struct Server {
    port: u16,
}

impl Server {
    fn start(answer: Vec<u8>) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(&answer);
            }
        });
        Server { port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn answer(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 200 OK\r\nConnection: close\r\n{headers}\r\n").into_bytes();
    out.extend(body);
    out
}

#[test]
fn hostile_debuginfod_answers_are_refused_and_nothing_is_kept() {
    let sb = Sandbox::new();
    let dir = sb.work("p");
    let wanted = [0x6b; 20];
    std::fs::write(dir.join("core"), core_fixture("/srv/app", &wanted)).unwrap();
    let other_build = std::fs::read(SOME_ELF).unwrap();
    let wrong = Server::start(answer(
        &format!("Content-Length: {}\r\n", other_build.len()),
        &other_build,
    ));
    let garbage = Server::start(answer("Content-Length: 15\r\n", b"<html>hi</html>"));
    let huge = Server::start(answer("Content-Length: 3221225472\r\n", b"\x7fELF"));
    let urls = format!(
        "{} {} {} ftp://files.example",
        wrong.url(),
        garbage.url(),
        huge.url()
    );
    let out = sb
        .gv(&dir)
        .env("DEBUGINFOD_URLS", &urls)
        .args(["debug", "--gdb", "--core", "core"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let id = "6b".repeat(20);
    assert!(
        err.contains(&format!(
            "answered with a file that is not the executable of build ID {id}: it has build ID {}",
            build_id_of(Path::new(SOME_ELF))
        )),
        "{err}"
    );
    assert!(
        err.contains("answered with a file that is not the executable"),
        "{err}"
    );
    assert!(
        err.contains("announces 3.0 GiB of executable, more than gv accepts (2.0 GiB)"),
        "{err}"
    );
    assert!(
        err.contains("ftp://files.example, which is not an http or https URL"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "was dumped by build {id} (/srv/app), which is not in the symbol store"
        )),
        "{err}"
    );
    // Nothing kept: no file of that ID, no temporary file left behind.
    let dir = store(&sb).join(".build-id").join(&id[..2]);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}
