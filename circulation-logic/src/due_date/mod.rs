//! Due date calculation at check-out, as mod-circulation does it (`LoanPolicy`,
//! `RollingCheckOutDueDateStrategy`, `FixedScheduleCheckOutDueDateStrategy`,
//! `ClosedLibraryStrategyService`). Pure functions: the caller does the reads.
//!
//! Order for a check-out (unless an item-not-loanable override supplied the due date):
//! 1. [`initial_due_date`] from the loan date: rolling period (or the holds' alternate
//!    check-out period) capped by the due date limit schedule, or the fixed schedule's due date.
//!    Also yields the schedule limit used later and the `dueDateChangedByHold` flag.
//! 2. `GET /calendar/dates/{checkoutServicePointId}/surrounding-openings?date=`
//!    [`openings_query_date`] — mod-circulation makes this read for every strategy
//!    ([`needs_calendar`]); a 404 is [`DueDateError::CalendarOpenPeriodsNotFound`], an empty
//!    200 body means all days closed ([`SurroundingOpenings::from_body`]).
//! 3. [`apply_closed_library`]: the policy's `closedLibraryDueDateManagementId`, then the cap
//!    back to the due date limit.
//! 4. [`expiry_openings_date`]: when the borrower expires before that due date, read the
//!    calendar again for the returned date, set `dueDateChangedByNearExpireUser`, and call
//!    [`truncate_to_expiry`].
//!
//! 5. At check-out with an open Recall for the item left in the queue: [`recall_due_date`],
//!    then steps 2-4 again for that date (the schedule limit being the one containing it).
//!
//! All 422 refusals carry mod-circulation's exact messages ([`DueDateError`]).
//!
//! Deviations, all at the edges: the loan date is taken as UTC (mod-circulation adds the period
//! in the offset written in the request's `loanDate`, which is `Z` for FOLIO clients and for the
//! default "now"; only month arithmetic near a month end could differ); a missing previous
//! interval in the hours truncation for patron expiry and a missing entry in the calendar's
//! three days are answered as absent timetable / closed day where Java fails with a 500.
mod closed_library;
mod fixed;
mod hold_shelf;
mod openings;
mod recall;
mod renewal;
mod rolling;
mod time;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use shared_types::errors::Error as FolioError;
use shared_types::policy::{FixedDueDateSchedule, LoanPolicy, LoanProfile};

pub(crate) use closed_library::openings_query_date;
pub(crate) use fixed::{find_due_date_for, loan_schedules};
pub(crate) use hold_shelf::hold_shelf_expiration;
pub(crate) use openings::{SingleDayOpening, SurroundingOpenings};
pub(crate) use recall::recall_due_date;
pub(crate) use renewal::{renewal_due_date, RenewalDateError, RenewalDueDate};
pub(crate) use rolling::add_period;
pub(crate) use time::{local_date, local_to_utc, parse_date_time, parse_utc};

use closed_library::{strategy_for, strategy_for_expiry, strategy_for_limit};
use rolling::PeriodError;
use time::{millis, truncate_millis};

/// `loan date falls outside of the date ranges in the loan policy` (fixed schedule, or a
/// rolling profile's due date limit schedule).
pub(crate) const LOAN_DATE_OUTSIDE_SCHEDULES: &str =
    "loan date falls outside of the date ranges in the loan policy";
pub(crate) const UNRECOGNISED_PERIOD: &str = "the loan period in the loan policy is not recognised";
#[cfg(test)]
pub(crate) const CALENDAR_TIMETABLE_ABSENT: &str =
    "Calendar timetable is absent for requested date";
#[cfg(test)]
pub(crate) const CALENDAR_OPEN_PERIODS_NOT_FOUND: &str = "Calendar open periods are not found";

/// A due date that cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DueDateError {
    /// 422 with parameters `loanPolicyId` and `loanPolicyName`, no code.
    #[error("{message}")]
    LoanPolicy {
        message: String,
        loan_policy_id: Option<String>,
        loan_policy_name: String,
    },
    /// 422 `Calendar timetable is absent for requested date`, code
    /// `CALENDAR_TIMETABLE_ABSENT`, no parameters.
    #[error("Calendar timetable is absent for requested date")]
    CalendarTimetableAbsent,
    /// 422 `Calendar open periods are not found`, code `CALENDAR_OPEN_PERIODS_NOT_FOUND`, no
    /// parameters: for the caller to return when the calendar answers 404.
    #[error("Calendar open periods are not found")]
    CalendarOpenPeriodsNotFound,
    /// A fault (unparsable schedule date, arithmetic overflow): 500 text/plain.
    #[error("{0}")]
    Internal(String),
}

