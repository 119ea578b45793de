//! End-to-end renewal by barcode through the gateway: the loan renewed (due date, count,
//! action, `Location`), FOLIO's refusals with their codes and override blocks, and what follows
//! the renewal (notices rescheduled, a lost item's fees cancelled, the overdue fine, the
//! "Renewed" notice).
use super::check_in::{account_now, iso, lost, refunding, state};
use super::support::{
    body, failing_proxy, item_record, item_request, log_records, post, post_via, published,
    replace, sample, start, stored_loan, use_loan_notices, Answer,
};
use circulation_tests::http::encode;
use circulation_tests::sample_data as sd;
use circulation_tests::stack::Stack;
use serde_json::{json, Value};

async fn renew(stack: &Stack, body: Value) -> Answer {
    post(&stack.url(), "/circulation/renew-by-barcode", &body, &[]).await
}

/// Item 5 checked out to patron 7 (the rolling three-week policy, renewed from the system
/// date) ten days ago.
async fn loan_from_ten_days_ago(stack: &Stack) -> Value {
    checked_out_ten_days_ago(stack, body(stack, 7, 5)).await
}

/// The check-out `b` (patron 7 on the rolling three-week policy), dated ten days ago.
async fn checked_out_ten_days_ago(stack: &Stack, mut b: Value) -> Value {
    let ten_days_ago = chrono::Utc::now() - chrono::Duration::days(10);
    b["loanDate"] = json!(ten_days_ago.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let a = post(&stack.url(), "/circulation/check-out-by-barcode", &b, &[]).await;
    assert_eq!(a.status, 201, "{}", a.text);
    assert_eq!(a.body["loanPolicyId"], sd::LOAN_POLICY_ROLLING);
    a.body
}

fn renewal_body(stack: &Stack, patron: usize, item: usize) -> Value {
    let s = sample(stack);
    json!({"itemBarcode": s.item_barcode(item), "userBarcode": s.patron_barcode(patron)})
}

fn codes(a: &Answer) -> Vec<String> {
    a.errors()
        .iter()
        .map(|e| e["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn renewal_moves_the_due_date_and_counts() {
    let stack = start().await;
    let client = stack.client();
    let loan = loan_from_ten_days_ago(&stack).await;
    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = loan["id"].as_str().unwrap();
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/circulation/loans/{id}").as_str())
    );
    assert!(a.timing.is_some());
    assert_eq!(a.body["id"], loan["id"]);
    assert_eq!(a.body["action"], "renewed");
    assert_eq!(a.body["renewalCount"], 1);
    assert_eq!(a.body["loanPolicyId"], sd::LOAN_POLICY_ROLLING);
    assert!(
        a.body["dueDate"].as_str().unwrap() > loan["dueDate"].as_str().unwrap(),
        "{} after {}",
        a.body["dueDate"],
        loan["dueDate"]
    );
    assert_eq!(a.body["item"]["barcode"], loan["item"]["barcode"]);
    assert_eq!(a.body["borrower"], loan["borrower"]);
    assert_eq!(a.body["loanPolicy"], loan["loanPolicy"]);
    let stored = client
        .get(&format!("/loan-storage/loans/{id}"))
        .await
        .json();
    assert_eq!(stored["renewalCount"], 1);
    assert_eq!(stored["action"], "renewed");

    // LOAN_DUE_DATE_CHANGED and the circulation log's two loan records.
    let loan_records = |events: &[(String, Value)]| -> Vec<Value> {
        events
            .iter()
            .filter(|(kind, p)| kind == "LOG_RECORD" && p["logEventType"] == "LOAN")
            .map(|(_, p)| p["payload"].clone())
            .collect()
    };
    let events = published(&stack, |e| loan_records(e).len() >= 2).await;
    let changed = events
        .iter()
        .find(|(kind, _)| kind == "LOAN_DUE_DATE_CHANGED")
        .map(|(_, p)| p)
        .expect("LOAN_DUE_DATE_CHANGED");
    assert_eq!(changed["loanId"], loan["id"]);
    assert_eq!(changed["dueDate"], a.body["dueDate"]);
    let records = loan_records(&events);
    let actions: Vec<&str> = records
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    assert_eq!(actions.len(), 2, "{records:?}");
    assert!(
        actions.contains(&"Changed due date") && actions.contains(&"Renewed"),
        "{actions:?}"
    );
    for r in &records {
        assert_eq!(r["loanId"], loan["id"]);
        assert_eq!(r["itemBarcode"], loan["item"]["barcode"]);
        assert_eq!(r["userBarcode"], loan["borrower"]["barcode"]);
        let description = r["description"].as_str().unwrap();
        assert!(description.starts_with("New due date: "), "{description}");
        assert!(description.contains(" (from "), "{description}");
    }

    // Renewed again from the same system date: the due date would not change.
    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(codes(&a), vec!["RENEWAL_WOULD_NOT_CHANGE_DUE_DATE"]);
    assert_eq!(a.messages(), vec!["renewal would not change the due date"]);
    assert_eq!(
        a.errors()[0]["overridableBlock"]["name"],
        "renewalDueDateRequiredBlock"
    );

    // At the policy's limit (3).
    let mut limited = stored.clone();
    limited["renewalCount"] = json!(3);
    limited["dueDate"] = loan["dueDate"].clone();
    assert_eq!(
        client
            .put(&format!("/loan-storage/loans/{id}"), &limited)
            .await
            .status,
        204
    );
    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(codes(&a), vec!["LOAN_RENEWAL_LIMIT_REACHED"]);
    assert_eq!(a.errors()[0]["overridableBlock"]["name"], "renewalBlock");
    stack.stop().await;
}

#[tokio::test]
async fn refusals_before_the_loan_answer_alone() {
    let stack = start().await;
    let s = sample(&stack);
    let a = renew(&stack, json!({"userBarcode": s.patron_barcode(7)})).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        vec!["Renewal request must have an item barcode"]
    );
    assert_eq!(codes(&a), vec!["RENEWAL_REQUEST_ITEM_BARCODE_REQUIRED"]);
    let a = renew(&stack, json!({"itemBarcode": s.item_barcode(5)})).await;
    assert_eq!(codes(&a), vec!["RENEWAL_REQUEST_USER_BARCODE_REQUIRED"]);
    let a = renew(
        &stack,
        json!({"itemBarcode": "no-such-item", "userBarcode": s.patron_barcode(7)}),
    )
    .await;
    assert_eq!(
        a.messages(),
        vec!["No item with barcode no-such-item exists"]
    );
    assert_eq!(codes(&a), vec!["ITEM_BARCODE_NOT_FOUND"]);
    // No open loan: FOLIO's 500.
    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    assert_eq!(a.status, 500, "{}", a.text);
    assert_eq!(
        a.text,
        format!("More than one open loan for item {}", s.item_barcode(5))
    );
    loan_from_ten_days_ago(&stack).await;
    let a = renew(&stack, renewal_body(&stack, 8, 5)).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        vec!["Cannot renew item checked out to different user"]
    );
    assert_eq!(codes(&a), vec!["ITEM_CHECKED_OUT_TO_DIFFERENT_USER"]);
    stack.stop().await;
}

