//! Connecting: the client for the real API, or for a sandbox started in
//! this process.

use std::time::Duration;

use do_images::{Client, RequestLimits, RetryPolicy};

use crate::args::GlobalArgs;
use crate::auth::{self, TokenQuery};
use crate::error::CliError;
use crate::sandbox_mode::{InProcessSandbox, SandboxSpaces};

/// What a command works with.
pub struct App {
    /// The library client.
    pub client: Client,
    /// Whether a question may be asked on the terminal: false with
    /// doctl's `--interactive=false`, so a deletion needs --force.
    pub may_ask: bool,
    /// The sandbox behind `--sandbox`, kept alive while the command runs.
    sandbox: Option<InProcessSandbox>,
}

impl App {
    /// The sandbox's Spaces store, in `--sandbox` mode.
    pub fn sandbox_spaces(&self) -> Option<SandboxSpaces> {
        self.sandbox.as_ref()?.spaces()
    }

    /// Builds the client the global flags ask for.
    pub async fn connect(global: &GlobalArgs) -> Result<Self, CliError> {
        let may_ask = global.interactive != Some(false);
        let mut builder = Client::builder()
            .user_agent(user_agent())
            .connect_timeout(Duration::from_secs(10))
            .retry_policy(retry_policy(global)?);
        if global.no_request_limits {
            builder = builder.request_limits(RequestLimits::none());
        }
        if global.sandbox {
            let sandbox = InProcessSandbox::start().await?;
            eprintln!(
                "Using a sandbox at {} (simulated data, no account; it stops when doimg exits).",
                sandbox.base_url()
            );
            if let Some(spaces) = sandbox.spaces() {
                eprintln!(
                    "Its Spaces store: {}, bucket {}.",
                    spaces.endpoint, spaces.bucket
                );
            }
            let client = builder
                .base_url(sandbox.base_url())
                .token(sandbox.token())
                .build()?;
            crate::output::redaction::know(client.redactor());
            return Ok(Self {
                client,
                may_ask,
                sandbox: Some(sandbox),
            });
        }
        let env = |name: &str| std::env::var(name).ok();
        let config_path = global.config.clone().or_else(auth::default_config_path);
        let api_url = match &global.api_url {
            Some(url) => Some(url.clone()),
            None => auth::config_api_url(config_path.as_deref()).map_err(CliError::Auth)?,
        };
        let found = auth::find_token(&TokenQuery {
            flag: global.access_token.as_ref().map(auth::TokenArg::expose),
            context: global.context.as_deref(),
            config_path,
            env: &env,
        })
        .map_err(CliError::Auth)?;
        if let Some(warning) = &found.warning {
            crate::output::stderr::warning(warning);
        }
        tracing::debug!(source = %found.source, "using the API token from this place");
        let mut builder = builder.token(found.token.as_str());
        if let Some(url) = &api_url {
            builder = builder.base_url(url.trim_end_matches('/'));
        }
        let client = builder.build()?;
        crate::output::redaction::know(client.redactor());
        Ok(Self {
            client,
            may_ask,
            sandbox: None,
        })
    }
}

/// The library's retries, changed by doctl's `--http-retry-*` flags: the
/// number of retries, the first wait before one and the longest.
fn retry_policy(global: &GlobalArgs) -> Result<RetryPolicy, CliError> {
    let mut policy = RetryPolicy::default();
    if let Some(retries) = global.http_retry_max {
        policy = policy.with_max_attempts(retries.saturating_add(1));
    }
    if let Some(seconds) = global.http_retry_wait_min {
        policy = policy.with_initial_backoff(Duration::from_secs(seconds));
    }
    if let Some(seconds) = global.http_retry_wait_max {
        policy = policy.with_max_backoff(Duration::from_secs(seconds));
    }
    if policy.initial_backoff() > policy.max_backoff() {
        return Err(CliError::Usage(format!(
            "--http-retry-wait-min ({:?}) is longer than --http-retry-wait-max ({:?}); \
             the first wait cannot be longer than the longest",
            policy.initial_backoff(),
            policy.max_backoff()
        )));
    }
    Ok(policy)
}

/// `doimg/<version> (<os>; <arch>)`, such as `doimg/0.1.0 (linux; x86_64)`:
/// like doctl's, it tells the API's operators which builds are in use.
fn user_agent() -> String {
    format!(
        "doimg/{} ({}; {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}
