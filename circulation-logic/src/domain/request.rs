//! Views of requests (`/request-storage/requests`) and of an item's request queue.
use super::record::{record_view, text};
use serde_json::{json, Value};

/// `requestType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestType {
    Hold,
    Recall,
    Page,
    Other,
}

/// `fulfillmentPreference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FulfillmentPreference {
    HoldShelf,
    Delivery,
    Other,
}

/// The open statuses a queue holds, as the CQL of a queue read names them.
pub(crate) const OPEN_STATUSES_CQL: &str = "(\"Open - Not yet filled\" or \"Open - Awaiting pickup\" or \"Open - In transit\" or \"Open - Awaiting delivery\")";

pub(crate) const OPEN_NOT_YET_FILLED: &str = "Open - Not yet filled";
pub(crate) const CLOSED_FILLED: &str = "Closed - Filled";
pub(crate) const OPEN_AWAITING_PICKUP: &str = "Open - Awaiting pickup";

record_view!(
    /// A request.
    Request
);

impl Request {
    pub(crate) fn requester_id(&self) -> Option<&str> {
        text(&self.0, &["requesterId"])
    }

    /// The requested item; none for a title-level request not yet given one.
    pub(crate) fn item_id(&self) -> Option<&str> {
        text(&self.0, &["itemId"])
    }

    pub(crate) fn status(&self) -> Option<&str> {
        text(&self.0, &["status"])
    }

    pub(crate) fn request_type(&self) -> RequestType {
        match text(&self.0, &["requestType"]) {
            Some("Hold") => RequestType::Hold,
            Some("Recall") => RequestType::Recall,
            Some("Page") => RequestType::Page,
            _ => RequestType::Other,
        }
    }

    pub(crate) fn fulfillment_preference(&self) -> FulfillmentPreference {
        match text(&self.0, &["fulfillmentPreference"]) {
            Some("Hold Shelf") => FulfillmentPreference::HoldShelf,
            Some("Delivery") => FulfillmentPreference::Delivery,
            _ => FulfillmentPreference::Other,
        }
    }

    /// The address type the request is delivered to.
    pub(crate) fn delivery_address_type_id(&self) -> Option<&str> {
        text(&self.0, &["deliveryAddressTypeId"])
    }

    pub(crate) fn pickup_service_point_id(&self) -> Option<&str> {
        text(&self.0, &["pickupServicePointId"])
    }

    /// The request moved to `status`. Awaiting pickup, it keeps the hold shelf expiration it
    /// has, else takes `hold_shelf_expiration`; in transit or awaiting delivery it has none
    /// (mod-circulation's `UpdateRequestQueue`).
    pub(crate) fn with_status(&self, status: &str, hold_shelf_expiration: Option<&str>) -> Request {
        let mut changed = self.0.clone();
        if let Some(o) = changed.as_object_mut() {
            o.insert("status".into(), json!(status));
            if status != OPEN_AWAITING_PICKUP {
                o.remove("holdShelfExpirationDate");
            } else if let (None, Some(expiration)) =
                (o.get("holdShelfExpirationDate"), hold_shelf_expiration)
            {
                o.insert("holdShelfExpirationDate".into(), json!(expiration));
            }
        }
        Request(changed)
    }

    pub(crate) fn position(&self) -> Option<i64> {
        self.0.get("position").and_then(Value::as_i64)
    }

    /// Whether this request is for `item_id` (a title-level request without an item is for
    /// any item of its instance).
    fn is_for(&self, item_id: &str) -> bool {
        self.item_id().is_none_or(|id| id == item_id)
    }

    /// The request closed as filled: out of the queue (no position).
    pub(crate) fn filled(&self) -> Request {
        let mut after = self.0.clone();
        if let Some(o) = after.as_object_mut() {
            o.insert("status".into(), json!(CLOSED_FILLED));
            o.remove("position");
        }
        Request(after)
    }

    /// A title-level request given the item that fills it.
    pub(crate) fn with_item(mut self, item_id: &str, holdings_record_id: Option<&str>) -> Request {
        if self.0.get("itemId").is_none() {
            self.0["itemId"] = json!(item_id);
            self.0["holdingsRecordId"] = json!(holdings_record_id);
        }
        self
    }

    fn with_position(&self, position: i64) -> Request {
        let mut changed = self.0.clone();
        changed["position"] = json!(position);
        Request(changed)
    }
}

/// The open requests of an item (and, with title-level requests, of its instance), in queue
/// order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RequestQueue(pub Vec<Request>);

/// The request a check-out fills, before and after, and the rest of the queue renumbered.
#[derive(Debug, Clone)]
pub(crate) struct Fulfilment {
    pub before: Request,
    pub after: Request,
    /// The other requests with their new positions, when any position changed.
    pub resequenced: Vec<Request>,
    /// The same requests as read (for the undo).
    pub resequenced_before: Vec<Request>,
}

impl Fulfilment {
    /// A title-level request filled with `item_id` is given the item.
    pub(crate) fn with_item(
        mut self,
        item_id: &str,
        holdings_record_id: Option<&str>,
    ) -> Fulfilment {
        self.after = self.after.with_item(item_id, holdings_record_id);
        self
    }
}