#[tokio::test]
async fn a_waiting_recall_refuses_the_renewal() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    loan_from_ten_days_ago(&stack).await;
    let item = item_record(&client, &s.item_barcode(5)).await;
    let recall = "b1b2c3d4-0000-4000-8000-000000000031";
    item_request(
        &client,
        recall,
        "Recall",
        &item,
        s.patron(16),
        sd::SERVICE_POINT_CD1,
    )
    .await;
    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(codes(&a), vec!["RENEWAL_BLOCKED_BY_RECALL"]);
    let e = &a.errors()[0];
    assert_eq!(
        e["parameters"][0],
        json!({"key": "requestId", "value": recall})
    );
    assert_eq!(e["overridableBlock"]["name"], "renewalBlock");
    assert!(
        e["overridableBlock"]["missingPermissions"].is_array(),
        "{e}"
    );
    stack.stop().await;
}

#[tokio::test]
async fn renewal_by_id_and_another_users_loan() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let loan = loan_from_ten_days_ago(&stack).await;
    let item = item_record(&client, &s.item_barcode(5)).await;
    let by_id = |user: &Value| json!({"itemId": item["id"], "userId": user["id"]});
    let renewed = post(
        &stack.url(),
        "/circulation/renew-by-id",
        &by_id(s.patron(7)),
        &[],
    )
    .await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    assert_eq!(renewed.body["id"], loan["id"]);
    assert_eq!(renewed.body["renewalCount"], 1);

    // Another user's loan: refused with the user id asked for, among the renewal's refusals
    // (here the unchanged due date as well).
    let other = post(
        &stack.url(),
        "/circulation/renew-by-id",
        &by_id(s.patron(8)),
        &[],
    )
    .await;
    assert_eq!(other.status, 422, "{}", other.text);
    assert_eq!(
        codes(&other),
        vec![
            "ITEM_CHECKED_OUT_TO_DIFFERENT_USER",
            "RENEWAL_WOULD_NOT_CHANGE_DUE_DATE"
        ]
    );
    assert_eq!(
        other.errors()[0]["parameters"][0],
        json!({"key": "userId", "value": s.patron(8)["id"]})
    );

    let missing = "0f0f0f0f-1111-4222-8333-444444444444";
    let none = post(
        &stack.url(),
        "/circulation/renew-by-id",
        &json!({"itemId": missing, "userId": s.patron(7)["id"]}),
        &[],
    )
    .await;
    assert_eq!(none.status, 422, "{}", none.text);
    assert_eq!(
        none.messages(),
        vec![format!("No item with ID {missing} exists")]
    );
    assert!(none.errors()[0].get("code").is_none());
    stack.stop().await;
}

