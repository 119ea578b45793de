//! HTTP routes, one file per interface family.
pub(crate) mod anonymize;
pub(crate) mod checkout_lock;
pub mod crud;
pub(crate) mod expired_sessions;
pub(crate) mod health;
pub(crate) mod loans;
pub(crate) mod print_events;
pub(crate) mod request_batch;
pub(crate) mod request_expiration;
pub(crate) mod rules;
pub(crate) mod tenant_api;
pub(crate) mod tlr_feature_toggle_job;

use crate::db::PgPool;
use crate::error::StorageError;
use actix_web::web;
use std::collections::HashMap;

/// Shared by all handlers: the pool and the HTTP client for downstream calls (the module
/// keeps no other state).
pub(crate) struct AppState {
    pub(crate) pool: PgPool,
    pub(crate) http: reqwest::Client,
    /// What `http` was built with (named in a timeout's error).
    pub(crate) okapi_timeout_ms: u64,
}

pub(crate) type State = web::Data<AppState>;
pub(crate) type Params = web::Query<HashMap<String, String>>;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    health::configure(cfg);
    tenant_api::configure(cfg);
    // Specific loan paths before the generic item routes.
    loans::configure(cfg);
    rules::configure(cfg);
    request_batch::configure(cfg);
    anonymize::configure(cfg);
    checkout_lock::configure(cfg);
    print_events::configure(cfg);
    expired_sessions::configure(cfg);
    request_expiration::configure(cfg);
    tlr_feature_toggle_job::configure(cfg);
    for rt in crate::records::ALL.iter() {
        crud::configure(cfg, rt);
    }
}

/// Every (method, path pattern) this module serves, in Okapi's `pathPattern` syntax; built from
/// the same catalogue the routes are registered from, for the ModuleDescriptor check.
pub fn served_routes() -> Vec<(&'static str, String)> {
    let mut routes: Vec<(&'static str, String)> = vec![
        ("POST", "/_/tenant".into()),
        ("GET", "/_/tenant/{id}".into()),
        ("DELETE", "/_/tenant/{id}".into()),
        ("GET", "/loan-storage/loan-history".into()),
        ("POST", "/loan-storage/loans/anonymize/{userId}".into()),
        ("GET", "/circulation-rules-storage".into()),
        ("PUT", "/circulation-rules-storage".into()),
        ("POST", "/request-storage-batch/requests".into()),
        ("POST", "/anonymize-storage-loans".into()),
    ];
    routes.extend(checkout_lock::served_routes());
    routes.extend(print_events::served_routes());
    routes.extend(expired_sessions::served_routes());
    routes.extend(request_expiration::served_routes());
    routes.extend(tlr_feature_toggle_job::served_routes());
    for rt in crate::records::ALL.iter() {
        routes.extend(crud::served_routes(rt));
    }
    routes
}

/// `limit`/`offset` as RMB's `pageable` trait defines them (0..=2147483647; limit default 10),
/// refused with RMB's 400 texts (see [`integer_parameters`]).
pub(crate) fn paging(params: &HashMap<String, String>) -> Result<(i64, i64), StorageError> {
    let values = integer_parameters(params, &[("offset", 0), ("limit", 10)])?;
    Ok((values[1], values[0]))
}

/// Non-negative integer query parameters with their defaults, in order, refused as RMB does:
/// Java's `Integer.valueOf` message for a non-integer, its own sentence for an empty value,
/// and the method validator's sentences for values below the minimum 0.
pub(crate) fn integer_parameters(
    params: &HashMap<String, String>,
    names: &[(&str, i64)],
) -> Result<Vec<i64>, StorageError> {
    let mut values = Vec::with_capacity(names.len());
    for (name, default) in names {
        let value = match params.get(*name).map(String::as_str) {
            None => *default,
            Some("") => {
                return Err(StorageError::BadRequest(format!(
                    "{name} does not have a default value in the RAML and has been passed empty"
                )))
            }
            Some(text) => text
                .parse::<i32>()
                .map(i64::from)
                .map_err(|_| StorageError::BadRequest(format!("For input string: \"{text}\"")))?,
        };
        values.push(value);
    }
    let out_of_range: String = names
        .iter()
        .zip(&values)
        .filter(|(_, value)| **value < 0)
        .map(|((name, _), value)| {
            format!(
                "\n '{name}' parameter is incorrect. parameter value {{{value}}} is not valid: \
                 must be greater than or equal to 0"
            )
        })
        .collect();
    if out_of_range.is_empty() {
        Ok(values)
    } else {
        Err(StorageError::BadRequest(out_of_range))
    }
}
