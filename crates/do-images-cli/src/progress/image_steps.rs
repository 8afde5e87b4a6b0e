//! What the user sees of an image's steps, as the library tells them
//! ([`Progress`]): the wait for its import, then one line per region
//! (already there, transfer started or found running, done) and the status
//! of the transfer waited for. `images distribute` shows them on their
//! own, `images create --file` after its upload.

use std::sync::{Arc, Mutex};

use do_images::Progress;

use super::wait_display::WaitDisplay;
use crate::output::escape::for_terminal;

/// The steps of image `image_id` shown so far, and the wait shown now.
pub struct ImageSteps {
    image_id: u64,
    /// The wait shown now: the image's import, or one region's transfer.
    wait: Option<WaitDisplay>,
}

impl ImageSteps {
    /// Nothing shown yet of image `image_id`.
    pub fn new(image_id: u64) -> Self {
        Self {
            image_id,
            wait: None,
        }
    }

    /// Shows one step (a prune's are not an image's: they are ignored).
    pub fn show(&mut self, step: &Progress) {
        match step {
            Progress::ImageWaiting(progress) => {
                let image_id = self.image_id;
                let wait = self
                    .wait
                    .get_or_insert_with(|| WaitDisplay::new(&format!("image {image_id}")));
                let status = progress.status.as_deref().unwrap_or("unknown");
                wait.update(status, progress.elapsed);
            }
            Progress::AlreadyThere { region } => {
                self.finish_wait();
                eprintln!("{}: already there.", for_terminal(region.as_str()));
            }
            Progress::TransferRunning { region, action_id } => {
                self.finish_wait();
                let region = for_terminal(region.as_str());
                eprintln!(
                    "{region}: transfer already running (action {action_id}); waiting for it."
                );
                self.wait = Some(WaitDisplay::new(&format!("transfer to {region}")));
            }
            Progress::TransferStarted { region, action_id } => {
                self.finish_wait();
                let region = for_terminal(region.as_str());
                eprintln!("{region}: transfer started (action {action_id}).");
                self.wait = Some(WaitDisplay::new(&format!("transfer to {region}")));
            }
            Progress::Transferring { region, progress } => {
                let status = progress.status.as_deref().unwrap_or("unknown");
                if let Some(wait) = &self.wait {
                    wait.update(status, progress.elapsed);
                }
                if status == "completed" {
                    self.finish_wait();
                    eprintln!("{}: done.", for_terminal(region.as_str()));
                }
            }
            _ => {}
        }
    }

    /// Removes the live line of the wait shown now, if any.
    pub fn finish_wait(&mut self) {
        if let Some(wait) = self.wait.take() {
            wait.clear();
        }
    }
}

/// Shows a distribution's steps on stderr. Cheap to clone into the
/// library's callback.
#[derive(Clone)]
pub struct DistributeDisplay {
    inner: Arc<Mutex<ImageSteps>>,
}

impl DistributeDisplay {
    /// A display for the distribution of image `image_id`.
    pub fn new(image_id: u64) -> Self {
        Self {
            inner: Arc::new(Mutex::new(ImageSteps::new(image_id))),
        }
    }

    /// Shows one step.
    pub fn show(&self, step: &Progress) {
        if let Ok(mut steps) = self.inner.lock() {
            steps.show(step);
        }
    }

    /// Removes any live line before the result is printed.
    pub fn clear(&self) {
        if let Ok(mut steps) = self.inner.lock() {
            steps.finish_wait();
        }
    }
}
