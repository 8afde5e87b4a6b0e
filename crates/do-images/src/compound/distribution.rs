//! Distribution: copying an image to many regions, one transfer after
//! another to every region that does not hold it yet, each waited for,
//! safe to run again. Behind the default `distribution` feature.

use std::fmt;
use std::sync::Arc;

use do_images_api::open_enums::{ActionStatus, ImageStatus, RegionSlug};
use do_images_api::types::{Action, Image};
use futures::TryStreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Progress;
use crate::client::{Checked, Client, Id, checked_id};
use crate::error::{Error, Result};
use crate::images::Images;
use crate::wait::{WaitOptions, WaitProgress};

type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// A copy of an image to many regions, from
/// [`Images::distribute`](crate::Images::distribute).
///
/// The API runs the transfers of one image one at a time and refuses an
/// action on an image that is busy (422), so the regions are done one
/// after another, each transfer waited for before the next starts. A
/// region that already holds the image is skipped, and a transfer already
/// running (started by an earlier run that was interrupted, or by someone
/// else) is waited for instead of starting a second: running it again
/// after an interruption finishes the job without repeating any of it.
///
/// Like every builder it ends in [`send`](Self::send), which gives the
/// image as it ends as the model, [`send_json`](Self::send_json) (the object
/// exactly as the API sent it) or [`send_as`](Self::send_as).
///
/// ```no_run
/// # async fn example(client: do_images::Client) -> do_images::Result<()> {
/// let report = client
///     .images()
///     .distribute(7555620, ["nyc3", "sfo3", "ams3"])
///     .send()
///     .await?;
/// for region in &report.regions {
///     println!("{}: {}", region.region, region.result.summary());
/// }
/// println!("now in {:?}", report.image.regions);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Distribute {
    client: Client,
    image_id: Checked<u64>,
    regions: Vec<RegionSlug>,
    wait: WaitOptions,
    progress: Option<ProgressFn>,
}

impl fmt::Debug for Distribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Distribute")
            .field("image_id", &self.image_id)
            .field("regions", &self.regions)
            .field("wait", &self.wait)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl Images {
    /// Copies image `image_id` to every region in `regions` that does not
    /// hold it yet, one transfer after another; see [`Distribute`].
    #[cfg_attr(docsrs, doc(cfg(feature = "distribution")))]
    pub fn distribute<S: Into<RegionSlug>>(
        &self,
        image_id: impl Id,
        regions: impl IntoIterator<Item = S>,
    ) -> Distribute {
        Distribute {
            client: self.client.clone(),
            image_id: checked_id("image id", image_id),
            regions: regions.into_iter().map(Into::into).collect(),
            wait: WaitOptions::default(),
            progress: None,
        }
    }
}

impl Distribute {
    /// How to wait for the image (when it is still importing) and for each
    /// transfer. Their polls go to [`on_progress`](Self::on_progress), as
    /// [`Progress::ImageWaiting`] and [`Progress::Transferring`]; a
    /// callback set on these options is not called.
    pub fn wait_options(mut self, options: WaitOptions) -> Self {
        self.wait = options;
        self
    }

