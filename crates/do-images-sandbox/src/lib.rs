//! A local, stateful simulation of the DigitalOcean Images API.
//!
//! The sandbox is a real HTTP server on 127.0.0.1 that answers all eight
//! Images operations the way the API does: bearer-token authentication,
//! the documented error bodies (`unauthorized`, `not_found`,
//! `unprocessable_entity` naming the bad field, `too_many_requests`),
//! pagination with absolute `links.pages` and `meta.total`, the `type`,
//! `private` and `tag_name` filters, per-token rate limits with the
//! `ratelimit-*` headers, and work that takes time: an import goes `NEW`,
//! `pending`, then `available` (or `deleted` with an `error_message` when
//! its URL cannot work), and transfers and converts go `in-progress`, then
//! `completed` or `errored`.
//!
//! Its data is generated from a seed, in any amount (100,000 images start
//! in well under a second), with regions and distributions the docs do not
//! list. Faults can be injected on demand: latency, 429s, JSON 500s, HTML
//! 503s, connections dropped mid-body and slow answers, drawn from the
//! seed. Every request is logged for tests to assert on.
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

mod api_error;
mod config;
mod faults;
mod import_check;
mod lifecycle;
mod model;
mod pagination;
mod rate_limit;
mod regions;
mod request_layer;
mod requests;
mod routes;
mod seed;
#[cfg(feature = "cli")]
mod serve;
mod server;
mod shared;
mod stats;
mod store;

pub use config::{DEFAULT_TOKEN, ImportTiming, RateLimits, SandboxConfig};
pub use faults::{FaultKind, Faults};
#[cfg(feature = "cli")]
pub use serve::{ServeArgs, serve_until_ctrl_c};
pub use server::{RunningSandbox, Sandbox, SandboxError};
pub use stats::{RequestRecord, Stats};
