//! `POST /circulation/end-patron-action-session`.
use super::{flow_response, Context, FlowLog};
use crate::flows::end_session::end_sessions;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

pub(crate) async fn end_patron_action_session(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let peers = super::peers(&req, &okapi, &state);
    let outcome = match super::json_object(&body) {
        Ok(body) => end_sessions(peers, &body).await,
        Err(e) => Err(e),
    };
    flow_response(
        &okapi,
        FlowLog {
            flow: "end-patron-action-session",
            fan: peers.fan,
        },
        outcome.map(|()| (StatusCode::NO_CONTENT, Value::Null, None)),
    )
}
