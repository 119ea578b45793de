//! Patron notice policies: FOLIO's own wording for a duplicate name (sic), and the send-option
//! rules FOLIO checks on PUT only.
use super::Write;
use crate::db::circulation_rules;
use crate::error::StorageError;
use serde_json::Value;
use shared_types::errors::Error as FolioError;

pub(crate) const NAME_UNIQUE_INDEX: &str = "patron_notice_policy_name_idx_unique";

pub(crate) fn constraint_message(e: StorageError, policy: &Value) -> StorageError {
    match &e {
        StorageError::Constraint { constraint, .. } if constraint == NAME_UNIQUE_INDEX => {
            let name = policy
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            StorageError::unprocessable(
                FolioError::new(format!("'{name}' name in not unique")).with_code("duplicate.name"),
            )
        }
        _ => e,
    }
}

/// A notice policy named in the circulation rules cannot be deleted (400, as FOLIO answers).
pub(crate) fn refuse_if_in_use(
    conn: &mut diesel::PgConnection,
    id: uuid::Uuid,
) -> Result<(), StorageError> {
    if circulation_rules::mention(conn, id)? {
        Err(StorageError::BadRequest(
            "Cannot delete in use notice policy".into(),
        ))
    } else {
        Ok(())
    }
}

/// The `sendWhen` values of scheduled loan notices.
const SCHEDULED_LOAN_EVENTS: [&str; 2] = ["Due date", "Aged to lost"];

const NOT_VALID: &str = "This option is not valid for selected";

/// One error as `createValidationErrorMessage` builds it (type "1", code "-1").
fn option_error(key: &str, value: &Value, what: &str) -> FolioError {
    let value = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    FolioError::new(format!("{NOT_VALID} {what}"))
        .with_type("1")
        .with_code("-1")
        .with_parameter(key, Some(value))
}

fn present<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

/// The errors of one loan notice, in FOLIO's order.
fn loan_notice_errors(notice: &Value) -> Vec<FolioError> {
    let mut errors = Vec::new();
    let empty = Value::Null;
    let options = notice.get("sendOptions").unwrap_or(&empty);
    let frequency = present(notice, "frequency");
    let send_when = options.get("sendWhen").and_then(Value::as_str);
    if send_when.is_some_and(|w| SCHEDULED_LOAN_EVENTS.contains(&w)) {
        let how = options.get("sendHow").and_then(Value::as_str);
        if !matches!(how, Some("Before" | "After")) {
            if let Some(frequency) = frequency {
                errors.push(option_error("frequency", frequency, "Send"));
            }
        }
    } else if let Some((key, value)) = ["sendHow", "sendBy", "sendEvery"]
        .iter()
        .find_map(|key| present(options, key).map(|v| (*key, v)))
    {
        errors.push(option_error(key, value, "Triggering event"));
    }
    if frequency.and_then(Value::as_str) == Some("One time") {
        if let Some(every) = present(options, "sendEvery") {
            errors.push(option_error("sendEvery", every, "Frequency"));
        }
    }
    errors
}

/// On PUT, every loan notice's send options must fit its triggering event and frequency
/// (all failing notices are reported together).
pub(crate) fn prepare(policy: &mut Value, write: Write) -> Result<(), StorageError> {
    if write != Write::Replace {
        return Ok(());
    }
    let errors: Vec<FolioError> = policy
        .get("loanNotices")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(loan_notice_errors)
        .collect();
    StorageError::refuse_all(errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(notice: Value, write: Write) -> Vec<String> {
        let mut policy = json!({"name": "p", "loanNotices": [notice]});
        match prepare(&mut policy, write) {
            Ok(()) => vec![],
            Err(StorageError::Unprocessable(e)) => {
                e.errors.into_iter().map(|e| e.message).collect()
            }
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn send_options_must_fit_event_and_frequency_on_put() {
        let renewed_before = json!({"sendOptions": {"sendWhen": "Renewed", "sendHow": "Before"}});
        assert_eq!(
            messages(renewed_before.clone(), Write::Replace),
            ["This option is not valid for selected Triggering event"]
        );
        assert!(messages(renewed_before, Write::Create).is_empty());
        let renewed_every = json!({"sendOptions": {"sendWhen": "Renewed",
            "sendEvery": {"duration": 2, "intervalId": "Hours"}}});
        assert_eq!(
            messages(renewed_every, Write::Replace),
            ["This option is not valid for selected Triggering event"]
        );
        let due_upon_at = json!({"frequency": "Recurring",
            "sendOptions": {"sendWhen": "Due date", "sendHow": "Upon At"}});
        assert_eq!(
            messages(due_upon_at, Write::Replace),
            ["This option is not valid for selected Send"]
        );
        let one_time_every = json!({"frequency": "One time", "sendOptions": {"sendWhen": "Due date",
            "sendHow": "Before", "sendEvery": {"duration": 10, "intervalId": "Minutes"}}});
        assert_eq!(
            messages(one_time_every, Write::Replace),
            ["This option is not valid for selected Frequency"]
        );
        let fine = json!({"frequency": "Recurring", "sendOptions": {"sendWhen": "Due date",
            "sendHow": "After", "sendEvery": {"duration": 1, "intervalId": "Days"}}});
        assert!(messages(fine, Write::Replace).is_empty());
    }
}
