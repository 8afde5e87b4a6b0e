//! Waiters against a sandbox that slows down, throttles or loses the
//! image: a wait ends at its `max_wait` whatever the server does (the poll
//! in flight, its retries and its rate-limit sleeps are cut there), and an
//! image deleted during a wait fails it as gone.
//!
//! The sandbox's fault switches turn on after the first successful poll.
//! Each wait runs under an outer limit far above its `max_wait`, so a
//! waiter that outlives its deadline fails the test instead of hanging it.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

use do_images::{Error, WaitOptions};
use do_images_e2e::{client_for, import_web, quick_config, requests_to, start};
use do_images_sandbox::{Faults, ImportTiming, RunningSandbox};

fn options(max_wait: Duration) -> WaitOptions {
    WaitOptions::default()
        .max_wait(max_wait)
        .min_delay(Duration::from_millis(50))
        .max_delay(Duration::from_millis(50))
}

/// Runs the wait, failing the test if it outlives its deadline by 20 s;
/// returns its outcome and how long it took.
async fn timed<T>(wait: impl IntoFuture<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(20), wait.into_future())
        .await
        .expect("the wait outlived its max_wait by 20 s");
    (outcome, started.elapsed())
}

/// Imports an image that stays `NEW` and waits for it (the raw waiter when
/// `raw`) for `max_wait`, the sandbox answering with `faults` from the
/// first successful poll on. Asserts that the wait timed out after that
/// poll, within a generous bound of its deadline (the faults would hold it
/// for a minute), and returns the sandbox.
async fn wait_meeting(faults: Faults, max_wait: Duration, raw: bool) -> Arc<RunningSandbox> {
    let sandbox = Arc::new(start(quick_config(0)).await);
    let client = client_for(&sandbox);
    let id = import_web(&client).await;
    let faulty = sandbox.clone();
    let options = options(max_wait).on_progress(move |_| faulty.set_faults(faults).unwrap());
    let wait = client.images().wait_until_available(id, options);
    let (outcome, took) = timed(async {
        if raw {
            wait.send_json().await.map(drop)
        } else {
            wait.send().await.map(drop)
        }
    })
    .await;
    match outcome {
        Err(Error::WaitTimedOut {
            last_status,
            waited,
            ..
        }) => {
            assert_eq!(last_status.as_deref(), Some("NEW"));
            assert!(waited >= max_wait, "waited {waited:?}");
        }
        other => panic!("expected WaitTimedOut, got {other:?}"),
    }
    assert!(took < max_wait + Duration::from_secs(3), "took {took:?}");
    sandbox
}

/// After the first poll every answer is a 429 asking for 50 s: the raw
/// waiter sleeps no further than its deadline.
#[tokio::test]
async fn rate_limit_sleeps_are_cut_at_the_deadline() {
    let throttled = Faults::none().with_too_many_requests(1.0, 50);
    let sandbox = wait_meeting(throttled, Duration::from_secs(1), true).await;
    assert_eq!(
        requests_to(&sandbox, "images_get").len(),
        2,
        "one poll, one 429"
    );
}

/// After the first poll every answer takes 60 s: the poll in flight is cut
/// at the deadline.
#[tokio::test]
async fn slow_sandbox_answers_end_the_wait_at_its_deadline() {
    let slowed = Faults::none().with_slow_responses(1.0, Duration::from_secs(60));
    wait_meeting(slowed, Duration::from_millis(1500), false).await;
}

#[tokio::test]
async fn a_max_wait_shorter_than_the_poll_interval_polls_within_it() {
    // `NEW` for 2 s, then `pending` until 10 s: still going at the deadline.
    let sandbox = start(quick_config(0).with_import_timing(ImportTiming::default())).await;
    let client = client_for(&sandbox);
    let id = import_web(&client).await;
    let before = sandbox.request_log().len();
    // Polls 2 s apart at first, 1 s to wait: one poll, then the deadline.
    let max_wait = Duration::from_secs(1);
    let options = WaitOptions::default().max_wait(max_wait);
    let (outcome, took) = timed(client.images().wait_until_available(id, options).send()).await;
    match outcome {
        Err(Error::WaitTimedOut {
            last_status: Some(_),
            waited,
            ..
        }) => assert!(waited >= max_wait, "waited {waited:?}"),
        other => panic!("expected WaitTimedOut after a poll, got {other:?}"),
    }
    assert!(took < max_wait + Duration::from_secs(3), "took {took:?}");
    assert!(sandbox.request_log().len() > before, "it polled");
}

#[tokio::test]
async fn an_image_deleted_in_the_sandbox_during_a_wait_is_gone() {
    let sandbox = start(quick_config(0)).await;
    let client = client_for(&sandbox);
    let id = import_web(&client).await;
    let deleter = client.clone();
    let options = options(Duration::from_secs(10)).on_progress(move |progress| {
        if progress.poll == 1 {
            let deleter = deleter.clone();
            tokio::spawn(async move { deleter.images().delete(id).send().await.unwrap() });
        }
    });
    let error = client
        .images()
        .wait_until_available(id, options)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitFailed { status, .. } if status.contains("gone")),
        "{error:?}"
    );
}
