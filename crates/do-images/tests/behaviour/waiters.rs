use std::sync::{Arc, Mutex};
use std::time::Duration;

use do_images::{Error, WaitOptions};
use httpmock::prelude::*;
use serde_json::json;

use crate::common::{action, answer_not_found, client, error_body, image};

/// Answers `GET /v2/images/7` with each status in turn (each once), then
/// with `last` forever.
async fn image_statuses(server: &MockServer, statuses: &[&str], last: serde_json::Value) {
    for status in statuses {
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7");
                then.status(200)
                    .json_body(json!({"image": image(7, "imported", status)}));
            })
            .await;
        mock.up_to_n_times_async(1).await;
    }
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7");
            then.status(200).json_body(json!({ "image": last }));
        })
        .await;
}

#[tokio::test]
async fn an_import_is_waited_for_until_available_with_progress() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v2/images").json_body(json!({
                "name": "imported",
                "url": "https://example.com/disk.qcow2",
                "region": "nyc3",
                "distribution": "Ubuntu"
            }));
            then.status(202)
                .json_body(json!({"image": image(7, "imported", "NEW")}));
        })
        .await;
    image_statuses(
        &server,
        &["NEW", "pending"],
        image(7, "imported", "available"),
    )
    .await;
    let (client, clock) = client(&server);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let options = WaitOptions::default().on_progress(move |progress| {
        record
            .lock()
            .unwrap()
            .push((progress.status.clone().unwrap(), progress.elapsed));
    });

    let created = client
        .images()
        .create_custom("imported", "https://example.com/disk.qcow2", "nyc3")
        .distribution("Ubuntu")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status.as_str(), "NEW");
    let image = created.wait(options).await.unwrap();

    assert_eq!(image.status.as_str(), "available");
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(2), Duration::from_secs(4)]
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            ("NEW".to_string(), Duration::ZERO),
            ("pending".to_string(), Duration::from_secs(2)),
            ("available".to_string(), Duration::from_secs(6)),
        ]
    );
}

#[tokio::test]
async fn a_failed_import_ends_the_wait_with_its_error_message() {
    let server = MockServer::start_async().await;
    let mut deleted = image(7, "imported", "deleted");
    deleted["error_message"] = json!("Unable to download the image: 404 Not Found");
    image_statuses(&server, &["pending"], deleted).await;
    let (client, clock) = client(&server);
    let error = client
        .images()
        .wait_until_available(7, WaitOptions::default())
        .send()
        .await
        .unwrap_err();
    match &error {
        Error::WaitFailed {
            status,
            error_message,
            ..
        } => {
            assert_eq!(status, "deleted");
            assert_eq!(
                error_message.as_deref(),
                Some("Unable to download the image: 404 Not Found")
            );
        }
        other => panic!("expected WaitFailed, got {other:?}"),
    }
    assert!(error.to_string().contains("404 Not Found"), "{error}");
    assert_eq!(clock.sleeps().len(), 1);
}

#[tokio::test]
async fn a_wait_times_out_saying_the_last_status() {
    let server = MockServer::start_async().await;
    image_statuses(&server, &[], image(7, "imported", "pending")).await;
    let (client, clock) = client(&server);
    let options = WaitOptions::default()
        .max_wait(Duration::from_secs(30))
        .min_delay(Duration::from_secs(2))
        .max_delay(Duration::from_secs(8));
    let error = client
        .images()
        .wait_until_available(7, options)
        .send()
        .await
        .unwrap_err();
    match &error {
        Error::WaitTimedOut {
            last_status,
            waited,
            ..
        } => {
            assert_eq!(last_status.as_deref(), Some("pending"));
            assert_eq!(*waited, Duration::from_secs(30));
        }
        other => panic!("expected WaitTimedOut, got {other:?}"),
    }
    assert!(
        error.to_string().contains("last status seen: pending"),
        "{error}"
    );
    // 2 + 4 + 8 + 8 + 8 = 30: the last sleep is cut to the deadline.
    assert_eq!(
        clock.sleeps(),
        [2, 4, 8, 8, 8].map(Duration::from_secs).to_vec()
    );
}

#[tokio::test]
async fn transient_errors_while_polling_are_not_fatal() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7");
            then.status(500)
                .json_body(error_body("server_error", "try again", "r"));
        })
        .await;
    // The four attempts of the first poll (the client's own retries) fail;
    // the waiter polls again.
    failing.up_to_n_times_async(4).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7");
            then.status(200)
                .json_body(json!({"image": image(7, "imported", "available")}));
        })
        .await;
    let (client, _) = client(&server);
    let errors = Arc::new(Mutex::new(0));
    let count = errors.clone();
    let options = WaitOptions::default().on_progress(move |progress| {
        if progress.transient_error.is_some() {
            *count.lock().unwrap() += 1;
        }
    });
    let image = client
        .images()
        .wait_until_available(7, options)
        .send()
        .await
        .unwrap();
    assert_eq!(image.id, 7);
    assert_eq!(*errors.lock().unwrap(), 1);
    failing.assert_calls_async(4).await;
}

