//! Work that goes on server-side while doimg waits, and what the user sees
//! of it on stderr: a wait's status line, a file import's upload bar.

mod import_display;
mod wait_display;
mod waiting;

pub use import_display::ImportDisplay;
pub use waiting::{WaitSettings, run_wait};
