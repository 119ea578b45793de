//! circulation-storage end to end, the interfaces beyond the core loans and requests: actual cost
//! records, request preferences, TLR feature toggle jobs, loan anonymisation by id, check-out
//! locks, print events and expired patron action sessions.
use super::support::{enabled, uuid};
use circulation_tests::http::encode;
use serde_json::{json, Value};

fn actual_cost_record(loan_id: &str) -> Value {
    json!({
        "lossType": "Aged to lost",
        "lossDate": "2024-03-01T10:00:00Z",
        "expirationDate": "2024-04-01T10:00:00Z",
        "user": {"id": uuid(), "lastName": "Smith", "firstName": "Jane"},
        "loan": {"id": loan_id},
        "item": {"id": uuid(), "materialTypeId": uuid(), "materialType": "book",
                 "loanTypeId": uuid(), "loanType": "Can circulate", "holdingsRecordId": uuid(),
                 "permanentLocation": "Main Library"},
        "instance": {"id": uuid(), "title": "The Café at the End"},
        "feeFine": {"ownerId": uuid(), "owner": "Main", "typeId": uuid(), "type": "Lost item fee (actual cost)"}
    })
}

#[actix_web::test]
async fn actual_cost_records_crud_query_and_validation() {
    let client = enabled("more_acr").await;
    let path = "/actual-cost-record-storage/actual-cost-records";
    let loan_id = uuid();

    let created = client.post(path, &actual_cost_record(&loan_id)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let record = created.json();
    let id = record["id"].as_str().unwrap().to_string();
    assert_eq!(created.location.as_deref(), Some(id.as_str()));
    assert_eq!(record["status"], "Open", "the schema's default status");
    assert_eq!(record["lossDate"], "2024-03-01T10:00:00.000+00:00");
    assert!(record["metadata"]["createdDate"].is_string());
    let other = client.post(path, &actual_cost_record(&uuid())).await;
    assert_eq!(other.status, 201, "{}", other.body);

    // mod-circulation's lookup of the open record of a loan.
    let query = encode(&format!(
        "loan.id==\"{loan_id}\" and status==\"Open\" sortBy lossDate/sort.descending"
    ));
    let found = client.get(&format!("{path}?query={query}&limit=1")).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()["totalRecords"], 1);
    assert_eq!(found.json()["actualCostRecords"][0]["id"], id.as_str());
    // Full-text on the title, accents folded.
    let title = client
        .get(&format!(
            "{path}?query={}",
            encode("instance.title=\"cafe\"")
        ))
        .await;
    assert_eq!(title.json()["totalRecords"], 2, "{}", title.body);
    assert_eq!(client.get(path).await.json()["totalRecords"], 2);

    let mut billed = record.clone();
    billed["status"] = json!("Billed");
    assert_eq!(
        client.put(&format!("{path}/{id}"), &billed).await.status,
        204
    );
    assert_eq!(
        client.get(&format!("{path}/{id}")).await.json()["status"],
        "Billed"
    );
    // PUT of a missing record is 404 (no upsert here).
    assert_eq!(
        client
            .put(&format!("{path}/{}", uuid()), &actual_cost_record(&loan_id))
            .await
            .status,
        404
    );

    // Required properties, unknown properties, enum values.
    let mut no_loan = actual_cost_record(&loan_id);
    no_loan.as_object_mut().unwrap().remove("loan");
    let reply = client.post(path, &no_loan).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.error_messages(), ["must not be null"]);
    assert_eq!(reply.json()["errors"][0]["parameters"][0]["key"], "loan");
    let mut unknown = actual_cost_record(&loan_id);
    unknown["colour"] = json!("red");
    let reply = client.post(path, &unknown).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.error_messages(), ["Unrecognized field \"colour\""]);
    let mut bad_status = actual_cost_record(&loan_id);
    bad_status["status"] = json!("Lost");
    assert_eq!(client.post(path, &bad_status).await.status, 400);
    let mut bad_id = actual_cost_record(&loan_id);
    bad_id["id"] = json!("not-a-uuid");
    assert_eq!(client.post(path, &bad_id).await.status, 422);

    assert_eq!(client.delete(&format!("{path}/{id}")).await.status, 204);
    assert_eq!(client.get(&format!("{path}/{id}")).await.status, 404);
    assert_eq!(client.delete(&format!("{path}/{id}")).await.status, 404);
    // No DELETE of the whole collection in this interface.
    assert_eq!(client.delete(path).await.status, 405);
}

