//! mod-users stand-in: `/users`, `/groups`, `/proxiesfor`, `/addresstypes`, `/departments`.

use serde_json::Value;

use super::collections::Collection;
use super::descriptor::{crud_handlers, module_descriptor};

pub(crate) const COLLECTIONS: &[Collection] = &[
    Collection {
        path: "/users",
        key: "users",
    },
    Collection {
        path: "/groups",
        key: "usergroups",
    },
    Collection {
        path: "/proxiesfor",
        key: "proxiesFor",
    },
    Collection {
        path: "/addresstypes",
        key: "addressTypes",
    },
    Collection {
        path: "/departments",
        key: "departments",
    },
];

/// `mod-users-standin-1.0.0`: interface `users 16.5` (users, groups, proxiesfor, addresstypes)
/// and `departments 1.1`.
pub fn descriptor() -> Value {
    let users = ["/users", "/groups", "/proxiesfor", "/addresstypes"]
        .into_iter()
        .flat_map(crud_handlers)
        .collect();
    module_descriptor(
        "mod-users-standin-1.0.0",
        "Users (in-memory stand-in)",
        vec![
            ("users", "16.5", users),
            ("departments", "1.1", crud_handlers("/departments")),
        ],
    )
}
