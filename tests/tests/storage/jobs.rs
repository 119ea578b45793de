//! circulation-storage's scheduled and bulk jobs end to end (real HTTP, real PostgreSQL): request
//! expiration, the print-event side effects on requests, and the TLR feature toggle job.
use super::support::{enabled, uuid};
use circulation_tests::http::{FolioClient, Reply};
use serde_json::{json, Value};

const REQUESTS: &str = "/request-storage/requests";
const EXPIRE: &str = "/scheduled-request-expiration";
const PAST: &str = "2017-07-30T10:22:54.000Z";
const FUTURE: &str = "2099-07-30T10:22:54.000Z";

/// An item-level hold in `item_id`'s queue.
fn item_request(item_id: &str, status: &str, position: Option<i64>) -> Value {
    let mut request = json!({
        "id": uuid(),
        "requestType": "Hold", "requestLevel": "Item", "requestDate": "2017-07-29T22:25:37Z",
        "requesterId": uuid(), "itemId": item_id, "holdingsRecordId": uuid(), "instanceId": uuid(),
        "fulfillmentPreference": "Hold Shelf", "status": status,
    });
    if let Some(position) = position {
        request["position"] = json!(position);
    }
    request
}

/// A title-level page in `instance_id`'s queue.
fn title_request(instance_id: &str, status: &str, position: Option<i64>) -> Value {
    let mut request = json!({
        "id": uuid(),
        "requestType": "Page", "requestLevel": "Title", "requestDate": "2017-07-29T22:25:37Z",
        "requesterId": uuid(), "instanceId": instance_id,
        "fulfillmentPreference": "Hold Shelf", "status": status,
    });
    if let Some(position) = position {
        request["position"] = json!(position);
    }
    request
}

fn with(mut request: Value, key: &str, value: &str) -> Value {
    request[key] = json!(value);
    request
}

