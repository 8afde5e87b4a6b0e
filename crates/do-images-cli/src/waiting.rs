//! Running a wait: progress display, time-out, and Ctrl-C.

use std::future::Future;
use std::time::Duration;

use do_images::WaitOptions;

use crate::error::CliError;
use crate::wait_display::WaitDisplay;

/// How long to wait and how often to look.
#[derive(Clone, Copy, Debug)]
pub struct WaitSettings {
    /// Give up after this long.
    pub timeout: Duration,
    /// The first delay between polls (it grows up to a minute).
    pub poll_interval: Duration,
}

impl WaitSettings {
    /// The library's wait options for these settings: polls from
    /// `poll_interval` apart growing to a minute, for at most `timeout`.
    pub fn options(&self) -> WaitOptions {
        WaitOptions::default()
            .max_wait(self.timeout)
            .min_delay(self.poll_interval)
            .max_delay(
                self.poll_interval
                    .max(Duration::from_secs(60))
                    .min(self.timeout),
            )
    }
}

/// Runs the wait that `start` builds from the options, showing progress on
/// stderr. Ctrl-C stops waiting (not the work) and says so.
pub async fn run_wait<T, F, Fut>(
    what: &str,
    settings: WaitSettings,
    start: F,
) -> Result<T, CliError>
where
    F: FnOnce(WaitOptions) -> Fut,
    Fut: Future<Output = Result<T, do_images::Error>>,
{
    let display = WaitDisplay::new(what);
    let shown = display.clone();
    let options = settings.options().on_progress(move |progress| {
        let status = progress.status.as_deref().unwrap_or("unknown");
        shown.update(status, progress.elapsed);
    });
    let outcome = tokio::select! {
        result = start(options) => result.map_err(CliError::from),
        _ = tokio::signal::ctrl_c() => Err(CliError::Interrupted(format!(
            "stopped waiting for {what}; the work goes on server-side"
        ))),
    };
    display.clear();
    outcome
}
