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

#[test]
fn every_environment_variable_is_documented() {
    let readme = read("README.md");
    let sources = ["crates/gv-core/src", "src"]
        .iter()
        .flat_map(|dir| walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)))
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect::<String>();
    let mut missing = Vec::new();
    for (i, _) in sources.match_indices("\"GV_") {
        let name: String = sources[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        if !readme.contains(&format!("`{name}`")) && !missing.contains(&name) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "undocumented in README.md: {missing:?}");
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
