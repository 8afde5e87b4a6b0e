//! Running a wait: progress display, time-out, and Ctrl-C.

use std::future::Future;
use std::time::Duration;

use do_images::WaitOptions;

use super::wait_display::WaitDisplay;
use crate::error::CliError;

/// How long to wait and how often to look.
#[derive(Clone, Copy, Debug)]
pub struct WaitSettings {
    /// Give up after this long.
    pub timeout: Duration,
    /// The first delay between polls (it grows up to a minute).
    pub poll_interval: Duration,
}

impl WaitSettings {
    /// The shortest and longest delay between polls: from the poll
    /// interval up to a minute, but never longer than half the timeout, so
    /// that a timeout shorter than the poll interval still polls within it
    /// (and no combination of the two flags is refused once work was sent).
    fn delays(&self) -> (Duration, Duration) {
        let within = (self.timeout / 2).max(Duration::from_millis(1));
        let min_delay = self.poll_interval.min(within);
        let max_delay = self.poll_interval.max(LONGEST_DELAY).min(within);
        (min_delay, max_delay.max(min_delay))
    }

    /// The library's wait options for these settings (no progress
    /// callback).
    pub fn options(&self) -> WaitOptions {
        let (min_delay, max_delay) = self.delays();
        WaitOptions::default()
            .max_wait(self.timeout)
            .min_delay(min_delay)
            .max_delay(max_delay)
    }
}

/// The longest delay between two polls.
const LONGEST_DELAY: Duration = Duration::from_secs(60);

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
    let outcome = until_ctrl_c(start(options), || {
        format!("stopped waiting for {what}; the work goes on server-side")
    })
    .await;
    display.clear();
    outcome
}

/// Runs `work` until it ends or Ctrl-C is pressed; Ctrl-C ends it with
/// [`CliError::Interrupted`] and the message `interrupted` makes.
pub async fn until_ctrl_c<T>(
    work: impl Future<Output = Result<T, do_images::Error>>,
    interrupted: impl FnOnce() -> String,
) -> Result<T, CliError> {
    // Biased, Ctrl-C first: its handler is installed by the first poll,
    // before the work sends its first request, so a Ctrl-C pressed once
    // any progress is shown always ends the work here (the default handler
    // would kill doimg without a word).
    tokio::select! {
        biased;
        _ = tokio::signal::ctrl_c() => Err(CliError::Interrupted(interrupted())),
        result = work => result.map_err(CliError::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_fit_inside_any_timeout() {
        let settings = |timeout, poll_interval| WaitSettings {
            timeout: Duration::from_millis(timeout),
            poll_interval: Duration::from_millis(poll_interval),
        };
        let ms = Duration::from_millis;
        assert_eq!(settings(3_600_000, 2_000).delays(), (ms(2_000), ms(60_000)));
        assert_eq!(settings(60_000, 2_000).delays(), (ms(2_000), ms(30_000)));
        assert_eq!(settings(1_000, 2_000).delays(), (ms(500), ms(500)));
        assert_eq!(settings(1, 2_000).delays(), (ms(1), ms(1)));
        assert_eq!(
            settings(3_600_000, 120_000).delays(),
            (ms(120_000), ms(120_000))
        );
    }
}
