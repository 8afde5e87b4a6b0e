//! doimg: the command-line tool of do-images.

/// doimg's `eprintln!`: std's, except that a stderr that cannot be written
/// (a closed pipe, as in `2>&1 | head`) drops the line instead of
/// panicking, so the command carries on and ends as it would have. Defined
/// before the modules, it replaces std's in every one of them.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::output::stderr::write_line(format_args!($($arg)*))
    };
}

/// doimg's `eprint!`, which never panics either (see `eprintln!`).
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::output::stderr::write_text(format_args!($($arg)*))
    };
}

mod app;
mod args;
mod auth;
mod cli;
mod cobra_flags;
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
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{ArgMatches, FromArgMatches};

use crate::app::App;
use crate::cli::{Cli, Command, ComputeCommand};
use crate::error::CliError;
use crate::output::OutputOptions;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let command = cli::command();
    let args = match cobra_flags::rewrite(std::env::args_os(), &command) {
        Ok(args) => args,
        Err(message) => {
            output::stderr::error(&message);
            return ExitCode::from(exit_code::USAGE);
        }
    };
    let parsed = command
        .try_get_matches_from(args)
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            if print_command_line_error(&error).is_err() {
                return ExitCode::from(exit_code::CLOSED_PIPE);
            }
            return ExitCode::from(if error.use_stderr() {
                exit_code::USAGE
            } else {
                exit_code::OK
            });
        }
    };
    init_tracing(cli.global.verbose);
    let outcome = match sandbox_keeps_its_own_url(&mut cli, &matches) {
        // What is still buffered is written now, so that a closed pipe is
        // seen here and not ignored at exit.
        Ok(()) => run(cli).await.and_then(|()| Ok(std::io::stdout().flush()?)),
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is_closed_output() => ExitCode::from(exit_code::CLOSED_PIPE),
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
/// escaped and redacted like every other message. Fails only when the
/// help's reader went away (a closed pipe).
fn print_command_line_error(error: &clap::Error) -> std::io::Result<()> {
    let plain = error.render().to_string();
    if !error.use_stderr() {
        return error.print();
    }
    let holds_a_secret = matches!(output::redaction::redact(&plain), Cow::Owned(_));
    if !holds_a_secret
        && !plain
            .chars()
            .any(|c| c != '\n' && output::escape::is_hidden(c))
    {
        let _ = error.print();
        return Ok(());
    }
    for line in plain.lines() {
        eprintln!("{}", output::escape::for_terminal(line));
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let mut output = OutputOptions {
        format: cli.global.output,
        columns: cli.global.format.clone(),
        no_header: cli.global.no_header,
        terminal: std::io::stdout().is_terminal(),
    };
    if let Some(note) = output.ignore_text_flags_with_json() {
        output::stderr::note(&note);
    }
    let poll_interval = cli.global.poll_interval;
    match cli.command {
        Command::Completion { shell } => {
            commands::shell::completion(shell, cli::command(), &mut std::io::stdout())
        }
        Command::Man { dir } => {
            commands::shell::man(cli::command(), dir.as_deref(), &mut std::io::stdout())
        }
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => commands::sandbox::run(args).await,
        Command::Images(command) | Command::Compute(ComputeCommand::Image(command)) => {
            let app = App::connect(&cli.global).await?;
            commands::images::run(command, &app, &output, poll_interval).await
        }
        Command::Actions(command) | Command::Compute(ComputeCommand::ImageAction(command)) => {
            let app = App::connect(&cli.global).await?;
            commands::actions::run(command, &app, &output, poll_interval).await
        }
        Command::AccountTransfers(command) => {
            let app = App::connect(&cli.global).await?;
            commands::account_transfers::run(command, &app, &output).await
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
