//! `keep_debug`: a stripped binary whose debug information is kept. The link keeps DWARF
//! and the symbol table and gets a GNU build ID; then, before verification, each binary
//! go wrote is split ([`crate::symbols::split`]) into the executable that lands
//! (stripped) and its debug twin, which goes to the symbol store with a copy of the
//! executable once the binary passes ([`file`]).
//!
//! The build ID: Go >= 1.22 derives one from its own build ID (`-ldflags=-B gobuildid`,
//! the default from Go 1.24); older linkers take only an explicit value, so gv links
//! with a constant placeholder (go's up-to-date check still sees the same flags) and
//! fills it with a hash of the linked file before the split. Either way the same build
//! inputs give the same ID.
//!
//! Splitting is for 64-bit little-endian ELF; for any other target the link keeps `-s
//! -w` and gv says once that no debug information is kept.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::flags;
use super::plan::is_strip_word;
use super::profile::Profile;
use super::stage::Product;
use super::toolchain::Toolchain;
use crate::symbols::BuildId;
use crate::symbols::split::{self, SplitError};
use crate::symbols::store::{Record, SymbolStore};

/// The operating systems whose Go binaries are ELF.
const ELF_OSES: &[&str] = &[
    "linux",
    "android",
    "freebsd",
    "netbsd",
    "openbsd",
    "dragonfly",
    "solaris",
    "illumos",
];
/// The 64-bit little-endian architectures.
const LE64_ARCHES: &[&str] = &[
    "amd64", "arm64", "riscv64", "loong64", "ppc64le", "mips64le",
];

/// The profile as the link needs it: without `-s`/`-w` and with a GNU build ID when the
/// profile keeps debug information and the target is one gv splits; otherwise as it is
/// with `keep_debug` off. The notes say what changed, once.
pub fn for_link(
    profile: &Profile,
    toolchain: &Toolchain,
    lookup: &dyn Fn(&str) -> Option<OsString>,
) -> anyhow::Result<(Profile, Vec<String>)> {
    let mut profile = profile.clone();
    let mut notes = Vec::new();
    if !profile.keep_debug {
        return Ok((profile, notes));
    }
    let (goos, goarch) = target(&profile, toolchain, lookup);
    if !(ELF_OSES.contains(&goos.as_str()) && LE64_ARCHES.contains(&goarch.as_str())) {
        profile.keep_debug = false;
        notes.push(format!(
            "the {} profile keeps debug information for 64-bit little-endian ELF binaries only; GOOS={goos} GOARCH={goarch} is linked as the profile says and no debug information is kept",
            profile.name
        ));
        return Ok((profile, notes));
    }
    let mut has_build_id = false;
    for value in &mut profile.ldflags {
        let (kept, _) = flags::without_words("ldflags", value, is_strip_word)
            .with_context(|| format!("[profile.{}] ldflags", profile.name))?;
        has_build_id |= flags::parse_per_package("ldflags", &kept)
            .is_ok_and(|p| p.args.iter().any(|w| w == "-B" || w.starts_with("-B=")));
        *value = kept;
    }
    profile.ldflags.retain(|v| !v.trim().is_empty());
    if !has_build_id {
        profile
            .ldflags
            .push(build_id_flag(toolchain.version.as_ref()));
    }
    Ok((profile, notes))
}

/// `-B gobuildid` where the linker has it (Go >= 1.22), else the placeholder gv fills.
pub fn build_id_flag(go: Option<&gv_core::Version>) -> String {
    match go {
        Some(v) if (v.major(), v.minor()) >= (1, 22) => "-B gobuildid".to_string(),
        _ => split::placeholder_flag(),
    }
}

