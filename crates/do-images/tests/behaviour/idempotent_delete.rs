//! Deleting is idempotent: a retried DELETE that finds the image gone (404)
//! after an attempt that may have been carried out (a 5xx, a time-out) is a
//! success; a 404 on the first attempt, or after a 429 (which proves
//! nothing was done), is not-found.

use std::time::Duration;

use do_images::Error;
use httpmock::Method::DELETE;
use httpmock::{Mock, MockServer};

use crate::common::{answer_not_found, builder, client, error_body};

/// `DELETE /v2/images/7` answered `first` once, then 404.
async fn first_then_gone<'a>(
    server: &'a MockServer,
    first: impl FnOnce(httpmock::Then) -> httpmock::Then,
) -> (Mock<'a>, Mock<'a>) {
    let first = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v2/images/7");
            first(then);
        })
        .await;
    first.up_to_n_times_async(1).await;
    let gone = answer_not_found(server, DELETE, "/v2/images/7").await;
    (first, gone)
}

#[tokio::test]
async fn a_delete_found_gone_after_a_server_error_succeeds() {
    let server = MockServer::start_async().await;
    let (failed, gone) = first_then_gone(&server, |then| then.status(500)).await;
    let (client, _) = client(&server);
    client.images().delete(7).send().await.unwrap();
    failed.assert_calls_async(1).await;
    gone.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_delete_found_gone_after_a_timed_out_attempt_succeeds() {
    let server = MockServer::start_async().await;
    let (slow, gone) = first_then_gone(&server, |then| {
        then.status(204).delay(Duration::from_secs(5))
    })
    .await;
    let client = builder(&server, &Default::default())
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    client.images().delete(7).send().await.unwrap();
    slow.assert_calls_async(1).await;
    gone.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_404_at_first_or_after_a_429_is_not_found() {
    let server = MockServer::start_async().await;
    let (limited, gone) = first_then_gone(&server, |then| {
        then.status(429)
            .header("retry-after", "1")
            .json_body(error_body("too_many_requests", "slow down", "r-429"))
    })
    .await;
    let (client, _) = client(&server);
    for attempt in ["after a 429", "at first"] {
        let outcome = client.images().delete(7).send().await;
        assert!(
            matches!(outcome, Err(Error::Api { status: 404, .. })),
            "{attempt}: {outcome:?}"
        );
    }
    limited.assert_calls_async(1).await;
    gone.assert_calls_async(2).await;
}
