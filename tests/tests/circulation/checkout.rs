//! End-to-end check-out through the gateway: FOLIO's validations (messages, parameters, codes,
//! order), overrides, due dates, request fulfilment, fan-out strategies, the race for one item
//! and the undo when a module fails mid-way.
use super::support::{
    body, checked_out, failing_proxy, item_record, log_records, param, post, post_via, published,
    replace, sample, start, use_loan_notices, Answer,
};
use circulation_tests::http::{encode, FolioClient};
use circulation_tests::sample_data as sd;
use circulation_tests::stack::{Stack, StackConfig};
use serde_json::{json, Value};

const ALL_OVERRIDES: &str = "[\"circulation.override-patron-block.post\",\"circulation.override-item-limit-block.post\",\"circulation.override-item-not-loanable-block.post\"]";

async fn check_out(stack: &Stack, body: Value, headers: &[(&str, &str)]) -> Answer {
    post(
        &stack.url(),
        "/circulation/check-out-by-barcode",
        &body,
        headers,
    )
    .await
}

async fn open_loans(client: &FolioClient, item_id: &str) -> usize {
    let q = encode(&format!("status.name==\"Open\" and itemId==\"{item_id}\""));
    let r = client.get(&format!("/loan-storage/loans?query={q}")).await;
    r.json()["totalRecords"].as_u64().unwrap_or(0) as usize
}

fn hop_names(timing: &str) -> Vec<String> {
    let mut names: Vec<String> = timing
        .split(", ")
        .map(|p| p.split(';').next().unwrap_or_default().to_string())
        .filter(|n| n != "total")
        .collect();
    names.sort();
    names
}

fn durations(timing: &str) -> Vec<(String, f64)> {
    timing
        .split(", ")
        .map(|p| {
            let mut params = p.split(';');
            let name = params.next().unwrap_or_default();
            let dur = params
                .find_map(|param| param.strip_prefix("dur="))
                .expect("name;dur=ms");
            (name.to_string(), dur.parse::<f64>().expect("number"))
        })
        .collect()
}

#[tokio::test]
async fn checkout_succeeds_with_folio_loan_and_server_timing() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let barcode = s.item_barcode(0);
    let loan_date = "2030-03-04T10:00:00.000Z";
    let mut b = body(&stack, 0, 0);
    b["loanDate"] = json!(loan_date);
    let staff = s.patron(19).clone();
    let staff_id = staff["id"].as_str().unwrap().to_string();
    let a = check_out(&stack, b, &[("X-Okapi-User-Id", &staff_id)]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let loan = &a.body;
    let id = loan["id"].as_str().unwrap();
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/circulation/loans/{id}").as_str())
    );
    assert_eq!(loan["status"]["name"], "Open");
    assert_eq!(loan["action"], "checkedout");
    assert_eq!(loan["loanDate"], loan_date);
    // Rolling 3 weeks, CURRENT_DUE_DATE: end of the due day (tenant zone UTC).
    assert_eq!(loan["dueDate"], "2030-03-25T23:59:59.000Z");
    assert_eq!(loan["loanPolicyId"], sd::LOAN_POLICY_ROLLING);
    assert_eq!(loan["loanPolicy"]["name"], "Rolling 3 weeks");
    assert_eq!(loan["overdueFinePolicyId"], sd::OVERDUE_FINE_POLICY);
    assert_eq!(loan["lostItemPolicyId"], sd::LOST_ITEM_FEE_POLICY);
    assert!(loan["overdueFinePolicy"]["name"].is_string());
    assert!(loan["lostItemPolicy"]["name"].is_string());
    assert_eq!(loan["checkoutServicePointId"], sd::SERVICE_POINT_CD1);
    assert_eq!(loan["item"]["barcode"], barcode.as_str());
    assert_eq!(loan["item"]["status"]["name"], "Checked out");
    assert!(loan["item"]["title"].is_string());
    assert!(loan["item"]["materialType"]["name"].is_string());
    assert!(loan["item"]["location"]["name"].is_string());
    assert_eq!(loan["borrower"]["barcode"], s.patron_barcode(0).as_str());
    assert_eq!(loan["patronGroupAtCheckout"]["id"], sd::GROUPS[0]);
    assert_eq!(loan["patronGroupAtCheckout"]["name"], "undergrad");
    assert!(loan.get("itemStatus").is_none());
    assert!(loan.get("patronGroupIdAtCheckout").is_none());
    assert!(loan["metadata"]["createdDate"].is_string());

    // What storage and inventory now hold.
    let stored = client
        .get(&format!("/loan-storage/loans/{id}"))
        .await
        .json();
    assert_eq!(stored["itemStatus"], "Checked out");
    assert_eq!(stored["patronGroupIdAtCheckout"], sd::GROUPS[0]);
    let item = item_record(&client, &barcode).await;
    assert_eq!(item["status"]["name"], "Checked out");

    // Server-Timing: every hop, and a total no smaller than any hop.
    let timing = a.timing.expect("Server-Timing");
    let parts = durations(&timing);
    let (last, total) = parts.last().unwrap().clone();
    assert_eq!(last, "total");
    assert!(parts.len() > 10, "{timing}");
    for (name, dur) in &parts {
        assert!(*dur <= total + 0.01, "{name} {dur} > total {total}");
    }
    for hop in [
        "user_by_barcode",
        "item_by_barcode",
        "create_loan",
        "update_item_status",
        "calendar_openings",
    ] {
        assert!(
            timing.contains(&format!("{hop};dur=")),
            "{hop} missing in {timing}"
        );
    }

    // Events, published without holding up the answer.
    let events = published(&stack, |e| e.len() >= 2).await;
    let types: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert!(types.contains(&"ITEM_CHECKED_OUT"), "{types:?}");
    assert!(types.contains(&"LOG_RECORD"), "{types:?}");
    let log: Value = events
        .iter()
        .find(|(k, _)| k == "LOG_RECORD")
        .map(|(_, p)| p.clone())
        .unwrap();
    assert_eq!(log["logEventType"], "CHECK_OUT_EVENT");
    assert_eq!(log["itemBarcode"], barcode.as_str());
    assert_eq!(
        log["source"],
        format!(
            "{}, {}",
            staff["personal"]["lastName"].as_str().unwrap(),
            staff["personal"]["firstName"].as_str().unwrap()
        )
    );

    // The same item again: refused, FOLIO's messages.
    let again = check_out(&stack, body(&stack, 1, 0), &[]).await;
    assert_eq!(again.status, 422, "{}", again.text);
    assert_eq!(
        again.messages(),
        vec![
            "Item is already checked out".to_string(),
            "Cannot check out item that already has an open loan".to_string()
        ]
    );
    assert_eq!(again.errors()[1]["code"], "ITEM_HAS_OPEN_LOAN");
    assert_eq!(
        param(&again.errors()[0], "itemBarcode"),
        Some(json!(barcode))
    );

    // Dry run: the policies, nothing written.
    let dry = post(
        &stack.url(),
        "/circulation/check-out-by-barcode-dry-run",
        &json!({
            "itemBarcode": s.item_barcode(1), "userBarcode": s.patron_barcode(0)
        }),
        &[],
    )
    .await;
    assert_eq!(dry.status, 201, "{}", dry.text);
    assert_eq!(dry.body["loanPolicyId"], sd::LOAN_POLICY_ROLLING);
    assert_eq!(dry.body["overdueFinePolicyId"], sd::OVERDUE_FINE_POLICY);
    let item1 = item_record(&client, &s.item_barcode(1)).await;
    assert_eq!(item1["status"]["name"], "Available");
    stack.stop().await;
}

