//! mod-feesfines stand-in: `/manualblocks`, `/overdue-fines-policies`, `/lost-item-fees-policies`.

use serde_json::Value;

use super::collections::Collection;
use super::descriptor::{crud_handlers, module_descriptor};

pub(crate) const COLLECTIONS: &[Collection] = &[
    Collection {
        path: "/manualblocks",
        key: "manualblocks",
    },
    Collection {
        path: "/overdue-fines-policies",
        key: "overdueFinePolicies",
    },
    Collection {
        path: "/lost-item-fees-policies",
        key: "lostItemFeePolicies",
    },
];

/// `mod-feesfines-standin-1.0.0`: interface `feesfines 19.1` (the parts circulation's
/// check-out reads).
pub fn descriptor() -> Value {
    let handlers = COLLECTIONS
        .iter()
        .flat_map(|c| crud_handlers(c.path))
        .collect();
    module_descriptor(
        "mod-feesfines-standin-1.0.0",
        "Fees/fines (in-memory stand-in)",
        vec![("feesfines", "19.1", handlers)],
    )
}
