//! circulation-storage end to end: real HTTP against the module, real PostgreSQL underneath.
use super::support::{request, uuid};
use circulation_tests::http::{encode, FolioClient, Reply};
use circulation_tests::{pg, storage};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// A storage module on the shared throwaway database, and a client for a fresh tenant.
fn setup(tenant: &str) -> FolioClient {
    let url = storage::start_in_process(pg::shared()).expect("storage starts");
    let mut client = FolioClient::new(&url, tenant);
    client.user_id = Some("9c6ab3b2-2f4c-4a8a-8a31-8d6b1f2e7a10".into());
    client
}

/// Enables the tenant and checks the job resource: readable, then deletable, then gone.
async fn enable(client: &FolioClient, load_reference: bool) -> Value {
    let job = storage::enable_tenant(client, load_reference).await;
    let location = format!("/_/tenant/{}", job["id"].as_str().unwrap());
    assert_eq!(client.delete(&location).await.status, 204);
    assert_eq!(client.get(&location).await.status, 404);
    job
}

fn loan(item_id: &str, user_id: &str) -> Value {
    json!({
        "itemId": item_id,
        "userId": user_id,
        "loanDate": "2017-03-06T16:04:43.000+02:00",
        "dueDate": "2017-04-06T16:04:43Z",
        "action": "checkedout",
        "status": {"name": "Open"}
    })
}

async fn total(client: &FolioClient, path: &str, key: &str) -> (usize, i64) {
    let reply = client.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    let body = reply.json();
    (
        body[key].as_array().map(Vec::len).unwrap_or(0),
        body["totalRecords"].as_i64().unwrap(),
    )
}

