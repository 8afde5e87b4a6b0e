//! `--sandbox`: a simulated API started inside doimg.

use crate::error::CliError;

/// A sandbox running in this process.
pub struct InProcessSandbox {
    base_url: String,
    token: String,
}

impl InProcessSandbox {
    /// Starts it.
    pub async fn start() -> Result<Self, CliError> {
        Err(CliError::Usage("the sandbox is not built yet".into()))
    }
    /// Its base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// The token it accepts.
    pub fn token(&self) -> &str {
        &self.token
    }
}
