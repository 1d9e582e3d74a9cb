//! Bounded input, tried as an attacker would (issue 20): every read of outside input has a
//! size cap, a decompression cap and, for transfers, a progress rule
//! (`gv_core::limits`). Each hostile server or file here made gv read, write or wait
//! without end before; now each is refused quickly, with little read or written, and
//! nothing left in the store or the cache.

use crate::support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::mirror::{Fault, MirrorServer, Served, fake_sdk, gzip_bomb_sdk, listing};
use support::{Sandbox, stderr};

/// A port nothing listens on: "the official index cannot be reached", fast.
const DEAD_INDEX: &str = "http://127.0.0.1:9/dl/?mode=json&include=all";
const ARCHIVE: &str = "go1.22.10.linux-amd64.tar.gz";
const MIB: u64 = 1 << 20;

/// `gv ARGS` in the sandbox against `server`, stopped (and failed) if it is still running
/// after `deadline`. Returns its output, how long it took, and the bytes it wrote to files
/// (`wchar` of /proc/PID/io, read by a shell that waited for it: Linux adds a waited-for
/// child's I/O to its parent's).
fn run_bounded(
    sb: &Sandbox,
    server: &MirrorServer,
    args: &[&str],
    env: &[(&str, &str)],
    deadline: Duration,
) -> (Output, Duration, u64) {
    let gv = assert_cmd::cargo::cargo_bin("gv");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#""$@" 2>"$GV_TEST_ERR"; s=$?; grep '^wchar' /proc/$$/io >&2; exit $s"#)
        .arg("sh")
        .arg(&gv)
        .args(args)
        .current_dir(sb.work(""))
        .env_clear()
        .envs(sb.env())
        .env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", DEAD_INDEX)
        .env("NO_COLOR", "1")
        .env("GV_TEST_ERR", sb.path().join("gv.err"))
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sh");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "gv {} was still running after {deadline:?}: {}",
                args.join(" "),
                std::fs::read_to_string(sb.path().join("gv.err")).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = started.elapsed();
    let mut out = child.wait_with_output().expect("output");
    let io = stderr(&out);
    let written = io
        .lines()
        .find_map(|l| l.strip_prefix("wchar: "))
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no wchar in /proc/PID/io (Linux only): {io}"));
    out.stderr = std::fs::read(sb.path().join("gv.err")).unwrap_or_default();
    (out, took, written)
}

/// Nothing of the refused download anywhere: no version, no work directory, no cached
/// archive, no partial.
fn assert_nothing_kept(sb: &Sandbox) {
    let versions = listing(&sb.root().join("versions"));
    assert!(versions.is_empty(), "the store changed: {versions:?}");
    let downloads = listing(&sb.path().join("cache/gv/downloads"));
    assert!(downloads.is_empty(), "the cache kept: {downloads:?}");
}

// -------------------------------------------------------------------------------------
// Hole 2: `.tar.gz` installs read and unpack without bound.
// -------------------------------------------------------------------------------------

