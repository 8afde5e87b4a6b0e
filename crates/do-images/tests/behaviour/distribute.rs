//! Distributing against httpmock: an image still importing is waited for,
//! transfers already running are waited for instead of started again,
//! regions that hold the image are skipped, a failed region does not stop
//! the next, and the image as it ends is read once, as the caller asks.

use std::sync::{Arc, Mutex};

use do_images::distribution::{DistributeReport, RegionResult};
use do_images::{Error, Progress, WaitOptions};
use httpmock::Method::{GET, POST};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

use crate::common::{client, error_body, image, within_seconds};

/// Image 7 in `regions`, with `status`.
fn image_in(status: &str, regions: &[&str]) -> Value {
    let mut image = image(7, "web", status);
    image["regions"] = json!(regions);
    image
}

/// Action `id` of image 7: a `kind` in `status`, its `region_slug` and the
/// slug of its `region` object.
fn action(id: u64, kind: &str, status: &str, region_slug: &str, region: &str) -> Value {
    json!({
        "id": id, "status": status, "type": kind,
        "started_at": "2024-01-01T00:00:00Z", "completed_at": null,
        "resource_id": 7, "resource_type": "image",
        "region": {"name": region, "slug": region, "features": [], "available": true, "sizes": []},
        "region_slug": region_slug,
    })
}

/// Answers `GET /v2/images/7` with `image`, `times` times.
async fn serve_image<'a>(server: &'a MockServer, image: &Value, times: usize) -> Mock<'a> {
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v2/images/7");
            then.status(200).json_body(json!({"image": image}));
        })
        .await;
    mock.up_to_n_times_async(times).await;
    mock
}

/// Answers `GET /v2/images/7/actions/<id>` with the action in `status`.
async fn serve_action<'a>(server: &'a MockServer, action: Value) -> Mock<'a> {
    let id = action["id"].as_u64().unwrap();
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v2/images/7/actions/{id}"));
            then.status(200).json_body(json!({"action": action}));
        })
        .await
}

/// Answers the transfer to `region` with `status` and `body`.
async fn answer_transfer<'a>(
    server: &'a MockServer,
    region: &str,
    status: u16,
    body: Value,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v2/images/7/actions")
                .json_body(json!({"type": "transfer", "region": region}));
            then.status(status).json_body(body);
        })
        .await
}

/// Each step as a line, for comparing whole sequences.
fn said(step: &Progress) -> String {
    match step {
        Progress::ImageWaiting(poll) => format!("image {:?}", poll.status),
        Progress::AlreadyThere { region } => format!("{region} there"),
        Progress::TransferRunning { region, action_id } => format!("{region} running {action_id}"),
        Progress::TransferStarted { region, action_id } => format!("{region} started {action_id}"),
        Progress::Transferring { region, progress } => format!("{region} {:?}", progress.status),
        other => format!("{other:?}"),
    }
}

/// Each region of the report with its result, as a line.
fn results<T>(report: &DistributeReport<T>) -> Vec<String> {
    report
        .regions
        .iter()
        .map(|r| match &r.result {
            RegionResult::Transferred { action_id } => {
                format!("{} transferred {action_id}", r.region)
            }
            RegionResult::Failed { action_id, error } => {
                format!("{} failed {action_id:?} {:?}", r.region, error.status())
            }
            result => format!("{} {}", r.region, result.summary()),
        })
        .collect()
}

