//! Loan policy consistency rules, in FOLIO's order; the first failing one is reported.
use super::Write;
use crate::error::StorageError;
use serde_json::Value;

/// Java's Boolean.toString of an optional flag: "true", "false" or "null".
fn flag(v: Option<&Value>) -> String {
    match v.and_then(Value::as_bool) {
        Some(b) => b.to_string(),
        None => "null".into(),
    }
}

fn is_true(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool) == Some(true)
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "null".into(),
        Some(other) => other.to_string(),
    }
}

pub(crate) fn validate(policy: &mut Value, _: Write) -> Result<(), StorageError> {
    let loans = policy.get("loansPolicy");
    let renewals = policy.get("renewalsPolicy");
    let renewable = policy.get("renewable");
    let loanable = policy.get("loanable");
    let is_fixed = loans
        .and_then(|l| l.get("profileId"))
        .and_then(Value::as_str)
        .is_some_and(|p| p.eq_ignore_ascii_case("Fixed"));
    let alternate = renewals
        .and_then(|r| r.get("alternateFixedDueDateScheduleId"))
        .filter(|v| !v.is_null());
    let different_period = renewals.and_then(|r| r.get("differentPeriod"));

    let needs_alternate = is_true(renewable)
        && renewals.is_some()
        && is_true(different_period)
        && is_fixed
        && alternate.is_none();
    let alternate_not_allowed = renewals.is_some()
        && (!is_true(renewable) || !is_true(different_period))
        && alternate.is_some();
    if needs_alternate || alternate_not_allowed {
        let message = format!(
            "Alternate fixed due date cannot be {} if renewable is {}, different period is {} and profile is {}",
            text(alternate),
            flag(renewable),
            flag(different_period),
            text(loans.and_then(|l| l.get("profileId")))
        );
        return Err(StorageError::invalid(
            message,
            "alternateFixedDueDateScheduleId",
            Some(text(alternate)),
        ));
    }

    let schedule = loans
        .and_then(|l| l.get("fixedDueDateScheduleId"))
        .filter(|v| !v.is_null());
    let missing_schedule = (is_true(loanable) && is_fixed && schedule.is_none())
        || (!is_true(loanable) && loans.is_some() && schedule.is_none());
    if missing_schedule {
        let message = format!(
            "Fixed due date cannot be null if loanable is {} and profile is of type fixed",
            flag(loanable)
        );
        return Err(StorageError::invalid(
            message,
            "fixedDueDateScheduleId",
            Some(text(schedule)),
        ));
    }

    let holds = policy.pointer("/requestManagement/holds");
    let alternate_period = holds
        .and_then(|h| h.get("alternateRenewalLoanPeriod"))
        .filter(|v| !v.is_null());
    if is_fixed && is_true(renewable) && is_true(holds.and_then(|h| h.get("renewItemsWithRequest")))
    {
        if let Some(period) = alternate_period {
            return Err(StorageError::invalid(
                "Alternate Renewal Loan Period for Holds is not allowed for policies with Fixed profile",
                "alternateRenewalLoanPeriod",
                Some(period.to_string()),
            ));
        }
    }

    let renewal_period = renewals
        .and_then(|r| r.get("period"))
        .filter(|v| !v.is_null());
    if is_fixed && is_true(renewable) && is_true(different_period) {
        if let Some(period) = renewal_period {
            return Err(StorageError::invalid(
                "Period in RenewalsPolicy is not allowed for policies with Fixed profile",
                "period",
                Some(period.to_string()),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(mut p: Value) -> Option<String> {
        match validate(&mut p, Write::Create) {
            Ok(()) => None,
            Err(StorageError::Unprocessable(e)) => Some(e.errors[0].message.clone()),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn folio_rules() {
        assert_eq!(
            message(
                json!({"name": "r", "loanable": true, "renewable": true, "loansPolicy": {"profileId": "Rolling"}})
            ),
            None
        );
        assert_eq!(
            message(json!({"name": "f", "loanable": true, "renewable": false, "loansPolicy": {"profileId": "Fixed"}})).unwrap(),
            "Fixed due date cannot be null if loanable is true and profile is of type fixed"
        );
        assert_eq!(
            message(json!({"name": "f", "loanable": true, "renewable": true,
                "loansPolicy": {"profileId": "Fixed", "fixedDueDateScheduleId": "s"},
                "renewalsPolicy": {"differentPeriod": true, "alternateFixedDueDateScheduleId": "s", "period": {"duration": 1, "intervalId": "Days"}}}))
            .unwrap(),
            "Period in RenewalsPolicy is not allowed for policies with Fixed profile"
        );
        assert_eq!(
            message(json!({"name": "f", "loanable": true, "renewable": true,
                "loansPolicy": {"profileId": "Fixed", "fixedDueDateScheduleId": "s"},
                "renewalsPolicy": {"differentPeriod": true}}))
            .unwrap(),
            "Alternate fixed due date cannot be null if renewable is true, different period is true and profile is Fixed"
        );
    }
}
