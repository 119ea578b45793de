//! mod-pubsub: business events as FOLIO's modules publish them.
use crate::okapi::{CallError, Okapi};
use reqwest::Method;
use serde_json::{json, Value};

#[derive(Clone, Copy)]
pub(crate) struct PubSub<'a>(pub(super) &'a Okapi);

impl PubSub<'_> {
    /// `POST /pubsub/publish` of one event, its payload as a JSON string as pubsub wants it.
    pub(crate) async fn publish(&self, event_type: &str, payload: &Value) -> Result<(), CallError> {
        let body = json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "eventType": event_type,
            "eventMetadata": {
                "tenantId": self.0.tenant,
                "eventTTL": 1,
                "publishedBy": "mod-circulation",
            },
            "eventPayload": payload.to_string(),
        });
        self.0
            .write(
                &format!("publish {event_type}"),
                Method::POST,
                "/pubsub/publish",
                Some(&body),
            )
            .await
            .map(|_| ())
    }
}
