//! The sandbox's state: images and actions, and the operations on them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::seed;
use super::transfers::PendingTransfers;
use super::work::{Import, Outcome, RunningAction, Work};
use crate::config::ImportTiming;
use crate::imports::Importer;
use crate::wire::error::ApiError;
use crate::wire::image_bodies::{ActionRequest, ImageUpdate, NewImage};
use crate::wire::model::{Action, Category, Image, Region};
use crate::wire::paging::Paging;

/// What the image list is filtered by.
#[derive(Clone, Debug, Default)]
pub(crate) struct ImageFilter {
    pub category: Option<Category>,
    pub private_only: bool,
    pub tag: Option<String>,
}

impl ImageFilter {
    fn is_empty(&self) -> bool {
        self.category.is_none() && !self.private_only && self.tag.is_none()
    }

    fn matches(&self, image: &Image) -> bool {
        self.category.is_none_or(|c| image.category == Some(c))
            && (!self.private_only || !image.public)
            && self.tag.as_ref().is_none_or(|t| image.tags.contains(t))
    }
}

/// All images and actions, and the work in flight.
pub(crate) struct Store {
    pub(super) images: BTreeMap<u64, Image>,
    actions: BTreeMap<u64, Vec<Action>>,
    work: Work,
    pub(super) transfers: PendingTransfers,
    /// How many private images each team owns.
    owners: BTreeMap<Arc<str>, usize>,
    next_image_id: u64,
    next_action_id: u64,
    importer: Importer,
}

impl Store {
    /// A store with `count` generated images; the private ones belong to
    /// the team `owner`.
    pub fn seeded(
        count: usize,
        seed: u64,
        owner: &str,
        import_timing: ImportTiming,
        action_duration: Duration,
        importer: Importer,
    ) -> Self {
        let seeded = seed::generate(count, seed);
        let mut actions: BTreeMap<u64, Vec<Action>> = BTreeMap::new();
        for action in seeded.actions {
            let image_id = action.resource_id.unwrap_or_default();
            actions.entry(image_id).or_default().push(action);
        }
        let owner: Arc<str> = owner.into();
        let mut images = seeded.images;
        let mut private = 0;
        for image in images.iter_mut().filter(|i| !i.public) {
            image.owner = Some(owner.clone());
            private += 1;
        }
        Self {
            images: images.into_iter().map(|i| (i.id, i)).collect(),
            actions,
            work: Work::new(import_timing, action_duration),
            transfers: PendingTransfers::new(),
            owners: BTreeMap::from([(owner, private)]),
            next_image_id: seeded.next_image_id,
            next_action_id: seeded.next_action_id,
            importer,
        }
    }

    /// Moves every import and action as far as `now` allows.
    pub fn settle(&mut self, now: Instant) {
        self.work.settle(now, &mut self.images, &mut self.actions);
    }

    /// One page of the images that the team `viewer` sees and that pass
    /// `filter`, and how many pass.
    pub fn list_images(
        &self,
        viewer: &str,
        filter: &ImageFilter,
        paging: Paging,
    ) -> (Vec<Image>, u64) {
        let sees_all = self.owners.keys().all(|team| **team == *viewer);
        if filter.is_empty() && sees_all {
            let page = self
                .images
                .values()
                .skip(paging.offset())
                .take(paging.limit());
            return (page.cloned().collect(), self.images.len() as u64);
        }
        let mut total = 0;
        let mut page = Vec::new();
        let passes = |i: &&Image| i.is_visible_to(viewer) && filter.matches(i);
        for image in self.images.values().filter(passes) {
            if total >= paging.offset() && page.len() < paging.limit() {
                page.push(image.clone());
            }
            total += 1;
        }
        (page, total as u64)
    }

    /// The image with numeric id `id` if the team `viewer` can see it.
    pub(crate) fn visible(&self, viewer: &str, id: u64) -> Result<&Image, ApiError> {
        self.images
            .get(&id)
            .filter(|i| i.is_visible_to(viewer))
            .ok_or_else(ApiError::not_found)
    }

    /// The image with numeric id `key`, or the public image with slug `key`,
    /// if the team `viewer` can see it.
    pub fn get_image(&self, viewer: &str, key: &str) -> Result<Image, ApiError> {
        let found = match key.parse::<u64>() {
            Ok(id) => self.visible(viewer, id).ok(),
            Err(_) => self
                .images
                .values()
                .find(|i| i.public && i.slug.as_deref() == Some(key)),
        };
        found.cloned().ok_or_else(ApiError::not_found)
    }

    /// Starts an import for the team `owner`; the image begins as `NEW`
    /// with no regions.
    pub fn create_custom(&mut self, owner: &str, request: NewImage, now: Instant) -> Image {
        let id = self.next_image_id;
        self.next_image_id += 1;
        let image = Image {
            id,
            name: request.name,
            kind: "custom".into(),
            distribution: request.distribution,
            slug: None,
            public: false,
            regions: Vec::new(),
            created_at: Utc::now(),
            min_disk_size: None,
            size_gigabytes: None,
            description: request.description,
            tags: request.tags,
            status: "NEW".into(),
            error_message: String::new(),
            category: None,
            owner: None,
        };
        self.work.start_import(Import {
            image_id: id,
            region: request.region,
            started: now,
            verdict: self.importer.verdict_for(&request.url),
            echoed_url: self.importer.echoed(&request.url),
        });
        self.images.insert(id, image);
        self.set_owner(id, Some(owner.into()));
        self.images[&id].clone()
    }

