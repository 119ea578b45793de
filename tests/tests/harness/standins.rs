//! The in-memory stand-ins of FOLIO's peer modules, over real HTTP, with the query forms
//! mod-circulation sends (PEERS.md, checkout-flow.md §1.3).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use circulation_tests::sample_data::{self, SampleData};
use circulation_tests::standins::{
    descriptors, feesfines, patron_blocks, Latency, StandinConfig, Standins,
};
use serde_json::{json, Value};

const T: &str = "diku";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn start() -> Standins {
    Standins::start(StandinConfig {
        port: 0,
        kafka: None,
        latency: Latency::None,
    })
    .await
    .expect("stand-ins start")
}

struct Api {
    base: String,
    http: reqwest::Client,
}

struct Resp {
    status: u16,
    content_type: String,
    location: Option<String>,
    text: String,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Api {
    fn new(s: &Standins) -> Api {
        Api {
            base: s.url(),
            http: client(),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        tenant: Option<&str>,
        path: &str,
        body: Option<&str>,
    ) -> Resp {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = tenant {
            req = req.header("X-Okapi-Tenant", t);
        }
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type").unwrap_or_default();
        let location = header("location");
        Resp {
            status,
            content_type,
            location,
            text: resp.text().await.unwrap(),
        }
    }

    async fn get(&self, tenant: &str, path: &str) -> Resp {
        self.call(reqwest::Method::GET, Some(tenant), path, None)
            .await
    }

    /// GET with a CQL query (encoded here) and optional extra parameters.
    async fn query(&self, tenant: &str, path: &str, cql: &str, extra: &str) -> Value {
        let r = self
            .get(tenant, &format!("{path}?query={}{extra}", enc(cql)))
            .await;
        assert_eq!(r.status, 200, "{path}?query={cql}: {}", r.text);
        r.json()
    }

    async fn post(&self, tenant: &str, path: &str, body: &Value) -> Resp {
        self.call(
            reqwest::Method::POST,
            Some(tenant),
            path,
            Some(&body.to_string()),
        )
        .await
    }

    async fn put(&self, tenant: &str, path: &str, body: &Value) -> Resp {
        self.call(
            reqwest::Method::PUT,
            Some(tenant),
            path,
            Some(&body.to_string()),
        )
        .await
    }

    async fn seed(&self, tenant: &str, path: &str, records: &[Value]) {
        for r in records {
            let resp = self.post(tenant, path, r).await;
            assert_eq!(resp.status, 201, "POST {path}: {}", resp.text);
        }
    }
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    let mut ids: Vec<String> = v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no key {key} in {v}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

const U1: &str = "11111111-1111-4111-8111-111111111111";
const U2: &str = "22222222-2222-4222-8222-222222222222";
const U3: &str = "33333333-3333-4333-8333-333333333333";

#[tokio::test]
async fn users_groups_and_proxies_answer_circulation_queries() {
    let s = start().await;
    let api = Api::new(&s);
    api.seed(
        T,
        "/users",
        &[
            json!({"id": U1, "barcode": "123", "active": true, "patronGroup": sample_data::GROUP_STAFF}),
            json!({"id": U2, "barcode": "456", "active": true, "patronGroup": sample_data::GROUP_FACULTY}),
            json!({"id": U3, "barcode": "1234", "active": false}),
        ],
    )
    .await;
    let v = api.query(T, "/users", "barcode==\"123\"", "&limit=1").await;
    assert_eq!(ids(&v, "users"), vec![U1]);
    assert_eq!(v["totalRecords"], json!(1));
    let v = api
        .query(T, "/users", "barcode==\"nobody\"", "&limit=1")
        .await;
    assert_eq!(v, json!({"users": [], "totalRecords": 0}));
    let v = api
        .query(
            T,
            "/users",
            &format!("id==(\"{U1}\" or \"{U3}\")"),
            "&limit=2147483647",
        )
        .await;
    assert_eq!(ids(&v, "users"), vec![U1, U3]);

    // `==` is case-insensitive in RMB; the barcode index and the full evaluation agree.
    api.seed(T, "/users", &[json!({"barcode": "AbC-9", "active": true})])
        .await;
    for q in [
        "barcode==\"abc-9\"",
        "barcode==abc-9",
        "(barcode==\"ABC-9\")",
    ] {
        let v = api.query(T, "/users", q, "&limit=1").await;
        assert_eq!(v["totalRecords"], json!(1), "{q}");
    }
    let v = api
        .query(
            T,
            "/users",
            "active==true sortBy barcode/sort.descending",
            "&limit=2",
        )
        .await;
    let barcodes: Vec<&str> = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["barcode"].as_str().unwrap())
        .collect();
    assert_eq!(barcodes, vec!["AbC-9", "456"]);
    assert_eq!(v["totalRecords"], json!(3));

    api.seed(
        T,
        "/groups",
        &[
            json!({"id": sample_data::GROUP_STAFF, "group": "staff"}),
            json!({"id": sample_data::GROUP_FACULTY, "group": "faculty"}),
            json!({"id": sample_data::GROUP_GRADUATE, "group": "graduate"}),
        ],
    )
    .await;
    let v = api
        .query(
            T,
            "/groups",
            &format!("id==(\"{}\")", sample_data::GROUP_STAFF),
            "",
        )
        .await;
    assert_eq!(ids(&v, "usergroups"), vec![sample_data::GROUP_STAFF]);

    let sponsor_proxy = json!({"userId": U1, "proxyUserId": U2, "status": "Active",
                               "expirationDate": "2099-01-01T00:00:00.000+00:00"});
    let other = json!({"userId": U3, "proxyUserId": U2, "status": "Active"});
    api.seed(T, "/proxiesfor", &[sponsor_proxy, other]).await;
    let v = api
        .query(
            T,
            "/proxiesfor",
            &format!("proxyUserId==\"{U2}\" and userId==\"{U1}\""),
            "&limit=1000",
        )
        .await;
    assert_eq!(v["totalRecords"], json!(1));
    assert_eq!(v["proxiesFor"][0]["userId"], json!(U1));
    let v = api
        .query(
            T,
            "/proxiesfor",
            &format!("userId==\"{U1}\" and proxyUserId==\"{U2}\""),
            "",
        )
        .await;
    assert_eq!(v["totalRecords"], json!(1));

    api.seed(T, "/addresstypes", &[json!({"addressType": "Home"})])
        .await;
    let r = api.get(T, "/addresstypes").await;
    assert_eq!(r.json()["addressTypes"].as_array().unwrap().len(), 1);
    s.stop().await;
}

#[tokio::test]
async fn inventory_answers_circulation_queries() {
    let s = start().await;
    let api = Api::new(&s);
    let data = SampleData::generate(2, 12);
    for (path, records) in data.records() {
        let inventory = [
            "/service-points",
            "/location-units/institutions",
            "/location-units/campuses",
            "/location-units/libraries",
            "/locations",
            "/material-types",
            "/loan-types",
            "/instance-storage/instances",
            "/holdings-storage/holdings",
            "/item-storage/items",
        ];
        if inventory.contains(&path) {
            api.seed(T, path, records).await;
        }
    }
    let item = data.item(4).clone();
    let v = api
        .query(
            T,
            "/item-storage/items",
            &format!("barcode==\"{}\"", data.item_barcode(4)),
            "&limit=1",
        )
        .await;
    assert_eq!(v["totalRecords"], json!(1));
    let got = &v["items"][0];
    assert_eq!(got["id"], item["id"]);
    // effectiveLocationId is derived from the holdings, as storage does.
    assert_eq!(
        got["effectiveLocationId"],
        json!(sample_data::LOCATION_ANNEX)
    );
    assert_eq!(got["_version"], json!(1));
    assert_eq!(got["status"]["name"], json!("Available"));

    let (h0, h1) = (
        data.holdings[0]["id"].as_str().unwrap(),
        data.holdings[1]["id"].as_str().unwrap(),
    );
    let v = api
        .query(
            T,
            "/item-storage/items",
            &format!("holdingsRecordId==(\"{h0}\" or \"{h1}\") and status.name==\"Available\""),
            "&limit=2147483647",
        )
        .await;
    assert_eq!(v["totalRecords"], json!(2));
    let (i0, i1) = (
        data.instances[0]["id"].as_str().unwrap(),
        data.instances[1]["id"].as_str().unwrap(),
    );
    let v = api
        .query(
            T,
            "/holdings-storage/holdings",
            &format!("instanceId==(\"{i0}\" or \"{i1}\")"),
            "&limit=2147483647",
        )
        .await;
    assert_eq!(ids(&v, "holdingsRecords").len(), 2);
    let v = api
        .query(
            T,
            "/instance-storage/instances",
            &format!("id==(\"{i0}\")"),
            "",
        )
        .await;
    assert_eq!(ids(&v, "instances"), vec![i0.to_string()]);

    let v = api
        .query(
            T,
            "/locations",
            &format!("servicePointIds=\"{}\"", sample_data::SERVICE_POINT_CD2),
            "&limit=2147483647",
        )
        .await;
    assert_eq!(ids(&v, "locations"), vec![sample_data::LOCATION_ANNEX]);
    for (path, key, id) in [
        (
            "/location-units/institutions",
            "locinsts",
            sample_data::INSTITUTION_KU,
        ),
        (
            "/location-units/campuses",
            "loccamps",
            sample_data::CAMPUS_CITY,
        ),
        (
            "/location-units/libraries",
            "loclibs",
            sample_data::LIBRARY_DIKU,
        ),
        ("/material-types", "mtypes", sample_data::MATERIAL_TYPE_DVD),
        (
            "/loan-types",
            "loantypes",
            sample_data::LOAN_TYPE_READING_ROOM,
        ),
        (
            "/service-points",
            "servicepoints",
            sample_data::SERVICE_POINT_CD1,
        ),
        ("/locations", "locations", sample_data::LOCATION_MAIN),
    ] {
        let v = api
            .query(T, path, &format!("id==(\"{id}\")"), "&limit=2147483647")
            .await;
        assert_eq!(ids(&v, key), vec![id.to_string()], "{path}");
        let r = api.get(T, &format!("{path}/{id}")).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["id"], json!(id));
    }

    // Circulation's item PUT: the record it read with a new status; storage stamps the date
    // and bumps _version; a stale _version is refused.
    let item_id = item["id"].as_str().unwrap();
    let mut changed = got.clone();
    changed["status"] = json!({"name": "Checked out"});
    let r = api
        .put(T, &format!("/item-storage/items/{item_id}"), &changed)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let now = api
        .get(T, &format!("/item-storage/items/{item_id}"))
        .await
        .json();
    assert_eq!(now["status"]["name"], json!("Checked out"));
    assert!(now["status"]["date"].is_string());
    assert_eq!(now["_version"], json!(2));
    let r = api
        .put(T, &format!("/item-storage/items/{item_id}"), &changed)
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.content_type.starts_with("text/plain"));
    let v = api
        .query(
            T,
            "/item-storage/items",
            &format!("barcode==\"{}\"", data.item_barcode(4)),
            "&limit=1",
        )
        .await;
    assert_eq!(v["items"][0]["status"]["name"], json!("Checked out"));
    s.stop().await;
}

