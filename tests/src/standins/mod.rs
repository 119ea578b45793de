//! In-memory stand-ins for the FOLIO modules outside this project (users, inventory storage,
//! fees/fines, patron blocks, calendar, settings/locale, pub-sub).
//!
//! One HTTP server serves all of them, per tenant (`X-Okapi-Tenant`), from memory, on FOLIO's
//! real paths with FOLIO's JSON shapes, CQL `query`, `limit` (default 10) and `offset`.
//! Every answer is delayed by the configured [`Latency`] so that check-outs can be timed
//! against realistic hop costs (`GET /admin/health` answers at once, without a tenant).
//!
//! Errors follow FOLIO: 400 `text/plain` for a missing tenant, malformed JSON, invalid CQL
//! or bad paging parameters; 404 `text/plain` `Not found`; 422 JSON envelope for duplicates.

// Handlers return the finished error response as their `Err`; it is built once per refused
// request, so its size does not matter here.
#![allow(clippy::result_large_err)]

pub mod calendar;
pub mod feesfines;
pub mod inventory;
pub mod patron_blocks;
pub mod pubsub;
pub mod settings;
pub mod timer;
pub mod users;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::header::{HeaderMap, CONTENT_TYPE, LOCATION};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Map, Value};
use shared_types::okapi;

/// How the stand-ins delay every answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Latency {
    /// Answer at once.
    None,
    /// The same delay before every answer.
    Fixed(Duration),
    /// A delay drawn uniformly from `[min, max]` by a PRNG seeded with `seed`.
    Uniform {
        min: Duration,
        max: Duration,
        seed: u64,
    },
    /// A normal-ish delay (sum of 12 uniforms) with the given mean and standard deviation,
    /// clipped at zero, from a PRNG seeded with `seed`.
    Normal {
        mean: Duration,
        std_dev: Duration,
        seed: u64,
    },
}

/// How to start the stand-in server.
#[derive(Debug, Clone)]
pub struct StandinConfig {
    /// TCP port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    pub latency: Latency,
}

impl Default for StandinConfig {
    fn default() -> Self {
        StandinConfig {
            port: 0,
            latency: Latency::None,
        }
    }
}

