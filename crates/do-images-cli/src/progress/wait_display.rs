//! What the user sees while doimg waits: a live progress line on a
//! terminal, one plain line per status change elsewhere.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::output::escape;

/// Shows the progress of one wait. Cheap to clone into a callback.
#[derive(Clone)]
pub struct WaitDisplay {
    inner: Arc<Mutex<Inner>>,
}

enum Inner {
    Live(ProgressBar),
    Plain { what: String, last: Option<String> },
}

impl WaitDisplay {
    /// A display for waiting on `what` (e.g. `image 42`): live when stderr
    /// is a terminal, plain lines otherwise.
    pub fn new(what: &str) -> Self {
        let what = escape::for_terminal(what);
        let inner = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_message(format!("waiting for {what}"));
            Inner::Live(bar)
        } else {
            Inner::Plain {
                what: what.to_string(),
                last: None,
            }
        };
        Self {
            inner: Arc::new(Mutex::new(inner)),
        }
    }

    /// Called on every poll with the status seen (as the API sent it; it
    /// is shown escaped) and the time waited so far.
    pub fn update(&self, status: &str, elapsed: Duration) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let status = escape::for_terminal(status);
        let status = status.as_ref();
        let elapsed = format_elapsed(elapsed);
        match &mut *inner {
            Inner::Live(bar) => bar.set_message(format!("status {status}, waited {elapsed}")),
            Inner::Plain { what, last } => {
                if last.as_deref() != Some(status) {
                    eprintln!("{what}: {status} (after {elapsed})");
                    *last = Some(status.to_string());
                }
            }
        }
    }

    /// Removes the live line, if any, before the result is printed.
    pub fn clear(&self) {
        if let Ok(inner) = self.inner.lock()
            && let Inner::Live(bar) = &*inner
        {
            bar.finish_and_clear();
        }
    }
}

/// `75s` as `1m15s`.
pub fn format_elapsed(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_time_reads_naturally() {
        assert_eq!(format_elapsed(Duration::from_millis(4_900)), "4s");
        assert_eq!(format_elapsed(Duration::from_secs(75)), "1m15s");
        assert_eq!(format_elapsed(Duration::from_secs(3_720)), "1h02m");
    }
}
