//! The tenant's single circulation rules document (table `circulation_rules`).
use crate::error::StorageError;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Jsonb, Text};
use serde_json::Value;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
}

/// Every rules document stored (there should be exactly one).
pub(crate) fn all(conn: &mut PgConnection) -> Result<Vec<Value>, StorageError> {
    let rows: Vec<Row> = diesel::sql_query("SELECT jsonb FROM circulation_rules").load(conn)?;
    Ok(rows.into_iter().map(|r| r.jsonb).collect())
}

/// Replaces the document (the row keeps its id: the id trigger writes it back into the jsonb).
pub(crate) fn replace(conn: &mut PgConnection, rules: &Value) -> Result<(), StorageError> {
    diesel::sql_query("UPDATE circulation_rules SET jsonb = $1")
        .bind::<Jsonb, _>(rules)
        .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct InUse {
    #[diesel(sql_type = Bool)]
    in_use: bool,
}

/// Does the rules text name this policy id?
pub(crate) fn mention(conn: &mut PgConnection, id: uuid::Uuid) -> Result<bool, StorageError> {
    let row: InUse = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM circulation_rules \
         WHERE strpos(lower(jsonb->>'rulesAsText'), $1) > 0) AS in_use",
    )
    .bind::<Text, _>(id.to_string())
    .get_result(conn)?;
    Ok(row.in_use)
}
