//! The calendar (mod-calendar): a service point's openings around a date.
use crate::due_date::SurroundingOpenings;
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
}
