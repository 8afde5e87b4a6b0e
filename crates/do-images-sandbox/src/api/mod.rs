//! The HTTP side of the API: its paths and their handlers, under the
//! request layer (host check, authentication, rate limits, faults, the
//! request log).

mod account_transfers;
mod actions;
mod images;
mod layer;
mod path;
mod query;
mod rate_limit;
mod shared;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};

use crate::wire::error::ApiError;
pub(crate) use shared::Shared;

/// Every path and its operations.
fn routes() -> Vec<(&'static str, MethodRouter<Arc<Shared>>)> {
    vec![
        ("/v2/images", get(images::list).post(images::create_custom)),
        (
            "/v2/images/{image_id}",
            get(images::get).put(images::update).delete(images::delete),
        ),
        (
            "/v2/images/{image_id}/actions",
            get(actions::list).post(actions::post),
        ),
        (
            "/v2/images/{image_id}/actions/{action_id}",
            get(actions::get),
        ),
        (
            "/v2/images/{image_id}/account_transfer",
            post(account_transfers::create),
        ),
        (
            "/v2/images/{image_id}/account_transfer/accept",
            post(account_transfers::accept),
        ),
        (
            "/v2/images/{image_id}/account_transfer/cancel",
            post(account_transfers::cancel),
        ),
        (
            "/v2/images/{image_id}/account_transfer/decline",
            post(account_transfers::decline),
        ),
    ]
}

/// The router for every operation, under the request layer. Each path is
/// also served with a trailing slash, as the API does (python-digitalocean
/// lists with `GET /v2/images/?per_page=200`).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for (path, operations) in routes() {
        router = router
            .route(&format!("{path}/"), operations.clone())
            .route(path, operations);
    }
    router
        .fallback(|| async { ApiError::not_found() })
        .layer(middleware::from_fn_with_state(shared.clone(), layer::apply))
        .with_state(shared)
}
