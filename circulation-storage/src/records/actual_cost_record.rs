//! Actual cost records: the schema's default status.
use super::Write;
use crate::error::StorageError;
use serde_json::{json, Value};

/// `status` defaults to `Open` (the schema's `default`), so a record without one is accepted.
pub(crate) fn prepare(record: &mut Value, _: Write) -> Result<(), StorageError> {
    if record.get("status").is_none_or(Value::is_null) {
        record["status"] = json!("Open");
    }
    Ok(())
}
