//! Rolling loan period arithmetic (mod-circulation's `Period.addTo` and
//! `RollingCheckOutDueDateStrategy`).
use chrono::{DateTime, Duration, Months, Utc};
use shared_types::policy::{IntervalId, Period};

/// Why a period could not be added (mapped to FOLIO's messages by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PeriodError {
    /// Duration `<= 0`.
    InvalidDuration(i32),
    /// Out of chrono's range.
    Overflow,
}

/// `from + period` as java.time adds to a `ZonedDateTime` whose zone is UTC: months are
/// calendar months with the day clamped to the month's end (Jan 31 + 1 month = Feb 28/29),
/// weeks are 7 days, days are 24 hours (no DST in UTC), hours and minutes are exact.
pub(crate) fn add_period(
    from: DateTime<Utc>,
    period: &Period,
) -> Result<DateTime<Utc>, PeriodError> {
    if period.duration <= 0 {
        return Err(PeriodError::InvalidDuration(period.duration));
    }
    let n = i64::from(period.duration);
    let added = match period.interval_id {
        IntervalId::Months => from.checked_add_months(Months::new(period.duration as u32)),
        IntervalId::Weeks => from.checked_add_signed(Duration::weeks(n)),
        IntervalId::Days => from.checked_add_signed(Duration::days(n)),
        IntervalId::Hours => from.checked_add_signed(Duration::hours(n)),
        IntervalId::Minutes => from.checked_add_signed(Duration::minutes(n)),
    };
    added.ok_or(PeriodError::Overflow)
}

/// Hours and minutes are "short-term" loans (`LoanPolicyPeriod.isShortTermLoans`).
pub(crate) fn is_short_term(interval: Option<IntervalId>) -> bool {
    matches!(interval, Some(IntervalId::Hours | IntervalId::Minutes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::due_date::time::parse_utc;

    fn p(duration: i32, interval_id: IntervalId) -> Period {
        Period {
            duration,
            interval_id,
        }
    }

    #[test]
    fn adds_each_interval() {
        use IntervalId::*;
        let cases = [
            ("2024-01-31T10:00:00Z", p(1, Months), "2024-02-29T10:00:00Z"),
            ("2023-01-31T10:00:00Z", p(1, Months), "2023-02-28T10:00:00Z"),
            ("2024-01-31T10:00:00Z", p(2, Months), "2024-03-31T10:00:00Z"),
            ("2024-03-31T10:00:00Z", p(1, Months), "2024-04-30T10:00:00Z"),
            ("2024-11-15T10:00:00Z", p(3, Months), "2025-02-15T10:00:00Z"),
            ("2024-03-01T10:00:00Z", p(2, Weeks), "2024-03-15T10:00:00Z"),
            ("2024-03-09T15:00:00Z", p(1, Days), "2024-03-10T15:00:00Z"),
            ("2024-02-28T15:00:00Z", p(2, Days), "2024-03-01T15:00:00Z"),
            ("2024-03-09T23:30:00Z", p(1, Hours), "2024-03-10T00:30:00Z"),
            (
                "2024-03-09T23:30:00.123Z",
                p(45, Minutes),
                "2024-03-10T00:15:00.123Z",
            ),
        ];
        for (from, period, expected) in cases {
            assert_eq!(
                add_period(parse_utc(from).unwrap(), &period).unwrap(),
                parse_utc(expected).unwrap(),
                "{from} + {period:?}"
            );
        }
    }

    #[test]
    fn refuses_non_positive_durations() {
        let from = parse_utc("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(
            add_period(from, &p(0, IntervalId::Days)),
            Err(PeriodError::InvalidDuration(0))
        );
        assert_eq!(
            add_period(from, &p(-3, IntervalId::Weeks)),
            Err(PeriodError::InvalidDuration(-3))
        );
    }
}
