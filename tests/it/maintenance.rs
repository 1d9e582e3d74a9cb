//! Black-box tests for everyday maintenance: `gv doctor`, `gv prune`, `gv cache clean` and
//! `gv tools`. Fast hermetic tests use fake SDKs and fake `go` scripts; whatever touches Go
//! (GOTOOLCHAIN from `go env -w`, build info, `go install` from a local GOPROXY) uses real
//! SDKs.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use support::{GO_A, Sandbox, shim_binary, stdout};

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(out)))
}

/// A fake `go` script in `dir`.
fn fake_go(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let go = dir.join("go");
    std::fs::write(&go, "#!/bin/sh\necho go version go0.0.0 linux/amd64\n").unwrap();
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// doctor checks the dlv `gv debug` would run (GOBIN first, then PATH). The machine's own
/// (Debian's delve 1.20, which CI installs) cannot debug Go 1.22 and is not what these
/// tests are about: a `dlv` in the shared GOBIN that is not delve comes first.
fn shadow_system_dlv(sb: &Sandbox) {
    let gobin = sb.path().join("home/go/bin");
    fake_go(&gobin);
    std::fs::rename(gobin.join("go"), gobin.join("dlv")).unwrap();
}

/// A sandbox with a fake 1.22.10 as the global default and fresh shims.
fn healthy() -> Sandbox {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    std::fs::write(sb.root().join("version"), "1.22.10\n").unwrap();
    shadow_system_dlv(&sb);
    sb.rehash();
    sb
}

/// `gv doctor --json` with the shims first on PATH (plus `extra` before them).
fn doctor(sb: &Sandbox, cwd: &Path, before_shims: &[&Path]) -> assert_cmd::Command {
    let mut path: Vec<PathBuf> = before_shims.iter().map(|p| p.to_path_buf()).collect();
    path.push(sb.root().join("shims"));
    path.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
    let mut cmd = sb.gv(cwd);
    cmd.args(["doctor", "--json"])
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("GV_SHIM_BINARY", shim_binary());
    cmd
}

/// The check named `name`, which must be the only one of that name with that status.
fn check<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name && c["status"] == "problem")
        .or_else(|| {
            report["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == name)
        })
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"))
}

/// A distribution's old dlv (Debian's delve 1.20, which CI installs) cannot debug Go 1.22,
/// but `go` still runs the right Go: doctor warns with the fix and exits 0, so someone who
/// never debugs is not told their setup is broken.
#[test]
fn doctor_warns_about_an_old_system_dlv_and_still_exits_0() {
    let dlv = Path::new("/usr/bin/dlv");
    assert!(
        dlv.is_file(),
        "this test needs the distribution's delve 1.20 at /usr/bin/dlv: apt-get install delve"
    );
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    std::fs::write(sb.root().join("version"), "1.22.10\n").unwrap();
    sb.rehash();
    let dir = sb.work("p");
    let out = doctor(&sb, &dir, &[]).output().unwrap();
    let report = json(&out);
    let check = check(&report, "dlv");
    assert_eq!(check["status"], "warning", "{report:#}");
    assert!(
        check["message"]
            .as_str()
            .unwrap()
            .contains("/usr/bin/dlv: delve v1.20.2 is too old for Go 1.22.10"),
        "{check}"
    );
    assert!(
        check["fix"]
            .as_str()
            .unwrap()
            .starts_with("gv tools install dlv"),
        "{check}"
    );
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["ok"], true, "{report:#}");

    // The text form: a `warn` line with the fix, and a verdict that is not "problem(s)".
    let out = sb
        .gv(&dir)
        .arg("doctor")
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", sb.root().join("shims").display()),
        )
        .env("GV_SHIM_BINARY", shim_binary())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("warn dlv: /usr/bin/dlv: ")
                && l.contains("-> fix: gv tools install dlv")),
        "{text}"
    );
    assert!(
        text.ends_with("go runs what gv selected; 1 warning(s)\n"),
        "{text}"
    );
}

