//! The `X-Okapi-*` headers modules read and forward (lower case, as HTTP/2 and actix see them).
pub const TENANT: &str = "x-okapi-tenant";
pub const URL: &str = "x-okapi-url";
pub const URL_TO: &str = "x-okapi-url-to";
pub const TOKEN: &str = "x-okapi-token";
pub const USER_ID: &str = "x-okapi-user-id";
pub const REQUEST_ID: &str = "x-okapi-request-id";
pub const PERMISSIONS: &str = "x-okapi-permissions";
pub const MODULE_ID: &str = "x-okapi-module-id";

/// Headers a module passes on when it calls another module through the gateway.
pub const FORWARDED: [&str; 5] = [TENANT, URL, TOKEN, USER_ID, REQUEST_ID];

/// FOLIO tenant ids name database schemas, so they are checked before use.
pub fn is_valid_tenant_id(tenant: &str) -> bool {
    let bytes = tenant.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

#[cfg(test)]
mod tests {
    use super::is_valid_tenant_id;

    #[test]
    fn tenant_ids() {
        assert!(is_valid_tenant_id("diku"));
        assert!(is_valid_tenant_id("t_1"));
        assert!(!is_valid_tenant_id(""));
        assert!(!is_valid_tenant_id("1abc"));
        assert!(!is_valid_tenant_id("x; drop schema public"));
        assert!(!is_valid_tenant_id("Diku"));
        assert!(!is_valid_tenant_id(&"a".repeat(64)));
    }
}
