//! Closed-library due date management (mod-circulation's `ClosedLibraryStrategyService`,
//! `ClosedLibraryStrategyUtils` and the strategies of `domain/policy/library`).
//!
//! The strategies work on the calendar's three surrounding days. The short-term ones turn them
//! into a timetable: the open intervals `[start, end)` of the three days in the tenant time
//! zone (an all-day opening is the whole local day), abutting intervals merged, with a closed
//! interval for every gap between two open ones. Instants before the first or after the last
//! open interval are in no interval at all ("Calendar timetable is absent for requested date").
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use shared_types::policy::{DueDateManagement, IntervalId, LoanPolicy, Period};

use super::openings::{SingleDayOpening, SurroundingOpenings};
use super::rolling::is_short_term;
use super::time::{end_of_day, local_date, local_hour_minute, local_to_utc, millis, start_of_day};
use super::DueDateError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// `CURRENT_DUE_DATE`: end of the due date's day.
    KeepCurrentDate,
    /// `CURRENT_DUE_DATE_TIME`: unchanged.
    KeepCurrentDateTime,
    /// `END_OF_THE_PREVIOUS_OPEN_DAY`.
    EndOfPreviousOpenDay,
    /// `END_OF_THE_NEXT_OPEN_DAY`.
    EndOfNextOpenDay,
    /// `END_OF_THE_CURRENT_SERVICE_POINT_HOURS`; `current` is the loan date at check-out.
    EndOfCurrentHours { current: DateTime<Utc> },
    /// `BEGINNING_OF_THE_NEXT_OPEN_SERVICE_POINT_HOURS` plus `openingTimeOffset`.
    BeginningOfNextOpenHours { offset: Duration },
    /// Patron expiry with a day strategy: end of the previous open day.
    EndOfPreviousDayTruncate,
    /// Patron expiry with an hours strategy: end of the open hours before `start` (the
    /// expiration date-time).
    EndOfPreviousOpenHoursTruncate { start: DateTime<Utc> },
}

/// The policy's closed-library strategy (`determineClosedLibraryStrategy`). `current` is the
/// loan date (check-out) — the "current time" of `END_OF_THE_CURRENT_SERVICE_POINT_HOURS`.
pub(crate) fn strategy_for(
    policy: &LoanPolicy,
    current: DateTime<Utc>,
) -> Result<Strategy, DueDateError> {
    let Some(loans) = policy.loans_policy.as_ref() else {
        return Ok(Strategy::KeepCurrentDateTime);
    };
    Ok(match loans.due_date_management() {
        DueDateManagement::KeepTheCurrentDueDate => Strategy::KeepCurrentDate,
        DueDateManagement::KeepTheCurrentDueDateTime => Strategy::KeepCurrentDateTime,
        DueDateManagement::MoveToTheEndOfThePreviousOpenDay => Strategy::EndOfPreviousOpenDay,
        DueDateManagement::MoveToTheEndOfTheNextOpenDay => Strategy::EndOfNextOpenDay,
        DueDateManagement::MoveToEndOfCurrentServicePointHours => {
            Strategy::EndOfCurrentHours { current }
        }
        DueDateManagement::MoveToBeginningOfNextOpenServicePointHours => {
            Strategy::BeginningOfNextOpenHours {
                offset: offset_duration(loans.opening_time_offset.as_ref())?,
            }
        }
    })
}

/// `openingTimeOffset` as a duration: absent means none. mod-circulation converts it with
/// `Duration.of`, which refuses weeks and months (a server error there too).
fn offset_duration(offset: Option<&Period>) -> Result<Duration, DueDateError> {
    let Some(p) = offset else {
        return Ok(Duration::zero());
    };
    let n = i64::from(p.duration);
    match p.interval_id {
        IntervalId::Minutes => Ok(Duration::minutes(n)),
        IntervalId::Hours => Ok(Duration::hours(n)),
        IntervalId::Days => Ok(Duration::days(n)),
        IntervalId::Weeks | IntervalId::Months => Err(DueDateError::Internal(format!(
            "Unit must not have an estimated duration: {} in openingTimeOffset",
            p.interval_id.as_str()
        ))),
    }
}

/// Strategy for moving back to the due date limit (`determineStrategyForMovingBackward`):
/// short-term loan periods (Hours/Minutes in `loansPolicy.period`) use the end of the current
/// service point hours, everything else the end of the previous open day.
pub(crate) fn strategy_for_limit(policy: &LoanPolicy, current: DateTime<Utc>) -> Strategy {
    let interval = policy
        .loans_policy
        .as_ref()
        .and_then(|l| l.period.as_ref())
        .map(|p| p.interval_id);
    if is_short_term(interval) {
        Strategy::EndOfCurrentHours { current }
    } else {
        Strategy::EndOfPreviousOpenDay
    }
}

