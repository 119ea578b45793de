//! The check-out validations of mod-circulation, run in its order with every error collected
//! (research/checkout-flow.md §1.5), and the block overrides (§1.6).
use super::gather::Gathered;
use super::{s, CheckOutRequest};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shared_types::errors::Error;

pub const PATRON_BLOCK_PERMISSION: &str = "circulation.override-patron-block.post";
pub const ITEM_LIMIT_PERMISSION: &str = "circulation.override-item-limit-block.post";
pub const ITEM_NOT_LOANABLE_PERMISSION: &str = "circulation.override-item-not-loanable-block.post";

const BLOCKED_STATUSES: [&str; 4] = [
    "Declared lost",
    "Claimed returned",
    "Intellectual item",
    "Aged to lost",
];

/// FOLIO's 422 body: `parameters` always present, a missing value as JSON `null`.
pub fn errors_body(errors: &[Error]) -> Value {
    let list: Vec<Value> = errors
        .iter()
        .map(|e| {
            let mut o = json!({
                "message": e.message,
                "parameters": e.parameters.iter()
                    .map(|p| json!({"key": p.key, "value": p.value}))
                    .collect::<Vec<_>>(),
            });
            if let Some(code) = &e.code {
                o["code"] = json!(code);
            }
            if let Some(block) = &e.overridable_block {
                o["overridableBlock"] = block.clone();
            }
            o
        })
        .collect();
    json!({ "errors": list })
}

fn error(message: impl Into<String>, params: &[(&str, Option<&str>)], code: Option<&str>) -> Error {
    let mut e = Error::new(message);
    for (k, v) in params {
        e = e.with_parameter(*k, v.map(str::to_string));
    }
    if let Some(code) = code {
        e = e.with_code(code);
    }
    e
}

fn overridable(
    mut e: Error,
    name: &str,
    permission: &str,
    granted: &dyn Fn(&str) -> bool,
) -> Error {
    let missing: Vec<&str> = if granted(permission) {
        vec![]
    } else {
        vec![permission]
    };
    e.overridable_block = Some(json!({"name": name, "missingPermissions": missing}));
    e
}

fn push_unique(errors: &mut Vec<Error>, e: Error) {
    if !errors.contains(&e) {
        errors.push(e);
    }
}

/// The checks done in place of a requested override: permission, then comment.
fn override_checks(
    errors: &mut Vec<Error>,
    req: &CheckOutRequest,
    name: &str,
    permission: &str,
    granted: &dyn Fn(&str) -> bool,
) -> bool {
    if !granted(permission) {
        let mut e = error(
            "Insufficient override permissions",
            &[],
            Some("INSUFFICIENT_OVERRIDE_PERMISSIONS"),
        );
        e.overridable_block = Some(json!({"name": name, "missingPermissions": [permission]}));
        push_unique(errors, e);
        return false;
    }
    if req.overrides.comment.is_none() {
        push_unique(
            errors,
            error(
                "Override should be performed with the comment specified",
                &[("comment", None)],
                None,
            ),
        );
        return false;
    }
    true
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| {
            // FOLIO also writes `+0000` offsets.
            DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
                .ok()
                .map(|d| d.with_timezone(&Utc))
        })
}

pub fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    parse_time(text)
}

/// `active` missing → `None`; else whether active and not expired.
fn is_active(user: &Value, now: DateTime<Utc>) -> Option<bool> {
    let active = user.get("active")?.as_bool().unwrap_or(false);
    let expired = s(user, &["expirationDate"])
        .and_then(parse_time)
        .is_some_and(|d| d < now);
    Some(active && !expired)
}

fn relationship_active(r: &Value, now: DateTime<Utc>) -> bool {
    let status = s(r, &["status"]).or(s(r, &["meta", "status"]));
    let expiry = s(r, &["expirationDate"]).or(s(r, &["meta", "expirationDate"]));
    status.is_some_and(|st| st.eq_ignore_ascii_case("active"))
        && expiry.and_then(parse_time).is_none_or(|d| d >= now)
}

fn title(g: &Gathered) -> &str {
    g.instance
        .as_ref()
        .and_then(|i| s(i, &["title"]))
        // A DCB item carries its title itself.
        .or_else(|| g.item.as_ref().and_then(|i| s(i, &["instanceTitle"])))
        .unwrap_or("")
}

