//! What a prune selects and keeps: a pure function of a listing, a policy
//! and the time.

use std::cmp::Reverse;
use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, SystemTime};

use do_images_api::open_enums::{ImageStatus, ImageType};
use do_images_api::types::Image;
use regex::Regex;

use crate::error::{Error, Result};

/// The image types a prune may delete. Backups are left out on purpose:
/// a Droplet's backup schedule makes and removes them, and the API
/// documents deletion for snapshots and custom images only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrunableType {
    /// A snapshot of a Droplet or volume.
    Snapshot,
    /// An imported custom image.
    Custom,
}

impl PrunableType {
    fn matches(self, kind: &ImageType) -> bool {
        matches!(
            (self, kind),
            (Self::Snapshot, ImageType::Snapshot) | (Self::Custom, ImageType::Custom)
        )
    }
}

/// What the plan does with one image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PruneAction {
    /// The image is deleted when the plan runs.
    Delete,
    /// The image stays.
    Keep,
}

/// Why the plan deletes or keeps an image.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PruneReason {
    /// Kept: one of the `keep` newest available images.
    Newest {
        /// How many newest images are kept.
        keep: usize,
    },
    /// Kept: not older than the age limit.
    Recent {
        /// The age limit.
        older_than: Duration,
    },
    /// Kept: its import is still running (`NEW` or `pending`).
    Importing {
        /// The status the listing showed.
        status: String,
    },
    /// Kept: a status a prune leaves alone (anything but `available`,
    /// `deleted` and an import in progress).
    OtherStatus {
        /// The status the listing showed.
        status: String,
    },
    /// Deleted: not among the `keep` newest (no age limit given).
    Surplus {
        /// How many newest images are kept.
        keep: usize,
    },
    /// Deleted: older than the age limit (no count given).
    Expired {
        /// The age limit.
        older_than: Duration,
    },
    /// Deleted: not among the `keep` newest, and older than the age limit.
    SurplusAndExpired {
        /// How many newest images are kept.
        keep: usize,
        /// The age limit.
        older_than: Duration,
    },
    /// Deleted: a failed import (status `deleted`), past the age limit when
    /// one is given.
    FailedImport,
}

impl fmt::Display for PruneReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Newest { keep } => write!(f, "one of the {keep} newest"),
            Self::Recent { older_than } => {
                write!(f, "not older than {}", DurationText(*older_than))
            }
            Self::Importing { status } => write!(f, "import still running ({status})"),
            Self::OtherStatus { status } => write!(f, "status {status} is left alone"),
            Self::Surplus { keep } => write!(f, "not among the {keep} newest"),
            Self::Expired { older_than } => write!(f, "older than {}", DurationText(*older_than)),
            Self::SurplusAndExpired { keep, older_than } => write!(
                f,
                "not among the {keep} newest and older than {}",
                DurationText(*older_than)
            ),
            Self::FailedImport => f.write_str("failed import"),
        }
    }
}

/// A duration as days, hours, minutes and seconds: `30d`, `1d12h`, `90s`.
pub struct DurationText(pub Duration);

impl fmt::Display for DurationText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut seconds = self.0.as_secs();
        if seconds == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
            if seconds >= size {
                write!(f, "{}{unit}", seconds / size)?;
                seconds %= size;
            }
        }
        Ok(())
    }
}

/// One image of a plan: what happens to it and why.
#[derive(Clone, Debug)]
pub struct PlannedImage {
    /// The image as the listing showed it.
    pub image: Image,
    /// Delete or keep.
    pub action: PruneAction,
    /// Why.
    pub reason: PruneReason,
    /// How old the image was when the plan was made.
    pub age: Duration,
}

/// Which images a prune looks at, and which of them it keeps.
#[derive(Clone, Debug, Default)]
pub(crate) struct PrunePolicy {
    pub(crate) name_prefix: Option<String>,
    pub(crate) name_regex: Option<String>,
    pub(crate) tag: Option<String>,
    pub(crate) types: Vec<PrunableType>,
    pub(crate) keep_newest: Option<usize>,
    pub(crate) older_than: Option<Duration>,
    pub(crate) select_all: bool,
}

