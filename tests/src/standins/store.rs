//! The in-memory records of one tenant: collections in insertion order with id and barcode
//! indexes, and the CQL filter (the storage module's evaluator) that searches them.
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::{feesfines, patron_blocks, settings};

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
    /// Notices received on `/patron-notice`, in order.
    pub(crate) notices: Vec<Value>,
}

impl TenantData {
    pub(super) fn new() -> Self {
        let mut t = TenantData {
            stores: HashMap::new(),
            locale: settings::default_locale(),
            events: Vec::new(),
            notices: Vec::new(),
        };
        patron_blocks::seed(&mut t);
        feesfines::seed(&mut t);
        t
    }

    pub(crate) fn store(&self, path: &'static str) -> Option<&Store> {
        self.stores.get(path)
    }

    pub(crate) fn store_mut(&mut self, path: &'static str) -> &mut Store {
        self.stores.entry(path).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
