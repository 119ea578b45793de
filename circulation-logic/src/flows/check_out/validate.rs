//! The check-out validations of mod-circulation, in its order with every error collected, and
//! the block overrides in place of the blocks they override (docs/architecture.md, "Check-out
//! validations").
use super::records::CheckOutRecords;
use super::request::CheckOutRequest;
use crate::domain::{BlockedAction, MaterialType};
use crate::validation::overrides::{
    override_allowed, ITEM_LIMIT_PERMISSION, ITEM_NOT_LOANABLE_PERMISSION, PATRON_BLOCK_PERMISSION,
};
use crate::validation::{
    distinct, item, item_limit, loanable, patron_blocks, proxy, requests, service_point, user,
    Granted,
};
use chrono::{DateTime, Utc};
use shared_types::errors::Error;

/// All check-out validations, in FOLIO's order.
pub(crate) fn validate(
    req: &CheckOutRequest,
    g: &CheckOutRecords,
    granted: Granted,
    loan_date: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Error> {
    let mut errors = Vec::new();
    let user_barcode = req.user_barcode.as_deref();
    let item_barcode = req.item_barcode.as_deref();
    let proxy_barcode = req.proxy_user_barcode.as_deref();
    let overrides = &req.overrides;
    let override_of =
        |name, permission| override_allowed(overrides, name, permission, granted, loan_date);

    errors.extend(service_point::check_out_at_service_point(
        req.service_point_id.as_deref(),
    ));
    errors.extend(user::user_found(
        g.user.as_ref(),
        "userBarcode",
        user_barcode,
    ));
    if g.user.is_some() {
        if overrides.patron_block {
            errors.extend(override_of("patronBlock", PATRON_BLOCK_PERMISSION));
        } else {
            let borrowing = BlockedAction::Borrowing;
            errors.extend(patron_blocks::manual_blocks(
                &g.manual_blocks,
                borrowing,
                now,
                granted,
            ));
            errors.extend(patron_blocks::automated_blocks(
                &g.automated_blocks,
                borrowing,
                granted,
            ));
        }
    }
    if proxy_barcode.is_some() {
        errors.extend(user::user_found(
            g.proxy.as_ref(),
            "proxyUserBarcode",
            proxy_barcode,
        ));
    }
    if let Some(u) = &g.user {
        errors.extend(user::borrower_active(u, user_barcode, now));
    }
    if let Some(p) = &g.proxy {
        errors.extend(user::proxy_active(p, proxy_barcode, now));
    }
    if let (Some(u), Some(p)) = (&g.user, &g.proxy) {
        errors.extend(proxy::proxy_relationship(
            u,
            p,
            &g.proxy_relationships,
            proxy_barcode,
            now,
        ));
    }
    errors.extend(item::item_found(g.item.as_ref(), item_barcode));
    if let Some(it) = &g.item {
        errors.extend(item::item_status_allows_check_out(
            it,
            item_barcode,
            g.in_context().title(),
            g.material_type.as_ref().and_then(MaterialType::raw_name),
        ));
        errors.extend(item::no_open_loan(
            g.open_loans_for_item.len(),
            item_barcode,
        ));
    }
    if let (Some(u), Some(it)) = (&g.user, &g.item) {
        errors.extend(requests::not_requested_by_another_patron(
            u,
            it,
            &g.queue,
            g.in_context().title(),
            user_barcode,
            item_barcode,
        ));
    }
    if let Some(p) = &g.policies {
        if overrides.item_limit_block {
            errors.extend(override_of("itemLimitBlock", ITEM_LIMIT_PERMISSION));
        } else if let (Some(limit), Some(count)) = (p.item_limit(), g.item_limit_count) {
            errors.extend(item_limit::within_item_limit(
                limit,
                count,
                p.conditions,
                item_barcode,
                granted,
            ));
        }
        if overrides.item_not_loanable_block.is_some() {
            errors.extend(override_of(
                "itemNotLoanableBlock",
                ITEM_NOT_LOANABLE_PERMISSION,
            ));
        } else {
            errors.extend(loanable::item_loanable(p, item_barcode, granted));
        }
    }
    distinct(errors)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        AutomatedBlock, Instance, Item, Loan, ManualBlock, MaterialType, Policies,
        ProxyRelationship, RequestQueue, User,
    };
    use crate::due_date::parse_utc;
    use crate::rules::AppliedRuleConditions;
    use crate::validation::overrides::Overrides;
    use serde_json::{json, Value};
    use shared_types::errors::Error;

    fn users(v: Value) -> Option<User> {
        Some(User::from_json(v))
    }

    fn items(v: Value) -> Option<Item> {
        Some(Item::from_json(v))
    }

    fn manual(list: Vec<Value>) -> Vec<ManualBlock> {
        list.into_iter().map(ManualBlock::from_json).collect()
    }

    fn automated(list: Vec<Value>) -> Vec<AutomatedBlock> {
        list.into_iter().map(AutomatedBlock::from_json).collect()
    }

    fn relationships(list: Vec<Value>) -> Vec<ProxyRelationship> {
        list.into_iter().map(ProxyRelationship::from_json).collect()
    }

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

    fn user(id: &str) -> User {
        User::from_json(
            json!({"id": id, "barcode": "u1", "active": true, "patronGroup": "g",
               "personal": {"lastName": "Doe", "firstName": "Jane"}}),
        )
    }

    fn policies(loanable: bool, item_limit: Option<i32>, m: bool) -> Policies {
        let mut p = Policies::for_test(json!({
            "id": "lp", "name": "Policy", "loanable": loanable, "renewable": true,
            "loansPolicy": {"profileId": "Rolling", "itemLimit": item_limit}
        }));
        p.conditions = AppliedRuleConditions {
            material_type_match: m,
            loan_type_match: false,
            patron_group_match: true,
        };
        p
    }

    fn gathered() -> CheckOutRecords {
        CheckOutRecords {
            user: Some(user("u")),
            item: items(json!({"id": "it", "barcode": "i1", "status": {"name": "Available"}})),
            instance: Some(Instance::from_json(json!({"title": "Dune"}))),
            material_type: Some(MaterialType::from_json(json!({"name": "book"}))),
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
        g.user = users(
            json!({"id": "u", "barcode": "u1", "active": false, "patronGroup": "g",
                            "personal": {"lastName": "Doe", "firstName": "Jane"}}),
        );
        g.manual_blocks = manual(vec![
            json!({"desc": "first", "borrowing": true}),
            json!({"desc": "second", "borrowing": false}),
        ]);
        g.automated_blocks = automated(vec![
            json!({"message": "Too many items", "blockBorrowing": true}),
            json!({"message": "ignored", "blockBorrowing": false}),
        ]);
        g.item = items(json!({"id": "it", "barcode": "i1", "status": {"name": "Checked out"}}));
        g.open_loans_for_item = vec![Loan::from_json(json!({"id": "l"}))];
        g.queue = RequestQueue::from_json(vec![
            json!({"requesterId": "other", "fulfillmentPreference": "Hold Shelf"}),
        ]);
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
        let g = CheckOutRecords {
            manual_blocks: manual(vec![json!({"desc": "x", "borrowing": true})]),
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
        g.manual_blocks = manual(vec![json!({"desc": "x", "borrowing": true})]);
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
        let errors = validate(&req, &CheckOutRecords::default(), &none, now(), now());
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
        g.item = items(json!({"id": "it", "barcode": "i1", "status": {"name": "Declared lost"}}));
        g.manual_blocks = manual(vec![json!({"borrowing": true}), json!({"desc": "x"})]);
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
        g.queue = RequestQueue::from_json(vec![
            json!({"requesterId": "other", "fulfillmentPreference": "Hold Shelf"}),
        ]);
        let name = |g: &CheckOutRecords| {
            let errors = validate(&request(), g, &none, now(), now());
            let m = errors[0].message.clone();
            m["Dune (Barcode: i1) cannot be checked out to user ".len()..]
                .trim_end_matches(" because it has been requested by another patron")
                .to_string()
        };
        assert_eq!(name(&g), "Doe, Jane");
        g.user = users(json!({"id": "u", "active": true, "username": "jdoe",
                             "personal": {"lastName": "Doe", "firstName": " "}}));
        assert_eq!(name(&g), "jdoe");
        g.user = users(json!({"id": "u", "active": true, "personal": {"firstName": "Jane"}}));
        assert_eq!(name(&g), "null");
    }

    #[test]
    fn the_same_error_is_answered_once() {
        let mut g = gathered();
        g.automated_blocks = automated(vec![
            json!({"message": "Too many items", "blockBorrowing": true}),
            json!({"message": "Too many items", "blockBorrowing": true}),
        ]);
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
        g.proxy = users(json!({"id": "p", "barcode": "p1"}));
        let errors = validate(&req, &g, &none, now(), now());
        assert_eq!(
            messages(&errors),
            vec![
                "Cannot determine if proxying user is active or not",
                "Cannot check out item via proxy when relationship is invalid"
            ]
        );
        g.proxy = users(json!({"id": "p", "barcode": "p1", "active": true}));
        g.proxy_relationships = relationships(vec![
            json!({"status": "active", "expirationDate": "2031-01-01T00:00:00Z"}),
        ]);
        assert!(validate(&req, &g, &none, now(), now()).is_empty());
        g.proxy_relationships = relationships(vec![
            json!({"meta": {"status": "Active", "expirationDate": "2029-01-01T00:00:00Z"}}),
        ]);
        assert_eq!(validate(&req, &g, &none, now(), now()).len(), 1);
    }
}
