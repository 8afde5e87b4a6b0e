//! The command line's top, as clap sees it: the global flags, the command
//! groups, and the argument types several groups share. Each group's own
//! arguments live beside its command, in `commands/`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::commands::account_transfers::AccountTransfersCommand;
use crate::commands::actions::ActionsCommand;
use crate::commands::images::ImagesCommand;
use crate::commands::shell::COMPLETION_INSTALL;
use crate::exit_code::EXIT_CODES_HELP;

/// Manage DigitalOcean images from the command line.
///
/// Lists, imports, updates and deletes images, transfers and converts them,
/// and waits for the work to finish. Run any command against a local
/// simulation of the API with --sandbox: no account needed.
#[derive(Debug, Parser)]
#[command(name = "doimg", version, after_long_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// API endpoint.
    #[arg(
        short = 'u',
        long,
        global = true,
        env = "DIGITALOCEAN_API_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub api_url: Option<String>,

    /// API token. Else, as in doctl, the chosen context's: for `default`,
    /// DIGITALOCEAN_ACCESS_TOKEN, DIGITALOCEAN_TOKEN or the access-token in
    /// doctl's config file; for another, its entry in the file's
    /// auth-contexts.
    #[arg(
        short = 't',
        long,
        global = true,
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub access_token: Option<crate::auth::TokenArg>,

    /// Which of doctl's auth-contexts to take the token from [default: the
    /// config file's current context].
    #[arg(long, global = true, env = "DIGITALOCEAN_CONTEXT", value_name = "NAME")]
    pub context: Option<String>,

    /// doctl's config file [default: doctl/config.yaml in the user config
    /// directory: $XDG_CONFIG_HOME or ~/.config, ~/Library/Application
    /// Support on macOS, %APPDATA% on Windows].
    #[arg(
        short = 'c',
        long,
        global = true,
        env = "DIGITALOCEAN_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,

    /// Run against a sandbox started in this process (no account, no
    /// network); not with --api-url or -t (DIGITALOCEAN_API_URL is
    /// ignored).
    #[arg(long, global = true, conflicts_with = "access_token")]
    pub sandbox: bool,

    /// Send requests as fast as the server answers them, instead of
    /// keeping under the API's 250 requests a minute and 5,000 an hour
    /// (for a sandbox without rate limits, or a proxy that limits on its
    /// own); a 429 is still waited out.
    #[arg(long, global = true)]
    pub no_request_limits: bool,

    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// Columns to show, comma-separated (text output), e.g. ID,Name,Status.
    #[arg(long, global = true, value_name = "COLUMNS", value_delimiter = ',')]
    pub format: Option<Vec<String>>,

    /// Leave out the header line (text output).
    #[arg(long, global = true)]
    pub no_header: bool,

    /// First delay between polls while waiting (it grows up to a minute).
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration, default_value = "2s")]
    pub poll_interval: Duration,

    /// Trace requests on stderr: method, path, status, attempt, request id,
    /// rate limit left. Never the token. RUST_LOG, when set, replaces this
    /// filter. doctl's --trace is the same.
    #[arg(short = 'v', long, global = true, alias = "trace")]
    pub verbose: bool,

    /// Ask before deleting (on a terminal; elsewhere a deletion needs
    /// --force): doctl's flag. --interactive=false never asks [default:
    /// true].
    #[arg(
        long,
        global = true,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = parse_on_off,
        action = ArgAction::Set
    )]
    pub interactive: Option<bool>,

    /// How many times a failed request is sent again (a 429, a 5xx, a
    /// connection that failed; an import or an action is never sent twice
    /// when it may have been carried out) [default: 3].
    #[arg(long, global = true, value_name = "N")]
    pub http_retry_max: Option<u32>,

    /// doctl's: the first wait before a retry, in seconds (it doubles for
    /// each further retry, with random jitter) [default: 0.5].
    #[arg(long, global = true, value_name = "SECONDS", hide = true)]
    pub http_retry_wait_min: Option<u64>,

    /// doctl's: the longest wait before a retry, in seconds [default: 20].
    #[arg(long, global = true, value_name = "SECONDS", hide = true)]
    pub http_retry_wait_max: Option<u64>,
}

