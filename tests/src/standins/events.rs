//! What FOLIO's inventory and users modules publish on every change of their records, from the
//! stand-ins (the feed a local copy of those records would consume): inventory's flat
//! `{eventId, eventTs, tenant, type: CREATE|UPDATE|DELETE, old, new}` on
//! `folio.{tenant}.inventory.{item,holdings-record,instance,location,service-point,loan-type,
//! material-type,library,campus,institution}` (items keyed by their instance and naming it), and
//! users' `{id, type: CREATED|UPDATED|DELETED, tenant, timestamp, data: {old, new}}` on
//! `folio.{tenant}.users.{users,userGroup}` keyed by the record. Sent after the change, not
//! waited for; a failure is logged.
use rdkafka::producer::FutureRecord;
use serde_json::{json, Map, Value};
use shared_types::kafka::TopicProducer;
use std::sync::Arc;

/// Which module publishes a collection's changes, on which topic, in which shape.
fn topic_of(path: &str) -> Option<(&'static str, &'static str)> {
    Some(match path {
        "/item-storage/items" => ("inventory", "item"),
        "/holdings-storage/holdings" => ("inventory", "holdings-record"),
        "/instance-storage/instances" => ("inventory", "instance"),
        "/locations" => ("inventory", "location"),
        "/service-points" => ("inventory", "service-point"),
        "/loan-types" => ("inventory", "loan-type"),
        "/material-types" => ("inventory", "material-type"),
        "/location-units/libraries" => ("inventory", "library"),
        "/location-units/campuses" => ("inventory", "campus"),
        "/location-units/institutions" => ("inventory", "institution"),
        "/users" => ("users", "users"),
        "/groups" => ("users", "userGroup"),
        _ => return None,
    })
}

/// A change of one record, as the publishing module announces it: (topic, key, value).
pub(crate) fn change_event(
    tenant: &str,
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    instance_id: Option<&str>,
    now_ms: i64,
) -> Option<(String, String, Value)> {
    let (module, topic) = topic_of(path)?;
    let record_id = new
        .or(old)
        .and_then(|r| r.get("id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let topic_name = format!("folio.{tenant}.{module}.{topic}");
    let event_id = uuid::Uuid::new_v4().to_string();
    if module == "users" {
        let kind = match (old, new) {
            (None, _) => "CREATED",
            (_, None) => "DELETED",
            _ => "UPDATED",
        };
        let mut data = Map::new();
        if let Some(old) = old {
            data.insert("old".into(), old.clone());
        }
        if let Some(new) = new {
            data.insert("new".into(), new.clone());
        }
        let value = json!({"id": event_id, "type": kind, "tenant": tenant,
                           "timestamp": now_ms, "data": data});
        return Some((topic_name, record_id, value));
    }
    let kind = match (old, new) {
        (None, _) => "CREATE",
        (_, None) => "DELETE",
        _ => "UPDATE",
    };
    let mut value = json!({"eventId": event_id, "eventTs": now_ms, "tenant": tenant,
                           "type": kind});
    if let Some(old) = old {
        value["old"] = old.clone();
    }
    if let Some(new) = new {
        value["new"] = new.clone();
    }
    // Items: keyed by their instance, which the event names.
    let key = match (topic, instance_id) {
        ("item", Some(instance)) => {
            value["instanceId"] = json!(instance);
            instance.to_string()
        }
        _ => record_id,
    };
    Some((topic_name, key, value))
}

/// The stand-ins' producer.
pub(crate) struct ChangeEvents(TopicProducer);

impl ChangeEvents {
    pub(crate) fn connect(address: &str) -> Option<Arc<ChangeEvents>> {
        let mut client = rdkafka::ClientConfig::new();
        client.set("bootstrap.servers", address);
        let settings = [("message.timeout.ms", "5000"), ("linger.ms", "1")];
        let producer = TopicProducer::create(&client, &settings, 1).ok()?;
        Some(Arc::new(ChangeEvents(producer)))
    }

    /// Sends the event without holding up the answer.
    pub(crate) fn send(self: &Arc<Self>, topic: String, key: String, value: Value) {
        let events = self.clone();
        tokio::spawn(async move {
            let payload = value.to_string();
            let record = FutureRecord::to(&topic)
                .key(key.as_str())
                .payload(payload.as_str());
            if let Err(e) = events.0.send(record).await {
                log::warn!("stand-in event on {topic} not sent: {e}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::change_event;
    use serde_json::json;

    #[test]
    fn inventory_and_users_shapes() {
        let item = json!({"id": "i1", "status": {"name": "Checked out"}});
        let old = json!({"id": "i1", "status": {"name": "Available"}});
        let (topic, key, v) = change_event(
            "diku",
            "/item-storage/items",
            Some(&old),
            Some(&item),
            Some("in1"),
            7,
        )
        .unwrap();
        assert_eq!(topic, "folio.diku.inventory.item");
        assert_eq!(key, "in1");
        assert_eq!(v["type"], "UPDATE");
        assert_eq!(v["instanceId"], "in1");
        assert_eq!(v["new"]["status"]["name"], "Checked out");
        assert_eq!(v["eventTs"], 7);
        let user = json!({"id": "u1"});
        let (topic, key, v) = change_event("diku", "/users", None, Some(&user), None, 7).unwrap();
        assert_eq!(
            (topic.as_str(), key.as_str()),
            ("folio.diku.users.users", "u1")
        );
        assert_eq!(v["type"], "CREATED");
        assert_eq!(v["data"], json!({"new": {"id": "u1"}}));
        assert!(change_event("diku", "/accounts", None, Some(&user), None, 7).is_none());
    }
}
