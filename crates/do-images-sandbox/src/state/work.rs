//! Work that finishes over time: imports and actions. State is brought up
//! to date at the start of each request, from the time that has passed;
//! the only background work is the download of an import from a loopback
//! URL, whose outcome is picked up here once the import time is over.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::config::ImportTiming;
use crate::imports::{ImportResult, Verdict};
use crate::wire::model::{Action, Image};

/// The size shown for an image of unknown size, and the smallest disk.
const DEFAULT_SIZE_GIGABYTES: f64 = 2.34;
const MIN_DISK_GIGABYTES: u64 = 20;

/// An import that has not settled yet.
pub(crate) struct Import {
    pub image_id: u64,
    pub region: String,
    pub started: Instant,
    /// What decides whether it ends available or deleted.
    pub verdict: Verdict,
    /// The import URL a failure quotes whole (a fault), if any.
    pub echoed_url: Option<String>,
}

/// An action that is still in progress.
pub(crate) struct RunningAction {
    pub image_id: u64,
    pub action_id: u64,
    pub started: Instant,
    pub outcome: Outcome,
}

/// What a finished action does.
pub(crate) enum Outcome {
    AddRegion(String),
    ConvertToSnapshot,
    Fail,
}

/// The imports and actions in flight, and how long they take.
pub(crate) struct Work {
    imports: Vec<Import>,
    running: Vec<RunningAction>,
    import_timing: ImportTiming,
    action_duration: Duration,
}

impl Work {
    pub fn new(import_timing: ImportTiming, action_duration: Duration) -> Self {
        Self {
            imports: Vec::new(),
            running: Vec::new(),
            import_timing,
            action_duration,
        }
    }

    pub fn start_import(&mut self, import: Import) {
        self.imports.push(import);
    }

    pub fn start_action(&mut self, action: RunningAction) {
        self.running.push(action);
    }

    /// The id of the action on image `image_id` still in progress, if any.
    pub fn running_action(&self, image_id: u64) -> Option<u64> {
        self.running
            .iter()
            .find(|a| a.image_id == image_id)
            .map(|a| a.action_id)
    }

    /// Drops the work on a deleted image.
    pub fn forget(&mut self, image_id: u64) {
        self.imports.retain(|i| i.image_id != image_id);
        self.running.retain(|a| a.image_id != image_id);
    }

    /// Moves every import and action as far as `now` allows.
    pub fn settle(
        &mut self,
        now: Instant,
        images: &mut BTreeMap<u64, Image>,
        actions: &mut BTreeMap<u64, Vec<Action>>,
    ) {
        self.settle_imports(now, images);
        self.settle_actions(now, images, actions);
    }

    fn settle_imports(&mut self, now: Instant, images: &mut BTreeMap<u64, Image>) {
        let timing = self.import_timing;
        let imports = std::mem::take(&mut self.imports);
        for import in imports {
            let elapsed = now.saturating_duration_since(import.started);
            let Some(image) = images.get_mut(&import.image_id) else {
                continue;
            };
            if elapsed < timing.pending_after {
                self.imports.push(import);
                continue;
            }
            if elapsed < timing.settled_after {
                image.status = "pending".into();
                self.imports.push(import);
                continue;
            }
            let result = match import.verdict {
                Verdict::Known(result) => result,
                Verdict::Downloading(mut fetch) => match fetch.try_result() {
                    Some(result) => result,
                    None => {
                        // A real import takes as long as its download.
                        image.status = "pending".into();
                        self.imports.push(Import {
                            verdict: Verdict::Downloading(fetch),
                            ..import
                        });
                        continue;
                    }
                },
            };
            match result {
                ImportResult::Failed(message) => {
                    image.status = "deleted".into();
                    image.error_message = match import.echoed_url {
                        Some(url) => format!("{message} (fetching {url})"),
                        None => message,
                    };
                }
                ImportResult::Imported { bytes } => {
                    let size = bytes.map_or(DEFAULT_SIZE_GIGABYTES, gigabytes);
                    image.status = "available".into();
                    image.regions = vec![import.region];
                    image.min_disk_size = Some(MIN_DISK_GIGABYTES.max(size.ceil() as u64));
                    image.size_gigabytes = Some(size);
                }
            }
        }
    }

    fn settle_actions(
        &mut self,
        now: Instant,
        images: &mut BTreeMap<u64, Image>,
        actions: &mut BTreeMap<u64, Vec<Action>>,
    ) {
        let duration = self.action_duration;
        let running = std::mem::take(&mut self.running);
        for action in running {
            if now.saturating_duration_since(action.started) < duration {
                self.running.push(action);
                continue;
            }
            let succeeded = !matches!(action.outcome, Outcome::Fail);
            if let Some(image) = images.get_mut(&action.image_id) {
                match &action.outcome {
                    Outcome::AddRegion(region) => image.regions.push(region.clone()),
                    Outcome::ConvertToSnapshot => image.kind = "snapshot".into(),
                    Outcome::Fail => {}
                }
            }
            let record = actions
                .get_mut(&action.image_id)
                .and_then(|list| list.iter_mut().find(|a| a.id == action.action_id));
            if let Some(record) = record {
                record.status = if succeeded { "completed" } else { "errored" }.into();
                record.completed_at = Some(Utc::now());
            }
        }
    }
}

/// `bytes` in gigabytes, to two decimals, at least 0.01.
fn gigabytes(bytes: u64) -> f64 {
    ((bytes as f64 / 1e9 * 100.0).round() / 100.0).max(0.01)
}
