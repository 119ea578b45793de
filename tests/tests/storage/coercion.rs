//! circulation-storage binds bodies as RMB's Jackson mapper does: strings holding numbers or
//! booleans are accepted where the schema wants those (and stored converted), numbers and
//! booleans where it wants a string are stored as text; and the request batch validates as
//! FOLIO's does (real HTTP against the module, real PostgreSQL underneath).
use super::support::uuid;
use circulation_tests::http::{FolioClient, Reply};
use circulation_tests::storage;
use serde_json::{json, Value};

/// The stored record after a 201 (read back, so the stored JSON is what is checked).
async fn created(client: &FolioClient, collection: &str, body: &Value) -> Value {
    let reply = client.post(collection, body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_str().unwrap().to_string();
    let stored = client.get(&format!("{collection}/{id}")).await;
    assert_eq!(stored.status, 200, "{}", stored.body);
    stored.json()
}

/// (message, parameter keys) of every error of a 422.
fn errors(reply: &Reply) -> Vec<(String, Vec<String>)> {
    assert_eq!(reply.status, 422, "{}", reply.body);
    reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let keys = e["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p["key"].as_str().unwrap().to_string())
                .collect();
            (e["message"].as_str().unwrap().to_string(), keys)
        })
        .collect()
}

const NOTICE_POLICIES: &str = "/patron-notice-policy-storage/patron-notice-policies";
const LOAN_POLICIES: &str = "/loan-policy-storage/loan-policies";
const REQUESTS: &str = "/request-storage/requests";
const BATCH: &str = "/request-storage-batch/requests";

