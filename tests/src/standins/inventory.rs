//! mod-inventory-storage stand-in: items, holdings, instances, locations, location units,
//! material types, loan types, service points and identifier types; and mod-dcb's
//! `/circulation-item` (the virtual items of Direct Consortial Borrowing, which circulation
//! looks up when inventory has no item with a barcode).
//!
//! Like the real storage module it derives `effectiveLocationId` (item temporary ?? item
//! permanent ?? holdings temporary ?? holdings permanent), stamps `status.date` when the
//! status name changes, and keeps `_version` with fail-on-conflict optimistic locking (409).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{Map, Value};

use super::collections::Collection;
use super::descriptor::{crud_handlers, module_descriptor};
use super::request::{now_iso, text};
use super::store::TenantData;

pub(crate) const ITEMS: &str = "/item-storage/items";
pub(crate) const HOLDINGS: &str = "/holdings-storage/holdings";
pub(crate) const CIRCULATION_ITEMS: &str = "/circulation-item";

pub(crate) const COLLECTIONS: &[Collection] = &[
    Collection {
        path: ITEMS,
        key: "items",
    },
    Collection {
        path: HOLDINGS,
        key: "holdingsRecords",
    },
    Collection {
        path: "/instance-storage/instances",
        key: "instances",
    },
    Collection {
        path: "/locations",
        key: "locations",
    },
    Collection {
        path: "/location-units/institutions",
        key: "locinsts",
    },
    Collection {
        path: "/location-units/campuses",
        key: "loccamps",
    },
    Collection {
        path: "/location-units/libraries",
        key: "loclibs",
    },
    Collection {
        path: "/material-types",
        key: "mtypes",
    },
    Collection {
        path: "/loan-types",
        key: "loantypes",
    },
    Collection {
        path: "/service-points",
        key: "servicepoints",
    },
    Collection {
        path: "/identifier-types",
        key: "identifierTypes",
    },
    Collection {
        path: CIRCULATION_ITEMS,
        key: "items",
    },
];

fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

pub(crate) fn before_write(
    tenant: &TenantData,
    path: &str,
    obj: &mut Map<String, Value>,
    old: Option<&Value>,
) -> Result<(), HttpResponse> {
    match path {
        ITEMS => {
            optimistic_lock(obj, old)?;
            let holdings = str_field(obj, "holdingsRecordId")
                .and_then(|h| {
                    tenant
                        .store(HOLDINGS)
                        .and_then(|s| s.get(&h.to_lowercase()))
                })
                .and_then(Value::as_object);
            let effective = str_field(obj, "temporaryLocationId")
                .or_else(|| str_field(obj, "permanentLocationId"))
                .or_else(|| holdings.and_then(|h| str_field(h, "temporaryLocationId")))
                .or_else(|| holdings.and_then(|h| str_field(h, "permanentLocationId")))
                .map(str::to_string);
            match effective {
                Some(l) => {
                    obj.insert("effectiveLocationId".into(), Value::String(l));
                }
                None => {
                    obj.remove("effectiveLocationId");
                }
            }
            stamp_status_date(obj, old);
            Ok(())
        }
        HOLDINGS => {
            optimistic_lock(obj, old)?;
            let effective = str_field(obj, "temporaryLocationId")
                .or_else(|| str_field(obj, "permanentLocationId"))
                .map(str::to_string);
            if let Some(l) = effective {
                obj.insert("effectiveLocationId".into(), Value::String(l));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn optimistic_lock(obj: &mut Map<String, Value>, old: Option<&Value>) -> Result<(), HttpResponse> {
    let stored = old.and_then(|o| o.get("_version")).and_then(Value::as_i64);
    if let (Some(stored), Some(sent)) = (stored, obj.get("_version").and_then(Value::as_i64)) {
        if stored != sent {
            let id = obj.get("id").and_then(Value::as_str).unwrap_or("");
            return Err(text(
                StatusCode::CONFLICT,
                &format!(
                    "Cannot update record {id} because it has been changed (optimistic locking): \
                     Stored _version is {stored}, _version of request is {sent}"
                ),
            ));
        }
    }
    obj.insert("_version".into(), Value::from(stored.unwrap_or(0) + 1));
    Ok(())
}

fn stamp_status_date(obj: &mut Map<String, Value>, old: Option<&Value>) {
    let old_status = old.and_then(|o| o.get("status"));
    let Some(Value::Object(status)) = obj.get_mut("status") else {
        return;
    };
    let old_name = old_status
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str);
    let changed = old_name != status.get("name").and_then(Value::as_str);
    if changed {
        status.insert("date".into(), Value::String(now_iso()));
    } else if !status.contains_key("date") {
        if let Some(d) = old_status.and_then(|s| s.get("date")) {
            status.insert("date".into(), d.clone());
        }
    }
}

/// `mod-inventory-storage-standin-1.0.0` with FOLIO's interface versions.
pub fn descriptor() -> Value {
    let iface = |id: &'static str, version: &'static str, paths: &[&str]| {
        (
            id,
            version,
            paths
                .iter()
                .flat_map(|p| crud_handlers(p))
                .collect::<Vec<_>>(),
        )
    };
    module_descriptor(
        "mod-inventory-storage-standin-1.0.0",
        "Inventory storage (in-memory stand-in)",
        vec![
            iface("item-storage", "11.2", &[ITEMS]),
            iface("holdings-storage", "8.2", &[HOLDINGS]),
            iface("instance-storage", "11.4", &["/instance-storage/instances"]),
            iface("locations", "3.2", &["/locations"]),
            iface(
                "location-units",
                "2.1",
                &[
                    "/location-units/institutions",
                    "/location-units/campuses",
                    "/location-units/libraries",
                ],
            ),
            iface("material-types", "2.2", &["/material-types"]),
            iface("loan-types", "2.4", &["/loan-types"]),
            iface("service-points", "3.5", &["/service-points"]),
            iface("identifier-types", "1.2", &["/identifier-types"]),
            // mod-dcb's interface, served here beside the items it stands in for.
            iface("circulation-item", "1.0", &[CIRCULATION_ITEMS]),
        ],
    )
}
