//! Between a flow and [`crate::due_date`]: does the calendar reads the pure due-date functions
//! ask for and maps their errors to flow failures.
use crate::domain::{RequestQueue, User};
use crate::downstream::Peers;
use crate::due_date::{
    self, apply_closed_library, expiry_openings_date, initial_due_date, needs_calendar,
    openings_query_date, truncate_to_expiry, CheckOutDueDate, DueDateError, SurroundingOpenings,
};
use crate::error::Failure;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use shared_types::policy::{FixedDueDateSchedule, LoanPolicy};

/// The due date and the flags the response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Due {
    pub due_date: DateTime<Utc>,
    pub changed_by_hold: bool,
    pub changed_by_expiry: bool,
}

pub(crate) struct DueInput<'a> {
    pub policy: &'a LoanPolicy,
    pub schedule: Option<&'a FixedDueDateSchedule>,
    pub loan_date: DateTime<Utc>,
    pub tz: Tz,
    pub service_point_id: &'a str,
    pub queue: &'a RequestQueue,
    pub item_id: &'a str,
    pub user: &'a User,
}

fn refused(e: DueDateError) -> Failure {
    if e.is_validation() {
        Failure::refused(e.to_folio_error())
    } else {
        Failure::Server(e.to_string())
    }
}

/// The service point's openings around `date`; no calendar for it → 422 "Calendar open
/// periods are not found".
async fn openings(
    peers: Peers<'_>,
    service_point: &str,
    date: NaiveDate,
) -> Result<SurroundingOpenings, Failure> {
    match peers
        .calendar()
        .surrounding_openings(service_point, date)
        .await?
    {
        Some(days) => Ok(days),
        None => Err(refused(DueDateError::CalendarOpenPeriodsNotFound)),
    }
}

/// The due date of a new loan.
pub(crate) async fn due_date(peers: Peers<'_>, input: DueInput<'_>) -> Result<Due, Failure> {
    let schedules: Vec<FixedDueDateSchedule> = input.schedule.into_iter().cloned().collect();
    let initial = initial_due_date(&CheckOutDueDate {
        policy: input.policy,
        schedules: &schedules,
        loan_date: input.loan_date,
        has_waiting_hold: input.queue.has_waiting_hold(input.item_id),
    })
    .map_err(refused)?;
    let (due_date, changed_by_expiry) =
        settle(peers, &input, initial.due_date, initial.schedule_limit).await?;
    Ok(Due {
        due_date,
        changed_by_hold: initial.changed_by_hold,
        changed_by_expiry,
    })
}

/// Steps 2-4 of [`crate::due_date`] for `due` (a new loan's, or a renewal's): the closed-library strategy (a calendar read)
/// capped by `schedule_limit`, then the truncation to the borrower's expiry (another read).
/// Also says whether the expiry truncated it.
pub(crate) async fn settle(
    peers: Peers<'_>,
    input: &DueInput<'_>,
    mut due: DateTime<Utc>,
    schedule_limit: Option<DateTime<Utc>>,
) -> Result<(DateTime<Utc>, bool), Failure> {
    if needs_calendar(input.policy) {
        let days = openings(
            peers,
            input.service_point_id,
            openings_query_date(due, input.tz),
        )
        .await?;
        due = apply_closed_library(
            due,
            input.policy,
            &days,
            input.tz,
            input.loan_date,
            schedule_limit,
        )
        .map_err(refused)?;
    }
    let mut changed_by_expiry = false;
    let expiration = input.user.expiration_date();
    if let (Some(date), Some(expiration)) = (expiry_openings_date(due, expiration), expiration) {
        let days = openings(peers, input.service_point_id, date).await?;
        due = truncate_to_expiry(expiration, input.policy, &days, input.tz).map_err(refused)?;
        changed_by_expiry = true;
    }
    Ok((due, changed_by_expiry))
}

/// The due date of a new loan an open recall is waiting for: [`due_date::recall_due_date`]
/// from the loan's `current` due date at `now`, then the closed-library logic again, capped by
/// the schedule limit containing the recall due date. Also says whether the borrower's expiry
/// truncated it.
pub(crate) async fn recall_due(
    peers: Peers<'_>,
    input: DueInput<'_>,
    current: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, bool), Failure> {
    let due =
        due_date::recall_due_date(input.policy, input.loan_date, current, now).map_err(refused)?;
    let schedules: Vec<FixedDueDateSchedule> = input.schedule.into_iter().cloned().collect();
    let limit = match due_date::loan_schedules(input.policy, &schedules) {
        Some(s) => due_date::find_due_date_for(s, due).map_err(refused)?,
        None => None,
    };
    settle(peers, &input, due, limit).await
}
