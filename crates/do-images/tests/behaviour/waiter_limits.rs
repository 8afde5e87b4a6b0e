//! Where a waiter stops: at once on an error that polling again cannot
//! cure, and never sleeping past its `max_wait`.

use std::time::Duration;

use do_images::{Error, WaitOptions};
use httpmock::prelude::*;
use serde_json::json;

use crate::common::{client, error_body, image, within_seconds};

#[tokio::test]
async fn a_wait_stops_at_once_when_the_token_is_refused_mid_wait() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let new = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200)
                    .json_body(json!({"image": image(7, "imported", "NEW")}));
            })
            .await;
        new.up_to_n_times_async(1).await;
        let refused = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(401).json_body(error_body(
                    "unauthorized",
                    "Unable to authenticate you",
                    "r-401",
                ));
            })
            .await;
        let (client, clock) = client(&server);
        let error = client
            .images()
            .wait_until_available(7, WaitOptions::default())
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(401), "{error:?}");
        assert!(!error.is_retryable());
        refused.assert_calls_async(1).await;
        assert_eq!(clock.sleeps().len(), 1, "one sleep, after the NEW poll");
    })
    .await;
}

#[tokio::test]
async fn a_wait_never_sleeps_past_its_max_wait() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200)
                    .json_body(json!({"image": image(7, "imported", "pending")}));
            })
            .await;
        let (client, clock) = client(&server);
        // Polls 2 s then 4 s apart (`ManualClock`: the most jitter): the
        // second sleep must be cut to the 3 s left.
        let max_wait = Duration::from_secs(5);
        let error = client
            .images()
            .wait_until_available(7, WaitOptions::default().max_wait(max_wait))
            .send()
            .await
            .unwrap_err();
        assert!(matches!(error, Error::WaitTimedOut { .. }), "{error:?}");
        let slept: Duration = clock.sleeps().iter().sum();
        assert!(slept <= max_wait, "slept {slept:?}: {:?}", clock.sleeps());
    })
    .await;
}
