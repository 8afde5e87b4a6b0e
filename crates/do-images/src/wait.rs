//! Polling an image or an action until it settles.

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{Either, select};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::{Jitter, doubled};

/// What a progress callback is told after each poll.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WaitProgress {
    /// The status the poll returned, or the last one seen when the poll
    /// failed with a transient error.
    pub status: Option<String>,
    /// Time since the wait started.
    pub elapsed: Duration,
    /// Which poll this was, counting from 1.
    pub poll: u32,
    /// The transient error this poll met, if any (the wait goes on).
    pub transient_error: Option<String>,
}

type ProgressFn = Arc<dyn Fn(&WaitProgress) + Send + Sync>;

/// How a waiter polls.
///
/// The delay between polls starts at `min_delay` and doubles up to
/// `max_delay`, each delay drawn at random between `min_delay` and its cap so
/// that many waiters do not poll in step.
///
/// ```
/// use std::time::Duration;
/// use do_images::WaitOptions;
///
/// let options = WaitOptions::default()
///     .max_wait(Duration::from_secs(20 * 60))
///     .on_progress(|p| eprintln!("{:?} after {:?}", p.status, p.elapsed));
/// ```
#[derive(Clone)]
pub struct WaitOptions {
    max_wait: Duration,
    min_delay: Duration,
    max_delay: Duration,
    progress: Option<ProgressFn>,
}

