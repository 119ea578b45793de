//! Events of the stack's check-outs on its Kafka-protocol broker, as FOLIO's consumers
//! (mod-patron-blocks, mod-tlr, ...) read them: the loan's creation on
//! `folio.diku.circulation.loan`, nothing for a refused check-out, and an undone one's creation
//! and deletion, so a consumer ends where storage ends; the logic module's `ITEM_CHECKED_OUT`
//! on its native topic; and inventory's item change, from its stand-in.
use super::support::{body, failing_proxy, item_record, post, post_via, sample, start};
use circulation_tests::kafka::{read_topic, Received};
use circulation_tests::sample_data as sd;
use circulation_tests::stack::{Stack, StackConfig};
use serde_json::json;
use std::time::{Duration, Instant};

/// The events about the loans of `item_id`: (type, loan id).
fn of_item(events: &[Received], item_id: &str) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|e| {
            let data = &e.payload["data"];
            data["new"]["itemId"] == item_id || data["old"]["itemId"] == item_id
        })
        .map(|e| {
            (
                e.payload["type"].as_str().unwrap_or("?").into(),
                e.key.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn check_outs_publish_the_loans_storage_committed() {
    let stack = start().await;
    let client = stack.client();
    let s = sample(&stack);
    let url = stack.url();
    let checked_out = post(
        &url,
        "/circulation/check-out-by-barcode",
        &body(&stack, 2, 3),
        &[],
    )
    .await;
    assert_eq!(checked_out.status, 201, "{}", checked_out.text);
    let loan_id = checked_out.body["id"].as_str().unwrap().to_string();
    // The same item again: refused, nothing written.
    let refused = post(
        &url,
        "/circulation/check-out-by-barcode",
        &body(&stack, 4, 3),
        &[],
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    // A check-out whose instance read fails after the writes: undone.
    let (proxy, handle) = failing_proxy(url.clone(), |m, p| {
        m == "GET" && p.starts_with("/instance-storage/instances/")
    })
    .await;
    let path = "/circulation/check-out-by-barcode";
    let undone = post_via(
        &stack.logic[0].url,
        &proxy,
        path,
        &body(&stack, 12, 12),
        &[],
    )
    .await;
    assert_eq!(undone.status, 502, "{}", undone.text);
    handle.stop(true).await;

    let broker = stack.broker.as_ref().expect("the stack's broker");
    let first = item_record(&client, &s.item_barcode(3)).await;
    let twelfth = item_record(&client, &s.item_barcode(12)).await;
    let (first_id, twelfth_id) = (
        first["id"].as_str().unwrap(),
        twelfth["id"].as_str().unwrap(),
    );
    let events = read_topic(
        &broker.address(),
        "folio.diku.circulation.loan",
        |e| !of_item(e, first_id).is_empty() && of_item(e, twelfth_id).len() >= 2,
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        of_item(&events, first_id),
        vec![("CREATED".to_string(), loan_id.clone())]
    );
    let created = events.iter().find(|e| e.key == loan_id).unwrap();
    assert_eq!(created.payload["tenant"], "diku");
    assert_eq!(created.payload["data"]["new"]["status"]["name"], "Open");
    assert_eq!(
        created.payload["data"]["new"]["userId"],
        checked_out.body["userId"]
    );
    let undone_events = of_item(&events, twelfth_id);
    let kinds: Vec<&str> = undone_events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, vec!["CREATED", "DELETED"], "{undone_events:?}");
    assert_eq!(undone_events[0].1, undone_events[1].1, "one loan");

    // The logic module's business event on FOLIO's native topic, beside pubsub.
    let checked_out_events = read_topic(
        &broker.address(),
        "folio.diku.circulation.ITEM_CHECKED_OUT",
        |e| e.iter().any(|m| m.payload["loanId"] == loan_id.as_str()),
        Duration::from_secs(30),
    )
    .await;
    let event = checked_out_events
        .iter()
        .find(|m| m.payload["loanId"] == loan_id.as_str())
        .expect("ITEM_CHECKED_OUT on Kafka");
    assert_eq!(event.payload["userId"], checked_out.body["userId"]);
    assert_eq!(event.payload["dueDate"], checked_out.body["dueDate"]);
    assert_eq!(event.key, checked_out.body["userId"].as_str().unwrap());
    for name in ["x-okapi-tenant", "folio.tenantId", "x-okapi-url"] {
        assert!(
            event.headers.iter().any(|(k, _)| k == name),
            "{name}: {:?}",
            event.headers
        );
    }

    // Inventory's stand-in announces the item's new status as inventory does, keyed by its
    // instance (the feed a local copy would consume).
    let holdings = client
        .get(&format!(
            "/holdings-storage/holdings/{}",
            first["holdingsRecordId"].as_str().unwrap()
        ))
        .await
        .json();
    let instance_id = holdings["instanceId"].as_str().unwrap().to_string();
    let checked_out_item = |e: &Received| {
        e.payload["type"] == "UPDATE"
            && e.payload["new"]["id"] == first_id
            && e.payload["new"]["status"]["name"] == "Checked out"
    };
    let item_events = read_topic(
        &broker.address(),
        "folio.diku.inventory.item",
        |e| e.iter().any(checked_out_item),
        Duration::from_secs(30),
    )
    .await;
    let update = item_events
        .iter()
        .find(|e| checked_out_item(e))
        .expect("the item's UPDATE on folio.diku.inventory.item");
    assert_eq!(update.key, instance_id);
    assert_eq!(update.payload["instanceId"], instance_id.as_str());
    assert_eq!(update.payload["old"]["status"]["name"], "Available");
    assert_eq!(update.payload["tenant"], "diku");
    stack.stop().await;
}

#[tokio::test]
async fn every_logic_instance_drops_its_rules_cache_when_the_rules_change() {
    // Rules and policies cached for an hour: only the rules event can make them go.
    let stack = Stack::start(StackConfig {
        logic_instances: 2,
        logic_env: vec![("POLICY_CACHE_SECONDS".into(), "3600".into())],
        ..StackConfig::default()
    })
    .await
    .expect("stack starts");
    let gateway = stack.url();
    let dry_run = |instance: usize| {
        let (logic, gateway) = (stack.logic[instance].url.clone(), gateway.clone());
        let b = body(&stack, 2, 0);
        async move {
            let path = "/circulation/check-out-by-barcode-dry-run";
            let a = post_via(&logic, &gateway, path, &b, &[]).await;
            assert_eq!(a.status, 201, "{}", a.text);
            a.body["loanPolicyId"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
    };
    // Both instances read (and cache) the rules: a book is lent for three weeks.
    for instance in [0, 1] {
        assert_eq!(dry_run(instance).await, sd::LOAN_POLICY_ROLLING);
    }
    let rules = sample(&stack)
        .circulation_rules
        .replace(sd::LOAN_POLICY_ROLLING, sd::LOAN_POLICY_SHORT_TERM);
    let put = stack
        .client()
        .put("/circulation/rules", &json!({"rulesAsText": rules}))
        .await;
    assert_eq!(put.status, 204, "{}", put.body);
    let changed = Instant::now();
    // Within a second, both choose the new policy.
    for instance in [0, 1] {
        loop {
            if dry_run(instance).await == sd::LOAN_POLICY_SHORT_TERM {
                break;
            }
            assert!(
                changed.elapsed() < Duration::from_secs(1),
                "instance {instance} still uses its cached rules"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    stack.stop().await;
}
