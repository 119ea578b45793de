//! Generic operations on an RMB table (`id uuid`, `jsonb jsonb`, ...). Table names come only from
//! the static record catalogue; every value is a bind parameter.
use crate::cql::sql::SqlQuery;
use crate::error::StorageError;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Text};
use serde_json::Value;
use uuid::Uuid;

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
}

#[derive(QueryableByName)]
struct CountedRow {
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

pub fn insert(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
    jsonb: &Value,
) -> Result<Value, StorageError> {
    let row: JsonRow = diesel::sql_query(format!(
        "INSERT INTO {table} (id, jsonb) VALUES ($1, $2) RETURNING jsonb"
    ))
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<Jsonb, _>(jsonb)
    .get_result(conn)?;
    Ok(row.jsonb)
}

/// Replaces the jsonb of an existing record; returns whether there was one.
pub fn update(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
    jsonb: &Value,
) -> Result<bool, StorageError> {
    let n = diesel::sql_query(format!("UPDATE {table} SET jsonb = $2 WHERE id = $1"))
        .bind::<diesel::sql_types::Uuid, _>(id)
        .bind::<Jsonb, _>(jsonb)
        .execute(conn)?;
    Ok(n > 0)
}

/// Update, or insert when missing (the upserting PUT of loans, requests and policies).
pub fn upsert(
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

pub fn get(conn: &mut PgConnection, table: &str, id: Uuid) -> Result<Option<Value>, StorageError> {
    let row: Option<JsonRow> =
        diesel::sql_query(format!("SELECT jsonb FROM {table} WHERE id = $1"))
            .bind::<diesel::sql_types::Uuid, _>(id)
            .get_result(conn)
            .optional()?;
    Ok(row.map(|r| r.jsonb))
}

/// Locks the row for the rest of the transaction and returns it.
pub fn get_for_update(
    conn: &mut PgConnection,
    table: &str,
    id: Uuid,
) -> Result<Option<Value>, StorageError> {
    let row: Option<JsonRow> = diesel::sql_query(format!(
        "SELECT jsonb FROM {table} WHERE id = $1 FOR UPDATE"
    ))
    .bind::<diesel::sql_types::Uuid, _>(id)
    .get_result(conn)
    .optional()?;
    Ok(row.map(|r| r.jsonb))
}

pub fn delete(conn: &mut PgConnection, table: &str, id: Uuid) -> Result<bool, StorageError> {
    let n = diesel::sql_query(format!("DELETE FROM {table} WHERE id = $1"))
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(conn)?;
    Ok(n > 0)
}

/// Deletes the rows the translated CQL selects (all rows for `true`).
pub fn delete_where(
    conn: &mut PgConnection,
    table: &str,
    filter: &SqlQuery,
) -> Result<usize, StorageError> {
    let mut query = diesel::sql_query(format!("DELETE FROM {table} WHERE {}", filter.where_clause))
        .into_boxed::<Pg>();
    for p in &filter.params {
        query = query.bind::<Text, _>(p.clone());
    }
    Ok(query.execute(conn)?)
}

/// One page of records plus the total count of matches.
pub fn search(
    conn: &mut PgConnection,
    table: &str,
    filter: &SqlQuery,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Value>, i64), StorageError> {
    let n = filter.params.len();
    let order = filter
        .order_by
        .as_ref()
        .map(|o| format!(" ORDER BY {o}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT jsonb, count(*) OVER () AS total FROM {table} WHERE {}{order} LIMIT ${} OFFSET ${}",
        filter.where_clause,
        n + 1,
        n + 2
    );
    let mut query = diesel::sql_query(sql).into_boxed::<Pg>();
    for p in &filter.params {
        query = query.bind::<Text, _>(p.clone());
    }
    let rows: Vec<CountedRow> = query
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(conn)?;
    let total = match rows.first() {
        Some(r) => r.total,
        // Past the end (or limit 0) the window count is unavailable: count separately.
        None => count(conn, table, filter)?,
    };
    Ok((rows.into_iter().map(|r| r.jsonb).collect(), total))
}

pub fn count(conn: &mut PgConnection, table: &str, filter: &SqlQuery) -> Result<i64, StorageError> {
    let mut query = diesel::sql_query(format!(
        "SELECT count(*) AS total FROM {table} WHERE {}",
        filter.where_clause
    ))
    .into_boxed::<Pg>();
    for p in &filter.params {
        query = query.bind::<Text, _>(p.clone());
    }
    let row: Count = query.get_result(conn)?;
    Ok(row.total)
}
