//! `--sandbox`: a simulated API started inside doimg, with imports and
//! actions fast enough to watch. An import is `pending` from 1 to 5
//! seconds, so that a first poll after the default 2 seconds sees it, then
//! `available`.

use std::time::Duration;

use do_images_sandbox::{ImportTiming, RunningSandbox, Sandbox, SandboxConfig, SpacesAccess};

use crate::error::CliError;

/// A sandbox running in this process; it stops when doimg exits.
pub struct InProcessSandbox {
    running: RunningSandbox,
}

impl InProcessSandbox {
    /// Starts it on a free port.
    pub async fn start() -> Result<Self, CliError> {
        let config = SandboxConfig::default()
            .with_import_timing(ImportTiming::new(
                Duration::from_secs(1),
                Duration::from_secs(5),
            ))
            .with_action_duration(Duration::from_secs(2));
        let running = Sandbox::start(config).await.map_err(CliError::Sandbox)?;
        Ok(Self { running })
    }

    /// Its base URL.
    pub fn base_url(&self) -> &str {
        self.running.base_url()
    }

    /// The token it accepts.
    pub fn token(&self) -> &str {
        self.running.token()
    }

    /// Its Spaces store: endpoint, region, bucket and keys, for a file
    /// import in `--sandbox` mode.
    pub fn spaces(&self) -> Option<&SpacesAccess> {
        self.running.spaces().map(|store| store.access())
    }
}
