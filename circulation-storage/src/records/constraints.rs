//! The bean-validation constraints of FOLIO's schemas that serde's typing does not cover: id
//! `pattern`s, `minimum`/`maximum`, `minItems` and nested `required` properties. Each type has
//! one list of (path, constraint); a path is dotted, `[]` marks every element of an array. Every
//! violation is reported as RMB reports it: message, `jakarta.validation.constraints.<X>.message`
//! code, type "1", and the dotted property path (with element indexes) and bad value.
use super::{ids, refusals};
use crate::error::StorageError;
use serde_json::Value;
use shared_types::errors::Error as FolioError;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Constraint {
    /// The schemas' own uuid `pattern` (any hex digits).
    Uuid,
    /// RMB's uuid.schema (version 1-5, variant 8-b).
    RmbUuid,
    /// `minimum`, as written in the schema (RMB quotes it in the message).
    Min(&'static str),
    /// `maximum`, as written in the schema.
    Max(&'static str),
    /// `minItems: 1`.
    NotEmpty,
    /// Required properties of the object at the path.
    Required(&'static [&'static str]),
    /// `additionalProperties: false`: the only properties the object at the path may have
    /// (Jackson refuses the first other one before any constraint is checked).
    Closed(&'static [&'static str]),
}

pub(crate) type Constraints = &'static [(&'static str, Constraint)];

const LOOSE_UUID_PATTERN: &str =
    "^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$";

fn loose_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Java's `toString` of the bad value, as RMB puts it in the parameter.
fn java_text(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::String(text) => text.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(java_text).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

fn violation(message: String, constraint: &str, key: &str, value: &Value) -> FolioError {
    FolioError::new(message)
        .with_type("1")
        .with_code(format!(
            "jakarta.validation.constraints.{constraint}.message"
        ))
        .with_parameter(key, Some(java_text(value)))
}

/// Every (concrete path, value) the pattern path reaches.
fn reach<'a>(value: &'a Value, path: &str) -> Vec<(String, &'a Value)> {
    let mut found = vec![(String::new(), value)];
    for segment in path.split('.') {
        let (name, each) = match segment.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (segment, false),
        };
        let mut next = Vec::new();
        for (at, v) in found {
            let Some(child) = v.get(name).filter(|c| !c.is_null()) else {
                continue;
            };
            let here = if at.is_empty() {
                name.to_string()
            } else {
                format!("{at}.{name}")
            };
            if each {
                for (i, item) in child.as_array().into_iter().flatten().enumerate() {
                    next.push((format!("{here}[{i}]"), item));
                }
            } else {
                next.push((here, child));
            }
        }
        found = next;
    }
    found
}

fn check_one(key: &str, value: &Value, constraint: Constraint, errors: &mut Vec<FolioError>) {
    let number = value.as_f64();
    let bound = |b: &str| b.parse::<f64>().unwrap_or_default();
    match constraint {
        Constraint::Uuid | Constraint::RmbUuid => {
            let Some(text) = value.as_str() else { return };
            let (ok, pattern) = match constraint {
                Constraint::Uuid => (loose_uuid(text), LOOSE_UUID_PATTERN),
                _ => (ids::parse_rmb_uuid(text).is_some(), ids::UUID_PATTERN),
            };
            if !ok {
                errors.push(violation(
                    format!("must match \"{pattern}\""),
                    "Pattern",
                    key,
                    value,
                ));
            }
        }
        Constraint::Min(min) => {
            if number.is_some_and(|n| n < bound(min)) {
                errors.push(violation(
                    format!("must be greater than or equal to {min}"),
                    "DecimalMin",
                    key,
                    value,
                ));
            }
        }
        Constraint::Max(max) => {
            if number.is_some_and(|n| n > bound(max)) {
                errors.push(violation(
                    format!("must be less than or equal to {max}"),
                    "DecimalMax",
                    key,
                    value,
                ));
            }
        }
        Constraint::NotEmpty => {
            if value.as_array().is_some_and(Vec::is_empty) {
                errors.push(violation(
                    "size must be between 1 and 2147483647".into(),
                    "Size",
                    key,
                    value,
                ));
            }
        }
        Constraint::Closed(_) => {}
        Constraint::Required(fields) => {
            for field in fields {
                if value.get(*field).is_none_or(Value::is_null) {
                    errors.push(violation(
                        "must not be null".into(),
                        "NotNull",
                        &format!("{key}.{field}"),
                        &Value::Null,
                    ));
                }
            }
        }
    }
}

/// All violations of the constraints in the record (empty: it passes).
pub(crate) fn violations(record: &Value, constraints: Constraints) -> Vec<FolioError> {
    let mut errors = Vec::new();
    for (path, constraint) in constraints {
        for (key, value) in reach(record, path) {
            check_one(&key, value, *constraint, &mut errors);
        }
    }
    errors
}