#[tokio::test]
async fn validations_have_folio_messages_parameters_codes_and_order() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);

    // 1 + 2 + 9 together, in FOLIO's order.
    let a = check_out(
        &stack,
        json!({"itemBarcode": "nope-item", "userBarcode": "nope-user"}),
        &[],
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        vec![
            "Check out must be performed at a service point",
            "Could not find user with matching barcode",
            "No item with barcode nope-item could be found",
        ]
    );
    let e = a.errors();
    assert_eq!(param(&e[0], "servicePointId"), Some(Value::Null));
    assert!(e[0].get("code").is_none());
    assert_eq!(param(&e[1], "userBarcode"), Some(json!("nope-user")));
    assert_eq!(e[1]["code"], "USER_BARCODE_NOT_FOUND");
    assert_eq!(param(&e[2], "itemBarcode"), Some(json!("nope-item")));

    // Unknown proxy.
    let mut b = body(&stack, 0, 2);
    b["proxyUserBarcode"] = json!("nobody");
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(
        a.messages(),
        vec!["Could not find user with matching barcode"]
    );
    assert_eq!(
        param(&a.errors()[0], "proxyUserBarcode"),
        Some(json!("nobody"))
    );

    // Proxy for themselves.
    let mut b = body(&stack, 0, 2);
    b["proxyUserBarcode"] = json!(s.patron_barcode(0));
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.messages(), vec!["User cannot be proxy for themselves"]);
    assert_eq!(a.errors()[0]["code"], "USER_CANNOT_BE_PROXY_FOR_THEMSELVES");
    assert_eq!(
        param(&a.errors()[0], "proxyUserId"),
        Some(s.patron(0)["id"].clone())
    );

    // Proxy without a relationship.
    let mut b = body(&stack, 0, 2);
    b["proxyUserBarcode"] = json!(s.patron_barcode(1));
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(
        a.messages(),
        vec!["Cannot check out item via proxy when relationship is invalid"]
    );
    assert_eq!(
        param(&a.errors()[0], "proxyUserBarcode"),
        Some(json!(s.patron_barcode(1)))
    );

    // Inactive user + manual block: block first (3), then inactive (6).
    let mut user = s.patron(2).clone();
    user["active"] = json!(false);
    let user_id = user["id"].as_str().unwrap().to_string();
    assert_eq!(
        client.put(&format!("/users/{user_id}"), &user).await.status,
        204
    );
    let block = json!({"id": "0b0a5e1e-7c4e-4b35-9b83-6a3c3c0a0001", "userId": user_id, "desc": "Lost library card",
                       "borrowing": true, "renewals": false, "requests": false, "type": "Manual"});
    let r = client.post("/manualblocks", &block).await;
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
    let a = check_out(&stack, body(&stack, 2, 2), &[("X-Okapi-Permissions", "[]")]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        vec![
            "Patron blocked from borrowing",
            "Cannot check out to inactive user"
        ]
    );
    let e = a.errors();
    assert_eq!(e[0]["code"], "USER_IS_BLOCKED_MANUALLY");
    assert_eq!(param(&e[0], "reason"), Some(json!("Lost library card")));
    assert_eq!(
        e[0]["overridableBlock"],
        json!({"name": "patronBlock", "missingPermissions": ["circulation.override-patron-block.post"]})
    );
    assert_eq!(
        param(&e[1], "userBarcode"),
        Some(json!(s.patron_barcode(2)))
    );

    // Override of the patron block: without permission, without comment, then allowed.
    let mut b = body(&stack, 2, 2);
    b["overrideBlocks"] = json!({"patronBlock": {}});
    let a = check_out(&stack, b.clone(), &[("X-Okapi-Permissions", "[]")]).await;
    assert_eq!(
        a.messages(),
        vec![
            "Insufficient override permissions",
            "Cannot check out to inactive user"
        ]
    );
    assert_eq!(a.errors()[0]["code"], "INSUFFICIENT_OVERRIDE_PERMISSIONS");
    assert_eq!(a.errors()[0]["parameters"], json!([]));
    let a = check_out(&stack, b.clone(), &[("X-Okapi-Permissions", ALL_OVERRIDES)]).await;
    assert_eq!(
        a.messages(),
        vec![
            "Override should be performed with the comment specified",
            "Cannot check out to inactive user"
        ]
    );
    assert_eq!(param(&a.errors()[0], "comment"), Some(Value::Null));
    user["active"] = json!(true);
    assert_eq!(
        client.put(&format!("/users/{user_id}"), &user).await.status,
        204
    );
    b["overrideBlocks"]["comment"] = json!("card found");
    let a = check_out(&stack, b, &[("X-Okapi-Permissions", ALL_OVERRIDES)]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["action"], "checkedOutThroughOverride");
    assert_eq!(a.body["actionComment"], "card found");

    // Not loanable (forced policy), then the override with a due date.
    let policy_id = "7d0c2a43-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    let r = client
        .post("/loan-policy-storage/loan-policies", &json!({"id": policy_id, "name": "Reference only", "loanable": false, "renewable": false}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut b = body(&stack, 3, 3);
    b["forceLoanPolicyId"] = json!(policy_id);
    let a = check_out(&stack, b.clone(), &[("X-Okapi-Permissions", "[]")]).await;
    assert_eq!(a.messages(), vec!["Item is not loanable"]);
    let e = &a.errors()[0];
    assert_eq!(e["code"], "ITEM_NOT_LOANABLE");
    assert_eq!(param(e, "loanPolicyId"), Some(json!(policy_id)));
    assert_eq!(param(e, "loanPolicyName"), Some(json!("Reference only")));
    assert_eq!(param(e, "itemBarcode"), Some(json!(s.item_barcode(3))));
    assert_eq!(e["overridableBlock"]["name"], "itemNotLoanableBlock");
    b["loanDate"] = json!("2030-05-01T10:00:00.000Z");
    b["overrideBlocks"] = json!({"itemNotLoanableBlock": {}, "comment": "ok"});
    let a = check_out(&stack, b.clone(), &[("X-Okapi-Permissions", ALL_OVERRIDES)]).await;
    assert_eq!(
        a.messages(),
        vec!["Override should be performed with due date specified"]
    );
    b["overrideBlocks"]["itemNotLoanableBlock"] = json!({"dueDate": "2030-04-01T10:00:00.000Z"});
    let a = check_out(&stack, b.clone(), &[("X-Okapi-Permissions", ALL_OVERRIDES)]).await;
    assert_eq!(
        a.messages(),
        vec!["Due date should be later than loan date"]
    );
    assert_eq!(
        param(&a.errors()[0], "dueDate"),
        Some(json!("2030-04-01T10:00:00.000Z"))
    );
    b["overrideBlocks"]["itemNotLoanableBlock"] = json!({"dueDate": "2030-05-02T10:00:00.000Z"});
    let a = check_out(&stack, b, &[("X-Okapi-Permissions", ALL_OVERRIDES)]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["dueDate"], "2030-05-02T10:00:00.000Z");
    assert_eq!(a.body["loanPolicyId"], policy_id);
    assert_eq!(a.body["overdueFinePolicyId"], sd::OVERDUE_FINE_POLICY);
    assert_eq!(a.body["lostItemPolicyId"], sd::LOST_ITEM_FEE_POLICY);
    assert_eq!(a.body["action"], "checkedOutThroughOverride");

    // Item status that cannot be checked out.
    let mut item = item_record(&client, &s.item_barcode(4)).await;
    item["status"] = json!({"name": "Declared lost"});
    let item_id = item["id"].as_str().unwrap().to_string();
    assert_eq!(
        client
            .put(&format!("/item-storage/items/{item_id}"), &item)
            .await
            .status,
        204
    );
    let a = check_out(&stack, body(&stack, 4, 4), &[]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    let m = &a.messages()[0];
    assert!(
        m.ends_with(&format!(
            "(Barcode: {}) has the item status Declared lost and cannot be checked out",
            s.item_barcode(4)
        )),
        "{m}"
    );
    stack.stop().await;
}

#[tokio::test]
async fn due_dates_fixed_schedule_and_closed_library() {
    let stack = start().await;
    let s = sample(&stack);
    // Item 3 is a DVD: fixed schedule due at the end of the year, END_OF_THE_PREVIOUS_OPEN_DAY.
    // At Circ Desk 2 Sunday is closed: 2034-12-31 is a Sunday → Saturday 30th, end of day.
    let mut b = body(&stack, 5, 3);
    b["servicePointId"] = json!(sd::SERVICE_POINT_CD2);
    b["loanDate"] = json!("2034-06-01T12:00:00.000Z");
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanPolicyId"], sd::LOAN_POLICY_FIXED);
    assert_eq!(a.body["dueDate"], "2034-12-30T23:59:59.000Z");

    // Item 9: Reading room, three hours, keep the due date-time.
    let mut b = body(&stack, 6, 9);
    b["loanDate"] = json!("2030-03-04T10:00:00.000Z");
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanPolicyId"], sd::LOAN_POLICY_SHORT_TERM);
    assert_eq!(a.body["dueDate"], "2030-03-04T13:00:00.000Z");

    // A patron expiring before the due date: the loan ends at the expiry.
    let client = stack.client();
    let mut user = s.patron(7).clone();
    user["expirationDate"] = json!("2030-03-06T12:00:00.000Z");
    let user_id = user["id"].as_str().unwrap().to_string();
    assert_eq!(
        client.put(&format!("/users/{user_id}"), &user).await.status,
        204
    );
    let mut b = body(&stack, 7, 0);
    b["loanDate"] = json!("2030-03-04T10:00:00.000Z");
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["dueDate"], "2030-03-06T12:00:00.000Z");
    assert_eq!(a.body["dueDateChangedByNearExpireUser"], true);
    stack.stop().await;
}

#[tokio::test]
async fn awaiting_pickup_request_is_fulfilled() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let mut item = item_record(&client, &s.item_barcode(5)).await;
    let item_id = item["id"].as_str().unwrap().to_string();
    item["status"] = json!({"name": "Awaiting pickup"});
    assert_eq!(
        client
            .put(&format!("/item-storage/items/{item_id}"), &item)
            .await
            .status,
        204
    );
    let holdings = client
        .get(&format!(
            "/holdings-storage/holdings/{}",
            item["holdingsRecordId"].as_str().unwrap()
        ))
        .await
        .json();
    let request = |id: &str, patron: usize, position: i64, status: &str| {
        json!({
            "id": id, "requestLevel": "Item", "requestType": "Hold", "requestDate": "2030-01-01T00:00:00.000Z",
            "requesterId": s.patron(patron)["id"], "instanceId": holdings["instanceId"], "holdingsRecordId": holdings["id"],
            "itemId": item_id, "status": status, "position": position, "fulfillmentPreference": "Hold Shelf",
            "pickupServicePointId": sd::SERVICE_POINT_CD1,
        })
    };
    let first = "a1b2c3d4-0000-4000-8000-000000000001";
    let second = "a1b2c3d4-0000-4000-8000-000000000002";
    for r in [
        request(first, 7, 1, "Open - Awaiting pickup"),
        request(second, 8, 2, "Open - Not yet filled"),
    ] {
        let reply = client.post("/request-storage/requests", &r).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    // Someone else cannot take it.
    let a = check_out(&stack, body(&stack, 9, 5), &[]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    let m = &a.messages()[0];
    assert!(
        m.contains(&format!(
            "(Barcode: {}) cannot be checked out to user",
            s.item_barcode(5)
        )),
        "{m}"
    );
    assert!(
        m.ends_with("because it has been requested by another patron"),
        "{m}"
    );
    assert_eq!(
        param(&a.errors()[0], "userBarcode"),
        Some(json!(s.patron_barcode(9)))
    );

    // The requester can; the request is filled and the queue moves up.
    let a = check_out(&stack, body(&stack, 7, 5), &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let filled = client
        .get(&format!("/request-storage/requests/{first}"))
        .await
        .json();
    assert_eq!(filled["status"], "Closed - Filled");
    assert!(filled.get("position").is_none() || filled["position"].is_null());
    let next = client
        .get(&format!("/request-storage/requests/{second}"))
        .await
        .json();
    assert_eq!(next["position"], 1);
    assert_eq!(next["status"], "Open - Not yet filled");
    stack.stop().await;
}

#[tokio::test]
async fn sequential_and_concurrent_give_identical_loans() {
    // No policy cache, so both check-outs make the same calls.
    let stack = Stack::start(StackConfig {
        logic_env: vec![("POLICY_CACHE_SECONDS".into(), "0".into())],
        ..StackConfig::default()
    })
    .await
    .expect("stack starts");
    let mut loans = Vec::new();
    let mut hops = Vec::new();
    for (n, strategy) in [(10, "sequential"), (16, "concurrent")] {
        let mut b = body(&stack, 10, n);
        b["loanDate"] = json!("2030-03-04T10:00:00.000Z");
        let a = check_out(&stack, b, &[("X-Circulation-Fan-Out", strategy)]).await;
        assert_eq!(a.status, 201, "{}", a.text);
        hops.push(hop_names(a.timing.as_deref().unwrap()));
        let mut loan = a.body.clone();
        for key in ["id", "itemId", "item", "metadata"] {
            loan.as_object_mut().unwrap().remove(key);
        }
        loans.push(loan);
    }
    assert_eq!(loans[0], loans[1]);
    assert_eq!(hops[0], hops[1]);
    stack.stop().await;
}

#[tokio::test]
async fn twenty_patrons_race_for_one_item() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let barcode = s.item_barcode(12);
    let tasks: Vec<_> = (0..20)
        .map(|p| {
            let b = body(&stack, p, 12);
            let url = stack.url();
            tokio::spawn(
                async move { post(&url, "/circulation/check-out-by-barcode", &b, &[]).await },
            )
        })
        .collect();
    let mut created = 0;
    let mut refused = 0;
    for t in tasks {
        let a = t.await.unwrap();
        match a.status {
            201 => created += 1,
            422 => {
                refused += 1;
                assert!(
                    a.messages()
                        .iter()
                        .any(|m| m == "Item is already checked out"
                            || m == "Cannot check out item that already has an open loan"),
                    "{}",
                    a.text
                );
            }
            other => panic!("unexpected {other}: {}", a.text),
        }
    }
    assert_eq!((created, refused), (1, 19));
    let item = item_record(&client, &barcode).await;
    assert_eq!(item["status"]["name"], "Checked out");
    assert_eq!(open_loans(&client, item["id"].as_str().unwrap()).await, 1);
    stack.stop().await;
}

/// A check-out sent straight to the logic module with `okapi_url` as its gateway (a proxy that
/// fails some calls): status, `Server-Timing` and body text.
async fn check_out_via(
    stack: &Stack,
    okapi_url: &str,
    body: Value,
    headers: &[(&str, &str)],
) -> (u16, Option<String>, String) {
    let logic = &stack.logic[0].url;
    let path = "/circulation/check-out-by-barcode";
    let a = post_via(logic, okapi_url, path, &body, headers).await;
    (a.status, a.timing, a.text)
}

#[tokio::test]
async fn failure_mid_way_leaves_no_half_check_out() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let (proxy, handle) = failing_proxy(stack.url(), |m, p| {
        m == "PUT" && p.starts_with("/item-storage/items/")
    })
    .await;
    let (status, _, text) = check_out_via(&stack, &proxy, body(&stack, 13, 13), &[]).await;
    assert!(status >= 500, "{status} {text}");
    assert!(text.contains("update item status"), "{text}");
    assert!(text.contains("deleted loan"), "{text}");
    let item = item_record(&client, &s.item_barcode(13)).await;
    assert_eq!(item["status"]["name"], "Available");
    assert_eq!(open_loans(&client, item["id"].as_str().unwrap()).await, 0);
    handle.stop(true).await;

    // Without the fault the same check-out works.
    let a = check_out(&stack, body(&stack, 13, 13), &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    stack.stop().await;
}

/// The instance is read beside the writes (only the answer shows it): when that read fails
/// after the writes, they are undone, session included, and the answer names the call.
#[tokio::test]
async fn failing_instance_read_undoes_the_written_check_out() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let (proxy, handle) = failing_proxy(stack.url(), |m, p| {
        m == "GET" && p.starts_with("/instance-storage/instances/")
    })
    .await;
    let (status, _, text) = check_out_via(&stack, &proxy, body(&stack, 12, 12), &[]).await;
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("instance"), "{text}");
    assert!(text.contains("deleted loan"), "{text}");
    let item = item_record(&client, &s.item_barcode(12)).await;
    assert_eq!(item["status"]["name"], "Available");
    assert_eq!(open_loans(&client, item["id"].as_str().unwrap()).await, 0);
    let q = format!("patronId==\"{}\"", s.patron(12)["id"].as_str().unwrap());
    let sessions = client
        .get(&format!(
            "/patron-action-session-storage/patron-action-sessions?query={}",
            encode(&q)
        ))
        .await;
    assert_eq!(sessions.json()["totalRecords"], 0, "{}", sessions.body);
    handle.stop(true).await;
    stack.stop().await;
}

