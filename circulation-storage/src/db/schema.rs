//! The tenant schemas: creating one and bringing it to the newest migration, dropping one.
use crate::error::StorageError;
use crate::tenant::TenantId;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Creates the tenant's schema and brings it to the newest migration. Serialised per schema with
/// an advisory lock, so several instances enabling the same tenant at once do not collide.
pub(super) fn migrate(conn: &mut PgConnection, tenant: &TenantId) -> Result<(), StorageError> {
    let schema = tenant.schema();
    diesel::sql_query("SELECT pg_advisory_lock(hashtext($1))")
        .bind::<Text, _>(&schema)
        .execute(conn)?;
    let result = (|| -> Result<(), StorageError> {
        // Extensions are database-wide; creating them concurrently can race, hence the global lock.
        diesel::sql_query("SELECT pg_advisory_lock(hashtext('circulation-storage-extensions'))")
            .execute(conn)?;
        let ext = diesel::sql_query("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
            .execute(conn)
            .and_then(|_| {
                diesel::sql_query("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
                    .execute(conn)
            });
        diesel::sql_query("SELECT pg_advisory_unlock(hashtext('circulation-storage-extensions'))")
            .execute(conn)?;
        ext?;
        // The schema name is validated by TenantId (^[a-z][a-z0-9_]{0,62}$) and quoted.
        diesel::sql_query(format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"")).execute(conn)?;
        diesel::sql_query(format!("SET search_path TO \"{schema}\", public")).execute(conn)?;
        conn.run_pending_migrations(MIGRATIONS).map_err(|e| {
            StorageError::Internal(format!("Migrating schema {schema} failed: {e}"))
        })?;
        Ok(())
    })();
    let _ = diesel::sql_query("SET search_path TO DEFAULT").execute(conn);
    diesel::sql_query("SELECT pg_advisory_unlock(hashtext($1))")
        .bind::<Text, _>(&schema)
        .execute(conn)?;
    result
}

/// Drops the tenant's schema with everything in it.
pub(super) fn purge(conn: &mut PgConnection, tenant: &TenantId) -> Result<(), StorageError> {
    diesel::sql_query(format!(
        "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
        tenant.schema()
    ))
    .execute(conn)?;
    Ok(())
}
