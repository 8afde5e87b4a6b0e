//! The look again just before deleting: the policy applied, whole, to a
//! fresh listing, and what that means for each deletion the plan showed.

use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use do_images_api::types::Image;

use crate::retention::policy::{CheckedPolicy, PlannedImage, PruneAction};

/// What to do with one deletion of the shown plan after the fresh look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Both plans delete it: delete it.
    Delete,
    /// The fresh listing no longer has it.
    AlreadyGone,
    /// Something changed, so it stays; the text says what.
    Skip(String),
}

/// The verdict on each deletion of `shown` (the plan the user saw, in its
/// order), given the `listing` made just now, at `now`.
///
/// The policy plans again over the fresh copies of the images `shown`
/// selected; images that appeared since are left out, so that they are
/// neither deleted nor counted among the kept copies. An image is deleted
/// only when it is still the one the plan saw (same name and `created_at`)
/// and the fresh plan deletes it too. The keep count thereby applies to what
/// exists now: when a kept image is gone, the newest image the shown plan
/// deleted is kept in its place.
pub(crate) fn recheck(
    policy: &CheckedPolicy,
    shown: &[PlannedImage],
    listing: Vec<Image>,
    now: SystemTime,
) -> Vec<Verdict> {
    let shown_ids: HashSet<u64> = shown.iter().map(|p| p.image.id).collect();
    let current: HashMap<u64, Image> = listing
        .into_iter()
        .filter(|image| shown_ids.contains(&image.id))
        .map(|image| (image.id, image))
        .collect();
    let still_there: Vec<Image> = current.values().cloned().collect();
    let fresh: HashMap<u64, PlannedImage> = policy
        .plan(&still_there, now)
        .into_iter()
        .map(|planned| (planned.image.id, planned))
        .collect();
    shown
        .iter()
        .filter(|planned| planned.action == PruneAction::Delete)
        .map(|planned| {
            let id = planned.image.id;
            match current.get(&id) {
                None => Verdict::AlreadyGone,
                Some(now) => verdict(policy, &planned.image, now, fresh.get(&id)),
            }
        })
        .collect()
}

/// The verdict on `seen` (as the plan saw it), now `current`, which the
/// fresh plan treats as `fresh` (`None`: not selected).
fn verdict(
    policy: &CheckedPolicy,
    seen: &Image,
    current: &Image,
    fresh: Option<&PlannedImage>,
) -> Verdict {
    if current.name != seen.name {
        return Verdict::Skip("renamed since the plan was made".into());
    }
    if current.created_at != seen.created_at {
        return Verdict::Skip("its created_at changed since the plan was made".into());
    }
    match fresh {
        None => Verdict::Skip(format!(
            "no longer selected: {}",
            policy
                .left_out_because(current)
                .unwrap_or("the filters leave it out")
        )),
        Some(planned) if planned.action == PruneAction::Delete => Verdict::Delete,
        Some(planned) => Verdict::Skip(format!(
            "a fresh look at the images keeps it: {}",
            planned.reason
        )),
    }
}
