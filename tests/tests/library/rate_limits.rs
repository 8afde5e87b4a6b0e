//! The library against the sandbox's real per-token rate limiter (not
//! injected 429s): the state it reports, and what happens when the hourly
//! budget is spent.

use do_images::RateLimitStatus;
use do_images_e2e::{GOOD_URL, client_for, quick_config, start};
use do_images_sandbox::RateLimits;

const PUBLIC_SLUG: &str = "ubuntu-24-04-x64";

fn limits(per_hour: u32) -> RateLimits {
    RateLimits {
        per_minute: 1_000,
        per_hour,
    }
}

#[tokio::test]
async fn the_client_keeps_the_last_rate_limit_the_sandbox_sent() {
    let sandbox = start(quick_config(30).with_rate_limits(limits(100))).await;
    let client = client_for(&sandbox);
    assert_eq!(client.rate_limit(), None, "nothing seen before a request");
    for _ in 0..3 {
        client.images().get(PUBLIC_SLUG).send().await.unwrap();
    }
    let seen: RateLimitStatus = client.rate_limit().expect("headers on every answer");
    assert_eq!((seen.limit, seen.remaining), (100, 97));
    assert!(seen.reset > 1_700_000_000, "an epoch time: {}", seen.reset);
}

#[tokio::test]
async fn a_spent_hourly_budget_is_returned_at_once_with_its_state() {
    let sandbox = start(quick_config(30).with_rate_limits(limits(3))).await;
    let client = client_for(&sandbox);
    for _ in 0..3 {
        client.images().get(PUBLIC_SLUG).send().await.unwrap();
    }
    let error = client.images().get(PUBLIC_SLUG).send().await.unwrap_err();
    assert_eq!(error.status(), Some(429), "{error:?}");
    let state = error.rate_limit().expect("the 429 carries the rate limit");
    assert_eq!((state.limit, state.remaining), (3, 0));
    assert_eq!(
        sandbox.request_log().len(),
        4,
        "an hour-long retry-after is beyond the policy's maximum wait: not retried"
    );
    assert_eq!(sandbox.stats().rate_limited, 1);
}

#[tokio::test]
async fn an_import_refused_by_the_rate_limit_creates_nothing() {
    let sandbox = start(quick_config(30).with_rate_limits(limits(1))).await;
    let client = client_for(&sandbox);
    client.images().get(PUBLIC_SLUG).send().await.unwrap();
    let error = client
        .images()
        .create_custom("refused", GOOD_URL, "nyc3")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(429), "{error:?}");
    assert_eq!(sandbox.count_images_named("refused"), 0);
    let posts = sandbox
        .request_log()
        .iter()
        .filter(|r| r.operation == Some("images_create_custom"))
        .count();
    assert_eq!(posts, 1);
}
