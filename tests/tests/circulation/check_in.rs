//! End-to-end check-in through the gateway: FOLIO's refusals, the loan closed, the item's next
//! status (available, in transit, awaiting pickup or delivery) and the request it fills.
use super::support::{
    checked_out, checked_out_at, item_record, item_request, post, published, replace, sample,
    start, stored_loan, use_loan_notices, Answer,
};
use circulation_tests::http::{encode, FolioClient};
use circulation_tests::sample_data::{self as sd, SampleData};
use circulation_tests::stack::Stack;
use circulation_tests::standins::feesfines::{reference_fee_fines, OVERDUE_FINE_TYPE_ID};
use serde_json::{json, Value};

const STAFF: &str = "8f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
const CHECK_IN_DATE: &str = "2030-03-10T12:00:00.000Z";

async fn check_in(stack: &Stack, body: Value, headers: &[(&str, &str)]) -> Answer {
    post(
        &stack.url(),
        "/circulation/check-in-by-barcode",
        &body,
        headers,
    )
    .await
}

/// A check-in by staff that must succeed.
async fn checked_in(stack: &Stack, barcode: &str, service_point: &str) -> Answer {
    let a = check_in(
        stack,
        check_in_body(barcode, service_point),
        &[("X-Okapi-User-Id", STAFF)],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a
}

fn check_in_body(barcode: &str, service_point: &str) -> Value {
    json!({"itemBarcode": barcode, "servicePointId": service_point, "checkInDate": CHECK_IN_DATE})
}

async fn records(client: &FolioClient, path: &str, query: &str, key: &str) -> Vec<Value> {
    let r = client.get(&format!("{path}?query={}", encode(query))).await;
    r.json()[key].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn check_in_closes_the_loan_and_makes_the_item_available_at_home() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let loan = checked_out(&stack, 2, 3).await;
    let barcode = s.item_barcode(3);
    let a = check_in(
        &stack,
        check_in_body(&barcode, sd::SERVICE_POINT_CD1),
        &[("X-Okapi-User-Id", STAFF)],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.timing.is_some());
    let answered = &a.body["loan"];
    assert_eq!(answered["id"], loan["id"]);
    assert_eq!(answered["status"]["name"], "Closed");
    assert_eq!(answered["action"], "checkedin");
    assert_eq!(answered["returnDate"], CHECK_IN_DATE);
    assert_eq!(answered["checkinServicePointId"], sd::SERVICE_POINT_CD1);
    assert!(answered["systemReturnDate"].is_string());
    assert_eq!(answered["item"]["status"]["name"], "Available");
    assert_eq!(answered["loanPolicy"]["name"], loan["loanPolicy"]["name"]);
    assert!(answered["borrower"]["barcode"].is_string());
    assert_eq!(a.body["item"]["status"]["name"], "Available");
    assert_eq!(a.body["item"]["barcode"], barcode.as_str());
    assert!(a.body["item"]
        .get("inTransitDestinationServicePointId")
        .is_none());
    assert_eq!(a.body["inHouseUse"], false);

    let stored = stored_loan(&client, &loan).await;
    assert_eq!(stored["status"]["name"], "Closed");
    assert_eq!(stored["itemStatus"], "Available");
    let item = item_record(&client, &barcode).await;
    assert_eq!(item["status"]["name"], "Available");
    assert_eq!(item["lastCheckIn"]["servicePointId"], sd::SERVICE_POINT_CD1);
    assert_eq!(item["lastCheckIn"]["staffMemberId"], STAFF);
    let item_id = item["id"].as_str().unwrap();
    let check_ins = records(
        &client,
        "/check-in-storage/check-ins",
        &format!("itemId=={item_id}"),
        "checkIns",
    )
    .await;
    assert_eq!(check_ins.len(), 1, "{check_ins:?}");
    assert_eq!(check_ins[0]["itemStatusPriorToCheckIn"], "Checked out");
    assert_eq!(check_ins[0]["performedByUserId"], STAFF);
    assert_eq!(check_ins[0]["requestQueueSize"], 0);
    let history = records(
        &client,
        "/loan-storage/loan-history",
        &format!("loan.id=={}", loan["id"].as_str().unwrap()),
        "loansHistory",
    )
    .await;
    assert!(history.len() >= 2, "{history:?}");

    // ITEM_CHECKED_IN and the circulation log's flat CHECK_IN_EVENT, published after the answer
    // (polled for); no LOAN_CLOSED (FOLIO publishes that for lost items only).
    let events = published(&stack, |e| e.iter().any(|(k, _)| k == "ITEM_CHECKED_IN")).await;
    let payload = |kind: &str| -> Option<Value> {
        events
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, p)| p.clone())
            .find(|p| kind != "LOG_RECORD" || p["logEventType"] == "CHECK_IN_EVENT")
    };
    let checked_in = payload("ITEM_CHECKED_IN").expect("ITEM_CHECKED_IN");
    assert_eq!(checked_in["loanId"], loan["id"]);
    assert_eq!(checked_in["returnDate"], CHECK_IN_DATE);
    assert!(payload("LOAN_CLOSED").is_none());
    let log = payload("LOG_RECORD").expect("CHECK_IN_EVENT");
    assert_eq!(log["loanId"], loan["id"]);
    assert_eq!(log["itemBarcode"], barcode.as_str());
    assert_eq!(log["isLoanClosed"], true);
    assert!(log.get("payload").is_none(), "{log}");

    // Checked in again: no open loan is legal, and an available item at home is in-house use.
    let a = check_in(
        &stack,
        check_in_body(&barcode, sd::SERVICE_POINT_CD1),
        &[("X-Okapi-User-Id", STAFF)],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body.get("loan").is_none(), "{}", a.text);
    assert_eq!(a.body["inHouseUse"], true);
    stack.stop().await;
}

