//! The ModuleDescriptors and the modules agree, in both directions: every route a module serves
//! has a handler in its descriptor, and every handler is served (probed over HTTP).
use circulation_tests::http::FolioClient;
use circulation_tests::stack::{descriptor, LOGIC_DESCRIPTOR, STORAGE_DESCRIPTOR};
use circulation_tests::{pg, storage};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// (method, pathPattern) of every handler of a descriptor.
fn handlers(md: &Value) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for interface in md["provides"].as_array().unwrap() {
        for handler in interface["handlers"].as_array().unwrap() {
            for method in handler["methods"].as_array().unwrap() {
                all.insert((
                    method.as_str().unwrap().to_string(),
                    handler["pathPattern"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    all
}

#[test]
fn descriptors_have_our_ids_and_folio_interfaces() {
    let version = env!("CARGO_PKG_VERSION");
    let storage = descriptor(STORAGE_DESCRIPTOR);
    assert_eq!(
        storage["id"],
        format!("mod-circulation-storage-rs-{version}")
    );
    let logic = descriptor(LOGIC_DESCRIPTOR);
    assert_eq!(logic["id"], format!("mod-circulation-rs-{version}"));
    let interfaces: Vec<(String, String)> = storage["provides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().into(),
                i["version"].as_str().unwrap().into(),
            )
        })
        .collect();
    for expected in [
        ("loan-storage", "7.4"),
        ("request-storage", "6.2"),
        ("_tenant", "2.0"),
        ("circulation-rules-storage", "1.0"),
    ] {
        assert!(
            interfaces.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?}"
        );
    }
    assert!(logic["launchDescriptor"]["dockerImage"].is_string());
    assert!(storage["launchDescriptor"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["name"] == "DB_HOST"));
}

/// The module's own route list and its descriptor's handlers are the same set.
fn assert_same_routes(descriptor_text: &str, served: Vec<(&'static str, String)>) {
    let described = handlers(&descriptor(descriptor_text));
    let served: BTreeSet<(String, String)> = served
        .into_iter()
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    let undescribed: Vec<_> = served.difference(&described).collect();
    assert!(
        undescribed.is_empty(),
        "served but not in the descriptor: {undescribed:?}"
    );
    let unserved: Vec<_> = described.difference(&served).collect();
    assert!(
        unserved.is_empty(),
        "in the descriptor but not served: {unserved:?}"
    );
}

#[test]
fn every_storage_route_has_a_handler() {
    assert_same_routes(
        STORAGE_DESCRIPTOR,
        circulation_storage::routes::served_routes(),
    );
}

/// A route is served unless the router itself refuses it (405, or 404 with no body).
fn routed(status: u16, body: &str) -> bool {
    status != 405 && !(status == 404 && body.is_empty())
}

#[actix_web::test]
async fn every_storage_handler_is_served() {
    let url = storage::start_in_process(pg::shared()).unwrap();
    let client = FolioClient::new(&url, "descriptors");
    let enabled = client
        .post(
            "/_/tenant",
            &json!({"module_to": "mod-circulation-storage-rs-0.1.0"}),
        )
        .await;
    assert_eq!(enabled.status, 201);
    for (method, pattern) in handlers(&descriptor(STORAGE_DESCRIPTOR)) {
        if pattern == "/_/tenant" {
            continue; // exercised above
        }
        let path = pattern
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{userId}", &uuid::Uuid::new_v4().to_string());
        let body = matches!(method.as_str(), "POST" | "PUT").then(|| b"{}".to_vec());
        let reply = client.send(method.parse().unwrap(), &path, body).await;
        assert!(
            routed(reply.status, &reply.body),
            "{method} {pattern}: {} {:?}",
            reply.status,
            reply.body
        );
    }
    // The probe itself can fail: an unknown path is refused by the router.
    let unknown = client.get("/loan-storage/unknown").await;
    assert!(!routed(unknown.status, &unknown.body));
}

#[test]
fn every_logic_route_has_a_handler() {
    assert_same_routes(LOGIC_DESCRIPTOR, circulation_logic::routes::served_routes());
}

#[actix_web::test]
async fn every_logic_handler_is_served() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let settings = circulation_logic::config::Settings::from_env().expect("settings");
    actix_web::rt::spawn(circulation_logic::app::run(listener, settings).unwrap());
    // Nothing answers at this Okapi URL: handlers answer with their own errors, never the router's.
    let client = FolioClient::new(&url, "descriptors");
    for (method, path) in handlers(&descriptor(LOGIC_DESCRIPTOR)) {
        let body = matches!(method.as_str(), "POST" | "PUT").then(|| b"{}".to_vec());
        let reply = client
            .send_with(
                method.parse().unwrap(),
                &path,
                body,
                &[("X-Okapi-Url", "http://127.0.0.1:9")],
            )
            .await;
        assert!(
            routed(reply.status, &reply.body),
            "{method} {path}: {} {:?}",
            reply.status,
            reply.body
        );
    }
    let unknown = client.get("/circulation/unknown").await;
    assert!(!routed(unknown.status, &unknown.body));
}

/// Okapi's `_timer` interface calls the storage module's scheduled jobs, as FOLIO's does.
#[test]
fn storage_timer_schedules_the_jobs() {
    let storage = descriptor(STORAGE_DESCRIPTOR);
    let timer = storage["provides"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "_timer")
        .expect("a _timer interface");
    assert_eq!(timer["version"], "1.0");
    assert_eq!(timer["interfaceType"], "system");
    let schedule: BTreeSet<(String, String, String)> = timer["handlers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            assert_eq!(h["methods"], json!(["POST"]));
            (
                h["pathPattern"].as_str().unwrap().to_string(),
                h["unit"].as_str().unwrap().to_string(),
                h["delay"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(schedule.contains(&(
        "/scheduled-request-expiration".into(),
        "minute".into(),
        "2".into()
    )));
    assert!(schedule.contains(&(
        "/tlr-feature-toggle-job/start".into(),
        "minute".into(),
        "5".into()
    )));
}