#[tokio::test]
async fn fees_fines_manual_blocks_and_policies() {
    let s = start().await;
    let api = Api::new(&s);
    let blocks: Vec<Value> = (0..12)
        .map(|n| {
            json!({"userId": U1, "desc": format!("block {n}"), "borrowing": true,
                        "renewals": false, "requests": false})
        })
        .chain(std::iter::once(
            json!({"userId": U2, "desc": "other", "borrowing": true}),
        ))
        .collect();
    api.seed(T, "/manualblocks", &blocks).await;
    // No limit: the server's default page of 10, with the full total.
    let v = api
        .query(T, "/manualblocks", &format!("userId==\"{U1}\""), "")
        .await;
    assert_eq!(v["manualblocks"].as_array().unwrap().len(), 10);
    assert_eq!(v["totalRecords"], json!(12));
    let v = api
        .query(T, "/manualblocks", &format!("(userId==\"{U2}\")"), "")
        .await;
    assert_eq!(v["totalRecords"], json!(1));
    assert_eq!(v["manualblocks"][0]["desc"], json!("other"));
    let v = api
        .query(
            T,
            "/manualblocks",
            &format!("userId==\"{U1}\""),
            "&offset=10&limit=5",
        )
        .await;
    assert_eq!(v["manualblocks"].as_array().unwrap().len(), 2);

    let data = SampleData::generate(0, 0);
    api.seed(T, "/overdue-fines-policies", &data.overdue_fine_policies)
        .await;
    api.seed(T, "/lost-item-fees-policies", &data.lost_item_fee_policies)
        .await;
    let r = api
        .get(
            T,
            &format!(
                "/overdue-fines-policies/{}",
                sample_data::OVERDUE_FINE_POLICY
            ),
        )
        .await;
    assert_eq!(r.status, 200);
    let v = api
        .query(
            T,
            "/overdue-fines-policies",
            &format!("id==(\"{}\")", sample_data::OVERDUE_FINE_POLICY),
            "",
        )
        .await;
    assert_eq!(ids(&v, "overdueFinePolicies").len(), 1);
    let v = api
        .query(
            T,
            "/lost-item-fees-policies",
            &format!("id==(\"{}\")", sample_data::LOST_ITEM_FEE_POLICY),
            "",
        )
        .await;
    assert_eq!(ids(&v, "lostItemFeePolicies").len(), 1);
    s.stop().await;
}