#[tokio::test]
async fn checked_in_elsewhere_the_item_goes_home_in_transit_as_its_slip_says() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    checked_out(&stack, 2, 3).await;
    let barcode = s.item_barcode(3);
    let a = checked_in(&stack, &barcode, sd::SERVICE_POINT_CD2).await;
    let item = &a.body["item"];
    assert_eq!(item["status"]["name"], "In transit");
    assert_eq!(
        item["inTransitDestinationServicePointId"],
        sd::SERVICE_POINT_CD1
    );
    assert_eq!(
        item["inTransitDestinationServicePoint"],
        json!({"id": sd::SERVICE_POINT_CD1, "name": "Circ Desk 1"})
    );
    let stored = item_record(&client, &barcode).await;
    assert_eq!(stored["status"]["name"], "In transit");
    assert_eq!(
        stored["inTransitDestinationServicePointId"],
        sd::SERVICE_POINT_CD1
    );
    // The staff slip names the item from its records.
    let slip = &a.body["staffSlipContext"];
    let item = stored;
    let instance = &s.instances[3];
    let checked_in_at = item["lastCheckIn"]["dateTime"].clone();
    assert!(checked_in_at.is_string(), "{item}");
    // Item 3 of the sample: a DVD at the main library (its desk is Circ Desk 1), checked in at
    // Circ Desk 2 and so in transit home.
    assert_eq!(
        slip["item"],
        json!({
            "title": instance["title"], "instanceHrid": "in00000004",
            "primaryContributor": null, "allContributors": instance["contributors"][0]["name"],
            "datesOfPublication": "", "editions": "", "physicalDescriptions": "",
            "seriesStatements": "", "barcode": barcode, "status": "In transit",
            "enumeration": null, "volume": null, "chronology": null, "yearCaption": "",
            "materialType": "dvd", "loanType": "Can circulate", "copy": "1",
            "numberOfPieces": null, "displaySummary": null, "descriptionOfPieces": null,
            "accessionNumber": null, "administrativeNotes": "",
            "effectiveLocationSpecific": "Main Library",
            "effectiveLocationLibrary": "Datalogisk Institut",
            "effectiveLocationCampus": "City Campus",
            "effectiveLocationInstitution": "Københavns Universitet",
            "effectiveLocationDiscoveryDisplayName": "Main Library",
            "effectiveLocationPrimaryServicePointName": "Circ Desk 1",
            "callNumber": item["effectiveCallNumberComponents"]["callNumber"],
            "callNumberPrefix": null, "callNumberSuffix": null, "shelvingOrder": null,
            "lastCheckedInDateTime": checked_in_at,
            "toServicePoint": "Circ Desk 1", "fromServicePoint": "Circ Desk 2",
        })
    );
    assert_eq!(slip["currentDateTime"], checked_in_at);
    assert!(slip.get("request").is_none() && slip.get("requester").is_none());

    // Checked in at home: no destination, from the desk it is checked in at.
    let a = checked_in(&stack, &barcode, sd::SERVICE_POINT_CD1).await;
    let slip_item = &a.body["staffSlipContext"]["item"];
    assert_eq!(slip_item["status"], "Available");
    assert_eq!(slip_item["fromServicePoint"], "Circ Desk 1");
    assert!(slip_item.get("toServicePoint").is_none(), "{slip_item}");
    stack.stop().await;
}

#[tokio::test]
async fn a_request_moves_to_the_shelf_in_transit_or_to_delivery() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    for (n, (item_no, pickup, status, request_status)) in [
        (
            3,
            sd::SERVICE_POINT_CD1,
            "Awaiting pickup",
            "Open - Awaiting pickup",
        ),
        (4, sd::SERVICE_POINT_CD2, "In transit", "Open - In transit"),
    ]
    .into_iter()
    .enumerate()
    {
        checked_out(&stack, 2, item_no).await;
        let item = item_record(&client, &s.item_barcode(item_no)).await;
        let request_id = format!("b1b2c3d4-0000-4000-8000-00000000002{n}");
        item_request(&client, &request_id, "Hold", &item, s.patron(16), pickup).await;
        let a = check_in(
            &stack,
            check_in_body(&s.item_barcode(item_no), sd::SERVICE_POINT_CD1),
            &[("X-Okapi-User-Id", STAFF)],
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["item"]["status"]["name"], status, "{}", a.text);
        let request = client
            .get(&format!("/request-storage/requests/{request_id}"))
            .await
            .json();
        assert_eq!(request["status"], request_status, "{request}");
        // The hold shelf period of the desk it waits at (3 weeks), to the end of that day.
        assert_eq!(
            request["holdShelfExpirationDate"].is_string(),
            status == "Awaiting pickup",
            "{request}"
        );
    }
    // A request to be delivered: the item awaits delivery wherever it is checked in.
    checked_out(&stack, 2, 5).await;
    let item = item_record(&client, &s.item_barcode(5)).await;
    let request_id = "b1b2c3d4-0000-4000-8000-000000000029";
    let delivery = json!({"id": request_id, "requestLevel": "Item", "requestType": "Hold",
        "requestDate": "2030-01-01T00:00:00.000Z", "requesterId": s.patron(16)["id"],
        "itemId": item["id"], "holdingsRecordId": item["holdingsRecordId"],
        "instanceId": "5bf370e0-8cca-4d9c-82e4-5170ab2a0a39", "status": "Open - Not yet filled",
        "position": 1, "fulfillmentPreference": "Delivery",
        "deliveryAddressTypeId": "93d3d88d-499b-45d0-9bc7-ac73c3a19880"});
    assert_eq!(
        client
            .post("/request-storage/requests", &delivery)
            .await
            .status,
        201
    );
    let a = checked_in(&stack, &s.item_barcode(5), sd::SERVICE_POINT_CD2).await;
    assert_eq!(
        a.body["item"]["status"]["name"], "Awaiting delivery",
        "{}",
        a.text
    );
    let request = client
        .get(&format!("/request-storage/requests/{request_id}"))
        .await
        .json();
    assert_eq!(request["status"], "Open - Awaiting delivery", "{request}");
    assert!(
        request.get("holdShelfExpirationDate").is_none(),
        "{request}"
    );
    stack.stop().await;
}

