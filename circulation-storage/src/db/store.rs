//! Generic operations on an RMB table (`id uuid`, `jsonb jsonb`, ...). Table names come only from
//! the static record catalogue; every value is a bind parameter.
use super::CqlStatements;
use crate::cql::sql::SqlQuery;
use crate::error::StorageError;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Jsonb, Text};
use serde_json::Value;
use uuid::Uuid;

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

pub(crate) fn insert(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
    jsonb: &Value,
) -> Result<Value, StorageError> {
    let row: JsonRow = Cacheable {
        pieces: vec![
            Piece::Sql(format!("INSERT INTO {table} (id, jsonb) VALUES (")),
            Piece::Uuid(&id),
            Piece::Sql(", ".into()),
            Piece::Jsonb(jsonb),
            Piece::Sql(") RETURNING jsonb".into()),
        ],
        cache: true,
    }
    .get_result(conn)?;
    Ok(row.jsonb)
}

/// Replaces the jsonb of an existing record; returns whether there was one.
pub(crate) fn update(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
    jsonb: &Value,
) -> Result<bool, StorageError> {
    update_where(conn, table, id, jsonb, None)
}

/// Replaces the jsonb of a record only while its `metadata.updatedDate` is still `version`;
/// returns whether it was replaced.
pub(crate) fn update_if_version(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
    jsonb: &Value,
    version: &str,
) -> Result<bool, StorageError> {
    update_where(conn, table, id, jsonb, Some(version))
}

fn update_where(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
    jsonb: &Value,
    version: Option<&str>,
) -> Result<bool, StorageError> {
    let mut pieces = vec![
        Piece::Sql(format!("UPDATE {table} SET jsonb = ")),
        Piece::Jsonb(jsonb),
        Piece::Sql(" WHERE id = ".into()),
        Piece::Uuid(&id),
    ];
    if let Some(version) = version {
        pieces.push(Piece::Sql(
            " AND jsonb->'metadata'->>'updatedDate' = ".into(),
        ));
        pieces.push(Piece::Text(version));
    }
    let n = Cacheable {
        pieces,
        cache: true,
    }
    .execute(conn)?;
    Ok(n > 0)
}

/// Update, or insert when missing (the upserting PUT of loans, requests and policies).
pub(crate) fn upsert(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
    jsonb: &Value,
) -> Result<(), StorageError> {
    if !update(conn, table, id, jsonb)? {
        insert(conn, table, id, jsonb)?;
    }
    Ok(())
}

pub(crate) fn get(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
) -> Result<Option<Value>, StorageError> {
    let row: Option<JsonRow> = Cacheable {
        pieces: vec![
            Piece::Sql(format!("SELECT jsonb FROM {table} WHERE id = ")),
            Piece::Uuid(&id),
        ],
        cache: true,
    }
    .get_result(conn)
    .optional()?;
    Ok(row.map(|r| r.jsonb))
}

pub(crate) fn delete(conn: &mut PgConnection, table: &str, id: Uuid) -> Result<bool, StorageError> {
    let n = Cacheable {
        pieces: vec![
            Piece::Sql(format!("DELETE FROM {table} WHERE id = ")),
            Piece::Uuid(&id),
        ],
        cache: true,
    }
    .execute(conn)?;
    Ok(n > 0)
}

/// Deletes the rows the translated CQL selects (all rows for `true`).
pub(crate) fn delete_where(
    conn: &mut PgConnection,
    statements: &mut CqlStatements,
    table: &str,
    filter: &SqlQuery,
) -> Result<usize, StorageError> {
    let sql = format!("DELETE FROM {table} WHERE {}", filter.where_clause);
    Ok(cql_statement(statements, sql, filter, &[]).execute(conn)?)
}

/// Empties the table with TRUNCATE, so no row trigger fires.
pub(crate) fn truncate(conn: &mut PgConnection, table: &str) -> Result<usize, StorageError> {
    Ok(diesel::sql_query(format!("TRUNCATE TABLE {table}")).execute(conn)?)
}

/// Below this many matches `totalRecords` is exact (RMB's `exactCount`, default 1000).
pub(crate) const EXACT_COUNT: i64 = 1000;

