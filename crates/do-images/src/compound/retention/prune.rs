//! Pruning: a plan from one listing, then concurrent, idempotent deletes of
//! what a fresh look at the images still deletes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use do_images_api::types::Image;
use futures::StreamExt;

use crate::Progress;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::images::Images;
use crate::retention::policy::{
    CheckedPolicy, PlannedImage, PrunableType, PruneAction, PrunePolicy,
};
use crate::retention::recheck::{Verdict, recheck};

/// How many deletes a prune has in flight by default; the client's request
/// limits still apply to each of them.
const DEFAULT_CONCURRENCY: usize = 8;

type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// A prune of the account's images, from
/// [`Images::prune`](crate::Images::prune): set the filters and retention
/// rules, then [`plan`](Self::plan). See [the safety
/// rules](crate::retention#prune-safety-rules). Like every change the
/// client makes, the deletes happen at a [`send`](PrunePlan::send): the plan
/// before it is what a dry run shows.
///
/// ```no_run
/// # async fn example(client: do_images::Client) -> do_images::Result<()> {
/// use std::time::Duration;
/// use do_images::retention::PruneAction;
///
/// let plan = client
///     .images()
///     .prune()
///     .name_prefix("web-")
///     .keep_newest(12)
///     .older_than(Duration::from_secs(30 * 24 * 3600))
///     .plan()
///     .await?;
/// for planned in plan.images() {
///     println!("{:?} {} {}: {}", planned.action, planned.image.id, planned.image.name, planned.reason);
/// }
/// let report = plan.send().await?;
/// assert!(report.all_deleted(), "{:?}", report.failures().collect::<Vec<_>>());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Prune {
    client: Client,
    policy: PrunePolicy,
    concurrency: usize,
    progress: Option<ProgressFn>,
}

impl fmt::Debug for Prune {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prune")
            .field("policy", &self.policy)
            .field("concurrency", &self.concurrency)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl Images {
    /// Plans and runs the deletion of old images by a retention policy;
    /// see [`Prune`] and [the safety rules](crate::retention#prune-safety-rules).
    #[cfg_attr(docsrs, doc(cfg(feature = "retention")))]
    pub fn prune(&self) -> Prune {
        Prune {
            client: self.client.clone(),
            policy: PrunePolicy::default(),
            concurrency: DEFAULT_CONCURRENCY,
            progress: None,
        }
    }
}

impl Prune {
    /// Only images whose name starts with `prefix`.
    pub fn name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.policy.name_prefix = Some(prefix.into());
        self
    }

    /// Only images whose name matches the regular expression `pattern`
    /// (the regex crate's syntax; unanchored unless it says `^`/`$`).
    pub fn name_regex(mut self, pattern: impl Into<String>) -> Self {
        self.policy.name_regex = Some(pattern.into());
        self
    }

    /// Only images that carry tag `name`.
    pub fn tag(mut self, name: impl Into<String>) -> Self {
        self.policy.tag = Some(name.into());
        self
    }

    /// Only images of these types (default: snapshots and custom images).
    pub fn types(mut self, types: impl IntoIterator<Item = PrunableType>) -> Self {
        self.policy.types = types.into_iter().collect();
        self
    }

    /// Whether the filters may select every image the prune considers (the
    /// account's own images of the types given). Without it (the default),
    /// no filter at all, an empty name prefix, or a regular expression that
    /// matches the empty string is refused before anything is sent, and a
    /// plan whose filters select every one of the listed images is refused
    /// after the listing.
    pub fn select_all(mut self, everything: bool) -> Self {
        self.policy.select_all = everything;
        self
    }

    /// Keeps the `count` newest available images (by `created_at`).
    pub fn keep_newest(mut self, count: usize) -> Self {
        self.policy.keep_newest = Some(count);
        self
    }

    /// Deletes only images older than `age`.
    pub fn older_than(mut self, age: Duration) -> Self {
        self.policy.older_than = Some(age);
        self
    }

    /// How many deletes may be in flight at once (default 8, at least 1).
    pub fn concurrency(mut self, deletes: usize) -> Self {
        self.concurrency = deletes;
        self
    }

