//! HTTP routes of the logic module.
#![allow(clippy::result_large_err)]
pub mod checkout;
pub mod rules;

use crate::app::{AppState, WorkerHttp};
use crate::okapi::Okapi;
use actix_web::{web, HttpRequest, HttpResponse};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/circulation/check-out-by-barcode",
        web::post().to(checkout::check_out_by_barcode),
    )
    .route(
        "/circulation/check-out-by-barcode-dry-run",
        web::post().to(checkout::check_out_dry_run),
    )
    .route("/circulation/rules", web::get().to(rules::get_rules))
    .route("/circulation/rules", web::put().to(rules::put_rules))
    .route(
        "/circulation/rules/{kind}",
        web::get().to(rules::policy_lookup),
    );
}

/// Every (method, path pattern) this module serves, in Okapi's `pathPattern` syntax, for the
/// ModuleDescriptor check (`{kind}` expands to the ten policy lookups `policy_lookup` accepts).
pub fn served_routes() -> Vec<(&'static str, String)> {
    let mut routes = vec![
        ("POST", "/circulation/check-out-by-barcode".to_string()),
        (
            "POST",
            "/circulation/check-out-by-barcode-dry-run".to_string(),
        ),
        ("GET", "/circulation/rules".to_string()),
        ("PUT", "/circulation/rules".to_string()),
    ];
    for kind in ["loan", "request", "notice", "overdue-fine", "lost-item"] {
        routes.push(("GET", format!("/circulation/rules/{kind}-policy")));
        routes.push(("GET", format!("/circulation/rules/{kind}-policy-all")));
    }
    routes
}

/// The Okapi context, or the 400 for a request without the Okapi headers.
pub(crate) fn okapi_for(req: &HttpRequest, state: &AppState) -> Result<Okapi, HttpResponse> {
    let Some(WorkerHttp(http)) = req.app_data::<WorkerHttp>() else {
        return Err(text(
            actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
            "no HTTP client on this worker",
        ));
    };
    Okapi::from_request(http, state.settings.okapi_timeout_ms, req).map_err(|message| {
        HttpResponse::BadRequest()
            .content_type("text/plain")
            .body(message)
    })
}

pub(crate) fn text(
    status: actix_web::http::StatusCode,
    message: impl Into<String>,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain")
        .body(message.into())
}