impl Default for WaitOptions {
    /// 60 minutes at most (a large import takes tens of minutes), polls 2 s
    /// apart at first, growing to 60 s, no progress callback.
    fn default() -> Self {
        Self {
            max_wait: Duration::from_secs(60 * 60),
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            progress: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("max_wait", &self.max_wait)
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// The longest the wait may take before [`Error::WaitTimedOut`]: a poll
    /// still in flight then, with its retries and rate-limit sleeps, is cut.
    /// It may be shorter than `min_delay`: the waiter then polls once and
    /// waits out the rest.
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    /// The shortest delay between two polls (more than zero).
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// The longest delay between two polls (at least `min_delay`).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Called after every poll with the current status and elapsed time.
    pub fn on_progress(mut self, callback: impl Fn(&WaitProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// Checks the options as a wait does before its first poll: a positive
    /// `min_delay`, a `max_delay` at least as long. Callers that start work
    /// before waiting (an upload, then an import) check first.
    pub fn check(&self) -> Result<()> {
        if self.min_delay.is_zero() {
            return Err(Error::invalid(
                "min_delay",
                "0 s would poll without pause",
                "a positive duration",
            ));
        }
        if self.min_delay > self.max_delay {
            return Err(Error::invalid(
                "max_delay",
                format!(
                    "{:?} is shorter than min_delay {:?}",
                    self.max_delay, self.min_delay
                ),
                "a duration at least as long as min_delay",
            ));
        }
        Ok(())
    }

    fn delay(&self, poll: u32, jitter: Jitter) -> Duration {
        let cap = doubled(self.min_delay, poll, self.max_delay);
        self.min_delay.saturating_add(jitter(cap - self.min_delay))
    }
}

/// Where a polled resource stands (unnameable outside this crate).
pub enum State {
    /// The wait is over.
    Done,
    /// A failure state, with the message the API gave.
    Failed(Option<String>),
    /// Still going, with the message the API gave so far (an import's
    /// `error_message`), kept in case the resource disappears.
    Pending(Option<String>),
}

/// Polls with `poll`, which answers the status to show, the [`State`] and
/// the resource, until the state is done (the answer is the resource of
/// that poll) or failed, or `max_wait` runs out.
///
/// The deadline holds whatever the server does: each poll races it, so a
/// poll in flight, its retries and its rate-limit sleeps all end there, with
/// [`Error::WaitTimedOut`]. A 404 after at least one successful poll means
/// the resource was deleted while waited for (a failed import can be
/// purged): [`Error::WaitFailed`] with the status `gone` and the last
/// message seen. A 404 on the first poll stays a not-found error.
///
/// The error's texts from the API (status, `error_message`) have been through
/// the client's [`Redactor`](crate::Redactor).
pub(crate) async fn wait_for<T, P, F>(
    client: &Client,
    options: &WaitOptions,
    resource: &'static str,
    id: u64,
    mut poll: P,
) -> Result<T>
where
    P: FnMut() -> F,
    F: Future<Output = Result<(String, State, T)>>,
{
    options.check()?;
    let clock = client.executor().clock.as_ref();
    let start = clock.now();
    let elapsed = || clock.now().saturating_duration_since(start);
    let mut last_status: Option<String> = None;
    let mut last_message: Option<String> = None;
    let mut polls = 0u32;
    let mut pause: Option<Duration> = None;
    let failed = |status, error_message| Error::WaitFailed {
        resource,
        id,
        status,
        error_message,
    };
    let outcome = loop {
        let remaining = options.max_wait.saturating_sub(elapsed());
        if remaining.is_zero() {
            break None;
        }
        if let Some(delay) = pause.take() {
            clock.sleep(delay.min(remaining)).await;
            continue;
        }
        polls += 1;
        let Either::Right((result, _)) = select(clock.deadline(remaining), pin!(poll())).await
        else {
            break None;
        };
        let mut transient_error = None;
        let outcome = match result {
            Ok((status, state, answer)) => {
                last_status = Some(status.clone());
                match state {
                    State::Done => Some(Ok(answer)),
                    State::Failed(message) => {
                        Some(Err(failed(status, message.or(last_message.clone()))))
                    }
                    State::Pending(message) => {
                        last_message = message.or(last_message.take());
                        None
                    }
                }
            }
            Err(error) if error.status() == Some(404) && last_status.is_some() => {
                tracing::debug!(resource, id, error = ?error.to_string(), "gone while waiting");
                let status = "gone (404: deleted while waited for)".to_string();
                Some(Err(failed(status, last_message.clone())))
            }
            Err(error) if error.is_retryable() => {
                tracing::debug!(resource, id, error = ?error.to_string(), "transient error while waiting");
                transient_error = Some(error.to_string());
                None
            }
            Err(error) => break Some(Err(error)),
        };
        if let Some(progress) = &options.progress {
            progress(&WaitProgress {
                status: client.redactor().redact_option(last_status.clone()),
                elapsed: elapsed(),
                poll: polls,
                transient_error,
            });
        }
        if outcome.is_some() {
            break outcome;
        }
        pause = Some(options.delay(polls - 1, &|max| clock.jitter(max)));
    };
    outcome
        .unwrap_or_else(|| {
            Err(Error::WaitTimedOut {
                resource,
                id,
                last_status,
                waited: elapsed(),
            })
        })
        .map_err(|error| error.redacted(client.redactor()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_from_min_to_max() {
        let options = WaitOptions::default().on_progress(|_| {});
        let shown = format!("{options:?}");
        assert!(
            shown.contains("max_wait: 3600s") && shown.contains("progress: true"),
            "{shown}"
        );
        let most = (0..7).map(|n| options.delay(n, &|max| max).as_secs());
        assert_eq!(most.collect::<Vec<_>>(), [2, 4, 8, 16, 32, 60, 60]);
        let mut least = (0..7).map(|n| options.delay(n, &|_| Duration::ZERO));
        assert!(least.all(|delay| delay == options.min_delay));
        let zero = WaitOptions::default().min_delay(Duration::ZERO).check();
        assert!(zero.is_err());
        let inverted = WaitOptions::default()
            .min_delay(Duration::from_secs(10))
            .max_delay(Duration::from_secs(5));
        let error = inverted.check().unwrap_err().to_string();
        assert!(error.contains("min_delay"), "{error}");
    }
}
