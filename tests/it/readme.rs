//! README.md promises two set-up commands; these tests keep the promise true.

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    let command = ci
        .lines()
        .skip_while(|l| !l.starts_with("# The README's test command"))
        .nth(1)
        .expect(".ci/run names the README's test command");
    assert!(
        readme.lines().any(|l| l == command),
        "README.md must show `{command}`, the command .ci/run runs"
    );
}

/// README's Configuration table and gv-core's registry (`gv_core::vars::ALL`) list the
/// same variables, and every `GV_*` name in the sources is in the registry.
#[test]
fn every_environment_variable_is_registered_and_documented() {
    let readme = read("README.md");
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("## Configuration"))
        .take_while(|l| !l.starts_with("## Performance"))
        .filter(|l| l.starts_with("| `"))
        .filter(|l| l.split('|').nth(2).is_some_and(|kind| kind.contains("env")))
        .collect();
    let documented: Vec<String> = table
        .iter()
        .filter_map(|row| row.split('|').nth(1))
        .flat_map(|names| names.split(", "))
        .map(|name| name.trim().trim_matches('`').to_string())
        // `$GOROOT/go.env`, `~/.netrc`: files named beside the variables, not variables.
        .filter(|name| !name.starts_with(['$', '~', '.']))
        .collect();
    let registered: Vec<&str> = gv_core::vars::ALL.iter().map(|v| v.name).collect();
    let undocumented: Vec<&&str> = registered
        .iter()
        .filter(|n| !documented.iter().any(|d| d == **n))
        .collect();
    let unregistered: Vec<&String> = documented
        .iter()
        .filter(|d| !registered.contains(&d.as_str()))
        .collect();
    assert!(
        undocumented.is_empty(),
        "in the registry, not in README: {undocumented:?}"
    );
    assert!(
        unregistered.is_empty(),
        "in README, not in the registry: {unregistered:?}"
    );

    let sources = ["crates/gv-core/src", "src", "crates/gv-shim/src"]
        .iter()
        .flat_map(|dir| walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)))
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect::<String>();
    let mut stray = Vec::new();
    for (i, _) in sources.match_indices("\"GV_") {
        let name: String = sources[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        if gv_core::vars::get(&name).is_none() && !stray.contains(&name) {
            stray.push(name);
        }
    }
    assert!(
        stray.is_empty(),
        "GV_ names outside gv_core::vars: {stray:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The test command sets itself up (scripts/provision-test-tools): a user who is not root
/// and lacks some of the programs the tests drive gets one message naming the exact
/// `apt-get install` line, and nothing is installed. Run with a PATH that has everything
/// this machine has but zsh and fish, and an `id` that says uid 1000.
#[cfg(feature = "real-tests")]
#[test]
fn the_test_command_names_what_to_install_when_it_cannot_install_it() {
    use std::os::unix::fs::symlink;
    use std::path::{Path, PathBuf};
    // The tools' cache as the tests left it (pip is then not needed again).
    let cache = match crate::support::tools::provision() {
        Ok(bin) => bin.parent().expect("the cache holds bin/").to_path_buf(),
        Err(message) => panic!("{message}"),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let path = std::env::var_os("PATH").unwrap_or_default();
    for entry in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]) {
        for file in std::fs::read_dir(&entry).into_iter().flatten().flatten() {
            let name = file.file_name();
            if name == "zsh" || name == "fish" || name == "id" || bin.join(&name).exists() {
                continue;
            }
            symlink(file.path(), bin.join(&name)).expect("symlink");
        }
    }
    std::fs::write(bin.join("id"), "#!/bin/sh\necho 1000\n").expect("write id");
    std::fs::set_permissions(
        bin.join("id"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let out = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/provision-test-tools"))
        .env("PATH", &bin)
        .env("GV_TEST_TOOLS", &cache)
        .output()
        .expect("run scripts/provision-test-tools");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("the test suite needs what this machine lacks")
            && stderr.contains("\n  sudo apt-get install -y zsh fish ")
            && !stderr.contains("installing"),
        "{stderr}"
    );
}
