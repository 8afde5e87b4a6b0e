//! Pruning by a retention policy, end to end: the library's prune against
//! the sandbox's seeded series (`web-`, `db-`, ... snapshots, backups,
//! custom images, failed and running imports, spread over weeks). What
//! should go is worked out here from the sandbox's raw JSON by the
//! documented rules, never by asking the planner, and what should stay is
//! compared byte for byte before and after.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use do_images::retention::{PrunePlan, PruneReport, PruneResult};
use do_images::{Client, Clock, Image, Progress, Sleep, TokioClock};
use do_images_e2e::{builder_for, client_for, patient_client, quick_config, start};
use do_images_sandbox::{FaultKind, Faults, RunningSandbox};
use serde_json::value::RawValue;

/// Enough seeded images for the `web-` series to hold more than a few
/// available snapshots and custom images, backups, a failed import and a
/// running one.
const SEEDED: usize = 240;

/// One image as the sandbox's listing sent it: its raw JSON text and the
/// fields the retention rules read.
#[derive(Debug)]
struct RawImage {
    json: String,
    name: String,
    kind: String,
    status: String,
    public: bool,
    created_at: String,
}

impl RawImage {
    fn parse(raw: &RawValue) -> (u64, Self) {
        let value: serde_json::Value = serde_json::from_str(raw.get()).expect("an image is JSON");
        let text = |field: &str| {
            value[field]
                .as_str()
                .unwrap_or_else(|| panic!("`{field}` is a string in {value}"))
                .to_string()
        };
        let image = Self {
            json: raw.get().to_string(),
            name: text("name"),
            kind: text("type"),
            status: text("status"),
            public: value["public"].as_bool().expect("`public` is a boolean"),
            created_at: text("created_at"),
        };
        (value["id"].as_u64().expect("`id` is a number"), image)
    }

    /// Whether the default prune of `prefix` looks at it: the account's
    /// own snapshots and custom images named so.
    fn in_series(&self, prefix: &str) -> bool {
        !self.public
            && self.name.starts_with(prefix)
            && matches!(&*self.kind, "snapshot" | "custom")
    }

    /// `created_at` as a time (the API writes whole seconds, UTC).
    fn created(&self) -> SystemTime {
        let image: Image = serde_json::from_str(&self.json).expect("an image decodes");
        SystemTime::from(image.created_at)
    }
}

/// Every image the sandbox holds, by id, from plain `GET /v2/images`
/// pages of 200 (no filter: public images included).
async fn raw_images(sandbox: &RunningSandbox) -> BTreeMap<u64, RawImage> {
    let http = reqwest::Client::new();
    let mut images = BTreeMap::new();
    for page in 1.. {
        let url = format!("{}/v2/images?per_page=200&page={page}", sandbox.base_url());
        let body = http
            .get(url)
            .bearer_auth(sandbox.token())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("a page of images")
            .text()
            .await
            .expect("the page's body");
        let page: BTreeMap<String, Box<RawValue>> =
            serde_json::from_str(&body).expect("a page of images is a JSON object");
        let listed: Vec<Box<RawValue>> =
            serde_json::from_str(page["images"].get()).expect("`images` is an array");
        if listed.is_empty() {
            break;
        }
        images.extend(listed.iter().map(|raw| RawImage::parse(raw)));
    }
    images
}

/// The images of series `prefix` in the order a retention policy ranks
/// them: newest first, the highest id first among equals.
fn series_newest_first<'a>(
    images: &'a BTreeMap<u64, RawImage>,
    prefix: &str,
) -> Vec<(u64, &'a RawImage)> {
    let mut series: Vec<(u64, &RawImage)> = images
        .iter()
        .filter(|(_, image)| image.in_series(prefix))
        .map(|(id, image)| (*id, image))
        .collect();
    // The API's timestamps all have one form, `2023-01-02T09:00:00Z`, so
    // their text sorts as their time does.
    series.sort_by(|(a_id, a), (b_id, b)| (&b.created_at, b_id).cmp(&(&a.created_at, a_id)));
    series
}

/// What a prune of `prefix` keeping the `keep` newest available images,
/// and (when given) deleting only images older than `older_than` at `now`,
/// must delete, by the documented rules: an available image when both
/// rules allow it, a failed import (status `deleted`) when past the age
/// limit, never an import still running.
fn expected_deletions(
    images: &BTreeMap<u64, RawImage>,
    prefix: &str,
    keep: usize,
    older_than: Option<(Duration, SystemTime)>,
) -> BTreeSet<u64> {
    let expired = |image: &RawImage| {
        older_than.is_none_or(|(limit, now)| {
            now.duration_since(image.created()).unwrap_or_default() > limit
        })
    };
    let mut available = 0;
    let mut deleted = BTreeSet::new();
    for (id, image) in series_newest_first(images, prefix) {
        let delete = match &*image.status {
            "available" => {
                available += 1;
                available > keep && expired(image)
            }
            "deleted" => expired(image),
            _ => false,
        };
        if delete {
            deleted.insert(id);
        }
    }
    deleted
}

