//! `/v2/images/{image_id}/actions` and one action under it.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::path::numeric_id;
use super::query;
use super::shared::Shared;
use crate::accounts::Caller;
use crate::wire::error::ApiError;
use crate::wire::image_bodies::ActionRequest;
use crate::wire::paging::Paging;

type Answer<T> = Result<T, ApiError>;

pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Answer<Json<Value>> {
    let id = numeric_id(&image_id)?;
    let query = query::pairs(raw.as_deref());
    let paging = Paging::from_query(&query)?;
    let (actions, total) = shared.store().list_actions(&caller.team, id, paging)?;
    let endpoint = query::endpoint(&shared, &format!("/v2/images/{id}/actions"), &query, &[]);
    Ok(Json(json!({
        "actions": actions,
        "links": paging.links(&endpoint, total),
        "meta": { "total": total },
    })))
}

pub(super) async fn post(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
    body: Bytes,
) -> Answer<(StatusCode, Json<Value>)> {
    let id = numeric_id(&image_id)?;
    let request = ActionRequest::parse(&body)?;
    let action = shared
        .store()
        .post_action(&caller.team, id, request, Instant::now())?;
    Ok((StatusCode::CREATED, Json(json!({ "action": action }))))
}

pub(super) async fn get(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path((image_id, action_id)): Path<(String, String)>,
) -> Answer<Json<Value>> {
    let image_id = numeric_id(&image_id)?;
    let action_id = numeric_id(&action_id)?;
    let action = shared
        .store()
        .get_action(&caller.team, image_id, action_id)?;
    Ok(Json(json!({ "action": action })))
}
