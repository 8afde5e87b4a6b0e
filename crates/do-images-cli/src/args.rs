//! The global flags and the argument types and value parsers that several
//! command groups share. The command tree (`cli`) and the commands
//! (`commands/`) both use them; this module uses neither.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgAction, Args, ValueEnum};

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
