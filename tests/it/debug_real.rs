//! `gv debug` end to end: real SDKs build the divide fixture with the debug profile, then
//! - a stand-in `dlv` (a Go program published under delve's module path, so its build info
//!   is a real delve's) records the exact argv, environment and working directory;
//! - real gdb in batch mode prints the arguments of `main.divide`;
//! - a real core file, dumped by the fixture with GOTRACEBACK=crash and `ulimit -c`, is
//!   opened by gdb through `gv debug --core`;
//! - Debian's real delve 1.20.2 debugs a Go 1.19 program (`golang-1.19-go`), and gv refuses
//!   to start it on Go 1.22, as delve itself would.

use crate::gofixtures;
use crate::support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gofixtures::DIVIDE;
use gofixtures::proxy::{self, ModuleVersion};
use support::{GO_A, GO_B, Sandbox, stderr, stdout};

/// One sandbox for the process: both SDKs, a proxy with the stand-in delve v1.20.2 and
/// v1.23.0, projects pinned to Go A and Go B.
struct World {
    sb: Sandbox,
    proxy: PathBuf,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let sb = Sandbox::new();
        sb.real_install(GO_A);
        sb.real_install(GO_B);
        sb.rehash();
        let versions: Vec<ModuleVersion<'_>> = ["v1.20.2", "v1.23.0"]
            .into_iter()
            .map(|version| ModuleVersion {
                module: "github.com/go-delve/delve",
                version,
                files: vec![("cmd/dlv/main.go", proxy::stand_in_dlv(version))],
            })
            .collect();
        let proxy = proxy::write(&sb.path().join("proxy"), &versions);
        for (name, version) in [("a", GO_A), ("b", GO_B)] {
            sb.write(
                &format!("{name}/go.mod"),
                &format!("module example.com/divide{name}\n\ngo 1.21\n"),
            );
            sb.write(&format!("{name}/main.go"), DIVIDE);
            sb.write(&format!("{name}/.go-version"), &format!("{version}\n"));
        }
        World { sb, proxy }
    })
}

impl World {
    fn project(&self, name: &str) -> PathBuf {
        self.sb.work(name)
    }

    fn gv(&self, dir: &Path) -> assert_cmd::Command {
        let mut cmd = self.sb.gv(dir);
        cmd.envs(proxy::go_vars(
            &self.proxy,
            &self.sb.path().join("modcache"),
        ));
        cmd
    }

    fn gobin(&self) -> PathBuf {
        self.sb.path().join("home/go/bin")
    }

    fn cache(&self) -> PathBuf {
        self.sb.path().join("cache/gv")
    }

    /// Installs the stand-in dlv at `version` with the Go of project `a`, whatever the
    /// verdict (an old one is reported, exit 1, but installed).
    fn install_dlv(&self, version: &str) {
        let out = self
            .gv(&self.project("a"))
            .args(["tools", "install", &format!("dlv@{version}")])
            .output()
            .unwrap();
        assert!(
            self.gobin().join("dlv").is_file(),
            "dlv@{version} was not installed: {}",
            stderr(&out)
        );
    }
}

/// Tests that swap the dlv in GOBIN must not run at the same time.
fn dlv_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn read_log(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("the stand-in dlv wrote no log at {}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

fn value<'a>(log: &'a [String], key: &str) -> &'a str {
    log.iter()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in {log:?}"))
}

#[test]
fn gv_debug_builds_verifies_and_execs_dlv_with_the_sdk_environment() {
    let w = world();
    let _lock = dlv_lock();
    w.install_dlv("1.23.0");
    let dir = w.project("a");
    let log = w.sb.path().join("dlv-exec.log");
    let out = w
        .gv(&dir)
        .args([
            "debug",
            "-D",
            "--headless",
            "-D",
            "--listen=127.0.0.1:0",
            ".",
            "--",
            "panic",
            "x y",
        ])
        .env("GV_TEST_DLV_LOG", &log)
        .env("GV_TEST_DLV_EXIT", "7")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(7), "dlv's exit code is gv's: {err}");
    assert!(
        err.contains("meets the debug profile"),
        "verified first: {err}"
    );

    let log = read_log(&log);
    let args: Vec<&str> = log.iter().filter_map(|l| l.strip_prefix("arg=")).collect();
    assert_eq!(args.len(), 7, "{log:?}");
    assert_eq!(
        args[..3],
        ["exec", "--headless", "--listen=127.0.0.1:0"],
        "{log:?}"
    );
    assert_eq!(args[4..], ["--", "panic", "x y"], "{log:?}");
    let binary = Path::new(args[3]);
    assert!(
        binary.starts_with(w.cache().join("debug")),
        "built into gv's private directory: {}",
        binary.display()
    );
    assert_eq!(binary.file_name().unwrap(), "dividea");
    assert_eq!(value(&log, "cwd"), dir.display().to_string());
    let goroot = w.sb.root().join("versions").join(GO_A);
    assert_eq!(value(&log, "GOROOT"), goroot.display().to_string());
    assert!(
        value(&log, "PATH").starts_with(&format!("{}:", goroot.join("bin").display())),
        "{log:?}"
    );
    assert_eq!(value(&log, "GOTOOLCHAIN"), "local");

    // What dlv was given is a verified debug build.
    let verify = w
        .gv(&dir)
        .arg("verify")
        .arg(binary)
        .args(["--expect", "debug"])
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", stdout(&verify));
}