/// A 2 MiB gzip bomb under the real file name, vouched for by the (hostile) mirror's own
/// index, unpacks to 2 GiB: gv stops after a few times the archive's size.
#[test]
fn a_gzip_bomb_under_the_real_name_is_refused_after_bounded_writes() {
    let sb = Sandbox::new();
    let bomb = gzip_bomb_sdk("1.22.10", 2 << 30);
    assert!(bomb.len() < 4 << 20, "a small archive: {}", bomb.len());
    let server = MirrorServer::start(vec![Served::archive("1.22.10", bomb)]);
    let (out, took, written) = run_bounded(
        &sb,
        &server,
        &["install", "1.22.10"],
        &[],
        Duration::from_secs(120),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "the bomb was installed: {err}");
    assert!(
        err.contains("unpacks to more than 16 MiB")
            && err.contains("nothing was installed and nothing was cached"),
        "{err}"
    );
    assert!(
        written < 64 * MIB,
        "gv wrote {written} bytes for a bomb (took {took:?})"
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_nothing_kept(&sb);
}

/// A response that never ends: gv reads the index's `size` and one byte more.
#[test]
fn an_endless_download_stops_at_the_size_the_index_gives() {
    let sb = Sandbox::new();
    let sdk = fake_sdk("1.22.10");
    let size = sdk.len() as u64;
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", sdk).with_fault(Fault::Endless),
    ]);
    let (out, took, written) = run_bounded(
        &sb,
        &server,
        &["install", "1.22.10"],
        &[],
        Duration::from_secs(60),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "goes on past {size} bytes, the size the release index gives"
        )),
        "{err}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(written < 16 * MIB, "gv wrote {written} bytes");
    assert!(
        server.body_bytes_sent() < size + 64 * MIB,
        "gv kept reading: {} bytes sent",
        server.body_bytes_sent()
    );
    assert_nothing_kept(&sb);
}

/// A response longer than the index's `size` (and announced as such): cut at the size,
/// not read to its end and then compared.
#[test]
fn a_download_longer_than_the_index_says_is_cut_at_the_size() {
    let sb = Sandbox::new();
    let sdk = fake_sdk("1.22.10");
    let size = sdk.len() as u64;
    let extra = 512 << 20;
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", sdk).with_fault(Fault::Longer { extra }),
    ]);
    let (out, took, written) = run_bounded(
        &sb,
        &server,
        &["install", "1.22.10"],
        &[],
        Duration::from_secs(60),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("the size the release index gives"), "{err}");
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert!(written < 16 * MIB, "gv wrote {written} bytes");
    assert!(
        server.body_bytes_sent() < size + 64 * MIB,
        "gv read on: {} of {} bytes sent",
        server.body_bytes_sent(),
        size + extra as u64
    );
    assert_nothing_kept(&sb);
}

// -------------------------------------------------------------------------------------
// Hole 7: the release index and checksum sidecars have no size cap.
// -------------------------------------------------------------------------------------