/// A small xorshift64* PRNG (deterministic for a seed; not for cryptography).
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        // Mix the seed so that 0 and small seeds give a usable state.
        let mut s = seed ^ 0x9E37_79B9_7F4A_7C15;
        s = (s ^ (s >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        s = (s ^ (s >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        s ^= s >> 31;
        XorShift(if s == 0 { 0x2545_F491_4F6C_DD1D } else { s })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Draws delays for a [`Latency`].
#[derive(Debug)]
pub(crate) struct Delayer {
    latency: Latency,
    rng: Mutex<XorShift>,
}

impl Delayer {
    pub(crate) fn new(latency: Latency) -> Self {
        let seed = match &latency {
            Latency::Uniform { seed, .. } | Latency::Normal { seed, .. } => *seed,
            _ => 0,
        };
        Delayer {
            latency,
            rng: Mutex::new(XorShift::new(seed)),
        }
    }

    pub(crate) fn next_delay(&self) -> Duration {
        match &self.latency {
            Latency::None => Duration::ZERO,
            Latency::Fixed(d) => *d,
            Latency::Uniform { min, max, .. } => {
                let (lo, hi) = if min <= max {
                    (*min, *max)
                } else {
                    (*max, *min)
                };
                let u = self
                    .rng
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .next_f64();
                lo + (hi - lo).mul_f64(u)
            }
            Latency::Normal { mean, std_dev, .. } => {
                let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
                let z: f64 = (0..12).map(|_| rng.next_f64()).sum::<f64>() - 6.0;
                let secs = mean.as_secs_f64() + z * std_dev.as_secs_f64();
                Duration::from_secs_f64(secs.max(0.0))
            }
        }
    }
}

/// One collection of records, in insertion order, with an id index and a case-folded
/// barcode index (used to narrow `barcode==` / `id==` queries before CQL evaluation).
#[derive(Debug, Default, Clone)]
pub(crate) struct Store {
    seq: u64,
    records: BTreeMap<u64, Value>,
    ids: HashMap<String, u64>,
    barcodes: HashMap<String, Vec<u64>>,
}

fn barcode_of(v: &Value) -> Option<String> {
    v.get("barcode")
        .and_then(Value::as_str)
        .map(|b| b.to_lowercase())
}

impl Store {
    pub(crate) fn get(&self, id: &str) -> Option<&Value> {
        self.ids.get(id).and_then(|s| self.records.get(s))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Value> {
        self.records.values()
    }

    /// Insert or replace (keeping the original position on replace).
    pub(crate) fn put(&mut self, id: String, value: Value) {
        let seq = match self.ids.get(&id) {
            Some(s) => {
                let s = *s;
                self.unindex_barcode(s);
                s
            }
            None => {
                self.seq += 1;
                self.ids.insert(id, self.seq);
                self.seq
            }
        };
        if let Some(b) = barcode_of(&value) {
            self.barcodes.entry(b).or_default().push(seq);
        }
        self.records.insert(seq, value);
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Value> {
        let seq = self.ids.remove(id)?;
        self.unindex_barcode(seq);
        self.records.remove(&seq)
    }

    fn unindex_barcode(&mut self, seq: u64) {
        if let Some(b) = self.records.get(&seq).and_then(barcode_of) {
            if let Some(list) = self.barcodes.get_mut(&b) {
                list.retain(|s| *s != seq);
                if list.is_empty() {
                    self.barcodes.remove(&b);
                }
            }
        }
    }

    /// Records whose (case-folded) barcode equals `barcode`.
    pub(crate) fn by_barcode(&self, barcode: &str) -> Vec<&Value> {
        let mut seqs = self
            .barcodes
            .get(&barcode.to_lowercase())
            .cloned()
            .unwrap_or_default();
        seqs.sort_unstable();
        seqs.iter().filter_map(|s| self.records.get(s)).collect()
    }

    /// Candidates for a query (a superset of the matches), in insertion order.
    fn candidates(&self, query: Option<&str>) -> Vec<&Value> {
        match query.and_then(fast_path) {
            Some(FastPath::Barcode(b)) => self.by_barcode(&b),
            Some(FastPath::Ids(ids)) => {
                let mut seqs: Vec<u64> = ids
                    .iter()
                    .filter_map(|id| {
                        self.ids
                            .get(id)
                            .or_else(|| self.ids.get(&id.to_lowercase()))
                            .copied()
                    })
                    .collect();
                seqs.sort_unstable();
                seqs.dedup();
                seqs.iter().filter_map(|s| self.records.get(s)).collect()
            }
            None => self.records.values().collect(),
        }
    }

    /// Runs a CQL query with paging: (page, totalRecords). Unsorted pages borrow the
    /// stored records (no copy per request); sorted ones are sorted copies.
    pub(crate) fn search(
        &self,
        query: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Cow<'_, Value>>, usize), String> {
        let filter = Filter::new(query)?;
        let hits = self
            .candidates(query)
            .into_iter()
            .filter(|v| filter.matches(v));
        if !filter.sorts() {
            let mut total = 0;
            let mut page = Vec::new();
            for (n, v) in hits.enumerate() {
                total += 1;
                if n >= offset && page.len() < limit {
                    page.push(Cow::Borrowed(v));
                }
            }
            return Ok((page, total));
        }
        let mut hits: Vec<Value> = hits.cloned().collect();
        filter.sort(&mut hits);
        let total = hits.len();
        let page = hits
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(Cow::Owned)
            .collect();
        Ok((page, total))
    }
}

enum FastPath {
    Barcode(String),
    Ids(Vec<String>),
}

/// Recognises `barcode=="x"`, `id=="x"` and `id==("a" or "b" ...)` (optionally wrapped in
/// parentheses) so that the candidates come from an index; the full CQL still decides.
fn fast_path(query: &str) -> Option<FastPath> {
    let mut q = query.trim();
    while q.starts_with('(') && q.ends_with(')') && balanced(&q[1..q.len() - 1]) {
        q = q[1..q.len() - 1].trim();
    }
    let (field, rest) = q.split_once("==")?;
    let field = field.trim();
    let rest = rest.trim();
    let plain = |s: &str| {
        !s.is_empty()
            && s.is_ascii()
            && !s.contains(['"', '\\', '*', '?', '^', '(', ')'])
            && !s.contains(" or ")
    };
    let quoted = |s: &str| -> Option<String> {
        let inner = s.strip_prefix('"')?.strip_suffix('"')?;
        plain(inner).then(|| inner.to_string())
    };
    match field {
        "barcode" => quoted(rest).map(FastPath::Barcode),
        "id" => {
            if let Some(v) = quoted(rest) {
                return Some(FastPath::Ids(vec![v]));
            }
            let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
            let ids: Option<Vec<String>> = inner.split(" or ").map(|p| quoted(p.trim())).collect();
            ids.filter(|v| !v.is_empty()).map(FastPath::Ids)
        }
        _ => None,
    }
}

fn balanced(s: &str) -> bool {
    let mut depth = 0i32;
    let mut in_quotes = false;
    let mut escaped = false;
    for c in s.chars() {
        if in_quotes {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quotes = false;
            }
            continue;
        }
        match c {
            '"' => in_quotes = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0 && !in_quotes
}

/// The adapter over the storage module's CQL (parse once, evaluate against JSON records).
pub(crate) struct Filter {
    query: Option<circulation_storage::cql::CqlQuery>,
}

impl Filter {
    /// A blank or absent query matches everything. An invalid one is the 400 message.
    pub(crate) fn new(query: Option<&str>) -> Result<Filter, String> {
        match query.map(str::trim).filter(|q| !q.is_empty()) {
            None => Ok(Filter { query: None }),
            Some(q) => {
                let parsed = circulation_storage::cql::parse(q)
                    .map_err(|e| format!("Invalid CQL query {q}: {e}"))?;
                circulation_storage::cql::eval::validate(&parsed)
                    .map_err(|e| format!("Invalid CQL query {q}: {e}"))?;
                Ok(Filter {
                    query: Some(parsed),
                })
            }
        }
    }

    pub(crate) fn matches(&self, record: &Value) -> bool {
        match &self.query {
            None => true,
            Some(q) => circulation_storage::cql::eval::matches(q, record),
        }
    }

    /// Whether the query has `sortBy` keys.
    pub(crate) fn sorts(&self) -> bool {
        self.query.as_ref().is_some_and(|q| !q.sort.is_empty())
    }

    pub(crate) fn sort(&self, records: &mut [Value]) {
        if let Some(q) = &self.query {
            circulation_storage::cql::eval::sort(q, records);
        }
    }
}

/// Everything one tenant holds.
#[derive(Debug, Default)]
pub(crate) struct TenantData {
    /// Collections by their FOLIO path (e.g. `/item-storage/items`).
    pub(crate) stores: HashMap<&'static str, Store>,
    /// The `/locale` record.
    pub(crate) locale: Value,
    /// Events received on `/pubsub/publish`, in order.
    pub(crate) events: Vec<Value>,
}

impl TenantData {
    fn new() -> Self {
        let mut t = TenantData {
            stores: HashMap::new(),
            locale: settings::default_locale(),
            events: Vec::new(),
        };
        patron_blocks::seed(&mut t);
        t
    }

    pub(crate) fn store(&self, path: &'static str) -> Option<&Store> {
        self.stores.get(path)
    }

    pub(crate) fn store_mut(&mut self, path: &'static str) -> &mut Store {
        self.stores.entry(path).or_default()
    }
}

/// State shared by all workers of one stand-in server.
pub(crate) struct Shared {
    tenants: RwLock<HashMap<String, Arc<RwLock<TenantData>>>>,
    delayer: Delayer,
    /// Whether to record how long each answer took from arrival ([`Standins::observe_delays`]).
    observe: AtomicBool,
    observed: Mutex<Vec<Duration>>,
    pub(crate) http: reqwest::Client,
}

impl Shared {
    fn new(latency: Latency) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Shared {
            tenants: RwLock::new(HashMap::new()),
            delayer: Delayer::new(latency),
            observe: AtomicBool::new(false),
            observed: Mutex::new(Vec::new()),
            http,
        }
    }

    pub(crate) fn tenant(&self, id: &str) -> Arc<RwLock<TenantData>> {
        if let Some(t) = self
            .tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
        {
            return t.clone();
        }
        self.tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id.to_string())
            .or_insert_with(|| Arc::new(RwLock::new(TenantData::new())))
            .clone()
    }

    fn existing_tenant(&self, id: &str) -> Option<Arc<RwLock<TenantData>>> {
        self.tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }
}

/// A running stand-in server.
pub struct Standins {
    url: String,
    handle: ServerHandle,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Standins {
    /// Binds 127.0.0.1:`cfg.port` and serves every stand-in module there.
    /// Must be called inside a tokio runtime.
    pub async fn start(cfg: StandinConfig) -> std::io::Result<Standins> {
        let shared = Arc::new(Shared::new(cfg.latency));
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(64 * 1024 * 1024))
                .default_service(web::to(dispatch))
        })
        // Small requests and responses: without TCP_NODELAY, Nagle + delayed ACK stall them ~40 ms.
        .tcp_nodelay(true)
        .workers(4)
        .disable_signals()
        .bind(("127.0.0.1", cfg.port))?;
        let port = server
            .addrs()
            .first()
            .map(|a| a.port())
            .ok_or_else(|| std::io::Error::other("no bound address"))?;
        let server = server.run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        Ok(Standins {
            url: format!("http://127.0.0.1:{port}"),
            handle,
            shared,
            task,
        })
    }

    /// Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The events POSTed to `/pubsub/publish` for a tenant, oldest first.
    pub fn published_events(&self, tenant: &str) -> Vec<Value> {
        self.shared
            .existing_tenant(tenant)
            .map(|t| t.read().unwrap_or_else(|e| e.into_inner()).events.clone())
            .unwrap_or_default()
    }

    /// Forgets the events published for a tenant.
    pub fn clear_published_events(&self, tenant: &str) {
        if let Some(t) = self.shared.existing_tenant(tenant) {
            t.write().unwrap_or_else(|e| e.into_inner()).events.clear();
        }
    }

    /// Forgets everything a tenant holds (it starts again with the seeded conditions and the
    /// default locale on its next request).
    pub fn reset_tenant(&self, tenant: &str) {
        self.shared
            .tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
    }

    /// Starts (`true`) or stops recording, for every answer, the time from the request's
    /// arrival until the answer was released (handler work plus the modelled latency).
    pub fn observe_delays(&self, on: bool) {
        self.shared.observe.store(on, Ordering::Relaxed);
    }

    /// The recorded times (see [`Standins::observe_delays`]), oldest first; clears them.
    pub fn observed_delays(&self) -> Vec<Duration> {
        std::mem::take(
            &mut *self
                .shared
                .observed
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        )
    }

    /// Stops the server gracefully.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// Module descriptors of every stand-in "module", all served by the one stand-in URL.
pub fn descriptors() -> Vec<Value> {
    vec![
        users::descriptor(),
        inventory::descriptor(),
        feesfines::descriptor(),
        patron_blocks::descriptor(),
        calendar::descriptor(),
        settings::descriptor(),
        pubsub::descriptor(),
    ]
}

/// One handler of a module descriptor: methods and pathPattern.
pub(crate) type Handler = (&'static [&'static str], String);

/// A handler for `methods` on `path`.
pub(crate) fn handler(methods: &'static [&'static str], path: &str) -> Handler {
    (methods, path.to_string())
}

/// Builds a module descriptor from `(interface id, version, handlers)`.
pub(crate) fn module_descriptor(
    id: &str,
    name: &str,
    provides: Vec<(&str, &str, Vec<Handler>)>,
) -> Value {
    let provides: Vec<Value> = provides
        .into_iter()
        .map(|(iface, version, handlers)| {
            let handlers: Vec<Value> = handlers
                .into_iter()
                .map(|(methods, pattern)| {
                    json!({"methods": methods, "pathPattern": pattern, "permissionsRequired": []})
                })
                .collect();
            json!({"id": iface, "version": version, "handlers": handlers})
        })
        .collect();
    json!({"id": id, "name": name, "provides": provides, "requires": []})
}

/// Handlers for a plain CRUD collection at `path`.
pub(crate) fn crud_handlers(path: &str) -> Vec<Handler> {
    vec![
        handler(&["GET", "POST"], path),
        handler(&["GET", "PUT", "DELETE"], &format!("{path}/{{id}}")),
    ]
}

/// One plain RMB-style collection: FOLIO path and the key of its collection answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Collection {
    pub(crate) path: &'static str,
    pub(crate) key: &'static str,
}

/// Every plain collection the stand-ins serve.
pub(crate) fn collections() -> impl Iterator<Item = Collection> {
    users::COLLECTIONS
        .iter()
        .chain(inventory::COLLECTIONS)
        .chain(feesfines::COLLECTIONS)
        .chain(patron_blocks::COLLECTIONS)
        .copied()
}

// ---------------------------------------------------------------------------------------
// Request handling
// ---------------------------------------------------------------------------------------

/// What a handler sees of the request.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) tenant: Arc<RwLock<TenantData>>,
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

impl Ctx<'_> {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, TenantData> {
        self.tenant.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> std::sync::RwLockWriteGuard<'_, TenantData> {
        self.tenant.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as a JSON object, or the 400 answer.
    pub(crate) fn json_object(&self) -> Result<Map<String, Value>, HttpResponse> {
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(text(
                StatusCode::BAD_REQUEST,
                "Json content error: expected a JSON object",
            )),
            Err(e) => Err(text(
                StatusCode::BAD_REQUEST,
                &format!("Json content error: {e}"),
            )),
        }
    }

    /// `offset` and `limit` (default 10), or the 400 answer.
    pub(crate) fn paging(&self) -> Result<(usize, usize), HttpResponse> {
        let num = |name: &str, default: usize| -> Result<usize, HttpResponse> {
            match self.param(name) {
                None => Ok(default),
                Some(v) => v.trim().parse::<i64>().ok().filter(|n| *n >= 0).map_or_else(
                    || {
                        Err(text(
                            StatusCode::BAD_REQUEST,
                            &format!("'{name}' parameter is incorrect. parameter value {{{v}}} is not valid: must be an integer, greater than or equal to 0"),
                        ))
                    },
                    |n| Ok(usize::try_from(n).unwrap_or(usize::MAX)),
                ),
            }
        };
        Ok((num("offset", 0)?, num("limit", 10)?))
    }
}

