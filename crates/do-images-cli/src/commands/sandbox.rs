//! `doimg sandbox`: the simulated API in the foreground.

use do_images_sandbox::{ServeArgs, serve_until_ctrl_c};

use crate::error::CliError;

/// Serves the sandbox until Ctrl-C, after printing its URL and every
/// account's email, team uuid and token.
pub async fn run(args: ServeArgs) -> Result<(), CliError> {
    serve_until_ctrl_c(&args, &mut std::io::stdout())
        .await
        .map_err(CliError::Sandbox)
}
