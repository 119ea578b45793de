//! Shape checks of incoming records against FOLIO's JSON schemas (through the typed records of
//! `shared-types`), answered as RMB answers: a missing required property → 422 `must not be
//! null`; an unknown property → 422 `Unrecognized field`; a wrong type or enum value → 400 text.
//! The stored JSON is the client's own (after RMB's rewrites), not a re-serialisation.
use super::constraints::{self, Constraints};
use super::refusals::{must_not_be_null, unrecognized};
use crate::error::StorageError;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared_types::{loan, policy, request};

/// The name between the first pair of backticks of a serde message.
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let end = message[start..].find('`')? + start;
    Some(&message[start..end])
}

/// Deserialises into the typed record only to check it; maps serde's verdict to RMB's, then
/// checks the schema constraints typing does not cover (`constraints`).
fn typed<T: DeserializeOwned>(
    record: &Value,
    constraints: Constraints,
) -> Result<(), StorageError> {
    // serde reports a null required property as a type error; RMB calls it "must not be null".
    match serde_json::from_value::<T>(record.clone()) {
        Ok(_) => constraints::check(record, constraints),
        Err(e) => {
            let message = e.to_string();
            let field = quoted_name(&message).unwrap_or_default();
            if message.starts_with("unknown field") {
                Err(unrecognized(field))
            } else if message.starts_with("missing field") {
                // A nested property is named by its full path, as the constraints know it.
                constraints::check(record, constraints)?;
                Err(must_not_be_null(field))
            } else {
                Err(StorageError::BadRequest(format!(
                    "Json content error {message}"
                )))
            }
        }
    }
}

/// Top-level required properties that are present but null (serde would call it a type error).
fn no_null(record: &Value, fields: &[&str]) -> Result<(), StorageError> {
    match fields
        .iter()
        .find(|f| record.get(**f).is_some_and(Value::is_null))
    {
        Some(field) => Err(must_not_be_null(field)),
        None => Ok(()),
    }
}

pub(crate) fn loan(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["itemId", "loanDate", "action"])?;
    typed::<loan::Loan>(record, constraints::LOAN)
}

pub(crate) fn request(record: &Value) -> Result<(), StorageError> {
    no_null(
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
    )?;
    typed::<request::Request>(record, constraints::REQUEST)
}

pub(crate) fn loan_policy(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["name", "loanable", "renewable"])?;
    typed::<policy::LoanPolicy>(record, constraints::LOAN_POLICY)
}

pub(crate) fn request_policy(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["name"])?;
    typed::<policy::RequestPolicy>(record, constraints::REQUEST_POLICY)
}

pub(crate) fn fixed_due_date_schedule(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["name"])?;
    typed::<policy::FixedDueDateSchedule>(record, constraints::FIXED_DUE_DATE_SCHEDULE)
}

pub(crate) fn patron_notice_policy(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["name"])?;
    typed::<policy::PatronNoticePolicy>(record, constraints::PATRON_NOTICE_POLICY)
}

pub(crate) fn cancellation_reason(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["name"])?;
    typed::<policy::CancellationReason>(record, &[])
}

pub(crate) fn circulation_setting(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["name", "value"])?;
    typed::<policy::CirculationSetting>(record, &[])
}

pub(crate) fn patron_action_session(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["patronId", "loanId", "actionType"])?;
    typed::<shared_types::patron_action_session::PatronActionSession>(
        record,
        constraints::PATRON_ACTION_SESSION,
    )
}

pub(crate) fn scheduled_notice(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["nextRunTime", "noticeConfig"])?;
    typed::<shared_types::scheduled_notice::ScheduledNotice>(record, constraints::SCHEDULED_NOTICE)
}

pub(crate) fn check_in(record: &Value) -> Result<(), StorageError> {
    no_null(
        record,
        &[
            "occurredDateTime",
            "itemId",
            "servicePointId",
            "performedByUserId",
        ],
    )?;
    typed::<shared_types::check_in::CheckIn>(record, constraints::CHECK_IN)
}

pub(crate) fn circulation_rules(record: &Value) -> Result<(), StorageError> {
    no_null(record, &["rulesAsText"])?;
    typed::<policy::CirculationRules>(record, &[])
}

/// The checks of a flat schema without a typed record: known top-level properties (when the
/// schema has `additionalProperties: false`), required ones, and enum values (400, as Jackson).
struct Flat {
    properties: &'static [&'static str],
    closed: bool,
    required: &'static [&'static str],
    enums: &'static [(&'static str, &'static [&'static str])],
}

fn flat(record: &Value, schema: &Flat) -> Result<(), StorageError> {
    let Some(object) = record.as_object() else {
        return Ok(());
    };
    if schema.closed {
        if let Some(field) = object
            .keys()
            .find(|k| !schema.properties.contains(&k.as_str()))
        {
            return Err(unrecognized(field));
        }
    }
    if let Some(field) = schema
        .required
        .iter()
        .find(|f| object.get(**f).is_none_or(Value::is_null))
    {
        return Err(must_not_be_null(field));
    }
    for (field, allowed) in schema.enums {
        match object.get(*field) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) if allowed.contains(&v.as_str()) => {}
            Some(other) => {
                return Err(StorageError::BadRequest(format!(
                    "Json content error Cannot deserialize value of type `{field}` from {other}: \
                     not one of the values accepted for Enum class: {allowed:?}"
                )))
            }
        }
    }
    Ok(())
}