#[test]
fn gv_debug_refuses_a_dlv_that_cannot_read_the_selected_go_before_building() {
    let w = world();
    let _lock = dlv_lock();
    w.install_dlv("1.20.2");
    let dir = w.project("a");
    let log = w.sb.path().join("dlv-refused.log");
    let out = w
        .gv(&dir)
        .args(["debug", "."])
        .env("GV_TEST_DLV_LOG", &log)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "cannot debug this program: delve v1.20.2 is too old for Go {GO_A}: it debugs Go up to 1.20"
        )),
        "{err}"
    );
    assert!(err.contains("hint: `gv tools install dlv`"), "{err}");
    assert!(!err.contains("verified"), "nothing was built: {err}");
    assert!(!log.exists(), "dlv never ran");
}

#[test]
fn gv_debug_without_any_dlv_says_how_to_get_one() {
    let w = world();
    let dir = w.project("a");
    let out = w
        .gv(&dir)
        .args(["debug", "."])
        .env("GOBIN", w.sb.path().join("empty-gobin"))
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("there is no dlv in"), "{err}");
    assert!(err.contains("gv tools install dlv"), "{err}");
    let out = w.gv(&dir).args(["debug", "-o", "x", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("drop -o"), "{}", stderr(&out));
}

#[test]
fn gv_debug_gdb_shows_the_arguments_of_main_divide() {
    let w = world();
    let dir = w.project("a");
    let out = w
        .gv(&dir)
        .args([
            "debug",
            "--gdb",
            "-D",
            "-nx",
            "-D",
            "-batch",
            "-D",
            "-ex",
            "-D",
            "break main.divide",
            "-D",
            "-ex",
            "-D",
            "run",
            "-D",
            "-ex",
            "-D",
            "info args",
            ".",
        ])
        .output()
        .unwrap_or_else(|e| panic!("gv debug --gdb (needs gdb: apt-get install gdb): {e}"));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{text}");
    assert!(text.contains("a = 10"), "{text}");
    assert!(text.contains("b = 2"), "{text}");
    assert!(
        !text.contains("auto-loading has been declined"),
        "gv lets gdb load the SDK's runtime-gdb.py: {text}"
    );
}

/// Runs the debug build `binary` so that it panics with GOTRACEBACK=crash and an unlimited
/// core size, in `dir`, and returns the core file. Where the kernel's core_pattern sends
/// cores elsewhere (a pipe to systemd-coredump or apport), the failure says so.
fn dump_core(binary: &Path, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -c unlimited && exec \"$0\" panic")
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
    let core = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("core"))
        });
    core.unwrap_or_else(|| {
        let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
        panic!(
            "the program died of SIGABRT ({:?}) but left no core file in {}: \
             /proc/sys/kernel/core_pattern is {:?}{}. This test needs cores written to the \
             crashing process's directory: `sysctl kernel.core_pattern=core` (as root; in a \
             container, on the host)",
            out.status,
            dir.display(),
            pattern.trim(),
            if pattern.starts_with('|') {
                ", which pipes cores to a program instead of writing a file"
            } else {
                ""
            }
        )
    })
}

fn debug_build(project: &str, out_name: &str) -> PathBuf {
    let w = world();
    let dir = w.project(project);
    let out = w
        .gv(&dir)
        .args(["build", "--debug", "-o", out_name])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    dir.join(out_name)
}

#[test]
fn gv_debug_core_opens_a_real_core_dump_in_gdb() {
    let w = world();
    let binary = debug_build("a", "app-core");
    let core = dump_core(&binary, &w.sb.path().join("crash"));
    let dir = w.project("a");
    let out = w
        .gv(&dir)
        .args([
            "debug",
            "--gdb",
            "-D",
            "-nx",
            "-D",
            "-batch",
            "-D",
            "-ex",
            "-D",
            "bt",
            "-D",
            "-ex",
            "-D",
            "info goroutines",
            "--core",
        ])
        .arg(&core)
        .arg(&binary)
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("main.divide (a=10, b=0"),
        "the panicking frame with its arguments: {text}"
    );
    assert!(text.contains("runtime.fatalpanic"), "{text}");
    assert!(
        text.contains("Loading Go Runtime support"),
        "runtime-gdb.py is loaded: {text}"
    );
}

