//! `--sandbox`: a simulated API started inside doimg, with imports and
//! actions fast enough to watch. An import is `pending` from 1 to 5
//! seconds, so that a first poll after the default 2 seconds sees it, then
//! `available`.
//!
//! The sandbox is doimg's `sandbox` feature (on by default). A doimg built
//! without it keeps the `--sandbox` flag, which then fails with a usage
//! error that says how to get it, before anything is sent.

#[cfg(feature = "sandbox")]
use std::time::Duration;

use do_images_file_import::SpacesCredentials;
#[cfg(feature = "sandbox")]
use do_images_sandbox::{ImportTiming, RunningSandbox, Sandbox, SandboxConfig};

use crate::error::CliError;

/// Where `images create --file` uploads in `--sandbox` mode.
pub struct SandboxSpaces {
    /// The store's URL (plain http on 127.0.0.1).
    pub endpoint: String,
    /// Its signing region.
    pub region: String,
    /// Its bucket.
    pub bucket: String,
    /// Its keys.
    pub credentials: SpacesCredentials,
}

/// A sandbox running in this process; it stops when doimg exits.
pub struct InProcessSandbox {
    #[cfg(feature = "sandbox")]
    running: RunningSandbox,
    /// Without the feature there is no sandbox, so no value of this type.
    #[cfg(not(feature = "sandbox"))]
    never: std::convert::Infallible,
}

#[cfg(feature = "sandbox")]
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
    pub fn spaces(&self) -> Option<SandboxSpaces> {
        let access = self.running.spaces()?.access();
        Some(SandboxSpaces {
            endpoint: access.endpoint_url.clone(),
            region: access.region.clone(),
            bucket: access.bucket.clone(),
            credentials: SpacesCredentials::new(
                access.access_key_id.as_str(),
                access.secret_access_key.as_str(),
            ),
        })
    }
}

/// What `--sandbox` says in a doimg built without the `sandbox` feature.
#[cfg(not(feature = "sandbox"))]
pub const NOT_BUILT_IN: &str = "--sandbox is not available: this doimg was built without its \
     `sandbox` feature (on by default; `cargo install do-images-cli` includes it). \
     Use --api-url and a token instead, or a separate `do-images-sandbox`";

#[cfg(not(feature = "sandbox"))]
impl InProcessSandbox {
    /// Always a usage error: this build has no sandbox.
    pub async fn start() -> Result<Self, CliError> {
        Err(CliError::Usage(NOT_BUILT_IN.to_string()))
    }

    /// Unreachable: there is no value to ask.
    pub fn base_url(&self) -> &str {
        match self.never {}
    }

    /// Unreachable: there is no value to ask.
    pub fn token(&self) -> &str {
        match self.never {}
    }

    /// Unreachable: there is no value to ask.
    pub fn spaces(&self) -> Option<SandboxSpaces> {
        match self.never {}
    }
}

#[cfg(all(test, not(feature = "sandbox")))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_the_feature_sandbox_is_a_usage_error_that_says_why() {
        // Without the feature there is no `InProcessSandbox` value, so only
        // an error can come back.
        let Err(error) = InProcessSandbox::start().await;
        assert_eq!(error.exit_code(), crate::exit_code::USAGE);
        assert!(
            error.message().contains("`sandbox` feature"),
            "{}",
            error.message()
        );
    }
}
