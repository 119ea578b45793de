//! In-memory evaluation of a CQL query against JSON records, with the meaning the SQL
//! translation gives it (see sql.rs), for the test stand-ins of other FOLIO modules.
//!
//! * `a.b.c` walks objects; arrays on the way (or at the end) fan out, and a clause
//!   matches when any reached value matches. JSON null counts as absent.
//! * Scalars are compared through their text (`->>`): strings as they are, numbers
//!   and booleans as JSON writes them (`true`, `3`).
//! * `==`/`<>`: whole-value LIKE with `*`/`?`, lower-cased and unaccented.
//! * `=` `adj` `all` `any`: words (runs of letters and digits, lower-cased, unaccented),
//!   phrase / every word / some word, `word*` right truncation. PostgreSQL's parser
//!   is richer (it keeps `1.5` or `a-b` whole as well as the parts); for plain text
//!   the results agree.
//! * `< > <= >=`: a JSON number against a numeric term compares as numbers; anything
//!   else compares as text by code point (PostgreSQL uses the database collation;
//!   equal for ISO dates and ASCII codes). `/number`: numbers only.
//! * `id` with a valid UUID: case-insensitive equality.
//! * Missing fields: no clause matches them, except `=*`; `not` keeps them.

use std::cmp::Ordering;

use serde_json::Value;

use super::parser::{BoolOp, CqlError, CqlQuery, Modifier, Node, Relation};
use super::sql::is_equals_star;
use super::text::{self, FtMode, FtTerm, Kind, LikeToken};

/// Whether the record matches. A query the evaluator cannot handle (e.g. `prox`, `?` in
/// a full-text term) matches nothing; use [`validate`] first to answer 400 instead.
pub fn matches(query: &CqlQuery, record: &Value) -> bool {
    try_matches(query, record).unwrap_or(false)
}

/// Like [`matches`], but reports unsupported parts of the query.
pub fn try_matches(query: &CqlQuery, record: &Value) -> Result<bool, CqlError> {
    eval_node(&query.root, record)
}

/// Checks every clause and sort key once, so a caller can refuse a bad query up front.
pub fn validate(query: &CqlQuery) -> Result<(), CqlError> {
    // Iterative, with an explicit stack: no recursion on long chains.
    let mut stack = vec![&query.root];
    while let Some(node) = stack.pop() {
        match node {
            Node::Boolean {
                op, left, right, ..
            } => {
                if *op == BoolOp::Prox {
                    return Err(prox_error(right));
                }
                stack.push(right);
                stack.push(left);
            }
            Node::Clause { .. } => {
                compile(node)?;
            }
        }
    }
    for key in &query.sort {
        text::sort_modifiers(&key.modifiers).map_err(|m| CqlError::new(m, key.position))?;
    }
    Ok(())
}

/// Sorts records by the query's `sortBy` keys (stable; no keys: unchanged).
/// Missing values go last ascending and first descending, as PostgreSQL's NULLs.
pub fn sort(query: &CqlQuery, records: &mut [Value]) {
    if query.sort.is_empty() {
        return;
    }
    let keys: Vec<(Vec<String>, text::RelationModifiers, bool)> = query
        .sort
        .iter()
        .map(|k| {
            (
                k.index.split('.').map(str::to_string).collect(),
                text::sort_modifiers(&k.modifiers).unwrap_or_default(),
                k.descending(),
            )
        })
        .collect();
    records.sort_by(|a, b| {
        for (path, mods, desc) in &keys {
            let va = values(a, path).into_iter().next();
            let vb = values(b, path).into_iter().next();
            let ord = compare_for_sort(va, vb, mods);
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
}

fn compare_for_sort(
    a: Option<&Value>,
    b: Option<&Value>,
    mods: &text::RelationModifiers,
) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) if mods.number => jsonb_order(a, b),
        (Some(a), Some(b)) => {
            // JSON numbers order as numbers (the SQL orders their text), before text.
            let num = |v: &Value| match v {
                Value::Number(n) => n.as_f64(),
                _ => None,
            };
            match (num(a), num(b)) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => {
                    let lower = mods.respect_case != Some(true);
                    let unaccent = mods.respect_accents != Some(true);
                    text::fold(&text_of(a), lower, unaccent).cmp(&text::fold(
                        &text_of(b),
                        lower,
                        unaccent,
                    ))
                }
            }
        }
    }
}

