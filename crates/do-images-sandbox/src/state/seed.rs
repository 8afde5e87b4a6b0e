//! The images a sandbox starts with: deterministic for a seed, in any
//! number.

use chrono::{DateTime, Duration as TimeDelta, TimeZone, Utc};

use crate::wire::model::{Action, Category, Image, Region};
use crate::wire::regions;

/// Public images: (slug, name, distribution, category, status). Two of
/// the distributions (AlmaLinux, NixOS) are values the docs do not list.
const PUBLIC: &[(&str, &str, &str, Category, &str)] = &[
    (
        "ubuntu-24-04-x64",
        "24.04 (LTS) x64",
        "Ubuntu",
        Category::Distribution,
        "available",
    ),
    (
        "ubuntu-22-04-x64",
        "22.04 (LTS) x64",
        "Ubuntu",
        Category::Distribution,
        "available",
    ),
    (
        "debian-12-x64",
        "12 x64",
        "Debian",
        Category::Distribution,
        "available",
    ),
    (
        "fedora-40-x64",
        "40 x64",
        "Fedora",
        Category::Distribution,
        "available",
    ),
    (
        "centos-stream-9-x64",
        "9 Stream x64",
        "CentOS",
        Category::Distribution,
        "available",
    ),
    (
        "rockylinux-9-x64",
        "9 x64",
        "Rocky Linux",
        Category::Distribution,
        "available",
    ),
    (
        "almalinux-9-x64",
        "AlmaLinux 9",
        "AlmaLinux",
        Category::Distribution,
        "available",
    ),
    (
        "freebsd-14-x64-zfs",
        "14.1 zfs x64",
        "FreeBSD",
        Category::Distribution,
        "available",
    ),
    (
        "nixos-24-05-x64",
        "NixOS 24.05",
        "NixOS",
        Category::Distribution,
        "available",
    ),
    (
        "ubuntu-18-04-x64",
        "18.04 (LTS) x64",
        "Ubuntu",
        Category::Distribution,
        "retired",
    ),
    (
        "docker-20-04",
        "Docker on Ubuntu 22.04",
        "Ubuntu",
        Category::Application,
        "available",
    ),
    (
        "wordpress-22-04",
        "WordPress on Ubuntu 22.04",
        "Ubuntu",
        Category::Application,
        "available",
    ),
    (
        "lamp-22-04",
        "LAMP on Ubuntu 22.04",
        "Ubuntu",
        Category::Application,
        "available",
    ),
    (
        "nodejs-22-04",
        "Node.js on Ubuntu 22.04",
        "Ubuntu",
        Category::Application,
        "available",
    ),
    (
        "gitlab-ee-22-04",
        "GitLab EE on Ubuntu 22.04",
        "Ubuntu",
        Category::Application,
        "available",
    ),
    (
        "mongodb-7-0",
        "MongoDB 7.0 on Ubuntu 22.04",
        "Ubuntu",
        Category::Application,
        "available",
    ),
];

const PRIVATE_DISTRIBUTIONS: &[&str] = &[
    "Ubuntu",
    "Debian",
    "Fedora",
    "CentOS",
    "Rocky Linux",
    "NixOS",
    "Unknown",
];
const CUSTOM_TAGS: &[&str] = &["prod", "staging", "ci", "base-image"];
const ROLES: &[&str] = &["web", "db", "cache", "worker", "build", "edge"];

/// First id of private images: just under 2^32, so that later ones need
/// 64 bits, as real ids do.
const FIRST_PRIVATE_ID: u64 = 4_294_967_000;
const FIRST_ACTION_ID: u64 = 1_800_000_000;

/// How much further apart private images are created than the 1 to 120
/// minutes drawn for them.
const SPREAD: i64 = 24;

/// The generated data.
pub(crate) struct Seeded {
    pub images: Vec<Image>,
    pub actions: Vec<Action>,
    pub next_image_id: u64,
    pub next_action_id: u64,
}

/// Generates `count` images (public ones first, then private snapshots,
/// backups and custom images, named in series by role such as `web-` and
/// `db-`) and a completed transfer on every tenth private image. Some
/// custom images are imports that failed (`deleted` with an
/// `error_message`) and some are imports still running (`NEW` or
/// `pending`, in no region yet): a large import, which stays so for the
/// sandbox's life.
pub(crate) fn generate(count: usize, seed: u64) -> Seeded {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut clock = Utc.with_ymd_and_hms(2023, 1, 2, 9, 0, 0).unwrap();
    let mut images = Vec::with_capacity(count);
    let mut actions = Vec::new();
    for (index, entry) in PUBLIC.iter().take(count).enumerate() {
        clock += TimeDelta::hours(6);
        images.push(public_image(
            100_000_001 + index as u64,
            entry,
            clock,
            &mut rng,
        ));
    }
    let mut id = FIRST_PRIVATE_ID;
    let mut action_id = FIRST_ACTION_ID;
    for index in 0..count.saturating_sub(PUBLIC.len()) {
        id += rng.u64(1..=7);
        // From 24 minutes to 2 days apart: a series spans weeks, as the
        // images a prune keeps or deletes by age do.
        clock += TimeDelta::seconds(rng.i64(60..=7_200) * SPREAD);
        let image = private_image(id, index, clock, &mut rng);
        if index % 10 == 0 {
            action_id += rng.u64(1..=50);
            actions.push(completed_transfer(action_id, &image));
        }
        images.push(image);
    }
    Seeded {
        images,
        actions,
        next_image_id: id + 1,
        next_action_id: action_id + 1,
    }
}