#[tokio::test]
async fn refusals_have_folio_messages() {
    let stack = start().await;
    let s = sample(&stack);
    let staff = [("X-Okapi-User-Id", STAFF)];
    let message = |a: &Answer| a.messages().first().cloned().unwrap_or_default();
    let barcode = s.item_barcode(3);

    let a = check_in(&stack, check_in_body(&barcode, sd::SERVICE_POINT_CD1), &[]).await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(message(&a), "No logged-in user present");

    let cases = [
        (
            json!({"servicePointId": sd::SERVICE_POINT_CD1, "checkInDate": CHECK_IN_DATE}),
            "Checkin request must have an item barcode",
            "itemBarcode",
        ),
        (
            json!({"itemBarcode": barcode, "checkInDate": CHECK_IN_DATE}),
            "Checkin request must have a service point id",
            "servicePointId",
        ),
        (
            json!({"itemBarcode": barcode, "servicePointId": sd::SERVICE_POINT_CD1}),
            "Checkin request must have an check in date",
            "checkInDate",
        ),
        (
            json!({"itemBarcode": barcode, "servicePointId": sd::SERVICE_POINT_CD1,
                "checkInDate": CHECK_IN_DATE, "claimedReturnedResolution": "Lost in the mail"}),
            "Unrecognized value provided for property",
            "claimedReturnedResolution",
        ),
        (
            check_in_body("no-such-barcode", sd::SERVICE_POINT_CD1),
            "No item with barcode no-such-barcode exists",
            "itemBarcode",
        ),
        (
            json!({"itemBarcode": barcode, "servicePointId": sd::SERVICE_POINT_CD1,
                "checkInDate": "yesterday"}),
            "Invalid checkInDate: yesterday",
            "checkInDate",
        ),
    ];
    for (body, expected, key) in cases {
        let a = check_in(&stack, body, &staff).await;
        assert_eq!(a.status, 422, "{}", a.text);
        assert_eq!(message(&a), expected);
        assert_eq!(a.errors()[0]["parameters"][0]["key"], key, "{}", a.text);
    }
    let a = check_in(
        &stack,
        check_in_body("no-such-barcode", sd::SERVICE_POINT_CD1),
        &staff,
    )
    .await;
    assert_eq!(a.errors()[0]["code"], "ITEM_BARCODE_NOT_FOUND");

    // An intellectual item is refused, worded with its title and material type.
    let client = stack.client();
    let other = s.item_barcode(5);
    let mut item = item_record(&client, &other).await;
    item["status"] = json!({"name": "Intellectual item"});
    replace(&client, "/item-storage/items", &item).await;
    let a = check_in(&stack, check_in_body(&other, sd::SERVICE_POINT_CD1), &staff).await;
    assert_eq!(a.status, 422, "{}", a.text);
    let refusal = message(&a);
    assert!(
        refusal.ends_with(&format!(
            "(Barcode: {other}) has the item status Intellectual item and cannot be checked in"
        )),
        "{refusal}"
    );
    assert!(!refusal.starts_with("null"), "{refusal}");

    // A claimed-returned item needs a resolution; with one, the loan records it.
    let loan = checked_out(&stack, 2, 3).await;
    let mut item = item_record(&client, &barcode).await;
    item["status"] = json!({"name": "Claimed returned"});
    replace(&client, "/item-storage/items", &item).await;
    let a = check_in(
        &stack,
        check_in_body(&barcode, sd::SERVICE_POINT_CD1),
        &staff,
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.text);
    assert_eq!(
        message(&a),
        "Item is claimed returned, a resolution is required to check in"
    );
    let mut resolved = check_in_body(&barcode, sd::SERVICE_POINT_CD1);
    resolved["claimedReturnedResolution"] = json!("Found by library");
    let a = check_in(&stack, resolved, &staff).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["loan"]["id"], loan["id"]);
    assert_eq!(a.body["loan"]["action"], "checkedInFoundByLibrary");
    stack.stop().await;
}

#[tokio::test]
async fn twenty_simultaneous_check_ins_leave_one_consistent_state() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let loan = checked_out(&stack, 2, 3).await;
    let barcode = s.item_barcode(3);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let url = stack.url();
            let b = check_in_body(&barcode, sd::SERVICE_POINT_CD1);
            tokio::spawn(async move {
                post(
                    &url,
                    "/circulation/check-in-by-barcode",
                    &b,
                    &[("X-Okapi-User-Id", STAFF)],
                )
                .await
            })
        })
        .collect();
    // Inventory's optimistic locking refuses the item writes that lost the race (409,
    // forwarded); the others check in.
    let mut checked_in = 0;
    for t in tasks {
        let a = t.await.unwrap();
        match a.status {
            200 => checked_in += 1,
            409 => assert!(a.text.contains("optimistic locking"), "{}", a.text),
            other => panic!("unexpected {other}: {}", a.text),
        }
    }
    assert!(checked_in >= 1);
    let stored = stored_loan(&client, &loan).await;
    assert_eq!(stored["status"]["name"], "Closed");
    assert_eq!(stored["action"], "checkedin");
    let item = item_record(&client, &barcode).await;
    assert_eq!(item["status"]["name"], "Available");
    let item_id = item["id"].as_str().unwrap();
    let open = records(
        &client,
        "/loan-storage/loans",
        &format!("status.name==\"Open\" and itemId=={item_id}"),
        "loans",
    )
    .await;
    assert!(open.is_empty(), "{open:?}");
    stack.stop().await;
}

// Overdue fines. The sample rules give every loan the sample overdue fine policy; a test
// changes it before its first check-out (which reads, and caches, it). Items 0, 1, 2 and 4 are
// books on the sample rolling policy: three weeks, a grace period of one day.

/// A loan made on `LOAN_DATE` is due at the end of Monday 2030-03-25 (UTC).
const LOAN_DATE: &str = "2030-03-04T10:00:00.000Z";
const DUE: &str = "2030-03-25T23:59:59.000Z";

/// A stack whose sample overdue fine policy has `changes` applied.
async fn fining(changes: Value) -> Stack {
    policy_changed(
        "/overdue-fines-policies",
        |s| &s.overdue_fine_policies[0],
        &[changes],
    )
    .await
}

/// A stack whose sample policy at `path` (`policy` of the sample data) has each of `changes`
/// applied in turn, before anything reads it.
async fn policy_changed(path: &str, policy: fn(&SampleData) -> &Value, changes: &[Value]) -> Stack {
    let stack = start().await;
    let mut policy = policy(sample(&stack)).clone();
    for (key, value) in changes.iter().flat_map(|c| c.as_object().expect("changes")) {
        policy[key] = value.clone();
    }
    replace(&stack.client(), path, &policy).await;
    stack
}

/// Item `item` checked out to patron 2 on `LOAN_DATE`.
async fn loan_due_on_monday(stack: &Stack, item: usize) -> Value {
    let loan = checked_out_at(stack, 2, item, LOAN_DATE).await;
    assert_eq!(loan["dueDate"], DUE, "{loan}");
    loan
}