/// Asserts that the sandbox now holds exactly `before` without `deleted`,
/// each image's JSON unchanged to the byte.
fn assert_only_deleted(
    before: &BTreeMap<u64, RawImage>,
    after: &BTreeMap<u64, RawImage>,
    deleted: &BTreeSet<u64>,
) {
    let expected: BTreeSet<u64> = before
        .keys()
        .copied()
        .filter(|id| !deleted.contains(id))
        .collect();
    let remaining: BTreeSet<u64> = after.keys().copied().collect();
    assert_eq!(
        remaining, expected,
        "the images left are those before minus the deleted ones"
    );
    for (id, image) in after {
        assert_eq!(image.json, before[id].json, "image {id} changed");
    }
}

/// The ids a plan deletes.
fn planned_ids(plan: &PrunePlan) -> BTreeSet<u64> {
    plan.deletions().map(|planned| planned.image.id).collect()
}

/// Asserts that every outcome of `report` is a delete, except `skipped`'s,
/// skipped for `reason`.
fn assert_all_deleted_but(report: &PruneReport, skipped: u64, reason: &str) {
    for outcome in &report.images {
        let id = outcome.image.id;
        let as_expected = match &outcome.result {
            PruneResult::Skipped { reason: said } => id == skipped && said == reason,
            PruneResult::Deleted => id != skipped,
            _ => false,
        };
        assert!(as_expected, "image {id} was {:?}", outcome.result);
    }
    assert!(
        report.images.iter().any(|o| o.image.id == skipped),
        "image {skipped} has an outcome"
    );
}

/// The plan of `web-` images keeping the `keep` newest.
async fn plan_web(client: &Client, keep: usize) -> PrunePlan {
    client
        .images()
        .prune()
        .name_prefix("web-")
        .keep_newest(keep)
        .plan()
        .await
        .unwrap()
}

#[tokio::test]
async fn keeping_two_deletes_exactly_the_older_images_of_the_series_and_touches_nothing_else() {
    let sandbox = start(quick_config(SEEDED)).await;
    let client = client_for(&sandbox);
    let before = raw_images(&sandbox).await;
    let web: Vec<&RawImage> = before
        .values()
        .filter(|i| i.name.starts_with("web-"))
        .collect();
    for (what, present) in [
        ("a backup", web.iter().any(|i| i.kind == "backup")),
        ("a failed import", web.iter().any(|i| i.status == "deleted")),
        (
            "an import still running",
            web.iter().any(|i| matches!(&*i.status, "NEW" | "pending")),
        ),
        (
            "more than two available images",
            web.iter().filter(|i| i.status == "available").count() > 2,
        ),
    ] {
        assert!(present, "the seeded web- series has {what}");
    }
    assert!(
        before.values().any(|i| i.public),
        "the listing holds public images"
    );
    let expected = expected_deletions(&before, "web-", 2, None);
    let newest_two: Vec<u64> = series_newest_first(&before, "web-")
        .into_iter()
        .filter(|(_, image)| image.status == "available")
        .map(|(id, _)| id)
        .take(2)
        .collect();

    let plan = plan_web(&client, 2).await;
    assert_eq!(
        planned_ids(&plan),
        expected,
        "the plan deletes the older web- images"
    );
    let report = plan.send().await.unwrap();

    let outcomes: BTreeSet<u64> = report.images.iter().map(|o| o.image.id).collect();
    assert_eq!(outcomes, expected, "one outcome per planned deletion");
    for outcome in &report.images {
        assert!(
            matches!(outcome.result, PruneResult::Deleted),
            "image {} was {:?}",
            outcome.image.id,
            outcome.result
        );
    }
    let after = raw_images(&sandbox).await;
    assert_only_deleted(&before, &after, &expected);
    for id in newest_two {
        assert!(
            after.contains_key(&id),
            "image {id}, one of the two newest, is kept"
        );
    }
}

#[tokio::test]
async fn a_plan_alone_sends_no_delete() {
    let sandbox = start(quick_config(SEEDED)).await;
    let client = client_for(&sandbox);
    let count = sandbox.image_count();

    let plan = plan_web(&client, 0).await;

    assert!(plan.deletions().count() > 2, "the plan deletes images");
    let sent: Vec<(String, Option<&str>)> = sandbox
        .request_log()
        .into_iter()
        .map(|r| (r.method, r.operation))
        .collect();
    assert!(
        sent.iter()
            .all(|(method, operation)| method == "GET" && *operation == Some("images_list")),
        "a plan only lists: {sent:?}"
    );
    assert_eq!(sandbox.stats().operation("images_delete"), 0);
    assert_eq!(sandbox.image_count(), count);
}

