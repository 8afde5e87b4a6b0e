//! `do-images-bench rate-limited`: how long a listing longer than the
//! API's burst limit takes through the library's default request limiter,
//! against a sandbox with the API's real limits (250 requests in any minute,
//! 5,000 in any hour), and how many `429`s it met (none is the goal).
//!
//! The limits set a floor no client can beat: with a sliding one-minute
//! window, request `n + 250` can only go a minute after request `n` was
//! answered, so `p` pages need at least `(p - 1) / 250` whole minutes. The
//! figure printed next to it shows how much the limiter adds.

use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use do_images_sandbox::{Faults, RateLimits, Sandbox, SandboxConfig};
use futures::TryStreamExt;

use crate::cli::RateLimitedArgs;

/// Runs the listing `args` describe and prints what it took.
pub fn run(args: &RateLimitedArgs) -> Result<()> {
    tokio::runtime::Runtime::new()?.block_on(measure(args))
}

async fn measure(args: &RateLimitedArgs) -> Result<()> {
    let limits = RateLimits::default();
    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .with_images(args.pages)
            .with_rate_limits(limits)
            .with_faults(Faults::none().with_latency(Duration::from_millis(args.latency_ms))),
    )
    .await?;
    let client = do_images::Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token())
        .build()?;
    eprintln!(
        "listing {} pages of 1 image, {} ahead, {} ms latency, limits {} a minute and {} an hour",
        args.pages, args.fetch_ahead, args.latency_ms, limits.per_minute, limits.per_hour
    );
    let started = Instant::now();
    let items: Vec<_> = client
        .images()
        .list()
        .per_page(1)
        .fetch_ahead(args.fetch_ahead)
        .stream()
        .try_collect()
        .await?;
    let elapsed = started.elapsed();
    let stats = sandbox.stats();
    ensure!(items.len() == args.pages, "{} items listed", items.len());
    let full_minutes = args.pages.saturating_sub(1) / limits.per_minute as usize;
    println!(
        "{} pages in {:.1} s ({} requests, {} answered 429); the limits allow it in no less than {} s",
        args.pages,
        elapsed.as_secs_f64(),
        stats.requests,
        stats.rate_limited,
        full_minutes * 60,
    );
    Ok(())
}
