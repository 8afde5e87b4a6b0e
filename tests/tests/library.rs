//! The library against the sandbox over real HTTP on 127.0.0.1: stateful
//! life cycles and faults. One test binary, one module per topic, so the
//! whole stack is linked once. Tests that change process-wide state (the
//! proxy environment variables) and the pydo test keep binaries of their own.

#[path = "library/account_transfers.rs"]
mod account_transfers;
#[path = "library/distribute.rs"]
mod distribute;
#[path = "library/failure_modes.rs"]
mod failure_modes;
#[path = "library/file_import.rs"]
mod file_import;
#[path = "library/idempotent_delete.rs"]
mod idempotent_delete;
#[path = "library/json_schema.rs"]
mod json_schema;
#[path = "library/lifecycle.rs"]
mod lifecycle;
#[path = "library/listing.rs"]
mod listing;
#[path = "library/prune.rs"]
mod prune;
#[path = "library/rate_limits.rs"]
mod rate_limits;
#[path = "library/request_limiter.rs"]
mod request_limiter;
#[path = "library/wait_deadline.rs"]
mod wait_deadline;
