//! A hostile repository, tried as an attacker would. One fixture per hole of the trust
//! issue: each plants a payload that would leave a marker file if it ran, runs in real
//! bash, zsh and fish with gv's shell integration loaded, and asserts that no marker
//! appears while the legitimate part still works (the pinned version is selected; once
//! trusted, `[env]` applies; after an edit, it stops applying until trusted again).
//! Where a payload is live only once trusted, the test shows that too, so that the
//! fixture cannot pass by being broken.

use crate::gofixtures;
use crate::support;

use std::ffi::OsString;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::mirror::{self, Entry, MirrorServer, Served};
use support::{GO_A, GO_B, Sandbox, stderr, stdout};

const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

fn gv_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gv")
}

/// Runs `script` in an interactive `shell` started in `cwd`, after loading gv's shell
/// integration (so the hook applies each directory's environment on `cd`). `@GV@` in
/// the script is the gv binary.
pub(crate) fn in_shell(
    sb: &Sandbox,
    shell: &str,
    cwd: &Path,
    script: &str,
    env: &[(&str, OsString)],
) -> Output {
    let (args, init): (&[&str], String) = match shell {
        "bash" => (
            &["--norc", "--noprofile", "-i"],
            "eval \"$(@GV@ init bash)\"".into(),
        ),
        "zsh" => (&["-f", "-i"], "eval \"$(@GV@ init zsh)\"".into()),
        "fish" => (&["--no-config", "-i"], "@GV@ init fish | source".into()),
        other => panic!("no shell {other}"),
    };
    // Each shell sees the repository for the first time: notices shown by the previous
    // shell's run are shown again.
    let _ = std::fs::remove_dir_all(sb.root().join(".hints/notices"));
    let mut child = Command::new(shell)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(sb.env())
        .env("TERM", "dumb")
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {shell} ({e}): install it (scripts/provision-test-tools does)")
        });
    let text = format!("{init}\n{script}\nexit\n").replace("@GV@", &gv_bin().display().to_string());
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A marker file a payload would create, and the check that it did not.
pub(crate) struct Marker(pub(crate) PathBuf);

impl Marker {
    pub(crate) fn new(sb: &Sandbox, name: &str) -> Marker {
        Marker(sb.path().join(format!("MARKER-{name}")))
    }

    /// A shell script that plants the marker and then runs its arguments.
    pub(crate) fn payload(&self, at: &Path) -> PathBuf {
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(
            at,
            format!("#!/bin/sh\ntouch '{}'\nexec \"$@\"\n", self.0.display()),
        )
        .unwrap();
        std::fs::set_permissions(at, std::fs::Permissions::from_mode(0o755)).unwrap();
        at.to_path_buf()
    }

    pub(crate) fn planted(&self) -> bool {
        self.0.exists()
    }

    pub(crate) fn assert_absent(&self, context: &str) {
        assert!(
            !self.planted(),
            "the payload ran ({}): {context}",
            self.0.display()
        );
    }

