//! Requests: item/title level consistency, cancellation reasons, and the queue position message.
use super::Write;
use crate::db::store;
use crate::error::{ConstraintKind, StorageError};
use diesel::PgConnection;
use serde_json::Value;
use shared_types::errors::Error as FolioError;
use shared_types::metadata::strip_read_only;
use shared_types::request::Request;

/// FOLIO counts any non-null value as present (even `""`).
fn present(request: &Value, field: &str) -> bool {
    request.get(field).is_some_and(|v| !v.is_null())
}

pub(crate) fn prepare(request: &mut Value, _: Write) -> Result<(), StorageError> {
    // `readonly` in the schema: RMB drops it from every body; only the trigger sets it.
    strip_read_only(request, Request::READ_ONLY_FIELDS);
    let level = request
        .get("requestLevel")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let has_item = present(request, "itemId");
    let has_holdings = present(request, "holdingsRecordId");
    let mut errors = Vec::new();
    if level == "Item" {
        if !has_item {
            errors.push(FolioError::new(
                "Item ID in item level request should not be absent",
            ));
        }
        if !has_holdings {
            errors.push(FolioError::new(
                "Holdings record ID in item level request should not be absent",
            ));
        }
    } else if level == "Title" && has_item != has_holdings {
        errors.push(FolioError::new(
            "Title level request must have both itemId and holdingsRecordId or neither",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StorageError::Unprocessable(errors.into()))
    }
}

/// A cancelled request must name a cancellation reason that exists.
pub(crate) fn check_cancellation_reason(
    conn: &mut PgConnection,
    request: &Value,
    write: Write,
) -> Result<(), StorageError> {
    if write != Write::Replace
        || request.get("status").and_then(Value::as_str) != Some("Closed - Cancelled")
    {
        return Ok(());
    }
    let Some(reason) = request
        .get("cancellationReasonId")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
    else {
        return Ok(());
    };
    let exists = match super::ids::parse_rmb_uuid(reason) {
        Some(id) => store::get(conn, "cancellation_reason", id)?.is_some(),
        None => false,
    };
    if exists {
        Ok(())
    } else {
        Err(StorageError::unprocessable(
            FolioError::new("Cancellation reason does not exist")
                .with_code("INVALID_CANCELLATION_REASON"),
        ))
    }
}

pub(crate) fn constraint_message(e: StorageError, request: &Value) -> StorageError {
    match &e {
        // FOLIO reads any unique violation on a request (the position index, but also a
        // duplicate id) as the queue-position clash.
        StorageError::Constraint {
            kind: ConstraintKind::Unique,
            ..
        } => {
            // FOLIO puts both on the error object itself, with an empty parameter list.
            let value = |f: &str| request.get(f).cloned().unwrap_or(Value::Null);
            StorageError::unprocessable(
                FolioError::new(
                    "Cannot have more than one request with the same position in the queue",
                )
                .with_extra("parameters", Value::Array(Vec::new()))
                .with_extra("itemId", value("itemId"))
                .with_extra("position", value("position")),
            )
        }
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(r: Result<(), StorageError>) -> Vec<String> {
        match r {
            Err(StorageError::Unprocessable(e)) => {
                e.errors.into_iter().map(|e| e.message).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn level_rules() {
        let mut item = json!({"requestLevel": "Item"});
        assert_eq!(messages(prepare(&mut item, Write::Create)).len(), 2);
        let mut title = json!({"requestLevel": "Title", "itemId": "x"});
        assert_eq!(
            messages(prepare(&mut title, Write::Create)),
            vec!["Title level request must have both itemId and holdingsRecordId or neither"]
        );
        let mut ok = json!({"requestLevel": "Title"});
        assert!(prepare(&mut ok, Write::Create).is_ok());
        // An empty itemId is present (it fails the id pattern instead).
        let mut empty_item = json!({"requestLevel": "Item", "itemId": "", "holdingsRecordId": "h"});
        assert!(prepare(&mut empty_item, Write::Create).is_ok());
    }

    #[test]
    fn read_only_closed_date_is_dropped() {
        let mut request = json!({"requestLevel": "Title",
            "awaitingPickupRequestClosedDate": "2024-01-01T00:00:00.000+00:00"});
        prepare(&mut request, Write::Replace).unwrap();
        assert!(request.get("awaitingPickupRequestClosedDate").is_none());
    }
}
