//! A profile's promise about its binaries, checked against an [`Inspection`]. Every problem is a
//! sentence a developer can act on: what is wrong, what it means in a debugger, what to run.

use serde::Serialize;

use super::Inspection;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Expectation {
    /// DWARF present, every non-runtime package compiled with -N -l, symbols kept.
    Debug,
    /// DWARF present (optimised code is fine).
    Dwarf,
    /// No DWARF and no symbol table.
    Release,
}

impl Expectation {
    pub fn name(self) -> &'static str {
        match self {
            Expectation::Debug => "debug",
            Expectation::Dwarf => "dwarf",
            Expectation::Release => "release",
        }
    }

    pub fn parse(name: &str) -> Option<Expectation> {
        match name {
            "debug" => Some(Expectation::Debug),
            "dwarf" => Some(Expectation::Dwarf),
            "release" => Some(Expectation::Release),
            _ => None,
        }
    }
}

impl std::fmt::Display for Expectation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub expect: Expectation,
    pub ok: bool,
    pub problems: Vec<String>,
}

/// How many package names a message lists before saying "and N more".
const LIST_AT_MOST: usize = 5;

pub fn check(report: &Inspection, expect: Expectation) -> Verdict {
    let mut problems = Vec::new();
    match expect {
        Expectation::Debug => check_debug(report, &mut problems),
        Expectation::Dwarf => {
            check_dwarf_present(report, "gv build --profile dwarf", &mut problems);
        }
        Expectation::Release => check_release(report, &mut problems),
    }
    Verdict {
        expect,
        ok: problems.is_empty(),
        problems,
    }
}

/// Has the report DWARF with a unit for package main? The problems say what is missing.
pub fn check_dwarf(report: &Inspection, problems: &mut Vec<String>) -> bool {
    check_dwarf_present(report, "gv build --profile dwarf", problems)
}

fn check_dwarf_present(report: &Inspection, rebuild: &str, problems: &mut Vec<String>) -> bool {
    let Some(dwarf) = &report.dwarf else {
        let ldflags = report
            .build_info
            .as_ref()
            .and_then(|b| b.setting("-ldflags"))
            .map(|f| format!(" (it was linked with -ldflags={f})"))
            .unwrap_or_default();
        problems.push(format!(
            "the binary has no DWARF debug information{ldflags}: a debugger can show neither \
             source lines nor variables; rebuild without -ldflags=-s/-w, e.g. with {rebuild}"
        ));
        return false;
    };
    if dwarf.package("main").is_none() {
        problems.push(format!(
            "the DWARF has no compile unit for package main: the program's own code cannot be \
             debugged; rebuild with {rebuild}"
        ));
        return false;
    }
    true
}

fn check_debug(report: &Inspection, problems: &mut Vec<String>) {
    const REBUILD: &str = "gv build --debug";
    if !report.symbol_table {
        problems.push(format!(
            "the binary has no symbol table (linked with -ldflags=-s): debuggers cannot resolve \
             function names; rebuild with {REBUILD}"
        ));
    }
    if report.trimpath {
        problems.push(format!(
            "the binary was built with -trimpath: gdb finds the Go runtime's support script \
             (runtime-gdb.py: info goroutines, Go types) and the source files by the absolute \
             paths -trimpath removes; rebuild with {REBUILD}"
        ));
    }
    if !check_dwarf_present(report, REBUILD, problems) {
        return;
    }
    let Some(dwarf) = &report.dwarf else { return };
    if let Some(main) = dwarf.package("main") {
        if main.optimised {
            problems.push(format!(
                "package main was compiled with optimisations: locals will show as \
                 <optimized out> in a debugger; rebuild with {REBUILD}"
            ));
        }
        if main.inlined {
            problems.push(format!(
                "package main was compiled with inlining: breakpoints on small functions may \
                 never be hit and their frames vanish from stack traces; rebuild with {REBUILD}"
            ));
        }
    }
    let others = |pick: fn(&super::dwarf::Package) -> bool| -> Vec<&str> {
        dwarf
            .packages
            .iter()
            .filter(|p| p.name != "main" && !p.runtime && pick(p))
            .map(|p| p.name.as_str())
            .collect()
    };
    let optimised = others(|p| p.optimised);
    if !optimised.is_empty() {
        problems.push(format!(
            "{} compiled with optimisations ({}): stepping into them shows <optimized out>; \
             -gcflags='-N -l' covers only the packages named on the command line, \
             -gcflags='all=-N -l' covers every package; rebuild with {REBUILD}",
            count_packages(optimised.len()),
            list(&optimised)
        ));
    }
    let inlined: Vec<&str> = others(|p| p.inlined && !p.optimised);
    if !inlined.is_empty() {
        problems.push(format!(
            "{} compiled with inlining ({}); rebuild with {REBUILD}",
            count_packages(inlined.len()),
            list(&inlined)
        ));
    }
}