#[actix_web::test]
async fn tenant_lifecycle_and_crud_of_every_record_type() {
    let client = setup("lifecycle");
    enable(&client, false).await;

    // path, a valid record, a field to change on PUT, collection key
    let schedule_id = uuid();
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "/loan-storage/loans",
            loan(&uuid(), &uuid()),
            "action",
            "loans",
        ),
        (
            "/request-storage/requests",
            json!({"requestType": "Hold", "requestLevel": "Item", "requestDate": "2017-07-29T22:25:37Z",
                   "requesterId": uuid(), "itemId": uuid(), "holdingsRecordId": uuid(), "instanceId": uuid(),
                   "fulfillmentPreference": "Hold Shelf", "status": "Open - Not yet filled", "position": 1}),
            "requestType",
            "requests",
        ),
        (
            "/fixed-due-date-schedule-storage/fixed-due-date-schedules",
            json!({"id": schedule_id, "name": "Semester", "schedules": [
                {"from": "2020-01-01T00:00:00Z", "to": "2020-06-01T00:00:00Z", "due": "2020-06-15T00:00:00Z"}]}),
            "description",
            "fixedDueDateSchedules",
        ),
        (
            "/loan-policy-storage/loan-policies",
            json!({"name": "Fixed policy", "loanable": true, "renewable": false,
                   "loansPolicy": {"profileId": "Fixed", "fixedDueDateScheduleId": schedule_id}}),
            "description",
            "loanPolicies",
        ),
        (
            "/request-policy-storage/request-policies",
            json!({"name": "Holds", "requestTypes": ["Hold"]}),
            "description",
            "requestPolicies",
        ),
        (
            "/patron-notice-policy-storage/patron-notice-policies",
            json!({"name": "Quiet", "active": true}),
            "description",
            "patronNoticePolicies",
        ),
        (
            "/cancellation-reason-storage/cancellation-reasons",
            json!({"name": "Lost"}),
            "description",
            "cancellationReasons",
        ),
        (
            "/circulation-settings-storage/circulation-settings",
            json!({"id": uuid(), "name": "noticesLimit", "value": {"limit": 50}}),
            "name",
            "circulationSettings",
        ),
        (
            "/patron-action-session-storage/patron-action-sessions",
            json!({"patronId": uuid(), "loanId": uuid(), "actionType": "Check-out"}),
            "actionType",
            "patronActionSessions",
        ),
        (
            "/scheduled-notice-storage/scheduled-notices",
            json!({"loanId": uuid(), "triggeringEvent": "Due date", "nextRunTime": "2030-01-01T10:00:00Z",
                   "noticeConfig": {"timing": "Upon At", "templateId": uuid(), "format": "Email", "sendInRealTime": true}}),
            "triggeringEvent",
            "scheduledNotices",
        ),
    ];

    for (path, record, field, key) in &cases {
        let created = client.post(path, record).await;
        assert_eq!(created.status, 201, "POST {path}: {}", created.body);
        let id = created.location.clone().expect("Location");
        let body = created.json();
        assert_eq!(body["id"], json!(id), "{path}");
        assert!(
            body["metadata"]["createdDate"]
                .as_str()
                .unwrap()
                .ends_with("+00:00"),
            "{path}: {body}"
        );
        assert_eq!(
            body["metadata"]["createdByUserId"],
            json!(client.user_id),
            "{path}"
        );

        let fetched = client.get(&format!("{path}/{id}")).await;
        assert_eq!(fetched.status, 200, "GET {path}/{id}");
        assert_eq!(fetched.json(), body, "{path}: GET returns what POST stored");

        let mut changed = body.clone();
        let new_value = match (*field, &body[*field]) {
            ("action", _) => json!("renewed"),
            ("requestType", _) => json!("Recall"),
            ("actionType", _) => json!("Check-in"),
            ("triggeringEvent", _) => json!("Hold expiration"),
            ("name", _) => json!("noticesLimitRenamed"),
            _ => json!("changed"),
        };
        changed[*field] = new_value.clone();
        let put = client.put(&format!("{path}/{id}"), &changed).await;
        assert_eq!(put.status, 204, "PUT {path}: {}", put.body);
        let after = client.get(&format!("{path}/{id}")).await.json();
        assert_eq!(after[*field], new_value, "{path}");
        // RMB keeps creation info with a trigger on tables with metadata columns (not schedules).
        if *key != "fixedDueDateSchedules" {
            assert_eq!(
                after["metadata"]["createdDate"], body["metadata"]["createdDate"],
                "{path}: creation kept"
            );
        }

        let (_, count) = total(
            &client,
            &format!("{path}?query={}", encode(&format!("id==\"{id}\""))),
            key,
        )
        .await;
        assert_eq!(count, 1, "{path}");

        // The loan policy is deleted before its schedule (the schedule is referenced).
        if *key != "fixedDueDateSchedules" {
            assert_eq!(
                client.delete(&format!("{path}/{id}")).await.status,
                204,
                "DELETE {path}"
            );
            assert_eq!(
                client.get(&format!("{path}/{id}")).await.status,
                404,
                "{path}"
            );
            assert_eq!(
                client.delete(&format!("{path}/{id}")).await.status,
                404,
                "{path}"
            );
        }
    }

    // Check-ins are create-and-read only.
    let check_in = client
        .post(
            "/check-in-storage/check-ins",
            &json!({"occurredDateTime": "2020-01-01T10:00:00Z", "itemId": uuid(), "servicePointId": uuid(),
                    "performedByUserId": uuid(), "itemStatusPriorToCheckIn": "Checked out"}),
        )
        .await;
    assert_eq!(check_in.status, 201, "{}", check_in.body);
    let id = check_in.location.unwrap();
    assert_eq!(
        client
            .get(&format!("/check-in-storage/check-ins/{id}"))
            .await
            .status,
        200
    );

    // Circulation rules: one document, replaced by PUT.
    let rules = client.get("/circulation-rules-storage").await;
    assert_eq!(rules.status, 200);
    let rules_id = rules.json()["id"].clone();
    let text = "priority: t, s, c, b, a, m, g\nfallback-policy: l a r b n c o d i e";
    assert_eq!(
        client
            .put("/circulation-rules-storage", &json!({"rulesAsText": text}))
            .await
            .status,
        204
    );
    let rules = client.get("/circulation-rules-storage").await.json();
    assert_eq!(rules["rulesAsText"], text);
    assert_eq!(rules["id"], rules_id);

    // Disable keeps the data; purge removes the schema.
    assert_eq!(
        client
            .post(
                "/_/tenant",
                &json!({"module_from": "mod-circulation-storage-rs-0.1.0"})
            )
            .await
            .status,
        204
    );
    assert_eq!(
        total(&client, "/check-in-storage/check-ins", "checkIns")
            .await
            .1,
        1
    );
    assert_eq!(
        client
            .post(
                "/_/tenant",
                &json!({"module_from": "mod-circulation-storage-rs-0.1.0", "purge": true})
            )
            .await
            .status,
        204
    );
    let gone = client.get("/check-in-storage/check-ins").await;
    assert_eq!(gone.status, 400, "{}", gone.body);
}

