//! Requests (mod-circulation-storage `request.json`, `requests.json`, `requests-batch.json`,
//! `request-type.json`, `request-search-index.json`).
use serde::{Deserialize, Serialize};

use crate::metadata::{JsonMap, Metadata, Tags};

/// `request.json` (`additionalProperties: false`; required `instanceId`, `requesterId`,
/// `requestType`, `requestLevel`, `requestDate`, `fulfillmentPreference`, `status`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub request_level: RequestLevel,
    pub request_type: RequestType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecs_request_phase: Option<EcsRequestPhase>,
    pub request_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patron_comments: Option<String>,
    pub requester_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_user_id: Option<String>,
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdings_record_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    pub status: RequestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_additional_information: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<RequestInstance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<RequestItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<RequestRequester>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<RequestProxy>,
    pub fulfillment_preference: FulfillmentPreference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address_type_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_shelf_expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_service_point_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Tags>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_details: Option<PrintDetails>,
    /// `readonly` in the schema: RMB drops it from incoming bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_pickup_request_closed_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_index: Option<RequestSearchIndex>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_location_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_dcb_re_request_cancellation: Option<bool>,
}

impl Request {
    /// Properties marked `readonly` in `request.json`.
    pub const READ_ONLY_FIELDS: &'static [&'static str] = &["awaitingPickupRequestClosedDate"];
}

/// `request.requestLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestLevel {
    Item,
    Title,
}

/// `request.requestType` and `request-type.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestType {
    Hold,
    Recall,
    Page,
}

impl RequestType {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestType::Hold => "Hold",
            RequestType::Recall => "Recall",
            RequestType::Page => "Page",
        }
    }
}

/// `request.ecsRequestPhase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EcsRequestPhase {
    Primary,
    Secondary,
    Intermediate,
}

/// `request.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestStatus {
    #[serde(rename = "Open - Not yet filled")]
    OpenNotYetFilled,
    #[serde(rename = "Open - Awaiting pickup")]
    OpenAwaitingPickup,
    #[serde(rename = "Open - In transit")]
    OpenInTransit,
    #[serde(rename = "Open - Awaiting delivery")]
    OpenAwaitingDelivery,
    #[serde(rename = "Closed - Filled")]
    ClosedFilled,
    #[serde(rename = "Closed - Cancelled")]
    ClosedCancelled,
    #[serde(rename = "Closed - Unfilled")]
    ClosedUnfilled,
    #[serde(rename = "Closed - Pickup expired")]
    ClosedPickupExpired,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 8] = [
        RequestStatus::OpenNotYetFilled,
        RequestStatus::OpenAwaitingPickup,
        RequestStatus::OpenInTransit,
        RequestStatus::OpenAwaitingDelivery,
        RequestStatus::ClosedFilled,
        RequestStatus::ClosedCancelled,
        RequestStatus::ClosedUnfilled,
        RequestStatus::ClosedPickupExpired,
    ];

    /// The exact string FOLIO uses.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::OpenNotYetFilled => "Open - Not yet filled",
            RequestStatus::OpenAwaitingPickup => "Open - Awaiting pickup",
            RequestStatus::OpenInTransit => "Open - In transit",
            RequestStatus::OpenAwaitingDelivery => "Open - Awaiting delivery",
            RequestStatus::ClosedFilled => "Closed - Filled",
            RequestStatus::ClosedCancelled => "Closed - Cancelled",
            RequestStatus::ClosedUnfilled => "Closed - Unfilled",
            RequestStatus::ClosedPickupExpired => "Closed - Pickup expired",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(
            self,
            RequestStatus::OpenNotYetFilled
                | RequestStatus::OpenAwaitingPickup
                | RequestStatus::OpenInTransit
                | RequestStatus::OpenAwaitingDelivery
        )
    }

    pub fn is_closed(self) -> bool {
        !self.is_open()
    }
}

/// `request.fulfillmentPreference`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FulfillmentPreference {
    #[serde(rename = "Hold Shelf")]
    HoldShelf,
    #[serde(rename = "Delivery")]
    Delivery,
}

