//! `POST /request-storage-batch/requests`: reorder a queue in one transaction.
use super::State;
use crate::db::{self, store};
use crate::error::StorageError;
use crate::records::shape::must_not_be_null;
use crate::records::{self, ids, Write, REQUESTS};
use crate::tenant::Caller;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde_json::Value;
use shared_types::errors::Error as FolioError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/request-storage-batch/requests", web::post().to(post));
}

async fn post(
    caller: Caller,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let batch = records::parse_body(&body)?;
    let Some(list) = batch.get("requests").and_then(Value::as_array) else {
        return Err(must_not_be_null("requests"));
    };
    let mut requests = Vec::with_capacity(list.len());
    for request in list {
        let mut request = request.clone();
        let id = match request.get("id").and_then(Value::as_str) {
            Some(text) => ids::require_id(text, REQUESTS.table())?,
            None => return Err(must_not_be_null("id")),
        };
        records::prepare_for_write(
            &REQUESTS,
            &mut request,
            Write::Replace,
            caller.user_id.as_deref(),
        )?;
        requests.push((id, request));
    }
    db::in_tenant(&state.pool, &caller.tenant, move |c| {
        // Positions are cleared first, so swapping two positions does not collide halfway.
        let batch_ids: Vec<uuid::Uuid> = requests.iter().map(|(id, _)| *id).collect();
        diesel::sql_query("UPDATE request SET jsonb = jsonb - 'position' WHERE id = ANY($1)")
            .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&batch_ids)
            .execute(c)?;
        for (id, request) in &requests {
            store::update(c, REQUESTS.table(), *id, request).map_err(|e| match e {
                StorageError::Constraint { .. } => StorageError::unprocessable(FolioError::new(
                    "Cannot have more than one request with the same position in the queue",
                )),
                other => other,
            })?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Created().finish())
}