#[tokio::test]
async fn a_manual_renewal_block_and_its_override() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let loan = loan_from_ten_days_ago(&stack).await;
    let block = json!({"id": "0b0a5e1e-7c4e-4b35-9b83-6a3c3c0a0031",
                       "userId": s.patron(7)["id"], "desc": "Unpaid fines",
                       "borrowing": false, "renewals": true, "requests": false, "type": "Manual"});
    let r = client.post("/manualblocks", &block).await;
    assert!(r.status == 201 || r.status == 200, "{}", r.body);
    let url = stack.url();
    let none = [("X-Okapi-Permissions", "[]")];
    let a = post(
        &url,
        "/circulation/renew-by-barcode",
        &renewal_body(&stack, 7, 5),
        &none,
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(a.messages(), vec!["Patron blocked from renewing"]);
    assert_eq!(codes(&a), vec!["USER_IS_BLOCKED_MANUALLY"]);
    assert_eq!(
        a.errors()[0]["overridableBlock"],
        json!({"name": "patronBlock", "missingPermissions": ["circulation.override-patron-block.post"]})
    );

    let mut overridden = renewal_body(&stack, 7, 5);
    overridden["overrideBlocks"] = json!({"patronBlock": {}, "comment": "paid at the desk"});
    let a = post(&url, "/circulation/renew-by-barcode", &overridden, &none).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(a.messages(), vec!["Insufficient override permissions"]);
    assert_eq!(codes(&a), vec!["INSUFFICIENT_OVERRIDE_PERMISSIONS"]);

    let granted = [(
        "X-Okapi-Permissions",
        "[\"circulation.override-patron-block.post\"]",
    )];
    let a = post(&url, "/circulation/renew-by-barcode", &overridden, &granted).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["id"], loan["id"]);
    assert_eq!(a.body["action"], "renewedThroughOverride");
    assert_eq!(a.body["actionComment"], "paid at the desk");
    assert_eq!(a.body["renewalCount"], 1);
    stack.stop().await;
}

/// The outcome of one of many simultaneous calls: a success, or the refusal of a loser.
fn lost_the_race(a: &Answer) -> bool {
    match a.status {
        // Storage refuses a loan write naming a version replaced since it was read.
        409 => a.text.contains("optimistic locking"),
        // Read after the winner: renewed already (same day).
        422 => codes(a) == ["RENEWAL_WOULD_NOT_CHANGE_DUE_DATE"],
        // A renewal after the check-in: no open loan, FOLIO's 500 and its text.
        500 => a.text.starts_with("More than one open loan for item"),
        _ => false,
    }
}

#[tokio::test]
async fn twenty_simultaneous_renewals_count_once_per_success() {
    let stack = start().await;
    let client = stack.client();
    let loan = loan_from_ten_days_ago(&stack).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let url = stack.url();
            let b = renewal_body(&stack, 7, 5);
            tokio::spawn(async move { post(&url, "/circulation/renew-by-barcode", &b, &[]).await })
        })
        .collect();
    let mut renewed = 0;
    for t in tasks {
        let a = t.await.unwrap();
        match a.status {
            200 => renewed += 1,
            _ => assert!(lost_the_race(&a), "{} {}", a.status, a.text),
        }
    }
    // Every renewal counted: none overwrote another's.
    assert!(renewed >= 1);
    let stored = stored_loan(&client, &loan).await;
    assert_eq!(stored["renewalCount"], renewed);
    stack.stop().await;
}