#[actix_web::test]
async fn reference_data_is_loaded_on_request() {
    let client = setup("refdata");
    enable(&client, true).await;
    let reasons = client
        .get("/cancellation-reason-storage/cancellation-reasons?limit=100")
        .await
        .json();
    let mut names: Vec<&str> = reasons["cancellationReasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Item Not Available",
            "Needed For Course Reserves",
            "Other",
            "Patron Cancelled"
        ]
    );
    let policy = client
        .get("/loan-policy-storage/loan-policies/d9cd0bed-1b49-4b5e-a7bd-064b8d177231")
        .await;
    assert_eq!(policy.status, 200);
    assert_eq!(policy.json()["name"], "Example Loan Policy");
    assert_eq!(
        client
            .get("/loan-policy-storage/loan-policies/43198de5-f56a-4a53-a0bd-5a324418967a")
            .await
            .status,
        200
    );
    assert_eq!(
        client
            .get("/request-policy-storage/request-policies/334e5a9e-94f9-4673-8d1d-ab552863886b")
            .await
            .status,
        200
    );
    assert_eq!(
        client
            .get("/patron-notice-policy-storage/patron-notice-policies/122b3d2b-4788-4f1e-9117-56daa91cb75c")
            .await
            .status,
        200
    );
    let rules = client.get("/circulation-rules-storage").await.json();
    assert!(rules["rulesAsText"]
        .as_str()
        .unwrap()
        .contains("fallback-policy: l d9cd0bed-1b49-4b5e-a7bd-064b8d177231"));

    // Without loadReference nothing is loaded.
    let plain = client.for_tenant("refdata_none");
    enable(&plain, false).await;
    assert_eq!(
        total(
            &plain,
            "/cancellation-reason-storage/cancellation-reasons",
            "cancellationReasons"
        )
        .await
        .1,
        0
    );
}

#[actix_web::test]
async fn tenants_never_see_each_others_records() {
    let a = setup("tenant_a");
    let b = a.for_tenant("tenant_b");
    enable(&a, false).await;
    enable(&b, false).await;
    let created = a.post("/loan-storage/loans", &loan(&uuid(), &uuid())).await;
    assert_eq!(created.status, 201);
    let id = created.location.unwrap();
    assert_eq!(
        b.get(&format!("/loan-storage/loans/{id}")).await.status,
        404
    );
    assert_eq!(total(&b, "/loan-storage/loans", "loans").await.1, 0);
    assert_eq!(total(&a, "/loan-storage/loans", "loans").await.1, 1);
    // A tenant that was never enabled gets a clear 400.
    let never = a
        .for_tenant("never_enabled")
        .get("/loan-storage/loans")
        .await;
    assert_eq!(never.status, 400);
    assert!(never.body.contains("not enabled"), "{}", never.body);
}

