//! `/circulation-rules-storage`: the tenant's single circulation rules document.
use super::State;
use crate::db::{self, circulation_rules};
use crate::error::StorageError;
use crate::records::{metadata, parse_body, shape};
use crate::tenant::Caller;
use actix_web::{web, HttpResponse};

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/circulation-rules-storage")
            .route(web::get().to(get))
            .route(web::put().to(put)),
    );
}

async fn get(caller: Caller, state: State) -> Result<HttpResponse, StorageError> {
    let rows = db::read(&state.pool, &caller.tenant, circulation_rules::all).await?;
    match rows.as_slice() {
        [rules] => Ok(HttpResponse::Ok().json(rules)),
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
        circulation_rules::replace(c, &rules)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
