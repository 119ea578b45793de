//! Connection pool, per-tenant transactions and per-tenant migrations.
pub mod store;

use crate::config::DbConfig;
use crate::error::StorageError;
use crate::tenant::TenantId;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::sql_types::Text;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The pool is built without connecting, so the module starts (and answers health checks with
/// the truth) even while the database is still coming up.
pub fn build_pool(config: &DbConfig) -> PgPool {
    let manager = ConnectionManager::<PgConnection>::new(config.connection_string());
    Pool::builder()
        .max_size(config.max_pool_size)
        // A `SELECT 1` on every checkout doubles round trips; broken connections are detected anyway.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build_unchecked(manager)
}

/// Runs `work` on a pooled connection, in one transaction whose search_path is the tenant's
/// schema, on the blocking thread pool (diesel is synchronous).
pub async fn in_tenant<T, F>(pool: &PgPool, tenant: &TenantId, work: F) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, StorageError> + Send + 'static,
{
    let pool = pool.clone();
    let search_path = format!("{}, public", tenant.schema());
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        conn.transaction(|conn| {
            // set_config takes a bind parameter (SET does not) and is undone at commit/rollback.
            diesel::sql_query("SELECT set_config('search_path', $1, true)")
                .bind::<Text, _>(&search_path)
                .execute(conn)?;
            work(conn)
        })
    })
    .await?
}

/// Health: can we run a query at all?
pub async fn ping(pool: &PgPool) -> Result<(), StorageError> {
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        diesel::sql_query("SELECT 1").execute(&mut conn)?;
        Ok(())
    })
    .await?
}

/// Creates the tenant's schema and brings it to the newest migration. Serialised per schema with
/// an advisory lock, so several instances enabling the same tenant at once do not collide.
pub fn migrate_tenant(conn: &mut PgConnection, tenant: &TenantId) -> Result<(), StorageError> {
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
pub fn purge_tenant(conn: &mut PgConnection, tenant: &TenantId) -> Result<(), StorageError> {
    diesel::sql_query(format!(
        "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
        tenant.schema()
    ))
    .execute(conn)?;
    Ok(())
}

/// Does the tenant's schema exist (is the module enabled for it)?
pub fn schema_exists(conn: &mut PgConnection, tenant: &TenantId) -> Result<bool, StorageError> {
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let row: Exists = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists",
    )
    .bind::<Text, _>(tenant.schema())
    .get_result(conn)?;
    Ok(row.exists)
}