/// An on/off value as doctl (Go's `strconv.ParseBool`) reads it.
fn parse_on_off(text: &str) -> Result<bool, String> {
    crate::cobra_flags::parse_bool(text).ok_or_else(|| {
        format!("`{text}` is not on or off; give true or false (or 1, t, 0, f, as in doctl)")
    })
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns.
    Text,
    /// The API's objects as JSON: an array for lists (written as items
    /// arrive), one object for a command about one image or action (doctl
    /// prints a one-item array there: `| jq -s .` gives that shape).
    Json,
}

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, get, import, update, delete, prune, distribute and wait for
    /// images (doctl's `image` works too).
    #[command(subcommand, alias = "image")]
    Images(ImagesCommand),
    /// List, get, start and wait for image actions: transfer, convert
    /// (doctl's `image-action` works too).
    #[command(subcommand, alias = "image-action")]
    Actions(ActionsCommand),
    /// Hand a private snapshot to another account or team; accept, cancel
    /// or decline such a transfer.
    #[command(subcommand)]
    AccountTransfers(AccountTransfersCommand),
    /// doctl's `compute` prefix: `compute image ...` is `images ...`,
    /// `compute image-action ...` is `actions ...`.
    #[command(subcommand, hide = true)]
    Compute(ComputeCommand),
    /// Run the local simulation of the API in the foreground until Ctrl-C.
    #[cfg(feature = "sandbox")]
    Sandbox(do_images_sandbox::ServeArgs),
    /// Print a shell completion script.
    #[command(after_help = COMPLETION_INSTALL)]
    Completion {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command to a folder.
    Man {
        /// Write doimg.1, doimg-images.1, doimg-images-list.1, ... into this
        /// folder instead of printing doimg.1.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

/// The groups under doctl's `compute`.
#[derive(Debug, Subcommand)]
pub enum ComputeCommand {
    /// `images ...`
    #[command(subcommand, name = "image", alias = "images")]
    Image(ImagesCommand),
    /// `actions ...`
    #[command(subcommand, name = "image-action", alias = "actions")]
    ImageAction(ActionsCommand),
}

/// The command line as doimg parses it and as its help, completions and
/// man pages show it: [`Cli`], with each global option hidden where it does
/// nothing: all of them on the commands that send no request (`completion`,
/// `man`, `sandbox`), `--poll-interval` on the commands that do not wait.
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    command.build();
    command.mut_subcommands(|sub| {
        let name = sub.get_name().to_string();
        hide_unused_options(sub, &name)
    })
}

/// Hides in `command` (at `path`, such as `images list`) and below it the
/// global options that do nothing there.
fn hide_unused_options(command: clap::Command, path: &str) -> clap::Command {
    const SEND_NOTHING: &[&str] = &["completion", "man", "sandbox"];
    const WAIT: &[&str] = &[
        "images create",
        "images wait",
        "images distribute",
        "actions transfer",
        "actions convert",
        "actions wait",
    ];
    let sends_nothing = SEND_NOTHING.contains(&path);
    let canonical = path
        .trim_start_matches("compute ")
        .replace("image-action ", "actions ")
        .replace("image ", "images ");
    let leaf = command.get_subcommands().next().is_none();
    let waits = WAIT.contains(&canonical.as_str());
    let command = command.mut_args(|arg| {
        let unused = arg.is_global_set()
            && (sends_nothing || (leaf && !waits && arg.get_id() == "poll_interval"));
        if unused { arg.hide(true) } else { arg }
    });
    command.mut_subcommands(|sub| {
        let path = format!("{path} {}", sub.get_name());
        hide_unused_options(sub, &path)
    })
}

/// `--wait` and `--timeout`.
#[derive(Debug, Args)]
pub struct WaitFlags {
    /// Wait for the work to finish.
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this long, e.g. 90s, 15m, 1h (with --wait).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "60m", requires = "wait")]
    pub timeout: Duration,
}

/// Ids are positive: 0 is refused before anything is sent, so that a
/// command naming several ids never stops half-way on one.
pub fn positive_id() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(1..)
}

/// A positive duration such as 90s, 15m, 1h30m, 30d or 30days
/// (humantime's grammar): every duration flag takes it.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration ({e}); use e.g. 90s, 15m, 1h30m, 30d"))?;
    if duration.is_zero() {
        return Err(format!(
            "`{text}` is no time at all; give a duration longer than zero, e.g. 90s, 15m, 1h30m, 30d"
        ));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    #[test]
    fn durations_parse_and_bad_ones_say_what_is_allowed() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(
            parse_duration("30days").unwrap(),
            parse_duration("30d").unwrap()
        );
        assert!(
            parse_duration("-3d")
                .unwrap_err()
                .contains("not a duration")
        );
        assert!(parse_duration("soon").unwrap_err().contains("15m"));
        assert!(
            parse_duration("0s")
                .unwrap_err()
                .contains("longer than zero")
        );
    }
}
