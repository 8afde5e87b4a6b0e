//! The look again before deleting, over listings that changed under the
//! plan in each way the policy reads.

use std::time::Duration;

use do_images_api::open_enums::{ImageStatus, ImageType};
use do_images_api::types::Image;
use proptest::prelude::*;

use super::plan_properties::{DAY, image, now};
use super::policy::{CheckedPolicy, PruneAction, PrunePolicy};
use super::recheck::{Verdict, recheck};

/// An available custom image `web-<id>`, `age_days` old, tagged `ci`.
fn web(id: u64, age_days: u64) -> Image {
    image(
        id,
        &format!("web-{id}"),
        Some(ImageType::Custom),
        ImageStatus::Available,
        age_days,
        vec!["ci".into()],
        Some(false),
    )
}

/// `web-` images tagged `ci`, keeping the `keep` newest.
fn keep_newest(keep: usize) -> CheckedPolicy {
    PrunePolicy {
        name_prefix: Some("web-".into()),
        tag: Some("ci".into()),
        keep_newest: Some(keep),
        ..PrunePolicy::default()
    }
    .check()
    .unwrap()
}

/// Five images, 1 (oldest) to 5 (newest): keeping one deletes 4, 3, 2, 1.
fn five() -> Vec<Image> {
    (1..=5).map(|id| web(id, 10 - id)).collect()
}

/// The verdicts on the deletions of the plan made of `before`, by `id`
/// (newest first), after the listing became `after`.
fn verdicts(policy: &CheckedPolicy, before: &[Image], after: Vec<Image>) -> Vec<(u64, Verdict)> {
    let shown = policy.plan(before, now());
    let ids: Vec<u64> = shown
        .iter()
        .filter(|p| p.action == PruneAction::Delete)
        .map(|p| p.image.id)
        .collect();
    ids.into_iter()
        .zip(recheck(policy, &shown, after, now()))
        .collect()
}

fn skip(reason: &str) -> Verdict {
    Verdict::Skip(reason.to_string())
}

#[test]
fn an_unchanged_listing_deletes_what_the_plan_deletes() {
    let policy = keep_newest(1);
    assert_eq!(
        verdicts(&policy, &five(), five()),
        [4, 3, 2, 1].map(|id| (id, Verdict::Delete))
    );
}

#[test]
fn when_the_kept_image_is_gone_the_newest_planned_deletion_is_kept() {
    let policy = keep_newest(1);
    let after: Vec<Image> = five().into_iter().filter(|i| i.id != 5).collect();
    assert_eq!(
        verdicts(&policy, &five(), after),
        [
            (
                4,
                skip("a fresh look at the images keeps it: one of the 1 newest")
            ),
            (3, Verdict::Delete),
            (2, Verdict::Delete),
            (1, Verdict::Delete),
        ]
    );
}

#[test]
fn an_image_that_appeared_since_is_not_counted_as_a_kept_copy() {
    let policy = keep_newest(2);
    // 5 (kept) is gone; 6, newer than all, appeared: 4 (kept) and 3 stay.
    let mut after: Vec<Image> = five().into_iter().filter(|i| i.id != 5).collect();
    after.push(web(6, 0));
    assert_eq!(
        verdicts(&policy, &five(), after),
        [
            (
                3,
                skip("a fresh look at the images keeps it: one of the 2 newest")
            ),
            (2, Verdict::Delete),
            (1, Verdict::Delete),
        ]
    );
}

#[test]
fn a_planned_deletion_no_longer_listed_is_already_gone() {
    let policy = keep_newest(3);
    let after: Vec<Image> = five().into_iter().filter(|i| i.id != 1).collect();
    assert_eq!(
        verdicts(&policy, &five(), after),
        [(2, Verdict::Delete), (1, Verdict::AlreadyGone)]
    );
}

#[test]
fn each_change_the_policy_reads_is_skipped_with_what_changed() {
    let policy = keep_newest(1);
    let mut after = five();
    // Oldest first: 1 to 4 are the deletions.
    after[0].name = "web-1-renamed".into();
    after[1].tags.clear();
    after[2].status = ImageStatus::Pending;
    after[3].created_at += chrono::Duration::seconds(1);
    assert_eq!(
        verdicts(&policy, &five(), after),
        [
            (4, skip("its created_at changed since the plan was made")),
            (
                3,
                skip("a fresh look at the images keeps it: import still running (pending)")
            ),
            (2, skip("no longer selected: it does not carry the tag")),
            (1, skip("renamed since the plan was made")),
        ]
    );
}

