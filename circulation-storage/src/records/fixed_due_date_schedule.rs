//! Fixed due date schedules: each range must have from <= due, from <= to and to <= due.
use super::{dates, Write};
use crate::error::StorageError;
use serde_json::Value;

const INVALID_DATE_MSG: &str = "Unable to save fixed loan date. Date range not valid";

pub(crate) fn validate(schedule: &mut Value, _: Write) -> Result<(), StorageError> {
    let Some(ranges) = schedule.get("schedules").and_then(Value::as_array) else {
        return Ok(());
    };
    let date = |range: &Value, field: &str| {
        range
            .get(field)
            .and_then(Value::as_str)
            .and_then(dates::parse_date_time)
    };
    // FOLIO reports the last failing range.
    let mut error = None;
    for range in ranges {
        let (Some(from), Some(to), Some(due)) =
            (date(range, "from"), date(range, "to"), date(range, "due"))
        else {
            continue;
        };
        let text = |d: chrono::DateTime<chrono::Utc>| Some(dates::iso_millis_offset(d));
        if from > due {
            error = Some(StorageError::invalid(
                format!("{INVALID_DATE_MSG} from date after due date"),
                "from",
                text(from),
            ));
        } else if from > to {
            error = Some(StorageError::invalid(
                format!("{INVALID_DATE_MSG} from date after to date"),
                "from",
                text(from),
            ));
        } else if to > due {
            error = Some(StorageError::invalid(
                format!("{INVALID_DATE_MSG} to date after due date"),
                "to",
                text(to),
            ));
        }
    }
    error.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges() {
        let mut ok = json!({"name": "s", "schedules": [{"from": "2020-01-01", "to": "2020-06-01", "due": "2020-06-15"}]});
        assert!(validate(&mut ok, Write::Create).is_ok());
        let mut bad = json!({"name": "s", "schedules": [{"from": "2020-07-01", "to": "2020-06-01", "due": "2020-07-15"}]});
        match validate(&mut bad, Write::Create) {
            Err(StorageError::Unprocessable(e)) => {
                assert_eq!(
                    e.errors[0].message,
                    "Unable to save fixed loan date. Date range not valid from date after to date"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}
