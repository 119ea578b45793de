//! The domain event outbox of every tenant schema (table `domain_event_outbox`, filled by the
//! triggers of the migration `domain_event_outbox`): which schemas have one, a batch of rows
//! for the relay under a per-tenant lock, and deleting what was published.
use crate::error::StorageError;
use crate::events::envelope::OutboxRow;
use crate::tenant::MODULE_SCHEMA_SUFFIX;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Jsonb, Nullable, Text, Timestamptz};
use serde_json::Value;

#[derive(QueryableByName)]
struct SchemaName {
    #[diesel(sql_type = Text)]
    nspname: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    topic: String,
    #[diesel(sql_type = Text)]
    event_key: String,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    old_record: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    new_record: Option<Value>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// The tenant of one of this module's schemas (`diku_mod_circulation_storage` → `diku`); `None`
/// for any other name, which is then never put into a statement.
pub(crate) fn tenant_of_schema(schema: &str) -> Option<&str> {
    let tenant = schema
        .strip_suffix(MODULE_SCHEMA_SUFFIX)?
        .strip_suffix('_')?;
    let valid = tenant.starts_with(|c: char| c.is_ascii_lowercase())
        && tenant
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    valid.then_some(tenant)
}

/// The schemas of this module that have an outbox.
pub(crate) fn schemas(conn: &mut PgConnection) -> Result<Vec<String>, StorageError> {
    let rows: Vec<SchemaName> = diesel::sql_query(
        "SELECT n.nspname::text AS nspname FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relname = 'domain_event_outbox' AND c.relkind = 'r' ORDER BY 1",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| r.nspname)
        .filter(|s| tenant_of_schema(s).is_some())
        .collect())
}

/// Inside a transaction: the tenant's relay lock (one relay per tenant at a time, so rows of
/// one key leave in order), then up to `limit` rows, oldest first. `None` when another relay
/// holds the lock.
pub(crate) fn take(
    conn: &mut PgConnection,
    schema: &str,
    limit: i64,
) -> Result<Option<Vec<OutboxRow>>, StorageError> {
    if tenant_of_schema(schema).is_none() {
        return Ok(Some(Vec::new()));
    }
    let lock: Locked = diesel::sql_query(
        "SELECT pg_try_advisory_xact_lock(hashtext('circulation-outbox:' || $1)) AS locked",
    )
    .bind::<Text, _>(schema)
    .get_result(conn)?;
    if !lock.locked {
        return Ok(None);
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT id, topic, event_key, event_type, old_record, new_record, created_at \
         FROM \"{schema}\".domain_event_outbox ORDER BY id LIMIT $1"
    ))
    .bind::<BigInt, _>(limit)
    .load(conn)?;
    Ok(Some(
        rows.into_iter()
            .map(|r| OutboxRow {
                id: r.id,
                topic: r.topic,
                key: r.event_key,
                event_type: r.event_type,
                old: r.old_record,
                new: r.new_record,
                created_at: r.created_at,
            })
            .collect(),
    ))
}

/// Inside a request batch's transaction: the batch announces itself as FOLIO's does — one
/// `request-queue-reordering` event (CREATED, keyed by the instance) — and its request rows
/// announce nothing (FOLIO's batch publishes no request event). Nothing when the session
/// writes no outbox rows.
pub(crate) fn queue_reordered(
    conn: &mut PgConnection,
    reordering: &Value,
) -> Result<(), StorageError> {
    let key = reordering
        .get("instanceId")
        .and_then(Value::as_str)
        .unwrap_or("00000000-0000-0000-0000-000000000000");
    diesel::sql_query(
        "INSERT INTO domain_event_outbox (topic, event_key, event_type, new_record) \
         SELECT 'request-queue-reordering', $1, 'CREATED', $2 \
         WHERE current_setting('circulation.outbox', true) = 'on'",
    )
    .bind::<Text, _>(key)
    .bind::<Jsonb, _>(reordering)
    .execute(conn)?;
    diesel::sql_query("SET LOCAL circulation.outbox = 'off'").execute(conn)?;
    Ok(())
}

/// Deletes the rows published.
pub(crate) fn delete(
    conn: &mut PgConnection,
    schema: &str,
    ids: &[i64],
) -> Result<(), StorageError> {
    if tenant_of_schema(schema).is_none() {
        return Ok(());
    }
    diesel::sql_query(format!(
        "DELETE FROM \"{schema}\".domain_event_outbox WHERE id = ANY($1)"
    ))
    .bind::<Array<BigInt>, _>(ids)
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::tenant_of_schema;

    #[test]
    fn only_this_modules_schemas_name_a_tenant() {
        assert_eq!(
            tenant_of_schema("diku_mod_circulation_storage"),
            Some("diku")
        );
        assert_eq!(
            tenant_of_schema("a_b1_mod_circulation_storage"),
            Some("a_b1")
        );
        assert_eq!(tenant_of_schema("diku_mod_users"), None);
        assert_eq!(tenant_of_schema("x\"_mod_circulation_storage"), None);
        assert_eq!(tenant_of_schema("_mod_circulation_storage"), None);
    }
}