impl DueDateError {
    fn policy(policy: &LoanPolicy, message: String) -> Self {
        DueDateError::LoanPolicy {
            message,
            loan_policy_id: policy.id.clone(),
            loan_policy_name: policy.name.clone(),
        }
    }

    /// Whether this is a 422 validation error (else a 500).
    pub(crate) fn is_validation(&self) -> bool {
        !matches!(self, DueDateError::Internal(_))
    }

    pub(crate) fn code(&self) -> Option<&'static str> {
        match self {
            DueDateError::CalendarTimetableAbsent => Some("CALENDAR_TIMETABLE_ABSENT"),
            DueDateError::CalendarOpenPeriodsNotFound => Some("CALENDAR_OPEN_PERIODS_NOT_FOUND"),
            _ => None,
        }
    }

    /// The FOLIO error of a 422 (for [`DueDateError::Internal`], just the message).
    pub(crate) fn to_folio_error(&self) -> FolioError {
        let mut e = FolioError::new(self.to_string());
        if let Some(code) = self.code() {
            e = e.with_code(code);
        }
        if let DueDateError::LoanPolicy {
            loan_policy_id,
            loan_policy_name,
            ..
        } = self
        {
            e = e
                .with_parameter("loanPolicyId", loan_policy_id.clone())
                .with_parameter("loanPolicyName", Some(loan_policy_name.clone()));
        }
        e
    }
}

/// Inputs of the initial due date.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CheckOutDueDate<'a> {
    pub policy: &'a LoanPolicy,
    /// The fixed due date schedule records the policy references (matched by id with
    /// `loansPolicy.fixedDueDateScheduleId`; others are ignored).
    pub schedules: &'a [FixedDueDateSchedule],
    pub loan_date: DateTime<Utc>,
    /// The request queue holds a Hold in `Open - Not yet filled` that is title-level or for
    /// this item ([`crate::domain::RequestQueue::has_waiting_hold`]): the policy's
    /// `requestManagement.holds.alternateCheckoutLoanPeriod`, if any, replaces the loan period.
    pub has_waiting_hold: bool,
}

/// The initial due date and what the later steps need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InitialDueDate {
    pub due_date: DateTime<Utc>,
    /// Rolling profile with the alternate hold period: the loan's `dueDateChangedByHold`.
    /// (A fixed profile using the alternate period does not set it, as in mod-circulation.)
    pub changed_by_hold: bool,
    /// The due date limit for the loan date (the `due` of the schedule containing it), to
    /// hand to [`apply_closed_library`].
    pub schedule_limit: Option<DateTime<Utc>>,
}

/// Step 1: the due date from the loan policy alone.
pub(crate) fn initial_due_date(input: &CheckOutDueDate) -> Result<InitialDueDate, DueDateError> {
    let policy = input.policy;
    let loan_date = truncate_millis(input.loan_date);
    let unrecognised = |id: &str| {
        DueDateError::policy(
            policy,
            format!("profile \"{id}\" in the loan policy is not recognised"),
        )
    };
    let Some(loans) = policy.loans_policy.as_ref() else {
        return Err(unrecognised(""));
    };
    let Some(profile) = loans.profile() else {
        // Java formats a missing profileId as "null".
        return Err(unrecognised(loans.profile_id.as_deref().unwrap_or("null")));
    };
    let schedules = loan_schedules(policy, input.schedules);
    let alternate = input
        .has_waiting_hold
        .then(|| {
            policy
                .request_management
                .as_ref()?
                .holds
                .as_ref()?
                .alternate_checkout_loan_period
        })
        .flatten();

    let (due_date, changed_by_hold) = match (profile, alternate) {
        (LoanProfile::Fixed, None) => {
            let due = match schedules {
                Some(s) => find_due_date_for(s, loan_date)?,
                None => None,
            };
            let due = due.ok_or_else(|| {
                DueDateError::policy(policy, LOAN_DATE_OUTSIDE_SCHEDULES.to_string())
            })?;
            (due, false)
        }
        (profile, alternate) => {
            let period = alternate.or(loans.period);
            let due = rolling_due_date(policy, loan_date, period.as_ref(), schedules)?;
            (due, profile == LoanProfile::Rolling && alternate.is_some())
        }
    };
    let schedule_limit = match schedules {
        Some(s) => find_due_date_for(s, loan_date)?,
        None => None,
    };
    Ok(InitialDueDate {
        due_date,
        changed_by_hold,
        schedule_limit,
    })
}

