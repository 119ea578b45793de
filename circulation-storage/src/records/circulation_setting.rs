//! Circulation settings: a POST whose name clashes with the unique (case-insensitive) name index
//! updates the value of the settings with exactly that name (FOLIO answers 201 with the posted
//! body), instead of failing.
use crate::error::StorageError;
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Text};
use diesel::PgConnection;
use serde_json::Value;

pub fn merge_into_existing(conn: &mut PgConnection, setting: &Value) -> Result<bool, StorageError> {
    let Some(name) = setting.get("name").and_then(Value::as_str) else {
        return Ok(false);
    };
    let clashes = diesel::sql_query(
        "SELECT id FROM circulation_settings \
         WHERE lower(f_unaccent(jsonb->>'name')) = lower(f_unaccent($1)) LIMIT 1",
    )
    .bind::<Text, _>(name)
    .execute(conn)?;
    if clashes == 0 {
        return Ok(false);
    }
    // FOLIO looks the existing settings up by the exact name (`'name' = <name>`).
    let value = setting.get("value").cloned().unwrap_or(Value::Null);
    diesel::sql_query(
        "UPDATE circulation_settings SET jsonb = jsonb_set(jsonb, '{value}', $1) \
         WHERE jsonb->>'name' = $2",
    )
    .bind::<Jsonb, _>(&value)
    .bind::<Text, _>(name)
    .execute(conn)?;
    Ok(true)
}
