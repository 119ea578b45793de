//! circulation-storage record rules as FOLIO applies them: schema constraints, defaults, and
//! the per-type validations (real HTTP against the module, real PostgreSQL underneath).
use super::support::uuid;
use circulation_tests::http::{FolioClient, Reply};
use circulation_tests::{pg, storage};
use serde_json::{json, Value};

/// A storage module on the shared throwaway database and an enabled fresh tenant.
async fn setup(tenant: &str, load_reference: bool) -> FolioClient {
    storage::enabled_client(tenant, load_reference).await
}

/// The first error of a 422: (message, code, type, parameters as (key, value)).
fn first_error(reply: &Reply) -> (String, Value, Value, Vec<(String, Value)>) {
    assert_eq!(reply.status, 422, "{}", reply.body);
    let error = &reply.json()["errors"][0];
    let parameters = error["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| (p["key"].as_str().unwrap().to_string(), p["value"].clone()))
        .collect();
    (
        error["message"].as_str().unwrap().to_string(),
        error["code"].clone(),
        error["type"].clone(),
        parameters,
    )
}

const NOTICE_POLICIES: &str = "/patron-notice-policy-storage/patron-notice-policies";

#[actix_web::test]
async fn patron_notice_policy_send_options_and_duplicate_names() {
    let client = setup("st_notice_policies", false).await;
    let id = uuid();
    let created = client
        .post(NOTICE_POLICIES, &json!({"id": id, "name": "Policy A"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);

    let duplicate = client
        .post(NOTICE_POLICIES, &json!({"name": "Policy A"}))
        .await;
    let (message, code, _, parameters) = first_error(&duplicate);
    assert_eq!(message, "'Policy A' name in not unique");
    assert_eq!(code, "duplicate.name");
    assert!(parameters.is_empty(), "{parameters:?}");

    let with_notice =
        |notice: Value| json!({"id": id, "name": "Policy A", "loanNotices": [notice]});
    let template = uuid();
    let renewed_before = json!({"templateId": template, "format": "Email", "realTime": true,
        "sendOptions": {"sendWhen": "Renewed", "sendHow": "Before"}});
    // POST does not check send options; PUT does.
    let other = client
        .post(
            NOTICE_POLICIES,
            &json!({"name": "Policy B", "loanNotices": [renewed_before]}),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.body);
    let path = format!("{NOTICE_POLICIES}/{id}");
    let reply = client
        .put(&path, &with_notice(renewed_before.clone()))
        .await;
    let (message, code, error_type, parameters) = first_error(&reply);
    assert_eq!(
        message,
        "This option is not valid for selected Triggering event"
    );
    assert_eq!((code, error_type), (json!("-1"), json!("1")));
    assert_eq!(parameters, [("sendHow".to_string(), json!("Before"))]);

    let sent_by = json!({"templateId": template, "format": "Email", "realTime": true,
        "sendOptions": {"sendWhen": "Renewed", "sendBy": {"duration": 1, "intervalId": "Days"}}});
    let (message, _, _, parameters) = first_error(&client.put(&path, &with_notice(sent_by)).await);
    assert_eq!(
        message,
        "This option is not valid for selected Triggering event"
    );
    assert_eq!(parameters[0].0, "sendBy");

    let upon_at = json!({"templateId": template, "format": "Email", "realTime": true,
        "frequency": "Recurring", "sendOptions": {"sendWhen": "Due date", "sendHow": "Upon At"}});
    let (message, _, _, parameters) = first_error(&client.put(&path, &with_notice(upon_at)).await);
    assert_eq!(message, "This option is not valid for selected Send");
    assert_eq!(parameters, [("frequency".to_string(), json!("Recurring"))]);

    let one_time = json!({"templateId": template, "format": "Email", "realTime": true,
        "frequency": "One time", "sendOptions": {"sendWhen": "Due date", "sendHow": "Before",
        "sendEvery": {"duration": 10, "intervalId": "Minutes"}}});
    let (message, _, _, _) = first_error(&client.put(&path, &with_notice(one_time)).await);
    assert_eq!(message, "This option is not valid for selected Frequency");

    let fine = json!({"templateId": template, "format": "Email", "realTime": true,
        "frequency": "Recurring", "sendOptions": {"sendWhen": "Due date", "sendHow": "After",
        "sendEvery": {"duration": 1, "intervalId": "Days"}}});
    let reply = client.put(&path, &with_notice(fine)).await;
    assert_eq!(reply.status, 204, "{}", reply.body);

    // A duplicate name on PUT has the same shape.
    let other_id = other.json()["id"].as_str().unwrap().to_string();
    let reply = client
        .put(
            &format!("{NOTICE_POLICIES}/{other_id}"),
            &json!({"id": other_id, "name": "Policy A"}),
        )
        .await;
    let (message, code, _, parameters) = first_error(&reply);
    assert_eq!(message, "'Policy A' name in not unique");
    assert_eq!(code, "duplicate.name");
    assert!(parameters.is_empty());
}

const STAFF_SLIPS: &str = "/staff-slips-storage/staff-slips";

#[actix_web::test]
async fn staff_slips_are_typed_checked_and_active_by_default() {
    let client = setup("st_staff_slips", false).await;

    let (message, code, _, parameters) =
        first_error(&client.post(STAFF_SLIPS, &json!({"name": "Hold"})).await);
    assert_eq!(message, "must not be null");
    assert_eq!(code, "jakarta.validation.constraints.NotNull.message");
    assert_eq!(parameters[0].0, "template");

    let (message, _, _, _) = first_error(
        &client
            .post(
                STAFF_SLIPS,
                &json!({"name": "Hold", "template": "t", "colour": "red"}),
            )
            .await,
    );
    assert_eq!(message, "Unrecognized field \"colour\"");

    let blank = client
        .post(STAFF_SLIPS, &json!({"name": "", "template": ""}))
        .await;
    assert_eq!(
        (blank.status, blank.body.as_str()),
        (
            400,
            "Name is a required property\nTemplate is a required property"
        )
    );

    let created = client
        .post(
            STAFF_SLIPS,
            &json!({"name": "Test slip", "template": "<p></p>"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["active"], true);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let stored = client.get(&format!("{STAFF_SLIPS}/{id}")).await;
    assert_eq!(stored.json()["active"], true);

    let blank_template = client
        .put(
            &format!("{STAFF_SLIPS}/{id}"),
            &json!({"id": id, "name": "Test slip", "template": ""}),
        )
        .await;
    assert_eq!(
        (blank_template.status, blank_template.body.as_str()),
        (400, "Template is a required property")
    );
}

fn request(extra: Value) -> Value {
    let mut body = json!({"requestType": "Hold", "requestLevel": "Item",
        "requestDate": "2017-07-29T22:25:37Z", "requesterId": uuid(), "itemId": uuid(),
        "holdingsRecordId": uuid(), "instanceId": uuid(), "fulfillmentPreference": "Hold Shelf",
        "status": "Open - Not yet filled"});
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

fn loan_policy(loans_policy: Value) -> Value {
    json!({"name": format!("Policy {}", uuid()), "loanable": true, "renewable": false,
           "loansPolicy": loans_policy})
}

const LOOSE_UUID: &str =
    "^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$";

#[actix_web::test]
async fn schema_constraints_answer_as_rmb() {
    let client = setup("st_constraints", false).await;

    // A uuid pattern.
    let reply = client
        .post(
            "/request-storage/requests",
            &request(json!({"proxyUserId": "12345"})),
        )
        .await;
    let (message, code, error_type, parameters) = first_error(&reply);
    assert_eq!(message, format!("must match \"{LOOSE_UUID}\""));
    assert_eq!(code, "jakarta.validation.constraints.Pattern.message");
    assert_eq!(error_type, "1");
    assert_eq!(parameters, [("proxyUserId".to_string(), json!("12345"))]);
    // An empty item id is present (no "absent" message) but fails the pattern.
    let (message, _, _, parameters) = first_error(
        &client
            .post("/request-storage/requests", &request(json!({"itemId": ""})))
            .await,
    );
    assert_eq!(message, format!("must match \"{LOOSE_UUID}\""));
    assert_eq!(parameters, [("itemId".to_string(), json!(""))]);

    // Minimum of a check-in's queue size.
    let check_in = json!({"occurredDateTime": "2019-09-17T10:00:00Z", "itemId": uuid(),
        "servicePointId": uuid(), "performedByUserId": uuid(), "requestQueueSize": -1});
    let (message, _, _, parameters) =
        first_error(&client.post("/check-in-storage/check-ins", &check_in).await);
    assert_eq!(message, "must be greater than or equal to 0");
    assert_eq!(parameters, [("requestQueueSize".to_string(), json!("-1"))]);

    // The bounds of a loan policy's item limit, and a nested required property.
    let policies = "/loan-policy-storage/loan-policies";
    let period = json!({"duration": 1, "intervalId": "Days"});
    let (message, code, _, parameters) = first_error(
        &client
            .post(
                policies,
                &loan_policy(json!({"profileId": "Rolling", "period": period, "itemLimit": 0})),
            )
            .await,
    );
    assert_eq!(message, "must be greater than or equal to 1");
    assert_eq!(code, "jakarta.validation.constraints.DecimalMin.message");
    assert_eq!(
        parameters,
        [("loansPolicy.itemLimit".to_string(), json!("0"))]
    );
    let (message, _, _, parameters) = first_error(
        &client
            .post(
                policies,
                &loan_policy(json!({"profileId": "Rolling", "period": period, "itemLimit": 10000})),
            )
            .await,
    );
    assert_eq!(message, "must be less than or equal to 9999");
    assert_eq!(parameters[0].0, "loansPolicy.itemLimit");
    let within = client
        .post(
            policies,
            &loan_policy(json!({"profileId": "Rolling", "period": period, "itemLimit": 1000})),
        )
        .await;
    assert_eq!(within.status, 201, "{}", within.body);
    let (message, code, _, parameters) = first_error(
        &client
            .post(
                policies,
                &loan_policy(json!({"profileId": "Rolling", "period": {"duration": 1}})),
            )
            .await,
    );
    assert_eq!(message, "must not be null");
    assert_eq!(code, "jakarta.validation.constraints.NotNull.message");
    assert_eq!(parameters[0].0, "loansPolicy.period.intervalId");

    // Actual cost records: the minimum of the billed amount.
    let record = json!({"lossType": "Aged to lost", "lossDate": "2022-06-01T00:00:00Z",
        "user": {"id": uuid(), "lastName": "Smith"}, "loan": {"id": uuid()},
        "item": {"id": uuid(), "materialTypeId": uuid(), "materialType": "book",
                 "loanTypeId": uuid(), "loanType": "Can circulate", "holdingsRecordId": uuid()},
        "instance": {"id": uuid(), "title": "A title"},
        "feeFine": {"ownerId": uuid(), "owner": "Main", "typeId": uuid(),
                    "type": "Lost item fee (actual cost)", "billedAmount": -9.99}});
    let costs = "/actual-cost-record-storage/actual-cost-records";
    let (message, _, _, parameters) = first_error(&client.post(costs, &record).await);
    assert!(
        message.starts_with("must be greater than or equal to 0"),
        "{message}"
    );
    assert_eq!(
        parameters,
        [("feeFine.billedAmount".to_string(), json!("-9.99"))]
    );
    let mut fine = record.clone();
    fine["feeFine"]["billedAmount"] = json!(9.99);
    let created = client.post(costs, &fine).await;
    assert_eq!(created.status, 201, "{}", created.body);
    // Materialised arrays of the instance.
    assert_eq!(created.json()["instance"]["identifiers"], json!([]));
    assert_eq!(created.json()["instance"]["contributors"], json!([]));
    let mut nested_unknown = fine.clone();
    nested_unknown["loan"]["dueDate"] = json!("2022-06-01T00:00:00Z");
    let (message, _, _, _) = first_error(&client.post(costs, &nested_unknown).await);
    assert_eq!(message, "Unrecognized field \"dueDate\"");
    let mut no_owner = fine.clone();
    no_owner["feeFine"].as_object_mut().unwrap().remove("owner");
    let (message, _, _, parameters) = first_error(&client.post(costs, &no_owner).await);
    assert_eq!(message, "must not be null");
    assert_eq!(parameters[0].0, "feeFine.owner");

    // Request policies: no empty list of service points; repeated ones collapse.
    let request_policies = "/request-policy-storage/request-policies";
    let (message, code, _, parameters) = first_error(
        &client
            .post(
                request_policies,
                &json!({"name": "Empty", "requestTypes": ["Hold"], "allowedServicePoints": {"Hold": []}}),
            )
            .await,
    );
    assert_eq!(message, "size must be between 1 and 2147483647");
    assert_eq!(code, "jakarta.validation.constraints.Size.message");
    assert_eq!(parameters[0].0, "allowedServicePoints.Hold");
    let service_point = uuid();
    let created = client
        .post(
            request_policies,
            &json!({"name": "Twice", "requestTypes": ["Hold"],
                    "allowedServicePoints": {"Hold": [service_point, service_point]}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.json()["allowedServicePoints"]["Hold"],
        json!([service_point])
    );
}

#[actix_web::test]
async fn schema_defaults_and_read_only_properties() {
    let client = setup("st_defaults", false).await;

    let policy = client
        .post(NOTICE_POLICIES, &json!({"name": "Nothing"}))
        .await;
    assert_eq!(policy.status, 201, "{}", policy.body);
    let id = policy.json()["id"].as_str().unwrap().to_string();
    let stored = client.get(&format!("{NOTICE_POLICIES}/{id}")).await.json();
    for key in ["loanNotices", "feeFineNotices", "requestNotices"] {
        assert_eq!(stored[key], json!([]), "{key}");
    }

    let schedule = client
        .post(
            "/fixed-due-date-schedule-storage/fixed-due-date-schedules",
            &json!({"name": "No dates"}),
        )
        .await;
    assert_eq!(schedule.json()["schedules"], json!([]), "{}", schedule.body);

    let request_policy = client
        .post(
            "/request-policy-storage/request-policies",
            &json!({"name": "No types"}),
        )
        .await;
    assert_eq!(request_policy.json()["requestTypes"], json!([]));

    let mut loan_policy = loan_policy(json!({"profileId": "Rolling",
        "period": {"duration": 1, "intervalId": "Days"}}));
    loan_policy["requestManagement"] = json!({"recalls": {}});
    let created = client
        .post("/loan-policy-storage/loan-policies", &loan_policy)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.json()["requestManagement"]["recalls"]["allowRecallsToExtendOverdueLoans"],
        false
    );

    // A read-only property of a request is dropped.
    let created = client
        .post(
            "/request-storage/requests",
            &request(
                json!({"awaitingPickupRequestClosedDate": "2024-01-01T10:00:00.000+00:00",
                            "instance": {"title": "T"}}),
            ),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let stored = client
        .get(&format!("/request-storage/requests/{id}"))
        .await
        .json();
    assert!(
        stored.get("awaitingPickupRequestClosedDate").is_none(),
        "{stored}"
    );
    assert_eq!(stored["instance"]["identifiers"], json!([]));

    // Only exactly "Open" is an open loan that needs a user.
    let loan = json!({"itemId": uuid(), "loanDate": "2017-03-06T16:04:43Z",
                      "action": "checkedout", "status": {"name": "open"}});
    let created = client.post("/loan-storage/loans", &loan).await;
    assert_eq!(created.status, 201, "{}", created.body);
}

#[actix_web::test]
async fn tenant_install_without_versions_and_sample_loans() {
    let url = storage::start_in_process(pg::shared()).expect("storage starts");
    let client = FolioClient::new(&url, "st_tenant_sample");
    let purge = json!({"module_from": storage::MODULE_ID, "purge": true});
    assert_eq!(client.post("/_/tenant", &purge).await.status, 204);

    // Neither module_from nor module_to: an install, not a disable.
    let reply = client.post("/_/tenant", &json!({})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let loans = client.get("/loan-storage/loans").await;
    assert_eq!(loans.status, 200, "{}", loans.body);
    assert_eq!(loans.json()["totalRecords"], 0);

    let sample = |from: Option<&str>| {
        let mut body = json!({"module_to": storage::MODULE_ID,
            "parameters": [{"key": "loadSample", "value": "true"}]});
        if let Some(from) = from {
            body["module_from"] = json!(from);
        }
        body
    };
    let reply = client.post("/_/tenant", &sample(None)).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let loans = client.get("/loan-storage/loans?limit=100").await.json();
    assert_eq!(loans["totalRecords"], 5, "{loans}");
    let returned = client
        .get("/loan-storage/loans/0bab56e5-1ab6-4ac2-afdf-8b2df0434378")
        .await
        .json();
    assert_eq!(returned["status"]["name"], "Closed");
    assert_eq!(
        returned["proxyUserId"],
        "a13dda6b-51ce-4543-be9c-eff894c0c2d0"
    );
    assert_eq!(returned["itemId"], "459afaba-5b39-468d-9072-eb1685e0ddf4");

    // An upgrade from 7.0.0 or later does not load them again.
    let cleared = client
        .delete("/loan-storage/loans?query=cql.allRecords%3D1")
        .await;
    assert_eq!(cleared.status, 204, "{}", cleared.body);
    let reply = client
        .post("/_/tenant", &sample(Some("mod-circulation-storage-7.0.0")))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        client.get("/loan-storage/loans").await.json()["totalRecords"],
        0
    );
    let reply = client
        .post("/_/tenant", &sample(Some("mod-circulation-storage-6.2.0")))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        client.get("/loan-storage/loans").await.json()["totalRecords"],
        5
    );

    // Only module_from: a disable.
    let reply = client
        .post("/_/tenant", &json!({"module_from": storage::MODULE_ID}))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
}
