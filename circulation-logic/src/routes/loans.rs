//! `GET /circulation/loans` and `GET /circulation/loans/{id}`.
use super::Context;
use crate::error::Failure;
use crate::flows::loans;
use crate::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

fn json(body: &Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(serde_json::to_string_pretty(body).unwrap_or_default())
}

/// The page of loans a CQL `query` (with `limit` and `offset`) selects, as storage reads it.
pub(crate) async fn get_loans(
    req: HttpRequest,
    okapi: Context,
    query: web::Query<Vec<(String, String)>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let peers = super::peers(&req, &okapi, &state);
    let params: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "query" | "limit" | "offset"))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    Ok(json(&loans::loans(peers, &params).await?))
}

pub(crate) async fn get_loan(
    req: HttpRequest,
    okapi: Context,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Failure> {
    let peers = super::peers(&req, &okapi, &state);
    match loans::loan_by_id(peers, &id).await? {
        Some(loan) => Ok(json(&loan)),
        None => Err(Failure::NotFound(format!(
            "loan record with ID \"{id}\" cannot be found"
        ))),
    }
}
