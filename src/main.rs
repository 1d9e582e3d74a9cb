fn main() -> std::process::ExitCode {
    gv::cli::complete::complete_if_requested();
    gv::cli::main(gv::self_update::update::Build {
        // The release command (xtask) sets these for builds that are not plain releases
        // of this Cargo.toml: a test release built as a newer version, or one that trusts
        // another signing key. They are read here, in the binary's own small crate, so a
        // change relinks gv without recompiling the library.
        version: match option_env!("GV_BUILD_VERSION") {
            Some(version) => version,
            None => env!("CARGO_PKG_VERSION"),
        },
        release_key: option_env!("GV_BUILD_RELEASE_KEY"),
    })
}