#[tokio::test]
async fn renewals_racing_check_ins_never_reopen_a_returned_loan() {
    let stack = start().await;
    let client = stack.client();
    let loan = loan_from_ten_days_ago(&stack).await;
    let barcode = sample(&stack).item_barcode(5);
    let check_in = json!({"itemBarcode": barcode, "servicePointId": sd::SERVICE_POINT_CD1,
                          "checkInDate": chrono::Utc::now().to_rfc3339()});
    let staff = [("X-Okapi-User-Id", "8f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b")];
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let url = stack.url();
            let (path, b) = match n % 2 {
                0 => ("/circulation/renew-by-barcode", renewal_body(&stack, 7, 5)),
                _ => ("/circulation/check-in-by-barcode", check_in.clone()),
            };
            tokio::spawn(async move { (path, post(&url, path, &b, &staff).await) })
        })
        .collect();
    let mut renewed = 0;
    for t in tasks {
        let (path, a) = t.await.unwrap();
        match a.status {
            200 if path.contains("renew") => renewed += 1,
            200 => {}
            _ => assert!(lost_the_race(&a), "{path}: {} {}", a.status, a.text),
        }
    }
    let stored = stored_loan(&client, &loan).await;
    assert_eq!(stored["renewalCount"].as_u64().unwrap_or(0), renewed);
    // The loan and the item agree: returned and available, or still out and checked out.
    let item = item_record(&client, &barcode).await;
    match stored["status"]["name"].as_str() {
        Some("Closed") => assert_eq!(item["status"]["name"], "Available"),
        _ => assert_eq!(item["status"]["name"], "Checked out"),
    }
    stack.stop().await;
}

/// A renewal asking to override the renewal blocks, with `blocks` and the permissions given.
async fn override_renewal(
    stack: &Stack,
    patron: usize,
    item: usize,
    blocks: Value,
    permissions: &str,
) -> Answer {
    let mut b = renewal_body(stack, patron, item);
    b["overrideBlocks"] = blocks;
    post(
        &stack.url(),
        "/circulation/renew-by-barcode",
        &b,
        &[("X-Okapi-Permissions", permissions)],
    )
    .await
}

const RENEWAL_OVERRIDE: &str = "[\"circulation.override-renewal-block.post\"]";

#[tokio::test]
async fn renewal_block_overrides_as_folio_decides_them() {
    let stack = start().await;
    let client = stack.client();
    let loan = loan_from_ten_days_ago(&stack).await;
    let id = loan["id"].as_str().unwrap();
    let block = json!({"renewalBlock": {}, "comment": "patron is travelling"});

    // A loan that renews normally is no case for an override.
    let a = override_renewal(&stack, 7, 5, block.clone(), RENEWAL_OVERRIDE).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        codes(&a),
        vec!["OVERRIDE_RENEWAL_NOT_ALLOWED_FOR_CURRENT_LOAN"]
    );
    assert!(a.messages()[0].starts_with("Override renewal does not match any of expected cases"));

    // At the limit: no permission, no comment, then renewed through the override.
    let mut limited = stored_loan(&client, &loan).await;
    limited["renewalCount"] = json!(3);
    let path = format!("/loan-storage/loans/{id}");
    assert_eq!(client.put(&path, &limited).await.status, 204);
    let a = override_renewal(&stack, 7, 5, block.clone(), "[]").await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(codes(&a), vec!["INSUFFICIENT_OVERRIDE_PERMISSIONS"]);
    let a = override_renewal(&stack, 7, 5, json!({"renewalBlock": {}}), RENEWAL_OVERRIDE).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        vec!["Override renewal request must have a comment"]
    );
    assert_eq!(codes(&a), vec!["OVERRIDE_RENEWAL_COMMENT_REQUIRED"]);
    let a = override_renewal(&stack, 7, 5, block.clone(), RENEWAL_OVERRIDE).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["action"], "renewedThroughOverride");
    assert_eq!(a.body["actionComment"], "patron is travelling");
    assert_eq!(a.body["renewalCount"], 4);
    assert!(a.body["dueDate"].as_str().unwrap() > loan["dueDate"].as_str().unwrap());
    let stored = stored_loan(&client, &loan).await;
    assert_eq!(stored["action"], "renewedThroughOverride");
    assert_eq!(stored["renewalCount"], 4);

    // Due later than the policy would renew to: a new due date is required, and used.
    let mut far = stored_loan(&client, &loan).await;
    let in_a_month = chrono::Utc::now() + chrono::Duration::days(30);
    far["dueDate"] = json!(in_a_month.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    assert_eq!(client.put(&path, &far).await.status, 204);
    let a = override_renewal(&stack, 7, 5, block.clone(), RENEWAL_OVERRIDE).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        codes(&a),
        vec!["OVERRIDE_RENEWAL_DUE_DATE_REQUIRED_WHEN_DUE_DATE_UNCHANGED"]
    );
    let later = (chrono::Utc::now() + chrono::Duration::days(60))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let dated = json!({"renewalDueDateRequiredBlock": {"dueDate": later},
                       "comment": "patron is travelling"});
    let a = override_renewal(&stack, 7, 5, dated, RENEWAL_OVERRIDE).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["dueDate"], json!(later));
    assert_eq!(a.body["renewalCount"], 5);
    stack.stop().await;
}

