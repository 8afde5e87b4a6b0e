//! Properties of prune planning over arbitrary listings and policies.

use std::time::{Duration, SystemTime};

use do_images_api::open_enums::{ImageStatus, ImageType};
use do_images_api::types::Image;
use proptest::prelude::*;

use super::policy::{PrunableType, PruneAction, PrunePolicy, PruneReason};

pub(super) const NOW: u64 = 1_800_000_000;
pub(super) const DAY: u64 = 86_400;

/// An image of `kind` and `status`, `age_days` old at [`NOW`].
pub(super) fn image(
    id: u64,
    name: &str,
    kind: Option<ImageType>,
    status: ImageStatus,
    age_days: u64,
    tags: Vec<String>,
    public: Option<bool>,
) -> Image {
    Image::builder()
        .id(id)
        .name(name)
        .distribution("Ubuntu")
        .regions(Vec::<do_images_api::open_enums::RegionSlug>::new())
        .status(status)
        .type_(kind)
        .created_at(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW - age_days * DAY))
        .description("")
        .error_message("")
        .tags(tags)
        .public(public)
        .try_into()
        .expect("every required field is set")
}

fn any_image() -> impl Strategy<Value = Image> {
    (
        1u64..40,
        prop::sample::select(vec!["web-1", "web-2", "web-", "db-1", "webby", "x-web-1"]),
        prop::sample::select(vec![
            Some(ImageType::Snapshot),
            Some(ImageType::Custom),
            Some(ImageType::Backup),
            Some(ImageType::Base),
            None,
        ]),
        prop::sample::select(vec![
            ImageStatus::Available,
            ImageStatus::New,
            ImageStatus::Pending,
            ImageStatus::Deleted,
            ImageStatus::Retired,
        ]),
        0u64..60,
        prop::sample::subsequence(vec!["ci".to_string(), "keep".to_string()], 0..=2),
        prop::sample::select(vec![None, Some(false), Some(true)]),
    )
        .prop_map(|(id, name, kind, status, age, tags, public)| {
            image(id, name, kind, status, age, tags, public)
        })
}

fn any_policy() -> impl Strategy<Value = PrunePolicy> {
    (
        prop::option::of(prop::sample::select(vec!["web-", "db-", "w"])),
        prop::option::of(prop::sample::select(vec!["^web-[0-9]$", "1", "b"])),
        prop::option::of(prop::sample::select(vec!["ci", "keep"])),
        prop::sample::subsequence(vec![PrunableType::Snapshot, PrunableType::Custom], 0..=2),
        prop::option::of(0usize..6),
        prop::option::of((0u64..40).prop_map(|days| Duration::from_secs(days * DAY))),
    )
        .prop_filter("a valid policy", |(prefix, regex, tag, _, keep, age)| {
            (prefix.is_some() || regex.is_some() || tag.is_some())
                && (keep.is_some() || age.is_some())
        })
        .prop_map(|(prefix, regex, tag, types, keep, age)| PrunePolicy {
            name_prefix: prefix.map(str::to_string),
            name_regex: regex.map(str::to_string),
            tag: tag.map(str::to_string),
            types,
            keep_newest: keep,
            older_than: age,
            select_all: false,
        })
}

/// Whether `image` passes every filter of `policy`, written out apart from
/// the planner.
fn matches(policy: &PrunePolicy, image: &Image) -> bool {
    let types = if policy.types.is_empty() {
        vec![PrunableType::Snapshot, PrunableType::Custom]
    } else {
        policy.types.clone()
    };
    let kind_ok = match &image.type_ {
        Some(ImageType::Snapshot) => types.contains(&PrunableType::Snapshot),
        Some(ImageType::Custom) => types.contains(&PrunableType::Custom),
        _ => false,
    };
    kind_ok
        && image.public != Some(true)
        && policy
            .name_prefix
            .as_ref()
            .is_none_or(|p| image.name.starts_with(p.as_str()))
        && policy
            .name_regex
            .as_ref()
            .is_none_or(|r| regex::Regex::new(r).unwrap().is_match(&image.name))
        && policy.tag.as_ref().is_none_or(|t| image.tags.contains(t))
}

fn unique_ids(mut images: Vec<Image>) -> Vec<Image> {
    let mut seen = std::collections::HashSet::new();
    images.retain(|i| seen.insert(i.id));
    images
}

