//! A request policy's allowed service points must be pickup locations in inventory: on POST
//! and PUT the storage module asks inventory (through the gateway) and refuses the policy with
//! FOLIO's one 422 when any is missing or not a pickup location. A failing inventory is a 5xx
//! naming the call; a direct call (no `X-Okapi-Url`) skips the check.
use super::support::uuid;
use circulation_tests::http::{FolioClient, Reply};
use circulation_tests::sample_data as sd;
use circulation_tests::stack::{Stack, StackConfig};
use circulation_tests::storage;
use serde_json::{json, Value};

const POLICIES: &str = "/request-policy-storage/request-policies";
const UNAVAILABLE: &str = "One or more Pickup locations are no longer available";

fn policy(name: &str, allowed: Value) -> Value {
    json!({"name": name, "requestTypes": ["Page", "Hold", "Recall"],
           "allowedServicePoints": allowed})
}

/// FOLIO's refusal: exactly one error, its message and code, and no parameters.
fn assert_refused(reply: &Reply) {
    assert_eq!(reply.status, 422, "{}", reply.body);
    let body = reply.json();
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{}", reply.body);
    assert_eq!(errors[0]["message"], UNAVAILABLE);
    assert_eq!(errors[0]["code"], "INVALID_ALLOWED_SERVICE_POINT");
    assert_eq!(errors[0]["parameters"], json!([]));
}

async fn add_service_point(client: &FolioClient, pickup: Option<bool>) -> String {
    let id = uuid();
    let mut sp = json!({"id": id, "name": format!("Desk {id}"), "code": &id[..8],
                        "discoveryDisplayName": "Desk"});
    if let Some(pickup) = pickup {
        sp["pickupLocation"] = json!(pickup);
    }
    let reply = client.post("/service-points", &sp).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    id
}

#[tokio::test]
async fn allowed_service_points_are_checked_with_inventory() {
    let stack = Stack::start(StackConfig {
        sample_data: Some((2, 2)),
        ..StackConfig::default()
    })
    .await
    .expect("stack starts");
    let client = stack.client();
    let (cd1, cd2) = (sd::SERVICE_POINT_CD1, sd::SERVICE_POINT_CD2);
    let not_pickup = add_service_point(&client, Some(false)).await;
    let no_pickup_flag = add_service_point(&client, None).await;

    // Every allowed service point is a pickup location: created.
    let good = policy("Pickup desks", json!({"Page": [cd1], "Hold": [cd1, cd2]}));
    let created = client.post(POLICIES, &good).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    // No allowed service points: nothing to ask.
    let plain = client
        .post(
            POLICIES,
            &json!({"name": "No desks", "requestTypes": ["Hold"]}),
        )
        .await;
    assert_eq!(plain.status, 201, "{}", plain.body);

    // An unknown id, a service point that is not a pickup location, one without the flag, and
    // all of them at once in every request type: one error each time, nothing stored.
    let unknown = uuid();
    for (name, allowed) in [
        ("Unknown desk", json!({"Hold": [cd1, unknown]})),
        ("Not a pickup desk", json!({"Recall": [not_pickup]})),
        ("Unflagged desk", json!({"Page": [no_pickup_flag]})),
        (
            "All bad",
            json!({"Page": [unknown, not_pickup, no_pickup_flag],
                   "Hold": [unknown, not_pickup, no_pickup_flag],
                   "Recall": [unknown, not_pickup, no_pickup_flag]}),
        ),
    ] {
        assert_refused(&client.post(POLICIES, &policy(name, allowed)).await);
        let found = client
            .get(&format!(
                "{POLICIES}?query={}",
                circulation_tests::http::encode(&format!("name==\"{name}\""))
            ))
            .await;
        assert_eq!(found.json()["totalRecords"], 0, "{name}: {}", found.body);
    }

    // PUT: the same refusals, and the stored policy stays as it was.
    let item = format!("{POLICIES}/{id}");
    for allowed in [
        json!({"Hold": [cd2, unknown]}),
        json!({"Page": [not_pickup]}),
        json!({"Recall": [no_pickup_flag]}),
    ] {
        let mut changed = policy("Pickup desks", allowed);
        changed["id"] = json!(id);
        assert_refused(&client.put(&item, &changed).await);
    }
    assert_eq!(
        client.get(&item).await.json()["allowedServicePoints"],
        json!({"Page": [cd1], "Hold": [cd1, cd2]})
    );
    // A PUT (also one that creates) with pickup locations only is stored.
    let mut changed = policy("Pickup desks", json!({"Recall": [cd2]}));
    changed["id"] = json!(id);
    let replaced = client.put(&item, &changed).await;
    assert_eq!(replaced.status, 204, "{}", replaced.body);
    assert_eq!(
        client.get(&item).await.json()["allowedServicePoints"],
        json!({"Recall": [cd2]})
    );
    let new_id = uuid();
    let mut upserted = policy("Upserted desks", json!({"Hold": [cd1]}));
    upserted["id"] = json!(new_id);
    let reply = client.put(&format!("{POLICIES}/{new_id}"), &upserted).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    upserted["id"] = json!(uuid());
    upserted["allowedServicePoints"] = json!({"Hold": [unknown]});
    let reply = client
        .put(
            &format!("{POLICIES}/{}", upserted["id"].as_str().unwrap()),
            &upserted,
        )
        .await;
    assert_refused(&reply);

    stack.stop().await;
}

/// A stand-in inventory that answers every call with a 500.
async fn failing_inventory() -> (String, actix_web::dev::ServerHandle) {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let server = HttpServer::new(|| {
        App::new().default_service(web::to(|| async {
            HttpResponse::InternalServerError().body("inventory is down")
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{addr}"), handle)
}

#[actix_web::test]
async fn failing_or_absent_inventory() {
    let mut client = storage::enabled_client("st_rpolicy_down", false).await;
    let allowed = json!({"Hold": [uuid()]});

    // Called directly (no X-Okapi-Url): the check is skipped, as storage-only callers expect.
    let reply = client
        .post(POLICIES, &policy("Direct", allowed.clone()))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);

    // Inventory answers 500: a 502 naming the call, and nothing stored.
    let (down, handle) = failing_inventory().await;
    client.okapi_url = Some(down);
    let reply = client
        .post(POLICIES, &policy("Down", allowed.clone()))
        .await;
    assert_eq!(reply.status, 502, "{}", reply.body);
    assert!(reply.body.contains("GET /service-points"), "{}", reply.body);
    assert!(reply.body.contains("500"), "{}", reply.body);
    let id = uuid();
    let mut replaced = policy("Down", allowed.clone());
    replaced["id"] = json!(id);
    let reply = client.put(&format!("{POLICIES}/{id}"), &replaced).await;
    assert_eq!(reply.status, 502, "{}", reply.body);
    // Without allowed service points inventory is not asked.
    let reply = client
        .post(
            POLICIES,
            &json!({"name": "No desks", "requestTypes": ["Hold"]}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    handle.stop(true).await;

    // No gateway listening there: a 502 naming the call too.
    client.okapi_url = Some("http://127.0.0.1:9".into());
    let reply = client.post(POLICIES, &policy("Nobody", allowed)).await;
    assert_eq!(reply.status, 502, "{}", reply.body);
    assert!(reply.body.contains("GET /service-points"), "{}", reply.body);

    client.okapi_url = None;
    let found = client
        .get(&format!(
            "{POLICIES}?query={}",
            circulation_tests::http::encode("name==\"Down\" or name==\"Nobody\"")
        ))
        .await;
    assert_eq!(found.json()["totalRecords"], 0, "{}", found.body);
}