/// Loan date + period, then the earlier of that and the due date limit of the schedule
/// containing the loan date (no schedule record: no limit; no range containing it: refused).
fn rolling_due_date(
    policy: &LoanPolicy,
    loan_date: DateTime<Utc>,
    period: Option<&shared_types::policy::Period>,
    schedules: Option<&[shared_types::policy::Schedule]>,
) -> Result<DateTime<Utc>, DueDateError> {
    let period =
        period.ok_or_else(|| DueDateError::policy(policy, UNRECOGNISED_PERIOD.to_string()))?;
    let due = add_period(loan_date, period).map_err(|e| match e {
        PeriodError::InvalidDuration(d) => DueDateError::policy(
            policy,
            format!("the duration \"{d}\" in the loan policy is invalid"),
        ),
        PeriodError::Overflow => DueDateError::Internal("due date out of range".to_string()),
    })?;
    let Some(schedules) = schedules else {
        return Ok(due);
    };
    let limit = find_due_date_for(schedules, loan_date)?
        .ok_or_else(|| DueDateError::policy(policy, LOAN_DATE_OUTSIDE_SCHEDULES.to_string()))?;
    Ok(if millis(&limit) < millis(&due) {
        limit
    } else {
        due
    })
}

/// Whether the calendar must be read after the initial due date. mod-circulation reads it for
/// every check-out whose due date it computes, whatever the strategy (so a 404 refuses even a
/// "keep the current due date/time" policy); this returns `true` whenever the policy has a
/// `loansPolicy`, i.e. whenever [`initial_due_date`] can succeed.
pub(crate) fn needs_calendar(policy: &LoanPolicy) -> bool {
    policy.loans_policy.is_some()
}

/// Step 3: the policy's closed-library strategy applied to `due` with the surrounding openings
/// of `due`'s local date, then the cap: when the result's local date is after the limit's, the
/// limit moved back (short-term periods: end of current service point hours; others: end of
/// the previous open day) — using the same openings, as mod-circulation does.
///
/// `loan_date` is the "current time" of `END_OF_THE_CURRENT_SERVICE_POINT_HOURS`.
/// `schedule_limit` comes from [`InitialDueDate::schedule_limit`].
pub(crate) fn apply_closed_library(
    due: DateTime<Utc>,
    policy: &LoanPolicy,
    openings: &SurroundingOpenings,
    timezone: Tz,
    loan_date: DateTime<Utc>,
    schedule_limit: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, DueDateError> {
    let loan_date = truncate_millis(loan_date);
    let adjusted = strategy_for(policy, loan_date)?.apply(due, openings, timezone)?;
    match schedule_limit {
        Some(limit) if local_date(adjusted, timezone) > local_date(limit, timezone) => {
            strategy_for_limit(policy, loan_date).apply(limit, openings, timezone)
        }
        _ => Ok(adjusted),
    }
}

/// Step 4a: when the borrower's `expirationDate` (parsed with [`parse_date_time`]) is before
/// `due`, the date to ask the calendar for: the expiration's local date in ITS OWN offset (as
/// mod-circulation does, not in the tenant zone). `None`: no truncation.
pub(crate) fn expiry_openings_date(
    due: DateTime<Utc>,
    expiration: Option<DateTime<FixedOffset>>,
) -> Option<NaiveDate> {
    let expiration = expiration?;
    (millis(&expiration) < millis(&due)).then(|| expiration.date_naive())
}

/// Step 4b: the due date of a borrower who expires before the due date, with the openings
/// around [`expiry_openings_date`]: `END_OF_THE_PREVIOUS_OPEN_DAY`/`END_OF_THE_NEXT_OPEN_DAY`
/// → end of the previous open day; the two service-point-hours strategies → end of the open
/// hours before the expiration; `CURRENT_DUE_DATE`/`CURRENT_DUE_DATE_TIME` → the expiration
/// date-time itself. The caller sets `dueDateChangedByNearExpireUser`.
pub(crate) fn truncate_to_expiry(
    expiration: DateTime<FixedOffset>,
    policy: &LoanPolicy,
    openings: &SurroundingOpenings,
    timezone: Tz,
) -> Result<DateTime<Utc>, DueDateError> {
    let expiration = truncate_millis(expiration.with_timezone(&Utc));
    strategy_for_expiry(policy, expiration).apply(expiration, openings, timezone)
}

#[cfg(test)]
mod tests;
