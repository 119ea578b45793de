//! CQL → PostgreSQL over RMB tables (`id uuid`, `jsonb jsonb`), following cql2pgjson.
//!
//! Every user-supplied value is a bind parameter (`$n`, SQL type text, cast in the SQL
//! where needed). Field names appear only as single-quoted jsonb keys after checking
//! each path segment against `^[A-Za-z_][A-Za-z0-9_]*$`.
//!
//! SQL helper functions the generated SQL relies on (RMB creates them in each tenant
//! schema; the storage migrations must create them the same way):
//!
//! ```sql
//! -- f_unaccent(text) → text: public.unaccent('public.unaccent', $1), IMMUTABLE
//! -- get_tsvector(text) → tsvector: to_tsvector('simple', translate($1, '&', ','))
//! -- tsquery_and(text) → tsquery: each space-separated word quoted as a lexeme ('w',
//! --     or 'w':* when the word ends in *), ' and & turned into commas, joined by &
//! -- tsquery_or(text)     = tsquery_and with & replaced by |
//! -- tsquery_phrase(text) = tsquery_and with & replaced by <->
//! ```
//!
//! They are called unqualified, so the tenant schema must be on the search_path.
//! The btree CASE form below expects RMB's btree index on `left(<folded T>,600)`,
//! e.g. `left(lower(f_unaccent(jsonb->'status'->>'name')),600)`.
//!
//! Relations (field `f`, text `T` = `jsonb->'a'->>'f'`, parameter `$n`):
//! * `==` / `<>`: `lower(f_unaccent(T)) [NOT] LIKE lower(f_unaccent($n))`, `$n` the
//!   term as a LIKE pattern (`*`→`%`, `?`→`_`); a term without wildcards compares with
//!   `=` / `<>` instead (same rows; indexable with a parameter, so PostgreSQL can re-use
//!   a generic plan). Case and accent folding follow the field's index (gin, like,
//!   unique, btree, in that order) or the explicit modifiers; a btree index gets RMB's
//!   `left(…,600)` form so it can be used.
//! * `=` `adj` `all` `any`: RMB full text,
//!   `get_tsvector(f_unaccent(T)) @@ tsquery_phrase(f_unaccent($n))`; `=*` → true,
//!   `=""` → `T ~ ''` (field present).
//! * `< > <= >=`: text comparison of `T` (folded, with the CASE form, when the field
//!   has a btree index). `/number`: numeric comparison; values that are not numbers
//!   never match (RMB would raise an SQL error instead).
//! * `id` and the configured uuid fields use their uuid column.

use super::parser::{shorten, BoolOp, CqlError, CqlQuery, Node, Relation, SortKey};
use super::text::{self, FtMode, FtTerm, Kind, RelationModifiers};

/// What the translator needs to know about a table.
#[derive(Debug, Clone, Copy)]
pub struct TableConfig {
    pub(crate) table: &'static str,
    /// CQL field name → uuid column, e.g. `("cancellationReasonId", "cancellationreasonid")`.
    /// `id` → `id` is implied.
    pub(crate) uuid_fields: &'static [(&'static str, &'static str)],
    /// CQL field name → jsonb path compared case-sensitively, without unaccent, with
    /// plain `LIKE` (RMB's `sqlExpressionQuery: "$"` indexes), e.g. `("itemIdEq", "itemId")`.
    pub(crate) case_sensitive_fields: &'static [(&'static str, &'static str)],
    /// The table's indexes from schema.json, to fold values the way the index does
    /// (and so let PostgreSQL use it). Empty: lower + unaccent everywhere.
    pub(crate) indexes: &'static [FieldIndex],
}

impl TableConfig {
    pub(crate) const fn new(
        table: &'static str,
        uuid_fields: &'static [(&'static str, &'static str)],
    ) -> TableConfig {
        TableConfig {
            table,
            uuid_fields,
            case_sensitive_fields: &[],
            indexes: &[],
        }
    }
}