/// [`NOW`] as a time.
pub(super) fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_selects_outside_the_filters(
        images in prop::collection::vec(any_image(), 0..30).prop_map(unique_ids),
        policy in any_policy(),
    ) {
        let plan = policy.check().unwrap().plan(&images, now());
        for planned in &plan {
            prop_assert!(matches(&policy, &planned.image), "{:?}", planned.image);
        }
        let expected = images.iter().filter(|i| matches(&policy, i)).count();
        prop_assert_eq!(plan.len(), expected);
    }

    #[test]
    fn keeps_the_newest_available_and_never_deletes_imports(
        images in prop::collection::vec(any_image(), 0..30).prop_map(unique_ids),
        policy in any_policy(),
    ) {
        let plan = policy.check().unwrap().plan(&images, now());
        for pair in plan.windows(2) {
            prop_assert!(
                (pair[0].image.created_at, pair[0].image.id)
                    >= (pair[1].image.created_at, pair[1].image.id)
            );
        }
        let available: Vec<_> = plan
            .iter()
            .filter(|p| p.image.status == ImageStatus::Available)
            .collect();
        if let Some(keep) = policy.keep_newest {
            for planned in available.iter().take(keep) {
                prop_assert_eq!(planned.action, PruneAction::Keep);
            }
        }
        for planned in &plan {
            let deletable = matches!(
                planned.image.status,
                ImageStatus::Available | ImageStatus::Deleted
            );
            if !deletable {
                prop_assert_eq!(planned.action, PruneAction::Keep);
            }
            if let (PruneAction::Delete, Some(limit)) = (planned.action, policy.older_than) {
                prop_assert!(planned.age > limit);
            }
        }
        // Without an age limit, exactly the surplus available images go.
        if let (Some(keep), None) = (policy.keep_newest, policy.older_than) {
            let deleted = available
                .iter()
                .filter(|p| p.action == PruneAction::Delete)
                .count();
            prop_assert_eq!(deleted, available.len().saturating_sub(keep));
        }
        // Without a count, exactly the available images past the age limit go.
        if let (None, Some(limit)) = (policy.keep_newest, policy.older_than) {
            for planned in &available {
                let expected = if planned.age > limit {
                    PruneAction::Delete
                } else {
                    PruneAction::Keep
                };
                prop_assert_eq!(planned.action, expected, "{:?}", planned);
            }
        }
    }

    #[test]
    fn planning_twice_or_in_another_order_gives_the_same_plan(
        images in prop::collection::vec(any_image(), 0..30).prop_map(unique_ids),
        policy in any_policy(),
        seed in any::<u64>(),
    ) {
        let checked = policy.check().unwrap();
        let first = checked.plan(&images, now());
        let second = checked.plan(&images, now());
        let mut shuffled = images.clone();
        fastrand::Rng::with_seed(seed).shuffle(&mut shuffled);
        let third = checked.plan(&shuffled, now());
        let summary = |plan: &[super::PlannedImage]| {
            plan.iter()
                .map(|p| (p.image.id, p.action, p.reason.clone()))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(summary(&first), summary(&second));
        prop_assert_eq!(summary(&first), summary(&third));
    }
}

#[test]
fn a_policy_without_filter_or_retention_is_refused() {
    let no_filter = PrunePolicy {
        keep_newest: Some(2),
        ..PrunePolicy::default()
    };
    let error = no_filter.check().err().unwrap().to_string();
    assert!(error.contains("name prefix, name regex or tag"), "{error}");
    let no_retention = PrunePolicy {
        name_prefix: Some("web-".into()),
        ..PrunePolicy::default()
    };
    let error = no_retention.check().err().unwrap().to_string();
    assert!(
        error.contains("keep_newest(N), older_than(duration)"),
        "{error}"
    );
    let bad_regex = PrunePolicy {
        name_regex: Some("web-(".into()),
        keep_newest: Some(2),
        ..PrunePolicy::default()
    };
    let error = bad_regex.check().err().unwrap().to_string();
    assert!(error.contains("does not compile"), "{error}");
    let empty_prefix = PrunePolicy {
        name_prefix: Some(String::new()),
        keep_newest: Some(2),
        ..PrunePolicy::default()
    };
    let error = empty_prefix.check().err().unwrap().to_string();
    assert!(error.contains("matches every name"), "{error}");
}

#[test]
fn a_filter_that_selects_every_name_needs_select_all() {
    let refused = |policy: &PrunePolicy| {
        let error = policy.check().expect_err("refused").to_string();
        assert!(error.contains("select-all"), "{error}");
        error
    };
    for pattern in ["", ".*", "(a*)*$", "x?", "^"] {
        let mut policy = PrunePolicy {
            name_regex: Some(pattern.into()),
            keep_newest: Some(2),
            ..PrunePolicy::default()
        };
        let error = refused(&policy);
        assert!(
            error.contains("matches the empty string"),
            "{pattern}: {error}"
        );
        policy.select_all = true;
        assert!(policy.check().is_ok(), "{pattern} with select-all");
    }
    for pattern in ["^web-", "a+", "."] {
        let policy = PrunePolicy {
            name_regex: Some(pattern.into()),
            keep_newest: Some(2),
            ..PrunePolicy::default()
        };
        assert!(policy.check().is_ok(), "{pattern}");
    }
    let mut empty_prefix = PrunePolicy {
        name_prefix: Some(String::new()),
        keep_newest: Some(2),
        ..PrunePolicy::default()
    };
    refused(&empty_prefix);
    empty_prefix.select_all = true;
    assert!(empty_prefix.check().is_ok());
    let mut no_filter = PrunePolicy {
        keep_newest: Some(2),
        ..PrunePolicy::default()
    };
    refused(&no_filter);
    no_filter.select_all = true;
    let everything = no_filter.check().unwrap();
    let web =
        |id, kind, public| image(id, "web-1", kind, ImageStatus::Available, 1, vec![], public);
    assert!(everything.selects(&web(1, Some(ImageType::Snapshot), Some(false))));
    assert!(!everything.selects(&web(2, Some(ImageType::Backup), None)));
    assert!(!everything.selects(&web(3, Some(ImageType::Custom), Some(true))));
}

