//! Request policies: the allowed service point ids of each request type are a set in FOLIO
//! (`uniqueItems`), so repeated ids are dropped, first occurrence kept.
use super::rules::REQUEST_TYPES;
use super::Write;
use crate::error::StorageError;
use serde_json::Value;

pub fn prepare(policy: &mut Value, _: Write) -> Result<(), StorageError> {
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
