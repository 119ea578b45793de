//! Loans: default status, date and user checks, and the one-open-loan-per-item message.
use super::{dates, Write};
use crate::error::{ConstraintKind, StorageError};
use serde_json::{json, Value};
use shared_types::errors::Error as FolioError;

pub(crate) fn prepare(loan: &mut Value, write: Write) -> Result<(), StorageError> {
    if loan.get("status").is_none() {
        loan["status"] = json!({"name": "Open"});
    }
    // On PUT FOLIO checks the dates before the user; on POST the user first.
    if write == Write::Replace {
        check_dates(loan)?;
        check_user(loan)
    } else {
        check_user(loan)?;
        check_dates(loan)
    }
}

fn is_open(loan: &Value) -> bool {
    loan.pointer("/status/name")
        .and_then(Value::as_str)
        .is_some_and(|s| s == "Open")
}

fn check_user(loan: &Value) -> Result<(), StorageError> {
    // Only an absent (or null) user counts as missing, as in FOLIO.
    let has_user = loan.get("userId").is_some_and(|v| !v.is_null());
    if is_open(loan) && !has_user {
        return Err(StorageError::unprocessable(FolioError::new(
            "Open loan must have a user ID",
        )));
    }
    Ok(())
}

/// `loanDate` and `returnDate` are plain strings in the schema, checked by hand (400 text).
fn check_dates(loan: &Value) -> Result<(), StorageError> {
    let mut problems = Vec::new();
    for (field, message) in [
        (
            "loanDate",
            "loan date must be a date time (in RFC3339 format)",
        ),
        (
            "returnDate",
            "return date must be a date time (in RFC3339 format)",
        ),
    ] {
        if let Some(value) = loan.get(field) {
            let valid = value
                .as_str()
                .is_some_and(|s| dates::parse_date_time(s).is_some());
            if !valid {
                problems.push(message);
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StorageError::BadRequest(problems.join("\n")))
    }
}

pub(crate) fn constraint_message(e: StorageError, loan: &Value) -> StorageError {
    match &e {
        // FOLIO reads any unique violation on a loan (the open-loan index, but also a duplicate
        // id) as the open-loan clash.
        StorageError::Constraint {
            kind: ConstraintKind::Unique,
            ..
        } => {
            let item_id = loan
                .get("itemId")
                .and_then(Value::as_str)
                .map(str::to_string);
            StorageError::invalid(
                "Cannot have more than one open loan for the same item",
                "itemId",
                item_id,
            )
        }
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_status_and_checks() {
        let mut loan = json!({"itemId": "i", "userId": "u", "loanDate": "2017-03-01T23:11:00Z", "action": "checkedout"});
        prepare(&mut loan, Write::Create).unwrap();
        assert_eq!(loan["status"]["name"], "Open");

        let mut no_user = json!({"itemId": "i", "loanDate": "2017-03-01T23:11:00Z", "action": "x"});
        assert!(matches!(
            prepare(&mut no_user, Write::Create),
            Err(StorageError::Unprocessable(_))
        ));
        let mut closed = json!({"itemId": "i", "loanDate": "2017-03-01T23:11:00Z", "action": "x", "status": {"name": "Closed"}});
        assert!(prepare(&mut closed, Write::Create).is_ok());
        // Exactly "Open" is open, and only an absent user is missing.
        let mut lower_open = json!({"itemId": "i", "loanDate": "2017-03-01T23:11:00Z", "action": "x", "status": {"name": "open"}});
        assert!(prepare(&mut lower_open, Write::Create).is_ok());
        let mut empty_user =
            json!({"itemId": "i", "userId": "", "loanDate": "2017-03-01T23:11:00Z", "action": "x"});
        assert!(prepare(&mut empty_user, Write::Create).is_ok());

        let mut bad_dates = json!({"itemId": "i", "userId": "u", "loanDate": "nope", "returnDate": "never", "action": "x"});
        match prepare(&mut bad_dates, Write::Replace) {
            Err(StorageError::BadRequest(m)) => assert_eq!(
                m,
                "loan date must be a date time (in RFC3339 format)\nreturn date must be a date time (in RFC3339 format)"
            ),
            other => panic!("{other:?}"),
        }
    }
}
