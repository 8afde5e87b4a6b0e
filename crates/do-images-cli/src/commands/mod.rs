//! One module per command group.

pub mod actions;
pub mod images;
pub mod sandbox;
pub mod shell;