/// One page of records plus `totalRecords` as RMB computes it (`totalRecords=auto`):
///
/// * `limit=0`: the exact count.
/// * fewer than [`EXACT_COUNT`] matches: the exact count;
/// * otherwise the planner's estimate (`EXPLAIN`), but at least [`EXACT_COUNT`];
/// * then corrected against the page: no rows but total > offset → offset; a full page but
///   total < offset+limit → offset+limit; a partial page → offset+rows.
///
/// RMB runs `EXPLAIN` first and trusts an estimate above 4×1000 without counting; here the
/// page comes first, a capped count follows only when the page is full (or empty past the
/// start), and `EXPLAIN` runs only when the cap is reached. So a large misestimate of a small
/// result gives the exact count here where RMB would give the estimate; every other case gives
/// RMB's number.
///
/// Every statement built from the CQL runs as a prepared statement when `statements` admits
/// its text (see [`CqlStatements`]).
pub fn search(
    conn: &mut PgConnection,
    statements: &mut CqlStatements,
    table: &str,
    filter: &SqlQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Value>, i64), StorageError> {
    if limit == 0 {
        return Ok((Vec::new(), count(conn, statements, table, filter)?));
    }
    let rows: Vec<JsonRow> = cql_statement(
        statements,
        search_sql(table, filter),
        filter,
        &[limit, offset],
    )
    .load(conn)?;
    let returned = rows.len() as i64;
    // Only a full page, or an empty one past the start, needs counting: for a partial page
    // the correction below gives the exact total anyway (the usual case of the check-out's
    // searches, which find nothing or a few records).
    let total = if returned == limit || (returned == 0 && offset > 0) {
        match capped_count(conn, statements, table, filter)? {
            c if c < EXACT_COUNT => c,
            _ => estimate_at_least_cutoff(conn, table, filter)?,
        }
    } else {
        offset + returned
    };
    Ok((
        rows.into_iter().map(|r| r.jsonb).collect(),
        correct_total(total, returned, limit, offset),
    ))
}

/// The statement [`search`] runs for a page: the filter's parameters `$1..$n`, then
/// `LIMIT $n+1 OFFSET $n+2`.
pub fn search_sql(table: &str, filter: &SqlQuery) -> String {
    let n = filter.params.len();
    let order = filter
        .order_by
        .as_ref()
        .map(|o| format!(" ORDER BY {o}"))
        .unwrap_or_default();
    format!(
        "SELECT jsonb FROM {table} WHERE {}{order} LIMIT ${} OFFSET ${}",
        filter.where_clause,
        n + 1,
        n + 2
    )
}

/// RMB's correction of a (possibly estimated) total against the page actually returned.
pub(crate) fn correct_total(total: i64, returned: i64, limit: i64, offset: i64) -> i64 {
    if returned == 0 {
        if total > offset {
            offset
        } else {
            total
        }
    } else if returned == limit {
        total.max(offset.saturating_add(limit))
    } else {
        offset + returned
    }
}

/// `count(*)` of at most [`EXACT_COUNT`] matches.
fn capped_count(
    conn: &mut PgConnection,
    statements: &mut CqlStatements,
    table: &str,
    filter: &SqlQuery,
) -> Result<i64, StorageError> {
    let sql = format!(
        "SELECT count(*) AS total FROM (SELECT 1 FROM {table} WHERE {} LIMIT {EXACT_COUNT}) capped",
        filter.where_clause
    );
    let row: Count = cql_statement(statements, sql, filter, &[]).get_result(conn)?;
    Ok(row.total)
}

/// The planner's row estimate for the filter, at least [`EXACT_COUNT`] (used once the capped
/// count has shown there are at least that many).
fn estimate_at_least_cutoff(
    conn: &mut PgConnection,
    table: &str,
    filter: &SqlQuery,
) -> Result<i64, StorageError> {
    Ok(estimate(conn, table, filter)?.max(EXACT_COUNT))
}

#[derive(QueryableByName)]
struct Plan {
    #[diesel(sql_type = Text)]
    #[diesel(column_name = "QUERY PLAN")]
    plan: String,
}

/// `EXPLAIN`'s estimate of the number of rows the filter selects (rare: never prepared).
fn estimate(conn: &mut PgConnection, table: &str, filter: &SqlQuery) -> Result<i64, StorageError> {
    let sql = format!(
        "EXPLAIN (FORMAT JSON) SELECT jsonb FROM {table} WHERE {}",
        filter.where_clause
    );
    let row: Plan = bind_all(diesel::sql_query(sql).into_boxed::<Pg>(), filter).get_result(conn)?;
    let plan: Value = serde_json::from_str(&row.plan)
        .map_err(|e| StorageError::Internal(format!("EXPLAIN output: {e}")))?;
    Ok(plan[0]["Plan"]["Plan Rows"]
        .as_f64()
        .map(|r| r.round() as i64)
        .unwrap_or(0))
}

