//! The waiter: how long after an import becomes available
//! `wait_until_available` returns, with default `WaitOptions`, and how many
//! polls it made.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use do_images::WaitOptions;
use do_images_sandbox::{ImportTiming, RateLimits, Sandbox, SandboxConfig};

/// The longest delay between two polls with `WaitOptions::default()`, as
/// its documentation gives it.
pub const MAX_POLL_DELAY: Duration = Duration::from_secs(60);

/// What the waiter did.
#[derive(Clone, Debug)]
pub struct WaiterResult {
    /// How long the import took to become available.
    pub import_time: Duration,
    /// From the image becoming available to the waiter returning. The
    /// sandbox starts the import's clock when the import request arrives;
    /// this counts from just before it was sent, so it is at most
    /// `import_round_trip` too long, never too short.
    pub after_available: Duration,
    /// How long the import request took.
    pub import_round_trip: Duration,
    /// Time since the wait started at each poll, from the progress callback.
    pub polls: Vec<Duration>,
    /// `images_get` requests in the sandbox's log.
    pub gets_logged: u64,
}

/// Imports an image into a sandbox whose imports take `import_time`, and
/// waits for it with the default options.
pub async fn measure(import_time: Duration) -> Result<WaiterResult> {
    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .with_rate_limits(RateLimits::unlimited())
            .with_import_timing(ImportTiming::new(import_time / 5, import_time)),
    )
    .await?;
    let client = do_images::Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token())
        .build()?;
    let polls = Arc::new(Mutex::new(Vec::new()));
    let seen = polls.clone();
    let options = WaitOptions::default().on_progress(move |progress| {
        let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.push(progress.elapsed);
    });

    let sent = Instant::now();
    let created = client
        .images()
        .create_custom("bench-waiter", "https://example.com/bench.qcow2", "nyc3")
        .send()
        .await?;
    let import_round_trip = sent.elapsed();
    let id = created.id();
    client
        .images()
        .wait_until_available(id, options)
        .send()
        .await?;
    let returned = Instant::now();

    let available = sent + import_time;
    let after_available = returned
        .checked_duration_since(available)
        .context("the waiter returned before the import could be available")?;
    let gets_logged = sandbox.stats().operation("images_get");
    sandbox.shutdown().await;
    let polls = std::mem::take(&mut *polls.lock().unwrap_or_else(PoisonError::into_inner));
    Ok(WaiterResult {
        import_time,
        after_available,
        import_round_trip,
        polls,
        gets_logged,
    })
}