/// PostgreSQL's jsonb ordering, used by `sortBy f/number` (`ORDER BY jsonb->'f'`):
/// strings < numbers < booleans < arrays < objects.
fn jsonb_order(a: &Value, b: &Value) -> Ordering {
    let rank = |v: &Value| match v {
        Value::Null => 0,
        Value::String(_) => 1,
        Value::Number(_) => 2,
        Value::Bool(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    };
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn prox_error(right: &Node) -> CqlError {
    let pos = match right {
        Node::Clause { position, .. } => *position,
        Node::Boolean { .. } => 0,
    };
    CqlError::new("boolean operator 'prox' is not supported", pos)
}

fn eval_node(node: &Node, record: &Value) -> Result<bool, CqlError> {
    match node {
        Node::Boolean { .. } => {
            let (first, rest) = node.left_spine();
            let mut acc = eval_node(first, record)?;
            for (op, right) in rest {
                acc = match op {
                    BoolOp::And => acc && eval_node(right, record)?,
                    // Same shortcut as the SQL: "X or f=*" is X.
                    BoolOp::Or if is_equals_star(right) => acc,
                    BoolOp::Or => acc || eval_node(right, record)?,
                    BoolOp::Not => acc && !eval_node(right, record)?,
                    BoolOp::Prox => return Err(prox_error(right)),
                };
            }
            Ok(acc)
        }
        Node::Clause { .. } => {
            let (path, matcher) = compile(node)?;
            Ok(matcher.test(&values(record, &path)))
        }
    }
}

/// One clause, ready to test values.
enum Matcher {
    Const(bool),
    /// Field present (`=""`).
    Present,
    /// `id` against a valid UUID.
    Uuid {
        equals: bool,
        value: String,
    },
    Like {
        pattern: Vec<LikeToken>,
        positive: bool,
        lower: bool,
        unaccent: bool,
    },
    FullText {
        mode: FtMode,
        words: Vec<FtWord>,
    },
    Compare {
        op: &'static str,
        value: String,
        lower: bool,
        unaccent: bool,
        /// The term as a number, for JSON numbers.
        number: Option<f64>,
    },
    Numeric {
        op: &'static str,
        value: f64,
    },
    /// `within`: both bounds (each tested over the values, as the SQL does).
    Both(Box<Matcher>, Box<Matcher>),
}

/// A full-text word: its tokens form a phrase; `prefix` truncates the last one.
struct FtWord {
    tokens: Vec<String>,
    prefix: bool,
}

fn compile(node: &Node) -> Result<(Vec<String>, Matcher), CqlError> {
    let Node::Clause {
        index,
        relation,
        modifiers,
        term,
        position,
    } = node
    else {
        unreachable!("compile is only called on clauses")
    };
    compile_clause(index, *relation, modifiers, term)
        .map(|m| (index.split('.').map(str::to_string).collect(), m))
        .map_err(|e| CqlError::new(e, *position))
}

fn compile_clause(
    index: &str,
    relation: Relation,
    modifiers: &[Modifier],
    term: &str,
) -> Result<Matcher, String> {
    if index.eq_ignore_ascii_case("cql.allRecords") {
        return Ok(Matcher::Const(true));
    }
    if index.eq_ignore_ascii_case("cql.serverChoice") {
        return Err(format!(
            "search term '{}' has no index, and no default index (cql.serverChoice) is configured",
            super::parser::shorten(term)
        ));
    }
    if relation == Relation::Within {
        let (lo, hi) = text::range_bounds(term)?;
        return Ok(Matcher::Both(
            Box::new(compile_clause(
                index,
                Relation::GreaterOrEqual,
                modifiers,
                &lo,
            )?),
            Box::new(compile_clause(
                index,
                Relation::LessOrEqual,
                modifiers,
                &hi,
            )?),
        ));
    }
    if index == "id" {
        if let Some(m) = modifiers.first() {
            return Err(format!(
                "unsupported modifier '/{}' for uuid field 'id'",
                m.name
            ));
        }
        let equals = match relation {
            Relation::Equals | Relation::DoubleEquals => Some(true),
            Relation::NotEquals => Some(false),
            _ => None,
        };
        if let (Some(equals), true) = (equals, text::is_uuid(term)) {
            return Ok(Matcher::Uuid {
                equals,
                value: term.to_ascii_lowercase(),
            });
        }
    }
    let mods = text::relation_modifiers(modifiers)?;
    let lower = mods.respect_case != Some(true);
    let unaccent = mods.respect_accents != Some(true);
    Ok(match text::relation_kind(relation, &mods)? {
        Kind::FullText(mode) => match text::fulltext_term(term)? {
            FtTerm::Everything => Matcher::Const(true),
            FtTerm::Present => Matcher::Present,
            FtTerm::Words(w) => Matcher::FullText {
                mode,
                words: w
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(|w| FtWord {
                        tokens: text::tokens(w),
                        prefix: w.ends_with('*'),
                    })
                    .filter(|w| !w.tokens.is_empty())
                    .collect(),
            },
        },
        Kind::Like(positive) => Matcher::Like {
            pattern: text::like_tokens(&text::fold(&text::like_pattern(term), lower, unaccent)),
            positive,
            lower,
            unaccent,
        },
        Kind::Compare(op) if mods.number => {
            let v = text::unmask(term);
            if !text::is_number(&v) {
                return Err(format!("'{}' is not a number", super::parser::shorten(&v)));
            }
            Matcher::Numeric {
                op,
                value: v.trim().parse().unwrap_or(f64::NAN),
            }
        }
        Kind::Compare(op) => {
            let value = text::unmask(term);
            let explicit = mods.explicit_folding();
            Matcher::Compare {
                op,
                number: if text::is_number(&value) && !explicit {
                    value.trim().parse().ok()
                } else {
                    None
                },
                // Without modifiers the SQL compares the raw text.
                lower: explicit && lower,
                unaccent: explicit && unaccent,
                value,
            }
        }
    })
}

impl Matcher {
    fn test(&self, values: &[&Value]) -> bool {
        match self {
            Matcher::Const(b) => *b,
            Matcher::Both(a, b) => a.test(values) && b.test(values),
            Matcher::Present => !values.is_empty(),
            Matcher::Uuid { equals, value } => values
                .iter()
                .any(|v| (text_of(v).to_ascii_lowercase() == *value) == *equals),
            Matcher::Like {
                pattern,
                positive,
                lower,
                unaccent,
            } => values.iter().any(|v| {
                text::like_match(pattern, &text::fold(&text_of(v), *lower, *unaccent)) == *positive
            }),
            Matcher::FullText { mode, words } => {
                !words.is_empty()
                    && values.iter().any(|v| {
                        let have = text::tokens(&text_of(v));
                        match mode {
                            FtMode::Phrase => {
                                let all: Vec<(&str, bool)> = words
                                    .iter()
                                    .flat_map(|w| {
                                        let last = w.tokens.len() - 1;
                                        w.tokens
                                            .iter()
                                            .enumerate()
                                            .map(move |(i, t)| (t.as_str(), w.prefix && i == last))
                                    })
                                    .collect();
                                phrase_at_any(&have, &all)
                            }
                            FtMode::And => words.iter().all(|w| word_matches(&have, w)),
                            FtMode::Or => words.iter().any(|w| word_matches(&have, w)),
                        }
                    })
            }
            Matcher::Compare {
                op,
                value,
                lower,
                unaccent,
                number,
            } => values.iter().any(|v| match (v, number) {
                (Value::Number(n), Some(x)) => {
                    n.as_f64().is_some_and(|y| apply(op, y.partial_cmp(x)))
                }
                _ => {
                    let have = text::fold(&text_of(v), *lower, *unaccent);
                    let want = text::fold(value, *lower, *unaccent);
                    apply(op, Some(have.as_str().cmp(want.as_str())))
                }
            }),
            Matcher::Numeric { op, value } => values.iter().any(|v| {
                let n = match v {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) if text::is_number(s) => s.trim().parse().ok(),
                    _ => None,
                };
                n.is_some_and(|n| apply(op, n.partial_cmp(value)))
            }),
        }
    }
}

fn apply(op: &str, ord: Option<Ordering>) -> bool {
    let Some(ord) = ord else { return false };
    match op {
        "=" => ord == Ordering::Equal,
        "<>" => ord != Ordering::Equal,
        "<" => ord == Ordering::Less,
        ">" => ord == Ordering::Greater,
        "<=" => ord != Ordering::Greater,
        ">=" => ord != Ordering::Less,
        _ => false,
    }
}

fn word_matches(have: &[String], w: &FtWord) -> bool {
    let last = w.tokens.len() - 1;
    let want: Vec<(&str, bool)> = w
        .tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), w.prefix && i == last))
        .collect();
    phrase_at_any(have, &want)
}