#[test]
fn gv_debug_core_runs_dlv_core_with_the_sdk_that_built_the_binary() {
    let w = world();
    let _lock = dlv_lock();
    w.install_dlv("1.23.0");
    // Built by Go B, opened from project a (Go A): the GOROOT is Go B's.
    let binary = debug_build("b", "app-b");
    let core = w.sb.write("fake-core", "not really a core\n");
    let log = w.sb.path().join("dlv-core.log");
    let out = w
        .gv(&w.project("a"))
        .args(["debug", "--core"])
        .arg(&core)
        .arg(&binary)
        .env("GV_TEST_DLV_LOG", &log)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let log = read_log(&log);
    let args: Vec<&str> = log.iter().filter_map(|l| l.strip_prefix("arg=")).collect();
    assert_eq!(
        args,
        [
            "core",
            &binary.display().to_string(),
            &core.display().to_string()
        ]
    );
    assert_eq!(
        value(&log, "GOROOT"),
        w.sb.root()
            .join("versions")
            .join(GO_B)
            .display()
            .to_string()
    );

    // A binary that is not Go: exit 2, as gv verify.
    let out = w
        .gv(&w.project("a"))
        .args(["debug", "--core"])
        .arg(&core)
        .arg(&core)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Debian's delve (1.20.2, `apt-get install delve`) on PATH: gv debugs a Go 1.19 program
/// and a core dump of it with it (Debian's `golang-1.19-go` as the system go), and refuses
/// it for Go 1.22 with the verdict delve itself prints.
#[test]
fn real_delve_debugs_go_1_19_and_is_refused_for_go_1_22() {
    let dlv = Path::new("/usr/bin/dlv");
    let go119 = Path::new("/usr/lib/go-1.19/bin");
    assert!(
        dlv.is_file() && go119.join("go").is_file(),
        "this test needs Debian's delve and Go 1.19: apt-get install delve golang-1.19-go (scripts/provision-test-tools does)"
    );
    let w = world();
    let dir = w.sb.work("sys");
    w.sb.write("sys/go.mod", "module example.com/sys\n\ngo 1.19\n");
    w.sb.write("sys/main.go", DIVIDE);
    w.sb.write("sys/.go-version", "system\n");
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", go119.display());
    let out = w
        .gv(&dir)
        .args(["debug", "-D", "--allow-non-terminal-interactive=true", "."])
        .env("PATH", &path)
        .env("GOBIN", w.sb.path().join("no-dlv-here"))
        .write_stdin("break main.divide\ncontinue\nargs\nexit\n")
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("meets the debug profile"), "{text}");
    assert!(text.contains("gv: starting /usr/bin/dlv exec"), "{text}");
    assert!(
        text.contains("a = 10"),
        "real delve shows the argument: {text}"
    );
    assert!(text.contains("b = 2"), "{text}");

    // And a real core dump of the same program, opened by real delve.
    let out = w
        .gv(&dir)
        .args(["build", "--debug", "-o", "app19"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let core = dump_core(&dir.join("app19"), &w.sb.path().join("crash19"));
    let out = w
        .gv(&dir)
        .args([
            "debug",
            "-D",
            "--allow-non-terminal-interactive=true",
            "--core",
        ])
        .arg(&core)
        .arg(dir.join("app19"))
        .env("PATH", &path)
        .env("GOBIN", w.sb.path().join("no-dlv-here"))
        .write_stdin("bt -full\nexit\n")
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("gv: starting /usr/bin/dlv core"), "{text}");
    assert!(text.contains("in main.divide"), "{text}");
    assert!(
        text.contains("a = 10"),
        "the panicking frame's arguments: {text}"
    );
    assert!(text.contains("b = 0"), "{text}");

    // Go A is newer than delve 1.20.2 supports: gv says so and does not start it ...
    let a = w.project("a");
    let out = w
        .gv(&a)
        .args(["debug", "."])
        .env("GOBIN", w.sb.path().join("no-dlv-here"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "/usr/bin/dlv cannot debug this program: delve v1.20.2 is too old for Go {GO_A}"
        )),
        "{err}"
    );
    // ... which is what delve itself answers when made to try.
    let binary = debug_build("a", "app-real-dlv");
    let own = std::process::Command::new(dlv)
        .args(["exec", "--allow-non-terminal-interactive=true"])
        .arg(&binary)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let own = format!("{}{}", stdout(&own), stderr(&own));
    assert!(
        own.contains(&format!(
            "Version of Delve is too old for Go version {GO_A} (maximum supported version 1.20"
        )),
        "{own}"
    );
}
