//! The library against httpmock on 127.0.0.1, over real HTTP. Time is a
//! `ManualClock`: retries and waiter polls never sleep for real.

#[path = "behaviour/account_transfers.rs"]
mod account_transfers;
#[path = "behaviour/common.rs"]
mod common;
#[path = "behaviour/distribute.rs"]
mod distribute;
#[path = "behaviour/generated_calls.rs"]
mod generated_calls;
#[path = "behaviour/idempotent_delete.rs"]
mod idempotent_delete;
#[path = "behaviour/odd_items.rs"]
mod odd_items;
#[path = "behaviour/operations.rs"]
mod operations;
#[path = "behaviour/pagination.rs"]
mod pagination;
#[path = "behaviour/prune.rs"]
mod prune;
#[path = "behaviour/raw_json.rs"]
mod raw_json;
#[path = "behaviour/retries.rs"]
mod retries;
#[path = "behaviour/waiter_limits.rs"]
mod waiter_limits;
#[path = "behaviour/waiters.rs"]
mod waiters;