/// `want` occurs as consecutive tokens of `have` (a prefix flag allows truncation).
fn phrase_at_any(have: &[String], want: &[(&str, bool)]) -> bool {
    if want.is_empty() || want.len() > have.len() {
        return false;
    }
    (0..=have.len() - want.len()).any(|start| {
        want.iter().enumerate().all(|(j, (t, prefix))| {
            let h = &have[start + j];
            if *prefix {
                h.starts_with(t)
            } else {
                h == t
            }
        })
    })
}

/// The values a dotted path reaches; arrays fan out, nulls are dropped.
fn values<'a, S: AsRef<str>>(record: &'a Value, path: &[S]) -> Vec<&'a Value> {
    let mut current = vec![record];
    for seg in path {
        let mut next = Vec::new();
        for v in current {
            collect_field(v, seg.as_ref(), &mut next);
        }
        current = next;
    }
    let mut out = Vec::new();
    for v in current {
        match v {
            Value::Array(items) => out.extend(items.iter().filter(|i| !i.is_null())),
            Value::Null => {}
            other => out.push(other),
        }
    }
    out
}

fn collect_field<'a>(v: &'a Value, key: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            if let Some(x) = map.get(key) {
                out.push(x);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_field(item, key, out);
            }
        }
        _ => {}
    }
}

