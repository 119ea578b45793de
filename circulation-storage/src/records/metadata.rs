//! RMB's `metadata` block: who and when, filled on every write (the database keeps creation info).
use super::dates;
use serde_json::{json, Map, Value};

/// Sets `metadata` as RMB does: created/updated now, by the calling user when known.
pub(crate) fn stamp(record: &mut Value, user_id: Option<&str>) {
    let now = dates::now();
    let mut metadata = Map::new();
    metadata.insert("createdDate".into(), json!(now));
    if let Some(user) = user_id {
        metadata.insert("createdByUserId".into(), json!(user));
    }
    metadata.insert("updatedDate".into(), json!(now));
    if let Some(user) = user_id {
        metadata.insert("updatedByUserId".into(), json!(user));
    }
    if let Some(object) = record.as_object_mut() {
        object.insert("metadata".into(), Value::Object(metadata));
    }
}

/// The user id of a request: `X-Okapi-User-Id`, else the `user_id` claim of the (unverified) JWT.
pub(crate) fn user_id(header_user_id: Option<&str>, token: Option<&str>) -> Option<String> {
    if let Some(id) = header_user_id.filter(|s| !s.is_empty()) {
        return Some(id.to_string());
    }
    let claims = shared_types::okapi::token_claims(token?)?;
    claims.get("user_id")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_from_header_or_token() {
        assert_eq!(user_id(Some("u1"), None).as_deref(), Some("u1"));
        // {"sub":"admin","user_id":"abc"}
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsInVzZXJfaWQiOiJhYmMifQ.sig";
        assert_eq!(user_id(None, Some(token)).as_deref(), Some("abc"));
        assert_eq!(user_id(None, Some("garbage")), None);
        assert_eq!(user_id(None, None), None);
    }

    #[test]
    fn stamps_metadata() {
        let mut v = serde_json::json!({"a": 1});
        stamp(&mut v, Some("u"));
        assert_eq!(v["metadata"]["createdByUserId"], "u");
        assert_eq!(v["metadata"]["createdDate"], v["metadata"]["updatedDate"]);
    }
}
