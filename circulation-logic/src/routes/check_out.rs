//! `POST /circulation/check-out-by-barcode` and its dry run.
use super::Context;
use super::{flow_response, FlowLog};
use crate::flows::check_out::check_out;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};

pub(crate) async fn check_out_by_barcode(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    handle(req, okapi, body, state, false).await
}

pub(crate) async fn check_out_dry_run(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    handle(req, okapi, body, state, true).await
}

async fn handle(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
    dry_run: bool,
) -> HttpResponse {
    let peers = super::peers(&req, &okapi, &state);
    let outcome = match super::json_object(&body) {
        Ok(body) => check_out(peers, &state.settings, &body, dry_run).await,
        Err(e) => Err(e),
    };
    let flow = if dry_run {
        "check-out (dry run)"
    } else {
        "check-out"
    };
    flow_response(
        &okapi,
        FlowLog {
            flow,
            fan: peers.fan,
        },
        outcome.map(|s| (s.status, s.body, s.location)),
    )
}
