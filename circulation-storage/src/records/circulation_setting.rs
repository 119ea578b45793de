//! Circulation settings: a POST with a name that exists updates that setting's value (FOLIO
//! answers 201 with the posted body) instead of failing on the unique name index.
use crate::error::StorageError;
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Text};
use diesel::PgConnection;
use serde_json::Value;

pub fn merge_into_existing(conn: &mut PgConnection, setting: &Value) -> Result<bool, StorageError> {
    let Some(name) = setting.get("name").and_then(Value::as_str) else {
        return Ok(false);
    };
    let value = setting.get("value").cloned().unwrap_or(Value::Null);
    let updated = diesel::sql_query(
        "UPDATE circulation_settings SET jsonb = jsonb_set(jsonb, '{value}', $1) \
         WHERE lower(f_unaccent(jsonb->>'name')) = lower(f_unaccent($2))",
    )
    .bind::<Jsonb, _>(&value)
    .bind::<Text, _>(name)
    .execute(conn)?;
    Ok(updated > 0)
}
