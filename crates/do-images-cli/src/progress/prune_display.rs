//! What the user sees while a prune deletes: a live bar on a terminal,
//! a plain line every tenth of the way elsewhere.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use do_images::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// Shows how many of a prune's deletions are settled. Cheap to clone into
/// the library's callback.
#[derive(Clone)]
pub struct PruneDisplay {
    inner: Arc<Mutex<State>>,
}

struct State {
    bar: Option<ProgressBar>,
    /// Tenths of the deletions already reported on plain lines.
    tenths_shown: usize,
}

impl PruneDisplay {
    /// A display that shows nothing until [`start`](Self::start).
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Mutex::new(State {
                bar: None,
                tenths_shown: 0,
            })),
        }
    }

    /// Starts showing `total` deletions on stderr: live when it is a
    /// terminal.
    pub fn start(&self, total: usize) {
        eprintln!("Deleting {total} image(s).");
        let Ok(mut state) = self.inner.lock() else {
            return;
        };
        state.bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} settled")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
    }

    /// Shows one settled deletion (the other steps are not a prune's).
    pub fn show(&self, step: &Progress) {
        let Progress::ImageSettled { settled, total, .. } = *step else {
            return;
        };
        let Ok(mut state) = self.inner.lock() else {
            return;
        };
        if let Some(bar) = &state.bar {
            bar.set_position(settled as u64);
            return;
        }
        let tenths = settled * 10 / total.max(1);
        if tenths > state.tenths_shown {
            state.tenths_shown = tenths;
            eprintln!("Settled {settled} of {total}.");
        }
    }

    /// Removes the live bar before the results are printed.
    pub fn clear(&self) {
        if let Ok(mut state) = self.inner.lock()
            && let Some(bar) = state.bar.take()
        {
            bar.finish_and_clear();
        }
    }
}