#[actix_web::test]
async fn request_preferences_are_one_per_user() {
    let client = enabled("more_prefs").await;
    let path = "/request-preference-storage/request-preference";
    let user = uuid();
    let preference = json!({"userId": user, "holdShelf": true, "delivery": false,
                            "fulfillment": "Hold Shelf", "defaultServicePointId": uuid()});

    let created = client.post(path, &preference).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();

    let again = client.post(path, &preference).await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert_eq!(
        again.error_messages(),
        ["Request preference for specified user already exists"]
    );
    // Also on PUT of another user's preference.
    let other = client
        .post(
            path,
            &json!({"userId": uuid(), "holdShelf": true, "delivery": true}),
        )
        .await;
    assert_eq!(other.status, 201);
    let other_id = other.json()["id"].as_str().unwrap().to_string();
    let clash = client
        .put(
            &format!("{path}/{other_id}"),
            &json!({"userId": user, "holdShelf": true, "delivery": true}),
        )
        .await;
    assert_eq!(clash.status, 422, "{}", clash.body);
    assert_eq!(
        clash.error_messages(),
        ["Request preference for specified user already exists"]
    );

    let by_user = client
        .get(&format!(
            "{path}?query={}",
            encode(&format!("userId=={user}"))
        ))
        .await;
    assert_eq!(by_user.status, 200);
    assert_eq!(by_user.json()["totalRecords"], 1);
    assert_eq!(by_user.json()["requestPreferences"][0]["id"], id.as_str());

    let mut changed = preference.clone();
    changed["delivery"] = json!(true);
    changed["fulfillment"] = json!("Delivery");
    assert_eq!(
        client.put(&format!("{path}/{id}"), &changed).await.status,
        204
    );
    assert_eq!(
        client.get(&format!("{path}/{id}")).await.json()["fulfillment"],
        "Delivery"
    );

    let missing = client
        .post(path, &json!({"userId": uuid(), "holdShelf": true}))
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.json()["errors"][0]["parameters"][0]["key"],
        "delivery"
    );
    let mut bad_fulfillment = preference.clone();
    bad_fulfillment["userId"] = json!(uuid());
    bad_fulfillment["fulfillment"] = json!("Mail");
    assert_eq!(client.post(path, &bad_fulfillment).await.status, 400);

    assert_eq!(client.delete(&format!("{path}/{id}")).await.status, 204);
    assert_eq!(client.get(&format!("{path}/{id}")).await.status, 404);
    // The user may have a preference again.
    assert_eq!(client.post(path, &preference).await.status, 201);
}

