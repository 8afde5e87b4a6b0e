//! The life of an image, end to end: the do-images library against the
//! sandbox over HTTP. Imports settle in 400 ms and actions in 200 ms (see
//! `quick_config`), so every wait here is short.

use std::sync::{Arc, Mutex};

use do_images::{ActionStatus, Error, Image, ImageStatus, ImageType};
use do_images_e2e::{GOOD_URL, builder_for, client_for, fast_wait, quick_config, start};

fn id_of(image: &Image) -> u64 {
    image.id
}

fn regions_of(image: &Image) -> Vec<String> {
    image
        .regions
        .iter()
        .map(|r| r.as_str().to_string())
        .collect()
}

/// The first seeded private image of type `kind` that is available.
async fn seeded_private(client: &do_images::Client, kind: ImageType) -> Image {
    client
        .images()
        .list()
        .private(true)
        .collect_all()
        .await
        .expect("the private images list")
        .into_iter()
        .find(|image| image.type_.as_ref() == Some(&kind) && image.status == ImageStatus::Available)
        .unwrap_or_else(|| panic!("the seeded data has an available {kind:?} image"))
}

#[tokio::test]
async fn import_then_wait_until_available_in_its_region() {
    let sandbox = start(quick_config(40)).await;
    let client = client_for(&sandbox);

    let created = client
        .images()
        .create_custom("e2e-import", GOOD_URL, "nyc3")
        .distribution("Ubuntu")
        .description("imported by the end-to-end tests")
        .tags(["e2e", "ci"])
        .send()
        .await
        .expect("the import is accepted");
    assert_eq!(created.status, ImageStatus::New);
    assert!(
        created.regions.is_empty(),
        "a new import is in no region yet"
    );
    let id = id_of(&created);

    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = seen.clone();
    let image = created
        .wait(fast_wait().on_progress(move |progress| {
            if let Some(status) = &progress.status {
                record.lock().unwrap().push(status.clone());
            }
        }))
        .await
        .expect("the import becomes available");

    assert_eq!(id_of(&image), id);
    assert_eq!(image.status, ImageStatus::Available);
    assert_eq!(regions_of(&image), ["nyc3"]);
    assert_eq!(image.name, "e2e-import");
    assert_eq!(image.type_, Some(ImageType::Custom));
    assert_eq!(image.distribution.as_str(), "Ubuntu");
    assert_eq!(image.tags, ["e2e", "ci"]);

    // The waiter saw the life cycle in order: NEW, then pending, then
    // available, and stopped at the first available.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.first().map(String::as_str), Some("NEW"), "{seen:?}");
    assert!(seen.iter().any(|s| s == "pending"), "{seen:?}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("available"),
        "{seen:?}"
    );
    let rank = |s: &str| ["NEW", "pending", "available"].iter().position(|x| *x == s);
    let ranks: Vec<_> = seen
        .iter()
        .map(|s| rank(s).expect("a known status"))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    assert_eq!(seen.iter().filter(|s| *s == "available").count(), 1);

    let fetched = client.images().get(id).send().await.expect("get by id");
    assert_eq!(fetched.status, ImageStatus::Available);
    assert_eq!(sandbox.count_images_named("e2e-import"), 1);
}

/// Imports from `url`, waits, and returns the error message the failed wait
/// carried, after checking that the error is typed and complete.
async fn failed_import_message(url: &str) -> String {
    let sandbox = start(quick_config(20)).await;
    let client = client_for(&sandbox);
    let created = client
        .images()
        .create_custom("doomed", url, "nyc3")
        .send()
        .await
        .expect("the sandbox accepts the import; it fails later, as the API's do");
    let id = id_of(&created);
    let error = created
        .wait(fast_wait())
        .await
        .expect_err("a failed import must end the wait with an error");
    let Error::WaitFailed {
        resource,
        id: failed_id,
        status,
        error_message,
    } = &error
    else {
        panic!("expected Error::WaitFailed, got {error:?}");
    };
    assert_eq!(*resource, "image");
    assert_eq!(*failed_id, id);
    assert_eq!(status, "deleted");
    let message = error_message.clone().expect("the sandbox's error_message");
    assert!(
        error.to_string().contains(&message),
        "the error's text carries the message: {error}"
    );
    assert!(!error.is_retryable());

    // The message is the one the API shows on the image.
    let image = client.images().get(id).send().await.expect("get by id");
    assert_eq!(image.status, ImageStatus::Deleted);
    assert_eq!(image.error_message, message);
    message
}

