//! Handler lookup by method and `pathPattern`, with Okapi's precedence.
//!
//! # The precedence rule (what Okapi's `ModuleCache` does)
//!
//! Every handler of every module enabled for the tenant is filed under a *key*: the literal
//! part of its `pathPattern` up to and including the last `/` before the first `{` or `*`.
//! A pattern without `{`/`*` is filed under the whole pattern.
//! (`/loan-storage/loans` → `/loan-storage/loans`; `/loan-storage/loans/{id}` →
//! `/loan-storage/loans/`; `/*` → `/`; a legacy `path` prefix entry → `/`.)
//!
//! A request path (query and fragment cut off) is first looked up under the full path as
//! key, then under its parent prefixes, each ending in `/`, from the longest to `/`
//! (`/a/b/c` → `/a/b/` → `/a/` → `/`). Within one key the entries are tried in the order the
//! modules were filed (enabled modules sorted by module id, then `provides` order, then
//! `handlers` order), checking method (`*` = any) and the full pattern.
//! **The first entry that matches wins.** Consequences:
//! - an exact pattern beats a `{id}`/`*` pattern for the same path (its key is the full path,
//!   tried first);
//! - a longer literal prefix beats a shorter one (`/a/b/{id}` beats `/a/*` for `/a/b/x`);
//! - it is *not* "most specific pattern": `/a/{id}/c` and `/a/*` share the key `/a/`, so the
//!   one filed first wins;
//! - a method mismatch under a longer key falls through to shorter keys.
//!
//! Pattern syntax: `{name}` matches one or more characters other than `/`; `*` matches any
//! run of characters, `/` included, possibly empty; everything else matches literally, and
//! the whole path must be consumed.

use std::collections::HashMap;
use std::sync::Arc;

use super::registry::{ModuleDescriptor, RoutingEntry};

/// One routable handler: the module that provides it and its routing entry.
#[derive(Debug, Clone)]
pub struct RouteEntry {
    pub module_id: Arc<str>,
    pub entry: Arc<RoutingEntry>,
    /// `permissionsDesired` as a JSON array (the `X-Okapi-Permissions` sent when the caller
    /// restricts nothing), built once here rather than per request.
    pub permissions_desired_json: Arc<str>,
}

/// The routing index of one tenant (Okapi's per-tenant `ModuleCache`).
#[derive(Debug, Default)]
pub struct RouteTable {
    proxy: HashMap<String, Vec<RouteEntry>>,
    multi: HashMap<String, Vec<RouteEntry>>,
}

impl RouteTable {
    /// Builds the index from the tenant's enabled modules. The caller passes them sorted by
    /// module id (Okapi keeps a tenant's enabled modules in a sorted map).
    pub fn build<'a>(modules: impl IntoIterator<Item = &'a ModuleDescriptor>) -> RouteTable {
        let mut table = RouteTable::default();
        for md in modules {
            let module_id: Arc<str> = Arc::from(md.id.as_str());
            for iface in &md.provides {
                let map = match iface.interface_type.as_deref() {
                    None | Some("proxy") | Some("internal") => &mut table.proxy,
                    Some("multiple") => &mut table.multi,
                    // system interfaces (`_tenant`, ...) are called by the gateway only
                    _ => continue,
                };
                for handler in &iface.handlers {
                    if handler.phase.is_some() {
                        continue; // filters are not handlers
                    }
                    map.entry(pattern_prefix(handler))
                        .or_default()
                        .push(RouteEntry {
                            module_id: module_id.clone(),
                            entry: Arc::new(handler.clone()),
                            permissions_desired_json: Arc::from(
                                serde_json::to_string(&handler.permissions_desired)
                                    .expect("string list"),
                            ),
                        });
                }
            }
        }
        table
    }

    /// Finds the handler for `path` (without query) and `method`. With `module_id` (the
    /// `X-Okapi-Module-Id` header) only interfaces of type `multiple` of that module are
    /// considered, as in Okapi.
    pub fn lookup(&self, path: &str, method: &str, module_id: Option<&str>) -> Option<&RouteEntry> {
        let map = if module_id.is_some() {
            &self.multi
        } else {
            &self.proxy
        };
        let path = cut_uri(path);
        let mut key = path;
        loop {
            if let Some(candidates) = map.get(key) {
                for candidate in candidates {
                    if candidate.entry.matches(path, method)
                        && module_id.is_none_or(|id| id == &*candidate.module_id)
                    {
                        return Some(candidate);
                    }
                }
            }
            // parent prefix ending in '/', skipping a trailing '/' of the current key
            if key.len() < 2 {
                break;
            }
            match key[..key.len() - 1].rfind('/') {
                Some(i) => key = &key[..=i],
                None => break,
            }
        }
        None
    }
}

