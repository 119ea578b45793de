//! mod-feesfines stand-in: `/manualblocks`, `/overdue-fines-policies`, `/lost-item-fees-policies`,
//! and what circulation charges fees and fines with: `/owners`, `/feefines` (seeded with
//! mod-feesfines' automatic fee/fine types, as its tenant init does), `/accounts` and
//! `/feefineactions`, whose POSTs need the fields their schemas require.

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::collections::Collection;
use super::descriptor::{crud_handlers, module_descriptor};
use super::request::unprocessable;
use super::store::TenantData;

pub const OWNERS: &str = "/owners";
pub const FEE_FINES: &str = "/feefines";
pub const ACCOUNTS: &str = "/accounts";
pub const FEE_FINE_ACTIONS: &str = "/feefineactions";

/// mod-feesfines' automatic "Overdue fine" type (`populate-feefines.sql`).
pub const OVERDUE_FINE_TYPE_ID: &str = "9523cb96-e752-40c2-89da-60f3961a488d";

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
    Collection {
        path: OWNERS,
        key: "owners",
    },
    Collection {
        path: FEE_FINES,
        key: "feefines",
    },
    Collection {
        path: ACCOUNTS,
        key: "accounts",
    },
    Collection {
        path: FEE_FINE_ACTIONS,
        key: "feefineactions",
    },
];

/// mod-feesfines' reference fee/fine types: the four automatic ones.
pub fn reference_fee_fines() -> Vec<Value> {
    [
        (OVERDUE_FINE_TYPE_ID, "Overdue fine"),
        (
            "d20df2fb-45fd-4184-b238-0d25747ffdd9",
            "Replacement processing fee",
        ),
        ("cf238f9f-7018-47b7-b815-bb2db798e19f", "Lost item fee"),
        (
            "c7dede15-aa48-45ed-860b-f996540180e0",
            "Lost item processing fee",
        ),
    ]
    .into_iter()
    .map(|(id, kind)| json!({"id": id, "feeFineType": kind, "automatic": true}))
    .collect()
}

pub(crate) fn seed(tenant: &mut TenantData) {
    let store = tenant.store_mut(FEE_FINES);
    for f in reference_fee_fines() {
        let id = f["id"].as_str().unwrap_or_default().to_string();
        store.put(id, f);
    }
}

/// The fields `accountdata.json` and `feefineactiondata.json` require: a record without one
/// is refused as RMB refuses it (422, "must not be null").
pub(crate) fn before_write(path: &str, obj: &Map<String, Value>) -> Result<(), HttpResponse> {
    let required: &[&str] = match path {
        ACCOUNTS => &[
            "amount",
            "remaining",
            "status",
            "paymentStatus",
            "userId",
            "feeFineId",
            "ownerId",
        ],
        FEE_FINE_ACTIONS => &["accountId", "userId"],
        _ => &[],
    };
    match required
        .iter()
        .find(|k| obj.get(**k).is_none_or(Value::is_null))
    {
        Some(missing) => Err(unprocessable("must not be null", missing, "null")),
        None => Ok(()),
    }
}

/// `mod-feesfines-standin-1.0.0`: interface `feesfines 19.1` (the parts circulation reads and
/// writes).
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