#[tokio::test]
async fn a_policy_that_does_not_renew_needs_the_overrides_due_date() {
    let stack = start().await;
    let client = stack.client();
    // Item 3, a DVD: its fixed policy does not renew.
    let a = post(
        &stack.url(),
        "/circulation/check-out-by-barcode",
        &body(&stack, 7, 3),
        &[],
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.text);
    let loan = a.body;
    let block = json!({"renewalDueDateRequiredBlock": {}, "comment": "exam week"});
    let a = override_renewal(&stack, 7, 3, block, RENEWAL_OVERRIDE).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        a.messages(),
        vec!["New due date must be specified when due date calculation fails"]
    );
    assert_eq!(codes(&a), vec!["OVERRIDE_RENEWAL_DUE_DATE_REQUIRED"]);

    // A declared-lost item renewed through the override is checked out again.
    let barcode = sample(&stack).item_barcode(3);
    let mut item = item_record(&client, &barcode).await;
    item["status"] = json!({"name": "Declared lost"});
    let item_path = format!("/item-storage/items/{}", item["id"].as_str().unwrap());
    assert_eq!(client.put(&item_path, &item).await.status, 204);
    let due = (chrono::Utc::now() + chrono::Duration::days(14))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let block = json!({"renewalDueDateRequiredBlock": {"dueDate": due}, "comment": "found it"});
    let a = override_renewal(&stack, 7, 3, block, RENEWAL_OVERRIDE).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["id"], loan["id"]);
    assert_eq!(a.body["dueDate"], json!(due));
    assert_eq!(a.body["action"], "renewedThroughOverride");
    assert_eq!(a.body["item"]["status"]["name"], "Checked out");
    assert_eq!(
        item_record(&client, &barcode).await["status"]["name"],
        "Checked out"
    );
    stack.stop().await;
}

