//! Circulation settings: a POST whose name clashes with the unique (case-insensitive) name index
//! updates the value of the settings with exactly that name (FOLIO answers 201 with the posted
//! body), instead of failing.
use crate::db::settings;
use crate::error::StorageError;
use diesel::PgConnection;
use serde_json::Value;

pub(crate) fn merge_into_existing(
    conn: &mut PgConnection,
    setting: &Value,
) -> Result<bool, StorageError> {
    let Some(name) = setting.get("name").and_then(Value::as_str) else {
        return Ok(false);
    };
    if !settings::name_taken(conn, name)? {
        return Ok(false);
    }
    // FOLIO looks the existing settings up by the exact name (`'name' = <name>`).
    let value = setting.get("value").cloned().unwrap_or(Value::Null);
    settings::set_value(conn, name, &value)?;
    Ok(true)
}
