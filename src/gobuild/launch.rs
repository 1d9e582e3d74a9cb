//! Step 6 for `gv run` and `gv test`: run what was built and verified, with the shim's
//! environment and the profile's, passing the exit code through.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::Instant;

use anyhow::Context as _;

use super::packages::Package;
use super::toolchain::Toolchain;

/// Runs one binary in `dir`; returns its exit code.
pub fn binary(
    binary: &Path,
    args: &[String],
    dir: &Path,
    toolchain: &Toolchain,
    run_env: &BTreeMap<String, String>,
) -> anyhow::Result<u8> {
    let status = run(binary, args, dir, toolchain, run_env)?;
    Ok(gv_core::platform::exit_code(status))
}

/// Ctrl-C stops the program, not gv, which then removes the binary it built.
fn run(
    binary: &Path,
    args: &[String],
    dir: &Path,
    toolchain: &Toolchain,
    run_env: &BTreeMap<String, String>,
) -> anyhow::Result<ExitStatus> {
    gv_core::platform::status_through_interrupts(
        Command::new(binary)
            .args(args)
            .current_dir(dir)
            .envs(toolchain.env.iter().map(|(k, v)| (k, v)))
            .envs(run_env),
    )
    .with_context(|| format!("cannot run {}", binary.display()))
}

/// Runs each test binary in its package's directory, as go test does. One binary: its
/// exit code. Several: each result on a line of its own, as go test prints it, and 1 if
/// any failed.
pub fn tests(
    binaries: &[(PathBuf, Option<Package>)],
    args: &[String],
    workdir: &Path,
    toolchain: &Toolchain,
    run_env: &BTreeMap<String, String>,
) -> anyhow::Result<u8> {
    let dir_of = |package: &Option<Package>| {
        package
            .as_ref()
            .map_or_else(|| workdir.to_path_buf(), |p| p.dir.clone())
    };
    if let [(test, package)] = binaries {
        return binary(test, args, &dir_of(package), toolchain, run_env);
    }
    let mut failed = false;
    for (test, package) in binaries {
        let started = Instant::now();
        let status = run(test, args, &dir_of(package), toolchain, run_env)?;
        if gv_core::platform::interrupted(status) {
            // The user stopped the run: the rest of the packages too, as go test does.
            return Ok(gv_core::platform::exit_code(status));
        }
        let code = gv_core::platform::exit_code(status);
        let name = package
            .as_ref()
            .map_or_else(|| test.display().to_string(), |p| p.import_path.clone());
        let verdict = if code == 0 { "ok  " } else { "FAIL" };
        crate::outln!("{verdict}\t{name}\t{:.3}s", started.elapsed().as_secs_f64());
        failed |= code != 0;
    }
    Ok(u8::from(failed))
}
