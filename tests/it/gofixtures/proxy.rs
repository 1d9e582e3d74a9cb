//! A module proxy on disk (the GOPROXY protocol over `file://`), written by the tests: small
//! modules with a command each, including a stand-in for delve published under delve's own
//! module path, so `go install` records exactly the build info a real `dlv` would have.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// `dlv` as the tests need it: `dlv version` answers like delve, anything else writes the
/// arguments, working directory and the variables a debugger cares about to the file
/// named by `GV_TEST_DLV_LOG`, then exits with `GV_TEST_DLV_EXIT` (default 0).
pub fn stand_in_dlv(version: &str) -> String {
    format!(
        r#"package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {{
	if len(os.Args) == 2 && os.Args[1] == "version" {{
		fmt.Printf("Delve Debugger\nVersion: {}\nBuild: stand-in\n")
		return
	}}
	var b strings.Builder
	wd, _ := os.Getwd()
	fmt.Fprintf(&b, "cwd=%s\n", wd)
	for _, a := range os.Args[1:] {{
		fmt.Fprintf(&b, "arg=%s\n", a)
	}}
	for _, k := range []string{{"GOROOT", "PATH", "GOTOOLCHAIN", "GOBIN"}} {{
		fmt.Fprintf(&b, "%s=%s\n", k, os.Getenv(k))
	}}
	if err := os.WriteFile(os.Getenv("GV_TEST_DLV_LOG"), []byte(b.String()), 0o644); err != nil {{
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}}
	code, _ := strconv.Atoi(os.Getenv("GV_TEST_DLV_EXIT"))
	os.Exit(code)
}}
"#,
        version.trim_start_matches('v')
    )
}

/// A command that prints `NAME VERSION`.
pub fn hello_command(name: &str, version: &str) -> String {
    format!(
        "package main\n\nimport \"fmt\"\n\nfunc main() {{ fmt.Println(\"{name} {version}\") }}\n"
    )
}

/// One module version: its path, version, and files (relative path, content).
pub struct ModuleVersion<'a> {
    pub module: &'a str,
    pub version: &'a str,
    pub files: Vec<(&'a str, String)>,
}

/// Writes `versions` as a proxy under `dir` (created) and returns `dir`. The `list` file
/// of each module names all its versions, so `@latest` is the highest.
pub fn write(dir: &Path, versions: &[ModuleVersion<'_>]) -> PathBuf {
    for mv in versions {
        let at = dir.join(mv.module).join("@v");
        std::fs::create_dir_all(&at).expect("mkdir");
        let go_mod = format!("module {}\n\ngo 1.21\n", mv.module);
        std::fs::write(at.join(format!("{}.mod", mv.version)), &go_mod).expect("write");
        std::fs::write(
            at.join(format!("{}.info", mv.version)),
            format!(
                r#"{{"Version":"{}","Time":"2024-01-01T00:00:00Z"}}"#,
                mv.version
            ),
        )
        .expect("write");
        let list = at.join("list");
        let mut listed = std::fs::read_to_string(&list).unwrap_or_default();
        listed.push_str(&format!("{}\n", mv.version));
        std::fs::write(&list, listed).expect("write");
        // Module zips hold MODULE@VERSION/ as their top directory.
        let prefix = format!("{}@{}", mv.module, mv.version);
        let mut script = String::from(
            "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1], 'w')\nfiles = sys.argv[2:]\n\
             for i in range(0, len(files), 2):\n    z.writestr(files[i], files[i + 1])\nz.close()\n",
        );
        script.push('\n');
        let mut cmd = std::process::Command::new("python3");
        cmd.args(["-c", &script])
            .arg(at.join(format!("{}.zip", mv.version)))
            .arg(format!("{prefix}/go.mod"))
            .arg(&go_mod);
        for (path, content) in &mv.files {
            cmd.arg(format!("{prefix}/{path}")).arg(content);
        }
        let status = cmd
            .status()
            .expect("python3 (needed to build module zips; provisioning needs it too)");
        assert!(status.success(), "writing the zip of {prefix}");
    }
    dir.to_path_buf()
}

/// The environment real go commands get in tests that install from `proxy`: the shared
/// build cache, a module cache of their own (`modcache`), no checksum database, no network.
pub fn go_vars(proxy: &Path, modcache: &Path) -> Vec<(&'static str, OsString)> {
    vec![
        ("GOCACHE", super::scratch().join("gocache").into()),
        ("GOMODCACHE", modcache.into()),
        ("GOFLAGS", "-mod=mod -modcacherw".into()),
        ("GOPROXY", format!("file://{}", proxy.display()).into()),
        ("GOSUMDB", "off".into()),
        ("GOTELEMETRY", "off".into()),
    ]
}
