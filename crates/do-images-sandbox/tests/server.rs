//! The sandbox over real HTTP on 127.0.0.1, one module per topic in one test
//! binary, so the server is linked once. The conformance check, which needs
//! the unpublished spec crate, is a binary of its own, left out of the package.

#[path = "common/mod.rs"]
mod common;

#[path = "server/account_transfers.rs"]
mod account_transfers;
#[path = "server/api.rs"]
mod api;
#[path = "server/imports_from_urls.rs"]
mod imports_from_urls;
#[path = "server/spaces.rs"]
mod spaces;
#[path = "server/trailing_slash.rs"]
mod trailing_slash;
