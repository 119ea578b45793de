//! Request preferences: one per user.
use crate::error::StorageError;
use serde_json::Value;

const USER_ID_UNIQUE_INDEX: &str = "user_request_preference_userid_idx_unique";

/// A second preference for the same user → 422 with FOLIO's message.
pub(crate) fn constraint_message(e: StorageError, preference: &Value) -> StorageError {
    match &e {
        StorageError::Constraint { constraint, .. } if constraint == USER_ID_UNIQUE_INDEX => {
            let user_id = preference
                .get("userId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            StorageError::invalid(
                "Request preference for specified user already exists",
                "userId",
                Some(user_id.to_string()),
            )
        }
        _ => e,
    }
}
