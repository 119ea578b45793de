//! `/circulation-rules-storage`: the tenant's single circulation rules document.
use super::State;
use crate::db::{self, store};
use crate::error::StorageError;
use crate::records::{metadata, parse_body, shape};
use crate::tenant::Caller;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::Jsonb;
use serde_json::Value;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/circulation-rules-storage")
            .route(web::get().to(get))
            .route(web::put().to(put)),
    );
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
}

async fn get(caller: Caller, state: State) -> Result<HttpResponse, StorageError> {
    let rows = db::read(&state.pool, &caller.tenant, |c| {
        Ok(diesel::sql_query("SELECT jsonb FROM circulation_rules").load::<Row>(c)?)
    })
    .await?;
    match rows.as_slice() {
        [row] => Ok(HttpResponse::Ok().json(&row.jsonb)),
        _ => Err(StorageError::Internal(format!(
            "Expected exactly one circulation rules record, found {}",
            rows.len()
        ))),
    }
}

async fn put(caller: Caller, body: web::Bytes, state: State) -> Result<HttpResponse, StorageError> {
    let mut rules = parse_body(&body)?;
    shape::circulation_rules(&rules)?;
    metadata::stamp(&mut rules, caller.user_id.as_deref());
    db::write_one(&state.pool, &caller.tenant, move |c| {
        store::replace_circulation_rules(c, &rules)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
