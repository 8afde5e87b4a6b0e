//! What the user sees during `images create --file`: an upload bar with
//! bytes, rate and ETA (plain lines every 10% when stderr is not a
//! terminal), then the image's steps: the import's wait, then each
//! region's transfer (shown as `images distribute` shows them).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use do_images_file_import::ImportProgress;
use indicatif::{ProgressBar, ProgressStyle};

use super::image_steps::ImageSteps;
use crate::output::escape::for_terminal;

/// Shows an import's progress on stderr. Cheap to clone into the library's
/// callback.
#[derive(Clone)]
pub struct ImportDisplay {
    inner: Arc<Mutex<State>>,
}

struct State {
    terminal: bool,
    bar: Option<ProgressBar>,
    started: Option<Instant>,
    /// Tenths of the upload already reported on plain lines.
    tenths_shown: u64,
    /// The image's steps, once the import was sent.
    image: Option<ImageSteps>,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
}

impl ImportDisplay {
    /// A display on stderr: live when it is a terminal.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Mutex::new(State {
                terminal: std::io::stderr().is_terminal(),
                bar: None,
                started: None,
                tenths_shown: 0,
                image: None,
            })),
        }
    }

    /// Shows one step.
    pub fn show(&self, step: &ImportProgress) {
        let Ok(mut state) = self.inner.lock() else {
            return;
        };
        state.show(step);
    }

    /// Removes any live line before the result is printed.
    pub fn clear(&self) {
        if let Ok(mut state) = self.inner.lock() {
            state.finish_upload();
            state.finish_wait();
        }
    }
}

impl State {
    fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn show(&mut self, step: &ImportProgress) {
        match step {
            ImportProgress::Checked { size, format } => {
                self.say(&format!("File checked: {format}, {}.", mib(*size)));
            }
            ImportProgress::UploadStarted {
                location, total, ..
            } => {
                self.say(&format!(
                    "Uploading to {} (private).",
                    for_terminal(&location.to_string())
                ));
                self.started = Some(Instant::now());
                if self.terminal {
                    let bar = ProgressBar::new(*total);
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    self.bar = Some(bar);
                }
            }
            ImportProgress::Uploaded { sent, total } => self.uploaded(*sent, *total),
            ImportProgress::PartRetried {
                part,
                attempt,
                error,
            } => self.say(&format!(
                "Part {part} failed ({}); sending it again (attempt {attempt}).",
                for_terminal(error)
            )),
            ImportProgress::ImportStarted { image_id } => {
                self.finish_upload();
                eprintln!("Import started: image {image_id}.");
                self.image = Some(ImageSteps::new(*image_id));
            }
            ImportProgress::Image(step) => {
                if let Some(image) = &mut self.image {
                    image.show(step);
                }
            }
            ImportProgress::ObjectDeleted(location) => {
                self.finish_wait();
                eprintln!(
                    "Deleted the uploaded object {}.",
                    for_terminal(&location.to_string())
                );
            }
            _ => {}
        }
    }

    fn uploaded(&mut self, sent: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(sent);
            return;
        }
        let tenths = sent.saturating_mul(10) / total.max(1);
        if tenths <= self.tenths_shown {
            return;
        }
        self.tenths_shown = tenths;
        let seconds = self
            .started
            .map_or(0.0, |s| s.elapsed().as_secs_f64())
            .max(0.001);
        eprintln!(
            "Uploaded {} of {} ({}%), {}/s.",
            mib(sent),
            mib(total),
            sent * 100 / total.max(1),
            mib((sent as f64 / seconds) as u64)
        );
    }

    fn finish_upload(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn finish_wait(&mut self) {
        if let Some(image) = &mut self.image {
            image.finish_wait();
        }
    }
}
