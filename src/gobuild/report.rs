//! What gv says about each binary: one line when it passed, the problems and where the
//! binary went when it did not, and a word when there was nothing to verify.

use super::Mode;
use super::packages::Package;
use super::profile::Profile;
use super::publish::Fate;
use super::stage::Product;
use super::verify::Verdict;
use gv_core::error::Report;

/// One binary's verdict and fate.
pub fn binary(product: &Product, mode: Mode, profile: &Profile, verdict: &Verdict, fate: &Fate) {
    let subject = subject(product, mode, fate);
    match verdict {
        Verdict::Meets(detail) => crate::ui::info(format!(
            "gv: verified {subject}: meets the {} profile ({detail})",
            profile.name
        )),
        Verdict::Remembered(detail) => crate::ui::info(format!(
            "gv: {subject} is up to date: go rebuilt nothing, and gv verified this very binary before: meets the {} profile ({detail})",
            profile.name
        )),
        Verdict::Unchecked => crate::ui::info(format!(
            "gv: built {subject} (profile {} has no expectation to verify)",
            profile.name
        )),
        Verdict::NotAProgram => crate::ui::info(format!(
            "gv: wrote {subject}: {} is not a main package, so there is no program to verify",
            product
                .package
                .as_ref()
                .map_or_else(|| "it".to_string(), Package::label)
        )),
        Verdict::Misses { expect, problems } => {
            let (went, hint) = match fate {
                Fate::Kept {
                    kept,
                    dest,
                    existed,
                } => (
                    if *existed {
                        format!(
                            "kept as {}; {} is left as it was",
                            kept.display(),
                            dest.display()
                        )
                    } else {
                        format!(
                            "kept as {}; nothing is written to {}",
                            kept.display(),
                            dest.display()
                        )
                    },
                    format!(
                        "`{}` gives the full report",
                        gv_core::suggest::command([
                            "gv",
                            "verify",
                            &gv_core::suggest::path(kept),
                            "--expect",
                            &expect.to_string()
                        ])
                    ),
                ),
                Fate::InPlace { dest, .. } => (
                    format!(
                        "it is the binary already at {}, which go found up to date; nothing was replaced",
                        dest.display()
                    ),
                    format!(
                        "`gv verify {} --expect {expect}` gives the full report",
                        dest.display()
                    ),
                ),
                _ => (
                    match mode {
                        Mode::Build => "removed".to_string(),
                        Mode::Test | Mode::Run => "removed; nothing was run".to_string(),
                    },
                    match mode {
                        Mode::Build => {
                            "build it with -o FILE or -o DIR/ to keep it for `gv verify`"
                        }
                        Mode::Test => "`gv test -o DIR/ …` keeps test binaries for `gv verify`",
                        Mode::Run => "`gv build -o FILE …` keeps the program for `gv verify`",
                    }
                    .to_string(),
                ),
            };
            crate::ui::report(&Report {
                message: format!(
                    "{subject} does not meet the {} profile's expectation ({expect}):\n{}\n  {went}",
                    profile.name,
                    problems
                        .iter()
                        .map(|p| format!("  - {p}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                hint: Some(hint),
            });
        }
    }
}

/// How a message names a binary: where it is, else what it was built from.
fn subject(product: &Product, mode: Mode, fate: &Fate) -> String {
    match (fate, &product.package) {
        (Fate::Landed(path) | Fate::InPlace { dest: path, .. }, _) => path.display().to_string(),
        (Fate::Kept { dest, .. }, _) => format!("the binary built for {}", dest.display()),
        (Fate::Staged(_) | Fate::Dropped, Some(package)) if mode == Mode::Test => {
            format!("the test binary of {}", package.label())
        }
        (Fate::Staged(_) | Fate::Dropped, Some(package)) => package.label(),
        (Fate::Staged(_) | Fate::Dropped, None) => product.file_name(),
    }
}

/// go wrote nothing: say why there was nothing to verify (go already said "no test
/// files", and "matched no packages").
pub fn nothing_built(mode: Mode, packages: &[Package]) {
    if mode != Mode::Build {
        return;
    }
    match packages {
        [] => {}
        [one] => crate::ui::info(format!(
            "gv: compiled {}: not a main package, so there is no program to verify",
            one.label()
        )),
        several => crate::ui::info(format!(
            "gv: compiled {} packages: none is a main package, so there is no program to verify",
            several.len()
        )),
    }
}

/// go build keeps nothing when it builds several packages; gv verified them all the same.
pub fn none_kept() {
    crate::ui::info(
        "gv: go build keeps no binary when it builds several packages: add -o DIR/ to keep them",
    );
}