#[tokio::test]
async fn every_region_is_settled_once_and_the_image_as_it_ends_is_read_once() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let importing = serve_image(&server, &image_in("pending", &["nyc3"]), 1).await;
        let available = serve_image(&server, &image_in("available", &["nyc3"]), 1).await;
        let mut last = image_in("available", &["nyc3", "sfo3", "tor1", "ams3"]);
        last["field_the_spec_does_not_know"] = json!("kept");
        let end = serve_image(&server, &last, 100).await;
        let listing = json!({
            "actions": [
                action(50, "transfer", "in-progress", "", "sfo3"),
                action(49, "transfer", "completed", "lon1", "lon1"),
                action(48, "snapshot", "in-progress", "fra1", "fra1"),
                action(53, "transfer", "in-progress", "tor1", "nyc3"),
            ],
            "links": {}, "meta": {"total": 4},
        });
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7/actions");
                then.status(200).json_body(listing);
            })
            .await;
        serve_action(&server, action(50, "transfer", "completed", "", "sfo3")).await;
        serve_action(&server, action(53, "transfer", "completed", "tor1", "nyc3")).await;
        let to_ams3 = action(51, "transfer", "in-progress", "ams3", "nyc3");
        let ams3 = answer_transfer(&server, "ams3", 201, json!({"action": to_ams3})).await;
        serve_action(&server, action(51, "transfer", "completed", "ams3", "nyc3")).await;
        let refused = error_body("unprocessable_entity", "no", "r-1");
        let lon1 = answer_transfer(&server, "lon1", 422, refused).await;
        let to_fra1 = action(52, "transfer", "in-progress", "fra1", "nyc3");
        answer_transfer(&server, "fra1", 201, json!({"action": to_fra1})).await;
        serve_action(&server, action(52, "transfer", "errored", "fra1", "nyc3")).await;
        let (client, _) = client(&server);
        let steps = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&steps);
        let polls_told_to_the_wait_options = Arc::new(Mutex::new(0));
        let told = Arc::clone(&polls_told_to_the_wait_options);

        let report = client
            .images()
            .distribute(7, ["sfo3", "nyc3", "ams3", "lon1", "nyc3", "fra1", "tor1"])
            .wait_options(WaitOptions::default().on_progress(move |_| *told.lock().unwrap() += 1))
            .on_progress(move |step| seen.lock().unwrap().push(said(step)))
            .send_json()
            .await
            .unwrap();

        assert_eq!(
            results(&report),
            [
                "sfo3 transferred 50",
                "nyc3 already there",
                "ams3 transferred 51",
                "lon1 failed None Some(422)",
                "fra1 failed Some(52) None",
                "tor1 transferred 53",
            ]
        );
        assert!(matches!(
            &report.regions[4].result,
            RegionResult::Failed {
                error: Error::WaitFailed { .. },
                ..
            }
        ));
        assert!(!report.is_complete());
        let failed: Vec<String> = report.failures().map(|r| r.region.to_string()).collect();
        assert_eq!(failed, ["lon1", "fra1"]);
        assert_eq!(report.image, last, "the last read, as the API sent it");
        assert_eq!(
            *steps.lock().unwrap(),
            [
                "image Some(\"available\")",
                "sfo3 running 50",
                "sfo3 Some(\"completed\")",
                "tor1 running 53",
                "tor1 Some(\"completed\")",
                "nyc3 there",
                "ams3 started 51",
                "ams3 Some(\"completed\")",
                "fra1 started 52",
                "fra1 Some(\"errored\")",
            ]
        );
        assert_eq!(*polls_told_to_the_wait_options.lock().unwrap(), 0);
        importing.assert_calls_async(1).await;
        available.assert_calls_async(1).await;
        end.assert_calls_async(1).await;
        ams3.assert_calls_async(1).await;
        lon1.assert_calls_async(1).await;
    })
    .await;
}

#[tokio::test]
async fn regions_that_hold_the_image_send_no_transfer() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let image = serve_image(&server, &image_in("available", &["nyc3", "sfo3"]), 100).await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v2/images/7/actions");
                then.status(200)
                    .json_body(json!({"actions": [], "links": {}, "meta": {"total": 0}}));
            })
            .await;
        let (client, _) = client(&server);

        let report = client
            .images()
            .distribute(7, ["sfo3", "nyc3"])
            .send()
            .await
            .unwrap();

        assert_eq!(
            results(&report),
            ["sfo3 already there", "nyc3 already there"]
        );
        assert!(report.is_complete());
        assert_eq!(report.failures().count(), 0);
        assert_eq!(report.image.regions.len(), 2);
        image.assert_calls_async(2).await;
    })
    .await;
}

#[tokio::test]
async fn bad_arguments_are_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|_, then| {
            then.status(500);
        })
        .await;
    let (client, _) = client(&server);
    let images = client.images();
    let no_region: [&str; 0] = [];
    for (distribute, what) in [
        (images.distribute(0, ["nyc3"]), "image id"),
        (images.distribute(7, no_region), "regions"),
        (images.distribute(7, ["nyc3", " "]), "regions"),
        (
            images
                .distribute(7, ["nyc3"])
                .wait_options(WaitOptions::default().min_delay(std::time::Duration::ZERO)),
            "min_delay",
        ),
    ] {
        let error = distribute.send().await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidInput { what: said, .. } if *said == what),
            "{error:?}"
        );
    }
    anything.assert_calls_async(0).await;
    let shown = format!("{:?}", images.distribute(7, ["nyc3"]).on_progress(|_| {}));
    for part in ["Distribute", "image_id: Ok(7)", "progress: true"] {
        assert!(shown.contains(part), "{part} in {shown}");
    }
}