fn request(extra: Value) -> Value {
    let mut body = json!({"id": uuid(), "requestType": "Hold", "requestLevel": "Item",
        "requestDate": "2017-07-29T22:25:37Z", "requesterId": uuid(), "itemId": uuid(),
        "holdingsRecordId": uuid(), "instanceId": uuid(), "fulfillmentPreference": "Hold Shelf",
        "status": "Open - Not yet filled"});
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

#[actix_web::test]
async fn policies_accept_numbers_and_booleans_as_strings() {
    let client = storage::enabled_client("st_coerce_policies", false).await;

    let notice = json!({"templateId": uuid(), "format": "Email", "realTime": "true",
        "frequency": "Recurring",
        "sendOptions": {"sendWhen": "Due date", "sendHow": "After",
                        "sendBy": {"duration": "1", "intervalId": "Days"},
                        "sendEvery": {"duration": "2", "intervalId": "Hours"}}});
    let policy = created(
        &client,
        NOTICE_POLICIES,
        &json!({"name": "Strings", "active": "false", "loanNotices": [notice]}),
    )
    .await;
    assert_eq!(policy["active"], false);
    let stored = &policy["loanNotices"][0];
    assert_eq!(stored["realTime"], true);
    assert_eq!(stored["sendOptions"]["sendBy"]["duration"], 1);
    assert_eq!(stored["sendOptions"]["sendEvery"]["duration"], 2);

    // FOLIO's own test: a string `realTime` reaches the PUT's send-options check (422, not 400).
    let bad_send_how = json!({"templateId": uuid(), "format": "Email", "realTime": "true",
        "sendOptions": {"sendWhen": "Renewed", "sendHow": "Before"}});
    let id = policy["id"].as_str().unwrap();
    let reply = client
        .put(
            &format!("{NOTICE_POLICIES}/{id}"),
            &json!({"id": id, "name": "Strings", "loanNotices": [bad_send_how]}),
        )
        .await;
    assert_eq!(
        errors(&reply)[0].0,
        "This option is not valid for selected Triggering event"
    );
    // The bounds are checked on the converted value.
    let mut too_long = notice.clone();
    too_long["sendOptions"]["sendBy"]["duration"] = json!("101");
    let reply = client
        .post(
            NOTICE_POLICIES,
            &json!({"name": "Too long", "loanNotices": [too_long]}),
        )
        .await;
    assert_eq!(
        errors(&reply),
        [(
            "must be less than or equal to 100".to_string(),
            vec!["loanNotices[0].sendOptions.sendBy.duration".to_string()]
        )]
    );

    let loan_policy = created(
        &client,
        LOAN_POLICIES,
        &json!({"name": 42, "loanable": "true", "renewable": "TRUE",
                "loansPolicy": {"profileId": "Rolling",
                                "period": {"duration": "3", "intervalId": "Weeks"},
                                "itemLimit": "5"},
                "renewalsPolicy": {"unlimited": "false", "numberAllowed": "2",
                                   "renewFromId": "CURRENT_DUE_DATE", "differentPeriod": "false"}}),
    )
    .await;
    assert_eq!(loan_policy["name"], "42");
    assert_eq!(loan_policy["loanable"], true);
    assert_eq!(loan_policy["renewable"], true);
    assert_eq!(loan_policy["loansPolicy"]["period"]["duration"], 3);
    assert_eq!(loan_policy["loansPolicy"]["itemLimit"], 5);
    assert_eq!(loan_policy["renewalsPolicy"]["unlimited"], false);
    assert_eq!(
        loan_policy["renewalsPolicy"]["numberAllowed"].as_f64(),
        Some(2.0)
    );

    let schedule = created(
        &client,
        "/fixed-due-date-schedule-storage/fixed-due-date-schedules",
        &json!({"name": 2024, "description": true,
                "schedules": [{"from": "2024-01-01T00:00:00Z", "to": "2024-06-30T23:59:59Z",
                               "due": "2024-07-15T23:59:59Z"}]}),
    )
    .await;
    assert_eq!(schedule["name"], "2024");
    assert_eq!(schedule["description"], "true");
}

#[actix_web::test]
async fn only_what_jackson_refuses_is_a_bad_request() {
    let client = storage::enabled_client("st_coerce_refused", false).await;
    let policy = |duration: Value| {
        json!({"name": uuid(), "loanable": true, "renewable": false,
               "loansPolicy": {"profileId": "Rolling",
                               "period": {"duration": duration, "intervalId": "Days"}}})
    };
    for bad in [json!("abc"), json!("1.5"), json!("3000000000"), json!(true)] {
        let reply = client.post(LOAN_POLICIES, &policy(bad.clone())).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
    }
    // Jackson truncates a fraction bound to an integer.
    let truncated = created(&client, LOAN_POLICIES, &policy(json!(2.7))).await;
    assert_eq!(truncated["loansPolicy"]["period"]["duration"], 2);
    let reply = client
        .post(NOTICE_POLICIES, &json!({"name": "Yes", "active": "yes"}))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    let reply = client
        .post(REQUESTS, &request(json!({"position": "first"})))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
}

#[actix_web::test]
async fn loans_requests_check_ins_and_notices_store_converted_values() {
    let client = storage::enabled_client("st_coerce_records", false).await;

    let loan = created(
        &client,
        "/loan-storage/loans",
        &json!({"itemId": uuid(), "userId": uuid(), "loanDate": "2017-03-06T16:04:43Z",
                "dueDate": "2017-04-06T16:04:43Z", "action": "renewed",
                "status": {"name": "Open"}, "renewalCount": "2", "isDcb": "false"}),
    )
    .await;
    assert_eq!(loan["renewalCount"], 2);
    assert_eq!(loan["isDcb"], false);

    let request = created(&client, REQUESTS, &request(json!({"position": "1"}))).await;
    assert_eq!(request["position"], 1);

    let check_in = created(
        &client,
        "/check-in-storage/check-ins",
        &json!({"occurredDateTime": "2019-09-17T10:00:00Z", "itemId": uuid(),
                "servicePointId": uuid(), "performedByUserId": uuid(),
                "requestQueueSize": "3"}),
    )
    .await;
    assert_eq!(check_in["requestQueueSize"], 3);

    let notice = created(
        &client,
        "/scheduled-notice-storage/scheduled-notices",
        &json!({"loanId": uuid(), "triggeringEvent": "Due date",
                "nextRunTime": "2030-01-01T10:00:00Z",
                "noticeConfig": {"timing": "Before", "templateId": uuid(), "format": "Email",
                                 "sendInRealTime": "true",
                                 "recurringPeriod": {"duration": "6", "intervalId": "Hours"}}}),
    )
    .await;
    assert_eq!(notice["noticeConfig"]["sendInRealTime"], true);
    assert_eq!(notice["noticeConfig"]["recurringPeriod"]["duration"], 6);
    let next_run = notice["nextRunTime"].as_str().unwrap();
    assert!(next_run.starts_with("2030-01-01T10:00:00"), "{next_run}");
}

#[actix_web::test]
async fn request_batch_validates_as_folio() {
    let client = storage::enabled_client("st_coerce_batch", false).await;
    let first = created(&client, REQUESTS, &request(json!({"position": 1}))).await;

    // Only the schema: an item-level request without holdings is accepted, as in FOLIO.
    let mut no_holdings = first.clone();
    no_holdings
        .as_object_mut()
        .unwrap()
        .remove("holdingsRecordId");
    no_holdings["position"] = json!("2");
    let reply = client
        .post(BATCH, &json!({"requests": [no_holdings]}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let stored = client
        .get(&format!("{REQUESTS}/{}", first["id"].as_str().unwrap()))
        .await
        .json();
    assert_eq!(stored["position"], 2);

    // Validation errors name the request by its index.
    let mut bad = first.clone();
    bad["proxyUserId"] = json!("12345");
    let reply = client
        .post(BATCH, &json!({"requests": [first.clone(), bad]}))
        .await;
    let found = errors(&reply);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].0.starts_with("must match"), "{found:?}");
    assert_eq!(found[0].1, ["requests[1].proxyUserId"]);
    let mut no_status = first.clone();
    no_status.as_object_mut().unwrap().remove("status");
    let reply = client.post(BATCH, &json!({"requests": [no_status]})).await;
    assert_eq!(
        errors(&reply),
        [(
            "must not be null".to_string(),
            vec!["requests[0].status".to_string()]
        )]
    );

    // Two requests of one item at one position: FOLIO's 422, naming neither.
    let mut second = request(json!({"itemId": first["itemId"], "position": 3}));
    second = created(&client, REQUESTS, &second).await;
    let mut clash = first.clone();
    clash["position"] = json!(3);
    second["position"] = json!(3);
    let reply = client
        .post(BATCH, &json!({"requests": [clash, second]}))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let error = &reply.json()["errors"][0];
    assert_eq!(
        error["message"],
        "Cannot have more than one request with the same position in the queue"
    );
    assert_eq!(error["parameters"], json!([]));
    assert_eq!(
        (&error["itemId"], &error["position"]),
        (&Value::Null, &Value::Null)
    );

    // The wrapper is closed, and an empty batch is refused with a 422 (FOLIO: 500).
    let reply = client
        .post(
            BATCH,
            &json!({"requests": [first.clone()], "totalRecords": 1}),
        )
        .await;
    assert_eq!(errors(&reply)[0].0, "Unrecognized field \"totalRecords\"");
    let reply = client.post(BATCH, &json!({"requests": []})).await;
    assert_eq!(errors(&reply)[0].1, ["requests"]);
}

#[actix_web::test]
async fn records_without_typed_shapes_store_converted_values() {
    let client = storage::enabled_client("st_coerce_flat", false).await;

    let slip = created(
        &client,
        "/staff-slips-storage/staff-slips",
        &json!({"name": "Coerced slip", "template": "<p></p>", "active": "false",
                "isRawHtml": "true"}),
    )
    .await;
    assert_eq!(
        (&slip["active"], &slip["isRawHtml"]),
        (&json!(false), &json!(true))
    );

    let preference = created(
        &client,
        "/request-preference-storage/request-preference",
        &json!({"userId": uuid(), "holdShelf": "true", "delivery": "false"}),
    )
    .await;
    assert_eq!(
        (&preference["holdShelf"], &preference["delivery"]),
        (&json!(true), &json!(false))
    );

    let job = created(
        &client,
        "/tlr-feature-toggle-job-storage/tlr-feature-toggle-jobs",
        &json!({"status": "open", "numberOfUpdatedRequests": "4"}),
    )
    .await;
    assert_eq!(job["numberOfUpdatedRequests"], 4);
}
