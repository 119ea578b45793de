//! A domain event as FOLIO's circulation storage publishes it (pure): the key (the record's
//! id), the payload `{id, type, tenant, timestamp, data: {old, new}}` and the message headers
//! (its topic: `KafkaConfig::circulation_topic`).
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// One outbox row: a change written in the transaction that made it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutboxRow {
    pub id: i64,
    /// `loan`, `request`, `check-in`, `circulation-settings`, `rules`, `request-queue-reordering`.
    pub topic: String,
    pub key: String,
    /// `CREATED`, `UPDATED`, `DELETED`, `ALL_DELETED`.
    pub event_type: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub created_at: DateTime<Utc>,
}

/// Namespace of the event ids: the same outbox row always gives the same id, so a consumer can
/// drop a message relayed twice (after a relay died between publishing and deleting).
const EVENT_NAMESPACE: Uuid = Uuid::from_u128(0x5f0c_6d1e_8a3b_4c2d_9e7f_1a2b_3c4d_5e6f);

/// The event's `id`: from the tenant and the outbox row, stable across relays.
pub(crate) fn event_id(tenant: &str, row_id: i64) -> Uuid {
    Uuid::new_v5(&EVENT_NAMESPACE, format!("{tenant}:{row_id}").as_bytes())
}

/// The message's value, FOLIO's `DomainEvent` with `EntityChangedData` (absent sides left out).
pub(crate) fn payload(row: &OutboxRow, tenant: &str) -> Value {
    let mut data = Map::new();
    if let Some(old) = &row.old {
        data.insert("old".into(), old.clone());
    }
    if let Some(new) = &row.new {
        data.insert("new".into(), new.clone());
    }
    json!({
        "id": event_id(tenant, row.id).to_string(),
        "type": row.event_type,
        "tenant": tenant,
        "timestamp": row.created_at.timestamp_millis(),
        "data": data,
    })
}

/// The message's headers as FOLIO's producers set them: the tenant (twice), the user who made
/// the change (the record's `metadata.updatedByUserId`) and the gateway's URL when known.
pub(crate) fn headers(
    row: &OutboxRow,
    tenant: &str,
    okapi_url: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("x-okapi-tenant", tenant.to_string()),
        ("folio.tenantId", tenant.to_string()),
    ];
    let user = row
        .new
        .as_ref()
        .or(row.old.as_ref())
        .and_then(|r| r.pointer("/metadata/updatedByUserId"))
        .and_then(Value::as_str);
    if let Some(user) = user {
        headers.push(("x-okapi-user-id", user.to_string()));
    }
    if let Some(url) = okapi_url {
        headers.push(("x-okapi-url", url.to_string()));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(event_type: &str, old: Option<Value>, new: Option<Value>) -> OutboxRow {
        OutboxRow {
            id: 7,
            topic: "loan".into(),
            key: "a1".into(),
            event_type: event_type.into(),
            old,
            new,
            created_at: DateTime::from_timestamp_millis(1_765_000_000_123).unwrap(),
        }
    }

    #[test]
    fn payload_has_folios_shape_and_a_stable_id() {
        let created = payload(&row("CREATED", None, Some(json!({"id": "a1"}))), "diku");
        assert_eq!(created["type"], "CREATED");
        assert_eq!(created["tenant"], "diku");
        assert_eq!(created["timestamp"], 1_765_000_000_123_i64);
        assert_eq!(created["data"], json!({"new": {"id": "a1"}}));
        let again = payload(&row("CREATED", None, Some(json!({"id": "a1"}))), "diku");
        assert_eq!(created["id"], again["id"]);
        assert_ne!(
            created["id"],
            payload(&row("CREATED", None, None), "other")["id"]
        );
        let all = payload(&row("ALL_DELETED", None, None), "diku");
        assert_eq!(all["data"], json!({}));
    }

    #[test]
    fn headers_name_tenant_user_and_gateway() {
        let changed = row(
            "UPDATED",
            None,
            Some(json!({"metadata": {"updatedByUserId": "u1"}})),
        );
        let h = headers(&changed, "diku", Some("http://okapi:9130"));
        assert!(h.contains(&("x-okapi-tenant", "diku".into())));
        assert!(h.contains(&("folio.tenantId", "diku".into())));
        assert!(h.contains(&("x-okapi-user-id", "u1".into())));
        assert!(h.contains(&("x-okapi-url", "http://okapi:9130".into())));
        assert_eq!(
            headers(&row("ALL_DELETED", None, None), "diku", None).len(),
            2
        );
    }
}
