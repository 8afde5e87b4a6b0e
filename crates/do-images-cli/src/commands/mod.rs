//! One module per command group, holding its clap types beside the code
//! that runs them; a large subcommand has a module of its own
//! (`images_<subcommand>`).

pub mod account_transfers;
pub mod actions;
pub mod examples;
pub mod images;
pub mod images_create;
pub mod images_distribute;
pub mod images_file;
pub mod images_list;
pub mod images_prune;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod shell;
