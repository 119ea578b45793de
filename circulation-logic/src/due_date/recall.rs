//! The due date of a recalled loan (mod-circulation's `LoanPolicy.recall`), from the loan
//! policy's `requestManagement.recalls`.
//!
//! - minimum guaranteed due date: loan date + `minimumGuaranteedLoanPeriod` (none without it);
//! - recall due date: now + `recallReturnInterval` (now itself without it); for an overdue
//!   loan whose policy allows recalls to extend overdue loans, now +
//!   `alternateRecallReturnInterval` when that is set;
//! - an overdue loan keeps its due date unless the policy allows recalls to extend overdue
//!   loans; a recall due date after the current one keeps the current one unless that flag is
//!   set (so the recall return interval only shortens a loan by default);
//! - otherwise the later of the recall due date and the minimum guaranteed due date (the
//!   minimum is not compared with the current due date, as in mod-circulation).
//!
//! All comparisons are to the millisecond. The caller then re-applies the closed-library
//! logic to the result and sets `dueDateChangedByRecall`.
use super::rolling::{add_period, PeriodError};
use super::time::{millis, truncate_millis};
use super::DueDateError;
use chrono::{DateTime, Utc};
use shared_types::policy::{LoanPolicy, Period, RecallsSettings};

/// `from + period`, with mod-circulation's messages naming the policy key.
fn add(
    policy: &LoanPolicy,
    key: &str,
    from: DateTime<Utc>,
    period: &Period,
) -> Result<DateTime<Utc>, DueDateError> {
    add_period(from, period).map_err(|e| match e {
        PeriodError::InvalidDuration(d) => DueDateError::policy(
            policy,
            format!("the duration \"{d}\" in \"{key}\" is invalid"),
        ),
        PeriodError::Overflow => DueDateError::Internal("due date out of range".to_string()),
    })
}