#[tokio::test]
async fn an_overdue_loan_renewed_is_charged_its_overdue_fine() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let mut policy = s.overdue_fine_policies[0].clone();
    policy["overdueFine"] = json!({"quantity": 1.0, "intervalId": "day"});
    policy["maxOverdueFine"] = json!(0.0);
    policy["forgiveOverdueFine"] = json!(false);
    replace(&client, "/overdue-fines-policies", &policy).await;
    // Checked out thirty days ago on the three-week policy: nine days overdue, or so.
    let mut b = body(&stack, 7, 5);
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    b["loanDate"] = json!(month_ago.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let loan = post(&stack.url(), "/circulation/check-out-by-barcode", &b, &[]).await;
    assert_eq!(loan.status, 201, "{}", loan.text);
    let due = chrono::DateTime::parse_from_rfc3339(loan.body["dueDate"].as_str().unwrap()).unwrap();
    let days_begun = |at: chrono::DateTime<chrono::Utc>| {
        let minutes = (at.timestamp() / 60 - due.timestamp() / 60) as f64;
        (minutes / 1440.0).ceil()
    };
    let before = days_begun(chrono::Utc::now());
    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    let after = days_begun(chrono::Utc::now());
    assert_eq!(a.status, 200, "{}", a.text);
    let loan_id = loan.body["id"].as_str().unwrap();
    let accounts = client
        .get(&format!(
            "/accounts?query={}",
            encode(&format!("loanId=={loan_id}"))
        ))
        .await
        .json();
    let accounts = accounts["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["feeFineType"], "Overdue fine");
    let amount = accounts[0]["amount"].as_f64().unwrap();
    assert!(
        amount == before || amount == after,
        "{amount}: {before}..{after}"
    );
    // The fine is for the loan as it was due: the renewal moved the due date on.
    assert_eq!(accounts[0]["dueDate"], loan.body["dueDate"]);
    stack.stop().await;
}

#[tokio::test]
async fn a_renewal_reschedules_the_due_date_notices() {
    let stack = start().await;
    let client = stack.client();
    let template = "2d5f138f-e088-4dff-80f6-9830f13bcde7";
    use_loan_notices(
        &client,
        "Due date notices",
        json!([{"templateId": template, "format": "Email", "realTime": false,
                "sendOptions": {"sendHow": "Upon At", "sendWhen": "Due date"}}]),
    )
    .await;
    let loan = loan_from_ten_days_ago(&stack).await;
    let id = loan["id"].as_str().unwrap();
    let notices = || {
        let client = client.clone();
        let q = format!("loanId==\"{id}\" and triggeringEvent==\"Due date\"");
        async move {
            let list = client
                .get(&format!(
                    "/scheduled-notice-storage/scheduled-notices?query={}",
                    encode(&q)
                ))
                .await
                .json();
            list["scheduledNotices"].as_array().unwrap().clone()
        }
    };
    let before = notices().await;
    assert_eq!(before.len(), 1, "{before:?}");
    let at = |n: &Value| {
        chrono::DateTime::parse_from_rfc3339(n["nextRunTime"].as_str().unwrap()).unwrap()
    };
    let due =
        |v: &Value| chrono::DateTime::parse_from_rfc3339(v["dueDate"].as_str().unwrap()).unwrap();
    assert_eq!(at(&before[0]), due(&loan));

    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let after = notices().await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after[0]["id"], before[0]["id"]);
    assert_eq!(at(&after[0]), due(&a.body));
    stack.stop().await;
}

#[tokio::test]
async fn a_lost_item_renewed_through_an_override_has_its_fees_cancelled() {
    let stack = refunding(json!({})).await;
    let client = stack.client();
    let (_, [fee, processing]) = lost(&stack, 0, "Declared lost", chrono::Duration::hours(1)).await;
    let due = iso(chrono::Utc::now() + chrono::Duration::days(40));
    let staff = sample(&stack).patron(0)["id"].as_str().unwrap();
    let mut b = renewal_body(&stack, 2, 0);
    b["servicePointId"] = json!(sd::SERVICE_POINT_CD1);
    b["overrideBlocks"] = json!({"renewalBlock": {},
        "renewalDueDateRequiredBlock": {"dueDate": due}, "comment": "found on the shelf"});
    let a = post(
        &stack.url(),
        "/circulation/renew-by-barcode",
        &b,
        &[
            ("X-Okapi-Permissions", RENEWAL_OVERRIDE),
            ("X-Okapi-User-Id", staff),
        ],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["item"]["status"]["name"], "Checked out");
    // Unpaid: cancelled, the renewal's reason as payment status.
    for (account, amount) in [(&fee, 10.0), (&processing, 5.0)] {
        let (now, actions) = account_now(&client, account).await;
        assert_eq!(
            state(&now),
            json!([amount, 0.0, "Closed", "Cancelled item renewed"]),
            "{now}"
        );
        assert_eq!(
            actions,
            vec![json!(["Cancelled item renewed", amount, 0.0, null, null])]
        );
    }
    stack.stop().await;
}

/// A notice policy with a "Renewed" loan notice (and a "Check in" one, which a renewal does
/// not send).
async fn use_renewed_notice(client: &circulation_tests::http::FolioClient, template: &str) {
    use_loan_notices(
        client,
        "Renewal notices",
        json!([
            {"templateId": template, "format": "Email", "frequency": "One time",
             "realTime": true, "sendOptions": {"sendWhen": "Renewed"}},
            {"templateId": "0c4b7a34-0d57-4c0a-a1d7-2cf0e8d4a111", "format": "Email",
             "realTime": true, "sendOptions": {"sendWhen": "Check in"}},
        ]),
    )
    .await;
}

