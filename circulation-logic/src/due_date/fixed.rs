//! Fixed due date schedules (`fixed-due-date-schedule.json`): the due date of a fixed loan
//! profile and the due date limit of a rolling one (mod-circulation's `FixedDueDateSchedules`).
use chrono::{DateTime, Utc};
use shared_types::policy::{FixedDueDateSchedule, LoanPolicy, Schedule};

use super::time::{millis, parse_utc};
use super::DueDateError;

/// The schedules a loan policy's `loansPolicy.fixedDueDateScheduleId` points at.
///
/// `None` when the policy names no schedule or the record was not found: no limit for a
/// rolling profile, no due date for a fixed one (mod-circulation's `NoFixedDueDateSchedules`).
/// A record without `schedules` is an empty list, which (unlike `None`) refuses every loan
/// date of a rolling profile too.
pub(crate) fn loan_schedules<'a>(
    policy: &LoanPolicy,
    schedules: &'a [FixedDueDateSchedule],
) -> Option<&'a [Schedule]> {
    let id = policy
        .loans_policy
        .as_ref()?
        .fixed_due_date_schedule_id
        .as_deref()?;
    schedules
        .iter()
        .find(|s| s.id.as_deref() == Some(id))
        .map(|s| s.schedules.as_deref().unwrap_or(&[]))
}

/// The `due` of the first schedule whose range contains `date`, both ends EXCLUSIVE and at
/// millisecond precision, as mod-circulation compares (`isWithinMillis`).
/// An unparsable date in a schedule examined before a match is a server fault.
pub(crate) fn find_due_date_for(
    schedules: &[Schedule],
    date: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DueDateError> {
    let at = millis(&date);
    for schedule in schedules {
        let from = parse(&schedule.from)?;
        let to = parse(&schedule.to)?;
        if millis(&from) < at && at < millis(&to) {
            return parse(&schedule.due).map(Some);
        }
    }
    Ok(None)
}

fn parse(value: &str) -> Result<DateTime<Utc>, DueDateError> {
    parse_utc(value).ok_or_else(|| {
        DueDateError::Internal(format!(
            "Text '{value}' could not be parsed as a fixed due date schedule date"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn utc(s: &str) -> DateTime<Utc> {
        parse_utc(s).unwrap()
    }

    fn schedules() -> Vec<Schedule> {
        serde_json::from_value(json!([
            {"from": "2024-01-01T00:00:00.000Z", "to": "2024-06-30T23:59:59.000Z", "due": "2024-07-15T23:59:59.000Z"},
            {"from": "2024-07-01T00:00:00.000+00:00", "to": "2024-12-31T23:59:59.000+00:00", "due": "2025-01-15T23:59:59.000+00:00"}
        ]))
        .unwrap()
    }

    #[test]
    fn finds_the_range_containing_the_date() {
        let s = schedules();
        let cases = [
            ("2024-03-01T10:00:00Z", Some("2024-07-15T23:59:59Z")),
            ("2024-08-01T10:00:00Z", Some("2025-01-15T23:59:59Z")),
            // Bounds are exclusive.
            ("2024-01-01T00:00:00Z", None),
            ("2024-06-30T23:59:59Z", None),
            ("2024-01-01T00:00:00.001Z", Some("2024-07-15T23:59:59Z")),
            // Between the ranges and outside every range.
            ("2024-06-30T23:59:59.500Z", None),
            ("2023-12-31T12:00:00Z", None),
            ("2025-02-01T12:00:00Z", None),
        ];
        for (date, expected) in cases {
            assert_eq!(
                find_due_date_for(&s, utc(date)).unwrap(),
                expected.map(utc),
                "{date}"
            );
        }
    }

    #[test]
    fn bad_schedule_dates_are_server_faults() {
        let s: Vec<Schedule> =
            serde_json::from_value(json!([{"from": "x", "to": "y", "due": "z"}])).unwrap();
        assert!(matches!(
            find_due_date_for(&s, utc("2024-03-01T10:00:00Z")),
            Err(DueDateError::Internal(_))
        ));
    }
}
