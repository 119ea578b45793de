//! Connection pool, per-tenant search_path and transactions, and the repositories: one module
//! per kind of record, holding the statements that touch it (layout: `docs/storage.md`).
//!
//! Every pooled connection remembers the search_path it was last given ([`TenantConn`]), so the
//! `set_config` round trip is paid only when a connection serves a different tenant than last
//! time. The search_path is set at session level and always *outside* any transaction, so no
//! rollback can undo it behind the tracked value's back.
//!
//! Callers say what they need:
//! * [`read`]: one statement that only reads (autocommit: no BEGIN/COMMIT);
//! * [`write_one`]: one statement that writes (an INSERT/UPDATE/DELETE with its triggers is
//!   atomic by itself);
//! * [`in_tenant`]: several statements that must succeed or fail together (a transaction);
//! * [`in_tenant_job`]: a transaction of a batch job (anonymization, request expiration, a
//!   request batch, loading reference data) that may run for long.
//!
//! A request's statements are short, so they run on the actix worker serving it: a hand-off
//! to `web::block` would cost more than they do. A worker blocks while PostgreSQL answers;
//! `DB_QUERYTIMEOUT` bounds any one statement. Batch jobs and migrations, which can take
//! seconds, run on `web::block`.
pub(crate) mod circulation_rules;
pub(crate) mod loans;
pub(crate) mod locks;
pub(crate) mod outbox;
pub(crate) mod print_events;
pub(crate) mod requests;
mod schema;
pub(crate) mod sessions;
pub(crate) mod settings;
pub mod store;
pub(crate) mod tlr_jobs;

use crate::config::DbConfig;
use crate::error::StorageError;
use crate::tenant::TenantId;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, ManageConnection, Pool};
use diesel::sql_types::Text;
use std::collections::HashSet;
use std::ops::{Deref, DerefMut};
use std::time::Duration;

pub type PgPool = Pool<TenantConnectionManager>;

/// A PostgreSQL connection plus the session search_path it is known to have (`None`: unknown,
/// set it before the next tenant query), and the CQL statements it keeps prepared.
pub struct TenantConn {
    conn: PgConnection,
    current_search_path: Option<String>,
    cql_statements: CqlStatements,
}

/// At most this many distinct statement texts built from CQL are kept prepared per connection.
pub const MAX_PREPARED_CQL: usize = 200;
/// Statement texts longer than this (bytes) are never kept prepared.
pub const MAX_PREPARED_CQL_LEN: usize = 4096;

/// The statement texts built from CQL (searches, counts, deletes) that one connection keeps as
/// named prepared statements, so PostgreSQL parses them once per connection instead of on every
/// call.
///
/// The text depends only on the query's shape (every value is a bind parameter), and the shapes
/// real clients send are few; but any client can send arbitrarily many, and diesel's statement
/// cache never evicts. So at most [`MAX_PREPARED_CQL`] texts are admitted per connection, none
/// longer than [`MAX_PREPARED_CQL_LEN`]; the rest run as unnamed (unprepared) statements.
///
/// Prepared statements are per session and resolve table names again whenever the search_path
/// has changed since their last use (PostgreSQL's PREPARE), so one text serves every tenant the
/// connection works for, each against its own schema.
///
/// Plans: PostgreSQL may switch to a generic plan from the sixth execution; for the
/// translator's `LIKE $n` on btree indexes such a plan cannot use the index, but PostgreSQL
/// keeps custom plans while the table's statistics show more than a few rows (the EXPLAIN test
/// in tests/tests/cql/queries.rs checks this). `plan_cache_mode` stays `auto`: forcing custom plans
/// would plan every by-id statement too (see `docs/storage.md`).
#[derive(Debug, Default)]
pub struct CqlStatements {
    texts: HashSet<String>,
}

impl CqlStatements {
    /// May `sql` run as a prepared statement on this connection: is it one already, or is there
    /// room for it? (Counted when admitted: a text whose preparation then fails still counts,
    /// which only errs on the safe side.)
    pub(crate) fn admit(&mut self, sql: &str) -> bool {
        if self.texts.contains(sql) {
            return true;
        }
        if self.texts.len() >= MAX_PREPARED_CQL || sql.len() > MAX_PREPARED_CQL_LEN {
            return false;
        }
        self.texts.insert(sql.to_string());
        true
    }