/// Searches run as prepared statements, kept per pooled connection and shared by the tenants
/// the connection serves. With one connection, two tenants alternating the same CQL (the same
/// statement text, each time past the point where PostgreSQL may switch to a generic plan) each
/// see only their own rows; so after the tenant's schema is dropped and created again; and so
/// once the connection holds as many prepared CQL texts as it may (the rest run unprepared).
#[actix_web::test]
async fn prepared_searches_stay_per_tenant_on_one_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let config = circulation_storage::config::DbConfig {
        max_pool_size: 1,
        ..storage::db_config(pg::shared())
    };
    let kafka = Default::default();
    actix_web::rt::spawn(circulation_storage::app::run(listener, &config, &kafka, 10_000).unwrap());
    let mut a = FolioClient::new(&url, "prepared_a");
    a.user_id = Some("9c6ab3b2-2f4c-4a8a-8a31-8d6b1f2e7a10".into());
    let b = a.for_tenant("prepared_b");
    enable(&a, false).await;
    enable(&b, false).await;
    // The same user in both tenants: the query text and its values are identical.
    let user = uuid();
    let mut own: Vec<BTreeSet<String>> = Vec::new();
    for (client, n) in [(&a, 2), (&b, 3)] {
        let mut ids = BTreeSet::new();
        for _ in 0..n {
            let created = client
                .post("/loan-storage/loans", &loan(&uuid(), &user))
                .await;
            assert_eq!(created.status, 201, "{}", created.body);
            ids.insert(created.json()["id"].as_str().unwrap().to_string());
        }
        own.push(ids);
    }
    let open = format!("userId==\"{user}\" and status.name==\"Open\"");
    let found = |client: &FolioClient, query: String| {
        let client = client.clone();
        async move {
            let reply = client
                .get(&format!(
                    "/loan-storage/loans?query={}&limit=100",
                    encode(&query)
                ))
                .await;
            assert_eq!(reply.status, 200, "{query}: {}", reply.body);
            let body = reply.json();
            let ids: BTreeSet<String> = body["loans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(
                body["totalRecords"].as_u64(),
                Some(ids.len() as u64),
                "{query}"
            );
            ids
        }
    };
    for round in 0..8 {
        assert_eq!(
            found(&a, open.clone()).await,
            own[0],
            "tenant a, round {round}"
        );
        assert_eq!(
            found(&b, open.clone()).await,
            own[1],
            "tenant b, round {round}"
        );
        // limit=0: the count statement, also prepared.
        for (client, ids) in [(&a, &own[0]), (&b, &own[1])] {
            let reply = client
                .get(&format!(
                    "/loan-storage/loans?query={}&limit=0",
                    encode(&open)
                ))
                .await;
            assert_eq!(
                reply.json()["totalRecords"].as_u64(),
                Some(ids.len() as u64)
            );
        }
    }
    // Tenant b's schema dropped and created again: its statements resolve the new tables.
    enable(&b, false).await;
    assert!(found(&b, open.clone()).await.is_empty());
    assert_eq!(found(&a, open.clone()).await, own[0]);
    let created = b.post("/loan-storage/loans", &loan(&uuid(), &user)).await;
    let b_ids = BTreeSet::from([created.json()["id"].as_str().unwrap().to_string()]);
    assert_eq!(found(&b, open.clone()).await, b_ids);
    // More distinct texts than a connection keeps prepared: every one still answers correctly,
    // the prepared ones as well as those past the cap, for both tenants.
    let shapes = circulation_storage::db::MAX_PREPARED_CQL + 20;
    for k in 0..shapes {
        let query = format!("userId==\"{user}\" sortBy f{k}");
        assert_eq!(found(&a, query.clone()).await, own[0], "{query}");
        assert_eq!(found(&b, query.clone()).await, b_ids, "{query}");
    }
    for round in 0..3 {
        assert_eq!(
            found(&a, open.clone()).await,
            own[0],
            "round {round} after the cap"
        );
        assert_eq!(
            found(&b, open.clone()).await,
            b_ids,
            "round {round} after the cap"
        );
    }
    // A text too long to keep prepared.
    let long = format!(
        "userId==\"{user}\" and (status.name==\"Open\" or {})",
        (0..120)
            .map(|k| format!("f{k}==\"{k}\""))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    assert_eq!(found(&a, long.clone()).await, own[0]);
    assert_eq!(found(&b, long).await, b_ids);
}