/// The retention rules given: at least one.
#[derive(Clone, Copy, Debug)]
enum Retention {
    Keep(usize),
    OlderThan(Duration),
    Both(usize, Duration),
}

/// A policy whose arguments passed the checks.
#[derive(Clone, Debug)]
pub(crate) struct CheckedPolicy {
    policy: PrunePolicy,
    regex: Option<Regex>,
    types: Vec<PrunableType>,
    retention: Retention,
}

impl PrunePolicy {
    /// Checks the arguments: at least one name or tag filter, no filter
    /// that selects every image (an empty prefix, a regular expression that
    /// matches the empty string) unless the policy says select-all, a regular expression that compiles, at least one retention
    /// rule.
    pub(crate) fn check(&self) -> Result<CheckedPolicy> {
        if self.name_prefix.is_none()
            && self.name_regex.is_none()
            && self.tag.is_none()
            && !self.select_all
        {
            return Err(Error::invalid(
                "prune filter",
                "no name prefix, name regex or tag was given, which would select every image",
                "at least one of a name prefix, a name regular expression or a tag, or the explicit select-all option",
            ));
        }
        if self.name_prefix.as_deref() == Some("") && !self.select_all {
            return Err(Error::invalid(
                "name prefix",
                "the prefix is empty, which matches every name",
                "a non-empty prefix such as web-, or the explicit select-all option",
            ));
        }
        if self.tag.as_deref().is_some_and(|t| t.trim().is_empty()) {
            return Err(Error::invalid(
                "tag",
                "the tag name is empty",
                "a non-empty tag name",
            ));
        }
        let regex = match &self.name_regex {
            Some(pattern) => Some(Regex::new(pattern).map_err(|e| {
                Error::invalid(
                    "name regex",
                    format!("it does not compile: {e}"),
                    "a regular expression in the syntax of the regex crate, such as ^web-[0-9]+$",
                )
            })?),
            None => None,
        };
        if regex.as_ref().is_some_and(|r| r.is_match("")) && !self.select_all {
            return Err(Error::invalid(
                "name regex",
                "it matches the empty string, so it matches every name",
                "a regular expression that some names fail, such as ^web-[0-9]+$, or the explicit select-all option",
            ));
        }
        let retention = match (self.keep_newest, self.older_than) {
            (Some(keep), Some(older_than)) => Retention::Both(keep, older_than),
            (Some(keep), None) => Retention::Keep(keep),
            (None, Some(older_than)) => Retention::OlderThan(older_than),
            (None, None) => {
                return Err(Error::invalid(
                    "retention",
                    "neither a number of images to keep nor an age limit was given",
                    "keep_newest(N), older_than(duration), or both",
                ));
            }
        };
        let mut types = if self.types.is_empty() {
            vec![PrunableType::Snapshot, PrunableType::Custom]
        } else {
            self.types.clone()
        };
        types.sort();
        types.dedup();
        Ok(CheckedPolicy {
            policy: self.clone(),
            regex,
            types,
            retention,
        })
    }
}

impl CheckedPolicy {
    /// Whether the prune considers `image` at all: the account's own, of a
    /// prunable type.
    pub(crate) fn considers(&self, image: &Image) -> bool {
        image.public != Some(true)
            && image
                .type_
                .as_ref()
                .is_some_and(|kind| self.types.iter().any(|t| t.matches(kind)))
    }

