//! Adapter between the check-out and [`crate::due_date`]: does the calendar reads the pure
//! due-date functions ask for and maps their errors to check-out failures.
use super::{s, Failure};
use crate::due_date::{
    self, apply_closed_library, expiry_openings_date, initial_due_date, needs_calendar,
    openings_query_date, truncate_to_expiry, CheckOutDueDate, DueDateError, SurroundingOpenings,
};
use crate::okapi::{CallError, Okapi};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use reqwest::Method;
use serde_json::Value;
use shared_types::policy::{FixedDueDateSchedule, LoanPolicy};

/// The due date and the flags the response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub due_date: DateTime<Utc>,
    pub changed_by_hold: bool,
    pub changed_by_expiry: bool,
}

pub struct DueInput<'a> {
    pub policy: &'a LoanPolicy,
    pub schedule: Option<&'a FixedDueDateSchedule>,
    pub loan_date: DateTime<Utc>,
    pub tz: Tz,
    pub service_point_id: &'a str,
    pub queue: &'a [Value],
    pub user: &'a Value,
}

fn refused(e: DueDateError) -> Failure {
    if e.is_validation() {
        Failure::Refused(vec![e.to_folio_error()])
    } else {
        Failure::Server(e.to_string())
    }
}

/// An open "Hold" waiting in the item's queue (the alternate check-out period applies).
fn has_waiting_hold(queue: &[Value]) -> bool {
    queue.iter().any(|r| {
        s(r, &["requestType"]) == Some("Hold") && s(r, &["status"]) == Some("Open - Not yet filled")
    })
}

/// `GET /calendar/dates/{sp}/surrounding-openings?date=`; 404 → 422 "Calendar open periods
/// are not found"; an empty body means all days closed.
pub(crate) async fn openings(
    okapi: &Okapi,
    service_point: &str,
    date: NaiveDate,
) -> Result<SurroundingOpenings, Failure> {
    let name = "calendar openings";
    let date = date.format("%Y-%m-%d").to_string();
    let path = format!("/calendar/dates/{service_point}/surrounding-openings");
    let reply = okapi
        .call(name, Method::GET, &path, &[("date", &date)], None)
        .await?;
    match reply.status {
        200..=299 => SurroundingOpenings::from_body(reply.body.as_bytes()).map_err(|e| {
            CallError::BadBody {
                name: name.into(),
                detail: e.to_string(),
            }
            .into()
        }),
        404 => Err(refused(DueDateError::CalendarOpenPeriodsNotFound)),
        _ => Err(CallError::Failed {
            name: name.into(),
            reply,
        }
        .into()),
    }
}

pub async fn due_date(okapi: &Okapi, input: DueInput<'_>) -> Result<Due, Failure> {
    let schedules: Vec<FixedDueDateSchedule> = input.schedule.into_iter().cloned().collect();
    let initial = initial_due_date(&CheckOutDueDate {
        policy: input.policy,
        schedules: &schedules,
        loan_date: input.loan_date,
        has_waiting_hold: has_waiting_hold(input.queue),
    })
    .map_err(refused)?;
    let (due_date, changed_by_expiry) =
        settle(okapi, &input, initial.due_date, initial.schedule_limit).await?;
    Ok(Due {
        due_date,
        changed_by_hold: initial.changed_by_hold,
        changed_by_expiry,
    })
}

/// Steps 2-4 of [`crate::due_date`] for `due`: the closed-library strategy (a calendar read)
/// capped by `schedule_limit`, then the truncation to the borrower's expiry (another read).
/// Also says whether the expiry truncated it.
async fn settle(
    okapi: &Okapi,
    input: &DueInput<'_>,
    mut due: DateTime<Utc>,
    schedule_limit: Option<DateTime<Utc>>,
) -> Result<(DateTime<Utc>, bool), Failure> {
    if needs_calendar(input.policy) {
        let days = openings(
            okapi,
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
    let expiration = s(input.user, &["expirationDate"]).and_then(due_date::parse_date_time);
    if let (Some(date), Some(expiration)) = (expiry_openings_date(due, expiration), expiration) {
        let days = openings(okapi, input.service_point_id, date).await?;
        due = truncate_to_expiry(expiration, input.policy, &days, input.tz).map_err(refused)?;
        changed_by_expiry = true;
    }
    Ok((due, changed_by_expiry))
}

/// An open Recall for `item_id` in `remaining` (the queue without the request this check-out
/// fills). As mod-circulation's `RequestQueue.containsRequestOfTypeForItem`: the request's
/// item must be this item (a title-level recall counts once it has been given this item).
pub fn has_recall_for(remaining: &[&Value], item_id: &str) -> bool {
    remaining
        .iter()
        .any(|r| s(r, &["requestType"]) == Some("Recall") && s(r, &["itemId"]) == Some(item_id))
}

/// The due date of a new loan an open recall is waiting for: [`due_date::recall_due_date`]
/// from the loan's `current` due date at `now`, then the closed-library logic again, capped by
/// the schedule limit containing the recall due date. Also says whether the borrower's expiry
/// truncated it.
pub async fn recall_due(
    okapi: &Okapi,
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
    settle(okapi, &input, due, limit).await
}
