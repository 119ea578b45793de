//! Per-tenant cache for configuration that is safe to reuse briefly: the circulation rules
//! text, policies, and the reference records the rules match on (patron groups, locations,
//! material types, loan types). Never users, items, loans, requests, blocks or settings. Entries live for
//! `POLICY_CACHE_SECONDS`; 0 disables the cache. Not-found answers are never cached.
use super::client::{CallError, Okapi};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct PolicyCache {
    ttl: Duration,
    entries: Mutex<HashMap<(String, String), (Instant, Value)>>,
}

impl PolicyCache {
    pub fn new(seconds: u64) -> PolicyCache {
        PolicyCache {
            ttl: Duration::from_secs(seconds),
            entries: Mutex::new(HashMap::new()),
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

    /// Forget a tenant's entry (after `PUT /circulation/rules`).
    pub fn invalidate(&self, tenant: &str, path: &str) {
        self.entries
            .lock()
            .expect("policy cache")
            .remove(&(tenant.to_string(), path.to_string()));
    }

    /// GET `path` through the cache; `Ok(None)` for 404.
    pub async fn get(
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