    /// Renames an image; description and distribution only on custom
    /// images.
    pub fn update_image(
        &mut self,
        viewer: &str,
        id: u64,
        update: ImageUpdate,
    ) -> Result<Image, ApiError> {
        self.visible(viewer, id)?;
        let image = self.images.get_mut(&id).ok_or_else(ApiError::not_found)?;
        if image.kind != "custom" {
            for (field, given) in [
                ("description", update.description.is_some()),
                ("distribution", update.distribution.is_some()),
            ] {
                if given {
                    return Err(ApiError::unprocessable(format!(
                        "`{field}` can only be changed on custom images; image {id} is a {}.",
                        image.kind
                    )));
                }
            }
        }
        if let Some(name) = update.name {
            image.name = name;
        }
        if let Some(description) = update.description {
            image.description = description;
        }
        if let Some(distribution) = update.distribution {
            image.distribution = distribution;
        }
        Ok(image.clone())
    }

    /// Deletes one of the user's images.
    pub fn delete_image(&mut self, viewer: &str, id: u64) -> Result<(), ApiError> {
        let image = self.visible(viewer, id)?;
        if image.public {
            return Err(ApiError::unprocessable(format!(
                "Image {id} is a public image; only your own images can be deleted."
            )));
        }
        self.set_owner(id, None);
        self.images.remove(&id);
        self.actions.remove(&id);
        self.transfers.forget_image(id);
        self.work.forget(id);
        Ok(())
    }

    /// One page of an image's actions, and how many there are.
    pub fn list_actions(
        &self,
        viewer: &str,
        image_id: u64,
        paging: Paging,
    ) -> Result<(Vec<Action>, u64), ApiError> {
        self.visible(viewer, image_id)?;
        let all = self
            .actions
            .get(&image_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let page = all.iter().skip(paging.offset()).take(paging.limit());
        Ok((page.cloned().collect(), all.len() as u64))
    }

    /// Starts a transfer or a convert. One that cannot succeed (a transfer
    /// to a region the image is in, a convert of anything but a backup)
    /// starts, then ends `errored`, as the API's do. The actions of one
    /// image run one at a time: while one is in progress, another is
    /// refused with a 422, as the API refuses an event on a resource that
    /// already has a pending one.
    pub fn post_action(
        &mut self,
        viewer: &str,
        image_id: u64,
        request: ActionRequest,
        now: Instant,
    ) -> Result<Action, ApiError> {
        let image = self.visible(viewer, image_id)?;
        if image.status != "available" {
            return Err(ApiError::unprocessable(format!(
                "Image {image_id} is {}; actions need an available image.",
                image.status
            )));
        }
        if let Some(running) = self.work.running_action(image_id) {
            return Err(ApiError::unprocessable(format!(
                "Image {image_id} already has a pending event: action {running} is in progress. \
                 Actions on one image run one at a time; wait for it to complete."
            )));
        }
        let (kind, region, outcome) = match request {
            ActionRequest::Transfer { region } => {
                let outcome = if image.regions.contains(&region) {
                    Outcome::Fail
                } else {
                    Outcome::AddRegion(region.clone())
                };
                ("transfer", region, outcome)
            }
            ActionRequest::Convert => {
                let region = image
                    .regions
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "nyc3".into());
                let outcome = if image.kind == "backup" {
                    Outcome::ConvertToSnapshot
                } else {
                    Outcome::Fail
                };
                ("convert", region, outcome)
            }
        };
        let action = Action {
            id: self.next_action_id,
            status: "in-progress".into(),
            kind: kind.into(),
            started_at: Utc::now(),
            completed_at: None,
            resource_id: Some(image_id),
            resource_type: "image",
            region: Region::from_slug(&region),
            region_slug: Some(region),
        };
        self.next_action_id += 1;
        self.work.start_action(RunningAction {
            image_id,
            action_id: action.id,
            started: now,
            outcome,
        });
        self.actions
            .entry(image_id)
            .or_default()
            .push(action.clone());
        Ok(action)
    }

    /// One action of one image.
    pub fn get_action(
        &self,
        viewer: &str,
        image_id: u64,
        action_id: u64,
    ) -> Result<Action, ApiError> {
        self.visible(viewer, image_id)?;
        self.actions
            .get(&image_id)
            .and_then(|actions| actions.iter().find(|a| a.id == action_id))
            .cloned()
            .ok_or_else(ApiError::not_found)
    }

    /// Gives image `id` to the team `owner` (`None`: to nobody, as when it is
    /// deleted), keeping the count of each team's private images.
    pub(crate) fn set_owner(&mut self, id: u64, owner: Option<Arc<str>>) {
        let Some(image) = self.images.get_mut(&id) else {
            return;
        };
        if let Some(previous) = image.owner.take()
            && let Some(count) = self.owners.get_mut(&previous)
        {
            *count -= 1;
            if *count == 0 {
                self.owners.remove(&previous);
            }
        }
        if let Some(team) = &owner {
            *self.owners.entry(team.clone()).or_default() += 1;
        }
        image.owner = owner;
    }

    /// How many images exist.
    pub fn image_count(&self) -> usize {
        self.images.len()
    }

    /// How many images are called `name`.
    pub fn count_named(&self, name: &str) -> usize {
        self.images.values().filter(|i| i.name == name).count()
    }
}
