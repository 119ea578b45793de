//! The "extended loan" of mod-circulation's `loan.json`: the stored loan plus the item summary,
//! the borrower, the patron group at check-out and the policy names.
use super::gather::Gathered;
use super::s;
use serde_json::{json, Map, Value};

fn put(o: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value.filter(|v| !v.is_null()) {
        o.insert(key.to_string(), v);
    }
}

fn get(v: Option<&Value>, key: &str) -> Option<Value> {
    v.and_then(|v| v.get(key)).cloned()
}

/// The item summary embedded in a loan.
pub fn item_summary(g: &Gathered, tenant: &str, status: &str) -> Value {
    let item = g.item.as_ref();
    let instance = g.instance.as_ref();
    let holdings = g.holdings.as_ref();
    let mut o = Map::new();
    put(&mut o, "id", get(item, "id"));
    put(&mut o, "holdingsRecordId", get(item, "holdingsRecordId"));
    put(&mut o, "instanceId", get(holdings, "instanceId"));
    put(&mut o, "instanceHrid", get(instance, "hrid"));
    // A DCB item carries its title itself.
    put(
        &mut o,
        "title",
        get(instance, "title").or_else(|| get(item, "instanceTitle")),
    );
    put(&mut o, "barcode", get(item, "barcode"));
    let contributors: Vec<Value> = instance
        .and_then(|i| i.get("contributors"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|c| json!({"name": c.get("name").cloned().unwrap_or(Value::Null)}))
                .collect()
        })
        .unwrap_or_default();
    o.insert("contributors".into(), Value::Array(contributors));
    let primary = instance
        .and_then(|i| i.get("contributors"))
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .find(|c| c.get("primary").and_then(Value::as_bool) == Some(true))
        })
        .and_then(|c| c.get("name").cloned());
    put(&mut o, "primaryContributor", primary);
    let components = item.and_then(|i| i.get("effectiveCallNumberComponents"));
    put(&mut o, "callNumber", get(components, "callNumber"));
    put(&mut o, "enumeration", get(item, "enumeration"));
    put(&mut o, "chronology", get(item, "chronology"));
    put(&mut o, "displaySummary", get(item, "displaySummary"));
    put(&mut o, "volume", get(item, "volume"));
    put(
        &mut o,
        "copyNumber",
        get(item, "copyNumber").or(get(holdings, "copyNumber")),
    );
    put(
        &mut o,
        "editions",
        get(instance, "editions").or(Some(json!([]))),
    );
    let series: Vec<Value> = instance
        .and_then(|i| i.get("series"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|x| x.get("value").cloned().unwrap_or_else(|| x.clone()))
                .collect()
        })
        .unwrap_or_default();
    o.insert("seriesStatements".into(), Value::Array(series));
    let dates: Vec<Value> = instance
        .and_then(|i| i.get("publication"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|p| p.get("dateOfPublication").cloned())
                .collect()
        })
        .unwrap_or_default();
    o.insert("datesOfPublication".into(), Value::Array(dates));
    put(
        &mut o,
        "physicalDescriptions",
        get(instance, "physicalDescriptions").or(Some(json!([]))),
    );
    put(
        &mut o,
        "administrativeNotes",
        get(item, "administrativeNotes").or(Some(json!([]))),
    );
    put(&mut o, "accessionNumber", get(item, "accessionNumber"));
    let mut cn = Map::new();
    put(&mut cn, "callNumber", get(components, "callNumber"));
    put(&mut cn, "prefix", get(components, "prefix"));
    put(&mut cn, "suffix", get(components, "suffix"));
    o.insert("callNumberComponents".into(), Value::Object(cn));
    o.insert("tenantId".into(), json!(tenant));
    o.insert("status".into(), json!({ "name": status }));
    if let Some(location) = g.location.as_ref().and_then(|l| s(l, &["name"])) {
        o.insert("location".into(), json!({ "name": location }));
    }
    if let Some(name) = g.material_type.as_ref().and_then(|m| s(m, &["name"])) {
        o.insert("materialType".into(), json!({ "name": name }));
    }
    Value::Object(o)
}

pub fn borrower(user: &Value) -> Value {
    let personal = user.get("personal");
    let mut o = Map::new();
    put(&mut o, "firstName", get(personal, "firstName"));
    put(&mut o, "lastName", get(personal, "lastName"));
    put(&mut o, "middleName", get(personal, "middleName"));
    put(&mut o, "barcode", user.get("barcode").cloned());
    put(
        &mut o,
        "preferredFirstName",
        get(personal, "preferredFirstName"),
    );
    put(&mut o, "patronGroup", user.get("patronGroup").cloned());
    Value::Object(o)
}

/// The stored loan extended for the response.
pub fn extended_loan(
    stored: &Value,
    g: &Gathered,
    tenant: &str,
    policy_names: [(&str, Option<String>); 3],
    changed_by_hold: bool,
    changed_by_expiry: bool,
) -> Value {
    let mut loan = stored.as_object().cloned().unwrap_or_default();
    loan.remove("itemStatus");
    loan.remove("patronGroupIdAtCheckout");
    loan.insert("item".into(), item_summary(g, tenant, "Checked out"));
    if let Some(user) = &g.user {
        loan.insert("borrower".into(), borrower(user));
    }
    if let Some(group) = &g.group {
        loan.insert(
            "patronGroupAtCheckout".into(),
            json!({"id": group.get("id"), "name": group.get("group")}),
        );
    }
    for (key, name) in policy_names {
        if let Some(name) = name {
            loan.insert(key.into(), json!({ "name": name }));
        }
    }
    if changed_by_hold {
        loan.insert("dueDateChangedByHold".into(), json!(true));
    }
    if changed_by_expiry {
        loan.insert("dueDateChangedByNearExpireUser".into(), json!(true));
    }
    Value::Object(loan)
}