#[test]
fn a_selection_of_every_considered_image_needs_select_all() {
    let mut policy = PrunePolicy {
        tag: Some("ci".into()),
        keep_newest: Some(1),
        ..PrunePolicy::default()
    };
    let listing = |ci: &[bool]| -> Vec<Image> {
        let mut images: Vec<Image> = ci
            .iter()
            .enumerate()
            .map(|(id, ci)| {
                let tags = if *ci { vec!["ci".to_string()] } else { vec![] };
                image(
                    id as u64,
                    "web",
                    Some(ImageType::Custom),
                    ImageStatus::Available,
                    1,
                    tags,
                    None,
                )
            })
            .collect();
        // Neither public images, backups, nor a repeated id count.
        images.push(image(
            90,
            "web",
            Some(ImageType::Custom),
            ImageStatus::Available,
            1,
            vec![],
            Some(true),
        ));
        images.push(image(
            91,
            "web",
            Some(ImageType::Backup),
            ImageStatus::Available,
            1,
            vec![],
            None,
        ));
        images.extend(images.first().cloned());
        images
    };
    let checked = policy.check().unwrap();
    let some = listing(&[true, false, true]);
    assert_eq!(checked.considered(&some), 3);
    assert_eq!(checked.plan(&some, now()).len(), 2);
    assert!(checked.check_selection(2, 3).is_ok());
    assert!(checked.check_selection(0, 0).is_ok());
    let all = listing(&[true, true]);
    assert_eq!(checked.considered(&all), 2);
    let error = checked.check_selection(2, 2).unwrap_err();
    assert!(
        matches!(error, crate::Error::SelectsEverything { considered: 2 }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("select all 2 of the images"),
        "{error}"
    );
    assert!(checked.check_selection(1, 1).is_err());
    policy.select_all = true;
    assert!(policy.check().unwrap().check_selection(2, 2).is_ok());
}

#[test]
fn failed_imports_go_once_old_enough_and_reasons_read_well() {
    let policy = PrunePolicy {
        name_prefix: Some("web-".into()),
        keep_newest: Some(1),
        older_than: Some(Duration::from_secs(10 * DAY)),
        ..PrunePolicy::default()
    };
    let custom = Some(ImageType::Custom);
    let images = vec![
        image(
            1,
            "web-1",
            custom.clone(),
            ImageStatus::Available,
            30,
            vec![],
            None,
        ),
        image(
            2,
            "web-2",
            custom.clone(),
            ImageStatus::Available,
            20,
            vec![],
            None,
        ),
        image(
            3,
            "web-3",
            custom.clone(),
            ImageStatus::Available,
            5,
            vec![],
            None,
        ),
        image(
            4,
            "web-4",
            custom.clone(),
            ImageStatus::Deleted,
            15,
            vec![],
            None,
        ),
        image(
            5,
            "web-5",
            custom.clone(),
            ImageStatus::Deleted,
            2,
            vec![],
            None,
        ),
        image(
            6,
            "web-6",
            custom.clone(),
            ImageStatus::Pending,
            1,
            vec![],
            None,
        ),
        image(7, "web-7", custom, ImageStatus::New, 40, vec![], None),
    ];
    let plan = policy.check().unwrap().plan(&images, now());
    let shown: Vec<(u64, PruneAction, String)> = plan
        .iter()
        .map(|p| (p.image.id, p.action, p.reason.to_string()))
        .collect();
    use PruneAction::{Delete, Keep};
    assert_eq!(
        shown,
        vec![
            (6, Keep, "import still running (pending)".to_string()),
            (5, Keep, "not older than 10d".to_string()),
            (3, Keep, "one of the 1 newest".to_string()),
            (4, Delete, "failed import".to_string()),
            (
                2,
                Delete,
                "not among the 1 newest and older than 10d".to_string()
            ),
            (
                1,
                Delete,
                "not among the 1 newest and older than 10d".to_string()
            ),
            (7, Keep, "import still running (NEW)".to_string()),
        ]
    );
    assert!(matches!(plan[2].reason, PruneReason::Newest { keep: 1 }));
}
