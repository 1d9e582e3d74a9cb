//! gv without Rust: the release archives `cargo xtask release` builds (signed with the
//! test key), install.sh under dash and bash in a fresh HOME whose PATH has no cargo,
//! `gv self update` while shims run, `gv self uninstall`, and every way a download can be
//! bad: each fails clearly and leaves nothing installed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::support::mirror::{MirrorServer, Served, read_all};
use crate::support::release::{
    self, CROSS, Fault, LINUX, ReleaseHost, TEST_KEY_PUB, current_version, newer_version,
};
use crate::support::{GO_A, real_archive, stderr, stdout};

/// A machine with no gv and no Rust: its own HOME, a temporary directory to check for
/// leftovers, and a PATH of the system's programs (less cargo, and less what a test
/// takes away).
struct Machine {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Machine {
    fn new(without: &[&str]) -> Machine {
        let dir = tempfile::Builder::new()
            .prefix("gv-release-test-")
            .tempdir()
            .expect("tempdir");
        for sub in ["home", "tmp"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        let path = release::path_without(dir.path(), without);
        Machine { dir, path }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn bin_dir(&self) -> PathBuf {
        self.home().join(".local/bin")
    }

    fn gv_path(&self) -> PathBuf {
        self.bin_dir().join("gv")
    }

    fn shims(&self) -> PathBuf {
        self.home().join(".local/share/gv/shims")
    }

    fn env(&self, host: &str) -> Vec<(&'static str, OsString)> {
        vec![
            ("HOME", self.home().into()),
            ("PATH", self.path.clone().into()),
            ("SHELL", "/bin/bash".into()),
            ("TMPDIR", self.dir.path().join("tmp").into()),
            ("GV_INSTALL_URL", host.into()),
            ("NO_COLOR", "1".into()),
        ]
    }

    /// install.sh (as the release publishes it) under `shell`.
    fn install(&self, shell: &str, script: &Path, host: &str, args: &[&str]) -> Output {
        Command::new(shell)
            .arg(script)
            .args(args)
            .env_clear()
            .envs(self.env(host))
            .current_dir(self.home())
            .output()
            .expect("run install.sh")
    }

    /// The installed gv.
    fn gv(&self, host: &str, args: &[&str]) -> Output {
        Command::new(self.gv_path())
            .args(args)
            .stdin(std::process::Stdio::null())
            .env_clear()
            .envs(self.env(host))
            .current_dir(self.home())
            .output()
            .expect("run the installed gv")
    }

    /// What is in the install directory (missing: empty).
    fn installed(&self) -> Vec<String> {
        listing(&self.bin_dir())
    }

    fn temp_left(&self) -> Vec<String> {
        listing(&self.dir.path().join("tmp"))
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// The current release, served as the newest.
fn current_host() -> (ReleaseHost, PathBuf) {
    let dir = release::current();
    let host = ReleaseHost::start();
    host.add(current_version(), &dir);
    host.set_latest(current_version());
    (host, dir)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An SSH signature of `message` by a key that is not the test release key.
fn signed_by_another_key(message: &[u8]) -> Vec<u8> {
    use gv::release::sshsig;
    use ring::signature::{Ed25519KeyPair, KeyPair};
    let pair = Ed25519KeyPair::from_seed_unchecked(&[0x42; 32]).expect("seed");
    let public: [u8; 32] = pair.public_key().as_ref().try_into().expect("32 bytes");
    let sig: [u8; 64] = pair
        .sign(&sshsig::signed_data(gv::release::NAMESPACE, message))
        .as_ref()
        .try_into()
        .expect("64 bytes");
    sshsig::armor(&public, gv::release::NAMESPACE, &sig).into_bytes()
}

/// Each archive holds exactly one directory with gv, gv-shim, the completions and the
/// documents; the Linux programs are static (no interpreter), the shim at a fixed address,
/// and the aarch64 gv runs (qemu);
/// SHA256SUMS lists every file with its real hash and ssh-keygen accepts its signature; the
/// Homebrew formula is Ruby (`ruby -c`) and the Scoop manifest names the zip's hash.
#[test]
fn release_archives_hold_what_they_should() {
    let mut targets = vec![LINUX];
    targets.extend_from_slice(CROSS);
    let dir = release::current();
    let version = current_version();
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).expect("SHA256SUMS");
    let mut listed: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    listed.sort();
    let mut expected: Vec<String> = targets
        .iter()
        .map(|t| {
            let ext = if t.contains("windows") {
                "zip"
            } else {
                "tar.gz"
            };
            format!("gv-{version}-{t}.{ext}")
        })
        .chain(["install.ps1".to_string(), "install.sh".to_string()])
        .collect();
    expected.sort();
    assert_eq!(listed, expected);
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").expect("two spaces");
        assert_eq!(
            sha256_hex(&read_all(&dir.join(name))),
            hash,
            "{name}'s hash in SHA256SUMS"
        );
    }

    // An independent verifier: OpenSSH's own.
    let scratch = tempfile::tempdir().expect("tempdir");
    let allowed = scratch.path().join("allowed_signers");
    let key = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(TEST_KEY_PUB))
        .expect("test key");
    std::fs::write(&allowed, format!("gv namespaces=\"gv-release\" {key}")).expect("write");
    let verified = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&allowed)
        .args(["-I", "gv", "-n", "gv-release", "-s"])
        .arg(dir.join("SHA256SUMS.sig"))
        .stdin(std::fs::File::open(dir.join("SHA256SUMS")).expect("open"))
        .output()
        .expect("ssh-keygen (apt-get install openssh-client)");
    ok(&verified, "ssh-keygen -Y verify of SHA256SUMS.sig");

    for target in &targets {
        let windows = target.contains("windows");
        let top = format!("gv-{version}-{target}");
        let (gv_name, shim_name) = if windows {
            ("gv.exe", "gv-shim.exe")
        } else {
            ("gv", "gv-shim")
        };
        let mut want: Vec<String> = [
            gv_name,
            shim_name,
            "README.md",
            "CHANGELOG.md",
            "LICENSE-MIT",
            "LICENSE-APACHE",
            "completions/gv.bash",
            "completions/_gv",
            "completions/gv.fish",
            "completions/gv.elv",
            "completions/gv.ps1",
        ]
        .iter()
        .map(|n| format!("{top}/{n}"))
        .collect();
        want.sort();
        let (mut files, programs) = if windows {
            unzip_all(&dir.join(format!("{top}.zip")))
        } else {
            untar_all(&dir.join(format!("{top}.tar.gz")))
        };
        files.sort();
        assert_eq!(files, want, "{target}'s archive");
        let gv = &programs[&format!("{top}/{gv_name}")];
        let shim = &programs[&format!("{top}/{shim_name}")];
        use object::Object;
        let arch = if target.starts_with("aarch64") {
            object::Architecture::Aarch64
        } else {
            object::Architecture::X86_64
        };
        for (name, bytes) in [(gv_name, gv), (shim_name, shim)] {
            let exe = object::File::parse(bytes.as_slice()).expect("an executable");
            assert_eq!(exe.architecture(), arch, "{target} {name}");
            if windows {
                assert_eq!(exe.format(), object::BinaryFormat::Pe, "{name}");
            } else {
                assert_eq!(exe.format(), object::BinaryFormat::Elf, "{name}");
                assert!(
                    exe.section_by_name(".interp").is_none(),
                    "{target} {name} must be static (no dynamic loader)"
                );
            }
        }
        if target.starts_with("aarch64") {
            // And it runs: under qemu's user-mode emulation.
            let exe = scratch.path().join(format!("gv-{target}"));
            std::fs::write(&exe, gv).expect("write");
            std::fs::set_permissions(&exe, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .expect("chmod");
            let out = Command::new("qemu-aarch64")
                .arg(&exe)
                .arg("--version")
                .output()
                .expect("qemu-aarch64 (apt-get install qemu-user)");
            ok(&out, "the aarch64 gv under qemu");
            assert_eq!(stdout(&out), format!("gv {version}\n"));
        }
        if !windows {
            // ET_EXEC: linked at a fixed address, so it does not relocate itself at start.
            let e_type = u16::from_le_bytes([shim[16], shim[17]]);
            assert_eq!(e_type, 2, "{target} gv-shim is not position-independent");
        }
    }

    // The packages, from the same checksums.
    let formula = dir.join("gv.rb");
    let ruby = Command::new("ruby")
        .arg("-c")
        .arg(&formula)
        .output()
        .expect("ruby (apt-get install ruby)");
    ok(&ruby, "ruby -c gv.rb");
    let rb = std::fs::read_to_string(&formula).expect("gv.rb");
    let linux_sha = sums
        .lines()
        .find(|l| l.ends_with(&format!("-{LINUX}.tar.gz")))
        .map(|l| &l[..64])
        .expect("linux line");
    assert!(rb.contains(&format!("sha256 \"{linux_sha}\"")), "{rb}");
    let scoop: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("gv.json")).expect("gv.json"))
            .expect("JSON");
    let zip_sha = sums
        .lines()
        .find(|l| l.ends_with(".zip"))
        .map(|l| &l[..64])
        .expect("zip line");
    assert_eq!(scoop["architecture"]["64bit"]["hash"], zip_sha);
    assert_eq!(scoop["version"], version);
}

type Contents = (Vec<String>, std::collections::HashMap<String, Vec<u8>>);

fn untar_all(path: &Path) -> Contents {
    let mut names = Vec::new();
    let mut programs = std::collections::HashMap::new();
    let file = std::fs::File::open(path).expect("open archive");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries().expect("entries") {
        let mut entry = entry.expect("entry");
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = entry.path().expect("path").to_string_lossy().into_owned();
        if entry.header().mode().expect("mode") & 0o111 != 0 {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read");
            programs.insert(name.clone(), bytes);
        }
        names.push(name);
    }
    (names, programs)
}

fn unzip_all(path: &Path) -> Contents {
    let mut names = Vec::new();
    let mut programs = std::collections::HashMap::new();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().expect("entry name").to_string();
        if name.ends_with(".exe") {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).expect("read");
            programs.insert(name.clone(), bytes);
        }
        names.push(name);
    }
    (names, programs)
}

