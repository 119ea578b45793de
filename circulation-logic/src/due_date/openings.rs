//! mod-calendar's answer to
//! `GET /calendar/dates/{servicePointId}/surrounding-openings?date=YYYY-MM-DD`:
//! `{"openings":[previous open day, requested day, next open day]}`, each a
//! `singleDayOpening` `{date, allDay, open, exceptional, exceptionName?, openings:[{startTime,
//! endTime}]}` with times as `HH:mm:ss` (or `HH:mm`).
//!
//! Reading rules are mod-circulation's (`CalendarRepository`, `OpeningDay`): an empty object (or
//! an empty 200 body, see [`SurroundingOpenings::all_closed`]) means three closed days; only
//! `date`, `allDay`, `open` and `openings` are used; unknown fields are ignored. A missing
//! entry of the three is read as a closed day (mod-circulation would fail).
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct SurroundingOpenings {
    #[serde(default)]
    pub openings: Vec<SingleDayOpening>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SingleDayOpening {
    #[serde(
        default,
        deserialize_with = "de_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub all_day: bool,
    #[serde(default)]
    pub open: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exceptional: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_name: Option<String>,
    #[serde(default)]
    pub openings: Vec<OpeningHours>,
}

/// One opening of a day; `endTime` is the end of the opening (mod-calendar calls it
/// inclusive, mod-circulation reads the open interval as `[startTime, endTime)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OpeningHours {
    #[serde(serialize_with = "ser_time", deserialize_with = "de_time")]
    pub start_time: NaiveTime,
    #[serde(serialize_with = "ser_time", deserialize_with = "de_time")]
    pub end_time: NaiveTime,
}

static CLOSED_DAY: SingleDayOpening = SingleDayOpening {
    date: None,
    all_day: true,
    open: false,
    exceptional: None,
    exception_name: None,
    openings: Vec::new(),
};

impl SurroundingOpenings {
    /// What mod-circulation makes of a 200 with an empty body or `{}`: every day closed.
    pub(crate) fn all_closed() -> Self {
        SurroundingOpenings::default()
    }

    /// Reads a 200 body; an empty body means all days closed.
    pub(crate) fn from_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::all_closed());
        }
        serde_json::from_slice(body)
    }

    pub(crate) fn previous(&self) -> &SingleDayOpening {
        self.openings.first().unwrap_or(&CLOSED_DAY)
    }

    pub(crate) fn requested(&self) -> &SingleDayOpening {
        self.openings.get(1).unwrap_or(&CLOSED_DAY)
    }

    pub(crate) fn next(&self) -> &SingleDayOpening {
        self.openings.get(2).unwrap_or(&CLOSED_DAY)
    }

    pub(crate) fn days(&self) -> [&SingleDayOpening; 3] {
        [self.previous(), self.requested(), self.next()]
    }
}

impl SingleDayOpening {
    #[cfg(test)]
    /// A closed day (what mod-calendar reports when no calendar covers the service point).
    pub(crate) fn closed(date: NaiveDate) -> Self {
        SingleDayOpening {
            date: Some(date),
            all_day: true,
            open: false,
            exceptional: Some(false),
            exception_name: None,
            openings: Vec::new(),
        }
    }

    #[cfg(test)]
    /// An open day with the given `(start, end)` hours.
    pub(crate) fn open_hours(date: NaiveDate, hours: &[(NaiveTime, NaiveTime)]) -> Self {
        SingleDayOpening {
            date: Some(date),
            all_day: false,
            open: true,
            exceptional: Some(false),
            exception_name: None,
            openings: hours
                .iter()
                .map(|&(start_time, end_time)| OpeningHours {
                    start_time,
                    end_time,
                })
                .collect(),
        }
    }

    #[cfg(test)]
    /// A day open around the clock.
    pub(crate) fn open_all_day(date: NaiveDate) -> Self {
        let mut day = Self::open_hours(
            date,
            &[(
                NaiveTime::MIN,
                NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN),
            )],
        );
        day.all_day = true;
        day
    }
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let s = String::deserialize(d)?;
    parse_time(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid time \"{s}\"")))
}

fn ser_time<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.format("%H:%M:%S").to_string())
}

/// `date` is `YYYY-MM-DD`; older calendars sent a date-time, whose date part is used.
fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s {
        None => Ok(None),
        Some(s) => {
            let day = s.split('T').next().unwrap_or("");
            NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("invalid date \"{s}\"")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_mod_calendar_shape() {
        let v = json!({"openings": [
            {"date": "2024-03-08", "allDay": false, "open": true, "exceptional": false,
             "openings": [{"startTime": "09:00:00", "endTime": "12:00:00"}, {"startTime": "13:00", "endTime": "17:00"}]},
            {"date": "2024-03-09", "allDay": true, "open": false, "exceptional": true, "exceptionName": "Closure",
             "openings": []},
            {"date": "2024-03-11", "allDay": true, "open": true, "exceptional": false,
             "openings": [{"startTime": "00:00:00", "endTime": "23:59:00"}], "future": 1}
        ]});
        let o: SurroundingOpenings = serde_json::from_value(v).unwrap();
        assert_eq!(o.previous().openings.len(), 2);
        assert_eq!(
            o.previous().openings[1].start_time,
            NaiveTime::from_hms_opt(13, 0, 0).unwrap()
        );
        assert!(!o.requested().open);
        assert_eq!(o.requested().exception_name.as_deref(), Some("Closure"));
        assert!(o.next().all_day && o.next().open);
        let back = serde_json::to_value(&o).unwrap();
        assert_eq!(back["openings"][0]["openings"][1]["endTime"], "17:00:00");
        assert_eq!(back["openings"][0]["date"], "2024-03-08");
    }

    #[test]
    fn empty_answers_are_closed_days() {
        for body in [&b""[..], b"  ", b"{}"] {
            let o = SurroundingOpenings::from_body(body).unwrap();
            for day in o.days() {
                assert!(!day.open);
            }
        }
        assert!(SurroundingOpenings::from_body(b"{\"openings\": [{\"date\": \"x\"}]}").is_err());
    }
}
