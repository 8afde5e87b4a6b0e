//! Starting a sandbox on 127.0.0.1, and the handle that stops it.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::accounts::Account;
use crate::api::{self, Shared};
use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::spaces::{SpacesError, SpacesStore};
use crate::stats::{RequestRecord, Stats};

/// Why a sandbox did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The port could not be bound.
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// What the system said.
        source: std::io::Error,
    },
    /// A fault setting is out of range.
    #[error("{0}")]
    InvalidFaults(String),
    /// There is no account, or two accounts share a token.
    #[error("{0}")]
    InvalidAccounts(String),
    /// The Spaces store did not start.
    #[error(transparent)]
    Spaces(#[from] SpacesError),
}

/// Starts sandboxes.
pub struct Sandbox;

impl Sandbox {
    /// Starts a sandbox on 127.0.0.1 in the current tokio runtime. It runs
    /// until [`RunningSandbox::shutdown`] or until the handle is dropped.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), do_images_sandbox::SandboxError> {
    /// use do_images_sandbox::{Sandbox, SandboxConfig};
    ///
    /// let sandbox = Sandbox::start(SandboxConfig::default().with_images(1_000)).await?;
    /// println!("{} accepts {}", sandbox.base_url(), sandbox.token());
    /// sandbox.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
        config
            .faults
            .validate()
            .map_err(SandboxError::InvalidFaults)?;
        check_accounts(&config.accounts)?;
        let port = config.port;
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
            .await
            .map_err(|source| SandboxError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { port, source })?;
        let spaces = match &config.spaces {
            Some(spaces) => Some(SpacesStore::start(spaces).await?),
            None => None,
        };
        let base_url = format!("http://{address}");
        let url = Url::parse(&base_url).expect("a socket address makes a valid URL");
        let shared = Arc::new(Shared::new(&config, url));
        let router = api::router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serving = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serving.await {
                tracing::error!(%error, "the sandbox stopped serving");
            }
        });
        Ok(RunningSandbox {
            base_url,
            shared,
            spaces,
            stop: Some(stop),
            server,
        })
    }
}

/// Refuses a sandbox without accounts, or with two accounts on one token.
fn check_accounts(accounts: &[Account]) -> Result<(), SandboxError> {
    if accounts.is_empty() {
        return Err(SandboxError::InvalidAccounts(
            "a sandbox needs at least one account".into(),
        ));
    }
    for (index, account) in accounts.iter().enumerate() {
        if let Some(first) = accounts[..index]
            .iter()
            .position(|a| a.token == account.token)
        {
            return Err(SandboxError::InvalidAccounts(format!(
                "accounts {first} and {index} (counting from 0) share a token; each account needs its own"
            )));
        }
    }
    Ok(())
}

/// A sandbox that is serving. Dropping it stops the server.
pub struct RunningSandbox {
    base_url: String,
    shared: Arc<Shared>,
    spaces: Option<SpacesStore>,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningSandbox {
    /// Where it listens, such as `http://127.0.0.1:40123` (no trailing
    /// slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The primary account's bearer token: the account that owns the
    /// seeded private images.
    pub fn token(&self) -> &str {
        &self.shared.accounts.primary().token
    }

    /// Every account, the primary first, with its token, email and team.
    pub fn accounts(&self) -> Vec<Account> {
        self.shared.accounts.all().cloned().collect()
    }

    /// Counters over every request received so far, including those the
    /// request log no longer holds.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// The most recent requests (all of them up to the log's capacity,
    /// [`SandboxConfig::with_request_log_capacity`]; [`Stats::dropped_from_log`]
    /// counts the older ones dropped), in the order they were answered or
    /// abandoned. A request whose client went away before the answer was
    /// ready (a client timeout during a slow fault, a cancelled call) is
    /// logged with status 499.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.shared.log()
    }

    /// Replaces the injected faults from the next request on.
    pub fn set_faults(&self, faults: Faults) -> Result<(), SandboxError> {
        faults.validate().map_err(SandboxError::InvalidFaults)?;
        self.shared.set_faults(faults);
        Ok(())
    }

    /// How many images exist now.
    pub fn image_count(&self) -> usize {
        self.shared.store().image_count()
    }

    /// How many images are named `name` now.
    pub fn count_images_named(&self, name: &str) -> usize {
        self.shared.store().count_named(name)
    }

    /// The Spaces-compatible store started beside it (`None` when the
    /// config said [`SandboxConfig::without_spaces`]).
    pub fn spaces(&self) -> Option<&SpacesStore> {
        self.spaces.as_ref()
    }

    /// Stops accepting connections and waits for the server to finish the
    /// requests in flight.
    pub async fn shutdown(mut self) {
        if let Some(spaces) = &mut self.spaces {
            spaces.stop();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let server = std::mem::replace(&mut self.server, tokio::spawn(async {}));
        let _ = server.await;
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
