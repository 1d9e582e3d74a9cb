fn main() -> std::process::ExitCode {
    gv::cli::main()
}
