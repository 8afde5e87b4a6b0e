//! State shared by every request of one running sandbox.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use url::Url;

use super::rate_limit::RateLimiter;
use crate::accounts::Accounts;
use crate::bounded_log::BoundedLog;
use crate::config::SandboxConfig;
use crate::faults::{FaultKind, Faults};
use crate::imports::Importer;
use crate::state::Store;
use crate::stats::{RequestRecord, Stats};

/// The fault settings and the seeded dice they are drawn with.
struct FaultDice {
    faults: Faults,
    rng: fastrand::Rng,
}

/// The most recent requests, and counters over all of them.
struct RequestLog {
    recent: BoundedLog<RequestRecord>,
    stats: Stats,
}

/// Everything a request may touch.
pub(crate) struct Shared {
    pub accounts: Accounts,
    pub base_url: Url,
    store: Mutex<Store>,
    /// Keyed by account index; `None` stands for every unknown token, so
    /// made-up tokens share one budget and cannot grow the limiter.
    limiter: Mutex<RateLimiter<Option<usize>>>,
    dice: Mutex<FaultDice>,
    log: Mutex<RequestLog>,
    requests: AtomicU64,
}

/// Locks `mutex`; a panic elsewhere never makes the sandbox unusable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn new(config: &SandboxConfig, base_url: Url) -> Self {
        // Imports never fetch from the API itself unless the config says so.
        let own_ports = match base_url.port() {
            Some(port) if !config.imports_from_its_api => vec![port],
            _ => Vec::new(),
        };
        Self {
            accounts: Accounts::new(&config.accounts),
            base_url,
            store: Mutex::new(Store::seeded(
                config.images,
                config.seed,
                &config.accounts[0].team_uuid,
                config.import_timing,
                config.action_duration,
                Importer::new(own_ports).echoing_urls(config.faults.echo_import_urls),
            )),
            limiter: Mutex::new(RateLimiter::new(
                config.rate_limits,
                config.rate_limit_windows,
            )),
            dice: Mutex::new(FaultDice {
                faults: config.faults,
                rng: fastrand::Rng::with_seed(config.seed ^ 0x5eed_fa17),
            }),
            log: Mutex::new(RequestLog {
                recent: BoundedLog::new(config.request_log_capacity),
                stats: Stats::default(),
            }),
            requests: AtomicU64::new(0),
        }
    }

    /// The store, with imports and actions brought up to date.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        let mut store = lock(&self.store);
        store.settle(Instant::now());
        store
    }

    pub fn limiter(&self) -> MutexGuard<'_, RateLimiter<Option<usize>>> {
        lock(&self.limiter)
    }

    /// The fault settings and the fault drawn for the next request.
    pub fn draw_fault(&self) -> (Faults, Option<FaultKind>) {
        let mut dice = lock(&self.dice);
        let draw = dice.rng.f64();
        (dice.faults, dice.faults.pick(draw))
    }

    /// Whether the answer to this `DELETE` is to be lost, counting it
    /// against [`Faults::lost_delete_answers`].
    pub fn take_lost_delete_answer(&self) -> bool {
        let mut dice = lock(&self.dice);
        let left = &mut dice.faults.lost_delete_answers;
        let lost = *left > 0;
        *left = left.saturating_sub(1);
        lost
    }

    pub fn set_faults(&self, faults: Faults) {
        lock(&self.dice).faults = faults;
    }

    /// A fresh request id.
    pub fn next_request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        format!("sandbox-{n:08}")
    }

    pub fn record(&self, record: RequestRecord) {
        let mut log = lock(&self.log);
        log.stats.count(&record);
        log.recent.push(record);
    }

    /// The most recent requests, oldest first.
    pub fn log(&self) -> Vec<RequestRecord> {
        lock(&self.log).recent.kept()
    }

    /// Counters over every request so far.
    pub fn stats(&self) -> Stats {
        let log = lock(&self.log);
        Stats {
            dropped_from_log: log.recent.dropped(),
            ..log.stats.clone()
        }
    }
}
