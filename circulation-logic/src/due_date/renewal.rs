//! The due date a renewal proposes (mod-circulation's `RollingRenewalDueDateStrategy` and
//! `FixedScheduleRenewalDueDateStrategy`), before the closed-library adjustment.
//!
//! Rolling: from the current due date or now (`renewFromId`), plus the holds' alternate
//! renewal period when a hold is first in the queue, else the renewal period (`differentPeriod`)
//! or the loan period; capped by the due date of the schedule range containing that start date
//! (the alternate renewal schedule with `differentPeriod`, else the loan's schedule). Fixed: the
//! due date of the range containing now.
use super::fixed::find_due_date_for;
use super::rolling::{add_period, PeriodError};
use super::time::millis;
use chrono::{DateTime, Utc};
use shared_types::policy::{FixedDueDateSchedule, LoanPolicy, LoanProfile, Schedule};

/// A renewal date that cannot be proposed: FOLIO's message and code (the caller adds the
/// policy's id and name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RenewalDateError {
    pub(crate) message: String,
    pub(crate) code: &'static str,
}

fn refused(message: impl Into<String>, code: &'static str) -> RenewalDateError {
    RenewalDateError {
        message: message.into(),
        code,
    }
}

/// What a renewal's due date depends on.
pub(crate) struct RenewalDueDate<'a> {
    pub(crate) policy: &'a LoanPolicy,
    /// The schedule records the policy names (loan and alternate renewal schedules).
    pub(crate) schedules: &'a [FixedDueDateSchedule],
    pub(crate) now: DateTime<Utc>,
    pub(crate) current_due: DateTime<Utc>,
    /// A hold is first in the item's queue.
    pub(crate) hold_first: bool,
}

/// The schedule ranges of the record with this id.
fn ranges<'a>(schedules: &'a [FixedDueDateSchedule], id: Option<&str>) -> Option<&'a [Schedule]> {
    let id = id?;
    schedules
        .iter()
        .find(|s| s.id.as_deref() == Some(id))
        .map(|s| s.schedules.as_deref().unwrap_or(&[]))
}

