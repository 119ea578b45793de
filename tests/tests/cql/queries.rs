//! CQL over HTTP against circulation-storage on a real PostgreSQL, compared with expectations
//! computed independently in Rust on a deterministic seeded dataset (several hundred loans and
//! requests); plus totalRecords on a large table and EXPLAIN checks that mod-circulation's
//! queries use the schema's indexes.
use circulation_storage::db::store;
use circulation_storage::records;
use circulation_storage::routes::crud::filter_for;
use circulation_tests::http::{encode, FolioClient};
use circulation_tests::{bulk, pg, storage};
use diesel::RunQueryDsl;
use serde_json::{json, Value};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// Deterministic data

/// splitmix64: a tiny deterministic PRNG.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A valid version-4 UUID, lower case.
    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// Comments chosen to exercise folding, masking, escapes and full text. `None` = missing.
const COMMENTS: &[Option<&str>] = &[
    Some("Crème brûlée"),
    Some("creme brulee"),
    Some("CRÈME Brûlée"),
    Some("the quick brown fox"),
    Some("brown dog, quick"),
    Some("Renewed by staff"),
    Some("renewed online"),
    Some("50% off_sale"),
    Some("a*b?c"),
    Some("back\\slash"),
    Some("quote \"inside\""),
    Some(""),
    Some("Ünïcödé name"),
    Some("日本語 テスト"),
    Some("fox"),
    None,
];

const ACTIONS: &[&str] = &["checkedout", "checkedin", "renewed", "declaredLost"];
const ITEM_STATUSES: &[&str] = &["Checked out", "Available", "Declared lost", "Aged to lost"];
const OPEN: &str = "(\"Open - Not yet filled\" or \"Open - Awaiting pickup\" or \"Open - In transit\" or \"Open - Awaiting delivery\")";
const REQUEST_STATUSES: &[&str] = &[
    "Open - Not yet filled",
    "Open - Awaiting pickup",
    "Open - In transit",
    "Open - Awaiting delivery",
    "Closed - Filled",
    "Closed - Cancelled",
];
const TITLES: &[&str] = &[
    "War and Peace",
    "Peace in our time",
    "The war of the worlds",
    "Crime and Punishment",
    "A Brief History of Time",
];

#[derive(Debug, Clone)]
struct Loan {
    id: String,
    user: String,
    item: String,
    open: bool,
    action: &'static str,
    comment: Option<&'static str>,
    item_status: &'static str,
    renewals: Option<i64>,
    loan_date: String,
    due_date: String,
    proxy: Option<String>,
    service_point: String,
}

#[derive(Debug, Clone)]
struct Request {
    id: String,
    item: Option<String>,
    instance: String,
    level: &'static str,
    kind: &'static str,
    status: &'static str,
    position: i64,
    requester: String,
    title: &'static str,
    reason: Option<String>,
}

trait Record {
    fn id(&self) -> &str;
}

impl Record for Loan {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Record for Request {
    fn id(&self) -> &str {
        &self.id
    }
}

struct Data {
    users: Vec<String>,
    _items: Vec<String>,
    instances: Vec<String>,
    service_points: Vec<String>,
    reasons: Vec<String>,
    loans: Vec<Loan>,
    requests: Vec<Request>,
}

const LOANS: usize = 400;
const REQUESTS: usize = 240;

fn dataset() -> Data {
    let mut rng = Rng(20_240_601);
    let users: Vec<String> = (0..25).map(|_| rng.uuid()).collect();
    let instances: Vec<String> = (0..20).map(|_| rng.uuid()).collect();
    let items: Vec<String> = (0..60).map(|_| rng.uuid()).collect();
    let service_points: Vec<String> = (0..3).map(|_| rng.uuid()).collect();
    let reasons: Vec<String> = (0..2).map(|_| rng.uuid()).collect();
    let base = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let loans = (0..LOANS)
        .map(|i| {
            let loan_date = base + chrono::Duration::minutes(rng.below(60 * 24 * 90) as i64);
            let due_date = loan_date + chrono::Duration::days(1 + rng.below(60) as i64);
            Loan {
                id: rng.uuid(),
                user: users[rng.below(users.len() as u64) as usize].clone(),
                item: rng.uuid(),
                open: i % 3 != 0,
                action: ACTIONS[i % ACTIONS.len()],
                comment: COMMENTS[i % COMMENTS.len()],
                item_status: ITEM_STATUSES[(i / 2) % ITEM_STATUSES.len()],
                renewals: (i % 7 != 0).then_some((i % 12) as i64),
                loan_date: loan_date.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                due_date: due_date.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
                proxy: (i % 5 == 0).then(|| users[i % 7].clone()),
                service_point: service_points[i % 3].clone(),
            }
        })
        .collect();
    let mut next_position = vec![1i64; items.len() + instances.len()];
    let requests = (0..REQUESTS)
        .map(|i| {
            let title_level = i % 6 == 0;
            let item_index = rng.below(items.len() as u64) as usize;
            let instance_index = item_index % instances.len();
            // Title level requests without an item queue per instance.
            let queue = if title_level {
                items.len() + instance_index
            } else {
                item_index
            };
            let position = next_position[queue];
            next_position[queue] += 1;
            let status = REQUEST_STATUSES[(i / 3) % REQUEST_STATUSES.len()];
            Request {
                id: rng.uuid(),
                item: (!title_level).then(|| items[item_index].clone()),
                instance: instances[instance_index].clone(),
                level: if title_level { "Title" } else { "Item" },
                kind: ["Hold", "Recall", "Page"][i % 3],
                status,
                position,
                requester: users[i % users.len()].clone(),
                title: TITLES[i % TITLES.len()],
                reason: (status == "Closed - Cancelled").then(|| reasons[i % 2].clone()),
            }
        })
        .collect();
    Data {
        users,
        _items: items,
        instances,
        service_points,
        reasons,
        loans,
        requests,
    }
}

fn loan_json(l: &Loan) -> Value {
    let mut v = json!({
        "id": l.id, "userId": l.user, "itemId": l.item,
        "status": {"name": if l.open { "Open" } else { "Closed" }},
        "action": l.action, "itemStatus": l.item_status,
        "loanDate": l.loan_date, "dueDate": l.due_date,
        "checkoutServicePointId": l.service_point,
    });
    if let Some(c) = l.comment {
        v["actionComment"] = json!(c);
    }
    if let Some(r) = l.renewals {
        v["renewalCount"] = json!(r);
    }
    if let Some(p) = &l.proxy {
        v["proxyUserId"] = json!(p);
    }
    v
}

fn request_json(r: &Request) -> Value {
    let mut v = json!({
        "id": r.id, "requestLevel": r.level, "requestType": r.kind,
        "requestDate": "2024-05-01T10:00:00Z", "requesterId": r.requester,
        "instanceId": r.instance, "fulfillmentPreference": "Hold Shelf",
        "status": r.status, "position": r.position,
        "instance": {"title": r.title},
    });
    if let Some(item) = &r.item {
        v["itemId"] = json!(item);
        v["holdingsRecordId"] = json!("30000000-0000-4000-8000-000000000001");
    }
    if let Some(reason) = &r.reason {
        v["cancellationReasonId"] = json!(reason);
    }
    v
}

/// PostgreSQL's `lower(f_unaccent(x))` for the characters of this dataset (the test database
/// has the C locale: `lower` folds ASCII only).
fn fold(s: &str) -> String {
    unaccent(s).to_ascii_lowercase()
}

fn unaccent(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'è' | 'é' => 'e',
            'È' | 'É' => 'E',
            'û' => 'u',
            'Ü' => 'U',
            'ï' => 'i',
            'ö' => 'o',
            other => other,
        })
        .collect()
}

