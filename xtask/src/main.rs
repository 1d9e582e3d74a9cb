//! `cargo xtask`: the project's own tasks. Today, the release:
//!
//! ```text
//! cargo xtask dist --target T [--target T…] --out DIR    build archives (no secret needed)
//! cargo xtask sign DIR --key-env VAR | --key FILE        installers, SHA256SUMS, its signature,
//!                                                        Homebrew formula, Scoop manifest
//! cargo xtask release --target T… --key FILE --out DIR   both, as CI and the tests run it
//! cargo xtask keygen --out FILE                          a new signing key (RELEASING.md)
//! ```
//!
//! The release workflow (.github/workflows/release.yml) runs `dist` on each platform's
//! runner and `sign` once over everything; CI runs `release` with the test key on every
//! change, and the integration tests serve what it writes.

mod archive;
mod build;
mod installers;
mod key;
mod manifests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use gv::release::target::{self, Target};
use gv::release::{keys, sshsig};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "gv's release tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the release archives of the given targets into DIR
    Dist(DistArgs),
    /// Write the installers, SHA256SUMS, its signature and the package manifests for the
    /// archives in DIR
    Sign(SignArgs),
    /// `dist` then `sign`, binaries built to trust the signing key
    Release {
        #[command(flatten)]
        dist: DistArgs,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Make a new ed25519 signing key (PKCS#8 PEM, mode 0600) and print its public line
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the OpenSSH public-key line of a signing key
    PublicKey {
        #[command(flatten)]
        key: KeyArgs,
    },
}

#[derive(clap::Args)]
struct DistArgs {
    /// A release target (repeatable): x86_64-unknown-linux-musl, aarch64-unknown-linux-musl,
    /// x86_64-pc-windows-gnu, x86_64-apple-darwin, aarch64-apple-darwin
    #[arg(long = "target", required = true)]
    targets: Vec<String>,
    /// Where the archives go
    #[arg(long, default_value = "target/dist")]
    out: PathBuf,
    /// The version the binaries report and the archives are named by (default: Cargo.toml's;
    /// another one only for test releases)
    #[arg(long)]
    version: Option<String>,
    /// Fail unless TAG is `v` + the version (the release workflow passes the git tag)
    #[arg(long)]
    tag: Option<String>,
    /// Build gv to trust this public key (an OpenSSH key line in FILE) instead of gv's
    /// release keys: for releases signed by another key
    #[arg(long)]
    trust_key: Option<PathBuf>,
}

#[derive(clap::Args)]
struct SignArgs {
    /// The directory `dist` wrote (all targets' archives gathered in it)
    dir: PathBuf,
    #[command(flatten)]
    key: KeyArgs,
}

#[derive(clap::Args, Clone)]
struct KeyArgs {
    /// The signing key: a PKCS#8 PEM file
    #[arg(long, conflicts_with = "key_env")]
    key: Option<PathBuf>,
    /// The signing key, PEM text in this environment variable (a CI secret)
    #[arg(long)]
    key_env: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match cli.command {
        Command::Dist(args) => {
            let trust = match &args.trust_key {
                Some(file) => Some(read_key_line(file)?),
                None => None,
            };
            dist(&root, &args, trust.as_deref())?;
        }
        Command::Sign(args) => {
            let key = key::load(&args.key.key, &args.key.key_env)?;
            sign(&root, &args.dir, &key)?;
        }
        Command::Release { dist: args, key } => {
            let key = key::load(&key.key, &key.key_env)?;
            let line = key.public_line();
            let built_for = (!key.is_release_key()).then_some(line.as_str());
            let out = dist(&root, &args, built_for)?;
            sign(&root, &out, &key)?;
        }
        Command::Keygen { out } => {
            let line = key::generate(&out)?;
            println!("{line}");
            eprintln!(
                "xtask: wrote the private key to {} (keep it secret; see RELEASING.md)",
                out.display()
            );
        }
        Command::PublicKey { key } => {
            println!("{}", key::load(&key.key, &key.key_env)?.public_line());
        }
    }
    Ok(())
}

/// What `dist` records for `sign` next to the archives (never published).
const BUILD_INFO: &str = "build-info.json";

fn dist(root: &Path, args: &DistArgs, trust_key: Option<&str>) -> anyhow::Result<PathBuf> {
    let cargo_version = cargo_version(root)?;
    let version = args.version.clone().unwrap_or(cargo_version.clone());
    if gv::release::version::Version::parse(&version).is_none() {
        bail!("`{version}` is not a version (MAJOR.MINOR.PATCH[-PRE])");
    }
    if let Some(tag) = &args.tag
        && *tag != format!("v{version}")
    {
        bail!("the tag {tag} does not match the version to release, v{version} (Cargo.toml)");
    }
    let targets: Vec<&'static Target> = args
        .targets
        .iter()
        .map(|t| {
            Target::named(t).with_context(|| {
                format!(
                    "`{t}` is not a release target; they are: {}",
                    target::ALL
                        .iter()
                        .map(|t| t.triple)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
        .collect::<anyhow::Result<_>>()?;
    if let Some(line) = trust_key {
        keys::parse(line).with_context(|| format!("--trust-key: `{line}` is not a key line"))?;
        eprintln!("xtask: building gv to trust {line} (not gv's release keys)");
    }
    let out = root.join(&args.out);
    std::fs::create_dir_all(&out)?;
    let overrides = build::Overrides {
        version: (version != cargo_version).then_some(version.as_str()),
        trust_key,
    };
    for target in &targets {
        let started = std::time::Instant::now();
        let bins = build::build(root, target, &overrides)?;
        let path = archive::write(root, &out, target, &version, &bins)?;
        eprintln!(
            "xtask: {} ({}, built in {:.0?})",
            path.display(),
            human(std::fs::metadata(&path)?.len()),
            started.elapsed()
        );
    }
    let info = serde_json::json!({
        "version": version,
        "trust_key": trust_key,
    });
    std::fs::write(out.join(BUILD_INFO), format!("{info:#}\n"))?;
    Ok(out)
}

fn sign(root: &Path, dir: &Path, key: &key::SigningKey) -> anyhow::Result<()> {
    let dir = root.join(dir);
    let info: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(BUILD_INFO)).with_context(|| {
            format!(
                "{} has no {BUILD_INFO}: run `cargo xtask dist` first",
                dir.display()
            )
        })?,
    )?;
    let version = info["version"]
        .as_str()
        .context("build-info.json has no version")?;
    // The binaries must trust the key that signs their release, or `gv self update`
    // would refuse every later release.
    let trusted = info["trust_key"].as_str();
    let line = key.public_line();
    let consistent = match trusted {
        Some(t) => keys::parse(t)?.first().map(|k| k.key) == Some(key.public),
        None => key.is_release_key(),
    };
    if !consistent {
        bail!(
            "the archives in {} were built to trust {}, not the signing key {line}",
            dir.display(),
            trusted.unwrap_or("gv's release keys (packaging/release-keys.pub)")
        );
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let is_archive = target::ALL.iter().any(|t| name == t.archive_name(version));
        if is_archive {
            files.push(name);
        }
    }
    if files.is_empty() {
        bail!("no gv {version} archives in {}", dir.display());
    }
    for (name, text) in installers::render(root, &line)? {
        std::fs::write(dir.join(name), text)?;
        files.push(name.to_string());
    }
    let mut sums = Vec::new();
    for name in &files {
        sums.push((name.clone(), sha256_file(&dir.join(name))?));
    }
    let text = gv::release::sums::Sums::render(&sums);
    std::fs::write(dir.join(gv::release::SUMS), &text)?;
    std::fs::write(
        dir.join(gv::release::SUMS_SIG),
        key.sign(gv::release::NAMESPACE, text.as_bytes()),
    )?;
    // Check what was written the way gv will: parse, verify.
    let parsed = gv::release::sums::Sums::parse(text.as_bytes())?;
    let trust = [keys::TrustedKey {
        name: "signer".into(),
        key: key.public,
    }];
    sshsig::verify(
        &std::fs::read(dir.join(gv::release::SUMS_SIG))?,
        text.as_bytes(),
        gv::release::NAMESPACE,
        &trust,
    )?;
    for (name, text) in manifests::render(&parsed)? {
        std::fs::write(dir.join(name), text)?;
    }
    eprintln!(
        "xtask: signed {} files of gv {version} in {} with {}",
        files.len(),
        dir.display(),
        sshsig::fingerprint(&key.public)
    );
    Ok(())
}

fn read_key_line(file: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("read {}", file.display()))?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .with_context(|| format!("{} holds no key line", file.display()))?;
    Ok(line.to_string())
}

fn sha256_file(path: &Path) -> anyhow::Result<String> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits in the workspace")
        .to_path_buf()
}

/// `[workspace.package] version` of the root Cargo.toml.
fn cargo_version(root: &Path) -> anyhow::Result<String> {
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))?.parse()?;
    manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .context("Cargo.toml has no [workspace.package] version")
}

fn human(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