/// The index key of a routing entry (see the module documentation).
pub fn pattern_prefix(entry: &RoutingEntry) -> String {
    let Some(pattern) = entry.path_pattern.as_deref() else {
        return "/".to_string();
    };
    let mut last_slash = 0;
    for (i, c) in pattern.char_indices() {
        match c {
            '*' | '{' => return pattern[..last_slash].to_string(),
            '/' => last_slash = i + 1,
            _ => {}
        }
    }
    pattern.to_string()
}

/// The path without `?query` and `#fragment`.
pub fn cut_uri(uri: &str) -> &str {
    let end = uri.find(['?', '#']).unwrap_or(uri.len());
    &uri[..end]
}

/// Matches a whole path against a `pathPattern`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    match_from(pattern.as_bytes(), cut_uri(path).as_bytes())
}

fn match_from(pattern: &[u8], path: &[u8]) -> bool {
    let (mut p, mut u) = (0, 0);
    while p < pattern.len() {
        let c = pattern[p];
        p += 1;
        match c {
            b'{' => {
                while p < pattern.len() {
                    p += 1;
                    if pattern[p - 1] == b'}' {
                        break;
                    }
                }
                let start = u;
                while u < path.len() && path[u] != b'/' {
                    u += 1;
                }
                if u == start {
                    return false;
                }
            }
            b'*' => {
                return (u..=path.len()).any(|from| match_from(&pattern[p..], &path[from..]));
            }
            _ => {
                if u == path.len() || path[u] != c {
                    return false;
                }
                u += 1;
            }
        }
    }
    u == path.len()
}

impl RoutingEntry {
    /// Okapi's `RoutingEntry.match`: method (`*` = any) and pattern (or legacy prefix).
    pub fn matches(&self, path: &str, method: &str) -> bool {
        if !self.methods.iter().any(|m| m == "*" || m == method) {
            return false;
        }
        match (&self.path_pattern, &self.path) {
            (Some(pattern), _) => path_matches(pattern, path),
            (None, Some(prefix)) => path.starts_with(prefix.as_str()),
            (None, None) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(path_matches("/a/{id}", "/a/x"));
        assert!(!path_matches("/a/{id}", "/a/"));
        assert!(!path_matches("/a/{id}", "/a/x/y"));
        assert!(path_matches("/a/*", "/a/x/y"));
        assert!(path_matches("/a/*", "/a/"));
        assert!(!path_matches("/a/*", "/a"));
        assert!(path_matches("/*", "/anything/at/all"));
        assert!(path_matches("/a", "/a?x=1"));
        assert!(path_matches("/a/{id}/b", "/a/1/b"));
        assert!(!path_matches("/a/{id}/b", "/a/1/c"));
        assert!(path_matches("/a*", "/abc/d"));
    }

    #[test]
    fn prefixes() {
        let re = |p: &str| RoutingEntry {
            path_pattern: Some(p.to_string()),
            ..Default::default()
        };
        assert_eq!(pattern_prefix(&re("/a/b")), "/a/b");
        assert_eq!(pattern_prefix(&re("/a/b/{id}")), "/a/b/");
        assert_eq!(pattern_prefix(&re("/a/{id}/c")), "/a/");
        assert_eq!(pattern_prefix(&re("/*")), "/");
        assert_eq!(pattern_prefix(&re("/ab*")), "/");
    }
}