#[tokio::test]
async fn import_of_an_unsupported_format_fails_the_wait_with_the_error_message() {
    let message = failed_import_message("https://images.example.com/disk.iso").await;
    assert!(
        message.contains("`disk.iso` is not in a supported format"),
        "{message}"
    );
}

#[tokio::test]
async fn import_from_an_unresolvable_host_fails_the_wait_with_the_error_message() {
    let message = failed_import_message("https://x.invalid/disk.qcow2").await;
    assert!(
        message.contains("`x.invalid` could not be resolved"),
        "{message}"
    );
}

#[tokio::test]
async fn transfer_then_wait_adds_the_region() {
    let sandbox = start(quick_config(40)).await;
    let client = client_for(&sandbox);
    let image = client
        .images()
        .create_custom("to-transfer", GOOD_URL, "nyc3")
        .send()
        .await
        .expect("import")
        .wait(fast_wait())
        .await
        .expect("available");
    let id = id_of(&image);

    let started = client
        .actions(id)
        .transfer("ams3")
        .send()
        .await
        .expect("the transfer starts");
    assert_eq!(started.status, ActionStatus::InProgress);
    assert_eq!(started.type_, "transfer");
    assert_eq!(started.region_slug.as_deref(), Some("ams3"));
    let action_id = started.id;
    let before = client.images().get(id).send().await.expect("get");
    assert_eq!(regions_of(&before), ["nyc3"], "not yet transferred");

    let done = started
        .wait(fast_wait())
        .await
        .expect("the transfer completes");
    assert_eq!(done.id, action_id);
    assert_eq!(done.status, ActionStatus::Completed);
    assert!(done.completed_at.is_some());

    let after = client.images().get(id).send().await.expect("get");
    assert_eq!(regions_of(&after), ["nyc3", "ams3"]);

    let actions = client
        .actions(id)
        .list()
        .collect_all()
        .await
        .expect("the image's actions");
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].id, action_id);
    assert_eq!(actions[0].status, ActionStatus::Completed);
    let fetched = client
        .actions(id)
        .get(action_id)
        .send()
        .await
        .expect("get the action");
    assert_eq!(fetched.status, ActionStatus::Completed);

    // A transfer to a region the image is already in cannot succeed.
    let error = client
        .actions(id)
        .transfer("nyc3")
        .send()
        .await
        .expect("the transfer starts")
        .wait(fast_wait())
        .await
        .expect_err("a transfer to a region the image is in ends errored");
    assert!(
        matches!(&error, Error::WaitFailed { resource: "action", status, .. } if status == "errored"),
        "{error:?}"
    );
}

#[tokio::test]
async fn converting_a_backup_makes_it_a_snapshot() {
    let sandbox = start(quick_config(60)).await;
    let client = client_for(&sandbox);
    let backup = seeded_private(&client, ImageType::Backup).await;
    let id = id_of(&backup);

    let started = client.actions(id).convert().send().await.expect("starts");
    assert_eq!(started.type_, "convert");
    let done = started
        .wait(fast_wait())
        .await
        .expect("the convert completes");
    assert_eq!(done.status, ActionStatus::Completed);

    let image = client.images().get(id).send().await.expect("get");
    assert_eq!(image.type_, Some(ImageType::Snapshot));
    assert_eq!(image.name, backup.name, "only the type changed");
}

