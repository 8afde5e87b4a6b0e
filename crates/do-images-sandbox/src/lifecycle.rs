//! Work that finishes over time: imports and actions. State is brought up
//! to date at the start of each request, from the time that has passed, so
//! no background task runs.

use std::time::Instant;

use chrono::Utc;

use crate::store::Store;

/// An import that has not settled yet.
pub(crate) struct Import {
    pub image_id: u64,
    pub region: String,
    pub started: Instant,
    /// The `error_message` it will end with, if it cannot work.
    pub failure: Option<String>,
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
            match import.failure {
                Some(message) => {
                    image.status = "deleted".into();
                    image.error_message = message;
                }
                None => {
                    image.status = "available".into();
                    image.regions = vec![import.region];
                    image.min_disk_size = Some(20);
                    image.size_gigabytes = Some(2.34);
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
