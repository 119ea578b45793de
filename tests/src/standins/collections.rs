//! FOLIO's plain RMB-style collections from memory: CQL search with paging, CRUD by id, and
//! the per-collection write rules (uniqueness, metadata).
use std::borrow::Cow;

use actix_web::http::header::{CONTENT_TYPE, LOCATION};
use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use serde_json::{Map, Value};

use super::request::{
    is_uuid, json_response, no_content, not_found, now_iso, text, unprocessable, Ctx,
};
use super::store::{Store, TenantData};
use super::{feesfines, inventory, patron_blocks, users};

/// One plain RMB-style collection: FOLIO path and the key of its collection answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Collection {
    pub(crate) path: &'static str,
    pub(crate) key: &'static str,
}

/// Every plain collection the stand-ins serve.
pub(crate) fn collections() -> impl Iterator<Item = Collection> {
    users::COLLECTIONS
        .iter()
        .chain(inventory::COLLECTIONS)
        .chain(feesfines::COLLECTIONS)
        .chain(patron_blocks::COLLECTIONS)
        .copied()
}

/// GET (search) and POST on a plain collection.
pub(crate) fn collection(ctx: &Ctx<'_>, c: Collection) -> HttpResponse {
    match *ctx.method {
        Method::GET => {
            let (offset, limit) = match ctx.paging() {
                Ok(p) => p,
                Err(r) => return r,
            };
            let tenant = ctx.read();
            let empty = Store::default();
            let store = tenant.store(c.path).unwrap_or(&empty);
            match store.search(ctx.param("query"), offset, limit) {
                Ok((page, total)) => collection_response(c.key, &page, total),
                Err(msg) => text(StatusCode::BAD_REQUEST, &msg),
            }
        }
        Method::POST => {
            let mut obj = match ctx.json_object() {
                Ok(o) => o,
                Err(r) => return r,
            };
            let id = match obj.get("id") {
                None | Some(Value::Null) => uuid::Uuid::new_v4().to_string(),
                Some(Value::String(s)) if is_uuid(s) => s.to_lowercase(),
                Some(other) => {
                    return text(
                        StatusCode::BAD_REQUEST,
                        &format!("Invalid UUID format of id, should be xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx where every x is 0-9, a-f, or A-F: {other}"),
                    )
                }
            };
            obj.insert("id".into(), Value::String(id.clone()));
            let mut tenant = ctx.write();
            if tenant.store(c.path).and_then(|s| s.get(&id)).is_some() {
                return unprocessable(
                    &format!("id value already exists in table {}: {id}", table_name(c)),
                    "id",
                    &id,
                );
            }
            if let Err(r) = before_write(&tenant, c, &mut obj, None) {
                return r;
            }
            let value = Value::Object(obj);
            tenant.store_mut(c.path).put(id.clone(), value.clone());
            drop(tenant);
            ctx.changed(c.path, None, Some(&value));
            HttpResponse::Created()
                .insert_header((LOCATION, format!("{}/{id}", c.path)))
                .insert_header((CONTENT_TYPE, "application/json"))
                .body(value.to_string())
        }
        _ => text(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed"),
    }
}

/// `200 {"<key>": [records], "totalRecords": n}`, serialised straight from the (borrowed)
/// records; byte for byte what `json!({key: page, "totalRecords": n}).to_string()` gives
/// (serde_json objects order their keys).
fn collection_response(key: &str, page: &[Cow<'_, Value>], total: usize) -> HttpResponse {
    let records = serde_json::to_string(page).expect("JSON values");
    let key_json = serde_json::to_string(key).expect("string");
    let body = if key < "totalRecords" {
        format!("{{{key_json}:{records},\"totalRecords\":{total}}}")
    } else {
        format!("{{\"totalRecords\":{total},{key_json}:{records}}}")
    };
    HttpResponse::build(StatusCode::OK)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body)
}

/// GET, PUT and DELETE on one record of a plain collection.
pub(crate) fn record(ctx: &Ctx<'_>, c: Collection, id: &str) -> HttpResponse {
    let id = id.to_lowercase();
    match *ctx.method {
        Method::GET => match ctx.read().store(c.path).and_then(|s| s.get(&id)) {
            Some(v) => json_response(StatusCode::OK, v),
            None => not_found(),
        },
        Method::PUT => {
            let mut obj = match ctx.json_object() {
                Ok(o) => o,
                Err(r) => return r,
            };
            obj.insert("id".into(), Value::String(id.clone()));
            let mut tenant = ctx.write();
            let Some(old) = tenant.store(c.path).and_then(|s| s.get(&id)) else {
                return not_found();
            };
            if let Err(r) = before_write(&tenant, c, &mut obj, Some(old)) {
                return r;
            }
            let old = old.clone();
            let new = Value::Object(obj);
            tenant.store_mut(c.path).put(id, new.clone());
            drop(tenant);
            ctx.changed(c.path, Some(&old), Some(&new));
            no_content()
        }
        Method::DELETE => {
            let removed = ctx.write().store_mut(c.path).remove(&id);
            match removed {
                Some(old) => {
                    ctx.changed(c.path, Some(&old), None);
                    no_content()
                }
                None => not_found(),
            }
        }
        _ => text(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed"),
    }
}

fn table_name(c: Collection) -> &'static str {
    c.path.rsplit('/').next().unwrap_or(c.path)
}

/// Per-collection rules applied on POST and PUT (uniqueness, derived fields, metadata).
fn before_write(
    tenant: &TenantData,
    c: Collection,
    obj: &mut Map<String, Value>,
    old: Option<&Value>,
) -> Result<(), HttpResponse> {
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(store) = tenant.store(c.path) {
        for field in unique_fields(c.path) {
            if let Some(v) = obj.get(*field).and_then(Value::as_str) {
                let clash = if *field == "barcode" {
                    store
                        .by_barcode(v)
                        .iter()
                        .any(|r| r.get("id").and_then(Value::as_str) != Some(&id))
                } else {
                    store.values().any(|r| {
                        r.get(*field).and_then(Value::as_str) == Some(v)
                            && r.get("id").and_then(Value::as_str) != Some(&id)
                    })
                };
                if clash {
                    return Err(unprocessable(
                        &format!(
                            "{field} value already exists in table {}: {v}",
                            table_name(c)
                        ),
                        field,
                        v,
                    ));
                }
            }
        }
    }
    inventory::before_write(tenant, c.path, obj, old)?;
    feesfines::before_write(c.path, obj)?;
    let now = now_iso();
    let created = old
        .and_then(|o| o.pointer("/metadata/createdDate"))
        .cloned()
        .unwrap_or_else(|| Value::String(now.clone()));
    let mut metadata = match obj.remove("metadata") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    metadata.insert("createdDate".into(), created);
    metadata.insert("updatedDate".into(), Value::String(now));
    obj.insert("metadata".into(), Value::Object(metadata));
    Ok(())
}

fn unique_fields(path: &str) -> &'static [&'static str] {
    match path {
        "/users" => &["barcode", "username"],
        "/item-storage/items" => &["barcode"],
        "/groups" => &["group"],
        _ => &[],
    }
}

/// Generic-collection access for the other stand-in modules (no HTTP).
pub(crate) fn find_records(
    tenant: &TenantData,
    path: &'static str,
    pred: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    tenant
        .store(path)
        .map(|s| s.values().filter(|v| pred(v)).cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn collection_answers_are_what_serde_json_builds() {
        let records = [json!({"id": "b", "x": [1, "\u{e9}"]}), json!({"id": "a"})];
        for key in collections().map(|c| c.key) {
            let page: Vec<Cow<'_, Value>> = records.iter().map(Cow::Borrowed).collect();
            let resp = collection_response(key, &page, 7);
            let body = actix_web::body::to_bytes(resp.into_body()).await.unwrap();
            let expected = json!({key: records, "totalRecords": 7}).to_string();
            assert_eq!(std::str::from_utf8(&body).unwrap(), expected, "{key}");
        }
    }
}
