//! Domain events through the transactional outbox: every committed change of a loan on
//! `folio.<tenant>.circulation.loan` in FOLIO's shape and in order, nothing for a refused write,
//! and nothing lost while the broker is away.
use super::support::uuid;
use circulation_storage::config::KafkaConfig;
use circulation_tests::http::FolioClient;
use circulation_tests::kafka::{read_topic, Broker, Received};
use circulation_tests::{pg, storage};
use serde_json::{json, Value};
use std::time::Duration;

const USER: &str = "9c6ab3b2-2f4c-4a8a-8a31-8d6b1f2e7a10";

/// A broker, and a storage module publishing to it with `tenant` enabled.
async fn publishing(tenant: &str) -> (Broker, FolioClient) {
    let _ = env_logger::builder().is_test(true).try_init();
    let broker = Broker::start().expect("broker starts");
    let kafka = KafkaConfig {
        host: Some(broker.host.clone()),
        port: broker.port,
        env: "folio".into(),
        replication_factor: 1,
        tenant_collection: None,
        okapi_url: Some("http://okapi:9130".into()),
    };
    let url = storage::start_in_process_with(pg::shared(), &kafka).expect("storage starts");
    let mut client = FolioClient::new(&url, tenant);
    client.okapi_url = None;
    client.user_id = Some(USER.into());
    storage::enable_tenant(&client, false).await;
    (broker, client)
}

fn loan(item_id: &str) -> Value {
    json!({"itemId": item_id, "userId": uuid(), "loanDate": "2026-12-01T10:00:00Z",
           "action": "checkedout", "status": {"name": "Open"}})
}