/// Item `item` checked in on `date` at `service_point` by a staff member (patron 0).
async fn returned(stack: &Stack, item: usize, service_point: &str, date: &str) -> Answer {
    let s = sample(stack);
    let staff = s.patron(0)["id"].as_str().expect("staff id");
    let body = json!({"itemBarcode": s.item_barcode(item), "servicePointId": service_point,
                      "checkInDate": date});
    let a = check_in(stack, body, &[("X-Okapi-User-Id", staff)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["loan"]["status"]["name"], "Closed", "{}", a.text);
    a
}

async fn accounts_of(client: &FolioClient, loan: &Value) -> Vec<Value> {
    let id = loan["id"].as_str().expect("loan id");
    records(client, "/accounts", &format!("loanId=={id}"), "accounts").await
}

/// The items checked out on `LOAN_DATE`, then returned at Circ Desk 1 on the dates given: the
/// fines of each loan.
async fn fines_when_returned(stack: &Stack, returns: &[(usize, &str)]) -> Vec<Vec<Value>> {
    let mut loans = Vec::new();
    for (item, _) in returns {
        loans.push(loan_due_on_monday(stack, *item).await);
    }
    let mut fines = Vec::new();
    for ((item, date), loan) in returns.iter().zip(&loans) {
        returned(stack, *item, sd::SERVICE_POINT_CD1, date).await;
        fines.push(fines_of(&stack.client(), loan).await);
    }
    fines
}

/// The amounts of the loan's accounts.
async fn fines_of(client: &FolioClient, loan: &Value) -> Vec<Value> {
    let accounts = accounts_of(client, loan).await;
    accounts.iter().map(|a| a["amount"].clone()).collect()
}

#[tokio::test]
async fn an_overdue_loan_checked_in_is_charged_its_overdue_fine() {
    let stack = fining(
        json!({"overdueFine": {"quantity": 0.5, "intervalId": "day"}, "maxOverdueFine": 0.0}),
    )
    .await;
    let client = stack.client();
    let s = sample(&stack);
    let loan = loan_due_on_monday(&stack, 0).await;
    // Due-date notices of the loan: the fine replaces those upon or after the due date.
    let notices = "/scheduled-notice-storage/scheduled-notices";
    for timing in ["Before", "Upon At", "After"] {
        let notice = json!({"loanId": loan["id"], "triggeringEvent": "Due date",
            "nextRunTime": DUE, "noticeConfig": {"timing": timing,
            "templateId": "5a0b8c4e-1f2d-4c3b-9a8e-7d6c5b4a3f21", "format": "Email"}});
        assert_eq!(client.post(notices, &notice).await.status, 201);
    }
    // Three days, twelve hours and a minute late (the due date's seconds do not count): past
    // the grace period of a day, so all of it is fined, every day begun: 4 × 0.50.
    let a = returned(&stack, 0, sd::SERVICE_POINT_CD1, "2030-03-29T12:00:00.000Z").await;
    assert_eq!(a.body["loan"]["id"], loan["id"]);
    let loan_id = loan["id"].as_str().unwrap();
    let left = records(
        &client,
        notices,
        &format!("loanId=={loan_id}"),
        "scheduledNotices",
    )
    .await;
    let timings: Vec<&Value> = left.iter().map(|n| &n["noticeConfig"]["timing"]).collect();
    assert_eq!(timings, vec!["Before"], "{left:?}");

    let accounts = accounts_of(&client, &loan).await;
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let account = &accounts[0];
    let item = item_record(&client, &s.item_barcode(0)).await;
    let instance = &s.instances[0];
    for (key, expected) in [
        ("amount", json!(2.0)),
        ("remaining", json!(2.0)),
        ("status", json!({"name": "Open"})),
        ("paymentStatus", json!({"name": "Outstanding"})),
        ("feeFineType", json!("Overdue fine")),
        ("feeFineId", json!(OVERDUE_FINE_TYPE_ID)),
        ("ownerId", json!(sd::FEE_FINE_OWNER)),
        ("feeFineOwner", json!("Circulation desks")),
        ("loanId", loan["id"].clone()),
        ("userId", loan["userId"].clone()),
        ("itemId", item["id"].clone()),
        ("barcode", json!(s.item_barcode(0))),
        ("title", instance["title"].clone()),
        (
            "contributors",
            json!([{"name": instance["contributors"][0]["name"]}]),
        ),
        (
            "callNumber",
            item["effectiveCallNumberComponents"]["callNumber"].clone(),
        ),
        ("location", json!("Main Library")),
        ("materialType", json!("book")),
        ("materialTypeId", json!(sd::MATERIAL_TYPE_BOOK)),
        ("dueDate", json!(DUE)),
        ("returnedDate", json!("2030-03-29T12:00:00.000Z")),
        ("loanPolicyId", json!(sd::LOAN_POLICY_ROLLING)),
        ("overdueFinePolicyId", json!(sd::OVERDUE_FINE_POLICY)),
        ("lostItemFeePolicyId", json!(sd::LOST_ITEM_FEE_POLICY)),
    ] {
        assert_eq!(account[key], expected, "{key}: {account}");
    }

    let account_id = account["id"].as_str().unwrap();
    let actions = records(
        &client,
        "/feefineactions",
        &format!("accountId=={account_id}"),
        "feefineactions",
    )
    .await;
    assert_eq!(actions.len(), 1, "{actions:?}");
    let action = &actions[0];
    let staff = &s.patron(0)["personal"];
    let staff_name = format!(
        "{}, {}",
        staff["lastName"].as_str().unwrap(),
        staff["firstName"].as_str().unwrap()
    );
    for (key, expected) in [
        ("typeAction", json!("Overdue fine")),
        ("amountAction", json!(2.0)),
        ("balance", json!(2.0)),
        ("userId", loan["userId"].clone()),
        ("createdAt", json!(sd::SERVICE_POINT_CD1)),
        ("source", json!(staff_name)),
        ("notify", json!(false)),
        ("transactionInformation", json!("-")),
    ] {
        assert_eq!(action[key], expected, "{key}: {action}");
    }
    assert!(action["dateAction"].is_string(), "{action}");
    stack.stop().await;
}

#[tokio::test]
async fn nothing_is_charged_on_time_or_within_the_grace_period() {
    let stack = fining(
        json!({"overdueFine": {"quantity": 1.0, "intervalId": "hour"}, "maxOverdueFine": 0.0}),
    )
    .await;
    let fines = fines_when_returned(
        &stack,
        &[
            (0, "2030-03-25T23:00:00.000Z"),
            // 1440 minutes late: not more than the grace period of a day.
            (1, "2030-03-26T23:59:00.000Z"),
            // 1441 minutes: past it, and then the whole of it is fined (25 hours begun).
            (2, "2030-03-27T00:00:00.000Z"),
        ],
    )
    .await;
    assert_eq!(fines, vec![vec![], vec![], vec![json!(25.0)]]);
    stack.stop().await;
}

#[tokio::test]
async fn the_maximum_overdue_fine_caps_the_fine() {
    let stack = fining(
        json!({"overdueFine": {"quantity": 1.25, "intervalId": "day"}, "maxOverdueFine": 3.0}),
    )
    .await;
    // Ten days late: 12.50, capped at 3.00; two days late: 2.50.
    let fines = fines_when_returned(
        &stack,
        &[
            (0, "2030-04-04T12:00:00.000Z"),
            (1, "2030-03-27T12:00:00.000Z"),
        ],
    )
    .await;
    assert_eq!(fines, vec![vec![json!(3.0)], vec![json!(2.5)]]);
    stack.stop().await;
}

#[tokio::test]
async fn a_due_date_a_recall_changed_is_fined_at_the_recall_rate() {
    let stack = fining(
        json!({"overdueFine": {"quantity": 1.0, "intervalId": "day"}, "maxOverdueFine": 0.0,
               "overdueRecallFine": {"quantity": 2.0, "intervalId": "hour"},
               "maxOverdueRecallFine": 0.0, "gracePeriodRecall": true}),
    )
    .await;
    let client = stack.client();
    let recalled = loan_due_on_monday(&stack, 0).await;
    let mut stored = stored_loan(&client, &recalled).await;
    stored["dueDateChangedByRecall"] = json!(true);
    replace(&client, "/loan-storage/loans", &stored).await;
    let not_recalled = loan_due_on_monday(&stack, 1).await;
    // Five hours late, within the loan policy's grace period of a day: the recalled loan is
    // fined anyway (the policy ignores the grace period for recalls), 5 × 2.00 an hour; the
    // other is not.
    returned(&stack, 0, sd::SERVICE_POINT_CD1, "2030-03-26T04:59:00.000Z").await;
    returned(&stack, 1, sd::SERVICE_POINT_CD1, "2030-03-26T04:59:00.000Z").await;
    assert_eq!(fines_of(&client, &recalled).await, vec![json!(10.0)]);
    assert_eq!(fines_of(&client, &not_recalled).await, Vec::<Value>::new());
    stack.stop().await;
}

#[tokio::test]
async fn closed_hours_do_not_count_unless_the_policy_counts_them() {
    let stack = fining(
        json!({"overdueFine": {"quantity": 1.0, "intervalId": "hour"}, "maxOverdueFine": 0.0,
               "countClosed": false}),
    )
    .await;
    let client = stack.client();
    // Item 4 is in the Annex, whose primary service point (Circ Desk 2) opens 08:00-19:59 on
    // weekdays. From Monday night to Thursday noon it is open 719 + 719 + 240 = 1678 minutes:
    // 28 hours begun (counting closed hours it would be 61).
    let loan = loan_due_on_monday(&stack, 4).await;
    returned(&stack, 4, sd::SERVICE_POINT_CD2, "2030-03-28T12:00:00.000Z").await;
    assert_eq!(fines_of(&client, &loan).await, vec![json!(28.0)]);
    stack.stop().await;
}

#[tokio::test]
async fn no_fine_without_a_policy_that_fines_or_an_owner() {
    let stack = fining(
        json!({"overdueFine": {"quantity": 1.0, "intervalId": "day"}, "maxOverdueFine": 0.0}),
    )
    .await;
    let client = stack.client();
    let s = sample(&stack);
    // FOLIO's reference overdue fine policy has no overdue fine.
    let reference_policy = "cd3f6cac-0000-4079-9fae-2fb28e521499";
    let mut unfined = s.overdue_fine_policies[0].clone();
    unfined["id"] = json!(reference_policy);
    unfined["name"] = json!("No overdue fine");
    assert_eq!(
        client
            .post("/overdue-fines-policies", &unfined)
            .await
            .status,
        201
    );
    let fined = loan_due_on_monday(&stack, 0).await;
    let without_policy = loan_due_on_monday(&stack, 1).await;
    let with_unfined_policy = loan_due_on_monday(&stack, 2).await;
    let without_owner = loan_due_on_monday(&stack, 4).await;
    let mut stored = stored_loan(&client, &without_policy).await;
    stored
        .as_object_mut()
        .unwrap()
        .remove("overdueFinePolicyId");
    replace(&client, "/loan-storage/loans", &stored).await;
    let mut stored = stored_loan(&client, &with_unfined_policy).await;
    stored["overdueFinePolicyId"] = json!(reference_policy);
    replace(&client, "/loan-storage/loans", &stored).await;

    let late = "2030-03-29T12:00:00.000Z";
    for item in [0, 1, 2] {
        returned(&stack, item, sd::SERVICE_POINT_CD1, late).await;
    }
    assert_eq!(fines_of(&client, &fined).await, vec![json!(4.0)]);
    assert_eq!(
        fines_of(&client, &without_policy).await,
        Vec::<Value>::new()
    );
    assert_eq!(
        fines_of(&client, &with_unfined_policy).await,
        Vec::<Value>::new()
    );
    // No owner for the item location's service point: the check-in goes on without a fine.
    let removed = client
        .delete(&format!("/owners/{}", sd::FEE_FINE_OWNER))
        .await;
    assert_eq!(removed.status, 204);
    returned(&stack, 4, sd::SERVICE_POINT_CD1, late).await;
    assert_eq!(fines_of(&client, &without_owner).await, Vec::<Value>::new());
    stack.stop().await;
}

#[tokio::test]
async fn the_staff_slip_of_a_filled_hold_names_the_request_and_requester() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let home = "d3c3a3e0-0d0e-4f1f-9a1a-0a0b0c0d0e01";
    let physics = "d3c3a3e0-0d0e-4f1f-9a1a-0a0b0c0d0e02";
    let posted = client
        .post(
            "/addresstypes",
            &json!({"id": home, "addressType": "Home", "desc": "Home address"}),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let posted = client
        .post(
            "/departments",
            &json!({"id": physics, "name": "Physics", "code": "PHY"}),
        )
        .await;
    assert_eq!(posted.status, 201, "{}", posted.body);
    let mut requester = s.patron(16).clone();
    requester["departments"] = json!([physics]);
    requester["personal"]["middleName"] = json!("Q");
    requester["personal"]["addresses"] = json!([{
        "addressTypeId": home, "addressLine1": "Nørregade 10", "city": "København",
        "postalCode": "1165", "countryId": "DK", "primaryAddress": true,
    }]);
    replace(&client, "/users", &requester).await;

    checked_out(&stack, 2, 4).await;
    let item = item_record(&client, &s.item_barcode(4)).await;
    let request_id = "b1b2c3d4-0000-4000-8000-000000000031";
    item_request(
        &client,
        request_id,
        "Hold",
        &item,
        &requester,
        sd::SERVICE_POINT_CD1,
    )
    .await;
    let path = "/request-storage/requests";
    let mut request = client.get(&format!("{path}/{request_id}")).await.json();
    request["deliveryAddressTypeId"] = json!(home);
    request["patronComments"] = json!("Needed for the exam");
    request["requestExpirationDate"] = json!("2030-06-30T23:59:59.000+00:00");
    replace(&client, path, &request).await;

    let a = checked_in(&stack, &s.item_barcode(4), sd::SERVICE_POINT_CD1).await;
    let stored = client.get(&format!("{path}/{request_id}")).await.json();
    assert_eq!(stored["status"], "Open - Awaiting pickup");
    let slip = &a.body["staffSlipContext"];
    // Storage writes dates with an offset, the slip in UTC with a `Z`.
    let expiration = stored["holdShelfExpirationDate"]
        .as_str()
        .expect("a hold shelf expiration")
        .replace("+00:00", "Z");
    assert_eq!(
        slip["request"],
        json!({
            "requestID": request_id, "servicePointPickup": "Circ Desk 1",
            "requestDate": "2030-01-01T00:00:00.000Z",
            "requestExpirationDate": "2030-06-30T23:59:59.000Z",
            "holdShelfExpirationDate": expiration,
            "deliveryAddressType": "Home", "patronComments": "Needed for the exam",
        })
    );
    let personal = &requester["personal"];
    assert_eq!(
        slip["requester"],
        json!({
            "firstName": personal["firstName"], "preferredFirstName": personal["firstName"],
            "lastName": personal["lastName"], "middleName": "Q",
            "barcode": requester["barcode"], "patronGroup": "undergrad",
            "departments": "Physics",
            "primaryAddressLine1": "Nørregade 10", "primaryAddressLine2": null,
            "primaryCity": "København", "primaryStateProvRegion": null,
            "primaryZipPostalCode": "1165", "primaryDeliveryAddressType": "Home",
            "addressLine1": "Nørregade 10", "addressLine2": null, "city": "København",
            "region": null, "postalCode": "1165", "countryId": "DK", "addressType": "Home",
        })
    );
    assert_eq!(slip["item"]["status"], "Awaiting pickup");
    assert_eq!(slip["item"]["barcode"], s.item_barcode(4).as_str());
    stack.stop().await;
}

/// A check-in sends no notice itself; ending the patron's check-in session sends the policy's
/// "Check in" notice, in the format the patron prefers among those the policy has.
#[tokio::test]
async fn the_check_in_notice_is_sent_when_the_patrons_session_ends() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let notice = |template: &str, format: &str| {
        json!({"templateId": template, "format": format, "realTime": true,
               "sendOptions": {"sendWhen": "Check in"}})
    };
    let email = "6b0a6f2e-3c1d-4f0e-9a8b-7c6d5e4f3a21";
    use_loan_notices(
        &client,
        "Check-in notices",
        json!([
            notice("6b0a6f2e-3c1d-4f0e-9a8b-7c6d5e4f3a20", "Print"),
            notice(email, "Email"),
        ]),
    )
    .await;
    let patron = s.patron(2);
    // The sample patrons prefer email ("002").
    assert_eq!(patron["personal"]["preferredContactTypeId"], "002");
    let loan = checked_out(&stack, 2, 3).await;
    checked_in(&stack, &s.item_barcode(3), sd::SERVICE_POINT_CD1).await;
    assert!(stack.standins.sent_notices("diku").is_empty());
    let end = json!({"endSessions": [{"patronId": patron["id"], "actionType": "Check-in"}]});
    let a = post(
        &stack.url(),
        "/circulation/end-patron-action-session",
        &end,
        &[],
    )
    .await;
    assert_eq!(a.status, 204, "{}", a.text);
    let notices = stack.standins.sent_notices("diku");
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0]["templateId"], email);
    assert_eq!(notices[0]["recipientId"], patron["id"]);
    let loans = notices[0]["context"]["loans"].as_array().unwrap();
    assert_eq!(loans.len(), 1);
    assert_eq!(loans[0]["loan"]["checkedInDate"], CHECK_IN_DATE);
    assert_eq!(loans[0]["loan"]["initialBorrowDate"], loan["loanDate"]);
    assert_eq!(loans[0]["item"]["status"], "Available");
    assert_eq!(loans[0]["item"]["barcode"], s.item_barcode(3).as_str());
    stack.stop().await;
}