    /// How many texts are admitted.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

impl TenantConn {
    /// Makes the session's search_path `search_path`, with a round trip only when it differs
    /// from the one this connection already has. Must not be called inside a transaction.
    fn use_search_path(&mut self, search_path: &str) -> Result<(), StorageError> {
        if self.current_search_path.as_deref() == Some(search_path) {
            return Ok(());
        }
        // Unknown until the database has confirmed the new value.
        self.current_search_path = None;
        // set_config takes a bind parameter (SET does not); `false`: for the session.
        diesel::sql_query("SELECT set_config('search_path', $1, false)")
            .bind::<Text, _>(search_path)
            .execute(&mut self.conn)?;
        self.current_search_path = Some(search_path.to_string());
        Ok(())
    }

    /// Forget the tracked search_path (after code that changed it by itself).
    fn forget_search_path(&mut self) {
        self.current_search_path = None;
    }
}

impl Deref for TenantConn {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for TenantConn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

/// diesel's r2d2 manager, handing out [`TenantConn`]s.
#[derive(Debug)]
pub struct TenantConnectionManager(ConnectionManager<PgConnection>);

impl ManageConnection for TenantConnectionManager {
    type Connection = TenantConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<TenantConn, Self::Error> {
        Ok(TenantConn {
            conn: self.0.connect()?,
            current_search_path: None,
            cql_statements: CqlStatements::default(),
        })
    }

    fn is_valid(&self, conn: &mut TenantConn) -> Result<(), Self::Error> {
        self.0.is_valid(&mut conn.conn)
    }

    /// diesel's test: the thread panicked, or the connection is in error or still inside a
    /// transaction. Such a connection is closed, never reused.
    fn has_broken(&self, conn: &mut TenantConn) -> bool {
        self.0.has_broken(&mut conn.conn)
    }
}

/// The pool is built without connecting, so the module starts (and answers health checks with
/// the truth) even while the database is still coming up.
/// `outbox`: the sessions write domain event outbox rows (only when a relay publishes them).
pub fn build_pool(config: &DbConfig, outbox: bool) -> PgPool {
    let manager = TenantConnectionManager(ConnectionManager::<PgConnection>::new(
        config.connection_string(outbox),
    ));
    Pool::builder()
        .max_size(config.max_pool_size)
        // A `SELECT 1` on every checkout doubles round trips; broken connections are detected anyway.
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build_unchecked(manager)
}

fn search_path_of(tenant: &TenantId) -> String {
    format!("{}, public", tenant.schema())
}

/// Where [`run`] executes its work (see the module comment).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Thread {
    /// On the calling actix worker: a request's short statements.
    Worker,
    /// On the blocking thread pool: work that may take long.
    Blocking,
}

/// Runs `work` on a pooled connection whose search_path is the tenant's schema, on `thread`;
/// inside one transaction when `transaction` is set.
async fn run<T, F>(
    pool: &PgPool,
    tenant: &TenantId,
    thread: Thread,
    transaction: bool,
    work: F,
) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection, &mut CqlStatements) -> Result<T, StorageError> + Send + 'static,
{
    let pool = pool.clone();
    let search_path = search_path_of(tenant);
    let job = move || {
        let mut pooled = pool.get()?;
        // Outside any transaction: committed at once, so no later rollback can undo it.
        pooled.use_search_path(&search_path)?;
        let TenantConn {
            conn,
            cql_statements,
            ..
        } = &mut *pooled;
        if transaction {
            let done = conn.transaction(|conn| work(conn, cql_statements));
            if done.is_ok() {
                crate::events::changed();
            }
            done
        } else {
            work(conn, cql_statements)
        }
    };
    match thread {
        // A panic stays this request's 500 (as from `web::block`) instead of taking the
        // worker, and every connection it serves, down with it.
        Thread::Worker => std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
            .unwrap_or_else(|_| {
                Err(StorageError::Internal(
                    "Internal Server Error: database work panicked".to_string(),
                ))
            }),
        Thread::Blocking => actix_web::web::block(job).await?,
    }
}

/// Runs `work`, several statements, in one transaction with the tenant's search_path.
pub async fn in_tenant<T, F>(pool: &PgPool, tenant: &TenantId, work: F) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, StorageError> + Send + 'static,
{
    run(pool, tenant, Thread::Worker, true, |conn, _| work(conn)).await
}