    pub(crate) fn clear(&self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What the user runs with: a module cache a temporary directory can delete.
pub(crate) fn go_env(sb: &Sandbox) -> Vec<(&'static str, OsString)> {
    vec![
        ("GOFLAGS", "-modcacherw".into()),
        ("GOMODCACHE", sb.path().join("modcache").into()),
        ("GOCACHE", gofixtures::scratch().join("gocache").into()),
        ("GOTELEMETRY", "off".into()),
    ]
}

/// A GOPROXY directory (file://) serving a "Go toolchain" whose `bin/go` plants `marker`:
/// what a repository can ship to have the go command download and run its code.
pub(crate) fn evil_toolchain_proxy(sb: &Sandbox, marker: &Marker) -> PathBuf {
    let proxy = sb.path().join("evil-proxy");
    let version = "v0.0.1-go1.99.0.linux-amd64";
    let at = proxy.join("golang.org/toolchain/@v");
    std::fs::create_dir_all(&at).unwrap();
    std::fs::write(at.join("list"), format!("{version}\n")).unwrap();
    std::fs::write(
        at.join(format!("{version}.info")),
        format!(r#"{{"Version":"{version}","Time":"2024-01-01T00:00:00Z"}}"#),
    )
    .unwrap();
    std::fs::write(
        at.join(format!("{version}.mod")),
        "module golang.org/toolchain\n",
    )
    .unwrap();
    let script = r##"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr(sys.argv[2] + "/bin/go", "#!/bin/sh\ntouch '" + sys.argv[3] + "'\necho pwned\n")
    z.writestr(sys.argv[2] + "/bin/gofmt", "#!/bin/sh\n")
    z.writestr(sys.argv[2] + "/pkg/tool/linux_amd64/compile", "#!/bin/sh\n")
"##;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(at.join(format!("{version}.zip")))
        .arg(format!("golang.org/toolchain@{version}"))
        .arg(&marker.0)
        .status()
        .expect("python3 (needed to build the module zip; provisioning needs it too)");
    assert!(status.success());
    proxy
}

fn go_version_line(v: &str) -> String {
    format!("go version go{v} linux/amd64")
}

// -------------------------------------------------------------------------------------
// 1. Code execution at `go version` and at the first build.
// -------------------------------------------------------------------------------------

#[test]
fn a_repository_cannot_make_go_run_its_code_until_trusted() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    sb.rehash();
    let marker = Marker::new(&sb, "toolchain");
    let proxy = evil_toolchain_proxy(&sb, &marker);
    let p = sb.work("p");
    sb.write("p/.go-version", &format!("{GO_A}\n"));
    sb.write("p/go.mod", "module example.com/p\n\ngo 1.22\n");
    sb.write("p/main.go", "package main\n\nfunc main() {}\n");
    let toolexec = Marker::new(&sb, "toolexec");
    let evil = toolexec.payload(&p.join("x"));
    sb.write(
        "p/gv.toml",
        &format!(
            "gotoolchain = \"auto\"\n[env]\nGOTOOLCHAIN = {{ value = \"go1.99.0\", force = true }}\nGOPROXY = \"file://{}\"\nGOSUMDB = \"off\"\nGOFLAGS = \"-toolexec={}\"\n",
            proxy.display(),
            evil.display()
        ),
    );
    for shell in SHELLS {
        let out = in_shell(
            &sb,
            shell,
            sb.path(),
            "cd work/p\ngo version\ngo build -o app .",
            &go_env(&sb),
        );
        assert!(
            stdout(&out).contains(&go_version_line(GO_A)),
            "{shell}: {out:?}"
        );
        assert!(
            sb.work("p").join("app").is_file(),
            "{shell}: the build itself works: {out:?}"
        );
        marker.assert_absent(shell);
        toolexec.assert_absent(shell);
        // Said once, not at every prompt and go call.
        let notices = stderr(&out)
            .matches("is not trusted, so gv ignores it")
            .count();
        assert!(notices <= 1, "{shell}: {}", stderr(&out));
        std::fs::remove_file(sb.work("p").join("app")).unwrap();
    }
    // `gv trust --show` explains the danger in one line each.
    let show = sb.gv(&p).args(["trust", "--show"]).output().unwrap();
    let text = stdout(&show);
    assert!(
        text.contains(&format!(
            "-toolexec runs {} in place of every compiler",
            evil.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("download and run another Go toolchain"),
        "{text}"
    );
    assert!(text.contains("not trusted"), "{text}");

    // The payload is live: the go command given the repository's settings runs it...
    let out = Command::new(sb.root().join(format!("versions/{GO_A}/bin/go")))
        .arg("version")
        .current_dir(&p)
        .env_clear()
        .envs(sb.env())
        .envs(go_env(&sb))
        .env("GOTOOLCHAIN", "go1.99.0")
        .env("GOPROXY", format!("file://{}", proxy.display()))
        .env("GOSUMDB", "off")
        .output()
        .unwrap();
    assert!(
        marker.planted(),
        "the fixture's toolchain switch works with plain go: {out:?}"
    );
    marker.clear();
    // ...and, trusted, the repository's settings apply — but a GOTOOLCHAIN names a
    // version for gv to run from its own store, never one for go to fetch through a
    // proxy the repository names.
    sb.trust(&p);
    let out = sb
        .shim("go", &p)
        .arg("version")
        .envs(go_env(&sb))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127), "{out:?}");
    assert!(
        stderr(&out).contains(&format!(
            "Go 1.99.0 is not installed (GOTOOLCHAIN=go1.99.0 from [env] in {})",
            p.join("gv.toml").display()
        )),
        "{out:?}"
    );
    marker.assert_absent("trusted");
    // ...and an edit makes the file untrusted again.
    std::fs::OpenOptions::new()
        .append(true)
        .open(p.join("gv.toml"))
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"# edited\n"))
        .unwrap();
    let out = sb
        .shim("go", &p)
        .arg("version")
        .envs(go_env(&sb))
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), go_version_line(GO_A), "{out:?}");
    assert!(
        stderr(&out).contains("changed since you trusted it"),
        "{}",
        stderr(&out)
    );
    marker.assert_absent("after an edit");
}

// -------------------------------------------------------------------------------------
// 2. Shell code from `gv env --shell`.
// -------------------------------------------------------------------------------------