// Lost items' fees: the sample lost item fee policy made to charge a set cost of 10.00 and a
// processing fee of 5.00, refunded (the processing fee too) for a day after the loss, no overdue
// fine on return. A lost item is checked out to patron 2 now, then lost as mod-circulation's
// declare-lost (or age-to-lost) leaves loan, item and accounts; it is checked in now.

/// The policy the lost item tests start from; `changes` applied after it.
pub(crate) async fn refunding(changes: Value) -> Stack {
    let set_cost = json!({"chargeAmountItem": {"chargeType": "anotherCost", "amount": 10.0},
        "lostItemProcessingFee": 5.0, "chargeAmountItemPatron": true,
        "returnedLostItemProcessingFee": true, "lostItemReturned": "Remove",
        "feesFinesShallRefunded": {"duration": 1, "intervalId": "Days"}});
    policy_changed(
        "/lost-item-fees-policies",
        |s| &s.lost_item_fee_policies[0],
        &[set_cost, changes],
    )
    .await
}

pub(crate) fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The id of mod-feesfines' automatic fee/fine type `kind`.
fn fee_fine_type_id(kind: &str) -> Value {
    reference_fee_fines()
        .into_iter()
        .find(|f| f["feeFineType"] == kind)
        .map(|f| f["id"].clone())
        .expect("automatic fee/fine type")
}