pub(crate) fn text(status: StatusCode, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body(body.to_string())
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body.to_string())
}

pub(crate) fn not_found() -> HttpResponse {
    text(StatusCode::NOT_FOUND, "Not found")
}

pub(crate) fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// FOLIO's 422 envelope with one error.
pub(crate) fn unprocessable(message: &str, key: &str, value: &str) -> HttpResponse {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({"errors": [{"message": message, "type": "1", "code": "-1",
            "parameters": [{"key": key, "value": value}]}]}),
    )
}

pub(crate) fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

pub(crate) fn now_iso() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

/// Answers every request, [`Latency`] after it arrived: the handler runs first and the answer
/// is held until the deadline, so that handler work is not added on top of the modelled
/// latency; the wait is precise to tens of µs ([`timer::sleep_until`]).
async fn dispatch(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let arrived = Instant::now();
    let path = req.path().trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    if path == "/admin/health" {
        return text(StatusCode::OK, "OK");
    }
    let delay = shared.delayer.next_delay();
    let response = handle(&req, &body, &shared, path).await;
    if !delay.is_zero() {
        timer::sleep_until(arrived + delay).await;
    }
    if shared.observe.load(Ordering::Relaxed) {
        shared
            .observed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(arrived.elapsed());
    }
    response
}