#[test]
fn gv_env_shell_output_is_never_code() {
    let sb = Sandbox::trusting();
    sb.fake_install("1.22.10");
    // The directory name itself tries to start a line of code in the comments.
    let name = "p\ntouch pwned-by-dirname\n";
    let p = sb.work(name);
    std::fs::write(p.join(".go-version"), "1.22.10\n").unwrap();
    std::fs::write(
        p.join("gv.toml"),
        "[env]\n\"GO$(touch pwned-by-key)\" = \"x\"\n\"GOX\\ntouch pwned-by-newline\\n\" = \"y\"\nGODEBUG = \"ok=1;$(touch pwned-by-value)`touch pwned-by-backtick`\"\n",
    )
    .unwrap();
    for shell in SHELLS {
        let script = match shell {
            "fish" => "@GV@ env --shell fish | source\necho \"GODEBUG=$GODEBUG\"",
            _ => "eval \"$(@GV@ env --shell SHELL)\"\necho \"GODEBUG=$GODEBUG\"",
        }
        .replace("SHELL", shell);
        let out = in_shell(&sb, shell, &p, &script, &[]);
        assert!(
            stdout(&out).contains("GODEBUG=ok=1;$(touch pwned-by-value)`touch pwned-by-backtick`"),
            "{shell}: {out:?}"
        );
        let planted: Vec<_> = std::fs::read_dir(&p)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n.to_string_lossy().starts_with("pwned"))
            .collect();
        assert!(planted.is_empty(), "{shell}: {planted:?}\n{}", stderr(&out));
        assert!(
            stderr(&out).contains("not a portable variable name"),
            "{shell}: {}",
            stderr(&out)
        );
    }
}

// -------------------------------------------------------------------------------------
// 3. A build profile's env, under the same rules as [env].
// -------------------------------------------------------------------------------------

#[test]
fn a_profile_cannot_set_what_env_may_not() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    let marker = Marker::new(&sb, "preload");
    // A real LD_PRELOAD library whose constructor plants the marker.
    let lib = sb.path().join("evil.so");
    let src = sb.path().join("evil.c");
    std::fs::write(
        &src,
        format!(
            "#include <stdio.h>\n__attribute__((constructor)) static void pwn(void) {{ FILE *f = fopen(\"{}\", \"w\"); if (f) fclose(f); }}\n",
            marker.0.display()
        ),
    )
    .unwrap();
    let cc = Command::new("gcc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()
        .expect("gcc (apt-get install -y gcc)");
    assert!(cc.success());
    // The fixture is live: the library does run when preloaded.
    Command::new("/bin/true")
        .env("LD_PRELOAD", &lib)
        .status()
        .unwrap();
    assert!(marker.planted(), "LD_PRELOAD fixture works");
    marker.clear();

    let p = sb.work("p");
    sb.write("p/.go-version", &format!("{GO_A}\n"));
    sb.write("p/go.mod", "module example.com/p\n\ngo 1.22\n");
    sb.write("p/main.go", "package main\n\nfunc main() {}\n");
    sb.write(
        "p/gv.toml",
        &format!(
            "[profile.dwarf]\nenv = {{ LD_PRELOAD = {{ value = \"{}\", force = true }}, PATH = {{ value = \"/nowhere\", force = true }}, CGO_ENABLED = \"0\" }}\n",
            lib.display()
        ),
    );
    // Trusted, so the profile applies: what it may set (CGO_ENABLED) does, the rest not.
    sb.trust(&p);
    for shell in SHELLS {
        let out = in_shell(
            &sb,
            shell,
            sb.path(),
            "cd work/p\ngv build -o app .",
            &go_env(&sb),
        );
        assert!(
            out.status.success() && p.join("app").is_file(),
            "{shell}: {out:?}"
        );
        marker.assert_absent(shell);
        let err = stderr(&out);
        assert!(
            err.contains("LD_PRELOAD ignored") || shell != "bash",
            "{shell}: {err}"
        );
        let verify = sb
            .gv(&p)
            .args(["verify", "app", "--json"])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
        assert_eq!(
            json["build_info"]["settings"]["CGO_ENABLED"], "0",
            "{shell}"
        );
        std::fs::remove_file(p.join("app")).unwrap();
    }
}

// -------------------------------------------------------------------------------------
// 4. A repository's GOBIN and nested shells.
// -------------------------------------------------------------------------------------

#[test]
fn a_repositorys_gobin_never_lands_first_on_path() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    let marker = Marker::new(&sb, "gobin");
    let p = sb.work("p");
    let tools = sb.work("p/tools");
    marker.payload(&tools.join("ls"));
    sb.write("p/.go-version", "1.22.10\n");
    sb.write(
        "p/gv.toml",
        &format!("[env]\nGOBIN = \"{}\"\n", tools.display()),
    );
    sb.trust(&p);
    for shell in SHELLS {
        // A shell started inside the project (a tmux pane, `code .`, a plain `bash`) loads
        // gv init again from its rc file.
        let nested =
            format!("{shell} -c 'eval \"$(@GV@ init {shell})\" 2>/dev/null; ls / >/dev/null'");
        let nested = if shell == "fish" {
            "fish -c '@GV@ init fish | source; ls / >/dev/null'".to_string()
        } else {
            nested
        };
        let script = format!(
            "cd work/p\necho \"GOBIN=$GOBIN\"\n{nested}\nls / >/dev/null\ncd ..\nls / >/dev/null"
        );
        let out = in_shell(&sb, shell, sb.path(), &script, &[]);
        assert!(
            stdout(&out).contains(&format!("GOBIN={}", tools.display())),
            "{shell}: the trusted GOBIN applies for go install: {out:?}"
        );
        marker.assert_absent(shell);
    }
    // A relative GOBIN would mean another directory everywhere: refused, even for trust.
    sb.write("p/gv.toml", "[env]\nGOBIN = \"tools\"\n");
    let out = sb.gv(&p).arg("trust").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out).contains("`env.GOBIN` must be an absolute path"),
        "{out:?}"
    );
    let out = sb
        .gv(&p)
        .args(["init", "bash"])
        .env("GOBIN", "tools")
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("'tools'"), "{}", stdout(&out));
    assert!(stderr(&out).contains("relative path"), "{}", stderr(&out));
}

