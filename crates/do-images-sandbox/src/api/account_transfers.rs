//! `/v2/images/{image_id}/account_transfer` and its `accept`, `cancel` and
//! `decline`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::path::numeric_id;
use super::shared::Shared;
use crate::accounts::Caller;
use crate::wire::error::ApiError;
use crate::wire::transfer_bodies::{Acceptance, Recipient, parse_transfer_id};

type Answer<T> = Result<T, ApiError>;

pub(super) async fn create(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
    body: Bytes,
) -> Answer<(StatusCode, Json<Value>)> {
    let id = numeric_id(&image_id)?;
    let recipient = Recipient::parse(&body)?;
    let team_exists = match &recipient {
        Recipient::Team(team) => shared.accounts.team_exists(team),
        Recipient::Email(_) => false,
    };
    let transfer_id = shared
        .store()
        .start_transfer(&caller, id, recipient, team_exists)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "transfer_id": transfer_id })),
    ))
}

/// Answers 201 with no body, as documented.
pub(super) async fn accept(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
    body: Bytes,
) -> Answer<StatusCode> {
    let id = numeric_id(&image_id)?;
    let acceptance = Acceptance::parse(&body)?;
    shared.store().accept_transfer(&caller, id, acceptance)?;
    Ok(StatusCode::CREATED)
}

pub(super) async fn cancel(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
    body: Bytes,
) -> Answer<StatusCode> {
    let id = numeric_id(&image_id)?;
    let transfer_id = parse_transfer_id(&body)?;
    shared.store().cancel_transfer(&caller, id, transfer_id)?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn decline(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
    body: Bytes,
) -> Answer<StatusCode> {
    let id = numeric_id(&image_id)?;
    let transfer_id = parse_transfer_id(&body)?;
    shared.store().decline_transfer(&caller, id, transfer_id)?;
    Ok(StatusCode::NO_CONTENT)
}
