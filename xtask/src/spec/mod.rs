//! The API description: vendored upstream, our overlay, the built fragment,
//! and `cargo xtask spec update`.

pub mod build;
pub mod bundle;
pub mod depended;
pub mod drift;
pub mod model;
pub mod normalize;
pub mod overlay;
pub mod report;
pub mod source;
pub mod update;
pub mod vendor;
pub mod yaml;

#[cfg(test)]
mod update_tests;