/// Item-limit message suffix and code from the matched rule's conditions.
pub fn item_limit_wording(m: bool, t: bool, g: bool) -> Option<(&'static str, &'static str)> {
    Some(match (m, t, g) {
        (true, true, true) => (
            "for combination of patron group, material type and loan type",
            "ITEM_LIMIT_PATRON_GROUP_MATERIAL_TYPE_LOAN_TYPE",
        ),
        (true, true, false) => (
            "for combination of material type and loan type",
            "ITEM_LIMIT_MATERIAL_TYPE_LOAN_TYPE",
        ),
        (true, false, true) => (
            "for combination of patron group and material type",
            "ITEM_LIMIT_PATRON_GROUP_MATERIAL_TYPE",
        ),
        (false, true, true) => (
            "for combination of patron group and loan type",
            "ITEM_LIMIT_PATRON_GROUP_LOAN_TYPE",
        ),
        (true, false, false) => ("for material type", "ITEM_LIMIT_MATERIAL_TYPE"),
        (false, true, false) => ("for loan type", "ITEM_LIMIT_LOAN_TYPE"),
        (false, false, _) => return None,
    })
}

/// The first request that check-out would fulfil: the queue's first Hold Shelf / Delivery request.
/// A title-level request counts when it has no item yet or is for this item.
pub fn first_fulfillable<'a>(queue: &'a [Value], item_id: &str) -> Option<&'a Value> {
    queue.iter().find(|r| {
        matches!(
            s(r, &["fulfillmentPreference"]),
            Some("Hold Shelf") | Some("Delivery")
        ) && s(r, &["itemId"]).is_none_or(|id| id == item_id)
    })
}

