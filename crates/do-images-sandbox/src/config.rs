//! What a sandbox simulates: how much data, how fast things happen, which
//! limits and faults apply.

use std::time::Duration;

use crate::accounts::Account;
use crate::bounded_log::DEFAULT_LOG_CAPACITY;
use crate::faults::Faults;
use crate::spaces::SpacesConfig;

/// How long an import spends in each state before it settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportTiming {
    /// Time from the import to `pending` (the image is `NEW` before it).
    pub pending_after: Duration,
    /// Time from the import to its end: `available`, or `deleted` with an
    /// `error_message` when the URL cannot work.
    pub settled_after: Duration,
}

impl ImportTiming {
    /// An import that is `NEW` for `pending_after` and settles at
    /// `settled_after` (raised to `pending_after` if it is shorter).
    pub fn new(pending_after: Duration, settled_after: Duration) -> Self {
        Self {
            pending_after,
            settled_after: settled_after.max(pending_after),
        }
    }
}

impl Default for ImportTiming {
    /// `NEW` for 2 seconds, `pending` until 10 seconds.
    fn default() -> Self {
        Self::new(Duration::from_secs(2), Duration::from_secs(10))
    }
}

/// Per-token request limits, like the API's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Requests allowed in any sliding minute (the API's burst limit: 250).
    pub per_minute: u32,
    /// Requests allowed in any sliding hour (the API's limit: 5,000); this is
    /// the figure in `ratelimit-limit`.
    pub per_hour: u32,
}

impl RateLimits {
    /// Limits so high that no test or benchmark meets them.
    pub fn unlimited() -> Self {
        Self {
            per_minute: u32::MAX,
            per_hour: u32::MAX,
        }
    }
}

impl Default for RateLimits {
    /// The API's own: 250 a minute, 5,000 an hour.
    fn default() -> Self {
        Self {
            per_minute: 250,
            per_hour: 5_000,
        }
    }
}

/// Everything a sandbox is started with; build it with the `with_*`
/// methods.
///
/// ```
/// use std::time::Duration;
/// use do_images_sandbox::{Faults, SandboxConfig};
///
/// let config = SandboxConfig::default()
///     .with_images(5_000)
///     .with_seed(7)
///     .with_faults(Faults::none().with_latency(Duration::from_millis(50)));
/// assert_eq!(config.images, 5_000);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Seed for the generated images and for the faults.
    pub seed: u64,
    /// How many images exist at start.
    pub images: usize,
    /// The accounts, one per accepted bearer token; the first is the
    /// primary account, which owns the seeded private images.
    pub accounts: Vec<Account>,
    /// How fast imports go.
    pub import_timing: ImportTiming,
    /// How long an action (transfer, convert) stays `in-progress`.
    pub action_duration: Duration,
    /// Per-token rate limits.
    pub rate_limits: RateLimits,
    /// How long the windows of `rate_limits.per_minute` and
    /// `rate_limits.per_hour` last: a minute and an hour, as the API's, unless
    /// a test shortens them (see
    /// [`with_rate_limit_windows`](Self::with_rate_limit_windows)).
    pub rate_limit_windows: (Duration, Duration),
    /// Faults injected into responses.
    pub faults: Faults,
    /// The Spaces-compatible store started beside the API, if any.
    pub spaces: Option<SpacesConfig>,
    /// Whether an import may download from the sandbox's own API port
    /// (refused unless asked: see
    /// [`with_imports_from_its_api`](Self::with_imports_from_its_api)).
    pub imports_from_its_api: bool,
    /// How many of the most recent requests the request log keeps.
    pub request_log_capacity: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            seed: 1,
            images: 60,
            accounts: Account::defaults(),
            import_timing: ImportTiming::default(),
            action_duration: Duration::from_secs(3),
            rate_limits: RateLimits::default(),
            rate_limit_windows: (Duration::from_secs(60), Duration::from_secs(3_600)),
            faults: Faults::none(),
            spaces: Some(SpacesConfig::default()),
            imports_from_its_api: false,
            request_log_capacity: DEFAULT_LOG_CAPACITY,
        }
    }
}

impl SandboxConfig {
    /// Listens on `port` (0: any free port).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Generates data (and draws faults) from `seed`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Starts with `count` images.
    pub fn with_images(mut self, count: usize) -> Self {
        self.images = count;
        self
    }

    /// Gives the primary account `token` instead of
    /// [`DEFAULT_TOKEN`](crate::DEFAULT_TOKEN).
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        if self.accounts.is_empty() {
            self.accounts = Account::defaults();
            self.accounts.truncate(1);
        }
        self.accounts[0].token = token.into();
        self
    }

    /// Replaces the accounts (see [`Account::defaults`]); the first is the
    /// primary account. A sandbox needs at least one, each with its own
    /// token.
    pub fn with_accounts(mut self, accounts: Vec<Account>) -> Self {
        self.accounts = accounts;
        self
    }

    /// Sets how fast imports go.
    pub fn with_import_timing(mut self, timing: ImportTiming) -> Self {
        self.import_timing = timing;
        self
    }

    /// Sets how long actions take.
    pub fn with_action_duration(mut self, duration: Duration) -> Self {
        self.action_duration = duration;
        self
    }

    /// Sets the per-token rate limits.
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Counts `rate_limits.per_minute` over `burst` instead of a minute and
    /// `rate_limits.per_hour` over `hourly` instead of an hour: the API's
    /// limits scaled in time, so that a test meets them in seconds.
    pub fn with_rate_limit_windows(mut self, burst: Duration, hourly: Duration) -> Self {
        self.rate_limit_windows = (burst, hourly);
        self
    }

    /// Injects `faults` from the first request on.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Starts the Spaces store with `spaces` (it starts with
    /// [`SpacesConfig::default`] unless told otherwise).
    pub fn with_spaces(mut self, spaces: SpacesConfig) -> Self {
        self.spaces = Some(spaces);
        self
    }

    /// Lets imports download from the sandbox's own API port. Without it,
    /// an import URL (or a redirect) to that port ends the import `deleted`
    /// without a request: the API's answers are not disk images, and a
    /// URL should not make the sandbox send requests to itself. Its Spaces
    /// store and any other local server are always allowed.
    pub fn with_imports_from_its_api(mut self) -> Self {
        self.imports_from_its_api = true;
        self
    }

    /// Keeps the `capacity` most recent requests in the request log
    /// (10,000 unless told otherwise); older ones are dropped and counted
    /// in [`Stats::dropped_from_log`](crate::Stats::dropped_from_log).
    pub fn with_request_log_capacity(mut self, capacity: usize) -> Self {
        self.request_log_capacity = capacity;
        self
    }

    /// Starts no Spaces store.
    pub fn without_spaces(mut self) -> Self {
        self.spaces = None;
        self
    }
}
