//! Statements on `circulation_settings` beyond the generic ones of [`super::store`].
use crate::error::StorageError;
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Text};
use serde_json::Value;

#[derive(QueryableByName)]
struct SettingRow {
    #[diesel(sql_type = Jsonb)]
    jsonb: Value,
}

/// `titleLevelRequestsFeatureEnabled` of the TLR circulation setting (named `generalTlr`, or else
/// `TLR`); `None` when there is no such setting. A setting without a `value` object is an error
/// (`TLR settings not found`), a missing flag means false.
pub(crate) fn tlr_enabled(conn: &mut PgConnection) -> Result<Option<bool>, StorageError> {
    for name in ["generalTlr", "TLR"] {
        let setting: Option<SettingRow> = diesel::sql_query(
            "SELECT jsonb FROM circulation_settings WHERE jsonb->>'name' = $1 LIMIT 1",
        )
        .bind::<Text, _>(name)
        .get_result(conn)
        .optional()?;
        let Some(setting) = setting else { continue };
        let Some(value) = setting.jsonb.get("value").and_then(Value::as_object) else {
            return Err(StorageError::Internal("TLR settings not found".into()));
        };
        return match value.get("titleLevelRequestsFeatureEnabled") {
            None | Some(Value::Null) => Ok(Some(false)),
            Some(Value::Bool(enabled)) => Ok(Some(*enabled)),
            Some(other) => Err(StorageError::Internal(format!(
                "titleLevelRequestsFeatureEnabled is not a boolean: {other}"
            ))),
        };
    }
    Ok(None)
}

/// Is there a setting whose name equals `name` as the unique name index compares them
/// (case and accents ignored)?
pub(crate) fn name_taken(conn: &mut PgConnection, name: &str) -> Result<bool, StorageError> {
    let clashes = diesel::sql_query(
        "SELECT id FROM circulation_settings \
         WHERE lower(f_unaccent(jsonb->>'name')) = lower(f_unaccent($1)) LIMIT 1",
    )
    .bind::<Text, _>(name)
    .execute(conn)?;
    Ok(clashes > 0)
}

/// Replaces the `value` of every setting named exactly `name`.
pub(crate) fn set_value(
    conn: &mut PgConnection,
    name: &str,
    value: &Value,
) -> Result<(), StorageError> {
    diesel::sql_query(
        "UPDATE circulation_settings SET jsonb = jsonb_set(jsonb, '{value}', $1) \
         WHERE jsonb->>'name' = $2",
    )
    .bind::<Jsonb, _>(value)
    .bind::<Text, _>(name)
    .execute(conn)?;
    Ok(())
}
