//! circulation-storage's database runner (`db`) on a real PostgreSQL: a request's statements
//! run on the calling worker's thread, a batch job's on the blocking pool; a panic in either is
//! that call's 500 (an `Internal` error) and the pool goes on serving.
use circulation_storage::config::DbConfig;
use circulation_storage::db;
use circulation_storage::error::StorageError;
use circulation_storage::tenant::TenantId;
use std::thread::ThreadId;

/// A pool of one connection on the shared throwaway server: a connection a failed call did
/// not give back would make the next call wait out the pool's timeout and fail.
fn one_connection_pool() -> db::PgPool {
    let pg = circulation_tests::pg::shared();
    db::build_pool(
        &DbConfig {
            host: pg.db_host(),
            port: pg.port,
            username: pg.user.clone(),
            password: pg.password.clone(),
            database: pg.database.clone(),
            max_pool_size: 1,
            query_timeout_ms: 10_000,
        },
        false,
    )
}

fn tenant() -> TenantId {
    TenantId::parse("db_runner").expect("valid tenant id")
}

#[actix_web::test]
async fn request_work_runs_on_the_calling_thread_and_jobs_on_another() {
    let pool = one_connection_pool();
    let here = std::thread::current().id();
    let current = |_: &mut _| Ok::<ThreadId, StorageError>(std::thread::current().id());
    assert_eq!(db::read(&pool, &tenant(), current).await.unwrap(), here);
    assert_eq!(
        db::write_one(&pool, &tenant(), current).await.unwrap(),
        here
    );
    assert_eq!(
        db::in_tenant(&pool, &tenant(), current).await.unwrap(),
        here
    );
    let job = db::in_tenant_job(&pool, &tenant(), current).await.unwrap();
    assert_ne!(job, here);
}

#[actix_web::test]
async fn a_panic_is_that_calls_internal_error_and_the_pool_goes_on() {
    let pool = one_connection_pool();
    let failed = db::read(&pool, &tenant(), |_| -> Result<(), StorageError> {
        panic!("a bug in a request's database work")
    })
    .await;
    assert!(
        matches!(failed, Err(StorageError::Internal(ref m)) if m.contains("panicked")),
        "{failed:?}"
    );
    let failed_job = db::in_tenant_job(&pool, &tenant(), |_| -> Result<(), StorageError> {
        panic!("a bug in a job's database work")
    })
    .await;
    assert!(
        matches!(failed_job, Err(StorageError::Internal(_))),
        "{failed_job:?}"
    );
    // The one connection came back both times.
    let answer = db::in_tenant(&pool, &tenant(), |_| Ok::<_, StorageError>(42)).await;
    assert_eq!(answer.unwrap(), 42);
}
