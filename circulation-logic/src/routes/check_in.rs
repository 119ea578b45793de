//! `POST /circulation/check-in-by-barcode`.
use super::{json_flow, Context};
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
    json_flow(
        &req,
        &okapi,
        &state,
        &body,
        "check-in",
        |peers, body| async move {
            let answer = check_in(peers, &body).await?;
            Ok((StatusCode::OK, answer, None))
        },
    )
    .await
}
