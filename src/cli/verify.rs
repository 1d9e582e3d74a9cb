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

A stripped binary with a GNU build ID (gv build --release) is looked up in the symbol store:
gv says whether its debug information is there, and judges --expect debug or dwarf with it.

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
    let split = Split::of(&args.binary, &report);
    // A stripped binary is judged with its twin, as a debugger sees it; what ships is
    // judged alone for release.
    let pair = split
        .as_ref()
        .and_then(|s| s.debug_file.as_deref())
        .and_then(|debug| inspect::inspect_with_debug(&args.binary, debug).ok());
    let verdict = args.expect.map(|e| match (&pair, e) {
        (Some(pair), Expectation::Debug | Expectation::Dwarf) => inspect::expect::check(pair, e),
        _ => inspect::expect::check(&report, e),
    });
    if args.json {
        let mut value = json(&report, verdict.as_ref());
        value["gnu_build_id"] = serde_json::to_value(split.as_ref().map(|s| &s.build_id))?;
        value["symbol_store"] = match &split {
            Some(split) => serde_json::json!({
                "root": split.store,
                "debug_file": split.debug_file,
                "in_store": split.debug_file.is_some(),
                "dwarf": pair.as_ref().map(|p| &p.dwarf),
            }),
            None => serde_json::Value::Null,
        };
        crate::outln!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_text(&report);
        if let Some(split) = &split {
            split.print(pair.as_ref());
        }
        if let Some(verdict) = &verdict {
            print_verdict(verdict);
            if verdict.ok && pair.is_some() && verdict.expect != Expectation::Release {
                crate::outln!("  (with its debug information from the symbol store)");
            }
        }
    }
    Ok(match verdict {
        Some(v) if !v.ok => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    })
}

/// A binary without DWARF but with a GNU build ID: where its debug information would be.
struct Split {
    build_id: crate::symbols::BuildId,
    /// The store looked in (`None`: gv's directories cannot be found here).
    store: Option<std::path::PathBuf>,
    debug_file: Option<std::path::PathBuf>,
    /// The store has a file under this ID that carries another.
    mismatch: Option<String>,
}

impl Split {
    fn of(binary: &std::path::Path, report: &Inspection) -> Option<Split> {
        if report.format != "elf" || report.dwarf.is_some() {
            return None;
        }
        let build_id = crate::symbols::store::file_build_id(binary).ok()??;
        let store = crate::symbols::SymbolStore::from_env().ok();
        let (debug_file, mismatch) = match store.as_ref().map(|s| s.check(&build_id)) {
            Some(Ok(found)) => (found.map(|f| f.debug_file), None),
            Some(Err(e)) => (None, Some(e.to_string())),
            None => (None, None),
        };
        Some(Split {
            build_id,
            store: store.map(|s| s.root().to_path_buf()),
            debug_file,
            mismatch,
        })
    }

    fn print(&self, pair: Option<&Inspection>) {
        let row = |label: &str, value: String| crate::outln!("  {label:<14} {value}");
        row("build ID", self.build_id.to_string());
        let value = match (
            &self.debug_file,
            pair.and_then(|p| p.dwarf.as_ref()),
            &self.mismatch,
            &self.store,
        ) {
            (Some(file), Some(dwarf), _, _) => ui::out(
                &format!(
                    "in the symbol store: DWARF {}, {}, {} Go packages ({})",
                    dwarf.version,
                    human_size(dwarf.size_in_file),
                    dwarf.packages.len(),
                    file.display()
                ),
                Style::Green,
            ),
            (Some(file), None, _, _) => ui::out(
                &format!("in the symbol store, without DWARF ({})", file.display()),
                Style::Yellow,
            ),
            (None, _, Some(mismatch), _) => ui::out(mismatch, Style::Red),
            (None, _, None, Some(store)) => ui::out(
                &format!(
                    "not in the symbol store ({}): a debugger shows no arguments, locals or source lines",
                    store.display()
                ),
                Style::Yellow,
            ),
            (None, _, None, None) => "the symbol store cannot be found here".to_string(),
        };
        row("debug info", value);
    }
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
            // Every unit accounted for, in lines that fit 80 columns: cmd/compile's
            // (a package can span several), C's from cgo, and the linker's own (no
            // producer), then what the check looks at.
            let linker = dwarf
                .units
                .saturating_sub(dwarf.go_units + dwarf.foreign_units);
            let mut units = format!(
                "{}: {} from Go's compiler, for {} packages",
                dwarf.units,
                dwarf.go_units,
                dwarf.packages.len()
            );
            if dwarf.foreign_units > 0 {
                units.push_str(&format!(", {} C (cgo)", dwarf.foreign_units));
            }
            if linker > 0 {
                units.push_str(&format!(", {linker} by the linker"));
            }
            row("compile units", units);
            row(
                "",
                format!(
                    "{} packages checked, {runtime} runtime ones always optimised",
                    checked.len()
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