#[tokio::test]
async fn converting_anything_but_a_backup_ends_in_an_errored_action() {
    let sandbox = start(quick_config(60)).await;
    let client = client_for(&sandbox);
    let snapshot = seeded_private(&client, ImageType::Snapshot).await;
    let id = id_of(&snapshot);

    let started = client.actions(id).convert().send().await.expect("starts");
    let action_id = started.id;
    let error = started
        .wait(fast_wait())
        .await
        .expect_err("a convert of a snapshot cannot succeed");
    match &error {
        Error::WaitFailed {
            resource,
            id,
            status,
            ..
        } => {
            assert_eq!(*resource, "action");
            assert_eq!(*id, action_id);
            assert_eq!(status, "errored");
        }
        other => panic!("expected Error::WaitFailed, got {other:?}"),
    }
    assert!(error.to_string().contains("ended as errored"), "{error}");

    let image = client.images().get(id).send().await.expect("get");
    assert_eq!(image.type_, Some(ImageType::Snapshot), "unchanged");
}

#[tokio::test]
async fn get_by_slug_and_by_id_agree() {
    let sandbox = start(quick_config(30)).await;
    let client = client_for(&sandbox);
    let by_slug = client
        .images()
        .get("ubuntu-24-04-x64")
        .send()
        .await
        .expect("a public image by slug");
    assert_eq!(by_slug.slug.as_deref(), Some("ubuntu-24-04-x64"));
    assert_eq!(by_slug.public, Some(true));
    assert_eq!(by_slug.status, ImageStatus::Available);
    let by_id = client
        .images()
        .get(id_of(&by_slug))
        .send()
        .await
        .expect("the same image by id");
    assert_eq!(
        serde_json::to_value(&by_id).unwrap(),
        serde_json::to_value(&by_slug).unwrap()
    );

    let error = client
        .images()
        .get("no-such-slug-x64")
        .send()
        .await
        .expect_err("an unknown slug");
    assert!(
        matches!(&error, Error::Api { status: 404, id, .. } if id == "not_found"),
        "{error:?}"
    );
}

#[tokio::test]
async fn find_by_name_returns_every_private_image_with_that_name() {
    let sandbox = start(quick_config(300)).await;
    let client = client_for(&sandbox);
    let mut imported = Vec::new();
    for _ in 0..2 {
        let created = client
            .images()
            .create_custom("twin", GOOD_URL, "sfo3")
            .send()
            .await
            .expect("import");
        imported.push(id_of(&created));
    }
    let found = client
        .images()
        .find_by_name("twin")
        .send()
        .await
        .expect("find");
    let mut found_ids: Vec<u64> = found.iter().map(id_of).collect();
    found_ids.sort_unstable();
    assert_eq!(found_ids, imported, "names are not unique: both are found");

    // A seeded image deep in the listing (page 2 at 200 a page).
    let all = client
        .images()
        .list()
        .private(true)
        .collect_all()
        .await
        .expect("list");
    let target = all.get(250).expect("more than 250 private images");
    let name = target.name.clone();
    let found = client
        .images()
        .find_by_name(name.clone())
        .send()
        .await
        .expect("find");
    assert_eq!(found.len(), 1, "{name}");
    assert_eq!(found[0].id, target.id);

    // Public images are not the account's: never found by name.
    let found = client
        .images()
        .find_by_name("24.04 (LTS) x64")
        .send()
        .await
        .expect("find");
    assert!(found.is_empty(), "{found:?}");
    let found = client
        .images()
        .find_by_name("no image is called this")
        .send()
        .await
        .expect("find");
    assert!(found.is_empty());
}

