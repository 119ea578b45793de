//! `POST /circulation/check-out-by-barcode` and its dry run.
use super::{okapi_for, text};
use crate::app::AppState;
use crate::checkout::flow::{check_out, Success};
use crate::fanout::Fan;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

pub async fn check_out_by_barcode(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    handle(req, body, state, false).await
}

pub async fn check_out_dry_run(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    handle(req, body, state, true).await
}

async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
    dry_run: bool,
) -> HttpResponse {
    let okapi = match okapi_for(&req, &state) {
        Ok(o) => o,
        Err(response) => return response,
    };
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) | Err(_) => {
            return text(
                StatusCode::BAD_REQUEST,
                "Request body must be a JSON object",
            );
        }
    };
    let fan = Fan::for_request(&req, state.settings.fan_out);
    let outcome = check_out(&okapi, fan, &state.cache, &state.settings, &body, dry_run).await;
    let mut response = match outcome {
        Ok(Success {
            status,
            body,
            location,
        }) => {
            let mut builder = HttpResponse::build(status);
            builder.content_type("application/json; charset=utf-8");
            if let Some(location) = location {
                builder.insert_header(("location", location));
            }
            builder.body(serde_json::to_string_pretty(&body).unwrap_or_default())
        }
        Err(failure) => failure.to_response(),
    };
    let hops = okapi.hops.hops();
    let total = okapi.hops.elapsed();
    let timing = crate::okapi::timing::server_timing(&hops, total);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&timing) {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("server-timing"),
            value,
        );
    }
    log::info!(
        "check-out{} request_id={} tenant={} fan_out={} status={} hops={} critical_path={:.1}ms total={:.1}ms",
        if dry_run { " (dry run)" } else { "" },
        okapi.request_id.as_deref().unwrap_or("-"),
        okapi.tenant,
        fan.name(),
        response.status().as_u16(),
        hops.len(),
        crate::okapi::timing::critical_path(&hops).as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0,
    );
    response
}
