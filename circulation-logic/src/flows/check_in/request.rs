//! The check-in request body (`check-in-by-barcode-request.json`), read leniently.
use serde_json::Value;

/// `POST /circulation/check-in-by-barcode`'s body; a property absent, null or empty is `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CheckInRequest {
    pub(crate) item_barcode: Option<String>,
    pub(crate) service_point_id: Option<String>,
    pub(crate) check_in_date: Option<String>,
    pub(crate) claimed_returned_resolution: Option<String>,
    pub(crate) session_id: Option<String>,
}

impl CheckInRequest {
    pub(crate) fn from_json(body: &Value) -> CheckInRequest {
        let text = |key: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
        };
        CheckInRequest {
            item_barcode: text("itemBarcode"),
            service_point_id: text("servicePointId"),
            check_in_date: text("checkInDate"),
            claimed_returned_resolution: text("claimedReturnedResolution"),
            session_id: text("sessionId"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blank_and_null_are_absent() {
        let r = CheckInRequest::from_json(&json!({
            "itemBarcode": "i", "servicePointId": " ", "checkInDate": null,
            "claimedReturnedResolution": "Found by library"
        }));
        assert_eq!(r.item_barcode.as_deref(), Some("i"));
        assert_eq!(r.service_point_id, None);
        assert_eq!(r.check_in_date, None);
        assert_eq!(
            r.claimed_returned_resolution.as_deref(),
            Some("Found by library")
        );
    }
}
