use std::process::ExitCode;

fn main() -> ExitCode {
    tokenbench::cli::run(std::env::args_os())
}
