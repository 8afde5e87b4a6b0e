//! Printing results: aligned columns or JSON.

pub mod columns;
pub mod escape;
pub mod json;
pub mod print;
pub mod prune_plan;
pub mod redaction;
pub mod rows;
pub mod stderr;
pub mod table;

pub use columns::{Columns, Row};
pub use json::JsonArray;
pub use print::{OutputOptions, Raw, Shown};
pub use table::Table;
