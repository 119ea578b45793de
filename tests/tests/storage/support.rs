//! Helpers shared by the storage suites.
use circulation_tests::http::FolioClient;
use circulation_tests::storage;
use serde_json::{json, Value};

pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A storage module on the shared database with `tenant` enabled without reference data.
pub async fn enabled(tenant: &str) -> FolioClient {
    storage::enabled_client(tenant, false).await
}

/// An open item-level hold on `item_id` at `position` in its queue.
pub fn request(item_id: &str, position: i64) -> Value {
    json!({"requestType": "Hold", "requestLevel": "Item", "requestDate": "2017-07-29T22:25:37Z",
           "requesterId": uuid(), "itemId": item_id, "holdingsRecordId": uuid(), "instanceId": uuid(),
           "fulfillmentPreference": "Hold Shelf", "status": "Open - Not yet filled", "position": position})
}