pub(crate) fn check(record: &Value, constraints: Constraints) -> Result<(), StorageError> {
    for (path, constraint) in constraints {
        let Closed(known) = constraint else { continue };
        for (_, object) in reach(record, path) {
            let unknown = object
                .as_object()
                .and_then(|o| o.keys().find(|k| !known.contains(&k.as_str())));
            if let Some(field) = unknown {
                return Err(refusals::unrecognized(field));
            }
        }
    }
    let errors = violations(record, constraints);
    StorageError::refuse_all(errors)
}

use Constraint::*;

pub(crate) const LOAN: Constraints = &[
    ("proxyUserId", Uuid),
    ("itemEffectiveLocationIdAtCheckOut", RmbUuid),
    ("checkoutServicePointId", Uuid),
    ("checkinServicePointId", Uuid),
    ("overdueFinePolicyId", Uuid),
    ("lostItemPolicyId", Uuid),
];

pub(crate) const REQUEST: Constraints = &[
    ("requesterId", Uuid),
    ("proxyUserId", Uuid),
    ("instanceId", RmbUuid),
    ("holdingsRecordId", RmbUuid),
    ("itemId", Uuid),
    (
        "instance.identifiers[]",
        Required(&["value", "identifierTypeId"]),
    ),
    ("instance.identifiers[].identifierTypeId", RmbUuid),
    ("item.itemEffectiveLocationId", Uuid),
    ("item.retrievalServicePointId", Uuid),
    ("deliveryAddressTypeId", Uuid),
    ("pickupServicePointId", Uuid),
];

pub(crate) const CHECK_IN: Constraints = &[
    ("itemId", RmbUuid),
    ("requestQueueSize", Min("0")),
    ("itemLocationId", RmbUuid),
    ("servicePointId", RmbUuid),
    ("performedByUserId", RmbUuid),
];

const PERIOD: Constraint = Required(&["duration", "intervalId"]);

pub(crate) const LOAN_POLICY: Constraints = &[
    ("loansPolicy.period", PERIOD),
    ("loansPolicy.period.duration", Min("0")),
    ("loansPolicy.gracePeriod", PERIOD),
    ("loansPolicy.gracePeriod.duration", Min("0")),
    ("loansPolicy.openingTimeOffset", PERIOD),
    ("loansPolicy.openingTimeOffset.duration", Min("0")),
    // `intervalId` has a default, so only the duration can be missing.
    (
        "loansPolicy.holdShelfExpiryPeriodForUseAtLocation",
        Required(&["duration"]),
    ),
    ("loansPolicy.itemLimit", Min("1")),
    ("loansPolicy.itemLimit", Max("9999")),
    ("renewalsPolicy.period", PERIOD),
    ("renewalsPolicy.period.duration", Min("0")),
    ("requestManagement.recalls.alternateGracePeriod", PERIOD),
    (
        "requestManagement.recalls.alternateGracePeriod.duration",
        Min("0"),
    ),
    (
        "requestManagement.recalls.minimumGuaranteedLoanPeriod",
        PERIOD,
    ),
    (
        "requestManagement.recalls.minimumGuaranteedLoanPeriod.duration",
        Min("0"),
    ),
    ("requestManagement.recalls.recallReturnInterval", PERIOD),
    (
        "requestManagement.recalls.recallReturnInterval.duration",
        Min("0"),
    ),
    (
        "requestManagement.recalls.alternateRecallReturnInterval",
        PERIOD,
    ),
    (
        "requestManagement.recalls.alternateRecallReturnInterval.duration",
        Min("0"),
    ),
    (
        "requestManagement.holds.alternateCheckoutLoanPeriod",
        PERIOD,
    ),
    (
        "requestManagement.holds.alternateCheckoutLoanPeriod.duration",
        Min("0"),
    ),
    ("requestManagement.holds.alternateRenewalLoanPeriod", PERIOD),
    (
        "requestManagement.holds.alternateRenewalLoanPeriod.duration",
        Min("0"),
    ),
    (
        "requestManagement.pages.alternateCheckoutLoanPeriod",
        PERIOD,
    ),
    (
        "requestManagement.pages.alternateCheckoutLoanPeriod.duration",
        Min("0"),
    ),
    ("requestManagement.pages.alternateRenewalLoanPeriod", PERIOD),
    (
        "requestManagement.pages.alternateRenewalLoanPeriod.duration",
        Min("0"),
    ),
];

/// The request types of `allowedServicePoints`.
pub(crate) const REQUEST_TYPES: [&str; 3] = ["Page", "Hold", "Recall"];

