//! Thin entry point: parse the command line, run, map the outcome to an exit status.

use std::process::ExitCode;

use clap::Parser;
use tlscope::app::{self, AppError};
use tlscope::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match app::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(AppError::Usage(msg)) => {
            eprintln!("tlscope: {msg}");
            ExitCode::from(2)
        }
        Err(AppError::Failed(msg)) => {
            eprintln!("tlscope: {msg}");
            ExitCode::from(1)
        }
    }
}