/// What `->>` gives for a value.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cql::parse;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "id": "8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2d",
            "itemId": "b2d1e0b4-4fd5-4d0b-9f6e-0b1b0f6a2b2c",
            "status": {"name": "Open"},
            "requestStatus": "Open - Awaiting pickup",
            "requestLevel": "Item",
            "title": "Crème Brûlée for Beginners",
            "position": 3,
            "renewalCount": 10,
            "dueDate": "2024-02-01T00:00:00.000+00:00",
            "noticeConfig": {"timing": "Upon At", "sendInRealTime": true},
            "tags": {"tagList": ["urgent", "Staff Only"]},
            "contributors": [{"name": "Smith, Jane"}, {"name": "Doe, John"}],
            "nothing": null,
            "empty": "",
            "code": "a_b%c*d"
        })
    }

    #[test]
    fn matches_table() {
        let r = sample();
        let cases: &[(&str, bool)] = &[
            ("cql.allRecords=1", true),
            ("status.name==\"Open\"", true),
            ("status.name==\"open\"", true),
            ("status.name==\"OPEN\"", true),
            ("status.name==\"Ope\"", false),
            ("dueDate within \"2024-01-01 2024-02-02\"", true),
            ("dueDate within \"2024-02-02 2024-03-01\"", false),
            ("position within/number \"1 3\"", true),
            ("position within/number \"4 9\"", false),
            ("status.name==\"Op*\"", true),
            ("status.name==\"?pen\"", true),
            ("status.name<>\"Open\"", false),
            ("status.name<>\"Closed\"", true),
            ("status.name==/respectCase \"open\"", false),
            ("status.name==/respectCase \"Open\"", true),
            ("title==\"creme brulee for beginners\"", true),
            ("title==/respectAccents \"creme brulee for beginners\"", false),
            ("title=\"brulee\"", true),
            ("title=\"brûlée for\"", true),
            ("title=\"for brulee\"", false),
            ("title adj \"creme brulee\"", true),
            ("title all \"beginners creme\"", true),
            ("title all \"beginners pie\"", false),
            ("title any \"beginners pie\"", true),
            ("title any \"cake pie\"", false),
            ("title=\"begin*\"", true),
            ("title=\"brul* for\"", true),
            ("title=\"*\"", true),
            ("missing=\"*\"", true),
            ("missing=\"\"", false),
            ("title=\"\"", true),
            ("missing==\"*\"", false),
            ("empty==\"\"", true),
            ("title==\"\"", false),
            ("nothing==\"*\"", false),
            ("requestStatus==(\"Open - Not yet filled\" or \"Open - Awaiting pickup\")", true),
            ("requestStatus==(\"Open - Not yet filled\" or \"Closed\")", false),
            ("requestStatus=\"awaiting pickup\"", true),
            ("code==\"a_b%c\\*d\"", true),
            ("code==\"a?b?c\\*d\"", true),
            ("code==\"axb%c\\*d\"", false),
            ("code==\"a_b%cxd\"", false),
            ("position==3", true),
            ("position>2", true),
            ("position<10", true),
            ("renewalCount>9", true),
            ("renewalCount>/number 9", true),
            ("renewalCount<=/number 10", true),
            ("renewalCount==/number 10.0", true),
            ("renewalCount<>/number 10", false),
            ("dueDate<\"2024-03-01\"", true),
            ("dueDate>\"2024-03-01\"", false),
            ("dueDate>=\"2024-02-01T00:00:00.000+00:00\"", true),
            ("noticeConfig.sendInRealTime==\"true\"", true),
            ("noticeConfig.sendInRealTime==false", false),
            ("noticeConfig.timing==(\"Upon At\" or \"After\")", true),
            ("tags.tagList==\"urgent\"", true),
            ("tags.tagList==\"staff only\"", true),
            ("tags.tagList=\"staff\"", true),
            ("tags.tagList==\"other\"", false),
            ("contributors.name==\"Doe, John\"", true),
            ("contributors.name=\"jane\"", true),
            ("contributors.name=\"jane doe\"", false),
            ("id==\"8A7F5D1C-3B2E-4F6A-9C8D-7E6F5A4B3C2D\"", true),
            ("id=\"8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2d\"", true),
            ("id<>\"8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2d\"", false),
            ("id==\"not-a-uuid\"", false),
            ("id==(\"00000000-0000-4000-8000-000000000000\" or \"8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2d\")", true),
            ("id==\"8a7f*\"", true),
            ("status.name==\"Open\" and itemId==\"b2d1e0b4-4fd5-4d0b-9f6e-0b1b0f6a2b2c\"", true),
            ("status.name==\"Open\" and itemId==\"x\"", false),
            ("status.name==\"Closed\" or requestLevel==\"Item\"", true),
            ("status.name==\"Open\" not requestLevel==\"Title\"", true),
            ("status.name==\"Open\" not requestLevel==\"Item\"", false),
            ("status.name==\"Open\" not missing==\"x\"", true),
            ("status.name==\"Closed\" or title=*", false),
            ("missing<>\"x\"", false),
        ];
        for (q, expected) in cases {
            let query = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
            assert_eq!(try_matches(&query, &r), Ok(*expected), "query {q}");
        }
    }

    #[test]
    fn errors_are_reported_and_match_nothing() {
        let r = sample();
        for q in [
            "a=b prox c=d",
            "title=\"a?b\"",
            "title=\"a*b\"",
            "title=/unmasked x",
            "position</number abc",
            "dog",
            "title within \"a\"",
            "id==/respectCase \"x\"",
        ] {
            let query = parse(q).unwrap();
            assert!(validate(&query).is_err(), "{q}");
            assert!(!matches(&query, &r), "{q}");
        }
        assert!(validate(&parse("a=b sortBy x/foo").unwrap()).is_err());
        validate(&parse("a=b sortBy x/sort.descending/number").unwrap()).unwrap();
    }

    #[test]
    fn sorts() {
        let mut recs = vec![
            json!({"n": "b", "p": 10, "d": "2024-01-02"}),
            json!({"n": "A", "p": 9, "d": "2024-01-03"}),
            json!({"p": 1}),
            json!({"n": "Ä", "p": 2, "d": "2024-01-01"}),
        ];
        let names = |rs: &[Value]| -> Vec<String> {
            rs.iter()
                .map(|r| r["n"].as_str().unwrap_or("-").to_string())
                .collect()
        };
        sort(&parse("a=1 sortBy n").unwrap(), &mut recs);
        assert_eq!(names(&recs), ["A", "Ä", "b", "-"]);
        sort(&parse("a=1 sortBy n/sort.descending").unwrap(), &mut recs);
        assert_eq!(names(&recs), ["-", "b", "A", "Ä"]);
        sort(&parse("a=1 sortBy p").unwrap(), &mut recs);
        assert_eq!(names(&recs), ["-", "Ä", "A", "b"]);
        sort(&parse("a=1 sortBy d/sort.descending p").unwrap(), &mut recs);
        assert_eq!(names(&recs), ["-", "A", "b", "Ä"]);
        sort(&parse("a=1").unwrap(), &mut recs);
        assert_eq!(names(&recs), ["-", "A", "b", "Ä"]);
    }
}