/// The proposed due date and the schedule limit it was capped by.
pub(crate) fn renewal_due_date(
    input: &RenewalDueDate<'_>,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), RenewalDateError> {
    let policy = input.policy;
    let loans = policy.loans_policy.as_ref();
    let renewals = policy.renewals_policy.as_ref();
    let different = renewals.and_then(|r| r.different_period) == Some(true);
    let schedule_id = match different {
        true => renewals.and_then(|r| r.alternate_fixed_due_date_schedule_id.as_deref()),
        false => loans.and_then(|l| l.fixed_due_date_schedule_id.as_deref()),
    };
    let schedules = ranges(input.schedules, schedule_id);
    let internal = |e: super::DueDateError| refused(e.to_string(), "INTERNAL");
    let profile = loans.and_then(|l| l.profile());
    match profile {
        Some(LoanProfile::Fixed) => {
            let outside = || {
                refused(
                    "renewal date falls outside of date ranges in fixed loan policy",
                    "RENEWAL_DATE_OUTSIDE_FIXED_LOAN_POLICY_DATE_RANGES",
                )
            };
            let due = match schedules {
                Some(s) => find_due_date_for(s, input.now).map_err(internal)?,
                None => None,
            };
            due.map(|d| (d, Some(d))).ok_or_else(outside)
        }
        Some(LoanProfile::Rolling) => {
            let from = match renewals.and_then(|r| r.renew_from_id.as_deref()) {
                Some("CURRENT_DUE_DATE") => input.current_due,
                Some("SYSTEM_DATE") => input.now,
                _ => {
                    return Err(refused(
                        "cannot determine when to renew from",
                        "LOAN_POLICY_RENEW_FROM_NOT_RECOGNIZED",
                    ))
                }
            };
            let alternate = input
                .hold_first
                .then(|| {
                    policy
                        .request_management
                        .as_ref()?
                        .holds
                        .as_ref()?
                        .alternate_renewal_loan_period
                })
                .flatten();
            let period = alternate.or(match different {
                true => renewals.and_then(|r| r.period),
                false => loans.and_then(|l| l.period),
            });
            let Some(period) = period else {
                return Err(refused(
                    "the loan period in the loan policy is not recognised",
                    "LOAN_POLICY_RENEWAL_PERIOD_NOT_RECOGNIZED",
                ));
            };
            let due = add_period(from, &period).map_err(|e| match e {
                PeriodError::InvalidDuration(d) => refused(
                    format!("the duration \"{d}\" in the loan policy is invalid"),
                    "LOAN_POLICY_RENEWAL_PERIOD_DURATION_INVALID",
                ),
                PeriodError::Overflow => refused("due date out of range", "INTERNAL"),
            })?;
            let Some(schedules) = schedules else {
                return Ok((due, None));
            };
            let limit = find_due_date_for(schedules, from)
                .map_err(internal)?
                .ok_or_else(|| {
                    refused(
                        "renewal date falls outside of date ranges in the loan policy",
                        "RENEWAL_DATE_OUTSIDE_LOAN_POLICY_DATE_RANGES",
                    )
                })?;
            let capped = if millis(&limit) < millis(&due) {
                limit
            } else {
                due
            };
            Ok((capped, Some(limit)))
        }
        None => Err(refused(
            format!(
                "profile \"{}\" in the loan policy is not recognised",
                loans
                    .and_then(|l| l.profile_id.as_deref())
                    .unwrap_or("null")
            ),
            "LOAN_POLICY_PROFILE_NOT_RECOGNIZED",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn policy(renewals: serde_json::Value, loans: serde_json::Value) -> LoanPolicy {
        serde_json::from_value(json!({"id": "p", "name": "P", "loanable": true, "renewable": true,
            "loansPolicy": loans, "renewalsPolicy": renewals,
            "requestManagement": {"holds": {"alternateRenewalLoanPeriod": {"duration": 2, "intervalId": "Days"}}}}))
        .unwrap()
    }

    fn input<'a>(p: &'a LoanPolicy, hold_first: bool) -> RenewalDueDate<'a> {
        RenewalDueDate {
            policy: p,
            schedules: &[],
            now: at("2030-03-10T10:00:00Z"),
            current_due: at("2030-03-20T23:59:59Z"),
            hold_first,
        }
    }

    #[test]
    fn rolling_from_now_or_the_due_date_with_the_right_period() {
        let loans =
            json!({"profileId": "Rolling", "period": {"duration": 3, "intervalId": "Weeks"}});
        let from_now = policy(json!({"renewFromId": "SYSTEM_DATE"}), loans.clone());
        assert_eq!(
            renewal_due_date(&input(&from_now, false)).unwrap().0,
            at("2030-03-31T10:00:00Z")
        );
        let from_due = policy(
            json!({"renewFromId": "CURRENT_DUE_DATE", "differentPeriod": true,
                   "period": {"duration": 1, "intervalId": "Weeks"}}),
            loans.clone(),
        );
        assert_eq!(
            renewal_due_date(&input(&from_due, false)).unwrap().0,
            at("2030-03-27T23:59:59Z")
        );
        // A hold first in the queue: the holds' alternate renewal period.
        assert_eq!(
            renewal_due_date(&input(&from_due, true)).unwrap().0,
            at("2030-03-22T23:59:59Z")
        );
        let unknown = policy(json!({"renewFromId": "TOMORROW"}), loans);
        assert_eq!(
            renewal_due_date(&input(&unknown, false)).unwrap_err().code,
            "LOAN_POLICY_RENEW_FROM_NOT_RECOGNIZED"
        );
    }

    #[test]
    fn fixed_needs_a_range_containing_now() {
        let p = policy(
            json!({}),
            json!({"profileId": "Fixed", "fixedDueDateScheduleId": "s"}),
        );
        let schedules: Vec<FixedDueDateSchedule> = vec![serde_json::from_value(json!({
            "id": "s", "name": "S", "schedules": [{"from": "2030-01-01T00:00:00Z",
                "to": "2030-06-30T23:59:59Z", "due": "2030-07-15T23:59:59Z"}]}))
        .unwrap()];
        let mut i = input(&p, false);
        i.schedules = &schedules;
        assert_eq!(renewal_due_date(&i).unwrap().0, at("2030-07-15T23:59:59Z"));
        i.now = at("2031-01-01T00:00:00Z");
        assert_eq!(
            renewal_due_date(&i).unwrap_err().message,
            "renewal date falls outside of date ranges in fixed loan policy"
        );
    }
}
