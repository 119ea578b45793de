//! Dates: what RMB (Jackson) accepts for `format: date-time`, and how it writes them back.
use crate::error::StorageError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

/// Parses the ISO-8601 forms FOLIO clients send: with `Z` or an offset (with or without colon),
/// with or without fractions, or without zone (taken as UTC), or a bare date.
pub(crate) fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(text) {
        return Some(d.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(d) = DateTime::parse_from_str(text, format) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(text, format) {
            return Some(d.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The form Java's RMB writes: `2024-05-01T10:00:00.000+00:00`.
pub(crate) use shared_types::dates::iso_millis_offset;

pub(crate) fn now() -> String {
    iso_millis_offset(Utc::now())
}

/// Rewrites every listed date-time property (dotted paths, `[]` for arrays) in RMB's form;
/// an unparseable one is a 400 as Jackson would give.
pub(crate) fn normalise(record: &mut Value, paths: &[&str]) -> Result<(), StorageError> {
    for path in paths {
        let segments: Vec<&str> = path.split('.').collect();
        normalise_at(record, &segments, path)?;
    }
    Ok(())
}

fn normalise_at(value: &mut Value, segments: &[&str], path: &str) -> Result<(), StorageError> {
    let Some((first, rest)) = segments.split_first() else {
        return Ok(());
    };
    let (name, each) = match first.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*first, false),
    };
    let Some(child) = value.as_object_mut().and_then(|o| o.get_mut(name)) else {
        return Ok(());
    };
    if each {
        if let Some(items) = child.as_array_mut() {
            for item in items {
                normalise_at(item, rest, path)?;
            }
        }
        return Ok(());
    }
    if !rest.is_empty() {
        return normalise_at(child, rest, path);
    }
    match child {
        Value::String(text) => {
            let parsed = parse_date_time(text).ok_or_else(|| {
                StorageError::BadRequest(format!("Json content error Cannot deserialize value of type `java.util.Date` from String \"{text}\" ({path}): not a valid representation"))
            })?;
            *child = Value::String(iso_millis_offset(parsed));
            Ok(())
        }
        Value::Null => Ok(()),
        other => Err(StorageError::BadRequest(format!(
            "Json content error Cannot deserialize value of type `java.util.Date` from {other} ({path})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_formats_like_rmb() {
        let cases = [
            ("2017-03-01T23:11:00.000Z", "2017-03-01T23:11:00.000+00:00"),
            ("2017-03-01T23:11:00Z", "2017-03-01T23:11:00.000+00:00"),
            ("2017-03-01T23:11:00+01:00", "2017-03-01T22:11:00.000+00:00"),
            (
                "2017-03-01T23:11:00.123+0100",
                "2017-03-01T22:11:00.123+00:00",
            ),
            ("2017-03-01T23:11:00", "2017-03-01T23:11:00.000+00:00"),
            ("2017-03-01", "2017-03-01T00:00:00.000+00:00"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                iso_millis_offset(parse_date_time(input).unwrap()),
                expected,
                "{input}"
            );
        }
        assert!(parse_date_time("yesterday").is_none());
        assert!(parse_date_time("2017-13-01").is_none());
    }

    #[test]
    fn normalises_nested_and_array_paths() {
        let mut v = json!({"dueDate": "2020-01-01T10:00:00Z", "schedules": [{"from": "2020-01-01"}], "a": {"b": "2020-01-02T00:00:00+02:00"}});
        normalise(&mut v, &["dueDate", "schedules[].from", "a.b", "missing"]).unwrap();
        assert_eq!(v["dueDate"], "2020-01-01T10:00:00.000+00:00");
        assert_eq!(v["schedules"][0]["from"], "2020-01-01T00:00:00.000+00:00");
        assert_eq!(v["a"]["b"], "2020-01-01T22:00:00.000+00:00");
        let mut bad = json!({"dueDate": "soon"});
        assert!(matches!(
            normalise(&mut bad, &["dueDate"]),
            Err(StorageError::BadRequest(_))
        ));
    }
}
