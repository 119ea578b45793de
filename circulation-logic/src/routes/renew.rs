//! `POST /circulation/renew-by-barcode`.
use super::{flow_response, Context, FlowLog};
use crate::flows::renew::renew_by_barcode;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

pub(crate) async fn renew_by_barcode_route(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let peers = super::peers(&req, &okapi, &state);
    let outcome = match super::json_object(&body) {
        Ok(body) => renew_by_barcode(peers, &body).await,
        Err(e) => Err(e),
    };
    flow_response(
        &okapi,
        FlowLog {
            flow: "renew",
            fan: peers.fan,
        },
        outcome.map(|r| (StatusCode::OK, r.body, Some(r.location))),
    )
}
