//! The failure-mode suite: with the sandbox injecting
//! 429 storms, 5xx answers, dropped connections and answers slower than the
//! client's timeout,
//!
//! - a listing returns every item exactly once, or fails with a clear
//!   error, never a silently short list;
//! - an import that met a failure is never duplicated;
//! - waiters ride out transient errors;
//! - a cancelled listing or wait leaves nothing running that sends
//!   requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use do_images::{ActionStatus, Client, Error, Image, ImageStatus, RetryPolicy};
use do_images_e2e::{
    GOOD_URL, assert_each_page_served_once, assert_no_more_requests, assert_same_images,
    assert_unique_and_in_id_order, builder_for, client_for, fast_wait, no_retry_client,
    patient_client, quick_config, requests_to, start,
};
use do_images_sandbox::{FaultKind, Faults, ImportTiming, RunningSandbox};
use futures::{StreamExt, TryStreamExt};

/// The client's timeout for one attempt in these tests.
const TIMEOUT: Duration = Duration::from_millis(250);
/// How long a slow answer is held back: well past [`TIMEOUT`].
const SLOW: Duration = Duration::from_millis(700);

async fn reference_listing(images: usize) -> Vec<Image> {
    let sandbox = start(quick_config(images)).await;
    let all = client_for(&sandbox)
        .images()
        .list()
        .collect_all()
        .await
        .expect("a fault-free listing");
    assert_eq!(all.len(), images);
    all
}

/// What a listing gave: the items, in order, and the error that ended it
/// early, if any.
struct Outcome {
    items: Vec<Image>,
    error: Option<Error>,
}

/// Lists everything with `client`, keeping the items yielded before an
/// error, and checks that the stream ends after an error.
async fn list_everything(client: &Client, per_page: u64, fetch_ahead: usize) -> Outcome {
    let mut stream = client
        .images()
        .list()
        .per_page(per_page)
        .fetch_ahead(fetch_ahead)
        .stream();
    let mut items = Vec::new();
    while let Some(next) = stream.next().await {
        match next {
            Ok(image) => items.push(image),
            Err(error) => {
                assert!(
                    stream.next().await.is_none(),
                    "the listing ends after its error"
                );
                return Outcome {
                    items,
                    error: Some(error),
                };
            }
        }
    }
    Outcome { items, error: None }
}

/// Asserts the only two acceptable outcomes of a listing: every item
/// exactly once, or a prefix of them followed by an error that says what
/// went wrong. Returns whether it completed.
fn complete_or_clear_failure(outcome: &Outcome, reference: &[Image]) -> bool {
    assert_unique_and_in_id_order(&outcome.items);
    match &outcome.error {
        None => {
            assert_same_images(&outcome.items, reference);
            true
        }
        Some(error) => {
            assert!(
                outcome.items.len() < reference.len(),
                "an error after every item: {error}"
            );
            assert_same_images(&outcome.items, &reference[..outcome.items.len()]);
            assert!(
                !matches!(error, Error::TotalMismatch { .. }),
                "nothing changed on the server: the fault itself must be reported, got {error}"
            );
            assert!(
                error.is_retryable(),
                "an injected fault is a transient error: {error:?}"
            );
            let text = error.to_string();
            assert!(
                [
                    "HTTP 429",
                    "HTTP 500",
                    "HTTP 503",
                    "could not reach",
                    "did not answer in time"
                ]
                .iter()
                .any(|clue| text.contains(clue)),
                "the error says what happened: {text}"
            );
            false
        }
    }
}

fn every_fault(slow_fraction: f64) -> Faults {
    Faults::none()
        .with_too_many_requests(0.1, 0)
        .with_server_errors(0.075)
        .with_unavailable(0.075)
        .with_dropped_connections(0.075)
        .with_slow_responses(slow_fraction, SLOW)
}

// ---------------------------------------------------------------------------
// Listings: complete, or a clear error; never short.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_retries_a_listing_through_every_fault_is_complete() {
    let reference = reference_listing(2_000).await;
    let sandbox = start(quick_config(2_000).with_faults(every_fault(0.075))).await;
    // Four in ten attempts fail: 20 attempts make a lasting failure of a
    // page a 1e-8 event.
    let client = patient_client(&sandbox, 20, TIMEOUT);
    let outcome = list_everything(&client, 50, 3).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert!(complete_or_clear_failure(&outcome, &reference));
    assert_each_page_served_once(&sandbox, 40);
    let stats = sandbox.stats();
    for kind in [
        FaultKind::TooManyRequests,
        FaultKind::ServerError,
        FaultKind::Unavailable,
        FaultKind::DroppedConnection,
        FaultKind::Slow,
    ] {
        assert!(stats.fault(kind) > 0, "no {kind:?} injected: {stats:?}");
    }
}

