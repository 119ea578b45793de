//! The overdue fine of a loan returned (or renewed) late, worked out as mod-circulation does
//! (`OverdueFineService`, `OverduePeriodCalculatorService`, `OverdueFinePolicy`,
//! `LostItemPolicy`). Pure: the caller reads the policies and the calendar.
//!
//! 1. [`overdue_at`]: the loan is overdue when its due date is before the return date (ms).
//! 2. Minutes overdue: [`whole_minutes`] from the due date to the return date, or, when the
//!    overdue fine policy does not `countClosed`, only the minutes the item's location's primary
//!    service point is open in between ([`open_minutes`], from mod-calendar's all-openings).
//! 3. [`beyond_grace`]: the loan policy's grace period is a threshold, not a deduction.
//! 4. [`fine_for`]: whole intervals begun, times the fine per interval, capped by the maximum
//!    when the maximum is above zero; recall rates when the recall changed the due date.
use super::lost_item::within_refund_period;
use crate::due_date::{local_to_utc, SingleDayOpening};
use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use shared_types::policy::{IntervalId, Period};
use std::cmp::Ordering;

/// `intervalId` of an overdue fine (mod-feesfines' `quantity.json`), with mod-circulation's
/// lengths (`OverdueFineInterval`): a month is 31 days, a year 365.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FineInterval {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl FineInterval {
    pub(crate) fn from_id(id: &str) -> Option<FineInterval> {
        Some(match id {
            "minute" => FineInterval::Minute,
            "hour" => FineInterval::Hour,
            "day" => FineInterval::Day,
            "week" => FineInterval::Week,
            "month" => FineInterval::Month,
            "year" => FineInterval::Year,
            _ => return None,
        })
    }

    pub(crate) fn minutes(self) -> i64 {
        match self {
            FineInterval::Minute => 1,
            FineInterval::Hour => 60,
            FineInterval::Day => 1_440,
            FineInterval::Week => 10_080,
            FineInterval::Month => 44_640,
            FineInterval::Year => 525_600,
        }
    }
}

/// A money amount exactly as a policy writes it (mod-circulation reads them as `BigDecimal`s):
/// `units × 10^-scale`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Amount {
    units: i128,
    scale: u32,
}

impl Amount {
    pub(crate) const ZERO: Amount = Amount { units: 0, scale: 0 };

    /// A decimal number as JSON writes it (`5`, `0.25`, `-1.5`, `1e-2`); `None` otherwise.
    pub(crate) fn parse(text: &str) -> Option<Amount> {
        let text = text.trim();
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole
                .chars()
                .chain(fraction.chars())
                .all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let mut units: i128 = format!("{whole}{fraction}").parse().ok()?;
        let mut scale = i32::try_from(fraction.len()).ok()? - exponent;
        while scale < 0 {
            units = units.checked_mul(10)?;
            scale += 1;
        }
        if negative {
            units = -units;
        }
        Some(Amount {
            units,
            scale: u32::try_from(scale).ok().filter(|s| *s <= 30)?,
        })
    }

    /// A JSON number, or a string holding one (mod-circulation accepts both).
    pub(crate) fn from_json(v: &Value) -> Option<Amount> {
        match v {
            Value::Number(n) => Amount::parse(&n.to_string()),
            Value::String(s) => Amount::parse(s),
            _ => None,
        }
    }

    /// The sum, exact.
    pub(crate) fn plus(self, other: Amount) -> Amount {
        let (a, b) = self.aligned(other);
        Amount {
            units: a.saturating_add(b),
            scale: self.scale.max(other.scale),
        }
    }

    fn times(self, n: i64) -> Amount {
        Amount {
            units: self.units.saturating_mul(i128::from(n)),
            scale: self.scale,
        }
    }

    /// Both amounts' units at the larger scale.
    fn aligned(self, other: Amount) -> (i128, i128) {
        let scale = self.scale.max(other.scale);
        let up = |a: Amount| {
            a.units
                .saturating_mul(10i128.saturating_pow(scale - a.scale))
        };
        (up(self), up(other))
    }

    pub(crate) fn is_positive(self) -> bool {
        self.units > 0
    }

