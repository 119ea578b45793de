//! Why a request to this module fails, and the one mapping from a failure to FOLIO's answer.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared_types::errors::{mod_circulation_body, Error};
use shared_types::okapi_client::{CallError, Reply};

#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum Failure {
    /// 400 `text/plain`: a request this module cannot read (no Okapi headers, no JSON object).
    #[error("{0}")]
    BadRequest(String),
    /// 404 `text/plain`: the record asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A downstream call gave no usable answer.
    #[error(transparent)]
    Call(#[from] CallError),
    /// 500 `text/plain` with FOLIO's message.
    #[error("{0}")]
    Server(String),
    /// 422 with FOLIO's error list.
    #[error("refused: {0:?}")]
    Refused(Vec<Error>),
    /// A downstream answer forwarded as it is.
    #[error("forwarded: {} {}", .0.status, .0.body)]
    Forward(Reply),
}

impl Failure {
    /// The single 422 error of a refusal.
    pub(crate) fn refused(error: Error) -> Failure {
        Failure::Refused(vec![error])
    }
}

fn text(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain")
        .body(message.to_string())
}

/// A downstream answer passed on with its status, content type and body (FOLIO's "forward on
/// failure").
fn forward(reply: &Reply) -> HttpResponse {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
    HttpResponse::build(status)
        .content_type(
            reply
                .content_type
                .clone()
                .unwrap_or_else(|| "text/plain".to_string()),
        )
        .body(reply.body.clone())
}

/// A downstream call that gave no usable answer: a refusal (4xx) is forwarded, anything else
/// is the status [`CallError::status`] gives with a text naming the call.
fn call_failed(e: &CallError) -> HttpResponse {
    match e {
        CallError::Failed { reply, .. } if reply.status < 500 => forward(reply),
        _ => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_GATEWAY);
            text(status, &format!("downstream call {e}"))
        }
    }
}

impl ResponseError for Failure {
    fn status_code(&self) -> StatusCode {
        self.error_response().status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Failure::BadRequest(message) => text(StatusCode::BAD_REQUEST, message),
            Failure::NotFound(message) => text(StatusCode::NOT_FOUND, message),
            Failure::Call(e) => call_failed(e),
            Failure::Server(message) => text(StatusCode::INTERNAL_SERVER_ERROR, message),
            // Written like FOLIO's JSON answers, the 201 included.
            Failure::Refused(errors) => HttpResponse::UnprocessableEntity()
                .content_type("application/json; charset=utf-8")
                .body(
                    serde_json::to_string_pretty(&mod_circulation_body(errors)).unwrap_or_default(),
                ),
            Failure::Forward(reply) => forward(reply),
        }
    }
}
