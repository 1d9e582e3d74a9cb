//! The platforms gv is released for, and the names of their archives: one list, used by
//! the release command (xtask), `gv self update`, and checked against install.sh,
//! install.ps1 and the package manifests.

use gv_core::platform::Translation;

/// One platform gv is released for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Rust's target triple, which names the archive.
    pub triple: &'static str,
    /// `tar.gz`, or `zip` on Windows.
    pub archive: &'static str,
    /// `.exe` on Windows.
    pub exe_suffix: &'static str,
}

impl Target {
    /// `gv-0.2.0-x86_64-unknown-linux-musl.tar.gz`.
    pub fn archive_name(&self, version: &str) -> String {
        format!("{}.{}", self.dir_name(version), self.archive)
    }

    /// The one directory every archive holds: `gv-0.2.0-x86_64-unknown-linux-musl`.
    pub fn dir_name(&self, version: &str) -> String {
        format!("gv-{version}-{}", self.triple)
    }

    /// `gv`, `gv-shim` as this platform names the programs.
    pub fn exe(&self, name: &str) -> String {
        format!("{name}{}", self.exe_suffix)
    }

    pub fn is_windows(&self) -> bool {
        self.exe_suffix == ".exe"
    }

    pub fn named(triple: &str) -> Option<&'static Target> {
        ALL.iter().find(|t| t.triple == triple)
    }
}

const fn unix(triple: &'static str) -> Target {
    Target {
        triple,
        archive: "tar.gz",
        exe_suffix: "",
    }
}

/// Every release target. Linux builds are static (musl): one archive runs on any
/// distribution, glibc or not.
pub const ALL: &[Target] = &[
    unix("x86_64-unknown-linux-musl"),
    unix("aarch64-unknown-linux-musl"),
    unix("x86_64-apple-darwin"),
    unix("aarch64-apple-darwin"),
    Target {
        triple: "x86_64-pc-windows-gnu",
        archive: "zip",
        exe_suffix: ".exe",
    },
];

/// The release for a machine whose OS and CPU Rust names `os` and `arch`, for a process
/// running `translation`: an x86_64 gv under Rosetta gets the arm64 build, as install.sh
/// picks it; 64-bit ARM Windows runs the x86_64 build (emulated).
pub fn for_machine(os: &str, arch: &str, translation: Translation) -> Option<&'static Target> {
    let triple = match (os, arch, translation) {
        ("linux", "x86_64", _) => "x86_64-unknown-linux-musl",
        ("linux", "aarch64", _) => "aarch64-unknown-linux-musl",
        ("macos", "aarch64", _) | ("macos", "x86_64", Translation::Rosetta) => {
            "aarch64-apple-darwin"
        }
        ("macos", "x86_64", Translation::Native) => "x86_64-apple-darwin",
        ("windows", "x86_64" | "aarch64", _) => "x86_64-pc-windows-gnu",
        _ => return None,
    };
    Target::named(triple)
}

/// The release for this machine, if gv is released for it.
pub fn host() -> Option<&'static Target> {
    for_machine(
        std::env::consts::OS,
        std::env::consts::ARCH,
        gv_core::platform::translation(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_get_their_archive() {
        let pick = |os, arch, t| for_machine(os, arch, t).map(|t| t.triple);
        assert_eq!(
            pick("linux", "x86_64", Translation::Native),
            Some("x86_64-unknown-linux-musl")
        );
        assert_eq!(
            pick("macos", "x86_64", Translation::Rosetta),
            Some("aarch64-apple-darwin")
        );
        assert_eq!(
            pick("macos", "x86_64", Translation::Native),
            Some("x86_64-apple-darwin")
        );
        assert_eq!(
            pick("windows", "aarch64", Translation::Native),
            Some("x86_64-pc-windows-gnu")
        );
        assert_eq!(pick("linux", "riscv64", Translation::Native), None);
        assert_eq!(pick("freebsd", "x86_64", Translation::Native), None);
        let win = Target::named("x86_64-pc-windows-gnu").unwrap();
        assert_eq!(
            win.archive_name("0.2.0"),
            "gv-0.2.0-x86_64-pc-windows-gnu.zip"
        );
        assert_eq!(win.exe("gv-shim"), "gv-shim.exe");
        assert!(
            host().is_some(),
            "gv is released for the machine tests run on"
        );
    }
}
