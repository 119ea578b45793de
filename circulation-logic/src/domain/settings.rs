//! Tenant settings a flow reads fresh each time: title-level requests, the check-out lock and
//! the tenant's time zone.
use chrono_tz::Tz;
use serde_json::{Map, Value};

/// Title-level requests are on when the merged `generalTlr`/`regularTlr` circulation settings
/// (else the older `TLR` one) say `titleLevelRequestsFeatureEnabled`.
pub(crate) fn title_level_requests_enabled(settings: &[Value]) -> bool {
    let value = |name: &str| -> Option<Map<String, Value>> {
        settings
            .iter()
            .find(|x| x.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|x| x.get("value"))
            .and_then(Value::as_object)
            .cloned()
    };
    let merged = match (value("generalTlr"), value("regularTlr")) {
        (None, None) => value("TLR").unwrap_or_default(),
        (general, regular) => {
            let mut m = general.unwrap_or_default();
            m.extend(regular.unwrap_or_default());
            m
        }
    };
    merged
        .get("titleLevelRequestsFeatureEnabled")
        .and_then(Value::as_bool)
        == Some(true)
}

/// The tenant's time zone from `/locale`; none when it names none this module knows.
pub(crate) fn time_zone(locale: &Value) -> Option<Tz> {
    locale
        .get("timezone")
        .and_then(Value::as_str)
        .filter(|tz| !tz.is_empty())
        .and_then(|tz| tz.parse::<Tz>().ok())
}

/// `checkoutLockFeature` (mod-circulation's check-out lock), with mod-circulation's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LockSettings {
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
    pub(crate) const OFF: LockSettings = LockSettings {
        enabled: false,
        attempts: 30,
        retry_interval_ms: 250,
        ttl_ms: 2000,
    };

    /// From the setting's value (an object, or a string holding one).
    pub(crate) fn from_value(value: &Value) -> LockSettings {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_lock_setting_as_mod_circulation() {
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

    #[test]
    fn tlr_from_the_merged_settings_else_the_old_one() {
        let on = |v: bool| json!({"titleLevelRequestsFeatureEnabled": v});
        assert!(title_level_requests_enabled(&[
            json!({"name": "TLR", "value": on(true)})
        ]));
        assert!(!title_level_requests_enabled(&[
            json!({"name": "TLR", "value": on(true)}),
            json!({"name": "regularTlr", "value": on(false)}),
        ]));
        assert!(!title_level_requests_enabled(&[]));
    }
}
