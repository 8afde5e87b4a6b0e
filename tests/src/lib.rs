//! Helpers shared by the end-to-end tests in `tests/tests/`: they drive the
//! do-images library against a sandbox over real HTTP on 127.0.0.1.
//!
//! Everything here is tuned so that the whole suite runs in seconds: imports
//! settle in 400 ms, actions in 200 ms, waiters poll every 10 to 40 ms, and
//! retries back off for a few milliseconds instead of half a second. Data
//! and injected faults are drawn from fixed seeds.

use std::collections::BTreeSet;
use std::time::Duration;

use do_images::{Client, ClientBuilder, Image, RetryPolicy, WaitOptions};
use do_images_sandbox::{
    ImportTiming, RateLimits, RequestRecord, RunningSandbox, Sandbox, SandboxConfig,
};

/// The seed of the generated images (and of the injected faults) unless a
/// test says otherwise.
pub const SEED: u64 = 20_240_611;

/// The image URL of an import that succeeds.
pub const GOOD_URL: &str = "https://images.example.com/releases/disk-2024.qcow2";

/// A client for `sandbox`, with the library's default settings.
pub fn client_for(sandbox: &RunningSandbox) -> Client {
    builder_for(sandbox)
        .build()
        .expect("a client for a sandbox on 127.0.0.1")
}

/// A builder aimed at `sandbox`, to adjust before building.
pub fn builder_for(sandbox: &RunningSandbox) -> ClientBuilder {
    Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token())
}

/// A client for `sandbox` that retries up to `max_attempts` times with
/// backoffs of a few milliseconds, and gives each attempt `timeout`.
pub fn patient_client(sandbox: &RunningSandbox, max_attempts: u32, timeout: Duration) -> Client {
    builder_for(sandbox)
        .retry_policy(fast_retries(max_attempts))
        .request_timeout(timeout)
        .build()
        .expect("a client for a sandbox on 127.0.0.1")
}

/// A client for `sandbox` that sends every request exactly once, giving it
/// `timeout`.
pub fn no_retry_client(sandbox: &RunningSandbox, timeout: Duration) -> Client {
    builder_for(sandbox)
        .retry_policy(RetryPolicy::disabled())
        .request_timeout(timeout)
        .build()
        .expect("a client for a sandbox on 127.0.0.1")
}

/// The default retry rules (which requests, which statuses) with
/// millisecond backoffs, a 5 ms floor after a `429`, and `max_attempts`
/// attempts.
pub fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(2))
        .with_max_backoff(Duration::from_millis(10))
        .with_min_rate_limit_wait(Duration::from_millis(5))
}

/// Waiter options for the quick sandbox: polls 10 to 40 ms apart, gives up
/// after 10 s.
pub fn fast_wait() -> WaitOptions {
    WaitOptions::default()
        .min_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(40))
        .max_wait(Duration::from_secs(10))
}

/// A sandbox configuration for tests: `images` images from [`SEED`], imports
/// `NEW` for 100 ms and settled at 400 ms, actions done in 200 ms, no rate
/// limit (tests that want one set it), no faults.
pub fn quick_config(images: usize) -> SandboxConfig {
    SandboxConfig::default()
        .with_seed(SEED)
        .with_images(images)
        .with_import_timing(ImportTiming::new(
            Duration::from_millis(100),
            Duration::from_millis(400),
        ))
        .with_action_duration(Duration::from_millis(200))
        .with_rate_limits(RateLimits::unlimited())
}

/// Starts a sandbox with `config` in the current runtime.
pub async fn start(config: SandboxConfig) -> RunningSandbox {
    Sandbox::start(config).await.expect("the sandbox starts")
}

/// Starts an import of [`GOOD_URL`] named `web` into nyc3 and returns the
/// new image's id.
pub async fn import_web(client: &Client) -> u64 {
    let created = client
        .images()
        .create_custom("web", GOOD_URL, "nyc3")
        .send()
        .await
        .expect("the sandbox accepts the import");
    created.into_inner().id
}

/// The ids of `images`, in order.
pub fn ids(images: &[Image]) -> Vec<u64> {
    images.iter().map(|image| image.id).collect()
}

/// Asserts that `images` holds each id once, in increasing order.
pub fn assert_unique_and_in_id_order(images: &[Image]) {
    let ids = ids(images);
    for pair in ids.windows(2) {
        assert!(
            pair[0] < pair[1],
            "ids out of order or repeated: {} then {}",
            pair[0],
            pair[1]
        );
    }
}

/// Asserts that two listings are the same images with the same contents,
/// in the same order (compared as JSON, field by field).
pub fn assert_same_images(actual: &[Image], expected: &[Image]) {
    assert_eq!(
        actual.len(),
        expected.len(),
        "the listing has {} images, the reference {}",
        actual.len(),
        expected.len()
    );
    for (index, (a, e)) in actual.iter().zip(expected).enumerate() {
        let a = serde_json::to_value(a).expect("an image serializes");
        let e = serde_json::to_value(e).expect("an image serializes");
        assert_eq!(a, e, "image #{index} differs from the reference");
    }
}

/// The log entries of operation `operation` (a spec operation id such as
/// `images_list`).
pub fn requests_to(sandbox: &RunningSandbox, operation: &str) -> Vec<RequestRecord> {
    sandbox
        .request_log()
        .into_iter()
        .filter(|record| record.operation == Some(operation))
        .collect()
}

/// The `page` query parameter of a logged request (1 when absent).
pub fn page_of(record: &RequestRecord) -> u64 {
    record
        .target
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))
        .map_or(1, |page| page.parse().expect("a numeric page"))
}

/// Asserts that every page from 1 to `pages` was answered `200` exactly
/// once, and no other page was: a listing neither skipped nor repeated a
/// page, however many failed attempts came before.
pub fn assert_each_page_served_once(sandbox: &RunningSandbox, pages: u64) {
    let served: Vec<u64> = requests_to(sandbox, "images_list")
        .iter()
        .filter(|record| record.status == 200 && record.fault.is_none())
        .map(page_of)
        .collect();
    let distinct: BTreeSet<u64> = served.iter().copied().collect();
    assert_eq!(
        served.len(),
        distinct.len(),
        "a page was served twice: {served:?}"
    );
    assert_eq!(
        distinct,
        (1..=pages).collect::<BTreeSet<u64>>(),
        "pages served"
    );
}

/// Waits `settle` for requests already in flight to finish, then asserts
/// that no request reaches `sandbox` during `window`. Returns how many
/// requests the sandbox had answered.
pub async fn assert_no_more_requests(
    sandbox: &RunningSandbox,
    settle: Duration,
    window: Duration,
) -> usize {
    tokio::time::sleep(settle).await;
    let before = sandbox.request_log();
    tokio::time::sleep(window).await;
    let after = sandbox.request_log();
    assert_eq!(
        after.len(),
        before.len(),
        "requests arrived after the caller gave up: {:?}",
        &after[before.len()..]
    );
    before.len()
}

/// The root README's Rust examples, compiled as doctests (this crate
/// depends on every crate they use).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct RootReadmeExamples;

/// CONTRIBUTING.md's Rust examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../CONTRIBUTING.md")]
struct ContributingExamples;
