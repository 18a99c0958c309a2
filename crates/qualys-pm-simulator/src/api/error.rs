//! `ApiError`: a request the simulator refuses, in the shape PM or its gateway answers it.
//! Handlers return `Result<Response, ApiError>` and stop at the first refusal with `?`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::jobs::Invalid;

use super::json_response;

#[derive(Debug)]
pub(crate) enum ApiError {
    /// PM's application error (as the SDK reads it):
    /// `{"_error": {"errorCode", "message", "field"?}}`.
    App {
        status: StatusCode,
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// The gateway's own refusals (401, a malformed `/auth`):
    /// `{"status", "error": <reason phrase>, "message"}`.
    Gateway {
        status: StatusCode,
        message: &'static str,
    },
}

impl ApiError {
    /// A PM application error about no field in particular.
    pub(crate) fn app(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::App {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same error, naming the field it is about.
    pub(crate) fn on_field(mut self, name: &str) -> Self {
        if let ApiError::App { field, .. } = &mut self {
            *field = Some(name.to_owned());
        }
        self
    }

    /// 400 `INVALID_REQUEST` "Invalid value for field '<field>': <message>".
    pub(crate) fn invalid(field: &str, message: impl std::fmt::Display) -> Self {
        ApiError::app(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            format!("Invalid value for field '{field}': {message}"),
        )
        .on_field(field)
    }

    /// 400 `MALFORMED_JSON` about the request body.
    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        ApiError::app(StatusCode::BAD_REQUEST, "MALFORMED_JSON", message).on_field("body")
    }

    pub(crate) fn job_not_found(id: &str) -> Self {
        ApiError::app(
            StatusCode::NOT_FOUND,
            "JOB_NOT_FOUND",
            format!("Deployment job {id} not found"),
        )
    }

    /// The PM listing cap (`--list-record-cap`, the real API's 10,000): `errorCode` "2501".
    pub(crate) fn record_cap(cap: usize) -> Self {
        ApiError::app(
            StatusCode::BAD_REQUEST,
            "2501",
            format!("Patch Management APIs support fetching a maximum of {cap} records only"),
        )
    }

    pub(crate) fn unauthorized(message: &'static str) -> Self {
        ApiError::Gateway {
            status: StatusCode::UNAUTHORIZED,
            message,
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::invalid(&e.field, &e.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::App {
                status,
                code,
                message,
                field,
            } => {
                let mut inner = json!({"errorCode": code, "message": message});
                if let (Some(f), Some(m)) = (field, inner.as_object_mut()) {
                    m.insert("field".into(), json!(f));
                }
                json_response(status, json!({"_error": inner}))
            }
            ApiError::Gateway { status, message } => json_response(
                status,
                json!({
                    "status": status.as_u16(),
                    "error": status.canonical_reason().unwrap_or_default(),
                    "message": message,
                }),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Status, content type and body bytes of an answer.
    async fn wire(error: ApiError) -> (u16, String, String) {
        let response = error.into_response();
        let content_type = response.headers()[axum::http::header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .to_owned();
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        (
            status,
            content_type,
            String::from_utf8(body.to_vec()).expect("utf-8"),
        )
    }

    #[tokio::test]
    async fn refusals_have_the_shapes_clients_read() {
        assert_eq!(
            wire(ApiError::invalid("ids", "at least one job ID is required")).await,
            (
                400,
                "application/json".into(),
                r#"{"_error":{"errorCode":"INVALID_REQUEST","message":"Invalid value for field 'ids': at least one job ID is required","field":"ids"}}"#.into()
            )
        );
        assert_eq!(
            wire(ApiError::job_not_found("j1")).await,
            (
                404,
                "application/json".into(),
                r#"{"_error":{"errorCode":"JOB_NOT_FOUND","message":"Deployment job j1 not found"}}"#
                    .into()
            )
        );
        assert_eq!(
            wire(ApiError::unauthorized("JWT expired")).await,
            (
                401,
                "application/json".into(),
                r#"{"status":401,"error":"Unauthorized","message":"JWT expired"}"#.into()
            )
        );
    }
}
