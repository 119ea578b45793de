//! Per-tenant cache for configuration that is safe to reuse briefly: the circulation rules
//! text, policies, the reference records the rules match on (patron groups, locations,
//! material types, loan types) and those answers and slips name (service points, location units,
//! address types, departments). Never users, items, loans, requests, blocks or settings. Entries live for
//! `POLICY_CACHE_SECONDS`; 0 disables the cache. Not-found answers are never cached.
use super::{CallError, Okapi};
use crate::rules::{Rules, RulesError};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) struct PolicyCache {
    ttl: Duration,
    entries: Mutex<HashMap<(String, String), (Instant, Value)>>,
    /// Per tenant, the last rules text parsed and its parse (a memo of a pure function of the
    /// text just read, so never stale).
    parsed_rules: Mutex<HashMap<String, (String, Arc<Rules>)>>,
}

impl PolicyCache {
    pub(crate) fn new(seconds: u64) -> PolicyCache {
        PolicyCache {
            ttl: Duration::from_secs(seconds),
            entries: Mutex::new(HashMap::new()),
            parsed_rules: Mutex::new(HashMap::new()),
        }
    }

    fn lookup(&self, tenant: &str, path: &str) -> Option<Value> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().expect("policy cache");
        entries
            .get(&(tenant.to_string(), path.to_string()))
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    fn store(&self, tenant: &str, path: &str, value: &Value) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().expect("policy cache");
        if entries.len() > 10_000 {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
        }
        entries.insert(
            (tenant.to_string(), path.to_string()),
            (Instant::now(), value.clone()),
        );
    }

    /// The parse of `text`, reused while the tenant's rules text stays the same.
    pub(crate) fn parsed_rules(&self, tenant: &str, text: &str) -> Result<Arc<Rules>, RulesError> {
        if let Some((known, rules)) = self.parsed_rules.lock().expect("rules memo").get(tenant) {
            if known == text {
                return Ok(rules.clone());
            }
        }
        let rules = Arc::new(crate::rules::parse(text)?);
        self.parsed_rules
            .lock()
            .expect("rules memo")
            .insert(tenant.to_string(), (text.to_string(), rules.clone()));
        Ok(rules)
    }

    /// Forget a tenant's entry (after `PUT /circulation/rules`).
    pub(crate) fn invalidate(&self, tenant: &str, path: &str) {
        self.entries
            .lock()
            .expect("policy cache")
            .remove(&(tenant.to_string(), path.to_string()));
    }

    /// Forget everything cached for a tenant (its circulation rules changed somewhere: the
    /// policies they choose may differ now).
    pub(crate) fn invalidate_tenant(&self, tenant: &str) {
        self.entries
            .lock()
            .expect("policy cache")
            .retain(|(t, _), _| t != tenant);
    }

    /// GET `path` through the cache; `Ok(None)` for 404.
    pub(crate) async fn get(
        &self,
        okapi: &Okapi,
        name: &str,
        path: &str,
    ) -> Result<Option<Value>, CallError> {
        if let Some(v) = self.lookup(&okapi.tenant, path) {
            return Ok(Some(v));
        }
        let value = okapi.get_opt(name, path).await?;
        if let Some(v) = &value {
            self.store(&okapi.tenant, path, v);
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_the_parse_while_the_text_is_the_same() {
        let cache = PolicyCache::new(0);
        let text = "priority: t, s, c, b, a, m, g\nfallback-policy: l policy-a r policy-b n policy-c o policy-d i policy-e\n";
        let first = cache.parsed_rules("diku", text).unwrap();
        let again = cache.parsed_rules("diku", text).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let other_tenant = cache.parsed_rules("other", text).unwrap();
        assert!(!Arc::ptr_eq(&first, &other_tenant));
        let changed = cache
            .parsed_rules("diku", &text.replace("l policy-a", "l policy-z"))
            .unwrap();
        assert!(!Arc::ptr_eq(&first, &changed));
        assert!(cache.parsed_rules("diku", "priority: nonsense").is_err());
    }
}