fn kinds(events: &[Received]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e.key.clone(),
                e.payload["type"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

// One test, one relay: every relay publishes every tenant of its database, and the tests of
// this binary share one database.
#[actix_web::test]
async fn domain_events_in_order_and_through_an_outage() {
    let (mut broker, client) = publishing("events_order").await;
    every_committed_change_of_a_loan_is_published_in_order(&broker, &client).await;
    a_request_batch_publishes_its_queue_reordering(&broker, &client).await;
    events_written_while_the_broker_is_away_arrive_after_it_is_back(&mut broker, &client).await;
}

async fn every_committed_change_of_a_loan_is_published_in_order(
    broker: &Broker,
    client: &FolioClient,
) {
    let item = uuid();
    let created = client.post("/loan-storage/loans", &loan(&item)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let first = created.json();
    let id = first["id"].as_str().unwrap().to_string();
    // A second open loan for the item is refused: no event.
    let refused = client.post("/loan-storage/loans", &loan(&item)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let mut renewed = first.clone();
    renewed["action"] = json!("renewed");
    let path = format!("/loan-storage/loans/{id}");
    assert_eq!(client.put(&path, &renewed).await.status, 204);
    assert_eq!(client.delete(&path).await.status, 204);
    let other = client.post("/loan-storage/loans", &loan(&uuid())).await;
    assert_eq!(other.status, 201);
    let other_id = other.json()["id"].as_str().unwrap().to_string();
    let everything = "/loan-storage/loans?query=cql.allRecords%3D1";
    assert_eq!(client.delete(everything).await.status, 204);

    let topic = "folio.events_order.circulation.loan";
    let events = read_topic(
        &broker.address(),
        topic,
        |e| e.len() >= 5,
        Duration::from_secs(30),
    )
    .await;
    let nil = "00000000-0000-0000-0000-000000000000".to_string();
    let mut of_first: Vec<String> = kinds(&events)
        .into_iter()
        .filter(|(k, _)| *k == id)
        .map(|(_, t)| t)
        .collect();
    // One key lands on one partition: its events keep their order.
    assert_eq!(
        of_first,
        vec!["CREATED", "UPDATED", "DELETED"],
        "{events:?}"
    );
    of_first.clear();
    assert!(
        kinds(&events).contains(&(other_id, "CREATED".into())),
        "{events:?}"
    );
    assert!(
        kinds(&events).contains(&(nil, "ALL_DELETED".into())),
        "{events:?}"
    );
    assert_eq!(events.len(), 5, "nothing for the refused loan: {events:?}");

    let created_event = &events.iter().find(|e| e.key == id).unwrap().payload;
    assert_eq!(created_event["tenant"], "events_order");
    assert_eq!(created_event["data"]["new"]["id"], json!(id));
    assert!(created_event["data"].get("old").is_none());
    assert!(created_event["timestamp"].as_i64().unwrap() > 0);
    uuid::Uuid::parse_str(created_event["id"].as_str().unwrap()).expect("event id");
    let updated = events
        .iter()
        .find(|e| e.key == id && e.payload["type"] == "UPDATED")
        .unwrap();
    assert_eq!(updated.payload["data"]["old"]["action"], "checkedout");
    assert_eq!(updated.payload["data"]["new"]["action"], "renewed");
    for (name, value) in [
        ("x-okapi-tenant", "events_order"),
        ("folio.tenantId", "events_order"),
        ("x-okapi-user-id", USER),
        ("x-okapi-url", "http://okapi:9130"),
    ] {
        assert!(
            updated
                .headers
                .contains(&(name.to_string(), value.to_string())),
            "{name}: {:?}",
            updated.headers
        );
    }
}

async fn a_request_batch_publishes_its_queue_reordering(broker: &Broker, client: &FolioClient) {
    let (item, instance) = (uuid(), uuid());
    let mut ids = Vec::new();
    for position in [1, 2] {
        let mut request = super::support::request(&item, position);
        request["instanceId"] = json!(instance);
        let created = client.post("/request-storage/requests", &request).await;
        assert_eq!(created.status, 201, "{}", created.body);
        ids.push(created.json());
    }
    // The two swap places.
    ids[0]["position"] = json!(2);
    ids[1]["position"] = json!(1);
    let batch = json!({"requests": [ids[1], ids[0]]});
    let answer = client.post("/request-storage-batch/requests", &batch).await;
    assert_eq!(answer.status, 201, "{}", answer.body);

    let address = broker.address();
    let topic = "folio.events_order.circulation.request-queue-reordering";
    let reordered = read_topic(&address, topic, |e| !e.is_empty(), Duration::from_secs(30)).await;
    assert_eq!(reordered.len(), 1, "{reordered:?}");
    assert_eq!(reordered[0].key, instance);
    assert_eq!(reordered[0].payload["type"], "CREATED");
    assert_eq!(
        reordered[0].payload["data"]["new"],
        json!({"requestIds": [ids[1]["id"], ids[0]["id"]], "instanceId": instance,
               "itemId": item, "requestLevel": "Item"})
    );
    // The batch's own request writes announce nothing, as FOLIO's: only the two creations.
    let topic = "folio.events_order.circulation.request";
    // Read to the end (all of the batch's events were relayed before its reordering event).
    let requests = read_topic(&address, topic, |_| false, Duration::from_secs(4)).await;
    assert_eq!(kinds(&requests).len(), 2, "{requests:?}");
    assert!(requests.iter().all(|e| e.payload["type"] == "CREATED"));
}

async fn events_written_while_the_broker_is_away_arrive_after_it_is_back(
    broker: &mut Broker,
    client: &FolioClient,
) {
    broker.stop();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let created = client.post("/loan-storage/loans", &loan(&uuid())).await;
        // The broker's absence never fails a write.
        assert_eq!(created.status, 201, "{}", created.body);
        ids.push(created.json()["id"].as_str().unwrap().to_string());
    }
    // Away longer than a message waits for the broker (5 s): the relay fails and retries.
    tokio::time::sleep(Duration::from_secs(6)).await;
    broker.restart().expect("broker starts again");
    let topic = "folio.events_order.circulation.loan";
    let events = read_topic(
        &broker.address(),
        topic,
        |e| ids.iter().all(|id| e.iter().any(|m| &m.key == id)),
        Duration::from_secs(40),
    )
    .await;
    for id in &ids {
        let of_it: Vec<_> = events.iter().filter(|e| &e.key == id).collect();
        assert_eq!(of_it.len(), 1, "{id}: {events:?}");
        assert_eq!(of_it[0].payload["type"], "CREATED");
    }
}
