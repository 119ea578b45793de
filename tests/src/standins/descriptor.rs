//! ModuleDescriptors for the stand-ins, so a gateway can register and route to them.
use serde_json::{json, Value};

use super::{calendar, feesfines, inventory, notify, patron_blocks, pubsub, settings, users};

/// Module descriptors of every stand-in "module", all served by the one stand-in URL.
pub fn descriptors() -> Vec<Value> {
    vec![
        users::descriptor(),
        inventory::descriptor(),
        feesfines::descriptor(),
        patron_blocks::descriptor(),
        calendar::descriptor(),
        settings::descriptor(),
        pubsub::descriptor(),
        notify::descriptor(),
    ]
}

/// One handler of a module descriptor: methods and pathPattern.
pub(crate) type Handler = (&'static [&'static str], String);

/// A handler for `methods` on `path`.
pub(crate) fn handler(methods: &'static [&'static str], path: &str) -> Handler {
    (methods, path.to_string())
}

/// Builds a module descriptor from `(interface id, version, handlers)`.
pub(crate) fn module_descriptor(
    id: &str,
    name: &str,
    provides: Vec<(&str, &str, Vec<Handler>)>,
) -> Value {
    let provides: Vec<Value> = provides
        .into_iter()
        .map(|(iface, version, handlers)| {
            let handlers: Vec<Value> = handlers
                .into_iter()
                .map(|(methods, pattern)| {
                    json!({"methods": methods, "pathPattern": pattern, "permissionsRequired": []})
                })
                .collect();
            json!({"id": iface, "version": version, "handlers": handlers})
        })
        .collect();
    json!({"id": id, "name": name, "provides": provides, "requires": []})
}

/// Handlers for a plain CRUD collection at `path`.
pub(crate) fn crud_handlers(path: &str) -> Vec<Handler> {
    vec![
        handler(&["GET", "POST"], path),
        handler(&["GET", "PUT", "DELETE"], &format!("{path}/{{id}}")),
    ]
}
