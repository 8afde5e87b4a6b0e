//! The API's paths and their handlers.

mod actions;
mod images;
mod query;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;

use crate::api_error::ApiError;
use crate::request_layer;
use crate::shared::Shared;

/// The router for all eight operations, under the request layer.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v2/images", get(images::list).post(images::create_custom))
        .route(
            "/v2/images/{image_id}",
            get(images::get).put(images::update).delete(images::delete),
        )
        .route(
            "/v2/images/{image_id}/actions",
            get(actions::list).post(actions::post),
        )
        .route(
            "/v2/images/{image_id}/actions/{action_id}",
            get(actions::get),
        )
        .fallback(|| async { ApiError::not_found() })
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            request_layer::apply,
        ))
        .with_state(shared)
}

/// A numeric path id; anything else names nothing that exists.
fn numeric_id(text: &str) -> Result<u64, ApiError> {
    text.parse::<u64>()
        .ok()
        .filter(|&id| id >= 1)
        .ok_or_else(ApiError::not_found)
}
