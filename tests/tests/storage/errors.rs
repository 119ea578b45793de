//! circulation-storage's error answers as RMB and mod-circulation-storage give them: paging
//! texts, expired-session messages, 422 body shapes, malformed ids, constraint violations per
//! endpoint, TRUNCATE of all loans, circulation-setting and staff-slip specifics.
use super::support::{enabled, request, uuid};
use circulation_tests::http::{encode, FolioClient, Reply};
use serde_json::{json, Value};

const INVALID_UUID: &str =
    "Invalid UUID format of id, should be xxxxxxxx-xxxx-Mxxx-Nxxx-xxxxxxxxxxxx \
where M is 1-5 and N is 8, 9, a, b, A or B and x is 0-9, a-f or A-F.";

fn text(reply: &Reply) -> (u16, &str) {
    (reply.status, reply.body.as_str())
}

fn loan(item_id: &str) -> Value {
    json!({"itemId": item_id, "userId": uuid(), "loanDate": "2017-03-06T16:04:43.000+02:00",
           "action": "checkedout", "status": {"name": "Open"}})
}

#[actix_web::test]
async fn paging_parameters_are_refused_with_rmb_texts() {
    let client = enabled("err_paging").await;
    let reply = client.get("/loan-storage/loans?offset=-10").await;
    assert_eq!(
        text(&reply),
        (
            400,
            "\n 'offset' parameter is incorrect. parameter value {-10} is not valid: \
             must be greater than or equal to 0"
        )
    );
    let reply = client.get("/request-storage/requests?limit=-1").await;
    assert_eq!(
        text(&reply),
        (
            400,
            "\n 'limit' parameter is incorrect. parameter value {-1} is not valid: \
             must be greater than or equal to 0"
        )
    );
    let reply = client.get("/loan-storage/loans?limit=abc").await;
    assert_eq!(text(&reply), (400, "For input string: \"abc\""));
    let reply = client.get("/loan-storage/loans?offset=2147483648").await;
    assert_eq!(text(&reply), (400, "For input string: \"2147483648\""));
    let reply = client.get("/loan-storage/loans?limit=").await;
    assert_eq!(
        text(&reply),
        (
            400,
            "limit does not have a default value in the RAML and has been passed empty"
        )
    );
    assert_eq!(
        client
            .get("/loan-storage/loans?limit=2147483647&offset=0")
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn expired_session_parameters_are_refused_as_folio_does() {
    let client = enabled("err_sessions").await;
    let path = "/patron-action-session-storage/expired-session-patron-ids";

    let reply = client
        .get(&format!(
            "{path}?action_type=Check-out&session_inactivity_time_limit={}&limit=10",
            encode("wrong date")
        ))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.json()["errors"][0],
        json!({"message": "Date cannot be parsed", "type": "1", "code": "-1",
               "parameters": [{"key": "session_inactivity_time_limit", "value": "wrong date"}]})
    );

    let date = "2020-01-01T10:00:00.000Z";
    let reply = client
        .get(&format!(
            "{path}?action_type=WrongType&session_inactivity_time_limit={}&limit=10",
            encode(date)
        ))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    // FOLIO names the action type but reports the date's value.
    assert_eq!(
        reply.json()["errors"][0],
        json!({"message": "Invalid action type value", "type": "1", "code": "-1",
               "parameters": [{"key": "action_type", "value": date}]})
    );

    // No `offset` here: it is ignored.
    let reply = client
        .get(&format!(
            "{path}?offset=abc&session_inactivity_time_limit={}",
            encode(date)
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let reply = client.get(&format!("{path}?limit=10")).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(
        reply.body.contains("parameter is incorrect") && reply.body.ends_with("must not be null"),
        "{}",
        reply.body
    );
}

/// The id of the open loan of an item.
async fn open_loan_id(client: &FolioClient, item_id: &str) -> Value {
    let query = encode(&format!("itemId==\"{item_id}\""));
    let loans = client
        .get(&format!("/loan-storage/loans?query={query}"))
        .await
        .json();
    loans["loans"][0]["id"].clone()
}

#[actix_web::test]
async fn unprocessable_bodies_have_folio_shapes() {
    let client = enabled("err_shapes").await;

    // The queue-position clash: itemId and position on the error itself, no parameters.
    let item = uuid();
    let path = "/request-storage/requests";
    assert_eq!(client.post(path, &request(&item, 1)).await.status, 201);
    let clash = client.post(path, &request(&item, 1)).await;
    assert_eq!(clash.status, 422, "{}", clash.body);
    assert_eq!(
        clash.json()["errors"][0],
        json!({"message": "Cannot have more than one request with the same position in the queue",
               "itemId": item, "position": 1, "parameters": []})
    );

    // Any unique violation on a request, a duplicate id too, is read as the position clash.
    let first = client.post(path, &request(&uuid(), 1)).await;
    let mut same_id = request(&uuid(), 1);
    same_id["id"] = first.json()["id"].clone();
    let reply = client.post(path, &same_id).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.error_messages(),
        ["Cannot have more than one request with the same position in the queue"]
    );

    // createValidationErrorMessage: type "1" and code "-1".
    let loan_item = uuid();
    assert_eq!(
        client
            .post("/loan-storage/loans", &loan(&loan_item))
            .await
            .status,
        201
    );
    let second = client.post("/loan-storage/loans", &loan(&loan_item)).await;
    assert_eq!(second.status, 422, "{}", second.body);
    assert_eq!(
        second.json()["errors"][0],
        json!({"message": "Cannot have more than one open loan for the same item",
               "type": "1", "code": "-1",
               "parameters": [{"key": "itemId", "value": loan_item}]})
    );
    // A duplicate loan id is read as the open-loan clash.
    let mut same_id = loan(&uuid());
    same_id["id"] = open_loan_id(&client, &loan_item).await;
    let reply = client.post("/loan-storage/loans", &same_id).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.error_messages(),
        ["Cannot have more than one open loan for the same item"]
    );
    let user = uuid();
    let preference = json!({"userId": user, "holdShelf": true, "delivery": false});
    let prefs = "/request-preference-storage/request-preference";
    assert_eq!(client.post(prefs, &preference).await.status, 201);
    let again = client.post(prefs, &preference).await;
    assert_eq!(again.status, 422);
    assert_eq!(again.json()["errors"][0]["type"], "1");
    assert_eq!(again.json()["errors"][0]["code"], "-1");

    // The cancellation-reason error has a code and no parameter.
    let mut cancelled = request(&uuid(), 1);
    let id = uuid();
    cancelled["status"] = json!("Closed - Cancelled");
    cancelled["cancellationReasonId"] = json!(uuid());
    let reply = client.put(&format!("{path}/{id}"), &cancelled).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.json()["errors"][0],
        json!({"message": "Cancellation reason does not exist",
               "code": "INVALID_CANCELLATION_REASON"})
    );
}