/// One index entry of schema.json (`index`, `uniqueIndex`, `likeIndex`, `ginIndex`,
/// `fullTextIndex`) for a single field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldIndex {
    /// CQL field name, e.g. `status.name`.
    pub(crate) field: &'static str,
    pub(crate) kind: IndexKind,
    pub(crate) case_sensitive: bool,
    pub(crate) remove_accents: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexKind {
    /// schema.json `index`: btree on `left(lower(f_unaccent(T)),600)`.
    Btree,
    Unique,
    Like,
    Gin,
    FullText,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlQuery {
    /// `"true"` when every record matches.
    pub where_clause: String,
    /// Without the `ORDER BY` keyword.
    pub order_by: Option<String>,
    /// Values of `$first_param`, `$first_param+1`, ... in order (all SQL text).
    pub params: Vec<String>,
}

/// Translates a parsed query. Placeholders start at `$first_param` (1 or more).
pub(crate) fn to_sql(
    query: &CqlQuery,
    table: &TableConfig,
    first_param: usize,
) -> Result<SqlQuery, CqlError> {
    let mut b = Builder {
        table,
        first_param,
        params: Vec::new(),
    };
    let where_clause = b.node(&query.root)?;
    let order_by = if query.sort.is_empty() {
        None
    } else {
        Some(b.order_by(&query.sort)?)
    };
    Ok(SqlQuery {
        where_clause,
        order_by,
        params: b.params,
    })
}

/// `jsonb->'a'->'b'->>'c'` (text) for a validated dotted path.
pub(crate) fn json_text_path(field: &str) -> Result<String, String> {
    json_path(field, true)
}

/// `jsonb->'a'->'b'->'c'` (jsonb).
pub(crate) fn json_value_path(field: &str) -> Result<String, String> {
    json_path(field, false)
}

fn json_path(field: &str, text: bool) -> Result<String, String> {
    let segments: Vec<&str> = field.split('.').collect();
    let mut out = String::from("jsonb");
    for (i, seg) in segments.iter().enumerate() {
        if !is_identifier(seg) {
            return Err(format!("invalid field name '{}'", shorten(field)));
        }
        let arrow = if text && i == segments.len() - 1 {
            "->>"
        } else {
            "->"
        };
        out.push_str(arrow);
        out.push('\'');
        out.push_str(seg);
        out.push('\'');
    }
    Ok(out)
}

/// `^[A-Za-z_][A-Za-z0-9_]*$`
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Leftmost clause position, for errors about a boolean node.
fn position(node: &Node) -> usize {
    match node {
        Node::Clause { position, .. } => *position,
        Node::Boolean { left, .. } => position(left),
    }
}

fn wrap(expr: &str, lower: bool, unaccent: bool) -> String {
    match (lower, unaccent) {
        (true, true) => format!("lower(f_unaccent({expr}))"),
        (true, false) => format!("lower({expr})"),
        (false, true) => format!("f_unaccent({expr})"),
        (false, false) => expr.to_string(),
    }
}

struct Builder<'a> {
    table: &'a TableConfig,
    first_param: usize,
    params: Vec<String>,
}

