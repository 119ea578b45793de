//! The check-out validations of mod-circulation, run in its order with every error collected
//! (research/checkout-flow.md §1.5), and the block overrides (§1.6).
use super::gather::Gathered;
use super::{s, CheckOutRequest};
use crate::due_date::parse_utc;
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

/// The checks done in place of a requested override, up to the first that fails: permission,
/// comment, then the due date. As in FOLIO, every override checks the due date whenever
/// `itemNotLoanableBlock` is requested, whichever block it overrides itself.
fn override_checks(
    errors: &mut Vec<Error>,
    req: &CheckOutRequest,
    name: &str,
    permission: &str,
    granted: &dyn Fn(&str) -> bool,
    loan_date: DateTime<Utc>,
) {
    if !granted(permission) {
        let mut e = error(
            "Insufficient override permissions",
            &[],
            Some("INSUFFICIENT_OVERRIDE_PERMISSIONS"),
        );
        e.overridable_block = Some(json!({"name": name, "missingPermissions": [permission]}));
        errors.push(e);
        return;
    }
    if req.overrides.comment.is_none() {
        errors.push(error(
            "Override should be performed with the comment specified",
            &[("comment", None)],
            None,
        ));
        return;
    }
    match &req.overrides.item_not_loanable_block {
        Some(None) => errors.push(error(
            "Override should be performed with due date specified",
            &[("dueDate", None)],
            None,
        )),
        // An unreadable date was already refused with the request.
        Some(Some(raw)) if parse_utc(raw).is_none_or(|d| d <= loan_date) => errors.push(error(
            "Due date should be later than loan date",
            &[("dueDate", Some(raw))],
            None,
        )),
        _ => {}
    }
}

/// `active` missing → `None`; else whether active and not expired.
fn is_active(user: &Value, now: DateTime<Utc>) -> Option<bool> {
    let active = user.get("active")?.as_bool().unwrap_or(false);
    let expired = s(user, &["expirationDate"])
        .and_then(parse_utc)
        .is_some_and(|d| d < now);
    Some(active && !expired)
}

fn relationship_active(r: &Value, now: DateTime<Utc>) -> bool {
    let status = s(r, &["status"]).or(s(r, &["meta", "status"]));
    let expiry = s(r, &["expirationDate"]).or(s(r, &["meta", "expirationDate"]));
    status.is_some_and(|st| st.eq_ignore_ascii_case("active"))
        && expiry.and_then(parse_utc).is_none_or(|d| d >= now)
}

/// A string field as FOLIO's messages print it (`String.format`): `null` when missing.
fn or_null<'a>(v: Option<&'a Value>, key: &str) -> &'a str {
    v.and_then(|v| v.get(key))
        .and_then(Value::as_str)
        .unwrap_or("null")
}

fn title(g: &Gathered) -> &str {
    fn text<'a>(v: &'a Option<Value>, key: &str) -> Option<&'a str> {
        v.as_ref()?.get(key)?.as_str()
    }
    // A DCB item carries its title itself.
    text(&g.instance, "title")
        .or_else(|| text(&g.item, "instanceTitle"))
        .unwrap_or("null")
}