/// What circulation charges an overdue fine with: the owner of a service point, the seeded
/// automatic fee/fine type, and accounts and actions that need their schemas' required fields.
#[tokio::test]
async fn fees_fines_owners_types_accounts_and_actions() {
    let s = start().await;
    let api = Api::new(&s);
    let data = SampleData::generate(0, 0);
    api.seed(T, "/owners", &data.fee_fine_owners).await;
    api.seed(
        T,
        "/owners",
        &[json!({"owner": "Nobody's", "servicePointOwner": [{"value": U3, "label": "x"}]})],
    )
    .await;
    let v = api
        .query(
            T,
            "/owners",
            &format!("servicePointOwner=(\"{}\")", sample_data::SERVICE_POINT_CD2),
            "&limit=2147483647",
        )
        .await;
    assert_eq!(
        ids(&v, "owners"),
        vec![sample_data::FEE_FINE_OWNER.to_string()]
    );
    let v = api
        .query(
            T,
            "/feefines",
            "feeFineType==(\"Overdue fine\") and automatic==\"true\"",
            "&limit=1",
        )
        .await;
    assert_eq!(
        ids(&v, "feefines"),
        vec![feesfines::OVERDUE_FINE_TYPE_ID.to_string()]
    );
    let v = api
        .query(
            T,
            "/feefines",
            "feeFineType==(\"Overdue fine\") and automatic==\"false\"",
            "",
        )
        .await;
    assert_eq!(v["totalRecords"], json!(0));

    let account = json!({"amount": 2.5, "remaining": 2.5, "status": {"name": "Open"},
        "paymentStatus": {"name": "Outstanding"}, "userId": U1,
        "feeFineId": feesfines::OVERDUE_FINE_TYPE_ID, "ownerId": sample_data::FEE_FINE_OWNER,
        "loanId": U2});
    let mut incomplete = account.clone();
    incomplete.as_object_mut().unwrap().remove("ownerId");
    let r = api.post(T, "/accounts", &incomplete).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.json()["errors"][0]["parameters"][0]["key"],
        json!("ownerId")
    );
    let r = api.post(T, "/accounts", &account).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let stored = api.get(T, &format!("/accounts/{id}")).await.json();
    assert_eq!(stored["amount"], json!(2.5));
    let v = api
        .query(T, "/accounts", &format!("loanId==\"{U2}\""), "")
        .await;
    assert_eq!(ids(&v, "accounts"), vec![id.clone()]);
    let r = api.post(T, "/feefineactions", &json!({"userId": U1})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = api
        .post(
            T,
            "/feefineactions",
            &json!({"userId": U1, "accountId": id, "typeAction": "Overdue fine"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let v = api
        .query(T, "/feefineactions", &format!("accountId==\"{id}\""), "")
        .await;
    assert_eq!(v["feefineactions"][0]["typeAction"], json!("Overdue fine"));
    s.stop().await;
}

/// The actions API circulation closes a lost item's fees with, with mod-feesfines' refusals: an
/// unknown account (404), a request its schema refuses, an amount not refundable, an account
/// already closed (422 `actionFailureResponse`).
#[tokio::test]
async fn fees_fines_refund_and_cancel_actions() {
    let s = start().await;
    let api = Api::new(&s);
    let account = json!({"amount": 10.0, "remaining": 6.0, "status": {"name": "Open"},
        "paymentStatus": {"name": "Paid partially"}, "userId": U1, "loanId": U2,
        "feeFineId": feesfines::OVERDUE_FINE_TYPE_ID, "ownerId": sample_data::FEE_FINE_OWNER});
    let id = api.post(T, "/accounts", &account).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let paid = json!({"accountId": id, "userId": U1, "typeAction": "Paid partially",
        "amountAction": 4.0, "balance": 6.0, "paymentMethod": "Cash"});
    assert_eq!(api.post(T, "/feefineactions", &paid).await.status, 201);
    let refund = |amount: &str| {
        json!({"amount": amount, "notifyPatron": true, "servicePointId": U3,
            "userName": "Berg, Ada", "paymentMethod": "Lost item found"})
    };
    let r = api
        .post(T, &format!("/accounts/{U1}/refund"), &refund("1.00"))
        .await;
    assert_eq!(
        (r.status, r.text.as_str()),
        (404, format!("Fee/fine ID {U1} not found").as_str())
    );
    let mut nameless = refund("1.00");
    nameless.as_object_mut().unwrap().remove("userName");
    let r = api
        .post(T, &format!("/accounts/{id}/refund"), &nameless)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.json()["errors"][0]["parameters"][0]["key"], "userName");
    for (amount, message) in [
        (
            "4.01",
            "Refund amount must be greater than zero and less than or equal to Selected amount",
        ),
        ("x", "Invalid amount entered"),
        ("0", "Amount must be positive"),
    ] {
        let r = api
            .post(T, &format!("/accounts/{id}/refund"), &refund(amount))
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(
            r.json(),
            json!({"accountId": id, "amount": amount, "errorMessage": message})
        );
    }
    // Part of the payment: credited and refunded partially, the account open.
    let r = api
        .post(T, &format!("/accounts/{id}/refund"), &refund("1.5"))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let answer = r.json();
    assert_eq!(
        (
            &answer["accountId"],
            &answer["amount"],
            &answer["remainingAmount"]
        ),
        (&json!(id), &json!("1.50"), &json!("7.50"))
    );
    let kinds: Vec<&Value> = answer["feefineactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["typeAction"])
        .collect();
    assert_eq!(kinds, ["Credited partially", "Refunded partially"]);
    let stored = api.get(T, &format!("/accounts/{id}")).await.json();
    assert_eq!(
        (
            &stored["remaining"],
            &stored["status"]["name"],
            &stored["paymentStatus"]["name"]
        ),
        (&json!(7.5), &json!("Open"), &json!("Refunded partially"))
    );
    // Cancelled: the whole amount, closed; a second cancellation is refused.
    let cancel = json!({"notifyPatron": true, "servicePointId": U3, "userName": "Berg, Ada",
        "cancellationReason": "Cancelled item returned"});
    let r = api
        .post(T, &format!("/accounts/{id}/cancel"), &cancel)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let answer = r.json();
    assert_eq!(answer["remainingAmount"], "0.00");
    assert!(answer.get("amount").is_none(), "{answer}");
    let action = &answer["feefineactions"][0];
    assert_eq!(
        (
            &action["typeAction"],
            &action["amountAction"],
            &action["balance"]
        ),
        (&json!("Cancelled item returned"), &json!(10.0), &json!(0.0))
    );
    assert_eq!(
        (&action["source"], &action["createdAt"]),
        (&json!("Berg, Ada"), &json!(U3))
    );
    let stored = api.get(T, &format!("/accounts/{id}")).await.json();
    assert_eq!(
        (
            &stored["remaining"],
            &stored["status"]["name"],
            &stored["paymentStatus"]["name"]
        ),
        (
            &json!(0.0),
            &json!("Closed"),
            &json!("Cancelled item returned")
        )
    );
    let r = api
        .post(T, &format!("/accounts/{id}/cancel"), &cancel)
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"accountId": id, "errorMessage": "Fee/fine is already closed"})
    );
    s.stop().await;
}

