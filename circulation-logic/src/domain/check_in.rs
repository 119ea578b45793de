//! Where a checked-in item goes next, in mod-circulation's order: to the hold shelf or in transit
//! for the request it fills, awaiting delivery, available at a service point that serves its
//! location, else in transit to the location's primary service point.
use super::inventory::{ItemStatus, Location};
use super::request::{FulfillmentPreference, Request};
use serde_json::json;

pub(crate) use super::request::OPEN_AWAITING_PICKUP;
pub(crate) const OPEN_IN_TRANSIT: &str = "Open - In transit";
pub(crate) const OPEN_AWAITING_DELIVERY: &str = "Open - Awaiting delivery";

/// The item's next status, its in-transit destination, and the status the request it fills
/// moves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NextState {
    pub(crate) status: ItemStatus,
    pub(crate) destination: Option<String>,
    pub(crate) request_status: Option<&'static str>,
}

/// FOLIO refuses a check-in whose request has nowhere to wait.
pub(crate) const MISSING_PICKUP: &str =
    "Failed to check in item due to the highest priority request missing a pickup service point";

/// The next state of an item checked in at `service_point_id`; `filled` is the request the
/// check-in fills (the queue's first Hold Shelf or Delivery request for the item).
pub(crate) fn next_state(
    location: Option<&Location>,
    service_point_id: &str,
    filled: Option<&Request>,
) -> Result<NextState, &'static str> {
    let state = |status, destination: Option<&str>, request_status| NextState {
        status,
        destination: destination.map(str::to_string),
        request_status,
    };
    if let Some(request) = filled {
        return match request.fulfillment_preference() {
            FulfillmentPreference::Delivery => Ok(state(
                ItemStatus::AwaitingDelivery,
                None,
                Some(OPEN_AWAITING_DELIVERY),
            )),
            _ => match request.pickup_service_point_id() {
                None => Err(MISSING_PICKUP),
                Some(pickup) if pickup == service_point_id => Ok(state(
                    ItemStatus::AwaitingPickup,
                    None,
                    Some(OPEN_AWAITING_PICKUP),
                )),
                Some(pickup) => Ok(state(
                    ItemStatus::InTransit,
                    Some(pickup),
                    Some(OPEN_IN_TRANSIT),
                )),
            },
        };
    }
    let home = location.and_then(Location::primary_service_point);
    match (location, home) {
        (Some(location), Some(home)) if !location.served_by(service_point_id) => {
            Ok(state(ItemStatus::InTransit, Some(home), None))
        }
        _ => Ok(state(ItemStatus::Available, None, None)),
    }
}

/// `lastCheckIn` of an item checked in now.
pub(crate) fn last_check_in(
    at: &str,
    service_point_id: &str,
    staff_member_id: Option<&str>,
) -> serde_json::Value {
    let mut last = json!({"dateTime": at, "servicePointId": service_point_id});
    if let Some(staff) = staff_member_id {
        last["staffMemberId"] = json!(staff);
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: &str = "sp-home";
    const OTHER: &str = "sp-other";

    fn location() -> Location {
        Location::from_json(json!({"primaryServicePoint": HOME, "servicePointIds": [HOME, "sp-2"]}))
    }

    fn request(preference: &str, pickup: Option<&str>) -> Request {
        let mut r = json!({"id": "r", "fulfillmentPreference": preference});
        if let Some(p) = pickup {
            r["pickupServicePointId"] = json!(p);
        }
        Request::from_json(r)
    }

    #[test]
    fn without_a_request_available_where_served_else_in_transit_home() {
        let l = location();
        assert_eq!(
            next_state(Some(&l), HOME, None).unwrap().status,
            ItemStatus::Available
        );
        assert_eq!(
            next_state(Some(&l), "sp-2", None).unwrap().status,
            ItemStatus::Available
        );
        let away = next_state(Some(&l), OTHER, None).unwrap();
        assert_eq!(away.status, ItemStatus::InTransit);
        assert_eq!(away.destination.as_deref(), Some(HOME));
        assert_eq!(away.request_status, None);
        assert_eq!(
            next_state(None, OTHER, None).unwrap().status,
            ItemStatus::Available
        );
    }

    #[test]
    fn a_request_decides_first() {
        let l = location();
        let here = next_state(Some(&l), OTHER, Some(&request("Hold Shelf", Some(OTHER)))).unwrap();
        assert_eq!(here.status, ItemStatus::AwaitingPickup);
        assert_eq!(here.request_status, Some(OPEN_AWAITING_PICKUP));
        let there = next_state(Some(&l), HOME, Some(&request("Hold Shelf", Some(OTHER)))).unwrap();
        assert_eq!(there.status, ItemStatus::InTransit);
        assert_eq!(there.destination.as_deref(), Some(OTHER));
        assert_eq!(there.request_status, Some(OPEN_IN_TRANSIT));
        let delivery = next_state(Some(&l), HOME, Some(&request("Delivery", None))).unwrap();
        assert_eq!(delivery.status, ItemStatus::AwaitingDelivery);
        assert_eq!(
            next_state(Some(&l), HOME, Some(&request("Hold Shelf", None))),
            Err(MISSING_PICKUP)
        );
    }
}
