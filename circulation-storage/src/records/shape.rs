//! Shape checks of incoming records against FOLIO's JSON schemas, with RMB's answers:
//! a missing required property → 422 `must not be null`; an unknown property → 422
//! `Unrecognized field`; a wrong type or enum value → 400 text.
use crate::error::StorageError;
use serde_json::Value;
use shared_types::errors::Error as FolioError;

fn must_not_be_null(key: &str) -> StorageError {
    StorageError::unprocessable(
        FolioError::new("must not be null")
            .with_type("1")
            .with_code("jakarta.validation.constraints.NotNull.message")
            .with_parameter(key, Some("null".into())),
    )
}

/// Required top-level properties must be present and not null.
fn required(record: &Value, fields: &[&str]) -> Result<(), StorageError> {
    for field in fields {
        if record.get(*field).is_none_or(Value::is_null) {
            return Err(must_not_be_null(field));
        }
    }
    Ok(())
}

pub fn any_object(_: &Value) -> Result<(), StorageError> {
    Ok(())
}

pub fn loan(record: &Value) -> Result<(), StorageError> {
    required(record, &["itemId", "loanDate", "action"])
}

pub fn request(record: &Value) -> Result<(), StorageError> {
    required(
        record,
        &[
            "instanceId",
            "requesterId",
            "requestType",
            "requestLevel",
            "requestDate",
            "fulfillmentPreference",
            "status",
        ],
    )
}

pub fn loan_policy(record: &Value) -> Result<(), StorageError> {
    required(record, &["name", "loanable", "renewable"])
}

pub fn request_policy(record: &Value) -> Result<(), StorageError> {
    required(record, &["name"])
}

pub fn fixed_due_date_schedule(record: &Value) -> Result<(), StorageError> {
    required(record, &["name"])
}

pub fn patron_notice_policy(record: &Value) -> Result<(), StorageError> {
    required(record, &["name"])
}

pub fn cancellation_reason(record: &Value) -> Result<(), StorageError> {
    required(record, &["name"])
}

pub fn circulation_setting(record: &Value) -> Result<(), StorageError> {
    required(record, &["name", "value"])
}

pub fn patron_action_session(record: &Value) -> Result<(), StorageError> {
    required(record, &["patronId", "loanId", "actionType"])
}

pub fn scheduled_notice(record: &Value) -> Result<(), StorageError> {
    required(record, &["nextRunTime", "noticeConfig"])
}

pub fn check_in(record: &Value) -> Result<(), StorageError> {
    required(
        record,
        &[
            "occurredDateTime",
            "itemId",
            "servicePointId",
            "performedByUserId",
        ],
    )
}

pub fn circulation_rules(record: &Value) -> Result<(), StorageError> {
    required(record, &["rulesAsText"])
}
