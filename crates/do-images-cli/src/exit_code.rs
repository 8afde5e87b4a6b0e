//! What doimg's exit status means.

/// Everything worked.
pub const OK: u8 = 0;
/// The API answered with an error, or the request could not be made.
pub const API_ERROR: u8 = 1;
/// The command line or its input was wrong; nothing was sent.
pub const USAGE: u8 = 2;
/// No token was found, or the API refused it (401/403).
pub const AUTH: u8 = 3;
/// The image or action does not exist (404).
pub const NOT_FOUND: u8 = 4;
/// A wait ended in failure (import failed, action errored) or timed out.
pub const WAIT_FAILED: u8 = 5;
/// Waiting was interrupted with Ctrl-C; the work goes on server-side.
pub const INTERRUPTED: u8 = 130;
/// The output's reader went away (`doimg images list | head`): 128 plus
/// SIGPIPE's number, what a shell reports for a Unix tool that a closed pipe
/// stopped. Nothing is printed about it.
pub const CLOSED_PIPE: u8 = 141;

/// The table shown at the end of `--help`, and in the README.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    API error (or the request could not be made)
  2    usage error: bad flags or input, nothing was sent
  3    authentication: no token found, or the API refused it
  4    not found
  5    wait failed (import failed, action errored) or timed out
  130  interrupted by Ctrl-C while waiting (the work goes on server-side)
  141  the output's reader went away (a closed pipe, as with `| head`)";