    /// Called at each step: a region found holding the image, a transfer
    /// started or found running, each poll.
    pub fn on_progress(mut self, callback: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Checks the arguments without sending anything: an image id, at least
    /// one region, no empty region slug, sound wait options.
    pub fn check(&self) -> Result<()> {
        self.image_id.clone().map_err(Error::from)?;
        if self.regions.is_empty() {
            return Err(Error::invalid(
                "regions",
                "no region was given",
                "one or more region slugs such as nyc3",
            ));
        }
        if self.regions.iter().any(|r| r.as_str().trim().is_empty()) {
            return Err(Error::invalid(
                "regions",
                "a region slug is empty",
                "region slugs such as nyc3",
            ));
        }
        self.wait.check()
    }

    /// Transfers the image to every region that lacks it and waits for each.
    /// A failed region does not stop the next; the report says what happened
    /// in each. The error is for what stops the whole run: bad arguments,
    /// the image not found or failing to import, the listing of its actions,
    /// or the final read of the image.
    ///
    /// The image is read before the transfers, for its status and regions
    /// (and polled while it imports), and once after them, since they
    /// change it: the report holds that last read, so there is no need to
    /// fetch the image again.
    pub async fn send(self) -> Result<DistributeReport> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the image as it ends exactly as the API
    /// sent it.
    pub async fn send_json(self) -> Result<DistributeReport<Value>> {
        self.send_as().await
    }

    /// Like [`send`](Self::send), the image as it ends read as `T`: any
    /// type that deserializes from the `image` object.
    pub async fn send_as<T: DeserializeOwned>(self) -> Result<DistributeReport<T>> {
        self.check()?;
        let id = self.image_id.clone().map_err(Error::from)?;
        let client = &self.client;
        let mut image = client.images().get(id).send().await?;
        if image.status != ImageStatus::Available {
            let options = self.reporting(Progress::ImageWaiting);
            image = client
                .images()
                .wait_until_available(id, options)
                .send()
                .await?;
        }
        // Transfers already running finish first: the API would refuse a
        // new one until they do.
        let mut resumed = Vec::new();
        for action in running_transfers(client, id).await? {
            let region = action_region(&action);
            self.tell(Progress::TransferRunning {
                region: region.clone(),
                action_id: action.id,
            });
            let result = self.wait_for(id, action.id, &region).await;
            resumed.push((region, result));
        }
        let mut regions = Vec::new();
        for region in unique(&self.regions) {
            let result = match resumed.iter().position(|(r, _)| r == region) {
                Some(index) => resumed.swap_remove(index).1,
                None if image.regions.contains(region) => {
                    self.tell(Progress::AlreadyThere {
                        region: region.clone(),
                    });
                    RegionResult::AlreadyThere
                }
                None => self.transfer(id, region).await,
            };
            regions.push(RegionReport {
                region: region.clone(),
                result,
            });
        }
        let image = client.images().get(id).send_as::<T>().await?;
        Ok(DistributeReport { image, regions })
    }

    /// Starts a transfer to `region` and waits for it.
    async fn transfer(&self, id: u64, region: &RegionSlug) -> RegionResult {
        let started = match self
            .client
            .actions(id)
            .transfer(region.clone())
            .send()
            .await
        {
            Ok(started) => started,
            Err(error) => {
                return RegionResult::Failed {
                    action_id: None,
                    error,
                };
            }
        };
        self.tell(Progress::TransferStarted {
            region: region.clone(),
            action_id: started.id(),
        });
        self.wait_for(id, started.id(), region).await
    }

    /// Waits for transfer `action_id` to `region`.
    async fn wait_for(&self, id: u64, action_id: u64, region: &RegionSlug) -> RegionResult {
        let shown = region.clone();
        let options = self.reporting(move |progress| Progress::Transferring {
            region: shown.clone(),
            progress,
        });
        let waited = self
            .client
            .actions(id)
            .wait_until_done(action_id, options)
            .send()
            .await;
        match waited {
            Ok(_) => RegionResult::Transferred { action_id },
            Err(error) => RegionResult::Failed {
                action_id: Some(action_id),
                error,
            },
        }
    }

    /// The wait options, telling each poll to the progress callback as
    /// `step` makes it.
    fn reporting(
        &self,
        step: impl Fn(WaitProgress) -> Progress + Send + Sync + 'static,
    ) -> WaitOptions {
        let progress = self.progress.clone();
        self.wait.clone().on_progress(move |p| {
            if let Some(progress) = &progress {
                progress(&step(p.clone()));
            }
        })
    }

    fn tell(&self, step: Progress) {
        if let Some(progress) = &self.progress {
            progress(&step);
        }
    }
}

/// The regions in their first order, each once.
fn unique(regions: &[RegionSlug]) -> impl Iterator<Item = &RegionSlug> {
    regions
        .iter()
        .enumerate()
        .filter(|(i, region)| !regions[..*i].contains(region))
        .map(|(_, region)| region)
}

/// The image's transfers still in progress.
async fn running_transfers(client: &Client, id: u64) -> Result<Vec<Action>> {
    client
        .actions(id)
        .list()
        .stream()
        .try_filter(|action| {
            futures::future::ready(
                action.type_ == "transfer" && action.status == ActionStatus::InProgress,
            )
        })
        .try_collect()
        .await
}

/// The region an action works in.
fn action_region(action: &Action) -> RegionSlug {
    let slug = action
        .region_slug
        .as_deref()
        .filter(|slug| !slug.is_empty())
        .unwrap_or(&action.region.slug);
    RegionSlug::from(slug)
}

/// What happened in one region, from [`Distribute::send`].
#[derive(Debug)]
pub struct RegionReport {
    /// The region.
    pub region: RegionSlug,
    /// What happened there.
    pub result: RegionResult,
}

/// What happened in one region.
#[derive(Debug)]
#[non_exhaustive]
pub enum RegionResult {
    /// The region held the image already; nothing was sent.
    AlreadyThere,
    /// A transfer (started now, or found running) completed.
    Transferred {
        /// The transfer action's id.
        action_id: u64,
    },
    /// The transfer could not be started, errored or was not done in time.
    Failed {
        /// The transfer action's id, when one was started.
        action_id: Option<u64>,
        /// Why: the API's refusal, [`Error::WaitFailed`] for an errored
        /// action, [`Error::WaitTimedOut`] with the last status seen.
        error: Error,
    },
}

impl RegionResult {
    /// A short summary: `already there`, `transferred`, `failed`.
    pub fn summary(&self) -> &'static str {
        match self {
            Self::AlreadyThere => "already there",
            Self::Transferred { .. } => "transferred",
            Self::Failed { .. } => "failed",
        }
    }
}

/// What a distribution did, from [`Distribute::send`] (or
/// [`send_json`](Distribute::send_json), [`send_as`](Distribute::send_as),
/// which read the image as `T`).
#[derive(Debug)]
pub struct DistributeReport<T = Image> {
    /// The image as it is at the end, read once after the transfers.
    pub image: T,
    /// Each region asked for, in the order given (each once).
    pub regions: Vec<RegionReport>,
}

impl<T> DistributeReport<T> {
    /// Whether every region asked for holds the image.
    pub fn is_complete(&self) -> bool {
        self.regions
            .iter()
            .all(|r| !matches!(r.result, RegionResult::Failed { .. }))
    }

    /// The regions that failed.
    pub fn failures(&self) -> impl Iterator<Item = &RegionReport> {
        self.regions
            .iter()
            .filter(|r| matches!(r.result, RegionResult::Failed { .. }))
    }
}
