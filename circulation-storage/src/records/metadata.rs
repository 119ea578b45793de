//! RMB's `metadata` block: who and when, filled on every write (the database keeps creation info).
use super::dates;
use serde_json::{json, Map, Value};

/// Sets `metadata` as RMB does: created/updated now, by the calling user when known.
pub fn stamp(record: &mut Value, user_id: Option<&str>) {
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
pub fn user_id(header_user_id: Option<&str>, token: Option<&str>) -> Option<String> {
    if let Some(id) = header_user_id.filter(|s| !s.is_empty()) {
        return Some(id.to_string());
    }
    let payload = token?.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("user_id")?.as_str().map(str::to_string)
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
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