#[tokio::test]
async fn crud_status_codes_and_bad_input() {
    let s = start().await;
    let api = Api::new(&s);
    // POST without id: one is generated; 201 with Location and body.
    let r = api
        .post(T, "/users", &json!({"barcode": "777", "active": true}))
        .await;
    assert_eq!(r.status, 201);
    let created = r.json();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(r.location.as_deref(), Some(format!("/users/{id}").as_str()));
    assert!(created["metadata"]["createdDate"].is_string());
    // Duplicate id and duplicate barcode: 422 JSON.
    let r = api
        .post(T, "/users", &json!({"id": id, "barcode": "778"}))
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = api.post(T, "/users", &json!({"barcode": "777"})).await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.json()["errors"][0]["message"].is_string());
    // PUT 204, PUT missing 404.
    let r = api
        .put(
            T,
            &format!("/users/{id}"),
            &json!({"barcode": "777", "active": false}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        api.get(T, &format!("/users/{id}")).await.json()["active"],
        json!(false)
    );
    let r = api.put(T, &format!("/users/{U3}"), &json!({})).await;
    assert_eq!(r.status, 404);
    // GET missing: 404 text/plain "Not found".
    let r = api.get(T, &format!("/users/{U3}")).await;
    assert_eq!(r.status, 404);
    assert!(r.content_type.starts_with("text/plain"));
    assert_eq!(r.text, "Not found");
    // DELETE 204 then 404.
    let path = format!("/users/{id}");
    for expected in [204, 404] {
        let r = api
            .call(reqwest::Method::DELETE, Some(T), &path, None)
            .await;
        assert_eq!(r.status, expected);
    }

    // Missing tenant: 400 text/plain.
    let r = api.call(reqwest::Method::GET, None, "/users", None).await;
    assert_eq!(r.status, 400);
    assert!(r.content_type.starts_with("text/plain"));
    // Malformed JSON: 400 text/plain.
    for body in ["{not json", "[1,2]", ""] {
        let r = api
            .call(
                reqwest::Method::POST,
                Some(T),
                "/item-storage/items",
                Some(body),
            )
            .await;
        assert_eq!(r.status, 400, "{body}");
        assert!(r.content_type.starts_with("text/plain"));
    }
    let r = api
        .call(
            reqwest::Method::PUT,
            Some(T),
            &format!("/users/{U1}"),
            Some("{"),
        )
        .await;
    assert_eq!(r.status, 400);
    // Invalid CQL and bad paging: 400 text/plain.
    for q in [
        format!("/users?query={}", enc("barcode==\"unterminated")),
        format!("/users?query={}", enc("(barcode==\"1\"")),
        format!("/users?query={}", enc("barcode== and")),
        "/users?limit=abc".to_string(),
        "/users?limit=-1".to_string(),
        "/users?offset=x".to_string(),
    ] {
        let r = api.get(T, &q).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
        assert!(r.content_type.starts_with("text/plain"), "{q}");
    }
    // A bad id in a POST body.
    let r = api
        .post(T, "/groups", &json!({"id": "not-a-uuid", "group": "x"}))
        .await;
    assert_eq!(r.status, 400);
    // Unknown path.
    assert_eq!(api.get(T, "/no-such-module").await.status, 404);
    s.stop().await;
}

