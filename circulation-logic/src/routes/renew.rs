//! `POST /circulation/renew-by-barcode` and `POST /circulation/renew-by-id`.
use super::{json_flow, Context};
use crate::flows::renew::{renew_by_barcode, renew_by_id};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// How the loan to renew is named.
#[derive(Clone, Copy)]
enum By {
    Barcode,
    Id,
}

pub(crate) async fn renew_by_barcode_route(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    handle(req, okapi, body, state, By::Barcode).await
}

pub(crate) async fn renew_by_id_route(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    handle(req, okapi, body, state, By::Id).await
}

async fn handle(
    req: HttpRequest,
    okapi: Context,
    body: web::Bytes,
    state: web::Data<AppState>,
    by: By,
) -> HttpResponse {
    json_flow(
        &req,
        &okapi,
        &state,
        &body,
        "renew",
        |peers, body| async move {
            // Boxed: a renewal's future is large, and every frame above would copy it.
            let renewed = match by {
                By::Barcode => Box::pin(renew_by_barcode(peers, &body)).await?,
                By::Id => Box::pin(renew_by_id(peers, &body)).await?,
            };
            Ok((StatusCode::OK, renewed.body, Some(renewed.location)))
        },
    )
    .await
}