// -------------------------------------------------------------------------------------
// 6. Files another user planted.
// -------------------------------------------------------------------------------------

#[test]
fn files_another_user_planted_are_ignored() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    sb.real_install(GO_B);
    sb.rehash();
    let marker = Marker::new(&sb, "foreign");
    let proxy = evil_toolchain_proxy(&sb, &marker);
    // A shared directory like /tmp: another user's .go-version and gv.toml above the project.
    let shared = sb.work("shared");
    let pin = sb.write("shared/.go-version", &format!("{GO_B}\n"));
    let toml = sb.write(
        "shared/gv.toml",
        &format!(
            "[env]\nGOTOOLCHAIN = {{ value = \"go1.99.0\", force = true }}\nGOPROXY = \"file://{}\"\nGOSUMDB = \"off\"\n",
            proxy.display()
        ),
    );
    let p = sb.work("shared/proj");
    sb.write(
        "shared/proj/go.mod",
        &format!("module example.com/proj\n\ngo 1.22\n\ntoolchain go{GO_A}\n"),
    );
    for file in [&pin, &toml] {
        let chown = Command::new("chown")
            .arg("12345")
            .arg(file)
            .status()
            .unwrap();
        assert!(
            chown.success() && std::fs::metadata(file).unwrap().uid() == 12345,
            "this test plants a file owned by another user, which needs root (CI runs as root)"
        );
    }
    // Even a directory the user trusts wholesale does not make another user's file theirs.
    let trusted = [("GV_TRUSTED_PATHS", OsString::from(shared.as_os_str()))];
    let env: Vec<_> = go_env(&sb).into_iter().chain(trusted).collect();
    for shell in SHELLS {
        let out = in_shell(&sb, shell, &shared, "cd proj\ngo version", &env);
        assert!(
            stdout(&out).contains(&go_version_line(GO_A)),
            "{shell}: go.mod decides: {out:?}"
        );
        marker.assert_absent(shell);
    }
    let out = sb
        .shim("go", &p)
        .arg("version")
        .envs(env.clone())
        .output()
        .unwrap();
    assert_eq!(stdout(&out).trim(), go_version_line(GO_A));
    marker.assert_absent("shim");
    let doctor = sb.gv(&p).args(["doctor"]).envs(env).output().unwrap();
    let text = stdout(&doctor);
    for file in [&pin, &toml] {
        assert!(
            text.contains(&format!(
                "{} is ignored: it belongs to uid 12345",
                file.display()
            )),
            "{text}"
        );
    }
}

// -------------------------------------------------------------------------------------
// 7. Archives that walk out of the SDK through their own links.
// -------------------------------------------------------------------------------------

#[test]
fn archive_links_cannot_walk_out_of_the_sdk() {
    let sb = Sandbox::new();
    let outside = sb.work("outside");
    let secret = outside.join("secret");
    std::fs::write(&secret, "mine").unwrap();
    // go/a/…/j/up -> ../…/.. is `go/` itself, textually inside; through it, enough `..`
    // reach `/` (the store is fewer than ten directories deep). A link through that
    // chain points anywhere, yet each link alone looks inside when judged as text.
    let depth = 10;
    let dirs: Vec<String> = ('a'..='j').map(String::from).collect();
    let chain = dirs.join("/");
    let up = vec![".."; depth].join("/");
    let to_root = format!("{chain}/up/{up}");
    let outside_rel = outside.strip_prefix("/").unwrap().display().to_string();
    let walk_out = tar_with(&[
        Entry::symlink(&format!("go/{chain}/up"), &up),
        Entry::symlink("go/escape", &format!("{to_root}/etc")),
    ]);
    let hard_out = tar_with(&[
        Entry::symlink(&format!("go/{chain}/up"), &up),
        Entry::symlink("go/out", &format!("{to_root}/{outside_rel}")),
        Entry::hardlink("go/stolen", "go/out/secret"),
    ]);
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", walk_out),
        Served::archive("1.22.11", hard_out),
    ]);
    for shell in SHELLS {
        for version in ["1.22.10", "1.22.11"] {
            let script = format!("gv install {version} --mirror {}", server.url());
            let out = in_shell(&sb, shell, sb.path(), &script, &[]);
            let err = stderr(&out);
            assert!(
                err.contains("symbolic link") || err.contains("hard link through a symbolic link"),
                "{shell} {version}: {err}"
            );
            assert!(
                !sb.root().join("versions").join(version).exists(),
                "{shell}: {err}"
            );
        }
        assert_eq!(
            std::fs::metadata(&secret).unwrap().nlink(),
            1,
            "{shell}: no link to a file outside"
        );
        assert_eq!(
            mirror::listing(&sb.root().join("versions")),
            Vec::<String>::new(),
            "{shell}: nothing left in the store"
        );
    }
}