/// [`in_tenant`] for a batch job that may run for long: on the blocking thread pool, so the
/// worker goes on serving other requests meanwhile.
pub async fn in_tenant_job<T, F>(
    pool: &PgPool,
    tenant: &TenantId,
    work: F,
) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, StorageError> + Send + 'static,
{
    run(pool, tenant, Thread::Blocking, true, |conn, _| work(conn)).await
}

/// [`in_tenant`] for work that runs translated CQL: it also gets the connection's
/// [`CqlStatements`] (see `store::search`).
pub(crate) async fn in_tenant_cql<T, F>(
    pool: &PgPool,
    tenant: &TenantId,
    work: F,
) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection, &mut CqlStatements) -> Result<T, StorageError> + Send + 'static,
{
    run(pool, tenant, Thread::Worker, true, work).await
}

/// Runs `work`, reads only, without a transaction (each statement is its own snapshot; for one
/// statement that is exactly what a transaction would give, minus BEGIN and COMMIT).
pub async fn read<T, F>(pool: &PgPool, tenant: &TenantId, work: F) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, StorageError> + Send + 'static,
{
    run(pool, tenant, Thread::Worker, false, |conn, _| work(conn)).await
}

/// [`read`] for work that runs translated CQL: it also gets the connection's [`CqlStatements`]
/// (see `store::search`).
pub(crate) async fn read_cql<T, F>(
    pool: &PgPool,
    tenant: &TenantId,
    work: F,
) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection, &mut CqlStatements) -> Result<T, StorageError> + Send + 'static,
{
    run(pool, tenant, Thread::Worker, false, work).await
}

/// Runs `work`, exactly one writing statement, without an explicit transaction: the statement
/// (with its triggers) is atomic by itself.
pub async fn write_one<T, F>(pool: &PgPool, tenant: &TenantId, work: F) -> Result<T, StorageError>
where
    T: Send + 'static,
    F: FnOnce(&mut PgConnection) -> Result<T, StorageError> + Send + 'static,
{
    let done = run(pool, tenant, Thread::Worker, false, |conn, _| work(conn)).await;
    if done.is_ok() {
        crate::events::changed();
    }
    done
}

/// Health: can we run a query at all?
pub(crate) async fn ping(pool: &PgPool) -> Result<(), StorageError> {
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        diesel::sql_query("SELECT 1").execute(&mut conn.conn)?;
        Ok(())
    })
    .await?
}

/// Creates the tenant's schema and brings it to the newest migration (on a pooled connection,
/// whose search_path this changes and then resets).
pub(crate) async fn migrate(pool: &PgPool, tenant: &TenantId) -> Result<(), StorageError> {
    let pool = pool.clone();
    let tenant = tenant.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        conn.forget_search_path();
        let result = schema::migrate(&mut conn.conn, &tenant);
        // Whatever happened (the reset to DEFAULT is best effort), the value is unknown now.
        conn.forget_search_path();
        result
    })
    .await?
}

/// Drops the tenant's schema with everything in it (on a pooled connection).
pub(crate) async fn purge(pool: &PgPool, tenant: &TenantId) -> Result<(), StorageError> {
    let pool = pool.clone();
    let tenant = tenant.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        let result = schema::purge(&mut conn.conn, &tenant);
        conn.forget_search_path();
        result
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::{CqlStatements, MAX_PREPARED_CQL, MAX_PREPARED_CQL_LEN};

    #[test]
    fn admits_a_bounded_number_of_short_texts() {
        let mut statements = CqlStatements::default();
        for k in 0..MAX_PREPARED_CQL {
            assert!(statements.admit(&format!("SELECT {k}")));
        }
        assert_eq!(statements.len(), MAX_PREPARED_CQL);
        // Full: known texts still run prepared, new ones do not, and none is added.
        assert!(statements.admit("SELECT 0"));
        assert!(statements.admit(&format!("SELECT {}", MAX_PREPARED_CQL - 1)));
        assert!(!statements.admit("SELECT 'new'"));
        assert!(!statements.admit("SELECT 'new'"));
        assert_eq!(statements.len(), MAX_PREPARED_CQL);

        let mut statements = CqlStatements::default();
        let long = format!("SELECT '{}'", "x".repeat(MAX_PREPARED_CQL_LEN));
        assert!(!statements.admit(&long));
        assert!(statements.is_empty());
        let longest = "x".repeat(MAX_PREPARED_CQL_LEN);
        assert!(statements.admit(&longest));
    }
}
