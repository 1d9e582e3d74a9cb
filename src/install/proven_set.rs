//! Step 5 of the install when the checksum database is the only authority behind an
//! archive (a mirror's sidecar or index, a `--from-file` archive): the tree becomes exactly
//! what the database proved. Its proof covers the toolchain module's files — the archive
//! less the top-level `api/`, `doc/`, `misc/` and `test/` — and not file modes (a module
//! zip has none). So those four go, as they are absent from what Go's own `GOTOOLCHAIN`
//! switch installs, and every file gets the mode go.dev's archives give it
//! (`cmd/distpack`'s `mode()`), whatever the archive said. When go.dev's index vouched for
//! the archive's sha256, its whole content is authentic and nothing here runs.

use std::io;
use std::path::Path;

use gv_core::platform;

use super::proof::NOT_IN_MODULE;

/// Removes from the unpacked release tree `goroot` what the toolchain module leaves out,
/// and gives every file the mode Go's release tooling gives it. Returns the top-level
/// entries removed (`api`, …), in [`NOT_IN_MODULE`]'s order.
pub(super) fn keep_proven(goroot: &Path) -> io::Result<Vec<&'static str>> {
    let mut left_out = Vec::new();
    for name in NOT_IN_MODULE {
        let path = goroot.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&path)?,
            Ok(_) => std::fs::remove_file(&path)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        }
        left_out.push(name);
    }
    // Windows runs a file by its name, not a mode bit: there is nothing to set.
    if !platform::WINDOWS {
        set_modes(goroot, goroot)?;
    }
    Ok(left_out)
}

/// Every regular file under `dir` executable exactly when [`executable`] says so. Only the
/// execute bits change: read and write stay as the umask made them when it was unpacked.
fn set_modes(root: &Path, dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            set_modes(root, &path)?;
            continue;
        }
        if !kind.is_file() {
            // The proof refused links and special files already.
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel = rel.to_string_lossy().replace('\\', "/");
        let have = platform::mode(&entry.metadata()?);
        let want = if executable(&rel) {
            have | ((have & 0o444) >> 2)
        } else {
            have & !0o111
        };
        if want != have {
            platform::set_mode(&path, want)?;
        }
    }
    Ok(())
}

/// Whether go.dev's archives make the file `rel` (relative to GOROOT, `/`-separated)
/// executable: `cmd/distpack`'s `mode()` gives 0755 to `bin/*`, `pkg/tool/*`, names ending
/// `.bash`, `.sh`, `.pl` or `.rc`, and `**/go_?*_?*_exec` (`misc/wasm/go_js_wasm_exec`);
/// 0644 to everything else.
pub fn executable(rel: &str) -> bool {
    rel.starts_with("bin/")
        || rel.starts_with("pkg/tool/")
        || [".bash", ".sh", ".pl", ".rc"]
            .iter()
            .any(|ext| rel.ends_with(ext))
        || go_exec_wrapper(rel.rsplit('/').next().unwrap_or(rel))
}

/// `go_?*_?*_exec` as Go's `path.Match` reads it against one path element: `go_`, one or
/// more characters, `_`, one or more characters, `_exec` (`*` may match `_` too).
fn go_exec_wrapper(base: &str) -> bool {
    let Some(middle) = base
        .strip_prefix("go_")
        .and_then(|rest| rest.strip_suffix("_exec"))
    else {
        return false;
    };
    // An `_` with at least one character on either side of it.
    middle
        .char_indices()
        .any(|(i, c)| c == '_' && i > 0 && i + 1 < middle.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// cmd/distpack's `mode()` (src/cmd/distpack/pack.go, the same from Go 1.21 to 1.25),
    /// case by case.
    #[test]
    fn modes_follow_distpacks_rule() {
        for exec in [
            "bin/go",
            "bin/gofmt",
            "bin/go.exe",
            "pkg/tool/linux_amd64/compile",
            "pkg/tool/linux_amd64/vet",
            "src/make.bash",
            "src/all.bash",
            "src/run.rc",
            "src/cmd/go/testdata/script.sh",
            "src/regexp/syntax/make_perl_groups.pl",
            "misc/wasm/go_js_wasm_exec",
            "lib/wasm/go_wasip1_wasm_exec",
            "go_a_b_exec",
            "x/go_a_b_c_exec",
            "x/go_____exec",
        ] {
            assert!(executable(exec), "{exec} is 0755");
        }
        for plain in [
            "VERSION",
            "go.env",
            "src/fmt/print.go",
            "src/cmd/go/main.go",
            "lib/wasm/wasm_exec.js",
            "misc/wasm/wasm_exec_node.js",
            "pkg/include/textflag.h",
            "src/bin/x",
            "src/pkg/tool/x",
            "x/go_ab_exec",
            "misc/ios/go_ios_exec",
            "misc/ios/go_ios_exec.go",
            "misc/go_android_exec/main.go",
            "x/go___exec",
            "x/go____exec",
            "x/go__b_exec",
            "x/go_a__exec",
            "x/go_a_b_exec.go",
            "x/go_exec",
            "src/x.bashrc",
        ] {
            assert!(!executable(plain), "{plain} is 0644");
        }
    }

    #[test]
    fn the_unproven_directories_go_and_modes_follow_the_rule() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (rel, mode) in [
            ("VERSION", 0o755),
            ("bin/go", 0o644),
            ("src/make.bash", 0o644),
            ("src/fmt/print.go", 0o755),
            ("api/go1.txt", 0o644),
            ("misc/wasm/go_js_wasm_exec", 0o755),
            ("test/x.go", 0o644),
            ("src/cmd/api/main.go", 0o644),
        ] {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, rel).unwrap();
            platform::set_mode(&p, mode).unwrap();
        }
        std::fs::write(root.join("doc"), "a file named like the directory").unwrap();

        assert_eq!(
            keep_proven(root).unwrap(),
            vec!["api", "doc", "misc", "test"]
        );
        for gone in ["api", "doc", "misc", "test"] {
            assert!(!root.join(gone).exists(), "{gone}");
        }
        assert!(root.join("src/cmd/api/main.go").is_file());
        // Windows has no execute bits to set (keep_proven leaves modes alone there).
        if !platform::WINDOWS {
            let mode = |rel: &str| platform::mode(&std::fs::metadata(root.join(rel)).unwrap());
            assert_eq!(mode("VERSION"), 0o644);
            assert_eq!(mode("bin/go"), 0o755);
            assert_eq!(mode("src/make.bash"), 0o755);
            assert_eq!(mode("src/fmt/print.go"), 0o644);
        }
        // Nothing more to remove the second time.
        assert_eq!(keep_proven(root).unwrap(), Vec::<&str>::new());
    }
}