/// Words as PostgreSQL's `to_tsvector('simple', f_unaccent(x))` sees them (ASCII dataset words).
fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn has_phrase(s: Option<&str>, phrase: &[&str]) -> bool {
    let Some(s) = s else { return false };
    let w = words(s);
    w.windows(phrase.len()).any(|win| {
        win.iter()
            .zip(phrase)
            .all(|(a, b)| match b.strip_suffix('*') {
                Some(prefix) => a.starts_with(prefix),
                None => a == b,
            })
    })
}

// ---------------------------------------------------------------------------------------------
// Harness

struct Suite {
    client: FolioClient,
    data: Data,
}

async fn enable(client: &FolioClient) {
    storage::enable_tenant(client, false).await;
}

async fn post_all(client: &FolioClient, path: &str, bodies: Vec<Value>) {
    for chunk in bodies.chunks(16) {
        let replies = futures::future::join_all(chunk.iter().map(|b| client.post(path, b))).await;
        for (reply, body) in replies.iter().zip(chunk) {
            assert_eq!(reply.status, 201, "{path} {body}: {}", reply.body);
        }
    }
}

async fn suite(tenant: &str) -> Suite {
    let url = storage::start_in_process(pg::shared()).expect("storage starts");
    let client = FolioClient::new(&url, tenant);
    enable(&client).await;
    let data = dataset();
    let reasons = data
        .reasons
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"id": id, "name": format!("reason {i}"), "requiresAdditionalInformation": false}))
        .collect();
    post_all(
        &client,
        "/cancellation-reason-storage/cancellation-reasons",
        reasons,
    )
    .await;
    post_all(
        &client,
        "/loan-storage/loans",
        data.loans.iter().map(loan_json).collect(),
    )
    .await;
    post_all(
        &client,
        "/request-storage/requests",
        data.requests.iter().map(request_json).collect(),
    )
    .await;
    Suite { client, data }
}

/// GET a page; returns (records, totalRecords).
async fn page(
    client: &FolioClient,
    path: &str,
    key: &str,
    query: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Value>, i64), String> {
    let url = format!(
        "{path}?query={}&limit={limit}&offset={offset}",
        encode(query)
    );
    let reply = client.get(&url).await;
    if reply.status != 200 {
        return Err(format!("{} {}", reply.status, reply.body));
    }
    let body = reply.json();
    Ok((
        body[key].as_array().cloned().unwrap_or_default(),
        body["totalRecords"].as_i64().expect("totalRecords"),
    ))
}

fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

type Case<T> = (String, Box<dyn Fn(&T) -> bool>);
type LoanCase = Case<Loan>;
type RequestCase = Case<Request>;

