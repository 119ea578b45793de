//! HTTP routes of the logic module: thin handlers that read the request, run a flow and write
//! its answer with `Server-Timing` and one log line.
pub(crate) mod check_in;
pub(crate) mod check_out;
mod context;
pub(crate) mod end_session;
pub(crate) mod loans;
pub(crate) mod renew;
pub(crate) mod rules;

use crate::downstream::Peers;
use crate::error::Failure;
use crate::fanout::Fan;
use crate::okapi::Okapi;
use crate::state::AppState;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use context::Context;
use serde_json::Value;
use shared_types::okapi_client::timing::{critical_path, server_timing};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/circulation/check-out-by-barcode",
        web::post().to(check_out::check_out_by_barcode),
    )
    .route(
        "/circulation/check-out-by-barcode-dry-run",
        web::post().to(check_out::check_out_dry_run),
    )
    .route(
        "/circulation/check-in-by-barcode",
        web::post().to(check_in::check_in_by_barcode),
    )
    .route(
        "/circulation/renew-by-barcode",
        web::post().to(renew::renew_by_barcode_route),
    )
    .route(
        "/circulation/renew-by-id",
        web::post().to(renew::renew_by_id_route),
    )
    .route(
        "/circulation/end-patron-action-session",
        web::post().to(end_session::end_patron_action_session),
    )
    .route("/circulation/loans", web::get().to(loans::get_loans))
    .route("/circulation/loans/{id}", web::get().to(loans::get_loan))
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
        ("POST", "/circulation/check-in-by-barcode".to_string()),
        ("POST", "/circulation/renew-by-barcode".to_string()),
        ("POST", "/circulation/renew-by-id".to_string()),
        ("POST", "/circulation/end-patron-action-session".to_string()),
        ("GET", "/circulation/loans".to_string()),
        ("GET", "/circulation/loans/{id}".to_string()),
        ("GET", "/circulation/rules".to_string()),
        ("PUT", "/circulation/rules".to_string()),
    ];
    for kind in ["loan", "request", "notice", "overdue-fine", "lost-item"] {
        routes.push(("GET", format!("/circulation/rules/{kind}-policy")));
        routes.push(("GET", format!("/circulation/rules/{kind}-policy-all")));
    }
    routes
}

pub(crate) fn text(status: StatusCode, message: impl Into<String>) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain")
        .body(message.into())
}

/// The downstream repositories for the request being served, with its fan-out strategy.
fn peers<'a>(req: &HttpRequest, okapi: &'a Okapi, state: &'a AppState) -> Peers<'a> {
    if let Some(kafka) = &state.kafka {
        kafka.watch_rules(&okapi.tenant, &state.cache);
    }
    Peers {
        okapi,
        cache: &state.cache,
        fan: Fan::for_request(req, state.settings.fan_out),
        kafka: state.kafka.as_ref(),
    }
}

/// A flow's body: a JSON object, else FOLIO's 400.
fn json_object(body: &[u8]) -> Result<Value, Failure> {
    match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) | Err(_) => Err(Failure::BadRequest(
            "Request body must be a JSON object".into(),
        )),
    }
}

/// The answer of a flow run on a JSON object body (FOLIO's 400 for any other body): `run`
/// gives the peers and the body, the flow's status, body and `Location`.
async fn json_flow<'a, F, Fut>(
    req: &HttpRequest,
    okapi: &'a Okapi,
    state: &'a AppState,
    body: &[u8],
    flow: &'static str,
    run: F,
) -> HttpResponse
where
    F: FnOnce(Peers<'a>, Value) -> Fut,
    Fut: std::future::Future<Output = Result<(StatusCode, Value, Option<String>), Failure>>,
{
    let peers = peers(req, okapi, state);
    let outcome = match json_object(body) {
        Ok(body) => run(peers, body).await,
        Err(e) => Err(e),
    };
    flow_response(
        okapi,
        FlowLog {
            flow,
            fan: peers.fan,
        },
        outcome,
    )
}

/// What a flow's log line names.
struct FlowLog {
    flow: &'static str,
    fan: Fan,
}

/// A flow's answer (status, JSON body, `Location`), or its failure, with `Server-Timing`
/// listing every downstream hop, and the flow's log line.
fn flow_response(
    okapi: &Okapi,
    log: FlowLog,
    outcome: Result<(StatusCode, Value, Option<String>), Failure>,
) -> HttpResponse {
    let mut response = match outcome {
        Ok((status, body, location)) => {
            let mut builder = HttpResponse::build(status);
            builder.content_type("application/json; charset=utf-8");
            if let Some(location) = location {
                builder.insert_header(("location", location));
            }
            match status {
                StatusCode::NO_CONTENT => builder.finish(),
                _ => builder.body(serde_json::to_string_pretty(&body).unwrap_or_default()),
            }
        }
        Err(failure) => failure.error_response(),
    };
    let hops = okapi.hops.hops();
    let total = okapi.hops.elapsed();
    if let Ok(value) = HeaderValue::from_str(&server_timing(&hops, total)) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("server-timing"), value);
    }
    log::info!(
        "{} request_id={} tenant={} fan_out={} status={} hops={} critical_path={:.1}ms total={:.1}ms",
        log.flow,
        okapi.request_id.as_deref().unwrap_or("-"),
        okapi.tenant,
        log.fan.name(),
        response.status().as_u16(),
        hops.len(),
        critical_path(&hops).as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0,
    );
    response
}