/// Strategy for a due date truncated to the patron's expiration date
/// (`determineClosedLibraryStrategyForTruncatedDueDate`).
pub(crate) fn strategy_for_expiry(policy: &LoanPolicy, expiration: DateTime<Utc>) -> Strategy {
    let management = policy
        .loans_policy
        .as_ref()
        .map(|l| l.due_date_management())
        .unwrap_or(DueDateManagement::KeepTheCurrentDueDateTime);
    match management {
        DueDateManagement::MoveToTheEndOfThePreviousOpenDay
        | DueDateManagement::MoveToTheEndOfTheNextOpenDay => Strategy::EndOfPreviousDayTruncate,
        DueDateManagement::MoveToEndOfCurrentServicePointHours
        | DueDateManagement::MoveToBeginningOfNextOpenServicePointHours => {
            Strategy::EndOfPreviousOpenHoursTruncate { start: expiration }
        }
        DueDateManagement::KeepTheCurrentDueDate | DueDateManagement::KeepTheCurrentDueDateTime => {
            Strategy::KeepCurrentDateTime
        }
    }
}

impl Strategy {
    /// Moves `requested` according to the strategy and the surrounding openings.
    pub(crate) fn apply(
        self,
        requested: DateTime<Utc>,
        openings: &SurroundingOpenings,
        tz: Tz,
    ) -> Result<DateTime<Utc>, DueDateError> {
        match self {
            Strategy::KeepCurrentDateTime => Ok(requested),
            Strategy::KeepCurrentDate => Ok(end_of_day(local_date(requested, tz), tz)),
            Strategy::EndOfPreviousOpenDay => {
                day_strategy(requested, openings.requested(), openings.previous(), tz)
            }
            Strategy::EndOfNextOpenDay => {
                day_strategy(requested, openings.requested(), openings.next(), tz)
            }
            Strategy::EndOfPreviousDayTruncate => open_day_end(openings.previous(), tz),
            Strategy::EndOfCurrentHours { current } => {
                let tt = Timetable::build(openings, tz);
                short_term(&tt, requested, |r| {
                    end_of_current_hours(&tt, r, current, tz)
                })
            }
            Strategy::BeginningOfNextOpenHours { offset } => {
                let tt = Timetable::build(openings, tz);
                short_term(&tt, requested, |r| beginning_of_next_hours(&tt, r, offset))
            }
            Strategy::EndOfPreviousOpenHoursTruncate { start } => {
                let tt = Timetable::build(openings, tz);
                tt.find(requested)
                    .ok_or(DueDateError::CalendarTimetableAbsent)?;
                let current = tt
                    .find(start)
                    .ok_or(DueDateError::CalendarTimetableAbsent)?;
                // mod-circulation dereferences the previous interval without a check (a
                // server error when there is none); here it is an absent timetable.
                current
                    .checked_sub(1)
                    .map(|p| tt.spans[p].end)
                    .ok_or(DueDateError::CalendarTimetableAbsent)
            }
        }
    }
}

/// Previous/next open day: an open requested day keeps its end of day; otherwise the end of
/// the other day, which must be open.
fn day_strategy(
    requested: DateTime<Utc>,
    requested_day: &SingleDayOpening,
    other: &SingleDayOpening,
    tz: Tz,
) -> Result<DateTime<Utc>, DueDateError> {
    if requested_day.open {
        return Ok(end_of_day(local_date(requested, tz), tz));
    }
    open_day_end(other, tz)
}

fn open_day_end(day: &SingleDayOpening, tz: Tz) -> Result<DateTime<Utc>, DueDateError> {
    match (day.open, day.date) {
        (true, Some(date)) => Ok(end_of_day(date, tz)),
        _ => Err(DueDateError::CalendarTimetableAbsent),
    }
}

/// `ShortTermLoansBaseStrategy`: a requested instant in an open interval stays; in a closed
/// one the strategy decides; outside the timetable it fails.
fn short_term(
    tt: &Timetable,
    requested: DateTime<Utc>,
    if_closed: impl FnOnce(usize) -> Result<DateTime<Utc>, DueDateError>,
) -> Result<DateTime<Utc>, DueDateError> {
    let r = tt
        .find(requested)
        .ok_or(DueDateError::CalendarTimetableAbsent)?;
    if tt.spans[r].open {
        Ok(requested)
    } else {
        if_closed(r)
    }
}