/// An open account of `amount` of the automatic type `kind` on the loan, with its charge action.
async fn charged(client: &FolioClient, loan: &Value, kind: &str, amount: f64) -> Value {
    let account = json!({"id": uuid::Uuid::new_v4().to_string(), "amount": amount,
        "remaining": amount, "status": {"name": "Open"}, "paymentStatus": {"name": "Outstanding"},
        "feeFineType": kind, "feeFineId": fee_fine_type_id(kind), "ownerId": sd::FEE_FINE_OWNER,
        "feeFineOwner": "Circulation desks", "loanId": loan["id"], "userId": loan["userId"],
        "itemId": loan["itemId"]});
    let created = client.post("/accounts", &account).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let charge = json!({"accountId": account["id"], "userId": loan["userId"], "typeAction": kind,
        "amountAction": amount, "balance": amount, "notify": false,
        "dateAction": iso(chrono::Utc::now())});
    assert_eq!(client.post("/feefineactions", &charge).await.status, 201);
    created.json()
}

/// `amount` of the account paid ("Paid") or transferred ("Transferred") by `method`, as
/// mod-feesfines records it: the action, and the account's remaining and statuses.
async fn settled(client: &FolioClient, account: &Value, kind: &str, amount: f64, method: &str) {
    let id = account["id"].as_str().expect("account id");
    let mut account = client.get(&format!("/accounts/{id}")).await.json();
    let cents = |v: &Value| (v.as_f64().expect("amount") * 100.0).round() as i64;
    let left = cents(&account["remaining"]) - cents(&json!(amount));
    let result = format!("{kind} {}", if left == 0 { "fully" } else { "partially" });
    let balance = left as f64 / 100.0;
    let action = json!({"accountId": id, "userId": account["userId"], "typeAction": result,
        "amountAction": amount, "balance": balance, "paymentMethod": method, "notify": false,
        "dateAction": iso(chrono::Utc::now())});
    assert_eq!(client.post("/feefineactions", &action).await.status, 201);
    account["remaining"] = json!(balance);
    account["paymentStatus"] = json!({"name": result});
    if left == 0 {
        account["status"] = json!({"name": "Closed"});
    }
    replace(client, "/accounts", &account).await;
}