/// The due date of a loan (taken out at `loan_date`, currently due at `current_due`) when an
/// open recall for its item is in the queue at `now`.
pub(crate) fn recall_due_date(
    policy: &LoanPolicy,
    loan_date: DateTime<Utc>,
    current_due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, DueDateError> {
    let default = RecallsSettings::default();
    let recalls = policy
        .request_management
        .as_ref()
        .and_then(|m| m.recalls.as_ref())
        .unwrap_or(&default);
    let now = truncate_millis(now);
    let allow_extend = recalls.allow_recalls_to_extend_overdue_loans == Some(true);
    let overdue = millis(&current_due) < millis(&now);

    // Both candidates are computed (and their errors reported) before deciding.
    let recall_interval = match (
        &recalls.alternate_recall_return_interval,
        overdue && allow_extend,
    ) {
        (Some(alternate), true) => Some(("alternateRecallReturnInterval", alternate)),
        _ => recalls
            .recall_return_interval
            .as_ref()
            .map(|p| ("recallReturnInterval", p)),
    };
    let recall_due = match recall_interval {
        Some((key, period)) => add(policy, key, now, period)?,
        None => now,
    };
    let minimum = recalls
        .minimum_guaranteed_loan_period
        .as_ref()
        .map(|p| {
            add(
                policy,
                "minimumGuaranteedLoanPeriod",
                truncate_millis(loan_date),
                p,
            )
        })
        .transpose()?;

    if !allow_extend && (overdue || millis(&recall_due) > millis(&current_due)) {
        return Ok(current_due);
    }
    Ok(match minimum {
        Some(minimum) if millis(&recall_due) <= millis(&minimum) => minimum,
        _ => recall_due,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::due_date::time::parse_utc;
    use serde_json::json;

    fn utc(s: &str) -> DateTime<Utc> {
        parse_utc(s).unwrap()
    }

    fn policy(recalls: serde_json::Value) -> LoanPolicy {
        serde_json::from_value(json!({
            "id": "d9cd0bed-1b49-4b5e-a7bd-064b8d177231", "name": "Recalls",
            "loanable": true, "renewable": true,
            "loansPolicy": {"profileId": "Rolling", "period": {"duration": 3, "intervalId": "Weeks"},
                "closedLibraryDueDateManagementId": "CURRENT_DUE_DATE_TIME"},
            "requestManagement": {"recalls": recalls}
        }))
        .unwrap()
    }

    const LOAN: &str = "2026-03-02T10:00:00.000Z";
    const DUE: &str = "2026-03-23T10:00:00.000Z";
    const NOW: &str = "2026-03-05T12:00:00.000Z";

    fn recall(recalls: serde_json::Value, loan: &str, due: &str, now: &str) -> String {
        let d = recall_due_date(&policy(recalls), utc(loan), utc(due), utc(now)).unwrap();
        d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    #[test]
    fn recall_return_interval_after_the_minimum_wins() {
        let r = json!({"recallReturnInterval": {"duration": 5, "intervalId": "Days"},
            "minimumGuaranteedLoanPeriod": {"duration": 1, "intervalId": "Days"}});
        assert_eq!(recall(r, LOAN, DUE, NOW), "2026-03-10T12:00:00.000Z");
    }

    #[test]
    fn minimum_guaranteed_period_wins_when_later() {
        let r = json!({"recallReturnInterval": {"duration": 1, "intervalId": "Days"},
            "minimumGuaranteedLoanPeriod": {"duration": 2, "intervalId": "Weeks"}});
        assert_eq!(recall(r, LOAN, DUE, NOW), "2026-03-16T10:00:00.000Z");
        // Equal candidates: the minimum (the same instant).
        let r = json!({"recallReturnInterval": {"duration": 2, "intervalId": "Days"},
            "minimumGuaranteedLoanPeriod": {"duration": 4, "intervalId": "Days"}});
        assert_eq!(
            recall(r, LOAN, DUE, "2026-03-04T10:00:00.000Z"),
            "2026-03-06T10:00:00.000Z"
        );
    }

    #[test]
    fn never_later_than_the_current_due_date() {
        let r = json!({"recallReturnInterval": {"duration": 4, "intervalId": "Weeks"}});
        assert_eq!(recall(r, LOAN, DUE, NOW), DUE);
        // Only the recall date is compared with the current due date (as mod-circulation
        // does): a minimum guaranteed period longer than the loan still applies.
        let r = json!({"recallReturnInterval": {"duration": 1, "intervalId": "Days"},
            "minimumGuaranteedLoanPeriod": {"duration": 4, "intervalId": "Weeks"}});
        assert_eq!(recall(r, LOAN, DUE, NOW), "2026-03-30T10:00:00.000Z");
    }

    #[test]
    fn without_settings_the_loan_is_due_now() {
        assert_eq!(recall(json!({}), LOAN, DUE, NOW), NOW);
        let p: LoanPolicy = serde_json::from_value(json!({"id": "x", "name": "n",
            "loanable": true, "renewable": true}))
        .unwrap();
        assert_eq!(
            recall_due_date(&p, utc(LOAN), utc(DUE), utc(NOW)).unwrap(),
            utc(NOW)
        );
    }

    #[test]
    fn overdue_loans_keep_their_due_date_unless_extension_allowed() {
        let r = json!({"recallReturnInterval": {"duration": 2, "intervalId": "Days"}});
        let due = "2026-03-04T10:00:00.000Z";
        assert_eq!(recall(r, LOAN, due, NOW), due);
        let r = json!({"recallReturnInterval": {"duration": 2, "intervalId": "Days"},
            "allowRecallsToExtendOverdueLoans": true,
            "alternateRecallReturnInterval": {"duration": 3, "intervalId": "Days"}});
        assert_eq!(recall(r, LOAN, due, NOW), "2026-03-08T12:00:00.000Z");
    }

    #[test]
    fn invalid_duration_is_refused_with_the_key() {
        let p = policy(json!({"recallReturnInterval": {"duration": 0, "intervalId": "Days"}}));
        let e = recall_due_date(&p, utc(LOAN), utc(DUE), utc(NOW)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the duration \"0\" in \"recallReturnInterval\" is invalid"
        );
        assert!(e.is_validation());
    }
}