#[test]
fn an_image_made_public_or_of_another_type_is_no_longer_selected() {
    let policy = keep_newest(3);
    let mut after = five();
    after[0].public = Some(true);
    after[1].type_ = Some(ImageType::Backup);
    assert_eq!(
        verdicts(&policy, &five(), after),
        [
            (
                2,
                skip("no longer selected: it is not of a type the prune deletes")
            ),
            (1, skip("no longer selected: it is public")),
        ]
    );
}

#[test]
fn a_name_filter_that_no_longer_matches_says_which() {
    let regex = PrunePolicy {
        name_regex: Some("^web-[0-9]$".into()),
        keep_newest: Some(4),
        ..PrunePolicy::default()
    }
    .check()
    .unwrap();
    let prefix = PrunePolicy {
        name_prefix: Some("web-".into()),
        keep_newest: Some(4),
        ..PrunePolicy::default()
    }
    .check()
    .unwrap();
    // Only the name filter reads the name; the renaming check comes first,
    // so the fresh copy is checked here against the filter directly.
    let mut renamed = web(1, 9);
    renamed.name = "web-10".into();
    assert_eq!(
        regex.left_out_because(&renamed),
        Some("its name does not match the regular expression")
    );
    renamed.name = "db-1".into();
    assert_eq!(
        prefix.left_out_because(&renamed),
        Some("its name does not start with the prefix")
    );
    assert_eq!(prefix.left_out_because(&web(1, 9)), None);
}

#[test]
fn a_recent_image_past_the_age_limit_only_now_is_not_deleted() {
    // Planned a day ago, when image 1 was old enough and 2 was not: a fresh
    // look does not add 2, and still deletes 1.
    let policy = PrunePolicy {
        name_prefix: Some("web-".into()),
        older_than: Some(Duration::from_secs(5 * DAY)),
        ..PrunePolicy::default()
    }
    .check()
    .unwrap();
    let before = vec![web(1, 8), web(2, 5)];
    let shown = policy.plan(&before, now() - Duration::from_secs(DAY));
    assert_eq!(
        recheck(&policy, &shown, before.clone(), now()),
        [Verdict::Delete]
    );
}

/// Any listing, changed after the plan by removing images and setting the
/// status of others.
fn listing_and_change() -> impl Strategy<Value = (Vec<Image>, Vec<u8>)> {
    (1usize..12).prop_flat_map(|count| {
        (
            prop::collection::vec((0u64..30, any::<bool>()), count).prop_map(|ages| {
                ages.into_iter()
                    .enumerate()
                    .map(|(index, (age, failed))| {
                        let mut image = web(index as u64 + 1, age);
                        if failed {
                            image.status = ImageStatus::Deleted;
                        }
                        image
                    })
                    .collect()
            }),
            prop::collection::vec(0u8..4, count),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever vanished or changed status, deleting what both plans delete
    /// leaves at least `keep` (or all) of the selected available images
    /// still listed; and nothing is deleted that the plan did not delete.
    #[test]
    fn the_keep_count_holds_against_what_is_left(
        (before, changes) in listing_and_change(),
        keep in 1usize..4,
    ) {
        let policy = keep_newest(keep);
        let mut after = Vec::new();
        for (image, change) in before.iter().zip(&changes) {
            let mut image = image.clone();
            match change {
                0 => continue,
                1 => image.status = ImageStatus::Pending,
                _ => {}
            }
            after.push(image);
        }
        let shown = policy.plan(&before, now());
        let verdicts = recheck(&policy, &shown, after.clone(), now());
        let deletions: Vec<u64> = shown
            .iter()
            .filter(|p| p.action == PruneAction::Delete)
            .map(|p| p.image.id)
            .collect();
        prop_assert_eq!(verdicts.len(), deletions.len());
        let deleted: Vec<u64> = deletions
            .iter()
            .zip(&verdicts)
            .filter(|(_, v)| **v == Verdict::Delete)
            .map(|(id, _)| *id)
            .collect();
        let available = |images: &[Image]| {
            images
                .iter()
                .filter(|i| i.status == ImageStatus::Available)
                .count()
        };
        let left: Vec<Image> = after
            .iter()
            .filter(|i| !deleted.contains(&i.id))
            .cloned()
            .collect();
        prop_assert!(available(&left) >= keep.min(available(&after)));
        for (id, verdict) in deletions.iter().zip(&verdicts) {
            let listed = after.iter().any(|i| i.id == *id);
            prop_assert_eq!(*verdict == Verdict::AlreadyGone, !listed);
        }
    }
}