/// Runs set-valued cases; collects every mismatch before failing.
async fn check_sets<T: Record>(
    client: &FolioClient,
    path: &str,
    key: &str,
    records: &[T],
    cases: Vec<Case<T>>,
) -> usize {
    let mut failures = Vec::new();
    let n = cases.len();
    for (query, want) in cases {
        let expected: BTreeSet<String> = records
            .iter()
            .filter(|r| want(r))
            .map(|r| r.id().to_string())
            .collect();
        match page(client, path, key, &query, 1000, 0).await {
            Err(e) => failures.push(format!("{query}: {e}")),
            Ok((got, total)) => {
                let got: BTreeSet<String> = ids(&got).into_iter().collect();
                if got != expected || total != expected.len() as i64 {
                    failures.push(format!(
                        "{query}: expected {} records, got {} (totalRecords {total}); missing {:?}, unexpected {:?}",
                        expected.len(),
                        got.len(),
                        expected.difference(&got).take(3).collect::<Vec<_>>(),
                        got.difference(&expected).take(3).collect::<Vec<_>>()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    n
}

fn case<T, F: Fn(&T) -> bool + 'static>(q: impl Into<String>, f: F) -> Case<T> {
    (q.into(), Box::new(f))
}

// ---------------------------------------------------------------------------------------------
// Tests

#[actix_web::test]
async fn cql_selects_the_expected_records() {
    let s = suite("cql_sets").await;
    let d = &s.data;
    let u0 = d.users[0].clone();
    let u1 = d.users[1].clone();
    let u2 = d.users[2].clone();
    let l0 = d.loans[0].clone();
    let l1 = d.loans[1].clone();
    let sp = d.service_points[1].clone();
    let id_prefix = l0.id[..4].to_string();
    let c = |l: &Loan| l.comment.map(fold);
    let comment_is = |want: &'static [usize]| {
        move |l: &Loan| {
            want.iter()
                .any(|&i| COMMENTS[i].is_some() && l.comment == COMMENTS[i])
        }
    };

    let loan_cases: Vec<LoanCase> = vec![
        // all records
        case("cql.allRecords=1", |_| true),
        case("id=*", |_| true),
        case("actionComment=*", |_| true),
        // == with the default folding (no index: lower + unaccent)
        case("actionComment==\"creme brulee\"", comment_is(&[0, 1, 2])),
        case("actionComment==\"CRÈME BRÛLÉE\"", comment_is(&[0, 1, 2])),
        case("actionComment==/string \"creme brulee\"", comment_is(&[0, 1, 2])),
        case("actionComment==/respectCase \"creme brulee\"", comment_is(&[1])),
        case("actionComment==/respectCase \"Creme brulee\"", comment_is(&[0])),
        case("actionComment==/respectCase/respectAccents \"Crème brûlée\"", comment_is(&[0])),
        case("actionComment==/respectAccents \"crème brûlée\"", comment_is(&[0])),
        case("actionComment==/ignoreCase/ignoreAccents \"CREME BRULEE\"", comment_is(&[0, 1, 2])),
        case("actionComment==/respectAccents/ignoreCase \"creme brulee\"", comment_is(&[1])),
        // masking
        case("actionComment==/masked \"crem*\"", comment_is(&[0, 1, 2])),
        case("actionComment==\"*quick*\"", comment_is(&[3, 4])),
        case("actionComment==\"?ox\"", comment_is(&[14])),
        case("actionComment==\"*o?\"", move |l: &Loan| c(l).is_some_and(|s| s.len() >= 2 && s.as_bytes()[s.len() - 2] == b'o')),
        case("actionComment==\"a*c\"", comment_is(&[8])),
        case("actionComment==*", |l: &Loan| l.comment.is_some()),
        // % and _ are literal, \ masks * ? " \
        case("actionComment==\"50% off_sale\"", comment_is(&[7])),
        case("actionComment==\"50_ off%sale\"", |_| false),
        case("actionComment==\"a\\*b\\?c\"", comment_is(&[8])),
        case("actionComment==\"a\\*b?c\"", comment_is(&[8])),
        case("actionComment==\"a\\*\"", |_| false),
        case("actionComment==\"back\\\\slash\"", comment_is(&[9])),
        case("actionComment==\"quote \\\"inside\\\"\"", comment_is(&[10])),
        case("actionComment==\"日本語 テスト\"", comment_is(&[13])),
        // "" : present and empty (==), present (=)
        case("actionComment==\"\"", comment_is(&[11])),
        case("actionComment=\"\"", |l: &Loan| l.comment.is_some()),
        case("proxyUserId=\"\"", |l: &Loan| l.proxy.is_some()),
        case("proxyUserId==\"\"", |_| false),
        // <> (a missing field never matches)
        case("actionComment<>\"fox\"", move |l: &Loan| c(l).is_some_and(|s| s != "fox")),
        case("actionComment<>\"*o*\"", move |l: &Loan| c(l).is_some_and(|s| !s.contains('o'))),
        // full text: = adj all any
        case("actionComment=\"quick brown\"", |l: &Loan| has_phrase(l.comment, &["quick", "brown"])),
        case("actionComment adj \"quick brown\"", |l: &Loan| has_phrase(l.comment, &["quick", "brown"])),
        case("actionComment all \"quick brown\"", |l: &Loan| has_phrase(l.comment, &["quick"]) && has_phrase(l.comment, &["brown"])),
        case("actionComment all \"brown quick\"", |l: &Loan| has_phrase(l.comment, &["quick"]) && has_phrase(l.comment, &["brown"])),
        case("actionComment any \"dog fox\"", |l: &Loan| has_phrase(l.comment, &["dog"]) || has_phrase(l.comment, &["fox"])),
        case("actionComment=\"renew*\"", |l: &Loan| has_phrase(l.comment, &["renew*"])),
        case("actionComment=RENEWED", |l: &Loan| has_phrase(l.comment, &["renewed"])),
        case("actionComment=\"creme\"", comment_is(&[0, 1, 2])),
        case("actionComment=\"unicode\"", comment_is(&[12])),
        case("actionComment=fox", |l: &Loan| has_phrase(l.comment, &["fox"])),
        // btree-indexed fields (RMB's left(...,600) CASE form)
        case(format!("userId==\"{u0}\""), { let u = u0.clone(); move |l: &Loan| l.user == u }),
        case(format!("userId==\"{}\"", u0.to_uppercase()), { let u = u0.clone(); move |l: &Loan| l.user == u }),
        case(format!("userId=\"{u0}\""), { let u = u0.clone(); move |l: &Loan| l.user == u }),
        case(format!("userId<>\"{u0}\""), { let u = u0.clone(); move |l: &Loan| l.user != u }),
        case(format!("userId==(\"{u0}\" or \"{u1}\" or \"{u2}\")"), { let us = [u0.clone(), u1.clone(), u2.clone()]; move |l: &Loan| us.contains(&l.user) }),
        case(format!("itemId==\"{}\"", l1.item), { let i = l1.item.clone(); move |l: &Loan| l.item == i }),
        case(format!("itemId==\"{}*\"", &l1.item[..6]), { let p = l1.item[..6].to_string(); move |l: &Loan| l.item.starts_with(&p) }),
        case("itemStatus==\"checked out\"", |l: &Loan| l.item_status == "Checked out"),
        case("itemStatus==\"*lost\"", |l: &Loan| l.item_status.ends_with("lost")),
        case("action==checkedout", |l: &Loan| l.action == "checkedout"),
        case("action==CHECKEDOUT", |l: &Loan| l.action == "checkedout"),
        case("action==/respectCase CHECKEDOUT", |_| false),
        case(format!("checkoutServicePointId==\"{sp}\""), { let sp = sp.clone(); move |l: &Loan| l.service_point == sp }),
        // comparisons: text (dates as ISO strings), numbers with /number
        case("dueDate<\"2024-03-01\"", |l: &Loan| l.due_date.to_lowercase().as_str() < "2024-03-01"),
        case("dueDate>=\"2024-03-01T05\"", |l: &Loan| l.due_date.to_lowercase().as_str() >= "2024-03-01t05"),
        case("loanDate>\"2024-02-10T00:00:00Z\" and loanDate<=\"2024-02-20T00:00:00Z\"",
            |l: &Loan| l.loan_date.as_str() > "2024-02-10T00:00:00Z" && l.loan_date.as_str() <= "2024-02-20T00:00:00Z"),
        case("loanDate within \"2024-02-10T00:00:00Z 2024-02-20T00:00:00Z\"",
            |l: &Loan| l.loan_date.as_str() >= "2024-02-10T00:00:00Z" && l.loan_date.as_str() <= "2024-02-20T00:00:00Z"),
        case("renewalCount within/number \"2 4\"", |l: &Loan| l.renewals.is_some_and(|r| (2..=4).contains(&r))),
        case("renewalCount==/number 3", |l: &Loan| l.renewals == Some(3)),
        case("renewalCount=/number 3.0", |l: &Loan| l.renewals == Some(3)),
        case("renewalCount<>/number 3", |l: &Loan| l.renewals.is_some_and(|r| r != 3)),
        case("renewalCount>/number 9", |l: &Loan| l.renewals.is_some_and(|r| r > 9)),
        case("renewalCount<=/number 2", |l: &Loan| l.renewals.is_some_and(|r| r <= 2)),
        case("renewalCount>=/number 10.5", |l: &Loan| l.renewals.is_some_and(|r| r >= 11)),
        case("renewalCount<\"3\"", |l: &Loan| l.renewals.is_some_and(|r| r.to_string().as_str() < "3")),
        case("renewalCount>\"5\"", |l: &Loan| l.renewals.is_some_and(|r| r.to_string().as_str() > "5")),
        // status
        case("status.name==\"Open\"", |l: &Loan| l.open),
        case("status.name==open", |l: &Loan| l.open),
        case("status.name==\"Op*\"", |l: &Loan| l.open),
        case("status.name<>\"Open\"", |l: &Loan| !l.open),
        case("status.name=closed", |l: &Loan| !l.open),
        // booleans: case-insensitive operators, not, nesting, X or f=*
        case(format!("status.name==\"Open\" and userId==\"{u0}\""), { let u = u0.clone(); move |l: &Loan| l.open && l.user == u }),
        case(format!("status.name==\"Open\" AND userId==\"{u0}\""), { let u = u0.clone(); move |l: &Loan| l.open && l.user == u }),
        case(format!("userId==\"{u0}\" or userId==\"{u1}\""), { let (a, b) = (u0.clone(), u1.clone()); move |l: &Loan| l.user == a || l.user == b }),
        case(format!("userId==\"{u0}\" OR userId==\"{u1}\""), { let (a, b) = (u0.clone(), u1.clone()); move |l: &Loan| l.user == a || l.user == b }),
        case(format!("status.name==\"Open\" not userId==\"{u0}\""), { let u = u0.clone(); move |l: &Loan| l.open && l.user != u }),
        case(format!("status.name==\"Open\" NOT userId==\"{u0}\""), { let u = u0.clone(); move |l: &Loan| l.open && l.user != u }),
        case("cql.allRecords=1 not actionComment==\"fox\"", |l: &Loan| l.comment != Some("fox")),
        case("cql.allRecords=1 not renewalCount>/number 5", |l: &Loan| l.renewals.is_none_or(|r| r <= 5)),
        case(format!("(userId==\"{u0}\" or userId==\"{u1}\") and (action==renewed or (status.name==Closed and renewalCount>=/number 5))"),
            { let (a, b) = (u0.clone(), u1.clone()); move |l: &Loan| (l.user == a || l.user == b) && (l.action == "renewed" || (!l.open && l.renewals.is_some_and(|r| r >= 5))) }),
        case(format!("userId==\"{u0}\" or (action==checkedin not (status.name==Closed))"),
            { let a = u0.clone(); move |l: &Loan| l.user == a || (l.action == "checkedin" && l.open) }),
        case(format!("((((userId==\"{u0}\"))))"), { let u = u0.clone(); move |l: &Loan| l.user == u }),
        case(format!("userId==\"{u0}\" or actionComment=*"), { let u = u0.clone(); move |l: &Loan| l.user == u }),
        case(format!("userId==\"{u0}\" and status.name==Open or userId==\"{u1}\""),
            { let (a, b) = (u0.clone(), u1.clone()); move |l: &Loan| (l.user == a && l.open) || l.user == b }),
        // id (the uuid column)
        case(format!("id==\"{}\"", l0.id), { let i = l0.id.clone(); move |l: &Loan| l.id == i }),
        case(format!("id={}", l0.id), { let i = l0.id.clone(); move |l: &Loan| l.id == i }),
        case(format!("id==\"{}\"", l0.id.to_uppercase()), { let i = l0.id.clone(); move |l: &Loan| l.id == i }),
        case(format!("id==(\"{}\" or \"{}\")", l0.id, l1.id), { let (a, b) = (l0.id.clone(), l1.id.clone()); move |l: &Loan| l.id == a || l.id == b }),
        case(format!("id<>\"{}\"", l0.id), { let i = l0.id.clone(); move |l: &Loan| l.id != i }),
        case(format!("id>\"{}\"", l0.id), { let i = l0.id.clone(); move |l: &Loan| l.id > i }),
        case(format!("id<=\"{}\"", l0.id), { let i = l0.id.clone(); move |l: &Loan| l.id <= i }),
        case(format!("id==\"{id_prefix}*\""), { let p = id_prefix.clone(); move |l: &Loan| l.id.starts_with(&p) }),
        case("id==\"not-a-uuid\"", |_| false),
        case("id==\"'; drop table loan; --\"", |_| false),
        case("id==\"\"", |_| false),
    ];
    let n_loans = check_sets(
        &s.client,
        "/loan-storage/loans",
        "loans",
        &d.loans,
        loan_cases,
    )
    .await;

    let item = d
        .requests
        .iter()
        .find(|r| r.item.is_some())
        .unwrap()
        .item
        .clone()
        .unwrap();
    let instance = d.instances[3].clone();
    let r1 = d.reasons[0].clone();
    let is_open = |r: &Request| r.status.starts_with("Open");
    let request_cases: Vec<RequestCase> = vec![
        case(format!("(itemId==\"{item}\") and status=={OPEN} and requestLevel==(\"Item\")"),
            { let i = item.clone(); move |r: &Request| r.item.as_deref() == Some(i.as_str()) && is_open(r) && r.level == "Item" }),
        case(format!("(instanceId==\"{instance}\") and status=={OPEN} and requestLevel==(\"Item\" or \"Title\")"),
            { let i = instance.clone(); move |r: &Request| r.instance == i && is_open(r) }),
        case(format!("itemIdEq==\"{item}\""), { let i = item.clone(); move |r: &Request| r.item.as_deref() == Some(i.as_str()) }),
        case(format!("itemIdEq==\"{}\"", item.to_uppercase()), |_| false),
        case(format!("itemId==\"{}\"", item.to_uppercase()), { let i = item.clone(); move |r: &Request| r.item.as_deref() == Some(i.as_str()) }),
        case("status==\"Open*\"", is_open),
        case("status=open", is_open),
        case("status=\"closed cancelled\"", |r: &Request| r.status == "Closed - Cancelled"),
        case("status==\"open - awaiting pickup\"", |r: &Request| r.status == "Open - Awaiting pickup"),
        case("status==\"Open - ?n*\"", |r: &Request| r.status == "Open - In transit"),
        case("requestType==Hold and requestLevel==Item", |r: &Request| r.kind == "Hold" && r.level == "Item"),
        case("requestLevel==Title not requestType==Page", |r: &Request| r.level == "Title" && r.kind != "Page"),
        case("itemId=\"\"", |r: &Request| r.item.is_some()),
        case("cql.allRecords=1 not itemId=\"\"", |r: &Request| r.item.is_none()),
        case(format!("cancellationReasonId==\"{r1}\""), { let x = r1.clone(); move |r: &Request| r.reason.as_deref() == Some(x.as_str()) }),
        case("cancellationReasonId=*", |r: &Request| r.reason.is_some()),
        case(format!("cancellationReasonId<>\"{r1}\""), { let x = r1.clone(); move |r: &Request| r.reason.as_ref().is_some_and(|v| *v != x) }),
        case("cancellationReasonId==\"nonsense\"", |_| false),
        case("position==/number 1", |r: &Request| r.position == 1),
        case("position>/number 3 and position</number 6", |r: &Request| r.position > 3 && r.position < 6),
        case("position==1", |r: &Request| r.position == 1),
        case("instance.title=\"war\"", |r: &Request| has_phrase(Some(r.title), &["war"])),
        case("instance.title=\"war and peace\"", |r: &Request| r.title == "War and Peace"),
        case("instance.title all \"peace war\"", |r: &Request| r.title == "War and Peace"),
        case("instance.title any \"peace time\"", |r: &Request| ["peace", "time"].iter().any(|w| has_phrase(Some(r.title), &[w]))),
        case("instance.title adj \"of time\"", |r: &Request| has_phrase(Some(r.title), &["of", "time"])),
        case("instance.title==\"*time\"", |r: &Request| r.title.to_lowercase().ends_with("time")),
    ];
    let n_requests = check_sets(
        &s.client,
        "/request-storage/requests",
        "requests",
        &d.requests,
        request_cases,
    )
    .await;
    println!("{n_loans} loan and {n_requests} request CQL cases passed");
}

/// Checks a sorted query: the same records as expected, and the sort keys in expected order
/// (ties may come in any order).
async fn check_sorted<T: Record, K: Ord + std::fmt::Debug>(
    client: &FolioClient,
    path: &str,
    key: &str,
    records: &[T],
    query: &str,
    filter: impl Fn(&T) -> bool,
    sort_key: impl Fn(&T) -> K,
) {
    let mut expected: Vec<&T> = records.iter().filter(|r| filter(r)).collect();
    expected.sort_by_key(|r| sort_key(r));
    let (got, total) = page(client, path, key, query, 1000, 0)
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    assert_eq!(total, expected.len() as i64, "{query}");
    let by_id = |id: &str| records.iter().find(|r| r.id() == id).unwrap();
    let got_keys: Vec<K> = ids(&got).iter().map(|id| sort_key(by_id(id))).collect();
    let want_keys: Vec<K> = expected.iter().map(|r| sort_key(r)).collect();
    assert_eq!(got_keys, want_keys, "{query}");
    let got_ids: BTreeSet<String> = ids(&got).into_iter().collect();
    let want_ids: BTreeSet<String> = expected.iter().map(|r| r.id().to_string()).collect();
    assert_eq!(got_ids, want_ids, "{query}");
}

#[actix_web::test]
async fn sorting_paging_and_total_records() {
    let s = suite("cql_sort").await;
    let d = &s.data;
    let c = &s.client;
    let loans = "/loan-storage/loans";
    use std::cmp::Reverse;

    // NULLs (missing) sort last ascending, first descending.
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "cql.allRecords=1 sortBy renewalCount/number",
        |_| true,
        |l| (l.renewals.is_none(), l.renewals),
    )
    .await;
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "cql.allRecords=1 sortBy renewalCount/number/sort.descending",
        |_| true,
        |l| Reverse((l.renewals.is_none(), l.renewals)),
    )
    .await;
    // Text ordering even for numbers without /number: "10" < "2".
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "renewalCount=\"\" sortBy renewalCount",
        |l| l.renewals.is_some(),
        |l| l.renewals.map(|r| r.to_string()),
    )
    .await;
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "cql.allRecords=1 sortBy actionComment",
        |_| true,
        |l| (l.comment.is_none(), l.comment.map(fold)),
    )
    .await;
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "cql.allRecords=1 SORTBY actionComment/sort.descending",
        |_| true,
        |l| Reverse((l.comment.is_none(), l.comment.map(fold))),
    )
    .await;
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "actionComment=\"\" sortBy actionComment/respectCase",
        |l| l.comment.is_some(),
        |l| l.comment.map(unaccent),
    )
    .await;
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "cql.allRecords=1 sortBy userId loanDate/sort.descending",
        |_| true,
        |l| (l.user.clone(), Reverse(l.loan_date.to_lowercase())),
    )
    .await;
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "status.name==Open sortBy dueDate/sort.descending renewalCount/number/sort.ascending",
        |l| l.open,
        |l| {
            (
                Reverse(l.due_date.to_lowercase()),
                l.renewals.is_none(),
                l.renewals,
            )
        },
    )
    .await;
    check_sorted(
        c,
        loans,
        "loans",
        &d.loans,
        "cql.allRecords=1 sortBy id/sort.descending",
        |_| true,
        |l| Reverse(l.id.clone()),
    )
    .await;

    // The request queue as mod-circulation reads it, position as text unless /number.
    let item = d
        .requests
        .iter()
        .find(|r| r.item.is_some())
        .unwrap()
        .item
        .clone()
        .unwrap();
    let requests = "/request-storage/requests";
    let queue_query = format!("(itemId==\"{item}\") and status=={OPEN} and requestLevel==(\"Item\") sortBy position/sort.ascending");
    check_sorted(
        c,
        requests,
        "requests",
        &d.requests,
        &queue_query,
        |r| {
            r.item.as_deref() == Some(item.as_str())
                && r.status.starts_with("Open")
                && r.level == "Item"
        },
        |r| r.position.to_string(),
    )
    .await;
    let instance = d.instances[3].clone();
    let tlr_query = format!("(instanceId==\"{instance}\") and status=={OPEN} and requestLevel==(\"Item\" or \"Title\") sortBy position/sort.ascending");
    check_sorted(
        c,
        requests,
        "requests",
        &d.requests,
        &tlr_query,
        |r| r.instance == instance && r.status.starts_with("Open"),
        |r| r.position.to_string(),
    )
    .await;
    check_sorted(
        c,
        requests,
        "requests",
        &d.requests,
        "cql.allRecords=1 sortBy position/number/sort.descending requestType",
        |_| true,
        |r| (Reverse(r.position), r.kind.to_lowercase()),
    )
    .await;

    // Paging walks the sorted list; totalRecords is exact (fewer than 1000 matches).
    let mut all: Vec<String> = d.loans.iter().map(|l| l.id.clone()).collect();
    all.sort();
    for (limit, offset) in [
        (50, 0),
        (50, 50),
        (7, 393),
        (50, 380),
        (1, 0),
        (1, 399),
        (400, 0),
        (1000, 0),
    ] {
        let (got, total) = page(
            c,
            loans,
            "loans",
            "cql.allRecords=1 sortBy id",
            limit,
            offset,
        )
        .await
        .unwrap();
        let end = (offset + limit).min(all.len() as i64) as usize;
        assert_eq!(
            ids(&got),
            all[offset as usize..end].to_vec(),
            "limit {limit} offset {offset}"
        );
        assert_eq!(total, LOANS as i64, "limit {limit} offset {offset}");
    }
    for (limit, offset) in [(10, 400), (10, 5000), (0, 0), (0, 390)] {
        let (got, total) = page(c, loans, "loans", "cql.allRecords=1", limit, offset)
            .await
            .unwrap();
        assert!(got.is_empty(), "limit {limit} offset {offset}");
        assert_eq!(total, LOANS as i64, "limit {limit} offset {offset}");
    }
    // No query at all: every record, default limit 10.
    let reply = c.get(loans).await;
    assert_eq!(reply.json()["loans"].as_array().unwrap().len(), 10);
    assert_eq!(reply.json()["totalRecords"], LOANS as i64);
    let u = d.users[0].clone();
    let n_u = d.loans.iter().filter(|l| l.open && l.user == u).count() as i64;
    let q = format!("status.name==\"Open\" and userId==\"{u}\"");
    for (limit, offset) in [(1, 0), (2, 1), (10000, 0), (0, 0), (5, 100)] {
        let (got, total) = page(c, loans, "loans", &q, limit, offset).await.unwrap();
        assert_eq!(total, n_u, "limit {limit} offset {offset}");
        assert_eq!(
            got.len() as i64,
            (n_u - offset).clamp(0, limit),
            "limit {limit} offset {offset}"
        );
    }
}