fn bind_all<'a>(
    mut query: diesel::query_builder::BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery>,
    filter: &SqlQuery,
) -> diesel::query_builder::BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery> {
    for p in &filter.params {
        query = query.bind::<Text, _>(p.clone());
    }
    query
}

pub fn count(
    conn: &mut PgConnection,
    statements: &mut CqlStatements,
    table: &str,
    filter: &SqlQuery,
) -> Result<i64, StorageError> {
    let sql = format!(
        "SELECT count(*) AS total FROM {table} WHERE {}",
        filter.where_clause
    );
    let row: Count = cql_statement(statements, sql, filter, &[]).get_result(conn)?;
    Ok(row.total)
}

/// `sql`, whose placeholders `$1..$n` are the filter's parameters (text) followed by `extra`
/// (bigint), as a statement diesel keeps prepared when `statements` admits its text.
///
/// The translator numbers its placeholders itself, and uses some more than once (the search
/// repeats the WHERE clause; RMB's btree CASE form repeats its value). diesel's public API can
/// only bind a value by writing the next placeholder (`$1`, `$2`, ... in order), so the values
/// are bound in a trailing comment, `/* $1 $2 ... */`: PostgreSQL ignores the comment, the
/// parameters keep their types, and `sql`'s own `$k` refer to them.
fn cql_statement<'a>(
    statements: &mut CqlStatements,
    sql: String,
    filter: &'a SqlQuery,
    extra: &'a [i64],
) -> Cacheable<'a> {
    let cache = statements.admit(&sql);
    let mut pieces = Vec::with_capacity(2 * (filter.params.len() + extra.len()) + 2);
    pieces.push(Piece::Sql(sql));
    if !filter.params.is_empty() || !extra.is_empty() {
        pieces.push(Piece::Sql(" /*".into()));
        for p in &filter.params {
            pieces.push(Piece::Sql(" ".into()));
            pieces.push(Piece::Text(p));
        }
        for n in extra {
            pieces.push(Piece::Sql(" ".into()));
            pieces.push(Piece::BigInt(n));
        }
        pieces.push(Piece::Sql(" */".into()));
    }
    Cacheable { pieces, cache }
}

/// A statement diesel may keep as a named prepared statement, keyed by its text (`cache`): then
/// it is parsed once per connection instead of on every call. (`sql_query` is never cached: it
/// marks itself unsafe to cache.) Its text must come from a bounded set: for the operations by
/// id it depends only on the (catalogue) table name; texts built from CQL are bounded by
/// [`CqlStatements`]. Not cached, it runs as an unnamed statement, as `sql_query` does.
struct Cacheable<'a> {
    pieces: Vec<Piece<'a>>,
    cache: bool,
}

enum Piece<'a> {
    Sql(String),
    Uuid(&'a Uuid),
    Jsonb(&'a Value),
    Text(&'a str),
    BigInt(&'a i64),
}

impl QueryFragment<Pg> for Cacheable<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if !self.cache {
            out.unsafe_to_cache_prepared();
        }
        for piece in &self.pieces {
            match piece {
                Piece::Sql(sql) => out.push_sql(sql),
                Piece::Uuid(id) => out.push_bind_param::<diesel::sql_types::Uuid, Uuid>(id)?,
                Piece::Jsonb(v) => out.push_bind_param::<Jsonb, Value>(v)?,
                Piece::Text(t) => out.push_bind_param::<Text, str>(t)?,
                Piece::BigInt(n) => out.push_bind_param::<BigInt, i64>(n)?,
            }
        }
        Ok(())
    }
}

impl QueryId for Cacheable<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Cacheable<'_> {
    type SqlType = diesel::sql_types::Untyped;
}

impl RunQueryDsl<PgConnection> for Cacheable<'_> {}

#[cfg(test)]
mod tests {
    use super::correct_total;

    #[test]
    fn corrects_totals_as_rmb() {
        // (total, returned, limit, offset) → corrected
        let cases = [
            ((0, 0, 10, 0), 0),
            ((50, 0, 10, 100), 50),
            ((500, 0, 10, 100), 100),
            ((5, 10, 10, 0), 10),
            ((1000, 10, 10, 5000), 5010),
            ((20000, 10, 10, 5000), 20000),
            ((20000, 3, 10, 40), 43),
            ((7, 7, 2147483647, 0), 7),
        ];
        for ((total, returned, limit, offset), want) in cases {
            assert_eq!(
                correct_total(total, returned, limit, offset),
                want,
                "{total} {returned} {limit} {offset}"
            );
        }
    }
}
