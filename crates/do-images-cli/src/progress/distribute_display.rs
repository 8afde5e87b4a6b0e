//! What the user sees during `images distribute`: one line per region
//! (already there, transfer started or found running, done), and the
//! status of the wait in progress.

use std::sync::{Arc, Mutex};

use do_images::lifecycle::DistributeProgress;

use super::wait_display::WaitDisplay;
use crate::output::escape::for_terminal;

/// Shows a distribution's progress on stderr. Cheap to clone into the
/// library's callback.
#[derive(Clone)]
pub struct DistributeDisplay {
    inner: Arc<Mutex<State>>,
}

struct State {
    image_id: u64,
    /// The wait shown now: the image's import, or one region's transfer.
    wait: Option<WaitDisplay>,
}

impl DistributeDisplay {
    /// A display for the distribution of image `image_id`.
    pub fn new(image_id: u64) -> Self {
        Self {
            inner: Arc::new(Mutex::new(State {
                image_id,
                wait: None,
            })),
        }
    }

    /// Shows one step.
    pub fn show(&self, step: &DistributeProgress) {
        if let Ok(mut state) = self.inner.lock() {
            state.show(step);
        }
    }

    /// Removes any live line before the result is printed.
    pub fn clear(&self) {
        if let Ok(mut state) = self.inner.lock() {
            state.finish_wait();
        }
    }
}

impl State {
    fn show(&mut self, step: &DistributeProgress) {
        match step {
            DistributeProgress::ImageWaiting(progress) => {
                let image_id = self.image_id;
                let wait = self
                    .wait
                    .get_or_insert_with(|| WaitDisplay::new(&format!("image {image_id}")));
                let status = progress.status.as_deref().unwrap_or("unknown");
                wait.update(status, progress.elapsed);
            }
            DistributeProgress::AlreadyThere { region } => {
                self.finish_wait();
                eprintln!("{}: already there.", for_terminal(region));
            }
            DistributeProgress::TransferRunning { region, action_id } => {
                self.finish_wait();
                let region = for_terminal(region);
                eprintln!(
                    "{region}: transfer already running (action {action_id}); waiting for it."
                );
                self.wait = Some(WaitDisplay::new(&format!("transfer to {region}")));
            }
            DistributeProgress::TransferStarted { region, action_id } => {
                self.finish_wait();
                let region = for_terminal(region);
                eprintln!("{region}: transfer started (action {action_id}).");
                self.wait = Some(WaitDisplay::new(&format!("transfer to {region}")));
            }
            DistributeProgress::Transferring { region, progress } => {
                let status = progress.status.as_deref().unwrap_or("unknown");
                if let Some(wait) = &self.wait {
                    wait.update(status, progress.elapsed);
                }
                if status == "completed" {
                    self.finish_wait();
                    eprintln!("{}: done.", for_terminal(region));
                }
            }
            _ => {}
        }
    }

    fn finish_wait(&mut self) {
        if let Some(wait) = self.wait.take() {
            wait.clear();
        }
    }
}
