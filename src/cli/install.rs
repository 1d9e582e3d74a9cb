use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gv_core::config::Config;
use gv_core::select::{self, Origin};
use gv_core::{Spec, store};

use super::{Context, UsageError};
use crate::dist::Platform;
use crate::dist::mirror::{MIRROR_ENV, Mirror};
use crate::install::{self, Options, Source};
use crate::ui;

/// Download, verify and install Go versions
///
/// Resolves each version against the go.dev release index (or a mirror), then downloads,
/// checks the sha256, and unpacks in one streaming pass. A version directory appears only
/// complete and verified.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gv install 1.22                newest Go 1.22.x
  gv install 1.22.10 1.23rc1     exact versions (go1.22.10 works too)
  gv install latest              newest stable release
  gv install                     whatever this directory selects (.go-version, go.mod ...)
  gv install 1.22 --mirror golang.google.cn
  gv install --offline 1.22.10   from the download cache, no network
  gv install --from-file ./go1.22.10.linux-amd64.tar.gz
  gv install 1.22.10 --os darwin --arch arm64   another platform's SDK (cross builds, tests)
  gv install 1.15.15 --arch amd64   on Apple Silicon: the Intel build, for Rosetta 2")]
pub struct Args {
    /// Versions: 1.22.3, go1.22.3, 1.22 (newest 1.22.x), latest, 1.23rc1
    #[arg(value_parser = clap::value_parser!(Spec), value_name = "VERSION")]
    specs: Vec<Spec>,
    #[command(flatten)]
    source: SourceArgs,
    /// Reinstall even if the version is already installed
    #[arg(long)]
    force: bool,
    /// Install a local go.dev archive (goV.OS-ARCH.tar.gz)
    #[arg(long, value_name = "ARCHIVE", conflicts_with = "specs")]
    from_file: Option<PathBuf>,
    /// Install even when no sha256 can be found for the archive (unsafe)
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
    /// Install options from the flags, GV_GO_MIRROR and the `mirror` config key.
    pub fn options(&self, config: &Config) -> anyhow::Result<Options> {
        let env = std::env::var(MIRROR_ENV).ok();
        let mirror = Mirror::choose(self.mirror.as_deref(), env.as_deref(), config)
            .map_err(|e| UsageError(e.to_string()))?;
        let mut opts = Options::new(mirror, store::cache_dir()?);
        opts.offline = self.offline;
        opts.refresh = self.refresh;
        Ok(opts)
    }
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let found = ctx.discover();
    let config = Config::load(&ctx.store, found.project_config.as_deref())?;
    let mut opts = args.source.options(&config)?;
    opts.force = args.force;
    opts.insecure_skip_checksum = args.insecure_skip_checksum;
    opts.quiet = args.quiet;
    if args.os.is_some() || args.arch.is_some() {
        opts.platform = chosen_platform(args.os.as_deref(), args.arch.as_deref())?;
    }

    if let Some(path) = &args.from_file {
        let done = install::install_archive(&ctx.store, path, &opts)
            .with_context(|| format!("cannot install {}", path.display()))?;
        report(&done, opts.quiet);
        install::after_store_change(&ctx.store).context("cannot sync the store")?;
        return Ok(ExitCode::SUCCESS);
    }

    if args.specs.is_empty() && opts.is_foreign() {
        return Err(UsageError(format!(
            "--os/--arch install another platform's SDK, so name the version\n  hint: gv install 1.22.10 --os {} --arch {}",
            opts.platform.os, opts.platform.arch
        ))
        .into());
    }
    let specs = if args.specs.is_empty() {
        let request = select::request(&ctx.store, &ctx.env, &found)?;
        if request.origin == Origin::Default {
            return Err(UsageError(
                "no Go version is selected here, so there is nothing to install\n  hint: name one (`gv install 1.22`) or pin this directory (`gv local 1.22`)"
                    .to_string(),
            )
            .into());
        }
        let installed = ctx.store.installed()?;
        let satisfied = request
            .specs
            .iter()
            .find_map(|spec| spec.best_match(&installed));
        if let Some(version) = satisfied.filter(|_| !args.force) {
            if !opts.quiet {
                ui::info(format!(
                    "Go {version} is already installed ({})",
                    request.origin
                ));
            }
            return Ok(ExitCode::SUCCESS);
        }
        let Some(first) = request.specs.into_iter().find(|s| *s != Spec::System) else {
            bail!(
                "this directory selects the system go ({}); gv has nothing to install",
                request.origin
            );
        };
        vec![first]
    } else {
        args.specs
    };

    let mut failed = 0;
    for spec in &specs {
        match install::install(&ctx.store, spec, &opts) {
            Ok(done) => report(&done, opts.quiet),
            Err(err) => {
                ui::error(format!("cannot install Go {spec}: {err}"));
                failed += 1;
            }
        }
    }
    install::after_store_change(&ctx.store).context("cannot sync the store")?;
    if opts.is_foreign() && failed < specs.len() && !opts.quiet {
        ui::info(format!(
            "Go for {} is kept apart from this machine's SDKs, in {}: `gv list` shows it; version selection and the shims never use it",
            opts.platform,
            opts.versions_dir(&ctx.store).display()
        ));
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `--os`/`--arch` over this machine's platform. Windows SDKs ship as .zip, which gv does
/// not unpack yet.
fn chosen_platform(os: Option<&str>, arch: Option<&str>) -> Result<Platform, UsageError> {
    let host = Platform::host();
    let platform =
        Platform::named(os.unwrap_or(&host.os), arch.unwrap_or(&host.arch)).map_err(UsageError)?;
    if platform.os == "windows" {
        return Err(UsageError(
            "Go for Windows ships as .zip archives, which gv does not unpack yet\n  hint: install a linux or darwin SDK, or unpack the .zip by hand".to_string(),
        ));
    }
    Ok(platform)
}

fn report(done: &install::Installed, quiet: bool) {
    if quiet {
        return;
    }
    let how = match (&done.source, &done.checksum) {
        (Source::AlreadyInstalled, _) => {
            ui::info(format!(
                "Go {} is already installed in {}\n  hint: use --force to reinstall",
                done.version,
                done.goroot.display()
            ));
            return;
        }
        (Source::Cache { .. }, Some(sum)) => format!("from the download cache, {sum}"),
        (_, Some(sum)) => sum.to_string(),
        (_, None) => String::new(),
    };
    ui::info(format!(
        "installed Go {} in {} ({how})",
        done.version,
        done.goroot.display()
    ));
}