#[test]
fn doctor_is_quiet_and_exits_0_when_all_is_well() {
    let sb = healthy();
    let dir = sb.work("p");
    let out = doctor(&sb, &dir, &[]).output().unwrap();
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["ok"], true);
    for name in [
        "config",
        "selected",
        "path",
        "goroot",
        "go-env",
        "gotoolchain",
        "shims",
        "store",
    ] {
        assert_eq!(check(&report, name)["status"], "ok", "{name}: {report:#}");
    }
    // The text form: one line per check, and the verdict.
    let out = sb
        .gv(&dir)
        .arg("doctor")
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", sb.root().join("shims").display()),
        )
        .env("GV_SHIM_BINARY", shim_binary())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("ok  path: `go` resolves to gv")),
        "{text}"
    );
    assert!(text.ends_with("all is well\n"), "{text}");
    let hook = check(&report, "hook");
    assert!(
        hook["message"].as_str().unwrap().contains("not active"),
        "{hook}"
    );
    let active = json(
        &doctor(&sb, &dir, &[])
            .env("__GV_VARS", " GOROOT GOBIN")
            .output()
            .unwrap(),
    );
    assert!(
        check(&active, "hook")["message"]
            .as_str()
            .unwrap()
            .contains("active (applied: GOROOT GOBIN)"),
        "{active:#}"
    );
}

/// A stamp directory left by another user (a root shell that kept the user's
/// XDG_RUNTIME_DIR or cache) turns the hook's edit detection off; doctor names it.
#[test]
fn doctor_names_a_stamp_directory_someone_else_owns() {
    use std::os::unix::fs::MetadataExt;
    let sb = healthy();
    let dir = sb.work("p");
    let stamps = sb.path().join("cache/gv/hook");
    std::fs::create_dir_all(&stamps).unwrap();
    let report = json(&doctor(&sb, &dir, &[]).output().unwrap());
    assert_eq!(check(&report, "hook")["status"], "ok", "{report:#}");

    // As root (CI), hand the directory to another user; as anyone else, take away the
    // write permission: either way the hook cannot write there.
    let expected = if std::fs::metadata(&stamps).unwrap().uid() == 0 {
        let chown = std::process::Command::new("chown")
            .args(["65534"])
            .arg(&stamps)
            .status()
            .expect("run chown");
        assert!(chown.success());
        "belongs to uid 65534"
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stamps, std::fs::Permissions::from_mode(0o500)).unwrap();
        "is not writable"
    };
    let out = doctor(&sb, &dir, &[]).output().unwrap();
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    let hook = check(&report, "hook");
    assert_eq!(hook["status"], "problem", "{report:#}");
    let message = hook["message"].as_str().unwrap();
    assert!(message.contains(&stamps.display().to_string()), "{message}");
    assert!(message.contains(expected), "{message}");
}

