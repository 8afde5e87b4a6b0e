//! `doimg` as a user runs it: a real process against the sandbox on
//! 127.0.0.1, text output compared with golden files. One test binary, one
//! module per command group or concern, so the stack is linked once.

mod common;

#[path = "cli/account_transfers.rs"]
mod account_transfers;
#[path = "cli/actions.rs"]
mod actions;
#[path = "cli/doctl_command_lines.rs"]
mod doctl_command_lines;
#[path = "cli/doctl_habits.rs"]
mod doctl_habits;
#[path = "cli/file_import.rs"]
mod file_import;
#[path = "cli/global.rs"]
mod global;
#[path = "cli/help.rs"]
mod help;
#[path = "cli/hostile_text.rs"]
mod hostile_text;
#[path = "cli/images.rs"]
mod images;
#[path = "cli/lifecycle.rs"]
mod lifecycle;
#[path = "cli/pipes.rs"]
mod pipes;
#[path = "cli/prune_safety.rs"]
mod prune_safety;
#[path = "cli/secrets.rs"]
mod secrets;
