//! `POST /circulation/end-patron-action-session`: 204 once the sessions are ended.
use super::{json_flow, Context};
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
    let flow = "end-patron-action-session";
    json_flow(
        &req,
        &okapi,
        &state,
        &body,
        flow,
        |peers, body| async move {
            end_sessions(peers, &body).await?;
            Ok((StatusCode::NO_CONTENT, Value::Null, None))
        },
    )
    .await
}
