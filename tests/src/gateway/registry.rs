//! The gateway's state: module descriptors, discovery (instances per module), tenants and
//! the modules enabled for each tenant, plus the per-tenant routing index.
//!
//! Everything lives in memory behind one `std::sync::RwLock`, never held across an await.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::routing::RouteTable;

/// The tenant Okapi uses when a request names none. It always exists here, with nothing
/// enabled unless the harness enables something for it.
pub const SUPERTENANT: &str = "supertenant";

/// A handler (`RoutingEntry`); unknown fields are ignored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RoutingEntry {
    pub methods: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_pattern: Option<String>,
    /// Legacy prefix match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub permissions_required: Vec<String>,
    pub permissions_desired: Vec<String>,
    pub module_permissions: Vec<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Set for filters (`auth`, `pre`, `post`), which are not routed here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InterfaceDescriptor {
    pub id: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface_type: Option<String>,
    pub handlers: Vec<RoutingEntry>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InterfaceReference {
    pub id: String,
    pub version: String,
}

/// The parts of a ModuleDescriptor the gateway uses; the full JSON is kept beside it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ModuleDescriptor {
    pub id: String,
    pub name: Option<String>,
    pub provides: Vec<InterfaceDescriptor>,
    pub requires: Vec<InterfaceReference>,
    pub optional: Vec<InterfaceReference>,
    pub filters: Vec<RoutingEntry>,
}

impl ModuleDescriptor {
    pub fn interface(&self, id: &str) -> Option<&InterfaceDescriptor> {
        self.provides.iter().find(|i| i.id == id)
    }

    /// Does this module provide `iface` in a version compatible with `required`?
    pub fn provides_compatible(&self, iface: &str, required: &str) -> bool {
        self.interface(iface)
            .is_some_and(|i| version_compatible(&i.version, required))
    }
}

/// Okapi's interface compatibility: `required` may list alternatives separated by blanks;
/// one matches when the major versions are equal and the provided minor is at least the
/// required minor.
pub fn version_compatible(provided: &str, required: &str) -> bool {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().unwrap_or("0").parse().ok()?;
        Some((major, minor))
    };
    let Some((pmaj, pmin)) = parse(provided) else {
        return false;
    };
    required
        .split_whitespace()
        .filter_map(parse)
        .any(|(rmaj, rmin)| rmaj == pmaj && pmin >= rmin)
}

/// Splits a module id into product and version (`mod-x-1.2.3` → (`mod-x`, `1.2.3`)): the
/// version starts after the first `-` that is followed by a digit.
pub fn split_module_id(id: &str) -> (&str, Option<&str>) {
    let bytes = id.as_bytes();
    for i in 0..bytes.len().saturating_sub(1) {
        if bytes[i] == b'-' && bytes[i + 1].is_ascii_digit() {
            return (&id[..i], Some(&id[i + 1..]));
        }
    }
    (id, None)
}

/// Orders versions like `1.2.3`, `1.2.3-SNAPSHOT.42`: numeric parts first; a release
/// sorts after its pre-releases; pre-release parts compare numerically when numeric.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(v: &str) -> (Vec<u64>, Option<&str>) {
        let (main, pre) = match v.split_once('-') {
            Some((m, p)) => (m, Some(p)),
            None => (v, None),
        };
        (
            main.split('.').map(|p| p.parse().unwrap_or(0)).collect(),
            pre,
        )
    }
    let (am, ap) = split(a);
    let (bm, bp) = split(b);
    am.cmp(&bm).then_with(|| match (ap, bp) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => {
            let key = |s: &str| -> Vec<(u64, String)> {
                s.split('.')
                    .map(|p| (p.parse().unwrap_or(0), p.to_string()))
                    .collect()
            };
            key(x).cmp(&key(y))
        }
    })
}

/// A registered instance (`DeploymentDescriptor` with a URL).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentDescriptor {
    #[serde(default)]
    pub srvc_id: String,
    #[serde(default)]
    pub inst_id: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct StoredModule {
    pub md: Arc<ModuleDescriptor>,
    /// The descriptor exactly as posted.
    pub raw: Value,
}

#[derive(Debug, Clone)]
pub struct Tenant {
    /// `{id, name, description}` as posted.
    pub descriptor: Value,
    /// Enabled module ids (sorted, as in Okapi).
    pub enabled: BTreeSet<String>,
    /// Routing index, rebuilt lazily after a change.
    routes: Option<Arc<RouteTable>>,
}