fn public_image(
    id: u64,
    &(slug, name, distribution, category, status): &(&str, &str, &str, Category, &str),
    created_at: DateTime<Utc>,
    rng: &mut fastrand::Rng,
) -> Image {
    let kind = match category {
        Category::Distribution => "base",
        Category::Application => "snapshot",
    };
    Image {
        id,
        name: name.to_string(),
        kind: kind.to_string(),
        distribution: distribution.to_string(),
        slug: Some(slug.to_string()),
        public: true,
        regions: regions::SEEDED.iter().map(|r| r.to_string()).collect(),
        created_at,
        min_disk_size: Some(rng.u64(7..=25)),
        size_gigabytes: Some(f64::from(rng.u32(150..=900)) / 100.0),
        description: format!("{name}, maintained by DigitalOcean"),
        tags: Vec::new(),
        status: status.to_string(),
        error_message: String::new(),
        category: Some(category),
        owner: None,
    }
}

fn private_image(
    id: u64,
    index: usize,
    created_at: DateTime<Utc>,
    rng: &mut fastrand::Rng,
) -> Image {
    let role = ROLES[rng.usize(..ROLES.len())];
    let (kind, tags, description) = match index % 4 {
        0 | 1 => ("snapshot", vec![role.to_string()], String::new()),
        2 => ("backup", Vec::new(), String::new()),
        _ => (
            "custom",
            pick_tags(rng),
            format!("{role} image built by CI run {}", 1_000 + index),
        ),
    };
    let mut image = Image {
        id,
        name: format!("{role}-{index:06}-{kind}"),
        kind: kind.to_string(),
        distribution: PRIVATE_DISTRIBUTIONS[rng.usize(..PRIVATE_DISTRIBUTIONS.len())].to_string(),
        slug: None,
        public: false,
        regions: pick_regions(rng),
        created_at,
        min_disk_size: Some(rng.u64(10..=80)),
        size_gigabytes: Some(f64::from(rng.u32(50..=8_000)) / 100.0),
        description,
        tags,
        status: "available".to_string(),
        error_message: String::new(),
        category: None,
        owner: None,
    };
    if kind == "custom" {
        match index % 24 {
            3 | 19 => {
                image.status = "deleted".into();
                image.regions.clear();
                image.error_message =
                    "The image could not be downloaded: the server answered 404 Not Found.".into();
            }
            7 | 11 => {
                image.status = if index % 24 == 7 { "NEW" } else { "pending" }.into();
                image.regions.clear();
                image.min_disk_size = None;
                image.size_gigabytes = None;
            }
            _ => {}
        }
    }
    image
}

fn pick_regions(rng: &mut fastrand::Rng) -> Vec<String> {
    let mut picked: Vec<String> = Vec::new();
    for _ in 0..rng.usize(1..=3) {
        let region = regions::SEEDED[rng.usize(..regions::SEEDED.len())];
        if !picked.iter().any(|r| r == region) {
            picked.push(region.to_string());
        }
    }
    picked
}

fn pick_tags(rng: &mut fastrand::Rng) -> Vec<String> {
    CUSTOM_TAGS
        .iter()
        .filter(|_| rng.bool())
        .map(|tag| tag.to_string())
        .collect()
}

fn completed_transfer(id: u64, image: &Image) -> Action {
    let region = image
        .regions
        .last()
        .cloned()
        .unwrap_or_else(|| "nyc3".into());
    let started_at = image.created_at + TimeDelta::hours(1);
    Action {
        id,
        status: "completed".into(),
        kind: "transfer".into(),
        started_at,
        completed_at: Some(started_at + TimeDelta::minutes(4)),
        resource_id: Some(image.id),
        resource_type: "image",
        region: Region::from_slug(&region),
        region_slug: Some(region),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data() {
        let a = generate(500, 9);
        let b = generate(500, 9);
        let names = |s: &Seeded| {
            s.images
                .iter()
                .map(|i| (i.id, i.name.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&generate(500, 10)));
    }

    #[test]
    fn ids_are_unique_and_cross_32_bits() {
        let seeded = generate(2_000, 1);
        assert_eq!(seeded.images.len(), 2_000);
        let mut ids: Vec<u64> = seeded.images.iter().map(|i| i.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 2_000, "ids are increasing and unique");
        assert!(ids.iter().any(|&id| id > u64::from(u32::MAX)));
        assert!(seeded.next_image_id > *ids.last().unwrap());
    }

    #[test]
    fn small_counts_take_public_images_first() {
        let seeded = generate(3, 1);
        assert_eq!(seeded.images.len(), 3);
        assert!(seeded.images.iter().all(|i| i.public && i.slug.is_some()));
    }
}
