//! [`Client`] and its [`ClientBuilder`].

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use do_images_api::open_enums::RegionSlug;
use do_images_api::{ClientInfo, Transport};
use reqwest::header::HeaderValue;
use url::{Host, Url};

use crate::account_transfers::AccountTransfers;
use crate::actions::Actions;
use crate::clock::{Clock, TokioClock};
use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::images::Images;
use crate::rate_limit::RateLimitStatus;
use crate::request_limits::{Limiter, RequestLimits};
use crate::retry::RetryPolicy;
use crate::secret::Token;
use crate::sync::lock;
use do_images_redact::{Redactor, redact_patterns};

/// The environment variables [`Client::from_env`] reads, in order.
pub const TOKEN_ENV_VARS: [&str; 2] = ["DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_TOKEN"];

/// The API's address.
pub const DEFAULT_BASE_URL: &str = "https://api.digitalocean.com";

/// The default largest answer body the client reads: 16 MiB. A page of 200
/// images is about 100 KiB.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 16 * 1024 * 1024;

/// A DigitalOcean Images API client.
///
/// Cloning is cheap (one `Arc`), and clones share the connection pool and the
/// last rate-limit state. `Debug` shows the configuration, never the token.
///
/// ```no_run
/// # async fn example() -> do_images::Result<()> {
/// let client = do_images::Client::from_env()?;
/// let image = client.images().get("ubuntu-24-04-x64").send().await?;
/// println!("{:?} is {:?}", image.name, image.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    api: do_images_api::Client,
    /// The executor the generated client's hooks use too.
    executor: Arc<Executor>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &redact_patterns(self.base_url()))
            .field("user_agent", &self.inner.executor.user_agent)
            .field("token", &"***")
            .field("retry_policy", &self.inner.executor.policy)
            .finish()
    }
}

impl Client {
    /// A client for the real API with `token` and the default settings.
    ///
    /// ```no_run
    /// let client = do_images::Client::new("dop_v1_...")?;
    /// # Ok::<(), do_images::Error>(())
    /// ```
    pub fn new(token: impl Into<Token>) -> Result<Self> {
        Self::builder().token(token).build()
    }

    /// A client whose token comes from `DIGITALOCEAN_ACCESS_TOKEN`, or else
    /// `DIGITALOCEAN_TOKEN`; an [`Error::Config`] naming both when neither
    /// is set.
    pub fn from_env() -> Result<Self> {
        Self::builder().build()
    }

    /// A builder for every setting.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use do_images::{Client, RetryPolicy};
    ///
    /// let client = Client::builder()
    ///     .token("dop_v1_...")
    ///     .request_timeout(Duration::from_secs(30))
    ///     .retry_policy(RetryPolicy::default().with_max_attempts(6))
    ///     .build()?;
    /// # Ok::<(), do_images::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The image operations.
    pub fn images(&self) -> Images {
        Images::new(self.clone())
    }

    /// The operations on the actions of image `image_id`. An id that is not
    /// a positive integer is reported by the operation's `send`.
    pub fn actions(&self, image_id: impl Id) -> Actions {
        Actions::new(self.clone(), checked_id("image id", image_id))
    }

    /// The account transfers of image `image_id`: hand a private snapshot
    /// to another account or team. An id that is not a positive integer is
    /// reported by the operation's `send`.
    pub fn account_transfers(&self, image_id: impl Id) -> AccountTransfers {
        AccountTransfers::new(self.clone(), checked_id("image id", image_id))
    }

    /// The rate-limit state of the last answer the client received, from any
    /// clone.
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        *lock(&self.inner.executor.last_rate_limit)
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.api.baseurl()
    }

    /// The generated client of [`do_images_api`], wired to this client:
    /// every request it sends goes through the same executor as this
    /// crate's own calls (token, user agent, retries, rate limits, body size
    /// limit). Use it for an operation that has no builder here yet (one
    /// just added to the spec and generated): pass its builder to
    /// [`call`](Self::call) or [`call_as`](Self::call_as) for this crate's
    /// [`Error`], with the status and request id of every failed answer.
    /// Its own `.send()` works too, with progenitor's error type: a body
    /// over the size limit then fails to read, with the limit as the cause.
    ///
    /// ```no_run
    /// # async fn example(client: do_images::Client) -> do_images::Result<()> {
    /// let api = client.api();
    /// let page = client.call(api.images_list().per_page(20u64)).await?;
    /// println!("{} images", page.meta.total);
    /// # Ok(()) }
    /// ```
    pub fn api(&self) -> &do_images_api::Client {
        &self.inner.api
    }

    /// What removes this client's secrets (its token, the password of its
    /// base URL), presigned queries and URL passwords from text: every
    /// error this crate returns has been through it. Extend it
    /// ([`Redactor::with_secret`]) with other secrets before showing text
    /// from elsewhere.
    pub fn redactor(&self) -> &Redactor {
        &self.inner.executor.redactor
    }

    pub(crate) fn executor(&self) -> &Executor {
        &self.inner.executor
    }
}

