//! What exists and how it changes: images, their actions and account
//! transfers, the imports and actions in flight, and the seeded data.

mod account_transfers;
mod seed;
mod store;
mod transfers;
mod work;

pub(crate) use store::{ImageFilter, Store};
