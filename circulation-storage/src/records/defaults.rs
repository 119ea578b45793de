//! What RMB's generated classes add to every stored body: empty arrays for absent array
//! properties (collections are initialised) and the schemas' `default` values, inside objects
//! that are present.
use serde_json::{json, Value};

/// (table, path of the parent object ("" for the record), property, value when absent).
type Fill = (&'static str, &'static str, &'static str, fn() -> Value);

const DEFAULTS: &[Fill] = &[
    ("patron_notice_policy", "", "loanNotices", empty),
    ("patron_notice_policy", "", "feeFineNotices", empty),
    ("patron_notice_policy", "", "requestNotices", empty),
    ("fixed_due_date_schedule", "", "schedules", empty),
    ("request_policy", "", "requestTypes", empty),
    ("tlr_feature_toggle_job", "", "errors", empty),
    ("request", "/instance", "identifiers", empty),
    ("actual_cost_record", "/instance", "identifiers", empty),
    ("actual_cost_record", "/instance", "contributors", empty),
    (
        "loan_policy",
        "/requestManagement/recalls",
        "allowRecallsToExtendOverdueLoans",
        no,
    ),
    (
        "loan_policy",
        "/loansPolicy/holdShelfExpiryPeriodForUseAtLocation",
        "intervalId",
        days,
    ),
];

fn empty() -> Value {
    json!([])
}

fn no() -> Value {
    json!(false)
}

fn days() -> Value {
    json!("Days")
}

/// Fills the defaults of the record type stored in `table`.
pub(crate) fn materialise(table: &str, record: &mut Value) {
    for (_, parent, key, value) in DEFAULTS.iter().filter(|d| d.0 == table) {
        if let Some(object) = record.pointer_mut(parent).and_then(Value::as_object_mut) {
            if object.get(*key).is_none_or(Value::is_null) {
                object.insert(key.to_string(), value());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_absent_arrays_and_defaults_inside_present_objects() {
        let mut policy = json!({"name": "p", "loanNotices": [{"x": 1}]});
        materialise("patron_notice_policy", &mut policy);
        assert_eq!(
            policy,
            json!({"name": "p", "loanNotices": [{"x": 1}], "feeFineNotices": [], "requestNotices": []})
        );
        let mut loan_policy = json!({"requestManagement": {"recalls": {}}});
        materialise("loan_policy", &mut loan_policy);
        assert_eq!(
            loan_policy,
            json!({"requestManagement": {"recalls": {"allowRecallsToExtendOverdueLoans": false}}})
        );
        let mut request = json!({"requestLevel": "Item"});
        materialise("request", &mut request);
        assert_eq!(request, json!({"requestLevel": "Item"}));
        let mut request = json!({"instance": {"title": "t"}});
        materialise("request", &mut request);
        assert_eq!(request["instance"]["identifiers"], json!([]));
    }
}