/// `request.instance`: denormalised instance data (unknown properties allowed).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestInstance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Vec<RequestInstanceIdentifier>>,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `request.instance.identifiers[]` (`additionalProperties: false`; both required).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestInstanceIdentifier {
    pub value: String,
    pub identifier_type_id: String,
}

/// `request.item`: denormalised item data (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_effective_location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_effective_location_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieval_service_point_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieval_service_point_name: Option<String>,
}

/// `request.requester` (`additionalProperties: false`); `request.proxy` has the same shape.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestRequester {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// Deprecated in the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patron_group: Option<String>,
}

/// `request.proxy` (`additionalProperties: false`), same properties as the requester.
pub type RequestProxy = RequestRequester;

/// `request.printDetails` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrintDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_count: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_printed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub print_event_date: Option<String>,
}

/// `request-search-index.json` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestSearchIndex {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_number_components: Option<SearchIndexCallNumberComponents>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelving_order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pickup_service_point_name: Option<String>,
}

/// `request-search-index.json` `callNumberComponents` (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchIndexCallNumberComponents {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

/// `requests.json`: `{"requests": [...], "totalRecords": N}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requests {
    pub requests: Vec<Request>,
    pub total_records: i32,
    #[serde(flatten)]
    pub extra: JsonMap,
}

