//! The client's request limiter against the sandbox's real per-token
//! limiter: a listing far longer than the burst limit meets no `429`.
//!
//! The API allows 250 requests in any minute and 5,000 in any hour; a test
//! cannot wait minutes, so both sides use the same limits scaled in time:
//! 50 requests in any 500 ms and 1,000 in any 30 s (a fifth of the counts in
//! a 120th of the time: 100 requests a second, which the client easily
//! exceeds on 127.0.0.1 when nothing holds it back). The figure at the real
//! limits comes from `cargo run -p do-images-bench -- rate-limited` (see the
//! `request_limits` module docs), not from a test.

use std::time::Duration;

use do_images::{Client, RequestLimits};
use do_images_e2e::{assert_each_page_served_once, builder_for, quick_config, start};
use do_images_sandbox::{RateLimits, RunningSandbox};
use futures::TryStreamExt;

const BURST: u32 = 50;
const BURST_WINDOW: Duration = Duration::from_millis(500);
const HOURLY: u32 = 1_000;
const HOURLY_WINDOW: Duration = Duration::from_secs(30);

/// A sandbox holding `images` images, limited like the API but scaled.
async fn limited_sandbox(images: usize) -> RunningSandbox {
    start(
        quick_config(images)
            .with_rate_limits(RateLimits {
                per_minute: BURST,
                per_hour: HOURLY,
            })
            .with_rate_limit_windows(BURST_WINDOW, HOURLY_WINDOW),
    )
    .await
}

/// A client whose limiter is configured as the sandbox is limited.
fn limited_client(sandbox: &RunningSandbox) -> Client {
    builder_for(sandbox)
        .request_limits(
            RequestLimits::none()
                .allow(BURST, BURST_WINDOW)
                .allow(HOURLY, HOURLY_WINDOW),
        )
        .build()
        .expect("a client for a sandbox on 127.0.0.1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_600_page_listing_meets_no_429_and_yields_every_item_once() {
    let sandbox = limited_sandbox(600).await;
    let client = limited_client(&sandbox);
    let ids: Vec<u64> = client
        .images()
        .list()
        .per_page(1)
        .fetch_ahead(6)
        .stream()
        .map_ok(|image| image.id)
        .try_collect()
        .await
        .expect("the listing completes");
    assert_eq!(sandbox.stats().rate_limited, 0, "{:?}", sandbox.stats());
    assert_eq!(ids.len(), 600);
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 600, "an item was yielded twice");
    assert_each_page_served_once(&sandbox, 600);
    assert_eq!(sandbox.request_log().len(), 600, "one request a page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_share_one_limiter() {
    let sandbox = limited_sandbox(300).await;
    let client = limited_client(&sandbox);
    let clone = client.clone();
    let listing = client
        .images()
        .list()
        .per_page(1)
        .fetch_ahead(6)
        .collect_all();
    let gets = async move {
        for _ in 0..300 {
            clone
                .images()
                .get("ubuntu-24-04-x64")
                .send()
                .await
                .map(|_| ())?;
        }
        Ok::<(), do_images::Error>(())
    };
    let (listed, got) = tokio::join!(listing, gets);
    assert_eq!(listed.expect("the listing completes").len(), 300);
    got.expect("every get succeeds");
    assert_eq!(sandbox.stats().rate_limited, 0, "{:?}", sandbox.stats());
    assert_eq!(sandbox.request_log().len(), 600);
}