/// Item `item` checked out to patron 2 and lost (`status`: "Declared lost" or "Aged to lost")
/// `ago` before now: the loan and the item as the loss leaves them, and the loan's lost item
/// fee and processing fee charged.
pub(crate) async fn lost(
    stack: &Stack,
    item: usize,
    status: &str,
    ago: chrono::Duration,
) -> (Value, [Value; 2]) {
    let client = stack.client();
    let loan = checked_out(stack, 2, item).await;
    let mut stored = stored_loan(&client, &loan).await;
    let lost_at = iso(chrono::Utc::now() - ago);
    if status == "Declared lost" {
        stored["action"] = json!("declaredLost");
        stored["declaredLostDate"] = json!(lost_at);
    } else {
        stored["action"] = json!("itemAgedToLost");
        stored["agedToLostDelayedBilling"] = json!({"lostItemHasBeenBilled": true,
            "dateLostItemShouldBeBilled": lost_at, "agedToLostDate": lost_at});
    }
    stored["itemStatus"] = json!(status);
    replace(&client, "/loan-storage/loans", &stored).await;
    let mut record = item_record(&client, &sample(stack).item_barcode(item)).await;
    record["status"] = json!({"name": status});
    replace(&client, "/item-storage/items", &record).await;
    let fee = charged(&client, &loan, "Lost item fee", 10.0).await;
    let processing = charged(&client, &loan, "Lost item processing fee", 5.0).await;
    (stored, [fee, processing])
}

/// The account as it is now, and its actions after its charge: `[typeAction, amountAction,
/// balance, transactionInformation, paymentMethod]` each.
pub(crate) async fn account_now(client: &FolioClient, account: &Value) -> (Value, Vec<Value>) {
    let id = account["id"].as_str().expect("account id");
    let now = client.get(&format!("/accounts/{id}")).await.json();
    let actions = records(
        client,
        "/feefineactions",
        &format!("accountId=={id}"),
        "feefineactions",
    )
    .await;
    let summary = actions
        .iter()
        .skip(1)
        .map(|a| {
            json!([
                a["typeAction"],
                a["amountAction"],
                a["balance"],
                a["transactionInformation"],
                a["paymentMethod"]
            ])
        })
        .collect();
    (now, summary)
}

/// `[amount, remaining, status, paymentStatus]` of an account.
pub(crate) fn state(account: &Value) -> Value {
    json!([
        account["amount"],
        account["remaining"],
        account["status"]["name"],
        account["paymentStatus"]["name"]
    ])
}

/// Patron 0, who checks the items in: "Last, First".
fn staff_name(stack: &Stack) -> String {
    let staff = &sample(stack).patron(0)["personal"];
    format!(
        "{}, {}",
        staff["lastName"].as_str().expect("last name"),
        staff["firstName"].as_str().expect("first name")
    )
}

#[tokio::test]
async fn unpaid_lost_item_fees_are_cancelled_when_the_item_comes_back_in_time() {
    let stack = refunding(json!({})).await;
    let client = stack.client();
    let (loan, [fee, processing]) =
        lost(&stack, 0, "Declared lost", chrono::Duration::hours(1)).await;
    // Not a lost item fee: left alone.
    let fine = charged(&client, &loan, "Overdue fine", 1.5).await;
    returned(&stack, 0, sd::SERVICE_POINT_CD1, &iso(chrono::Utc::now())).await;

    // CheckInDeclaredLostItemTest.shouldCancelBothItemAndProcessingFeesWhenNeitherHaveBeenPaid:
    // closed, the payment status the reason, one cancelling action of the whole amount.
    for (account, amount) in [(&fee, 10.0), (&processing, 5.0)] {
        let (now, actions) = account_now(&client, account).await;
        assert_eq!(
            state(&now),
            json!([amount, 0.0, "Closed", "Cancelled item returned"]),
            "{now}"
        );
        assert_eq!(
            actions,
            vec![json!(["Cancelled item returned", amount, 0.0, null, null])]
        );
    }
    let id = fee["id"].as_str().unwrap();
    let cancelled = records(
        &client,
        "/feefineactions",
        &format!("accountId=={id}"),
        "feefineactions",
    )
    .await
    .pop()
    .expect("the cancellation");
    assert_eq!(cancelled["source"], staff_name(&stack), "{cancelled}");
    assert_eq!(cancelled["createdAt"], sd::SERVICE_POINT_CD1);
    assert_eq!(cancelled["userId"], loan["userId"]);
    let (now, actions) = account_now(&client, &fine).await;
    assert_eq!(state(&now), json!([1.5, 1.5, "Open", "Outstanding"]));
    assert!(actions.is_empty(), "{actions:?}");
    stack.stop().await;
}

#[tokio::test]
async fn paid_and_transferred_lost_item_fees_are_refunded_then_cancelled() {
    let stack = refunding(json!({})).await;
    let client = stack.client();
    let (_, [fee, processing]) = lost(&stack, 0, "Declared lost", chrono::Duration::hours(1)).await;
    settled(&client, &fee, "Paid", 10.0, "Cash").await;
    settled(&client, &processing, "Paid", 2.0, "Cash").await;
    settled(&client, &processing, "Transferred", 1.0, "Bursar").await;
    returned(&stack, 0, sd::SERVICE_POINT_CD1, &iso(chrono::Utc::now())).await;

    // RefundDeclaredLostFeesTestBase.shouldRefundPaidFee and
    // shouldRefundPartiallyPaidAndTransferredFeeAndCancelRemainingAmount: what was paid is
    // credited and refunded to the patron ("Lost item found"), what was transferred to the
    // transfer account, then the whole account is cancelled.
    let (now, actions) = account_now(&client, &fee).await;
    assert_eq!(
        state(&now),
        json!([10.0, 0.0, "Closed", "Cancelled item returned"])
    );
    assert_eq!(
        actions,
        vec![
            json!(["Paid fully", 10.0, 0.0, null, "Cash"]),
            json!([
                "Credited fully",
                10.0,
                0.0,
                "Refund to patron",
                "Lost item found"
            ]),
            json!([
                "Refunded fully",
                10.0,
                10.0,
                "Refunded to patron",
                "Lost item found"
            ]),
            json!(["Cancelled item returned", 10.0, 0.0, null, null]),
        ]
    );
    let (now, actions) = account_now(&client, &processing).await;
    assert_eq!(
        state(&now),
        json!([5.0, 0.0, "Closed", "Cancelled item returned"])
    );
    assert_eq!(
        actions,
        vec![
            json!(["Paid partially", 2.0, 3.0, null, "Cash"]),
            json!(["Transferred partially", 1.0, 2.0, null, "Bursar"]),
            json!([
                "Credited fully",
                2.0,
                2.0,
                "Refund to patron",
                "Lost item found"
            ]),
            json!([
                "Credited fully",
                1.0,
                2.0,
                "Refund to Bursar",
                "Lost item found"
            ]),
            json!([
                "Refunded fully",
                2.0,
                4.0,
                "Refunded to patron",
                "Lost item found"
            ]),
            json!([
                "Refunded fully",
                1.0,
                5.0,
                "Refunded to Bursar",
                "Lost item found"
            ]),
            json!(["Cancelled item returned", 5.0, 0.0, null, null]),
        ]
    );
    stack.stop().await;
}

