//! `doimg images prune` when the images change between the plan and the
//! deletes (a kept image deleted while doimg waits at its question, an
//! image that loses its tag or starts importing again), and filters that
//! would select every image.

use crate::common;
use crate::lifecycle::{
    canned_image, considered, deleted, deleted_ids, expected_web_plan, serve_deletes,
    serve_listings, table_rows,
};

use common::{Sim, isolated, run};
use httpmock::MockServer;
use serde_json::json;

/// The ids of the `web-` snapshots and custom images that are available
/// now, newest first.
fn available_web(sim: &Sim) -> Vec<u64> {
    expected_web_plan(sim, usize::MAX)
        .into_iter()
        .map(|(_, id)| id)
        .filter(|id| sim.image(*id).unwrap()["status"] == "available")
        .collect()
}

#[cfg(unix)]
#[test]
fn the_kept_image_deleted_while_doimg_asks_makes_the_newest_planned_one_stay() {
    use common::terminal::Terminal;

    let sim = Sim::start();
    let available = available_web(&sim);
    assert!(available.len() > 3, "{available:?}");
    let (kept, next) = (available[0], available[1]);
    let plan = expected_web_plan(&sim, 1);
    let doomed = deleted(&plan);
    assert!(doomed.contains(&next), "{plan:?}");

    let mut command = common::isolated_std(sim.home());
    command
        .env("DIGITALOCEAN_ACCESS_TOKEN", sim.sandbox.token())
        .env("NO_COLOR", "1")
        .args(["--api-url", sim.sandbox.base_url()])
        .args(["images", "prune", "--name-prefix", "web-", "--keep", "1"]);
    let mut terminal = Terminal::start(command);
    terminal.wait_for("[y/N] ");
    // Another client deletes the image the plan keeps.
    let (status, body) = sim.api_send("DELETE", &format!("/v2/images/{kept}"), &json!({}));
    assert_eq!(status, 204, "{body}");
    terminal.type_line("y");
    let (status, shown) = terminal.finish();

    assert_eq!(status.code(), Some(1), "{shown}");
    // The progress bar clears its line with \r and escapes: look inside lines.
    let skipped = format!("Warning: skipped image {next} (web-");
    let line = shown
        .lines()
        .find_map(|l| l.find(&skipped).map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("{skipped} in:\n{shown}"));
    assert!(
        line.ends_with("): a fresh look at the images keeps it: one of the 1 newest"),
        "{line}"
    );
    assert_eq!(
        available_web(&sim),
        [next],
        "one web- image is left: {shown}"
    );
    for id in doomed.iter().filter(|id| **id != next) {
        assert!(sim.image(*id).is_none(), "image {id} is deleted");
        assert!(
            shown.contains(&format!("Deleted image {id} (web-")),
            "{shown}"
        );
    }
    assert_eq!(sim.requests_of("images_delete"), doomed.len() as u64);
}

/// Between the plan and the deletes, image 12 loses the tag `ci` and image
/// 11 is `pending` again (answers the sandbox cannot be made to give):
/// neither is deleted, each is listed with what changed, and the exit code
/// is 1.
#[test]
fn an_image_that_loses_the_tag_or_is_pending_again_is_skipped() {
    let mut images: Vec<_> = (10..=14)
        .map(|id| {
            let mut image = canned_image(id, &format!("web-{id}"), id as u32 - 9);
            image["tags"] = json!(["ci"]);
            image
        })
        .collect();
    images.push(canned_image(20, "db-0", 9));
    let mut changed = images.clone();
    changed[2]["tags"] = json!([]);
    changed[1]["status"] = json!("pending");
    let server = MockServer::start();
    let listings = serve_listings(&server, images, changed);
    let deletes = serve_deletes(&server, &[10, 11, 12, 13, 14, 20].map(|id| (id, 204)));
    let anything_else = server.mock(|_, then| {
        then.status(500);
    });
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path())
        .args(["--api-url", &server.base_url(), "-t", "dop_v1_test"])
        .args(["images", "prune", "--tag", "ci", "--keep", "1", "-f"]))
    .expect_code(1);
    let planned: Vec<(String, u64)> = [14, 13, 12, 11, 10]
        .iter()
        .map(|id| {
            let action = if *id == 14 { "keep" } else { "delete" };
            (action.to_string(), *id)
        })
        .collect();
    assert_eq!(table_rows(&out.stdout), planned);
    assert!(
        out.stderr.contains("Selected 5 of the 6 images considered"),
        "{}",
        out.stderr
    );
    for expected in [
        "Warning: skipped image 12 (web-12): no longer selected: it does not carry the tag",
        "Warning: skipped image 11 (web-11): a fresh look at the images keeps it: import still running (pending)",
        "Deleted image 13 (web-13).",
        "Deleted image 10 (web-10).",
    ] {
        assert!(
            out.stderr.lines().any(|l| l == expected),
            "{expected}:\n{}",
            out.stderr
        );
    }
    assert_eq!(deleted_ids(&deletes), [10, 13]);
    assert_eq!(listings.map(|listing| listing.calls()), [1, 1]);
    anything_else.assert_calls(0);
}

#[test]
fn a_filter_that_matches_every_name_is_refused_before_sending_anything() {
    let sim = Sim::start();
    let count = sim.sandbox.image_count();
    let cases: &[&[&str]] = &[
        &["--name-regex", ""],
        &["--name-regex", ".*"],
        &["--name-regex", "(a*)*$"],
        &["--name-regex", ".*", "--tag", "web"],
        &["--name-prefix", ""],
    ];
    for args in cases {
        let out = run(sim
            .doimg()
            .args(["images", "prune", "--keep", "1", "-f"])
            .args(*args))
        .expect_code(2);
        let message = out.single_error();
        assert!(
            message.contains("every name") && message.contains("or --select-all"),
            "{args:?}: {message}"
        );
        assert_eq!(out.stdout, "", "{args:?}");
    }
    assert_eq!(sim.requests(), 0, "nothing was sent");
    assert_eq!(sim.sandbox.image_count(), count);
}

#[test]
fn filters_that_select_every_listed_image_are_refused_after_the_listing() {
    let sim = Sim::start();
    let count = sim.sandbox.image_count();
    // Every name has a character: this regex fails only the empty string.
    let out = run(sim
        .doimg()
        .args(["images", "prune", "--name-regex", ".", "--keep", "1", "-f"]))
    .expect_code(1);
    let message = out.single_error();
    assert!(
        message.contains(&format!("select all {} of the images", considered(&sim)))
            && message.contains("without --select-all"),
        "{message}"
    );
    assert_eq!(out.stdout, "", "no plan is shown");
    assert_eq!(sim.requests_of("images_delete"), 0);
    assert_eq!(sim.sandbox.image_count(), count);
}

#[test]
fn select_all_allows_a_filter_that_selects_every_image() {
    let sim = Sim::start();
    let everything = considered(&sim);
    for args in [
        &["--select-all"][..],
        &["--name-regex", ".*", "--select-all"],
        &["--name-regex", ".", "--select-all"],
        &["--name-prefix", "", "--select-all"],
    ] {
        let out = run(sim
            .doimg()
            .args(["images", "prune", "--keep", "1", "--dry-run", "-o", "json"])
            .args(args))
        .ok();
        let plan = out.json();
        assert_eq!(plan["selected"], everything, "{args:?}");
        assert_eq!(plan["considered"], everything, "{args:?}");
        assert_eq!(plan["images"].as_array().unwrap().len(), everything);
    }
    assert_eq!(sim.requests_of("images_delete"), 0);
}