/// `Last, First` when both are there, else the username (FOLIO's personal name).
fn personal_name(user: &Value) -> String {
    let name = |key: &str| s(user, &["personal", key]).filter(|n| !n.trim().is_empty());
    match (name("lastName"), name("firstName")) {
        (Some(last), Some(first)) => format!("{last}, {first}"),
        _ => or_null(Some(user), "username").to_string(),
    }
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
    let user_barcode = req.user_barcode.as_deref();
    let item_barcode = req.item_barcode.as_deref();
    let proxy_barcode = req.proxy_user_barcode.as_deref();

    // 1
    let service_point = req.service_point_id.as_deref();
    if service_point.is_none_or(str::is_empty) {
        errors.push(error(
            "Check out must be performed at a service point",
            &[("servicePointId", service_point)],
            None,
        ));
    }
    // 2
    if g.user.is_none() {
        errors.push(error(
            "Could not find user with matching barcode",
            &[("userBarcode", user_barcode)],
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
                loan_date,
            );
        } else {
            let blocking: Vec<&Value> = g
                .manual_blocks
                .iter()
                .filter(|b| {
                    b.get("borrowing").and_then(Value::as_bool) == Some(true)
                        && s(b, &["expirationDate"])
                            .and_then(parse_utc)
                            .is_none_or(|d| d > now)
                })
                .collect();
            if !blocking.is_empty() {
                let reason = g
                    .manual_blocks
                    .iter()
                    .map(|b| or_null(Some(b), "desc"))
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
                &[("userBarcode", user_barcode)],
                None,
            )),
            Some(false) => errors.push(error(
                "Cannot check out to inactive user",
                &[("userBarcode", user_barcode)],
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
            format!(
                "No item with barcode {} could be found",
                item_barcode.unwrap_or("null")
            ),
            &[("itemBarcode", item_barcode)],
            None,
        )),
        Some(item) => {
            let status = s(item, &["status", "name"]).unwrap_or("");
            if status == "Checked out" {
                errors.push(error(
                    "Item is already checked out",
                    &[("itemBarcode", item_barcode)],
                    None,
                ));
            } else if BLOCKED_STATUSES.contains(&status) {
                let material = or_null(g.material_type.as_ref(), "name");
                let barcode = s(item, &["barcode"]).or(item_barcode);
                errors.push(error(
                    format!(
                        "{} ({material}) (Barcode: {}) has the item status {status} and cannot be checked out",
                        title(g),
                        barcode.unwrap_or("null")
                    ),
                    &[("itemBarcode", barcode)],
                    None,
                ));
            }
            if !g.open_loans_for_item.is_empty() {
                errors.push(error(
                    "Cannot check out item that already has an open loan",
                    &[("itemBarcode", item_barcode)],
                    Some("ITEM_HAS_OPEN_LOAN"),
                ));
            }
        }
    }
    // 13
    if let (Some(user), Some(item)) = (&g.user, &g.item) {
        if let Some(request) = first_fulfillable(&g.queue, s(item, &["id"]).unwrap_or_default()) {
            if s(request, &["requesterId"]) != s(user, &["id"]) {
                errors.push(error(
                    format!(
                        "{} (Barcode: {}) cannot be checked out to user {} because it has been requested by another patron",
                        title(g),
                        s(item, &["barcode"]).or(item_barcode).unwrap_or("null"),
                        personal_name(user)
                    ),
                    &[("userBarcode", user_barcode)],
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
                loan_date,
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
                            &[("itemBarcode", item_barcode), ("itemLimit", Some(&n))],
                            Some(code),
                        ),
                        "itemLimitBlock",
                        ITEM_LIMIT_PERMISSION,
                        granted,
                    ));
                }
            }
        }
        if req.overrides.item_not_loanable_block.is_some() {
            override_checks(
                &mut errors,
                req,
                "itemNotLoanableBlock",
                ITEM_NOT_LOANABLE_PERMISSION,
                granted,
                loan_date,
            );
        } else if !p.loan.loanable {
            errors.push(overridable(
                error(
                    "Item is not loanable",
                    &[
                        ("itemBarcode", item_barcode),
                        ("loanPolicyId", Some(&p.loan_policy_id)),
                        ("loanPolicyName", p.loan_policy_name()),
                    ],
                    Some("ITEM_NOT_LOANABLE"),
                ),
                "itemNotLoanableBlock",
                ITEM_NOT_LOANABLE_PERMISSION,
                granted,
            ));
        }
    }
    // FOLIO answers each distinct error once (two overrides, or two automated blocks, can say
    // the same).
    let mut distinct: Vec<Error> = Vec::with_capacity(errors.len());
    for e in errors {
        if !distinct.contains(&e) {
            distinct.push(e);
        }
    }
    distinct
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout::policies::Policies;
    use crate::checkout::Overrides;
    use crate::rules::AppliedRuleConditions;
    use shared_types::policy::LoanPolicy;

    fn now() -> DateTime<Utc> {
        parse_utc("2030-01-01T00:00:00Z").unwrap()
    }

    fn request() -> CheckOutRequest {
        CheckOutRequest {
            item_barcode: Some("i1".into()),
            user_barcode: Some("u1".into()),
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
    fn missing_values_are_worded_null_and_sent_values_echoed() {
        let req = CheckOutRequest {
            service_point_id: Some(String::new()),
            ..Default::default()
        };
        let errors = validate(&req, &Gathered::default(), &none, now(), now());
        assert_eq!(
            messages(&errors),
            vec![
                "Check out must be performed at a service point",
                "Could not find user with matching barcode",
                "No item with barcode null could be found"
            ]
        );
        let value = |i: usize| errors[i].parameters[0].value.clone();
        assert_eq!(value(0).as_deref(), Some(""));
        assert_eq!(value(1), None);
        assert_eq!(value(2), None);
        // Spaces are a service point as far as FOLIO is concerned.
        let mut req = request();
        req.service_point_id = Some("  ".into());
        assert!(validate(&req, &gathered(), &none, now(), now()).is_empty());
    }

    #[test]
    fn missing_title_material_type_and_block_description_print_null() {
        let mut g = gathered();
        g.instance = None;
        g.material_type = None;
        g.item = Some(json!({"id": "it", "barcode": "i1", "status": {"name": "Declared lost"}}));
        g.manual_blocks = vec![json!({"borrowing": true}), json!({"desc": "x"})];
        let errors = validate(&request(), &g, &none, now(), now());
        assert_eq!(
            messages(&errors),
            vec![
                "Patron blocked from borrowing",
                "null (null) (Barcode: i1) has the item status Declared lost and cannot be checked out"
            ]
        );
        assert_eq!(errors[0].parameters[0].value.as_deref(), Some("null;x"));
    }

    #[test]
    fn requester_name_needs_both_names_else_the_username() {
        let mut g = gathered();
        g.queue = vec![json!({"requesterId": "other", "fulfillmentPreference": "Hold Shelf"})];
        let name = |g: &Gathered| {
            let errors = validate(&request(), g, &none, now(), now());
            let m = errors[0].message.clone();
            m["Dune (Barcode: i1) cannot be checked out to user ".len()..]
                .trim_end_matches(" because it has been requested by another patron")
                .to_string()
        };
        assert_eq!(name(&g), "Doe, Jane");
        g.user = Some(json!({"id": "u", "active": true, "username": "jdoe",
                             "personal": {"lastName": "Doe", "firstName": " "}}));
        assert_eq!(name(&g), "jdoe");
        g.user = Some(json!({"id": "u", "active": true, "personal": {"firstName": "Jane"}}));
        assert_eq!(name(&g), "null");
    }

    #[test]
    fn the_same_error_is_answered_once() {
        let mut g = gathered();
        g.automated_blocks = vec![
            json!({"message": "Too many items", "blockBorrowing": true}),
            json!({"message": "Too many items", "blockBorrowing": true}),
        ];
        let errors = validate(&request(), &g, &none, now(), now());
        assert_eq!(messages(&errors), vec!["Too many items"]);
    }

    #[test]
    fn every_override_checks_the_due_date_and_an_empty_comment_is_a_comment() {
        let mut req = request();
        req.overrides = Overrides {
            patron_block: true,
            item_not_loanable_block: Some(Some("2029-12-31T00:00:00Z".into())),
            comment: Some(String::new()),
            ..Default::default()
        };
        // At the patron-block position, though the item was not found.
        let mut g = gathered();
        g.item = None;
        g.policies = None;
        let errors = validate(&req, &g, &all, now(), now());
        assert_eq!(
            messages(&errors),
            vec![
                "Due date should be later than loan date",
                "No item with barcode i1 could be found"
            ]
        );
        // Once, though both overrides check it.
        let errors = validate(&req, &gathered(), &all, now(), now());
        assert_eq!(
            messages(&errors),
            vec!["Due date should be later than loan date"]
        );
        req.overrides.item_not_loanable_block = Some(Some("2030-01-02".into()));
        assert!(validate(&req, &gathered(), &all, now(), now()).is_empty());
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