async fn create(client: &FolioClient, request: &Value) -> Value {
    let reply = client.post(REQUESTS, request).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

async fn fetch(client: &FolioClient, request: &Value) -> Value {
    let reply = client
        .get(&format!("{REQUESTS}/{}", request["id"].as_str().unwrap()))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

async fn post_empty(client: &FolioClient, path: &str) -> Reply {
    client.send(reqwest::Method::POST, path, None).await
}

async fn expire(client: &FolioClient) {
    let reply = post_empty(client, EXPIRE).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
}

async fn set_tlr(client: &FolioClient, enabled: bool) {
    let setting = json!({"id": uuid(), "name": "generalTlr",
                         "value": {"titleLevelRequestsFeatureEnabled": enabled}});
    let reply = client
        .post(
            "/circulation-settings-storage/circulation-settings",
            &setting,
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

/// (status, position) of each request, as stored now.
async fn states(client: &FolioClient, requests: &[&Value]) -> Vec<(String, Value)> {
    let mut all = Vec::new();
    for request in requests {
        let stored = fetch(client, request).await;
        all.push((
            stored["status"].as_str().unwrap().to_string(),
            stored.get("position").cloned().unwrap_or(Value::Null),
        ));
    }
    all
}

fn state(status: &str, position: Option<i64>) -> (String, Value) {
    (
        status.to_string(),
        position.map_or(Value::Null, |p| json!(p)),
    )
}

#[actix_web::test]
async fn expiration_closes_expired_requests_and_closes_the_gaps_in_item_queues() {
    let client = enabled("jobs_expire_items").await;
    let item = uuid();
    let other_item = uuid();
    let first = create(&client, &item_request(&item, "Open - In transit", Some(1))).await;
    let unfilled = create(
        &client,
        &with(
            item_request(&item, "Open - Not yet filled", Some(2)),
            "requestExpirationDate",
            PAST,
        ),
    )
    .await;
    let delivery = create(
        &client,
        &with(
            item_request(&item, "Open - Awaiting delivery", Some(3)),
            "requestExpirationDate",
            PAST,
        ),
    )
    .await;
    let waiting = create(
        &client,
        &with(
            item_request(&item, "Open - Not yet filled", Some(4)),
            "requestExpirationDate",
            FUTURE,
        ),
    )
    .await;
    let pickup = create(
        &client,
        &with(
            item_request(&item, "Open - Awaiting pickup", Some(5)),
            "holdShelfExpirationDate",
            PAST,
        ),
    )
    .await;
    // The wrong date for its status: neither expires.
    let unfilled_shelf_date = create(
        &client,
        &with(
            item_request(&item, "Open - Not yet filled", Some(10)),
            "holdShelfExpirationDate",
            PAST,
        ),
    )
    .await;
    let pickup_request_date = create(
        &client,
        &with(
            item_request(&other_item, "Open - Awaiting pickup", Some(1)),
            "requestExpirationDate",
            PAST,
        ),
    )
    .await;
    let transit = create(
        &client,
        &with(
            item_request(&other_item, "Open - In transit", Some(2)),
            "requestExpirationDate",
            PAST,
        ),
    )
    .await;
    let already_closed = create(
        &client,
        &with(
            item_request(&other_item, "Closed - Filled", None),
            "requestExpirationDate",
            PAST,
        ),
    )
    .await;

    expire(&client).await;

    assert_eq!(
        states(
            &client,
            &[
                &first,
                &unfilled,
                &delivery,
                &waiting,
                &pickup,
                &unfilled_shelf_date
            ]
        )
        .await,
        vec![
            state("Open - In transit", Some(1)),
            state("Closed - Unfilled", None),
            state("Closed - Unfilled", None),
            state("Open - Not yet filled", Some(2)),
            state("Closed - Pickup expired", None),
            state("Open - Not yet filled", Some(3)),
        ]
    );
    assert_eq!(
        states(&client, &[&pickup_request_date, &transit, &already_closed]).await,
        vec![
            state("Open - Awaiting pickup", Some(1)),
            state("Closed - Unfilled", None),
            state("Closed - Filled", None),
        ]
    );

    // A closed request has a new updatedDate; the trigger notes when a pickup expired.
    let closed = fetch(&client, &unfilled).await;
    let before = unfilled["metadata"]["updatedDate"].as_str().unwrap();
    let after = closed["metadata"]["updatedDate"].as_str().unwrap();
    assert!(after > before, "{before} → {after}");
    assert_eq!(
        closed["metadata"]["createdDate"],
        unfilled["metadata"]["createdDate"]
    );
    assert!(fetch(&client, &pickup).await["awaitingPickupRequestClosedDate"].is_string());
    // Untouched requests keep their metadata.
    assert_eq!(
        fetch(&client, &first).await["metadata"],
        first["metadata"],
        "the first request did not move"
    );

    // Nothing left to do: a second run changes nothing.
    expire(&client).await;
    assert_eq!(
        states(&client, &[&first, &waiting, &unfilled_shelf_date]).await,
        vec![
            state("Open - In transit", Some(1)),
            state("Open - Not yet filled", Some(2)),
            state("Open - Not yet filled", Some(3)),
        ]
    );
}

#[actix_web::test]
async fn expiration_renumbers_title_queues_when_tlr_is_enabled() {
    let client = enabled("jobs_expire_titles").await;
    set_tlr(&client, true).await;
    let instance = uuid();
    let first = create(
        &client,
        &with(
            title_request(&instance, "Open - Awaiting pickup", Some(1)),
            "holdShelfExpirationDate",
            FUTURE,
        ),
    )
    .await;
    let expired = create(
        &client,
        &with(
            title_request(&instance, "Open - Awaiting pickup", Some(2)),
            "holdShelfExpirationDate",
            "2022-01-30T10:22:54.000Z",
        ),
    )
    .await;
    let unplaced = create(
        &client,
        &title_request(&instance, "Open - Awaiting pickup", None),
    )
    .await;
    // An item-level request of the same instance is in the same (title) queue.
    let item_level = create(
        &client,
        &with(
            item_request(&uuid(), "Open - Not yet filled", Some(3)),
            "instanceId",
            &instance,
        ),
    )
    .await;

    expire(&client).await;

    assert_eq!(
        states(&client, &[&first, &expired, &item_level, &unplaced]).await,
        vec![
            state("Open - Awaiting pickup", Some(1)),
            state("Closed - Pickup expired", None),
            state("Open - Not yet filled", Some(2)),
            state("Open - Awaiting pickup", Some(3)),
        ]
    );
}

#[actix_web::test]
async fn expiration_renumbers_item_queues_when_tlr_is_disabled() {
    let client = enabled("jobs_expire_tlr_off").await;
    set_tlr(&client, false).await;
    let instance = uuid();
    let item = uuid();
    let expired = create(
        &client,
        &with(
            with(
                item_request(&item, "Open - Not yet filled", Some(1)),
                "instanceId",
                &instance,
            ),
            "requestExpirationDate",
            PAST,
        ),
    )
    .await;
    let same_item = create(
        &client,
        &with(
            item_request(&item, "Open - Not yet filled", Some(2)),
            "instanceId",
            &instance,
        ),
    )
    .await;
    // Same instance, another item: another queue, left as it is.
    let other_item = create(
        &client,
        &with(
            item_request(&uuid(), "Open - Not yet filled", Some(2)),
            "instanceId",
            &instance,
        ),
    )
    .await;

    expire(&client).await;

    assert_eq!(
        states(&client, &[&expired, &same_item, &other_item]).await,
        vec![
            state("Closed - Unfilled", None),
            state("Open - Not yet filled", Some(1)),
            state("Open - Not yet filled", Some(2)),
        ]
    );
}

#[actix_web::test]
async fn expiration_closes_at_most_150_requests_per_call() {
    let client = enabled("jobs_expire_batch").await;
    let mut created = Vec::new();
    for _ in 0..151 {
        let request = with(
            item_request(&uuid(), "Open - Not yet filled", Some(1)),
            "requestExpirationDate",
            PAST,
        );
        created.push(create(&client, &request).await);
    }
    let open_count = |client: FolioClient| async move {
        let query = circulation_tests::http::encode("status==\"Open - Not yet filled\"");
        let reply = client
            .get(&format!("{REQUESTS}?query={query}&limit=0"))
            .await;
        reply.json()["totalRecords"].as_i64().unwrap()
    };
    assert_eq!(open_count(client.clone()).await, 151);
    expire(&client).await;
    assert_eq!(open_count(client.clone()).await, 1);
    expire(&client).await;
    assert_eq!(open_count(client.clone()).await, 0);
}

#[actix_web::test]
async fn expiration_only_touches_the_calling_tenant() {
    let first = enabled("jobs_expire_tenant_a").await;
    let second = enabled("jobs_expire_tenant_b").await;
    let request = with(
        item_request(&uuid(), "Open - Awaiting pickup", Some(1)),
        "holdShelfExpirationDate",
        PAST,
    );
    create(&first, &request).await;
    create(&second, &request).await;
    expire(&second).await;
    assert_eq!(
        states(&first, &[&request]).await,
        vec![state("Open - Awaiting pickup", Some(1))]
    );
    assert_eq!(
        states(&second, &[&request]).await,
        vec![state("Closed - Pickup expired", None)]
    );
}

#[actix_web::test]
async fn print_events_update_the_print_details_of_their_requests() {
    let client = enabled("jobs_print_details").await;
    let first = create(
        &client,
        &item_request(&uuid(), "Open - Not yet filled", Some(1)),
    )
    .await;
    let second = create(
        &client,
        &item_request(&uuid(), "Open - Not yet filled", Some(1)),
    )
    .await;
    let unprinted = create(
        &client,
        &item_request(&uuid(), "Open - Not yet filled", Some(1)),
    )
    .await;
    let id = |r: &Value| r["id"].as_str().unwrap().to_string();
    let (alice, bob) = (uuid(), uuid());
    let print = |ids: Vec<String>, requester: String, date: &'static str| {
        let client = client.clone();
        async move {
            let entry = json!({"requestIds": ids, "requesterId": requester,
                               "requesterName": "Printer", "printEventDate": date});
            let reply = client
                .post("/print-events-storage/print-events-entry", &entry)
                .await;
            assert_eq!(reply.status, 201, "{}", reply.body);
        }
    };
    print(
        vec![id(&first), id(&second)],
        alice.clone(),
        "2024-06-25T11:54:07.000Z",
    )
    .await;
    print(
        vec![id(&first)],
        bob.clone(),
        "2024-06-26T08:00:00.000+02:00",
    )
    .await;

    let details = fetch(&client, &first).await["printDetails"].clone();
    assert_eq!(
        details,
        json!({"printCount": 2, "requesterId": bob, "isPrinted": true,
               "printEventDate": "2024-06-26T06:00:00.000+00:00"})
    );
    let details = fetch(&client, &second).await["printDetails"].clone();
    assert_eq!(
        details,
        json!({"printCount": 1, "requesterId": alice, "isPrinted": true,
               "printEventDate": "2024-06-25T11:54:07.000+00:00"})
    );
    assert!(fetch(&client, &unprinted)
        .await
        .get("printDetails")
        .is_none());
    // A print event for a request that does not exist is still logged.
    print(vec![uuid()], alice, "2024-06-25T11:54:07.000Z").await;
}

const JOBS: &str = "/tlr-feature-toggle-job-storage/tlr-feature-toggle-jobs";
const START: &str = "/tlr-feature-toggle-job/start";

async fn create_job(client: &FolioClient, status: &str) -> String {
    let reply = client.post(JOBS, &json!({"status": status})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_string()
}

async fn job(client: &FolioClient, id: &str) -> Value {
    let reply = client.get(&format!("{JOBS}/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

/// Starts the job processing (202 at once) and waits until the job leaves open/in-progress.
async fn start_and_wait(client: &FolioClient, id: &str) -> Value {
    let reply = post_empty(client, START).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    for _ in 0..100 {
        let current = job(client, id).await;
        if current["status"] == "done" || current["status"] == "failed" {
            return current;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("job {id} did not finish: {}", job(client, id).await);
}

#[actix_web::test]
async fn tlr_job_renumbers_instance_queues_when_tlr_is_turned_on() {
    let client = enabled("jobs_tlr_on").await;
    set_tlr(&client, true).await;
    let (first, second) = (uuid(), uuid());
    let on = |instance: &str, status: &str, position: i64| {
        with(
            item_request(&uuid(), status, Some(position)),
            "instanceId",
            instance,
        )
    };
    let mut queue = Vec::new();
    for request in [
        on(&first, "Open - Not yet filled", 1),
        on(&first, "Open - Awaiting pickup", 2),
        on(&first, "Open - In transit", 3),
        on(&first, "Open - Awaiting delivery", 1),
        on(&first, "Open - Awaiting pickup", 2),
        on(&second, "Open - In transit", 1),
        on(&second, "Open - Awaiting delivery", 2),
    ] {
        queue.push(create(&client, &request).await);
    }
    let closed = create(
        &client,
        &with(
            item_request(&uuid(), "Closed - Filled", None),
            "instanceId",
            &first,
        ),
    )
    .await;
    let id = create_job(&client, "open").await;

    let finished = start_and_wait(&client, &id).await;
    assert_eq!(finished["status"], "done", "{finished}");
    assert_eq!(finished["numberOfUpdatedRequests"], 7);

    let positions: Vec<Value> = {
        let mut all = Vec::new();
        for request in queue.iter().chain([&closed]) {
            all.push(
                fetch(&client, request)
                    .await
                    .get("position")
                    .cloned()
                    .unwrap_or(Value::Null),
            );
        }
        all
    };
    // Equal old positions keep the order the requests were stored in.
    assert_eq!(
        positions,
        vec![
            json!(1),
            json!(3),
            json!(5),
            json!(2),
            json!(4),
            json!(1),
            json!(2),
            Value::Null
        ]
    );
}

#[actix_web::test]
async fn tlr_job_renumbers_item_queues_when_tlr_is_turned_off() {
    let client = enabled("jobs_tlr_off").await;
    set_tlr(&client, false).await;
    let (first_item, second_item) = (uuid(), uuid());
    let instance = uuid();
    // Numbered per instance while TLR was on.
    let mut queue = Vec::new();
    for (item, position) in [
        (&first_item, 1),
        (&second_item, 2),
        (&first_item, 3),
        (&second_item, 4),
    ] {
        let request = with(
            item_request(item, "Open - Not yet filled", Some(position)),
            "instanceId",
            &instance,
        );
        queue.push(create(&client, &request).await);
    }
    let id = create_job(&client, "open").await;
    let finished = start_and_wait(&client, &id).await;
    assert_eq!(finished["status"], "done", "{finished}");
    assert_eq!(finished["numberOfUpdatedRequests"], 4);
    let refs: Vec<&Value> = queue.iter().collect();
    assert_eq!(
        states(&client, &refs).await,
        vec![
            state("Open - Not yet filled", Some(1)),
            state("Open - Not yet filled", Some(1)),
            state("Open - Not yet filled", Some(2)),
            state("Open - Not yet filled", Some(2)),
        ]
    );
}

#[actix_web::test]
async fn tlr_job_fails_without_settings_and_on_title_requests_without_items() {
    let client = enabled("jobs_tlr_fail").await;
    let id = create_job(&client, "open").await;
    let failed = start_and_wait(&client, &id).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["errors"], json!(["TLR settings not found"]));

    set_tlr(&client, false).await;
    create(
        &client,
        &title_request(&uuid(), "Open - Not yet filled", Some(1)),
    )
    .await;
    let id = create_job(&client, "open").await;
    let failed = start_and_wait(&client, &id).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(
        failed["errors"],
        json!(["element cannot be mapped to a null key"])
    );
}

#[actix_web::test]
async fn tlr_job_waits_while_another_job_is_in_progress() {
    let client = enabled("jobs_tlr_busy").await;
    set_tlr(&client, true).await;
    let running = create_job(&client, "in-progress").await;
    let waiting = create_job(&client, "open").await;
    let reply = post_empty(&client, START).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(job(&client, &waiting).await["status"], "open");

    // Once the running one is finished, the open one runs.
    let mut done = job(&client, &running).await;
    done["status"] = json!("done");
    let reply = client.put(&format!("{JOBS}/{running}"), &done).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(start_and_wait(&client, &waiting).await["status"], "done");
}