/// The GOOS and GOARCH go builds for: the profile's, gv's `[env]`, the environment, Go's
/// env file, else this machine's.
fn target(
    profile: &Profile,
    toolchain: &Toolchain,
    lookup: &dyn Fn(&str) -> Option<OsString>,
) -> (String, String) {
    let env_file = crate::go_settings::go_env_file(lookup);
    let value = |name: &str| -> Option<String> {
        profile
            .env
            .get(name)
            .filter(|e| e.applies(name, &|n: &str| lookup(n)))
            .map(|e| e.value.clone())
            .or_else(|| {
                toolchain
                    .env
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.to_string_lossy().into_owned())
            })
            .or_else(|| lookup(name).map(|v| v.to_string_lossy().into_owned()))
            .or_else(|| crate::go_settings::read_go_env_value(env_file.as_deref()?, name))
            .filter(|v| !v.is_empty())
    };
    let goos =
        value("GOOS").unwrap_or_else(|| gv_core::platform::go_os(std::env::consts::OS).to_string());
    let goarch = value("GOARCH").unwrap_or_else(|| {
        gv_core::platform::go_arch(std::env::consts::ARCH, gv_core::platform::translation())
            .to_string()
    });
    (goos, goarch)
}

/// A binary split, its twin waiting in the store's directory to be filed.
pub struct Kept {
    pub build_id: BuildId,
    pub debug: tempfile::NamedTempFile,
    pub stripped_size: u64,
    pub debug_size: u64,
}

impl Kept {
    pub fn debug_path(&self) -> &Path {
        self.debug.path()
    }
}

/// What became of a binary gv tried to split.
pub enum Split {
    Kept(Kept),
    /// The binary cannot be split (no build ID, not 64-bit little-endian ELF, a split
    /// that would change it): a problem for its verdict, and it stays as go wrote it.
    Refused(String),
}

