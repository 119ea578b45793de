//! Tests of the Okapi-compatible test gateway over real HTTP, with echo servers as modules.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use circulation_tests::gateway::{EchoModule, Gateway, GatewayConfig};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn start_gateway() -> Gateway {
    Gateway::start(GatewayConfig {
        port: 0,
        hop_overhead: Duration::ZERO,
    })
    .await
    .unwrap()
}

async fn post(gw: &Gateway, path: &str, body: Value) -> reqwest::Response {
    client()
        .post(format!("{}{path}", gw.url()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn post_ok(gw: &Gateway, path: &str, body: Value) -> Value {
    let resp = post(gw, path, body).await;
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert!(status.is_success(), "POST {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn handler(methods: &[&str], pattern: &str) -> Value {
    json!({"methods": methods, "pathPattern": pattern})
}

fn module(id: &str, iface: &str, handlers: Vec<Value>) -> Value {
    json!({"id": id, "provides": [{"id": iface, "version": "1.0", "handlers": handlers}]})
}

/// Registers the descriptors, their instances, tenant `diku`, and enables them.
async fn setup(gw: &Gateway, modules: &[(Value, Vec<String>)]) {
    for (i, (md, urls)) in modules.iter().enumerate() {
        post_ok(gw, "/_/proxy/modules", md.clone()).await;
        for (j, url) in urls.iter().enumerate() {
            post_ok(
                gw,
                "/_/discovery/modules",
                json!({"srvcId": md["id"], "instId": format!("inst-{i}-{j}"), "url": url}),
            )
            .await;
        }
    }
    post_ok(
        gw,
        "/_/proxy/tenants",
        json!({"id": "diku", "name": "Datalogisk Institut"}),
    )
    .await;
    let install: Vec<Value> = modules
        .iter()
        .map(|(md, _)| json!({"id": md["id"], "action": "enable"}))
        .collect();
    post_ok(gw, "/_/proxy/tenants/diku/install", Value::Array(install)).await;
}

async fn call(gw: &Gateway, method: &str, path: &str) -> (u16, Value) {
    let resp = client()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{path}", gw.url()),
        )
        .header("X-Okapi-Tenant", "diku")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn routed_to(gw: &Gateway, method: &str, path: &str) -> String {
    let (status, body) = call(gw, method, path).await;
    if status == 200 {
        body["module"].as_str().unwrap().to_string()
    } else {
        format!("{status}")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn routing_follows_okapi_precedence() {
    let a = EchoModule::start("a").await.unwrap();
    let b = EchoModule::start("b").await.unwrap();
    let c = EchoModule::start("c").await.unwrap();
    let gw = start_gateway().await;
    setup(
        &gw,
        &[
            (
                module(
                    "mod-a-1.0.0",
                    "a",
                    vec![
                        handler(&["GET"], "/items/{id}"),
                        handler(&["GET"], "/items"),
                        handler(&["GET"], "/x/*"),
                    ],
                ),
                vec![a.url()],
            ),
            (
                module(
                    "mod-b-1.0.0",
                    "b",
                    vec![
                        handler(&["GET"], "/items/special"),
                        handler(&["POST", "PUT"], "/items/{id}"),
                        handler(&["GET"], "/x/{id}/y"),
                    ],
                ),
                vec![b.url()],
            ),
            (
                module("mod-c-1.0.0", "c", vec![handler(&["*"], "/*")]),
                vec![c.url()],
            ),
        ],
    )
    .await;
    // exact pattern (key = whole path) beats {id} of another module
    assert_eq!(routed_to(&gw, "GET", "/items/special").await, "b");
    assert_eq!(routed_to(&gw, "GET", "/items/123").await, "a");
    assert_eq!(routed_to(&gw, "GET", "/items").await, "a");
    assert_eq!(routed_to(&gw, "GET", "/items?query=x").await, "a");
    // same key "/items/": method decides
    assert_eq!(routed_to(&gw, "POST", "/items/123").await, "b");
    // nothing under "/items/" for DELETE: falls back to "/" (catch-all)
    assert_eq!(routed_to(&gw, "DELETE", "/items/123").await, "c");
    // {id} does not span '/'
    assert_eq!(routed_to(&gw, "GET", "/items/1/2").await, "c");
    // same key "/x/": first filed (module id order) wins, not the most specific
    assert_eq!(routed_to(&gw, "GET", "/x/1/y").await, "a");
    assert_eq!(routed_to(&gw, "GET", "/elsewhere").await, "c");
    // the query string is passed on
    let (_, body) = call(&gw, "GET", "/items?query=a%3Db&limit=10").await;
    assert_eq!(body["query"], "query=a%3Db&limit=10");
    gw.stop().await;
    for m in [a, b, c] {
        m.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn round_robin_uses_every_instance() {
    let one = EchoModule::start("one").await.unwrap();
    let two = EchoModule::start("two").await.unwrap();
    let gw = start_gateway().await;
    setup(
        &gw,
        &[(
            module("mod-rr-1.0.0", "rr", vec![handler(&["GET"], "/rr")]),
            vec![one.url(), two.url()],
        )],
    )
    .await;
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..10 {
        *seen.entry(routed_to(&gw, "GET", "/rr").await).or_insert(0) += 1;
    }
    assert_eq!(seen.get("one"), Some(&5), "{seen:?}");
    assert_eq!(seen.get("two"), Some(&5), "{seen:?}");
    let list: Value = client()
        .get(format!("{}/_/discovery/modules", gw.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    gw.stop().await;
    one.stop().await;
    two.stop().await;
}

fn jwt(payload: Value) -> String {
    fn b64(data: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for c in data.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for i in 0..=c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
    format!(
        "{}.{}.sig",
        b64(br#"{"alg":"HS256"}"#),
        b64(payload.to_string().as_bytes())
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_are_forwarded_and_request_id_chained() {
    let echo = EchoModule::start("echo").await.unwrap();
    let gw = start_gateway().await;
    setup(
        &gw,
        &[(
            module(
                "mod-echo-1.0.0",
                "echo",
                vec![handler(&["*"], "/circulation/*")],
            ),
            vec![echo.url()],
        )],
    )
    .await;
    let token = jwt(json!({"sub": "admin", "user_id": "u-123", "tenant": "diku"}));
    let resp = client()
        .post(format!("{}/circulation/check-out-by-barcode", gw.url()))
        .header("X-Okapi-Tenant", "diku")
        .header("X-Okapi-Token", &token)
        .header("X-Okapi-Request-Id", "111111/circulation")
        .header("X-Okapi-Permissions-Required", "[\"sneaky\"]")
        .header("X-Okapi-Url", "http://wrong")
        .header("Connection", "keep-alive, X-Hop")
        .header("X-Hop", "drop me")
        .header("X-Custom", "kept")
        .header("X-Echo-Status", "201")
        .header("X-Echo-Location", "/circulation/loans/42")
        .header("Content-Type", "application/json")
        .body("{\"itemBarcode\":\"1\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(resp.headers()["location"], "/circulation/loans/42");
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    let h = &body["headers"];
    assert_eq!(body["method"], "POST");
    assert_eq!(body["body"], "{\"itemBarcode\":\"1\"}");
    assert_eq!(h["x-okapi-url"], gw.url());
    assert_eq!(h["x-okapi-tenant"], "diku");
    assert_eq!(h["x-okapi-token"], token.as_str());
    assert_eq!(h["x-okapi-user-id"], "u-123", "user id from the token");
    assert_eq!(h["x-okapi-match-path-pattern"], "/circulation/*");
    assert_eq!(h["x-okapi-request-method"], "POST");
    assert_eq!(h["x-custom"], "kept");
    assert_eq!(h["content-type"], "application/json");
    assert!(
        h.get("x-hop").is_none(),
        "header named by Connection dropped"
    );
    assert!(h.get("x-okapi-permissions-required").is_none());
    let rid = h["x-okapi-request-id"].as_str().unwrap();
    let (first, second) = rid.split_once(';').unwrap();
    assert_eq!(first, "111111/circulation");
    let (digits, seg) = second.split_once('/').unwrap();
    assert_eq!(digits.len(), 6);
    assert!(digits.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(seg, "circulation");

    // no token: a dummy JWT for the tenant; user id header passed through; fresh request id
    let resp = client()
        .get(format!("{}/circulation/loans", gw.url()))
        .header("X-Okapi-Tenant", "diku")
        .header("X-Okapi-User-Id", "u-9")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    let h = &body["headers"];
    assert_eq!(h["x-okapi-user-id"], "u-9");
    let tok = h["x-okapi-token"].as_str().unwrap();
    assert_eq!(tok.split('.').count(), 3);
    let rid = h["x-okapi-request-id"].as_str().unwrap();
    assert!(!rid.contains(';') && rid.ends_with("/circulation"), "{rid}");

    // Authorization: Bearer becomes X-Okapi-Token; the tenant comes from the token
    let resp = client()
        .get(format!("{}/circulation/loans", gw.url()))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["headers"]["x-okapi-token"], token.as_str());
    assert_eq!(body["headers"]["x-okapi-tenant"], "diku");
    assert!(body["headers"].get("authorization").is_none());

    // different tokens → 400
    let resp = client()
        .get(format!("{}/circulation/loans", gw.url()))
        .header("Authorization", "Bearer a.b.c")
        .header("X-Okapi-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    gw.stop().await;
    echo.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn permissions_are_desired_ones_the_caller_holds() {
    let echo = EchoModule::start("echo").await.unwrap();
    let gw = start_gateway().await;
    let md = json!({"id": "mod-p-1.0.0", "provides": [{"id": "p", "version": "1.0", "handlers": [
        {"methods": ["POST"], "pathPattern": "/check-out",
         "permissionsRequired": ["circulation.check-out.post"],
         "permissionsDesired": ["override.a", "override.b", "override.c"],
         "modulePermissions": ["modperms.x"]},
        {"methods": ["GET"], "pathPattern": "/plain", "permissionsRequired": ["plain.get"]}
    ]}]});
    setup(&gw, &[(md, vec![echo.url()])]).await;
    let perms = |granted: Option<&'static str>, path: &'static str, method: reqwest::Method| {
        let url = format!("{}{path}", gw.url());
        async move {
            let mut rb = client()
                .request(method, url)
                .header("X-Okapi-Tenant", "diku");
            if let Some(g) = granted {
                rb = rb.header("X-Okapi-Permissions", g);
            }
            let body: Value = rb.send().await.unwrap().json().await.unwrap();
            let p: Vec<String> =
                serde_json::from_str(body["headers"]["x-okapi-permissions"].as_str().unwrap())
                    .unwrap();
            p
        }
    };
    assert_eq!(
        perms(None, "/check-out", reqwest::Method::POST).await,
        ["override.a", "override.b", "override.c"]
    );
    assert_eq!(
        perms(
            Some(r#"["override.c","override.a","unrelated"]"#),
            "/check-out",
            reqwest::Method::POST
        )
        .await,
        ["override.a", "override.c"]
    );
    assert!(perms(Some("[]"), "/check-out", reqwest::Method::POST)
        .await
        .is_empty());
    assert!(perms(None, "/plain", reqwest::Method::GET).await.is_empty());
    gw.stop().await;
    echo.stop().await;
}

#[derive(Clone, Copy)]
enum TenantMode {
    Sync,
    /// Job completing after this many polls, optionally with an error.
    Job(usize, Option<&'static str>),
}

type Calls = Arc<Mutex<Vec<(String, String, Value, String)>>>;

/// A module implementing `_tenant` 2.0, recording (method, path?query, headers, body).
async fn tenant_module(mode: TenantMode) -> (String, Calls, actix_web::dev::ServerHandle) {
    let calls: Calls = Arc::default();
    let polls = Arc::new(Mutex::new(0usize));
    let recorded = calls.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let server = HttpServer::new(move || {
        let calls = recorded.clone();
        let polls = polls.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let calls = calls.clone();
            let polls = polls.clone();
            async move {
                let headers: serde_json::Map<String, Value> = req
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or(""))))
                    .collect();
                let target = match req.query_string() {
                    "" => req.path().to_string(),
                    q => format!("{}?{q}", req.path()),
                };
                calls.lock().unwrap().push((
                    req.method().to_string(),
                    target,
                    Value::Object(headers),
                    String::from_utf8_lossy(&body).into_owned(),
                ));
                match (req.method().as_str(), req.path(), mode) {
                    ("POST", "/_/tenant", TenantMode::Sync) => HttpResponse::NoContent().finish(),
                    ("POST", "/_/tenant", TenantMode::Job(..)) => HttpResponse::Created()
                        .insert_header(("Location", "/_/tenant/job-1"))
                        .json(json!({"id": "job-1", "complete": false})),
                    ("GET", "/_/tenant/job-1", TenantMode::Job(n, error)) => {
                        let mut p = polls.lock().unwrap();
                        *p += 1;
                        HttpResponse::Ok().json(json!({
                            "id": "job-1", "complete": *p >= n, "error": if *p >= n { error } else { None },
                            "messages": error.map(|_| vec!["detail"]),
                        }))
                    }
                    ("DELETE", "/_/tenant/job-1", _) => HttpResponse::NoContent().finish(),
                    _ => HttpResponse::Ok().json(json!({"module": "tenant-module"})),
                }
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (url, calls, handle)
}

fn tenant_md(id: &str) -> Value {
    json!({"id": id, "provides": [
        {"id": "things", "version": "2.3", "handlers": [{"methods": ["GET"], "pathPattern": "/things"}]},
        {"id": "_tenant", "version": "2.0", "interfaceType": "system", "handlers": [
            {"methods": ["POST"], "pathPattern": "/_/tenant"},
            {"methods": ["GET", "DELETE"], "pathPattern": "/_/tenant/{id}"}]}
    ]})
}

async fn install_with(mode: TenantMode) -> (reqwest::StatusCode, String, Calls, Gateway) {
    let (url, calls, handle) = tenant_module(mode).await;
    let gw = start_gateway().await;
    post_ok(&gw, "/_/proxy/modules", tenant_md("mod-things-1.0.0")).await;
    post_ok(
        &gw,
        "/_/discovery/modules",
        json!({"srvcId": "mod-things-1.0.0", "instId": "i1", "url": url}),
    )
    .await;
    post_ok(&gw, "/_/proxy/tenants", json!({"id": "diku"})).await;
    let resp = client()
        .post(format!(
            "{}/_/proxy/tenants/diku/install?tenantParameters=loadReference%3Dtrue%2CloadSample%3Dfalse",
            gw.url()
        ))
        .json(&json!([{"id": "mod-things-1.0.0", "action": "enable"}]))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    handle.stop(false).await;
    (status, text, calls, gw)
}

async fn enabled(gw: &Gateway) -> Value {
    client()
        .get(format!("{}/_/proxy/tenants/diku/modules", gw.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn install_calls_tenant_interface_synchronously() {
    let (status, text, calls, gw) = install_with(TenantMode::Sync).await;
    assert_eq!(status.as_u16(), 200, "{text}");
    let list: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        list,
        json!([{"id": "mod-things-1.0.0", "action": "enable"}])
    );
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    let (method, path, headers, body) = &calls[0];
    assert_eq!((method.as_str(), path.as_str()), ("POST", "/_/tenant"));
    assert_eq!(headers["x-okapi-tenant"], "diku");
    assert_eq!(headers["x-okapi-url"], gw.url());
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        body,
        json!({"module_to": "mod-things-1.0.0", "parameters": [
            {"key": "loadReference", "value": "true"}, {"key": "loadSample", "value": "false"}]})
    );
    assert_eq!(enabled(&gw).await, json!([{"id": "mod-things-1.0.0"}]));
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn install_follows_tenant_job() {
    let (status, text, calls, gw) = install_with(TenantMode::Job(2, None)).await;
    assert_eq!(status.as_u16(), 200, "{text}");
    let calls: Vec<(String, String)> = calls
        .lock()
        .unwrap()
        .iter()
        .map(|c| (c.0.clone(), c.1.clone()))
        .collect();
    let expect = |m: &str, p: &str| (m.to_string(), p.to_string());
    assert_eq!(
        calls,
        vec![
            expect("POST", "/_/tenant"),
            expect("GET", "/_/tenant/job-1?wait=60000"),
            expect("GET", "/_/tenant/job-1?wait=60000"),
            expect("DELETE", "/_/tenant/job-1"),
        ]
    );
    assert_eq!(enabled(&gw).await, json!([{"id": "mod-things-1.0.0"}]));
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn install_fails_when_tenant_job_fails() {
    let (status, text, calls, gw) = install_with(TenantMode::Job(1, Some("boom"))).await;
    assert_eq!(status.as_u16(), 500);
    assert_eq!(
        text,
        "Tenant operation failed for module mod-things-1.0.0: boom\ndetail"
    );
    assert_eq!(calls.lock().unwrap().last().unwrap().0, "DELETE");
    assert_eq!(enabled(&gw).await, json!([]));
    gw.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn install_resolves_dependencies_and_product_names() {
    let echo = EchoModule::start("echo").await.unwrap();
    let gw = start_gateway().await;
    let users = module(
        "mod-users-19.1.0",
        "users",
        vec![handler(&["GET"], "/users")],
    );
    let users_old = module(
        "mod-users-18.0.0",
        "users",
        vec![handler(&["GET"], "/users")],
    );
    let mut circ = module("mod-circ-1.0.0", "circ", vec![handler(&["GET"], "/circ")]);
    circ["requires"] = json!([{"id": "users", "version": "1.0"}]);
    for md in [&users, &users_old, &circ] {
        post_ok(&gw, "/_/proxy/modules", md.clone()).await;
        post_ok(
            &gw,
            "/_/discovery/modules",
            json!({"srvcId": md["id"], "url": echo.url()}),
        )
        .await;
    }
    post_ok(&gw, "/_/proxy/tenants", json!({"id": "diku"})).await;
    let list = post_ok(
        &gw,
        "/_/proxy/tenants/diku/install",
        json!([{"id": "mod-circ", "action": "enable"}]),
    )
    .await;
    assert_eq!(
        list,
        json!([{"id": "mod-users-19.1.0", "action": "enable"},
               {"id": "mod-circ-1.0.0", "action": "enable"}])
    );
    // missing interface → 400 with Okapi's message
    let mut lonely = module("mod-lonely-1.0.0", "lonely", vec![]);
    lonely["requires"] = json!([{"id": "nowhere", "version": "1.0"}]);
    post_ok(&gw, "/_/proxy/modules", lonely).await;
    let resp = post(
        &gw,
        "/_/proxy/tenants/diku/install",
        json!([{"id": "mod-lonely-1.0.0", "action": "enable"}]),
    )
    .await;
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(
        resp.text().await.unwrap(),
        "interface nowhere required by module mod-lonely-1.0.0 not found"
    );
    gw.stop().await;
    echo.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn okapi_errors_for_unknown_path_tenant_and_instances() {
    let echo = EchoModule::start("echo").await.unwrap();
    let gw = start_gateway().await;
    setup(
        &gw,
        &[(
            module("mod-e-1.0.0", "e", vec![handler(&["GET"], "/known")]),
            vec![echo.url()],
        )],
    )
    .await;
    let get = |path: &'static str, tenant: Option<&'static str>| {
        let url = format!("{}{path}", gw.url());
        async move {
            let mut rb = client().get(url);
            if let Some(t) = tenant {
                rb = rb.header("X-Okapi-Tenant", t);
            }
            let resp = rb.send().await.unwrap();
            let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
            (resp.status().as_u16(), ct, resp.text().await.unwrap())
        }
    };
    assert_eq!(
        get("/unknown", Some("diku")).await,
        (
            404,
            "text/plain".to_string(),
            "No suitable module found for path and tenant".to_string()
        )
    );
    assert_eq!(
        get("/known", Some("nope")).await,
        (
            400,
            "text/plain".to_string(),
            "No such Tenant nope".to_string()
        )
    );
    // no tenant: Okapi uses supertenant, which has nothing enabled here
    assert_eq!(get("/known", None).await.0, 404);
    assert_eq!(get("/known", Some("diku")).await.0, 200);
    // enabled module without instances
    let del = client()
        .delete(format!(
            "{}/_/discovery/modules/mod-e-1.0.0/inst-0-0",
            gw.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status().as_u16(), 204);
    assert_eq!(
        get("/known", Some("diku")).await,
        (
            404,
            "text/plain".to_string(),
            "No running module instance found for mod-e-1.0.0".to_string()
        )
    );
    gw.stop().await;
    echo.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dead_instance_is_skipped() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let live = EchoModule::start("live").await.unwrap();
    let gw = start_gateway().await;
    setup(
        &gw,
        &[(
            module("mod-d-1.0.0", "d", vec![handler(&["GET", "POST"], "/d")]),
            vec![dead, live.url()],
        )],
    )
    .await;
    for _ in 0..6 {
        assert_eq!(routed_to(&gw, "GET", "/d").await, "live");
        assert_eq!(routed_to(&gw, "POST", "/d").await, "live");
    }
    gw.stop().await;
    live.stop().await;
}

/// Sends a raw HTTP/1.1 request and returns (head, decoded body).
async fn raw_request(addr: &str, request: &[u8]) -> (String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut data = Vec::new();
    stream.read_to_end(&mut data).await.unwrap();
    let split = data.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&data[..split]).to_ascii_lowercase();
    let mut rest = &data[split + 4..];
    if !head.contains("transfer-encoding: chunked") {
        return (head, rest.to_vec());
    }
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = String::from_utf8_lossy(&rest[..line_end]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        rest = &rest[line_end + 2..];
        if size == 0 {
            break;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
    (head, body)
}

#[tokio::test(flavor = "multi_thread")]
async fn chunked_bodies_pass_both_ways() {
    let echo = EchoModule::start("echo").await.unwrap();
    let gw = start_gateway().await;
    setup(
        &gw,
        &[(
            module("mod-c-1.0.0", "c", vec![handler(&["POST"], "/chunky")]),
            vec![echo.url()],
        )],
    )
    .await;
    let addr = gw.url().trim_start_matches("http://").to_string();
    let request = format!(
        "POST /chunky?chunks=4 HTTP/1.1\r\nHost: {addr}\r\nX-Okapi-Tenant: diku\r\n\
         Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"
    );
    let (head, body) = raw_request(&addr, request.as_bytes()).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["body"], "hello world");
    assert!(body["headers"].get("transfer-encoding").is_none());
    // a module answer with Content-Length keeps it
    let request = format!(
        "POST /chunky HTTP/1.1\r\nHost: {addr}\r\nX-Okapi-Tenant: diku\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    );
    let (head, body) = raw_request(&addr, request.as_bytes()).await;
    assert!(head.contains("content-length:"), "{head}");
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["body"], "abc");
    gw.stop().await;
    echo.stop().await;
}

/// The gateway also runs inside an actix System (`#[actix_web::test]` / `#[actix_web::main]`)
/// and from a current-thread tokio runtime.
#[actix_web::test]
async fn runs_in_actix_system() {
    let echo = EchoModule::start("echo").await.unwrap();
    let gw = start_gateway().await;
    setup(
        &gw,
        &[(
            module("mod-s-1.0.0", "s", vec![handler(&["GET"], "/s")]),
            vec![echo.url()],
        )],
    )
    .await;
    assert_eq!(routed_to(&gw, "GET", "/s").await, "echo");
    gw.stop().await;
    echo.stop().await;
}

#[tokio::test]
async fn runs_in_current_thread_tokio() {
    let echo = EchoModule::start("echo").await.unwrap();
    let gw = Gateway::start(GatewayConfig {
        port: 0,
        hop_overhead: Duration::from_millis(20),
    })
    .await
    .unwrap();
    setup(
        &gw,
        &[(
            module("mod-s-1.0.0", "s", vec![handler(&["GET"], "/s")]),
            vec![echo.url()],
        )],
    )
    .await;
    let started = std::time::Instant::now();
    assert_eq!(routed_to(&gw, "GET", "/s").await, "echo");
    assert!(
        started.elapsed() >= Duration::from_millis(20),
        "hop overhead applied"
    );
    gw.stop().await;
    echo.stop().await;
}
