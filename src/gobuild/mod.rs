//! `gv build`, `gv test` and `gv run` with a profile. [`execute`] is the pipeline, one
//! module per step:
//!
//! 1. **plan** (`plan`, `packages`, `overlay`, `layout`): one merged go command line, the
//!    packages as `go list` sees them, the panic-readiness overlay, and where go writes
//!    and each binary lands — wherever the go command itself would put it;
//! 2. **stage** (`stage`): a private directory beside the destination for go to write into;
//! 3. **run go** (`toolchain`): the selected SDK with the shim's environment; with
//!    `keep_debug`, each binary is then split (`keep`): the stripped one stays, its debug
//!    twin waits to be filed in the symbol store;
//! 4. **verify** (`verify`): `gv verify`'s check of every binary against the profile;
//! 5. **publish** (`publish`, `report`): a binary that passed is renamed into place; one
//!    that failed never replaces anything;
//! 6. **run** (`launch`): for `gv run` and `gv test`, the program or the test binaries.
//!
//! Plain `go run` and `go test` always link with `-s -w` and compile with `-dwarf=false`,
//! so a debuggable run has to `go build` (or `go test -c`) and execute the result.

pub mod flags;
pub mod keep;
pub mod launch;
pub mod layout;
pub mod list_memo;
pub mod memo;
pub mod overlay;
pub mod packages;
pub mod plan;
pub mod profile;
pub mod publish;
pub mod report;
pub mod stage;
pub mod toolchain;
pub mod verdicts;
pub mod verify;

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::inspect;
use flags::{GoFlag, Shape};
use layout::{Invocation, Landing, Out};
use packages::{Listed, Package};
pub use plan::{Planned, plan};
pub use profile::Profile;
use stage::Stage;
pub use toolchain::Toolchain;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Build,
    /// `go test -c`, then run each test binary in its package directory. The traceback
    /// level reaches it through GOTRACEBACK rather than the overlay (vet cannot see it).
    Test,
    /// `go build`, then run the program.
    Run,
}

impl Mode {
    fn shape(self) -> Shape {
        match self {
            Mode::Run => Shape::Run,
            Mode::Build | Mode::Test => Shape::Build,
        }
    }
}

pub struct Outcome {
    /// Binaries that passed (moved to where the user expects them, or run and removed).
    pub binaries: Vec<PathBuf>,
    /// The exit code the gv command should end with.
    pub code: u8,
}

impl Outcome {
    fn failed(code: u8) -> Outcome {
        Outcome {
            binaries: Vec::new(),
            code,
        }
    }
}

pub struct Options<'a> {
    pub mode: Mode,
    pub profile: &'a Profile,
    pub planned: Planned,
    pub toolchain: &'a Toolchain,
    pub cwd: &'a Path,
    pub explain: bool,
}

