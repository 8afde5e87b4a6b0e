//! Distributing an image to several regions, end to end: the library's
//! distribute against the sandbox, whose transfers of one image run one at
//! a time (another action while one runs is a 422). What the image and its
//! actions look like afterwards is read back with plain HTTP requests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use do_images::Progress;
use do_images::WaitOptions;
use do_images::distribution::{DistributeReport, RegionResult};
use do_images_e2e::{client_for, fast_wait, quick_config, requests_to, start};
use do_images_sandbox::RunningSandbox;
use serde_json::Value;

/// Regions the sandbox spreads its images over.
const REGIONS: &[&str] = &[
    "nyc1", "nyc3", "sfo3", "ams3", "fra1", "lon1", "sgp1", "tor1",
];

/// The JSON the sandbox answers to `GET path`.
async fn get_json(sandbox: &RunningSandbox, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}{path}", sandbox.base_url()))
        .bearer_auth(sandbox.token())
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
        .json()
        .await
        .expect("a JSON answer")
}

/// The regions image `id` is in now.
async fn regions_of(sandbox: &RunningSandbox, id: u64) -> Vec<String> {
    let image = get_json(sandbox, &format!("/v2/images/{id}")).await;
    serde_json::from_value(image["image"]["regions"].clone()).expect("a list of region slugs")
}

/// The ids of image `id`'s transfer actions to `region`.
async fn transfers_to(sandbox: &RunningSandbox, id: u64, region: &str) -> Vec<u64> {
    let page = get_json(sandbox, &format!("/v2/images/{id}/actions?per_page=200")).await;
    page["actions"]
        .as_array()
        .expect("a list of actions")
        .iter()
        .filter(|a| a["type"] == "transfer" && a["region_slug"] == region)
        .map(|a| a["id"].as_u64().expect("a numeric action id"))
        .collect()
}

/// The first available private snapshot, its region, and two regions it
/// is not in.
async fn a_snapshot_in_one_region(sandbox: &RunningSandbox) -> (u64, String, [String; 2]) {
    let page = get_json(sandbox, "/v2/images?private=true&per_page=200").await;
    let image = page["images"]
        .as_array()
        .expect("a list of images")
        .iter()
        .find(|i| {
            i["type"] == "snapshot"
                && i["status"] == "available"
                && i["regions"].as_array().map(Vec::len) == Some(1)
        })
        .expect("the seeded data has an available snapshot in one region");
    let id = image["id"].as_u64().expect("a numeric id");
    let own = image["regions"][0]
        .as_str()
        .expect("a region slug")
        .to_string();
    let mut others = REGIONS.iter().filter(|r| **r != own).map(|r| r.to_string());
    let new = [others.next().unwrap(), others.next().unwrap()];
    (id, own, new)
}

/// What the report says for each region, in order.
fn results(report: &DistributeReport) -> Vec<(&str, &RegionResult)> {
    report
        .regions
        .iter()
        .map(|r| (r.region.as_str(), &r.result))
        .collect()
}

#[tokio::test]
async fn distributing_to_three_regions_transfers_to_the_new_ones_only() {
    let sandbox = start(quick_config(60)).await;
    let client = client_for(&sandbox);
    let (id, own, [first, second]) = a_snapshot_in_one_region(&sandbox).await;

    let report = client
        .images()
        .distribute(id, [first.as_str(), own.as_str(), second.as_str()])
        .wait_options(fast_wait())
        .send()
        .await
        .unwrap();

    let results = results(&report);
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(
        matches!(results[1], (region, RegionResult::AlreadyThere) if region == own),
        "{results:?}"
    );
    for (index, region) in [(0, &first), (2, &second)] {
        let RegionResult::Transferred { action_id } = results[index].1 else {
            panic!("{region} was {:?}", results[index].1);
        };
        assert_eq!(results[index].0, region.as_str());
        assert_eq!(
            transfers_to(&sandbox, id, region).await,
            vec![*action_id],
            "one transfer to {region}"
        );
    }
    assert!(report.is_complete());
    let regions = regions_of(&sandbox, id).await;
    for region in [&own, &first, &second] {
        assert!(
            regions.contains(region),
            "the image is in {region}: {regions:?}"
        );
    }
    assert_eq!(
        requests_to(&sandbox, "image_actions_post").len(),
        2,
        "two transfers were asked for"
    );
}

