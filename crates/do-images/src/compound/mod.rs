//! The compound operations, built from the client's ordinary calls (so
//! they keep its request limits, retries and error reporting), each behind
//! a default feature of its own name; both tell their steps as
//! [`Progress`].

#[cfg(feature = "distribution")]
#[cfg_attr(docsrs, doc(cfg(feature = "distribution")))]
pub mod distribution;
mod progress;
#[cfg(feature = "retention")]
#[cfg_attr(docsrs, doc(cfg(feature = "retention")))]
pub mod retention;

pub use progress::Progress;