pub fn execute(opts: Options<'_>) -> anyhow::Result<Outcome> {
    let Options {
        mode,
        profile,
        mut planned,
        toolchain,
        cwd,
        explain,
    } = opts;
    let workdir = planned.workdir(cwd);
    if profile.expect == Some(inspect::Expectation::Debug)
        && let Some(source) = goflags_trimpath(&planned, toolchain)
    {
        // go applies GOFLAGS first: a flag on the command line overrides it.
        planned
            .flags
            .push(GoFlag::new("trimpath", Some("false")).render());
        planned
            .notes
            .push(plan::without_trimpath(&profile.name, &source));
    }
    for note in &planned.notes {
        crate::ui::info(format!("gv: {note}"));
    }
    let store = match profile.keep_debug {
        true => Some(crate::symbols::SymbolStore::from_env()?),
        false => None,
    };

    // 1. Plan.
    let packages = match packages::list(toolchain, &planned, &planned.packages, &workdir)? {
        Listed::Packages(packages) => packages,
        Listed::Failed(code) => return Ok(Outcome::failed(code)),
    };
    let scratch = tempfile::Builder::new()
        .prefix("gv-build-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let ready = overlay::prepare(
        profile,
        toolchain,
        mode,
        &planned,
        &packages,
        scratch.path(),
        &workdir,
    )?;
    let layout = layout::decide(
        mode,
        planned.output.as_deref(),
        &ready.patterns,
        &packages,
        &workdir,
    )?;

    // 2. Stage.
    let stage = Stage::create(&layout.landing, scratch.path())?;
    let linked = stage.link_existing(
        &layout,
        &packages,
        mode,
        exe_suffix(&planned, toolchain),
        store.as_ref(),
    );

    // 3. Run go.
    for invocation in &layout.invocations {
        let args = go_args(mode, invocation, &planned, ready.flag.as_deref(), &stage);
        let code = toolchain.run(&args, &workdir, &planned.env, explain)?;
        if code != 0 {
            stage.abandon();
            return Ok(Outcome::failed(code));
        }
    }
    let products = stage.products(&layout, &packages, mode)?;
    if products.is_empty() {
        report::nothing_built(mode, &packages);
        stage.abandon();
        return Ok(Outcome::failed(0));
    }

    // 4. Verify and 5. publish, binary by binary.
    let verdicts = profile.expect.and_then(|_| verdicts::Verdicts::open());
    let mut passed: Vec<(PathBuf, Option<Package>)> = Vec::new();
    let mut failed = false;
    for product in &products {
        let in_place = linked
            .iter()
            .find(|l| l.staged == product.file)
            .filter(|l| l.unchanged());
        let (verdict, fate) = match in_place {
            Some(linked) => {
                // go found the binary in place up to date: nothing to publish, and
                // nothing to read if gv verified exactly this binary before.
                let twin_path = store.as_ref().and_then(|s| keep::twin_of(s, &linked.dest));
                let twin_id = twin_path
                    .as_ref()
                    .and_then(|p| crate::symbols::store::file_build_id(p).ok().flatten());
                let twin = match (&store, &twin_path, &twin_id) {
                    (None, _, _) => verify::Twin::NotKept,
                    (Some(_), Some(path), Some(build_id)) => verify::Twin::At { path, build_id },
                    (Some(_), _, _) => verify::Twin::Missing,
                };
                let verdict = verify::recall(verdicts.as_ref(), linked, profile)
                    .map_or_else(|| verify::judge(product, mode, profile, twin), Ok)?;
                verify::remember(verdicts.as_ref(), &linked.dest, profile, &verdict);
                let fate = publish::in_place(&linked.dest, verdict.passed());
                (verdict, fate)
            }
            None => {
                let split = match &store {
                    Some(store) if verify::is_program(product, mode) => {
                        Some(keep::split(product, store)?)
                    }
                    _ => None,
                };
                let twin = match &split {
                    None => verify::Twin::NotKept,
                    Some(keep::Split::Kept(kept)) => verify::Twin::At {
                        path: kept.debug_path(),
                        build_id: &kept.build_id,
                    },
                    Some(keep::Split::Refused(why)) => verify::Twin::Refused(why),
                };
                let verdict = verify::judge(product, mode, profile, twin)?;
                if let (Some(store), Some(keep::Split::Kept(kept)), true) =
                    (&store, split, verdict.passed())
                {
                    let landed = publish::destination(product, &layout.landing);
                    let record = keep::record(product, toolchain, profile, landed);
                    keep::file(store, kept, &product.file, record)?;
                }
                let fate = publish::publish(product, verdict.passed(), &layout.landing)?;
                if let publish::Fate::Landed(dest) = &fate {
                    verify::remember(verdicts.as_ref(), dest, profile, &verdict);
                }
                (verdict, fate)
            }
        };
        report::binary(product, mode, profile, &verdict, &fate);
        failed |= !verdict.passed();
        if let Some(binary) = fate.binary() {
            passed.push((binary.to_path_buf(), product.package.clone()));
        }
    }
    if mode == Mode::Build && layout.landing == Landing::Nowhere && planned.output.is_none() {
        report::none_kept();
    }
    let binaries = passed.iter().map(|(b, _)| b.clone()).collect();
    if failed {
        return Ok(Outcome { binaries, code: 1 });
    }

    // 6. Run.
    let code = match mode {
        Mode::Build => 0,
        Mode::Run => launch::binary(
            &passed[0].0,
            &planned.program_args,
            &workdir,
            toolchain,
            &ready.run_env,
        )?,
        Mode::Test => launch::tests(
            &passed,
            &planned.program_args,
            &workdir,
            toolchain,
            &ready.run_env,
        )?,
    };
    // The stage and the scratch directory (and a test or run binary in them) go here.
    drop(stage);
    drop(scratch);
    Ok(Outcome { binaries, code })
}

