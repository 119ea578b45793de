//! Property test: random and hostile `query` strings (grammar-built CQL, SQL injection attempts,
//! deep nesting, unicode, random bytes percent-encoded including invalid UTF-8) sent over HTTP
//! to the loan and request collections. Every answer must be 200 or 400, never show SQL error
//! text, and the tables must be unchanged afterwards. Deterministic seed, bounded time.
use circulation_tests::http::{encode, FolioClient};
use circulation_tests::{pg, storage};
use serde_json::json;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const FIELDS: &[&str] = &[
    "id",
    "userId",
    "itemId",
    "itemIdEq",
    "status.name",
    "status",
    "action",
    "actionComment",
    "dueDate",
    "loanDate",
    "renewalCount",
    "position",
    "requestLevel",
    "instanceId",
    "cancellationReasonId",
    "instance.title",
    "metadata.createdDate",
    "a.b.c.d.e",
    "cql.allRecords",
    "cql.serverChoice",
    "jsonb",
    "x'y",
    "a..b",
    "_",
    "Ünï",
    "\"quoted field\"",
    "1abc",
];

const RELATIONS: &[&str] = &[
    "=", "==", "<>", "<", ">", "<=", ">=", "adj", "all", "any", "exact", "within", "encloses",
    "=/", "scr",
];

const MODIFIERS: &[&str] = &[
    "/respectCase",
    "/ignoreCase",
    "/respectAccents",
    "/ignoreAccents",
    "/number",
    "/string",
    "/masked",
    "/unmasked",
    "/regexp",
    "/@name=x",
    "/sort.descending",
    "/foo",
];

const TERMS: &[&str] = &[
    "Open",
    "\"Open\"",
    "*",
    "\"\"",
    "\"a*b?c\"",
    "\"\\*\\?\\\"\\\\\"",
    "\"back\\\\slash\"",
    "\"'; drop table loan; --\"",
    "'; drop table loan; --",
    "\"' OR '1'='1\"",
    "\"$1\"",
    "\"%_%\"",
    "\"Crème brûlée\"",
    "\"日本語\"",
    "\"\u{0}\"",
    "\"\u{202e}rtl\"",
    "\"emoji 🎉\"",
    "12",
    "-1.5e3",
    "\"1e999999\"",
    "NaN",
    "\"8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2d\"",
    "8a7f*",
    "\"00000000-0000-0000-0000-000000000000\"",
    "\"unterminated",
    "\\",
    "\"a\\\"",
    "(",
    ")",
    "and",
    "sortBy",
    "\"x\" sortBy",
    "\"a b c\"",
    "\"&|!<->:*\"",
];

const HOSTILE: &[&str] = &[
    "'; drop table loan; --",
    "id=='; drop table loan; --",
    "userId==\"x\"; DELETE FROM loan; --\"",
    "status.name==\"Open\") or (1=1",
    "status.name==\"Open' OR 1=1 --\"",
    "a=b) UNION SELECT * FROM pg_user --",
    "jsonb->>'userId'==x",
    "\"\"==\"\"",
    "==",
    "",
    " ",
    "\"",
    "\\",
    "()",
    "sortBy",
    "sortBy id",
    "a=b sortBy id/sort.ascending/sort.descending",
    "a=b sortBy \"'; drop table loan; --\"",
    "a=b prox/unit=word c=d",
    "> x = y",
    "dc.title any/relevant fish",
    "a = b and not c",
    "a=\"\\\\\\\\\\\\\\\"",
    "renewalCount>/number \"1e400\"",
    "renewalCount</number \"--1\"",
    "position==/number 99999999999999999999999999999999999999",
    "id<\"8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2d\"",
    "id<\"'); drop table loan; --\"",
    "cancellationReasonId<\"x\"",
];

const SQL_ERROR_TEXT: &[&str] = &[
    "syntax error at or near",
    "ERROR:",
    "relation \"",
    "column \"",
    "Database error",
    "invalid input syntax",
    "operator does not exist",
];

fn clause(rng: &mut Rng) -> String {
    let mut s = String::new();
    s.push_str(rng.pick(FIELDS));
    if rng.chance(10) {
        s.push(' ');
    }
    s.push_str(rng.pick(RELATIONS));
    for _ in 0..rng.below(3) {
        if rng.chance(50) {
            s.push_str(rng.pick(MODIFIERS));
        }
    }
    s.push(' ');
    s.push_str(rng.pick(TERMS));
    s
}

/// A query from a small CQL grammar (often valid, sometimes slightly broken).
fn grammar_query(rng: &mut Rng, depth: usize) -> String {
    if depth > 4 || rng.chance(40) {
        return clause(rng);
    }
    let op = rng.pick(&["and", "or", "not", "AND", "Or", "prox"]);
    let left = grammar_query(rng, depth + 1);
    let right = grammar_query(rng, depth + 1);
    let combined = format!("{left} {op} {right}");
    if rng.chance(40) {
        format!("({combined})")
    } else {
        combined
    }
}

fn with_sort(rng: &mut Rng, q: String) -> String {
    if !rng.chance(30) {
        return q;
    }
    let mut s = format!("{q} sortBy");
    for _ in 0..1 + rng.below(3) {
        s.push(' ');
        s.push_str(rng.pick(FIELDS));
        for _ in 0..rng.below(3) {
            s.push_str(rng.pick(&[
                "/sort.ascending",
                "/sort.descending",
                "/number",
                "/respectCase",
                "/ignoreAccents",
                "/bogus",
            ]));
        }
    }
    s
}

