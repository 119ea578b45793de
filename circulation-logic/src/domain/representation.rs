//! How mod-circulation writes a loan in its answers (`loan.json`'s extended loan): the stored
//! loan plus the item summary, the borrower, the patron group at check-out and the policy
//! names.
use super::feesfines::Account;
use super::inventory::{Holdings, Instance, Item, Location, MaterialType};
use super::loan::Loan;
use super::user::{PatronGroup, User};
use crate::fines::overdue::{cents_as_number, Amount};
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

/// An item with the records its summary shows.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ItemInContext<'a> {
    pub item: Option<&'a Item>,
    pub holdings: Option<&'a Holdings>,
    pub instance: Option<&'a Instance>,
    pub location: Option<&'a Location>,
    pub material_type: Option<&'a MaterialType>,
}

impl ItemInContext<'_> {
    /// The title: the instance's, else the one a DCB item carries itself.
    pub(crate) fn title(&self) -> Option<&str> {
        self.instance
            .and_then(Instance::title)
            .or_else(|| self.item.and_then(Item::instance_title))
    }

    /// The item summary embedded in a loan, with the status given.
    pub(crate) fn summary(&self, status: &str) -> Value {
        let item = self.item.map(Item::json);
        let instance = self.instance.map(Instance::json);
        let holdings = self.holdings.map(Holdings::json);
        let mut o = Map::new();
        put(&mut o, "id", get(item, "id"));
        put(&mut o, "holdingsRecordId", get(item, "holdingsRecordId"));
        put(&mut o, "instanceId", get(holdings, "instanceId"));
        put(&mut o, "instanceHrid", get(instance, "hrid"));
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
        if let Some(location) = self.location.and_then(Location::name) {
            o.insert("location".into(), json!({ "name": location }));
        }
        if let Some(name) = self.material_type.and_then(MaterialType::name) {
            o.insert("materialType".into(), json!({ "name": name }));
        }
        Value::Object(o)
    }
}

/// What an extended loan shows beside the stored loan.
pub(crate) struct LoanExtras<'a> {
    pub item: ItemInContext<'a>,
    pub item_status: &'a str,
    pub borrower: Option<&'a User>,
    pub patron_group: Option<&'a PatronGroup>,
    /// `loanPolicy`, `overdueFinePolicy`, `lostItemPolicy` and their names.
    pub policy_names: [(&'static str, Option<String>); 3],
    pub changed_by_hold: bool,
    pub changed_by_expiry: bool,
}

/// The loans API's `feesAndFines` of an extended loan: what is left to pay of its open
/// accounts (mod-circulation's `amountRemainingToPay`, 0 without any).
pub(crate) fn with_fees_remaining(mut loan: Value, accounts: &[&Account]) -> Value {
    let cents: i64 = accounts
        .iter()
        .filter(|a| a.is_open())
        .filter_map(|a| a.remaining())
        .map(Amount::cents)
        .sum();
    if let Some(o) = loan.as_object_mut() {
        o.insert(
            "feesAndFines".into(),
            json!({"amountRemainingToPay": cents_as_number(cents)}),
        );
    }
    loan
}

/// The stored loan extended for an answer.
pub(crate) fn extended_loan(stored: &Loan, extras: LoanExtras<'_>) -> Value {
    let mut loan = stored.json().as_object().cloned().unwrap_or_default();
    loan.remove("itemStatus");
    loan.remove("patronGroupIdAtCheckout");
    loan.insert("item".into(), extras.item.summary(extras.item_status));
    if let Some(user) = extras.borrower {
        loan.insert("borrower".into(), user.borrower_summary());
    }
    if let Some(group) = extras.patron_group {
        let mut summary = Map::new();
        put(&mut summary, "id", group.id_value());
        put(&mut summary, "name", group.name());
        loan.insert("patronGroupAtCheckout".into(), Value::Object(summary));
    }
    // Always there, named or not.
    for (key, name) in extras.policy_names {
        loan.insert(key.into(), json!({ "name": name }));
    }
    if extras.changed_by_hold {
        loan.insert("dueDateChangedByHold".into(), json!(true));
    }
    if extras.changed_by_expiry {
        loan.insert("dueDateChangedByNearExpireUser".into(), json!(true));
    }
    Value::Object(loan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_summary_leaves_out_what_is_empty() {
        let item = Item::from_json(json!({"id": "it", "barcode": "i1", "copyNumber": " ",
                              "administrativeNotes": [], "accessionNumber": ""}));
        let holdings = Holdings::from_json(json!({"instanceId": "in", "copyNumber": "c2"}));
        let instance =
            Instance::from_json(json!({"title": "Dune", "contributors": [], "editions": [],
                                  "series": [], "publication": [], "physicalDescriptions": []}));
        let context = ItemInContext {
            item: Some(&item),
            holdings: Some(&holdings),
            instance: Some(&instance),
            ..Default::default()
        };
        assert_eq!(
            context.summary("Checked out"),
            json!({"id": "it", "instanceId": "in", "title": "Dune", "barcode": "i1",
                   "copyNumber": "c2", "status": {"name": "Checked out"}})
        );
    }

    #[test]
    fn item_summary_lists_and_components_when_there() {
        let item = Item::from_json(json!({"id": "it", "tenantId": "college",
                              "effectiveCallNumberComponents": {"callNumber": "QA1", "prefix": ""}}));
        let instance = Instance::from_json(json!({"series": [{"value": "S"}, "Old"],
                                  "publication": [{"dateOfPublication": "1965"}, {"publisher": "P"}]}));
        let context = ItemInContext {
            item: Some(&item),
            instance: Some(&instance),
            ..Default::default()
        };
        let summary = context.summary("Checked out");
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
            User::from_json(json!({"barcode": "u1", "personal": {"lastName": "Doe"}}))
                .borrower_summary(),
            json!({"firstName": null, "lastName": "Doe", "middleName": null, "barcode": "u1",
                   "preferredFirstName": null, "patronGroup": null})
        );
    }

    #[test]
    fn policies_always_named_and_group_without_blanks() {
        let group = PatronGroup::from_json(json!({"id": "g", "group": ""}));
        let loan = extended_loan(
            &Loan::from_json(
                json!({"id": "l", "itemStatus": "Checked out", "patronGroupIdAtCheckout": "g"}),
            ),
            LoanExtras {
                item: ItemInContext::default(),
                item_status: "Checked out",
                borrower: None,
                patron_group: Some(&group),
                policy_names: [
                    ("loanPolicy", Some("Rolling".into())),
                    ("overdueFinePolicy", None),
                    ("lostItemPolicy", None),
                ],
                changed_by_hold: false,
                changed_by_expiry: false,
            },
        );
        assert_eq!(loan["loanPolicy"], json!({"name": "Rolling"}));
        assert_eq!(loan["overdueFinePolicy"], json!({"name": null}));
        assert_eq!(loan["lostItemPolicy"], json!({"name": null}));
        assert_eq!(loan["patronGroupAtCheckout"], json!({"id": "g"}));
        assert!(loan.get("itemStatus").is_none());
        assert!(loan.get("patronGroupIdAtCheckout").is_none());
    }
}
