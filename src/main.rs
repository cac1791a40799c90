fn main() -> std::process::ExitCode {
    sigap::cli::main()
}
