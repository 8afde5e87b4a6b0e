//! Errors as the API sends them: a status and `{id, message, request_id}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error answer. Handlers return it; the request layer writes the body
/// with the request's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub id: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            id: "not_found",
            message: "The resource you were accessing could not be found.".into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            id: "bad_request",
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            id: "unauthorized",
            message: "Unable to authenticate you.".into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            id: "forbidden",
            message: message.into(),
        }
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            id: "unprocessable_entity",
            message: message.into(),
        }
    }

    pub fn too_many_requests() -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            id: "too_many_requests",
            message: "API Rate limit exceeded.".into(),
        }
    }

    pub fn server_error() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            id: "server_error",
            message: "Server was unable to give you a response.".into(),
        }
    }

    /// The JSON body, with the request id.
    pub fn body(&self, request_id: &str) -> String {
        serde_json::json!({
            "id": self.id,
            "message": self.message,
            "request_id": request_id,
        })
        .to_string()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}