#[test]
fn doctor_names_the_go_that_shadows_gv_and_a_stale_goroot() {
    let sb = healthy();
    let dir = sb.work("p");
    // goenv's shims first.
    let goenv = sb.path().join("home/.goenv/shims");
    fake_go(&goenv);
    let out = doctor(&sb, &dir, &[&goenv]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let path = check(&json(&out), "path").clone();
    assert_eq!(path["status"], "problem");
    assert!(
        path["message"].as_str().unwrap().contains("goenv's shims"),
        "{path}"
    );
    assert!(
        path["fix"].as_str().unwrap().contains(".goenv/shims"),
        "{path}"
    );

    // An old rc file's `export GOROOT=/opt/go; PATH=$GOROOT/bin:$PATH`.
    let old = sb.work("opt/go");
    fake_go(&old.join("bin"));
    std::fs::create_dir_all(old.join("src")).unwrap();
    std::fs::write(old.join("VERSION"), "go1.19\n").unwrap();
    let out = doctor(&sb, &dir, &[&old.join("bin")])
        .env("GOROOT", &old)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert!(
        check(&report, "path")["message"]
            .as_str()
            .unwrap()
            .contains("$GOROOT/bin"),
        "{report:#}"
    );
    let goroot = check(&report, "goroot");
    assert_eq!(goroot["status"], "problem");
    assert!(
        goroot["message"].as_str().unwrap().contains("1.22.10"),
        "{goroot}"
    );

    // A system go, and no shims on PATH at all.
    let system = sb.work("usr/bin");
    fake_go(&system);
    let out = sb
        .gv(&dir)
        .args(["doctor", "--json"])
        .env("PATH", format!("{}:/usr/bin:/bin", system.display()))
        .env("GV_SHIM_BINARY", shim_binary())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let path = check(&json(&out), "path").clone();
    assert!(
        path["message"].as_str().unwrap().contains("not on PATH"),
        "{path}"
    );
    assert!(
        path["message"].as_str().unwrap().contains("a system go"),
        "{path}"
    );
    assert!(path["fix"].as_str().unwrap().contains("gv init"), "{path}");
}

#[test]
fn doctor_flags_a_missing_version_stale_shims_a_bad_config_and_a_bad_store() {
    let sb = healthy();
    let dir = sb.work("p");
    sb.write("p/.go-version", "1.21.0\n");
    let out = doctor(&sb, &dir, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let selected = check(&json(&out), "selected").clone();
    assert!(
        selected["message"]
            .as_str()
            .unwrap()
            .contains("not installed"),
        "{selected}"
    );
    assert_eq!(selected["fix"], "run `gv install 1.21.0`");
    std::fs::remove_file(dir.join(".go-version")).unwrap();

    // A program in an SDK's bin/ that is not one of Go's commands (put there by hand: an
    // install sets such files aside) gets no shim, and doctor names it; a shim that is
    // not the current gv-shim.
    let tool = sb.root().join("versions/1.22.10/bin/newtool");
    std::fs::write(&tool, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    sb.rehash();
    let report = json(&doctor(&sb, &dir, &[]).output().unwrap());
    assert_eq!(check(&report, "shims")["status"], "ok");
    let commands = check(&report, "sdk commands");
    assert!(
        commands["message"]
            .as_str()
            .unwrap()
            .contains("commands that are not Go's in an SDK's bin/, which goes first on PATH where that version is selected: Go 1.22.10: newtool"),
        "{commands}"
    );
    std::fs::remove_file(&tool).unwrap();
    let gofmt = sb.root().join("shims/gofmt");
    std::fs::remove_file(&gofmt).unwrap();
    std::fs::write(&gofmt, "#!/bin/sh\necho old shim\n").unwrap();
    let report = json(&doctor(&sb, &dir, &[]).output().unwrap());
    let shims = check(&report, "shims");
    assert!(
        shims["message"].as_str().unwrap().contains("stale shims"),
        "{shims}"
    );
    assert!(
        shims["message"].as_str().unwrap().ends_with(": gofmt"),
        "{shims}"
    );
    sb.rehash();
    doctor(&sb, &dir, &[]).assert().success();

    // Invalid TOML in the user config.
    let config = sb.user_config("[env\n");
    let out = doctor(&sb, &dir, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let bad = check(&json(&out), "config").clone();
    assert!(
        bad["message"].as_str().unwrap().contains("invalid TOML"),
        "{bad}"
    );
    // An unknown key is a problem too (a typo silently does nothing).
    std::fs::write(&config, "gotoolchian = \"local\"\n").unwrap();
    let bad = check(&json(&doctor(&sb, &dir, &[]).output().unwrap()), "config").clone();
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .contains("unknown key `gotoolchian`"),
        "{bad}"
    );
    std::fs::remove_file(&config).unwrap();

    // A store gv cannot write: as root, permissions never stop us, so use a file.
    let file_root = sb.path().join("not-a-dir");
    std::fs::write(&file_root, "").unwrap();
    let out = doctor(&sb, &dir, &[])
        .env("GV_ROOT", &file_root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let store = check(&json(&out), "store").clone();
    assert_eq!(store["status"], "problem", "{store}");
}

#[cfg(feature = "real-tests")]
#[test]
fn doctor_flags_go_env_w_gotoolchain_with_a_real_sdk() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    std::fs::write(sb.root().join("version"), format!("{GO_A}\n")).unwrap();
    sb.rehash();
    shadow_system_dlv(&sb);
    let dir = sb.work("p");
    // The real go writes its env file under the sandbox's XDG_CONFIG_HOME.
    sb.shim("go", &dir)
        .args(["env", "-w", "GOTOOLCHAIN=go1.99.0+auto"])
        .assert()
        .success();
    let env_file = sb.path().join("config/go/env");
    assert!(
        std::fs::read_to_string(&env_file)
            .unwrap()
            .contains("GOTOOLCHAIN=go1.99.0+auto")
    );
    let out = doctor(&sb, &dir, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let go_env = check(&report, "go-env");
    assert_eq!(go_env["status"], "problem", "{report:#}");
    let message = go_env["message"].as_str().unwrap();
    assert!(message.contains("GOTOOLCHAIN=go1.99.0+auto"), "{message}");
    assert!(
        message.contains(&env_file.display().to_string()),
        "{message}"
    );
    assert!(
        message.contains("neutralised for go run through gv"),
        "{message}"
    );
    assert_eq!(
        go_env["fix"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>(),
        ["go", "env", "-u"]
    );
    // The SDK's own go.env ships `auto`: reported, and overridden by gv's local policy.
    let go_env_sdk = check(&report, "go.env");
    assert_eq!(go_env_sdk["status"], "ok");
    assert!(
        go_env_sdk["message"]
            .as_str()
            .unwrap()
            .contains("ships GOTOOLCHAIN=auto (overridden by gv's local policy)"),
        "{go_env_sdk}"
    );
    assert_eq!(check(&report, "gotoolchain")["status"], "ok");

    // With `gotoolchain = "inherit"` gv no longer neutralises it.
    let config = sb.user_config("gotoolchain = \"inherit\"\n");
    let report = json(&doctor(&sb, &dir, &[]).output().unwrap());
    assert!(
        check(&report, "go-env")["message"]
            .as_str()
            .unwrap()
            .contains("NOT neutralised"),
        "{report:#}"
    );
    // And the user's own GOTOOLCHAIN=auto beats gv's local policy: flagged.
    std::fs::remove_file(&config).unwrap();
    let report = json(
        &doctor(&sb, &dir, &[])
            .env("GOTOOLCHAIN", "auto")
            .output()
            .unwrap(),
    );
    let policy = check(&report, "gotoolchain");
    assert_eq!(policy["status"], "problem", "{report:#}");
    assert!(
        policy["message"]
            .as_str()
            .unwrap()
            .contains("wins over gv's `local` policy")
    );

    // `go env -u` (the fix) makes doctor happy again.
    sb.shim("go", &dir)
        .args(["env", "-u", "GOTOOLCHAIN"])
        .assert()
        .success();
    doctor(&sb, &dir, &[]).assert().success();
}

/// Fake SDKs, a global default and three projects with different pins.
fn prune_fixture() -> (Sandbox, PathBuf, PathBuf, PathBuf) {
    let sb = Sandbox::new();
    for v in ["1.21.13", "1.22.3", "1.22.10", "1.23.9", "1.24.0"] {
        let goroot = sb.fake_install(v);
        std::fs::write(goroot.join("payload"), vec![7u8; 256 * 1024]).unwrap();
    }
    std::fs::write(sb.root().join("version"), "1.24\n").unwrap();
    let p1 = sb.work("proj1");
    sb.write("proj1/.go-version", "1.23.9\n");
    let p2 = sb.work("proj2");
    sb.write(
        "proj2/go.mod",
        "module example.com/p2\n\ngo 1.22\n\ntoolchain go1.22.3\n",
    );
    // Beside the go.mod, which the global default 1.24 would satisfy by itself.
    sb.write("proj2/.go-version", "1.22.3\n");
    let p3 = sb.work("proj3");
    sb.write("proj3/.tool-versions", "golang 1.20.1\n");
    (sb, p1, p2, p3)
}

fn installed(sb: &Sandbox) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(sb.root().join("versions"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn prune_keeps_what_the_global_keep_specs_and_named_projects_select() {
    let (sb, p1, p2, p3) = prune_fixture();
    let work = sb.work("");
    let all = installed(&sb);
    let out = sb
        .gv(&work)
        .args(["prune", "--dry-run", "--keep", "1.21"])
        .arg("proj1")
        .arg(p2.join("go.mod"))
        .arg(&p3)
        // This shell's GV_VERSION must not keep anything: it is not a project's pin.
        .env("GV_VERSION", "1.22.10")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", support::stderr(&out));
    assert!(text.contains("keep    1.21.13    --keep 1.21"), "{text}");
    assert!(
        text.contains(&format!("keep    1.22.3     selected in {}", p2.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("keep    1.23.9     selected in {}", p1.display())),
        "{text}"
    );
    assert!(text.contains("keep    1.24.0     global default"), "{text}");
    assert!(
        text.contains("asks for Go 1.20.1, which is not installed"),
        "{text}"
    );
    assert!(text.contains("would remove 1.22.10    2"), "{text}");
    assert!(text.contains("would free 2"), "{text}");
    assert_eq!(installed(&sb), all, "a dry run removes nothing");

    // No --yes and no terminal: refuse, remove nothing.
    sb.gv(&work)
        .args(["prune", "proj1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("pass --yes"));
    assert_eq!(installed(&sb), all);

    // A project that does not exist is an error before anything is removed.
    sb.gv(&work)
        .args(["prune", "--yes", "proj1", "nope"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("nope does not exist"));
    assert_eq!(installed(&sb), all);

    let out = sb
        .gv(&work)
        .args(["prune", "--yes", "proj1", "proj2"])
        .env("GV_SHIM_BINARY", shim_binary())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", support::stderr(&out));
    assert!(text.contains("remove  1.21.13"), "{text}");
    assert!(text.contains("removed 2 version(s), freed "), "{text}");
    assert_eq!(installed(&sb), ["1.22.3", "1.23.9", "1.24.0"]);
    // after_store_change ran: the current link follows the global default, shims are fresh.
    assert_eq!(
        std::fs::read_link(sb.root().join("current")).unwrap(),
        Path::new("versions/1.24.0")
    );
    assert!(sb.root().join("shims/go").is_file());
    sb.gv(&work)
        .args(["prune", "--yes", "proj1", "proj2"])
        .assert()
        .success()
        .stdout(predicates::str::contains("nothing to remove"));
}

#[test]
fn cache_clean_empties_downloads_and_index_and_prints_the_space_freed() {
    let sb = Sandbox::new();
    let dir = sb.work("");
    let cache = sb.path().join("cache/gv");
    let archive = cache.join("downloads/go1.22.10.linux-amd64.tar.gz");
    std::fs::create_dir_all(archive.parent().unwrap()).unwrap();
    std::fs::write(&archive, vec![1u8; 300 * 1024]).unwrap();
    std::fs::write(
        cache.join("downloads/go1.22.10.linux-amd64.tar.gz.sha256"),
        "x",
    )
    .unwrap();
    std::fs::create_dir_all(cache.join("index")).unwrap();
    std::fs::write(cache.join("index/0123.json"), "[]").unwrap();
    // Something else in the cache dir is not gv's to delete.
    std::fs::write(cache.join("keep-me"), "").unwrap();

    sb.gv(&dir)
        .args(["cache", "clean", "--dry-run"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("would free 3"));
    assert!(archive.is_file());
    sb.gv(&dir)
        .args(["cache", "clean"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("freed 3"));
    assert_eq!(
        std::fs::read_dir(cache.join("downloads")).unwrap().count(),
        0
    );
    assert_eq!(std::fs::read_dir(cache.join("index")).unwrap().count(), 0);
    assert!(cache.join("keep-me").exists());
    sb.gv(&dir)
        .args(["cache", "clean"])
        .assert()
        .success()
        .stdout(predicates::str::starts_with("freed 0 B"));

    // GV_CACHE_DIR moves the cache.
    let other = sb.path().join("other-cache");
    std::fs::create_dir_all(other.join("downloads")).unwrap();
    std::fs::write(other.join("downloads/x.tar.gz"), vec![0u8; 8192]).unwrap();
    sb.gv(&dir)
        .args(["cache", "clean"])
        .env("GV_CACHE_DIR", &other)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            other.join("downloads").display().to_string(),
        ));
    assert!(!other.join("downloads/x.tar.gz").exists());
}

use crate::gofixtures;

/// The environment real go commands in the tools tests get on top of the sandbox's: the
/// shared build cache, a module cache the sandbox can delete, and no network.
fn go_vars(sb: &Sandbox, proxy: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    vec![
        ("GOCACHE", gofixtures::scratch().join("gocache").into()),
        ("GOMODCACHE", sb.path().join("modcache").into()),
        ("GOFLAGS", "-mod=mod -modcacherw".into()),
        ("GOPROXY", format!("file://{}", proxy.display()).into()),
        ("GOSUMDB", "off".into()),
        ("GOTELEMETRY", "off".into()),
    ]
}

/// A module proxy directory (GOPROXY protocol over file://) serving
/// `example.com/greet@v1.0.0`, a one-file command.
fn local_proxy(sb: &Sandbox) -> PathBuf {
    let proxy = sb.path().join("proxy");
    let at = proxy.join("example.com/greet/@v");
    std::fs::create_dir_all(&at).unwrap();
    let go_mod = "module example.com/greet\n\ngo 1.22\n";
    std::fs::write(at.join("list"), "v1.0.0\n").unwrap();
    std::fs::write(
        at.join("v1.0.0.info"),
        r#"{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    std::fs::write(at.join("v1.0.0.mod"), go_mod).unwrap();
    // Module zips hold MODULE@VERSION/ as their top directory.
    let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("example.com/greet@v1.0.0/go.mod", sys.argv[2])
    z.writestr("example.com/greet@v1.0.0/main.go", 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello from greet") }\n')
"#;
    let status = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(at.join("v1.0.0.zip"))
        .arg(go_mod)
        .status()
        .expect("python3 (needed to build the module zip; provisioning needs it too)");
    assert!(status.success());
    proxy
}

#[cfg(feature = "real-tests")]
#[test]
fn tools_share_one_gobin_list_build_info_and_reinstall_with_another_version() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    sb.real_install(support::GO_B);
    std::fs::write(sb.root().join("version"), format!("{GO_A}\n")).unwrap();
    sb.rehash();
    let proxy = local_proxy(&sb);
    let dir = sb.work("p");
    let gobin = sb.path().join("home/go/bin");

    // A tool from a local module, and one from the proxy, both through the go shim: the
    // shim gives go the shared GOBIN (~/go/bin).
    let local = gofixtures::module("hello", "package main\n\nfunc main() {}\n");
    sb.shim("go", &local)
        .arg("install")
        .arg(".")
        .envs(go_vars(&sb, &proxy))
        .assert()
        .success();
    sb.shim("go", &dir)
        .args(["install", "example.com/greet@v1.0.0"])
        .envs(go_vars(&sb, &proxy))
        .assert()
        .success();
    assert!(gobin.join("hello").is_file() && gobin.join("greet").is_file());
    std::fs::write(gobin.join("script.sh"), "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(
        gobin.join("script.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();

    let out = sb
        .gv(&dir)
        .args(["tools", "--json", "--offline"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    let report = json(&out);
    assert_eq!(report["gobin"], gobin.display().to_string());
    let tools = report["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["greet", "hello", "script.sh"]);
    assert_eq!(tools[0]["go_version"], format!("go{GO_A}"));
    assert_eq!(tools[0]["module"], "example.com/greet");
    assert_eq!(tools[0]["module_version"], "v1.0.0");
    assert_eq!(tools[0]["install"], "example.com/greet@v1.0.0");
    assert_eq!(tools[1]["package"], "example.com/hello");
    assert_eq!(tools[1]["module_version"], "(devel)");
    assert!(
        tools[2]["error"]
            .as_str()
            .unwrap()
            .starts_with("not a Go binary"),
        "{report:#}"
    );
    let table = stdout(&sb.gv(&dir).args(["tools", "--offline"]).output().unwrap());
    assert!(
        table.contains(&format!(
            "greet      {:<10}  example.com/greet@v1.0.0  (example.com/greet)",
            format!("go{GO_A}")
        )),
        "{table}"
    );

    // Rebuild with Go B: same GOBIN, new build info.
    let out = sb
        .gv(&dir)
        .args(["tools", "reinstall", "greet", "--version", support::GO_B])
        .envs(go_vars(&sb, &proxy))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", support::stderr(&out));
    assert!(
        stdout(&out).contains(&format!(
            "rebuilt greet (example.com/greet@v1.0.0): go{GO_A} -> go{}",
            support::GO_B
        )),
        "{}",
        stdout(&out)
    );
    let report = json(
        &sb.gv(&dir)
            .args(["tools", "--json", "--offline"])
            .output()
            .unwrap(),
    );
    assert_eq!(report["tools"][0]["go_version"], "go1.23.9");
    let run = std::process::Command::new(gobin.join("greet"))
        .output()
        .unwrap();
    assert_eq!(stdout(&run), "hello from greet\n");

    // A tool built from a checkout cannot be rebuilt from a module path: said, exit 1.
    sb.gv(&dir)
        .args(["tools", "reinstall", "hello"])
        .envs(go_vars(&sb, &proxy))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("(devel)"));
    sb.gv(&dir)
        .args(["tools", "reinstall", "nope"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no tool `nope`"));
}

#[cfg(feature = "real-tests")]
#[test]
fn gv_init_puts_the_shared_gobin_on_path_once() {
    let sb = Sandbox::new();
    let gv = assert_cmd::cargo::cargo_bin("gv");
    let shims = sb.root().join("shims");
    let gobin = sb.path().join("home/go/bin");
    for (shell, code) in [
        (
            "bash",
            r#"eval "$("$GV" init bash)"; eval "$("$GV" init bash)"; printf %s "$PATH""#,
        ),
        (
            "zsh",
            r#"eval "$("$GV" init zsh)"; eval "$("$GV" init zsh)"; printf %s "$PATH""#,
        ),
        (
            "fish",
            r#""$GV" init fish | source; "$GV" init fish | source; string join : $PATH"#,
        ),
    ] {
        let out = std::process::Command::new(shell)
            .args(["-c", code])
            .env_clear()
            .envs(sb.env())
            .env("GV", &gv)
            .current_dir(sb.path())
            .output()
            .unwrap_or_else(|e| {
                panic!("{shell}: {e} (install it: scripts/provision-test-tools does)")
            });
        assert!(out.status.success(), "{shell}: {}", support::stderr(&out));
        assert_eq!(
            stdout(&out).trim_end(),
            format!(
                "{}:{}:/usr/local/bin:/usr/bin:/bin",
                shims.display(),
                gobin.display()
            ),
            "{shell}"
        );
    }
    // A configured gobin is the one on PATH.
    sb.user_config("gobin = \"~/tools\"\n");
    let out = sb.gv(sb.path()).args(["init", "bash"]).output().unwrap();
    assert!(stdout(&out).contains(&format!("'{}'", sb.path().join("home/tools").display())));
}