impl RequestQueue {
    pub(crate) fn from_json(list: Vec<Value>) -> RequestQueue {
        RequestQueue(list.into_iter().map(Request::from_json).collect())
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first request a check-out of `item_id` would fill: the queue's first Hold Shelf or
    /// Delivery request for this item (or title-level without an item yet).
    pub(crate) fn first_fulfillable(&self, item_id: &str) -> Option<&Request> {
        self.0.iter().find(|r| {
            matches!(
                r.fulfillment_preference(),
                FulfillmentPreference::HoldShelf | FulfillmentPreference::Delivery
            ) && r.is_for(item_id)
        })
    }

    /// Whether the loan policy's alternate check-out period applies: a Hold "Open - Not yet
    /// filled" for this item, or title-level without an item (mod-circulation's
    /// `LoanPolicy.isAlternatePeriod`; a hold on another item of the instance does not count).
    pub(crate) fn has_waiting_hold(&self, item_id: &str) -> bool {
        self.0.iter().any(|r| {
            r.request_type() == RequestType::Hold
                && r.status() == Some(OPEN_NOT_YET_FILLED)
                && r.is_for(item_id)
        })
    }

    /// The first request in the queue.
    pub(crate) fn first(&self) -> Option<&Request> {
        self.0.first()
    }

    /// The first open Recall for `item_id`.
    pub(crate) fn recall_for(&self, item_id: &str) -> Option<&Request> {
        self.0
            .iter()
            .find(|r| r.request_type() == RequestType::Recall && r.item_id() == Some(item_id))
    }

    /// An open Recall for `item_id` other than `except` (the request the check-out fills). As
    /// mod-circulation's `containsRequestOfTypeForItem`: a title-level recall counts once it
    /// has been given this item.
    pub(crate) fn has_recall_for(&self, item_id: &str, except: Option<&Request>) -> bool {
        self.0.iter().any(|r| {
            except.is_none_or(|e| e.id() != r.id())
                && r.request_type() == RequestType::Recall
                && r.item_id() == Some(item_id)
        })
    }

    /// `request` closed as filled and the rest of the queue (in queue order) renumbered from 1.
    pub(crate) fn fulfil(&self, request: &Request) -> Fulfilment {
        let mut resequenced = Vec::new();
        let mut resequenced_before = Vec::new();
        let rest = self.0.iter().filter(|r| r.id() != request.id());
        for (i, r) in rest.enumerate() {
            let position = (i + 1) as i64;
            if r.position() != Some(position) {
                resequenced.push(r.with_position(position));
                resequenced_before.push(r.clone());
            }
        }
        Fulfilment {
            before: request.clone(),
            after: request.filled(),
            resequenced,
            resequenced_before,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(list: Value) -> RequestQueue {
        RequestQueue::from_json(list.as_array().unwrap().clone())
    }

    #[test]
    fn hold_shelf_expiration_kept_on_the_shelf_and_dropped_in_transit() {
        let r = Request(json!({"id": "a", "holdShelfExpirationDate": "2030-01-01T00:00:00.000Z"}));
        let waiting = r.with_status(OPEN_AWAITING_PICKUP, Some("2031-01-01T00:00:00.000Z"));
        assert_eq!(
            waiting.json()["holdShelfExpirationDate"],
            "2030-01-01T00:00:00.000Z"
        );
        let fresh = Request(json!({"id": "b"}))
            .with_status(OPEN_AWAITING_PICKUP, Some("2031-01-01T00:00:00.000Z"));
        assert_eq!(
            fresh.json()["holdShelfExpirationDate"],
            "2031-01-01T00:00:00.000Z"
        );
        let moving = r.with_status("Open - In transit", None);
        assert!(moving.json().get("holdShelfExpirationDate").is_none());
        assert_eq!(moving.json()["status"], "Open - In transit");
    }

    #[test]
    fn fulfil_closes_the_request_and_renumbers_the_rest() {
        let q = queue(json!([
            {"id": "a", "position": 1, "status": "Open - Not yet filled"},
            {"id": "b", "position": 2},
            {"id": "c", "position": 4},
        ]));
        let f = q.fulfil(&q.0[0]);
        assert_eq!(
            f.after.json(),
            &json!({"id": "a", "status": "Closed - Filled"})
        );
        let positions: Vec<_> = f
            .resequenced
            .iter()
            .map(|r| (r.id().to_string(), r.position()))
            .collect();
        assert_eq!(
            positions,
            vec![("b".into(), Some(1)), ("c".into(), Some(2))]
        );
        assert_eq!(f.resequenced_before[1].position(), Some(4));
    }

    #[test]
    fn first_fulfillable_skips_pages_and_other_items() {
        let q = queue(json!([
            {"id": "p", "fulfillmentPreference": "Pick up"},
            {"id": "o", "fulfillmentPreference": "Hold Shelf", "itemId": "other"},
            {"id": "t", "fulfillmentPreference": "Delivery"},
        ]));
        assert_eq!(q.first_fulfillable("item").map(Request::id), Some("t"));
    }

    #[test]
    fn recalls_for_this_item_other_than_the_filled_one() {
        let q = queue(json!([
            {"id": "r", "requestType": "Recall", "itemId": "item"},
            {"id": "t", "requestType": "Recall"},
        ]));
        assert!(q.has_recall_for("item", None));
        assert!(!q.has_recall_for("item", Some(&q.0[0])));
    }
}
