//! Post-mortems of release binaries, end to end (issue 27): real Go (1.22.10 and 1.23.9,
//! and 1.21.13 for Debian's delve), real gdb, Debian's delve, Debian's debuginfod on
//! loopback, and real core dumps.
//!
//! A program that panics is built with the release profile: the binary that lands is
//! stripped, its debug twin is in the symbol store, and both are checked against a plain
//! `go build` of the same flags (the loaded image byte for byte, the build ID). Its core
//! is opened with `gv debug --gdb --core` on the machine that built it (the store on
//! disk) and from a second, empty HOME through `DEBUGINFOD_URLS` pointing at a debuginfod
//! server that indexes the first HOME's store: both show `main.divide` with its
//! arguments. A twin from another build is refused; a keep-debug profile built `-N -l`
//! shows both arguments from the core; the debug profile drops a forced
//! `GOFLAGS=-trimpath` and real gdb then loads the runtime's support.

use crate::gofixtures;
use crate::support;

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use object::{Object as _, ObjectSection as _, ObjectSegment as _};
use support::{GO_A, GO_B, Sandbox, stderr, stdout};

/// Go 1.21.13: the newest Go Debian's delve 1.20.2 reads (with --check-go-version=false).
const GO_DELVE: &str = "1.21.13";

/// A program that panics in a function that is not inlined (a release build inlines a
/// small `divide` away: its frame and arguments would not exist to show).
const CRASH: &str = r#"package main

import (
	"fmt"
	"os"
)

//go:noinline
func divide(a, b int) int {
	q := a / b
	return q
}

func main() {
	b := len(os.Args) - 1 // 0 when run without arguments
	fmt.Println("result:", divide(10, b))
}
"#;

struct World {
    sb: Sandbox,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let sb = Sandbox::trusting();
        for v in [GO_A, GO_B, GO_DELVE] {
            gofixtures::goroot(v);
            sb.real_install(v);
        }
        World { sb }
    })
}

impl World {
    /// A project `name` with the crash program, pinned to `version`.
    fn project(&self, name: &str, version: &str) -> PathBuf {
        self.sb.write(
            &format!("{name}/go.mod"),
            &format!("module example.com/{name}\n\ngo 1.21\n"),
        );
        self.sb.write(&format!("{name}/main.go"), CRASH);
        self.sb
            .write(&format!("{name}/.go-version"), &format!("{version}\n"));
        self.sb.work(name)
    }

    fn store(&self) -> PathBuf {
        self.sb.root().join("symbols")
    }
}

fn gdb_bt(sb: &Sandbox, dir: &Path, extra: &[&str], core: &Path, binary: Option<&Path>) -> String {
    let mut cmd = sb.gv(dir);
    cmd.args(["debug", "--gdb"]);
    for arg in ["-nx", "-batch", "-ex", "bt", "-ex", "info goroutines"]
        .iter()
        .chain(extra)
    {
        cmd.arg("-D").arg(arg);
    }
    cmd.arg("--core").arg(core);
    if let Some(binary) = binary {
        cmd.arg(binary);
    }
    let out = cmd
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap_or_else(|e| panic!("gv debug --gdb (needs gdb: apt-get install gdb): {e}"));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{text}");
    text
}

/// The core dump of `binary` crashing in `dir` (GOTRACEBACK=crash, core size unlimited).
/// Cores must be written as files in the crashing process's directory.
fn dump_core(binary: &Path, dir: &Path) -> PathBuf {
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    let pattern = pattern.trim();
    assert!(
        !pattern.starts_with('|') && !pattern.starts_with('/'),
        "/proc/sys/kernel/core_pattern is {pattern:?}: cores go {} instead of the crashing \
         process's directory; set kernel.core_pattern=core (sysctl, as root; in a container, \
         on the host) to run this test",
        if pattern.starts_with('|') {
            "to a program"
        } else {
            "elsewhere"
        }
    );
    std::fs::create_dir_all(dir).unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -c unlimited && exec \"$0\"")
        .arg(binary)
        .env("GOTRACEBACK", "crash")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("integer divide by zero"),
        "{}",
        stderr(&out)
    );
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("core"))
        })
        .unwrap_or_else(|| {
            panic!(
                "{} died ({:?}) but left no core in {} (core_pattern {pattern:?})",
                binary.display(),
                out.status,
                dir.display()
            )
        })
}

/// Where the loaded image of an ELF executable ends (every segment's file bytes).
fn image_end(data: &[u8]) -> usize {
    let file = object::File::parse(data).unwrap();
    file.segments()
        .map(|s| {
            let (offset, size) = s.file_range();
            (offset + size) as usize
        })
        .max()
        .unwrap()
}