#[tokio::test]
async fn tenants_are_isolated() {
    let s = start().await;
    let api = Api::new(&s);
    api.seed("tenant_a", "/users", &[json!({"id": U1, "barcode": "123"})])
        .await;
    assert_eq!(
        api.get("tenant_a", &format!("/users/{U1}")).await.status,
        200
    );
    assert_eq!(
        api.get("tenant_b", &format!("/users/{U1}")).await.status,
        404
    );
    let v = api
        .query("tenant_b", "/users", "barcode==\"123\"", "")
        .await;
    assert_eq!(v["totalRecords"], json!(0));
    // The same id can exist in both.
    api.seed("tenant_b", "/users", &[json!({"id": U1, "barcode": "999"})])
        .await;
    let v = api
        .query("tenant_a", "/users", "barcode==\"999\"", "")
        .await;
    assert_eq!(v["totalRecords"], json!(0));
    // Locale and events too.
    let r = api
        .put(
            "tenant_a",
            "/locale",
            &json!({"locale": "da-DK", "currency": "DKK", "timezone": "Europe/Copenhagen"}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        api.get("tenant_b", "/locale").await.json()["timezone"],
        json!("UTC")
    );
    api.post(
        "tenant_a",
        "/pubsub/publish",
        &json!({"id": U2, "eventType": "ITEM_CHECKED_OUT", "eventPayload": "{}"}),
    )
    .await;
    assert_eq!(s.published_events("tenant_a").len(), 1);
    assert!(s.published_events("tenant_b").is_empty());
    // An invalid tenant id is refused.
    assert_eq!(api.get("Bad-Tenant", "/users").await.status, 400);
    s.stop().await;
}

#[tokio::test]
async fn locale_and_settings_entries() {
    let s = start().await;
    let api = Api::new(&s);
    let r = api.get(T, "/locale").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"locale": "en-US", "currency": "USD", "timezone": "UTC"})
    );
    let r = api
        .put(T, "/locale", &json!({"locale": "en-US", "currency": "USD"}))
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .call(reqwest::Method::PUT, Some(T), "/locale", Some("nope"))
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .post(
            T,
            "/locale",
            &json!({"locale": "en-US", "currency": "USD", "timezone": "America/New_York"}),
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        api.get(T, "/locale").await.json()["timezone"],
        json!("America/New_York")
    );

    let lock = json!({"id": U1, "scope": "mod-circulation", "key": "checkoutLockFeature",
                      "value": {"checkOutLockFeatureEnabled": false, "noOfRetryAttempts": 30}});
    let r = api.post(T, "/settings/entries", &lock).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let other = json!({"scope": "stripes-core.prefs.manage", "key": "tenantLocaleSettings",
                       "value": "x"});
    assert_eq!(api.post(T, "/settings/entries", &other).await.status, 204);
    let v = api
        .query(
            T,
            "/settings/entries",
            "scope==\"mod-circulation\" and key==(\"checkoutLockFeature\")",
            "",
        )
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["id"], json!(U1));
    assert_eq!(v["resultInfo"]["totalRecords"], json!(1));
    assert_eq!(
        api.post(T, "/settings/entries", &lock).await.status,
        400,
        "duplicate"
    );
    let mut changed = lock.clone();
    changed["value"]["checkOutLockFeatureEnabled"] = json!(true);
    let r = api
        .put(T, &format!("/settings/entries/{U1}"), &changed)
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        api.get(T, &format!("/settings/entries/{U1}")).await.json()["value"]
            ["checkOutLockFeatureEnabled"],
        json!(true)
    );
    let r = api
        .get(T, &format!("/settings/entries?query={}", enc("scope==")))
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .call(
            reqwest::Method::DELETE,
            Some(T),
            &format!("/settings/entries/{U1}"),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        api.get(T, &format!("/settings/entries/{U1}")).await.status,
        404
    );
    s.stop().await;
}

const SP: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const SP_NONE: &str = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";

async fn surrounding(api: &Api, sp: &str, date: &str) -> Value {
    let r = api
        .get(
            T,
            &format!("/calendar/dates/{sp}/surrounding-openings?date={date}"),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["openings"].as_array().unwrap().len(), 3);
    v
}

#[tokio::test]
async fn calendar_surrounding_openings() {
    let s = start().await;
    let api = Api::new(&s);
    // No calendar: open all day, every day.
    let v = surrounding(&api, SP_NONE, "2026-03-05").await;
    assert_eq!(
        v["openings"][1],
        json!({"date": "2026-03-05", "allDay": true, "open": true, "exceptional": false,
               "openings": [{"startTime": "00:00:00", "endTime": "23:59:00"}]})
    );
    assert_eq!(v["openings"][0]["date"], json!("2026-03-04"));
    assert_eq!(v["openings"][2]["date"], json!("2026-03-06"));

    let calendar = json!({
        "name": "Spring 2026", "startDate": "2026-01-01", "endDate": "2026-06-30",
        "assignments": [SP],
        "normalHours": [
            {"startDay": "MONDAY", "startTime": "08:00", "endDay": "MONDAY", "endTime": "19:59"},
            {"startDay": "TUESDAY", "startTime": "08:00", "endDay": "TUESDAY", "endTime": "19:59"},
            {"startDay": "FRIDAY", "startTime": "09:00", "endDay": "FRIDAY", "endTime": "11:59"},
            {"startDay": "FRIDAY", "startTime": "13:00", "endDay": "FRIDAY", "endTime": "16:59"}
        ],
        "exceptions": [
            {"name": "Spring break", "startDate": "2026-03-09", "endDate": "2026-03-10", "openings": []},
            {"name": "Late opening", "startDate": "2026-03-17", "endDate": "2026-03-17",
             "openings": [{"startDate": "2026-03-17", "startTime": "12:00",
                           "endDate": "2026-03-17", "endTime": "23:59"}]}
        ]
    });
    let r = api.post(T, "/calendar/calendars", &calendar).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let cal_id = r.json()["id"].as_str().unwrap().to_string();

    // Thursday 2026-03-05 is closed: previous open day Tuesday, next Friday (two openings).
    let v = surrounding(&api, SP, "2026-03-05").await;
    assert_eq!(
        v["openings"][1],
        json!({"date": "2026-03-05", "allDay": true, "open": false, "exceptional": false,
               "openings": []})
    );
    assert_eq!(v["openings"][0]["date"], json!("2026-03-03"));
    assert_eq!(
        v["openings"][0]["openings"],
        json!([{"startTime": "08:00:00", "endTime": "19:59:00"}])
    );
    assert_eq!(v["openings"][0]["allDay"], json!(false));
    assert_eq!(v["openings"][2]["date"], json!("2026-03-06"));
    assert_eq!(v["openings"][2]["openings"].as_array().unwrap().len(), 2);
    // Monday 2026-03-09 is in the spring-break exception: closed, exceptional, named; the next
    // open day skips Tuesday's closure too and is Friday 2026-03-13.
    let v = surrounding(&api, SP, "2026-03-09").await;
    assert_eq!(v["openings"][1]["open"], json!(false));
    assert_eq!(v["openings"][1]["exceptional"], json!(true));
    assert_eq!(v["openings"][1]["exceptionName"], json!("Spring break"));
    assert_eq!(v["openings"][0]["date"], json!("2026-03-06"));
    assert_eq!(v["openings"][2]["date"], json!("2026-03-13"));
    // An exceptional opening replaces the normal hours.
    let v = surrounding(&api, SP, "2026-03-17").await;
    assert_eq!(
        v["openings"][1]["openings"],
        json!([{"startTime": "12:00:00", "endTime": "23:59:00"}])
    );
    assert_eq!(v["openings"][1]["exceptional"], json!(true));
    // Open day: itself in the middle.
    let v = surrounding(&api, SP, "2026-03-02").await;
    assert_eq!(v["openings"][1]["open"], json!(true));
    assert_eq!(v["openings"][0]["date"], json!("2026-02-27"));
    assert_eq!(v["openings"][2]["date"], json!("2026-03-03"));
    // Outside the calendar: closed, with no open day after it.
    let v = surrounding(&api, SP, "2026-08-01").await;
    assert_eq!(v["openings"][1]["open"], json!(false));
    assert_eq!(v["openings"][0]["date"], json!("2026-06-30"));
    assert_eq!(v["openings"][2]["date"], json!("2026-08-02"));
    assert_eq!(v["openings"][2]["open"], json!(false));

    // all-openings
    let r = api
        .get(
            T,
            &format!("/calendar/dates/{SP}/all-openings?startDate=2026-03-02&endDate=2026-03-08&includeClosed=false&limit=100"),
        )
        .await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["totalRecords"], json!(3));

    // Bad input: JSON errors, 400.
    for path in [
        format!("/calendar/dates/{SP}/surrounding-openings?date=2026-13-01"),
        format!("/calendar/dates/{SP}/surrounding-openings"),
        "/calendar/dates/not-a-uuid/surrounding-openings?date=2026-03-01".to_string(),
    ] {
        let r = api.get(T, &path).await;
        assert_eq!(r.status, 400, "{path}");
        assert_eq!(r.json()["errors"][0]["code"], json!("invalidRequest"));
    }
    let r = api
        .call(
            reqwest::Method::POST,
            Some(T),
            "/calendar/calendars",
            Some("{"),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .post(T, "/calendar/calendars", &json!({"name": "x"}))
        .await;
    assert_eq!(r.status, 400);
    // Overlap with an existing calendar of the same service point: 409.
    let mut overlapping = calendar.clone();
    overlapping["startDate"] = json!("2026-06-01");
    overlapping["endDate"] = json!("2026-12-31");
    let r = api.post(T, "/calendar/calendars", &overlapping).await;
    assert_eq!(r.status, 409, "{}", r.text);
    // Listing, update and delete.
    let r = api
        .get(T, &format!("/calendar/calendars?servicePointId={SP}"))
        .await;
    assert_eq!(r.json()["totalRecords"], json!(1));
    let mut changed = calendar.clone();
    changed["exceptions"] = json!([]);
    let r = api
        .put(T, &format!("/calendar/calendars/{cal_id}"), &changed)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = surrounding(&api, SP, "2026-03-09").await;
    assert_eq!(v["openings"][1]["open"], json!(true));
    let r = api
        .call(
            reqwest::Method::DELETE,
            Some(T),
            &format!("/calendar/calendars?id={cal_id}"),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let r = api.get(T, &format!("/calendar/calendars/{cal_id}")).await;
    assert_eq!(r.status, 404);
    s.stop().await;
}

#[tokio::test]
async fn pubsub_events_are_kept_per_tenant() {
    let s = start().await;
    let api = Api::new(&s);
    let event = json!({"id": U1, "eventType": "ITEM_CHECKED_OUT",
                       "eventMetadata": {"tenantId": T, "eventTTL": 1,
                                         "publishedBy": "mod-circulation-1.0.0"},
                       "eventPayload": "{\"userId\":\"u\",\"loanId\":\"l\",\"dueDate\":\"d\"}"});
    let r = api.post(T, "/pubsub/publish", &event).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = api
        .post(T, "/pubsub/publish", &json!({"eventType": "LOG_RECORD"}))
        .await;
    assert_eq!(r.status, 204);
    let events = s.published_events(T);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0], event);
    let v = api.get(T, "/pubsub/published").await.json();
    assert_eq!(v["totalRecords"], json!(2));
    assert_eq!(
        api.call(
            reqwest::Method::POST,
            Some(T),
            "/pubsub/publish",
            Some("{x")
        )
        .await
        .status,
        400
    );
    // Registration calls on tenant init are accepted.
    let r = api
        .post(
            T,
            "/pubsub/event-types/declare/publisher",
            &json!({"moduleId": "mod-circulation-1.0.0", "eventDescriptors": []}),
        )
        .await;
    assert_eq!(r.status, 201);
    s.clear_published_events(T);
    assert!(s.published_events(T).is_empty());
    s.stop().await;
}