/// A tiny SDK (bin/go, VERSION) with `evil` entries in between.
fn tar_with(evil: &[Entry]) -> Vec<u8> {
    let mut entries = vec![
        Entry::dir("go/"),
        Entry::file("go/bin/go", 0o755, b"#!/bin/sh\necho go\n".to_vec()),
    ];
    entries.extend(evil.iter().map(Entry::clone));
    entries.push(Entry::file("go/VERSION", 0o644, b"go1.22.10\n".to_vec()));
    mirror::tar_gz(&entries)
}

// -------------------------------------------------------------------------------------
// 8. Index fields that would name paths.
// -------------------------------------------------------------------------------------

#[test]
fn index_fields_never_become_paths() {
    let sb = Sandbox::new();
    let elsewhere = sb.work("elsewhere");
    let rel_up = "../".repeat(20);
    let elsewhere_rel = elsewhere.strip_prefix("/").unwrap().display().to_string();
    let sdk = mirror::fake_sdk("1.22.10");
    let sha = mirror::sha256_hex(&sdk);
    let index = serde_json::json!([
        {"version": "go1.22.10", "stable": true, "files": [
            {"filename": format!("/{rel_up}{elsewhere_rel}/x.tar.gz"), "os": "linux", "arch": "amd64",
             "version": "go1.22.10", "sha256": sha, "size": sdk.len(), "kind": "archive"}
        ]},
        {"version": format!("go1.22.66-A/{rel_up}{elsewhere_rel}/y"), "stable": true, "files": [
            {"filename": "go1.22.66-A.linux-amd64.tar.gz", "os": "linux", "arch": "amd64",
             "sha256": sha, "size": sdk.len(), "kind": "archive"}
        ]}
    ]);
    let server = MirrorServer::start(vec![Served::archive("1.22.10", sdk)])
        .with_raw_index(index.to_string());
    for shell in SHELLS {
        for spec in ["1.22.10", "latest"] {
            let script = format!("gv install {spec} --mirror {}", server.url());
            let out = in_shell(&sb, shell, sb.path(), &script, &[]);
            assert!(
                stderr(&out).contains("no Go release matching"),
                "{shell} {spec}: {out:?}"
            );
        }
        assert_eq!(
            mirror::listing(&elsewhere),
            Vec::<String>::new(),
            "{shell}: nothing written outside"
        );
        assert!(!sb.root().join("versions/1.22.10").exists());
    }
}

// -------------------------------------------------------------------------------------
// 9. Nothing unverified becomes verified.
// -------------------------------------------------------------------------------------

