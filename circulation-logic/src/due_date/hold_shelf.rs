//! When a request waiting on a hold shelf expires: the service point's hold shelf period from
//! now, to the end of that day in the tenant's zone unless the period is in hours or minutes
//! (the service point's closed-day strategy is not applied yet).
use super::rolling::{add_period, is_short_term};
use super::time::{end_of_day, local_date};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use shared_types::policy::Period;

pub(crate) fn hold_shelf_expiration(
    now: DateTime<Utc>,
    period: &Period,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    let expires = add_period(now, period).ok()?;
    match is_short_term(Some(period.interval_id)) {
        true => Some(expires),
        false => Some(end_of_day(local_date(expires, tz), tz)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared_types::policy::IntervalId;

    #[test]
    fn days_end_the_local_day_hours_are_exact() {
        let now = DateTime::parse_from_rfc3339("2030-03-04T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let days = Period {
            duration: 5,
            interval_id: IntervalId::Days,
        };
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // 2030-03-09T23:30Z is already the 10th in Paris.
        assert_eq!(
            hold_shelf_expiration(now, &days, paris)
                .unwrap()
                .to_rfc3339(),
            "2030-03-10T22:59:59+00:00"
        );
        let hours = Period {
            duration: 2,
            interval_id: IntervalId::Hours,
        };
        assert_eq!(
            hold_shelf_expiration(now, &hours, paris)
                .unwrap()
                .to_rfc3339(),
            "2030-03-05T01:30:00+00:00"
        );
    }
}