/// A valid index padded past 16 MiB: refused, and never written to the cache.
#[test]
fn an_oversized_release_index_is_refused_and_never_cached() {
    let sb = Sandbox::new();
    let files = vec![Served::archive("1.22.10", fake_sdk("1.22.10"))];
    let real = support::mirror::index_json(&files);
    // Whitespace is valid JSON: without a cap, this parses, installs and is cached whole.
    let padded = format!("{}{real}", " ".repeat(20 << 20));
    let server = MirrorServer::start(files).with_raw_index(padded);
    let (out, took, _) = run_bounded(
        &sb,
        &server,
        &["install", "1.22.10"],
        &[],
        Duration::from_secs(60),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("is larger than 16 MiB, gv's limit for a release index"),
        "{err}"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    let index = listing(&sb.path().join("cache/gv/index"));
    assert!(index.is_empty(), "cached: {index:?}");
    assert_nothing_kept(&sb);
}

/// A `.sha256` sidecar is 64 hex digits and a name; one of megabytes (whatever it starts
/// with) is not read whole, and vouches for nothing.
#[test]
fn an_oversized_checksum_sidecar_vouches_for_nothing() {
    let sb = Sandbox::new();
    let served = Served::archive("1.22.10", fake_sdk("1.22.10"));
    let mut sidecar = format!("{}  {ARCHIVE}\n", served.sha256()).into_bytes();
    sidecar.resize(8 << 20, b' ');
    let server = MirrorServer::start(vec![served])
        .without_index()
        .with_raw_sidecar(sidecar);
    let (out, _, _) = run_bounded(
        &sb,
        &server,
        &["install", "1.22.10"],
        &[],
        Duration::from_secs(60),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("is larger than 4 KiB, gv's limit for a checksum file"),
        "{err}"
    );
    assert_nothing_kept(&sb);
}

// -------------------------------------------------------------------------------------
// Degraded: a transfer that trickles never ends.
// -------------------------------------------------------------------------------------

/// One byte a second keeps the connection alive (each read is within the stall timeout),
/// and before the progress rule the download went on for days. With a 2-second window
/// for the test (`GV_LOW_SPEED_TIME`), it stops in seconds, saying how to allow a slow link.
#[test]
fn a_download_sent_a_byte_at_a_time_is_stopped_by_the_progress_rule() {
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", fake_sdk("1.22.10")).with_fault(Fault::Trickle {
            chunk: 1,
            delay: Duration::from_secs(1),
        }),
    ]);
    let (out, took, _) = run_bounded(
        &sb,
        &server,
        &["install", "1.22.10"],
        &[("GV_LOW_SPEED_TIME", "2")],
        Duration::from_secs(40),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("the transfer is too slow"), "{err}");
    assert!(
        err.contains("below the minimum of 1024 bytes/s") && err.contains("GV_LOW_SPEED_LIMIT"),
        "{err}"
    );
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert_nothing_kept(&sb);

    // The same link is fine with the rule relaxed for it: here, off for a small archive
    // sent in 1 KiB pieces.
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", fake_sdk("1.22.10")).with_fault(Fault::Trickle {
            chunk: 1024,
            delay: Duration::from_millis(300),
        }),
    ]);
    let (out, _, _) = run_bounded(
        &sb,
        &server,
        &["install", "1.22.10"],
        &[("GV_LOW_SPEED_TIME", "1"), ("GV_LOW_SPEED_LIMIT", "0")],
        Duration::from_secs(40),
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

// -------------------------------------------------------------------------------------
// Degraded: abandoned partial downloads stay in the cache.
// -------------------------------------------------------------------------------------

fn spawn_install(sb: &Sandbox, server: &MirrorServer, version: &str) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("gv"))
        .current_dir(sb.work(""))
        .env_clear()
        .envs(sb.env())
        .env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", DEAD_INDEX)
        .args(["install", version])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gv")
}

fn partials(sb: &Sandbox) -> Vec<String> {
    listing(&sb.path().join("cache/gv/downloads"))
        .into_iter()
        .filter(|p| p.ends_with(".partial"))
        .collect()
}