impl Builder<'_> {
    fn param(&mut self, value: String) -> String {
        self.params.push(value);
        format!("${}", self.first_param + self.params.len() - 1)
    }

    fn node(&mut self, node: &Node) -> Result<String, CqlError> {
        match node {
            Node::Clause {
                index,
                relation,
                modifiers,
                term,
                position,
            } => self
                .clause(index, *relation, modifiers, term)
                .map_err(|m| CqlError::new(m, *position)),
            Node::Boolean { .. } => {
                let (first, rest) = node.left_spine();
                let mut acc = self.node(first)?;
                for (op, right) in rest {
                    acc = self.combine(op, acc, right)?;
                }
                Ok(acc)
            }
        }
    }

    /// `acc op right`, where `acc` is the SQL of everything left of `op`.
    fn combine(&mut self, op: BoolOp, l: String, right: &Node) -> Result<String, CqlError> {
        if op == BoolOp::Prox {
            return Err(CqlError::new(
                "boolean operator 'prox' is not supported",
                position(right),
            ));
        }
        // cql2pgjson: "X or f=*" is X (the UI's "match anything" idiom).
        if op == BoolOp::Or && is_equals_star(right) {
            return Ok(l);
        }
        let r = self.node(right)?;
        // Fold only constants away, so no bound parameter is ever dropped.
        Ok(match (op, l.as_str(), r.as_str()) {
            (BoolOp::And, "true", _) => r,
            (BoolOp::And, _, "true") => l,
            (BoolOp::And, "false", "false") => l,
            (BoolOp::Or, "false", _) => r,
            (BoolOp::Or, _, "false") => l,
            (BoolOp::Or, "true", "true") => l,
            (BoolOp::Not, _, "false") => l,
            (BoolOp::Not, "true" | "false", "true") => "false".to_string(),
            (BoolOp::And, ..) => format!("({l}) AND ({r})"),
            (BoolOp::Or, ..) => format!("({l}) OR ({r})"),
            // NOT: a record without the field does not match R, so it is kept.
            (BoolOp::Not, ..) => format!("({l}) AND (({r}) IS NOT TRUE)"),
            (BoolOp::Prox, ..) => unreachable!("refused above"),
        })
    }

    fn uuid_column(&self, index: &str) -> Option<&'static str> {
        if index == "id" {
            return Some("id");
        }
        self.table
            .uuid_fields
            .iter()
            .find(|(f, _)| *f == index)
            .map(|(_, c)| *c)
    }

    fn case_sensitive_path(&self, index: &str) -> Option<&'static str> {
        self.table
            .case_sensitive_fields
            .iter()
            .find(|(f, _)| *f == index)
            .map(|(_, p)| *p)
    }

    fn first_index(&self, field: &str, kinds: &[IndexKind]) -> Option<FieldIndex> {
        kinds.iter().find_map(|k| {
            self.table
                .indexes
                .iter()
                .find(|i| i.field == field && i.kind == *k)
                .copied()
        })
    }

    fn clause(
        &mut self,
        index: &str,
        relation: Relation,
        modifiers: &[super::parser::Modifier],
        term: &str,
    ) -> Result<String, String> {
        if index.eq_ignore_ascii_case("cql.allRecords") {
            return Ok("true".into());
        }
        if index.eq_ignore_ascii_case("cql.serverChoice") {
            return Err(format!(
                "search term '{}' has no index, and no default index (cql.serverChoice) is configured",
                shorten(term)
            ));
        }
        if relation == Relation::Within {
            // A range is both of its comparisons.
            let (lo, hi) = text::range_bounds(term)?;
            let lower = self.clause(index, Relation::GreaterOrEqual, modifiers, &lo)?;
            let upper = self.clause(index, Relation::LessOrEqual, modifiers, &hi)?;
            return Ok(format!("({lower} AND {upper})"));
        }
        if let Some(column) = self.uuid_column(index) {
            if !modifiers.is_empty() {
                return Err(format!(
                    "unsupported modifier '/{}' for uuid field '{}'",
                    shorten(&modifiers[0].name),
                    shorten(index)
                ));
            }
            return self.uuid_clause(index, column, relation, term);
        }
        let mods = text::relation_modifiers(modifiers)?;
        let kind = text::relation_kind(relation, &mods)?;
        // RMB `sqlExpressionQuery: "$"` fields: another jsonb path, compared as is.
        let case_sensitive = self.case_sensitive_path(index);
        let t = json_text_path(case_sensitive.unwrap_or(index))?;
        if case_sensitive.is_some() {
            if let Kind::Like(positive) = kind {
                let (op, value) = match text::exact_literal(term) {
                    Some(literal) => (if positive { "=" } else { "<>" }, literal),
                    None => (
                        if positive { "LIKE" } else { "NOT LIKE" },
                        text::like_pattern(term),
                    ),
                };
                let p = self.param(value);
                return Ok(format!("({t}) {op} {p}"));
            }
        }
        match kind {
            Kind::FullText(mode) => self.fulltext(index, &t, mode, term),
            Kind::Like(positive) => Ok(self.like(index, &t, positive, &mods, term)),
            Kind::Compare(op) if mods.number => self.numeric(&t, op, term),
            Kind::Compare(op) => Ok(self.compare(index, &t, op, &mods, term)),
        }
    }

    fn fulltext(
        &mut self,
        index: &str,
        t: &str,
        mode: FtMode,
        term: &str,
    ) -> Result<String, String> {
        let words = match text::fulltext_term(term)? {
            FtTerm::Everything => return Ok("true".into()),
            FtTerm::Present => return Ok(format!("{t} ~ ''")),
            FtTerm::Words(w) => w,
        };
        let unaccent = self
            .first_index(index, &[IndexKind::FullText])
            .is_none_or(|i| i.remove_accents);
        let function = match mode {
            FtMode::Phrase => "tsquery_phrase",
            FtMode::And => "tsquery_and",
            FtMode::Or => "tsquery_or",
        };
        let p = self.param(words);
        // Never lower(): the 'simple' configuration lower-cases by itself.
        Ok(format!(
            "get_tsvector({}) @@ {function}({})",
            wrap(t, false, unaccent),
            wrap(&p, false, unaccent)
        ))
    }

    /// Folding for `==`/`<>`: explicit modifiers, else the field's first index of
    /// gin, like, unique, btree, else lower + unaccent. Also says whether RMB's
    /// btree CASE form applies.
    fn like_folding(&self, index: &str, mods: &RelationModifiers) -> (bool, bool, bool) {
        let idx = self.first_index(
            index,
            &[
                IndexKind::Gin,
                IndexKind::Like,
                IndexKind::Unique,
                IndexKind::Btree,
            ],
        );
        folding(idx, mods)
    }

    fn like(
        &mut self,
        index: &str,
        t: &str,
        positive: bool,
        mods: &RelationModifiers,
        term: &str,
    ) -> String {
        let (lower, unaccent, btree) = self.like_folding(index, mods);
        // Without wildcards the pattern is one value: `=` says the same as LIKE, and unlike
        // LIKE with a parameter it can use the index in a generic (re-used) plan.
        if let Some(literal) = text::exact_literal(term) {
            let p = self.param(literal);
            let field = wrap(t, lower, unaccent);
            let value = wrap(&p, lower, unaccent);
            return match (btree, positive) {
                // The btree index is on left(...,600): equal prefixes (indexable) and values.
                (true, true) => {
                    format!("left({field},600) = left({value},600) AND {field} = {value}")
                }
                (_, true) => format!("{field} = {value}"),
                (_, false) => format!("{field} <> {value}"),
            };
        }
        let p = self.param(text::like_pattern(term));
        let op = if positive { "LIKE" } else { "NOT LIKE" };
        let field = wrap(t, lower, unaccent);
        let value = wrap(&p, lower, unaccent);
        if btree {
            // The btree index is on left(...,600): compare the prefix (indexable), and
            // the whole value only when the pattern is longer than the prefix.
            let joiner = if positive { "AND" } else { "OR" };
            format!(
                "CASE WHEN length({value}) <= 600 THEN left({field},600) {op} {value} \
                 ELSE left({field},600) {op} left({value},600) {joiner} {field} {op} {value} END"
            )
        } else {
            format!("{field} {op} {value}")
        }
    }

    fn compare(
        &mut self,
        index: &str,
        t: &str,
        op: &'static str,
        mods: &RelationModifiers,
        term: &str,
    ) -> String {
        let idx = self.first_index(index, &[IndexKind::Btree]);
        let p = self.param(text::unmask(term));
        let (lower, unaccent, btree) = match idx {
            Some(_) => folding(idx, mods),
            None if mods.explicit_folding() => {
                let (l, u, _) = folding(None, mods);
                (l, u, false)
            }
            // No index: plain text comparison, as cql2pgjson.
            None => (false, false, false),
        };
        let field = wrap(t, lower, unaccent);
        let value = wrap(&p, lower, unaccent);
        if btree {
            let weak = match op {
                "<" => "<=",
                ">" => ">=",
                other => other,
            };
            format!(
                "CASE WHEN length({value}) <= 600 THEN left({field},600) {op} {value} \
                 ELSE left({field},600) {weak} left({value},600) AND {field} {op} {value} END"
            )
        } else {
            format!("{field} {op} {value}")
        }
    }

    fn numeric(&mut self, t: &str, op: &'static str, term: &str) -> Result<String, String> {
        let value = text::unmask(term);
        if !text::is_number(&value) {
            return Err(format!("'{}' is not a number", shorten(&value)));
        }
        let p = self.param(value.trim().to_string());
        Ok(format!(
            "(CASE WHEN {t} ~ '{}' THEN ({t})::numeric END) {op} {p}::numeric",
            text::SQL_NUMBER_REGEX
        ))
    }

    fn uuid_clause(
        &mut self,
        index: &str,
        column: &'static str,
        relation: Relation,
        term: &str,
    ) -> Result<String, String> {
        if !is_identifier(column) {
            return Err(format!("invalid uuid column name for field '{index}'"));
        }
        // What "every record that has the field" is: id is never null.
        let present = if column == "id" {
            "true".to_string()
        } else {
            format!("{column} IS NOT NULL")
        };
        let equals = match relation {
            Relation::Equals | Relation::DoubleEquals => true,
            Relation::NotEquals => false,
            Relation::Less | Relation::Greater | Relation::LessOrEqual | Relation::GreaterOrEqual => {
                if !text::is_uuid(term) {
                    return Err(format!(
                        "invalid UUID after {index} {relation}: '{}'",
                        shorten(term)
                    ));
                }
                let p = self.param(term.to_string());
                return Ok(format!("{column} {} {p}::uuid", relation.as_str()));
            }
            _ => {
                return Err(format!(
                    "relation '{relation}' is not supported for uuid field '{index}', only =, ==, <>, <, >, <=, >="
                ))
            }
        };
        if term == "*" {
            return Ok(if equals { present } else { "false".into() });
        }
        if term.is_empty() {
            return Ok(if equals { "false".into() } else { present });
        }
        let Some(prefix) = term.strip_suffix('*') else {
            if !text::is_uuid(term) {
                // An invalid UUID matches nothing (no error), as cql2pgjson.
                return Ok(if equals { "false".into() } else { present });
            }
            let p = self.param(term.to_string());
            let op = if equals { "=" } else { "<>" };
            return Ok(format!("{column} {op} {p}::uuid"));
        };
        if prefix.contains('*') {
            return Err(format!(
                "only right truncation is supported for uuid field '{index}'"
            ));
        }
        // Right truncation on a uuid: a range between the smallest and largest completion.
        let complete = |fill: &str| -> Option<String> {
            let n = prefix.chars().count();
            if n > fill.len() {
                return None;
            }
            let s = format!("{prefix}{}", &fill[n..]);
            text::is_uuid(&s).then_some(s)
        };
        match (
            complete("00000000-0000-0000-0000-000000000000"),
            complete("ffffffff-ffff-ffff-ffff-ffffffffffff"),
        ) {
            (Some(lo), Some(hi)) => {
                let lo = self.param(lo);
                let hi = self.param(hi);
                Ok(if equals {
                    format!("({column} >= {lo}::uuid AND {column} <= {hi}::uuid)")
                } else {
                    format!("({column} < {lo}::uuid OR {column} > {hi}::uuid)")
                })
            }
            _ => Ok(if equals { "false".into() } else { present }),
        }
    }

    fn order_by(&mut self, keys: &[SortKey]) -> Result<String, CqlError> {
        let mut parts = Vec::new();
        for key in keys {
            let err = |m: String| CqlError::new(m, key.position);
            let mods = text::sort_modifiers(&key.modifiers).map_err(err)?;
            let dir = if key.descending() { " DESC" } else { "" };
            if let Some(column) = self.uuid_column(&key.index) {
                if !is_identifier(column) {
                    return Err(err(format!("invalid uuid column for '{}'", key.index)));
                }
                parts.push(format!("{column}{dir}"));
                continue;
            }
            if mods.number {
                parts.push(format!(
                    "{}{dir}",
                    json_value_path(&key.index).map_err(err)?
                ));
                continue;
            }
            let path = self.case_sensitive_path(&key.index).unwrap_or(&key.index);
            let t = json_text_path(path).map_err(err)?;
            let lower = mods.respect_case != Some(true);
            let unaccent = mods.respect_accents != Some(true);
            let w = wrap(&t, lower, unaccent);
            // The left(…,600) key can use an index; the full key breaks ties.
            parts.push(format!("left({w},600){dir}, {w}{dir}"));
        }
        Ok(parts.join(", "))
    }
}