#[actix_web::test]
async fn one_open_loan_per_item_also_under_concurrency() {
    let client = setup("open_loans");
    enable(&client, false).await;
    let item = uuid();
    assert_eq!(
        client
            .post("/loan-storage/loans", &loan(&item, &uuid()))
            .await
            .status,
        201
    );
    let second = client
        .post("/loan-storage/loans", &loan(&item, &uuid()))
        .await;
    assert_eq!(second.status, 422);
    let error = &second.json()["errors"][0];
    assert_eq!(
        error["message"],
        "Cannot have more than one open loan for the same item"
    );
    assert_eq!(error["parameters"][0]["key"], "itemId");
    assert_eq!(error["parameters"][0]["value"], json!(item));
    // Upper-case status is still open for the unique index.
    let mut shouting = loan(&item, &uuid());
    shouting["status"] = json!({"name": "OPEN"});
    assert_eq!(
        client.post("/loan-storage/loans", &shouting).await.status,
        422
    );

    // 20 concurrent check-outs of one item: exactly one wins.
    let contested = uuid();
    let attempts = (0..20).map(|_| {
        let client = client.clone();
        let body = loan(&contested, &uuid());
        async move { client.post("/loan-storage/loans", &body).await }
    });
    let replies: Vec<Reply> = futures::future::join_all(attempts).await;
    let won = replies.iter().filter(|r| r.status == 201).count();
    let refused = replies.iter().filter(|r| r.status == 422).count();
    assert_eq!(
        (won, refused),
        (1, 19),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let query = encode(&format!(
        "status.name==\"Open\" and itemId==\"{contested}\""
    ));
    assert_eq!(
        total(
            &client,
            &format!("/loan-storage/loans?query={query}"),
            "loans"
        )
        .await
        .1,
        1
    );
}

#[actix_web::test]
async fn a_put_naming_a_version_fails_once_the_record_changed() {
    let client = setup("ifmatch");
    enable(&client, false).await;
    let created = client
        .post("/loan-storage/loans", &loan(&uuid(), &uuid()))
        .await;
    let id = created.location.clone().unwrap();
    let path = format!("/loan-storage/loans/{id}");
    let read = client.get(&path).await;
    let first = read.etag.clone().expect("an ETag");
    let version = read.json()["metadata"]["updatedDate"].clone();
    assert_eq!(first, format!("\"{}\"", version.as_str().unwrap()));
    let put = |path: &str, body: &Value, tag: &str| {
        let (client, path, body, tag) = (
            client.clone(),
            path.to_string(),
            body.to_string(),
            tag.to_string(),
        );
        async move {
            client
                .send_with(
                    reqwest::Method::PUT,
                    &path,
                    Some(body.into_bytes()),
                    &[("If-Match", &tag)],
                )
                .await
        }
    };
    let mut renewed = read.json();
    renewed["action"] = json!("renewed");
    assert_eq!(put(&path, &renewed, &first).await.status, 204);
    let second = client.get(&path).await.etag.unwrap();
    assert_ne!(second, first);

    // A second write naming the first version: refused, the first write kept.
    let mut closed = read.json();
    closed["status"] = json!({"name": "Closed"});
    closed["action"] = json!("checkedin");
    let refused = put(&path, &closed, &first).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains("optimistic locking"),
        "{}",
        refused.body
    );
    let stored = client.get(&path).await.json();
    assert_eq!(stored["action"], "renewed");
    assert_eq!(stored["status"]["name"], "Open");

    // Naming the current version, it is written; a missing record is not created.
    assert_eq!(put(&path, &closed, &second).await.status, 204);
    assert_eq!(client.get(&path).await.json()["status"]["name"], "Closed");
    let missing = format!("/loan-storage/loans/{}", uuid());
    let reply = put(&missing, &closed, "\"2020-01-01T00:00:00.000+00:00\"").await;
    assert_eq!(reply.status, 404, "{}", reply.body);
    assert_eq!(client.get(&missing).await.status, 404);
}

