//! Step 4, verify: `gv verify`'s check of each staged binary against the profile's
//! expectation, before anything is moved into place.

use std::path::Path;

use anyhow::Context as _;

use super::Mode;
use super::profile::Profile;
use super::stage::Product;
use crate::inspect::{self, Expectation};
use crate::symbols::BuildId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A non-main package's archive (`go build -o lib.a ./lib`): no program to check.
    NotAProgram,
    /// The profile expects nothing (`expect = "none"`).
    Unchecked,
    /// Meets the expectation; what the DWARF holds, in a few words.
    Meets(String),
    /// go found the binary in place up to date, and gv had verified exactly that binary
    /// (build ID, size, modification time) against this expectation: not read again.
    Remembered(String),
    Misses {
        expect: Expectation,
        problems: Vec<String>,
    },
}

impl Verdict {
    pub fn passed(&self) -> bool {
        !matches!(self, Verdict::Misses { .. })
    }
}

/// The debug information kept apart from a binary (`keep_debug`), as its verdict counts it.
#[derive(Debug, Clone, Copy)]
pub enum Twin<'a> {
    /// The profile keeps none: the binary is judged alone.
    NotKept,
    /// The binary was split; its twin is at `path`.
    At {
        path: &'a Path,
        build_id: &'a BuildId,
    },
    /// The binary could not be split, and why.
    Refused(&'a str),
    /// A binary go left in place whose twin is not in the store.
    Missing,
}

/// Every test binary is a program; go build writes a main package's binary or, with
/// `-o FILE`, a package archive.
pub fn is_program(product: &Product, mode: Mode) -> bool {
    mode == Mode::Test || product.package.as_ref().is_none_or(|p| p.is_main())
}

pub fn judge(
    product: &Product,
    mode: Mode,
    profile: &Profile,
    twin: Twin<'_>,
) -> anyhow::Result<Verdict> {
    if !is_program(product, mode) {
        return Ok(Verdict::NotAProgram);
    }
    let context = || {
        format!(
            "cannot verify the binary go produced at {}",
            product.file.display()
        )
    };
    // A profile that keeps debug information ships stripped binaries whatever it expects.
    let keep_expect = profile.expect.unwrap_or(Expectation::Release);
    let (path, build_id) = match twin {
        Twin::NotKept => {
            let Some(expect) = profile.expect else {
                return Ok(Verdict::Unchecked);
            };
            let report = inspect::inspect(&product.file).with_context(context)?;
            let verdict = inspect::expect::check(&report, expect);
            if !verdict.ok {
                return Ok(Verdict::Misses {
                    expect,
                    problems: verdict.problems,
                });
            }
            return Ok(Verdict::Meets(match &report.dwarf {
                Some(d) => dwarf_summary(d),
                None => "no DWARF, no symbol table".to_string(),
            }));
        }
        Twin::Refused(why) => {
            return Ok(Verdict::Misses {
                expect: keep_expect,
                problems: vec![why.to_string()],
            });
        }
        Twin::Missing => {
            return Ok(Verdict::Misses {
                expect: keep_expect,
                problems: vec![
                    "its debug information is not in the symbol store (`gv symbols prune` removed it?); \
                     rebuild it with `go clean -cache` first, or delete the binary, so go links it again"
                        .to_string(),
                ],
            });
        }
        Twin::At { path, build_id } => (path, build_id),
    };
    // What ships must be stripped; what a debugger sees (the pair) must meet the rest.
    let shipped = inspect::inspect(&product.file).with_context(context)?;
    let pair = inspect::inspect_with_debug(&product.file, path).with_context(context)?;
    let mut problems = inspect::expect::check(&shipped, Expectation::Release).problems;
    if keep_expect != Expectation::Release {
        problems.extend(inspect::expect::check(&pair, keep_expect).problems);
    } else {
        let mut dwarf = Vec::new();
        if !inspect::expect::check_dwarf(&pair, &mut dwarf) {
            problems.extend(
                dwarf
                    .into_iter()
                    .map(|p| format!("the debug information kept for it: {p}")),
            );
        }
    }
    if !problems.is_empty() {
        return Ok(Verdict::Misses {
            expect: keep_expect,
            problems,
        });
    }
    Ok(Verdict::Meets(format!(
        "stripped; its debug information, {}, is in the symbol store under build ID {}",
        pair.dwarf.as_ref().map_or_else(String::new, dwarf_summary),
        build_id.short()
    )))
}

fn dwarf_summary(d: &inspect::Dwarf) -> String {
    format!(
        "DWARF {} ({}), {} Go packages",
        d.version,
        crate::ui::human_size(d.size_in_file),
        d.packages.len()
    )
}

/// The verdict gv recorded for the binary `linked` was before go ran, if it was exactly
/// that binary, for this profile's expectation.
pub fn recall(
    verdicts: Option<&super::verdicts::Verdicts>,
    linked: &super::stage::Linked,
    profile: &Profile,
) -> Option<Verdict> {
    let expect = profile.expect?;
    verdicts?
        .recall(&linked.dest, expect, &linked.before)
        .map(Verdict::Remembered)
}

/// Records that the binary now at `dest` met the profile (or forgets what was recorded
/// for it, when it did not).
pub fn remember(
    verdicts: Option<&super::verdicts::Verdicts>,
    dest: &std::path::Path,
    profile: &Profile,
    verdict: &Verdict,
) {
    let (Some(verdicts), Some(expect)) = (verdicts, profile.expect) else {
        return;
    };
    match (verdict, super::verdicts::Stamp::of(dest)) {
        (Verdict::Meets(detail) | Verdict::Remembered(detail), Some(stamp)) => {
            verdicts.remember(dest, expect, stamp, detail);
        }
        _ => verdicts.forget(dest, expect),
    }
}