/// An id argument: any integer type (`u64`, `i64`, `u32`, ...). One that
/// is not a positive integer is refused by the operation's `send`, with
/// [`Error::InvalidInput`].
pub trait Id: TryInto<u64> + fmt::Display + Copy {}

impl<I: TryInto<u64> + fmt::Display + Copy> Id for I {}

/// A checked argument, or why it was refused.
pub(crate) type Checked<T> = std::result::Result<T, Refusal>;

/// `id` if it is positive, or a refusal naming `what`.
pub(crate) fn checked_id(what: &'static str, id: impl Id) -> Checked<u64> {
    match id.try_into() {
        Ok(value) if value >= 1 => Ok(value),
        _ => Err(Refusal::new(
            what,
            format!("{id} is not a positive integer"),
            "an integer from 1 upwards",
        )),
    }
}

/// `region` if it is not blank, or a refusal.
pub(crate) fn checked_region(region: RegionSlug) -> Checked<RegionSlug> {
    match region.as_str().trim() {
        "" => Err(Refusal::new(
            "region",
            "the region is empty",
            "a region slug such as nyc3",
        )),
        _ => Ok(region),
    }
}

/// An argument refused before anything was sent: an
/// [`Error::InvalidInput`] that clones, so that a builder (or a handle such
/// as [`Actions`], for each of its operations) can hold it until `send`,
/// where `?` turns it into the [`Error`].
#[derive(Clone, Debug)]
pub(crate) struct Refusal {
    what: &'static str,
    problem: String,
    allowed: &'static str,
}

impl Refusal {
    pub(crate) fn new(
        what: &'static str,
        problem: impl fmt::Display,
        allowed: &'static str,
    ) -> Self {
        Self {
            what,
            problem: problem.to_string(),
            allowed,
        }
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::invalid(refusal.what, refusal.problem, refusal.allowed)
    }
}

/// Builds a [`Client`]. Every setting has a default; only the token is
/// needed, and it is read from the environment when not given.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    token: Option<Token>,
    base_url: String,
    user_agent: String,
    connect_timeout: Duration,
    request_timeout: Duration,
    retry_policy: RetryPolicy,
    request_limits: RequestLimits,
    http_client: Option<reqwest::Client>,
    clock: Arc<dyn Clock>,
    max_body_size: u64,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            user_agent: concat!("do-images/", env!("CARGO_PKG_VERSION")).to_string(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry_policy: RetryPolicy::default(),
            request_limits: RequestLimits::default(),
            http_client: None,
            clock: Arc::new(TokioClock),
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }
}

impl ClientBuilder {
    /// The access token. Without it, [`build`](Self::build) reads
    /// `DIGITALOCEAN_ACCESS_TOKEN`, then `DIGITALOCEAN_TOKEN`.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Where to send requests (default `https://api.digitalocean.com`). A
    /// plain `http://` URL is refused unless its host is a loopback address
    /// (`localhost`, `127.0.0.0/8`, `::1`), so that the token never crosses
    /// a network in clear; such a URL is reached directly, never through a
    /// proxy (`HTTP_PROXY`, `ALL_PROXY` and the like are ignored for it).
    /// An `https://` URL honours `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`;
    /// the proxy gets a `CONNECT` and never sees the token.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The `User-Agent` header (default `do-images/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How long establishing a connection may take (default 10 s). Ignored
    /// with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt of a request may take, body included (default
    /// 60 s). Ignored with [`http_client`](Self::http_client).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::default`];
    /// [`RetryPolicy::disabled`] turns retries off).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// The request rates the client keeps under, shared by every call of
    /// the client and its clones (default [`RequestLimits::default`], the
    /// API's 250 a minute and 5,000 an hour; [`RequestLimits::none`] turns
    /// the limiter off). See [`RequestLimits`] for how requests are counted.
    pub fn request_limits(mut self, limits: RequestLimits) -> Self {
        self.request_limits = limits;
        self
    }