#[tokio::test]
async fn nothing_is_refunded_once_the_refund_period_has_passed() {
    let stack = refunding(json!({})).await;
    let client = stack.client();
    // Lost two days ago; fees are refunded for a day.
    let (_, [fee, processing]) = lost(&stack, 0, "Declared lost", chrono::Duration::days(2)).await;
    settled(&client, &fee, "Paid", 10.0, "Cash").await;
    returned(&stack, 0, sd::SERVICE_POINT_CD1, &iso(chrono::Utc::now())).await;

    // RefundDeclaredLostFeesTestBase.shouldNotRefundFeesWhenReturnedAfterRefundPeriod.
    let (now, actions) = account_now(&client, &fee).await;
    assert_eq!(state(&now), json!([10.0, 0.0, "Closed", "Paid fully"]));
    assert_eq!(
        actions,
        vec![json!(["Paid fully", 10.0, 0.0, null, "Cash"])]
    );
    let (now, actions) = account_now(&client, &processing).await;
    assert_eq!(state(&now), json!([5.0, 5.0, "Open", "Outstanding"]));
    assert!(actions.is_empty(), "{actions:?}");
    stack.stop().await;
}

#[tokio::test]
async fn a_processing_fee_the_policy_keeps_is_not_refunded() {
    let stack = refunding(json!({"returnedLostItemProcessingFee": false})).await;
    let client = stack.client();
    let (_, [fee, processing]) = lost(&stack, 0, "Declared lost", chrono::Duration::hours(1)).await;
    settled(&client, &processing, "Paid", 5.0, "Cash").await;
    returned(&stack, 0, sd::SERVICE_POINT_CD1, &iso(chrono::Utc::now())).await;

    // RefundDeclaredLostFeesTestBase.shouldNotRefundProcessingFeeWhenPolicyStatesNotTo: the lost
    // item fee is cancelled, the paid processing fee kept.
    let (now, _) = account_now(&client, &fee).await;
    assert_eq!(
        state(&now),
        json!([10.0, 0.0, "Closed", "Cancelled item returned"])
    );
    let (now, actions) = account_now(&client, &processing).await;
    assert_eq!(state(&now), json!([5.0, 0.0, "Closed", "Paid fully"]));
    assert_eq!(actions, vec![json!(["Paid fully", 5.0, 0.0, null, "Cash"])]);
    stack.stop().await;
}

#[tokio::test]
async fn an_aged_to_lost_item_returned_cancels_its_actual_cost_record() {
    let stack =
        refunding(json!({"chargeAmountItem": {"chargeType": "actualCost", "amount": 0.0}})).await;
    let client = stack.client();
    let (loan, [_, processing]) = lost(&stack, 0, "Aged to lost", chrono::Duration::hours(1)).await;
    let s = sample(&stack);
    let item = item_record(&client, &s.item_barcode(0)).await;
    let costs = "/actual-cost-record-storage/actual-cost-records";
    let record = json!({"lossType": "Aged to lost", "lossDate": iso(chrono::Utc::now()),
        "user": {"id": loan["userId"], "lastName": s.patron(2)["personal"]["lastName"]},
        "loan": {"id": loan["id"]},
        "item": {"id": item["id"], "materialTypeId": sd::MATERIAL_TYPE_BOOK,
            "materialType": "book", "loanTypeId": item["permanentLoanTypeId"],
            "loanType": "Can circulate", "holdingsRecordId": item["holdingsRecordId"]},
        "instance": {"id": s.instances[0]["id"], "title": s.instances[0]["title"]},
        "feeFine": {"ownerId": sd::FEE_FINE_OWNER, "owner": "Circulation desks",
            "typeId": fee_fine_type_id("Lost item processing fee"),
            "type": "Lost item fee (actual cost)"},
        "additionalInfoForPatron": "To be billed"});
    let created = client.post(costs, &record).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let record_id = created.json()["id"]
        .as_str()
        .expect("record id")
        .to_string();
    returned(&stack, 0, sd::SERVICE_POINT_CD1, &iso(chrono::Utc::now())).await;

    // RefundAgedToLostFeesTestBase.shouldCancelActualCostLostItemFeeWhenRefundPeriodWasNotExceeded:
    // the processing fee cancelled, the actual cost record cancelled for "Lost item was
    // returned" (mod-feesfines replaces both additional infos).
    let (now, _) = account_now(&client, &processing).await;
    assert_eq!(
        state(&now),
        json!([5.0, 0.0, "Closed", "Cancelled item returned"])
    );
    let after = client.get(&format!("{costs}/{record_id}")).await.json();
    assert_eq!(after["status"], "Cancelled", "{after}");
    assert_eq!(after["additionalInfoForStaff"], "Lost item was returned");
    assert!(after.get("additionalInfoForPatron").is_none(), "{after}");
    stack.stop().await;
}

#[tokio::test]
async fn a_lost_and_paid_item_returned_refunds_its_closed_loan_fees() {
    let stack = refunding(json!({})).await;
    let client = stack.client();
    let (loan, [fee, processing]) =
        lost(&stack, 0, "Declared lost", chrono::Duration::hours(1)).await;
    settled(&client, &fee, "Paid", 10.0, "Cash").await;
    settled(&client, &processing, "Paid", 5.0, "Cash").await;
    // All paid: mod-circulation closed the loan and the item is "Lost and paid".
    let mut closed = stored_loan(&client, &loan).await;
    closed["status"] = json!({"name": "Closed"});
    closed["action"] = json!("closedLoan");
    replace(&client, "/loan-storage/loans", &closed).await;
    let s = sample(&stack);
    let mut item = item_record(&client, &s.item_barcode(0)).await;
    item["status"] = json!({"name": "Lost and paid"});
    replace(&client, "/item-storage/items", &item).await;
    let body = json!({"itemBarcode": s.item_barcode(0), "servicePointId": sd::SERVICE_POINT_CD1,
        "checkInDate": iso(chrono::Utc::now())});
    let staff = s.patron(0)["id"].as_str().expect("staff id");
    let a = check_in(&stack, body, &[("X-Okapi-User-Id", staff)]).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.body.get("loan").is_none(), "{}", a.text);

    // CheckInDeclaredLostItemTest.shouldRefundPaidAmountForLostAndPaidItem: the item's last
    // loan's fees refunded and cancelled.
    for (account, amount) in [(&fee, 10.0), (&processing, 5.0)] {
        let (now, actions) = account_now(&client, account).await;
        assert_eq!(
            state(&now),
            json!([amount, 0.0, "Closed", "Cancelled item returned"])
        );
        let types: Vec<&Value> = actions.iter().map(|a| &a[0]).collect();
        assert_eq!(
            types,
            [
                "Paid fully",
                "Credited fully",
                "Refunded fully",
                "Cancelled item returned"
            ]
        );
    }
    stack.stop().await;
}