pub(crate) fn actual_cost_record(record: &Value) -> Result<(), StorageError> {
    actual_cost_record_top(record)?;
    constraints::check(record, constraints::ACTUAL_COST_RECORD)
}

fn actual_cost_record_top(record: &Value) -> Result<(), StorageError> {
    flat(
        record,
        &Flat {
            properties: &[
                "id",
                "lossType",
                "lossDate",
                "expirationDate",
                "user",
                "loan",
                "item",
                "instance",
                "feeFine",
                "status",
                "additionalInfoForStaff",
                "additionalInfoForPatron",
                "metadata",
            ],
            closed: true,
            // `status` has a default, filled in by the type's `prepare`.
            required: &[
                "lossType", "lossDate", "user", "loan", "item", "instance", "feeFine",
            ],
            enums: &[
                ("lossType", &["Aged to lost", "Declared lost"]),
                ("status", &["Open", "Billed", "Cancelled", "Expired"]),
            ],
        },
    )
}

pub(crate) fn staff_slip(record: &Value) -> Result<(), StorageError> {
    flat(
        record,
        &Flat {
            properties: &[
                "id",
                "name",
                "description",
                "active",
                "isRawHtml",
                "template",
                "metadata",
            ],
            closed: true,
            required: &["name", "template"],
            enums: &[],
        },
    )
}

pub(crate) fn request_preference(record: &Value) -> Result<(), StorageError> {
    request_preference_top(record)?;
    constraints::check(record, constraints::REQUEST_PREFERENCE)
}

fn request_preference_top(record: &Value) -> Result<(), StorageError> {
    flat(
        record,
        &Flat {
            properties: &[
                "id",
                "userId",
                "holdShelf",
                "delivery",
                "defaultServicePointId",
                "defaultDeliveryAddressTypeId",
                "fulfillment",
                "metadata",
            ],
            closed: true,
            required: &["userId", "holdShelf", "delivery"],
            enums: &[("fulfillment", &["Delivery", "Hold Shelf"])],
        },
    )
}

pub(crate) fn tlr_feature_toggle_job(record: &Value) -> Result<(), StorageError> {
    flat(
        record,
        &Flat {
            properties: &[
                "id",
                "status",
                "numberOfUpdatedRequests",
                "errors",
                "metadata",
            ],
            closed: true,
            required: &[],
            enums: &[("status", &["open", "in-progress", "done", "failed"])],
        },
    )
}

pub(crate) fn anonymize_storage_loans_request(record: &Value) -> Result<(), StorageError> {
    flat(
        record,
        &Flat {
            properties: &["loanIds"],
            closed: true,
            required: &[],
            enums: &[],
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loan_body() -> Value {
        json!({"itemId": "i", "userId": "u", "loanDate": "2017-03-01T00:00:00Z", "action": "checkedout"})
    }

    #[test]
    fn maps_serde_verdicts_to_rmb_answers() {
        assert!(loan(&loan_body()).is_ok());
        let mut unknown = loan_body();
        unknown["colour"] = json!("red");
        match loan(&unknown) {
            Err(StorageError::Unprocessable(e)) => {
                assert_eq!(e.errors[0].message, "Unrecognized field \"colour\"")
            }
            other => panic!("{other:?}"),
        }
        let mut missing = loan_body();
        missing.as_object_mut().unwrap().remove("action");
        match loan(&missing) {
            Err(StorageError::Unprocessable(e)) => {
                assert_eq!(e.errors[0].message, "must not be null");
                assert_eq!(e.errors[0].parameters[0].key, "action");
            }
            other => panic!("{other:?}"),
        }
        let mut wrong_type = loan_body();
        wrong_type["renewalCount"] = json!("many");
        assert!(matches!(
            loan(&wrong_type),
            Err(StorageError::BadRequest(_))
        ));
    }

    #[test]
    fn flat_schemas_check_properties_required_and_enums() {
        let ok = json!({"userId": "2205005b-ca51-4a04-87fd-938eefa8f6de", "holdShelf": true, "delivery": false, "fulfillment": "Delivery"});
        assert!(request_preference(&ok).is_ok());
        let mut null_required = ok.clone();
        null_required["delivery"] = Value::Null;
        match request_preference(&null_required) {
            Err(StorageError::Unprocessable(e)) => {
                assert_eq!(e.errors[0].message, "must not be null");
                assert_eq!(e.errors[0].parameters[0].key, "delivery");
            }
            other => panic!("{other:?}"),
        }
        let mut unknown = ok.clone();
        unknown["x"] = json!(1);
        assert!(matches!(
            request_preference(&unknown),
            Err(StorageError::Unprocessable(_))
        ));
        let mut bad_enum = ok;
        bad_enum["fulfillment"] = json!("Mail");
        assert!(matches!(
            request_preference(&bad_enum),
            Err(StorageError::BadRequest(_))
        ));
        assert!(tlr_feature_toggle_job(&json!({})).is_ok());
        assert!(anonymize_storage_loans_request(&json!({"loanIds": []})).is_ok());
    }
}
