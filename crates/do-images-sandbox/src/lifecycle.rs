//! Work that finishes over time: imports and actions. State is brought up
//! to date at the start of each request, from the time that has passed;
//! the only background work is the download of an import from a loopback
//! URL, whose outcome is picked up here once the import time is over.

use std::time::Instant;

use chrono::Utc;

use crate::import_fetch::Fetch;
use crate::store::Store;

/// How an import ends.
#[derive(Debug, PartialEq)]
pub(crate) enum ImportResult {
    /// It becomes available; `bytes` is the size downloaded, when it was.
    Imported { bytes: Option<u64> },
    /// It ends `deleted` with this `error_message`.
    Failed(String),
}

/// What decides an import's outcome.
pub(crate) enum Verdict {
    /// Known from the URL alone.
    Known(ImportResult),
    /// The download from a loopback URL, still running or ended.
    Downloading(Fetch),
}

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

impl Store {
    /// Moves every import and action as far as `now` allows.
    pub fn settle(&mut self, now: Instant) {
        self.settle_imports(now);
        self.settle_actions(now);
    }

    fn settle_imports(&mut self, now: Instant) {
        let timing = self.import_timing;
        let imports = std::mem::take(&mut self.imports);
        for import in imports {
            let elapsed = now.saturating_duration_since(import.started);
            let Some(image) = self.images.get_mut(&import.image_id) else {
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
                    image.error_message = message;
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

    fn settle_actions(&mut self, now: Instant) {
        let duration = self.action_duration;
        let running = std::mem::take(&mut self.running);
        for action in running {
            if now.saturating_duration_since(action.started) < duration {
                self.running.push(action);
                continue;
            }
            let succeeded = !matches!(action.outcome, Outcome::Fail);
            if let Some(image) = self.images.get_mut(&action.image_id) {
                match &action.outcome {
                    Outcome::AddRegion(region) => image.regions.push(region.clone()),
                    Outcome::ConvertToSnapshot => image.kind = "snapshot".into(),
                    Outcome::Fail => {}
                }
            }
            let record = self
                .actions
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