    /// Rounded half up to cents, as mod-circulation's `FeeAmount` writes amounts.
    pub(crate) fn cents(self) -> i64 {
        let (units, hundredths) = self.aligned(Amount { units: 1, scale: 2 });
        let divisor = hundredths;
        let half = divisor / 2;
        let rounded = if units >= 0 {
            (units + half) / divisor
        } else {
            -((-units + half) / divisor)
        };
        i64::try_from(rounded).unwrap_or(i64::MAX)
    }
}

impl PartialEq for Amount {
    fn eq(&self, other: &Amount) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Amount {}

impl PartialOrd for Amount {
    fn partial_cmp(&self, other: &Amount) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Amount {
    fn cmp(&self, other: &Amount) -> Ordering {
        let (a, b) = self.aligned(*other);
        a.cmp(&b)
    }
}

/// Cents as the JSON number FOLIO writes an amount with (a double: `5.0`, `0.25`).
pub(crate) fn cents_as_number(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// Cents as the text FOLIO's action requests carry an amount in, two decimals (`FeeAmount`'s
/// `toScaledString`: `"10.00"`, `"-0.50"`).
pub(crate) fn cents_as_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The fine per interval, the interval and the maximum of one rate of an overdue fine policy
/// (`overdueFine` with `maxOverdueFine`, or `overdueRecallFine` with `maxOverdueRecallFine`).
/// mod-circulation charges nothing unless all three are there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FineRate {
    pub per_interval: Amount,
    pub interval: FineInterval,
    pub max: Amount,
}

/// The fine for `minutes` overdue: every interval begun counts whole (`ceil`), times the fine
/// per interval; a maximum above zero caps it (zero means no cap).
pub(crate) fn fine_for(minutes: i64, rate: &FineRate) -> Amount {
    if minutes <= 0 {
        return Amount::ZERO;
    }
    let intervals = (minutes + rate.interval.minutes() - 1) / rate.interval.minutes();
    let fine = rate.per_interval.times(intervals);
    if rate.max.is_positive() {
        fine.min(rate.max)
    } else {
        fine
    }
}

/// `Loan.isOverdue(returnDate)`: due strictly before the return, to the millisecond.
pub(crate) fn overdue_at(due: DateTime<Utc>, returned: DateTime<Utc>) -> bool {
    due.timestamp_millis() < returned.timestamp_millis()
}

/// Minutes from `from` to `to`, both truncated to the minute first.
pub(crate) fn whole_minutes(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    to.timestamp().div_euclid(60) - from.timestamp().div_euclid(60)
}

/// The minutes between `due` and `returned` that fall in the openings of the open days among
/// `days` (dates and opening times local to `tz`). Each opening `[start, end]` is cut to the
/// part after the due date and before the return (a cut only when the date lies strictly
/// inside), and counts when what is left is not empty; an opening's `endTime` is taken as it
/// is (so 00:00–23:59 is 1439 minutes).
pub(crate) fn open_minutes(
    days: &[SingleDayOpening],
    due: DateTime<Utc>,
    returned: DateTime<Utc>,
    tz: Tz,
) -> i64 {
    let ms = |t: DateTime<Utc>| t.timestamp_millis();
    let inside =
        |t: DateTime<Utc>, a: DateTime<Utc>, b: DateTime<Utc>| ms(a) < ms(t) && ms(t) < ms(b);
    days.iter()
        .filter(|day| day.open)
        .filter_map(|day| day.date.map(|date| (date, &day.openings)))
        .flat_map(|(date, openings)| openings.iter().map(move |o| (date, o)))
        .map(|(date, opening)| {
            let at = |time: NaiveTime| local_to_utc(date, time, tz);
            let (mut start, mut end) = (at(opening.start_time), at(opening.end_time));
            if inside(due, start, end) {
                start = due;
            }
            if inside(returned, start, end) {
                end = returned;
            }
            let counts = ms(end) > ms(start) && ms(end) > ms(due) && ms(start) < ms(returned);
            if counts {
                whole_minutes(start, end)
            } else {
                0
            }
        })
        .sum()
}

/// `Period.toMinutes` (a month is 31 days).
pub(crate) fn period_minutes(period: &Period) -> i64 {
    let per = match period.interval_id {
        IntervalId::Minutes => 1,
        IntervalId::Hours => 60,
        IntervalId::Days => 1_440,
        IntervalId::Weeks => 10_080,
        IntervalId::Months => 44_640,
    };
    i64::from(period.duration) * per
}

/// The minutes charged for: all of them when they exceed the grace period (it is a threshold,
/// not deducted), none otherwise; all of them when the grace period is ignored (a recall
/// changed the due date and the policy's `gracePeriodRecall` is true).
pub(crate) fn beyond_grace(minutes: i64, grace_minutes: i64, grace_ignored: bool) -> i64 {
    if grace_ignored || minutes > grace_minutes {
        minutes
    } else {
        0
    }
}

/// For an item that was Declared lost or Aged to lost: a fine only when the lost item policy
/// charges overdue fines on return (`lostItemReturned` "Charge") and its fee refund period
/// (`feesFinesShallRefunded`, zero or absent: no limit) has not passed since the item was lost.
/// A lost item with no lost date and a refund period is not charged (mod-circulation fails).
pub(crate) fn lost_item_charged(
    charges_overdue_fine: bool,
    refund_period: Option<&Period>,
    lost_date: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    charges_overdue_fine && within_refund_period(refund_period, lost_date, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fines::test_support::{amount, at};
    use chrono::NaiveDate;

    fn rate(per: &str, interval: FineInterval, max: &str) -> FineRate {
        FineRate {
            per_interval: amount(per),
            interval,
            max: amount(max),
        }
    }

    #[test]
    fn amounts_are_exact_decimals() {
        assert_eq!(amount("0.1").times(3), amount("0.3"));
        assert_eq!(amount("1.005").cents(), 101);
        assert_eq!(amount("2.344").cents(), 234);
        assert_eq!(amount("5").cents(), 500);
        assert_eq!(amount("1e-2").cents(), 1);
        assert_eq!(amount("2.5E1"), amount("25"));
        assert_eq!(amount("-1.5").cents(), -150);
        assert!(amount("10.00") > amount("9.999"));
        assert_eq!(
            Amount::from_json(&serde_json::json!(0.25)),
            Some(amount("0.25"))
        );
        assert_eq!(
            Amount::from_json(&serde_json::json!("3")),
            Some(amount("3"))
        );
        for bad in ["", ".", "abc", "1.2.3", "--1", "1e"] {
            assert!(Amount::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(cents_as_number(250), 2.5);
        assert_eq!(amount("6.0").plus(amount("4.005")), amount("10.005"));
        assert_eq!(amount("-1").plus(amount("0.25")), amount("-0.75"));
        for (cents, text) in [
            (1000, "10.00"),
            (5, "0.05"),
            (1299, "12.99"),
            (-50, "-0.50"),
        ] {
            assert_eq!(cents_as_text(cents), text);
        }
    }

    #[test]
    fn each_interval_begun_counts_whole() {
        // OverdueFineServiceTest: 1.0 per interval, max 10: 5 intervals → 5.0; 15 → capped 10.0.
        for interval in [
            FineInterval::Minute,
            FineInterval::Hour,
            FineInterval::Day,
            FineInterval::Week,
            FineInterval::Month,
            FineInterval::Year,
        ] {
            let r = rate("1.0", interval, "10.0");
            assert_eq!(fine_for(5 * interval.minutes(), &r), amount("5"));
            assert_eq!(fine_for(15 * interval.minutes(), &r), amount("10"));
            assert_eq!(fine_for(4 * interval.minutes() + 1, &r), amount("5"));
            assert_eq!(fine_for(5 * interval.minutes() + 1, &r), amount("6"));
        }
        assert_eq!(
            FineInterval::from_id("month").map(FineInterval::minutes),
            Some(44_640)
        );
        assert_eq!(FineInterval::from_id("Days"), None);
    }

    #[test]
    fn a_zero_maximum_does_not_cap() {
        let r = rate("0.25", FineInterval::Hour, "0");
        assert_eq!(fine_for(61, &r), amount("0.5"));
        assert_eq!(fine_for(24 * 60 * 100, &r), amount("600"));
        assert_eq!(fine_for(0, &r), Amount::ZERO);
        assert_eq!(fine_for(-5, &r), Amount::ZERO);
    }

    #[test]
    fn minutes_are_truncated_before_counting() {
        assert_eq!(
            whole_minutes(at("2030-01-01T23:59:59Z"), at("2030-01-02T00:00:30Z")),
            1
        );
        assert_eq!(
            whole_minutes(at("2030-01-01T10:00:00Z"), at("2030-01-01T10:00:59Z")),
            0
        );
        assert!(overdue_at(
            at("2030-01-01T10:00:00Z"),
            at("2030-01-01T10:00:00.001Z")
        ));
        assert!(!overdue_at(
            at("2030-01-01T10:00:00Z"),
            at("2030-01-01T10:00:00Z")
        ));
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn day(date: &str, hours: &[(NaiveTime, NaiveTime)]) -> SingleDayOpening {
        SingleDayOpening::open_hours(date.parse::<NaiveDate>().unwrap(), hours)
    }

    #[test]
    fn open_minutes_as_the_period_calculator_counts_them() {
        // OverduePeriodCalculatorServiceTest: due 2020-04-08 14:00Z, returned 2020-04-10 15:00Z.
        let (due, returned) = (at("2020-04-08T14:00:00Z"), at("2020-04-10T15:00:00Z"));
        let regular = |date: &str| day(date, &[(hm(7, 0), hm(12, 0)), (hm(13, 30), hm(18, 30))]);
        let all_day = |date: &str| {
            let mut d = day(date, &[(hm(0, 0), hm(23, 59))]);
            d.all_day = true;
            d
        };
        let dates = ["2020-04-08", "2020-04-09", "2020-04-10"];
        let regular_days: Vec<_> = dates.iter().map(|d| regular(d)).collect();
        assert_eq!(open_minutes(&[], due, returned, chrono_tz::UTC), 0);
        assert_eq!(
            open_minutes(&regular_days, due, returned, chrono_tz::UTC),
            60 * 21
        );
        let all_days: Vec<_> = dates.iter().map(|d| all_day(d)).collect();
        let ny = chrono_tz::America::New_York;
        assert_eq!(open_minutes(&all_days, due, returned, ny), 60 * 49 - 2);
        let london = chrono_tz::Europe::London;
        let mixed = vec![regular(dates[0]), all_day(dates[1]), regular(dates[2])];
        assert_eq!(open_minutes(&mixed, due, returned, london), 60 * 35 - 1);
        let mut second_closed = all_days.clone();
        second_closed[1].open = false;
        assert_eq!(open_minutes(&second_closed, due, returned, ny), 60 * 25 - 1);
        let backwards = vec![day(dates[1], &[(hm(6, 0), hm(5, 0))])];
        assert_eq!(open_minutes(&backwards, due, returned, chrono_tz::UTC), 0);
    }

    #[test]
    fn the_grace_period_is_a_threshold() {
        // OverduePeriodCalculatorServiceTest's grace period cases.
        for (minutes, interval, shorter, longer) in [
            (10, IntervalId::Minutes, 5, 12),
            (255, IntervalId::Hours, 4, 5),
            (4_350, IntervalId::Days, 3, 4),
            (20_200, IntervalId::Weeks, 2, 3),
            (44_700, IntervalId::Months, 1, 2),
        ] {
            let grace = |duration| {
                period_minutes(&Period {
                    duration,
                    interval_id: interval,
                })
            };
            assert_eq!(beyond_grace(minutes, grace(shorter), false), minutes);
            assert_eq!(beyond_grace(minutes, grace(longer), false), 0);
            assert_eq!(beyond_grace(minutes, grace(longer), true), minutes);
        }
        assert_eq!(beyond_grace(60, 60, false), 0);
    }

    #[test]
    fn lost_items_are_charged_within_the_refund_period_only() {
        let now = at("2030-02-01T00:00:00Z");
        let days = |duration| Period {
            duration,
            interval_id: IntervalId::Days,
        };
        let lost = Some(at("2030-01-20T00:00:00Z"));
        assert!(!lost_item_charged(false, None, lost, now));
        assert!(lost_item_charged(true, None, lost, now));
        assert!(lost_item_charged(true, Some(&days(0)), None, now));
        assert!(lost_item_charged(true, Some(&days(12)), lost, now));
        assert!(!lost_item_charged(true, Some(&days(11)), lost, now));
        assert!(!lost_item_charged(true, Some(&days(30)), None, now));
    }
}
