//! Date-time helpers with java.time's semantics where mod-circulation relies on them.
use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// The instant of a local date and time in `tz`, resolved like `ZonedDateTime.of`: in an
/// overlap the earlier offset wins; in a gap the local time is moved forward by the length of
/// the gap (02:30 on a spring-forward night in New York becomes 03:30 EDT).
pub(crate) fn local_to_utc(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local = date.and_time(time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // Interpret the local time with the offset in force before the transition.
            let before = local - Duration::hours(6);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                LocalResult::None => tz.offset_from_utc_datetime(&before).fix(),
            };
            let secs = i64::from(offset.local_minus_utc());
            (local - Duration::seconds(secs)).and_utc()
        }
    }
}

/// `LocalDate.atStartOfDay(zone)`: the first instant of `date` in `tz`.
pub(crate) fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(date, NaiveTime::MIN, tz)
}

/// mod-circulation's `atEndOfDay`: the last second of `date` in `tz` (23:59:59, seconds
/// precision).
pub(crate) fn end_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let next = date.succ_opt().unwrap_or(date);
    start_of_day(next, tz) - Duration::seconds(1)
}

/// The local date of an instant in `tz`.
pub(crate) fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The local time of an instant in `tz`, truncated to minutes.
pub(crate) fn local_hour_minute(t: DateTime<Utc>, tz: Tz) -> (u32, u32) {
    let l = t.with_timezone(&tz);
    (l.hour(), l.minute())
}

/// mod-circulation keeps date-times at millisecond precision.
pub(crate) fn millis<O: TimeZone>(t: &DateTime<O>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn truncate_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// Parses a date-time the way mod-circulation's `parseDateTime` does (ISO offset date-time with
/// `Z`, `+hh:mm` or `+hhmm`, optional fraction; a local date-time means UTC; a bare date means
/// its UTC midnight), truncated to milliseconds. The offset written in the value is kept: it
/// decides the local date of a patron's expiration date. A zone id after the offset
/// (`+01:00[Europe/Paris]`) is accepted and the offset used.
pub(crate) fn parse_date_time(value: &str) -> Option<DateTime<FixedOffset>> {
    let value = value.trim();
    let value = match value.strip_suffix(']').and_then(|v| v.rsplit_once('[')) {
        Some((date_time, _zone)) => date_time,
        None => value,
    };
    let parsed = DateTime::parse_from_rfc3339(value)
        .ok()
        .or_else(|| DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
        .or_else(|| DateTime::parse_from_str(value, "%Y-%m-%dT%H:%M%z").ok())
        .or_else(|| {
            let utc = FixedOffset::east_opt(0)?;
            let naive = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
                .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M"))
                .ok()
                .or_else(|| {
                    NaiveDate::parse_from_str(value, "%Y-%m-%d")
                        .ok()
                        .map(|d| d.and_time(NaiveTime::MIN))
                })?;
            utc.from_local_datetime(&naive).single()
        })?;
    let ms = parsed.timestamp_millis();
    DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(parsed.offset()))
}

/// Parses and converts to UTC.
pub(crate) fn parse_utc(value: &str) -> Option<DateTime<Utc>> {
    parse_date_time(value).map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn parses_folio_forms() {
        let cases = [
            ("2024-03-05T14:23:41.000Z", "2024-03-05T14:23:41Z", 0),
            ("2024-03-05T14:23:41.123456Z", "2024-03-05T14:23:41.123Z", 0),
            ("2024-03-05T14:23:41.000+00:00", "2024-03-05T14:23:41Z", 0),
            ("2024-03-05T14:23:41.000+0000", "2024-03-05T14:23:41Z", 0),
            (
                "2024-03-05T09:23:41-05:00",
                "2024-03-05T14:23:41Z",
                -5 * 3600,
            ),
            ("2024-03-05T14:23:41", "2024-03-05T14:23:41Z", 0),
            ("2024-03-05", "2024-03-05T00:00:00Z", 0),
            (
                "2024-03-05T15:23:41+01:00[Europe/Paris]",
                "2024-03-05T14:23:41Z",
                3600,
            ),
        ];
        for (input, expected, offset) in cases {
            let t = parse_date_time(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(t.with_timezone(&Utc), utc(expected), "{input}");
            assert_eq!(t.offset().local_minus_utc(), offset, "{input}");
        }
        assert!(parse_date_time("tomorrow").is_none());
    }

    #[test]
    fn local_times_across_dst() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let t = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        // Gap: 02:30 does not exist on 2024-03-10, java.time moves it to 03:30 EDT.
        assert_eq!(
            local_to_utc(d("2024-03-10"), t("02:30"), ny),
            utc("2024-03-10T07:30:00Z")
        );
        // Overlap: 01:30 on 2024-11-03 happens twice, the earlier offset (EDT) wins.
        assert_eq!(
            local_to_utc(d("2024-11-03"), t("01:30"), ny),
            utc("2024-11-03T05:30:00Z")
        );
        assert_eq!(end_of_day(d("2024-03-10"), ny), utc("2024-03-11T03:59:59Z"));
        assert_eq!(end_of_day(d("2024-03-09"), ny), utc("2024-03-10T04:59:59Z"));
        assert_eq!(end_of_day(d("2024-11-03"), ny), utc("2024-11-04T04:59:59Z"));
        assert_eq!(
            start_of_day(d("2024-11-03"), ny),
            utc("2024-11-03T04:00:00Z")
        );
    }
}