#[actix_web::test]
async fn tlr_feature_toggle_jobs_crud() {
    let client = enabled("more_tlr").await;
    let path = "/tlr-feature-toggle-job-storage/tlr-feature-toggle-jobs";
    let created = client.post(path, &json!({"status": "open"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let query = encode("status==\"open\"");
    let open = client.get(&format!("{path}?query={query}")).await;
    assert_eq!(open.json()["tlrFeatureToggleJobs"][0]["id"], id.as_str());
    assert_eq!(
        client
            .put(
                &format!("{path}/{id}"),
                &json!({"status": "done", "numberOfUpdatedRequests": 3, "errors": []})
            )
            .await
            .status,
        204
    );
    let job = client.get(&format!("{path}/{id}")).await.json();
    assert_eq!(job["status"], "done");
    assert_eq!(job["numberOfUpdatedRequests"], 3);
    assert_eq!(
        client.post(path, &json!({"status": "paused"})).await.status,
        400
    );
    let unknown = client.post(path, &json!({"progress": 1})).await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        unknown.error_messages(),
        ["Unrecognized field \"progress\""]
    );
    assert_eq!(client.delete(&format!("{path}/{id}")).await.status, 204);
    assert_eq!(client.get(&format!("{path}/{id}")).await.status, 404);
}

#[actix_web::test]
async fn anonymize_storage_loans_removes_the_user_of_closed_loans_only() {
    let client = enabled("more_anon").await;
    let user = uuid();
    let mut loan_ids = Vec::new();
    for status in ["Closed", "Open"] {
        let reply = client
            .post(
                "/loan-storage/loans",
                &json!({"itemId": uuid(), "userId": user, "loanDate": "2024-01-01T10:00:00Z",
                        "action": "checkedout", "status": {"name": status}}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        loan_ids.push(reply.json()["id"].as_str().unwrap().to_string());
    }
    let (closed, open) = (&loan_ids[0], &loan_ids[1]);

    let reply = client
        .post(
            "/anonymize-storage-loans",
            &json!({"loanIds": [closed, open, "not-a-uuid"]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"anonymizedLoans": [closed, open],
               "notAnonymizedLoans": [{"reason": "invalidLoanIds", "loanIds": ["not-a-uuid"]}]})
    );
    let closed_loan = client
        .get(&format!("/loan-storage/loans/{closed}"))
        .await
        .json();
    assert!(closed_loan.get("userId").is_none(), "{closed_loan}");
    let open_loan = client
        .get(&format!("/loan-storage/loans/{open}"))
        .await
        .json();
    assert_eq!(open_loan["userId"], user.as_str());
    // The closed loan's history forgets the user too.
    let query = encode(&format!("loan.id==\"{closed}\""));
    let history = client
        .get(&format!("/loan-storage/loan-history?query={query}"))
        .await
        .json();
    let entries = history["loansHistory"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|e| e["loan"].get("userId").is_none()),
        "{history}"
    );

    // All valid: nothing under notAnonymizedLoans.
    let reply = client
        .post("/anonymize-storage-loans", &json!({"loanIds": [open]}))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["notAnonymizedLoans"], json!([]));

    // No valid id at all → 422.
    for body in [
        json!({"loanIds": ["x", "y"]}),
        json!({"loanIds": []}),
        json!({}),
    ] {
        let reply = client.post("/anonymize-storage-loans", &body).await;
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.error_messages(), ["Please provide valid loanIds"]);
        assert_eq!(reply.json()["errors"][0]["parameters"][0]["key"], "loanIds");
    }
    let reply = client
        .post(
            "/anonymize-storage-loans",
            &json!({"loanIds": [open], "all": true}),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.error_messages(), ["Unrecognized field \"all\""]);
    assert_eq!(
        client
            .post_raw("/anonymize-storage-loans", "{not json")
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn checkout_locks_are_exclusive_per_user_until_released_or_expired() {
    let client = enabled("more_lock").await;
    let user = uuid();
    let acquired = client
        .post(
            "/check-out-lock-storage",
            &json!({"userId": user, "ttlMs": 60000}),
        )
        .await;
    assert_eq!(acquired.status, 201, "{}", acquired.body);
    let lock = acquired.json();
    let lock_id = lock["id"].as_str().unwrap().to_string();
    assert_eq!(lock["userId"], user.as_str());
    assert!(lock["creationDate"].as_str().unwrap().ends_with("+00:00"));

    // Held: a second lock for the same user is refused.
    let refused = client
        .post(
            "/check-out-lock-storage",
            &json!({"userId": user, "ttlMs": 60000}),
        )
        .await;
    assert_eq!(refused.status, 503);
    assert_eq!(refused.body, "Unable to acquire lock");
    // Another user is not affected.
    let other = client
        .post(
            "/check-out-lock-storage",
            &json!({"userId": uuid(), "ttlMs": 60000}),
        )
        .await;
    assert_eq!(other.status, 201);

    let got = client
        .get(&format!("/check-out-lock-storage/{lock_id}"))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), lock);
    let listed = client
        .get(&format!(
            "/check-out-lock-storage?userId={user}&offset=0&limit=10"
        ))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(
        listed.json(),
        json!({"checkoutLocks": [lock], "totalRecords": 1})
    );
    let none = client
        .get(&format!("/check-out-lock-storage?userId={}", uuid()))
        .await;
    assert_eq!(none.json(), json!({"checkoutLocks": [], "totalRecords": 0}));
    let no_user = client.get("/check-out-lock-storage").await;
    assert_eq!(no_user.status, 422);
    assert_eq!(no_user.body, "Invalid Parameters");

    // An expired lock (older than ttlMs) is replaced.
    tokio_sleep(20).await;
    let replaced = client
        .post(
            "/check-out-lock-storage",
            &json!({"userId": user, "ttlMs": 1}),
        )
        .await;
    assert_eq!(replaced.status, 201, "{}", replaced.body);
    let new_id = replaced.json()["id"].as_str().unwrap().to_string();
    assert_ne!(new_id, lock_id);
    assert_eq!(
        client
            .get(&format!("/check-out-lock-storage/{lock_id}"))
            .await
            .status,
        404
    );

    // Released: the user can lock again.
    assert_eq!(
        client
            .delete(&format!("/check-out-lock-storage/{new_id}"))
            .await
            .status,
        204
    );
    assert_eq!(
        client
            .post(
                "/check-out-lock-storage",
                &json!({"userId": user, "ttlMs": 60000})
            )
            .await
            .status,
        201
    );

    for bad in ["not-a-uuid", "123"] {
        let reply = client.get(&format!("/check-out-lock-storage/{bad}")).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (400, "Invalid lock id")
        );
        let reply = client
            .delete(&format!("/check-out-lock-storage/{bad}"))
            .await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (400, "Invalid lock id")
        );
    }
    let bad_user = client
        .post(
            "/check-out-lock-storage",
            &json!({"userId": "nobody", "ttlMs": 1000}),
        )
        .await;
    assert_eq!(bad_user.status, 422, "{}", bad_user.body);
    assert_eq!(
        bad_user.json()["errors"][0]["parameters"][0]["key"],
        "userId"
    );
}