#[tokio::test]
async fn an_image_renamed_after_the_plan_is_skipped_and_kept() {
    let sandbox = start(quick_config(SEEDED)).await;
    let client = client_for(&sandbox);
    let plan = plan_web(&client, 1).await;
    let planned = planned_ids(&plan);
    let renamed = *planned.iter().nth(1).expect("the plan deletes images");

    client
        .images()
        .update(renamed)
        .name("kept-by-hand")
        .send()
        .await
        .unwrap();
    let report = plan.send().await.unwrap();

    assert_all_deleted_but(&report, renamed, "renamed since the plan was made");
    assert!(!report.all_deleted());
    assert_eq!(
        report.failures().map(|o| o.image.id).collect::<Vec<_>>(),
        vec![renamed]
    );
    let after = raw_images(&sandbox).await;
    assert_eq!(
        after[&renamed].name, "kept-by-hand",
        "the renamed image still exists"
    );
    for id in planned.iter().filter(|id| **id != renamed) {
        assert!(!after.contains_key(id), "image {id} is deleted");
    }
}

#[tokio::test]
async fn under_server_errors_and_lost_answers_every_planned_image_ends_gone() {
    let sandbox = start(quick_config(SEEDED)).await;
    let client = patient_client(&sandbox, 12, Duration::from_secs(5));
    let before = raw_images(&sandbox).await;
    let plan = plan_web(&client, 1).await;
    let planned = planned_ids(&plan);
    let gone_before = *planned.first().expect("the plan deletes images");
    client.images().delete(gone_before).send().await.unwrap();
    sandbox
        .set_faults(
            Faults::none()
                .with_server_errors(0.2)
                .with_unavailable(0.1)
                .with_lost_delete_answers(3),
        )
        .unwrap();

    let report = plan.send().await.unwrap();

    for outcome in &report.images {
        let id = outcome.image.id;
        let expected_gone = id == gone_before;
        assert!(
            match outcome.result {
                PruneResult::AlreadyGone => expected_gone,
                PruneResult::Deleted => !expected_gone,
                _ => false,
            },
            "image {id} was {:?}",
            outcome.result
        );
    }
    assert!(report.all_deleted());
    let stats = sandbox.stats();
    assert_eq!(
        stats.fault(FaultKind::LostAnswer),
        3,
        "three deletes lost their answer"
    );
    assert!(
        stats.fault(FaultKind::ServerError) + stats.fault(FaultKind::Unavailable) > 0,
        "some answers were 5xx: {stats:?}"
    );
    sandbox.set_faults(Faults::none()).unwrap();
    assert_only_deleted(&before, &raw_images(&sandbox).await, &planned);
}

#[tokio::test]
async fn a_delete_that_keeps_failing_is_reported_failed_and_the_others_still_go() {
    let sandbox = Arc::new(start(quick_config(SEEDED)).await);
    let client = patient_client(&sandbox, 3, Duration::from_secs(5));
    let before = raw_images(&sandbox).await;
    // One delete at a time; every attempt at the second one is answered 500.
    let faults = sandbox.clone();
    let plan = client
        .images()
        .prune()
        .name_prefix("web-")
        .keep_newest(1)
        .concurrency(1)
        .on_progress(move |progress| {
            let during_next = match progress {
                Progress::ImageSettled { settled: 1, .. } => Faults::none().with_server_errors(1.0),
                _ => Faults::none(),
            };
            faults.set_faults(during_next).unwrap();
        })
        .plan()
        .await
        .unwrap();
    let planned = planned_ids(&plan);
    assert!(planned.len() > 2, "the plan deletes several images");

    let report = plan.send().await.unwrap();

    let failed = report.images[1].image.id;
    for (index, outcome) in report.images.iter().enumerate() {
        if index == 1 {
            assert!(
                matches!(&outcome.result, PruneResult::Failed(error) if error.status() == Some(500)),
                "the second delete failed with the 500s, got {:?}",
                outcome.result
            );
        } else {
            assert!(
                matches!(outcome.result, PruneResult::Deleted),
                "{outcome:?}"
            );
        }
    }
    assert_eq!(
        report.failures().map(|o| o.image.id).collect::<Vec<_>>(),
        vec![failed]
    );
    let deleted: BTreeSet<u64> = planned.iter().copied().filter(|id| *id != failed).collect();
    assert_only_deleted(&before, &raw_images(&sandbox).await, &deleted);
}