    /// Sends requests with this `reqwest::Client` (its own timeouts, proxy,
    /// redirect and TLS settings apply, so the rules of the default client,
    /// no proxy for plain http and no redirect followed, are yours to
    /// keep). The token and user agent are still added by this crate.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The clock for retry backoff, waiter polling and their jitter
    /// (default [`TokioClock`]); tests pass a `ManualClock` (crate
    /// `do-images-test-util`).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The largest answer body read, in bytes (default 16 MiB). A larger
    /// body is not buffered: the call fails with [`Error::BodyTooLarge`].
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let token = match self.token {
            Some(token) => token,
            None => token_from(|name| std::env::var(name).ok())?,
        };
        if token.expose().is_empty() {
            return Err(Error::Config("the access token is empty".into()));
        }
        let base_url = check_base_url(&self.base_url)?;
        let redactor = secrets_of(&token, &base_url);
        let authorization = do_images_api::bearer_header(token.expose()).map_err(|_| {
            Error::Config(
                "the access token has characters that cannot be sent in an HTTP header \
                 (only visible ASCII is allowed)"
                    .into(),
            )
        })?;
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::Config(format!(
                "the user agent {:?} has characters an HTTP header cannot carry",
                self.user_agent
            ))
        })?;
        let http = match self.http_client {
            Some(client) => client,
            None => {
                // The API does not redirect; following a redirect would
                // re-send a request (its body, perhaps an import URL)
                // elsewhere. A 3xx becomes `Error::Redirect`.
                let mut http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.request_timeout);
                if base_url.starts_with("http://") {
                    // Plain http is only allowed to loopback (checked above);
                    // a proxy there would receive the token in clear, so
                    // none is used. Over https the environment's proxies
                    // apply, through CONNECT: the proxy sees the host, never
                    // the token.
                    http = http.no_proxy();
                    // This client never speaks TLS, so no root certificates
                    // are loaded (a few milliseconds of CPU in every
                    // short-lived process).
                    #[cfg(any(feature = "rustls", feature = "native-tls"))]
                    {
                        http = http.tls_certs_only(std::iter::empty());
                    }
                }
                http.build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let executor = Arc::new(Executor {
            authorization,
            user_agent,
            policy: self.retry_policy,
            limiter: Limiter::new(&self.request_limits, self.clock.clone()),
            clock: self.clock,
            last_rate_limit: Arc::new(Mutex::new(None)),
            max_body_size: self.max_body_size,
            redactor,
        });
        let transport = Transport::new(executor.clone());
        let api = do_images_api::Client::new_with_client(&base_url, http, transport);
        Ok(Client {
            inner: Arc::new(Inner { api, executor }),
        })
    }
}

/// The token from the first of [`TOKEN_ENV_VARS`] that `lookup` finds set
/// and not empty.
fn token_from(lookup: impl Fn(&str) -> Option<String>) -> Result<Token> {
    TOKEN_ENV_VARS
        .iter()
        .filter_map(|name| lookup(name))
        .map(Token::new)
        .find(|token| !token.expose().is_empty())
        .ok_or_else(|| {
            Error::Config(format!(
                "no DigitalOcean access token: set {} or {}, or pass one to Client::new",
                TOKEN_ENV_VARS[0], TOKEN_ENV_VARS[1]
            ))
        })
}

/// What a client removes from text: its token and the user and password of
/// its base URL (as written and decoded).
fn secrets_of(token: &Token, base_url: &str) -> Redactor {
    let mut redactor = Redactor::new().with_secret(token.expose());
    if let Ok(url) = Url::parse(base_url) {
        for part in [url.username(), url.password().unwrap_or_default()] {
            let decoded = percent_encoding::percent_decode_str(part).decode_utf8_lossy();
            redactor = redactor.with_secret(part).with_secret(decoded);
        }
    }
    redactor
}

/// The base URL parsed, refusing plain http to a host that is not
/// loopback, and without a trailing `/`; its errors show it without a
/// password.
fn check_base_url(raw: &str) -> Result<String> {
    let shown = redact_patterns(raw);
    let url = Url::parse(raw)
        .map_err(|e| Error::Config(format!("the base URL {shown:?} is not a valid URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
                Some(Host::Ipv4(ip)) => ip.is_loopback(),
                Some(Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(Error::Config(format!(
                    "refusing to send the token over plain http to {}: https is required \
                     (http is only allowed for localhost, 127.0.0.0/8 and ::1)",
                    url.host_str().unwrap_or("(no host)")
                )));
            }
        }
        other => {
            return Err(Error::Config(format!(
                "the base URL {shown:?} has scheme {other:?}; https is required"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "the base URL {shown:?} must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_lookup_prefers_the_access_token_and_names_both_when_missing() {
        let both = |name: &str| Some(format!("from {name}"));
        let token = token_from(both).unwrap();
        assert_eq!(token.expose(), "from DIGITALOCEAN_ACCESS_TOKEN");
        let second = |name: &str| (name == "DIGITALOCEAN_TOKEN").then(|| "second".to_string());
        assert_eq!(token_from(second).unwrap().expose(), "second");
        let missing = token_from(|_| None).unwrap_err().to_string();
        assert!(
            missing.contains("set DIGITALOCEAN_ACCESS_TOKEN or DIGITALOCEAN_TOKEN"),
            "{missing}"
        );
    }

    #[test]
    fn a_base_url_loses_its_trailing_slash() {
        let url = check_base_url("http://localhost:3000/").unwrap();
        assert_eq!(url, "http://localhost:3000");
    }

    #[test]
    fn a_refused_id_is_named_with_its_value() {
        let error = Error::from(checked_id("image id", -1i64).unwrap_err()).to_string();
        assert!(error.contains("image id: -1 is not"), "{error}");
    }
}
