//! Work that goes on server-side while doimg waits, and what the user sees
//! of it on stderr: a wait's status line, a file import's upload bar, a
//! distribution's regions, a prune's deletions.

mod image_steps;
mod import_display;
mod prune_display;
mod wait_display;
mod waiting;

pub use image_steps::DistributeDisplay;
pub use import_display::ImportDisplay;
pub use prune_display::PruneDisplay;
pub use waiting::{WaitSettings, run_wait, until_ctrl_c};
