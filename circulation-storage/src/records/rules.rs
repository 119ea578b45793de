//! The bean-validation constraints of FOLIO's schemas that serde's typing does not cover: id
//! `pattern`s, `minimum`/`maximum`, `minItems` and nested `required` properties. Each type has
//! one list of (path, rule); a path is dotted, `[]` marks every element of an array. Every
//! violation is reported as RMB reports it: message, `jakarta.validation.constraints.<X>.message`
//! code, type "1", and the dotted property path (with element indexes) and bad value.
use super::ids;
use crate::error::StorageError;
use serde_json::Value;
use shared_types::errors::Error as FolioError;

#[derive(Debug, Clone, Copy)]
pub enum Rule {
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

pub type Rules = &'static [(&'static str, Rule)];

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

fn check_one(key: &str, value: &Value, rule: Rule, errors: &mut Vec<FolioError>) {
    let number = value.as_f64();
    let bound = |b: &str| b.parse::<f64>().unwrap_or_default();
    match rule {
        Rule::Uuid | Rule::RmbUuid => {
            let Some(text) = value.as_str() else { return };
            let (ok, pattern) = match rule {
                Rule::Uuid => (loose_uuid(text), LOOSE_UUID_PATTERN),
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
        Rule::Min(min) => {
            if number.is_some_and(|n| n < bound(min)) {
                errors.push(violation(
                    format!("must be greater than or equal to {min}"),
                    "DecimalMin",
                    key,
                    value,
                ));
            }
        }
        Rule::Max(max) => {
            if number.is_some_and(|n| n > bound(max)) {
                errors.push(violation(
                    format!("must be less than or equal to {max}"),
                    "DecimalMax",
                    key,
                    value,
                ));
            }
        }
        Rule::NotEmpty => {
            if value.as_array().is_some_and(Vec::is_empty) {
                errors.push(violation(
                    "size must be between 1 and 2147483647".into(),
                    "Size",
                    key,
                    value,
                ));
            }
        }
        Rule::Closed(_) => {}
        Rule::Required(fields) => {
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

/// All violations of the rules in the record (empty: it passes).
pub fn violations(record: &Value, rules: Rules) -> Vec<FolioError> {
    let mut errors = Vec::new();
    for (path, rule) in rules {
        for (key, value) in reach(record, path) {
            check_one(&key, value, *rule, &mut errors);
        }
    }
    errors
}

pub fn check(record: &Value, rules: Rules) -> Result<(), StorageError> {
    for (path, rule) in rules {
        let Closed(known) = rule else { continue };
        for (_, object) in reach(record, path) {
            let unknown = object
                .as_object()
                .and_then(|o| o.keys().find(|k| !known.contains(&k.as_str())));
            if let Some(field) = unknown {
                return Err(super::shape::unrecognized(field));
            }
        }
    }
    let errors = violations(record, rules);
    StorageError::refuse_all(errors)
}

use Rule::*;

pub const LOAN: Rules = &[
    ("proxyUserId", Uuid),
    ("itemEffectiveLocationIdAtCheckOut", RmbUuid),
    ("checkoutServicePointId", Uuid),
    ("checkinServicePointId", Uuid),
    ("overdueFinePolicyId", Uuid),
    ("lostItemPolicyId", Uuid),
];

pub const REQUEST: Rules = &[
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

pub const CHECK_IN: Rules = &[
    ("itemId", RmbUuid),
    ("requestQueueSize", Min("0")),
    ("itemLocationId", RmbUuid),
    ("servicePointId", RmbUuid),
    ("performedByUserId", RmbUuid),
];

const PERIOD: Rule = Required(&["duration", "intervalId"]);

pub const LOAN_POLICY: Rules = &[
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
pub const REQUEST_TYPES: [&str; 3] = ["Page", "Hold", "Recall"];

pub const REQUEST_POLICY: Rules = &[
    ("allowedServicePoints.Page", NotEmpty),
    ("allowedServicePoints.Page[]", RmbUuid),
    ("allowedServicePoints.Hold", NotEmpty),
    ("allowedServicePoints.Hold[]", RmbUuid),
    ("allowedServicePoints.Recall", NotEmpty),
    ("allowedServicePoints.Recall[]", RmbUuid),
];

pub const ACTUAL_COST_RECORD: Rules = &[
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

pub const SCHEDULED_NOTICE: Rules = &[
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

pub const PATRON_ACTION_SESSION: Rules = &[
    ("sessionId", RmbUuid),
    ("patronId", RmbUuid),
    ("loanId", RmbUuid),
];

pub const REQUEST_PREFERENCE: Rules = &[
    ("userId", Uuid),
    ("defaultServicePointId", Uuid),
    ("defaultDeliveryAddressTypeId", Uuid),
];

const NOTICE: Rule = Required(&["templateId", "format", "realTime"]);
const SEND_OPTIONS: Rule = Required(&["sendWhen"]);

pub const PATRON_NOTICE_POLICY: Rules = &[
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

pub const FIXED_DUE_DATE_SCHEDULE: Rules = &[("schedules[]", Required(&["from", "to", "due"]))];

/// The JSON type a schema gives a scalar property: what Jackson coerces a body's value into
/// before the typed check (RMB's mapper allows scalar coercion, and stores the coerced value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `integer` (a Java `Integer`).
    Integer,
    /// `number` (a Java `Double`).
    Number,
    /// `boolean` (a Java `Boolean`).
    Boolean,
    /// `string`.
    Text,
}

/// Per type: every scalar property (dotted path, `[]` for each element) whose type Jackson
/// would coerce into.
pub type Scalars = &'static [(&'static str, Scalar)];

/// The value Jackson would bind for `value` at a property of type `scalar`; `None` when it
/// binds it unchanged or refuses it (the typed check then reports the refusal).
fn coerced(value: &Value, scalar: Scalar) -> Option<Value> {
    match (scalar, value) {
        (Scalar::Integer | Scalar::Number | Scalar::Boolean, Value::String(text))
            if text.trim().is_empty() =>
        {
            // An empty string binds as null for the boxed types.
            Some(Value::Null)
        }
        (Scalar::Integer, Value::String(text)) => {
            let text = text.trim();
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            text.trim_start_matches('+')
                .parse::<i32>()
                .ok()
                .map(Value::from)
        }
        // Jackson truncates a fractional number bound to an integer.
        (Scalar::Integer, Value::Number(n)) if !n.is_i64() && !n.is_u64() => {
            let f = n.as_f64()?.trunc();
            (f >= f64::from(i32::MIN) && f <= f64::from(i32::MAX)).then(|| Value::from(f as i32))
        }
        (Scalar::Number, Value::String(text)) => {
            let text = text.trim();
            let plain = text
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
            if !plain {
                return None;
            }
            let number = text.parse::<f64>().ok()?;
            serde_json::Number::from_f64(number).map(Value::Number)
        }
        (Scalar::Boolean, Value::String(text)) => match text.trim() {
            "true" | "True" | "TRUE" => Some(Value::Bool(true)),
            "false" | "False" | "FALSE" => Some(Value::Bool(false)),
            _ => None,
        },
        (Scalar::Text, Value::Number(n)) => Some(Value::String(n.to_string())),
        (Scalar::Text, Value::Bool(b)) => Some(Value::String(b.to_string())),
        _ => None,
    }
}

/// Calls `f` on every value the pattern path reaches (the last segment's value, if present).
fn visit_mut(value: &mut Value, segments: &[&str], f: &mut dyn FnMut(&mut Value)) {
    let Some((segment, rest)) = segments.split_first() else {
        f(value);
        return;
    };
    let (name, each) = match segment.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*segment, false),
    };
    let Some(child) = value.as_object_mut().and_then(|o| o.get_mut(name)) else {
        return;
    };
    if each {
        for item in child.as_array_mut().into_iter().flatten() {
            visit_mut(item, rest, f);
        }
    } else {
        visit_mut(child, rest, f);
    }
}

/// Jackson's scalar coercion over the body, in place: a string holding a number or boolean
/// where the schema wants one becomes it, a number or boolean where it wants a string becomes
/// its text. Anything Jackson refuses is left for the typed check to refuse.
pub fn coerce(record: &mut Value, scalars: Scalars) {
    for (path, scalar) in scalars {
        let segments: Vec<&str> = path.split('.').collect();
        visit_mut(record, &segments, &mut |value| {
            if let Some(new) = coerced(value, *scalar) {
                *value = new;
            }
        });
    }
}

use Scalar::{Boolean, Integer, Number, Text};

pub const LOAN_SCALARS: Scalars = &[
    ("renewalCount", Integer),
    ("dueDateChangedByRecall", Boolean),
    ("isDcb", Boolean),
    ("agedToLostDelayedBilling.lostItemHasBeenBilled", Boolean),
    ("reminders.lastFeeBilled.number", Integer),
    ("action", Text),
    ("actionComment", Text),
    ("itemStatus", Text),
    ("status.name", Text),
];

pub const REQUEST_SCALARS: Scalars = &[
    ("position", Integer),
    ("isDcbReRequestCancellation", Boolean),
    ("printDetails.printCount", Integer),
    ("printDetails.isPrinted", Boolean),
    ("patronComments", Text),
    ("cancellationAdditionalInformation", Text),
    ("instance.title", Text),
    ("item.barcode", Text),
    ("requester.barcode", Text),
    ("requester.firstName", Text),
    ("requester.lastName", Text),
    ("requester.middleName", Text),
    ("itemLocationCode", Text),
];

pub const LOAN_POLICY_SCALARS: Scalars = &[
    ("name", Text),
    ("description", Text),
    ("loanable", Boolean),
    ("renewable", Boolean),
    ("loansPolicy.period.duration", Integer),
    ("loansPolicy.gracePeriod.duration", Integer),
    ("loansPolicy.openingTimeOffset.duration", Integer),
    ("loansPolicy.itemLimit", Integer),
    ("loansPolicy.forUseAtLocation", Boolean),
    (
        "loansPolicy.holdShelfExpiryPeriodForUseAtLocation.duration",
        Integer,
    ),
    ("renewalsPolicy.unlimited", Boolean),
    ("renewalsPolicy.numberAllowed", Number),
    ("renewalsPolicy.differentPeriod", Boolean),
    ("renewalsPolicy.period.duration", Integer),
    (
        "requestManagement.recalls.alternateGracePeriod.duration",
        Integer,
    ),
    (
        "requestManagement.recalls.minimumGuaranteedLoanPeriod.duration",
        Integer,
    ),
    (
        "requestManagement.recalls.recallReturnInterval.duration",
        Integer,
    ),
    (
        "requestManagement.recalls.alternateRecallReturnInterval.duration",
        Integer,
    ),
    (
        "requestManagement.recalls.allowRecallsToExtendOverdueLoans",
        Boolean,
    ),
    (
        "requestManagement.holds.alternateCheckoutLoanPeriod.duration",
        Integer,
    ),
    (
        "requestManagement.holds.alternateRenewalLoanPeriod.duration",
        Integer,
    ),
    ("requestManagement.holds.renewItemsWithRequest", Boolean),
    (
        "requestManagement.pages.alternateCheckoutLoanPeriod.duration",
        Integer,
    ),
    (
        "requestManagement.pages.alternateRenewalLoanPeriod.duration",
        Integer,
    ),
    ("requestManagement.pages.renewItemsWithRequest", Boolean),
];

pub const REQUEST_POLICY_SCALARS: Scalars = &[("name", Text), ("description", Text)];

pub const FIXED_DUE_DATE_SCHEDULE_SCALARS: Scalars = &[("name", Text), ("description", Text)];

pub const PATRON_NOTICE_POLICY_SCALARS: Scalars = &[
    ("name", Text),
    ("description", Text),
    ("active", Boolean),
    ("loanNotices[].name", Text),
    ("loanNotices[].templateName", Text),
    ("loanNotices[].realTime", Boolean),
    ("loanNotices[].sendOptions.sendBy.duration", Integer),
    ("loanNotices[].sendOptions.sendEvery.duration", Integer),
    ("feeFineNotices[].name", Text),
    ("feeFineNotices[].templateName", Text),
    ("feeFineNotices[].realTime", Boolean),
    ("feeFineNotices[].sendOptions.sendBy.duration", Integer),
    ("feeFineNotices[].sendOptions.sendEvery.duration", Integer),
    ("requestNotices[].name", Text),
    ("requestNotices[].templateName", Text),
    ("requestNotices[].realTime", Boolean),
    ("requestNotices[].sendOptions.sendBy.duration", Integer),
    ("requestNotices[].sendOptions.sendEvery.duration", Integer),
];

pub const CANCELLATION_REASON_SCALARS: Scalars = &[
    ("name", Text),
    ("description", Text),
    ("publicDescription", Text),
    ("requiresAdditionalInformation", Boolean),
    ("source", Text),
];

pub const SCHEDULED_NOTICE_SCALARS: Scalars = &[
    ("noticeConfig.sendInRealTime", Boolean),
    ("noticeConfig.recurringPeriod.duration", Integer),
];

pub const CHECK_IN_SCALARS: Scalars = &[
    ("requestQueueSize", Integer),
    ("itemStatusPriorToCheckIn", Text),
];

pub const STAFF_SLIP_SCALARS: Scalars = &[
    ("name", Text),
    ("description", Text),
    ("active", Boolean),
    ("isRawHtml", Boolean),
    ("template", Text),
];

pub const ACTUAL_COST_RECORD_SCALARS: Scalars = &[("feeFine.billedAmount", Number)];

pub const TLR_FEATURE_TOGGLE_JOB_SCALARS: Scalars = &[("numberOfUpdatedRequests", Integer)];

pub const REQUEST_PREFERENCE_SCALARS: Scalars = &[("holdShelf", Boolean), ("delivery", Boolean)];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(record: Value, rules: Rules) -> Vec<(String, String, String, String)> {
        violations(&record, rules)
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
    fn scalars_are_coerced_as_jackson_coerces_them() {
        let mut record = json!({
            "name": 7,
            "loanable": "true",
            "renewable": "FALSE",
            "loansPolicy": {"period": {"duration": " 3 ", "intervalId": "Days"}, "itemLimit": 2.9},
            "renewalsPolicy": {"numberAllowed": "2.5", "unlimited": ""},
            "requestManagement": {"holds": {"renewItemsWithRequest": "yes"}},
        });
        coerce(&mut record, LOAN_POLICY_SCALARS);
        assert_eq!(
            record,
            json!({
                "name": "7",
                "loanable": true,
                "renewable": false,
                "loansPolicy": {"period": {"duration": 3, "intervalId": "Days"}, "itemLimit": 2},
                "renewalsPolicy": {"numberAllowed": 2.5, "unlimited": null},
                "requestManagement": {"holds": {"renewItemsWithRequest": "yes"}},
            })
        );
        let mut notices = json!({"loanNotices": [
            {"realTime": "false", "sendOptions": {"sendBy": {"duration": "abc"}}},
            {"realTime": true, "sendOptions": {"sendEvery": {"duration": "1"}}},
        ]});
        coerce(&mut notices, PATRON_NOTICE_POLICY_SCALARS);
        assert_eq!(
            notices,
            json!({"loanNotices": [
                {"realTime": false, "sendOptions": {"sendBy": {"duration": "abc"}}},
                {"realTime": true, "sendOptions": {"sendEvery": {"duration": 1}}},
            ]})
        );
        let mut too_big = json!({"position": "3000000000"});
        coerce(&mut too_big, REQUEST_SCALARS);
        assert_eq!(too_big, json!({"position": "3000000000"}));
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
