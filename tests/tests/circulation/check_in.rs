//! End-to-end check-in through the gateway: FOLIO's refusals, the loan closed, the item's next
//! status (available, in transit, awaiting pickup or delivery) and the request it fills.
use super::support::{
    checked_out, item_record, item_request, post, replace, sample, start, stored_loan,
    use_loan_notices, Answer,
};
use circulation_tests::http::{encode, FolioClient};
use circulation_tests::sample_data as sd;
use circulation_tests::stack::Stack;
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
    let mut events = Vec::new();
    for _ in 0..50 {
        events = stack.standins.published_events("diku");
        if events.iter().any(|e| e["eventType"] == "ITEM_CHECKED_IN") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let payload = |kind: &str| -> Option<Value> {
        events
            .iter()
            .filter(|e| e["eventType"] == kind)
            .filter_map(|e| e["eventPayload"].as_str())
            .map(|p| serde_json::from_str::<Value>(p).unwrap())
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
async fn a_hold_moves_to_the_shelf_here_or_in_transit_to_its_pickup() {
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
