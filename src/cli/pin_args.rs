use crate::pin::{PinSpec, parse_pin_spec};

/// The arguments `gv local`, `gv global` and `gv shell` share: set a version, remove the
/// setting with `--unset`, or (with neither) show it.
#[derive(Debug, clap::Args)]
pub struct PinArgs {
    /// Version: 1.22.10, 1.22, latest, system (latest, 1 and goenv's 22 are written as the
    /// version they stand for today)
    #[arg(value_parser = parse_pin_spec, conflicts_with = "unset")]
    #[arg(value_name = "VERSION", add = super::complete::installed_versions())]
    pub spec: Option<PinSpec>,
    /// Remove the setting (see above for which) instead of changing it
    #[arg(long)]
    pub unset: bool,
    /// Write a prefix such as 1.22 as the exact version it stands for today (1.22.10)
    #[arg(long, requires = "spec")]
    pub exact: bool,
    /// Write the version even though it is neither installed nor in the release index
    #[arg(long, requires = "spec")]
    pub force: bool,
}