/// Concurrent check-outs of one patron: exactly one gets the lock.
#[actix_web::test]
async fn concurrent_lock_requests_for_one_user_admit_one() {
    let client = enabled("more_lock_race").await;
    let user = uuid();
    let body = json!({"userId": user, "ttlMs": 60000});
    let replies =
        futures::future::join_all((0..6).map(|_| client.post("/check-out-lock-storage", &body)))
            .await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 503, 503, 503, 503, 503], "{replies:?}");
}

async fn tokio_sleep(ms: u64) {
    actix_web::rt::time::sleep(std::time::Duration::from_millis(ms)).await;
}

#[actix_web::test]
async fn print_events_are_logged_and_summarised_per_request() {
    let client = enabled("more_print").await;
    let (first, second, never) = (uuid(), uuid(), uuid());
    let (alice, bob) = (uuid(), uuid());
    let entry = |ids: Vec<&String>, requester: &str, name: &str, date: &str| json!({"requestIds": ids, "requesterId": requester, "requesterName": name, "printEventDate": date});
    for body in [
        entry(
            vec![&first, &second],
            &alice,
            "Alice",
            "2024-05-01T10:00:00Z",
        ),
        entry(vec![&first], &bob, "Bob", "2024-05-02T10:00:00.000+02:00"),
    ] {
        let reply = client
            .post("/print-events-storage/print-events-entry", &body)
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert!(reply.body.is_empty());
    }

    let reply = client
        .post(
            "/print-events-storage/print-events-status",
            &json!({"requestIds": [first, second, never]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["totalRecords"], 2);
    let mut responses = body["printEventsStatusResponses"]
        .as_array()
        .unwrap()
        .clone();
    responses.sort_by_key(|r| (r["requestId"] != first.as_str()) as u8);
    assert_eq!(
        responses,
        vec![
            json!({"requestId": first, "requesterId": bob, "requesterName": "Bob", "count": 2,
                   "printEventDate": "2024-05-02T08:00:00.000+00:00"}),
            json!({"requestId": second, "requesterId": alice, "requesterName": "Alice", "count": 1,
                   "printEventDate": "2024-05-01T10:00:00.000+00:00"}),
        ]
    );

    // Validation: at least one request id, all UUIDs; requester and date required.
    let status = "/print-events-storage/print-events-status";
    for body in [json!({"requestIds": []}), json!({})] {
        let reply = client.post(status, &body).await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(
            reply.json()["errors"][0]["parameters"][0]["key"],
            "requestIds"
        );
    }
    assert_eq!(
        client
            .post(status, &json!({"requestIds": ["nope"]}))
            .await
            .status,
        422
    );
    let entry_path = "/print-events-storage/print-events-entry";
    let good = entry(vec![&first], &alice, "Alice", "2024-05-03T10:00:00Z");
    for (field, value, key) in [
        ("requestIds", json!([]), "requestIds"),
        ("requesterName", json!(" "), "requesterName"),
        ("requesterName", Value::Null, "requesterName"),
        ("requesterId", json!("x"), "requesterId"),
        ("printEventDate", Value::Null, "printEventDate"),
    ] {
        let mut body = good.clone();
        body[field] = value;
        let reply = client.post(entry_path, &body).await;
        assert_eq!(reply.status, 422, "{field}: {}", reply.body);
        assert_eq!(reply.json()["errors"][0]["parameters"][0]["key"], key);
    }
    let mut bad_date = good.clone();
    bad_date["printEventDate"] = json!("yesterday");
    assert_eq!(client.post(entry_path, &bad_date).await.status, 400);
}

#[actix_web::test]
async fn expired_sessions_are_grouped_by_patron_and_action() {
    let client = enabled("more_sessions").await;
    let path = "/patron-action-session-storage/patron-action-sessions";
    let session = |patron: &str, action: &str| json!({"patronId": patron, "loanId": uuid(), "actionType": action});
    let (ann, ben) = (uuid(), uuid());
    for (patron, action) in [(&ann, "Check-out"), (&ben, "Check-out"), (&ann, "Check-in")] {
        assert_eq!(
            client.post(path, &session(patron, action)).await.status,
            201
        );
        tokio_sleep(10).await;
    }
    let expired = |limit: String, action: Option<&str>, n: u32| {
        let mut query = format!(
            "/patron-action-session-storage/expired-session-patron-ids?session_inactivity_time_limit={}&limit={n}",
            encode(&limit)
        );
        if let Some(a) = action {
            query.push_str(&format!("&action_type={a}"));
        }
        query
    };
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let all = client.get(&expired(future.clone(), None, 10)).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(
        all.json(),
        json!({"expiredSessions": [
            {"patronId": ann, "actionType": "Check-out"},
            {"patronId": ben, "actionType": "Check-out"},
            {"patronId": ann, "actionType": "Check-in"},
        ]})
    );
    let check_ins = client
        .get(&expired(future.clone(), Some("Check-in"), 10))
        .await;
    assert_eq!(
        check_ins.json(),
        json!({"expiredSessions": [{"patronId": ann, "actionType": "Check-in"}]})
    );
    let limited = client.get(&expired(future.clone(), None, 1)).await;
    assert_eq!(
        limited.json()["expiredSessions"].as_array().unwrap().len(),
        1
    );

    // Ann checks out again: her newest check-out session is after the limit now.
    let mid = chrono::Utc::now().to_rfc3339();
    tokio_sleep(10).await;
    assert_eq!(
        client.post(path, &session(&ann, "Check-out")).await.status,
        201
    );
    let before_mid = client.get(&expired(mid, Some("Check-out"), 10)).await;
    assert_eq!(
        before_mid.json(),
        json!({"expiredSessions": [{"patronId": ben, "actionType": "Check-out"}]})
    );
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    assert_eq!(
        client.get(&expired(past, None, 10)).await.json(),
        json!({"expiredSessions": []})
    );

    let bad_date = client.get(&expired("soon".into(), None, 10)).await;
    assert_eq!(bad_date.status, 422, "{}", bad_date.body);
    assert_eq!(
        bad_date.json()["errors"][0]["parameters"][0]["key"],
        "session_inactivity_time_limit"
    );
    let bad_action = client.get(&expired(future, Some("Renew"), 10)).await;
    assert_eq!(bad_action.status, 422, "{}", bad_action.body);
    assert_eq!(
        bad_action.json()["errors"][0]["parameters"][0]["key"],
        "action_type"
    );
}

/// Okapi's rule: same major version, provided minor at least the required one.
fn satisfies(provided: &str, required: &str) -> bool {
    let parse = |v: &str| -> (u32, u32) {
        let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap());
        (parts.next().unwrap(), parts.next().unwrap_or(0))
    };
    let (p, r) = (parse(provided), parse(required));
    p.0 == r.0 && p.1 >= r.1
}

/// What FOLIO's mod-circulation `requires` from mod-circulation-storage (v24.5.1); a real
/// mod-circulation can be enabled against this module only if every one is provided.
#[test]
fn provides_every_interface_mod_circulation_requires() {
    use circulation_tests::stack::{descriptor, STORAGE_DESCRIPTOR};
    let storage = descriptor(STORAGE_DESCRIPTOR);
    let provided: Vec<(String, String)> = storage["provides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let required = [
        ("loan-storage", "7.3"),
        ("request-storage", "6.2"),
        ("request-storage-batch", "2.0"),
        ("loan-policy-storage", "1.2 2.0"),
        ("circulation-rules-storage", "1.0"),
        ("fixed-due-date-schedules-storage", "2.0"),
        ("patron-notice-policy-storage", "0.11"),
        ("cancellation-reason-storage", "1.1"),
        ("scheduled-notice-storage", "0.6"),
        ("patron-action-session-storage", "0.3"),
        ("check-in-storage", "0.2"),
        ("actual-cost-record-storage", "0.6"),
        ("circulation-settings-storage", "1.0"),
        ("print-events-storage", "1.0"),
        ("anonymize-storage-loans", "0.1"),
        ("checkout-lock-storage", "0.1"),
        ("request-policy-storage", "1.0"),
    ];
    for (id, versions) in required {
        let ok = provided.iter().any(|(pid, pv)| {
            pid == id && versions.split(' ').any(|required| satisfies(pv, required))
        });
        assert!(ok, "{id} {versions} is not provided: {provided:?}");
    }
    // And the ones other modules use.
    for id in [
        "request-preference-storage",
        "tlr-feature-toggle-job-storage",
        "staff-slips-storage",
    ] {
        assert!(provided.iter().any(|(pid, _)| pid == id), "{id}");
    }
}
