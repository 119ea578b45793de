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

/// The HTTP client a module calls other modules with (one per process: its connection pool).
/// Every call has a connect and a total timeout; proxies are never used (the gateway is
/// addressed directly) and nothing is redirected (Okapi and FOLIO modules answer, they do not
/// redirect).
#[cfg(feature = "http-client")]
pub fn http_client(timeout_ms: u64) -> reqwest::Client {
    let timeout = std::time::Duration::from_millis(timeout_ms.max(1));
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(timeout)
        .timeout(timeout)
        // Below the gateway's keep-alive (5 s for an actix-web server): a pooled connection is
        // dropped here before the server can close it under a request being sent (a 502).
        .pool_idle_timeout(std::time::Duration::from_secs(4))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

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

/// Decodes base64url (or plain base64) without padding checks, as JWT segments need.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The claims of an `X-Okapi-Token` JWT, read without verifying it (the gateway verifies).
pub fn token_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&base64url_decode(payload)?).ok()
}

#[cfg(test)]
mod tests {
    use super::{is_valid_tenant_id, token_claims};

    #[test]
    fn reads_token_claims() {
        // {"sub":"admin","user_id":"abc"}
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsInVzZXJfaWQiOiJhYmMifQ.sig";
        assert_eq!(token_claims(token).unwrap()["user_id"], "abc");
        assert!(token_claims("garbage").is_none());
    }

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
