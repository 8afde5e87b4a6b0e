//! doimg: the command-line tool of do-images.

mod app;
mod auth;
mod cli;
mod commands;
mod error;
mod exit_code;
mod output;
mod sandbox_mode;
mod validate;
mod wait_display;
mod waiting;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use crate::app::App;
use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::output::OutputOptions;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                exit_code::USAGE
            } else {
                exit_code::OK
            });
        }
    };
    init_tracing(cli.global.verbose);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{} {}", error_prefix(), error.message());
            ExitCode::from(error.exit_code())
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let output = OutputOptions {
        format: cli.global.output,
        columns: cli.global.format.clone(),
        no_header: cli.global.no_header,
        terminal: std::io::stdout().is_terminal(),
    };
    let poll_interval = cli.global.poll_interval;
    match cli.command {
        Command::Completion { shell } => commands::shell::completion(shell, &mut std::io::stdout()),
        Command::Man { dir } => commands::shell::man(dir.as_deref(), &mut std::io::stdout()),
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => commands::sandbox::run(args).await,
        Command::Images(command) => {
            let app = App::connect(&cli.global).await?;
            commands::images::run(command, &app, &output, poll_interval).await
        }
        Command::Actions(command) => {
            let app = App::connect(&cli.global).await?;
            commands::actions::run(command, &app, &output, poll_interval).await
        }
    }
}

/// `Error:`, in red on a terminal unless NO_COLOR is set.
fn error_prefix() -> &'static str {
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if color {
        "\x1b[31mError:\x1b[0m"
    } else {
        "Error:"
    }
}

/// `-v` shows the library's request log on stderr (never the token: the
/// library does not log it).
fn init_tracing(verbose: bool) {
    if !verbose {
        return;
    }
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let only_ours = tracing_subscriber::filter::Targets::new()
        .with_target("do_images", tracing::Level::DEBUG)
        .with_target("doimg", tracing::Level::DEBUG);
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false)
                .with_ansi(ansi),
        )
        .with(only_ours)
        .init();
}
