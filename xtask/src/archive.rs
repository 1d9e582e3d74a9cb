//! The release archive of one target: `gv-VERSION-TARGET.tar.gz` (`.zip` on Windows)
//! holding one directory `gv-VERSION-TARGET/` with gv, gv-shim, the shell completions,
//! README.md, CHANGELOG.md and the licence texts.
//!
//! Archives are reproducible from the same binaries: entries in a fixed order, owned by
//! 0:0, mode 0755 for programs and 0644 for the rest, every timestamp the commit's
//! (`SOURCE_DATE_EPOCH` when set, else the commit time from git).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gv::release::target::Target;

use crate::build::Binaries;

/// The documents every archive carries, from the repository root.
const DOCS: &[&str] = &["README.md", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE"];
/// The completion scripts (completions/, kept current by scripts/update-completions).
const COMPLETIONS: &[&str] = &["gv.bash", "_gv", "gv.fish", "gv.elv", "gv.ps1"];

/// One file of an archive: its path inside, its bytes, whether it is a program.
struct Entry {
    path: String,
    bytes: Vec<u8>,
    executable: bool,
}

/// The names (inside the top directory) every archive of `target` holds, in order.
pub fn contents(target: &Target) -> Vec<String> {
    let mut names = vec![target.exe("gv"), target.exe("gv-shim")];
    names.extend(COMPLETIONS.iter().map(|c| format!("completions/{c}")));
    names.extend(DOCS.iter().map(|d| d.to_string()));
    names
}

pub fn write(
    root: &Path,
    out: &Path,
    target: &Target,
    version: &str,
    bins: &Binaries,
) -> anyhow::Result<PathBuf> {
    let top = target.dir_name(version);
    let mut entries = Vec::new();
    for name in contents(target) {
        let (source, executable) = if name == target.exe("gv") {
            (bins.gv.clone(), true)
        } else if name == target.exe("gv-shim") {
            (bins.shim.clone(), true)
        } else {
            (root.join(&name), false)
        };
        let bytes =
            std::fs::read(&source).with_context(|| format!("cannot read {}", source.display()))?;
        entries.push(Entry {
            path: format!("{top}/{name}"),
            bytes,
            executable,
        });
    }
    let mtime = source_date(root);
    let path = out.join(target.archive_name(version));
    let tmp = out.join(format!(".{}.tmp", target.archive_name(version)));
    let file = std::fs::File::create(&tmp)?;
    if target.archive == "zip" {
        write_zip(file, &top, &entries, mtime)?;
    } else {
        write_tar_gz(file, &top, &entries, mtime)?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

fn write_tar_gz(
    file: std::fs::File,
    top: &str,
    entries: &[Entry],
    mtime: u64,
) -> anyhow::Result<()> {
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    let mut dirs: Vec<String> = vec![format!("{top}/")];
    for e in entries {
        if let Some((dir, _)) = e.path.rsplit_once('/') {
            let dir = format!("{dir}/");
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    for dir in &dirs {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(0o755);
        header.set_size(0);
        set_common(&mut header, mtime);
        tar.append_data(&mut header, dir, std::io::empty())?;
    }
    for e in entries {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(if e.executable { 0o755 } else { 0o644 });
        header.set_size(e.bytes.len() as u64);
        set_common(&mut header, mtime);
        tar.append_data(&mut header, &e.path, e.bytes.as_slice())?;
    }
    let gz = tar.into_inner()?;
    let file = gz.finish()?;
    file.sync_all()?;
    Ok(())
}

fn set_common(header: &mut tar::Header, mtime: u64) {
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(mtime);
    let _ = header.set_username("root");
    let _ = header.set_groupname("root");
}

fn write_zip(file: std::fs::File, top: &str, entries: &[Entry], mtime: u64) -> anyhow::Result<()> {
    let mut zip = zip::ZipWriter::new(file);
    let when = zip_time(mtime);
    let options = |mode: u32| {
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9))
            .unix_permissions(mode)
            .last_modified_time(when)
    };
    zip.add_directory(format!("{top}/"), options(0o755))?;
    zip.add_directory(format!("{top}/completions/"), options(0o755))?;
    for e in entries {
        zip.start_file(&e.path, options(if e.executable { 0o755 } else { 0o644 }))?;
        zip.write_all(&e.bytes)?;
    }
    zip.finish()?.sync_all()?;
    Ok(())
}

/// A zip's DOS timestamp for a Unix time (UTC), clamped to what DOS times can say.
fn zip_time(secs: u64) -> zip::DateTime {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    zip::DateTime::from_date_and_time(
        year.clamp(1980, 2107),
        month,
        day,
        (rem / 3600) as u8,
        (rem % 3600 / 60) as u8,
        (rem % 60) as u8,
    )
    .unwrap_or_default()
}

/// `SOURCE_DATE_EPOCH`, else the last commit's time, else now.
fn source_date(root: &Path) -> u64 {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        return secs;
    }
    let from_git = std::process::Command::new("git")
        .args(["log", "-1", "--format=%ct"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok());
    from_git.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_times() {
        let t = zip_time(1_700_000_000); // 2023-11-14 22:13:20 UTC
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2023, 11, 14, 22, 13, 20)
        );
        let t = zip_time(951_782_400); // 2000-02-29 00:00:00
        assert_eq!((t.year(), t.month(), t.day()), (2000, 2, 29));
    }

    #[test]
    fn archives_hold_the_programs_docs_and_completions() {
        let linux = Target::named("x86_64-unknown-linux-musl").unwrap();
        let names = contents(linux);
        assert_eq!(&names[..2], ["gv", "gv-shim"]);
        let windows = Target::named("x86_64-pc-windows-gnu").unwrap();
        assert_eq!(&contents(windows)[..2], ["gv.exe", "gv-shim.exe"]);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for name in &names[2..] {
            assert!(
                root.join(name).is_file(),
                "{name} is missing from the repository"
            );
        }
    }
}
