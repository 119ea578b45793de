//! RMB's id rules: version 1-5, variant 8-b, and its message for anything else.
use crate::error::StorageError;
use uuid::Uuid;

pub(crate) const INVALID_UUID_MESSAGE: &str =
    "Invalid UUID format of id, should be xxxxxxxx-xxxx-Mxxx-Nxxx-xxxxxxxxxxxx \
where M is 1-5 and N is 8, 9, a, b, A or B and x is 0-9, a-f or A-F.";

/// The `pattern` of RMB's uuid.schema.
pub(crate) const UUID_PATTERN: &str =
    "^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[1-5][a-fA-F0-9]{3}-[89abAB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$";

/// Parses an id the way RMB's uuid.schema pattern accepts it.
pub(crate) fn parse_rmb_uuid(text: &str) -> Option<Uuid> {
    let b = text.as_bytes();
    if b.len() != 36 {
        return None;
    }
    for (i, c) in b.iter().enumerate() {
        let ok = match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => (b'1'..=b'5').contains(c),
            19 => matches!(c, b'8' | b'9' | b'a' | b'b' | b'A' | b'B'),
            _ => c.is_ascii_hexdigit(),
        };
        if !ok {
            return None;
        }
    }
    Uuid::parse_str(text).ok()
}

/// mod-circulation-storage's own looser check (`UUIDValidation`): any hex digits in the
/// 8-4-4-4-12 layout, whatever the version and variant.
pub(crate) fn parse_loose_uuid(text: &str) -> Option<Uuid> {
    let b = text.as_bytes();
    let layout = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        });
    layout.then(|| Uuid::parse_str(text).ok()).flatten()
}

/// An id from a path or a body; a bad one is a 422 naming `<table>.id`.
pub(crate) fn require_id(text: &str, table: &str) -> Result<Uuid, StorageError> {
    parse_rmb_uuid(text).ok_or_else(|| {
        StorageError::invalid(
            INVALID_UUID_MESSAGE,
            &format!("{table}.id"),
            Some(text.to_string()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_loose_uuid, parse_rmb_uuid};

    #[test]
    fn loose_check_takes_any_version() {
        assert!(parse_loose_uuid("11111111-1111-1111-1111-111111111111").is_some());
        assert!(parse_loose_uuid("00000000-0000-0000-0000-000000000000").is_some());
        assert!(parse_loose_uuid("{11111111-1111-1111-1111-111111111111}").is_none());
        assert!(parse_loose_uuid("11111111111111111111111111111111").is_none());
        assert!(parse_loose_uuid("1111111g-1111-1111-1111-111111111111").is_none());
    }

    #[test]
    fn accepts_only_rmb_uuids() {
        assert!(parse_rmb_uuid("43198de5-f56a-4a53-a0bd-5a324418967a").is_some());
        assert!(parse_rmb_uuid("43198DE5-F56A-4A53-A0BD-5A324418967A").is_some());
        assert!(parse_rmb_uuid("00000000-0000-0000-0000-000000000000").is_none());
        assert!(parse_rmb_uuid("43198de5-f56a-6a53-a0bd-5a324418967a").is_none());
        assert!(parse_rmb_uuid("43198de5-f56a-4a53-c0bd-5a324418967a").is_none());
        assert!(parse_rmb_uuid("not-a-uuid").is_none());
        assert!(parse_rmb_uuid("").is_none());
    }
}
