//! Pruning against httpmock: the plan from one listing, and the deletes
//! after a second listing that differs from it in each way the policy
//! reads (a kept image gone, a tag lost, an import started again), with
//! what the report and the progress callback say.

use std::sync::{Arc, Mutex};

use do_images::retention::{Prune, PruneAction, PrunePlan, PruneResult};
use do_images::{Client, Error, Progress};
use httpmock::Method::{DELETE, GET};
use httpmock::{Mock, MockServer};
use serde_json::{Value, json};

use crate::common::{client, error_body, within_seconds};

/// An available snapshot named `name`, created on day `day` of January
/// 2025, tagged `ci`.
fn snapshot(id: u64, name: &str, day: u32) -> Value {
    json!({
        "id": id, "name": name, "type": "snapshot", "distribution": "Ubuntu",
        "slug": null, "public": false, "regions": ["nyc3"], "min_disk_size": 10,
        "size_gigabytes": 1.5, "created_at": format!("2025-01-{day:02}T00:00:00Z"),
        "description": "", "tags": ["ci"], "status": "available", "error_message": "",
    })
}

/// `web-1` (oldest) to `web-5` (newest), and `db-9`.
fn listing() -> Vec<Value> {
    let mut images: Vec<Value> = (1..=5)
        .map(|id| snapshot(id, &format!("web-{id}"), id as u32))
        .collect();
    images.push(snapshot(9, "db-9", 9));
    images
}

/// Serves `images` as the account's own images, in one page.
async fn serve_listing<'a>(server: &'a MockServer, images: &[Value]) -> Mock<'a> {
    let body = json!({"images": images, "links": {}, "meta": {"total": images.len()}});
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v2/images")
                .query_param("private", "true");
            then.status(200).json_body(body);
        })
        .await
}

/// Answers `DELETE /v2/images/<id>` with `status`.
async fn answer_delete(server: &MockServer, id: u64, status: u16) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("/v2/images/{id}"));
            match status {
                204 => then.status(204),
                _ => then.status(status).json_body(error_body(
                    "unprocessable_entity",
                    "in use",
                    "r-1",
                )),
            };
        })
        .await
}

/// The plan `prune` makes of `images` (the only listing it is sent).
async fn plan_from(server: &MockServer, prune: Prune, images: &[Value]) -> PrunePlan {
    let first = serve_listing(server, images).await;
    let plan = prune.plan().await.unwrap();
    first.assert_calls_async(1).await;
    first.delete_async().await;
    plan
}

/// `web-` images, keeping the `keep` newest.
fn web(client: &Client, keep: usize) -> Prune {
    client
        .images()
        .prune()
        .name_prefix("web-")
        .keep_newest(keep)
}

fn summary(plan: &PrunePlan) -> Vec<(u64, PruneAction)> {
    plan.images()
        .iter()
        .map(|p| (p.image.id, p.action))
        .collect()
}

#[tokio::test]
async fn the_deletes_follow_a_second_look_at_the_images() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let (client, _) = client(&server);
        let plan = plan_from(&server, web(&client, 1), &listing()).await;
        use PruneAction::{Delete, Keep};
        assert_eq!(
            summary(&plan),
            [
                (5, Keep),
                (4, Delete),
                (3, Delete),
                (2, Delete),
                (1, Delete)
            ]
        );
        assert_eq!(plan.considered(), 6);

        // Since the plan: 5 (kept) was deleted; 3 lost its tag, which this
        // policy does not read, so it still goes; 2 is importing again.
        let mut now = listing();
        now.remove(4);
        now[2]["tags"] = json!([]);
        now[1]["status"] = json!("pending");
        let second = serve_listing(&server, &now).await;
        let deletes = [
            answer_delete(&server, 3, 204).await,
            answer_delete(&server, 1, 204).await,
        ];
        let refused = [
            answer_delete(&server, 4, 204).await,
            answer_delete(&server, 2, 204).await,
        ];
        let report = plan.send().await.unwrap();

        second.assert_calls_async(1).await;
        for mock in &deletes {
            mock.assert_calls_async(1).await;
        }
        for mock in &refused {
            mock.assert_calls_async(0).await;
        }
        let results: Vec<(u64, String)> = report
            .images
            .iter()
            .map(|o| {
                let text = match &o.result {
                    PruneResult::Skipped { reason } => reason.clone(),
                    other => other.summary().to_string(),
                };
                (o.image.id, text)
            })
            .collect();
        assert_eq!(
            results,
            [
                (
                    4,
                    "a fresh look at the images keeps it: one of the 1 newest".to_string()
                ),
                (3, "deleted".to_string()),
                (
                    2,
                    "a fresh look at the images keeps it: import still running (pending)"
                        .to_string()
                ),
                (1, "deleted".to_string()),
            ]
        );
        assert!(!report.all_deleted());
        let failures: Vec<u64> = report.failures().map(|o| o.image.id).collect();
        assert_eq!(failures, [4, 2]);
    })
    .await;
}

