//! The check-out lock (mod-circulation's `checkoutLockFeature`): when the tenant's setting
//! turns it on, a check-out holds a per-patron lock in `check-out-lock-storage` from after the
//! validation until its writes are done, so two check-outs for one patron cannot both pass the
//! item limit. The setting is read fresh on every check-out; a setting that cannot be read
//! means no lock, as in mod-circulation.
use super::Failure;
use crate::okapi::Okapi;
use reqwest::Method;
use serde_json::{json, Value};
use shared_types::errors::Error;
use std::time::Duration;

const LOCKS: &str = "/check-out-lock-storage";

/// `checkoutLockFeature`'s value, with mod-circulation's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockSettings {
    pub enabled: bool,
    pub attempts: u32,
    pub retry_interval_ms: u64,
    pub ttl_ms: u64,
}

impl Default for LockSettings {
    fn default() -> Self {
        LockSettings::OFF
    }
}

impl LockSettings {
    pub const OFF: LockSettings = LockSettings {
        enabled: false,
        attempts: 30,
        retry_interval_ms: 250,
        ttl_ms: 2000,
    };

    /// From the setting's value (an object, or a string holding one).
    pub fn from_value(value: &Value) -> LockSettings {
        let parsed;
        let value = match value {
            Value::String(text) => {
                parsed = serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
                &parsed
            }
            other => other,
        };
        let number = |key: &str, default: u64| {
            value
                .get(key)
                .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
                .unwrap_or(default)
        };
        LockSettings {
            enabled: value
                .get("checkOutLockFeatureEnabled")
                .and_then(|v| v.as_bool().or_else(|| v.as_str()?.trim().parse().ok()))
                .unwrap_or(false),
            attempts: u32::try_from(number("noOfRetryAttempts", 30)).unwrap_or(u32::MAX),
            retry_interval_ms: number("retryInterval", 250),
            ttl_ms: number("lockTtl", 2000),
        }
    }
}

/// `GET /settings/entries?query=scope=="mod-circulation" and key=="checkoutLockFeature"`.
pub async fn settings(okapi: &Okapi) -> LockSettings {
    let query = "scope==\"mod-circulation\" and key==\"checkoutLockFeature\"";
    match okapi
        .get_list(
            "check-out lock settings",
            "/settings/entries",
            &[("query", query), ("limit", "1")],
            "items",
        )
        .await
    {
        Ok(items) => items
            .first()
            .and_then(|entry| entry.get("value"))
            .map(LockSettings::from_value)
            .unwrap_or(LockSettings::OFF),
        Err(e) => {
            log::warn!("check-out: lock settings not read, no lock taken: {e}");
            LockSettings::OFF
        }
    }
}

/// Takes the patron's lock, trying `attempts` times `retry_interval_ms` apart; the lock's id,
/// or the 422 `unable to acquire lock`.
pub async fn acquire(
    okapi: &Okapi,
    settings: LockSettings,
    user_id: &str,
) -> Result<String, Failure> {
    let body = json!({"userId": user_id, "ttlMs": settings.ttl_ms});
    for attempt in 0..settings.attempts.max(1) {
        if attempt > 0 {
            // A back-off between attempts, as mod-circulation's retry does.
            tokio::time::sleep(Duration::from_millis(settings.retry_interval_ms)).await;
        }
        match okapi
            .write("acquire check-out lock", Method::POST, LOCKS, Some(&body))
            .await
        {
            Ok(reply) => {
                if let Some(id) = reply
                    .json()
                    .as_ref()
                    .and_then(|l| l.get("id"))
                    .and_then(Value::as_str)
                {
                    return Ok(id.to_string());
                }
            }
            Err(e) => log::info!(
                "check-out: lock not acquired (attempt {}): {e}",
                attempt + 1
            ),
        }
    }
    Err(Failure::Refused(vec![
        Error::new("unable to acquire lock").with_parameter("", Some(String::new()))
    ]))
}

/// Releases the lock (awaited, so that the patron's next check-out finds it free; a failure
/// is only logged: the lock expires after its TTL anyway).
pub async fn release(okapi: &Okapi, lock_id: String) {
    let path = format!("{LOCKS}/{lock_id}");
    if let Err(e) = okapi
        .write("release check-out lock", Method::DELETE, &path, None)
        .await
    {
        log::warn!("check-out: lock {lock_id} not released: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_setting_as_mod_circulation() {
        assert_eq!(LockSettings::from_value(&Value::Null), LockSettings::OFF);
        let on = LockSettings::from_value(&json!({
            "checkOutLockFeatureEnabled": true, "noOfRetryAttempts": 5, "retryInterval": 10, "lockTtl": 500
        }));
        assert_eq!(
            on,
            LockSettings {
                enabled: true,
                attempts: 5,
                retry_interval_ms: 10,
                ttl_ms: 500
            }
        );
        let text = LockSettings::from_value(&json!("{\"checkOutLockFeatureEnabled\":true}"));
        assert!(text.enabled);
        assert_eq!(text.attempts, 30);
    }
}
