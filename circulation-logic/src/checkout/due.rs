//! Adapter between the check-out and the due-date calculation. Until the `due_date` module
//! lands this holds a small stand-in (rolling / fixed / limit, and the day-level
//! closed-library strategies); the check-out only calls [`initial`] and [`closed_library`].
#![allow(clippy::result_large_err)]
use super::validate::parse_date_time;
use chrono::{DateTime, Duration, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use shared_types::errors::Error;
use shared_types::policy::{
    DueDateManagement, FixedDueDateSchedule, IntervalId, LoanPolicy, LoanProfile, Period,
};

pub struct DueInput<'a> {
    pub policy: &'a LoanPolicy,
    pub policy_id: &'a str,
    pub schedule: Option<&'a FixedDueDateSchedule>,
    pub loan_date: DateTime<Utc>,
    pub tz: Tz,
    /// An open "Hold" waits for this item (alternate checkout period applies).
    pub has_open_hold: bool,
}

pub struct Due {
    pub due_date: DateTime<Utc>,
    pub changed_by_hold: bool,
}

fn policy_error(input: &DueInput, message: impl Into<String>) -> Error {
    Error::new(message)
        .with_parameter("loanPolicyId", Some(input.policy_id.to_string()))
        .with_parameter("loanPolicyName", Some(input.policy.name.clone()))
}

fn add(from: DateTime<Utc>, p: &Period, input: &DueInput) -> Result<DateTime<Utc>, Error> {
    if p.duration <= 0 {
        return Err(policy_error(
            input,
            format!(
                "the duration \"{}\" in the loan policy is invalid",
                p.duration
            ),
        ));
    }
    let local = from.with_timezone(&input.tz);
    let d = i64::from(p.duration);
    let out = match p.interval_id {
        IntervalId::Minutes => local + Duration::minutes(d),
        IntervalId::Hours => local + Duration::hours(d),
        IntervalId::Days => local + Duration::days(d),
        IntervalId::Weeks => local + Duration::weeks(d),
        IntervalId::Months => local
            .checked_add_months(Months::new(p.duration as u32))
            .unwrap_or(local),
    };
    Ok(out.with_timezone(&Utc))
}

fn schedule_due(input: &DueInput) -> Option<DateTime<Utc>> {
    input.schedule?.schedules.as_ref()?.iter().find_map(|s| {
        let from = parse_date_time(&s.from)?;
        let to = parse_date_time(&s.to)?;
        (from <= input.loan_date && input.loan_date <= to)
            .then(|| parse_date_time(&s.due))
            .flatten()
    })
}

/// The due date before closed-library handling.
pub fn initial(input: &DueInput) -> Result<Due, Error> {
    let Some(lp) = input.policy.loans_policy.as_ref() else {
        return Err(policy_error(
            input,
            "profile \"\" in the loan policy is not recognised",
        ));
    };
    let hold_period = input
        .policy
        .request_management
        .as_ref()
        .and_then(|rm| rm.holds.as_ref())
        .and_then(|h| h.alternate_checkout_loan_period)
        .filter(|_| input.has_open_hold);
    let outside = || {
        policy_error(
            input,
            "loan date falls outside of the date ranges in the loan policy",
        )
    };
    match lp.profile() {
        Some(LoanProfile::Rolling) => {
            let period = hold_period.or(lp.period).ok_or_else(|| {
                policy_error(
                    input,
                    "the loan period in the loan policy is not recognised",
                )
            })?;
            let mut due = add(input.loan_date, &period, input)?;
            if lp.fixed_due_date_schedule_id.is_some() {
                let limit = schedule_due(input).ok_or_else(outside)?;
                due = due.min(limit);
            }
            Ok(Due {
                due_date: due,
                changed_by_hold: hold_period.is_some(),
            })
        }
        Some(LoanProfile::Fixed) => {
            if let Some(p) = hold_period {
                let due = add(input.loan_date, &p, input)?;
                return Ok(Due {
                    due_date: due,
                    changed_by_hold: true,
                });
            }
            Ok(Due {
                due_date: schedule_due(input).ok_or_else(outside)?,
                changed_by_hold: false,
            })
        }
        None => Err(policy_error(
            input,
            format!(
                "profile \"{}\" in the loan policy is not recognised",
                lp.profile_id.as_deref().unwrap_or("")
            ),
        )),
    }
}

/// The local date whose openings the calendar is asked for.
pub fn calendar_date(due: DateTime<Utc>, tz: Tz) -> NaiveDate {
    due.with_timezone(&tz).date_naive()
}

fn end_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let t = date.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("time"));
    tz.from_local_datetime(&t)
        .latest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&t))
}

fn day(openings: &Value, index: usize) -> Option<(NaiveDate, bool)> {
    let d = openings.get("openings")?.as_array()?.get(index)?;
    let date = NaiveDate::parse_from_str(d.get("date")?.as_str()?.get(..10)?, "%Y-%m-%d").ok()?;
    Some((
        date,
        d.get("open").and_then(Value::as_bool).unwrap_or(false),
    ))
}

/// Closed-library due date management from the calendar's surrounding openings.
pub fn closed_library(
    due: DateTime<Utc>,
    policy: &LoanPolicy,
    openings: &Value,
    tz: Tz,
) -> Result<DateTime<Utc>, Error> {
    let strategy = policy
        .loans_policy
        .as_ref()
        .map(|lp| lp.due_date_management())
        .unwrap_or(DueDateManagement::KeepTheCurrentDueDate);
    let absent = || {
        Error::new("Calendar timetable is absent for requested date")
            .with_code("CALENDAR_TIMETABLE_ABSENT")
    };
    let local = calendar_date(due, tz);
    let requested_open = day(openings, 1).map(|(_, open)| open).unwrap_or(false);
    match strategy {
        DueDateManagement::KeepTheCurrentDueDate => Ok(end_of_day(local, tz)),
        DueDateManagement::KeepTheCurrentDueDateTime => Ok(due),
        DueDateManagement::MoveToTheEndOfThePreviousOpenDay
        | DueDateManagement::MoveToTheEndOfTheNextOpenDay => {
            if requested_open {
                return Ok(end_of_day(local, tz));
            }
            let index = if strategy == DueDateManagement::MoveToTheEndOfThePreviousOpenDay {
                0
            } else {
                2
            };
            match day(openings, index) {
                Some((date, true)) => Ok(end_of_day(date, tz)),
                _ => Err(absent()),
            }
        }
        _ => Ok(due),
    }
}