    /// Why the filters leave `image` out, or `None` when they select it: it
    /// must be considered and match every name and tag filter given.
    pub(crate) fn left_out_because(&self, image: &Image) -> Option<&'static str> {
        let policy = &self.policy;
        if image.public == Some(true) {
            Some("it is public")
        } else if !self.considers(image) {
            Some("it is not of a type the prune deletes")
        } else if !policy
            .name_prefix
            .as_deref()
            .is_none_or(|prefix| image.name.starts_with(prefix))
        {
            Some("its name does not start with the prefix")
        } else if !self.regex.as_ref().is_none_or(|r| r.is_match(&image.name)) {
            Some("its name does not match the regular expression")
        } else if !policy
            .tag
            .as_deref()
            .is_none_or(|tag| image.tags.iter().any(|t| t == tag))
        {
            Some("it does not carry the tag")
        } else {
            None
        }
    }

    /// Whether the filters select `image`.
    pub(crate) fn selects(&self, image: &Image) -> bool {
        self.left_out_because(image).is_none()
    }

    /// How many distinct images of `images` the prune considers (see
    /// [`considers`](Self::considers)): what a selection is out of.
    pub(crate) fn considered(&self, images: &[Image]) -> usize {
        let ids: HashSet<u64> = images
            .iter()
            .filter(|i| self.considers(i))
            .map(|i| i.id)
            .collect();
        ids.len()
    }

    /// Refuses a selection of every one of the `considered` images (at
    /// least one) unless the policy says select-all.
    pub(crate) fn check_selection(&self, selected: usize, considered: usize) -> Result<()> {
        if considered > 0 && selected >= considered && !self.policy.select_all {
            return Err(Error::SelectsEverything { considered });
        }
        Ok(())
    }

    /// The plan for `images` at wall-clock time `now`: every selected image,
    /// newest first (ties broken by id, highest first), with what happens
    /// to it and why. The same listing gives the same plan, in whatever
    /// order it came.
    pub(crate) fn plan(&self, images: &[Image], now: SystemTime) -> Vec<PlannedImage> {
        let mut selected: Vec<&Image> = images.iter().filter(|i| self.selects(i)).collect();
        selected.sort_by_key(|i| (Reverse(i.created_at), Reverse(i.id)));
        selected.dedup_by_key(|i| i.id);
        let mut available = 0;
        selected
            .into_iter()
            .map(|image| {
                let age = now
                    .duration_since(SystemTime::from(image.created_at))
                    .unwrap_or_default();
                let (action, reason) = match &image.status {
                    ImageStatus::Available => {
                        let rank = available;
                        available += 1;
                        self.retention(rank, age)
                    }
                    ImageStatus::Deleted => self.failed_import(age),
                    ImageStatus::New | ImageStatus::Pending => (
                        PruneAction::Keep,
                        PruneReason::Importing {
                            status: image.status.to_string(),
                        },
                    ),
                    other => (
                        PruneAction::Keep,
                        PruneReason::OtherStatus {
                            status: other.to_string(),
                        },
                    ),
                };
                PlannedImage {
                    image: image.clone(),
                    action,
                    reason,
                    age,
                }
            })
            .collect()
    }

    /// An available image, the `rank`-th newest (from 0), `age` old: deleted
    /// only when every rule given allows it.
    fn retention(&self, rank: usize, age: Duration) -> (PruneAction, PruneReason) {
        let newest = |keep: usize| rank < keep;
        let recent = |older_than: Duration| age <= older_than;
        let (kept, reason) = match self.retention {
            Retention::Keep(keep) if newest(keep) => (true, PruneReason::Newest { keep }),
            Retention::Keep(keep) => (false, PruneReason::Surplus { keep }),
            Retention::OlderThan(older_than) if recent(older_than) => {
                (true, PruneReason::Recent { older_than })
            }
            Retention::OlderThan(older_than) => (false, PruneReason::Expired { older_than }),
            Retention::Both(keep, _) if newest(keep) => (true, PruneReason::Newest { keep }),
            Retention::Both(_, older_than) if recent(older_than) => {
                (true, PruneReason::Recent { older_than })
            }
            Retention::Both(keep, older_than) => {
                (false, PruneReason::SurplusAndExpired { keep, older_than })
            }
        };
        let action = if kept {
            PruneAction::Keep
        } else {
            PruneAction::Delete
        };
        (action, reason)
    }

    /// A failed import, `age` old.
    fn failed_import(&self, age: Duration) -> (PruneAction, PruneReason) {
        match self.policy.older_than.filter(|limit| age <= *limit) {
            Some(older_than) => (PruneAction::Keep, PruneReason::Recent { older_than }),
            None => (PruneAction::Delete, PruneReason::FailedImport),
        }
    }
}