#[tokio::test]
async fn update_changes_name_description_and_distribution() {
    let sandbox = start(quick_config(60)).await;
    let client = client_for(&sandbox);
    let custom = seeded_private(&client, ImageType::Custom).await;
    let id = id_of(&custom);

    let updated = client
        .images()
        .update(id)
        .name("renamed-by-e2e")
        .description("new words")
        .distribution("Debian")
        .send()
        .await
        .expect("update");
    assert_eq!(updated.name, "renamed-by-e2e");
    assert_eq!(updated.description, "new words");
    assert_eq!(updated.distribution.as_str(), "Debian");

    let fetched = client.images().get(id).send().await.expect("get");
    assert_eq!(fetched.name, "renamed-by-e2e");
    assert_eq!(fetched.description, "new words");
    assert_eq!(sandbox.count_images_named("renamed-by-e2e"), 1);
    assert_eq!(sandbox.count_images_named(&custom.name), 0);
}

#[tokio::test]
async fn delete_then_get_is_not_found() {
    let sandbox = start(quick_config(60)).await;
    let client = client_for(&sandbox);
    let snapshot = seeded_private(&client, ImageType::Snapshot).await;
    let id = id_of(&snapshot);
    let before = sandbox.image_count();

    client.images().delete(id).send().await.expect("delete");
    assert_eq!(sandbox.image_count(), before - 1);

    let error = client
        .images()
        .get(id)
        .send()
        .await
        .expect_err("a deleted image is gone");
    match &error {
        Error::Api {
            status,
            id,
            request_id,
            ..
        } => {
            assert_eq!(*status, 404);
            assert_eq!(id, "not_found");
            assert!(
                request_id
                    .as_deref()
                    .is_some_and(|r| r.starts_with("sandbox-")),
                "{request_id:?}"
            );
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert!(!error.is_retryable());
    let again = client
        .images()
        .delete(id)
        .send()
        .await
        .expect_err("deleting twice");
    assert_eq!(again.status(), Some(404));
}

/// Asserts that `error` is the sandbox's 422 and that its message names
/// `field`.
fn assert_unprocessable(error: &Error, field: &str) {
    match error {
        Error::Api {
            status,
            id,
            message,
            ..
        } => {
            assert_eq!(*status, 422, "{error}");
            assert_eq!(id, "unprocessable_entity");
            assert!(
                message.contains(&format!("`{field}`")),
                "the message names `{field}`: {message}"
            );
        }
        other => panic!("expected Error::Api 422, got {other:?}"),
    }
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn unprocessable_requests_surface_as_api_errors_naming_the_field() {
    let sandbox = start(quick_config(60)).await;
    let client = client_for(&sandbox);

    // The client only checks that the region is not empty; the sandbox
    // refuses one that is not a region slug.
    let error = client
        .images()
        .create_custom("bad-region", GOOD_URL, "New York 3")
        .send()
        .await
        .expect_err("a region that is not a slug");
    assert_unprocessable(&error, "region");
    assert_eq!(sandbox.count_images_named("bad-region"), 0);

    let snapshot = seeded_private(&client, ImageType::Snapshot).await;
    let error = client
        .actions(id_of(&snapshot))
        .transfer("Mars-1")
        .send()
        .await
        .expect_err("a transfer to a region that is not a slug");
    assert_unprocessable(&error, "region");

    let error = client
        .images()
        .update(id_of(&snapshot))
        .description("only custom images have one")
        .send()
        .await
        .expect_err("a description on a snapshot");
    assert_unprocessable(&error, "description");
    assert!(error.to_string().contains("HTTP 422"), "{error}");
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let sandbox = start(quick_config(10)).await;
    let client = builder_for(&sandbox)
        .token("dop_v1_not_the_sandbox_token")
        .build()
        .unwrap();
    let error = client
        .images()
        .list()
        .collect_all()
        .await
        .expect_err("a wrong token");
    assert!(
        matches!(&error, Error::Api { status: 401, id, .. } if id == "unauthorized"),
        "{error:?}"
    );
    assert!(
        !error.to_string().contains("not_the_sandbox_token"),
        "{error}"
    );
}