fn gnu_build_id(path: &Path) -> String {
    let data = std::fs::read(path).unwrap();
    let file = object::File::parse(&*data).unwrap();
    let id = file.build_id().unwrap().expect("a GNU build ID");
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Debian's debuginfod serving `dir` on a loopback port, killed when dropped.
struct Debuginfod {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Debuginfod {
    fn serve(dir: &Path, log: PathBuf) -> Debuginfod {
        let bin = Path::new("/usr/bin/debuginfod");
        assert!(
            bin.is_file(),
            "this test needs Debian's debuginfod server: apt-get install debuginfod (scripts/provision-test-tools does)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // -F: index ELF files under dir; an in-memory database; scan once, no grooming;
        // no source scan (it would serve any file a DWARF names).
        let child = Command::new(bin)
            .args([
                "-F",
                "-d",
                ":memory:",
                "-t",
                "0",
                "-g",
                "0",
                "--disable-source-scan",
            ])
            .arg("-p")
            .arg(port.to_string())
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let server = Debuginfod { child, port, log };
        server.wait_indexed();
        server
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Polls /metrics until the one traversal is done and no scan is pending or busy.
    fn wait_indexed(&self) {
        let start = Instant::now();
        loop {
            if let Ok((200, body)) = http_get(self.port, "/metrics") {
                let metric = |name: &str| -> Option<u64> {
                    body.lines()
                        .find(|l| l.starts_with(name))
                        .and_then(|l| l.rsplit(' ').next())
                        .and_then(|v| v.trim().parse::<f64>().ok())
                        .map(|v| v as u64)
                };
                let traversed = metric("thread_work_total{role=\"traverse\"}").unwrap_or(0) >= 1;
                let pending = metric("thread_work_pending{role=\"scan\"}").unwrap_or(1);
                let busy = metric("thread_busy{role=\"scan\"}").unwrap_or(1);
                if traversed && pending == 0 && busy == 0 {
                    return;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "debuginfod did not finish indexing in 2 minutes:\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Debuginfod {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` on loopback `port`: the status and the body.
fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

fn release_post_mortem(version: &str) {
    let w = world();
    let name = format!("crash{}", version.replace('.', ""));
    let dir = w.project(&name, version);

    // 1. Built stripped, its debug information kept.
    let out =
        w.sb.gv(&dir)
            .args(["build", "--release", "-o", "crash"])
            .timeout(Duration::from_secs(600))
            .output()
            .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("meets the release profile (stripped; its debug information, DWARF"),
        "{err}"
    );
    let binary = dir.join("crash");
    let id = gnu_build_id(&binary);
    let twin = w
        .store()
        .join(".build-id")
        .join(&id[..2])
        .join(format!("{}.debug", &id[2..]));
    let kept_exe = twin.with_extension("");
    assert!(twin.is_file() && kept_exe.is_file(), "{}", twin.display());
    assert_eq!(
        gnu_build_id(&twin),
        id,
        "the twin carries the binary's build ID"
    );
    assert_eq!(
        std::fs::read(&kept_exe).unwrap(),
        std::fs::read(&binary).unwrap()
    );

    // 2. The binary is what go links, stripped: the same image byte for byte as a plain
    // go build with the same flags, the same build ID; no symbols or DWARF; it runs.
    let full = gofixtures::go_build(
        version,
        &dir,
        "full",
        &["-trimpath", "-ldflags=-B gobuildid"],
        &[("CGO_ENABLED", "0")],
    );
    let (full_bytes, stripped) = (
        std::fs::read(&full).unwrap(),
        std::fs::read(&binary).unwrap(),
    );
    let end = image_end(&full_bytes);
    assert_eq!(image_end(&stripped), end);
    assert!(
        full_bytes[64..end] == stripped[64..end],
        "the loaded image differs from go's own link"
    );
    assert_eq!(gnu_build_id(&full), id);
    let parsed = object::File::parse(&*stripped).unwrap();
    assert!(parsed.section_by_name(".symtab").is_none());
    assert!(parsed.section_by_name(".debug_info").is_none());
    let twin_bytes = std::fs::read(&twin).unwrap();
    let twin_file = object::File::parse(&*twin_bytes).unwrap();
    let full_file = object::File::parse(&*full_bytes).unwrap();
    for section in full_file.sections() {
        let name = section.name().unwrap();
        let other = twin_file
            .section_by_name(name)
            .unwrap_or_else(|| panic!("{name}"));
        assert_eq!(
            (other.address(), other.size()),
            (section.address(), section.size()),
            "{name} in the twin"
        );
    }
    let run = Command::new(&binary).arg("x").output().unwrap();
    assert_eq!(stdout(&run), "result: 10\n");

    // 3. gv verify says where the debug information is.
    let out =
        w.sb.gv(&dir)
            .args(["verify", "crash", "--expect", "release"])
            .output()
            .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("debug info     in the symbol store: DWARF"),
        "{}",
        stdout(&out)
    );

    // 4. Its core, on this machine: the store on disk.
    let core = dump_core(&binary, &w.sb.path().join(format!("cores-{name}")));
    let text = gdb_bt(
        &w.sb,
        &dir,
        &["-ex", "list main.divide"],
        &core,
        Some(&binary),
    );
    assert!(
        text.contains("main.divide (a=<optimized out>, b=0"),
        "{text}"
    );
    assert!(text.contains("main.main ()"), "{text}");
    assert!(
        text.contains("q := a / b"),
        "the source, found in the module's directory although the binary is trimmed: {text}"
    );
    assert!(text.contains("Loading Go Runtime support"), "{text}");
    assert!(
        text.contains("running  runtime.systemstack_switch"),
        "goroutines: {text}"
    );
    // Without the binary: found in the store by the core's build ID.
    let text = gdb_bt(&w.sb, &dir, &[], &core, None);
    assert!(
        text.contains(&format!("was dumped by build {}", &id[..12])),
        "{text}"
    );
    assert!(
        text.contains("main.divide (a=<optimized out>, b=0"),
        "{text}"
    );

    // 5. On another machine: an empty HOME, the debug information and the executable
    // from debuginfod indexing the first machine's store.
    let other = Sandbox::new();
    other.real_install(version);
    let server = Debuginfod::serve(
        &w.store(),
        w.sb.path().join(format!("debuginfod-{name}.log")),
    );
    let (status, _) = http_get(server.port, &format!("/buildid/{id}/debuginfo")).unwrap();
    assert_eq!(status, 200, "the store is indexed as it is");
    let elsewhere = other.work("elsewhere");
    let mut cmd = other.gv(&elsewhere);
    cmd.env("DEBUGINFOD_URLS", server.url());
    let out = cmd
        .args([
            "debug", "--gdb", "-D", "-nx", "-D", "-batch", "-D", "-ex", "-D", "bt", "--core",
        ])
        .arg(&core)
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("main.divide (a=<optimized out>, b=0"),
        "{text}"
    );
    assert!(text.contains("into the symbol store"), "{text}");
    let cached = other
        .root()
        .join("symbols/.build-id")
        .join(&id[..2])
        .join(format!("{}.debug", &id[2..]));
    assert!(cached.is_file() && cached.with_extension("").is_file());
    drop(server);
    // Cached: the server is gone, the core still reads.
    let text = gdb_bt(&other, &elsewhere, &[], &core, None);
    assert!(
        text.contains("main.divide (a=<optimized out>, b=0"),
        "{text}"
    );
    let listed = other
        .gv(&elsewhere)
        .args(["symbols", "list"])
        .output()
        .unwrap();
    assert!(
        stdout(&listed).contains("fetched from http://127.0.0.1"),
        "{}",
        stdout(&listed)
    );
}

#[test]
fn a_release_core_reads_here_and_through_debuginfod_go_a() {
    release_post_mortem(GO_A);
}

#[test]
fn a_release_core_reads_here_and_through_debuginfod_go_b() {
    release_post_mortem(GO_B);
}

/// A twin from another build under the binary's ID is refused (gdb would skip it, delve
/// would load it), and so is a binary from another build than the core's.
#[test]
fn debug_information_or_a_binary_from_another_build_is_refused() {
    let w = world();
    let dir = w.project("mismatch", GO_A);
    let build = |args: &[&str]| {
        let out =
            w.sb.gv(&dir)
                .args(["build", "--release"])
                .args(args)
                .output()
                .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    build(&["-o", "one"]);
    build(&["-ldflags=-X main.unused=1", "-o", "two"]);
    let (one, two) = (dir.join("one"), dir.join("two"));
    let (id_one, id_two) = (gnu_build_id(&one), gnu_build_id(&two));
    assert_ne!(id_one, id_two);
    let core = dump_core(&one, &w.sb.path().join("cores-mismatch"));

    // The core and another build.
    let out =
        w.sb.gv(&dir)
            .args(["debug", "--gdb", "--core"])
            .arg(&core)
            .arg(&two)
            .output()
            .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "was dumped by the executable with build ID {id_one}"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("has build ID {id_two}: it is another build")),
        "{err}"
    );

    // Another build's twin under this one's name, in a store of its own.
    let store = w.sb.path().join("swapped-store");
    let file = |id: &str, ext: &str| {
        store
            .join(".build-id")
            .join(&id[..2])
            .join(format!("{}{ext}", &id[2..]))
    };
    std::fs::create_dir_all(file(&id_one, "").parent().unwrap()).unwrap();
    let real = |id: &str| {
        w.store()
            .join(".build-id")
            .join(&id[..2])
            .join(format!("{}.debug", &id[2..]))
    };
    std::fs::copy(real(&id_two), file(&id_one, ".debug")).unwrap();
    for debugger in [&["--gdb"][..], &["-D", "--check-go-version=false"][..]] {
        let out =
            w.sb.gv(&dir)
                .env("GV_SYMBOLS", &store)
                .arg("debug")
                .args(debugger)
                .arg("--core")
                .arg(&core)
                .arg(&one)
                .output()
                .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!(
                "is filed under build ID {id_one} but has {id_two}"
            )),
            "{err}"
        );
        assert!(!err.contains("gv: starting"), "no debugger ran: {err}");
    }
    let out =
        w.sb.gv(&dir)
            .env("GV_SYMBOLS", &store)
            .args(["verify"])
            .arg(&one)
            .output()
            .unwrap();
    assert!(
        stdout(&out).contains(&format!(
            "is filed under build ID {id_one} but has {id_two}"
        )),
        "{}",
        stdout(&out)
    );
}

/// A profile that keeps its debug information apart but builds like `debug` (`-N -l`):
/// the core of the stripped binary shows both arguments.
#[test]
fn a_keep_debug_profile_built_unoptimised_shows_every_argument_from_the_core() {
    let w = world();
    let dir = w.project("postmortem", GO_B);
    w.sb.write(
        "postmortem/gv.toml",
        "[profile.postmortem]\ninherits = \"debug\"\nkeep_debug = true\n",
    );
    let out =
        w.sb.gv(&dir)
            .args(["build", "--profile", "postmortem", "-o", "crash"])
            .output()
            .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("meets the postmortem profile (stripped; its debug information"),
        "{err}"
    );
    let binary = dir.join("crash");
    let out =
        w.sb.gv(&dir)
            .args(["verify", "crash", "--expect", "debug"])
            .output()
            .unwrap();
    assert!(out.status.success(), "with its twin: {}", stdout(&out));
    assert!(stdout(&out).contains("(with its debug information from the symbol store)"));
    let core = dump_core(&binary, &w.sb.path().join("cores-postmortem"));
    let text = gdb_bt(&w.sb, &dir, &[], &core, Some(&binary));
    assert!(text.contains("main.divide (a=10, b=0"), "{text}");
}

/// The README's own example config forces GOFLAGS=-trimpath: the debug profile drops it
/// and says so, and real gdb then loads the runtime's Go support.
#[test]
fn the_debug_profile_drops_a_forced_trimpath_and_gdb_gets_the_runtime_support() {
    let w = world();
    for version in [GO_A, GO_B] {
        let name = format!("trim{}", version.replace('.', ""));
        let dir = w.project(&name, version);
        w.sb.write(
            &format!("{name}/gv.toml"),
            "[env]\nGOFLAGS = { value = \"-trimpath\", force = true }\n",
        );
        let out =
            w.sb.gv(&dir)
                .args(["build", "--debug", "-o", "app"])
                .output()
                .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{err}");
        assert_eq!(
            err.matches("builds without -trimpath").count(),
            1,
            "said once: {err}"
        );
        assert!(
            err.contains(
                "the debug profile builds without -trimpath (GOFLAGS from gv's [env] asked for it)"
            ),
            "{err}"
        );
        let out =
            w.sb.gv(&dir)
                .args(["verify", "app", "--expect", "debug"])
                .output()
                .unwrap();
        assert!(out.status.success(), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("trimpath       no"),
            "{}",
            stdout(&out)
        );

        let out =
            w.sb.gv(&dir)
                .args(["debug", "--gdb"])
                .args([
                    "-D",
                    "-nx",
                    "-D",
                    "-batch",
                    "-D",
                    "-ex",
                    "-D",
                    "break main.divide",
                ])
                .args([
                    "-D",
                    "-ex",
                    "-D",
                    "run",
                    "-D",
                    "-ex",
                    "-D",
                    "info goroutines",
                ])
                .args(["-D", "-ex", "-D", "info args", "."])
                .timeout(Duration::from_secs(600))
                .output()
                .unwrap();
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(out.status.success(), "{text}");
        assert!(text.contains("Loading Go Runtime support"), "{text}");
        assert!(!text.contains("Missing auto-load script"), "{text}");
        assert!(!text.contains("Undefined info command"), "{text}");
        assert!(
            text.contains("running  runtime.systemstack_switch") || text.contains("* 1 running"),
            "{text}"
        );
        assert!(text.contains("a = 10"), "{text}");

        // A trimmed debug build made without gv fails verification, with the reason.
        let trimmed = gofixtures::go_build(
            version,
            &dir,
            "trimmed",
            &["-trimpath", "-gcflags=all=-N -l"],
            &[],
        );
        let out =
            w.sb.gv(&dir)
                .args(["verify"])
                .arg(&trimmed)
                .args(["--expect", "debug"])
                .output()
                .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(
            stdout(&out).contains(
                "the binary was built with -trimpath: gdb finds the Go runtime's support script"
            ),
            "{}",
            stdout(&out)
        );
    }
}

/// Debian's delve (1.20.2) reads a release binary of Go 1.21.13 (linked with gv's
/// placeholder build ID, filled from the file's hash) through the store: its core, the
/// running program, and VS Code's core configuration from `gv ide vscode --launch`.
#[test]
fn debians_delve_reads_a_stripped_release_binary_through_the_store() {
    let dlv = Path::new("/usr/bin/dlv");
    assert!(
        dlv.is_file(),
        "this test needs Debian's delve: apt-get install delve (scripts/provision-test-tools does)"
    );
    let w = world();
    let dir = w.project("delve121", GO_DELVE);
    let out =
        w.sb.gv(&dir)
            .args(["build", "--release", "-o", "crash"])
            .output()
            .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let binary = dir.join("crash");
    let id = gnu_build_id(&binary);
    assert_ne!(id, "0".repeat(40), "the placeholder is filled");
    let core = dump_core(&binary, &w.sb.path().join("cores-delve"));
    let delve = |args: &[&str], stdin: &str| {
        let out =
            w.sb.gv(&dir)
                .env("PATH", "/usr/bin:/bin")
                .arg("debug")
                .args([
                    "-D",
                    "--allow-non-terminal-interactive=true",
                    "-D",
                    "--check-go-version=false",
                ])
                .args(args)
                .write_stdin(stdin)
                .timeout(Duration::from_secs(300))
                .output()
                .unwrap();
        format!("{}{}", stdout(&out), stderr(&out))
    };
    let text = delve(&["--core", &core.display().to_string()], "bt\nexit\n");
    assert!(text.contains("gv: starting /usr/bin/dlv core"), "{text}");
    assert!(text.contains("in main.divide"), "{text}");
    assert!(text.contains("main.go:10"), "{text}");
    let text = delve(&["./crash"], "break main.divide\ncontinue\nargs\nexit\n");
    assert!(text.contains("gv: starting /usr/bin/dlv exec"), "{text}");
    assert!(text.contains("b = 0"), "{text}");

    // VS Code's core configuration: delve with the environment launch.json gives it.
    let out =
        w.sb.gv(&dir)
            .args(["ide", "vscode", "--launch"])
            .output()
            .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let launch = std::fs::read_to_string(dir.join(".vscode/launch.json")).unwrap();
    let launch: serde_json::Value = serde_json::from_str(&launch).unwrap();
    let core_config = launch["configurations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["mode"] == "core")
        .unwrap();
    let xdg = core_config["env"]["XDG_CONFIG_HOME"].as_str().unwrap();
    let out = Command::new(dlv)
        .args([
            "core",
            "--check-go-version=false",
            "--allow-non-terminal-interactive=true",
        ])
        .arg(&binary)
        .arg(&core)
        .env("XDG_CONFIG_HOME", xdg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(b"bt\nexit\n")?;
            child.wait_with_output()
        })
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("in main.divide"), "{text}");
    // The exec configuration's task builds the verified debug binary it debugs.
    let tasks = std::fs::read_to_string(dir.join(".vscode/tasks.json")).unwrap();
    let tasks: serde_json::Value = serde_json::from_str(&tasks).unwrap();
    let task = &tasks["tasks"][0];
    let program = launch["configurations"][0]["program"].as_str().unwrap();
    let mut cmd = Command::new(task["command"].as_str().unwrap());
    cmd.args(
        task["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap()),
    )
    .current_dir(&dir)
    .env_clear()
    .envs(w.sb.env());
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("meets the debug profile"),
        "{}",
        stderr(&out)
    );
    assert!(Path::new(program).is_file(), "{program}");
}