/// Item 5 renewed for patron 7 by the logic module straight, with `gateway` as its gateway.
async fn renew_via(stack: &Stack, gateway: &str) -> Answer {
    let path = "/circulation/renew-by-barcode";
    let body = renewal_body(stack, 7, 5);
    post_via(&stack.logic[0].url, gateway, path, &body, &[]).await
}

/// The "Renewed" notice of the loan's notice policy is sent by the renewal itself (FOLIO's
/// `LoanNoticeSender`), before the answer: to the borrower, in the policy's format, with the
/// borrower's, the item's and the renewed loan's tokens; and it is logged as a `NOTICE`.
#[tokio::test]
async fn a_renewal_sends_the_renewed_notice() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let template = "e8f7a8a4-58c1-4b2e-9a43-0f3c7f4b5d01";
    use_renewed_notice(&client, template).await;
    let loan = loan_from_ten_days_ago(&stack).await;
    // Patron info added to the loan: the notice names the latest, from the loan's history once
    // the renewal is the loan's last action.
    let mut stored = stored_loan(&client, &loan).await;
    stored["action"] = json!("patronInfoAdded");
    stored["actionComment"] = json!("Bring your library card");
    replace(&client, "/loan-storage/loans", &stored).await;
    assert!(stack.standins.sent_notices("diku").is_empty());

    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let notices = stack.standins.sent_notices("diku");
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice = &notices[0];
    let patron = s.patron(7);
    assert_eq!(notice["recipientId"], patron["id"]);
    assert_eq!(notice["templateId"], template);
    assert_eq!(notice["deliveryChannel"], "email");
    assert_eq!(notice["outputFormat"], "text/html");
    let context = &notice["context"];
    assert!(context.get("loans").is_none(), "one loan: {context}");
    let user = &context["user"];
    assert_eq!(user["barcode"], patron["barcode"]);
    assert_eq!(user["lastName"], patron["personal"]["lastName"]);
    assert_eq!(user["firstName"], patron["personal"]["firstName"]);
    // Read without its group, as FOLIO reads the loan's user.
    assert_eq!(user["patronGroup"], "");
    let item = &context["item"];
    assert_eq!(item["barcode"], s.item_barcode(5).as_str());
    assert_eq!(item["title"], a.body["item"]["title"]);
    assert_eq!(item["status"], "Checked out");
    assert_eq!(item["materialType"], "book");
    assert_eq!(item["loanType"], "Can circulate");
    assert_eq!(item["effectiveLocationSpecific"], "Main Library");
    assert_eq!(item["effectiveLocationLibrary"], "Datalogisk Institut");
    assert_eq!(
        item["effectiveLocationPrimaryServicePointName"],
        "Circ Desk 1"
    );
    let renewed = &context["loan"];
    assert_eq!(renewed["dueDate"], a.body["dueDate"]);
    assert_ne!(renewed["dueDate"], loan["dueDate"]);
    assert_eq!(renewed["initialBorrowDate"], loan["loanDate"]);
    assert_eq!(renewed["numberOfRenewalsTaken"], "1");
    assert_eq!(renewed["numberOfRenewalsAllowed"], "3");
    assert_eq!(renewed["numberOfRenewalsRemaining"], "2");
    assert_eq!(renewed["additionalInfo"], "Bring your library card");

    let logged = log_records(&stack, "NOTICE").await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["userId"], patron["id"]);
    assert_eq!(logged[0]["userBarcode"], patron["barcode"]);
    let items = logged[0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["loanId"], loan["id"]);
    assert_eq!(items[0]["itemBarcode"], s.item_barcode(5).as_str());
    assert_eq!(items[0]["templateId"], template);
    assert_eq!(items[0]["noticePolicyId"], sd::NOTICE_POLICY_NONE);
    assert_eq!(items[0]["triggeringEvent"], "Renewed");
    assert_eq!(items[0]["servicePointId"], sd::SERVICE_POINT_CD1);
    assert!(log_records(&stack, "NOTICE_ERROR").await.is_empty());
    stack.stop().await;
}

