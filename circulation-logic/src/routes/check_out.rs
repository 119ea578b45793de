//! `POST /circulation/check-out-by-barcode` and its dry run.
use super::{json_flow, Context};
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
    let flow = if dry_run {
        "check-out (dry run)"
    } else {
        "check-out"
    };
    let settings = &state.settings;
    json_flow(
        &req,
        &okapi,
        &state,
        &body,
        flow,
        |peers, body| async move {
            let s = check_out(peers, settings, &body, dry_run).await?;
            Ok((s.status, s.body, s.location))
        },
    )
    .await
}