async fn handle(req: &HttpRequest, body: &[u8], shared: &Shared, path: &str) -> HttpResponse {
    let tenant_id = match req
        .headers()
        .get(okapi::TENANT)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => return text(StatusCode::BAD_REQUEST, "Tenant must be set"),
        Some(t) if !okapi::is_valid_tenant_id(t) => {
            return text(StatusCode::BAD_REQUEST, &format!("Invalid tenant id: {t}"))
        }
        Some(t) => t.to_string(),
    };
    let params = match web::Query::<Vec<(String, String)>>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(e) => {
            return text(
                StatusCode::BAD_REQUEST,
                &format!("Invalid query string: {e}"),
            )
        }
    };
    let ctx = Ctx {
        shared,
        tenant: shared.tenant(&tenant_id),
        method: req.method(),
        path,
        params,
        headers: req.headers(),
        body,
    };
    if let Some(r) = pubsub::handle(&ctx) {
        return r;
    }
    if let Some(r) = settings::handle(&ctx) {
        return r;
    }
    if let Some(r) = calendar::handle(&ctx) {
        return r;
    }
    if path.starts_with("/automated-patron-blocks/") {
        return patron_blocks::automated_blocks(&ctx).await;
    }
    for c in collections() {
        if path == c.path {
            return collection(&ctx, c);
        }
        if let Some(id) = path
            .strip_prefix(c.path)
            .and_then(|rest| rest.strip_prefix('/'))
        {
            if !id.contains('/') {
                return record(&ctx, c, id);
            }
        }
    }
    not_found()
}