/// Changes a few characters of a query.
fn mutate(rng: &mut Rng, q: &str) -> String {
    const ALPHABET: &[char] = &[
        '"', '\'', '\\', '(', ')', '*', '?', '=', '<', '>', '/', ' ', ';', '-', '%', '_', 'é',
        '\u{0}', '\u{7f}', '🎉', '$', '.', 'a',
    ];
    let mut chars: Vec<char> = q.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 => chars.insert(at, rng.pick(ALPHABET)),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ if at < chars.len() => chars[at] = rng.pick(ALPHABET),
            _ => chars.push(rng.pick(ALPHABET)),
        }
    }
    chars.into_iter().collect()
}

/// Random bytes, percent-encoded as they are (so often invalid UTF-8).
fn random_bytes_encoded(rng: &mut Rng) -> String {
    let n = rng.below(40);
    (0..n).map(|_| format!("%{:02X}", rng.below(256))).collect()
}

fn deep(rng: &mut Rng) -> String {
    let n = rng.pick(&[10, 63, 64, 65, 100, 500, 1500]);
    match rng.below(4) {
        0 => format!("{}a=b{}", "(".repeat(n), ")".repeat(n)),
        1 => vec!["userId==x"; n].join(" or "),
        2 => vec!["status.name==Open"; n].join(" not "),
        _ => format!("{}a=b", "(".repeat(n)),
    }
}

/// The percent-encoded `query` value of case `i`.
fn next_query(rng: &mut Rng, i: usize) -> String {
    if i < HOSTILE.len() {
        return encode(HOSTILE[i]);
    }
    match rng.below(10) {
        0 => random_bytes_encoded(rng),
        1 => encode(&deep(rng)),
        2 => {
            let q = rng.pick(HOSTILE);
            encode(&mutate(rng, q))
        }
        3 => {
            let q = grammar_query(rng, 0);
            encode(&mutate(rng, &q))
        }
        _ => {
            let q = grammar_query(rng, 0);
            encode(&with_sort(rng, q))
        }
    }
}

async fn snapshot(client: &FolioClient) -> String {
    let mut out = String::new();
    for path in [
        "/loan-storage/loans?limit=1000&query=cql.allRecords%3D1%20sortBy%20id",
        "/request-storage/requests?limit=1000&query=cql.allRecords%3D1%20sortBy%20id",
    ] {
        let reply = client.get(path).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        out.push_str(&reply.body);
    }
    out
}

#[actix_web::test]
async fn random_and_hostile_queries_never_fail_the_server() {
    let url = storage::start_in_process(pg::shared()).expect("storage starts");
    let client = FolioClient::new(&url, "cql_fuzz");
    let reply = client
        .post(
            "/_/tenant",
            &json!({"module_to": "mod-circulation-storage-rs-0.1.0"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let job = client.get(reply.location.as_deref().unwrap()).await;
    assert_eq!(job.json()["complete"], true);
    for i in 0..30 {
        let comment = ["Crème brûlée", "a*b?c", "'; drop table loan; --", "日本語"][i % 4];
        let loan = json!({
            "itemId": uuid::Uuid::new_v4().to_string(),
            "userId": uuid::Uuid::new_v4().to_string(),
            "loanDate": "2024-03-06T16:04:43Z", "dueDate": "2024-04-06T16:04:43Z",
            "action": if i % 2 == 0 { "checkedout" } else { "renewed" },
            "actionComment": comment,
            "renewalCount": i,
            "status": {"name": if i % 3 == 0 { "Closed" } else { "Open" }}
        });
        assert_eq!(client.post("/loan-storage/loans", &loan).await.status, 201);
        let request = json!({
            "requestType": "Hold", "requestLevel": "Item", "requestDate": "2017-07-29T22:25:37Z",
            "requesterId": uuid::Uuid::new_v4().to_string(), "itemId": uuid::Uuid::new_v4().to_string(),
            "holdingsRecordId": uuid::Uuid::new_v4().to_string(), "instanceId": uuid::Uuid::new_v4().to_string(),
            "fulfillmentPreference": "Hold Shelf", "status": "Open - Not yet filled", "position": i + 1,
        });
        assert_eq!(
            client
                .post("/request-storage/requests", &request)
                .await
                .status,
            201
        );
    }
    let before = snapshot(&client).await;

    let mut rng = Rng(0x00C0_FFEE);
    let started = Instant::now();
    let budget = Duration::from_secs(30);
    let (mut cases, mut ok, mut bad) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    while started.elapsed() < budget && cases < 20_000 {
        let batch: Vec<String> = (0..16)
            .map(|k| {
                let query = next_query(&mut rng, cases + k);
                let path = if rng.chance(50) {
                    "/loan-storage/loans"
                } else {
                    "/request-storage/requests"
                };
                let paging = match rng.below(10) {
                    0 => format!("&limit={}", rng.below(3)),
                    1 => format!("&offset={}", rng.below(50)),
                    2 => "&limit=-1".to_string(),
                    3 => "&limit=2147483648".to_string(),
                    4 => "&limit=x%27".to_string(),
                    _ => String::new(),
                };
                format!("{path}?query={query}{paging}")
            })
            .collect();
        let replies = futures::future::join_all(batch.iter().map(|p| client.get(p))).await;
        for (path, reply) in batch.iter().zip(replies) {
            cases += 1;
            match reply.status {
                200 => ok += 1,
                400 => bad += 1,
                other => failures.push(format!("{path}: {other} {}", reply.body)),
            }
            if let Some(text) = SQL_ERROR_TEXT.iter().find(|t| reply.body.contains(**t)) {
                failures.push(format!("{path}: SQL error text {text:?} in {}", reply.body));
            }
        }
        if failures.len() > 20 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(before, snapshot(&client).await, "tables changed");
    println!(
        "cql fuzz: {cases} cases in {:.1} s ({ok} × 200, {bad} × 400)",
        started.elapsed().as_secs_f64()
    );
    assert!(cases >= 1_000, "too few cases: {cases}");
}