/// `EndOfCurrentHoursStrategy` for a due date in the closed interval `r`.
fn end_of_current_hours(
    tt: &Timetable,
    r: usize,
    current: DateTime<Utc>,
    tz: Tz,
) -> Result<DateTime<Utc>, DueDateError> {
    let c = tt
        .find(current)
        .ok_or(DueDateError::CalendarTimetableAbsent)?;
    // A closed interval always sits between two open ones.
    let before = tt.spans[r - 1];
    if has_rollover_working_day(tt, before, tz) {
        return Ok(before.end);
    }
    if tt.spans[c].open {
        return Ok(tt.spans[c].end);
    }
    Ok(tt.spans[c + 1].end)
}

/// The library works through midnight: the timetable's first interval ends at 23:59 and the
/// open interval before the due date starts at 00:00 at most a day later.
fn has_rollover_working_day(tt: &Timetable, before: Span, tz: Tz) -> bool {
    let head_end = tt.spans[0].end;
    let days = (start_of_day(local_date(before.start, tz), tz)
        - start_of_day(local_date(head_end, tz), tz))
    .num_days()
    .abs();
    if days > 1 {
        return false;
    }
    local_hour_minute(head_end, tz) == (23, 59) && local_hour_minute(before.start, tz) == (0, 0)
}

/// `BeginningOfNextOpenHoursStrategy` for a due date in the closed interval `r`.
fn beginning_of_next_hours(
    tt: &Timetable,
    r: usize,
    offset: Duration,
) -> Result<DateTime<Utc>, DueDateError> {
    let next = tt
        .spans
        .get(r + 1)
        .ok_or(DueDateError::CalendarTimetableAbsent)?;
    let with_offset = next.start + offset;
    if next.contains(with_offset) {
        return Ok(with_offset);
    }
    match tt.find(with_offset) {
        None => Ok(tt.spans[tt.spans.len() - 1].end),
        Some(i) if tt.spans[i].open => Ok(with_offset),
        // A closed interval is never first.
        Some(i) => Ok(tt.spans[i - 1].end),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    open: bool,
}

impl Span {
    /// `[start, end)` at millisecond precision (the start itself is always contained).
    fn contains(&self, t: DateTime<Utc>) -> bool {
        let (s, e, x) = (millis(&self.start), millis(&self.end), millis(&t));
        x == s || (x > s && x < e)
    }
}

#[derive(Debug)]
struct Timetable {
    spans: Vec<Span>,
}

impl Timetable {
    fn build(openings: &SurroundingOpenings, tz: Tz) -> Self {
        let mut open: Vec<(DateTime<Utc>, DateTime<Utc>)> = openings
            .days()
            .into_iter()
            .flat_map(|day| open_intervals(day, tz))
            .collect();
        let mut i = 0;
        while i + 1 < open.len() {
            let (cs, ce) = open[i];
            let (ns, ne) = open[i + 1];
            if millis(&ne) == millis(&cs) || millis(&ns) == millis(&ce) {
                open[i] = (cs, ne);
                open.remove(i + 1);
            } else {
                i += 1;
            }
        }
        let mut spans = Vec::with_capacity(open.len() * 2);
        for (k, &(start, end)) in open.iter().enumerate() {
            spans.push(Span {
                start,
                end,
                open: true,
            });
            if let Some(&(ns, ne)) = open.get(k + 1) {
                let gap = if millis(&start) > millis(&ne) {
                    Some((ne, start))
                } else if millis(&ns) > millis(&end) {
                    Some((end, ns))
                } else {
                    None
                };
                if let Some((start, end)) = gap {
                    spans.push(Span {
                        start,
                        end,
                        open: false,
                    });
                }
            }
        }
        Timetable { spans }
    }

    fn find(&self, t: DateTime<Utc>) -> Option<usize> {
        self.spans.iter().position(|s| s.contains(t))
    }
}

fn open_intervals(day: &SingleDayOpening, tz: Tz) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let Some(date) = day.date.filter(|_| day.open) else {
        return Vec::new();
    };
    if day.all_day {
        let next = date.succ_opt().unwrap_or(date);
        return vec![(start_of_day(date, tz), start_of_day(next, tz))];
    }
    day.openings
        .iter()
        .map(|h| {
            (
                local_to_utc(date, h.start_time, tz),
                local_to_utc(date, h.end_time, tz),
            )
        })
        .collect()
}

/// The date to ask the calendar for about `due`: its local date in the tenant time zone.
pub(crate) fn openings_query_date(due: DateTime<Utc>, tz: Tz) -> NaiveDate {
    local_date(due, tz)
}