#[tokio::test]
async fn a_transfer_is_waited_for_and_an_errored_action_fails() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7/actions")
                .json_body(json!({"type": "transfer", "region": "ams3"}));
            then.status(201)
                .json_body(json!({"action": action(36805022, "in-progress")}));
        })
        .await;
    let progress = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7/actions/36805022");
            then.status(200)
                .json_body(json!({"action": action(36805022, "in-progress")}));
        })
        .await;
    progress.up_to_n_times_async(2).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7/actions/36805022");
            then.status(200)
                .json_body(json!({"action": action(36805022, "completed")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7/actions/5");
            then.status(200)
                .json_body(json!({"action": action(5, "errored")}));
        })
        .await;
    let (client, clock) = client(&server);
    let done = client
        .actions(7)
        .transfer("ams3")
        .send()
        .await
        .unwrap()
        .wait(WaitOptions::default())
        .await
        .unwrap();
    assert_eq!(done.status.as_str(), "completed");
    assert_eq!(clock.sleeps().len(), 2);

    let error = client
        .actions(7)
        .wait_until_done(5, WaitOptions::default())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { resource: "action", id: 5, status, .. } if status == "errored"),
        "{error:?}"
    );
}

#[tokio::test]
async fn wait_options_are_checked() {
    let server = MockServer::start_async().await;
    let (client, _) = client(&server);
    let error = client
        .images()
        .wait_until_available(7, WaitOptions::default().min_delay(Duration::ZERO))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "min_delay",
                ..
            }
        ),
        "{error:?}"
    );
}

/// Serves image 7 `pending` with `error_message` once, then 404.
async fn pending_then_not_found(server: &MockServer, error_message: &str) {
    let mut failing = image(7, "imported", "pending");
    failing["error_message"] = json!(error_message);
    let polled = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7");
            then.status(200).json_body(json!({ "image": failing }));
        })
        .await;
    polled.up_to_n_times_async(1).await;
    answer_not_found(server, GET, "/v2/images/7").await;
}

/// Both the typed and the raw waiter fail as gone, with the message the
/// last poll showed.
#[tokio::test]
async fn an_image_deleted_after_a_successful_poll_fails_the_wait_as_gone() {
    for raw in [false, true] {
        let server = MockServer::start_async().await;
        pending_then_not_found(&server, "the checksum did not match").await;
        let (client, _) = client(&server);
        let wait = client
            .images()
            .wait_until_available(7, WaitOptions::default());
        let outcome = if raw {
            wait.send_json().await.map(|_| ())
        } else {
            wait.send().await.map(|_| ())
        };
        match outcome {
            Err(Error::WaitFailed {
                resource: "image",
                id: 7,
                status,
                error_message,
            }) => {
                assert!(status.starts_with("gone"), "{status}");
                assert_eq!(error_message.as_deref(), Some("the checksum did not match"));
            }
            other => panic!("expected a wait failed as gone (raw: {raw}), got {other:?}"),
        }
    }
}

/// A 404 on the first poll is the API's not-found, and final: one poll,
/// no sleep.
#[tokio::test]
async fn a_404_on_the_first_poll_is_not_found_at_once() {
    let server = MockServer::start_async().await;
    let not_found = answer_not_found(&server, GET, "/v2/images/7").await;
    let (client, clock) = client(&server);
    let outcome = client
        .images()
        .wait_until_available(7, WaitOptions::default())
        .send()
        .await;
    assert!(
        matches!(outcome, Err(Error::Api { status: 404, .. })),
        "{outcome:?}"
    );
    not_found.assert_calls_async(1).await;
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
}

#[tokio::test]
async fn equal_shortest_and_longest_poll_delays_are_allowed() {
    let server = MockServer::start_async().await;
    image_statuses(&server, &["pending"], image(7, "imported", "available")).await;
    let (client, clock) = client(&server);
    let every_second = Duration::from_secs(1);
    let options = WaitOptions::default()
        .min_delay(every_second)
        .max_delay(every_second);
    client
        .images()
        .wait_until_available(7, options)
        .send()
        .await
        .unwrap();
    assert_eq!(clock.sleeps(), vec![every_second]);
}