#[actix_web::test]
async fn loan_history_records_every_change() {
    let client = setup("history");
    enable(&client, false).await;
    let created = client
        .post("/loan-storage/loans", &loan(&uuid(), &uuid()))
        .await;
    let id = created.location.clone().unwrap();
    let mut body = created.json();
    body["action"] = json!("renewed");
    assert_eq!(
        client
            .put(&format!("/loan-storage/loans/{id}"), &body)
            .await
            .status,
        204
    );
    body["action"] = json!("checkedin");
    body["status"] = json!({"name": "Closed"});
    body["returnDate"] = json!("2017-03-07T10:00:00Z");
    assert_eq!(
        client
            .put(&format!("/loan-storage/loans/{id}"), &body)
            .await
            .status,
        204
    );

    let query = encode(&format!("loan.id==\"{id}\""));
    let history = client
        .get(&format!("/loan-storage/loan-history?query={query}"))
        .await
        .json();
    assert_eq!(history["totalRecords"], 3);
    let entries = history["loansHistory"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["loan"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["checkedin", "renewed", "checkedout"],
        "newest first"
    );
    assert_eq!(entries[2]["operation"], "I");
    assert_eq!(entries[0]["operation"], "U");

    // The checkedin closed loan can be anonymised.
    let user = body["userId"].as_str().unwrap().to_string();
    assert_eq!(
        client
            .post(&format!("/loan-storage/loans/anonymize/{user}"), &json!({}))
            .await
            .status,
        204
    );
    let anonymised = client
        .get(&format!("/loan-storage/loans/{id}"))
        .await
        .json();
    assert!(anonymised.get("userId").is_none(), "{anonymised}");
    assert_eq!(
        client
            .post("/loan-storage/loans/anonymize/not-a-uuid", &json!({}))
            .await
            .status,
        422
    );

    // Deleting by CQL needs a query; a row DELETE leaves a `deleted` history entry.
    assert_eq!(client.delete("/loan-storage/loans").await.status, 400);
    let by_id = encode(&format!("id==\"{id}\""));
    assert_eq!(
        client
            .delete(&format!("/loan-storage/loans?query={by_id}"))
            .await
            .status,
        204
    );
    assert_eq!(total(&client, "/loan-storage/loans", "loans").await.1, 0);
    let deleted = client
        .get(&format!("/loan-storage/loan-history?query={query}"))
        .await
        .json();
    assert_eq!(deleted["loansHistory"][0]["loan"]["action"], "deleted");
    let all = encode("cql.allRecords=1");
    assert_eq!(
        client
            .delete(&format!("/loan-storage/loans?query={all}"))
            .await
            .status,
        204
    );
}

#[actix_web::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let client = setup("bad_input");
    enable(&client, false).await;
    let count = || async { total(&client, "/loan-storage/loans", "loans").await.1 };

    let malformed = client
        .post_raw("/loan-storage/loans", "{\"itemId\": ")
        .await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.content_type.unwrap().starts_with("text/plain"));

    let mut bad_id = loan(&uuid(), &uuid());
    bad_id["id"] = json!("12345");
    let reply = client.post("/loan-storage/loans", &bad_id).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(reply.error_messages()[0].starts_with("Invalid UUID format of id"));

    let mut bad_date = loan(&uuid(), &uuid());
    bad_date["loanDate"] = json!("yesterday");
    let reply = client.post("/loan-storage/loans", &bad_date).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        "loan date must be a date time (in RFC3339 format)"
    );

    let mut no_user = loan(&uuid(), &uuid());
    no_user.as_object_mut().unwrap().remove("userId");
    let reply = client.post("/loan-storage/loans", &no_user).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.error_messages(), ["Open loan must have a user ID"]);

    let mut missing = loan(&uuid(), &uuid());
    missing.as_object_mut().unwrap().remove("itemId");
    assert_eq!(
        client.post("/loan-storage/loans", &missing).await.status,
        422
    );

    for query in [
        "status.name==",
        "(itemId==\"x\"",
        "itemId==\"x\" and",
        "sortBy",
        "a=b or or c",
    ] {
        let reply = client
            .get(&format!("/loan-storage/loans?query={}", encode(query)))
            .await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
    }
    assert_eq!(client.get("/loan-storage/loans?limit=-1").await.status, 400);
    assert_eq!(
        client.get("/loan-storage/loans?limit=abc").await.status,
        400
    );
    assert_eq!(
        client.get("/loan-storage/loans/not-a-uuid").await.status,
        404
    );

    for tenant in ["x; drop schema public", "Diku", "1abc", "a\"b", ""] {
        let reply = client.for_tenant(tenant).get("/loan-storage/loans").await;
        assert_eq!(reply.status, 400, "tenant {tenant:?}: {}", reply.body);
        let reply = client
            .for_tenant(tenant)
            .post("/_/tenant", &json!({"module_to": "m-1.0.0"}))
            .await;
        assert_eq!(reply.status, 400, "tenant {tenant:?}: {}", reply.body);
    }
    assert_eq!(count().await, 0, "nothing was written");
}

