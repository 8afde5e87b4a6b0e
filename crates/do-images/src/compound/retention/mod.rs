//! Retention: pruning the account's old images by a policy, planned first
//! ([`Prune::plan`]), then sent ([`PrunePlan::send`]). Behind the default
//! `retention` feature, which brings in `regex` for name filters.
//!
//! Built from the client's ordinary calls (listings and deletes), so it
//! keeps its request limits, retries and error reporting.
//!
//! # Prune safety rules
//!
//! - Only the account's own images are listed (`private=true`); an image the
//!   API marks public is never selected.
//! - At least one of a name prefix, a name regular expression or a tag is
//!   required, and every one given must match. A filter that selects every
//!   image is refused, however it is spelled (no filter, an empty prefix, a
//!   regular expression that matches the empty string, or filters that
//!   select every image the listing holds), unless
//!   [`Prune::select_all`] says so; [`PrunePlan::considered`] tells how
//!   many images a plan selected from. Only snapshots and custom images are considered (both by
//!   default); backups are made and removed by a Droplet's backup schedule,
//!   and the API documents DELETE for snapshots and custom images only.
//! - At least one retention rule is required: keep the N newest available
//!   images (by `created_at`), delete only what is older than a duration, or
//!   both, in which case an image is deleted only when both rules allow it.
//! - Images still importing (`NEW`, `pending`) are never deleted and do not
//!   count as kept copies. Failed imports (status `deleted`) are deleted
//!   (once older than the age limit, when one is given): they hold nothing
//!   usable and do not count as kept copies either.
//! - Just before deleting, the whole policy is applied again to a fresh
//!   listing: an image is deleted only when both the plan and the fresh
//!   plan delete it, and it still has the plan's name and `created_at`.
//!   The keep count holds against what exists then (an image the plan kept
//!   that is gone is replaced by the newest one it deleted), and images
//!   that appeared since are neither deleted nor counted as kept. Anything
//!   that changed is skipped, with what changed.

mod policy;
mod prune;
mod recheck;

#[cfg(test)]
mod plan_properties;
#[cfg(test)]
mod recheck_tests;

pub use policy::{PlannedImage, PrunableType, PruneAction, PruneReason};
pub use prune::{Prune, PrunePlan, PruneReport, PruneResult, SettledImage};