/// kill -9 mid-download leaves a partial; the next install of *another* version sweeps
/// it (nobody holds its lock), and `gv cache clean` removes one too.
#[test]
fn abandoned_partial_downloads_are_swept_by_any_install_and_by_cache_clean() {
    let sb = Sandbox::new();
    let slow = Fault::Trickle {
        chunk: 16 * 1024,
        delay: Duration::from_millis(20),
    };
    let server = MirrorServer::start(vec![
        Served::archive(
            "1.22.10",
            support::mirror::fake_sdk_padded("1.22.10", 2_000_000),
        )
        .with_fault(slow),
        Served::archive("1.21.13", fake_sdk("1.21.13")),
    ]);
    let kill_mid_download = || {
        let before = server.body_bytes_sent();
        let mut child = spawn_install(&sb, &server, "1.22.10");
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.body_bytes_sent() < before + 200_000 {
            assert!(Instant::now() < deadline, "the download never started");
            std::thread::sleep(Duration::from_millis(10));
        }
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        assert_eq!(partials(&sb).len(), 1, "the kill left its partial download");
    };

    kill_mid_download();
    let out = sb
        .gv(&sb.work(""))
        .env("GV_GO_MIRROR", server.url())
        .env("GV_GO_INDEX", DEAD_INDEX)
        .args(["install", "1.21.13"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        partials(&sb),
        Vec::<String>::new(),
        "swept by another install"
    );

    kill_mid_download();
    let out = sb
        .gv(&sb.work(""))
        .args(["cache", "clean"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        partials(&sb),
        Vec::<String>::new(),
        "removed by cache clean"
    );
}

// -------------------------------------------------------------------------------------
// Degraded: --from-file with only a sidecar beside it.
// -------------------------------------------------------------------------------------

#[test]
fn a_sidecar_beside_a_local_archive_proves_integrity_not_authenticity() {
    let sb = Sandbox::new();
    let sdk = fake_sdk("1.22.10");
    let file = sb.work("dl").join(ARCHIVE);
    std::fs::write(&file, &sdk).unwrap();
    std::fs::write(
        sb.work("dl").join(format!("{ARCHIVE}.sha256")),
        format!("{}  {ARCHIVE}\n", support::mirror::sha256_hex(&sdk)),
    )
    .unwrap();
    let out = sb
        .gv(&sb.work(""))
        .env("GV_GO_MIRROR", "http://127.0.0.1:9/dl/")
        .env("GV_GO_INDEX", DEAD_INDEX)
        .args(["install", "--from-file"])
        .arg(&file)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("proves the file is intact but not that it is authentic"),
        "{err}"
    );
}

// -------------------------------------------------------------------------------------
// Degraded: `gv ide` and `gv doctor` read any file whole, and wait on a FIFO.
// -------------------------------------------------------------------------------------

fn pinned_project(sb: &Sandbox) -> std::path::PathBuf {
    sb.fake_install("1.22.10");
    std::fs::write(sb.root().join("version"), "1.22.10\n").unwrap();
    sb.work("p")
}

/// `gv` with a deadline: a FIFO must not make it wait for a writer.
fn gv_within(sb: &Sandbox, cwd: &Path, args: &[&str], deadline: Duration) -> (Output, Duration) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("gv"))
        .current_dir(cwd)
        .env_clear()
        .envs(sb.env())
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gv");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "gv {} hung (still running after {deadline:?})",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().expect("output"), started.elapsed())
}

fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A sparse file of `len` bytes: costs no disk, but reading it whole costs `len` of memory.
fn sparse(path: &Path, len: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

#[test]
fn ide_vscode_write_refuses_a_fifo_and_a_huge_settings_file() {
    let sb = Sandbox::new();
    let dir = pinned_project(&sb);
    let settings = dir.join(".vscode/settings.json");
    mkfifo(&settings);
    let (out, took) = gv_within(
        &sb,
        &dir,
        &["ide", "vscode", "--write"],
        Duration::from_secs(20),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("it is not a regular file"), "{err}");
    assert!(took < Duration::from_secs(10), "{took:?}");

    std::fs::remove_file(&settings).unwrap();
    sparse(&settings, 3 << 30);
    let (out, took) = gv_within(
        &sb,
        &dir,
        &["ide", "vscode", "--write"],
        Duration::from_secs(20),
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("is larger than 8 MiB"), "{err}");
    assert!(took < Duration::from_secs(5), "read, not refused: {took:?}");
    assert_eq!(
        std::fs::metadata(&settings).unwrap().len(),
        3 << 30,
        "left unchanged"
    );
}

#[test]
fn doctor_refuses_huge_editor_settings_instead_of_reading_them() {
    let sb = Sandbox::new();
    let dir = pinned_project(&sb);
    sparse(&dir.join(".vscode/settings.json"), 3 << 30);
    sparse(&dir.join(".idea/workspace.xml"), 3 << 30);
    sparse(&sb.path().join("home/.bashrc"), 3 << 30);
    let (out, took) = gv_within(&sb, &dir, &["doctor"], Duration::from_secs(30));
    let text = format!("{}{}", support::stdout(&out), stderr(&out));
    assert!(
        took < Duration::from_secs(10),
        "read, not refused: {took:?}"
    );
    assert!(
        text.contains("settings.json was not read: it is larger than 8 MiB"),
        "{text}"
    );
    assert!(
        text.contains("workspace.xml was not read: it is larger than 8 MiB"),
        "{text}"
    );
}
