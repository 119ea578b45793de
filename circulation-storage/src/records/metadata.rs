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

/// A record's version for conditional writes: its `metadata.updatedDate` (the `ETag` its GET
/// answers and the `If-Match` a PUT may name).
pub(crate) fn version(record: &Value) -> Option<&str> {
    record.get("metadata")?.get("updatedDate")?.as_str()
}

/// After [`stamp`], makes sure a conditional write leaves a version different from the one it
/// replaced (two writes within one millisecond would otherwise share it).
pub(crate) fn stamp_newer_than(record: &mut Value, replaced: &str) {
    if version(record) != Some(replaced) {
        return;
    }
    let later = dates::iso_millis_offset(chrono::Utc::now() + chrono::Duration::milliseconds(1));
    if let Some(metadata) = record.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("updatedDate".into(), json!(later));
    }
}

/// The version an `If-Match` header names (`"v"`, `W/"v"` or `v`); `*` names none.
pub(crate) fn if_match(header: &str) -> Option<String> {
    let tag = header.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let tag = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag);
    (!tag.is_empty() && tag != "*").then(|| tag.to_string())
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
    fn if_match_forms() {
        let v = "2026-12-08T01:02:03.456+00:00";
        assert_eq!(if_match(&format!("\"{v}\"")).as_deref(), Some(v));
        assert_eq!(if_match(&format!("W/\"{v}\"")).as_deref(), Some(v));
        assert_eq!(if_match(v).as_deref(), Some(v));
        assert_eq!(if_match("*"), None);
        assert_eq!(if_match(" "), None);
    }

    #[test]
    fn a_conditional_write_changes_the_version() {
        let mut record = json!({});
        stamp(&mut record, None);
        let replaced = version(&record).unwrap().to_string();
        stamp_newer_than(&mut record, &replaced);
        assert!(version(&record).unwrap() > replaced.as_str());
    }

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