impl Tenant {
    pub fn new(descriptor: Value) -> Tenant {
        Tenant {
            descriptor,
            enabled: BTreeSet::new(),
            routes: None,
        }
    }
}

/// All gateway state.
#[derive(Debug, Default)]
pub struct Registry {
    pub modules: BTreeMap<String, StoredModule>,
    /// Instances per module id, in registration order.
    pub discovery: BTreeMap<String, Vec<DeploymentDescriptor>>,
    pub tenants: BTreeMap<String, Tenant>,
    round_robin: HashMap<String, usize>,
}

impl Registry {
    pub fn new() -> Registry {
        let mut r = Registry::default();
        r.tenants.insert(
            SUPERTENANT.to_string(),
            Tenant::new(serde_json::json!({
                "id": SUPERTENANT,
                "name": SUPERTENANT,
                "description": "Okapi built-in super tenant"
            })),
        );
        r
    }

    pub fn module(&self, id: &str) -> Option<Arc<ModuleDescriptor>> {
        self.modules.get(id).map(|m| m.md.clone())
    }

    /// Resolves an install id: an exact module id, or a product name (`mod-x`) meaning the
    /// latest registered version of it.
    pub fn resolve_module_id(&self, id: &str) -> Option<String> {
        if self.modules.contains_key(id) {
            return Some(id.to_string());
        }
        self.modules
            .keys()
            .filter(|k| split_module_id(k).0 == id)
            .max_by(|a, b| {
                compare_versions(
                    split_module_id(a).1.unwrap_or(""),
                    split_module_id(b).1.unwrap_or(""),
                )
            })
            .cloned()
    }

    /// The routing index of a tenant (`None` = unknown tenant).
    pub fn routes(&mut self, tenant: &str) -> Option<Arc<RouteTable>> {
        let modules = &self.modules;
        let t = self.tenants.get_mut(tenant)?;
        if t.routes.is_none() {
            let mds: Vec<Arc<ModuleDescriptor>> = t
                .enabled
                .iter()
                .filter_map(|id| modules.get(id).map(|m| m.md.clone()))
                .collect();
            t.routes = Some(Arc::new(RouteTable::build(mds.iter().map(|m| &**m))));
        }
        t.routes.clone()
    }

    /// Cached routing index without building (for the read-locked fast path).
    pub fn cached_routes(&self, tenant: &str) -> Option<Option<Arc<RouteTable>>> {
        self.tenants.get(tenant).map(|t| t.routes.clone())
    }

    pub fn set_enabled(&mut self, tenant: &str, module_id: &str, enabled: bool) {
        if let Some(t) = self.tenants.get_mut(tenant) {
            if enabled {
                t.enabled.insert(module_id.to_string());
            } else {
                t.enabled.remove(module_id);
            }
            t.routes = None;
        }
    }

    pub fn invalidate_routes(&mut self) {
        for t in self.tenants.values_mut() {
            t.routes = None;
        }
    }

    /// Instance URLs of a module, rotated so that the round-robin choice comes first; the
    /// rest follow in order (used when an instance refuses the connection).
    pub fn instances_round_robin(&mut self, module_id: &str) -> Vec<String> {
        let Some(list) = self.discovery.get(module_id) else {
            return Vec::new();
        };
        if list.is_empty() {
            return Vec::new();
        }
        let counter = self.round_robin.entry(module_id.to_string()).or_insert(0);
        let start = *counter % list.len();
        *counter = counter.wrapping_add(1);
        (0..list.len())
            .map(|i| list[(start + i) % list.len()].url.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(version_compatible("3.4", "3.2"));
        assert!(version_compatible("3.2", "3.2"));
        assert!(!version_compatible("3.1", "3.2"));
        assert!(!version_compatible("4.0", "3.2"));
        assert!(version_compatible("4.0", "3.2 4.0"));
        assert_eq!(split_module_id("mod-x-1.2.3"), ("mod-x", Some("1.2.3")));
        assert_eq!(split_module_id("mod-x"), ("mod-x", None));
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("1.10.0", "1.9.0"), Greater);
        assert_eq!(compare_versions("1.0.0-SNAPSHOT.2", "1.0.0"), Less);
        assert_eq!(
            compare_versions("1.0.0-SNAPSHOT.10", "1.0.0-SNAPSHOT.9"),
            Greater
        );
    }
}
