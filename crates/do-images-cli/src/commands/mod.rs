//! One module per command group.

pub mod actions;
pub mod images;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod shell;
