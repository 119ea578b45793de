//! HTTP routes, one file per interface family.
pub mod crud;
pub mod health;
pub mod loans;
pub mod request_batch;
pub mod rules;
pub mod tenant_api;

use crate::db::PgPool;
use crate::error::StorageError;
use actix_web::web;
use std::collections::HashMap;

/// Shared by all handlers: only the pool (the module keeps no other state).
pub struct AppState {
    pub pool: PgPool,
}

pub type State = web::Data<AppState>;
pub type Params = web::Query<HashMap<String, String>>;

pub fn configure(cfg: &mut web::ServiceConfig) {
    health::configure(cfg);
    tenant_api::configure(cfg);
    // Specific loan paths before the generic item routes.
    loans::configure(cfg);
    rules::configure(cfg);
    request_batch::configure(cfg);
    for rt in crate::records::ALL.iter() {
        crud::configure(cfg, rt);
    }
}

/// `limit`/`offset` as RMB's `pageable` trait defines them (0..=2147483647; limit default 10).
pub fn paging(params: &HashMap<String, String>) -> Result<(i64, i64), StorageError> {
    let read = |name: &str, default: i64| -> Result<i64, StorageError> {
        match params.get(name) {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|v| (0..=i64::from(i32::MAX)).contains(v))
                .ok_or_else(|| {
                    StorageError::BadRequest(format!(
                        "Parameter '{name}' must be an integer between 0 and 2147483647, got '{text}'"
                    ))
                }),
        }
    };
    Ok((read("limit", 10)?, read("offset", 0)?))
}
