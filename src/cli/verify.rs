use std::path::PathBuf;
use std::process::ExitCode;

use crate::inspect::{self, Expectation, Inspection, Verdict};
use crate::ui::human_size;
use crate::ui::{self, Style};

/// Report how a Go binary was built and whether it can be debugged
///
/// Reads the embedded build info and the DWARF (ELF, Mach-O, PE): Go version, build
/// settings, DWARF present/compressed/absent, per-package optimisation (-N) and inlining
/// (-l), symbol table, -trimpath, cgo. With --expect it is a check for CI.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv verify ./app                   what the binary is, and whether a debugger will like it
  gv verify ./app --expect debug    exit 1 unless every non-runtime package is -N -l with DWARF
  gv verify ./app --expect release  exit 1 if DWARF or symbols are left in
  gv verify ./app --json            the same report, for scripts

Exit codes: 0 the binary meets the expectation (or none was given), 1 it does not,
2 the file cannot be read as a Go binary.")]
pub struct Args {
    /// The Go binary to inspect
    #[arg(value_name = "BINARY")]
    pub binary: PathBuf,
    /// Fail (exit 1) unless the binary meets this profile's expectation
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub expect: Option<Expectation>,
    /// Print a JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let report = match inspect::inspect(&args.binary) {
        Ok(report) => report,
        Err(err) => {
            crate::error::print(&err);
            return Ok(ExitCode::from(2));
        }
    };
    let verdict = args.expect.map(|e| inspect::expect::check(&report, e));
    if args.json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&json(&report, verdict.as_ref()))?
        );
    } else {
        print_text(&report);
        if let Some(verdict) = &verdict {
            print_verdict(verdict);
        }
    }
    Ok(match verdict {
        Some(v) if !v.ok => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    })
}

/// The `--json` shape: the report plus a `main` summary and the verdict.
pub fn json(report: &Inspection, verdict: Option<&Verdict>) -> serde_json::Value {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    let main = report.dwarf.as_ref().and_then(|d| d.package("main"));
    value["main"] = serde_json::json!({
        "in_dwarf": main.is_some(),
        "optimised": main.map(|m| m.optimised),
        "inlined": main.map(|m| m.inlined),
    });
    value["dwarf_present"] = report.dwarf.is_some().into();
    value["verdict"] = serde_json::to_value(verdict).unwrap_or_default();
    value
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

pub fn print_text(report: &Inspection) {
    let go = report.go_version().unwrap_or("unknown Go version");
    crate::outln!(
        "{}: {} {} {}, {}",
        report.path.display(),
        ui::out(go, Style::Bold),
        report.format,
        report.arch,
        human_size(report.size)
    );
    let row = |label: &str, value: String| crate::outln!("  {label:<14} {value}");
    match report.dwarf.as_ref().and_then(|d| d.package("main")) {
        Some(main) => row(
            "package main",
            match (main.optimised, main.inlined) {
                (false, false) => ui::out("not optimised (-N), not inlined (-l)", Style::Green),
                (true, _) => ui::out("optimised: locals show as <optimized out>", Style::Yellow),
                (false, true) => ui::out("not optimised (-N), but inlined", Style::Yellow),
            },
        ),
        None => row("package main", "no DWARF for it".to_string()),
    }
    match &report.dwarf {
        Some(dwarf) => {
            let compression = match dwarf.compression {
                inspect::dwarf::Compression::None => "uncompressed".to_string(),
                inspect::dwarf::Compression::ShfCompressed => format!(
                    "compressed (SHF_COMPRESSED, {} unpacked)",
                    human_size(dwarf.size_uncompressed)
                ),
                inspect::dwarf::Compression::Zdebug => format!(
                    "compressed (.zdebug, {} unpacked)",
                    human_size(dwarf.size_uncompressed)
                ),
            };
            row(
                "DWARF",
                format!(
                    "present, version {}, {}, {compression}",
                    dwarf.version,
                    human_size(dwarf.size_in_file)
                ),
            );
            let runtime = dwarf.packages.iter().filter(|p| p.runtime).count();
            let checked: Vec<_> = dwarf.packages.iter().filter(|p| !p.runtime).collect();
            let optimised: Vec<&str> = checked
                .iter()
                .filter(|p| p.optimised)
                .map(|p| p.name.as_str())
                .collect();
            let inlined = checked.iter().filter(|p| p.inlined).count();
            row(
                "compile units",
                format!(
                    "{} ({} Go packages checked, {runtime} runtime packages always optimised{})",
                    dwarf.units,
                    checked.len(),
                    if dwarf.foreign_units > 0 {
                        format!(", {} C units", dwarf.foreign_units)
                    } else {
                        String::new()
                    }
                ),
            );
            row(
                "optimised",
                if optimised.is_empty() {
                    "none of them".to_string()
                } else {
                    format!("{} of them: {}", optimised.len(), shorten(&optimised))
                },
            );
            row("inlined", format!("{inlined} of them"));
        }
        None => row("DWARF", "absent".to_string()),
    }
    row("symbol table", yes_no(report.symbol_table).to_string());
    row("trimpath", yes_no(report.trimpath).to_string());
    let cgo = format!(
        "{}, {}",
        match report.cgo.enabled {
            Some(true) => "enabled",
            Some(false) => "disabled",
            None => "not recorded",
        },
        match report.cgo.linked {
            Some(true) => "C runtime linked",
            Some(false) => "no C code linked",
            None => "cannot tell whether C code is linked",
        }
    );
    row("cgo", cgo);
    if let Some(info) = &report.build_info {
        if let Some(path) = &info.path {
            row("path", path.clone());
        }
        for key in ["-gcflags", "-ldflags", "-tags", "GOOS", "GOARCH"] {
            if let Some(value) = info.setting(key) {
                row(key, value.to_string());
            }
        }
    }
}

fn shorten(names: &[&str]) -> String {
    const SHOW: usize = 6;
    let shown = names[..names.len().min(SHOW)].join(", ");
    if names.len() > SHOW {
        format!("{shown}, …")
    } else {
        shown
    }
}

pub fn print_verdict(verdict: &Verdict) {
    if verdict.ok {
        crate::outln!(
            "{} meets the {} profile's expectation",
            ui::out("ok:", Style::Green),
            verdict.expect
        );
        return;
    }
    crate::outln!(
        "{} does not meet the {} profile's expectation:",
        ui::out("FAIL:", Style::Red),
        verdict.expect
    );
    for problem in &verdict.problems {
        crate::outln!("  - {problem}");
    }
}