#[tokio::test]
async fn an_image_that_lost_the_selecting_tag_is_skipped() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let (client, _) = client(&server);
        let prune = client
            .images()
            .prune()
            .tag("ci")
            .name_regex("^web")
            .keep_newest(3);
        let plan = plan_from(&server, prune, &listing()).await;
        let mut now = listing();
        now[1]["tags"] = json!(["other"]);
        serve_listing(&server, &now).await;
        let deleted = answer_delete(&server, 1, 204).await;
        let kept = answer_delete(&server, 2, 204).await;

        let report = plan.send().await.unwrap();

        deleted.assert_calls_async(1).await;
        kept.assert_calls_async(0).await;
        assert!(matches!(report.images[1].result, PruneResult::Deleted));
        assert!(
            matches!(&report.images[0].result, PruneResult::Skipped { reason }
                if reason == "no longer selected: it does not carry the tag"),
            "{:?}",
            report.images[0]
        );
    })
    .await;
}

#[tokio::test]
async fn gone_refused_and_deleted_images_are_each_reported_with_progress() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let (client, _) = client(&server);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let progress = Arc::clone(&seen);
        let prune = web(&client, 2).concurrency(1).on_progress(move |p| {
            if let Progress::ImageSettled {
                settled,
                total,
                image_id,
                result,
            } = *p
            {
                progress
                    .lock()
                    .unwrap()
                    .push((settled, total, image_id, result));
            }
        });
        let plan = plan_from(&server, prune, &listing()).await;
        // 1 is no longer listed; 2 was deleted by someone else just now;
        // 3 cannot be deleted.
        let now: Vec<Value> = listing().into_iter().skip(1).collect();
        serve_listing(&server, &now).await;
        answer_delete(&server, 3, 422).await;
        let gone = server
            .mock_async(|when, then| {
                when.method(DELETE).path("/v2/images/2");
                then.status(404)
                    .json_body(error_body("not_found", "gone", "r-2"));
            })
            .await;
        let unlisted = answer_delete(&server, 1, 204).await;

        let report = plan.send().await.unwrap();

        gone.assert_calls_async(1).await;
        unlisted.assert_calls_async(0).await;
        let results: Vec<(u64, &str)> = report
            .images
            .iter()
            .map(|o| (o.image.id, o.result.summary()))
            .collect();
        assert_eq!(
            results,
            [(3, "failed"), (2, "already gone"), (1, "already gone")]
        );
        assert!(
            matches!(&report.images[0].result, PruneResult::Failed(e) if e.status() == Some(422))
        );
        assert!(!report.images[0].result.is_gone());
        assert!(report.images[1].result.is_gone() && report.images[2].result.is_gone());
        assert!(!report.all_deleted());
        assert_eq!(report.failures().count(), 1);
        let mut progress = seen.lock().unwrap().clone();
        progress.sort();
        assert_eq!(
            progress,
            [
                (1, 3, 3, "failed"),
                (2, 3, 2, "already gone"),
                (3, 3, 1, "already gone")
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_plan_that_deletes_nothing_sends_nothing_when_executed() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let (client, _) = client(&server);
        let plan = plan_from(&server, web(&client, 9), &listing()).await;
        assert_eq!(plan.deletions().count(), 0);
        // No listing is served any more: a second one would fail.
        let report = plan.send().await.unwrap();
        assert!(report.images.is_empty() && report.all_deleted());
    })
    .await;
}

#[tokio::test]
async fn filters_that_select_every_listed_image_are_refused_unless_select_all() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let (client, _) = client(&server);
        let web_only: Vec<Value> = listing().into_iter().take(5).collect();
        let listed = serve_listing(&server, &web_only).await;
        let prune = web(&client, 2);
        let error = prune.clone().plan().await.unwrap_err();
        assert!(
            matches!(error, Error::SelectsEverything { considered: 5 }),
            "{error:?}"
        );
        listed.assert_calls_async(1).await;
        let plan = prune.select_all(true).plan().await.unwrap();
        assert_eq!((plan.images().len(), plan.considered()), (5, 5));
        assert_eq!(plan.deletions().count(), 3);
    })
    .await;
}

#[tokio::test]
async fn bad_arguments_are_refused_before_anything_is_sent() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let (client, _) = client(&server);
        let listed = serve_listing(&server, &listing()).await;
        let error = web(&client, 1).concurrency(0).plan().await.unwrap_err();
        assert!(error.to_string().contains("concurrency"), "{error}");
        assert!(web(&client, 1).concurrency(0).check().is_err());
        assert!(web(&client, 1).check().is_ok());
        let error = client
            .images()
            .prune()
            .name_regex(".*")
            .keep_newest(1)
            .plan()
            .await
            .unwrap_err();
        assert!(error.to_string().contains("empty string"), "{error}");
        listed.assert_calls_async(0).await;
        let shown = format!("{:?}", web(&client, 1).concurrency(3));
        assert!(
            shown.contains("concurrency: 3") && shown.contains("web-"),
            "{shown}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_plan_shows_its_policy_and_images_when_debugged() {
    within_seconds(async {
        let server = MockServer::start_async().await;
        let (client, _) = client(&server);
        let plan = plan_from(&server, web(&client, 1), &listing()).await;
        let shown = format!("{plan:?}");
        for part in ["PrunePlan", "web-5", "considered: 6", "concurrency: 8"] {
            assert!(shown.contains(part), "{part} in {shown}");
        }
    })
    .await;
}