pub(crate) const REQUEST_POLICY: Constraints = &[
    ("allowedServicePoints.Page", NotEmpty),
    ("allowedServicePoints.Page[]", RmbUuid),
    ("allowedServicePoints.Hold", NotEmpty),
    ("allowedServicePoints.Hold[]", RmbUuid),
    ("allowedServicePoints.Recall", NotEmpty),
    ("allowedServicePoints.Recall[]", RmbUuid),
];

pub(crate) const ACTUAL_COST_RECORD: Constraints = &[
    (
        "user",
        Closed(&[
            "id",
            "barcode",
            "firstName",
            "lastName",
            "middleName",
            "patronGroupId",
            "patronGroup",
        ]),
    ),
    ("loan", Closed(&["id"])),
    (
        "item",
        Closed(&[
            "id",
            "barcode",
            "materialTypeId",
            "materialType",
            "permanentLocationId",
            "permanentLocation",
            "effectiveLocationId",
            "effectiveLocation",
            "loanTypeId",
            "loanType",
            "holdingsRecordId",
            "effectiveCallNumberComponents",
            "volume",
            "enumeration",
            "chronology",
            "displaySummary",
            "copyNumber",
        ]),
    ),
    (
        "item.effectiveCallNumberComponents",
        Closed(&["callNumber", "prefix", "suffix"]),
    ),
    (
        "instance",
        Closed(&["id", "title", "identifiers", "contributors"]),
    ),
    (
        "instance.identifiers[]",
        Closed(&["value", "identifierType", "identifierTypeId"]),
    ),
    ("instance.contributors[]", Closed(&["name"])),
    (
        "feeFine",
        Closed(&[
            "accountId",
            "billedAmount",
            "ownerId",
            "owner",
            "typeId",
            "type",
        ]),
    ),
    ("user", Required(&["id", "lastName"])),
    ("user.id", RmbUuid),
    ("user.patronGroupId", RmbUuid),
    ("loan", Required(&["id"])),
    ("loan.id", RmbUuid),
    (
        "item",
        Required(&[
            "id",
            "materialTypeId",
            "materialType",
            "loanTypeId",
            "loanType",
            "holdingsRecordId",
        ]),
    ),
    ("item.id", RmbUuid),
    ("item.materialTypeId", RmbUuid),
    ("item.permanentLocationId", RmbUuid),
    ("item.effectiveLocationId", RmbUuid),
    ("item.loanTypeId", RmbUuid),
    ("item.holdingsRecordId", RmbUuid),
    ("instance", Required(&["id", "title"])),
    ("instance.id", RmbUuid),
    (
        "instance.identifiers[]",
        Required(&["value", "identifierType", "identifierTypeId"]),
    ),
    ("instance.identifiers[].identifierTypeId", RmbUuid),
    ("instance.contributors[]", Required(&["name"])),
    ("feeFine", Required(&["ownerId", "owner", "typeId", "type"])),
    ("feeFine.accountId", RmbUuid),
    ("feeFine.billedAmount", Min("0.0")),
    ("feeFine.ownerId", RmbUuid),
    ("feeFine.typeId", RmbUuid),
];

pub(crate) const SCHEDULED_NOTICE: Constraints = &[
    ("loanId", RmbUuid),
    ("requestId", RmbUuid),
    ("feeFineActionId", RmbUuid),
    ("recipientUserId", RmbUuid),
    ("sessionId", RmbUuid),
    (
        "noticeConfig",
        Required(&["timing", "templateId", "format"]),
    ),
    ("noticeConfig.recurringPeriod", PERIOD),
    ("noticeConfig.recurringPeriod.duration", Min("0")),
    ("noticeConfig.templateId", RmbUuid),
];

pub(crate) const PATRON_ACTION_SESSION: Constraints = &[
    ("sessionId", RmbUuid),
    ("patronId", RmbUuid),
    ("loanId", RmbUuid),
];

pub(crate) const REQUEST_PREFERENCE: Constraints = &[
    ("userId", Uuid),
    ("defaultServicePointId", Uuid),
    ("defaultDeliveryAddressTypeId", Uuid),
];

const NOTICE: Constraint = Required(&["templateId", "format", "realTime"]);
const SEND_OPTIONS: Constraint = Required(&["sendWhen"]);

