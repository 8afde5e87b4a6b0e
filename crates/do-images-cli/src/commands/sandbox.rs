//! `doimg sandbox`

use crate::cli::SandboxArgs;
use crate::error::CliError;

/// Serves the sandbox until Ctrl-C.
pub async fn run(_args: SandboxArgs) -> Result<(), CliError> {
    Err(CliError::Usage("the sandbox is not built yet".into()))
}
