//! A local, stateful simulation of the DigitalOcean Images API.
//!
//! The sandbox is a real HTTP server on 127.0.0.1 that answers every Images
//! operation (with or without a trailing slash) the way the API does:
//! bearer-token authentication with several accounts in teams (see
//! [`Account`]), image account transfers between them,
//! the documented error bodies (`unauthorized`, `not_found`,
//! `unprocessable_entity` naming the bad field, `too_many_requests`),
//! pagination with absolute `links.pages` and `meta.total`, the `type`,
//! `private` and `tag_name` filters, per-token rate limits with the
//! `ratelimit-*` headers, and work that takes time: an import goes `NEW`,
//! `pending`, then `available` (or `deleted` with an `error_message` when
//! its URL cannot work), and transfers and converts go `in-progress`, then
//! `completed` or `errored`, one at a time per image (another action while
//! one runs is a 422).
//!
//! Its data is generated from a seed, in any amount (100,000 images start
//! in well under a second), with regions and distributions the docs do not
//! list, and what a retention policy must tell apart: name series
//! (`web-*`, `db-*`, ...) spread over weeks, snapshots, backups, custom
//! images, failed imports and imports still running. Faults can be
//! injected on demand: latency, 429s, JSON 500s, HTML 503s, connections
//! dropped mid-body and slow answers, drawn from the seed. The most recent
//! requests are logged for tests to assert on, and counted in [`Stats`].
//!
//! It stays a local toy: it listens on 127.0.0.1 only and answers only
//! requests whose `Host` is a loopback name or address (a web page that
//! rebinds its name to 127.0.0.1 is refused), its logs and per-token state
//! are bounded, an import never fetches from the sandbox's own API, and an
//! import's error message never repeats what the fetched URL answered.
//!
//! Beside the API runs a Spaces-compatible S3 store ([`SpacesStore`], from
//! [`RunningSandbox::spaces`]): SigV4-checked, path-style, one bucket, with
//! its objects, unfinished multipart uploads and requests open to tests
//! and `UploadPart` requests or the answer to a completed multipart upload
//! cut, or aborts held, on demand ([`SpacesFaults`]). An import
//! from a URL on 127.0.0.1 (such as a presigned URL of that store) is
//! really downloaded, and what it serves decides the outcome.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use do_images_sandbox::{Faults, ImportTiming, Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(
//!     SandboxConfig::default()
//!         .with_images(5_000)
//!         .with_import_timing(ImportTiming::new(
//!             Duration::from_millis(100),
//!             Duration::from_millis(500),
//!         ))
//!         .with_faults(Faults::none().with_server_errors(0.1)),
//! )
//! .await?;
//! // Point any client at sandbox.base_url() with sandbox.token().
//! assert_eq!(sandbox.stats().requests, 0);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod accounts;
mod api;
mod bounded_log;
#[cfg(feature = "cli")]
mod cli;
mod config;
mod faults;
mod imports;
mod loopback;
mod sandbox;
mod spaces;
/// The values the spec lists for each of its string enums (generated from
/// spec/images.yaml by `cargo xtask generate`).
#[rustfmt::skip] // generated: formatted by the xtask, checked for drift by `cargo xtask check`
pub mod spec_values;
mod state;
mod stats;
mod wire;

pub use accounts::{Account, DEFAULT_TOKEN};
#[cfg(feature = "cli")]
#[cfg_attr(docsrs, doc(cfg(feature = "cli")))]
pub use cli::{ServeArgs, serve_until_ctrl_c};
pub use config::{ImportTiming, RateLimits, SandboxConfig};
pub use faults::{FaultKind, Faults};
pub use sandbox::{RunningSandbox, Sandbox, SandboxError};
pub use spaces::{
    DEFAULT_SPACES_ACCESS_KEY_ID, DEFAULT_SPACES_SECRET_ACCESS_KEY, MultipartUpload, SpacesAccess,
    SpacesConfig, SpacesError, SpacesFaults, SpacesStore, StoreOperation, StoreOutcome,
    StoreRequest, StoredObject,
};
pub use stats::{RequestRecord, Stats};

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