pub(crate) const PATRON_NOTICE_POLICY: Constraints = &[
    ("loanNotices[]", NOTICE),
    ("loanNotices[].sendOptions", SEND_OPTIONS),
    ("loanNotices[].sendOptions.sendBy", PERIOD),
    ("loanNotices[].sendOptions.sendBy.duration", Min("1")),
    ("loanNotices[].sendOptions.sendBy.duration", Max("100")),
    ("loanNotices[].sendOptions.sendEvery", PERIOD),
    ("loanNotices[].sendOptions.sendEvery.duration", Min("1")),
    ("loanNotices[].sendOptions.sendEvery.duration", Max("100")),
    ("feeFineNotices[]", NOTICE),
    ("feeFineNotices[].sendOptions", SEND_OPTIONS),
    ("feeFineNotices[].sendOptions.sendBy", PERIOD),
    ("feeFineNotices[].sendOptions.sendBy.duration", Min("1")),
    ("feeFineNotices[].sendOptions.sendBy.duration", Max("100")),
    ("feeFineNotices[].sendOptions.sendEvery", PERIOD),
    ("feeFineNotices[].sendOptions.sendEvery.duration", Min("1")),
    (
        "feeFineNotices[].sendOptions.sendEvery.duration",
        Max("100"),
    ),
    ("requestNotices[]", NOTICE),
    ("requestNotices[].sendOptions", SEND_OPTIONS),
    ("requestNotices[].sendOptions.sendBy", PERIOD),
    ("requestNotices[].sendOptions.sendBy.duration", Min("1")),
    ("requestNotices[].sendOptions.sendBy.duration", Max("100")),
    ("requestNotices[].sendOptions.sendEvery", PERIOD),
    ("requestNotices[].sendOptions.sendEvery.duration", Min("1")),
    (
        "requestNotices[].sendOptions.sendEvery.duration",
        Max("100"),
    ),
];

pub(crate) const FIXED_DUE_DATE_SCHEDULE: Constraints =
    &[("schedules[]", Required(&["from", "to", "due"]))];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(record: Value, constraints: Constraints) -> Vec<(String, String, String, String)> {
        violations(&record, constraints)
            .into_iter()
            .map(|e| {
                let p = &e.parameters[0];
                (
                    e.message,
                    e.code.unwrap(),
                    p.key.clone(),
                    p.value.clone().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn patterns_bounds_sizes_and_nested_required() {
        let bad_proxy = found(json!({"proxyUserId": "12345"}), REQUEST);
        assert_eq!(
            bad_proxy,
            [(
                format!("must match \"{LOOSE_UUID_PATTERN}\""),
                "jakarta.validation.constraints.Pattern.message".into(),
                "proxyUserId".into(),
                "12345".into()
            )]
        );
        assert!(found(
            json!({"proxyUserId": "11111111-1111-1111-1111-111111111111"}),
            REQUEST
        )
        .is_empty());
        let queue = found(json!({"requestQueueSize": -1}), CHECK_IN);
        assert_eq!(queue[0].0, "must be greater than or equal to 0");
        assert_eq!(
            (queue[0].2.as_str(), queue[0].3.as_str()),
            ("requestQueueSize", "-1")
        );
        let limit = found(json!({"loansPolicy": {"itemLimit": 10000}}), LOAN_POLICY);
        assert_eq!(limit[0].0, "must be less than or equal to 9999");
        assert_eq!(limit[0].2, "loansPolicy.itemLimit");
        let period = found(
            json!({"loansPolicy": {"period": {"duration": 1}}}),
            LOAN_POLICY,
        );
        assert_eq!(
            (period[0].0.as_str(), period[0].2.as_str()),
            ("must not be null", "loansPolicy.period.intervalId")
        );
        let hold_shelf = found(
            json!({"loansPolicy": {"holdShelfExpiryPeriodForUseAtLocation": {}}}),
            LOAN_POLICY,
        );
        assert_eq!(
            hold_shelf[0].2,
            "loansPolicy.holdShelfExpiryPeriodForUseAtLocation.duration"
        );
        match check(
            &json!({"loan": {"id": "x", "colour": "red"}}),
            ACTUAL_COST_RECORD,
        ) {
            Err(StorageError::Unprocessable(e)) => {
                assert_eq!(e.errors[0].message, "Unrecognized field \"colour\"")
            }
            other => panic!("{other:?}"),
        }
        let billed = found(json!({"feeFine": {"ownerId": "x"}}), ACTUAL_COST_RECORD);
        assert_eq!(billed.len(), 4, "{billed:?}");
        let amount = found(
            json!({"feeFine": {"billedAmount": -9.99}}),
            &[("feeFine.billedAmount", Min("0.0"))],
        );
        assert_eq!(amount[0].3, "-9.99");
        let empty = found(
            json!({"allowedServicePoints": {"Hold": []}}),
            REQUEST_POLICY,
        );
        assert_eq!(
            (
                empty[0].0.as_str(),
                empty[0].2.as_str(),
                empty[0].3.as_str()
            ),
            (
                "size must be between 1 and 2147483647",
                "allowedServicePoints.Hold",
                "[]"
            )
        );
        let nested = found(
            json!({"loanNotices": [{"templateId": "t", "format": "Email", "realTime": true,
                    "sendOptions": {}}]}),
            PATRON_NOTICE_POLICY,
        );
        assert_eq!(nested[0].2, "loanNotices[0].sendOptions.sendWhen");
    }
}