fn check_release(report: &Inspection, problems: &mut Vec<String>) {
    if let Some(dwarf) = &report.dwarf {
        problems.push(format!(
            "the binary carries {} of DWARF debug information that a release build strips; \
             rebuild with gv build --release (-ldflags='-s -w')",
            crate::ui::human_size(dwarf.size_in_file)
        ));
    }
    if report.symbol_table {
        problems.push(
            "the binary has a symbol table that a release build strips; rebuild with \
             gv build --release (-ldflags=-s)"
                .to_string(),
        );
    }
}

fn count_packages(n: usize) -> String {
    if n == 1 {
        "1 other package was".to_string()
    } else {
        format!("{n} other packages were")
    }
}

fn list(names: &[&str]) -> String {
    let shown = names[..names.len().min(LIST_AT_MOST)].join(", ");
    if names.len() > LIST_AT_MOST {
        format!("{shown} and {} more", names.len() - LIST_AT_MOST)
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::super::dwarf::{Compression, Dwarf, Package};
    use super::*;

    fn report(dwarf: Option<Vec<(&str, bool, bool, bool)>>, symbols: bool) -> Inspection {
        Inspection {
            path: "app".into(),
            format: "elf",
            arch: "x86_64".into(),
            size: 1 << 20,
            build_info: None,
            dwarf: dwarf.map(|packages| Dwarf {
                compression: Compression::None,
                version: 4,
                size_in_file: 300_000,
                size_uncompressed: 300_000,
                units: packages.len(),
                go_units: 0,
                foreign_units: 0,
                packages: packages
                    .into_iter()
                    .map(|(name, optimised, inlined, runtime)| Package {
                        name: name.into(),
                        flags: String::new(),
                        optimised,
                        inlined,
                        runtime,
                    })
                    .collect(),
            }),
            symbol_table: symbols,
            trimpath: false,
            cgo: super::super::Cgo {
                enabled: None,
                linked: None,
            },
        }
    }

    #[test]
    fn debug_ignores_the_runtime_but_not_the_rest() {
        let good = report(
            Some(vec![
                ("main", false, false, false),
                ("runtime", true, false, true),
                ("fmt", false, false, false),
            ]),
            true,
        );
        assert!(check(&good, Expectation::Debug).ok);
        let main_optimised = report(
            Some(vec![
                ("main", true, true, false),
                ("fmt", true, true, false),
            ]),
            true,
        );
        let verdict = check(&main_optimised, Expectation::Debug);
        assert!(!verdict.ok);
        assert_eq!(
            verdict.problems[0],
            "package main was compiled with optimisations: locals will show as <optimized out> \
             in a debugger; rebuild with gv build --debug"
        );
        assert!(
            verdict
                .problems
                .iter()
                .any(|p| p.contains("1 other package was compiled with optimisations (fmt)"))
        );
        // The same binary still meets "dwarf".
        assert!(check(&main_optimised, Expectation::Dwarf).ok);
        assert!(!check(&main_optimised, Expectation::Release).ok);
    }

    #[test]
    fn stripped_binaries_meet_release_only() {
        let stripped = report(None, false);
        assert!(check(&stripped, Expectation::Release).ok);
        let verdict = check(&stripped, Expectation::Debug);
        assert!(
            verdict.problems.iter().any(|p| p.contains("no DWARF")),
            "{verdict:?}"
        );
        assert!(
            verdict
                .problems
                .iter()
                .any(|p| p.contains("no symbol table"))
        );
        assert!(!check(&stripped, Expectation::Dwarf).ok);
    }

    #[test]
    fn a_trimmed_binary_misses_debug_with_the_reason() {
        let mut trimmed = report(Some(vec![("main", false, false, false)]), true);
        assert!(check(&trimmed, Expectation::Debug).ok);
        trimmed.trimpath = true;
        let verdict = check(&trimmed, Expectation::Debug);
        assert_eq!(verdict.problems.len(), 1, "{verdict:?}");
        assert!(
            verdict.problems[0].starts_with(
                "the binary was built with -trimpath: gdb finds the Go runtime's support script"
            ),
            "{verdict:?}"
        );
        assert!(
            check(&trimmed, Expectation::Dwarf).ok,
            "dwarf does not care"
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        assert_eq!(list(&names), "a, b, c, d, e and 2 more");
    }
}