/// The one-line install, under dash (Debian's /bin/sh), in a fresh HOME whose PATH has no
/// cargo: gv and gv-shim land in ~/.local/bin, verified with ssh-keygen; the installed gv
/// installs Go from the loopback go.dev, and `go version` runs through its shim.
#[test]
fn install_sh_under_dash_gives_a_gv_that_installs_go() {
    let (host, dir) = current_host();
    let machine = Machine::new(&[]);
    let out = machine.install("dash", &dir.join("install.sh"), &host.url(), &[]);
    ok(&out, "install.sh under dash");
    let said = stdout(&out);
    assert!(
        said.contains(&format!(
            "installed gv {} ({LINUX}) in {}",
            current_version(),
            machine.bin_dir().display()
        )),
        "{said}"
    );
    assert!(said.contains("checked with ssh-keygen"), "{said}");
    assert!(
        said.contains(r#"~/.bashrc:    eval "$(gv init bash)""#),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "export PATH=\"{}:$PATH\"",
            machine.bin_dir().display()
        )),
        "not on PATH yet, so the line to add it: {said}"
    );
    assert_eq!(machine.installed(), ["gv", "gv-shim"]);
    assert!(machine.temp_left().is_empty(), "{:?}", machine.temp_left());
    // The archive comes from the release SHA256SUMS named, not from `latest/`, which could
    // move to another release in between.
    let requests = host.requests();
    let archive = format!(
        "/releases/download/v{0}/gv-{0}-{LINUX}.tar.gz",
        current_version()
    );
    assert!(requests.contains(&archive), "{requests:?}");
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("/releases/latest/download/gv-")),
        "{requests:?}"
    );

    let mirror = MirrorServer::start(vec![Served::archive(GO_A, read_all(&real_archive(GO_A)))]);
    let install = Command::new(machine.gv_path())
        .args(["install", GO_A])
        .env_clear()
        .envs(machine.env(&host.url()))
        .env("GV_GO_MIRROR", mirror.url())
        .env("GV_GO_INDEX", "http://127.0.0.1:9/")
        .output()
        .expect("gv install");
    ok(&install, "the installed gv's `gv install`");
    let go = Command::new(machine.shims().join("go"))
        .arg("version")
        .env_clear()
        .envs(machine.env(&host.url()))
        .env(
            "PATH",
            format!("{}:{}", machine.shims().display(), machine.path.display()),
        )
        .current_dir(machine.home())
        .output()
        .expect("go through the shim");
    ok(&go, "go version through the installed shim");
    assert_eq!(stdout(&go), format!("go version go{GO_A} linux/amd64\n"));
}

