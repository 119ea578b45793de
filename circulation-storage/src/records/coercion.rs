//! Jackson's scalar coercion, as RMB's object mapper applies it to a body before validation:
//! per record type, the scalar properties and the JSON type its schema gives each.
use serde_json::Value;

/// The JSON type a schema gives a scalar property: what Jackson coerces a body's value into
/// before the typed check (RMB's mapper allows scalar coercion, and stores the coerced value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
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
pub(crate) type Scalars = &'static [(&'static str, Scalar)];

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
pub(crate) fn coerce(record: &mut Value, scalars: Scalars) {
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

pub(crate) const LOAN_SCALARS: Scalars = &[
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

pub(crate) const REQUEST_SCALARS: Scalars = &[
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

pub(crate) const LOAN_POLICY_SCALARS: Scalars = &[
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

pub(crate) const REQUEST_POLICY_SCALARS: Scalars = &[("name", Text), ("description", Text)];

pub(crate) const FIXED_DUE_DATE_SCHEDULE_SCALARS: Scalars =
    &[("name", Text), ("description", Text)];

pub(crate) const PATRON_NOTICE_POLICY_SCALARS: Scalars = &[
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

pub(crate) const CANCELLATION_REASON_SCALARS: Scalars = &[
    ("name", Text),
    ("description", Text),
    ("publicDescription", Text),
    ("requiresAdditionalInformation", Boolean),
    ("source", Text),
];

pub(crate) const SCHEDULED_NOTICE_SCALARS: Scalars = &[
    ("noticeConfig.sendInRealTime", Boolean),
    ("noticeConfig.recurringPeriod.duration", Integer),
];

pub(crate) const CHECK_IN_SCALARS: Scalars = &[
    ("requestQueueSize", Integer),
    ("itemStatusPriorToCheckIn", Text),
];

pub(crate) const STAFF_SLIP_SCALARS: Scalars = &[
    ("name", Text),
    ("description", Text),
    ("active", Boolean),
    ("isRawHtml", Boolean),
    ("template", Text),
];

pub(crate) const ACTUAL_COST_RECORD_SCALARS: Scalars = &[("feeFine.billedAmount", Number)];

pub(crate) const TLR_FEATURE_TOGGLE_JOB_SCALARS: Scalars = &[("numberOfUpdatedRequests", Integer)];

pub(crate) const REQUEST_PREFERENCE_SCALARS: Scalars =
    &[("holdShelf", Boolean), ("delivery", Boolean)];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
