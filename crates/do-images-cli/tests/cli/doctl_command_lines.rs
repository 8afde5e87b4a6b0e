//! doctl's command lines, typed as doctl's users type them: each runs and
//! gives doctl's answer (its default listing, its columns in its order
//! with its header text).

use crate::common;

use common::{Sim, fast, header_cells, ids_of_table, run};
use do_images_sandbox::Faults;

/// Runs both command lines, asserts that they print the same table, with
/// rows, and returns its ids.
#[track_caller]
fn same_table(sim: &Sim, one: &[&str], other: &[&str]) -> Vec<u64> {
    let one_out = run(sim.doimg().args(one)).ok();
    let other_out = run(sim.doimg().args(other)).ok();
    assert_eq!(one_out.stdout, other_out.stdout, "{one:?} and {other:?}");
    let ids = ids_of_table(&one_out.stdout);
    assert!(!ids.is_empty(), "{one:?}");
    ids
}

#[test]
fn the_compute_prefix_runs_images_and_image_actions() {
    let sim = Sim::start();
    same_table(&sim, &["image", "list"], &["compute", "image", "list"]);

    let (image, action) = sim.image_with_action();
    let (image, action) = (image.to_string(), action.to_string());
    let out = run(sim.doimg().args([
        "compute",
        "image-action",
        "get",
        &image,
        "--action-id",
        &action,
    ]))
    .ok();
    assert_eq!(ids_of_table(&out.stdout), [action.parse::<u64>().unwrap()]);
}

#[test]
fn image_list_lists_the_users_images_as_doctl_does() {
    let sim = Sim::start();
    let mine: Vec<u64> = sim
        .private_images()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect();
    let out = run(sim.doimg().args(["image", "list"])).ok();
    assert_eq!(ids_of_table(&out.stdout), mine);
    let out = run(sim.doimg().args(["images", "list"])).ok();
    assert_eq!(ids_of_table(&out.stdout), mine, "one behaviour per command");
    // --public lists public images too, as in doctl.
    let out = run(sim.doimg().args(["image", "list", "--public"])).ok();
    let all = ids_of_table(&out.stdout);
    assert!(all.len() > mine.len() && mine.iter().all(|id| all.contains(id)));
}

#[test]
fn cobras_true_and_false_spellings_of_on_off_flags_work() {
    let sim = Sim::start();
    let public = same_table(
        &sim,
        &["image", "list", "--public"],
        &["image", "list", "--public=true"],
    );
    let private = same_table(
        &sim,
        &["image", "list"],
        &["image", "list", "--public=false"],
    );
    assert!(public.len() > private.len());

    let custom = sim.first_private("custom").to_string();
    run(sim
        .doimg()
        .args(["image", "delete", &custom, "--force=true"]))
    .ok();
    assert!(sim.image(custom.parse().unwrap()).is_none());

    // A value cobra would refuse is refused, naming the flag.
    let out = run(sim.doimg().args(["image", "list", "--public=maybe"])).expect_code(2);
    assert!(out.stderr.contains("--public"), "{}", out.stderr);
}

#[test]
fn the_retry_flags_set_doimgs_retries() {
    let sim = Sim::with(fast().with_faults(Faults::none().with_server_errors(1.0)));
    let quick = ["--http-retry-wait-min", "0", "--http-retry-wait-max", "0"];
    run(sim
        .doimg()
        .args(["--http-retry-max", "0"])
        .args(quick)
        .args(["image", "list"]))
    .expect_code(1);
    assert_eq!(sim.requests_of("images_list"), 1, "no retry");
    run(sim
        .doimg()
        .args(["--http-retry-max", "2"])
        .args(quick)
        .args(["image", "list"]))
    .expect_code(1);
    assert_eq!(sim.requests_of("images_list"), 1 + 3, "two retries");
    // A shortest wait longer than the longest is refused before sending.
    let out = run(sim
        .doimg()
        .args(["--http-retry-wait-min", "9", "--http-retry-wait-max", "3"])
        .args(["image", "list"]))
    .expect_code(2);
    assert!(
        out.stderr.contains("--http-retry-wait-min"),
        "{}",
        out.stderr
    );
    assert_eq!(sim.requests_of("images_list"), 4);
}

