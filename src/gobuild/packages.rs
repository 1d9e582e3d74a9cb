//! Which packages a build names, as the go command sees them (`go list`): gv has to know
//! which are main packages (the binaries to verify) and which have tests, and where each
//! lives, before it can tell go where to write.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::plan::Planned;
use super::toolchain::Toolchain;

/// The pseudo import path go gives a package named by its `.go` files.
const COMMAND_LINE: &str = "command-line-arguments";

/// Build flags that change which files, and so which packages, go sees: go list gets
/// these; the rest (gcflags, ldflags, …) cannot change a package's name or place.
const SELECTING_FLAGS: &[&str] = &["tags", "mod", "modfile", "race", "msan", "asan"];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Package {
    pub import_path: String,
    pub name: String,
    pub dir: PathBuf,
    /// Has `_test.go` files: `go test -c` writes a test binary for it.
    pub has_tests: bool,
}

impl Package {
    pub fn is_main(&self) -> bool {
        self.name == "main"
    }

    /// go's name for the binary of this main package: see [`exec_name`]. `.go` files on
    /// the command line are one package named after the first (go's own rule, which gv
    /// never needs: one package means one binary).
    pub fn exec_name(&self) -> &str {
        exec_name(&self.import_path)
    }

    /// `go test -c`'s file name for this package's test binary (`testBinaryName`).
    pub fn test_binary_name(&self) -> String {
        if self.import_path == COMMAND_LINE {
            format!("{}.test", self.name)
        } else {
            format!("{}.test", self.exec_name())
        }
    }

    /// How messages name the package: its import path, or its files' package name.
    pub fn label(&self) -> String {
        if self.import_path == COMMAND_LINE {
            format!("package {} (the .go files named)", self.name)
        } else {
            self.import_path.clone()
        }
    }
}

/// go's name for the binary of the main package `import_path` (`DefaultExecName`, which
/// go build and go install share): the path's last element, or the one before a major
/// version (`example.com/tool/v2` → `tool`).
pub fn exec_name(import_path: &str) -> &str {
    let mut elems = import_path.rsplit('/');
    let last = elems.next().unwrap_or_default();
    match elems.next() {
        Some(before) if is_version_element(last) => before,
        _ => last,
    }
}

/// `v2`, `v3`, … (not `v0`, `v1`): a module's major-version suffix.
fn is_version_element(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('v') else {
        return false;
    };
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
        && digits != "1"
}

pub enum Listed {
    Packages(Vec<Package>),
    /// go list failed and said why on stderr: the build stops with its exit code.
    Failed(u8),
}

/// `go list` of the packages to build, with the flags and environment the build uses;
/// the answer go gave last time when nothing it depends on has changed since
/// ([`super::list_memo`]).
pub fn list(
    toolchain: &Toolchain,
    planned: &Planned,
    packages: &[String],
    workdir: &Path,
) -> anyhow::Result<Listed> {
    let args: Vec<String> = planned
        .flags
        .iter()
        .filter(|f| {
            let name = f.trim_start_matches('-');
            let name = name.split_once('=').map_or(name, |(n, _)| n);
            SELECTING_FLAGS.contains(&name)
        })
        .cloned()
        .collect();
    // A user's -overlay can stand any file in for any other: always ask go.
    let memo = planned
        .user_overlay
        .is_none()
        .then(|| super::memo::Memo::open("lists"))
        .flatten();
    let question = memo.as_ref().and_then(|_| {
        let mut env: std::collections::BTreeMap<std::ffi::OsString, std::ffi::OsString> =
            gv_core::process::vars_os().collect();
        env.extend(toolchain.env.iter().map(|(k, v)| (k.into(), v.clone())));
        env.extend(planned.env.iter().map(|(k, v)| (k.into(), v.into())));
        super::list_memo::Question::new(
            &toolchain.go,
            &toolchain.goroot,
            workdir,
            &args,
            packages,
            &env,
        )
    });
    if let (Some(memo), Some(question)) = (&memo, &question)
        && let Some(known) = question.recall(memo)
    {
        return Ok(Listed::Packages(known));
    }
    // Stamped before go reads anything: a change racing with go list is seen next time.
    let stamp = question.as_ref().and_then(|q| q.stamp());
    let mut cmd = toolchain.command(workdir, &planned.env);
    cmd.arg("list").arg("-f").arg(
        "{{.ImportPath}}\t{{.Name}}\t{{.Dir}}\t{{if or .TestGoFiles .XTestGoFiles}}tests{{end}}",
    );
    cmd.args(&args);
    if let Some(overlay) = &planned.user_overlay {
        cmd.arg(format!("-overlay={overlay}"));
    }
    let out = cmd
        .args(packages)
        .output()
        .with_context(|| format!("cannot run {} list", toolchain.go.display()))?;
    if !out.status.success() {
        // go's own words, once: the build would only say the same.
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        return Ok(Listed::Failed(gv_core::platform::exit_code(out.status)));
    }
    let listed = parse(&String::from_utf8_lossy(&out.stdout));
    if let (Some(memo), Some(question), Some(stamp)) = (&memo, &question, stamp) {
        question.remember(memo, stamp, &listed);
    }
    Ok(Listed::Packages(listed))
}

fn parse(text: &str) -> Vec<Package> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some(Package {
                import_path: fields.next()?.to_string(),
                name: fields.next()?.to_string(),
                dir: PathBuf::from(fields.next()?),
                has_tests: fields.next() == Some("tests"),
            })
        })
        .collect()
}

#[cfg(test)]
pub fn package(import_path: &str, name: &str, has_tests: bool) -> Package {
    Package {
        import_path: import_path.to_string(),
        name: name.to_string(),
        dir: PathBuf::from("/src").join(import_path),
        has_tests,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_go_command() {
        let cases = [
            ("example.com/m/cmd/app", "app"),
            ("example.com/tool/v2", "tool"),
            ("example.com/tool/v1", "v1"),
            ("example.com/tool/v0", "v0"),
            ("example.com/tool/v02", "v02"),
            ("example.com/tool/v10", "tool"),
            ("example.com/v2", "example.com"),
            ("github.com/go-delve/delve/cmd/dlv", "dlv"),
            ("v2", "v2"),
            ("app", "app"),
        ];
        for (path, name) in cases {
            assert_eq!(package(path, "main", false).exec_name(), name, "{path}");
        }
        assert_eq!(
            package("example.com/m/lib", "lib", true).test_binary_name(),
            "lib.test"
        );
        let files = package(COMMAND_LINE, "main", true);
        assert_eq!(files.test_binary_name(), "main.test");
        assert!(files.label().contains(".go files"));
    }

    #[test]
    fn go_list_lines_parse() {
        let listed =
            parse("example.com/m\tmain\t/src/m\ttests\nexample.com/m/lib\tlib\t/src/m/lib\t\n");
        assert_eq!(listed.len(), 2);
        assert!(listed[0].is_main() && listed[0].has_tests);
        assert!(!listed[1].is_main() && !listed[1].has_tests);
        assert_eq!(listed[1].dir, Path::new("/src/m/lib"));
    }
}
