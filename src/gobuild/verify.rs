//! Step 4, verify: `gv verify`'s check of each staged binary against the profile's
//! expectation, before anything is moved into place.

use anyhow::Context as _;

use super::Mode;
use super::profile::Profile;
use super::stage::Product;
use crate::inspect::{self, Expectation};

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

pub fn judge(product: &Product, mode: Mode, profile: &Profile) -> anyhow::Result<Verdict> {
    // Every test binary is a program; go build writes a main package's binary or, with
    // `-o FILE`, a package archive.
    let program = mode == Mode::Test || product.package.as_ref().is_none_or(|p| p.is_main());
    if !program {
        return Ok(Verdict::NotAProgram);
    }
    let Some(expect) = profile.expect else {
        return Ok(Verdict::Unchecked);
    };
    let report = inspect::inspect(&product.file).with_context(|| {
        format!(
            "cannot verify the binary go produced at {}",
            product.file.display()
        )
    })?;
    let verdict = inspect::expect::check(&report, expect);
    if !verdict.ok {
        return Ok(Verdict::Misses {
            expect,
            problems: verdict.problems,
        });
    }
    Ok(Verdict::Meets(match &report.dwarf {
        Some(d) => format!(
            "DWARF {} ({}), {} Go packages",
            d.version,
            crate::ui::human_size(d.size_in_file),
            d.packages.len()
        ),
        None => "no DWARF, no symbol table".to_string(),
    }))
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