#[actix_web::test]
async fn request_rules_queue_positions_and_batch_reordering() {
    let client = setup("requests");
    enable(&client, true).await;
    let item = uuid();
    let first = client
        .post("/request-storage/requests", &request(&item, 1))
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let second = client
        .post("/request-storage/requests", &request(&item, 2))
        .await;
    assert_eq!(second.status, 201);

    let clash = client
        .post("/request-storage/requests", &request(&item, 1))
        .await;
    assert_eq!(clash.status, 422);
    let error = &clash.json()["errors"][0];
    assert_eq!(
        error["message"],
        "Cannot have more than one request with the same position in the queue"
    );
    assert_eq!(error["itemId"], item.as_str());
    assert_eq!(error["position"], 1);

    let mut no_holdings = request(&uuid(), 1);
    no_holdings
        .as_object_mut()
        .unwrap()
        .remove("holdingsRecordId");
    let reply = client.post("/request-storage/requests", &no_holdings).await;
    assert_eq!(
        reply.error_messages(),
        ["Holdings record ID in item level request should not be absent"]
    );
    let mut title = request(&uuid(), 1);
    title["requestLevel"] = json!("Title");
    title.as_object_mut().unwrap().remove("holdingsRecordId");
    let reply = client.post("/request-storage/requests", &title).await;
    assert_eq!(
        reply.error_messages(),
        ["Title level request must have both itemId and holdingsRecordId or neither"]
    );
    let mut bad_status = request(&uuid(), 1);
    bad_status["status"] = json!("Sleeping");
    assert_eq!(
        client
            .post("/request-storage/requests", &bad_status)
            .await
            .status,
        400,
        "enum values are checked"
    );

    // Swap the two positions in one batch: positions are cleared first, so no clash.
    let mut a = first.json();
    let mut b = second.json();
    a["position"] = json!(2);
    b["position"] = json!(1);
    let batch = client
        .post(
            "/request-storage-batch/requests",
            &json!({"requests": [a, b]}),
        )
        .await;
    assert_eq!(batch.status, 201, "{}", batch.body);
    assert!(batch.body.is_empty());
    let queue = client
        .get(&format!(
            "/request-storage/requests?query={}",
            encode(&format!(
                "itemId==\"{item}\" sortBy position/sort.ascending"
            ))
        ))
        .await
        .json();
    let ids: Vec<&Value> = queue["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["id"])
        .collect();
    assert_eq!(ids, [&b["id"], &a["id"]]);

    // Cancelling with a reason that does not exist is refused; with a real one it works.
    let mut cancelled = a.clone();
    cancelled["status"] = json!("Closed - Cancelled");
    cancelled.as_object_mut().unwrap().remove("position");
    cancelled["cancellationReasonId"] = json!(uuid());
    let id = cancelled["id"].as_str().unwrap().to_string();
    let reply = client
        .put(&format!("/request-storage/requests/{id}"), &cancelled)
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.json()["errors"][0]["code"],
        "INVALID_CANCELLATION_REASON"
    );
    cancelled["cancellationReasonId"] = json!("75187e8d-e25a-47a7-89ad-23ba612338de");
    assert_eq!(
        client
            .put(&format!("/request-storage/requests/{id}"), &cancelled)
            .await
            .status,
        204
    );
    let by_reason = encode("cancellationReasonId==\"75187e8d-e25a-47a7-89ad-23ba612338de\"");
    assert_eq!(
        total(
            &client,
            &format!("/request-storage/requests?query={by_reason}"),
            "requests"
        )
        .await
        .1,
        1
    );
}