/// Requests a fake server got: URI and headers.
type Seen = Arc<Mutex<Vec<(String, Vec<(String, String)>)>>>;

/// A fake gateway answering `/loan-storage/loans` with canned loans and recording what it got.
struct FakeLoans {
    url: String,
    seen: Seen,
    handle: actix_web::dev::ServerHandle,
}

async fn fake_loans(loans: Vec<Value>) -> FakeLoans {
    let seen: Seen = Arc::default();
    let seen2 = seen.clone();
    let loans = Arc::new(loans);
    let server = HttpServer::new(move || {
        let seen = seen2.clone();
        let loans = loans.clone();
        App::new().default_service(web::to(move |req: HttpRequest| {
            let seen = seen.clone();
            let loans = loans.clone();
            async move {
                let headers = req
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
                    .collect();
                seen.lock().unwrap().push((req.uri().to_string(), headers));
                if req.path() != "/loan-storage/loans" {
                    return HttpResponse::NotFound().body("Not found");
                }
                HttpResponse::Ok().json(json!({"loans": *loans, "totalRecords": loans.len()}))
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);
    FakeLoans {
        url: format!("http://127.0.0.1:{port}"),
        seen,
        handle,
    }
}

#[tokio::test]
async fn automated_patron_blocks_from_limits_and_open_loans() {
    let s = start().await;
    let api = Api::new(&s);
    let group = sample_data::GROUP_UNDERGRAD;
    api.seed(
        T,
        "/users",
        &[
            json!({"id": U1, "barcode": "1", "active": true, "patronGroup": group}),
            json!({"id": U2, "barcode": "2", "active": true, "patronGroup": sample_data::GROUP_STAFF}),
        ],
    )
    .await;
    // The reference conditions are there, with FOLIO's ids and messages.
    let v = api
        .get(T, "/patron-block-conditions?limit=100")
        .await
        .json();
    assert_eq!(v["totalRecords"], json!(6));
    let cond_path = format!(
        "/patron-block-conditions/{}",
        patron_blocks::MAX_ITEMS_CHARGED_OUT
    );
    let mut cond = api.get(T, &cond_path).await.json();
    cond["blockBorrowing"] = json!(true);
    assert_eq!(api.put(T, &cond_path, &cond).await.status, 204);
    api.seed(
        T,
        "/patron-block-limits",
        &[
            json!({"patronGroupId": group, "conditionId": patron_blocks::MAX_ITEMS_CHARGED_OUT, "value": 2}),
            json!({"patronGroupId": group, "conditionId": patron_blocks::MAX_OVERDUE_ITEMS, "value": 0}),
        ],
    )
    .await;

    let loans = vec![
        json!({"id": U3, "userId": U1, "status": {"name": "Open"}, "itemStatus": "Checked out",
               "dueDate": "2000-01-01T00:00:00.000+00:00"}),
        json!({"userId": U1, "status": {"name": "Open"}, "itemStatus": "Checked out",
               "dueDate": "2999-01-01T00:00:00.000+00:00"}),
    ];
    let gw = fake_loans(loans).await;
    let resp = api
        .http
        .get(format!("{}/automated-patron-blocks/{U1}", s.url()))
        .header("X-Okapi-Tenant", T)
        .header("X-Okapi-Url", &gw.url)
        .header("X-Okapi-Token", "tok")
        .header("X-Okapi-Request-Id", "req-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = resp.json().await.unwrap();
    let blocks = v["automatedPatronBlocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2, "{v}");
    assert_eq!(
        blocks[0],
        json!({"patronBlockConditionId": patron_blocks::MAX_ITEMS_CHARGED_OUT,
               "blockBorrowing": true, "blockRenewals": false, "blockRequests": false,
               "message": "The maximum number of charged out items has been reached"})
    );
    assert_eq!(
        blocks[1],
        json!({"patronBlockConditionId": patron_blocks::MAX_OVERDUE_ITEMS,
               "blockBorrowing": true, "blockRenewals": true, "blockRequests": true,
               "message": "The maximum number of overdue items has been reached"})
    );
    {
        let seen = gw.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        let (uri, headers) = &seen[0];
        let expected_query = format!(
            "/loan-storage/loans?query={}&limit=10000",
            enc(&format!("userId==\"{U1}\" and status.name==\"Open\""))
        );
        assert_eq!(uri, &expected_query);
        let h = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(h("x-okapi-tenant"), Some(T));
        assert_eq!(h("x-okapi-token"), Some("tok"));
        assert_eq!(h("x-okapi-request-id"), Some("req-1"));
    }
    // A patron of a group with no limits: no blocks and no loan lookup.
    let r = api.get(T, &format!("/automated-patron-blocks/{U2}")).await;
    assert_eq!(r.json(), json!({"automatedPatronBlocks": []}));
    let r = api.get(T, &format!("/automated-patron-blocks/{U3}")).await;
    assert_eq!(r.json(), json!({"automatedPatronBlocks": []}));
    assert_eq!(gw.seen.lock().unwrap().len(), 1);
    // Limits but no X-Okapi-Url: 400, not a panic.
    let r = api.get(T, &format!("/automated-patron-blocks/{U1}")).await;
    assert_eq!(r.status, 400);
    let r = api.get(T, "/automated-patron-blocks/nope").await;
    assert_eq!(r.status, 400);
    gw.handle.stop(true).await;
    s.stop().await;
}

#[tokio::test]
async fn fixed_latency_is_applied() {
    let s = Standins::start(StandinConfig {
        port: 0,
        kafka: None,
        latency: Latency::Fixed(Duration::from_millis(50)),
    })
    .await
    .unwrap();
    let api = Api::new(&s);
    for _ in 0..3 {
        let t0 = Instant::now();
        let r = api.get(T, "/users").await;
        assert_eq!(r.status, 200);
        assert!(
            t0.elapsed() >= Duration::from_millis(50),
            "{:?}",
            t0.elapsed()
        );
    }
    s.stop().await;
}

/// The modelled latency is precise: with a fixed 10 ms, the stand-in releases each answer
/// 10.0–10.5 ms after the request arrived (a plain tokio sleep would miss that window), and no
/// client sees an answer sooner than 10 ms. Assertions are on the minimum and the median of
/// 50 sequential requests, robust on a loaded machine.
#[tokio::test]
async fn fixed_latency_is_precise() {
    let s = Standins::start(StandinConfig {
        port: 0,
        kafka: None,
        latency: Latency::Fixed(Duration::from_millis(10)),
    })
    .await
    .unwrap();
    let api = Api::new(&s);
    api.get(T, "/users").await; // connect and warm up
    s.observe_delays(true);
    let mut seen: Vec<f64> = Vec::new();
    for _ in 0..50 {
        let t0 = Instant::now();
        let r = api.get(T, "/users").await;
        seen.push(t0.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(r.status, 200);
    }
    s.observe_delays(false);
    let mut at_standin: Vec<f64> = s
        .observed_delays()
        .iter()
        .map(|d| d.as_secs_f64() * 1000.0)
        .collect();
    assert_eq!(at_standin.len(), 50);
    at_standin.sort_by(f64::total_cmp);
    seen.sort_by(f64::total_cmp);
    let (min, median) = (at_standin[0], at_standin[25]);
    eprintln!(
        "fixed 10 ms: at the stand-in min {min:.3} median {median:.3} max {:.3} ms; \
         at the client min {:.3} median {:.3} ms",
        at_standin[49], seen[0], seen[25]
    );
    assert!(min >= 10.0, "released early: {at_standin:?}");
    assert!(median < 10.5, "not precise: {at_standin:?}");
    assert!(seen[0] >= 10.0, "answered early: {seen:?}");
    s.stop().await;
}

#[tokio::test]
async fn uniform_latency_is_at_least_its_minimum() {
    let s = Standins::start(StandinConfig {
        port: 0,
        kafka: None,
        latency: Latency::Uniform {
            min: Duration::from_millis(20),
            max: Duration::from_millis(40),
            seed: 42,
        },
    })
    .await
    .unwrap();
    let api = Api::new(&s);
    for _ in 0..3 {
        let t0 = Instant::now();
        api.get(T, "/locale").await;
        assert!(t0.elapsed() >= Duration::from_millis(20));
    }
    s.stop().await;
}

#[test]
fn descriptors_cover_every_path() {
    let ds = descriptors();
    let mut module_ids: Vec<&str> = ds.iter().map(|d| d["id"].as_str().unwrap()).collect();
    module_ids.sort();
    module_ids.dedup();
    assert_eq!(module_ids.len(), ds.len());
    let mut interfaces = std::collections::HashMap::new();
    let mut patterns = Vec::new();
    for d in &ds {
        for p in d["provides"].as_array().unwrap() {
            interfaces.insert(
                p["id"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            );
            for h in p["handlers"].as_array().unwrap() {
                patterns.push(h["pathPattern"].as_str().unwrap().to_string());
            }
        }
    }
    for (iface, version) in [
        ("users", "16.5"),
        ("item-storage", "11.2"),
        ("holdings-storage", "8.2"),
        ("instance-storage", "11.4"),
        ("locations", "3.2"),
        ("location-units", "2.1"),
        ("material-types", "2.2"),
        ("loan-types", "2.4"),
        ("service-points", "3.5"),
        ("feesfines", "19.1"),
        ("actual-cost-fee-fine", "0.3"),
        ("automated-patron-blocks", "0.1"),
        ("patron-block-limits", "0.1"),
        ("patron-block-conditions", "0.1"),
        ("calendar", "5.0"),
        ("settings", "1.2"),
        ("locale", "1.0"),
        ("pubsub-publish", "0.1"),
        ("patron-notice", "1.0"),
    ] {
        assert_eq!(
            interfaces.get(iface).map(String::as_str),
            Some(version),
            "{iface}"
        );
    }
    for p in [
        "/users",
        "/users/{id}",
        "/groups/{id}",
        "/proxiesfor",
        "/addresstypes",
        "/item-storage/items/{id}",
        "/holdings-storage/holdings/{id}",
        "/instance-storage/instances/{id}",
        "/locations/{id}",
        "/location-units/institutions/{id}",
        "/location-units/campuses/{id}",
        "/location-units/libraries/{id}",
        "/material-types/{id}",
        "/loan-types/{id}",
        "/service-points/{id}",
        "/manualblocks",
        "/overdue-fines-policies/{id}",
        "/lost-item-fees-policies/{id}",
        "/owners",
        "/feefines",
        "/accounts/{id}",
        "/accounts/{id}/refund",
        "/accounts/{id}/cancel",
        "/actual-cost-fee-fine/cancel",
        "/feefineactions",
        "/calendar/dates/{servicePointId}/all-openings",
        "/patron-block-limits",
        "/patron-block-conditions",
        "/automated-patron-blocks/{userId}",
        "/calendar/calendars",
        "/calendar/dates/{servicePointId}/surrounding-openings",
        "/locale",
        "/settings/entries",
        "/pubsub/publish",
    ] {
        assert!(patterns.iter().any(|x| x == p), "{p} missing");
    }
}

/// A fake gateway for `SampleData::load`: stand-in paths are proxied to the stand-ins,
/// circulation-storage paths are accepted and counted.
#[tokio::test]
async fn sample_data_loads_through_a_gateway() {
    let s = start().await;
    let standins_url = s.url();
    let storage_calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let calls = storage_calls.clone();
    let server = HttpServer::new(move || {
        let standins_url = standins_url.clone();
        let calls = calls.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let standins_url = standins_url.clone();
            let calls = calls.clone();
            async move {
                let path = req.path().to_string();
                if path.contains("-storage")
                    && !path.starts_with("/item-storage")
                    && !path.starts_with("/holdings-storage")
                    && !path.starts_with("/instance-storage")
                {
                    calls
                        .lock()
                        .unwrap()
                        .push(format!("{} {path}", req.method()));
                    return HttpResponse::Created().finish();
                }
                let resp = reqwest::Client::new()
                    .request(
                        reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap(),
                        format!("{standins_url}{}", req.uri()),
                    )
                    .header(
                        "X-Okapi-Tenant",
                        req.headers()
                            .get("x-okapi-tenant")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or(""),
                    )
                    .header("Content-Type", "application/json")
                    .body(body.to_vec())
                    .send()
                    .await
                    .unwrap();
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap();
                HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
                    .body(text)
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let gw_url = format!("http://127.0.0.1:{}", server.addrs()[0].port());
    let server = server.run();
    let handle = server.handle();
    tokio::spawn(server);

    let data = SampleData::generate(20, 50);
    data.load(&client(), &gw_url, T).await.expect("load");
    let api = Api::new(&s);
    let v = api
        .query(
            T,
            "/users",
            &format!("barcode==\"{}\"", data.patron_barcode(7)),
            "&limit=1",
        )
        .await;
    assert_eq!(v["users"][0]["id"], data.patron(7)["id"]);
    let v = api.get(T, "/item-storage/items?limit=0").await.json();
    assert_eq!(v["totalRecords"], json!(50));
    let v = api
        .query(
            T,
            "/item-storage/items",
            &format!("barcode==\"{}\"", data.item_barcode(49)),
            "&limit=1",
        )
        .await;
    assert_eq!(
        v["items"][0]["effectiveLocationId"],
        json!(sample_data::LOCATION_ANNEX)
    );
    // Circ Desk 2 has a calendar: Sunday 2026-03-08 is closed.
    let v = surrounding(&api, sample_data::SERVICE_POINT_CD2, "2026-03-08").await;
    assert_eq!(v["openings"][1]["open"], json!(false));
    assert_eq!(v["openings"][0]["date"], json!("2026-03-07"));
    assert_eq!(v["openings"][2]["date"], json!("2026-03-09"));
    let calls = storage_calls.lock().unwrap().clone();
    assert!(calls.contains(&"PUT /circulation-rules-storage".to_string()));
    assert_eq!(
        calls
            .iter()
            .filter(|c| !c.starts_with("GET") && c.contains("/loan-policy-storage/loan-policies"))
            .count(),
        3,
        "each policy written once (POST, or PUT when a GET by id found it): {calls:?}"
    );
    handle.stop(true).await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_under_random_latency() {
    let s = Standins::start(StandinConfig {
        port: 0,
        kafka: None,
        latency: Latency::Uniform {
            min: Duration::from_millis(1),
            max: Duration::from_millis(5),
            seed: 3,
        },
    })
    .await
    .unwrap();
    let api = Api::new(&s);
    let data = SampleData::generate(0, 300);
    let posts = data
        .items
        .iter()
        .map(|item| api.post(T, "/item-storage/items", item));
    for r in futures::future::join_all(posts).await {
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let t0 = Instant::now();
    let queries = (0..300).map(|n| {
        let barcode = data.item_barcode(n);
        let api = &api;
        async move {
            let v = api
                .query(
                    T,
                    "/item-storage/items",
                    &format!("barcode==\"{barcode}\""),
                    "&limit=1",
                )
                .await;
            (barcode, v)
        }
    });
    for (barcode, v) in futures::future::join_all(queries).await {
        assert_eq!(v["totalRecords"], json!(1));
        assert_eq!(v["items"][0]["barcode"], json!(barcode));
    }
    // 300 concurrent requests with at most 5 ms each must not be serialised.
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    s.stop().await;
}
