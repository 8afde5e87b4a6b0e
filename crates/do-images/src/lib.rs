//! A DigitalOcean Images API client: typed errors, safe retries, rate limits,
//! pagination streams and waiters, on top of the generated
//! [`do_images_api`] crate.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use do_images::{Client, ImageListType, WaitOptions};
//!
//! # async fn example() -> do_images::Result<()> {
//! // DIGITALOCEAN_ACCESS_TOKEN, else DIGITALOCEAN_TOKEN.
//! let client = Client::from_env()?;
//!
//! // Every distribution image, 200 a page, pages fetched ahead.
//! let mut images = client.images().list().kind(ImageListType::Distribution).stream();
//! while let Some(image) = images.try_next().await? {
//!     println!("{} {}", image.id, image.name);
//! }
//!
//! // Import an image and wait until it can be used.
//! let image = client
//!     .images()
//!     .create_custom("my-image", "https://example.com/disk.qcow2", "nyc3")
//!     .distribution("Ubuntu")
//!     .send()
//!     .await?
//!     .wait(WaitOptions::default())
//!     .await?;
//! println!("{} is {}", image.id, image.status);
//! # Ok(()) }
//! ```
//!
//! - [`Client`]: built from a token, the environment or [`ClientBuilder`];
//!   cheap to clone; never shows its token.
//! - [`Client::images`] and [`Client::actions`]: the eight operations, each a
//!   builder ending in `.send()`; listings ([`List`]) end in `.stream()`,
//!   `.pages()` or `.collect_all()`, waiters ([`Wait`]) in `.send()` too.
//! - The result type is chosen at that terminal call, once: `send()`
//!   (`stream()`, `collect_all()`) gives the model; `send_json()`
//!   (`stream_json()`, `collect_all_json()`) gives [`serde_json::Value`],
//!   the object exactly as the API sent it (every field, `null`s, fields
//!   the spec does not know; its key order too when your program turns on
//!   serde_json's `preserve_order`); `send_as::<T>()` reads it as any type
//!   that deserializes from it, such as your own struct or
//!   `Box<serde_json::value::RawValue>`, the object's JSON text exactly as
//!   sent, with nothing built per item. Every answer is requested once and
//!   decoded once, whatever the reading; a body that does not fit names
//!   the path of the field (and, in a listing, the item).
//! - [`Client::api`] and [`Client::call`]: any operation of the generated
//!   [`do_images_api`] client, through the same executor, with this
//!   crate's errors, as soon as `cargo xtask generate` has produced it;
//!   [`parts`] for listing it.
//! - [`Error`]: one error type; [`Error::is_retryable`] tells the truth.
//! - [`RetryPolicy`]: which requests are retried, and how long the client
//!   waits.
//! - [`RequestLimits`]: how every call of a client stays under the API's
//!   request rates (250 a minute, 5,000 an hour), fetched-ahead pages
//!   included.
//! - [`PageStream`]: how pages are followed, fetched ahead and checked.
//! - [`Clock`]: injectable time and randomness, for tests (`ManualClock`,
//!   in the `do-images-test-util` crate).
//! - [`retention`] ([`Images::prune`]) and [`distribution`]
//!   ([`Images::distribute`]): compound operations built from the calls
//!   above, each behind a default feature of the same name; both tell
//!   their steps as [`Progress`].
//!
//! Features: `rustls` (default) or `native-tls` choose the TLS backend (with
//! neither, only `http://` URLs such as a local sandbox work); `schemars`
//! derives `schemars::JsonSchema` for [`Image`], [`Action`] and the other
//! models, so they can be described in your own schemas; `retention`
//! (default, brings in `regex`) and `distribution` (default) turn on the
//! modules of those names.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod account_transfers;
mod actions;
mod call;
mod client;
mod clock;
#[cfg(any(feature = "retention", feature = "distribution"))]
mod compound;
mod error;
mod executor;
mod images;
mod listing;
mod paginate;
mod rate_limit;
mod request_limits;
mod retry;
mod secret;
mod started;
mod sync;
mod wait;

pub use account_transfers::{AccountTransfers, StartTransfer, TransferStarted, TransferStep};
pub use actions::{Actions, GetAction, ListActions, PostAction, StartedAction, WaitForAction};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_BODY_SIZE, Id, TOKEN_ENV_VARS,
};
pub use clock::{Clock, Sleep, TokioClock};
#[cfg(any(feature = "retention", feature = "distribution"))]
pub use compound::Progress;
#[cfg(feature = "distribution")]
pub use compound::distribution;
#[cfg(feature = "retention")]
pub use compound::retention;
pub use do_images_redact::{REDACTED, Redactor, redact_patterns};
pub use error::{Error, Result};
pub use images::{
    CreateCustomImage, CreatedImage, DeleteImage, FindImagesByName, GetImage, Images, ListImages,
    UpdateImage, WaitForImage,
};
pub use listing::List;
pub use paginate::{DEFAULT_FETCH_AHEAD, ItemStream, Page, PageStream};
pub use rate_limit::RateLimitStatus;
pub use request_limits::RequestLimits;
pub use retry::RetryPolicy;
pub use secret::Token;
pub use started::{Started, Wait};
pub use wait::{WaitOptions, WaitProgress};

pub use do_images_api::ImageRef;
pub use do_images_api::open_enums::{
    ActionStatus, Distribution, ImageListType, ImageStatus, ImageType, RegionSlug,
};
pub use do_images_api::types::{Action, Image, Region};

/// The generic parts the builders are made of. A user of the builders never
/// names them; they are here for reading the builders' types
/// ([`ListImages`] is a [`List`] of an [`ImageQuery`](parts::ImageQuery))
/// and for listing an operation that has no builder here yet: implement
/// [`Query`](parts::Query) for it and make a [`List::new`].
pub mod parts {
    pub use crate::actions::ActionQuery;
    pub use crate::images::ImageQuery;
    pub use crate::listing::Query;
    pub use crate::started::{ActionTarget, ImageTarget, Target};
}

/// The generated low-level client this crate is built on (the version
/// [`Client::api`] returns), so that its types can be named without adding
/// a matching `do-images-api` dependency.
pub use do_images_api as api;
/// The reqwest behind [`ClientBuilder::http_client`], so that a client of
/// your own is built with the same version.
pub use reqwest;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
