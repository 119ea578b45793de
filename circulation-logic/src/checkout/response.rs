//! The "extended loan" of mod-circulation's `loan.json`: the stored loan plus the item summary,
//! the borrower, the patron group at check-out and the policy names.
use super::gather::Gathered;
use super::s;
use serde_json::{json, Map, Value};

/// Whether FOLIO's `JsonPropertyWriter.write` writes a value: not null, not a blank string, not
/// an empty array.
fn written(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

fn put(o: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value.filter(written) {
        o.insert(key.to_string(), v);
    }
}

fn get(v: Option<&Value>, key: &str) -> Option<Value> {
    v.and_then(|v| v.get(key)).cloned()
}

/// The objects of an array field mapped one by one (none when the field is missing).
fn each(v: Option<&Value>, key: &str, f: impl Fn(&Value) -> Value) -> Option<Value> {
    let list = v?.get(key)?.as_array()?;
    Some(Value::Array(list.iter().map(f).collect()))
}

/// The item summary embedded in a loan.
pub fn item_summary(g: &Gathered, status: &str) -> Value {
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
    put(
        &mut o,
        "contributors",
        each(
            instance,
            "contributors",
            |c| json!({"name": c.get("name").cloned().unwrap_or(Value::Null)}),
        ),
    );
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
    // The first copy number that is not blank.
    put(
        &mut o,
        "copyNumber",
        get(item, "copyNumber")
            .filter(written)
            .or(get(holdings, "copyNumber")),
    );
    put(&mut o, "editions", get(instance, "editions"));
    put(
        &mut o,
        "seriesStatements",
        each(instance, "series", |x| match x {
            // Older instances list plain strings.
            Value::String(_) => x.clone(),
            _ => x.get("value").cloned().unwrap_or(Value::Null),
        }),
    );
    put(
        &mut o,
        "datesOfPublication",
        each(instance, "publication", |p| {
            p.get("dateOfPublication").cloned().unwrap_or(Value::Null)
        }),
    );
    put(
        &mut o,
        "physicalDescriptions",
        get(instance, "physicalDescriptions"),
    );
    put(
        &mut o,
        "administrativeNotes",
        get(item, "administrativeNotes"),
    );
    put(&mut o, "accessionNumber", get(item, "accessionNumber"));
    if let Some(components) = components.filter(|c| c.is_object()) {
        let mut cn = Map::new();
        put(&mut cn, "callNumber", components.get("callNumber").cloned());
        put(&mut cn, "prefix", components.get("prefix").cloned());
        put(&mut cn, "suffix", components.get("suffix").cloned());
        o.insert("callNumberComponents".into(), Value::Object(cn));
    }
    // Only an item that names its tenant itself (a consortium's item) says which.
    put(&mut o, "tenantId", get(item, "tenantId"));
    o.insert("status".into(), json!({ "name": status }));
    if let Some(location) = g.location.as_ref().and_then(|l| s(l, &["name"])) {
        o.insert("location".into(), json!({ "name": location }));
    }
    if let Some(name) = g.material_type.as_ref().and_then(|m| s(m, &["name"])) {
        o.insert("materialType".into(), json!({ "name": name }));
    }
    Value::Object(o)
}

/// The borrower summary: always its six keys, `null` for what the user record lacks.
pub fn borrower(user: &Value) -> Value {
    let personal = user.get("personal");
    let or_null = |v: Option<Value>| v.unwrap_or(Value::Null);
    json!({
        "firstName": or_null(get(personal, "firstName")),
        "lastName": or_null(get(personal, "lastName")),
        "middleName": or_null(get(personal, "middleName")),
        "barcode": or_null(get(Some(user), "barcode")),
        "preferredFirstName": or_null(get(personal, "preferredFirstName")),
        "patronGroup": or_null(get(Some(user), "patronGroup")),
    })
}

/// The stored loan extended for the response.
pub fn extended_loan(
    stored: &Value,
    g: &Gathered,
    policy_names: [(&str, Option<String>); 3],
    changed_by_hold: bool,
    changed_by_expiry: bool,
) -> Value {
    let mut loan = stored.as_object().cloned().unwrap_or_default();
    loan.remove("itemStatus");
    loan.remove("patronGroupIdAtCheckout");
    loan.insert("item".into(), item_summary(g, "Checked out"));
    if let Some(user) = &g.user {
        loan.insert("borrower".into(), borrower(user));
    }
    if let Some(group) = &g.group {
        let mut summary = Map::new();
        put(&mut summary, "id", group.get("id").cloned());
        put(&mut summary, "name", group.get("group").cloned());
        loan.insert("patronGroupAtCheckout".into(), Value::Object(summary));
    }
    // Always there, named or not.
    for (key, name) in policy_names {
        loan.insert(key.into(), json!({ "name": name }));
    }
    if changed_by_hold {
        loan.insert("dueDateChangedByHold".into(), json!(true));
    }
    if changed_by_expiry {
        loan.insert("dueDateChangedByNearExpireUser".into(), json!(true));
    }
    Value::Object(loan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_summary_leaves_out_what_is_empty() {
        let g = Gathered {
            item: Some(json!({"id": "it", "barcode": "i1", "copyNumber": " ",
                              "administrativeNotes": [], "accessionNumber": ""})),
            holdings: Some(json!({"instanceId": "in", "copyNumber": "c2"})),
            instance: Some(json!({"title": "Dune", "contributors": [], "editions": [],
                                  "series": [], "publication": [], "physicalDescriptions": []})),
            ..Default::default()
        };
        assert_eq!(
            item_summary(&g, "Checked out"),
            json!({"id": "it", "instanceId": "in", "title": "Dune", "barcode": "i1",
                   "copyNumber": "c2", "status": {"name": "Checked out"}})
        );
    }

    #[test]
    fn item_summary_lists_and_components_when_there() {
        let g = Gathered {
            item: Some(json!({"id": "it", "tenantId": "college",
                              "effectiveCallNumberComponents": {"callNumber": "QA1", "prefix": ""}})),
            instance: Some(json!({"series": [{"value": "S"}, "Old"],
                                  "publication": [{"dateOfPublication": "1965"}, {"publisher": "P"}]})),
            ..Default::default()
        };
        let summary = item_summary(&g, "Checked out");
        assert_eq!(summary["callNumber"], "QA1");
        assert_eq!(
            summary["callNumberComponents"],
            json!({"callNumber": "QA1"})
        );
        assert_eq!(summary["seriesStatements"], json!(["S", "Old"]));
        assert_eq!(summary["datesOfPublication"], json!(["1965", null]));
        assert_eq!(summary["tenantId"], "college");
    }

    #[test]
    fn borrower_has_its_six_keys() {
        assert_eq!(
            borrower(&json!({"barcode": "u1", "personal": {"lastName": "Doe"}})),
            json!({"firstName": null, "lastName": "Doe", "middleName": null, "barcode": "u1",
                   "preferredFirstName": null, "patronGroup": null})
        );
    }

    #[test]
    fn policies_always_named_and_group_without_blanks() {
        let g = Gathered {
            group: Some(json!({"id": "g", "group": ""})),
            ..Default::default()
        };
        let loan = extended_loan(
            &json!({"id": "l", "itemStatus": "Checked out", "patronGroupIdAtCheckout": "g"}),
            &g,
            [
                ("loanPolicy", Some("Rolling".into())),
                ("overdueFinePolicy", None),
                ("lostItemPolicy", None),
            ],
            false,
            false,
        );
        assert_eq!(loan["loanPolicy"], json!({"name": "Rolling"}));
        assert_eq!(loan["overdueFinePolicy"], json!({"name": null}));
        assert_eq!(loan["lostItemPolicy"], json!({"name": null}));
        assert_eq!(loan["patronGroupAtCheckout"], json!({"id": "g"}));
        assert!(loan.get("itemStatus").is_none());
        assert!(loan.get("patronGroupIdAtCheckout").is_none());
    }
}