/// (lower, unaccent, btree CASE form) from an index and explicit modifiers.
fn folding(idx: Option<FieldIndex>, mods: &RelationModifiers) -> (bool, bool, bool) {
    let (mut lower, mut unaccent) = match idx {
        Some(i) => (!i.case_sensitive, i.remove_accents),
        None => (true, true),
    };
    if let Some(respect) = mods.respect_case {
        lower = !respect;
    }
    if let Some(respect) = mods.respect_accents {
        unaccent = !respect;
    }
    // With explicit modifiers the expression no longer matches the index: plain form.
    let btree = !mods.explicit_folding() && idx.is_some_and(|i| i.kind == IndexKind::Btree);
    (lower, unaccent, btree)
}

/// `f=*` on the right of an `or` (cql2pgjson drops it).
pub(crate) fn is_equals_star(node: &Node) -> bool {
    matches!(node, Node::Clause { relation: Relation::Equals, term, .. } if term == "*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cql::parse;

    const PLAIN: TableConfig = TableConfig::new("loan", &[("id", "id")]);
    const REQUEST: TableConfig = TableConfig {
        table: "request",
        uuid_fields: &[
            ("id", "id"),
            ("cancellationReasonId", "cancellationreasonid"),
        ],
        case_sensitive_fields: &[("itemIdEq", "itemId")],
        indexes: &[
            FieldIndex {
                field: "status",
                kind: IndexKind::Btree,
                case_sensitive: false,
                remove_accents: false,
            },
            FieldIndex {
                field: "status",
                kind: IndexKind::Gin,
                case_sensitive: false,
                remove_accents: true,
            },
            FieldIndex {
                field: "requestLevel",
                kind: IndexKind::Btree,
                case_sensitive: false,
                remove_accents: false,
            },
            FieldIndex {
                field: "title",
                kind: IndexKind::FullText,
                case_sensitive: false,
                remove_accents: false,
            },
        ],
    };

    const U1: &str = "8a7f5d1c-3b2e-4f6a-9c8d-7e6f5a4b3c2d";
    const U2: &str = "00000000-0000-4000-8000-000000000000";

    fn sql(q: &str, t: &TableConfig) -> SqlQuery {
        let query = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        to_sql(&query, t, 1).unwrap_or_else(|e| panic!("{q}: {e}"))
    }

    fn check(q: &str, t: &TableConfig, where_clause: &str, params: &[&str]) {
        let s = sql(q, t);
        assert_eq!(s.where_clause, where_clause, "query {q}");
        assert_eq!(s.params, params, "query {q}");
    }

    #[test]
    fn translates_relations() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("cql.allRecords=1", "true", &[]),
            ("CQL.ALLRECORDS=\"x\"", "true", &[]),
            (
                "status.name==\"Open\"",
                "lower(f_unaccent(jsonb->'status'->>'name')) = lower(f_unaccent($1))",
                &["Open"],
            ),
            (
                "a.b.c<>\"x*y?z%_\\*\"",
                "lower(f_unaccent(jsonb->'a'->'b'->>'c')) NOT LIKE lower(f_unaccent($1))",
                &["x%y_z\\%\\_*"],
            ),
            (
                "f==/respectCase/respectAccents x",
                "jsonb->>'f' = $1",
                &["x"],
            ),
            ("f==/respectCase x", "f_unaccent(jsonb->>'f') = f_unaccent($1)", &["x"]),
            ("f==/ignoreCase/respectAccents x", "lower(jsonb->>'f') = lower($1)", &["x"]),
            ("f==\"\"", "lower(f_unaccent(jsonb->>'f')) = lower(f_unaccent($1))", &[""]),
            (
                "title=\"Crème brûlée\"",
                "get_tsvector(f_unaccent(jsonb->>'title')) @@ tsquery_phrase(f_unaccent($1))",
                &["Crème brûlée"],
            ),
            (
                "title adj \"a b*\"",
                "get_tsvector(f_unaccent(jsonb->>'title')) @@ tsquery_phrase(f_unaccent($1))",
                &["a b*"],
            ),
            (
                "title all \"a b\"",
                "get_tsvector(f_unaccent(jsonb->>'title')) @@ tsquery_and(f_unaccent($1))",
                &["a b"],
            ),
            (
                "title any \"a b\"",
                "get_tsvector(f_unaccent(jsonb->>'title')) @@ tsquery_or(f_unaccent($1))",
                &["a b"],
            ),
            ("title=*", "true", &[]),
            ("title=\"\"", "jsonb->>'title' ~ ''", &[]),
            ("title=\"it's *\"", "get_tsvector(f_unaccent(jsonb->>'title')) @@ tsquery_phrase(f_unaccent($1))", &["it's"]),
            (
                "nextRunTime<\"2024-01-01T00:00:00Z\"",
                "jsonb->>'nextRunTime' < $1",
                &["2024-01-01T00:00:00Z"],
            ),
            ("a>=x", "jsonb->>'a' >= $1", &["x"]),
            ("a<=/ignoreCase \"X\"", "lower(f_unaccent(jsonb->>'a')) <= lower(f_unaccent($1))", &["X"]),
            (
                "position</number 10",
                "(CASE WHEN jsonb->>'position' ~ '^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$' THEN (jsonb->>'position')::numeric END) < $1::numeric",
                &["10"],
            ),
            (
                "position==/number 1.5",
                "(CASE WHEN jsonb->>'position' ~ '^[[:space:]]*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?[[:space:]]*$' THEN (jsonb->>'position')::numeric END) = $1::numeric",
                &["1.5"],
            ),
            ("x=/masked/string y", "get_tsvector(f_unaccent(jsonb->>'x')) @@ tsquery_phrase(f_unaccent($1))", &["y"]),
        ];
        for (q, w, p) in cases {
            check(q, &PLAIN, w, p);
        }
    }

    #[test]
    fn translates_uuid_fields() {
        let cases: Vec<(String, &str, Vec<&str>)> = vec![
            (format!("id=={U1}"), "id = $1::uuid", vec![U1]),
            (format!("id={U1}"), "id = $1::uuid", vec![U1]),
            (format!("id<>{U1}"), "id <> $1::uuid", vec![U1]),
            (format!("id>{U1}"), "id > $1::uuid", vec![U1]),
            ("id==\"not-a-uuid\"".into(), "false", vec![]),
            ("id==\"'; drop table loan; --\"".into(), "false", vec![]),
            ("id<>\"not-a-uuid\"".into(), "true", vec![]),
            ("id=*".into(), "true", vec![]),
            ("id==*".into(), "true", vec![]),
            ("id<>*".into(), "false", vec![]),
            ("id==\"\"".into(), "false", vec![]),
            (
                "id==8a7f*".into(),
                "(id >= $1::uuid AND id <= $2::uuid)",
                vec![
                    "8a7f0000-0000-0000-0000-000000000000",
                    "8a7fffff-ffff-ffff-ffff-ffffffffffff",
                ],
            ),
            (
                "id<>8a7f*".into(),
                "(id < $1::uuid OR id > $2::uuid)",
                vec![
                    "8a7f0000-0000-0000-0000-000000000000",
                    "8a7fffff-ffff-ffff-ffff-ffffffffffff",
                ],
            ),
            ("id==zz*".into(), "false", vec![]),
            (
                format!("cancellationReasonId=={U1}"),
                "cancellationreasonid = $1::uuid",
                vec![U1],
            ),
            (
                "cancellationReasonId=*".into(),
                "cancellationreasonid IS NOT NULL",
                vec![],
            ),
            (
                "cancellationReasonId<>x".into(),
                "cancellationreasonid IS NOT NULL",
                vec![],
            ),
            (
                format!("id==(\"{U1}\" or \"{U2}\" or \"bad\")"),
                "(id = $1::uuid) OR (id = $2::uuid)",
                vec![U1, U2],
            ),
        ];
        for (q, w, p) in &cases {
            check(q, &REQUEST, w, p);
        }
        for q in [
            "id</number x",
            "id==/respectCase x",
            "id<\"x\"",
            "id adj x",
            "id==a*b*",
        ] {
            let e = to_sql(&parse(q).unwrap(), &REQUEST, 1).expect_err(q);
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn follows_index_configuration() {
        // gin wins over btree: lower + unaccent; an exact value compares with `=`.
        check(
            "status==\"Open\"",
            &REQUEST,
            "lower(f_unaccent(jsonb->>'status')) = lower(f_unaccent($1))",
            &["Open"],
        );
        // btree only, removeAccents false: RMB's left(...,600) form.
        check(
            "requestLevel==\"Item\"",
            &REQUEST,
            "left(lower(jsonb->>'requestLevel'),600) = left(lower($1),600) AND lower(jsonb->>'requestLevel') = lower($1)",
            &["Item"],
        );
        check(
            "requestLevel==\"It*\"",
            &REQUEST,
            "CASE WHEN length(lower($1)) <= 600 THEN left(lower(jsonb->>'requestLevel'),600) LIKE lower($1) \
             ELSE left(lower(jsonb->>'requestLevel'),600) LIKE left(lower($1),600) AND lower(jsonb->>'requestLevel') LIKE lower($1) END",
            &["It%"],
        );
        check(
            "requestLevel<>\"Item\"",
            &REQUEST,
            "lower(jsonb->>'requestLevel') <> lower($1)",
            &["Item"],
        );
        check(
            "requestLevel<>\"It?m\"",
            &REQUEST,
            "CASE WHEN length(lower($1)) <= 600 THEN left(lower(jsonb->>'requestLevel'),600) NOT LIKE lower($1) \
             ELSE left(lower(jsonb->>'requestLevel'),600) NOT LIKE left(lower($1),600) OR lower(jsonb->>'requestLevel') NOT LIKE lower($1) END",
            &["It_m"],
        );
        check(
            "requestLevel<\"m\"",
            &REQUEST,
            "CASE WHEN length(lower($1)) <= 600 THEN left(lower(jsonb->>'requestLevel'),600) < lower($1) \
             ELSE left(lower(jsonb->>'requestLevel'),600) <= left(lower($1),600) AND lower(jsonb->>'requestLevel') < lower($1) END",
            &["m"],
        );
        check(
            "requestLevel==/respectCase \"Item\"",
            &REQUEST,
            "jsonb->>'requestLevel' = $1",
            &["Item"],
        );
        check(
            "title=\"a b\"",
            &REQUEST,
            "get_tsvector(jsonb->>'title') @@ tsquery_phrase($1)",
            &["a b"],
        );
        check(
            "itemIdEq==\"Ab*\"",
            &REQUEST,
            "(jsonb->>'itemId') LIKE $1",
            &["Ab%"],
        );
        check(
            "itemIdEq<>\"Ab\"",
            &REQUEST,
            "(jsonb->>'itemId') <> $1",
            &["Ab"],
        );
        check(
            "itemIdEq>\"Ab\"",
            &REQUEST,
            "jsonb->>'itemId' > $1",
            &["Ab"],
        );
    }

    /// The deepest tree the parser accepts must not overflow the (2 MiB, debug) test
    /// thread stack in the recursive translation and evaluation.
    #[test]
    fn deepest_accepted_tree_is_safe() {
        let chain = vec!["a==x"; crate::cql::MAX_TREE_DEPTH].join(" or ");
        let q = parse(&chain).unwrap();
        let s = to_sql(&q, &PLAIN, 1).unwrap();
        assert_eq!(s.params.len(), crate::cql::MAX_TREE_DEPTH);
        #[cfg(feature = "cql-eval")]
        {
            assert!(crate::cql::eval::matches(
                &q,
                &serde_json::json!({"a": "x"})
            ));
            assert!(!crate::cql::eval::matches(
                &q,
                &serde_json::json!({"a": "y"})
            ));
        }
        let nested = format!(
            "{}a==x{}",
            "(b==y or ".repeat(crate::cql::MAX_NESTING - 1),
            ")".repeat(crate::cql::MAX_NESTING - 1)
        );
        let q = parse(&nested).unwrap();
        to_sql(&q, &PLAIN, 1).unwrap();
        #[cfg(feature = "cql-eval")]
        assert!(crate::cql::eval::matches(
            &q,
            &serde_json::json!({"a": "x"})
        ));
    }

    #[test]
    fn translates_booleans() {
        let like = |f: &str, n: usize| {
            format!("lower(f_unaccent(jsonb->>'{f}')) = lower(f_unaccent(${n}))")
        };
        let cases: Vec<(&str, String, Vec<&str>)> = vec![
            (
                "a==1 and b==2",
                format!("({}) AND ({})", like("a", 1), like("b", 2)),
                vec!["1", "2"],
            ),
            (
                "a==1 or b==2",
                format!("({}) OR ({})", like("a", 1), like("b", 2)),
                vec!["1", "2"],
            ),
            (
                "a==1 not b==2",
                format!("({}) AND (({}) IS NOT TRUE)", like("a", 1), like("b", 2)),
                vec!["1", "2"],
            ),
            ("a==1 or b=*", like("a", 1), vec!["1"]),
            ("cql.allRecords=1 and a==1", like("a", 1), vec!["1"]),
            ("a==1 and cql.allRecords=1", like("a", 1), vec!["1"]),
            (
                "cql.allRecords=1 or a==1",
                format!("(true) OR ({})", like("a", 1)),
                vec!["1"],
            ),
            ("cql.allRecords=1 not a=*", "false".into(), vec![]),
            ("a==1 not id==bad", like("a", 1), vec!["1"]),
            ("id==bad or a==1", like("a", 1), vec!["1"]),
        ];
        for (q, w, p) in &cases {
            check(q, &PLAIN, w, p);
        }
        let e = to_sql(&parse("a=1 prox b=2").unwrap(), &PLAIN, 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "boolean operator 'prox' is not supported at position 9"
        );
    }

    #[test]
    fn translates_sort_and_numbers_params_from_first_param() {
        let q = parse(
            "a==x sortBy name/sort.descending id position/number b/respectCase/sort.ascending",
        )
        .unwrap();
        let s = to_sql(&q, &PLAIN, 3).unwrap();
        assert_eq!(
            s.where_clause,
            "lower(f_unaccent(jsonb->>'a')) = lower(f_unaccent($3))"
        );
        assert_eq!(s.params, ["x"]);
        assert_eq!(
            s.order_by.as_deref(),
            Some(
                "left(lower(f_unaccent(jsonb->>'name')),600) DESC, lower(f_unaccent(jsonb->>'name')) DESC, \
                 id, jsonb->'position', left(f_unaccent(jsonb->>'b'),600), f_unaccent(jsonb->>'b')"
            )
        );
        assert_eq!(sql("a==x", &PLAIN).order_by, None);
        let e = to_sql(&parse("a==x sortBy b/foo").unwrap(), &PLAIN, 1).unwrap_err();
        assert!(
            e.to_string()
                .contains("unsupported sort modifier '/foo' at position 12"),
            "{e}"
        );
    }

    #[test]
    fn translates_the_queries_mod_circulation_sends() {
        let open = "(\"Open - Not yet filled\" or \"Open - Awaiting pickup\")";
        let s = sql(
            &format!("(itemId==\"{U1}\") and status=={open} and requestLevel==(\"Item\") sortBy position/sort.ascending"),
            &PLAIN,
        );
        assert_eq!(
            s.where_clause,
            "((lower(f_unaccent(jsonb->>'itemId')) = lower(f_unaccent($1))) AND \
             ((lower(f_unaccent(jsonb->>'status')) = lower(f_unaccent($2))) OR \
             (lower(f_unaccent(jsonb->>'status')) = lower(f_unaccent($3))))) AND \
             (lower(f_unaccent(jsonb->>'requestLevel')) = lower(f_unaccent($4)))"
        );
        assert_eq!(
            s.params,
            [
                U1,
                "Open - Not yet filled",
                "Open - Awaiting pickup",
                "Item"
            ]
        );
        assert_eq!(
            s.order_by.as_deref(),
            Some("left(lower(f_unaccent(jsonb->>'position')),600), lower(f_unaccent(jsonb->>'position'))")
        );

        let s = sql(
            "loan.id==\"x\" and loan.action==\"patronInfoAdded\" sortBy createdDate/sort.descending",
            &PLAIN,
        );
        assert_eq!(
            s.where_clause,
            "(lower(f_unaccent(jsonb->'loan'->>'id')) = lower(f_unaccent($1))) AND \
             (lower(f_unaccent(jsonb->'loan'->>'action')) = lower(f_unaccent($2)))"
        );
        assert_eq!(s.params, ["x", "patronInfoAdded"]);
        assert_eq!(
            s.order_by.as_deref(),
            Some("left(lower(f_unaccent(jsonb->>'createdDate')),600) DESC, lower(f_unaccent(jsonb->>'createdDate')) DESC")
        );

        let s = sql("noticeConfig.timing==(\"Upon At\" or \"After\")", &PLAIN);
        assert_eq!(s.params, ["Upon At", "After"]);
        assert!(s.where_clause.contains("jsonb->'noticeConfig'->>'timing'"));

        for q in [
            "name==(\"TLR\" or \"generalTlr\" or \"regularTlr\")",
            "status.name==\"Open\" and userId==\"x\"",
            "nextRunTime<\"2024-01-01T00:00:00Z\" and noticeConfig.sendInRealTime==\"true\" and triggeringEvent==(\"Due date\") sortBy nextRunTime",
            "loanId==\"x\" and triggeringEvent==\"Due date\" and noticeConfig.timing==(\"Upon At\" or \"After\")",
            "patronId==\"x\" and actionType==\"Check-out\"",
            "loan.id==\"x\" and status==\"Open\" sortBy lossDate/sort.descending",
        ] {
            sql(q, &PLAIN);
        }
    }

    #[test]
    fn within_is_an_inclusive_range() {
        let q = crate::cql::parse("dueDate within \"2024-01-01 2024-02-01\"").unwrap();
        let sql = to_sql(&q, &TableConfig::new("loan", &[]), 1).unwrap();
        assert_eq!(sql.params, vec!["2024-01-01", "2024-02-01"]);
        assert!(
            sql.where_clause.contains(">= $1") && sql.where_clause.contains("<= $2"),
            "{}",
            sql.where_clause
        );
        assert!(sql.where_clause.contains(" AND "), "{}", sql.where_clause);
    }

    #[test]
    fn refuses_what_it_cannot_translate() {
        let cases = [
            ("dog", "no index", 0),
            ("a.b..c==x", "invalid field name 'a.b..c'", 0),
            ("a'b==x", "invalid field name", 0),
            ("x and a-b==x", "no index", 0),
            ("a==x and \"a b\"==x", "invalid field name 'a b'", 9),
            (
                "a==/unmasked x",
                "unsupported relation modifier '/unmasked'",
                0,
            ),
            ("a==/regexp x", "unsupported relation modifier", 0),
            ("a==/x=1 x", "with a value", 0),
            ("a within x", "needs two values", 0),
            ("a encloses x", "not supported", 0),
            ("a exact x", "not supported", 0),
            ("a=\"b?\"", "? wildcard", 0),
            ("a=\"*b\"", "right truncation", 0),
            ("a</number x", "'x' is not a number", 0),
            ("a==1 sortBy \"b c\"", "invalid field name", 12),
        ];
        for (q, msg, pos) in cases {
            let e = to_sql(&parse(q).unwrap(), &PLAIN, 1).expect_err(q);
            assert!(e.message.contains(msg), "{q}: {e}");
            assert_eq!(e.position, pos, "{q}: {e}");
        }
    }

    /// Whatever the input, user text reaches the SQL only through parameters.
    #[test]
    fn never_splices_user_values() {
        let hostile = [
            "'; drop table loan; --",
            "x' OR '1'='1",
            "$1",
            "\\' or 1=1 --",
            "é\u{0}😀",
        ];
        let mut seed: u64 = 42;
        for h in hostile {
            let escaped = h.replace('\\', "\\\\").replace('"', "\\\"");
            for rel in [
                "=",
                "==",
                "<>",
                "<",
                ">=",
                "adj",
                "all",
                "any",
                "=/number",
                "==/respectCase",
            ] {
                for field in [
                    "a",
                    "id",
                    "cancellationReasonId",
                    "itemIdEq",
                    "requestLevel",
                ] {
                    let q = format!("{field}{rel}\"{escaped}\" sortBy {field}");
                    let Ok(query) = parse(&q) else { continue };
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    let first = (seed % 5) as usize + 1;
                    if let Ok(s) = to_sql(&query, &REQUEST, first) {
                        for text in [s.where_clause.as_str(), s.order_by.as_deref().unwrap_or("")] {
                            assert!(!text.contains("drop"), "{q} -> {text}");
                            assert!(
                                !text.contains("1=1") && !text.contains("OR '1'"),
                                "{q} -> {text}"
                            );
                            assert!(
                                !text.contains('\u{0}') && !text.contains('é'),
                                "{q} -> {text}"
                            );
                        }
                        // Placeholders are numbered from `first`, one per param.
                        for i in 0..s.params.len() {
                            assert!(s.where_clause.contains(&format!("${}", first + i)), "{q}");
                        }
                        assert!(!s
                            .where_clause
                            .contains(&format!("${}", first + s.params.len())));
                    }
                }
            }
        }
        // Field names with quotes never get through.
        for q in ["\"a'b\"==x", "\"a;b\"==x", "a==x sortBy \"a'b\""] {
            assert!(to_sql(&parse(q).unwrap(), &PLAIN, 1).is_err(), "{q}");
        }
    }
}