#[actix_web::test]
async fn policy_and_setting_rules() {
    let client = setup("policies");
    enable(&client, true).await;

    // Loan policy consistency (422 with FOLIO's message) and the schedule foreign key.
    let fixed_without_schedule = json!({"name": "f", "loanable": true, "renewable": false, "loansPolicy": {"profileId": "Fixed"}});
    let reply = client
        .post(
            "/loan-policy-storage/loan-policies",
            &fixed_without_schedule,
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(
        reply.error_messages(),
        ["Fixed due date cannot be null if loanable is true and profile is of type fixed"]
    );
    let dangling = json!({"name": "f", "loanable": true, "renewable": false,
                          "loansPolicy": {"profileId": "Fixed", "fixedDueDateScheduleId": uuid()}});
    assert_eq!(
        client
            .post("/loan-policy-storage/loan-policies", &dangling)
            .await
            .status,
        422
    );
    assert_eq!(
        total(
            &client,
            "/loan-policy-storage/loan-policies",
            "loanPolicies"
        )
        .await
        .1,
        2,
        "only the reference policies"
    );

    // Fixed due date schedules: invalid ranges, and FOLIO's 404 text for a malformed id.
    let backwards = json!({"name": "Backwards", "schedules": [
        {"from": "2020-07-01T00:00:00Z", "to": "2020-06-01T00:00:00Z", "due": "2020-07-15T00:00:00Z"}]});
    let reply = client
        .post(
            "/fixed-due-date-schedule-storage/fixed-due-date-schedules",
            &backwards,
        )
        .await;
    assert_eq!(
        reply.error_messages(),
        ["Unable to save fixed loan date. Date range not valid from date after to date"]
    );
    let reply = client
        .get("/fixed-due-date-schedule-storage/fixed-due-date-schedules/nope")
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (404, "Not found, invalid UUID format")
    );

    // Notice policies: duplicate names, and no deleting a policy the rules use.
    let reply = client
        .post(
            "/patron-notice-policy-storage/patron-notice-policies",
            &json!({"name": "Send No Notices"}),
        )
        .await;
    assert_eq!(
        reply.error_messages(),
        ["'Send No Notices' name in not unique"]
    );
    let reply = client
        .delete("/patron-notice-policy-storage/patron-notice-policies/122b3d2b-4788-4f1e-9117-56daa91cb75c")
        .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (400, "Cannot delete in use notice policy")
    );

    // Duplicate unique names elsewhere get RMB's generic message.
    let reply = client
        .post(
            "/cancellation-reason-storage/cancellation-reasons",
            &json!({"name": "other"}),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.error_messages()[0].contains("value already exists in table cancellation_reason"),
        "{}",
        reply.body
    );

    // Circulation settings: POSTing an existing name updates its value.
    let first =
        json!({"id": uuid(), "name": "loan_history", "value": {"closingType": {"loan": "never"}}});
    assert_eq!(
        client
            .post("/circulation-settings-storage/circulation-settings", &first)
            .await
            .status,
        201
    );
    let again = json!({"id": uuid(), "name": "loan_history", "value": {"closingType": {"loan": "immediately"}}});
    let reply = client
        .post("/circulation-settings-storage/circulation-settings", &again)
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json()["id"], again["id"]);
    let settings = client
        .get("/circulation-settings-storage/circulation-settings")
        .await
        .json();
    assert_eq!(settings["totalRecords"], 1);
    assert_eq!(
        settings["circulationSettings"][0]["value"]["closingType"]["loan"],
        "immediately"
    );
}