/// Splits the binary go wrote at `product.file`: the stripped executable replaces it
/// there, and the twin is written beside the store's files for [`file`] to file.
pub fn split(product: &Product, store: &SymbolStore) -> anyhow::Result<Split> {
    let path = &product.file;
    let mut data =
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    split::fill_placeholder_build_id(&mut data);
    let plan = match split::plan(&data) {
        Ok(plan) => plan,
        Err(e) => return Ok(Split::Refused(refusal(&e))),
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut stripped = tempfile::Builder::new()
        .prefix(".gv-stripped-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    write_synced(stripped.as_file_mut(), |w| plan.write_stripped(&data, w))
        .with_context(|| format!("cannot write the stripped binary in {}", dir.display()))?;
    let mut debug = store.temp_file(&plan.build_id)?;
    write_synced(debug.as_file_mut(), |w| plan.write_debug(&data, w)).with_context(|| {
        format!(
            "cannot write debug information to the symbol store at {}",
            store.root().display()
        )
    })?;
    // What is on disk is what is checked: both files read back, mapped.
    let map = |file: &std::fs::File, path: &Path| {
        // SAFETY: read-only maps of gv's own temporary files, for this call only.
        unsafe { memmap2::Mmap::map(file) }
            .with_context(|| format!("cannot read {}", path.display()))
    };
    let stripped_bytes = map(stripped.as_file(), stripped.path())?;
    let debug_bytes = map(debug.as_file(), debug.path())?;
    let checked = match split::check(&data, &stripped_bytes, &debug_bytes) {
        Ok(checked) => checked,
        Err(e) => return Ok(Split::Refused(refusal(&e))),
    };
    drop((stripped_bytes, debug_bytes));
    // The new file takes the old one's permissions (go's, with the user's umask).
    let permissions = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions();
    std::fs::set_permissions(stripped.path(), permissions)
        .with_context(|| format!("cannot set the mode of {}", stripped.path().display()))?;
    stripped
        .persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(Split::Kept(Kept {
        build_id: checked.build_id,
        debug,
        stripped_size: checked.stripped_size,
        debug_size: checked.debug_size,
    }))
}

/// Writes through a buffer, then flushes and syncs: a file renamed into place is whole.
fn write_synced(
    file: &mut std::fs::File,
    write: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(&mut *file);
    write(&mut out)?;
    out.flush()?;
    drop(out);
    file.sync_all()
}

fn refusal(e: &SplitError) -> String {
    format!("keep_debug cannot split the binary: {e}")
}

/// Files a binary's twin and a copy of the binary itself (the stripped executable at
/// `binary`) in the store.
pub fn file(
    store: &SymbolStore,
    kept: Kept,
    binary: &Path,
    record: Record,
) -> anyhow::Result<BuildId> {
    let id = kept.build_id.clone();
    store.add(&id, kept.debug, Some(binary), record)?;
    Ok(id)
}

/// What gv records of a build it files.
pub fn record(
    product: &Product,
    toolchain: &Toolchain,
    profile: &Profile,
    landed: Option<PathBuf>,
) -> Record {
    Record {
        go: toolchain.version.as_ref().map(|v| v.go_name()),
        package: product.package.as_ref().map(|p| p.import_path.clone()),
        project: product.package.as_ref().map(|p| p.dir.clone()),
        binary: landed,
        profile: Some(profile.name.clone()),
        source: None,
        added: 0,
    }
}

/// The twin of the binary already at `dest` (go found it up to date), if the store has
/// it.
pub fn twin_of(store: &SymbolStore, dest: &Path) -> Option<PathBuf> {
    let id = crate::symbols::store::file_build_id(dest).ok()??;
    store.find(&id).map(|found| found.debug_file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_id_flag_follows_the_linker() {
        let v = |s: &str| gv_core::Version::parse(s).unwrap();
        assert_eq!(build_id_flag(Some(&v("1.22.10"))), "-B gobuildid");
        assert_eq!(build_id_flag(Some(&v("1.25.5"))), "-B gobuildid");
        assert_eq!(
            build_id_flag(Some(&v("1.21.13"))),
            split::placeholder_flag()
        );
        assert_eq!(build_id_flag(None), split::placeholder_flag());
        assert!(split::placeholder_flag().starts_with("-B 0x0000"));
    }

    fn toolchain(version: &str, env: &[(&str, &str)]) -> Toolchain {
        Toolchain {
            go: "/g/bin/go".into(),
            goroot: "/g".into(),
            version: gv_core::Version::parse(version).ok(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.into())).collect(),
        }
    }

    #[test]
    fn the_link_keeps_dwarf_and_gets_a_build_id() {
        let release = Profile::builtin("release").unwrap();
        let none = |_: &str| None;
        let (linked, notes) = for_link(
            &release,
            &toolchain("1.22.10", &[("GOOS", "linux"), ("GOARCH", "amd64")]),
            &none,
        )
        .unwrap();
        assert!(linked.keep_debug && notes.is_empty(), "{notes:?}");
        assert_eq!(linked.ldflags, ["-B gobuildid"]);
        let mut own = release.clone();
        own.ldflags.push("-X main.v=1 -B 0x0102030405060708".into());
        let (linked, _) = for_link(
            &own,
            &toolchain("1.21.13", &[("GOOS", "linux"), ("GOARCH", "arm64")]),
            &none,
        )
        .unwrap();
        assert_eq!(
            linked.ldflags,
            ["-X main.v=1 -B 0x0102030405060708"],
            "the user's own ID"
        );
        // Another target: linked as the profile says, and said once.
        for (goos, goarch) in [
            ("darwin", "arm64"),
            ("windows", "amd64"),
            ("linux", "386"),
            ("linux", "s390x"),
        ] {
            let (linked, notes) = for_link(
                &release,
                &toolchain("1.22.10", &[("GOOS", goos), ("GOARCH", goarch)]),
                &none,
            )
            .unwrap();
            assert!(!linked.keep_debug);
            assert_eq!(linked.ldflags, ["-s -w"]);
            assert!(
                notes[0].contains(&format!("GOOS={goos} GOARCH={goarch}")),
                "{notes:?}"
            );
        }
        // The environment's GOOS counts when gv's [env] does not set one.
        let darwin = |n: &str| (n == "GOOS").then(|| "darwin".into());
        let (linked, _) = for_link(&release, &toolchain("1.22.10", &[]), &darwin).unwrap();
        assert!(!linked.keep_debug);
    }
}
