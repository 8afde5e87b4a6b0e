//! doimg: the command-line tool of do-images.

mod app;
mod auth;
mod cli;
mod commands;
mod doctl_config;
mod error;
mod exit_code;
mod output;
mod progress;
mod sandbox_mode;
mod signals;
mod validate;

use std::borrow::Cow;
use std::io::IsTerminal;
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::app::App;
use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::output::OutputOptions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            print_command_line_error(&error);
            return ExitCode::from(if error.use_stderr() {
                exit_code::USAGE
            } else {
                exit_code::OK
            });
        }
    };
    init_tracing(cli.global.verbose);
    let outcome = match sandbox_keeps_its_own_url(&mut cli, &matches) {
        Ok(()) => run(cli).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output::stderr::error(&error.message());
            ExitCode::from(error.exit_code())
        }
    }
}

/// `--sandbox` brings its own URL: one typed on the command line would be
/// ignored, so it is refused; `DIGITALOCEAN_API_URL`, perhaps exported for
/// another sandbox, is left unused.
fn sandbox_keeps_its_own_url(cli: &mut Cli, matches: &ArgMatches) -> Result<(), CliError> {
    if !cli.global.sandbox {
        return Ok(());
    }
    if matches.value_source("api_url") == Some(ValueSource::CommandLine) {
        return Err(CliError::Usage(
            "--sandbox runs against its own sandbox: leave out --api-url".into(),
        ));
    }
    cli.global.api_url = None;
    Ok(())
}
/// Prints clap's error or help. An error quoting typed text that holds
/// control characters or a secret (a URL's password) is printed plain,
/// escaped and redacted like every other message.
fn print_command_line_error(error: &clap::Error) {
    let plain = error.render().to_string();
    let holds_a_secret = matches!(output::redaction::redact(&plain), Cow::Owned(_));
    if !error.use_stderr()
        || !holds_a_secret
            && !plain
                .chars()
                .any(|c| c != '\n' && output::escape::is_hidden(c))
    {
        let _ = error.print();
        return;
    }
    for line in plain.lines() {
        eprintln!("{}", output::escape::for_terminal(line));
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let output = OutputOptions {
        format: cli.global.output,
        columns: cli.global.format.clone(),
        no_header: cli.global.no_header,
        terminal: std::io::stdout().is_terminal(),
    };
    output.check_format_flags()?;
    let poll_interval = cli.global.poll_interval;
    match cli.command {
        Command::Completion { shell } => commands::shell::completion(shell, &mut std::io::stdout()),
        Command::Man { dir } => commands::shell::man(dir.as_deref(), &mut std::io::stdout()),
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => commands::sandbox::run(args).await,
        Command::Images(command) => {
            let app = App::connect(&cli.global).await?;
            commands::images::run(command, &app, &output, poll_interval)
                .await
                .map_err(|error| error.after(&app.client))
        }
        Command::Actions(command) => {
            let app = App::connect(&cli.global).await?;
            commands::actions::run(command, &app, &output, poll_interval)
                .await
                .map_err(|error| error.after(&app.client))
        }
        Command::AccountTransfers(command) => {
            let app = App::connect(&cli.global).await?;
            commands::account_transfers::run(command, &app, &output)
                .await
                .map_err(|error| error.after(&app.client))
        }
    }
}

/// `-v` shows the library's request log on stderr (never the token: the
/// library does not log it). `RUST_LOG`, when set, replaces that filter
/// (with or without `-v`), in `tracing`'s `EnvFilter` syntax. The log
/// quotes the API's messages, so it is written escaped and uncoloured.
fn init_tracing(verbose: bool) {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let filter = match from_env {
        Some(directives) => EnvFilter::new(directives),
        None if verbose => EnvFilter::new("do_images=debug,doimg=debug"),
        None => return,
    };
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(|| output::stderr::EscapedLog)
                .with_target(false)
                .with_ansi(false),
        )
        .with(filter)
        .init();
}