#[tokio::test]
async fn a_429_storm_is_ridden_out_without_losing_a_page() {
    let reference = reference_listing(1_000).await;
    let sandbox =
        start(quick_config(1_000).with_faults(Faults::none().with_too_many_requests(0.6, 0))).await;
    let client = patient_client(&sandbox, 40, TIMEOUT);
    let outcome = list_everything(&client, 50, 3).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert!(complete_or_clear_failure(&outcome, &reference));
    let throttled = sandbox.stats().fault(FaultKind::TooManyRequests);
    assert!(throttled >= 20, "a storm: {throttled} 429s for 20 pages");
    assert_each_page_served_once(&sandbox, 20);
}

#[tokio::test]
async fn without_retries_a_faulty_listing_fails_and_with_retries_it_completes() {
    let reference = reference_listing(2_000).await;
    let faults = every_fault(0.05);
    for fetch_ahead in [0, 3] {
        // Without retries, 20 pages each meeting a fault 38% of the time:
        // the listing fails (it would complete with probability 1e-4).
        let sandbox = start(quick_config(2_000).with_faults(faults)).await;
        let outcome = list_everything(&no_retry_client(&sandbox, TIMEOUT), 100, fetch_ahead).await;
        assert!(
            outcome.error.is_some(),
            "fetch_ahead {fetch_ahead}: no retries, yet no error"
        );
        assert!(!complete_or_clear_failure(&outcome, &reference));
        assert_eq!(
            outcome.items.len() % 100,
            0,
            "whole pages are handed out before the error"
        );

        // The same sandbox settings, with retries: complete.
        let sandbox = start(quick_config(2_000).with_faults(faults)).await;
        let outcome =
            list_everything(&patient_client(&sandbox, 20, TIMEOUT), 100, fetch_ahead).await;
        assert!(
            complete_or_clear_failure(&outcome, &reference),
            "fetch_ahead {fetch_ahead}: {:?}",
            outcome.error
        );
        assert!(sandbox.stats().faults.values().sum::<u64>() > 0);
    }
}

/// Lists with `client` on `sandbox` (1,000 images, 10 pages of 100, page
/// after page): page 1 is served, then `faults` are switched on. Returns
/// the error, after checking what came before it.
async fn error_after_first_page(
    sandbox: &RunningSandbox,
    client: &Client,
    faults: Faults,
) -> Error {
    let mut pages = client.images().list().per_page(100).fetch_ahead(0).pages();
    let first = pages
        .try_next()
        .await
        .expect("page 1 has no fault")
        .expect("a page 1");
    assert_eq!(first.items.len(), 100);
    sandbox.set_faults(faults).expect("valid faults");
    let error = pages
        .next()
        .await
        .expect("the stream reports the failure")
        .expect_err("page 2 cannot be served");
    assert!(pages.next().await.is_none(), "nothing after the error");
    sandbox.set_faults(Faults::none()).unwrap();
    error
}

