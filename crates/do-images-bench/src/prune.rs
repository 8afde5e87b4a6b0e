//! `do-images-bench prune`: how long a prune of a large series takes
//! against a sandbox with the API's real rate limits (250 requests in any
//! minute, 5,000 in any hour), through the library's default request
//! limiter, and how many `429`s it met (none is the goal).
//!
//! The series is created through the API before the clock starts, by
//! helper accounts of the primary account's team: each has its own request
//! budget and creates fewer images than one burst allows, so the primary
//! token starts the prune with a full budget, as a real account would after
//! a quiet hour. The limits set a floor no client can beat: `r` requests
//! need at least `(r - 1) / 250` whole minutes.

use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use do_images::{Client, ImageStatus, RequestLimits};
use do_images_sandbox::{
    Account, ImportTiming, RateLimits, RunningSandbox, Sandbox, SandboxConfig,
};
use futures::future::try_join_all;

use crate::cli::PruneArgs;

/// The name prefix of the series the benchmark creates and prunes.
const SERIES: &str = "bench-prune-";

/// How many images one helper account creates: under the burst limit, so
/// that creating them never waits.
const IMAGES_PER_HELPER: usize = 200;

/// Runs the prune `args` describe and prints what it took.
pub fn run(args: &PruneArgs) -> Result<()> {
    tokio::runtime::Runtime::new()?.block_on(measure(args))
}

async fn measure(args: &PruneArgs) -> Result<()> {
    let limits = RateLimits::default();
    let count = usize::try_from(args.images)?;
    let helpers = count.div_ceil(IMAGES_PER_HELPER);
    let primary = Account::defaults().swap_remove(0);
    let mut accounts = vec![primary.clone()];
    accounts.extend((0..helpers).map(|n| {
        Account::new(
            format!("dop_v1_bench_prune_helper_{n:04}"),
            format!("helper-{n}@sandbox.example"),
            primary.team_uuid.clone(),
        )
    }));
    let sandbox = Sandbox::start(
        SandboxConfig::default()
            .with_images(args.other_images)
            .with_accounts(accounts)
            .with_rate_limits(limits)
            // Imports are available at the first request after them.
            .with_import_timing(ImportTiming::new(Duration::ZERO, Duration::ZERO)),
    )
    .await?;
    create_series(&sandbox, count).await?;
    let before = sandbox.stats();

    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token())
        .build()?;
    eprintln!(
        "pruning {count} images of {SERIES}* among {} others, keeping 0, limits {} a minute and {} an hour",
        args.other_images, limits.per_minute, limits.per_hour
    );
    let started = Instant::now();
    let plan = client
        .images()
        .prune()
        .name_prefix(SERIES)
        .keep_newest(0)
        .plan()
        .await?;
    let plan_time = started.elapsed();
    let planned = plan.deletions().count();
    let report = plan.send().await?;
    let total_time = started.elapsed();

    let after = sandbox.stats();
    let requests = after.requests - before.requests;
    let rate_limited = after.rate_limited - before.rate_limited;
    let pruned = report.images.iter().filter(|o| o.result.is_gone()).count();
    ensure!(
        planned == count && pruned == planned && report.all_deleted(),
        "{planned} planned, {pruned} pruned of {count} images"
    );
    ensure!(
        sandbox.image_count() == args.other_images,
        "{} images left, {} expected",
        sandbox.image_count(),
        args.other_images
    );
    let full_minutes = requests.saturating_sub(1) / u64::from(limits.per_minute);
    println!(
        "{pruned} images pruned in {:.1} s (plan {:.2} s); {requests} requests, {rate_limited} answered 429; the limits allow it in no less than {} s",
        total_time.as_secs_f64(),
        plan_time.as_secs_f64(),
        full_minutes * 60,
    );
    Ok(())
}

/// Creates `count` available custom images named `bench-prune-NNNNNN`
/// through the helper accounts, each on its own budget, then waits until
/// every one is available.
async fn create_series(sandbox: &RunningSandbox, count: usize) -> Result<()> {
    let helpers: Vec<Client> = sandbox.accounts()[1..]
        .iter()
        .map(|account| {
            Client::builder()
                .base_url(sandbox.base_url())
                .token(account.token.as_str())
                .request_limits(RequestLimits::none())
                .build()
        })
        .collect::<Result<_, _>>()?;
    let batches = helpers
        .iter()
        .enumerate()
        .map(|(helper, client)| async move {
            let first = helper * IMAGES_PER_HELPER;
            for index in first..count.min(first + IMAGES_PER_HELPER) {
                client
                    .images()
                    .create_custom(
                        format!("{SERIES}{index:06}"),
                        format!("https://images.example.com/{SERIES}{index:06}.qcow2"),
                        "nyc3",
                    )
                    .send()
                    .await?;
            }
            Ok::<(), do_images::Error>(())
        });
    try_join_all(batches).await?;
    let listed = helpers[0]
        .images()
        .list()
        .private(true)
        .per_page(200)
        .collect_all()
        .await?;
    let available = listed
        .iter()
        .filter(|i| i.name.starts_with(SERIES) && i.status == ImageStatus::Available)
        .count();
    ensure!(
        available == count,
        "{available} of {count} images available"
    );
    Ok(())
}
