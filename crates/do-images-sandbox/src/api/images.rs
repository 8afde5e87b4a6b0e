//! `/v2/images` and `/v2/images/{image_id}`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Serialize;
use serde_json::{Value, json};

use super::path::numeric_id;
use super::query;
use super::shared::Shared;
use crate::accounts::Caller;
use crate::state::ImageFilter;
use crate::wire::error::ApiError;
use crate::wire::image_bodies::{ImageUpdate, NewImage};
use crate::wire::model::{Category, Image};
use crate::wire::paging::Paging;

/// Query parameters that are kept in page links.
const FILTERS: &[&str] = &["type", "private", "tag_name"];

#[derive(Serialize)]
pub(super) struct ImagesPage {
    images: Vec<Image>,
    links: Value,
    meta: Value,
}

type Answer<T> = Result<T, ApiError>;

pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Answer<Json<ImagesPage>> {
    let query = query::pairs(raw.as_deref());
    let paging = Paging::from_query(&query)?;
    let filter = filter(&query)?;
    let (images, total) = shared.store().list_images(&caller.team, &filter, paging);
    let endpoint = query::endpoint(&shared, "/v2/images", &query, FILTERS);
    Ok(Json(ImagesPage {
        images,
        links: paging.links(&endpoint, total),
        meta: json!({ "total": total }),
    }))
}

fn filter(query: &[(String, String)]) -> Answer<ImageFilter> {
    let mut filter = ImageFilter::default();
    for (name, value) in query {
        match name.as_str() {
            "type" => {
                filter.category = Some(match value.as_str() {
                    "distribution" => Category::Distribution,
                    "application" => Category::Application,
                    _ => {
                        return Err(ApiError::unprocessable(format!(
                            "`type` must be `distribution` or `application`; got `{value}`."
                        )));
                    }
                });
            }
            "private" => {
                filter.private_only = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(ApiError::unprocessable(format!(
                            "`private` must be `true` or `false`; got `{value}`."
                        )));
                    }
                };
            }
            "tag_name" => filter.tag = Some(value.clone()),
            _ => {}
        }
    }
    Ok(filter)
}

pub(super) async fn create_custom(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Answer<(StatusCode, Json<Value>)> {
    let request = NewImage::parse(&body)?;
    let image = shared
        .store()
        .create_custom(&caller.team, request, Instant::now());
    Ok((StatusCode::ACCEPTED, Json(json!({ "image": image }))))
}

pub(super) async fn get(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
) -> Answer<Json<Value>> {
    let image = shared.store().get_image(&caller.team, &image_id)?;
    Ok(Json(json!({ "image": image })))
}

pub(super) async fn update(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
    body: Bytes,
) -> Answer<Json<Value>> {
    let id = numeric_id(&image_id)?;
    let update = ImageUpdate::parse(&body)?;
    let image = shared.store().update_image(&caller.team, id, update)?;
    Ok(Json(json!({ "image": image })))
}

pub(super) async fn delete(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(image_id): Path<String>,
) -> Answer<StatusCode> {
    let id = numeric_id(&image_id)?;
    shared.store().delete_image(&caller.team, id)?;
    Ok(StatusCode::NO_CONTENT)
}
