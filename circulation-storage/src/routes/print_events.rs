//! `print-events-storage`: a log of pick-slip printing per request, and its summary.
use super::State;
use crate::db::{self, print_events};
use crate::error::StorageError;
use crate::records::refusals::must_not_be_null;
use crate::records::{self, dates, ids, metadata};
use crate::tenant::{Caller, TenantId};
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use shared_types::errors::Error as FolioError;

const ENTRY_PATH: &str = "/print-events-storage/print-events-entry";
const STATUS_PATH: &str = "/print-events-storage/print-events-status";

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(ENTRY_PATH, web::post().to(entry))
        .route(STATUS_PATH, web::post().to(status));
}

pub(crate) fn served_routes() -> Vec<(&'static str, String)> {
    vec![("POST", ENTRY_PATH.into()), ("POST", STATUS_PATH.into())]
}

/// A bean-validation failure as RMB reports it.
fn invalid(message: &str, code: &str, key: &str, value: String) -> StorageError {
    StorageError::unprocessable(
        FolioError::new(message)
            .with_type("1")
            .with_code(code)
            .with_parameter(key, Some(value)),
    )
}

/// `requestIds`: at least one, each a UUID.
fn request_ids(body: &Value) -> Result<Vec<String>, StorageError> {
    let list = match body.get("requestIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.clone(),
        Some(other) => {
            return Err(StorageError::BadRequest(format!(
                "Json content error Cannot deserialize value of type `java.util.ArrayList` from {other}"
            )))
        }
    };
    if list.is_empty() {
        return Err(invalid(
            "size must be between 1 and 2147483647",
            "jakarta.validation.constraints.Size.message",
            "requestIds",
            "[]".into(),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, id)| match id.as_str() {
            Some(text) if ids::parse_rmb_uuid(text).is_some() => Ok(text.to_string()),
            _ => Err(invalid(
                &format!("must match \"{}\"", ids::UUID_PATTERN),
                "jakarta.validation.constraints.Pattern.message",
                &format!("requestIds[{i}]"),
                id.as_str().map_or_else(|| id.to_string(), str::to_string),
            )),
        })
        .collect()
}

/// A required, non-blank string property.
fn non_blank(body: &Value, key: &str) -> Result<String, StorageError> {
    match body.get(key) {
        None | Some(Value::Null) => Err(must_not_be_null(key)),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text.clone()),
        Some(other) => Err(invalid(
            "must match \"^(?!\\s*$).+\"",
            "jakarta.validation.constraints.Pattern.message",
            key,
            other
                .as_str()
                .map_or_else(|| other.to_string(), str::to_string),
        )),
    }
}

/// One stored event per request id of the body; 201 with no body.
async fn entry(
    caller: Caller,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let body = records::parse_body(&body)?;
    let request_ids = request_ids(&body)?;
    let requester_id = non_blank(&body, "requesterId")?;
    if ids::parse_rmb_uuid(&requester_id).is_none() {
        return Err(invalid(
            &format!("must match \"{}\"", ids::UUID_PATTERN),
            "jakarta.validation.constraints.Pattern.message",
            "requesterId",
            requester_id,
        ));
    }
    let requester_name = non_blank(&body, "requesterName")?;
    let printed = match body.get("printEventDate") {
        None | Some(Value::Null) => return Err(must_not_be_null("printEventDate")),
        Some(Value::String(text)) => dates::parse_date_time(text).ok_or_else(|| {
            StorageError::BadRequest(format!(
                "Json content error Cannot deserialize value of type `java.util.Date` from String \"{text}\""
            ))
        })?,
        Some(other) => {
            return Err(StorageError::BadRequest(format!(
                "Json content error Cannot deserialize value of type `java.util.Date` from {other}"
            )))
        }
    };
    let events: Vec<(uuid::Uuid, Value)> = request_ids
        .into_iter()
        .map(|request_id| {
            let id = uuid::Uuid::new_v4();
            let mut event = json!({
                "id": id.to_string(),
                "requestId": request_id,
                "requesterId": requester_id,
                "requesterName": requester_name,
                "printEventDate": dates::iso_millis_offset(printed),
            });
            metadata::stamp(&mut event, caller.user_id.as_deref());
            (id, event)
        })
        .collect();
    let listed: Vec<String> = events
        .iter()
        .filter_map(|(_, event)| event["requestId"].as_str().map(str::to_string))
        .collect();
    let printed_at = dates::iso_millis_offset(printed);
    db::in_tenant(&state.pool, &caller.tenant, move |c| {
        print_events::record(c, &events, &listed, &requester_id, &printed_at)
    })
    .await?;
    Ok(HttpResponse::Created().finish())
}

/// Per request id: how often it was printed, and who printed it last and when.
async fn status(
    tenant: TenantId,
    body: web::Bytes,
    state: State,
) -> Result<HttpResponse, StorageError> {
    let body = records::parse_body(&body)?;
    let request_ids = request_ids(&body)?;
    let rows = db::read(&state.pool, &tenant, move |c| {
        print_events::status(c, request_ids)
    })
    .await?;
    let responses: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "requestId": r.request_id,
                "requesterId": r.requester_id,
                "requesterName": r.requester_name,
                "count": r.request_count,
                "printEventDate": dates::iso_millis_offset(r.last_printed),
            })
        })
        .collect();
    let total = responses.len();
    Ok(HttpResponse::Ok().json(json!({
        "printEventsStatusResponses": responses,
        "totalRecords": total,
    })))
}
