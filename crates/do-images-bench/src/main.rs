//! `do-images-bench`: do-images, `doimg` and pydo side by side against the
//! sandbox. Run it through `cargo xtask bench`, which
//! builds it in release mode, installs pydo and passes the paths in.
//!
//! `do-images-bench run` is the harness: it serves sandboxes in its own
//! process and times each client as a child process. `do-images-bench list`
//! is the library's client, one of those children, and `do-images-bench
//! measure` the small process each child is started from.

mod baseline;
mod cli;
mod cli_cpu;
mod clients;
mod launcher;
mod library_client;
mod machine;
mod measure;
mod plan;
mod prune;
mod rate_limited;
mod report;
mod results;
mod run;
mod scenario;
mod targets;
mod upload;
mod upload_client;
mod waiter;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Run(args) => run::run(&args),
        Command::List(args) => library_client::run(&args),
        Command::Measure(args) => launcher::run(&args),
        Command::RateLimited(args) => rate_limited::run(&args),
        Command::Prune(args) => prune::run(&args),
        Command::Upload(args) => upload::run(&args),
        Command::UploadClient(args) => upload_client::run(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