/// When an active relationship sends the borrower's notices to the proxy who checked the item
/// out, the "Renewed" notice goes to the proxy, and still names the borrower.
#[tokio::test]
async fn the_renewed_notice_goes_to_the_proxy_the_relationship_names() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let template = "e8f7a8a4-58c1-4b2e-9a43-0f3c7f4b5d02";
    use_renewed_notice(&client, template).await;
    let (borrower, proxy) = (s.patron(7), s.patron(8));
    let relationship = json!({"id": "5f0e1d2c-3b4a-4968-8776-a5b4c3d2e1f0",
                              "userId": borrower["id"], "proxyUserId": proxy["id"],
                              "status": "Active", "notificationsTo": "Proxy"});
    let r = client.post("/proxiesfor", &relationship).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut b = body(&stack, 7, 5);
    b["proxyUserBarcode"] = proxy["barcode"].clone();
    let loan = checked_out_ten_days_ago(&stack, b).await;
    assert_eq!(loan["proxyUserId"], proxy["id"]);

    let a = renew(&stack, renewal_body(&stack, 7, 5)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let notices = stack.standins.sent_notices("diku");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["recipientId"], proxy["id"]);
    assert_eq!(notices[0]["templateId"], template);
    assert_eq!(
        notices[0]["context"]["user"]["barcode"],
        borrower["barcode"]
    );
    let logged = log_records(&stack, "NOTICE").await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["userId"], borrower["id"]);
    stack.stop().await;
}

/// A notice mod-notify does not take leaves the renewal as it is: the notice is logged as a
/// `NOTICE_ERROR` naming its template.
#[tokio::test]
async fn a_refused_renewed_notice_is_logged_and_the_renewal_stands() {
    let stack = start().await;
    let client = stack.client();
    let template = "e8f7a8a4-58c1-4b2e-9a43-0f3c7f4b5d03";
    use_renewed_notice(&client, template).await;
    let loan = loan_from_ten_days_ago(&stack).await;
    let (gateway, handle) =
        failing_proxy(stack.url(), |m, p| m == "POST" && p == "/patron-notice").await;
    let a = renew_via(&stack, &gateway).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["renewalCount"], 1);
    assert!(stack.standins.sent_notices("diku").is_empty());
    let errors = log_records(&stack, "NOTICE_ERROR").await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]["errorMessage"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{errors:?}"
    );
    assert_eq!(errors[0]["items"][0]["templateId"], template);
    assert_eq!(errors[0]["items"][0]["loanId"], loan["id"]);
    assert!(log_records(&stack, "NOTICE").await.is_empty());
    handle.stop(true).await;
    stack.stop().await;
}

/// A notice policy without a "Renewed" notice: the renewal sends nothing, and asks nothing
/// more of other modules than it would without the notice (no proxy relationship, loan
/// history or mod-notify call).
#[tokio::test]
async fn a_policy_without_a_renewed_notice_sends_nothing() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NOTICE_CALLS: AtomicUsize = AtomicUsize::new(0);
    let stack = start().await;
    let client = stack.client();
    use_loan_notices(
        &client,
        "No renewal notice",
        json!([{"templateId": "e8f7a8a4-58c1-4b2e-9a43-0f3c7f4b5d04", "format": "Email",
                "realTime": true, "sendOptions": {"sendWhen": "Check out"}}]),
    )
    .await;
    loan_from_ten_days_ago(&stack).await;
    let (gateway, handle) = failing_proxy(stack.url(), |_, p| {
        let notice_call = [
            "/patron-notice",
            "/proxiesfor",
            "/loan-storage/loan-history",
        ]
        .iter()
        .any(|prefix| p.starts_with(prefix));
        if notice_call {
            NOTICE_CALLS.fetch_add(1, Ordering::SeqCst);
        }
        false
    })
    .await;
    let a = renew_via(&stack, &gateway).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["renewalCount"], 1);
    assert!(stack.standins.sent_notices("diku").is_empty());
    assert!(log_records(&stack, "NOTICE").await.is_empty());
    assert!(log_records(&stack, "NOTICE_ERROR").await.is_empty());
    assert_eq!(NOTICE_CALLS.load(Ordering::SeqCst), 0);
    handle.stop(true).await;
    stack.stop().await;
}