#[actix_web::test]
async fn malformed_ids_are_answered_as_rmb_and_folio_do() {
    let client = enabled("err_ids").await;
    let reasons = "/cancellation-reason-storage/cancellation-reasons";
    assert_eq!(
        text(&client.get(&format!("{reasons}/not-a-uuid")).await),
        (404, INVALID_UUID)
    );
    assert_eq!(
        text(&client.get("/loan-storage/loans/not-a-uuid").await),
        (404, INVALID_UUID)
    );
    // Fixed due date schedules check FOLIO's looser pattern first, then RMB's.
    let schedules = "/fixed-due-date-schedule-storage/fixed-due-date-schedules";
    assert_eq!(
        text(&client.get(&format!("{schedules}/not-a-uuid")).await),
        (404, "Not found, invalid UUID format")
    );
    assert_eq!(
        text(
            &client
                .get(&format!("{schedules}/11111111-1111-1111-1111-111111111111"))
                .await
        ),
        (404, INVALID_UUID)
    );
    assert_eq!(
        text(&client.delete(&format!("{reasons}/not-a-uuid")).await),
        (400, INVALID_UUID)
    );
    assert_eq!(
        text(
            &client
                .delete("/staff-slips-storage/staff-slips/11111111-1111-1111-1111-111111111111")
                .await
        ),
        (400, INVALID_UUID)
    );

    // The anonymize endpoints take any hex UUID.
    let any_version = "11111111-1111-1111-1111-111111111111";
    let reply = client
        .post(
            &format!("/loan-storage/loans/anonymize/{any_version}"),
            &json!({}),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let reply = client
        .post(
            "/anonymize-storage-loans",
            &json!({"loanIds": [any_version]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["anonymizedLoans"], json!([any_version]));

    // The check-out lock id must be an RMB UUID.
    assert_eq!(
        text(
            &client
                .get(&format!("/check-out-lock-storage/{any_version}"))
                .await
        ),
        (400, "Invalid lock id")
    );
}

#[actix_web::test]
async fn constraint_violations_are_answered_per_endpoint() {
    let client = enabled("err_constraints").await;

    // Upsert PUT: 400 text with PostgreSQL's detail.
    let policies = "/request-policy-storage/request-policies";
    let policy = json!({"name": "sample request policy", "requestTypes": ["Hold"]});
    assert_eq!(client.post(policies, &policy).await.status, 201);
    let reply = client.put(&format!("{policies}/{}", uuid()), &policy).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert!(reply.body.contains("already exists"), "{}", reply.body);
    assert!(reply
        .content_type
        .as_deref()
        .unwrap_or_default()
        .starts_with("text/plain"));
    let dangling = uuid();
    let loan_policy = json!({"name": "f", "loanable": true, "renewable": false,
                             "loansPolicy": {"profileId": "Fixed", "fixedDueDateScheduleId": dangling}});
    let reply = client
        .put(
            &format!("/loan-policy-storage/loan-policies/{}", uuid()),
            &loan_policy,
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);

    // A POST with a dangling foreign key: 422 in RMB's words.
    let reply = client
        .post("/loan-policy-storage/loan-policies", &loan_policy)
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(
        reply.json()["errors"][0],
        json!({"message": format!("Cannot set loan_policy.loanspolicy_fixedduedatescheduleid = {dangling} \
                                   because it does not exist in fixed_due_date_schedule.id."),
               "type": "1", "code": "-1",
               "parameters": [{"key": "loan_policy.loanspolicy_fixedduedatescheduleid",
                               "value": dangling}]})
    );

    // DELETE of a record still referenced: 400 text.
    let reasons = "/cancellation-reason-storage/cancellation-reasons";
    let reason = client.post(reasons, &json!({"name": "moved"})).await;
    assert_eq!(reason.status, 201);
    let reason_id = reason.json()["id"].as_str().unwrap().to_string();
    let mut cancelled = request(&uuid(), 1);
    cancelled["cancellationReasonId"] = json!(reason_id);
    assert_eq!(
        client
            .post("/request-storage/requests", &cancelled)
            .await
            .status,
        201
    );
    let reply = client.delete(&format!("{reasons}/{reason_id}")).await;
    assert_eq!(
        text(&reply),
        (
            400,
            format!(
                "Cannot delete cancellation_reason.id = {reason_id} because id is still \
                 referenced from table request."
            )
            .as_str()
        )
    );

    // Writes without a declared 422: RMB's unique sentence as 400 text.
    let other = client.post(reasons, &json!({"name": "other"})).await;
    let other_id = other.json()["id"].as_str().unwrap().to_string();
    let reply = client
        .put(&format!("{reasons}/{other_id}"), &json!({"name": "Moved"}))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(
        reply.body,
        "lower(f_unaccent(jsonb ->> 'name'::text)) value already exists in table \
         cancellation_reason: moved"
    );
    let slips = "/staff-slips-storage/staff-slips";
    let slip = json!({"name": "Transit slip", "template": "<p></p>"});
    assert_eq!(client.post(slips, &slip).await.status, 201);
    let reply = client.post(slips, &slip).await;
    assert_eq!(
        text(&reply),
        (
            400,
            "lower(f_unaccent(jsonb ->> 'name'::text)) value already exists in table \
             staff_slips: transit slip"
        )
    );
}

#[actix_web::test]
async fn deleting_all_loans_truncates_without_history() {
    let client = enabled("err_truncate").await;
    let created = client.post("/loan-storage/loans", &loan(&uuid())).await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let all = encode("cql.allRecords=1");
    assert_eq!(
        client
            .delete(&format!("/loan-storage/loans?query={all}"))
            .await
            .status,
        204
    );
    let history = client
        .get(&format!(
            "/loan-storage/loan-history?query={}",
            encode(&format!("loan.id==\"{id}\""))
        ))
        .await
        .json();
    assert_eq!(history["totalRecords"], 1, "{history}");
    assert_eq!(history["loansHistory"][0]["loan"]["action"], "checkedout");
}

#[actix_web::test]
async fn circulation_settings_need_an_id_and_merge_exact_names() {
    let client = enabled("err_settings").await;
    let path = "/circulation-settings-storage/circulation-settings";
    let reply = client
        .post(path, &json!({"name": "x", "value": {"a": 1}}))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.error_messages(), ["must not be null"]);
    assert_eq!(reply.json()["errors"][0]["parameters"][0]["key"], "id");

    let first = json!({"id": uuid(), "name": "loan_history", "value": {"v": 1}});
    assert_eq!(client.post(path, &first).await.status, 201);
    // Another case clashes on the unique index, but matches no name exactly: nothing changes.
    let upper = json!({"id": uuid(), "name": "Loan_History", "value": {"v": 2}});
    assert_eq!(client.post(path, &upper).await.status, 201);
    let settings = client.get(path).await.json();
    assert_eq!(settings["totalRecords"], 1, "{settings}");
    assert_eq!(settings["circulationSettings"][0]["value"], json!({"v": 1}));
}

#[actix_web::test]
async fn a_staff_slip_put_to_a_missing_id_creates_it() {
    let client = enabled("err_slips").await;
    let id = uuid();
    let path = format!("/staff-slips-storage/staff-slips/{id}");
    let reply = client
        .put(
            &path,
            &json!({"name": "Pick slip 2", "template": "<p>x</p>", "active": true}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["id"], id.as_str());
    assert_eq!(reply.json()["name"], "Pick slip 2");
    let got = client.get(&path).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["template"], "<p>x</p>");
    // An existing one is updated as before.
    let reply = client
        .put(
            &path,
            &json!({"name": "Pick slip 2", "template": "<p>y</p>", "active": true}),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
}