#[test]
fn an_unverified_install_is_never_reported_verified() {
    let sb = Sandbox::new();
    let server = MirrorServer::start(vec![Served::archive(
        "1.22.10",
        mirror::fake_sdk("1.22.10"),
    )])
    .without_index()
    .without_sidecars();
    let no_index = [(
        "GV_GO_INDEX",
        OsString::from(format!("{}nope", server.url())),
    )];
    for shell in SHELLS {
        let url = server.url();
        let script = format!(
            "gv install 1.22.10 --mirror {url} --insecure-skip-checksum\ngv install 1.22.10 --force --mirror {url}"
        );
        let out = in_shell(&sb, shell, sb.path(), &script, &no_index);
        let err = stderr(&out);
        assert!(
            err.contains("WITHOUT verifying its checksum"),
            "{shell}: {err}"
        );
        assert!(
            err.contains("no sha256 is known for go1.22.10.linux-amd64.tar.gz"),
            "{shell}: {err}"
        );
        assert!(!err.contains("verified against"), "{shell}: {err}");
        let cached = sb
            .path()
            .join("cache/gv/downloads/go1.22.10.linux-amd64.tar.gz");
        assert!(
            !cached.exists(),
            "{shell}: an unverified archive is never cached"
        );
        let _ = std::fs::remove_dir_all(sb.root().join("versions/1.22.10"));
    }
    // A local archive nothing vouches for needs the flag too.
    let archive = sb.path().join("go1.22.10.linux-amd64.tar.gz");
    std::fs::write(&archive, mirror::fake_sdk("1.22.10")).unwrap();
    let out = sb
        .gv(sb.path())
        .args(["install", "--from-file"])
        .arg(&archive)
        .env("GV_GO_INDEX", format!("{}nope", server.url()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("--insecure-skip-checksum"),
        "{}",
        stderr(&out)
    );
    assert!(!sb.root().join("versions/1.22.10").exists());
}

// -------------------------------------------------------------------------------------
// 10. The smaller ones.
// -------------------------------------------------------------------------------------

/// OSC 52 writes the clipboard; CSI 2J clears the screen. Shown, never obeyed.
#[test]
fn terminal_escapes_from_files_are_shown_not_obeyed() {
    let sb = Sandbox::trusting();
    sb.fake_install("1.22.10");
    sb.rehash();
    let p = sb.work("p\x1b[2J");
    std::fs::write(p.join(".go-version"), "\x1b]52;c;cHduZWQ=\x07\n1.22.10\n").unwrap();
    // TOML spells control characters in keys as \u escapes; parsed, they are raw.
    std::fs::write(
        p.join("gv.toml"),
        r#""col\u001b]52;c;eA==\u0007our" = 1
[env]
"GO\u001b[31m" = "x"
"#,
    )
    .unwrap();
    for shell in SHELLS {
        let out = in_shell(
            &sb,
            shell,
            sb.path(),
            "cd work/p*\ngo version\ngv current",
            &[],
        );
        assert!(
            stdout(&out).contains("go version go1.22.10"),
            "{shell}: {out:?}"
        );
        assert!(
            !out.stdout.contains(&0x1b),
            "{shell}: raw ESC on stdout: {:?}",
            stdout(&out)
        );
        assert!(
            !out.stderr.contains(&0x1b),
            "{shell}: raw ESC on stderr: {:?}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("\\u{1b}"),
            "{shell}: {}",
            stderr(&out)
        );
    }
    let out = sb.shim("go", &p).arg("version").output().unwrap();
    assert!(!out.stderr.contains(&0x1b), "{:?}", stderr(&out));
}

/// A 200 KB value would make every program started in that directory fail with
/// "Argument list too long": refused, naming file and key, and the shell keeps working.
#[test]
fn a_huge_value_is_refused_and_breaks_nothing() {
    let sb = Sandbox::trusting();
    sb.fake_install("1.22.10");
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    let toml = sb.write(
        "p/gv.toml",
        &format!("[env]\nGODEBUG = \"{}\"\n", "x".repeat(200_000)),
    );
    for shell in SHELLS {
        let out = in_shell(
            &sb,
            shell,
            sb.path(),
            "cd work/p\n/bin/echo still-works",
            &[],
        );
        assert!(stdout(&out).contains("still-works"), "{shell}: {out:?}");
        assert!(
            stderr(&out).contains("`env.GODEBUG` is 200000 bytes long"),
            "{shell}: {}",
            stderr(&out)
        );
    }
    let out = sb.shim("go", &p).arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&toml.display().to_string()),
        "{}",
        stderr(&out)
    );
    // A gv.toml over 1 MiB is not read at all: untrusted, it is simply ignored; trusted,
    // it is an error naming the file.
    std::fs::write(&toml, "#".repeat(2 << 20)).unwrap();
    let out = sb.shim("go", &p).arg("version").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("gv reads config files of at most 1048576 bytes"),
        "{}",
        stderr(&out)
    );
    let untrusted = Sandbox::new();
    untrusted.fake_install("1.22.10");
    untrusted.rehash();
    let q = untrusted.work("q");
    untrusted.write("q/.go-version", "1.22.10\n");
    std::fs::write(q.join("gv.toml"), "#".repeat(2 << 20)).unwrap();
    let out = untrusted.shim("go", &q).arg("version").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        stderr(&out).contains("larger than 1048576 bytes"),
        "{}",
        stderr(&out)
    );
}

