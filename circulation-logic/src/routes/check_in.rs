//! `POST /circulation/check-in-by-barcode`.
use super::{flow_response, Context, FlowLog};
use crate::flows::check_in::check_in;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

pub(crate) async fn check_in_by_barcode(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let peers = super::peers(&req, &okapi, &state);
    let outcome = match super::json_object(&body) {
        Ok(body) => check_in(peers, &body).await,
        Err(e) => Err(e),
    };
    flow_response(
        &okapi,
        FlowLog {
            flow: "check-in",
            fan: peers.fan,
        },
        outcome.map(|body| (StatusCode::OK, body, None)),
    )
}