/// All check-out validations, in FOLIO's order. `granted` says whether the caller holds a
/// permission (from `X-Okapi-Permissions`).
pub fn validate(
    req: &CheckOutRequest,
    g: &Gathered,
    granted: &dyn Fn(&str) -> bool,
    loan_date: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Error> {
    let mut errors = Vec::new();
    let user_barcode = req.user_barcode.as_str();
    let item_barcode = req.item_barcode.as_str();
    let proxy_barcode = req.proxy_user_barcode.as_deref();

    // 1
    if req.service_point_id.is_none() {
        errors.push(error(
            "Check out must be performed at a service point",
            &[("servicePointId", None)],
            None,
        ));
    }
    // 2
    if g.user.is_none() {
        errors.push(error(
            "Could not find user with matching barcode",
            &[("userBarcode", Some(user_barcode))],
            Some("USER_BARCODE_NOT_FOUND"),
        ));
    }
    // 3, 4
    if g.user.is_some() {
        if req.overrides.patron_block {
            override_checks(
                &mut errors,
                req,
                "patronBlock",
                PATRON_BLOCK_PERMISSION,
                granted,
            );
        } else {
            let blocking: Vec<&Value> = g
                .manual_blocks
                .iter()
                .filter(|b| {
                    b.get("borrowing").and_then(Value::as_bool) == Some(true)
                        && s(b, &["expirationDate"])
                            .and_then(parse_time)
                            .is_none_or(|d| d > now)
                })
                .collect();
            if !blocking.is_empty() {
                let reason = g
                    .manual_blocks
                    .iter()
                    .map(|b| s(b, &["desc"]).unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(";");
                errors.push(overridable(
                    error(
                        "Patron blocked from borrowing",
                        &[("reason", Some(&reason))],
                        Some("USER_IS_BLOCKED_MANUALLY"),
                    ),
                    "patronBlock",
                    PATRON_BLOCK_PERMISSION,
                    granted,
                ));
            }
            for block in &g.automated_blocks {
                if block.get("blockBorrowing").and_then(Value::as_bool) == Some(true) {
                    errors.push(overridable(
                        error(
                            block.get("message").and_then(Value::as_str).unwrap_or(""),
                            &[],
                            Some("USER_IS_BLOCKED_AUTOMATICALLY"),
                        ),
                        "patronBlock",
                        PATRON_BLOCK_PERMISSION,
                        granted,
                    ));
                }
            }
        }
    }
    // 5
    if proxy_barcode.is_some() && g.proxy.is_none() {
        errors.push(error(
            "Could not find user with matching barcode",
            &[("proxyUserBarcode", proxy_barcode)],
            Some("USER_BARCODE_NOT_FOUND"),
        ));
    }
    // 6
    if let Some(user) = &g.user {
        match is_active(user, now) {
            None => errors.push(error(
                "Cannot determine if user is active or not",
                &[("userBarcode", Some(user_barcode))],
                None,
            )),
            Some(false) => errors.push(error(
                "Cannot check out to inactive user",
                &[("userBarcode", Some(user_barcode))],
                None,
            )),
            Some(true) => {}
        }
    }
    // 7
    if let Some(proxy) = &g.proxy {
        match is_active(proxy, now) {
            None => errors.push(error(
                "Cannot determine if proxying user is active or not",
                &[("proxyUserBarcode", proxy_barcode)],
                None,
            )),
            Some(false) => errors.push(error(
                "Cannot check out via inactive proxying user",
                &[("proxyUserBarcode", proxy_barcode)],
                None,
            )),
            Some(true) => {}
        }
    }
    // 8
    if let (Some(user), Some(proxy)) = (&g.user, &g.proxy) {
        let proxy_id = s(proxy, &["id"]);
        if proxy_id.is_some() && proxy_id == s(user, &["id"]) {
            errors.push(error(
                "User cannot be proxy for themselves",
                &[("proxyUserId", proxy_id)],
                Some("USER_CANNOT_BE_PROXY_FOR_THEMSELVES"),
            ));
        } else if !g
            .proxy_relationships
            .iter()
            .any(|r| relationship_active(r, now))
        {
            errors.push(error(
                "Cannot check out item via proxy when relationship is invalid",
                &[("proxyUserBarcode", proxy_barcode)],
                None,
            ));
        }
    }
    // 9 - 12
    match &g.item {
        None => errors.push(error(
            format!("No item with barcode {item_barcode} could be found"),
            &[("itemBarcode", Some(item_barcode))],
            None,
        )),
        Some(item) => {
            let status = s(item, &["status", "name"]).unwrap_or("");
            if status == "Checked out" {
                errors.push(error(
                    "Item is already checked out",
                    &[("itemBarcode", Some(item_barcode))],
                    None,
                ));
            } else if BLOCKED_STATUSES.contains(&status) {
                let material = g
                    .material_type
                    .as_ref()
                    .and_then(|m| s(m, &["name"]))
                    .unwrap_or("");
                let barcode = s(item, &["barcode"]).unwrap_or(item_barcode);
                errors.push(error(
                    format!(
                        "{} ({material}) (Barcode: {barcode}) has the item status {status} and cannot be checked out",
                        title(g)
                    ),
                    &[("itemBarcode", Some(item_barcode))],
                    None,
                ));
            }
            if !g.open_loans_for_item.is_empty() {
                errors.push(error(
                    "Cannot check out item that already has an open loan",
                    &[("itemBarcode", Some(item_barcode))],
                    Some("ITEM_HAS_OPEN_LOAN"),
                ));
            }
        }
    }
    // 13
    if let (Some(user), Some(item)) = (&g.user, &g.item) {
        if let Some(request) = first_fulfillable(&g.queue, s(item, &["id"]).unwrap_or_default()) {
            if s(request, &["requesterId"]) != s(user, &["id"]) {
                let last = s(user, &["personal", "lastName"]);
                let first = s(user, &["personal", "firstName"]);
                let name = match (last, first) {
                    (None, None) => s(user, &["username"]).unwrap_or("").to_string(),
                    (l, f) => format!("{}, {}", l.unwrap_or(""), f.unwrap_or("")),
                };
                errors.push(error(
                    format!(
                        "{} (Barcode: {}) cannot be checked out to user {name} because it has been requested by another patron",
                        title(g),
                        s(item, &["barcode"]).unwrap_or(item_barcode)
                    ),
                    &[("userBarcode", Some(user_barcode))],
                    None,
                ));
            }
        }
    }
    // 14, 15
    if let Some(p) = &g.policies {
        let c = p.conditions;
        let limit = p.loan.loans_policy.as_ref().and_then(|lp| lp.item_limit);
        if req.overrides.item_limit_block {
            override_checks(
                &mut errors,
                req,
                "itemLimitBlock",
                ITEM_LIMIT_PERMISSION,
                granted,
            );
        } else if let (Some(limit), Some(count)) = (limit, g.item_limit_count) {
            if let Some((suffix, code)) = item_limit_wording(
                c.material_type_match,
                c.loan_type_match,
                c.patron_group_match,
            ) {
                if count >= limit.max(0) as usize {
                    let n = limit.to_string();
                    errors.push(overridable(
                        error(
                            format!("Patron has reached maximum limit of {limit} items {suffix}"),
                            &[("itemBarcode", Some(item_barcode)), ("itemLimit", Some(&n))],
                            Some(code),
                        ),
                        "itemLimitBlock",
                        ITEM_LIMIT_PERMISSION,
                        granted,
                    ));
                }
            }
        }
        if let Some(due) = &req.overrides.item_not_loanable_block {
            if override_checks(
                &mut errors,
                req,
                "itemNotLoanableBlock",
                ITEM_NOT_LOANABLE_PERMISSION,
                granted,
            ) {
                match due {
                    None => errors.push(error(
                        "Override should be performed with due date specified",
                        &[("dueDate", None)],
                        None,
                    )),
                    Some(raw) => {
                        if parse_time(raw).is_none_or(|d| d <= loan_date) {
                            errors.push(error(
                                "Due date should be later than loan date",
                                &[("dueDate", Some(raw))],
                                None,
                            ));
                        }
                    }
                }
            }
        } else if !p.loan.loanable {
            errors.push(overridable(
                error(
                    "Item is not loanable",
                    &[
                        ("itemBarcode", Some(item_barcode)),
                        ("loanPolicyId", Some(&p.loan_policy_id)),
                        ("loanPolicyName", Some(&p.loan.name)),
                    ],
                    Some("ITEM_NOT_LOANABLE"),
                ),
                "itemNotLoanableBlock",
                ITEM_NOT_LOANABLE_PERMISSION,
                granted,
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout::policies::Policies;
    use crate::checkout::Overrides;
    use crate::rules::AppliedRuleConditions;
    use shared_types::policy::LoanPolicy;

    fn now() -> DateTime<Utc> {
        parse_date_time("2030-01-01T00:00:00Z").unwrap()
    }

    fn request() -> CheckOutRequest {
        CheckOutRequest {
            item_barcode: "i1".into(),
            user_barcode: "u1".into(),
            service_point_id: Some("sp".into()),
            ..Default::default()
        }
    }

    fn user(id: &str) -> Value {
        json!({"id": id, "barcode": "u1", "active": true, "patronGroup": "g",
               "personal": {"lastName": "Doe", "firstName": "Jane"}})
    }

    fn policies(loanable: bool, item_limit: Option<i32>, m: bool) -> Policies {
        let loan: LoanPolicy = serde_json::from_value(json!({
            "id": "lp", "name": "Policy", "loanable": loanable, "renewable": true,
            "loansPolicy": {"profileId": "Rolling", "itemLimit": item_limit}
        }))
        .unwrap();
        Policies {
            loan_policy_id: "lp".into(),
            loan_policy: Value::Null,
            loan,
            conditions: AppliedRuleConditions {
                material_type_match: m,
                loan_type_match: false,
                patron_group_match: true,
            },
            overdue_fine_policy: Ok(Value::Null),
            lost_item_policy: Ok(Value::Null),
            overdue_fine_policy_id: String::new(),
            lost_item_policy_id: String::new(),
            request_policy_id: String::new(),
            notice_policy_id: String::new(),
            notice_policy: None,
            schedule: None,
        }
    }

    fn gathered() -> Gathered {
        Gathered {
            user: Some(user("u")),
            item: Some(json!({"id": "it", "barcode": "i1", "status": {"name": "Available"}})),
            instance: Some(json!({"title": "Dune"})),
            material_type: Some(json!({"name": "book"})),
            policies: Some(policies(true, None, false)),
            ..Default::default()
        }
    }

    fn messages(errors: &[Error]) -> Vec<&str> {
        errors.iter().map(|e| e.message.as_str()).collect()
    }

    fn none(_: &str) -> bool {
        false
    }

    fn all(_: &str) -> bool {
        true
    }

    #[test]
    fn nothing_wrong_nothing_reported() {
        assert!(validate(&request(), &gathered(), &none, now(), now()).is_empty());
    }

    #[test]
    fn every_error_in_folio_order() {
        let mut req = request();
        req.service_point_id = None;
        let mut g = gathered();
        g.user = Some(
            json!({"id": "u", "barcode": "u1", "active": false, "patronGroup": "g",
                            "personal": {"lastName": "Doe", "firstName": "Jane"}}),
        );
        g.manual_blocks = vec![
            json!({"desc": "first", "borrowing": true}),
            json!({"desc": "second", "borrowing": false}),
        ];
        g.automated_blocks = vec![
            json!({"message": "Too many items", "blockBorrowing": true}),
            json!({"message": "ignored", "blockBorrowing": false}),
        ];
        g.item = Some(json!({"id": "it", "barcode": "i1", "status": {"name": "Checked out"}}));
        g.open_loans_for_item = vec![json!({"id": "l"})];
        g.queue = vec![json!({"requesterId": "other", "fulfillmentPreference": "Hold Shelf"})];
        g.policies = Some(policies(false, Some(1), true));
        g.item_limit_count = Some(1);
        let errors = validate(&req, &g, &none, now(), now());
        assert_eq!(
            messages(&errors),
            vec![
                "Check out must be performed at a service point",
                "Patron blocked from borrowing",
                "Too many items",
                "Cannot check out to inactive user",
                "Item is already checked out",
                "Cannot check out item that already has an open loan",
                "Dune (Barcode: i1) cannot be checked out to user Doe, Jane because it has been requested by another patron",
                "Patron has reached maximum limit of 1 items for combination of patron group and material type",
                "Item is not loanable",
            ]
        );
        assert_eq!(
            errors[1].parameters[0].value.as_deref(),
            Some("first;second")
        );
        assert_eq!(
            errors[2].code.as_deref(),
            Some("USER_IS_BLOCKED_AUTOMATICALLY")
        );
        assert_eq!(
            errors[7].code.as_deref(),
            Some("ITEM_LIMIT_PATRON_GROUP_MATERIAL_TYPE")
        );
        assert_eq!(
            errors[7].overridable_block,
            Some(json!({"name": "itemLimitBlock", "missingPermissions": [ITEM_LIMIT_PERMISSION]}))
        );
        // The same order whatever permissions: only missingPermissions changes.
        let granted = validate(&req, &g, &all, now(), now());
        assert_eq!(messages(&granted), messages(&errors));
        assert_eq!(
            granted[8].overridable_block,
            Some(json!({"name": "itemNotLoanableBlock", "missingPermissions": []}))
        );
    }

    #[test]
    fn missing_user_and_item_skip_what_depends_on_them() {
        let g = Gathered {
            manual_blocks: vec![json!({"desc": "x", "borrowing": true})],
            ..Default::default()
        };
        let errors = validate(&request(), &g, &none, now(), now());
        assert_eq!(
            messages(&errors),
            vec![
                "Could not find user with matching barcode",
                "No item with barcode i1 could be found"
            ]
        );
    }

    #[test]
    fn overrides_are_checked_in_place_of_the_blocks_once() {
        let mut req = request();
        req.overrides = Overrides {
            patron_block: true,
            item_limit_block: true,
            item_not_loanable_block: Some(None),
            comment: None,
        };
        let mut g = gathered();
        g.manual_blocks = vec![json!({"desc": "x", "borrowing": true})];
        let errors = validate(&req, &g, &none, now(), now());
        assert_eq!(
            messages(&errors),
            vec![
                "Insufficient override permissions",
                "Insufficient override permissions",
                "Insufficient override permissions"
            ]
        );
        let names: Vec<Value> = errors
            .iter()
            .map(|e| e.overridable_block.as_ref().unwrap()["name"].clone())
            .collect();
        assert_eq!(
            names,
            vec![
                json!("patronBlock"),
                json!("itemLimitBlock"),
                json!("itemNotLoanableBlock")
            ]
        );
        // With the permissions: the comment is asked for once, then the due date.
        let errors = validate(&req, &g, &all, now(), now());
        assert_eq!(
            messages(&errors),
            vec!["Override should be performed with the comment specified"]
        );
        req.overrides.comment = Some("ok".into());
        let errors = validate(&req, &g, &all, now(), now());
        assert_eq!(
            messages(&errors),
            vec!["Override should be performed with due date specified"]
        );
        req.overrides.item_not_loanable_block = Some(Some("2030-01-02T00:00:00Z".into()));
        assert!(validate(&req, &g, &all, now(), now()).is_empty());
    }

    #[test]
    fn proxy_checks() {
        let mut req = request();
        req.proxy_user_barcode = Some("p1".into());
        let mut g = gathered();
        g.proxy = Some(json!({"id": "p", "barcode": "p1"}));
        let errors = validate(&req, &g, &none, now(), now());
        assert_eq!(
            messages(&errors),
            vec![
                "Cannot determine if proxying user is active or not",
                "Cannot check out item via proxy when relationship is invalid"
            ]
        );
        g.proxy = Some(json!({"id": "p", "barcode": "p1", "active": true}));
        g.proxy_relationships =
            vec![json!({"status": "active", "expirationDate": "2031-01-01T00:00:00Z"})];
        assert!(validate(&req, &g, &none, now(), now()).is_empty());
        g.proxy_relationships =
            vec![json!({"meta": {"status": "Active", "expirationDate": "2029-01-01T00:00:00Z"}})];
        assert_eq!(validate(&req, &g, &none, now(), now()).len(), 1);
    }

    #[test]
    fn error_body_has_parameters_and_null_values() {
        let body = errors_body(&[error("m", &[("servicePointId", None)], None)]);
        assert_eq!(
            body,
            json!({"errors": [{"message": "m", "parameters": [{"key": "servicePointId", "value": null}]}]})
        );
    }
}