/// The real clock, except that the wall clock stands still at a chosen
/// time: the ages a plan computes are then exact.
#[derive(Debug)]
struct WallClockAt(SystemTime);

impl Clock for WallClockAt {
    fn now(&self) -> Instant {
        TokioClock.now()
    }
    fn system_now(&self) -> SystemTime {
        self.0
    }
    fn sleep(&self, duration: Duration) -> Sleep {
        TokioClock.sleep(duration)
    }
}

#[tokio::test]
async fn with_an_age_limit_and_a_count_an_image_goes_only_when_both_allow_it() {
    let sandbox = start(quick_config(SEEDED)).await;
    let before = raw_images(&sandbox).await;
    let available: Vec<(u64, &RawImage)> = series_newest_first(&before, "web-")
        .into_iter()
        .filter(|(_, image)| image.status == "available")
        .collect();
    assert!(
        available.len() > 8,
        "the web- series has enough available images"
    );
    let ids = |ranks: std::ops::Range<usize>| -> Vec<u64> {
        available[ranks].iter().map(|(id, _)| *id).collect()
    };
    // A day after the newest; the age limit falls halfway between the
    // `recent`-th and the next newest available image (the sandbox puts
    // them at least 24 minutes apart).
    let now = available[0].1.created() + Duration::from_secs(86_400);
    let limit_after = |recent: usize| {
        let age = |image: &RawImage| now.duration_since(image.created()).unwrap();
        (age(available[recent - 1].1) + age(available[recent].1)) / 2
    };
    let client: Client = builder_for(&sandbox)
        .clock(Arc::new(WallClockAt(now)))
        .build()
        .unwrap();
    let prune = |keep: usize, older_than: Duration| {
        client
            .images()
            .prune()
            .name_prefix("web-")
            .keep_newest(keep)
            .older_than(older_than)
    };

    // The age allows more than the count: the 4th to 6th newest are old
    // enough, but among the 6 kept.
    let count_binds = expected_deletions(&before, "web-", 6, Some((limit_after(3), now)));
    let by_age_alone = expected_deletions(&before, "web-", 0, Some((limit_after(3), now)));
    for id in ids(3..6) {
        assert!(by_age_alone.contains(&id) && !count_binds.contains(&id));
    }
    // The count allows more than the age: the 3rd to 5th newest are not
    // among the 2 kept, but too recent.
    let age_binds = expected_deletions(&before, "web-", 2, Some((limit_after(5), now)));
    let by_count_alone = expected_deletions(&before, "web-", 2, None);
    for id in ids(2..5) {
        assert!(by_count_alone.contains(&id) && !age_binds.contains(&id));
    }
    assert!(
        ids(5..available.len())
            .iter()
            .all(|id| age_binds.contains(id))
    );

    let plan = prune(6, limit_after(3)).plan().await.unwrap();
    assert_eq!(planned_ids(&plan), count_binds);
    let plan = prune(2, limit_after(5)).plan().await.unwrap();
    assert_eq!(planned_ids(&plan), age_binds);

    let report = plan.send().await.unwrap();

    assert!(
        report.all_deleted(),
        "{:?}",
        report.failures().collect::<Vec<_>>()
    );
    assert_only_deleted(&before, &raw_images(&sandbox).await, &age_binds);
}

#[tokio::test]
async fn when_the_kept_image_is_deleted_before_execute_the_newest_planned_one_is_kept() {
    let sandbox = start(quick_config(SEEDED)).await;
    let client = client_for(&sandbox);
    let before = raw_images(&sandbox).await;
    let available: Vec<u64> = series_newest_first(&before, "web-")
        .into_iter()
        .filter(|(_, image)| image.status == "available")
        .map(|(id, _)| id)
        .collect();
    assert!(available.len() > 3, "{available:?}");
    let (kept, next) = (available[0], available[1]);
    let plan = plan_web(&client, 1).await;
    let planned = planned_ids(&plan);
    assert!(planned.contains(&next) && !planned.contains(&kept));

    // Another client deletes the image the plan keeps.
    client.images().delete(kept).send().await.unwrap();
    let report = plan.send().await.unwrap();

    assert_all_deleted_but(
        &report,
        next,
        "a fresh look at the images keeps it: one of the 1 newest",
    );
    let after = raw_images(&sandbox).await;
    let left: Vec<u64> = series_newest_first(&after, "web-")
        .into_iter()
        .filter(|(_, image)| image.status == "available")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(left, [next], "--keep 1 leaves one available web- image");
    let mut deleted = planned.clone();
    deleted.remove(&next);
    deleted.insert(kept);
    assert_only_deleted(&before, &after, &deleted);
}