/// The notice policy the rules choose asks for due-date notices: the check-out schedules them
/// (one per "Due date" notice, none for other events), timed from the loan's due date; the
/// overdue fine policy's reminder fees add their first reminder.
#[tokio::test]
async fn due_date_notices_are_scheduled() {
    let stack = start().await;
    let client = stack.client();
    let template = "2d5f138f-e088-4dff-80f6-9830f13bcde7";
    use_loan_notices(
        &client,
        "Send No Notices",
        json!([
            // No frequency: FOLIO refuses one on an "Upon At" due-date notice.
            {"templateId": template, "format": "Email", "realTime": false,
             "sendOptions": {"sendHow": "Upon At", "sendWhen": "Due date"}},
            {"templateId": template, "format": "Print", "frequency": "Recurring", "realTime": true,
             "sendOptions": {"sendHow": "Before", "sendWhen": "Due date",
                             "sendBy": {"duration": 2, "intervalId": "Days"},
                             "sendEvery": {"duration": 1, "intervalId": "Hours"}}},
            {"templateId": template, "format": "Email", "frequency": "One time", "realTime": true,
             "sendOptions": {"sendWhen": "Check out"}},
        ]),
    )
    .await;
    // A reminder-fee overdue policy: its first reminder is scheduled too.
    let overdue = json!({
        "id": sd::OVERDUE_FINE_POLICY, "name": "Overdue fine policy", "countClosed": true,
        "maxOverdueFine": 0.0, "forgiveOverdueFine": true, "gracePeriodRecall": true,
        "maxOverdueRecallFine": 0.0,
        "reminderFeesPolicy": {"countClosed": true, "reminderSchedule": [
            {"interval": 3, "timeUnitId": "day", "reminderFee": 1.0, "noticeFormat": "Email",
             "noticeTemplateId": template}]},
    });
    let put = client
        .put(
            &format!("/overdue-fines-policies/{}", sd::OVERDUE_FINE_POLICY),
            &overdue,
        )
        .await;
    assert_eq!(put.status, 204, "{}", put.body);
    let a = check_out(&stack, body(&stack, 4, 4), &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let due = chrono::DateTime::parse_from_rfc3339(a.body["dueDate"].as_str().unwrap()).unwrap();
    let q = format!(
        "loanId==\"{}\" and triggeringEvent==\"Due date\" sortBy nextRunTime",
        a.body["id"].as_str().unwrap()
    );
    let notices = client
        .get(&format!(
            "/scheduled-notice-storage/scheduled-notices?query={}",
            encode(&q)
        ))
        .await
        .json();
    assert_eq!(notices["totalRecords"], 2, "{notices}");
    let list = notices["scheduledNotices"].as_array().unwrap();
    let run = |n: &Value| {
        chrono::DateTime::parse_from_rfc3339(n["nextRunTime"].as_str().unwrap()).unwrap()
    };
    assert_eq!(run(&list[0]), due - chrono::Duration::days(2));
    assert_eq!(run(&list[1]), due);
    for n in list {
        assert_eq!(n["triggeringEvent"], "Due date");
        assert_eq!(n["recipientUserId"], a.body["userId"]);
    }
    assert_eq!(
        list[0]["noticeConfig"],
        json!({"timing": "Before", "recurringPeriod": {"duration": 1, "intervalId": "Hours"},
               "templateId": template, "format": "Print", "sendInRealTime": true})
    );
    assert_eq!(list[1]["noticeConfig"]["timing"], "Upon At");
    let q = format!(
        "loanId==\"{}\" and triggeringEvent==\"Due date - with reminder fee\"",
        a.body["id"].as_str().unwrap()
    );
    let reminders = client
        .get(&format!(
            "/scheduled-notice-storage/scheduled-notices?query={}",
            encode(&q)
        ))
        .await
        .json();
    assert_eq!(reminders["totalRecords"], 1, "{reminders}");
    let reminder = &reminders["scheduledNotices"][0];
    assert_eq!(run(reminder), due + chrono::Duration::days(3));
    assert_eq!(
        reminder["noticeConfig"],
        json!({"timing": "After", "templateId": template, "format": "Email", "sendInRealTime": true})
    );
    stack.stop().await;
}

/// With `ENABLE_FOR_USE_AT_LOCATION=true`, a loan under a policy marked `forUseAtLocation`
/// starts "In use"; under another policy it has no such status.
#[tokio::test]
async fn for_use_at_location_loans_start_in_use() {
    let stack = Stack::start(StackConfig {
        logic_env: vec![("ENABLE_FOR_USE_AT_LOCATION".into(), "true".into())],
        ..StackConfig::default()
    })
    .await
    .expect("stack starts");
    let client = stack.client();
    let policy_id = "5a1e0b0c-9c6d-4d3e-8f2a-1b2c3d4e5f60";
    let policy = json!({
        "id": policy_id, "name": "Reading room", "loanable": true, "renewable": false,
        "loansPolicy": {"profileId": "Rolling", "period": {"duration": 3, "intervalId": "Hours"},
                        "closedLibraryDueDateManagementId": "CURRENT_DUE_DATE", "forUseAtLocation": true},
    });
    let created = client
        .post("/loan-policy-storage/loan-policies", &policy)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let mut b = body(&stack, 6, 6);
    b["forceLoanPolicyId"] = json!(policy_id);
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["forUseAtLocation"]["status"], "In use", "{}", a.text);
    assert!(a.body["forUseAtLocation"]["statusDate"].is_string());
    let stored = client
        .get(&format!(
            "/loan-storage/loans/{}",
            a.body["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert_eq!(stored["forUseAtLocation"]["status"], "In use");

    let other = check_out(&stack, body(&stack, 7, 7), &[]).await;
    assert_eq!(other.status, 201, "{}", other.text);
    assert!(
        other.body.get("forUseAtLocation").is_none(),
        "{}",
        other.text
    );
    stack.stop().await;
}

/// With the tenant's `checkoutLockFeature` on, a check-out takes the patron's lock in
/// check-out-lock-storage: a lock held elsewhere refuses it with FOLIO's 422 after the retries;
/// once free, the check-out goes through and releases the lock before answering.
#[tokio::test]
async fn check_out_lock_setting() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let setting = json!({
        "id": "0e6f4a5c-8a8e-4c57-9c1e-2f5a1c0b9d11", "scope": "mod-circulation", "key": "checkoutLockFeature",
        "value": {"checkOutLockFeatureEnabled": true, "noOfRetryAttempts": 3, "retryInterval": 20, "lockTtl": 60000},
    });
    let created = client.post("/settings/entries", &setting).await;
    assert!(
        created.status == 201 || created.status == 204,
        "{}",
        created.body
    );
    let user_id = s.patron(8)["id"].as_str().unwrap().to_string();
    let held = client
        .post(
            "/check-out-lock-storage",
            &json!({"userId": user_id, "ttlMs": 60000}),
        )
        .await;
    assert_eq!(held.status, 201, "{}", held.body);

    let refused = check_out(&stack, body(&stack, 8, 8), &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.body["errors"][0]["message"],
        "unable to acquire lock"
    );
    let item = item_record(&client, &s.item_barcode(8)).await;
    assert_eq!(item["status"]["name"], "Available");

    let lock_id = held.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        client
            .delete(&format!("/check-out-lock-storage/{lock_id}"))
            .await
            .status,
        204
    );
    let a = check_out(&stack, body(&stack, 8, 8), &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let locks = client
        .get(&format!("/check-out-lock-storage?userId={user_id}"))
        .await
        .json();
    assert_eq!(locks["totalRecords"], 0, "{locks}");
    let b = check_out(&stack, body(&stack, 8, 9), &[]).await;
    assert_eq!(b.status, 201, "{}", b.text);
    stack.stop().await;
}

/// An item inventory does not know but mod-dcb's `/circulation-item` does (a DCB virtual item)
/// is checked out like any other: the loan says `isDcb`, the answer shows the item's own title,
/// and the status is written back to `/circulation-item`.
#[tokio::test]
async fn dcb_circulation_item_is_checked_out() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let item_id = "9d1b77e8-f02e-4b7f-b296-3f2042ddac54";
    let dcb = json!({
        "id": item_id, "barcode": "DCB-0001", "dcbItem": true, "status": {"name": "Available"},
        "holdingsRecordId": "10cd3a5a-d36f-4c7a-bc4f-e1ae3cf820c9", "instanceTitle": "Borrowed from afar",
        "materialTypeId": sd::MATERIAL_TYPE_BOOK, "permanentLoanTypeId": sd::LOAN_TYPE_CAN_CIRCULATE,
        "effectiveLocationId": sd::LOCATION_MAIN, "lendingLibraryCode": "LEND1",
    });
    let created = client.post("/circulation-item", &dcb).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // mod-dcb's own holdings record, which its virtual items all name.
    let holdings = json!({
        "id": "10cd3a5a-d36f-4c7a-bc4f-e1ae3cf820c9", "instanceId": "9d1b77e4-f02e-4b7f-b296-3f2042ddac54",
        "sourceId": sd::HOLDINGS_SOURCE_FOLIO, "permanentLocationId": sd::LOCATION_MAIN,
    });
    let created = client.post("/holdings-storage/holdings", &holdings).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let a = check_out(
        &stack,
        json!({"itemBarcode": "DCB-0001", "userBarcode": s.patron_barcode(10),
               "servicePointId": sd::SERVICE_POINT_CD1}),
        &[],
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["isDcb"], true);
    assert_eq!(a.body["itemId"], item_id);
    assert_eq!(a.body["item"]["title"], "Borrowed from afar");
    let item = client
        .get(&format!("/circulation-item/{item_id}"))
        .await
        .json();
    assert_eq!(item["status"]["name"], "Checked out");
    assert_eq!(open_loans(&client, item_id).await, 1);

    // An inventory item for a patron who is not a DCB user: no DCB loan.
    let plain = check_out(&stack, body(&stack, 11, 11), &[]).await;
    assert_eq!(plain.status, 201, "{}", plain.text);
    assert_eq!(plain.body["isDcb"], false);
    stack.stop().await;
}

#[tokio::test]
async fn circulation_rules_routes() {
    let stack = start().await;
    let client = stack.client();
    let rules = client.get("/circulation/rules").await;
    assert_eq!(rules.status, 200, "{}", rules.body);
    let text = rules.json()["rulesAsText"].as_str().unwrap().to_string();
    assert!(text.contains("fallback-policy"));
    // The storage document as it is, id and metadata included.
    assert!(rules.json()["id"].is_string(), "{}", rules.body);
    assert!(
        rules.json()["metadata"]["createdDate"].is_string(),
        "{}",
        rules.body
    );

    let q = format!(
        "item_type_id={}&loan_type_id={}&patron_type_id={}&location_id={}",
        sd::MATERIAL_TYPE_DVD,
        sd::LOAN_TYPE_CAN_CIRCULATE,
        sd::GROUP_UNDERGRAD,
        sd::LOCATION_MAIN
    );
    let r = client
        .get(&format!("/circulation/rules/loan-policy?{q}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["loanPolicyId"], sd::LOAN_POLICY_FIXED);
    assert_eq!(
        r.json()["appliedRuleConditions"],
        json!({"materialTypeMatch": true, "loanTypeMatch": false, "patronGroupMatch": false})
    );
    let r = client
        .get(&format!("/circulation/rules/overdue-fine-policy?{q}"))
        .await;
    assert_eq!(r.json()["overdueFinePolicyId"], sd::OVERDUE_FINE_POLICY);

    // Every match, best first, then the fallback with its own line.
    let all = client
        .get(&format!("/circulation/rules/loan-policy-all?{q}"))
        .await;
    assert_eq!(all.status, 200, "{}", all.body);
    // FOLIO's code names (`circulationRuleMatches`) and its RAML's (`ruleMatches`), both.
    assert_eq!(
        all.json(),
        json!({
            "circulationRuleMatches": [
                {"circulationRuleLine": 3, "loanPolicyId": sd::LOAN_POLICY_FIXED},
                {"circulationRuleLine": 2, "loanPolicyId": sd::LOAN_POLICY_ROLLING},
            ],
            "ruleMatches": [
                {"ruleLine": 3, "loanPolicyId": sd::LOAN_POLICY_FIXED},
                {"ruleLine": 2, "loanPolicyId": sd::LOAN_POLICY_ROLLING},
            ],
        })
    );
    // FOLIO's overdue entries say `overduePolicyId`; the RAML-named ones keep the single
    // lookup's `overdueFinePolicyId`.
    let all = client
        .get(&format!("/circulation/rules/overdue-fine-policy-all?{q}"))
        .await;
    assert_eq!(all.status, 200, "{}", all.body);
    let folio = &all.json()["circulationRuleMatches"];
    assert_eq!(folio[0]["overduePolicyId"], sd::OVERDUE_FINE_POLICY);
    assert_eq!(folio[0]["circulationRuleLine"], 3);
    assert!(
        folio[0].get("overdueFinePolicyId").is_none(),
        "{}",
        all.body
    );
    assert_eq!(
        all.json()["ruleMatches"][0]["overdueFinePolicyId"],
        sd::OVERDUE_FINE_POLICY
    );
    for (kind, key) in [
        ("request", "requestPolicyId"),
        ("notice", "noticePolicyId"),
        ("lost-item", "lostItemPolicyId"),
    ] {
        let all = client
            .get(&format!("/circulation/rules/{kind}-policy-all?{q}"))
            .await;
        assert_eq!(all.status, 200, "{}", all.body);
        let matches = all.json()["circulationRuleMatches"].clone();
        assert_eq!(matches.as_array().map(Vec::len), Some(2), "{}", all.body);
        assert!(matches[0][key].is_string(), "{kind}: {}", all.body);
        assert_eq!(matches[1]["circulationRuleLine"], 2, "{kind}: {}", all.body);
        assert_eq!(all.json()["ruleMatches"][0][key], matches[0][key]);
    }
    // Rules given in the request instead of the stored ones.
    let given = format!(
        "priority: t, s, c, b, a, m, g\nfallback-policy: l {fixed} r {r} n {n} o {o} i {i}\n\nm {dvd}: l {short} r {r} n {n} o {o} i {i}\n    g {group}: l {rolling} r {r} n {n} o {o} i {i}\n",
        fixed = sd::LOAN_POLICY_FIXED,
        short = sd::LOAN_POLICY_SHORT_TERM,
        rolling = sd::LOAN_POLICY_ROLLING,
        r = sd::REQUEST_POLICY_ALLOW_ALL,
        n = sd::NOTICE_POLICY_NONE,
        o = sd::OVERDUE_FINE_POLICY,
        i = sd::LOST_ITEM_FEE_POLICY,
        dvd = sd::MATERIAL_TYPE_DVD,
        group = sd::GROUP_UNDERGRAD,
    );
    let all = client
        .get(&format!(
            "/circulation/rules/notice-policy-all?{q}&rules={}",
            encode(&given)
        ))
        .await;
    assert_eq!(all.status, 200, "{}", all.body);
    let lines = |key: &str, line: &str| -> Vec<u64> {
        all.json()[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m[line].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines("ruleMatches", "ruleLine"), [5, 4, 2]);
    assert_eq!(
        lines("circulationRuleMatches", "circulationRuleLine"),
        [5, 4, 2]
    );
    let all = client
        .get(&format!(
            "/circulation/rules/loan-policy-all?{q}&rules={}",
            encode(&given)
        ))
        .await;
    assert_eq!(
        all.json()["ruleMatches"][0]["loanPolicyId"],
        sd::LOAN_POLICY_ROLLING
    );
    let broken = client
        .get(&format!(
            "/circulation/rules/loan-policy-all?{q}&rules={}",
            encode("priority: t\nm x: l a\n")
        ))
        .await;
    assert_eq!(broken.status, 422, "{}", broken.body);

    let bad = client.put("/circulation/rules", &json!({"rulesAsText": "priority: t, s, c, b, a, m, g\nfallback-policy: l nope r nope n nope o nope i nope\n"})).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.json()["line"].as_u64().is_some());
    assert!(bad.json()["column"].as_u64().is_some());
    // Bodies that are no rules document: 422 with a JSON `message`, as FOLIO.
    for raw in ["{\"rulesAsText\": ", "not json", "[1]"] {
        let r = client
            .send(
                reqwest::Method::PUT,
                "/circulation/rules",
                Some(raw.as_bytes().to_vec()),
            )
            .await;
        assert_eq!(r.status, 422, "{raw}: {}", r.body);
        assert!(
            r.content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("application/json")),
            "{:?}",
            r.content_type
        );
        let message = r.json()["message"].as_str().unwrap_or_default().to_string();
        assert!(message.starts_with("Failed to decode:"), "{}", r.body);
    }
    for body in [
        json!({}),
        json!({"rulesAsText": null}),
        json!({"rulesAsText": 5}),
    ] {
        let r = client.put("/circulation/rules", &body).await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert!(
            r.json()["message"]
                .as_str()
                .is_some_and(|m| m.contains("rulesAsText")),
            "{}",
            r.body
        );
    }
    // The client's whole object goes to storage: a property storage does not know is its
    // refusal, passed on; a known one (the id) is stored.
    let id = rules.json()["id"].as_str().unwrap().to_string();
    let refused = client
        .put(
            "/circulation/rules",
            &json!({"id": id, "rulesAsText": text, "note": "x"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        refused.error_messages(),
        ["Unrecognized field \"note\""],
        "{}",
        refused.body
    );
    let ok = client
        .put(
            "/circulation/rules",
            &json!({"id": id, "rulesAsText": text}),
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.body);
    let stored = client.get("/circulation/rules").await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert_eq!(stored.json()["id"], id.as_str(), "{}", stored.body);
    assert_eq!(stored.json()["rulesAsText"], text.as_str());
    assert!(stored.json()["metadata"]["updatedDate"].is_string());
    stack.stop().await;
}

/// A policy lookup sent straight to the logic module with `okapi_url` as its gateway: status
/// and body text.
async fn lookup_via(stack: &Stack, okapi_url: &str, path_and_query: &str) -> (u16, String) {
    let logic = stack.logic[0].url.clone();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = http
        .get(format!("{logic}{path_and_query}"))
        .header("X-Okapi-Tenant", "diku")
        .header("X-Okapi-Url", okapi_url)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The lookup parameters are checked as FOLIO does (in its order: absent, then not a UUID of
/// its pattern), and a location that cannot be read leaves the rules evaluated without it.
#[tokio::test]
async fn rules_lookup_parameters_and_unreadable_location() {
    const PATTERN: &str =
        "^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[1-5][a-fA-F0-9]{3}-[89abAB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}$";
    let stack = start().await;
    let client = stack.client();
    let good = [
        ("item_type_id", sd::MATERIAL_TYPE_DVD.to_string()),
        ("loan_type_id", sd::LOAN_TYPE_CAN_CIRCULATE.to_string()),
        ("patron_type_id", sd::GROUP_UNDERGRAD.to_string()),
        ("location_id", sd::LOCATION_MAIN.to_string()),
    ];
    let query = |params: &[(&str, String)]| {
        params
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let with = |name: &str, value: &str| {
        let mut params = good.to_vec();
        for p in params.iter_mut().filter(|(k, _)| *k == name) {
            p.1 = value.to_string();
        }
        params
    };
    let undashed = sd::GROUP_UNDERGRAD.replace('-', "");
    let mut bad_version = sd::LOCATION_MAIN.to_string();
    bad_version.replace_range(14..15, "0");
    let cases = [
        ("item_type_id", ""),
        ("loan_type_id", "0"),
        ("patron_type_id", undashed.as_str()),
        ("location_id", bad_version.as_str()),
    ];
    for kind in ["loan-policy", "overdue-fine-policy-all"] {
        for (name, value) in cases {
            let path = format!("/circulation/rules/{kind}?{}", query(&with(name, value)));
            let r = client.get(&path).await;
            assert_eq!(r.status, 400, "{path}: {}", r.body);
            assert!(
                r.content_type
                    .as_deref()
                    .is_some_and(|c| c.starts_with("text/plain")),
                "{:?}",
                r.content_type
            );
            assert_eq!(
                r.body,
                format!("invalid uuid format of {name}, expecting {PATTERN} but it is {value}")
            );
        }
        // Absent: named, and checked before the malformed ones after it.
        let mut params = with("location_id", "0");
        params.retain(|(k, _)| *k != "patron_type_id");
        let r = client
            .get(&format!("/circulation/rules/{kind}?{}", query(&params)))
            .await;
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(r.body, "required query parameter missing: patron_type_id");
    }

    // Every location read fails: the rules still answer, without the location's units.
    let (proxy, handle) = failing_proxy(stack.url(), |m, p| {
        m == "GET" && p.starts_with("/locations/")
    })
    .await;
    let (status, text) = lookup_via(
        &stack,
        &proxy,
        &format!("/circulation/rules/loan-policy?{}", query(&good)),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let found: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(found["loanPolicyId"], sd::LOAN_POLICY_FIXED);
    let (status, text) = lookup_via(
        &stack,
        &proxy,
        &format!("/circulation/rules/loan-policy-all?{}", query(&good)),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    handle.stop(true).await;
    stack.stop().await;
}

#[tokio::test]
async fn item_limit_and_automated_blocks() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let perms = [("X-Okapi-Permissions", ALL_OVERRIDES)];

    // A book rule with an item limit of 1.
    let limited = "5b9a7c3e-1d2f-4a6b-8c0d-2e3f4a5b6c70";
    let r = client
        .post(
            "/loan-policy-storage/loan-policies",
            &json!({"id": limited, "name": "One book", "loanable": true, "renewable": true,
                    "loansPolicy": {"profileId": "Rolling", "period": {"duration": 3, "intervalId": "Weeks"},
                                    "closedLibraryDueDateManagementId": "CURRENT_DUE_DATE", "itemLimit": 1}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let rules = client.get("/circulation/rules").await.json()["rulesAsText"]
        .as_str()
        .unwrap()
        .to_string();
    let rules = format!(
        "{rules}m {}: l {limited} r {} n {} o {} i {}\n",
        sd::MATERIAL_TYPE_BOOK,
        sd::REQUEST_POLICY_ALLOW_ALL,
        sd::NOTICE_POLICY_NONE,
        sd::OVERDUE_FINE_POLICY,
        sd::LOST_ITEM_FEE_POLICY
    );
    let put = client
        .put("/circulation/rules", &json!({"rulesAsText": rules}))
        .await;
    assert_eq!(put.status, 204, "{}", put.body);

    let a = check_out(&stack, body(&stack, 15, 0), &perms).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanPolicyId"], limited);
    let a = check_out(
        &stack,
        body(&stack, 15, 1),
        &[("X-Okapi-Permissions", "[]")],
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        vec!["Patron has reached maximum limit of 1 items for material type"]
    );
    let e = &a.errors()[0];
    assert_eq!(e["code"], "ITEM_LIMIT_MATERIAL_TYPE");
    assert_eq!(param(e, "itemLimit"), Some(json!("1")));
    assert_eq!(param(e, "itemBarcode"), Some(json!(s.item_barcode(1))));
    assert_eq!(
        e["overridableBlock"],
        json!({"name": "itemLimitBlock", "missingPermissions": ["circulation.override-item-limit-block.post"]})
    );
    let mut b = body(&stack, 15, 1);
    b["overrideBlocks"] = json!({"itemLimitBlock": {}, "comment": "exception"});
    let a = check_out(&stack, b, &perms).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["action"], "checkedOutThroughOverride");

    // Automated block: at most one item charged out for the faculty group (patron 14).
    let condition_id = "3d7c52dc-c732-4223-8bf8-e5917801386f";
    let message = "Patron has reached maximum allowed number of items charged out";
    let mut condition = client
        .get(&format!("/patron-block-conditions/{condition_id}"))
        .await
        .json();
    condition["blockBorrowing"] = json!(true);
    condition["message"] = json!(message);
    let r = client
        .put(
            &format!("/patron-block-conditions/{condition_id}"),
            &condition,
        )
        .await;
    assert!(r.status == 204 || r.status == 200, "{}", r.body);
    let r = client
        .post(
            "/patron-block-limits",
            &json!({"id": "6c0b8d4f-2e3a-4b7c-9d1e-3f4a5b6c7d81", "patronGroupId": s.patron(14)["patronGroup"],
                    "conditionId": condition_id, "value": 1}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let a = check_out(&stack, body(&stack, 14, 3), &perms).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let a = check_out(
        &stack,
        body(&stack, 14, 5),
        &[("X-Okapi-Permissions", "[]")],
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(a.messages(), vec![message]);
    let e = &a.errors()[0];
    assert_eq!(e["code"], "USER_IS_BLOCKED_AUTOMATICALLY");
    assert_eq!(e["parameters"], json!([]));
    assert_eq!(e["overridableBlock"]["name"], "patronBlock");
    let mut b = body(&stack, 14, 5);
    b["overrideBlocks"] = json!({"patronBlock": {}, "comment": "allowed"});
    let a = check_out(&stack, b, &perms).await;
    assert_eq!(a.status, 201, "{}", a.text);
    stack.stop().await;
}

#[tokio::test]
async fn failing_read_is_a_5xx_naming_the_call() {
    let stack = start().await;
    let (proxy, handle) = failing_proxy(stack.url(), |_, p| {
        p.starts_with("/automated-patron-blocks/")
    })
    .await;
    let (status, timing, text) = check_out_via(&stack, &proxy, body(&stack, 0, 0), &[]).await;
    assert!(timing.is_some());
    assert_eq!(status, 502, "{text}");
    assert!(text.contains("automated blocks"), "{text}");
    let client = stack.client();
    let item = item_record(&client, &sample(&stack).item_barcode(0)).await;
    assert_eq!(item["status"]["name"], "Available");
    handle.stop(true).await;
    stack.stop().await;
}

#[tokio::test]
async fn recall_in_the_queue_truncates_the_new_loan() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let mut item = item_record(&client, &s.item_barcode(5)).await;
    let item_id = item["id"].as_str().unwrap().to_string();
    item["status"] = json!({"name": "Awaiting pickup"});
    assert_eq!(
        client
            .put(&format!("/item-storage/items/{item_id}"), &item)
            .await
            .status,
        204
    );
    let holdings = client
        .get(&format!(
            "/holdings-storage/holdings/{}",
            item["holdingsRecordId"].as_str().unwrap()
        ))
        .await
        .json();
    let request = |id: &str, kind: &str, patron: usize, position: i64, status: &str| {
        json!({
            "id": id, "requestLevel": "Item", "requestType": kind, "requestDate": "2030-01-01T00:00:00.000Z",
            "requesterId": s.patron(patron)["id"], "instanceId": holdings["instanceId"], "holdingsRecordId": holdings["id"],
            "itemId": item_id, "status": status, "position": position, "fulfillmentPreference": "Hold Shelf",
            "pickupServicePointId": sd::SERVICE_POINT_CD1,
        })
    };
    let hold = "c1b2c3d4-0000-4000-8000-000000000001";
    let recall = "c1b2c3d4-0000-4000-8000-000000000002";
    for r in [
        request(hold, "Hold", 7, 1, "Open - Awaiting pickup"),
        request(recall, "Recall", 8, 2, "Open - Not yet filled"),
    ] {
        let reply = client.post("/request-storage/requests", &r).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }

    // The sample rolling policy: 3 weeks, CURRENT_DUE_DATE; recalls: return within 3 days,
    // at least 1 week guaranteed. The loan would be due 2030-03-25; the recall date (now + 3
    // days) is earlier than loan date + 1 week, so the guaranteed week applies, then the
    // closed-library strategy (end of that day).
    let mut b = body(&stack, 7, 5);
    b["loanDate"] = json!("2030-03-04T10:00:00.000Z");
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanPolicyId"], sd::LOAN_POLICY_ROLLING);
    assert_eq!(a.body["dueDateChangedByRecall"], true, "{}", a.text);
    assert_eq!(a.body["dueDate"], "2030-03-11T23:59:59.000Z");
    let loan_id = a.body["id"].as_str().unwrap();
    let stored = client
        .get(&format!("/loan-storage/loans/{loan_id}"))
        .await
        .json();
    assert_eq!(stored["dueDateChangedByRecall"], true);
    // Storage echoes the offset as `+00:00`.
    assert!(
        stored["dueDate"]
            .as_str()
            .is_some_and(|d| d.starts_with("2030-03-11T23:59:59.000")),
        "{stored}"
    );

    let filled = client
        .get(&format!("/request-storage/requests/{hold}"))
        .await
        .json();
    assert_eq!(filled["status"], "Closed - Filled");
    let next = client
        .get(&format!("/request-storage/requests/{recall}"))
        .await
        .json();
    assert_eq!(next["status"], "Open - Not yet filled");
    assert_eq!(next["position"], 1);
    stack.stop().await;
}

#[tokio::test]
async fn alternate_period_only_for_a_hold_on_this_item_or_its_title() {
    // As mod-circulation's LoanPolicy.isAlternatePeriod: with title-level requests on, the queue
    // holds the instance's requests, but a hold on another item of the instance does not
    // shorten the loan; a title-level hold without an item does.
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let r = client
        .post(
            "/circulation-settings-storage/circulation-settings",
            &json!({"id": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "name": "TLR",
                    "value": {"titleLevelRequestsFeatureEnabled": true}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let item = item_record(&client, &s.item_barcode(5)).await;
    let holdings_id = item["holdingsRecordId"].as_str().unwrap();
    let holdings = client
        .get(&format!("/holdings-storage/holdings/{holdings_id}"))
        .await
        .json();
    let mut other = item.clone();
    other["id"] = json!("c1c2c3c4-0000-4000-8000-000000000001");
    other["barcode"] = json!("other-copy-of-item-5");
    let r = client.post("/item-storage/items", &other).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // The borrower's own holds: the check-out fills a hold on its item or title.
    let hold = |id: &str, item_id: Option<&Value>| {
        let mut request = json!({"id": id, "requestLevel": "Title", "requestType": "Hold",
            "requestDate": "2030-01-01T00:00:00.000Z", "requesterId": s.patron(7)["id"],
            "instanceId": holdings["instanceId"], "status": "Open - Not yet filled",
            "position": 1, "fulfillmentPreference": "Hold Shelf",
            "pickupServicePointId": sd::SERVICE_POINT_CD1});
        if let Some(item_id) = item_id {
            request["requestLevel"] = json!("Item");
            request["itemId"] = item_id.clone();
            request["holdingsRecordId"] = json!(holdings_id);
        }
        request
    };
    let on_other = "b1b2c3d4-0000-4000-8000-000000000011";
    let r = client
        .post(
            "/request-storage/requests",
            &hold(on_other, Some(&other["id"])),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut b = body(&stack, 7, 5);
    b["loanDate"] = json!("2030-03-04T10:00:00.000Z");
    let a = check_out(&stack, b.clone(), &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanPolicyId"], sd::LOAN_POLICY_ROLLING);
    assert_eq!(a.body["dueDate"], "2030-03-25T23:59:59.000Z", "{}", a.text);
    assert!(a.body.get("dueDateChangedByHold").is_none(), "{}", a.text);

    // Checked in again (loan closed, item available), then a title-level hold waits.
    let loan_id = a.body["id"].as_str().unwrap();
    let mut loan = client
        .get(&format!("/loan-storage/loans/{loan_id}"))
        .await
        .json();
    loan["status"] = json!({"name": "Closed"});
    loan["action"] = json!("checkedin");
    let r = client
        .put(&format!("/loan-storage/loans/{loan_id}"), &loan)
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let mut available = item_record(&client, &s.item_barcode(5)).await;
    available["status"] = json!({"name": "Available"});
    replace(&client, "/item-storage/items", &available).await;
    let r = client
        .delete(&format!("/request-storage/requests/{on_other}"))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let on_title = "b1b2c3d4-0000-4000-8000-000000000012";
    let r = client
        .post("/request-storage/requests", &hold(on_title, None))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["dueDate"], "2030-03-11T23:59:59.000Z", "{}", a.text);
    assert_eq!(a.body["dueDateChangedByHold"], true, "{}", a.text);
    stack.stop().await;
}

#[tokio::test]
async fn title_level_request_blocks_others_and_is_filled_by_its_requester() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let r = client
        .post(
            "/circulation-settings-storage/circulation-settings",
            &json!({"id": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "name": "TLR",
                    "value": {"titleLevelRequestsFeatureEnabled": true}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let item = item_record(&client, &s.item_barcode(6)).await;
    let holdings = client
        .get(&format!(
            "/holdings-storage/holdings/{}",
            item["holdingsRecordId"].as_str().unwrap()
        ))
        .await
        .json();
    let request_id = "b1b2c3d4-0000-4000-8000-000000000003";
    let r = client
        .post(
            "/request-storage/requests",
            &json!({"id": request_id, "requestLevel": "Title", "requestType": "Page",
                    "requestDate": "2030-01-01T00:00:00.000Z", "requesterId": s.patron(16)["id"],
                    "instanceId": holdings["instanceId"], "status": "Open - Not yet filled",
                    "position": 1, "fulfillmentPreference": "Hold Shelf",
                    "pickupServicePointId": sd::SERVICE_POINT_CD1}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let a = check_out(&stack, body(&stack, 17, 6), &[]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(a.messages()[0].ends_with("because it has been requested by another patron"));
    let a = check_out(&stack, body(&stack, 16, 6), &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let filled = client
        .get(&format!("/request-storage/requests/{request_id}"))
        .await
        .json();
    assert_eq!(filled["status"], "Closed - Filled");
    assert_eq!(filled["itemId"], item["id"]);
    stack.stop().await;
}

#[tokio::test]
async fn downstream_timeout_is_a_504_naming_the_call() {
    let stack = Stack::start(StackConfig {
        logic_env: vec![("OKAPI_TIMEOUT_MS".into(), "300".into())],
        ..StackConfig::default()
    })
    .await
    .expect("stack starts");
    let (proxy, handle) = failing_proxy(stack.url(), |_, _| false).await;
    let (status, _, text) = check_out_via(
        &stack,
        &proxy,
        body(&stack, 0, 0),
        &[("X-Okapi-Request-Id", "slow-1")],
    )
    .await;
    assert_eq!(status, 504, "{text}");
    assert!(text.contains("manual blocks"), "{text}");
    handle.stop(true).await;
    stack.stop().await;
}

#[tokio::test]
async fn concurrent_fan_out_shortens_the_critical_path() {
    // Every stand-in answer takes 20 ms, so waiting in sequence shows.
    let stack = Stack::start(StackConfig {
        standin_latency: circulation_tests::standins::Latency::Fixed(
            std::time::Duration::from_millis(20),
        ),
        logic_env: vec![("POLICY_CACHE_SECONDS".into(), "0".into())],
        ..StackConfig::default()
    })
    .await
    .expect("stack starts");
    let mut totals = Vec::new();
    for (n, strategy) in [(10, "sequential"), (16, "concurrent")] {
        let a = check_out(
            &stack,
            body(&stack, 10, n),
            &[("X-Circulation-Fan-Out", strategy)],
        )
        .await;
        assert_eq!(a.status, 201, "{}", a.text);
        let timing = durations(a.timing.as_deref().unwrap());
        totals.push(timing.last().unwrap().1);
    }
    eprintln!(
        "sequential {:.1} ms, concurrent {:.1} ms",
        totals[0], totals[1]
    );
    // Sequential pays for ~15 stand-in reads one after another; concurrent for ~5 waves.
    assert!(
        totals[1] + 100.0 < totals[0],
        "sequential {} ms, concurrent {} ms",
        totals[0],
        totals[1]
    );
    stack.stop().await;
}

/// The 201 body as FOLIO writes it: no empty lists, blank strings or tenant in the item
/// summary; a borrower with all its keys; policy summaries always there, named or not; the
/// patron group (summary and stored id) only when the group exists. A 422 is written like the
/// 201. The dry run reads neither a forced policy nor a loan date.
#[tokio::test]
async fn loan_representation_matches_folio() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let unknown_policy = "3f0e9c1a-5b2d-4c6e-8f7a-9b0c1d2e3f40";

    let dry = post(
        &stack.url(),
        "/circulation/check-out-by-barcode-dry-run",
        &json!({"itemBarcode": s.item_barcode(1), "userBarcode": s.patron_barcode(0),
                "forceLoanPolicyId": unknown_policy, "loanDate": "not a date"}),
        &[],
    )
    .await;
    assert_eq!(dry.status, 201, "{}", dry.text);
    assert_eq!(dry.body["loanPolicyId"], sd::LOAN_POLICY_ROLLING);

    let a = check_out(&stack, body(&stack, 0, 0), &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let item = &a.body["item"];
    for key in [
        "editions",
        "seriesStatements",
        "datesOfPublication",
        "physicalDescriptions",
        "administrativeNotes",
        "tenantId",
    ] {
        assert!(item.get(key).is_none(), "{key} in {}", a.text);
    }
    assert_eq!(item["contributors"].as_array().map(Vec::len), Some(1));
    assert!(item["callNumberComponents"]["callNumber"].is_string());
    let patron = s.patron(0);
    assert_eq!(
        a.body["borrower"],
        json!({"firstName": patron["personal"]["firstName"], "lastName": patron["personal"]["lastName"],
               "middleName": null, "barcode": s.patron_barcode(0), "preferredFirstName": null,
               "patronGroup": sd::GROUPS[0]})
    );

    // An item without call number components, for a patron whose group does not exist.
    let mut record = item_record(&client, &s.item_barcode(1)).await;
    record
        .as_object_mut()
        .unwrap()
        .remove("effectiveCallNumberComponents");
    replace(&client, "/item-storage/items", &record).await;
    let mut user = s.patron(1).clone();
    user["patronGroup"] = json!("0c5e7a9b-1d3f-4a6c-8e0b-2d4f6a8c0e1a");
    replace(&client, "/users", &user).await;
    let a = check_out(&stack, body(&stack, 1, 1), &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert!(a.body["item"].get("callNumberComponents").is_none());
    assert!(a.body.get("patronGroupAtCheckout").is_none(), "{}", a.text);
    let stored = client
        .get(&format!(
            "/loan-storage/loans/{}",
            a.body["id"].as_str().unwrap()
        ))
        .await
        .json();
    assert!(stored.get("patronGroupIdAtCheckout").is_none(), "{stored}");

    // A forced loan policy that does not exist has no name.
    let mut b = body(&stack, 2, 2);
    b["forceLoanPolicyId"] = json!(unknown_policy);
    let a = check_out(&stack, b.clone(), &[("X-Okapi-Permissions", "[]")]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.content_type.as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(a.messages(), vec!["Item is not loanable"]);
    assert_eq!(param(&a.errors()[0], "loanPolicyName"), Some(Value::Null));
    // Overridden with an empty comment and a date alone for the due date.
    b["loanDate"] = json!("2030-05-01T10:00:00.000Z");
    b["overrideBlocks"] = json!({"itemNotLoanableBlock": {"dueDate": "2030-05-02"}, "comment": ""});
    let a = check_out(&stack, b, &[("X-Okapi-Permissions", ALL_OVERRIDES)]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanPolicy"], json!({"name": null}));
    assert_eq!(a.body["actionComment"], "");
    assert_eq!(a.body["dueDate"], "2030-05-02T00:00:00.000Z");
    stack.stop().await;
}

/// Request fields as FOLIO reads them: barcodes and service point as sent (`null` when
/// missing), dates without an offset; and the wording of its messages for missing values.
#[tokio::test]
async fn request_values_and_wording_match_folio() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let no_perms = [("X-Okapi-Permissions", "[]")];

    let a = check_out(&stack, json!({}), &[]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        vec![
            "Check out must be performed at a service point",
            "Could not find user with matching barcode",
            "No item with barcode null could be found",
        ]
    );
    let e = a.errors();
    assert_eq!(param(&e[0], "servicePointId"), Some(Value::Null));
    assert_eq!(param(&e[1], "userBarcode"), Some(Value::Null));
    assert_eq!(param(&e[2], "itemBarcode"), Some(Value::Null));

    let a = check_out(
        &stack,
        json!({"itemBarcode": "", "userBarcode": "", "servicePointId": ""}),
        &[],
    )
    .await;
    assert_eq!(
        a.messages(),
        vec![
            "Check out must be performed at a service point",
            "Could not find user with matching barcode",
            "No item with barcode  could be found",
        ]
    );
    let e = a.errors();
    assert_eq!(param(&e[0], "servicePointId"), Some(json!("")));
    assert_eq!(param(&e[1], "userBarcode"), Some(json!("")));
    assert_eq!(param(&e[2], "itemBarcode"), Some(json!("")));

    // Spaces are a service point.
    let a = check_out(
        &stack,
        json!({"itemBarcode": "nope", "userBarcode": "nope", "servicePointId": "  "}),
        &[],
    )
    .await;
    assert_eq!(
        a.messages(),
        vec![
            "Could not find user with matching barcode",
            "No item with barcode nope could be found",
        ]
    );

    // A loan date without an offset is UTC; a date alone is its midnight.
    let mut b = body(&stack, 0, 0);
    b["loanDate"] = json!("2030-03-04T10:00:00");
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanDate"], "2030-03-04T10:00:00.000Z");
    assert_eq!(a.body["dueDate"], "2030-03-25T23:59:59.000Z");
    let mut b = body(&stack, 1, 1);
    b["loanDate"] = json!("2030-03-04");
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanDate"], "2030-03-04T00:00:00.000Z");
    // A date that cannot be read is the client's error (FOLIO: 500): a 422 naming the field.
    let mut b = body(&stack, 2, 2);
    b["loanDate"] = json!("the fourth of March");
    let a = check_out(&stack, b, &[]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(a.messages(), vec!["Invalid loanDate: the fourth of March"]);
    assert_eq!(
        param(&a.errors()[0], "loanDate"),
        Some(json!("the fourth of March"))
    );

    // An item without a loan type cannot be matched against the rules.
    let mut record = item_record(&client, &s.item_barcode(2)).await;
    record
        .as_object_mut()
        .unwrap()
        .remove("permanentLoanTypeId");
    replace(&client, "/item-storage/items", &record).await;
    let a = check_out(&stack, body(&stack, 2, 2), &[]).await;
    assert_eq!(a.status, 500, "{}", a.text);
    assert_eq!(
        a.text,
        "Unable to apply circulation rules to an item which loan type can not be determined"
    );

    // Missing material type and block description are printed `null`.
    let mut record = item_record(&client, &s.item_barcode(3)).await;
    record["status"] = json!({"name": "Declared lost"});
    record["materialTypeId"] = json!("5e1f3a7c-9b2d-4e6f-8a0c-1b3d5f7a9c2e");
    replace(&client, "/item-storage/items", &record).await;
    let user_id = s.patron(3)["id"].as_str().unwrap().to_string();
    let block = json!({"id": "0b0a5e1e-7c4e-4b35-9b83-6a3c3c0a0002", "userId": user_id,
                       "borrowing": true, "renewals": false, "requests": false, "type": "Manual"});
    let r = client.post("/manualblocks", &block).await;
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
    let a = check_out(&stack, body(&stack, 3, 3), &no_perms).await;
    assert_eq!(a.status, 422, "{}", a.text);
    let m = a.messages();
    assert_eq!(m[0], "Patron blocked from borrowing");
    assert_eq!(param(&a.errors()[0], "reason"), Some(json!("null")));
    assert!(
        m[1].ends_with(&format!(
            " (null) (Barcode: {}) has the item status Declared lost and cannot be checked out",
            s.item_barcode(3)
        )),
        "{}",
        m[1]
    );

    // Every requested override checks the due date, here at the patron block's place.
    let mut b = body(&stack, 3, 3);
    b["itemBarcode"] = json!("nope");
    b["overrideBlocks"] = json!({"patronBlock": {}, "itemNotLoanableBlock": {"dueDate": "2000-01-01T00:00:00Z"},
                                 "comment": "ok"});
    let a = check_out(&stack, b, &[("X-Okapi-Permissions", ALL_OVERRIDES)]).await;
    assert_eq!(
        a.messages(),
        vec![
            "Due date should be later than loan date",
            "No item with barcode nope could be found",
        ]
    );

    // Requested by someone else: a patron without a first name is named by username.
    let item = item_record(&client, &s.item_barcode(5)).await;
    let holdings = client
        .get(&format!(
            "/holdings-storage/holdings/{}",
            item["holdingsRecordId"].as_str().unwrap()
        ))
        .await
        .json();
    let request = json!({
        "id": "d1b2c3d4-0000-4000-8000-000000000001", "requestLevel": "Item", "requestType": "Hold",
        "requestDate": "2030-01-01T00:00:00.000Z", "requesterId": s.patron(7)["id"],
        "instanceId": holdings["instanceId"], "holdingsRecordId": holdings["id"], "itemId": item["id"],
        "status": "Open - Not yet filled", "position": 1, "fulfillmentPreference": "Hold Shelf",
        "pickupServicePointId": sd::SERVICE_POINT_CD1,
    });
    let r = client.post("/request-storage/requests", &request).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut user = s.patron(9).clone();
    user["personal"]
        .as_object_mut()
        .unwrap()
        .remove("firstName");
    replace(&client, "/users", &user).await;
    let a = check_out(&stack, body(&stack, 9, 5), &[]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert!(
        a.messages()[0].ends_with(&format!(
            "cannot be checked out to user {} because it has been requested by another patron",
            user["username"].as_str().unwrap()
        )),
        "{}",
        a.text
    );
    stack.stop().await;
}

/// An item whose holdings record does not exist: FOLIO's one 422 in place of anything else,
/// and nothing written (the check-out is undone if it got that far).
#[tokio::test]
async fn missing_holdings_refuse_the_check_out() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    // The item's own location: inventory derives it from the holdings otherwise.
    let mut item = item_record(&client, &s.item_barcode(0)).await;
    item["permanentLocationId"] = item["effectiveLocationId"].clone();
    replace(&client, "/item-storage/items", &item).await;
    let holdings_id = item["holdingsRecordId"].as_str().unwrap().to_string();
    let gone = client
        .delete(&format!("/holdings-storage/holdings/{holdings_id}"))
        .await;
    assert_eq!(gone.status, 204, "{}", gone.body);
    let expected = json!([{"message": "Holdings record does not exist",
                           "parameters": [{"key": "id", "value": holdings_id}]}]);
    for patron in [s.patron_barcode(0), "nobody".to_string()] {
        let mut b = body(&stack, 0, 0);
        b["userBarcode"] = json!(patron);
        let a = check_out(&stack, b, &[]).await;
        assert_eq!(a.status, 422, "{}", a.text);
        assert_eq!(a.body["errors"], expected);
    }
    let dry = post(
        &stack.url(),
        "/circulation/check-out-by-barcode-dry-run",
        &json!({"itemBarcode": s.item_barcode(0), "userBarcode": s.patron_barcode(0)}),
        &[],
    )
    .await;
    assert_eq!(dry.status, 422, "{}", dry.text);
    assert_eq!(dry.body["errors"], expected);
    let item = item_record(&client, &s.item_barcode(0)).await;
    assert_eq!(item["status"]["name"], "Available");
    assert_eq!(open_loans(&client, item["id"].as_str().unwrap()).await, 0);
    stack.stop().await;
}

/// The "Check out" and "Check in" loan notices are not sent by the check-out or check-in: each
/// records a patron action session, and ending the patron's sessions of one action sends one
/// notice listing their loans (FOLIO's `end-patron-action-session`), logs it and deletes the
/// sessions. A policy without a notice for the action sends nothing.
#[tokio::test]
async fn check_out_notices_are_sent_when_the_patrons_session_ends() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let template = "7a1e6c1f-4a8b-4b8f-9c55-0c1c2d3e4f50";
    use_loan_notices(
        &client,
        "Check-out notices",
        json!([{"templateId": template, "format": "Email", "frequency": "One time",
                "realTime": true, "sendOptions": {"sendWhen": "Check out"}}]),
    )
    .await;
    let patron = s.patron(4).clone();
    let patron_id = patron["id"].as_str().unwrap();
    let first = checked_out(&stack, 4, 5).await;
    let second = checked_out(&stack, 4, 6).await;
    assert!(
        stack.standins.sent_notices("diku").is_empty(),
        "a check-out sends no notice itself"
    );
    let sessions = |action: &'static str| {
        let client = client.clone();
        let q = format!("patronId=={patron_id} and actionType==\"{action}\"");
        async move {
            client
                .get(&format!(
                    "/patron-action-session-storage/patron-action-sessions?query={}",
                    encode(&q)
                ))
                .await
                .json()["totalRecords"]
                .clone()
        }
    };
    assert_eq!(sessions("Check-out").await, 2);
    let end =
        |action: &str| json!({"endSessions": [{"patronId": patron_id, "actionType": action}]});
    let path = "/circulation/end-patron-action-session";

    let a = post(&stack.url(), path, &end("Check-out"), &[]).await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert!(a.text.is_empty());
    let notices = stack.standins.sent_notices("diku");
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice = &notices[0];
    assert_eq!(notice["recipientId"], patron_id);
    assert_eq!(notice["templateId"], template);
    assert_eq!(notice["deliveryChannel"], "email");
    assert_eq!(notice["outputFormat"], "text/html");
    let context = &notice["context"];
    assert_eq!(context["user"]["barcode"], patron["barcode"]);
    assert_eq!(context["user"]["lastName"], patron["personal"]["lastName"]);
    // Read without its group, as FOLIO's session reads the patron.
    assert_eq!(context["user"]["patronGroup"], "");
    let loans = context["loans"].as_array().expect("loans");
    assert_eq!(loans.len(), 2, "{context}");
    let barcodes: Vec<&Value> = loans.iter().map(|l| &l["item"]["barcode"]).collect();
    assert!(
        barcodes.contains(&&json!(s.item_barcode(5))),
        "{barcodes:?}"
    );
    assert!(
        barcodes.contains(&&json!(s.item_barcode(6))),
        "{barcodes:?}"
    );
    let of_first = loans
        .iter()
        .find(|l| l["item"]["barcode"] == s.item_barcode(5).as_str())
        .unwrap();
    assert_eq!(of_first["loan"]["dueDate"], first["dueDate"]);
    assert_eq!(of_first["loan"]["numberOfRenewalsTaken"], "0");
    assert_eq!(of_first["loan"]["numberOfRenewalsAllowed"], "3");
    assert_eq!(
        of_first["item"]["effectiveLocationLibrary"],
        "Datalogisk Institut"
    );
    assert_eq!(of_first["item"]["status"], "Checked out");
    assert_eq!(sessions("Check-out").await, 0);
    // The notice in the circulation log, published before the answer.
    let logged = log_records(&stack, "NOTICE").await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    let items = logged[0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().any(|i| i["loanId"] == second["id"]));
    assert!(items.iter().all(|i| i["templateId"] == template
        && i["triggeringEvent"] == "Check out"
        && i["noticePolicyId"] == sd::NOTICE_POLICY_NONE));

    // Checked in: a check-in session, but the policy has no "Check in" notice.
    let check_in = json!({"itemBarcode": s.item_barcode(5), "servicePointId": sd::SERVICE_POINT_CD1,
                          "checkInDate": "2030-03-10T12:00:00.000Z"});
    let a = post(
        &stack.url(),
        "/circulation/check-in-by-barcode",
        &check_in,
        &[("X-Okapi-User-Id", "8f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b")],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(sessions("Check-in").await, 1);
    let a = post(&stack.url(), path, &end("Check-in"), &[]).await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert_eq!(stack.standins.sent_notices("diku").len(), 1);
    assert_eq!(sessions("Check-in").await, 0);

    // FOLIO's refusals of the request.
    let a = post(
        &stack.url(),
        path,
        &json!({"endSessions": [{"actionType": "Check-out"}]}),
        &[],
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        ["End patron session request must have patron id"]
    );
    let a = post(
        &stack.url(),
        path,
        &json!({"endSessions": [{"patronId": patron_id}]}),
        &[],
    )
    .await;
    assert_eq!(
        a.messages(),
        ["End patron session request must have action type"]
    );
    let a = post(&stack.url(), path, &end("Renewal"), &[]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(a.messages(), ["Invalid patron action type value"]);
    assert_eq!(param(&a.errors()[0], "actionType"), Some(json!("Renewal")));
    stack.stop().await;
}
