use gv_core::Spec;

/// The arguments `gv local`, `gv global` and `gv shell` share: set a version, remove the
/// setting with `--unset`, or (with neither) show it.
#[derive(Debug, clap::Args)]
pub struct PinArgs {
    /// Version spec: 1.22.10, 1.22, latest, system
    #[arg(value_parser = clap::value_parser!(Spec), conflicts_with = "unset")]
    #[arg(value_name = "VERSION", add = crate::completion::installed_versions())]
    pub spec: Option<Spec>,
    /// Remove the setting (see above for which) instead of changing it
    #[arg(long)]
    pub unset: bool,
}
