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