/// `requests-batch.json`: body of `POST /request-storage-batch/requests`
/// (`additionalProperties: false`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestsBatch {
    pub requests: Vec<Request>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::test_support::*;
    use serde_json::json;

    fn full_request() -> serde_json::Value {
        json!({
            "id": "89105c06-dbdb-4aa0-9695-d4d19c733270",
            "requestLevel": "Title",
            "requestType": "Recall",
            "ecsRequestPhase": "Primary",
            "requestDate": "2023-03-23T11:04:25.000+00:00",
            "patronComments": "please",
            "requesterId": "21932a85-bd00-446b-9565-46e0c1a5490b",
            "proxyUserId": "346ad017-dac1-417d-9ed8-0ac7eeb886aa",
            "instanceId": "86c722c3-2f5e-42e1-bd0e-7ffbbd3b4972",
            "holdingsRecordId": "e63273e7-48f5-4c43-ab4e-1751ecacaa21",
            "itemId": "195efae1-588f-47bd-a181-13a2eb437701",
            "status": "Closed - Cancelled",
            "cancellationReasonId": "75187e8d-e25a-47a7-89ad-23ba612338de",
            "cancelledByUserId": "21932a85-bd00-446b-9565-46e0c1a5490b",
            "cancellationAdditionalInformation": "none",
            "cancelledDate": "2023-03-24T11:04:25.000+00:00",
            "position": 2,
            "instance": {
                "title": "Children of Time",
                "identifiers": [{"value": "0123456789", "identifierTypeId": "8261054f-9876-422d-bd51-4ed9f33c7654"}],
                "contributorNames": [{"name": "kept"}]
            },
            "item": {
                "barcode": "760932543816",
                "itemEffectiveLocationId": "758258bc-ecc1-41b8-abca-f7b610822ffd",
                "itemEffectiveLocationName": "XYZ Location",
                "retrievalServicePointId": "c4c90014-c8c9-4ade-8f24-b5e313319f4b",
                "retrievalServicePointName": "Circ Desk Test"
            },
            "requester": {"firstName": "F", "lastName": "L", "middleName": "M", "barcode": "1234", "patronGroup": "staff"},
            "proxy": {"firstName": "P", "lastName": "Q", "middleName": "R", "barcode": "5678", "patronGroup": "staff"},
            "fulfillmentPreference": "Delivery",
            "deliveryAddressTypeId": "93d3d88d-499b-45d0-9bc7-ac73c3a19880",
            "requestExpirationDate": "2023-06-23T11:04:25.000+00:00",
            "holdShelfExpirationDate": "2023-06-24T11:04:25.000+00:00",
            "pickupServicePointId": "3a40852d-49fd-4df2-a1f9-6e2641a6e91f",
            "metadata": {"createdDate": "2023-03-23T11:04:25.000+00:00"},
            "tags": {"tagList": ["new"]},
            "printDetails": {"printCount": 1, "requesterId": "21932a85-bd00-446b-9565-46e0c1a5490b", "isPrinted": true, "printEventDate": "2023-03-23T12:00:00.000+00:00"},
            "awaitingPickupRequestClosedDate": "2023-03-25T11:04:25.000+00:00",
            "searchIndex": {
                "callNumberComponents": {"callNumber": "F16.H37 A2 9001", "prefix": "p", "suffix": "s"},
                "shelvingOrder": "F 416 H37 A2 59001",
                "pickupServicePointName": "Circ Desk 1"
            },
            "itemLocationCode": "KU/CC/DI/M",
            "isDcbReRequestCancellation": false
        })
    }

    #[test]
    fn examples_parse() {
        {
            let v = spec_file("mod-circulation-storage/ramls/examples/request.json");
            let r: Request = round_trip(&v, "examples/request.json");
            assert_eq!(r.status, RequestStatus::OpenNotYetFilled);
            assert!(r.status.is_open());
            assert_eq!(r.fulfillment_preference, FulfillmentPreference::HoldShelf);
        }
        // The collection example predates `requestLevel`, `instanceId` and `status`.
        stale_example_rejected::<Requests>(
            "mod-circulation-storage/ramls/examples/requests.json",
            "missing field",
        );
    }

    #[test]
    fn full_request_round_trip() {
        let r: Request = round_trip(&full_request(), "full request");
        assert!(r.instance.unwrap().extra.contains_key("contributorNames"));
        let batch = json!({"requests": [full_request(), full_request()]});
        let b: RequestsBatch = round_trip(&batch, "batch");
        assert_eq!(b.requests.len(), 2);
    }

    #[test]
    fn every_status_string() {
        for s in RequestStatus::ALL {
            let v = serde_json::to_value(s).unwrap();
            assert_eq!(v, json!(s.as_str()));
            assert_eq!(serde_json::from_value::<RequestStatus>(v).unwrap(), s);
        }
    }

    #[test]
    fn unknown_fields_rejected() {
        let v = full_request();
        rejects_unknown::<Request>(&v, &[]);
        for nested in [
            "item",
            "requester",
            "proxy",
            "printDetails",
            "searchIndex",
            "tags",
        ] {
            rejects_unknown::<Request>(&v, &[nested]);
        }
        rejects_unknown::<Request>(&v, &["searchIndex", "callNumberComponents"]);
        let mut with_bad_identifier = v.clone();
        with_bad_identifier["instance"]["identifiers"][0]["x"] = json!(1);
        assert!(serde_json::from_value::<Request>(with_bad_identifier).is_err());
        rejects_unknown::<RequestsBatch>(&json!({"requests": []}), &[]);
    }

    #[test]
    fn required_fields() {
        let v = full_request();
        for field in [
            "instanceId",
            "requesterId",
            "requestType",
            "requestLevel",
            "requestDate",
            "fulfillmentPreference",
            "status",
        ] {
            rejects_missing::<Request>(&v, field);
        }
        let mut no_type_id = v.clone();
        no_type_id["instance"]["identifiers"][0]
            .as_object_mut()
            .unwrap()
            .remove("identifierTypeId");
        assert!(serde_json::from_value::<Request>(no_type_id).is_err());
    }

    #[test]
    fn invalid_enums_rejected() {
        for (field, bad) in [
            ("status", "Open"),
            ("requestType", "hold"),
            ("requestLevel", "Holding"),
            ("fulfillmentPreference", "Mail"),
            ("ecsRequestPhase", "Tertiary"),
        ] {
            let mut v = full_request();
            v[field] = json!(bad);
            let err = serde_json::from_value::<Request>(v).unwrap_err();
            assert!(
                err.to_string().contains("unknown variant"),
                "{field}: {err}"
            );
        }
    }
}