/// The hook's stamp files: never through a planted symlink, never in a directory others
/// can write; `gv doctor` says why edits in place then wait for the next cd.
#[test]
fn stamp_files_are_never_followed_or_shared() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    let victim = sb.path().join("victim");
    std::fs::write(&victim, "keep").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .append(true)
        .open(&victim)
        .unwrap()
        .set_modified(old)
        .unwrap();

    // A private runtime directory where someone planted this shell's stamp as a link.
    let runtime = sb.path().join("run");
    std::fs::create_dir_all(runtime.join("gv")).unwrap();
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(runtime.join("gv"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let env = [("XDG_RUNTIME_DIR", OsString::from(runtime.as_os_str()))];
    for shell in SHELLS {
        // The link is made as the shell's own stamp ($$ / $fish_pid) before the hook runs.
        let pid = if shell == "fish" { "$fish_pid" } else { "$$" };
        let script = format!(
            "ln -sf '{}' '{}'/gv/{pid}\ncd work/p\ncd ..",
            victim.display(),
            runtime.display()
        );
        let out = in_shell(&sb, shell, sb.path(), &script, &env);
        assert!(
            out.status.success() || !stderr(&out).contains("panicked"),
            "{shell}: {out:?}"
        );
        let mtime = std::fs::metadata(&victim).unwrap().modified().unwrap();
        assert_eq!(mtime, old, "{shell}: the hook dated the link's target");
    }

    // A world-writable stamp directory is not used at all.
    let shared = sb.path().join("shared-run");
    std::fs::create_dir_all(shared.join("gv")).unwrap();
    std::fs::set_permissions(shared.join("gv"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let env = [("XDG_RUNTIME_DIR", OsString::from(shared.as_os_str()))];
    for shell in SHELLS {
        let out = in_shell(&sb, shell, sb.path(), "cd work/p\ngo version", &env);
        assert!(
            stdout(&out).contains("go version go1.22.10"),
            "{shell}: {out:?}"
        );
        assert_eq!(
            std::fs::read_dir(shared.join("gv")).unwrap().count(),
            0,
            "{shell}: no stamp written"
        );
    }
    let doctor = sb
        .gv(&p)
        .arg("doctor")
        .env("XDG_RUNTIME_DIR", &shared)
        .output()
        .unwrap();
    assert!(
        stdout(&doctor).contains("can be written by other users"),
        "{}",
        stdout(&doctor)
    );
    assert!(
        stdout(&doctor).contains("chmod go-w"),
        "{}",
        stdout(&doctor)
    );
}

/// A tool whose build info names its package `-toolexec=…` would turn `gv tools
/// reinstall` into `go install -toolexec=…`.
#[test]
fn tools_reinstall_never_passes_a_flag_from_build_info() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    std::fs::write(sb.root().join("version"), format!("{GO_A}\n")).unwrap();
    let marker = Marker::new(&sb, "reinstall");
    let p = sb.work("p");
    // A real Go binary, its build info patched in place (same length) so that the
    // package path reads as a flag whose program lies in the working directory.
    sb.write("tool/go.mod", "module example.com/greet\n\ngo 1.22\n");
    sb.write("tool/main.go", "package main\n\nfunc main() {}\n");
    let gobin = sb.path().join("home/go/bin");
    let build = sb
        .gv(&sb.work("tool"))
        .args(["exec", "go", "build", "-o"])
        .arg(gobin.join("greet"))
        .arg(".")
        .envs(go_env(&sb))
        .output()
        .unwrap();
    assert!(build.status.success(), "{build:?}");
    let tool = gobin.join("greet");
    let mut bytes = std::fs::read(&tool).unwrap();
    // The module info is in the binary more than once (the build info blob, and the
    // runtime's copy): patch every copy.
    let patch = |bytes: &mut Vec<u8>, from: &[u8], to: &[u8]| {
        assert_eq!(from.len(), to.len());
        let mut count = 0;
        while let Some(at) = bytes.windows(from.len()).position(|w| w == from) {
            bytes[at..at + to.len()].copy_from_slice(to);
            count += 1;
        }
        assert!(count > 0, "{}", String::from_utf8_lossy(from));
    };
    patch(
        &mut bytes,
        b"path\texample.com/greet\n",
        b"path\t-toolexec=./evil1\n",
    );
    patch(
        &mut bytes,
        b"mod\texample.com/greet\t(devel)",
        b"mod\texample.com/greet\tv1.0.00",
    );
    std::fs::write(&tool, &bytes).unwrap();
    marker.payload(&p.join("evil1@v1.0.00"));
    for shell in SHELLS {
        let out = in_shell(
            &sb,
            shell,
            sb.path(),
            "cd work/p\ngv tools reinstall greet",
            &go_env(&sb),
        );
        marker.assert_absent(shell);
        assert!(
            stderr(&out).contains("which the go command would read as an option"),
            "{shell}: {out:?}"
        );
    }
}

#[test]
fn verify_refuses_a_fifo_at_once() {
    let sb = Sandbox::new();
    let fifo = sb.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    for shell in SHELLS {
        let started = std::time::Instant::now();
        let status = if shell == "fish" { "$status" } else { "$?" };
        let script = format!("timeout 10 @GV@ verify fifo\necho \"exit={status}\"");
        let out = in_shell(&sb, shell, sb.path(), &script, &[]);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(8),
            "{shell}: blocked"
        );
        assert!(stdout(&out).contains("exit=2"), "{shell}: {out:?}");
        assert!(stderr(&out).contains("FIFO"), "{shell}: {}", stderr(&out));
    }
}

#[test]
fn relative_store_and_cache_directories_are_refused() {
    let sb = Sandbox::new();
    sb.fake_install("1.22.10");
    sb.rehash();
    let p = sb.work("p");
    sb.write("p/.go-version", "1.22.10\n");
    for (var, cmd) in [("GV_ROOT", "current"), ("GV_CACHE_DIR", "cache")] {
        let mut gv = sb.gv(&p);
        gv.arg(cmd).env(var, "relative/dir");
        if cmd == "cache" {
            gv.args(["clean", "--dry-run"]);
        }
        let out = gv.output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{var}: {out:?}");
        assert!(
            stderr(&out).contains(&format!("{var}=\"relative/dir\" is not an absolute path")),
            "{var}: {}",
            stderr(&out)
        );
    }
    let out = sb
        .shim("go", &p)
        .arg("version")
        .env("GV_ROOT", "relative")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("is not an absolute path"),
        "{}",
        stderr(&out)
    );
    assert!(!p.join("relative").exists());
}

