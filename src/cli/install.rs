use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gv_core::Spec;
use gv_core::config::Config;
use gv_core::select::Origin;

use super::{Session, UsageError};

mod complete;
pub(crate) mod source;
use crate::install::{self, ArchiveSource, Checksum, Options, SdkSource};
use crate::sources::Platform;
use crate::sources::mirror::Mirror;
use crate::ui;
pub use source::{SourceKind, ls_remote as ls_remote_goproxy, proxy_source};

/// Download, verify and install Go versions
///
/// Resolves each version against the go.dev release index (or a mirror), then downloads,
/// checks the sha256, and unpacks in one streaming pass; the unpacked SDK (Go 1.21 and
/// later) is then proven by the checksum database (GOSUMDB), whatever mirror served it.
/// With --source goproxy the toolchain module comes through GOPROXY instead, proven
/// genuine by the same database as Go's own toolchain switch proves it. A version
/// directory appears only complete and verified.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv install 1.22                newest Go 1.22.x
  gv install 1.22.10 1.23rc1     exact versions (go1.22.10 works too)
  gv install latest              newest stable release
  gv install                     whatever this directory selects (.go-version, go.mod ...)
  gv install 1.22 --mirror golang.google.cn
  gv install --offline 1.22.10   from the download cache, no network
  gv install -l                  every version available (goenv's form of `gv ls-remote --all`)
  gv install --from-file ./go1.22.10.linux-amd64.tar.gz
  gv install 1.22 --source goproxy   through GOPROXY, verified by the checksum database
  gv install 1.22.10 --os darwin --arch arm64   another platform's SDK (cross builds, tests)
  gv install 1.15.15 --arch amd64   on Apple Silicon: the Intel build, for Rosetta 2")]
pub struct Args {
    /// Versions: 1.22.3, go1.22.3, 1.22 (newest 1.22.x), latest, 1.23rc1
    #[arg(value_parser = clap::value_parser!(Spec), value_name = "VERSION", add = complete::remote_versions())]
    specs: Vec<Spec>,
    #[command(flatten)]
    source: SourceArgs,
    /// Reinstall even if the version is already installed
    #[arg(long, short)]
    force: bool,
    /// Skip versions already installed (what gv always does without --force; goenv's
    /// `-s`, accepted for CI lines)
    #[arg(long, short, conflicts_with = "force")]
    skip_existing: bool,
    /// List every version available for download, rc and beta too, and exit (goenv's
    /// `install -l`; `gv ls-remote` is gv's own)
    #[arg(long, short, conflicts_with_all = ["specs", "from_file", "force"])]
    list: bool,
    /// Install a local go.dev archive (goV.OS-ARCH.tar.gz)
    #[arg(long, value_name = "ARCHIVE", conflicts_with = "specs")]
    from_file: Option<PathBuf>,
    /// Install even when no checksum can be had: no sha256 for the archive, or (goproxy)
    /// GOSUMDB=off / GONOSUMDB / GOPRIVATE exempting the toolchain (unsafe)
    #[arg(long)]
    insecure_skip_checksum: bool,
    /// Print only warnings and errors
    #[arg(long, short)]
    quiet: bool,
    /// Install the SDK for this OS (GOOS: linux, darwin, ...) instead of this machine's,
    /// into GV_ROOT/platforms/OS-ARCH/; such SDKs are listed, never selected
    #[arg(long, value_name = "GOOS")]
    os: Option<String>,
    /// Install the SDK for this architecture (GOARCH: amd64, arm64, ...) instead of this
    /// machine's; see --os
    #[arg(long, value_name = "GOARCH")]
    arch: Option<String>,
}

/// Where releases come from; shared with `gv ls-remote`.
#[derive(Debug, clap::Args)]
pub struct SourceArgs {
    /// Where Go comes from: go.dev or a mirror (dl), or GOPROXY verified by GOSUMDB
    /// (goproxy) [default: GV_SOURCE, else `source` in config.toml, else dl]
    #[arg(long, value_enum, value_name = "SOURCE")]
    source: Option<SourceKind>,
    /// Mirror name (go.dev, golang.google.cn, aliyun, ustc) or a URL laid out like go.dev/dl
    #[arg(long, value_name = "NAME|URL")]
    mirror: Option<String>,
    /// Use only the cached release index and downloads
    #[arg(long, conflicts_with = "refresh")]
    offline: bool,
    /// Fetch the release index even if the cached copy is recent
    #[arg(long)]
    refresh: bool,
}

impl SourceArgs {
    /// Install options from the flags, GV_GO_MIRROR (else goenv's GO_BUILD_MIRROR_URL)
    /// and the `mirror` config key.
    pub fn options(&self, config: &Config) -> anyhow::Result<Options> {
        let env = Mirror::env_setting();
        let env = env.as_ref().map(|(var, value)| (*var, value.as_str()));
        let mirror =
            Mirror::choose(self.mirror.as_deref(), env, config).map_err(|e| UsageError::of(&e))?;
        let mut opts = Options::new(mirror, gv_core::store::Cache::from_env()?);
        opts.offline = self.offline;
        opts.refresh = self.refresh;
        opts.proof = install::Policy::load(config).map_err(UsageError::new)?;
        Ok(opts)
    }

    /// `--source`, else GV_SOURCE, else the user's `source` key, else go.dev. A mirror
    /// belongs to the go.dev source only.
    pub fn kind(&self, config: &Config) -> anyhow::Result<SourceKind> {
        let env = gv_core::process::var(gv_core::vars::SOURCE).ok();
        let kind = source::choose(self.source, env.as_deref(), config)?;
        if kind == SourceKind::Goproxy && self.mirror.is_some() {
            return Err(UsageError::hinted(
                "--mirror picks a go.dev look-alike; the goproxy source uses GOPROXY instead",
                "drop --mirror, or use --source dl",
            )
            .into());
        }
        Ok(kind)
    }
}

impl Args {
    /// goenv's `install -l`: a listing (`gv ls-remote --all`) is asked for, not an install.
    pub(super) fn wants_list(&self) -> bool {
        self.list
    }

    /// The sources to list from (see [`Args::wants_list`]).
    pub(super) fn into_source(self) -> SourceArgs {
        self.source
    }
}

pub fn run(session: &Session, args: Args) -> anyhow::Result<ExitCode> {
    // Installed versions are always skipped without --force: -s only says so.
    let _ = args.skip_existing;
    let config = session.config()?;
    let kind = args.source.kind(config)?;
    let mut opts = args.source.options(config)?;
    opts.force = args.force;
    opts.insecure_skip_checksum = args.insecure_skip_checksum;
    opts.quiet = args.quiet;
    if args.os.is_some() || args.arch.is_some() {
        opts.platform = chosen_platform(args.os.as_deref(), args.arch.as_deref())?;
    }
    // Another platform's SDKs go to a store of their own, which selection never reads.
    let foreign = opts.is_foreign();
    let target = if foreign {
        session.store().platform_store(&opts.platform.key())
    } else {
        session.store().clone()
    };

    // What to install, each with how a failure names it, and from where.
    let (wanted, source, mut stand_in) = match &args.from_file {
        Some(_) if kind == SourceKind::Goproxy => {
            return Err(UsageError::new(
                "--from-file installs a go.dev archive; it does not go with --source goproxy",
            )
            .into());
        }
        Some(path) => {
            let spec = install::file_spec(path)
                .with_context(|| format!("cannot install {}", path.display()))?;
            let wanted = vec![(spec, path.display().to_string())];
            (wanted, SdkSource::File(path.clone()), None)
        }
        None => {
            let Some((specs, stand_in)) = wanted_specs(session, args.specs, &opts)? else {
                return Ok(ExitCode::SUCCESS);
            };
            let source = match kind {
                SourceKind::Dl => SdkSource::Dl,
                SourceKind::Goproxy => SdkSource::Goproxy(Box::new(source::proxy_source(config)?)),
            };
            let wanted = specs
                .into_iter()
                .map(|spec| {
                    let name = format!("Go {spec}");
                    (spec, name)
                })
                .collect();
            (wanted, source, stand_in)
        }
    };

    let mut failed = 0;
    let mut first_installed = None;
    for (spec, name) in &wanted {
        let mut outcome = install::install(&target, spec, &opts, &source);
        if let (Err(install::InstallError::NoSuchRelease { .. }), Some((other, why))) =
            (&outcome, stand_in.take())
        {
            ui::info(format!(
                "there is no release {spec} to install; installing the newest release that satisfies {why} instead"
            ));
            outcome = install::install(&target, &other, &opts, &source);
        }
        match outcome {
            Ok(done) => {
                report(&done, opts.quiet);
                first_installed.get_or_insert(done.version);
            }
            Err(err) => {
                install_failed(name, err);
                failed += 1;
            }
        }
    }
    if let Some(version) = first_installed.filter(|_| !foreign) {
        welcome(session, &version, opts.quiet)?;
    }
    install::after_store_change(session.store()).context("cannot sync the store")?;
    if failed < wanted.len() {
        kept_apart(&opts, &target);
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The specs named, else what this directory selects; with that, for a go.mod or
/// go.work, what else satisfies it when the release index lacks exactly the toolchain go
/// would fetch (a mirror without that patch). `None`: the selection is installed already.
#[allow(clippy::type_complexity)]
fn wanted_specs(
    session: &Session,
    specs: Vec<Spec>,
    opts: &Options,
) -> anyhow::Result<Option<(Vec<Spec>, Option<(Spec, String)>)>> {
    if !specs.is_empty() {
        return Ok(Some((specs, None)));
    }
    if opts.is_foreign() {
        return Err(UsageError::hinted(
            "--os/--arch install another platform's SDK, so name the version",
            format!(
                "gv install 1.22.10 --os {} --arch {}",
                opts.platform.os, opts.platform.arch
            ),
        )
        .into());
    }
    let request = session.request()?;
    if request.origin == Origin::Default {
        return Err(UsageError::hinted(
            "no Go version is selected here, so there is nothing to install",
            "name one (`gv install 1.22`) or pin this directory (`gv local 1.22`)",
        )
        .into());
    }
    if let (Ok(selection), false) = (session.selection(), opts.force) {
        if !opts.quiet {
            ui::info(format!(
                "Go {} is already installed ({})",
                selection.resolved.name(),
                selection.request.origin
            ));
        }
        return Ok(None);
    }
    // What the selection itself names as missing: with an exported GOTOOLCHAIN, that
    // is not what the files here ask for.
    let missing = match session.selection() {
        Err(gv_core::SelectError::NotInstalled {
            install: Some(spec),
            ..
        }) => Spec::parse(&spec).ok(),
        _ => None,
    };
    let Some(spec) = missing.or_else(|| request.install_spec()) else {
        bail!(
            "this directory selects the system go ({}); gv has nothing to install",
            request.origin
        );
    };
    let mut stand_in = None;
    if let (Origin::Module { path, wants, .. }, Spec::Exact(target)) = (&request.origin, &spec) {
        stand_in = Some((
            Spec::AtLeast(target.clone()),
            format!("{wants} in {}", path.display()),
        ));
    }
    Ok(Some((vec![spec], stand_in)))
}

/// `--os`/`--arch` over this machine's platform.
fn chosen_platform(os: Option<&str>, arch: Option<&str>) -> Result<Platform, UsageError> {
    let host = Platform::host();
    Platform::named(os.unwrap_or(&host.os), arch.unwrap_or(&host.arch)).map_err(UsageError::new)
}

/// Says where another platform's SDK went, and that selection leaves it alone.
fn kept_apart(opts: &Options, target: &gv_core::Store) {
    if opts.is_foreign() && !opts.quiet {
        ui::info(format!(
            "Go for {} is kept apart from this machine's SDKs, in {}: `gv list` shows it; version selection and the shims never use it",
            opts.platform,
            target.root().display()
        ));
    }
}

/// Reports one version (or archive) that could not be installed (the others go on).
fn install_failed(name: &str, err: impl std::error::Error + Send + Sync + 'static) {
    let err = anyhow::Error::new(err).context(format!("cannot install {name}"));
    ui::report(&crate::error::report(&err));
}

/// A newcomer's first install should leave a working `go`: with no global default yet, the
/// version just installed becomes it (one line says so), and when the shims are not on
/// PATH, the one line for the shell's rc file follows, as rustup does.
fn welcome(session: &Session, installed: &gv_core::Version, quiet: bool) -> anyhow::Result<()> {
    if session.store().global_default()?.is_none() {
        crate::pin::set_global_quietly(session.store(), &Spec::Exact(installed.clone()))?;
        if !quiet {
            ui::info_hinted(
                format!("Go {installed} is now the global default (the first version installed)"),
                "change it with `gv global VERSION`",
            );
        }
    }
    let shims = session.store().shims_dir();
    let on_path = session
        .select_env()
        .path
        .as_ref()
        .is_some_and(|p| std::env::split_paths(p).any(|dir| dir == shims));
    if !on_path && !quiet {
        let shell = crate::shell::Shell::detect().unwrap_or_else(crate::shell::Shell::fallback);
        ui::info(format!(
            "to run it as `go`, add this line to your shell's rc file and open a new shell:\n    {}",
            shell.rc_line()
        ));
    }
    Ok(())
}

pub(super) fn report(done: &install::Installed, quiet: bool) {
    if quiet {
        return;
    }
    let how = match (&done.source, &done.checksum) {
        (ArchiveSource::AlreadyInstalled, _) => {
            ui::info_hinted(
                format!(
                    "Go {} is already installed in {}",
                    done.version,
                    done.goroot.display()
                ),
                "use --force to reinstall",
            );
            return;
        }
        (ArchiveSource::Cache { .. }, Some(proof @ Checksum::CachedProof { .. })) => {
            Some(format!("from the download cache: {proof}"))
        }
        (ArchiveSource::Cache { .. }, Some(sum)) => Some(format!("from the download cache, {sum}")),
        (ArchiveSource::Download { url }, Some(Checksum::Unchecked)) => {
            Some(format!("from {url}; checksum NOT verified"))
        }
        (_, Some(sum)) => Some(sum.to_string()),
        (_, None) => None,
    };
    // The database's word goes on a line of its own, under the sha256's.
    let how = match (how, &done.proof) {
        (Some(how), Some(proof)) => Some(format!("{how}\n  {proof}")),
        (None, Some(proof)) => Some(proof.to_string()),
        (how, None) => how,
    };
    let how = match (how, &done.left_out) {
        (Some(how), Some(left_out)) => Some(format!("{how}\n  {left_out}")),
        (how, _) => how,
    };
    installed_line(&done.version, &done.goroot, how.as_deref());
}

/// `installed Go V in DIR`, and how it was checked on a line of its own: together they
/// would not fit an 80-column terminal.
fn installed_line(version: &gv_core::Version, goroot: &std::path::Path, how: Option<&str>) {
    let mut text = format!("installed Go {version} in {}", goroot.display());
    if let Some(how) = how {
        text.push_str("\n  ");
        text.push_str(how);
    }
    ui::info(text);
}