#[test]
fn interactive_is_doimgs_confirmation() {
    let sim = Sim::start();
    let custom = sim.first_private("custom").to_string();
    // --interactive=false: no question is asked; without --force, nothing
    // is deleted.
    let out = run(sim
        .doimg()
        .args(["--interactive=false", "image", "delete", &custom]))
    .expect_code(2);
    let error = out.single_error();
    assert!(error.contains("without confirmation"), "{error}");
    assert!(
        error.contains("--interactive=false asks no question"),
        "{error}"
    );
    assert!(sim.image(custom.parse().unwrap()).is_some());
    // So does a prune, before it lists anything.
    let listings = sim.requests_of("images_list");
    let out = run(sim.doimg().args([
        "--interactive=false",
        "images",
        "prune",
        "--select-all",
        "--keep",
        "1",
    ]))
    .expect_code(2);
    let error = out.single_error();
    assert!(
        error.contains("--interactive=false asks no question"),
        "{error}"
    );
    assert_eq!(sim.requests_of("images_list"), listings);
    assert!(sim.image(custom.parse().unwrap()).is_some());
    run(sim
        .doimg()
        .args(["image", "delete", &custom, "--force", "--interactive"]))
    .ok();
    assert!(sim.image(custom.parse().unwrap()).is_none());
}

#[test]
fn list_user_takes_public_as_doctl_does() {
    let sim = Sim::start();
    same_table(
        &sim,
        &["image", "list-user"],
        &["image", "list-user", "--public"],
    );
}

#[test]
fn format_and_no_header_beside_json_are_ignored_with_a_note() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "image",
        "list",
        "--format",
        "ID,Name",
        "--no-header",
        "-o",
        "json",
    ]))
    .ok();
    assert!(out.json().as_array().is_some_and(|a| !a.is_empty()));
    assert!(
        out.stderr.contains("--format") && out.stderr.contains("--no-header"),
        "{}",
        out.stderr
    );
}

#[test]
fn default_columns_are_doctls_in_its_order_with_its_header_text() {
    let sim = Sim::start();
    let out = run(sim.doimg().args(["image", "list"])).ok();
    let header = header_cells(&out.stdout);
    let doctl = [
        "ID",
        "Name",
        "Type",
        "Distribution",
        "Slug",
        "Public",
        "Min Disk",
        "Created",
    ];
    assert_eq!(header[..doctl.len()], doctl, "{}", out.stdout);

    let (image, action) = sim.image_with_action();
    let out = run(sim.doimg().args([
        "image-action",
        "get",
        &image.to_string(),
        "--action-id",
        &action.to_string(),
    ]))
    .ok();
    let doctl = [
        "ID",
        "Status",
        "Type",
        "Started At",
        "Completed At",
        "Resource ID",
        "Resource Type",
        "Region",
    ];
    assert_eq!(
        header_cells(&out.stdout)[..doctl.len()],
        doctl,
        "{}",
        out.stdout
    );
}

#[test]
fn an_image_without_a_minimum_disk_size_shows_0_as_in_doctl() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "image",
        "create",
        "no-min-disk",
        "--image-url",
        "https://example.com/no-min-disk.qcow2",
        "--region",
        "nyc3",
        "--format",
        "ID,MinDisk",
        "--no-header",
    ]))
    .ok();
    let id = out.stdout.split_whitespace().next().unwrap();
    let image = sim.image(id.parse().unwrap()).unwrap();
    assert!(image["min_disk_size"].is_null(), "{image}");
    assert_eq!(
        out.stdout.split_whitespace().nth(1),
        Some("0"),
        "{}",
        out.stdout
    );
}

#[test]
fn older_than_takes_every_duration_the_other_flags_take() {
    let sim = Sim::start();
    for age in ["1h30m", "30days", "30s", "2w"] {
        run(sim.doimg().args([
            "images",
            "prune",
            "--name-prefix",
            "web-",
            "--older-than",
            age,
            "--dry-run",
        ]))
        .ok();
    }
    for (age, says) in [("0s", "longer than zero"), ("-3d", "not a duration")] {
        let out = run(sim.doimg().args([
            "images",
            "prune",
            "--name-prefix",
            "web-",
            &format!("--older-than={age}"),
            "--dry-run",
        ]))
        .expect_code(2);
        assert!(out.stderr.contains(says), "{age}: {}", out.stderr);
    }
}
