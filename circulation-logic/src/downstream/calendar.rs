//! The calendar (mod-calendar): a service point's openings around a date, and its open days
//! between two dates.
use crate::due_date::{SingleDayOpening, SurroundingOpenings};
use crate::okapi::{CallError, Okapi};
use chrono::NaiveDate;
use reqwest::Method;

#[derive(Clone, Copy)]
pub(crate) struct Calendar<'a>(pub(super) &'a Okapi);

impl Calendar<'_> {
    /// `GET /calendar/dates/{sp}/surrounding-openings?date=`: `None` when the calendar has no
    /// open periods for the service point (404); an empty body means all days closed.
    pub(crate) async fn surrounding_openings(
        &self,
        service_point_id: &str,
        date: NaiveDate,
    ) -> Result<Option<SurroundingOpenings>, CallError> {
        let name = "calendar openings";
        let date = date.format("%Y-%m-%d").to_string();
        let path = format!("/calendar/dates/{service_point_id}/surrounding-openings");
        let reply = self
            .0
            .call(name, Method::GET, &path, &[("date", &date)], None)
            .await?;
        match reply.status {
            200..=299 => SurroundingOpenings::from_body(reply.body.as_bytes())
                .map(Some)
                .map_err(|e| CallError::BadBody {
                    name: name.into(),
                    detail: e.to_string(),
                }),
            404 => Ok(None),
            _ => Err(CallError::Failed {
                name: name.into(),
                reply,
            }),
        }
    }

    /// `GET /calendar/dates/{sp}/all-openings?startDate=&endDate=&includeClosed=false`: the
    /// service point's open days from `start` to `end` (a service point without a calendar
    /// has none); any answer but a 200 is a failure.
    pub(crate) async fn open_days(
        &self,
        service_point_id: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<SingleDayOpening>, CallError> {
        let name = "calendar open days";
        let path = format!("/calendar/dates/{service_point_id}/all-openings");
        let (start, end) = (start.format("%Y-%m-%d"), end.format("%Y-%m-%d"));
        let answer = self
            .0
            .get(
                name,
                &path,
                &[
                    ("startDate", &start.to_string()),
                    ("endDate", &end.to_string()),
                    ("includeClosed", "false"),
                    ("limit", "2147483647"),
                ],
            )
            .await?;
        let dates = answer.get("dates").cloned().unwrap_or_default();
        serde_json::from_value::<Option<Vec<SingleDayOpening>>>(dates)
            .map(Option::unwrap_or_default)
            .map_err(|e| CallError::BadBody {
                name: name.into(),
                detail: e.to_string(),
            })
    }
}
