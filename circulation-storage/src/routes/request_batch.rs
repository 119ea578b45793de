//! `POST /request-storage-batch/requests`: reorder a queue in one transaction. As in FOLIO, each
//! request is only bound and validated against the schema (no item/title-level rules), and the
//! keys of its validation errors are prefixed with `requests[<index>].`.
use super::State;
use crate::db::{self, store};
use crate::error::StorageError;
use crate::records::refusals::{must_not_be_null, unrecognized};
use crate::records::{self, ids, REQUESTS};
use crate::tenant::Caller;
use actix_web::{web, HttpResponse};
use serde_json::Value;
use shared_types::errors::Error as FolioError;

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/request-storage-batch/requests", web::post().to(post));
}

/// A request's validation error, as the batch reports it: its property keys under
/// `requests[<index>]` (errors without a key, such as Jackson's unknown field, stay as they are).
fn in_batch(index: usize, error: StorageError) -> StorageError {
    match error {
        StorageError::Unprocessable(mut errors) => {
            for error in &mut errors.errors {
                for parameter in &mut error.parameters {
                    if !parameter.key.is_empty() {
                        parameter.key = format!("requests[{index}].{}", parameter.key);
                    }
                }
            }
            StorageError::Unprocessable(errors)
        }
        other => other,
    }
}

/// FOLIO's `request-queue-reordering` event of a batch: its requests' ids, the first one's
/// instance and item, and the queue's level (title-level requests on or off).
fn reordering(requests: &[(uuid::Uuid, Value)], tlr: bool) -> Value {
    let mut event = serde_json::json!({
        "requestIds": requests.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>(),
        "requestLevel": if tlr { "Title" } else { "Item" },
    });
    // Absent rather than null, as FOLIO's JSON leaves them.
    let first = requests.first().map(|(_, r)| r);
    for key in ["instanceId", "itemId"] {
        if let Some(value) = first.and_then(|r| r.get(key)).filter(|v| !v.is_null()) {
            event[key] = value.clone();
        }
    }
    event
}

async fn post(
    caller: Caller,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let batch = records::parse_body(&body)?;
    // The wrapper has `additionalProperties: false`.
    if let Some(field) = batch
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "requests"))
    {
        return Err(unrecognized(field));
    }
    let list = match batch.get("requests") {
        None | Some(Value::Null) => return Err(must_not_be_null("requests")),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(StorageError::BadRequest(format!(
                "Json content error: requests must be an array, not {other}"
            )))
        }
    };
    if list.is_empty() {
        // FOLIO fails with a 500 on an empty batch; a clear 422 instead.
        return Err(StorageError::invalid(
            "The batch must contain at least one request",
            "requests",
            Some("[]".into()),
        ));
    }
    let mut requests = Vec::with_capacity(list.len());
    for (index, request) in list.iter().enumerate() {
        let mut request = request.clone();
        if !request.is_object() {
            return Err(StorageError::BadRequest(format!(
                "Json content error: requests[{index}] must be an object"
            )));
        }
        records::prepare_schema_only(&REQUESTS, &mut request, caller.user_id.as_deref())
            .map_err(|e| in_batch(index, e))?;
        let id = match request.get("id").and_then(Value::as_str) {
            Some(text) => {
                ids::require_id(text, REQUESTS.table()).map_err(|e| in_batch(index, e))?
            }
            None => return Err(in_batch(index, must_not_be_null("id"))),
        };
        requests.push((id, request));
    }
    db::in_tenant_job(&state.pool, &caller.tenant, move |c| {
        let tlr = db::settings::tlr_enabled(c)
            .unwrap_or(None)
            .unwrap_or(false);
        db::outbox::queue_reordered(c, &reordering(&requests, tlr))?;
        // Positions are cleared first, so swapping two positions does not collide halfway.
        let batch_ids: Vec<uuid::Uuid> = requests.iter().map(|(id, _)| *id).collect();
        db::requests::clear_positions(c, &batch_ids)?;
        for (id, request) in &requests {
            store::update(c, REQUESTS.table(), *id, request).map_err(|e| match e {
                // FOLIO names neither the item nor the position here (both null).
                StorageError::Constraint { .. } => StorageError::unprocessable(
                    FolioError::new(
                        "Cannot have more than one request with the same position in the queue",
                    )
                    .with_extra("parameters", Value::Array(Vec::new()))
                    .with_extra("itemId", Value::Null)
                    .with_extra("position", Value::Null),
                ),
                other => other,
            })?;
        }
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Created().finish())
}