#[actix_web::test]
async fn bad_cql_is_400_text_plain_with_the_parser_message() {
    let url = storage::start_in_process(pg::shared()).expect("storage starts");
    let client = FolioClient::new(&url, "cql_bad");
    enable(&client).await;
    for query in [
        "status.name==",
        "(status.name==Open",
        "status.name==Open)",
        "a prox b",
        "a=b prox c=d",
        "justaterm",
        "a within b",
        "a==/unmasked b",
        "a==/regexp b",
        "a==/@name=x b",
        "a=\"b?c\"",
        "renewalCount</number abc",
        "id<\"not-a-uuid\"",
        "id==/respectCase x",
        "id adj x",
        "\"unterminated",
        "a..b==c",
        "a==b sortBy",
        "a==b sortBy x/sort.sideways",
        "jsonb->>'x'==1",
        "status.name==Open and",
    ] {
        for path in ["/loan-storage/loans", "/request-storage/requests"] {
            let reply = client.get(&format!("{path}?query={}", encode(query))).await;
            assert_eq!(reply.status, 400, "{query}: {}", reply.body);
            assert!(
                reply
                    .content_type
                    .as_deref()
                    .unwrap_or_default()
                    .starts_with("text/plain"),
                "{query}: {:?}",
                reply.content_type
            );
            assert!(
                reply.body.starts_with("Invalid CQL query: "),
                "{query}: {}",
                reply.body
            );
            for sql_text in [
                "syntax error at or near",
                "ERROR:",
                "relation \"",
                "column \"",
            ] {
                assert!(!reply.body.contains(sql_text), "{query}: {}", reply.body);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Large tables: estimated totals and index use

fn plan_nodes(plan: &Value, out: &mut Vec<(String, String, String)>) {
    out.push((
        plan["Node Type"].as_str().unwrap_or_default().to_string(),
        plan["Index Name"].as_str().unwrap_or_default().to_string(),
        plan["Relation Name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ));
    for child in plan["Plans"].as_array().into_iter().flatten() {
        plan_nodes(child, out);
    }
}

#[actix_web::test]
async fn large_tables_use_the_indexes_and_estimate_totals() {
    let url = storage::start_in_process(pg::shared()).expect("storage starts");
    let client = FolioClient::new(&url, "cql_big");
    enable(&client).await;
    let mut conn = bulk::connect_tenant(pg::shared(), "cql_big");
    bulk::insert_loans(&mut conn, 20_000, 2_000).unwrap();
    bulk::insert_requests(&mut conn, 20_000, 5_000).unwrap();
    bulk::analyze(&mut conn, "loan").unwrap();
    bulk::analyze(&mut conn, "request").unwrap();
    // Many settings, so that using the name index matters (a real tenant has a handful).
    diesel::sql_query(
        "INSERT INTO circulation_settings (id, jsonb) SELECT gen_random_uuid(), \
         jsonb_build_object('name', 'setting-' || g, 'value', jsonb_build_object('n', g)) \
         FROM generate_series(1, 20000) g",
    )
    .execute(&mut conn)
    .unwrap();
    bulk::analyze(&mut conn, "circulation_settings").unwrap();

    let user = bulk::user_id(17);
    let item = bulk::item_id(42);
    let request_item = bulk::item_id(4_242);
    let instance = bulk::instance_id(42);
    let loan_table = &records::LOANS.cql;
    let request_table = &records::REQUESTS.cql;
    let settings_table = &records::CIRCULATION_SETTINGS.cql;
    // mod-circulation's check-out queries (and a few more).
    let cases: Vec<(String, &circulation_storage::cql::sql::TableConfig, &[&str], &str)> = vec![
        (
            format!("status.name==\"Open\" and itemId==\"{item}\""),
            loan_table,
            &["loan_itemid_idx_unique", "loan_itemid_idx_like", "loan_itemid_idx"],
            "loan",
        ),
        (format!("itemId==\"{item}\""), loan_table, &["loan_itemid_idx_like", "loan_itemid_idx", "loan_itemid_idx_unique"], "loan"),
        (format!("status.name==\"Open\" and userId==\"{user}\""), loan_table, &["loan_userid_idx"], "loan"),
        (format!("userId==\"{user}\" and status.name==\"Open\""), loan_table, &["loan_userid_idx"], "loan"),
        (format!("userId==\"{user}\""), loan_table, &["loan_userid_idx"], "loan"),
        (
            format!("itemId==\"{request_item}\" and status=={OPEN} and requestLevel==(\"Item\") sortBy position/sort.ascending"),
            request_table,
            &["request_itemid_idx", "request_itemid_position_idx_unique"],
            "request",
        ),
        (
            format!("(itemId==\"{request_item}\" or instanceId==\"{instance}\") and status=={OPEN} and requestLevel==(\"Item\" or \"Title\") sortBy position/sort.ascending"),
            request_table,
            &["request_itemid_idx", "request_instanceid_idx"],
            "request",
        ),
        (
            format!("(instanceId==\"{instance}\") and status=={OPEN} and requestLevel==(\"Item\" or \"Title\") sortBy position/sort.ascending"),
            request_table,
            &["request_instanceid_idx"],
            "request",
        ),
        (format!("itemIdEq==\"{request_item}\""), request_table, &["request_itemideq_idx"], "request"),
        (
            "name==(\"TLR\" or \"generalTlr\" or \"regularTlr\")".to_string(),
            settings_table,
            &["circulation_settings_name_idx_unique"],
            "circulation_settings",
        ),
    ];
    let no_seq_scan = |query: &str, what: &str, plan: &Value, relation: &str, expected: &[&str]| {
        let mut nodes = Vec::new();
        plan_nodes(&plan[0]["Plan"], &mut nodes);
        assert!(
            !nodes
                .iter()
                .any(|(kind, _, rel)| kind == "Seq Scan" && rel == relation),
            "{query}: sequential scan in {what}: {nodes:?}"
        );
        assert!(
            nodes.iter().any(
                |(kind, index, _)| kind.contains("Index") && expected.contains(&index.as_str())
            ),
            "{query}: none of {expected:?} used in {what}: {nodes:?}"
        );
    };
    for (query, table, expected_indexes, relation) in &cases {
        let filter = filter_for(Some(query), table).unwrap();
        let order = filter
            .order_by
            .as_ref()
            .map(|o| format!(" ORDER BY {o}"))
            .unwrap_or_default();
        let sql = format!(
            "SELECT jsonb FROM {relation} WHERE {}{order} LIMIT 1000",
            filter.where_clause
        );
        let plan = bulk::explain(&mut conn, &sql, &filter.params);
        no_seq_scan(query, &sql, &plan, relation, expected_indexes);
        // The module's own statement (page + capped count), as it runs it: a prepared statement,
        // here after more executions than PostgreSQL needs to consider a generic plan. Its
        // LIKE patterns are parameters, and a generic plan cannot turn them into btree index
        // conditions; PostgreSQL keeps custom plans as long as they are cheaper, which on
        // tables of this size they are by far.
        let module_sql = store::search_sql(relation, &filter);
        let (plan, (generic, custom)) = bulk::explain_prepared(
            &mut conn,
            "cql_case",
            &module_sql,
            &filter.params,
            &[10, 0],
            12,
        );
        no_seq_scan(
            query,
            &format!("the module's statement after 12 executions ({generic} generic, {custom} custom plans)"),
            &plan,
            relation,
            expected_indexes,
        );
    }
    // A fresh client: the first one's idle connection went stale during the blocking SQL.
    let client = FolioClient::new(&url, "cql_big");
    // totalRecords: exact below 1000 matches, estimated (and at least 1000) above, corrected
    // against the page.
    let loans = "/loan-storage/loans";
    let (got, total) = page(&client, loans, "loans", "cql.allRecords=1", 10, 0)
        .await
        .unwrap();
    assert_eq!(got.len(), 10);
    assert!((18_000..=22_000).contains(&total), "estimate {total}");
    let (_, total) = page(&client, loans, "loans", "cql.allRecords=1", 0, 0)
        .await
        .unwrap();
    assert_eq!(total, 20_000, "limit 0 counts exactly");
    let (_, total) = page(&client, loans, "loans", "status.name==Open", 10, 0)
        .await
        .unwrap();
    assert!((12_000..=15_000).contains(&total), "estimate {total}");
    let (got, total) = page(&client, loans, "loans", "cql.allRecords=1", 10, 19_995)
        .await
        .unwrap();
    assert_eq!(
        (got.len(), total),
        (5, 20_000),
        "partial last page is exact"
    );
    let (got, total) = page(&client, loans, "loans", "cql.allRecords=1", 10, 25_000)
        .await
        .unwrap();
    assert!(got.is_empty());
    assert!((18_000..=25_000).contains(&total), "past the end {total}");
    let (got, total) = page(
        &client,
        loans,
        "loans",
        "cql.allRecords=1 sortBy loanDate",
        10,
        30_000,
    )
    .await
    .unwrap();
    assert!(got.is_empty() && total <= 30_000);
    let (_, total) = page(
        &client,
        loans,
        "loans",
        &format!("userId==\"{user}\""),
        3,
        0,
    )
    .await
    .unwrap();
    assert_eq!(total, 10, "exact below the cutoff");
    // Exactly at the cutoff and just above: never below the cutoff once reached.
    let (_, total) = page(
        &client,
        loans,
        "loans",
        "loanDate<\"2024-01-01T16:40:00Z\"",
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(total, 999, "just below the cutoff is exact");
    let (_, total) = page(
        &client,
        loans,
        "loans",
        "loanDate<=\"2024-01-01T16:41:00Z\"",
        10,
        0,
    )
    .await
    .unwrap();
    assert!(total >= 1000, "at the cutoff {total}");
}

// ---------------------------------------------------------------------------------------------
// Prepared statements

#[derive(diesel::QueryableByName)]
struct Prepared {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn prepared_statements(conn: &mut diesel::PgConnection) -> i64 {
    diesel::sql_query("SELECT count(*) AS n FROM pg_prepared_statements")
        .get_result::<Prepared>(conn)
        .unwrap()
        .n
}

/// The module's searches become named prepared statements of the connection (visible in its
/// `pg_prepared_statements`), each text once, and no more than the bound: past it, and for very
/// long texts, they run unprepared, with the same answers.
#[actix_web::test]
async fn searches_are_prepared_up_to_a_bound_per_connection() {
    use circulation_storage::db::{CqlStatements, MAX_PREPARED_CQL, MAX_PREPARED_CQL_LEN};
    let url = storage::start_in_process(pg::shared()).expect("storage starts");
    enable(&FolioClient::new(&url, "cql_prepared")).await;
    let mut conn = bulk::connect_tenant(pg::shared(), "cql_prepared");
    bulk::insert_loans(&mut conn, 100, 10).unwrap();
    let mut statements = CqlStatements::default();
    let loans = &records::LOANS.cql;
    let search = |conn: &mut diesel::PgConnection, statements: &mut CqlStatements, q: &str| {
        let filter = filter_for(Some(q), loans).unwrap();
        let (rows, total) = store::search(conn, statements, "loan", &filter, 100, 0).unwrap();
        assert_eq!(rows.len() as i64, total, "{q}");
        total
    };
    assert_eq!(prepared_statements(&mut conn), 0);
    // User 3 has loans 3, 13, ... 93; loans 3, 33, 63 and 93 are closed.
    let open = format!("userId==\"{}\" and status.name==\"Open\"", bulk::user_id(3));
    for _ in 0..8 {
        assert_eq!(search(&mut conn, &mut statements, &open), 6);
    }
    assert_eq!(prepared_statements(&mut conn), 1, "one text, prepared once");
    let filter = filter_for(Some(&open), loans).unwrap();
    assert_eq!(
        store::count(&mut conn, &mut statements, "loan", &filter).unwrap(),
        6
    );
    assert_eq!(prepared_statements(&mut conn), 2);

    let shapes = MAX_PREPARED_CQL + 30;
    for k in 0..shapes {
        let q = format!("userId==\"{}\" sortBy f{k}", bulk::user_id(k as i64 % 10));
        assert_eq!(search(&mut conn, &mut statements, &q), 10);
    }
    assert_eq!(statements.len(), MAX_PREPARED_CQL);
    assert_eq!(prepared_statements(&mut conn), MAX_PREPARED_CQL as i64);
    // Admitted texts still run prepared; the full connection prepares nothing new.
    assert_eq!(search(&mut conn, &mut statements, &open), 6);
    let long = format!(
        "userId==\"{}\" and (status.name==\"Open\" or {})",
        bulk::user_id(3),
        (0..120)
            .map(|k| format!("f{k}==\"{k}\""))
            .collect::<Vec<_>>()
            .join(" or ")
    );
    let filter = filter_for(Some(&long), loans).unwrap();
    assert!(store::search_sql("loan", &filter).len() > MAX_PREPARED_CQL_LEN);
    let mut fresh = CqlStatements::default();
    assert_eq!(search(&mut conn, &mut fresh, &long), 6);
    assert!(fresh.is_empty(), "too long to prepare");
    assert_eq!(prepared_statements(&mut conn), MAX_PREPARED_CQL as i64);
}
