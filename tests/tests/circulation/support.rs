//! What the circulation tests share: a stack with sample data, posting to a flow through the
//! gateway, and reading or replacing records.
use circulation_tests::http::{encode, FolioClient};
use circulation_tests::sample_data::{self as sd, SampleData};
use circulation_tests::stack::{Stack, StackConfig};
use serde_json::{json, Value};

pub(crate) async fn start() -> Stack {
    Stack::start(StackConfig::default())
        .await
        .expect("stack starts")
}

pub(crate) fn sample(stack: &Stack) -> &SampleData {
    stack.sample.as_ref().expect("sample data")
}

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) text: String,
    pub(crate) timing: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) content_type: Option<String>,
}

impl Answer {
    pub(crate) fn errors(&self) -> Vec<Value> {
        self.body["errors"].as_array().cloned().unwrap_or_default()
    }
    pub(crate) fn messages(&self) -> Vec<String> {
        self.errors()
            .iter()
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

pub(crate) async fn post(base: &str, path: &str, body: &Value, headers: &[(&str, &str)]) -> Answer {
    post_via(base, base, path, body, headers).await
}

/// A POST to `base` (the gateway, or a module straight) naming `okapi_url` as the gateway its
/// calls go through.
pub(crate) async fn post_via(
    base: &str,
    okapi_url: &str,
    path: &str,
    body: &Value,
    headers: &[(&str, &str)],
) -> Answer {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut req = client
        .post(format!("{base}{path}"))
        .header("X-Okapi-Tenant", "diku")
        .header("X-Okapi-Url", okapi_url)
        .header("Content-Type", "application/json")
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = req.send().await.expect("answer");
    let status = response.status().as_u16();
    let header = |n: &str| {
        response
            .headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let timing = header("server-timing");
    let location = header("location");
    let content_type = header("content-type");
    let text = response.text().await.unwrap_or_default();
    Answer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        timing,
        location,
        content_type,
    }
}

pub(crate) fn body(stack: &Stack, patron: usize, item: usize) -> Value {
    let s = sample(stack);
    json!({
        "itemBarcode": s.item_barcode(item),
        "userBarcode": s.patron_barcode(patron),
        "servicePointId": sd::SERVICE_POINT_CD1,
    })
}

pub(crate) fn param(e: &Value, key: &str) -> Option<Value> {
    e["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["key"] == key)
        .map(|p| p["value"].clone())
}

pub(crate) async fn item_record(client: &FolioClient, barcode: &str) -> Value {
    let r = client
        .get(&format!(
            "/item-storage/items?query={}",
            encode(&format!("barcode==\"{barcode}\""))
        ))
        .await;
    r.json()["items"][0].clone()
}

/// Replaces a record through its stand-in (or storage) endpoint.
pub(crate) async fn replace(client: &FolioClient, path: &str, record: &Value) {
    let id = record["id"].as_str().expect("id");
    let reply = client.put(&format!("{path}/{id}"), record).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
}

/// A check-out of item `item` to patron `patron` that must succeed: the loan answered.
pub(crate) async fn checked_out(stack: &Stack, patron: usize, item: usize) -> Value {
    check_out_succeeds(stack, body(stack, patron, item)).await
}

/// The same, loaned at `loan_date`.
pub(crate) async fn checked_out_at(
    stack: &Stack,
    patron: usize,
    item: usize,
    loan_date: &str,
) -> Value {
    let mut b = body(stack, patron, item);
    b["loanDate"] = json!(loan_date);
    check_out_succeeds(stack, b).await
}

async fn check_out_succeeds(stack: &Stack, body: Value) -> Value {
    let a = post(
        &stack.url(),
        "/circulation/check-out-by-barcode",
        &body,
        &[],
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.text);
    a.body
}

/// An item-level request of `request_type` by patron `requester` for `item`, waiting at
/// position 1 for pickup at `pickup`; stored as it is.
pub(crate) async fn item_request(
    client: &FolioClient,
    id: &str,
    request_type: &str,
    item: &Value,
    requester: &Value,
    pickup: &str,
) {
    let r = client
        .post(
            "/request-storage/requests",
            &json!({"id": id, "requestLevel": "Item", "requestType": request_type,
                    "requestDate": "2030-01-01T00:00:00.000Z",
                    "requesterId": requester["id"], "itemId": item["id"],
                    "holdingsRecordId": item["holdingsRecordId"],
                    "instanceId": "5bf370e0-8cca-4d9c-82e4-5170ab2a0a39",
                    "status": "Open - Not yet filled", "position": 1,
                    "fulfillmentPreference": "Hold Shelf",
                    "pickupServicePointId": pickup}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

/// A loan as storage has it.
pub(crate) async fn stored_loan(client: &FolioClient, loan: &Value) -> Value {
    let id = loan["id"].as_str().expect("loan id");
    client
        .get(&format!("/loan-storage/loans/{id}"))
        .await
        .json()
}

/// The events published to the pubsub stand-in (type and parsed payload), once `enough` says
/// they are all there (events go out after the answer); what there is after 5 s otherwise.
pub(crate) async fn published(
    stack: &Stack,
    enough: impl Fn(&[(String, Value)]) -> bool,
) -> Vec<(String, Value)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let events: Vec<(String, Value)> = stack
            .standins
            .published_events("diku")
            .iter()
            .map(|e| {
                let payload = e["eventPayload"]
                    .as_str()
                    .and_then(|p| serde_json::from_str(p).ok())
                    .unwrap_or(Value::Null);
                (
                    e["eventType"].as_str().unwrap_or_default().to_string(),
                    payload,
                )
            })
            .collect();
        if enough(&events) || std::time::Instant::now() > deadline {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The payloads of the circulation log's records of `kind` (`NOTICE`, `LOAN`…) published so
/// far: for records published before the answer.
pub(crate) async fn log_records(stack: &Stack, kind: &str) -> Vec<Value> {
    published(stack, |_| true)
        .await
        .into_iter()
        .filter(|(event, p)| event == "LOG_RECORD" && p["logEventType"] == kind)
        .map(|(_, p)| p["payload"].clone())
        .collect()
}

/// Stores `loan_notices` as the notice policy every sample rule names. Before anything reads the
/// policy: the logic module caches it.
pub(crate) async fn use_loan_notices(client: &FolioClient, name: &str, loan_notices: Value) {
    let policy = json!({
        "id": sd::NOTICE_POLICY_NONE, "name": name, "active": true,
        "loanNotices": loan_notices,
    });
    let path = format!(
        "/patron-notice-policy-storage/patron-notice-policies/{}",
        sd::NOTICE_POLICY_NONE
    );
    let put = client.put(&path, &policy).await;
    assert_eq!(put.status, 204, "{}", put.body);
}

/// A gateway in front of the gateway: forwards everything, but answers 500 to the calls
/// `fails` picks.
pub(crate) async fn failing_proxy(
    target: String,
    fails: fn(&str, &str) -> bool,
) -> (String, actix_web::dev::ServerHandle) {
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let server = HttpServer::new(move || {
        let http = http.clone();
        let target = target.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let http = http.clone();
            let target = target.clone();
            async move {
                let slow = req
                    .headers()
                    .get("x-okapi-request-id")
                    .is_some_and(|v| v.as_bytes().starts_with(b"slow"));
                if req.path().starts_with("/manualblocks") && slow {
                    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                }
                if fails(req.method().as_str(), req.path()) {
                    return HttpResponse::InternalServerError().body("module is down");
                }
                let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap();
                let mut out = http.request(method, format!("{target}{}", req.uri()));
                for (k, v) in req.headers() {
                    if k.as_str().starts_with("x-okapi") || k.as_str() == "content-type" {
                        out = out.header(k.as_str(), v.to_str().unwrap_or_default());
                    }
                }
                let reply = out.body(body.to_vec()).send().await.unwrap();
                let status =
                    actix_web::http::StatusCode::from_u16(reply.status().as_u16()).unwrap();
                let ct = reply
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("text/plain")
                    .to_string();
                let bytes = reply.bytes().await.unwrap_or_default();
                HttpResponse::build(status).content_type(ct).body(bytes)
            }
        }))
    })
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://{addr}"), handle)
}