#[tokio::test]
async fn distributing_again_sends_no_transfer() {
    let sandbox = start(quick_config(60)).await;
    let client = client_for(&sandbox);
    let (id, own, [first, second]) = a_snapshot_in_one_region(&sandbox).await;
    let regions = [own.as_str(), first.as_str(), second.as_str()];
    let distribute = client
        .images()
        .distribute(id, regions)
        .wait_options(fast_wait());
    assert!(distribute.clone().send().await.unwrap().is_complete());
    let posts = requests_to(&sandbox, "image_actions_post").len();

    let again = distribute.send().await.unwrap();

    assert_eq!(
        requests_to(&sandbox, "image_actions_post").len(),
        posts,
        "no transfer was asked for again"
    );
    for (region, result) in results(&again) {
        assert!(
            matches!(result, RegionResult::AlreadyThere),
            "{region} was {result:?}"
        );
    }
}

#[tokio::test]
async fn a_transfer_already_running_is_waited_for_not_started_twice() {
    // Transfers take 8 s here, so the one started by hand is still running
    // when the distribution looks, even on a busy machine (two requests
    // apart).
    let sandbox = start(quick_config(60).with_action_duration(Duration::from_secs(8))).await;
    let client = client_for(&sandbox);
    let (id, own, [running, new]) = a_snapshot_in_one_region(&sandbox).await;
    let by_hand = client
        .actions(id)
        .transfer(running.as_str())
        .send()
        .await
        .unwrap()
        .id();
    let steps = Arc::new(Mutex::new(Vec::new()));
    let seen = steps.clone();

    let report = client
        .images()
        .distribute(id, [running.as_str(), new.as_str(), own.as_str()])
        .wait_options(
            // Polls a few times a second: two 8 s transfers polled at
            // fast_wait's pace would pass the client's 250 requests a minute.
            WaitOptions::default()
                .min_delay(Duration::from_millis(200))
                .max_delay(Duration::from_millis(500))
                .max_wait(Duration::from_secs(30)),
        )
        .on_progress(move |step| {
            if let Progress::TransferRunning { region, action_id } = step {
                seen.lock().unwrap().push((region.to_string(), *action_id));
            }
        })
        .send()
        .await
        .unwrap();

    let refused: Vec<_> = sandbox
        .request_log()
        .into_iter()
        .filter(|r| r.status == 422)
        .collect();
    assert!(refused.is_empty(), "no action was refused: {refused:?}");
    assert_eq!(
        *steps.lock().unwrap(),
        vec![(running.clone(), by_hand)],
        "the running transfer was found"
    );
    let results = results(&report);
    assert!(
        matches!(results[0], (_, RegionResult::Transferred { action_id }) if *action_id == by_hand),
        "{results:?}"
    );
    assert!(
        matches!(results[1].1, RegionResult::Transferred { .. }),
        "{results:?}"
    );
    assert!(
        matches!(results[2].1, RegionResult::AlreadyThere),
        "{results:?}"
    );
    assert_eq!(
        transfers_to(&sandbox, id, &running).await,
        vec![by_hand],
        "one transfer to {running}"
    );
    assert_eq!(
        requests_to(&sandbox, "image_actions_post").len(),
        2,
        "the hand's and the new region's"
    );
    let regions = regions_of(&sandbox, id).await;
    assert!(
        regions.contains(&running) && regions.contains(&new),
        "{regions:?}"
    );
}
