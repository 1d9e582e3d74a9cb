fn main() -> std::process::ExitCode {
    gv::completion::complete_if_requested();
    gv::cli::main()
}