/// What, if anything, has GOFLAGS hold -trimpath for this go command: gv's `[env]` or the
/// profile's, the environment's, or Go's env file (`go env -w`).
fn goflags_trimpath(planned: &Planned, toolchain: &Toolchain) -> Option<String> {
    let from_env = |value: &std::ffi::OsStr| plan::goflags_trim(&value.to_string_lossy());
    if let Some(value) = planned.env.get("GOFLAGS") {
        return plan::goflags_trim(value).then(|| "GOFLAGS in the profile's env".to_string());
    }
    if let Some((_, value)) = toolchain.env.iter().find(|(k, _)| k == "GOFLAGS") {
        return from_env(value).then(|| "GOFLAGS from gv's [env]".to_string());
    }
    if let Some(value) = gv_core::process::var_os("GOFLAGS") {
        return from_env(&value).then(|| "GOFLAGS in the environment".to_string());
    }
    let file = crate::go_settings::go_env_file(&gv_core::process::var_os)?;
    let value = crate::go_settings::read_go_env_value(&file, "GOFLAGS")?;
    plan::goflags_trim(&value).then(|| format!("GOFLAGS in {} (go env -w)", file.display()))
}

/// go's suffix for executables of the target GOOS (`.exe` for windows): the name go
/// gives a binary in an `-o DIR/`.
fn exe_suffix(planned: &Planned, toolchain: &Toolchain) -> &'static str {
    let goos = planned
        .env
        .get("GOOS")
        .map(|v| v.into())
        .or_else(|| {
            toolchain
                .env
                .iter()
                .find(|(k, _)| k == "GOOS")
                .map(|(_, v)| v.clone())
        })
        .or_else(|| gv_core::process::var_os("GOOS"))
        .filter(|v| !v.is_empty());
    let goos = goos.map_or_else(
        || gv_core::platform::go_os(std::env::consts::OS).to_string(),
        |v| v.to_string_lossy().into_owned(),
    );
    if goos == "windows" { ".exe" } else { "" }
}

/// `go build -o=STAGE/ FLAGS -overlay=… PACKAGES` (or `go test -c …`) for one invocation.
fn go_args(
    mode: Mode,
    invocation: &Invocation,
    planned: &Planned,
    overlay: Option<&str>,
    stage: &Stage,
) -> Vec<String> {
    let mut args: Vec<String> = match mode {
        Mode::Test => vec!["test".into(), "-c".into()],
        Mode::Build | Mode::Run => vec!["build".into()],
    };
    let output = match &invocation.out {
        Out::Nothing => None,
        Out::Dir(sub) => Some(format!("{}/", stage.path().join(sub).display())),
        Out::File(name) => Some(stage.path().join(name).to_string_lossy().into_owned()),
        Out::AsGiven(o) => Some(o.clone()),
    };
    args.extend(output.map(|o| GoFlag::new("o", Some(&o)).render()));
    args.extend(planned.flags.iter().cloned());
    args.extend(overlay.map(str::to_string));
    args.extend(invocation.packages.iter().cloned());
    args
}