/// The same script under bash; with wget instead of curl; without ssh-keygen it checks
/// the signature with openssl; with neither it refuses, unless told to skip the signature.
#[test]
fn install_sh_under_bash_and_with_each_verifier() {
    let (host, dir) = current_host();
    let script = dir.join("install.sh");

    let machine = Machine::new(&[]);
    ok(
        &machine.install("bash", &script, &host.url(), &[]),
        "install.sh under bash",
    );
    assert_eq!(machine.installed(), ["gv", "gv-shim"]);

    let machine = Machine::new(&["curl"]);
    ok(
        &machine.install("dash", &script, &host.url(), &[]),
        "install.sh with wget instead of curl",
    );
    assert_eq!(machine.installed(), ["gv", "gv-shim"]);

    let machine = Machine::new(&["ssh-keygen"]);
    let out = machine.install("dash", &script, &host.url(), &[]);
    ok(&out, "install.sh with openssl only");
    assert!(
        stdout(&out).contains("checked with openssl"),
        "{}",
        stdout(&out)
    );

    let machine = Machine::new(&["ssh-keygen", "openssl"]);
    let out = machine.install("dash", &script, &host.url(), &[]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot check the release's signature: this machine has neither ssh-keygen (OpenSSH 8.1 or later) nor openssl (1.1.1 or later)"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("--insecure-skip-signature"),
        "{}",
        stderr(&out)
    );
    assert!(machine.installed().is_empty());
    let out = machine.install("dash", &script, &host.url(), &["--insecure-skip-signature"]);
    ok(&out, "install.sh --insecure-skip-signature");
    assert!(
        stderr(&out).contains("warning: not checking the signature of SHA256SUMS"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("checked with nothing (--insecure-skip-signature)"),
        "{}",
        stdout(&out)
    );

    // --version picks a release; one that does not exist fails cleanly.
    let machine = Machine::new(&[]);
    let version = current_version();
    ok(
        &machine.install("dash", &script, &host.url(), &["--version", version]),
        "install.sh --version",
    );
    let machine = Machine::new(&[]);
    let out = machine.install("dash", &script, &host.url(), &["--version", "9.9.9"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot download"), "{}", stderr(&out));
    assert!(machine.installed().is_empty());
}

/// A tampered archive, a tampered SHA256SUMS, a signature by another key, a cut download
/// and an unreachable host: each stops the installer with a message that says which,
/// under both verifiers and both downloaders, and nothing is installed or left in the
/// temporary directory.
#[test]
fn install_sh_failures_leave_nothing_behind() {
    let (host, dir) = current_host();
    let script = dir.join("install.sh");
    let archive = format!("gv-{}-{LINUX}.tar.gz", current_version());
    let sums = read_all(&dir.join("SHA256SUMS"));
    let mut tampered_sums = String::from_utf8(sums.clone()).expect("text");
    // A different hash for the archive, as someone swapping the archive would write.
    let at = tampered_sums.find(&archive).expect("archive line") - 3;
    let flipped = if &tampered_sums[at..at + 1] == "0" {
        "1"
    } else {
        "0"
    };
    tampered_sums.replace_range(at..at + 1, flipped);

    // (what, the file served wrong and how, the base URL, what the error must say)
    type Case<'a> = (&'a str, Option<(&'a str, Fault)>, String, &'a str);
    let cases: Vec<Case> = vec![
        (
            "tampered archive",
            Some((archive.as_str(), Fault::Tamper)),
            host.url(),
            "does not match the release's SHA256SUMS",
        ),
        (
            "tampered SHA256SUMS",
            Some(("SHA256SUMS", Fault::Replace(tampered_sums.into_bytes()))),
            host.url(),
            "is not a valid signature of SHA256SUMS by gv's release key",
        ),
        (
            "signature by another key",
            Some((
                "SHA256SUMS.sig",
                Fault::Replace(signed_by_another_key(&sums)),
            )),
            host.url(),
            "is not a valid signature of SHA256SUMS by gv's release key",
        ),
        (
            "truncated archive",
            Some((archive.as_str(), Fault::CutShort)),
            host.url(),
            "cannot download",
        ),
        (
            "unreachable host",
            None,
            "http://127.0.0.1:9/releases".to_string(),
            "cannot download http://127.0.0.1:9/releases/latest/download/SHA256SUMS",
        ),
    ];
    // curl and ssh-keygen; curl and openssl; wget and ssh-keygen.
    for without in [&[][..], &["ssh-keygen"][..], &["curl"][..]] {
        for (what, fault, url, says) in &cases {
            host.clear_faults();
            if let Some((file, fault)) = fault {
                host.set_fault(file, Some(fault.clone()));
            }
            let machine = Machine::new(without);
            let out = machine.install("dash", &script, url, &[]);
            assert!(
                !out.status.success(),
                "{what} (without {without:?}) was installed:\n{}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(says),
                "{what} (without {without:?}): the message does not say `{says}`:\n{}",
                stderr(&out)
            );
            assert!(
                machine.installed().is_empty(),
                "{what}: left {:?}",
                machine.installed()
            );
            assert!(
                machine.temp_left().is_empty(),
                "{what}: left {:?} in TMPDIR",
                machine.temp_left()
            );
        }
    }
}

/// `gv self update` from this version to a newer test release while a `go` shim and gv
/// itself run in a loop: no call fails; gv and gv-shim are the new ones, the shims link the
/// new gv-shim, nothing is left beside them; `--check` then says up to date. A newest
/// release older than this gv is refused without `--to`, and installed with it.
#[test]
fn self_update_while_shims_run() {
    let current = current_version().to_string();
    let newer = newer_version();
    let (host, dir) = current_host();
    let newer_dir = release::newer();
    host.add(&newer, &newer_dir);

    let machine = Machine::new(&[]);
    ok(
        &machine.install("dash", &dir.join("install.sh"), &host.url(), &[]),
        "install.sh",
    );
    let mirror = MirrorServer::start(vec![Served::archive(GO_A, read_all(&real_archive(GO_A)))]);
    let install = Command::new(machine.gv_path())
        .args(["install", GO_A])
        .env_clear()
        .envs(machine.env(&host.url()))
        .env("GV_GO_MIRROR", mirror.url())
        .env("GV_GO_INDEX", "http://127.0.0.1:9/")
        .output()
        .expect("gv install");
    ok(&install, "gv install");

    let out = machine.gv(&host.url(), &["self", "update", "--check"]);
    ok(&out, "--check before");
    assert!(
        stderr(&out).contains(&format!("gv {current} is up to date")),
        "{}",
        stderr(&out)
    );

    // Run go through its shim, and gv itself, until the update is over.
    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let looper = {
        let (stop, calls, failures) = (stop.clone(), calls.clone(), failures.clone());
        let env = machine.env(&host.url());
        let go = machine.shims().join("go");
        let gv = machine.gv_path();
        let path = format!("{}:{}", machine.shims().display(), machine.path.display());
        let home = machine.home();
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                for (program, arg, expect) in [
                    (&go, "version", format!("go version go{GO_A} linux/amd64")),
                    (&gv, "--version", "gv ".to_string()),
                ] {
                    let out = Command::new(program)
                        .arg(arg)
                        .env_clear()
                        .envs(env.clone())
                        .env("PATH", &path)
                        .current_dir(&home)
                        .output();
                    calls.fetch_add(1, Ordering::SeqCst);
                    match out {
                        Ok(o) if o.status.success() && stdout(&o).starts_with(&expect) => {}
                        other => failures
                            .lock()
                            .expect("lock")
                            .push(format!("{} {arg}: {other:?}", program.display())),
                    }
                }
            }
        })
    };
    // Let the loop get going before the swap.
    while calls.load(Ordering::SeqCst) < 10 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    host.set_latest(&newer);
    let update = machine.gv(&host.url(), &["self", "update"]);
    let during = calls.load(Ordering::SeqCst);
    // And a little after it, through the new shims.
    while calls.load(Ordering::SeqCst) < during + 10 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    stop.store(true, Ordering::SeqCst);
    looper.join().expect("loop");
    ok(&update, "gv self update");
    let failures = failures.lock().expect("lock");
    assert!(
        failures.is_empty(),
        "{} of {} calls failed during the update:\n{}",
        failures.len(),
        calls.load(Ordering::SeqCst),
        failures.join("\n")
    );
    let said = stderr(&update);
    assert!(
        said.contains(&format!(
            "updated gv {current} → {newer} in {}",
            machine.bin_dir().display()
        )),
        "{said}"
    );
    assert!(said.contains("SHA256SUMS signed by"), "{said}");
    assert!(said.contains("the shims now run the new gv-shim"), "{said}");
    assert_eq!(
        stdout(&machine.gv(&host.url(), &["--version"])),
        format!("gv {newer}\n")
    );
    assert_eq!(
        machine.installed(),
        ["gv", "gv-shim"],
        "nothing left beside them"
    );
    use std::os::unix::fs::MetadataExt;
    let ino = |p: &Path| std::fs::metadata(p).expect("stat").ino();
    assert_eq!(
        ino(&machine.shims().join("go")),
        ino(&machine.bin_dir().join("gv-shim")),
        "the shims are links of the new gv-shim"
    );

    let out = machine.gv(&host.url(), &["self", "update", "--check"]);
    ok(&out, "--check after");
    assert!(
        stderr(&out).contains(&format!("gv {newer} is up to date")),
        "{}",
        stderr(&out)
    );
    let out = machine.gv(&host.url(), &["self", "update"]);
    ok(&out, "update when up to date");
    assert!(
        stderr(&out).contains("already installed: nothing to do"),
        "{}",
        stderr(&out)
    );

    // The newest release is now older than this gv: no downgrade without --to.
    host.set_latest(&current);
    let out = machine.gv(&host.url(), &["self", "update"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "the newest release, gv {current}, is older than this gv ({newer}): not downgrading"
        )),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(&format!(
            "`gv self update --to {current}` installs it anyway"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout(&machine.gv(&host.url(), &["--version"])),
        format!("gv {newer}\n")
    );
    let out = machine.gv(&host.url(), &["self", "update", "--check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("is newer than the newest release"),
        "{}",
        stderr(&out)
    );

    let out = machine.gv(&host.url(), &["self", "update", "--to", &current]);
    ok(&out, "--to an older release");
    assert!(
        stderr(&out).contains(&format!("downgraded gv {newer} → {current}")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout(&machine.gv(&host.url(), &["--version"])),
        format!("gv {current}\n")
    );

    // And --check says when a newer one exists: exit code 3, JSON for scripts.
    host.set_latest(&newer);
    let out = machine.gv(&host.url(), &["self", "update", "--check"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("gv {newer} is available (this is {current})")),
        "{}",
        stderr(&out)
    );
    let out = machine.gv(&host.url(), &["self", "update", "--check", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["current"], current.as_str());
    assert_eq!(json["newest"], newer.as_str());
    assert_eq!(json["update_available"], true);
}

/// A bad newer release changes nothing: the installed gv stays, byte for byte, and
/// nothing is left beside it.
#[test]
fn self_update_refuses_a_bad_release() {
    let newer = newer_version();
    let (host, dir) = current_host();
    let newer_dir = release::newer();
    host.add(&newer, &newer_dir);
    let machine = Machine::new(&[]);
    ok(
        &machine.install("dash", &dir.join("install.sh"), &host.url(), &[]),
        "install.sh",
    );
    let before = read_all(&machine.gv_path());
    host.set_latest(&newer);
    let archive = format!("gv-{newer}-{LINUX}.tar.gz");
    let sums = read_all(&newer_dir.join("SHA256SUMS"));
    let cases: Vec<(&str, &str, Fault, &str)> = vec![
        (
            "tampered archive",
            archive.as_str(),
            Fault::Tamper,
            "does not match the release's SHA256SUMS",
        ),
        (
            "signature by another key",
            "SHA256SUMS.sig",
            Fault::Replace(signed_by_another_key(&sums)),
            "is not a valid signature of the release's SHA256SUMS: it was made by a key gv does not trust",
        ),
        (
            "tampered SHA256SUMS",
            "SHA256SUMS",
            Fault::Replace(
                [
                    &sums[..],
                    b"0000000000000000000000000000000000000000000000000000000000000000  extra\n",
                ]
                .concat(),
            ),
            "the file was changed after it was signed",
        ),
        (
            "truncated archive",
            archive.as_str(),
            Fault::CutShort,
            "cannot read",
        ),
    ];
    for (what, file, fault, says) in cases {
        host.clear_faults();
        host.set_fault(file, Some(fault));
        let out = machine.gv(&host.url(), &["self", "update"]);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{what}: {}", stderr(&out));
        assert_eq!(read_all(&machine.gv_path()), before, "{what}: gv changed");
        assert_eq!(machine.installed(), ["gv", "gv-shim"], "{what}");
    }
    host.clear_faults();
    let out = machine.gv("http://127.0.0.1:9/releases", &["self", "update"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("cannot reach http://127.0.0.1:9/releases/latest/download/SHA256SUMS"),
        "{}",
        stderr(&out)
    );
    let out = machine.gv("http://mirror.example/releases", &["self", "update"]);
    assert!(
        stderr(&out).contains("GV_INSTALL_URL uses plain http for a host other than this machine"),
        "{}",
        stderr(&out)
    );
}

/// `gv self uninstall` removes gv and gv-shim, keeps the store and says where the rc line
/// is; `--purge` deletes the store too.
#[test]
fn self_uninstall_removes_the_binaries_and_says_what_is_left() {
    let (host, dir) = current_host();
    let machine = Machine::new(&[]);
    let script = dir.join("install.sh");
    ok(
        &machine.install("dash", &script, &host.url(), &[]),
        "install.sh",
    );
    ok(&machine.gv(&host.url(), &["rehash"]), "gv rehash");
    std::fs::write(
        machine.home().join(".bashrc"),
        "export EDITOR=vi\neval \"$(gv init bash)\"\n",
    )
    .expect("bashrc");
    let store = machine.home().join(".local/share/gv");
    assert!(store.is_dir());

    let out = machine.gv(&host.url(), &["self", "uninstall"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no terminal, no --yes: {}",
        stderr(&out)
    );
    assert_eq!(machine.installed(), ["gv", "gv-shim"]);

    let out = machine.gv(&host.url(), &["self", "uninstall", "--yes"]);
    ok(&out, "gv self uninstall --yes");
    let said = stderr(&out);
    assert!(
        said.contains(&format!(
            "removed {}",
            machine.bin_dir().join("gv").display()
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("kept the store {}", store.display())),
        "{said}"
    );
    assert!(said.contains(".bashrc line 2 still sets gv up"), "{said}");
    assert!(
        said.contains(&format!("rm -rf '{}'", store.display())),
        "{said}"
    );
    assert!(machine.installed().is_empty());
    assert!(store.is_dir(), "kept unless asked");

    ok(
        &machine.install("dash", &script, &host.url(), &[]),
        "reinstall",
    );
    let out = machine.gv(&host.url(), &["self", "uninstall", "--purge", "--yes"]);
    ok(&out, "gv self uninstall --purge --yes");
    assert!(
        stderr(&out).contains(&format!("deleted {}", store.display())),
        "{}",
        stderr(&out)
    );
    assert!(!store.exists());
    assert!(machine.installed().is_empty());
}

/// tree-sitter and its PowerShell grammar from the Python package index, installed once
/// into the test tool cache.
fn tree_sitter() -> PathBuf {
    let dir = dirs_cache().join("gv-test-tools/tree-sitter-powershell");
    if !dir.join("tree_sitter_powershell").is_dir() {
        let out = Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg("--target")
            .arg(&dir)
            .args(["tree-sitter==0.26.1", "tree-sitter-powershell==0.26.4"])
            .output()
            .expect("python3 (apt-get install python3-pip)");
        assert!(
            out.status.success(),
            "installing tree-sitter-powershell failed (needs python3 with pip and the Python package index):\n{}",
            stderr(&out)
        );
    }
    dir
}

fn dirs_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache"))
}

/// PowerShell cannot run here (none is available for Linux to this project), so the
/// PowerShell gv ships — install.ps1, the script `gv init powershell` prints, the
/// completions — is parsed with tree-sitter's PowerShell grammar: a syntax error fails
/// here, not on a user's machine. A broken copy is flagged, so the check can fail.
#[test]
fn powershell_scripts_parse() {
    let ts = tree_sitter();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sb = crate::support::Sandbox::new();
    let init = sb
        .gv(sb.path())
        .args(["init", "powershell"])
        .output()
        .expect("gv init powershell");
    ok(&init, "gv init powershell");
    let init_file = sb.path().join("init.ps1");
    std::fs::write(&init_file, &init.stdout).expect("write");
    let broken = sb.path().join("broken.ps1");
    let installer = std::fs::read_to_string(root.join("install.ps1")).expect("install.ps1");
    std::fs::write(&broken, installer.replacen("} finally {", "} finally ", 1)).expect("write");
    let check = r#"
import sys
import tree_sitter_powershell
from tree_sitter import Language, Parser
parser = Parser(Language(tree_sitter_powershell.language()))
for path in sys.argv[1:]:
    tree = parser.parse(open(path, "rb").read())
    bad = []
    def walk(node):
        if node.type == "ERROR" or node.is_missing:
            bad.append("%d:%d" % (node.start_point[0] + 1, node.start_point[1] + 1))
        for child in node.children:
            walk(child)
    walk(tree.root_node)
    print(path, "errors at " + ", ".join(bad) if bad else "ok")
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(check)
        .arg(root.join("install.ps1"))
        .arg(&init_file)
        .arg(root.join("completions/gv.ps1"))
        .arg(&broken)
        .env("PYTHONPATH", &ts)
        .output()
        .expect("python3");
    ok(&out, "the tree-sitter check");
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    for line in &lines[..3] {
        assert!(line.ends_with(" ok"), "{line}");
    }
    assert!(
        lines[3].contains("errors at"),
        "the broken copy passed: {}",
        lines[3]
    );
}