#[tokio::test]
async fn each_fault_gives_its_own_clear_error_when_it_persists() {
    let sandbox = start(quick_config(1_000)).await;
    let once = no_retry_client(&sandbox, TIMEOUT);

    let error = error_after_first_page(
        &sandbox,
        &once,
        Faults::none().with_too_many_requests(1.0, 0),
    )
    .await;
    assert!(
        matches!(&error, Error::Api { status: 429, id, .. } if id == "too_many_requests"),
        "{error:?}"
    );
    assert!(error.rate_limit().is_some(), "the 429 carries the limits");

    let error =
        error_after_first_page(&sandbox, &once, Faults::none().with_server_errors(1.0)).await;
    assert!(
        matches!(&error, Error::Api { status: 500, id, request_id: Some(_), .. } if id == "server_error"),
        "{error:?}"
    );

    let error = error_after_first_page(&sandbox, &once, Faults::none().with_unavailable(1.0)).await;
    match &error {
        Error::Decode {
            status, excerpt, ..
        } => {
            assert_eq!(*status, 503);
            assert!(
                excerpt.contains("503 Service Temporarily Unavailable"),
                "{excerpt}"
            );
        }
        other => panic!("an HTML 503 is a Decode error with its status, got {other:?}"),
    }

    let error = error_after_first_page(
        &sandbox,
        &once,
        Faults::none().with_dropped_connections(1.0),
    )
    .await;
    assert!(
        matches!(&error, Error::Transport { attempts: 1, .. }),
        "{error:?}"
    );

    let error = error_after_first_page(
        &sandbox,
        &once,
        Faults::none().with_slow_responses(1.0, SLOW),
    )
    .await;
    assert!(
        matches!(&error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );

    // With retries, a fault that does not go away is reported after the
    // last attempt, which the error counts.
    let sandbox = start(quick_config(1_000)).await;
    let thrice = patient_client(&sandbox, 3, TIMEOUT);
    let error = error_after_first_page(
        &sandbox,
        &thrice,
        Faults::none().with_dropped_connections(1.0),
    )
    .await;
    assert!(
        matches!(&error, Error::Transport { attempts: 3, .. }),
        "{error:?}"
    );
    let page_2: Vec<_> = requests_to(&sandbox, "images_list")
        .into_iter()
        .filter(|r| r.target.contains("page=2"))
        .collect();
    assert_eq!(page_2.len(), 3, "three attempts at page 2: {page_2:?}");
    let error = error_after_first_page(
        &sandbox,
        &thrice,
        Faults::none().with_slow_responses(1.0, SLOW),
    )
    .await;
    assert!(
        matches!(&error, Error::Timeout { attempts: 3, .. }),
        "{error:?}"
    );
    // The sandbox notices the last connection close a moment after the
    // client gave up.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let abandoned: Vec<_> = requests_to(&sandbox, "images_list")
        .into_iter()
        .filter(|r| r.status == 499)
        .collect();
    assert_eq!(abandoned.len(), 3, "three slow attempts given up on");
    assert!(abandoned.iter().all(|r| r.fault == Some(FaultKind::Slow)));
}

#[tokio::test]
async fn images_deleted_during_a_listing_give_a_total_mismatch_not_a_short_list() {
    let sandbox = start(quick_config(1_000)).await;
    let client = client_for(&sandbox);
    let mut pages = client.images().list().per_page(100).fetch_ahead(0).pages();
    let first = pages.try_next().await.unwrap().expect("page 1");
    // Deleting an image of page 1 shifts every later image back by one:
    // the first image of page 2 moves to page 1 and is never seen.
    let victim = first.items.last().unwrap().id;
    client.images().delete(victim).send().await.expect("delete");
    let mut seen = first.items.len();
    let mut last_error = None;
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => seen += page.items.len(),
            Err(error) => last_error = Some(error),
        }
    }
    assert_eq!(seen, 999);
    match last_error {
        Some(Error::TotalMismatch { expected, seen }) => {
            assert_eq!((expected, seen), (1_000, 999));
        }
        other => panic!("a short listing must end with TotalMismatch, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Imports: never duplicated.

const IMPORT_POST: &str = "images_create_custom";

/// Sends one import named `name` with `client` while `faults` apply to it,
/// then lets any request still being served finish.
async fn import_meeting(
    sandbox: &RunningSandbox,
    client: &Client,
    name: &str,
    faults: Faults,
) -> do_images::Result<do_images::CreatedImage> {
    sandbox.set_faults(faults).expect("valid faults");
    let result = client
        .images()
        .create_custom(name, GOOD_URL, "nyc3")
        .send()
        .await;
    sandbox.set_faults(Faults::none()).unwrap();
    // Give a slow answer the client gave up on the time to be served, were
    // the sandbox still working on it.
    if faults.slow_responses > 0.0 {
        tokio::time::sleep(SLOW).await;
    }
    result
}

#[tokio::test]
async fn an_import_answered_500_or_html_503_is_sent_once_and_creates_nothing() {
    let cases = [
        (500, "after-500", Faults::none().with_server_errors(1.0)),
        (503, "after-503", Faults::none().with_unavailable(1.0)),
    ];
    for (status, name, faults) in cases {
        let sandbox = start(quick_config(20)).await;
        // Retries are on: the policy itself must refuse to resend a POST.
        let client = patient_client(&sandbox, 10, TIMEOUT);
        let error = import_meeting(&sandbox, &client, name, faults)
            .await
            .expect_err("a 5xx");
        assert_eq!(error.status(), Some(status), "{error:?}");
        assert_eq!(
            requests_to(&sandbox, IMPORT_POST).len(),
            1,
            "{name}: sent once"
        );
        assert_eq!(sandbox.count_images_named(name), 0);
    }
}

#[tokio::test]
async fn an_import_whose_answer_was_cut_off_is_sent_once_and_exists_once() {
    let sandbox = start(quick_config(20)).await;
    let client = patient_client(&sandbox, 10, TIMEOUT);
    let error = import_meeting(
        &sandbox,
        &client,
        "cut-off",
        Faults::none().with_dropped_connections(1.0),
    )
    .await
    .expect_err("the answer was cut off");
    assert!(
        matches!(&error, Error::Transport { attempts: 1, .. }),
        "{error:?}"
    );
    // The server acted before the connection dropped: the image exists,
    // once, and can be found by name.
    let posts = requests_to(&sandbox, IMPORT_POST);
    assert_eq!(posts.len(), 1, "sent once: {posts:?}");
    assert_eq!(posts[0].fault, Some(FaultKind::DroppedConnection));
    assert_eq!(sandbox.count_images_named("cut-off"), 1);
    let found = client
        .images()
        .find_by_name("cut-off")
        .send()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn an_import_slower_than_the_timeout_is_sent_once_and_creates_nothing() {
    let sandbox = start(quick_config(20)).await;
    let client = patient_client(&sandbox, 10, TIMEOUT);
    let error = import_meeting(
        &sandbox,
        &client,
        "too-slow",
        Faults::none().with_slow_responses(1.0, SLOW),
    )
    .await
    .expect_err("the client gave up");
    assert!(
        matches!(&error, Error::Timeout { attempts: 1, .. }),
        "{error:?}"
    );
    // The client gave up during the slow fault and did not send again: the
    // sandbox logs the one POST it received as abandoned (499), and the
    // import never reached the handler, so no image exists.
    let posts = requests_to(&sandbox, IMPORT_POST);
    assert_eq!(posts.len(), 1, "sent once: {posts:?}");
    assert_eq!(posts[0].status, 499, "{posts:?}");
    assert_eq!(posts[0].fault, Some(FaultKind::Slow));
    assert_eq!(sandbox.count_images_named("too-slow"), 0);
    assert_eq!(sandbox.image_count(), 20);
}

#[tokio::test]
async fn an_import_met_by_429s_is_retried_and_exists_once() {
    let sandbox = start(quick_config(20)).await;
    let client = patient_client(&sandbox, 30, TIMEOUT);
    sandbox
        .set_faults(Faults::none().with_too_many_requests(0.5, 0))
        .unwrap();
    let names: Vec<String> = (0..8).map(|n| format!("throttled-{n}")).collect();
    for name in &names {
        let created = client
            .images()
            .create_custom(name.as_str(), GOOD_URL, "nyc3")
            .send()
            .await
            .expect("a 429 means the API did not act: the import is retried");
        assert_eq!(&created.name, name);
    }
    for name in &names {
        assert_eq!(sandbox.count_images_named(name), 1, "{name}");
    }
    let posts = requests_to(&sandbox, IMPORT_POST);
    let throttled = posts.iter().filter(|r| r.status == 429).count();
    let accepted = posts.iter().filter(|r| r.status == 202).count();
    assert!(throttled > 0, "the seed must throttle some imports");
    assert_eq!(accepted, names.len());
    assert_eq!(posts.len(), throttled + accepted);
}

#[tokio::test]
async fn imports_under_mixed_faults_are_never_duplicated() {
    let sandbox = start(quick_config(20)).await;
    let client = patient_client(&sandbox, 30, TIMEOUT);
    sandbox
        .set_faults(
            Faults::none()
                .with_too_many_requests(0.2, 0)
                .with_server_errors(0.1)
                .with_unavailable(0.1)
                .with_dropped_connections(0.1),
        )
        .unwrap();
    let mut failed = 0;
    for n in 0..30 {
        let name = format!("mixed-{n}");
        let result = client
            .images()
            .create_custom(name.as_str(), GOOD_URL, "nyc3")
            .send()
            .await;
        let count = sandbox.count_images_named(&name);
        match &result {
            Ok(_) => assert_eq!(count, 1, "{name}"),
            Err(Error::Transport { attempts: 1, .. }) => {
                failed += 1;
                assert_eq!(count, 1, "{name}: served, then the answer was lost");
            }
            Err(error) if matches!(error.status(), Some(500 | 503)) => {
                failed += 1;
                assert_eq!(count, 0, "{name}: refused before acting");
            }
            Err(error) => panic!("{name}: unexpected {error:?}"),
        }
    }
    assert!(failed > 0, "the seed must fail some imports");
    let posts = requests_to(&sandbox, IMPORT_POST);
    let answered = posts.iter().filter(|r| r.status != 429).count();
    assert_eq!(answered, 30, "exactly one POST per import was not a 429");
    assert!(posts.iter().any(|r| r.status == 429));
}

#[tokio::test]
async fn a_transfer_whose_answer_was_cut_off_is_not_started_twice() {
    let sandbox = start(quick_config(60)).await;
    let client = patient_client(&sandbox, 10, TIMEOUT);
    let image = client
        .images()
        .list()
        .private(true)
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .find(|i| {
            i.status == ImageStatus::Available && !i.regions.iter().any(|r| r.as_str() == "ric1")
        })
        .expect("an available private image outside ric1");
    let id = image.id;
    let before = client.actions(id).list().collect_all().await.unwrap().len();
    sandbox
        .set_faults(Faults::none().with_dropped_connections(1.0))
        .unwrap();
    let error = client
        .actions(id)
        .transfer("ric1")
        .send()
        .await
        .expect_err("the answer was cut off");
    sandbox.set_faults(Faults::none()).unwrap();
    assert!(matches!(&error, Error::Transport { .. }), "{error:?}");
    assert_eq!(requests_to(&sandbox, "image_actions_post").len(), 1);
    let actions = client.actions(id).list().collect_all().await.unwrap();
    assert_eq!(actions.len(), before + 1, "started exactly once");
}

// ---------------------------------------------------------------------------
// Waiters: transient errors do not end a wait.

/// Faults for waiters: two polls in three meet one, slow ones included.
fn stormy() -> Faults {
    Faults::none()
        .with_too_many_requests(0.15, 0)
        .with_server_errors(0.15)
        .with_unavailable(0.15)
        .with_dropped_connections(0.1)
        .with_slow_responses(0.1, SLOW)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_wait_rides_out_transient_errors() {
    let sandbox = start(quick_config(20)).await;
    // No retries in the client: every fault reaches the waiter.
    let client = no_retry_client(&sandbox, TIMEOUT);
    let created = client
        .images()
        .create_custom("stormy-import", GOOD_URL, "nyc3")
        .send()
        .await
        .expect("import (no faults yet)");
    sandbox.set_faults(stormy()).unwrap();
    let transient = Arc::new(AtomicU32::new(0));
    let counter = transient.clone();
    let image = created
        .wait(fast_wait().on_progress(move |progress| {
            if progress.transient_error.is_some() {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }))
        .await
        .expect("the wait rides out the faults");
    assert_eq!(image.status, ImageStatus::Available);
    assert_eq!(sandbox.count_images_named("stormy-import"), 1);
    let transient = transient.load(Ordering::Relaxed);
    assert!(transient > 0, "the waiter met no transient error");
    let faulted_polls = requests_to(&sandbox, "images_get")
        .iter()
        .filter(|r| r.fault.is_some())
        .count();
    assert!(faulted_polls > 0, "{:?}", sandbox.stats());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_wait_rides_out_transient_errors_with_and_without_client_retries() {
    let sandbox = start(quick_config(60)).await;
    let clients = [
        no_retry_client(&sandbox, TIMEOUT),
        patient_client(&sandbox, 4, TIMEOUT),
    ];
    let snapshot = client_for(&sandbox)
        .images()
        .list()
        .private(true)
        .collect_all()
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.status == ImageStatus::Available)
        .unwrap();
    let id = snapshot.id;
    for (client, region) in clients.iter().zip(["mars1", "luna2"]) {
        let started = client.actions(id).transfer(region).send().await.unwrap();
        sandbox.set_faults(stormy()).unwrap();
        let done = started
            .wait(fast_wait())
            .await
            .expect("the wait rides out the faults");
        sandbox.set_faults(Faults::none()).unwrap();
        assert_eq!(done.status, ActionStatus::Completed);
    }
    let image = client_for(&sandbox).images().get(id).send().await.unwrap();
    let regions: Vec<&str> = image.regions.iter().map(|r| r.as_str()).collect();
    assert!(regions.ends_with(&["mars1", "luna2"]), "{regions:?}");
    assert!(sandbox.stats().faults.values().sum::<u64>() > 0);
}

// ---------------------------------------------------------------------------
// Cancellation: nothing keeps sending requests.

#[tokio::test]
async fn a_listing_dropped_after_its_first_page_sends_no_more_requests() {
    let sandbox = start(
        quick_config(5_000).with_faults(Faults::none().with_latency(Duration::from_millis(100))),
    )
    .await;
    let client = client_for(&sandbox);
    let fetch_ahead = 4;
    let mut pages = client
        .images()
        .list()
        .per_page(100)
        .fetch_ahead(fetch_ahead)
        .pages();
    let first = pages.try_next().await.unwrap().expect("page 1");
    assert_eq!(first.total, 5_000);
    // Ask for page 2: pages 2 to 5 are requested at once, and each takes
    // 100 ms to answer. Give up while they are in flight.
    let gave_up = tokio::time::timeout(Duration::from_millis(50), pages.next()).await;
    assert!(gave_up.is_err(), "page 2 cannot be there within 50 ms");
    drop(pages);
    let answered = assert_no_more_requests(
        &sandbox,
        Duration::from_millis(200),
        Duration::from_millis(400),
    )
    .await;
    let log = requests_to(&sandbox, "images_list");
    assert_eq!(log.len(), answered);
    assert!(
        answered <= 1 + fetch_ahead,
        "{answered} requests for a listing dropped after page 1: {log:?}"
    );
    let abandoned = log.iter().filter(|r| r.status == 499).count();
    assert!(
        abandoned >= 1,
        "the pages ahead were in flight when the stream was dropped: {log:?}"
    );
    assert_eq!(abandoned, answered - 1, "only page 1 was answered: {log:?}");
}

#[tokio::test]
async fn an_item_stream_dropped_midway_sends_no_more_requests() {
    let sandbox = start(quick_config(5_000)).await;
    let client = client_for(&sandbox);
    let first_ten: Vec<Image> = client
        .images()
        .list()
        .per_page(100)
        .fetch_ahead(3)
        .stream()
        .take(150)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_ten.len(), 150);
    let answered = assert_no_more_requests(
        &sandbox,
        Duration::from_millis(100),
        Duration::from_millis(300),
    )
    .await;
    assert!(answered <= 2 + 3, "{answered} requests for 150 items");
}

#[tokio::test]
async fn a_listing_cancelled_during_a_retry_wait_sends_no_more_requests() {
    // Every answer is a 429 asking for a one-second wait.
    let sandbox =
        start(quick_config(100).with_faults(Faults::none().with_too_many_requests(1.0, 1))).await;
    let client = builder_for(&sandbox)
        .retry_policy(RetryPolicy::default().with_max_attempts(10))
        .build()
        .unwrap();
    let cancelled = tokio::time::timeout(
        Duration::from_millis(300),
        client.images().list().collect_all(),
    )
    .await;
    assert!(cancelled.is_err(), "still waiting to retry at 300 ms");
    // Were the retry still alive, it would be sent at one second.
    let answered = assert_no_more_requests(
        &sandbox,
        Duration::from_millis(50),
        Duration::from_millis(1_200),
    )
    .await;
    assert_eq!(answered, 1, "only the first attempt was sent");
}

#[tokio::test]
async fn a_cancelled_wait_sends_no_more_polls() {
    let sandbox = start(quick_config(20).with_import_timing(ImportTiming::new(
        Duration::from_secs(30),
        Duration::from_secs(60),
    )))
    .await;
    let client = client_for(&sandbox);
    let created = client
        .images()
        .create_custom("never-waited-for", GOOD_URL, "nyc3")
        .send()
        .await
        .unwrap();
    let id = created.id;
    let cancelled =
        tokio::time::timeout(Duration::from_millis(250), created.wait(fast_wait())).await;
    assert!(cancelled.is_err(), "the import takes 60 s");
    let polls = requests_to(&sandbox, "images_get").len();
    assert!(polls >= 3, "the waiter was polling: {polls} polls");
    assert_no_more_requests(
        &sandbox,
        Duration::from_millis(50),
        Duration::from_millis(400),
    )
    .await;
    let image = client.images().get(id).send().await.unwrap();
    assert_eq!(image.status, ImageStatus::New, "still importing");
}
