use std::sync::Arc;

use do_images::{Client, ClientBuilder, ManualClock, MaxJitter};
use httpmock::MockServer;
use serde_json::{Value, json};

pub const TOKEN: &str = "dop_v1_0123456789abcdefSECRETtoken";

/// A builder aimed at `server`, with a manual clock and deterministic jitter.
pub fn builder(server: &MockServer, clock: &ManualClock) -> ClientBuilder {
    Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .clock(Arc::new(clock.clone()))
        .jitter(Arc::new(MaxJitter))
}

pub fn client(server: &MockServer) -> (Client, ManualClock) {
    let clock = ManualClock::default();
    let client = builder(server, &clock).build().unwrap();
    (client, clock)
}

pub fn image(id: i64, name: &str, status: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "type": "custom",
        "distribution": "Ubuntu",
        "slug": null,
        "public": false,
        "regions": ["nyc3"],
        "created_at": "2024-01-01T00:00:00Z",
        "min_disk_size": 10,
        "size_gigabytes": 2.5,
        "description": "",
        "tags": [],
        "status": status,
        "error_message": ""
    })
}

// Shared by two test binaries; `token_secrecy` has no actions.
#[allow(dead_code)]
pub fn action(id: i64, status: &str) -> Value {
    json!({
        "id": id,
        "status": status,
        "type": "transfer",
        "started_at": "2024-01-01T00:00:00Z",
        "completed_at": null,
        "resource_id": 7,
        "resource_type": "image",
        "region": null,
        "region_slug": "nyc3"
    })
}

pub fn error_body(id: &str, message: &str, request_id: &str) -> Value {
    json!({"id": id, "message": message, "request_id": request_id})
}