// -------------------------------------------------------------------------------------
// Quoting, against the real shells.
// -------------------------------------------------------------------------------------

/// 1,000+ random strings — quotes of every kind, `$`, backticks, backslashes, newlines,
/// control characters, very long — quoted by gv for each shell arrive byte for byte.
#[test]
fn quoting_survives_a_thousand_random_strings_in_every_shell() {
    use gv_core::shell_syntax::Syntax;
    let strings = random_strings(1200);
    let dir = tempfile::tempdir().unwrap();
    for (shell, args, syntax) in [
        ("bash", vec!["--norc", "--noprofile"], Syntax::Posix),
        ("zsh", vec!["-f"], Syntax::Posix),
        // zsh's RC_QUOTES reads '' inside quotes as one quote: gv never writes that.
        ("zsh", vec!["-f", "-o", "rcquotes"], Syntax::Posix),
        ("fish", vec!["--no-config"], Syntax::Fish),
    ] {
        let out_dir = dir.path().join(format!("{shell}{}", args.len()));
        std::fs::create_dir_all(&out_dir).unwrap();
        let mut script = String::new();
        for (i, s) in strings.iter().enumerate() {
            script.push_str(&format!(
                "printf '%s' {} > '{}/{i}'\n",
                syntax.quote(s),
                out_dir.display()
            ));
        }
        let script_file = dir.path().join(format!("script-{shell}{}", args.len()));
        std::fs::write(&script_file, &script).unwrap();
        let out = Command::new(shell)
            .args(&args)
            .arg(&script_file)
            .env("LC_ALL", "C.UTF-8")
            .output()
            .unwrap_or_else(|e| {
                panic!("{shell}: {e} (install it: scripts/provision-test-tools does)")
            });
        assert!(out.status.success(), "{shell} {args:?}: {}", stderr(&out));
        for (i, s) in strings.iter().enumerate() {
            let got = std::fs::read(out_dir.join(i.to_string())).unwrap();
            assert_eq!(got, s.as_bytes(), "{shell} {args:?}: string {i}: {s:?}");
        }
    }
    // Values a shell cannot hold are refused, never mangled.
    let bad = OsString::from_vec_lossless(b"ok\xffno".to_vec());
    let (code, warnings) = gv_core::hook::render(
        Syntax::Posix,
        &[gv_core::hook::Change::Set {
            name: "GODEBUG".into(),
            value: bad,
        }],
    );
    assert_eq!(code, "");
    assert!(warnings[0].text.contains("not valid UTF-8"));
    // PowerShell (not on this machine) gets the same inputs as a unit check: every one of
    // its five single-quote characters is doubled, so none ends the string.
    for s in &strings {
        let quoted = Syntax::PowerShell.quote(s);
        let inner = &quoted[1..quoted.len() - 1];
        let mut chars = inner.chars().peekable();
        let mut decoded = String::new();
        while let Some(c) = chars.next() {
            if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
                assert_eq!(chars.next(), Some(c), "unpaired quote in {quoted:?}");
            }
            decoded.push(c);
        }
        assert_eq!(&decoded, s);
    }
}

trait FromVecLossless {
    fn from_vec_lossless(bytes: Vec<u8>) -> OsString;
}

impl FromVecLossless for OsString {
    fn from_vec_lossless(bytes: Vec<u8>) -> OsString {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(bytes)
    }
}

fn random_strings(n: usize) -> Vec<String> {
    const PALETTE: &[&str] = &[
        "'", "\"", "`", "$", "\\", "\n", "\r", "\t", " ", ";", "&", "|", "<", ">", "(", ")", "{",
        "}", "[", "]", "*", "?", "~", "#", "!", "%", "^", "$(", "${", "$'", "\\'", "''",
        "\u{2018}", "\u{2019}", "\u{201a}", "\u{201b}", "\u{1b}", "\u{7}", "\u{1}", "\u{7f}",
        "\u{9b}", "é", "日本", "🦀", "a", "Z", "0", "-", "=", ",", ".", "/", "--", "\\\\", "\\n",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..n)
        .map(|i| {
            let len = match i % 100 {
                0 => 20_000,
                1..=4 => 500,
                _ => (next() % 40) as usize,
            };
            let mut s = String::new();
            for _ in 0..len {
                if next() % 5 == 0 {
                    // Any non-NUL control character.
                    s.push(char::from((next() % 31 + 1) as u8));
                } else {
                    s.push_str(PALETTE[(next() % PALETTE.len() as u64) as usize]);
                }
            }
            s
        })
        .collect()
}