    /// Called after each image the plan deletes is settled, with
    /// [`Progress::ImageSettled`].
    pub fn on_progress(mut self, callback: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Checks the arguments without sending anything (what
    /// [`plan`](Self::plan) checks first).
    pub fn check(&self) -> Result<()> {
        self.checked().map(drop)
    }

    /// The checked policy, once the concurrency is checked too.
    fn checked(&self) -> Result<CheckedPolicy> {
        let policy = self.policy.check()?;
        if self.concurrency == 0 {
            return Err(Error::invalid(
                "concurrency",
                "0 deletes in flight would never finish",
                "at least 1",
            ));
        }
        Ok(policy)
    }

    /// Lists the account's own images and plans what to delete: every
    /// selected image, newest first, with its action and the reason.
    /// Nothing is deleted yet. A plan whose filters select every image the
    /// prune considers is refused ([`Error::SelectsEverything`]) unless
    /// [`select_all`](Self::select_all) says so.
    pub async fn plan(self) -> Result<PrunePlan> {
        let policy = self.checked()?;
        let listing = own_images(&self.client).await?;
        let now = self.client.executor().clock.system_now();
        let images = policy.plan(&listing, now);
        let considered = policy.considered(&listing);
        policy.check_selection(images.len(), considered)?;
        Ok(PrunePlan {
            client: self.client,
            policy,
            images,
            considered,
            concurrency: self.concurrency,
            progress: self.progress,
        })
    }
}

/// Every image of the account (`private=true`).
async fn own_images(client: &Client) -> Result<Vec<Image>> {
    client
        .images()
        .list()
        .private(true)
        .per_page(200)
        .collect_all()
        .await
}

/// What a prune would do, from [`Prune::plan`]: run it with
/// [`send`](Self::send), or show it and drop it (a dry run).
#[derive(Clone)]
pub struct PrunePlan {
    client: Client,
    policy: CheckedPolicy,
    images: Vec<PlannedImage>,
    considered: usize,
    concurrency: usize,
    progress: Option<ProgressFn>,
}

impl fmt::Debug for PrunePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrunePlan")
            .field("policy", &self.policy)
            .field("images", &self.images)
            .field("considered", &self.considered)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl PrunePlan {
    /// Every selected image, newest first, with its action and reason.
    pub fn images(&self) -> &[PlannedImage] {
        &self.images
    }

    /// How many images the prune considered: the account's own images of
    /// the types it looks at, in the listing the plan was made from. The
    /// plan selects [`images`](Self::images)`().len()` of them.
    pub fn considered(&self) -> usize {
        self.considered
    }

    /// The images the plan deletes.
    pub fn deletions(&self) -> impl Iterator<Item = &PlannedImage> {
        self.images
            .iter()
            .filter(|p| p.action == PruneAction::Delete)
    }

    /// Deletes what the plan deletes and a fresh look still deletes.
    ///
    /// A fresh listing is made first and the whole policy (filters, status,
    /// type, public, keep count, age) is applied again to the current copies
    /// of the images this plan selected; images that appeared since are
    /// neither deleted nor counted as kept. An image is deleted only when it
    /// still has the name and `created_at` the plan saw and both plans
    /// delete it, so the keep count holds against what exists now: when an
    /// image the plan kept is gone, the newest one it deleted is kept
    /// instead. Anything else is [`PruneResult::Skipped`] with what changed,
    /// and an image no longer listed counts as already gone.
    ///
    /// Deletes then run concurrently inside the client's request limits; an
    /// image already deleted is a success, and one failure never stops the
    /// others. The error is only for the fresh listing, before anything is
    /// deleted.
    pub async fn send(self) -> Result<PruneReport> {
        let planned: Vec<PlannedImage> = self.deletions().cloned().collect();
        if planned.is_empty() {
            return Ok(PruneReport { images: Vec::new() });
        }
        let listing = own_images(&self.client).await?;
        let now = self.client.executor().clock.system_now();
        let verdicts = recheck(&self.policy, &self.images, listing, now);
        let total = planned.len();
        let client = &self.client;
        let mut settled = 0;
        let mut images: Vec<(usize, SettledImage)> =
            futures::stream::iter(planned.into_iter().zip(verdicts).enumerate())
                .map(|(index, (planned, verdict))| async move {
                    (index, settle(client, planned.image, verdict).await)
                })
                .buffer_unordered(self.concurrency.max(1))
                .inspect(|(_, image)| {
                    settled += 1;
                    if let Some(progress) = &self.progress {
                        progress(&Progress::ImageSettled {
                            settled,
                            total,
                            image_id: image.image.id,
                            result: image.result.summary(),
                        });
                    }
                })
                .collect()
                .await;
        images.sort_by_key(|(index, _)| *index);
        Ok(PruneReport {
            images: images.into_iter().map(|(_, image)| image).collect(),
        })
    }
}

/// Carries out the `verdict` on `image`.
async fn settle(client: &Client, image: Image, verdict: Verdict) -> SettledImage {
    let result = match verdict {
        Verdict::AlreadyGone => PruneResult::AlreadyGone,
        Verdict::Skip(reason) => PruneResult::Skipped { reason },
        Verdict::Delete => match client.images().delete(image.id).send().await {
            Ok(()) => PruneResult::Deleted,
            Err(error) if error.status() == Some(404) => PruneResult::AlreadyGone,
            Err(error) => PruneResult::Failed(error),
        },
    };
    SettledImage { image, result }
}

/// One image the plan deleted, settled: what happened to it.
#[derive(Debug)]
pub struct SettledImage {
    /// The image as the plan saw it.
    pub image: Image,
    /// What happened.
    pub result: PruneResult,
}

/// What happened to one image when a plan was sent.
#[derive(Debug)]
#[non_exhaustive]
pub enum PruneResult {
    /// The image was deleted.
    Deleted,
    /// The image was already gone (deleted by someone else, or by an
    /// earlier attempt whose answer was lost).
    AlreadyGone,
    /// The image changed since the plan was made, so it was left alone.
    Skipped {
        /// What changed.
        reason: String,
    },
    /// The delete failed (after the client's retries).
    Failed(Error),
}

impl PruneResult {
    /// A one-word summary: `deleted`, `already gone`, `skipped`, `failed`.
    pub fn summary(&self) -> &'static str {
        match self {
            Self::Deleted => "deleted",
            Self::AlreadyGone => "already gone",
            Self::Skipped { .. } => "skipped",
            Self::Failed(_) => "failed",
        }
    }

    /// Whether the image is gone now (deleted, or already gone).
    pub fn is_gone(&self) -> bool {
        matches!(self, Self::Deleted | Self::AlreadyGone)
    }
}

/// What happened when a plan was sent, from [`PrunePlan::send`]: one
/// settled image per image the plan deleted, in the plan's order.
#[derive(Debug)]
pub struct PruneReport {
    /// Each planned deletion and what happened to it.
    pub images: Vec<SettledImage>,
}

impl PruneReport {
    /// Whether every planned deletion left its image gone.
    pub fn all_deleted(&self) -> bool {
        self.images.iter().all(|i| i.result.is_gone())
    }

    /// The images the plan deleted that are not gone (skipped or failed).
    pub fn failures(&self) -> impl Iterator<Item = &SettledImage> {
        self.images.iter().filter(|i| !i.result.is_gone())
    }
}