/// GET (search) and POST on a plain collection.
pub(crate) fn collection(ctx: &Ctx<'_>, c: Collection) -> HttpResponse {
    match *ctx.method {
        Method::GET => {
            let (offset, limit) = match ctx.paging() {
                Ok(p) => p,
                Err(r) => return r,
            };
            let tenant = ctx.read();
            let empty = Store::default();
            let store = tenant.store(c.path).unwrap_or(&empty);
            match store.search(ctx.param("query"), offset, limit) {
                Ok((page, total)) => collection_response(c.key, &page, total),
                Err(msg) => text(StatusCode::BAD_REQUEST, &msg),
            }
        }
        Method::POST => {
            let mut obj = match ctx.json_object() {
                Ok(o) => o,
                Err(r) => return r,
            };
            let id = match obj.get("id") {
                None | Some(Value::Null) => uuid::Uuid::new_v4().to_string(),
                Some(Value::String(s)) if is_uuid(s) => s.to_lowercase(),
                Some(other) => {
                    return text(
                        StatusCode::BAD_REQUEST,
                        &format!("Invalid UUID format of id, should be xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx where every x is 0-9, a-f, or A-F: {other}"),
                    )
                }
            };
            obj.insert("id".into(), Value::String(id.clone()));
            let mut tenant = ctx.write();
            if tenant.store(c.path).and_then(|s| s.get(&id)).is_some() {
                return unprocessable(
                    &format!("id value already exists in table {}: {id}", table_name(c)),
                    "id",
                    &id,
                );
            }
            if let Err(r) = before_write(&tenant, c, &mut obj, None) {
                return r;
            }
            let value = Value::Object(obj);
            tenant.store_mut(c.path).put(id.clone(), value.clone());
            HttpResponse::Created()
                .insert_header((LOCATION, format!("{}/{id}", c.path)))
                .insert_header((CONTENT_TYPE, "application/json"))
                .body(value.to_string())
        }
        _ => text(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed"),
    }
}

/// `200 {"<key>": [records], "totalRecords": n}`, serialised straight from the (borrowed)
/// records; byte for byte what `json!({key: page, "totalRecords": n}).to_string()` gives
/// (serde_json objects order their keys).
fn collection_response(key: &str, page: &[Cow<'_, Value>], total: usize) -> HttpResponse {
    let records = serde_json::to_string(page).expect("JSON values");
    let key_json = serde_json::to_string(key).expect("string");
    let body = if key < "totalRecords" {
        format!("{{{key_json}:{records},\"totalRecords\":{total}}}")
    } else {
        format!("{{\"totalRecords\":{total},{key_json}:{records}}}")
    };
    HttpResponse::build(StatusCode::OK)
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(body)
}

/// GET, PUT and DELETE on one record of a plain collection.
pub(crate) fn record(ctx: &Ctx<'_>, c: Collection, id: &str) -> HttpResponse {
    let id = id.to_lowercase();
    match *ctx.method {
        Method::GET => match ctx.read().store(c.path).and_then(|s| s.get(&id)) {
            Some(v) => json_response(StatusCode::OK, v),
            None => not_found(),
        },
        Method::PUT => {
            let mut obj = match ctx.json_object() {
                Ok(o) => o,
                Err(r) => return r,
            };
            obj.insert("id".into(), Value::String(id.clone()));
            let mut tenant = ctx.write();
            let Some(old) = tenant.store(c.path).and_then(|s| s.get(&id)) else {
                return not_found();
            };
            if let Err(r) = before_write(&tenant, c, &mut obj, Some(old)) {
                return r;
            }
            tenant.store_mut(c.path).put(id, Value::Object(obj));
            no_content()
        }
        Method::DELETE => match ctx.write().store_mut(c.path).remove(&id) {
            Some(_) => no_content(),
            None => not_found(),
        },
        _ => text(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed"),
    }
}

fn table_name(c: Collection) -> &'static str {
    c.path.rsplit('/').next().unwrap_or(c.path)
}

/// Per-collection rules applied on POST and PUT (uniqueness, derived fields, metadata).
fn before_write(
    tenant: &TenantData,
    c: Collection,
    obj: &mut Map<String, Value>,
    old: Option<&Value>,
) -> Result<(), HttpResponse> {
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(store) = tenant.store(c.path) {
        for field in unique_fields(c.path) {
            if let Some(v) = obj.get(*field).and_then(Value::as_str) {
                let clash = if *field == "barcode" {
                    store
                        .by_barcode(v)
                        .iter()
                        .any(|r| r.get("id").and_then(Value::as_str) != Some(&id))
                } else {
                    store.values().any(|r| {
                        r.get(*field).and_then(Value::as_str) == Some(v)
                            && r.get("id").and_then(Value::as_str) != Some(&id)
                    })
                };
                if clash {
                    return Err(unprocessable(
                        &format!(
                            "{field} value already exists in table {}: {v}",
                            table_name(c)
                        ),
                        field,
                        v,
                    ));
                }
            }
        }
    }
    inventory::before_write(tenant, c.path, obj, old)?;
    let now = now_iso();
    let created = old
        .and_then(|o| o.pointer("/metadata/createdDate"))
        .cloned()
        .unwrap_or_else(|| Value::String(now.clone()));
    let mut metadata = match obj.remove("metadata") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    metadata.insert("createdDate".into(), created);
    metadata.insert("updatedDate".into(), Value::String(now));
    obj.insert("metadata".into(), Value::Object(metadata));
    Ok(())
}

fn unique_fields(path: &str) -> &'static [&'static str] {
    match path {
        "/users" => &["barcode", "username"],
        "/item-storage/items" => &["barcode"],
        "/groups" => &["group"],
        _ => &[],
    }
}

/// Generic-collection access for the other stand-in modules (no HTTP).
pub(crate) fn find_records(
    tenant: &TenantData,
    path: &'static str,
    pred: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    tenant
        .store(path)
        .map(|s| s.values().filter(|v| pred(v)).cloned().collect())
        .unwrap_or_default()
}

/// Percent-encodes a query-string component (RFC 3986 unreserved characters stay).
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_latency_is_deterministic_and_bounded() {
        let latency = Latency::Uniform {
            min: Duration::from_millis(10),
            max: Duration::from_millis(30),
            seed: 7,
        };
        let (a, b) = (Delayer::new(latency.clone()), Delayer::new(latency));
        for _ in 0..1000 {
            let d = a.next_delay();
            assert_eq!(d, b.next_delay());
            assert!(d >= Duration::from_millis(10) && d <= Duration::from_millis(30));
        }
        let normal = Delayer::new(Latency::Normal {
            mean: Duration::from_millis(20),
            std_dev: Duration::from_millis(5),
            seed: 1,
        });
        let n = 2000;
        let mean = (0..n)
            .map(|_| normal.next_delay().as_secs_f64())
            .sum::<f64>()
            / n as f64;
        assert!((mean - 0.020).abs() < 0.002, "{mean}");
        assert_eq!(Delayer::new(Latency::None).next_delay(), Duration::ZERO);
    }

    #[test]
    fn fast_path_recognises_circulation_forms_only() {
        let ids = |q: &str| match fast_path(q) {
            Some(FastPath::Ids(v)) => Some(v),
            _ => None,
        };
        let barcode = |q: &str| match fast_path(q) {
            Some(FastPath::Barcode(b)) => Some(b),
            _ => None,
        };
        assert_eq!(barcode("barcode==\"123\""), Some("123".into()));
        assert_eq!(barcode("(barcode==\"123\")"), Some("123".into()));
        assert_eq!(
            ids("id==(\"a\" or \"b\")"),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(ids("id==\"a\""), Some(vec!["a".into()]));
        for q in [
            "barcode==\"1*\"",
            "barcode==\"1\" and active==true",
            "barcode==\"1\" sortBy id",
            "id==(\"a\" or \"b\") and status.name==\"Available\"",
            "(id==\"a\") or (id==\"b\")",
            "barcode=\"1\"",
            "userId==\"a\"",
        ] {
            assert!(fast_path(q).is_none(), "{q}");
        }
    }

    #[tokio::test]
    async fn collection_answers_are_what_serde_json_builds() {
        let records = [json!({"id": "b", "x": [1, "\u{e9}"]}), json!({"id": "a"})];
        for key in collections().map(|c| c.key) {
            let page: Vec<Cow<'_, Value>> = records.iter().map(Cow::Borrowed).collect();
            let resp = collection_response(key, &page, 7);
            let body = actix_web::body::to_bytes(resp.into_body()).await.unwrap();
            let expected = json!({key: records, "totalRecords": 7}).to_string();
            assert_eq!(std::str::from_utf8(&body).unwrap(), expected, "{key}");
        }
    }

    #[test]
    fn store_keeps_order_and_indexes() {
        let mut s = Store::default();
        s.put("b".into(), json!({"id": "b", "barcode": "X1"}));
        s.put("a".into(), json!({"id": "a", "barcode": "x2"}));
        s.put("b".into(), json!({"id": "b", "barcode": "X3"}));
        assert!(s.by_barcode("x1").is_empty());
        assert_eq!(s.by_barcode("x3").len(), 1);
        let order: Vec<&str> = s.values().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(order, vec!["b", "a"]);
        assert!(s.remove("a").is_some());
        assert!(s.by_barcode("X2").is_empty());
        assert!(s.get("a").is_none());
    }
}
