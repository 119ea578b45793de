//! Request policies: the allowed service point ids of each request type are a set in FOLIO
//! (`uniqueItems`), so repeated ids are dropped, first occurrence kept; and on POST and PUT
//! every allowed service point must be a pickup location in inventory.
use super::constraints::REQUEST_TYPES;
use super::Write;
use crate::error::StorageError;
use crate::okapi_client::Okapi;
use serde_json::Value;
use shared_types::errors::Error as FolioError;
use std::collections::BTreeSet;

/// The one error FOLIO answers, however many allowed service points are unusable.
pub(crate) const PICKUP_LOCATIONS_UNAVAILABLE: &str =
    "One or more Pickup locations are no longer available";
pub(crate) const INVALID_ALLOWED_SERVICE_POINT: &str = "INVALID_ALLOWED_SERVICE_POINT";

/// Every id in `allowedServicePoints` (Page, Hold and Recall together).
pub(crate) fn allowed_service_point_ids(policy: &Value) -> BTreeSet<String> {
    let Some(allowed) = policy.get("allowedServicePoints") else {
        return BTreeSet::new();
    };
    REQUEST_TYPES
        .iter()
        .filter_map(|t| allowed.get(*t).and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Each allowed service point must exist in inventory with `pickupLocation: true`; otherwise
/// one 422 with message, code and an empty parameter list (RMB's error object always has
/// one), as FOLIO answers.
///
/// `okapi` is `None` for a request that did not come through a gateway (no `X-Okapi-Url`).
/// FOLIO then fails the call it cannot address and answers 500; we skip the check with a
/// warning instead, so direct calls (storage-only tests, tools) still work.
pub(crate) async fn check_pickup_locations(
    policy: &Value,
    okapi: Option<&Okapi>,
) -> Result<(), StorageError> {
    let ids = allowed_service_point_ids(policy);
    if ids.is_empty() {
        return Ok(());
    }
    let Some(okapi) = okapi else {
        log::warn!(
            "request policy {}: no X-Okapi-Url, allowed service points not checked",
            policy.get("id").and_then(Value::as_str).unwrap_or_default()
        );
        return Ok(());
    };
    let found = okapi.service_points(&ids).await?;
    let pickup: BTreeSet<&str> = found
        .iter()
        .filter(|sp| sp.get("pickupLocation") == Some(&Value::Bool(true)))
        .filter_map(|sp| sp.get("id").and_then(Value::as_str))
        .collect();
    if let Some(bad) = ids.iter().find(|id| !pickup.contains(id.as_str())) {
        log::warn!("request policy: invalid allowed service point {bad}");
        return Err(StorageError::unprocessable(
            FolioError::new(PICKUP_LOCATIONS_UNAVAILABLE)
                .with_code(INVALID_ALLOWED_SERVICE_POINT)
                .with_extra("parameters", Value::Array(Vec::new())),
        ));
    }
    Ok(())
}

pub(crate) fn prepare(policy: &mut Value, _: Write) -> Result<(), StorageError> {
    let Some(allowed) = policy
        .get_mut("allowedServicePoints")
        .and_then(Value::as_object_mut)
    else {
        return Ok(());
    };
    for request_type in REQUEST_TYPES {
        if let Some(ids) = allowed.get_mut(request_type).and_then(Value::as_array_mut) {
            let mut seen = Vec::new();
            ids.retain(|id| {
                let fresh = !seen.contains(id);
                if fresh {
                    seen.push(id.clone());
                }
                fresh
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn allowed_ids_are_collected_across_request_types() {
        let policy = json!({"allowedServicePoints": {"Hold": ["a", "b"], "Page": ["b"],
                            "Recall": null}});
        let ids: Vec<String> = allowed_service_point_ids(&policy).into_iter().collect();
        assert_eq!(ids, vec!["a", "b"]);
        assert!(allowed_service_point_ids(&json!({"name": "p"})).is_empty());
    }

    #[actix_web::test]
    async fn without_a_gateway_the_check_is_skipped() {
        let policy = json!({"allowedServicePoints": {"Hold": ["a"]}});
        assert!(check_pickup_locations(&policy, None).await.is_ok());
    }

    #[test]
    fn repeated_service_points_are_dropped() {
        let mut policy =
            json!({"name": "p", "allowedServicePoints": {"Hold": ["a", "b", "a"], "Page": ["c"]}});
        prepare(&mut policy, Write::Create).unwrap();
        assert_eq!(
            policy["allowedServicePoints"],
            json!({"Hold": ["a", "b"], "Page": ["c"]})
        );
    }
}
